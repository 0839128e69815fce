/*
 * The import of nfs-utils' statd folder (src/statd/import.c): the sm/ line
 * parser with good, damaged and hostile lines, the folder reader (links,
 * odd names, huge files, FIFOs), the state file, and a whole first start
 * that takes sm/, sm.bak/ and state into a new status file.
 */
#include <sys/stat.h>
#include <sys/time.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check_main.h"
#include "log.h"
#include "../../../src/statd/statd.h"
#include "../testutil.h"

#define ADDR_IDS "0100007f 000186b5 00000004 00000010 "
#define PRIV_HEX "00112233445566778899aabbccddeeff"
#define GOOD	ADDR_IDS PRIV_HEX " client1 nfs1"

static int
parse(const char *s, struct nsm_rec *r)
{
	return nsm_parse_line(s, strlen(s), r);
}

START_TEST(test_parse_good)
{
	struct nsm_rec r;
	int i;

	ck_assert_int_eq(parse(GOOD, &r), 0);
	ck_assert_uint_eq(r.addr, 0x0100007f);
	ck_assert_uint_eq(r.prog, 100021);
	ck_assert_uint_eq(r.vers, 4);
	ck_assert_uint_eq(r.proc, 16);
	for (i = 0; i < SM_PRIV_SIZE; i++)
		ck_assert_uint_eq(r.priv[i], (unsigned)(i * 0x11));
	ck_assert_str_eq(r.mon_name, "client1");
	ck_assert_str_eq(r.my_name, "nfs1");
	/* The newline nfs-utils writes, and upper-case digits. */
	ck_assert_int_eq(parse(GOOD "\n", &r), 0);
	ck_assert_str_eq(r.my_name, "nfs1");
	ck_assert_int_eq(parse("0100007F 000186B5 00000004 00000018 "
	    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 198.18.0.5 srv", &r), 0);
	ck_assert_uint_eq(r.proc, 24);
	ck_assert_uint_eq(r.priv[15], 0xff);
	ck_assert_str_eq(r.mon_name, "198.18.0.5");
}
END_TEST

START_TEST(test_parse_damaged)
{
	static const char *bad[] = {
		"",
		"\n",
		ADDR_IDS,
		ADDR_IDS PRIV_HEX,
		ADDR_IDS PRIV_HEX " ",
		ADDR_IDS PRIV_HEX " client1",
		ADDR_IDS PRIV_HEX " client1 ",
		ADDR_IDS PRIV_HEX " client1 nfs1 ",
		ADDR_IDS PRIV_HEX " client1 nfs1 third",
		ADDR_IDS PRIV_HEX "  client1 nfs1",
		ADDR_IDS PRIV_HEX " client1  nfs1",
		/* bad hex in each field */
		"0100007g 000186b5 00000004 00000010 " PRIV_HEX " c n",
		"0100007f 000186x5 00000004 00000010 " PRIV_HEX " c n",
		"0100007f 000186b5 0000000- 00000010 " PRIV_HEX " c n",
		"0100007f 000186b5 00000004 0000001 0 " PRIV_HEX " c n",
		ADDR_IDS "00112233445566778899aabbccddeefz c n",
		ADDR_IDS "0011223344556677 8899aabbccddeeff c n",
		/* fields of the wrong width */
		"100007f 000186b5 00000004 00000010 " PRIV_HEX " c n",
		"0100007f0 000186b5 00000004 00000010 " PRIV_HEX " c n",
		ADDR_IDS PRIV_HEX "0 c n",
		ADDR_IDS "00112233445566778899aabbccddeef c n",
		/* a tab, not a blank */
		"0100007f\t000186b5 00000004 00000010 " PRIV_HEX " c n",
		/* a sign strtoul would take */
		"+100007f 000186b5 00000004 00000010 " PRIV_HEX " c n",
	};
	struct nsm_rec r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], &r) == -1, "taken: \"%s\"",
		    bad[i]);
}
END_TEST

