/*
 * rpc.statd without its loop: name checks, address matching, the retry
 * ladder on a simulated clock, and the request handlers against a real
 * status file (replay, truncation, compaction, crash).  The protocol's XDR
 * has its own suite, check_xdr.c.
 */
#include <sys/stat.h>
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include "../check_main.h"
#include "log.h"
#include "reclog.h"
#include "../../../src/statd/statd.h"
#include "../testutil.h"

static const char BOOT_A[] = "11111111-2222-3333-4444-555555555555";

static struct sockaddr_in
v4(const char *a)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, a, &sin.sin_addr), 1);
	return sin;
}

static struct sockaddr_in6
v6(const char *a)
{
	struct sockaddr_in6 s6;

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, a, &s6.sin6_addr), 1);
	return s6;
}

/* Names */

START_TEST(test_name_valid)
{
	char big[SM_MAXSTRLEN + 2];

	ck_assert(sm_name_valid("host1", 5));
	ck_assert(sm_name_valid("198.18.0.1", 10));
	ck_assert(sm_name_valid("fe80::1", 7));
	ck_assert(sm_name_valid("a.b-c_d", 7));
	ck_assert(!sm_name_valid("", 0));
	ck_assert(!sm_name_valid(NULL, 0));
	ck_assert(!sm_name_valid(".hidden", 7));
	ck_assert(!sm_name_valid("..", 2));
	ck_assert(!sm_name_valid("a/b", 3));
	ck_assert(!sm_name_valid("../etc/passwd", 13));
	ck_assert(!sm_name_valid("a b", 3));
	ck_assert(!sm_name_valid("a\nb", 3));
	ck_assert(!sm_name_valid("a\x7f", 2));
	ck_assert(!sm_name_valid("caf\xc3\xa9", 5));
	/* an embedded NUL: the XDR length says 3, the C string 1 */
	ck_assert(!sm_name_valid("a\0b", 3));
	memset(big, 'x', sizeof(big));
	big[SM_MAXSTRLEN] = '\0';
	ck_assert(sm_name_valid(big, SM_MAXSTRLEN));
	big[SM_MAXSTRLEN] = 'x';
	big[SM_MAXSTRLEN + 1] = '\0';
	ck_assert(!sm_name_valid(big, SM_MAXSTRLEN + 1));
}
END_TEST

START_TEST(test_name_local)
{
	sm_local_names_init("nfs1.example");
	ck_assert(sm_name_is_local("localhost"));
	ck_assert(sm_name_is_local("LOCALHOST"));
	ck_assert(sm_name_is_local("nfs1.example"));
	ck_assert(sm_name_is_local("127.0.0.1"));
	ck_assert(sm_name_is_local("127.9.9.9"));
	ck_assert(sm_name_is_local("::1"));
	ck_assert(!sm_name_is_local("nfs2.example"));
	ck_assert(!sm_name_is_local("198.19.255.254"));
	ck_assert(!sm_name_is_local("8.8.8.8"));
	sm_local_names_free();
}
END_TEST

START_TEST(test_addr_equal)
{
	struct sockaddr_in a = v4("198.18.0.1"), b = v4("198.18.0.1"),
	    c = v4("198.18.0.2");
	struct sockaddr_in6 m = v6("::ffff:198.18.0.1"), l = v6("::1"),
	    l2 = v6("::1");

	b.sin_port = htons(111);	/* ports do not matter */
	ck_assert(sm_addr_equal((struct sockaddr *)&a, (struct sockaddr *)&b));
	ck_assert(!sm_addr_equal((struct sockaddr *)&a, (struct sockaddr *)&c));
	ck_assert(sm_addr_equal((struct sockaddr *)&a, (struct sockaddr *)&m));
	ck_assert(sm_addr_equal((struct sockaddr *)&m, (struct sockaddr *)&a));
	ck_assert(sm_addr_equal((struct sockaddr *)&l, (struct sockaddr *)&l2));
	ck_assert(!sm_addr_equal((struct sockaddr *)&l, (struct sockaddr *)&a));
	ck_assert(sm_addr_is_loopback((struct sockaddr *)&l));
	ck_assert(!sm_addr_is_loopback((struct sockaddr *)&a));
	a = v4("127.0.0.53");
	ck_assert(sm_addr_is_loopback((struct sockaddr *)&a));
	m = v6("::ffff:127.0.0.1");
	ck_assert(sm_addr_is_loopback((struct sockaddr *)&m));
}
END_TEST

