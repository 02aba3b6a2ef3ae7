// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtosync.c - the reliable, ordered stream of sync records (rtosync.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rtosync.h"

_Static_assert((RTO_TXQ & (RTO_TXQ - 1)) == 0, "RTO_TXQ: a power of two");
_Static_assert(RTO_WINDOW % 64 == 0, "RTO_WINDOW: whole SACK words");

static struct rto_rec *tx_slot(const struct rto_tx *tx, uint64_t seq)
{
	return &tx->q[seq & (RTO_TXQ - 1)];
}

int rto_tx_init(struct rto_tx *tx, uint64_t rto_ns)
{
	memset(tx, 0, sizeof(*tx));
	tx->q = calloc(RTO_TXQ, sizeof(*tx->q));
	if (!tx->q)
		return -ENOMEM;
	/* Sequence 0 is never used: an ack of 0 means "nothing yet". */
	tx->head = tx->tail = tx->stream_start = tx->unsent = 1;
	tx->rtx_due_ns = UINT64_MAX;
	tx->rto_ns = rto_ns;
	tx->peer_window = RTO_WINDOW;
	return 0;
}

void rto_tx_free(struct rto_tx *tx)
{
	free(tx->q);
	tx->q = NULL;
}

int rto_tx_push(struct rto_tx *tx, uint8_t kind, const void *rec,
		size_t len)
{
	struct rto_rec *r;

	if (len > RTO_REC_MAX || !len)
		return -EINVAL;
	if (rto_tx_pending(tx) >= RTO_TXQ)
		return -ENOBUFS;
	r = tx_slot(tx, tx->tail++);
	r->sent_ns = 0;
	r->kind = kind;
	r->len = len;
	r->sacked = false;
	memcpy(r->data, rec, len);
	tx->queued++;
	return 0;
}

void rto_tx_restart(struct rto_tx *tx)
{
	tx->head = tx->stream_start = tx->unsent = tx->tail;
	tx->rtx_due_ns = UINT64_MAX;
	tx->peer_window = RTO_WINDOW;
	tx->restarts++;
}

/* A record that is due: never sent, or its timeout ran out. */
static bool tx_due(const struct rto_tx *tx, const struct rto_rec *r,
		   uint64_t now)
{
	return !r->sacked && (!r->sent_ns || now >= r->sent_ns + tx->rto_ns);
}

/* The end of what the receiver can take: its window, past the ack. */
static uint64_t tx_window_end(const struct rto_tx *tx)
{
	uint64_t w = tx->peer_window < RTO_WINDOW ? tx->peer_window
						  : RTO_WINDOW;
	uint64_t end = tx->head + (w ? w : 1);	/* probe a closed window */

	return end < tx->tail ? end : tx->tail;
}

/*
 * The first record in [from, to), all sent before, whose timeout ran
 * out at now, or to when none did; *due: the earliest timeout of the
 * others.
 */
static uint64_t tx_scan_rtx(const struct rto_tx *tx, uint64_t now,
			    uint64_t from, uint64_t to, uint64_t *due)
{
	*due = UINT64_MAX;
	for (uint64_t seq = from; seq < to; seq++) {
		const struct rto_rec *r = tx_slot(tx, seq);

		if (r->sacked)
			continue;
		if (now >= r->sent_ns + tx->rto_ns)
			return seq;
		if (r->sent_ns + tx->rto_ns < *due)
			*due = r->sent_ns + tx->rto_ns;
	}
	return to;
}

/*
 * The first record to send within the window ending at end: one whose
 * timeout ran out, else the first never sent. Walks what is in flight
 * only when the bound says a timeout may have run out, and makes the
 * bound exact when it walked all of it and found none.
 */
static uint64_t tx_first_due(struct rto_tx *tx, uint64_t now, uint64_t end)
{
	uint64_t seq, due;

	if (now < tx->rtx_due_ns)
		return tx->unsent;
	if (end < tx->unsent)	/* the window shrank below what was sent */
		return tx_scan_rtx(tx, now, tx->head, end, &due);
	seq = tx_scan_rtx(tx, now, tx->head, tx->unsent, &due);
	if (seq == tx->unsent)
		tx->rtx_due_ns = due;
	return seq;
}

