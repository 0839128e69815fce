/*
 * Tests for the status file format: the 16-bit numbers, the two
 * timestamps, the 150-second rule, names, and reading real files; and for
 * csstat() itself, with a stand-in for ssd that records how it was started
 * (a real demon starting is tests/integration/t_csstat_api.sh).
 */
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csstat.h"
#include "../check_main.h"
#include "../testutil.h"

START_TEST(test_enc16_exact_below_2048)
{
	uint64_t v;

	for (v = 0; v <= 2047; v++) {
		ck_assert_uint_eq(csstat_enc16(v), v);
		ck_assert_uint_eq(csstat_dec16(csstat_enc16(v)), v);
	}
}
END_TEST

START_TEST(test_enc16_rounds_down)
{
	/* The issue's own example. */
	ck_assert_uint_eq(csstat_dec16(csstat_enc16(3601)), 3600);
	ck_assert_uint_eq(csstat_enc16(3601), 1800 | 1 << 11);
	ck_assert_uint_eq(csstat_dec16(csstat_enc16(2048)), 2048);
	ck_assert_uint_eq(csstat_enc16(2048), 1024 | 1 << 11);
	ck_assert_uint_eq(csstat_dec16(csstat_enc16(4095)), 4094);
	ck_assert_uint_eq(csstat_dec16(csstat_enc16(0)), 0);
}
END_TEST

START_TEST(test_enc16_relative_error)
{
	uint64_t v, d;

	/* Never above, never more than 1/1024 below. */
	for (v = 1; v < ((uint64_t)1 << 40); v = v * 3 + 1) {
		d = csstat_dec16(csstat_enc16(v));
		ck_assert_uint_le(d, v);
		ck_assert_uint_ge(d * 1025 / 1024 + 1, v);
	}
}
END_TEST

START_TEST(test_enc16_largest)
{
	ck_assert_uint_eq(csstat_enc16(CSSTAT_MAX16), 0xffff);
	ck_assert_uint_eq(csstat_dec16(0xffff), CSSTAT_MAX16);
	ck_assert_uint_eq(csstat_enc16(CSSTAT_MAX16 + 1), 0xffff);
	ck_assert_uint_eq(csstat_enc16(UINT64_MAX), 0xffff);
	ck_assert_uint_eq(csstat_dec16(csstat_enc16(CSSTAT_MAX16 - 1)),
	    (uint64_t)0x7fe << 31);
}
END_TEST

START_TEST(test_encode_layout)
{
	Csstat_t st = { 3600, 5, 48, 3, 1, 2 };
	uint32_t a, m;

	csstat_encode(&st, &a, &m);
	ck_assert_uint_eq(a, (uint32_t)(1800 | 1 << 11) << 16 | 5);
	ck_assert_uint_eq(m, 6u << 24 | 1u << 16 | 3u << 8 | 2u);
}
END_TEST

START_TEST(test_encode_saturates)
{
	Csstat_t st = { 100, 0, 2500, 300, -4, 1000 }, back;
	uint32_t a, m;

	csstat_encode(&st, &a, &m);
	ck_assert_uint_eq(m >> 24, 0xff);
	csstat_decode(a, m, 0, CSSTAT_DOWN, &back);
	ck_assert_int_eq(back.load, 2040);
	ck_assert_int_eq(back.pctusr, 0xff);
	ck_assert_int_eq(back.pctsys, 0);
	ck_assert_int_eq(back.users, 0xff);
}
END_TEST

START_TEST(test_round_trip)
{
	Csstat_t st = { 273664, 3900, 48, 3, 1, 2 }, back;
	uint32_t a, m;

	csstat_encode(&st, &a, &m);
	csstat_decode(a, m, 10, CSSTAT_DOWN, &back);
	ck_assert_int_eq(back.up, st.up);
	ck_assert_int_eq(back.idle, st.idle);
	ck_assert_int_eq(back.load, st.load);
	ck_assert_int_eq(back.pctusr, st.pctusr);
	ck_assert_int_eq(back.pctsys, st.pctsys);
	ck_assert_int_eq(back.users, st.users);
}
END_TEST

