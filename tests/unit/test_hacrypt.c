// SPDX-License-Identifier: GPL-2.0-only
/* HA link protection: round trips, tampering, wrong keys, mismatches. */
#include <errno.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "hacrypt.h"
#include "election.h"
#include "proto.h"
#include "../harness.h"

/* Key derivation is slow on purpose: derive each context once. */
enum { C_NONE, C_AUTH, C_ENC, C_BOTH, C_AUTH_BAD, C_ENC_BAD, C_AUTH_CL2,
       C_MAX };
static struct hacrypt ctx[C_MAX];
static struct hacrypt_rx rx;	/* what the last open said */

static int derive_all(void)
{
	static const struct { const char *auth, *enc; unsigned int cl; } k[] = {
		[C_NONE] = { NULL, "", 1 },
		[C_AUTH] = { "s3cret", NULL, 1 },
		[C_ENC] = { NULL, "hidden", 1 },
		[C_BOTH] = { "s3cret", "hidden", 1 },
		[C_AUTH_BAD] = { "s3cres", NULL, 1 },
		[C_ENC_BAD] = { NULL, "hidder", 1 },
		[C_AUTH_CL2] = { "s3cret", NULL, 2 },
	};
	int i;

	for (i = 0; i < C_MAX; i++)
		if (hacrypt_init(&ctx[i], k[i].auth, k[i].enc, k[i].cl))
			return -1;
	return 0;
}

static int clear_all(void)
{
	int i;

	for (i = 0; i < C_MAX; i++)
		hacrypt_clear(&ctx[i]);
	return 0;
}

static const struct proto_hdr hdr = {
	.cluster_id = 1, .unit_id = 0x112233, .epoch = 5, .seq = 77,
};

/* A heartbeat frame in buf; returns its length. */
static int make_frame(uint8_t *buf, size_t cap)
{
	struct proto_hb hb = {
		.mac = { 2, 0, 0, 0x11, 0x22, 0x33 },
		.flags = PROTO_HB_F_PRIMARY_LINK_UP,
		.interval_ms = 100,
		.ngroups = 1,
		.groups = { { .id = 0, .priority = 50,
			      .state = VSD_MASTER } },
	};

	return proto_encode_hb(buf, cap, &hdr, &hb);
}

/* Seals with one context, decodes and opens with another. */
static int seal_open(int tx, int rx, struct proto_hb *out)
{
	struct hacrypt_rx r;
	uint8_t buf[512];
	const uint8_t *body;
	struct proto_hdr h;
	size_t body_len;
	int n, err;

	n = make_frame(buf, sizeof(buf));
	n = hacrypt_seal(&ctx[tx], buf, PROTO_HDR_LEN, n - PROTO_HDR_LEN,
			 sizeof(buf));
	if (n < 0)
		return n;
	err = proto_decode(buf, n, &h, &body, &body_len);
	CU_ASSERT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(h.flags & PROTO_F_SEC_MASK, ctx[tx].cur.flags);
	n = hacrypt_open(&ctx[rx], buf, n, h.hdr_len, &r);
	if (n < 0)
		return n;
	return proto_decode_hb(buf + h.hdr_len, n, out);
}

static void test_round_trips(void)
{
	static const int modes[] = { C_NONE, C_AUTH, C_ENC, C_BOTH };
	struct proto_hb hb;
	unsigned int i;

	CU_ASSERT_EQUAL(ctx[C_NONE].cur.flags, 0);
	CU_ASSERT_EQUAL(ctx[C_BOTH].cur.flags, PROTO_F_AUTH | PROTO_F_ENC);
	for (i = 0; i < 4; i++) {
		memset(&hb, 0, sizeof(hb));
		CU_ASSERT_EQUAL(seal_open(modes[i], modes[i], &hb), 0);
		CU_ASSERT_EQUAL(hb.interval_ms, 100);
		CU_ASSERT_EQUAL(hb.ngroups, 1);
		CU_ASSERT_EQUAL(hb.groups[0].priority, 50);
		CU_ASSERT_EQUAL(hb.mac[5], 0x33);
	}
}

