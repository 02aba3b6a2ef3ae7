/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rtosync.h - the reliable stream of run-time objects (session deltas,
 * neighbour entries, markers) from one unit to the other.
 *
 * Every record gets a number in the stream's own sequence space. The
 * sender keeps each record until the receiver acknowledges it, either
 * cumulatively (everything below next_seq) or selectively (a SACK bit),
 * and sends it again when no acknowledgement came within the
 * retransmission timeout. The receiver applies records strictly in
 * sequence order, holding those that arrive early, so that a delete can
 * never overtake the create it undoes, and acknowledges what it applied.
 * Loss, duplication and reordering on the HA link therefore lose nothing
 * and apply nothing twice.
 *
 * A stream starts over (after a cold-start request, a receiver that
 * restarted, or a sender whose queue overflowed): the first frame of the
 * new stream carries PROTO_SYNC_F_RESTART, and a receiver takes up a
 * stream only at such a frame. What the discarded records carried is
 * then sent again in bulk from the session map itself.
 *
 * Pure logic: time is an argument, no I/O.
 */
#ifndef NSRPD_RTOSYNC_H
#define NSRPD_RTOSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define RTO_REC_MAX	PROTO_EVENT_LEN		/* largest record */
#define RTO_WINDOW	PROTO_SACK_MAX_BITS	/* in flight past the ack */
#define RTO_TXQ		65536			/* queued; a power of two */

/* What a marker record (PROTO_SYNC_MARK) marks. */
#define RTO_MARK_BULK_END	1	/* every record of a bulk sync sent */

struct rto_rec {
	uint64_t sent_ns;	/* last (re)transmission; 0: never sent */
	uint64_t first_ns;	/* first transmission: how long it waits */
	uint64_t seq;		/* receiver: the number of a held record */
	uint8_t kind;		/* enum proto_sync_kind */
	uint8_t len;
	bool sacked;
	bool held;		/* receiver: an early record held back */
	uint8_t data[RTO_REC_MAX];
};

struct rto_tx {
	struct rto_rec *q;	/* RTO_TXQ slots, seq % RTO_TXQ */
	uint64_t head;		/* lowest record not acknowledged */
	uint64_t tail;		/* number of the next record queued */
	uint64_t stream_start;	/* first record of the current stream */
	uint64_t unsent;	/* first record never sent; all below were */
	/*
	 * No retransmission falls due before this: a lower bound, made
	 * exact by the scan that finds none due, so that sending a frame
	 * does not walk the window every time.
	 */
	uint64_t rtx_due_ns;
	uint64_t rto_ns;	/* retransmission timeout */
	uint32_t peer_window;	/* records the receiver can take */
	/* Counters, since start. */
	uint64_t queued, sent, retransmitted, acked, restarts;
};

struct rto_rx {
	struct rto_rec *held;	/* RTO_WINDOW slots, seq % RTO_WINDOW */
	bool live;		/* a stream was taken up */
	uint64_t epoch;		/* the sender's epoch of that stream */
	uint64_t stream_start;
	uint64_t next;		/* next record to apply */
	unsigned int n_held;
	/* Counters, since start. */
	uint64_t applied, duplicates, early, beyond_window, not_live;
	uint64_t restarts;
};

/* A frame's worth of records, consecutive and of one kind. */
struct rto_batch {
	uint64_t first_seq;
	uint16_t count;
	uint16_t flags;		/* PROTO_SYNC_F_RESTART on a stream's start */
	uint8_t kind;
	uint8_t rec_size;
	bool retransmit;	/* at least one record was sent before */
};

/* Applies one record; the return value is counted, never fatal. */
typedef int (*rto_apply_fn)(uint8_t kind, const uint8_t *rec, size_t len,
			    void *arg);

int rto_tx_init(struct rto_tx *tx, uint64_t rto_ns);
void rto_tx_free(struct rto_tx *tx);

/* Queues one record. -ENOBUFS: the queue is full (resync in bulk). */
int rto_tx_push(struct rto_tx *tx, uint8_t kind, const void *rec,
		size_t len);

/* Drops every queued record; the next one pushed starts a new stream. */
void rto_tx_restart(struct rto_tx *tx);

/* Records queued and not yet acknowledged. */
static inline uint64_t rto_tx_pending(const struct rto_tx *tx)
{
	return tx->tail - tx->head;
}

/*
 * The next frame to send at now: up to max_recs(kind) records that were
 * never sent or whose timeout ran out, within the receiver's window.
 * Copies them into recs (cap bytes) and marks them sent. Returns the
 * number of records, 0 when nothing is due.
 */
int rto_tx_next(struct rto_tx *tx, uint64_t now,
		unsigned int (*max_recs)(uint8_t kind, void *arg), void *arg,
		struct rto_batch *b, uint8_t *recs, size_t cap);

/* When a retransmission falls due; UINT64_MAX when none can. */
uint64_t rto_tx_next_due(const struct rto_tx *tx);

/*
 * How long the stream has not moved: the age of the oldest record sent
 * and not yet acknowledged (its first transmission: retransmissions do
 * not make it younger), 0 if none waits.
 */
uint64_t rto_tx_oldest_ns(const struct rto_tx *tx, uint64_t now);

/* An acknowledgement. Returns the records it newly acknowledged. */
uint64_t rto_tx_ack(struct rto_tx *tx, const struct proto_sync_ack *a);

int rto_rx_init(struct rto_rx *rx);
void rto_rx_free(struct rto_rx *rx);
/* Forgets the stream: the next one starts at its RESTART frame. */
void rto_rx_reset(struct rto_rx *rx);

/*
 * One SYNC frame from the sender of epoch: applies what is next in
 * sequence (and whatever it releases of the early records), holds early
 * records up to RTO_WINDOW - 1 past it, drops duplicates. Returns the
 * number of records applied.
 */
unsigned int rto_rx_frame(struct rto_rx *rx, uint64_t epoch,
			  const struct proto_sync *s, rto_apply_fn apply,
			  void *arg);

/* The acknowledgement for what was applied and held. */
void rto_rx_ack(const struct rto_rx *rx, struct proto_sync_ack *a);

#endif
