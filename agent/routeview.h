/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NSRPD_ROUTEVIEW_H
#define NSRPD_ROUTEVIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "cmd.h"
#include "routesync.h"

struct ctl_out;

/*
 * "get route [v4|v6]": the kernel's main table, IPv4 then IPv6, in the
 * layout of ScreenOS's "get route": per route an id, the prefix, the
 * interface and gateway (a line per next hop of a multipath route), the
 * mark of its protocol (route.h: "C", "S", "eB", "O"...) and its metric;
 * "*" marks the route the kernel uses for the prefix. The copies route
 * sync installed are shown as the peer's routes they are, a trailing B
 * on the mark of a dynamic one ("eBB", "OB"), with the peer's metric.
 * rs may be NULL (nothing is known of copies then). JSON when json is
 * set. Returns 0, -EINVAL with a message naming the bad word, or -errno.
 */
int routeview_show(const struct routesync *rs, const char *args, bool json,
		   struct ctl_out *out);

/* A cmd_rest_fn (cmd.h): what may follow "get route". */
int routeview_next(const char *line, const char *rest, cmd_next_fn fn,
		   void *arg, char *msg, size_t msglen);

/*
 * Route sync's lines of "get nsrp" (none when it is off): how many
 * routes of this unit's, how many of the peer's held here and installed,
 * what the peer does (streaming, or stopped and held), the counters. In
 * JSON, the "route" object (NULL when out of memory).
 */
void routeview_status_text(const struct routesync *rs, uint64_t now,
			   struct ctl_out *o);
json_t *routeview_status_json(const struct routesync *rs,
			      const struct nsrp_config *cfg, uint64_t now);

#endif
