/*
 * libFuzzer target: samd and samlog appending to an event log as found
 * (evlog.c: the scan for the highest id and the format version).  After an
 * event is written, the log reads back with that event last, with an id
 * above every id before it; a log of a newer format is refused untouched.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reclog.h"
#include "../../../src/samd/sam.h"
#include "../fuzzutil.h"

struct fz_evlog_scan {
	uint64_t	maxid;		/* of the records before the last */
	uint64_t	lastid;
	int		last_ok;
	char		last_kind;
};

static int
fz_evlog_one(const void *rec, size_t len, int flags, uint64_t where,
    void *arg)
{
	struct fz_evlog_scan *s = arg;
	struct sam_rec r;
	const char *why;

	(void)flags;
	(void)where;
	if (s->last_ok && s->lastid > s->maxid)
		s->maxid = s->lastid;
	s->last_ok = sam_rec_parse(rec, len, &r, &why) == 0 && r.kind != 'V';
	s->lastid = s->last_ok ? r.evid : 0;
	s->last_kind = s->last_ok ? r.kind : 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sam_paths p;
	struct sam_event ev;
	struct fz_evlog_scan s;
	const char *dir = fz_scratch();

	FUZZ_CHECK(sam_paths_init(&p, dir) == 0);
	FUZZ_CHECK(sam_mkdirs(&p) == 0);
	fz_write(p.eventlog, data, size);
	memset(&ev, 0, sizeof(ev));
	ev.kind = 'E';
	ev.time = 1700000000;
	ev.type = SAM_APPL;
	ev.state = SAM_UP;
	ev.plan = SAM_PLAN_NONE;
	strcpy(ev.name, SAM_APPL_NAME);
	strcpy(ev.msg, "fuzz");
	if (sam_evlog_write(&p, &ev) == -1) {
		/* A newer format, or no id left: nothing else refuses. */
		FUZZ_CHECK(errno == EPROTO || errno == EOVERFLOW);
		return 0;
	}
	memset(&s, 0, sizeof(s));
	FUZZ_CHECK(reclog_replay_file(p.eventlog, RECLOG_TEXT, SAM_REC_MAX,
	    fz_evlog_one, &s, NULL) == 0);
	FUZZ_CHECK(s.last_ok && s.last_kind == 'E' && s.lastid == ev.evid);
	FUZZ_CHECK(ev.evid > s.maxid);
	return 0;
}
