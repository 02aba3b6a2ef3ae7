// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sync stream: every record applied exactly once and in order, over a
 * link that loses, duplicates and reorders frames and acknowledgements.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "rtosync.h"
#include "../harness.h"

#define MS 1000000ull

/* What the receiving side applied: record numbers, in order. */
struct applied {
	uint32_t *v;
	unsigned int n, cap;
};

static int record_applied(uint8_t kind, const uint8_t *rec, size_t len,
			  void *arg)
{
	struct applied *a = arg;
	uint32_t v;

	CU_ASSERT_EQUAL(kind, PROTO_SYNC_MARK);
	CU_ASSERT_EQUAL(len, PROTO_MARK_LEN);
	memcpy(&v, rec, sizeof(v));
	if (a->n < a->cap)
		a->v[a->n] = v;
	a->n++;
	return 0;
}

static unsigned int eight_per_frame(uint8_t kind, void *arg)
{
	(void)kind;
	(void)arg;
	return 8;
}

static void push_n(struct rto_tx *tx, uint32_t from, unsigned int n)
{
	uint8_t rec[PROTO_MARK_LEN] = { 0 };

	for (unsigned int i = 0; i < n; i++) {
		uint32_t v = from + i;

		memcpy(rec, &v, sizeof(v));
		CU_ASSERT_EQUAL_FATAL(rto_tx_push(tx, PROTO_SYNC_MARK, rec,
						  sizeof(rec)), 0);
	}
}

/* A frame in flight, as the receiver would decode it. */
struct frame {
	struct proto_sync s;
	uint8_t recs[8 * PROTO_MARK_LEN];
};

static void batch_to_frame(const struct rto_batch *b, struct frame *f)
{
	f->s.first_seq = b->first_seq;
	f->s.count = b->count;
	f->s.rec_size = b->rec_size;
	f->s.flags = b->flags;
	f->s.kind = b->kind;
	f->s.recs = f->recs;
}

