// SPDX-License-Identifier: GPL-2.0-only
/*
 * Route sync's rules, driven through a fake kernel and a fake stream: what
 * a master sends (its whole table between BEGIN and END, then each
 * change, nothing once it steps down), what a backup installs and
 * withdraws, what stays at takeover and for how long, what gives way to
 * the unit's own routes, and what goes when the unit becomes backup.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <CUnit/CUnit.h>

#include "routesync.h"
#include "../harness.h"

#define S	1000000000ull
#define KMAX	64
#define PMAX	256

/* The kernel's copies and the stream's records, as the fakes saw them. */
struct fake {
	struct route kernel[KMAX];
	unsigned int n_kernel;
	unsigned int installs, removes;
	int install_err;		/* what install returns */
	uint8_t pushed[PMAX][ROUTE_REC_LEN];
	unsigned int n_pushed;
	int push_err;			/* what push returns */
	unsigned int room;
};

static struct fake fk;
static struct nsrp_config cfg;
static struct routesync rs;

static int fk_find(const struct route *r)
{
	for (unsigned int i = 0; i < fk.n_kernel; i++)
		if (route_key_equal(&fk.kernel[i].k, &r->k) &&
		    fk.kernel[i].protocol == r->protocol)
			return i;
	return -1;
}

static int fk_install(void *arg, const struct route *r)
{
	int i = fk_find(r);

	(void)arg;
	fk.installs++;
	if (fk.install_err)
		return fk.install_err;
	if (i < 0) {
		CU_ASSERT_FATAL(fk.n_kernel < KMAX);
		i = fk.n_kernel++;
	}
	fk.kernel[i] = *r;
	return 0;
}

static int fk_remove(void *arg, const struct route *r)
{
	int i = fk_find(r);

	(void)arg;
	fk.removes++;
	if (i >= 0)
		fk.kernel[i] = fk.kernel[--fk.n_kernel];
	return 0;
}

static int fk_push(void *arg, const uint8_t rec[ROUTE_REC_LEN])
{
	(void)arg;
	if (fk.push_err)
		return fk.push_err;
	CU_ASSERT_FATAL(fk.n_pushed < PMAX);
	memcpy(fk.pushed[fk.n_pushed++], rec, ROUTE_REC_LEN);
	return 0;
}

static unsigned int fk_room(void *arg)
{
	(void)arg;
	return fk.room;
}

static const struct routesync_ops fk_ops = {
	.install = fk_install, .remove = fk_remove,
	.push = fk_push, .room = fk_room,
};

static void setup(bool on)
{
	memset(&fk, 0, sizeof(fk));
	fk.room = 4096;
	config_init(&cfg);
	cfg.rto_mirror_sync = true;
	cfg.rto_mirror_route = on;
	cfg.rto_route_hold_s = 60;
	strcpy(cfg.ha_if, "ha0");
	CU_ASSERT_EQUAL_FATAL(routesync_init(&rs, &cfg, &fk_ops), 0);
	routesync_tick(&rs, 1 * S);	/* takes the configuration in */
}

static void teardown(void)
{
	routesync_fini(&rs);
}

static struct route mk(const char *dst, uint8_t len, uint8_t protocol,
		       const char *gw)
{
	struct route r;

	memset(&r, 0, sizeof(r));
	r.k.family = strchr(dst, ':') ? 6 : 4;
	r.k.dst_len = len;
	r.k.table = ROUTE_TABLE_MAIN;
	r.k.metric = 20;
	inet_pton(r.k.family == 4 ? AF_INET : AF_INET6, dst, r.k.dst);
	r.type = RTN_UNICAST;
	r.protocol = protocol;
	r.n_nh = 1;
	strcpy(r.nh[0].ifname, "wan0");
	r.nh[0].gw_family = strchr(gw, ':') ? 6 : 4;
	inet_pton(r.nh[0].gw_family == 4 ? AF_INET : AF_INET6, gw,
		  r.nh[0].gw);
	return r;
}

/* The peer's stream, record by record. */
static void peer_marker(uint8_t op, uint64_t now)
{
	struct route_rec rec = { .op = op };
	uint8_t w[ROUTE_REC_LEN];

	route_rec_put(w, &rec);
	routesync_apply(&rs, w, now);
}