START_TEST(test_parse_hostile)
{
	static const char *bad[] = {
		ADDR_IDS PRIV_HEX " ../../etc/passwd nfs1",
		ADDR_IDS PRIV_HEX " a/b nfs1",
		ADDR_IDS PRIV_HEX " .hidden nfs1",
		ADDR_IDS PRIV_HEX " .. nfs1",
		ADDR_IDS PRIV_HEX " client1 ../x",
		ADDR_IDS PRIV_HEX " client1 nf\x01s",
		ADDR_IDS PRIV_HEX " cli\x7f" "ent nfs1",
		ADDR_IDS PRIV_HEX " caf\xc3\xa9 nfs1",
		ADDR_IDS PRIV_HEX " client1 nfs1\r",
	};
	char line[NSM_LINE_MAX + 64];
	struct nsm_rec r;
	size_t i, at;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], &r) == -1, "taken: \"%s\"",
		    bad[i]);
	/* An embedded NUL: the length says more than the C string. */
	ck_assert_int_eq(nsm_parse_line(GOOD "\0x", sizeof(GOOD) + 1, &r),
	    -1);

	/* Names of exactly SM_MAXSTRLEN are taken, one more is not. */
	at = (size_t)snprintf(line, sizeof(line), "%s", ADDR_IDS PRIV_HEX " ");
	memset(line + at, 'm', SM_MAXSTRLEN);
	at += SM_MAXSTRLEN;
	line[at++] = ' ';
	memset(line + at, 'y', SM_MAXSTRLEN);
	at += SM_MAXSTRLEN;
	line[at] = '\0';
	ck_assert_uint_eq(at, NSM_LINE_MAX);
	ck_assert_int_eq(nsm_parse_line(line, at, &r), 0);
	ck_assert_uint_eq(strlen(r.mon_name), SM_MAXSTRLEN);
	ck_assert_uint_eq(strlen(r.my_name), SM_MAXSTRLEN);
	/* mon_name one longer (my_name one shorter: the same length). */
	at = strlen(ADDR_IDS PRIV_HEX " ");
	memset(line + at, 'm', SM_MAXSTRLEN + 1);
	line[at + SM_MAXSTRLEN + 1] = ' ';
	ck_assert_int_eq(nsm_parse_line(line, NSM_LINE_MAX, &r), -1);
	/* Longer than any good line. */
	memset(line, 'a', sizeof(line));
	ck_assert_int_eq(nsm_parse_line(line, NSM_LINE_MAX + 1, &r), -1);
}
END_TEST

static int	nseen;
static char	seen[8][3 * (SM_MAXSTRLEN + 1)];

static void
count_rec(const char *file, const struct nsm_rec *r, void *arg)
{
	(void)arg;
	if (nseen < 8)
		snprintf(seen[nseen], sizeof(seen[0]), "%s:%s:%s", file,
		    r->mon_name, r->my_name);
	nseen++;
}

START_TEST(test_parse_buf)
{
	static const char buf[] =
	    ADDR_IDS PRIV_HEX " c1 srvA\n"
	    "garbage\n"
	    ADDR_IDS PRIV_HEX " c1 srvB\n"
	    "\n"
	    ADDR_IDS PRIV_HEX " c1 srvC";	/* no newline at the end */
	struct nsm_stats st;

	memset(&st, 0, sizeof(st));
	nseen = 0;
	tu_log_capture_start();
	nsm_parse_buf(buf, sizeof(buf) - 1, "c1", count_rec, NULL, &st);
	tu_log_capture_stop();
	ck_assert_int_eq(nseen, 3);
	ck_assert_str_eq(seen[0], "c1:c1:srvA");
	ck_assert_str_eq(seen[1], "c1:c1:srvB");
	ck_assert_str_eq(seen[2], "c1:c1:srvC");
	ck_assert_uint_eq(st.lines, 3);
	ck_assert_uint_eq(st.bad_lines, 2);
	ck_assert(tu_log_contains("c1: line 2 not understood"));
	ck_assert(tu_log_contains("c1: line 4 not understood"));
}
END_TEST

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
	tu_rmtree(dir);
	free(dir);
}

