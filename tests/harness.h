/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * harness.h - CUnit suites that register themselves.
 *
 * A test file declares its cases with TEST_SUITE(); a constructor adds the
 * suite to the binary's registry, so adding a test never means editing a
 * list somewhere else. Both the unit and the BPF test binaries use it.
 */
#ifndef NSRPD_TEST_HARNESS_H
#define NSRPD_TEST_HARNESS_H

#include <CUnit/CUnit.h>

struct test_case {
	const char *name;
	CU_TestFunc fn;
};

struct test_suite {
	const char *name;
	CU_InitializeFunc init;
	CU_CleanupFunc cleanup;
	CU_SetUpFunc setup;		/* before each case, may be NULL */
	CU_TearDownFunc teardown;	/* after each, even a failed one */
	const struct test_case *cases;
	struct test_suite *next;
};

void harness_register(struct test_suite *suite);
/* Marks the running test as skipped: it counts as neither pass nor fail. */
void harness_skip(const char *why);

#define TEST(fn) { #fn, fn }

#define TEST_SUITE(id, init_fn, cleanup_fn, ...)                          \
	TEST_SUITE_EACH(id, init_fn, cleanup_fn, NULL, NULL, __VA_ARGS__)

/*
 * A suite whose every case runs between setup_fn and teardown_fn: a
 * failed CU_ASSERT_FATAL leaves the case, and teardown_fn still runs,
 * so what a case changes in the process (its network namespace, say)
 * never reaches the next one.
 */
#define TEST_SUITE_EACH(id, init_fn, cleanup_fn, setup_fn, teardown_fn,  \
			...)                                              \
	static const struct test_case id##_cases[] = { __VA_ARGS__,       \
						       { NULL, NULL } };  \
	static struct test_suite id##_suite = {                           \
		.name = #id, .init = init_fn, .cleanup = cleanup_fn,      \
		.setup = setup_fn, .teardown = teardown_fn,               \
		.cases = id##_cases,                                      \
	};                                                                \
	__attribute__((constructor)) static void id##_register(void)      \
	{                                                                 \
		harness_register(&id##_suite);                            \
	}

#endif
