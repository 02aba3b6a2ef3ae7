// SPDX-License-Identifier: GPL-2.0-only
/*
 * cthandoff.c - conntrack entries for the sessions a new master carries
 * (see cthandoff.h).
 */
#include <string.h>

#include "clock.h"
#include "ctcommit.h"
#include "cthandoff.h"
#include "log.h"

#define CTHANDOFF_SLACK_NS	(20 * NS_PER_MS)

void cthandoff_init(struct cthandoff *h, struct dataplane *dp)
{
	memset(h, 0, sizeof(*h));
	h->dp = dp;
	if (ct_open(&h->ct))
		pr_warn("no conntrack netlink; sessions handed to the kernel "
			"after a takeover may be dropped");
}

void cthandoff_fini(struct cthandoff *h)
{
	if (h->ct)
		ct_close(h->ct);
	h->ct = NULL;
}

static bool cthandoff_taken_at_flip(const struct nsrp_sess *s,
				    unsigned int vsd, uint64_t flip)
{
	if (s->vsd != vsd || s->expires_ns <= flip)
		return false;
	return s->flags & NSRP_SF_FROM_PEER ||
	       s->refreshed_ns + CTHANDOFF_SLACK_NS >= flip;
}

static bool cthandoff_due(const struct cthandoff *h, const struct nsrp_sess *v)
{
	return v->vsd < NSRPD_MAX_VSD && h->vsds & 1u << v->vsd &&
	       cthandoff_taken_at_flip(v, v->vsd, h->flip_ns[v->vsd]);
}

void cthandoff_start(struct cthandoff *h, unsigned int vsd, uint64_t now)
{
	if (!h->ct || h->dp->fd_sess < 0 || vsd >= NSRPD_MAX_VSD)
		return;
	h->vsds |= 1u << vsd;
	h->flip_ns[vsd] = now;
	memset(&h->cursor, 0, sizeof(h->cursor));
}

void cthandoff_tick(struct cthandoff *h)
{
	unsigned int m = 0, failed = 0;
	int n;

	if (!h->vsds)
		return;
	n = sesstab_read(h->dp->fd_sess, &h->cursor, h->keys, h->vals,
			 CTHANDOFF_CHUNK);
	if (n < 0)
		pr_warn("conntrack hand-off: reading the session map: %s",
			strerror(-n));
	for (int i = 0; i < n; i++)
		if (cthandoff_due(h, &h->vals[i])) {
			h->keys[m] = h->keys[i];
			h->vals[m++] = h->vals[i];
		}
	if (m)
		h->committed += ct_commit_many(h->ct, h->keys, h->vals, m,
				dp_state_timeout_ns(h->dp,
						    NSRP_SS_ESTABLISHED) /
					NS_PER_S, &failed);
	h->failed += failed;
	if (n <= 0 || h->cursor.done)
		h->vsds = 0;
}
