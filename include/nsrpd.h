/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nsrpd.h - definitions shared by the BPF data plane and user space.
 *
 * Every map key and value, event record and enum lives here exactly once.
 * Only fixed-width kernel types are used, padding is spelled out as named
 * fields and each size is pinned with a static assertion, so that the BPF
 * objects, the agent and bpftool's BTF dumps all agree on the layout.
 *
 * What bpftool prints of a map is its BTF, so the maps read as an operator
 * reads them: an enum that lives in a byte is packed (one byte) and
 * named, so a state prints as NSRP_SS_ESTABLISHED; the counters are the
 * named members of a struct; and the keys that hold addresses and ports
 * are declared to the kernel with a twin (the *_shown structs below) of
 * the same bytes, addresses and ports as bytes in network order
 * ([192,0,2,10,...], [0,80]), while the programs and the agent read them
 * as the words they compare and hash. The assertions at the end hold
 * each twin to its original, field by field.
 */
#ifndef NSRPD_H
#define NSRPD_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* Where the maps are pinned, and how they are named (at most 15 chars). */
#define NSRPD_PIN_DIR		"/sys/fs/bpf/nsrpd"
#define NSRPD_MAP_SESS		"nsrp_sess"
#define NSRPD_MAP_CNT		"nsrp_cnt"

/* Limits. */
#define NSRPD_MAX_VSD		8	/* VSD groups per cluster */
#define NSRPD_MAX_IFACES	64	/* cluster NICs per unit */
#define NSRPD_MAX_VSI_ADDRS	1024	/* VSI addresses, all NICs */
#define NSRPD_SESS_DEFAULT	262144	/* session entries, default */
#define NSRPD_SESS_MAX		16777216 /* session entries, upper bound */
#define NSRPD_EVENTS_BYTES	(4 << 20) /* session event ring, bytes */
#define NSRPD_NH_SLOTS		1024	/* next-hop cache, per CPU, power of 2 */
#define NSRPD_MAX_IFINDEX	16384	/* cluster NICs' ifindex, upper bound */

#define NSRPD_ETH_ALEN		6

/* An enum kept in one byte of a map, its values named in the BTF. */
#define NSRPD_BYTE_ENUM	__attribute__((packed))

enum nsrp_family {
	NSRP_AF_INET = 4,
	NSRP_AF_INET6 = 6,
} NSRPD_BYTE_ENUM;

/*
 * The role the agent decided for a VSD group. Only MASTER makes the data
 * plane answer for the group's VSIs, and only until the deadline.
 * LEAVING is a master handing over: until the deadline it still takes
 * and forwards the frames that reach it, but answers for nothing (no ARP
 * reply, no neighbour advertisement) and sends what it forwards from the
 * NIC's own MAC, so that no switch learns a VSI MAC on its port again.
 */
enum nsrp_role {
	NSRP_ROLE_BACKUP = 0,
	NSRP_ROLE_MASTER = 1,
	NSRP_ROLE_LEAVING = 2,
};

/* nsrp_role: one per VSD group, indexed by group id. */
struct nsrp_role_state {
	enum nsrp_role role;	/* 4 bytes, as __u32 */
	__u32 pad;
	__u64 deadline_ns;	/* CLOCK_MONOTONIC; past it, act as backup */
};

/*
 * A probe of the peer's data plane: an Ethernet frame of this type (the
 * IEEE's first local experimental one) that the agent sends from a data
 * NIC, and that the other unit's XDP program answers itself (XDP_TX),
 * without its agent: the answer proves that the data plane of that unit
 * runs, and says which groups it forwards and answers for right now.
 * Every field is in network byte order.
 */
#define NSRP_PROBE_ETHERTYPE	0x88B5
#define NSRP_PROBE_VERSION	1

enum nsrp_probe_op {
	NSRP_PROBE_REQUEST = 1,
	NSRP_PROBE_REPLY = 2,
};

/* The answering unit's agent is gone: its gate let its groups go. */
#define NSRP_PROBE_F_ORPHAN	0x01

struct nsrp_probe {
	__u8 version;		/* NSRP_PROBE_VERSION */
	__u8 op;		/* enum nsrp_probe_op */
	__u8 masters;		/* reply: bit v, group v master and fresh */
	__u8 leaving;		/* reply: bit v, group v leaving (handing over) */
	__be32 cluster_id;	/* request: asked of this cluster's units */
	__be32 unit_id;		/* the sender's: the asker, then the answerer */
	__be32 seq;		/* the request's, echoed */
	__be64 sent_ns;		/* the asker's clock, echoed: the round trip */
	__u8 flags;		/* reply: NSRP_PROBE_F_* */
	__u8 pad[7];
};

