/*
 * samd's corosync pieces: the CLINFO message, the record of membership
 * samd keeps (what it logs and what it only says), and CLUS_FAIL's
 * start-up events after a clean stop.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../check_main.h"
#include "../testutil.h"
#include "chan.h"
#include "clusterev.h"
#include "sam.h"

#define BOOT_A	"11111111-2222-3333-4444-555555555555"

START_TEST(clinfo_round_trip)
{
	struct sam_msg m, back;
	struct sam_msg_clinfo ci, out;
	unsigned char buf[SAM_MSG_MAX];
	const char *why;
	int len;

	memset(&ci, 0, sizeof(ci));
	ci.mode = SAM_CL_CONNECTED;
	ci.nodeid = 3;
	ci.detection_ms = 2200;
	ci.time_ms = 1700000000123LL;
	ci.gap_start_ms = 1699999990000LL;
	strcpy(ci.cluster, "hm42");
	memset(&m, 0, sizeof(m));
	sam_msg_put_clinfo(&m, &ci);
	len = sam_msg_encode(&m, buf, sizeof(buf));
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(sam_msg_decode(buf, (size_t)len, &back, &why), 0);
	ck_assert_int_eq(back.type, SAM_MSG_CLINFO);
	ck_assert_int_eq(sam_msg_get_clinfo(&back, &out, &why), 0);
	ck_assert_int_eq(out.mode, SAM_CL_CONNECTED);
	ck_assert_uint_eq(out.nodeid, 3);
	ck_assert_uint_eq(out.detection_ms, 2200);
	ck_assert(out.time_ms == ci.time_ms);
	ck_assert(out.gap_start_ms == ci.gap_start_ms);
	ck_assert_str_eq(out.cluster, "hm42");

	/* A mode it does not know, a short body: refused. */
	back.body[0] = 9;
	ck_assert_int_eq(sam_msg_get_clinfo(&back, &out, &why), -1);
	back.body[0] = SAM_CL_SINGLE;
	back.len--;
	ck_assert_int_eq(sam_msg_get_clinfo(&back, &out, &why), -1);
}
END_TEST

static struct sam_msg_state
st(const char *name, enum sam_state s, enum sam_plan p, int64_t ms)
{
	struct sam_msg_state x;

	memset(&x, 0, sizeof(x));
	strcpy(x.name, name);
	x.state = (uint8_t)s;
	x.plan = (uint8_t)p;
	x.time_ms = ms;
	strcpy(x.msg, "corosync: test");
	return x;
}

START_TEST(clview_decisions)
{
	struct sam_clview v;
	struct sam_msg_state s;
	struct sam_event ev;

	sam_clview_init(&v);
	tu_log_capture_start();
	/* First report of a member up: nothing to log. */
	s = st("h2", SAM_UP, SAM_PLAN_NONE, 1700000000500LL);
	ck_assert_int_eq(sam_clview_event(&v, SAM_MSG_NODE, &s, &ev), 0);
	ck_assert(tu_log_contains("node h2 UP (first report)"));
	/* Down: logged, dated at corosync's report, unplanned. */
	s = st("h2", SAM_DOWN, SAM_UNPLANNED, 1700000010900LL);
	ck_assert_int_eq(sam_clview_event(&v, SAM_MSG_NODE, &s, &ev), 1);
	ck_assert_int_eq(ev.type, SAM_NODE);
	ck_assert_str_eq(ev.name, "h2");
	ck_assert_int_eq(ev.state, SAM_DOWN);
	ck_assert_int_eq(ev.plan, SAM_UNPLANNED);
	ck_assert_int_eq(ev.time, 1700000010);
	/* The same again (a restarted samsigd): nothing. */
	ck_assert_int_eq(sam_clview_event(&v, SAM_MSG_NODE, &s, &ev), 0);
	/* Up: logged, no plan. */
	s = st("h2", SAM_UP, SAM_PLANNED, 1700000020000LL);
	ck_assert_int_eq(sam_clview_event(&v, SAM_MSG_NODE, &s, &ev), 1);
	ck_assert_int_eq(ev.state, SAM_UP);
	ck_assert_int_eq(ev.plan, SAM_PLAN_NONE);
	/* A planned leave stays planned. */
	s = st("h2", SAM_DOWN, SAM_PLANNED, 1700000030000LL);
	ck_assert_int_eq(sam_clview_event(&v, SAM_MSG_NODE, &s, &ev), 1);
	ck_assert_int_eq(ev.plan, SAM_PLANNED);
	/* A member first heard of as down: the outage starts now. */
	s = st("h3", SAM_DOWN, SAM_UNPLANNED, 1700000040000LL);
	ck_assert_int_eq(sam_clview_event(&v, SAM_MSG_NODE, &s, &ev), 1);
	ck_assert_str_eq(ev.name, "h3");
	/* Quorum: first report quorate says nothing, lost is CLUS down. */
	s = st("c1", SAM_UP, SAM_PLAN_NONE, 1700000050000LL);
	ck_assert_int_eq(sam_clview_event(&v, SAM_MSG_CLUS, &s, &ev), 0);
	s = st("c1", SAM_DOWN, SAM_UNPLANNED, 1700000060000LL);
	ck_assert_int_eq(sam_clview_event(&v, SAM_MSG_CLUS, &s, &ev), 1);
	ck_assert_int_eq(ev.type, SAM_CLUS);
	ck_assert_int_eq(ev.plan, SAM_UNPLANNED);
	s = st("c1", SAM_UP, SAM_PLAN_NONE, 1700000070000LL);
	ck_assert_int_eq(sam_clview_event(&v, SAM_MSG_CLUS, &s, &ev), 1);
	ck_assert_int_eq(ev.state, SAM_UP);
	tu_log_capture_stop();
	sam_clview_free(&v);
}
END_TEST

