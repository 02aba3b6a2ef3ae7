// SPDX-License-Identifier: GPL-2.0-only
/*
 * nsrpd_xdp - the data plane on each cluster NIC.
 *
 * In order, for every frame:
 *  1. a frame to a VSI MAC of this NIC: dropped unless the VSI's group is
 *     master (or leaving: handing over) with a fresh deadline; else its
 *     destination becomes the NIC's own MAC, so that the kernel takes it
 *     as its own;
 *  2. parse Ethernet and at most one VLAN tag (parse.h has the rules for
 *     frames that do not parse);
 *  3. a probe of this data plane from the peer (NSRP_PROBE_ETHERTYPE):
 *     answered here (XDP_TX) with the groups it forwards and answers for;
 *  4. an ARP request or neighbour solicitation for a VSI address of this
 *     NIC: answered with the VSI MAC (XDP_TX) when master, dropped when not,
 *     so that the kernel never answers for it either;
 *  5. an IP frame accepted in 1: looked up in the session table; a hit in a
 *     master or leaving group is tracked and forwarded here (fib lookup,
 *     MAC rewrite, TTL decrement, redirect) or, when that is not possible,
 *     passed on; a miss goes to the kernel, whose policy decides.
 * Everything else passes untouched. Each outcome has a counter.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "session.h"

static const __u8 all_nodes_mac[NSRPD_ETH_ALEN] = {
	0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };

/* Drop counters by role outcome: a VSI frame, or an ARP/NS (nd). */
static __always_inline int drop_not_master(struct nsrp_counters *c, int role,
					   int nd)
{
	if (nd && role == ROLE_LEAVING)
		cnt_add(c, NSRP_CNT_ND_IGNORED_LEAVING);
	else if (nd)
		cnt_add(c, role == ROLE_STALE ? NSRP_CNT_ND_IGNORED_STALE :
					     NSRP_CNT_ND_IGNORED_BACKUP);
	else
		cnt_add(c, role == ROLE_STALE ? NSRP_CNT_VSI_DROP_STALE :
					     NSRP_CNT_VSI_DROP_BACKUP);
	return XDP_DROP;
}

static __always_inline int pass(struct nsrp_counters *c, __u32 counter)
{
	cnt_add(c, counter);
	return XDP_PASS;
}

/*
 * The VSI owning an address asked for on this NIC, when this unit may
 * answer for it. Returns NULL with *verdict set otherwise: pass for an
 * address that is no VSI's, drop (counted) while backup, stale or
 * leaving: a unit handing over never answers again.
 */
static __always_inline struct nsrp_vsi_addr_val *
vsi_to_answer(struct xdp_md *ctx, struct nsrp_counters *c,
	      struct nsrp_vsi_addr_key *key, __u64 now, int *verdict)
{
	struct nsrp_vsi_addr_val *vsi;
	int role;

	key->ifindex = ctx->ingress_ifindex;
	vsi = bpf_map_lookup_elem(&nsrp_vsi_addr, key);
	if (!vsi) {
		*verdict = pass(c, NSRP_CNT_PASS);
		return NULL;
	}
	role = role_of(vsi->vsd, now);
	if (role != ROLE_MASTER) {
		*verdict = drop_not_master(c, role, 1);
		return NULL;
	}
	return vsi;
}

/* ARP request for a VSI address: turn the frame into the reply. */
static __always_inline int handle_arp(struct xdp_md *ctx, struct nsrp_counters *c,
				      struct l2_info *l2, __u64 now)
{
	void *end = (void *)(long)ctx->data_end;
	struct arp_eth *arp = l2->l3;
	struct nsrp_vsi_addr_key key = {};
	struct nsrp_vsi_addr_val *vsi;
	int verdict;

