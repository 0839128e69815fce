#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check_main.h"
#include "../testutil.h"
#include "log.h"
#include "statefile.h"

#define BIG		(1024 * 1024)
#define PIECE		4096

static char *dir;

static void
setup(void)
{
	dir = tu_tmpdir();
}

static void
teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	dir = NULL;
}

/* Entries of dir other than "." and ".."; names joined by ' ' in *names. */
static int
count_entries(const char *d, char *names, size_t namesz)
{
	DIR *dp = opendir(d);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(dp);
	if (names != NULL)
		names[0] = '\0';
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		if (names != NULL) {
			strncat(names, de->d_name, namesz - strlen(names) - 2);
			strcat(names, " ");
		}
	}
	closedir(dp);
	return n;
}

START_TEST(test_replace_read)
{
	char *p = tu_path(dir, "state"), *buf;
	struct stat st;
	size_t len;

	ck_assert_int_eq(statefile_replace(p, "hello", 5, 0640), 0);
	buf = statefile_read(p, 100, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(len, 5);
	ck_assert_str_eq(buf, "hello");
	free(buf);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);

	ck_assert_int_eq(statefile_replace(p, "", 0, 0600), 0);
	buf = statefile_read(p, 100, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(buf, "");
	free(buf);
	ck_assert_int_eq(count_entries(dir, NULL, 0), 1);
	free(p);
}
END_TEST

START_TEST(test_read_limits)
{
	char *p = tu_path(dir, "big"), *buf, data[100];
	size_t len;

	memset(data, 'x', sizeof(data));
	tu_write_file(p, data, sizeof(data));
	errno = 0;
	ck_assert_ptr_null(statefile_read(p, 99, &len));
	ck_assert_int_eq(errno, EFBIG);
	buf = statefile_read(p, 100, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(len, 100);
	ck_assert_int_eq(memcmp(buf, data, 100), 0);
	ck_assert_int_eq(buf[100], '\0');
	free(buf);
	free(p);

	p = tu_path(dir, "absent");
	errno = 0;
	ck_assert_ptr_null(statefile_read(p, 100, &len));
	ck_assert_int_eq(errno, ENOENT);
	free(p);
}
END_TEST

/*
 * A file that grows while it is read: a /proc file has st_size 0 and more
 * bytes than that.  A FIFO in a state file's place is refused at once, with
 * no writer ever coming (it would wait for one forever).
 */
START_TEST(test_read_grows)
{
	char *p = tu_path(dir, "fifo"), *buf;
	size_t len;

	errno = 0;
	ck_assert_ptr_null(statefile_read("/proc/self/status", 100, &len));
	ck_assert_int_eq(errno, EFBIG);
	buf = statefile_read("/proc/self/status", 1 << 20, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_gt(len, 100);
	free(buf);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	errno = 0;
	ck_assert_ptr_null(statefile_read(p, 100, &len));
	ck_assert_int_eq(errno, EINVAL);
	free(p);
}
END_TEST

START_TEST(test_replace_missing_folder)
{
	char *p = tu_path(dir, "nosuch/state");

	errno = 0;
	ck_assert_int_eq(statefile_replace(p, "x", 1, 0600), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(count_entries(dir, NULL, 0), 0);
	errno = 0;
	ck_assert_int_eq(fsync_parent(p), -1);
	ck_assert_int_eq(errno, ENOENT);
	free(p);
}
END_TEST

/* The rename fails after the temporary file was written: it must go. */
START_TEST(test_replace_rename_fails)
{
	char *p = tu_path(dir, "state"), *q;
	char names[512];

	ck_assert_int_eq(mkdir(p, 0700), 0);
	q = tu_path(p, "keep");
	tu_write_file(q, "k", 1);
	errno = 0;
	ck_assert_int_eq(statefile_replace(p, "data", 4, 0600), -1);
	ck_assert(errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST);
	ck_assert_msg(count_entries(dir, names, sizeof(names)) == 1,
	    "left behind: %s", names);
	free(q);
	free(p);
}
END_TEST

START_TEST(test_writer_abort)
{
	char *p = tu_path(dir, "state"), *buf;
	struct statefile_writer *w;
	size_t len;

	ck_assert_int_eq(statefile_replace(p, "old", 3, 0600), 0);
	w = statefile_begin(p, 0600);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(statefile_write(w, "new content", 11), 0);
	ck_assert_int_eq(count_entries(dir, NULL, 0), 2);
	statefile_abort(w);
	buf = statefile_read(p, 100, &len);
	ck_assert_str_eq(buf, "old");
	free(buf);
	ck_assert_int_eq(count_entries(dir, NULL, 0), 1);

	w = statefile_begin(p, 0600);
	ck_assert_int_eq(statefile_write(w, "new ", 4), 0);
	ck_assert_int_eq(statefile_write(w, "content", 7), 0);
	ck_assert_int_eq(statefile_commit(w), 0);
	buf = statefile_read(p, 100, &len);
	ck_assert_str_eq(buf, "new content");
	free(buf);
	ck_assert_int_eq(count_entries(dir, NULL, 0), 1);
	free(p);
}
END_TEST

START_TEST(test_set_aside)
{
	char *p = tu_path(dir, "state"), *a, *b, *buf;
	char prefix[4096];
	size_t len;

	tu_write_file(p, "damaged\0data", 12);
	a = statefile_set_aside(p);
	b = statefile_set_aside(p);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_ne(a, b);
	snprintf(prefix, sizeof(prefix), "%s.bad.", p);
	ck_assert_int_eq(strncmp(a, prefix, strlen(prefix)), 0);
	ck_assert_int_eq(strncmp(b, prefix, strlen(prefix)), 0);
	buf = tu_read_file(b, &len);
	ck_assert_uint_eq(len, 12);
	ck_assert_int_eq(memcmp(buf, "damaged\0data", 12), 0);
	free(buf);
	/* The original and two copies, no temporary file. */
	ck_assert_int_eq(count_entries(dir, NULL, 0), 3);
	free(a);
	free(b);
	free(p);
}
END_TEST

START_TEST(test_clean_temps)
{
	char *p = tu_path(dir, "state"), *t;
	char names[512];

	tu_write_file(p, "s", 1);
	t = tu_path(dir, ".state.a1B2c3");
	tu_write_file(t, "t", 1);
	free(t);
	t = tu_path(dir, ".state.toolong");
	tu_write_file(t, "t", 1);
	free(t);
	t = tu_path(dir, ".other.a1B2c3");
	tu_write_file(t, "t", 1);
	free(t);
	ck_assert_int_eq(statefile_clean_temps(p), 1);
	ck_assert_int_eq(count_entries(dir, names, sizeof(names)), 3);
	ck_assert_msg(strstr(names, ".state.a1B2c3") == NULL, "%s", names);
	ck_assert_int_eq(statefile_clean_temps(p), 0);
	free(p);
}
END_TEST

/*
 * The child replaces the file with 1 MiB of 'B', then 'A', ... in 4 KiB
 * pieces, and writes 'w' to the pipe after each piece and 'c' after each
 * commit.  The parent counts those and kills it at a chosen event.
 */
static void
replacer(const char *path, int wfd)
{
	char piece[PIECE];
	struct statefile_writer *w;
	char c = 'B';
	int i;

	for (;;) {
		memset(piece, c, sizeof(piece));
		if ((w = statefile_begin(path, 0600)) == NULL)
			_exit(2);
		for (i = 0; i < BIG / PIECE; i++) {
			if (statefile_write(w, piece, sizeof(piece)) == -1)
				_exit(3);
			if (write(wfd, "w", 1) != 1)
				_exit(4);
		}
		if (statefile_commit(w) == -1)
			_exit(5);
		if (write(wfd, "c", 1) != 1)
			_exit(4);
		c = c == 'A' ? 'B' : 'A';
	}
}

START_TEST(test_kill_during_replace)
{
	/* Events: 257 per round (256 pieces, 1 commit). */
	static const int kill_at[] = { 1, 100, 255, 256, 257, 258, 300, 513,
	    514, 600 };
	char *p = tu_path(dir, "state"), *buf, ev;
	char names[4096];
	size_t len, i, k;
	int pfd[2], status, events, commits, seen_b = 0;
	pid_t pid;

	buf = malloc(BIG);
	memset(buf, 'A', BIG);
	ck_assert_int_eq(statefile_replace(p, buf, BIG, 0600), 0);
	free(buf);

	for (k = 0; k < sizeof(kill_at) / sizeof(kill_at[0]); k++) {
		ck_assert_int_eq(pipe(pfd), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(pfd[0]);
			replacer(p, pfd[1]);
		}
		close(pfd[1]);
		events = commits = 0;
		while (events < kill_at[k] && read(pfd[0], &ev, 1) == 1) {
			events++;
			if (ev == 'c')
				commits++;
		}
		ck_assert_int_eq(events, kill_at[k]);
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status));
		close(pfd[0]);

		buf = statefile_read(p, 2 * BIG, &len);
		ck_assert_ptr_nonnull(buf);
		ck_assert_uint_eq(len, BIG);
		for (i = 1; i < len; i++)
			if (buf[i] != buf[0])
				break;
		ck_assert_msg(i == len, "torn file after kill at %d: byte %zu"
		    " is %c, byte 0 is %c", kill_at[k], i, buf[i], buf[0]);
		ck_assert(buf[0] == 'A' || buf[0] == 'B');
		if (buf[0] == 'B')
			seen_b = 1;
		free(buf);
	}
	ck_assert_msg(seen_b, "no kill landed after a commit");
	/* Leftovers of killed replaces are cleaned on request only. */
	ck_assert_int_ge(statefile_clean_temps(p), 0);
	ck_assert_msg(count_entries(dir, names, sizeof(names)) == 1,
	    "left behind: %s", names);
	free(p);
}
END_TEST

static Suite *
statefile_suite(void)
{
	Suite *s = suite_create("statefile");
	TCase *tc;

	tc = tcase_create("basic");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_replace_read);
	tcase_add_test(tc, test_read_limits);
	tcase_add_test(tc, test_read_grows);
	tcase_add_test(tc, test_writer_abort);
	tcase_add_test(tc, test_set_aside);
	tcase_add_test(tc, test_clean_temps);
	suite_add_tcase(s, tc);

	tc = tcase_create("failure");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_replace_missing_folder);
	tcase_add_test(tc, test_replace_rename_fails);
	suite_add_tcase(s, tc);

	tc = tcase_create("crash");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_kill_during_replace);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(statefile_suite)
