/*
 * cluster: every member's system and health in one answer, gathered from
 * their smsd in parallel, each bounded by cluster-timeout.  An unreachable
 * member is shown as such.  The member list comes from cluster_member_list()
 * alone: corosync's node list while corosync answers (corosync.c, with
 * each member's membership state), else smsd.conf's members.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "log.h"
#include "timeutil.h"
#include "smsd.h"

#define CLUSTER_MAX_BODY	(1024 * 1024)
#define CLUSTER_MAX_AGE_MS	1000

struct mctx {
	struct cluster_state *cs;
	int		idx;
	struct evhttp_connection *conn;
	int		done;
	int		local;
	int64_t		started;
	json_t		*result;
};

struct seen {
	char		name[SMSD_NAME_MAX + 1];
	int		up;
	int64_t		changed_ms;
};

struct cluster_state {
	struct smsd	*d;
	int		inflight;
	int		outstanding;
	struct mctx	m[SMSD_MAX_MEMBERS];
	struct member	list[SMSD_MAX_MEMBERS];
	int		n;
	struct member	cs_list[SMSD_MAX_MEMBERS];	/* corosync's */
	struct event	*deadline;
	int64_t		gathered_ms;
	char		*body;
	size_t		bodylen;
	/* each member's state when last gathered, and when this smsd saw it
	   change (0: not since it started) */
	struct seen	seen[SMSD_MAX_MEMBERS];
	int		nseen;
};

static struct cluster_state *state(struct smsd *);

const struct member *
cluster_member_list(struct smsd *d, int *n)
{
	struct cluster_state *cs = state(d);

	if ((*n = corosync_member_list(d, cs->cs_list, SMSD_MAX_MEMBERS)) >= 0)
		return cs->cs_list;
	*n = d->conf.nmembers;
	return d->conf.members;
}

static struct cluster_state *
state(struct smsd *d)
{
	if (d->cluster == NULL) {
		d->cluster = calloc(1, sizeof(*d->cluster));
		if (d->cluster == NULL)
			fatal("calloc");
		d->cluster->d = d;
	}
	return d->cluster;
}

int
cluster_fresh(struct smsd *d)
{
	struct cluster_state *cs = state(d);

	return cs->body != NULL && !cs->inflight &&
	    mono_ms() - cs->gathered_ms <= CLUSTER_MAX_AGE_MS;
}

void
cluster_invalidate(struct smsd *d)
{
	state(d)->gathered_ms = 0;
}

static void	member_failed(struct mctx *, const char *);

/*
 * When member i's state (up or unreachable) last changed, as this smsd
 * saw it: 0 until it has seen a change.  The members may differ from one
 * gathering to the next (a reload, corosync): those gone are forgotten.
 */
static int64_t
state_seen(struct cluster_state *cs, struct seen *next, int i, int up)
{
	const char *name = cs->list[i].name;
	int k;

	snprintf(next[i].name, sizeof(next[i].name), "%s", name);
	next[i].up = up;
	next[i].changed_ms = 0;
	for (k = 0; k < cs->nseen; k++) {
		if (strcmp(cs->seen[k].name, name) != 0)
			continue;
		next[i].changed_ms = cs->seen[k].up != up ? real_ms() :
		    cs->seen[k].changed_ms;
		break;
	}
	return next[i].changed_ms;
}

