/*
 * The fuzz targets' corpus, replayed deterministically through the same
 * checks (make fuzz runs libFuzzer itself; this runs in make check).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check_main.h"
#include "../testutil.h"

#define LLVMFuzzerTestOneInput	fuzz_request_one
#include "../../fuzz/smsd/fuzz_request.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_post_one
#include "../../fuzz/smsd/fuzz_post.c"
#undef LLVMFuzzerTestOneInput

static int
replay(const char *sub, int (*fn)(const uint8_t *, size_t))
{
	const char *root = getenv("SMSD_FUZZ_CORPUS");
	char dir[512], *path, *buf;
	struct dirent *de;
	size_t len;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/%s", root ? root :
	    "tests/fuzz/smsd/corpus", sub);
	ck_assert_msg((d = opendir(dir)) != NULL, "no corpus at %s", dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		path = tu_path(dir, de->d_name);
		buf = tu_read_file(path, &len);
		fn((const uint8_t *)buf, len);
		free(buf);
		free(path);
		n++;
	}
	closedir(d);
	return n;
}

START_TEST(corpus_request)
{
	ck_assert_int_gt(replay("request", fuzz_request_one), 5);
}
END_TEST

START_TEST(corpus_post)
{
	ck_assert_int_gt(replay("post", fuzz_post_one), 5);
}
END_TEST

/* Every prefix of every seed, so cut-off inputs are covered too. */
START_TEST(truncations)
{
	const char *s = "/v1/events?name=sys.%2a&priority=warning&limit=3";
	const char *p = "name=a.b\npriority=notice\nmessage=hello\n";
	size_t i;

	for (i = 0; i <= strlen(s); i++)
		fuzz_request_one((const uint8_t *)s, i);
	for (i = 0; i <= strlen(p); i++)
		fuzz_post_one((const uint8_t *)p, i);
}
END_TEST

static Suite *
fuzzcorpus_suite(void)
{
	Suite *s = suite_create("smsd_fuzzcorpus");
	TCase *tc = tcase_create("corpus");

	tcase_add_test(tc, corpus_request);
	tcase_add_test(tc, corpus_post);
	tcase_add_test(tc, truncations);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(fuzzcorpus_suite)
