/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ageout.h - the rules of `set nsrp rto session ageout-ack`.
 *
 * A backup's copy of the master's session lives 8 times the session's
 * timeout and is not refreshed by the traffic the master sees in between,
 * so a long, busy session can expire on the backup while it is alive on
 * the master. With ageout-ack the backup asks the master before it lets
 * such a copy go, and the master answers, per session:
 *
 *   ACTIVE  its timer is at the service maximum: traffic matches it. The
 *           backup starts the copy over at 8 times the timeout, as when
 *           the session was created.
 *   IDLE    alive, but its timer counts down: no traffic lately. The
 *           backup takes the master's remaining lifetime, so both expire
 *           together.
 *   DELETE  the master has no such session, or it expired: the backup
 *           removes its copy.
 *
 * The verdicts travel as session events (proto.h), so each one's value is
 * the event kind that carries it, with the lifetime in the event's
 * expires_ns (relative on the wire, as every lifetime is).
 *
 * Nothing here reads a clock or a map: times are CLOCK_MONOTONIC in ns,
 * each unit's own, and are passed in.
 */
#ifndef NSRPD_AGEOUT_H
#define NSRPD_AGEOUT_H

#include <stdint.h>

#include "nsrpd.h"

enum ageout_verdict {
	AGEOUT_IDLE = NSRP_EV_STATE,	 /* take the master's lifetime */
	AGEOUT_ACTIVE = NSRP_EV_REFRESH, /* multiplier x the timeout */
	AGEOUT_DELETE = NSRP_EV_DELETE,	 /* gone on the master */
};

/*
 * Master: the verdict on one asked-for session. s is this unit's entry
 * for it, NULL if it has none; timeout_ns the timeout of s's state;
 * refresh_ns the data plane's refresh interval. *lifetime_ns receives
 * what the backup is to count from: the full timeout for ACTIVE, the
 * remaining lifetime for IDLE, 0 for DELETE.
 */
enum ageout_verdict ageout_verdict(const struct nsrp_sess *s, uint64_t now,
				   uint64_t timeout_ns, uint64_t refresh_ns,
				   uint64_t *lifetime_ns);

/* now + mult * lifetime_ns, saturating at UINT64_MAX instead of wrapping. */
uint64_t ageout_expiry(uint64_t now, uint64_t lifetime_ns, unsigned int mult);

/*
 * Backup: the new absolute expiry of its copy after the master's answer
 * (kind and lifetime_ns as received; mult the backup's multiplier, 8 by
 * default). Returns 0 with *expires_ns set when the copy stays, -ENOENT
 * when it is to be deleted, -EINVAL for a kind that is no verdict.
 */
int ageout_backup_expiry(unsigned int kind, uint64_t now, uint64_t lifetime_ns,
			 unsigned int mult, uint64_t *expires_ns);

#endif
