// SPDX-License-Identifier: GPL-2.0-only
/*
 * sweep.c - the expiry sweep of the session map (see sweep.h).
 */
#include <string.h>

#include "clock.h"
#include "log.h"
#include "sweep.h"

#define SWEEP_MIN_NS	(1 * NS_PER_S)	/* between sweeps, least */
#define SWEEP_MAX_NS	(10 * NS_PER_S)	/* and most */
#define SWEEP_SHARE	50		/* of the loop's time, at most 1/50 */

void sweep_init(struct sweep *sw, int fd_sess, const struct sweep_ops *ops)
{
	memset(sw, 0, sizeof(*sw));
	sw->fd = fd_sess;
	sw->ops = *ops;
}

void sweep_saw_expiry(struct sweep *sw, uint64_t t)
{
	if (t < sw->soonest_ns)
		sw->soonest_ns = t;
}

/* A sweep that reached the end has counted every live session. */
static void sweep_done(struct sweep *sw, uint64_t now, bool complete)
{
	uint64_t wait = (SWEEP_SHARE - 1) * sw->busy_ns;

	sw->sweeping = false;
	if (complete) {
		sw->counted = sw->counting;
		sw->counted_ns = now;
	}
	sw->next_ns = now + (wait > SWEEP_MIN_NS ? wait : SWEEP_MIN_NS);
	sw->latest_ns = now + SWEEP_MAX_NS;
}

static uint64_t sweep_due(const struct sweep *sw)
{
	uint64_t t = sw->soonest_ns < sw->latest_ns ? sw->soonest_ns
						    : sw->latest_ns;

	return t > sw->next_ns ? t : sw->next_ns;
}

static void sweep_delete(struct sweep *sw, const struct nsrp_sess_key *k,
			 unsigned int n)
{
	sw->swept += sesstab_delete(sw->fd, k, n) > 0 ? n : 0;
}

/* One chunk: this unit's expired sessions first, then the peer's. */
static void sweep_step(struct sweep *sw, uint64_t now)
{
	unsigned int n_local;
	int n = sesstab_expired_next(sw->fd, &sw->cursor, now, sw->keys,
				     sw->vals, SWEEP_CHUNK, &n_local,
				     &sw->soonest_ns, &sw->counting);

	if (n < 0) {
		pr_warn("sweeping the session map: %s", strerror(-n));
		sw->soonest_ns = 0;	/* the rest is unknown */
		sweep_done(sw, clock_now_ns(), false);
		return;
	}
	if (n_local) {
		sweep_delete(sw, sw->keys, n_local);
		sw->ops.expired(sw->ops.arg, sw->keys, sw->vals, n_local, now);
	}
	if ((unsigned int)n > n_local &&
	    !sw->ops.copies_expired(sw->ops.arg, sw->keys + n_local,
				    sw->vals + n_local, n - n_local, now))
		sweep_delete(sw, sw->keys + n_local, n - n_local);
	sw->busy_ns += clock_now_ns() - now;
	if (sw->cursor.done)
		sweep_done(sw, clock_now_ns(), true);
}

/*
 * A sweep waits while a bulk sync reads the whole map to send it, or
 * while this unit waits for the peer's (bounded by the cold start's
 * wait): a pass over the same million entries would halve the bulk's
 * pace, and expiry can wait the seconds a bulk takes.
 */
static void sweep_start(struct sweep *sw, uint64_t now)
{
	if (sw->ops.hold(sw->ops.arg, now)) {
		sw->next_ns = now + SWEEP_MIN_NS;
		return;
	}
	memset(&sw->cursor, 0, sizeof(sw->cursor));
	memset(&sw->counting, 0, sizeof(sw->counting));
	sw->busy_ns = 0;
	sw->soonest_ns = UINT64_MAX;
	sw->sweeping = true;
}

void sweep_tick(struct sweep *sw, uint64_t now)
{
	if (sw->fd < 0)
		return;
	if (!sw->sweeping && now >= sweep_due(sw))
		sweep_start(sw, now);
	if (sw->sweeping)
		sweep_step(sw, now);
}

uint64_t sweep_next_deadline(const struct sweep *sw, uint64_t now)
{
	if (sw->fd < 0)
		return UINT64_MAX;
	return sw->sweeping ? now : sweep_due(sw);
}
