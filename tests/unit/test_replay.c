// SPDX-License-Identifier: GPL-2.0-only
/* Anti-replay window: order, reorder, duplicates, age and epochs. */
#include <errno.h>
#include <CUnit/CUnit.h>

#include "replay.h"
#include "../harness.h"

static void test_in_order(void)
{
	struct replay_window w;
	uint64_t s;

	replay_init(&w);
	for (s = 1; s <= 5000; s++)
		CU_ASSERT_EQUAL(replay_accept(&w, 10, s), 0);
	CU_ASSERT_EQUAL(w.top, 5000);
	CU_ASSERT_EQUAL(replay_accept(&w, 10, 5000), -EALREADY);
}

static void test_first_frame_any_sequence(void)
{
	struct replay_window w;

	replay_init(&w);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 0), 0);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 0), -EALREADY);
	replay_init(&w);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, ~0ULL - 3), 0);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, ~0ULL), 0);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, ~0ULL - 1), 0);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, ~0ULL - 1), -EALREADY);
}

static void test_reordered_within_window(void)
{
	struct replay_window w;

	replay_init(&w);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 100), 0);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 103), 0);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 101), 0);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 102), 0);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 2000), 0);
	/* 2000 - 977 = 1023: the oldest slot still in the window. */
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 977), 0);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 1500), 0);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 1999), 0);
	/* The numbers that slid past were forgotten, not inherited. */
	CU_ASSERT_EQUAL(replay_check(&w, 1, 103 + REPLAY_WINDOW_BITS), 0);
	CU_ASSERT_EQUAL(replay_check(&w, 1, 101 + REPLAY_WINDOW_BITS), 0);
}

static void test_duplicates(void)
{
	struct replay_window w;
	uint64_t s;

	replay_init(&w);
	for (s = 10; s < 1010; s += 2)
		CU_ASSERT_EQUAL(replay_accept(&w, 3, s), 0);
	for (s = 10; s < 1010; s++)
		CU_ASSERT_EQUAL(replay_accept(&w, 3, s),
				s % 2 ? 0 : -EALREADY);
	for (s = 10; s < 1010; s++)
		CU_ASSERT_EQUAL(replay_check(&w, 3, s), -EALREADY);
}

static void test_too_old(void)
{
	struct replay_window w;

	replay_init(&w);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 5000), 0);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 5000 - REPLAY_WINDOW_BITS),
			-ERANGE);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 1), -ERANGE);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 0), -ERANGE);
	/* A jump larger than the window clears it all. */
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 100000), 0);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 5000), -ERANGE);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 99000), 0);
	CU_ASSERT_EQUAL(replay_accept(&w, 1, 99000), -EALREADY);
}

static void test_epoch_change(void)
{
	struct replay_window w;

	replay_init(&w);
	CU_ASSERT_EQUAL(replay_accept(&w, 100, 70000), 0);
	/* The sender restarted: numbering starts over, a higher epoch. */
	CU_ASSERT_EQUAL(replay_accept(&w, 200, 1), 0);
	CU_ASSERT_EQUAL(w.top, 1);
	CU_ASSERT_EQUAL(replay_accept(&w, 200, 2), 0);
	CU_ASSERT_EQUAL(replay_accept(&w, 200, 1), -EALREADY);
	/* Frames of the previous life are replays, whatever their number. */
	CU_ASSERT_EQUAL(replay_accept(&w, 100, 70001), -ESTALE);
	CU_ASSERT_EQUAL(replay_accept(&w, 100, 3), -ESTALE);
	/* And did not disturb the window. */
	CU_ASSERT_EQUAL(replay_accept(&w, 200, 3), 0);
}

static void test_check_does_not_update(void)
{
	struct replay_window w;

	replay_init(&w);
	CU_ASSERT_EQUAL(replay_check(&w, 1, 5), 0);
	CU_ASSERT_FALSE(w.valid);
	replay_update(&w, 1, 5);
	CU_ASSERT_EQUAL(replay_check(&w, 1, 5), -EALREADY);
	CU_ASSERT_EQUAL(replay_check(&w, 1, 6), 0);
	CU_ASSERT_EQUAL(w.top, 5);
}

static void test_err_names(void)
{
	CU_ASSERT_STRING_EQUAL(replay_err_name(-EALREADY), "duplicate");
	CU_ASSERT_STRING_EQUAL(replay_err_name(-ERANGE), "too-old");
	CU_ASSERT_STRING_EQUAL(replay_err_name(-ESTALE), "old-epoch");
}

TEST_SUITE(replay, NULL, NULL,
	   TEST(test_in_order),
	   TEST(test_first_frame_any_sequence),
	   TEST(test_reordered_within_window),
	   TEST(test_duplicates),
	   TEST(test_too_old),
	   TEST(test_epoch_change),
	   TEST(test_check_does_not_update),
	   TEST(test_err_names))
