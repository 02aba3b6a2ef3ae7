// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two units in one process: each a cluster and a sync on a session layer
 * of its own, joined as the daemon joins them, talking over the loopback
 * of a network namespace of the test's own, each with a session map of
 * its own. The clock is the test's: every step moves it 10 ms and lets
 * each unit read, elect and send, so a second of the cluster's life takes
 * a few milliseconds and no timer of the machine decides a result.
 *
 * What it shows: the election runs on what the session layer hands over;
 * a silent peer is lost after threshold x interval; frames that are
 * replayed, forged with another key, unprotected, or from another cluster
 * are counted under their reason and change nothing; two units whose
 * passwords differ never both become master; a running pair changes its
 * passwords one unit after the other with no frame refused and no role
 * changed; session deltas and
 * a bulk sync reach the peer's map, preempt waits for the bulk, and
 * ageout-ack keeps or deletes the backup's copies as the master says;
 * preempt, "mode backup" and a graceful stop hand master over in one
 * exchange, never with both units answering for the VSIs, the new master
 * holding every session the old one had sent; the peer's data plane
 * keeps a peer whose agent is silent up to its control plane deadline.
 * Needs root (a network namespace, BPF maps).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <CUnit/CUnit.h>

#include "cluster.h"
#include "sync.h"
#include "../harness.h"

#define PORT_A		17161
#define PORT_B		17162
#define PORT_X		17163	/* the forger's */
#define STEP_NS		(10 * NS_PER_MS)
#define MAP_SIZE	4096

struct unit {
	const char *name;
	struct nsrp_config cfg;
	struct dataplane dp;
	struct hasess ha;
	struct cluster cl;
	struct sync sy;
	bool off;			/* powered off: not stepped */
	/* What its cluster told. */
	unsigned int transitions, peer_ups, peer_losts, leavings;
	struct vsd_transition last;
	bool coldstart_at_master;	/* the sync's state when it took master */
	unsigned int sessions_at_master;	/* the peer's, in its map then */
	unsigned int created_at_leaving;	/* sessions made when it began */
};

static struct unit units[2];
static struct unit *A = &units[0], *B = &units[1];
static uint64_t now;
static int netns_orig = -1;
static unsigned int max_answering;	/* units answering at once, most */
static unsigned int created;		/* sessions made on A's data plane */

static unsigned int map_count(int fd, bool from_peer);

/* ------------------------------------------------------------- joints */

static void on_transition(void *arg, unsigned int vsd,
			  const struct vsd_transition *t, uint64_t at)
{
	struct unit *u = arg;

	u->transitions++;
	u->last = *t;
	if (t->to == VSD_MASTER) {
		u->coldstart_at_master = u->sy.coldstart_done;
		u->sessions_at_master = map_count(u->dp.fd_sess, true);
		sync_takeover(&u->sy, vsd, at);
	} else if (t->from == VSD_MASTER) {
		sync_released(&u->sy, vsd);
	}
}

static void on_reassert(void *arg, unsigned int vsd, uint64_t at)
{
	(void)arg, (void)vsd, (void)at;
}

static void on_heartbeat(void *arg, uint64_t at)
{
	(void)arg, (void)at;
}

/* A hand-over begins: what is queued for the peer must reach it first. */
static void on_leaving(void *arg, unsigned int vsd, bool leaving, uint64_t at)
{
	struct unit *u = arg;

	(void)vsd, (void)at;
	u->leavings++;
	if (leaving) {
		sync_flush_mark(&u->sy);
		u->created_at_leaving = created;
	}
}

static bool on_flushed(void *arg)
{
	struct unit *u = arg;

	return sync_flushed(&u->sy);
}

static void on_peer_up(void *arg, uint64_t epoch, bool returned, uint64_t at)
{
	struct unit *u = arg;

	u->peer_ups++;
	sync_peer_up(&u->sy, epoch, returned, at);
}

static void on_peer_lost(void *arg, uint64_t at)
{
	struct unit *u = arg;

	(void)at;
	u->peer_losts++;
	sync_peer_lost(&u->sy);
}

/* ---------------------------------------------------------------- units */

static int lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr))
		err = -errno;
	close(fd);
	return err;
}

static int peers_init(void)
{
	if (geteuid())
		return 0;	/* each test skips */
	netns_orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (netns_orig < 0 || unshare(CLONE_NEWNET) || lo_up())
		return -1;
	return 0;
}

static int peers_cleanup(void)
{
	if (netns_orig < 0)
		return 0;
	setns(netns_orig, CLONE_NEWNET);
	close(netns_orig);
	netns_orig = -1;
	return 0;
}

