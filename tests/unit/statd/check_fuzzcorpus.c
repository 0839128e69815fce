/*
 * rpc.statd's fuzz targets (tests/fuzz/statd) over their committed corpus
 * and crash inputs, deterministically, with the normal build: the RPC
 * handlers behind the XDR decoders, the status file's decoder, and the
 * parser of nfs-utils' sm/ files.
 */
#include <check.h>

#include "../check_main.h"

#define LLVMFuzzerTestOneInput	fuzz_rpc_one
#include "../../fuzz/statd/fuzz_rpc.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_statusfile_one
#include "../../fuzz/statd/fuzz_statusfile.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_nsmfile_one
#include "../../fuzz/statd/fuzz_nsmfile.c"
#undef LLVMFuzzerTestOneInput

#include "../../fuzz/replay.h"

START_TEST(corpus_rpc)
{
	ck_assert_int_ge(fz_replay("statd", "rpc", fuzz_rpc_one, 1), 5);
}
END_TEST

START_TEST(corpus_statusfile)
{
	ck_assert_int_ge(fz_replay("statd", "statusfile", fuzz_statusfile_one,
	    1), 5);
}
END_TEST

START_TEST(corpus_nsmfile)
{
	ck_assert_int_ge(fz_replay("statd", "nsmfile", fuzz_nsmfile_one, 1),
	    5);
}
END_TEST

static Suite *
fuzzcorpus_suite(void)
{
	Suite *s = suite_create("statd_fuzzcorpus");
	TCase *tc = tcase_create("corpus");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, corpus_rpc);
	tcase_add_test(tc, corpus_statusfile);
	tcase_add_test(tc, corpus_nsmfile);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(fuzzcorpus_suite)
