/*
 * history: the event history file's writer thread and its queue.
 *
 * The loop never waits for the disk on account of an event: events_post
 * hands a copy of each serialized line to a bounded queue (a mutex and two
 * condition variables; the loop holds the mutex only to link a line in).
 * One writer thread takes everything queued at once, appends it to the
 * reclog and commits it with one write and one fdatasync, at most every
 * HISTORY_COMMIT_MS (sooner when HISTORY_EARLY lines wait, at once when
 * stopping), so a burst costs one sync and a kill -9 loses at most what
 * was not yet committed.  The writer also compacts the file when it holds
 * more than twice the ring, from its own copy of the newest ring-size lines
 * it committed: it never reads the loop's ring.
 *
 * A disk that stops answering stalls only the writer.  The queue fills;
 * a line that finds it full is refused and counted (events_post logs it,
 * rate-limited), while the ring and the stream subscribers still get every
 * event.  Stopping waits at most a given time for the writer to drain the
 * queue; a writer still stuck then is left behind, with what it holds,
 * and the count of lines it did not save is logged.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "reclog.h"
#include "timeutil.h"
#include "smsd.h"

#define HISTORY_COMMIT_MS	100
#define HISTORY_EARLY		1024	/* lines that start a commit at once */

struct histq {
	pthread_mutex_t	mu;
	pthread_cond_t	work;		/* the writer: lines queued, or stop */
	pthread_cond_t	idle;		/* the stopper: the writer is done */
	struct histq_item *items;	/* circular, cap long */
	size_t		cap;
	size_t		head;
	size_t		n;
	size_t		bytes;		/* of the queued lines */
	size_t		max_bytes;
	size_t		inflight;	/* taken, not yet written */
	size_t		early;		/* the writer waits for this many */
	uint64_t	refused;	/* found the queue full */
	uint64_t	failed;		/* their commit failed */
	int		stop;
	int		done;		/* the writer has finished */
};

struct history {
	struct histq	*q;
	struct reclog	*rl;
	pthread_t	thread;
	char		path[512];
	/* the writer's own: the newest `keep` committed lines */
	struct histq_item *live;
	size_t		keep;
	size_t		live_head;
	size_t		live_n;
	uint64_t	records;	/* in the file */
	struct histq_item *batch;
	int		delay_ms;	/* SMSD_TEST_HISTORY_DELAY_MS */
};

/* A writer left behind at exit, still reachable (for leak checkers). */
static struct history *abandoned;

static void
ts_at(struct timespec *ts, int64_t mono)
{
	ts->tv_sec = (time_t)(mono / 1000);
	ts->tv_nsec = (long)(mono % 1000) * 1000000L;
}

struct histq *
histq_new(size_t max_lines, size_t max_bytes)
{
	struct histq *q;
	pthread_condattr_t ca;

	if (max_lines == 0 || (q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	if ((q->items = calloc(max_lines, sizeof(*q->items))) == NULL) {
		free(q);
		return NULL;
	}
	q->cap = max_lines;
	q->max_bytes = max_bytes;
	pthread_mutex_init(&q->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->work, &ca);
	pthread_cond_init(&q->idle, &ca);
	pthread_condattr_destroy(&ca);
	return q;
}

void
histq_free(struct histq *q)
{
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n; i++)
		free(q->items[(q->head + i) % q->cap].line);
	free(q->items);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->idle);
	free(q);
}

