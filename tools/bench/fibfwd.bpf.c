// SPDX-License-Identifier: GPL-2.0-only
/*
 * fibfwd - the least an XDP router does, for the forwarding benchmark
 * (tools/bench/fwd; never part of the product).
 *
 *   fibfwd  for an untagged IPv4 frame without options: ask the kernel's
 *           FIB for the route and the neighbour (bpf_fib_lookup, every
 *           packet), decrement the TTL with an incremental checksum
 *           update, write both MACs from the lookup and redirect to the
 *           egress device. Anything else, or a lookup that does not
 *           succeed (no route, no neighbour yet, TTL 1), goes to the
 *           stack.
 *
 * No session table, no policy, no role, no counters: it forwards every
 * frame the FIB can route. What nsrpd's fast path costs above this is its
 * own work (VSI gate, session lookup and tracking, counters, next-hop
 * cache); what this costs above a bare XDP_PASS is what any XDP
 * forwarder pays on this kernel.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800
#define AF_INET 2

SEC("xdp")
int fibfwd(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);
	struct bpf_fib_lookup fib = {};
	__u32 check;

	if ((void *)(iph + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    iph->ihl != 5 || iph->ttl <= 1)
		return XDP_PASS;
	fib.family = AF_INET;
	fib.tos = iph->tos;
	fib.l4_protocol = iph->protocol;
	fib.tot_len = bpf_ntohs(iph->tot_len);
	fib.ipv4_src = iph->saddr;
	fib.ipv4_dst = iph->daddr;
	fib.ifindex = ctx->ingress_ifindex;
	if (bpf_fib_lookup(ctx, &fib, sizeof(fib), 0) != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	/* TTL - 1 and its checksum (RFC 1624), as the kernel does it. */
	check = iph->check;
	check += bpf_htons(0x0100);
	iph->check = check + (check >= 0xFFFF);
	iph->ttl--;
	__builtin_memcpy(eth->h_dest, fib.dmac, sizeof(eth->h_dest));
	__builtin_memcpy(eth->h_source, fib.smac, sizeof(eth->h_source));
	return bpf_redirect(fib.ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
