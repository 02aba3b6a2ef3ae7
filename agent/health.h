/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * health.h - what the unit watches, as the configuration names it: the
 * monitored interfaces and zones (their links, linkwatch.h) and the
 * track-ip targets (their probes, probe.h; their state, trackip.h),
 * summed by weight (monitor.h) into one verdict for the election: failed
 * or not, by how much, and why. And the witness, probed as a target is
 * but not summed: whether this unit reaches it settles a split brain.
 */
#ifndef NSRPD_HEALTH_H
#define NSRPD_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "linkwatch.h"
#include "monitor.h"
#include "probe.h"
#include "trackip.h"

struct health_target {
	struct cfg_track cfg;
	struct track_target st;
	struct probe_dest dest;
	bool usable;		/* a source to probe from was found */
};

struct health {
	const struct nsrp_config *cfg;	/* the daemon's, swapped in place */
	struct nsrp_config *built;	/* the one the items were made of */
	bool building;
	struct monitor mon;
	struct linkwatch lw;
	struct prober pr;
	struct health_target target[CFG_MAX_TRACK];
	unsigned int n_target;
	bool has_witness;
	struct health_target witness;
	/* Which monitor item each thing feeds: -1 for none. */
	int item_if[LW_MAX];		/* by linkwatch index */
	int item_zone[CFG_MAX_ZONE_MON];
	int item_track;			/* the track-ip item */
	uint32_t track_sum;		/* failed targets' weights */
	bool track_failed;
	uint64_t now;			/* of the last event or tick */
};

/*
 * Starts watching what cfg names, and reads every link's state. The
 * sockets it needs are open when it returns (health_fd()).
 */
int health_init(struct health *h, const struct nsrp_config *cfg,
		uint64_t now);
void health_fini(struct health *h);
/* The configuration changed: watch what it names now. */
void health_reconfigure(struct health *h, uint64_t now);

/* The sockets to watch: HEALTH_NFDS of them, -1 where none is open. */
enum {
	HEALTH_FD_LINK,
	HEALTH_FD_PROBE0,	/* + enum probe_sock */
	HEALTH_NFDS = HEALTH_FD_PROBE0 + PROBE_NSOCK,
};
int health_fd(const struct health *h, unsigned int i);
/* Socket i is readable. */
void health_event(struct health *h, unsigned int i, uint64_t now);
/* Probes that are due, hold-downs that ran out. */
void health_tick(struct health *h, uint64_t now);
uint64_t health_next_deadline(const struct health *h);

/*
 * The witness answers: it did, and has not failed since (threshold
 * probes unanswered in a row). False without one.
 */
bool health_witness_ok(const struct health *h);

/* The verdict: failed, the sum (at most 255) and what failed, in words. */
bool health_failed(const struct health *h);
uint8_t health_weight(const struct health *h);
void health_reason(const struct health *h, char *buf, size_t len);

#endif