static void test_overhead_and_layout(void)
{
	uint8_t clear[512], buf[512];
	int n, m;

	CU_ASSERT_EQUAL(hacrypt_overhead(&ctx[C_NONE]), 0);
	CU_ASSERT_EQUAL(hacrypt_overhead(&ctx[C_AUTH]), 32);
	CU_ASSERT_EQUAL(hacrypt_overhead(&ctx[C_ENC]), 40);
	CU_ASSERT_EQUAL(hacrypt_overhead(&ctx[C_BOTH]), 72);

	n = make_frame(clear, sizeof(clear));
	memcpy(buf, clear, n);
	m = hacrypt_seal(&ctx[C_AUTH], buf, PROTO_HDR_LEN, n - PROTO_HDR_LEN,
			 sizeof(buf));
	CU_ASSERT_EQUAL(m, n + 32);
	/* Auth only: the body travels in clear. */
	CU_ASSERT_EQUAL(memcmp(buf + PROTO_HDR_LEN, clear + PROTO_HDR_LEN,
			       n - PROTO_HDR_LEN), 0);

	memcpy(buf, clear, n);
	m = hacrypt_seal(&ctx[C_ENC], buf, PROTO_HDR_LEN, n - PROTO_HDR_LEN,
			 sizeof(buf));
	CU_ASSERT_EQUAL(m, n + 40);
	CU_ASSERT_EQUAL(buf[9], m);	/* total_len updated */
	CU_ASSERT_EQUAL(buf[6], PROTO_F_ENC);
	/* Encrypted: the MAC address in the body is not visible. */
	CU_ASSERT_PTR_NULL(memmem(buf + PROTO_HDR_LEN, m - PROTO_HDR_LEN,
				  clear + PROTO_HDR_LEN, 6));
	/* The header stays readable for the receiver's first checks. */
	CU_ASSERT_EQUAL(memcmp(buf + 12, clear + 12, PROTO_HDR_LEN - 12), 0);
}

static void test_nonces_differ(void)
{
	uint8_t a[512], b[512];
	int n = make_frame(a, sizeof(a));

	memcpy(b, a, n);
	hacrypt_seal(&ctx[C_ENC], a, PROTO_HDR_LEN, n - PROTO_HDR_LEN, 512);
	hacrypt_seal(&ctx[C_ENC], b, PROTO_HDR_LEN, n - PROTO_HDR_LEN, 512);
	CU_ASSERT_NOT_EQUAL(memcmp(a + PROTO_HDR_LEN, b + PROTO_HDR_LEN,
				   HACRYPT_NONCE_LEN), 0);
}