/* The retry ladder, walked on a simulated clock. */

START_TEST(test_ladder_steps)
{
	ck_assert_int_eq(notify_next_delay(0, 1), 1000);
	ck_assert_int_eq(notify_next_delay(1000, 2), 2000);
	ck_assert_int_eq(notify_next_delay(3000, 3), 4000);
	ck_assert_int_eq(notify_next_delay(300000, 20), 60000);
	ck_assert_int_eq(notify_next_delay(10 * 60 * 1000, 30), 3600000);
	ck_assert_int_eq(notify_next_delay(24 * 3600 * 1000LL - 5000, 50),
	    5000);
	ck_assert_int_eq(notify_next_delay(24 * 3600 * 1000LL, 51), -1);
	ck_assert_int_eq(notify_next_delay(30 * 24 * 3600 * 1000LL, 1), -1);
}
END_TEST

START_TEST(test_ladder_schedule)
{
	int64_t now = 0, d, last_gap = 0;
	unsigned attempts = 0, in_first_10min = 0, hourly = 0;

	for (;;) {
		attempts++;
		if (now < 10 * 60 * 1000)
			in_first_10min++;
		d = notify_next_delay(now, attempts);
		if (d < 0)
			break;
		ck_assert_int_gt(d, 0);
		if (now >= 10 * 60 * 1000 && d == 3600000)
			hourly++;
		last_gap = d;
		now += d;
		ck_assert_int_lt(attempts, 1000);	/* never spins */
	}
	/* Frequent for ten minutes: 1, 2, 4 ... 32 s, then every minute. */
	ck_assert_uint_ge(in_first_10min, 12);
	ck_assert_uint_le(in_first_10min, 16);
	/* Hourly until a day has passed, then given up, exactly at 24 h. */
	ck_assert_uint_ge(hourly, 22);
	ck_assert_int_eq(now, 24 * 3600 * 1000LL);
	ck_assert_int_le(last_gap, 3600000);
}
END_TEST

/* Handlers against a real status file. */

static char *dir, *path;
static struct sockaddr_in lo, remote;

static void
setup(void)
{
	log_init(1, 0);
	log_setverbose(0);
	dir = tu_tmpdir();
	path = tu_path(dir, "statd.status");
	memset(&conf, 0, sizeof(conf));
	conf.statusfile = path;
	conf.max_entries = 1000000;
	conf.allowed_progs[0] = STATD_NLM_PROG;
	conf.nallowed = 1;
	conf.myname = "nfs1";
	sm_local_names_init("nfs1");
	memcpy(sm_boot_id, BOOT_A, sizeof(BOOT_A));
	sm_state = 1;
	lo = v4("127.0.0.1");
	remote = v4("198.18.0.77");
}

static void
teardown(void)
{
	store_close();
	notify_free();
	mon_free();
	timers_free();
	sm_local_names_free();
	tu_rmtree(dir);
	free(dir);
	free(path);
}

static void
open_store(void)
{
	struct store_replay rp = { 0, 0, "" };

	mon_init();
	ck_assert_int_eq(store_open(path, &rp), 0);
	if (rp.have_state)
		sm_state = rp.state;
	else {
		ck_assert_int_eq(store_state(sm_state, sm_boot_id), 0);
		ck_assert_int_eq(store_commit(), 0);
	}
}

static void
reopen_store(void)
{
	store_close();
	notify_free();
	mon_free();
	open_store();
}

