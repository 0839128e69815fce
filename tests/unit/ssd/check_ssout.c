/*
 * Tests for ss's output: the line format (golden, from status files with
 * known timestamps and from values), the elapsed times, JSON, the orders.
 */
#include <sys/stat.h>

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ssd.h"
#include "timeutil.h"
#include "../check_main.h"
#include "../testutil.h"

/* The two lines the issue gives, byte for byte. */
#define ALPHA_LINE "alpha         up  3d04h,  2 users, idle  1h05m, " \
	"load  0.48, %usr  3, %sys  1"
#define DELTA_LINE "delta       down  2h05m,  0 users, idle      0, " \
	"load  0.00, %usr  0, %sys  0"

static void
make_status(const char *dir, const char *name, uint32_t a, uint32_t m)
{
	struct timespec ts[2] = { { a, 0 }, { m, 0 } };
	char *p = tu_path(dir, name);

	tu_write_file(p, "", 0);
	ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	free(p);
}

static void
host_from_file(int dirfd, const char *name, time_t age, struct ss_host *h)
{
	struct stat sb;

	ck_assert_int_eq(fstatat(dirfd, name, &sb, 0), 0);
	h->name = strdup(name);
	ck_assert_int_eq(csstat_at(dirfd, name, sb.st_ctime + age, &h->st,
	    NULL), 0);
	h->state = h->st.up > 0 ? SS_UP : SS_DOWN;
}

START_TEST(test_golden_from_files)
{
	char *dir = tu_tmpdir(), line[256];
	Csstat_t alpha = { 273664, 3900, 48, 3, 1, 2 }, delta = { -7200, 0, 0, 0, 0, 0 };
	struct ss_host h[2];
	uint32_t a, m;
	int fd;

	csstat_encode(&alpha, &a, &m);
	make_status(dir, "alpha", a, m);
	csstat_encode(&delta, &a, &m);
	make_status(dir, "delta", a, m);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	host_from_file(fd, "alpha", 30, &h[0]);
	/* Marked down 2h00m ago, file 5 minutes old: down 2h05m. */
	host_from_file(fd, "delta", 300, &h[1]);
	close(fd);
	ss_line(&h[0], line, sizeof(line));
	ck_assert_str_eq(line, ALPHA_LINE);
	ss_line(&h[1], line, sizeof(line));
	ck_assert_str_eq(line, DELTA_LINE);
	free(h[0].name);
	free(h[1].name);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_stale_file_is_down)
{
	char *dir = tu_tmpdir(), line[256];
	Csstat_t gamma = { 86400, 10, 100, 5, 5, 3 };
	struct ss_host h;
	uint32_t a, m;
	int fd;

	csstat_encode(&gamma, &a, &m);
	make_status(dir, "gamma", a, m);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	host_from_file(fd, "gamma", 303, &h);
	close(fd);
	ck_assert_int_eq(h.state, SS_DOWN);
	ss_line(&h, line, sizeof(line));
	ck_assert_str_eq(line, "gamma       down  5m03s,  0 users, idle      0, "
	    "load  0.00, %usr  0, %sys  0");
	free(h.name);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static const struct {
	long		 up;
	const char	*want;
} elapsed_lines[] = {
	{ 45, "h             up 45.00s,  1 user,  idle      0, load  1.04, "
	    "%usr 99, %sys  0" },
	{ 303, "h             up  5m03s,  1 user,  idle      0, load  1.04, "
	    "%usr 99, %sys  0" },
	{ 11220, "h             up  3h07m,  1 user,  idle      0, load  1.04, "
	    "%usr 99, %sys  0" },
	{ 190800, "h             up  2d05h,  1 user,  idle      0, load  1.04, "
	    "%usr 99, %sys  0" },
	{ 1468800, "h             up  2w03d,  1 user,  idle      0, load  1.04, "
	    "%usr 99, %sys  0" },
};

START_TEST(test_elapsed_in_lines)
{
	struct ss_host h = { NULL, SS_UP,
	    { elapsed_lines[_i].up, 0, 104, 99, 0, 1 } };
	char name[] = "h", line[256];

	h.name = name;
	ss_line(&h, line, sizeof(line));
	ck_assert_str_eq(line, elapsed_lines[_i].want);
}
END_TEST

START_TEST(test_no_status_lines)
{
	char name[] = "epsilon", line[256];
	struct ss_host h = { name, SS_NOSTATUS, { 0, 0, 0, 0, 0, 0 } };

	ss_line(&h, line, sizeof(line));
	ck_assert_str_eq(line, "epsilon       *no status*");
	h.state = SS_UNKNOWN;
	ss_line(&h, line, sizeof(line));
	ck_assert_str_eq(line, "epsilon       *unknown host*");
}
END_TEST

START_TEST(test_long_name_and_big_values)
{
	char name[] = "a-rather-long-host-name", line[256];
	struct ss_host h = { name, SS_UP, { 60480000, 33538048, 2040, 100,
	    100, 255 } };

	ss_line(&h, line, sizeof(line));
	ck_assert_str_eq(line, "a-rather-long-host-name  up 100w00d, 255 users,"
	    " idle 55w03d, load 20.40, %usr 100, %sys 100");
}
END_TEST

/*
 * AST's ss: "%-12s%4s%7s,%3d user%s idle%7s, load%3d.%02d, %%usr%3d,
 * %%sys%3d", user%s being "user, " for one user and "users," otherwise,
 * the idle time "%" when it is longer than the up time (and, as AST's
 * csstat makes it, with nobody logged in).
 */
static const struct {
	int		 users;
	long		 up, idle;
	const char	*want;
} ast_lines[] = {
	{ 0, 273664, 3900, "alpha         up  3d04h,  0 users, idle      %, "
	    "load  0.48, %usr  3, %sys  1" },
	{ 1, 273664, 3900, "alpha         up  3d04h,  1 user,  idle  1h05m, "
	    "load  0.48, %usr  3, %sys  1" },
	{ 2, 273664, 3900, "alpha         up  3d04h,  2 users, idle  1h05m, "
	    "load  0.48, %usr  3, %sys  1" },
	{ 1, 3000, 3900, "alpha         up 50m00s,  1 user,  idle      %, "
	    "load  0.48, %usr  3, %sys  1" },
	{ 2, 3900, 3900, "alpha         up  1h05m,  2 users, idle  1h05m, "
	    "load  0.48, %usr  3, %sys  1" },
};

START_TEST(test_ast_users_and_idle)
{
	char name[] = "alpha", line[256];
	struct ss_host h = { name, SS_UP, { ast_lines[_i].up,
	    ast_lines[_i].idle, 48, 3, 1, ast_lines[_i].users } };

	ss_line(&h, line, sizeof(line));
	ck_assert_str_eq(line, ast_lines[_i].want);
}
END_TEST

/*
 * AST's columns for names that fit; a longer name still leaves a blank
 * before the state, the only field that could touch it.
 */
START_TEST(test_long_names_never_touch)
{
	static const struct {
		const char	*name, *want;
	} c[] = {
		{ "abcdefghijk", "abcdefghijk down  2h05m" },
		{ "abcdefghijkl", "abcdefghijkl down  2h05m" },
		{ "beta-longer-hostname-example",
		    "beta-longer-hostname-example down  2h05m" },
		{ "abcdefghijkl", "abcdefghijkl  up  3d04h" },
	};
	char name[64], line[256];
	struct ss_host h;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(&h, 0, sizeof(h));
		snprintf(name, sizeof(name), "%s", c[i].name);
		h.name = name;
		h.state = i < 3 ? SS_DOWN : SS_UP;
		h.st.up = i < 3 ? -7500 : 273664;
		h.st.users = 2;
		ss_line(&h, line, sizeof(line));
		ck_assert_msg(strncmp(line, c[i].want, strlen(c[i].want)) == 0,
		    "got \"%s\", want \"%s...\"", line, c[i].want);
	}
}
END_TEST

