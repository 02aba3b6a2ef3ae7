/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * notify.h - the hook an operator sets with "set nsrp notify PATH": run,
 * without waiting, on each transition of a group as
 * "PATH GROUP OLD NEW REASON", as from a shell (no signal blocked). A
 * hook that cannot start, exits non-zero or is killed is logged and
 * counted, and changes nothing else.
 */
#ifndef NSRPD_NOTIFY_H
#define NSRPD_NOTIFY_H

#include <stdint.h>
#include <sys/types.h>

#include "election.h"

struct notify {
	uint64_t runs, fail;
};

/* Starts the hook at path ("": none) for a transition of group vsd. */
void notify_run(struct notify *n, const char *path, unsigned int vsd,
		const struct vsd_transition *t);
/* A hook that ended, as waitpid() reported it. */
void notify_reaped(struct notify *n, const char *path, pid_t pid, int status);

#endif
