#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../check_main.h"
#include "../testutil.h"
#include "log.h"
#include "reclog.h"
#include "statefile.h"

#define MAXREC		4096

static char *dir;

/* What a replay saw. */
struct seen {
	size_t	 n;
	size_t	 cap;
	char	**rec;
	size_t	*len;
	int	*flags;
};

static void
setup(void)
{
	dir = tu_tmpdir();
	tu_log_capture_start();
}

static void
teardown(void)
{
	tu_log_capture_stop();
	tu_rmtree(dir);
	free(dir);
	dir = NULL;
}

static int
collect(const void *rec, size_t len, int flags, uint64_t where,
    void *arg)
{
	(void)where;
	struct seen *s = arg;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->rec = realloc(s->rec, s->cap * sizeof(*s->rec));
		s->len = realloc(s->len, s->cap * sizeof(*s->len));
		s->flags = realloc(s->flags, s->cap * sizeof(*s->flags));
		ck_assert_ptr_nonnull(s->rec);
		ck_assert_ptr_nonnull(s->len);
		ck_assert_ptr_nonnull(s->flags);
	}
	s->rec[s->n] = malloc(len + 1);
	memcpy(s->rec[s->n], rec, len);
	s->rec[s->n][len] = '\0';
	s->len[s->n] = len;
	s->flags[s->n] = flags;
	s->n++;
	return 0;
}

static char *
grow(char *buf, size_t len)
{
	char *n = realloc(buf, len);

	if (n == NULL)
		free(buf);
	ck_assert_ptr_nonnull(n);
	return n;
}

static void
seen_free(struct seen *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->rec[i]);
	free(s->rec);
	free(s->len);
	free(s->flags);
	memset(s, 0, sizeof(*s));
}

/* Record i: its number, then filler of a length that varies with i. */
static size_t
make_rec(unsigned int i, char *buf, size_t bufsz)
{
	size_t len, k;
	int n;

	n = snprintf(buf, bufsz, "record %u:", i);
	len = (size_t)n + i % 53;
	ck_assert_uint_lt(len, bufsz);
	for (k = (size_t)n; k < len; k++)
		buf[k] = (char)('a' + (i + k) % 26);
	return len;
}

static void
assert_recs(const struct seen *s, unsigned int from, unsigned int to)
{
	char buf[256];
	size_t len;
	unsigned int i;

	ck_assert_uint_eq(s->n, to - from);
	for (i = from; i < to; i++) {
		len = make_rec(i, buf, sizeof(buf));
		ck_assert_uint_eq(s->len[i - from], len);
		ck_assert_msg(memcmp(s->rec[i - from], buf, len) == 0,
		    "record %u differs", i);
	}
}

static off_t
file_size(const char *p)
{
	struct stat st;

	ck_assert_int_eq(stat(p, &st), 0);
	return st.st_size;
}

static int
count_entries(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(dp);
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(dp);
	return n;
}

/* Write records [from, to) to an open log, one commit each every. */
static void
append_recs(struct reclog *rl, unsigned int from, unsigned int to,
    unsigned int every)
{
	char buf[256];
	size_t len;
	unsigned int i;

	for (i = from; i < to; i++) {
		len = make_rec(i, buf, sizeof(buf));
		ck_assert_int_eq(reclog_append(rl, buf, len), 0);
		if ((i + 1) % every == 0 || i + 1 == to)
			ck_assert_int_eq(reclog_commit(rl), 0);
	}
	ck_assert_uint_eq(reclog_pending(rl), 0);
}

static struct reclog *
open_collect(const char *p, enum reclog_framing f, struct seen *s,
    struct reclog_stats *st)
{
	struct reclog *rl;

	rl = reclog_open(p, f, MAXREC, 0600, collect, s, st);
	ck_assert_msg(rl != NULL, "reclog_open %s: %s", p, strerror(errno));
	return rl;
}

START_TEST(test_crc32c)
{
	static const unsigned char data[] = "123456789";
	unsigned char big[1000];
	uint32_t c, ref;
	size_t i, off, len;
	int k;

	ck_assert_uint_eq(crc32c(0, data, 9), 0xe3069283U);
	ck_assert_uint_eq(crc32c(crc32c(0, data, 4), data + 4, 5),
	    0xe3069283U);
	ck_assert_uint_eq(crc32c(0, "", 0), 0);
	/* The sliced loop against the plain bitwise definition. */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 7 + (i >> 3));
	for (off = 0; off < 9; off++) {
		for (len = 0; len + off <= sizeof(big); len += 37) {
			ref = 0xffffffffU;
			for (i = off; i < off + len; i++) {
				ref ^= big[i];
				for (k = 0; k < 8; k++)
					ref = (ref & 1) ?
					    (ref >> 1) ^ 0x82f63b78U : ref >> 1;
			}
			c = crc32c(0, big + off, len);
			ck_assert_uint_eq(c, ~ref);
		}
	}
}
END_TEST

START_TEST(test_bin_roundtrip)
{
	char *p = tu_path(dir, "mon.log");
	size_t len;
	struct reclog_stats st;
	struct reclog *rl;
	struct seen s = { 0 };

	rl = open_collect(p, RECLOG_BINARY, &s, &st);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_int_eq(reclog_size(rl), 16);
	ck_assert_str_eq(reclog_path(rl), p);
	append_recs(rl, 0, 1000, 7);
	/* Open, the file may hold zeros ahead; closed, exactly the log. */
	ck_assert_int_ge(file_size(p), reclog_size(rl));
	len = (size_t)reclog_size(rl);
	reclog_close(rl);
	ck_assert_int_eq(file_size(p), (off_t)len);

	rl = open_collect(p, RECLOG_BINARY, &s, &st);
	assert_recs(&s, 0, 1000);
	ck_assert_uint_eq(st.records, 1000);
	ck_assert_uint_eq(st.tail_dropped, 0);
	ck_assert_ptr_null(st.set_aside);
	ck_assert_int_eq(st.size, file_size(p));
	ck_assert_uint_eq(reclog_stats(rl)->records, 1000);
	reclog_close(rl);
	ck_assert_int_eq(count_entries(dir), 1);
	ck_assert_str_eq(tu_log_text(), "");
	seen_free(&s);
	free(p);
}
END_TEST

