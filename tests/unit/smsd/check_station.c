/*
 * The station's back end: file names and routes (/station/, /v1/members/,
 * paging), the Accept rule for "/", ETags, reading station files (links,
 * FIFOs, sizes refused), and the /v1/history ring (rates, wrap, parsers).
 */
#include <sys/stat.h>
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "../check_main.h"
#include "../testutil.h"
#include "../../../src/smsd/smsd.h"
#include "../../../src/smsd/station.h"
#include "../../../src/smsd/trend.h"
#include "../../../src/smsd/suite.h"
#include "../../../src/nsmstate/nsmstate.h"
#include "../../../src/ssd/csstat.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif
#define STATUSFILES	SRCDIR "/tests/fuzz/statd/corpus/statusfile/"

static int
parse(const char *u, struct req *r)
{
	const char *why;

	return req_parse(u, strlen(u), r, &why);
}

START_TEST(station_names)
{
	static const char *good[] = { "index.html", "app.js", "a-b_c.css",
	    "x.1.svg", "F00.png" };
	static const char *bad[] = { "", ".", "..", "...js", "a..js",
	    ".hidden", "-x.js", "a/b.js", "a%2fb.js", "a b.js", "a\\b.js",
	    "a\x01.js", "\xc3\xa9.js" };
	char longname[STATION_NAME_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(station_name_ok(good[i], strlen(good[i])),
		    "%s refused", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!station_name_ok(bad[i], strlen(bad[i])),
		    "%s accepted", bad[i]);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert(!station_name_ok(longname, strlen(longname)));
	ck_assert(station_name_ok(longname, STATION_NAME_MAX));
	/* the length is the caller's: a NUL inside is a refused byte */
	ck_assert(!station_name_ok("a\0b", 3));
}
END_TEST

START_TEST(station_routes)
{
	struct req r;

	ck_assert_int_eq(parse("/station/app.js", &r), 0);
	ck_assert_int_eq(r.res, RES_STATION);
	ck_assert_str_eq(r.file, "app.js");
	ck_assert_int_eq(parse("/station/", &r), 0);
	ck_assert_int_eq(r.res, RES_STATION);
	ck_assert_str_eq(r.file, "");
	ck_assert_int_eq(parse("/station/../etc/passwd", &r), 400);
	ck_assert_int_eq(parse("/station/%2e%2e%2fetc", &r), 400);
	ck_assert_int_eq(parse("/station/sub/app.js", &r), 400);
	ck_assert_int_eq(parse("/station/.htaccess", &r), 400);
	ck_assert_int_eq(parse("/station/app.js?v=1", &r), 400);
	ck_assert_int_eq(parse("/stationx", &r), 404);
	ck_assert_int_eq(parse("/v1/history", &r), 0);
	ck_assert_int_eq(r.res, RES_HISTORY);
	ck_assert_int_eq(parse("/v1/suite/ss", &r), 0);
	ck_assert_int_eq(r.res, RES_SUITE_SS);
	ck_assert_int_eq(parse("/v1/suite/availability", &r), 0);
	ck_assert_int_eq(r.res, RES_SUITE_AVAILABILITY);
	ck_assert_int_eq(parse("/v1/suite/statd", &r), 0);
	ck_assert_int_eq(r.res, RES_SUITE_STATD);
}
END_TEST

START_TEST(member_routes)
{
	struct req r;
	char big[SMSD_URI_MAX + 1];

	ck_assert_int_eq(parse("/v1/members/h2/system", &r), 0);
	ck_assert_int_eq(r.res, RES_MEMBER);
	ck_assert_str_eq(r.member, "h2");
	ck_assert_str_eq(r.target, "/v1/system");
	ck_assert_int_eq(r.target_res, RES_SYSTEM);
	ck_assert_int_eq(parse("/v1/members/h2/events?name=sys.*&limit=5",
	    &r), 0);
	ck_assert_str_eq(r.target, "/v1/events?name=sys.*&limit=5");
	ck_assert_int_eq(r.target_res, RES_EVENTS);
	ck_assert_int_eq(parse("/v1/members/h2/suite/statd", &r), 0);
	ck_assert_str_eq(r.target, "/v1/suite/statd");
	/* only what a member answers, and as this smsd would parse it */
	ck_assert_int_eq(parse("/v1/members/h2/cluster", &r), 404);
	ck_assert_int_eq(parse("/v1/members/h2/events/stream", &r), 404);
	ck_assert_int_eq(parse("/v1/members/h2/members/h3/system", &r), 404);
	ck_assert_int_eq(parse("/v1/members/h2/metrics", &r), 404);
	ck_assert_int_eq(parse("/v1/members/h2/system/", &r), 404);
	ck_assert_int_eq(parse("/v1/members/h2/events?bogus=1", &r), 400);
	ck_assert_int_eq(parse("/v1/members/h2/events?name=../x", &r), 400);
	ck_assert_int_eq(parse("/v1/members/h2", &r), 404);
	ck_assert_int_eq(parse("/v1/members//system", &r), 400);
	ck_assert_int_eq(parse("/v1/members/../system", &r), 400);
	ck_assert_int_eq(parse("/v1/members/.h/system", &r), 400);
	ck_assert_int_eq(parse("/v1/members/h%32/system", &r), 400);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "/v1/members/", 12);
	ck_assert_int_eq(parse(big, &r), 404);	/* no resource */
	memcpy(big + 12 + SMSD_NAME_MAX + 1, "/system", 8);
	ck_assert_int_eq(parse(big, &r), 400);	/* a name too long */
	big[12 + SMSD_NAME_MAX] = '\0';
	memcpy(big + 12 + SMSD_NAME_MAX, "/system", 8);
	ck_assert_int_eq(parse(big, &r), 0);	/* the longest name */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* a target that grows past the limit once "/v1/" is put in front */
	memcpy(big, "/v1/members/h/events?name=", 26);
	big[SMSD_URI_MAX - 4] = '\0';
	ck_assert_int_ne(parse(big, &r), 0);
}
END_TEST

