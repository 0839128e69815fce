/*
 * The event log end to end: writers (ids, version line, concurrency, a
 * deleted or torn log) and samrep's sums on a hand-computed history.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check_main.h"
#include "../testutil.h"
#include "log.h"
#include "report.h"
#include "sam.h"

static char *dir;
static struct sam_paths paths;

static void
setup(void)
{
	dir = tu_tmpdir();
	ck_assert_int_eq(sam_paths_init(&paths, dir), 0);
	tu_log_capture_start();
}

static void
teardown(void)
{
	tu_log_capture_stop();
	tu_rmtree(dir);
	free(dir);
}

static uint64_t
add(enum sam_type t, const char *name, enum sam_state s, enum sam_plan p,
    int64_t when)
{
	struct sam_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = 'E';
	ev.type = t;
	snprintf(ev.name, sizeof(ev.name), "%s", name);
	ev.state = s;
	ev.plan = p;
	ev.time = when;
	ck_assert_int_eq(sam_evlog_write(&paths, &ev), 0);
	return ev.evid;
}

static void
load(struct rep *r)
{
	struct reclog_stats st;

	rep_init(r);
	ck_assert_int_eq(rep_load(r, paths.eventlog, &st), 0);
	ck_assert_int_eq(rep_finish(r), 0);
}

START_TEST(ids_and_version)
{
	char *text;

	ck_assert_uint_eq(add(SAM_NODE, "n1", SAM_UP, 0, 100), 1);
	ck_assert_uint_eq(add(SAM_NODE, "n1", SAM_DOWN, SAM_UNPLANNED, 200),
	    2);
	text = tu_read_file(paths.eventlog, NULL);
	ck_assert_int_eq(strncmp(text, "SAMLOG.:.1\t", 11), 0);
	free(text);

	/* Deleted: recreated with its version line, ids go on. */
	ck_assert_int_eq(unlink(paths.eventlog), 0);
	ck_assert_uint_eq(add(SAM_NODE, "n1", SAM_UP, 0, 300), 3);
	text = tu_read_file(paths.eventlog, NULL);
	ck_assert_int_eq(strncmp(text, "SAMLOG.:.1\t", 11), 0);
	ck_assert_ptr_nonnull(strstr(text, "E.:.3.:.300"));
	free(text);
	ck_assert_int_eq(unlink(paths.eventlog), 0);
	ck_assert_int_eq(sam_evlog_ensure(&paths), 1);
	ck_assert_int_eq(sam_evlog_ensure(&paths), 0);
}
END_TEST

START_TEST(modify)
{
	struct sam_event ev;
	struct rep r;
	uint64_t id;

	add(SAM_NODE, "n1", SAM_UP, 0, 1000);
	id = add(SAM_NODE, "n1", SAM_DOWN, SAM_UNPLANNED, 2000);
	add(SAM_NODE, "n1", SAM_UP, 0, 2600);
	memset(&ev, 0, sizeof(ev));
	ev.kind = 'M';
	ev.evid = id;
	ev.plan = SAM_PLANNED;
	snprintf(ev.user, sizeof(ev.user), "maintenance");
	ev.mask = SAM_MOD_PLAN | SAM_MOD_USER;
	ck_assert_int_eq(sam_evlog_write(&paths, &ev), 0);
	ev.evid = 99;
	ck_assert_int_eq(sam_evlog_write(&paths, &ev), -1);
	ck_assert_int_eq(errno, ENOENT);

	load(&r);
	rep_compute(&r, 1000, 4000, 0);
	ck_assert_int_eq(r.nobjs, 1);
	ck_assert_int_eq(r.objs[0].planned, 600);
	ck_assert_int_eq(r.objs[0].unplanned, 0);
	rep_free(&r);
}
END_TEST

