// SPDX-License-Identifier: GPL-2.0-only
/*
 * election.c - the VSD group state machine (see election.h for the rules).
 *
 * vsd_step() works in three moves: refresh the timers the inputs arm or
 * cancel (yield, preempt hold-down), decide the state the inputs call for
 * from scratch, then record the transition. Deciding from scratch rather
 * than chaining small moves means one step always lands on the final
 * state, so a caller never has to loop.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "election.h"


const char *vsd_state_name(int state)
{
	switch (state) {
	case VSD_INITIAL:	return "initial";
	case VSD_MASTER:	return "master";
	case VSD_BACKUP:	return "backup";
	case VSD_INELIGIBLE:	return "ineligible";
	case VSD_INOPERABLE:	return "inoperable";
	}
	return "unknown";
}

bool vsd_better(uint8_t prio_a, const uint8_t mac_a[6],
		uint8_t prio_b, const uint8_t mac_b[6])
{
	if (prio_a != prio_b)
		return prio_a < prio_b;
	return memcmp(mac_a, mac_b, 6) < 0;
}

void vsd_init(struct vsd *v, const struct vsd_params *p,
	      const uint8_t mac[6], uint64_t now_ns)
{
	memset(v, 0, sizeof(*v));
	v->p = *p;
	memcpy(v->mac, mac, 6);
	v->state = VSD_INITIAL;
	v->since_ns = now_ns;
	v->last_ns = now_ns;
	v->init_end_ns = now_ns + p->init_hold_ms * NS_PER_MS;
}

void vsd_set_params(struct vsd *v, const struct vsd_params *p)
{
	v->p = *p;
}

/* The peer could be master now or after its init hold. */
static bool peer_candidate(const struct vsd_peer *pr)
{
	if (!pr->present || (pr->adv.flags & (VSD_F_FAILED | VSD_F_YIELD)))
		return false;
	return pr->adv.state == VSD_INITIAL || pr->adv.state == VSD_BACKUP ||
	       pr->adv.state == VSD_MASTER;
}

static bool peer_master(const struct vsd_peer *pr)
{
	return pr->present && pr->adv.state == VSD_MASTER;
}

/* A master peer that is healthy and does not step down. */
static bool peer_master_stays(const struct vsd_peer *pr)
{
	return peer_master(pr) &&
	       !(pr->adv.flags & (VSD_F_FAILED | VSD_F_YIELD));
}

/* And that answers for the VSIs: it does not hand over either. */
static bool peer_sound_master(const struct vsd_peer *pr)
{
	return peer_master_stays(pr) && !(pr->adv.flags & VSD_F_LEAVING);
}

/* A backup peer that could take master now. */
static bool peer_can_take(const struct vsd_peer *pr)
{
	return pr->present && pr->adv.state == VSD_BACKUP &&
	       !(pr->adv.flags & (VSD_F_FAILED | VSD_F_YIELD));
}

/* A backup peer that preempts, and asks to be handed master. */
static bool peer_claims(const struct vsd_peer *pr)
{
	return peer_can_take(pr) && (pr->adv.flags & VSD_F_CLAIM);
}

static bool local_better(const struct vsd *v, const struct vsd_peer *pr)
{
	if (!pr->present)
		return true;
	return vsd_better(v->p.priority, v->mac, pr->adv.priority, pr->mac);
}

/* "mode backup" lasts until the peer is master, or nobody else can be. */
static void update_yield(struct vsd *v, const struct vsd_peer *pr,
			 uint64_t now_ns)
{
	if (!v->yielding)
		return;
	if (peer_master(pr) || !peer_candidate(pr) || now_ns >= v->yield_end_ns)
		v->yielding = false;
}

/*
 * The earliest a failover by choice may come, as flap damping has it: an
 * interval after the last change of master, and no more than the limit
 * in a window. 0: nothing holds it.
 */
