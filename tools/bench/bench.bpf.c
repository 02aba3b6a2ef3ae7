// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench - helper programs of the benchmarks (never part of the product).
 *
 *   bench_restore  rewrites the frame to a fixed template, then tail-calls
 *                  slot bench_slot of bench_progs. BPF_PROG_TEST_RUN with
 *                  repeat runs a program again and again on the buffer the
 *                  previous run left behind; a program that changes the
 *                  frame (an ARP request becomes a reply) would measure a
 *                  different path from the second repetition on. The cost
 *                  of the restore is measured by running it in front of
 *                  xdp_pass too, and subtracted.
 *   bench_sink     counts IPv4 UDP frames (sink_rx, per CPU) and drops
 *                  them; anything else (ARP, ND) passes to the stack.
 *   bench_bound    the least a session hit can cost: for an untagged
 *                  IPv4 TCP frame, the session key, one lookup in a table
 *                  of nsrpd's own key, value and size (bound_sess), the
 *                  clock read an expiry check needs, and the redirect to
 *                  bound_oif. No gate, parsing rules, state, counters,
 *                  next hop or rewrite: every session-forwarding XDP
 *                  program does at least this much.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "nsrpd.h"

#define BENCH_FRAME_MAX 64
#define ETH_P_IP 0x0800

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} bench_progs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink_rx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NSRPD_SESS_DEFAULT);
	__type(key, struct nsrp_sess_key);
	__type(value, struct nsrp_sess);
} bound_sess SEC(".maps");

__u8 bench_frame[BENCH_FRAME_MAX];
__u32 bound_oif;
__u32 bench_slot;

SEC("xdp")
int bench_restore(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (data + BENCH_FRAME_MAX > end)
		return XDP_ABORTED;
	__builtin_memcpy(data, bench_frame, BENCH_FRAME_MAX);
	bpf_tail_call(ctx, &bench_progs, bench_slot);
	return XDP_ABORTED;
}

SEC("xdp")
int bench_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);
	__u32 zero = 0;
	__u64 *n;

	if ((void *)(iph + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    iph->protocol != IPPROTO_UDP)
		return XDP_PASS;
	n = bpf_map_lookup_elem(&sink_rx, &zero);
	if (n)
		*n += 1;
	return XDP_DROP;
}

SEC("xdp")
int bench_bound(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);
	struct tcphdr *th = (void *)(iph + 1);
	struct nsrp_sess_key key = {};
	struct nsrp_sess *s;

	if ((void *)(th + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	key.addr_a[0] = iph->saddr;
	key.addr_b[0] = iph->daddr;
	key.port_a = th->source;
	key.port_b = th->dest;
	key.proto = iph->protocol;
	key.family = NSRP_AF_INET;
	s = bpf_map_lookup_elem(&bound_sess, &key);
	if (!s || bpf_ktime_get_coarse_ns() >= s->expires_ns)
		return XDP_PASS;
	return bpf_redirect(bound_oif, 0);
}

char LICENSE[] SEC("license") = "GPL";
