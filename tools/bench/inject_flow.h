/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * inject_flow.h - the flows the session injectors create, in one place
 * for the programs that create them in user space (inject.h) and in the
 * kernel (inject.bpf.c).
 *
 * Flow i (0 <= i < INJECT_MAX) is UDP 192.0.2.(10 + i % 240):(1024 + i /
 * 240 % 64000) -> 198.51.100.(10 + i / (240 * 64000)):9, every one
 * distinct, none of them the units' or the VSIs' own addresses (which
 * conntrackd's filter ignores).
 */
#ifndef NSRPD_BENCH_INJECT_FLOW_H
#define NSRPD_BENCH_INJECT_FLOW_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define INJECT_SRC_HOSTS	240
#define INJECT_SRC_PORTS	64000
#define INJECT_DST_HOSTS	240
#define INJECT_MAX	((__u64)INJECT_SRC_HOSTS * INJECT_SRC_PORTS * \
			 INJECT_DST_HOSTS)
#define INJECT_DPORT	9

/* Flow i's source, destination and source port, in host order. */
struct inject_flow_host {
	__u32 saddr, daddr;
	__u16 sport;
};

static inline struct inject_flow_host inject_flow_host(__u64 i)
{
	__u64 port = i / INJECT_SRC_HOSTS;

	return (struct inject_flow_host){
		.saddr = 0xc0000200u | (__u32)(10 + i % INJECT_SRC_HOSTS),
		.daddr = 0xc6336400u | (__u32)(10 + port / INJECT_SRC_PORTS),
		.sport = (__u16)(1024 + port % INJECT_SRC_PORTS),
	};
}

#endif
