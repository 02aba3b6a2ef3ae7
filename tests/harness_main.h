/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * harness_main.h - main() of a test binary; included by exactly one file
 * of each binary. Runs every registered suite (or those named on the
 * command line) and ends with one line: "NAME: N passed, N failed, N skipped".
 */
#include <stdio.h>
#include <string.h>
#include <CUnit/Basic.h>

#include "harness.h"

static struct test_suite *harness_suites;
static unsigned int harness_skipped;

void harness_register(struct test_suite *suite)
{
	suite->next = harness_suites;
	harness_suites = suite;
}

void harness_skip(const char *why)
{
	printf("SKIP: %s\n", why);
	harness_skipped++;
}

static int harness_wanted(int argc, char **argv, const char *name)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

static int harness_add(struct test_suite *s)
{
	CU_pSuite cs = CU_add_suite(s->name, s->init, s->cleanup);

	if (!cs)
		return -1;
	for (const struct test_case *c = s->cases; c->name; c++)
		if (!CU_add_test(cs, c->name, c->fn))
			return -1;
	return 0;
}

static int harness_run(const char *binary, int argc, char **argv)
{
	unsigned int run, failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (struct test_suite *s = harness_suites; s; s = s->next)
		if (harness_wanted(argc, argv, s->name) && harness_add(s)) {
			fprintf(stderr, "%s: cannot register %s\n", binary,
				s->name);
			CU_cleanup_registry();
			return 2;
		}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	failed += CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	if (harness_skipped > run)
		harness_skipped = run;
	printf("\n%s: %u passed, %u failed, %u skipped\n", binary,
	       run - failed - harness_skipped, failed, harness_skipped);
	return failed ? 1 : 0;
}