	if ((void *)(arp + 1) > end)
		return pass(c, NSRP_CNT_MALFORMED);
	if (arp->hdr.ar_hrd != bpf_htons(ARPHRD_ETHER) ||
	    arp->hdr.ar_pro != bpf_htons(ETH_P_IP) ||
	    arp->hdr.ar_hln != NSRPD_ETH_ALEN || arp->hdr.ar_pln != 4 ||
	    arp->hdr.ar_op != bpf_htons(ARPOP_REQUEST))
		return pass(c, NSRP_CNT_PASS);
	key.family = NSRP_AF_INET;
	__builtin_memcpy(key.addr, arp->tpa, 4);
	vsi = vsi_to_answer(ctx, c, &key, now, &verdict);
	if (!vsi)
		return verdict;
	/*
	 * A gratuitous request (sender address = target address) asks
	 * nothing: it is the peer announcing a VSI it took over, while our
	 * liveness deadline has not quite run out. Answering it would pull
	 * the VSI MAC back to this unit in every switch.
	 */
	if (arp->spa[0] == arp->tpa[0] && arp->spa[1] == arp->tpa[1] &&
	    arp->spa[2] == arp->tpa[2] && arp->spa[3] == arp->tpa[3]) {
		cnt_add(c, NSRP_CNT_GARP_IGNORED);
		return XDP_DROP;
	}

	__builtin_memcpy(l2->eth->h_dest, arp->sha, NSRPD_ETH_ALEN);
	__builtin_memcpy(l2->eth->h_source, vsi->vsi_mac, NSRPD_ETH_ALEN);
	arp->hdr.ar_op = bpf_htons(ARPOP_REPLY);
	__builtin_memcpy(arp->tha, arp->sha, NSRPD_ETH_ALEN);
	__builtin_memcpy(arp->sha, vsi->vsi_mac, NSRPD_ETH_ALEN);
	__builtin_memcpy(arp->tpa, arp->spa, 4);
	__builtin_memcpy(arp->spa, key.addr, 4);
	cnt_add(c, NSRP_CNT_ARP_REPLY);
	return XDP_TX;
}

static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/*
 * Rewrites the solicitation at l3off into a neighbour advertisement of the
 * given MAC. The frame is resized to exactly Ethernet + IPv6 + 32 bytes.
 * Flags: router (the VSI is a gateway: a host that learned it as a router
 * must not drop it from its default router list), override, and solicited
 * unless the solicitation came from :: (duplicate address detection), in
 * which case the advertisement goes to all nodes (RFC 4861 7.2.4).
 */
static __always_inline int build_na(struct xdp_md *ctx, struct nsrp_counters *c,
				    __u32 l3off, const __u8 *vsi_mac)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 want = l3off + sizeof(struct ipv6hdr) + sizeof(struct nd_msg_ll);
	struct ethhdr *eth;
	struct ipv6hdr *ip6;
	struct nd_msg_ll *na;
	__u8 peer_mac[NSRPD_ETH_ALEN];
	__be32 peer[4], pseudo[2];
	__u64 sum;
	int dad;

	if (l3off > 18)
		return XDP_DROP;
	eth = data;
	ip6 = data + l3off;
	if ((void *)(eth + 1) > end || (void *)(ip6 + 1) > end)
		return XDP_DROP;
	__builtin_memcpy(peer_mac, eth->h_source, NSRPD_ETH_ALEN);
	__builtin_memcpy(peer, &ip6->saddr, 16);
	dad = !(peer[0] | peer[1] | peer[2] | peer[3]);

	if (bpf_xdp_adjust_tail(ctx, (int)want - (int)(end - data)))
		return pass(c, NSRP_CNT_MALFORMED);
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (l3off > 18)
		return XDP_DROP;
	eth = data;
	ip6 = data + l3off;
	na = (void *)(ip6 + 1);
	if ((void *)(eth + 1) > end || (void *)(na + 1) > end)
		return XDP_DROP;

	if (dad)
		__builtin_memcpy(eth->h_dest, all_nodes_mac, NSRPD_ETH_ALEN);
	else
		__builtin_memcpy(eth->h_dest, peer_mac, NSRPD_ETH_ALEN);
	__builtin_memcpy(eth->h_source, vsi_mac, NSRPD_ETH_ALEN);

	*(__be32 *)ip6 = bpf_htonl(0x60000000);
	ip6->payload_len = bpf_htons(sizeof(*na));
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = 255;
	__builtin_memcpy(&ip6->saddr, na->target, 16);
	if (dad) {
		__builtin_memset(&ip6->daddr, 0, 16);
		ip6->daddr.in6_u.u6_addr8[0] = 0xff;
		ip6->daddr.in6_u.u6_addr8[1] = 0x02;
		ip6->daddr.in6_u.u6_addr8[15] = 0x01;
	} else {
		__builtin_memcpy(&ip6->daddr, peer, 16);
	}

	na->type = NDISC_NEIGHBOUR_ADVERTISEMENT;
	na->code = 0;
	na->csum = 0;
	na->flags = NA_F_ROUTER | NA_F_OVERRIDE | (dad ? 0 : NA_F_SOLICITED);
	__builtin_memset(na->reserved, 0, sizeof(na->reserved));
	na->opt_type = ND_OPT_TARGET_LL_ADDR;
	na->opt_len = 1;
	__builtin_memcpy(na->opt_mac, vsi_mac, NSRPD_ETH_ALEN);

	/* Pseudo-header (addresses, upper-layer length, next header), body. */
	pseudo[0] = bpf_htonl(sizeof(*na));
	pseudo[1] = bpf_htonl(IPPROTO_ICMPV6);
	sum = bpf_csum_diff(NULL, 0, (__be32 *)&ip6->saddr, 32, 0);
	sum = bpf_csum_diff(NULL, 0, pseudo, sizeof(pseudo), sum);
	sum = bpf_csum_diff(NULL, 0, (__be32 *)na, sizeof(*na), sum);
	na->csum = csum_fold(sum);
	cnt_add(c, NSRP_CNT_NS_REPLY);
	return XDP_TX;
}

