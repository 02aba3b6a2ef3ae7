// SPDX-License-Identifier: GPL-2.0-only
/*
 * cluster.c - heartbeats on the HA paths and the VSD election (see
 * cluster.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cluster.h"
#include "log.h"

static uint64_t cluster_interval_ns(const struct cluster *c)
{
	return (uint64_t)c->cfg->hb_interval_ms * NS_PER_MS;
}

uint64_t cluster_dead_ns(const struct cluster *c)
{
	return cluster_interval_ns(c) * c->cfg->hb_threshold;
}

uint64_t cluster_ctl_dead_ns(const struct cluster *c)
{
	return (uint64_t)config_control_deadline_ms(c->cfg) * NS_PER_MS;
}

/*
 * How long the peer may stay silent: as it announces its own timers, for
 * its heartbeats come at its interval, not ours; ours until it told.
 * Bounded as the configuration bounds them.
 */
uint64_t cluster_peer_dead_ns(const struct cluster *c)
{
	const struct proto_hb *hb = &c->peer.hb;
	uint32_t iv = hb->interval_ms;

	if (!c->peer.ever || !iv || !hb->threshold)
		return cluster_dead_ns(c);
	if (iv < CFG_HB_INTERVAL_MIN)
		iv = CFG_HB_INTERVAL_MIN;
	if (iv > CFG_HB_INTERVAL_MAX)
		iv = CFG_HB_INTERVAL_MAX;
	return (uint64_t)iv * NS_PER_MS * hb->threshold;
}

/* And while its data plane answers: its control-deadline, as it says. */
uint64_t cluster_peer_ctl_dead_ns(const struct cluster *c)
{
	uint64_t dead = cluster_peer_dead_ns(c), ctl;

	if (!c->peer.ever)
		return cluster_ctl_dead_ns(c);
	ctl = (uint64_t)c->peer.hb.ctl_deadline_ms * NS_PER_MS;
	return ctl > dead ? ctl : dead;
}

/* The two units' timers differ: said, on both, and not a cause to flap. */
static void cluster_check_timers(struct cluster *c)
{
	const struct proto_hb *hb = &c->peer.hb;
	bool differ = c->peer.present && hb->threshold &&
		      (hb->interval_ms != c->cfg->hb_interval_ms ||
		       hb->threshold != c->cfg->hb_threshold);

	if (differ == c->timer_alarm)
		return;
	c->timer_alarm = differ;
	if (differ)
		pr_warn("heartbeat timers differ: ours %u ms x %u, the peer's "
			"%u ms x %u; each judges the other by its own",
			c->cfg->hb_interval_ms, c->cfg->hb_threshold,
			hb->interval_ms, hb->threshold);
	else
		pr_info("heartbeat timers agree again");
}

bool cluster_standalone(const struct cluster *c)
{
	return c->cfg->standalone_role != CFG_ROLE_ELECT;
}

bool cluster_is_master(const struct cluster *c, unsigned int vsd)
{
	return vsd < NSRPD_MAX_VSD && c->group[vsd].active &&
	       vsd_is_master(&c->group[vsd].vsd);
}

static bool cluster_any_master(const struct cluster *c)
{
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++)
		if (cluster_is_master(c, i))
			return true;
	return false;
}

/* ----------------------------------------------------------- transitions */

/*
 * One line a role change, with its parts as fields of their own in the
 * journal: "journalctl NSRP_GROUP=0", or MESSAGE_ID for every one.
 */
#define CLUSTER_MSGID_TRANSITION "520394afa7664de8bec175cb1e7acc35"

static void cluster_log_transition(const struct cluster *c, unsigned int vsd,
				   const struct vsd_transition *t)
{
	char group[12], peer[12] = "none";
	const struct log_field f[] = {
		{ "MESSAGE_ID", CLUSTER_MSGID_TRANSITION },
		{ "NSRP_GROUP", group },
		{ "NSRP_OLD_STATE", vsd_state_name(t->from) },
		{ "NSRP_NEW_STATE", vsd_state_name(t->to) },
		{ "NSRP_REASON", t->reason },
		{ "NSRP_PEER", peer },
	};

	snprintf(group, sizeof(group), "%u", vsd);
	if (c->peer.ever)
		snprintf(peer, sizeof(peer), "%u", c->peer.unit_id);
	log_fields(LOG_LVL_INFO, f, sizeof(f) / sizeof(f[0]),
		   "vsd-group %u: %s -> %s (%s)", vsd, vsd_state_name(t->from),
		   vsd_state_name(t->to), t->reason);
}

