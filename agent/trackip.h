/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trackip.h - the state of one track-ip target, as ScreenOS keeps it.
 *
 * A probe goes to the target every interval. A probe still unanswered
 * when the next is due is a miss; threshold misses in a row fail the
 * target, and threshold answers in a row bring it back. The failed
 * targets' weights are summed against the track-ip threshold (health.h
 * does that); so a target that stops answering fails interval x
 * threshold after its last answer.
 *
 * Pure logic: time is an argument, the prober (probe.h) does the I/O.
 */
#ifndef NSRPD_TRACKIP_H
#define NSRPD_TRACKIP_H

#include <stdbool.h>
#include <stdint.h>

struct track_target {
	uint64_t interval_ns;
	unsigned int threshold;
	uint16_t seq;			/* of the probe in flight */
	bool in_flight;			/* sent, not yet answered */
	uint64_t next_ns;		/* the next probe */
	unsigned int missed;		/* in a row */
	unsigned int answered;		/* in a row */
	bool failed;
	/* Since start. */
	uint64_t sent, replies, misses;
	uint64_t rtt_ns;		/* of the last answer */
	uint64_t sent_ns;		/* the probe in flight went then */
};

void track_init(struct track_target *t, uint64_t interval_ns,
		unsigned int threshold, uint64_t now);
/*
 * A probe is due at now: counts the one before as missed if nobody
 * answered it, and returns the sequence number of the next. Returns
 * whether the target's failed state changed.
 */
bool track_due(struct track_target *t, uint64_t now, uint16_t *seq);
/* An answer to probe seq: returns whether the failed state changed. */
bool track_answer(struct track_target *t, uint16_t seq, uint64_t now);

#endif
