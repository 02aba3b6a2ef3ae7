/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * maps.h - every map of the data plane, defined once and included by both
 * BPF objects. Each is pinned by name, so the XDP program and the tc
 * learner share one instance through the loader's pin directory
 * (NSRPD_PIN_DIR) and the maps survive an agent restart.
 */
#ifndef NSRPD_BPF_MAPS_H
#define NSRPD_BPF_MAPS_H

#include "nsrpd.h"

/* Per NIC, by ifindex: its own MAC and the VSI MAC of each group on it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSRPD_MAX_IFINDEX);
	__type(key, __u32);
	__type(value, struct nsrp_vsi_macs);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nsrp_vsi_mac SEC(".maps");

/*
 * VSI addresses answered for (ARP, NS) on the ingress NIC, with the MAC.
 * Keyed by struct nsrp_vsi_addr_key; declared with its twin, which
 * bpftool prints with the address as bytes.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NSRPD_MAX_VSI_ADDRS);
	__type(key, struct nsrp_vsi_addr_key_shown);
	__type(value, struct nsrp_vsi_addr_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nsrp_vsi_addr SEC(".maps");

/* Per VSD group: the agent's role decision and its liveness deadline. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSRPD_MAX_VSD);
	__type(key, __u32);
	__type(value, struct nsrp_role_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nsrp_role SEC(".maps");

/* Per cluster NIC (by ifindex): its group and the VSI MAC it sends from. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NSRPD_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct nsrp_iface_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nsrp_iface SEC(".maps");

/*
 * Sessions, one entry for both directions; resized by the loader. Keyed
 * by struct nsrp_sess_key, declared with its twin (see nsrpd.h).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NSRPD_SESS_DEFAULT);
	__type(key, struct nsrp_sess_key_shown);
	__type(value, struct nsrp_sess);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nsrp_sess SEC(".maps");

/*
 * Per-CPU counters: one block, indexed by enum nsrp_counter; declared
 * with its twin, whose members name them.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nsrp_counters_shown);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nsrp_cnt SEC(".maps");

/* Session events (struct nsrp_event) for the agent to stream to the peer. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, NSRPD_EVENTS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nsrp_events SEC(".maps");

/* Next-hop cache of the forward path, see struct nsrp_nh. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSRPD_NH_SLOTS);
	__type(key, __u32);
	__type(value, struct nsrp_nh);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nsrp_nh SEC(".maps");

/* [0]: the generation of the next-hop cache; user space bumps it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nsrp_nh_gen SEC(".maps");

/*
 * The agent's pledge: [0] holds nsrp_xdp, put there by the agent that
 * loaded it. Not pinned, on purpose: when that agent's process ends (a
 * crash, kill -9), its descriptor was the map's last user-space
 * reference, and the kernel empties a program array then; nsrp_gate's
 * tail call finds the slot empty, and the data plane knows at once that
 * nobody keeps its roles fresh (nsrpd_xdp.bpf.c).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} nsrp_alive SEC(".maps");

/* Load-time settings, see struct nsrp_dp_config. */
const volatile struct nsrp_dp_config nsrp_cfg = {};

/* This CPU's counters; never NULL for key 0, but the verifier asks. */
static __always_inline struct nsrp_counters *cnt_block(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&nsrp_cnt, &zero);
}

static __always_inline void cnt_add(struct nsrp_counters *c, __u32 idx)
{
	if (c && idx < NSRP_CNT_MAX)
		c->n[idx]++;
}

/* For the rare paths, which do not carry the block around. */
static __always_inline void cnt_inc(__u32 idx)
{
	cnt_add(cnt_block(), idx);
}

#endif
