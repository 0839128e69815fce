/*
 * samd's fuzz targets (tests/fuzz/samd) over their committed corpus and
 * crash inputs, deterministically, with the normal build: event log lines,
 * the report model, appending to a log as found, and the tools' values.
 */
#include <check.h>

#include "../check_main.h"

#define LLVMFuzzerTestOneInput	fuzz_evrec_one
#include "../../fuzz/samd/fuzz_evrec.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_report_one
#include "../../fuzz/samd/fuzz_report.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_evlog_one
#include "../../fuzz/samd/fuzz_evlog.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_params_one
#include "../../fuzz/samd/fuzz_params.c"
#undef LLVMFuzzerTestOneInput

#include "../../fuzz/replay.h"

START_TEST(corpus_evrec)
{
	ck_assert_int_ge(fz_replay("samd", "evrec", fuzz_evrec_one, 1), 3);
}
END_TEST

START_TEST(corpus_report)
{
	ck_assert_int_ge(fz_replay("samd", "report", fuzz_report_one, 1), 3);
}
END_TEST

START_TEST(corpus_evlog)
{
	ck_assert_int_ge(fz_replay("samd", "evlog", fuzz_evlog_one, 1), 4);
}
END_TEST

START_TEST(corpus_params)
{
	ck_assert_int_ge(fz_replay("samd", "params", fuzz_params_one, 1), 10);
}
END_TEST

static Suite *
fuzzcorpus_suite(void)
{
	Suite *s = suite_create("samd_fuzzcorpus");
	TCase *tc = tcase_create("corpus");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, corpus_evrec);
	tcase_add_test(tc, corpus_report);
	tcase_add_test(tc, corpus_evlog);
	tcase_add_test(tc, corpus_params);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(fuzzcorpus_suite)
