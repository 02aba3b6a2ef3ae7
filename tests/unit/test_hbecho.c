// SPDX-License-Identifier: GPL-2.0-only
/*
 * The heartbeat echo of an HA path (halink.h): the round trip it
 * measures, the losses it counts, and what it does with a late heartbeat
 * and a peer that started again.
 */
#include <string.h>
#include <CUnit/CUnit.h>

#include "clock.h"
#include "halink.h"
#include "../harness.h"

/* Two ends of one path, a and b: a's heartbeat heard by b, and back. */
static void hb_to(struct ha_hb_echo *from, struct ha_hb_echo *to,
		  uint64_t sent, uint64_t heard, uint64_t epoch)
{
	struct proto_hb_echo e;

	ha_hb_echo_next(from, sent, &e);
	ha_hb_echo_heard(to, &e, epoch, heard);
}

static void test_round_trip(void)
{
	struct ha_hb_echo a = { 0 }, b = { 0 };
	uint64_t t = 10 * NS_PER_S;

	/* a sends at t, b hears it 300 us later. */
	hb_to(&a, &b, t, t + 300 * NS_PER_US, 1);
	CU_ASSERT_EQUAL(b.rtts, 0);		/* nothing of b's to echo */
	/* b sends 40 ms after it heard; a hears it 200 us later. */
	hb_to(&b, &a, t + 40300 * NS_PER_US, t + 40500 * NS_PER_US, 2);
	CU_ASSERT_EQUAL(a.rtts, 1);
	/* 40.5 ms since a sent, less the 40 ms b held it: 500 us. */
	CU_ASSERT_EQUAL(a.rtt_last_ns, 500 * NS_PER_US);
	CU_ASSERT_EQUAL(a.rtt_ns, 500 * NS_PER_US);
	CU_ASSERT_EQUAL(a.lost, 0);
	CU_ASSERT_EQUAL(a.heard, 1);

	/* The next round trip, 1300 us: smoothed by 1/8. */
	t += NS_PER_S;
	hb_to(&a, &b, t, t + 700 * NS_PER_US, 1);
	hb_to(&b, &a, t + 10700 * NS_PER_US, t + 11300 * NS_PER_US, 2);
	CU_ASSERT_EQUAL(a.rtt_last_ns, 1300 * NS_PER_US);
	CU_ASSERT_EQUAL(a.rtt_ns, 500 * NS_PER_US + 100 * NS_PER_US);
}

/* Gaps in the peer's numbering are losses; a late one is taken back. */
static void test_losses(void)
{
	struct ha_hb_echo a = { 0 }, b = { 0 };
	struct proto_hb_echo e[6];
	uint64_t t = NS_PER_S;

	for (int i = 0; i < 6; i++)
		ha_hb_echo_next(&a, t + i * NS_PER_MS, &e[i]);
	CU_ASSERT_EQUAL(e[0].sent, 1);
	CU_ASSERT_EQUAL(e[5].sent, 6);
	ha_hb_echo_heard(&b, &e[0], 7, t);
	ha_hb_echo_heard(&b, &e[3], 7, t);	/* 2 and 3 missing */
	CU_ASSERT_EQUAL(b.lost, 2);
	ha_hb_echo_heard(&b, &e[2], 7, t);	/* 3 came late */
	CU_ASSERT_EQUAL(b.lost, 1);
	CU_ASSERT_EQUAL(b.peer_last, 4);
	ha_hb_echo_heard(&b, &e[5], 7, t);	/* 5 missing */
	CU_ASSERT_EQUAL(b.lost, 2);
	CU_ASSERT_EQUAL(b.heard, 4);

	/* The peer started again (a new epoch): it numbers from 1. */
	memset(&a, 0, sizeof(a));
	ha_hb_echo_next(&a, t, &e[0]);
	ha_hb_echo_heard(&b, &e[0], 8, t);
	CU_ASSERT_EQUAL(b.lost, 2);
	CU_ASSERT_EQUAL(b.peer_last, 1);
}

/* An echo of a heartbeat no longer kept, or never sent, measures nothing. */
static void test_stale_echo(void)
{
	struct ha_hb_echo a = { 0 }, b = { 0 };
	struct proto_hb_echo e = { .sent = 1, .echo = 5, .held_us = 0 };
	uint64_t t = NS_PER_S;

	ha_hb_echo_heard(&a, &e, 1, t);		/* a sent nothing yet */
	CU_ASSERT_EQUAL(a.rtts, 0);
	for (int i = 0; i < HA_HB_KEPT + 2; i++)
		hb_to(&a, &b, t + i, t + i, 1);
	e = (struct proto_hb_echo){ .sent = 2, .echo = 1 };
	ha_hb_echo_heard(&a, &e, 1, t + NS_PER_S);	/* #1 is gone */
	CU_ASSERT_EQUAL(a.rtts, 0);
	/* Held longer than the round trip took: a clock gone wrong. */
	e = (struct proto_hb_echo){ .sent = 3, .echo = a.sent,
				    .held_us = 2000000 };
	ha_hb_echo_heard(&a, &e, 1, t + NS_PER_S);
	CU_ASSERT_EQUAL(a.rtts, 0);
}

TEST_SUITE(hbecho, NULL, NULL,
	   TEST(test_round_trip),
	   TEST(test_losses),
	   TEST(test_stale_echo));
