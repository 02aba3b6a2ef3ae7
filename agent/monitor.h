/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * monitor.h - device-based monitoring, as NSRP's: what the unit watches
 * (interfaces, zones, track-ip) is an item with a weight; the weights of
 * the items that failed are summed, and at or above the threshold the
 * unit is failed, inoperable in every group (election.h).
 *
 * An item fails at once when its input fails, and is healthy again only
 * once its input has stayed healthy for the hold-down. An item that fails
 * again within a minute of its last failure is damped: its hold-down
 * doubles with each such failure, up to a minute, so a flapping link or
 * target keeps the unit failed rather than moving the VSIs back and
 * forth; a minute without a failure forgives it.
 *
 * Pure logic: inputs and time are arguments.
 */
#ifndef NSRPD_MONITOR_H
#define NSRPD_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

#define MON_MAX			96	/* items */
#define MON_NAME_LEN		32
#define MON_WHY_LEN		40
#define MON_FLAP_WINDOW_NS	(60 * NS_PER_S)
#define MON_DAMP_MAX_NS		MON_FLAP_WINDOW_NS

enum mon_kind {
	MON_INTERFACE,
	MON_ZONE,
	MON_TRACK_IP,
};

struct mon_item {
	enum mon_kind kind;
	char name[MON_NAME_LEN];	/* interface, zone, "track-ip" */
	uint32_t weight;
	bool input_failed;		/* what its input says now */
	char why[MON_WHY_LEN];		/* and why, when failed */
	bool failed;			/* what counts: after the hold-down */
	uint64_t healthy_since_ns;	/* input healthy since then */
	uint64_t last_fail_ns;		/* the input's last failure */
	unsigned int flaps;		/* failures in a row, each within the
					 * flap window of the one before */
	uint64_t failures;		/* since start */
};

struct monitor {
	struct mon_item item[MON_MAX];
	unsigned int n;
	uint32_t threshold;
	uint64_t holddown_ns;
	uint32_t sum;			/* weights of the failed items */
	bool failed;			/* sum >= threshold */
};

void monitor_init(struct monitor *m, uint32_t threshold,
		  uint64_t holddown_ns);
/*
 * Adds an item whose input is healthy or failed from now on. Returns
 * its index, or -ENOSPC.
 */
int monitor_add(struct monitor *m, enum mon_kind kind, const char *name,
		uint32_t weight, bool failed, const char *why, uint64_t now);
/* The input of item i, now: failed (with why) or healthy. */
void monitor_input(struct monitor *m, unsigned int i, bool failed,
		   const char *why, uint64_t now);
/*
 * Applies the hold-downs that ran out by now and sums the weights.
 * Returns whether the sum or the failed state changed.
 */
bool monitor_update(struct monitor *m, uint64_t now);
/* When a hold-down runs out; UINT64_MAX if none runs. */
uint64_t monitor_next_deadline(const struct monitor *m);
/* The hold-down item i waits, damped or not. */
uint64_t monitor_holddown_ns(const struct monitor *m,
			     const struct mon_item *it);
/*
 * What failed, in words, for the history and the log: "wan0 no carrier",
 * "wan0 no carrier, track-ip".
 */
void monitor_reason(const struct monitor *m, char *buf, size_t len);

#endif
