/*
 * rpc.statd's callers: who may change the monitor list (a loopback address
 * and a privileged source port), and how often a host's SM_NOTIFY reaches
 * the lock managers (at once for a new state, then at most once per quiet
 * time, with the newest state).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include "../check_main.h"
#include "log.h"
#include "../../../src/statd/statd.h"
#include "../testutil.h"

static struct sockaddr_in
v4(const char *a, int port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	ck_assert_int_eq(inet_pton(AF_INET, a, &sin.sin_addr), 1);
	return sin;
}

static struct sockaddr_in6
v6(const char *a, int port)
{
	struct sockaddr_in6 s6;

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons((uint16_t)port);
	ck_assert_int_eq(inet_pton(AF_INET6, a, &s6.sin6_addr), 1);
	return s6;
}

#define SA(x) ((const struct sockaddr *)&(x))

/* ip_unprivileged_port_start as a file with this content. */
static void
ports_from(const char *content)
{
	char *dir = tu_tmpdir(), *p = tu_path(dir, "sysctl");

	tu_write_file(p, content, strlen(content));
	sm_privileged_ports_init(p);
	tu_rmtree(dir);
	free(p);
	free(dir);
}

START_TEST(test_port_privileged)
{
	struct sockaddr_in a;
	struct sockaddr_in6 b;
	struct sockaddr_un u;

	sm_privileged_ports_init("/nonexistent/sysctl");	/* 1024 */
	a = v4("127.0.0.1", 700);
	ck_assert(sm_port_privileged(SA(a)));
	a = v4("127.0.0.1", 1023);
	ck_assert(sm_port_privileged(SA(a)));
	a = v4("127.0.0.1", 1024);
	ck_assert(!sm_port_privileged(SA(a)));
	a = v4("127.0.0.1", 40000);
	ck_assert(!sm_port_privileged(SA(a)));
	b = v6("::1", 600);
	ck_assert(sm_port_privileged(SA(b)));
	b = v6("::1", 50000);
	ck_assert(!sm_port_privileged(SA(b)));
	memset(&u, 0, sizeof(u));
	u.sun_family = AF_UNIX;
	ck_assert(!sm_port_privileged(SA(u)));
	ck_assert_int_eq(sm_addr_port(SA(u)), -1);
}
END_TEST

START_TEST(test_port_sysctl)
{
	struct sockaddr_in a499 = v4("127.0.0.1", 499);
	struct sockaddr_in a500 = v4("127.0.0.1", 500);
	struct sockaddr_in a1 = v4("127.0.0.1", 1);
	struct sockaddr_in a1000 = v4("127.0.0.1", 1000);

	tu_log_capture_start();
	/* Lowered: ports from 500 up are anyone's. */
	ports_from("500\n");
	ck_assert(sm_port_privileged(SA(a499)));
	ck_assert(!sm_port_privileged(SA(a500)));
	ck_assert(tu_log_contains("accepted only from ports below 500"));
	/* 0: no port proves anything; nobody is accepted. */
	ports_from("0\n");
	ck_assert(!sm_port_privileged(SA(a1)));
	ck_assert(tu_log_contains("from no one"));
	/* Raised above 1024, or unreadable: 1024 still counts. */
	ports_from("5000\n");
	ck_assert(sm_port_privileged(SA(a1000)));
	ck_assert(sm_port_privileged(SA(a500)));
	ports_from("junk");
	ck_assert(sm_port_privileged(SA(a1000)));
	ports_from("-5\n");
	ck_assert(sm_port_privileged(SA(a1000)));
	tu_log_capture_stop();
	sm_privileged_ports_init("/nonexistent/sysctl");
}
END_TEST

static void
setup(void)
{
	conf.myname = "nfs1";
	conf.max_entries = 1000000;
	conf.allowed_progs[0] = STATD_NLM_PROG;
	conf.nallowed = 1;
	sm_local_names_init("nfs1");
	sm_privileged_ports_init("/nonexistent/sysctl");
	sm_state = 1;
	mon_init();
}

static void
teardown(void)
{
	mon_free();
	timers_free();
	sm_local_names_free();
}

