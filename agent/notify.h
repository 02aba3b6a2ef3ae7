/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * notify.h - the hook an operator sets with "set nsrp notify PATH": run,
 * without waiting, on each transition of a group as
 * "PATH GROUP OLD NEW REASON", as from a shell (no signal blocked), with
 * NSRP_HOSTNAME and NSRP_CLUSTER (the unit's and the cluster's names) in
 * its environment besides the daemon's. A
 * hook that cannot start, exits non-zero or is killed is logged and
 * counted, and changes nothing else.
 */
#ifndef NSRPD_NOTIFY_H
#define NSRPD_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "election.h"

struct notify {
	uint64_t runs, fail;
};

struct nsrp_config;

/* Starts the hook the configuration names, if any, for group vsd. */
void notify_run(struct notify *n, const struct nsrp_config *cfg,
		unsigned int vsd, const struct vsd_transition *t);
/*
 * The same for the configuration's state: "PATH config in-sync
 * out-of-sync REASON" (and back).
 */
void notify_config(struct notify *n, const struct nsrp_config *cfg,
		   bool out_of_sync, const char *why);
/*
 * The same for the HA link's authentication: "PATH ha-auth ok failing
 * REASON" when a unit is heard whose frames fail verification, and back
 * ("failing ok") when it is no longer heard.
 */
void notify_auth(struct notify *n, const struct nsrp_config *cfg,
		 bool failing, const char *why);
/* A hook that ended, as waitpid() reported it. */
void notify_reaped(struct notify *n, const char *path, pid_t pid, int status);

#endif
