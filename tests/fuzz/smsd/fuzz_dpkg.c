/*
 * libFuzzer target: dpkg's status file as smsd's software source reads it
 * (software.c).  The parser is given exactly the file's bytes (no NUL
 * after them).  Must hold: the result is an array of package objects,
 * each with a string name and state, and it serializes to JSON that
 * reads back equal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/smsd/smsd.h"
#include "../fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *arr, *pkg, *back;
	json_error_t err;
	char *text;
	size_t i;

	arr = dpkg_parse_status((const char *)data, size);
	FUZZ_CHECK(arr != NULL && json_is_array(arr));
	json_array_foreach(arr, i, pkg) {
		FUZZ_CHECK(json_is_object(pkg));
		FUZZ_CHECK(json_is_string(json_object_get(pkg, "name")));
		FUZZ_CHECK(json_is_string(json_object_get(pkg, "state")));
	}
	FUZZ_CHECK((text = json_dumps(arr, SMSD_JSON)) != NULL);
	/* A NUL in a field is sent escaped (\\u0000), as JSON allows. */
	back = json_loads(text, JSON_ALLOW_NUL, &err);
	FUZZ_CHECK(back != NULL && json_equal(back, arr));
	json_decref(back);
	free(text);
	json_decref(arr);
	return 0;
}