/*
 * IPv6 frame: a neighbour solicitation for a VSI address is answered or
 * dropped; anything else returns -1 for the caller to go on.
 */
static __always_inline int handle_ns(struct xdp_md *ctx, struct nsrp_counters *c,
				     struct l2_info *l2, __u64 now)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = l2->l3;
	struct nsrp_vsi_addr_key key = {};
	struct nsrp_vsi_addr_val *vsi;
	__u8 vsi_mac[NSRPD_ETH_ALEN];
	struct nd_msg_ll *ns;
	__u16 plen;
	int verdict;

	if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_ICMPV6)
		return -1;
	ns = (void *)(ip6 + 1);
	/* The target is the last field this reads; the option is optional. */
	if ((void *)ns + 24 > end || ns->type != NDISC_NEIGHBOUR_SOLICITATION)
		return -1;
	plen = bpf_ntohs(ip6->payload_len);
	/* RFC 4861 7.1.1: hop limit 255, code 0, at least 24 bytes. */
	if (ip6->hop_limit != 255 || ns->code != 0 || plen < 24 ||
	    (void *)ns + plen > end || ns->target[0] == 0xff)
		return pass(c, NSRP_CNT_MALFORMED);
	key.family = NSRP_AF_INET6;
	__builtin_memcpy(key.addr, ns->target, 16);
	vsi = vsi_to_answer(ctx, c, &key, now, &verdict);
	if (!vsi)
		return verdict;
	__builtin_memcpy(vsi_mac, vsi->vsi_mac, NSRPD_ETH_ALEN);
	return build_na(ctx, c, (void *)ip6 - data, vsi_mac);
}

static __always_inline int fib_fallback(struct nsrp_counters *c, int rc)
{
	switch (rc) {
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		return pass(c, NSRP_CNT_FB_NO_NEIGH);
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		return pass(c, NSRP_CNT_FB_MTU);
	default:
		return pass(c, NSRP_CNT_FB_FIB);
	}
}

/*
 * The inputs of this packet's FIB lookup, as the key part of a next-hop
 * cache slot. Returns -1 when the IP header is out of bounds.
 */
static __always_inline int nh_key(struct xdp_md *ctx, const struct flow *f,
				  struct nsrp_nh *q)
{
	void *end = (void *)(long)ctx->data_end;

