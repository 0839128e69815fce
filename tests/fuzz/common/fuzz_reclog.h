/*
 * The record log's replay, for both framings (fuzz_reclog_binary.c and
 * fuzz_reclog_text.c).  The input is a log file as found on disk.
 * Whatever it holds:
 *  - the read-only replay (reclog_replay_file) and the replay of an open
 *    (which cuts a torn tail) hand over the same records;
 *  - a record appended and committed after the open reads back after the
 *    records found, and nothing is left to cut then;
 *  - a log of a newer version is refused by both, and left as it was.
 */
#ifndef HM_FUZZ_RECLOG_H
#define HM_FUZZ_RECLOG_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reclog.h"
#include "../fuzzutil.h"

#define FZ_RECLOG_MAX	4096

/* Every record replayed, with its flags: [flags len bytes]... */
struct fz_recs {
	unsigned char	*b;
	size_t		 len, cap;
	uint64_t	 n;
};

static int
fz_recs_add(const void *rec, size_t len, int flags, uint64_t where,
    void *arg)
{
	struct fz_recs *r = arg;
	size_t need = r->len + 1 + sizeof(size_t) + len;

	(void)where;
	FUZZ_CHECK(len <= FZ_RECLOG_MAX);
	if (need > r->cap) {
		size_t cap = need * 2;
		unsigned char *p = realloc(r->b, cap);

		FUZZ_CHECK(p != NULL);
		r->b = p;
		r->cap = cap;
	}
	r->b[r->len++] = (unsigned char)flags;
	memcpy(r->b + r->len, &len, sizeof(len));
	r->len += sizeof(len);
	memcpy(r->b + r->len, rec, len);
	r->len += len;
	r->n++;
	return 0;
}

static int
fz_recs_equal(const struct fz_recs *a, const struct fz_recs *b)
{
	return a->n == b->n && a->len == b->len &&
	    (a->len == 0 || memcmp(a->b, b->b, a->len) == 0);
}

static void
fz_reclog_one(enum reclog_framing framing, const uint8_t *data, size_t size)
{
	static const char added[] = "appended after the replay";
	struct fz_recs ro = { 0 }, rw = { 0 }, after = { 0 }, want = { 0 };
	struct reclog_stats st;
	struct reclog *rl;
	char path[512];
	int r, e;

	fz_scratch();
	fz_path(path, sizeof(path), "log");
	fz_write(path, data, size);

	r = reclog_replay_file(path, framing, FZ_RECLOG_MAX, fz_recs_add, &ro,
	    &st);
	e = errno;
	rl = reclog_open(path, framing, FZ_RECLOG_MAX, 0600, fz_recs_add, &rw,
	    NULL);
	if (r == -1) {
		/* Only a newer version is refused; open refuses it too. */
		FUZZ_CHECK(e == EPROTO);
		FUZZ_CHECK(rl == NULL && errno == EPROTO);
		goto out;
	}
	FUZZ_CHECK(rl != NULL);
	FUZZ_CHECK(st.records == ro.n);
	FUZZ_CHECK(fz_recs_equal(&ro, &rw));
	FUZZ_CHECK(reclog_append(rl, added, sizeof(added) - 1) == 0);
	FUZZ_CHECK(reclog_commit(rl) == 0);
	reclog_close(rl);

	FUZZ_CHECK(reclog_replay_file(path, framing, FZ_RECLOG_MAX,
	    fz_recs_add, &after, &st) == 0);
	FUZZ_CHECK(st.tail_dropped == 0);
	want = ro;
	want.b = NULL;
	want.cap = 0;
	want.len = 0;
	want.n = 0;
	if (ro.len > 0) {
		FUZZ_CHECK((want.b = malloc(ro.len)) != NULL);
		memcpy(want.b, ro.b, ro.len);
		want.len = want.cap = ro.len;
		want.n = ro.n;
	}
	fz_recs_add(added, sizeof(added) - 1, 0, 0, &want);
	FUZZ_CHECK(fz_recs_equal(&after, &want));
out:
	free(ro.b);
	free(rw.b);
	free(after.b);
	free(want.b);
}

#endif