START_TEST(test_down_encoding)
{
	Csstat_t st = { -7200, 99, 99, 9, 9, 9 }, back;
	uint32_t a, m;

	csstat_encode(&st, &a, &m);
	ck_assert_uint_eq(a >> 16, 0);
	ck_assert_uint_eq(a, csstat_enc16(7200));
	ck_assert_uint_eq(m, 0);
	/* Down for the stored time plus the file's age. */
	csstat_decode(a, m, 300, CSSTAT_DOWN, &back);
	ck_assert_int_eq(back.up, -7500);
	ck_assert_int_eq(back.idle, 0);
	ck_assert_int_eq(back.users, 0);
}
END_TEST

START_TEST(test_150_seconds)
{
	Csstat_t st = { 5000, 60, 100, 10, 10, 1 }, back;
	uint32_t a, m;

	csstat_encode(&st, &a, &m);
	csstat_decode(a, m, 150, CSSTAT_DOWN, &back);
	ck_assert_int_eq(back.up, 5000);
	csstat_decode(a, m, 151, CSSTAT_DOWN, &back);
	ck_assert_int_eq(back.up, -151);
	ck_assert_int_eq(back.users, 0);
	ck_assert_int_eq(back.load, 0);
	/* A clock running ahead gives no negative age. */
	csstat_decode(a, m, -40, CSSTAT_DOWN, &back);
	ck_assert_int_eq(back.up, 5000);
}
END_TEST

START_TEST(test_foreign_zero_mantissa)
{
	Csstat_t back;

	/* up16 = 0x0800: shifted zero, not "down". */
	csstat_decode(0x0800u << 16, 0, 0, CSSTAT_DOWN, &back);
	ck_assert_int_eq(back.up, 1);
}
END_TEST

START_TEST(test_names)
{
	char longname[CSSTAT_NAME_MAX + 2];

	ck_assert(csstat_name_ok("alpha"));
	ck_assert(csstat_name_ok("h1.example.com"));
	ck_assert(csstat_name_ok("a_b-c"));
	ck_assert(!csstat_name_ok(NULL));
	ck_assert(!csstat_name_ok(""));
	ck_assert(!csstat_name_ok(".log"));
	ck_assert(!csstat_name_ok("."));
	ck_assert(!csstat_name_ok(".."));
	ck_assert(!csstat_name_ok("-rf"));
	ck_assert(!csstat_name_ok("a/b"));
	ck_assert(!csstat_name_ok("../etc"));
	ck_assert(!csstat_name_ok("a b"));
	ck_assert(!csstat_name_ok("a\nb"));
	ck_assert(!csstat_name_ok("h\xc3\xa9"));
	memset(longname, 'a', CSSTAT_NAME_MAX);
	longname[CSSTAT_NAME_MAX] = '\0';
	ck_assert(csstat_name_ok(longname));
	longname[CSSTAT_NAME_MAX] = 'a';
	longname[CSSTAT_NAME_MAX + 1] = '\0';
	ck_assert(!csstat_name_ok(longname));
}
END_TEST

START_TEST(test_down_after_env)
{
	unsetenv(CSSTAT_ENV_DOWN);
	ck_assert_int_eq(csstat_down_after(), 150);
	setenv(CSSTAT_ENV_DOWN, "5", 1);
	ck_assert_int_eq(csstat_down_after(), 5);
	setenv(CSSTAT_ENV_DOWN, "5x", 1);
	ck_assert_int_eq(csstat_down_after(), 150);
	setenv(CSSTAT_ENV_DOWN, "0", 1);
	ck_assert_int_eq(csstat_down_after(), 150);
	unsetenv(CSSTAT_ENV_DOWN);
}
END_TEST

START_TEST(test_dir_env)
{
	setenv(CSSTAT_ENV_DIR, "/nfs/ss", 1);
	ck_assert_str_eq(csstat_dir(), "/nfs/ss");
	unsetenv(CSSTAT_ENV_DIR);
	ck_assert_str_eq(csstat_dir(), CSSTAT_TEST_PREFIX "/share/lib/ss");
}
END_TEST

