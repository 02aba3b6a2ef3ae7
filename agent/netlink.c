// SPDX-License-Identifier: GPL-2.0-only
/*
 * netlink.c - the few rtnetlink and interface queries the agent makes.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "netlink.h"

int link_info_get(const char *ifname, struct link_info *li)
{
	struct ifreq ifr = { 0 };
	int fd, err = 0;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENAMETOOLONG;
	strcpy(ifr.ifr_name, ifname);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(li, 0, sizeof(*li));
	if (ioctl(fd, SIOCGIFINDEX, &ifr)) {
		err = -errno;
		goto out;
	}
	li->ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		err = -errno;
		goto out;
	}
	memcpy(li->mac, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(fd, SIOCGIFMTU, &ifr)) {
		err = -errno;
		goto out;
	}
	li->mtu = ifr.ifr_mtu;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		err = -errno;
		goto out;
	}
	li->up = ifr.ifr_flags & IFF_UP;
	li->running = ifr.ifr_flags & IFF_RUNNING;
out:
	close(fd);
	return err;
}

/*
 * Sends one request and runs cb (may be NULL) on every answer until the
 * kernel says it is done: the dump's end, or the acknowledgement, which
 * a request for a single object must ask for (NLM_F_ACK) since its one
 * answer carries no end mark. The event loop calls this, so no receive
 * waits longer than NL_RCV_TIMEOUT_S. Returns 0 or -errno.
 */
int nl_request(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	struct timeval tv = { .tv_sec = NL_RCV_TIMEOUT_S };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned int portid, seq = time(NULL);
	int ret, err = 0;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
		       sizeof(tv))) {
		err = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0) {
			err = -errno;
			goto out;
		}
		ret = mnl_cb_run(buf, ret, seq, portid, cb, data);
	} while (ret > MNL_CB_STOP);
	if (ret < 0)
		err = -errno;
out:
	mnl_socket_close(nl);
	return err;
}

static int nl_addr(int type, int flags, int ifindex, int family,
		   const void *addr, int prefixlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	int len = family == 6 ? 16 : 4;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = family == 6 ? AF_INET6 : AF_INET;
	ifa->ifa_prefixlen = prefixlen;
	ifa->ifa_index = ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	/* The VSI address must be usable at once on the new master. */
	ifa->ifa_flags = family == 6 ? IFA_F_NODAD : 0;
	mnl_attr_put(nlh, IFA_LOCAL, len, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, len, addr);
	return nl_request(nlh, NULL, NULL);
}

int nl_addr_add(int ifindex, int family, const void *addr, int prefixlen)
{
	int err = nl_addr(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, ifindex,
			  family, addr, prefixlen);

	return err == -EEXIST ? 0 : err;
}

int nl_addr_del(int ifindex, int family, const void *addr, int prefixlen)
{
	int err = nl_addr(RTM_DELADDR, 0, ifindex, family, addr, prefixlen);

	return err == -EADDRNOTAVAIL || err == -ENOENT ? 0 : err;
}

struct nl_qdisc_find {
	int ifindex;
	const char *kind;
	bool found;
};

static int nl_qdisc_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_qdisc_find *q = data;
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (tcm->tcm_ifindex != q->ifindex)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*tcm))
		if (mnl_attr_get_type(a) == TCA_KIND &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING) &&
		    !strcmp(mnl_attr_get_str(a), q->kind))
			q->found = true;
	return MNL_CB_OK;
}

int nl_has_qdisc(int ifindex, const char *kind)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nl_qdisc_find q = { .ifindex = ifindex, .kind = kind };
	struct tcmsg *tcm;
	int err;

	nlh->nlmsg_type = RTM_GETQDISC;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	err = nl_request(nlh, nl_qdisc_cb, &q);
	return err ? err : q.found;
}
