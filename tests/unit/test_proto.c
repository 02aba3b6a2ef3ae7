// SPDX-License-Identifier: GPL-2.0-only
/* HA link codec: round trips, every rejection, and garbage never crashes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "election.h"
#include "proto.h"
#include "../harness.h"

static const struct proto_hdr hdr = {
	.flags = 0, .cluster_id = 7, .unit_id = 0x86308b,
	.epoch = 0x0123456789abcdefULL, .seq = 0xfedcba9876543210ULL,
};

static struct proto_hb sample_hb(void)
{
	struct proto_hb hb = {
		.mac = { 0x00, 0x22, 0x23, 0x86, 0x30, 0x8b },
		.flags = PROTO_HB_F_PRIMARY_LINK_UP | PROTO_HB_F_COLDSTART_DONE,
		.interval_ms = 1000,
		.threshold = 3,
		.ctl_deadline_ms = 5000,
		.ngroups = 2,
		.groups = {
			{ .id = 0, .state = VSD_MASTER, .priority = 50,
			  .flags = VSD_F_PREEMPT | VSD_F_YIELD,
			  .holddown_s = 3 },
			{ .id = 1, .state = VSD_BACKUP, .priority = 300,
			  .flags = 0, .holddown_s = 0 },
		},
	};
	return hb;
}

static int encode_sample(uint8_t *buf, size_t len)
{
	struct proto_hb hb = sample_hb();

	return proto_encode_hb(buf, len, &hdr, &hb);
}

static void test_hb_round_trip(void)
{
	struct proto_hb hb = sample_hb(), out;
	struct proto_hdr h;
	const uint8_t *body;
	size_t body_len;
	uint8_t buf[256];
	int n;

	n = proto_encode_hb(buf, sizeof(buf), &hdr, &hb);
	CU_ASSERT_EQUAL(n, PROTO_HDR_LEN + PROTO_HB_FIXED_LEN +
			   2 * PROTO_HB_GROUP_LEN);
	CU_ASSERT_EQUAL(memcmp(buf, "NSRP", 4), 0);
	/* Network order on the wire, checked byte by byte. */
	CU_ASSERT_EQUAL(buf[8], 0);
	CU_ASSERT_EQUAL(buf[9], n);
	CU_ASSERT_EQUAL(buf[15], 7);
	CU_ASSERT_EQUAL(buf[17], 0x86);
	CU_ASSERT_EQUAL(buf[20], 0x01);
	CU_ASSERT_EQUAL(buf[35], 0x10);
	/* Bytes 13-15 of the body: threshold, the control deadline. */
	CU_ASSERT_EQUAL(buf[PROTO_HDR_LEN + 13], 3);
	CU_ASSERT_EQUAL(buf[PROTO_HDR_LEN + 14], 5000 >> 8);
	CU_ASSERT_EQUAL(buf[PROTO_HDR_LEN + 15], 5000 & 0xff);

	CU_ASSERT_EQUAL(proto_decode(buf, n, &h, &body, &body_len), 0);
	CU_ASSERT_EQUAL(h.type, PROTO_T_HEARTBEAT);
	CU_ASSERT_EQUAL(h.version, PROTO_VERSION);
	CU_ASSERT_EQUAL(h.hdr_len, PROTO_HDR_LEN);
	CU_ASSERT_EQUAL(h.total_len, n);
	CU_ASSERT_EQUAL(h.cluster_id, hdr.cluster_id);
	CU_ASSERT_EQUAL(h.unit_id, hdr.unit_id);
	CU_ASSERT_EQUAL(h.epoch, hdr.epoch);
	CU_ASSERT_EQUAL(h.seq, hdr.seq);
	CU_ASSERT_EQUAL(body_len, (size_t)n - PROTO_HDR_LEN);

	CU_ASSERT_EQUAL(proto_decode_hb(body, body_len, &out), 0);
	CU_ASSERT_EQUAL(memcmp(out.mac, hb.mac, 6), 0);
	CU_ASSERT_EQUAL(out.flags, hb.flags);
	CU_ASSERT_EQUAL(out.interval_ms, 1000);
	CU_ASSERT_EQUAL(out.threshold, 3);
	CU_ASSERT_EQUAL(out.ctl_deadline_ms, 5000);
	CU_ASSERT_EQUAL(out.ngroups, 2);
	CU_ASSERT_EQUAL(memcmp(out.groups, hb.groups, sizeof(out.groups)), 0);
}