static void cluster_record(struct cluster *c, unsigned int vsd,
			   const struct vsd_transition *t)
{
	struct cluster_hist *r = &c->hist[c->hist_n % CLUSTER_HISTORY];

	r->mono_ns = t->at_ns;
	r->real_s = time(NULL);
	r->vsd = vsd;
	r->t = *t;
	c->hist_n++;
	c->group[vsd].transitions++;
	cluster_log_transition(c, vsd, t);
}

/*
 * A master group started handing over, or called it off: the daemon is
 * told, once. A hand-over that ended with a transition is told by it.
 */
static void cluster_note_giving(struct cluster *c, unsigned int vsd,
				uint64_t now)
{
	struct cluster_group *g = &c->group[vsd];
	bool giving = vsd_giving(&g->vsd);

	if (giving == g->was_giving)
		return;
	g->was_giving = giving;
	g->give_next_ns = 0;
	if (giving) {
		g->give_id = ++c->give_ids;
		pr_info("vsd-group %u: handing master over to the peer", vsd);
	} else if (cluster_is_master(c, vsd)) {
		pr_info("vsd-group %u: hand-over called off, master stays", vsd);
	}
	if (c->ev.leaving && (giving || cluster_is_master(c, vsd)))
		c->ev.leaving(c->ev.arg, vsd, giving, now);
}

static void cluster_apply(struct cluster *c, unsigned int vsd,
			  const struct vsd_transition *t, uint64_t now)
{
	cluster_record(c, vsd, t);
	c->ev.transition(c->ev.arg, vsd, t, now);
	cluster_note_giving(c, vsd, now);
}

/* ------------------------------------------------------------ heartbeats */

static void cluster_hb_build(const struct cluster *c, struct proto_hb *hb)
{
	const struct ha_path *pri = &c->ha->path[HA_PRIMARY];

	memset(hb, 0, sizeof(*hb));
	memcpy(hb->mac, c->mac, 6);
	hb->interval_ms = c->cfg->hb_interval_ms;
	hb->threshold = c->cfg->hb_threshold;
	hb->ctl_deadline_ms = config_control_deadline_ms(c->cfg);
	if (c->stopping)
		hb->flags |= PROTO_HB_F_STEPPING_DOWN;
	if (pri->fd >= 0 && pri->peer_seen)
		hb->flags |= PROTO_HB_F_PRIMARY_LINK_UP;
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		struct proto_hb_group *g = &hb->groups[hb->ngroups];
		struct vsd_advert adv;

		if (!c->group[i].active)
			continue;
		vsd_advert(&c->group[i].vsd, &adv);
		g->id = i;
		g->state = adv.state;
		g->flags = adv.flags;
		g->weight = adv.weight;
		g->priority = adv.priority;
		g->holddown_s = adv.holddown_s;
		hb->ngroups++;
	}
	if (c->ev.hb_fill)
		c->ev.hb_fill(c->ev.arg, hb);
}

/* A heartbeat late by ns: the most, and whether over half an interval. */
static void cluster_late(const struct cluster *c, uint64_t ns, uint64_t *max,
			 uint64_t *count)
{
	if (ns > *max)
		*max = ns;
	if (ns > cluster_interval_ns(c) / 2)
		(*count)++;
}

static void cluster_send_hb(struct cluster *c, uint64_t now)
{
	struct proto_hb hb;

	cluster_hb_build(c, &hb);
	hasess_set_master(c->ha, cluster_any_master(c));
	c->hb_tx += hasess_send_hb(c->ha, &hb);
	c->next_hb_ns = now + cluster_interval_ns(c);
}

/* ------------------------------------------------------------- election */

/*
 * A unit heard whose frames do not verify, and no verified peer: it
 * cannot tell its priority or its groups, but it proves a live unit on
 * the link. Seen as a peer of the same priority, it is a master to
 * follow when it says it is one (PROTO_F_MASTER) and this unit is not;
 * between two such units that are not master the lower unit id wins;
 * and a master never steps down for it: frames nobody can verify must
 * not be able to take a working master away (see docs/SECURITY.md).
 * The caller also holds preempt back, for the same reason.
 */
static void cluster_unverified_view(const struct cluster *c, unsigned int vsd,
				    struct vsd_peer *p)
{
	const struct hasess_unverified *u = &c->ha->unverified;

	p->present = true;
	memset(p->mac, u->unit_id < c->unit_id ? 0x00 : 0xff, 6);
	p->adv.priority = c->group[vsd].vsd.p.priority;
	p->adv.state = u->master && !cluster_is_master(c, vsd) ? VSD_MASTER :
								  VSD_BACKUP;
}