START_TEST(test_bin_limits)
{
	char *p = tu_path(dir, "mon.log");
	char rec[MAXREC + 1];
	struct reclog_stats st;
	struct reclog *rl;
	struct seen s = { 0 };

	memset(rec, 'r', sizeof(rec));
	rl = open_collect(p, RECLOG_BINARY, &s, NULL);
	ck_assert_int_eq(reclog_append(rl, rec, MAXREC), 0);
	errno = 0;
	ck_assert_int_eq(reclog_append(rl, rec, MAXREC + 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(reclog_pending(rl), 1);
	ck_assert_int_eq(reclog_append(rl, "", 0), 0);
	ck_assert_int_eq(reclog_commit(rl), 0);
	reclog_close(rl);

	/*
	 * Reopened with a smaller limit, the long record is damage: skipped,
	 * and the empty record after it replays.
	 */
	rl = reclog_open(p, RECLOG_BINARY, 100, 0600, collect, &s, &st);
	ck_assert_ptr_nonnull(rl);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.len[0], 0);
	ck_assert_uint_eq(st.tail_dropped, 0);
	ck_assert_uint_eq(st.bad_skipped, 1);
	ck_assert_uint_eq(st.bytes_skipped, MAXREC + 8);
	ck_assert_ptr_nonnull(st.set_aside);
	ck_assert_int_eq(file_size(st.set_aside), 16 + MAXREC + 8 + 8);
	ck_assert_int_eq(file_size(p), 16 + MAXREC + 8 + 8);
	ck_assert_msg(tu_log_contains("bytes 16 to 4119 damaged (record "
	    "length over the limit)"), "%s", tu_log_text());
	reclog_close(rl);
	seen_free(&s);
	free(p);
}
END_TEST

/*
 * Cut the log at every offset within the header and within its last
 * record: the records before the cut replay, the rest is cut and set aside,
 * and appending goes on from there.
 */
START_TEST(test_bin_truncate_everywhere)
{
	char *p = tu_path(dir, "mon.log"), *full, *sub, *q, *copy;
	struct reclog_stats st;
	struct reclog *rl;
	struct seen s = { 0 };
	size_t fulllen, lastoff, off, cut, len;
	unsigned int before;
	int round = 0;
	char name[64];

	rl = open_collect(p, RECLOG_BINARY, &s, NULL);
	append_recs(rl, 0, 3, 1);
	lastoff = (size_t)reclog_size(rl);
	append_recs(rl, 3, 4, 1);
	reclog_close(rl);
	full = tu_read_file(p, &fulllen);
	ck_assert_uint_gt(fulllen, lastoff + 8);

	for (cut = 0; cut < fulllen; cut++) {
		if (cut >= 16 && cut < lastoff)
			continue;
		snprintf(name, sizeof(name), "r%d", round++);
		sub = tu_path(dir, name);
		ck_assert_int_eq(mkdir(sub, 0700), 0);
		q = tu_path(sub, "mon.log");
		tu_write_file(q, full, cut);
		tu_log_capture_start();

		rl = open_collect(q, RECLOG_BINARY, &s, &st);
		before = cut < 16 ? 0 : 3;
		assert_recs(&s, 0, before);
		seen_free(&s);
		off = cut < 16 ? 0 : lastoff;
		ck_assert_uint_eq(st.tail_dropped, cut - off);
		ck_assert_int_eq(file_size(q), off < 16 ? 16 : (off_t)off);
		if (cut == off) {
			ck_assert_ptr_null(st.set_aside);
			ck_assert_str_eq(tu_log_text(), "");
			ck_assert_int_eq(count_entries(sub), 1);
		} else {
			ck_assert_ptr_nonnull(st.set_aside);
			copy = tu_read_file(st.set_aside, &len);
			ck_assert_uint_eq(len, cut);
			ck_assert_int_eq(memcmp(copy, full, cut), 0);
			free(copy);
			ck_assert_msg(tu_log_contains(q) &&
			    tu_log_contains("cut off") &&
			    tu_log_contains(st.set_aside), "cut %zu: %s", cut,
			    tu_log_text());
			ck_assert_int_eq(count_entries(sub), 2);
		}
		/* Appends go on after the cut. */
		append_recs(rl, before, before + 2, 1);
		reclog_close(rl);
		rl = open_collect(q, RECLOG_BINARY, &s, &st);
		assert_recs(&s, 0, before + 2);
		ck_assert_uint_eq(st.tail_dropped, 0);
		reclog_close(rl);
		seen_free(&s);
		free(q);
		free(sub);
	}
	free(full);
	free(p);
}
END_TEST

/* Work in a folder on tmpfs from now on; the path of mon.log there. */
static char *
use_tmpfs(void)
{
	tu_rmtree(dir);
	free(dir);
	ck_assert_int_eq(setenv("TMPDIR", "/dev/shm", 1), 0);
	dir = tu_tmpdir();
	unsetenv("TMPDIR");
	return tu_path(dir, "mon.log");
}

/* Record offsets of a log of n records written one commit each. */
static off_t *
write_log(const char *p, unsigned int n)
{
	struct reclog *rl;
	struct seen s = { 0 };
	off_t *off = calloc(n + 1, sizeof(*off));
	unsigned int i;

	ck_assert_ptr_nonnull(off);
	rl = open_collect(p, RECLOG_BINARY, &s, NULL);
	for (i = 0; i < n; i++) {
		off[i] = reclog_size(rl);
		append_recs(rl, i, i + 1, 1);
	}
	off[n] = reclog_size(rl);
	reclog_close(rl);
	seen_free(&s);
	return off;
}

/* The replay holds exactly records [0, n) but those in skip[]. */
static void
assert_all_but(const struct seen *s, unsigned int n, const int *skip)
{
	char buf[256];
	size_t len, k = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (skip[i])
			continue;
		ck_assert_msg(k < s->n, "record %u missing", i);
		len = make_rec(i, buf, sizeof(buf));
		ck_assert_msg(s->len[k] == len &&
		    memcmp(s->rec[k], buf, len) == 0, "record %u differs", i);
		k++;
	}
	ck_assert_uint_eq(s->n, k);
}