static void test_in_order_delivery(void)
{
	struct applied got = { .v = calloc(100, 4), .cap = 100 };
	struct proto_sync_ack ack;
	struct rto_batch b;
	struct frame f;
	struct rto_tx tx;
	struct rto_rx rx;

	CU_ASSERT_EQUAL_FATAL(rto_tx_init(&tx, 50 * MS), 0);
	CU_ASSERT_EQUAL_FATAL(rto_rx_init(&rx), 0);
	push_n(&tx, 0, 20);
	while (rto_tx_next(&tx, 1 * MS, eight_per_frame, NULL, &b, f.recs,
			   sizeof(f.recs)) > 0) {
		batch_to_frame(&b, &f);
		rto_rx_frame(&rx, 7, &f.s, record_applied, &got);
	}
	CU_ASSERT_EQUAL(got.n, 20);
	for (unsigned int i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(got.v[i], i);
	/* Nothing is due again before the timeout, or once acknowledged. */
	CU_ASSERT_EQUAL(rto_tx_next(&tx, 2 * MS, eight_per_frame, NULL, &b,
				    f.recs, sizeof(f.recs)), 0);
	rto_rx_ack(&rx, &ack);
	CU_ASSERT_EQUAL(ack.sack_bits, 0);
	CU_ASSERT_EQUAL(rto_tx_ack(&tx, &ack), 20);
	CU_ASSERT_EQUAL(rto_tx_pending(&tx), 0);
	CU_ASSERT_EQUAL(rto_tx_next(&tx, 500 * MS, eight_per_frame, NULL, &b,
				    f.recs, sizeof(f.recs)), 0);
	CU_ASSERT_EQUAL(rto_tx_next_due(&tx), UINT64_MAX);
	rto_tx_free(&tx);
	rto_rx_free(&rx);
	free(got.v);
}

/* The first frame is lost: the rest is held, SACKed, then released. */
static void test_lost_first_frame(void)
{
	struct applied got = { .v = calloc(100, 4), .cap = 100 };
	struct proto_sync_ack ack;
	struct rto_batch b;
	struct frame f;
	struct rto_tx tx;
	struct rto_rx rx;
	int n;

	rto_tx_init(&tx, 50 * MS);
	rto_rx_init(&rx);
	push_n(&tx, 0, 24);
	/* A receiver that took up no stream ignores the lost one's heirs. */
	rto_tx_next(&tx, 1 * MS, eight_per_frame, NULL, &b, f.recs,
		    sizeof(f.recs));
	CU_ASSERT(b.flags & PROTO_SYNC_F_RESTART);
	while (rto_tx_next(&tx, 1 * MS, eight_per_frame, NULL, &b, f.recs,
			   sizeof(f.recs)) > 0) {
		CU_ASSERT_FALSE(b.flags & PROTO_SYNC_F_RESTART);
		batch_to_frame(&b, &f);
		CU_ASSERT_EQUAL(rto_rx_frame(&rx, 7, &f.s, record_applied,
					     &got), 0);
	}
	CU_ASSERT_EQUAL(rx.not_live, 2);
	rto_rx_ack(&rx, &ack);
	CU_ASSERT_EQUAL(ack.next_seq, 0);
	CU_ASSERT_EQUAL(rto_tx_ack(&tx, &ack), 0);	/* older than head */

	/* The timeout runs out: all three frames again, the first flagged. */
	CU_ASSERT_EQUAL(rto_tx_next_due(&tx), 51 * MS);
	n = rto_tx_next(&tx, 51 * MS, eight_per_frame, NULL, &b, f.recs,
			sizeof(f.recs));
	CU_ASSERT_EQUAL(n, 8);
	CU_ASSERT(b.retransmit);
	CU_ASSERT(b.flags & PROTO_SYNC_F_RESTART);
	/* Lose it again, deliver the other two, then it. */
	struct frame first = f;

	batch_to_frame(&b, &first);
	memcpy(first.recs, f.recs, sizeof(f.recs));
	first.s.recs = first.recs;
	rto_rx_frame(&rx, 7, &first.s, record_applied, &got);
	CU_ASSERT_EQUAL(got.n, 8);
	while (rto_tx_next(&tx, 51 * MS, eight_per_frame, NULL, &b, f.recs,
			   sizeof(f.recs)) > 0) {
		batch_to_frame(&b, &f);
		rto_rx_frame(&rx, 7, &f.s, record_applied, &got);
	}
	CU_ASSERT_EQUAL(got.n, 24);
	CU_ASSERT_EQUAL(tx.retransmitted, 24);
	rto_tx_free(&tx);
	rto_rx_free(&rx);
	free(got.v);
}

/* Early records are SACKed, and the sender does not send them again. */
static void test_sack_spares_retransmission(void)
{
	struct applied got = { .v = calloc(100, 4), .cap = 100 };
	struct frame f[3];
	struct proto_sync_ack ack;
	struct rto_batch b;
	struct rto_tx tx;
	struct rto_rx rx;

	rto_tx_init(&tx, 50 * MS);
	rto_rx_init(&rx);
	push_n(&tx, 0, 24);
	for (int i = 0; i < 3; i++) {
		rto_tx_next(&tx, 1 * MS, eight_per_frame, NULL, &b, f[i].recs,
			    sizeof(f[i].recs));
		batch_to_frame(&b, &f[i]);
	}
	rto_rx_frame(&rx, 7, &f[0].s, record_applied, &got);
	rto_rx_frame(&rx, 7, &f[2].s, record_applied, &got);	/* f[1] lost */
	CU_ASSERT_EQUAL(got.n, 8);
	CU_ASSERT_EQUAL(rx.n_held, 8);
	rto_rx_ack(&rx, &ack);
	CU_ASSERT_EQUAL(ack.next_seq, 9);
	CU_ASSERT_EQUAL(ack.sack_bits, 64);
	/* Records 17..24 are bits 7..14 (bit 0 is next_seq + 1). */
	CU_ASSERT_EQUAL(ack.sack[0], 0x7f80ull);
	CU_ASSERT_EQUAL(ack.window, RTO_WINDOW - 8);
	CU_ASSERT_EQUAL(rto_tx_ack(&tx, &ack), 16);
	/* Only the lost frame's eight records go again. */
	CU_ASSERT_EQUAL(rto_tx_next(&tx, 60 * MS, eight_per_frame, NULL, &b,
				    f[1].recs, sizeof(f[1].recs)), 8);
	CU_ASSERT_EQUAL(b.first_seq, 9);
	CU_ASSERT_EQUAL(rto_tx_next(&tx, 60 * MS, eight_per_frame, NULL, &b,
				    f[0].recs, sizeof(f[0].recs)), 0);
	batch_to_frame(&b, &f[1]);
	rto_rx_frame(&rx, 7, &f[1].s, record_applied, &got);
	CU_ASSERT_EQUAL(got.n, 24);
	for (unsigned int i = 0; i < 24; i++)
		CU_ASSERT_EQUAL(got.v[i], i);
	rto_rx_ack(&rx, &ack);
	CU_ASSERT_EQUAL(rto_tx_ack(&tx, &ack), 8);
	CU_ASSERT_EQUAL(tx.acked, 24);
	CU_ASSERT_EQUAL(rto_tx_pending(&tx), 0);
	rto_tx_free(&tx);
	rto_rx_free(&rx);
	free(got.v);
}

/* Deterministic, for a repeatable lossy link. */
static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/*
 * 20000 records over a link that drops 20% of the frames and of the
 * acks, duplicates 5% and delivers out of order: all of them arrive,
 * exactly once, in order.
 */
static void test_lossy_link(void)
{
	enum { N = 20000, INFLIGHT = 64 };
	struct applied got = { .v = calloc(N, 4), .cap = N };
	struct frame *net = calloc(INFLIGHT, sizeof(*net));
	unsigned int in_net = 0;
	uint64_t now = 1 * MS, seed = 42;
	struct proto_sync_ack ack;
	struct rto_batch b;
	struct rto_tx tx;
	struct rto_rx rx;
	uint32_t pushed = 0;

	rto_tx_init(&tx, 5 * MS);
	rto_rx_init(&rx);
	for (int round = 0; round < 200000 && got.n < N; round++) {
		now += MS / 4;
		if (pushed < N && rto_tx_pending(&tx) < RTO_TXQ / 2) {
			push_n(&tx, pushed, 100);
			pushed += 100;
		}
		/* The sender puts what is due on the wire, lossily. */
		while (in_net < INFLIGHT &&
		       rto_tx_next(&tx, now, eight_per_frame, NULL, &b,
				   net[in_net].recs,
				   sizeof(net[in_net].recs)) > 0) {
			if (rnd(&seed) % 100 < 20)
				continue;
			batch_to_frame(&b, &net[in_net]);
			net[in_net].s.recs = net[in_net].recs;
			in_net++;
		}
		/* The link delivers a random frame, sometimes twice. */
		for (int k = 0; k < 4 && in_net; k++) {
			unsigned int i = rnd(&seed) % in_net;

			rto_rx_frame(&rx, 7, &net[i].s, record_applied, &got);
			if (rnd(&seed) % 100 >= 5) {
				net[i] = net[--in_net];
				net[i].s.recs = net[i].recs;
			}
			rto_rx_ack(&rx, &ack);
			if (rnd(&seed) % 100 >= 20)
				rto_tx_ack(&tx, &ack);
		}
	}
	CU_ASSERT_EQUAL(got.n, N);
	for (unsigned int i = 0; i < N && i < got.n; i++)
		if (got.v[i] != i) {
			CU_FAIL("a record out of order");
			break;
		}
	CU_ASSERT(tx.retransmitted > 0);
	CU_ASSERT(rx.duplicates > 0);
	CU_ASSERT(rx.early > 0);
	rto_tx_free(&tx);
	rto_rx_free(&rx);
	free(net);
	free(got.v);
}

/* A restart drops what was queued; the receiver follows the new stream. */
static void test_restart(void)
{
	struct applied got = { .v = calloc(100, 4), .cap = 100 };
	struct proto_sync_ack ack;
	struct frame f, old;
	struct rto_batch b;
	struct rto_tx tx;
	struct rto_rx rx;

	rto_tx_init(&tx, 50 * MS);
	rto_rx_init(&rx);
	push_n(&tx, 0, 8);
	rto_tx_next(&tx, 1 * MS, eight_per_frame, NULL, &b, old.recs,
		    sizeof(old.recs));
	batch_to_frame(&b, &old);
	rto_rx_frame(&rx, 7, &old.s, record_applied, &got);
	push_n(&tx, 100, 8);		/* queued, never sent ... */
	rto_tx_restart(&tx);		/* ... and dropped */
	CU_ASSERT_EQUAL(rto_tx_pending(&tx), 0);
	push_n(&tx, 200, 8);
	rto_tx_next(&tx, 2 * MS, eight_per_frame, NULL, &b, f.recs,
		    sizeof(f.recs));
	CU_ASSERT(b.flags & PROTO_SYNC_F_RESTART);
	CU_ASSERT_EQUAL(b.first_seq, 17);
	batch_to_frame(&b, &f);
	CU_ASSERT_EQUAL(rto_rx_frame(&rx, 7, &f.s, record_applied, &got), 8);
	CU_ASSERT_EQUAL(got.v[8], 200);
	/* The old stream's first frame, late: a duplicate, not a restart. */
	CU_ASSERT_EQUAL(rto_rx_frame(&rx, 7, &old.s, record_applied, &got), 0);
	/* Neither is the new one's, copied. */
	CU_ASSERT_EQUAL(rto_rx_frame(&rx, 7, &f.s, record_applied, &got), 0);
	CU_ASSERT_EQUAL(got.n, 16);
	rto_rx_ack(&rx, &ack);
	CU_ASSERT_EQUAL(ack.next_seq, 25);
	CU_ASSERT_EQUAL(rto_tx_ack(&tx, &ack), 8);
	/* A sender that restarted (new epoch) starts over at its seq 1. */
	rto_tx_free(&tx);
	rto_tx_init(&tx, 50 * MS);
	push_n(&tx, 300, 8);
	rto_tx_next(&tx, 3 * MS, eight_per_frame, NULL, &b, f.recs,
		    sizeof(f.recs));
	batch_to_frame(&b, &f);
	CU_ASSERT_EQUAL(rto_rx_frame(&rx, 8, &f.s, record_applied, &got), 8);
	CU_ASSERT_EQUAL(got.v[16], 300);
	CU_ASSERT_EQUAL(rx.restarts, 3);
	rto_tx_free(&tx);
	rto_rx_free(&rx);
	free(got.v);
}

/* The sender keeps within the receiver's window, and the queue bound. */
static void test_window_and_queue_bound(void)
{
	struct proto_sync_ack ack = { .next_seq = 1, .window = 16 };
	uint8_t rec[PROTO_MARK_LEN] = { 0 };
	struct rto_batch b;
	struct frame f;
	struct rto_tx tx;
	unsigned int sent = 0;

	rto_tx_init(&tx, 50 * MS);
	push_n(&tx, 0, 100);
	rto_tx_ack(&tx, &ack);
	while (rto_tx_next(&tx, 1 * MS, eight_per_frame, NULL, &b, f.recs,
			   sizeof(f.recs)) > 0)
		sent += b.count;
	CU_ASSERT_EQUAL(sent, 16);
	/* A closed window still lets one record probe it. */
	ack.window = 0;
	rto_tx_ack(&tx, &ack);
	CU_ASSERT_EQUAL(rto_tx_next(&tx, 60 * MS, eight_per_frame, NULL, &b,
				    f.recs, sizeof(f.recs)), 1);
	for (unsigned int i = 100; i < RTO_TXQ; i++)
		CU_ASSERT_EQUAL_FATAL(rto_tx_push(&tx, PROTO_SYNC_MARK, rec,
						  sizeof(rec)), 0);
	CU_ASSERT_EQUAL(rto_tx_push(&tx, PROTO_SYNC_MARK, rec, sizeof(rec)),
			-ENOBUFS);
	CU_ASSERT_EQUAL(rto_tx_push(&tx, PROTO_SYNC_MARK, rec, 0), -EINVAL);
	CU_ASSERT_EQUAL(rto_tx_push(&tx, PROTO_SYNC_MARK, rec,
				    RTO_REC_MAX + 1), -EINVAL);
	rto_tx_free(&tx);
}

/* A stream nobody acknowledges grows old, retransmitted or not. */
static void test_oldest_survives_retransmission(void)
{
	struct proto_sync_ack ack = { 0 };
	struct rto_batch b;
	struct frame f;
	struct rto_tx tx;

	rto_tx_init(&tx, 40 * MS);
	CU_ASSERT_EQUAL(rto_tx_oldest_ns(&tx, 5 * MS), 0);
	push_n(&tx, 0, 8);
	CU_ASSERT_EQUAL(rto_tx_oldest_ns(&tx, 5 * MS), 0);	/* not sent */
	rto_tx_next(&tx, 10 * MS, eight_per_frame, NULL, &b, f.recs,
		    sizeof(f.recs));
	/* Retransmitted every 40 ms for 3 s, never acknowledged. */
	for (uint64_t t = 50 * MS; t <= 3010 * MS; t += 40 * MS)
		rto_tx_next(&tx, t, eight_per_frame, NULL, &b, f.recs,
			    sizeof(f.recs));
	CU_ASSERT(tx.retransmitted > 70);
	CU_ASSERT_EQUAL(rto_tx_oldest_ns(&tx, 3010 * MS), 3000 * MS);
	/* Acknowledged: nothing waits any more. */
	ack.next_seq = tx.tail;
	ack.window = RTO_WINDOW;
	rto_tx_ack(&tx, &ack);
	CU_ASSERT_EQUAL(rto_tx_oldest_ns(&tx, 3020 * MS), 0);
	rto_tx_free(&tx);
}

/*
 * A receiver whose window shrank below what was already sent: only what
 * lies within it is sent again, the rest waits without making the
 * sender busy-wait, and goes out once the window opens.
 */
static void test_shrunken_window(void)
{
	struct proto_sync_ack ack = { .next_seq = 1, .window = 16 };
	struct rto_batch b;
	struct frame f;
	struct rto_tx tx;
	unsigned int sent = 0;

	rto_tx_init(&tx, 50 * MS);
	push_n(&tx, 0, 64);
	while (rto_tx_next(&tx, 1 * MS, eight_per_frame, NULL, &b, f.recs,
			   sizeof(f.recs)) > 0)
		sent += b.count;
	CU_ASSERT_EQUAL(sent, 64);
	CU_ASSERT_EQUAL(rto_tx_next_due(&tx), 51 * MS);
	rto_tx_ack(&tx, &ack);
	for (sent = 0; rto_tx_next(&tx, 60 * MS, eight_per_frame, NULL, &b,
				   f.recs, sizeof(f.recs)) > 0;)
		sent += b.count;
	CU_ASSERT_EQUAL(sent, 16);
	CU_ASSERT_EQUAL(rto_tx_next_due(&tx), 110 * MS);
	ack.window = RTO_WINDOW;
	rto_tx_ack(&tx, &ack);
	CU_ASSERT_EQUAL(rto_tx_next_due(&tx), 51 * MS);
	for (sent = 0; rto_tx_next(&tx, 61 * MS, eight_per_frame, NULL, &b,
				   f.recs, sizeof(f.recs)) > 0;) {
		CU_ASSERT_EQUAL(b.first_seq, 17 + sent);
		sent += b.count;
	}
	CU_ASSERT_EQUAL(sent, 48);
	CU_ASSERT_EQUAL(rto_tx_next_due(&tx), 110 * MS);
	CU_ASSERT_EQUAL(tx.retransmitted, 64);
	rto_tx_free(&tx);
}

/* Records beyond the window, and acks of the unknown, are refused. */
static void test_out_of_range(void)
{
	struct applied got = { .v = calloc(10, 4), .cap = 10 };
	uint8_t recs[PROTO_MARK_LEN] = { 0 };
	struct proto_sync s = { .first_seq = 1, .count = 1,
				.rec_size = PROTO_MARK_LEN,
				.flags = PROTO_SYNC_F_RESTART,
				.kind = PROTO_SYNC_MARK, .recs = recs };
	struct proto_sync_ack ack = { .next_seq = 50 };
	struct rto_tx tx;
	struct rto_rx rx;

	rto_rx_init(&rx);
	CU_ASSERT_EQUAL(rto_rx_frame(&rx, 1, &s, record_applied, &got), 1);
	s.flags = 0;
	s.first_seq = 2 + RTO_WINDOW;	/* would share a slot with seq 2 */
	CU_ASSERT_EQUAL(rto_rx_frame(&rx, 1, &s, record_applied, &got), 0);
	CU_ASSERT_EQUAL(rx.beyond_window, 1);
	CU_ASSERT_EQUAL(rx.n_held, 0);
	s.first_seq = 1 + RTO_WINDOW;	/* the last one it can hold */
	rto_rx_frame(&rx, 1, &s, record_applied, &got);
	CU_ASSERT_EQUAL(rx.n_held, 1);
	/* Another sender epoch without a restart: not taken up. */
	s.first_seq = 2;
	CU_ASSERT_EQUAL(rto_rx_frame(&rx, 2, &s, record_applied, &got), 0);
	CU_ASSERT_EQUAL(rx.not_live, 1);

	rto_tx_init(&tx, 50 * MS);
	push_n(&tx, 0, 10);
	CU_ASSERT_EQUAL(rto_tx_ack(&tx, &ack), 0);	/* beyond the tail */
	CU_ASSERT_EQUAL(tx.head, 1);
	rto_tx_free(&tx);
	rto_rx_free(&rx);
	free(got.v);
}

TEST_SUITE(rtosync, NULL, NULL,
	   TEST(test_in_order_delivery),
	   TEST(test_lost_first_frame),
	   TEST(test_sack_spares_retransmission),
	   TEST(test_lossy_link),
	   TEST(test_restart),
	   TEST(test_window_and_queue_bound),
	   TEST(test_oldest_survives_retransmission),
	   TEST(test_shrunken_window),
	   TEST(test_out_of_range))
