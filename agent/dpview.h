/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dpview.h - "get dataplane ...": the data plane's tables as they are in
 * the maps, only what they hold, with the interfaces named. What bpftool
 * would print of them, legibly: nsrp_vsi_mac is an array indexed by
 * ifindex (16384 entries, for the speed of the frame path), of which a
 * dump prints every empty entry.
 *
 *   get dataplane vsi-mac    per NIC: its MAC, the VSI MAC of each group
 *   get dataplane vsi-addr   the VSI addresses answered for, with their MAC
 *   get dataplane role       per group: the role and its deadline
 *   get dataplane iface      per cluster NIC: its group, the MAC it sends from
 *
 * Each as text, or as JSON (docs/JSON.md); 0 or -errno.
 */
#ifndef NSRPD_DPVIEW_H
#define NSRPD_DPVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "ctl.h"
#include "dataplane.h"

int dpview_vsi_mac(const struct dataplane *dp, bool json, struct ctl_out *o);
int dpview_vsi_addr(const struct dataplane *dp, bool json, struct ctl_out *o);
/* now: CLOCK_MONOTONIC, the deadlines' clock */
int dpview_roles(const struct dataplane *dp, uint64_t now, bool json,
		 struct ctl_out *o);
int dpview_ifaces(const struct dataplane *dp, bool json, struct ctl_out *o);

#endif
