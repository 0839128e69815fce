/*
 * Tests for libhmcluster's membership table (src/cluster/members.c): state
 * transitions, the events a new membership makes, the comparison after a
 * reconnect, planned versus failed leaves from the CPG reports, and the
 * settle check.  No corosync needed.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "members.h"
#include "../check_main.h"

#define MAX_EVENTS 32

/* The events one call produced, as text: "down h3 3 planned gap". */
static char	evtext[MAX_EVENTS][MEMBERS_NAME_MAX + 64];
static int	nev;

static void
record(const struct member_event *ev, void *arg)
{
	char *p;

	(void)arg;
	ck_assert_int_lt(nev, MAX_EVENTS);
	p = evtext[nev++];
	if (ev->type == MEMBER_EV_QUORUM)
		snprintf(p, sizeof(evtext[0]), "quorum %d%s%s", ev->quorate,
		    ev->flags & CLUSTER_F_INITIAL ? " initial" : "",
		    ev->flags & CLUSTER_F_GAP ? " gap" : "");
	else
		snprintf(p, sizeof(evtext[0]), "%s %s %u%s%s%s",
		    ev->type == MEMBER_EV_UP ? "up" : "down", ev->m->name,
		    ev->m->nodeid,
		    ev->flags & CLUSTER_F_PLANNED ? " planned" : "",
		    ev->flags & CLUSTER_F_INITIAL ? " initial" : "",
		    ev->flags & CLUSTER_F_GAP ? " gap" : "");
}

static void
reset_events(void)
{
	nev = 0;
	memset(evtext, 0, sizeof(evtext));
}

/* h1 (local), h2, h3 configured; the first view has all three. */
static void
three_nodes(struct members *t)
{
	static const uint32_t all[] = { 1, 2, 3 };

	members_init(t);
	t->local_nodeid = 1;
	ck_assert_int_eq(members_set_name(t, 3, "h3"), 0);
	ck_assert_int_eq(members_set_name(t, 1, "h1"), 0);
	ck_assert_int_eq(members_set_name(t, 2, "h2"), 0);
	reset_events();
	ck_assert_int_eq(members_apply(t, all, 3, 1000, 1000, 3630, 0,
	    record, NULL), 2);
	reset_events();
}

static const char *
state_of(const struct members *t, uint32_t id)
{
	const struct member *m = members_find(t, id);

	return m == NULL ? "none" : cluster_state_name(m->state);
}

START_TEST(test_table_sorted_and_named)
{
	struct members t;
	struct member *m;

	members_init(&t);
	ck_assert_ptr_nonnull(members_get(&t, 7));
	ck_assert_ptr_nonnull(members_get(&t, 2));
	ck_assert_int_eq(members_set_name(&t, 5, "five"), 0);
	ck_assert_int_eq(members_set_name(&t, 9, NULL), 0);
	ck_assert_ptr_nonnull(members_get(&t, 2));	/* no duplicate */
	ck_assert_uint_eq(t.n, 4);
	ck_assert_uint_eq(t.v[0].nodeid, 2);
	ck_assert_uint_eq(t.v[1].nodeid, 5);
	ck_assert_uint_eq(t.v[2].nodeid, 7);
	ck_assert_uint_eq(t.v[3].nodeid, 9);
	m = members_find(&t, 7);
	ck_assert_str_eq(m->name, "node7");		/* not in the nodelist */
	ck_assert_int_eq(m->configured, 0);
	ck_assert_str_eq(members_find(&t, 5)->name, "five");
	ck_assert_str_eq(members_find(&t, 9)->name, "node9");
	ck_assert_int_eq(members_find(&t, 9)->configured, 1);
	ck_assert_ptr_null(members_find(&t, 3));
	ck_assert_str_eq(state_of(&t, 7), "unreachable");
	members_free(&t);
}
END_TEST

START_TEST(test_many_nodes_grow)
{
	struct members t;
	uint32_t id;

	members_init(&t);
	for (id = 200; id > 0; id--)
		ck_assert_ptr_nonnull(members_get(&t, id * 3));
	ck_assert_uint_eq(t.n, 200);
	for (id = 1; id < t.n; id++)
		ck_assert_uint_lt(t.v[id - 1].nodeid, t.v[id].nodeid);
	members_free(&t);
}
END_TEST