/* What the peer's latest heartbeat says of group vsd (false: nothing). */
static bool cluster_peer_advert(const struct cluster *c, unsigned int vsd,
				struct vsd_peer *p)
{
	for (unsigned int i = 0; i < c->peer.hb.ngroups; i++) {
		const struct proto_hb_group *g = &c->peer.hb.groups[i];

		if (g->id != vsd)
			continue;
		memcpy(p->mac, c->peer.mac, 6);
		p->adv.state = g->state;
		p->adv.flags = g->flags;
		p->adv.weight = g->weight;
		p->adv.priority = g->priority;
		p->adv.holddown_s = g->holddown_s;
		return true;
	}
	return false;
}

/*
 * The peer as the election sees it: its latest heartbeat while an HA path
 * hears it; lost, but with its data plane answering the probes, a split
 * (and what it said last); or a unit whose frames do not verify.
 */
static void cluster_peer_view(const struct cluster *c, unsigned int vsd,
			      struct vsd_peer *p)
{
	memset(p, 0, sizeof(*p));
	if (c->peer.present) {
		p->present = cluster_peer_advert(c, vsd, p);
		return;
	}
	if (c->split) {
		cluster_peer_advert(c, vsd, p);
		p->dp_alive = true;
		p->dp_master = c->peer_dp.masters & (1u << vsd);
		return;
	}
	if (c->unverified_alarm)
		cluster_unverified_view(c, vsd, p);
}

/*
 * We stay master and the peer claims master too, or comes back after it
 * was lost: a healed split brain, where the peer may have been master
 * meanwhile (and may have stepped down before any of its heartbeats
 * reached us). While it was master the switches learnt the VSI MACs on
 * its ports, and a NIC of ours that went down took our IPv6 VSI
 * addresses with it: the daemon installs the addresses again and
 * announces them.
 */
static void cluster_reassert(struct cluster *c, unsigned int vsd,
			     uint64_t now)
{
	pr_info("vsd-group %u: the peer is back; staying master and "
		"announcing the VSIs again", vsd);
	c->ev.reassert(c->ev.arg, vsd, now);
}

/* The peer the election saw was one whose frames fail verification. */
static void cluster_reason_unverified(struct vsd_transition *t)
{
	char was[VSD_REASON_LEN];

	memcpy(was, t->reason, sizeof(was));
	snprintf(t->reason, sizeof(t->reason), "%.60s; unverified peer", was);
}

/* Returns whether any group changed its state. */
static bool cluster_elect(struct cluster *c, uint64_t now)
{
	bool changed = false;

	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		struct cluster_group *g = &c->group[i];
		struct vsd_inputs in = { .sync_pending = c->in.sync_hold ||
							 (c->unverified_alarm &&
							  !c->peer.present),
					 .failed = c->in.failed,
					 .weight = c->in.weight,
					 .why = c->in.why,
					 .witness = c->in.witness,
					 .witness_ok = c->in.witness_ok };
		uint8_t was_peer_state = g->peer_state;
		struct vsd_transition t;

		if (!g->active || cluster_standalone(c))
			continue;
		cluster_peer_view(c, i, &in.peer);
		g->peer_state = c->peer.present && in.peer.present ?
					in.peer.adv.state : 0;
		if (vsd_step(&g->vsd, &in, now, &t) == 1) {
			if (!c->peer.present && c->unverified_alarm)
				cluster_reason_unverified(&t);
			cluster_apply(c, i, &t, now);
			changed = true;
		} else if (vsd_giving(&g->vsd) != g->was_giving) {
			cluster_note_giving(c, i, now);
			changed = true;	/* the peer hears it at once */
		} else if (vsd_is_master(&g->vsd) &&
			   ((g->peer_state == VSD_MASTER &&
			     was_peer_state != VSD_MASTER) ||
			    c->peer_returned)) {
			cluster_reassert(c, i, now);
		}
	}
	c->peer_returned = false;
	return changed;
}

/* When the election must run again at the latest, by its own timers. */
static uint64_t cluster_elect_deadline(const struct cluster *c)
{
	uint64_t next = UINT64_MAX;

	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		uint64_t t;

		if (!c->group[i].active || cluster_standalone(c))
			continue;
		t = vsd_next_deadline(&c->group[i].vsd);
		if (t < next)
			next = t;
	}
	return next;
}

/* ------------------------------------------------------------ suspicion */

static void cluster_send_ctl(struct cluster *c, uint16_t kind, uint32_t id)
{
	struct proto_msg m = { .kind = kind, .id = id };

	hasess_send_all(c->ha, PROTO_T_CONTROL, &m);
}

void cluster_suspect(struct cluster *c, const char *why, bool agent_gone,
		     uint64_t now)
{
	if (!c->peer.present || c->suspect_until_ns || cluster_standalone(c))
		return;
	c->suspicions++;
	c->suspect_until_ns = now + CLUSTER_SUSPECT_NS;
	c->suspect_from_ns = now;
	c->suspect_agent_gone = agent_gone;
	c->suspect_nonce = (uint32_t)now ^ (uint32_t)(now >> 32) ^
			   c->suspicions;
	snprintf(c->suspect_why, sizeof(c->suspect_why), "%s", why);
	pr_warn("%s: asking the peer on every path", why);
	cluster_send_ctl(c, PROTO_CTL_PING, c->suspect_nonce);
}

