// SPDX-License-Identifier: GPL-2.0-only
/*
 * halink.c - the HA link's sockets: one per path, bound to its interface.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/udp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "clock.h"
#include "halink.h"
#include "log.h"

#define HA_TTL 255
#define HA_MTU_MIN	576	/* IPv4's, when the interface does not say */
#define HA_IP_UDP_HDRS	28

void ha_path_init(struct ha_path *p)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

/* --------------------------------------------------- heartbeat echo */

#define HA_RTT_SHIFT	3	/* smoothed as TCP's srtt: 1/8 of each new */
#define HA_LATE_MAX	64	/* a heartbeat this far behind came late */

void ha_hb_echo_next(struct ha_hb_echo *e, uint64_t now,
		     struct proto_hb_echo *out)
{
	uint64_t held = 0;

	if (!++e->sent)		/* 0 means none: skipped as it wraps */
		e->sent = 1;
	e->sent_ns[e->sent % HA_HB_KEPT] = now;
	if (e->peer_last && now > e->peer_last_ns)
		held = (now - e->peer_last_ns) / NS_PER_US;
	out->sent = e->sent;
	out->echo = e->peer_last;
	out->held_us = held > UINT32_MAX ? UINT32_MAX : held;
}

/* Its number, and what it says of ours: a round trip, if it echoes one. */
static void ha_hb_rtt(struct ha_hb_echo *e, const struct proto_hb_echo *in,
		      uint64_t now)
{
	uint64_t sent, held = (uint64_t)in->held_us * NS_PER_US, rtt;

	if (!in->echo || in->echo > e->sent || e->sent - in->echo >= HA_HB_KEPT)
		return;
	sent = e->sent_ns[in->echo % HA_HB_KEPT];
	if (now <= sent + held)
		return;
	rtt = now - sent - held;
	e->rtt_last_ns = rtt;
	e->rtt_ns = e->rtts++ ? e->rtt_ns - (e->rtt_ns >> HA_RTT_SHIFT) +
					(rtt >> HA_RTT_SHIFT)
			      : rtt;
}

void ha_hb_echo_heard(struct ha_hb_echo *e, const struct proto_hb_echo *in,
		      uint64_t epoch, uint64_t now)
{
	uint32_t n = in->sent;

	if (e->peer_last && epoch != e->peer_epoch)
		e->peer_last = 0;	/* a new run numbers from 1 */
	e->peer_epoch = epoch;
	e->heard++;
	if (e->peer_last && n <= e->peer_last) {
		/* Counted lost when the next one came: it was only late. */
		if (e->peer_last - n < HA_LATE_MAX && e->lost)
			e->lost--;
	} else {
		if (e->peer_last)
			e->lost += n - e->peer_last - 1;
		e->peer_last = n;
		e->peer_last_ns = now;
	}
	ha_hb_rtt(e, in, now);
}

/* ------------------------------------------------------------ sockets */

#define HA_SOCK_BUF	(8 << 20)	/* bytes, each way */

static int ha_setsockopt_int(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val)) ? -errno : 0;
}

/*
 * Heartbeats share the socket with the sync stream, whose bursts (a
 * window of records, tens of frames) overflowed the default receive
 * buffer: sync frames were lost and retransmitted 40 ms later, and a
 * heartbeat behind them could be lost too. The *FORCE options pass
 * net.core.rmem_max / wmem_max (we run as root); without the privilege
 * the plain ones give what the limits allow.
 */
static void ha_bufs(int fd)
{
	if (ha_setsockopt_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, HA_SOCK_BUF))
		ha_setsockopt_int(fd, SOL_SOCKET, SO_RCVBUF, HA_SOCK_BUF);
	if (ha_setsockopt_int(fd, SOL_SOCKET, SO_SNDBUFFORCE, HA_SOCK_BUF))
		ha_setsockopt_int(fd, SOL_SOCKET, SO_SNDBUF, HA_SOCK_BUF);
}

/*
 * Read when the path opens, and each second after (ha_path_check_mtu()).
 * Between a change and its reading, frames are smaller than they could
 * be, or larger than the link: the kernel fragments those (the socket
 * keeps the default IP_PMTUDISC_WANT), which costs speed, not frames.
 */
