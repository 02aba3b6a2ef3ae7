/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NSRPD_IDENT_H
#define NSRPD_IDENT_H

#include <stdint.h>

/*
 * The VSI MAC of a VSD group on a cluster NIC. Both units must derive the
 * same address without talking to each other, so it depends only on what
 * their configurations share: the cluster id, the group and the NIC's name
 * (ScreenOS likewise requires the same interface names on both units).
 * It is locally administered and unicast: 02:4e:CC:GG:hh:hh.
 */
void vsi_mac_derive(uint8_t mac[6], unsigned int cluster_id,
		    unsigned int vsd, const char *ifname);

/* The unit id, from the HA interface's MAC: its low 24 bits, as ScreenOS. */
uint32_t unit_id_from_mac(const uint8_t mac[6]);

/* Formats a MAC as ScreenOS prints it: 12 hex digits, no separators. */
void mac_to_plain(char out[13], const uint8_t mac[6]);

#endif