/*
 * The echo rides after the configuration, and only with it; a heartbeat
 * without it (an older sender) decodes as before.
 */
static void test_hb_echo_round_trip(void)
{
	struct proto_hb hb = sample_hb(), out;
	struct proto_hdr h;
	const uint8_t *body;
	size_t body_len;
	uint8_t buf[256];
	int n;

	hb.has_cfg = true;
	hb.cfg.sum = 1;
	hb.has_echo = true;
	hb.echo = (struct proto_hb_echo){ .sent = 70000, .echo = 0x80000001,
					  .held_us = 123456 };
	n = proto_encode_hb(buf, sizeof(buf), &hdr, &hb);
	CU_ASSERT_EQUAL(n, PROTO_HDR_LEN + PROTO_HB_FIXED_LEN +
			   2 * PROTO_HB_GROUP_LEN + PROTO_HB_CFG_LEN +
			   PROTO_HB_ECHO_LEN);
	CU_ASSERT_EQUAL_FATAL(proto_decode(buf, n, &h, &body, &body_len), 0);
	CU_ASSERT_EQUAL_FATAL(proto_decode_hb(body, body_len, &out), 0);
	CU_ASSERT_TRUE(out.has_cfg && out.has_echo);
	CU_ASSERT_EQUAL(out.echo.sent, 70000);
	CU_ASSERT_EQUAL(out.echo.echo, 0x80000001);
	CU_ASSERT_EQUAL(out.echo.held_us, 123456);

	/* The heartbeat of an older sender: cfg, no echo. */
	CU_ASSERT_EQUAL_FATAL(proto_decode_hb(body, body_len -
					      PROTO_HB_ECHO_LEN, &out), 0);
	CU_ASSERT_TRUE(out.has_cfg);
	CU_ASSERT_FALSE(out.has_echo);

	/* No echo without the configuration before it. */
	hb.has_cfg = false;
	n = proto_encode_hb(buf, sizeof(buf), &hdr, &hb);
	CU_ASSERT_EQUAL(n, PROTO_HDR_LEN + PROTO_HB_FIXED_LEN +
			   2 * PROTO_HB_GROUP_LEN);
}

static void test_hb_encode_no_space(void)
{
	struct proto_hb hb = sample_hb();
	uint8_t buf[256];

	CU_ASSERT_EQUAL(proto_encode_hb(buf, 40, &hdr, &hb), -ENOSPC);
	hb.ngroups = PROTO_HB_MAX_GROUPS + 1;
	CU_ASSERT_EQUAL(proto_encode_hb(buf, sizeof(buf), &hdr, &hb), -EINVAL);
}

/* One malformation of a valid frame, and the reason it must be refused. */
struct bad_hdr_case {
	const char *what;
	size_t off;		/* byte to overwrite, or SIZE_MAX */
	uint8_t val;
	int len_delta;		/* datagram length change */
	int reason;
};

