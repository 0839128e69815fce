/*
 * -H, the high-availability callout (src/statd/callout.c): what is
 * refused as a program, the arguments and order of the events, one run at
 * a time, and that the program gets none of the daemon's descriptors.
 */
#include <sys/stat.h>
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../check_main.h"
#include "log.h"
#include "../../../src/statd/statd.h"
#include "../testutil.h"

static char *dir;

static void
setup(void)
{
	log_init(1, 0);
	log_setverbose(0);
	dir = tu_tmpdir();
}

static void
teardown(void)
{
	callout_free();
	tu_rmtree(dir);
	free(dir);
}

static char *
script(const char *name, const char *body, mode_t mode)
{
	char *p = tu_path(dir, name);

	tu_write_file(p, body, strlen(body));
	ck_assert_int_eq(chmod(p, mode), 0);
	return p;
}

/* Reap until nothing waits or runs; at most 10 s. */
static void
drain(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 1000 && callout_pending() > 0; i++) {
		nanosleep(&ts, NULL);
		callout_reap();
	}
	ck_assert_uint_eq(callout_pending(), 0);
}

START_TEST(test_refused)
{
	char *p;

	tu_log_capture_start();
	ck_assert_int_eq(callout_set("relative/prog"), -1);
	ck_assert(tu_log_contains("absolute path"));
	p = tu_path(dir, "missing");
	ck_assert_int_eq(callout_set(p), -1);
	free(p);
	p = script("noexec", "#!/bin/sh\n", 0644);
	ck_assert_int_eq(callout_set(p), -1);
	ck_assert(tu_log_contains("not an executable file"));
	free(p);
	ck_assert_int_eq(callout_set(dir), -1);
	tu_log_capture_stop();
	/* Without a program, events are dropped silently. */
	callout_queue("add-client", "c1", "nfs1", -1);
	ck_assert_uint_eq(callout_pending(), 0);
}
END_TEST

START_TEST(test_events_in_order)
{
	char body[1024], *out = tu_path(dir, "out"), *p, *got;
	size_t len;
	int leak;

	/* A descriptor the daemon holds open without close-on-exec. */
	leak = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(leak, 3);
	/* Slow enough that the three would overlap if run at once. */
	snprintf(body, sizeof(body), "#!/bin/sh\n"
	    "[ -e /proc/$$/fd/%d ] && echo leaked >>'%s'\n"
	    "echo \"start $*\" >>'%s'\nsleep 0.1\necho \"end $1\" >>'%s'\n",
	    leak, out, out, out);
	p = script("prog", body, 0755);
	ck_assert_int_eq(callout_set(p), 0);
	callout_queue("add-client", "c1", "nfs1", -1);
	callout_queue("del-client", "c1", "nfs1", -1);
	callout_queue("sm-notify", "c1", "198.18.0.5", 7);
	ck_assert_uint_eq(callout_pending(), 3);
	drain();
	close(leak);
	got = tu_read_file(out, &len);
	ck_assert_str_eq(got,
	    "start add-client c1 nfs1\nend add-client\n"
	    "start del-client c1 nfs1\nend del-client\n"
	    "start sm-notify c1 198.18.0.5 7\nend sm-notify\n");
	free(got);
	free(out);
	free(p);
}
END_TEST

START_TEST(test_failure_logged)
{
	char *p = script("fails", "#!/bin/sh\nexit 3\n", 0755);

	ck_assert_int_eq(callout_set(p), 0);
	tu_log_capture_start();
	callout_queue("add-client", "c1", "nfs1", -1);
	drain();
	tu_log_capture_stop();
	ck_assert(tu_log_contains("exited 3"));
	free(p);
}
END_TEST

static Suite *
callout_suite(void)
{
	Suite *s = suite_create("callout");
	TCase *tc = tcase_create("callout");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_events_in_order);
	tcase_add_test(tc, test_failure_logged);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(callout_suite)