static int
do_mon(const char *mon_name, const char *my_name, int prog, int proc,
    const char *priv, const struct sockaddr_in *caller)
{
	mon m;
	sm_stat_res res;

	memset(&m, 0, sizeof(m));
	m.mon_id.mon_name = (char *)(uintptr_t)mon_name;
	m.mon_id.my_id.my_name = (char *)(uintptr_t)my_name;
	m.mon_id.my_id.my_prog = prog;
	m.mon_id.my_id.my_vers = 4;
	m.mon_id.my_id.my_proc = proc;
	memcpy(m.priv, priv, 16);
	ck_assert_int_eq(sm_handle_mon(&m, (const struct sockaddr *)caller,
	    &res), 0);
	ck_assert_int_eq(res.state, sm_state);
	return res.res_stat == stat_succ;
}

static void
do_unmon(const char *mon_name, const char *my_name)
{
	mon_id id;
	sm_stat res;

	id.mon_name = (char *)(uintptr_t)mon_name;
	id.my_id.my_name = (char *)(uintptr_t)my_name;
	id.my_id.my_prog = STATD_NLM_PROG;
	id.my_id.my_vers = 4;
	id.my_id.my_proc = 16;
	ck_assert_int_eq(sm_handle_unmon(&id, (struct sockaddr *)&lo, &res), 0);
	ck_assert_int_eq(res.state, sm_state);
}

static off_t
file_size(void)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_size;
}

START_TEST(test_mon_checks)
{
	sm_stat_res res;
	sm_name n;

	open_store();
	ck_assert(do_mon("client1", "localhost", STATD_NLM_PROG, 16,
	    "0123456789abcdef", &lo));
	ck_assert(do_mon("198.18.0.9", "nfs1", STATD_NLM_PROG, 16,
	    "0123456789abcdef", &lo));
	/* Only from loopback. */
	ck_assert(!do_mon("client2", "localhost", STATD_NLM_PROG, 16,
	    "0123456789abcdef", &remote));
	/* Never to call back another host, or an unlisted program. */
	ck_assert(!do_mon("client2", "otherhost", STATD_NLM_PROG, 16,
	    "0123456789abcdef", &lo));
	ck_assert(!do_mon("client2", "localhost", 100005, 16,
	    "0123456789abcdef", &lo));
	/* Names that could become paths or fool a log reader. */
	ck_assert(!do_mon("../etc", "localhost", STATD_NLM_PROG, 16,
	    "0123456789abcdef", &lo));
	ck_assert(!do_mon("a\033[2J", "localhost", STATD_NLM_PROG, 16,
	    "0123456789abcdef", &lo));
	ck_assert(!do_mon("", "localhost", STATD_NLM_PROG, 16,
	    "0123456789abcdef", &lo));
	ck_assert_uint_eq(mon_count(), 2);

	n.mon_name = (char *)(uintptr_t)"anyhost";
	ck_assert_int_eq(sm_handle_stat(&n, &res), 0);
	ck_assert_int_eq(res.res_stat, stat_succ);
	n.mon_name = (char *)(uintptr_t)"bad/name";
	ck_assert_int_eq(sm_handle_stat(&n, &res), 0);
	ck_assert_int_eq(res.res_stat, stat_fail);
}
END_TEST

START_TEST(test_mon_full)
{
	sm_stat_res res;
	sm_name n = { (char *)(uintptr_t)"x" };

	conf.max_entries = 2;
	open_store();
	ck_assert(do_mon("a", "localhost", STATD_NLM_PROG, 16, "aaaaaaaaaaaaaaaa", &lo));
	ck_assert(do_mon("b", "localhost", STATD_NLM_PROG, 16, "bbbbbbbbbbbbbbbb", &lo));
	ck_assert(!do_mon("c", "localhost", STATD_NLM_PROG, 16, "cccccccccccccccc", &lo));
	/* An existing entry may still change its priv. */
	ck_assert(do_mon("a", "localhost", STATD_NLM_PROG, 16, "AAAAAAAAAAAAAAAA", &lo));
	ck_assert_int_eq(sm_handle_stat(&n, &res), 0);
	ck_assert_int_eq(res.res_stat, stat_fail);
	ck_assert_uint_eq(mon_count(), 2);
}
END_TEST

