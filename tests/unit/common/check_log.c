/*
 * Tests for log: destinations, errno, the hooks, escaping, rate limiting.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "../check_main.h"
#include "../testutil.h"

static char *tmpdir;
static int saved_stderr = -1;
static char *stderr_path;

static void	setup_log(void);

static void
setup(void)
{
	tmpdir = tu_tmpdir();
	setup_log();
}

static void
teardown(void)
{
	log_init(1, 0);
	log_set_hook(NULL, NULL);
	tu_rmtree(tmpdir);
	free(tmpdir);
	tmpdir = NULL;
}

/* Send fd 2 into a file until stderr_stop(), which returns its text. */
static void
stderr_start(void)
{
	int fd;

	stderr_path = tu_path(tmpdir, "stderr");
	fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_stderr, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

static char *
stderr_stop(void)
{
	char *text;

	ck_assert_int_eq(dup2(saved_stderr, STDERR_FILENO), STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
	text = tu_read_file(stderr_path, NULL);
	free(stderr_path);
	stderr_path = NULL;
	return text;
}

static int last_pri = -1;
static int hook_calls;

/* Global log state, as a fresh process has it, for CK_FORK=no runs. */
static void
setup_log(void)
{
	log_procname("tlog");
	log_init(1, 0);
	log_setverbose(0);
	log_set_hook(NULL, NULL);
	log_set_fatal_hook(NULL);
	last_pri = -1;
	hook_calls = 0;
}

static void
pri_hook(int pri, const char *msg, void *arg)
{
	(void)msg;
	ck_assert_ptr_eq(arg, &last_pri);
	last_pri = pri;
	hook_calls++;
}

START_TEST(test_stderr_format)
{
	char *text;

	stderr_start();
	log_info("hello %d", 5);
	log_warnx("second");
	text = stderr_stop();
	ck_assert_str_eq(text, "tlog: hello 5\ntlog: second\n");
	free(text);
	ck_assert_int_eq(log_destination(), LOG_TO_STDERR);
}
END_TEST

START_TEST(test_warn_strerror)
{
	tu_log_capture_start();
	errno = ENOENT;
	log_warn("open %s", "x");
	ck_assert_int_eq(errno, ENOENT);
	errno = EACCES;
	log_warnx("no errno %s", "here");
	ck_assert_int_eq(errno, EACCES);
	tu_log_capture_stop();
	ck_assert_str_eq(tu_log_text(),
	    "open x: No such file or directory\nno errno here\n");
}
END_TEST

START_TEST(test_errno_preserved)
{
	char buf[16], *path = tu_path(tmpdir, "log");
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(10, 1);
	unsigned long sup;

	errno = EXDEV;
	log_init(1, 0);
	log_procname("x");
	log_setverbose(1);
	log_info("a");
	log_debug("b");
	logit(LOG_NOTICE, "c");
	log_warn("d");
	log_warnx("e");
	ck_assert_int_eq(log_open_file(path), 0);
	ck_assert_int_eq(errno, EXDEV);
	log_info("to file");
	ck_assert_int_eq(log_reopen(), 0);
	log_escape("\n", 1, buf, sizeof(buf));
	log_ratelimit(&rl, &sup);
	log_ratelimit(&rl, &sup);
	log_init(0, LOG_LOCAL0);
	log_info("to syslog");
	ck_assert_int_eq(errno, EXDEV);
	free(path);
}
END_TEST

START_TEST(test_debug_verbosity)
{
	log_set_hook(pri_hook, &last_pri);
	log_debug("hidden");
	logit(LOG_DEBUG, "hidden too");
	ck_assert_int_eq(hook_calls, 0);
	log_setverbose(1);
	ck_assert_int_eq(log_getverbose(), 1);
	log_debug("shown");
	ck_assert_int_eq(hook_calls, 1);
	ck_assert_int_eq(last_pri, LOG_DEBUG);
	log_info("i");
	ck_assert_int_eq(last_pri, LOG_INFO);
	log_warnx("w");
	ck_assert_int_eq(last_pri, LOG_ERR);
	logit(LOG_NOTICE, "n");
	ck_assert_int_eq(last_pri, LOG_NOTICE);
	ck_assert_int_eq(hook_calls, 4);
}
END_TEST

START_TEST(test_no_format_injection)
{
	char *text;

	stderr_start();
	tu_log_capture_start();
	errno = EPERM;
	log_info("%s", "%n%s%x%%");
	log_warn("%s", "100%s");
	tu_log_capture_stop();
	text = stderr_stop();
	ck_assert_str_eq(tu_log_text(),
	    "%n%s%x%%\n100%s: Operation not permitted\n");
	ck_assert_str_eq(text,
	    "tlog: %n%s%x%%\ntlog: 100%s: Operation not permitted\n");
	free(text);
}
END_TEST

START_TEST(test_long_line_cut)
{
	char big[5000], *text;
	size_t len;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	stderr_start();
	tu_log_capture_start();
	log_info("%s", big);
	tu_log_capture_stop();
	text = stderr_stop();
	len = strlen(tu_log_text());
	ck_assert_uint_gt(len, 1000);
	ck_assert_uint_lt(len, sizeof(big));
	len = strlen(text);
	/* Still one line, newline and all. */
	ck_assert_ptr_eq(strchr(text, '\n'), text + len - 1);
	free(text);
}
END_TEST

static void
recursive_hook(int pri, const char *msg, void *arg)
{
	(void)pri; (void)msg; (void)arg;
	hook_calls++;
	log_info("from the hook");
}

START_TEST(test_hook_no_recursion)
{
	char *text;

	stderr_start();
	log_set_hook(recursive_hook, NULL);
	log_info("outer");
	text = stderr_stop();
	ck_assert_int_eq(hook_calls, 1);
	ck_assert_str_eq(text, "tlog: outer\ntlog: from the hook\n");
	free(text);
}
END_TEST

/* The fd of the log file, found through /proc since log.c hides it. */
static int
find_fd_of(const char *path)
{
	char link[64], target[PATH_MAX];
	ssize_t n;
	int fd;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, path) == 0)
			return fd;
	}
	return -1;
}

