// SPDX-License-Identifier: GPL-2.0-only
/*
 * Keys derived off the loop: what the eventfd hands back is what a
 * derivation on the spot gives, and of several changes the newest wins.
 */
#include <poll.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "rekey.h"
#include "../harness.h"

/* Waits for the eventfd (bounded: a derivation takes seconds at most). */
static int wait_done(struct rekey *r, struct hacrypt_keys *k)
{
	struct pollfd p = { .fd = rekey_fd(r), .events = POLLIN };

	if (poll(&p, 1, 60000) != 1)
		return -1;
	return rekey_done(r, k);
}

static void test_derives_off_the_caller(void)
{
	struct hacrypt_keys got, want;
	struct rekey r;

	CU_ASSERT_EQUAL_FATAL(rekey_init(&r), 0);
	CU_ASSERT_EQUAL(rekey_start(&r, "s3cret", "hidden", 1), 0);
	CU_ASSERT_TRUE(rekey_busy(&r));
	CU_ASSERT_EQUAL(wait_done(&r, &got), 1);
	CU_ASSERT_FALSE(rekey_busy(&r));
	CU_ASSERT_EQUAL_FATAL(hacrypt_derive(&want, "s3cret", "hidden", 1), 0);
	CU_ASSERT_EQUAL(memcmp(&got, &want, sizeof(got)), 0);
	hacrypt_keys_clear(&got);
	hacrypt_keys_clear(&want);
	rekey_fini(&r);
}

/* A change made while one is derived is derived next; only it counts. */
static void test_newest_wins(void)
{
	struct hacrypt_keys got, want;
	struct rekey r;
	int ret;

	CU_ASSERT_EQUAL_FATAL(rekey_init(&r), 0);
	CU_ASSERT_EQUAL(rekey_start(&r, "first", NULL, 1), 0);
	CU_ASSERT_EQUAL(rekey_start(&r, "second", NULL, 1), 0);
	CU_ASSERT_EQUAL(rekey_start(&r, "third", NULL, 1), 0);
	/* The first ends with nothing to take: the third is on its way. */
	CU_ASSERT_EQUAL(wait_done(&r, &got), 0);
	CU_ASSERT_TRUE(rekey_busy(&r));
	ret = wait_done(&r, &got);
	CU_ASSERT_EQUAL_FATAL(ret, 1);
	CU_ASSERT_EQUAL_FATAL(hacrypt_derive(&want, "third", NULL, 1), 0);
	CU_ASSERT_EQUAL(got.id, want.id);
	CU_ASSERT_EQUAL(memcmp(&got, &want, sizeof(got)), 0);
	rekey_fini(&r);
}

/* Stopping while a derivation runs waits for it and leaks nothing. */
static void test_fini_while_busy(void)
{
	struct rekey r;

	CU_ASSERT_EQUAL_FATAL(rekey_init(&r), 0);
	CU_ASSERT_EQUAL(rekey_start(&r, "s3cret", NULL, 1), 0);
	rekey_fini(&r);
	CU_ASSERT_FALSE(rekey_busy(&r));
	CU_ASSERT_EQUAL(rekey_fd(&r), -1);
}

TEST_SUITE(rekey, NULL, NULL,
	   TEST(test_derives_off_the_caller),
	   TEST(test_newest_wins),
	   TEST(test_fini_while_busy));
