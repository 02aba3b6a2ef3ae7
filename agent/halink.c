// SPDX-License-Identifier: GPL-2.0-only
/*
 * halink.c - the HA link's sockets: one per path, bound to its interface.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "halink.h"
#include "log.h"

#define HA_TTL 255

void ha_path_init(struct ha_path *p)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

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
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       strlen(ifname) + 1)) {
		err = -errno;
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		err = -errno;
		goto fail;
	}
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

static int ha_path_sendto(struct ha_path *p, const uint8_t *buf, size_t len,
			  in_addr_t addr, uint16_t port)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = addr };

	if (p->fd < 0)
		return -ENOTCONN;
	if (sendto(p->fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) <
	    0) {
		p->tx_err++;
		return -errno;
	}
	p->tx++;
	return 0;
}

int ha_path_send(struct ha_path *p, const uint8_t *buf, size_t len,
		 uint16_t port)
{
	return ha_path_sendto(p, buf, len, htonl(INADDR_BROADCAST), port);
}

/*
 * The kernel loops a copy of every broadcast back to the sender's own
 * socket: for the sync stream, thousands of frames a second, that is a
 * second receive path's work on each unit for nothing. Unicast has none.
 */
int ha_path_send_peer(struct ha_path *p, const uint8_t *buf, size_t len,
		      uint16_t port)
{
	if (!p->peer.sin_addr.s_addr)
		return ha_path_send(p, buf, len, port);
	return ha_path_sendto(p, buf, len, p->peer.sin_addr.s_addr, port);
}

static int ha_msg_ttl(struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c;
	     c = CMSG_NXTHDR(msg, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
			return *(int *)CMSG_DATA(c);
	return -1;
}

ssize_t ha_path_recv(struct ha_path *p, uint8_t *buf, size_t cap,
		     struct sockaddr_in *from)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr msg = { .msg_name = from, .msg_namelen = sizeof(*from),
			      .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	ssize_t n = recvmsg(p->fd, &msg, MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	if (msg.msg_flags & MSG_TRUNC)
		return 0;
	if (ha_msg_ttl(&msg) != HA_TTL) {
		p->rx_bad_ttl++;
		return 0;
	}
	p->rx++;
	return n;
}
