// SPDX-License-Identifier: GPL-2.0-only
/*
 * dpprobe.c - probes of the peer's data plane (see dpprobe.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sys/socket.h>

#include "dpprobe.h"

static const uint8_t bcast[NSRPD_ETH_ALEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void dpprobe_init(struct dpprobe *p)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

int dpprobe_open(struct dpprobe *p, uint32_t cluster_id, uint32_t unit_id)
{
	dpprobe_init(p);
	p->cluster_id = cluster_id;
	p->unit_id = unit_id;
	p->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       htons(NSRP_PROBE_ETHERTYPE));
	return p->fd < 0 ? -errno : 0;
}

int dpprobe_add(struct dpprobe *p, const char *ifname)
{
	struct dpprobe_path *path;
	unsigned int ifindex = if_nametoindex(ifname);

	if (!ifindex)
		return -errno;
	for (unsigned int i = 0; i < p->n; i++)
		if (p->path[i].ifindex == (int)ifindex)
			return 0;
	if (p->n == NSRPD_MAX_IFACES)
		return -ENOSPC;
	path = &p->path[p->n++];
	memset(path, 0, sizeof(*path));
	snprintf(path->ifname, sizeof(path->ifname), "%s", ifname);
	path->ifindex = ifindex;
	return 0;
}

void dpprobe_close(struct dpprobe *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

int dpprobe_fd(const struct dpprobe *p)
{
	return p->fd;
}

static void dpprobe_send(struct dpprobe *p, struct dpprobe_path *path,
			 uint64_t now)
{
	struct nsrp_probe q = {
		.version = NSRP_PROBE_VERSION,
		.op = NSRP_PROBE_REQUEST,
		.cluster_id = htonl(p->cluster_id),
		.unit_id = htonl(p->unit_id),
		.seq = htonl(++p->seq),
		.sent_ns = htobe64(now),
	};
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(NSRP_PROBE_ETHERTYPE),
		.sll_ifindex = path->ifindex,
		.sll_halen = NSRPD_ETH_ALEN,
	};

	/* The one before went unanswered. */
	if (path->sent_ns) {
		path->lost++;
		if (++path->lost_in_a_row >= DPPROBE_RELEARN)
			path->peer_mac_known = false;
	}
	memcpy(to.sll_addr, path->peer_mac_known ? path->peer_mac : bcast,
	       NSRPD_ETH_ALEN);
	path->seq = p->seq;
	if (sendto(p->fd, &q, sizeof(q), 0, (struct sockaddr *)&to,
		   sizeof(to)) != sizeof(q)) {
		path->send_errors++;
		path->sent_ns = 0;	/* a link down loses nothing on the wire */
		return;
	}
	path->sent++;
	path->sent_ns = now;
}

void dpprobe_tick(struct dpprobe *p, uint64_t now, uint64_t interval_ns)
{
	if (p->fd < 0 || !p->n || now < p->next_ns)
		return;
	for (unsigned int i = 0; i < p->n; i++)
		dpprobe_send(p, &p->path[i], now);
	p->next_ns = now + interval_ns;
}

uint64_t dpprobe_next_deadline(const struct dpprobe *p)
{
	return p->fd < 0 || !p->n ? UINT64_MAX : p->next_ns;
}

void dpprobe_now(struct dpprobe *p)
{
	p->next_ns = 0;
}

static struct dpprobe_path *dpprobe_path_of(struct dpprobe *p, int ifindex)
{
	for (unsigned int i = 0; i < p->n; i++)
		if (p->path[i].ifindex == ifindex)
			return &p->path[i];
	return NULL;
}

/* One frame read: an answer of ours, from the peer, to the probe out. */
static bool dpprobe_answer(struct dpprobe *p, const struct nsrp_probe *r,
			   const struct sockaddr_ll *from, uint32_t peer_unit,
			   uint64_t now, struct dpprobe_answer *a)
{
	struct dpprobe_path *path = dpprobe_path_of(p, from->sll_ifindex);
	uint32_t unit = ntohl(r->unit_id);
	uint64_t sent;

	if (!path || from->sll_pkttype == PACKET_OUTGOING ||
	    r->version != NSRP_PROBE_VERSION || r->op != NSRP_PROBE_REPLY ||
	    ntohl(r->cluster_id) != p->cluster_id || unit == p->unit_id)
		return false;
	if (peer_unit && unit != peer_unit) {
		p->foreign++;
		return false;
	}
	if (!path->sent_ns || ntohl(r->seq) != path->seq)
		return false;	/* late: that one counts as lost */
	path->answered++;
	sent = path->sent_ns;
	path->rtt_ns = now - sent;
	path->sent_ns = 0;
	path->lost_in_a_row = 0;
	path->heard_ns = now;
	path->masters = r->masters;
	path->leaving = r->leaving;
	path->orphaned = r->flags & NSRP_PROBE_F_ORPHAN;
	if (from->sll_halen == NSRPD_ETH_ALEN) {
		memcpy(path->peer_mac, from->sll_addr, NSRPD_ETH_ALEN);
		path->peer_mac_known = true;
	}
	*a = (struct dpprobe_answer){ .path = path, .unit_id = unit,
				      .masters = r->masters,
				      .leaving = r->leaving, .sent_ns = sent,
				      .orphaned = path->orphaned };
	return true;
}

void dpprobe_read(struct dpprobe *p, uint64_t now, uint32_t peer_unit,
		  void (*fn)(void *arg, const struct dpprobe_answer *a,
			     uint64_t now),
		  void *arg)
{
	struct nsrp_probe r;
	struct sockaddr_ll from;
	socklen_t flen = sizeof(from);
	struct dpprobe_answer a;
	ssize_t n;

	if (p->fd < 0)
		return;
	/* Bounded: a flood must not hold the loop (each read is one frame). */
	for (int i = 0; i < 256; i++, flen = sizeof(from)) {
		n = recvfrom(p->fd, &r, sizeof(r), 0, (struct sockaddr *)&from,
			     &flen);
		if (n < 0)
			return;
		if (n == sizeof(r) &&
		    dpprobe_answer(p, &r, &from, peer_unit, now, &a))
			fn(arg, &a, now);
	}
}