static void peer_route(uint8_t op, const struct route *r, uint64_t now)
{
	unsigned int n = op == ROUTE_OP_ADD ? route_rec_count(r) : 1;
	struct route_rec rec;
	uint8_t w[ROUTE_REC_LEN];

	for (unsigned int i = 0; i < n; i++) {
		route_rec_of(&rec, op, r, i);
		route_rec_put(w, &rec);
		routesync_apply(&rs, w, now);
	}
}

/* A bulk from the peer, all at now: its start, routes (to NULL), its end. */
static void peer_bulk(uint64_t now, const struct route *const *r)
{
	peer_marker(ROUTE_OP_BEGIN, now);
	for (; *r; r++)
		peer_route(ROUTE_OP_ADD, *r, now);
	peer_marker(ROUTE_OP_END, now);
}

/* The unit's own routes, as a dump shows them. */
static void scan(const struct route *r, unsigned int n, uint64_t now)
{
	routesync_scan_begin(&rs);
	for (unsigned int i = 0; i < n; i++)
		routesync_scan_route(&rs, &r[i]);
	routesync_scan_end(&rs, now);
}

/* Does the kernel hold the copy of r? */
static bool has_copy(const struct route *r)
{
	struct route c;
	int i;

	route_copy_of(&c, r);
	i = fk_find(&c);
	return i >= 0 && route_equal(&fk.kernel[i], &c);
}

/* The ops of the records pushed since from, as a string: "BAAED". */
static const char *pushed_ops(unsigned int from, char *buf)
{
	static const char op[] = "?ADBES";
	unsigned int j = 0;

	for (unsigned int i = from; i < fk.n_pushed && j < 63; i++)
		buf[j++] = op[fk.pushed[i][0] < 6 ? fk.pushed[i][0] : 0];
	buf[j] = '\0';
	return buf;
}

/* ----------------------------------------------------------- backup */

static void test_backup_installs_and_withdraws(void)
{
	struct route a = mk("203.0.113.128", 25, RTPROT_BGP, "198.51.100.20");
	struct route b = mk("2001:db8:ff::", 64, RTPROT_OSPF, "fe80::1");
	struct route c = mk("192.0.2.128", 26, RTPROT_STATIC, "192.0.2.10");
	struct route ecmp = mk("0.0.0.0", 0, RTPROT_BGP, "198.51.100.20");
	struct route c2;
	int i;

	setup(true);
	ecmp.n_nh = 3;
	ecmp.nh[1] = ecmp.nh[0];
	ecmp.nh[1].gw[3] = 21;
	ecmp.nh[2] = ecmp.nh[0];
	ecmp.nh[2].gw[3] = 22;
	peer_bulk(2 * S, (const struct route *[]){ &a, &b, &c, &ecmp, NULL });
	CU_ASSERT_EQUAL(fk.n_kernel, 4);
	CU_ASSERT_TRUE(has_copy(&a));
	CU_ASSERT_TRUE(has_copy(&b));
	CU_ASSERT_TRUE(has_copy(&c));
	CU_ASSERT_TRUE(has_copy(&ecmp));
	/* Each copy is nsrpd's, behind the unit's own, on-link. */
	i = fk_find(&(struct route){ .k = a.k, .protocol = ROUTE_PROTO_NSRPD });
	CU_ASSERT_EQUAL(i, -1);	/* not under the master's metric */
	route_copy_of(&c2, &ecmp);
	i = fk_find(&c2);
	CU_ASSERT_FATAL(i >= 0);
	CU_ASSERT_EQUAL(fk.kernel[i].protocol, ROUTE_PROTO_NSRPD);
	CU_ASSERT_EQUAL(fk.kernel[i].k.metric, 254u << 24 | 20);
	CU_ASSERT_EQUAL(fk.kernel[i].n_nh, 3);
	CU_ASSERT_EQUAL(fk.kernel[i].nh[2].flags, ROUTE_NH_F_ONLINK);
	CU_ASSERT_EQUAL(rs.copies.n, 4);
	CU_ASSERT_TRUE(rs.peer_streams);

	/*
	 * A change replaces the copy; a withdrawal removes it once the
	 * peer is known not to be dying: 2 x 1000 ms x 3 later.
	 */
	a.nh[0].gw[3] = 30;
	peer_route(ROUTE_OP_ADD, &a, 3 * S);
	CU_ASSERT_TRUE(has_copy(&a));
	CU_ASSERT_EQUAL(fk.n_kernel, 4);
	peer_route(ROUTE_OP_DEL, &b, 3 * S);
	CU_ASSERT_TRUE(has_copy(&b));
	CU_ASSERT_EQUAL(rs.withdraw_due_ns, 9 * S);
	routesync_tick(&rs, 9 * S - 1);
	CU_ASSERT_TRUE(has_copy(&b));
	routesync_scan_begin(&rs);	/* no scan due: the withdrawal is next */
	CU_ASSERT_EQUAL(routesync_next_deadline(&rs, 9 * S - 1), 9 * S);
	routesync_scan_end(&rs, 9 * S - 1);
	routesync_tick(&rs, 9 * S);
	CU_ASSERT_FALSE(has_copy(&b));
	CU_ASSERT_EQUAL(fk.n_kernel, 3);
	CU_ASSERT_EQUAL(rs.withdrawn, 1);

	/* The peer's stream starts over: what it does not send again goes. */
	peer_bulk(10 * S, (const struct route *[]){ &a, &ecmp, NULL });
	CU_ASSERT_EQUAL(fk.n_kernel, 3);
	routesync_tick(&rs, 16 * S);
	CU_ASSERT_EQUAL(fk.n_kernel, 2);
	CU_ASSERT_FALSE(has_copy(&c));
	CU_ASSERT_TRUE(has_copy(&a));
	/* A backup keeps the peer's copies beside its own routes. */
	scan(&(struct route){ 0 }, 0, 5 * S);
	scan(&c, 1, 5 * S);
	peer_route(ROUTE_OP_ADD, &c, 5 * S);
	CU_ASSERT_TRUE(has_copy(&c));
	CU_ASSERT_EQUAL(rs.superseded, 0);
	teardown();
}

