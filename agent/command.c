// SPDX-License-Identifier: GPL-2.0-only
/*
 * command.c - the daemon's commands, one row each (see command.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "command.h"
#include "dpview.h"
#include "log.h"
#include "routeview.h"
#include "sessview.h"

/* What a handler gets: the daemon's parts, and where its answer goes. */
struct command_call {
	struct command_env *env;
	bool json;
	struct ctl_out *out;
};

static int cmd_get_nsrp(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;

	(void)m;
	return status_nsrp(&c->env->st, c->json, c->out);
}

static int cmd_get_history(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;

	(void)m;
	return status_history(&c->env->st, c->json, c->out);
}

static int cmd_get_counters(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;

	(void)m;
	return status_counters(&c->env->st, c->json, c->out);
}

static int cmd_get_config(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;

	(void)m;
	return status_config(&c->env->st, c->json, c->out);
}

/* What entered and left the session map on purpose since the start. */
static int command_churn(const struct command_env *env,
			 struct sesstab_churn *ch)
{
	const struct command_sess_origin *o = &env->origin;
	const struct sync *sy = env->st.sy;
	__u64 c[NSRP_CNT_MAX];
	int err = dp_read_counters(env->st.dp, c);

	if (err)
		return err;
	ch->created = o->present + c[NSRP_CNT_LEARN] - o->learned +
		      sy->peer_created;
	ch->deleted = c[NSRP_CNT_EV_DELETE] - o->deleted + sy->peer_deleted +
		      sy->ageout_deleted;
	ch->expired = env->st.sw->swept;
	return 0;
}

static int cmd_get_session(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;
	struct dataplane *dp = c->env->st.dp;
	struct sesstab_churn churn;

	return sessview_show(dp->fd_sess, m->rest, c->json, c->out,
			     clock_now_ns(),
			     dp->cfg.sess_max ? dp->cfg.sess_max
					      : NSRPD_SESS_DEFAULT,
			     command_churn(c->env, &churn) ? NULL : &churn);
}

static int cmd_get_route(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;

	return routeview_show(c->env->st.rs, m->rest, c->json, c->out);
}

static int cmd_dp_vsi_mac(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;

	(void)m;
	return dpview_vsi_mac(c->env->st.dp, c->json, c->out);
}

static int cmd_dp_vsi_addr(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;

	(void)m;
	return dpview_vsi_addr(c->env->st.dp, c->json, c->out);
}

static int cmd_dp_role(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;

	(void)m;
	return dpview_roles(c->env->st.dp, clock_now_ns(), c->json, c->out);
}

static int cmd_dp_iface(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;

	(void)m;
	return dpview_ifaces(c->env->st.dp, c->json, c->out);
}

static int cmd_mode(struct command_call *c, const struct cmd_match *m,
		    enum vsd_cmd cmd)
{
	unsigned long g;
	char *end;
	int err;

	g = strtoul(m->args[0], &end, 10);
	if (*end || g >= NSRPD_MAX_VSD) {
		ctl_printf(c->out, "no vsd-group '%s'\n", m->args[0]);
		return -EINVAL;
	}
	err = cluster_command(c->env->cl, g, cmd, clock_now_ns());
	if (err == -ENOENT)
		ctl_printf(c->out, "vsd-group %lu is not configured\n", g);
	else if (err == -EOPNOTSUPP)
		ctl_printf(c->out, "standalone role: no election to command\n");
	return err;
}

static int cmd_mode_backup(void *ctx, const struct cmd_match *m)
{
	return cmd_mode(ctx, m, VSD_CMD_BACKUP);
}

static int cmd_mode_ineligible(void *ctx, const struct cmd_match *m)
{
	return cmd_mode(ctx, m, VSD_CMD_INELIGIBLE);
}

static int cmd_mode_init(void *ctx, const struct cmd_match *m)
{
	return cmd_mode(ctx, m, VSD_CMD_INIT);
}

static int cmd_resync(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;

	(void)m;
	if (!c->env->st.cfg->rto_mirror_sync) {
		ctl_printf(c->out, "run time object sync is disabled "
				   "(set nsrp rto-mirror sync)\n");
		return -EINVAL;
	}
	sync_request_full(c->env->sy, clock_now_ns());
	return 0;
}

static int cmd_cfg_checksum(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;

	(void)m;
	return cfgsync_cmd_checksum(c->env->cs, c->out);
}

static int cmd_cfg_diff(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;

	(void)m;
	return cfgsync_cmd_diff(c->env->cs, c->out);
}

static int cmd_cfg_save(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;

	(void)m;
	return cfgsync_cmd_save(c->env->cs, c->out, clock_now_ns());
}

#define COMMAND_MSG_LEN	1024

/* The whole line goes to the configuration parser, quotes and all. */
static int cmd_set(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;
	char msg[COMMAND_MSG_LEN];
	int err = c->env->config_line(c->env->arg, m->line, msg, sizeof(msg));

	if (err)
		ctl_printf(c->out, "%s\n", msg);
	return err;
}

static int cmd_save(void *ctx, const struct cmd_match *m)
{
	struct command_call *c = ctx;
	const char *path = c->env->cfg_path;
	char msg[COMMAND_MSG_LEN];
	int err;

	(void)m;
	err = config_save(c->env->st.cfg, path, msg, sizeof(msg));
	if (err) {
		pr_warn("save: %s", msg);
		ctl_printf(c->out, "save: %s\n", msg);
		return err;
	}
	pr_info("save: the running configuration written to %s", path);
	ctl_printf(c->out, "saved to %s\n", path);
	return 0;
}

