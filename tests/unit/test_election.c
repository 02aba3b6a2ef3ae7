// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VSD election: every rule once from a table, then two simulated
 * units exchanging heartbeats on an injected clock.
 */
#include <stdio.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "election.h"
#include "../harness.h"

#define MS		1000000ULL
#define S		(1000 * MS)
#define T0		(1000 * S)	/* the clock does not start at zero */

static const uint8_t mac_lo[6] = { 0x00, 0x22, 0x23, 0x86, 0x30, 0x8b };
static const uint8_t mac_hi[6] = { 0x00, 0x24, 0xac, 0x04, 0x58, 0x0a };

static struct vsd_params params(uint8_t prio, bool preempt)
{
	struct vsd_params p = {
		.priority = prio, .preempt = preempt,
		.holddown_ms = 3000, .init_hold_ms = 5000, .yield_ms = 500,
	};
	return p;
}

/* ------------------------------------------------- one rule per row */

struct rule {
	const char *what;
	uint8_t prio;
	bool preempt, mae;
	enum vsd_state from;
	bool in_hold;		/* still inside the init hold */
	bool preempt_due;	/* hold-down armed and over */
	bool yielding;
	bool failed;
	uint8_t weight;		/* the failed monitors' sum */
	bool sync_pending;	/* the bulk sync from the peer runs */
	bool peer;		/* peer present */
	enum vsd_state peer_state;
	uint8_t peer_prio;
	uint8_t peer_flags;
	uint8_t peer_weight;
	bool peer_mac_lower;	/* peer wins a priority tie */
	bool handover;		/* handover_ms 1000 */
	bool split;		/* peer lost, its data plane answers */
	bool dp_master;		/* and it answers for the group */
	bool witness, witness_ok;
	enum vsd_state want;
	const char *reason;	/* substring, required when want != from */
};

#define B VSD_BACKUP
#define M VSD_MASTER
#define I VSD_INITIAL
#define E VSD_INELIGIBLE
#define O VSD_INOPERABLE