static void unit_conf(struct unit *u, const char *line)
{
	char err[256];

	CU_ASSERT_FATAL(config_apply_line(&u->cfg, line, err,
					  sizeof(err)) == 0);
}

static int sess_map(void)
{
	return bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "t_peers",
			      sizeof(struct nsrp_sess_key),
			      sizeof(struct nsrp_sess), MAP_SIZE, NULL);
}

/*
 * A unit on the loopback, listening on port and sending to peer_port,
 * with the common configuration and extra lines (NULL-terminated).
 */
static void unit_start(struct unit *u, const char *name, uint32_t unit_id,
		       uint16_t port, uint16_t peer_port, const char **extra)
{
	const struct cluster_events ev = {
		.transition = on_transition, .reassert = on_reassert,
		.heartbeat = on_heartbeat, .peer_up = on_peer_up,
		.peer_lost = on_peer_lost, .leaving = on_leaving,
		.flushed = on_flushed, .arg = u,
	};
	struct hasess_id id = { .cluster_id = 1, .unit_id = unit_id,
				.epoch = now };
	const uint8_t mac[6] = { 2, 0, 0, 0, 0, (uint8_t)unit_id };

	memset(u, 0, sizeof(*u));
	u->name = name;
	config_init(&u->cfg);
	unit_conf(u, "set nsrp cluster id 1");
	unit_conf(u, "set nsrp interface lo");
	unit_conf(u, "set interface lo:0 ip 192.0.2.1/24");
	unit_conf(u, "set nsrp vsd-group hb-interval 100");
	unit_conf(u, "set nsrp vsd-group init-hold 1");
	unit_conf(u, "set nsrp rto-mirror sync");
	for (; extra && *extra; extra++)
		unit_conf(u, *extra);

	u->dp.fd_sess = sess_map();
	CU_ASSERT_FATAL(u->dp.fd_sess >= 0);
	u->dp.fd_nh_gen = u->dp.fd_events = -1;

	CU_ASSERT_FATAL(hasess_init(&u->ha, &id, u->cfg.auth_password,
				    u->cfg.encrypt_password) == 0);
	u->ha.port = peer_port;
	CU_ASSERT_FATAL(hasess_open_path(&u->ha, HA_PRIMARY, "lo", port) == 0);
	cluster_init(&u->cl, &u->cfg, &u->ha, mac, unit_id, &ev);
	CU_ASSERT_FATAL(sync_init(&u->sy, &u->cfg, &u->ha, &u->dp) == 0);
	cluster_start(&u->cl, now);
}

static void unit_stop(struct unit *u)
{
	sync_fini(&u->sy);
	hasess_fini(&u->ha);
	if (u->dp.fd_sess >= 0)
		close(u->dp.fd_sess);
	u->dp.fd_sess = -1;
}

/* One pass of a unit's loop, as nsrpd_run() makes it. */
static void unit_step(struct unit *u)
{
	struct cluster_inputs in = { 0 };

	cluster_wake(&u->cl, now);
	hasess_rx(&u->ha, HA_PRIMARY, now);
	in.sync_hold = sync_holds_preempt(&u->sy, now);
	cluster_tick(&u->cl, now, &in);
	sync_tick(&u->sy, now);
}

/* Its data plane answers for the VSIs: master, not handing over. */
static bool answering(const struct unit *u)
{
	return cluster_is_master(&u->cl, 0) && !vsd_giving(&u->cl.group[0].vsd);
}

/* Both units, for ms of the test's clock. */
static void run_ms(unsigned int ms)
{
	for (unsigned int t = 0; t < ms; t += STEP_NS / NS_PER_MS) {
		now += STEP_NS;
		for (int i = 0; i < 2; i++) {
			unsigned int n;

			if (!units[i].off)
				unit_step(&units[i]);
			n = answering(A) + answering(B);
			if (n > max_answering)
				max_answering = n;
		}
	}
}

/* Runs until cond holds, or ms pass: whether it held. */
#define RUN_UNTIL(ms, cond)                                               \
	({                                                                \
		unsigned int __t = 0;                                     \
		while (!(cond) && __t < (ms)) {                           \
			run_ms(10);                                       \
			__t += 10;                                        \
		}                                                         \
		(cond);                                                   \
	})

static bool root_or_skip(void)
{
	if (geteuid() || netns_orig < 0) {
		harness_skip("needs root for a network namespace and maps");
		return false;
	}
	now = clock_now_ns();
	return true;
}