static uint64_t damping_until(const struct vsd *v, uint64_t now_ns)
{
	const struct vsd_params *p = &v->p;
	uint64_t until = 0, win = (uint64_t)p->failover_window_ms * NS_PER_MS;
	unsigned int n = v->n_changes, in_window = 0;

	if (n && p->failover_interval_ms)
		until = v->changes[n - 1] +
			(uint64_t)p->failover_interval_ms * NS_PER_MS;
	if (!p->failover_limit || !win)
		return until;
	for (unsigned int i = 0; i < n; i++)
		in_window += now_ns - v->changes[i] < win;
	/* Full: wait until the oldest that counts leaves the window. */
	if (in_window >= p->failover_limit && n >= p->failover_limit) {
		uint64_t t = v->changes[n - p->failover_limit] + win;

		if (t > until)
			until = t;
	}
	return until;
}

static void record_change(struct vsd *v, uint64_t now_ns)
{
	if (v->n_changes == VSD_CHANGES_KEPT) {
		memmove(v->changes, v->changes + 1,
			sizeof(v->changes[0]) * (VSD_CHANGES_KEPT - 1));
		v->n_changes--;
	}
	v->changes[v->n_changes++] = now_ns;
}

/* The hold-down runs while a better, preempting backup sees a master. */
static void update_preempt(struct vsd *v, const struct vsd_peer *pr,
			   uint64_t now_ns)
{
	bool wants = v->state == VSD_BACKUP && !v->failed && v->p.preempt &&
		     !v->yielding && peer_master_stays(pr) &&
		     local_better(v, pr);

	if (!wants) {
		v->preempt_armed = false;
		v->damped = false;
		return;
	}
	if (!v->preempt_armed) {
		uint64_t damp = damping_until(v, now_ns);

		v->preempt_armed = true;
		v->preempt_at_ns = now_ns + v->p.holddown_ms * NS_PER_MS;
		v->damped = damp > v->preempt_at_ns;
		if (v->damped)
			v->preempt_at_ns = damp;
	}
}

/*
 * A preempt that is due asks the master to hand over first, for at most
 * handover_ms; then it claims master outright, as it did before.
 */
static void update_claim(struct vsd *v, const struct vsd_inputs *in,
			 uint64_t now_ns)
{
	bool due = v->p.handover_ms && v->state == VSD_BACKUP &&
		   v->preempt_armed && now_ns >= v->preempt_at_ns &&
		   !in->sync_pending && peer_master(&in->peer);

	if (!due) {
		v->claiming = false;
		return;
	}
	if (!v->claiming) {
		v->claiming = true;
		v->claim_end_ns = now_ns + (uint64_t)v->p.handover_ms * NS_PER_MS;
	}
}

#define WHY(...) snprintf(why, len, __VA_ARGS__)

/*
 * Both units failed: the less failed (the lower sum of failed weights)
 * is master; equally failed, the one that is master stays, for a
 * failover between two failed units gains nothing; else the election's
 * winner.
 */
static bool failed_keeps_master(const struct vsd *v, const struct vsd_peer *pr)
{
	if (pr->adv.weight != v->weight)
		return v->weight < pr->adv.weight;
	if ((v->state == VSD_MASTER) != (pr->adv.state == VSD_MASTER))
		return v->state == VSD_MASTER;
	return local_better(v, pr);
}

/*
 * Monitors failed: give up master, unless master-always-exist is set and
 * no healthy unit can be master (failed_keeps_master() then chooses).
 */
static enum vsd_state decide_failed(const struct vsd *v,
				    const struct vsd_inputs *in,
				    uint64_t now_ns, char *why, size_t len)
{
	const struct vsd_peer *pr = &in->peer;
	const char *what = in->why ? in->why : "";

	WHY("monitors failed: %s", what);
	if (!v->p.master_always_exist || peer_candidate(pr))
		return VSD_INOPERABLE;
	if (v->state != VSD_MASTER && now_ns < v->init_end_ns)
		return VSD_INOPERABLE;
	if (pr->present && (pr->adv.flags & VSD_F_FAILED) &&
	    (pr->adv.flags & VSD_F_MAE) && !failed_keeps_master(v, pr)) {
		WHY("monitors failed: %s; the peer, failed too, is master",
		    what);
		return VSD_INOPERABLE;
	}
	WHY("monitors failed: %s; master-always-exist", what);
	return VSD_MASTER;
}

