/*
 * libFuzzer target: smsd's request-target parser.  Whatever the bytes, it
 * must return a known status, and a parsed pattern must be a valid one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/smsd/smsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req r;
	const char *why;
	int rv;

	rv = req_parse((const char *)data, size, &r, &why);
	if (rv != 0 && rv != 400 && rv != 404 && rv != 414)
		abort();
	if (rv == 0 && r.pattern[0] != '\0' &&
	    !pattern_valid(r.pattern, strlen(r.pattern)))
		abort();
	if (rv == 0 && (r.min_priority < 0 || r.min_priority > 700))
		abort();
	return 0;
}