/* Refused before anything is looked at or stored: no status file here. */
START_TEST(test_unprivileged_refused)
{
	struct sockaddr_in lo = v4("127.0.0.1", 40000);
	struct sockaddr_in6 lo6 = v6("::1", 40001);
	mon m;
	mon_id mid;
	my_id id;
	sm_stat_res res;
	sm_stat st;

	memset(&m, 0, sizeof(m));
	m.mon_id.mon_name = (char *)(uintptr_t)"client1";
	m.mon_id.my_id.my_name = (char *)(uintptr_t)"localhost";
	m.mon_id.my_id.my_prog = STATD_NLM_PROG;
	m.mon_id.my_id.my_vers = 4;
	m.mon_id.my_id.my_proc = 16;
	mid = m.mon_id;
	id = m.mon_id.my_id;

	tu_log_capture_start();
	ck_assert_int_eq(sm_handle_mon(&m, SA(lo), &res), 0);
	ck_assert_int_eq(res.res_stat, stat_fail);
	ck_assert_int_eq(sm_handle_mon(&m, SA(lo6), &res), 0);
	ck_assert_int_eq(res.res_stat, stat_fail);
	ck_assert_uint_eq(mon_count(), 0);
	ck_assert_int_eq(sm_handle_unmon(&mid, SA(lo), &st), 0);
	ck_assert_int_eq(st.state, 1);
	ck_assert_int_eq(sm_handle_unmon_all(&id, SA(lo), &st), 0);
	ck_assert_int_eq(sm_handle_simu_crash(SA(lo)), 0);
	ck_assert_int_eq(sm_state, 1);
	ck_assert(tu_log_contains("refused SM_MON from 127.0.0.1: unprivileged "
	    "source port 40000 (not root)"));
	ck_assert(tu_log_contains("refused SM_MON from ::1: unprivileged "
	    "source port 40001"));
	ck_assert(tu_log_contains("refused SM_UNMON from 127.0.0.1"));
	ck_assert(tu_log_contains("refused SM_UNMON_ALL from 127.0.0.1"));
	ck_assert(tu_log_contains("refused SM_SIMU_CRASH from 127.0.0.1: "
	    "unprivileged source port 40000"));
	tu_log_capture_stop();
}
END_TEST

/* Notifications: callbacks queue on the loop's timers, never sent here. */
static void
monitor(const char *mon_name)
{
	unsigned char priv[SM_PRIV_SIZE] = { 0 };
	int changed;

	ck_assert_int_eq(mon_insert(mon_name, "localhost", STATD_NLM_PROG, 4,
	    16, priv, &changed), MON_OK);
}

START_TEST(test_notify_flood_coalesced)
{
	struct sm_host *h;
	int i;

	callback_init();
	monitor("198.18.0.50");
	h = mon_host_find("198.18.0.50");
	ck_assert_ptr_nonnull(h);
	tu_log_capture_start();

	/* The first new state goes out at once. */
	callback_notify("198.18.0.50", 1, NULL);
	ck_assert(h->have_delivered);
	ck_assert_int_eq(h->delivered_state, 1);
	ck_assert_uint_eq(callback_pending(), 1);
	/* A flood of changes inside the quiet time: none goes out now. */
	for (i = 0; i < 199; i++)
		callback_notify("198.18.0.50", i % 2 ? 1 : 2, NULL);
	ck_assert_int_eq(h->delivered_state, 1);
	ck_assert(tu_log_contains("held back (changed within 5 s"));
	/* The newest (2, the 200th) is delivered when the time is up. */
	sleep(5);
	for (i = 0; i < 40 && h->delivered_state != 2; i++) {
		usleep(50000);
		timers_run();
	}
	ck_assert_int_eq(h->delivered_state, 2);
	ck_assert(tu_log_contains("198.18.0.50 is in state 2: delivered after "
	    "its quiet time, the newest of 199 notifications held back"));
	/* And a repeat of it changes nothing. */
	callback_notify("198.18.0.50", 2, NULL);
	ck_assert_int_eq(h->delivered_state, 2);
	tu_log_capture_stop();
	callback_free();
}
END_TEST

START_TEST(test_notify_back_to_delivered)
{
	struct sm_host *h;
	int i;

	callback_init();
	monitor("198.18.0.51");
	h = mon_host_find("198.18.0.51");
	callback_notify("198.18.0.51", 5, NULL);
	callback_notify("198.18.0.51", 7, NULL);	/* held */
	callback_notify("198.18.0.51", 5, NULL);	/* back: nothing to send */
	sleep(5);
	for (i = 0; i < 20; i++) {
		usleep(50000);
		timers_run();
	}
	ck_assert_int_eq(h->delivered_state, 5);
	callback_free();
}
END_TEST

/* The limit is per host: many hosts, one notification each, all at once. */
START_TEST(test_notify_many_hosts_at_once)
{
	char name[32];
	int i, n = 10000;

	callback_init();
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "198.18.%d.%d", 1 + i / 250,
		    1 + i % 250);
		monitor(name);
	}
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "198.18.%d.%d", 1 + i / 250,
		    1 + i % 250);
		callback_notify(name, 3, NULL);
	}
	for (i = 0; i < n; i++) {
		struct sm_host *h;

		snprintf(name, sizeof(name), "198.18.%d.%d", 1 + i / 250,
		    1 + i % 250);
		h = mon_host_find(name);
		ck_assert(h->have_delivered && h->delivered_state == 3);
	}
	ck_assert_uint_eq(callback_pending(), (unsigned long)n);
	callback_free();
}
END_TEST

static Suite *
callers_suite(void)
{
	Suite *s = suite_create("callers");
	TCase *tc;

	tc = tcase_create("ports");
	tcase_add_test(tc, test_port_privileged);
	tcase_add_test(tc, test_port_sysctl);
	suite_add_tcase(s, tc);

	tc = tcase_create("refusals");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unprivileged_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("notify");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_notify_flood_coalesced);
	tcase_add_test(tc, test_notify_back_to_delivered);
	tcase_add_test(tc, test_notify_many_hosts_at_once);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(callers_suite)
