/*
 * libFuzzer target: smsd's request-target parser.  Whatever the bytes, it
 * must return a known status, and a parsed pattern must be a valid one; a
 * station file's name one path component that cannot leave the station's
 * folder; a member's name a valid one, and its target a resource of /v1.
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
	if (rv == 0 && r.res == RES_STATION && r.file[0] != '\0' &&
	    (!station_name_ok(r.file, strlen(r.file)) ||
	    strchr(r.file, '/') != NULL || strstr(r.file, "..") != NULL ||
	    r.file[0] == '.'))
		abort();
	if (rv == 0 && r.res == RES_MEMBER &&
	    (!valid_member_name(r.member) ||
	    strncmp(r.target, "/v1/", 4) != 0 ||
	    strlen(r.target) > SMSD_URI_MAX || r.target_res == RES_MEMBER ||
	    r.target_res == RES_NONE))
		abort();
	return 0;
}
