// SPDX-License-Identifier: GPL-2.0-only
/*
 * status.c - "get nsrp" in the layout of ScreenOS's, its history, the
 * counters and the running configuration (see status.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "clock.h"
#include "ident.h"
#include "netlink.h"
#include "status.h"
#include "version.h"

static unsigned long long ull(uint64_t v)
{
	return v;
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

static void status_units(const struct status_src *src, struct ctl_out *o)
{
	char mac[13];

	mac_to_plain(mac, src->cl->mac);
	ctl_printf(o, "index: 0, unit id: %9u, ctrl mac: %s\n", src->cl->unit_id,
		   mac);
	if (src->cl->peer.ever) {
		mac_to_plain(mac, src->cl->peer.mac);
		ctl_printf(o, "index: 1, unit id: %9u, ctrl mac: %s%s\n",
			   src->cl->peer.unit_id, mac,
			   src->cl->peer.present ? "" : " (lost)");
	}
	ctl_printf(o, "total number of units: %d\n",
		   1 + (src->cl->peer.present ? 1 : 0));
}

static const char *status_master(const struct status_src *src,
				 unsigned int g, char *buf, size_t len)
{
	if (vsd_is_master(&src->cl->group[g].vsd))
		return "myself";
	if (src->cl->group[g].peer_state == VSD_MASTER) {
		snprintf(buf, len, "%u", src->cl->peer.unit_id);
		return buf;
	}
	return "none";
}

/* PB: the primary backup, the unit that takes over next. */
static const char *status_pb(const struct status_src *src, unsigned int g,
			     char *buf, size_t len)
{
	if (vsd_is_master(&src->cl->group[g].vsd)) {
		if (src->cl->group[g].peer_state != VSD_BACKUP)
			return "";
		snprintf(buf, len, "%u", src->cl->peer.unit_id);
		return buf;
	}
	return src->cl->group[g].vsd.state == VSD_BACKUP ? "myself" : "";
}

static void status_groups(const struct status_src *src, struct ctl_out *o)
{
	int n = 0;

	ctl_printf(o, "group priority preempt holddown inelig   master       "
		      "PB other members\n");
	for (unsigned int g = 0; g < NSRPD_MAX_VSD; g++) {
		const struct vsd *v = &src->cl->group[g].vsd;
		char mbuf[16], pbuf[16], other[16] = "";

		if (!src->cl->group[g].active)
			continue;
		n++;
		if (src->cl->peer.present)
			snprintf(other, sizeof(other), "%u", src->cl->peer.unit_id);
		ctl_printf(o, "%5u %8u %-7s %8u %-6s %-12s %6s %s\n", g,
			   v->p.priority, yes_no(v->p.preempt),
			   v->p.holddown_ms / 1000,
			   yes_no(v->state == VSD_INELIGIBLE),
			   status_master(src, g, mbuf, sizeof(mbuf)),
			   status_pb(src, g, pbuf, sizeof(pbuf)), other);
	}
	ctl_printf(o, "total number of vsd groups: %d\n", n);
	for (unsigned int g = 0; g < NSRPD_MAX_VSD; g++) {
		const struct vsd *v = &src->cl->group[g].vsd;

		if (!src->cl->group[g].active)
			continue;
		ctl_printf(o, "vsd group %u: local state %s\n", g,
			   vsd_state_name(v->state));
		if (v->preempt_armed && v->damped)
			ctl_printf(o, "vsd group %u: failover damping holds the "
				      "preempt for %llu s\n", g,
				   ull((v->preempt_at_ns - clock_now_ns()) /
				       NS_PER_S));
	}
}

