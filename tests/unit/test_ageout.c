// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ageout-ack rules (ageout.h) with a clock the test moves: what the
 * master answers about a session, and the expiry the backup's copy takes.
 */
#include <errno.h>
#include <stdint.h>
#include <CUnit/CUnit.h>

#include "ageout.h"
#include "clock.h"
#include "../harness.h"

#define T_EST		(1800 * NS_PER_S)	/* established timeout */
#define REFRESH		(10 * NS_PER_S)		/* refresh interval */
#define MULT		8
#define T0		(1000 * NS_PER_S)	/* any clock but zero */

/* The master's entry, as its data plane leaves it after a packet at t. */
static struct nsrp_sess hit_at(uint64_t t, uint64_t timeout)
{
	struct nsrp_sess s = {
		.expires_ns = t + timeout,
		.state = NSRP_SS_ESTABLISHED,
	};

	return s;
}

/* The whole exchange: the master's verdict, then the backup's expiry. */
static int backup_after_asking(const struct nsrp_sess *master, uint64_t now,
			       uint64_t *expires)
{
	uint64_t lifetime;
	enum ageout_verdict v = ageout_verdict(master, now, T_EST, REFRESH,
					       &lifetime);

	return ageout_backup_expiry(v, now, lifetime, MULT, expires);
}

/* Rule 1: traffic matches, the timer sits at its maximum. */
static void test_active_session_gets_the_full_timeout(void)
{
	struct nsrp_sess s = hit_at(T0, T_EST);
	uint64_t lifetime = 1;

	CU_ASSERT_EQUAL(ageout_verdict(&s, T0, T_EST, REFRESH, &lifetime),
			AGEOUT_ACTIVE);
	CU_ASSERT_EQUAL(lifetime, T_EST);

	/* Hit 3 s ago: still active, and still the full timeout, not the
	 * 1797 s that are left. */
	CU_ASSERT_EQUAL(ageout_verdict(&s, T0 + 3 * NS_PER_S, T_EST, REFRESH,
				       &lifetime), AGEOUT_ACTIVE);
	CU_ASSERT_EQUAL(lifetime, T_EST);
}

/* Rule 2: alive, counting down: the remaining lifetime, exactly. */
static void test_idle_session_gets_what_is_left(void)
{
	struct nsrp_sess s = hit_at(T0, T_EST);
	uint64_t now = T0 + 600 * NS_PER_S;
	uint64_t lifetime = 0;

	CU_ASSERT_EQUAL(ageout_verdict(&s, now, T_EST, REFRESH, &lifetime),
			AGEOUT_IDLE);
	CU_ASSERT_EQUAL(lifetime, 1200 * NS_PER_S);
}

/* Rule 3: no such session on the master. */
static void test_absent_session_is_deleted(void)
{
	uint64_t lifetime = 1;

	CU_ASSERT_EQUAL(ageout_verdict(NULL, T0, T_EST, REFRESH, &lifetime),
			AGEOUT_DELETE);
	CU_ASSERT_EQUAL(lifetime, 0);
}

/* Rule 3: the master's copy expired; expires == now is expired. */
static void test_expired_session_is_deleted(void)
{
	struct nsrp_sess s = hit_at(T0, T_EST);
	uint64_t lifetime = 1;

	CU_ASSERT_EQUAL(ageout_verdict(&s, T0 + T_EST, T_EST, REFRESH,
				       &lifetime), AGEOUT_DELETE);
	CU_ASSERT_EQUAL(lifetime, 0);
	CU_ASSERT_EQUAL(ageout_verdict(&s, T0 + T_EST + 1, T_EST, REFRESH,
				       &lifetime), AGEOUT_DELETE);
	/* One nanosecond before: alive, with that nanosecond left. */
	CU_ASSERT_EQUAL(ageout_verdict(&s, T0 + T_EST - 1, T_EST, REFRESH,
				       &lifetime), AGEOUT_IDLE);
	CU_ASSERT_EQUAL(lifetime, 1);
}

/* Idle for exactly the refresh interval still counts as active; one
 * nanosecond more does not. */
