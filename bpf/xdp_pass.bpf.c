// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdp_pass - returns XDP_PASS and nothing else.
 *
 * Two uses: the lab attaches it to the switch-side end of each veth, because
 * a veth only delivers XDP_TX/XDP_REDIRECT frames when its peer runs an XDP
 * program; and the benchmarks use it as the floor that the data plane's cost
 * is measured against.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