/*
 * Damage in the middle costs the damaged record only: a flipped payload
 * byte, a bad length field, a record cut down to zeros.  The replay says
 * where, keeps a copy of the file as found, and appends go on.
 */
START_TEST(test_bin_corrupt_middle)
{
	char *p = tu_path(dir, "mon.log"), *buf;
	struct reclog_stats st;
	struct reclog *rl;
	struct seen s = { 0 };
	off_t *off;
	size_t len;
	int skip[5] = { 0, 1, 0, 0, 0 };
	char want[128];

	off = write_log(p, 3);
	/* A flipped payload byte in the middle record. */
	buf = tu_read_file(p, &len);
	buf[off[1] + 8 + 3] ^= 0x20;
	tu_write_file(p, buf, len);
	rl = open_collect(p, RECLOG_BINARY, &s, &st);
	assert_all_but(&s, 3, skip);
	seen_free(&s);
	ck_assert_uint_eq(st.tail_dropped, 0);
	ck_assert_uint_eq(st.bad_skipped, 1);
	ck_assert_uint_eq(st.bytes_skipped, (uint64_t)(off[2] - off[1]));
	ck_assert_ptr_nonnull(st.set_aside);
	ck_assert_int_eq(file_size(p), off[3]);
	snprintf(want, sizeof(want), "bytes %lld to %lld damaged (record "
	    "checksum mismatch)", (long long)off[1], (long long)off[2] - 1);
	ck_assert_msg(tu_log_contains(want), "%s", tu_log_text());
	ck_assert(tu_log_contains(st.set_aside));
	/* Appends go on after the last record; the damage is skipped again. */
	append_recs(rl, 3, 5, 1);
	reclog_close(rl);
	rl = open_collect(p, RECLOG_BINARY, &s, &st);
	assert_all_but(&s, 5, skip);
	seen_free(&s);
	reclog_close(rl);
	free(buf);

	/* A length field beyond any limit: damage, not an allocation. */
	tu_log_capture_start();
	buf = tu_read_file(p, &len);
	buf[off[1] + 8 + 3] ^= 0x20;		/* repaired */
	buf[off[1] + 3] = (char)0x7f;
	tu_write_file(p, buf, len);
	rl = open_collect(p, RECLOG_BINARY, &s, &st);
	assert_all_but(&s, 5, skip);
	seen_free(&s);
	ck_assert(tu_log_contains("over the limit"));
	reclog_close(rl);
	free(buf);

	/* A small wrong length: the checksum covers the length too. */
	tu_log_capture_start();
	buf = tu_read_file(p, &len);
	buf[off[1] + 3] = 0;
	buf[off[1]] = (char)(buf[off[1]] - 2);
	tu_write_file(p, buf, len);
	rl = open_collect(p, RECLOG_BINARY, &s, &st);
	assert_all_but(&s, 5, skip);
	seen_free(&s);
	ck_assert_msg(tu_log_contains("checksum mismatch"), "%s",
	    tu_log_text());
	reclog_close(rl);

	/* The middle record zeroed, as by a lost block: not the end. */
	tu_log_capture_start();
	memset(buf + off[1], 0, (size_t)(off[2] - off[1]));
	tu_write_file(p, buf, len);
	rl = open_collect(p, RECLOG_BINARY, &s, &st);
	assert_all_but(&s, 5, skip);
	seen_free(&s);
	ck_assert_msg(tu_log_contains("zeros where records should be"), "%s",
	    tu_log_text());
	ck_assert_int_eq(file_size(p), (off_t)len);
	reclog_close(rl);
	free(buf);
	free(off);
	free(p);
}
END_TEST

/*
 * Flip each byte of a small log in turn: the replay keeps every record but
 * the one holding that byte (all of them for a byte of the file header),
 * at open and read-only alike, and says so.
 */
START_TEST(test_bin_flip_every_byte)
{
	enum { N = 6 };
	char *p = tu_path(dir, "mon.log"), *img, *sub, *q, name[32];
	struct reclog_stats st;
	struct reclog *rl;
	struct seen s = { 0 };
	off_t *off;
	size_t len, at;
	unsigned int i;
	int skip[N];

	/* On tmpfs: some 1,800 opens, each syncing what it changes. */
	free(p);
	p = use_tmpfs();
	off = write_log(p, N);
	img = tu_read_file(p, &len);
	ck_assert_int_eq((off_t)len, off[N]);
	for (at = 0; at < len; at++) {
		memset(skip, 0, sizeof(skip));
		for (i = 0; i < N; i++)
			if ((off_t)at >= off[i] && (off_t)at < off[i + 1])
				skip[i] = 1;
		snprintf(name, sizeof(name), "f%zu", at);
		sub = tu_path(dir, name);
		ck_assert_int_eq(mkdir(sub, 0700), 0);
		q = tu_path(sub, "mon.log");
		img[at] ^= 0x10;
		tu_write_file(q, img, len);
		img[at] ^= 0x10;
		tu_log_capture_start();

		if (at == 8) {
			/* Version 17: perhaps a newer one's, left alone. */
			errno = 0;
			ck_assert_ptr_null(reclog_open(q, RECLOG_BINARY,
			    MAXREC, 0600, collect, &s, &st));
			ck_assert_int_eq(errno, EPROTO);
			ck_assert_uint_eq(s.n, 0);
			ck_assert_int_eq(count_entries(sub), 1);
			goto next;
		}
		ck_assert_int_eq(reclog_replay_file(q, RECLOG_BINARY, MAXREC,
		    collect, &s, &st), 0);
		assert_all_but(&s, N, skip);
		seen_free(&s);
		ck_assert_int_eq(count_entries(sub), 1);

		rl = open_collect(q, RECLOG_BINARY, &s, &st);
		assert_all_but(&s, N, skip);
		seen_free(&s);
		ck_assert_ptr_nonnull(st.set_aside);
		if (at < 16) {
			ck_assert_int_eq(st.bad_header, 1);
			ck_assert_msg(tu_log_contains("file header damaged"),
			    "byte %zu: %s", at, tu_log_text());
		} else if (skip[N - 1]) {
			/* The last record: nothing good after it, a tail. */
			ck_assert_uint_eq(st.tail_dropped,
			    (uint64_t)(off[N] - off[N - 1]));
			ck_assert_int_eq(file_size(q), off[N - 1]);
		} else {
			ck_assert_uint_eq(st.bad_skipped, 1);
			ck_assert_msg(tu_log_contains("damaged ("), "byte %zu: "
			    "%s", at, tu_log_text());
		}
		reclog_close(rl);
		/* The header was rewritten: a second open finds it good. */
		tu_log_capture_start();
		rl = open_collect(q, RECLOG_BINARY, &s, &st);
		assert_all_but(&s, N, skip);
		seen_free(&s);
		ck_assert_int_eq(st.bad_header, 0);
		ck_assert_uint_eq(st.tail_dropped, 0);
		reclog_close(rl);
next:
		free(q);
		tu_rmtree(sub);
		free(sub);
	}
	free(img);
	free(off);
	free(p);
}
END_TEST

