/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * routenl.h - the kernel's routes through rtnetlink, for route sync: the
 * events that say the main table changed, a dump of it read a piece at a
 * time as the event loop comes by, and the copies installed and removed.
 *
 * What the kernel gives is read as struct route (route.h): the main
 * table's unicast, blackhole, unreachable and prohibit routes, IPv4 and
 * IPv6, with their next hops, multipath included. A route whose next
 * hops are only a nexthop object's id (sysctl nexthop_compat_mode off),
 * that encapsulates (lwtunnel) or that is source-specific is not one
 * route sync can carry: it is counted, not read.
 */
#ifndef NSRPD_ROUTENL_H
#define NSRPD_ROUTENL_H

#include <stdbool.h>
#include <stdint.h>

#include "route.h"

#define ROUTENL_NAMES	64	/* device names remembered during a dump */

struct mnl_socket;
struct nlmsghdr;

/* A device's name from its index: 0, or -ENODEV. */
typedef int (*routenl_name_fn)(void *arg, int ifindex,
			       char name[IF_NAMESIZE]);

/* What one route message holds for route sync. */
typedef void (*routenl_route_fn)(void *arg, const struct route *r);

struct routenl {
	struct mnl_socket *watch;	/* the routes' events */
	struct mnl_socket *dump;	/* a dump, read as it comes */
	struct mnl_socket *cmd;		/* copies installed and removed */
	unsigned int dump_seq, cmd_seq;
	bool dumping;
	struct {
		int ifindex;
		char name[IF_NAMESIZE];
	} names[ROUTENL_NAMES];
	unsigned int n_names;
	/* Counters, since start. */
	uint64_t events, overruns, dumps, unsupported, truncated;
};

/* Opens the three sockets; routenl_close() either way. */
int routenl_open(struct routenl *nl);
void routenl_close(struct routenl *nl);
int routenl_watch_fd(const struct routenl *nl);
int routenl_dump_fd(const struct routenl *nl);

/*
 * Reads the events waiting: returns how many may change what route sync
 * follows (the main table, other than its own copies), a lost event
 * (the socket overran) counting as one.
 */
int routenl_watch_read(struct routenl *nl);

/* Asks for the main table's routes, IPv4 and IPv6. */
int routenl_dump_start(struct routenl *nl);
/*
 * Reads what the dump has so far, fn getting each route: 1 when the dump
 * is done, 0 when more is to come (the dump's fd becomes readable), or
 * -errno (-EINTR: the table changed under the dump; start again). With
 * no dump under way, drops what an abandoned one left and returns 0.
 */
int routenl_dump_read(struct routenl *nl, routenl_route_fn fn, void *arg);

/* Installs (replaces) a copy, removes one; removing one that is gone is 0. */
int routenl_install(struct routenl *nl, const struct route *r);
int routenl_remove(struct routenl *nl, const struct route *r);

/*
 * One RTM_NEWROUTE (or RTM_DELROUTE) message as a route: 0; -ENOENT when
 * it is not one route sync looks at (another table, a cached or local
 * route); -EOPNOTSUPP when it cannot be carried (see above). A route
 * with more than ROUTE_NH_MAX next hops keeps the first ones and
 * *truncated is set.
 */
int routenl_parse(const struct nlmsghdr *nlh, struct route *r,
		  routenl_name_fn name, void *arg, bool *truncated);

/*
 * Every route of the main table to fn, at once (get route); -EINTR when
 * the table changed under the dump (what fn got is then incomplete).
 */
int routenl_dump_all(routenl_route_fn fn, void *arg);

#endif
