// SPDX-License-Identifier: GPL-2.0-only
/*
 * openmetrics.c - the metrics page (see openmetrics.h).
 *
 * A family is written once, its HELP and TYPE first. The two formats
 * differ in little: OpenMetrics names a counter's family without the
 * "_total" its samples carry, gives units a line of their own, has an
 * info type, and ends with "# EOF"; the Prometheus text format names
 * the family as its samples, and knows no info type (a gauge of 1).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "openmetrics.h"
#include "version.h"

#define OM_LABELS_LEN	256

enum om_type { OM_GAUGE, OM_COUNTER, OM_INFO };

struct om {
	struct ctl_out *o;
	enum metrics_format fmt;
	const char *family;
	enum om_type type;
};

const char *om_escape(const char *v, char *buf, size_t len)
{
	size_t n = 0;

	for (; *v && n + 3 < len; v++) {
		if (*v == '\\' || *v == '"') {
			buf[n++] = '\\';
			buf[n++] = *v;
		} else if (*v == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else {
			buf[n++] = *v;
		}
	}
	buf[n] = '\0';
	return buf;
}

/* The suffix of a family's samples. */
static const char *om_suffix(enum om_type t)
{
	return t == OM_COUNTER ? "_total" : t == OM_INFO ? "_info" : "";
}

static void om_family(struct om *w, const char *name, enum om_type type,
		      const char *unit, const char *help)
{
	static const char *const om_names[] = { "gauge", "counter", "info" };

	w->family = name;
	w->type = type;
	if (w->fmt == METRICS_OPENMETRICS) {
		ctl_printf(w->o, "# TYPE %s %s\n", name, om_names[type]);
		if (unit)
			ctl_printf(w->o, "# UNIT %s %s\n", name, unit);
		ctl_printf(w->o, "# HELP %s %s\n", name, help);
		return;
	}
	ctl_printf(w->o, "# HELP %s%s %s\n# TYPE %s%s %s\n", name,
		   om_suffix(type), help, name, om_suffix(type),
		   type == OM_COUNTER ? "counter" : "gauge");
}

/* labels: "" or "{name=\"value\",...}", values escaped already. */
static void om_u64(struct om *w, const char *labels, uint64_t v)
{
	ctl_printf(w->o, "%s%s%s %llu\n", w->family, om_suffix(w->type),
		   labels, (unsigned long long)v);
}

static void om_seconds(struct om *w, const char *labels, uint64_t ns)
{
	ctl_printf(w->o, "%s%s%s %llu.%09llu\n", w->family, om_suffix(w->type),
		   labels, (unsigned long long)(ns / NS_PER_S),
		   (unsigned long long)(ns % NS_PER_S));
}

/* {k="v"} and {k1="v1",k2="v2"}, the values escaped. */
static const char *om_l1(char *buf, const char *k, const char *v)
{
	char e[OM_LABELS_LEN / 2];

	snprintf(buf, OM_LABELS_LEN, "{%s=\"%s\"}", k,
		 om_escape(v, e, sizeof(e)));
	return buf;
}

static const char *om_l2(char *buf, const char *k1, const char *v1,
			 const char *k2, const char *v2)
{
	char e1[OM_LABELS_LEN / 4], e2[OM_LABELS_LEN / 4];

	snprintf(buf, OM_LABELS_LEN, "{%s=\"%s\",%s=\"%s\"}", k1,
		 om_escape(v1, e1, sizeof(e1)), k2,
		 om_escape(v2, e2, sizeof(e2)));
	return buf;
}

/* ------------------------------------------------------------ families */

static void om_unit(struct om *w, const struct om_src *s)
{
	char l[OM_LABELS_LEN], id[16], e1[64], e2[64];

	om_family(w, "nsrpd_build", OM_INFO, NULL,
		  "The running nsrpd: its version, unit id and hostname.");
	snprintf(id, sizeof(id), "%u", s->cl->unit_id);
	snprintf(l, sizeof(l), "{version=\"%s\",unit=\"%s\",hostname=\"%s\"}",
		 om_escape(NSRPD_VERSION, e1, sizeof(e1)), id,
		 om_escape(config_hostname(s->cfg), e2, sizeof(e2)));
	om_u64(w, l, 1);
	om_family(w, "nsrpd_xdp_dispatcher", OM_GAUGE, NULL,
		  "1 when the NICs run the XDP program in libxdp's dispatcher.");
	om_u64(w, "", dp_uses_dispatcher(s->dp));
}

