/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync.h - run-time object (RTO) sync: the session deltas the data plane
 * publishes, streamed to the peer over the HA link, and the peer's
 * applied to the local session map.
 */
#ifndef NSRPD_SYNC_H
#define NSRPD_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "rtosync.h"
#include "sesstab.h"

struct ring_buffer;
struct ct_committer;
struct nsrpd;
struct proto_hdr;

struct nsrpd_sync {
	struct rto_tx tx;
	struct rto_rx rx;
	struct ring_buffer *ring;
	struct ct_committer *ct;
	bool coldstart_done;		/* a bulk sync from the peer completed */
	uint64_t coldstart_deadline_ns;	/* preempt waits for it until then */
	uint64_t next_request_ns;	/* the next cold start request */
	uint64_t peer_epoch;		/* the peer run we synced with */
	bool bulk;			/* a bulk sync to the peer under way */
	bool peer_asked;		/* and asked for before it was heard */
	struct sesstab_cursor cursor;
	uint64_t bulk_records;
	uint64_t bulk_end_seq;		/* the last bulk's end marker, + 1 */
	uint64_t next_sweep_ns, next_neigh_ns;
	bool sweeping;			/* an expiry sweep under way */
	struct sesstab_cursor sweep;
	uint64_t sweep_busy_ns;		/* spent on the sweep under way */
	uint64_t sweep_soonest_ns;	/* earliest expiry known since it began */
	uint64_t sweep_latest_ns;	/* the next one starts by then */
	/* Conntrack commits after a takeover, a chunk per loop pass. */
	uint32_t commit_vsds;		/* groups whose sessions are due */
	uint64_t commit_flip_ns[NSRPD_MAX_VSD];
	struct sesstab_cursor commit;
	bool stall_alarm;
	unsigned int ack_owed;		/* records received, not acknowledged */
	uint64_t ack_due_ns;		/* when they will be */
	/* Counters, since start. */
	uint64_t events, events_from_peer, events_idle;
	uint64_t applied, apply_errors, skipped_owned;
	uint64_t peer_created, peer_deleted;	/* entries the peer's added, removed */
	uint64_t resyncs, overflows, bulk_done;
	uint64_t swept, ageout_queries, ageout_kept, ageout_deleted;
	uint64_t ct_committed, ct_failed;
	uint64_t neigh_sent, neigh_installed;
	uint64_t frames_tx, acks_tx, acks_rx;
};

int sync_init(struct nsrpd *d);
void sync_fini(struct nsrpd *d);
/* The epoll fd of the session event ring, -1 without one. */
int sync_ring_fd(const struct nsrpd *d);
/* Reads what the data plane published: the count of events, or -errno. */
int sync_ring_ready(struct nsrpd *d);
/* Timers and sending; called on every wake-up of the loop. */
void sync_tick(struct nsrpd *d, uint64_t now);
uint64_t sync_next_deadline(const struct nsrpd *d, uint64_t now);
/* A verified SYNC, SYNC_ACK or REQUEST frame from the peer. */
void sync_rx(struct nsrpd *d, const struct proto_hdr *h,
	     const uint8_t *body, size_t len, uint64_t now);
/* This unit became master of vsd: hand its synced sessions to the kernel. */
void sync_takeover(struct nsrpd *d, unsigned int vsd, uint64_t now);
/* The peer returned, or restarted: a fresh cold start is due. */
void sync_peer_returned(struct nsrpd *d, uint64_t now);
/* "exec nsrp sync rto session from peer". */
void sync_request_full(struct nsrpd *d, uint64_t now);
/* Preempt waits while this is true (bounded by coldstart-wait). */
bool sync_holds_preempt(const struct nsrpd *d, uint64_t now);

#endif
