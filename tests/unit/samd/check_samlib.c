/*
 * SAM's pieces: fields and records, times, the heartbeat file, the
 * samsigd channel, the start-up evidence and the supervisor's count.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../check_main.h"
#include "../testutil.h"
#include "chan.h"
#include "sam.h"

#define BOOT_A	"11111111-2222-3333-4444-555555555555"
#define BOOT_B	"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"

static struct sam_event
mkev(enum sam_type t, const char *name, enum sam_state s, enum sam_plan p)
{
	struct sam_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = 'E';
	ev.evid = 42;
	ev.time = 1700000000;
	ev.logtime = 1700000005;
	ev.type = t;
	snprintf(ev.name, sizeof(ev.name), "%s", name);
	ev.state = s;
	ev.plan = p;
	return ev;
}

START_TEST(field_check)
{
	const char *why;

	ck_assert_int_eq(sam_field_check("node1", 5, 64, 0, &why), 0);
	ck_assert_int_eq(sam_field_check("", 0, 64, 1, &why), 0);
	ck_assert_int_eq(sam_field_check("", 0, 64, 0, &why), -1);
	ck_assert_int_eq(sam_field_check("a.:.b", 5, 64, 1, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "separator"));
	ck_assert_int_eq(sam_field_check("ab.:", 4, 64, 1, &why), -1);
	ck_assert_int_eq(sam_field_check("a.", 2, 64, 1, &why), 0);
	ck_assert_int_eq(sam_field_check(":.a", 3, 64, 1, &why), 0);
	ck_assert_int_eq(sam_field_check("a\tb", 3, 64, 1, &why), -1);
	ck_assert_int_eq(sam_field_check("a\nb", 3, 64, 1, &why), -1);
	ck_assert_int_eq(sam_field_check("abcdef", 6, 5, 1, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "too long"));
}
END_TEST

START_TEST(record_round_trip)
{
	struct sam_event ev = mkev(SAM_NODE, "n1", SAM_DOWN, SAM_PLANNED), b;
	struct sam_rec r;
	const char *why;
	char buf[SAM_REC_MAX + 1];
	int n;

	snprintf(ev.user, sizeof(ev.user), "ops: ticket 7.");
	snprintf(ev.msg, sizeof(ev.msg), ":. odd but legal -- ok");
	n = sam_rec_format(&ev, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(buf, "E.:.42.:.1700000000.:.NODE.:.n1.:.DOWN.:."
	    "PLANNED.:.1700000005.:.ops: ticket 7..:.:. odd but legal -- ok");
	ck_assert_int_eq(sam_rec_parse(buf, (size_t)n, &r, &why), 0);
	ck_assert_int_eq(sam_rec_to_event(&r, &b), 0);
	ck_assert_int_eq(b.evid, 42);
	ck_assert_int_eq(b.type, SAM_NODE);
	ck_assert_int_eq(b.state, SAM_DOWN);
	ck_assert_int_eq(b.plan, SAM_PLANNED);
	ck_assert_str_eq(b.name, "n1");
	ck_assert_str_eq(b.user, ev.user);
	ck_assert_str_eq(b.msg, ev.msg);

	/* A change record. */
	memset(&ev, 0, sizeof(ev));
	ev.kind = 'M';
	ev.evid = 7;
	ev.plan = SAM_PLANNED;
	ev.mask = SAM_MOD_PLAN | SAM_MOD_USER;
	n = sam_rec_format(&ev, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(sam_rec_parse(buf, (size_t)n, &r, &why), 0);
	ck_assert_int_eq(r.kind, 'M');
	ck_assert_uint_eq(r.mask, SAM_MOD_PLAN | SAM_MOD_USER);

	n = sam_version_format(buf, sizeof(buf));
	ck_assert_str_eq(buf, "SAMLOG.:.1");
	ck_assert_int_eq(sam_rec_parse(buf, (size_t)n, &r, &why), 0);
	ck_assert_int_eq(r.kind, 'V');
	ck_assert_uint_eq(r.version, 1);
}
END_TEST

