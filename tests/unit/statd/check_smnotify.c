/*
 * sm-notify's command line (src/statd/smnotify.c, smn_parse): nfs-utils'
 * options with their meaning, the defaults, and every bad value refused
 * with a reason; the "ran since boot" mark and an empty folder (smn_run).
 */
#include <sys/stat.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check_main.h"
#include "log.h"
#include "../../../src/statd/statd.h"
#include "../../../src/statd/smnotify.h"
#include "../testutil.h"

#define ARGV(...) \
	(char *[]){ "sm-notify", __VA_ARGS__, NULL }
#define ARGC(a)	((int)(sizeof(a) / sizeof((a)[0])) - 1)

static char err[256];

static int
parse(int argc, char **argv, struct smn_conf *c)
{
	err[0] = '\0';
	return smn_parse(argc, argv, c, err, sizeof(err));
}

START_TEST(defaults)
{
	struct smn_conf c;
	char *argv[] = { "sm-notify", NULL };

	ck_assert_int_eq(parse(1, argv, &c), 0);
	ck_assert_ptr_null(c.dir);
	ck_assert_ptr_null(c.srcname);
	ck_assert_int_eq(c.minutes, 15);
	ck_assert_int_eq(c.port, 0);
	ck_assert_int_eq(c.force + c.debug + c.no_update, 0);
	ck_assert_str_eq(c.pidfile, "/run/sm-notify.pid");
}
END_TEST

START_TEST(every_option)
{
	struct smn_conf c;
	char **argv = ARGV("-d", "-f", "-n", "-m", "0", "-P", "/srv/nfs",
	    "-p", "871", "-v", "198.18.0.9", "--pid-file", "/tmp/x.pid");

	ck_assert_int_eq(parse(ARGC(ARGV("-d", "-f", "-n", "-m", "0", "-P",
	    "/srv/nfs", "-p", "871", "-v", "198.18.0.9", "--pid-file",
	    "/tmp/x.pid")), argv, &c), 0);
	ck_assert_int_eq(c.debug, 1);
	ck_assert_int_eq(c.force, 1);
	ck_assert_int_eq(c.no_update, 1);
	ck_assert_int_eq(c.minutes, 0);
	ck_assert_str_eq(c.dir, "/srv/nfs");
	ck_assert_int_eq(c.port, 871);
	ck_assert_str_eq(c.srcname, "198.18.0.9");
	ck_assert_str_eq(c.pidfile, "/tmp/x.pid");
}
END_TEST

START_TEST(empty_pidfile_means_none)
{
	struct smn_conf c;
	char *argv[] = { "sm-notify", "--pid-file", "", NULL };

	ck_assert_int_eq(parse(3, argv, &c), 0);
	ck_assert_ptr_null(c.pidfile);
}
END_TEST

START_TEST(help)
{
	struct smn_conf c;
	char *argv[] = { "sm-notify", "--help", NULL };

	ck_assert_int_eq(parse(2, argv, &c), 1);
}
END_TEST

static const struct {
	const char	*a, *b;
	const char	*says;
} bad[] = {
	{ "-m", "x", "-m x: minutes" },
	{ "-m", "-1", "-m -1: minutes" },
	{ "-m", "+5", "-m +5: minutes" },
	{ "-m", "10081", "-m 10081: minutes" },
	{ "-m", "99999999999999999999", "minutes" },
	{ "-m", "", "minutes" },
	{ "-p", "0", "-p 0: the source port" },
	{ "-p", "65536", "-p 65536" },
	{ "-p", "80x", "-p 80x" },
	{ "-v", "a/b", "-v a/b: not a host name" },
	{ "-v", ".x", "not a host name" },
	{ "-v", "a b", "not a host name" },
	{ "-v", "", "not a host name" },
	{ "-P", "", "-P: a folder name" },
	{ "-Z", NULL, "unknown option -Z" },
	{ "--bogus", NULL, "unknown option --bogus" },
	{ "stray", NULL, "unexpected argument stray" },
	{ "-m", NULL, "needs an argument" },
};

START_TEST(refused)
{
	struct smn_conf c;
	char *argv[4] = { "sm-notify", (char *)(uintptr_t)bad[_i].a,
	    (char *)(uintptr_t)bad[_i].b, NULL };

	ck_assert_int_eq(parse(bad[_i].b != NULL ? 3 : 2, argv, &c), -1);
	ck_assert_msg(strstr(err, bad[_i].says) != NULL,
	    "%s %s: said \"%s\", expected \"%s\"", bad[_i].a,
	    bad[_i].b ? bad[_i].b : "", err, bad[_i].says);
}
END_TEST

START_TEST(long_name_refused)
{
	struct smn_conf c;
	char *name = malloc(SM_MAXSTRLEN + 2);
	char *argv[] = { "sm-notify", "-v", name, NULL };

	memset(name, 'a', SM_MAXSTRLEN + 1);
	name[SM_MAXSTRLEN + 1] = '\0';
	ck_assert_int_eq(parse(3, argv, &c), -1);
	name[SM_MAXSTRLEN] = '\0';
	ck_assert_int_eq(parse(3, argv, &c), 0);
	free(name);
}
END_TEST

/* An empty folder: nothing sent, no state written, the mark made; again
 * without -f: "already ran", nothing; with -f it runs. */
START_TEST(empty_folder_and_mark)
{
	struct smn_conf c;
	char *dir = tu_tmpdir();
	char *mark = tu_path(dir, "mark.pid");
	char *sm = tu_path(dir, "sm");
	char *state = tu_path(dir, "state");
	struct stat sb;

	ck_assert_int_eq(mkdir(sm, 0700), 0);
	smn_defaults(&c);
	c.dir = dir;
	c.pidfile = mark;
	ck_assert_int_eq(smn_run(&c), 0);
	ck_assert_int_eq(stat(mark, &sb), 0);
	ck_assert_int_eq(stat(state, &sb), -1);
	ck_assert_int_eq(unlink(mark), 0);
	/* A mark already there: nothing is done, not even sm.bak made. */
	tu_write_file(mark, "1\n", 2);
	tu_rmtree(sm);
	ck_assert_int_eq(mkdir(sm, 0700), 0);
	{
		char *bak = tu_path(dir, "sm.bak");

		(void)rmdir(bak);
		ck_assert_int_eq(smn_run(&c), 0);
		ck_assert_int_eq(stat(bak, &sb), -1);
		c.force = 1;
		ck_assert_int_eq(smn_run(&c), 0);
		ck_assert_int_eq(stat(bak, &sb), 0);
		free(bak);
	}
	tu_rmtree(dir);
	free(dir);
	free(mark);
	free(sm);
	free(state);
}
END_TEST

START_TEST(no_folder_does_nothing)
{
	struct smn_conf c;

	smn_defaults(&c);
	c.pidfile = NULL;
	ck_assert_int_eq(smn_run(&c), 0);
	c.dir = "/nonexistent/folder";
	ck_assert_int_eq(smn_run(&c), 1);
}
END_TEST

static Suite *
smnotify_suite(void)
{
	Suite *s = suite_create("smnotify");
	TCase *tc = tcase_create("parse");

	log_init(1, 0);
	log_setverbose(0);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, every_option);
	tcase_add_test(tc, empty_pidfile_means_none);
	tcase_add_test(tc, help);
	tcase_add_loop_test(tc, refused, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, long_name_refused);
	tcase_add_test(tc, empty_folder_and_mark);
	tcase_add_test(tc, no_folder_does_nothing);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(smnotify_suite)