static const struct rule rules[] = {
	{ "init hold: no peer, stay initial", 100, .from = I, .in_hold = true,
	  .want = I },
	{ "init hold: master heard -> backup", 50, .from = I, .in_hold = true,
	  .peer = true, .peer_state = M, .peer_prio = 100,
	  .want = B, .reason = "peer is master" },
	{ "init hold: backup peer heard, keep holding", 50, .from = I,
	  .in_hold = true, .peer = true, .peer_state = B, .peer_prio = 100,
	  .want = I },
	{ "init hold: failed master heard -> master", 100, .from = I,
	  .in_hold = true, .peer = true, .peer_state = M, .peer_prio = 50,
	  .peer_flags = VSD_F_FAILED, .want = M, .reason = "failed" },
	{ "init hold over, nobody -> master", 100, .from = I,
	  .want = M, .reason = "no peer" },
	{ "init hold over, better initial peer -> wait for it", 100,
	  .from = I, .peer = true, .peer_state = I, .peer_prio = 50,
	  .want = I },
	{ "backup, no master, better initial peer -> master", 100, .from = B,
	  .peer = true, .peer_state = I, .peer_prio = 50,
	  .want = M, .reason = "init hold" },
	{ "init hold over, worse initial peer -> master", 50, .from = I,
	  .peer = true, .peer_state = I, .peer_prio = 100,
	  .want = M, .reason = "won the election" },
	{ "init hold over, master peer -> backup", 50, .from = I,
	  .peer = true, .peer_state = M, .peer_prio = 100,
	  .want = B, .reason = "peer is master" },
	{ "tie: lower peer MAC wins", 100, .from = I, .peer = true,
	  .peer_state = B, .peer_prio = 100, .peer_mac_lower = true,
	  .want = B, .reason = "peer wins" },
	{ "tie: lower local MAC wins", 100, .from = I, .peer = true,
	  .peer_state = B, .peer_prio = 100, .want = M,
	  .reason = "won the election" },
	{ "backup: peer lost -> master", 100, .from = B,
	  .want = M, .reason = "no peer" },
	{ "backup: master stays, no preempt", 50, .from = B, .peer = true,
	  .peer_state = M, .peer_prio = 100, .want = B },
	{ "backup: preempt, hold-down running", 50, .preempt = true,
	  .from = B, .peer = true, .peer_state = M, .peer_prio = 100,
	  .want = B },
	{ "backup: preempt, hold-down over -> master", 50, .preempt = true,
	  .from = B, .preempt_due = true, .peer = true, .peer_state = M,
	  .peer_prio = 100, .want = M, .reason = "preempt" },
	{ "backup: preempt due, bulk sync still running -> stays", 50,
	  .preempt = true, .from = B, .preempt_due = true,
	  .sync_pending = true, .peer = true, .peer_state = M,
	  .peer_prio = 100, .want = B },
	{ "backup: bulk sync running, master lost -> master", 50,
	  .preempt = true, .from = B, .sync_pending = true,
	  .want = M, .reason = "no peer" },
	{ "backup: preempt but worse -> stays", 150, .preempt = true,
	  .from = B, .preempt_due = true, .peer = true, .peer_state = M,
	  .peer_prio = 100, .want = B },
	{ "backup: master failed -> master", 100, .from = B, .peer = true,
	  .peer_state = M, .peer_prio = 50, .peer_flags = VSD_F_FAILED,
	  .want = M, .reason = "master peer failed" },
	{ "backup: master yields -> master", 100, .from = B, .peer = true,
	  .peer_state = M, .peer_prio = 50, .peer_flags = VSD_F_YIELD,
	  .want = M, .reason = "steps down" },
	{ "backup: peer backup yielding -> master", 100, .from = B,
	  .peer = true, .peer_state = B, .peer_prio = 50,
	  .peer_flags = VSD_F_YIELD, .want = M, .reason = "steps down" },
	{ "backup: peer ineligible -> master", 100, .from = B, .peer = true,
	  .peer_state = E, .peer_prio = 50, .want = M,
	  .reason = "ineligible" },
	{ "backup: peer inoperable -> master", 100, .from = B, .peer = true,
	  .peer_state = O, .peer_prio = 50, .peer_flags = VSD_F_FAILED,
	  .want = M, .reason = "failed" },
	{ "backup: both backup, local better -> master", 50, .from = B,
	  .peer = true, .peer_state = B, .peer_prio = 100, .want = M,
	  .reason = "won the election" },
	{ "backup: both backup, peer better -> stays", 100, .from = B,
	  .peer = true, .peer_state = B, .peer_prio = 50, .want = B },
	{ "backup yielding: peer backup -> stays backup", 50, .from = B,
	  .yielding = true, .peer = true, .peer_state = B, .peer_prio = 100,
	  .want = B },
	{ "master: worse backup peer -> stays", 50, .from = M, .peer = true,
	  .peer_state = B, .peer_prio = 100, .want = M },
	{ "master: better backup without claim -> stays", 100, .from = M,
	  .peer = true, .peer_state = B, .peer_prio = 50,
	  .peer_flags = VSD_F_PREEMPT, .want = M },
	{ "master: better peer claims master -> backup", 100, .from = M,
	  .peer = true, .peer_state = M, .peer_prio = 50,
	  .peer_flags = VSD_F_PREEMPT, .want = B, .reason = "wins" },
	{ "master: worse peer claims master -> stays", 50, .from = M,
	  .peer = true, .peer_state = M, .peer_prio = 100, .want = M },
	{ "master: tie, both master, lower peer MAC wins", 100, .from = M,
	  .peer = true, .peer_state = M, .peer_prio = 100,
	  .peer_mac_lower = true, .want = B, .reason = "wins" },
	{ "master: failed master peer claims -> stays", 100, .from = M,
	  .peer = true, .peer_state = M, .peer_prio = 50,
	  .peer_flags = VSD_F_FAILED | VSD_F_MAE, .want = M },
	{ "master: monitors fail -> inoperable", 50, .from = M,
	  .failed = true, .peer = true, .peer_state = B, .peer_prio = 100,
	  .want = O, .reason = "monitors failed" },
	{ "master: monitors fail, alone, no mae -> inoperable", 50, .from = M,
	  .failed = true, .want = O, .reason = "monitors failed" },
	{ "master: monitors fail, alone, mae -> stays", 50, .mae = true,
	  .from = M, .failed = true, .want = M },
	{ "mae: failed, peer can be master -> inoperable", 50, .mae = true,
	  .from = B, .failed = true, .peer = true, .peer_state = B,
	  .peer_prio = 100, .want = O, .reason = "monitors failed" },
	{ "mae: failed, peer ineligible -> master", 50, .mae = true, .from = O,
	  .failed = true, .peer = true, .peer_state = E, .peer_prio = 100,
	  .want = M, .reason = "master-always-exist" },
	{ "mae: failed, in init hold -> inoperable", 50, .mae = true,
	  .from = I, .in_hold = true, .failed = true, .want = O,
	  .reason = "monitors failed" },
	{ "mae: both failed, peer better -> inoperable", 100, .mae = true,
	  .from = O, .failed = true, .peer = true, .peer_state = O,
	  .peer_prio = 50, .peer_flags = VSD_F_FAILED | VSD_F_MAE, .want = O },
	{ "mae: both failed, local better -> master", 50, .mae = true,
	  .from = O, .failed = true, .peer = true, .peer_state = O,
	  .peer_prio = 100, .peer_flags = VSD_F_FAILED | VSD_F_MAE,
	  .want = M, .reason = "master-always-exist" },
	{ "mae: both failed, peer already master -> inoperable", 50,
	  .mae = true, .from = O, .failed = true, .peer = true,
	  .peer_state = M, .peer_prio = 100,
	  .peer_flags = VSD_F_FAILED | VSD_F_MAE, .want = O },
	{ "mae: both failed alike, master stays though the peer is better",
	  100, .mae = true, .from = M, .failed = true, .weight = 255,
	  .peer = true, .peer_state = O, .peer_prio = 50, .peer_weight = 255,
	  .peer_flags = VSD_F_FAILED | VSD_F_MAE, .want = M },
	{ "mae: both failed, the master more -> inoperable", 50, .mae = true,
	  .from = M, .failed = true, .weight = 200, .peer = true,
	  .peer_state = O, .peer_prio = 100, .peer_weight = 100,
	  .peer_flags = VSD_F_FAILED | VSD_F_MAE, .want = O,
	  .reason = "the peer, failed too, is master" },
	{ "mae: both failed, the peer more -> master", 100, .mae = true,
	  .from = O, .failed = true, .weight = 100, .peer = true,
	  .peer_state = M, .peer_prio = 50, .peer_weight = 200,
	  .peer_flags = VSD_F_FAILED | VSD_F_MAE, .want = M,
	  .reason = "monitors failed: wan0 no carrier; master-always-exist" },
	{ "failed: the reason names the monitor", 50, .from = M,
	  .failed = true, .weight = 255, .peer = true, .peer_state = B,
	  .peer_prio = 100, .want = O,
	  .reason = "monitors failed: wan0 no carrier" },
	{ "inoperable: recovered, master peer -> backup", 50, .from = O,
	  .peer = true, .peer_state = M, .peer_prio = 100, .want = B,
	  .reason = "peer is master" },
	{ "inoperable: recovered, alone -> master", 50, .from = O,
	  .want = M, .reason = "monitors recovered" },
	{ "inoperable: recovered in init hold -> initial", 50, .from = O,
	  .in_hold = true, .want = I, .reason = "monitors recovered" },
	{ "ineligible: stays whatever happens", 50, .from = E,
	  .want = E },
	/* Hand-overs in one exchange. */
	{ "backup: master hands over -> waits to be told", 100, .from = B,
	  .handover = true, .peer = true, .peer_state = M, .peer_prio = 50,
	  .peer_flags = VSD_F_LEAVING, .want = B },
	{ "backup: preempt due -> asks the master to hand over", 50,
	  .preempt = true, .handover = true, .from = B, .preempt_due = true,
	  .peer = true, .peer_state = M, .peer_prio = 100, .want = B },
	{ "master: handed over, the leaving peer is better -> stays", 100,
	  .from = M, .handover = true, .peer = true, .peer_state = M,
	  .peer_prio = 50, .peer_flags = VSD_F_LEAVING, .want = M },
	{ "master: better peer claims -> hands over, master meanwhile", 100,
	  .from = M, .handover = true, .peer = true, .peer_state = B,
	  .peer_prio = 50, .peer_flags = VSD_F_CLAIM | VSD_F_PREEMPT,
	  .want = M },
	{ "init hold: leaving master heard -> backup", 50, .from = I,
	  .in_hold = true, .peer = true, .peer_state = M, .peer_prio = 100,
	  .peer_flags = VSD_F_LEAVING, .want = B, .reason = "peer is master" },
	/* Split brain: lost on the HA paths, the data plane answers. */
	{ "split, no witness: backup -> master, as before", 100, .from = B,
	  .split = true, .dp_master = true, .want = M, .reason = "peer lost" },
	{ "split, witness: peer's data plane master -> backup stays", 100,
	  .from = B, .split = true, .dp_master = true, .witness = true,
	  .witness_ok = true, .want = B },
	{ "split, witness: peer's data plane not master -> master", 100,
	  .from = B, .split = true, .witness = true, .witness_ok = true,
	  .want = M, .reason = "witness answers" },
	{ "split, witness unreachable: master -> backup", 50, .from = M,
	  .split = true, .witness = true, .want = B,
	  .reason = "witness does not answer" },
	{ "split, witness unreachable: backup stays", 100, .from = B,
	  .split = true, .witness = true, .want = B },
	{ "split, witness: master, peer's master too, peer better -> backup",
	  100, .from = M, .split = true, .dp_master = true, .witness = true,
	  .witness_ok = true, .peer_prio = 50, .want = B,
	  .reason = "data plane is master" },
	{ "split, witness: master, peer's master too, local better -> stays",
	  50, .from = M, .split = true, .dp_master = true, .witness = true,
	  .witness_ok = true, .peer_prio = 100, .want = M },
	{ "peer dead (data plane too), witness: backup -> master", 100,
	  .from = B, .witness = true, .want = M, .reason = "peer lost" },
	{ "ineligible: stays when failed", 50, .from = E, .failed = true,
	  .want = E },
};

