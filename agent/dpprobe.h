/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dpprobe.h - probes of the peer's data plane, from each data NIC.
 *
 * Every interval a probe (struct nsrp_probe, ethertype
 * NSRP_PROBE_ETHERTYPE) leaves each data NIC for the peer: broadcast
 * until the peer answered on that NIC, then to the MAC that answered.
 * The peer's XDP program answers it itself, without its agent, with the
 * groups its data plane answers for and those it hands over: an answer
 * proves that the peer forwards, whatever its agent does. A probe still
 * unanswered when the next goes is lost. Each NIC keeps its counts, the
 * last round trip and what the last answer said, for "get nsrp".
 *
 * The answers are not authenticated (the data plane cannot check a MAC
 * at line rate): a forged one can make a stalled peer look alive, which
 * the cluster bounds by the peer's control plane deadline, or keep a
 * backup from taking over in a split brain (docs/SECURITY.md).
 */
#ifndef NSRPD_DPPROBE_H
#define NSRPD_DPPROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

#include "nsrpd.h"

/* Back to broadcast after this many probes lost in a row. */
#define DPPROBE_RELEARN	3

struct dpprobe_path {
	char ifname[IF_NAMESIZE];
	int ifindex;
	uint8_t peer_mac[NSRPD_ETH_ALEN];
	bool peer_mac_known;		/* else: broadcast */
	uint32_t seq;			/* of the probe in flight */
	uint64_t sent_ns;		/* when it went; 0: none in flight */
	unsigned int lost_in_a_row;
	/* Since start. */
	uint64_t sent, answered, lost, send_errors;
	uint64_t rtt_ns;		/* of the last answer */
	uint64_t heard_ns;		/* the last answer; 0: none */
	uint8_t masters, leaving;	/* as the last answer said */
	bool orphaned;			/* and that the peer's agent is gone */
};

struct dpprobe {
	int fd;				/* AF_PACKET; -1: closed */
	uint32_t cluster_id, unit_id;	/* ours */
	uint32_t seq;
	uint64_t next_ns;		/* the next round */
	unsigned int n;
	struct dpprobe_path path[NSRPD_MAX_IFACES];
	uint64_t foreign;		/* answers from another unit than the peer */
};

/* What one answer said, for the caller's function. */
struct dpprobe_answer {
	const struct dpprobe_path *path;
	uint32_t unit_id;		/* the answering unit */
	uint8_t masters, leaving;
	bool orphaned;			/* its agent is gone */
	uint64_t sent_ns;		/* when the probe answered went */
};

/* Ready, closed: dpprobe_close() is safe. */
void dpprobe_init(struct dpprobe *p);
/* Opens the socket for this unit of cluster_id: 0 or -errno. */
int dpprobe_open(struct dpprobe *p, uint32_t cluster_id, uint32_t unit_id);
/* Probes go out of ifname too (a data NIC): 0 or -errno. */
int dpprobe_add(struct dpprobe *p, const char *ifname);
void dpprobe_close(struct dpprobe *p);
int dpprobe_fd(const struct dpprobe *p);

/* A round of probes when one is due, then every interval_ns. */
void dpprobe_tick(struct dpprobe *p, uint64_t now, uint64_t interval_ns);
uint64_t dpprobe_next_deadline(const struct dpprobe *p);
/* The next round goes at the next tick, not an interval after the last. */
void dpprobe_now(struct dpprobe *p);
/*
 * Reads what the socket holds: fn gets each answer to a probe in flight
 * from unit peer_unit (0: any unit of the cluster but this one).
 */
void dpprobe_read(struct dpprobe *p, uint64_t now, uint32_t peer_unit,
		  void (*fn)(void *arg, const struct dpprobe_answer *a,
			     uint64_t now),
		  void *arg);

#endif