/* A (priority 50) and B (priority 100), A master: the common start. */
static void pair_up(const char **extra_a, const char **extra_b)
{
	const char *a[8] = { "set nsrp vsd-group id 0 priority 50" };
	const char *b[8] = { "set nsrp vsd-group id 0 priority 100" };

	for (int i = 0; extra_a && extra_a[i]; i++)
		a[i + 1] = extra_a[i];
	for (int i = 0; extra_b && extra_b[i]; i++)
		b[i + 1] = extra_b[i];
	unit_start(A, "A", 1, PORT_A, PORT_B, a);
	unit_start(B, "B", 2, PORT_B, PORT_A, b);
	CU_ASSERT_FATAL(RUN_UNTIL(3000, cluster_is_master(&A->cl, 0) &&
				  B->cl.group[0].vsd.state == VSD_BACKUP));
}

static void pair_down(void)
{
	unit_stop(A);
	unit_stop(B);
}

/* ------------------------------------------------------------- election */

static void test_election(void)
{
	if (!root_or_skip())
		return;
	pair_up(NULL, NULL);
	CU_ASSERT_STRING_EQUAL(B->last.reason, "peer is master");
	CU_ASSERT_EQUAL(A->peer_ups, 1);
	CU_ASSERT_EQUAL(B->peer_ups, 1);
	CU_ASSERT(A->cl.hb_rx > 0 && B->cl.hb_rx > 0);
	CU_ASSERT_EQUAL(A->cl.peer.unit_id, 2);
	CU_ASSERT_EQUAL(B->cl.group[0].peer_state, VSD_MASTER);
	/* Nothing was refused on the way. */
	for (int r = 1; r < PROTO_R_MAX; r++)
		CU_ASSERT_EQUAL(A->ha.rx_drop[r] + B->ha.rx_drop[r], 0);
	pair_down();
}

/* A powered off: B takes over after threshold x interval, not before. */
static void test_peer_lost(void)
{
	uint64_t off;

	if (!root_or_skip())
		return;
	pair_up(NULL, NULL);
	A->off = true;
	off = now;
	CU_ASSERT(RUN_UNTIL(2000, cluster_is_master(&B->cl, 0)));
	CU_ASSERT(now - off >= cluster_dead_ns(&B->cl));
	CU_ASSERT_STRING_EQUAL(B->last.reason, "peer lost");
	CU_ASSERT_EQUAL(B->peer_losts, 1);
	CU_ASSERT_FALSE(B->sy.peer_present);
	pair_down();
}

/*
 * One unit's heartbeats five times as far apart: each judges the other
 * by the timers the other announces, so neither loses the other, and
 * both say the timers differ.
 */
static void test_mismatched_timers(void)
{
	const char *slow[] = { "set nsrp vsd-group hb-interval 500", NULL };

	if (!root_or_skip())
		return;
	pair_up(NULL, slow);
	run_ms(10000);
	CU_ASSERT_EQUAL(A->peer_losts, 0);
	CU_ASSERT_EQUAL(B->peer_losts, 0);
	CU_ASSERT_EQUAL(A->transitions, 1);
	CU_ASSERT_EQUAL(B->transitions, 1);
	CU_ASSERT_TRUE(cluster_is_master(&A->cl, 0));
	CU_ASSERT_TRUE(A->cl.timer_alarm);
	CU_ASSERT_TRUE(B->cl.timer_alarm);
	/* Silent for the peer's own patience, A is lost all the same. */
	A->off = true;
	CU_ASSERT(RUN_UNTIL(2000, cluster_is_master(&B->cl, 0)));
	pair_down();
}

/* --------------------------------------------------------- forged frames */