/*
 * The time the peer had to answer on an HA path ran out: lost. Dead, if
 * its agent is gone (its data plane may answer a little longer, until the
 * kernel empties the gate's program array), or if its data plane did not
 * answer a probe sent since either; if it did, only the HA paths are cut
 * (cluster_check_split()).
 */
static bool cluster_suspicion_over(struct cluster *c, uint64_t now)
{
	if (!c->suspect_until_ns || now < c->suspect_until_ns)
		return false;
	c->suspect_until_ns = 0;
	c->peer_died = c->suspect_agent_gone ||
		       c->peer_dp.asked_ns < c->suspect_from_ns;
	pr_warn("peer unit %u lost: %s, and no answer on any HA path within "
		"%llu ms%s", c->peer.unit_id, c->suspect_why,
		(unsigned long long)(CLUSTER_SUSPECT_NS / NS_PER_MS),
		c->peer_died ? ", nor from its data plane" : "");
	hasess_paths_forget(c->ha);
	return true;
}

/* ------------------------------------------------------------ hand-over */

static void cluster_send_give(struct cluster *c, uint16_t kind, uint32_t id,
			      unsigned int vsd, bool taken)
{
	uint8_t data[2] = { (uint8_t)vsd, taken };
	struct proto_msg m = { .kind = kind, .id = id, .data = data,
			       .data_len = kind == PROTO_CTL_HANDOVER ? 1 : 2 };

	hasess_send_all(c->ha, PROTO_T_CONTROL, &m);
}

/*
 * A group handing over tells the peer to take master once the peer has
 * every session delta it needs, and again each 100 ms (at most an
 * interval) until it answers: the message goes on every path, but a
 * path may drop it.
 */
static void cluster_give(struct cluster *c, unsigned int vsd, uint64_t now)
{
	struct cluster_group *g = &c->group[vsd];
	uint64_t again = cluster_interval_ns(c);

	if (!vsd_giving(&g->vsd) || now < g->give_next_ns)
		return;
	if (c->ev.flushed && !c->ev.flushed(c->ev.arg))
		return;
	if (!g->vsd.give_told)
		pr_info("vsd-group %u: the peer has every session: telling it "
			"to take master", vsd);
	cluster_send_give(c, PROTO_CTL_HANDOVER, g->give_id, vsd, false);
	vsd_give_told(&g->vsd);
	if (again > 100 * NS_PER_MS)
		again = 100 * NS_PER_MS;
	g->give_next_ns = now + again;
}

/* The peer hands master over: take it, or say why not, and answer. */
static void cluster_rx_give(struct cluster *c, const struct proto_msg *m,
			    uint64_t now)
{
	unsigned int vsd = m->data_len >= 1 ? m->data[0] : NSRPD_MAX_VSD;
	struct vsd_transition t;
	int ret;

	if (vsd >= NSRPD_MAX_VSD || !c->group[vsd].active ||
	    cluster_standalone(c)) {
		hasess_count_drop(c->ha, PROTO_R_BAD_RECORD);
		return;
	}
	ret = vsd_take(&c->group[vsd].vsd, now, &t);
	if (ret == 1) {
		cluster_apply(c, vsd, &t, now);
		/* The peer hears the new master at once, as it answers. */
		c->ev.heartbeat(c->ev.arg, now);
		cluster_send_hb(c, now);
	} else if (ret < 0) {
		pr_warn("vsd-group %u: the peer hands master over, but this "
			"unit is %s: refused", vsd,
			vsd_state_name(c->group[vsd].vsd.state));
	}
	cluster_send_give(c, PROTO_CTL_HANDOVER_ACK, m->id, vsd, ret >= 0);
}

/* The peer's answer to our HANDOVER. */
static void cluster_rx_given(struct cluster *c, const struct proto_msg *m,
			     uint64_t now)
{
	unsigned int vsd = m->data_len >= 2 ? m->data[0] : NSRPD_MAX_VSD;
	struct cluster_group *g;
	struct vsd_transition t;

	if (vsd >= NSRPD_MAX_VSD) {
		hasess_count_drop(c->ha, PROTO_R_BAD_RECORD);
		return;
	}
	g = &c->group[vsd];
	if (!vsd_giving(&g->vsd) || m->id != g->give_id)
		return;		/* an answer to an earlier one, repeated */
	if (!m->data[1])
		pr_warn("vsd-group %u: the peer cannot take master", vsd);
	if (vsd_given(&g->vsd, m->data[1], now, &t) == 1)
		cluster_apply(c, vsd, &t, now);
	cluster_note_giving(c, vsd, now);
	c->elect_due = true;
	cluster_send_hb(c, now);
}

