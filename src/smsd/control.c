/*
 * control: the HTTP front end.  Listening sockets (with accept paused on
 * EMFILE), the client table (access list, concurrent client limit, header
 * deadline, TCP_NODELAY), request routing, and requests that wait for a
 * source.
 *
 * A connection is judged as it is accepted, before it is read: one from
 * outside the access list, or past the client limit, gets a short answer
 * and is closed at once, with a log line; so a flood of connections that
 * never finish a request holds no descriptors.  An admitted one must send
 * its first request whole within header-timeout seconds, and each next
 * one within idle-timeout seconds of the last answer, however slowly it
 * trickles bytes (evhttp's own timeout restarts with every byte read).
 *
 * evhttp (libevent 2.1) accepts by itself and says nothing of a new
 * connection until its first request is whole; the one hook it calls per
 * connection is the bufferevent callback, before the connection exists.
 * So that callback makes the bufferevent and queues it, and judge(), run
 * from the loop right after evhttp has set the connection up (before any
 * byte is read), finds the connection through the bufferevent's callback
 * argument, which evhttp sets to it.
 *
 * evhttp also answers a request it cannot parse with an HTML page of its
 * own and tells nobody.  So each head is judged before evhttp reads it
 * (headcheck.c), by a callback on the connection's input buffer, which runs
 * as bytes arrive and before evhttp's read callback: a malformed one is
 * taken out of evhttp's sight and answered here, in JSON, with a log line,
 * and the connection closed.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "headcheck.h"
#include "log.h"
#include "progopt.h"
#include "timeutil.h"
#include "smsd.h"
#include "proxy.h"
#include "station.h"
#include "suite.h"
#include "trend.h"

struct client {
	struct client	*next;		/* hash chain */
	struct evhttp_connection *evcon;
	struct stream	*stream;
	struct { struct pending *tqh_first, **tqh_last; } pending;
	struct event	*deadline;	/* the next request must be whole */
	char		addr[INET6_ADDRSTRLEN + 16];
	/* judging heads before evhttp parses them */
	enum {
		GUARD_HEAD,		/* a head may be arriving: judge it */
		GUARD_BUSY,		/* evhttp has one, until its answer */
		GUARD_REFUSE,		/* malformed: our answer is due */
		GUARD_LINGER		/* answered: read off what comes */
	}		guard;
	struct evbuffer_cb_entry *guard_cb;
	struct evbuffer	*head;		/* a copy of the head so far: evhttp
					   takes its lines as they come */
	struct event	*guard_ev;	/* the answer; the end of lingering */
	size_t		max_head;	/* evhttp's limit on this connection */
	struct head_check hc;
};

struct pending {
	TAILQ_ENTRY(pending) entry;	/* all */
	TAILQ_ENTRY(pending) centry;	/* the client's */
	struct client	*client;
	struct evhttp_request *req;
	struct req	r;
	unsigned	need;
	struct event	*timer;
	struct proxy	*proxy;		/* a member's answer is awaited */
};

/* A "source" in pending: a member asked through proxy.c. */
#define PROXY_BIT	SRC_BIT(SRC_COUNT + 1)

static struct evconnlistener *listeners[SMSD_MAX_LISTEN * 2];
static int nlisteners;
static struct event *accept_resume_ev;
static struct log_ratelimit refuse_rl = LOG_RATELIMIT_INIT(10, 10);
static struct log_ratelimit bad_rl = LOG_RATELIMIT_INIT(10, 10);
static struct log_ratelimit emfile_rl = LOG_RATELIMIT_INIT(60, 1);
static struct log_ratelimit slow_rl = LOG_RATELIMIT_INIT(10, 10);
/* Connections accepted, waiting for judge(). */
static struct bufferevent **arrivals;
static size_t narrivals, arrivals_cap;
static struct event *judge_ev;
/*
 * libevent's listener accepts until the backlog is empty before judge()
 * runs, and the descriptors of connections turned away close only after
 * that: a backlog of a thousand would take a thousand descriptors at once.
 * At most ACCEPT_BATCH are taken per turn of the loop; the listeners rest
 * (batch_held) until judge() has dealt with them.
 */
#define ACCEPT_BATCH	32
static int batch_held;

struct smsd *smsd;		/* the one daemon; callbacks without an arg */

static void	respond(struct smsd *, struct evhttp_request *,
		    const struct req *);
static void	guard_look(struct smsd *, struct client *);
static size_t	guard_copy(struct client *, struct evbuffer *, size_t,
		    size_t);

/* ---- the client table ---- */

static size_t
chash(struct smsd *d, const void *p)
{
	uintptr_t v = (uintptr_t)p;

	v ^= v >> 17;
	v *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(v >> 20) & (d->ctab_size - 1);
}

static struct client *
client_find(struct smsd *d, struct evhttp_connection *evcon)
{
	struct client *c;

	for (c = d->ctab[chash(d, evcon)]; c != NULL; c = c->next)
		if (c->evcon == evcon)
			return c;
	return NULL;
}

static void
pending_free(struct smsd *d, struct pending *p)
{
	TAILQ_REMOVE(&d->pending, p, entry);
	TAILQ_REMOVE(&p->client->pending, p, centry);
	event_free(p->timer);
	proxy_cancel(p->proxy);
	free(p);
}

static void
client_closed(struct evhttp_connection *evcon, void *arg)
{
	struct smsd *d = smsd;
	struct client *c = arg, **cp;
	struct pending *p;
	struct bufferevent *bev;

	for (cp = &d->ctab[chash(d, evcon)]; *cp != NULL; cp = &(*cp)->next)
		if (*cp == c) {
			*cp = c->next;
			break;
		}
	/* the requests die with the connection; forget them unanswered */
	while ((p = TAILQ_FIRST(&c->pending)) != NULL)
		pending_free(d, p);
	if (c->stream != NULL)
		stream_connection_closed(d, c->stream);
	if (c->deadline != NULL)
		event_free(c->deadline);
	/* the buffer may outlive c, in a callback that holds it */
	if (c->guard_cb != NULL && (bev = evhttp_connection_get_bufferevent(
	    evcon)) != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_input(bev),
		    c->guard_cb);
	if (c->guard_ev != NULL)
		event_free(c->guard_ev);
	if (c->head != NULL)
		evbuffer_free(c->head);
	d->nclients--;
	free(c);
}

