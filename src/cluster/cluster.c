/*
 * cluster: corosync membership through corosync's client libraries
 * (see cluster.h).
 *
 * Three connections while corosync runs: libquorum (model v1) gives the
 * full membership and quorum at every change, libcpg (our own process
 * group) tells how a member went away, libcmap gives the nodelist's names
 * and the totem timeouts.  The quorum and CPG descriptors are gathered in
 * one epoll descriptor, the single fd the caller polls.  When corosync
 * goes away every handle is finalized and a one-second timer tries again;
 * nothing is polled meanwhile, so a disconnected handle costs one failed
 * local connect a second.
 *
 * The client libraries are not linked in: corolib loads them at the first
 * connection attempt (and at every retry until they are there), so a host
 * without them runs the programs in single-node mode.  Every corosync call
 * goes through its table, api, set once they are loaded; handles exist,
 * and callbacks run, only after that.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "cluster.h"
#include "corolib.h"
#include "log.h"
#include "members.h"
#include "timeutil.h"

#define CLUSTER_RETRY_MS	1000
#define CLUSTER_CPG_GROUP	"hostmon"
/* When runtime.config.totem.* are missing: corosync 3's defaults. */
#define CLUSTER_DEFAULT_TOKEN	3000
/* Bounds of the settle time after a connection (token + consensus). */
#define CLUSTER_SETTLE_MIN_MS	1000
#define CLUSTER_SETTLE_MAX_MS	10000

struct cluster {
	struct cluster_ops ops;
	void		*arg;
	struct members	 t;

	int		 epfd;
	int		 connected;
	int		 ever_connected;
	int		 said_single;
	int		 said_no_cpg;
	int64_t		 gap_start_ms;	/* real; when the connection was lost */
	int64_t		 next_try_mono;
	/* After a reconnect, the first membership and quorum reports are
	   compared with what was known before the gap. */
	unsigned	 members_flags, quorum_flags;
	/*
	 * Settling: a fresh connection's reports are held until the view
	 * holds every member known (or configured, the first time) or the
	 * settle time passed, so a corosync that started a moment ago and
	 * has not merged with the others yet is not taken for a lost
	 * cluster.  The latest view and quorum wait in pend_*.
	 */
	int		 settling;
	/* Quorum settles apart: a corosync that has just merged reports
	   the full view a moment before it reports quorum, so a held "not
	   quorate" waits for a quorate report or the deadline. */
	int		 quorum_settling;
	int64_t		 settle_deadline_mono;
	uint32_t	*pend_ids;
	size_t		 pend_n, pend_cap;
	int		 pend_have;
	int64_t		 pend_ms;
	int		 pend_quorate;	/* -1 none */
	int64_t		 pend_quorate_ms;

	quorum_handle_t	 qh;
	cpg_handle_t	 ch;
	cmap_handle_t	 mh;
	int		 qfd, cfd;
	int		 have_q, have_c, have_m;

	int		 detection_ms;
	uint32_t	 token_ms, consensus_ms;
	char		 name[128];
};

/* corosync's functions, once corolib_load() found them. */
static const struct corolib *api;

/* The handle a corosync callback belongs to, through its context. */
static struct cluster *
quorum_owner(quorum_handle_t qh)
{
	const void *ctx = NULL;

	if (api->quorum_context_get(qh, &ctx) != CS_OK)
		return NULL;
	return (struct cluster *)(uintptr_t)ctx;
}

static struct cluster *
cpg_owner(cpg_handle_t ch)
{
	void *ctx = NULL;

	if (api->cpg_context_get(ch, &ctx) != CS_OK)
		return NULL;
	return ctx;
}

