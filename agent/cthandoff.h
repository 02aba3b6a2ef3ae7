/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cthandoff.h - the conntrack hand-off of a takeover.
 *
 * The data plane carries the synced sessions from the moment the role
 * flips. The kernel needs them too, for the packets XDP hands it (no
 * neighbour yet, fragments, options): its nftables policy would drop
 * them as mid-stream without a conntrack entry. So a unit that becomes
 * master of a group gives the kernel an entry for each session of the
 * group it carries: those still marked as the peer's, and those a packet
 * took over since the flip (the data plane then cleared the mark and
 * restamped them; its clock is coarse, hence a slack).
 *
 * Hundreds of thousands of them take a while: the walk goes a chunk per
 * pass of the event loop, heartbeats in between. Another group taking
 * over meanwhile starts the walk over, for both.
 */
#ifndef NSRPD_CTHANDOFF_H
#define NSRPD_CTHANDOFF_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane.h"
#include "sesstab.h"

#define CTHANDOFF_CHUNK	256	/* sessions read per step */

struct ct_committer;

struct cthandoff {
	struct dataplane *dp;
	struct ct_committer *ct;	/* NULL: no conntrack netlink */
	uint32_t vsds;			/* groups whose sessions are due */
	uint64_t flip_ns[NSRPD_MAX_VSD];
	struct sesstab_cursor cursor;
	struct nsrp_sess_key keys[CTHANDOFF_CHUNK];
	struct nsrp_sess vals[CTHANDOFF_CHUNK];
	uint64_t committed, failed;	/* since start */
};

/* Opens the conntrack socket; a unit without one warns and goes on. */
void cthandoff_init(struct cthandoff *h, struct dataplane *dp);
void cthandoff_fini(struct cthandoff *h);
/* This unit became master of vsd at now. */
void cthandoff_start(struct cthandoff *h, unsigned int vsd, uint64_t now);
/* One chunk of the walk, when one is under way. */
void cthandoff_tick(struct cthandoff *h);
static inline bool cthandoff_busy(const struct cthandoff *h)
{
	return h->vsds;
}

#endif