/*
 * Every HA path is silent, but the peer's data plane answers its probes:
 * the peer lives, the link between the two is cut. The witness decides:
 * a unit that cannot reach it does not answer for the VSIs; one that can
 * is master, unless the peer's data plane is (when both are, the better
 * by the election stays).
 */
static enum vsd_state decide_split(const struct vsd *v,
				   const struct vsd_inputs *in,
				   char *why, size_t len)
{
	const struct vsd_peer *pr = &in->peer;

	if (!in->witness_ok) {
		WHY("split brain: the witness does not answer");
		return v->state == VSD_INITIAL ? VSD_INITIAL : VSD_BACKUP;
	}
	if (pr->dp_master && (v->state != VSD_MASTER ||
			      !vsd_better(v->p.priority, v->mac,
					  pr->adv.priority, pr->mac))) {
		WHY("split brain: the peer's data plane is master");
		return v->state == VSD_INITIAL ? VSD_INITIAL : VSD_BACKUP;
	}
	WHY("split brain: the witness answers, the peer's data plane is "
	    "not master");
	return VSD_MASTER;
}

/* Nobody is master: the unit with the lowest priority, then MAC, takes it. */
static enum vsd_state decide_masterless(const struct vsd *v,
					const struct vsd_peer *pr,
					char *why, size_t len)
{
	bool peer_wins = peer_candidate(pr) && !local_better(v, pr);

	/*
	 * A better peer still in its init hold will claim when the hold
	 * ends: wait for it if we are starting too, but a unit already
	 * past start-up does not leave the cluster without a master (the
	 * peer may be the old master, restarted).
	 */
	if (peer_wins && pr->adv.state == VSD_INITIAL &&
	    v->state == VSD_INITIAL)
		return VSD_INITIAL;
	if (peer_wins && pr->adv.state != VSD_INITIAL) {
		WHY("peer wins the election (priority %u vs %u)",
		    pr->adv.priority, v->p.priority);
		return VSD_BACKUP;
	}
	if (peer_wins)
		WHY("no master, peer in init hold");
	else if (pr->adv.flags & VSD_F_YIELD)
		WHY("peer steps down");
	else if (!peer_candidate(pr))
		WHY("peer is %s, cannot be master",
		    pr->adv.flags & VSD_F_FAILED ? "failed" :
		    vsd_state_name(pr->adv.state));
	else
		WHY("won the election (priority %u vs %u)", v->p.priority,
		    pr->adv.priority);
	return VSD_MASTER;
}

static enum vsd_state decide(const struct vsd *v, const struct vsd_inputs *in,
			     bool peer_was_seen, uint64_t now_ns,
			     char *why, size_t len)
{
	const struct vsd_peer *pr = &in->peer;
	bool in_hold = now_ns < v->init_end_ns;

	if (v->state == VSD_INELIGIBLE)
		return VSD_INELIGIBLE;		/* only commands leave it */
	if (in->failed)
		return decide_failed(v, in, now_ns, why, len);

	if ((v->state == VSD_INITIAL || v->state == VSD_INOPERABLE) && in_hold) {
		if (peer_master_stays(pr)) {
			WHY("peer is master");
			return VSD_BACKUP;
		}
		if (peer_master(pr)) {
			WHY("master peer failed");
			return VSD_MASTER;
		}
		return VSD_INITIAL;
	}

	if (!pr->present && pr->dp_alive && in->witness)
		return decide_split(v, in, why, len);
	if (!pr->present) {
		if (v->state == VSD_INITIAL)
			WHY("init hold over, no peer heard");
		else if (v->state == VSD_BACKUP && peer_was_seen)
			WHY("peer lost");
		else if (v->state == VSD_BACKUP)
			WHY("no peer");
		return VSD_MASTER;
	}
	if (v->yielding)
		return VSD_BACKUP;

	if (v->state == VSD_MASTER) {
		if (peer_sound_master(pr) && !local_better(v, pr)) {
			WHY("peer also master and wins (priority %u vs %u)",
			    pr->adv.priority, v->p.priority);
			return VSD_BACKUP;
		}
		return VSD_MASTER;
	}

	if (peer_master(pr)) {
		if (pr->adv.flags & VSD_F_FAILED) {
			WHY("master peer failed");
			return VSD_MASTER;
		}
		if (pr->adv.flags & VSD_F_YIELD) {
			WHY("master peer steps down");
			return VSD_MASTER;
		}
		/*
		 * The hold-down runs meanwhile; the claim waits for sync,
		 * then for the master to hand over (update_claim()).
		 */
		if (v->preempt_armed && now_ns >= v->preempt_at_ns &&
		    !in->sync_pending &&
		    (!v->claiming || now_ns >= v->claim_end_ns)) {
			WHY("preempt: priority %u beats master's %u%s",
			    v->p.priority, pr->adv.priority,
			    v->claiming ? ", not handed over" : "");
			return VSD_MASTER;
		}
		if (v->claiming)
			WHY("preempt: asking the master to hand over");
		else if (pr->adv.flags & VSD_F_LEAVING)
			WHY("master peer hands over");
		else
			WHY("peer is master");
		return VSD_BACKUP;
	}
	return decide_masterless(v, pr, why, len);
}