/*
 * A large log, damaged around the reader's 1 MiB window and by a zeroed
 * 4 KiB block: only the records touched are lost.
 */
START_TEST(test_bin_damage_large)
{
	enum { N = 50000 };
	char *p = tu_path(dir, "mon.log"), *img;
	static const off_t hits[] = { 1024 * 1024 - 3, 1024 * 1024 + 5,
	    2 * 1024 * 1024 - 1, 2 * 1024 * 1024 + 2 };
	struct reclog_stats st;
	struct reclog *rl;
	struct seen s = { 0 };
	static int skip[N];
	off_t *off, zfrom = 700000, zto = 700000 + 4096;
	size_t len, k;
	unsigned int i;

	/* On tmpfs: this is about the reader, not about fsync speed. */
	free(p);
	p = use_tmpfs();
	off = write_log(p, N);
	ck_assert_int_gt(off[N], 2 * 1024 * 1024 + 100);
	img = tu_read_file(p, &len);
	memset(skip, 0, sizeof(skip));
	for (k = 0; k < sizeof(hits) / sizeof(hits[0]); k++)
		img[hits[k]] ^= 0x01;
	memset(img + zfrom, 0, (size_t)(zto - zfrom));
	for (i = 0; i < N; i++) {
		for (k = 0; k < sizeof(hits) / sizeof(hits[0]); k++)
			if (hits[k] >= off[i] && hits[k] < off[i + 1])
				skip[i] = 1;
		if (off[i + 1] > zfrom && off[i] < zto)
			skip[i] = 1;
	}
	tu_write_file(p, img, len);
	rl = open_collect(p, RECLOG_BINARY, &s, &st);
	assert_all_but(&s, N, skip);
	ck_assert_uint_ge(st.bad_skipped, 3);
	ck_assert_uint_le(st.bad_skipped, 5);
	ck_assert_uint_eq(st.tail_dropped, 0);
	ck_assert_uint_eq(st.records, s.n);
	seen_free(&s);
	reclog_close(rl);
	free(img);
	free(off);
	free(p);
}
END_TEST

START_TEST(test_bin_bad_header)
{
	char *p = tu_path(dir, "mon.log"), *buf;
	static const char junk[] = "this is not a record log at all, no";
	unsigned char v2[16] = "HMRECLOG\2\0\0\0\0\0\0\0";
	struct reclog_stats st;
	struct reclog *rl;
	struct seen s = { 0 };
	size_t len;

	tu_write_file(p, junk, sizeof(junk));
	rl = open_collect(p, RECLOG_BINARY, &s, &st);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_ptr_nonnull(st.set_aside);
	ck_assert_uint_eq(st.tail_dropped, sizeof(junk));
	ck_assert(tu_log_contains("not a record log header"));
	ck_assert_int_eq(file_size(p), 16);
	reclog_close(rl);

	/* A newer version is left alone. */
	tu_write_file(p, v2, sizeof(v2));
	errno = 0;
	ck_assert_ptr_null(reclog_open(p, RECLOG_BINARY, MAXREC, 0600,
	    collect, &s, NULL));
	ck_assert_int_eq(errno, EPROTO);
	buf = tu_read_file(p, &len);
	ck_assert_uint_eq(len, 16);
	ck_assert_int_eq(memcmp(buf, v2, 16), 0);
	free(buf);
	free(p);
}
END_TEST

static int
emit_even(struct reclog *rl, void *arg)
{
	unsigned int i, n = *(unsigned int *)arg;
	char buf[256];
	size_t len;

	for (i = 0; i < n; i += 2) {
		len = make_rec(i, buf, sizeof(buf));
		if (reclog_append(rl, buf, len) == -1)
			return -1;
	}
	return 0;
}

static int
emit_fail(struct reclog *rl, void *arg)
{
	(void)arg;
	if (reclog_append(rl, "x", 1) == -1)
		return -1;
	errno = EIO;
	return -1;
}

