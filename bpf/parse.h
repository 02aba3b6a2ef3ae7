/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * parse.h - defensive parsing of the frames the data plane looks at.
 *
 * Every read is bounds-checked against the end of the frame. The rules for
 * frames that cannot be parsed, used by both programs:
 *   - shorter than an Ethernet header, a truncated 802.1Q/802.1ad tag, or an
 *     IP header that is truncated, has a bad version, a bad IHL, or a length
 *     field pointing past the end of the frame: PARSE_MALFORMED, the frame is
 *     passed to the kernel (whose own checks drop it) and counted;
 *   - two or more VLAN tags (QinQ): the frame is not looked into and passes;
 *     one tag, 802.1Q or 802.1ad, is parsed and kept;
 *   - IPv4 fragments and IPv6 fragment headers: PARSE_FRAG; IPv4 options and
 *     IPv6 extension headers: PARSE_OPTS; both go to the kernel;
 *   - L4 headers: TCP (data offset at least 5), UDP, ICMP / ICMPv6 echo.
 *     Anything else is PARSE_OTHER and passes untouched.
 * Bytes past the IP total length (Ethernet padding) are allowed and kept.
 */
#ifndef NSRPD_BPF_PARSE_H
#define NSRPD_BPF_PARSE_H

#include "consts.h"
#include "nsrpd.h"

enum parse_res {
	PARSE_OK = 0,
	PARSE_MALFORMED,
	PARSE_FRAG,
	PARSE_OPTS,
	PARSE_OTHER,
};

#define TCPF_FIN	0x01
#define TCPF_SYN	0x02
#define TCPF_RST	0x04
#define TCPF_ACK	0x10

struct l2_info {
	struct ethhdr *eth;
	void *l3;
	__u16 proto;		/* host order, after the tag if any */
	__u8 tagged;
};

/* ARP for IPv4 over Ethernet; addresses as bytes, they are unaligned. */
struct arp_eth {
	struct arphdr hdr;
	__u8 sha[NSRPD_ETH_ALEN];
	__u8 spa[4];
	__u8 tha[NSRPD_ETH_ALEN];
	__u8 tpa[4];
};

/* ICMPv6 neighbour solicitation / advertisement, with one LL option. */
struct nd_msg_ll {
	__u8 type;
	__u8 code;
	__u16 csum;
	__u8 flags;
	__u8 reserved[3];
	__u8 target[16];
	__u8 opt_type;
	__u8 opt_len;		/* in units of 8 bytes */
	__u8 opt_mac[NSRPD_ETH_ALEN];
};

/* What the session code needs of an IP packet. */
struct flow {
	struct nsrp_sess_key key;
	void *l3;
	__u16 ip_len;		/* IPv4 total length / IPv6 40 + payload */
	__u8 src_is_a;		/* the packet's source is endpoint a */
	__u8 tcp_flags;
	__u8 ttl;		/* TTL or hop limit */
};

static __always_inline bool mac_equal(const __u8 *a, const __u8 *b)
{
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) |
		(a[3] ^ b[3]) | (a[4] ^ b[4]) | (a[5] ^ b[5])) == 0;
}

static __always_inline int parse_l2(void *data, void *end, struct l2_info *l2)
{
	struct ethhdr *eth = data;
	struct vlan_hdr *vh;
	__u16 proto;

	if ((void *)(eth + 1) > end)
		return PARSE_MALFORMED;
	l2->eth = eth;
	l2->tagged = 0;
	l2->l3 = eth + 1;
	proto = bpf_ntohs(eth->h_proto);
	if (proto == ETH_P_8021Q || proto == ETH_P_8021AD) {
		vh = (void *)(eth + 1);
		if ((void *)(vh + 1) > end)
			return PARSE_MALFORMED;
		proto = bpf_ntohs(vh->h_vlan_encapsulated_proto);
		if (proto == ETH_P_8021Q || proto == ETH_P_8021AD)
			return PARSE_OTHER;
		l2->tagged = 1;
		l2->l3 = vh + 1;
	}
	l2->proto = proto;
	return PARSE_OK;
}

/* Is a, ports pa, lower than b, port pb? Addresses compared as numbers. */
static __always_inline int endpoint_lower(const __be32 *a, const __be32 *b,
					  __be16 pa, __be16 pb, int words)
{
	for (int i = 0; i < 4; i++) {
		if (i >= words)
			break;
		if (a[i] != b[i])
			return bpf_ntohl(a[i]) < bpf_ntohl(b[i]);
	}
	return bpf_ntohs(pa) <= bpf_ntohs(pb);
}

/* Puts src/dst into the canonical key; records which one is "a". */
static __always_inline void flow_canon(struct flow *f, const __be32 *src,
				       const __be32 *dst, __be16 sport,
				       __be16 dport, int words)
{
	struct nsrp_sess_key *k = &f->key;

	f->src_is_a = endpoint_lower(src, dst, sport, dport, words);
	if (f->src_is_a) {
		__builtin_memcpy(k->addr_a, src, 16);
		__builtin_memcpy(k->addr_b, dst, 16);
		k->port_a = sport;
		k->port_b = dport;
	} else {
		__builtin_memcpy(k->addr_a, dst, 16);
		__builtin_memcpy(k->addr_b, src, 16);
		k->port_a = dport;
		k->port_b = sport;
	}
}

