/*
 * source: one worker thread per source gathers; the loop keeps the cache.
 *
 * A gather that overruns the time limit is left to finish in its thread
 * (a thread blocked in a hung file system cannot be cancelled safely); the
 * loop marks the source timed out, answers waiting requests with the old
 * data (or an error), and starts no second gather of that source until
 * the first returns.  So a hung source costs one thread, never the loop.
 */
#include <sys/eventfd.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "timeutil.h"
#include "smsd.h"

static void
gathered_free(struct gathered *g)
{
	if (g->json != NULL)
		json_decref(g->json);
	free(g->text);
	free(g->error);
	memset(g, 0, sizeof(*g));
}

static void *
worker(void *arg)
{
	struct source *s = arg;
	struct gathered out;
	uint64_t one = 1;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->requested && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->stop)
			break;
		s->requested = 0;
		pthread_mutex_unlock(&s->mu);

		memset(&out, 0, sizeof(out));
		s->gather(s, &out);
		/* here, so a slow disk delays this worker, not the loop */
		if (out.json != NULL &&
		    (s->id == SRC_HARDWARE || s->id == SRC_SOFTWARE))
			store_save_source(s, out.json);

		pthread_mutex_lock(&s->mu);
		gathered_free(&s->out);
		s->out = out;
		s->done = 1;
		/* The loop reads the eventfd; a failed write only delays. */
		if (write(smsd->notify_fd, &one, sizeof(one)) == -1)
			(void)0;
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int
source_fresh(const struct source *s, int64_t now)
{
	if (s->dirty || (s->data == NULL && s->text == NULL))
		return 0;
	return now - s->gathered_ms <= s->max_age_ms;
}

