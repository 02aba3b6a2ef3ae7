// SPDX-License-Identifier: GPL-2.0-only
/*
 * status.c - the commands nsrpctl sends, answered in ScreenOS's words:
 *
 *   get nsrp                          the layout of ScreenOS's "get nsrp"
 *   get nsrp history                  every role transition kept, with why
 *   get counters                      data plane and HA link counters
 *   get config                        the running configuration
 *   exec nsrp vsd-group N mode backup|ineligible|init
 *   set ... / unset ...               one configuration line, applied now
 *   save                              the running configuration to the file
 *
 * Each word may be abbreviated to a unique prefix. With -j the answer is
 * JSON instead of text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "ident.h"
#include "log.h"
#include "netlink.h"

#define STATUS_MAX_WORDS 16

/* ---------------------------------------------------------------- words */

static int split_words(char *line, char **w, int max)
{
	int n = 0;

	for (char *tok = strtok(line, " \t"); tok && n < max;
	     tok = strtok(NULL, " \t"))
		w[n++] = tok;
	return n;
}

/* A command word may be any prefix of its keyword. */
static bool word_is(const char *w, const char *kw)
{
	size_t n = strlen(w);

	return n && n <= strlen(kw) && !strncmp(w, kw, n);
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static const char *enabled(bool b)
{
	return b ? "enabled" : "disabled";
}

/* ------------------------------------------------------------- get nsrp */

static void status_units(struct nsrpd *d, struct ctl_out *o)
{
	char mac[13];

	mac_to_plain(mac, d->mac);
	ctl_printf(o, "index: 0, unit id: %9u, ctrl mac: %s\n", d->unit_id,
		   mac);
	if (d->peer.ever) {
		mac_to_plain(mac, d->peer.mac);
		ctl_printf(o, "index: 1, unit id: %9u, ctrl mac: %s%s\n",
			   d->peer.unit_id, mac,
			   d->peer.present ? "" : " (lost)");
	}
	ctl_printf(o, "total number of units: %d\n",
		   1 + (d->peer.present ? 1 : 0));
}

static const char *status_master(struct nsrpd *d, unsigned int g,
				 char *buf, size_t len)
{
	if (vsd_is_master(&d->group[g].vsd))
		return "myself";
	if (d->group[g].peer_state == VSD_MASTER) {
		snprintf(buf, len, "%u", d->peer.unit_id);
		return buf;
	}
	return "none";
}

/* PB: the primary backup, the unit that takes over next. */
static const char *status_pb(struct nsrpd *d, unsigned int g, char *buf,
			     size_t len)
{
	if (vsd_is_master(&d->group[g].vsd)) {
		if (d->group[g].peer_state != VSD_BACKUP)
			return "";
		snprintf(buf, len, "%u", d->peer.unit_id);
		return buf;
	}
	return d->group[g].vsd.state == VSD_BACKUP ? "myself" : "";
}

static void status_groups(struct nsrpd *d, struct ctl_out *o)
{
	int n = 0;

	ctl_printf(o, "group priority preempt holddown inelig   master       "
		      "PB other members\n");
	for (unsigned int g = 0; g < NSRPD_MAX_VSD; g++) {
		const struct vsd *v = &d->group[g].vsd;
		char mbuf[16], pbuf[16], other[16] = "";

		if (!d->group[g].active)
			continue;
		n++;
		if (d->peer.present)
			snprintf(other, sizeof(other), "%u", d->peer.unit_id);
		ctl_printf(o, "%5u %8u %-7s %8u %-6s %-12s %6s %s\n", g,
			   v->p.priority, yes_no(v->p.preempt),
			   v->p.holddown_ms / 1000,
			   yes_no(v->state == VSD_INELIGIBLE),
			   status_master(d, g, mbuf, sizeof(mbuf)),
			   status_pb(d, g, pbuf, sizeof(pbuf)), other);
	}
	ctl_printf(o, "total number of vsd groups: %d\n", n);
	for (unsigned int g = 0; g < NSRPD_MAX_VSD; g++)
		if (d->group[g].active)
			ctl_printf(o, "vsd group %u: local state %s\n", g,
				   vsd_state_name(d->group[g].vsd.state));
}

static void status_link(struct nsrpd *d, struct ctl_out *o, int id,
			const char *what)
{
	struct ha_path *p = &d->path[id];
	struct link_info li = { 0 };
	char mac[13] = "";

	if (p->fd < 0) {
		ctl_printf(o, "%s: not configured\n", what);
		return;
	}
	if (!link_info_get(p->ifname, &li))
		mac_to_plain(mac, li.mac);
	ctl_printf(o, "%s: %s (ifnum: %d)  mac: %s state: %s, peer %s\n",
		   what, p->ifname, p->ifindex, mac,
		   li.running ? "up" : "down",
		   p->peer_seen ? "heard" : "not heard");
}

static unsigned long long ull(uint64_t v)
{
	return v;
}

static void status_rto_text(struct nsrpd *d, struct ctl_out *o)
{
	const struct nsrpd_sync *s = &d->sync;

	ctl_printf(o, "\nRTO mirror info:\n");
	ctl_printf(o, "run time object sync:   %s\n",
		   enabled(d->cfg.rto_mirror_sync));
	ctl_printf(o, "coldstart sync done: %s\n", yes_no(s->coldstart_done));
	ctl_printf(o, "session ageout-ack: %s\n",
		   enabled(d->cfg.rto_ageout_ack));
	ctl_printf(o, "deltas sent: %llu, acked: %llu, retransmitted: %llu, "
		      "lag: %llu\n", ull(s->tx.sent), ull(s->tx.acked),
		   ull(s->tx.retransmitted), ull(rto_tx_pending(&s->tx)));
	ctl_printf(o, "deltas applied: %llu, errors: %llu, duplicates: %llu, "
		      "held early: %llu\n", ull(s->rx.applied),
		   ull(s->apply_errors), ull(s->rx.duplicates),
		   ull(s->rx.early));
	ctl_printf(o, "bulk syncs sent: %llu, received: %llu, "
		      "overflows: %llu\n", ull(s->resyncs), ull(s->bulk_done),
		   ull(s->overflows));
	ctl_printf(o, "ageout-ack queries: %llu, kept: %llu, deleted: %llu; "
		      "expired swept: %llu\n", ull(s->ageout_queries),
		   ull(s->ageout_kept), ull(s->ageout_deleted), ull(s->swept));
	ctl_printf(o, "conntrack committed on takeover: %llu (failed %llu); "
		      "neighbours sent: %llu, installed: %llu\n",
		   ull(s->ct_committed), ull(s->ct_failed), ull(s->neigh_sent),
		   ull(s->neigh_installed));
	if (s->stall_alarm)
		ctl_printf(o, "ALARM: RTO sync stalled, the peer acknowledges "
			      "nothing\n");
}

static void status_rto_json(struct nsrpd *d, struct ctl_out *o)
{
	const struct nsrpd_sync *s = &d->sync;

	ctl_printf(o, ",\"rto\":{\"sync\":%s,\"ageout_ack\":%s,"
		      "\"coldstart_done\":%s,\"stall_alarm\":%s,"
		      "\"sent\":%llu,\"acked\":%llu,\"retransmitted\":%llu,"
		      "\"lag\":%llu,\"applied\":%llu,\"apply_errors\":%llu,"
		      "\"skipped_owned\":%llu,\"duplicates\":%llu,"
		      "\"resyncs\":%llu,\"bulk_received\":%llu,"
		      "\"overflows\":%llu,\"events\":%llu,"
		      "\"ageout_queries\":%llu,\"ageout_kept\":%llu,"
		      "\"ageout_deleted\":%llu,\"swept\":%llu,"
		      "\"ct_committed\":%llu,\"ct_failed\":%llu,"
		      "\"neigh_sent\":%llu,\"neigh_installed\":%llu}",
		   d->cfg.rto_mirror_sync ? "true" : "false",
		   d->cfg.rto_ageout_ack ? "true" : "false",
		   s->coldstart_done ? "true" : "false",
		   s->stall_alarm ? "true" : "false",
		   ull(s->tx.sent), ull(s->tx.acked), ull(s->tx.retransmitted),
		   ull(rto_tx_pending(&s->tx)), ull(s->rx.applied),
		   ull(s->apply_errors), ull(s->skipped_owned),
		   ull(s->rx.duplicates), ull(s->resyncs), ull(s->bulk_done),
		   ull(s->overflows), ull(s->events), ull(s->ageout_queries),
		   ull(s->ageout_kept), ull(s->ageout_deleted), ull(s->swept),
		   ull(s->ct_committed), ull(s->ct_failed), ull(s->neigh_sent),
		   ull(s->neigh_installed));
}

static void status_text(struct nsrpd *d, struct ctl_out *o)
{
	const struct nsrp_config *c = &d->cfg;

	ctl_printf(o, "nsrp version: 2.0 (nsrpd %s)\n\n", NSRPD_VERSION);
	ctl_printf(o, "cluster info:\n");
	ctl_printf(o, "cluster id: %u, name: %s\n", c->cluster_id,
		   c->cluster_name);
	ctl_printf(o, "local unit id: %u\n", d->unit_id);
	ctl_printf(o, "active units discovered:\n");
	status_units(d, o);
	ctl_printf(o, "\nVSD group info:\n");
	ctl_printf(o, "init hold time: %u\n", c->init_hold_s);
	ctl_printf(o, "heartbeat lost threshold: %u\n", c->hb_threshold);
	ctl_printf(o, "heartbeat interval: %u(ms)\n", c->hb_interval_ms);
	ctl_printf(o, "master always exist: %s\n",
		   enabled(c->master_always_exist));
	if (c->standalone_role != CFG_ROLE_ELECT)
		ctl_printf(o, "standalone role: %s (no election)\n",
			   c->standalone_role == CFG_ROLE_MASTER ? "master"
								 : "backup");
	status_groups(d, o);
	status_rto_text(d, o);
	ctl_printf(o, "\nnsrp link info:\n");
	status_link(d, o, HA_PRIMARY, "control   channel");
	status_link(d, o, HA_SECONDARY, "secondary path channel");
	if (d->primary_alarm)
		ctl_printf(o, "ALARM: control channel lost, the secondary "
			      "path carries the cluster\n");
	ctl_printf(o, "\nNSRP encryption: %s\n",
		   enabled(c->encrypt_password[0]));
	ctl_printf(o, "NSRP authentication: %s\n",
		   enabled(c->auth_password[0]));
	ctl_printf(o, "device based nsrp monitoring threshold: %u\n",
		   c->monitor_threshold);
	ctl_printf(o, "number of gratuitous arps: %u\n", c->arp_count);
	ctl_printf(o, "config sync: %s\n", enabled(c->config_sync));
	ctl_printf(o, "heartbeats sent: %llu, received: %llu\n",
		   (unsigned long long)d->hb_tx, (unsigned long long)d->hb_rx);
}

static void json_str(struct ctl_out *o, const char *s)
{
	ctl_printf(o, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			ctl_printf(o, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			ctl_printf(o, "\\u%04x", *s);
		else
			ctl_printf(o, "%c", *s);
	}
	ctl_printf(o, "\"");
}

static void status_json(struct nsrpd *d, struct ctl_out *o)
{
	const struct nsrp_config *c = &d->cfg;
	char mac[13];
	bool first = true;

	mac_to_plain(mac, d->mac);
	ctl_printf(o, "{\"cluster_id\":%u,\"cluster_name\":", c->cluster_id);
	json_str(o, c->cluster_name);
	ctl_printf(o, ",\"local_unit_id\":%u,\"ctrl_mac\":\"%s\"",
		   d->unit_id, mac);
	mac_to_plain(mac, d->peer.mac);
	ctl_printf(o, ",\"peer\":{\"present\":%s,\"unit_id\":%u,"
		      "\"ctrl_mac\":\"%s\"}",
		   d->peer.present ? "true" : "false", d->peer.unit_id, mac);
	ctl_printf(o, ",\"init_hold\":%u,\"hb_threshold\":%u,"
		      "\"hb_interval_ms\":%u,\"master_always_exist\":%s",
		   c->init_hold_s, c->hb_threshold, c->hb_interval_ms,
		   c->master_always_exist ? "true" : "false");
	ctl_printf(o, ",\"groups\":[");
	for (unsigned int g = 0; g < NSRPD_MAX_VSD; g++) {
		const struct vsd *v = &d->group[g].vsd;
		char mbuf[16], pbuf[16];

		if (!d->group[g].active)
			continue;
		ctl_printf(o, "%s{\"id\":%u,\"priority\":%u,\"preempt\":%s,"
			      "\"holddown\":%u,\"state\":\"%s\","
			      "\"master\":\"%s\",\"pb\":\"%s\","
			      "\"peer_state\":\"%s\"}",
			   first ? "" : ",", g, v->p.priority,
			   v->p.preempt ? "true" : "false",
			   v->p.holddown_ms / 1000, vsd_state_name(v->state),
			   status_master(d, g, mbuf, sizeof(mbuf)),
			   status_pb(d, g, pbuf, sizeof(pbuf)),
			   d->group[g].peer_state
				   ? vsd_state_name(d->group[g].peer_state)
				   : "");
		first = false;
	}
	ctl_printf(o, "],\"links\":[");
	for (int i = 0; i < HA_NPATHS; i++)
		ctl_printf(o, "%s{\"role\":\"%s\",\"ifname\":\"%s\","
			      "\"configured\":%s,\"peer_heard\":%s}",
			   i ? "," : "", i ? "secondary" : "primary",
			   d->path[i].ifname,
			   d->path[i].fd >= 0 ? "true" : "false",
			   d->path[i].peer_seen ? "true" : "false");
	ctl_printf(o, "]");
	status_rto_json(d, o);
	ctl_printf(o, ",\"primary_alarm\":%s,\"gratuitous_arps\":%u,"
		      "\"encryption\":%s,\"authentication\":%s,"
		      "\"hb_tx\":%llu,\"hb_rx\":%llu}\n",
		   d->primary_alarm ? "true" : "false", c->arp_count,
		   c->encrypt_password[0] ? "true" : "false",
		   c->auth_password[0] ? "true" : "false",
		   (unsigned long long)d->hb_tx, (unsigned long long)d->hb_rx);
}

static void status_history(struct nsrpd *d, int json, struct ctl_out *o)
{
	unsigned int n = d->hist_n < NSRPD_HISTORY ? d->hist_n : NSRPD_HISTORY;

	if (json)
		ctl_printf(o, "[");
	for (unsigned int i = 0; i < n; i++) {
		const struct nsrpd_event_rec *r =
			&d->hist[(d->hist_n - n + i) % NSRPD_HISTORY];
		char when[32];
		struct tm tm;
		time_t t = r->real_s;

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
			 localtime_r(&t, &tm));
		if (json) {
			ctl_printf(o, "%s{\"time\":\"%s\",\"mono_ns\":%llu,"
				      "\"group\":%u,\"from\":\"%s\","
				      "\"to\":\"%s\",\"reason\":",
				   i ? "," : "", when,
				   (unsigned long long)r->mono_ns, r->vsd,
				   vsd_state_name(r->t.from),
				   vsd_state_name(r->t.to));
			json_str(o, r->t.reason);
			ctl_printf(o, "}");
		} else {
			ctl_printf(o, "%s  vsd-group %u  %-10s -> %-10s  %s\n",
				   when, r->vsd, vsd_state_name(r->t.from),
				   vsd_state_name(r->t.to), r->t.reason);
		}
	}
	if (json)
		ctl_printf(o, "]\n");
}

struct status_counter {
	const char *name;
	uint64_t v;
};

/*
 * Counters as JSON members (after others, when more_than_these) or as
 * lines of a block.
 */
static void status_counter_list(struct ctl_out *o, int json,
				bool more_than_these,
				const struct status_counter *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ctl_printf(o, json ? "%s\"%s\":%llu" : "  %.0s%-22s %llu\n",
			   i || more_than_these ? "," : "", c[i].name,
			   (unsigned long long)c[i].v);
}

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* The control socket's own: who was refused, what was cut or offloaded. */
static void status_ctl_counters(const struct ctl_stats *st, int json,
				struct ctl_out *o)
{
	const struct status_counter c[] = {
		{ "accepted", st->accepted },
		{ "denied", st->denied },
		{ "too_many", st->too_many },
		{ "evicted", st->evicted },
		{ "timed_out", st->timed_out },
		{ "requests", st->requests },
		{ "malformed", st->malformed },
		{ "oversized", st->oversized },
		{ "truncated", st->truncated },
		{ "stalled", st->stalled },
		{ "dropped", st->dropped },
		{ "offloaded", st->offloaded },
		{ "offload_busy", st->offload_busy },
		{ "offload_failed", st->offload_failed },
	};

	ctl_printf(o, json ? "\"control\":{" : "control socket:\n");
	status_counter_list(o, json, false, c, ARRAY_LEN(c));
	ctl_printf(o, json ? "}" : "");
}

/* Each HA path's datagrams, and the syscalls that moved them. */
static void status_path_counters(const struct ha_path *p, const char *role,
				 int json, struct ctl_out *o)
{
	const struct status_counter c[] = {
		{ "tx", p->tx },
		{ "tx_calls", p->tx_calls },
		{ "tx_errors", p->tx_err },
		{ "rx", p->rx },
		{ "rx_calls", p->rx_calls },
		{ "rx_bad_ttl", p->rx_bad_ttl },
		{ "tx_yields", p->tx_yields },
		{ "rx_yields", p->rx_yields },
	};

	if (json)
		ctl_printf(o, "\"%s\":{\"ifname\":\"%s\",\"mtu\":%u,"
			      "\"gso\":%s", role, p->ifname, p->mtu,
			   p->gso ? "true" : "false");
	else
		ctl_printf(o, "HA path %s (%s), mtu %u, segmentation %s:\n",
			   role, p->ifname, p->mtu, p->gso ? "on" : "off");
	status_counter_list(o, json, true, c, ARRAY_LEN(c));
	ctl_printf(o, json ? "}" : "");
}

static int status_counters(struct nsrpd *d, int json, struct ctl_out *o)
{
	__u64 c[NSRP_CNT_MAX];
	int err = dp_read_counters(&d->dp, c);

	if (err)
		return err;
	ctl_printf(o, json ? "{\"dataplane\":{" : "data plane:\n");
	for (int i = 0; i < NSRP_CNT_MAX; i++)
		ctl_printf(o, json ? "%s\"%s\":%llu" : "  %.0s%-22s %llu\n",
			   i ? "," : "", dp_counter_name(i),
			   (unsigned long long)c[i]);
	ctl_printf(o, json ? "},\"halink\":{" : "HA link drops:\n");
	for (int i = 1; i < PROTO_R_MAX; i++)
		ctl_printf(o, json ? "%s\"%s\":%llu" : "  %.0s%-22s %llu\n",
			   i > 1 ? "," : "", proto_reason_name(i),
			   (unsigned long long)d->rx_drop[i]);
	ctl_printf(o, json ? "},\"xdp_mode\":{" : "XDP attachment:\n");
	for (int i = 0; i < d->dp.n_ifaces; i++)
		ctl_printf(o, json ? "%s\"%s\":\"%s\"" : "  %.0s%-22s %s\n",
			   i ? "," : "", d->dp.ifaces[i].name,
			   d->dp.ifaces[i].xdp_how);
	ctl_printf(o, json ? "},\"ha_paths\":{" : "");
	for (int i = 0, n = 0; i < HA_NPATHS; i++) {
		if (d->path[i].fd < 0)
			continue;
		ctl_printf(o, json && n++ ? "," : "");
		status_path_counters(&d->path[i],
				     i == HA_PRIMARY ? "primary" : "secondary",
				     json, o);
	}
	ctl_printf(o, json ? "}," : "");
	status_ctl_counters(&d->ctl.stats, json, o);
	ctl_printf(o, json ? ",\"notify\":{\"runs\":%llu,\"failed\":%llu}}\n"
			   : "notify hook:\n  runs                   %llu\n"
			     "  failed                 %llu\n",
		   (unsigned long long)d->notify_runs,
		   (unsigned long long)d->notify_fail);
	return 0;
}

/* -------------------------------------------------- set, unset and save */

#define STATUS_MSG_LEN	1024

/* The whole line goes to the configuration parser, quotes and all. */
static int status_set(struct nsrpd *d, const char *cmd, struct ctl_out *o)
{
	char msg[STATUS_MSG_LEN];
	int err = nsrpd_config_line(d, cmd, msg, sizeof(msg));

	if (err)
		ctl_printf(o, "%s\n", msg);
	return err;
}

static int status_save(struct nsrpd *d, int n, struct ctl_out *o)
{
	char msg[STATUS_MSG_LEN];
	int err;

	if (n != 1) {
		ctl_printf(o, "usage: save\n");
		return -EINVAL;
	}
	err = config_save(&d->cfg, d->cfg_path, msg, sizeof(msg));
	if (err) {
		pr_warn("save: %s", msg);
		ctl_printf(o, "save: %s\n", msg);
		return err;
	}
	pr_info("save: the running configuration written to %s",
		d->cfg_path);
	ctl_printf(o, "saved to %s\n", d->cfg_path);
	return 0;
}

/* "s" alone could be either: set and save need two letters. */
static int status_config(struct nsrpd *d, const char *cmd, char **w, int n,
			 struct ctl_out *o)
{
	bool set = word_is(w[0], "set"), save = word_is(w[0], "save");

	if (set && save) {
		ctl_printf(o, "ambiguous '%s': set, save\n", w[0]);
		return -EINVAL;
	}
	if (save)
		return status_save(d, n, o);
	return status_set(d, cmd, o);
}

/* ----------------------------------------------------------- dispatcher */

static int status_exec(struct nsrpd *d, char **w, int n, struct ctl_out *o)
{
	static const struct {
		const char *word;
		enum vsd_cmd cmd;
	} modes[] = {
		{ "backup", VSD_CMD_BACKUP },
		{ "ineligible", VSD_CMD_INELIGIBLE },
		{ "init", VSD_CMD_INIT },
	};
	char *end;
	unsigned long g;
	int err;

	/* exec nsrp sync rto session from peer */
	if (n == 7 && word_is(w[1], "nsrp") && word_is(w[2], "sync") &&
	    word_is(w[3], "rto") && word_is(w[4], "session") &&
	    word_is(w[5], "from") && word_is(w[6], "peer")) {
		if (!d->cfg.rto_mirror_sync) {
			ctl_printf(o, "run time object sync is disabled "
				      "(set nsrp rto-mirror sync)\n");
			return -EINVAL;
		}
		sync_request_full(d, dp_now_ns());
		return 0;
	}
	/* exec nsrp vsd-group N mode MODE */
	if (n != 6 || !word_is(w[1], "nsrp") || !word_is(w[2], "vsd-group") ||
	    !word_is(w[4], "mode")) {
		ctl_printf(o, "usage: exec nsrp vsd-group N mode "
			      "backup|ineligible|init | "
			      "exec nsrp sync rto session from peer\n");
		return -EINVAL;
	}
	g = strtoul(w[3], &end, 10);
	if (*end || g >= NSRPD_MAX_VSD) {
		ctl_printf(o, "no vsd-group '%s'\n", w[3]);
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(w[5], modes[i].word) &&
		    (strlen(w[5]) < 2 || !word_is(w[5], modes[i].word)))
			continue;
		err = cluster_command(d, g, modes[i].cmd, dp_now_ns());
		if (err == -ENOENT)
			ctl_printf(o, "vsd-group %lu is not configured\n", g);
		else if (err == -EOPNOTSUPP)
			ctl_printf(o, "standalone role: no election to "
				      "command\n");
		return err;
	}
	ctl_printf(o, "unknown mode '%s': backup, ineligible or init\n", w[5]);
	return -EINVAL;
}