START_TEST(test_bin_compact)
{
	char *p = tu_path(dir, "mon.log");
	struct reclog *rl;
	struct seen s = { 0 };
	unsigned int n = 20000, i;
	off_t before;
	char buf[256];
	size_t len;

	rl = open_collect(p, RECLOG_BINARY, &s, NULL);
	append_recs(rl, 0, n, 1000);
	before = file_size(p);

	/* A failing emit leaves the old file in place and in use. */
	errno = 0;
	ck_assert_int_eq(reclog_compact(rl, emit_fail, NULL), -1);
	ck_assert_int_eq(errno, EIO);
	ck_assert_int_eq(file_size(p), before);
	ck_assert_int_eq(count_entries(dir), 1);

	/* A pending record is committed first; emit keeps the even ones. */
	len = make_rec(n, buf, sizeof(buf));
	ck_assert_int_eq(reclog_append(rl, buf, len), 0);
	n++;
	ck_assert_int_eq(reclog_compact(rl, emit_even, &n), 0);
	ck_assert_int_lt(file_size(p), before / 2 + 1024);
	ck_assert_int_eq(reclog_size(rl), file_size(p));
	ck_assert_int_eq(count_entries(dir), 1);
	/* Appends now go to the new file. */
	len = make_rec(n + 1, buf, sizeof(buf));
	ck_assert_int_eq(reclog_append(rl, buf, len), 0);
	ck_assert_int_eq(reclog_commit(rl), 0);
	before = reclog_size(rl);
	reclog_close(rl);
	ck_assert_int_eq(file_size(p), before);

	rl = open_collect(p, RECLOG_BINARY, &s, NULL);
	ck_assert_uint_eq(s.n, (n + 1) / 2 + 1);
	for (i = 0; i < s.n - 1; i++) {
		len = make_rec(2 * i, buf, sizeof(buf));
		ck_assert_uint_eq(s.len[i], len);
		ck_assert_int_eq(memcmp(s.rec[i], buf, len), 0);
	}
	len = make_rec(n + 1, buf, sizeof(buf));
	ck_assert_int_eq(memcmp(s.rec[s.n - 1], buf, len), 0);
	reclog_close(rl);
	seen_free(&s);
	free(p);
}
END_TEST


/* The replace hook does what a privileged helper would: it gets bytes. */
struct replace_seen {
	int	calls;
	size_t	len;
};

static int
replace_hook(const char *path, const void *buf, size_t len, void *arg)
{
	struct replace_seen *rs = arg;

	rs->calls++;
	rs->len = len;
	if (statefile_replace(path, buf, len, 0600) == -1)
		return -1;
	return open(path, O_RDWR | O_APPEND | O_CLOEXEC);
}

static int
replace_fails(const char *path, const void *buf, size_t len, void *arg)
{
	(void)path; (void)buf; (void)len; (void)arg;
	errno = EACCES;
	return -1;
}

START_TEST(test_bin_compact_replace_hook)
{
	char *p = tu_path(dir, "mon.log");
	struct replace_seen rs = { 0, 0 };
	struct reclog *rl;
	struct seen s = { 0 };
	unsigned int n = 2000;
	off_t before;
	char buf[256];
	size_t len;

	rl = open_collect(p, RECLOG_BINARY, &s, NULL);
	append_recs(rl, 0, n, 100);
	before = file_size(p);

	/* A hook that fails leaves the old file in place and in use. */
	reclog_set_replace(rl, replace_fails, NULL);
	errno = 0;
	ck_assert_int_eq(reclog_compact(rl, emit_even, &n), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(file_size(p), before);
	len = make_rec(n, buf, sizeof(buf));
	ck_assert_int_eq(reclog_append(rl, buf, len), 0);
	ck_assert_int_eq(reclog_commit(rl), 0);
	n++;

	reclog_set_replace(rl, replace_hook, &rs);
	ck_assert_int_eq(reclog_compact(rl, emit_even, &n), 0);
	ck_assert_int_eq(rs.calls, 1);
	/* The hook was handed exactly the new file, header included. */
	ck_assert_int_eq((off_t)rs.len, file_size(p));
	ck_assert_int_eq(reclog_size(rl), file_size(p));
	ck_assert_int_lt(file_size(p), before / 2 + 1024);
	/* Appends go to the descriptor the hook returned. */
	len = make_rec(n + 1, buf, sizeof(buf));
	ck_assert_int_eq(reclog_append(rl, buf, len), 0);
	ck_assert_int_eq(reclog_commit(rl), 0);
	before = reclog_size(rl);
	reclog_close(rl);
	ck_assert_int_eq(file_size(p), before);

	seen_free(&s);
	rl = open_collect(p, RECLOG_BINARY, &s, NULL);
	ck_assert_uint_eq(s.n, (n + 1) / 2 + 1);
	len = make_rec(n + 1, buf, sizeof(buf));
	ck_assert_int_eq(memcmp(s.rec[s.n - 1], buf, len), 0);
	reclog_close(rl);
	seen_free(&s);
	free(p);
}
END_TEST

/*
 * A hook that put the new file in place but could not hand back its
 * descriptor (a privileged helper's fd lost to EMFILE, say).  The old file
 * is unlinked now: commits that went on writing to it would be acknowledged
 * and then lost at the next open.
 */
static int
replace_then_fail(const char *path, const void *buf, size_t len, void *arg)
{
	(void)arg;
	if (statefile_replace(path, buf, len, 0600) == -1)
		return -1;
	errno = EPROTO;
	return -1;
}

START_TEST(test_bin_compact_replaced_without_fd)
{
	char *p = tu_path(dir, "mon.log");
	struct reclog *rl;
	struct seen s = { 0 };
	unsigned int n = 200;
	char buf[256];
	size_t len;
	int r;

	rl = open_collect(p, RECLOG_BINARY, &s, NULL);
	append_recs(rl, 0, n, 10);
	reclog_set_replace(rl, replace_then_fail, NULL);
	ck_assert_int_eq(reclog_compact(rl, emit_even, &n), -1);
	reclog_set_replace(rl, NULL, NULL);
	len = make_rec(n + 1, buf, sizeof(buf));
	ck_assert_int_eq(reclog_append(rl, buf, len), 0);
	r = reclog_commit(rl);
	reclog_close(rl);

	seen_free(&s);
	rl = open_collect(p, RECLOG_BINARY, &s, NULL);
	if (r == 0) {
		/* Acknowledged: it must be there. */
		ck_assert_uint_ge(s.n, 1);
		ck_assert_uint_eq(s.len[s.n - 1], len);
		ck_assert_int_eq(memcmp(s.rec[s.n - 1], buf, len), 0);
	}
	reclog_close(rl);
	seen_free(&s);
	free(p);
}
END_TEST

/*
 * The space filled ahead may end fewer than eight bytes after the last
 * record: after a crash those zeros are the end marker, not damage.
 */
START_TEST(test_bin_short_zero_tail)
{
	char *p = tu_path(dir, "mon.log");
	struct reclog_stats st;
	struct reclog *rl;
	struct seen s = { 0 };
	static const char zeros[7];
	char *img;
	size_t ilen;
	int fd;

	rl = open_collect(p, RECLOG_BINARY, &s, NULL);
	append_recs(rl, 0, 3, 1);
	reclog_close(rl);
	img = tu_read_file(p, &ilen);
	fd = open(p, O_WRONLY | O_APPEND);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, zeros, 5), 5);
	close(fd);

	seen_free(&s);
	rl = open_collect(p, RECLOG_BINARY, &s, &st);
	assert_recs(&s, 0, 3);
	ck_assert_uint_eq(st.tail_dropped, 0);
	ck_assert_ptr_null(st.set_aside);
	ck_assert_int_eq(count_entries(dir), 1);
	/* Appends after it replay too. */
	append_recs(rl, 3, 5, 1);
	reclog_close(rl);
	seen_free(&s);
	rl = open_collect(p, RECLOG_BINARY, &s, NULL);
	assert_recs(&s, 0, 5);
	reclog_close(rl);
	seen_free(&s);
	free(img);
	free(p);
}
END_TEST

