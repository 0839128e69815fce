/*
 * evidence: what samd logs when it starts, from why it was started (its
 * argument) and what it finds (the last heartbeat, the clean-stop marker
 * and the kernel's boot id).  A pure function, so every case is a unit
 * test.
 *
 *  clean stop, same boot	APPL up: the planned stop was logged then;
 *				with CLUS_FAIL first CLUS down at the last
 *				heartbeat (written at the stop) and up now
 *  clean stop, new boot	NODE (or CLUS) down dated at the stop, up now;
 *				APPL up.  Nothing saw the node go down, so its
 *				down time is counted from samd's stop: the
 *				manual's known overstatement
 *  no clean stop, same boot	samd itself died: APPL down at the last
 *				heartbeat, up now (CLUS with CLUS_FAIL)
 *  no clean stop, new boot	the node went down: NODE (CLUS with
 *				CLUS_FAIL) down at the last heartbeat, up now
 *  no heartbeat at all		first start: APPL up
 *
 * The argument names the object; the boot id overrides NODE_FAIL and
 * PROC_FAIL, because it is evidence and the argument a guess.
 */
#include <stdio.h>
#include <string.h>

#include "sam.h"

static struct sam_event *
add(struct sam_event *out, int *n, int max, enum sam_type type,
    const char *name, enum sam_state state, enum sam_plan plan, int64_t t,
    const char *msg)
{
	struct sam_event *ev;

	if (*n >= max)
		return NULL;
	ev = &out[(*n)++];
	memset(ev, 0, sizeof(*ev));
	ev->kind = 'E';
	ev->type = type;
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	ev->state = state;
	ev->plan = plan;
	ev->time = t;
	snprintf(ev->msg, sizeof(ev->msg), "%s", msg);
	return ev;
}

int
sam_decide(const struct sam_evidence *e, struct sam_event *out, int max)
{
	enum sam_type obj;
	const char *name;
	char msg[SAM_MSG_MAX + 1];
	int64_t down;
	int n = 0;

	if (e->reason == SAM_CLUS_FAIL) {
		obj = SAM_CLUS;
		name = e->cluster;
	} else {
		obj = SAM_NODE;
		name = e->node;
	}

	if (e->have_clean) {
		if (strcmp(e->clean.boot_id, e->boot_id) == 0) {
			if (e->reason == SAM_CLUS_FAIL) {
				/* The cluster failed while samd was stopped:
				   its last heartbeat was written at the stop. */
				down = e->have_hb ? e->hb.real_ms / 1000 :
				    e->clean.time;
				if (down > e->now)
					down = e->now;
				add(out, &n, max, obj, name, SAM_DOWN,
				    SAM_UNPLANNED, down, "CLUS_FAIL after a "
				    "clean stop; down since the last heartbeat");
				add(out, &n, max, obj, name, SAM_UP,
				    SAM_PLAN_NONE, e->now, "up again");
			}
			add(out, &n, max, SAM_APPL, SAM_APPL_NAME, SAM_UP,
			    SAM_PLAN_NONE, e->now, "started after a clean stop");
			return n;
		}
		/* The clock may have gone back meanwhile. */
		down = e->clean.time < e->now ? e->clean.time : e->now;
		snprintf(msg, sizeof(msg), "%s: rebooted while samd was "
		    "stopped; down time counted from samd's %s stop "
		    "(overstated)", sam_reason_name(e->reason),
		    e->clean.why == SAM_STOP_ADMIN ? "administrative" :
		    "shutdown");
		add(out, &n, max, obj, name, SAM_DOWN,
		    e->clean.why == SAM_STOP_SHUTDOWN ? SAM_PLANNED :
		    SAM_UNPLANNED, down, msg);
		add(out, &n, max, obj, name, SAM_UP, SAM_PLAN_NONE, e->now,
		    "up after a reboot");
		add(out, &n, max, SAM_APPL, SAM_APPL_NAME, SAM_UP,
		    SAM_PLAN_NONE, e->now, "started after a clean stop");
		return n;
	}

	if (!e->have_hb) {
		add(out, &n, max, SAM_APPL, SAM_APPL_NAME, SAM_UP,
		    SAM_PLAN_NONE, e->now, "first start: no earlier heartbeat");
		return n;
	}

	down = e->hb.real_ms / 1000;
	if (down > e->now)
		down = e->now;
	if (strcmp(e->hb.boot_id, e->boot_id) == 0) {
		if (e->reason != SAM_CLUS_FAIL) {
			obj = SAM_APPL;
			name = SAM_APPL_NAME;
		}
		snprintf(msg, sizeof(msg), "%s: %s; down since the last "
		    "heartbeat", sam_reason_name(e->reason),
		    e->reason == SAM_NODE_FAIL ? "but the boot id is "
		    "unchanged, so only samd failed" : "samd ended without a "
		    "clean stop");
	} else
		snprintf(msg, sizeof(msg), "%s: the boot id changed without "
		    "a clean stop; down since the last heartbeat",
		    sam_reason_name(e->reason));
	add(out, &n, max, obj, name, SAM_DOWN, SAM_UNPLANNED, down, msg);
	add(out, &n, max, obj, name, SAM_UP, SAM_PLAN_NONE, e->now,
	    obj == SAM_APPL ? "samd restarted" : "up again");
	return n;
}

void
sam_failcount_init(struct sam_failcount *fc, int max, int window_s)
{
	memset(fc, 0, sizeof(*fc));
	if (max < 1)
		max = 1;
	if (max > SAM_KEEP_FAILS)
		max = SAM_KEEP_FAILS;
	fc->max = max;
	fc->window_ms = (int64_t)window_s * 1000;
}

int
sam_failcount_add(struct sam_failcount *fc, int64_t now_ms)
{
	int oldest;

	fc->when[fc->next] = now_ms;
	fc->next = (fc->next + 1) % fc->max;
	if (fc->n < fc->max)
		fc->n++;
	if (fc->n < fc->max)
		return 0;
	/* The ring is full: its oldest entry is the one written next. */
	oldest = fc->next;
	return now_ms - fc->when[oldest] <= fc->window_ms;
}