int
histq_push(struct histq *q, const char *line, size_t len)
{
	struct histq_item *it;
	char *copy;

	/* copied before the lock: the writer never waits for a malloc */
	if ((copy = malloc(len + 1)) != NULL) {
		memcpy(copy, line, len);
		copy[len] = '\0';
	}
	pthread_mutex_lock(&q->mu);
	if (copy == NULL || q->stop || q->n == q->cap ||
	    len > q->max_bytes - q->bytes) {
		q->refused++;
		pthread_mutex_unlock(&q->mu);
		free(copy);
		return -1;
	}
	it = &q->items[(q->head + q->n) % q->cap];
	it->line = copy;
	it->len = len;
	q->n++;
	q->bytes += len;
	/* the writer waits for a first line, or for `early` of them */
	if (q->n == 1 || q->n == q->early)
		pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

size_t
histq_take(struct histq *q, struct histq_item *batch, int64_t not_before,
    size_t early)
{
	struct timespec ts;
	size_t i, n;

	pthread_mutex_lock(&q->mu);
	while (q->n == 0 && !q->stop)
		pthread_cond_wait(&q->work, &q->mu);
	/* the commit interval, unless stopping or many lines wait */
	q->early = early;
	ts_at(&ts, not_before);
	while (!q->stop && q->n < early && mono_ms() < not_before)
		if (pthread_cond_timedwait(&q->work, &q->mu, &ts) == ETIMEDOUT)
			break;
	n = q->n;
	for (i = 0; i < n; i++)
		batch[i] = q->items[(q->head + i) % q->cap];
	q->head = 0;
	q->n = 0;
	q->bytes = 0;
	q->inflight = n;
	pthread_mutex_unlock(&q->mu);
	return n;
}

void
histq_written(struct histq *q, size_t failed)
{
	pthread_mutex_lock(&q->mu);
	q->inflight = 0;
	q->failed += failed;
	pthread_mutex_unlock(&q->mu);
}

void
histq_stop(struct histq *q)
{
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
}

void
histq_stats(struct histq *q, struct histq_stats *st)
{
	pthread_mutex_lock(&q->mu);
	st->queued = q->n;
	st->inflight = q->inflight;
	st->refused = q->refused;
	st->failed = q->failed;
	pthread_mutex_unlock(&q->mu);
}

/* ---- the writer ---- */

static void
live_add(struct history *h, struct histq_item *it)
{
	struct histq_item *slot;

	if (h->keep == 0) {
		free(it->line);
		return;
	}
	if (h->live_n == h->keep) {
		free(h->live[h->live_head].line);
		h->live_head = (h->live_head + 1) % h->keep;
		h->live_n--;
	}
	slot = &h->live[(h->live_head + h->live_n) % h->keep];
	*slot = *it;
	h->live_n++;
	it->line = NULL;
}

static int
live_emit(struct reclog *rl, void *arg)
{
	struct history *h = arg;
	size_t i;

	for (i = 0; i < h->live_n; i++) {
		struct histq_item *it = &h->live[(h->live_head + i) % h->keep];

		if (reclog_append(rl, it->line, it->len) == -1)
			return -1;
	}
	return 0;
}

static void
test_delay(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void *
writer(void *arg)
{
	struct history *h = arg;
	struct log_ratelimit fail_rl = LOG_RATELIMIT_INIT(60, 3);
	unsigned long suppressed;
	char mb[48];
	int64_t next = 0;
	size_t i, n, failed;
	int ok;

	while ((n = histq_take(h->q, h->batch, next, HISTORY_EARLY)) > 0) {
		next = mono_ms() + HISTORY_COMMIT_MS;
		if (h->delay_ms > 0)
			test_delay(h->delay_ms);
		/* a line the log refuses (too long) is lost alone */
		failed = 0;
		for (i = 0; i < n; i++)
			if (reclog_append(h->rl, h->batch[i].line,
			    h->batch[i].len) == -1) {
				free(h->batch[i].line);
				h->batch[i].line = NULL;
				failed++;
			}
		ok = reclog_commit(h->rl) == 0;
		if (!ok)
			failed = n;
		if (failed > 0 && log_ratelimit(&fail_rl, &suppressed))
			log_warn("%s: %zu events not saved%s", h->path, failed,
			    more(suppressed, mb));
		for (i = 0; i < n; i++) {
			if (ok && h->batch[i].line != NULL) {
				h->records++;
				live_add(h, &h->batch[i]);
			}
			free(h->batch[i].line);
			h->batch[i].line = NULL;
		}
		histq_written(h->q, failed);
		if (ok && h->records > (uint64_t)h->keep * 2) {
			if (reclog_compact(h->rl, live_emit, h) == -1)
				log_warn("compacting %s", h->path);
			else
				h->records = h->live_n;
		}
	}
	reclog_close(h->rl);
	h->rl = NULL;
	pthread_mutex_lock(&h->q->mu);
	h->q->done = 1;
	pthread_cond_broadcast(&h->q->idle);
	pthread_mutex_unlock(&h->q->mu);
	return NULL;
}

struct history *
history_new(struct reclog *rl, uint64_t records, size_t keep)
{
	struct history *h;
	const char *e;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->q = histq_new(HISTQ_MAX_LINES, HISTQ_MAX_BYTES);
	h->batch = calloc(HISTQ_MAX_LINES, sizeof(*h->batch));
	h->live = keep > 0 ? calloc(keep, sizeof(*h->live)) : NULL;
	if (h->q == NULL || h->batch == NULL || (keep > 0 && h->live == NULL)) {
		histq_free(h->q);
		free(h->batch);
		free(h->live);
		free(h);
		return NULL;
	}
	h->rl = rl;
	h->records = records;
	h->keep = keep;
	snprintf(h->path, sizeof(h->path), "%s", reclog_path(rl));
	/* for tests only: a disk whose every commit takes this long */
	if ((e = getenv("SMSD_TEST_HISTORY_DELAY_MS")) != NULL &&
	    (h->delay_ms = atoi(e)) > 0)
		log_warnx("SMSD_TEST_HISTORY_DELAY_MS: each commit of the event "
		    "history waits %d ms (for tests only)", h->delay_ms);
	return h;
}

/* Before history_start: a line already in the file (replayed). */
void
history_seed(struct history *h, const char *line, size_t len)
{
	struct histq_item it;

	if (h->keep == 0 || (it.line = strndup(line, len)) == NULL)
		return;
	it.len = len;
	live_add(h, &it);
}

int
history_start(struct history *h)
{
	int rv;

	if ((rv = pthread_create(&h->thread, NULL, writer, h)) != 0) {
		errno = rv;
		return -1;
	}
	return 0;
}

int
history_push(struct history *h, const char *line, size_t len)
{
	return histq_push(h->q, line, len);
}

void
history_stats(struct history *h, struct histq_stats *st)
{
	histq_stats(h->q, st);
}

const char *
history_path(const struct history *h)
{
	return h->path;
}

static void
history_free(struct history *h)
{
	size_t i;

	for (i = 0; i < h->live_n; i++)
		free(h->live[(h->live_head + i) % h->keep].line);
	free(h->live);
	free(h->batch);
	histq_free(h->q);
	free(h);
}

/* Free what the writer left: it was never started. */
void
history_discard(struct history *h)
{
	if (h == NULL)
		return;
	reclog_close(h->rl);
	history_free(h);
}

int
history_stop(struct history *h, int timeout_ms)
{
	struct histq *q = h->q;
	struct timespec ts;
	size_t left;
	int done;

	histq_stop(q);
	pthread_mutex_lock(&q->mu);
	ts_at(&ts, mono_ms() + timeout_ms);
	while (!q->done)
		if (pthread_cond_timedwait(&q->idle, &q->mu, &ts) == ETIMEDOUT)
			break;
	done = q->done;
	left = q->n + q->inflight;
	pthread_mutex_unlock(&q->mu);
	if (done) {
		pthread_join(h->thread, NULL);
		history_free(h);
		return 0;
	}
	/* stuck in the disk: it cannot be joined; it ends with the process */
	log_warnx("%s: the disk did not take the last %zu events within "
	    "%d ms; they are not saved", h->path, left, timeout_ms);
	pthread_detach(h->thread);
	abandoned = h;
	return -1;
}