START_TEST(clview_info)
{
	struct sam_clview v;
	struct sam_msg_clinfo ci;

	sam_clview_init(&v);
	memset(&ci, 0, sizeof(ci));
	tu_log_capture_start();
	ci.mode = SAM_CL_SINGLE;
	sam_clview_info(&v, &ci);
	ck_assert(tu_log_contains("single-node mode"));
	ci.mode = SAM_CL_CONNECTED;
	ci.detection_ms = 2200;
	ci.nodeid = 1;
	strcpy(ci.cluster, "hm42");
	sam_clview_info(&v, &ci);
	ck_assert(tu_log_contains("corosync cluster \"hm42\" as node 1"));
	ck_assert(tu_log_contains("within 2200 ms"));
	tu_log_capture_stop();

	/* Once: a reconnect with the same detection time does not repeat
	   it, but says the gap. */
	tu_log_capture_start();
	ci.mode = SAM_CL_DISCONNECTED;
	ci.time_ms = 1700000000000LL;
	sam_clview_info(&v, &ci);
	ck_assert(tu_log_contains("lost corosync"));
	ci.mode = SAM_CL_CONNECTED;
	ci.gap_start_ms = 1700000000000LL;
	ci.time_ms = 1700000012000LL;
	sam_clview_info(&v, &ci);
	ck_assert(tu_log_contains("again after"));
	ck_assert(!tu_log_contains("within 2200 ms"));
	tu_log_capture_stop();
	sam_clview_free(&v);
}
END_TEST

/* CLUS_FAIL after every member was down: CLUS down at the last heartbeat,
   whatever samd's own stop was. */
START_TEST(clus_fail_at_heartbeat)
{
	struct sam_evidence e;
	struct sam_event out[SAM_START_EVENTS_MAX];
	int n;

	memset(&e, 0, sizeof(e));
	e.reason = SAM_CLUS_FAIL;
	e.now = 1700001000;
	memcpy(e.boot_id, BOOT_A, 37);
	e.node = "n1";
	e.cluster = "c1";
	e.have_hb = 1;
	e.hb.real_ms = 1700000990700LL;
	memcpy(e.hb.boot_id, BOOT_A, 37);

	/* Killed (no clean stop). */
	n = sam_decide(&e, out, SAM_START_EVENTS_MAX);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(out[0].type, SAM_CLUS);
	ck_assert_str_eq(out[0].name, "c1");
	ck_assert_int_eq(out[0].state, SAM_DOWN);
	ck_assert_int_eq(out[0].time, 1700000990);

	/* Stopped cleanly, same boot. */
	e.have_clean = 1;
	memcpy(e.clean.boot_id, BOOT_A, 37);
	e.clean.time = 1700000990;
	e.clean.why = SAM_STOP_SHUTDOWN;
	n = sam_decide(&e, out, SAM_START_EVENTS_MAX);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(out[0].type, SAM_CLUS);
	ck_assert_int_eq(out[0].state, SAM_DOWN);
	ck_assert_int_eq(out[0].plan, SAM_UNPLANNED);
	ck_assert_int_eq(out[0].time, 1700000990);
	ck_assert_int_eq(out[1].type, SAM_CLUS);
	ck_assert_int_eq(out[1].state, SAM_UP);
	ck_assert_int_eq(out[2].type, SAM_APPL);
}
END_TEST


