/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * election.h - the VSD group state machine, one instance per group.
 *
 * Pure logic: the caller passes in what the unit knows (its own monitors,
 * the peer's latest heartbeat for this group or "lost", manual commands)
 * and the time; the machine answers with its state, the transitions it
 * made and why, what the local heartbeat must carry and when it must be
 * stepped again at the latest. Nothing here reads a clock or a socket.
 *
 * The rules, as NSRP's:
 *  - start in Initial and hold there init-hold seconds, unless a master
 *    peer is heard first (then Backup);
 *  - when nobody is master, the lowest priority number wins, ties go to
 *    the lowest MAC;
 *  - a master stays master until it fails, steps down, or a better peer
 *    with preempt claims master after waiting its hold-down;
 *  - when both units claim master (a healed split brain, or a preempting
 *    peer) the election winner stays and the loser steps down at once;
 *  - failed monitors make a unit Inoperable, unless master-always-exist
 *    is set and no other unit can be master: when both are failed, the
 *    less failed (the lower sum of failed weights) is master, equally
 *    failed the one already master, else the election's winner;
 *  - "mode backup" steps down and yields until the peer is master (so the
 *    peer takes over at once), "mode ineligible" leaves the election until
 *    "mode init" starts it again.
 *
 * Planned hand-overs (preempt, "mode backup" or "mode ineligible" on the
 * master, a graceful stop) hand master over in one exchange, so that no
 * instant has two units answering for a VSI: the master hands over
 * (vsd_hand_over(), or a preempting peer's claim, VSD_F_CLAIM), its data
 * plane stops answering but keeps forwarding (vsd_giving(), VSD_F_LEAVING
 * in its heartbeats), and once the peer has every session it needs the
 * master tells it to take over (vsd_give_told()); the peer takes master
 * when told (vsd_take()) and not before, and the old master steps down
 * when it hears so (vsd_given(), or the peer's heartbeat). Every step
 * falls back to the immediate change of old when the other unit dies,
 * refuses or does not answer within handover_ms.
 *
 * Split brain: a peer heard on no HA path, whose data plane still answers
 * the probes, is alive. With a witness configured, a unit that cannot
 * reach the witness then does not answer for the VSIs, and one that can
 * takes master only when the peer's data plane does not answer for them.
 * Without a witness the peer counts as lost, as before.
 */
#ifndef NSRPD_ELECTION_H
#define NSRPD_ELECTION_H

#include <stdbool.h>
#include <stdint.h>

/* States. The values travel in heartbeats: never renumber them. */
enum vsd_state {
	VSD_INITIAL = 1,
	VSD_MASTER = 2,
	VSD_BACKUP = 3,
	VSD_INELIGIBLE = 4,
	VSD_INOPERABLE = 5,
};

/* Heartbeat flags of a group (struct vsd_advert.flags). */
#define VSD_F_PREEMPT	0x01	/* the sender has preempt set */
#define VSD_F_FAILED	0x02	/* the sender's monitors failed */
#define VSD_F_YIELD	0x04	/* the sender steps down: take master now */
#define VSD_F_MAE	0x08	/* the sender has master-always-exist set */
#define VSD_F_LEAVING	0x10	/* master handing over: wait to be told */
#define VSD_F_CLAIM	0x20	/* backup preempting: hand master over */

/* What one unit says about one group in each heartbeat. */
struct vsd_advert {
	uint8_t state;		/* enum vsd_state; MASTER = claims master */
	uint8_t priority;	/* 1-254, lower wins */
	uint8_t flags;		/* VSD_F_* */
	uint8_t weight;		/* the failed monitors' sum, at most 255 */
	uint16_t holddown_s;	/* preempt hold-down, for display */
};

/* Per-group settings, from the configuration (config_vsd_params()). */
struct vsd_params {
	uint8_t priority;		/* 1-254 */
	bool preempt;
	bool master_always_exist;
	uint32_t holddown_ms;		/* preempt hold-down */
	uint32_t init_hold_ms;		/* start-up hold in Initial */
	uint32_t yield_ms;		/* "mode backup": longest yield */
	/*
	 * Flap damping of the failovers this unit chooses (preempt): at
	 * least interval between two changes of the group's master, and at
	 * most limit of them in window; 0: no such bound. A failure (the
	 * peer lost, monitors failed) or a command is never held back.
	 */
	uint32_t failover_interval_ms;
	uint32_t failover_limit;
	uint32_t failover_window_ms;
	/*
	 * The longest a planned hand-over may take before the change is made
	 * at once, as it was before hand-overs (0: always at once).
	 */
	uint32_t handover_ms;
};

/* The peer as the last heartbeat described it, for one group. */
struct vsd_peer {
	bool present;			/* false: lost, or never heard */
	uint8_t mac[6];			/* the peer's unit MAC (tie-break) */
	struct vsd_advert adv;
	/*
	 * Lost on every HA path (present false), its data plane answers the
	 * probes (dp_alive), and answers for this group (dp_master); mac and
	 * adv are then what its last heartbeat said.
	 */
	bool dp_alive;
	bool dp_master;
};

struct vsd_inputs {
	bool failed;			/* local monitors: sum >= threshold */
	uint8_t weight;			/* their sum, at most 255 */
	const char *why;		/* which failed, for the reason */
	bool sync_pending;		/* no preempt: the bulk sync runs */
	bool witness;			/* a witness settles split brains */
	bool witness_ok;		/* and this unit reaches it */
	struct vsd_peer peer;
};

enum vsd_cmd {
	VSD_CMD_BACKUP,		/* exec nsrp vsd-group N mode backup */
	VSD_CMD_INELIGIBLE,	/* exec nsrp vsd-group N mode ineligible */
	VSD_CMD_INIT,		/* exec nsrp vsd-group N mode init */
	VSD_CMD_SHUTDOWN,	/* graceful stop: hand master over, leave */
};

#define VSD_REASON_LEN	96

struct vsd_transition {
	enum vsd_state from;
	enum vsd_state to;
	uint64_t at_ns;
	bool handed_over;	/* from master: the peer took it over */
	char reason[VSD_REASON_LEN];
};

/* What a master that hands over becomes once the peer took master. */
enum vsd_give {
	VSD_GIVE_NONE = 0,	/* not handing over */
	VSD_GIVE_BACKUP,	/* "mode backup" */
	VSD_GIVE_INELIGIBLE,	/* "mode ineligible" */
	VSD_GIVE_SHUTDOWN,	/* a graceful stop */
	VSD_GIVE_PREEMPTED,	/* the peer preempts */
};

#define VSD_CHANGES_KEPT	32	/* master changes remembered */

/* One group's machine. Read-only for callers, apart from vsd_*(). */
struct vsd {
	struct vsd_params p;
	uint8_t mac[6];			/* local unit MAC */
	enum vsd_state state;
	bool failed;			/* monitors, as last stepped */
	uint8_t weight;			/* and their sum */
	bool peer_seen;			/* a heartbeat was ever heard */
	bool yielding;			/* after "mode backup" */
	bool leaving;			/* after VSD_CMD_SHUTDOWN */
	uint64_t since_ns;		/* last transition */
	bool preempt_armed;		/* waiting hold-down to preempt */
	uint64_t last_ns;		/* last vsd_step() */
	uint64_t init_end_ns;		/* end of the init hold */
	uint64_t preempt_at_ns;		/* preempt claim time, if armed */
	uint64_t yield_end_ns;		/* yield gives up here */
	/* When the group's master last changed, newest last (damping). */
	uint64_t changes[VSD_CHANGES_KEPT];
	unsigned int n_changes;
	bool damped;			/* the armed preempt waits for damping */
	/* A hand-over this master makes (VSD_GIVE_NONE: none). */
	enum vsd_give giving;
	bool give_told;			/* the peer was told to take master */
	uint64_t give_from_ns;		/* began: the VSIs were let go */
	uint64_t give_end_ns;		/* falls back to the change at once */
	/* A preempt that asks the master to hand over, until claim_end_ns. */
	bool claiming;
	uint64_t claim_end_ns;
};

void vsd_init(struct vsd *v, const struct vsd_params *p,
	      const uint8_t mac[6], uint64_t now_ns);
/* New settings (a reload) without restarting the group. */
void vsd_set_params(struct vsd *v, const struct vsd_params *p);

/*
 * Runs the rules once. Returns 1 and fills *t when the state changed,
 * else 0. One call always reaches the state the inputs call for. Call it
 * on every heartbeat received, when the peer is declared lost, when the
 * monitors change, and at vsd_next_deadline() at the latest.
 */
int vsd_step(struct vsd *v, const struct vsd_inputs *in, uint64_t now_ns,
	     struct vsd_transition *t);

/*
 * A manual command, at once. Returns 1 and fills *t when the state
 * changed.
 */
int vsd_command(struct vsd *v, enum vsd_cmd cmd, uint64_t now_ns,
		struct vsd_transition *t);
/*
 * A planned command (backup, ineligible, shutdown): a master whose peer
 * can take over starts handing over and stays master meanwhile (returns
 * 0); anything else is vsd_command().
 */
int vsd_hand_over(struct vsd *v, enum vsd_cmd cmd, const struct vsd_peer *pr,
		  uint64_t now_ns, struct vsd_transition *t);
/* The peer was told to take master (the caller sent it HANDOVER). */
void vsd_give_told(struct vsd *v);
/*
 * The peer's answer to it: it took master (taken), or it cannot. Returns
 * 1 and fills *t when the state changed.
 */
int vsd_given(struct vsd *v, bool taken, uint64_t now_ns,
	      struct vsd_transition *t);
/*
 * The peer hands master over (HANDOVER): returns 1 and fills *t when
 * this unit took it, 0 when it is master already, -EPERM when it cannot
 * (not a healthy backup).
 */
int vsd_take(struct vsd *v, uint64_t now_ns, struct vsd_transition *t);
/* Handing over: still master, but the data plane answers no more. */
static inline bool vsd_giving(const struct vsd *v)
{
	return v->giving != VSD_GIVE_NONE;
}

/* What the local heartbeat carries for this group. */
void vsd_advert(const struct vsd *v, struct vsd_advert *adv);

/* When vsd_step() must run again at the latest; UINT64_MAX: no timer. */
uint64_t vsd_next_deadline(const struct vsd *v);

static inline bool vsd_is_master(const struct vsd *v)
{
	return v->state == VSD_MASTER;
}

/* "initial", "master", ...; "unknown" for a value off the wire. */
const char *vsd_state_name(int state);

/* a beats b: lower priority number, then lower MAC. */
bool vsd_better(uint8_t prio_a, const uint8_t mac_a[6],
		uint8_t prio_b, const uint8_t mac_b[6]);

#endif