START_TEST(test_replay)
{
	struct sm_entry *e;
	off_t before;

	open_store();
	ck_assert(do_mon("client1", "localhost", STATD_NLM_PROG, 16, "1111111111111111", &lo));
	ck_assert(do_mon("client2", "localhost", STATD_NLM_PROG, 16, "2222222222222222", &lo));
	ck_assert(do_mon("client3", "localhost", STATD_NLM_PROG, 24, "3333333333333333", &lo));
	/* The same request again changes nothing on disk. */
	before = file_size();
	ck_assert(do_mon("client1", "localhost", STATD_NLM_PROG, 16, "1111111111111111", &lo));
	ck_assert_int_eq(file_size(), before);
	/* A new priv is recorded. */
	ck_assert(do_mon("client1", "localhost", STATD_NLM_PROG, 16, "9999999999999999", &lo));
	do_unmon("client2", "localhost");

	reopen_store();
	ck_assert_uint_eq(mon_count(), 2);
	e = mon_find("client1", "localhost", STATD_NLM_PROG, 4, 16);
	ck_assert_ptr_nonnull(e);
	ck_assert_mem_eq(e->priv, "9999999999999999", 16);
	ck_assert_ptr_null(mon_find("client2", "localhost", STATD_NLM_PROG, 4, 16));
	ck_assert_ptr_nonnull(mon_find("client3", "localhost", STATD_NLM_PROG, 4, 24));
}
END_TEST

START_TEST(test_unmon_all)
{
	my_id id;
	sm_stat res;

	open_store();
	ck_assert(do_mon("c1", "localhost", STATD_NLM_PROG, 16, "1111111111111111", &lo));
	ck_assert(do_mon("c2", "localhost", STATD_NLM_PROG, 16, "2222222222222222", &lo));
	ck_assert(do_mon("c3", "nfs1", STATD_NLM_PROG, 16, "3333333333333333", &lo));
	id.my_name = (char *)(uintptr_t)"localhost";
	id.my_prog = STATD_NLM_PROG;
	id.my_vers = 4;
	id.my_proc = 16;
	/* Not from outside. */
	ck_assert_int_eq(sm_handle_unmon_all(&id, (struct sockaddr *)&remote,
	    &res), 0);
	ck_assert_uint_eq(mon_count(), 3);
	ck_assert_int_eq(sm_handle_unmon_all(&id, (struct sockaddr *)&lo,
	    &res), 0);
	ck_assert_uint_eq(mon_count(), 1);
	reopen_store();
	ck_assert_uint_eq(mon_count(), 1);
	ck_assert_ptr_nonnull(mon_find("c3", "nfs1", STATD_NLM_PROG, 4, 16));
	/*
	 * A name no SM_MON could have stored matches nothing, and must not
	 * leave a record that every later start reports as not understood.
	 */
	id.my_name = (char *)(uintptr_t)"";
	ck_assert_int_eq(sm_handle_unmon_all(&id, (struct sockaddr *)&lo,
	    &res), 0);
	tu_log_capture_start();
	reopen_store();
	ck_assert_msg(!tu_log_contains("not understood"), "%s", tu_log_text());
	tu_log_capture_stop();
	ck_assert_uint_eq(mon_count(), 1);
}
END_TEST

/* Cut the file inside its last record: the ones before it stay. */
START_TEST(test_truncated_tail)
{
	off_t full, two;
	int cut;

	open_store();
	ck_assert(do_mon("c1", "localhost", STATD_NLM_PROG, 16, "1111111111111111", &lo));
	ck_assert(do_mon("c2", "localhost", STATD_NLM_PROG, 16, "2222222222222222", &lo));
	two = file_size();
	ck_assert(do_mon("c3", "localhost", STATD_NLM_PROG, 16, "3333333333333333", &lo));
	full = file_size();
	store_close();
	for (cut = 1; cut < full - two; cut++) {
		ck_assert_int_eq(truncate(path, two + cut), 0);
		mon_free();
		tu_log_capture_start();
		open_store();
		tu_log_capture_stop();
		ck_assert_uint_eq(mon_count(), 2);
		ck_assert(tu_log_contains("cut off"));
		ck_assert_int_eq(file_size(), two);
		store_close();
		/* Put the third record back for the next cut. */
		mon_free();
		open_store();
		ck_assert(do_mon("c3", "localhost", STATD_NLM_PROG, 16,
		    "3333333333333333", &lo));
		ck_assert_int_eq(file_size(), full);
		store_close();
	}
	mon_free();
	open_store();
}
END_TEST