void
control_bind_stream(struct evhttp_connection *evcon, struct stream *s)
{
	struct client *c = client_find(smsd, evcon);

	if (c != NULL)
		c->stream = s;
}

/*
 * Every answer but the event stream goes out here.  A HEAD gets the headers
 * of a GET, its Content-Length too, and no body (libevent would send one).
 */
static void
send_body(struct evhttp_request *req, int code, const char *reason,
    const char *ctype, struct evbuffer *b)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	char len[32];

	evhttp_add_header(h, "Content-Type", ctype);
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		snprintf(len, sizeof(len), "%zu",
		    b != NULL ? evbuffer_get_length(b) : 0);
		evhttp_remove_header(h, "Content-Length");
		evhttp_add_header(h, "Content-Length", len);
		if (b != NULL)
			evbuffer_drain(b, evbuffer_get_length(b));
	}
	evhttp_send_reply(req, code, reason, b);
}

static void
send_json(struct evhttp_request *req, int code, const char *reason,
    const char *body, size_t len)
{
	struct evbuffer *b = evbuffer_new();

	if (b != NULL)
		evbuffer_add(b, body, len);
	send_body(req, code, reason, "application/json", b);
	if (b != NULL)
		evbuffer_free(b);
}

static const char *
reason_of(int code)
{
	switch (code) {
	case 200: return "OK";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 417: return "Expectation Failed";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

static void
send_error(struct evhttp_request *req, int code, const char *msg)
{
	json_t *o = json_pack("{s:{s:i, s:s}}", "error", "code", code,
	    "message", msg);
	char *s = o != NULL ? json_dumps(o, SMSD_JSON) : NULL;

	if (s != NULL)
		send_json(req, code, reason_of(code), s, strlen(s));
	else
		evhttp_send_error(req, code, NULL);
	free(s);
	json_decref(o);
}

static void
peer_string(struct evhttp_connection *evcon, char *buf, size_t len)
{
	char *addr = NULL;
	ev_uint16_t port = 0;

	evhttp_connection_get_peer(evcon, &addr, &port);
	snprintf(buf, len, "%s port %u", addr != NULL ? addr : "?", port);
}

/*
 * An error answer written to the socket by smsd, not evhttp, for a
 * connection about to close: the JSON and the headers of send_error(),
 * and no body after a HEAD.  Returns its length, or -1 if buf is too
 * small.
 */
static int
raw_error(char *buf, size_t size, int code, const char *msg, int head)
{
	char body[160];
	int blen, n;

	blen = snprintf(body, sizeof(body), "{\"error\":{\"code\":%d,"
	    "\"message\":\"%s\"}}", code, msg);
	if (blen < 0 || (size_t)blen >= sizeof(body))
		return -1;
	n = snprintf(buf, size, "HTTP/1.1 %d %s\r\nServer: smsd/%s\r\n"
	    "Content-Security-Policy: %s\r\nX-Content-Type-Options: nosniff\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "Content-Type: application/json\r\nContent-Length: %d\r\n"
	    "Connection: close\r\n\r\n%s", code, reason_of(code), hm_version,
	    STATION_CSP, blen, head ? "" : body);
	return n < 0 || (size_t)n >= size ? -1 : n;
}

/*
 * A refused connection gets its answer and is closed, with a log line.
 * Judged at accept (req NULL), the answer is written straight to the
 * socket, the request unparsed; what the client may already have sent is
 * read off first, so that the close is a FIN, not a reset that could
 * destroy the answer before the client reads it.  Judged at its first
 * request, evhttp answers it.
 */
static void
turn_away(struct smsd *d, struct evhttp_connection *evcon,
    struct evhttp_request *req, int code, const char *msg, const char *who)
{
	struct bufferevent *bev = evhttp_connection_get_bufferevent(evcon);
	unsigned long suppressed;
	char mb[48], head[1024], sink[4096];
	int fd, hlen, i;

	d->refused++;
	if (log_ratelimit(&refuse_rl, &suppressed))
		log_warnx("refused client %s: %s%s", who, msg,
		    more(suppressed, mb));
	if (req != NULL) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Connection", "close");
		send_error(req, code, msg);
		return;
	}
	fd = bev != NULL ? bufferevent_getfd(bev) : -1;
	if (fd != -1 && (hlen = raw_error(head, sizeof(head), code, msg, 0))
	    != -1) {
		for (i = 0; i < 4 && recv(fd, sink, sizeof(sink),
		    MSG_DONTWAIT) > 0; i++)
			;
		(void)send(fd, head, (size_t)hlen, MSG_DONTWAIT |
		    MSG_NOSIGNAL);
	}
	evhttp_connection_free(evcon);
}

static void
deadline_passed(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	struct smsd *d = smsd;
	unsigned long suppressed;
	char mb[48];

	(void)fd;
	(void)what;
	d->dropped_slow++;
	if (log_ratelimit(&slow_rl, &suppressed))
		log_warnx("closing client %s: no complete request in time%s",
		    c->addr, more(suppressed, mb));
	/* client_closed runs from here and frees c */
	evhttp_connection_free(c->evcon);
}

static void
deadline_set(struct client *c, int seconds)
{
	struct timeval tv = { seconds, 0 };

	if (c->deadline != NULL)
		evtimer_add(c->deadline, &tv);
}

/* ---- malformed requests, answered before evhttp parses them ---- */

/* The answer has gone, or the client has: close. */
static void
guard_closing(struct bufferevent *bev, short what, void *arg)
{
	struct client *c = arg;

	(void)bev;
	(void)what;
	/* client_closed runs from here and frees c */
	evhttp_connection_free(c->evcon);
}

/* Lingering: what the client still sends is read and dropped. */
static void
guard_discard(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);

	(void)arg;
	evbuffer_drain(in, evbuffer_get_length(in));
}