static void
log_ev(const struct sam_paths *p, enum sam_type t, const char *name,
    enum sam_state state, int64_t when)
{
	struct sam_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = 'E';
	ev.type = t;
	strcpy(ev.name, name);
	ev.state = state;
	ev.plan = state == SAM_DOWN ? SAM_UNPLANNED : SAM_PLAN_NONE;
	ev.time = when;
	ck_assert_int_eq(sam_evlog_write(p, &ev), 0);
}

/*
 * A restarted samd (PROC_FAIL, samdctl restart, a reboot) starts from the
 * event log: a member logged down that came back while samd was away is
 * logged up at samsigd's first report, one still down is not logged again.
 */
START_TEST(clview_seeded_from_log)
{
	char *dir = tu_tmpdir();
	struct sam_paths p;
	struct sam_clview v;
	struct sam_msg_state s;
	struct sam_event ev;

	ck_assert_int_eq(sam_paths_init(&p, dir), 0);
	sam_clview_init(&v);
	/* No log yet: nothing known, no error. */
	ck_assert_int_eq(sam_clview_seed(&v, p.eventlog, "c1"), 0);
	ck_assert_uint_eq(v.n, 0);

	log_ev(&p, SAM_NODE, "h2", SAM_DOWN, 1700000000);
	log_ev(&p, SAM_NODE, "h3", SAM_DOWN, 1700000010);
	log_ev(&p, SAM_NODE, "h4", SAM_DOWN, 1700000020);
	log_ev(&p, SAM_NODE, "h4", SAM_UP, 1700000030);
	log_ev(&p, SAM_CLUS, "c1", SAM_DOWN, 1700000040);
	log_ev(&p, SAM_CLUS, "other", SAM_UP, 1700000050);
	ck_assert_int_eq(sam_clview_seed(&v, p.eventlog, "c1"), 0);

	tu_log_capture_start();
	/* h2 came back while samd was away: its outage ends now. */
	s = st("h2", SAM_UP, SAM_PLAN_NONE, 1700000100000LL);
	ck_assert_int_eq(sam_clview_event(&v, SAM_MSG_NODE, &s, &ev), 1);
	ck_assert_int_eq(ev.state, SAM_UP);
	ck_assert_int_eq(ev.time, 1700000100);
	/* h3 is still down: already logged. */
	s = st("h3", SAM_DOWN, SAM_UNPLANNED, 1700000100000LL);
	ck_assert_int_eq(sam_clview_event(&v, SAM_MSG_NODE, &s, &ev), 0);
	/* h4 is up, as logged. */
	s = st("h4", SAM_UP, SAM_PLAN_NONE, 1700000100000LL);
	ck_assert_int_eq(sam_clview_event(&v, SAM_MSG_NODE, &s, &ev), 0);
	/* The cluster regained quorum meanwhile. */
	s = st("c1", SAM_UP, SAM_PLAN_NONE, 1700000100000LL);
	ck_assert_int_eq(sam_clview_event(&v, SAM_MSG_CLUS, &s, &ev), 1);
	ck_assert_int_eq(ev.type, SAM_CLUS);
	ck_assert_int_eq(ev.state, SAM_UP);
	tu_log_capture_stop();
	sam_clview_free(&v);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static Suite *
clusterev_suite(void)
{
	Suite *s = suite_create("clusterev");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, clinfo_round_trip);
	tcase_add_test(tc, clview_decisions);
	tcase_add_test(tc, clview_info);
	tcase_add_test(tc, clus_fail_at_heartbeat);
	tcase_add_test(tc, clview_seeded_from_log);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(clusterev_suite)
