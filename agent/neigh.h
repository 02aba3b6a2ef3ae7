/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * neigh.h - the neighbour (ARP / NDP) entries of the cluster NICs, read on
 * the master and installed on the backup, so that a new master forwards
 * at once instead of resolving every next hop after a failover.
 */
#ifndef NSRPD_NEIGH_H
#define NSRPD_NEIGH_H

#include <stdint.h>

/*
 * One entry on the wire, NEIGH_REC_LEN bytes, field by field:
 *   0  ifname, 16 bytes, NUL-terminated, zero-padded
 *  16  family, 4 or 6
 *  17  reserved, zero
 *  18  MAC, 6 bytes
 *  24  address, 16 bytes, network order; IPv4 in the first 4, rest zero
 */
#define NEIGH_REC_LEN 40

struct neigh_rec {
	char ifname[16];
	uint8_t family;		/* 4 or 6 */
	uint8_t mac[6];
	uint8_t addr[16];	/* network order; IPv4 uses the first 4 */
};

void neigh_rec_put(uint8_t out[NEIGH_REC_LEN], const struct neigh_rec *r);
/* -EINVAL on a bad record: family, unterminated or empty name, junk. */
int neigh_rec_get(const uint8_t in[NEIGH_REC_LEN], struct neigh_rec *r);

/*
 * Reads the REACHABLE, STALE, DELAY, PROBE and PERMANENT entries that have
 * a link-layer address, IPv4 and IPv6, of the named interfaces (a name
 * that does not exist is skipped). Returns how many were stored in out
 * (at most max) or -errno.
 */
int neigh_dump(const char *const *ifnames, unsigned int n_if,
	       struct neigh_rec *out, unsigned int max);

/*
 * Installs one entry as STALE, so that the kernel uses it at once and
 * re-validates it, unless the kernel already has an entry with a
 * link-layer address for it (its own knowledge wins; that is not an
 * error). -ENODEV if the interface is missing.
 */
int neigh_install(const struct neigh_rec *r);

#endif