/*
 * The answer is out.  Closing now, with the client's bytes unread, would
 * send a reset that can destroy the answer before the client reads it; so
 * the sending side is shut and the rest read off, for a few seconds at
 * most.
 */
static void
guard_written(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;
	struct timeval tv = { 2, 0 };

	c->guard = GUARD_LINGER;
	(void)shutdown(bufferevent_getfd(bev), SHUT_WR);
	bufferevent_setcb(bev, guard_discard, NULL, guard_closing, c);
	bufferevent_set_timeouts(bev, &tv, NULL);
	bufferevent_enable(bev, EV_READ);
	evtimer_add(c->guard_ev, &tv);
}

/*
 * From the loop, once evhttp is out of the way: the answer to a malformed
 * head goes out through the connection's bufferevent, whose callbacks are
 * smsd's from now on (evhttp, waiting for a request line, never gets one).
 * In GUARD_LINGER, the time to read off is up.
 */
static void
guard_event(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	struct bufferevent *bev = evhttp_connection_get_bufferevent(c->evcon);
	struct timeval tv = { smsd->conf.idle_timeout, 0 };
	char answer[1024];
	int n;

	(void)fd;
	(void)what;
	if (c->guard != GUARD_REFUSE || bev == NULL ||
	    (n = raw_error(answer, sizeof(answer), c->hc.code, c->hc.what,
	    c->hc.is_head)) == -1) {
		evhttp_connection_free(c->evcon);
		return;
	}
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, guard_written, guard_closing, c);
	bufferevent_set_timeouts(bev, NULL, &tv);
	if (bufferevent_write(bev, answer, (size_t)n) == -1 ||
	    bufferevent_enable(bev, EV_WRITE) == -1)
		evhttp_connection_free(c->evcon);
}

/*
 * Judge the head at the start of the input.  A malformed one is logged
 * (its request line escaped: the log is no place for a client's raw
 * bytes), taken out of the buffer before evhttp's read callback can see
 * it, and answered by guard_event.
 */
static void
guard_look(struct smsd *d, struct client *c)
{
	struct bufferevent *bev = evhttp_connection_get_bufferevent(c->evcon);
	struct evbuffer *in;
	enum head_verdict v;
	unsigned long suppressed;
	size_t len, line;
	const char *p, *nl;
	char esc[128], mb[48];

	if (bev == NULL || (len = evbuffer_get_length(c->head)) == 0 ||
	    (p = (const char *)evbuffer_pullup(c->head, -1)) == NULL)
		return;
	v = head_check(p, len, c->max_head, &c->hc);
	if (v == HEAD_OK) {
		c->guard = GUARD_BUSY;
		evbuffer_drain(c->head, len);
		return;
	}
	if (v == HEAD_MORE && len < c->max_head * 2 + 4)
		return;
	if (v == HEAD_MORE) {	/* cannot be, by guard_copy's bound */
		c->hc.code = 431;
		c->hc.what = "request header fields too large";
	}
	line = (nl = memchr(p, '\n', len)) != NULL ? (size_t)(nl - p) : len;
	if (line > 0 && p[line - 1] == '\r')
		line--;
	d->bad_requests++;
	if (log_ratelimit(&bad_rl, &suppressed))
		log_warnx("client %s: malformed request \"%s\": %s (%d)%s",
		    c->addr, log_escape(p, line, esc, sizeof(esc)), c->hc.what,
		    c->hc.code, more(suppressed, mb));
	evbuffer_drain(c->head, len);
	in = bufferevent_get_input(bev);
	evbuffer_drain(in, evbuffer_get_length(in));
	bufferevent_disable(bev, EV_READ);
	evtimer_del(c->deadline);
	c->guard = GUARD_REFUSE;
	event_active(c->guard_ev, EV_TIMEOUT, 0);
}

/*
 * Copy n bytes of in, from off, to the head being judged.  A head within
 * evhttp's limit is shorter than 2 * limit + 4 bytes (each line but the
 * last has at least two bytes before its line end), so no more is kept.
 * Returns the length the copy had before.
 */
static size_t
guard_copy(struct client *c, struct evbuffer *in, size_t off, size_t n)
{
	size_t had = evbuffer_get_length(c->head), cap = c->max_head * 2 + 4;
	struct evbuffer_ptr ptr;
	char chunk[4096];
	size_t k;

	if (had >= cap)
		return had;
	if (n > cap - had)
		n = cap - had;
	if (evbuffer_ptr_set(in, &ptr, off, EVBUFFER_PTR_SET) == -1)
		return had;
	while (n > 0) {
		k = n < sizeof(chunk) ? n : sizeof(chunk);
		if (evbuffer_copyout_from(in, &ptr, chunk, k) != (ev_ssize_t)k ||
		    evbuffer_add(c->head, chunk, k) == -1 ||
		    evbuffer_ptr_set(in, &ptr, k, EVBUFFER_PTR_ADD) == -1)
			break;
		n -= k;
	}
	return had;
}

/*
 * The input buffer's callback: bytes have come in, and evhttp's read
 * callback comes next.  A head is judged again when a line is finished or
 * the bytes exceed evhttp's limit, not at every byte of a slow client.
 */