START_TEST(test_initial_view)
{
	struct members t;
	static const uint32_t two[] = { 2, 1 };

	members_init(&t);
	t.local_nodeid = 1;
	members_set_name(&t, 1, "h1");
	members_set_name(&t, 2, "h2");
	members_set_name(&t, 3, "h3");
	reset_events();
	/* The local node is never reported; a configured node that is not
	   there is reported down, once, as the initial state. */
	ck_assert_int_eq(members_apply(&t, two, 2, 5000, 5000, 3630, 0,
	    record, NULL), 2);
	ck_assert_str_eq(evtext[0], "down h3 3 initial");
	ck_assert_str_eq(evtext[1], "up h2 2 initial");
	ck_assert_str_eq(state_of(&t, 1), "member");
	ck_assert_str_eq(state_of(&t, 2), "member");
	ck_assert_str_eq(state_of(&t, 3), "unreachable");
	ck_assert_int_eq(members_find(&t, 3)->changed_ms, 0);
	ck_assert_int_eq(members_find(&t, 2)->changed_ms, 5000);
	/* The same view again: nothing. */
	reset_events();
	ck_assert_int_eq(members_apply(&t, two, 2, 6000, 6000, 3630, 0,
	    record, NULL), 0);
	members_free(&t);
}
END_TEST

START_TEST(test_failure_and_return)
{
	struct members t;
	static const uint32_t two[] = { 1, 2 }, all[] = { 1, 2, 3 };

	three_nodes(&t);
	ck_assert_int_eq(members_apply(&t, two, 2, 2000, 2000, 3630, 0,
	    record, NULL), 1);
	ck_assert_str_eq(evtext[0], "down h3 3");
	ck_assert_str_eq(state_of(&t, 3), "unreachable");
	ck_assert_int_eq(members_find(&t, 3)->changed_ms, 2000);
	reset_events();
	ck_assert_int_eq(members_apply(&t, all, 3, 3000, 3000, 3630, 0,
	    record, NULL), 1);
	ck_assert_str_eq(evtext[0], "up h3 3");
	ck_assert_str_eq(state_of(&t, 3), "member");
	ck_assert_int_eq(members_find(&t, 3)->changed_ms, 3000);
	members_free(&t);
}
END_TEST

START_TEST(test_downs_before_ups)
{
	struct members t;
	static const uint32_t swap[] = { 1, 3, 4 };

	three_nodes(&t);
	members_set_name(&t, 4, "h4");
	ck_assert_int_eq(members_apply(&t, swap, 3, 2000, 2000, 3630, 0,
	    record, NULL), 2);
	ck_assert_str_eq(evtext[0], "down h2 2");
	ck_assert_str_eq(evtext[1], "up h4 4");
	members_free(&t);
}
END_TEST

START_TEST(test_unknown_node_joins)
{
	struct members t;
	static const uint32_t more[] = { 1, 2, 3, 17 };

	three_nodes(&t);
	ck_assert_int_eq(members_apply(&t, more, 4, 2000, 2000, 3630, 0,
	    record, NULL), 1);
	ck_assert_str_eq(evtext[0], "up node17 17");
	members_free(&t);
}
END_TEST

START_TEST(test_local_node_never_reported)
{
	struct members t;
	static const uint32_t others[] = { 2, 3 }, all[] = { 1, 2, 3 };

	three_nodes(&t);
	ck_assert_int_eq(members_apply(&t, others, 2, 2000, 2000, 3630, 0,
	    record, NULL), 0);
	ck_assert_str_eq(state_of(&t, 1), "unreachable");
	ck_assert_int_eq(members_apply(&t, all, 3, 3000, 3000, 3630, 0,
	    record, NULL), 0);
	ck_assert_str_eq(state_of(&t, 1), "member");
	members_free(&t);
}
END_TEST

/* A clean corosync stop: its clients are closed (PROCDOWN) just before
   the node leaves. */
START_TEST(test_planned_leave)
{
	struct members t;
	static const uint32_t cpg_all[] = { 1, 2, 3 }, cpg_two[] = { 1, 2 };
	static const uint32_t two[] = { 1, 2 };

	three_nodes(&t);
	members_cpg_view(&t, cpg_all, 3);
	ck_assert_int_eq(members_find(&t, 3)->procs, 1);
	members_cpg_view(&t, cpg_two, 2);
	members_cpg_left(&t, 3, 1, 10000);
	ck_assert_int_eq(members_apply(&t, two, 2, 20000, 10100, 3630, 0,
	    record, NULL), 1);
	ck_assert_str_eq(evtext[0], "down h3 3 planned");
	ck_assert_str_eq(state_of(&t, 3), "left");
	members_free(&t);
}
END_TEST