static const struct bad_hdr_case bad_hdr_cases[] = {
	{ "magic", 0, 'X', 0, PROTO_R_BAD_MAGIC },
	{ "magic last byte", 3, 'Q', 0, PROTO_R_BAD_MAGIC },
	{ "version 0", 4, 0, 0, PROTO_R_BAD_VERSION },
	{ "version 2", 4, 2, 0, PROTO_R_BAD_VERSION },
	{ "type 0", 5, 0, 0, PROTO_R_BAD_TYPE },
	{ "type max", 5, PROTO_T_MAX, 0, PROTO_R_BAD_TYPE },
	{ "type 255", 5, 255, 0, PROTO_R_BAD_TYPE },
	{ "hdr_len short", 7, PROTO_HDR_LEN - 1, 0, PROTO_R_BAD_HDR_LEN },
	{ "hdr_len past end", 7, 255, 0, PROTO_R_BAD_HDR_LEN },
	{ "total_len high", 8, 1, 0, PROTO_R_LEN_MISMATCH },
	{ "datagram longer", SIZE_MAX, 0, 1, PROTO_R_LEN_MISMATCH },
	{ "datagram shorter", SIZE_MAX, 0, -1, PROTO_R_LEN_MISMATCH },
	{ "header truncated", SIZE_MAX, 0, -45, PROTO_R_TRUNCATED },
};

static void test_bad_headers(void)
{
	const uint8_t *body;
	struct proto_hdr h;
	size_t body_len, i;
	uint8_t good[256], buf[256];
	int n;

	n = encode_sample(good, sizeof(good));
	CU_ASSERT_FATAL(n > 0);
	for (i = 0; i < sizeof(bad_hdr_cases) / sizeof(bad_hdr_cases[0]); i++) {
		const struct bad_hdr_case *c = &bad_hdr_cases[i];
		int r;

		memcpy(buf, good, sizeof(buf));
		if (c->off != SIZE_MAX)
			buf[c->off] = c->val;
		r = proto_decode(buf, n + c->len_delta, &h, &body, &body_len);
		if (r != -c->reason)
			fprintf(stderr, "case %s: got %s, want %s\n", c->what,
				proto_reason_name(r),
				proto_reason_name(c->reason));
		CU_ASSERT_EQUAL(r, -c->reason);
	}
	/* Empty datagram. */
	CU_ASSERT_EQUAL(proto_decode(good, 0, &h, &body, &body_len),
			-PROTO_R_TRUNCATED);
}

/*
 * The configuration block's version name ends at its first NUL: bytes a
 * sender left after it are not part of it, so a decoded heartbeat
 * encodes back to what it said.
 */
static void test_hb_cfg_version_ends_at_nul(void)
{
	struct proto_hb hb = sample_hb(), out, again;
	const uint8_t *body;
	struct proto_hdr h;
	size_t body_len;
	uint8_t buf[256];
	int n;

	hb.has_cfg = true;
	hb.cfg.sum = 7;
	strcpy(hb.cfg.version, "0.1.0");
	n = proto_encode_hb(buf, sizeof(buf), &hdr, &hb);
	CU_ASSERT_FATAL(n > 0);
	/* Junk after the NUL, at the version field's last byte. */
	buf[n - PROTO_HB_CFG_LEN + 20 + PROTO_HB_VERSION_LEN - 1] = 'x';
	CU_ASSERT_EQUAL_FATAL(proto_decode(buf, n, &h, &body, &body_len), 0);
	CU_ASSERT_EQUAL_FATAL(proto_decode_hb(body, body_len, &out), 0);
	CU_ASSERT_STRING_EQUAL(out.cfg.version, "0.1.0");
	n = proto_encode_hb(buf, sizeof(buf), &hdr, &out);
	CU_ASSERT_EQUAL_FATAL(proto_decode(buf, n, &h, &body, &body_len), 0);
	CU_ASSERT_EQUAL_FATAL(proto_decode_hb(body, body_len, &again), 0);
	CU_ASSERT_EQUAL(memcmp(&out, &again, sizeof(out)), 0);
}