	if (f->src_is_a) {
		__builtin_memcpy(q->src, f->key.addr_a, 16);
		__builtin_memcpy(q->dst, f->key.addr_b, 16);
	} else {
		__builtin_memcpy(q->src, f->key.addr_b, 16);
		__builtin_memcpy(q->dst, f->key.addr_a, 16);
	}
	q->iif = ctx->ingress_ifindex;
	q->family = f->key.family;
	q->proto = f->key.proto;
	if (f->key.family == NSRP_AF_INET) {
		struct iphdr *iph = f->l3;

		if ((void *)(iph + 1) > end)
			return -1;
		q->flowinfo = iph->tos;
	} else {
		struct ipv6hdr *ip6 = f->l3;

		if ((void *)(ip6 + 1) > end)
			return -1;
		q->flowinfo = *(__be32 *)ip6 & bpf_htonl(0x0FFFFFFF);
	}
	return 0;
}

/* The slot of a key: a cheap multiplicative hash of all its words. */
static __always_inline __u32 nh_slot(const struct nsrp_nh *q)
{
	__u32 h = q->iif ^ q->flowinfo ^ ((__u32)q->proto << 8);

	for (int i = 0; i < 4; i++) {
		h = (h ^ q->src[i]) * 0x9E3779B1u;
		h = (h ^ q->dst[i]) * 0x85EBCA77u;
	}
	h ^= h >> 15;
	return h & (NSRPD_NH_SLOTS - 1);
}

/* Does slot e hold a result for q, of this generation and fresh? */
static __always_inline int nh_current(const struct nsrp_nh *e,
				      const struct nsrp_nh *q, __u64 gen,
				      __u64 now)
{
	const __u64 *a = (const __u64 *)e, *b = (const __u64 *)q;

	if ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) |
	    (a[4] ^ b[4]))
		return 0;
	return e->family == q->family && e->proto == q->proto &&
	       e->gen == gen && now - e->filled_ns < NSRP_NH_MAX_AGE_NS;
}

/*
 * Looks q up in the FIB for a packet of len bytes and, when XDP may
 * forward by the result, stores it in slot e. Returns -1 when e is ready,
 * or the verdict (counted) when the packet must go to the kernel.
 */
static __always_inline int nh_fill(struct xdp_md *ctx, struct nsrp_counters *c,
				   struct nsrp_nh *e,
				   const struct nsrp_nh *q, __u64 gen,
				   __u16 len, __u64 now)
{
	struct bpf_fib_lookup fib = {};
	struct nsrp_iface_val *out;
	__u16 max_len = len;
	__u32 oif;
	int rc;

	fib.ifindex = q->iif;
	fib.l4_protocol = q->proto;
	fib.tot_len = len;
	if (q->family == NSRP_AF_INET) {
		fib.family = AF_INET;
		fib.tos = q->flowinfo;
		fib.ipv4_src = q->src[0];
		fib.ipv4_dst = q->dst[0];
	} else {
		fib.family = AF_INET6;
		fib.flowinfo = q->flowinfo;
		__builtin_memcpy(fib.ipv6_src, q->src, 16);
		__builtin_memcpy(fib.ipv6_dst, q->dst, 16);
	}
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return fib_fallback(c, rc);
	oif = fib.ifindex;
	out = bpf_map_lookup_elem(&nsrp_iface, &oif);
	if (!out || !(out->flags & NSRP_IFACE_F_CLUSTER))
		return pass(c, NSRP_CNT_FB_NOT_CLUSTER);

	/* Same result as before, only a longer packet: keep the longest. */
	if (nh_current(e, q, gen, now) && e->oif == oif && e->max_len > len)
		max_len = e->max_len;
	*e = *q;
	e->max_len = max_len;
	e->oif = oif;
	__builtin_memcpy(e->dmac, fib.dmac, NSRPD_ETH_ALEN);
	__builtin_memcpy(e->smac, out->vsi_mac, NSRPD_ETH_ALEN);
	e->gen = gen;
	e->filled_ns = now;
	cnt_add(c, NSRP_CNT_NH_FILL);
	return -1;
}

/*
 * Forwards a tracked packet itself, or passes it when it cannot. The FIB
 * result comes from the next-hop cache; a slot that is empty, holds
 * another key, is of an older generation, too old, or was filled for
 * shorter packets is looked up (and filled) again.
 */