static void cluster_rx_ctl(void *arg, const struct hasess_frame *f)
{
	struct cluster *c = arg;
	struct proto_msg m;
	int err = proto_decode_msg(f->body, f->len, &m);

	if (err) {
		hasess_count_drop(c->ha, err);
		return;
	}
	switch (m.kind) {
	case PROTO_CTL_HANDOVER:
		cluster_rx_give(c, &m, f->now);
		break;
	case PROTO_CTL_HANDOVER_ACK:
		cluster_rx_given(c, &m, f->now);
		break;
	case PROTO_CTL_PING:
		cluster_send_ctl(c, PROTO_CTL_PONG, m.id);
		break;
	case PROTO_CTL_PONG:
		if (!c->suspect_until_ns || m.id != c->suspect_nonce)
			break;
		c->suspect_until_ns = 0;
		c->suspicions_cleared++;
		pr_info("the peer answers on %s: %s, but it lives",
			c->ha->path[f->path].ifname, c->suspect_why);
		break;
	default:
		hasess_count_drop(c->ha, PROTO_R_BAD_RECORD);
	}
}

/* ------------------------------------------------- the peer's data plane */

void cluster_dataplane_heard(struct cluster *c, uint8_t masters,
			     uint8_t leaving, uint64_t sent_ns, uint64_t now)
{
	struct cluster_peer_dp *dp = &c->peer_dp;

	if (masters != dp->masters || leaving != dp->leaving ||
	    !cluster_dataplane_fresh(c, now))
		c->elect_due = true;
	dp->heard_ns = now;
	dp->asked_ns = sent_ns;
	dp->masters = masters;
	dp->leaving = leaving;
	dp->answers++;
}

bool cluster_dataplane_fresh(const struct cluster *c, uint64_t now)
{
	return c->peer_dp.heard_ns &&
	       now - c->peer_dp.heard_ns <= cluster_peer_dead_ns(c);
}

/*
 * The peer's data plane forwards every group its last heartbeat says it
 * is master of (or hands over): what it forwards is proven apart from
 * its agent.
 */
static bool cluster_dataplane_vouches(const struct cluster *c, uint64_t now)
{
	const struct proto_hb *hb = &c->peer.hb;
	uint8_t forwards = c->peer_dp.masters | c->peer_dp.leaving;

	if (!cluster_dataplane_fresh(c, now))
		return false;
	for (unsigned int i = 0; i < hb->ngroups; i++)
		if (hb->groups[i].state == VSD_MASTER &&
		    hb->groups[i].id < NSRPD_MAX_VSD &&
		    !(forwards & (1u << hb->groups[i].id)))
			return false;
	return true;
}

/*
 * No HA path hears the peer: it is kept while its data plane vouches for
 * it, up to its control plane deadline after its last heartbeat.
 */
static bool cluster_hold_peer(struct cluster *c, uint64_t now)
{
	bool held = c->peer.present && cluster_dataplane_vouches(c, now) &&
		    now - c->peer.last_rx_ns <= cluster_peer_ctl_dead_ns(c);

	if (held && !c->peer_ctl_silent)
		pr_warn("peer unit %u: no heartbeat for %llu ms, but its data "
			"plane answers: kept up to its control plane deadline, "
			"%llu ms", c->peer.unit_id,
			(unsigned long long)((now - c->peer.last_rx_ns) /
					     NS_PER_MS),
			(unsigned long long)(cluster_peer_ctl_dead_ns(c) /
					     NS_PER_MS));
	c->peer_ctl_silent = held;
	return held;
}

/*
 * Lost on every HA path, the peer's data plane still answers: split from
 * it, not its death. An input of the election while it lasts.
 */
static void cluster_check_split(struct cluster *c, uint64_t now)
{
	bool split = !c->peer.present && c->peer.ever && !c->peer_died &&
		     cluster_dataplane_fresh(c, now);

	if (split == c->split)
		return;
	c->split = split;
	c->elect_due = true;
	if (split)
		pr_warn("split brain: peer unit %u is heard on no HA path, but "
			"its data plane answers; %s", c->peer.unit_id,
			c->cfg->has_witness ? "the witness decides" :
			"no witness: this unit acts as if it were lost");
	else
		pr_info("split brain over: %s", c->peer.present ?
			"the peer is heard again" :
			"the peer's data plane answers no more");
}

/*
 * The peer is lost when no path has heard it within its data plane's
 * deadline, and its data plane does not vouch for it either.
 */
