/*
 * The record log's fuzz targets (tests/fuzz/common) over their committed
 * corpus and crash inputs, deterministically, with the normal build.
 */
#include <check.h>

#include "../check_main.h"

#define LLVMFuzzerTestOneInput	fuzz_reclog_binary_one
#include "../../fuzz/common/fuzz_reclog_binary.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_reclog_text_one
#include "../../fuzz/common/fuzz_reclog_text.c"
#undef LLVMFuzzerTestOneInput

#include "../../fuzz/replay.h"

START_TEST(corpus_binary)
{
	ck_assert_int_ge(fz_replay("common", "reclog_binary",
	    fuzz_reclog_binary_one, 1), 5);
}
END_TEST

START_TEST(corpus_text)
{
	ck_assert_int_ge(fz_replay("common", "reclog_text",
	    fuzz_reclog_text_one, 1), 3);
}
END_TEST

static Suite *
fuzzcorpus_suite(void)
{
	Suite *s = suite_create("common_fuzzcorpus");
	TCase *tc = tcase_create("corpus");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, corpus_binary);
	tcase_add_test(tc, corpus_text);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(fuzzcorpus_suite)
