/*
 * libFuzzer target: samd's event log lines (evrec.c), one record per input
 * line.  A line the parser accepts must turn into an event that formats
 * (sam_rec_format, as samd and samlog write) to a line that parses back to
 * the same record.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/samd/sam.h"
#include "../fuzzutil.h"

static int
fz_field_is(const struct sam_field *f, const char *s)
{
	return f->len == strlen(s) && (f->len == 0 ||
	    memcmp(f->p, s, f->len) == 0);
}

static void
fz_evrec_line(const char *line, size_t len)
{
	struct sam_rec r, r2;
	struct sam_event ev;
	char buf[SAM_REC_MAX + 1];
	const char *why;
	int n;

	if (sam_rec_parse(line, len, &r, &why) == -1) {
		FUZZ_CHECK(why != NULL);
		return;
	}
	FUZZ_CHECK(r.kind == 'V' || r.kind == 'E' || r.kind == 'M');
	if (r.kind == 'V') {
		FUZZ_CHECK(r.version >= 1 && r.version <= 1000);
		return;
	}
	FUZZ_CHECK(r.name.len <= SAM_NAME_MAX && r.user.len <= SAM_USER_MAX &&
	    r.msg.len <= SAM_MSG_MAX);
	FUZZ_CHECK(sam_rec_to_event(&r, &ev) == 0);
	n = sam_rec_format(&ev, buf, sizeof(buf));
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(buf));
	FUZZ_CHECK(sam_rec_parse(buf, (size_t)n, &r2, &why) == 0);
	FUZZ_CHECK(r2.kind == r.kind && r2.evid == r.evid &&
	    r2.time == r.time && r2.logtime == r.logtime &&
	    r2.state == r.state && r2.plan == r.plan && r2.mask == r.mask);
	FUZZ_CHECK(r.kind == 'M' || r2.type == r.type);
	FUZZ_CHECK(fz_field_is(&r2.name, ev.name) &&
	    fz_field_is(&r2.user, ev.user) && fz_field_is(&r2.msg, ev.msg));
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		fz_evrec_line(p, (size_t)((nl != NULL ? nl : end) - p));
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}