void
source_kick(struct smsd *d, struct source *s)
{
	(void)d;
	pthread_mutex_lock(&s->mu);
	if (!s->busy) {
		s->busy = 1;
		s->requested = 1;
		s->timed_out = 0;
		s->redirty = 0;
		s->started_ms = mono_ms();
		pthread_cond_signal(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
}

void
source_invalidate(struct smsd *d, enum source_id id)
{
	struct source *s = &d->src[id];

	s->dirty = 1;
	/* A gather under way may have read before the change: its result
	   must not count as fresh.  (busy is only written in the loop.) */
	if (s->busy)
		s->redirty = 1;
}

static void
source_take(struct source *s)
{
	struct gathered g;
	int changed = 0;

	pthread_mutex_lock(&s->mu);
	if (!s->done) {
		pthread_mutex_unlock(&s->mu);
		return;
	}
	g = s->out;
	memset(&s->out, 0, sizeof(s->out));
	s->done = 0;
	s->busy = 0;
	pthread_mutex_unlock(&s->mu);

	s->gather_ms_last = mono_ms() - s->started_ms;
	if (s->timed_out)
		log_info("source %s answered after %lld ms", s->name,
		    (long long)s->gather_ms_last);
	s->timed_out = 0;
	if (g.error != NULL) {
		if (s->error == NULL || strcmp(s->error, g.error) != 0)
			log_warnx("source %s: %s", s->name, g.error);
		free(s->error);
		s->error = g.error;
		g.error = NULL;
		/* Keep the old data; it is reported with the error. */
		s->gathered_ms = mono_ms();
		s->dirty = s->redirty;
		s->redirty = 0;
		gathered_free(&g);
		if (s->dirty)
			source_kick(NULL, s);
		return;
	}
	free(s->error);
	s->error = NULL;
	if (g.json != NULL) {
		if (s->data == NULL || !json_equal(s->data, g.json)) {
			if (s->data != NULL)
				json_decref(s->data);
			s->data = g.json;
			g.json = NULL;
			changed = 1;
		}
	}
	if (g.text != NULL) {
		free(s->text);
		s->text = g.text;
		s->textlen = g.textlen;
		g.text = NULL;
		changed = 1;
	}
	gathered_free(&g);
	s->gathered_ms = mono_ms();
	s->dirty = s->redirty;
	s->redirty = 0;
	if (changed)
		s->generation++;
	/* invalidated meanwhile: gather again for whoever waits */
	if (s->dirty)
		source_kick(NULL, s);
}

/* Serialized once per change of the data, whatever the request count. */
const char *
source_body(struct source *s, size_t *len)
{
	if (s->data == NULL)
		return NULL;
	if (s->body == NULL || s->body_gen != s->generation) {
		free(s->body);
		s->body = json_dumps(s->data, SMSD_JSON);
		s->bodylen = s->body != NULL ? strlen(s->body) : 0;
		s->body_gen = s->generation;
	}
	*len = s->bodylen;
	return s->body;
}

/* Inventory read back from the data files, served until a gather ends. */
void
source_load_cached(struct smsd *d, struct source *s, json_t *data)
{
	(void)d;
	if (s->data != NULL)
		json_decref(s->data);
	s->data = data;
	s->generation++;
	s->gathered_ms = mono_ms() - (int64_t)s->max_age_ms - 1;
}

static void
notify_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smsd *d = arg;
	uint64_t v;
	int i;

	(void)what;
	if (read(fd, &v, sizeof(v)) == -1 && errno != EAGAIN)
		log_warn("eventfd read");
	for (i = 0; i < SRC_COUNT; i++)
		source_take(&d->src[i]);
	health_update(d);
	pending_wake(d);
}

void
sources_init(struct smsd *d)
{
	static const struct {
		const char *name;
		int max_age_ms;
		void (*gather)(struct source *, struct gathered *);
	} def[SRC_COUNT] = {
		[SRC_SYSTEM] = { "system", 1000, gather_system },
		[SRC_HARDWARE] = { "hardware", 60000, gather_hardware },
		[SRC_SOFTWARE] = { "software", 5000, gather_software },
		[SRC_FILESYSTEMS] = { "filesystems", 1000, gather_filesystems },
		[SRC_METRICS] = { "metrics", 1000, gather_metrics },
	};
	int i, rv;

	if ((d->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		fatal("eventfd");
	d->notify_ev = event_new(d->base, d->notify_fd, EV_READ | EV_PERSIST,
	    notify_cb, d);
	if (d->notify_ev == NULL || event_add(d->notify_ev, NULL) == -1)
		fatalx("cannot watch the eventfd");
	for (i = 0; i < SRC_COUNT; i++) {
		struct source *s = &d->src[i];

		s->id = (enum source_id)i;
		s->name = def[i].name;
		s->max_age_ms = def[i].max_age_ms;
		s->gather = def[i].gather;
		pthread_mutex_init(&s->mu, NULL);
		pthread_cond_init(&s->cv, NULL);
		if ((rv = pthread_create(&s->thread, NULL, worker, s)) != 0) {
			errno = rv;
			fatal("pthread_create");
		}
	}
}

/*
 * A gather under way gets up to SOURCES_STOP_MS (for all sources together)
 * to end, so a slow one is still joined and freed; threads stuck in a hung
 * source cannot be joined: they are detached and die with the process.
 */
#define SOURCES_STOP_MS	1000

void
sources_stop(struct smsd *d)
{
	struct timespec deadline;
	int i, rv, detached = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);	/* timedjoin's clock */
	deadline.tv_sec += SOURCES_STOP_MS / 1000;
	for (i = 0; i < SRC_COUNT; i++) {
		struct source *s = &d->src[i];

		pthread_mutex_lock(&s->mu);
		s->stop = 1;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		if ((rv = pthread_timedjoin_np(s->thread, NULL, &deadline))
		    != 0) {
			/* its thread may still touch s: leave s alone */
			log_warnx("source %s: gather still under way at the "
			    "stop (%s); left to end with the process", s->name,
			    strerror(rv));
			pthread_detach(s->thread);
			detached = 1;
			continue;
		}
		gathered_free(&s->out);
		if (s->data != NULL)
			json_decref(s->data);
		if (s->saved != NULL)
			json_decref(s->saved);
		free(s->text);
		free(s->error);
		free(s->body);
		if (s->id == SRC_SOFTWARE)
			gather_software_free(s);
		s->data = s->saved = NULL;
		s->text = s->error = s->body = NULL;
	}
	if (d->notify_ev != NULL)
		event_free(d->notify_ev);
	d->notify_ev = NULL;
	/*
	 * A detached worker writes to notify_fd when it finishes: closed, the
	 * number could meanwhile name another file.  It ends with the process.
	 */
	if (!detached)
		close(d->notify_fd);
}
