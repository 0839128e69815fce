/*
 * Tests for the status file format: the 16-bit numbers, the two
 * timestamps, the 150-second rule, names, and reading real files.
 */
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csstat.h"
#include "../check_main.h"
#include "../testutil.h"

START_TEST(test_enc16_exact_below_2048)
{
	uint64_t v;

	for (v = 0; v <= 2047; v++) {
		ck_assert_uint_eq(csstat_enc16(v), v);
		ck_assert_uint_eq(csstat_dec16(csstat_enc16(v)), v);
	}
}
END_TEST

START_TEST(test_enc16_rounds_down)
{
	/* The issue's own example. */
	ck_assert_uint_eq(csstat_dec16(csstat_enc16(3601)), 3600);
	ck_assert_uint_eq(csstat_enc16(3601), 1800 | 1 << 11);
	ck_assert_uint_eq(csstat_dec16(csstat_enc16(2048)), 2048);
	ck_assert_uint_eq(csstat_enc16(2048), 1024 | 1 << 11);
	ck_assert_uint_eq(csstat_dec16(csstat_enc16(4095)), 4094);
	ck_assert_uint_eq(csstat_dec16(csstat_enc16(0)), 0);
}
END_TEST

START_TEST(test_enc16_relative_error)
{
	uint64_t v, d;

	/* Never above, never more than 1/1024 below. */
	for (v = 1; v < ((uint64_t)1 << 40); v = v * 3 + 1) {
		d = csstat_dec16(csstat_enc16(v));
		ck_assert_uint_le(d, v);
		ck_assert_uint_ge(d * 1025 / 1024 + 1, v);
	}
}
END_TEST

START_TEST(test_enc16_largest)
{
	ck_assert_uint_eq(csstat_enc16(CSSTAT_MAX16), 0xffff);
	ck_assert_uint_eq(csstat_dec16(0xffff), CSSTAT_MAX16);
	ck_assert_uint_eq(csstat_enc16(CSSTAT_MAX16 + 1), 0xffff);
	ck_assert_uint_eq(csstat_enc16(UINT64_MAX), 0xffff);
	ck_assert_uint_eq(csstat_dec16(csstat_enc16(CSSTAT_MAX16 - 1)),
	    (uint64_t)0x7fe << 31);
}
END_TEST

START_TEST(test_encode_layout)
{
	Csstat_t st = { 3600, 5, 48, 3, 1, 2 };
	uint32_t a, m;

	csstat_encode(&st, &a, &m);
	ck_assert_uint_eq(a, (uint32_t)(1800 | 1 << 11) << 16 | 5);
	ck_assert_uint_eq(m, 6u << 24 | 1u << 16 | 3u << 8 | 2u);
}
END_TEST

START_TEST(test_encode_saturates)
{
	Csstat_t st = { 100, 0, 2500, 300, -4, 1000 }, back;
	uint32_t a, m;

	csstat_encode(&st, &a, &m);
	ck_assert_uint_eq(m >> 24, 0xff);
	csstat_decode(a, m, 0, CSSTAT_DOWN, &back);
	ck_assert_int_eq(back.load, 2040);
	ck_assert_int_eq(back.pctusr, 0xff);
	ck_assert_int_eq(back.pctsys, 0);
	ck_assert_int_eq(back.users, 0xff);
}
END_TEST

START_TEST(test_round_trip)
{
	Csstat_t st = { 273664, 3900, 48, 3, 1, 2 }, back;
	uint32_t a, m;

	csstat_encode(&st, &a, &m);
	csstat_decode(a, m, 10, CSSTAT_DOWN, &back);
	ck_assert_int_eq(back.up, st.up);
	ck_assert_int_eq(back.idle, st.idle);
	ck_assert_int_eq(back.load, st.load);
	ck_assert_int_eq(back.pctusr, st.pctusr);
	ck_assert_int_eq(back.pctsys, st.pctsys);
	ck_assert_int_eq(back.users, st.users);
}
END_TEST

START_TEST(test_down_encoding)
{
	Csstat_t st = { -7200, 99, 99, 9, 9, 9 }, back;
	uint32_t a, m;

	csstat_encode(&st, &a, &m);
	ck_assert_uint_eq(a >> 16, 0);
	ck_assert_uint_eq(a, csstat_enc16(7200));
	ck_assert_uint_eq(m, 0);
	/* Down for the stored time plus the file's age. */
	csstat_decode(a, m, 300, CSSTAT_DOWN, &back);
	ck_assert_int_eq(back.up, -7500);
	ck_assert_int_eq(back.idle, 0);
	ck_assert_int_eq(back.users, 0);
}
END_TEST

START_TEST(test_150_seconds)
{
	Csstat_t st = { 5000, 60, 100, 10, 10, 1 }, back;
	uint32_t a, m;

	csstat_encode(&st, &a, &m);
	csstat_decode(a, m, 150, CSSTAT_DOWN, &back);
	ck_assert_int_eq(back.up, 5000);
	csstat_decode(a, m, 151, CSSTAT_DOWN, &back);
	ck_assert_int_eq(back.up, -151);
	ck_assert_int_eq(back.users, 0);
	ck_assert_int_eq(back.load, 0);
	/* A clock running ahead gives no negative age. */
	csstat_decode(a, m, -40, CSSTAT_DOWN, &back);
	ck_assert_int_eq(back.up, 5000);
}
END_TEST