static void run_rule(const struct rule *r)
{
	struct vsd_params p = params(r->prio, r->preempt);
	struct vsd_inputs in = { .failed = r->failed, .weight = r->weight,
				 .why = "wan0 no carrier",
				 .sync_pending = r->sync_pending,
				 .witness = r->witness,
				 .witness_ok = r->witness_ok };
	struct vsd_transition t = { 0 };
	uint64_t now = T0 + 10 * S;
	struct vsd v;
	int changed;

	p.master_always_exist = r->mae;
	p.handover_ms = r->handover ? 1000 : 0;
	vsd_init(&v, &p, mac_hi, r->in_hold ? now - 1 * S : T0);
	v.peer_seen = r->split || r->witness;
	v.state = r->from;
	v.yielding = r->yielding;
	v.yield_end_ns = now + S;
	if (r->preempt_due) {
		v.preempt_armed = true;
		v.preempt_at_ns = now - 1;
	}
	in.peer.present = r->peer;
	memcpy(in.peer.mac, r->peer_mac_lower ? mac_lo : (uint8_t[6]){
		0x00, 0x30, 0, 0, 0, 1 }, 6);
	in.peer.adv.state = r->peer_state;
	in.peer.adv.priority = r->peer_prio;
	in.peer.adv.flags = r->peer_flags;
	in.peer.adv.weight = r->peer_weight;
	in.peer.dp_alive = r->split;
	in.peer.dp_master = r->dp_master;

	/* A row that expects a transition says why: "" would match any. */
	if (r->want != r->from && (!r->reason || !r->reason[0]))
		fprintf(stderr, "\n  rule '%s': no reason to expect\n", r->what);
	CU_ASSERT(r->want == r->from || (r->reason && r->reason[0]));
	changed = vsd_step(&v, &in, now, &t);
	if (v.state != r->want || changed != (r->want != r->from) ||
	    (changed && !strstr(t.reason, r->reason ? r->reason : "")))
		fprintf(stderr, "\n  rule '%s': got %s (%s), want %s\n", r->what,
			vsd_state_name(v.state), changed ? t.reason : "-",
			vsd_state_name(r->want));
	CU_ASSERT_EQUAL(v.state, r->want);
	CU_ASSERT_EQUAL(changed, r->want != r->from);
	if (changed) {
		CU_ASSERT_EQUAL(t.from, r->from);
		CU_ASSERT_EQUAL(t.to, r->want);
		CU_ASSERT_EQUAL(t.at_ns, now);
		CU_ASSERT(r->reason && strstr(t.reason, r->reason));
	}
}

static void test_rules(void)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		run_rule(&rules[i]);
}

/* ------------------------------------------------- two units, one clock */

struct unit {
	struct vsd v;
	bool up;		/* the daemon runs */
	bool failed;		/* its monitors */
	bool frozen;		/* SIGSTOP: heard, but never steps */
	int transitions;
	struct vsd_transition last;
};

struct sim {
	struct unit u[2];
	bool link;		/* the HA link (all paths) carries heartbeats */
	uint64_t now;
	int max_masters_run;	/* longest run of ticks with two masters */
	int masters_run;
	/* Hand-overs: HANDOVER and its answer, as the cluster sends them. */
	bool deliver;		/* they arrive */
	int flush_ticks;	/* ticks until a giving unit's sync is acked */
	int giving_ticks[2];
	int max_answering;	/* units answering for the VSIs at once */
	int silent_run, max_silent_run;	/* ticks ending with none answering */
	/* Split brain: probes cross where heartbeats do not. */
	bool dp_link;
	bool witness, witness_ok[2];
};

#define TICK	(100 * MS)	/* the heartbeat interval of the simulation */

static void sim_boot(struct sim *s, int i, const struct vsd_params *p)
{
	struct unit *u = &s->u[i];

	memset(u, 0, sizeof(*u));
	vsd_init(&u->v, p, i == 0 ? mac_lo : mac_hi, s->now);
	u->up = true;
}

static void sim_init(struct sim *s, const struct vsd_params *p0,
		     const struct vsd_params *p1)
{
	memset(s, 0, sizeof(*s));
	s->now = T0;
	s->link = true;
	sim_boot(s, 0, p0);
	if (p1)
		sim_boot(s, 1, p1);
}

/* Its data plane answers for the VSIs: master, and not handing over. */
static bool answering(const struct unit *u)
{
	return u->up && vsd_is_master(&u->v) && !vsd_giving(&u->v);
}

/* What unit i hears of the other one. */
static void sim_inputs(const struct sim *s, int i, struct vsd_inputs *in)
{
	const struct unit *o = &s->u[!i];

	memset(in, 0, sizeof(*in));
	in->failed = s->u[i].failed;
	in->witness = s->witness;
	in->witness_ok = s->witness_ok[i];
	in->peer.present = s->link && o->up;
	in->peer.dp_alive = !in->peer.present && s->dp_link && o->up;
	in->peer.dp_master = in->peer.dp_alive && answering(o);
	if (!in->peer.present && !in->peer.dp_alive)
		return;
	memcpy(in->peer.mac, o->v.mac, 6);
	vsd_advert(&o->v, &in->peer.adv);
}