START_TEST(software_paging)
{
	struct req r;

	ck_assert_int_eq(parse("/v1/software?offset=20&limit=10", &r), 0);
	ck_assert_int_eq(r.offset, 20);
	ck_assert_int_eq(r.limit, 10);
	ck_assert_int_eq(r.limit_set, 1);
	ck_assert_int_eq(parse("/v1/software", &r), 0);
	ck_assert_int_eq(r.offset, 0);
	ck_assert_int_eq(r.limit_set, 0);
	ck_assert_int_eq(parse("/v1/software?offset=0", &r), 0);
	ck_assert_int_eq(parse("/v1/software?offset=-1", &r), 400);
	ck_assert_int_eq(parse("/v1/software?offset=", &r), 400);
	ck_assert_int_eq(parse("/v1/software?offset=1000001", &r), 400);
	ck_assert_int_eq(parse("/v1/software?offset=1x", &r), 400);
}
END_TEST

START_TEST(accept_rule)
{
	ck_assert(station_wants_html("text/html,application/xhtml+xml,"
	    "application/xml;q=0.9,image/avif,*/*;q=0.8"));
	ck_assert(station_wants_html("text/html"));
	ck_assert(station_wants_html("application/json;q=0.5, text/html"));
	ck_assert(!station_wants_html(NULL));
	ck_assert(!station_wants_html(""));
	ck_assert(!station_wants_html("*/*"));
	ck_assert(!station_wants_html("application/json"));
	ck_assert(!station_wants_html("text/html;q=0.5, application/json"));
	ck_assert(!station_wants_html("text/html;q=0, */*"));
	ck_assert(!station_wants_html("text/html, */*"));	/* a tie */
	ck_assert(!station_wants_html("text/htmlx"));
	ck_assert(station_wants_html("TEXT/HTML ; q=0.9 , */* ; q=0.1"));
}
END_TEST