/*
 * ss formats elapsed times itself (no printf per field); it must write
 * exactly what the shared fmt_elapsed writes, at every unit boundary.
 */
START_TEST(test_elapsed_matches_fmt_elapsed)
{
	static const int64_t edges[] = { 1, 59, 60, 61, 3599, 3600, 3601,
	    86399, 86400, 86401, 604799, 604800, 604801, 4233600,
	    INT32_MAX, (int64_t)0x7ff << 31, INT64_MAX, INT64_MIN };
	char ours[40], want[40], small[4];
	int64_t v;
	size_t i;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		ck_assert_int_eq(ss_elapsed(edges[i], ours, sizeof(ours)),
		    (int)strlen(ours));
		ck_assert_str_eq(ours, fmt_elapsed(edges[i], want,
		    sizeof(want)));
	}
	for (v = -700000; v <= 700000; v += 7) {
		if (v == 0)
			continue;
		ss_elapsed(v, ours, sizeof(ours));
		ck_assert_str_eq(ours, fmt_elapsed(v, want, sizeof(want)));
	}
	ss_elapsed(0, ours, sizeof(ours));
	ck_assert_str_eq(ours, "0");
	/* Truncated like snprintf, with the full length returned. */
	ck_assert_int_eq(ss_elapsed(3601, small, sizeof(small)), 5);
	ck_assert_str_eq(small, "1h0");
}
END_TEST