/* A read-only replay never changes what it reads, damaged or not. */
START_TEST(test_replay_file_readonly)
{
	char *p = tu_path(dir, "mon.log");
	struct reclog_stats st;
	struct reclog *rl;
	struct seen s = { 0 };
	char *before, *after;
	size_t blen, alen;
	off_t good;

	rl = open_collect(p, RECLOG_BINARY, &s, NULL);
	append_recs(rl, 0, 100, 10);
	reclog_close(rl);
	seen_free(&s);
	good = file_size(p);
	/* Half a record at the end, as a crash would leave it. */
	ck_assert_int_eq(truncate(p, good - 7), 0);
	before = tu_read_file(p, &blen);

	ck_assert_int_eq(reclog_replay_file(p, RECLOG_BINARY, MAXREC,
	    collect, &s, &st), 0);
	assert_recs(&s, 0, 99);
	ck_assert_uint_gt(st.tail_dropped, 0);
	ck_assert_ptr_null(st.set_aside);
	after = tu_read_file(p, &alen);
	ck_assert_uint_eq(alen, blen);
	ck_assert_mem_eq(after, before, blen);
	ck_assert_int_eq(count_entries(dir), 1);	/* no copy set aside */
	seen_free(&s);
	free(after);

	/* Not ours at all: reported, untouched. */
	tu_write_file(p, "plain text, no header", 21);
	ck_assert_int_eq(reclog_replay_file(p, RECLOG_BINARY, MAXREC,
	    collect, &s, &st), 0);
	ck_assert_uint_eq(s.n, 0);
	after = tu_read_file(p, &alen);
	ck_assert_uint_eq(alen, 21);
	ck_assert_int_eq(count_entries(dir), 1);
	errno = 0;
	ck_assert_int_eq(reclog_replay_file("/nonexistent/x", RECLOG_BINARY,
	    MAXREC, collect, &s, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	seen_free(&s);
	free(after);
	free(before);
	free(p);
}
END_TEST

/* A write that runs into RLIMIT_FSIZE fails part way: cut back, go on. */
START_TEST(test_bin_commit_fails)
{
	char *p = tu_path(dir, "mon.log");
	struct rlimit old, lim;
	struct reclog *rl;
	struct seen s = { 0 };
	char big[MAXREC];
	off_t good;
	int rc_append, rc_commit, saved;

	signal(SIGXFSZ, SIG_IGN);
	rl = open_collect(p, RECLOG_BINARY, &s, NULL);
	append_recs(rl, 0, 10, 1);
	good = reclog_size(rl);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)good + 1000;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);

	memset(big, 'b', sizeof(big));
	/* No assertions under the limit: Check's own messages need room. */
	rc_append = reclog_append(rl, big, sizeof(big));
	errno = 0;
	rc_commit = reclog_commit(rl);
	saved = errno;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	ck_assert_int_eq(rc_append, 0);
	ck_assert_int_eq(rc_commit, -1);
	ck_assert_int_eq(saved, EFBIG);
	ck_assert_uint_eq(reclog_pending(rl), 0);
	ck_assert_int_eq(file_size(p), good);
	ck_assert_int_eq(reclog_size(rl), good);
	append_recs(rl, 10, 12, 1);
	reclog_close(rl);

	rl = open_collect(p, RECLOG_BINARY, &s, NULL);
	assert_recs(&s, 0, 12);
	ck_assert_str_eq(tu_log_text(), "");
	reclog_close(rl);
	seen_free(&s);
	free(p);
}
END_TEST

/* The child appends and commits record after record, reporting each. */
static void
appender(const char *path, int wfd)
{
	struct reclog *rl;
	struct reclog_stats st;
	char buf[256];
	unsigned int i;
	size_t len;

	rl = reclog_open(path, RECLOG_BINARY, MAXREC, 0600, NULL, NULL, &st);
	if (rl == NULL)
		_exit(2);
	for (i = (unsigned int)st.records;; i++) {
		len = make_rec(i, buf, sizeof(buf));
		if (reclog_append(rl, buf, len) == -1 ||
		    reclog_commit(rl) == -1)
			_exit(3);
		if (write(wfd, &i, sizeof(i)) != sizeof(i))
			_exit(4);
	}
}

