// SPDX-License-Identifier: GPL-2.0-only
/*
 * linkwatch.c - interface state from rtnetlink's link events (see
 * linkwatch.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "linkwatch.h"
#include "log.h"
#include "netlink.h"

/* The carrier: linux/if.h's, which does not mix with net/if.h. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000
#endif

int linkwatch_open(struct linkwatch *w, lw_changed_fn changed, void *arg)
{

	memset(w, 0, sizeof(*w));
	w->changed = changed;
	w->arg = arg;
	w->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!w->nl)
		return -errno;
	/* A lost event is reported (ENOBUFS): linkwatch_read() resyncs. */
	if (mnl_socket_bind(w->nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		linkwatch_close(w);
		return err;
	}
	return 0;
}

void linkwatch_close(struct linkwatch *w)
{
	if (w->nl)
		mnl_socket_close(w->nl);
	w->nl = NULL;
}

int linkwatch_fd(const struct linkwatch *w)
{
	return w->nl ? mnl_socket_get_fd(w->nl) : -1;
}

int linkwatch_add(struct linkwatch *w, const char *ifname)
{
	for (unsigned int i = 0; i < w->n; i++)
		if (!strcmp(w->link[i].name, ifname))
			return i;
	if (w->n == LW_MAX)
		return -ENOSPC;
	memset(&w->link[w->n], 0, sizeof(w->link[0]));
	snprintf(w->link[w->n].name, sizeof(w->link[0].name), "%s", ifname);
	return w->n++;
}

void linkwatch_clear(struct linkwatch *w)
{
	w->n = 0;
}

const char *lw_link_down(const struct lw_link *l)
{
	if (!l->ifindex)
		return "missing";
	if (!l->up)
		return "admin down";
	if (!l->carrier)
		return "no carrier";
	return NULL;
}

static void lw_set(struct linkwatch *w, unsigned int i, int ifindex, bool up,
		   bool carrier)
{
	struct lw_link *l = &w->link[i];

	if (l->ifindex == ifindex && l->up == up && l->carrier == carrier)
		return;
	l->ifindex = ifindex;
	l->up = up;
	l->carrier = carrier;
	w->changed(w->arg, i);
}

struct lw_msg {
	int ifindex;
	const char *name;
	unsigned int flags;
	bool gone;
};

static int lw_attr(const struct nlattr *a, void *data)
{
	struct lw_msg *m = data;

	if (mnl_attr_get_type(a) == IFLA_IFNAME &&
	    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
		m->name = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

/*
 * One link's news. A link that keeps its index under another name was
 * renamed: the old name is gone. A removed one is gone.
 */
static int lw_msg(const struct nlmsghdr *nlh, void *data)
{
	struct linkwatch *w = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct lw_msg m = { .ifindex = ifi->ifi_index,
			    .flags = ifi->ifi_flags,
			    .gone = nlh->nlmsg_type == RTM_DELLINK };

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifi), lw_attr, &m);
	for (unsigned int i = 0; i < w->n; i++) {
		const struct lw_link *l = &w->link[i];
		bool named = m.name && !strcmp(l->name, m.name);

		if (named && !m.gone)
			lw_set(w, i, m.ifindex, m.flags & IFF_UP,
			       m.flags & IFF_LOWER_UP);
		else if (l->ifindex == m.ifindex && (m.gone || !named))
			lw_set(w, i, 0, false, false);
	}
	w->events++;
	return MNL_CB_OK;
}

/* Every watched link absent until the dump says otherwise. */
struct lw_dump {
	struct linkwatch *w;
	bool seen[LW_MAX];
};

static int lw_dump_msg(const struct nlmsghdr *nlh, void *data)
{
	struct lw_dump *d = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct lw_msg m = { 0 };

	mnl_attr_parse(nlh, sizeof(*ifi), lw_attr, &m);
	for (unsigned int i = 0; m.name && i < d->w->n; i++)
		if (!strcmp(d->w->link[i].name, m.name)) {
			d->seen[i] = true;
			lw_set(d->w, i, ifi->ifi_index,
			       ifi->ifi_flags & IFF_UP,
			       ifi->ifi_flags & IFF_LOWER_UP);
		}
	return MNL_CB_OK;
}

int linkwatch_resync(struct linkwatch *w)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct lw_dump d = { .w = w };
	struct rtgenmsg *g;
	int err;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	err = nl_request(nlh, lw_dump_msg, &d);
	if (err)
		return err;
	for (unsigned int i = 0; i < w->n; i++)
		if (!d.seen[i])
			lw_set(w, i, 0, false, false);
	w->resyncs++;
	return 0;
}

void linkwatch_read(struct linkwatch *w)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;

	if (!w->nl)
		return;
	for (int i = 0; i < 64; i++) {
		n = mnl_socket_recvfrom(w->nl, buf, sizeof(buf));
		if (n < 0 && errno == ENOBUFS) {
			pr_warn("link events lost: reading every link again");
			linkwatch_resync(w);
			continue;
		}
		if (n <= 0)
			return;
		mnl_cb_run(buf, n, 0, 0, lw_msg, w);
	}
}
