/*
 * rpc.statd without its loop: name checks, address matching, the retry
 * ladder on a simulated clock, and the request handlers against a real
 * status file (replay, truncation, compaction, crash).  The protocol's XDR
 * has its own suite, check_xdr.c.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include "../check_main.h"
#include "log.h"
#include "reclog.h"
#include "../../../src/statd/statd.h"
#include "../testutil.h"

static const char BOOT_A[] = "11111111-2222-3333-4444-555555555555";
static const char BOOT_B[] = "bbbbbbbb-2222-3333-4444-555555555555";

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
	conf.max_bytes = STATD_DEFAULT_MAX_BYTES;
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
	struct store_replay rp;

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

/*
 * The status file names hosts: readable by its group (smsd's user is in
 * _hostmon), never by others, from creation and again at every start,
 * whatever mode it was found with.  Owner and group here are the test's
 * own, which any user may give a file.
 */
START_TEST(test_status_file_access)
{
	struct group *gr;
	struct stat sb;
	mode_t old_mask = umask(022);
	gid_t g, want;

	open_store();
	umask(old_mask);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0640);
	ck_assert_int_eq(chmod(path, 0604), 0);
	ck_assert_int_eq(store_give(getuid(), getgid()), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0640);
	ck_assert_int_eq(sb.st_gid, getgid());

	/* the default group, or the user's where the system has no _hostmon */
	want = (gr = getgrnam(STATD_DEFAULT_STATUS_GROUP)) != NULL ?
	    gr->gr_gid : 4242;
	ck_assert_int_eq(store_group(NULL, 4242, &g), 0);
	ck_assert_int_eq(g, want);
	ck_assert_int_eq(store_group("root", 4242, &g), 0);
	ck_assert_int_eq(g, 0);
	errno = 0;
	ck_assert_int_eq(store_group("hm-no-such-group", 4242, &g), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

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
	ck_assert_int_eq(store_list(path, f, 0), 0);
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


/* Damage to the status file. */

/* A restart of the daemon in boot: what main() does with the file. */
static int
restart(const char *boot, struct store_replay *rp)
{
	int r;

	store_close();
	notify_free();
	mon_free();
	mon_init();
	memcpy(sm_boot_id, boot, 37);
	sm_state = 1;		/* forgotten: only the file may say */
	if ((r = store_open(path, rp)) != 0)
		return r;
	return store_recover(rp);
}

/* The offsets of the records of path: off[0] = 16, off[n] = the end. */
static size_t
record_offsets(const char *buf, size_t len, size_t *off, size_t max)
{
	size_t n = 0, at = 16;

	while (at + 8 <= len && n < max) {
		uint32_t l = (uint32_t)(unsigned char)buf[at] |
		    (uint32_t)(unsigned char)buf[at + 1] << 8 |
		    (uint32_t)(unsigned char)buf[at + 2] << 16 |
		    (uint32_t)(unsigned char)buf[at + 3] << 24;

		off[n++] = at;
		at += 8 + l;
	}
	off[n] = at;
	return n;
}

static int
listing_says(const char *what)
{
	char *lp = tu_path(dir, "listing"), *out;
	size_t len;
	FILE *f;
	int r, found;

	f = fopen(lp, "w");
	ck_assert_ptr_nonnull(f);
	r = store_list(path, f, 0);
	fclose(f);
	out = tu_read_file(lp, &len);
	found = what == NULL || strstr(out, what) != NULL;
	free(out);
	free(lp);
	mon_free();		/* the listing loaded the tables */
	return found ? r : -100;
}

/* Two SM_SIMU_CRASH (state 5), then 20 SM_MON: the file of the issue. */
static char *
scenario_file(size_t *lenp)
{
	char name[32], priv[17];
	int i;

	open_store();
	ck_assert_int_eq(sm_handle_simu_crash((struct sockaddr *)&lo), 0);
	ck_assert_int_eq(sm_handle_simu_crash((struct sockaddr *)&lo), 0);
	ck_assert_int_eq(sm_state, 5);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "client%02d", i);
		snprintf(priv, sizeof(priv), "priv%012d", i);
		ck_assert(do_mon(name, "localhost", STATD_NLM_PROG, 16, priv,
		    &lo));
	}
	store_close();
	notify_free();
	mon_free();
	return tu_read_file(path, lenp);
}

