/*
 * events: the event ring, its durable history file, the event sources
 * (/dev/kmsg, kernel uevents, the local posting socket) and the stream
 * subscribers.  Each event is serialized once, when it is posted; the
 * history response and every stream frame reuse those bytes.
 *
 * The history file is a text reclog of those JSON lines, written by a
 * thread of its own (history.c): the loop only queues each line, so a slow
 * or stuck disk never holds up requests or streams.  The writer commits
 * (fdatasync) in batches about every 100 ms, so a burst of events costs
 * one sync, not one per event; a kill -9 loses at most what was not yet
 * committed, never the file.  A line that finds the queue full (the disk
 * is stuck) is not saved: it is counted and logged, rate-limited.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <linux/netlink.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "log.h"
#include "reclog.h"
#include "statefile.h"
#include "timeutil.h"
#include "smsd.h"

#define HISTORY_FILE		"events.log"
/* Stopping waits this long for the writer to save what is queued. */
#define HISTORY_DRAIN_MS	3000
#define HISTORY_RECMAX		(EVENT_MSG_MAX * 8 + 4096)
#define STREAM_KEEPALIVE_S	15
/* frames=message: the reconnection delay an EventSource is given */
#define STREAM_RETRY_MS		"1000"
#define KMSG_MAX		8192
/* What a subscriber sends after its request is not read past this. */
#define STREAM_INPUT_MAX	4096

struct stream {
	TAILQ_ENTRY(stream) entry;
	struct evhttp_request *req;
	struct evhttp_connection *evcon;
	char		pattern[REQ_PATTERN_MAX + 1];
	int		min_priority;
	int		chunked;	/* evhttp chose chunked encoding */
	int		message;	/* frames=message: no "event:" line */
	int		ended;		/* evhttp_send_reply_end was called */
};

/*
 * One event as every subscriber gets it, built once per event: the chunk
 * of a chunked reply ("SIZE\r\n" frame "\r\n"), the plain frame at off.
 */
struct frame {
	char		*buf;
	size_t		len;
	size_t		off;
	size_t		framelen;
};

static int kmsg_fd = -1, uevent_fd = -1, post_fd = -1;
static struct event *kmsg_ev, *uevent_ev, *post_ev, *keepalive_ev;
static struct log_ratelimit post_rl = LOG_RATELIMIT_INIT(10, 5);
static struct log_ratelimit slow_rl = LOG_RATELIMIT_INIT(10, 5);
static struct log_ratelimit utf8_rl = LOG_RATELIMIT_INIT(10, 5);
static struct log_ratelimit unsaved_rl = LOG_RATELIMIT_INIT(10, 3);

int
events_pattern_match(const char *pattern, const char *name)
{
	if (pattern == NULL || pattern[0] == '\0')
		return 1;
	return fnmatch(pattern, name, 0) == 0;
}

static void
rec_free(struct event_rec *e)
{
	free(e->name);
	free(e->json);
	memset(e, 0, sizeof(*e));
}

/* Put a serialized event into the ring, dropping the oldest if full. */
static struct event_rec *
ring_push(struct smsd *d, uint64_t seq, int64_t t, int pri, const char *name,
    char *json, size_t jsonlen)
{
	struct event_rec *e;

	if (d->ring_len == d->ring_cap) {
		rec_free(&d->ring[d->ring_head]);
		d->ring_head = (d->ring_head + 1) % d->ring_cap;
		d->ring_len--;
	}
	e = &d->ring[(d->ring_head + d->ring_len) % d->ring_cap];
	e->seq = seq;
	e->time_ms = t;
	e->priority = pri;
	e->name = strdup(name);
	e->json = json;
	e->jsonlen = jsonlen;
	d->ring_len++;
	if (pri >= 0 && pri <= 700)
		d->events_by_pri[pri / 100]++;
	return e;
}

/* What a replay of the history file found, beside the events. */
struct replay {
	struct smsd	*d;
	int64_t		now;
	uint64_t	dropped;	/* lines not taken back */
	uint64_t	future;		/* events dated ahead of the clock */
};

/* Lines logged one by one; the rest are counted in one line at the end. */
#define REPLAY_LOG_MAX	5

/*
 * A history line is an event as events_post wrote it.  A line that does
 * not parse or is shaped otherwise (a hand edit, another version) is not
 * taken back: NULL, with the reason in why.
 */
