/*
 * Tests for timeutil: the fmt_elapsed table, boot id parsing, clocks.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include "timeutil.h"
#include "../check_main.h"
#include "../testutil.h"

static const struct {
	int64_t		 secs;
	const char	*want;
} elapsed_table[] = {
	{ 0,		"0.00s" },
	{ 1,		"1.00s" },
	{ 45,		"45.00s" },
	{ 59,		"59.00s" },
	{ 60,		"1m00s" },
	{ 303,		"5m03s" },
	{ 3599,		"59m59s" },
	{ 3600,		"1h00m" },
	{ 11220,	"3h07m" },
	{ 86399,	"23h59m" },
	{ 86400,	"1d00h" },
	{ 190800,	"2d05h" },
	{ 604799,	"6d23h" },
	{ 604800,	"1w00d" },
	{ 1468800,	"2w03d" },
	{ 60479999,	"99w06d" },
	{ 60480000,	"100w00d" },
	{ INT64_MAX,	"15250284452471w03d" },
	{ -45,		"45.00s" },
	{ -303,		"5m03s" },
	{ INT64_MIN,	"15250284452471w03d" },
};

START_TEST(test_elapsed_table)
{
	char buf[32];
	int i = _i;

	ck_assert_str_eq(fmt_elapsed(elapsed_table[i].secs, buf, sizeof(buf)),
	    elapsed_table[i].want);
}
END_TEST

START_TEST(test_elapsed_width)
{
	char buf[32];
	int64_t s;

	/* Every value below 100 weeks fits the 6 columns ss(1) gives it. */
	for (s = 0; s < 100 * 604800; s += s < 100000 ? 1 : 997)
		ck_assert_uint_le(strlen(fmt_elapsed(s, buf, sizeof(buf))), 6);
}
END_TEST

START_TEST(test_elapsed_small_buffer)
{
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	ck_assert_str_eq(fmt_elapsed(303, buf, 4), "5m0");
	ck_assert_int_eq(buf[4], 'X');
	memset(buf, 'X', sizeof(buf));
	fmt_elapsed(303, buf, 0);
	ck_assert_int_eq(buf[0], 'X');
}
END_TEST

START_TEST(test_clocks)
{
	int64_t m1, m2, b, r;

	m1 = mono_ms();
	b = boot_ms();
	r = real_ms();
	m2 = mono_ms();
	ck_assert_int_le(m1, m2);
	ck_assert_int_gt(m1, 0);
	/* Boot time counts suspend too, so it never lags the monotonic. */
	ck_assert_int_ge(b, m1);
	ck_assert_int_le(llabs(r / 1000 - (int64_t)time(NULL)), 2);
}
END_TEST

static char *tmpdir;

static void
setup_tmp(void)
{
	tmpdir = tu_tmpdir();
}

static void
teardown_tmp(void)
{
	tu_rmtree(tmpdir);
	free(tmpdir);
	tmpdir = NULL;
}

/* read_boot_id of a file holding len bytes of content. */
static int
boot_id_of(const char *content, size_t len, char out[37])
{
	char *path = tu_path(tmpdir, "boot_id");
	int rv;

	tu_write_file(path, content, len);
	rv = read_boot_id(path, out);
	free(path);
	return rv;
}

#define GOOD_ID	"6f1c2b0e-3a4d-4e5f-8a9b-0c1d2e3f4a5b"

START_TEST(test_boot_id_good)
{
	char id[37];

	memset(id, 'X', sizeof(id));
	ck_assert_int_eq(boot_id_of(GOOD_ID "\n", 37, id), 0);
	ck_assert_str_eq(id, GOOD_ID);
	ck_assert_int_eq(boot_id_of(GOOD_ID, 36, id), 0);
	ck_assert_str_eq(id, GOOD_ID);
	ck_assert_int_eq(boot_id_of("6F1C2B0E-3A4D-4E5F-8A9B-0C1D2E3F4A5B",
	    36, id), 0);
}
END_TEST