START_TEST(etag_lists)
{
	const char *e = "\"1-2-3.4\"";

	ck_assert(station_etag_matches("\"1-2-3.4\"", e));
	ck_assert(station_etag_matches("\"x\", \"1-2-3.4\"", e));
	ck_assert(station_etag_matches("*", e));
	ck_assert(!station_etag_matches(NULL, e));
	ck_assert(!station_etag_matches("", e));
	ck_assert(!station_etag_matches("\"1-2-3.5\"", e));
	ck_assert(!station_etag_matches("W/\"1-2-3.4\"", e));
	ck_assert(!station_etag_matches("\"1-2-3.4", e));
}
END_TEST

static char *
body_of(struct station_file *f)
{
	size_t n = evbuffer_get_length(f->body);
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	evbuffer_remove(f->body, s, n);
	s[n] = '\0';
	return s;
}

START_TEST(station_files)
{
	char *dir = tu_tmpdir(), *p, *outside, *s;
	struct station_file f;
	char etag[sizeof(f.etag)];
	int fd;

	p = tu_path(dir, "app.js");
	tu_write_file(p, "export {};\n", 11);
	free(p);
	outside = tu_path(dir, "secret.txt");
	tu_write_file(outside, "secret\n", 7);
	p = tu_path(dir, "link.js");
	ck_assert_int_eq(symlink(outside, p), 0);
	free(p);
	p = tu_path(dir, "fifo.js");
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	free(p);
	p = tu_path(dir, "sub.css");
	ck_assert_int_eq(mkdir(p, 0700), 0);
	free(p);
	p = tu_path(dir, "app.exe");
	tu_write_file(p, "MZ", 2);
	free(p);

	ck_assert_int_eq(station_read(dir, "app.js", NULL, &f), 200);
	ck_assert_str_eq(f.type, "text/javascript; charset=utf-8");
	s = body_of(&f);
	ck_assert_str_eq(s, "export {};\n");
	free(s);
	evbuffer_free(f.body);
	ck_assert_int_eq(f.etag[0], '"');
	ck_assert_int_eq(f.etag[strlen(f.etag) - 1], '"');
	memcpy(etag, f.etag, sizeof(etag));
	/* the same file: the same tag, and 304 without a body */
	ck_assert_int_eq(station_read(dir, "app.js", etag, &f), 304);
	ck_assert_ptr_null(f.body);
	ck_assert_str_eq(f.etag, etag);
	/* changed: another tag, the new body */
	p = tu_path(dir, "app.js");
	tu_write_file(p, "export const a = 1;\n", 20);
	free(p);
	ck_assert_int_eq(station_read(dir, "app.js", etag, &f), 200);
	ck_assert_str_ne(f.etag, etag);
	evbuffer_free(f.body);

	/* a link (to a file the folder does not hold), a FIFO (never
	   opened for reading: it would hang), a folder, an unknown type */
	ck_assert_int_eq(station_read(dir, "link.js", NULL, &f), 404);
	ck_assert_ptr_null(f.body);
	ck_assert_int_eq(station_read(dir, "fifo.js", NULL, &f), 404);
	ck_assert_int_eq(station_read(dir, "sub.css", NULL, &f), 404);
	ck_assert_int_eq(station_read(dir, "app.exe", NULL, &f), 404);
	ck_assert_int_eq(station_read(dir, "none.js", NULL, &f), 404);
	ck_assert_int_eq(station_read(dir, "../secret.txt", NULL, &f), 400);
	ck_assert_int_eq(station_read(dir, "", NULL, &f), 400);

	/* too large to be the station's */
	p = tu_path(dir, "big.js");
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, STATION_FILE_MAX + 1), 0);
	close(fd);
	free(p);
	ck_assert_int_eq(station_read(dir, "big.js", NULL, &f), 500);
	ck_assert_ptr_null(f.body);

	ck_assert_str_eq(station_type("index.html"), "text/html; charset=utf-8");
	ck_assert_str_eq(station_type("a.svg"), "image/svg+xml");
	ck_assert_ptr_null(station_type("html"));
	ck_assert_ptr_null(station_type("a.js.bak"));
	free(outside);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static struct trend_raw
