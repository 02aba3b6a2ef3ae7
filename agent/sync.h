/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync.h - run-time object (RTO) sync: the session deltas the data plane
 * publishes, streamed to the peer over the HA link, and the peer's
 * applied to the local session map; the master's neighbours; and
 * ageout-ack, the backup asking the master before a copy expires.
 *
 * Sender: the data plane's session events (create, state change, refresh,
 * delete) are made independent of this unit's clock (remaining lifetime
 * rather than an absolute expiry) and queued on the reliable stream
 * (rtosync.h), which packs them into frames. A peer that joins, or asks,
 * or fell too far behind, gets the whole table in bulk: a chunk of the
 * session map at a time, interleaved with the live deltas, closed by a
 * BULK_END marker.
 *
 * Receiver: records are applied in stream order to the local session map,
 * marked as the peer's, with NSRPD_AGEOUT_MULT times the master's
 * remaining lifetime. An expired copy is checked with the master first
 * when ageout-ack is set.
 *
 * Each unit sends what its own data plane publishes and applies what the
 * peer sends, so active/active (a master of each group on each unit)
 * needs nothing more. The sync knows the peer and the roles only as the
 * daemon tells it (sync_peer_up(), sync_takeover()...): it never asks the
 * cluster.
 */
#ifndef NSRPD_SYNC_H
#define NSRPD_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dataplane.h"
#include "hasess.h"
#include "neigh.h"
#include "rtosync.h"
#include "sesstab.h"

#define SYNC_APPLY_BATCH	64	/* session records applied together */
#define SYNC_NEIGH_MAX		1024	/* neighbours sent per round */
#define SYNC_BULK_CHUNK		256	/* sessions read per step */

struct sync {
	const struct nsrp_config *cfg;	/* the daemon's, swapped in place */
	struct hasess *ha;
	struct dataplane *dp;
	struct rto_tx tx;
	struct rto_rx rx;

	/* The peer and the roles, as the daemon tells them. */
	bool peer_present;
	uint64_t peer_epoch;		/* the peer's run, as last heard */
	uint64_t synced_epoch;		/* the peer run we synced with */
	uint32_t owned;			/* groups this unit is master of */

	bool coldstart_done;		/* a bulk sync from the peer completed */
	uint64_t coldstart_deadline_ns;	/* preempt waits for it until then */
	uint64_t next_request_ns;	/* the next cold start request */
	bool bulk;			/* a bulk sync to the peer under way */
	bool peer_asked;		/* and asked for before it was heard */
	struct sesstab_cursor cursor;
	uint64_t bulk_records;
	uint64_t bulk_end_seq;		/* the last bulk's end marker, + 1 */
	uint64_t next_neigh_ns;
	bool stall_alarm;
	unsigned int ack_owed;		/* records received, not acknowledged */
	uint64_t ack_due_ns;		/* when they will be */
	uint64_t soonest_expiry_ns;	/* earliest copy expiry set, not taken */
	uint64_t flush_mark;		/* a hand-over waits for this record */

	/* Work areas: records of the frame being applied, and so on. */
	struct nsrp_event pending[SYNC_APPLY_BATCH];
	unsigned int n_pending;
	struct neigh_rec neigh[SYNC_NEIGH_MAX];
	struct nsrp_sess_key keys[SYNC_BULK_CHUNK];
	struct nsrp_sess vals[SYNC_BULK_CHUNK];
	uint8_t recs[HASESS_FRAME_MAX];	/* the frame being sent */

	/* Counters, since start. */
	uint64_t events, events_from_peer, events_idle;
	uint64_t applied, apply_errors, skipped_owned;
	uint64_t peer_created, peer_deleted;	/* entries the peer's added, removed */
	uint64_t resyncs, overflows, bulk_done;
	uint64_t ageout_queries, ageout_kept, ageout_deleted;
	uint64_t neigh_sent, neigh_installed;
	uint64_t frames_tx, acks_tx, acks_rx;
};

/* Registers the sync's frame handlers; sync_fini() either way. */
int sync_init(struct sync *s, const struct nsrp_config *cfg,
	      struct hasess *ha, struct dataplane *dp);
void sync_fini(struct sync *s);

/* One event of the data plane's ring, at now. */
void sync_event(struct sync *s, const struct nsrp_event *ev, uint64_t now);
/* Timers and sending; called on every pass of the loop. */
void sync_tick(struct sync *s, uint64_t now);
uint64_t sync_next_deadline(const struct sync *s, uint64_t now);

/* The peer is heard (returned: after it was lost), with its run's epoch. */
void sync_peer_up(struct sync *s, uint64_t epoch, bool returned,
		  uint64_t now);
void sync_peer_lost(struct sync *s);
/* This unit became master of vsd, or stopped being it. */
void sync_takeover(struct sync *s, unsigned int vsd, uint64_t now);
void sync_released(struct sync *s, unsigned int vsd);

/* "exec nsrp sync rto session from peer". */
void sync_request_full(struct sync *s, uint64_t now);
/* Preempt waits while this is true (bounded by coldstart-wait). */
bool sync_holds_preempt(const struct sync *s, uint64_t now);
/* A whole-map walk would get in the way: a bulk runs, or is awaited. */
bool sync_busy(const struct sync *s, uint64_t now);
/*
 * A hand-over of master begins: the peer must acknowledge what is queued
 * for it now before it takes master (sync_flushed()).
 */
void sync_flush_mark(struct sync *s);
/* It has, and no bulk sync to it runs (true without a live stream). */
bool sync_flushed(const struct sync *s);

/* This unit's expired sessions, deleted: the peer hears of it. */
void sync_expired(struct sync *s, const struct nsrp_sess_key *k,
		  const struct nsrp_sess *v, unsigned int n, uint64_t now);
/*
 * The peer's expired copies: with ageout-ack, the master is asked about
 * them, and true says so; false, they are to be deleted.
 */
bool sync_ageout_ask(struct sync *s, const struct nsrp_sess_key *k,
		     const struct nsrp_sess *v, unsigned int n, uint64_t now);
/*
 * The earliest expiry the sync gave a copy since last asked (applied
 * records, ageout-ack's holds and replies), UINT64_MAX if none; the
 * sweep is due by then.
 */
uint64_t sync_take_soonest_expiry(struct sync *s);

#endif
