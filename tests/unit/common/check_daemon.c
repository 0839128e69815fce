/*
 * Tests for daemon: the readiness pipe seen from outside, as an init
 * script sees it.
 *
 * The test forks a launcher, whose stderr is a pipe the test reads; the
 * launcher calls daemon_detach(), and its detached child plays one
 * scenario.  The test is a child subreaper, so the detached child becomes
 * its own child when the launcher exits and is reaped by pid.  Every helper
 * blocks on pipes from the test only, so it ends if the test dies.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "fdio.h"
#include "log.h"
#include "../check_main.h"
#include "../testutil.h"

enum scenario {
	SC_READY,		/* says ready, then serves until released */
	SC_FATALX,		/* fatalx() before ready */
	SC_FATAL_ERRNO,		/* fatal() with errno before ready */
	SC_FATAL_R,		/* a message that starts like the marker */
	SC_KILLED,		/* killed by the test before ready */
	SC_EXIT,		/* exits quietly before ready */
	SC_LOGFILE,		/* fatalx() with a log file open */
	SC_RELEASE_READY,	/* releases; a child of it says ready */
	SC_RELEASE_DIES,	/* releases; a child of it dies unready */
};

/* What the detached child tells the test about itself. */
struct child_info {
	pid_t	pid;
	pid_t	sid;
	pid_t	ppid;
	int	cwd_root;
	int	dest;
	int	waiting_before;
	int	waiting_after;
	int	stdio_null;	/* bit n: fd n is /dev/null after ready */
	int	stdio_null_before;
};

struct run {
	pid_t	launcher;
	pid_t	child;		/* detached child, 0 if it never reported */
	int	status;		/* the launcher's */
	char	err[2048];	/* the launcher's stderr */
	struct child_info info;
	pid_t	grandchild;	/* the SC_RELEASE_* ones' */
	struct child_info info2;
	int	hold;		/* closing it releases the child */
};

static char *tmpdir;
static char *logpath;
static int rep_fd = -1;

static void
setup(void)
{
	/* Orphans of a launcher become ours to reap, by pid. */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	tmpdir = tu_tmpdir();
	logpath = tu_path(tmpdir, "d.log");
}

static void
teardown(void)
{
	tu_rmtree(tmpdir);
	free(tmpdir);
	free(logpath);
	tmpdir = logpath = NULL;
}

static void	release_and_fork(enum scenario, int, struct child_info *)
		    __attribute__((noreturn));

static void
report(const struct child_info *ci)
{
	if (write(rep_fd, ci, sizeof(*ci)) != (ssize_t)sizeof(*ci))
		_exit(90);
}

static void
wait_for_release(int fd)
{
	char c;

	while (read(fd, &c, 1) == -1 && errno == EINTR)
		;
}

static int
stdio_null_mask(void)
{
	struct stat null, st;
	int fd, mask = 0;

	if (stat("/dev/null", &null) == -1)
		return -1;
	for (fd = 0; fd <= 2; fd++)
		if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
		    st.st_rdev == null.st_rdev)
			mask |= 1 << fd;
	return mask;
}

/*
 * The privsep shape: the detached child forks the process that will
 * serve, lets go of the pipe, and reports first; the grandchild starts
 * only once the release is done.
 */
static void
release_and_fork(enum scenario sc, int hold, struct child_info *ci)
{
	int sync[2];
	pid_t pid;

	if (pipe2(sync, O_CLOEXEC) == -1 || (pid = fork()) == -1)
		_exit(95);
	if (pid == 0) {
		close(sync[1]);
		wait_for_release(sync[0]);
		ci->pid = getpid();
		ci->ppid = getppid();
		ci->waiting_before = daemon_waiting();
		if (sc == SC_RELEASE_READY)
			daemon_ready();
		ci->waiting_after = daemon_waiting();
		ci->stdio_null = stdio_null_mask();
		report(ci);
		if (sc == SC_RELEASE_READY)
			wait_for_release(hold);
		_exit(0);
	}
	close(sync[0]);
	daemon_release();
	ci->waiting_after = daemon_waiting();
	ci->stdio_null = stdio_null_mask();
	report(ci);
	close(sync[1]);
	wait_for_release(hold);
	_exit(0);
}