static void sim_count_answering(struct sim *s)
{
	int n = answering(&s->u[0]) + answering(&s->u[1]);

	if (n > s->max_answering)
		s->max_answering = n;
}

/* At the end of a tick: how long nobody answered. */
static void sim_count_silence(struct sim *s)
{
	bool none = !answering(&s->u[0]) && !answering(&s->u[1]);

	s->silent_run = none ? s->silent_run + 1 : 0;
	if (s->silent_run > s->max_silent_run)
		s->max_silent_run = s->silent_run;
}

static void sim_note(struct unit *u, int changed, const struct vsd_transition *t)
{
	if (changed == 1) {
		u->transitions++;
		u->last = *t;
	}
}

/*
 * Unit i hands over: once its sync is flushed it tells the peer, which
 * takes master (or cannot), and the answer comes back, as the cluster
 * makes the exchange when messages arrive.
 */
static void sim_exchange(struct sim *s, int i)
{
	struct unit *u = &s->u[i], *o = &s->u[!i];
	struct vsd_transition t;
	int took;

	if (!u->up || !vsd_giving(&u->v) || u->v.give_told) {
		s->giving_ticks[i] = 0;
		return;
	}
	if (s->giving_ticks[i]++ < s->flush_ticks)
		return;
	vsd_give_told(&u->v);
	if (!s->deliver || !s->link || !o->up || o->frozen)
		return;
	took = vsd_take(&o->v, s->now, &t);
	sim_note(o, took, &t);
	sim_count_answering(s);
	sim_note(u, vsd_given(&u->v, took >= 0, s->now, &t), &t);
	sim_count_answering(s);
}

static void sim_step_unit(struct sim *s, int i)
{
	struct unit *u = &s->u[i];
	struct vsd_inputs in;
	struct vsd_transition t;

	if (!u->up || u->frozen)
		return;
	sim_inputs(s, i, &in);
	sim_note(u, vsd_step(&u->v, &in, s->now, &t), &t);
	sim_count_answering(s);
}

static bool both_master(const struct sim *s)
{
	return s->u[0].up && s->u[1].up && vsd_is_master(&s->u[0].v) &&
	       vsd_is_master(&s->u[1].v);
}

/* One heartbeat interval: each unit hears the other, then steps. */
static void sim_tick(struct sim *s)
{
	s->now += TICK;
	sim_step_unit(s, 0);
	sim_step_unit(s, 1);
	sim_exchange(s, 0);
	sim_exchange(s, 1);
	sim_count_silence(s);
	if (both_master(s) && s->link) {
		if (++s->masters_run > s->max_masters_run)
			s->max_masters_run = s->masters_run;
	} else {
		s->masters_run = 0;
	}
}

static void sim_run(struct sim *s, uint64_t ns)
{
	uint64_t end = s->now + ns;

	while (s->now < end)
		sim_tick(s);
}

static void sim_command(struct sim *s, int i, enum vsd_cmd cmd)
{
	struct vsd_transition t;

	if (vsd_command(&s->u[i].v, cmd, s->now, &t)) {
		s->u[i].transitions++;
		s->u[i].last = t;
	}
}

/* A planned command: a hand-over when the peer can take master. */
static void sim_hand_over(struct sim *s, int i, enum vsd_cmd cmd)
{
	struct vsd_inputs in;
	struct vsd_transition t;

	sim_inputs(s, i, &in);
	sim_note(&s->u[i], vsd_hand_over(&s->u[i].v, cmd, &in.peer, s->now,
					 &t), &t);
	sim_count_answering(s);
}

static enum vsd_state st(const struct sim *s, int i)
{
	return s->u[i].v.state;
}

/* The lab's two units: fw1 priority 50 preempt, fw2 priority 100. */
static void lab(struct sim *s)
{
	struct vsd_params fw1 = params(50, true), fw2 = params(100, false);

	sim_init(s, &fw1, &fw2);
}

static void test_sim_start_together(void)
{
	struct sim s;

	lab(&s);
	sim_run(&s, 4900 * MS);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_INITIAL);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_INITIAL);
	sim_run(&s, 200 * MS);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
	sim_run(&s, 10 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
	CU_ASSERT_EQUAL(s.u[0].transitions, 1);
	CU_ASSERT_EQUAL(s.u[1].transitions, 1);
	CU_ASSERT_EQUAL(s.max_masters_run, 0);
}

static void test_sim_start_alone_then_peer(void)
{
	struct vsd_params fw1 = params(50, true), fw2 = params(100, false);
	uint64_t booted;
	struct sim s;

	sim_init(&s, &fw1, NULL);
	sim_run(&s, 4900 * MS);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_INITIAL);
	sim_run(&s, 200 * MS);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.u[0].last.reason, "no peer"));

	/* fw2 joins: it hears the master during its init hold. */
	sim_run(&s, 2 * S);
	sim_boot(&s, 1, &fw2);
	booted = s.now;
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
	CU_ASSERT(s.u[1].last.at_ns - booted <= TICK);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
}

static void test_sim_master_killed_and_preempt(void)
{
	struct vsd_params fw1 = params(50, true);
	uint64_t back, took;
	struct sim s;

	lab(&s);
	sim_run(&s, 6 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);

	s.u[0].up = false;		/* kill -9 */
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.u[1].last.reason, "peer lost"));

	/* fw1 restarts: backup at once, then preempts after hold-down. */
	sim_run(&s, 5 * S);
	sim_boot(&s, 0, &fw1);
	back = s.now;
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	CU_ASSERT(vsd_next_deadline(&s.u[0].v) <= back + TICK + 3 * S);
	sim_run(&s, 2800 * MS);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);
	sim_run(&s, 400 * MS);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.u[0].last.reason, "preempt"));
	took = s.u[0].last.at_ns;
	CU_ASSERT(took - back >= 3 * S && took - back <= 3 * S + 2 * TICK);
	/* fw2 saw fw1 claim master in the same tick and stepped down. */
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
	CU_ASSERT_EQUAL(s.u[1].last.at_ns, took);
	CU_ASSERT(s.max_masters_run <= 1);
}