static void
guard_input(struct evbuffer *in, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct client *c = arg;
	struct evbuffer_ptr from;
	size_t had;

	if (info->n_added == 0)
		return;
	if (c->guard == GUARD_REFUSE) {
		/* what evhttp read meanwhile is not for it */
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	if (c->guard != GUARD_HEAD)
		return;
	had = guard_copy(c, in, evbuffer_get_length(in) - info->n_added,
	    info->n_added);
	if (evbuffer_get_length(c->head) <= c->max_head &&
	    (evbuffer_ptr_set(c->head, &from, had, EVBUFFER_PTR_SET) == -1 ||
	    evbuffer_search(c->head, "\n", 1, &from).pos == -1))
		return;
	guard_look(smsd, c);
}

/*
 * The access list and the client limit, before anything is read (req
 * NULL), or at the first request of a connection arrival() could not
 * queue.
 */
static struct client *
client_admit(struct smsd *d, struct evhttp_connection *evcon,
    struct evhttp_request *req)
{
	const struct sockaddr *sa = evhttp_connection_get_addr(evcon);
	struct bufferevent *bev;
	struct client *c;
	char who[INET6_ADDRSTRLEN + 16];
	int one = 1;
	size_t h;

	peer_string(evcon, who, sizeof(who));
	if (!acl_permits(&d->conf.acl, sa)) {
		turn_away(d, evcon, req, 403, "not in the access list", who);
		return NULL;
	}
	if (d->nclients >= d->conf.max_clients) {
		turn_away(d, evcon, req, 503, "too many clients", who);
		return NULL;
	}
	bev = evhttp_connection_get_bufferevent(evcon);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->deadline = evtimer_new(d->base, deadline_passed, c)) == NULL ||
	    (c->guard_ev = event_new(d->base, -1, 0, guard_event, c)) == NULL ||
	    (c->head = evbuffer_new()) == NULL ||
	    bev == NULL || (c->guard_cb = evbuffer_add_cb(
	    bufferevent_get_input(bev), guard_input, c)) == NULL) {
		if (c != NULL && c->deadline != NULL)
			event_free(c->deadline);
		if (c != NULL && c->guard_ev != NULL)
			event_free(c->guard_ev);
		if (c != NULL && c->head != NULL)
			evbuffer_free(c->head);
		free(c);
		turn_away(d, evcon, req, 503, "out of memory", who);
		return NULL;
	}
	/* judged at its first request, that request is evhttp's already */
	c->guard = req != NULL ? GUARD_BUSY : GUARD_HEAD;
	c->max_head = d->conf.max_request;
	c->evcon = evcon;
	TAILQ_INIT(&c->pending);
	snprintf(c->addr, sizeof(c->addr), "%s", who);
	h = chash(d, evcon);
	c->next = d->ctab[h];
	d->ctab[h] = c;
	d->nclients++;
	evhttp_connection_set_closecb(evcon, client_closed, c);
	(void)setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY,
	    &one, sizeof(one));
	deadline_set(c, d->conf.header_timeout);
	return c;
}

static void
listeners_enable(int on)
{
	int i;

	for (i = 0; i < nlisteners; i++)
		if (on)
			evconnlistener_enable(listeners[i]);
		else
			evconnlistener_disable(listeners[i]);
}

/* evhttp's bufferevent callback: a connection is being accepted. */
static struct bufferevent *
arrival(struct event_base *base, void *arg)
{
	struct bufferevent *bev, **nb;
	size_t cap;

	(void)arg;
	if ((bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE))
	    == NULL)
		return NULL;	/* evhttp makes its own: judged at its request */
	if (narrivals == arrivals_cap) {
		cap = arrivals_cap == 0 ? 64 : arrivals_cap * 2;
		if ((nb = realloc(arrivals, cap * sizeof(*nb))) == NULL)
			return bev;	/* judged at its first request */
		arrivals = nb;
		arrivals_cap = cap;
	}
	/* held until judge(), even if evhttp gives up on it meanwhile */
	bufferevent_incref(bev);
	arrivals[narrivals++] = bev;
	event_active(judge_ev, EV_TIMEOUT, 0);
	if (narrivals >= ACCEPT_BATCH && !batch_held) {
		batch_held = 1;
		listeners_enable(0);
	}
	return bev;
}

static void
judge(evutil_socket_t fd, short what, void *arg)
{
	struct smsd *d = arg;
	struct evhttp_connection *evcon;
	struct bufferevent *bev;
	void *cbarg;
	size_t i;

	(void)fd;
	(void)what;
	for (i = 0; i < narrivals; i++) {
		bev = arrivals[i];
		cbarg = NULL;
		bufferevent_getcb(bev, NULL, NULL, NULL, &cbarg);
		evcon = cbarg;
		/* evhttp's reference stays; NULL if it already freed it */
		bufferevent_decref(bev);
		if (evcon != NULL && evhttp_connection_get_bufferevent(evcon)
		    == bev && client_find(d, evcon) == NULL)
			(void)client_admit(d, evcon, NULL);
	}
	narrivals = 0;
	/* after the closes just queued, unless accept_error() rests them */
	if (batch_held) {
		batch_held = 0;
		if (!evtimer_pending(accept_resume_ev, NULL))
			listeners_enable(1);
	}
}

/*
 * An answer has gone: the next request has idle-timeout to come whole.
 * It may be in the input already; evhttp reads it only from the next turn
 * of the loop, so it is judged now.
 */
static void
request_done(struct evhttp_request *req, void *arg)
{
	struct client *c = arg;
	struct bufferevent *bev;
	struct evbuffer *in;

	(void)req;
	deadline_set(c, smsd->conf.idle_timeout);
	if (c->guard == GUARD_BUSY && (bev = evhttp_connection_get_bufferevent(
	    c->evcon)) != NULL) {
		in = bufferevent_get_input(bev);
		c->guard = GUARD_HEAD;
		evbuffer_drain(c->head, evbuffer_get_length(c->head));
		guard_copy(c, in, 0, evbuffer_get_length(in));
		if (evbuffer_get_length(c->head) > 0)
			guard_look(smsd, c);
	}
}

/* ---- requests waiting for sources ---- */

/* Fresh, or failed, or the caller's time is up: answer now. */
static int
ready(struct smsd *d, unsigned need, int64_t now)
{
	int i;

	for (i = 0; i < SRC_COUNT; i++) {
		struct source *s = &d->src[i];

		if (!(need & SRC_BIT(i)) || source_fresh(s, now))
			continue;
		if (s->timed_out && (s->data != NULL || s->text != NULL))
			continue;	/* hung: old data, marked stale */
		return 0;
	}
	if ((need & CLUSTER_BIT) && !cluster_fresh(d))
		return 0;
	if (need & PROXY_BIT)
		return 0;	/* its own callback answers */
	return 1;
}