START_TEST(test_file_lines)
{
	char *path = tu_path(tmpdir, "hm.log"), *text, *real, want[64];
	struct stat st;
	regex_t re;
	mode_t old;
	int fd;

	old = umask(022);
	ck_assert_int_eq(log_open_file(path), 0);
	umask(old);
	ck_assert_int_eq(log_destination(), LOG_TO_FILE);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);

	real = realpath(path, NULL);
	ck_assert_ptr_nonnull(real);
	fd = find_fd_of(real);
	free(real);
	ck_assert_int_gt(fd, STDERR_FILENO);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);

	log_info("first %s", "line");
	errno = EBADF;
	log_warn("second");
	text = tu_read_file(path, NULL);
	snprintf(want, sizeof(want), " tlog\\[%ld\\]: ", (long)getpid());
	ck_assert_ptr_nonnull(strstr(text, "]: first line\n"));
	ck_assert_ptr_nonnull(strstr(text, "]: second: Bad file descriptor\n"));
	ck_assert_int_eq(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2} "
	    "[0-9]{2}:[0-9]{2}:[0-9]{2} tlog\\[[0-9]+\\]: first line\n"
	    "[0-9-]{10} [0-9:]{8} tlog\\[[0-9]+\\]: second", REG_EXTENDED), 0);
	ck_assert_int_eq(regexec(&re, text, 0, NULL, 0), 0);
	regfree(&re);
	ck_assert_int_eq(regcomp(&re, want, REG_EXTENDED), 0);
	ck_assert_int_eq(regexec(&re, text, 0, NULL, 0), 0);
	regfree(&re);
	free(text);

	/* Appended, not truncated, when opened again. */
	ck_assert_int_eq(log_open_file(path), 0);
	log_info("third");
	text = tu_read_file(path, NULL);
	ck_assert_ptr_nonnull(strstr(text, "first line"));
	ck_assert_ptr_nonnull(strstr(text, "third"));
	free(text);

	/* log_init closes the file again. */
	log_init(1, 0);
	ck_assert_int_eq(log_destination(), LOG_TO_STDERR);
	ck_assert_int_eq(log_reopen(), 0);
	stderr_start();
	log_info("not in the file");
	free(stderr_stop());
	text = tu_read_file(path, NULL);
	ck_assert_ptr_null(strstr(text, "not in the file"));
	free(text);
	free(path);
}
END_TEST

