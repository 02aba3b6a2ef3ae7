// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_ha_frame - what a unit does with a datagram from the HA link:
 * proto_decode(), proto_check_peer(), hacrypt_open(), the replay window,
 * then the body decoder of the frame's type and, for a sync frame, a
 * receiver (rto_rx_frame()) applying its records through the record
 * decoders (sessions, neighbours, markers).
 *
 * Input: one mode byte, then up to FRAMES_MAX frames, each
 *   len (16 bits) | flip (16 bits) | len bytes
 * All frames of an input go through one receiver and one replay window,
 * so that an input can hold a stream, a gap, a duplicate.
 *
 * Mode, bits 0-1: how the receiving unit is configured: no password,
 * auth, encrypt, or both. Bit 2: seal: the harness seals each frame
 * (header and clear body, as given) with that configuration before the
 * unit opens it, so that the decoders behind the opener see what a peer
 * with the right password sends; flip, when not 0xffff, then flips one
 * bit of the sealed frame (at flip mod length, bit flip & 7), which must
 * make the opener refuse it. Without bit 2, the frame is opened as it
 * came, as a forger's would be. Bit 3: the unit is in the middle of a
 * password change, from that configuration to the next (it holds both
 * key sets and seals with the first).
 *
 * Invariants: a sealed frame opens to exactly what was sealed; no
 * altered frame opens; no (epoch, seq) is accepted twice, nor an epoch
 * below one accepted; every decoder that accepts re-encodes to what it
 * read (neighbour records byte for byte, session records in every field
 * they carry); the receiver applies records of the frame's kind and
 * size, its counters add up, and its acknowledgement encodes and decodes
 * to itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hacrypt.h"
#include "neigh.h"
#include "proto.h"
#include "replay.h"
#include "rtosync.h"

#define FRAMES_MAX	16
#define MODE_SEAL	0x04
#define MODE_CHANGING	0x08	/* a key change under way */
#define FLIP_NONE	0xffff

static struct hacrypt crypt_modes[4];	/* none, auth, encrypt, both */
/* Each mode in the middle of a change to the next: two key sets held. */
static struct hacrypt crypt_changing[4];
static struct rto_rx rx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Argon2id takes its time: once, as the daemon does at start. */
	if (hacrypt_init(&crypt_modes[0], NULL, NULL, FUZZ_CLUSTER_ID) ||
	    hacrypt_init(&crypt_modes[1], FUZZ_AUTH_PW, NULL, FUZZ_CLUSTER_ID) ||
	    hacrypt_init(&crypt_modes[2], NULL, FUZZ_ENC_PW, FUZZ_CLUSTER_ID) ||
	    hacrypt_init(&crypt_modes[3], FUZZ_AUTH_PW, FUZZ_ENC_PW,
			 FUZZ_CLUSTER_ID) ||
	    rto_rx_init(&rx)) {
		fprintf(stderr, "fuzz_ha_frame: cannot set up\n");
		abort();
	}
	for (int i = 0; i < 4; i++) {
		crypt_changing[i] = crypt_modes[i];
		hacrypt_rekey(&crypt_changing[i], &crypt_modes[(i + 1) & 3].cur);
	}
	return 0;
}

/* A receiver that never heard a stream; its buffer is kept. */
static void rx_fresh(void)
{
	struct rto_rec *held = rx.held;

	rto_rx_reset(&rx);
	memset(&rx, 0, sizeof(rx));
	rx.held = held;
}

/* ------------------------------------------------------------ records */

struct apply_ctx {
	uint64_t calls;
};

static void check_session(const uint8_t *rec)
{
	uint8_t again[PROTO_EVENT_LEN];
	struct nsrp_event ev;

	proto_event_get(rec, &ev);
	proto_event_put(again, &ev);
	/* Bytes 6-7 and 52-55 are reserved: not read, written as zero. */
	FUZZ_CHECK(!memcmp(again, rec, 6) && !memcmp(again + 8, rec + 8, 44) &&
		   !memcmp(again + 56, rec + 56, PROTO_EVENT_LEN - 56),
		   "a session record does not re-encode to itself");
}