static json_t *
replay_line(const void *rec, size_t len, const char **why)
{
	static const char *const strings[] = { "time", "priority_name",
	    "source", "member" };
	json_error_t err;
	json_t *o, *msg;
	const char *name;
	json_int_t seq, t, pri;
	size_t i;

	if ((o = json_loadb(rec, len, 0, &err)) == NULL) {
		*why = "not JSON";
		return NULL;
	}
	*why = NULL;
	if (json_unpack(o, "{s:I, s:I, s:I, s:s}", "seq", &seq, "time_ms",
	    &t, "priority", &pri, "name", &name) != 0)
		*why = "no seq, time_ms, priority or name";
	else if (seq <= 0)
		*why = "seq not positive";
	else if (pri < 0 || pri > 700)
		*why = "priority out of range";
	else if (!event_name_valid(name, strlen(name)))
		*why = "bad event name";
	for (i = 0; *why == NULL && i < sizeof(strings) / sizeof(strings[0]);
	    i++)
		if (!json_is_string(json_object_get(o, strings[i])))
			*why = "a field is missing or of the wrong type";
	msg = json_object_get(o, "message");
	if (*why == NULL && msg != NULL && !json_is_string(msg) &&
	    !json_is_null(msg))
		*why = "message not a string";
	if (*why != NULL) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int
replay_cb(const void *rec, size_t len, int flags, uint64_t where,
    void *arg)
{
	struct replay *rp = arg;
	struct smsd *d = rp->d;
	json_t *o;
	const char *why, *name;
	char *copy;
	json_int_t seq, t, pri;

	(void)flags;
	if ((o = replay_line(rec, len, &why)) == NULL) {
		if (rp->dropped++ < REPLAY_LOG_MAX)
			log_warnx("event history line %" PRIu64 ": %s; "
			    "dropped", where, why);
		return 0;	/* the other lines are still good */
	}
	(void)json_unpack(o, "{s:I, s:I, s:I, s:s}", "seq", &seq, "time_ms",
	    &t, "priority", &pri, "name", &name);
	if (t - rp->now > EVENT_FUTURE_MS && rp->future++ < REPLAY_LOG_MAX)
		log_warnx("event history line %" PRIu64 ": event %lld is "
		    "dated %lld s ahead of the clock; kept, but it does not "
		    "count as recent", where, (long long)seq,
		    (long long)((t - rp->now) / 1000));
	if ((copy = strndup(rec, len)) != NULL) {
		ring_push(d, (uint64_t)seq, t, (int)pri, name, copy, len);
		if ((uint64_t)seq >= d->next_seq)
			d->next_seq = (uint64_t)seq + 1;
	}
	json_decref(o);
	return 0;
}

int
events_init(struct smsd *d)
{
	char path[PATH_MAX], *aside = NULL;
	struct reclog_stats st;
	struct reclog *rl;
	struct replay rp;
	uint64_t seq;
	size_t i;

	d->ring_cap = (size_t)d->conf.history;
	if ((d->ring = calloc(d->ring_cap, sizeof(*d->ring))) == NULL)
		return -1;
	d->next_seq = 1;
	snprintf(path, sizeof(path), "%s/%s", d->member_dir, HISTORY_FILE);
	memset(&st, 0, sizeof(st));
	memset(&rp, 0, sizeof(rp));
	rp.d = d;
	rp.now = real_ms();
	rl = reclog_open(path, RECLOG_TEXT, HISTORY_RECMAX, 0640,
	    replay_cb, &rp, &st);
	if (rl == NULL) {
		log_warn("%s: event history not kept", path);
	} else {
		if (st.set_aside != NULL)
			log_warnx("%s: damaged, copy set aside as %s; "
			    "rebuilt from what was readable", path,
			    st.set_aside);
		if (rp.future > REPLAY_LOG_MAX)
			log_warnx("%s: %" PRIu64 " events dated ahead of the "
			    "clock in all", path, rp.future);
		/* The next compaction leaves them out: keep a copy. */
		if (rp.dropped > 0) {
			const char *kept = st.set_aside;

			if (kept == NULL)
				kept = aside = statefile_set_aside(path);
			log_warnx("%s: %" PRIu64 " lines that are not events "
			    "dropped; copy set aside as %s", path, rp.dropped,
			    kept != NULL ? kept : "(copy failed)");
			free(aside);
		}
		log_info("event history: %zu events from %s", d->ring_len,
		    path);
	}
	/* Replayed events are ordered by seq only if the file was. */
	seq = 0;
	for (i = 0; i < d->ring_len; i++) {
		struct event_rec *e = &d->ring[(d->ring_head + i) % d->ring_cap];

		if (e->seq <= seq)
			log_debug("history: seq %" PRIu64 " out of order",
			    e->seq);
		seq = e->seq;
	}
	TAILQ_INIT(&d->streams);
	/* The writer keeps its own copy of the ring's lines, to compact. */
	if (rl != NULL) {
		if ((d->history = history_new(rl, st.records, d->ring_cap))
		    == NULL) {
			reclog_close(rl);
			return -1;
		}
		for (i = 0; i < d->ring_len; i++) {
			struct event_rec *e =
			    &d->ring[(d->ring_head + i) % d->ring_cap];

			history_seed(d->history, e->json, e->jsonlen);
		}
		if (history_start(d->history) == -1) {
			log_warn("event history writer");
			history_discard(d->history);
			d->history = NULL;
			return -1;
		}
	}
	return 0;
}

/* ---- fan-out ---- */

static size_t
stream_backlog(struct stream *s)
{
	struct bufferevent *bev = evhttp_connection_get_bufferevent(s->evcon);

	return bev != NULL ? evbuffer_get_length(bufferevent_get_output(bev))
	    : 0;
}

/* The caller's list walk must tolerate s disappearing. */
static void
stream_drop(struct smsd *d, struct stream *s, const char *why)
{
	char host[64] = "?";
	ev_uint16_t port = 0;
	char *addr = NULL;
	unsigned long suppressed;
	char mb[48];

	evhttp_connection_get_peer(s->evcon, &addr, &port);
	if (addr != NULL)
		snprintf(host, sizeof(host), "%s", addr);
	if (log_ratelimit(&slow_rl, &suppressed))
		log_warnx("dropping stream client %s port %u: %s "
		    "%s", host, port, why, more(suppressed, mb));
	d->dropped_slow++;
	/* closecb runs from here and unlinks s */
	evhttp_connection_free(s->evcon);
}

static int
stream_write(struct smsd *d, struct stream *s, const char *buf, size_t len)
{
	struct evbuffer *b;

	if (s->ended)
		return 0;
	if (stream_backlog(s) + len > d->conf.max_output) {
		stream_drop(d, s, "too slow, unsent output over the limit");
		return -1;
	}
	if ((b = evbuffer_new()) == NULL)
		return -1;
	evbuffer_add(b, buf, len);
	evhttp_send_reply_chunk(s->req, b);
	evbuffer_free(b);
	return 0;
}

/*
 * message: the frame has no "event:" line, so an EventSource delivers it
 * to its "message" listeners; the data (the event's JSON) has the name.
 */
static int
frame_build(const struct event_rec *e, struct frame *f, int message)
{
	char head[EVENT_NAME_MAX + 64], size[24];
	int n, m;

	if (message)
		n = snprintf(head, sizeof(head), "id: %" PRIu64 "\ndata: ",
		    e->seq);
	else
		n = snprintf(head, sizeof(head),
		    "id: %" PRIu64 "\nevent: %s\ndata: ", e->seq, e->name);
	f->framelen = (size_t)n + e->jsonlen + 2;
	m = snprintf(size, sizeof(size), "%zx\r\n", f->framelen);
	f->off = (size_t)m;
	f->len = f->off + f->framelen + 2;
	if ((f->buf = malloc(f->len)) == NULL)
		return -1;
	memcpy(f->buf, size, f->off);
	memcpy(f->buf + f->off, head, (size_t)n);
	memcpy(f->buf + f->off + n, e->json, e->jsonlen);
	memcpy(f->buf + f->off + n + e->jsonlen, "\n\n\r\n", 4);
	return 0;
}

/*
 * Subscribers mostly share a few patterns (or none): an event's name is
 * matched once for a run of subscribers with the same pattern, not once
 * per subscriber.  The pattern is copied: a subscriber may be dropped.
 */
struct match_memo {
	int		valid;
	int		match;
	char		pattern[REQ_PATTERN_MAX + 1];
};

static int
stream_wants(const struct stream *s, const struct event_rec *e,
    struct match_memo *m)
{
	if (s->ended || e->priority < s->min_priority)
		return 0;
	if (m == NULL)
		return events_pattern_match(s->pattern, e->name);
	if (!m->valid || strcmp(m->pattern, s->pattern) != 0) {
		memcpy(m->pattern, s->pattern, sizeof(m->pattern));
		m->match = events_pattern_match(s->pattern, e->name);
		m->valid = 1;
	}
	return m->match;
}

/*
 * A chunked stream's frame goes straight into its connection's output,
 * as evhttp_send_reply_chunk() would put it there (after
 * evhttp_send_reply_start() enabled writing), without that function's
 * per-call evbuffer, printf and callback set-up: a fan-out costs one
 * append per subscriber.  Other streams (HTTP/1.0, HEAD) take evhttp's way.
 */
static int
stream_frame(struct smsd *d, struct stream *s, const struct event_rec *e,
    const struct frame *f, struct match_memo *m)
{
	struct bufferevent *bev;
	struct evbuffer *out;

	if (!stream_wants(s, e, m))
		return 0;
	if (!s->chunked)
		return stream_write(d, s, f->buf + f->off, f->framelen);
	if ((bev = evhttp_connection_get_bufferevent(s->evcon)) == NULL)
		return -1;
	out = bufferevent_get_output(bev);
	if (evbuffer_get_length(out) + f->len > d->conf.max_output) {
		stream_drop(d, s, "too slow, unsent output over the limit");
		return -1;
	}
	return evbuffer_add(out, f->buf, f->len);
}

static int
stream_event(struct smsd *d, struct stream *s, const struct event_rec *e)
{
	struct frame f;
	int rv;

	if (frame_build(e, &f, s->message) == -1)
		return -1;
	rv = stream_frame(d, s, e, &f, NULL);
	free(f.buf);
	return rv;
}

/* The disk is behind: the writer's queue is full. */
static void
history_refused(struct smsd *d, const struct event_rec *e)
{
	struct histq_stats st;
	unsigned long suppressed;
	char mb[48];

	if (!log_ratelimit(&unsaved_rl, &suppressed))
		return;
	history_stats(d->history, &st);
	log_warnx("%s: the disk is behind (%zu events waiting); event %"
	    PRIu64 " (%s) is served but not saved, %" PRIu64 " so far%s",
	    history_path(d->history), st.queued + st.inflight, e->seq,
	    e->name, st.refused + st.failed, more(suppressed, mb));
}

void
events_post(struct smsd *d, const char *name, int priority,
    const char *source, const char *message, json_t *extra)
{
	struct stream *s, *next;
	struct event_rec *e;
	struct frame f[2];	/* [0] named, [1] message */
	struct match_memo memo;
	json_t *o;
	char *json, when[64];
	int64_t t = real_ms();
	time_t secs = (time_t)(t / 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(t % 1000));
	o = json_pack("{s:I, s:I, s:s, s:s, s:i, s:s, s:s, s:s, s:s?}",
	    "seq", (json_int_t)d->next_seq, "time_ms", (json_int_t)t,
	    "time", when, "name", name, "priority", priority,
	    "priority_name", priority_name(priority), "source", source,
	    "member", d->conf.member_name, "message", message);
	if (o == NULL) {
		unsigned long suppressed;
		char mb[48];

		/* invalid UTF-8 in a message: refuse rather than mangle;
		   every poster may send it, so the line is rate-limited */
		if (log_ratelimit(&utf8_rl, &suppressed))
			log_warnx("event %s from %s dropped: not valid UTF-8%s",
			    name, source, more(suppressed, mb));
		if (extra != NULL)
			json_decref(extra);
		return;
	}
	if (extra != NULL)
		json_object_update(o, extra), json_decref(extra);
	json = json_dumps(o, SMSD_JSON);
	json_decref(o);
	if (json == NULL)
		return;
	e = ring_push(d, d->next_seq++, t, priority, name, json, strlen(json));
	/* queued for the writer: the loop never waits for the disk */
	if (d->history != NULL &&
	    history_push(d->history, e->json, e->jsonlen) == -1)
		history_refused(d, e);
	/* each kind of frame built once, when a subscriber first needs it */
	memset(f, 0, sizeof(f));
	memo.valid = 0;
	TAILQ_FOREACH_SAFE(s, &d->streams, entry, next) {
		if (f[s->message].buf == NULL &&
		    frame_build(e, &f[s->message], s->message) == -1)
			continue;
		(void)stream_frame(d, s, e, &f[s->message], &memo);
	}
	free(f[0].buf);
	free(f[1].buf);
	if (priority >= 400)
		health_update(d);
}

void
events_history_json(struct smsd *d, const struct req *r, struct evbuffer *out)
{
	size_t i, n = 0, start = 0, matched = 0, limit;
	struct event_rec *e;

	limit = r->limit > 0 ? (size_t)r->limit : 100;
	/* The newest `limit` matching events, oldest first. */
	for (i = d->ring_len; i > 0; i--) {
		e = &d->ring[(d->ring_head + i - 1) % d->ring_cap];
		if (e->seq <= r->since)
			break;
		if (e->priority < r->min_priority ||
		    !events_pattern_match(r->pattern, e->name))
			continue;
		if (++matched == limit) {
			start = i - 1;
			break;
		}
		start = i - 1;
	}
	evbuffer_add_printf(out, "{\"member\":\"%s\",\"events\":[",
	    d->conf.member_name);
	for (i = start; i < d->ring_len && matched > 0; i++) {
		e = &d->ring[(d->ring_head + i) % d->ring_cap];
		if (e->seq <= r->since || e->priority < r->min_priority ||
		    !events_pattern_match(r->pattern, e->name))
			continue;
		if (n++ > 0)
			evbuffer_add(out, ",", 1);
		evbuffer_add(out, e->json, e->jsonlen);
	}
	evbuffer_add_printf(out, "],\"count\":%zu,\"next_seq\":%" PRIu64 "}",
	    n, d->next_seq);
}

/*
 * A message stream resuming after last_id is told when that cannot be
 * done exactly: the id is past this smsd's newest (an smsd back without
 * its history numbers from 1 again: "smsd.reset"), or events after it
 * are no longer kept ("smsd.gap").  These frames have no id and no seq,
 * so no posted event can pass for one.
 */
static int
stream_resume_note(struct smsd *d, struct stream *s, uint64_t last_id)
{
	char frame[SMSD_NAME_MAX + 256];
	uint64_t oldest;
	int n;

	if (last_id >= d->next_seq)
		n = snprintf(frame, sizeof(frame), "data: {\"name\":"
		    "\"smsd.reset\",\"member\":\"%s\",\"next_seq\":%" PRIu64
		    ",\"message\":\"event %" PRIu64 " is past this smsd's "
		    "newest: its ids start again\"}\n\n", d->conf.member_name,
		    d->next_seq, last_id);
	else {
		oldest = d->ring_len > 0 ? d->ring[d->ring_head].seq :
		    d->next_seq;
		if (last_id + 1 >= oldest)
			return 0;
		n = snprintf(frame, sizeof(frame), "data: {\"name\":"
		    "\"smsd.gap\",\"member\":\"%s\",\"first\":%" PRIu64
		    ",\"lost\":%" PRIu64 ",\"message\":\"%" PRIu64
		    " events after %" PRIu64 " are no longer kept\"}\n\n",
		    d->conf.member_name, last_id + 1, oldest - last_id - 1,
		    oldest - last_id - 1, last_id);
	}
	if (n < 0 || (size_t)n >= sizeof(frame))
		return -1;
	return stream_write(d, s, frame, (size_t)n);
}

void
stream_open(struct smsd *d, struct evhttp_request *req, const struct req *r,
    uint64_t last_id)
{
	static const char first_named[] = ": smsd event stream\n\n";
	static const char first_message[] = ": smsd event stream\nretry: "
	    STREAM_RETRY_MS "\n\n";
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct stream *s;
	struct bufferevent *bev;
	const char *te;
	size_t i;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		evhttp_send_error(req, 503, "out of memory");
		return;
	}
	s->req = req;
	s->evcon = evhttp_request_get_connection(req);
	snprintf(s->pattern, sizeof(s->pattern), "%s", r->pattern);
	s->min_priority = r->min_priority;
	s->message = r->frames_message != 0;
	evhttp_add_header(h, "Content-Type", "text/event-stream");
	evhttp_add_header(h, "Cache-Control", "no-cache");
	/* a stream ends the connection: no request can follow it */
	evhttp_add_header(h, "Connection", "close");
	evhttp_send_reply_start(req, 200, "OK");
	te = evhttp_find_header(h, "Transfer-Encoding");
	s->chunked = te != NULL && strcmp(te, "chunked") == 0;
	/*
	 * evhttp keeps reading a replying connection, only to see it close,
	 * and keeps whatever arrives: a subscriber sending without end would
	 * grow our memory without end.  Reading stops at a few KB; the
	 * keep-alive discards them, so a close is still seen.
	 */
	if ((bev = evhttp_connection_get_bufferevent(s->evcon)) != NULL)
		bufferevent_setwatermark(bev, EV_READ, 0, STREAM_INPUT_MAX);
	TAILQ_INSERT_TAIL(&d->streams, s, entry);
	d->nstreams++;
	control_bind_stream(s->evcon, s);
	/* an EventSource waits "retry" milliseconds before it reconnects */
	if (stream_write(d, s, s->message ? first_message : first_named,
	    s->message ? sizeof(first_message) - 1 : sizeof(first_named) - 1)
	    == -1)
		return;
	if (last_id == 0)
		last_id = r->since;
	if (last_id == 0)
		return;
	if (s->message && stream_resume_note(d, s, last_id) == -1)
		return;
	for (i = 0; i < d->ring_len; i++) {
		struct event_rec *e = &d->ring[(d->ring_head + i) % d->ring_cap];

		if (e->seq > last_id && stream_event(d, s, e) == -1)
			return;
	}
}