/* Members' events to the caller's callbacks. */
static void
cluster_emit(const struct member_event *ev, void *arg)
{
	struct cluster *c = arg;

	switch (ev->type) {
	case MEMBER_EV_UP:
		log_debug("cluster: node %s (%u) up%s", ev->m->name,
		    ev->m->nodeid, ev->flags & CLUSTER_F_GAP ? " during the gap" : "");
		if (c->ops.node_up != NULL)
			c->ops.node_up(c->arg, ev->m->name, ev->m->nodeid,
			    ev->when_ms, ev->flags);
		break;
	case MEMBER_EV_DOWN:
		log_debug("cluster: node %s (%u) down, %s%s", ev->m->name,
		    ev->m->nodeid,
		    ev->flags & CLUSTER_F_PLANNED ? "left" : "unreachable",
		    ev->flags & CLUSTER_F_GAP ? " during the gap" : "");
		if (c->ops.node_down != NULL)
			c->ops.node_down(c->arg, ev->m->name, ev->m->nodeid,
			    ev->when_ms, ev->flags);
		break;
	case MEMBER_EV_QUORUM:
		log_debug("cluster: %squorate", ev->quorate ? "" : "not ");
		if (c->ops.quorum != NULL)
			c->ops.quorum(c->arg, ev->quorate, ev->when_ms, ev->flags);
		break;
	}
}

/*
 * Names from the nodelist: nodelist.node.N.nodeid with .name, else
 * .ring0_addr; the ring0_addr is kept as well (smsd reaches members
 * there).  Read at every connection, and again when a member shows up
 * that the last reading did not know (the nodelist was reloaded).
 */
static void
cluster_read_nodelist(struct cluster *c)
{
	char key[64], *s, *addr;
	uint32_t id;
	unsigned i;

	if (!c->have_m)
		return;
	for (i = 0; i < 1024; i++) {
		snprintf(key, sizeof(key), "nodelist.node.%u.nodeid", i);
		if (api->cmap_get_uint32(c->mh, key, &id) != CS_OK)
			break;
		addr = NULL;
		snprintf(key, sizeof(key), "nodelist.node.%u.ring0_addr", i);
		if (api->cmap_get_string(c->mh, key, &addr) != CS_OK)
			addr = NULL;
		s = NULL;
		snprintf(key, sizeof(key), "nodelist.node.%u.name", i);
		if (api->cmap_get_string(c->mh, key, &s) != CS_OK)
			s = NULL;
		if (members_set_name(&c->t, id, s != NULL ? s : addr) == -1 ||
		    members_set_addr(&c->t, id, addr) == -1)
			log_warnx("cluster: out of memory for node %u", id);
		free(s);
		free(addr);
	}
}

/* Failure detection delay: the runtime token (grown by token_coefficient
   per node beyond two) plus consensus. */
static void
cluster_read_timeouts(struct cluster *c)
{
	uint32_t token = 0, consensus = 0;
	char *s = NULL;

	if (!c->have_m)
		return;
	if (api->cmap_get_uint32(c->mh, "runtime.config.totem.token",
	    &token) != CS_OK &&
	    api->cmap_get_uint32(c->mh, "totem.token", &token) != CS_OK)
		token = CLUSTER_DEFAULT_TOKEN;
	if (api->cmap_get_uint32(c->mh, "runtime.config.totem.consensus",
	    &consensus) != CS_OK &&
	    api->cmap_get_uint32(c->mh, "totem.consensus", &consensus) != CS_OK)
		consensus = token + token / 5;
	c->token_ms = token;
	c->consensus_ms = consensus;
	c->detection_ms = (int)(token + consensus);
	if (api->cmap_get_string(c->mh, "totem.cluster_name", &s) == CS_OK) {
		snprintf(c->name, sizeof(c->name), "%s", s);
		free(s);
	}
}

static void
cluster_apply(struct cluster *c, const uint32_t *ids, size_t n,
    int64_t now, int64_t mono)
{
	/* The window: a clean leave shows up in CPG just before the
	   membership change; a process that left on its own long before
	   does not make a later failure planned. */
	if (members_apply(&c->t, ids, n, now, mono, c->detection_ms,
	    c->members_flags, cluster_emit, c) == -1) {
		log_warnx("cluster: out of memory; membership change lost");
		return;
	}
	c->members_flags = 0;
}

