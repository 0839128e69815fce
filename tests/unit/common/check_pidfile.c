/*
 * Tests for pidfile: locking between processes, stale files, removal.
 *
 * Helper processes talk to the test through pipes and never call ck_assert;
 * their exit status says whether they did what they were told.  Every one
 * is reaped by pid before the test ends.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "pidfile.h"
#include "../check_main.h"
#include "../testutil.h"

static char *tmpdir;
static char *pidpath;

static void
setup(void)
{
	tmpdir = tu_tmpdir();
	pidpath = tu_path(tmpdir, "test.pid");
}

static void
teardown(void)
{
	tu_rmtree(tmpdir);
	free(tmpdir);
	free(pidpath);
	tmpdir = pidpath = NULL;
}

/* In a child: pass a report to the test, or die with a telling status. */
static void
child_report(int fd, const void *buf, size_t len)
{
	if (write_full(fd, buf, len) == -1)
		_exit(90);
}

/* Block until the test closes its end of fd (or writes to it). */
static void
wait_for_release(int fd)
{
	char c;

	while (read(fd, &c, 1) == -1 && errno == EINTR)
		;
}

static int
exit_status(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "helper %ld died by signal %d",
	    (long)pid, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return WEXITSTATUS(status);
}

static pid_t
read_pid_file(const char *path)
{
	char *text = tu_read_file(path, NULL);
	long v = strtol(text, NULL, 10);

	free(text);
	return (pid_t)v;
}