static void status_link(const struct status_src *src, struct ctl_out *o,
			int id, const char *what)
{
	const struct ha_path *p = &src->ha->path[id];
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

static void status_rto_text(const struct status_src *src,
			    struct ctl_out *o)
{
	const struct sync *s = src->sy;

	ctl_printf(o, "\nRTO mirror info:\n");
	ctl_printf(o, "run time object sync:   %s\n",
		   enabled(src->cfg->rto_mirror_sync));
	ctl_printf(o, "coldstart sync done: %s\n", yes_no(s->coldstart_done));
	ctl_printf(o, "session ageout-ack: %s\n",
		   enabled(src->cfg->rto_ageout_ack));
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
		   ull(s->ageout_kept), ull(s->ageout_deleted), ull(src->sw->swept));
	ctl_printf(o, "conntrack committed on takeover: %llu (failed %llu); "
		      "neighbours sent: %llu, installed: %llu\n",
		   ull(src->cth->committed), ull(src->cth->failed), ull(s->neigh_sent),
		   ull(s->neigh_installed));
	if (s->stall_alarm)
		ctl_printf(o, "ALARM: RTO sync stalled, the peer acknowledges "
			      "nothing\n");
}

static void status_rto_json(const struct status_src *src,
			    struct ctl_out *o)
{
	const struct sync *s = src->sy;

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
		   src->cfg->rto_mirror_sync ? "true" : "false",
		   src->cfg->rto_ageout_ack ? "true" : "false",
		   s->coldstart_done ? "true" : "false",
		   s->stall_alarm ? "true" : "false",
		   ull(s->tx.sent), ull(s->tx.acked), ull(s->tx.retransmitted),
		   ull(rto_tx_pending(&s->tx)), ull(s->rx.applied),
		   ull(s->apply_errors), ull(s->skipped_owned),
		   ull(s->rx.duplicates), ull(s->resyncs), ull(s->bulk_done),
		   ull(s->overflows), ull(s->events), ull(s->ageout_queries),
		   ull(s->ageout_kept), ull(s->ageout_deleted), ull(src->sw->swept),
		   ull(src->cth->committed), ull(src->cth->failed), ull(s->neigh_sent),
		   ull(s->neigh_installed));
}

/* "config sync: enabled" and what it finds. */
static void status_cfgsync_text(const struct status_src *src,
				struct ctl_out *o)
{
	const struct cfgsync *cs = src->cs;

	ctl_printf(o, "config sync: %s\n", enabled(src->cfg->config_sync));
	if (!cs->peer_present || !cs->peer_tells)
		ctl_printf(o, "configuration: local checksum %u, generation "
			      "%llu; no peer tells its own\n", cs->own.sum,
			   ull(cs->own.gen));
	else if (cfgsync_in_sync(cs))
		ctl_printf(o, "configuration in sync (local checksum %u == "
			      "remote checksum %u), generation %llu\n",
			   cs->own.sum, cs->peer.sum, ull(cs->own.gen));
	else
		ctl_printf(o, "configuration out of sync (local checksum %u != "
			      "remote checksum %u), generation %llu, peer's "
			      "%llu\n", cs->own.sum, cs->peer.sum,
			   ull(cs->own.gen), ull(cs->peer.gen));
	if (cs->peer_tells)
		ctl_printf(o, "peer runs nsrpd %s, wire version %u\n",
			   cs->peer.version, cs->peer.wire);
	if (cs->alarm)
		ctl_printf(o, "ALARM: %s\n", cs->why);
	if (cs->restart_for[0])
		ctl_printf(o, "the peer's configuration is saved; restart "
			      "nsrpd to run it (it changes %s)\n",
			   cs->restart_for);
}

/* An item's state: "up", "no carrier", "held down 2 s", ", damped". */
static void status_item_state(const struct monitor *m,
			      const struct mon_item *it, uint64_t now,
			      char *buf, size_t len)
{
	int n;

	if (it->input_failed)
		n = snprintf(buf, len, "%s", it->why[0] ? it->why : "failed");
	else if (it->failed)
		n = snprintf(buf, len, "held down %llu s", ull(
			     (it->healthy_since_ns + monitor_holddown_ns(m, it) -
			      now + NS_PER_S - 1) / NS_PER_S));
	else
		n = snprintf(buf, len, "up");
	if (it->flaps && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, ", damped (%u flaps)", it->flaps);
}