void
stream_connection_closed(struct smsd *d, struct stream *s)
{
	TAILQ_REMOVE(&d->streams, s, entry);
	d->nstreams--;
	free(s);
}

/* Tell every subscriber why the stream ends, then end it cleanly. */
void
streams_close_all(struct smsd *d, const char *why)
{
	struct stream *s, *next;
	char frame[2][SMSD_NAME_MAX + 256];
	int n[2];

	/* named: the event says what it is; message: the data's name does */
	n[0] = snprintf(frame[0], sizeof(frame[0]), "event: smsd.stopping\n"
	    "data: {\"member\":\"%s\",\"message\":\"%s\"}\n\n",
	    d->conf.member_name, why);
	n[1] = snprintf(frame[1], sizeof(frame[1]), "data: {\"name\":"
	    "\"smsd.stopping\",\"member\":\"%s\",\"message\":\"%s\"}\n\n",
	    d->conf.member_name, why);
	if (n[0] < 0 || (size_t)n[0] >= sizeof(frame[0]) || n[1] < 0 ||
	    (size_t)n[1] >= sizeof(frame[1]))
		return;
	TAILQ_FOREACH_SAFE(s, &d->streams, entry, next) {
		if (s->ended || stream_write(d, s, frame[s->message],
		    (size_t)n[s->message]) == -1)
			continue;
		s->ended = 1;	/* nothing may follow the last chunk */
		evhttp_send_reply_end(s->req);
	}
}

