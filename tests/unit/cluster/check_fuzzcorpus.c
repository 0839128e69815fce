/*
 * libhmcluster's fuzz target (tests/fuzz/cluster) over its committed
 * corpus and crash inputs, deterministically, with the normal build.
 */
#include <check.h>

#include "../check_main.h"

#define LLVMFuzzerTestOneInput	fuzz_members_one
#include "../../fuzz/cluster/fuzz_members.c"
#undef LLVMFuzzerTestOneInput

#include "../../fuzz/replay.h"

START_TEST(corpus_members)
{
	ck_assert_int_ge(fz_replay("cluster", "members", fuzz_members_one, 1),
	    1);
}
END_TEST

static Suite *
fuzzcorpus_suite(void)
{
	Suite *s = suite_create("cluster_fuzzcorpus");
	TCase *tc = tcase_create("corpus");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, corpus_members);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(fuzzcorpus_suite)
