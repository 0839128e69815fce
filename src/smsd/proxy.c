/*
 * proxy: /v1/members/NAME/RESOURCE, one GET sent on to member NAME's smsd
 * and its answer handed back unchanged (status, type, body), so that a
 * browser talks only to the smsd that served it.  Addresses are numeric,
 * as cluster.c asks them (a name would block in evhttp's resolver), the
 * answer is bounded by max-output and the wait by cluster-timeout; what
 * fails becomes a JSON error naming the member: 502 when the member could
 * not be reached or answered badly, 504 when it did not answer in time.
 *
 * The caller's callback is never called from inside proxy_start(): an
 * error found at once is handed over from the loop, so the caller can
 * keep the returned pointer first.  After the callback the proxy is gone;
 * proxy_cancel() before it frees everything and calls nothing.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "smsd.h"
#include "proxy.h"

struct proxy {
	struct evhttp_connection *conn;
	struct event	*timer;		/* the deadline, or the hand-over */
	proxy_done_fn	 done;
	void		*arg;
	char		 member[SMSD_NAME_MAX + 1];
	int		 timeout_ms;
	/* the result, while it waits for the hand-over */
	int		 code;
	char		 ctype[128];
	struct evbuffer	*body;
	int		 finished;
	int		 autofree;	/* evhttp frees conn on completion */
};

static void
error_body(struct proxy *p, int code, const char *what)
{
	json_t *o;
	char msg[256], *s;

	snprintf(msg, sizeof(msg), "member %s: %s", p->member, what);
	o = json_pack("{s:{s:i, s:s, s:s}}", "error", "code", code,
	    "message", msg, "member", p->member);
	s = o != NULL ? json_dumps(o, SMSD_JSON) : NULL;
	p->code = code;
	snprintf(p->ctype, sizeof(p->ctype), "application/json");
	if (p->body != NULL)
		evbuffer_drain(p->body, evbuffer_get_length(p->body));
	if (s != NULL && p->body != NULL)
		evbuffer_add(p->body, s, strlen(s));
	free(s);
	json_decref(o);
}

static void
proxy_free(struct proxy *p)
{
	if (p->conn != NULL)
		evhttp_connection_free(p->conn);
	if (p->timer != NULL)
		event_free(p->timer);
	if (p->body != NULL)
		evbuffer_free(p->body);
	free(p);
}

/* Give the result to the caller and end. */
static void
deliver(struct proxy *p)
{
	proxy_done_fn done = p->done;
	void *arg = p->arg;
	struct evbuffer *body = p->body;
	int code = p->code;
	char ctype[sizeof(p->ctype)];

	memcpy(ctype, p->ctype, sizeof(ctype));
	p->body = NULL;
	proxy_free(p);
	done(arg, code, ctype, body);
	if (body != NULL)
		evbuffer_free(body);
}

/* The deadline passed, or a failure found at once waits to be handed. */
static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proxy *p = arg;
	char why[64];

	(void)fd;
	(void)what;
	if (!p->finished) {
		snprintf(why, sizeof(why), "no answer within %d ms",
		    p->timeout_ms);
		error_body(p, 504, why);
		/* frees the request; no callback comes for it */
	}
	deliver(p);
}

/* Hand the result over from the loop, not from the caller's stack. */
static void
finish_later(struct proxy *p)
{
	struct timeval tv = { 0, 0 };

	p->finished = 1;
	evtimer_del(p->timer);
	evtimer_add(p->timer, &tv);
}

static void
answered(struct evhttp_request *req, void *arg)
{
	struct proxy *p = arg;
	const char *ct;
	int code;

	if (p->finished)
		return;
	code = req != NULL ? evhttp_request_get_response_code(req) : 0;
	if (code == 0) {
		error_body(p, 502, "connection failed");
	} else if (code < 200 || code > 599) {
		error_body(p, 502, "bad answer");
	} else {
		p->code = code;
		ct = evhttp_find_header(evhttp_request_get_input_headers(req),
		    "Content-Type");
		snprintf(p->ctype, sizeof(p->ctype), "%s",
		    ct != NULL && strlen(ct) < sizeof(p->ctype) &&
		    strpbrk(ct, "\r\n") == NULL ? ct : "application/json");
		evbuffer_add_buffer(p->body,
		    evhttp_request_get_input_buffer(req));
	}
	/* evhttp frees the connection once this returns (free on
	   completion); one that failed inside evhttp_make_request() is
	   ours, freed in proxy_free */
	if (p->autofree)
		p->conn = NULL;
	finish_later(p);
}

struct proxy *
proxy_start(struct event_base *base, const struct member *m,
    const char *target, int timeout_ms, size_t max_body, proxy_done_fn done,
    void *arg)
{
	struct proxy *p;
	struct evhttp_request *req;
	struct in_addr a4;
	struct in6_addr a6;
	struct timeval tv;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->done = done;
	p->arg = arg;
	p->timeout_ms = timeout_ms;
	snprintf(p->member, sizeof(p->member), "%s", m->name);
	if ((p->body = evbuffer_new()) == NULL ||
	    (p->timer = evtimer_new(base, timer_cb, p)) == NULL) {
		proxy_free(p);
		return NULL;
	}
	if (inet_pton(AF_INET, m->host, &a4) != 1 &&
	    inet_pton(AF_INET6, m->host, &a6) != 1) {
		error_body(p, 502, "not a numeric address");
		finish_later(p);
		return p;
	}
	p->conn = evhttp_connection_base_new(base, NULL, m->host,
	    (unsigned short)m->port);
	req = p->conn != NULL ? evhttp_request_new(answered, p) : NULL;
	if (req == NULL) {
		error_body(p, 502, "out of memory");
		finish_later(p);
		return p;
	}
	evhttp_connection_set_max_body_size(p->conn, (ev_ssize_t)max_body);
	/* longer than the deadline, which alone decides "no answer" */
	evhttp_connection_set_timeout(p->conn, (timeout_ms + 999) / 1000 + 1);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
	    m->host);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Connection", "close");
	if (evhttp_make_request(p->conn, req, EVHTTP_REQ_GET, target) == -1) {
		if (!p->finished) {
			error_body(p, 502, "cannot send the request");
			finish_later(p);
		}
		return p;
	}
	if (p->finished)	/* failed at once; the connection is ours */
		return p;
	evhttp_connection_free_on_completion(p->conn);
	p->autofree = 1;
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(p->timer, &tv);
	return p;
}

void
proxy_cancel(struct proxy *p)
{
	if (p != NULL)
		proxy_free(p);
}
