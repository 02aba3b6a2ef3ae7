/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * consts.h - data plane constants. Each may be overridden at build time
 * (-DNAME=value); the timeouts are also load-time settings (nsrp_cfg), these
 * being the values used when the loader leaves a field at zero.
 */
#ifndef NSRPD_BPF_CONSTS_H
#define NSRPD_BPF_CONSTS_H

#define NSRP_NS_PER_SEC		1000000000ULL

/* TCP opening (SYN or SYN-ACK seen, not yet established), ns: 20 s. */
#ifndef NSRP_DEF_TCP_SYN_NS
#define NSRP_DEF_TCP_SYN_NS	(20 * NSRP_NS_PER_SEC)
#endif

/* TCP established, ns: 1800 s, ScreenOS' 30 minute TCP session timeout. */
#ifndef NSRP_DEF_TCP_EST_NS
#define NSRP_DEF_TCP_EST_NS	(1800 * NSRP_NS_PER_SEC)
#endif

/* TCP closing (FIN seen one or both ways), ns: 10 s. */
#ifndef NSRP_DEF_TCP_FIN_NS
#define NSRP_DEF_TCP_FIN_NS	(10 * NSRP_NS_PER_SEC)
#endif

/* TCP time-wait and after an RST, ns: 2 s. */
#ifndef NSRP_DEF_TCP_TW_NS
#define NSRP_DEF_TCP_TW_NS	(2 * NSRP_NS_PER_SEC)
#endif

/* UDP, either way, ns: 60 s (ScreenOS uses 1 minute). */
#ifndef NSRP_DEF_UDP_NS
#define NSRP_DEF_UDP_NS		(60 * NSRP_NS_PER_SEC)
#endif

/* ICMP and ICMPv6 echo, ns: 60 s (ScreenOS uses 1 minute). */
#ifndef NSRP_DEF_ICMP_NS
#define NSRP_DEF_ICMP_NS	(60 * NSRP_NS_PER_SEC)
#endif

/* Least interval between two REFRESH events of one session, ns: 10 s. */
#ifndef NSRP_DEF_REFRESH_NS
#define NSRP_DEF_REFRESH_NS	(10 * NSRP_NS_PER_SEC)
#endif

/*
 * Longest a next-hop cache slot is used without a new FIB lookup, ns: 1 s.
 * The generation user space bumps is the prompt invalidation; this bounds
 * how long a change it did not see (a neighbour's new MAC) goes unnoticed.
 */
#ifndef NSRP_NH_MAX_AGE_NS
#define NSRP_NH_MAX_AGE_NS	(1 * NSRP_NS_PER_SEC)
#endif

/*
 * The one clock of the data plane: CLOCK_MONOTONIC in ns, the clock the
 * agent writes deadlines with, read coarse: the time of the last timer
 * tick, which lags CLOCK_MONOTONIC by at most one tick (4 ms at HZ=250).
 * Reading the TSC costs 20-40 ns a packet on a virtual machine, more than
 * the rest of the session-hit path; a tick is nothing next to a liveness
 * deadline or a session timeout (the group acts master for at most a
 * tick past its deadline, an entry expires at most a tick late). Read once
 * per packet. A test build may define its own.
 */
#ifndef NSRP_NOW
#define NSRP_NOW()		bpf_ktime_get_coarse_ns()
#endif

#define ETH_P_IP		0x0800
#define ETH_P_ARP		0x0806
#define ETH_P_IPV6		0x86DD
#define ETH_P_8021Q		0x8100
#define ETH_P_8021AD		0x88A8

#define ETH_ALEN		6
#define PACKET_HOST		0	/* skb->pkt_type: for this host */
#define PACKET_OTHERHOST	3	/* skb->pkt_type: for another host */

#define ARPHRD_ETHER		1
#define ARPOP_REQUEST		1
#define ARPOP_REPLY		2

#define IP_MF			0x2000
#define IP_OFFSET		0x1FFF

#define NEXTHDR_FRAGMENT	44
#define IPPROTO_ICMPV6		58

#define ICMP_ECHOREPLY		0
#define ICMP_ECHO		8
#define ICMPV6_ECHO_REQUEST	128
#define ICMPV6_ECHO_REPLY	129
#define NDISC_NEIGHBOUR_SOLICITATION	135
#define NDISC_NEIGHBOUR_ADVERTISEMENT	136
#define ND_OPT_TARGET_LL_ADDR	2

/* NA flags, first byte of the ICMPv6 reserved word. */
#define NA_F_ROUTER		0x80
#define NA_F_SOLICITED		0x40
#define NA_F_OVERRIDE		0x20

#define TC_ACT_OK		0

#define AF_INET			2
#define AF_INET6		10

#endif