/* The master restarts before it is declared lost: no 5 s without master. */
static void test_sim_master_restarts_quickly(void)
{
	struct vsd_params fw1 = params(50, true);
	struct sim s;

	lab(&s);
	sim_run(&s, 6 * S);
	sim_boot(&s, 0, &fw1);		/* heard again at once, in Initial */
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_INITIAL);
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);
	sim_run(&s, 3200 * MS);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
}

/* Different init holds: the worse unit waits for the better one. */
static void test_sim_start_unequal_holds(void)
{
	struct vsd_params fw1 = params(50, false), fw2 = params(100, false);
	struct sim s;

	fw1.init_hold_ms = 8000;
	fw2.init_hold_ms = 2000;
	sim_init(&s, &fw1, &fw2);
	sim_run(&s, 7 * S);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_INITIAL);
	sim_run(&s, 1100 * MS);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
	CU_ASSERT_EQUAL(s.u[1].transitions, 1);
}

static void test_sim_no_preempt_keeps_master(void)
{
	struct vsd_params fw1 = params(50, false), fw2 = params(100, false);
	struct sim s;

	sim_init(&s, &fw1, &fw2);
	sim_run(&s, 6 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	s.u[0].up = false;
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	sim_boot(&s, 0, &fw1);
	sim_run(&s, 20 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
}

/* The seed: without preempt, "mode backup" makes the other unit master. */
static void test_sim_manual_backup_both_ways(void)
{
	struct vsd_params fw1 = params(50, false), fw2 = params(100, false);
	struct sim s;

	sim_init(&s, &fw1, &fw2);
	sim_run(&s, 6 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);

	sim_command(&s, 0, VSD_CMD_BACKUP);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.u[0].last.reason, "mode backup"));
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);
	sim_run(&s, 20 * S);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);

	/* And back. */
	sim_command(&s, 1, VSD_CMD_BACKUP);
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
	sim_run(&s, 20 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(s.max_masters_run, 0);
}

/* With preempt, "mode backup" is undone after the hold-down, as on ScreenOS. */
static void test_sim_manual_backup_with_preempt(void)
{
	struct sim s;

	lab(&s);
	sim_run(&s, 6 * S);
	sim_command(&s, 0, VSD_CMD_BACKUP);
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	sim_run(&s, 4 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
}

/* With preempt, "mode ineligible" holds until "mode init". */
static void test_sim_ineligible_then_init(void)
{
	struct vsd_advert adv;
	struct sim s;

	lab(&s);
	sim_run(&s, 6 * S);
	sim_command(&s, 0, VSD_CMD_INELIGIBLE);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_INELIGIBLE);
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.u[1].last.reason, "ineligible"));
	s.u[1].up = false;		/* even alone it stays out */
	sim_run(&s, 30 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_INELIGIBLE);
	s.u[1].up = true;
	sim_run(&s, 1 * S);

	sim_command(&s, 0, VSD_CMD_INIT);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_INITIAL);
	vsd_advert(&s.u[0].v, &adv);
	CU_ASSERT_EQUAL(adv.state, VSD_INITIAL);
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);	/* heard the master */
	sim_run(&s, 3200 * MS);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);	/* preempt */
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
}

static void test_sim_split_brain_heals(void)
{
	struct sim s;

	lab(&s);
	sim_run(&s, 6 * S);
	s.link = false;
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	sim_run(&s, 5 * S);
	s.link = true;
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.u[1].last.reason, "also master"));
	sim_run(&s, 10 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
}

static void test_sim_split_brain_without_preempt(void)
{
	struct vsd_params a = params(100, false), b = params(50, false);
	struct sim s;

	sim_init(&s, &a, &b);		/* unit 1 (priority 50) wins */
	sim_run(&s, 6 * S);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	s.link = false;
	sim_run(&s, 2 * S);
	s.link = true;
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
}

static void test_sim_equal_priority_mac_tiebreak(void)
{
	struct vsd_params p = params(100, false);
	struct sim s;

	sim_init(&s, &p, &p);
	sim_run(&s, 6 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);	/* mac_lo */
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
}

static void test_sim_monitors_fail_and_recover(void)
{
	struct sim s;

	lab(&s);
	sim_run(&s, 6 * S);
	s.u[0].failed = true;
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_INOPERABLE);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	sim_run(&s, 5 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_INOPERABLE);
	s.u[0].failed = false;
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.u[0].last.reason, "recovered"));
	sim_run(&s, 3200 * MS);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);	/* preempt */
}

static void test_sim_monitors_fail_on_backup(void)
{
	struct sim s;

	lab(&s);
	sim_run(&s, 6 * S);
	s.u[1].failed = true;
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_INOPERABLE);
	s.u[0].up = false;		/* no master now: none can be */
	sim_run(&s, 2 * S);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_INOPERABLE);
}

static void test_sim_master_always_exist(void)
{
	struct vsd_params a = params(50, true), b = params(100, false);
	struct sim s;

	a.master_always_exist = b.master_always_exist = true;
	sim_init(&s, &a, &b);
	sim_run(&s, 6 * S);
	s.u[1].failed = true;
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_INOPERABLE);
	s.u[0].up = false;		/* the only healthy unit dies */
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.u[1].last.reason,
				      "master-always-exist"));

	/* Both failed: one master only. */
	sim_boot(&s, 0, &a);
	s.u[0].failed = true;
	sim_run(&s, 10 * S);
	CU_ASSERT_NOT_EQUAL(vsd_is_master(&s.u[0].v),
			    vsd_is_master(&s.u[1].v));
	/* fw1 heals: it takes over, the failed master gives up. */
	s.u[0].failed = false;
	sim_run(&s, 2 * TICK);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_INOPERABLE);
}

static void test_sim_shutdown_hands_over(void)
{
	struct vsd_advert adv;
	struct sim s;

	lab(&s);
	sim_run(&s, 6 * S);
	sim_command(&s, 0, VSD_CMD_SHUTDOWN);
	CU_ASSERT_FALSE(vsd_is_master(&s.u[0].v));
	vsd_advert(&s.u[0].v, &adv);
	CU_ASSERT(adv.flags & VSD_F_YIELD);
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
}

