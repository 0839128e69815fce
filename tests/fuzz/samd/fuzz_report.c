/*
 * libFuzzer target: samrep's model of an event log (report.c), from the log
 * file as found.  Whatever the file holds, the sums over a period must be
 * sane for every object: no negative down time, no more down time than
 * the object was observed, an uptime between 0 and 100 % (or unknown).
 */
#include <stdint.h>
#include <string.h>

#include "../../../src/samd/report.h"
#include "../../../src/samd/sam.h"
#include "../fuzzutil.h"

static void
fz_report_check(struct rep *r, int64_t beg, int64_t end)
{
	uint32_t i;
	double up;

	rep_compute(r, beg, end, 0);
	for (i = 0; i < r->nobjs; i++) {
		struct rep_obj *o = &r->objs[i];

		FUZZ_CHECK(o->unplanned >= 0 && o->planned >= 0);
		FUZZ_CHECK(o->observed >= 0 && o->observed <= end - beg);
		FUZZ_CHECK(o->unplanned + o->planned <= o->observed);
		FUZZ_CHECK(rep_find(r, o->type, o->name) == (int)i);
		up = rep_uptime(o, 0);
		FUZZ_CHECK(up == -1 || (up >= 0 && up <= 100));
		up = rep_uptime(o, 1);
		FUZZ_CHECK(up == -1 || (up >= 0 && up <= 100));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reclog_stats st;
	struct rep r;
	char path[512];
	size_t i;

	fz_scratch();
	fz_path(path, sizeof(path), "eventlog");
	fz_write(path, data, size);
	rep_init(&r);
	/* The first byte picks which events keep their strings. */
	r.keep_all = size > 0 && (data[0] & 1);
	r.sel_type = size > 0 && (data[0] & 2) ? SAM_APPL : -1;
	r.sel_name = size > 0 && (data[0] & 4) ? "samd" : NULL;
	if (rep_load(&r, path, &st) == 0 && rep_finish(&r) == 0) {
		for (i = 1; i < r.nev; i++)
			FUZZ_CHECK(r.evs[i - 1].time <= r.evs[i].time);
		fz_report_check(&r, 0, SAM_TIME_MAX);
		if (r.nev > 0)
			fz_report_check(&r, r.evs[r.nev / 2].time,
			    r.evs[r.nev - 1].time);
	}
	rep_free(&r);
	return 0;
}
