/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * session.h - the session table logic shared by the XDP program and the
 * tc learner: timeouts, the TCP state machine, expiry on lookup, events.
 *
 * TCP tracking, per entry (dir is the packet's direction relative to the
 * initiator):
 *   any RST                                   -> CLOSED      (time-wait)
 *   NONE (learning) + SYN without ACK        -> SYN_SENT    (opening)
 *   NONE + anything else                      -> ESTABLISHED, then as below
 *   SYN_SENT + SYN-ACK from the responder     -> SYN_RECV    (opening)
 *   SYN_RECV + ACK without SYN from initiator -> ESTABLISHED (established)
 *   ESTABLISHED/FIN_WAIT + FIN one way        -> FIN_WAIT    (closing)
 *   FIN_WAIT + FIN the other way              -> CLOSING     (closing)
 *   CLOSING + ACK without FIN, either way     -> TIME_WAIT   (time-wait)
 *   TIME_WAIT/CLOSED + SYN without ACK: the entry is deleted and the packet
 *   treated as a miss, so the kernel's policy judges the new connection.
 * The FIN of each direction is remembered in NSRP_SF_FIN_ORIG/REPLY.
 * UDP: UDP, then UDP_REPLIED once the responder sent; ICMP echo: ICMP.
 *
 * Events: CREATE on learning, STATE on every state change, REFRESH when
 * neither was sent for the refresh interval, DELETE when an expired entry
 * is removed on lookup. Each carries the entry as it is after the change;
 * CREATE and STATE also count as a refresh.
 *
 * Entries from the peer (NSRP_SF_FROM_PEER, installed by the agent with an
 * expiry it computed): while their group is not master here, neither XDP
 * nor the learner changes them in any way, not even to delete them once
 * expired (the agent ages them). Hit while their group is master here,
 * by XDP or the learner, they are taken over: FROM_PEER is cleared, the
 * expiry set from the local timeout of the state, and a STATE event tells
 * the agent to sync the entry to the peer from now on.
 */
#ifndef NSRPD_BPF_SESSION_H
#define NSRPD_BPF_SESSION_H

#include "consts.h"
#include "maps.h"
#include "parse.h"

static __always_inline __u64 cfg_or(__u64 v, __u64 def)
{
	return v ? v : def;
}

static __always_inline __u64 sess_timeout(__u8 state)
{
	switch (state) {
	case NSRP_SS_SYN_SENT:
	case NSRP_SS_SYN_RECV:
		return cfg_or(nsrp_cfg.tcp_syn_ns, NSRP_DEF_TCP_SYN_NS);
	case NSRP_SS_ESTABLISHED:
		return cfg_or(nsrp_cfg.tcp_est_ns, NSRP_DEF_TCP_EST_NS);
	case NSRP_SS_FIN_WAIT:
	case NSRP_SS_CLOSING:
		return cfg_or(nsrp_cfg.tcp_fin_ns, NSRP_DEF_TCP_FIN_NS);
	case NSRP_SS_UDP:
	case NSRP_SS_UDP_REPLIED:
		return cfg_or(nsrp_cfg.udp_ns, NSRP_DEF_UDP_NS);
	case NSRP_SS_ICMP:
		return cfg_or(nsrp_cfg.icmp_ns, NSRP_DEF_ICMP_NS);
	default:	/* TIME_WAIT, CLOSED */
		return cfg_or(nsrp_cfg.tcp_tw_ns, NSRP_DEF_TCP_TW_NS);
	}
}

static __always_inline __u8 tcp_next(__u8 st, __u8 *flags, int dir, __u8 tf)
{
	__u8 syn_ack = tf & (TCPF_SYN | TCPF_ACK);

	if (tf & TCPF_RST)
		return NSRP_SS_CLOSED;
	switch (st) {
	case NSRP_SS_NONE:
		if (syn_ack == TCPF_SYN)
			return NSRP_SS_SYN_SENT;
		st = NSRP_SS_ESTABLISHED;
		break;
	case NSRP_SS_SYN_SENT:
		if (syn_ack == (TCPF_SYN | TCPF_ACK) && dir == NSRP_DIR_REPLY)
			return NSRP_SS_SYN_RECV;
		return st;
	case NSRP_SS_SYN_RECV:
		if (syn_ack != TCPF_ACK || dir != NSRP_DIR_ORIG)
			return st;
		st = NSRP_SS_ESTABLISHED;
		break;
	case NSRP_SS_ESTABLISHED:
	case NSRP_SS_FIN_WAIT:
	case NSRP_SS_CLOSING:
		break;
	default:
		return st;
	}
	if (tf & TCPF_FIN) {
		*flags |= dir == NSRP_DIR_ORIG ? NSRP_SF_FIN_ORIG :
						 NSRP_SF_FIN_REPLY;
		if ((*flags & (NSRP_SF_FIN_ORIG | NSRP_SF_FIN_REPLY)) ==
		    (NSRP_SF_FIN_ORIG | NSRP_SF_FIN_REPLY))
			return NSRP_SS_CLOSING;
		return NSRP_SS_FIN_WAIT;
	}
	if (st == NSRP_SS_CLOSING && (tf & TCPF_ACK))
		return NSRP_SS_TIME_WAIT;
	return st;
}