/* SIGSTOP: the peer stops stepping but is still heard as master. */
static void test_sim_yield_gives_up_when_peer_silent(void)
{
	struct vsd_params fw1 = params(50, false), fw2 = params(100, false);
	struct sim s;

	sim_init(&s, &fw1, &fw2);
	sim_run(&s, 6 * S);
	s.u[1].frozen = true;	/* its last heartbeat says backup, forever */
	sim_command(&s, 0, VSD_CMD_BACKUP);
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);
	CU_ASSERT_EQUAL(vsd_next_deadline(&s.u[0].v), s.u[0].v.yield_end_ns);
	sim_run(&s, 600 * MS);	/* yield_ms 500 */
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
}

static void test_mode_backup_alone_retakes(void)
{
	struct vsd_params p = params(50, false);
	struct vsd_inputs in = { 0 };
	struct vsd_transition t;
	struct vsd v;

	vsd_init(&v, &p, mac_lo, T0);
	CU_ASSERT_EQUAL(vsd_step(&v, &in, T0 + 6 * S, &t), 1);
	CU_ASSERT_EQUAL(v.state, VSD_MASTER);
	CU_ASSERT_EQUAL(vsd_command(&v, VSD_CMD_BACKUP, T0 + 7 * S, &t), 1);
	CU_ASSERT_EQUAL(t.from, VSD_MASTER);
	CU_ASSERT_EQUAL(t.to, VSD_BACKUP);
	CU_ASSERT_EQUAL(vsd_step(&v, &in, T0 + 7 * S, &t), 1);
	CU_ASSERT_EQUAL(v.state, VSD_MASTER);	/* nobody else can be */
	/* mode backup on a backup changes nothing */
	vsd_command(&v, VSD_CMD_BACKUP, T0 + 8 * S, &t);
	CU_ASSERT_EQUAL(vsd_command(&v, VSD_CMD_BACKUP, T0 + 8 * S, &t), 0);
}

static void test_mode_backup_from_ineligible(void)
{
	struct vsd_params p = params(50, false);
	struct vsd_transition t;
	struct vsd v;

	vsd_init(&v, &p, mac_lo, T0);
	CU_ASSERT_EQUAL(vsd_command(&v, VSD_CMD_INELIGIBLE, T0, &t), 1);
	CU_ASSERT_EQUAL(vsd_command(&v, VSD_CMD_INELIGIBLE, T0, &t), 0);
	CU_ASSERT_EQUAL(vsd_command(&v, VSD_CMD_BACKUP, T0, &t), 1);
	CU_ASSERT_EQUAL(v.state, VSD_BACKUP);
	CU_ASSERT_FALSE(v.yielding);
}

static void test_deadlines(void)
{
	struct vsd_params p = params(50, true);
	struct vsd_inputs in = { .peer = { .present = true } };
	struct vsd_transition t;
	struct vsd v;

	vsd_init(&v, &p, mac_lo, T0);
	CU_ASSERT_EQUAL(vsd_next_deadline(&v), T0 + 5 * S);
	in.peer.adv.state = VSD_MASTER;
	in.peer.adv.priority = 100;
	memcpy(in.peer.mac, mac_hi, 6);
	CU_ASSERT_EQUAL(vsd_step(&v, &in, T0 + 1 * S, &t), 1);
	CU_ASSERT_EQUAL(v.state, VSD_BACKUP);
	/* Hold-down armed as it became backup. */
	CU_ASSERT_EQUAL(vsd_next_deadline(&v), T0 + 4 * S);
	CU_ASSERT_EQUAL(vsd_step(&v, &in, T0 + 2 * S, &t), 0);
	CU_ASSERT_EQUAL(vsd_next_deadline(&v), T0 + 4 * S);
	CU_ASSERT_EQUAL(vsd_step(&v, &in, T0 + 4 * S, &t), 1);
	CU_ASSERT_EQUAL(v.state, VSD_MASTER);
	CU_ASSERT_EQUAL(vsd_next_deadline(&v), UINT64_MAX);
	/* A master that loses preempt's condition has no timer left. */
	in.peer.adv.state = VSD_BACKUP;
	vsd_step(&v, &in, T0 + 5 * S, &t);
	CU_ASSERT_EQUAL(vsd_next_deadline(&v), UINT64_MAX);
}

/* The hold-down restarts when the preempt condition is broken. */
static void test_preempt_timer_resets(void)
{
	struct vsd_params p = params(50, true);
	struct vsd_inputs in = { .peer = { .present = true } };
	struct vsd_transition t;
	struct vsd v;

	vsd_init(&v, &p, mac_lo, T0);
	memcpy(in.peer.mac, mac_hi, 6);
	in.peer.adv.state = VSD_MASTER;
	in.peer.adv.priority = 100;
	vsd_step(&v, &in, T0, &t);		/* backup, armed to T0+3 */
	in.failed = true;
	vsd_step(&v, &in, T0 + 1 * S, &t);	/* inoperable: disarmed */
	CU_ASSERT_EQUAL(v.state, VSD_INOPERABLE);
	CU_ASSERT_FALSE(v.preempt_armed);
	in.failed = false;
	vsd_step(&v, &in, T0 + 2 * S, &t);	/* backup again: T0+5 */
	CU_ASSERT_EQUAL(v.state, VSD_BACKUP);
	CU_ASSERT_EQUAL(vsd_next_deadline(&v), T0 + 5 * S);
	vsd_step(&v, &in, T0 + 4 * S, &t);
	CU_ASSERT_EQUAL(v.state, VSD_BACKUP);
	vsd_step(&v, &in, T0 + 5 * S, &t);
	CU_ASSERT_EQUAL(v.state, VSD_MASTER);
}

static void test_zero_holddown_preempts_at_once(void)
{
	struct vsd_params p = params(50, true);
	struct vsd_inputs in = { .peer = { .present = true } };
	struct vsd_transition t;
	struct vsd v;

	p.holddown_ms = 0;
	p.init_hold_ms = 0;
	vsd_init(&v, &p, mac_lo, T0);
	memcpy(in.peer.mac, mac_hi, 6);
	in.peer.adv.state = VSD_MASTER;
	in.peer.adv.priority = 100;
	vsd_step(&v, &in, T0, &t);
	CU_ASSERT_EQUAL(v.state, VSD_BACKUP);
	vsd_step(&v, &in, T0 + 1, &t);
	CU_ASSERT_EQUAL(v.state, VSD_MASTER);
}