static void om_groups(struct om *w, const struct om_src *s)
{
	static const enum vsd_state states[] = { VSD_INITIAL, VSD_MASTER, VSD_BACKUP,
						 VSD_INELIGIBLE,
						 VSD_INOPERABLE };
	char l[OM_LABELS_LEN], g[12];

	om_family(w, "nsrpd_vsd_state", OM_GAUGE, NULL,
		  "1 for the state each VSD group is in here, 0 for the others.");
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		if (!s->cl->group[i].active)
			continue;
		snprintf(g, sizeof(g), "%u", i);
		for (size_t k = 0; k < sizeof(states) / sizeof(states[0]); k++)
			om_u64(w, om_l2(l, "group", g, "state",
					vsd_state_name(states[k])),
			       s->cl->group[i].vsd.state == states[k]);
	}
	om_family(w, "nsrpd_vsd_transitions", OM_COUNTER, NULL,
		  "State changes of each VSD group since nsrpd started.");
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		if (!s->cl->group[i].active)
			continue;
		snprintf(g, sizeof(g), "%u", i);
		om_u64(w, om_l1(l, "group", g), s->cl->group[i].transitions);
	}
	om_family(w, "nsrpd_vsd_priority", OM_GAUGE, NULL,
		  "This unit's priority in each VSD group (the lower wins).");
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		if (!s->cl->group[i].active)
			continue;
		snprintf(g, sizeof(g), "%u", i);
		om_u64(w, om_l1(l, "group", g), s->cfg->vsd[i].priority);
	}
}

static void om_peer(struct om *w, const struct om_src *s)
{
	om_family(w, "nsrpd_peer_present", OM_GAUGE, NULL,
		  "1 while the peer unit is heard on some HA path.");
	om_u64(w, "", s->cl->peer.present);
	om_family(w, "nsrpd_heartbeats_sent", OM_COUNTER, NULL,
		  "Heartbeats sent, every path together.");
	om_u64(w, "", s->cl->hb_tx);
	om_family(w, "nsrpd_heartbeats_received", OM_COUNTER, NULL,
		  "The peer's heartbeats taken, every path together.");
	om_u64(w, "", s->cl->hb_rx);
	om_family(w, "nsrpd_peer_suspicions", OM_COUNTER, NULL,
		  "Deaths of the peer announced (a dark HA path, a closed pact) "
		  "and checked on every path.");
	om_u64(w, "", s->cl->suspicions);
}

typedef uint64_t (*om_path_fn)(const struct ha_path *p);

static uint64_t om_path_up(const struct ha_path *p) { return p->peer_seen; }
static uint64_t om_path_heard(const struct ha_path *p) { return p->hb.heard; }
static uint64_t om_path_lost(const struct ha_path *p) { return p->hb.lost; }
static uint64_t om_path_tx(const struct ha_path *p) { return p->tx; }
static uint64_t om_path_rx(const struct ha_path *p) { return p->rx; }
static uint64_t om_path_tx_err(const struct ha_path *p) { return p->tx_err; }

/* One family of the HA paths' values, a sample a configured path. */
static void om_path_family(struct om *w, const struct om_src *s,
			   const char *name, enum om_type type,
			   const char *help, om_path_fn fn)
{
	char l[OM_LABELS_LEN];

	om_family(w, name, type, NULL, help);
	for (int i = 0; i < HA_NPATHS; i++) {
		const struct ha_path *p = &s->ha->path[i];

		if (p->fd < 0)
			continue;
		om_u64(w, om_l2(l, "path", i == HA_PRIMARY ? "primary" :
					   "secondary", "interface", p->ifname),
		       fn(p));
	}
}