static void
keepalive_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smsd *d = arg;
	struct stream *s, *next;
	struct bufferevent *bev;
	struct evbuffer *in;

	(void)fd;
	(void)what;

	TAILQ_FOREACH_SAFE(s, &d->streams, entry, next) {
		if ((bev = evhttp_connection_get_bufferevent(s->evcon)) != NULL &&
		    evbuffer_get_length(in = bufferevent_get_input(bev)) > 0)
			evbuffer_drain(in, evbuffer_get_length(in));
		(void)stream_write(d, s, ":\n\n", 3);
	}
}

/* ---- sources ---- */

static const char *
kmsg_name(int facility)
{
	return facility == 0 ? "sys.unix.kernel" : "sys.unix.kmsg.user";
}

static int
syslog_to_evm(int level)
{
	static const int map[8] = { 700, 600, 500, 400, 300, 200, 100, 100 };

	return map[level & 7];
}

static void
kmsg_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smsd *d = arg;
	char buf[KMSG_MAX + 1], *semi, *msg, *nl;
	ssize_t n;
	int pri, budget = 64;

	(void)what;
	while (budget-- > 0) {
		n = read(fd, buf, KMSG_MAX);
		if (n == -1) {
			if (errno == EPIPE)	/* overwritten: skip ahead */
				continue;
			if (errno != EAGAIN && errno != EINTR)
				log_warn("/dev/kmsg");
			return;
		}
		if (n == 0)
			return;
		buf[n] = '\0';
		if ((semi = strchr(buf, ';')) == NULL)
			continue;
		pri = atoi(buf);
		msg = semi + 1;
		if ((nl = strchr(msg, '\n')) != NULL)
			*nl = '\0';
		if (strlen(msg) > EVENT_MSG_MAX)
			msg[EVENT_MSG_MAX] = '\0';
		events_post(d, kmsg_name(pri >> 3), syslog_to_evm(pri & 7),
		    "kernel", msg, NULL);
	}
}