static void
finish(struct cluster_state *cs)
{
	struct smsd *d = cs->d;
	json_t *arr = json_array(), *o, *view;
	struct seen next[SMSD_MAX_MEMBERS];
	int64_t changed;
	int i, up = 0, isup;

	if (cs->deadline != NULL)
		evtimer_del(cs->deadline);
	for (i = 0; i < cs->n; i++) {
		struct mctx *m = &cs->m[i];
		json_t *e;

		if (m->local && m->result == NULL &&
		    (m->result = system_view(d)) == NULL)
			member_failed(m, "no local data yet");
		e = json_pack("{s:s, s:s, s:i, s:I}",
		    "name", cs->list[i].name, "address", cs->list[i].host,
		    "port", cs->list[i].port, "answer_ms",
		    (json_int_t)(mono_ms() - m->started));
		if (cs->list[i].membership[0] != '\0') {
			json_object_set_new(e, "membership",
			    json_string(cs->list[i].membership));
			json_object_set_new(e, "membership_changed_ms",
			    cs->list[i].changed_ms != 0 ? json_integer(
			    (json_int_t)cs->list[i].changed_ms) : json_null());
		}

		isup = json_is_object(m->result) &&
		    json_object_get(m->result, "error") == NULL;
		changed = state_seen(cs, next, i, isup);
		json_object_set_new(e, "state_changed_ms", changed != 0 ?
		    json_integer((json_int_t)changed) : json_null());
		if (isup) {
			json_object_set_new(e, "state", json_string("up"));
			json_object_set(e, "health", json_object_get(m->result,
			    "health"));
			json_object_set(e, "system", m->result);
			up++;
		} else {
			json_object_set_new(e, "state",
			    json_string("unreachable"));
			json_object_set(e, "error", json_object_get(m->result,
			    "error"));
		}
		if (m->result != NULL)
			json_decref(m->result);
		m->result = NULL;
		json_array_append_new(arr, e);
	}
	memcpy(cs->seen, next, sizeof(next[0]) * (size_t)cs->n);
	cs->nseen = cs->n;
	o = json_pack("{s:s, s:i, s:i, s:o}", "member", d->conf.member_name,
	    "members_total", cs->n, "members_up", up, "members", arr);
	if (o != NULL && (view = corosync_view(d)) != NULL) {
		json_object_update(o, view);
		json_decref(view);
	}
	free(cs->body);
	cs->body = o != NULL ? json_dumps(o, SMSD_JSON) : NULL;
	cs->bodylen = cs->body != NULL ? strlen(cs->body) : 0;
	json_decref(o);
	cs->gathered_ms = mono_ms();
	cs->inflight = 0;
	pending_wake(d);
}

static void
member_failed(struct mctx *m, const char *why)
{
	if (m->result != NULL)
		json_decref(m->result);
	m->result = json_pack("{s:s}", "error", why);
}

static void
member_done(struct evhttp_request *req, void *arg)
{
	struct mctx *m = arg;
	struct cluster_state *cs = m->cs;
	struct evbuffer *b;
	char why[128];
	json_error_t err;
	size_t len;
	int code;

	if (m->done)
		return;
	m->done = 1;
	m->conn = NULL;		/* freed by evhttp on completion */
	code = req != NULL ? evhttp_request_get_response_code(req) : 0;
	if (code == 0)
		member_failed(m, "connection failed");
	else if (code != 200) {
		snprintf(why, sizeof(why), "HTTP status %d", code);
		member_failed(m, why);
	} else {
		b = evhttp_request_get_input_buffer(req);
		len = evbuffer_get_length(b);
		m->result = json_loadb((const char *)evbuffer_pullup(b, -1),
		    len, 0, &err);
		if (!json_is_object(m->result))
			member_failed(m, "answer is not a JSON object");
	}
	if (--cs->outstanding == 0)
		finish(cs);
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cluster_state *cs = arg;
	char why[64];
	int i;

	(void)fd;
	(void)what;
	snprintf(why, sizeof(why), "no answer within %d ms",
	    cs->d->conf.cluster_timeout_ms);
	for (i = 0; i < cs->n; i++) {
		struct mctx *m = &cs->m[i];

		if (m->done)
			continue;
		m->done = 1;
		/* no callback comes for a request freed with its connection */
		if (m->conn != NULL)
			evhttp_connection_free(m->conn);
		m->conn = NULL;
		member_failed(m, why);
	}
	cs->outstanding = 0;
	finish(cs);
}