/*
 * nsrp_vsi_mac, an array indexed by ifindex: the NIC's own MAC and, per VSD
 * group, the VSI MAC it carries on this NIC, if any. Frames to one of
 * these MACs belong to that group's VSI. An array, not a hash, because
 * the data plane looks at it for every frame: an array lookup is a bounds
 * check and an offset, a hash lookup hashes and walks a bucket.
 */
struct nsrp_vsi_mac_ent {
	__u8 mac[NSRPD_ETH_ALEN];
	__u8 set;		/* the group has a VSI on this NIC */
	__u8 pad;
};

struct nsrp_vsi_macs {
	__u8 nic_mac[NSRPD_ETH_ALEN]; /* the NIC's own MAC, for rewrite */
	__u8 pad[2];
	struct nsrp_vsi_mac_ent vsd[NSRPD_MAX_VSD];
};

/* nsrp_vsi_addr: a VSI address on a NIC, answered for with the VSI MAC. */
struct nsrp_vsi_addr_key {
	__u32 ifindex;
	enum nsrp_family family;
	__u8 pad[3];
	__be32 addr[4];		/* IPv4 uses addr[0] only, rest zero */
};

/* nsrp_vsi_addr's key as the kernel (and bpftool) knows it. */
struct nsrp_vsi_addr_key_shown {
	__u32 ifindex;
	enum nsrp_family family;
	__u8 pad[3];
	__u8 addr[16];		/* network order */
};

struct nsrp_vsi_addr_val {
	__u32 vsd;
	__u8 vsi_mac[NSRPD_ETH_ALEN];
	__u8 pad[2];
};

/* nsrp_iface: per cluster NIC, the VSI MAC used as source when egressing. */
struct nsrp_iface_val {
	__u32 vsd;		/* VSD group whose VSI owns this NIC */
	__u8 vsi_mac[NSRPD_ETH_ALEN];
	__u8 flags;		/* NSRP_IFACE_F_* */
	__u8 pad;
	__u8 nic_mac[NSRPD_ETH_ALEN]; /* the NIC's own MAC */
	__u8 pad2[2];
};

#define NSRP_IFACE_F_CLUSTER	0x01	/* a cluster data NIC */

/*
 * nsrp_nh: the next-hop cache of the forward path, per CPU, direct-mapped
 * (a hash of the key picks the slot). A slot holds one bpf_fib_lookup's
 * inputs (the key part, compared in full) and what forwarding needs of its
 * result, so that a session hit does not repeat the FIB and neighbour
 * lookups. A slot is used only while its generation equals nsrp_nh_gen[0]
 * and it is younger than the data plane's maximum age (bpf/consts.h), for
 * IP lengths up to max_len: a longer packet is looked up in full again,
 * which checks it against the route's MTU. User space bumps nsrp_nh_gen
 * whenever routes, neighbours, links or nsrp_iface change (dp_nh_flush).
 */
struct nsrp_nh {
	__be32 src[4];		/* key: the lookup's inputs */
	__be32 dst[4];
	__u32 iif;		/* ingress NIC */
	__be32 flowinfo;	/* IPv4: TOS; IPv6: class and flow label */
	enum nsrp_family family; /* 0: an empty slot */
	__u8 proto;
	__u16 max_len;		/* largest IP length found within the MTU */
	__u32 oif;		/* result: the egress NIC */
	__u8 dmac[NSRPD_ETH_ALEN]; /* the next hop's MAC */
	__u8 smac[NSRPD_ETH_ALEN]; /* the egress NIC's VSI MAC */
	__u32 pad;
	__u64 gen;		/* nsrp_nh_gen[0] when filled */
	__u64 filled_ns;	/* when filled */
};

/*
 * Session key, canonical so that both directions find one entry: the
 * endpoint that compares lower (address, then port) is always "a".
 * For ICMP echo both ports carry the echo identifier.
 */
struct nsrp_sess_key {
	__be32 addr_a[4];
	__be32 addr_b[4];
	__be16 port_a;
	__be16 port_b;
	__u8 proto;		/* IPPROTO_* */
	enum nsrp_family family;
	__u8 pad[2];
};

/* nsrp_sess's key as the kernel (and bpftool) knows it. */
struct nsrp_sess_key_shown {
	__u8 addr_a[16];	/* network order */
	__u8 addr_b[16];
	__u8 port_a[2];		/* network order: [0,80] is port 80 */
	__u8 port_b[2];
	__u8 proto;		/* IPPROTO_* */
	enum nsrp_family family;
	__u8 pad[2];
};