START_TEST(test_file_reopen_after_rename)
{
	char *path = tu_path(tmpdir, "hm.log");
	char *moved = tu_path(tmpdir, "hm.log.1");
	char *text;

	ck_assert_int_eq(log_open_file(path), 0);
	log_info("before rotation");
	ck_assert_int_eq(rename(path, moved), 0);
	log_info("still the old file");
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(log_reopen(), 0);
	log_info("after rotation");

	text = tu_read_file(path, NULL);
	ck_assert_ptr_nonnull(strstr(text, "after rotation"));
	ck_assert_ptr_null(strstr(text, "before rotation"));
	ck_assert_ptr_null(strstr(text, "still the old file"));
	free(text);
	text = tu_read_file(moved, NULL);
	ck_assert_ptr_nonnull(strstr(text, "before rotation"));
	ck_assert_ptr_nonnull(strstr(text, "still the old file"));
	ck_assert_ptr_null(strstr(text, "after rotation"));
	free(text);
	free(path);
	free(moved);
}
END_TEST

START_TEST(test_file_reopen_fails)
{
	char *path = tu_path(tmpdir, "hm.log");
	char *moved = tu_path(tmpdir, "hm.log.1");
	char *text;

	ck_assert_int_eq(log_open_file(path), 0);
	ck_assert_int_eq(rename(path, moved), 0);
	/* Something that cannot be opened for writing takes the name. */
	ck_assert_int_eq(mkdir(path, 0700), 0);
	errno = 0;
	ck_assert_int_eq(log_reopen(), -1);
	ck_assert_int_eq(errno, EISDIR);
	ck_assert_int_eq(log_destination(), LOG_TO_FILE);
	log_info("kept writing");
	text = tu_read_file(moved, NULL);
	ck_assert_ptr_nonnull(strstr(text, "kept writing"));
	free(text);
	free(path);
	free(moved);
}
END_TEST