/* get session [summary] [src|dst|addr A] [port P] [proto P] */
/* What entered and left the session map on purpose since the start. */
static int status_churn(struct nsrpd *d, struct sesstab_churn *ch)
{
	__u64 c[NSRP_CNT_MAX];
	int err = dp_read_counters(&d->dp, c);

	if (err)
		return err;
	ch->created = d->sess_at_start + c[NSRP_CNT_LEARN] -
		      d->learned_at_start + d->sync.peer_created;
	ch->deleted = c[NSRP_CNT_EV_DELETE] - d->deleted_at_start +
		      d->sync.peer_deleted + d->sync.ageout_deleted;
	ch->expired = d->sync.swept;
	return 0;
}

static int status_session(struct nsrpd *d, char **w, int n, int json,
			  struct ctl_out *o)
{
	char args[CTL_MAX_CMD + 1] = "";
	struct sesstab_churn churn;
	size_t used = 0;

	for (int i = 0; i < n; i++) {
		int k = snprintf(args + used, sizeof(args) - used, "%s%s",
				 i ? " " : "", w[i]);

		if (k < 0 || (size_t)k >= sizeof(args) - used)
			return -EINVAL;
		used += k;
	}
	return sesstab_show(d->dp.fd_sess, args, json, o, dp_now_ns(),
			    d->dp.cfg.sess_max ? d->dp.cfg.sess_max
					       : NSRPD_SESS_DEFAULT,
			    status_churn(d, &churn) ? NULL : &churn);
}