static void
pending_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct pending *p = arg;
	struct smsd *d = smsd;
	struct evhttp_request *req = p->req;
	struct req r = p->r;
	int i;

	(void)fd;
	(void)what;
	for (i = 0; i < SRC_COUNT; i++) {
		struct source *s = &d->src[i];

		if ((p->need & SRC_BIT(i)) && !source_fresh(s, mono_ms()) &&
		    !s->timed_out) {
			s->timed_out = 1;
			s->timeouts++;
			log_warnx("source %s did not answer within %d ms",
			    s->name, d->conf.source_timeout_ms);
			health_update(d);
		}
	}
	pending_free(d, p);
	respond(d, req, &r);
}

void
pending_wake(struct smsd *d)
{
	struct pending *p, *next;
	int64_t now = mono_ms();

	TAILQ_FOREACH_SAFE(p, &d->pending, entry, next) {
		struct evhttp_request *req = p->req;
		struct req r = p->r;

		if (!ready(d, p->need, now))
			continue;
		pending_free(d, p);
		respond(d, req, &r);
	}
}

/* 1 if answered now; otherwise the request waits. */
static int
need(struct smsd *d, struct client *c, struct evhttp_request *req,
    const struct req *r, unsigned mask)
{
	struct pending *p;
	int64_t now = mono_ms();
	struct timeval tv;
	int i;

	for (i = 0; i < SRC_COUNT; i++)
		if ((mask & SRC_BIT(i)) && !source_fresh(&d->src[i], now))
			source_kick(d, &d->src[i]);
	if ((mask & CLUSTER_BIT) && !cluster_fresh(d))
		cluster_kick(d);
	if (ready(d, mask, now))
		return 0;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		send_error(req, 503, "out of memory");
		return 1;
	}
	p->client = c;
	p->req = req;
	p->r = *r;
	p->need = mask;
	p->timer = evtimer_new(d->base, pending_timeout, p);
	i = (mask & CLUSTER_BIT) ? d->conf.cluster_timeout_ms + 500 :
	    d->conf.source_timeout_ms;
	tv.tv_sec = i / 1000;
	tv.tv_usec = (i % 1000) * 1000;
	if (p->timer == NULL || evtimer_add(p->timer, &tv) == -1) {
		if (p->timer != NULL)
			event_free(p->timer);
		free(p);
		send_error(req, 503, "out of memory");
		return 1;
	}
	TAILQ_INSERT_TAIL(&d->pending, p, entry);
	TAILQ_INSERT_TAIL(&c->pending, p, centry);
	return 1;
}

/* ---- answers ---- */

static void
age_headers(struct smsd *d, struct evhttp_request *req, unsigned mask)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	int64_t now = mono_ms(), age = 0;
	char buf[32];
	int i, stale = 0;

	for (i = 0; i < SRC_COUNT; i++) {
		struct source *s = &d->src[i];

		if (!(mask & SRC_BIT(i)))
			continue;
		if (now - s->gathered_ms > age)
			age = now - s->gathered_ms;
		if (!source_fresh(s, now) || s->error != NULL)
			stale = 1;
	}
	snprintf(buf, sizeof(buf), "%lld", (long long)age);
	evhttp_add_header(h, "X-SMS-Data-Age-Ms", buf);
	if (stale)
		evhttp_add_header(h, "X-SMS-Stale", "1");
}

/* The source has nothing to show: say why. */
static int
source_missing(struct smsd *d, struct evhttp_request *req, unsigned mask)
{
	char msg[300];
	int i;

	for (i = 0; i < SRC_COUNT; i++) {
		struct source *s = &d->src[i];

		if (!(mask & SRC_BIT(i)) || s->data != NULL || s->text != NULL)
			continue;
		if (s->error != NULL) {
			snprintf(msg, sizeof(msg), "source %s: %s", s->name,
			    s->error);
			send_error(req, 503, msg);
		} else {
			snprintf(msg, sizeof(msg), "source %s did not answer "
			    "within %d ms", s->name,
			    d->conf.source_timeout_ms);
			send_error(req, 504, msg);
		}
		return 1;
	}
	return 0;
}

/*
 * name= filters, offset= and limit= page: "total" counts every match,
 * "count" those in this answer, from the offset-th match on.
 */
static void
software_filtered(struct smsd *d, struct evhttp_request *req,
    const struct req *r)
{
	json_t *all = json_object_get(d->src[SRC_SOFTWARE].data, "packages");
	json_t *out = json_array(), *pkg, *o;
	size_t i, total = 0;
	char *s;

	json_array_foreach(all, i, pkg) {
		const char *name = json_string_value(json_object_get(pkg,
		    "name"));

		if (name == NULL || (r->pattern[0] != '\0' &&
		    fnmatch(r->pattern, name, 0) != 0))
			continue;
		if (total++ < (size_t)r->offset)
			continue;
		if (!r->limit_set || json_array_size(out) < (size_t)r->limit)
			json_array_append(out, pkg);
	}
	o = json_pack("{s:I, s:I, s:I, s:o}", "count",
	    (json_int_t)json_array_size(out), "total", (json_int_t)total,
	    "offset", (json_int_t)r->offset, "packages", out);
	if (o != NULL && r->limit_set)
		json_object_set_new(o, "limit", json_integer(r->limit));
	s = o != NULL ? json_dumps(o, SMSD_JSON) : NULL;
	if (s != NULL)
		send_json(req, 200, "OK", s, strlen(s));
	else
		send_error(req, 503, "out of memory");
	free(s);
	json_decref(o);
}