static void cluster_check_peer(struct cluster *c, uint64_t now)
{
	const struct ha_path *pri = &c->ha->path[HA_PRIMARY];
	bool any = !cluster_suspicion_over(c, now);

	any = any && (hasess_paths_expire(c->ha, now, cluster_peer_dead_ns(c)) ||
		      cluster_hold_peer(c, now));
	if (c->peer.present && !any) {
		pr_warn("peer unit %u lost on every HA path", c->peer.unit_id);
		c->peer.present = false;
		c->peer_ctl_silent = false;
		c->elect_due = true;
		c->ev.peer_lost(c->ev.arg, now);
	}
	cluster_check_split(c, now);

	/* The primary path failing alone is an alarm, not a failover. */
	if (any && pri->fd >= 0 && !pri->peer_seen && !c->primary_alarm) {
		c->primary_alarm = true;
		pr_warn("HA link %s lost; the secondary path carries the "
			"cluster", pri->ifname);
	} else if (c->primary_alarm && pri->peer_seen) {
		c->primary_alarm = false;
		pr_info("HA link %s restored", pri->ifname);
	}
}

static const char *cluster_unverified_words(int reason)
{
	switch (reason) {
	case PROTO_R_SEC_MISMATCH:
		return "protected otherwise (a password on one side only)";
	case PROTO_R_UNKNOWN_KEY:
		return "sealed with another password";
	}
	return "fail authentication";
}

/*
 * Whether a unit whose frames fail verification is on the link: an
 * alarm, and an input of the election while no verified peer is heard.
 */
static void cluster_check_unverified(struct cluster *c, uint64_t now)
{
	const struct hasess_unverified *u =
		hasess_unverified_alive(c->ha, now, cluster_dead_ns(c));
	bool master = u && u->master;

	if (!!u == c->unverified_alarm && master == c->unverified_master)
		return;
	if (!c->peer.present)
		c->elect_due = true;
	c->unverified_master = master;
	if (!!u == c->unverified_alarm)
		return;
	c->unverified_alarm = u;
	if (u) {
		snprintf(c->unverified_why, sizeof(c->unverified_why),
			 "unit %u heard on %s, its frames %s", u->unit_id,
			 c->ha->path[u->path].ifname,
			 cluster_unverified_words(u->reason));
		pr_warn("%s; it counts as a live unit", c->unverified_why);
	} else {
		pr_info("the unit whose frames failed verification is no "
			"longer heard");
	}
	if (c->ev.unverified)
		c->ev.unverified(c->ev.arg, u, u ? c->unverified_why : NULL,
				 now);
}

uint64_t cluster_next_deadline(const struct cluster *c)
{
	uint64_t next = c->next_hb_ns, t;

	t = hasess_paths_deadline(c->ha, cluster_peer_dead_ns(c));
	if (t < next)
		next = t;
	t = cluster_elect_deadline(c);
	if (t < next)
		next = t;
	if (c->stopping && c->stop_deadline_ns < next)
		next = c->stop_deadline_ns;
	if (c->suspect_until_ns && c->suspect_until_ns < next)
		next = c->suspect_until_ns;
	/* The peer kept by its data plane, or split: when that changes. */
	if (c->peer_ctl_silent || c->split) {
		t = c->peer_dp.heard_ns + cluster_peer_dead_ns(c) + 1;
		if (t < next)
			next = t;
	}
	if (c->peer_ctl_silent) {
		t = c->peer.last_rx_ns + cluster_peer_ctl_dead_ns(c) + 1;
		if (t < next)
			next = t;
	}
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++)
		if (vsd_giving(&c->group[i].vsd) &&
		    c->group[i].give_next_ns < next)
			next = c->group[i].give_next_ns;
	if (c->unverified_alarm) {
		t = c->ha->unverified.last_ns + cluster_dead_ns(c) + 1;
		if (t < next)
			next = t;
	}
	return next;
}

/*
 * Called first on every wake-up of the event loop, which wakes at least
 * once per heartbeat interval. A gap longer than the peer's loss
 * threshold means this unit was stopped (SIGSTOP, a frozen VM, a starved
 * CPU) and sent nothing for that long. What the peer sent meanwhile is
 * read first: our own silence must not make the peer look lost (and an
 * epoll_wait() resumed by SIGCONT returns EINTR, with no event to read
 * them for us). Then a group we still are master of, and that the
 * peer's latest heartbeat says it has taken over, steps down at once,
 * yielding (as "mode backup") so that the peer keeps master without a
 * second failover; preempt, if set, takes master back after the
 * hold-down. Without this the stale master answers for the VSIs next to
 * the new one until heartbeats are exchanged, and when it wins on
 * priority takes master back at once, without its hold-down.
 */
