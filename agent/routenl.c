// SPDX-License-Identifier: GPL-2.0-only
/*
 * routenl.c - routes through rtnetlink for route sync (see routenl.h).
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "netlink.h"
#include "routenl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

#define ROUTENL_RCVBUF		(4 << 20)	/* a burst of a routing daemon */
#define ROUTENL_READS		16	/* buffers read in one call, most */

static unsigned int addr_len(uint8_t family)
{
	return family == 4 ? 4 : 16;
}

/* ---------------------------------------------------------- parsing */

struct rt_attrs {
	const struct nlattr *tb[RTA_MAX + 1];
};

static int rt_attr_cb(const struct nlattr *a, void *data)
{
	struct rt_attrs *at = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type <= RTA_MAX)
		at->tb[type] = a;
	return MNL_CB_OK;
}

/* An address attribute of exactly the family's length into out. */
static int attr_addr(const struct nlattr *a, uint8_t family, uint8_t *out)
{
	if (mnl_attr_get_payload_len(a) != addr_len(family))
		return -EINVAL;
	memcpy(out, mnl_attr_get_payload(a), addr_len(family));
	return 0;
}

/* RTA_VIA: a gateway of another family (an IPv4 route via IPv6). */
static int attr_via(const struct nlattr *a, struct route_nh *nh)
{
	const struct rtvia *v = mnl_attr_get_payload(a);
	size_t len = mnl_attr_get_payload_len(a);

	if (len < sizeof(v->rtvia_family))
		return -EINVAL;
	len -= sizeof(v->rtvia_family);
	if (v->rtvia_family == AF_INET && len == 4)
		nh->gw_family = 4;
	else if (v->rtvia_family == AF_INET6 && len == 16)
		nh->gw_family = 6;
	else
		return -EOPNOTSUPP;
	memcpy(nh->gw, v->rtvia_addr, len);
	return 0;
}

struct nh_src {
	int ifindex;
	uint8_t flags;		/* RTNH_F_* */
	uint8_t hops;
	const struct nlattr *gw, *via, *encap;
};

static int nh_fill(struct route_nh *nh, uint8_t family, const struct nh_src *s,
		   routenl_name_fn name, void *arg)
{
	memset(nh, 0, sizeof(*nh));
	if (s->encap)
		return -EOPNOTSUPP;
	/* Every unicast next hop has a device, in the kernel's own words. */
	if (s->ifindex <= 0 || name(arg, s->ifindex, nh->ifname))
		return -EOPNOTSUPP;
	if (s->gw) {
		nh->gw_family = family;
		if (attr_addr(s->gw, family, nh->gw))
			return -EINVAL;
	} else if (s->via) {
		int err = attr_via(s->via, nh);

		if (err)
			return err;
	}
	if (s->flags & RTNH_F_ONLINK)
		nh->flags |= ROUTE_NH_F_ONLINK;
	nh->hops = s->hops;
	return 0;
}

static int parse_multipath(const struct nlattr *mp, struct route *r,
			   routenl_name_fn name, void *arg, bool *truncated)
{
	const struct rtnexthop *rtnh = mnl_attr_get_payload(mp);
	int len = mnl_attr_get_payload_len(mp);

	for (; RTNH_OK(rtnh, len); len -= RTNH_ALIGN(rtnh->rtnh_len),
				   rtnh = RTNH_NEXT(rtnh)) {
		struct rt_attrs at = { 0 };
		struct nh_src s = { .ifindex = rtnh->rtnh_ifindex,
				    .flags = rtnh->rtnh_flags,
				    .hops = rtnh->rtnh_hops };
		int err;

		if (r->n_nh == ROUTE_NH_MAX) {
			*truncated = true;
			break;
		}
		if (rtnh->rtnh_len > RTNH_LENGTH(0) &&
		    mnl_attr_parse_payload(RTNH_DATA(rtnh),
					   rtnh->rtnh_len - RTNH_LENGTH(0),
					   rt_attr_cb, &at) < 0)
			return -EINVAL;
		s.gw = at.tb[RTA_GATEWAY];
		s.via = at.tb[RTA_VIA];
		s.encap = at.tb[RTA_ENCAP];
		err = nh_fill(&r->nh[r->n_nh], r->k.family, &s, name, arg);
		if (err)
			return err;
		r->n_nh++;
	}
	return r->n_nh ? 0 : -EINVAL;
}

static int parse_key(const struct rtmsg *rtm, const struct rt_attrs *at,
		     struct route *r)
{
	uint8_t family = rtm->rtm_family == AF_INET ? 4 : 6;

