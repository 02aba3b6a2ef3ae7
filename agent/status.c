// SPDX-License-Identifier: GPL-2.0-only
/*
 * status.c - "get nsrp" in the layout of ScreenOS's, its history, the
 * counters and the running configuration (see status.h).
 *
 * The text of "get nsrp" is the seed's, line for line and column for
 * column, with a real value or "not available" in every field; what
 * nsrpd adds (its sync counters, alarms, peers heard, the configuration's
 * checksums) follows in a section of its own, so that what reads
 * ScreenOS's output reads this one. JSON goes through jsonout.h.
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
#include "jsonout.h"
#include "netlink.h"
#include "routeview.h"
#include "status.h"
#include "version.h"

/* ScreenOS's "data mac" when a unit has no HA data link: nsrpd has none. */
#define STATUS_NO_DATA_MAC	"ffffffffffff"

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static const char *enabled(bool b)
{
	return b ? "enabled" : "disabled";
}

static unsigned long long ull(uint64_t v)
{
	return v;
}

/* ------------------------------------------------------------- get nsrp */

static void status_units(const struct status_src *src, struct ctl_out *o)
{
	const struct cluster *cl = src->cl;
	char mac[13];

	mac_to_plain(mac, cl->mac);
	ctl_printf(o, "index: 0, unit id: %9u, ctrl mac: %s , data mac: %s\n",
		   cl->unit_id, mac, STATUS_NO_DATA_MAC);
	if (cl->peer.present) {
		mac_to_plain(mac, cl->peer.mac);
		ctl_printf(o, "index: 1, unit id: %9u, ctrl mac: %s , data "
			      "mac: %s\n", cl->peer.unit_id, mac,
			   STATUS_NO_DATA_MAC);
	}
	ctl_printf(o, "total number of units: %d\n", 1 + cl->peer.present);
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

/* Members that are neither master nor primary backup: the peer, if so. */
static const char *status_others(const struct status_src *src, unsigned int g,
				 char *buf, size_t len)
{
	const struct cluster_group *grp = &src->cl->group[g];

	if (!src->cl->peer.present || grp->peer_state == VSD_MASTER ||
	    (grp->peer_state == VSD_BACKUP && vsd_is_master(&grp->vsd)))
		return "";
	snprintf(buf, len, "%u", src->cl->peer.unit_id);
	return buf;
}

/* The seed's loop line; times in microseconds (loopstat.h). */
static void status_loop(const struct status_src *src, struct ctl_out *o)
{
	const struct loop_stats *l = src->loop;

	ctl_printf(o, "Total iteration=%llu,time=%llu,max=%llu,min=%llu,"
		      "average=%llu\n", ull(l->passes),
		   ull(l->total_ns / NS_PER_US), ull(l->max_ns / NS_PER_US),
		   ull(l->passes ? l->min_ns / NS_PER_US : 0),
		   ull(loopstat_mean_ns(l) / NS_PER_US));
}

static void status_groups(const struct status_src *src, struct ctl_out *o)
{
	int n = 0;

	ctl_printf(o, "group priority preempt holddown inelig   master       "
		      "PB other members\n");
	for (unsigned int g = 0; g < NSRPD_MAX_VSD; g++) {
		const struct vsd *v = &src->cl->group[g].vsd;
		char mbuf[16], pbuf[16], obuf[16];

		if (!src->cl->group[g].active)
			continue;
		n++;
		/* The seed's widths: master and PB end under their heads. */
		ctl_printf(o, "%5u %8u %-7s %8u %-6s%9s%9s %s\n", g,
			   v->p.priority, yes_no(v->p.preempt),
			   v->p.holddown_ms / 1000,
			   yes_no(v->state == VSD_INELIGIBLE),
			   status_master(src, g, mbuf, sizeof(mbuf)),
			   status_pb(src, g, pbuf, sizeof(pbuf)),
			   status_others(src, g, obuf, sizeof(obuf)));
	}
	ctl_printf(o, "total number of vsd groups: %d\n", n);
	status_loop(src, o);
}

static void status_rto_text(const struct status_src *src, struct ctl_out *o)
{
	bool sync = src->cfg->rto_mirror_sync;

	ctl_printf(o, "\nRTO mirror info:\n");
	ctl_printf(o, "run time object sync:   %s\n", enabled(sync));
	ctl_printf(o, "route synchronization: %s\n",
		   enabled(src->cfg->rto_mirror_route));
	/* Echo sessions are sessions: they go with the others. */
	ctl_printf(o, "ping session sync: %s\n", enabled(sync));
	ctl_printf(o, "coldstart sync %s\n",
		   src->sy->coldstart_done ? "done" : "not done");
	ctl_printf(o, "nsrp data packet forwarding is not available\n");
	if (src->rs)
		routeview_status_text(src->rs, clock_now_ns(), o);
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
	ctl_printf(o, "%s: %s (ifnum: %d)  mac: %s state: %s\n", what,
		   p->ifname, p->ifindex, mac, li.running ? "up" : "down");
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
	int shown = 0;

	ctl_printf(o, "device based nsrp monitor %s: ", what);
	for (unsigned int i = 0; i < m->n; i++) {
		const struct mon_item *it = &m->item[i];
		char st[MON_WHY_LEN + 48];

		if (it->kind != kind)
			continue;
		status_item_state(m, it, now, st, sizeof(st));
		ctl_printf(o, "%s%s(weight %u, %s)", shown++ ? " " : "",
			   it->name, it->weight, st);
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

/* ----------------------------------------- the deadlines and the probes */

static unsigned long long ms(uint64_t ns)
{
	return ns / NS_PER_MS;
}

/* The groups of a bitmap, "0 2", or "none". */
static const char *status_groups_of(uint8_t bits, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < NSRPD_MAX_VSD && used + 3 < len; i++)
		if (bits & (1u << i))
			used += snprintf(buf + used, len - used, "%s%u",
					 used ? " " : "", i);
	return used ? buf : "none";
}

static void status_deadlines_text(const struct status_src *src,
				  struct ctl_out *o)
{
	const struct cluster *c = src->cl;
	uint64_t now = clock_now_ns();

	ctl_printf(o, "data plane deadline: %llu ms (hb-interval x "
		      "hb-threshold), the peer's %llu ms\n",
		   ms(cluster_dead_ns(c)), ms(cluster_peer_dead_ns(c)));
	ctl_printf(o, "control plane deadline: %llu ms, the peer's %llu ms\n",
		   ms(cluster_ctl_dead_ns(c)), ms(cluster_peer_ctl_dead_ns(c)));
	if (c->peer_ctl_silent)
		ctl_printf(o, "ALARM: the peer's agent is silent for %llu ms; "
			      "its data plane answers: kept up to its control "
			      "plane deadline\n", ms(now - c->peer.last_rx_ns));
	if (c->split)
		ctl_printf(o, "ALARM: split brain: the peer is heard on no HA "
			      "path, but its data plane answers; %s\n",
			   src->cfg->has_witness ? "the witness decides" :
			   "no witness: each unit acts alone");
}

static void status_probes_text(const struct status_src *src,
			       struct ctl_out *o)
{
	const struct dpprobe *p = src->probe;
	uint64_t now = clock_now_ns();
	char g[32];

	if (!p || p->fd < 0)
		return;
	ctl_printf(o, "data plane probes (answered by the peer's XDP "
		      "program):\n");
	for (unsigned int i = 0; i < p->n; i++) {
		const struct dpprobe_path *pp = &p->path[i];

		ctl_printf(o, "  %s: sent %llu, answered %llu, lost %llu, "
			      "round trip %llu us", pp->ifname, ull(pp->sent),
			   ull(pp->answered), ull(pp->lost),
			   ull(pp->rtt_ns / NS_PER_US));
		if (pp->heard_ns)
			ctl_printf(o, ", last answer %llu ms ago, it answers "
				      "for groups: %s", ms(now - pp->heard_ns),
				   status_groups_of(pp->masters, g, sizeof(g)));
		ctl_printf(o, "\n");
	}
}

static void status_witness_text(const struct status_src *src,
				struct ctl_out *o)
{
	const struct health_target *w = &src->health->witness;
	char ip[INET6_ADDRSTRLEN];

	if (!src->health->has_witness)
		return;
	inet_ntop(w->cfg.a.family, w->cfg.a.addr, ip, sizeof(ip));
	ctl_printf(o, "witness %s: %s, sent %llu, answered %llu, rtt %llu us\n",
		   ip, !w->usable ? "no source to probe from" :
		   health_witness_ok(src->health) ? "answers" :
		   "does not answer", ull(w->st.sent), ull(w->st.replies),
		   ull(w->st.rtt_ns / NS_PER_US));
}

/* ------------------------------------------- what nsrpd adds, as text */

static void status_extra_units(const struct status_src *src,
			       struct ctl_out *o)
{
	const struct cluster *cl = src->cl;
	char mac[13];

	ctl_printf(o, "nsrpd %s, hostname: %s\n", NSRPD_VERSION,
		   config_hostname(src->cfg));
	if (cl->peer.ever && !cl->peer.present) {
		mac_to_plain(mac, cl->peer.mac);
		ctl_printf(o, "peer unit id %u (ctrl mac %s): lost\n",
			   cl->peer.unit_id, mac);
	}
	for (unsigned int g = 0; g < NSRPD_MAX_VSD; g++) {
		const struct vsd *v = &cl->group[g].vsd;

		if (!cl->group[g].active)
			continue;
		ctl_printf(o, "vsd group %u: local state %s%s\n", g,
			   vsd_state_name(v->state),
			   vsd_giving(v) ? ", handing master over to the peer" :
			   v->claiming ? ", asking the master to hand over" :
			   "");
		if (v->preempt_armed && v->damped)
			ctl_printf(o, "vsd group %u: failover damping holds the "
				      "preempt for %llu s\n", g,
				   ull((v->preempt_at_ns - clock_now_ns()) /
				       NS_PER_S));
	}
	if (src->cfg->standalone_role != CFG_ROLE_ELECT)
		ctl_printf(o, "standalone role: %s (no election)\n",
			   src->cfg->standalone_role == CFG_ROLE_MASTER ?
			   "master" : "backup");
}

/*
 * A path: whether the peer is heard on it, and what its heartbeats' echo
 * tells (halink.h): their round trip, smoothed, and the peer's lost.
 */
static void status_path_echo(const struct ha_path *p, const char *name,
			     struct ctl_out *o)
{
	ctl_printf(o, "%s: peer %s", name, p->peer_seen ? "heard" : "not heard");
	if (p->hb.rtts)
		ctl_printf(o, ", round trip %llu us (last %llu us)",
			   ull(p->hb.rtt_ns / NS_PER_US),
			   ull(p->hb.rtt_last_ns / NS_PER_US));
	ctl_printf(o, ", heartbeats heard %llu, lost %llu\n",
		   ull(p->hb.heard), ull(p->hb.lost));
}

static void status_extra_links(const struct status_src *src,
			       struct ctl_out *o)
{
	static const char *const names[HA_NPATHS] = {
		[HA_PRIMARY] = "control channel",
		[HA_SECONDARY] = "secondary path channel",
	};

	for (int i = 0; i < HA_NPATHS; i++)
		if (src->ha->path[i].fd >= 0)
			status_path_echo(&src->ha->path[i], names[i], o);
	if (src->cl->primary_alarm)
		ctl_printf(o, "ALARM: control channel lost, the secondary "
			      "path carries the cluster\n");
	if (src->cl->timer_alarm)
		ctl_printf(o, "ALARM: heartbeat timers differ: ours %u ms x "
			      "%u, the peer's %u ms x %u\n",
			   src->cfg->hb_interval_ms, src->cfg->hb_threshold,
			   src->cl->peer.hb.interval_ms,
			   src->cl->peer.hb.threshold);
	ctl_printf(o, "heartbeats sent: %llu, received: %llu\n",
		   ull(src->cl->hb_tx), ull(src->cl->hb_rx));
}

/* The HA link's keys (hacrypt.h) and a unit whose frames fail them. */
static void status_extra_keys(const struct status_src *src,
			      struct ctl_out *o)
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

static void status_extra_rto(const struct status_src *src, struct ctl_out *o)
{
	const struct sync *s = src->sy;

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
		   ull(s->ageout_kept), ull(s->ageout_deleted),
		   ull(src->sw->swept));
	ctl_printf(o, "conntrack committed on takeover: %llu (failed %llu); "
		      "neighbours sent: %llu, installed: %llu\n",
		   ull(src->cth->committed), ull(src->cth->failed),
		   ull(s->neigh_sent), ull(s->neigh_installed));
	if (s->stall_alarm)
		ctl_printf(o, "ALARM: RTO sync stalled, the peer acknowledges "
			      "nothing\n");
}

/* What config sync finds: the checksums, the peer's version, alarms. */
static void status_extra_cfgsync(const struct status_src *src,
				 struct ctl_out *o)
{
	const struct cfgsync *cs = src->cs;

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

static void status_text(const struct status_src *src, struct ctl_out *o)
{
	const struct nsrp_config *c = src->cfg;

	ctl_printf(o, "nsrp version: 2.0\n\n");
	ctl_printf(o, "cluster info:\n");
	ctl_printf(o, "cluster id: %u, name: %s\n", c->cluster_id,
		   c->cluster_name);
	ctl_printf(o, "local unit id: %u\n", src->cl->unit_id);
	ctl_printf(o, "active units discovered: \n");
	status_units(src, o);
	ctl_printf(o, "\nVSD group info:\n");
	ctl_printf(o, "init hold time: %u\n", c->init_hold_s);
	ctl_printf(o, "heartbeat lost threshold: %u\n", c->hb_threshold);
	ctl_printf(o, "heartbeat interval: %u(ms)\n", c->hb_interval_ms);
	status_deadlines_text(src, o);
	ctl_printf(o, "master always exist: %s\n",
		   enabled(c->master_always_exist));
	status_groups(src, o);
	status_rto_text(src, o);
	ctl_printf(o, "\nnsrp link info:\n");
	status_link(src, o, HA_PRIMARY, "control   channel");
	ctl_printf(o, "ha data link not available\n");
	status_link(src, o, HA_SECONDARY, "secondary path channel");
	ctl_printf(o, "\nNSRP encryption: %s\n",
		   enabled(c->encrypt_password[0]));
	ctl_printf(o, "NSRP authentication: %s\n",
		   enabled(c->auth_password[0]));
	status_monitoring_text(src, o);
	ctl_printf(o, "number of gratuitous arps: %u\n", c->arp_count);
	ctl_printf(o, "config sync: %s\n", enabled(c->config_sync));
	status_track_text(src, o);

	ctl_printf(o, "\nnsrpd:\n");
	status_extra_units(src, o);
	status_extra_links(src, o);
	status_deadlines_text(src, o);
	status_probes_text(src, o);
	status_witness_text(src, o);
	status_extra_keys(src, o);
	status_extra_rto(src, o);
	status_extra_cfgsync(src, o);
}

/* ------------------------------------------------------ get nsrp -j */

static const char *state_or_empty(uint8_t state)
{
	return state ? vsd_state_name(state) : "";
}

static json_t *status_groups_json(const struct status_src *src)
{
	json_t *a = json_array();

	for (unsigned int g = 0; a && g < NSRPD_MAX_VSD; g++) {
		const struct cluster_group *grp = &src->cl->group[g];
		const struct vsd *v = &grp->vsd;
		char mbuf[16], pbuf[16];
		json_t *o;

		if (!grp->active)
			continue;
		o = json_object();
		if (!o)
			break;
		jsonout_set_uint(o, "id", g);
		jsonout_set_uint(o, "priority", v->p.priority);
		jsonout_set_bool(o, "preempt", v->p.preempt);
		jsonout_set_uint(o, "holddown", v->p.holddown_ms / 1000);
		jsonout_set_str(o, "state", vsd_state_name(v->state));
		jsonout_set_str(o, "master",
				status_master(src, g, mbuf, sizeof(mbuf)));
		jsonout_set_str(o, "pb", status_pb(src, g, pbuf, sizeof(pbuf)));
		jsonout_set_str(o, "peer_state", state_or_empty(grp->peer_state));
		jsonout_set_bool(o, "preempt_damped",
				 v->preempt_armed && v->damped);
		jsonout_set_bool(o, "giving", vsd_giving(v));
		jsonout_set_bool(o, "claiming", v->claiming);
		jsonout_set_bool(o, "inelig", v->state == VSD_INELIGIBLE);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *status_links_json(const struct status_src *src)
{
	json_t *a = json_array();

	for (int i = 0; a && i < HA_NPATHS; i++) {
		const struct ha_path *p = &src->ha->path[i];
		struct link_info li = { 0 };
		json_t *o = json_object();
		char mac[13] = "";

		if (!o)
			break;
		if (p->fd >= 0 && !link_info_get(p->ifname, &li))
			mac_to_plain(mac, li.mac);
		jsonout_set_str(o, "role", i ? "secondary" : "primary");
		jsonout_set_str(o, "ifname", p->ifname);
		jsonout_set_bool(o, "configured", p->fd >= 0);
		jsonout_set_bool(o, "peer_heard", p->peer_seen);
		jsonout_set_uint(o, "ifindex", p->fd >= 0 ? p->ifindex : 0);
		jsonout_set_str(o, "mac", mac);
		jsonout_set_bool(o, "up", p->fd >= 0 && li.running);
		jsonout_set_uint(o, "rtt_us", p->hb.rtt_ns / NS_PER_US);
		jsonout_set_uint(o, "rtt_last_us",
				 p->hb.rtt_last_ns / NS_PER_US);
		jsonout_set_uint(o, "rtts", p->hb.rtts);
		jsonout_set_uint(o, "hb_heard", p->hb.heard);
		jsonout_set_uint(o, "hb_lost", p->hb.lost);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *status_rto_json(const struct status_src *src)
{
	const struct sync *s = src->sy;
	json_t *o = json_object();

	if (!o)
		return NULL;
	jsonout_set_bool(o, "sync", src->cfg->rto_mirror_sync);
	jsonout_set_bool(o, "ageout_ack", src->cfg->rto_ageout_ack);
	jsonout_set_bool(o, "coldstart_done", s->coldstart_done);
	jsonout_set_bool(o, "stall_alarm", s->stall_alarm);
	jsonout_set_uint(o, "sent", s->tx.sent);
	jsonout_set_uint(o, "acked", s->tx.acked);
	jsonout_set_uint(o, "retransmitted", s->tx.retransmitted);
	jsonout_set_uint(o, "lag", rto_tx_pending(&s->tx));
	jsonout_set_uint(o, "applied", s->rx.applied);
	jsonout_set_uint(o, "apply_errors", s->apply_errors);
	jsonout_set_uint(o, "skipped_owned", s->skipped_owned);
	jsonout_set_uint(o, "duplicates", s->rx.duplicates);
	jsonout_set_uint(o, "resyncs", s->resyncs);
	jsonout_set_uint(o, "bulk_received", s->bulk_done);
	jsonout_set_uint(o, "overflows", s->overflows);
	jsonout_set_uint(o, "events", s->events);
	jsonout_set_uint(o, "ageout_queries", s->ageout_queries);
	jsonout_set_uint(o, "ageout_kept", s->ageout_kept);
	jsonout_set_uint(o, "ageout_deleted", s->ageout_deleted);
	jsonout_set_uint(o, "swept", src->sw->swept);
	jsonout_set_uint(o, "ct_committed", src->cth->committed);
	jsonout_set_uint(o, "ct_failed", src->cth->failed);
	jsonout_set_uint(o, "neigh_sent", s->neigh_sent);
	jsonout_set_uint(o, "neigh_installed", s->neigh_installed);
	jsonout_set_bool(o, "route_sync", src->cfg->rto_mirror_route);
	/* The seed's fields nsrpd does not have: null, said so. */
	jsonout_set_bool(o, "ping_session_sync", src->cfg->rto_mirror_sync);
	jsonout_set(o, "data_forwarding", json_null());
	return o;
}

static json_t *status_items_json(const struct status_src *src)
{
	static const char *const kinds[] = { "interface", "zone", "track-ip" };
	const struct monitor *m = &src->health->mon;
	uint64_t now = clock_now_ns();
	json_t *a = json_array();

	for (unsigned int i = 0; a && i < m->n; i++) {
		const struct mon_item *it = &m->item[i];
		char st[MON_WHY_LEN + 48];
		json_t *o = json_object();

		if (!o)
			break;
		status_item_state(m, it, now, st, sizeof(st));
		jsonout_set_str(o, "kind", kinds[it->kind]);
		jsonout_set_str(o, "name", it->name);
		jsonout_set_uint(o, "weight", it->weight);
		jsonout_set_bool(o, "failed", it->failed);
		jsonout_set_bool(o, "input_failed", it->input_failed);
		jsonout_set_bool(o, "damped", it->flaps);
		jsonout_set_uint(o, "flaps", it->flaps);
		jsonout_set_uint(o, "failures", it->failures);
		jsonout_set_str(o, "state", st);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *status_track_json(const struct status_src *src)
{
	const struct nsrp_config *c = src->cfg;
	const struct health *h = src->health;
	json_t *o = json_object(), *a = json_array();

	if (!o || !a) {
		json_decref(o);
		json_decref(a);
		return NULL;
	}
	jsonout_set_bool(o, "enabled", c->track_ip);
	jsonout_set_uint(o, "threshold", c->track_ip_threshold);
	jsonout_set_uint(o, "weight", c->track_ip_weight);
	jsonout_set_uint(o, "failed_weight", h->track_sum);
	jsonout_set_bool(o, "failed", h->track_failed);
	for (unsigned int i = 0; i < h->n_target; i++) {
		const struct health_target *t = &h->target[i];
		char ip[INET6_ADDRSTRLEN];
		json_t *e = json_object();

		if (!e)
			break;
		inet_ntop(t->cfg.a.family, t->cfg.a.addr, ip, sizeof(ip));
		jsonout_set_str(e, "ip", ip);
		jsonout_set_str(e, "method",
				t->cfg.method == CFG_TRACK_ARP ? "arp" : "ping");
		jsonout_set_uint(e, "interval", t->cfg.interval_s);
		jsonout_set_uint(e, "threshold", t->cfg.threshold);
		jsonout_set_uint(e, "weight", t->cfg.weight);
		jsonout_set_bool(e, "usable", t->usable);
		jsonout_set_uint(e, "sent", t->st.sent);
		jsonout_set_uint(e, "answered", t->st.replies);
		jsonout_set_uint(e, "missed", t->st.misses);
		jsonout_set_uint(e, "missed_in_a_row", t->st.missed);
		jsonout_set_uint(e, "rtt_us", t->st.rtt_ns / NS_PER_US);
		jsonout_set_bool(e, "failed", t->st.failed);
		json_array_append_new(a, e);
	}
	jsonout_set(o, "targets", a);
	return o;
}

static json_t *status_monitoring_json(const struct status_src *src)
{
	const struct health *h = src->health;
	json_t *o = json_object();

	if (!o)
		return NULL;
	jsonout_set_uint(o, "threshold", src->cfg->monitor_threshold);
	jsonout_set_uint(o, "sum", h->mon.sum);
	jsonout_set_bool(o, "failed", h->mon.failed);
	jsonout_set_uint(o, "holddown_s", src->cfg->monitor_holddown_s);
	jsonout_set(o, "items", status_items_json(src));
	jsonout_set(o, "track_ip", status_track_json(src));
	return o;
}

static json_t *status_cfgsync_json(const struct status_src *src)
{
	const struct cfgsync *cs = src->cs;
	json_t *o = json_object();

	if (!o)
		return NULL;
	jsonout_set_bool(o, "enabled", src->cfg->config_sync);
	jsonout_set_bool(o, "active", cfgsync_active(cs));
	jsonout_set_bool(o, "in_sync", cfgsync_in_sync(cs));
	jsonout_set_uint(o, "checksum", cs->own.sum);
	jsonout_set_uint(o, "generation", cs->own.gen);
	jsonout_set_bool(o, "peer_tells", cs->peer_tells);
	jsonout_set_uint(o, "peer_checksum", cs->peer.sum);
	jsonout_set_uint(o, "peer_generation", cs->peer.gen);
	jsonout_set_str(o, "peer_version",
			cs->peer_tells ? cs->peer.version : "");
	jsonout_set_uint(o, "peer_wire", cs->peer_tells ? cs->peer.wire : 0);
	jsonout_set_bool(o, "alarm", cs->alarm);
	jsonout_set_str(o, "why", cs->why);
	jsonout_set_str(o, "restart_for", cs->restart_for);
	jsonout_set_uint(o, "taken", cs->taken);
	jsonout_set_uint(o, "refused", cs->refused);
	jsonout_set_uint(o, "files_taken", cs->files_taken);
	return o;
}

static void status_keys_json(const struct status_src *src, json_t *o)
{
	const struct hacrypt *k = &src->ha->crypt;
	const struct hasess_unverified *u = &src->ha->unverified;
	bool alarm = src->cl->unverified_alarm;

	jsonout_set_uint(o, "key_id", k->cur.id);
	jsonout_set_uint(o, "key_sending", hacrypt_sending(k)->id);
	jsonout_set_bool(o, "key_changing", k->changing);
	jsonout_set_bool(o, "unverified_alarm", alarm);
	jsonout_set_uint(o, "unverified_unit", u->ever ? u->unit_id : 0);
	jsonout_set_uint(o, "unverified_frames", u->frames);
	jsonout_set_str(o, "unverified_why",
			alarm ? src->cl->unverified_why : "");
}

static json_t *status_probes_json(const struct status_src *src)
{
	const struct dpprobe *p = src->probe;
	uint64_t now = clock_now_ns();
	json_t *a = json_array();

	for (unsigned int i = 0; a && p && p->fd >= 0 && i < p->n; i++) {
		const struct dpprobe_path *pp = &p->path[i];
		json_t *e = json_object();

		if (!e)
			break;
		jsonout_set_str(e, "ifname", pp->ifname);
		jsonout_set_uint(e, "sent", pp->sent);
		jsonout_set_uint(e, "answered", pp->answered);
		jsonout_set_uint(e, "lost", pp->lost);
		jsonout_set_uint(e, "rtt_us", pp->rtt_ns / NS_PER_US);
		jsonout_set(e, "age_ms", json_integer(pp->heard_ns ?
				(json_int_t)ms(now - pp->heard_ns) : -1));
		jsonout_set_uint(e, "masters", pp->masters);
		jsonout_set_uint(e, "leaving", pp->leaving);
		json_array_append_new(a, e);
	}
	return a;
}

static json_t *status_witness_json(const struct status_src *src)
{
	const struct health *h = src->health;
	json_t *o = json_object();

	if (!o)
		return NULL;
	jsonout_set_bool(o, "configured", h->has_witness);
	jsonout_set_bool(o, "ok", health_witness_ok(h));
	jsonout_set_uint(o, "sent", h->witness.st.sent);
	jsonout_set_uint(o, "answered", h->witness.st.replies);
	return o;
}

static void status_deadlines_json(const struct status_src *src, json_t *o)
{
	const struct cluster *c = src->cl;

	jsonout_set_uint(o, "dp_deadline_ms", ms(cluster_dead_ns(c)));
	jsonout_set_uint(o, "ctl_deadline_ms", ms(cluster_ctl_dead_ns(c)));
	jsonout_set_uint(o, "peer_dp_deadline_ms",
			 ms(cluster_peer_dead_ns(c)));
	jsonout_set_uint(o, "peer_ctl_deadline_ms",
			 ms(cluster_peer_ctl_dead_ns(c)));
	jsonout_set_bool(o, "peer_ctl_silent", c->peer_ctl_silent);
	jsonout_set_bool(o, "split", c->split);
	jsonout_set(o, "probes", status_probes_json(src));
	jsonout_set(o, "witness", status_witness_json(src));
}

static json_t *status_peer_json(const struct status_src *src)
{
	const struct cluster *cl = src->cl;
	json_t *o = json_object();
	char mac[13];

	if (!o)
		return NULL;
	mac_to_plain(mac, cl->peer.mac);
	jsonout_set_bool(o, "present", cl->peer.present);
	jsonout_set_uint(o, "unit_id", cl->peer.unit_id);
	jsonout_set_str(o, "ctrl_mac", mac);
	jsonout_set_str(o, "data_mac", STATUS_NO_DATA_MAC);
	jsonout_set_bool(o, "ever", cl->peer.ever);
	return o;
}

static json_t *status_loop_json(const struct status_src *src)
{
	const struct loop_stats *l = src->loop;
	json_t *o = json_object();

	if (!o)
		return NULL;
	jsonout_set_uint(o, "iterations", l->passes);
	jsonout_set_uint(o, "time_us", l->total_ns / NS_PER_US);
	jsonout_set_uint(o, "max_us", l->max_ns / NS_PER_US);
	jsonout_set_uint(o, "min_us", l->passes ? l->min_ns / NS_PER_US : 0);
	jsonout_set_uint(o, "average_us", loopstat_mean_ns(l) / NS_PER_US);
	return o;
}

static json_t *status_json(const struct status_src *src)
{
	const struct nsrp_config *c = src->cfg;
	json_t *o = jsonout_object();
	char mac[13];

	if (!o)
		return NULL;
	mac_to_plain(mac, src->cl->mac);
	jsonout_set_str(o, "nsrp_version", "2.0");
	jsonout_set_str(o, "nsrpd_version", NSRPD_VERSION);
	jsonout_set_uint(o, "cluster_id", c->cluster_id);
	jsonout_set_str(o, "cluster_name", c->cluster_name);
	jsonout_set_uint(o, "local_unit_id", src->cl->unit_id);
	jsonout_set_str(o, "ctrl_mac", mac);
	jsonout_set_str(o, "data_mac", STATUS_NO_DATA_MAC);
	jsonout_set_str(o, "hostname", config_hostname(c));
	jsonout_set(o, "peer", status_peer_json(src));
	jsonout_set_uint(o, "units", 1 + src->cl->peer.present);
	jsonout_set_uint(o, "init_hold", c->init_hold_s);
	jsonout_set_uint(o, "hb_threshold", c->hb_threshold);
	jsonout_set_uint(o, "hb_interval_ms", c->hb_interval_ms);
	jsonout_set_bool(o, "master_always_exist", c->master_always_exist);
	jsonout_set_str(o, "standalone_role",
			c->standalone_role == CFG_ROLE_MASTER ? "master" :
			c->standalone_role == CFG_ROLE_BACKUP ? "backup" : "");
	jsonout_set(o, "groups", status_groups_json(src));
	jsonout_set(o, "loop", status_loop_json(src));
	jsonout_set(o, "links", status_links_json(src));
	jsonout_set(o, "data_link", json_null());
	jsonout_set(o, "rto", status_rto_json(src));
	if (src->rs)
		jsonout_set(o, "route", routeview_status_json(src->rs, c,
							   clock_now_ns()));
	jsonout_set(o, "monitoring", status_monitoring_json(src));
	jsonout_set(o, "config_sync", status_cfgsync_json(src));
	status_keys_json(src, o);
	status_deadlines_json(src, o);
	jsonout_set_bool(o, "timer_alarm", src->cl->timer_alarm);
	jsonout_set_uint(o, "peer_hb_interval_ms", src->cl->peer.hb.interval_ms);
	jsonout_set_uint(o, "peer_hb_threshold", src->cl->peer.hb.threshold);
	jsonout_set_bool(o, "primary_alarm", src->cl->primary_alarm);
	jsonout_set_uint(o, "gratuitous_arps", c->arp_count);
	jsonout_set_bool(o, "encryption", c->encrypt_password[0]);
	jsonout_set_bool(o, "authentication", c->auth_password[0]);
	jsonout_set_uint(o, "hb_tx", src->cl->hb_tx);
	jsonout_set_uint(o, "hb_rx", src->cl->hb_rx);
	return o;
}

int status_nsrp(const struct status_src *src, bool json, struct ctl_out *o)
{
	if (json)
		return jsonout_write(o, status_json(src), true);
	status_text(src, o);
	return 0;
}

/* ------------------------------------------------------------ history */

static json_t *status_hist_json(const struct cluster_hist *r, const char *when)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	jsonout_set_str(o, "time", when);
	jsonout_set_uint(o, "mono_ns", r->mono_ns);
	jsonout_set_uint(o, "group", r->vsd);
	jsonout_set_str(o, "from", vsd_state_name(r->t.from));
	jsonout_set_str(o, "to", vsd_state_name(r->t.to));
	jsonout_set_str(o, "reason", r->t.reason);
	return o;
}

int status_history(const struct status_src *src, bool json,
		   struct ctl_out *o)
{
	const struct cluster *cl = src->cl;
	unsigned int n = cl->hist_n < CLUSTER_HISTORY ? cl->hist_n
						      : CLUSTER_HISTORY;
	/* An array, as from the start: "jq length" counts transitions. */
	json_t *a = json ? json_array() : NULL;

	if (json && !a)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		const struct cluster_hist *r =
			&cl->hist[(cl->hist_n - n + i) % CLUSTER_HISTORY];
		char when[32];
		struct tm tm;
		time_t t = r->real_s;

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
			 localtime_r(&t, &tm));
		if (json)
			json_array_append_new(a, status_hist_json(r, when));
		else
			ctl_printf(o, "%s  vsd-group %u  %-10s -> %-10s  %s\n",
				   when, r->vsd, vsd_state_name(r->t.from),
				   vsd_state_name(r->t.to), r->t.reason);
	}
	return json ? jsonout_write(o, a, true) : 0;
}

/* ----------------------------------------------------------- counters */

struct status_counter {
	const char *name;
	uint64_t v;
};

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* A block of counters: a JSON object's members, or indented lines. */
static void status_counter_list(struct ctl_out *o, json_t *obj,
				const struct status_counter *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (obj)
			jsonout_set_uint(obj, c[i].name, c[i].v);
		else
			ctl_printf(o, "  %-22s %llu\n", c[i].name, ull(c[i].v));
	}
}

/* A named block: its heading as text, or a member object as JSON. */
static json_t *status_block(struct ctl_out *o, json_t *parent,
			    const char *key, const char *heading)
{
	json_t *b;

	if (!parent) {
		ctl_printf(o, "%s:\n", heading);
		return NULL;
	}
	b = json_object();
	jsonout_set(parent, key, b);
	return b;
}

/* The control socket's own: who was refused, what was cut or offloaded. */
static void status_ctl_counters(const struct ctl_stats *st, struct ctl_out *o,
				json_t *root)
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

	status_counter_list(o, status_block(o, root, "control",
					    "control socket"),
			    c, ARRAY_LEN(c));
}

/* Each HA path's datagrams, and the syscalls that moved them. */
static void status_path_counters(const struct ha_path *p, const char *role,
				 struct ctl_out *o, json_t *paths)
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
		{ "hb_sent", p->hb.sent },
		{ "hb_heard", p->hb.heard },
		{ "hb_lost", p->hb.lost },
		{ "rtts", p->hb.rtts },
		{ "rtt_us", p->hb.rtt_ns / NS_PER_US },
	};
	json_t *b = NULL;

	if (paths) {
		b = json_object();
		jsonout_set(paths, role, b);
		jsonout_set_str(b, "ifname", p->ifname);
		jsonout_set_uint(b, "mtu", p->mtu);
		jsonout_set_bool(b, "gso", p->gso);
	} else {
		ctl_printf(o, "HA path %s (%s), mtu %u, segmentation %s:\n",
			   role, p->ifname, p->mtu, p->gso ? "on" : "off");
	}
	status_counter_list(o, b, c, ARRAY_LEN(c));
}

static void status_dp_counters(const struct status_src *src, const __u64 *c,
			       struct ctl_out *o, json_t *root)
{
	json_t *b = status_block(o, root, "dataplane", "data plane");

	for (int i = 0; i < NSRP_CNT_MAX; i++) {
		const struct status_counter one = { dp_counter_name(i), c[i] };

		status_counter_list(o, b, &one, 1);
	}
	b = status_block(o, root, "halink", "HA link drops");
	for (int i = 1; i < PROTO_R_MAX; i++) {
		const struct status_counter one = { proto_reason_name(i),
						    src->ha->rx_drop[i] };

		status_counter_list(o, b, &one, 1);
	}
	/* Not a drop: our own broadcasts, which the kernel loops back. */
	{
		const struct status_counter own = { "own-frames",
						    src->ha->looped };

		status_counter_list(o, b, &own, 1);
	}
}

static void status_xdp_modes(const struct status_src *src, struct ctl_out *o,
			     json_t *root)
{
	json_t *b = status_block(o, root, "xdp_mode", "XDP attachment");

	for (int i = 0; i < src->dp->n_ifaces; i++) {
		if (b)
			jsonout_set_str(b, src->dp->ifaces[i].name,
					src->dp->ifaces[i].xdp_how);
		else
			ctl_printf(o, "  %-22s %s\n", src->dp->ifaces[i].name,
				   src->dp->ifaces[i].xdp_how);
	}
	/* Whether libxdp's dispatcher is used, and why not. */
	if (root)
		jsonout_set_str(root, "xdp_dispatcher",
				dp_dispatcher_note(src->dp));
	else
		ctl_printf(o, "  %-22s %s\n", "dispatcher",
			   dp_dispatcher_note(src->dp));
}

/* The loop's lateness, as the heartbeats show it (cluster.h). */
static void status_hb_timing(const struct cluster *cl, struct ctl_out *o,
			     json_t *root)
{
	const struct status_counter c[] = {
		{ "tx_late_max_us", cl->hb_tx_late_max_ns / NS_PER_US },
		{ "tx_late", cl->hb_tx_late },
		{ "rx_queued_max_us", cl->hb_rx_queued_max_ns / NS_PER_US },
		{ "rx_late", cl->hb_rx_late },
	};

	status_counter_list(o, status_block(o, root, "heartbeat",
					    "heartbeat timing"),
			    c, ARRAY_LEN(c));
}

int status_counters(const struct status_src *src, bool json, struct ctl_out *o)
{
	json_t *root = NULL, *paths = NULL;
	__u64 c[NSRP_CNT_MAX];
	int err = dp_read_counters(src->dp, c);

	if (err)
		return err;
	if (json) {
		root = jsonout_object();
		if (!root)
			return -ENOMEM;
	}
	status_dp_counters(src, c, o, root);
	status_xdp_modes(src, o, root);
	if (root) {
		paths = json_object();
		jsonout_set(root, "ha_paths", paths);
	}
	for (int i = 0; i < HA_NPATHS; i++)
		if (src->ha->path[i].fd >= 0)
			status_path_counters(&src->ha->path[i],
					     i == HA_PRIMARY ? "primary"
							     : "secondary",
					     o, paths);
	status_hb_timing(src->cl, o, root);
	status_ctl_counters(src->ctl, o, root);
	{
		const struct status_counter n[] = {
			{ "runs", src->nt->runs },
			{ "failed", src->nt->fail },
		};

		status_counter_list(o, status_block(o, root, "notify",
						    "notify hook"),
				    n, ARRAY_LEN(n));
	}
	return root ? jsonout_write(o, root, true) : 0;
}

/* ------------------------------------------------------------- config */

int status_config(const struct status_src *src, bool json, struct ctl_out *o)
{
	json_t *root, *lines;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	config_write(src->cfg, f);
	fclose(f);
	if (!json) {
		ctl_write(o, buf, len);
		free(buf);
		return 0;
	}
	root = jsonout_object();
	lines = json_array();
	for (char *l = strtok(buf, "\n"); root && lines && l;
	     l = strtok(NULL, "\n"))
		json_array_append_new(lines, jsonout_str(l));
	free(buf);
	if (!root || !lines) {
		json_decref(root);
		json_decref(lines);
		return -ENOMEM;
	}
	jsonout_set(root, "lines", lines);
	return jsonout_write(o, root, true);
}