/* The detached child: never returns. */
static void
play(enum scenario sc, int hold)
{
	struct child_info ci;
	char cwd[PATH_MAX];

	memset(&ci, 0, sizeof(ci));
	ci.pid = getpid();
	ci.sid = getsid(0);
	ci.ppid = getppid();
	ci.cwd_root = getcwd(cwd, sizeof(cwd)) != NULL &&
	    strcmp(cwd, "/") == 0;
	ci.dest = log_destination();
	ci.waiting_before = daemon_waiting();
	ci.stdio_null_before = stdio_null_mask();

	switch (sc) {
	case SC_READY:
		daemon_ready();
		ci.waiting_after = daemon_waiting();
		ci.stdio_null = stdio_null_mask();
		daemon_ready();		/* a second time is harmless */
		report(&ci);
		wait_for_release(hold);
		_exit(0);
	case SC_FATALX:
		report(&ci);
		fatalx("config %s is broken", "/etc/x.conf");
	case SC_FATAL_ERRNO:
		report(&ci);
		errno = EADDRINUSE;
		fatal("bind port %d", 111);
	case SC_FATAL_R:
		report(&ci);
		fatalx("R");
	case SC_KILLED:
		report(&ci);
		wait_for_release(hold);
		_exit(0);
	case SC_EXIT:
		report(&ci);
		_exit(0);
	case SC_LOGFILE:
		report(&ci);
		fatalx("broken with a log file");
	case SC_RELEASE_READY:
	case SC_RELEASE_DIES:
		release_and_fork(sc, hold, &ci);
	}
	_exit(91);
}

/*
 * Fork the launcher, let its child report, and (unless the scenario
 * wants the child killed first) collect the launcher's exit status and
 * stderr.
 */