enum nsrp_sess_state {
	NSRP_SS_NONE = 0,
	NSRP_SS_SYN_SENT,	/* SYN seen from the initiator */
	NSRP_SS_SYN_RECV,	/* SYN-ACK seen from the responder */
	NSRP_SS_ESTABLISHED,
	NSRP_SS_FIN_WAIT,	/* FIN seen in one direction */
	NSRP_SS_CLOSING,	/* FIN seen in both directions */
	NSRP_SS_TIME_WAIT,	/* last ACK after both FINs */
	NSRP_SS_CLOSED,		/* RST seen */
	NSRP_SS_UDP,		/* UDP, seen one way */
	NSRP_SS_UDP_REPLIED,	/* UDP, seen both ways */
	NSRP_SS_ICMP,
	NSRP_SS_MAX,
} NSRPD_BYTE_ENUM;

/* Session flags. */
#define NSRP_SF_INIT_IS_B	0x01	/* the initiator is endpoint b */
#define NSRP_SF_FROM_PEER	0x02	/* installed by sync from the peer */
#define NSRP_SF_FIN_ORIG	0x04	/* FIN seen from the initiator */
#define NSRP_SF_FIN_REPLY	0x08	/* FIN seen from the responder */

/* Direction index into the per-direction counters. */
enum nsrp_dir {
	NSRP_DIR_ORIG = 0,
	NSRP_DIR_REPLY = 1,
};

struct nsrp_sess {
	__u64 expires_ns;	/* absolute, CLOCK_MONOTONIC */
	__u64 refreshed_ns;	/* when the last refresh event was sent */
	__u64 pkts[2];		/* enum nsrp_dir */
	__u64 bytes[2];
	enum nsrp_sess_state state;
	__u8 vsd;		/* owning VSD group */
	__u8 flags;		/* NSRP_SF_* */
	__u8 pad[5];
};

/*
 * Load-time settings of both BPF objects (const volatile nsrp_cfg), set by
 * the loader between skeleton open and load. The times are in nanoseconds,
 * zero meaning the default of bpf/consts.h.
 */
struct nsrp_dp_config {
	__u64 tcp_syn_ns;	/* opening: SYN or SYN-ACK seen, not yet up */
	__u64 tcp_est_ns;	/* established */
	__u64 tcp_fin_ns;	/* closing: FIN seen one or both ways */
	__u64 tcp_tw_ns;	/* time-wait, and after an RST */
	__u64 udp_ns;
	__u64 icmp_ns;		/* ICMP / ICMPv6 echo */
	__u64 refresh_ns;	/* least interval between REFRESH events */
	__u32 cluster_id;	/* probes of this cluster are answered */
	__u32 unit_id;		/* and the answers say they are this unit's */
};

/* Session events, carried by the nsrp_events ring buffer. */
enum nsrp_event_kind {
	NSRP_EV_CREATE = 1,
	NSRP_EV_STATE = 2,	/* protocol state changed */
	NSRP_EV_REFRESH = 3,	/* still alive, at most once per interval */
	NSRP_EV_DELETE = 4,
};

struct nsrp_event {
	__u8 kind;		/* enum nsrp_event_kind */
	__u8 pad[7];
	__u64 ts_ns;		/* CLOCK_MONOTONIC at emission */
	struct nsrp_sess_key key;
	struct nsrp_sess sess;
};

/*
 * The in-kernel apply of the peer's session records (bpf/nsrpd_apply.bpf.c,
 * a BPF_PROG_TYPE_SYSCALL program run by BPF_PROG_TEST_RUN): the agent
 * hands it this block as the program's context, up to NSRP_APPLY_MAX
 * records in wire form, and the kernel copies the block back with one
 * result per record. A larger set is applied in several runs.
 */
#define NSRP_APPLY_MAX		32	/* records per run, bounds the loop */
/* The backup keeps the peer's sessions this many times their lifetime. */
#define NSRPD_AGEOUT_MULT	8

/* What a record did, in nsrp_apply_ctx.res[]; a negative value: -errno. */
enum nsrp_apply_res {
	NSRP_APPLY_NONE = 0,	/* nothing: DELETE of an absent entry */
	NSRP_APPLY_CREATED,	/* installed an entry that was absent */
	NSRP_APPLY_UPDATED,	/* overwrote an existing entry */
	NSRP_APPLY_DELETED,	/* DELETE removed an entry */
	NSRP_APPLY_SKIPPED,	/* a local entry of an owned group: left alone */
};