/*
 * A uevent: "ACTION@DEVPATH\0KEY=VALUE\0...".  Block disks and network
 * interfaces change the hardware tree; they are posted and the hardware
 * source is invalidated.
 */
void	uevent_handle(struct smsd *, const char *, size_t);
void
uevent_handle(struct smsd *d, const char *buf, size_t len)
{
	const char *p, *end = buf + len, *action = NULL, *subsystem = NULL;
	const char *devname = NULL, *devtype = NULL, *devpath = NULL;
	char name[EVENT_NAME_MAX + 1], msg[512];
	const char *kind;
	int pri;

	if (len == 0 || memchr(buf, '@', strnlen(buf, len)) == NULL)
		return;	/* libudev's messages and junk */
	for (p = buf + strnlen(buf, len) + 1; p < end;
	    p += strnlen(p, (size_t)(end - p)) + 1) {
		if (strncmp(p, "ACTION=", 7) == 0)
			action = p + 7;
		else if (strncmp(p, "SUBSYSTEM=", 10) == 0)
			subsystem = p + 10;
		else if (strncmp(p, "DEVNAME=", 8) == 0)
			devname = p + 8;
		else if (strncmp(p, "INTERFACE=", 10) == 0)
			devname = p + 10;
		else if (strncmp(p, "DEVTYPE=", 8) == 0)
			devtype = p + 8;
		else if (strncmp(p, "DEVPATH=", 8) == 0)
			devpath = p + 8;
	}
	if (action == NULL || subsystem == NULL || buf[len - 1] != '\0')
		return;
	if (strcmp(subsystem, "block") == 0 && devtype != NULL &&
	    strcmp(devtype, "disk") == 0)
		kind = "disk";
	else if (strcmp(subsystem, "net") == 0)
		kind = "net";
	else
		return;
	if (strcmp(action, "add") != 0 && strcmp(action, "remove") != 0 &&
	    strcmp(action, "change") != 0)
		return;
	snprintf(name, sizeof(name), "sys.unix.hw.%s.%s", kind, action);
	if (!event_name_valid(name, strlen(name)))
		return;
	pri = strcmp(action, "remove") == 0 ? 300 : 200;
	snprintf(msg, sizeof(msg), "%s %s %s", kind, devname ? devname : "?",
	    strcmp(action, "add") == 0 ? "added" : strcmp(action, "remove")
	    == 0 ? "removed" : "changed");
	source_invalidate(d, SRC_HARDWARE);
	events_post(d, name, pri, "uevent", msg,
	    json_pack("{s:s?}", "devpath", devpath));
}