/* Past never-sent records that a selective ack already covers. */
static void tx_skip_sacked(struct rto_tx *tx)
{
	while (tx->unsent < tx->tail && tx_slot(tx, tx->unsent)->sacked)
		tx->unsent++;
}

int rto_tx_next(struct rto_tx *tx, uint64_t now,
		unsigned int (*max_recs)(uint8_t kind, void *arg), void *arg,
		struct rto_batch *b, uint8_t *recs, size_t cap)
{
	uint64_t end = tx_window_end(tx), seq;
	const struct rto_rec *first;
	unsigned int max;

	tx_skip_sacked(tx);
	seq = tx_first_due(tx, now, end);
	if (seq >= end)
		return 0;
	first = tx_slot(tx, seq);
	max = max_recs(first->kind, arg);
	if (max * (size_t)first->len > cap)
		max = cap / first->len;
	memset(b, 0, sizeof(*b));
	b->first_seq = seq;
	b->kind = first->kind;
	b->rec_size = first->len;
	if (seq == tx->stream_start)
		b->flags |= PROTO_SYNC_F_RESTART;
	for (; seq < end && b->count < max; seq++) {
		struct rto_rec *r = tx_slot(tx, seq);

		if (!tx_due(tx, r, now) || r->kind != b->kind ||
		    r->len != b->rec_size)
			break;
		if (r->sent_ns) {
			b->retransmit = true;
			tx->retransmitted++;
		} else {
			r->first_ns = now;
		}
		r->sent_ns = now;
		memcpy(recs + (size_t)b->count * b->rec_size, r->data, r->len);
		b->count++;
		tx->sent++;
	}
	if (seq > tx->unsent)
		tx->unsent = seq;
	if (now + tx->rto_ns < tx->rtx_due_ns)
		tx->rtx_due_ns = now + tx->rto_ns;
	return b->count;
}

uint64_t rto_tx_next_due(const struct rto_tx *tx)
{
	uint64_t end = tx_window_end(tx), due;

	for (uint64_t seq = tx->unsent; seq < end; seq++)
		if (!tx_slot(tx, seq)->sacked)
			return 0;	/* a record never sent */
	/* What lies past a shrunken window waits for the ack opening it. */
	if (end < tx->unsent) {
		tx_scan_rtx(tx, 0, tx->head, end, &due);
		return due;
	}
	return tx->rtx_due_ns;
}

uint64_t rto_tx_oldest_ns(const struct rto_tx *tx, uint64_t now)
{
	const struct rto_rec *r;

	/* Records go out in order: the head is the oldest one waiting. */
	if (tx->head == tx->tail)
		return 0;
	r = tx_slot(tx, tx->head);
	return r->sent_ns && now > r->first_ns ? now - r->first_ns : 0;
}

uint64_t rto_tx_ack(struct rto_tx *tx, const struct proto_sync_ack *a)
{
	uint64_t done = 0;

	/* An ack from before a restart, or of what was never sent. */
	if (a->next_seq < tx->head || a->next_seq > tx->tail)
		return 0;
	for (; tx->head < a->next_seq; tx->head++)
		done += !tx_slot(tx, tx->head)->sacked;
	if (tx->unsent < tx->head)
		tx->unsent = tx->head;
	for (unsigned int i = 0; i < a->sack_bits; i++) {
		uint64_t seq = a->next_seq + 1 + i;
		struct rto_rec *r;

		if (seq >= tx->tail)
			break;
		if (!(a->sack[i / 64] & (1ull << (i % 64))))
			continue;
		r = tx_slot(tx, seq);
		if (!r->sacked) {
			r->sacked = true;
			done++;
		}
	}
	tx->peer_window = a->window;
	tx->acked += done;
	return done;
}

/* ------------------------------------------------------------ receiver */

static struct rto_rec *rx_slot(const struct rto_rx *rx, uint64_t seq)
{
	return &rx->held[seq % RTO_WINDOW];
}

int rto_rx_init(struct rto_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
	rx->held = calloc(RTO_WINDOW, sizeof(*rx->held));
	return rx->held ? 0 : -ENOMEM;
}