static const char *const bad_ids[] = {
	"",
	"\n",
	"6f1c2b0e-3a4d-4e5f-8a9b-0c1d2e3f4a5\n",	/* 35 */
	"6f1c2b0e-3a4d-4e5f-8a9b-0c1d2e3f4a5bc\n",	/* 37 */
	"6f1c2b0e-3a4d-4e5f-8a9b-0c1d2e3f4a5g\n",	/* not hex */
	"6f1c2b0e3-a4d-4e5f-8a9b-0c1d2e3f4a5b\n",	/* dash moved */
	"6f1c2b0e-3a4d-4e5f-8a9b-0c1d2e3f4a5b\n\n",
	"6f1c2b0e-3a4d-4e5f-8a9b-0c1d2e3f4a5b \n",
	"------------------------------------\n",
	("6f1c2b0e-3a4d-4e5f-8a9b-0c1d2e3f4a5b6f1c2b0e-3a4d-4e5f-8a9b-"
	    "0c1d2e3f4a5b\n"),				/* too long */
};

START_TEST(test_boot_id_bad)
{
	char id[37];
	const char *s = bad_ids[_i];

	errno = 0;
	ck_assert_int_eq(boot_id_of(s, strlen(s), id), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_boot_id_nul)
{
	char id[37];
	char s[] = GOOD_ID "\n";

	s[10] = '\0';
	errno = 0;
	ck_assert_int_eq(boot_id_of(s, sizeof(s) - 1, id), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_boot_id_missing)
{
	char id[37];
	char *path = tu_path(tmpdir, "absent");

	errno = 0;
	ck_assert_int_eq(read_boot_id(path, id), -1);
	ck_assert_int_eq(errno, ENOENT);
	free(path);
}
END_TEST

START_TEST(test_boot_id_kernel)
{
	char id1[37], id2[37];

	ck_assert_int_eq(read_boot_id(BOOT_ID_PATH, id1), 0);
	ck_assert_int_eq(read_boot_id(BOOT_ID_PATH, id2), 0);
	ck_assert_uint_eq(strlen(id1), 36);
	ck_assert_str_eq(id1, id2);
}
END_TEST

START_TEST(test_fmt_time)
{
	char buf[32];

	ck_assert_int_eq(setenv("TZ", "UTC", 1), 0);
	tzset();
	ck_assert_str_eq(fmt_time(0, buf, sizeof(buf)), "1970-01-01 00:00:00");
	ck_assert_str_eq(fmt_time(1795239939, buf, sizeof(buf)),
	    "2026-11-21 05:45:39");
	/* Too small for the whole stamp: empty rather than half of one. */
	ck_assert_str_eq(fmt_time(0, buf, 10), "");
	/* A zone glibc cannot find is taken as UTC without a word: say so
	 * rather than fail on the hour. */
	ck_assert_msg(access("/usr/share/zoneinfo/Europe/Berlin", R_OK) == 0,
	    "no /usr/share/zoneinfo/Europe/Berlin: install tzdata "
	    "(scripts/deps.sh unit)");
	ck_assert_int_eq(setenv("TZ", "Europe/Berlin", 1), 0);
	tzset();
	ck_assert_str_eq(fmt_time(0, buf, sizeof(buf)), "1970-01-01 01:00:00");
}
END_TEST

static Suite *
timeutil_suite(void)
{
	Suite *s = suite_create("timeutil");
	TCase *tc;

	tc = tcase_create("elapsed");
	tcase_add_loop_test(tc, test_elapsed_table, 0,
	    (int)(sizeof(elapsed_table) / sizeof(elapsed_table[0])));
	tcase_add_test(tc, test_elapsed_width);
	tcase_add_test(tc, test_elapsed_small_buffer);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("clocks");
	tcase_add_test(tc, test_clocks);
	tcase_add_test(tc, test_fmt_time);
	suite_add_tcase(s, tc);

	tc = tcase_create("boot_id");
	tcase_add_checked_fixture(tc, setup_tmp, teardown_tmp);
	tcase_add_test(tc, test_boot_id_good);
	tcase_add_loop_test(tc, test_boot_id_bad, 0,
	    (int)(sizeof(bad_ids) / sizeof(bad_ids[0])));
	tcase_add_test(tc, test_boot_id_nul);
	tcase_add_test(tc, test_boot_id_missing);
	tcase_add_test(tc, test_boot_id_kernel);
	suite_add_tcase(s, tc);

	return s;
}

CHECK_MAIN(timeutil_suite)