/* kill -9: the process vanishes with its node (NODEDOWN). */
START_TEST(test_nodedown_is_failure)
{
	struct members t;
	static const uint32_t cpg_all[] = { 1, 2, 3 }, cpg_two[] = { 1, 2 };
	static const uint32_t two[] = { 1, 2 };

	three_nodes(&t);
	members_cpg_view(&t, cpg_all, 3);
	members_cpg_view(&t, cpg_two, 2);
	members_cpg_left(&t, 3, 0, 10000);
	ck_assert_int_eq(members_apply(&t, two, 2, 20000, 10100, 3630, 0,
	    record, NULL), 1);
	ck_assert_str_eq(evtext[0], "down h3 3");
	ck_assert_str_eq(state_of(&t, 3), "unreachable");
	members_free(&t);
}
END_TEST

/* A process that left long before the node failed says nothing about
   the failure; nor does one that left while another of ours stays. */
START_TEST(test_clean_leave_too_old_or_not_last)
{
	struct members t;
	static const uint32_t cpg_two3[] = { 1, 2, 3, 3 }, cpg_one3[] = { 1, 2, 3 };
	static const uint32_t cpg_two[] = { 1, 2 };
	static const uint32_t two[] = { 1, 2 }, all[] = { 1, 2, 3 };

	three_nodes(&t);
	members_cpg_view(&t, cpg_two3, 4);
	members_cpg_view(&t, cpg_one3, 3);
	members_cpg_left(&t, 3, 1, 10000);	/* one of two left */
	ck_assert_int_eq(members_apply(&t, two, 2, 20000, 10100, 3630, 0,
	    record, NULL), 1);
	ck_assert_str_eq(evtext[0], "down h3 3");

	reset_events();
	members_apply(&t, all, 3, 21000, 11000, 3630, 0, NULL, NULL);
	members_cpg_view(&t, cpg_one3, 3);
	members_cpg_view(&t, cpg_two, 2);
	members_cpg_left(&t, 3, 1, 12000);	/* left at 12 s ... */
	ck_assert_int_eq(members_apply(&t, two, 2, 30000, 20000, 3630, 0,
	    record, NULL), 1);			/* ... node gone at 20 s */
	ck_assert_str_eq(evtext[0], "down h3 3");
	members_free(&t);
}
END_TEST

/* A process of ours that came back clears an earlier clean leave. */
START_TEST(test_rejoin_clears_clean_leave)
{
	struct members t;
	static const uint32_t cpg_all[] = { 1, 2, 3 }, cpg_two[] = { 1, 2 };
	static const uint32_t two[] = { 1, 2 };

	three_nodes(&t);
	members_cpg_view(&t, cpg_two, 2);
	members_cpg_left(&t, 3, 1, 10000);
	members_cpg_view(&t, cpg_all, 3);
	ck_assert_int_eq(members_find(&t, 3)->clean_leave_mono, 0);
	members_cpg_view(&t, cpg_two, 2);
	members_cpg_left(&t, 3, 0, 10050);
	ck_assert_int_eq(members_apply(&t, two, 2, 20000, 10100, 3630, 0,
	    record, NULL), 1);
	ck_assert_str_eq(evtext[0], "down h3 3");
	members_free(&t);
}
END_TEST

/* After a reconnect: only the differences, flagged; none for a node that
   went and came back to the same state. */
START_TEST(test_reconnect_diff)
{
	struct members t;
	static const uint32_t two[] = { 1, 2 }, all[] = { 1, 2, 3 };
	static const uint32_t cpg_all[] = { 1, 2, 3 };

	three_nodes(&t);
	members_cpg_view(&t, cpg_all, 3);
	members_cpg_reset(&t);			/* disconnected */
	ck_assert_int_eq(members_find(&t, 3)->procs, 0);
	ck_assert_int_eq(members_apply(&t, all, 3, 9000, 9000, 3630,
	    CLUSTER_F_GAP, record, NULL), 0);
	/* h3 left during a second gap: failed (no CPG report across a gap). */
	ck_assert_int_eq(members_apply(&t, two, 2, 12000, 12000, 3630,
	    CLUSTER_F_GAP, record, NULL), 1);
	ck_assert_str_eq(evtext[0], "down h3 3 gap");
	ck_assert_str_eq(state_of(&t, 3), "unreachable");
	reset_events();
	ck_assert_int_eq(members_apply(&t, all, 3, 15000, 15000, 3630,
	    CLUSTER_F_GAP, record, NULL), 1);
	ck_assert_str_eq(evtext[0], "up h3 3 gap");
	members_free(&t);
}
END_TEST