/*
 * Reads the L4 ports (echo id for ICMP) and TCP flags at l4. end is the
 * frame's end (what the verifier checks), lim the end the IP length gives.
 */
static __always_inline int parse_l4(void *l4, void *end, void *lim, __u8 proto,
				    __be16 *sport, __be16 *dport,
				    __u8 *tcp_flags, int v6)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > end || (void *)(th + 1) > lim ||
		    th->doff < 5)
			return PARSE_MALFORMED;
		*sport = th->source;
		*dport = th->dest;
		*tcp_flags = ((__u8 *)th)[13];
		return PARSE_OK;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > end || (void *)(uh + 1) > lim)
			return PARSE_MALFORMED;
		*sport = uh->source;
		*dport = uh->dest;
		return PARSE_OK;
	}
	if (proto == (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP)) {
		__u8 *ic = l4;
		__u8 req = v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO;
		__u8 rep = v6 ? ICMPV6_ECHO_REPLY : ICMP_ECHOREPLY;

		if ((void *)(ic + 8) > end || (void *)(ic + 8) > lim)
			return PARSE_MALFORMED;
		if (ic[0] != req && ic[0] != rep)
			return PARSE_OTHER;
		*sport = *(__be16 *)(ic + 4);
		*dport = *sport;
		return PARSE_OK;
	}
	return PARSE_OTHER;
}

static __always_inline int parse_ipv4(void *l3, void *end, struct flow *f)
{
	struct iphdr *iph = l3;
	__be32 src[4] = {}, dst[4] = {};
	__be16 sport = 0, dport = 0;
	__u16 tot;
	int err;

	if ((void *)(iph + 1) > end || iph->version != 4 || iph->ihl < 5)
		return PARSE_MALFORMED;
	tot = bpf_ntohs(iph->tot_len);
	if (tot < iph->ihl * 4 || l3 + tot > end)
		return PARSE_MALFORMED;
	if (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return PARSE_FRAG;
	if (iph->ihl != 5)
		return PARSE_OPTS;
	err = parse_l4(iph + 1, end, l3 + tot, iph->protocol, &sport, &dport,
		       &f->tcp_flags, 0);
	if (err)
		return err;
	src[0] = iph->saddr;
	dst[0] = iph->daddr;
	flow_canon(f, src, dst, sport, dport, 1);
	f->key.proto = iph->protocol;
	f->key.family = NSRP_AF_INET;
	f->l3 = l3;
	f->ip_len = tot;
	f->ttl = iph->ttl;
	return PARSE_OK;
}

/* Extension headers we do not walk: the packet goes to the kernel. */
static __always_inline int ipv6_is_ext(__u8 nh)
{
	return nh == 0 || nh == 43 || nh == 51 || nh == 60 || nh == 135 ||
	       nh == 139 || nh == 140;
}

static __always_inline int parse_ipv6(void *l3, void *end, struct flow *f)
{
	struct ipv6hdr *ip6 = l3;
	__be32 src[4], dst[4];
	__be16 sport = 0, dport = 0;
	__u16 plen;
	int err;

	if ((void *)(ip6 + 1) > end || ip6->version != 6)
		return PARSE_MALFORMED;
	plen = bpf_ntohs(ip6->payload_len);
	/* A zero payload length means a jumbogram: not for us. */
	if (!plen || (void *)(ip6 + 1) + plen > end)
		return PARSE_MALFORMED;
	if (ip6->nexthdr == NEXTHDR_FRAGMENT)
		return PARSE_FRAG;
	if (ipv6_is_ext(ip6->nexthdr))
		return PARSE_OPTS;
	err = parse_l4(ip6 + 1, end, (void *)(ip6 + 1) + plen,
		       ip6->nexthdr,
		       &sport, &dport, &f->tcp_flags, 1);
	if (err)
		return err;
	__builtin_memcpy(src, &ip6->saddr, 16);
	__builtin_memcpy(dst, &ip6->daddr, 16);
	flow_canon(f, src, dst, sport, dport, 4);
	f->key.proto = ip6->nexthdr;
	f->key.family = NSRP_AF_INET6;
	f->l3 = l3;
	f->ip_len = sizeof(*ip6) + plen;
	f->ttl = ip6->hop_limit;
	return PARSE_OK;
}

/* Fills f from the IP packet at l3 (proto: host-order ethertype). */
static __always_inline int parse_flow(void *l3, void *end, __u16 proto,
				      struct flow *f)
{
	__builtin_memset(f, 0, sizeof(*f));
	if (proto == ETH_P_IP)
		return parse_ipv4(l3, end, f);
	if (proto == ETH_P_IPV6)
		return parse_ipv6(l3, end, f);
	return PARSE_OTHER;
}

#endif