static void test_longer_header_accepted(void)
{
	/* A newer minor revision may append header fields: skip them. */
	uint8_t buf[256];
	const uint8_t *body;
	struct proto_hdr h;
	size_t body_len;
	struct proto_hb hb;
	int n = encode_sample(buf, sizeof(buf));

	memmove(buf + PROTO_HDR_LEN + 4, buf + PROTO_HDR_LEN, n - PROTO_HDR_LEN);
	memset(buf + PROTO_HDR_LEN, 0xee, 4);
	buf[7] = PROTO_HDR_LEN + 4;
	buf[9] = n + 4;
	CU_ASSERT_EQUAL(proto_decode(buf, n + 4, &h, &body, &body_len), 0);
	CU_ASSERT_EQUAL(body, buf + PROTO_HDR_LEN + 4);
	CU_ASSERT_EQUAL(proto_decode_hb(body, body_len, &hb), 0);
	CU_ASSERT_EQUAL(hb.ngroups, 2);
}

static void test_check_peer(void)
{
	struct proto_hdr h = hdr;

	CU_ASSERT_EQUAL(proto_check_peer(&h, 7, 1), 0);
	CU_ASSERT_EQUAL(proto_check_peer(&h, 8, 1), -PROTO_R_WRONG_CLUSTER);
	CU_ASSERT_EQUAL(proto_check_peer(&h, 7, 0x86308b), -PROTO_R_LOOPED);
}

static void test_bad_hb_bodies(void)
{
	uint8_t buf[256];
	const uint8_t *body;
	struct proto_hdr h;
	size_t body_len;
	struct proto_hb hb;
	int n = encode_sample(buf, sizeof(buf));

	CU_ASSERT_EQUAL(proto_decode(buf, n, &h, &body, &body_len), 0);
	CU_ASSERT_EQUAL(proto_decode_hb(body, PROTO_HB_FIXED_LEN - 1, &hb),
			-PROTO_R_TRUNCATED);
	CU_ASSERT_EQUAL(proto_decode_hb(body, body_len - 1, &hb),
			-PROTO_R_TRUNCATED);
	buf[PROTO_HDR_LEN + 12] = PROTO_HB_MAX_GROUPS + 1;
	CU_ASSERT_EQUAL(proto_decode_hb(body, body_len, &hb),
			-PROTO_R_TOO_MANY_GROUPS);
	buf[PROTO_HDR_LEN + 12] = 3;	/* claims one group more than sent */
	CU_ASSERT_EQUAL(proto_decode_hb(body, body_len, &hb),
			-PROTO_R_TRUNCATED);
}

static void fill_event(struct nsrp_event *ev, unsigned int i)
{
	unsigned int j;

	memset(ev, 0, sizeof(*ev));
	ev->kind = NSRP_EV_CREATE + i % 4;
	ev->ts_ns = 1000000000ULL * i + 17;
	for (j = 0; j < 4; j++) {
		ev->key.addr_a[j] = 0x0a000001u + i + j;
		ev->key.addr_b[j] = 0xc0000200u + i * 3 + j;
	}
	ev->key.port_a = 1024 + i;
	ev->key.port_b = 443;
	ev->key.proto = 6;
	ev->key.family = NSRP_AF_INET6;
	ev->sess.expires_ns = 0x1122334455667788ULL + i;
	ev->sess.refreshed_ns = 42 + i;
	ev->sess.pkts[0] = 1 + i;
	ev->sess.pkts[1] = 2 + i;
	ev->sess.bytes[0] = 100 + i;
	ev->sess.bytes[1] = 200 + i;
	ev->sess.state = NSRP_SS_ESTABLISHED;
	ev->sess.vsd = 1;
	ev->sess.flags = NSRP_SF_INIT_IS_B;
}