static void
set_times(const char *path, uint32_t a, uint32_t m)
{
	struct timespec ts[2] = { { a, 0 }, { m, 0 } };

	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

START_TEST(test_at_reads_timestamps)
{
	char *dir = tu_tmpdir(), *p = tu_path(dir, "alpha");
	Csstat_t st = { 273664, 3900, 48, 3, 1, 2 }, got;
	struct stat sb;
	uint32_t a, m;
	time_t ct;
	int fd;

	tu_write_file(p, "", 0);
	csstat_encode(&st, &a, &m);
	set_times(p, a, m);
	ck_assert_int_eq(stat(p, &sb), 0);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(csstat_at(fd, "alpha", sb.st_ctime + 20, &got, &ct),
	    0);
	ck_assert_int_eq(got.up, 273664);
	ck_assert_int_eq(got.idle, 3900);
	ck_assert_int_eq(ct, sb.st_ctime);
	/* Looked at, not read: the atime is still ours. */
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_uint_eq((uint32_t)sb.st_atime, a);
	ck_assert_int_eq(csstat_at(fd, "alpha", sb.st_ctime + 151, &got,
	    NULL), 0);
	ck_assert_int_eq(got.up, -151);
	ck_assert_int_eq(csstat_at(fd, "nosuch", sb.st_ctime, &got, NULL), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(csstat_at(fd, "../alpha", sb.st_ctime, &got, NULL),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	close(fd);
	free(p);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * A caller's "now" anywhere in time_t's range (csstat_at is public): the
 * age saturates instead of overflowing, so the host reads as down for a
 * very long time (now far ahead) or as fresh (now far behind).
 */
START_TEST(test_at_extreme_now)
{
	char *dir = tu_tmpdir(), *p = tu_path(dir, "alpha");
	Csstat_t st = { 273664, 3900, 48, 3, 1, 2 }, got;
	uint32_t a, m;
	int fd;

	tu_write_file(p, "", 0);
	csstat_encode(&st, &a, &m);
	set_times(p, a, m);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(csstat_at(fd, "alpha", (time_t)INT64_MIN, &got, NULL),
	    0);
	ck_assert_int_eq(got.up, 273664);
	ck_assert_int_eq(csstat_at(fd, "alpha", (time_t)INT64_MAX, &got, NULL),
	    0);
	ck_assert_int_lt(got.up, -(LONG_MAX / 2));
	close(fd);
	free(p);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_at_refuses_links_and_fifos)
{
	char *dir = tu_tmpdir(), *target = tu_path(dir, "target");
	char *link = tu_path(dir, "beta"), *fifo = tu_path(dir, "gamma");
	Csstat_t got;
	int fd;

	tu_write_file(target, "", 0);
	set_times(target, 0x08000005u, 0);
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(csstat_at(fd, "beta", time(NULL), &got, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(csstat_at(fd, "gamma", time(NULL), &got, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(fd);
	free(target);
	free(link);
	free(fifo);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * csstat() in a folder of its own ($CSSTAT_DIR), with $CSSTAT_SSD a script
 * standing in for ssd: it appends "PID ARGS" to a log, then does what
 * $FAKE_DO says: "up" writes the status $FAKE_ATIME/$FAKE_MTIME into the
 * file of $FAKE_HOST in the folder given after -D, "fail" exits 1, "hang"
 * sleeps, "none" exits 0 having done nothing.
 */
static const char FAKE_SSD[] =
	"#!/bin/sh\n"
	"echo \"$$ $*\" >>\"$FAKE_LOG\"\n"
	"case $FAKE_DO in\n"
	"up)\tf=$2/$FAKE_HOST\n"
	"\t: >\"$f\" && touch -m -d \"@$FAKE_MTIME\" \"$f\" &&\n"
	"\t    touch -a -d \"@$FAKE_ATIME\" \"$f\" ;;\n"
	"fail)\texit 1 ;;\n"
	"hang)\texec sleep 30 ;;\n"
	"esac\n";

static char *top, *share, *fakelog;
static char local[CSSTAT_NAME_MAX + 1];
/* What the stand-in writes: far from anything a test writes itself. */
static const Csstat_t STARTED = { 1234, 77, 96, 12, 5, 3 };

static void
api_setup(void)
{
	uint32_t a, m;
	char num[16], *fake;

	ck_assert_int_eq(csstat_local_name(local, sizeof(local)), 0);
	top = tu_tmpdir();
	share = tu_path(top, "share");
	ck_assert_int_eq(mkdir(share, 0755), 0);
	fakelog = tu_path(top, "fake.log");
	fake = tu_path(top, "fake-ssd");
	tu_write_file(fake, FAKE_SSD, strlen(FAKE_SSD));
	ck_assert_int_eq(chmod(fake, 0755), 0);
	csstat_encode(&STARTED, &a, &m);
	setenv(CSSTAT_ENV_DIR, share, 1);
	setenv(CSSTAT_ENV_SSD, fake, 1);
	unsetenv(CSSTAT_ENV_DOWN);
	setenv("FAKE_LOG", fakelog, 1);
	setenv("FAKE_HOST", local, 1);
	setenv("FAKE_DO", "up", 1);
	snprintf(num, sizeof(num), "%u", a);
	setenv("FAKE_ATIME", num, 1);
	snprintf(num, sizeof(num), "%u", m);
	setenv("FAKE_MTIME", num, 1);
	free(fake);
}

static void
api_teardown(void)
{
	unsetenv(CSSTAT_ENV_DIR);
	unsetenv(CSSTAT_ENV_SSD);
	unsetenv(CSSTAT_ENV_DOWN);
	tu_rmtree(top);
	free(top);
	free(share);
	free(fakelog);
}

/* A status file for host in the shared folder, written now. */
static void
put_status(const char *host, const Csstat_t *st)
{
	char *p = tu_path(share, host);
	uint32_t a, m;

	tu_write_file(p, "", 0);
	csstat_encode(st, &a, &m);
	set_times(p, a, m);
	free(p);
}

/* How often the stand-in ran; *args gets the last run's arguments. */
static int
starts(char *args, size_t argsz)
{
	char *log, *line, *save = NULL, *sp;
	size_t len;
	int n = 0;

	if (access(fakelog, F_OK) == -1)
		return 0;
	log = tu_read_file(fakelog, &len);
	for (line = strtok_r(log, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		n++;
		if (args != NULL && (sp = strchr(line, ' ')) != NULL)
			snprintf(args, argsz, "%s", sp + 1);
	}
	free(log);
	return n;
}

static void
same_status(const Csstat_t *got, const Csstat_t *want)
{
	ck_assert_int_eq(got->up, want->up);
	ck_assert_int_eq(got->idle, want->idle);
	ck_assert_int_eq(got->load, want->load);
	ck_assert_int_eq(got->pctusr, want->pctusr);
	ck_assert_int_eq(got->pctsys, want->pctsys);
	ck_assert_int_eq(got->users, want->users);
}

/* Started exactly once, as "ssd -D <the folder>". */
static void
started_once(void)
{
	char args[4096] = "", want[4096];

	ck_assert_int_eq(starts(args, sizeof(args)), 1);
	snprintf(want, sizeof(want), "-D %s", share);
	ck_assert_str_eq(args, want);
}

/* NULL, "local" and this host's own name read this host's fresh file. */
START_TEST(test_api_local_names)
{
	const Csstat_t here = { 98304, 42, 136, 7, 2, 4 };	/* exact in 16 bits */
	const char *names[] = { NULL, CSSTAT_LOCAL, local };
	Csstat_t got;
	size_t i;

	put_status(local, &here);
	put_status("otherhost", &STARTED);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&got, 0xa5, sizeof(got));
		ck_assert_int_eq(csstat(names[i], &got), 0);
		same_status(&got, &here);
	}
	ck_assert_int_eq(starts(NULL, 0), 0);
}
END_TEST

/* Names that could leave the folder or hide a file are refused. */
START_TEST(test_api_bad_names)
{
	const Csstat_t up = { 500, 1, 0, 0, 0, 1 };
	const char *bad[] = { "../etc", ".log", "a/b", "", "-rf", "a b",
	    "..", "h\xc3\xa9" };
	char longname[CSSTAT_NAME_MAX + 2];
	char *etc = tu_path(top, "etc"), *sub = tu_path(share, "a");
	Csstat_t got;
	size_t i;

	/* Each would name something that is there. */
	tu_write_file(etc, "", 0);
	put_status(".log", &up);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	put_status("a/b", &up);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ck_assert_msg(csstat(bad[i], &got) == -1, "\"%s\" taken", bad[i]);
		ck_assert_msg(errno == EINVAL, "\"%s\": errno %d", bad[i],
		    errno);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	errno = 0;
	ck_assert_int_eq(csstat(longname, &got), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(starts(NULL, 0), 0);
	free(etc);
	free(sub);
}
END_TEST

/* Another host without a file: ENOENT, and no demon is started for it. */
START_TEST(test_api_missing_host)
{
	char *p = tu_path(share, "nosuchhost");
	Csstat_t got;

	errno = 0;
	ck_assert_int_eq(csstat("nosuchhost", &got), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(access(p, F_OK), -1);
	ck_assert_int_eq(starts(NULL, 0), 0);
	free(p);
}
END_TEST

/* Another host that is down is reported down; only ssd host starts it. */
START_TEST(test_api_other_down)
{
	const Csstat_t down = { -600, 0, 0, 0, 0, 0 };
	Csstat_t got;

	put_status("otherhost", &down);
	ck_assert_int_eq(csstat("otherhost", &got), 0);
	ck_assert_int_le(got.up, -600);
	ck_assert_int_eq(starts(NULL, 0), 0);
}
END_TEST

/* A symbolic link is never followed, nor taken for a missing file. */
START_TEST(test_api_local_symlink)
{
	const Csstat_t up = { 500, 1, 0, 0, 0, 1 };
	char *target = tu_path(top, "target"), *link = tu_path(share, local);
	char *made = tu_path(share, "target");
	Csstat_t got;

	put_status("target", &up);
	ck_assert_int_eq(rename(made, target), 0);
	ck_assert_int_eq(symlink(target, link), 0);
	errno = 0;
	ck_assert_int_eq(csstat(NULL, &got), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(starts(NULL, 0), 0);
	free(target);
	free(link);
	free(made);
}
END_TEST

/* No status for this host: a demon is started, and what it wrote read. */
START_TEST(test_api_starts_when_missing)
{
	Csstat_t got;

	ck_assert_int_eq(csstat(NULL, &got), 0);
	started_once();
	same_status(&got, &STARTED);
}
END_TEST

/* Marked down (stopped, then a quick reboot): started at once. */
START_TEST(test_api_starts_when_marked_down)
{
	const Csstat_t down = { 0, 0, 0, 0, 0, 0 };
	Csstat_t got;

	put_status(local, &down);
	ck_assert_int_eq(csstat(CSSTAT_LOCAL, &got), 0);
	started_once();
	same_status(&got, &STARTED);
}
END_TEST

/* Up, but its demon gone: stale after the threshold (1 s here). */
START_TEST(test_api_starts_when_stale)
{
	const Csstat_t up = { 500, 1, 0, 0, 0, 1 };
	struct stat sb;
	char *p = tu_path(share, local);
	Csstat_t got;

	setenv(CSSTAT_ENV_DOWN, "1", 1);
	put_status(local, &up);
	ck_assert_int_eq(csstat(NULL, &got), 0);	/* still fresh */
	same_status(&got, &up);
	ck_assert_int_eq(starts(NULL, 0), 0);
	do {
		usleep(100 * 1000);
		ck_assert_int_eq(stat(p, &sb), 0);
	} while (time(NULL) - sb.st_ctime <= 1);
	ck_assert_int_eq(csstat(NULL, &got), 0);
	started_once();
	same_status(&got, &STARTED);
	free(p);
}
END_TEST

/* The start fails: the caller learns what was found. */
START_TEST(test_api_start_fails)
{
	const Csstat_t down = { -60, 0, 0, 0, 0, 0 };
	char *p = tu_path(share, local);
	Csstat_t got;

	setenv("FAKE_DO", "fail", 1);
	errno = 0;
	ck_assert_int_eq(csstat(NULL, &got), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(starts(NULL, 0), 1);

	put_status(local, &down);
	ck_assert_int_eq(csstat(NULL, &got), 0);
	ck_assert_int_le(got.up, -60);
	ck_assert_int_eq(starts(NULL, 0), 2);

	/* A starter that says it is ready but wrote nothing: as missing. */
	ck_assert_int_eq(unlink(p), 0);
	setenv("FAKE_DO", "none", 1);
	errno = 0;
	ck_assert_int_eq(csstat(NULL, &got), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(starts(NULL, 0), 3);
	free(p);
}
END_TEST

/* No folder: its error, and nothing is started. */
START_TEST(test_api_no_folder)
{
	char *gone = tu_path(top, "nosuchdir");
	Csstat_t got;

	setenv(CSSTAT_ENV_DIR, gone, 1);
	errno = 0;
	ck_assert_int_eq(csstat(NULL, &got), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(starts(NULL, 0), 0);
	free(gone);
}
END_TEST

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The wait is bounded: a starter that hangs is killed at the limit (the
 * limit csstat() uses is 15 s; t_csstat_api.sh waits that out).
 */
START_TEST(test_api_start_bounded)
{
	int64_t t0, took;
	long pid;
	char *log;
	size_t len;

	setenv("FAKE_DO", "hang", 1);
	t0 = now_ms();
	errno = 0;
	ck_assert_int_eq(csstat_start(share, 300), -1);
	took = now_ms() - t0;
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_ge(took, 300);
	ck_assert_int_lt(took, 3000);
	log = tu_read_file(fakelog, &len);
	ck_assert_int_eq(sscanf(log, "%ld", &pid), 1);
	free(log);
	/* Killed and reaped: no such process any more. */
	ck_assert_int_eq(kill((pid_t)pid, 0), -1);
	ck_assert_int_eq(errno, ESRCH);

	setenv("FAKE_DO", "fail", 1);
	errno = 0;
	ck_assert_int_eq(csstat_start(share, 5000), -1);
	ck_assert_int_eq(errno, ECHILD);
	setenv("FAKE_DO", "none", 1);
	ck_assert_int_eq(csstat_start(share, 5000), 0);
}
END_TEST

static Suite *
csstat_suite(void)
{
	Suite *s = suite_create("csstat");
	TCase *tc;

	tc = tcase_create("enc16");
	tcase_add_test(tc, test_enc16_exact_below_2048);
	tcase_add_test(tc, test_enc16_rounds_down);
	tcase_add_test(tc, test_enc16_relative_error);
	tcase_add_test(tc, test_enc16_largest);
	suite_add_tcase(s, tc);

	tc = tcase_create("timestamps");
	tcase_add_test(tc, test_encode_layout);
	tcase_add_test(tc, test_encode_saturates);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_down_encoding);
	tcase_add_test(tc, test_150_seconds);
	tcase_add_test(tc, test_foreign_zero_mantissa);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_down_after_env);
	tcase_add_test(tc, test_dir_env);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_test(tc, test_at_reads_timestamps);
	tcase_add_test(tc, test_at_refuses_links_and_fifos);
	tcase_add_test(tc, test_at_extreme_now);
	suite_add_tcase(s, tc);

	tc = tcase_create("csstat()");
	tcase_add_checked_fixture(tc, api_setup, api_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_api_local_names);
	tcase_add_test(tc, test_api_bad_names);
	tcase_add_test(tc, test_api_missing_host);
	tcase_add_test(tc, test_api_other_down);
	tcase_add_test(tc, test_api_local_symlink);
	tcase_add_test(tc, test_api_starts_when_missing);
	tcase_add_test(tc, test_api_starts_when_marked_down);
	tcase_add_test(tc, test_api_starts_when_stale);
	tcase_add_test(tc, test_api_start_fails);
	tcase_add_test(tc, test_api_no_folder);
	tcase_add_test(tc, test_api_start_bounded);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(csstat_suite)