/* "device based nsrp monitor interface: wan0(weight 255, up) ..." */
static void status_mon_items(const struct status_src *src, struct ctl_out *o,
			     enum mon_kind kind, const char *what)
{
	const struct monitor *m = &src->health->mon;
	uint64_t now = clock_now_ns();

	ctl_printf(o, "device based nsrp monitor %s:", what);
	for (unsigned int i = 0; i < m->n; i++) {
		const struct mon_item *it = &m->item[i];
		char st[MON_WHY_LEN + 48];

		if (it->kind != kind)
			continue;
		status_item_state(m, it, now, st, sizeof(st));
		ctl_printf(o, " %s(weight %u, %s)", it->name, it->weight, st);
	}
	ctl_printf(o, "\n");
}

static void status_monitoring_text(const struct status_src *src,
				   struct ctl_out *o)
{
	const struct nsrp_config *c = src->cfg;
	const struct health *h = src->health;

	ctl_printf(o, "device based nsrp monitoring threshold: %u, weighted "
		      "sum: %u, %s\n", c->monitor_threshold, h->mon.sum,
		   h->mon.failed ? "failed" : "not failed");
	status_mon_items(src, o, MON_INTERFACE, "interface");
	status_mon_items(src, o, MON_ZONE, "zone");
	ctl_printf(o, "device based nsrp track ip: (weight: %u, %s)\n",
		   c->track_ip_weight, enabled(c->track_ip));
}

/* The seed's "track ip:" section: each target and how it answers. */
static void status_track_text(const struct status_src *src, struct ctl_out *o)
{
	const struct nsrp_config *c = src->cfg;
	const struct health *h = src->health;

	ctl_printf(o, "\ntrack ip: %s\n", enabled(c->track_ip));
	if (!c->track_ip && !h->n_target)
		return;
	ctl_printf(o, "track ip threshold: %u, failed weight: %u, %s\n",
		   c->track_ip_threshold, h->track_sum,
		   h->track_failed ? "failed" : "not failed");
	for (unsigned int i = 0; i < h->n_target; i++) {
		const struct health_target *t = &h->target[i];
		char ip[INET6_ADDRSTRLEN];

		inet_ntop(t->cfg.a.family, t->cfg.a.addr, ip, sizeof(ip));
		ctl_printf(o, "ip %s: method %s, interval %u, threshold %u, "
			      "weight %u, sent %llu, answered %llu, missed "
			      "%u in a row, rtt %llu us, %s\n", ip,
			   t->cfg.method == CFG_TRACK_ARP ? "arp" : "ping",
			   t->cfg.interval_s, t->cfg.threshold, t->cfg.weight,
			   ull(t->st.sent), ull(t->st.replies), t->st.missed,
			   ull(t->st.rtt_ns / NS_PER_US),
			   !c->track_ip ? "not probed" :
			   !t->usable ? "no source to probe from" :
			   t->st.failed ? "failed" : "up");
	}
}

static void json_str(struct ctl_out *o, const char *s);

/* The HA link's keys (hacrypt.h) and a unit whose frames fail them. */
static void status_keys_text(const struct status_src *src, struct ctl_out *o)
{
	const struct hacrypt *k = &src->ha->crypt;

	ctl_printf(o, "HA link key id: %u\n", k->cur.id);
	if (k->changing)
		ctl_printf(o, "key change: frames go out with key id %u until "
			      "the peer accepts %u\n",
			   hacrypt_sending(k)->id, k->cur.id);
	if (src->cl->unverified_alarm)
		ctl_printf(o, "ALARM: %s%s\n", src->cl->unverified_why,
			   src->cl->peer.present ? "" :
			   "; it counts as a live unit");
}