void
cluster_kick(struct smsd *d)
{
	struct cluster_state *cs = state(d);
	const struct member *list;
	struct timeval tv;
	int i, n;

	if (cs->inflight)
		return;
	list = cluster_member_list(d, &n);
	cs->n = n;
	memcpy(cs->list, list, sizeof(*list) * (size_t)n);
	cs->inflight = 1;
	/*
	 * One count held by this loop: a member that fails at once (connect
	 * refused by the kernel: ENETUNREACH, EMFILE) gets member_done()
	 * from inside evhttp_make_request(), and must not finish() the
	 * round before the other members are even asked.
	 */
	cs->outstanding = 1;
	if (cs->deadline == NULL)
		cs->deadline = evtimer_new(d->base, deadline_cb, cs);
	for (i = 0; i < n; i++) {
		struct mctx *m = &cs->m[i];
		struct evhttp_request *req;
		struct evhttp_connection *conn;
		struct in6_addr a6;
		struct in_addr a4;

		memset(m, 0, sizeof(*m));
		m->cs = cs;
		m->idx = i;
		m->started = mono_ms();
		if (cs->list[i].local ||
		    strcmp(cs->list[i].name, d->conf.member_name) == 0) {
			m->local = 1;	/* read at finish(), freshest */
			m->done = 1;
			continue;
		}
		/* names would block in evhttp's resolver: addresses only */
		if (inet_pton(AF_INET, cs->list[i].host, &a4) != 1 &&
		    inet_pton(AF_INET6, cs->list[i].host, &a6) != 1) {
			member_failed(m, "not a numeric address");
			m->done = 1;
			continue;
		}
		m->conn = evhttp_connection_base_new(d->base, NULL,
		    cs->list[i].host, (unsigned short)cs->list[i].port);
		req = m->conn != NULL ? evhttp_request_new(member_done, m) :
		    NULL;
		if (req == NULL) {
			if (m->conn != NULL)
				evhttp_connection_free(m->conn);
			m->conn = NULL;
			member_failed(m, "out of memory");
			m->done = 1;
			continue;
		}
		evhttp_connection_set_max_body_size(m->conn,
		    CLUSTER_MAX_BODY);
		/* longer than the deadline, which alone decides "no answer" */
		evhttp_connection_set_timeout(m->conn,
		    (d->conf.cluster_timeout_ms + 999) / 1000 + 1);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Host", cs->list[i].host);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Connection", "close");
		conn = m->conn;
		cs->outstanding++;
		if (evhttp_make_request(conn, req, EVHTTP_REQ_GET,
		    "/v1/system") == -1) {
			if (!m->done) {
				cs->outstanding--;
				member_failed(m, "cannot send the request");
				m->done = 1;
			}
			evhttp_connection_free(conn);
			m->conn = NULL;
			continue;
		}
		if (m->done) {
			/* failed at once: member_done() has run, and evhttp
			   does not free a connection that never connected */
			evhttp_connection_free(conn);
			continue;
		}
		evhttp_connection_free_on_completion(conn);
	}
	if (--cs->outstanding == 0) {
		finish(cs);
		return;
	}
	tv.tv_sec = d->conf.cluster_timeout_ms / 1000;
	tv.tv_usec = (d->conf.cluster_timeout_ms % 1000) * 1000;
	evtimer_add(cs->deadline, &tv);
}

const char *
cluster_body(struct smsd *d, size_t *len)
{
	struct cluster_state *cs = state(d);

	*len = cs->bodylen;
	return cs->body;
}

void
cluster_free(struct smsd *d)
{
	struct cluster_state *cs = d->cluster;
	int i;

	if (cs == NULL)
		return;
	for (i = 0; i < cs->n; i++) {
		if (!cs->m[i].done && cs->m[i].conn != NULL)
			evhttp_connection_free(cs->m[i].conn);
		if (cs->m[i].result != NULL)
			json_decref(cs->m[i].result);
	}
	if (cs->deadline != NULL)
		event_free(cs->deadline);
	free(cs->body);
	free(cs);
	d->cluster = NULL;
}
