// SPDX-License-Identifier: GPL-2.0-only
/*
 * ageout.c - the rules of `set nsrp rto session ageout-ack` (ageout.h):
 * what the master answers about a session the backup is about to let
 * expire, and what the backup makes of the answer.
 */
#include <errno.h>
#include <stdbool.h>

#include "ageout.h"

/*
 * Active means its timer is at the service maximum. The data plane resets
 * the timer to the full timeout on every packet but tells the peer only
 * once per refresh interval, so "at the maximum" is read with that
 * interval's slack: a session hit within the last refresh interval is one
 * whose REFRESH events would still be reaching the backup. The comparison
 * is written as a difference so that no sum can wrap.
 */
static bool ageout_is_active(uint64_t remaining, uint64_t timeout_ns,
			     uint64_t refresh_ns)
{
	return remaining >= timeout_ns || timeout_ns - remaining <= refresh_ns;
}

enum ageout_verdict ageout_verdict(const struct nsrp_sess *s, uint64_t now,
				   uint64_t timeout_ns, uint64_t refresh_ns,
				   uint64_t *lifetime_ns)
{
	uint64_t remaining;

	*lifetime_ns = 0;
	/* Expiry is inclusive: the data plane drops an entry at expires. */
	if (!s || s->expires_ns <= now)
		return AGEOUT_DELETE;
	remaining = s->expires_ns - now;
	/*
	 * An entry that is itself the peer's copy (both units hold one, as
	 * after a failover before the first packet) has seen no traffic
	 * here; were it to answer ACTIVE, two such copies would renew each
	 * other for ever after the session died. It counts down.
	 */
	if (!(s->flags & NSRP_SF_FROM_PEER) &&
	    ageout_is_active(remaining, timeout_ns, refresh_ns)) {
		/* The full timeout, not what is left of it: the backup's
		 * copy is to be exactly as at the session's creation. */
		*lifetime_ns = timeout_ns;
		return AGEOUT_ACTIVE;
	}
	*lifetime_ns = remaining;
	return AGEOUT_IDLE;
}

uint64_t ageout_expiry(uint64_t now, uint64_t lifetime_ns, unsigned int mult)
{
	uint64_t life;

	if (mult && lifetime_ns > UINT64_MAX / mult)
		return UINT64_MAX;
	life = lifetime_ns * mult;
	return life > UINT64_MAX - now ? UINT64_MAX : now + life;
}

int ageout_backup_expiry(unsigned int kind, uint64_t now, uint64_t lifetime_ns,
			 unsigned int mult, uint64_t *expires_ns)
{
	switch (kind) {
	case AGEOUT_ACTIVE:
		*expires_ns = ageout_expiry(now, lifetime_ns, mult);
		return 0;
	case AGEOUT_IDLE:
		*expires_ns = ageout_expiry(now, lifetime_ns, 1);
		return 0;
	case AGEOUT_DELETE:
		return -ENOENT;
	default:
		return -EINVAL;
	}
}