static int set_state(struct vsd *v, enum vsd_state to, const char *why,
		     uint64_t now_ns, struct vsd_transition *t)
{
	size_t n = strlen(why);

	if (to == v->state)
		return 0;
	if (n > sizeof(t->reason) - 1)
		n = sizeof(t->reason) - 1;	/* cut if long */
	t->from = v->state;
	t->to = to;
	t->at_ns = now_ns;
	t->handed_over = false;
	memcpy(t->reason, why, n);
	t->reason[n] = '\0';
	/* A change of master between units; the first election is none. */
	if ((to == VSD_MASTER && v->state != VSD_INITIAL) ||
	    v->state == VSD_MASTER)
		record_change(v, now_ns);
	v->state = to;
	v->since_ns = now_ns;
	if (to != VSD_BACKUP)
		v->yielding = false;
	v->giving = VSD_GIVE_NONE;
	v->claiming = false;
	return 1;
}

/* ------------------------------------------------------------ hand-over */

static void give_start(struct vsd *v, enum vsd_give what, uint64_t now_ns)
{
	v->giving = what;
	v->give_told = false;
	v->give_from_ns = now_ns;
	v->give_end_ns = now_ns + (uint64_t)v->p.handover_ms * NS_PER_MS;
}

/*
 * The peer took master: this unit becomes what the hand-over was for.
 * The transition is dated when the hand-over began, when this unit's data
 * plane stopped answering for the VSIs (it forwards what still reaches
 * it a moment longer): the peer answers only after, and the histories of
 * both units say so.
 */
static int give_done(struct vsd *v, uint64_t now_ns, struct vsd_transition *t)
{
	enum vsd_give what = v->giving;
	int changed;

	switch (what) {
	case VSD_GIVE_INELIGIBLE:
		changed = set_state(v, VSD_INELIGIBLE, "manual: mode ineligible, "
				    "handed over", now_ns, t);
		break;
	case VSD_GIVE_SHUTDOWN:
		v->leaving = true;
		changed = set_state(v, VSD_INELIGIBLE, "shutting down, handed "
				    "over", now_ns, t);
		break;
	case VSD_GIVE_PREEMPTED:
		changed = set_state(v, VSD_BACKUP, "peer preempts, handed over",
				    now_ns, t);
		break;
	default:
		changed = set_state(v, VSD_BACKUP, "manual: mode backup, handed "
				    "over", now_ns, t);
		break;
	}
	t->handed_over = changed;
	if (changed)
		t->at_ns = v->give_from_ns;
	return changed;
}

/*
 * The hand-over cannot be made in one exchange: the change is made at
 * once, as it was before (a preempting peer, which then finds no master,
 * takes it).
 */
static int give_fallback(struct vsd *v, const char *why, uint64_t now_ns,
			 struct vsd_transition *t)
{
	static const enum vsd_cmd cmd[] = {
		[VSD_GIVE_BACKUP] = VSD_CMD_BACKUP,
		[VSD_GIVE_INELIGIBLE] = VSD_CMD_INELIGIBLE,
		[VSD_GIVE_SHUTDOWN] = VSD_CMD_SHUTDOWN,
	};
	enum vsd_give what = v->giving;
	char reason[VSD_REASON_LEN];
	int changed;