static __always_inline int forward(struct xdp_md *ctx, struct nsrp_counters *c,
				   struct l2_info *l2, struct flow *f, int role,
				   __u64 now)
{
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = l2->eth;
	struct nsrp_iface_val *out;
	struct nsrp_nh q = {};
	struct nsrp_nh *e;
	const __u8 *smac;
	__u32 idx, oif, zero = 0;
	__u64 *gen;
	int rc;

	if (l2->tagged)
		return pass(c, NSRP_CNT_FB_VLAN);
	if (f->ttl <= 1)
		return pass(c, NSRP_CNT_FB_TTL);
	if (nh_key(ctx, f, &q))
		return pass(c, NSRP_CNT_MALFORMED);
	idx = nh_slot(&q);
	e = bpf_map_lookup_elem(&nsrp_nh, &idx);
	gen = bpf_map_lookup_elem(&nsrp_nh_gen, &zero);
	if (!e || !gen)
		return pass(c, NSRP_CNT_FB_FIB);
	if (!nh_current(e, &q, *gen, now) || f->ip_len > e->max_len) {
		rc = nh_fill(ctx, c, e, &q, *gen, f->ip_len, now);
		if (rc >= 0)
			return rc;
	}
	/*
	 * A leaving unit forwards from the egress NIC's own MAC: a frame from
	 * the VSI MAC would teach the switch that the VSI is behind this port
	 * again, after the new master announced it.
	 */
	smac = e->smac;
	if (role == ROLE_LEAVING) {
		oif = e->oif;
		out = bpf_map_lookup_elem(&nsrp_iface, &oif);
		if (!out)
			return pass(c, NSRP_CNT_FB_NOT_CLUSTER);
		smac = out->nic_mac;
	}

	if (f->key.family == NSRP_AF_INET) {
		struct iphdr *iph = f->l3;
		__u32 check;

		if ((void *)(iph + 1) > end)
			return pass(c, NSRP_CNT_MALFORMED);
		/* Incremental update for TTL - 1 (RFC 1624), as the kernel. */
		check = iph->check;
		check += bpf_htons(0x0100);
		iph->check = check + (check >= 0xFFFF);
		iph->ttl--;
	} else {
		struct ipv6hdr *ip6 = f->l3;

		if ((void *)(ip6 + 1) > end)
			return pass(c, NSRP_CNT_MALFORMED);
		ip6->hop_limit--;
	}
	__builtin_memcpy(eth->h_dest, e->dmac, NSRPD_ETH_ALEN);
	__builtin_memcpy(eth->h_source, smac, NSRPD_ETH_ALEN);
	cnt_add(c, NSRP_CNT_FWD);
	return bpf_redirect(e->oif, 0);
}

/*
 * Tracks a hit: direction, counters, state, expiry, events. The caller
 * made sure the group is master (or leaving) here, so the peer's entry is
 * taken over (session.h): FROM_PEER cleared, which is a change the STATE
 * event says.
 */
static __always_inline void sess_track(struct nsrp_counters *c,
				       struct nsrp_sess *s, struct flow *f,
				       __u64 bytes, __u64 now)
{
	int dir = sess_dir(s, f);
	__u8 flags = s->flags & ~NSRP_SF_FROM_PEER;
	__u8 st = sess_next(s->state, &flags, dir, f);
	__u64 refresh = cfg_or(nsrp_cfg.refresh_ns, NSRP_DEF_REFRESH_NS);
	struct nsrp_sess copy;
	__u8 kind = 0;

	__sync_fetch_and_add(&s->pkts[dir & 1], 1);
	__sync_fetch_and_add(&s->bytes[dir & 1], bytes);
	s->expires_ns = now + sess_timeout(st);
	if (st != s->state || flags != s->flags) {
		if (s->flags & NSRP_SF_FROM_PEER)
			cnt_add(c, NSRP_CNT_SESS_TAKEOVER);
		s->state = st;
		s->flags = flags;
		kind = NSRP_EV_STATE;
	} else if (now >= s->refreshed_ns + refresh) {
		/* Not now - refreshed: the agent writes refreshed_ns with the
		 * precise clock, which may be a tick ahead of this one. */
		kind = NSRP_EV_REFRESH;
	}
	if (!kind)
		return;
	s->refreshed_ns = now;
	copy = *s;
	sess_event(kind, &f->key, &copy, now);
}