static void
server_info(struct smsd *d, struct evhttp_request *req)
{
	struct histq_stats hs;
	json_t *o;
	char *s;

	memset(&hs, 0, sizeof(hs));
	if (d->history != NULL)
		history_stats(d->history, &hs);
	/*
	 * "clients" are the others: the asker (admitted, so counted) wants
	 * to know whom a stop would disturb, not to find itself.
	 */
	o = json_pack("{s:s, s:s, s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I, "
	    "s:I, s:I}",
	    "member", d->conf.member_name, "version", hm_version,
	    "pid", (int)getpid(),
	    "clients", d->nclients - 1, "streams", d->nstreams,
	    "requests", (json_int_t)d->requests,
	    "refused", (json_int_t)d->refused,
	    "bad_requests", (json_int_t)d->bad_requests,
	    "dropped_slow", (json_int_t)d->dropped_slow,
	    "events", (json_int_t)(d->next_seq - 1),
	    "history_queued", (json_int_t)(hs.queued + hs.inflight),
	    "history_unsaved", (json_int_t)(hs.refused + hs.failed));
	s = o != NULL ? json_dumps(o, SMSD_JSON) : NULL;
	if (s != NULL)
		send_json(req, 200, "OK", s, strlen(s));
	free(s);
	json_decref(o);
}

static void
index_info(struct evhttp_request *req)
{
	static const char body[] = "{\"resources\":[\"/v1/system\","
	    "\"/v1/hardware\",\"/v1/software\",\"/v1/filesystems\","
	    "\"/v1/events\",\"/v1/events/stream\",\"/v1/health\","
	    "\"/v1/metrics\",\"/v1/cluster\",\"/v1/server\","
	    "\"/v1/history\",\"/v1/members/\",\"/v1/suite/ss\","
	    "\"/v1/suite/availability\",\"/v1/suite/statd\"],"
	    "\"station\":\"/station/\"}";

	send_json(req, 200, "OK", body, sizeof(body) - 1);
}

static void
respond(struct smsd *d, struct evhttp_request *req, const struct req *r)
{
	const char *body;
	size_t len;
	unsigned mask = 0;

	switch (r->res) {
	case RES_SYSTEM:
		mask = SRC_BIT(SRC_SYSTEM);
		if (source_missing(d, req, mask))
			return;
		body = render_system(d, &len);
		break;
	case RES_HARDWARE:
	case RES_FILESYSTEMS:
		mask = SRC_BIT(r->res == RES_HARDWARE ? SRC_HARDWARE :
		    SRC_FILESYSTEMS);
		if (source_missing(d, req, mask))
			return;
		body = source_body(&d->src[r->res == RES_HARDWARE ?
		    SRC_HARDWARE : SRC_FILESYSTEMS], &len);
		break;
	case RES_SOFTWARE:
		mask = SRC_BIT(SRC_SOFTWARE);
		if (source_missing(d, req, mask))
			return;
		if (r->pattern[0] != '\0' || r->offset != 0 || r->limit_set) {
			age_headers(d, req, mask);
			software_filtered(d, req, r);
			return;
		}
		body = source_body(&d->src[SRC_SOFTWARE], &len);
		break;
	case RES_HEALTH:
		mask = SRC_BIT(SRC_SYSTEM) | SRC_BIT(SRC_FILESYSTEMS) |
		    SRC_BIT(SRC_HARDWARE);
		health_update(d);
		{
			char *s = json_dumps(d->health, SMSD_JSON);

			age_headers(d, req, mask);
			if (s == NULL) {
				send_error(req, 503, "out of memory");
				return;
			}
			send_json(req, 200, "OK", s, strlen(s));
			free(s);
		}
		return;
	case RES_METRICS:
		mask = SRC_BIT(SRC_METRICS) | SRC_BIT(SRC_FILESYSTEMS);
		if (source_missing(d, req, SRC_BIT(SRC_METRICS)))
			return;
		body = render_metrics(d, &len);
		age_headers(d, req, mask);
		{
			struct evbuffer *b = evbuffer_new();

			if (b != NULL)
				evbuffer_add(b, body, len);
			send_body(req, 200, "OK",
			    "text/plain; version=0.0.4; charset=utf-8", b);
			if (b != NULL)
				evbuffer_free(b);
		}
		return;
	case RES_CLUSTER:
		body = cluster_body(d, &len);
		break;
	case RES_MEMBER:
		/* the proxy's own deadline came first; this is a backstop */
		send_error(req, 504, "the member did not answer in time");
		return;
	default:
		send_error(req, 500, "internal error");
		return;
	}
	if (body == NULL) {
		send_error(req, 503, "no data");
		return;
	}
	age_headers(d, req, mask);
	send_json(req, 200, "OK", body, len);
}

/* Every answer's: what the station's pages may load, and no guessing. */
static void
security_headers(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Security-Policy", STATION_CSP);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
}

static void
station_answer(struct smsd *d, struct evhttp_request *req, const char *name)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct station_file f;
	int code;

	code = station_read(d->conf.station_dir, name[0] != '\0' ? name :
	    STATION_INDEX, evhttp_find_header(evhttp_request_get_input_headers(
	    req), "If-None-Match"), &f);
	switch (code) {
	case 200:
	case 304:
		evhttp_add_header(h, "ETag", f.etag);
		/* revalidated each time: a 304 costs a stat, no transfer */
		evhttp_add_header(h, "Cache-Control", "no-cache");
		if (code == 304)
			evhttp_send_reply(req, 304, reason_of(304), NULL);
		else
			send_body(req, 200, "OK", f.type, f.body);
		break;
	default:
		send_error(req, code, f.why);
	}
	if (f.body != NULL)
		evbuffer_free(f.body);
}

static void
json_answer(struct evhttp_request *req, const char *body, size_t len)
{
	if (body == NULL)
		send_error(req, 503, "out of memory");
	else
		send_json(req, 200, "OK", body, len);
}

static void
suite_answer(struct smsd *d, struct evhttp_request *req, enum resource res)
{
	json_t *o;
	char *s;

	if (res == RES_SUITE_SS)
		o = suite_ss(d->conf.ss_dir);
	else if (res == RES_SUITE_AVAILABILITY)
		o = suite_availability(d->conf.avail_log);
	else
		o = suite_statd(d->conf.statd_file, d->conf.statd_pidfile);
	s = o != NULL ? json_dumps(o, SMSD_JSON) : NULL;
	json_answer(req, s, s != NULL ? strlen(s) : 0);
	free(s);
	json_decref(o);
}

