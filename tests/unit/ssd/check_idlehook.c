/*
 * Tests for ssd.idle: what its first line means, and that a hook which
 * fails, hangs or leaves children behind never stalls the demon.
 */
#include <sys/stat.h>

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "timeutil.h"
#include "ssd.h"
#include "../check_main.h"
#include "../testutil.h"

static const struct {
	const char		*line;
	enum idle_verdict	 want;
	long			 secs;
} parse_table[] = {
	{ "busy\n",		IDLE_SET,	0 },
	{ "busy",		IDLE_SET,	0 },
	{ "  busy  \n",		IDLE_SET,	0 },
	{ "free\n",		IDLE_SET,	SSD_IDLE_FREE },
	{ "idle\n",		IDLE_ADD,	-1 },
	{ "0\n",		IDLE_SET,	0 },
	{ "3600\n",		IDLE_SET,	3600 },
	{ "3600\r\n",		IDLE_SET,	3600 },
	{ "12\nbusy\n",		IDLE_SET,	12 },
	{ "\n",			IDLE_DEFAULT,	-1 },
	{ "",			IDLE_DEFAULT,	-1 },
	{ "-5\n",		IDLE_DEFAULT,	-1 },
	{ "5s\n",		IDLE_DEFAULT,	-1 },
	{ "Busy\n",		IDLE_DEFAULT,	-1 },
	{ "busy now\n",		IDLE_DEFAULT,	-1 },
	{ "99999999999999999999999\n", IDLE_DEFAULT, -1 },
	/* Beyond what the file keeps: the most it keeps, and no overflow
	   when ssd adds the seconds since (IDLE_ADD). */
	{ "4395899027456\n",	IDLE_SET,	4395899027456L },
	{ "4395899027457\n",	IDLE_SET,	4395899027456L },
	{ "9223372036854775799\n", IDLE_SET,	4395899027456L },
	{ "default\n",		IDLE_DEFAULT,	-1 },
};

START_TEST(test_parse)
{
	long secs = -1;

	ck_assert_int_eq(idlehook_parse(parse_table[_i].line, &secs),
	    parse_table[_i].want);
	ck_assert_int_eq(secs, parse_table[_i].secs);
}
END_TEST

static char *dir;

static void
setup(void)
{
	dir = tu_tmpdir();
	tu_log_capture_start();
}

static void
teardown(void)
{
	tu_log_capture_stop();
	tu_rmtree(dir);
	free(dir);
}

static char *
hook(const char *body)
{
	char *p = tu_path(dir, "ssd.idle"), *text;

	ck_assert_int_ge(asprintf(&text, "#!/bin/sh\n%s\n", body), 0);
	tu_write_file(p, text, strlen(text));
	ck_assert_int_eq(chmod(p, 0755), 0);
	free(text);
	return p;
}

static enum idle_verdict
run(const char *body, int limit_ms, long *secs, int64_t *took)
{
	char *p = hook(body);
	int64_t t0 = mono_ms();
	enum idle_verdict v;

	v = idlehook_run(p, "alpha", limit_ms, secs);
	*took = mono_ms() - t0;
	free(p);
	return v;
}

START_TEST(test_run_modes)
{
	long secs = -1;
	int64_t took;

	ck_assert_int_eq(run("echo busy", 5000, &secs, &took), IDLE_SET);
	ck_assert_int_eq(secs, 0);
	ck_assert_int_eq(run("echo free", 5000, &secs, &took), IDLE_SET);
	ck_assert_int_eq(secs, SSD_IDLE_FREE);
	ck_assert_int_eq(run("echo idle", 5000, &secs, &took), IDLE_ADD);
	ck_assert_int_eq(run("echo 777; echo 5", 5000, &secs, &took),
	    IDLE_SET);
	ck_assert_int_eq(secs, 777);
	ck_assert_int_eq(run("echo maybe", 5000, &secs, &took), IDLE_DEFAULT);
}
END_TEST

