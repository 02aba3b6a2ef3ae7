// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device-based monitoring on an injected clock: weights summed against
 * the threshold, the recovery hold-down, damping of a flapping monitor;
 * and a track-ip target's misses and answers.
 */
#include <string.h>
#include <CUnit/CUnit.h>

#include "monitor.h"
#include "trackip.h"
#include "../harness.h"

#define T0	(1000 * NS_PER_S)
#define HOLD	(3 * NS_PER_S)

static struct monitor m;

static void three_items(void)
{
	monitor_init(&m, 255, HOLD);
	CU_ASSERT_EQUAL(monitor_add(&m, MON_INTERFACE, "wan0", 100, false, "",
				    T0), 0);
	CU_ASSERT_EQUAL(monitor_add(&m, MON_ZONE, "trust", 100, false, "",
				    T0), 1);
	CU_ASSERT_EQUAL(monitor_add(&m, MON_TRACK_IP, "track-ip", 55, false,
				    "", T0), 2);
	CU_ASSERT_FALSE(monitor_update(&m, T0));
}

static void test_weights(void)
{
	char why[128];

	three_items();
	monitor_input(&m, 0, true, "no carrier", T0 + 1);
	CU_ASSERT_TRUE(monitor_update(&m, T0 + 1));
	CU_ASSERT_EQUAL(m.sum, 100);
	CU_ASSERT_FALSE(m.failed);
	monitor_input(&m, 1, true, "all interfaces down", T0 + 2);
	monitor_update(&m, T0 + 2);
	CU_ASSERT_EQUAL(m.sum, 200);
	CU_ASSERT_FALSE(m.failed);
	monitor_input(&m, 2, true, "1 of 1 targets unreachable", T0 + 3);
	CU_ASSERT_TRUE(monitor_update(&m, T0 + 3));
	CU_ASSERT_EQUAL(m.sum, 255);
	CU_ASSERT_TRUE(m.failed);
	monitor_reason(&m, why, sizeof(why));
	CU_ASSERT_STRING_EQUAL(why, "wan0 no carrier, trust all interfaces "
				    "down, track-ip 1 of 1 targets unreachable");
	/* The same input again changes nothing. */
	monitor_input(&m, 0, true, "no carrier", T0 + 4);
	CU_ASSERT_FALSE(monitor_update(&m, T0 + 4));
	CU_ASSERT_EQUAL(m.item[0].failures, 1);
}

/* A recovered input counts as failed until the hold-down ran out. */
static void test_holddown(void)
{
	char why[128];

	three_items();
	m.threshold = 100;
	monitor_input(&m, 0, true, "no carrier", T0);
	monitor_update(&m, T0);
	CU_ASSERT_TRUE(m.failed);
	monitor_input(&m, 0, false, "", T0 + NS_PER_S);
	CU_ASSERT_FALSE(monitor_update(&m, T0 + NS_PER_S));
	CU_ASSERT_TRUE(m.failed);
	monitor_reason(&m, why, sizeof(why));
	CU_ASSERT_STRING_EQUAL(why, "wan0 held down");
	CU_ASSERT_EQUAL(monitor_next_deadline(&m), T0 + NS_PER_S + HOLD);
	CU_ASSERT_FALSE(monitor_update(&m, T0 + NS_PER_S + HOLD - 1));
	CU_ASSERT_TRUE(monitor_update(&m, T0 + NS_PER_S + HOLD));
	CU_ASSERT_FALSE(m.failed);
	CU_ASSERT_EQUAL(m.sum, 0);
	/* Failing again during the hold-down starts it over. */
	monitor_input(&m, 1, true, "all interfaces down", T0 + 10 * NS_PER_S);
	monitor_input(&m, 1, false, "", T0 + 11 * NS_PER_S);
	monitor_input(&m, 1, true, "all interfaces down", T0 + 12 * NS_PER_S);
	monitor_input(&m, 1, false, "", T0 + 13 * NS_PER_S);
	CU_ASSERT_TRUE(monitor_update(&m, T0 + 13 * NS_PER_S));
	CU_ASSERT_TRUE(m.failed);
	CU_ASSERT_FALSE(monitor_update(&m, T0 + 15 * NS_PER_S));
	CU_ASSERT_TRUE(m.failed);
}

/*
 * A link that flaps every 200 ms: failed from its first failure on, its
 * hold-down doubling with each flap up to a minute, and forgiven a
 * minute after its last failure.
 */