START_TEST(test_file_open_fails)
{
	char *path = tu_path(tmpdir, "no/such/dir/log");

	errno = 0;
	ck_assert_int_eq(log_open_file(path), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(log_destination(), LOG_TO_STDERR);
	errno = 0;
	ck_assert_int_eq(log_open_file(""), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(log_reopen(), 0);	/* no file, nothing to do */
	free(path);
}
END_TEST

START_TEST(test_syslog_destination)
{
	log_set_hook(pri_hook, &last_pri);
	log_init(0, LOG_LOCAL3);
	ck_assert_int_eq(log_destination(), LOG_TO_SYSLOG);
	log_info("to syslog");
	ck_assert_int_eq(hook_calls, 1);
	ck_assert_int_eq(last_pri, LOG_INFO);
	log_init(1, 0);
	ck_assert_int_eq(log_destination(), LOG_TO_STDERR);
}
END_TEST

START_TEST(test_procname)
{
	char *text;

	log_procname(NULL);
	ck_assert_str_eq(log_getprocname(), program_invocation_short_name);
	log_procname("statd-test");
	ck_assert_str_eq(log_getprocname(), "statd-test");
	stderr_start();
	log_info("x");
	text = stderr_stop();
	ck_assert_str_eq(text, "statd-test: x\n");
	free(text);
}
END_TEST

/* log_escape of len bytes of in into a bufsz buffer. */
static const char *
esc(const char *in, size_t len, size_t bufsz)
{
	static char buf[1024];

	ck_assert_uint_le(bufsz, sizeof(buf));
	memset(buf, 'Z', sizeof(buf));
	ck_assert_ptr_eq(log_escape(in, len, buf, bufsz), buf);
	/* Nothing written beyond bufsz. */
	if (bufsz < sizeof(buf))
		ck_assert_int_eq(buf[bufsz], 'Z');
	return buf;
}

START_TEST(test_escape)
{
	char big[300];

	ck_assert_str_eq(esc("plain name-1.example", 20, 64),
	    "plain name-1.example");
	ck_assert_str_eq(esc("a\\b", 3, 64), "a\\\\b");
	ck_assert_str_eq(esc("\n\t\r\x1b[0m", 7, 64),
	    "\\x0a\\x09\\x0d\\x1b[0m");
	ck_assert_str_eq(esc("\x7f\x80\xff", 3, 64), "\\x7f\\x80\\xff");
	/* An embedded NUL is shown, and the text after it kept. */
	ck_assert_str_eq(esc("a\0b", 3, 64), "a\\x00b");
	ck_assert_str_eq(esc("", 0, 64), "");
	ck_assert_str_eq(esc(NULL, 5, 64), "");
	ck_assert_str_eq(esc("%s%n", 4, 64), "%s%n");

	/* Long input is cut and says so. */
	memset(big, 'a', sizeof(big));
	esc(big, sizeof(big), LOG_ESCAPE_MAX);
	ck_assert_uint_eq(strlen(esc(big, sizeof(big), LOG_ESCAPE_MAX)),
	    LOG_ESCAPE_MAX - 1);
	ck_assert_str_eq(esc(big, sizeof(big), LOG_ESCAPE_MAX) +
	    LOG_ESCAPE_MAX - 5, "a...");
	/* Exactly fitting input is not cut. */
	ck_assert_uint_eq(strlen(esc(big, 255, 256)), 255);
	ck_assert_ptr_null(strstr(esc(big, 255, 256), "..."));
	ck_assert_str_eq(esc(big, 256, 8), "aaaa...");
}
END_TEST

START_TEST(test_escape_cut_whole)
{
	/* Never half an escape before the "...". */
	ck_assert_str_eq(esc("\x01\x01\x01\x01", 4, 12), "\\x01\\x01...");
	ck_assert_str_eq(esc("\x01\x01\x01\x01", 4, 13), "\\x01\\x01...");
	ck_assert_str_eq(esc("\x01\x01\x01\x01", 4, 16), "\\x01\\x01\\x01...");
	ck_assert_str_eq(esc("\x01\x01\x01\x01", 4, 17),
	    "\\x01\\x01\\x01\\x01");
	ck_assert_str_eq(esc("ab\\\\", 4, 7), "ab\\\\\\\\");
	ck_assert_str_eq(esc("ab\\\\", 4, 6), "ab...");
	/* Tiny buffers still end in NUL. */
	ck_assert_str_eq(esc("abcdef", 6, 1), "");
	ck_assert_str_eq(esc("abcdef", 6, 3), "..");
	ck_assert_str_eq(esc("abcdef", 6, 4), "...");
	ck_assert_str_eq(esc("abcdef", 6, 5), "a...");
	esc("abcdef", 6, 0);
	ck_assert_int_eq(esc("abcdef", 6, 0)[0], 'Z');
}
END_TEST

START_TEST(test_ratelimit)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(3600, 3);
	unsigned long sup = 12345;
	int i, allowed = 0;

	for (i = 0; i < 10; i++)
		allowed += log_ratelimit(&rl, &sup);
	ck_assert_int_eq(allowed, 3);
	ck_assert_uint_eq(sup, 0);	/* the allowed ones had nothing */
	ck_assert_uint_eq(rl.suppressed, 7);

	/* The next window: its first line reports what was lost. */
	rl.window_start -= 3600;
	ck_assert_int_eq(log_ratelimit(&rl, &sup), 1);
	ck_assert_uint_eq(sup, 7);
	ck_assert_int_eq(log_ratelimit(&rl, &sup), 1);
	ck_assert_uint_eq(sup, 0);
	ck_assert_int_eq(log_ratelimit(&rl, NULL), 1);
	ck_assert_int_eq(log_ratelimit(&rl, NULL), 0);
	ck_assert_int_eq(log_ratelimit(&rl, &sup), 0);
	ck_assert_uint_eq(sup, 0);	/* left alone on 0 */

	/* One second short of the interval is still the old window. */
	rl.window_start -= 3599;
	ck_assert_int_eq(log_ratelimit(&rl, &sup), 0);
	rl.window_start -= 1;
	ck_assert_int_eq(log_ratelimit(&rl, &sup), 1);
	ck_assert_uint_eq(sup, 3);
}
END_TEST

START_TEST(test_ratelimit_unlimited)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(0, 0);
	unsigned long sup = 1;
	int i;

	for (i = 0; i < 100; i++)
		ck_assert_int_eq(log_ratelimit(&rl, &sup), 1);
	ck_assert_uint_eq(sup, 0);
}
END_TEST