static int status_get(struct nsrpd *d, char **w, int n, int json,
		      struct ctl_out *o)
{
	if (n >= 2 && word_is(w[1], "nsrp")) {
		if (n == 3 && word_is(w[2], "history")) {
			status_history(d, json, o);
			return 0;
		}
		if (n == 2) {
			if (json)
				status_json(d, o);
			else
				status_text(d, o);
			return 0;
		}
	}
	if (n == 2 && word_is(w[1], "counters"))
		return status_counters(d, json, o);
	if (n >= 2 && word_is(w[1], "session"))
		return status_session(d, w + 2, n - 2, json, o);
	if (n == 2 && word_is(w[1], "config")) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		if (!f)
			return -ENOMEM;
		config_write(&d->cfg, f);
		fclose(f);
		ctl_write(o, buf, len);
		free(buf);
		return 0;
	}
	ctl_printf(o, "usage: get nsrp [history] | get counters | "
		      "get config | get session [summary] [filters]\n");
	return -EINVAL;
}

bool status_is_slow(const char *cmd)
{
	char line[CTL_MAX_CMD + 1], *w[3];

	snprintf(line, sizeof(line), "%s", cmd);
	return split_words(line, w, 3) >= 2 && word_is(w[0], "get") &&
	       word_is(w[1], "session");
}

int status_handle(void *arg, const char *cmd, int json, struct ctl_out *out)
{
	struct nsrpd *d = arg;
	char line[CTL_MAX_CMD + 1], *w[STATUS_MAX_WORDS];
	int n;

	snprintf(line, sizeof(line), "%s", cmd);
	n = split_words(line, w, STATUS_MAX_WORDS);
	if (n >= 1 && word_is(w[0], "get"))
		return status_get(d, w, n, json, out);
	if (n >= 1 && word_is(w[0], "exec"))
		return status_exec(d, w, n, out);
	if (n >= 1 && (word_is(w[0], "set") || word_is(w[0], "unset") ||
		       word_is(w[0], "save")))
		return status_config(d, cmd, w, n, out);
	ctl_printf(out, "unknown command: %s\n", cmd);
	return -EINVAL;
}