/*
 * A master going down loses routes on its way (its links go, its routing
 * daemon withdraws): what it says just before it stops or is lost is not
 * applied, and the unit that takes over keeps the routes it needs.
 */
static void test_dying_masters_withdrawals_dropped(void)
{
	struct route a = mk("203.0.113.128", 25, RTPROT_BGP, "198.51.100.20");
	struct route b = mk("2001:db8:ff::", 64, RTPROT_BGP, "fe80::1");

	setup(true);
	peer_bulk(2 * S, (const struct route *[]){ &a, &b, NULL });
	peer_route(ROUTE_OP_DEL, &a, 3 * S);
	routesync_peer_lost(&rs, 4 * S);
	routesync_takeover(&rs, 0, 4 * S);
	routesync_tick(&rs, 20 * S);
	CU_ASSERT_TRUE(has_copy(&a));
	CU_ASSERT_EQUAL(rs.withdrawals_dropped, 1);
	CU_ASSERT_EQUAL(rs.withdrawn, 0);

	/* Nor when it steps down in order (STOP), nor at a takeover. */
	peer_bulk(30 * S, (const struct route *[]){ &a, &b, NULL });
	routesync_released(&rs, 0, 30 * S);
	peer_route(ROUTE_OP_DEL, &b, 31 * S);
	peer_marker(ROUTE_OP_STOP, 32 * S);
	routesync_tick(&rs, 40 * S);
	CU_ASSERT_TRUE(has_copy(&b));
	peer_marker(ROUTE_OP_BEGIN, 50 * S);
	peer_marker(ROUTE_OP_END, 50 * S);	/* a and b not sent again */
	routesync_takeover(&rs, 0, 51 * S);
	routesync_tick(&rs, 60 * S);
	CU_ASSERT_TRUE(has_copy(&a) && has_copy(&b));
	CU_ASSERT_EQUAL(rs.withdrawals_dropped, 4);
	teardown();
}

static void test_off_takes_nothing(void)
{
	struct route a = mk("203.0.113.128", 25, RTPROT_BGP, "198.51.100.20");

	setup(false);
	peer_bulk(2 * S, (const struct route *[]){ &a, NULL });
	CU_ASSERT_EQUAL(fk.installs, 0);
	CU_ASSERT_EQUAL(rs.copies.n, 0);
	teardown();
}

static void test_bad_records_counted(void)
{
	uint8_t w[ROUTE_REC_LEN] = { ROUTE_OP_ADD, 7 };

	setup(true);
	routesync_apply(&rs, w, 2 * S);
	CU_ASSERT_EQUAL(rs.bad_records, 1);
	CU_ASSERT_EQUAL(fk.installs, 0);
	teardown();
}

