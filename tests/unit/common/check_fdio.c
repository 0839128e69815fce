/*
 * fdio: whole transfers through a pipe much smaller than the data, end of
 * file in the middle of a read, a reader that went away.
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check_main.h"
#include "fdio.h"
#include "reclog.h"
#include "statefile.h"
#include "../testutil.h"

#define BIG	(1024 * 1024 + 17)

START_TEST(test_big_transfer)
{
	unsigned char *out = malloc(BIG), *in = malloc(BIG);
	int p[2], status;
	size_t i;
	pid_t pid;

	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(in);
	for (i = 0; i < BIG; i++)
		out[i] = (unsigned char)(i * 7 + i / 251);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		_exit(write_full(p[1], out, BIG) == 0 ? 0 : 1);
	}
	close(p[1]);
	ck_assert_int_eq(read_full(p[0], in, BIG), 0);
	ck_assert_int_eq(memcmp(in, out, BIG), 0);
	/* Nothing more: the next read meets end of file. */
	errno = 0;
	ck_assert_int_eq(read_full(p[0], in, 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(p[0]);
	free(in);
	free(out);
}
END_TEST

START_TEST(test_short_then_eof)
{
	char buf[16];
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write_full(p[1], "abc", 3), 0);
	close(p[1]);
	errno = 0;
	ck_assert_int_eq(read_full(p[0], buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EPIPE);
	close(p[0]);
}
END_TEST

START_TEST(test_reader_gone)
{
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	errno = 0;
	ck_assert_int_eq(write_full(p[1], "x", 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	close(p[1]);
	errno = 0;
	ck_assert_int_eq(write_full(-1, "x", 1), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

static int
count_rec(const void *rec, size_t len, int flags, uint64_t where, void *arg)
{
	(void)rec;
	(void)len;
	(void)flags;
	(void)where;
	(*(int *)arg)++;
	return 0;
}

/*
 * A FIFO planted where a state file belongs: every opener of state files
 * refuses it at once (the test's timeout catches a wait), a regular file
 * is opened with the caller's flags.
 */
START_TEST(test_open_regular)
{
	char *dir = tu_tmpdir(), *fifo = tu_path(dir, "fifo"),
	    *file = tu_path(dir, "file");
	struct reclog_stats st;
	int fd, n = 0;

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	errno = 0;
	ck_assert_int_eq(open_regular(fifo, O_RDONLY | O_CLOEXEC, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(open_regular(fifo, O_RDWR | O_CREAT, 0600), -1);
	ck_assert_ptr_null(reclog_open(fifo, RECLOG_TEXT, 4096, 0600,
	    count_rec, &n, NULL));
	ck_assert_int_eq(reclog_replay_file(fifo, RECLOG_BINARY, 4096,
	    count_rec, &n, &st), -1);
	ck_assert_ptr_null(statefile_read(fifo, 4096, NULL));
	ck_assert_int_eq(n, 0);

	tu_write_file(file, "x", 1);
	fd = open_regular(file, O_RDWR | O_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	ck_assert_int_eq(open_regular(dir, O_RDONLY, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	tu_rmtree(dir);
	free(fifo);
	free(file);
	free(dir);
}
END_TEST

static Suite *
fdio_suite(void)
{
	Suite *s = suite_create("fdio");
	TCase *tc = tcase_create("fdio");

	tcase_add_test(tc, test_big_transfer);
	tcase_add_test(tc, test_short_then_eof);
	tcase_add_test(tc, test_reader_gone);
	tcase_add_test(tc, test_open_regular);
	tcase_set_timeout(tc, 10);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(fdio_suite)