START_TEST(test_open_write)
{
	struct pidfh *pfh;
	struct stat st;
	char *text, want[32];
	pid_t other = 12345;
	mode_t old;
	int fd;

	old = umask(022);
	pfh = pidfile_open(pidpath, 0644, &other);
	umask(old);
	ck_assert_ptr_nonnull(pfh);
	ck_assert_int_eq(other, 12345);		/* untouched on success */
	ck_assert_int_eq(stat(pidpath, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	fd = pidfile_fileno(pfh);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);

	ck_assert_int_eq(pidfile_write(pfh), 0);
	ck_assert_int_eq(pidfile_write(pfh), 0);	/* rewrites, not appends */
	text = tu_read_file(pidpath, NULL);
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	ck_assert_str_eq(text, want);
	free(text);

	/* flock conflicts between open files even within one process. */
	ck_assert_int_eq(pidfile_check(pidpath), getpid());
	errno = 0;
	ck_assert_ptr_null(pidfile_open(pidpath, 0644, &other));
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_int_eq(other, getpid());

	ck_assert_int_eq(pidfile_remove(pfh), 0);
	ck_assert_int_eq(access(pidpath, F_OK), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_default_mode)
{
	struct pidfh *pfh;
	struct stat st;

	pfh = pidfile_open(pidpath, 0, NULL);
	ck_assert_ptr_nonnull(pfh);
	ck_assert_int_eq(stat(pidpath, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(pidfile_close(pfh), 0);
}
END_TEST

START_TEST(test_not_written_yet)
{
	struct pidfh *pfh;
	pid_t other = 12345;

	pfh = pidfile_open(pidpath, 0644, NULL);
	ck_assert_ptr_nonnull(pfh);
	errno = 0;
	ck_assert_ptr_null(pidfile_open(pidpath, 0644, &other));
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_int_eq(other, -1);
	/* otherpid may be NULL too. */
	errno = 0;
	ck_assert_ptr_null(pidfile_open(pidpath, 0644, NULL));
	ck_assert_int_eq(errno, EEXIST);
	errno = 0;
	ck_assert_int_eq(pidfile_check(pidpath), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(pidfile_remove(pfh), 0);
}
END_TEST

START_TEST(test_stale_pid_truncated)
{
	struct pidfh *pfh;
	char *text;

	/* A file left by a dead daemon, nobody holding its lock. */
	tu_write_file(pidpath, "999999\n", 7);
	ck_assert_int_eq(pidfile_check(pidpath), 0);
	pfh = pidfile_open(pidpath, 0644, NULL);
	ck_assert_ptr_nonnull(pfh);
	/* Until we write, nobody may read the dead pid as ours. */
	text = tu_read_file(pidpath, NULL);
	ck_assert_str_eq(text, "");
	free(text);
	ck_assert_int_eq(pidfile_write(pfh), 0);
	ck_assert_int_eq(read_pid_file(pidpath), getpid());
	ck_assert_int_eq(pidfile_remove(pfh), 0);
}
END_TEST

START_TEST(test_close_keeps_file)
{
	struct pidfh *pfh;

	pfh = pidfile_open(pidpath, 0644, NULL);
	ck_assert_ptr_nonnull(pfh);
	ck_assert_int_eq(pidfile_write(pfh), 0);
	ck_assert_int_eq(pidfile_close(pfh), 0);
	ck_assert_int_eq(access(pidpath, F_OK), 0);
	/* The lock went with the descriptor. */
	ck_assert_int_eq(pidfile_check(pidpath), 0);
}
END_TEST

START_TEST(test_failures)
{
	char *path = tu_path(tmpdir, "no/such/dir/x.pid");
	pid_t other = 12345;

	errno = 0;
	ck_assert_ptr_null(pidfile_open(path, 0644, &other));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(other, 12345);
	errno = 0;
	ck_assert_int_eq(pidfile_check(path), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_ptr_null(pidfile_open(tmpdir, 0644, &other));
	ck_assert_int_eq(errno, EISDIR);
	errno = 0;
	ck_assert_ptr_null(pidfile_open(NULL, 0644, &other));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pidfile_write(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pidfile_remove(NULL), -1);
	ck_assert_int_eq(pidfile_close(NULL), -1);
	ck_assert_int_eq(pidfile_fileno(NULL), -1);
	free(path);
}
END_TEST

START_TEST(test_remove_replaced)
{
	struct pidfh *pfh;
	char *other = tu_path(tmpdir, "other.pid"), *text;

	pfh = pidfile_open(pidpath, 0644, NULL);
	ck_assert_ptr_nonnull(pfh);
	ck_assert_int_eq(pidfile_write(pfh), 0);
	/* Someone else's pidfile now has the name (a different inode). */
	tu_write_file(other, "424242\n", 7);
	ck_assert_int_eq(rename(other, pidpath), 0);
	ck_assert_int_eq(pidfile_remove(pfh), 0);
	text = tu_read_file(pidpath, NULL);
	ck_assert_str_eq(text, "424242\n");
	free(text);
	free(other);
}
END_TEST

START_TEST(test_remove_gone)
{
	struct pidfh *pfh;

	pfh = pidfile_open(pidpath, 0644, NULL);
	ck_assert_ptr_nonnull(pfh);
	ck_assert_int_eq(unlink(pidpath), 0);
	ck_assert_int_eq(pidfile_remove(pfh), 0);
	ck_assert_int_eq(access(pidpath, F_OK), -1);
}
END_TEST

#define RACERS	8

struct race_report {
	pid_t	self;
	int	won;
	int	err;
	pid_t	other;
};

/*
 * All racers block on one pipe and are let go together by closing it; the
 * winner keeps its lock until the test closes the release pipe, so every
 * loser meets a held lock.
 */
START_TEST(test_race)
{
	struct race_report r, reports[RACERS];
	pid_t pids[RACERS], winner = -1;
	int go[2], rep[2], rel[2], i, j, wins = 0;
	struct pidfh *pfh;
	char c;

	ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(rep, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(rel, O_CLOEXEC), 0);
	fflush(NULL);
	for (i = 0; i < RACERS; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] != 0)
			continue;
		close(go[1]);
		close(rep[0]);
		close(rel[1]);
		while (read(go[0], &c, 1) == -1 && errno == EINTR)
			;
		memset(&r, 0, sizeof(r));
		r.self = getpid();
		r.other = 0;
		pfh = pidfile_open(pidpath, 0644, &r.other);
		if (pfh != NULL) {
			r.won = 1;
			if (pidfile_write(pfh) == -1)
				_exit(2);
		} else
			r.err = errno;
		child_report(rep[1], &r, sizeof(r));
		if (pfh != NULL) {
			wait_for_release(rel[0]);
			if (pidfile_remove(pfh) == -1)
				_exit(3);
		}
		_exit(0);
	}
	close(go[0]);
	close(rep[1]);
	close(rel[0]);
	close(go[1]);		/* go */

	for (i = 0; i < RACERS; i++)
		ck_assert_int_eq(read_full(rep[0], &reports[i],
		    sizeof(reports[i])), 0);
	close(rel[1]);		/* the winner may go */
	close(rep[0]);
	for (i = 0; i < RACERS; i++)
		ck_assert_int_eq(exit_status(pids[i]), 0);

	for (i = 0; i < RACERS; i++) {
		if (reports[i].won) {
			wins++;
			winner = reports[i].self;
		}
	}
	ck_assert_int_eq(wins, 1);
	for (i = 0; i < RACERS; i++) {
		if (reports[i].won)
			continue;
		ck_assert_int_eq(reports[i].err, EEXIST);
		ck_assert_int_eq(reports[i].other, winner);
		for (j = 0; j < RACERS; j++)
			if (pids[j] == reports[i].self)
				break;
		ck_assert_int_lt(j, RACERS);
	}
	/* The winner removed its file on the way out. */
	ck_assert_int_eq(access(pidpath, F_OK), -1);
}
END_TEST

START_TEST(test_stale_after_kill)
{
	struct pidfh *pfh;
	int rep[2], hold[2], status;
	pid_t pid, got, other = 0;

	ck_assert_int_eq(pipe2(rep, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(hold, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(rep[0]);
		close(hold[1]);
		pfh = pidfile_open(pidpath, 0644, NULL);
		if (pfh == NULL || pidfile_write(pfh) == -1)
			_exit(2);
		got = getpid();
		child_report(rep[1], &got, sizeof(got));
		wait_for_release(hold[0]);
		_exit(0);
	}
	close(rep[1]);
	close(hold[0]);
	ck_assert_int_eq(read_full(rep[0], &got, sizeof(got)), 0);
	close(rep[0]);
	ck_assert_int_eq(got, pid);

	ck_assert_int_eq(pidfile_check(pidpath), pid);
	errno = 0;
	ck_assert_ptr_null(pidfile_open(pidpath, 0644, &other));
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_int_eq(other, pid);

	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(hold[1]);

	/* The dead holder's file is still there, with its pid, unlocked. */
	ck_assert_int_eq(read_pid_file(pidpath), pid);
	ck_assert_int_eq(pidfile_check(pidpath), 0);
	pfh = pidfile_open(pidpath, 0644, &other);
	ck_assert_ptr_nonnull(pfh);
	ck_assert_int_eq(pidfile_write(pfh), 0);
	ck_assert_int_eq(read_pid_file(pidpath), getpid());
	ck_assert_int_eq(pidfile_check(pidpath), getpid());
	ck_assert_int_eq(pidfile_remove(pfh), 0);
}
END_TEST

/*
 * The daemon's way: open before detaching, fork, the original exits, and
 * the child still holds the lock and writes its own pid.
 */
START_TEST(test_lock_survives_fork)
{
	struct pidfh *pfh;
	int rep[2], hold[2];
	pid_t first, second = -1, other = 0;

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	ck_assert_int_eq(pipe2(rep, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(hold, O_CLOEXEC), 0);
	fflush(NULL);
	first = fork();
	ck_assert_int_ge(first, 0);
	if (first == 0) {
		close(rep[0]);
		close(hold[1]);
		if ((pfh = pidfile_open(pidpath, 0644, NULL)) == NULL)
			_exit(2);
		switch (fork()) {
		case -1:
			_exit(3);
		case 0:
			break;
		default:
			_exit(0);
		}
		if (pidfile_write(pfh) == -1)
			_exit(4);
		second = getpid();
		child_report(rep[1], &second, sizeof(second));
		wait_for_release(hold[0]);
		_exit(pidfile_remove(pfh) == 0 ? 0 : 5);
	}
	close(rep[1]);
	close(hold[0]);
	ck_assert_int_eq(exit_status(first), 0);
	ck_assert_int_eq(read_full(rep[0], &second, sizeof(second)), 0);
	close(rep[0]);

	errno = 0;
	ck_assert_ptr_null(pidfile_open(pidpath, 0644, &other));
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_int_eq(other, second);

	close(hold[1]);
	/* Reparented to us as subreaper, so it is ours to reap. */
	ck_assert_int_eq(exit_status(second), 0);
	ck_assert_int_eq(access(pidpath, F_OK), -1);
}
END_TEST

static Suite *
pidfile_suite(void)
{
	Suite *s = suite_create("pidfile");
	TCase *tc;

	tc = tcase_create("single");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_write);
	tcase_add_test(tc, test_default_mode);
	tcase_add_test(tc, test_not_written_yet);
	tcase_add_test(tc, test_stale_pid_truncated);
	tcase_add_test(tc, test_close_keeps_file);
	tcase_add_test(tc, test_failures);
	tcase_add_test(tc, test_remove_replaced);
	tcase_add_test(tc, test_remove_gone);
	suite_add_tcase(s, tc);

	tc = tcase_create("processes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_race);
	tcase_add_test(tc, test_stale_after_kill);
	tcase_add_test(tc, test_lock_survives_fork);
	suite_add_tcase(s, tc);

	return s;
}

CHECK_MAIN(pidfile_suite)
