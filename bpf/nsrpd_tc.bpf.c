// SPDX-License-Identifier: GPL-2.0-only
/*
 * nsrpd_tc - the session learner, on clsact egress of each cluster NIC.
 *
 * The first packet of a flow misses the XDP session table and goes up the
 * stack; if the kernel's policy lets it through, it leaves by a cluster NIC
 * and passes here. Only forwarded packets are learned (ingress_ifindex set;
 * locally sourced ones have none). A miss creates the session: initiator =
 * this packet's source, owning group = the egress NIC's, and a CREATE
 * event. Fragments, packets with IPv4 options or IPv6 extension headers,
 * and a TCP RST are not learned. A known flow is left as it is, except
 * the peer's entry of a group that is master here, which is taken over
 * (session.h). The packet itself is never changed: TC_ACT_OK always.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "session.h"

/* Enough linear data for Ethernet, a tag, IPv6 and a TCP header. */
#define LEARN_PULL_LEN	(14 + 4 + 40 + 20)

/* The peer's entry, for a flow the kernel forwarded here: now ours. */
static __always_inline void take_over(struct nsrp_sess *s,
				      const struct nsrp_sess_key *key,
				      __u64 now)
{
	struct nsrp_sess copy;

	s->flags &= ~NSRP_SF_FROM_PEER;
	s->expires_ns = now + sess_timeout(s->state);
	s->refreshed_ns = now;
	copy = *s;
	cnt_inc(NSRP_CNT_SESS_TAKEOVER);
	sess_event(NSRP_EV_STATE, key, &copy, now);
}

static __always_inline void learn(struct flow *f, __u32 vsd, __u32 len,
				  __u64 now)
{
	struct nsrp_sess s = {};
	struct nsrp_sess *old;

	old = sess_lookup(f, now);
	if (old) {
		if ((old->flags & NSRP_SF_FROM_PEER) &&
		    role_of(old->vsd, now) == ROLE_MASTER)
			take_over(old, &f->key, now);
		return;
	}
	if (f->key.proto == IPPROTO_TCP && (f->tcp_flags & TCPF_RST))
		return;
	s.vsd = vsd;
	s.flags = f->src_is_a ? 0 : NSRP_SF_INIT_IS_B;
	s.state = sess_next(NSRP_SS_NONE, &s.flags, NSRP_DIR_ORIG, f);
	s.expires_ns = now + sess_timeout(s.state);
	s.refreshed_ns = now;
	s.pkts[NSRP_DIR_ORIG] = 1;
	s.bytes[NSRP_DIR_ORIG] = len;
	if (bpf_map_update_elem(&nsrp_sess, &f->key, &s, BPF_NOEXIST)) {
		cnt_inc(NSRP_CNT_LEARN_RACE);
		return;
	}
	cnt_inc(NSRP_CNT_LEARN);
	sess_event(NSRP_EV_CREATE, &f->key, &s, now);
}

SEC("tc")
int nsrp_learn(struct __sk_buff *skb)
{
	struct nsrp_iface_val *nic;
	struct l2_info l2;
	struct flow f;
	__u32 oif = skb->ifindex;
	void *data, *end;

	if (!skb->ingress_ifindex)
		return TC_ACT_OK;
	nic = bpf_map_lookup_elem(&nsrp_iface, &oif);
	if (!nic || !(nic->flags & NSRP_IFACE_F_CLUSTER))
		return TC_ACT_OK;
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (data + LEARN_PULL_LEN > end) {
		bpf_skb_pull_data(skb, skb->len < LEARN_PULL_LEN ?
				  skb->len : LEARN_PULL_LEN);
		data = (void *)(long)skb->data;
		end = (void *)(long)skb->data_end;
	}
	if (parse_l2(data, end, &l2) != PARSE_OK)
		return TC_ACT_OK;
	if (parse_flow(l2.l3, end, l2.proto, &f) != PARSE_OK)
		return TC_ACT_OK;
	learn(&f, nic->vsd, skb->len, NSRP_NOW());
	return TC_ACT_OK;
}

/*
 * On clsact ingress of each cluster NIC. Some drivers (veth among them)
 * classify a frame as "for another host" before XDP runs, and an XDP
 * rewrite of the destination MAC does not classify it again: a frame the
 * master accepted for its VSI would then be dropped by the IP layer. A
 * frame addressed to the NIC's own MAC but marked for another host can
 * only be such a rewritten frame; it is re-marked as for this host.
 */
SEC("tc")
int nsrp_ingress(struct __sk_buff *skb)
{
	struct nsrp_iface_val *nic;
	__u32 ifindex = skb->ifindex;
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if (skb->pkt_type != PACKET_OTHERHOST || (void *)(eth + 1) > end)
		return TC_ACT_OK;
	nic = bpf_map_lookup_elem(&nsrp_iface, &ifindex);
	if (!nic || !mac_equal(eth->h_dest, nic->nic_mac))
		return TC_ACT_OK;
	bpf_skb_change_type(skb, PACKET_HOST);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