/* A record with a good checksum but of an unknown kind is skipped. */
static int
emit_unknown(struct reclog *rl, void *arg)
{
	(void)arg;
	return reclog_append(rl, "Zzzz", 4);
}

START_TEST(test_unknown_record)
{
	struct reclog *rl;

	open_store();
	ck_assert(do_mon("c1", "localhost", STATD_NLM_PROG, 16, "1111111111111111", &lo));
	store_close();
	rl = reclog_open(path, RECLOG_BINARY, 4096, 0600, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(rl);
	ck_assert_int_eq(emit_unknown(rl, NULL), 0);
	ck_assert_int_eq(reclog_commit(rl), 0);
	reclog_close(rl);
	mon_free();
	notify_free();
	tu_log_capture_start();
	open_store();
	tu_log_capture_stop();
	ck_assert(tu_log_contains("not understood"));
	ck_assert_uint_eq(mon_count(), 1);
	ck_assert(do_mon("c2", "localhost", STATD_NLM_PROG, 16, "2222222222222222", &lo));
	reopen_store();
	ck_assert_uint_eq(mon_count(), 2);
}
END_TEST

/* Churn: dead records are compacted away, the file stays bounded. */
START_TEST(test_compaction_bounds_file)
{
	char name[32];
	int i;

	/* On tmpfs: this is about sizes, not about fsync speed. */
	tu_rmtree(dir);
	free(dir);
	free(path);
	ck_assert_int_eq(setenv("TMPDIR", "/dev/shm", 1), 0);
	dir = tu_tmpdir();
	path = tu_path(dir, "statd.status");
	conf.statusfile = path;
	open_store();
	ck_assert(do_mon("keeper", "localhost", STATD_NLM_PROG, 16, "kkkkkkkkkkkkkkkk", &lo));
	for (i = 0; i < 30000; i++) {
		snprintf(name, sizeof(name), "churn%d", i);
		ck_assert(do_mon(name, "localhost", STATD_NLM_PROG, 16,
		    "cccccccccccccccc", &lo));
		do_unmon(name, "localhost");
	}
	/*
	 * 60,000 records, about 3.1 MB, were written; compaction starts when
	 * 1 MiB is dead, so the file never holds much more than that.
	 */
	reopen_store();		/* a clean close: the file is its records */
	ck_assert_int_lt(file_size(), 1024 * 1024 + 64 * 1024);
	ck_assert_uint_eq(mon_count(), 1);
	ck_assert_ptr_nonnull(mon_find("keeper", "localhost", STATD_NLM_PROG, 4, 16));
	unsetenv("TMPDIR");
}
END_TEST


/* Changes of priv alone leave dead records too: they are compacted away. */
START_TEST(test_priv_churn_compacts)
{
	int i;

	tu_rmtree(dir);
	free(dir);
	free(path);
	ck_assert_int_eq(setenv("TMPDIR", "/dev/shm", 1), 0);
	dir = tu_tmpdir();
	path = tu_path(dir, "statd.status");
	conf.statusfile = path;
	open_store();
	for (i = 0; i < 40000; i++)
		ck_assert(do_mon("client1", "localhost", STATD_NLM_PROG, 16,
		    i % 2 ? "aaaaaaaaaaaaaaaa" : "bbbbbbbbbbbbbbbb", &lo));
	/* 40,000 records of ~60 bytes, 2.4 MB, were written. */
	reopen_store();
	ck_assert_int_lt(file_size(), 1024 * 1024 + 64 * 1024);
	ck_assert_uint_eq(mon_count(), 1);
	/* The last change (i = 39,999) is the one kept. */
	ck_assert_mem_eq(mon_find("client1", "localhost", STATD_NLM_PROG, 4,
	    16)->priv, "aaaaaaaaaaaaaaaa", 16);
	unsetenv("TMPDIR");
}
END_TEST

static int npending;

static void
count_pending(const char *name, int state, int64_t since, void *arg)
{
	(void)name; (void)since; (void)arg;
	ck_assert_int_eq(state, sm_state);
	npending++;
}

/* A crash: state +2, every monitored host queued once, monitors gone. */
START_TEST(test_crash)
{
	open_store();
	ck_assert(do_mon("c1", "localhost", STATD_NLM_PROG, 16, "1111111111111111", &lo));
	ck_assert(do_mon("c1", "nfs1", STATD_NLM_PROG, 16, "1111111111111111", &lo));
	ck_assert(do_mon("c2", "localhost", STATD_NLM_PROG, 16, "2222222222222222", &lo));
	ck_assert_int_eq(sm_state, 1);
	ck_assert_int_eq(sm_crash("test"), 0);
	ck_assert_int_eq(sm_state, 3);
	ck_assert_uint_eq(mon_count(), 0);
	ck_assert_uint_eq(notify_pending(), 2);
	sm_state = 1;		/* forget: the file must say 3 */
	reopen_store();
	ck_assert_int_eq(sm_state, 3);
	ck_assert_uint_eq(mon_count(), 0);
	npending = 0;
	notify_foreach(count_pending, NULL);
	ck_assert_int_eq(npending, 2);
	/* A notification done is gone after a restart. */
	ck_assert_int_eq(store_notify_done("c1"), 0);
	ck_assert_int_eq(store_commit(), 0);
	reopen_store();
	ck_assert_uint_eq(notify_pending(), 1);
}
END_TEST


/*
 * A crash whose status file cannot be rewritten changes nothing: no reply
 * may carry a state that is not on disk, and the monitors the file still
 * holds stay in memory too.  (The privsep hook without its parent fails.)
 */
START_TEST(test_crash_store_fails)
{
	sm_stat_res res;
	sm_name n = { (char *)(uintptr_t)"c1" };

	open_store();
	ck_assert(do_mon("c1", "localhost", STATD_NLM_PROG, 16, "1111111111111111", &lo));
	ck_assert(do_mon("c2", "localhost", STATD_NLM_PROG, 16, "2222222222222222", &lo));
	store_use_privsep();
	ck_assert_int_eq(sm_crash("test"), -1);
	ck_assert_int_eq(sm_state, 1);
	ck_assert_int_eq(sm_handle_stat(&n, &res), 0);
	ck_assert_int_eq(res.state, 1);
	ck_assert_uint_eq(mon_count(), 2);
	ck_assert_uint_eq(notify_pending(), 0);
	reopen_store();
	ck_assert_int_eq(sm_state, 1);
	ck_assert_uint_eq(mon_count(), 2);
	ck_assert_uint_eq(notify_pending(), 0);
	/* And it works once the file can be written. */
	ck_assert(do_mon("c3", "localhost", STATD_NLM_PROG, 16, "3333333333333333", &lo));
	ck_assert_int_eq(sm_crash("test"), 0);
	ck_assert_int_eq(sm_state, 3);
	ck_assert_uint_eq(mon_count(), 0);
	ck_assert_uint_eq(notify_pending(), 3);
	reopen_store();
	ck_assert_int_eq(sm_state, 3);
	ck_assert_uint_eq(mon_count(), 0);
	npending = 0;
	notify_foreach(count_pending, NULL);
	ck_assert_int_eq(npending, 3);
}
END_TEST

static int nfound;
static void
count_host(struct sm_host *h, void *arg)
{
	(void)h; (void)arg;
	nfound++;
}

static int
found_by_name(const char *name)
{
	nfound = 0;
	mon_hosts_by_name(name, count_host, NULL);
	return nfound;
}

static int
found_by_addr(const struct sockaddr *sa)
{
	nfound = 0;
	mon_hosts_by_addr(sa, count_host, NULL);
	return nfound;
}

/* The indexes SM_NOTIFY matching uses, kept right as entries come and go. */
START_TEST(test_index)
{
	struct sockaddr_storage two[2];
	struct sockaddr_in a1 = v4("198.18.7.1"), a2 = v4("198.18.7.2"),
	    lit = v4("198.18.9.9");
	struct sockaddr_in6 mapped = v6("::ffff:198.18.7.2");

	open_store();
	ck_assert(do_mon("Client1", "localhost", STATD_NLM_PROG, 16, "1111111111111111", &lo));
	ck_assert(do_mon("client1", "localhost", STATD_NLM_PROG, 16, "2222222222222222", &lo));
	ck_assert(do_mon("198.18.9.9", "localhost", STATD_NLM_PROG, 16, "3333333333333333", &lo));
	/* Two spellings are two hosts, both found in any case. */
	ck_assert_uint_eq(mon_host_count(), 3);
	ck_assert_int_eq(found_by_name("CLIENT1"), 2);
	ck_assert_int_eq(found_by_name("client2"), 0);
	/* An address literal is indexed at once. */
	ck_assert_int_eq(found_by_addr((struct sockaddr *)&lit), 1);
	/* Resolved addresses, duplicates folded; v4-mapped finds v4. */
	memset(two, 0, sizeof(two));
	memcpy(&two[0], &a1, sizeof(a1));
	memcpy(&two[1], &a2, sizeof(a2));
	mon_host_set_addrs("client1", two, 2);
	mon_host_set_addrs("client1", two, 2);		/* again: replaced */
	ck_assert_int_eq(mon_host_find("client1")->naddrs, 2);
	ck_assert_int_eq(found_by_addr((struct sockaddr *)&a1), 1);
	ck_assert_int_eq(found_by_addr((struct sockaddr *)&mapped), 1);
	/* Gone with the last entry: nothing dangles in the indexes. */
	do_unmon("client1", "localhost");
	ck_assert_int_eq(found_by_addr((struct sockaddr *)&a2), 0);
	ck_assert_int_eq(found_by_name("client1"), 1);
	do_unmon("Client1", "localhost");
	ck_assert_int_eq(found_by_name("client1"), 0);
	ck_assert_uint_eq(mon_host_count(), 1);
}
END_TEST

START_TEST(test_listing)
{
	FILE *f;
	char *out, *lp;
	size_t len;

	open_store();
	ck_assert(do_mon("c1", "localhost", STATD_NLM_PROG, 16, "1111111111111111", &lo));
	store_close();
	mon_free();
	lp = tu_path(dir, "listing");
	f = fopen(lp, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(store_list(path, f), 0);
	fclose(f);
	out = tu_read_file(lp, &len);
	ck_assert_ptr_nonnull(strstr(out, "state 1 boot " "11111111-2222"));
	ck_assert_ptr_nonnull(strstr(out, "monitor c1 by localhost prog 100021 "
	    "vers 4 proc 16 priv 31313131313131313131313131313131"));
	free(out);
	free(lp);
	mon_free();
	open_store();
}
END_TEST

static Suite *
statd_suite(void)
{
	Suite *s = suite_create("statd");
	TCase *tc;

	tc = tcase_create("names");
	tcase_add_test(tc, test_name_valid);
	tcase_add_test(tc, test_name_local);
	tcase_add_test(tc, test_addr_equal);
	suite_add_tcase(s, tc);

	tc = tcase_create("ladder");
	tcase_add_test(tc, test_ladder_steps);
	tcase_add_test(tc, test_ladder_schedule);
	suite_add_tcase(s, tc);

	tc = tcase_create("store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_mon_checks);
	tcase_add_test(tc, test_mon_full);
	tcase_add_test(tc, test_replay);
	tcase_add_test(tc, test_unmon_all);
	tcase_add_test(tc, test_truncated_tail);
	tcase_add_test(tc, test_unknown_record);
	tcase_add_test(tc, test_compaction_bounds_file);
	tcase_add_test(tc, test_priv_churn_compacts);
	tcase_add_test(tc, test_crash);
	tcase_add_test(tc, test_crash_store_fails);
	tcase_add_test(tc, test_index);
	tcase_add_test(tc, test_listing);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(statd_suite)