/* "set ..." and "unset ...": the configuration's keywords follow. */
static int command_next_config(const char *line, const char *rest,
			       cmd_next_fn fn, void *arg, char *msg,
			       size_t msglen)
{
	(void)rest;
	return config_next(line, fn, arg, msg, msglen);
}

/*
 * One row per command; a row without a function gives the help of the
 * word it ends with, for "?" and completion (cmd.h).
 */
const struct cmd_row command_rows[] = {
	{ "get", NULL, "show the unit's state, tables and counters" },
	{ "get nsrp", cmd_get_nsrp,
	  "the cluster, its units, groups, sync and links", CMD_F_READ },
	{ "get nsrp history", cmd_get_history,
	  "every role change kept, when and why", CMD_F_READ },
	{ "get counters", cmd_get_counters,
	  "data plane, HA link and control socket counters", CMD_F_READ },
	/* Not for read-only groups: it shows the HA link's passwords. */
	{ "get config", cmd_get_config, "the running configuration" },
	{ "get session ...", cmd_get_session,
	  "the session table: [summary] [src|dst|addr A] [port P] "
	  "[proto tcp|udp|icmp|icmp6|N]", CMD_F_SLOW | CMD_F_READ, sessview_next },
	{ "get route ...", cmd_get_route,
	  "the routing table with ScreenOS's marks, B: the peer's: [v4|v6]",
	  CMD_F_SLOW | CMD_F_READ, routeview_next },
	{ "get dataplane", NULL,
	  "the data plane's tables, as its maps hold them" },
	{ "get dataplane vsi-mac", cmd_dp_vsi_mac,
	  "per NIC: its MAC and each group's VSI MAC", CMD_F_READ },
	{ "get dataplane vsi-addr", cmd_dp_vsi_addr,
	  "the VSI addresses answered for, with their VSI MAC", CMD_F_READ },
	{ "get dataplane role", cmd_dp_role,
	  "per group: the role the data plane acts on, its deadline",
	  CMD_F_READ },
	{ "get dataplane iface", cmd_dp_iface,
	  "per cluster NIC: its group, the MAC it forwards from", CMD_F_READ },
	{ "exec", NULL, "act: fail over, resync, take the peer's settings" },
	{ "exec nsrp", NULL, "the cluster's actions" },
	{ "exec nsrp vsd-group", NULL, "a VSD group's part in the election" },
	{ "exec nsrp vsd-group <group>", NULL, "a VSD group id, 0-7" },
	{ "exec nsrp vsd-group <group> mode", NULL,
	  "leave the election, or join it again" },
	{ "exec nsrp vsd-group <group> mode backup", cmd_mode_backup,
	  "step down: the peer takes master at once" },
	{ "exec nsrp vsd-group <group> mode ineligible", cmd_mode_ineligible,
	  "leave the election until mode init" },
	{ "exec nsrp vsd-group <group> mode init", cmd_mode_init,
	  "join the election again, from Initial" },
	{ "exec nsrp sync", NULL, "synchronize with the peer" },
	{ "exec nsrp sync rto", NULL, "run-time objects" },
	{ "exec nsrp sync rto session", NULL, "the session table" },
	{ "exec nsrp sync rto session from", NULL, "" },
	{ "exec nsrp sync rto session from peer", cmd_resync,
	  "a full resync of the peer's sessions" },
	{ "exec nsrp sync global-config", NULL,
	  "the replicated configuration" },
	{ "exec nsrp sync global-config check-sum", cmd_cfg_checksum,
	  "whether both units run the same replicated configuration" },
	{ "exec nsrp sync global-config diff", cmd_cfg_diff,
	  "the replicated lines each unit has and the other not" },
	{ "exec nsrp sync global-config save", cmd_cfg_save,
	  "take the peer's replicated configuration and files, save, apply" },
	{ "set ...", cmd_set, "change one configuration line, at once", 0,
	  command_next_config },
	{ "unset ...", cmd_set, "put one configuration line back, at once", 0,
	  command_next_config },
	{ "save", cmd_save,
	  "the running configuration to its file (the old one kept as .bak)" },
};

const size_t command_nrows = sizeof(command_rows) / sizeof(command_rows[0]);

int command_handle(void *env, const char *cmd, int json, struct ctl_out *out)
{
	struct command_call c = { .env = env, .json = json, .out = out };
	char msg[CMD_MSG_LEN];
	struct cmd_match *m = malloc(sizeof(*m));
	int err;

	if (!m)
		return -ENOMEM;
	err = cmd_match(command_rows, command_nrows, cmd, m, msg,
			sizeof(msg));
	if (err)
		ctl_printf(out, "%s\n", msg);
	else
		err = m->row->fn(&c, m);
	free(m);
	return err;
}

bool command_is_slow(const char *cmd)
{
	const struct cmd_row *r = cmd_find(command_rows, command_nrows, cmd);

	return r && r->flags & CMD_F_SLOW;
}

bool command_needs_admin(const char *cmd)
{
	const struct cmd_row *r = cmd_find(command_rows, command_nrows, cmd);

	return r && !(r->flags & CMD_F_READ);
}
