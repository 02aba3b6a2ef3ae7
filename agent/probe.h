/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * probe.h - the probes of track-ip, sent from this unit's manage-ip out of
 * its NIC: ICMP or ICMPv6 echo (method ping), an ARP request or an IPv6
 * neighbour solicitation (method arp). One socket of each kind serves
 * every target; an answer is known by who sent it and, for an echo, by
 * its identifier and sequence number.
 */
#ifndef NSRPD_PROBE_H
#define NSRPD_PROBE_H

#include <stdbool.h>
#include <stdint.h>

/* Where a probe goes, and from where. */
struct probe_dest {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* the target */
	uint8_t src[16];	/* the manage-ip */
	int ifindex;		/* its NIC */
	uint8_t mac[6];		/* the NIC's (method arp) */
	bool neigh;		/* method arp: ARP, or neighbour solicitation */
};

/* An answer that came back. */
struct probe_answer {
	int family;
	uint8_t addr[16];	/* who answered */
	bool neigh;		/* an ARP reply or neighbour advertisement */
	uint16_t seq;		/* an echo's sequence number */
};

enum probe_sock {
	PROBE_ICMP,		/* echo replies */
	PROBE_ICMP6,		/* echo replies, neighbour advertisements */
	PROBE_ARP,		/* ARP replies, on every NIC */
	PROBE_NSOCK,
};

struct prober {
	int fd[PROBE_NSOCK];	/* -1: not open */
	uint16_t ident;		/* echo identifier: ours */
	unsigned long long sent, send_errors, answers;
};

/* All closed. */
void prober_init(struct prober *p);
void prober_close(struct prober *p);
/* Opens socket s, unless it is: 0 or -errno (raw sockets need root). */
int prober_open(struct prober *p, enum probe_sock s);
/* Sends probe seq to d: 0 or -errno (-EBADF: its socket is not open). */
int prober_send(struct prober *p, const struct probe_dest *d, uint16_t seq);
/*
 * Reads what socket s received, without blocking: fn gets every answer.
 */
void prober_read(struct prober *p, enum probe_sock s,
		 void (*fn)(void *arg, const struct probe_answer *a),
		 void *arg);

#endif