static void
uevent_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smsd *d = arg;
	char buf[8192];
	struct sockaddr_nl sa;
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr mh;
	ssize_t n;
	int budget = 64;

	(void)what;
	while (budget-- > 0) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &sa;
		mh.msg_namelen = sizeof(sa);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		if ((n = recvmsg(fd, &mh, 0)) <= 0)
			return;
		/* only the kernel may speak for the hardware */
		if (mh.msg_namelen != sizeof(sa) || sa.nl_pid != 0 ||
		    (mh.msg_flags & MSG_TRUNC))
			continue;
		buf[n] = '\0';
		uevent_handle(d, buf, (size_t)n);
	}
}

static void
post_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smsd *d = arg;
	char buf[POST_MAX + 1], esc[LOG_ESCAPE_MAX];
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(struct ucred))];
	} cm;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh;
	struct cmsghdr *c;
	struct ucred cred = { 0, (uid_t)-1, (gid_t)-1 };
	struct post_msg m;
	const char *why;
	unsigned long suppressed;
	char mb[48];
	ssize_t n;
	int budget = 256;

	(void)what;
	while (budget-- > 0) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		if ((n = recvmsg(fd, &mh, MSG_DONTWAIT)) == -1)
			return;
		for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_CREDENTIALS)
				memcpy(&cred, CMSG_DATA(c), sizeof(cred));
		if ((mh.msg_flags & MSG_TRUNC) || (size_t)n > POST_MAX) {
			why = "message too long";
			goto bad;
		}
		if (post_parse(buf, (size_t)n, &m, &why) == -1)
			goto bad;
		/* a datagram without credentials has uid -1: not trusted */
		if (post_name_reserved(m.name) &&
		    !conf_trusts(&d->conf, cred.uid)) {
			why = "names under hostmon. and sys. are taken only "
			    "from post-trusted users";
			goto bad;
		}
		events_post(d, m.name, m.priority, "post", m.message,
		    json_pack("{s:i, s:i}", "uid", (int)cred.uid, "pid",
		    (int)cred.pid));
		continue;