static const char *fatal_want;

/* The exit tests never reach a teardown, so they make no folder. */
static void
quiet_stderr(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

static void
checking_fatal_hook(const char *msg)
{
	/* An exit status other than 1 tells the test the message was wrong. */
	if (strcmp(msg, fatal_want) != 0)
		_exit(3);
}

START_TEST(test_fatalx_exit)
{
	fatal_want = "giving up on 7";
	quiet_stderr();
	log_set_fatal_hook(checking_fatal_hook);
	fatalx("giving up on %d", 7);
}
END_TEST

START_TEST(test_fatal_exit)
{
	fatal_want = "open /x: Permission denied";
	quiet_stderr();
	log_set_fatal_hook(checking_fatal_hook);
	errno = EACCES;
	fatal("open %s", "/x");
}
END_TEST

static int fatal_pipe = -1;

static void
pipe_fatal_hook(const char *msg)
{
	if (write(fatal_pipe, msg, strlen(msg)) < 0)
		_exit(4);
}

/*
 * Forks by hand as well, so the message the hook saw and the exit status
 * are both checked, and the test also runs with CK_FORK=no.
 */
START_TEST(test_fatal_hook_message)
{
	char buf[256];
	ssize_t n;
	size_t len = 0;
	int p[2], status, serr;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		fatal_pipe = p[1];
		/* Keep the child's stderr line out of the test output. */
		serr = open("/dev/null", O_WRONLY);
		if (serr == -1 || dup2(serr, STDERR_FILENO) == -1)
			_exit(5);
		log_set_fatal_hook(pipe_fatal_hook);
		errno = ENOSPC;
		fatal("write %s", "state");
	}
	close(p[1]);
	while ((n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	buf[len] = '\0';
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	ck_assert_str_eq(buf, "write state: No space left on device");
}
END_TEST

static Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	const char *ckfork = getenv("CK_FORK");
	TCase *tc;

	tc = tcase_create("lines");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_stderr_format);
	tcase_add_test(tc, test_warn_strerror);
	tcase_add_test(tc, test_errno_preserved);
	tcase_add_test(tc, test_debug_verbosity);
	tcase_add_test(tc, test_no_format_injection);
	tcase_add_test(tc, test_long_line_cut);
	tcase_add_test(tc, test_hook_no_recursion);
	tcase_add_test(tc, test_syslog_destination);
	tcase_add_test(tc, test_procname);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_file_lines);
	tcase_add_test(tc, test_file_reopen_after_rename);
	tcase_add_test(tc, test_file_reopen_fails);
	tcase_add_test(tc, test_file_open_fails);
	suite_add_tcase(s, tc);

	tc = tcase_create("escape");
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_escape_cut_whole);
	suite_add_tcase(s, tc);

	tc = tcase_create("ratelimit");
	tcase_add_test(tc, test_ratelimit);
	tcase_add_test(tc, test_ratelimit_unlimited);
	suite_add_tcase(s, tc);

	tc = tcase_create("fatal");
	tcase_add_checked_fixture(tc, setup_log, NULL);
	tcase_set_timeout(tc, 10);
	/* Exit tests need Check's own fork; without it they would end us. */
	if (ckfork == NULL || strcmp(ckfork, "no") != 0) {
		tcase_add_exit_test(tc, test_fatalx_exit, 1);
		tcase_add_exit_test(tc, test_fatal_exit, 1);
	}
	tcase_add_test(tc, test_fatal_hook_message);
	suite_add_tcase(s, tc);

	return s;
}

CHECK_MAIN(log_suite)
