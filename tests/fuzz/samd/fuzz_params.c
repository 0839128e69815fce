/*
 * libFuzzer target: the values samd's tools take from their command lines
 * and the start script (samconf.c): times, object types, states, planned
 * flags, reasons, free-text fields and the SAM root.  The first byte picks
 * the parser, the rest is the value (up to its first NUL).  What a parser
 * accepts must be in range and read back the same way.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../../src/samd/sam.h"
#include "../fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int tz_set;
	struct sam_paths p;
	enum sam_type t;
	enum sam_state st;
	enum sam_plan pl;
	enum sam_reason re;
	const char *why;
	char *s, buf[64];
	int64_t when, again;
	size_t len;

	if (size == 0)
		return 0;
	if (!tz_set) {
		/* Local-time formats: one zone, so ranges are exact. */
		setenv("TZ", "UTC", 1);
		tzset();
		tz_set = 1;
	}
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	len = strlen(s);
	switch (data[0] % 7) {
	case 0:
		if (sam_parse_time(s, &when) == 0 && strcmp(s, "now") != 0) {
			FUZZ_CHECK(when >= 0 && when <= SAM_TIME_MAX);
			snprintf(buf, sizeof(buf), "@%lld", (long long)when);
			FUZZ_CHECK(sam_parse_time(buf, &again) == 0 &&
			    again == when);
			FUZZ_CHECK(sam_fmt_time(when, buf, sizeof(buf)) != NULL);
		}
		break;
	case 1:
		if (sam_type_parse(s, len, &t) == 0) {
			FUZZ_CHECK((unsigned)t < SAM_NTYPES);
			FUZZ_CHECK(strcmp(sam_type_name(t), s) == 0);
		}
		break;
	case 2:
		if (sam_state_parse(s, len, &st) == 0) {
			FUZZ_CHECK((unsigned)st < SAM_NSTATES);
			FUZZ_CHECK(strcmp(sam_state_name(st), s) == 0);
		}
		break;
	case 3:
		if (sam_plan_parse(s, len, &pl) == 0) {
			FUZZ_CHECK(sam_plan_parse(sam_plan_name(pl),
			    strlen(sam_plan_name(pl)), &pl) == 0);
		}
		break;
	case 4:
		if (sam_reason_parse(s, &re) == 0)
			FUZZ_CHECK(strcmp(sam_reason_name(re), s) == 0);
		break;
	case 5:
		if (sam_field_check(s, len, SAM_MSG_MAX, 1, &why) == 0) {
			FUZZ_CHECK(len <= SAM_MSG_MAX);
			FUZZ_CHECK(memmem(s, len, SAM_SEP, SAM_SEP_LEN) == NULL);
		} else
			FUZZ_CHECK(why != NULL);
		break;
	case 6:
		if (sam_paths_init(&p, s) == 0) {
			FUZZ_CHECK(p.root[0] == '/');
			FUZZ_CHECK(strncmp(p.eventlog, p.root,
			    strlen(p.root)) == 0);
			FUZZ_CHECK(strlen(p.samkeep_pid) < PATH_MAX);
		}
		break;
	}
	free(s);
	return 0;
}
