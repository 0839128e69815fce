/*
 * members: the membership table of libhmcluster (see members.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "members.h"

const char *
cluster_state_name(enum cluster_node_state state)
{
	switch (state) {
	case CLUSTER_MEMBER:
		return "member";
	case CLUSTER_LEFT:
		return "left";
	case CLUSTER_UNREACHABLE:
		return "unreachable";
	}
	return "unknown";
}

void
members_init(struct members *t)
{
	memset(t, 0, sizeof(*t));
	t->quorate = -1;
}

void
members_free(struct members *t)
{
	free(t->v);
	members_init(t);
}

/* Index of nodeid, or where it would go. */
static size_t
members_pos(const struct members *t, uint32_t nodeid)
{
	size_t lo = 0, hi = t->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->v[mid].nodeid < nodeid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct member *
members_find(const struct members *t, uint32_t nodeid)
{
	size_t i = members_pos(t, nodeid);

	if (i < t->n && t->v[i].nodeid == nodeid)
		return &t->v[i];
	return NULL;
}

struct member *
members_get(struct members *t, uint32_t nodeid)
{
	struct member *m, *nv;
	size_t i = members_pos(t, nodeid), cap;

	if (i < t->n && t->v[i].nodeid == nodeid)
		return &t->v[i];
	if (t->n == t->cap) {
		cap = t->cap ? t->cap * 2 : 8;
		nv = reallocarray(t->v, cap, sizeof(*nv));
		if (nv == NULL)
			return NULL;
		t->v = nv;
		t->cap = cap;
	}
	memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof(*t->v));
	t->n++;
	m = &t->v[i];
	memset(m, 0, sizeof(*m));
	m->nodeid = nodeid;
	m->state = CLUSTER_UNREACHABLE;
	snprintf(m->name, sizeof(m->name), "node%u", nodeid);
	return m;
}

int
members_set_name(struct members *t, uint32_t nodeid, const char *name)
{
	struct member *m = members_get(t, nodeid);

	if (m == NULL)
		return -1;
	if (name != NULL && name[0] != '\0') {
		snprintf(m->name, sizeof(m->name), "%s", name);
		m->named = 1;
	}
	m->configured = 1;
	return 0;
}

int
members_set_addr(struct members *t, uint32_t nodeid, const char *addr)
{
	struct member *m = members_get(t, nodeid);

	if (m == NULL)
		return -1;
	snprintf(m->addr, sizeof(m->addr), "%s", addr != NULL ? addr : "");
	return 0;
}

static int
ids_contain(const uint32_t *ids, size_t n, uint32_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

static void
emit(member_event_fn fn, void *arg, enum member_event_type type,
    const struct member *m, int64_t when_ms, unsigned flags)
{
	struct member_event ev;

	if (fn == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.m = m;
	ev.when_ms = when_ms;
	ev.flags = flags;
	fn(&ev, arg);
}

int
members_apply(struct members *t, const uint32_t *ids, size_t n,
    int64_t now_ms, int64_t now_mono, int64_t window_ms, unsigned flags,
    member_event_fn fn, void *arg)
{
	struct member *m;
	size_t i;
	int events = 0, initial = !t->synced;
	unsigned f;

	if (initial)
		flags |= CLUSTER_F_INITIAL;
	/* ORDER: every node gets its entry first, so a failed allocation
	   leaves the table as it was and no pointer handed out moves later. */
	for (i = 0; i < n; i++)
		if (members_get(t, ids[i]) == NULL)
			return -1;
	t->synced = 1;

	for (i = 0; i < t->n; i++) {
		m = &t->v[i];
		if (ids_contain(ids, n, m->nodeid))
			continue;
		if (m->state != CLUSTER_MEMBER) {
			/* Configured, never seen: the first view says so. */
			if (initial && m->changed_ms == 0 &&
			    m->nodeid != t->local_nodeid) {
				emit(fn, arg, MEMBER_EV_DOWN, m, now_ms, flags);
				events++;
			}
			continue;
		}
		f = flags;
		if (m->procs == 0 && m->clean_leave_mono != 0 &&
		    now_mono - m->clean_leave_mono <= window_ms) {
			m->state = CLUSTER_LEFT;
			f |= CLUSTER_F_PLANNED;
		} else
			m->state = CLUSTER_UNREACHABLE;
		m->changed_ms = now_ms;
		m->clean_leave_mono = 0;
		if (m->nodeid != t->local_nodeid) {
			emit(fn, arg, MEMBER_EV_DOWN, m, now_ms, f);
			events++;
		}
	}
	for (i = 0; i < t->n; i++) {
		m = &t->v[i];
		if (m->state == CLUSTER_MEMBER || !ids_contain(ids, n, m->nodeid))
			continue;
		m->state = CLUSTER_MEMBER;
		m->changed_ms = now_ms;
		m->clean_leave_mono = 0;
		if (m->nodeid != t->local_nodeid) {
			emit(fn, arg, MEMBER_EV_UP, m, now_ms, flags);
			events++;
		}
	}
	return events;
}

int
members_view_complete(const struct members *t, const uint32_t *ids, size_t n)
{
	const struct member *m;
	size_t i;

	for (i = 0; i < t->n; i++) {
		m = &t->v[i];
		if (t->synced ? m->state != CLUSTER_MEMBER : !m->configured)
			continue;
		if (!ids_contain(ids, n, m->nodeid))
			return 0;
	}
	return 1;
}

int
members_set_quorate(struct members *t, int quorate, int64_t now_ms,
    unsigned flags, member_event_fn fn, void *arg)
{
	struct member_event ev;
	int was = t->quorate;

	quorate = quorate != 0;
	if (was == quorate)
		return 0;
	if (was == -1)
		flags |= CLUSTER_F_INITIAL;
	t->quorate = quorate;
	if (fn == NULL)
		return 1;
	memset(&ev, 0, sizeof(ev));
	ev.type = MEMBER_EV_QUORUM;
	ev.quorate = quorate;
	ev.when_ms = now_ms;
	ev.flags = flags;
	fn(&ev, arg);
	return 1;
}

void
members_cpg_view(struct members *t, const uint32_t *nodeids, size_t n)
{
	struct member *m;
	size_t i;

	for (i = 0; i < t->n; i++)
		t->v[i].procs = 0;
	for (i = 0; i < n; i++) {
		m = members_get(t, nodeids[i]);
		if (m == NULL)
			continue;	/* ENOMEM: the node is only less known */
		m->procs++;
		m->clean_leave_mono = 0;
	}
}

void
members_cpg_left(struct members *t, uint32_t nodeid, int clean,
    int64_t now_mono)
{
	struct member *m = members_find(t, nodeid);

	if (m != NULL && clean && m->procs == 0)
		m->clean_leave_mono = now_mono;
}

void
members_cpg_reset(struct members *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		t->v[i].procs = 0;
		t->v[i].clean_leave_mono = 0;
	}
}