	v->giving = VSD_GIVE_NONE;
	if (what == VSD_GIVE_PREEMPTED)
		changed = set_state(v, VSD_BACKUP, "peer preempts", now_ns, t);
	else
		changed = vsd_command(v, cmd[what], now_ns, t);
	if (changed) {
		snprintf(reason, sizeof(reason), "%.48s (%s)", t->reason, why);
		memcpy(t->reason, reason, sizeof(t->reason));
	}
	return changed;
}

/* A hand-over under way, as the peer's heartbeat and the clock say. */
static int give_step(struct vsd *v, const struct vsd_inputs *in,
		     uint64_t now_ns, struct vsd_transition *t)
{
	const struct vsd_peer *pr = &in->peer;
	bool preempted = v->giving == VSD_GIVE_PREEMPTED;

	/* Called off: the peer is gone, or this unit failed (decide()). */
	if (v->state != VSD_MASTER || in->failed || !pr->present) {
		v->giving = VSD_GIVE_NONE;
		return 0;
	}
	if (peer_sound_master(pr))
		return give_done(v, now_ns, t);
	if (now_ns >= v->give_end_ns)
		return give_fallback(v, "not taken in time", now_ns, t);
	/* A preempt withdrawn before the peer was told: master stays. */
	if (preempted && !v->give_told && !peer_claims(pr)) {
		v->giving = VSD_GIVE_NONE;
		return 0;
	}
	if (!preempted && !peer_can_take(pr))
		return give_fallback(v, "the peer cannot take it", now_ns, t);
	return 0;
}

int vsd_hand_over(struct vsd *v, enum vsd_cmd cmd, const struct vsd_peer *pr,
		  uint64_t now_ns, struct vsd_transition *t)
{
	static const enum vsd_give give[] = {
		[VSD_CMD_BACKUP] = VSD_GIVE_BACKUP,
		[VSD_CMD_INELIGIBLE] = VSD_GIVE_INELIGIBLE,
		[VSD_CMD_INIT] = VSD_GIVE_NONE,
		[VSD_CMD_SHUTDOWN] = VSD_GIVE_SHUTDOWN,
	};

	if (v->state != VSD_MASTER || !v->p.handover_ms || !peer_can_take(pr) ||
	    give[cmd] == VSD_GIVE_NONE)
		return vsd_command(v, cmd, now_ns, t);
	v->preempt_armed = false;
	if (vsd_giving(v))
		v->giving = give[cmd];	/* a hand-over runs: now for this */
	else
		give_start(v, give[cmd], now_ns);
	return 0;
}

void vsd_give_told(struct vsd *v)
{
	if (vsd_giving(v))
		v->give_told = true;
}

int vsd_given(struct vsd *v, bool taken, uint64_t now_ns,
	      struct vsd_transition *t)
{
	if (!vsd_giving(v) || v->state != VSD_MASTER)
		return 0;
	if (taken)
		return give_done(v, now_ns, t);
	/* A preempting peer that cannot take master after all. */
	if (v->giving == VSD_GIVE_PREEMPTED) {
		v->giving = VSD_GIVE_NONE;
		return 0;
	}
	return give_fallback(v, "the peer refused it", now_ns, t);
}

int vsd_take(struct vsd *v, uint64_t now_ns, struct vsd_transition *t)
{
	const char *why = v->claiming ? "preempt: the master handed over" :
					"the master handed over";

	if (v->state == VSD_MASTER)
		return 0;
	if (v->state != VSD_BACKUP || v->failed || v->yielding)
		return -EPERM;
	v->preempt_armed = false;
	return set_state(v, VSD_MASTER, why, now_ns, t);
}

int vsd_step(struct vsd *v, const struct vsd_inputs *in, uint64_t now_ns,
	     struct vsd_transition *t)
{
	char why[VSD_REASON_LEN] = "";
	bool peer_was_seen = v->peer_seen;
	enum vsd_state next;
	int changed;