	if (rtm->rtm_dst_len > (family == 4 ? 32 : 128))
		return -EINVAL;
	r->k.family = family;
	r->k.dst_len = rtm->rtm_dst_len;
	r->k.tos = rtm->rtm_tos;
	r->k.table = at->tb[RTA_TABLE] ? mnl_attr_get_u32(at->tb[RTA_TABLE]) :
					 rtm->rtm_table;
	r->k.metric = at->tb[RTA_PRIORITY] ?
			      mnl_attr_get_u32(at->tb[RTA_PRIORITY]) : 0;
	if (at->tb[RTA_DST] && attr_addr(at->tb[RTA_DST], family, r->k.dst))
		return -EINVAL;
	r->type = rtm->rtm_type;
	r->protocol = rtm->rtm_protocol;
	return 0;
}

int routenl_parse(const struct nlmsghdr *nlh, struct route *r,
		  routenl_name_fn name, void *arg, bool *truncated)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct rt_attrs at = { 0 };
	struct nh_src s = { 0 };
	int err;

	*truncated = false;
	memset(r, 0, sizeof(*r));
	if ((nlh->nlmsg_type != RTM_NEWROUTE &&
	     nlh->nlmsg_type != RTM_DELROUTE) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -ENOENT;
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    rtm->rtm_flags & RTM_F_CLONED || !route_type_synced(rtm->rtm_type))
		return -ENOENT;
	if (mnl_attr_parse(nlh, sizeof(*rtm), rt_attr_cb, &at) < 0)
		return -EINVAL;
	err = parse_key(rtm, &at, r);
	if (err)
		return err;
	if (r->k.table != ROUTE_TABLE_MAIN)
		return -ENOENT;
	if (rtm->rtm_src_len || at.tb[RTA_ENCAP])
		return -EOPNOTSUPP;
	/* The others go nowhere, whatever device the kernel names. */
	if (r->type != RTN_UNICAST)
		return 0;
	if (at.tb[RTA_MULTIPATH])
		return parse_multipath(at.tb[RTA_MULTIPATH], r, name, arg,
				       truncated);
	if (!at.tb[RTA_OIF])
		return -EOPNOTSUPP;	/* a nexthop object's id alone */
	s.ifindex = mnl_attr_get_u32(at.tb[RTA_OIF]);
	s.flags = rtm->rtm_flags;
	s.gw = at.tb[RTA_GATEWAY];
	s.via = at.tb[RTA_VIA];
	err = nh_fill(&r->nh[0], r->k.family, &s, name, arg);
	if (!err)
		r->n_nh = 1;
	return err;
}

/* ---------------------------------------------------------- sockets */

static void sock_close(struct mnl_socket **nl)
{
	if (*nl)
		mnl_socket_close(*nl);
	*nl = NULL;
}

static struct mnl_socket *sock_open(unsigned int groups, bool nonblock)
{
	int flags = SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0);
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, flags);
	struct timeval tv = { .tv_sec = NL_RCV_TIMEOUT_S };
	int err;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0 ||
	    (!nonblock && setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET,
				     SO_RCVTIMEO, &tv, sizeof(tv)))) {
		err = errno;
		mnl_socket_close(nl);
		errno = err;
		return NULL;
	}
	return nl;
}

int routenl_open(struct routenl *nl)
{
	int buf = ROUTENL_RCVBUF, err;

	memset(nl, 0, sizeof(*nl));
	nl->watch = sock_open(RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE, true);
	nl->dump = sock_open(0, true);
	nl->cmd = sock_open(0, false);
	if (!nl->watch || !nl->dump || !nl->cmd) {
		err = -errno;
		routenl_close(nl);
		return err;
	}
	/* Room for a routing daemon's burst; an overrun costs a dump. */
	if (setsockopt(mnl_socket_get_fd(nl->watch), SOL_SOCKET,
		       SO_RCVBUFFORCE, &buf, sizeof(buf)))
		setsockopt(mnl_socket_get_fd(nl->watch), SOL_SOCKET,
			   SO_RCVBUF, &buf, sizeof(buf));
	nl->cmd_seq = nl->dump_seq = time(NULL);
	return 0;
}

void routenl_close(struct routenl *nl)
{
	sock_close(&nl->watch);
	sock_close(&nl->dump);
	sock_close(&nl->cmd);
	nl->dumping = false;
}

int routenl_watch_fd(const struct routenl *nl)
{
	return nl->watch ? mnl_socket_get_fd(nl->watch) : -1;
}

int routenl_dump_fd(const struct routenl *nl)
{
	return nl->dump ? mnl_socket_get_fd(nl->dump) : -1;
}

/* ----------------------------------------------------------- events */

