// SPDX-License-Identifier: GPL-2.0-only
/*
 * ctcommit.c - sessions into the kernel's conntrack table, by ctnetlink.
 *
 * On takeover the new master already carries its synced sessions in XDP,
 * but a packet XDP hands to the kernel meets the host's stateful policy,
 * which drops what it sees as mid-stream. Committing the sessions into
 * conntrack first is what conntrackd does for a Linux firewall taking over.
 *
 * Why ctnetlink rather than the conntrack kfuncs of this kernel
 * (bpf_xdp_ct_alloc + bpf_ct_insert_entry): a kfunc inserts one entry per
 * program run, so committing a table means one BPF_PROG_RUN per session,
 * and it cannot set the TCP tracker's state or window flags. ctnetlink
 * takes hundreds of entries per sendmsg() straight from user space and sets
 * every field the TCP tracker reads. The cost is a slower path per entry,
 * which is paid at a role change, never per packet.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <libmnl/libmnl.h>

#include "ctcommit.h"
#include "log.h"

#define CT_MSG_MAX	512		/* bytes, bound of one request */
#define CT_BATCH_BYTES	(64 * 1024)	/* bytes per sendmsg() */
#define CT_RCVBUF	(4 << 20)	/* bytes: room for a batch's refusals */
#define CT_RCV_TIMEOUT_S 2		/* the kernel answers in sendmsg() */

#define ICMP_ECHO_REQ	8
#define ICMP_ECHO_REP	0
#define ICMP6_ECHO_REQ	128
#define ICMP6_ECHO_REP	129

struct ct_committer {
	struct mnl_socket *nl;
	unsigned int seq;
	char buf[CT_BATCH_BYTES];
	char rbuf[8192];			/* answers are 36 bytes each */
};

/* One direction of a session, as conntrack's tuple sees it. */
struct ct_dir {
	const __be32 *src, *dst;
	__be16 sport, dport;
};

int ct_open(struct ct_committer **cp)
{
	struct timeval tv = { .tv_sec = CT_RCV_TIMEOUT_S };
	struct ct_committer *c;
	int on = 1, rcvbuf = CT_RCVBUF, fd, err;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!c->nl) {
		err = -errno;
		goto fail;
	}
	if (mnl_socket_bind(c->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto fail;
	}
	fd = mnl_socket_get_fd(c->nl);
	/* Refusals carry only the error, not a copy of the request. */
	mnl_socket_setsockopt(c->nl, NETLINK_CAP_ACK, &on, sizeof(on));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		err = -errno;
		goto fail;
	}
	c->seq = time(NULL);
	*cp = c;
	return 0;
fail:
	ct_close(c);
	return err;
}

void ct_close(struct ct_committer *c)
{
	if (!c)
		return;
	if (c->nl)
		mnl_socket_close(c->nl);
	free(c);
}

static int tcp_state_of(uint8_t state)
{
	switch (state) {
	case NSRP_SS_SYN_SENT:		return TCP_CONNTRACK_SYN_SENT;
	case NSRP_SS_SYN_RECV:		return TCP_CONNTRACK_SYN_RECV;
	case NSRP_SS_ESTABLISHED:	return TCP_CONNTRACK_ESTABLISHED;
	case NSRP_SS_FIN_WAIT:		return TCP_CONNTRACK_FIN_WAIT;
	/* Both FINs seen: the kernel waits for the last ACK. */
	case NSRP_SS_CLOSING:		return TCP_CONNTRACK_LAST_ACK;
	case NSRP_SS_TIME_WAIT:		return TCP_CONNTRACK_TIME_WAIT;
	case NSRP_SS_CLOSED:		return TCP_CONNTRACK_CLOSE;
	default:			return -EINVAL;
	}
}

/* Whether the responder has answered, as conntrack's SEEN_REPLY means. */
static bool sess_seen_reply(const struct nsrp_sess_key *k,
			    const struct nsrp_sess *s)
{
	if (k->proto == IPPROTO_TCP)
		return s->state != NSRP_SS_SYN_SENT;
	return s->state == NSRP_SS_UDP_REPLIED || s->pkts[NSRP_DIR_REPLY];
}

/*
 * The status bits the kernel would have set by now. CONFIRMED always: the
 * entry goes straight into the table, and ctnetlink refuses (-EBUSY) a
 * status that would clear the bit it has already set on a new entry.
 */
