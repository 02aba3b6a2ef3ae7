/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sweep.h - the expiry sweep of the session map.
 *
 * The data plane only removes a session when a packet finds it expired,
 * so a flow that just stops is removed here: the sweep walks the map a
 * chunk per pass of the event loop, so that a map of millions never
 * holds a heartbeat back. This unit's own expired sessions it deletes and
 * hands over, for the peer to hear of them; the peer's expired copies it
 * offers first (ageout-ack asks the master before letting one go), and
 * deletes those nobody takes.
 *
 * A sweep costs a pass over the whole map, a third of a second of work
 * for a million entries, most of it wasted when nothing is due to expire
 * (established TCP lives half an hour). So the next one is due when the
 * earliest expiry known comes: the entries this one left, and every
 * expiry set since, each of which the agent sees (the data plane's
 * events, the peer's records, ageout-ack: sweep_saw_expiry()). Not sooner
 * than a second after this one ended, or later for a large map, so that
 * sweeps take at most 1/SWEEP_SHARE of the loop from everything else (a
 * bulk sync above all); and not later than SWEEP_MAX_NS, for an expiry
 * the agent did not see (an event lost to a full ring, a map written by
 * hand). The data plane expires on sight a session whose packets come
 * back in between.
 */
#ifndef NSRPD_SWEEP_H
#define NSRPD_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "sesstab.h"

#define SWEEP_CHUNK	256	/* entries read per step */

struct sweep_ops {
	/* This unit's sessions that expired, already deleted. */
	void (*expired)(void *arg, const struct nsrp_sess_key *k,
			const struct nsrp_sess *v, unsigned int n,
			uint64_t now);
	/*
	 * The peer's copies that expired: true when the callee takes them
	 * (and will see to them), false to have them deleted now.
	 */
	bool (*copies_expired)(void *arg, const struct nsrp_sess_key *k,
			       const struct nsrp_sess *v, unsigned int n,
			       uint64_t now);
	/* A sweep does not start while this holds (a bulk sync reads all). */
	bool (*hold)(void *arg, uint64_t now);
	void *arg;
};

struct sweep {
	int fd;				/* the session map */
	struct sweep_ops ops;
	bool sweeping;			/* a sweep under way */
	struct sesstab_cursor cursor;
	uint64_t next_ns;		/* the next may start then, not sooner */
	uint64_t busy_ns;		/* spent on the sweep under way */
	uint64_t soonest_ns;		/* earliest expiry known since it began */
	uint64_t latest_ns;		/* the next one starts by then */
	struct nsrp_sess_key keys[SWEEP_CHUNK];
	struct nsrp_sess vals[SWEEP_CHUNK];
	uint64_t swept;			/* entries it deleted, since start */
	/* The live sessions, counted by the sweep under way and the last. */
	struct sesstab_tally counting, counted;
	uint64_t counted_ns;		/* when the last ended; 0: none yet */
};

void sweep_init(struct sweep *sw, int fd_sess, const struct sweep_ops *ops);
/* An entry expires at t: the next sweep is due by then. */
void sweep_saw_expiry(struct sweep *sw, uint64_t t);
/* Starts a sweep when one is due, and goes one chunk further. */
void sweep_tick(struct sweep *sw, uint64_t now);
uint64_t sweep_next_deadline(const struct sweep *sw, uint64_t now);

#endif