static void
member_answered(void *arg, int code, const char *ctype, struct evbuffer *b)
{
	struct pending *p = arg;
	struct evhttp_request *req = p->req;

	p->proxy = NULL;	/* it ends after this call */
	pending_free(smsd, p);
	send_body(req, code, reason_of(code), ctype, b);
}

/* Ask member m for r's target; the answer comes through member_answered. */
static void
member_request(struct smsd *d, struct client *c, struct evhttp_request *req,
    const struct req *r, const struct member *m)
{
	struct pending *p;
	int ms = d->conf.cluster_timeout_ms + 1000;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->timer = evtimer_new(d->base, pending_timeout, p)) == NULL ||
	    evtimer_add(p->timer, &tv) == -1) {
		if (p != NULL && p->timer != NULL)
			event_free(p->timer);
		free(p);
		send_error(req, 503, "out of memory");
		return;
	}
	p->client = c;
	p->req = req;
	p->r = *r;
	p->need = PROXY_BIT;
	TAILQ_INSERT_TAIL(&d->pending, p, entry);
	TAILQ_INSERT_TAIL(&c->pending, p, centry);
	p->proxy = proxy_start(d->base, m, r->target,
	    d->conf.cluster_timeout_ms, d->conf.max_output, member_answered,
	    p);
	if (p->proxy == NULL) {
		pending_free(d, p);
		send_error(req, 503, "out of memory");
	}
}

/* The member r names: NULL (answered 404) if none, *local if it is us. */
static const struct member *
member_find(struct smsd *d, struct evhttp_request *req, const struct req *r,
    int *local)
{
	const struct member *list;
	char msg[128];
	int i, n;

	*local = strcmp(r->member, d->conf.member_name) == 0;
	list = cluster_member_list(d, &n);
	for (i = 0; i < n; i++)
		if (strcmp(list[i].name, r->member) == 0) {
			if (list[i].local)
				*local = 1;
			return &list[i];
		}
	if (*local)
		return NULL;
	snprintf(msg, sizeof(msg), "no member %s in the cluster", r->member);
	send_error(req, 404, msg);
	return NULL;
}

static void
bad_request(struct smsd *d, struct evhttp_request *req, struct client *c,
    int code, const char *why)
{
	const char *uri = evhttp_request_get_uri(req);
	char esc[LOG_ESCAPE_MAX];
	unsigned long suppressed;
	char mb[48];

	d->bad_requests++;
	if (log_ratelimit(&bad_rl, &suppressed))
		log_warnx("client %s: refused request \"%s\": %s "
		    "%s", c->addr,
		    log_escape(uri, uri != NULL ? strlen(uri) : 0, esc,
		    sizeof(esc)), why, more(suppressed, mb));
	send_error(req, code, why);
}

static void
handle(struct evhttp_request *req, void *arg)
{
	struct smsd *d = arg;
	struct evhttp_connection *evcon;
	struct client *c;
	struct req r;
	const char *uri, *why, *lastid;
	enum evhttp_cmd_type cmd;
	char server[64];
	int code;
	unsigned mask;

	d->requests++;
	snprintf(server, sizeof(server), "smsd/%s", hm_version);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Server",
	    server);
	security_headers(req);
	evcon = evhttp_request_get_connection(req);
	/* one that arrival() could not queue is judged now */
	if ((c = client_find(d, evcon)) == NULL &&
	    (c = client_admit(d, evcon, req)) == NULL)
		return;
	evtimer_del(c->deadline);
	evhttp_request_set_on_complete_cb(req, request_done, c);
	if (d->stopping) {
		send_error(req, 503, "stopping");
		return;
	}
	cmd = evhttp_request_get_command(req);
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		bad_request(d, req, c, 405, "only GET and HEAD");
		return;
	}
	uri = evhttp_request_get_uri(req);
	if (uri == NULL) {
		bad_request(d, req, c, 400, "no request target");
		return;
	}
	if ((code = req_parse(uri, strlen(uri), &r, &why)) != 0) {
		bad_request(d, req, c, code, why);
		return;
	}
	if (evbuffer_get_length(evhttp_request_get_input_buffer(req)) > 0) {
		bad_request(d, req, c, 400, "a GET has no body");
		return;
	}
	if (r.res == RES_MEMBER) {
		const struct member *m;
		char target[SMSD_URI_MAX + 1];
		int local;

		m = member_find(d, req, &r, &local);
		if (!local) {
			if (m != NULL)
				member_request(d, c, req, &r, m);
			return;
		}
		/* this member: the target as if asked directly (parsed
		   already; req_parse clears r, so from a copy) */
		memcpy(target, r.target, sizeof(target));
		if ((code = req_parse(target, strlen(target), &r, &why))
		    != 0) {
			bad_request(d, req, c, code, why);
			return;
		}
	}
	switch (r.res) {
	case RES_INDEX:
		if (uri[0] == '/' && (uri[1] == '\0' || uri[1] == '?') &&
		    station_wants_html(evhttp_find_header(
		    evhttp_request_get_input_headers(req), "Accept"))) {
			station_answer(d, req, STATION_INDEX);
			return;
		}
		index_info(req);
		return;
	case RES_STATION:
		station_answer(d, req, r.file);
		return;
	case RES_HISTORY: {
		size_t len = 0;
		const char *body = d->trend != NULL ?
		    trend_body(d->trend, &len) : NULL;

		json_answer(req, body, len);
		return;
	}
	case RES_SUITE_SS:
	case RES_SUITE_AVAILABILITY:
	case RES_SUITE_STATD:
		suite_answer(d, req, r.res);
		return;
	case RES_SERVER:
		server_info(d, req);
		return;
	case RES_EVENTS: {
		struct evbuffer *b = evbuffer_new();

		events_history_json(d, &r, b);
		send_body(req, 200, "OK", "application/json", b);
		evbuffer_free(b);
		return;
	}
	case RES_EVENTS_STREAM: {
		uint64_t last = 0;

		if (cmd == EVHTTP_REQ_HEAD) {
			/* a GET's headers; no stream follows a HEAD */
			evhttp_add_header(evhttp_request_get_output_headers(
			    req), "Cache-Control", "no-cache");
			send_body(req, 200, "OK", "text/event-stream", NULL);
			return;
		}

		if (c->stream != NULL) {
			bad_request(d, req, c, 400, "already streaming");
			return;
		}
		lastid = evhttp_find_header(evhttp_request_get_input_headers(
		    req), "Last-Event-ID");
		if (lastid != NULL && strlen(lastid) < 20 &&
		    strspn(lastid, "0123456789") == strlen(lastid))
			last = strtoull(lastid, NULL, 10);
		stream_open(d, req, &r, last);
		return;
	}
	case RES_CLUSTER:
		mask = CLUSTER_BIT | SRC_BIT(SRC_SYSTEM);
		break;
	case RES_SYSTEM:
		mask = SRC_BIT(SRC_SYSTEM);
		/* health in the answer uses what is known; refresh it */
		if (!source_fresh(&d->src[SRC_FILESYSTEMS], mono_ms()))
			source_kick(d, &d->src[SRC_FILESYSTEMS]);
		if (!source_fresh(&d->src[SRC_HARDWARE], mono_ms()))
			source_kick(d, &d->src[SRC_HARDWARE]);
		break;
	case RES_HARDWARE:
		mask = SRC_BIT(SRC_HARDWARE);
		break;
	case RES_SOFTWARE:
		mask = SRC_BIT(SRC_SOFTWARE);
		break;
	case RES_FILESYSTEMS:
		mask = SRC_BIT(SRC_FILESYSTEMS);
		break;
	case RES_HEALTH:
		mask = SRC_BIT(SRC_SYSTEM) | SRC_BIT(SRC_FILESYSTEMS) |
		    SRC_BIT(SRC_HARDWARE);
		break;
	case RES_METRICS:
		mask = SRC_BIT(SRC_METRICS) | SRC_BIT(SRC_FILESYSTEMS);
		break;
	default:
		send_error(req, 404, "no such resource");
		return;
	}
	if (need(d, c, req, &r, mask))
		return;
	respond(d, req, &r);
}