START_TEST(test_foreign_zero_mantissa)
{
	Csstat_t back;

	/* up16 = 0x0800: shifted zero, not "down". */
	csstat_decode(0x0800u << 16, 0, 0, CSSTAT_DOWN, &back);
	ck_assert_int_eq(back.up, 1);
}
END_TEST

START_TEST(test_names)
{
	char longname[CSSTAT_NAME_MAX + 2];

	ck_assert(csstat_name_ok("alpha"));
	ck_assert(csstat_name_ok("h1.example.com"));
	ck_assert(csstat_name_ok("a_b-c"));
	ck_assert(!csstat_name_ok(NULL));
	ck_assert(!csstat_name_ok(""));
	ck_assert(!csstat_name_ok(".log"));
	ck_assert(!csstat_name_ok("."));
	ck_assert(!csstat_name_ok(".."));
	ck_assert(!csstat_name_ok("-rf"));
	ck_assert(!csstat_name_ok("a/b"));
	ck_assert(!csstat_name_ok("../etc"));
	ck_assert(!csstat_name_ok("a b"));
	ck_assert(!csstat_name_ok("a\nb"));
	ck_assert(!csstat_name_ok("h\xc3\xa9"));
	memset(longname, 'a', CSSTAT_NAME_MAX);
	longname[CSSTAT_NAME_MAX] = '\0';
	ck_assert(csstat_name_ok(longname));
	longname[CSSTAT_NAME_MAX] = 'a';
	longname[CSSTAT_NAME_MAX + 1] = '\0';
	ck_assert(!csstat_name_ok(longname));
}
END_TEST

START_TEST(test_down_after_env)
{
	unsetenv(CSSTAT_ENV_DOWN);
	ck_assert_int_eq(csstat_down_after(), 150);
	setenv(CSSTAT_ENV_DOWN, "5", 1);
	ck_assert_int_eq(csstat_down_after(), 5);
	setenv(CSSTAT_ENV_DOWN, "5x", 1);
	ck_assert_int_eq(csstat_down_after(), 150);
	setenv(CSSTAT_ENV_DOWN, "0", 1);
	ck_assert_int_eq(csstat_down_after(), 150);
	unsetenv(CSSTAT_ENV_DOWN);
}
END_TEST

START_TEST(test_dir_env)
{
	setenv(CSSTAT_ENV_DIR, "/nfs/ss", 1);
	ck_assert_str_eq(csstat_dir(), "/nfs/ss");
	unsetenv(CSSTAT_ENV_DIR);
	ck_assert_str_eq(csstat_dir(), CSSTAT_TEST_PREFIX "/share/lib/ss");
}
END_TEST

static void
set_times(const char *path, uint32_t a, uint32_t m)
{
	struct timespec ts[2] = { { a, 0 }, { m, 0 } };

	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

START_TEST(test_at_reads_timestamps)
{
	char *dir = tu_tmpdir(), *p = tu_path(dir, "alpha");
	Csstat_t st = { 273664, 3900, 48, 3, 1, 2 }, got;
	struct stat sb;
	uint32_t a, m;
	time_t ct;
	int fd;

	tu_write_file(p, "", 0);
	csstat_encode(&st, &a, &m);
	set_times(p, a, m);
	ck_assert_int_eq(stat(p, &sb), 0);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(csstat_at(fd, "alpha", sb.st_ctime + 20, &got, &ct),
	    0);
	ck_assert_int_eq(got.up, 273664);
	ck_assert_int_eq(got.idle, 3900);
	ck_assert_int_eq(ct, sb.st_ctime);
	/* Looked at, not read: the atime is still ours. */
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_uint_eq((uint32_t)sb.st_atime, a);
	ck_assert_int_eq(csstat_at(fd, "alpha", sb.st_ctime + 151, &got,
	    NULL), 0);
	ck_assert_int_eq(got.up, -151);
	ck_assert_int_eq(csstat_at(fd, "nosuch", sb.st_ctime, &got, NULL), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(csstat_at(fd, "../alpha", sb.st_ctime, &got, NULL),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	close(fd);
	free(p);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_at_refuses_links_and_fifos)
{
	char *dir = tu_tmpdir(), *target = tu_path(dir, "target");
	char *link = tu_path(dir, "beta"), *fifo = tu_path(dir, "gamma");
	Csstat_t got;
	int fd;

	tu_write_file(target, "", 0);
	set_times(target, 0x08000005u, 0);
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(csstat_at(fd, "beta", time(NULL), &got, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(csstat_at(fd, "gamma", time(NULL), &got, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(fd);
	free(target);
	free(link);
	free(fifo);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static Suite *
csstat_suite(void)
{
	Suite *s = suite_create("csstat");
	TCase *tc;

	tc = tcase_create("enc16");
	tcase_add_test(tc, test_enc16_exact_below_2048);
	tcase_add_test(tc, test_enc16_rounds_down);
	tcase_add_test(tc, test_enc16_relative_error);
	tcase_add_test(tc, test_enc16_largest);
	suite_add_tcase(s, tc);

	tc = tcase_create("timestamps");
	tcase_add_test(tc, test_encode_layout);
	tcase_add_test(tc, test_encode_saturates);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_down_encoding);
	tcase_add_test(tc, test_150_seconds);
	tcase_add_test(tc, test_foreign_zero_mantissa);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_down_after_env);
	tcase_add_test(tc, test_dir_env);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_test(tc, test_at_reads_timestamps);
	tcase_add_test(tc, test_at_refuses_links_and_fifos);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(csstat_suite)
