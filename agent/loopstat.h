/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * loopstat.h - the work of the event loop's passes, for the line of
 * "get nsrp" that ScreenOS gives its own task loop:
 *
 *   Total iteration=4632604,time=88222673,max=29752,min=87,average=19
 *
 * A pass is one wake-up of the loop: from epoll's return to the next
 * wait, the sleep left out. nsrpd shows the times in microseconds.
 */
#ifndef NSRPD_LOOPSTAT_H
#define NSRPD_LOOPSTAT_H

#include <stdint.h>

struct loop_stats {
	uint64_t passes;
	uint64_t total_ns;
	uint64_t max_ns;
	uint64_t min_ns;	/* meaningful once passes > 0 */
};

/* One pass that worked ns nanoseconds. */
static inline void loopstat_add(struct loop_stats *s, uint64_t ns)
{
	if (!s->passes || ns < s->min_ns)
		s->min_ns = ns;
	if (ns > s->max_ns)
		s->max_ns = ns;
	s->total_ns += ns;
	s->passes++;
}

/* The mean pass in nanoseconds, 0 before the first. */
static inline uint64_t loopstat_mean_ns(const struct loop_stats *s)
{
	return s->passes ? s->total_ns / s->passes : 0;
}

#endif