START_TEST(test_quorum_changes)
{
	struct members t;

	members_init(&t);
	reset_events();
	ck_assert_int_eq(t.quorate, -1);
	ck_assert_int_eq(members_set_quorate(&t, 1, 100, 0, record, NULL), 1);
	ck_assert_str_eq(evtext[0], "quorum 1 initial");
	ck_assert_int_eq(members_set_quorate(&t, 7, 200, 0, record, NULL), 0);
	ck_assert_int_eq(members_set_quorate(&t, 0, 300, 0, record, NULL), 1);
	ck_assert_str_eq(evtext[1], "quorum 0");
	/* After a gap, compared with the last known: same, nothing. */
	ck_assert_int_eq(members_set_quorate(&t, 0, 400, CLUSTER_F_GAP,
	    record, NULL), 0);
	ck_assert_int_eq(members_set_quorate(&t, 1, 500, CLUSTER_F_GAP,
	    record, NULL), 1);
	ck_assert_str_eq(evtext[2], "quorum 1 gap");
	ck_assert_int_eq(nev, 3);
	members_free(&t);
}
END_TEST

START_TEST(test_view_complete)
{
	struct members t;
	static const uint32_t one[] = { 1 }, two[] = { 1, 2 }, all[] = { 1, 2, 3 };

	members_init(&t);
	t.local_nodeid = 1;
	members_set_name(&t, 1, "h1");
	members_set_name(&t, 2, "h2");
	members_set_name(&t, 3, "h3");
	/* Before the first view: every configured node. */
	ck_assert_int_eq(members_view_complete(&t, one, 1), 0);
	ck_assert_int_eq(members_view_complete(&t, two, 2), 0);
	ck_assert_int_eq(members_view_complete(&t, all, 3), 1);
	/* After: every node known to be a member. */
	members_apply(&t, two, 2, 1000, 1000, 3630, 0, NULL, NULL);
	ck_assert_int_eq(members_view_complete(&t, one, 1), 0);
	ck_assert_int_eq(members_view_complete(&t, two, 2), 1);
	ck_assert_int_eq(members_view_complete(&t, all, 3), 1);
	members_free(&t);

	/* A member that left during the gap keeps the view incomplete. */
	three_nodes(&t);
	ck_assert_int_eq(members_view_complete(&t, two, 2), 0);
	ck_assert_int_eq(members_view_complete(&t, all, 3), 1);
	members_free(&t);
}
END_TEST

START_TEST(test_state_names)
{
	ck_assert_str_eq(cluster_state_name(CLUSTER_MEMBER), "member");
	ck_assert_str_eq(cluster_state_name(CLUSTER_LEFT), "left");
	ck_assert_str_eq(cluster_state_name(CLUSTER_UNREACHABLE), "unreachable");
}
END_TEST

static Suite *
cluster_suite(void)
{
	Suite *s = suite_create("cluster");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_test(tc, test_table_sorted_and_named);
	tcase_add_test(tc, test_many_nodes_grow);
	tcase_add_test(tc, test_state_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("transitions");
	tcase_add_test(tc, test_initial_view);
	tcase_add_test(tc, test_failure_and_return);
	tcase_add_test(tc, test_downs_before_ups);
	tcase_add_test(tc, test_unknown_node_joins);
	tcase_add_test(tc, test_local_node_never_reported);
	tcase_add_test(tc, test_quorum_changes);
	suite_add_tcase(s, tc);

	tc = tcase_create("planned");
	tcase_add_test(tc, test_planned_leave);
	tcase_add_test(tc, test_nodedown_is_failure);
	tcase_add_test(tc, test_clean_leave_too_old_or_not_last);
	tcase_add_test(tc, test_rejoin_clears_clean_leave);
	suite_add_tcase(s, tc);

	tc = tcase_create("reconnect");
	tcase_add_test(tc, test_reconnect_diff);
	tcase_add_test(tc, test_view_complete);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(cluster_suite)
