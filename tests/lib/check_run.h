/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The main() of every Check program here: run one suite (CK_ENV, so
 * CK_VERBOSITY and CK_FORK apply) and exit non-zero if anything failed.
 */
#ifndef GP_TEST_CHECK_RUN_H
#define GP_TEST_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

static inline int gp_check_run(Suite *suite)
{
	SRunner *sr = srunner_create(suite);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* GP_TEST_CHECK_RUN_H */