/* A socket that hears what is broadcast to B's port, as B does. */
static int tap_open(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(PORT_B) };
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	CU_ASSERT_FATAL(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	CU_ASSERT_FATAL(!bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	return fd;
}

/* Sends buf to B's port as the HA link would: TTL 255. */
static void send_to_b(const uint8_t *buf, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(PORT_B),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int ttl = 255, fd = socket(AF_INET, SOCK_DGRAM, 0);

	CU_ASSERT_FATAL(fd >= 0);
	setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	CU_ASSERT(sendto(fd, buf, len, 0, (struct sockaddr *)&to,
			 sizeof(to)) == (ssize_t)len);
	close(fd);
}

/*
 * A unit that claims to be A (its unit id and epoch), keyed with pw,
 * sends B a heartbeat that says A steps down: B would take master if it
 * believed it.
 */
static void forge_hb(const char *auth_pw, uint32_t cluster_id)
{
	struct hasess_id id = { .cluster_id = cluster_id, .unit_id = 1,
				.epoch = A->ha.id.epoch };
	struct proto_hb hb = A->cl.peer.hb;	/* any valid body */
	struct hasess x;

	CU_ASSERT_FATAL(hasess_init(&x, &id, auth_pw, NULL) == 0);
	x.port = PORT_B;
	x.seq = A->ha.seq + 100;	/* fresh, were it genuine */
	CU_ASSERT_FATAL(hasess_open_path(&x, HA_PRIMARY, "lo", PORT_X) == 0);
	memcpy(hb.mac, A->cl.mac, 6);
	hb.ngroups = 1;
	hb.groups[0] = (struct proto_hb_group){ .id = 0,
						.state = VSD_MASTER,
						.flags = VSD_F_YIELD,
						.priority = 50 };
	CU_ASSERT_EQUAL(hasess_send_hb(&x, &hb), 1);
	hasess_fini(&x);
}

/* B alone reads for 50 ms: less than its patience with a silent A. */
static void b_reads(void)
{
	A->off = true;
	run_ms(50);
	A->off = false;
}

static void test_forged_frames(void)
{
	const char *auth[] = { "set nsrp auth password s3cret", NULL };
	uint8_t captured[2048];
	uint64_t hb_rx;
	ssize_t n = -1;
	int tap;

	if (!root_or_skip())
		return;
	tap = tap_open();
	pair_up(auth, auth);

	/* A genuine heartbeat of A's, as it went by: B has it too. */
	while (recv(tap, captured, sizeof(captured), 0) > 0)
		;
	run_ms(150);
	for (ssize_t m; (m = recv(tap, captured, sizeof(captured), 0)) > 0;)
		n = m;
	close(tap);
	CU_ASSERT_FATAL(n > 0);

	b_reads();
	hb_rx = B->cl.hb_rx;
	send_to_b(captured, n);
	b_reads();
	CU_ASSERT_EQUAL(B->ha.rx_drop[PROTO_R_REPLAY], 1);
	CU_ASSERT_EQUAL(B->cl.hb_rx, hb_rx);

	forge_hb("not-the-password", 1);
	b_reads();
	CU_ASSERT_EQUAL(B->ha.rx_drop[PROTO_R_UNKNOWN_KEY], 1);

	forge_hb(NULL, 1);
	b_reads();
	CU_ASSERT_EQUAL(B->ha.rx_drop[PROTO_R_SEC_MISMATCH], 1);

	forge_hb("s3cret", 2);
	b_reads();
	CU_ASSERT_EQUAL(B->ha.rx_drop[PROTO_R_WRONG_CLUSTER], 1);

	/* None of them reached the election: B stays backup. */
	CU_ASSERT_EQUAL(B->cl.hb_rx, hb_rx);
	CU_ASSERT_TRUE(B->cl.unverified_alarm);	/* but it says so */
	CU_ASSERT_EQUAL(B->cl.group[0].vsd.state, VSD_BACKUP);
	CU_ASSERT_EQUAL(B->transitions, 1);
	/* And A, genuine, is still heard. */
	run_ms(200);
	CU_ASSERT(B->cl.hb_rx > hb_rx);
	pair_down();
}

/* ----------------------------------------------------------------- sync */

static struct nsrp_event sess_event(unsigned int i, unsigned int kind)
{
	struct nsrp_event ev = { .kind = kind };

	ev.key.family = NSRP_AF_INET;
	ev.key.proto = IPPROTO_TCP;
	ev.key.addr_a[0] = htonl(0xc0000200 + 10);	/* 192.0.2.10 */
	ev.key.addr_b[0] = htonl(0xc6336400 + 10);	/* 198.51.100.10 */
	ev.key.port_a = htons(20000 + i);
	ev.key.port_b = htons(80);
	ev.sess.state = NSRP_SS_ESTABLISHED;
	ev.sess.expires_ns = now + 1800 * NS_PER_S;
	ev.sess.refreshed_ns = now;
	return ev;
}

static unsigned int map_count(int fd, bool from_peer)
{
	struct nsrp_sess_key k, *prev = NULL;
	struct nsrp_sess v;
	unsigned int n = 0;

	while (!bpf_map_get_next_key(fd, prev, &k)) {
		if (!bpf_map_lookup_elem(fd, &k, &v) &&
		    !!(v.flags & NSRP_SF_FROM_PEER) == from_peer)
			n++;
		prev = &k;
	}
	return n;
}

/* The master's deltas reach the backup's map, marked as the peer's. */
static void test_sync_stream(void)
{
	if (!root_or_skip())
		return;
	pair_up(NULL, NULL);
	CU_ASSERT_FATAL(RUN_UNTIL(3000, B->sy.coldstart_done));
	for (unsigned int i = 0; i < 300; i++) {
		struct nsrp_event ev = sess_event(i, NSRP_EV_CREATE);

		sync_event(&A->sy, &ev, now);
	}
	CU_ASSERT(RUN_UNTIL(1000, map_count(B->dp.fd_sess, true) == 300));
	CU_ASSERT_EQUAL(B->sy.applied, 300);
	/* A delete undoes its create, in order. */
	for (unsigned int i = 0; i < 100; i++) {
		struct nsrp_event ev = sess_event(i, NSRP_EV_DELETE);

		sync_event(&A->sy, &ev, now);
	}
	CU_ASSERT(RUN_UNTIL(1000, map_count(B->dp.fd_sess, true) == 200));
	/* Every record acknowledged: nothing left to send again. */
	CU_ASSERT(RUN_UNTIL(100, A->sy.tx.head == A->sy.tx.tail));
	CU_ASSERT_EQUAL(map_count(B->dp.fd_sess, false), 0);
	pair_down();
}

/*
 * A unit that joins gets the master's table in bulk, and a better one
 * with preempt takes master only once it has it.
 */
static void test_bulk_before_preempt(void)
{
	const char *a[] = { "set nsrp vsd-group id 0 priority 100", NULL };
	const char *b[] = { "set nsrp vsd-group id 0 priority 50",
			    "set nsrp vsd-group id 0 preempt hold-down 0",
			    NULL };

	if (!root_or_skip())
		return;
	unit_start(A, "A", 1, PORT_A, PORT_B, a);
	B->off = true;
	CU_ASSERT_FATAL(RUN_UNTIL(3000, cluster_is_master(&A->cl, 0)));
	for (unsigned int i = 0; i < 2000; i++) {
		struct nsrp_event ev = sess_event(i, NSRP_EV_CREATE);

		CU_ASSERT_FATAL(!bpf_map_update_elem(A->dp.fd_sess, &ev.key,
						     &ev.sess, BPF_ANY));
	}
	unit_start(B, "B", 2, PORT_B, PORT_A, b);
	CU_ASSERT(RUN_UNTIL(5000, cluster_is_master(&B->cl, 0)));
	CU_ASSERT(B->coldstart_at_master);
	CU_ASSERT_EQUAL(map_count(B->dp.fd_sess, true), 2000);
	CU_ASSERT_EQUAL(B->sy.bulk_done, 1);
	CU_ASSERT_EQUAL(A->sy.resyncs, 1);
	CU_ASSERT(RUN_UNTIL(1000, A->cl.group[0].vsd.state == VSD_BACKUP));
	pair_down();
}

/*
 * The backup's expired copies: the master says one is alive (kept) and
 * knows nothing of the other (deleted).
 */
static void test_ageout_ack(void)
{
	const char *ack[] = { "set nsrp rto session ageout-ack", NULL };
	struct nsrp_event live = sess_event(1, NSRP_EV_CREATE);
	struct nsrp_event gone = sess_event(2, NSRP_EV_CREATE);
	struct nsrp_sess_key k[2] = { live.key, gone.key };
	struct nsrp_sess v[2] = { live.sess, gone.sess }, got;

	if (!root_or_skip())
		return;
	pair_up(ack, ack);
	CU_ASSERT_FATAL(RUN_UNTIL(3000, B->sy.coldstart_done));
	CU_ASSERT_FATAL(!bpf_map_update_elem(A->dp.fd_sess, &live.key,
					     &live.sess, BPF_ANY));
	for (int i = 0; i < 2; i++) {
		v[i].flags = NSRP_SF_FROM_PEER;
		v[i].expires_ns = now - 1;
		CU_ASSERT_FATAL(!bpf_map_update_elem(B->dp.fd_sess, &k[i],
						     &v[i], BPF_ANY));
	}
	CU_ASSERT(sync_ageout_ask(&B->sy, k, v, 2, now));
	CU_ASSERT(RUN_UNTIL(1000, B->sy.ageout_kept + B->sy.ageout_deleted
					  == 2));
	CU_ASSERT_EQUAL(B->sy.ageout_queries, 2);
	CU_ASSERT_EQUAL(B->sy.ageout_kept, 1);
	CU_ASSERT_EQUAL(B->sy.ageout_deleted, 1);
	CU_ASSERT_FATAL(!bpf_map_lookup_elem(B->dp.fd_sess, &k[0], &got));
	CU_ASSERT(got.expires_ns > now);
	CU_ASSERT(bpf_map_lookup_elem(B->dp.fd_sess, &k[1], &got));

	/* Without the peer there is nobody to ask: the copies just go. */
	A->off = true;
	CU_ASSERT_FATAL(RUN_UNTIL(2000, !B->sy.peer_present));
	CU_ASSERT_FALSE(sync_ageout_ask(&B->sy, k, v, 1, now));
	pair_down();
}

/* ------------------------------------------------------------ passwords */

static unsigned int masters(void)
{
	return cluster_is_master(&A->cl, 0) + cluster_is_master(&B->cl, 0);
}

/* Runs ms, failing the moment both units are master. */
static void run_never_two_masters(unsigned int ms)
{
	for (unsigned int t = 0; t < ms; t += 10) {
		run_ms(10);
		CU_ASSERT_FATAL(masters() <= 1);
	}
}

/*
 * Different passwords: each hears the other but verifies nothing. The
 * frames still prove a live unit: never two masters, and both say why.
 */
static void test_wrong_password(void)
{
	const char *one[] = { "set nsrp vsd-group id 0 priority 50",
			      "set nsrp auth password one", NULL };
	const char *two[] = { "set nsrp vsd-group id 0 priority 100",
			      "set nsrp auth password two", NULL };

	if (!root_or_skip())
		return;
	/* Both start together: the lower unit id is master. */
	unit_start(A, "A", 1, PORT_A, PORT_B, one);
	unit_start(B, "B", 2, PORT_B, PORT_A, two);
	run_never_two_masters(3000);
	CU_ASSERT_TRUE(cluster_is_master(&A->cl, 0));
	CU_ASSERT_EQUAL(B->cl.group[0].vsd.state, VSD_BACKUP);
	CU_ASSERT_FALSE(A->cl.peer.present || B->cl.peer.present);
	CU_ASSERT_TRUE(A->cl.unverified_alarm && B->cl.unverified_alarm);
	CU_ASSERT(B->ha.rx_drop[PROTO_R_UNKNOWN_KEY] > 10);
	CU_ASSERT_EQUAL(B->ha.unverified.unit_id, 1);

	/* A master already keeps master: B, alone, is master ... */
	A->off = true;
	CU_ASSERT(RUN_UNTIL(2000, cluster_is_master(&B->cl, 0)));
	pair_down();
	unit_start(B, "B", 2, PORT_B, PORT_A, two);
	B->off = false;
	A->off = true;
	CU_ASSERT_FATAL(RUN_UNTIL(3000, cluster_is_master(&B->cl, 0)));
	/* ... and A, better and with the lower id, does not take it. */
	unit_start(A, "A", 1, PORT_A, PORT_B, one);
	run_never_two_masters(3000);
	CU_ASSERT_TRUE(cluster_is_master(&B->cl, 0));
	CU_ASSERT_EQUAL(A->cl.group[0].vsd.state, VSD_BACKUP);

	/* Once B is silent, A is alone and takes master. */
	B->off = true;
	CU_ASSERT(RUN_UNTIL(2000, cluster_is_master(&A->cl, 0)));
	CU_ASSERT(RUN_UNTIL(2000, !A->cl.unverified_alarm));
	pair_down();
}

/* New passwords for a unit, as a reload derives them. */
static void new_keys(struct unit *u, const char *auth_pw, const char *enc_pw)
{
	struct hacrypt_keys k;

	CU_ASSERT_FATAL(hacrypt_derive(&k, auth_pw, enc_pw, 1) == 0);
	CU_ASSERT_TRUE(hasess_rekey(&u->ha, &k));
	hacrypt_keys_clear(&k);
}

static unsigned int frames_refused(const struct unit *u)
{
	unsigned int n = 0;

	for (int r = 1; r < PROTO_R_MAX; r++)
		n += u->ha.rx_drop[r];
	return n;
}

/*
 * A pair that carries sessions enables authentication, rotates its
 * password and enables encryption, one unit after the other: no frame
 * is refused, no role changes, no session is lost.
 */
static void test_password_change(void)
{
	static const struct { struct unit **u; const char *auth, *enc; } steps[] = {
		{ &B, "first", NULL }, { &A, "first", NULL },
		{ &A, "second", NULL }, { &B, "second", NULL },
		{ &B, "second", "hidden" }, { &A, "second", "hidden" },
	};
	unsigned int sent = 0;

	if (!root_or_skip())
		return;
	pair_up(NULL, NULL);
	CU_ASSERT_FATAL(RUN_UNTIL(3000, B->sy.coldstart_done));
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		new_keys(*steps[i].u, steps[i].auth, steps[i].enc);
		for (unsigned int j = 0; j < 50; j++, sent++) {
			struct nsrp_event ev = sess_event(sent, NSRP_EV_CREATE);

			sync_event(&A->sy, &ev, now);
			run_ms(20);
		}
	}
	CU_ASSERT(RUN_UNTIL(1000, map_count(B->dp.fd_sess, true) == sent));
	CU_ASSERT_EQUAL(frames_refused(A) + frames_refused(B), 0);
	CU_ASSERT_EQUAL(A->transitions + B->transitions, 2);
	CU_ASSERT_EQUAL(A->peer_losts + B->peer_losts, 0);
	CU_ASSERT_FALSE(A->ha.crypt.changing || B->ha.crypt.changing);
	CU_ASSERT_EQUAL(hacrypt_sending(&A->ha.crypt)->flags,
			PROTO_F_AUTH | PROTO_F_ENC);
	CU_ASSERT_EQUAL(hacrypt_sending(&B->ha.crypt)->id,
			A->ha.crypt.cur.id);
	pair_down();
}

