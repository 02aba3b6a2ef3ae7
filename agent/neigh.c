// SPDX-License-Identifier: GPL-2.0-only
/*
 * neigh.c - neighbour entries: their wire record, and rtnetlink to read
 * them on the master and install them on the backup.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "log.h"
#include "neigh.h"
#include "netlink.h"

#define NR_OFF_NAME	0
#define NR_OFF_FAMILY	16
#define NR_OFF_RSVD	17
#define NR_OFF_MAC	18
#define NR_OFF_ADDR	24

_Static_assert(NR_OFF_ADDR + 16 == NEIGH_REC_LEN, "neigh record layout");

/* The states worth syncing: a usable, or re-validatable, lladdr. */
#define NEIGH_SYNC_STATES (NUD_REACHABLE | NUD_STALE | NUD_DELAY | \
			   NUD_PROBE | NUD_PERMANENT)
/* The states in which the kernel holds a lladdr (its NUD_VALID). */
#define NEIGH_VALID_STATES (NEIGH_SYNC_STATES | NUD_NOARP)

static unsigned int addr_len(uint8_t family)
{
	return family == 4 ? 4 : 16;
}

void neigh_rec_put(uint8_t out[NEIGH_REC_LEN], const struct neigh_rec *r)
{
	size_t n = strnlen(r->ifname, sizeof(r->ifname) - 1);

	memset(out, 0, NEIGH_REC_LEN);
	memcpy(out + NR_OFF_NAME, r->ifname, n);
	out[NR_OFF_FAMILY] = r->family;
	memcpy(out + NR_OFF_MAC, r->mac, 6);
	memcpy(out + NR_OFF_ADDR, r->addr, addr_len(r->family));
}

static int all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

int neigh_rec_get(const uint8_t in[NEIGH_REC_LEN], struct neigh_rec *r)
{
	const uint8_t *name = in + NR_OFF_NAME;
	uint8_t family = in[NR_OFF_FAMILY];
	const uint8_t *nul = memchr(name, 0, 16);
	unsigned int alen;

	if (family != 4 && family != 6)
		return -EINVAL;
	/* A name that fills its 16 bytes cannot be an interface name. */
	if (!nul || nul == name || !all_zero(nul, name + 16 - nul))
		return -EINVAL;
	alen = addr_len(family);
	if (in[NR_OFF_RSVD] || !all_zero(in + NR_OFF_ADDR + alen, 16 - alen))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	memcpy(r->ifname, name, nul - name);
	r->family = family;
	memcpy(r->mac, in + NR_OFF_MAC, 6);
	memcpy(r->addr, in + NR_OFF_ADDR, alen);
	return 0;
}

/* ------------------------------------------------------------ rtnetlink */

/* What one RTM_NEWNEIGH message holds, for the fields we care about. */
struct neigh_msg {
	const struct ndmsg *ndm;
	const struct nlattr *dst;
	const struct nlattr *lladdr;
};

static int neigh_attr_cb(const struct nlattr *a, void *data)
{
	struct neigh_msg *m = data;

	switch (mnl_attr_get_type(a)) {
	case NDA_DST:
		m->dst = a;
		break;
	case NDA_LLADDR:
		m->lladdr = a;
		break;
	}
	return MNL_CB_OK;
}

/* Parses an answer; 0 when it is an IPv4/IPv6 entry with an Ethernet lladdr. */
static int neigh_msg_parse(const struct nlmsghdr *nlh, struct neigh_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return -ENOENT;
	m->ndm = mnl_nlmsg_get_payload(nlh);
	if (m->ndm->ndm_family != AF_INET && m->ndm->ndm_family != AF_INET6)
		return -ENOENT;
	mnl_attr_parse(nlh, sizeof(*m->ndm), neigh_attr_cb, m);
	if (!m->dst || !m->lladdr ||
	    mnl_attr_get_payload_len(m->lladdr) != 6 ||
	    mnl_attr_get_payload_len(m->dst) !=
		    (m->ndm->ndm_family == AF_INET ? 4u : 16u))
		return -ENOENT;
	return 0;
}