struct nsrp_apply_ctx {
	__u32 count;		/* records in ev[], at most NSRP_APPLY_MAX */
	__u32 mult;		/* expiry = now + mult * remaining; 0: default */
	__u64 now_ns;		/* CLOCK_MONOTONIC */
	__u64 owned;		/* bit v: this unit is master of VSD group v */
	__s32 res[NSRP_APPLY_MAX]; /* out: enum nsrp_apply_res or -errno */
	struct nsrp_event ev[NSRP_APPLY_MAX];
};

/*
 * Per-CPU counters, one per verdict and per reason to fall back, in one
 * block per CPU (nsrp_cnt has a single entry): the data plane finds its
 * block once per frame and then counts with a plain add, by index.
 *
 * One list makes the index (enum nsrp_counter), the block's named
 * members in its twin, nsrp_cnt's type in the BTF (what bpftool prints:
 * "sess_hit": 12), and the names nsrpctl shows (dataplane.c):
 * C(INDEX, member, "name").
 */
#define NSRP_COUNTERS(C)						\
	C(RX, rx, "rx")			/* frames seen by XDP */	\
	C(PASS, pass, "pass")		/* passed, not ours */		\
	C(MALFORMED, malformed, "malformed") /* truncated, passed */	\
	C(ARP_REPLY, arp_reply, "arp-reply") /* ARP for a VSI answered */ \
	C(NS_REPLY, ns_reply, "ns-reply") /* solicitation answered */	\
	C(VSI_ACCEPT, vsi_accept, "vsi-accept") /* VSI-MAC frame, master */ \
	C(VSI_DROP_BACKUP, vsi_drop_backup, "vsi-drop-backup")		\
	C(VSI_DROP_STALE, vsi_drop_stale, "vsi-drop-stale") /* deadline */ \
	C(ND_IGNORED_BACKUP, nd_ignored_backup, "nd-ignored-backup")	\
	C(SESS_HIT, sess_hit, "session-hit")				\
	C(SESS_MISS, sess_miss, "session-miss")				\
	C(FWD, fwd, "forwarded")	/* by XDP_REDIRECT */		\
	C(FB_NO_NEIGH, fb_no_neigh, "fallback-no-neigh")		\
	C(FB_FRAG, fb_frag, "fallback-fragment")			\
	C(FB_IP_OPTS, fb_ip_opts, "fallback-ip-options") /* or v6 ext */ \
	C(FB_MTU, fb_mtu, "fallback-mtu") /* larger than egress MTU */	\
	C(FB_TTL, fb_ttl, "fallback-ttl") /* TTL would expire */	\
	C(FB_FIB, fb_fib, "fallback-fib") /* other FIB result */	\
	C(FB_NOT_CLUSTER, fb_not_cluster, "fallback-not-cluster")	\
	C(FB_NOT_MASTER, fb_not_master, "fallback-not-master")		\
	C(LEARN, learn, "learned")	/* by tc egress */		\
	C(EV_CREATE, ev_create, "event-create")				\
	C(EV_STATE, ev_state, "event-state")				\
	C(EV_REFRESH, ev_refresh, "event-refresh")			\
	C(EV_DELETE, ev_delete, "event-delete")				\
	C(EV_RB_FULL, ev_rb_full, "event-ring-full") /* event lost */	\
	C(ND_IGNORED_STALE, nd_ignored_stale, "nd-ignored-stale")	\
	C(FB_VLAN, fb_vlan, "fallback-vlan") /* tagged frame, a hit */	\
	C(SESS_EXPIRED, sess_expired, "session-expired") /* on lookup */ \
	C(LEARN_RACE, learn_race, "learn-race") /* lost a create race */ \
	C(NH_FILL, nh_fill, "nexthop-fill") /* a FIB lookup */		\
	C(SESS_TAKEOVER, sess_takeover, "session-takeover") /* peer's */ \
	C(GARP_IGNORED, garp_ignored, "garp-ignored") /* unanswered */	\
	C(ORPHANED, orphaned, "orphaned") /* let go: the agent is gone */ \
	C(PROBE_ANSWERED, probe_answered, "probe-answered") /* the peer's */ \
	C(ND_IGNORED_LEAVING, nd_ignored_leaving, "nd-ignored-leaving")	\
	C(FWD_LEAVING, fwd_leaving, "forwarded-leaving") /* while leaving */