void cluster_wake(struct cluster *c, uint64_t now)
{
	uint64_t gap = now - c->last_wake_ns;

	if (!c->last_wake_ns || cluster_standalone(c) || c->stopping) {
		c->last_wake_ns = now;
		return;
	}
	c->last_wake_ns = now;
	if (gap <= cluster_dead_ns(c) || !c->peer.present)
		return;
	hasess_drain(c->ha, now);
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		struct vsd_transition t;
		struct vsd_peer p;

		if (!cluster_is_master(c, i))
			continue;
		cluster_peer_view(c, i, &p);
		if (!p.present || p.adv.state != VSD_MASTER)
			continue;
		if (vsd_command(&c->group[i].vsd, VSD_CMD_BACKUP, now, &t) != 1)
			continue;
		snprintf(t.reason, sizeof(t.reason),
			 "stalled %llu ms, the peer took over",
			 (unsigned long long)(gap / NS_PER_MS));
		cluster_apply(c, i, &t, now);
	}
}

void cluster_tick(struct cluster *c, uint64_t now,
		  const struct cluster_inputs *in)
{
	bool changed = false;

	if (memcmp(in, &c->in, sizeof(*in))) {
		c->in = *in;
		c->elect_due = true;
	}
	cluster_check_peer(c, now);
	cluster_check_timers(c);
	cluster_check_unverified(c, now);
	if (c->elect_due || now >= cluster_elect_deadline(c)) {
		changed = cluster_elect(c, now);
		/*
		 * A group that changed may have armed what only the next
		 * step acts on (a preempt with no hold-down): one more.
		 */
		c->elect_due = changed;
	}
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++)
		cluster_give(c, i, now);
	/*
	 * A change is told at once: a unit that preempts would otherwise be
	 * master beside the old one until its next heartbeat.
	 */
	if (changed || now >= c->next_hb_ns) {
		if (c->next_hb_ns && now >= c->next_hb_ns)
			cluster_late(c, now - c->next_hb_ns, &c->hb_tx_late_max_ns,
				     &c->hb_tx_late);
		c->ev.heartbeat(c->ev.arg, now);
		cluster_send_hb(c, now);
	}
}

/* --------------------------------------------------------------- receive */

static void cluster_peer_heard(struct cluster *c, const struct proto_hdr *h,
			       const struct proto_hb *hb, enum ha_path_id id,
			       uint64_t now)
{
	bool returned = !c->peer.present;
	uint64_t epoch = c->peer.epoch;

	if (c->peer.ever && c->peer.unit_id != h->unit_id)
		pr_warn("a different peer unit %u replaces unit %u",
			h->unit_id, c->peer.unit_id);
	if (returned) {
		pr_info("peer unit %u heard on %s", h->unit_id,
			c->ha->path[id].ifname);
		c->peer_returned = c->peer.ever;
	}
	if (c->peer_ctl_silent) {
		pr_info("peer unit %u heard again after %llu ms; its data plane "
			"answered meanwhile", h->unit_id,
			(unsigned long long)((now - c->peer.last_rx_ns) /
					     NS_PER_MS));
		c->peer_ctl_silent = false;
	}
	/*
	 * The same heartbeat goes out on every path, and a path's queue may
	 * hold older ones than another's (after a stall, or a slow path):
	 * any frame proves the peer alive on its path, but only a newer one
	 * than the last applied may change what we know of its state.
	 */
	if (!c->peer.ever || c->peer.unit_id != h->unit_id ||
	    h->epoch > c->peer.epoch ||
	    (h->epoch == c->peer.epoch && h->seq > c->peer.hb_seq)) {
		c->peer.unit_id = h->unit_id;
		c->peer.epoch = h->epoch;
		c->peer.hb_seq = h->seq;
		memcpy(c->peer.mac, hb->mac, 6);
		c->peer.hb = *hb;
	}
	c->peer.ever = true;
	c->peer.present = true;
	c->peer_died = false;
	c->peer.last_rx_ns = now;
	hasess_path_heard(c->ha, id, now);
	c->hb_rx++;
	c->elect_due = true;
	if (returned || c->peer.epoch != epoch)
		c->ev.peer_up(c->ev.arg, c->peer.epoch, returned, now);
}

static void cluster_rx_hb(void *arg, const struct hasess_frame *f)
{
	struct cluster *c = arg;
	struct proto_hb hb;
	int err = proto_decode_hb(f->body, f->len, &hb);

	if (err) {
		hasess_count_drop(c->ha, err);
		return;
	}
	cluster_late(c, f->queued_ns, &c->hb_rx_queued_max_ns, &c->hb_rx_late);
	if (hb.has_echo)
		ha_hb_echo_heard(&c->ha->path[f->path].hb, &hb.echo,
				 f->h->epoch, f->now);
	cluster_peer_heard(c, f->h, &hb, f->path, f->now);
}