/* base/sub/name holding text; sub is made if missing. */
static void
put_in(const char *base, const char *sub, const char *name, const char *text)
{
	char *d = tu_path(base, sub), *p = tu_path(d, name);

	(void)mkdir(d, 0755);
	tu_write_file(p, text, strlen(text));
	free(p);
	free(d);
}

static void
put(const char *sub, const char *name, const char *text)
{
	put_in(dir, sub, name, text);
}

START_TEST(test_read_dir)
{
	struct nsm_stats st;
	char *sm = tu_path(dir, "sm"), *p, *big;
	char *outside = tu_path(dir, "outside");
	size_t i;
	int r;

	ck_assert_int_eq(nsm_read_dir(sm, count_rec, NULL, &st), 1);
	put("sm", "c1", ADDR_IDS PRIV_HEX " c1 nfs1\n"
	    ADDR_IDS PRIV_HEX " c1 nfs2\n");
	put("sm", "198.18.0.9", ADDR_IDS PRIV_HEX " 198.18.0.9 nfs1\n");
	/* nfs-utils' temporary file, and a hidden one. */
	put("sm", ".c1.new", ADDR_IDS PRIV_HEX " c1 tmp\n");
	/* A link to a file outside: never followed. */
	tu_write_file(outside, ADDR_IDS PRIV_HEX " secret nfs1\n",
	    strlen(ADDR_IDS PRIV_HEX " secret nfs1\n"));
	p = tu_path(sm, "evil");
	ck_assert_int_eq(symlink(outside, p), 0);
	free(p);
	/* A FIFO would block a plain open. */
	p = tu_path(sm, "fifo");
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	free(p);
	/* A folder. */
	p = tu_path(sm, "sub");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
	/* A huge file: skipped whole, not read into memory. */
	big = malloc(NSM_FILE_MAX + 2);
	ck_assert_ptr_nonnull(big);
	for (i = 0; i < NSM_FILE_MAX + 1; i++)
		big[i] = i % 80 == 79 ? '\n' : 'x';
	p = tu_path(sm, "huge");
	tu_write_file(p, big, NSM_FILE_MAX + 1);
	free(p);
	free(big);
	/* A file with a name sm_name_valid refuses. */
	put("sm", "bad name", ADDR_IDS PRIV_HEX " c9 nfs1\n");
	/* A damaged file among good ones. */
	put("sm", "c2", "0100007f 000186b5 zz\n");

	nseen = 0;
	tu_log_capture_start();
	r = nsm_read_dir(sm, count_rec, NULL, &st);
	tu_log_capture_stop();
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(nseen, 3);
	ck_assert_uint_eq(st.lines, 3);
	ck_assert_uint_eq(st.bad_lines, 1);
	/* c1, 198.18.0.9, c2 read; .c1.new, bad name, evil, fifo, sub, huge. */
	ck_assert_uint_eq(st.files, 3);
	ck_assert_uint_eq(st.bad_files, 6);
	ck_assert(tu_log_contains("huge"));
	ck_assert(!strstr(tu_log_text(), "secret"));
	free(sm);
	free(outside);
}
END_TEST

START_TEST(test_read_state)
{
	char *p = tu_path(dir, "state");
	int64_t mt = 0;
	int s = -1, v;

	ck_assert_int_eq(nsm_read_state(p, &s, &mt), 1);
	v = 41;
	tu_write_file(p, &v, sizeof(v));
	ck_assert_int_eq(nsm_read_state(p, &s, &mt), 0);
	ck_assert_int_eq(s, 41);
	ck_assert_int_gt(mt, 0);
	tu_log_capture_start();
	tu_write_file(p, "", 0);
	ck_assert_int_eq(nsm_read_state(p, &s, &mt), -1);
	tu_write_file(p, "\x29\0\0", 3);
	ck_assert_int_eq(nsm_read_state(p, &s, &mt), -1);
	tu_write_file(p, "\x29\0\0\0\0", 5);
	ck_assert_int_eq(nsm_read_state(p, &s, &mt), -1);
	v = -5;
	tu_write_file(p, &v, sizeof(v));
	ck_assert_int_eq(nsm_read_state(p, &s, &mt), -1);
	v = 0;
	tu_write_file(p, &v, sizeof(v));
	ck_assert_int_eq(nsm_read_state(p, &s, &mt), -1);
	tu_log_capture_stop();
	ck_assert_int_eq(s, 41);
	ck_assert_int_eq(import_next_state(41), 43);
	ck_assert_int_eq(import_next_state(42), 43);
	ck_assert_int_eq(import_next_state(1), 3);
	free(p);
}
END_TEST

