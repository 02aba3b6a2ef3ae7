/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cluster.h - heartbeats and the VSD election: what this unit knows of
 * its peer, and which groups it is master of.
 *
 * The cluster sends a heartbeat every interval and on every change,
 * takes the peer's in through the session layer (hasess.h), declares the
 * peer lost when no path has heard it for threshold x interval, and runs
 * each group's election (election.h) once per pass of the event loop
 * when one of its inputs changed: a heartbeat, the peer's presence, the
 * sync's hold on preempt, a command, a setting, a timer.
 *
 * It decides; it does not act. What a transition means for the data
 * plane, the addresses, the session sync and the notify hook is the
 * daemon's to do, told through struct cluster_events at the moment it
 * happens, in this order: a unit that becomes master is told before the
 * heartbeat that claims it goes out.
 *
 * Two deadlines judge the peer. Its data plane's, hb-interval x
 * hb-threshold as it announces them: a peer that no HA path hears, and
 * whose data plane answers no probe, for that long is lost. Its control
 * plane's, control-deadline as it announces it: a peer whose data plane
 * answers the probes, for every group it says it is master of, is kept
 * that long after its last heartbeat (its agent is stalled, or starved
 * of CPU, but it forwards). The probes are the daemon's (dpprobe.h); it
 * hands each answer over (cluster_dataplane_heard()).
 *
 * Planned hand-overs run as election.h describes them: the cluster sends
 * PROTO_CTL_HANDOVER once the daemon says the session stream is flushed
 * (cluster_events.flushed), takes master when the peer's arrives, and
 * answers with PROTO_CTL_HANDOVER_ACK.
 */
#ifndef NSRPD_CLUSTER_H
#define NSRPD_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "election.h"
#include "hasess.h"
#include "proto.h"

#define CLUSTER_HISTORY		64	/* transitions kept for "get nsrp" */

/* What the cluster tells whoever joins it to the rest of the unit. */
struct cluster_events {
	/* Group vsd changed state (logged and kept in the history). */
	void (*transition)(void *arg, unsigned int vsd,
			   const struct vsd_transition *t, uint64_t now);
	/* We stay master of vsd, but the peer was or may have been too. */
	void (*reassert)(void *arg, unsigned int vsd, uint64_t now);
	/* A heartbeat goes out now: what a master keeps fresh, refresh. */
	void (*heartbeat)(void *arg, uint64_t now);
	/*
	 * Master of vsd still, it hands the group over (leaving): its data
	 * plane stops answering but forwards; or the hand-over was called
	 * off (!leaving): it answers again. A hand-over that ends with the
	 * peer master is a transition (handed_over) instead.
	 */
	void (*leaving)(void *arg, unsigned int vsd, bool leaving,
			uint64_t now);
	/*
	 * Whether the peer has acknowledged every session delta queued for it
	 * up to the moment a hand-over began (NULL: nothing to wait for).
	 */
	bool (*flushed)(void *arg);
	/* What every heartbeat carries besides the groups (may be NULL). */
	void (*hb_fill)(void *arg, struct proto_hb *hb);
	/* The peer is heard again, or runs with a new epoch (restarted). */
	void (*peer_up)(void *arg, uint64_t epoch, bool returned, uint64_t now);
	/* No path has heard the peer for threshold x interval. */
	void (*peer_lost)(void *arg, uint64_t now);
	/*
	 * A unit whose frames fail verification is heard (u), or no longer
	 * (u NULL); why says it in words (may be NULL).
	 */
	void (*unverified)(void *arg, const struct hasess_unverified *u,
			   const char *why, uint64_t now);
	void *arg;
};

/* What the rest of the unit brings to each election. */
struct cluster_inputs {
	bool sync_hold;		/* the sync holds preempt back (sync.h) */
	bool failed;		/* the monitors' sum reached the threshold */
	uint8_t weight;		/* that sum, at most 255 */
	char why[VSD_REASON_LEN - 24];	/* what failed (monitor.h) */
	bool witness;		/* a witness is configured */
	bool witness_ok;	/* and answers */
};

/* The other unit, as its latest heartbeat describes it. */
struct cluster_peer {
	bool present;		/* heard within the threshold on some path */
	bool ever;
	uint32_t unit_id;
	uint8_t mac[6];
	uint64_t epoch;
	uint64_t hb_seq;	/* sequence number of hb below */
	uint64_t last_rx_ns;
	struct proto_hb hb;	/* its latest heartbeat */
};

struct cluster_group {
	bool active;		/* a VSI of the group is configured */
	struct vsd vsd;
	uint8_t peer_state;	/* enum vsd_state, 0: unknown */
	uint64_t transitions;	/* since start */
	bool was_giving;	/* as the daemon was last told (leaving) */
	uint32_t give_id;	/* this hand-over's, in HANDOVER and its answer */
	uint64_t give_next_ns;	/* HANDOVER (again) then; 0: not sent yet */
};

/* The peer's data plane, as its answers to the probes describe it. */
struct cluster_peer_dp {
	uint64_t heard_ns;	/* the last answer; 0: none yet */
	uint64_t asked_ns;	/* when the probe it answered went */
	uint8_t masters;	/* bit v: it answers for group v */
	uint8_t leaving;	/* bit v: it hands group v over */
	uint64_t answers;
};

struct cluster_hist {
	uint64_t mono_ns;
	uint64_t real_s;
	unsigned int vsd;
	struct vsd_transition t;
};

struct cluster {
	const struct nsrp_config *cfg;	/* the daemon's, swapped in place */
	struct hasess *ha;
	struct cluster_events ev;
	uint32_t unit_id;
	uint8_t mac[6];			/* HA interface MAC: the tie-break */

