// SPDX-License-Identifier: GPL-2.0-only
/*
 * health.c - monitored interfaces, zones and track-ip, joined into one
 * verdict (see health.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include "health.h"
#include "log.h"
#include "netlink.h"

/* ---------------------------------------------------------------- links */

/* Zone z's NICs are all down: its input. */
static bool health_zone_down(const struct health *h, const char *zone)
{
	for (unsigned int i = 0; i < h->cfg->n_zone_if; i++) {
		const struct cfg_zone_if *zi = &h->cfg->zone_if[i];

		if (strcmp(zi->zone, zone))
			continue;
		for (unsigned int l = 0; l < h->lw.n; l++)
			if (!strcmp(h->lw.link[l].name, zi->ifname) &&
			    !lw_link_down(&h->lw.link[l]))
				return false;
	}
	return true;
}

static void health_zones(struct health *h)
{
	for (unsigned int z = 0; z < h->cfg->n_zone_mon; z++) {
		const char *name = h->cfg->zone_mon[z].zone;
		bool down = health_zone_down(h, name);

		if (h->item_zone[z] >= 0)
			monitor_input(&h->mon, h->item_zone[z], down,
				      "all interfaces down", h->now);
	}
}

/* Link i changed (linkwatch.h). */
static void health_link_changed(void *arg, unsigned int i)
{
	struct health *h = arg;
	const struct lw_link *l = &h->lw.link[i];
	const char *down = lw_link_down(l);

	if (h->building || (h->item_if[i] < 0 && !h->cfg->n_zone_mon))
		return;
	pr_info("monitor: %s %s", l->name, down ? down : "up");
	if (h->item_if[i] >= 0)
		monitor_input(&h->mon, h->item_if[i], down, down ? down : "",
			      h->now);
	health_zones(h);
}

/* ------------------------------------------------------------- track-ip */

static void health_track_sum(struct health *h)
{
	unsigned int failed = 0;
	char why[MON_WHY_LEN];

	h->track_sum = 0;
	for (unsigned int i = 0; i < h->n_target; i++)
		if (h->target[i].st.failed) {
			h->track_sum += h->target[i].cfg.weight;
			failed++;
		}
	h->track_failed = h->track_sum >= h->cfg->track_ip_threshold;
	snprintf(why, sizeof(why), "%u of %u targets unreachable", failed,
		 h->n_target);
	if (h->item_track >= 0)
		monitor_input(&h->mon, h->item_track, h->track_failed, why,
			      h->now);
}

/* Where target t is probed from: its manage-ip, that NIC, its MAC. */
static bool health_target_dest(const struct nsrp_config *cfg,
			       struct health_target *t)
{
	const struct cfg_manage *m = config_track_source(cfg, &t->cfg);
	struct link_info li;

	memset(&t->dest, 0, sizeof(t->dest));
	if (!m || link_info_get(m->ifname, &li))
		return false;
	t->dest.family = t->cfg.a.family;
	memcpy(t->dest.addr, t->cfg.a.addr, 16);
	memcpy(t->dest.src, m->a.addr, 16);
	t->dest.ifindex = li.ifindex;
	memcpy(t->dest.mac, li.mac, 6);
	t->dest.neigh = t->cfg.method == CFG_TRACK_ARP;
	return true;
}

static enum probe_sock health_probe_sock(const struct probe_dest *d)
{
	if (d->family == AF_INET6)
		return PROBE_ICMP6;
	return d->neigh ? PROBE_ARP : PROBE_ICMP;
}

/* A target (or the witness, what names it) ready to probe. */
static void health_target_start(struct health *h, struct health_target *t,
				const struct cfg_track *cfg, const char *what,
				uint64_t now)
{
	char buf[INET6_ADDRSTRLEN];
	int err;

	t->cfg = *cfg;
	track_init(&t->st, t->cfg.interval_s * NS_PER_S, t->cfg.threshold,
		   now);
	t->usable = health_target_dest(h->cfg, t);
	inet_ntop(t->cfg.a.family, t->cfg.a.addr, buf, sizeof(buf));
	if (!t->usable) {
		pr_warn("%s %s: no manage-ip to probe it from", what, buf);
		return;
	}
	err = prober_open(&h->pr, health_probe_sock(&t->dest));
	if (err) {
		pr_warn("%s %s: cannot open the probe socket: %s", what, buf,
			strerror(-err));
		t->usable = false;
	}
}

static void health_targets(struct health *h, uint64_t now)
{
	h->n_target = h->cfg->n_track;
	for (unsigned int i = 0; i < h->n_target; i++)
		health_target_start(h, &h->target[i], &h->cfg->track[i],
				    "track-ip", now);
	h->has_witness = h->cfg->has_witness;
	if (h->has_witness)
		health_target_start(h, &h->witness, &h->cfg->witness,
				    "witness", now);
}