/* Flipping any single byte of a sealed frame must make it unopenable. */
static void tamper_every_byte(int mode)
{
	uint8_t sealed[512], buf[512];
	int n = make_frame(sealed, sizeof(sealed)), i, bad = 0;

	n = hacrypt_seal(&ctx[mode], sealed, PROTO_HDR_LEN, n - PROTO_HDR_LEN,
			 sizeof(sealed));
	CU_ASSERT_FATAL(n > 0);
	for (i = 0; i < n; i++) {
		memcpy(buf, sealed, n);
		buf[i] ^= 0x01;
		if (hacrypt_open(&ctx[mode], buf, n, PROTO_HDR_LEN, &rx) >= 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	memcpy(buf, sealed, n);
	CU_ASSERT(hacrypt_open(&ctx[mode], buf, n, PROTO_HDR_LEN, &rx) > 0);
}

static void test_tampered_auth(void)
{
	tamper_every_byte(C_AUTH);
}

static void test_tampered_enc(void)
{
	tamper_every_byte(C_ENC);
}

static void test_tampered_both(void)
{
	tamper_every_byte(C_BOTH);
}

/* Another password names another key set: told apart from a forgery. */
static void test_wrong_password(void)
{
	struct proto_hb hb;

	CU_ASSERT_EQUAL(seal_open(C_AUTH, C_AUTH_BAD, &hb), -ENOKEY);
	CU_ASSERT_EQUAL(seal_open(C_ENC, C_ENC_BAD, &hb), -ENOKEY);
	/* The same password in another cluster is another key. */
	CU_ASSERT_EQUAL(seal_open(C_AUTH, C_AUTH_CL2, &hb), -ENOKEY);
}

/* A frame naming our key set that does not verify is a forgery. */
static void test_forged_with_our_key_id(void)
{
	uint8_t buf[512];
	int n = make_frame(buf, sizeof(buf));

	n = hacrypt_seal(&ctx[C_AUTH_BAD], buf, PROTO_HDR_LEN,
			 n - PROTO_HDR_LEN, sizeof(buf));
	buf[PROTO_OFF_KEY_ID] = ctx[C_AUTH].cur.id;
	CU_ASSERT_EQUAL(hacrypt_open(&ctx[C_AUTH], buf, n, PROTO_HDR_LEN, &rx),
			-EBADMSG);
}

static void test_key_ids(void)
{
	struct hacrypt again;

	for (int i = 0; i < C_MAX; i++) {
		CU_ASSERT_NOT_EQUAL(ctx[i].cur.id, 0);
		for (int j = 0; j < i; j++)
			CU_ASSERT_NOT_EQUAL(ctx[i].cur.id, ctx[j].cur.id);
	}
	/* Both units derive the same id from the same passwords. */
	CU_ASSERT_EQUAL_FATAL(hacrypt_init(&again, "s3cret", NULL, 1), 0);
	CU_ASSERT_EQUAL(again.cur.id, ctx[C_AUTH].cur.id);
	hacrypt_clear(&again);
}

/* ----------------------------------------------------- changing keys */

/* A unit with the keys of ctx[mode], no change under way. */
static void unit_on(struct hacrypt *u, int mode)
{
	memset(u, 0, sizeof(*u));
	u->cur = ctx[mode].cur;
}

/*
 * One frame from tx to rx, as the session layer passes it: sealed,
 * opened, and what it told taken in. Returns the open's result; *sealed
 * gets the key id it went out with.
 */
static int frame_to(struct hacrypt *tx, struct hacrypt *rx_unit,
		    uint8_t *sealed)
{
	struct hacrypt_rx r;
	uint8_t buf[512];
	int n = make_frame(buf, sizeof(buf));

	n = hacrypt_seal(tx, buf, PROTO_HDR_LEN, n - PROTO_HDR_LEN,
			 sizeof(buf));
	if (n < 0)
		return n;
	*sealed = buf[PROTO_OFF_KEY_ID];
	n = hacrypt_open(rx_unit, buf, n, PROTO_HDR_LEN, &r);
	if (n >= 0)
		hacrypt_peer_said(rx_unit, &r);
	return n;
}

/*
 * Two units change from keys "from" to "to", a after b, exchanging a
 * frame each way between every step: not one frame is refused, and both
 * end sealing with the new keys, the old ones forgotten.
 */
static void change_over(int from, int to)
{
	struct hacrypt a, b;
	uint8_t id;

	unit_on(&a, from);
	unit_on(&b, from);
	CU_ASSERT_TRUE(hacrypt_rekey(&a, &ctx[to].cur));
	CU_ASSERT_TRUE(a.changing);
	for (int i = 0; i < 3; i++) {
		/* b has not changed: a goes on sealing with the old keys. */
		CU_ASSERT(frame_to(&a, &b, &id) >= 0);
		CU_ASSERT_EQUAL(id, ctx[from].cur.id);
		CU_ASSERT(frame_to(&b, &a, &id) >= 0);
	}
	CU_ASSERT_TRUE(hacrypt_rekey(&b, &ctx[to].cur));
	for (int i = 0; i < 3; i++) {
		CU_ASSERT(frame_to(&a, &b, &id) >= 0);
		CU_ASSERT(frame_to(&b, &a, &id) >= 0);
	}
	CU_ASSERT_FALSE(a.changing);
	CU_ASSERT_FALSE(b.changing);
	CU_ASSERT_EQUAL(hacrypt_sending(&a)->id, ctx[to].cur.id);
	CU_ASSERT_EQUAL(hacrypt_sending(&b)->id, ctx[to].cur.id);
	/* The old keys are gone: a frame sealed with them is refused. */
	unit_on(&b, from);
	CU_ASSERT(frame_to(&b, &a, &id) < 0);
}

static void test_enable_auth(void)
{
	change_over(C_NONE, C_AUTH);
}

static void test_rotate_auth(void)
{
	change_over(C_AUTH, C_AUTH_BAD);
}

static void test_enable_encryption(void)
{
	change_over(C_AUTH, C_BOTH);
}

static void test_disable_auth(void)
{
	change_over(C_AUTH, C_NONE);
}

/* A second change before the peer took the first: the peer's keys stay. */
static void test_change_twice(void)
{
	struct hacrypt a, b;
	uint8_t id;

	unit_on(&a, C_AUTH);
	unit_on(&b, C_AUTH);
	hacrypt_rekey(&a, &ctx[C_AUTH_BAD].cur);
	CU_ASSERT(frame_to(&b, &a, &id) >= 0);
	hacrypt_rekey(&a, &ctx[C_BOTH].cur);
	CU_ASSERT(frame_to(&a, &b, &id) >= 0);
	CU_ASSERT_EQUAL(id, ctx[C_AUTH].cur.id);
	/* The same keys again change nothing. */
	CU_ASSERT_FALSE(hacrypt_rekey(&a, &ctx[C_BOTH].cur));
	/* Only one unit changed: nothing is refused, and it never ends. */
	for (int i = 0; i < 3; i++) {
		CU_ASSERT(frame_to(&a, &b, &id) >= 0);
		CU_ASSERT(frame_to(&b, &a, &id) >= 0);
	}
	CU_ASSERT_TRUE(a.changing);
	CU_ASSERT_EQUAL(hacrypt_overhead(&a), 72);	/* the larger */
}

static void test_mode_mismatch(void)
{
	struct proto_hb hb;

	CU_ASSERT_EQUAL(seal_open(C_NONE, C_AUTH, &hb), -EPROTO);
	CU_ASSERT_EQUAL(seal_open(C_AUTH, C_NONE, &hb), -EPROTO);
	CU_ASSERT_EQUAL(seal_open(C_AUTH, C_ENC, &hb), -EPROTO);
	CU_ASSERT_EQUAL(seal_open(C_ENC, C_BOTH, &hb), -EPROTO);
	CU_ASSERT_EQUAL(seal_open(C_BOTH, C_AUTH, &hb), -EPROTO);
}

static void test_truncated_and_no_room(void)
{
	uint8_t buf[512];
	int n = make_frame(buf, sizeof(buf)), m;

	CU_ASSERT_EQUAL(hacrypt_seal(&ctx[C_BOTH], buf, PROTO_HDR_LEN,
				     n - PROTO_HDR_LEN, n + 71), -ENOSPC);
	m = hacrypt_seal(&ctx[C_BOTH], buf, PROTO_HDR_LEN, n - PROTO_HDR_LEN,
			 sizeof(buf));
	CU_ASSERT_EQUAL(m, n + 72);
	CU_ASSERT_EQUAL(hacrypt_open(&ctx[C_BOTH], buf, PROTO_HDR_LEN + 71,
				     PROTO_HDR_LEN, &rx), -EBADMSG);
	CU_ASSERT_EQUAL(hacrypt_open(&ctx[C_BOTH], buf, m - 1, PROTO_HDR_LEN, &rx),
			-EBADMSG);
	CU_ASSERT_EQUAL(hacrypt_open(&ctx[C_BOTH], buf, 10, PROTO_HDR_LEN, &rx),
			-EBADMSG);
}

static void test_empty_body(void)
{
	uint8_t buf[128];
	struct proto_msg m = { .kind = PROTO_REQ_COLDSTART };
	int n = proto_encode_msg(buf, sizeof(buf), &hdr, PROTO_T_REQUEST, &m);

	n = hacrypt_seal(&ctx[C_BOTH], buf, PROTO_HDR_LEN, n - PROTO_HDR_LEN,
			 sizeof(buf));
	CU_ASSERT_EQUAL(hacrypt_open(&ctx[C_BOTH], buf, n, PROTO_HDR_LEN, &rx),
			PROTO_MSG_FIXED_LEN);
	/* Zero-length body too. */
	n = hacrypt_seal(&ctx[C_ENC], buf, PROTO_HDR_LEN, 0, sizeof(buf));
	CU_ASSERT_EQUAL(hacrypt_open(&ctx[C_ENC], buf, n, PROTO_HDR_LEN, &rx), 0);
}

TEST_SUITE(hacrypt, derive_all, clear_all,
	   TEST(test_round_trips),
	   TEST(test_overhead_and_layout),
	   TEST(test_nonces_differ),
	   TEST(test_tampered_auth),
	   TEST(test_tampered_enc),
	   TEST(test_tampered_both),
	   TEST(test_wrong_password),
	   TEST(test_forged_with_our_key_id),
	   TEST(test_key_ids),
	   TEST(test_enable_auth),
	   TEST(test_rotate_auth),
	   TEST(test_enable_encryption),
	   TEST(test_disable_auth),
	   TEST(test_change_twice),
	   TEST(test_mode_mismatch),
	   TEST(test_truncated_and_no_room),
	   TEST(test_empty_body))
