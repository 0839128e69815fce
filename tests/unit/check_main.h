/*
 * CHECK_MAIN(suite_fn): the main() of a one-suite Check binary.  Output
 * follows CK_VERBOSITY (normal by default); the exit status is the number
 * of failed tests, capped at 1.
 */
#ifndef HM_CHECK_MAIN_H
#define HM_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define CHECK_MAIN(suite_fn)						\
int main(void);								\
int									\
main(void)								\
{									\
	SRunner *sr = srunner_create(suite_fn());			\
	int failed;							\
	srunner_run_all(sr, CK_ENV);					\
	failed = srunner_ntests_failed(sr);				\
	srunner_free(sr);						\
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;		\
}

#endif