static uint32_t sess_status(const struct nsrp_sess_key *k,
			    const struct nsrp_sess *s)
{
	uint32_t st = IPS_CONFIRMED;

	if (!sess_seen_reply(k, s))
		return st;
	st |= IPS_SEEN_REPLY;
	/* The kernel assures TCP once established, UDP once it streams. */
	if ((k->proto == IPPROTO_TCP && s->state >= NSRP_SS_ESTABLISHED) ||
	    k->proto == IPPROTO_UDP)
		st |= IPS_ASSURED;
	return st;
}

static int check_sess(const struct nsrp_sess_key *k, const struct nsrp_sess *s)
{
	switch (k->proto) {
	case IPPROTO_TCP:
		return tcp_state_of(s->state) < 0 ? -EINVAL : 0;
	case IPPROTO_UDP:
		return 0;
	case IPPROTO_ICMP:
		return k->family == NSRP_AF_INET ? 0 : -EINVAL;
	case IPPROTO_ICMPV6:
		return k->family == NSRP_AF_INET6 ? 0 : -EINVAL;
	default:
		return -EPROTONOSUPPORT;
	}
}

static void put_tuple_proto(struct nlmsghdr *nlh, uint8_t proto,
			    const struct ct_dir *d, bool reply)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);

	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	switch (proto) {
	case IPPROTO_ICMP:
		/* Echo: both ports of the session key hold the identifier. */
		mnl_attr_put_u16(nlh, CTA_PROTO_ICMP_ID, d->sport);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_TYPE,
				reply ? ICMP_ECHO_REP : ICMP_ECHO_REQ);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_CODE, 0);
		break;
	case IPPROTO_ICMPV6:
		mnl_attr_put_u16(nlh, CTA_PROTO_ICMPV6_ID, d->sport);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMPV6_TYPE,
				reply ? ICMP6_ECHO_REP : ICMP6_ECHO_REQ);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMPV6_CODE, 0);
		break;
	default:
		mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, d->sport);
		mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, d->dport);
		break;
	}
	mnl_attr_nest_end(nlh, nest);
}

static void put_tuple(struct nlmsghdr *nlh, int type,
		      const struct nsrp_sess_key *k, const struct ct_dir *d,
		      bool reply)
{
	struct nlattr *tuple = mnl_attr_nest_start(nlh, type);
	struct nlattr *ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);

	if (k->family == NSRP_AF_INET) {
		mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, d->src[0]);
		mnl_attr_put_u32(nlh, CTA_IP_V4_DST, d->dst[0]);
	} else {
		mnl_attr_put(nlh, CTA_IP_V6_SRC, 16, d->src);
		mnl_attr_put(nlh, CTA_IP_V6_DST, 16, d->dst);
	}
	mnl_attr_nest_end(nlh, ip);
	put_tuple_proto(nlh, k->proto, d, reply);
	mnl_attr_nest_end(nlh, tuple);
}

/*
 * TCP state, and window tracking left liberal both ways: the window
 * history of the flow is not synced, so the tracker must take the next
 * segments as they come, as conntrackd's entries do without window sync.
 */
static void put_tcp_info(struct nlmsghdr *nlh, const struct nsrp_sess *s)
{
	struct nf_ct_tcp_flags liberal = {
		.flags = IP_CT_TCP_FLAG_BE_LIBERAL,
		.mask = IP_CT_TCP_FLAG_BE_LIBERAL,
	};
	struct nlattr *info = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	struct nlattr *tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);

	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, tcp_state_of(s->state));
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, sizeof(liberal),
		     &liberal);
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_FLAGS_REPLY, sizeof(liberal),
		     &liberal);
	mnl_attr_nest_end(nlh, tcp);
	mnl_attr_nest_end(nlh, info);
}

/*
 * Builds the IPCTNL_MSG_CT_NEW request of one session at buf, which has
 * CT_MSG_MAX bytes. Without NLM_F_EXCL, ctnetlink updates an entry that
 * exists (timeout, status, TCP state) and creates one that does not.
 * Returns the message length or -errno.
 */
static int ct_msg_put(void *buf, unsigned int seq,
		      const struct nsrp_sess_key *k, const struct nsrp_sess *s,
		      uint32_t timeout_s, uint16_t flags)
{
	bool b_first = s->flags & NSRP_SF_INIT_IS_B;
	struct ct_dir orig, reply;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	int err;

	if (k->family != NSRP_AF_INET && k->family != NSRP_AF_INET6)
		return -EAFNOSUPPORT;
	if (!timeout_s)
		return -EINVAL;
	err = check_sess(k, s);
	if (err)
		return err;
	orig = (struct ct_dir){
		.src = b_first ? k->addr_b : k->addr_a,
		.dst = b_first ? k->addr_a : k->addr_b,
		.sport = b_first ? k->port_b : k->port_a,
		.dport = b_first ? k->port_a : k->port_b,
	};
	reply = (struct ct_dir){
		.src = orig.dst, .dst = orig.src,
		.sport = orig.dport, .dport = orig.sport,
	};

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | flags;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = k->family == NSRP_AF_INET ? AF_INET : AF_INET6;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;

	put_tuple(nlh, CTA_TUPLE_ORIG, k, &orig, false);
	put_tuple(nlh, CTA_TUPLE_REPLY, k, &reply, true);
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(timeout_s));
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(sess_status(k, s)));
	if (k->proto == IPPROTO_TCP)
		put_tcp_info(nlh, s);
	return nlh->nlmsg_len;
}

