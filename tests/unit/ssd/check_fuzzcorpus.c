/*
 * ssd's fuzz targets (tests/fuzz/ssd) over their committed corpus and
 * crash inputs, deterministically, with the normal build: status files
 * as csstat(3) and ss read them, and names and words from outside.
 */
#include <check.h>

#include "../check_main.h"

#define LLVMFuzzerTestOneInput	fuzz_status_one
#include "../../fuzz/ssd/fuzz_status.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_names_one
#include "../../fuzz/ssd/fuzz_names.c"
#undef LLVMFuzzerTestOneInput

#include "../../fuzz/replay.h"

START_TEST(corpus_status)
{
	ck_assert_int_ge(fz_replay("ssd", "status", fuzz_status_one, 1), 5);
}
END_TEST

START_TEST(corpus_names)
{
	ck_assert_int_ge(fz_replay("ssd", "names", fuzz_names_one, 1), 5);
}
END_TEST

static Suite *
fuzzcorpus_suite(void)
{
	Suite *s = suite_create("ssd_fuzzcorpus");
	TCase *tc = tcase_create("corpus");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, corpus_status);
	tcase_add_test(tc, corpus_names);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(fuzzcorpus_suite)