	struct cluster_peer peer;
	struct cluster_peer_dp peer_dp;
	/* Heard on no HA path, the peer is kept for its data plane's sake. */
	bool peer_ctl_silent;
	/* Lost on every HA path, its data plane answers: a split brain. */
	bool split;
	/*
	 * Lost by evidence (cluster_suspect()): its agent gone, or its data
	 * plane silent meanwhile. Dead, not split, whatever answered before.
	 */
	bool peer_died;
	uint32_t give_ids;		/* hand-overs begun */
	struct cluster_group group[NSRPD_MAX_VSD];
	bool peer_returned;	/* heard again after it was lost */
	bool primary_alarm;	/* primary path lost, secondary carries on */
	bool timer_alarm;	/* the peer's heartbeat timers differ */
	/* A unit heard whose frames fail verification (hasess.h). */
	bool unverified_alarm;
	bool unverified_master;	/* and it says it is master */
	char unverified_why[96];
	/* A death announced (cluster_suspect()): the peer has until then. */
	uint64_t suspect_until_ns;	/* 0: no suspicion */
	uint64_t suspect_from_ns;	/* when it began */
	bool suspect_agent_gone;	/* on the word of the peer's kernel */
	uint32_t suspect_nonce;
	char suspect_why[64];
	uint64_t suspicions, suspicions_cleared;
	bool elect_due;		/* an input of the election changed */
	struct cluster_inputs in;	/* as last given */
	bool started;		/* cluster_start() ran: groups are live */
	bool stopping;
	uint64_t stop_deadline_ns;
	uint64_t next_hb_ns;
	uint64_t last_wake_ns;	/* the loop's last wake-up: stall detection */

	uint64_t hb_tx, hb_rx;
	/*
	 * The loop's lateness, as the heartbeats show it: how late one went
	 * out after it was due, and how long one of the peer's waited in
	 * the socket before the loop read it; each more than half an
	 * interval is counted.
	 */
	uint64_t hb_tx_late_max_ns, hb_tx_late;
	uint64_t hb_rx_queued_max_ns, hb_rx_late;
	struct cluster_hist hist[CLUSTER_HISTORY];
	unsigned int hist_n;
};

/*
 * Readies the cluster of a unit (its HA MAC and unit id) on cfg, which
 * it reads for as long as it runs, and registers its heartbeat handler.
 */
void cluster_init(struct cluster *c, const struct nsrp_config *cfg,
		  struct hasess *ha, const uint8_t mac[6], uint32_t unit_id,
		  const struct cluster_events *ev);
/* The groups start, in Initial (or the standalone role). */
void cluster_start(struct cluster *c, uint64_t now);
/*
 * First on every wake-up of the event loop: after a stall longer than
 * the peer's patience, reads what the peer said meanwhile and steps down
 * where it took over.
 */
void cluster_wake(struct cluster *c, uint64_t now);
/* The election, when due or an input changed; the heartbeat, when due. */
void cluster_tick(struct cluster *c, uint64_t now,
		  const struct cluster_inputs *in);
uint64_t cluster_next_deadline(const struct cluster *c);
/*
 * Something says the peer may be dead (the HA link lost its carrier, the
 * peer's agent closed its pact): the peer is asked on every path, at
 * once, and if no answer comes within CLUSTER_SUSPECT_NS it is lost,
 * whatever the heartbeat interval. Lost, it is dead when agent_gone (its
 * pact closed); else its data plane is probed at once too (by the
 * caller), and one that answers meanwhile, not orphaned, makes the lost
 * peer split from this unit rather than dead.
 */
#define CLUSTER_SUSPECT_NS	(20 * NS_PER_MS)
void cluster_suspect(struct cluster *c, const char *why, bool agent_gone,
		     uint64_t now);

/* The settings changed (cfg was swapped): they apply at once. */
void cluster_reconfigure(struct cluster *c, uint64_t now);

/* exec nsrp vsd-group N mode ...: -ENOENT, -EOPNOTSUPP (standalone) or 0. */
int cluster_command(struct cluster *c, unsigned int vsd, enum vsd_cmd cmd,
		    uint64_t now);
/* A graceful stop: hand every group over, then leave. */
void cluster_shutdown(struct cluster *c, uint64_t now);
bool cluster_may_exit(const struct cluster *c, uint64_t now);
/* Every group back to Initial: the daemon stops. */
void cluster_stop(struct cluster *c, uint64_t now);

bool cluster_is_master(const struct cluster *c, unsigned int vsd);
bool cluster_standalone(const struct cluster *c);
/* The data plane's deadline of this unit: hb-interval x hb-threshold. */
uint64_t cluster_dead_ns(const struct cluster *c);
/*
 * The control plane's (control-deadline): how long this unit's data plane
 * goes on answering for its groups after its agent's last heartbeat.
 */
uint64_t cluster_ctl_dead_ns(const struct cluster *c);
/* The peer's two deadlines, as it announces them (ours until it does). */
uint64_t cluster_peer_dead_ns(const struct cluster *c);
uint64_t cluster_peer_ctl_dead_ns(const struct cluster *c);
/*
 * The peer's data plane answered a probe sent at sent_ns: which groups it
 * answers for (masters) and hands over (leaving), as bits.
 */
void cluster_dataplane_heard(struct cluster *c, uint8_t masters,
			     uint8_t leaving, uint64_t sent_ns, uint64_t now);
/* Whether that answer is recent: within the peer's data plane deadline. */
bool cluster_dataplane_fresh(const struct cluster *c, uint64_t now);

#endif