/*
 * ctnetlink refuses to clear SEEN_REPLY or ASSURED on an entry that has
 * them (-EBUSY): the kernel's entry is then ahead of the synced state,
 * and its timeout has been refreshed before the refusal. That is a commit.
 */
static int ct_answer_err(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return -EBADMSG;
	return e->error == -EBUSY ? 0 : e->error;
}

/*
 * Reads the answers to requests first..last, of which only the last asked
 * for an acknowledgement: the kernel answers in order, so that one comes
 * after every refusal. Counts refusals in *refused; the last one's error
 * goes to *last_err. Returns 0, or -errno when the answers were lost.
 */
static int ct_collect(struct ct_committer *c, unsigned int first,
		      unsigned int last, unsigned int *refused, int *last_err)
{
	unsigned int span = last - first;

	for (;;) {
		const struct nlmsghdr *nlh;
		int len, err;

		len = mnl_socket_recvfrom(c->nl, c->rbuf, sizeof(c->rbuf));
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (nlh = (const void *)c->rbuf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    nlh->nlmsg_seq - first > span)
				continue;	/* not ours, or a late answer */
			err = ct_answer_err(nlh);
			if (err) {
				(*refused)++;
				pr_debug("conntrack: request %u refused: %s\n",
					 nlh->nlmsg_seq, strerror(-err));
			}
			if (nlh->nlmsg_seq == last) {
				if (last_err)
					*last_err = err;
				return 0;
			}
		}
	}
}

int ct_commit(struct ct_committer *c, const struct nsrp_sess_key *k,
	      const struct nsrp_sess *s, uint32_t timeout_s)
{
	unsigned int refused = 0, seq = ++c->seq;
	int len, err, last_err = 0;

	len = ct_msg_put(c->buf, seq, k, s, timeout_s, NLM_F_ACK);
	if (len < 0)
		return len;
	if (mnl_socket_sendto(c->nl, c->buf, len) < 0)
		return -errno;
	err = ct_collect(c, seq, seq, &refused, &last_err);
	return err ? err : last_err;
}

/* Sends the requests packed in c->buf, first..last; returns the refused. */
static unsigned int ct_send_batch(struct ct_committer *c, size_t bytes,
				  unsigned int first, unsigned int last)
{
	unsigned int refused = 0, count = last - first + 1;
	int err;

	if (mnl_socket_sendto(c->nl, c->buf, bytes) < 0) {
		pr_warn("conntrack: batch of %u not sent: %s\n", count,
			strerror(errno));
		return count;
	}
	err = ct_collect(c, first, last, &refused, NULL);
	if (err) {
		/* Answers lost: which entries landed is unknown. */
		pr_warn("conntrack: answers to a batch of %u lost: %s\n",
			count, strerror(-err));
		return count;
	}
	return refused;
}

int ct_commit_many(struct ct_committer *c, const struct nsrp_sess_key *k,
		   const struct nsrp_sess *s, unsigned int n,
		   uint32_t timeout_s, unsigned int *failed)
{
	unsigned int i = 0, done = 0, bad = 0;

	while (i < n) {
		struct nlmsghdr *last = NULL;
		unsigned int first = c->seq + 1, count = 0, refused;
		size_t off = 0;

		for (; i < n && off + CT_MSG_MAX <= sizeof(c->buf); i++) {
			int len = ct_msg_put(c->buf + off, c->seq + 1, &k[i],
					     &s[i], timeout_s, 0);

			if (len < 0) {
				bad++;
				continue;
			}
			c->seq++;
			last = (struct nlmsghdr *)(c->buf + off);
			off += len;
			count++;
		}
		if (!count)
			continue;
		last->nlmsg_flags |= NLM_F_ACK;
		refused = ct_send_batch(c, off, first, c->seq);
		done += count - refused;
		bad += refused;
	}
	if (failed)
		*failed = bad;
	return done;
}