raw(int64_t ms, uint64_t cpu_total, uint64_t cpu_idle, uint64_t disk,
    uint64_t net)
{
	struct trend_raw r;

	memset(&r, 0, sizeof(r));
	r.time_ms = 1000000 + ms;
	r.mono_ms = ms;
	r.have_load = r.have_cpu = r.have_mem = r.have_disk = r.have_net = 1;
	r.load1 = 0.5;
	r.cpu_total = cpu_total;
	r.cpu_idle = cpu_idle;
	r.mem_total = 1000;
	r.mem_available = 250;
	r.disk_read = disk;
	r.disk_written = disk * 2;
	r.net_rx = net;
	r.net_tx = net / 2;
	return r;
}

static json_t *
history_json(struct trend *t)
{
	size_t len;
	const char *b = trend_body(t, &len);
	json_error_t err;
	json_t *o;

	ck_assert_ptr_nonnull(b);
	o = json_loadb(b, len, 0, &err);
	ck_assert_msg(o != NULL, "bad JSON: %s", err.text);
	return o;
}

START_TEST(trend_rates)
{
	struct trend *t = trend_new(4, 10);
	struct trend_raw r;
	json_t *o, *s;

	ck_assert_ptr_nonnull(t);
	o = history_json(t);
	ck_assert_int_eq(json_integer_value(json_object_get(o,
	    "step_seconds")), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "capacity")),
	    4);
	ck_assert_int_eq(json_array_size(json_object_get(o, "samples")), 0);
	json_decref(o);

	/* the first reading has nothing before it: no rates yet */
	r = raw(0, 1000, 800, 0, 0);
	trend_add(t, &r);
	/* 10 s later: 100 ticks, 25 idle; 5000 bytes read, 20000 received */
	r = raw(10000, 1100, 825, 5000, 20000);
	trend_add(t, &r);
	o = history_json(t);
	ck_assert_int_eq(json_array_size(json_object_get(o, "samples")), 2);
	s = json_array_get(json_object_get(o, "samples"), 0);
	ck_assert(json_is_null(json_object_get(s, "cpu_busy_ratio")));
	ck_assert(json_is_null(json_object_get(s,
	    "disk_read_bytes_per_second")));
	ck_assert_int_eq(json_integer_value(json_object_get(s,
	    "memory_used_bytes")), 750);
	s = json_array_get(json_object_get(o, "samples"), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(s, "time_ms")),
	    1010000);
	ck_assert_double_eq_tol(json_real_value(json_object_get(s,
	    "cpu_busy_ratio")), 0.75, 1e-9);
	ck_assert_double_eq_tol(json_real_value(json_object_get(s,
	    "disk_read_bytes_per_second")), 500, 1e-9);
	ck_assert_double_eq_tol(json_real_value(json_object_get(s,
	    "disk_write_bytes_per_second")), 1000, 1e-9);
	ck_assert_double_eq_tol(json_real_value(json_object_get(s,
	    "net_rx_bytes_per_second")), 2000, 1e-9);
	ck_assert_double_eq_tol(json_real_value(json_object_get(s,
	    "net_tx_bytes_per_second")), 1000, 1e-9);
	ck_assert_double_eq_tol(json_real_value(json_object_get(s, "load1")),
	    0.5, 1e-9);
	ck_assert_int_eq(json_integer_value(json_object_get(s,
	    "memory_total_bytes")), 1000);
	json_decref(o);

	/* a counter that went back (a reset device): unknown, not huge */
	r = raw(20000, 1200, 900, 100, 30000);
	r.have_mem = 0;
	trend_add(t, &r);
	o = history_json(t);
	s = json_array_get(json_object_get(o, "samples"), 2);
	ck_assert(json_is_null(json_object_get(s,
	    "disk_read_bytes_per_second")));
	ck_assert(json_is_null(json_object_get(s, "memory_used_bytes")));
	ck_assert_double_eq_tol(json_real_value(json_object_get(s,
	    "net_rx_bytes_per_second")), 1000, 1e-9);
	json_decref(o);
	trend_free(t);
}
END_TEST