/* Entries client00..client19 but the one at skip (-1: none) are there. */
static void
assert_clients(int skip)
{
	char name[32], priv[17];
	struct sm_entry *e;
	int i;

	ck_assert_uint_eq(mon_count(), skip < 0 ? 20 : 19);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "client%02d", i);
		snprintf(priv, sizeof(priv), "priv%012d", i);
		e = mon_find(name, "localhost", STATD_NLM_PROG, 4, 16);
		if (i == skip) {
			ck_assert_ptr_null(e);
			continue;
		}
		ck_assert_msg(e != NULL, "%s lost", name);
		ck_assert_mem_eq(e->priv, priv, 16);
	}
}

/*
 * The scenario: one damaged byte (the header's, the state
 * record's, record 1's length, or a byte in a middle entry) and a restart
 * in the same boot.  The state stays 5, every entry not hit is kept, the
 * damage is logged with its offsets and -l reports it; the file is then
 * rewritten without it.
 */
START_TEST(test_damage_same_boot)
{
	struct store_replay rp;
	size_t len, off[40], n;
	char *pristine, *buf, want[96];
	int kind, skip;

	pristine = scenario_file(&len);
	n = record_offsets(pristine, len, off, 39);
	/* The header, two copies of the state, 20 entries. */
	ck_assert_uint_eq(n, 22);
	ck_assert_uint_eq(off[n], len);
	ck_assert_uint_eq(off[1], 65);
	for (kind = 0; kind < 5; kind++) {
		buf = malloc(len);
		ck_assert_ptr_nonnull(buf);
		memcpy(buf, pristine, len);
		skip = -1;
		switch (kind) {
		case 0:		/* the file header */
			buf[0] ^= 0x01;
			snprintf(want, sizeof(want), "file header damaged "
			    "(bytes 0 to 15)");
			break;
		case 1:		/* the first state record */
			buf[30] ^= 0x01;
			snprintf(want, sizeof(want), "bytes 16 to 64 damaged "
			    "(record checksum mismatch)");
			break;
		case 2:		/* record 1's length, too large */
			buf[17] = 0x7f;
			snprintf(want, sizeof(want), "bytes 16 to 64 damaged "
			    "(record length over the limit)");
			break;
		case 3:		/* record 1's length, plausible */
			buf[16] = 30;
			snprintf(want, sizeof(want), "bytes 16 to 64 damaged "
			    "(record checksum mismatch)");
			break;
		default:	/* byte 200: the second entry, client01 */
			ck_assert(off[3] <= 200 && 200 < off[4]);
			buf[200] ^= 0x01;
			skip = 1;
			snprintf(want, sizeof(want), "bytes %zu to %zu damaged "
			    "(record checksum mismatch)", off[3], off[4] - 1);
			break;
		}
		tu_write_file(path, buf, len);
		ck_assert_int_eq(listing_says(NULL), 1);

		tu_log_capture_start();
		ck_assert_int_eq(restart(BOOT_A, &rp), 0);
		tu_log_capture_stop();
		ck_assert_msg(tu_log_contains(want), "kind %d: %s", kind,
		    tu_log_text());
		ck_assert(rp.damaged);
		ck_assert_int_eq(sm_state, 5);
		assert_clients(skip);
		ck_assert_uint_eq(notify_pending(), 0);

		/* Rewritten: nothing damaged, two copies of state 5. */
		ck_assert_int_eq(listing_says("state 5 boot " "11111111-2222-"
		    "3333-4444-555555555555 copies 2\n"), 0);
		ck_assert_int_eq(restart(BOOT_A, &rp), 0);
		ck_assert(!rp.damaged);
		ck_assert_int_eq(sm_state, 5);
		assert_clients(skip);
		free(buf);
	}
	free(pristine);
}
END_TEST

/*
 * The same damage and a real reboot: the state advances from 5 to 7 and
 * every host whose entry was kept is notified.
 */
START_TEST(test_damage_reboot)
{
	struct store_replay rp;
	size_t len;
	char *buf;

	buf = scenario_file(&len);
	buf[30] ^= 0x01;
	buf[200] ^= 0x01;
	tu_write_file(path, buf, len);
	ck_assert_int_eq(restart(BOOT_B, &rp), 0);
	ck_assert_int_eq(sm_state, 7);
	ck_assert_uint_eq(mon_count(), 0);
	ck_assert_uint_eq(notify_pending(), 19);
	npending = 0;
	notify_foreach(count_pending, NULL);
	ck_assert_int_eq(npending, 19);
	/* After the reboot the file says 7, with the notifications. */
	ck_assert_int_eq(restart(BOOT_B, &rp), 0);
	ck_assert_int_eq(sm_state, 7);
	ck_assert_uint_eq(notify_pending(), 19);
	free(buf);
}
END_TEST