/* Does an event concern the routes route sync follows? */
static bool event_relevant(const struct nlmsghdr *nlh)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	if ((nlh->nlmsg_type != RTM_NEWROUTE &&
	     nlh->nlmsg_type != RTM_DELROUTE) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return false;
	/* Tables above 255 say RT_TABLE_COMPAT here: look at them too. */
	return (rtm->rtm_table == ROUTE_TABLE_MAIN ||
		rtm->rtm_table == RT_TABLE_COMPAT) &&
	       rtm->rtm_protocol != ROUTE_PROTO_NSRPD &&
	       !(rtm->rtm_flags & RTM_F_CLONED);
}

int routenl_watch_read(struct routenl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int relevant = 0;

	for (int i = 0; nl->watch && i < ROUTENL_READS * 4; i++) {
		ssize_t n = mnl_socket_recvfrom(nl->watch, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (const void *)buf;
		int left = n;

		if (n < 0 && errno == ENOBUFS) {
			nl->overruns++;
			relevant++;
			continue;
		}
		if (n <= 0)
			break;
		for (; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			nl->events++;
			relevant += event_relevant(nlh);
		}
	}
	return relevant;
}

/* ------------------------------------------------------------- dump */

/* A device's name, remembered for the rest of the dump. */
static int dump_name(void *arg, int ifindex, char name[IF_NAMESIZE])
{
	struct routenl *nl = arg;
	unsigned int i;

	for (i = 0; i < nl->n_names; i++)
		if (nl->names[i].ifindex == ifindex) {
			memcpy(name, nl->names[i].name, IF_NAMESIZE);
			return 0;
		}
	if (!if_indextoname(ifindex, name))
		return -ENODEV;
	i = nl->n_names < ROUTENL_NAMES ? nl->n_names++ :
					  (unsigned int)ifindex % ROUTENL_NAMES;
	nl->names[i].ifindex = ifindex;
	memcpy(nl->names[i].name, name, IF_NAMESIZE);
	return 0;
}

static struct nlmsghdr *dump_request(char *buf, unsigned int seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_UNSPEC;
	return nlh;
}

int routenl_dump_start(struct routenl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (!nl->dump)
		return -ENOTCONN;
	/* What an abandoned dump left unread has another number. */
	nlh = dump_request(buf, ++nl->dump_seq);
	if (mnl_socket_sendto(nl->dump, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	nl->dumping = true;
	nl->n_names = 0;
	nl->dumps++;
	return 0;
}

struct dump_state {
	struct routenl *nl;
	routenl_route_fn fn;
	void *arg;
	bool done, interrupted;
	int err;
};

static void dump_msg(struct dump_state *d, const struct nlmsghdr *nlh)
{
	struct route r;
	bool truncated;
	int err;

	if (nlh->nlmsg_type == NLMSG_DONE) {
		d->done = true;
		return;
	}
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		d->done = true;
		d->err = e->error ? e->error : -EIO;
		return;
	}
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->interrupted = true;
	err = routenl_parse(nlh, &r, dump_name, d->nl, &truncated);
	if (err == -EOPNOTSUPP)
		d->nl->unsupported++;
	if (err)
		return;
	d->nl->truncated += truncated;
	d->fn(d->arg, &r);
}

int routenl_dump_read(struct routenl *nl, routenl_route_fn fn, void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dump_state d = { .nl = nl, .fn = fn, .arg = arg };
	unsigned int portid;

	/* What an abandoned dump left: read and dropped, or the socket
	 * would stay readable. */
	if (!nl->dumping) {
		for (int i = 0; i < ROUTENL_READS; i++)
			if (mnl_socket_recvfrom(nl->dump, buf, sizeof(buf)) <= 0)
				break;
		return 0;
	}
	portid = mnl_socket_get_portid(nl->dump);
	for (int i = 0; i < ROUTENL_READS && !d.done; i++) {
		ssize_t n = mnl_socket_recvfrom(nl->dump, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (const void *)buf;
		int left = n;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n < 0) {
			d.err = -errno;
			break;
		}
		for (; mnl_nlmsg_ok(nlh, left) && !d.done;
		     nlh = mnl_nlmsg_next(nlh, &left))
			if (nlh->nlmsg_seq == nl->dump_seq &&
			    nlh->nlmsg_pid == portid)
				dump_msg(&d, nlh);
	}
	if (!d.done && !d.err)
		return 0;
	nl->dumping = false;
	if (d.err)
		return d.err;
	return d.interrupted ? -EINTR : 1;
}

/* --------------------------------------------------- install, remove */

/* One request on the command socket, until its acknowledgement. */
static int cmd_request(struct routenl *nl, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl->cmd);
	int ret;

	nlh->nlmsg_seq = ++nl->cmd_seq;
	if (mnl_socket_sendto(nl->cmd, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(nl->cmd, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(buf, ret, nl->cmd_seq, portid, NULL, NULL);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

static struct nlmsghdr *route_msg(char *buf, int type, int flags,
				  const struct route *r)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = r->k.family == 4 ? AF_INET : AF_INET6;
	rtm->rtm_dst_len = r->k.dst_len;
	rtm->rtm_tos = r->k.tos;
	rtm->rtm_table = r->k.table < 256 ? r->k.table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = r->protocol;
	rtm->rtm_type = r->type;
	mnl_attr_put_u32(nlh, RTA_TABLE, r->k.table);
	if (r->k.dst_len)
		mnl_attr_put(nlh, RTA_DST, addr_len(r->k.family), r->k.dst);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, r->k.metric);
	return nlh;
}

static void put_gateway(struct nlmsghdr *nlh, uint8_t family,
			const struct route_nh *nh)
{
	struct {
		__kernel_sa_family_t family;
		uint8_t addr[16];
	} __attribute__((packed)) via;
	unsigned int len = addr_len(nh->gw_family);

	if (!nh->gw_family)
		return;
	if (nh->gw_family == family) {
		mnl_attr_put(nlh, RTA_GATEWAY, len, nh->gw);
		return;
	}
	via.family = nh->gw_family == 4 ? AF_INET : AF_INET6;
	memcpy(via.addr, nh->gw, len);
	mnl_attr_put(nlh, RTA_VIA, sizeof(via.family) + len, &via);
}

static int nh_ifindex(const struct route_nh *nh)
{
	int i = if_nametoindex(nh->ifname);

	return i ? i : -ENODEV;
}

static int put_multipath(struct nlmsghdr *nlh, const struct route *r)
{
	struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);

	for (unsigned int i = 0; i < r->n_nh; i++) {
		const struct route_nh *nh = &r->nh[i];
		struct rtnexthop *rtnh = mnl_nlmsg_get_payload_tail(nlh);
		int ifindex = nh_ifindex(nh);

		if (ifindex < 0)
			return ifindex;
		nlh->nlmsg_len += RTNH_ALIGN(sizeof(*rtnh));
		memset(rtnh, 0, sizeof(*rtnh));
		rtnh->rtnh_ifindex = ifindex;
		rtnh->rtnh_hops = nh->hops;
		if (nh->flags & ROUTE_NH_F_ONLINK)
			rtnh->rtnh_flags |= RTNH_F_ONLINK;
		put_gateway(nlh, r->k.family, nh);
		rtnh->rtnh_len = (char *)mnl_nlmsg_get_payload_tail(nlh) -
				 (char *)rtnh;
	}
	mnl_attr_nest_end(nlh, mp);
	return 0;
}

int routenl_install(struct routenl *nl, const struct route *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int ifindex;

	if (!nl->cmd)
		return -ENOTCONN;
	nlh = route_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	if (r->type != RTN_UNICAST)
		return cmd_request(nl, nlh);
	if (r->n_nh > 1) {
		int err = put_multipath(nlh, r);

		return err ? err : cmd_request(nl, nlh);
	}
	if (!r->n_nh)
		return -EINVAL;
	ifindex = nh_ifindex(&r->nh[0]);
	if (ifindex < 0)
		return ifindex;
	/* A device route reaches its link only. */
	if (!r->nh[0].gw_family)
		rtm->rtm_scope = RT_SCOPE_LINK;
	if (r->nh[0].flags & ROUTE_NH_F_ONLINK)
		rtm->rtm_flags |= RTNH_F_ONLINK;
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	put_gateway(nlh, r->k.family, &r->nh[0]);
	return cmd_request(nl, nlh);
}

int routenl_remove(struct routenl *nl, const struct route *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int err;

	if (!nl->cmd)
		return -ENOTCONN;
	/* The key and the protocol: never another protocol's route. */
	nlh = route_msg(buf, RTM_DELROUTE, 0, r);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_scope = RT_SCOPE_NOWHERE;
	err = cmd_request(nl, nlh);
	return err == -ESRCH || err == -ENOENT ? 0 : err;
}

/* --------------------------------------------------------- dump_all */

static int plain_name(void *arg, int ifindex, char name[IF_NAMESIZE])
{
	(void)arg;
	return if_indextoname(ifindex, name) ? 0 : -ENODEV;
}

struct dump_all {
	routenl_route_fn fn;
	void *arg;
};

static int dump_all_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_all *d = data;
	struct route r;
	bool truncated;

	if (!routenl_parse(nlh, &r, plain_name, NULL, &truncated))
		d->fn(d->arg, &r);
	return MNL_CB_OK;
}

int routenl_dump_all(routenl_route_fn fn, void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dump_all d = { .fn = fn, .arg = arg };

	return nl_request(dump_request(buf, 0), dump_all_cb, &d);
}
