/*
 * corosync: the cluster's member list from corosync (issue 7), when it
 * runs; cluster.c asks here first and falls back to smsd.conf's members.
 *
 * libhmcluster runs in the libevent loop: one persistent read event on its
 * descriptor (the same descriptor for the handle's life, -1 only while
 * disconnected) and one timer for its settle and reconnect times, both
 * re-armed after every dispatch.  Nothing here blocks: a member's address
 * is corosync's ring0_addr when that is numeric, else smsd.conf's address
 * for the member of the same name; names are never resolved.
 *
 * ORDER: corosync_open() runs as root, before privileges are dropped:
 * corosync accepts IPC clients only as root or as a user or group listed
 * in /etc/corosync/uidgid.d/.  A reconnect (after corosync restarts) runs
 * as the unprivileged user and needs such an entry; we ship one for the
 * default user (etc/corosync/uidgid.d/smsd).  Without it smsd falls back
 * to smsd.conf's list until it is restarted, and says so once.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "cluster.h"
#include "log.h"
#include "timeutil.h"
#include "smsd.h"

struct smsd_corosync {
	struct smsd	*d;
	struct cluster	*c;
	struct event	*rd;		/* on cluster_fd(), while connected */
	struct event	*timer;
	int		 rd_fd;		/* the descriptor rd watches, -1 */
	int		 said_fallback;
};

static void	rearm(struct smsd_corosync *);

static void
on_change(struct smsd_corosync *cc)
{
	/* A cached cluster view must not outlive a membership change. */
	cluster_invalidate(cc->d);
}

static void
on_node(void *arg, const char *name, uint32_t nodeid, int64_t when_ms,
    unsigned flags)
{
	(void)name;
	(void)nodeid;
	(void)when_ms;
	(void)flags;
	on_change(arg);
}

static void
on_quorum(void *arg, int quorate, int64_t when_ms, unsigned flags)
{
	(void)quorate;
	(void)when_ms;
	(void)flags;
	on_change(arg);
}

static void
on_connected(void *arg, int64_t when_ms, int64_t gap_start_ms)
{
	struct smsd_corosync *cc = arg;

	(void)when_ms;
	(void)gap_start_ms;
	cc->said_fallback = 0;
	/* During cluster_open() the handle is not known yet. */
	if (cc->c != NULL)
		on_change(cc);
}

static void
on_disconnected(void *arg, int64_t when_ms)
{
	struct smsd_corosync *cc = arg;

	(void)when_ms;
	if (!cc->said_fallback)
		log_info("corosync: the member list is smsd.conf's until "
		    "corosync answers again%s%s%s", cc->d->running_as_root ?
		    " (as user " : "", cc->d->running_as_root ?
		    cc->d->conf.user : "", cc->d->running_as_root ? ", which "
		    "/etc/corosync/uidgid.d must list)" : "");
	cc->said_fallback = 1;
	on_change(cc);
}

static void
dispatch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smsd_corosync *cc = arg;

	(void)fd;
	(void)what;
	cluster_dispatch(cc->c);
	rearm(cc);
}

static void
rearm(struct smsd_corosync *cc)
{
	struct timeval tv;
	int fd = cluster_fd(cc->c), ms = cluster_timeout_ms(cc->c);

	if (fd != cc->rd_fd) {
		if (cc->rd != NULL) {
			event_free(cc->rd);
			cc->rd = NULL;
		}
		cc->rd_fd = -1;
		if (fd != -1) {
			cc->rd = event_new(cc->d->base, fd, EV_READ | EV_PERSIST,
			    dispatch_cb, cc);
			if (cc->rd == NULL || event_add(cc->rd, NULL) == -1)
				log_warnx("corosync: cannot watch its descriptor");
			else
				cc->rd_fd = fd;
		}
	}
	if (ms < 0) {
		evtimer_del(cc->timer);
		return;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(cc->timer, &tv);
}

void
corosync_open(struct smsd *d)
{
	static const struct cluster_ops ops = {
		.node_up = on_node,
		.node_down = on_node,
		.quorum = on_quorum,
		.connected = on_connected,
		.disconnected = on_disconnected,
	};
	struct smsd_corosync *cc;

	if ((cc = calloc(1, sizeof(*cc))) == NULL)
		fatal("calloc");
	cc->d = d;
	cc->rd_fd = -1;
	if ((cc->timer = evtimer_new(d->base, dispatch_cb, cc)) == NULL)
		fatalx("evtimer_new");
	if ((cc->c = cluster_open(&ops, cc)) == NULL)
		fatal("corosync");
	d->corosync = cc;
	rearm(cc);
}

void
corosync_close(struct smsd *d)
{
	struct smsd_corosync *cc = d->corosync;

	if (cc == NULL)
		return;
	if (cc->rd != NULL)
		event_free(cc->rd);
	event_free(cc->timer);
	cluster_close(cc->c);
	free(cc);
	d->corosync = NULL;
}

static const struct member *
conf_member(const struct smsd *d, const char *name)
{
	int i;

	for (i = 0; i < d->conf.nmembers; i++)
		if (strcmp(d->conf.members[i].name, name) == 0)
			return &d->conf.members[i];
	return NULL;
}

static int
numeric(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, s, &a4) == 1 ||
	    inet_pton(AF_INET6, s, &a6) == 1;
}

struct fill {
	const struct smsd *d;
	struct member	*out;
	int		 max, n;
};

static int
fill_one(const struct cluster_member *cm, void *arg)
{
	struct fill *f = arg;
	const struct member *cf;
	struct member *m;

	if (f->n >= f->max)
		return 1;
	m = &f->out[f->n++];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", cm->name);
	cf = conf_member(f->d, m->name);
	if (numeric(cm->addr))
		snprintf(m->host, sizeof(m->host), "%s", cm->addr);
	else if (cf != NULL)
		memcpy(m->host, cf->host, sizeof(m->host));
	m->port = cf != NULL ? cf->port : f->d->conf.port;
	snprintf(m->membership, sizeof(m->membership), "%s",
	    cluster_state_name(cm->state));
	m->changed_ms = cm->changed_ms;
	m->local = cm->local;
	return 0;
}

int
corosync_member_list(const struct smsd *d, struct member *out, int max)
{
	const struct smsd_corosync *cc = d->corosync;
	struct fill f;

	if (cc == NULL || !cluster_connected(cc->c))
		return -1;
	f.d = d;
	f.out = out;
	f.max = max;
	f.n = 0;
	if (cluster_members(cc->c, fill_one, &f) != 0)
		log_warnx("corosync: more than %d members; the rest are not "
		    "shown", max);
	return f.n;
}

json_t *
corosync_view(const struct smsd *d)
{
	const struct smsd_corosync *cc = d->corosync;
	int q;

	if (cc == NULL || !cluster_connected(cc->c))
		return json_pack("{s:s, s:n}", "membership_source",
		    "smsd.conf", "quorate");
	q = cluster_quorate(cc->c);
	return json_pack("{s:s, s:s, s:i, s:o}", "membership_source",
	    "corosync", "cluster_name", cluster_name(cc->c),
	    "detection_ms", cluster_detection_ms(cc->c), "quorate",
	    q == -1 ? json_null() : json_boolean(q));
}