/*
 * Both copies of the state damaged: the daemon cannot know its state and
 * refuses, leaving the file as it is, until told to start afresh; then it
 * takes a state above any found (in the file and in copies set aside) and
 * notifies the hosts still listed.
 */
START_TEST(test_state_lost)
{
	struct store_replay rp;
	char *buf, *after, *copy, *copy2;
	size_t len, alen;
	int floor;

	buf = scenario_file(&len);
	buf[30] ^= 0x01;
	buf[65 + 30] ^= 0x01;
	tu_write_file(path, buf, len);
	ck_assert_int_eq(listing_says("state none\n"), 1);

	tu_log_capture_start();
	ck_assert_int_eq(restart(BOOT_A, &rp), STORE_NO_STATE);
	tu_log_capture_stop();
	ck_assert_msg(tu_log_contains("no state number can be read") &&
	    tu_log_contains("--fresh-state"), "%s", tu_log_text());
	after = tu_read_file(path, &alen);
	ck_assert_uint_eq(alen, len);
	ck_assert_mem_eq(after, buf, len);
	free(after);
	/* Again: nothing changed that would let a second start through. */
	ck_assert_int_eq(restart(BOOT_A, &rp), STORE_NO_STATE);

	/* A copy set aside earlier had a high state: the new one passes it. */
	copy = tu_path(dir, "statd.status.bad.1000");
	ck_assert_int_eq(rename(path, copy), 0);
	store_close();
	mon_free();
	mon_init();
	ck_assert_int_eq(store_open(path, &rp), 0);
	sm_state = 2000000001;
	ck_assert_int_eq(sm_crash("test"), 0);		/* 2000000003 */
	store_close();
	notify_free();
	mon_free();
	copy2 = tu_path(dir, "statd.status.bad.2000");
	ck_assert_int_eq(rename(path, copy2), 0);
	ck_assert_int_eq(rename(copy, path), 0);
	free(copy);

	conf.fresh_state = 1;
	tu_log_capture_start();
	ck_assert_int_eq(restart(BOOT_A, &rp), 0);
	tu_log_capture_stop();
	ck_assert(rp.unknown);
	ck_assert_int_eq(rp.highest_seen, 2000000003);
	ck_assert_int_eq(sm_state, 2000000005);
	ck_assert_msg(tu_log_contains("starting afresh"), "%s", tu_log_text());
	/* A reboot: the 20 hosts found are notified, the monitors gone. */
	ck_assert_uint_eq(mon_count(), 0);
	ck_assert_uint_eq(notify_pending(), 20);
	conf.fresh_state = 0;
	ck_assert_int_eq(restart(BOOT_A, &rp), 0);
	ck_assert_int_eq(sm_state, 2000000005);
	ck_assert_uint_eq(notify_pending(), 20);
	free(buf);

	/* With nothing higher found, the state passes the clock's floor. */
	tu_write_file(path, "HMRECLOG\1\0\0\0\0\0\0\0garbage, no records", 35);
	ck_assert_int_eq(restart(BOOT_A, &rp), STORE_NO_STATE);
	ck_assert_int_eq(unlink(copy2), 0);
	free(copy2);
	conf.fresh_state = 1;
	ck_assert_int_eq(restart(BOOT_A, &rp), 0);
	floor = (int)(time(NULL) / 60 * 2);
	ck_assert_int_gt(sm_state, floor);
	ck_assert_int_eq(sm_state & 1, 1);
	conf.fresh_state = 0;
}
END_TEST

