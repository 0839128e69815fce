/*
 * trend: the /v1/history ring.  A timer in the loop reads the kernel's
 * counters every step (10 s unless smsd.conf's history-step says) from
 * the files the metrics gather reads too (/proc/loadavg, /proc/stat,
 * /proc/meminfo, /proc/diskstats, /proc/net/dev, through gather.c's
 * parsers), and keeps one sample per step in a ring of TREND_CAPACITY:
 * its memory is fixed at start, whatever the uptime.  The body is made
 * once per sample, so a station polling it costs a copy, not a render.
 */
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "statefile.h"
#include "timeutil.h"
#include "smsd.h"
#include "trend.h"

#define TREND_PROC_MAX	(4 * 1024 * 1024)

struct trend {
	struct trend_sample *s;
	size_t		 cap, len, head;	/* head: the oldest */
	struct trend_raw prev;
	int		 have_prev;
	int		 step;
	struct event	*timer;
	char		*body;
	size_t		 bodylen;
	int		 body_stale;
};

struct trend *
trend_new(size_t capacity, int step_seconds)
{
	struct trend *t;

	if (capacity == 0 || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->s = calloc(capacity, sizeof(*t->s))) == NULL) {
		free(t);
		return NULL;
	}
	t->cap = capacity;
	t->step = step_seconds > 0 ? step_seconds : TREND_STEP_DEFAULT;
	t->body_stale = 1;
	return t;
}

void
trend_free(struct trend *t)
{
	if (t == NULL)
		return;
	if (t->timer != NULL)
		event_free(t->timer);
	free(t->s);
	free(t->body);
	free(t);
}

size_t
trend_count(const struct trend *t)
{
	return t->len;
}

/* A counter's rate per second, or -1 if it went back or time did not. */
static double
rate(uint64_t now, uint64_t before, int64_t ms)
{
	if (now < before || ms <= 0)
		return -1;
	return (double)(now - before) * 1000.0 / (double)ms;
}

void
trend_add(struct trend *t, const struct trend_raw *r)
{
	const struct trend_raw *p = t->have_prev ? &t->prev : NULL;
	struct trend_sample *s;
	int64_t ms = p != NULL ? r->mono_ms - p->mono_ms : 0;

	if (t->len == t->cap) {
		s = &t->s[t->head];
		t->head = (t->head + 1) % t->cap;
	} else
		s = &t->s[(t->head + t->len++) % t->cap];
	s->time_ms = r->time_ms;
	s->load1 = r->have_load ? r->load1 : -1;
	s->mem_total = r->have_mem ? r->mem_total : -1;
	s->mem_used = r->have_mem && r->mem_available <= r->mem_total ?
	    r->mem_total - r->mem_available : -1;
	s->cpu_busy = s->disk_read = s->disk_write = -1;
	s->net_rx = s->net_tx = -1;
	if (p != NULL && r->have_cpu && p->have_cpu &&
	    r->cpu_total > p->cpu_total && r->cpu_idle >= p->cpu_idle &&
	    r->cpu_idle - p->cpu_idle <= r->cpu_total - p->cpu_total)
		s->cpu_busy = 1.0 - (double)(r->cpu_idle - p->cpu_idle) /
		    (double)(r->cpu_total - p->cpu_total);
	if (p != NULL && r->have_disk && p->have_disk) {
		s->disk_read = rate(r->disk_read, p->disk_read, ms);
		s->disk_write = rate(r->disk_written, p->disk_written, ms);
	}
	if (p != NULL && r->have_net && p->have_net) {
		s->net_rx = rate(r->net_rx, p->net_rx, ms);
		s->net_tx = rate(r->net_tx, p->net_tx, ms);
	}
	t->prev = *r;
	t->have_prev = 1;
	t->body_stale = 1;
}