/* ------------------------------------------------- takeover, roles */

static void test_takeover_keeps_until_own_or_hold(void)
{
	struct route a = mk("203.0.113.128", 25, RTPROT_BGP, "198.51.100.20");
	struct route b = mk("2001:db8:ff::", 64, RTPROT_BGP, "fe80::1");
	struct route own_a = a;

	setup(true);
	peer_bulk(2 * S, (const struct route *[]){ &a, &b, NULL });

	/* The master is lost; this unit takes over: the copies stay. */
	routesync_peer_lost(&rs, 10 * S);
	routesync_takeover(&rs, 0, 10 * S);
	routesync_tick(&rs, 11 * S);
	CU_ASSERT_TRUE(has_copy(&a));
	CU_ASSERT_TRUE(has_copy(&b));
	CU_ASSERT_EQUAL(rs.orphan_until_ns, 70 * S);
	CU_ASSERT_EQUAL(routesync_next_deadline(&rs, 11 * S) <= 70 * S, true);

	/* Its routing daemon learns a's prefix (another metric, even). */
	own_a.k.metric = 20;
	own_a.protocol = RTPROT_BGP;
	scan(&own_a, 1, 20 * S);
	CU_ASSERT_FALSE(has_copy(&a));
	CU_ASSERT_TRUE(has_copy(&b));
	CU_ASSERT_EQUAL(rs.superseded, 1);

	/* b is never learned: it goes when the hold-time is over. */
	routesync_tick(&rs, 69 * S);
	CU_ASSERT_TRUE(has_copy(&b));
	routesync_tick(&rs, 70 * S);
	CU_ASSERT_FALSE(has_copy(&b));
	CU_ASSERT_EQUAL(rs.expired, 1);
	CU_ASSERT_EQUAL(rs.copies.n, 0);
	CU_ASSERT_EQUAL(rs.orphan_until_ns, 0);
	teardown();
}

/* A route of the unit's own that was there before the takeover. */
static void test_own_route_at_takeover(void)
{
	struct route a = mk("203.0.113.128", 25, RTPROT_BGP, "198.51.100.20");
	struct route own = mk("203.0.113.128", 25, RTPROT_STATIC,
			      "198.51.100.30");

	setup(true);
	scan(&own, 1, 2 * S);
	peer_bulk(2 * S, (const struct route *[]){ &a, NULL });
	CU_ASSERT_TRUE(has_copy(&a));	/* backup: side by side */
	/* The peer steps down in order: it says so, then this unit takes
	 * over. */
	peer_marker(ROUTE_OP_STOP, 5 * S);
	CU_ASSERT_TRUE(has_copy(&a));
	CU_ASSERT_FALSE(rs.peer_streams);
	routesync_takeover(&rs, 0, 5 * S);
	CU_ASSERT_FALSE(has_copy(&a));
	teardown();
}

/* While the peer still streams (it is master too), its copies stay. */
static void test_no_supersede_while_peer_streams(void)
{
	struct route a = mk("203.0.113.128", 25, RTPROT_BGP, "198.51.100.20");
	struct route own = a;

	setup(true);
	peer_marker(ROUTE_OP_BEGIN, 2 * S);
	peer_route(ROUTE_OP_ADD, &a, 2 * S);
	routesync_takeover(&rs, 1, 3 * S);
	scan(&own, 1, 3 * S);
	CU_ASSERT_TRUE(has_copy(&a));
	routesync_tick(&rs, 1000 * S);
	CU_ASSERT_TRUE(has_copy(&a));
	teardown();
}

