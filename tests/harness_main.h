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

/* Each name on the command line must be a suite: a typo runs nothing. */
static int harness_names_known(const char *binary, int argc, char **argv)
{
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		struct test_suite *s = harness_suites;

		while (s && strcmp(s->name, argv[i]))
			s = s->next;
		if (!s) {
			fprintf(stderr, "%s: no suite named %s\n", binary,
				argv[i]);
			bad = 1;
		}
	}
	return bad;
}

static int harness_add(struct test_suite *s)
{
	CU_pSuite cs = CU_add_suite_with_setup_and_teardown(
		s->name, s->init, s->cleanup, s->setup, s->teardown);

	if (!cs)
		return -1;
	for (const struct test_case *c = s->cases; c->name; c++)
		if (!CU_add_test(cs, c->name, c->fn))
			return -1;
	return 0;
}

/*
 * Cases that could not pass: those that failed, and every case of a
 * suite whose init failed (CUnit runs none of them, and counts the
 * suite once), plus one for a suite whose cleanup failed.
 */
static unsigned int harness_failed(void)
{
	unsigned int failed = CU_get_number_of_tests_failed();

	for (CU_pFailureRecord f = CU_get_failure_list(); f; f = f->pNext) {
		if (f->type == CUF_SuiteInitFailed && f->pSuite)
			failed += f->pSuite->uiNumberOfTests;
		else if (f->type == CUF_SuiteCleanupFailed)
			failed++;
	}
	return failed;
}

static int harness_run(const char *binary, int argc, char **argv)
{
	unsigned int run, failed, broken, passed;

	if (harness_names_known(binary, argc, argv))
		return 2;
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
	broken = CU_get_number_of_tests_failed();
	failed = harness_failed();
	CU_cleanup_registry();
	/* A skipped case is one that ran and did not fail. */
	if (harness_skipped > run - broken)
		harness_skipped = run - broken;
	passed = run - broken - harness_skipped;
	printf("\n%s: %u passed, %u failed, %u skipped\n", binary, passed,
	       failed, harness_skipped);
	if (!failed && !run) {
		fprintf(stderr, "%s: no test ran\n", binary);
		return 1;
	}
	return failed ? 1 : 0;
}