void rto_rx_free(struct rto_rx *rx)
{
	free(rx->held);
	rx->held = NULL;
}

void rto_rx_reset(struct rto_rx *rx)
{
	for (unsigned int i = 0; i < RTO_WINDOW; i++)
		rx->held[i].held = false;
	rx->n_held = 0;
	rx->live = false;
}

/*
 * A RESTART frame starts a stream unless it is a copy of the one that
 * started the current stream. Streams of one sender only move forward.
 */
static bool rx_takes_restart(const struct rto_rx *rx, uint64_t epoch,
			     const struct proto_sync *s)
{
	if (!(s->flags & PROTO_SYNC_F_RESTART))
		return false;
	return !rx->live || epoch != rx->epoch ||
	       s->first_seq > rx->stream_start;
}

static void rx_start(struct rto_rx *rx, uint64_t epoch, uint64_t seq)
{
	rto_rx_reset(rx);
	rx->live = true;
	rx->epoch = epoch;
	rx->stream_start = rx->next = seq;
	rx->restarts++;
}

static void rx_apply(struct rto_rx *rx, uint8_t kind, const uint8_t *rec,
		     size_t len, rto_apply_fn apply, void *arg)
{
	apply(kind, rec, len, arg);
	rx->next++;
	rx->applied++;
}

/* Applies the held records that are next in sequence. */
static unsigned int rx_release(struct rto_rx *rx, rto_apply_fn apply,
			       void *arg)
{
	unsigned int n = 0;
	struct rto_rec *r;

	while (rx->n_held && (r = rx_slot(rx, rx->next))->held &&
	       r->seq == rx->next) {
		r->held = false;
		rx->n_held--;
		rx_apply(rx, r->kind, r->data, r->len, apply, arg);
		n++;
	}
	return n;
}

static void rx_hold(struct rto_rx *rx, uint64_t seq, uint8_t kind,
		    const uint8_t *rec, size_t len)
{
	struct rto_rec *r = rx_slot(rx, seq);

	if (r->held) {
		rx->duplicates++;
		return;
	}
	r->held = true;
	r->seq = seq;
	r->kind = kind;
	r->len = len;
	memcpy(r->data, rec, len);
	rx->n_held++;
	rx->early++;
}

unsigned int rto_rx_frame(struct rto_rx *rx, uint64_t epoch,
			  const struct proto_sync *s, rto_apply_fn apply,
			  void *arg)
{
	unsigned int n = 0;

	if (rx_takes_restart(rx, epoch, s))
		rx_start(rx, epoch, s->first_seq);
	if (!rx->live || epoch != rx->epoch) {
		rx->not_live++;
		return 0;
	}
	if (s->rec_size > RTO_REC_MAX)
		return 0;
	for (unsigned int i = 0; i < s->count; i++) {
		uint64_t seq = s->first_seq + i;
		const uint8_t *rec = s->recs + (size_t)i * s->rec_size;

		if (seq < rx->next) {
			rx->duplicates++;
		} else if (seq == rx->next) {
			rx_apply(rx, s->kind, rec, s->rec_size, apply, arg);
			n += 1 + rx_release(rx, apply, arg);
		} else if (seq - rx->next < RTO_WINDOW) {
			rx_hold(rx, seq, s->kind, rec, s->rec_size);
		} else {
			rx->beyond_window++;
		}
	}
	return n;
}

void rto_rx_ack(const struct rto_rx *rx, struct proto_sync_ack *a)
{
	unsigned int top = 0;

	memset(a, 0, sizeof(*a));
	a->next_seq = rx->live ? rx->next : 0;
	a->window = RTO_WINDOW - rx->n_held;
	if (!rx->n_held)
		return;
	for (unsigned int i = 0; i + 1 < RTO_WINDOW; i++) {
		const struct rto_rec *r = rx_slot(rx, rx->next + 1 + i);

		if (!r->held || r->seq != rx->next + 1 + i)
			continue;
		a->sack[i / 64] |= 1ull << (i % 64);
		top = i + 1;
	}
	a->sack_bits = (top + 63) / 64 * 64;
}