struct neigh_dump_ctx {
	const char *const *ifnames;
	const unsigned int *ifindex;	/* 0: no such interface */
	unsigned int n_if;
	struct neigh_rec *out;
	unsigned int max, count;
};

static int neigh_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_dump_ctx *d = data;
	struct neigh_rec *r;
	struct neigh_msg m;
	unsigned int i;

	if (neigh_msg_parse(nlh, &m) || !(m.ndm->ndm_state & NEIGH_SYNC_STATES))
		return MNL_CB_OK;
	if (d->count >= d->max)
		return MNL_CB_OK;	/* read on to the end of the dump */
	for (i = 0; i < d->n_if; i++)
		if (d->ifindex[i] && (int)d->ifindex[i] == m.ndm->ndm_ifindex)
			break;
	if (i == d->n_if)
		return MNL_CB_OK;
	r = &d->out[d->count++];
	memset(r, 0, sizeof(*r));
	strncpy(r->ifname, d->ifnames[i], sizeof(r->ifname) - 1);
	r->family = m.ndm->ndm_family == AF_INET ? 4 : 6;
	memcpy(r->mac, mnl_attr_get_payload(m.lladdr), 6);
	memcpy(r->addr, mnl_attr_get_payload(m.dst),
	       mnl_attr_get_payload_len(m.dst));
	return MNL_CB_OK;
}

int neigh_dump(const char *const *ifnames, unsigned int n_if,
	       struct neigh_rec *out, unsigned int max)
{
	unsigned int ifindex[n_if ? n_if : 1];
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct neigh_dump_ctx d = {
		.ifnames = ifnames, .ifindex = ifindex, .n_if = n_if,
		.out = out, .max = max,
	};
	struct ndmsg *ndm;
	unsigned int i, found = 0;
	int err;

	for (i = 0; i < n_if; i++) {
		ifindex[i] = if_nametoindex(ifnames[i]);
		if (!ifindex[i])
			pr_debug("neigh: no interface %s, skipped\n",
				 ifnames[i]);
		found += !!ifindex[i];
	}
	if (!found || !max)
		return 0;
	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_UNSPEC;
	err = nl_request(nlh, neigh_dump_cb, &d);
	return err ? err : (int)d.count;
}

/* Whether the kernel holds an entry with a lladdr, from an RTM_GETNEIGH. */
static int neigh_has_lladdr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_msg m;

	if (!neigh_msg_parse(nlh, &m) && (m.ndm->ndm_state & NEIGH_VALID_STATES))
		*(int *)data = 1;
	return MNL_CB_OK;
}

static struct nlmsghdr *neigh_msg_start(char *buf, int type, int flags,
					const struct neigh_rec *r,
					int ifindex, int state)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = r->family == 4 ? AF_INET : AF_INET6;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = state;
	mnl_attr_put(nlh, NDA_DST, addr_len(r->family), r->addr);
	return nlh;
}

int neigh_install(const struct neigh_rec *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ifindex, has = 0, err;

	if (r->family != 4 && r->family != 6)
		return -EINVAL;
	ifindex = if_nametoindex(r->ifname);
	if (!ifindex)
		return -ENODEV;

	/*
	 * Ask first: a plain replace would overwrite a PERMANENT entry or a
	 * fresher lladdr the kernel resolved itself. The window between the
	 * two requests is harmless: what the kernel learns in it, it keeps
	 * re-validating.
	 */
	/* The ack marks the end: the answer alone would not. */
	nlh = neigh_msg_start(buf, RTM_GETNEIGH, NLM_F_ACK, r, ifindex, 0);
	err = nl_request(nlh, neigh_has_lladdr_cb, &has);
	if (err && err != -ENOENT)
		return err;
	if (has)
		return 0;

	nlh = neigh_msg_start(buf, RTM_NEWNEIGH,
			      NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK, r,
			      ifindex, NUD_STALE);
	mnl_attr_put(nlh, NDA_LLADDR, 6, r->mac);
	return nl_request(nlh, NULL, NULL);
}