static void test_damping(void)
{
	uint64_t t = T0;
	int changes = 0;
	bool was = false;

	three_items();
	m.threshold = 100;
	for (int i = 0; i < 25; i++) {
		monitor_input(&m, 0, true, "no carrier", t);
		monitor_update(&m, t);
		changes += m.failed != was;
		was = m.failed;
		t += 200 * NS_PER_MS;
		monitor_input(&m, 0, false, "", t);
		monitor_update(&m, t);
		changes += m.failed != was;
		was = m.failed;
		t += 200 * NS_PER_MS;
	}
	CU_ASSERT_EQUAL(changes, 1);
	CU_ASSERT_EQUAL(m.item[0].flaps, 24);
	CU_ASSERT_EQUAL(m.item[0].failures, 25);
	CU_ASSERT_EQUAL(monitor_holddown_ns(&m, &m.item[0]), MON_DAMP_MAX_NS);
	/* Healthy since t - 200 ms: still failed 50 s later... */
	CU_ASSERT_FALSE(monitor_update(&m, t + 50 * NS_PER_S));
	CU_ASSERT_TRUE(m.failed);
	/* ...and healthy once the damped hold-down ran out. */
	monitor_update(&m, t + 60 * NS_PER_S);
	CU_ASSERT_FALSE(m.failed);
	CU_ASSERT_EQUAL(m.item[0].flaps, 0);	/* forgiven, too */
	/* Two flaps: four times the hold-down. */
	m.item[0].flaps = 2;
	CU_ASSERT_EQUAL(monitor_holddown_ns(&m, &m.item[0]), 4 * HOLD);
}

/* What is failed at start counts at once, without a flap. */
static void test_failed_at_start(void)
{
	monitor_init(&m, 255, HOLD);
	CU_ASSERT_EQUAL(monitor_add(&m, MON_INTERFACE, "lan9", 255, true,
				    "missing", T0), 0);
	CU_ASSERT_TRUE(monitor_update(&m, T0));
	CU_ASSERT_TRUE(m.failed);
	CU_ASSERT_STRING_EQUAL(m.item[0].why, "missing");
	CU_ASSERT_EQUAL(m.item[0].flaps, 0);
	CU_ASSERT_EQUAL(monitor_next_deadline(&m), UINT64_MAX);
}

/* ---------------------------------------------------------- track-ip */

static void test_track_misses(void)
{
	struct track_target t;
	uint64_t now = T0;
	uint16_t seq;

	track_init(&t, NS_PER_S, 3, now);
	CU_ASSERT_EQUAL(t.next_ns, now);
	CU_ASSERT_FALSE(track_due(&t, now, &seq));
	CU_ASSERT_FALSE(track_answer(&t, seq, now + NS_PER_MS));
	CU_ASSERT_EQUAL(t.rtt_ns, NS_PER_MS);
	/* Three probes go unanswered: failed at the fourth's turn. */
	for (int i = 1; i <= 3; i++) {
		now = T0 + i * NS_PER_S;
		CU_ASSERT_EQUAL(t.next_ns, now);
		CU_ASSERT_FALSE(track_due(&t, now, &seq));
	}
	now += NS_PER_S;
	CU_ASSERT_TRUE(track_due(&t, now, &seq));
	CU_ASSERT_TRUE(t.failed);
	CU_ASSERT_EQUAL(t.missed, 3);
	/* A late answer to an old probe proves nothing. */
	CU_ASSERT_FALSE(track_answer(&t, seq - 1, now));
	/* Three answers in a row bring it back. */
	CU_ASSERT_FALSE(track_answer(&t, seq, now + 1));
	for (int i = 0; i < 2; i++) {
		now += NS_PER_S;
		CU_ASSERT_FALSE(track_due(&t, now, &seq));
		CU_ASSERT_EQUAL(track_answer(&t, seq, now + 1), i == 1);
	}
	CU_ASSERT_FALSE(t.failed);
	CU_ASSERT_EQUAL(t.sent, 7);
	CU_ASSERT_EQUAL(t.replies, 4);
	CU_ASSERT_EQUAL(t.misses, 3);
}

/* After a stall the probes go on the interval, not in a burst. */
static void test_track_after_stall(void)
{
	struct track_target t;
	uint16_t seq;

	track_init(&t, NS_PER_S, 3, T0);
	track_due(&t, T0, &seq);
	track_due(&t, T0 + 10 * NS_PER_S, &seq);
	CU_ASSERT_EQUAL(t.next_ns, T0 + 11 * NS_PER_S);
	CU_ASSERT_EQUAL(t.missed, 1);
}

TEST_SUITE(monitor, NULL, NULL,
	   TEST(test_weights),
	   TEST(test_holddown),
	   TEST(test_damping),
	   TEST(test_failed_at_start),
	   TEST(test_track_misses),
	   TEST(test_track_after_stall));