static void test_sync_events_round_trip(void)
{
	struct nsrp_event evs[10], back;
	struct proto_sync s;
	struct proto_hdr h;
	const uint8_t *body;
	size_t body_len;
	unsigned int i, fit;
	uint8_t buf[1472];
	int n;

	fit = proto_sync_fit(sizeof(buf), PROTO_EVENT_LEN);
	CU_ASSERT_EQUAL(fit, (1472 - PROTO_HDR_LEN - PROTO_SYNC_FIXED_LEN) /
			     PROTO_EVENT_LEN);
	CU_ASSERT_FATAL(fit >= 10);
	for (i = 0; i < 10; i++)
		fill_event(&evs[i], i);
	n = proto_encode_sync_events(buf, sizeof(buf), &hdr, 5000,
				     PROTO_SYNC_F_BULK, evs, 10);
	CU_ASSERT_EQUAL(n, PROTO_HDR_LEN + PROTO_SYNC_FIXED_LEN +
			   10 * PROTO_EVENT_LEN);
	CU_ASSERT_EQUAL(proto_decode(buf, n, &h, &body, &body_len), 0);
	CU_ASSERT_EQUAL(h.type, PROTO_T_SYNC);
	CU_ASSERT_EQUAL(proto_decode_sync(body, body_len, &s), 0);
	CU_ASSERT_EQUAL(s.first_seq, 5000);
	CU_ASSERT_EQUAL(s.count, 10);
	CU_ASSERT_EQUAL(s.kind, PROTO_SYNC_SESSION);
	CU_ASSERT_EQUAL(s.flags, PROTO_SYNC_F_BULK);
	for (i = 0; i < 10; i++) {
		proto_event_get(s.recs + i * PROTO_EVENT_LEN, &back);
		CU_ASSERT_EQUAL(memcmp(&back, &evs[i], sizeof(back)), 0);
	}
	/* One record more than fits. */
	CU_ASSERT_EQUAL(proto_encode_sync_events(buf, n - 1, &hdr, 0, 0,
						 evs, 10), -ENOSPC);
}

static void test_sync_rejections(void)
{
	struct nsrp_event ev;
	struct proto_sync s;
	uint8_t buf[512];
	uint8_t *body = buf + PROTO_HDR_LEN;
	size_t body_len;
	int n;

	fill_event(&ev, 1);
	n = proto_encode_sync_events(buf, sizeof(buf), &hdr, 1, 0, &ev, 1);
	CU_ASSERT_FATAL(n > 0);
	body_len = n - PROTO_HDR_LEN;
	CU_ASSERT_EQUAL(proto_decode_sync(body, body_len - 1, &s),
			-PROTO_R_TRUNCATED);
	CU_ASSERT_EQUAL(proto_decode_sync(body, 15, &s), -PROTO_R_TRUNCATED);
	body[11] = 100;		/* rec_size of a session record is fixed */
	CU_ASSERT_EQUAL(proto_decode_sync(body, body_len, &s),
			-PROTO_R_BAD_RECORD);
	body[11] = PROTO_EVENT_LEN;
	body[8] = 0xff;		/* count 65281 */
	CU_ASSERT_EQUAL(proto_decode_sync(body, body_len, &s),
			-PROTO_R_TOO_MANY_RECORDS);
}

static void test_generic_sync_records(void)
{
	static const uint8_t recs[3 * PROTO_MARK_LEN] = "abcdefghijklmnopqrstuvw";
	struct proto_sync s = {
		.first_seq = ~0ULL - 1, .count = 3, .rec_size = PROTO_MARK_LEN,
		.kind = PROTO_SYNC_MARK, .recs = recs,
	}, out;
	uint8_t buf[128];
	int n = proto_encode_sync(buf, sizeof(buf), &hdr, &s);

	CU_ASSERT_EQUAL(n, PROTO_HDR_LEN + PROTO_SYNC_FIXED_LEN + 24);
	CU_ASSERT_EQUAL(proto_decode_sync(buf + PROTO_HDR_LEN,
					  n - PROTO_HDR_LEN, &out), 0);
	CU_ASSERT_EQUAL(out.first_seq, ~0ULL - 1);
	CU_ASSERT_EQUAL(out.rec_size, PROTO_MARK_LEN);
	CU_ASSERT_EQUAL(memcmp(out.recs, recs, 24), 0);
}