static void check_neigh(const uint8_t *rec)
{
	uint8_t again[NEIGH_REC_LEN];
	struct neigh_rec r;

	if (neigh_rec_get(rec, &r))
		return;
	FUZZ_CHECK(r.family == 4 || r.family == 6, "family %u", r.family);
	FUZZ_CHECK(r.ifname[0] && memchr(r.ifname, 0, sizeof(r.ifname)),
		   "interface name empty or not terminated");
	neigh_rec_put(again, &r);
	FUZZ_CHECK(!memcmp(again, rec, NEIGH_REC_LEN),
		   "an accepted neighbour record does not re-encode to itself");
}

static int apply(uint8_t kind, const uint8_t *rec, size_t len, void *arg)
{
	struct apply_ctx *a = arg;

	a->calls++;
	/* Held records come from earlier frames: each its own kind's size. */
	switch (kind) {
	case PROTO_SYNC_SESSION:
		FUZZ_CHECK(len == PROTO_EVENT_LEN, "session record of %zu", len);
		check_session(rec);
		break;
	case PROTO_SYNC_NEIGH:
		FUZZ_CHECK(len == PROTO_NEIGH_LEN, "neighbour record of %zu",
			   len);
		check_neigh(rec);
		break;
	case PROTO_SYNC_MARK:
		FUZZ_CHECK(len == PROTO_MARK_LEN, "marker record of %zu", len);
		(void)proto_mark_get(rec);
		break;
	default:
		FUZZ_CHECK(0, "a record of unknown kind %u applied", kind);
	}
	return 0;
}

/* ------------------------------------------------------------- bodies */

static const struct proto_hdr hdr_out = {
	.cluster_id = FUZZ_CLUSTER_ID, .unit_id = 7, .epoch = 1, .seq = 1,
};

static void check_hb(const uint8_t *body, size_t len)
{
	uint8_t buf[PROTO_HDR_LEN + 256];
	struct proto_hb hb, again;
	struct proto_hdr h;
	const uint8_t *b;
	size_t blen;
	int n;

	if (proto_decode_hb(body, len, &hb))
		return;
	FUZZ_CHECK(hb.ngroups <= PROTO_HB_MAX_GROUPS, "%u groups", hb.ngroups);
	n = proto_encode_hb(buf, sizeof(buf), &hdr_out, &hb);
	FUZZ_CHECK(n > 0, "a decoded heartbeat does not encode: %d", n);
	FUZZ_CHECK(!proto_decode(buf, n, &h, &b, &blen) &&
		   !proto_decode_hb(b, blen, &again) &&
		   !memcmp(&hb, &again, sizeof(hb)),
		   "a heartbeat does not survive encoding");
}

static void check_ack_round_trip(const struct proto_sync_ack *a)
{
	uint8_t buf[PROTO_HDR_LEN + PROTO_ACK_FIXED_LEN + PROTO_SACK_WORDS * 8];
	struct proto_sync_ack again;
	struct proto_hdr h;
	const uint8_t *b;
	size_t blen;
	int n;

	n = proto_encode_ack(buf, sizeof(buf), &hdr_out, a);
	FUZZ_CHECK(n > 0, "an ack does not encode: %d (sack_bits %u)", n,
		   a->sack_bits);
	FUZZ_CHECK(!proto_decode(buf, n, &h, &b, &blen) &&
		   !proto_decode_ack(b, blen, &again),
		   "an encoded ack does not decode");
	/* Bits past sack_bits are not sent. */
	FUZZ_CHECK(again.next_seq == a->next_seq && again.window == a->window &&
		   again.flags == a->flags && again.sack_bits == a->sack_bits &&
		   !memcmp(again.sack, a->sack, a->sack_bits / 8),
		   "an ack does not survive encoding");
}

static void check_ack(const uint8_t *body, size_t len)
{
	struct proto_sync_ack a;

	if (proto_decode_ack(body, len, &a))
		return;
	FUZZ_CHECK(a.sack_bits % 64 == 0 && a.sack_bits <= PROTO_SACK_MAX_BITS,
		   "sack_bits %u accepted", a.sack_bits);
	check_ack_round_trip(&a);
}

static void check_rx_state(void)
{
	struct proto_sync_ack a;
	unsigned int held = 0;

	for (unsigned int i = 0; i < RTO_WINDOW; i++)
		held += rx.held[i].held;
	FUZZ_CHECK(held == rx.n_held, "%u records held, n_held %u", held,
		   rx.n_held);
	FUZZ_CHECK(rx.n_held < RTO_WINDOW, "n_held %u", rx.n_held);
	rto_rx_ack(&rx, &a);
	FUZZ_CHECK(a.window == RTO_WINDOW - rx.n_held, "window %u, held %u",
		   a.window, rx.n_held);
	check_ack_round_trip(&a);
}

