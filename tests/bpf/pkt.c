// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkt.c - test frame builder (see pkt.h).
 */
#include <arpa/inet.h>
#include <string.h>
#include <netinet/in.h>

#include "pkt.h"

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static __u32 sum16(const __u8 *p, size_t len, __u32 sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static __u16 fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

void pkt_addr(const char *text, int v6, __be32 out[4])
{
	memset(out, 0, 16);
	inet_pton(v6 ? AF_INET6 : AF_INET, text, out);
}

static size_t put_eth(__u8 *b, const __u8 *dst, const __u8 *src, __u16 vlan,
		      __u16 type)
{
	size_t n = 12;

	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	if (vlan) {
		put16(b + 12, 0x8100);
		put16(b + 14, vlan);
		n = 16;
	}
	put16(b + n, type);
	return n + 2;
}

/* ICMPv6 checksum over the pseudo-header and len bytes at l4. */
static __u16 csum6(const __u8 *ip6, const __u8 *l4, size_t len)
{
	__u32 sum = sum16(ip6 + 8, 32, 0);

	sum += len >> 16;
	sum += len & 0xffff;
	sum += IPPROTO_ICMPV6;
	return fold(sum16(l4, len, sum));
}

size_t pkt_build(const struct pkt_spec *s, __u8 *buf)
{
	size_t l3 = put_eth(buf, s->dst, s->src, s->vlan,
			    s->v6 ? 0x86dd : 0x0800);
	size_t iphl = s->v6 ? 40 + (s->v6_hbh ? 8 : 0) :
			      20 + (s->ip_opts ? 4 : 0);
	size_t l4 = l3 + iphl, l4len, total;
	__u8 *ip = buf + l3, *p = buf + l4;

	switch (s->proto) {
	case IPPROTO_TCP:
		l4len = 20;
		break;
	case IPPROTO_UDP:
		l4len = 8;
		break;
	default:
		l4len = 8;
	}
	l4len += s->payload;
	total = l4 + l4len;
	memset(ip, 0, total - l3);
	if (s->v6) {
		ip[0] = 0x60;
		put16(ip + 4, iphl - 40 + l4len);
		ip[6] = s->v6_hbh ? 0 : s->proto;
		ip[7] = s->ttl ? s->ttl : 64;
		inet_pton(AF_INET6, s->saddr, ip + 8);
		inet_pton(AF_INET6, s->daddr, ip + 24);
		if (s->v6_hbh) {
			ip[40] = s->proto;
			ip[42] = 1;	/* PadN, 4 bytes */
			ip[43] = 4;
		}
	} else {
		ip[0] = 0x40 | (iphl / 4);
		put16(ip + 2, iphl + l4len);
		put16(ip + 4, 0x1234);
		put16(ip + 6, s->frag_off);
		ip[8] = s->ttl ? s->ttl : 64;
		ip[9] = s->proto;
		inet_pton(AF_INET, s->saddr, ip + 12);
		inet_pton(AF_INET, s->daddr, ip + 16);
		if (s->ip_opts)
			memset(ip + 20, 1, 4);
		put16(ip + 10, fold(sum16(ip, iphl, 0)));
	}
	if (s->proto == IPPROTO_TCP) {
		put16(p, s->sport);
		put16(p + 2, s->dport);
		p[12] = 5 << 4;
		p[13] = s->tcp_flags;
		put16(p + 14, 65535);
	} else if (s->proto == IPPROTO_UDP) {
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put16(p + 4, l4len);
	} else {
		p[0] = s->icmp_type;
		put16(p + 4, s->sport);
		put16(p + 6, 1);
	}
	for (size_t i = 0; i < s->payload; i++)
		p[l4len - s->payload + i] = i;
	return total;
}

size_t pkt_arp(__u8 *buf, int op, const __u8 *eth_dst, const __u8 *eth_src,
	       __u16 vlan, const __u8 *sha, const char *spa, const __u8 *tha,
	       const char *tpa)
{
	size_t n = put_eth(buf, eth_dst, eth_src, vlan, 0x0806);
	__u8 *a = buf + n;

	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	inet_pton(AF_INET, spa, a + 14);
	memcpy(a + 18, tha, 6);
	inet_pton(AF_INET, tpa, a + 24);
	return n + 28;
}

static void solicited_node(__u8 *ip6dst, __u8 *mac, const __u8 *target)
{
	static const __u8 pfx[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
				      0, 0, 0, 1, 0xff };

	memcpy(ip6dst, pfx, 13);
	memcpy(ip6dst + 13, target + 13, 3);
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, ip6dst + 12, 4);
}

size_t pkt_ns(__u8 *buf, const __u8 *src_mac, __u16 vlan, const char *src,
	      const char *target)
{
	__u8 tgt[16], dst[16], mac[6];
	size_t l3, len;
	__u8 *ip, *ic;
	int dad = !strcmp(src, "::");

	inet_pton(AF_INET6, target, tgt);
	solicited_node(dst, mac, tgt);
	l3 = put_eth(buf, mac, src_mac, vlan, 0x86dd);
	len = dad ? 24 : 32;
	ip = buf + l3;
	ic = ip + 40;
	memset(ip, 0, 40 + len);
	ip[0] = 0x60;
	put16(ip + 4, len);
	ip[6] = IPPROTO_ICMPV6;
	ip[7] = 255;
	inet_pton(AF_INET6, src, ip + 8);
	memcpy(ip + 24, dst, 16);
	ic[0] = 135;
	memcpy(ic + 8, tgt, 16);
	if (!dad) {
		ic[24] = 1;
		ic[25] = 1;
		memcpy(ic + 26, src_mac, 6);
	}
	put16(ic + 2, csum6(ip, ic, len));
	return l3 + 40 + len;
}

size_t pkt_na(__u8 *buf, const __u8 *dst_mac, const __u8 *src_mac,
	      __u16 vlan, const char *src, const char *dst, __u8 flags)
{
	size_t l3 = put_eth(buf, dst_mac, src_mac, vlan, 0x86dd);
	__u8 *ip = buf + l3, *ic = ip + 40;

	memset(ip, 0, 72);
	ip[0] = 0x60;
	put16(ip + 4, 32);
	ip[6] = IPPROTO_ICMPV6;
	ip[7] = 255;
	inet_pton(AF_INET6, src, ip + 8);
	inet_pton(AF_INET6, dst, ip + 24);
	ic[0] = 136;
	ic[4] = flags;
	inet_pton(AF_INET6, src, ic + 8);
	ic[24] = 2;
	ic[25] = 1;
	memcpy(ic + 26, src_mac, 6);
	put16(ic + 2, csum6(ip, ic, 32));
	return l3 + 72;
}