/* An answer from the witness: it is reachable again, perhaps. */
static void health_witness_answer(struct health *h,
				  const struct probe_answer *a)
{
	struct health_target *t = &h->witness;
	char buf[INET6_ADDRSTRLEN];

	if (!h->has_witness || !t->usable || t->dest.family != a->family ||
	    t->dest.neigh != a->neigh ||
	    memcmp(t->dest.addr, a->addr, a->family == AF_INET ? 4 : 16))
		return;
	if (!track_answer(&t->st, a->neigh ? t->st.seq : a->seq, h->now) &&
	    t->st.replies != 1)
		return;
	inet_ntop(a->family, a->addr, buf, sizeof(buf));
	pr_info("witness %s answers", buf);
}

static void health_answer(void *arg, const struct probe_answer *a)
{
	struct health *h = arg;

	health_witness_answer(h, a);
	for (unsigned int i = 0; i < h->n_target; i++) {
		struct health_target *t = &h->target[i];
		char buf[INET6_ADDRSTRLEN];

		if (!t->usable || t->dest.family != a->family ||
		    t->dest.neigh != a->neigh ||
		    memcmp(t->dest.addr, a->addr,
			   a->family == AF_INET ? 4 : 16))
			continue;
		/* An ARP reply or advertisement answers the probe out. */
		if (!track_answer(&t->st, a->neigh ? t->st.seq : a->seq,
				  h->now))
			continue;
		inet_ntop(a->family, a->addr, buf, sizeof(buf));
		pr_info("track-ip %s answers again", buf);
		health_track_sum(h);
	}
}

static void health_probe(struct health *h, struct health_target *t,
			 uint64_t now)
{
	char buf[INET6_ADDRSTRLEN];
	uint16_t seq;

	if (!track_due(&t->st, now, &seq)) {
		prober_send(&h->pr, &t->dest, seq);
		return;
	}
	inet_ntop(t->dest.family, t->dest.addr, buf, sizeof(buf));
	pr_warn("track-ip %s: %u probes unanswered", buf, t->st.missed);
	health_track_sum(h);
	prober_send(&h->pr, &t->dest, seq);
}

/* ------------------------------------------------------------ the items */

static void health_items(struct health *h, uint64_t now)
{
	const struct nsrp_config *c = h->cfg;

	monitor_init(&h->mon, c->monitor_threshold,
		     (uint64_t)c->monitor_holddown_s * NS_PER_S);
	for (unsigned int i = 0; i < c->n_monitor; i++) {
		int l = linkwatch_add(&h->lw, c->monitor[i].ifname);
		const char *down;

		if (l < 0)
			continue;
		down = lw_link_down(&h->lw.link[l]);
		if (down)
			pr_warn("monitor interface %s: %s", c->monitor[i].ifname,
				down);
		h->item_if[l] = monitor_add(&h->mon, MON_INTERFACE,
					    c->monitor[i].ifname,
					    c->monitor[i].weight, down, down,
					    now);
	}
	for (unsigned int z = 0; z < c->n_zone_mon; z++) {
		bool down = health_zone_down(h, c->zone_mon[z].zone);

		h->item_zone[z] = monitor_add(&h->mon, MON_ZONE,
					      c->zone_mon[z].zone,
					      c->zone_mon[z].weight, down,
					      "all interfaces down", now);
	}
	h->item_track = -1;
	if (c->track_ip)
		h->item_track = monitor_add(&h->mon, MON_TRACK_IP, "track-ip",
					    c->track_ip_weight, false, "", now);
	monitor_update(&h->mon, now);
}

/* Every link the items need, read afresh before they are made. */
static void health_links(struct health *h)
{
	const struct nsrp_config *c = h->cfg;
	int err;

	linkwatch_clear(&h->lw);
	for (unsigned int i = 0; i < c->n_monitor; i++)
		linkwatch_add(&h->lw, c->monitor[i].ifname);
	for (unsigned int i = 0; i < c->n_zone_if; i++)
		linkwatch_add(&h->lw, c->zone_if[i].ifname);
	for (unsigned int i = 0; i < LW_MAX; i++)
		h->item_if[i] = -1;
	memset(h->item_zone, -1, sizeof(h->item_zone));
	h->building = true;
	err = linkwatch_resync(&h->lw);
	h->building = false;
	if (err)
		pr_warn("monitor: cannot read the links: %s", strerror(-err));
}