static void
cluster_apply_quorum(struct cluster *c, int quorate, int64_t now)
{
	members_set_quorate(&c->t, quorate, now, c->quorum_flags,
	    cluster_emit, c);
	c->quorum_flags = 0;
}

/*
 * End of the settle time: report what the latest reports said, dated when
 * corosync reported them.
 */
static void
cluster_settled(struct cluster *c)
{
	c->settling = 0;
	if (c->pend_have)
		cluster_apply(c, c->pend_ids, c->pend_n, c->pend_ms, mono_ms());
	c->pend_have = 0;
}

static void
cluster_quorum_settled(struct cluster *c)
{
	c->quorum_settling = 0;
	if (c->pend_quorate != -1)
		cluster_apply_quorum(c, c->pend_quorate, c->pend_quorate_ms);
	c->pend_quorate = -1;
}

static void
quorum_nodelist_cb(quorum_handle_t qh, struct quorum_ring_id ring_id,
    uint32_t member_entries, const uint32_t *member_list,
    uint32_t joined_entries, const uint32_t *joined_list,
    uint32_t left_entries, const uint32_t *left_list)
{
	struct cluster *c = quorum_owner(qh);
	int64_t now = real_ms(), mono = mono_ms();
	uint32_t i;

	(void)joined_list;
	(void)left_list;
	if (c == NULL)
		return;
	log_debug("cluster: ring %u/%" PRIu64 ": %u members, %u joined, %u left",
	    ring_id.nodeid, ring_id.seq, member_entries, joined_entries,
	    left_entries);
	for (i = 0; i < member_entries; i++)
		if (members_find(&c->t, member_list[i]) == NULL) {
			cluster_read_nodelist(c);
			break;
		}
	if (c->settling) {
		if (member_entries > c->pend_cap) {
			uint32_t *nv = reallocarray(c->pend_ids, member_entries,
			    sizeof(*nv));
			if (nv == NULL) {
				log_warnx("cluster: out of memory; membership "
				    "change lost");
				return;
			}
			c->pend_ids = nv;
			c->pend_cap = member_entries;
		}
		memcpy(c->pend_ids, member_list,
		    member_entries * sizeof(*member_list));
		c->pend_n = member_entries;
		c->pend_have = 1;
		c->pend_ms = now;
		if (members_view_complete(&c->t, member_list, member_entries)) {
			log_debug("cluster: the view holds every member known");
			cluster_settled(c);
			if (c->pend_quorate == 1)
				cluster_quorum_settled(c);
		}
		return;
	}
	cluster_apply(c, member_list, member_entries, now, mono);
}

static void
quorum_quorate_cb(quorum_handle_t qh, uint32_t quorate,
    struct quorum_ring_id ring_id, uint32_t member_entries,
    const uint32_t *member_list)
{
	struct cluster *c = quorum_owner(qh);
	int64_t now = real_ms();

	(void)ring_id;
	(void)member_entries;
	(void)member_list;
	if (c == NULL)
		return;
	if (c->quorum_settling) {
		c->pend_quorate = quorate != 0;
		c->pend_quorate_ms = now;
		/* Quorate ends the wait once the membership has settled. */
		if (quorate && !c->settling)
			cluster_quorum_settled(c);
		return;
	}
	cluster_apply_quorum(c, quorate != 0, now);
}

static void
cpg_confchg_cb(cpg_handle_t ch, const struct cpg_name *group,
    const struct cpg_address *member_list, size_t member_entries,
    const struct cpg_address *left_list, size_t left_entries,
    const struct cpg_address *joined_list, size_t joined_entries)
{
	struct cluster *c = cpg_owner(ch);
	uint32_t ids[CPG_MEMBERS_MAX];
	int64_t mono = mono_ms();
	size_t i, n;

	(void)group;
	(void)joined_list;
	(void)joined_entries;
	if (c == NULL)
		return;
	n = member_entries < CPG_MEMBERS_MAX ? member_entries : CPG_MEMBERS_MAX;
	for (i = 0; i < n; i++)
		ids[i] = member_list[i].nodeid;
	members_cpg_view(&c->t, ids, n);
	for (i = 0; i < left_entries; i++) {
		log_debug("cluster: cpg: node %u pid %u left, reason %u",
		    left_list[i].nodeid, left_list[i].pid, left_list[i].reason);
		members_cpg_left(&c->t, left_list[i].nodeid,
		    left_list[i].reason == CPG_REASON_LEAVE ||
		    left_list[i].reason == CPG_REASON_PROCDOWN, mono);
	}
}

