/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NSRPD_SESSVIEW_H
#define NSRPD_SESSVIEW_H

#include <stdint.h>

#include "cmd.h"
#include "sesstab.h"

struct ctl_out;

/*
 * `get session [src|dst|addr A] [port P] [proto tcp|udp|icmp|icmp6|N]` and
 * `get session summary` (filters allowed too): args is the text after
 * "get session", each keyword any unique prefix of itself. src is the
 * initiator's address, dst the responder's, addr either; port either
 * endpoint's; icmp matches ICMP and ICMPv6.
 * The table lists, per session: id (a hash of the key, the same on both
 * units), vsd, proto, initiator:port -> responder:port, state, timeout
 * left in s, packets and bytes each way (initiator/responder) and flags
 * ("peer": synced from the peer). JSON when json is set. Summary: totals
 * per state, per protocol, from-peer vs local, and capacity; with churn
 * (may be NULL: sesstab.h), the estimate of LRU evictions.
 * Returns 0, -EINVAL with a message naming the bad word, or -errno.
 */
int sessview_show(int fd, const char *args, int json, struct ctl_out *out,
		  uint64_t now, unsigned int capacity,
		  const struct sesstab_churn *churn);

/*
 * A cmd_rest_fn: what may follow "get session" and the filter words in
 * rest (each word may be abbreviated to a unique prefix, as everywhere).
 */
int sessview_next(const char *line, const char *rest, cmd_next_fn fn,
		  void *arg, char *msg, size_t msglen);

#endif