/* A whole first start: what main() does on a new status file. */

static char *spath;

static int
first_start(const char *nfsdir)
{
	struct store_replay rp;

	memset(&conf, 0, sizeof(conf));
	conf.statusfile = spath;
	conf.max_entries = 1000000;
	conf.max_bytes = STATD_DEFAULT_MAX_BYTES;
	conf.allowed_progs[0] = STATD_NLM_PROG;
	conf.nallowed = 1;
	conf.myname = "nfs1";
	sm_local_names_init("nfs1");
	memcpy(sm_boot_id, "11111111-2222-3333-4444-555555555555", 37);
	sm_state = 1;
	mon_init();
	ck_assert_int_eq(store_open(spath, &rp), 0);
	ck_assert(rp.is_new);
	return import_nfs_utils(nfsdir);
}

static void
end_start(void)
{
	store_close();
	notify_free();
	mon_free();
	timers_free();
	sm_local_names_free();
}

static void
setup_start(void)
{
	setup();
	spath = tu_path(dir, "statd.status");
}

static void
teardown_start(void)
{
	free(spath);
	teardown();
}

struct want {
	const char	*name;
	int		 found, state;
};

static void
find_pending(const char *name, int state, int64_t since, void *arg)
{
	struct want *w = arg;

	(void)since;
	if (strcmp(name, w->name) == 0) {
		w->found++;
		w->state = state;
	}
}

static int
pending_state(const char *name)
{
	struct want w = { name, 0, 0 };

	notify_foreach(find_pending, &w);
	return w.found == 1 ? w.state : -1;
}

START_TEST(test_import_same_boot)
{
	char *nfs = tu_path(dir, "nfs"), *p;
	struct sm_entry *e;
	FILE *f;
	char *out = NULL;
	size_t outlen = 0;
	int v = 57;

	ck_assert_int_eq(mkdir(nfs, 0755), 0);
	p = tu_path(nfs, "state");
	tu_write_file(p, &v, sizeof(v));
	free(p);
	put_in(nfs, "sm", "c1", ADDR_IDS PRIV_HEX " c1 nfs1\n");
	put_in(nfs, "sm", "c2", "0100007f 000186b5 00000004 00000018 "
	    "0000000000000000000000000000000a c2 nfs1\n");
	/* A program other than NLM: not called back by default (-a). */
	put_in(nfs, "sm", "c3", "0100007f 00000001 00000004 00000010 "
	    PRIV_HEX " c3 nfs1\n");
	put_in(nfs, "sm.bak", "c4", ADDR_IDS PRIV_HEX " c4 nfs1\n");

	tu_log_capture_start();
	ck_assert_int_eq(first_start(nfs), 1);
	tu_log_capture_stop();
	ck_assert(tu_log_contains("imported from nfs-utils'"));
	ck_assert(tu_log_contains("state 57, now 59"));
	ck_assert_int_eq(sm_state, 59);
	ck_assert_uint_eq(mon_count(), 2);
	e = mon_find("c1", "nfs1", 100021, 4, 16);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->priv[1], 0x11);
	e = mon_find("c2", "nfs1", 100021, 4, 24);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->priv[15], 0x0a);
	ck_assert_ptr_null(mon_find("c3", "nfs1", 1, 4, 16));
	ck_assert_int_eq(pending_state("c4"), 59);
	ck_assert_uint_eq(notify_pending(), 1);
	end_start();

	/* All of it is in the status file: -l shows it, without nfs/. */
	tu_rmtree(nfs);
	f = open_memstream(&out, &outlen);
	ck_assert_ptr_nonnull(f);
	mon_init();
	ck_assert_int_eq(store_list(spath, f, 0), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "state 59 "));
	ck_assert_ptr_nonnull(strstr(out, "monitor c1 by nfs1 prog 100021 "
	    "vers 4 proc 16 priv " PRIV_HEX));
	ck_assert_ptr_nonnull(strstr(out, "monitor c2 by nfs1 prog 100021 "
	    "vers 4 proc 24"));
	ck_assert_ptr_nonnull(strstr(out, "notify c4 state 59"));
	free(out);
	notify_free();
	mon_free();
	free(nfs);
}
END_TEST

