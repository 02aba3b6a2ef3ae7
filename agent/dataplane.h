/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NSRPD_DATAPLANE_H
#define NSRPD_DATAPLANE_H

#include <stdbool.h>
#include <net/if.h>
#include <bpf/libbpf.h>

#include "nsrpd.h"

struct dp_config {
	const char *pin_dir;		/* default NSRPD_PIN_DIR */
	__u32 sess_max;			/* session entries, default NSRPD_SESS_DEFAULT */
	struct nsrp_dp_config dp;	/* timeouts, refresh interval */
};

struct dp_iface {
	char name[IF_NAMESIZE];
	int ifindex;
	bool xdp_attached;
	bool tc_attached;
	const char *xdp_how;		/* "native", "generic"; "+dispatcher" */
	bool xdp_native;		/* else generic (SKB) mode */
	bool dispatcher;		/* in libxdp's dispatcher */
};

struct nsrpd_xdp;
struct nsrpd_tc;
struct nsrpd_apply;

/* The in-kernel apply of the peer's session records (nsrpd_apply). */
struct dp_apply {
	struct nsrpd_apply *skel;
	int prog_fd;			/* -1: not loaded */
};

struct dataplane {
	struct nsrpd_xdp *xdp;
	struct nsrpd_tc *tc;
	struct xdp_program *xprog;	/* the XDP program, all NICs */
	struct dp_config cfg;
	char pin_dir[256];
	bool xdp_loaded;
	bool pledged;			/* nsrp_alive holds nsrp_xdp */
	int fd_role, fd_vsi_mac, fd_vsi_addr, fd_iface, fd_sess, fd_cnt;
	int fd_events;
	int fd_nh_gen;			/* nsrp_nh_gen: next-hop cache generation */
	struct dp_apply apply;		/* prog_fd -1: apply by syscalls */
	int ncpus;
	struct dp_iface ifaces[NSRPD_MAX_IFACES];
	int n_ifaces;
	/*
	 * Why the NICs run the program without libxdp's dispatcher, as
	 * libxdp said it ("" until the first attachment, or with it).
	 */
	char no_dispatcher[160];
};

/*
 * Mounts bpffs if missing, loads the programs and pins their maps under the
 * pin directory, re-using maps pinned by an earlier run so that sessions
 * survive a restart of the agent.
 */
int dp_open(struct dataplane *dp, const struct dp_config *cfg);
/*
 * Loads the in-kernel apply program (bpf/nsrpd_apply.bpf.c) on the maps
 * pinned under pin_dir, whose session map has cfg->sess_max entries (0:
 * the default), as dp_open does after the tc learner. Returns 0 with
 * a->prog_fd set, or -errno with a->prog_fd -1. dp_apply_close() either way.
 */
int dp_apply_load(struct dp_apply *a, const char *pin_dir,
		  const struct dp_config *cfg);
void dp_apply_close(struct dp_apply *a);
/* The apply program's fd for sesstab_apply_many_prog(), or -1. */
int dp_apply_fd(const struct dataplane *dp);
/* Attaches XDP and the tc egress learner to a cluster NIC. */
int dp_attach(struct dataplane *dp, const char *ifname);
/* Some NIC runs the program in libxdp's dispatcher. */
bool dp_uses_dispatcher(const struct dataplane *dp);
/*
 * One line of what an operator needs to know of the attachment: with
 * libxdp's dispatcher or not, and why ("" before any attachment).
 */
const char *dp_dispatcher_note(const struct dataplane *dp);
/* Detaches from every NIC; the pinned maps stay. */
void dp_detach_all(struct dataplane *dp);
void dp_close(struct dataplane *dp);

int dp_set_role(struct dataplane *dp, __u32 vsd, enum nsrp_role role,
		__u64 deadline_ns);
int dp_set_iface(struct dataplane *dp, int ifindex, __u32 vsd,
		 const __u8 vsi_mac[6], const __u8 nic_mac[6]);
int dp_add_vsi_mac(struct dataplane *dp, int ifindex, const __u8 vsi_mac[6],
		   __u32 vsd, const __u8 nic_mac[6]);
int dp_add_vsi_addr(struct dataplane *dp, int ifindex, int family,
		    const void *addr, __u32 vsd, const __u8 vsi_mac[6]);
/*
 * Invalidates every slot of the XDP next-hop cache (nsrp_nh) on every CPU
 * at once, by bumping the generation nsrp_nh_gen[0]. The agent must call it
 * after any change that can alter a bpf_fib_lookup result or the egress
 * VSI MAC: routes or rules added/removed, a neighbour's MAC or state
 * changed, a link or address going up or down, nsrp_iface changed
 * (dp_set_iface calls it itself). A change it misses is picked up within
 * NSRP_NH_MAX_AGE_NS (1 s), after which a slot is looked up again anyway.
 */
int dp_nh_flush(struct dataplane *dp);
/* Sums the per-CPU counters into out[NSRP_CNT_MAX]. */
int dp_read_counters(struct dataplane *dp, __u64 *out);
/* The same, from a counter map's fd (a pinned map opened by a tool). */
int dp_sum_counters(int fd, int ncpus, __u64 out[NSRP_CNT_MAX]);
/* The name of a counter, as nsrpctl and the logs print it. */
const char *dp_counter_name(enum nsrp_counter c);

/* The timeout of a session state, and the refresh interval, as loaded. */
__u64 dp_state_timeout_ns(const struct dataplane *dp, unsigned int state);
__u64 dp_refresh_ns(const struct dataplane *dp);

#endif