static void check_sync(const struct proto_hdr *h, const uint8_t *body,
		       size_t len)
{
	static uint8_t buf[PROTO_MAX_FRAME];
	struct proto_sync s, again;
	struct apply_ctx a = { 0 };
	uint64_t applied = rx.applied;
	struct proto_hdr h2;
	const uint8_t *b;
	size_t blen;
	unsigned int n;
	int ret;

	if (proto_decode_sync(body, len, &s))
		return;
	FUZZ_CHECK(s.count <= PROTO_SYNC_MAX_RECORDS &&
		   (size_t)s.count * s.rec_size <= len - PROTO_SYNC_FIXED_LEN,
		   "%u records of %u in %zu bytes", s.count, s.rec_size, len);
	ret = proto_encode_sync(buf, sizeof(buf), &hdr_out, &s);
	FUZZ_CHECK(ret > 0 && !proto_decode(buf, ret, &h2, &b, &blen) &&
		   !proto_decode_sync(b, blen, &again) &&
		   again.first_seq == s.first_seq && again.count == s.count &&
		   again.rec_size == s.rec_size && again.flags == s.flags &&
		   again.kind == s.kind &&
		   !memcmp(again.recs, s.recs, (size_t)s.count * s.rec_size),
		   "a sync frame does not survive encoding (%d)", ret);

	n = rto_rx_frame(&rx, h->epoch, &s, apply, &a);
	FUZZ_CHECK(n == a.calls && rx.applied - applied == a.calls,
		   "applied %u, callbacks %llu, counter moved by %llu", n,
		   (unsigned long long)a.calls,
		   (unsigned long long)(rx.applied - applied));
	check_rx_state();
}

static void check_msg(const uint8_t *body, size_t len, uint8_t type)
{
	static uint8_t buf[PROTO_MAX_FRAME];
	struct proto_msg m, again;
	struct proto_hdr h;
	const uint8_t *b;
	size_t blen;
	int n;

	if (proto_decode_msg(body, len, &m))
		return;
	FUZZ_CHECK(m.data_len <= len - PROTO_MSG_FIXED_LEN,
		   "%u data bytes in %zu", m.data_len, len);
	n = proto_encode_msg(buf, sizeof(buf), &hdr_out, type, &m);
	FUZZ_CHECK(n > 0 && !proto_decode(buf, n, &h, &b, &blen) &&
		   !proto_decode_msg(b, blen, &again) &&
		   again.kind == m.kind && again.flags == m.flags &&
		   again.id == m.id && again.data_len == m.data_len &&
		   !memcmp(again.data, m.data, m.data_len),
		   "a message does not survive encoding (%d)", n);
	/* Ageout queries and replies carry session records. */
	for (unsigned int i = 0; i < m.data_len / PROTO_EVENT_LEN; i++)
		check_session(m.data + (size_t)i * PROTO_EVENT_LEN);
}

/* -------------------------------------------------------------- frames */

struct seen {
	unsigned int n;
	uint64_t epoch[FRAMES_MAX], seq[FRAMES_MAX];
	uint64_t top_epoch;
};

static void check_fresh(struct seen *seen, struct replay_window *w,
			const struct proto_hdr *h, bool *fresh)
{
	bool dup = false;

	*fresh = !replay_accept(w, h->epoch, h->seq);
	for (unsigned int i = 0; i < seen->n; i++)
		dup |= seen->epoch[i] == h->epoch && seen->seq[i] == h->seq;
	if (!*fresh)
		return;
	FUZZ_CHECK(!dup, "epoch %llu seq %llu accepted twice",
		   (unsigned long long)h->epoch, (unsigned long long)h->seq);
	FUZZ_CHECK(!seen->n || h->epoch >= seen->top_epoch,
		   "epoch %llu accepted after %llu",
		   (unsigned long long)h->epoch,
		   (unsigned long long)seen->top_epoch);
	seen->epoch[seen->n] = h->epoch;
	seen->seq[seen->n++] = h->seq;
	if (h->epoch > seen->top_epoch)
		seen->top_epoch = h->epoch;
}

