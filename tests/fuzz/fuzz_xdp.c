// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_xdp - the XDP data plane (bpf/nsrpd_xdp.bpf.c) on any frame, run
 * by BPF_PROG_TEST_RUN in a private network namespace, with the maps as
 * the agent fills them: two cluster NICs carrying VSIs of groups 0 and 1,
 * a third NIC that is not the cluster's, a few sessions of both groups
 * (some expired, some the peer's).
 *
 * Input: a byte of roles (bits 0-1 group 0, bits 2-3 group 1: master,
 * backup, master past its deadline, backup past it; bit 4 for group 0,
 * bit 5 for group 1: leaving rather than master), a byte naming the
 * ingress NIC (0-2, or 3: none given), then the frame.
 *
 * Invariants, on each run:
 *  - the verdict is DROP, PASS, TX or REDIRECT;
 *  - RX counts the frame once and exactly one outcome counter moves,
 *    the one that goes with the verdict (TX: an ARP or NS answer, a
 *    probe answered; REDIRECT: forwarded; DROP: a VSI frame or ARP/NS of
 *    a group not master, an unanswered gratuitous ARP);
 *  - nothing is answered for a VSI of a group that is not master with
 *    a fresh deadline (a leaving one neither), and a frame to a VSI MAC
 *    of a group neither master nor leaving, fresh, is dropped;
 *  - a probe is answered from the NIC's own MAC, and says which groups
 *    are master and which leaving, as the roles are;
 *  - what a leaving group forwards leaves from the NIC's own MAC;
 *  - a passed frame leaves as it came, but for the destination MAC of a
 *    frame to a VSI, which becomes the NIC's;
 *  - events: one per event counter, none created here, state and refresh
 *    only for a session hit;
 *  - a session of a group not master here is left as it is (an expired
 *    one of this unit's own may be deleted).
 * The counters that moved and the verdict feed libFuzzer as coverage: it
 * cannot see inside the BPF program.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane.h"
#include "fuzz.h"
#include "nsrpd.h"
#include "nsrpd_xdp.skel.h"

#define NS_PER_SEC	1000000000ULL
#define FRAME_MAX	3000	/* a test run takes at most a page */
#define N_NICS		3
#define N_GROUPS	2

enum { R_MASTER, R_BACKUP, R_MASTER_STALE, R_BACKUP_STALE, R_LEAVING,
       R_LEAVING_STALE };

static const uint8_t nic_mac[N_NICS][6] = {
	{ 0x02, 0, 0, 0, 0, 0xa0 },
	{ 0x02, 0, 0, 0, 0, 0xb0 },
	{ 0x02, 0, 0, 0, 0, 0xc0 },
};
/* The VSI MAC of each group, per cluster NIC (nsrpd's scheme, roughly). */
static const uint8_t vsi_mac[2][N_GROUPS][6] = {
	{ { 0x02, 0x10, 0xdb, 0xff, 0x10, 0x00 },
	  { 0x02, 0x10, 0xdb, 0xff, 0x11, 0x00 } },
	{ { 0x02, 0x10, 0xdb, 0xff, 0x10, 0x01 },
	  { 0x02, 0x10, 0xdb, 0xff, 0x11, 0x01 } },
};

/* The VSI addresses: NIC, group, family, address. */
static const struct {
	int nic, vsd, v6;
	const char *addr;
} vsis[] = {
	{ 0, 0, 0, "192.0.2.1" },
	{ 0, 0, 1, "2001:db8:1::1" },
	{ 0, 1, 0, "192.0.2.5" },
	{ 0, 1, 1, "2001:db8:1::5" },
	{ 1, 0, 0, "198.51.100.1" },
	{ 1, 0, 1, "2001:db8:2::1" },
};

/* The sessions set before each run. */
struct preset {
	int v6;
	uint8_t proto;
	const char *src, *dst;
	uint16_t sport, dport;
	uint8_t state, vsd, flags;
	int expired;
};

static const struct preset presets[] = {
	{ 0, 6, "192.0.2.10", "198.51.100.20", 40000, 80,
	  NSRP_SS_ESTABLISHED, 0, 0, 0 },
	{ 0, 17, "192.0.2.10", "198.51.100.20", 5353, 53, NSRP_SS_UDP, 0, 0, 0 },
	{ 0, 1, "192.0.2.10", "198.51.100.20", 7, 7, NSRP_SS_ICMP, 1,
	  NSRP_SF_FROM_PEER, 0 },
	{ 1, 6, "2001:db8:1::10", "2001:db8:2::20", 40001, 443,
	  NSRP_SS_ESTABLISHED, 0, 0, 0 },
	{ 0, 6, "192.0.2.10", "198.51.100.20", 40002, 80, NSRP_SS_TIME_WAIT, 0,
	  0, 0 },
	{ 0, 17, "192.0.2.10", "198.51.100.20", 5000, 5001, NSRP_SS_UDP, 1,
	  NSRP_SF_FROM_PEER, 1 },
	{ 0, 17, "192.0.2.10", "198.51.100.20", 5002, 5003, NSRP_SS_UDP, 0, 0,
	  1 },
	{ 1, 58, "2001:db8:1::10", "2001:db8:2::20", 9, 9, NSRP_SS_ICMP, 1, 0,
	  0 },
	/* Sessions the fast path cannot forward: the kernel's turn. */
	{ 0, 6, "192.0.2.10", "198.51.100.30", 40010, 80, NSRP_SS_ESTABLISHED,
	  0, 0, 0 },				/* no neighbour */
	{ 0, 6, "192.0.2.10", "203.0.113.20", 40011, 80, NSRP_SS_ESTABLISHED,
	  0, 0, 0 },				/* out of no cluster NIC */
	{ 0, 17, "192.0.2.10", "100.64.0.1", 40012, 53, NSRP_SS_UDP, 0, 0, 0 },
						/* no route */
};

#define N_PRESETS	(sizeof(presets) / sizeof(presets[0]))

static const char *const netns_setup[] = {
	"ip link set lo up",
	"ip link add fz0 address 02:00:00:00:00:a0 type veth peer name fz0p",
	"ip link add fz1 address 02:00:00:00:00:b0 type veth peer name fz1p",
	"ip link add fz2 address 02:00:00:00:00:c0 mtu 1280 type veth peer name fz2p mtu 1280",
	"for i in 0 1 2; do ip link set fz$i up && ip link set fz${i}p up; done",
	"ip addr add 192.0.2.2/24 dev fz0",
	"ip addr add 198.51.100.2/24 dev fz1",
	"ip addr add 203.0.113.2/25 dev fz2",
	"ip -6 addr add 2001:db8:1::2/64 dev fz0 nodad",
	"ip -6 addr add 2001:db8:2::2/64 dev fz1 nodad",
	"ip neigh add 192.0.2.10 lladdr 02:00:00:00:01:10 dev fz0 nud permanent",
	"ip neigh add 198.51.100.20 lladdr 02:00:00:00:02:20 dev fz1 nud permanent",
	"ip neigh add 203.0.113.20 lladdr 02:00:00:00:03:20 dev fz2 nud permanent",
	"ip -6 neigh add 2001:db8:1::10 lladdr 02:00:00:00:01:10 dev fz0 nud permanent",
	"ip -6 neigh add 2001:db8:2::20 lladdr 02:00:00:00:02:20 dev fz1 nud permanent",
	"echo 1 >/proc/sys/net/ipv4/conf/all/forwarding",
	"echo 1 >/proc/sys/net/ipv6/conf/all/forwarding",
};

static struct {
	struct nsrpd_xdp *skel;
	int prog, fd_role, fd_sess, fd_cnt, ncpus;
	uint32_t ifindex[N_NICS];
	struct ring_buffer *rb;
	unsigned int events[NSRP_EV_DELETE + 1];
	struct nsrp_sess_key key[N_PRESETS];
} env;

/* Verdict x outcome, and the counters that moved, as coverage. */
FUZZ_EXTRA_COUNTERS(seen_outcome, 8 * NSRP_CNT_MAX);
FUZZ_EXTRA_COUNTERS(seen_counter, NSRP_CNT_MAX);

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static void must(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_xdp: setting up: %s failed (%s)\n", what,
		strerror(errno));
	abort();
}

static void put(int fd, const void *k, const void *v, const char *what)
{
	must(!bpf_map_update_elem(fd, k, v, BPF_ANY), what);
}

static void addr_of(const char *text, int v6, __be32 out[4])
{
	memset(out, 0, 16);
	must(inet_pton(v6 ? AF_INET6 : AF_INET, text, out) == 1, text);
}

/* The canonical key, as parse.h builds it: lower endpoint first. */
static void key_of(const struct preset *p, struct nsrp_sess_key *k)
{
	__be32 s[4], d[4];
	int c, src_is_a;

	memset(k, 0, sizeof(*k));
	addr_of(p->src, p->v6, s);
	addr_of(p->dst, p->v6, d);
	c = memcmp(s, d, p->v6 ? 16 : 4);
	src_is_a = c < 0 || (c == 0 && p->sport <= p->dport);
	memcpy(k->addr_a, src_is_a ? s : d, 16);
	memcpy(k->addr_b, src_is_a ? d : s, 16);
	k->port_a = htons(src_is_a ? p->sport : p->dport);
	k->port_b = htons(src_is_a ? p->dport : p->sport);
	k->proto = p->proto;
	k->family = p->v6 ? NSRP_AF_INET6 : NSRP_AF_INET;
}

static void netns_enter(void)
{
	must(!unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)");
	for (size_t i = 0; i < sizeof(netns_setup) / sizeof(*netns_setup); i++)
		must(!system(netns_setup[i]), netns_setup[i]);
	for (int i = 0; i < N_NICS; i++) {
		char name[8];

		snprintf(name, sizeof(name), "fz%d", i);
		env.ifindex[i] = if_nametoindex(name);
		must(env.ifindex[i] != 0, name);
	}
}

static void maps_fill(void)
{
	int fd_mac = bpf_map__fd(env.skel->maps.nsrp_vsi_mac);
	int fd_addr = bpf_map__fd(env.skel->maps.nsrp_vsi_addr);
	int fd_if = bpf_map__fd(env.skel->maps.nsrp_iface);

	for (int n = 0; n < 2; n++) {
		struct nsrp_iface_val ifv = { .vsd = 0,
					      .flags = NSRP_IFACE_F_CLUSTER };
		struct nsrp_vsi_macs mv = { 0 };

		memcpy(ifv.vsi_mac, vsi_mac[n][0], 6);
		memcpy(ifv.nic_mac, nic_mac[n], 6);
		put(fd_if, &env.ifindex[n], &ifv, "nsrp_iface");
		memcpy(mv.nic_mac, nic_mac[n], 6);
		for (int g = 0; g < N_GROUPS; g++) {
			mv.vsd[g].set = 1;
			memcpy(mv.vsd[g].mac, vsi_mac[n][g], 6);
		}
		put(fd_mac, &env.ifindex[n], &mv, "nsrp_vsi_mac");
	}
	for (size_t i = 0; i < sizeof(vsis) / sizeof(*vsis); i++) {
		struct nsrp_vsi_addr_key k = {
			.ifindex = env.ifindex[vsis[i].nic],
			.family = vsis[i].v6 ? NSRP_AF_INET6 : NSRP_AF_INET,
		};
		struct nsrp_vsi_addr_val v = { .vsd = vsis[i].vsd };

		addr_of(vsis[i].addr, vsis[i].v6, k.addr);
		memcpy(v.vsi_mac, vsi_mac[vsis[i].nic][vsis[i].vsd], 6);
		put(fd_addr, &k, &v, "nsrp_vsi_addr");
	}
	for (size_t i = 0; i < N_PRESETS; i++)
		key_of(&presets[i], &env.key[i]);
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct nsrp_event *ev = data;

	(void)ctx;
	FUZZ_CHECK(len == sizeof(*ev), "event of %zu bytes", len);
	FUZZ_CHECK(ev->kind >= NSRP_EV_CREATE && ev->kind <= NSRP_EV_DELETE,
		   "event kind %u", ev->kind);
	env.events[ev->kind]++;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct bpf_map *m;

	(void)argc;
	(void)argv;
	if (geteuid()) {
		fuzz_skip("the XDP harness needs root (BPF, a network namespace)");
		return 0;
	}
	netns_enter();
	env.skel = nsrpd_xdp__open();
	must(env.skel != NULL, "nsrpd_xdp__open");
	/* The harness's own maps, not the agent's pinned ones. */
	bpf_object__for_each_map(m, env.skel->obj)
		bpf_map__set_pin_path(m, NULL);
	must(!nsrpd_xdp__load(env.skel), "nsrpd_xdp__load");
	env.prog = bpf_program__fd(env.skel->progs.nsrp_xdp);
	env.fd_role = bpf_map__fd(env.skel->maps.nsrp_role);
	env.fd_sess = bpf_map__fd(env.skel->maps.nsrp_sess);
	env.fd_cnt = bpf_map__fd(env.skel->maps.nsrp_cnt);
	env.ncpus = libbpf_num_possible_cpus();
	env.rb = ring_buffer__new(bpf_map__fd(env.skel->maps.nsrp_events),
				  on_event, NULL, NULL);
	must(env.rb != NULL, "ring_buffer__new");
	maps_fill();
	return 0;
}

/* ---------------------------------------------------------- each run */

static bool fresh_master(int role)
{
	return role == R_MASTER;
}

/* The group's frames are taken and forwarded: master or leaving, fresh. */
static bool forwards(int role)
{
	return role == R_MASTER || role == R_LEAVING;
}

static void roles_set(const int role[N_GROUPS], uint64_t now)
{
	for (uint32_t g = 0; g < N_GROUPS; g++) {
		bool stale = role[g] == R_MASTER_STALE ||
			     role[g] == R_BACKUP_STALE ||
			     role[g] == R_LEAVING_STALE;
		struct nsrp_role_state r = {
			.role = role[g] == R_MASTER || role[g] == R_MASTER_STALE
					? NSRP_ROLE_MASTER : NSRP_ROLE_BACKUP,
			.deadline_ns = stale ? now - NS_PER_SEC
					     : now + 60 * NS_PER_SEC,
		};

		if (role[g] == R_LEAVING || role[g] == R_LEAVING_STALE)
			r.role = NSRP_ROLE_LEAVING;
		put(env.fd_role, &g, &r, "nsrp_role");
	}
}

static void sessions_set(uint64_t now, struct nsrp_sess before[N_PRESETS])
{
	for (size_t i = 0; i < N_PRESETS; i++) {
		const struct preset *p = &presets[i];
		struct nsrp_sess *s = &before[i];

		memset(s, 0, sizeof(*s));
		s->state = p->state;
		s->vsd = p->vsd;
		s->flags = p->flags;
		s->expires_ns = p->expired ? now - NS_PER_SEC
					   : now + 600 * NS_PER_SEC;
		s->refreshed_ns = now;
		s->pkts[0] = s->pkts[1] = 3;
		s->bytes[0] = s->bytes[1] = 300;
		put(env.fd_sess, &env.key[i], s, "nsrp_sess");
	}
}

static void counters(__u64 out[NSRP_CNT_MAX])
{
	must(!dp_sum_counters(env.fd_cnt, env.ncpus, out), "counters");
}

/* The counters of which one, and only one, says what became of a frame. */
static bool is_outcome(int i)
{
	switch (i) {
	case NSRP_CNT_RX:
	case NSRP_CNT_VSI_ACCEPT:
	case NSRP_CNT_SESS_HIT:
	case NSRP_CNT_LEARN:
	case NSRP_CNT_EV_CREATE:
	case NSRP_CNT_EV_STATE:
	case NSRP_CNT_EV_REFRESH:
	case NSRP_CNT_EV_DELETE:
	case NSRP_CNT_EV_RB_FULL:
	case NSRP_CNT_SESS_EXPIRED:
	case NSRP_CNT_LEARN_RACE:
	case NSRP_CNT_NH_FILL:
	case NSRP_CNT_SESS_TAKEOVER:
	case NSRP_CNT_FWD_LEAVING:
		return false;
	default:
		return true;
	}
}

static uint32_t verdict_of(int outcome)
{
	switch (outcome) {
	case NSRP_CNT_ARP_REPLY:
	case NSRP_CNT_NS_REPLY:
	case NSRP_CNT_PROBE_ANSWERED:
		return XDP_TX;
	case NSRP_CNT_FWD:
		return XDP_REDIRECT;
	case NSRP_CNT_VSI_DROP_BACKUP:
	case NSRP_CNT_VSI_DROP_STALE:
	case NSRP_CNT_ND_IGNORED_BACKUP:
	case NSRP_CNT_ND_IGNORED_STALE:
	case NSRP_CNT_ND_IGNORED_LEAVING:
	case NSRP_CNT_GARP_IGNORED:
		return XDP_DROP;
	default:
		return XDP_PASS;
	}
}

/* The group whose VSI MAC mac is on cluster NIC nic, or -1. */
static int group_of_mac(int nic, const uint8_t *mac)
{
	if (nic < 0 || nic > 1)
		return -1;
	for (int g = 0; g < N_GROUPS; g++)
		if (!memcmp(vsi_mac[nic][g], mac, 6))
			return g;
	return -1;
}

struct run {
	int role[N_GROUPS];
	int nic;			/* -1: no ingress NIC given */
	const uint8_t *in;
	size_t in_len;
	uint8_t out[4096];
	uint32_t out_len, verdict;
	uint64_t d[NSRP_CNT_MAX];	/* counter deltas */
};

static int check_counters(const struct run *r)
{
	int outcome = -1;

	FUZZ_CHECK(r->d[NSRP_CNT_RX] == 1, "RX moved by %llu",
		   (unsigned long long)r->d[NSRP_CNT_RX]);
	for (int i = 0; i < NSRP_CNT_MAX; i++) {
		if (r->d[i])
			seen_counter[i]++;
		if (!is_outcome(i) || !r->d[i])
			continue;
		FUZZ_CHECK(outcome < 0 && r->d[i] == 1,
			   "outcome counters %s and %s (+%llu) both moved",
			   outcome < 0 ? "-" : dp_counter_name(outcome),
			   dp_counter_name(i), (unsigned long long)r->d[i]);
		outcome = i;
	}
	FUZZ_CHECK(outcome >= 0, "no outcome counted (verdict %u)", r->verdict);
	FUZZ_CHECK(verdict_of(outcome) == r->verdict,
		   "verdict %u counted as %s", r->verdict,
		   dp_counter_name(outcome));
	FUZZ_CHECK(!r->d[NSRP_CNT_LEARN] && !r->d[NSRP_CNT_LEARN_RACE] &&
		   !r->d[NSRP_CNT_EV_CREATE], "XDP learned a session");
	FUZZ_CHECK(r->d[NSRP_CNT_SESS_HIT] <= 1 &&
		   r->d[NSRP_CNT_EV_STATE] + r->d[NSRP_CNT_EV_REFRESH] <=
			   r->d[NSRP_CNT_SESS_HIT],
		   "state or refresh events without a session hit");
	FUZZ_CHECK(r->d[NSRP_CNT_EV_DELETE] <= 1, "%llu deletes",
		   (unsigned long long)r->d[NSRP_CNT_EV_DELETE]);
	for (int k = NSRP_EV_CREATE; k <= NSRP_EV_DELETE; k++)
		FUZZ_CHECK(env.events[k] ==
				   r->d[NSRP_CNT_EV_CREATE + k - NSRP_EV_CREATE],
			   "%u events of kind %d, counted %llu", env.events[k],
			   k, (unsigned long long)
			   r->d[NSRP_CNT_EV_CREATE + k - NSRP_EV_CREATE]);
	return outcome;
}

/* What the frame asked of the VSI gate. */
static void check_gate(const struct run *r)
{
	int g = r->in_len >= 6 ? group_of_mac(r->nic, r->in) : -1;

	if (g >= 0 && !forwards(r->role[g]))
		FUZZ_CHECK(r->verdict == XDP_DROP,
			   "a frame to the VSI MAC of group %d (role %d) got %u",
			   g, r->role[g], r->verdict);
	if (r->d[NSRP_CNT_VSI_ACCEPT])
		FUZZ_CHECK(g >= 0 && forwards(r->role[g]),
			   "accepted for a VSI of a group not master");
	if (r->verdict == XDP_REDIRECT)
		FUZZ_CHECK(g >= 0 && forwards(r->role[g]) &&
			   r->d[NSRP_CNT_SESS_HIT],
			   "forwarded without a VSI of a master group");
}

/*
 * What a leaving group forwards leaves from the egress NIC's own MAC,
 * what a master forwards from a VSI MAC.
 */
static void check_forwarded(const struct run *r)
{
	bool own = false;

	if (r->verdict != XDP_REDIRECT)
		return;
	FUZZ_CHECK(r->out_len >= 14, "forwarded %u bytes", r->out_len);
	for (int n = 0; n < N_NICS; n++)
		own |= !memcmp(r->out + 6, nic_mac[n], 6);
	if (r->d[NSRP_CNT_FWD_LEAVING])
		FUZZ_CHECK(own, "forwarded while leaving, from a VSI MAC");
	else
		FUZZ_CHECK(!own, "forwarded as master from a NIC's own MAC");
}

/* The roles as a probe answer must give them: bit g, role want, fresh. */
static uint8_t roles_bits(const struct run *r, int want)
{
	uint8_t bits = 0;

	for (int g = 0; g < N_GROUPS; g++)
		if (r->role[g] == want)
			bits |= 1 << g;
	return bits;
}

/* A probe answered: from the NIC's own MAC, the roles as they are. */
static void check_probe(const struct run *r)
{
	struct nsrp_probe p;
	bool tagged;

	FUZZ_CHECK(r->nic >= 0 && r->nic < 2 &&
		   r->out_len >= 14 + sizeof(p),
		   "a probe answered on NIC %d, %u bytes", r->nic, r->out_len);
	tagged = (r->out[12] == 0x81 && r->out[13] == 0x00) ||
		 (r->out[12] == 0x88 && r->out[13] == 0xa8);
	FUZZ_CHECK(r->out_len >= 14 + 4 * tagged + sizeof(p),
		   "a probe answered in %u bytes", r->out_len);
	memcpy(&p, r->out + 14 + 4 * tagged, sizeof(p));
	FUZZ_CHECK(!memcmp(r->out + 6, nic_mac[r->nic], 6) &&
		   !memcmp(r->out, r->in + 6, 6),
		   "a probe answered from another MAC, or to another");
	FUZZ_CHECK(p.op == NSRP_PROBE_REPLY && !p.flags &&
		   p.masters == roles_bits(r, R_MASTER) &&
		   p.leaving == roles_bits(r, R_LEAVING),
		   "a probe answered with op %u, masters %#x, leaving %#x",
		   p.op, p.masters, p.leaving);
}

/* An answer must come from the VSI MAC of a group that is master. */
static void check_answer(const struct run *r)
{
	int g;

	if (r->verdict != XDP_TX)
		return;
	FUZZ_CHECK(r->out_len >= 14, "an answer of %u bytes", r->out_len);
	if (r->d[NSRP_CNT_PROBE_ANSWERED]) {
		check_probe(r);
		return;
	}
	g = group_of_mac(r->nic, r->out + 6);
	FUZZ_CHECK(g >= 0, "an answer from a MAC that is no VSI's on NIC %d",
		   r->nic);
	FUZZ_CHECK(fresh_master(r->role[g]),
		   "answered for group %d while its role is %d", g, r->role[g]);
}

/* A passed frame is untouched, but for a VSI's destination MAC. */
static void check_passed(const struct run *r)
{
	if (r->verdict != XDP_PASS)
		return;
	FUZZ_CHECK(r->out_len == r->in_len, "passed %u bytes of %zu",
		   r->out_len, r->in_len);
	if (r->d[NSRP_CNT_VSI_ACCEPT])
		FUZZ_CHECK(!memcmp(r->out, nic_mac[r->nic], 6),
			   "passed to a VSI, but not to the NIC's MAC");
	else
		FUZZ_CHECK(!memcmp(r->out, r->in, 6),
			   "the destination MAC of a passed frame changed");
	FUZZ_CHECK(!memcmp(r->out + 6, r->in + 6, r->in_len - 6),
		   "a passed frame changed");
}

/* Sessions of a group not master here stay as they were. */
static void check_sessions(const struct run *r,
			   const struct nsrp_sess before[N_PRESETS])
{
	for (size_t i = 0; i < N_PRESETS; i++) {
		struct nsrp_sess now;
		int gone;

		if (forwards(r->role[presets[i].vsd]))
			continue;
		gone = bpf_map_lookup_elem(env.fd_sess, &env.key[i], &now);
		if (gone) {
			FUZZ_CHECK(presets[i].expired &&
				   !(presets[i].flags & NSRP_SF_FROM_PEER),
				   "session %zu of group %u (role %d) deleted",
				   i, presets[i].vsd, r->role[presets[i].vsd]);
			continue;
		}
		FUZZ_CHECK(!memcmp(&now, &before[i], sizeof(now)),
			   "session %zu of group %u (role %d) changed", i,
			   presets[i].vsd, r->role[presets[i].vsd]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run r;
	struct fuzz_in in = { data, size };
	uint8_t roles, nic;
	__u64 before[NSRP_CNT_MAX], after[NSRP_CNT_MAX];
	uint64_t now;
	struct nsrp_sess sess[N_PRESETS];
	struct xdp_md ctx = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = 1);
	int outcome;

	if (fuzz_skipped)
		return 0;
	roles = fuzz_u8(&in);
	nic = fuzz_u8(&in) & 3;
	memset(&r, 0, sizeof(r));
	for (int g = 0; g < N_GROUPS; g++) {
		r.role[g] = (roles >> (2 * g)) & 3;
		if (roles & (0x10 << g) && r.role[g] == R_MASTER)
			r.role[g] = R_LEAVING;
		else if (roles & (0x10 << g) && r.role[g] == R_MASTER_STALE)
			r.role[g] = R_LEAVING_STALE;
	}
	r.nic = nic < N_NICS ? nic : -1;
	r.in = fuzz_bytes(&in, FRAME_MAX, &r.in_len);
	if (r.in_len < 14)
		return 0;	/* a test run wants an Ethernet header */

	now = now_ns();
	roles_set(r.role, now);
	sessions_set(now, sess);
	ring_buffer__consume(env.rb);
	memset(env.events, 0, sizeof(env.events));
	counters(before);

	ctx.data_end = r.in_len;
	ctx.ingress_ifindex = r.nic >= 0 ? env.ifindex[r.nic] : 0;
	opts.data_in = r.in;
	opts.data_size_in = r.in_len;
	opts.data_out = r.out;
	opts.data_size_out = sizeof(r.out);
	opts.ctx_in = &ctx;
	opts.ctx_size_in = sizeof(ctx);
	must(!bpf_prog_test_run_opts(env.prog, &opts), "test run");
	r.verdict = opts.retval;
	r.out_len = opts.data_size_out;

	counters(after);
	ring_buffer__consume(env.rb);
	for (int i = 0; i < NSRP_CNT_MAX; i++)
		r.d[i] = after[i] - before[i];

	FUZZ_CHECK(r.verdict == XDP_DROP || r.verdict == XDP_PASS ||
		   r.verdict == XDP_TX || r.verdict == XDP_REDIRECT,
		   "verdict %u", r.verdict);
	outcome = check_counters(&r);
	seen_outcome[(r.verdict & 7) * NSRP_CNT_MAX + outcome]++;
	check_gate(&r);
	check_forwarded(&r);
	check_answer(&r);
	check_passed(&r);
	check_sessions(&r, sess);
	return 0;
}