/* An IP frame accepted for a VSI: the session fast path. */
static __always_inline int handle_ip(struct xdp_md *ctx, struct nsrp_counters *c,
				     struct l2_info *l2, __u64 now)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct nsrp_sess *s;
	struct nsrp_sess copy;
	struct flow f;
	int rc, role;

	rc = parse_flow(l2->l3, end, l2->proto, &f);
	switch (rc) {
	case PARSE_OK:
		break;
	case PARSE_MALFORMED:
		return pass(c, NSRP_CNT_MALFORMED);
	case PARSE_FRAG:
		return pass(c, NSRP_CNT_FB_FRAG);
	case PARSE_OPTS:
		return pass(c, NSRP_CNT_FB_IP_OPTS);
	default:
		return pass(c, NSRP_CNT_PASS);
	}
	s = sess_lookup(&f, now);
	if (!s)
		return pass(c, NSRP_CNT_SESS_MISS);
	role = role_of(s->vsd, now);
	if (!role_forwards(role))
		return pass(c, NSRP_CNT_FB_NOT_MASTER);
	if (f.key.proto == IPPROTO_TCP &&
	    (s->state == NSRP_SS_TIME_WAIT || s->state == NSRP_SS_CLOSED) &&
	    (f.tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN) {
		copy = *s;
		sess_delete(&f.key, &copy, now);
		return pass(c, NSRP_CNT_SESS_MISS);
	}
	cnt_add(c, NSRP_CNT_SESS_HIT);
	sess_track(c, s, &f, end - data, now);
	rc = forward(ctx, c, l2, &f, role, now);
	if (rc == XDP_REDIRECT && role == ROLE_LEAVING)
		cnt_add(c, NSRP_CNT_FWD_LEAVING);
	return rc;
}

/* The groups whose role is want, as a bitmap (bit v: group v). */
static __always_inline __u8 roles_held(int want, __u64 now)
{
	__u8 bits = 0;

	for (__u32 vsd = 0; vsd < NSRPD_MAX_VSD; vsd++)
		if (role_of(vsd, now) == want)
			bits |= 1 << vsd;
	return bits;
}

/*
 * A probe from the peer (struct nsrp_probe): a request of this cluster
 * on a cluster NIC is turned into the reply, from the NIC's own MAC,
 * with the groups this data plane answers for (master and fresh) and
 * those it hands over, and whether the agent is gone (orphaned). It is
 * answered here and nowhere else, so that the answer proves this data
 * plane, whatever the agent does. Replies go up to the agent that asked;
 * a request of another cluster passes.
 */
static __always_inline int handle_probe(struct xdp_md *ctx,
					struct nsrp_counters *c,
					struct l2_info *l2, __u64 now,
					int orphaned)
{
	void *end = (void *)(long)ctx->data_end;
	struct nsrp_probe *p = l2->l3;
	__u32 ifindex = ctx->ingress_ifindex;
	struct nsrp_iface_val *nic;

	if ((void *)(p + 1) > end)
		return pass(c, NSRP_CNT_MALFORMED);
	if (p->version != NSRP_PROBE_VERSION || p->op != NSRP_PROBE_REQUEST ||
	    p->cluster_id != bpf_htonl(nsrp_cfg.cluster_id))
		return pass(c, NSRP_CNT_PASS);
	nic = bpf_map_lookup_elem(&nsrp_iface, &ifindex);
	if (!nic || !(nic->flags & NSRP_IFACE_F_CLUSTER))
		return pass(c, NSRP_CNT_PASS);
	__builtin_memcpy(l2->eth->h_dest, l2->eth->h_source, NSRPD_ETH_ALEN);
	__builtin_memcpy(l2->eth->h_source, nic->nic_mac, NSRPD_ETH_ALEN);
	p->op = NSRP_PROBE_REPLY;
	p->masters = roles_held(ROLE_MASTER, now);
	p->leaving = roles_held(ROLE_LEAVING, now);
	p->unit_id = bpf_htonl(nsrp_cfg.unit_id);
	p->flags = orphaned ? NSRP_PROBE_F_ORPHAN : 0;
	cnt_add(c, NSRP_CNT_PROBE_ANSWERED);
	return XDP_TX;
}

