/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * openmetrics.h - what the metrics page says (metrics.h serves it), in
 * the Prometheus text format (0.0.4) or OpenMetrics 1.0, as the scraper
 * asks:
 *
 *   each group's role and transitions; the peer; heartbeats, and per HA
 *   path their round trip, losses and datagrams; the HA link's drops by
 *   reason; the session sync's lag, backlog, retransmissions and bulk
 *   syncs, and the cold start; the sessions by state and origin (as the
 *   latest expiry sweep counted them, with its age); the data plane's
 *   counters; the monitors; config sync; the control socket's and the
 *   page's own counters; the notify hook; the XDP attachment.
 *
 * Every value is one the daemon holds in memory, read as it is: a scrape
 * costs no syscall but the data plane's per-CPU counters.
 */
#ifndef NSRPD_OPENMETRICS_H
#define NSRPD_OPENMETRICS_H

#include <stdint.h>

#include "cfgsync.h"
#include "cluster.h"
#include "config.h"
#include "ctl.h"
#include "dataplane.h"
#include "hasess.h"
#include "health.h"
#include "metrics.h"
#include "notify.h"
#include "sweep.h"
#include "sync.h"

/* Where the page reads from: the daemon's parts. */
struct om_src {
	const struct nsrp_config *cfg;
	const struct cluster *cl;
	const struct hasess *ha;
	const struct sync *sy;
	const struct sweep *sw;
	struct dataplane *dp;
	const struct health *health;
	const struct cfgsync *cs;
	const struct ctl_stats *ctl;
	const struct metrics_stats *ms;
	const struct notify *nt;
};

/* The whole page at now, into out: 0 or -errno. */
int om_render(const struct om_src *src, enum metrics_format fmt,
	      struct ctl_out *out, uint64_t now);

/*
 * A label value as both formats quote it (backslash, double quote and
 * newline escaped) into buf; returns buf.
 */
const char *om_escape(const char *v, char *buf, size_t len);

#endif
