// SPDX-License-Identifier: GPL-2.0-only
/*
 * inject - the kernel side of build/bench/sess_inject (never part of the
 * product).
 *
 *   bench_inject  writes flow inject_next of inject_flow.h into the
 *                 frame (addresses, source port, IPv4 header checksum),
 *                 counts inject_next on, and tail-calls slot 0 of
 *                 inject_progs: the agent's session learner. Run by
 *                 BPF_PROG_TEST_RUN with repeat N, it creates flows
 *                 inject_next .. inject_next + N - 1 in one syscall, where
 *                 a syscall per flow cost the injector several times what
 *                 the learner does. The incumbent's injector sends its
 *                 batch of conntrack requests in one syscall too.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "inject_flow.h"

#define ETH_P_IP	0x0800
#define TC_ACT_SHOT	2

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} inject_progs SEC(".maps");

__u64 inject_next;

static __always_inline __u16 ipv4_csum(const __u16 *w)
{
	__u32 sum = 0;

	for (int i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

SEC("tc")
int bench_inject(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	struct inject_flow_host f = inject_flow_host(inject_next++);

	if ((void *)(udp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->ihl != 5)
		return TC_ACT_SHOT;
	ip->saddr = bpf_htonl(f.saddr);
	ip->daddr = bpf_htonl(f.daddr);
	ip->check = 0;
	ip->check = ipv4_csum((const __u16 *)ip);
	udp->source = bpf_htons(f.sport);
	udp->dest = bpf_htons(INJECT_DPORT);
	bpf_tail_call(skb, &inject_progs, 0);
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