static void status_keys_json(const struct status_src *src, struct ctl_out *o)
{
	const struct hacrypt *k = &src->ha->crypt;
	const struct hasess_unverified *u = &src->ha->unverified;

	ctl_printf(o, ",\"key_id\":%u,\"key_sending\":%u,"
		      "\"key_changing\":%s,\"unverified_alarm\":%s,"
		      "\"unverified_unit\":%u,\"unverified_frames\":%llu,"
		      "\"unverified_why\":",
		   k->cur.id, hacrypt_sending(k)->id,
		   k->changing ? "true" : "false",
		   src->cl->unverified_alarm ? "true" : "false",
		   u->ever ? u->unit_id : 0, (unsigned long long)u->frames);
	json_str(o, src->cl->unverified_alarm ? src->cl->unverified_why : "");
}

static void status_text(const struct status_src *src, struct ctl_out *o)
{
	const struct nsrp_config *c = src->cfg;

	ctl_printf(o, "nsrp version: 2.0 (nsrpd %s)\n\n", NSRPD_VERSION);
	ctl_printf(o, "cluster info:\n");
	ctl_printf(o, "cluster id: %u, name: %s\n", c->cluster_id,
		   c->cluster_name);
	ctl_printf(o, "local unit id: %u\n", src->cl->unit_id);
	ctl_printf(o, "hostname: %s\n", config_hostname(c));
	ctl_printf(o, "active units discovered:\n");
	status_units(src, o);
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
	status_groups(src, o);
	status_rto_text(src, o);
	ctl_printf(o, "\nnsrp link info:\n");
	status_link(src, o, HA_PRIMARY, "control   channel");
	status_link(src, o, HA_SECONDARY, "secondary path channel");
	if (src->cl->primary_alarm)
		ctl_printf(o, "ALARM: control channel lost, the secondary "
			      "path carries the cluster\n");
	if (src->cl->timer_alarm)
		ctl_printf(o, "ALARM: heartbeat timers differ: ours %u ms x "
			      "%u, the peer's %u ms x %u\n",
			   src->cfg->hb_interval_ms, src->cfg->hb_threshold,
			   src->cl->peer.hb.interval_ms,
			   src->cl->peer.hb.threshold);
	ctl_printf(o, "\nNSRP encryption: %s\n",
		   enabled(c->encrypt_password[0]));
	ctl_printf(o, "NSRP authentication: %s\n",
		   enabled(c->auth_password[0]));
	status_keys_text(src, o);
	status_monitoring_text(src, o);
	ctl_printf(o, "number of gratuitous arps: %u\n", c->arp_count);
	status_cfgsync_text(src, o);
	status_track_text(src, o);
	ctl_printf(o, "heartbeats sent: %llu, received: %llu\n",
		   (unsigned long long)src->cl->hb_tx, (unsigned long long)src->cl->hb_rx);
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

static void status_items_json(const struct status_src *src,
			      struct ctl_out *o)
{
	const struct monitor *m = &src->health->mon;
	static const char *const kinds[] = { "interface", "zone", "track-ip" };
	uint64_t now = clock_now_ns();

	ctl_printf(o, "\"items\":[");
	for (unsigned int i = 0; i < m->n; i++) {
		const struct mon_item *it = &m->item[i];
		char st[MON_WHY_LEN + 48];

		status_item_state(m, it, now, st, sizeof(st));
		ctl_printf(o, "%s{\"kind\":\"%s\",\"name\":", i ? "," : "",
			   kinds[it->kind]);
		json_str(o, it->name);
		ctl_printf(o, ",\"weight\":%u,\"failed\":%s,\"input_failed\":%s,"
			      "\"damped\":%s,\"flaps\":%u,\"failures\":%llu,"
			      "\"state\":", it->weight,
			   it->failed ? "true" : "false",
			   it->input_failed ? "true" : "false",
			   it->flaps ? "true" : "false", it->flaps,
			   ull(it->failures));
		json_str(o, st);
		ctl_printf(o, "}");
	}
	ctl_printf(o, "]");
}

static void status_track_json(const struct status_src *src, struct ctl_out *o)
{
	const struct nsrp_config *c = src->cfg;
	const struct health *h = src->health;

	ctl_printf(o, "\"track_ip\":{\"enabled\":%s,\"threshold\":%u,"
		      "\"weight\":%u,\"failed_weight\":%u,\"failed\":%s,"
		      "\"targets\":[", c->track_ip ? "true" : "false",
		   c->track_ip_threshold, c->track_ip_weight, h->track_sum,
		   h->track_failed ? "true" : "false");
	for (unsigned int i = 0; i < h->n_target; i++) {
		const struct health_target *t = &h->target[i];
		char ip[INET6_ADDRSTRLEN];

		inet_ntop(t->cfg.a.family, t->cfg.a.addr, ip, sizeof(ip));
		ctl_printf(o, "%s{\"ip\":\"%s\",\"method\":\"%s\","
			      "\"interval\":%u,\"threshold\":%u,\"weight\":%u,"
			      "\"usable\":%s,\"sent\":%llu,\"answered\":%llu,"
			      "\"missed\":%llu,\"missed_in_a_row\":%u,"
			      "\"rtt_us\":%llu,\"failed\":%s}", i ? "," : "", ip,
			   t->cfg.method == CFG_TRACK_ARP ? "arp" : "ping",
			   t->cfg.interval_s, t->cfg.threshold, t->cfg.weight,
			   t->usable ? "true" : "false", ull(t->st.sent),
			   ull(t->st.replies), ull(t->st.misses), t->st.missed,
			   ull(t->st.rtt_ns / NS_PER_US),
			   t->st.failed ? "true" : "false");
	}
	ctl_printf(o, "]}");
}

static void status_cfgsync_json(const struct status_src *src,
				struct ctl_out *o)
{
	const struct cfgsync *cs = src->cs;

	ctl_printf(o, ",\"config_sync\":{\"enabled\":%s,\"active\":%s,"
		      "\"in_sync\":%s,\"checksum\":%u,\"generation\":%llu,"
		      "\"peer_tells\":%s,\"peer_checksum\":%u,"
		      "\"peer_generation\":%llu,\"peer_version\":",
		   src->cfg->config_sync ? "true" : "false",
		   cfgsync_active(cs) ? "true" : "false",
		   cfgsync_in_sync(cs) ? "true" : "false", cs->own.sum,
		   ull(cs->own.gen), cs->peer_tells ? "true" : "false",
		   cs->peer.sum, ull(cs->peer.gen));
	json_str(o, cs->peer_tells ? cs->peer.version : "");
	ctl_printf(o, ",\"peer_wire\":%u,\"alarm\":%s,\"why\":",
		   cs->peer_tells ? cs->peer.wire : 0,
		   cs->alarm ? "true" : "false");
	json_str(o, cs->why);
	ctl_printf(o, ",\"restart_for\":");
	json_str(o, cs->restart_for);
	ctl_printf(o, ",\"taken\":%llu,\"refused\":%llu,\"files_taken\":"
		      "%llu}", ull(cs->taken), ull(cs->refused),
		   ull(cs->files_taken));
}

static void status_monitoring_json(const struct status_src *src,
				   struct ctl_out *o)
{
	const struct health *h = src->health;

	ctl_printf(o, ",\"monitoring\":{\"threshold\":%u,\"sum\":%u,"
		      "\"failed\":%s,\"holddown_s\":%u,",
		   src->cfg->monitor_threshold, h->mon.sum,
		   h->mon.failed ? "true" : "false",
		   src->cfg->monitor_holddown_s);
	status_items_json(src, o);
	ctl_printf(o, ",");
	status_track_json(src, o);
	ctl_printf(o, "}");
}

static void status_json(const struct status_src *src, struct ctl_out *o)
{
	const struct nsrp_config *c = src->cfg;
	char mac[13];
	bool first = true;

	mac_to_plain(mac, src->cl->mac);
	ctl_printf(o, "{\"cluster_id\":%u,\"cluster_name\":", c->cluster_id);
	json_str(o, c->cluster_name);
	ctl_printf(o, ",\"local_unit_id\":%u,\"ctrl_mac\":\"%s\",\"hostname\":",
		   src->cl->unit_id, mac);
	json_str(o, config_hostname(c));
	mac_to_plain(mac, src->cl->peer.mac);
	ctl_printf(o, ",\"peer\":{\"present\":%s,\"unit_id\":%u,"
		      "\"ctrl_mac\":\"%s\"}",
		   src->cl->peer.present ? "true" : "false", src->cl->peer.unit_id, mac);
	ctl_printf(o, ",\"init_hold\":%u,\"hb_threshold\":%u,"
		      "\"hb_interval_ms\":%u,\"master_always_exist\":%s",
		   c->init_hold_s, c->hb_threshold, c->hb_interval_ms,
		   c->master_always_exist ? "true" : "false");
	ctl_printf(o, ",\"groups\":[");
	for (unsigned int g = 0; g < NSRPD_MAX_VSD; g++) {
		const struct vsd *v = &src->cl->group[g].vsd;
		char mbuf[16], pbuf[16];

		if (!src->cl->group[g].active)
			continue;
		ctl_printf(o, "%s{\"id\":%u,\"priority\":%u,\"preempt\":%s,"
			      "\"holddown\":%u,\"state\":\"%s\","
			      "\"master\":\"%s\",\"pb\":\"%s\","
			      "\"preempt_damped\":%s,\"peer_state\":\"%s\"}",
			   first ? "" : ",", g, v->p.priority,
			   v->p.preempt ? "true" : "false",
			   v->p.holddown_ms / 1000, vsd_state_name(v->state),
			   status_master(src, g, mbuf, sizeof(mbuf)),
			   status_pb(src, g, pbuf, sizeof(pbuf)),
			   v->preempt_armed && v->damped ? "true" : "false",
			   src->cl->group[g].peer_state
				   ? vsd_state_name(src->cl->group[g].peer_state)
				   : "");
		first = false;
	}
	ctl_printf(o, "],\"links\":[");
	for (int i = 0; i < HA_NPATHS; i++)
		ctl_printf(o, "%s{\"role\":\"%s\",\"ifname\":\"%s\","
			      "\"configured\":%s,\"peer_heard\":%s}",
			   i ? "," : "", i ? "secondary" : "primary",
			   src->ha->path[i].ifname,
			   src->ha->path[i].fd >= 0 ? "true" : "false",
			   src->ha->path[i].peer_seen ? "true" : "false");
	ctl_printf(o, "]");
	status_rto_json(src, o);
	status_monitoring_json(src, o);
	status_cfgsync_json(src, o);
	status_keys_json(src, o);
	ctl_printf(o, ",\"timer_alarm\":%s,\"peer_hb_interval_ms\":%u,"
		      "\"peer_hb_threshold\":%u",
		   src->cl->timer_alarm ? "true" : "false",
		   src->cl->peer.hb.interval_ms, src->cl->peer.hb.threshold);
	ctl_printf(o, ",\"primary_alarm\":%s,\"gratuitous_arps\":%u,"
		      "\"encryption\":%s,\"authentication\":%s,"
		      "\"hb_tx\":%llu,\"hb_rx\":%llu}\n",
		   src->cl->primary_alarm ? "true" : "false", c->arp_count,
		   c->encrypt_password[0] ? "true" : "false",
		   c->auth_password[0] ? "true" : "false",
		   (unsigned long long)src->cl->hb_tx, (unsigned long long)src->cl->hb_rx);
}

void status_history(const struct status_src *src, bool json, struct ctl_out *o)
{
	unsigned int n = src->cl->hist_n < CLUSTER_HISTORY ? src->cl->hist_n : CLUSTER_HISTORY;

	if (json)
		ctl_printf(o, "[");
	for (unsigned int i = 0; i < n; i++) {
		const struct cluster_hist *r =
			&src->cl->hist[(src->cl->hist_n - n + i) % CLUSTER_HISTORY];
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
		{ "forbidden", st->forbidden },
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

/* The loop's lateness, as the heartbeats show it (cluster.h). */
static void status_hb_timing(const struct cluster *c, bool json,
			     struct ctl_out *o)
{
	ctl_printf(o, json ? "\"heartbeat\":{\"tx_late_max_us\":%llu,"
			     "\"tx_late\":%llu,\"rx_queued_max_us\":%llu,"
			     "\"rx_late\":%llu},"
			   : "heartbeat timing:\n"
			     "  sent late, most (us)   %llu\n"
			     "  sent over half late    %llu\n"
			     "  queued, most (us)      %llu\n"
			     "  queued over half       %llu\n",
		   (unsigned long long)(c->hb_tx_late_max_ns / 1000),
		   (unsigned long long)c->hb_tx_late,
		   (unsigned long long)(c->hb_rx_queued_max_ns / 1000),
		   (unsigned long long)c->hb_rx_late);
}

int status_counters(const struct status_src *src, bool json, struct ctl_out *o)
{
	__u64 c[NSRP_CNT_MAX];
	int err = dp_read_counters(src->dp, c);

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
			   (unsigned long long)src->ha->rx_drop[i]);
	/* Not a drop: our own broadcasts, which the kernel loops back. */
	ctl_printf(o, json ? ",\"%s\":%llu" : "  %-22s %llu\n", "own-frames",
		   (unsigned long long)src->ha->looped);
	ctl_printf(o, json ? "},\"xdp_mode\":{" : "XDP attachment:\n");
	for (int i = 0; i < src->dp->n_ifaces; i++)
		ctl_printf(o, json ? "%s\"%s\":\"%s\"" : "  %.0s%-22s %s\n",
			   i ? "," : "", src->dp->ifaces[i].name,
			   src->dp->ifaces[i].xdp_how);
	if (json)
		ctl_printf(o, "},\"xdp_dispatcher\":\"%s\",\"ha_paths\":{",
			   dp_dispatcher_note(src->dp));
	else
		ctl_printf(o, "  %-22s %s\n", "dispatcher",
			   dp_dispatcher_note(src->dp));
	for (int i = 0, n = 0; i < HA_NPATHS; i++) {
		if (src->ha->path[i].fd < 0)
			continue;
		ctl_printf(o, json && n++ ? "," : "");
		status_path_counters(&src->ha->path[i],
				     i == HA_PRIMARY ? "primary" : "secondary",
				     json, o);
	}
	ctl_printf(o, json ? "}," : "");
	status_hb_timing(src->cl, json, o);
	status_ctl_counters(src->ctl, json, o);
	ctl_printf(o, json ? ",\"notify\":{\"runs\":%llu,\"failed\":%llu}}\n"
			   : "notify hook:\n  runs                   %llu\n"
			     "  failed                 %llu\n",
		   (unsigned long long)src->nt->runs,
		   (unsigned long long)src->nt->fail);
	return 0;
}

void status_nsrp(const struct status_src *src, bool json, struct ctl_out *o)
{
	if (json)
		status_json(src, o);
	else
		status_text(src, o);
}

int status_config(const struct status_src *src, struct ctl_out *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	config_write(src->cfg, f);
	fclose(f);
	ctl_write(o, buf, len);
	free(buf);
	return 0;
}
