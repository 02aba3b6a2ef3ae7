/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * linkwatch.h - the state of named interfaces as the kernel announces it
 * (rtnetlink link events, RTMGRP_LINK), not as a poll finds it: carrier
 * lost, set administratively down, removed or renamed away. A resync
 * reads every link afresh: at start, and when the kernel says events
 * were lost (ENOBUFS).
 */
#ifndef NSRPD_LINKWATCH_H
#define NSRPD_LINKWATCH_H

#include <stdbool.h>
#include <net/if.h>

#define LW_MAX	128	/* interfaces watched */

struct mnl_socket;

struct lw_link {
	char name[IF_NAMESIZE];
	int ifindex;		/* 0: not present */
	bool up;		/* administratively */
	bool carrier;		/* IFF_LOWER_UP */
};

/* Called for each watched link whose state changed. */
typedef void (*lw_changed_fn)(void *arg, unsigned int i);

struct linkwatch {
	struct mnl_socket *nl;	/* NULL: closed */
	struct lw_link link[LW_MAX];
	unsigned int n;
	lw_changed_fn changed;
	void *arg;
	unsigned long long events, resyncs;
};

/* Subscribes to link events; watches nothing yet. Returns 0 or -errno. */
int linkwatch_open(struct linkwatch *w, lw_changed_fn changed, void *arg);
void linkwatch_close(struct linkwatch *w);
/* Watches ifname (once): its index in link[], or -ENOSPC. */
int linkwatch_add(struct linkwatch *w, const char *ifname);
/* Forgets every watched name (a new configuration adds them again). */
void linkwatch_clear(struct linkwatch *w);
/* Reads every link afresh, telling changed() what changed. */
int linkwatch_resync(struct linkwatch *w);
int linkwatch_fd(const struct linkwatch *w);
/* Reads what the kernel announced, without blocking. */
void linkwatch_read(struct linkwatch *w);

/* The link carries no traffic; why in words ("no carrier"), else NULL. */
const char *lw_link_down(const struct lw_link *l);

#endif