/* --------------------------------------------------------- hand-overs */

/* n sessions created on A, streamed to B: their deltas are queued. */
static void sessions_on_a(unsigned int first, unsigned int n)
{
	for (unsigned int i = first; i < first + n; i++) {
		struct nsrp_event ev = sess_event(i, NSRP_EV_CREATE);

		sync_event(&A->sy, &ev, now);
		created++;
	}
}

/*
 * B returns and preempts while A streams sessions: it asks, A hands
 * over once B acknowledged every delta queued, B takes master when told.
 * Never both answering; B holds every session when it becomes master.
 */
static void test_handover_preempt(void)
{
	const char *a[] = { "set nsrp vsd-group id 0 priority 100", NULL };
	const char *b[] = { "set nsrp vsd-group id 0 priority 50",
			    "set nsrp vsd-group id 0 preempt hold-down 1",
			    NULL };

	if (!root_or_skip())
		return;
	unit_start(A, "A", 1, PORT_A, PORT_B, a);
	B->off = true;
	CU_ASSERT_FATAL(RUN_UNTIL(3000, cluster_is_master(&A->cl, 0)));
	unit_start(B, "B", 2, PORT_B, PORT_A, b);
	CU_ASSERT_FATAL(RUN_UNTIL(3000, B->sy.coldstart_done &&
				  B->cl.group[0].vsd.state == VSD_BACKUP));
	max_answering = created = 0;
	/* Sessions keep coming until the hold-down is over, and after. */
	for (unsigned int i = 0; i < 12 && !cluster_is_master(&B->cl, 0); i++) {
		sessions_on_a(i * 200, 200);
		run_ms(100);
	}
	CU_ASSERT(RUN_UNTIL(2000, cluster_is_master(&B->cl, 0)));
	CU_ASSERT_STRING_EQUAL(B->last.reason, "preempt: the master handed over");
	CU_ASSERT(RUN_UNTIL(1000, A->cl.group[0].vsd.state == VSD_BACKUP));
	CU_ASSERT_TRUE(A->last.handed_over);
	CU_ASSERT_EQUAL(A->leavings, 1);
	CU_ASSERT_EQUAL(max_answering, 1);
	/* Every session A sent before it handed over was B's already. */
	CU_ASSERT(A->created_at_leaving > 0);
	CU_ASSERT(B->sessions_at_master >= A->created_at_leaving);
	run_ms(3000);
	CU_ASSERT_TRUE(cluster_is_master(&B->cl, 0));	/* no bounce */
	CU_ASSERT_EQUAL(A->transitions, 2);
	CU_ASSERT_EQUAL(B->transitions, 2);
	pair_down();
}

