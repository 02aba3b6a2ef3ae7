// SPDX-License-Identifier: GPL-2.0-only
/*
 * Routes for route sync: the record codec (round trips, the documented
 * layout, what is refused), a multipath route put back together from its
 * records, the tables, the copy's metric and protocol, which routes are
 * synced, and ScreenOS's marks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <CUnit/CUnit.h>

#include "route.h"
#include "../harness.h"

static void addr(uint8_t family, const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	CU_ASSERT_EQUAL_FATAL(inet_pton(family == 4 ? AF_INET : AF_INET6, s,
					out), 1);
}

/* family 4/6, "prefix", len, protocol, metric; one gateway on dev. */
static struct route mk(uint8_t family, const char *dst, uint8_t len,
		       uint8_t protocol, uint32_t metric, const char *gw,
		       const char *dev)
{
	struct route r;

	memset(&r, 0, sizeof(r));
	r.k.family = family;
	r.k.dst_len = len;
	r.k.table = ROUTE_TABLE_MAIN;
	r.k.metric = metric;
	addr(family, dst, r.k.dst);
	r.type = RTN_UNICAST;
	r.protocol = protocol;
	r.n_nh = 1;
	strcpy(r.nh[0].ifname, dev);
	if (gw) {
		r.nh[0].gw_family = strchr(gw, ':') ? 6 : 4;
		addr(r.nh[0].gw_family, gw, r.nh[0].gw);
	}
	return r;
}

static void add_nh(struct route *r, const char *gw, const char *dev,
		   uint8_t hops)
{
	struct route_nh *nh = &r->nh[r->n_nh++];

	memset(nh, 0, sizeof(*nh));
	strcpy(nh->ifname, dev);
	nh->gw_family = strchr(gw, ':') ? 6 : 4;
	nh->hops = hops;
	addr(nh->gw_family, gw, nh->gw);
}