/* Seals frame as a peer with the unit's passwords would; its new length. */
static size_t seal(const struct hacrypt *c, uint8_t *frame, size_t len,
		   size_t cap, size_t *hdr_len)
{
	int n;

	if (len < PROTO_HDR_LEN)
		return len;
	*hdr_len = frame[7] >= PROTO_HDR_LEN && frame[7] <= len ? frame[7]
							       : PROTO_HDR_LEN;
	frame[7] = *hdr_len;
	n = hacrypt_seal(c, frame, *hdr_len, len - *hdr_len, cap);
	return n > 0 ? (size_t)n : len;
}

static void one_frame(const struct hacrypt *c, bool sealing, uint16_t flip,
		      uint8_t *frame, size_t len, size_t cap,
		      struct replay_window *w, struct seen *seen)
{
	static uint8_t clear[PROTO_MAX_FRAME];
	size_t hdr_len = PROTO_HDR_LEN, body_len, clear_len = len;
	bool altered = false, fresh;
	const uint8_t *body;
	struct hacrypt_rx rx;
	struct proto_hdr h;
	int n;

	memcpy(clear, frame, len);
	if (sealing) {
		len = seal(c, frame, len, cap, &hdr_len);
		memcpy(clear, frame, hdr_len);	/* flags and length as sent */
		if (flip != FLIP_NONE && len) {
			frame[flip % len] ^= 1u << (flip & 7);
			altered = true;
		}
	}
	if (proto_decode(frame, len, &h, &body, &body_len))
		return;
	FUZZ_CHECK(h.hdr_len >= PROTO_HDR_LEN && h.hdr_len <= len &&
		   body == frame + h.hdr_len && body_len == len - h.hdr_len,
		   "header of %u bytes, body %zu, frame %zu", h.hdr_len,
		   body_len, len);
	if (proto_check_peer(&h, FUZZ_CLUSTER_ID, FUZZ_OWN_UNIT))
		return;
	n = hacrypt_open(c, frame, len, h.hdr_len, &rx);
	if (hacrypt_sending(c)->flags && altered)
		FUZZ_CHECK(n < 0, "an altered frame opened (%d bytes)", n);
	if (sealing && !altered && h.hdr_len == hdr_len && len > clear_len)
		FUZZ_CHECK(n == (int)(clear_len - hdr_len) &&
			   !memcmp(frame, clear, clear_len),
			   "a sealed frame opened to %d bytes, not its own %zu",
			   n, clear_len - hdr_len);
	if (n < 0)
		return;
	FUZZ_CHECK((size_t)n <= len - h.hdr_len, "opened %d of %zu", n, len);
	body = frame + h.hdr_len;
	body_len = n;
	check_fresh(seen, w, &h, &fresh);
	if (!fresh)
		return;
	switch (h.type) {
	case PROTO_T_HEARTBEAT:
		check_hb(body, body_len);
		break;
	case PROTO_T_SYNC:
		check_sync(&h, body, body_len);
		break;
	case PROTO_T_SYNC_ACK:
		check_ack(body, body_len);
		break;
	case PROTO_T_REQUEST:
	case PROTO_T_CONTROL:
	case PROTO_T_CONFIG:
		check_msg(body, body_len, h.type);
		break;
	default:
		FUZZ_CHECK(0, "type %u passed the decoder", h.type);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Room for the seal's trailer past the largest frame. */
	static uint8_t frame[PROTO_MAX_FRAME + 128];
	struct fuzz_in in = { data, size };
	struct replay_window w;
	struct seen seen = { 0 };
	const struct hacrypt *c;
	uint8_t mode = fuzz_u8(&in);
	bool sealing = mode & MODE_SEAL;

	c = mode & MODE_CHANGING ? &crypt_changing[mode & 3] :
				   &crypt_modes[mode & 3];
	replay_init(&w);
	rx_fresh();
	for (int i = 0; i < FRAMES_MAX && in.left >= 4; i++) {
		uint16_t len = fuzz_u16(&in), flip = fuzz_u16(&in);
		const uint8_t *p;
		size_t got;

		p = fuzz_bytes(&in, len, &got);
		memcpy(frame, p, got);
		one_frame(c, sealing, flip, frame, got, PROTO_MAX_FRAME, &w,
			  &seen);
	}
	return 0;
}