/* The group whose VSI MAC mac is on this NIC, or -1. */
static __always_inline int vsi_group_of(const struct nsrp_vsi_macs *m,
					const __u8 *mac)
{
	for (int i = 0; i < NSRPD_MAX_VSD; i++)
		if (m->vsd[i].set && mac_equal(m->vsd[i].mac, mac))
			return i;
	return -1;
}

/* orphaned: called by the gate, whose agent is gone. */
static __always_inline int xdp_main(struct xdp_md *ctx, int orphaned)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct nsrp_counters *c = cnt_block();
	__u32 ifindex = ctx->ingress_ifindex;
	struct ethhdr *eth = data;
	struct nsrp_vsi_macs *nic;
	struct l2_info l2;
	__u64 now = NSRP_NOW();
	int to_vsi = 0, vsd, role, rc;

	cnt_add(c, NSRP_CNT_RX);
	if ((void *)(eth + 1) > end)
		return pass(c, NSRP_CNT_MALFORMED);
	rc = parse_l2(data, end, &l2);

	/*
	 * Only the destination MAC is needed for the VSI gate: a frame to a
	 * VSI of a group not master here is dropped even when the rest
	 * does not parse (a truncated VLAN tag).
	 */
	nic = bpf_map_lookup_elem(&nsrp_vsi_mac, &ifindex);
	vsd = nic ? vsi_group_of(nic, eth->h_dest) : -1;
	if (vsd >= 0) {
		role = role_of(vsd, now);
		if (!role_forwards(role))
			return drop_not_master(c, role, 0);
		__builtin_memcpy(eth->h_dest, nic->nic_mac, NSRPD_ETH_ALEN);
		cnt_add(c, NSRP_CNT_VSI_ACCEPT);
		to_vsi = 1;
	}
	if (rc == PARSE_MALFORMED)
		return pass(c, NSRP_CNT_MALFORMED);
	if (rc != PARSE_OK)
		return pass(c, NSRP_CNT_PASS);

	if (l2.proto == NSRP_PROBE_ETHERTYPE)
		return handle_probe(ctx, c, &l2, now, orphaned);
	if (l2.proto == ETH_P_ARP)
		return handle_arp(ctx, c, &l2, now);
	if (l2.proto == ETH_P_IPV6) {
		rc = handle_ns(ctx, c, &l2, now);
		if (rc >= 0)
			return rc;
	}
	if (to_vsi)
		return handle_ip(ctx, c, &l2, now);
	return pass(c, NSRP_CNT_PASS);
}

SEC("xdp")
int nsrp_xdp(struct xdp_md *ctx)
{
	return xdp_main(ctx, 0);
}

/*
 * The agent is gone (maps.h, nsrp_alive): no group may stay master on
 * the strength of a deadline nobody will refresh. Each is made backup
 * here, once, so that the frames to the VSIs and the ARP and neighbour
 * solicitations for them are dropped from the first frame on, not when
 * the deadline runs out: no switch relearns a VSI MAC on this port.
 */
static __always_inline void orphan_release(void)
{
	for (__u32 vsd = 0; vsd < NSRPD_MAX_VSD; vsd++) {
		struct nsrp_role_state *r =
			bpf_map_lookup_elem(&nsrp_role, &vsd);

		if (r && (r->role == NSRP_ROLE_MASTER ||
			  r->role == NSRP_ROLE_LEAVING)) {
			r->role = NSRP_ROLE_BACKUP;
			r->deadline_ns = 0;
			cnt_inc(NSRP_CNT_ORPHANED);
		}
	}
}

/* The program attached to the NICs: nsrp_xdp while the agent lives. */
SEC("xdp")
int nsrp_gate(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &nsrp_alive, 0);
	orphan_release();
	return xdp_main(ctx, 1);
}

char LICENSE[] SEC("license") = "GPL";