static void om_paths(struct om *w, const struct om_src *s)
{
	char l[OM_LABELS_LEN];

	om_path_family(w, s, "nsrpd_ha_path_up", OM_GAUGE,
		       "1 while the peer is heard on the HA path.", om_path_up);
	om_family(w, "nsrpd_ha_path_rtt_seconds", OM_GAUGE, "seconds",
		  "Heartbeat round trip on the HA path, smoothed (1/8 of each "
		  "new measurement).");
	for (int i = 0; i < HA_NPATHS; i++) {
		const struct ha_path *p = &s->ha->path[i];

		if (p->fd < 0 || !p->hb.rtts)
			continue;
		om_seconds(w, om_l2(l, "path", i == HA_PRIMARY ? "primary" :
					       "secondary", "interface",
				    p->ifname), p->hb.rtt_ns);
	}
	om_path_family(w, s, "nsrpd_ha_path_heartbeats_received", OM_COUNTER,
		       "The peer's heartbeats heard on the HA path.",
		       om_path_heard);
	om_path_family(w, s, "nsrpd_ha_path_heartbeats_lost", OM_COUNTER,
		       "The peer's heartbeats that did not arrive on the HA "
		       "path (gaps in their numbering).", om_path_lost);
	om_path_family(w, s, "nsrpd_ha_path_datagrams_sent", OM_COUNTER,
		       "Datagrams sent on the HA path.", om_path_tx);
	om_path_family(w, s, "nsrpd_ha_path_datagrams_received", OM_COUNTER,
		       "Datagrams received on the HA path.", om_path_rx);
	om_path_family(w, s, "nsrpd_ha_path_send_errors", OM_COUNTER,
		       "Datagrams the HA path failed to send.", om_path_tx_err);
	om_family(w, "nsrpd_ha_drops", OM_COUNTER, NULL,
		  "Frames from the HA link refused, by reason.");
	for (int r = 1; r < PROTO_R_MAX; r++)
		om_u64(w, om_l1(l, "reason", proto_reason_name(r)),
		       s->ha->rx_drop[r]);
}

static void om_sync(struct om *w, const struct om_src *s, uint64_t now)
{
	const struct sync *y = s->sy;

	om_family(w, "nsrpd_sync_enabled", OM_GAUGE, NULL,
		  "1 when sessions are synced with the peer (rto-mirror sync).");
	om_u64(w, "", s->cfg->rto_mirror_sync);
	om_family(w, "nsrpd_sync_lag_seconds", OM_GAUGE, "seconds",
		  "Age of the oldest session record sent to the peer and not "
		  "acknowledged yet; 0 when none waits.");
	om_seconds(w, "", rto_tx_oldest_ns(&y->tx, now));
	om_family(w, "nsrpd_sync_backlog", OM_GAUGE, NULL,
		  "Session records queued for the peer and not acknowledged.");
	om_u64(w, "", rto_tx_pending(&y->tx));
	om_family(w, "nsrpd_sync_records_sent", OM_COUNTER, NULL,
		  "Session records sent to the peer.");
	om_u64(w, "", y->tx.sent);
	om_family(w, "nsrpd_sync_records_acknowledged", OM_COUNTER, NULL,
		  "Session records the peer acknowledged.");
	om_u64(w, "", y->tx.acked);
	om_family(w, "nsrpd_sync_retransmissions", OM_COUNTER, NULL,
		  "Session records sent again, unacknowledged in time.");
	om_u64(w, "", y->tx.retransmitted);
	om_family(w, "nsrpd_sync_records_applied", OM_COUNTER, NULL,
		  "The peer's session records applied here.");
	om_u64(w, "", y->rx.applied);
	om_family(w, "nsrpd_sync_apply_errors", OM_COUNTER, NULL,
		  "The peer's session records that failed to apply.");
	om_u64(w, "", y->apply_errors);
	om_family(w, "nsrpd_sync_bulk_sent", OM_COUNTER, NULL,
		  "Bulk syncs of the whole session table sent to the peer.");
	om_u64(w, "", y->resyncs);
	om_family(w, "nsrpd_sync_bulk_received", OM_COUNTER, NULL,
		  "Bulk syncs received whole from the peer.");
	om_u64(w, "", y->bulk_done);
	om_family(w, "nsrpd_coldstart_done", OM_GAUGE, NULL,
		  "1 once a bulk sync from the peer completed (cold start).");
	om_u64(w, "", y->coldstart_done);
}

static void om_sessions(struct om *w, const struct om_src *s, uint64_t now)
{
	static const char *const origin[] = { "local", "peer" };
	const struct sweep *sw = s->sw;
	char l[OM_LABELS_LEN];

	om_family(w, "nsrpd_sessions", OM_GAUGE, NULL,
		  "Live sessions by state, this unit's (local) and the peer's "
		  "copies (peer), as the latest expiry sweep counted them.");
	for (unsigned int st = 0; sw->counted_ns && st < NSRP_SS_MAX; st++)
		for (int o = 0; o < 2; o++)
			om_u64(w, om_l2(l, "state", sesstab_state_name(st),
					"origin", origin[o]),
			       sw->counted.n[st][o]);
	om_family(w, "nsrpd_sessions_count_age_seconds", OM_GAUGE, "seconds",
		  "How old the count of nsrpd_sessions is (the sweep's end).");
	if (sw->counted_ns)
		om_seconds(w, "", now - sw->counted_ns);
	om_family(w, "nsrpd_sessions_expired", OM_COUNTER, NULL,
		  "Sessions the expiry sweep deleted.");
	om_u64(w, "", sw->swept);
}