	v->last_ns = now_ns;
	v->failed = in->failed;
	v->weight = in->failed ? in->weight : 0;
	if (in->peer.present)
		v->peer_seen = true;
	update_yield(v, &in->peer, now_ns);
	if (vsd_giving(v) && give_step(v, in, now_ns, t)) {
		update_preempt(v, &in->peer, now_ns);
		return 1;
	}
	/* A better peer preempts: hand over to it. */
	if (!vsd_giving(v) && v->state == VSD_MASTER && v->p.handover_ms &&
	    !in->failed && peer_claims(&in->peer) && !local_better(v, &in->peer))
		give_start(v, VSD_GIVE_PREEMPTED, now_ns);
	update_preempt(v, &in->peer, now_ns);
	update_claim(v, in, now_ns);
	next = decide(v, in, peer_was_seen, now_ns, why, sizeof(why));
	if (v->state == VSD_INOPERABLE && !in->failed) {
		char full[VSD_REASON_LEN + 24];

		snprintf(full, sizeof(full), "monitors recovered%s%s",
			 *why ? ", " : "", why);
		changed = set_state(v, next, full, now_ns, t);
	} else {
		changed = set_state(v, next, why, now_ns, t);
	}
	if (changed)
		update_preempt(v, &in->peer, now_ns);
	return changed;
}

int vsd_command(struct vsd *v, enum vsd_cmd cmd, uint64_t now_ns,
		struct vsd_transition *t)
{
	v->preempt_armed = false;
	switch (cmd) {
	case VSD_CMD_BACKUP:
		if (v->state == VSD_MASTER) {
			v->yielding = true;
			v->yield_end_ns = now_ns + v->p.yield_ms * NS_PER_MS;
			return set_state(v, VSD_BACKUP, "manual: mode backup",
					 now_ns, t);
		}
		if (v->state == VSD_INITIAL || v->state == VSD_INELIGIBLE) {
			v->leaving = false;
			v->init_end_ns = now_ns;
			return set_state(v, VSD_BACKUP, "manual: mode backup",
					 now_ns, t);
		}
		return 0;	/* backup already; inoperable stays so */
	case VSD_CMD_INELIGIBLE:
		v->yielding = false;
		return set_state(v, VSD_INELIGIBLE, "manual: mode ineligible",
				 now_ns, t);
	case VSD_CMD_INIT:
		v->yielding = false;
		v->leaving = false;
		v->init_end_ns = now_ns + v->p.init_hold_ms * NS_PER_MS;
		return set_state(v, VSD_INITIAL, "manual: mode init", now_ns, t);
	case VSD_CMD_SHUTDOWN:
		v->yielding = false;
		v->leaving = true;
		return set_state(v, VSD_INELIGIBLE, "shutting down", now_ns, t);
	}
	return 0;
}

void vsd_advert(const struct vsd *v, struct vsd_advert *adv)
{
	memset(adv, 0, sizeof(*adv));
	adv->state = v->state;
	adv->priority = v->p.priority;
	adv->holddown_s = v->p.holddown_ms / 1000;
	adv->weight = v->weight;
	if (v->p.preempt)
		adv->flags |= VSD_F_PREEMPT;
	if (v->failed)
		adv->flags |= VSD_F_FAILED;
	if (v->yielding || v->leaving)
		adv->flags |= VSD_F_YIELD;
	if (v->p.master_always_exist)
		adv->flags |= VSD_F_MAE;
	if (vsd_giving(v))
		adv->flags |= VSD_F_LEAVING;
	if (v->claiming)
		adv->flags |= VSD_F_CLAIM;
}

static void earliest(uint64_t *best, uint64_t t, uint64_t after)
{
	if (t > after && t < *best)
		*best = t;
}

uint64_t vsd_next_deadline(const struct vsd *v)
{
	uint64_t best = UINT64_MAX;

	if (v->state == VSD_INITIAL ||
	    (v->state == VSD_INOPERABLE && v->p.master_always_exist))
		earliest(&best, v->init_end_ns, v->last_ns);
	if (v->preempt_armed)
		earliest(&best, v->preempt_at_ns, v->last_ns);
	if (v->yielding)
		earliest(&best, v->yield_end_ns, v->last_ns);
	if (vsd_giving(v))
		earliest(&best, v->give_end_ns, v->last_ns);
	if (v->claiming)
		earliest(&best, v->claim_end_ns, v->last_ns);
	return best;
}