/* "mode backup", then a graceful stop, each handed over. */
static void test_handover_commands(void)
{
	if (!root_or_skip())
		return;
	pair_up(NULL, NULL);
	CU_ASSERT_FATAL(RUN_UNTIL(3000, B->sy.coldstart_done));
	max_answering = created = 0;
	sessions_on_a(0, 500);
	CU_ASSERT_EQUAL(cluster_command(&A->cl, 0, VSD_CMD_BACKUP, now), 0);
	CU_ASSERT_TRUE(cluster_is_master(&A->cl, 0));	/* until taken */
	CU_ASSERT_FALSE(answering(A));
	CU_ASSERT(RUN_UNTIL(1000, cluster_is_master(&B->cl, 0) &&
			    A->cl.group[0].vsd.state == VSD_BACKUP));
	CU_ASSERT_EQUAL(B->sessions_at_master, 500);
	CU_ASSERT_TRUE(A->last.handed_over);
	CU_ASSERT_STRING_EQUAL(A->last.reason, "manual: mode backup, handed over");
	CU_ASSERT_EQUAL(max_answering, 1);

	/* B stops: A takes over when told, B leaves handed over. */
	cluster_shutdown(&B->cl, now);
	CU_ASSERT(RUN_UNTIL(1000, cluster_is_master(&A->cl, 0)));
	CU_ASSERT_EQUAL(B->cl.group[0].vsd.state, VSD_INELIGIBLE);
	CU_ASSERT_TRUE(B->last.handed_over);
	CU_ASSERT_TRUE(cluster_may_exit(&B->cl, now));
	CU_ASSERT_EQUAL(max_answering, 1);
	pair_down();
}