static void test_master_streams(void)
{
	struct route own[4] = {
		mk("203.0.113.128", 25, RTPROT_BGP, "198.51.100.20"),
		mk("2001:db8:ff::", 64, RTPROT_BGP, "fe80::1"),
		mk("198.51.100.0", 24, RTPROT_KERNEL, "0.0.0.0"),
		mk("203.0.113.0", 25, RTPROT_STATIC, "203.0.113.2"),
	};
	struct route_rec rec;
	char ops[64];
	unsigned int mark;

	strcpy(own[3].nh[0].ifname, "ha0");	/* over the HA link */
	setup(true);
	scan(own, 4, 2 * S);
	CU_ASSERT_EQUAL(fk.n_pushed, 0);	/* backup: sends nothing */
	CU_ASSERT_EQUAL(rs.own_synced, 2);

	routesync_takeover(&rs, 0, 3 * S);
	routesync_tick(&rs, 3 * S);
	/* BEGIN, the two routes it syncs, END. */
	CU_ASSERT_STRING_EQUAL(pushed_ops(0, ops), "BAAE");
	CU_ASSERT_EQUAL(route_rec_get(fk.pushed[1], &rec), 0);
	CU_ASSERT_EQUAL(rec.protocol, RTPROT_BGP);
	CU_ASSERT_EQUAL(rs.bulks, 1);

	/* A new route, a changed one, a withdrawn one. */
	mark = fk.n_pushed;
	own[1].nh[0].gw[15] = 2;
	own[2] = mk("192.0.2.128", 26, RTPROT_STATIC, "192.0.2.10");
	scan(own, 3, 4 * S);	/* own[3] withdrawn; own[2] new */
	CU_ASSERT_STRING_EQUAL(pushed_ops(mark, ops), "AA");
	mark = fk.n_pushed;
	scan(own + 1, 2, 5 * S);	/* own[0] withdrawn */
	CU_ASSERT_STRING_EQUAL(pushed_ops(mark, ops), "D");
	CU_ASSERT_EQUAL(route_rec_get(fk.pushed[mark], &rec), 0);
	CU_ASSERT_TRUE(route_key_equal(&rec.k, &own[0].k));

	/* It steps down: STOP, then nothing. */
	mark = fk.n_pushed;
	routesync_released(&rs, 0, 6 * S);
	CU_ASSERT_STRING_EQUAL(pushed_ops(mark, ops), "S");
	scan(own, 2, 7 * S);
	CU_ASSERT_EQUAL(fk.n_pushed, mark + 1);
	teardown();
}

/* The whole table goes again whenever the stream starts over. */
static void test_bulk_restarts_and_waits_for_room(void)
{
	struct route own[3] = {
		mk("203.0.113.128", 25, RTPROT_BGP, "198.51.100.20"),
		mk("2001:db8:ff::", 64, RTPROT_BGP, "fe80::1"),
		mk("192.0.2.128", 26, RTPROT_STATIC, "192.0.2.10"),
	};
	char ops[64];

	setup(true);
	scan(own, 3, 2 * S);
	/* No room in the stream: the bulk waits, and says it is not done. */
	fk.room = 0;
	routesync_takeover(&rs, 0, 3 * S);
	CU_ASSERT_FALSE(routesync_bulk(&rs));
	CU_ASSERT_STRING_EQUAL(pushed_ops(0, ops), "B");
	fk.room = 4096;
	CU_ASSERT_TRUE(routesync_bulk(&rs));
	CU_ASSERT_STRING_EQUAL(pushed_ops(0, ops), "BAAAE");
	/* The peer joins again: the stream restarts, the table goes again. */
	routesync_restart(&rs);
	CU_ASSERT_TRUE(routesync_bulk(&rs));
	CU_ASSERT_STRING_EQUAL(pushed_ops(5, ops), "BAAAE");
	/* No peer: the bulk ends; the peer gets one when it comes. */
	routesync_restart(&rs);
	fk.push_err = -ENOTCONN;
	CU_ASSERT_TRUE(routesync_bulk(&rs));
	CU_ASSERT_FALSE(rs.bulk);
	teardown();
}

static void test_becoming_backup_drops_the_former_masters(void)
{
	struct route a = mk("203.0.113.128", 25, RTPROT_BGP, "198.51.100.20");
	struct route b = mk("2001:db8:ff::", 64, RTPROT_BGP, "fe80::1");

	setup(true);
	peer_bulk(2 * S, (const struct route *[]){ &a, NULL });
	routesync_peer_lost(&rs, 3 * S);
	routesync_takeover(&rs, 0, 3 * S);
	CU_ASSERT_TRUE(has_copy(&a));
	/* The peer returns and takes master back: it streams first... */
	peer_bulk(5 * S, (const struct route *[]){ &b, NULL });
	/* ...and its END swept what it did not send again. */
	routesync_tick(&rs, 11 * S);
	CU_ASSERT_FALSE(has_copy(&a));
	CU_ASSERT_TRUE(has_copy(&b));
	/* This unit steps down: the new master's routes stay. */
	routesync_released(&rs, 0, 12 * S);
	CU_ASSERT_TRUE(has_copy(&b));

	/* Had the peer not streamed yet, the held ones would go. */
	routesync_peer_lost(&rs, 13 * S);
	routesync_takeover(&rs, 0, 13 * S);
	routesync_released(&rs, 0, 14 * S);
	CU_ASSERT_FALSE(has_copy(&b));
	CU_ASSERT_EQUAL(rs.copies.n, 0);
	CU_ASSERT_EQUAL(rs.dropped, 1);
	teardown();
}

