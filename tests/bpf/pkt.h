/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pkt.h - test frame builder: Ethernet (optionally one 802.1Q tag), then
 * ARP, IPv4 or IPv6 with TCP, UDP, ICMP echo or neighbour discovery.
 * Written independently of the BPF code, so that its output is a reference
 * for the bytes the programs must produce.
 */
#ifndef NSRPD_TEST_PKT_H
#define NSRPD_TEST_PKT_H

#include <stddef.h>
#include <linux/types.h>

#define PKT_MAX 2048

struct pkt_spec {
	__u8 dst[6], src[6];
	__u16 vlan;		/* VLAN id, 0: untagged */
	int v6;
	const char *saddr, *daddr;
	__u8 proto;		/* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6 */
	__u16 sport, dport;	/* host order; ICMP: sport is the echo id */
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 ttl;		/* 0: 64 */
	__u16 payload;		/* bytes of payload after L4 */
	__u16 frag_off;		/* IPv4 frag_off field, host order */
	int ip_opts;		/* IPv4: add 4 bytes of NOP options */
	int v6_hbh;		/* IPv6: add an empty hop-by-hop header */
};

size_t pkt_build(const struct pkt_spec *s, __u8 *buf);
size_t pkt_arp(__u8 *buf, int op, const __u8 *eth_dst, const __u8 *eth_src,
	       __u16 vlan, const __u8 *sha, const char *spa, const __u8 *tha,
	       const char *tpa);
/* Neighbour solicitation (with source LL option unless from ::). */
size_t pkt_ns(__u8 *buf, const __u8 *src_mac, __u16 vlan, const char *src,
	      const char *target);
/* Neighbour advertisement with target LL option, the checksum computed. */
size_t pkt_na(__u8 *buf, const __u8 *dst_mac, const __u8 *src_mac,
	      __u16 vlan, const char *src, const char *dst, __u8 flags);
void pkt_addr(const char *text, int v6, __be32 out[4]);

#endif