/* Each kind of record has one size; another size, or kind, is refused. */
static void test_sync_record_size_per_kind(void)
{
	static const struct { uint8_t kind; uint16_t size; int want; } c[] = {
		{ PROTO_SYNC_SESSION, PROTO_EVENT_LEN, 0 },
		{ PROTO_SYNC_NEIGH, PROTO_NEIGH_LEN, 0 },
		{ PROTO_SYNC_MARK, PROTO_MARK_LEN, 0 },
		{ PROTO_SYNC_NEIGH, PROTO_MARK_LEN, -PROTO_R_BAD_RECORD },
		{ PROTO_SYNC_MARK, 0, -PROTO_R_BAD_RECORD },
		{ 9, 8, -PROTO_R_BAD_RECORD },
	};
	static uint8_t recs[PROTO_EVENT_LEN];
	uint8_t buf[256];

	for (unsigned int i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct proto_sync s = { .first_seq = 7, .count = 1,
					.rec_size = c[i].size,
					.kind = c[i].kind, .recs = recs }, out;
		int n = proto_encode_sync(buf, sizeof(buf), &hdr, &s);

		if (!c[i].size) {	/* the encoder refuses it already */
			CU_ASSERT_EQUAL(n, -EINVAL);
			continue;
		}
		CU_ASSERT_EQUAL(proto_decode_sync(buf + PROTO_HDR_LEN,
						  n - PROTO_HDR_LEN, &out),
				c[i].want);
	}
}

/*
 * A kind of record not known here, claiming records of no bytes: taken,
 * it would move the receiver's stream by records it never got.
 */
static void test_sync_unknown_kind_without_size(void)
{
	/* first_seq 7, 1000 records of 0 bytes, no flags, kind 9 */
	static const uint8_t body[PROTO_SYNC_FIXED_LEN] = {
		0, 0, 0, 0, 0, 0, 0, 7, 0x03, 0xe8, 0, 0, 0, 0, 9, 0,
	};
	struct proto_sync s;

	CU_ASSERT_EQUAL(proto_decode_sync(body, sizeof(body), &s),
			-PROTO_R_BAD_RECORD);
}

static void test_ack_round_trip(void)
{
	struct proto_sync_ack a = {
		.next_seq = 123456789012ULL, .window = 4096,
		.flags = PROTO_ACK_F_RESYNC, .sack_bits = 128,
		.sack = { 0x8000000000000001ULL, 0x5a5a },
	}, out;
	uint8_t buf[256];
	int n = proto_encode_ack(buf, sizeof(buf), &hdr, &a);

	CU_ASSERT_EQUAL(n, PROTO_HDR_LEN + PROTO_ACK_FIXED_LEN + 16);
	CU_ASSERT_EQUAL(buf[5], PROTO_T_SYNC_ACK);
	CU_ASSERT_EQUAL(proto_decode_ack(buf + PROTO_HDR_LEN,
					 n - PROTO_HDR_LEN, &out), 0);
	CU_ASSERT_EQUAL(memcmp(&out, &a, sizeof(a)), 0);

	/* Plain cumulative ack, no bitmap. */
	a.sack_bits = 0;
	memset(a.sack, 0, sizeof(a.sack));
	n = proto_encode_ack(buf, sizeof(buf), &hdr, &a);
	CU_ASSERT_EQUAL(n, PROTO_HDR_LEN + PROTO_ACK_FIXED_LEN);
	CU_ASSERT_EQUAL(proto_decode_ack(buf + PROTO_HDR_LEN,
					 n - PROTO_HDR_LEN, &out), 0);
	CU_ASSERT_EQUAL(memcmp(&out, &a, sizeof(a)), 0);

	a.sack_bits = 65;
	CU_ASSERT_EQUAL(proto_encode_ack(buf, sizeof(buf), &hdr, &a), -EINVAL);
	a.sack_bits = 64;
	n = proto_encode_ack(buf, sizeof(buf), &hdr, &a);
	buf[PROTO_HDR_LEN + 15] = 63;
	CU_ASSERT_EQUAL(proto_decode_ack(buf + PROTO_HDR_LEN,
					 n - PROTO_HDR_LEN, &out),
			-PROTO_R_BAD_SACK);
	buf[PROTO_HDR_LEN + 15] = 128;
	CU_ASSERT_EQUAL(proto_decode_ack(buf + PROTO_HDR_LEN,
					 n - PROTO_HDR_LEN, &out),
			-PROTO_R_TRUNCATED);
}

