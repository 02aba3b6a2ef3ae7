/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * status.h - what the unit says of itself, in ScreenOS's words: "get
 * nsrp", its history, the counters and the running configuration, as
 * text or JSON. Reads the modules' state, changes none of it.
 */
#ifndef NSRPD_STATUS_H
#define NSRPD_STATUS_H

#include <stdbool.h>

#include "cfgsync.h"
#include "cluster.h"
#include "config.h"
#include "ctl.h"
#include "cthandoff.h"
#include "dataplane.h"
#include "dpprobe.h"
#include "hasess.h"
#include "health.h"
#include "loopstat.h"
#include "notify.h"
#include "sweep.h"
#include "sync.h"

/* Everything status reads, as the daemon joins it. */
struct status_src {
	const struct nsrp_config *cfg;
	const struct cluster *cl;
	const struct sync *sy;
	const struct hasess *ha;
	const struct sweep *sw;
	const struct cthandoff *cth;
	const struct notify *nt;
	struct dataplane *dp;		/* counters are read from its maps */
	const struct ctl_stats *ctl;
	const struct health *health;
	const struct cfgsync *cs;
	const struct loop_stats *loop;	/* the event loop's passes */
	const struct dpprobe *probe;	/* may be NULL */
};

/*
 * Each answers as text, or as JSON (docs/JSON.md) when json is set, and
 * returns 0 or -errno (-ENOMEM, -ENOSPC when the answer is cut).
 */
/* get nsrp */
int status_nsrp(const struct status_src *s, bool json, struct ctl_out *o);
/* get nsrp history */
int status_history(const struct status_src *s, bool json, struct ctl_out *o);
/* get counters; also -errno when the data plane's cannot be read */
int status_counters(const struct status_src *s, bool json, struct ctl_out *o);
/* get config: the "set" lines that rebuild the running configuration */
int status_config(const struct status_src *s, bool json, struct ctl_out *o);

#endif
