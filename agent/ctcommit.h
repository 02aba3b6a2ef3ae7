/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctcommit.h - give the kernel's conntrack table the sessions the data
 * plane carries, so that a packet of a synced session that XDP hands to the
 * kernel (no neighbour yet, fragment, IP options) meets an established
 * entry rather than a stateful policy that drops it as mid-stream.
 */
#ifndef NSRPD_CTCOMMIT_H
#define NSRPD_CTCOMMIT_H

#include <stdint.h>

#include "nsrpd.h"

struct ct_committer;	/* one ctnetlink socket, reused */

int ct_open(struct ct_committer **c);
void ct_close(struct ct_committer *c);

/*
 * Inserts the conntrack entry of one session, or updates it when the
 * kernel already has one. The original direction is initiator -> responder;
 * TCP gets the conntrack state matching the session's, SEEN_REPLY and
 * ASSURED as the session has earned them, and window tracking relaxed
 * (the window history does not travel). timeout_s is the entry's lifetime
 * until its next packet. Returns 0 or -errno.
 */
int ct_commit(struct ct_committer *c, const struct nsrp_sess_key *k,
	      const struct nsrp_sess *s, uint32_t timeout_s);

/*
 * The same for n sessions, packed into as few sendmsg() calls as the
 * socket allows. Returns how many were committed; *failed counts the
 * others (a session that cannot be expressed, or that the kernel refused).
 */
int ct_commit_many(struct ct_committer *c, const struct nsrp_sess_key *k,
		   const struct nsrp_sess *s, unsigned int n,
		   uint32_t timeout_s, unsigned int *failed);

#endif