static void test_failed_install_retried(void)
{
	struct route a = mk("203.0.113.128", 25, RTPROT_BGP, "198.51.100.20");

	setup(true);
	fk.install_err = -ENODEV;
	peer_marker(ROUTE_OP_BEGIN, 2 * S);
	peer_route(ROUTE_OP_ADD, &a, 2 * S);
	CU_ASSERT_FALSE(has_copy(&a));
	CU_ASSERT_EQUAL(rs.install_errors, 1);
	routesync_tick(&rs, 2 * S);	/* sets the retry a second on */
	CU_ASSERT_EQUAL(rs.retry_ns, 3 * S);
	fk.install_err = 0;
	routesync_tick(&rs, 2 * S + S / 2);
	CU_ASSERT_FALSE(has_copy(&a));
	routesync_tick(&rs, 3 * S);
	CU_ASSERT_TRUE(has_copy(&a));
	CU_ASSERT_FALSE(rs.retry_pending);
	teardown();
}

/* A copy in the kernel that nobody vouches for (an earlier run's) goes. */
static void test_leftover_copies_removed(void)
{
	struct route a = mk("203.0.113.128", 25, RTPROT_BGP, "198.51.100.20");
	struct route b = mk("2001:db8:ff::", 64, RTPROT_BGP, "fe80::1");
	struct route ca, cb, seen[2];

	setup(true);
	peer_marker(ROUTE_OP_BEGIN, 2 * S);
	peer_route(ROUTE_OP_ADD, &a, 2 * S);
	route_copy_of(&ca, &a);
	route_copy_of(&cb, &b);
	fk.kernel[fk.n_kernel++] = cb;	/* left by an earlier run */
	seen[0] = ca;
	seen[1] = cb;
	scan(seen, 2, 3 * S);
	CU_ASSERT_TRUE(has_copy(&a));
	CU_ASSERT_FALSE(has_copy(&b));
	CU_ASSERT_EQUAL(rs.own.n, 0);	/* copies are not the unit's own */
	teardown();
}

/* Turned off at run time: the copies go, the peer is told. */
static void test_turned_off(void)
{
	struct route a = mk("203.0.113.128", 25, RTPROT_BGP, "198.51.100.20");
	char ops[64];

	setup(true);
	peer_marker(ROUTE_OP_BEGIN, 2 * S);
	peer_route(ROUTE_OP_ADD, &a, 2 * S);
	routesync_takeover(&rs, 0, 2 * S);
	routesync_tick(&rs, 2 * S);
	cfg.rto_mirror_route = false;
	routesync_tick(&rs, 3 * S);
	CU_ASSERT_FALSE(has_copy(&a));
	CU_ASSERT_STRING_EQUAL(pushed_ops(fk.n_pushed - 1, ops), "S");
	CU_ASSERT_FALSE(rs.on);
	/* And on again: a master streams its table at once. */
	cfg.rto_mirror_route = true;
	routesync_tick(&rs, 4 * S);
	CU_ASSERT_TRUE(rs.on && rs.streaming);
	CU_ASSERT_TRUE(routesync_scan_due(&rs, 4 * S));
	teardown();
}

TEST_SUITE(routesync, NULL, NULL,
	   TEST(test_backup_installs_and_withdraws),
	   TEST(test_dying_masters_withdrawals_dropped),
	   TEST(test_off_takes_nothing),
	   TEST(test_bad_records_counted),
	   TEST(test_takeover_keeps_until_own_or_hold),
	   TEST(test_own_route_at_takeover),
	   TEST(test_no_supersede_while_peer_streams),
	   TEST(test_master_streams),
	   TEST(test_bulk_restarts_and_waits_for_room),
	   TEST(test_becoming_backup_drops_the_former_masters),
	   TEST(test_failed_install_retried),
	   TEST(test_leftover_copies_removed),
	   TEST(test_turned_off));
