/*
 * Tests for sample: /proc parsing from fixture files, CPU percentages,
 * users and idle time from a utmp file and terminal access times.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utmpx.h>

#include "ssd.h"
#include "../check_main.h"
#include "../testutil.h"

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
}

static char *
fixture(const char *name, const char *text)
{
	char *p = tu_path(dir, name);

	tu_write_file(p, text, strlen(text));
	return p;
}

START_TEST(test_uptime)
{
	char *p = fixture("uptime", "1234.56 2000.10\n");
	long up = 0;

	ck_assert_int_eq(sample_uptime(p, &up), 0);
	ck_assert_int_eq(up, 1234);
	free(p);
	p = fixture("bad", "x 1\n");
	ck_assert_int_eq(sample_uptime(p, &up), -1);
	ck_assert_int_eq(errno, EINVAL);
	free(p);
	p = fixture("neg", "-5 1\n");
	ck_assert_int_eq(sample_uptime(p, &up), -1);
	free(p);
	ck_assert_int_eq(sample_uptime("/nonexistent/uptime", &up), -1);
	ck_assert_int_eq(sample_uptime("/proc/uptime", &up), 0);
	ck_assert_int_gt(up, 0);
}
END_TEST

START_TEST(test_load)
{
	char *p = fixture("loadavg", "0.48 0.30 0.10 1/123 4567\n");
	int load = 0;

	ck_assert_int_eq(sample_load(p, &load), 0);
	ck_assert_int_eq(load, 48);
	free(p);
	p = fixture("loadavg2", "12.345 0 0 1/1 1\n");
	ck_assert_int_eq(sample_load(p, &load), 0);
	ck_assert_int_eq(load, 1235);
	free(p);
	p = fixture("loadavg3", "\n");
	ck_assert_int_eq(sample_load(p, &load), -1);
	free(p);
}
END_TEST

START_TEST(test_cpu)
{
	char *p0 = fixture("stat0", "cpu  100 0 50 800 50 0 0 0 0 0\n"
	    "cpu0 1 2 3 4\n");
	char *p1 = fixture("stat1", "cpu  130 10 60 920 70 5 5 0 0 0\n");
	struct cpu_ticks t0, t1;
	int usr, sys;

	ck_assert_int_eq(sample_cpu(p0, &t0), 0);
	ck_assert_int_eq(sample_cpu(p1, &t1), 0);
	/* delta: usr 40, sys 20, total 200 */
	cpu_percent(&t0, &t1, &usr, &sys);
	ck_assert_int_eq(usr, 20);
	ck_assert_int_eq(sys, 10);
	/* Counters that went back (a restore, a bug): nothing. */
	cpu_percent(&t1, &t0, &usr, &sys);
	ck_assert_int_eq(usr, 0);
	ck_assert_int_eq(sys, 0);
	cpu_percent(&t1, &t1, &usr, &sys);
	ck_assert_int_eq(usr, 0);
	free(p0);
	free(p1);
	p0 = fixture("short", "cpu  1 2 3 4\n");
	ck_assert_int_eq(sample_cpu(p0, &t0), 0);
	ck_assert_uint_eq(t0.total, 10);
	free(p0);
	p0 = fixture("bad", "intr 1 2 3\n");
	ck_assert_int_eq(sample_cpu(p0, &t0), -1);
	free(p0);
	p0 = fixture("bad2", "cpu  1 2\n");
	ck_assert_int_eq(sample_cpu(p0, &t0), -1);
	free(p0);
}
END_TEST

static void
add_session(const char *utmp, const char *line, pid_t pid, time_t login)
{
	struct utmpx u;

	memset(&u, 0, sizeof(u));
	u.ut_type = USER_PROCESS;
	u.ut_pid = pid;
	strncpy(u.ut_line, line, sizeof(u.ut_line));
	strncpy(u.ut_id, line + strlen(line) - 1, sizeof(u.ut_id));
	strncpy(u.ut_user, "someone", sizeof(u.ut_user));
	u.ut_tv.tv_sec = (int32_t)login;
	ck_assert_int_eq(utmpxname(utmp), 0);
	setutxent();
	ck_assert_ptr_nonnull(pututxline(&u));
	endutxent();
}

static void
tty(const char *name, time_t atime)
{
	struct timespec ts[2] = { { atime, 0 }, { atime, 0 } };
	char *p = tu_path(dir, name);

	tu_write_file(p, "", 0);
	ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	free(p);
}

START_TEST(test_users_and_idle)
{
	char *utmp = tu_path(dir, "utmp");
	time_t now = 1700000000;
	int users = -1;
	long idle = -2;
	pid_t dead;

	tu_write_file(utmp, "", 0);
	ck_assert_int_eq(sample_users(utmp, dir, now, &users, &idle), 0);
	ck_assert_int_eq(users, 0);
	ck_assert_int_eq(idle, -1);

	tty("tty1", now - 600);
	tty("tty2", now - 45);
	tty("tty3", now - 2 * 86400);
	add_session(utmp, "tty1", getpid(), now - 7200);
	add_session(utmp, "tty2", getpid(), now - 3600);
	/* Logged in 3 days ago, untouched for 2: not active. */
	add_session(utmp, "tty3", getpid(), now - 3 * 86400);
	/* A crashed session: its pid is gone. */
	if ((dead = fork()) == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	add_session(utmp, "tty4", dead, now - 10);
	/* A terminal name that climbs out of the device folder. */
	add_session(utmp, "../x5", getpid(), now - 100);

	ck_assert_int_eq(sample_users(utmp, dir, now, &users, &idle), 0);
	ck_assert_int_eq(users, 3);
	ck_assert_int_eq(idle, 45);
	free(utmp);
}
END_TEST

START_TEST(test_input_idle_absent)
{
	ck_assert_int_eq(sample_input_idle(dir, 1700000000), -1);
}
END_TEST

static Suite *
sample_suite(void)
{
	Suite *s = suite_create("sample");
	TCase *tc;

	tc = tcase_create("proc");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_uptime);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_cpu);
	suite_add_tcase(s, tc);

	tc = tcase_create("users");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_users_and_idle);
	tcase_add_test(tc, test_input_idle_absent);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(sample_suite)