static void test_refresh_threshold_boundary(void)
{
	struct nsrp_sess s = hit_at(T0, T_EST);
	uint64_t lifetime;

	CU_ASSERT_EQUAL(ageout_verdict(&s, T0 + REFRESH, T_EST, REFRESH,
				       &lifetime), AGEOUT_ACTIVE);
	CU_ASSERT_EQUAL(lifetime, T_EST);
	CU_ASSERT_EQUAL(ageout_verdict(&s, T0 + REFRESH + 1, T_EST, REFRESH,
				       &lifetime), AGEOUT_IDLE);
	CU_ASSERT_EQUAL(lifetime, T_EST - REFRESH - 1);
}

/* A timeout shorter than the refresh interval: any live session is
 * active, and the backup counts from the full timeout. */
static void test_timeout_below_refresh_is_always_active(void)
{
	uint64_t t = 1 * NS_PER_S;
	struct nsrp_sess s = hit_at(T0, t);
	uint64_t lifetime;

	CU_ASSERT_EQUAL(ageout_verdict(&s, T0 + t - 1, t, REFRESH, &lifetime),
			AGEOUT_ACTIVE);
	CU_ASSERT_EQUAL(lifetime, t);
}

/* The state's timeout shrank (a reload) below what is left: active, and
 * the lifetime is the timeout, never more. */
static void test_remaining_above_timeout_is_active(void)
{
	struct nsrp_sess s = hit_at(T0, T_EST);
	uint64_t lifetime;

	CU_ASSERT_EQUAL(ageout_verdict(&s, T0, 60 * NS_PER_S, REFRESH,
				       &lifetime), AGEOUT_ACTIVE);
	CU_ASSERT_EQUAL(lifetime, 60 * NS_PER_S);
}

/* A copy that is itself the peer's is never active: two of them would
 * otherwise renew each other after the session died. */
static void test_peer_copy_counts_down(void)
{
	struct nsrp_sess s = hit_at(T0, MULT * T_EST);
	uint64_t lifetime;

	s.flags |= NSRP_SF_FROM_PEER;
	CU_ASSERT_EQUAL(ageout_verdict(&s, T0, T_EST, REFRESH, &lifetime),
			AGEOUT_IDLE);
	CU_ASSERT_EQUAL(lifetime, MULT * T_EST);
}

static void test_backup_expiry_per_verdict(void)
{
	uint64_t e = 0;

	CU_ASSERT_EQUAL(ageout_backup_expiry(AGEOUT_ACTIVE, T0, T_EST, MULT,
					     &e), 0);
	CU_ASSERT_EQUAL(e, T0 + MULT * T_EST);
	CU_ASSERT_EQUAL(ageout_backup_expiry(AGEOUT_IDLE, T0, 5 * NS_PER_S,
					     MULT, &e), 0);
	CU_ASSERT_EQUAL(e, T0 + 5 * NS_PER_S);

	e = 42;
	CU_ASSERT_EQUAL(ageout_backup_expiry(AGEOUT_DELETE, T0, 0, MULT, &e),
			-ENOENT);
	CU_ASSERT_EQUAL(ageout_backup_expiry(NSRP_EV_CREATE, T0, T_EST, MULT,
					     &e), -EINVAL);
	CU_ASSERT_EQUAL(ageout_backup_expiry(0, T0, T_EST, MULT, &e), -EINVAL);
	CU_ASSERT_EQUAL(e, 42);		/* untouched unless kept */
}

static void test_expiry_saturates(void)
{
	uint64_t e;

	CU_ASSERT_EQUAL(ageout_expiry(T0, UINT64_MAX / 4, MULT), UINT64_MAX);
	/* 2^61 x 8 wraps to exactly 0: caught before the multiplication. */
	CU_ASSERT_EQUAL(ageout_expiry(T0, UINT64_MAX / MULT + 1, MULT),
			UINT64_MAX);
	CU_ASSERT_EQUAL(ageout_expiry(T0, UINT64_MAX / MULT, MULT),
			UINT64_MAX);	/* fits the product, not the sum */
	CU_ASSERT_EQUAL(ageout_expiry(UINT64_MAX - 1, 1, 1), UINT64_MAX);
	CU_ASSERT_EQUAL(ageout_expiry(UINT64_MAX - 2, 1, 1), UINT64_MAX - 1);
	CU_ASSERT_EQUAL(ageout_expiry(T0, 3, 0), T0);

	/* A huge timeout through the whole exchange. */
	CU_ASSERT_EQUAL(ageout_backup_expiry(AGEOUT_ACTIVE, T0,
					     UINT64_MAX / 2, MULT, &e), 0);
	CU_ASSERT_EQUAL(e, UINT64_MAX);
	CU_ASSERT_EQUAL(ageout_backup_expiry(AGEOUT_IDLE, T0, UINT64_MAX - 1,
					     MULT, &e), 0);
	CU_ASSERT_EQUAL(e, UINT64_MAX);
}

