// SPDX-License-Identifier: GPL-2.0-only
/*
 * probe.c - track-ip's echo, ARP and neighbour solicitation probes (see
 * probe.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/icmp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include "probe.h"

#define PROBE_PAYLOAD	"nsrpd-ti"	/* 8 bytes after the echo header */
#define ECHO_LEN	16
#define NS_LEN		32		/* header, target, source LL option */
#define ARP_LEN		28

void prober_init(struct prober *p)
{
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < PROBE_NSOCK; i++)
		p->fd[i] = -1;
	p->ident = (uint16_t)getpid() ^ 0x4e53;
}

void prober_close(struct prober *p)
{
	for (int i = 0; i < PROBE_NSOCK; i++)
		if (p->fd[i] >= 0)
			close(p->fd[i]);
	prober_init(p);
}

static int probe_icmp_socket(void)
{
	/* ICMP_FILTER's mask: the types NOT to receive. */
	struct icmp_filter f = { .data = ~(1U << ICMP_ECHOREPLY) };
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			IPPROTO_ICMP);

	if (fd >= 0)
		setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
	return fd;
}

static int probe_icmp6_socket(void)
{
	struct icmp6_filter f;
	int hops = 255;		/* neighbour discovery's only hop limit */
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			IPPROTO_ICMPV6);

	if (fd < 0)
		return fd;
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
	ICMP6_FILTER_SETPASS(ND_NEIGHBOR_ADVERT, &f);
	setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops));
	setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops));
	return fd;
}

static int probe_socket(struct prober *p, enum probe_sock s)
{
	int fd;

	if (p->fd[s] >= 0)
		return p->fd[s];
	switch (s) {
	case PROBE_ICMP:
		fd = probe_icmp_socket();
		break;
	case PROBE_ICMP6:
		fd = probe_icmp6_socket();
		break;
	default:
		fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    htons(ETH_P_ARP));
		break;
	}
	if (fd < 0)
		return -errno;
	p->fd[s] = fd;
	return fd;
}

int prober_open(struct prober *p, enum probe_sock s)
{
	int fd = probe_socket(p, s);

	return fd < 0 ? fd : 0;
}

static uint16_t probe_csum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/* An echo request, ICMP or ICMPv6 (whose checksum the kernel fills). */
static size_t probe_echo(uint8_t *buf, int family, uint16_t ident,
			 uint16_t seq)
{
	buf[0] = family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	buf[1] = 0;
	buf[2] = buf[3] = 0;
	memcpy(buf + 4, &(uint16_t){ htons(ident) }, 2);
	memcpy(buf + 6, &(uint16_t){ htons(seq) }, 2);
	memcpy(buf + 8, PROBE_PAYLOAD, 8);
	if (family == AF_INET)
		memcpy(buf + 2, &(uint16_t){ probe_csum(buf, ECHO_LEN) }, 2);
	return ECHO_LEN;
}

/* A neighbour solicitation for d->addr, with our link-layer address. */
static size_t probe_ns(uint8_t *buf, const struct probe_dest *d)
{
	memset(buf, 0, NS_LEN);
	buf[0] = ND_NEIGHBOR_SOLICIT;
	memcpy(buf + 8, d->addr, 16);
	buf[24] = ND_OPT_SOURCE_LINKADDR;
	buf[25] = 1;		/* in units of 8 bytes */
	memcpy(buf + 26, d->mac, 6);
	return NS_LEN;
}

/* Sends from d->src out of d->ifindex: IP_PKTINFO / IPV6_PKTINFO. */
static int probe_sendmsg(int fd, const struct probe_dest *d, const void *buf,
			 size_t len, const void *to, socklen_t tolen)
{
	char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))] = { 0 };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_name = (void *)to, .msg_namelen = tolen,
			      .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf };
	struct cmsghdr *c = (struct cmsghdr *)cbuf;

	if (d->family == AF_INET) {
		struct in_pktinfo pi = { .ipi_ifindex = d->ifindex };

		memcpy(&pi.ipi_spec_dst, d->src, 4);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
	} else {
		struct in6_pktinfo pi = { .ipi6_ifindex = d->ifindex };

		memcpy(&pi.ipi6_addr, d->src, 16);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
	}
	return sendmsg(fd, &msg, 0) < 0 ? -errno : 0;
}

