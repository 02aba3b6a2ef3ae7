/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NSRPD_NETLINK_H
#define NSRPD_NETLINK_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#define NL_RCV_TIMEOUT_S	1	/* longest wait for the kernel */

/* What the agent needs to know of a NIC. */
struct link_info {
	int ifindex;
	uint8_t mac[6];
	unsigned int mtu;
	bool up;		/* administratively up */
	bool running;		/* carrier */
};

int link_info_get(const char *ifname, struct link_info *li);

/*
 * Adds or removes an address (family 4 or 6) on a NIC. Adding an address
 * that is already there, or removing one that is not, is not an error: the
 * agent converges to the state it wants, whatever an earlier run left.
 */
int nl_addr_add(int ifindex, int family, const void *addr, int prefixlen);
int nl_addr_del(int ifindex, int family, const void *addr, int prefixlen);

/* 1 when NIC ifindex has a qdisc of kind ("clsact"), 0 if not, or -errno. */
int nl_has_qdisc(int ifindex, const char *kind);

/* One rtnetlink request, its answers run through cb (netlink.c). */
struct nlmsghdr;
int nl_request(struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

#endif