/* Four writers at once: every id given once, none lost. */
START_TEST(concurrent_writers)
{
	struct rep r;
	pid_t pids[4];
	int i, j, status;
	size_t k;

	for (i = 0; i < 4; i++) {
		ck_assert_int_ge(pids[i] = fork(), 0);
		if (pids[i] == 0) {
			for (j = 0; j < 25; j++) {
				struct sam_event ev;

				memset(&ev, 0, sizeof(ev));
				ev.kind = 'E';
				ev.type = SAM_APPL;
				snprintf(ev.name, sizeof(ev.name), "w%d", i);
				ev.time = 1000 + j;
				if (sam_evlog_write(&paths, &ev) == -1)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	load(&r);
	ck_assert_uint_eq(r.nev, 100);
	{
		char seen[101];

		memset(seen, 0, sizeof(seen));
		for (k = 0; k < r.nev; k++) {
			ck_assert_uint_ge(r.evs[k].evid, 1);
			ck_assert_uint_le(r.evs[k].evid, 100);
			ck_assert_int_eq(seen[r.evs[k].evid], 0);
			seen[r.evs[k].evid] = 1;
		}
	}
	rep_free(&r);
}
END_TEST

START_TEST(damaged_and_torn)
{
	struct reclog_stats st;
	struct rep r;
	char *text, *p;
	size_t len;
	int fd;

	add(SAM_NODE, "n1", SAM_UP, 0, 100);
	add(SAM_NODE, "n1", SAM_DOWN, SAM_UNPLANNED, 200);
	add(SAM_NODE, "n1", SAM_UP, 0, 300);
	/* Damage event 2 in place, and tear off the end of event 3. */
	text = tu_read_file(paths.eventlog, &len);
	p = strstr(text, "E.:.2.:.200");
	ck_assert_ptr_nonnull(p);
	p[9] = '9';
	tu_write_file(paths.eventlog, text, len - 3);
	free(text);

	rep_init(&r);
	ck_assert_int_eq(rep_load(&r, paths.eventlog, &st), 0);
	ck_assert_uint_eq(st.bad_skipped, 1);
	ck_assert_uint_gt(st.tail_dropped, 0);
	ck_assert(tu_log_contains("line 3: checksum mismatch, skipped"));
	ck_assert_uint_eq(r.nev, 1);
	rep_free(&r);

	/* The next writer cuts the torn tail and goes on with id 4. */
	ck_assert_uint_eq(add(SAM_NODE, "n1", SAM_DOWN, SAM_PLANNED, 400), 4);
	load(&r);
	ck_assert_uint_eq(r.nev, 2);
	rep_free(&r);

	/* A hand-edited line without a checksum that does not parse. */
	ck_assert_int_ge(fd = open(paths.eventlog, O_WRONLY | O_APPEND), 0);
	ck_assert_int_eq(write(fd, "E.:.bogus\n", 10), 10);
	close(fd);
	load(&r);
	ck_assert_uint_eq(r.unparsable, 1);
	/*
	 * Named by its line in the file (version, event 1, damaged event 2,
	 * event 4, this), not by its count among the records.
	 */
	ck_assert_msg(tu_log_contains("line 5: "), "%s", tu_log_text());
	rep_free(&r);
}
END_TEST

/*
 * Hand-computed history, period [1000, 5000]:
 *   NODE.a: up 1000, down (unplanned) 1500, up 1800, down (planned) 3000,
 *           up 3300, down (unplanned) 4500 and still down at 5000:
 *           unplanned 300 + 500 = 800, planned 300, 3 downs,
 *           up = (4000 - 1100) / 4000 = 72.5 %, with -k PLANNED 80 %.
 *   NODE.b: first seen 3000 (down, unplanned, before any up), up 3100,
 *           GONE 4000: period 1000, unplanned 100, up 90 %.
 *   APPL.samd: down 500 (before the period), up 1200: 200 in the period.
 *   TIME.clock: two changes.
 */
START_TEST(golden_sums)
{
	struct rep r;
	int a, b, s, c;

	add(SAM_APPL, "samd", SAM_DOWN, SAM_UNPLANNED, 500);
	add(SAM_NODE, "a", SAM_UP, 0, 1000);
	add(SAM_APPL, "samd", SAM_UP, 0, 1200);
	add(SAM_NODE, "a", SAM_DOWN, SAM_UNPLANNED, 1500);
	add(SAM_NODE, "a", SAM_UP, 0, 1800);
	add(SAM_NODE, "b", SAM_DOWN, SAM_UNPLANNED, 3000);
	add(SAM_NODE, "a", SAM_DOWN, SAM_PLANNED, 3000);
	add(SAM_NODE, "b", SAM_UP, 0, 3100);
	add(SAM_NODE, "a", SAM_UP, 0, 3300);
	add(SAM_TIME, "clock", SAM_CHANGE, 0, 3500);
	add(SAM_NODE, "b", SAM_GONE, 0, 4000);
	/* Logged late, dated early: the sort puts it in place. */
	add(SAM_TIME, "clock", SAM_CHANGE, 0, 2500);
	add(SAM_NODE, "a", SAM_DOWN, SAM_UNPLANNED, 4500);
	add(SAM_NODE, "a", SAM_UP, 0, 6000);	/* after the period */

	load(&r);
	rep_compute(&r, 1000, 5000, 0);
	a = rep_find(&r, SAM_NODE, "a");
	b = rep_find(&r, SAM_NODE, "b");
	s = rep_find(&r, SAM_APPL, "samd");
	c = rep_find(&r, SAM_TIME, "clock");
	ck_assert(a >= 0 && b >= 0 && s >= 0 && c >= 0);
	ck_assert_int_eq(rep_find(&r, SAM_NODE, "zz"), -1);

	ck_assert_uint_eq(r.objs[a].downs, 3);
	ck_assert_int_eq(r.objs[a].unplanned, 800);
	ck_assert_int_eq(r.objs[a].planned, 300);
	ck_assert_int_eq(r.objs[a].observed, 4000);
	ck_assert_int_eq(r.objs[a].last_down, 4500);
	ck_assert_int_eq(r.objs[a].last, SAM_DOWN);
	ck_assert_double_eq_tol(rep_uptime(&r.objs[a], 0), 72.5, 1e-9);
	ck_assert_double_eq_tol(rep_uptime(&r.objs[a], 1), 80.0, 1e-9);

	ck_assert_uint_eq(r.objs[b].downs, 1);
	ck_assert_int_eq(r.objs[b].unplanned, 100);
	ck_assert_int_eq(r.objs[b].observed, 1000);
	ck_assert_int_eq(r.objs[b].last, SAM_GONE);
	ck_assert_double_eq_tol(rep_uptime(&r.objs[b], 0), 90.0, 1e-9);

	ck_assert_uint_eq(r.objs[s].downs, 0);	/* went down before */
	ck_assert_int_eq(r.objs[s].unplanned, 200);
	ck_assert_int_eq(r.objs[s].observed, 4000);

	ck_assert_uint_eq(r.objs[c].downs, 2);
	ck_assert_int_eq(r.objs[c].unplanned, 0);

	/* Whole log to the last event: a's last outage ends at 6000. */
	rep_compute(&r, 500, 6000, 0);
	ck_assert_int_eq(r.objs[a].unplanned, 300 + 1500);
	rep_free(&r);
}
END_TEST


/* An id no reader accepts is never given (a hand-edited line with the
   highest id would otherwise make every later event unreadable). */
START_TEST(ids_exhausted)
{
	struct sam_event ev;
	struct rep r;
	int fd;
	static const char line[] = "E.:.9999999999999999999.:.100.:.NODE.:."
	    "a.:.UP.:..:.100.:..:.\n";

	ck_assert_uint_eq(add(SAM_NODE, "a", SAM_UP, 0, 100), 1);
	ck_assert_int_ge(fd = open(paths.eventlog, O_WRONLY | O_APPEND), 0);
	ck_assert_int_eq(write(fd, line, sizeof(line) - 1),
	    (ssize_t)sizeof(line) - 1);
	close(fd);
	memset(&ev, 0, sizeof(ev));
	ev.kind = 'E';
	ev.type = SAM_NODE;
	strcpy(ev.name, "b");
	ev.state = SAM_UP;
	ev.time = 200;
	ck_assert_int_eq(sam_evlog_write(&paths, &ev), -1);
	ck_assert_int_eq(errno, EOVERFLOW);
	load(&r);
	ck_assert_uint_eq(r.unparsable, 0);
	ck_assert_uint_eq(r.nev, 2);
	rep_free(&r);
}
END_TEST

/*
 * A log whose only event lines were lost (or never written) but that
 * still holds a change: the change names no event and is set aside, the
 * report is empty.  Once bsearch was handed the empty table's NULL, which
 * a sanitized build stops at.
 */
START_TEST(change_without_events)
{
	static const char text[] = "SAMLOG.:.1\n"
	    "M.:.7.:.0.:..:..:.UP.:.PLANNED.:.100.:..:..:.p\n";
	struct rep r;

	tu_write_file(paths.eventlog, text, sizeof(text) - 1);
	load(&r);
	ck_assert_uint_eq(r.nev, 0);
	ck_assert_uint_eq(r.nmods, 1);
	ck_assert_uint_eq(r.mods_unmatched, 1);
	ck_assert_uint_eq(r.unparsable, 0);
	ck_assert_msg(tu_log_contains("line 2: a change of event 7, which is "
	    "not in the log, ignored"), "%s", tu_log_text());
	rep_compute(&r, 0, 1000, 0);
	ck_assert_uint_eq(r.nobjs, 0);
	rep_free(&r);
}
END_TEST

/*
 * evseq damaged into a number no writer gives (beyond the highest id, or
 * "-1" read as 2^64 - 1): set aside with a word in the log, ids go on from
 * the log, rather than every later event refused for want of an id.
 */
START_TEST(evseq_damaged)
{
	static const char *const bad[] = { "18446744073709551615\n", "-1\n",
	    "99999999999999999999\n", "12abc\n" };
	size_t i;

	ck_assert_uint_eq(add(SAM_NODE, "a", SAM_UP, 0, 100), 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tu_write_file(paths.evseq, bad[i], strlen(bad[i]));
		ck_assert_uint_eq(add(SAM_NODE, "a", SAM_UP, 0, 200), i + 2);
		ck_assert_msg(tu_log_contains("evseq: not an event id, "
		    "ignored"), "%s", tu_log_text());
	}
	/* A good evseq above the log's ids still wins (a cut log). */
	tu_write_file(paths.evseq, "40\n", 3);
	ck_assert_uint_eq(add(SAM_NODE, "a", SAM_UP, 0, 300), 41);
}
END_TEST

/*
 * The writer, too, reads the log (for the highest id): lines that do not
 * parse are skipped and named by line, not passed over in silence.
 */
START_TEST(writer_names_bad_lines)
{
	int fd;

	ck_assert_uint_eq(add(SAM_NODE, "a", SAM_UP, 0, 100), 1);
	ck_assert_int_ge(fd = open(paths.eventlog, O_WRONLY | O_APPEND), 0);
	ck_assert_int_eq(write(fd, "E.:.bogus\n", 10), 10);
	ck_assert_int_eq(write(fd, "M.:.x\n", 6), 6);
	close(fd);
	ck_assert_uint_eq(add(SAM_NODE, "a", SAM_UP, 0, 200), 2);
	ck_assert_msg(tu_log_contains("2 lines do not parse and were skipped "
	    "(first: line 3, wrong number of fields)"), "%s", tu_log_text());
}
END_TEST

/*
 * Two events with one id (a hand-edited or spliced log; writers never give
 * an id twice): both are kept, the id is reported, and a change of that id
 * is set aside, since it cannot say which event it meant.
 */
START_TEST(duplicate_ids)
{
	static const char text[] = "SAMLOG.:.1\n"
	    "E.:.5.:.100.:.NODE.:.a.:.DOWN.:.UNPLANNED.:.100.:..:.\n"
	    "E.:.6.:.150.:.NODE.:.a.:.UP.:..:.150.:..:.\n"
	    "E.:.5.:.200.:.NODE.:.b.:.DOWN.:.UNPLANNED.:.200.:..:.\n"
	    "M.:.5.:.0.:..:..:.UP.:.PLANNED.:.300.:..:..:.p\n"
	    "M.:.6.:.0.:..:..:.UP.:..:.300.:..:..:.m\n";
	struct rep r;
	int a, b;

	tu_write_file(paths.eventlog, text, sizeof(text) - 1);
	load(&r);
	ck_assert_uint_eq(r.nev, 3);
	ck_assert_uint_eq(r.dup_ids, 1);
	ck_assert_uint_eq(r.mods_unmatched, 0);
	ck_assert_uint_eq(r.mods_ambiguous, 1);
	ck_assert_msg(tu_log_contains("event id 5 is carried by 2 events"),
	    "%s", tu_log_text());
	ck_assert_msg(tu_log_contains("line 5: a change of event 5, which 2 "
	    "events carry, ignored"), "%s", tu_log_text());
	rep_compute(&r, 0, 1000, 0);
	a = rep_find(&r, SAM_NODE, "a");
	b = rep_find(&r, SAM_NODE, "b");
	ck_assert(a >= 0 && b >= 0);
	/* Neither outage was made planned. */
	ck_assert_int_eq(r.objs[a].unplanned, 50);
	ck_assert_int_eq(r.objs[a].planned, 0);
	ck_assert_int_eq(r.objs[b].unplanned, 800);
	ck_assert_int_eq(r.objs[b].planned, 0);
	rep_free(&r);
}
END_TEST

static Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ids_and_version);
	tcase_add_test(tc, modify);
	tcase_add_test(tc, concurrent_writers);
	tcase_add_test(tc, damaged_and_torn);
	tcase_add_test(tc, golden_sums);
	tcase_add_test(tc, ids_exhausted);
	tcase_add_test(tc, change_without_events);
	tcase_add_test(tc, evseq_damaged);
	tcase_add_test(tc, writer_names_bad_lines);
	tcase_add_test(tc, duplicate_ids);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(report_suite)