/* The next state of s for a packet of flow f in direction dir. */
static __always_inline __u8 sess_next(__u8 st, __u8 *flags, int dir,
				      const struct flow *f)
{
	switch (f->key.proto) {
	case IPPROTO_TCP:
		return tcp_next(st, flags, dir, f->tcp_flags);
	case IPPROTO_UDP:
		return dir == NSRP_DIR_REPLY || st == NSRP_SS_UDP_REPLIED ?
		       NSRP_SS_UDP_REPLIED : NSRP_SS_UDP;
	default:
		return NSRP_SS_ICMP;
	}
}

/* The packet's direction relative to the session's initiator. */
static __always_inline int sess_dir(const struct nsrp_sess *s,
				    const struct flow *f)
{
	int init_is_a = !(s->flags & NSRP_SF_INIT_IS_B);

	return f->src_is_a == init_is_a ? NSRP_DIR_ORIG : NSRP_DIR_REPLY;
}

static __always_inline void sess_event(__u8 kind,
				       const struct nsrp_sess_key *key,
				       const struct nsrp_sess *s, __u64 now)
{
	struct nsrp_event *ev;

	ev = bpf_ringbuf_reserve(&nsrp_events, sizeof(*ev), 0);
	if (!ev) {
		cnt_inc(NSRP_CNT_EV_RB_FULL);
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->ts_ns = now;
	ev->key = *key;
	ev->sess = *s;
	bpf_ringbuf_submit(ev, 0);
	cnt_inc(NSRP_CNT_EV_CREATE + kind - NSRP_EV_CREATE);
}

/* Removes the entry (a copy of it is in s) and says so, once. */
static __always_inline void sess_delete(const struct nsrp_sess_key *key,
					const struct nsrp_sess *s, __u64 now)
{
	if (!bpf_map_delete_elem(&nsrp_sess, key))
		sess_event(NSRP_EV_DELETE, key, s, now);
}

/*
 * The group's role with its deadline applied: a master past it is stale
 * (the agent stopped refreshing it); a leaving master past it, whose
 * hand-over is over, is a backup.
 */
enum role_res { ROLE_MASTER = 0, ROLE_BACKUP, ROLE_STALE, ROLE_LEAVING };

static __always_inline int role_of(__u32 vsd, __u64 now)
{
	struct nsrp_role_state *r = bpf_map_lookup_elem(&nsrp_role, &vsd);

	if (!r)
		return ROLE_BACKUP;
	if (r->role == NSRP_ROLE_LEAVING)
		return now < r->deadline_ns ? ROLE_LEAVING : ROLE_BACKUP;
	if (r->role != NSRP_ROLE_MASTER)
		return ROLE_BACKUP;
	return now < r->deadline_ns ? ROLE_MASTER : ROLE_STALE;
}

/* Frames of the group are taken and forwarded: master, or leaving. */
static __always_inline int role_forwards(int role)
{
	return role == ROLE_MASTER || role == ROLE_LEAVING;
}

/*
 * Looks the flow up; an expired entry is deleted and reported as a miss,
 * except the peer's entry of a group that is not master here, which is
 * returned as it is (the caller must leave it alone).
 */
static __always_inline struct nsrp_sess *sess_lookup(const struct flow *f,
						     __u64 now)
{
	struct nsrp_sess *s = bpf_map_lookup_elem(&nsrp_sess, &f->key);
	struct nsrp_sess copy;

	if (!s || now < s->expires_ns)
		return s;
	if ((s->flags & NSRP_SF_FROM_PEER) &&
	    role_of(s->vsd, now) != ROLE_MASTER)
		return s;
	copy = *s;
	cnt_inc(NSRP_CNT_SESS_EXPIRED);
	sess_delete(&f->key, &copy, now);
	return NULL;
}

#endif