/* Every record of r, through the wire and the assembler, gives r back. */
static void round_trip(const struct route *r)
{
	struct route_asm a = { 0 };
	const struct route *out = NULL;
	unsigned int n = route_rec_count(r);

	for (unsigned int i = 0; i < n; i++) {
		uint8_t wire[ROUTE_REC_LEN];
		struct route_rec in, back;

		route_rec_of(&in, ROUTE_OP_ADD, r, i);
		route_rec_put(wire, &in);
		CU_ASSERT_EQUAL_FATAL(route_rec_get(wire, &back), 0);
		CU_ASSERT_EQUAL(back.op, ROUTE_OP_ADD);
		CU_ASSERT_EQUAL(route_asm_add(&a, &back, &out), i + 1 == n);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_TRUE(route_equal(out, r));
}

static void test_round_trips(void)
{
	struct route v4 = mk(4, "203.0.113.128", 25, RTPROT_BGP, 20,
			     "198.51.100.20", "wan0");
	struct route v6 = mk(6, "2001:db8:ff::", 64, RTPROT_OSPF, 20,
			     "fe80::ff:fe30:200", "wan0");
	struct route ecmp = mk(4, "0.0.0.0", 0, RTPROT_BGP, 20,
			       "198.51.100.20", "wan0");
	struct route dev = mk(4, "192.0.2.128", 26, RTPROT_STATIC, 0, NULL,
			      "lan0.100");
	struct route bh = mk(6, "2001:db8::", 32, RTPROT_BGP, 1024, NULL, "");
	struct route via6 = mk(4, "203.0.113.0", 24, RTPROT_BGP, 20,
			       "fe80::1", "wan0");

	add_nh(&ecmp, "198.51.100.21", "wan0", 1);
	add_nh(&ecmp, "198.51.100.22", "wan1", 2);
	v6.nh[0].flags = ROUTE_NH_F_ONLINK;
	bh.type = RTN_BLACKHOLE;
	bh.n_nh = 0;
	round_trip(&v4);
	round_trip(&v6);
	round_trip(&ecmp);
	round_trip(&dev);
	round_trip(&bh);
	round_trip(&via6);
}

/* The layout is the documented one, byte for byte. */
static void test_wire_layout(void)
{
	struct route r = mk(4, "203.0.113.128", 25, RTPROT_BGP, 0x01020304,
			    "198.51.100.20", "wan0");
	uint8_t w[ROUTE_REC_LEN];
	struct route_rec rec;

	add_nh(&r, "198.51.100.21", "wan1", 7);
	r.k.tos = 0x10;
	route_rec_of(&rec, ROUTE_OP_ADD, &r, 1);
	memset(w, 0xee, sizeof(w));
	route_rec_put(w, &rec);
	CU_ASSERT_EQUAL(w[0], ROUTE_OP_ADD);
	CU_ASSERT_EQUAL(w[1], 4);
	CU_ASSERT_EQUAL(w[2], 25);
	CU_ASSERT_EQUAL(w[3], 0x10);
	CU_ASSERT_EQUAL(w[4], RTN_UNICAST);
	CU_ASSERT_EQUAL(w[5], RTPROT_BGP);
	CU_ASSERT_EQUAL(w[6], 1);
	CU_ASSERT_EQUAL(w[7], 2);
	CU_ASSERT_EQUAL(memcmp(w + 8, "\0\0\0\xfe", 4), 0);
	CU_ASSERT_EQUAL(memcmp(w + 12, "\x01\x02\x03\x04", 4), 0);
	CU_ASSERT_EQUAL(memcmp(w + 16, "\xcb\x00\x71\x80", 4), 0);
	CU_ASSERT_EQUAL(w[20], 0);
	CU_ASSERT_EQUAL(w[32], 4);
	CU_ASSERT_EQUAL(w[33], 0);
	CU_ASSERT_EQUAL(w[34], 7);
	CU_ASSERT_EQUAL(w[35], 0);
	CU_ASSERT_EQUAL(memcmp(w + 36, "wan1\0\0\0\0\0\0\0\0\0\0\0\0", 16), 0);
	CU_ASSERT_EQUAL(memcmp(w + 52, "\xc6\x33\x64\x15", 4), 0);
	CU_ASSERT_EQUAL(w[56], 0);
	CU_ASSERT_EQUAL(w[71], 0);

	/* A withdrawal carries the key alone, a marker nothing. */
	route_rec_of(&rec, ROUTE_OP_DEL, &r, 0);
	route_rec_put(w, &rec);
	CU_ASSERT_EQUAL(w[0], ROUTE_OP_DEL);
	CU_ASSERT_EQUAL(w[4] | w[5] | w[6] | w[7] | w[32] | w[36], 0);
	CU_ASSERT_EQUAL(memcmp(w + 12, "\x01\x02\x03\x04", 4), 0);
	rec = (struct route_rec){ .op = ROUTE_OP_END };
	route_rec_put(w, &rec);
	CU_ASSERT_EQUAL(w[0], ROUTE_OP_END);
	for (unsigned int i = 1; i < ROUTE_REC_LEN; i++)
		CU_ASSERT_EQUAL(w[i], 0);
}

/* A good record with byte i set to v must be refused. */
static void refused(const uint8_t good[ROUTE_REC_LEN], unsigned int i,
		    uint8_t v, const char *what)
{
	uint8_t w[ROUTE_REC_LEN];
	struct route_rec rec;

	memcpy(w, good, ROUTE_REC_LEN);
	w[i] = v;
	CU_assertImplementation(route_rec_get(w, &rec) == -EINVAL, __LINE__,
				what, __FILE__, "", CU_FALSE);
}

static void test_refusals(void)
{
	struct route r = mk(4, "203.0.113.128", 25, RTPROT_BGP, 20,
			    "198.51.100.20", "wan0");
	uint8_t good[ROUTE_REC_LEN], w[ROUTE_REC_LEN];
	struct route_rec rec;

	route_rec_of(&rec, ROUTE_OP_ADD, &r, 0);
	route_rec_put(good, &rec);
	CU_ASSERT_EQUAL_FATAL(route_rec_get(good, &rec), 0);
	refused(good, 0, 0, "op 0");
	refused(good, 0, 9, "an unknown op");
	refused(good, 1, 5, "family 5");
	refused(good, 2, 33, "an IPv4 prefix of 33 bits");
	refused(good, 2, 24, "host bits past the prefix (/24 of .128)");
	refused(good, 20, 1, "IPv4 with bytes past its address");
	refused(good, 4, RTN_LOCAL, "a local route");
	refused(good, 5, ROUTE_PROTO_NSRPD, "a copy sent on as a route");
	refused(good, 6, 1, "next hop 1 of 1");
	refused(good, 7, ROUTE_NH_MAX + 1, "too many next hops");
	refused(good, 7, 0, "a unicast route with no next hop");
	refused(good, 32, 5, "gateway family 5");
	refused(good, 33, 0x80, "an unknown next-hop flag");
	refused(good, 35, 1, "the reserved byte after hops");
	refused(good, 36, 0, "an empty device name");
	refused(good, 51, 'x', "a device name of 16 characters");
	refused(good, 41, 'x', "bytes after the device name's end");
	refused(good, 56, 1, "bytes past the IPv4 gateway");
	refused(good, 70, 1, "the reserved tail");

	/* An IPv6 route has no IPv4 gateway. */
	r = mk(6, "2001:db8:ff::", 64, RTPROT_BGP, 20, "fe80::1", "wan0");
	route_rec_of(&rec, ROUTE_OP_ADD, &r, 0);
	route_rec_put(w, &rec);
	CU_ASSERT_EQUAL(route_rec_get(w, &rec), 0);
	refused(w, 32, 4, "an IPv6 route via IPv4");

	/* A blackhole goes nowhere: no next hop may be named. */
	r.type = RTN_BLACKHOLE;
	r.n_nh = 0;
	route_rec_of(&rec, ROUTE_OP_ADD, &r, 0);
	route_rec_put(w, &rec);
	CU_ASSERT_EQUAL(route_rec_get(w, &rec), 0);
	refused(w, 36, 'l', "a blackhole with a device");

	/* Markers and withdrawals carry nothing else. */
	rec = (struct route_rec){ .op = ROUTE_OP_BEGIN };
	route_rec_put(w, &rec);
	CU_ASSERT_EQUAL(route_rec_get(w, &rec), 0);
	refused(w, 40, 1, "a marker with content");
	route_rec_of(&rec, ROUTE_OP_DEL, &r, 0);
	route_rec_put(w, &rec);
	CU_ASSERT_EQUAL(route_rec_get(w, &rec), 0);
	refused(w, 5, RTPROT_BGP, "a withdrawal with a protocol");
}

/* Records that do not continue the route being gathered drop it. */
static void test_assembly_out_of_order(void)
{
	struct route r = mk(4, "0.0.0.0", 0, RTPROT_BGP, 20, "198.51.100.20",
			    "wan0");
	struct route other = mk(4, "203.0.113.128", 25, RTPROT_BGP, 20,
				"198.51.100.20", "wan0");
	struct route_rec rec[3], o;
	struct route_asm a = { 0 };
	const struct route *out = NULL;

	add_nh(&r, "198.51.100.21", "wan0", 0);
	add_nh(&r, "198.51.100.22", "wan0", 0);
	for (unsigned int i = 0; i < 3; i++)
		route_rec_of(&rec[i], ROUTE_OP_ADD, &r, i);
	route_rec_of(&o, ROUTE_OP_ADD, &other, 0);

	/* A hop missing: the third does not follow the first. */
	CU_ASSERT_EQUAL(route_asm_add(&a, &rec[0], &out), 0);
	CU_ASSERT_EQUAL(route_asm_add(&a, &rec[2], &out), -EINVAL);
	/* Nothing gathered now: hop 1 alone is refused too. */
	CU_ASSERT_EQUAL(route_asm_add(&a, &rec[1], &out), -EINVAL);
	/* Another route's first record starts over, and is whole. */
	CU_ASSERT_EQUAL(route_asm_add(&a, &rec[0], &out), 0);
	CU_ASSERT_EQUAL(route_asm_add(&a, &o, &out), 1);
	CU_ASSERT_TRUE(route_equal(out, &other));
	/* A hop of another key does not continue this one. */
	CU_ASSERT_EQUAL(route_asm_add(&a, &rec[0], &out), 0);
	o = rec[1];
	o.k.metric = 21;
	CU_ASSERT_EQUAL(route_asm_add(&a, &o, &out), -EINVAL);
	/* Then in order, whole. */
	for (unsigned int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(route_asm_add(&a, &rec[i], &out), i == 2);
	CU_ASSERT_TRUE(route_equal(out, &r));
}

static void test_table(void)
{
	struct route_table t;
	struct route a = mk(4, "203.0.113.128", 25, RTPROT_BGP, 20,
			    "198.51.100.20", "wan0");
	struct route b = a, c = mk(6, "2001:db8:ff::", 64, RTPROT_BGP, 20,
				   "fe80::1", "wan0");
	struct route_ent *e;
	bool changed;

	CU_ASSERT_EQUAL_FATAL(route_table_init(&t), 0);
	b.k.metric = 30;	/* the same prefix, another route */
	CU_ASSERT_PTR_NOT_NULL(route_table_put(&t, &a, &changed));
	CU_ASSERT_TRUE(changed);
	CU_ASSERT_PTR_NOT_NULL(route_table_put(&t, &b, &changed));
	CU_ASSERT_TRUE(changed);
	CU_ASSERT_PTR_NOT_NULL(route_table_put(&t, &a, &changed));
	CU_ASSERT_FALSE(changed);
	CU_ASSERT_EQUAL(t.n, 2);
	a.nh[0].gw[3] = 21;	/* a new gateway: changed */
	e = route_table_put(&t, &a, &changed);
	CU_ASSERT_TRUE(changed);
	CU_ASSERT_EQUAL(t.n, 2);
	CU_ASSERT_PTR_EQUAL(route_table_find(&t, &a.k), e);
	CU_ASSERT_TRUE(route_table_has_prefix(&t, &c.k) == false);
	route_table_del(&t, e);
	CU_ASSERT_PTR_NULL(route_table_find(&t, &a.k));
	/* b is left: the prefix is still routed. */
	CU_ASSERT_TRUE(route_table_has_prefix(&t, &a.k));
	CU_ASSERT_EQUAL(t.n, 1);
	route_table_free(&t);
}

static void test_table_full(void)
{
	struct route_table t;
	struct route r = mk(6, "2001:db8::", 64, RTPROT_BGP, 20, "fe80::1",
			    "wan0");
	bool changed;
	unsigned int i;

	CU_ASSERT_EQUAL_FATAL(route_table_init(&t), 0);
	for (i = 0; i < ROUTE_TABLE_MAX; i++) {
		r.k.dst[4] = i >> 8;
		r.k.dst[5] = i;
		if (!route_table_put(&t, &r, &changed))
			break;
	}
	CU_ASSERT_EQUAL(i, ROUTE_TABLE_MAX);
	r.k.dst[3] = 1;
	CU_ASSERT_PTR_NULL(route_table_put(&t, &r, &changed));
	CU_ASSERT_EQUAL(t.n, ROUTE_TABLE_MAX);
	route_table_free(&t);
}

/* The copy ranks behind the unit's own: distance 254, the master's metric. */
static void test_copy(void)
{
	struct route r = mk(4, "203.0.113.128", 25, RTPROT_BGP, 20,
			    "198.51.100.20", "wan0"), copy;

	route_copy_of(&copy, &r);
	CU_ASSERT_EQUAL(copy.protocol, ROUTE_PROTO_NSRPD);
	CU_ASSERT_EQUAL(copy.k.metric, 254u << 24 | 20);
	CU_ASSERT_EQUAL(copy.nh[0].flags, ROUTE_NH_F_ONLINK);
	CU_ASSERT_TRUE(route_same_prefix(&copy.k, &r.k));
	CU_ASSERT_EQUAL(route_copy_metric(0), 254u << 24);
	CU_ASSERT_EQUAL(route_copy_metric(1024), 254u << 24 | 1024);
	/* Beyond 24 bits the order is kept as far as it can be. */
	CU_ASSERT_EQUAL(route_copy_metric(0xffffffff), 0xfeffffffu);
	CU_ASSERT_TRUE(route_copy_metric(0x01000000) > route_copy_metric(20));
	/* A device route gets no on-link flag: it has no gateway. */
	r = mk(4, "192.0.2.128", 26, RTPROT_STATIC, 0, NULL, "lan0");
	route_copy_of(&copy, &r);
	CU_ASSERT_EQUAL(copy.nh[0].flags, 0);
}

static void test_syncable(void)
{
	struct route r = mk(4, "203.0.113.128", 25, RTPROT_BGP, 20,
			    "198.51.100.20", "wan0");

	CU_ASSERT_TRUE(route_syncable(&r, "ha0"));
	CU_ASSERT_TRUE(route_syncable(&r, NULL));
	r.protocol = RTPROT_STATIC;
	CU_ASSERT_TRUE(route_syncable(&r, "ha0"));
	r.protocol = RTPROT_BOOT;
	CU_ASSERT_TRUE(route_syncable(&r, "ha0"));
	/* Each unit has its own of these. */
	r.protocol = RTPROT_KERNEL;
	CU_ASSERT_FALSE(route_syncable(&r, "ha0"));
	r.protocol = RTPROT_REDIRECT;
	CU_ASSERT_FALSE(route_syncable(&r, "ha0"));
	r.protocol = RTPROT_RA;
	CU_ASSERT_FALSE(route_syncable(&r, "ha0"));
	/* A copy is not sent on. */
	r.protocol = ROUTE_PROTO_NSRPD;
	CU_ASSERT_FALSE(route_syncable(&r, "ha0"));
	r.protocol = RTPROT_BGP;
	/* Only the main table. */
	r.k.table = 100;
	CU_ASSERT_FALSE(route_syncable(&r, "ha0"));
	r.k.table = ROUTE_TABLE_MAIN;
	/* Not over the HA link: the peer is at its other end. */
	strcpy(r.nh[0].ifname, "ha0");
	CU_ASSERT_FALSE(route_syncable(&r, "ha0"));
	CU_ASSERT_TRUE(route_syncable(&r, ""));
	r.type = RTN_LOCAL;
	CU_ASSERT_FALSE(route_syncable(&r, ""));
	r.type = RTN_BLACKHOLE;
	r.n_nh = 0;
	CU_ASSERT_TRUE(route_syncable(&r, "ha0"));
}

static void test_marks(void)
{
	char b[8];

	CU_ASSERT_STRING_EQUAL(route_mark(RTPROT_KERNEL, false, b), "C");
	CU_ASSERT_STRING_EQUAL(route_mark(RTPROT_STATIC, false, b), "S");
	CU_ASSERT_STRING_EQUAL(route_mark(RTPROT_BOOT, false, b), "S");
	CU_ASSERT_STRING_EQUAL(route_mark(196, false, b), "S");
	CU_ASSERT_STRING_EQUAL(route_mark(RTPROT_BGP, false, b), "eB");
	CU_ASSERT_STRING_EQUAL(route_mark(RTPROT_OSPF, false, b), "O");
	/* A dynamic route from the peer: a trailing B. */
	CU_ASSERT_STRING_EQUAL(route_mark(RTPROT_BGP, true, b), "eBB");
	CU_ASSERT_STRING_EQUAL(route_mark(RTPROT_OSPF, true, b), "OB");
	CU_ASSERT_STRING_EQUAL(route_mark(RTPROT_RIP, true, b), "RB");
	CU_ASSERT_STRING_EQUAL(route_mark(RTPROT_ISIS, true, b), "ISB");
	/* A static one goes in as a static route. */
	CU_ASSERT_STRING_EQUAL(route_mark(RTPROT_STATIC, true, b), "S");
	CU_ASSERT_STRING_EQUAL(route_mark(196, true, b), "S");
	/* Somebody's daemon we do not know: dynamic. */
	CU_ASSERT_STRING_EQUAL(route_mark(250, true, b), "?B");
	CU_ASSERT_STRING_EQUAL(route_proto_name(RTPROT_BGP), "bgp");
	CU_ASSERT_STRING_EQUAL(route_proto_name(ROUTE_PROTO_NSRPD), "nsrpd");
	CU_ASSERT_PTR_NULL(route_proto_name(250));
}

TEST_SUITE(route, NULL, NULL,
	   TEST(test_round_trips),
	   TEST(test_wire_layout),
	   TEST(test_refusals),
	   TEST(test_assembly_out_of_order),
	   TEST(test_table),
	   TEST(test_table_full),
	   TEST(test_copy),
	   TEST(test_syncable),
	   TEST(test_marks));
