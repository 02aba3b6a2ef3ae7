// SPDX-License-Identifier: GPL-2.0-only
/*
 * garp.c - gratuitous ARP and unsolicited neighbour advertisements.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "garp.h"

static const uint8_t eth_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
/* ff02::1, all nodes, and its multicast MAC. */
static const uint8_t ip6_allnodes[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t eth_allnodes[6] = { 0x33, 0x33, 0, 0, 0, 1 };

static uint8_t *put_eth(uint8_t *p, const uint8_t *dst, const uint8_t *src,
			uint16_t proto)
{
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	p[12] = proto >> 8;
	p[13] = proto & 0xff;
	return p + 14;
}

size_t garp_build_arp(uint8_t *buf, const uint8_t mac[6], const void *ip4)
{
	static const uint8_t arp_hdr[8] = { 0x00, 0x01, 0x08, 0x00, 6, 4,
					    0x00, 0x01 /* request */ };
	uint8_t *p = put_eth(buf, eth_bcast, mac, ETH_P_ARP);

	memcpy(p, arp_hdr, 8);
	memcpy(p + 8, mac, 6);		/* sender MAC */
	memcpy(p + 14, ip4, 4);		/* sender IP */
	memset(p + 18, 0, 6);		/* target MAC: unknown */
	memcpy(p + 24, ip4, 4);		/* target IP = sender IP */
	return GARP_ARP_LEN;
}

/* The ICMPv6 checksum over the pseudo-header and the message. */
static uint16_t icmp6_csum(const uint8_t *src, const uint8_t *dst,
			   const uint8_t *msg, size_t len)
{
	uint32_t sum = 0;

	for (int i = 0; i < 16; i += 2)
		sum += (src[i] << 8 | src[i + 1]) + (dst[i] << 8 | dst[i + 1]);
	sum += len + 58 /* IPPROTO_ICMPV6 */;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += msg[i] << 8 | msg[i + 1];
	if (len & 1)
		sum += msg[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

size_t garp_build_na(uint8_t *buf, const uint8_t mac[6], const void *ip6)
{
	const size_t icmp_len = 32;	/* NA 24 + option 8 */
	uint8_t *ip = put_eth(buf, eth_allnodes, mac, ETH_P_IPV6);
	uint8_t *icmp = ip + 40;
	uint16_t csum;

	memset(ip, 0, 40 + icmp_len);
	ip[0] = 0x60;
	ip[4] = 0;
	ip[5] = icmp_len;
	ip[6] = 58;			/* next header: ICMPv6 */
	ip[7] = 255;			/* hop limit, as ND requires */
	memcpy(ip + 8, ip6, 16);
	memcpy(ip + 24, ip6_allnodes, 16);
	icmp[0] = 136;			/* neighbour advertisement */
	icmp[4] = 0xa0;			/* router, override; not solicited */
	memcpy(icmp + 8, ip6, 16);	/* target */
	icmp[24] = 2;			/* option: target link-layer address */
	icmp[25] = 1;			/* length in units of 8 octets */
	memcpy(icmp + 26, mac, 6);
	csum = icmp6_csum(ip + 8, ip + 24, icmp, icmp_len);
	icmp[2] = csum >> 8;
	icmp[3] = csum & 0xff;
	return GARP_NA_LEN;
}

/*
 * One packet socket for the daemon's life: closing one waits for an RCU
 * grace period (synchronize_net()), which on a loaded machine takes tens
 * of milliseconds, and a takeover announces on every NIC. Protocol 0: it
 * only sends, and never queues a received frame.
 */
static int garp_fd = -1;

static int garp_socket(void)
{
	if (garp_fd < 0)
		garp_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	return garp_fd < 0 ? -errno : garp_fd;
}

void garp_close(void)
{
	if (garp_fd >= 0)
		close(garp_fd);
	garp_fd = -1;
}

int garp_send(int ifindex, int family, const uint8_t mac[6], const void *addr)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_ifindex = ifindex, .sll_halen = 6 };
	uint8_t frame[GARP_NA_LEN];
	size_t len;
	int fd;

	if (family == 6) {
		len = garp_build_na(frame, mac, addr);
		sll.sll_protocol = htons(ETH_P_IPV6);
	} else {
		len = garp_build_arp(frame, mac, addr);
		sll.sll_protocol = htons(ETH_P_ARP);
	}
	memcpy(sll.sll_addr, frame, 6);
	fd = garp_socket();
	if (fd < 0)
		return fd;
	if (sendto(fd, frame, len, 0, (struct sockaddr *)&sll,
		   sizeof(sll)) < 0)
		return -errno;
	return 0;
}