/* What the items and targets are made of, as last built. */
static bool health_conf_same(const struct nsrp_config *a,
			     const struct nsrp_config *b)
{
#define SAME(f)	(!memcmp(&a->f, &b->f, sizeof(a->f)))
	return SAME(n_monitor) && SAME(monitor) && SAME(n_zone_if) &&
	       SAME(zone_if) && SAME(n_zone_mon) && SAME(zone_mon) &&
	       SAME(monitor_threshold) && SAME(monitor_holddown_s) &&
	       SAME(track_ip) && SAME(track_ip_threshold) &&
	       SAME(track_ip_weight) && SAME(n_track) && SAME(track) &&
	       SAME(has_witness) && SAME(witness) &&
	       SAME(n_manage) && SAME(manage) && SAME(n_vsi) && SAME(vsi);
#undef SAME
}

static void health_build(struct health *h, uint64_t now)
{
	*h->built = *h->cfg;
	h->now = now;
	health_links(h);
	health_items(h, now);
	health_targets(h, now);
	health_track_sum(h);
	monitor_update(&h->mon, now);
}

int health_init(struct health *h, const struct nsrp_config *cfg,
		uint64_t now)
{
	int err;

	memset(h, 0, sizeof(*h));
	h->cfg = cfg;
	prober_init(&h->pr);
	h->built = malloc(sizeof(*h->built));
	if (!h->built)
		return -ENOMEM;
	err = linkwatch_open(&h->lw, health_link_changed, h);
	if (err) {
		pr_err("monitor: cannot follow the links: %s", strerror(-err));
		return err;
	}
	health_build(h, now);
	return 0;
}

void health_fini(struct health *h)
{
	if (!h->cfg)
		return;		/* never started */
	linkwatch_close(&h->lw);
	prober_close(&h->pr);
	free(h->built);
	h->built = NULL;
}

/* A change elsewhere keeps the monitors' state: hold-downs, damping. */
void health_reconfigure(struct health *h, uint64_t now)
{
	if (!health_conf_same(h->built, h->cfg))
		health_build(h, now);
}

int health_fd(const struct health *h, unsigned int i)
{
	if (i == HEALTH_FD_LINK)
		return linkwatch_fd(&h->lw);
	if (i < HEALTH_NFDS)
		return h->pr.fd[i - HEALTH_FD_PROBE0];
	return -1;
}

void health_event(struct health *h, unsigned int i, uint64_t now)
{
	h->now = now;
	if (i == HEALTH_FD_LINK)
		linkwatch_read(&h->lw);
	else if (i < HEALTH_NFDS)
		prober_read(&h->pr, i - HEALTH_FD_PROBE0, health_answer, h);
}

/* The witness's probe: its failures are said, and summed with nothing. */
static void health_witness_probe(struct health *h, uint64_t now)
{
	struct health_target *t = &h->witness;
	char buf[INET6_ADDRSTRLEN];
	uint16_t seq;

	if (track_due(&t->st, now, &seq) && t->st.failed) {
		inet_ntop(t->dest.family, t->dest.addr, buf, sizeof(buf));
		pr_warn("witness %s: %u probes unanswered", buf, t->st.missed);
	}
	prober_send(&h->pr, &t->dest, seq);
}

void health_tick(struct health *h, uint64_t now)
{
	h->now = now;
	for (unsigned int i = 0; h->cfg->track_ip && i < h->n_target; i++)
		if (h->target[i].usable && now >= h->target[i].st.next_ns)
			health_probe(h, &h->target[i], now);
	if (h->has_witness && h->witness.usable &&
	    now >= h->witness.st.next_ns)
		health_witness_probe(h, now);
	monitor_update(&h->mon, now);
}

uint64_t health_next_deadline(const struct health *h)
{
	uint64_t next = monitor_next_deadline(&h->mon);

	for (unsigned int i = 0; h->cfg->track_ip && i < h->n_target; i++)
		if (h->target[i].usable && h->target[i].st.next_ns < next)
			next = h->target[i].st.next_ns;
	if (h->has_witness && h->witness.usable &&
	    h->witness.st.next_ns < next)
		next = h->witness.st.next_ns;
	return next;
}

bool health_witness_ok(const struct health *h)
{
	const struct track_target *st = &h->witness.st;

	return h->has_witness && h->witness.usable && st->replies &&
	       !st->failed;
}

bool health_failed(const struct health *h)
{
	return h->mon.failed;
}

uint8_t health_weight(const struct health *h)
{
	return h->mon.sum > 255 ? 255 : h->mon.sum;
}

void health_reason(const struct health *h, char *buf, size_t len)
{
	monitor_reason(&h->mon, buf, len);
}
