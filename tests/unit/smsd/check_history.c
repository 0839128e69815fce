/*
 * smsd's event history writer: its queue is bounded (by lines and by
 * bytes) and counts what it refuses; the writer waits for a line, batches
 * by the commit interval unless many wait, and drains on stop; a stuck
 * disk never makes events_post wait, what does not fit is counted and
 * logged at a limited rate, and stopping waits a bounded time.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "../check_main.h"
#include "log.h"
#include "timeutil.h"
#include "../testutil.h"
#include "../../../src/smsd/smsd.h"

static struct histq_stats
stats(struct histq *q)
{
	struct histq_stats st;

	histq_stats(q, &st);
	return st;
}

static void
batch_free(struct histq_item *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(b[i].line);
}

START_TEST(bounded_by_lines)
{
	struct histq *q = histq_new(4, 1 << 20);
	struct histq_item b[4];
	char line[16];
	size_t n;
	int i;

	ck_assert_ptr_nonnull(q);
	for (i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		ck_assert_int_eq(histq_push(q, line, strlen(line)), 0);
	}
	ck_assert_int_eq(histq_push(q, "five", 4), -1);
	ck_assert_int_eq(histq_push(q, "six", 3), -1);
	ck_assert_uint_eq(stats(q).queued, 4);
	ck_assert_uint_eq(stats(q).refused, 2);
	n = histq_take(q, b, 0, 1);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(b[0].line, "line 0");	/* oldest first */
	ck_assert_str_eq(b[3].line, "line 3");
	ck_assert_uint_eq(b[3].len, 6);
	ck_assert_uint_eq(stats(q).queued, 0);
	ck_assert_uint_eq(stats(q).inflight, 4);
	histq_written(q, 1);
	ck_assert_uint_eq(stats(q).inflight, 0);
	ck_assert_uint_eq(stats(q).failed, 1);
	batch_free(b, n);
	/* room again, and the ring wraps */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(histq_push(q, "again", 5), 0);
	n = histq_take(q, b, 0, 1);
	ck_assert_uint_eq(n, 3);
	batch_free(b, n);
	ck_assert_int_eq(histq_push(q, "x", 1), 0);
	histq_free(q);		/* frees what is still queued */
}
END_TEST

START_TEST(bounded_by_bytes)
{
	struct histq *q = histq_new(100, 10);
	struct histq_item b[100];
	size_t n;

	ck_assert_int_eq(histq_push(q, "12345", 5), 0);
	ck_assert_int_eq(histq_push(q, "123456", 6), -1);
	ck_assert_int_eq(histq_push(q, "abcde", 5), 0);
	ck_assert_int_eq(histq_push(q, "z", 1), -1);
	ck_assert_uint_eq(stats(q).refused, 2);
	n = histq_take(q, b, 0, 1);
	ck_assert_uint_eq(n, 2);
	batch_free(b, n);
	histq_written(q, 0);
	ck_assert_int_eq(histq_push(q, "0123456789", 10), 0);
	ck_assert_uint_eq(stats(q).refused, 2);
	histq_free(q);
}
END_TEST

struct taker {
	struct histq	*q;
	struct histq_item b[16];
	size_t		n;
	int64_t		not_before;
	size_t		early;
	int64_t		returned_ms;
};

static void *
take_thread(void *arg)
{
	struct taker *t = arg;

	t->n = histq_take(t->q, t->b, t->not_before, t->early);
	t->returned_ms = mono_ms();
	return NULL;
}

/* The writer sleeps until a line comes, and a stop ends it. */
START_TEST(take_waits_for_a_line_and_stop)
{
	struct taker t = { .q = histq_new(16, 1 << 20), .early = 16 };
	pthread_t th;
	int64_t pushed;

	ck_assert_int_eq(pthread_create(&th, NULL, take_thread, &t), 0);
	usleep(100000);
	ck_assert_int_eq(t.returned_ms, 0);	/* nothing queued yet */
	pushed = mono_ms();
	ck_assert_int_eq(histq_push(t.q, "hello", 5), 0);
	pthread_join(th, NULL);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_int_lt(t.returned_ms - pushed, 1000);
	ck_assert_str_eq(t.b[0].line, "hello");
	batch_free(t.b, t.n);
	histq_written(t.q, 0);

	/* stopped: what is queued is still taken, then 0; pushes refused */
	ck_assert_int_eq(histq_push(t.q, "last", 4), 0);
	histq_stop(t.q);
	ck_assert_int_eq(histq_push(t.q, "late", 4), -1);
	ck_assert_uint_eq(histq_take(t.q, t.b, mono_ms() + 60000, 16), 1);
	ck_assert_str_eq(t.b[0].line, "last");
	batch_free(t.b, 1);
	ck_assert_uint_eq(histq_take(t.q, t.b, mono_ms() + 60000, 16), 0);
	histq_free(t.q);
}
END_TEST