/*
 * The peer goes silent while master is handed to it: the hand-over is
 * called off when the peer is lost, and the master answers again.
 */
static void test_handover_peer_silent(void)
{
	if (!root_or_skip())
		return;
	pair_up(NULL, NULL);
	CU_ASSERT_FATAL(RUN_UNTIL(3000, B->sy.coldstart_done));
	B->off = true;
	cluster_command(&A->cl, 0, VSD_CMD_BACKUP, now);
	CU_ASSERT_FALSE(answering(A));
	CU_ASSERT(RUN_UNTIL(2000, A->peer_losts == 1));
	CU_ASSERT_TRUE(answering(A));
	CU_ASSERT_EQUAL(A->leavings, 2);		/* leaving, then back */
	CU_ASSERT_EQUAL(A->transitions, 1);
	pair_down();
}

/*
 * A's agent goes silent, its data plane still answers B's probes for
 * group 0: B keeps A up to A's control plane deadline, not its data
 * plane's, then loses it. Without the answers, at the data plane's.
 */
static void test_control_deadline(void)
{
	const char *ctl[] = { "set nsrp vsd-group control-deadline 1500", NULL };
	uint64_t off;

	if (!root_or_skip())
		return;
	pair_up(ctl, ctl);
	CU_ASSERT_EQUAL(cluster_peer_ctl_dead_ns(&B->cl), 1500 * NS_PER_MS);
	A->off = true;
	off = now;
	while (!B->peer_losts && now - off < 3000 * NS_PER_MS) {
		cluster_dataplane_heard(&B->cl, 1, 0, now, now);
		run_ms(10);
	}
	CU_ASSERT_EQUAL(B->peer_losts, 1);
	CU_ASSERT(now - off >= 1500 * NS_PER_MS);
	CU_ASSERT_TRUE(cluster_is_master(&B->cl, 0));
	pair_down();

	/* Answers that say it is master of nothing vouch for nothing. */
	pair_up(ctl, ctl);
	A->off = true;
	off = now;
	while (!B->peer_losts && now - off < 3000 * NS_PER_MS) {
		cluster_dataplane_heard(&B->cl, 0, 0, now, now);
		run_ms(10);
	}
	CU_ASSERT(now - off < 1000 * NS_PER_MS);
	pair_down();
}

