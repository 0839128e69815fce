/*
 * trend.c: /v1/history, this host's load, CPU, memory, disk and network
 * over the last hour, in a ring of fixed size sampled by a timer in the
 * loop.  (history.c is the EVENT history file; this is another thing.)
 */
#ifndef SMSD_TREND_H
#define SMSD_TREND_H

#include <stddef.h>
#include <stdint.h>

#define TREND_CAPACITY		360	/* samples kept: 1 h at 10 s */
#define TREND_STEP_DEFAULT	10	/* seconds */

/* One reading of the kernel's counters; have_* say what was read. */
struct trend_raw {
	int64_t		time_ms;	/* real time */
	int64_t		mono_ms;
	int		have_load, have_cpu, have_mem, have_disk, have_net;
	double		load1;
	uint64_t	cpu_total, cpu_idle;	/* clock ticks, all CPUs */
	long long	mem_total, mem_available;	/* bytes */
	uint64_t	disk_read, disk_written;	/* bytes */
	uint64_t	net_rx, net_tx;			/* bytes */
};

/* A sample: rates over the interval since the reading before; < 0 when
   unknown (no reading before, a counter went back, a file unreadable). */
struct trend_sample {
	int64_t		time_ms;
	double		load1;
	double		cpu_busy;	/* 0..1 */
	long long	mem_used, mem_total;
	double		disk_read, disk_write, net_rx, net_tx;	/* bytes/s */
};

struct event_base;
struct trend;

struct trend *trend_new(size_t capacity, int step_seconds);
void	trend_free(struct trend *);
/* Add the sample between the last reading and r; r becomes the last. */
void	trend_add(struct trend *, const struct trend_raw *r);
/* The body of /v1/history, made once per sample. */
const char *trend_body(struct trend *, size_t *len);
size_t	trend_count(const struct trend *);
/* A first reading now, then one every step from the loop; 0 or -1. */
int	trend_start(struct trend *, struct event_base *);

/* Parsers of the kernel's text (in trend.c; the tests feed them). */
int	trend_parse_cpu(const char *proc_stat, uint64_t *total,
	    uint64_t *idle);
/* Bytes over the whole disks (those of /sys/block but dm- and md). */
int	trend_parse_disks(char *diskstats, int (*whole)(const char *),
	    uint64_t *read, uint64_t *written);
/* Bytes over every interface but lo. */
int	trend_parse_network(char *netdev, uint64_t *rx, uint64_t *tx);
/* Read the counters from /proc into r (have_* for what could be read). */
void	trend_read(struct trend_raw *r);

#endif