static void
cpg_deliver_cb(cpg_handle_t ch, const struct cpg_name *group, uint32_t nodeid,
    uint32_t pid, void *msg, size_t len)
{
	/* Nobody sends to the group; joining it is all we need. */
	(void)ch;
	(void)group;
	(void)nodeid;
	(void)pid;
	(void)msg;
	(void)len;
}

static void
epoll_add(struct cluster *c, int fd)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = fd;
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		log_warn("cluster: epoll_ctl add");
}

static void
cluster_close_handles(struct cluster *c)
{
	if (c->have_c) {
		epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->cfd, NULL);
		api->cpg_finalize(c->ch);
		c->have_c = 0;
	}
	if (c->have_q) {
		epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->qfd, NULL);
		api->quorum_finalize(c->qh);
		c->have_q = 0;
	}
	if (c->have_m) {
		api->cmap_finalize(c->mh);
		c->have_m = 0;
	}
	c->qfd = c->cfd = -1;
}

/* The CPG part is optional: without it (or without libcpg) every leave
   counts as a failure. */
static void
cluster_open_cpg(struct cluster *c)
{
	cpg_model_v1_data_t data;
	struct cpg_name group;
	cs_error_t err;

	if (api->cpg_error != NULL) {
		if (!c->said_no_cpg)
			log_warnx("cluster: corosync cpg: %s; every member "
			    "that goes away counts as failed", api->cpg_error);
		c->said_no_cpg = 1;
		return;
	}
	memset(&data, 0, sizeof(data));
	data.model = CPG_MODEL_V1;
	data.cpg_deliver_fn = cpg_deliver_cb;
	data.cpg_confchg_fn = cpg_confchg_cb;
	err = api->cpg_model_initialize(&c->ch, CPG_MODEL_V1,
	    (cpg_model_data_t *)&data, c);
	if (err == CS_OK) {
		c->have_c = 1;
		memset(&group, 0, sizeof(group));
		group.length = sizeof(CLUSTER_CPG_GROUP) - 1;
		memcpy(group.value, CLUSTER_CPG_GROUP, group.length);
		err = api->cpg_join(c->ch, &group);
		if (err == CS_OK)
			err = api->cpg_fd_get(c->ch, &c->cfd);
	}
	if (err != CS_OK) {
		if (!c->said_no_cpg)
			log_warnx("cluster: corosync cpg: %s; every member "
			    "that goes away counts as failed",
			    api->cs_strerror(err));
		c->said_no_cpg = 1;
		if (c->have_c)
			api->cpg_finalize(c->ch);
		c->have_c = 0;
		c->cfd = -1;
		return;
	}
	epoll_add(c, c->cfd);
}

/* Not connected: say why the first time only, and try again later. */
static void
cluster_single(struct cluster *c, const char *why)
{
	if (!c->said_single) {
		log_info("cluster: no corosync (%s): single-node mode", why);
		c->said_single = 1;
	}
	c->next_try_mono = mono_ms() + CLUSTER_RETRY_MS;
}