static int probe_send_ip(struct prober *p, const struct probe_dest *d,
			 uint16_t seq)
{
	int fd = p->fd[d->family == AF_INET ? PROBE_ICMP : PROBE_ICMP6];
	uint8_t buf[NS_LEN];
	size_t len;

	if (fd < 0)
		return -EBADF;
	if (d->family == AF_INET) {
		struct sockaddr_in to = { .sin_family = AF_INET };

		memcpy(&to.sin_addr, d->addr, 4);
		len = probe_echo(buf, AF_INET, p->ident, seq);
		return probe_sendmsg(fd, d, buf, len, &to, sizeof(to));
	} else {
		struct sockaddr_in6 to = { .sin6_family = AF_INET6,
					   .sin6_scope_id = d->ifindex };

		if (d->neigh) {
			/* The solicited-node multicast address. */
			static const uint8_t snm[13] = {
				0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff
			};

			memcpy(to.sin6_addr.s6_addr, snm, 13);
			memcpy(to.sin6_addr.s6_addr + 13, d->addr + 13, 3);
			len = probe_ns(buf, d);
		} else {
			memcpy(&to.sin6_addr, d->addr, 16);
			len = probe_echo(buf, AF_INET6, p->ident, seq);
		}
		return probe_sendmsg(fd, d, buf, len, &to, sizeof(to));
	}
}

/* Who has d->addr? Tell d->src, at d->mac: a broadcast on the NIC. */
static int probe_send_arp(struct prober *p, const struct probe_dest *d)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ARP),
				  .sll_ifindex = d->ifindex, .sll_halen = 6,
				  .sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff,
						0xff } };
	uint8_t a[ARP_LEN] = { 0, 1, 8, 0, 6, 4, 0, 1 };	/* request */

	if (p->fd[PROBE_ARP] < 0)
		return -EBADF;
	memcpy(a + 8, d->mac, 6);
	memcpy(a + 14, d->src, 4);
	memcpy(a + 24, d->addr, 4);
	return sendto(p->fd[PROBE_ARP], a, sizeof(a), 0,
		      (struct sockaddr *)&to, sizeof(to)) < 0 ? -errno : 0;
}

int prober_send(struct prober *p, const struct probe_dest *d, uint16_t seq)
{
	int err = d->neigh && d->family == AF_INET ? probe_send_arp(p, d)
						   : probe_send_ip(p, d, seq);

	if (err)
		p->send_errors++;
	else
		p->sent++;
	return err;
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* An ICMP echo reply, IP header first: ours? */
static bool probe_parse_icmp(const uint8_t *b, size_t n, uint16_t ident,
			     struct probe_answer *a)
{
	size_t ihl;

	if (n < 20)
		return false;
	ihl = (b[0] & 0x0f) * 4;
	if (ihl < 20 || n < ihl + 8 || b[ihl] != ICMP_ECHOREPLY ||
	    get16(b + ihl + 4) != ident)
		return false;
	a->family = AF_INET;
	memcpy(a->addr, b + 12, 4);
	a->seq = get16(b + ihl + 6);
	return true;
}

/* An ICMPv6 echo reply of ours, or a neighbour advertisement. */
static bool probe_parse_icmp6(const uint8_t *b, size_t n,
			      const struct sockaddr_in6 *from, uint16_t ident,
			      struct probe_answer *a)
{
	a->family = AF_INET6;
	if (n >= 8 && b[0] == ICMP6_ECHO_REPLY &&
	    get16(b + 4) == ident) {
		memcpy(a->addr, &from->sin6_addr, 16);
		a->seq = get16(b + 6);
		return true;
	}
	if (n >= 24 && b[0] == ND_NEIGHBOR_ADVERT) {
		memcpy(a->addr, b + 8, 16);	/* the target it speaks for */
		a->neigh = true;
		return true;
	}
	return false;
}

/* An ARP reply: who sent it. */
static bool probe_parse_arp(const uint8_t *b, size_t n,
			    struct probe_answer *a)
{
	if (n < ARP_LEN || b[2] != 8 || b[3] != 0 || b[4] != 6 || b[5] != 4 ||
	    b[7] != 2)
		return false;
	a->family = AF_INET;
	memcpy(a->addr, b + 14, 4);
	a->neigh = true;
	return true;
}

void prober_read(struct prober *p, enum probe_sock s,
		 void (*fn)(void *arg, const struct probe_answer *a),
		 void *arg)
{
	uint8_t buf[1500];

	for (int i = 0; i < 64 && p->fd[s] >= 0; i++) {
		struct sockaddr_in6 from;
		socklen_t flen = sizeof(from);
		struct probe_answer a = { 0 };
		ssize_t n = recvfrom(p->fd[s], buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &flen);
		bool ours;

		if (n < 0)
			return;
		if (s == PROBE_ICMP)
			ours = probe_parse_icmp(buf, n, p->ident, &a);
		else if (s == PROBE_ICMP6)
			ours = probe_parse_icmp6(buf, n, &from, p->ident, &a);
		else
			ours = probe_parse_arp(buf, n, &a);
		if (ours) {
			p->answers++;
			fn(arg, &a);
		}
	}
}