/* Which files are new (state 1) and which lost their state. */
START_TEST(test_new_or_lost)
{
	struct store_replay rp;
	static const char hdr[16] = "HMRECLOG\1\0\0\0\0\0\0\0";
	char *buf;
	size_t len;

	/* No file: a first start, two copies of state 1. */
	ck_assert_int_eq(restart(BOOT_A, &rp), 0);
	ck_assert(rp.is_new);
	ck_assert_int_eq(sm_state, 1);
	ck_assert_int_eq(listing_says("state 1 boot 11111111-2222-3333-4444-"
	    "555555555555 copies 2\n"), 0);
	/* A header alone: a first start cut short before its state. */
	store_close();
	tu_write_file(path, hdr, sizeof(hdr));
	ck_assert_int_eq(listing_says("state none\n"), 0);
	ck_assert_int_eq(restart(BOOT_A, &rp), 0);
	ck_assert(rp.is_new);
	ck_assert_int_eq(sm_state, 1);
	/* An empty file is not a new one. */
	store_close();
	tu_write_file(path, "", 0);
	ck_assert_int_eq(listing_says("state none\n"), 1);
	ck_assert_int_eq(restart(BOOT_A, &rp), STORE_NO_STATE);
	/* A file of entries without a state lost it. */
	unlink(path);
	ck_assert_int_eq(restart(BOOT_A, &rp), 0);
	ck_assert(do_mon("c1", "localhost", STATD_NLM_PROG, 16,
	    "1111111111111111", &lo));
	store_close();
	buf = tu_read_file(path, &len);
	buf[16 + 10] ^= 0x40;
	buf[16 + 49 + 10] ^= 0x40;
	tu_write_file(path, buf, len);
	ck_assert_int_eq(restart(BOOT_A, &rp), STORE_NO_STATE);
	free(buf);
}
END_TEST

/*
 * A version field that reads as a newer format (byte 8 flipped to 17):
 * refused, the file untouched; --fresh-state sets it aside, whole, and
 * starts a new file with a state above the clock's floor.
 */
START_TEST(test_unreadable_version)
{
	struct store_replay rp;
	char *buf, *after, *copy = NULL;
	struct dirent *de;
	size_t len, alen;
	DIR *d;

	buf = scenario_file(&len);
	buf[8] ^= 0x10;
	tu_write_file(path, buf, len);
	tu_log_capture_start();
	ck_assert_int_eq(restart(BOOT_A, &rp), STORE_NO_STATE);
	tu_log_capture_stop();
	ck_assert_msg(tu_log_contains("version 17") &&
	    tu_log_contains("--fresh-state"), "%s", tu_log_text());
	after = tu_read_file(path, &alen);
	ck_assert_uint_eq(alen, len);
	ck_assert_mem_eq(after, buf, len);
	free(after);

	conf.fresh_state = 1;
	ck_assert_int_eq(restart(BOOT_A, &rp), 0);
	conf.fresh_state = 0;
	ck_assert_int_gt(sm_state, (int)(time(NULL) / 60 * 2));
	ck_assert_uint_eq(mon_count(), 0);
	ck_assert_int_eq(restart(BOOT_A, &rp), 0);
	ck_assert(!rp.damaged && !rp.unknown);
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "statd.status.bad.", 17) == 0)
			copy = tu_path(dir, de->d_name);
	closedir(d);
	ck_assert_ptr_nonnull(copy);
	after = tu_read_file(copy, &alen);
	ck_assert_uint_eq(alen, len);
	ck_assert_mem_eq(after, buf, len);
	free(after);
	free(copy);
	free(buf);
}
END_TEST

/*
 * A file of the earlier format holds one copy of the state: a restart
 * rewrites it with two.
 */
static int
emit_one_state(struct reclog *r, void *arg)
{
	unsigned char rec[41];

	(void)arg;
	rec[0] = 'S';
	rec[1] = 9;
	rec[2] = rec[3] = rec[4] = 0;
	memcpy(rec + 5, BOOT_A, 36);
	return reclog_append(r, rec, sizeof(rec));
}