static int
cluster_connect(struct cluster *c)
{
	quorum_model_v1_data_t qdata;
	const struct corolib *lib;
	uint32_t qtype = 0;
	unsigned int nodeid = 0;
	cs_error_t err;
	const char *what;
	int64_t now;
	char gap[24], why[160];

	/* Every attempt loads what is missing (libcpg may be, for good):
	   a library installed meanwhile is found, and once all are there
	   this costs nothing. */
	if ((lib = corolib_load(&what)) == NULL) {
		cluster_single(c, what);
		return -1;
	}
	api = lib;

	/* ORDER: cmap first, so names and timeouts are known before the
	   first membership is reported. */
	what = "cmap";
	if ((err = api->cmap_initialize(&c->mh)) != CS_OK)
		goto fail;
	c->have_m = 1;
	cluster_read_timeouts(c);
	cluster_read_nodelist(c);

	what = "quorum";
	memset(&qdata, 0, sizeof(qdata));
	qdata.model = QUORUM_MODEL_V1;
	qdata.quorum_notify_fn = quorum_quorate_cb;
	qdata.nodelist_notify_fn = quorum_nodelist_cb;
	if ((err = api->quorum_model_initialize(&c->qh, QUORUM_MODEL_V1,
	    (quorum_model_data_t *)&qdata, &qtype, c)) != CS_OK)
		goto fail;
	c->have_q = 1;
	if ((err = api->quorum_fd_get(c->qh, &c->qfd)) != CS_OK ||
	    (err = api->quorum_trackstart(c->qh,
	    CS_TRACK_CURRENT | CS_TRACK_CHANGES)) != CS_OK)
		goto fail;
	epoll_add(c, c->qfd);

	cluster_open_cpg(c);
	if (c->have_c && api->cpg_local_get(c->ch, &nodeid) == CS_OK)
		c->t.local_nodeid = nodeid;
	else if (api->cmap_get_uint32(c->mh, "runtime.votequorum.this_node_id",
	    &nodeid) == CS_OK)
		c->t.local_nodeid = nodeid;
	if (c->t.local_nodeid != 0)
		(void)members_get(&c->t, c->t.local_nodeid);

	c->connected = 1;
	c->settling = 1;
	c->quorum_settling = 1;
	c->pend_have = 0;
	c->pend_quorate = -1;
	c->settle_deadline_mono = mono_ms() +
	    (c->detection_ms < CLUSTER_SETTLE_MIN_MS ? CLUSTER_SETTLE_MIN_MS :
	    c->detection_ms > CLUSTER_SETTLE_MAX_MS ? CLUSTER_SETTLE_MAX_MS :
	    c->detection_ms);
	now = real_ms();
	if (c->ever_connected) {
		log_info("cluster: corosync is back after %s; comparing the "
		    "membership with the one known before",
		    fmt_elapsed((now - c->gap_start_ms) / 1000, gap, sizeof(gap)));
		c->members_flags = c->quorum_flags = CLUSTER_F_GAP;
	} else {
		log_info("cluster: member of corosync cluster \"%s\" as node %u%s; "
		    "failure detection %d ms (token %u + consensus %u)",
		    c->name, c->t.local_nodeid,
		    qtype == QUORUM_SET ? "" : " (no quorum provider)",
		    c->detection_ms, c->token_ms, c->consensus_ms);
		c->members_flags = c->quorum_flags = 0;
	}
	if (c->ops.connected != NULL)
		c->ops.connected(c->arg, now,
		    c->ever_connected ? c->gap_start_ms : 0);
	c->ever_connected = 1;
	c->said_single = 1;
	return 0;

fail:
	cluster_close_handles(c);
	snprintf(why, sizeof(why), "%s: %s", what, api->cs_strerror(err));
	cluster_single(c, why);
	return -1;
}

static void
cluster_disconnect(struct cluster *c, const char *why)
{
	int64_t now = real_ms();

	cluster_close_handles(c);
	members_cpg_reset(&c->t);
	c->connected = 0;
	c->settling = 0;
	c->quorum_settling = 0;
	c->pend_have = 0;
	c->pend_quorate = -1;
	c->gap_start_ms = now;
	c->next_try_mono = mono_ms() + CLUSTER_RETRY_MS;
	log_warnx("cluster: lost corosync (%s); trying again every %d ms",
	    why, CLUSTER_RETRY_MS);
	if (c->ops.disconnected != NULL)
		c->ops.disconnected(c->arg, now);
}