START_TEST(trend_wraps)
{
	struct trend *t = trend_new(3, 1);
	struct trend_raw r;
	json_t *o, *arr;
	int i;

	for (i = 0; i < 7; i++) {
		r = raw(i * 1000, 100 * (uint64_t)i, 0, 0, 0);
		trend_add(t, &r);
	}
	ck_assert_uint_eq(trend_count(t), 3);
	o = history_json(t);
	arr = json_object_get(o, "samples");
	ck_assert_int_eq(json_array_size(arr), 3);
	/* the last three, oldest first */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(json_integer_value(json_object_get(
		    json_array_get(arr, (size_t)i), "time_ms")),
		    1000000 + (4 + i) * 1000);
	json_decref(o);
	trend_free(t);
	ck_assert_ptr_null(trend_new(0, 10));
}
END_TEST

static int
whole_sd(const char *name)
{
	return strcmp(name, "sda") == 0 || strcmp(name, "vdb") == 0;
}

START_TEST(trend_parsers)
{
	char disks[] =
	    "   8       0 sda 100 0 2000 0 50 0 4000 0 0 0 0\n"
	    "   8       1 sda1 90 0 1800 0 40 0 3000 0 0 0 0\n"
	    "   7       0 loop0 5 0 10 0 0 0 0 0 0 0 0\n"
	    " 253       0 vdb 1 0 2 0 3 0 6 0 0 0 0\n";
	char net[] =
	    "Inter-|   Receive                                                |  Transmit\n"
	    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
	    "    lo: 5000 10 0 0 0 0 0 0 5000 10 0 0 0 0 0 0\n"
	    "  eth0: 300 3 0 0 0 0 0 0 700 7 0 0 0 0 0 0\n"
	    "  eth1: 1 1 0 0 0 0 0 0 2 1 0 0 0 0 0 0\n";
	uint64_t a, b;

	ck_assert_int_eq(trend_parse_cpu("cpu  10 20 30 400 5 6 7 8 0 0\n"
	    "cpu0 1 2 3 4\n", &a, &b), 0);
	ck_assert_uint_eq(a, 486);
	ck_assert_uint_eq(b, 405);
	ck_assert_int_eq(trend_parse_cpu("cpu0 1 2 3 4\n", &a, &b), -1);
	ck_assert_int_eq(trend_parse_cpu("cpu  1 2\n", &a, &b), -1);
	/* whole disks only: a partition's bytes are its disk's already */
	ck_assert_int_eq(trend_parse_disks(disks, whole_sd, &a, &b), 0);
	ck_assert_uint_eq(a, (2000 + 2) * 512);
	ck_assert_uint_eq(b, (4000 + 6) * 512);
	ck_assert_int_eq(trend_parse_network(net, &a, &b), 0);
	ck_assert_uint_eq(a, 301);
	ck_assert_uint_eq(b, 702);
}
END_TEST

/* A status file as ssd leaves it: the status in its atime and mtime. */
static void
ss_host(const char *dir, const char *name, const Csstat_t *st, time_t ctime_ago)
{
	struct timespec ts[2];
	uint32_t a, m;
	char *p = tu_path(dir, name);

	(void)ctime_ago;
	tu_write_file(p, "", 0);
	csstat_encode(st, &a, &m);
	ts[0].tv_sec = a;
	ts[0].tv_nsec = 0;
	ts[1].tv_sec = m;
	ts[1].tv_nsec = 0;
	ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	free(p);
}

static json_t *
host_named(json_t *hosts, const char *name)
{
	json_t *h;
	size_t i;

	json_array_foreach(hosts, i, h)
		if (strcmp(json_string_value(json_object_get(h, "name")),
		    name) == 0)
			return h;
	return NULL;
}