bad:
		if (log_ratelimit(&post_rl, &suppressed))
			log_warnx("posting socket: refused message from pid %d "
			    "uid %d: %s: \"%s\"%s",
			    (int)cred.pid, (int)cred.uid, why,
			    log_escape(buf, (size_t)n > 64 ? 64 : (size_t)n,
			    esc, sizeof(esc)), more(suppressed, mb));
	}
}

/*
 * ORDER: while still root: /dev/kmsg needs CAP_SYSLOG when dmesg is
 * restricted, the posting socket lives in a root-owned folder.
 */
int
events_open_sources(struct smsd *d)
{
	struct sockaddr_nl snl;
	struct sockaddr_un sun;
	struct stat st;
	struct group *grp;
	mode_t mask;
	int one = 1, rv;
	char dir[sizeof(sun.sun_path)], *slash;

	if ((kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC))
	    == -1)
		log_warn("/dev/kmsg: kernel messages not followed");
	else
		(void)lseek(kmsg_fd, 0, SEEK_END);	/* only new ones */

	uevent_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	memset(&snl, 0, sizeof(snl));
	snl.nl_family = AF_NETLINK;
	snl.nl_groups = 1;
	if (uevent_fd == -1 ||
	    bind(uevent_fd, (struct sockaddr *)&snl, sizeof(snl)) == -1) {
		log_warn("uevent socket: hot-plug not followed");
		if (uevent_fd != -1)
			close(uevent_fd);
		uevent_fd = -1;
	}

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(d->conf.post_socket) >= sizeof(sun.sun_path)) {
		log_warnx("post-socket path too long");
		return -1;
	}
	strcpy(sun.sun_path, d->conf.post_socket);
	strcpy(dir, d->conf.post_socket);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST)
			log_warn("mkdir %s", dir);
	}
	/* A leftover socket of ours goes; anything else is not ours. */
	if (lstat(sun.sun_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("%s exists and is not a socket", sun.sun_path);
			return -1;
		}
		(void)unlink(sun.sun_path);
	}
	if ((grp = getgrnam(d->conf.post_group)) == NULL) {
		log_warnx("post-group %s: no such group", d->conf.post_group);
		return -1;
	}
	if ((post_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		log_warn("posting socket %s", sun.sun_path);
		return -1;
	}
	/* before bind: no datagram may arrive without its sender */
	(void)setsockopt(post_fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	/* nobody else may connect between bind and chmod */
	mask = umask(0177);
	rv = bind(post_fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(mask);
	if (rv == -1) {
		log_warn("posting socket %s", sun.sun_path);
		return -1;
	}
	/*
	 * Only the suite's daemons (the group's members and root) may post;
	 * what they post is recorded with their uid, and names under the
	 * suite's prefixes are taken only from post-trusted users.
	 */
	if (chown(sun.sun_path, geteuid(), grp->gr_gid) == -1)
		log_warn("chown %s to group %s", sun.sun_path,
		    d->conf.post_group);
	if (chmod(sun.sun_path, 0660) == -1) {
		log_warn("chmod %s", sun.sun_path);
		return -1;
	}
	return 0;
}

void
events_start(struct smsd *d)
{
	struct timeval tv = { STREAM_KEEPALIVE_S, 0 };

	if (kmsg_fd != -1)
		kmsg_ev = event_new(d->base, kmsg_fd, EV_READ | EV_PERSIST,
		    kmsg_cb, d);
	if (uevent_fd != -1)
		uevent_ev = event_new(d->base, uevent_fd, EV_READ | EV_PERSIST,
		    uevent_cb, d);
	if (post_fd != -1)
		post_ev = event_new(d->base, post_fd, EV_READ | EV_PERSIST,
		    post_cb, d);
	if (kmsg_ev != NULL)
		event_add(kmsg_ev, NULL);
	if (uevent_ev != NULL)
		event_add(uevent_ev, NULL);
	if (post_ev != NULL)
		event_add(post_ev, NULL);
	keepalive_ev = event_new(d->base, -1, EV_PERSIST, keepalive_cb, d);
	if (keepalive_ev != NULL)
		event_add(keepalive_ev, &tv);
}

void
events_close(struct smsd *d)
{
	size_t i;

	if (d->history != NULL)
		(void)history_stop(d->history, HISTORY_DRAIN_MS);
	d->history = NULL;
	if (post_fd != -1) {
		(void)unlink(d->conf.post_socket);
		close(post_fd);
	}
	if (kmsg_ev) event_free(kmsg_ev);
	if (uevent_ev) event_free(uevent_ev);
	if (post_ev) event_free(post_ev);
	if (keepalive_ev) event_free(keepalive_ev);
	for (i = 0; i < d->ring_cap; i++)
		rec_free(&d->ring[i]);
	free(d->ring);
	d->ring = NULL;
}