/* ---- listening ---- */

static void
accept_resume(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	listeners_enable(1);
}

/*
 * Out of descriptors: stop accepting for a second instead of spinning on
 * a listener that stays readable.
 */
static void
accept_error(struct evconnlistener *l, void *arg)
{
	struct timeval tv = { 1, 0 };
	unsigned long suppressed;
	char mb[48];
	int err = errno;

	(void)l;
	(void)arg;
	if (err != EMFILE && err != ENFILE && err != ENOBUFS &&
	    err != ENOMEM) {
		log_warn("accept");
		return;
	}
	if (log_ratelimit(&emfile_rl, &suppressed))
		log_warnx("accept: %s; pausing for a second%s",
		    strerror(err), more(suppressed, mb));
	listeners_enable(0);
	evtimer_add(accept_resume_ev, &tv);
}

static int
listen_one(struct smsd *d, const char *host)
{
	struct addrinfo hints, *res, *ai;
	char port[8];
	int fd, one = 1, n = 0, rv;
	struct evconnlistener *l;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", d->conf.port);
	if ((rv = getaddrinfo(host, port, &hints, &res)) != 0) {
		log_warnx("listen %s: %s", host, gai_strerror(rv));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (nlisteners == (int)(sizeof(listeners) / sizeof(listeners[0])))
			break;
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd == -1) {
			log_warn("listen %s: socket", host);
			continue;
		}
		/* restart with clients connected: their TIME_WAITs stay */
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (ai->ai_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			    sizeof(one));
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
		    listen(fd, 4096) == -1) {
			log_warn("listen %s port %d", host, d->conf.port);
			close(fd);
			continue;
		}
		/* backlog 0: keep listen()'s; -1 would lower it to 128 */
		l = evconnlistener_new(d->base, NULL, NULL,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
		if (l == NULL || evhttp_bind_listener(d->http, l) == NULL) {
			log_warnx("listen %s: evhttp", host);
			close(fd);
			continue;
		}
		/* ORDER: after evhttp set its accept callback */
		evconnlistener_set_error_cb(l, accept_error);
		listeners[nlisteners++] = l;
		n++;
		log_info("listening on %s port %d", host, d->conf.port);
	}
	freeaddrinfo(res);
	return n > 0 ? 0 : -1;
}

void
control_apply_limits(struct smsd *d)
{
	evhttp_set_max_headers_size(d->http, (ev_ssize_t)d->conf.max_request);
	evhttp_set_max_body_size(d->http, (ev_ssize_t)d->conf.max_request);
	evhttp_set_timeout(d->http, d->conf.idle_timeout);
}

int
control_listen(struct smsd *d)
{
	int i, ok = 0;
	size_t want = 1024;

	while (want < (size_t)d->conf.max_clients * 2)
		want *= 2;
	d->ctab_size = want;
	if ((d->ctab = calloc(d->ctab_size, sizeof(*d->ctab))) == NULL)
		return -1;
	TAILQ_INIT(&d->pending);
	if ((d->http = evhttp_new(d->base)) == NULL)
		return -1;
	/* every method reaches handle(), so a wrong one is logged there */
	evhttp_set_allowed_methods(d->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_gencb(d->http, handle, d);
	if ((judge_ev = event_new(d->base, -1, 0, judge, d)) == NULL)
		return -1;
	evhttp_set_bevcb(d->http, arrival, d);
	control_apply_limits(d);
	accept_resume_ev = evtimer_new(d->base, accept_resume, d);
	for (i = 0; i < d->conf.nlisten; i++)
		if (listen_one(d, d->conf.listen[i]) == 0)
			ok++;
	return ok > 0 ? 0 : -1;
}

void
control_shutdown(struct smsd *d)
{
	int i;

	for (i = 0; i < nlisteners; i++)
		evconnlistener_disable(listeners[i]);
	d->stopping = 1;
	streams_close_all(d, "smsd is stopping");
}