struct cluster *
cluster_open(const struct cluster_ops *ops, void *arg)
{
	struct cluster *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (ops != NULL)
		c->ops = *ops;
	c->arg = arg;
	members_init(&c->t);
	c->qfd = c->cfd = -1;
	c->pend_quorate = -1;
	if ((c->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		free(c);
		return NULL;
	}
	(void)cluster_connect(c);
	return c;
}

void
cluster_close(struct cluster *c)
{
	if (c == NULL)
		return;
	cluster_close_handles(c);
	close(c->epfd);
	members_free(&c->t);
	free(c->pend_ids);
	free(c);
}

int
cluster_fd(const struct cluster *c)
{
	return c->connected ? c->epfd : -1;
}

int
cluster_timeout_ms(const struct cluster *c)
{
	int64_t left;

	if (c->connected && !c->settling && !c->quorum_settling)
		return -1;
	left = (c->connected ? c->settle_deadline_mono : c->next_try_mono) -
	    mono_ms();
	if (left < 0)
		return 0;
	return left > CLUSTER_SETTLE_MAX_MS ? CLUSTER_SETTLE_MAX_MS : (int)left;
}

static int
dispatch_failed(cs_error_t err)
{
	return err != CS_OK && err != CS_ERR_TRY_AGAIN;
}

void
cluster_dispatch(struct cluster *c)
{
	struct epoll_event evs[4];
	cs_error_t err;
	int i, n, q_ready = 0, c_ready = 0, hup = 0;

	if (!c->connected) {
		if (mono_ms() >= c->next_try_mono)
			(void)cluster_connect(c);
		return;
	}
	n = epoll_wait(c->epfd, evs, 4, 0);
	if (n == -1) {
		if (errno != EINTR)
			log_warn("cluster: epoll_wait");
		return;
	}
	for (i = 0; i < n; i++) {
		if (evs[i].data.fd == c->qfd)
			q_ready = 1;
		else if (evs[i].data.fd == c->cfd)
			c_ready = 1;
		if (evs[i].events & (EPOLLHUP | EPOLLERR))
			hup = 1;
	}
	/* ORDER: CPG before quorum: a clean leave's CPG report was written
	   before the membership change, and must be known when it is
	   applied. */
	if (c_ready &&
	    dispatch_failed(err = api->cpg_dispatch(c->ch, CS_DISPATCH_ALL))) {
		cluster_disconnect(c, api->cs_strerror(err));
		return;
	}
	if (q_ready &&
	    dispatch_failed(err = api->quorum_dispatch(c->qh, CS_DISPATCH_ALL))) {
		cluster_disconnect(c, api->cs_strerror(err));
		return;
	}
	if (hup) {
		cluster_disconnect(c, "connection closed");
		return;
	}
	if ((c->settling || c->quorum_settling) &&
	    mono_ms() >= c->settle_deadline_mono) {
		log_debug("cluster: settle time over");
		if (c->settling)
			cluster_settled(c);
		cluster_quorum_settled(c);
	}
}

int
cluster_connected(const struct cluster *c)
{
	return c->connected;
}

int
cluster_quorate(const struct cluster *c)
{
	return c->connected ? c->t.quorate : -1;
}

int
cluster_detection_ms(const struct cluster *c)
{
	return c->detection_ms;
}

const char *
cluster_name(const struct cluster *c)
{
	return c->name;
}

uint32_t
cluster_local_nodeid(const struct cluster *c)
{
	return c->t.local_nodeid;
}

int
cluster_members(const struct cluster *c, cluster_member_fn fn, void *arg)
{
	struct cluster_member cm;
	const struct member *m;
	size_t i;
	int rc;

	for (i = 0; i < c->t.n; i++) {
		m = &c->t.v[i];
		cm.name = m->name;
		cm.nodeid = m->nodeid;
		cm.state = m->state;
		cm.changed_ms = m->changed_ms;
		cm.local = m->nodeid == c->t.local_nodeid;
		cm.addr = m->addr;
		if ((rc = fn(&cm, arg)) != 0)
			return rc;
	}
	return 0;
}