START_TEST(test_one_copy_rewritten)
{
	struct store_replay rp;
	struct reclog *r;

	r = reclog_open(path, RECLOG_BINARY, 4096, 0600, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(emit_one_state(r, NULL), 0);
	ck_assert_int_eq(reclog_commit(r), 0);
	reclog_close(r);
	ck_assert_int_eq(listing_says("state 9 boot 11111111-2222-3333-4444-"
	    "555555555555 copies 1\n"), 0);
	ck_assert_int_eq(restart(BOOT_A, &rp), 0);
	ck_assert_int_eq(rp.state_copies, 1);
	ck_assert_int_eq(sm_state, 9);
	ck_assert_int_eq(listing_says("copies 2\n"), 0);
}
END_TEST

/*
 * -M: the live records are bounded in bytes.  SM_MON past it gets
 * stat_fail and a log line, SM_STAT too; room made by SM_UNMON is used
 * again at once.
 */
START_TEST(test_mon_bytes_limit)
{
	char big[SM_MAXSTRLEN + 1], name[SM_MAXSTRLEN + 1];
	sm_stat_res res;
	sm_name n = { (char *)(uintptr_t)"x" };
	int i;

	/* The header, two states and three 1,050-byte entries. */
	conf.max_bytes = 16 + 2 * 49 + 3 * (41 + 1000 + 9);
	open_store();
	memset(big, 'a', 1000);
	big[1000] = '\0';
	for (i = 0; i < 3; i++) {
		memcpy(name, big, 1001);
		name[0] = (char)('A' + i);
		ck_assert(do_mon(name, "localhost", STATD_NLM_PROG, 16,
		    "0123456789abcdef", &lo));
	}
	ck_assert_int_eq(sm_handle_stat(&n, &res), 0);
	ck_assert_int_eq(res.res_stat, stat_fail);
	name[0] = 'Z';
	tu_log_capture_start();
	ck_assert(!do_mon(name, "localhost", STATD_NLM_PROG, 16,
	    "0123456789abcdef", &lo));
	tu_log_capture_stop();
	ck_assert_msg(tu_log_contains("monitor list full") &&
	    tu_log_contains("-M"), "%s", tu_log_text());
	/* Short names still fit in what is left, nothing more. */
	ck_assert_uint_eq(mon_count(), 3);
	/* An existing entry may still change its priv. */
	name[0] = 'A';
	ck_assert(do_mon(name, "localhost", STATD_NLM_PROG, 16,
	    "fedcba9876543210", &lo));
	do_unmon(name, "localhost");
	name[0] = 'Z';
	ck_assert(do_mon(name, "localhost", STATD_NLM_PROG, 16,
	    "0123456789abcdef", &lo));
	ck_assert_uint_eq(mon_count(), 3);
	/* A restart keeps them all, and the bound holds after it. */
	reopen_store();
	ck_assert_uint_eq(mon_count(), 3);
	name[0] = 'Y';
	ck_assert(!do_mon(name, "localhost", STATD_NLM_PROG, 16,
	    "0123456789abcdef", &lo));
	ck_assert_int_le(store_live_bytes(), conf.max_bytes);
}
END_TEST

/*
 * A status file too large for the root parent is refused with an error,
 * read off the socket, and the parent serves the next request: it never
 * leaves its loop (and unregisters) while the serving process goes on.
 * A limit of 1,000 bytes stands in for PRIVSEP_MAX.
 */
START_TEST(test_privsep_large_file)
{
	char big[5000], *got;
	struct stat a, b;
	size_t len;
	int sv[2], fd;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(write(sv[1], big, sizeof(big)), sizeof(big));
	tu_log_capture_start();
	ck_assert_int_eq(privsep_serve_replace(sv[0], sizeof(big), 1000, path,
	    getuid(), getgid()), 0);
	tu_log_capture_stop();
	errno = 0;
	ck_assert_int_eq(privsep_answer(sv[1]), -1);
	ck_assert_int_eq(errno, EFBIG);
	ck_assert_msg(tu_log_contains("refused a 5000-byte status file"),
	    "%s", tu_log_text());
	ck_assert_int_eq(access(path, F_OK), -1);

	/* The next request is served: the stream is still in step. */
	ck_assert_int_eq(write(sv[1], "HMRECLOG", 8), 8);
	ck_assert_int_eq(privsep_serve_replace(sv[0], 8, 1000, path,
	    getuid(), getgid()), 0);
	fd = privsep_answer(sv[1]);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(fstat(fd, &a), 0);
	ck_assert_int_eq(stat(path, &b), 0);
	ck_assert(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(fd);
	got = tu_read_file(path, &len);
	ck_assert_uint_eq(len, 8);
	ck_assert_mem_eq(got, "HMRECLOG", 8);
	free(got);

	/* Only a child gone in the middle of a request ends the loop. */
	ck_assert_int_eq(write(sv[1], big, 100), 100);
	ck_assert_int_eq(shutdown(sv[1], SHUT_WR), 0);
	ck_assert_int_eq(privsep_serve_replace(sv[0], 4000, 1000, path,
	    getuid(), getgid()), -1);
	close(sv[0]);
	close(sv[1]);
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
	tcase_add_test(tc, test_status_file_access);
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
	tcase_add_test(tc, test_damage_same_boot);
	tcase_add_test(tc, test_damage_reboot);
	tcase_add_test(tc, test_state_lost);
	tcase_add_test(tc, test_new_or_lost);
	tcase_add_test(tc, test_one_copy_rewritten);
	tcase_add_test(tc, test_unreadable_version);
	tcase_add_test(tc, test_mon_bytes_limit);
	tcase_add_test(tc, test_privsep_large_file);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(statd_suite)