/* Batches: the commit interval is kept unless `early` lines wait. */
START_TEST(take_paces_commits)
{
	struct histq *q = histq_new(16, 1 << 20);
	struct histq_item b[16];
	int64_t t0;
	size_t n;

	ck_assert_int_eq(histq_push(q, "a", 1), 0);
	t0 = mono_ms();
	n = histq_take(q, b, t0 + 200, 3);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_ge(mono_ms() - t0, 190);
	batch_free(b, n);

	ck_assert_int_eq(histq_push(q, "a", 1), 0);
	ck_assert_int_eq(histq_push(q, "b", 1), 0);
	ck_assert_int_eq(histq_push(q, "c", 1), 0);
	t0 = mono_ms();
	n = histq_take(q, b, t0 + 60000, 3);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_lt(mono_ms() - t0, 1000);
	batch_free(b, n);

	/* the early-th line wakes a writer waiting out the interval */
	{
		struct taker t = { .q = q, .early = 2 };
		pthread_t th;

		ck_assert_int_eq(histq_push(q, "x", 1), 0);
		t.not_before = mono_ms() + 60000;
		ck_assert_int_eq(pthread_create(&th, NULL, take_thread, &t), 0);
		usleep(100000);
		ck_assert_int_eq(t.returned_ms, 0);
		t0 = mono_ms();
		ck_assert_int_eq(histq_push(q, "y", 1), 0);
		pthread_join(th, NULL);
		ck_assert_uint_eq(t.n, 2);
		ck_assert_int_lt(t.returned_ms - t0, 1000);
		batch_free(t.b, t.n);
	}
	histq_free(q);
}
END_TEST

/* ---- the writer in smsd, with a disk made slow by the test hook ---- */

static struct smsd *
daemon_at(const char *dir, int history, const char *delay_ms)
{
	struct smsd *d = calloc(1, sizeof(*d));

	ck_assert_ptr_nonnull(d);
	smsd = d;
	conf_defaults(&d->conf);
	strcpy(d->conf.member_name, "m1");
	d->conf.history = history;
	snprintf(d->member_dir, sizeof(d->member_dir), "%s", dir);
	d->base = event_base_new();
	if (delay_ms != NULL)
		setenv("SMSD_TEST_HISTORY_DELAY_MS", delay_ms, 1);
	ck_assert_int_eq(events_init(d), 0);
	unsetenv("SMSD_TEST_HISTORY_DELAY_MS");
	return d;
}

static void
daemon_free(struct smsd *d)
{
	events_close(d);
	event_base_free(d->base);
	if (d->health != NULL)
		json_decref(d->health);
	free(d);
	smsd = NULL;
}

static void
wait_inflight(struct smsd *d)
{
	struct histq_stats st;
	int i;

	for (i = 0; i < 500; i++) {
		history_stats(d->history, &st);
		if (st.inflight > 0)
			return;
		usleep(10000);
	}
	ck_abort_msg("the writer never took the first event");
}

static int
count(const char *text, const char *needle)
{
	const char *p;
	int n = 0;

	for (p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/*
 * Every commit takes a second: events_post never waits; the queue takes
 * HISTQ_MAX_LINES, the rest is refused, counted and logged at a limited
 * rate; what was queued is in the file after the stop.
 */
START_TEST(stuck_disk_does_not_stall_posting)
{
	char *dir = tu_tmpdir();
	struct smsd *d = daemon_at(dir, 16, "1000");
	struct histq_stats st;
	int64_t t0, took;
	int i, extra = HISTQ_MAX_LINES + 808;

	events_post(d, "app.first", 200, "test", "taken by the writer", NULL);
	wait_inflight(d);
	tu_log_capture_start();
	t0 = mono_ms();
	for (i = 0; i < extra; i++)
		events_post(d, "app.x", 200, "test", "while the disk sleeps",
		    NULL);
	took = mono_ms() - t0;
	ck_assert_msg(took < 900, "%d posts took %lld ms: they waited for "
	    "the disk", extra, (long long)took);
	history_stats(d->history, &st);
	ck_assert_uint_eq(st.queued, HISTQ_MAX_LINES);
	ck_assert_uint_eq(st.inflight, 1);
	ck_assert_uint_eq(st.refused, 808);
	ck_assert_uint_eq(d->next_seq, (uint64_t)extra + 2);
	ck_assert_uint_eq(d->ring_len, 16);	/* served all the same */
	ck_assert(tu_log_contains("the disk is behind (8193 events waiting); "
	    "event 8194 (app.x) is served but not saved, 1 so far"));
	ck_assert_int_le(count(tu_log_text(), "is served but not saved"), 3);
	tu_log_capture_stop();
	t0 = mono_ms();
	daemon_free(d);		/* drains: two slow commits */
	ck_assert_int_lt(mono_ms() - t0, 3000);

	d = daemon_at(dir, 16, NULL);
	ck_assert_uint_eq(d->next_seq, (uint64_t)HISTQ_MAX_LINES + 2);
	ck_assert_uint_eq(d->ring_len, 16);
	daemon_free(d);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* A disk that does not answer at all: stopping still ends in time. */
START_TEST(stop_is_bounded)
{
	char *dir = tu_tmpdir();
	struct smsd *d = daemon_at(dir, 16, "10000");
	int64_t t0, took;

	events_post(d, "app.first", 200, "test", "stuck", NULL);
	wait_inflight(d);
	events_post(d, "app.second", 200, "test", "queued", NULL);
	tu_log_capture_start();
	t0 = mono_ms();
	daemon_free(d);
	took = mono_ms() - t0;
	ck_assert_msg(took >= 2900 && took < 4000, "stop took %lld ms",
	    (long long)took);
	ck_assert(tu_log_contains("the disk did not take the last 2 events "
	    "within 3000 ms; they are not saved"));
	tu_log_capture_stop();
	/* the writer is left asleep; the process (a Check fork) ends it */
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static Suite *
history_suite(void)
{
	Suite *s = suite_create("smsd_history");
	TCase *tc = tcase_create("history");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, bounded_by_lines);
	tcase_add_test(tc, bounded_by_bytes);
	tcase_add_test(tc, take_waits_for_a_line_and_stop);
	tcase_add_test(tc, take_paces_commits);
	tcase_add_test(tc, stuck_disk_does_not_stall_posting);
	tcase_add_test(tc, stop_is_bounded);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(history_suite)
