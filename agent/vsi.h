/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsi.h - the virtual security interfaces of this unit: programming the
 * data plane with them at start, and what a unit does with them when it
 * gains or loses master of a group.
 *
 * Order matters on every transition. Becoming master: flip the role map
 * first (the data plane answers for the VSIs from that instant), then
 * install the VSI addresses, then announce them. Losing master: flip the
 * role map first (stop answering), then remove the addresses. Handing
 * master over: the role map says leaving (no answer, no announcement, but
 * what still arrives is forwarded) until the new master has announced
 * the VSIs and a grace has passed; then as losing master.
 */
#ifndef NSRPD_VSI_H
#define NSRPD_VSI_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "dataplane.h"

/*
 * How long a unit that handed master over still forwards what reaches it:
 * frames the switches sent before they took in the new master's
 * announcement, or had queued, arrive within a few milliseconds on a LAN;
 * the rest is a loaded machine's margin.
 */
#define VSI_LEAVE_GRACE_NS	(500 * NS_PER_MS)

/* A master group's announcements: "set nsrp arp N" rounds of them. */
struct vsi_group {
	bool announce_due;	/* a round failed: retry each heartbeat */
	unsigned int announce_left;	/* rounds still to send */
	uint64_t announced_ns;		/* when the last round went */
	uint64_t leaving_until;		/* handing over until; 0: not */
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
/*
 * It hands vsd over: its data plane answers no more, but forwards until
 * until (then vsi_tick() releases it), or until vsi_take() or
 * vsi_release().
 */
void vsi_leave(struct vsi *v, unsigned int vsd, uint64_t until);
/* Groups whose hand-over grace ran out are released. */
void vsi_tick(struct vsi *v, uint64_t now);
uint64_t vsi_next_deadline(const struct vsi *v);
/* A group still forwards after it handed over. */
bool vsi_leaving(const struct vsi *v);
/* Still master, but the peer may have been: addresses and announcements. */
void vsi_reassert(struct vsi *v, unsigned int vsd);
/*
 * At every heartbeat while master of vsd: the role map's deadline moves
 * on (the dead-man's switch), and the announcements due go out; not
 * while it hands the group over.
 */
void vsi_refresh(struct vsi *v, unsigned int vsd, uint64_t deadline,
		 uint64_t now);

#endif