/* ------------------------------------------------------ start and stop */

void cluster_init(struct cluster *c, const struct nsrp_config *cfg,
		  struct hasess *ha, const uint8_t mac[6], uint32_t unit_id,
		  const struct cluster_events *ev)
{
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->ha = ha;
	c->ev = *ev;
	c->unit_id = unit_id;
	memcpy(c->mac, mac, 6);
	for (unsigned int i = 0; i < cfg->n_vsi; i++)
		c->group[cfg->vsi[i].vsd].active = true;
	hasess_on(ha, PROTO_T_HEARTBEAT, cluster_rx_hb, c);
	hasess_on(ha, PROTO_T_CONTROL, cluster_rx_ctl, c);
}

static void cluster_standalone_start(struct cluster *c, unsigned int vsd,
				     uint64_t now)
{
	struct vsd_transition t = { .from = VSD_INITIAL, .at_ns = now };

	t.to = c->cfg->standalone_role == CFG_ROLE_MASTER ? VSD_MASTER
							  : VSD_BACKUP;
	snprintf(t.reason, sizeof(t.reason), "standalone role");
	c->group[vsd].vsd.state = t.to;
	cluster_apply(c, vsd, &t, now);
}

void cluster_start(struct cluster *c, uint64_t now)
{
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		struct vsd_params p;

		if (!c->group[i].active)
			continue;
		config_vsd_params(c->cfg, i, &p);
		vsd_init(&c->group[i].vsd, &p, c->mac, now);
		if (cluster_standalone(c))
			cluster_standalone_start(c, i, now);
	}
	c->next_hb_ns = now;
	c->elect_due = true;
	c->started = true;
}

void cluster_reconfigure(struct cluster *c, uint64_t now)
{
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		struct vsd_params p;

		if (!c->group[i].active)
			continue;
		config_vsd_params(c->cfg, i, &p);
		vsd_set_params(&c->group[i].vsd, &p);
	}
	/*
	 * The next tick elects on the new settings, then sends a heartbeat
	 * at once: the peer hears a new priority or preempt without waiting
	 * an interval, and the next one follows at the new interval.
	 */
	c->elect_due = true;
	c->next_hb_ns = now;
}

int cluster_command(struct cluster *c, unsigned int vsd, enum vsd_cmd cmd,
		    uint64_t now)
{
	struct vsd_transition t;
	struct vsd_peer p;

	if (vsd >= NSRPD_MAX_VSD || !c->group[vsd].active)
		return -ENOENT;
	if (cluster_standalone(c))
		return -EOPNOTSUPP;
	/* Master goes to the peer in one exchange when it can take it. */
	cluster_peer_view(c, vsd, &p);
	if (vsd_hand_over(&c->group[vsd].vsd, cmd, &p, now, &t) == 1)
		cluster_apply(c, vsd, &t, now);
	cluster_note_giving(c, vsd, now);
	c->elect_due = true;
	/* Tell the peer at once rather than at the next interval. */
	cluster_send_hb(c, now);
	return 0;
}

/*
 * A graceful stop hands every group over: the heartbeat says we step
 * down, the peer takes master at once, and we leave when it has, or when
 * the peer could have noticed our absence anyway.
 */
void cluster_shutdown(struct cluster *c, uint64_t now)
{
	struct vsd_params p;

	if (c->stopping)
		return;
	config_vsd_params(c->cfg, 0, &p);
	c->stopping = true;
	/* A hand-over's time, then the peer's patience as it was. */
	c->stop_deadline_ns = now + (uint64_t)p.handover_ms * NS_PER_MS +
			      cluster_dead_ns(c);
	if (cluster_standalone(c) || !c->peer.present) {
		c->stop_deadline_ns = now;
		return;
	}
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++)
		if (c->group[i].active)
			cluster_command(c, i, VSD_CMD_SHUTDOWN, now);
}

/* True when the hand-over is complete and the daemon may leave. */
static bool cluster_handed_over(const struct cluster *c)
{
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++)
		if (cluster_is_master(c, i))
			return false;
	return true;
}

bool cluster_may_exit(const struct cluster *c, uint64_t now)
{
	return c->stopping &&
	       (now >= c->stop_deadline_ns || cluster_handed_over(c));
}

void cluster_stop(struct cluster *c, uint64_t now)
{
	/* Groups that never started have nothing to step down from. */
	if (!c->started)
		return;
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		struct vsd_transition t = { .from = c->group[i].vsd.state,
					    .to = VSD_INITIAL, .at_ns = now };

		if (!c->group[i].active)
			continue;
		snprintf(t.reason, sizeof(t.reason), "daemon stopped");
		c->group[i].vsd.state = VSD_INITIAL;
		cluster_apply(c, i, &t, now);
	}
}