static void
launch(enum scenario sc, struct run *r)
{
	int errp[2], rep[2], hold[2];
	size_t len;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(pipe2(errp, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(rep, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(hold, O_CLOEXEC), 0);
	fflush(NULL);
	r->launcher = fork();
	ck_assert_int_ge(r->launcher, 0);
	if (r->launcher == 0) {
		close(errp[0]);
		close(rep[0]);
		close(hold[1]);
		if (dup2(errp[1], STDERR_FILENO) == -1)
			_exit(92);
		close(errp[1]);
		rep_fd = rep[1];
		log_procname("tdaemon");
		log_init(1, 0);
		log_set_hook(NULL, NULL);
		if (sc == SC_LOGFILE && log_open_file(logpath) == -1)
			_exit(93);
		if (daemon_detach() == -1)
			_exit(94);
		play(sc, hold[0]);
	}
	close(errp[1]);
	close(rep[1]);
	close(hold[0]);
	r->hold = hold[1];

	if (read_full(rep[0], &r->info, sizeof(r->info)) == 0)
		r->child = r->info.pid;
	ck_assert_int_gt(r->child, 0);
	if (sc == SC_RELEASE_READY || sc == SC_RELEASE_DIES) {
		ck_assert_int_eq(read_full(rep[0], &r->info2,
		    sizeof(r->info2)), 0);
		r->grandchild = r->info2.pid;
	}
	close(rep[0]);
	if (sc == SC_KILLED)
		ck_assert_int_eq(kill(r->child, SIGKILL), 0);

	len = 0;
	while (len < sizeof(r->err) - 1 && (n = read(errp[0], r->err + len,
	    sizeof(r->err) - 1 - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		ck_assert_int_gt(n, 0);
		len += (size_t)n;
	}
	r->err[len] = '\0';
	close(errp[0]);
	ck_assert_int_eq(waitpid(r->launcher, &r->status, 0), r->launcher);
}

/*
 * Release and reap the detached child, then a grandchild, which is ours
 * only once its parent is gone; returns the child's wait status.
 */
static int
finish(struct run *r)
{
	int status, gstatus;

	close(r->hold);
	ck_assert_int_eq(waitpid(r->child, &status, 0), r->child);
	if (r->grandchild > 0) {
		ck_assert_int_eq(waitpid(r->grandchild, &gstatus, 0),
		    r->grandchild);
		ck_assert(WIFEXITED(gstatus) && WEXITSTATUS(gstatus) == 0);
	}
	return status;
}

static void
assert_launcher_exit(const struct run *r, int code)
{
	ck_assert_msg(WIFEXITED(r->status), "launcher status 0x%x",
	    r->status);
	ck_assert_int_eq(WEXITSTATUS(r->status), code);
}

START_TEST(test_ready)
{
	struct run r;
	int status;

	launch(SC_READY, &r);
	assert_launcher_exit(&r, 0);
	ck_assert_str_eq(r.err, "");

	ck_assert_int_ne(r.child, r.launcher);
	ck_assert_int_eq(r.info.ppid, r.launcher);
	ck_assert_int_eq(r.info.sid, r.child);	/* a session leader */
	ck_assert_int_eq(r.info.cwd_root, 1);
	ck_assert_int_eq(r.info.dest, LOG_TO_SYSLOG);
	ck_assert_int_eq(r.info.waiting_before, 1);
	ck_assert_int_eq(r.info.waiting_after, 0);
	/* stderr was still the terminal's until ready, /dev/null after. */
	ck_assert_int_eq(r.info.stdio_null_before & 4, 0);
	ck_assert_int_eq(r.info.stdio_null, 7);

	/* The daemon lives on after its parent is gone. */
	ck_assert_int_eq(kill(r.child, 0), 0);
	status = finish(&r);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

START_TEST(test_fatalx_before_ready)
{
	struct run r;
	int status;

	launch(SC_FATALX, &r);
	assert_launcher_exit(&r, 1);
	ck_assert_str_eq(r.err, "tdaemon: config /etc/x.conf is broken\n");
	status = finish(&r);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
}
END_TEST

START_TEST(test_fatal_errno_before_ready)
{
	struct run r;
	int status;

	launch(SC_FATAL_ERRNO, &r);
	assert_launcher_exit(&r, 1);
	ck_assert_str_eq(r.err,
	    "tdaemon: bind port 111: Address already in use\n");
	status = finish(&r);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
}
END_TEST

START_TEST(test_message_is_not_marker)
{
	struct run r;

	launch(SC_FATAL_R, &r);
	assert_launcher_exit(&r, 1);
	ck_assert_str_eq(r.err, "tdaemon: R\n");
	finish(&r);
}
END_TEST

START_TEST(test_killed_before_ready)
{
	struct run r;
	int status;

	launch(SC_KILLED, &r);
	assert_launcher_exit(&r, 1);
	ck_assert_str_eq(r.err, "tdaemon: daemon exited before it was ready\n");
	status = finish(&r);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}
END_TEST

START_TEST(test_exit_before_ready)
{
	struct run r;
	int status;

	launch(SC_EXIT, &r);
	assert_launcher_exit(&r, 1);
	ck_assert_str_eq(r.err, "tdaemon: daemon exited before it was ready\n");
	status = finish(&r);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

START_TEST(test_log_file_kept)
{
	struct run r;
	char *text;

	launch(SC_LOGFILE, &r);
	assert_launcher_exit(&r, 1);
	ck_assert_int_eq(r.info.dest, LOG_TO_FILE);
	ck_assert_str_eq(r.err, "tdaemon: broken with a log file\n");
	finish(&r);
	text = tu_read_file(logpath, NULL);
	ck_assert_msg(strstr(text, "]: broken with a log file\n") != NULL,
	    "log file: %s", text);
	free(text);
}
END_TEST

START_TEST(test_release_other_ready)
{
	struct run r;
	int status;

	launch(SC_RELEASE_READY, &r);
	assert_launcher_exit(&r, 0);
	ck_assert_str_eq(r.err, "");
	ck_assert_int_eq(r.info.waiting_before, 1);
	ck_assert_int_eq(r.info.waiting_after, 0);
	ck_assert_int_eq(r.info.stdio_null, 7);
	ck_assert_int_eq(r.info2.ppid, r.child);
	ck_assert_int_eq(r.info2.waiting_before, 1);
	ck_assert_int_eq(r.info2.waiting_after, 0);
	ck_assert_int_eq(r.info2.stdio_null, 7);
	status = finish(&r);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

/*
 * The released process lives on, yet the starter hears the other one die:
 * it waits for nobody who let go.
 */
START_TEST(test_release_other_dies)
{
	struct run r;

	launch(SC_RELEASE_DIES, &r);
	assert_launcher_exit(&r, 1);
	ck_assert_str_eq(r.err, "tdaemon: daemon exited before it was ready\n");
	ck_assert_int_eq(kill(r.child, 0), 0);
	finish(&r);
}
END_TEST

START_TEST(test_not_detached)
{
	struct stat before, after;

	ck_assert_int_eq(daemon_waiting(), 0);
	ck_assert_int_eq(fstat(STDERR_FILENO, &before), 0);
	errno = ENOTTY;
	daemon_ready();
	daemon_release();
	ck_assert_int_eq(errno, ENOTTY);
	ck_assert_int_eq(fstat(STDERR_FILENO, &after), 0);
	/* A foreground daemon keeps its terminal. */
	ck_assert_uint_eq(before.st_ino, after.st_ino);
	ck_assert_uint_eq(before.st_dev, after.st_dev);
	ck_assert_int_eq(daemon_waiting(), 0);
}
END_TEST

static Suite *
daemon_suite(void)
{
	Suite *s = suite_create("daemon");
	TCase *tc;

	tc = tcase_create("detach");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_ready);
	tcase_add_test(tc, test_fatalx_before_ready);
	tcase_add_test(tc, test_fatal_errno_before_ready);
	tcase_add_test(tc, test_message_is_not_marker);
	tcase_add_test(tc, test_killed_before_ready);
	tcase_add_test(tc, test_exit_before_ready);
	tcase_add_test(tc, test_log_file_kept);
	tcase_add_test(tc, test_release_other_ready);
	tcase_add_test(tc, test_release_other_dies);
	suite_add_tcase(s, tc);

	tc = tcase_create("foreground");
	tcase_add_test(tc, test_not_detached);
	suite_add_tcase(s, tc);

	return s;
}

CHECK_MAIN(daemon_suite)
