/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * replay.h - anti-replay window for one sender on the HA link.
 *
 * Each sender numbers its frames with a 64-bit sequence within an epoch
 * (proto.h). The receiver keeps, per sender, the highest sequence seen
 * and a bitmap of the REPLAY_WINDOW_BITS numbers below it, like IPsec's
 * extended sequence numbers: frames may arrive out of order across the
 * two HA paths, but each is accepted once. A higher epoch means the
 * sender restarted: the window starts afresh. A lower epoch is a replay
 * of an earlier life of the sender and is refused.
 *
 * Check only frames that have been authenticated (hacrypt.h), then
 * update: a forged frame must never move the window.
 */
#ifndef NSRPD_REPLAY_H
#define NSRPD_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define REPLAY_WINDOW_BITS	1024
#define REPLAY_WINDOW_WORDS	(REPLAY_WINDOW_BITS / 64)

struct replay_window {
	bool valid;		/* false until the first frame */
	uint64_t epoch;
	uint64_t top;		/* highest sequence accepted in epoch */
	/* Bit (seq % REPLAY_WINDOW_BITS) set: seq seen, for top - seq < BITS. */
	uint64_t bits[REPLAY_WINDOW_WORDS];
};

void replay_init(struct replay_window *w);

/*
 * 0 if (epoch, seq) is new; -EALREADY for a duplicate, -ERANGE for a
 * sequence that fell behind the window, -ESTALE for an older epoch.
 */
int replay_check(const struct replay_window *w, uint64_t epoch, uint64_t seq);
/* Records (epoch, seq) as seen; call only after replay_check() said 0. */
void replay_update(struct replay_window *w, uint64_t epoch, uint64_t seq);
/* Both at once, for frames already authenticated. */
int replay_accept(struct replay_window *w, uint64_t epoch, uint64_t seq);

const char *replay_err_name(int err);

#endif
