/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsi.h - the virtual security interfaces of this unit: programming the
 * data plane with them at start, and what a unit does with them when it
 * gains or loses master of a group.
 *
 * Order matters on every transition. Becoming master: flip the role map
 * first (the data plane answers for the VSIs from that instant), then
 * install the VSI addresses, then announce them. Losing master: flip the
 * role map first (stop answering), then remove the addresses.
 */
#ifndef NSRPD_VSI_H
#define NSRPD_VSI_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dataplane.h"

/* A master group's announcements: "set nsrp arp N" rounds of them. */
struct vsi_group {
	bool announce_due;	/* a round failed: retry each heartbeat */
	unsigned int announce_left;	/* rounds still to send */
	uint64_t announced_ns;		/* when the last round went */
};

struct vsi {
	const struct nsrp_config *cfg;	/* the daemon's, swapped in place */
	struct dataplane *dp;
	struct vsi_group group[NSRPD_MAX_VSD];
};

void vsi_init(struct vsi *v, const struct nsrp_config *cfg,
	      struct dataplane *dp);
/* Attaches the data plane to every VSI's NIC and tells it the VSIs. */
int vsi_program(struct vsi *v);
/* Whatever an earlier run left: backup in the role map, no addresses. */
void vsi_reset(struct vsi *v, unsigned int vsd);

/* This unit became master of vsd; the data plane answers until deadline. */
void vsi_take(struct vsi *v, unsigned int vsd, uint64_t deadline);
/* This unit is no longer master of vsd. */
void vsi_release(struct vsi *v, unsigned int vsd);
/* Still master, but the peer may have been: addresses and announcements. */
void vsi_reassert(struct vsi *v, unsigned int vsd);
/*
 * At every heartbeat while master of vsd: the role map's deadline moves
 * on (the dead-man's switch), and the announcements due go out.
 */
void vsi_refresh(struct vsi *v, unsigned int vsd, uint64_t deadline,
		 uint64_t now);

#endif
