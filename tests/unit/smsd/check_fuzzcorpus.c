/*
 * smsd's fuzz targets (tests/fuzz/smsd) over their committed corpus and
 * crash inputs, deterministically, with the normal build (make fuzz runs
 * libFuzzer itself; this runs in make check): request targets, posted
 * events, smsd.conf, dpkg's status file, the cached inventory files,
 * the event history file and request heads.
 */
#include <check.h>
#include <string.h>

#include "../check_main.h"

#define LLVMFuzzerTestOneInput	fuzz_request_one
#include "../../fuzz/smsd/fuzz_request.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_post_one
#include "../../fuzz/smsd/fuzz_post.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_conf_one
#include "../../fuzz/smsd/fuzz_conf.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_dpkg_one
#include "../../fuzz/smsd/fuzz_dpkg.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_inventory_one
#include "../../fuzz/smsd/fuzz_inventory.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_history_one
#include "../../fuzz/smsd/fuzz_history.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_head_one
#include "../../fuzz/smsd/fuzz_head.c"
#undef LLVMFuzzerTestOneInput

#include "../../fuzz/replay.h"

START_TEST(corpus_request)
{
	ck_assert_int_gt(fz_replay("smsd", "request", fuzz_request_one, 1), 5);
}
END_TEST

START_TEST(corpus_post)
{
	ck_assert_int_gt(fz_replay("smsd", "post", fuzz_post_one, 1), 5);
}
END_TEST

START_TEST(corpus_conf)
{
	ck_assert_int_ge(fz_replay("smsd", "conf", fuzz_conf_one, 1), 2);
}
END_TEST

START_TEST(corpus_dpkg)
{
	ck_assert_int_ge(fz_replay("smsd", "dpkg", fuzz_dpkg_one, 1), 3);
}
END_TEST

START_TEST(corpus_inventory)
{
	ck_assert_int_ge(fz_replay("smsd", "inventory", fuzz_inventory_one, 1),
	    3);
}
END_TEST

START_TEST(corpus_history)
{
	ck_assert_int_ge(fz_replay("smsd", "history", fuzz_history_one, 0), 2);
}
END_TEST

START_TEST(corpus_head)
{
	ck_assert_int_ge(fz_replay("smsd", "head", fuzz_head_one, 1), 7);
}
END_TEST

/* Every prefix of a typical request and message, too. */
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

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, corpus_request);
	tcase_add_test(tc, corpus_post);
	tcase_add_test(tc, corpus_conf);
	tcase_add_test(tc, corpus_dpkg);
	tcase_add_test(tc, corpus_inventory);
	tcase_add_test(tc, corpus_history);
	tcase_add_test(tc, corpus_head);
	tcase_add_test(tc, truncations);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(fuzzcorpus_suite)