static json_t *
num(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

static json_t *
bytes(long long v)
{
	return v < 0 ? json_null() : json_integer((json_int_t)v);
}

const char *
trend_body(struct trend *t, size_t *len)
{
	json_t *arr, *o;
	size_t i;

	if (t->body_stale || t->body == NULL) {
		if ((arr = json_array()) == NULL)
			return NULL;
		for (i = 0; i < t->len; i++) {
			const struct trend_sample *s =
			    &t->s[(t->head + i) % t->cap];

			json_array_append_new(arr, json_pack("{s:I, s:o, s:o, "
			    "s:o, s:o, s:o, s:o, s:o, s:o}",
			    "time_ms", (json_int_t)s->time_ms,
			    "load1", num(s->load1),
			    "cpu_busy_ratio", num(s->cpu_busy),
			    "memory_used_bytes", bytes(s->mem_used),
			    "memory_total_bytes", bytes(s->mem_total),
			    "disk_read_bytes_per_second", num(s->disk_read),
			    "disk_write_bytes_per_second", num(s->disk_write),
			    "net_rx_bytes_per_second", num(s->net_rx),
			    "net_tx_bytes_per_second", num(s->net_tx)));
		}
		o = json_pack("{s:i, s:I, s:o}", "step_seconds", t->step,
		    "capacity", (json_int_t)t->cap, "samples", arr);
		free(t->body);
		t->body = o != NULL ? json_dumps(o, SMSD_JSON) : NULL;
		t->bodylen = t->body != NULL ? strlen(t->body) : 0;
		json_decref(o);
		t->body_stale = t->body == NULL;
	}
	*len = t->bodylen;
	return t->body;
}

/* The "cpu " line of /proc/stat: every field summed, and idle + iowait. */
int
trend_parse_cpu(const char *text, uint64_t *total, uint64_t *idle)
{
	unsigned long long v[8];
	int n, i;

	if (strncmp(text, "cpu ", 4) != 0)
		return -1;
	memset(v, 0, sizeof(v));
	n = sscanf(text + 4, "%llu %llu %llu %llu %llu %llu %llu %llu",
	    &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	if (n < 4)
		return -1;
	*total = 0;
	for (i = 0; i < n; i++)
		*total += v[i];
	*idle = v[3] + v[4];
	return 0;
}

int
trend_parse_disks(char *text, int (*whole)(const char *), uint64_t *rd,
    uint64_t *wr)
{
	struct devstat_table t = { NULL, 0 };
	size_t i;

	if (devstat_parse_disks(text, &t) == -1)
		return -1;
	*rd = *wr = 0;
	for (i = 0; i < t.n; i++)
		if (whole(t.dev[i].name)) {
			/* sectors of 512 bytes, whatever the device's own */
			*rd += t.dev[i].v[1] * 512;
			*wr += t.dev[i].v[3] * 512;
		}
	devstat_free(&t);
	return 0;
}

int
trend_parse_network(char *text, uint64_t *rx, uint64_t *tx)
{
	struct devstat_table t = { NULL, 0 };
	size_t i;

	if (devstat_parse_network(text, &t) == -1)
		return -1;
	*rx = *tx = 0;
	for (i = 0; i < t.n; i++)
		if (strcmp(t.dev[i].name, "lo") != 0) {
			*rx += t.dev[i].v[0];
			*tx += t.dev[i].v[4];
		}
	devstat_free(&t);
	return 0;
}

/* A disk of its own, not a partition nor a device over other disks. */
static int
whole_disk(const char *name)
{
	char path[128];

	if (strncmp(name, "dm-", 3) == 0 || strncmp(name, "md", 2) == 0)
		return 0;
	snprintf(path, sizeof(path), "/sys/block/%s", name);
	return access(path, F_OK) == 0;
}

void
trend_read(struct trend_raw *r)
{
	char buf[4096], *text;
	size_t len;

	memset(r, 0, sizeof(*r));
	r->time_ms = real_ms();
	r->mono_ms = mono_ms();
	if (read_small("/proc/loadavg", buf, sizeof(buf)) > 0 &&
	    sscanf(buf, "%lf", &r->load1) == 1)
		r->have_load = 1;
	/* the cpu line is the first: a page of the file holds it */
	if (read_small("/proc/stat", buf, sizeof(buf)) > 0 &&
	    trend_parse_cpu(buf, &r->cpu_total, &r->cpu_idle) == 0)
		r->have_cpu = 1;
	if (read_small("/proc/meminfo", buf, sizeof(buf)) > 0) {
		r->mem_total = meminfo_get(buf, "MemTotal");
		r->mem_available = meminfo_get(buf, "MemAvailable");
		r->have_mem = r->mem_total > 0 && r->mem_available >= 0;
	}
	if ((text = statefile_read("/proc/diskstats", TREND_PROC_MAX, &len))
	    != NULL) {
		r->have_disk = trend_parse_disks(text, whole_disk,
		    &r->disk_read, &r->disk_written) == 0;
		free(text);
	}
	if ((text = statefile_read("/proc/net/dev", TREND_PROC_MAX, &len))
	    != NULL) {
		r->have_net = trend_parse_network(text, &r->net_rx,
		    &r->net_tx) == 0;
		free(text);
	}
}

static void
tick(evutil_socket_t fd, short what, void *arg)
{
	struct trend *t = arg;
	struct trend_raw r;

	(void)fd;
	(void)what;
	trend_read(&r);
	trend_add(t, &r);
}

int
trend_start(struct trend *t, struct event_base *base)
{
	struct timeval tv = { t->step, 0 };
	struct trend_raw r;

	/* a reading to measure the first step's rates from */
	trend_read(&r);
	t->prev = r;
	t->have_prev = 1;
	if ((t->timer = event_new(base, -1, EV_PERSIST, tick, t)) == NULL ||
	    event_add(t->timer, &tv) == -1)
		return -1;
	return 0;
}
