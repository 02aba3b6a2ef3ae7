// SPDX-License-Identifier: GPL-2.0-only
/*
 * trackip.c - a track-ip target's misses and answers (see trackip.h).
 */
#include <string.h>

#include "trackip.h"

void track_init(struct track_target *t, uint64_t interval_ns,
		unsigned int threshold, uint64_t now)
{
	memset(t, 0, sizeof(*t));
	t->interval_ns = interval_ns;
	t->threshold = threshold ? threshold : 1;
	t->next_ns = now;
}

bool track_due(struct track_target *t, uint64_t now, uint16_t *seq)
{
	bool was = t->failed;

	if (t->in_flight) {
		t->misses++;
		t->answered = 0;
		if (++t->missed >= t->threshold)
			t->failed = true;
	}
	t->seq++;
	t->in_flight = true;
	t->sent++;
	t->sent_ns = now;
	/* On the interval's grid, but never in a burst after a stall. */
	t->next_ns += t->interval_ns;
	if (t->next_ns <= now)
		t->next_ns = now + t->interval_ns;
	*seq = t->seq;
	return t->failed != was;
}

bool track_answer(struct track_target *t, uint16_t seq, uint64_t now)
{
	bool was = t->failed;

	if (!t->in_flight || seq != t->seq)
		return false;	/* late, or twice: the miss is counted */
	t->in_flight = false;
	t->replies++;
	t->rtt_ns = now - t->sent_ns;
	t->missed = 0;
	if (++t->answered >= t->threshold)
		t->failed = false;
	return t->failed != was;
}
