/* SPDX-License-Identifier: GPL-2.0-only */
/* Units of the monotonic nanosecond clock every deadline of the agent uses. */
#ifndef NSRPD_CLOCK_H
#define NSRPD_CLOCK_H

#define NS_PER_US	1000ULL
#define NS_PER_MS	1000000ULL
#define NS_PER_S	1000000000ULL

#endif
