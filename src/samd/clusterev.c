/*
 * clusterev: samd's record of corosync membership (see clusterev.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clusterev.h"
#include "log.h"
#include "report.h"
#include "timeutil.h"

void
sam_clview_init(struct sam_clview *v)
{
	memset(v, 0, sizeof(*v));
	v->clus_state = -1;
	v->mode = -1;
}

void
sam_clview_free(struct sam_clview *v)
{
	free(v->nodes);
	sam_clview_init(v);
}

/* The node's entry, added as never heard of (SAM_NSTATES); NULL on ENOMEM. */
static struct sam_clview_node *
node_get(struct sam_clview *v, const char *name)
{
	struct sam_clview_node *nv;
	size_t i, cap;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->nodes[i].name, name) == 0)
			return &v->nodes[i];
	if (v->n == v->cap) {
		cap = v->cap ? v->cap * 2 : 16;
		if ((nv = reallocarray(v->nodes, cap, sizeof(*nv))) == NULL)
			return NULL;
		v->nodes = nv;
		v->cap = cap;
	}
	nv = &v->nodes[v->n++];
	snprintf(nv->name, sizeof(nv->name), "%s", name);
	nv->state = SAM_NSTATES;
	return nv;
}

int
sam_clview_seed(struct sam_clview *v, const char *eventlog,
    const char *cluster)
{
	struct sam_clview_node *node;
	struct reclog_stats st;
	struct rep r;
	const struct rep_obj *o;
	uint32_t i;
	int rv = 0, saved;

	rep_init(&r);		/* no strings kept: only the states */
	memset(&st, 0, sizeof(st));
	if (rep_load(&r, eventlog, &st) == -1) {
		saved = errno;
		rep_free(&r);
		errno = saved;
		return saved == ENOENT ? 0 : -1;
	}
	rep_finish(&r);
	rep_compute(&r, 0, INT64_MAX, 0);
	for (i = 0; i < r.nobjs; i++) {
		o = &r.objs[i];
		if (!o->seen || o->last >= SAM_CHANGE)
			continue;
		if (o->type == SAM_NODE) {
			if ((node = node_get(v, o->name)) == NULL) {
				rv = -1;
				break;
			}
			node->state = o->last;
		} else if (o->type == SAM_CLUS && cluster != NULL &&
		    strcmp(o->name, cluster) == 0)
			v->clus_state = (int)o->last;
	}
	saved = errno;
	rep_free(&r);
	errno = saved;
	return rv;
}

int
sam_clview_event(struct sam_clview *v, uint8_t type,
    const struct sam_msg_state *st, struct sam_event *ev)
{
	struct sam_clview_node *node = NULL;
	int known, *clus = NULL;
	enum sam_state state = (enum sam_state)st->state;

	if (type == SAM_MSG_NODE) {
		if ((node = node_get(v, st->name)) == NULL) {
			/* Without a table every report is logged: a
			   repeated down event only keeps its first. */
			known = -1;
		} else
			known = node->state == SAM_NSTATES ? -1 :
			    (int)node->state;
	} else {
		clus = &v->clus_state;
		known = *clus;
	}
	if (node != NULL)
		node->state = state;
	if (clus != NULL)
		*clus = (int)state;
	if (known == (int)state || (known == -1 && state == SAM_UP)) {
		log_info("cluster: %s %s %s%s", type == SAM_MSG_NODE ?
		    "node" : "cluster", st->name, sam_state_name(state),
		    known == -1 ? " (first report)" : " (unchanged)");
		return 0;
	}
	memset(ev, 0, sizeof(*ev));
	ev->kind = 'E';
	ev->type = type == SAM_MSG_NODE ? SAM_NODE : SAM_CLUS;
	snprintf(ev->name, sizeof(ev->name), "%s", st->name);
	ev->state = state;
	ev->plan = state == SAM_DOWN ? (enum sam_plan)st->plan :
	    SAM_PLAN_NONE;
	if (ev->state == SAM_DOWN && ev->plan == SAM_PLAN_NONE)
		ev->plan = SAM_UNPLANNED;
	ev->time = st->time_ms / 1000;
	snprintf(ev->msg, sizeof(ev->msg), "%s", st->msg);
	return 1;
}

void
sam_clview_logged(const struct sam_event *ev, int64_t reported_ms,
    int64_t durable_ms)
{
	char t[32];

	log_info("cluster: event %" PRIu64 " (%s.%s %s): corosync reported "
	    "it at %s.%03d, durable %" PRId64 " ms later%s", ev->evid,
	    sam_type_name(ev->type), ev->name, sam_state_name(ev->state),
	    sam_fmt_time(reported_ms / 1000, t, sizeof(t)),
	    (int)(reported_ms % 1000), durable_ms - reported_ms,
	    strstr(ev->msg, SAM_FOUND_GAP) != NULL ||
	    strstr(ev->msg, SAM_FOUND_CONNECTED) != NULL ?
	    " (held while samsigd's connection settled)" : "");
}

void
sam_clview_info(struct sam_clview *v, const struct sam_msg_clinfo *c)
{
	char t[32], gap[24];

	switch (c->mode) {
	case SAM_CL_SINGLE:
		if (v->mode != SAM_CL_SINGLE)
			log_info("cluster: no corosync; samsigd runs in "
			    "single-node mode: no NODE or CLUS events from "
			    "membership");
		break;
	case SAM_CL_CONNECTED:
		if (c->gap_start_ms > 0)
			log_info("cluster: samsigd reached corosync again "
			    "after %s (lost at %s); changes during the gap "
			    "are dated when found", fmt_elapsed((c->time_ms -
			    c->gap_start_ms) / 1000, gap, sizeof(gap)),
			    sam_fmt_time(c->gap_start_ms / 1000, t, sizeof(t)));
		else if (v->mode != SAM_CL_CONNECTED)
			log_info("cluster: samsigd follows corosync cluster "
			    "\"%s\" as node %u", c->cluster, c->nodeid);
		if (c->detection_ms != 0 && c->detection_ms != v->detection_ms) {
			log_info("cluster: corosync detects a failed member "
			    "within %u ms (token + consensus): NODE and CLUS "
			    "events are dated when corosync reported them, up "
			    "to %u ms after the change", c->detection_ms,
			    c->detection_ms);
			v->detection_ms = c->detection_ms;
		}
		break;
	case SAM_CL_DISCONNECTED:
		log_warnx("cluster: samsigd lost corosync at %s; it tries "
		    "again every second", sam_fmt_time(c->time_ms / 1000, t,
		    sizeof(t)));
		break;
	}
	v->mode = c->mode;
}