static void test_advert(void)
{
	struct vsd_params p = params(50, true);
	struct vsd_inputs in = { .failed = true };
	struct vsd_advert adv;
	struct vsd_transition t;
	struct vsd v;

	p.master_always_exist = true;
	vsd_init(&v, &p, mac_lo, T0);
	vsd_advert(&v, &adv);
	CU_ASSERT_EQUAL(adv.state, VSD_INITIAL);
	CU_ASSERT_EQUAL(adv.priority, 50);
	CU_ASSERT_EQUAL(adv.holddown_s, 3);
	CU_ASSERT_EQUAL(adv.flags, VSD_F_PREEMPT | VSD_F_MAE);
	vsd_step(&v, &in, T0 + S, &t);
	vsd_advert(&v, &adv);
	CU_ASSERT_EQUAL(adv.state, VSD_INOPERABLE);
	CU_ASSERT(adv.flags & VSD_F_FAILED);
}

static void test_state_names(void)
{
	CU_ASSERT_STRING_EQUAL(vsd_state_name(VSD_INITIAL), "initial");
	CU_ASSERT_STRING_EQUAL(vsd_state_name(VSD_MASTER), "master");
	CU_ASSERT_STRING_EQUAL(vsd_state_name(VSD_BACKUP), "backup");
	CU_ASSERT_STRING_EQUAL(vsd_state_name(VSD_INELIGIBLE), "ineligible");
	CU_ASSERT_STRING_EQUAL(vsd_state_name(VSD_INOPERABLE), "inoperable");
	CU_ASSERT_STRING_EQUAL(vsd_state_name(0), "unknown");
	CU_ASSERT_STRING_EQUAL(vsd_state_name(99), "unknown");
}

static void test_better(void)
{
	CU_ASSERT_TRUE(vsd_better(50, mac_hi, 100, mac_lo));
	CU_ASSERT_FALSE(vsd_better(100, mac_lo, 50, mac_hi));
	CU_ASSERT_TRUE(vsd_better(100, mac_lo, 100, mac_hi));
	CU_ASSERT_FALSE(vsd_better(100, mac_hi, 100, mac_lo));
	CU_ASSERT_FALSE(vsd_better(100, mac_lo, 100, mac_lo));
}

/*
 * Flap damping: fw1 (preempt, hold-down 3 s) fails and returns again and
 * again; its preempts wait an interval after each change of master, and
 * no more than the limit go in the window. Its failures are not held.
 */
static void test_sim_failover_damping(void)
{
	struct vsd_params fw1 = params(50, true), fw2 = params(100, false);
	uint64_t took;
	struct sim s;

	fw1.failover_interval_ms = 20000;
	fw1.failover_limit = 4;
	fw1.failover_window_ms = 600000;
	sim_init(&s, &fw1, &fw2);
	sim_run(&s, 6 * S);
	CU_ASSERT_EQUAL_FATAL(st(&s, 0), VSD_MASTER);

	/* fw1 fails: fw2 takes over at once, damping or not. */
	s.u[0].failed = true;
	sim_tick(&s);
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	took = s.now;
	/* It recovers: its preempt waits 20 s after that change, not 3 s. */
	s.u[0].failed = false;
	sim_run(&s, 5 * S);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	CU_ASSERT_TRUE(s.u[0].v.damped);
	sim_run(&s, 16 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT(s.u[0].last.at_ns - took >= 20 * S - 2 * TICK);

	/* Once more: four changes of master... */
	s.u[0].failed = true;
	sim_tick(&s);
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	s.u[0].failed = false;
	sim_run(&s, 30 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	/* ...and the limit: this preempt waits for the window. */
	s.u[0].failed = true;
	sim_tick(&s);
	sim_tick(&s);
	s.u[0].failed = false;
	sim_run(&s, 60 * S);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	CU_ASSERT_TRUE(s.u[0].v.damped);
	CU_ASSERT_EQUAL(s.max_masters_run, 0);
}

/* ------------------------------------------- hand-over in one exchange */

/* The lab's units, handing over in one exchange; fw1 master. */
static void lab_handover(struct sim *s)
{
	struct vsd_params fw1 = params(50, true), fw2 = params(100, false);

	fw1.handover_ms = fw2.handover_ms = 1000;
	sim_init(s, &fw1, &fw2);
	s->deliver = true;
	s->flush_ticks = 1;
	sim_run(s, 6 * S);
	CU_ASSERT_EQUAL_FATAL(st(s, 0), VSD_MASTER);
	s->max_answering = s->max_silent_run = 0;
}

/*
 * fw1 returns and preempts: it asks, fw2 hands over and fw1 takes master
 * when told. Never two units answering; none for a tick or two at most.
 */
static void test_sim_handover_preempt(void)
{
	struct vsd_params fw1 = params(50, true);
	uint64_t back;
	struct sim s;

	lab_handover(&s);
	fw1.handover_ms = 1000;
	s.u[0].up = false;
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	sim_run(&s, 2 * S);
	sim_boot(&s, 0, &fw1);
	back = s.now;
	sim_run(&s, 2900 * MS);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);
	sim_run(&s, 500 * MS);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.u[0].last.reason,
				      "preempt: the master handed over"));
	CU_ASSERT(s.u[0].last.at_ns - back <= 3 * S + 3 * TICK);
	CU_ASSERT_TRUE(s.u[1].last.handed_over);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.u[1].last.reason, "handed over"));
	CU_ASSERT_EQUAL(s.max_answering, 1);
	CU_ASSERT(s.max_silent_run <= 2);
	sim_run(&s, 10 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(s.u[1].transitions, 3);	/* no bounce */
}

/* "mode backup", "mode ineligible" and a graceful stop, handed over. */
static void test_sim_handover_commands(void)
{
	static const struct {
		enum vsd_cmd cmd;
		enum vsd_state then;
		const char *why;
	} cmds[] = {
		{ VSD_CMD_BACKUP, VSD_BACKUP, "mode backup, handed over" },
		{ VSD_CMD_INELIGIBLE, VSD_INELIGIBLE,
		  "mode ineligible, handed over" },
		{ VSD_CMD_SHUTDOWN, VSD_INELIGIBLE, "shutting down, handed" },
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct sim s;

		lab_handover(&s);
		s.u[0].v.p.preempt = false;	/* no preempt back */
		sim_hand_over(&s, 0, cmds[i].cmd);
		CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);	/* until taken */
		CU_ASSERT_TRUE(vsd_giving(&s.u[0].v));
		sim_run(&s, 3 * TICK);
		CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
		CU_ASSERT_EQUAL(st(&s, 0), cmds[i].then);
		CU_ASSERT_TRUE(s.u[0].last.handed_over);
		CU_ASSERT_PTR_NOT_NULL(strstr(s.u[0].last.reason,
					      cmds[i].why));
		CU_ASSERT_PTR_NOT_NULL(strstr(s.u[1].last.reason,
					      "the master handed over"));
		CU_ASSERT_EQUAL(s.max_answering, 1);
		CU_ASSERT(s.max_silent_run <= 2);
		sim_run(&s, 10 * S);
		CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	}
}