START_TEST(test_run_gets_host)
{
	long secs = -1;
	int64_t took;

	ck_assert_int_eq(run("[ \"$1\" = alpha ] && [ $# -eq 1 ] && echo 42",
	    5000, &secs, &took), IDLE_SET);
	ck_assert_int_eq(secs, 42);
}
END_TEST

START_TEST(test_run_fails)
{
	long secs = -1;
	int64_t took;

	ck_assert_int_eq(run("exit 3", 5000, &secs, &took), IDLE_DEFAULT);
	ck_assert(tu_log_contains("no output (exit 3)"));
	ck_assert_int_eq(run("kill -9 $$", 5000, &secs, &took), IDLE_DEFAULT);
	ck_assert(tu_log_contains("no output (killed)"));
}
END_TEST

START_TEST(test_run_not_executable)
{
	char *p = tu_path(dir, "missing");
	long secs = -1;

	ck_assert_int_eq(idlehook_run(p, "alpha", 2000, &secs), IDLE_DEFAULT);
	ck_assert(tu_log_contains("exit 127"));
	free(p);
}
END_TEST

START_TEST(test_run_hangs)
{
	long secs = -1;
	int64_t took;

	ck_assert_int_eq(run("exec sleep 60", 300, &secs, &took),
	    IDLE_DEFAULT);
	ck_assert_int_lt(took, 2000);
	ck_assert(tu_log_contains("no answer within 300 ms"));
}
END_TEST

START_TEST(test_run_answers_then_hangs)
{
	long secs = -1;
	int64_t took;

	/* The answer counts; the hang costs the limit at most. */
	ck_assert_int_eq(run("echo busy; exec sleep 60", 300, &secs, &took),
	    IDLE_SET);
	ck_assert_int_eq(secs, 0);
	ck_assert_int_lt(took, 2000);
}
END_TEST

/* pid is gone or a zombie within ms. */
static int
gone_within(pid_t pid, int ms)
{
	int64_t end = mono_ms() + ms;
	char path[64], st[512];
	FILE *f;
	int gone;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	do {
		gone = 0;
		if ((f = fopen(path, "r")) == NULL)
			gone = 1;
		else {
			if (fgets(st, sizeof(st), f) != NULL &&
			    strstr(st, ") Z ") != NULL)
				gone = 1;
			fclose(f);
		}
		if (gone)
			return 1;
		usleep(10000);
	} while (mono_ms() < end);
	return 0;
}

START_TEST(test_run_child_keeps_pipe)
{
	char *mark = tu_path(dir, "pid");
	char body[512];
	long secs = -1;
	int64_t took;
	pid_t orphan;
	size_t len;
	char *text;

	/* A grandchild holds stdout open; it must not outlive the limit. */
	snprintf(body, sizeof(body), "sleep 60 & echo $! >%s; wait", mark);
	ck_assert_int_eq(run(body, 300, &secs, &took), IDLE_DEFAULT);
	ck_assert_int_lt(took, 2000);
	text = tu_read_file(mark, &len);
	orphan = (pid_t)atol(text);
	ck_assert_int_gt(orphan, 0);
	/* Killed with its group; dying takes the kernel a moment. */
	ck_assert_msg(gone_within(orphan, 2000), "the hook's child %ld "
	    "still runs", (long)orphan);
	free(text);
	free(mark);
}
END_TEST

START_TEST(test_run_long_line)
{
	long secs = -1;
	int64_t took;

	ck_assert_int_eq(run("head -c 100000 /dev/zero | tr '\\0' 9", 5000,
	    &secs, &took), IDLE_DEFAULT);
}
END_TEST

static Suite *
idlehook_suite(void)
{
	Suite *s = suite_create("idlehook");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse, 0,
	    sizeof(parse_table) / sizeof(parse_table[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("run");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_run_modes);
	tcase_add_test(tc, test_run_gets_host);
	tcase_add_test(tc, test_run_fails);
	tcase_add_test(tc, test_run_not_executable);
	tcase_add_test(tc, test_run_hangs);
	tcase_add_test(tc, test_run_answers_then_hangs);
	tcase_add_test(tc, test_run_child_keeps_pipe);
	tcase_add_test(tc, test_run_long_line);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(idlehook_suite)