static unsigned int ha_if_mtu(int fd, const char *ifname)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFMTU, &ifr) || ifr.ifr_mtu < HA_MTU_MIN)
		return HA_MTU_MIN;
	return ifr.ifr_mtu;
}

size_t ha_path_payload_max(const struct ha_path *p)
{
	return (p->mtu > HA_MTU_MIN ? p->mtu : HA_MTU_MIN) - HA_IP_UDP_HDRS;
}

bool ha_path_check_mtu(struct ha_path *p)
{
	unsigned int mtu;

	if (p->fd < 0)
		return false;
	mtu = ha_if_mtu(p->fd, p->ifname);
	if (mtu == p->mtu)
		return false;
	pr_info("%s: MTU %u, was %u: frames of up to %u bytes from now on",
		p->ifname, mtu, p->mtu, mtu - HA_IP_UDP_HDRS);
	p->mtu = mtu;
	/* A segment larger than the old MTU may be why the kernel refused. */
	p->gso = true;
	return true;
}

int ha_path_open(struct ha_path *p, const char *ifname, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_ANY) };
	int fd, err;

	if (snprintf(p->ifname, sizeof(p->ifname), "%s", ifname) >=
	    (int)sizeof(p->ifname))
		return -ENAMETOOLONG;
	p->ifindex = if_nametoindex(ifname);
	if (!p->ifindex)
		return -ENODEV;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* One socket per path, all on the same port: each bound to its NIC. */
	if ((err = ha_setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1)) ||
	    (err = ha_setsockopt_int(fd, SOL_SOCKET, SO_BROADCAST, 1)) ||
	    (err = ha_setsockopt_int(fd, IPPROTO_IP, IP_TTL, HA_TTL)) ||
	    (err = ha_setsockopt_int(fd, IPPROTO_IP, IP_RECVTTL, 1)) ||
	    (err = ha_setsockopt_int(fd, SOL_SOCKET, SO_PRIORITY, 6)))
		goto fail;
	ha_bufs(fd);
	/* When each datagram arrived: how long it waited for the loop. */
	ha_setsockopt_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
	/* Bursts of frames may arrive as one: ha_path_recv() cuts them. */
	ha_setsockopt_int(fd, SOL_UDP, UDP_GRO, 1);
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       strlen(ifname) + 1)) {
		err = -errno;
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		err = -errno;
		goto fail;
	}
	p->mtu = ha_if_mtu(fd, ifname);
	p->gso = true;		/* until the kernel says otherwise */
	p->fd = fd;
	return 0;
fail:
	pr_err("%s: cannot open the HA socket: %s", ifname, strerror(-err));
	close(fd);
	return err;
}

void ha_path_close(struct ha_path *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

static struct sockaddr_in ha_dest(const struct ha_path *p, bool to_peer,
				  uint16_t port)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_BROADCAST) };

	if (to_peer && p->peer.sin_addr.s_addr)
		to.sin_addr = p->peer.sin_addr;
	return to;
}

static int ha_path_sendto(struct ha_path *p, const uint8_t *buf, size_t len,
			  const struct sockaddr_in *to)
{
	if (p->fd < 0)
		return -ENOTCONN;
	if (sendto(p->fd, buf, len, 0, (const struct sockaddr *)to,
		   sizeof(*to)) < 0) {
		p->tx_err++;
		return -errno;
	}
	p->tx++;
	p->tx_calls++;
	return 0;
}

int ha_path_send(struct ha_path *p, const uint8_t *buf, size_t len,
		 uint16_t port)
{
	struct sockaddr_in to = ha_dest(p, false, port);

	return ha_path_sendto(p, buf, len, &to);
}

/*
 * The kernel loops a copy of every broadcast back to the sender's own
 * socket: for the sync stream, thousands of frames a second, that is a
 * second receive path's work on each unit for nothing. Unicast has none.
 */
int ha_path_send_peer(struct ha_path *p, const uint8_t *buf, size_t len,
		      uint16_t port)
{
	struct sockaddr_in to = ha_dest(p, true, port);

	return ha_path_sendto(p, buf, len, &to);
}

