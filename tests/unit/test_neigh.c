// SPDX-License-Identifier: GPL-2.0-only
/* Neighbour records on the wire: a round trip, and what must be refused. */
#include <errno.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "neigh.h"
#include "../harness.h"

static const struct neigh_rec v4 = {
	.ifname = "lan0", .family = 4,
	.mac = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 },
	.addr = { 192, 0, 2, 10 },
};

static const struct neigh_rec v6 = {
	.ifname = "wan0.100", .family = 6,
	.mac = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee },
	.addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 },
};

static void test_round_trip(void)
{
	const struct neigh_rec *in[] = { &v4, &v6 };
	uint8_t wire[NEIGH_REC_LEN];
	struct neigh_rec out;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		memset(&out, 0xa5, sizeof(out));
		neigh_rec_put(wire, in[i]);
		CU_ASSERT_EQUAL_FATAL(neigh_rec_get(wire, &out), 0);
		CU_ASSERT_EQUAL(memcmp(&out, in[i], sizeof(out)), 0);
	}
}

/* The layout is the documented one, byte for byte. */
static void test_wire_layout(void)
{
	uint8_t wire[NEIGH_REC_LEN];

	memset(wire, 0xff, sizeof(wire));
	neigh_rec_put(wire, &v4);
	CU_ASSERT_EQUAL(memcmp(wire, "lan0\0\0\0\0\0\0\0\0\0\0\0\0", 16), 0);
	CU_ASSERT_EQUAL(wire[16], 4);
	CU_ASSERT_EQUAL(wire[17], 0);
	CU_ASSERT_EQUAL(memcmp(wire + 18, v4.mac, 6), 0);
	CU_ASSERT_EQUAL(memcmp(wire + 24, "\xc0\x00\x02\x0a", 4), 0);
	CU_ASSERT_EQUAL(wire[28], 0);
	CU_ASSERT_EQUAL(wire[39], 0);
}

/* Junk past the IPv4 address in the struct does not reach the wire. */
static void test_put_is_canonical(void)
{
	struct neigh_rec r = v4;
	uint8_t a[NEIGH_REC_LEN], b[NEIGH_REC_LEN];

	neigh_rec_put(a, &v4);
	memset(r.addr + 4, 0x77, 12);
	memset(r.ifname + 5, 'x', 10);
	neigh_rec_put(b, &r);
	CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
}

static void expect_refused(void (*spoil)(uint8_t *))
{
	uint8_t wire[NEIGH_REC_LEN];
	struct neigh_rec out;

	neigh_rec_put(wire, &v4);
	spoil(wire);
	CU_ASSERT_EQUAL(neigh_rec_get(wire, &out), -EINVAL);
}

static void bad_family0(uint8_t *w) { w[16] = 0; }
static void bad_family5(uint8_t *w) { w[16] = 5; }
static void bad_family_af(uint8_t *w) { w[16] = 2; /* AF_INET */ }
static void unterminated(uint8_t *w) { memset(w, 'e', 16); }
static void empty_name(uint8_t *w) { memset(w, 0, 16); }
static void junk_after_nul(uint8_t *w) { w[10] = 'x'; }
static void reserved_set(uint8_t *w) { w[17] = 1; }
static void v4_tail_set(uint8_t *w) { w[39] = 1; }

static void test_rejects_bad_records(void)
{
	expect_refused(bad_family0);
	expect_refused(bad_family5);
	expect_refused(bad_family_af);
	expect_refused(unterminated);
	expect_refused(empty_name);
	expect_refused(junk_after_nul);
	expect_refused(reserved_set);
	expect_refused(v4_tail_set);
}

/* A 15-character name is the longest there is, and it fits. */
static void test_longest_name(void)
{
	struct neigh_rec r = v6, out;
	uint8_t wire[NEIGH_REC_LEN];

	strcpy(r.ifname, "abcdefghijklmno");
	neigh_rec_put(wire, &r);
	CU_ASSERT_EQUAL_FATAL(neigh_rec_get(wire, &out), 0);
	CU_ASSERT_STRING_EQUAL(out.ifname, "abcdefghijklmno");
}

TEST_SUITE(neigh, NULL, NULL,
	   TEST(test_round_trip),
	   TEST(test_wire_layout),
	   TEST(test_put_is_canonical),
	   TEST(test_rejects_bad_records),
	   TEST(test_longest_name))