START_TEST(suite_ss_table)
{
	char *dir = tu_tmpdir(), *p;
	Csstat_t up = { 3600, 60, 96, 10, 5, 2 }, down = { 0, 0, 0, 0, 0, 0 };
	json_t *o, *hosts, *h;

	ss_host(dir, "alpha", &up, 0);
	ss_host(dir, "beta", &down, 0);
	ss_host(dir, ".log", &up, 0);		/* not a host */
	p = tu_path(dir, "gamma");
	ck_assert_int_eq(symlink("alpha", p), 0);	/* not a file */
	free(p);
	o = suite_ss(dir);
	ck_assert(json_is_true(json_object_get(o, "available")));
	ck_assert_str_eq(json_string_value(json_object_get(o, "directory")),
	    dir);
	hosts = json_object_get(o, "hosts");
	ck_assert_int_eq(json_array_size(hosts), 2);
	h = host_named(hosts, "alpha");
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(json_string_value(json_object_get(h, "state")), "up");
	ck_assert_int_eq(json_integer_value(json_object_get(h,
	    "uptime_seconds")), 3600);
	ck_assert_int_eq(json_integer_value(json_object_get(h, "users")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(h,
	    "idle_seconds")), 60);
	ck_assert_int_eq(json_integer_value(json_object_get(h,
	    "usr_percent")), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(h,
	    "sys_percent")), 5);
	ck_assert_double_eq_tol(json_real_value(json_object_get(h, "load1")),
	    0.96, 1e-9);
	h = host_named(hosts, "beta");
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(json_string_value(json_object_get(h, "state")),
	    "down");
	json_decref(o);
	tu_rmtree(dir);
	/* no directory: said plainly */
	o = suite_ss(dir);
	ck_assert(json_is_false(json_object_get(o, "available")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(o,
	    "reason")), dir));
	json_decref(o);
	free(dir);
}
END_TEST

START_TEST(suite_statd_file)
{
	json_t *o, *m, *e;
	size_t i;
	int seen = 0;

	/* what rpc.statd -l lists for the same file: state 5, two entries,
	   fe80::1 waiting for its notification */
	o = suite_statd(STATUSFILES "typical", "/nonexistent/statd.pid");
	ck_assert(json_is_true(json_object_get(o, "available")));
	ck_assert(json_is_false(json_object_get(o, "running")));
	ck_assert_int_eq(json_integer_value(json_object_get(o, "state")), 5);
	m = json_object_get(o, "monitored");
	ck_assert_int_eq(json_array_size(m), 2);
	json_array_foreach(m, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "mon_name")),
		    "198.18.0.2") == 0) {
			ck_assert_str_eq(json_string_value(json_object_get(e,
			    "my_name")), "nfs1");
			ck_assert_int_eq(json_integer_value(json_object_get(e,
			    "proc")), 16);
			seen++;
		}
		ck_assert_ptr_null(json_object_get(e, "priv"));
	}
	ck_assert_int_eq(seen, 1);
	m = json_object_get(o, "pending");
	ck_assert_int_eq(json_array_size(m), 1);
	e = json_array_get(m, 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "host")),
	    "fe80::1");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "state")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "since_ms")),
	    1700000000000LL);
	json_decref(o);

	/* a torn tail is left alone (not cut: smsd never writes) */
	o = suite_statd(STATUSFILES "torn-tail", "/nonexistent/statd.pid");
	ck_assert(json_is_true(json_object_get(o, "available")));
	ck_assert_int_eq(json_integer_value(json_object_get(o, "state")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "damaged")), 1);
	json_decref(o);
	/* records with names statd refuses are not understood, skipped */
	o = suite_statd(STATUSFILES "bad-names", "/nonexistent/statd.pid");
	ck_assert_int_eq(json_array_size(json_object_get(o, "monitored")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(o,
	    "records_not_understood")), 4);
	json_decref(o);

	o = suite_statd("/nonexistent/statd.status", "/nonexistent/pid");
	ck_assert(json_is_false(json_object_get(o, "available")));
	ck_assert(json_is_false(json_object_get(o, "running")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(o,
	    "reason")), "not installed"));
	json_decref(o);
}
END_TEST