/* A huge timeout on the master: no sum in the verdict wraps. */
static void test_huge_timeout_verdict(void)
{
	struct nsrp_sess s = { .expires_ns = UINT64_MAX };
	uint64_t lifetime, e;

	CU_ASSERT_EQUAL(ageout_verdict(&s, T0, UINT64_MAX, UINT64_MAX,
				       &lifetime), AGEOUT_ACTIVE);
	CU_ASSERT_EQUAL(lifetime, UINT64_MAX);
	CU_ASSERT_EQUAL(ageout_backup_expiry(AGEOUT_ACTIVE, T0, lifetime, MULT,
					     &e), 0);
	CU_ASSERT_EQUAL(e, UINT64_MAX);

	/* remaining + refresh would wrap; the difference does not. */
	CU_ASSERT_EQUAL(ageout_verdict(&s, T0, UINT64_MAX - T0 + 1,
				       UINT64_MAX - 1, &lifetime),
			AGEOUT_ACTIVE);
	CU_ASSERT_EQUAL(ageout_verdict(&s, T0, UINT64_MAX, 1, &lifetime),
			AGEOUT_IDLE);
	CU_ASSERT_EQUAL(lifetime, UINT64_MAX - T0);
}

/*
 * One session's life, master and backup side by side: created at t0,
 * kept busy by traffic past the end of the backup's first 8T, then
 * quiet from t1 until it expires on the master.
 */
static void test_timeline(void)
{
	uint64_t backup, t1, t2;
	struct nsrp_sess master;

	/* t0: created on the master, synced to the backup at 8T. */
	master = hit_at(T0, T_EST);
	backup = ageout_expiry(T0, T_EST, MULT);
	CU_ASSERT_EQUAL(backup, T0 + MULT * T_EST);

	/* Traffic every second: the last packet 1 s before the backup's
	 * copy runs out. The backup asks, and starts over at now + 8T. */
	master = hit_at(backup - NS_PER_S, T_EST);
	CU_ASSERT_EQUAL(backup_after_asking(&master, backup, &backup), 0);
	CU_ASSERT_EQUAL(backup, T0 + 2 * MULT * T_EST);

	/* t1: the traffic stops, 700 s before the backup's copy runs out;
	 * the master counts down to t1 + T. */
	t1 = backup - 700 * NS_PER_S;
	master = hit_at(t1, T_EST);

	/* t2: the backup's copy runs out; it asks, and takes the master's
	 * expiry, to the nanosecond. */
	t2 = backup;
	CU_ASSERT_EQUAL(backup_after_asking(&master, t2, &backup), 0);
	CU_ASSERT_EQUAL(backup, master.expires_ns);
	CU_ASSERT_EQUAL(backup, t1 + T_EST);

	/* At that expiry the backup asks again: gone on the master. */
	CU_ASSERT_EQUAL(backup_after_asking(&master, backup, &backup),
			-ENOENT);

	/* And once the master's sweep removed it: gone too. */
	CU_ASSERT_EQUAL(backup_after_asking(NULL, t1 + 2 * T_EST, &backup),
			-ENOENT);
}

TEST_SUITE(ageout, NULL, NULL,
	   TEST(test_active_session_gets_the_full_timeout),
	   TEST(test_idle_session_gets_what_is_left),
	   TEST(test_absent_session_is_deleted),
	   TEST(test_expired_session_is_deleted),
	   TEST(test_refresh_threshold_boundary),
	   TEST(test_timeout_below_refresh_is_always_active),
	   TEST(test_remaining_above_timeout_is_active),
	   TEST(test_peer_copy_counts_down),
	   TEST(test_backup_expiry_per_verdict),
	   TEST(test_expiry_saturates),
	   TEST(test_huge_timeout_verdict),
	   TEST(test_timeline))
