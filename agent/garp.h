/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NSRPD_GARP_H
#define NSRPD_GARP_H

#include <stddef.h>
#include <stdint.h>

#define GARP_ARP_LEN 42	/* Ethernet + ARP */
#define GARP_NA_LEN 86	/* Ethernet + IPv6 + NA + target link-layer option */

/*
 * Builds the announcements a new master sends for each VSI address, so that
 * switches learn the VSI MAC's new port and hosts refresh their caches:
 * a gratuitous ARP request (sender = target = the address), and an
 * unsolicited neighbour advertisement to all nodes with the override flag.
 * Pure: the tests compare them byte for byte.
 */
size_t garp_build_arp(uint8_t *buf, const uint8_t mac[6], const void *ip4);
size_t garp_build_na(uint8_t *buf, const uint8_t mac[6], const void *ip6);

/*
 * Sends one announcement of an address out of ifindex: "set nsrp arp N"
 * is N of them, a heartbeat apart (cluster.c).
 */
int garp_send(int ifindex, int family, const uint8_t mac[6], const void *addr);
void garp_close(void);

#endif