START_TEST(suite_statd_unchanged)
{
	char *dir = tu_tmpdir(), *p, *copy, *after;
	size_t len, len2;
	json_t *o;

	/* the torn file is replayed, and stays exactly as it was */
	copy = tu_read_file(STATUSFILES "torn-tail", &len);
	p = tu_path(dir, "statd.status");
	tu_write_file(p, copy, len);
	o = suite_statd(p, "/nonexistent/pid");
	ck_assert(json_is_true(json_object_get(o, "available")));
	json_decref(o);
	after = tu_read_file(p, &len2);
	ck_assert_uint_eq(len, len2);
	ck_assert_int_eq(memcmp(copy, after, len), 0);
	free(after);
	free(copy);
	free(p);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(nsmstate_records)
{
	/* M, then A for its (my, prog, vers, proc), then N and D */
	static const unsigned char mrec[] = { 'M', 0x55, 0x86, 1, 0, 4, 0, 0,
	    0, 16, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	    2, 0, 2, 0, 'h', '1', 'm', 'e' };
	static const unsigned char arec[] = { 'A', 0x55, 0x86, 1, 0, 4, 0, 0,
	    0, 16, 0, 0, 0, 2, 0, 'm', 'e' };
	static const unsigned char nrec[] = { 'N', 7, 0, 0, 0, 1, 0, 0, 0, 0,
	    0, 0, 0, 2, 0, 'h', '2' };
	static const unsigned char drec[] = { 'D', 2, 0, 'h', '2' };
	static const unsigned char slash[] = { 'D', 2, 0, 'h', '/' };
	json_t *st = nsmstate_new(), *v;

	ck_assert_int_eq(nsmstate_apply(st, mrec, sizeof(mrec)), 0);
	ck_assert_int_eq(nsmstate_apply(st, nrec, sizeof(nrec)), 0);
	v = nsmstate_view(st);
	ck_assert_int_eq(json_array_size(json_object_get(v, "monitored")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(v, "pending")), 1);
	json_decref(v);
	ck_assert_int_eq(nsmstate_apply(st, arec, sizeof(arec)), 0);
	ck_assert_int_eq(nsmstate_apply(st, drec, sizeof(drec)), 0);
	ck_assert_int_eq(nsmstate_apply(st, slash, sizeof(slash)), 0);
	ck_assert_int_eq(nsmstate_apply(st, mrec, sizeof(mrec) - 1), 0);
	v = nsmstate_view(st);
	ck_assert_int_eq(json_array_size(json_object_get(v, "monitored")), 0);
	ck_assert_int_eq(json_array_size(json_object_get(v, "pending")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(v,
	    "records_not_understood")), 2);
	ck_assert(json_is_null(json_object_get(v, "state")));
	json_decref(v);
	json_decref(st);
}
END_TEST

static Suite *
station_suite(void)
{
	Suite *s = suite_create("smsd_station");
	TCase *tc = tcase_create("station");

	tcase_add_test(tc, station_names);
	tcase_add_test(tc, station_routes);
	tcase_add_test(tc, member_routes);
	tcase_add_test(tc, software_paging);
	tcase_add_test(tc, accept_rule);
	tcase_add_test(tc, etag_lists);
	tcase_add_test(tc, station_files);
	suite_add_tcase(s, tc);
	tc = tcase_create("history");
	tcase_add_test(tc, trend_rates);
	tcase_add_test(tc, trend_wraps);
	tcase_add_test(tc, trend_parsers);
	suite_add_tcase(s, tc);
	tc = tcase_create("suite");
	tcase_add_test(tc, suite_ss_table);
	tcase_add_test(tc, suite_statd_file);
	tcase_add_test(tc, suite_statd_unchanged);
	tcase_add_test(tc, nsmstate_records);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(station_suite)
