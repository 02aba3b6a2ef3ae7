/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * clock.h - the one clock of every deadline in the agent: CLOCK_MONOTONIC
 * in nanoseconds, the clock the data plane's deadlines use too
 * (bpf_ktime_get_ns()). Pure logic takes the time as an argument; only
 * the code that does I/O reads it here.
 */
#ifndef NSRPD_CLOCK_H
#define NSRPD_CLOCK_H

#include <stdint.h>
#include <time.h>

#define NS_PER_US	1000ULL
#define NS_PER_MS	1000000ULL
#define NS_PER_S	1000000000ULL

static inline uint64_t clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

#endif