START_TEST(test_json)
{
	char n1[] = "alpha", n2[] = "delta", n3[] = "zeta", line[512];
	struct ss_host up = { n1, SS_UP, { 273664, 3900, 48, 3, 1, 2 } };
	struct ss_host down = { n2, SS_DOWN, { -7500, 0, 0, 0, 0, 0 } };
	struct ss_host none = { n3, SS_NOSTATUS, { 0, 0, 0, 0, 0, 0 } };

	ss_json(&up, line, sizeof(line));
	ck_assert_str_eq(line, "{\"host\":\"alpha\",\"state\":\"up\",\"up\":273664,"
	    "\"down\":0,\"users\":2,\"idle\":3900,\"load\":0.48,\"pctusr\":3,"
	    "\"pctsys\":1}");
	ss_json(&down, line, sizeof(line));
	ck_assert_str_eq(line, "{\"host\":\"delta\",\"state\":\"down\",\"up\":0,"
	    "\"down\":7500,\"users\":0,\"idle\":0,\"load\":0.00,\"pctusr\":0,"
	    "\"pctsys\":0}");
	ss_json(&none, line, sizeof(line));
	ck_assert_str_eq(line, "{\"host\":\"zeta\",\"state\":\"no status\"}");
}
END_TEST

/* An unknown host is any operand: its name must be escaped, and what
   ss_json returns must be what it wrote, since ss adds it to its length. */
START_TEST(test_json_unknown_name)
{
	char bad[] = "a\"b\\c\td", line[512], small[24], *big;
	struct ss_host unk = { bad, SS_UNKNOWN, { 0, 0, 0, 0, 0, 0 } };
	int n;

	n = ss_json(&unk, line, sizeof(line));
	ck_assert_str_eq(line, "{\"host\":\"a\\\"b\\\\c\\u0009d\","
	    "\"state\":\"unknown host\"}");
	ck_assert_int_eq(n, (int)strlen(line));

	n = ss_json(&unk, small, sizeof(small));
	ck_assert_int_eq(n, (int)strlen(small));

	big = malloc(4096);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 4095);
	big[4095] = '\0';
	unk.name = big;
	n = ss_json(&unk, line, sizeof(line));
	ck_assert_int_eq(n, (int)strlen(line));
	ck_assert_int_lt(n, (int)sizeof(line));
	free(big);
}
END_TEST

static char nm[6][8] = { "alpha", "beta", "delta", "gamma", "omega", "pi" };

static void
fill(struct ss_host *h)
{
	/* name, state, up idle load usr sys users */
	struct ss_host v[6] = {
		{ nm[0], SS_UP, { 1000, 50, 200, 10, 5, 3 } },
		{ nm[1], SS_UP, { 9000, 10, 100, 40, 1, 1 } },
		{ nm[2], SS_DOWN, { -100, 0, 0, 0, 0, 0 } },
		{ nm[3], SS_UP, { 500, 900, 300, 1, 1, 0 } },
		{ nm[4], SS_NOSTATUS, { 0, 0, 0, 0, 0, 0 } },
		{ nm[5], SS_DOWN, { -5000, 0, 0, 0, 0, 0 } },
	};

	memcpy(h, v, sizeof(v));
}

static void
order_is(const struct ss_host *h, const char *want)
{
	char got[64] = "";
	size_t i;

	for (i = 0; i < 6; i++) {
		strcat(got, h[i].name);
		strcat(got, i < 5 ? " " : "");
	}
	ck_assert_str_eq(got, want);
}

START_TEST(test_sort_orders)
{
	struct ss_host h[6];

	fill(h);
	ss_sort(h, 6, "", 0);
	order_is(h, "alpha beta delta gamma pi omega");
	ss_sort(h, 6, "", 1);
	order_is(h, "pi gamma delta beta alpha omega");
	ss_sort(h, 6, "t", 0);
	order_is(h, "beta alpha gamma delta pi omega");
	ss_sort(h, 6, "l", 0);
	order_is(h, "gamma alpha beta delta pi omega");
	ss_sort(h, 6, "c", 0);
	order_is(h, "beta alpha gamma delta pi omega");
	ss_sort(h, 6, "i", 0);
	order_is(h, "gamma alpha beta delta pi omega");
	ss_sort(h, 6, "u", 0);
	order_is(h, "alpha beta delta gamma pi omega");
	/* Second key breaks the ties of the first. */
	ss_sort(h, 6, "ut", 0);
	order_is(h, "alpha beta gamma delta pi omega");
	ss_sort(h, 6, "ut", 1);
	order_is(h, "pi delta gamma beta alpha omega");
}
END_TEST

static Suite *
ssout_suite(void)
{
	Suite *s = suite_create("ssout");
	TCase *tc;

	tc = tcase_create("lines");
	tcase_add_test(tc, test_golden_from_files);
	tcase_add_test(tc, test_stale_file_is_down);
	tcase_add_loop_test(tc, test_elapsed_in_lines, 0,
	    sizeof(elapsed_lines) / sizeof(elapsed_lines[0]));
	tcase_add_test(tc, test_no_status_lines);
	tcase_add_test(tc, test_long_name_and_big_values);
	tcase_add_loop_test(tc, test_ast_users_and_idle, 0,
	    sizeof(ast_lines) / sizeof(ast_lines[0]));
	tcase_add_test(tc, test_long_names_never_touch);
	tcase_add_test(tc, test_elapsed_matches_fmt_elapsed);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_json_unknown_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("sort");
	tcase_add_test(tc, test_sort_orders);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ssout_suite)
