/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NSRPD_HALINK_H
#define NSRPD_HALINK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <net/if.h>
#include <netinet/in.h>

#include "proto.h"

/*
 * One HA path: a UDP socket bound to one interface. Frames go out as
 * link broadcasts with TTL 255 and are accepted only with TTL 255, so that
 * nothing routed can reach the cluster's control channel (as VRRP does).
 */
enum ha_path_id {
	HA_PRIMARY = 0,		/* set nsrp interface */
	HA_SECONDARY = 1,	/* set nsrp secondary-path */
	HA_NPATHS,
};

/* Heartbeats whose send time a path keeps, for their echo (round trip). */
#define HA_HB_KEPT	16

/* What a path's heartbeats tell of it (proto.h's echo). */
struct ha_hb_echo {
	uint32_t sent;			/* heartbeats sent on the path */
	uint64_t sent_ns[HA_HB_KEPT];	/* heartbeat n went out at [n % KEPT] */
	uint64_t peer_epoch;		/* the peer's run that numbered them */
	uint32_t peer_last;		/* the peer's number last heard; 0: none */
	uint64_t peer_last_ns;		/* when */
	uint64_t heard;			/* the peer's heartbeats heard here */
	uint64_t lost;			/* and missing from its numbering */
	uint64_t rtt_ns;		/* smoothed round trip; 0: none yet */
	uint64_t rtt_last_ns;		/* the latest */
	uint64_t rtts;			/* round trips measured */
};

struct ha_path {
	char ifname[IF_NAMESIZE];
	int ifindex;
	int fd;			/* -1 when not configured */
	uint64_t last_rx_ns;	/* last frame from the peer that verified */
	bool peer_seen;
	struct sockaddr_in peer;	/* source of the peer's last verified
					 * frame; 0.0.0.0: not known */
	unsigned int mtu;	/* the interface's (ha_path_check_mtu()) */
	bool gso;		/* the kernel cuts bursts into datagrams */
	/* Datagrams, and the syscalls that moved them: bursts take one. */
	uint64_t tx, tx_calls, tx_err, rx, rx_calls, rx_bad_ttl;
	/* Passes of the loop that left sending or receiving to the next,
	 * their time spent (cluster_rx(), sync_flush()). */
	uint64_t tx_yields, rx_yields;
	struct ha_hb_echo hb;
};

void ha_path_init(struct ha_path *p);
/* The echo the next heartbeat on the path carries, at now; counts it sent. */
void ha_hb_echo_next(struct ha_hb_echo *e, uint64_t now,
		     struct proto_hb_echo *out);
/*
 * A heartbeat of the peer's run epoch heard on the path, with its echo,
 * at now: a gap in its numbering counts as lost, a late one is taken
 * back, a new run starts the numbering over.
 */
void ha_hb_echo_heard(struct ha_hb_echo *e, const struct proto_hb_echo *in,
		      uint64_t epoch, uint64_t now);
int ha_path_open(struct ha_path *p, const char *ifname, uint16_t port);
void ha_path_close(struct ha_path *p);
/*
 * The largest datagram the path carries unfragmented, as far as this
 * unit knows: the interface's MTU less the IPv4 and UDP headers.
 */
size_t ha_path_payload_max(const struct ha_path *p);
/*
 * Reads the interface's MTU again: an operator may give the HA link
 * jumbo frames, or take them away, under a running agent. Frames take the
 * new size from the next one on, and a path that sends frame by frame
 * tries segmentation again. True when the MTU changed (logged).
 */
bool ha_path_check_mtu(struct ha_path *p);
/* Broadcast on the path: heartbeats, which must find the peer anywhere. */
int ha_path_send(struct ha_path *p, const uint8_t *buf, size_t len,
		 uint16_t port);
/* To the peer's address on the path when known, else broadcast. */
int ha_path_send_peer(struct ha_path *p, const uint8_t *buf, size_t len,
		      uint16_t port);
/*
 * Datagrams of seg bytes each (the last may be shorter), laid end to end
 * in buf, to the peer as ha_path_send_peer(): in one syscall where the
 * kernel can segment them, HA_GSO_SEGS at most.
 */
#define HA_GSO_SEGS	64
int ha_path_send_segs(struct ha_path *p, const uint8_t *buf, size_t len,
		      size_t seg, uint16_t port);
/*
 * Receives one datagram, or several from one sender that the kernel
 * merged (UDP GRO): laid end to end, each *seg bytes but the last, and
 * how long it waited in the socket (*queued_ns, 0: not known). Returns
 * the length of it all, 0 when it was dropped here (TTL other than 255:
 * counted), or -errno (-EAGAIN when none is waiting).
 */
ssize_t ha_path_recv(struct ha_path *p, uint8_t *buf, size_t cap,
		     struct sockaddr_in *from, size_t *seg,
		     uint64_t *queued_ns);

#endif