static void test_msg_round_trip(void)
{
	static const uint8_t data[] = { 1, 2, 3, 4, 5 };
	struct proto_msg m = {
		.kind = PROTO_REQ_AGEOUT_QUERY, .flags = 3, .id = 99,
		.data_len = sizeof(data), .data = data,
	}, out;
	struct proto_hdr h;
	const uint8_t *body;
	size_t body_len;
	uint8_t buf[128];
	int n;

	n = proto_encode_msg(buf, sizeof(buf), &hdr, PROTO_T_REQUEST, &m);
	CU_ASSERT_EQUAL(n, PROTO_HDR_LEN + PROTO_MSG_FIXED_LEN + 5);
	CU_ASSERT_EQUAL(proto_decode(buf, n, &h, &body, &body_len), 0);
	CU_ASSERT_EQUAL(h.type, PROTO_T_REQUEST);
	CU_ASSERT_EQUAL(proto_decode_msg(body, body_len, &out), 0);
	CU_ASSERT_EQUAL(out.kind, m.kind);
	CU_ASSERT_EQUAL(out.flags, 3);
	CU_ASSERT_EQUAL(out.id, 99);
	CU_ASSERT_EQUAL(out.data_len, 5);
	CU_ASSERT_EQUAL(memcmp(out.data, data, 5), 0);
	CU_ASSERT_EQUAL(proto_decode_msg(body, body_len - 1, &out),
			-PROTO_R_TRUNCATED);

	m.kind = PROTO_CTL_HANDOVER;
	m.data_len = 0;
	n = proto_encode_msg(buf, sizeof(buf), &hdr, PROTO_T_CONTROL, &m);
	CU_ASSERT_EQUAL(proto_decode(buf, n, &h, &body, &body_len), 0);
	CU_ASSERT_EQUAL(h.type, PROTO_T_CONTROL);
	CU_ASSERT_EQUAL(proto_encode_msg(buf, sizeof(buf), &hdr,
					 PROTO_T_SYNC, &m), -EINVAL);
}

/* A marker: its 32 bits in network order, then zeros. */
static void test_mark_record(void)
{
	static const uint8_t want[PROTO_MARK_LEN] = { 0x01, 0x02, 0x03, 0x04 };
	uint8_t rec[PROTO_MARK_LEN];

	memset(rec, 0xee, sizeof(rec));
	proto_mark_put(rec, 0x01020304);
	CU_ASSERT_EQUAL(memcmp(rec, want, sizeof(rec)), 0);
	CU_ASSERT_EQUAL(proto_mark_get(rec), 0x01020304);
}

