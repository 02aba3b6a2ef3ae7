// SPDX-License-Identifier: GPL-2.0-only
/*
 * fill - the kernel side of build/bench/sess_fill (never part of the
 * product).
 *
 *   bench_fill  inserts sessions fill_first .. fill_first + fill_count - 1
 *               into fill_sess (the agent's pinned session map, reused by
 *               sess_fill), by the same helper nsrpd's apply program
 *               inserts the peer's sessions with: a million inserts time
 *               what a bulk sync's receiving side costs the kernel at
 *               the least. Session i is established TCP 192.0.2.(i % 256)
 *               -> 198.51.100.(i / 256 % 256), from port 1024 + i / 65536
 *               to 443, local, VSD group 0, alive for an hour.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "nsrpd.h"

#define FILL_LIFE_NS	(3600ull * 1000000000ull)

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);		/* the pinned map's, on reuse */
	__type(key, struct nsrp_sess_key);
	__type(value, struct nsrp_sess);
} fill_sess SEC(".maps");

__u32 fill_first, fill_count;
__u64 fill_now, fill_failed;

static long fill_one(__u64 n, void *ctx)
{
	__u32 i = fill_first + (__u32)n;
	struct nsrp_sess_key k = {
		.port_a = bpf_htons(1024 + (i >> 16)),
		.port_b = bpf_htons(443),
		.proto = IPPROTO_TCP,
		.family = NSRP_AF_INET,
	};
	struct nsrp_sess v = {
		.expires_ns = fill_now + FILL_LIFE_NS,
		.refreshed_ns = fill_now,
		.pkts = { 1, 1 },
		.bytes = { 60, 60 },
		.state = NSRP_SS_ESTABLISHED,
	};

	k.addr_a[0] = bpf_htonl(0xc0000200 | (i & 0xff));
	k.addr_b[0] = bpf_htonl(0xc6336400 | ((i >> 8) & 0xff));
	if (bpf_map_update_elem(&fill_sess, &k, &v, BPF_ANY))
		fill_failed++;
	return 0;
}

SEC("syscall")
int bench_fill(void *ctx)
{
	bpf_loop(fill_count, fill_one, NULL, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
