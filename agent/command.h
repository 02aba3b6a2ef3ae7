/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * command.h - the commands the daemon answers on its control socket, as
 * rows of one table (cmd.h):
 *
 *   get nsrp                          the layout of ScreenOS's "get nsrp"
 *   get nsrp history                  every role transition kept, with why
 *   get counters                      data plane and HA link counters
 *   get config                        the running configuration
 *   get session [FILTERS]             the session table (sessview.h)
 *   get dataplane vsi-mac|vsi-addr|role|iface   its tables (dpview.h)
 *   exec nsrp vsd-group N mode backup|ineligible|init
 *   exec nsrp sync rto session from peer
 *   set ... / unset ...               one configuration line, applied now
 *   save                              the running configuration to the file
 *
 * Each word may be abbreviated to a unique prefix. With -j the answer is
 * JSON instead of text.
 */
#ifndef NSRPD_COMMAND_H
#define NSRPD_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd.h"
#include "ctl.h"
#include "status.h"

/* What the session map held, and the data plane had counted, at start. */
struct command_sess_origin {
	uint64_t present, learned, deleted;
};

struct command_env {
	struct status_src st;		/* what the get commands read */
	struct cluster *cl;		/* exec nsrp vsd-group */
	struct sync *sy;		/* exec nsrp sync rto */
	struct cfgsync *cs;		/* exec nsrp sync global-config */
	const char *cfg_path;		/* save */
	struct command_sess_origin origin;
	/*
	 * Applies one set or unset line to the running configuration:
	 * 0, or -EINVAL with the reason in msg and nothing changed. The
	 * daemon's, which makes the new configuration take effect.
	 */
	int (*config_line)(void *arg, const char *line, char *msg,
			   size_t msglen);
	void *arg;
};

/* The table, for whatever lists, completes or documents the commands. */
extern const struct cmd_row command_rows[];
extern const size_t command_nrows;

/* A ctl_handler_fn: env is the struct command_env. */
int command_handle(void *env, const char *cmd, int json, struct ctl_out *out);
/* A ctl_slow_fn: the rows flagged CMD_F_SLOW (get session). */
bool command_is_slow(const char *cmd);
/* A ctl_admin_fn: every row not flagged CMD_F_READ (set, save, exec...). */
bool command_needs_admin(const char *cmd);

#endif