/*
 * B is told A may be dead and A stays silent on every HA path. A carrier
 * lost, with A's data plane answering a probe sent since: A is split
 * from B, not dead. A pact closed (A's agent gone): dead, whatever the
 * data plane said. A carrier lost, and only an answer to a probe sent
 * before: dead.
 */
static void suspect_and_answer(bool agent_gone, int64_t asked_ms)
{
	uint64_t t0;

	pair_up(NULL, NULL);
	A->off = true;
	t0 = now;
	cluster_suspect(&B->cl, "test", agent_gone, now);
	run_ms(5);
	cluster_dataplane_heard(&B->cl, 1, 0, t0 + asked_ms * NS_PER_MS, now);
	CU_ASSERT(RUN_UNTIL(200, !B->cl.peer.present));
	CU_ASSERT(now - t0 < cluster_dead_ns(&B->cl));
}

static void test_suspicion_split(void)
{
	if (!root_or_skip())
		return;
	suspect_and_answer(false, 1);
	CU_ASSERT_TRUE(B->cl.split);
	CU_ASSERT_FALSE(B->cl.peer_died);
	pair_down();

	suspect_and_answer(true, 1);
	CU_ASSERT_FALSE(B->cl.split);
	CU_ASSERT_TRUE(B->cl.peer_died);
	CU_ASSERT_TRUE(cluster_is_master(&B->cl, 0));
	pair_down();

	suspect_and_answer(false, -1);
	CU_ASSERT_FALSE(B->cl.split);
	CU_ASSERT_TRUE(B->cl.peer_died);
	pair_down();
}

TEST_SUITE(peers, peers_init, peers_cleanup,
	   TEST(test_election),
	   TEST(test_peer_lost),
	   TEST(test_mismatched_timers),
	   TEST(test_forged_frames),
	   TEST(test_wrong_password),
	   TEST(test_password_change),
	   TEST(test_sync_stream),
	   TEST(test_bulk_before_preempt),
	   TEST(test_ageout_ack),
	   TEST(test_handover_preempt),
	   TEST(test_handover_commands),
	   TEST(test_handover_peer_silent),
	   TEST(test_control_deadline),
	   TEST(test_suspicion_split));