START_TEST(test_bin_kill_appender)
{
	static const int kill_after[] = { 1, 5, 17, 40, 3, 64, 100 };
	char *p = tu_path(dir, "mon.log");
	struct reclog *rl;
	struct seen s = { 0 };
	unsigned int reported = 0, got;
	size_t k;
	int pfd[2], status, n;
	pid_t pid;

	for (k = 0; k < sizeof(kill_after) / sizeof(kill_after[0]); k++) {
		ck_assert_int_eq(pipe(pfd), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(pfd[0]);
			appender(p, pfd[1]);
		}
		close(pfd[1]);
		for (n = 0; n < kill_after[k]; n++) {
			ck_assert_int_eq(read(pfd[0], &got, sizeof(got)),
			    sizeof(got));
			reported = got + 1;
		}
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status));
		close(pfd[0]);

		rl = open_collect(p, RECLOG_BINARY, &s, NULL);
		ck_assert_uint_ge(s.n, reported);
		/* Every record is exactly the one written, nothing else. */
		assert_recs(&s, 0, (unsigned int)s.n);
		reclog_close(rl);
		seen_free(&s);
	}
	free(p);
}
END_TEST

START_TEST(test_text_roundtrip)
{
	char *p = tu_path(dir, "events.log"), *buf, line[64];
	struct reclog *rl;
	struct seen s = { 0 };
	size_t len;

	rl = open_collect(p, RECLOG_TEXT, &s, NULL);
	ck_assert_int_eq(reclog_size(rl), 0);
	ck_assert_int_eq(reclog_append(rl, "host a up", 9), 0);
	ck_assert_int_eq(reclog_append(rl, "tab\there", 8), 0);
	ck_assert_int_eq(reclog_append(rl, "", 0), 0);
	errno = 0;
	ck_assert_int_eq(reclog_append(rl, "two\nlines", 9), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(reclog_commit(rl), 0);
	reclog_close(rl);

	buf = tu_read_file(p, &len);
	snprintf(line, sizeof(line), "host a up\t%08x\n",
	    crc32c(0, "host a up", 9));
	ck_assert_int_eq(strncmp(buf, line, strlen(line)), 0);
	free(buf);

	rl = open_collect(p, RECLOG_TEXT, &s, NULL);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_str_eq(s.rec[0], "host a up");
	ck_assert_str_eq(s.rec[1], "tab\there");
	ck_assert_str_eq(s.rec[2], "");
	ck_assert_int_eq(s.flags[0], 0);
	ck_assert_int_eq(s.flags[2], 0);
	reclog_close(rl);
	seen_free(&s);
	free(p);
}
END_TEST

START_TEST(test_text_damaged_and_unchecked)
{
	char *p = tu_path(dir, "events.log"), *buf, *nl;
	struct reclog_stats st;
	struct reclog *rl;
	struct seen s = { 0 };
	size_t len, i;
	char rec[16];

	rl = open_collect(p, RECLOG_TEXT, &s, NULL);
	for (i = 1; i <= 5; i++) {
		snprintf(rec, sizeof(rec), "event %zu", i);
		ck_assert_int_eq(reclog_append(rl, rec, strlen(rec)), 0);
		ck_assert_int_eq(reclog_commit(rl), 0);
	}
	reclog_close(rl);
	/* Damage line 3, add lines edited by hand. */
	buf = tu_read_file(p, &len);
	nl = buf;
	for (i = 0; i < 2; i++)
		nl = strchr(nl, '\n') + 1;
	ck_assert_int_eq(nl[6], '3');
	nl[6] = '8';
	buf = grow(buf, len + 64);
	memcpy(buf + len, "\nby hand\nx\tdeadbee\n", 19);
	tu_write_file(p, buf, len + 19);

	rl = open_collect(p, RECLOG_TEXT, &s, &st);
	ck_assert_uint_eq(s.n, 6);
	ck_assert_str_eq(s.rec[0], "event 1");
	ck_assert_str_eq(s.rec[1], "event 2");
	ck_assert_str_eq(s.rec[2], "event 4");
	ck_assert_str_eq(s.rec[3], "event 5");
	ck_assert_int_eq(s.flags[3], 0);
	ck_assert_str_eq(s.rec[4], "by hand");
	ck_assert_int_eq(s.flags[4], RECLOG_UNCHECKED);
	ck_assert_str_eq(s.rec[5], "x\tdeadbee");
	ck_assert_int_eq(s.flags[5], RECLOG_UNCHECKED);
	ck_assert_uint_eq(st.bad_skipped, 1);
	ck_assert_uint_eq(st.records, 6);
	ck_assert_msg(tu_log_contains("line 3: checksum mismatch"), "%s",
	    tu_log_text());
	/* Damage in the middle is reported, never cut. */
	ck_assert_uint_eq(st.tail_dropped, 0);
	ck_assert_ptr_null(st.set_aside);
	ck_assert_int_eq(file_size(p), (off_t)len + 19);
	reclog_close(rl);
	seen_free(&s);
	free(buf);
	free(p);
}
END_TEST

START_TEST(test_text_torn_and_long)
{
	char *p = tu_path(dir, "events.log"), *buf, *copy, *longline;
	struct reclog_stats st;
	struct reclog *rl;
	struct seen s = { 0 };
	size_t len, clen;

	rl = open_collect(p, RECLOG_TEXT, &s, NULL);
	ck_assert_int_eq(reclog_append(rl, "one", 3), 0);
	ck_assert_int_eq(reclog_append(rl, "two", 3), 0);
	ck_assert_int_eq(reclog_commit(rl), 0);
	reclog_close(rl);
	/* A line longer than any record, then a torn one. */
	longline = malloc(3 * MAXREC);
	memset(longline, 'L', 3 * MAXREC);
	longline[3 * MAXREC - 1] = '\n';
	buf = tu_read_file(p, &len);
	buf = grow(buf, len + 3 * MAXREC + 16);
	memcpy(buf + len, longline, 3 * MAXREC);
	memcpy(buf + len + 3 * MAXREC, "three\t1234", 10);
	tu_write_file(p, buf, len + 3 * MAXREC + 10);

	rl = open_collect(p, RECLOG_TEXT, &s, &st);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(st.bad_skipped, 1);
	ck_assert(tu_log_contains("line 3: too long"));
	ck_assert_uint_eq(st.tail_dropped, 10);
	ck_assert_int_eq(file_size(p), (off_t)(len + 3 * MAXREC));
	ck_assert_ptr_nonnull(st.set_aside);
	copy = tu_read_file(st.set_aside, &clen);
	ck_assert_uint_eq(clen, len + 3 * MAXREC + 10);
	free(copy);
	ck_assert(tu_log_contains("torn write"));
	ck_assert_int_eq(reclog_append(rl, "three", 5), 0);
	ck_assert_int_eq(reclog_commit(rl), 0);
	reclog_close(rl);
	seen_free(&s);

	rl = open_collect(p, RECLOG_TEXT, &s, &st);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_str_eq(s.rec[2], "three");
	ck_assert_uint_eq(st.tail_dropped, 0);
	reclog_close(rl);
	seen_free(&s);
	free(longline);
	free(buf);
	free(p);
}
END_TEST

/* Lines longer than the read buffer are skipped piece by piece. */
START_TEST(test_text_huge_lines)
{
	char *p = tu_path(dir, "events.log"), *buf;
	struct reclog_stats st;
	struct reclog *rl;
	struct seen s = { 0 };
	size_t huge = 3 * 1024 * 1024, len;

	buf = malloc(2 * huge + 64);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, "first\n", 6);
	memset(buf + 6, 'H', huge);
	buf[6 + huge] = '\n';
	memcpy(buf + 7 + huge, "after\n", 6);
	memset(buf + 13 + huge, 'T', huge);
	len = 13 + 2 * huge;
	tu_write_file(p, buf, len);

	rl = reclog_open(p, RECLOG_TEXT, 100, 0600, collect, &s, &st);
	ck_assert_ptr_nonnull(rl);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.rec[0], "first");
	ck_assert_str_eq(s.rec[1], "after");
	ck_assert_uint_eq(st.bad_skipped, 1);
	ck_assert(tu_log_contains("line 2: too long"));
	/* The torn last line is as long as the other: cut from its start. */
	ck_assert_uint_eq(st.tail_dropped, huge);
	ck_assert_int_eq(file_size(p), (off_t)(13 + huge));
	reclog_close(rl);
	seen_free(&s);
	free(buf);
	free(p);
}
END_TEST