static int om_dataplane(struct om *w, const struct om_src *s)
{
	__u64 c[NSRP_CNT_MAX];
	char l[OM_LABELS_LEN];
	int err = dp_read_counters(s->dp, c);

	if (err)
		return err;
	om_family(w, "nsrpd_dataplane_events", OM_COUNTER, NULL,
		  "The data plane's counters, every CPU together: frames by "
		  "outcome, fallbacks and drops by reason, session events.");
	for (int i = 0; i < NSRP_CNT_MAX; i++)
		om_u64(w, om_l1(l, "event", dp_counter_name(i)), c[i]);
	return 0;
}

static void om_health(struct om *w, const struct om_src *s)
{
	om_family(w, "nsrpd_monitor_failed", OM_GAUGE, NULL,
		  "1 when the failed monitors' weights reach the threshold.");
	om_u64(w, "", health_failed(s->health));
	om_family(w, "nsrpd_monitor_failed_weight", OM_GAUGE, NULL,
		  "The sum of the failed monitors' weights.");
	om_u64(w, "", health_weight(s->health));
	om_family(w, "nsrpd_monitor_threshold", OM_GAUGE, NULL,
		  "The sum of weights that fails the unit.");
	om_u64(w, "", s->cfg->monitor_threshold);
	om_family(w, "nsrpd_config_in_sync", OM_GAUGE, NULL,
		  "1 when both units run the same replicated configuration.");
	om_u64(w, "", cfgsync_in_sync(s->cs));
	om_family(w, "nsrpd_config_generation", OM_GAUGE, NULL,
		  "The generation of this unit's replicated configuration.");
	om_u64(w, "", s->cs->own.gen);
}

static void om_services(struct om *w, const struct om_src *s)
{
	const struct ctl_stats *c = s->ctl;
	const struct { const char *what; uint64_t n; } ctl[] = {
		{ "accepted", c->accepted }, { "denied", c->denied },
		{ "forbidden", c->forbidden }, { "too_many", c->too_many },
		{ "evicted", c->evicted }, { "timed_out", c->timed_out },
		{ "requests", c->requests }, { "malformed", c->malformed },
		{ "oversized", c->oversized }, { "truncated", c->truncated },
		{ "stalled", c->stalled }, { "dropped", c->dropped },
		{ "offloaded", c->offloaded },
		{ "offload_busy", c->offload_busy },
		{ "offload_failed", c->offload_failed },
	}, page[] = {
		{ "scraped", s->ms->scrapes }, { "accepted", s->ms->accepted },
		{ "evicted", s->ms->evicted }, { "timed_out", s->ms->timed_out },
		{ "bad_request", s->ms->bad_requests },
		{ "error", s->ms->errors },
	};
	char l[OM_LABELS_LEN];

	om_family(w, "nsrpd_control", OM_COUNTER, NULL,
		  "The control socket's connections and requests, by outcome.");
	for (size_t i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++)
		om_u64(w, om_l1(l, "event", ctl[i].what), ctl[i].n);
	om_family(w, "nsrpd_metrics_connections", OM_COUNTER, NULL,
		  "This page's connections, by outcome.");
	for (size_t i = 0; i < sizeof(page) / sizeof(page[0]); i++)
		om_u64(w, om_l1(l, "event", page[i].what), page[i].n);
	om_family(w, "nsrpd_notify_runs", OM_COUNTER, NULL,
		  "Runs of the notify hook.");
	om_u64(w, "", s->nt->runs);
	om_family(w, "nsrpd_notify_failures", OM_COUNTER, NULL,
		  "Runs of the notify hook that failed.");
	om_u64(w, "", s->nt->fail);
}

int om_render(const struct om_src *src, enum metrics_format fmt,
	      struct ctl_out *out, uint64_t now)
{
	struct om w = { .o = out, .fmt = fmt };
	int err;

	om_unit(&w, src);
	om_groups(&w, src);
	om_peer(&w, src);
	om_paths(&w, src);
	om_sync(&w, src, now);
	om_sessions(&w, src, now);
	err = om_dataplane(&w, src);
	if (err)
		return err;
	om_health(&w, src);
	om_services(&w, src);
	if (fmt == METRICS_OPENMETRICS)
		ctl_printf(out, "# EOF\n");
	return out->truncated ? -ENOSPC : 0;
}