/* The peer never takes it: after handover_ms, the change of old. */
static void test_sim_handover_not_taken(void)
{
	struct vsd_advert adv;
	struct sim s;

	lab_handover(&s);
	s.deliver = false;
	s.u[0].v.p.preempt = false;
	sim_hand_over(&s, 0, VSD_CMD_BACKUP);
	sim_run(&s, 900 * MS);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);	/* told to wait */
	sim_run(&s, 200 * MS);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);
	CU_ASSERT_FALSE(s.u[0].last.handed_over);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.u[0].last.reason, "not taken in time"));
	vsd_advert(&s.u[0].v, &adv);
	CU_ASSERT_EQUAL(s.max_answering, 1);
}

/* The peer dies while master is handed to it: the master stays. */
static void test_sim_handover_peer_lost(void)
{
	struct sim s;

	lab_handover(&s);
	s.flush_ticks = 100;		/* the sync never catches up */
	sim_hand_over(&s, 0, VSD_CMD_BACKUP);
	sim_tick(&s);
	CU_ASSERT_FALSE(answering(&s.u[0]));
	s.u[1].up = false;
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_FALSE(vsd_giving(&s.u[0].v));
	CU_ASSERT_TRUE(answering(&s.u[0]));
	CU_ASSERT_EQUAL(s.u[0].transitions, 1);
}

/* The peer cannot take it (failed): the change of old, at once. */
static void test_sim_handover_peer_failed(void)
{
	struct sim s;

	lab_handover(&s);
	s.u[1].failed = true;
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_INOPERABLE);
	sim_hand_over(&s, 0, VSD_CMD_BACKUP);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);
	CU_ASSERT_FALSE(s.u[0].last.handed_over);
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);	/* nobody else can be */
}

/*
 * A master that does not hand over (handover_ms 0, as a unit of an
 * older version): the preempting unit claims outright after handover_ms.
 */
static void test_sim_handover_old_master(void)
{
	struct vsd_params fw1 = params(50, true), fw2 = params(100, false);
	struct sim s;

	fw1.handover_ms = 1000;
	sim_init(&s, &fw1, &fw2);
	s.deliver = true;
	sim_run(&s, 6 * S);
	s.u[0].up = false;
	sim_tick(&s);
	sim_boot(&s, 0, &fw1);
	sim_run(&s, 3200 * MS);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);
	CU_ASSERT_TRUE(s.u[0].v.claiming);
	sim_run(&s, 1000 * MS);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.u[0].last.reason, "not handed over"));
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
}

/* ---------------------------------------------------------- split brain */

/*
 * Every HA path cut, both data planes answer each other's probes. With
 * a witness both reach, the master stays and the backup waits; the
 * master that loses the witness steps down and the backup takes over.
 */
static void test_sim_split_witness(void)
{
	struct sim s;

	lab_handover(&s);
	s.witness = s.dp_link = true;
	s.witness_ok[0] = s.witness_ok[1] = true;
	s.max_answering = 0;
	s.link = false;
	sim_run(&s, 5 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
	CU_ASSERT_EQUAL(s.max_answering, 1);

	s.witness_ok[0] = false;
	sim_run(&s, 2 * TICK);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_BACKUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.u[0].last.reason, "witness"));
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
	CU_ASSERT_EQUAL(s.max_answering, 1);

	/* Healed: one master. */
	s.witness_ok[0] = true;
	s.link = true;
	sim_run(&s, 2 * TICK);
	CU_ASSERT_NOT_EQUAL(vsd_is_master(&s.u[0].v), vsd_is_master(&s.u[1].v));
	sim_run(&s, 5 * S);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);	/* preempt */
	CU_ASSERT_EQUAL(st(&s, 1), VSD_BACKUP);
	CU_ASSERT_EQUAL(s.max_answering, 1);
}

/* Without a witness, as before: both master until the paths heal. */
static void test_sim_split_no_witness(void)
{
	struct sim s;

	lab(&s);
	sim_run(&s, 6 * S);
	s.dp_link = true;
	s.link = false;
	sim_tick(&s);
	CU_ASSERT_EQUAL(st(&s, 0), VSD_MASTER);
	CU_ASSERT_EQUAL(st(&s, 1), VSD_MASTER);
}

TEST_SUITE(election, NULL, NULL,
	   TEST(test_rules),
	   TEST(test_sim_start_together),
	   TEST(test_sim_failover_damping),
	   TEST(test_sim_start_alone_then_peer),
	   TEST(test_sim_master_killed_and_preempt),
	   TEST(test_sim_master_restarts_quickly),
	   TEST(test_sim_start_unequal_holds),
	   TEST(test_sim_no_preempt_keeps_master),
	   TEST(test_sim_manual_backup_both_ways),
	   TEST(test_sim_manual_backup_with_preempt),
	   TEST(test_sim_ineligible_then_init),
	   TEST(test_sim_split_brain_heals),
	   TEST(test_sim_split_brain_without_preempt),
	   TEST(test_sim_handover_preempt),
	   TEST(test_sim_handover_commands),
	   TEST(test_sim_handover_not_taken),
	   TEST(test_sim_handover_peer_lost),
	   TEST(test_sim_handover_peer_failed),
	   TEST(test_sim_handover_old_master),
	   TEST(test_sim_split_witness),
	   TEST(test_sim_split_no_witness),
	   TEST(test_sim_equal_priority_mac_tiebreak),
	   TEST(test_sim_monitors_fail_and_recover),
	   TEST(test_sim_monitors_fail_on_backup),
	   TEST(test_sim_master_always_exist),
	   TEST(test_sim_shutdown_hands_over),
	   TEST(test_sim_yield_gives_up_when_peer_silent),
	   TEST(test_mode_backup_alone_retakes),
	   TEST(test_mode_backup_from_ineligible),
	   TEST(test_deadlines),
	   TEST(test_preempt_timer_resets),
	   TEST(test_zero_holddown_preempts_at_once),
	   TEST(test_advert),
	   TEST(test_state_names),
	   TEST(test_better))