#define PER_CHILD	400

static void
text_appender(const char *path, int id)
{
	struct reclog *rl;
	char rec[64];
	int i, n;

	rl = reclog_open(path, RECLOG_TEXT, MAXREC, 0600, NULL, NULL, NULL);
	if (rl == NULL)
		_exit(2);
	for (i = 0; i < PER_CHILD; i++) {
		/* Long enough that a torn interleaving would show. */
		n = snprintf(rec, sizeof(rec), "child %d event %d %040d", id,
		    i, i);
		if (reclog_append(rl, rec, (size_t)n) == -1 ||
		    reclog_commit(rl) == -1)
			_exit(3);
	}
	reclog_close(rl);
	_exit(0);
}

START_TEST(test_text_concurrent)
{
	char *p = tu_path(dir, "events.log");
	struct reclog_stats st;
	struct reclog *rl;
	struct seen s = { 0 };
	int next[2] = { 0, 0 }, id, i, status;
	pid_t pid[2];
	size_t k;

	for (id = 0; id < 2; id++) {
		pid[id] = fork();
		ck_assert_int_ge(pid[id], 0);
		if (pid[id] == 0)
			text_appender(p, id);
	}
	for (id = 0; id < 2; id++) {
		ck_assert_int_eq(waitpid(pid[id], &status, 0), pid[id]);
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), 0);
	}
	rl = open_collect(p, RECLOG_TEXT, &s, &st);
	ck_assert_uint_eq(s.n, 2 * PER_CHILD);
	ck_assert_uint_eq(st.bad_skipped, 0);
	ck_assert_uint_eq(st.tail_dropped, 0);
	for (k = 0; k < s.n; k++) {
		ck_assert_int_eq(s.flags[k], 0);
		ck_assert_int_eq(sscanf(s.rec[k], "child %d event %d", &id,
		    &i), 2);
		ck_assert(id == 0 || id == 1);
		ck_assert_int_eq(i, next[id]);
		next[id]++;
	}
	reclog_close(rl);
	seen_free(&s);
	free(p);
}
END_TEST

static Suite *
reclog_suite(void)
{
	Suite *s = suite_create("reclog");
	TCase *tc;

	tc = tcase_create("crc32c");
	tcase_add_test(tc, test_crc32c);
	suite_add_tcase(s, tc);

	tc = tcase_create("binary");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_bin_roundtrip);
	tcase_add_test(tc, test_bin_limits);
	tcase_add_test(tc, test_bin_truncate_everywhere);
	tcase_add_test(tc, test_bin_corrupt_middle);
	tcase_add_test(tc, test_bin_flip_every_byte);
	tcase_add_test(tc, test_bin_damage_large);
	tcase_add_test(tc, test_bin_bad_header);
	tcase_add_test(tc, test_bin_compact);
	tcase_add_test(tc, test_bin_compact_replace_hook);
	tcase_add_test(tc, test_bin_compact_replaced_without_fd);
	tcase_add_test(tc, test_bin_short_zero_tail);
	tcase_add_test(tc, test_replay_file_readonly);
	tcase_add_test(tc, test_bin_commit_fails);
	suite_add_tcase(s, tc);

	tc = tcase_create("crash");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bin_kill_appender);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_text_roundtrip);
	tcase_add_test(tc, test_text_damaged_and_unchecked);
	tcase_add_test(tc, test_text_torn_and_long);
	tcase_add_test(tc, test_text_huge_lines);
	tcase_add_test(tc, test_text_concurrent);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(reclog_suite)