#define NSRP_CNT_ENUM(idx, member, name)	NSRP_CNT_##idx,
#define NSRP_CNT_MEMBER(idx, member, name)	__u64 member;

enum nsrp_counter {
	NSRP_COUNTERS(NSRP_CNT_ENUM)
	NSRP_CNT_MAX,
};

/*
 * The programs count by index into n[] (a named member would be another
 * instruction sequence on the frame path); the map is declared with the
 * twin, whose members bpftool names.
 */
struct nsrp_counters {
	__u64 n[NSRP_CNT_MAX];
};

struct nsrp_counters_shown {
	NSRP_COUNTERS(NSRP_CNT_MEMBER)
};

#define NSRPD_ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), #type " layout changed")

NSRPD_ASSERT_SIZE(struct nsrp_role_state, 16);
NSRPD_ASSERT_SIZE(struct nsrp_vsi_mac_ent, 8);
NSRPD_ASSERT_SIZE(struct nsrp_vsi_macs, 8 + 8 * NSRPD_MAX_VSD);
NSRPD_ASSERT_SIZE(struct nsrp_vsi_addr_key, 24);
NSRPD_ASSERT_SIZE(struct nsrp_vsi_addr_val, 12);
NSRPD_ASSERT_SIZE(struct nsrp_iface_val, 20);
NSRPD_ASSERT_SIZE(struct nsrp_sess_key, 40);
NSRPD_ASSERT_SIZE(struct nsrp_sess, 56);
NSRPD_ASSERT_SIZE(struct nsrp_event, 112);
NSRPD_ASSERT_SIZE(struct nsrp_dp_config, 64);
NSRPD_ASSERT_SIZE(struct nsrp_nh, 80);
NSRPD_ASSERT_SIZE(struct nsrp_probe, 32);
NSRPD_ASSERT_SIZE(struct nsrp_apply_ctx,
		  24 + (4 + 112) * NSRP_APPLY_MAX);
NSRPD_ASSERT_SIZE(struct nsrp_counters_shown, sizeof(struct nsrp_counters));

/* A twin's field: where and how wide it is in its original. */
#define NSRPD_ASSERT_TWIN(orig, twin, f)				\
	_Static_assert(__builtin_offsetof(struct orig, f) ==		\
		       __builtin_offsetof(struct twin, f) &&		\
		       sizeof(((struct orig *)0)->f) ==			\
		       sizeof(((struct twin *)0)->f),			\
		       #twin "." #f " is not " #orig "." #f)

NSRPD_ASSERT_SIZE(struct nsrp_sess_key_shown, sizeof(struct nsrp_sess_key));
NSRPD_ASSERT_TWIN(nsrp_sess_key, nsrp_sess_key_shown, addr_a);
NSRPD_ASSERT_TWIN(nsrp_sess_key, nsrp_sess_key_shown, addr_b);
NSRPD_ASSERT_TWIN(nsrp_sess_key, nsrp_sess_key_shown, port_a);
NSRPD_ASSERT_TWIN(nsrp_sess_key, nsrp_sess_key_shown, port_b);
NSRPD_ASSERT_TWIN(nsrp_sess_key, nsrp_sess_key_shown, proto);
NSRPD_ASSERT_TWIN(nsrp_sess_key, nsrp_sess_key_shown, family);
NSRPD_ASSERT_TWIN(nsrp_sess_key, nsrp_sess_key_shown, pad);
NSRPD_ASSERT_SIZE(struct nsrp_vsi_addr_key_shown,
		  sizeof(struct nsrp_vsi_addr_key));
NSRPD_ASSERT_TWIN(nsrp_vsi_addr_key, nsrp_vsi_addr_key_shown, ifindex);
NSRPD_ASSERT_TWIN(nsrp_vsi_addr_key, nsrp_vsi_addr_key_shown, family);
NSRPD_ASSERT_TWIN(nsrp_vsi_addr_key, nsrp_vsi_addr_key_shown, pad);
NSRPD_ASSERT_TWIN(nsrp_vsi_addr_key, nsrp_vsi_addr_key_shown, addr);
_Static_assert(sizeof(enum nsrp_family) == 1 &&
	       sizeof(enum nsrp_sess_state) == 1 &&
	       sizeof(enum nsrp_role) == 4, "an enum's size in a map changed");
_Static_assert(NSRPD_MAX_VSD <= 64, "nsrp_apply_ctx.owned has 64 bits");
_Static_assert(NSRPD_MAX_VSD <= 8, "nsrp_probe.masters has 8 bits");

#endif /* NSRPD_H */