/* One sendmsg() for the lot, cut into datagrams of seg bytes by UDP GSO. */
static int ha_path_send_gso(struct ha_path *p, const uint8_t *buf,
			    size_t len, size_t seg,
			    const struct sockaddr_in *to)
{
	char cbuf[CMSG_SPACE(sizeof(uint16_t))] = { 0 };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_name = (void *)to,
			      .msg_namelen = sizeof(*to),
			      .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	uint16_t gso = seg;

	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(gso));
	memcpy(CMSG_DATA(c), &gso, sizeof(gso));
	if (sendmsg(p->fd, &msg, 0) < 0)
		return -errno;
	p->tx += (len + seg - 1) / seg;
	p->tx_calls++;
	return 0;
}

/*
 * Bursts of same-sized frames cost one trip through the stack rather
 * than one per frame: the kernel cuts them apart as late as it can, in
 * the NIC or its driver, or not at all where the peer's socket takes
 * them whole (UDP GRO, as ours does). Where the path cannot (no
 * checksum offload: EIO; a kernel without UDP GSO: EINVAL or
 * ENOPROTOOPT), the frames go one by one from then on.
 */
int ha_path_send_segs(struct ha_path *p, const uint8_t *buf, size_t len,
		      size_t seg, uint16_t port)
{
	struct sockaddr_in to = ha_dest(p, true, port);
	int err;

	if (p->fd < 0)
		return -ENOTCONN;
	if (!seg || seg > len)
		seg = len;
	if (p->gso && len > seg && (len + seg - 1) / seg <= HA_GSO_SEGS) {
		err = ha_path_send_gso(p, buf, len, seg, &to);
		if (err != -EIO && err != -EINVAL && err != -ENOPROTOOPT) {
			if (err)
				p->tx_err++;
			return err;
		}
		pr_info("%s: no UDP segmentation offload (%s): frames go "
			"one at a time", p->ifname, strerror(-err));
		p->gso = false;
	}
	for (size_t off = 0; off < len; off += seg) {
		err = ha_path_sendto(p, buf + off,
				     len - off < seg ? len - off : seg, &to);
		if (err)
			return err;
	}
	return 0;
}

/* The TTL the frame came with, and the size GRO merged it by, if it did. */
static void ha_msg_meta(struct msghdr *msg, int *ttl, size_t *seg,
			struct timespec *at)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c;
	     c = CMSG_NXTHDR(msg, c)) {
		int v;

		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(*at))) {
			memcpy(at, CMSG_DATA(c), sizeof(*at));
			continue;
		}
		if (c->cmsg_len < CMSG_LEN(sizeof(v)))
			continue;
		memcpy(&v, CMSG_DATA(c), sizeof(v));
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
			*ttl = v;
		else if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
			 v > 0)
			*seg = v;
	}
}

/* How long ago the kernel took the datagram in, by its timestamp. */
static uint64_t ha_queued_ns(const struct timespec *at)
{
	struct timespec now;
	int64_t d;

	if (!at->tv_sec || clock_gettime(CLOCK_REALTIME, &now))
		return 0;
	d = (int64_t)(now.tv_sec - at->tv_sec) * 1000000000 +
	    (now.tv_nsec - at->tv_nsec);
	return d > 0 ? (uint64_t)d : 0;
}

ssize_t ha_path_recv(struct ha_path *p, uint8_t *buf, size_t cap,
		     struct sockaddr_in *from, size_t *seg,
		     uint64_t *queued_ns)
{
	char cbuf[CMSG_SPACE(sizeof(int)) * 2 +
		  CMSG_SPACE(sizeof(struct timespec))];
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr msg = { .msg_name = from, .msg_namelen = sizeof(*from),
			      .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	ssize_t n = recvmsg(p->fd, &msg, MSG_DONTWAIT);
	struct timespec at = { 0 };
	int ttl = -1;

	if (n < 0)
		return -errno;
	p->rx_calls++;
	if (msg.msg_flags & MSG_TRUNC)
		return 0;
	*seg = n;
	ha_msg_meta(&msg, &ttl, seg, &at);
	*queued_ns = ha_queued_ns(&at);
	if (*seg > (size_t)n)
		*seg = n;
	if (ttl != HA_TTL) {
		p->rx_bad_ttl++;
		return 0;
	}
	p->rx += n ? (n + *seg - 1) / *seg : 1;
	return n;
}