static void test_reason_names(void)
{
	int r;

	for (r = 0; r < PROTO_R_MAX; r++) {
		CU_ASSERT_PTR_NOT_NULL(proto_reason_name(r));
		CU_ASSERT_STRING_NOT_EQUAL(proto_reason_name(r), "unknown");
	}
	CU_ASSERT_STRING_EQUAL(proto_reason_name(-PROTO_R_BAD_MAGIC),
			       "bad-magic");
	CU_ASSERT_STRING_EQUAL(proto_reason_name(PROTO_R_MAX), "unknown");
}

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t prng(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* Decodes whatever the header says the body is; must never misbehave. */
static void decode_all(const uint8_t *buf, size_t len, unsigned int *ok)
{
	struct proto_sync_ack a;
	struct nsrp_event ev;
	struct proto_sync s;
	struct proto_msg m;
	struct proto_hb hb;
	struct proto_hdr h;
	const uint8_t *body;
	size_t body_len;
	unsigned int i;

	if (proto_decode(buf, len, &h, &body, &body_len))
		return;
	(*ok)++;
	/* Try every body decoder, whatever the type says. */
	proto_decode_hb(body, body_len, &hb);
	proto_decode_ack(body, body_len, &a);
	proto_decode_msg(body, body_len, &m);
	if (!proto_decode_sync(body, body_len, &s) &&
	    s.kind == PROTO_SYNC_SESSION)
		for (i = 0; i < s.count; i++)
			proto_event_get(s.recs + i * PROTO_EVENT_LEN, &ev);
}

static void test_fuzz_never_crashes(void)
{
	uint8_t seeds[4][1472], *buf;
	int seed_len[4];
	struct nsrp_event evs[3];
	struct proto_sync_ack a = { .next_seq = 5, .sack_bits = 64 };
	struct proto_msg m = { .kind = 1 };
	struct proto_hb hb = sample_hb();
	unsigned int i, ok = 0;
	uint64_t st = 0x9e3779b97f4a7c15ULL;

	for (i = 0; i < 3; i++)
		fill_event(&evs[i], i);
	seed_len[0] = proto_encode_hb(seeds[0], 1472, &hdr, &hb);
	seed_len[1] = proto_encode_sync_events(seeds[1], 1472, &hdr, 9, 0,
					       evs, 3);
	seed_len[2] = proto_encode_ack(seeds[2], 1472, &hdr, &a);
	seed_len[3] = proto_encode_msg(seeds[3], 1472, &hdr, PROTO_T_CONTROL,
				       &m);

	for (i = 0; i < 200000; i++) {
		uint64_t r = prng(&st);
		unsigned int which = r % 4, flips, k;
		size_t len = seed_len[which];

		/* An exact-size heap copy, so ASan sees any overread. */
		switch ((r >> 8) % 4) {
		case 0:		/* truncated */
			len = prng(&st) % (len + 1);
			break;
		case 1:		/* random bytes, any length */
			len = prng(&st) % 300;
			break;
		default:	/* bit flips */
			break;
		}
		buf = malloc(len ? len : 1);
		if (!buf)
			CU_FAIL_FATAL("out of memory");
		if ((r >> 8) % 4 == 1) {
			for (k = 0; k < len; k++)
				buf[k] = prng(&st);
			if (len >= 10 && (r >> 20) & 1) {
				memcpy(buf, "NSRP\x01", 5);
				buf[8] = len >> 8;
				buf[9] = len;
			}
		} else {
			memcpy(buf, seeds[which], len);
		}
		flips = (r >> 16) % 4;
		for (k = 0; k < flips && len; k++) {
			size_t at = prng(&st) % len;

			buf[at] ^= 1u << (prng(&st) % 8);
		}
		/* Keep the length field consistent half the time. */
		if (len >= 10 && (r >> 24) & 1) {
			buf[8] = len >> 8;
			buf[9] = len;
		}
		decode_all(buf, len, &ok);
		free(buf);
	}
	/* The loop must also have reached the body decoders. */
	CU_ASSERT(ok > 1000);
}

TEST_SUITE(proto, NULL, NULL,
	   TEST(test_hb_round_trip),
	   TEST(test_hb_echo_round_trip),
	   TEST(test_hb_encode_no_space),
	   TEST(test_bad_headers),
	   TEST(test_longer_header_accepted),
	   TEST(test_hb_cfg_version_ends_at_nul),
	   TEST(test_check_peer),
	   TEST(test_bad_hb_bodies),
	   TEST(test_sync_events_round_trip),
	   TEST(test_sync_rejections),
	   TEST(test_generic_sync_records),
	   TEST(test_sync_record_size_per_kind),
	   TEST(test_sync_unknown_kind_without_size),
	   TEST(test_ack_round_trip),
	   TEST(test_msg_round_trip),
	   TEST(test_mark_record),
	   TEST(test_reason_names),
	   TEST(test_fuzz_never_crashes))