/* State written before this boot: sm/'s hosts are owed a notification. */
START_TEST(test_import_after_reboot)
{
	char *nfs = tu_path(dir, "nfs"), *p;
	struct timeval tv[2] = { { 1000, 0 }, { 1000, 0 } };
	int v = 8;

	ck_assert_int_eq(mkdir(nfs, 0755), 0);
	p = tu_path(nfs, "state");
	tu_write_file(p, &v, sizeof(v));
	ck_assert_int_eq(utimes(p, tv), 0);
	free(p);
	put_in(nfs, "sm", "c1", ADDR_IDS PRIV_HEX " c1 nfs1\n");

	tu_log_capture_start();
	ck_assert_int_eq(first_start(nfs), 1);
	tu_log_capture_stop();
	ck_assert(tu_log_contains("rebooted since nfs-utils' statd"));
	/* 9 from the import, 11 after the reboot. */
	ck_assert_int_eq(sm_state, 11);
	ck_assert_uint_eq(mon_count(), 0);
	ck_assert_int_eq(pending_state("c1"), 11);
	end_start();
	free(nfs);
}
END_TEST

START_TEST(test_import_nothing)
{
	char *nfs = tu_path(dir, "nfs"), *p;

	/* No folder at all, or a folder without statd's files. */
	ck_assert_int_eq(first_start(nfs), 0);
	ck_assert_uint_eq(mon_count(), 0);
	end_start();
	ck_assert_int_eq(unlink(spath), 0);
	ck_assert_int_eq(mkdir(nfs, 0755), 0);
	ck_assert_int_eq(first_start(nfs), 0);
	end_start();
	/* Empty sm/ and sm.bak/, no state: as nfs-common installs them. */
	ck_assert_int_eq(unlink(spath), 0);
	p = tu_path(nfs, "sm");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
	p = tu_path(nfs, "sm.bak");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
	ck_assert_int_eq(first_start(nfs), 0);
	ck_assert_int_eq(sm_state, 1);
	end_start();
	free(nfs);
}
END_TEST

/* Hosts were watched, the state is gone: a state from the clock. */
START_TEST(test_import_state_lost)
{
	char *nfs = tu_path(dir, "nfs"), *p;

	ck_assert_int_eq(mkdir(nfs, 0755), 0);
	put_in(nfs, "sm.bak", "c4", ADDR_IDS PRIV_HEX " c4 nfs1\n");
	p = tu_path(nfs, "state");
	tu_write_file(p, "", 0);
	free(p);
	tu_log_capture_start();
	ck_assert_int_eq(first_start(nfs), 1);
	tu_log_capture_stop();
	ck_assert(tu_log_contains("no state read"));
	ck_assert_int_eq(sm_state, store_clock_floor());
	ck_assert_int_eq(sm_state & 1, 1);
	ck_assert_int_eq(pending_state("c4"), sm_state);
	end_start();
	free(nfs);
}
END_TEST

static Suite *
import_suite(void)
{
	Suite *s = suite_create("import");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_good);
	tcase_add_test(tc, test_parse_damaged);
	tcase_add_test(tc, test_parse_hostile);
	tcase_add_test(tc, test_parse_buf);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_read_dir);
	tcase_add_test(tc, test_read_state);
	suite_add_tcase(s, tc);

	tc = tcase_create("first_start");
	tcase_add_checked_fixture(tc, setup_start, teardown_start);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_import_same_boot);
	tcase_add_test(tc, test_import_after_reboot);
	tcase_add_test(tc, test_import_nothing);
	tcase_add_test(tc, test_import_state_lost);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(import_suite)
