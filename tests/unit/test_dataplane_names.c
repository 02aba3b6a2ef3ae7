// SPDX-License-Identifier: GPL-2.0-only
/* Every data plane counter has a name that nsrpctl can print. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "dataplane.h"
#include "../harness.h"

static void test_every_counter_is_named(void)
{
	for (int i = 0; i < NSRP_CNT_MAX; i++)
		CU_ASSERT_STRING_NOT_EQUAL(dp_counter_name(i), "unknown");
	CU_ASSERT_STRING_EQUAL(dp_counter_name(NSRP_CNT_MAX), "unknown");
}

static void test_counter_names_are_unique(void)
{
	for (int i = 0; i < NSRP_CNT_MAX; i++)
		for (int j = i + 1; j < NSRP_CNT_MAX; j++)
			CU_ASSERT_STRING_NOT_EQUAL(dp_counter_name(i),
						   dp_counter_name(j));
}

TEST_SUITE(dataplane_names, NULL, NULL,
	   TEST(test_every_counter_is_named),
	   TEST(test_counter_names_are_unique))