START_TEST(record_refused)
{
	struct sam_event ev = mkev(SAM_NODE, "n1", SAM_UP, SAM_PLAN_NONE);
	char buf[SAM_REC_MAX + 1];

	snprintf(ev.msg, sizeof(ev.msg), "break.:.out");
	ck_assert_int_eq(sam_rec_format(&ev, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ev = mkev(SAM_NODE, "has space", SAM_UP, SAM_PLAN_NONE);
	ck_assert_int_eq(sam_rec_format(&ev, buf, sizeof(buf)), -1);
	ev = mkev(SAM_NODE, "", SAM_UP, SAM_PLAN_NONE);
	ck_assert_int_eq(sam_rec_format(&ev, buf, sizeof(buf)), -1);
}
END_TEST

static int
parses(const char *line)
{
	struct sam_rec r;
	const char *why;

	return sam_rec_parse(line, strlen(line), &r, &why) == 0;
}

START_TEST(record_parse_rejects)
{
	ck_assert(parses("E.:.1.:.5.:.NODE.:.n.:.UP.:..:.5.:..:."));
	ck_assert(!parses("E.:.1.:.5.:.NODE.:.n.:.UP.:..:.5.:."));
	ck_assert(!parses("E.:.0.:.5.:.NODE.:.n.:.UP.:..:.5.:..:."));
	ck_assert(!parses("E.:.1.:.-5.:.NODE.:.n.:.UP.:..:.5.:..:."));
	ck_assert(!parses("E.:.1.:.5.:.DISK.:.n.:.UP.:..:.5.:..:."));
	ck_assert(!parses("E.:.1.:.5.:.NODE.:..:.UP.:..:.5.:..:."));
	ck_assert(!parses("E.:.1.:.5.:.NODE.:.n.:.SIDEWAYS.:..:.5.:..:."));
	ck_assert(!parses("E.:.1.:.5.:.NODE.:.n.:.UP.:.MAYBE.:.5.:..:."));
	ck_assert(!parses("E.:.1.:.5.:.NODE.:.n.:.UP.:..:.5.:..:..:.x"));
	ck_assert(!parses("X.:.1.:.5.:.NODE.:.n.:.UP.:..:.5.:..:."));
	ck_assert(!parses("M.:.1.:.5.:..:..:.UP.:..:.5.:..:..:."));
	ck_assert(!parses("M.:.1.:.5.:..:..:.UP.:..:.5.:..:..:.tt"));
	ck_assert(parses("M.:.1.:.5.:..:..:.UP.:..:.5.:..:..:.ts"));
	ck_assert(!parses("M.:.1.:.5.:.NODE.:.n.:.UP.:..:.5.:..:..:.t"));
	ck_assert(!parses("SAMLOG.:.x"));
	ck_assert(!parses("E.:.99999999999999999999.:.5.:.NODE.:.n.:.UP.:..:."
	    "5.:..:."));
}
END_TEST

START_TEST(time_formats)
{
	int64_t t;

	setenv("TZ", "UTC", 1);
	ck_assert_int_eq(sam_parse_time("1700000000", &t), 0);
	ck_assert_int_eq(t, 1700000000);
	ck_assert_int_eq(sam_parse_time("@86400", &t), 0);
	ck_assert_int_eq(t, 86400);
	ck_assert_int_eq(sam_parse_time("20231114221320", &t), 0);
	ck_assert_int_eq(t, 1700000000);
	ck_assert_int_eq(sam_parse_time("2023-11-14 22:13:20", &t), 0);
	ck_assert_int_eq(t, 1700000000);
	ck_assert_int_eq(sam_parse_time("2023-11-14T22:13", &t), 0);
	ck_assert_int_eq(t, 1700000000 - 20);
	ck_assert_int_eq(sam_parse_time("2023-11-14", &t), 0);
	ck_assert_int_eq(t, 1699920000);
	ck_assert_int_eq(sam_parse_time("2023-02-31", &t), -1);
	ck_assert_int_eq(sam_parse_time("2023-11-14 25:00", &t), -1);
	ck_assert_int_eq(sam_parse_time("yesterday", &t), -1);
	ck_assert_int_eq(sam_parse_time("-5", &t), -1);
	ck_assert_int_eq(sam_parse_time("", &t), -1);
	ck_assert_int_eq(sam_parse_time("now", &t), 0);
	ck_assert_int_gt(t, 1600000000);
}
END_TEST

START_TEST(heartbeat_slots)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "hb");
	struct sam_hbfile *h;
	struct sam_hb hb, got;
	unsigned char junk[16];
	int fd;

	ck_assert_int_eq(sam_hb_read(path, &got), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_nonnull(h = sam_hb_open(path));
	ck_assert_int_eq(sam_hb_read(path, &got), -1);
	ck_assert_int_eq(errno, ENODATA);
	memset(&hb, 0, sizeof(hb));
	memcpy(hb.boot_id, BOOT_A, 37);
	hb.interval = 10;
	for (hb.seq = 1; hb.seq <= 5; hb.seq++) {
		hb.real_ms = 1000 * (int64_t)hb.seq;
		ck_assert_int_eq(sam_hb_write(h, &hb), 0);
	}
	sam_hb_close(h);
	ck_assert_int_eq(sam_hb_read(path, &got), 0);
	ck_assert_uint_eq(got.seq, 5);
	ck_assert_int_eq(got.real_ms, 5000);
	ck_assert_str_eq(got.boot_id, BOOT_A);
	ck_assert_uint_eq(got.interval, 10);

	/* A torn write of slot 1 (seq 5): the reader falls back to 4. */
	ck_assert_int_ge(fd = open(path, O_WRONLY), 0);
	memset(junk, 0xee, sizeof(junk));
	ck_assert_int_eq(pwrite(fd, junk, sizeof(junk), 128 + 20), 16);
	close(fd);
	ck_assert_int_eq(sam_hb_read(path, &got), 0);
	ck_assert_uint_eq(got.seq, 4);
	ck_assert_int_eq(got.real_ms, 4000);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(markers)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "clean");
	struct sam_clean c, got;

	memcpy(c.boot_id, BOOT_A, 37);
	c.time = 1700000000;
	c.why = SAM_STOP_SHUTDOWN;
	ck_assert_int_eq(sam_clean_write(path, &c), 0);
	ck_assert_int_eq(sam_clean_read(path, &got), 0);
	ck_assert_str_eq(got.boot_id, BOOT_A);
	ck_assert_int_eq(got.time, 1700000000);
	ck_assert_int_eq(got.why, SAM_STOP_SHUTDOWN);
	tu_write_file(path, "garbage\n", 8);
	ck_assert_int_eq(sam_clean_read(path, &got), -1);
	ck_assert_int_eq(sam_remove_durably(path), 0);
	ck_assert_int_eq(sam_remove_durably(path), 0);

	ck_assert_int_eq(sam_stopped_write(path, BOOT_A), 0);
	ck_assert(sam_stopped_matches(path, BOOT_A));
	ck_assert(!sam_stopped_matches(path, BOOT_B));
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

/* A writer never writes what readers refuse: times and ids out of range. */
START_TEST(record_refused_range)
{
	struct sam_event ev = mkev(SAM_NODE, "n1", SAM_UP, SAM_PLAN_NONE);
	char buf[SAM_REC_MAX + 1];
	struct sam_rec r;
	const char *why;
	int n;

	ev.time = -1;
	ck_assert_int_eq(sam_rec_format(&ev, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ev.time = SAM_TIME_MAX + 1;
	ck_assert_int_eq(sam_rec_format(&ev, buf, sizeof(buf)), -1);
	ev.time = SAM_TIME_MAX;
	ev.logtime = -5;
	ck_assert_int_eq(sam_rec_format(&ev, buf, sizeof(buf)), -1);
	ev.logtime = 0;
	ev.evid = 0;
	ck_assert_int_eq(sam_rec_format(&ev, buf, sizeof(buf)), -1);
	ev.evid = SAM_EVID_MAX + 1;
	ck_assert_int_eq(sam_rec_format(&ev, buf, sizeof(buf)), -1);
	/* The limits themselves are written, and read back. */
	ev.evid = SAM_EVID_MAX;
	ck_assert_int_gt(n = sam_rec_format(&ev, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sam_rec_parse(buf, (size_t)n, &r, &why), 0);
	ck_assert_int_eq(r.time, SAM_TIME_MAX);
	ev.kind = 'M';
	ev.mask = SAM_MOD_TIME;
	ev.time = -1;
	ck_assert_int_eq(sam_rec_format(&ev, buf, sizeof(buf)), -1);
}
END_TEST

/*
 * Local times that fall outside what a record holds, in a time zone that
 * moves them there: refused, not written as a line no reader takes.
 */
START_TEST(time_formats_range)
{
	int64_t t;

	setenv("TZ", "CET-1", 1);
	tzset();
	ck_assert_int_eq(sam_parse_time("1970-01-01", &t), -1);
	ck_assert_int_eq(sam_parse_time("19700101000000", &t), -1);
	ck_assert_int_eq(sam_parse_time("1970-01-01 01:00", &t), 0);
	ck_assert_int_eq(t, 0);
	setenv("TZ", "EST5", 1);
	tzset();
	ck_assert_int_eq(sam_parse_time("99991231235959", &t), -1);
	ck_assert_int_eq(sam_parse_time("9999-12-31 18:59:59", &t), 0);
	ck_assert_int_eq(t, SAM_TIME_MAX);
	setenv("TZ", "UTC", 1);
	tzset();
}
END_TEST

/*
 * A slot whose checksum holds but whose times cannot be (written by a
 * broken or hostile hand) is set aside like a damaged one; the other slot
 * is used if it is good.
 */
START_TEST(heartbeat_bad_values)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "hb");
	struct sam_hbfile *h;
	struct sam_hb hb, got;

	ck_assert_ptr_nonnull(h = sam_hb_open(path));
	memset(&hb, 0, sizeof(hb));
	memcpy(hb.boot_id, BOOT_A, 37);
	hb.interval = 10;
	hb.seq = 1;
	hb.real_ms = 1700000000000LL;
	hb.boot_ms = 5000;
	ck_assert_int_eq(sam_hb_write(h, &hb), 0);
	hb.seq = 2;
	hb.real_ms = -5000;
	ck_assert_int_eq(sam_hb_write(h, &hb), 0);
	ck_assert_int_eq(sam_hb_read(path, &got), 0);
	ck_assert_uint_eq(got.seq, 1);
	ck_assert_int_eq(got.real_ms, 1700000000000LL);
	hb.seq = 3;
	hb.real_ms = (SAM_TIME_MAX + 1) * 1000;
	ck_assert_int_eq(sam_hb_write(h, &hb), 0);
	ck_assert_int_eq(sam_hb_read(path, &got), -1);
	ck_assert_int_eq(errno, ENODATA);
	hb.seq = 4;
	hb.real_ms = 1700000000000LL;
	hb.boot_ms = -1;
	ck_assert_int_eq(sam_hb_write(h, &hb), 0);
	ck_assert_int_eq(sam_hb_read(path, &got), -1);
	ck_assert_int_eq(errno, ENODATA);
	sam_hb_close(h);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

/* A FIFO or a link under the heartbeat's name: refused, never waited on. */
START_TEST(heartbeat_not_a_file)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "hb");
	char *target = tu_path(dir, "elsewhere");
	struct sam_hb got;

	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(sam_hb_read(path, &got), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(sam_hb_open(path));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_ptr_null(sam_hb_open(path));
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_eq(access(target, F_OK), -1);
	ck_assert_int_eq(sam_hb_read(path, &got), -1);
	ck_assert_int_eq(errno, ELOOP);
	tu_rmtree(dir);
	free(target);
	free(path);
	free(dir);
}
END_TEST

START_TEST(markers_bad_values)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "clean");
	struct sam_clean got;
	static const char huge[] = BOOT_A " 99999999999999999999 admin\n";
	static const char late[] = BOOT_A " 253402300800 admin\n";
	static const char ok[] = BOOT_A " 253402300799 admin\n";

	tu_write_file(path, huge, sizeof(huge) - 1);
	ck_assert_int_eq(sam_clean_read(path, &got), -1);
	ck_assert_int_eq(errno, EINVAL);
	tu_write_file(path, late, sizeof(late) - 1);
	ck_assert_int_eq(sam_clean_read(path, &got), -1);
	tu_write_file(path, ok, sizeof(ok) - 1);
	ck_assert_int_eq(sam_clean_read(path, &got), 0);
	ck_assert_int_eq(got.time, SAM_TIME_MAX);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(channel)
{
	struct sam_msg m, got;
	struct sam_msg_state st, gst;
	struct sam_msg_hello h, gh;
	unsigned char buf[SAM_MSG_MAX];
	const char *why;
	int sv[2], n;

	memset(&m, 0, sizeof(m));
	memset(&st, 0, sizeof(st));
	st.time_ms = 1700000000123LL;
	st.state = SAM_DOWN;
	st.plan = SAM_UNPLANNED;
	snprintf(st.name, sizeof(st.name), "host3");
	snprintf(st.msg, sizeof(st.msg), "left the membership");
	ck_assert_int_eq(sam_msg_put_state(&m, SAM_MSG_NODE, &st), 0);
	m.seq = 9;
	n = sam_msg_encode(&m, buf, sizeof(buf));
	ck_assert_int_gt(n, SAM_MSG_HDR);
	ck_assert_int_eq(sam_msg_decode(buf, (size_t)n, &got, &why), 0);
	ck_assert_int_eq(got.type, SAM_MSG_NODE);
	ck_assert_uint_eq(got.seq, 9);
	ck_assert_int_eq(sam_msg_get_state(&got, &gst, &why), 0);
	ck_assert_int_eq(gst.time_ms, st.time_ms);
	ck_assert_str_eq(gst.name, "host3");

	/* Every flipped bit is caught. */
	buf[n - 1] ^= 1;
	ck_assert_int_eq(sam_msg_decode(buf, (size_t)n, &got, &why), -1);
	ck_assert_str_eq(why, "checksum mismatch");
	buf[n - 1] ^= 1;
	ck_assert_int_eq(sam_msg_decode(buf, (size_t)n - 1, &got, &why), -1);
	ck_assert_int_eq(sam_msg_decode(buf, 5, &got, &why), -1);

	/* A name with the separator is refused even if the frame checks. */
	snprintf(st.name, sizeof(st.name), "a.:.b");
	sam_msg_put_state(&m, SAM_MSG_CLUS, &st);
	ck_assert_int_eq(sam_msg_get_state(&m, &gst, &why), -1);

	/* A time the event log could not read back is refused. */
	snprintf(st.name, sizeof(st.name), "n2");
	st.time_ms = (SAM_TIME_MAX + 1) * 1000;
	sam_msg_put_state(&m, SAM_MSG_NODE, &st);
	ck_assert_int_eq(sam_msg_get_state(&m, &gst, &why), -1);
	st.time_ms = SAM_TIME_MAX * 1000;
	sam_msg_put_state(&m, SAM_MSG_NODE, &st);
	ck_assert_int_eq(sam_msg_get_state(&m, &gst, &why), 0);

	/* Over a real socketpair, with end of file. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	memset(&h, 0, sizeof(h));
	h.pid = 1234;
	snprintf(h.mode, sizeof(h.mode), "single-node");
	sam_msg_put_hello(&m, &h);
	ck_assert_int_eq(sam_msg_send(sv[1], &m), 0);
	ck_assert_int_eq(write(sv[1], "short", 5), 5);
	close(sv[1]);
	ck_assert_int_eq(sam_msg_recv(sv[0], &got, &why), 1);
	ck_assert_int_eq(sam_msg_get_hello(&got, &gh), 0);
	ck_assert_uint_eq(gh.pid, 1234);
	ck_assert_str_eq(gh.mode, "single-node");
	ck_assert_int_eq(sam_msg_recv(sv[0], &got, &why), -1);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_int_eq(sam_msg_recv(sv[0], &got, &why), 0);
	close(sv[0]);
}
END_TEST

static struct sam_evidence
evidence(enum sam_reason r)
{
	struct sam_evidence e;

	memset(&e, 0, sizeof(e));
	e.reason = r;
	e.now = 1700001000;
	memcpy(e.boot_id, BOOT_A, 37);
	e.node = "n1";
	e.cluster = "c1";
	return e;
}

START_TEST(evidence_cases)
{
	struct sam_evidence e;
	struct sam_event out[SAM_START_EVENTS_MAX];
	int n;

	/* First start. */
	e = evidence(SAM_NODE_FAIL);
	n = sam_decide(&e, out, SAM_START_EVENTS_MAX);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(out[0].type, SAM_APPL);
	ck_assert_int_eq(out[0].state, SAM_UP);

	/* samd killed: same boot, no clean stop -> APPL at the heartbeat. */
	e = evidence(SAM_PROC_FAIL);
	e.have_hb = 1;
	e.hb.real_ms = 1700000990500LL;
	memcpy(e.hb.boot_id, BOOT_A, 37);
	n = sam_decide(&e, out, SAM_START_EVENTS_MAX);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(out[0].type, SAM_APPL);
	ck_assert_int_eq(out[0].state, SAM_DOWN);
	ck_assert_int_eq(out[0].plan, SAM_UNPLANNED);
	ck_assert_int_eq(out[0].time, 1700000990);
	ck_assert_int_eq(out[1].state, SAM_UP);
	ck_assert_int_eq(out[1].time, 1700001000);

	/* NODE_FAIL but the boot id is the same: only samd failed. */
	e.reason = SAM_NODE_FAIL;
	n = sam_decide(&e, out, SAM_START_EVENTS_MAX);
	ck_assert_int_eq(out[0].type, SAM_APPL);
	ck_assert_ptr_nonnull(strstr(out[0].msg, "boot id is unchanged"));

	/* A node crash: new boot id, no clean stop; PROC_FAIL overridden. */
	e.reason = SAM_PROC_FAIL;
	memcpy(e.hb.boot_id, BOOT_B, 37);
	n = sam_decide(&e, out, SAM_START_EVENTS_MAX);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(out[0].type, SAM_NODE);
	ck_assert_str_eq(out[0].name, "n1");
	ck_assert_int_eq(out[0].time, 1700000990);

	/* CLUS_FAIL names the cluster. */
	e.reason = SAM_CLUS_FAIL;
	n = sam_decide(&e, out, SAM_START_EVENTS_MAX);
	ck_assert_int_eq(out[0].type, SAM_CLUS);
	ck_assert_str_eq(out[0].name, "c1");

	/* A heartbeat from the future (clock set back) is clamped. */
	e.hb.real_ms = 1700009999000LL;
	n = sam_decide(&e, out, SAM_START_EVENTS_MAX);
	ck_assert_int_eq(out[0].time, e.now);

	/* Clean stop, same boot: APPL up only. */
	e = evidence(SAM_PROC_FAIL);
	e.have_hb = 1;
	e.have_clean = 1;
	memcpy(e.clean.boot_id, BOOT_A, 37);
	e.clean.time = 1700000500;
	n = sam_decide(&e, out, SAM_START_EVENTS_MAX);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(out[0].type, SAM_APPL);
	ck_assert_int_eq(out[0].state, SAM_UP);

	/* Clean stop, then a reboot: NODE down from the stop (overstated). */
	memcpy(e.clean.boot_id, BOOT_B, 37);
	e.clean.why = SAM_STOP_ADMIN;
	e.reason = SAM_NODE_FAIL;
	n = sam_decide(&e, out, SAM_START_EVENTS_MAX);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(out[0].type, SAM_NODE);
	ck_assert_int_eq(out[0].state, SAM_DOWN);
	ck_assert_int_eq(out[0].plan, SAM_UNPLANNED);
	ck_assert_int_eq(out[0].time, 1700000500);
	ck_assert_ptr_nonnull(strstr(out[0].msg, "overstated"));
	ck_assert_int_eq(out[1].type, SAM_NODE);
	ck_assert_int_eq(out[1].state, SAM_UP);
	ck_assert_int_eq(out[2].type, SAM_APPL);
	e.clean.why = SAM_STOP_SHUTDOWN;
	n = sam_decide(&e, out, SAM_START_EVENTS_MAX);
	ck_assert_int_eq(out[0].plan, SAM_PLANNED);
}
END_TEST

START_TEST(failcount)
{
	struct sam_failcount fc;
	int i;

	sam_failcount_init(&fc, 10, 300);
	/* Ten failures 31 s apart span 279 s: the tenth gives up. */
	for (i = 0; i < 9; i++)
		ck_assert_int_eq(sam_failcount_add(&fc, i * 31000), 0);
	ck_assert_int_eq(sam_failcount_add(&fc, 9 * 31000), 1);

	/* 34 s apart, ten span 306 s: never. */
	sam_failcount_init(&fc, 10, 300);
	for (i = 0; i < 30; i++)
		ck_assert_int_eq(sam_failcount_add(&fc, i * 34000), 0);
	/* A quick burst after that does. */
	for (i = 0; i < 9; i++)
		ck_assert_int_eq(sam_failcount_add(&fc, 2000000 + i), 0);
	ck_assert_int_eq(sam_failcount_add(&fc, 2000009), 1);
}
END_TEST

static Suite *
samlib_suite(void)
{
	Suite *s = suite_create("samlib");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, field_check);
	tcase_add_test(tc, record_round_trip);
	tcase_add_test(tc, record_refused);
	tcase_add_test(tc, record_parse_rejects);
	tcase_add_test(tc, time_formats);
	tcase_add_test(tc, heartbeat_slots);
	tcase_add_test(tc, markers);
	tcase_add_test(tc, channel);
	tcase_add_test(tc, evidence_cases);
	tcase_add_test(tc, failcount);
	tcase_add_test(tc, record_refused_range);
	tcase_add_test(tc, time_formats_range);
	tcase_add_test(tc, heartbeat_bad_values);
	tcase_add_test(tc, markers_bad_values);
	tcase_add_test(tc, heartbeat_not_a_file);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(samlib_suite)
