// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data plane (nsrpd_xdp + nsrpd_tc) through BPF_PROG_TEST_RUN.
 *
 * The suite runs in a private network namespace with three veth NICs, a
 * route and permanent neighbours, so that bpf_fib_lookup succeeds and the
 * forward path is checked byte for byte (in test-run mode XDP_REDIRECT is
 * returned, not performed: the redirect itself is the kernel's). The two
 * objects share their maps through bpf_map__reuse_fd, as they do through
 * the pin directory when the agent loads them.
 *
 *   dataplane0 (cluster, VSI 192.0.2.1 / 2001:db8:1::1)  client side
 *   dataplane1 (cluster)                                 server side
 *   dataplane2 (not a cluster NIC, MTU 1280)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <CUnit/CUnit.h>

#include "nsrpd.h"
#include "dataplane.h"
#include "nsrpd_xdp.skel.h"
#include "nsrpd_tc.skel.h"
#include "../harness.h"
#include "pkt.h"
#include "runner.h"

#define NS_PER_SEC 1000000000ULL

static const __u8 mac_nic0[6] = { 0x02, 0, 0, 0, 0, 0xa0 };
static const __u8 mac_nic1[6] = { 0x02, 0, 0, 0, 0, 0xb0 };
static const __u8 mac_vsi0[6] = { 0x02, 0x10, 0xdb, 0xff, 0x10, 0x00 };
static const __u8 mac_vsi1[6] = { 0x02, 0x10, 0xdb, 0xff, 0x10, 0x01 };
static const __u8 mac_client[6] = { 0x02, 0, 0, 0, 0x01, 0x10 };
static const __u8 mac_server[6] = { 0x02, 0, 0, 0, 0x02, 0x20 };
static const __u8 mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const __u8 mac_zero[6];
static const __u8 mac_allnodes[6] = { 0x33, 0x33, 0, 0, 0, 1 };

#define CLIENT4 "192.0.2.10"
#define SERVER4 "198.51.100.20"
#define CLIENT6 "2001:db8:1::10"
#define SERVER6 "2001:db8:2::20"
#define VSI4 "192.0.2.1"
#define VSI6 "2001:db8:1::1"

#define PROBE_CLUSTER	7	/* the data plane's cluster and unit */
#define PROBE_UNIT	42

enum { M_MASTER, M_BACKUP, M_STALE, M_LEAVING, M_LEAVING_STALE };

static struct {
	int orig_ns;
	int ok;
	struct nsrpd_xdp *xdp;
	struct nsrpd_tc *tc;
	struct ring_buffer *rb;
	int xdp_fd, tc_fd;
	__u32 if0, if1, if2;
	struct nsrp_event ev[32];
	int nev;
} env;

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc)
		fprintf(stderr, "  setup: '%s' failed (%d)\n", cmd, rc);
	return rc ? -EIO : 0;
}

static int write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -errno;
	rc = fputs(val, f) < 0 ? -EIO : 0;
	if (fclose(f))
		rc = -errno;
	return rc;
}

static const char *const netns_setup[] = {
	"ip link set lo up",
	"ip link add dataplane0 address 02:00:00:00:00:a0 type veth peer name dataplane0p",
	"ip link add dataplane1 address 02:00:00:00:00:b0 type veth peer name dataplane1p",
	"ip link add dataplane2 address 02:00:00:00:00:c0 mtu 1280 type veth peer name dataplane2p mtu 1280",
	"for i in 0 1 2; do ip link set dataplane$i up && ip link set dataplane${i}p up; done",
	"ip addr add 192.0.2.2/24 dev dataplane0",
	"ip addr add 198.51.100.2/24 dev dataplane1",
	"ip addr add 203.0.113.2/25 dev dataplane2",
	"ip -6 addr add 2001:db8:1::2/64 dev dataplane0 nodad",
	"ip -6 addr add 2001:db8:2::2/64 dev dataplane1 nodad",
	"ip neigh add 192.0.2.10 lladdr 02:00:00:00:01:10 dev dataplane0 nud permanent",
	"ip neigh add 198.51.100.20 lladdr 02:00:00:00:02:20 dev dataplane1 nud permanent",
	"ip neigh add 203.0.113.20 lladdr 02:00:00:00:03:20 dev dataplane2 nud permanent",
	"ip -6 neigh add 2001:db8:1::10 lladdr 02:00:00:00:01:10 dev dataplane0 nud permanent",
	"ip -6 neigh add 2001:db8:2::20 lladdr 02:00:00:00:02:20 dev dataplane1 nud permanent",
};

static int netns_enter(void)
{
	env.orig_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (env.orig_ns < 0 || unshare(CLONE_NEWNET))
		return -errno;
	for (size_t i = 0; i < sizeof(netns_setup) / sizeof(*netns_setup); i++)
		if (sh(netns_setup[i]))
			return -EIO;
	if (write_file("/proc/sys/net/ipv4/conf/all/forwarding", "1") ||
	    write_file("/proc/sys/net/ipv6/conf/all/forwarding", "1"))
		return -EIO;
	env.if0 = if_nametoindex("dataplane0");
	env.if1 = if_nametoindex("dataplane1");
	env.if2 = if_nametoindex("dataplane2");
	return env.if0 && env.if1 && env.if2 ? 0 : -ENODEV;
}

static int on_event(void *ctx __attribute__((unused)), void *data,
		    size_t len)
{
	if (len == sizeof(struct nsrp_event) &&
	    env.nev < (int)(sizeof(env.ev) / sizeof(env.ev[0])))
		memcpy(&env.ev[env.nev++], data, len);
	return 0;
}

static void events_drain(void)
{
	ring_buffer__consume(env.rb);
	env.nev = 0;
}

static int events_get(void)
{
	env.nev = 0;
	ring_buffer__consume(env.rb);
	return env.nev;
}

static void unpin_all(struct bpf_object *obj)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj)
		bpf_map__set_pin_path(m, NULL);
}

static int map_put(struct bpf_map *m, const void *k, const void *v)
{
	return bpf_map_update_elem(bpf_map__fd(m), k, v, BPF_ANY) ? -errno : 0;
}

static int maps_fill(void)
{
	struct nsrp_iface_val ifv = { .vsd = 0, .flags = NSRP_IFACE_F_CLUSTER };
	struct nsrp_vsi_macs mv = {};
	struct nsrp_vsi_addr_key ak = { .ifindex = env.if0 };
	struct nsrp_vsi_addr_val av = { .vsd = 0 };
	int err = 0;

	memcpy(ifv.vsi_mac, mac_vsi0, 6);
	memcpy(ifv.nic_mac, mac_nic0, 6);
	err |= map_put(env.xdp->maps.nsrp_iface, &env.if0, &ifv);
	memcpy(ifv.vsi_mac, mac_vsi1, 6);
	memcpy(ifv.nic_mac, mac_nic1, 6);
	err |= map_put(env.xdp->maps.nsrp_iface, &env.if1, &ifv);

	mv.vsd[0].set = 1;
	memcpy(mv.vsd[0].mac, mac_vsi0, 6);
	memcpy(mv.nic_mac, mac_nic0, 6);
	err |= map_put(env.xdp->maps.nsrp_vsi_mac, &env.if0, &mv);
	memcpy(mv.vsd[0].mac, mac_vsi1, 6);
	memcpy(mv.nic_mac, mac_nic1, 6);
	err |= map_put(env.xdp->maps.nsrp_vsi_mac, &env.if1, &mv);

	memcpy(av.vsi_mac, mac_vsi0, 6);
	ak.family = NSRP_AF_INET;
	pkt_addr(VSI4, 0, ak.addr);
	err |= map_put(env.xdp->maps.nsrp_vsi_addr, &ak, &av);
	ak.family = NSRP_AF_INET6;
	pkt_addr(VSI6, 1, ak.addr);
	err |= map_put(env.xdp->maps.nsrp_vsi_addr, &ak, &av);
	return err ? -EIO : 0;
}

static int suite_init(void)
{
	struct bpf_map *m;
	int err;

	if (geteuid())
		return 0;	/* each test says it skips */
	err = netns_enter();
	if (err) {
		fprintf(stderr, "  data plane suite: netns setup: %s\n",
			strerror(-err));
		return 1;
	}
	env.xdp = nsrpd_xdp__open();
	env.tc = nsrpd_tc__open();
	if (!env.xdp || !env.tc)
		return 1;
	unpin_all(env.xdp->obj);
	unpin_all(env.tc->obj);
	env.xdp->rodata->nsrp_cfg.cluster_id = PROBE_CLUSTER;
	env.xdp->rodata->nsrp_cfg.unit_id = PROBE_UNIT;
	if (nsrpd_xdp__load(env.xdp))
		return 1;
	/* The learner uses the XDP object's maps, as pinning would give. */
	bpf_object__for_each_map(m, env.tc->obj) {
		struct bpf_map *x;

		if (bpf_map__is_internal(m))
			continue;
		x = bpf_object__find_map_by_name(env.xdp->obj,
						 bpf_map__name(m));
		if (!x || bpf_map__reuse_fd(m, bpf_map__fd(x)))
			return 1;
	}
	if (nsrpd_tc__load(env.tc))
		return 1;
	env.xdp_fd = bpf_program__fd(env.xdp->progs.nsrp_xdp);
	env.tc_fd = bpf_program__fd(env.tc->progs.nsrp_learn);
	env.rb = ring_buffer__new(bpf_map__fd(env.xdp->maps.nsrp_events),
				  on_event, NULL, NULL);
	if (!env.rb || maps_fill())
		return 1;
	env.ok = 1;
	return 0;
}

static int suite_cleanup(void)
{
	ring_buffer__free(env.rb);
	nsrpd_tc__destroy(env.tc);
	nsrpd_xdp__destroy(env.xdp);
	if (env.orig_ns >= 0) {
		/* Leaving the namespace destroys it and its veths. */
		if (setns(env.orig_ns, CLONE_NEWNET))
			perror("setns");
		close(env.orig_ns);
	}
	return 0;
}

static int ready(void)
{
	if (!bpf_tests_allowed())
		return 0;
	CU_ASSERT_FATAL(env.ok);
	return 1;
}

/* ---------------------------------------------------------- map helpers */

static void role_set(__u32 vsd, int mode)
{
	struct nsrp_role_state r = { .role = NSRP_ROLE_MASTER };
	bool stale = mode == M_STALE || mode == M_LEAVING_STALE;

	if (mode == M_BACKUP)
		r.role = NSRP_ROLE_BACKUP;
	if (mode == M_LEAVING || mode == M_LEAVING_STALE)
		r.role = NSRP_ROLE_LEAVING;
	r.deadline_ns = stale ? now_ns() - NS_PER_SEC :
				now_ns() + 60 * NS_PER_SEC;
	CU_ASSERT_EQUAL(map_put(env.xdp->maps.nsrp_role, &vsd, &r), 0);
}

struct cnt_snap {
	__u64 v[NSRP_CNT_MAX];
};

static void cnt_take(struct cnt_snap *s)
{
	CU_ASSERT_EQUAL(dp_sum_counters(bpf_map__fd(env.xdp->maps.nsrp_cnt),
					libbpf_num_possible_cpus(), s->v), 0);
}

static __u64 cnt_delta(const struct cnt_snap *s, __u32 idx)
{
	struct cnt_snap now;

	cnt_take(&now);
	return now.v[idx] - s->v[idx];
}

/* The canonical key, computed here independently of the BPF code. */
static int key_of(struct nsrp_sess_key *k, int v6, __u8 proto,
		  const char *src, __u16 sport, const char *dst, __u16 dport)
{
	__be32 s[4], d[4];
	int c, src_is_a;

	memset(k, 0, sizeof(*k));
	pkt_addr(src, v6, s);
	pkt_addr(dst, v6, d);
	c = memcmp(s, d, v6 ? 16 : 4);
	src_is_a = c < 0 || (c == 0 && sport <= dport);
	memcpy(k->addr_a, src_is_a ? s : d, 16);
	memcpy(k->addr_b, src_is_a ? d : s, 16);
	k->port_a = htons(src_is_a ? sport : dport);
	k->port_b = htons(src_is_a ? dport : sport);
	k->proto = proto;
	k->family = v6 ? NSRP_AF_INET6 : NSRP_AF_INET;
	return src_is_a;
}

static int sess_get(const struct nsrp_sess_key *k, struct nsrp_sess *s)
{
	return bpf_map_lookup_elem(bpf_map__fd(env.xdp->maps.nsrp_sess), k, s)
		       ? -errno : 0;
}

static void sess_put(const struct nsrp_sess_key *k, const struct nsrp_sess *s)
{
	CU_ASSERT_EQUAL(map_put(env.xdp->maps.nsrp_sess, k, s), 0);
}

static void sess_clear(void)
{
	int fd = bpf_map__fd(env.xdp->maps.nsrp_sess);
	struct nsrp_sess_key k, next;

	while (!bpf_map_get_next_key(fd, NULL, &next)) {
		k = next;
		bpf_map_delete_elem(fd, &k);
	}
	events_drain();
}

/* ------------------------------------------------------------- runners */

static int xdp_case(const char *what, const void *in, size_t len, __u32 ifx,
		    __u32 verdict, const void *out, size_t out_len)
{
	struct pkt_case c = {
		.what = what, .in = in, .in_len = len, .verdict = verdict,
		.out = out, .out_len = out_len, .ifindex = ifx,
	};

	return pkt_case_run(env.xdp_fd, &c, NULL);
}

/* Runs the learner as if the kernel forwarded the frame from iif to oif. */
static int tc_run(const void *in, size_t len, __u32 iif, __u32 oif)
{
	struct __sk_buff skb = { .ifindex = oif, .ingress_ifindex = iif };
	__u8 out[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in,
		    .data_size_in = len, .data_out = out,
		    .data_size_out = sizeof(out), .ctx_in = &skb,
		    .ctx_size_in = sizeof(skb), .repeat = 1);

	if (bpf_prog_test_run_opts(env.tc_fd, &opts)) {
		fprintf(stderr, "  tc test run: %s\n", strerror(errno));
		return -1;
	}
	CU_ASSERT_EQUAL(opts.retval, 0 /* TC_ACT_OK */);
	CU_ASSERT_EQUAL(opts.data_size_out, len);
	CU_ASSERT(!memcmp(out, in, len));
	return 0;
}

/* ------------------------------------------------- VSI gate, ARP and NS */

struct gate_case {
	const char *what;
	int mode;			/* role of group 0 */
	__u8 in[PKT_MAX];
	size_t in_len;
	__u32 verdict;
	__u8 out[PKT_MAX];		/* out_len 0: unchanged */
	size_t out_len;
	__u32 counter;			/* must rise by one */
};

static struct gate_case gates[40];

static size_t udp_to(__u8 *b, const __u8 *dst, __u16 vlan)
{
	struct pkt_spec s = { .proto = IPPROTO_UDP, .saddr = CLIENT4,
			      .daddr = "192.0.2.99", .sport = 5353,
			      .dport = 53, .vlan = vlan, .payload = 12 };

	memcpy(s.dst, dst, 6);
	memcpy(s.src, mac_client, 6);
	return pkt_build(&s, b);
}

static int gates_build(void)
{
	struct gate_case *g = gates;
	static const int modes[3] = { M_MASTER, M_BACKUP, M_STALE };
	static const __u32 arp_drop[3] = { 0, NSRP_CNT_ND_IGNORED_BACKUP,
					   NSRP_CNT_ND_IGNORED_STALE };
	static const __u32 vsi_drop[3] = { 0, NSRP_CNT_VSI_DROP_BACKUP,
					   NSRP_CNT_VSI_DROP_STALE };

	for (int i = 0; i < 3; i++) {
		*g = (struct gate_case){ .what = "ARP request for a VSI address",
					 .mode = modes[i] };
		g->in_len = pkt_arp(g->in, 1, mac_bcast, mac_client, 0,
				    mac_client, CLIENT4, mac_zero, VSI4);
		if (!i) {
			g->verdict = XDP_TX;
			g->out_len = pkt_arp(g->out, 2, mac_client, mac_vsi0,
					     0, mac_vsi0, VSI4, mac_client,
					     CLIENT4);
			g->counter = NSRP_CNT_ARP_REPLY;
		} else {
			g->verdict = XDP_DROP;
			g->counter = arp_drop[i];
		}
		g++;

		*g = (struct gate_case){ .what = "NS for a VSI address",
					 .mode = modes[i] };
		g->in_len = pkt_ns(g->in, mac_client, 0, CLIENT6, VSI6);
		if (!i) {
			g->verdict = XDP_TX;
			g->out_len = pkt_na(g->out, mac_client, mac_vsi0, 0,
					    VSI6, CLIENT6, 0xe0);
			g->counter = NSRP_CNT_NS_REPLY;
		} else {
			g->verdict = XDP_DROP;
			g->counter = arp_drop[i];
		}
		g++;

		*g = (struct gate_case){ .what = "frame to the VSI MAC",
					 .mode = modes[i] };
		g->in_len = udp_to(g->in, mac_vsi0, 0);
		if (!i) {
			g->verdict = XDP_PASS;
			g->out_len = udp_to(g->out, mac_nic0, 0);
			g->counter = NSRP_CNT_VSI_ACCEPT;
		} else {
			g->verdict = XDP_DROP;
			g->counter = vsi_drop[i];
		}
		g++;

		*g = (struct gate_case){ .what = "ARP request, other address",
					 .mode = modes[i], .verdict = XDP_PASS,
					 .counter = NSRP_CNT_PASS };
		g->in_len = pkt_arp(g->in, 1, mac_bcast, mac_client, 0,
				    mac_client, CLIENT4, mac_zero,
				    "192.0.2.2");
		g++;

		*g = (struct gate_case){ .what = "NS, other address",
					 .mode = modes[i], .verdict = XDP_PASS,
					 .counter = NSRP_CNT_PASS };
		g->in_len = pkt_ns(g->in, mac_client, 0, CLIENT6,
				   "2001:db8:1::2");
		g++;

		*g = (struct gate_case){ .what = "frame to the NIC's own MAC",
					 .mode = modes[i], .verdict = XDP_PASS,
					 .counter = NSRP_CNT_PASS };
		g->in_len = udp_to(g->in, mac_nic0, 0);
		g++;
	}

	/*
	 * Leaving (handing over): frames to the VSI MAC are still taken,
	 * but nothing is answered for; past its deadline, a backup.
	 */
	*g = (struct gate_case){ .what = "ARP request for a VSI, leaving",
				 .mode = M_LEAVING, .verdict = XDP_DROP,
				 .counter = NSRP_CNT_ND_IGNORED_LEAVING };
	g->in_len = pkt_arp(g->in, 1, mac_bcast, mac_client, 0, mac_client,
			    CLIENT4, mac_zero, VSI4);
	g++;
	*g = (struct gate_case){ .what = "NS for a VSI, leaving",
				 .mode = M_LEAVING, .verdict = XDP_DROP,
				 .counter = NSRP_CNT_ND_IGNORED_LEAVING };
	g->in_len = pkt_ns(g->in, mac_client, 0, CLIENT6, VSI6);
	g++;
	*g = (struct gate_case){ .what = "frame to the VSI MAC, leaving",
				 .mode = M_LEAVING, .verdict = XDP_PASS,
				 .counter = NSRP_CNT_VSI_ACCEPT };
	g->in_len = udp_to(g->in, mac_vsi0, 0);
	g->out_len = udp_to(g->out, mac_nic0, 0);
	g++;
	*g = (struct gate_case){ .what = "frame to the VSI MAC, left",
				 .mode = M_LEAVING_STALE, .verdict = XDP_DROP,
				 .counter = NSRP_CNT_VSI_DROP_BACKUP };
	g->in_len = udp_to(g->in, mac_vsi0, 0);
	g++;
	*g = (struct gate_case){ .what = "ARP request for a VSI, left",
				 .mode = M_LEAVING_STALE, .verdict = XDP_DROP,
				 .counter = NSRP_CNT_ND_IGNORED_BACKUP };
	g->in_len = pkt_arp(g->in, 1, mac_bcast, mac_client, 0, mac_client,
			    CLIENT4, mac_zero, VSI4);
	g++;

	*g = (struct gate_case){ .what = "tagged ARP request for a VSI",
				 .mode = M_MASTER, .verdict = XDP_TX,
				 .counter = NSRP_CNT_ARP_REPLY };
	g->in_len = pkt_arp(g->in, 1, mac_bcast, mac_client, 7, mac_client,
			    CLIENT4, mac_zero, VSI4);
	g->out_len = pkt_arp(g->out, 2, mac_client, mac_vsi0, 7, mac_vsi0,
			     VSI4, mac_client, CLIENT4);
	g++;

	*g = (struct gate_case){ .what = "ARP request padded to 60 bytes",
				 .mode = M_MASTER, .verdict = XDP_TX,
				 .counter = NSRP_CNT_ARP_REPLY };
	g->in_len = pkt_arp(g->in, 1, mac_bcast, mac_client, 0, mac_client,
			    CLIENT4, mac_zero, VSI4);
	g->out_len = pkt_arp(g->out, 2, mac_client, mac_vsi0, 0, mac_vsi0,
			     VSI4, mac_client, CLIENT4);
	memset(g->in + g->in_len, 0xee, 60 - g->in_len);
	memset(g->out + g->out_len, 0xee, 60 - g->out_len);
	g->in_len = g->out_len = 60;
	g++;

	*g = (struct gate_case){ .what = "gratuitous ARP request for a VSI",
				 .mode = M_MASTER, .verdict = XDP_DROP,
				 .counter = NSRP_CNT_GARP_IGNORED };
	g->in_len = pkt_arp(g->in, 1, mac_bcast, mac_vsi0, 0, mac_vsi0,
			    VSI4, mac_zero, VSI4);
	g++;

	*g = (struct gate_case){ .what = "gratuitous ARP request, other address",
				 .mode = M_MASTER, .verdict = XDP_PASS,
				 .counter = NSRP_CNT_PASS };
	g->in_len = pkt_arp(g->in, 1, mac_bcast, mac_client, 0, mac_client,
			    CLIENT4, mac_zero, CLIENT4);
	g++;

	*g = (struct gate_case){ .what = "ARP reply for a VSI address",
				 .mode = M_MASTER, .verdict = XDP_PASS,
				 .counter = NSRP_CNT_PASS };
	g->in_len = pkt_arp(g->in, 2, mac_bcast, mac_client, 0, mac_client,
			    VSI4, mac_zero, VSI4);
	g++;

	*g = (struct gate_case){ .what = "tagged NS for a VSI address",
				 .mode = M_MASTER, .verdict = XDP_TX,
				 .counter = NSRP_CNT_NS_REPLY };
	g->in_len = pkt_ns(g->in, mac_client, 7, CLIENT6, VSI6);
	g->out_len = pkt_na(g->out, mac_client, mac_vsi0, 7, VSI6, CLIENT6,
			    0xe0);
	g++;

	*g = (struct gate_case){ .what = "DAD NS for a VSI address",
				 .mode = M_MASTER, .verdict = XDP_TX,
				 .counter = NSRP_CNT_NS_REPLY };
	g->in_len = pkt_ns(g->in, mac_client, 0, "::", VSI6);
	g->out_len = pkt_na(g->out, mac_allnodes, mac_vsi0, 0, VSI6,
			    "ff02::1", 0xa0);
	g++;

	*g = (struct gate_case){ .what = "tagged frame to the VSI MAC",
				 .mode = M_MASTER, .verdict = XDP_PASS,
				 .counter = NSRP_CNT_VSI_ACCEPT };
	g->in_len = udp_to(g->in, mac_vsi0, 7);
	g->out_len = udp_to(g->out, mac_nic0, 7);
	g++;

	*g = (struct gate_case){ .what = "tagged frame to the VSI MAC, backup",
				 .mode = M_BACKUP, .verdict = XDP_DROP,
				 .counter = NSRP_CNT_VSI_DROP_BACKUP };
	g->in_len = udp_to(g->in, mac_vsi0, 7);
	g++;

	/* The gate reads the destination MAC only: it holds for the rest. */
	*g = (struct gate_case){ .what = "truncated tag to the VSI MAC, backup",
				 .mode = M_BACKUP, .verdict = XDP_DROP,
				 .counter = NSRP_CNT_VSI_DROP_BACKUP };
	udp_to(g->in, mac_vsi0, 7);
	g->in_len = 16;
	g++;

	*g = (struct gate_case){ .what = "truncated tag to the VSI MAC, master",
				 .mode = M_MASTER, .verdict = XDP_PASS,
				 .counter = NSRP_CNT_MALFORMED };
	g->in_len = udp_to(g->in, mac_vsi0, 7);
	g->out_len = udp_to(g->out, mac_nic0, 7);
	g->in_len = g->out_len = 16;
	g++;
	return g - gates;
}

static void test_vsi_gate(void)
{
	int n;

	if (!ready())
		return;
	sess_clear();
	n = gates_build();
	CU_ASSERT_FATAL(n <= (int)(sizeof(gates) / sizeof(gates[0])));
	for (int i = 0; i < n; i++) {
		struct gate_case *g = &gates[i];
		struct cnt_snap s;

		role_set(0, g->mode);
		cnt_take(&s);
		if (xdp_case(g->what, g->in, g->in_len, env.if0, g->verdict,
			     g->out_len ? g->out : NULL, g->out_len))
			fprintf(stderr, "  (case %d, role %d)\n", i, g->mode);
		if (cnt_delta(&s, g->counter) != 1) {
			fprintf(stderr, "  %s (role %d): counter %u not raised\n",
				g->what, g->mode, g->counter);
			CU_FAIL(g->what);
		}
		CU_ASSERT_EQUAL(cnt_delta(&s, NSRP_CNT_RX), 1);
	}
	role_set(0, M_MASTER);
}

/* A probe frame: Ethernet (tag vlan if not 0), then struct nsrp_probe. */
static size_t probe_frame(__u8 *b, const __u8 *dst, const __u8 *src,
			  __u16 vlan, const struct nsrp_probe *p)
{
	size_t off = 12;

	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	if (vlan) {
		b[off++] = 0x81;
		b[off++] = 0x00;
		b[off++] = vlan >> 8;
		b[off++] = vlan & 0xff;
	}
	b[off++] = NSRP_PROBE_ETHERTYPE >> 8;
	b[off++] = NSRP_PROBE_ETHERTYPE & 0xff;
	memcpy(b + off, p, sizeof(*p));
	return off + sizeof(*p);
}

/*
 * The dead-man switch: the NICs run nsrp_gate, which tail-calls nsrp_xdp
 * through the agent's program array. Emptied (as the kernel empties it
 * when the agent's process ends), the gate lets every master group go
 * at the first frame: the VSIs are no longer answered for.
 */
static void test_dead_man(void)
{
	int alive = 0, gate;
	__u32 zero = 0;
	struct nsrp_role_state r;
	struct cnt_snap s;
	__u8 in[PKT_MAX], out[PKT_MAX];
	size_t len, out_len;

	if (!ready())
		return;
	gate = bpf_program__fd(env.xdp->progs.nsrp_gate);
	alive = bpf_map__fd(env.xdp->maps.nsrp_alive);
	len = pkt_arp(in, 1, mac_bcast, mac_client, 0, mac_client, CLIENT4,
		      mac_zero, VSI4);
	out_len = pkt_arp(out, 2, mac_client, mac_vsi0, 0, mac_vsi0, VSI4,
			  mac_client, CLIENT4);

	/* Pledged: the gate is nsrp_xdp. */
	CU_ASSERT_EQUAL_FATAL(bpf_map_update_elem(alive, &zero, &env.xdp_fd,
						  BPF_ANY), 0);
	role_set(0, M_MASTER);
	cnt_take(&s);
	CU_ASSERT_EQUAL(pkt_case_run(gate, &(struct pkt_case){
		.what = "gate, agent alive: ARP for a VSI answered",
		.in = in, .in_len = len, .verdict = XDP_TX, .out = out,
		.out_len = out_len, .ifindex = env.if0 }, NULL), 0);
	CU_ASSERT_EQUAL(cnt_delta(&s, NSRP_CNT_ORPHANED), 0);

	/* The agent is gone: its program array is empty. */
	CU_ASSERT_EQUAL_FATAL(bpf_map_delete_elem(alive, &zero), 0);
	cnt_take(&s);
	CU_ASSERT_EQUAL(pkt_case_run(gate, &(struct pkt_case){
		.what = "gate, agent gone: ARP for a VSI dropped",
		.in = in, .in_len = len, .verdict = XDP_DROP,
		.ifindex = env.if0 }, NULL), 0);
	CU_ASSERT_EQUAL(cnt_delta(&s, NSRP_CNT_ORPHANED), 1);
	CU_ASSERT_EQUAL(cnt_delta(&s, NSRP_CNT_ND_IGNORED_BACKUP), 1);
	CU_ASSERT_EQUAL(bpf_map_lookup_elem(bpf_map__fd(env.xdp->maps.nsrp_role),
					    &zero, &r), 0);
	CU_ASSERT_EQUAL(r.role, NSRP_ROLE_BACKUP);
	len = udp_to(in, mac_vsi0, 0);
	CU_ASSERT_EQUAL(pkt_case_run(gate, &(struct pkt_case){
		.what = "gate, agent gone: a frame to the VSI MAC dropped",
		.in = in, .in_len = len, .verdict = XDP_DROP,
		.ifindex = env.if0 }, NULL), 0);
	len = udp_to(in, mac_nic0, 0);
	CU_ASSERT_EQUAL(pkt_case_run(gate, &(struct pkt_case){
		.what = "gate, agent gone: the NIC's own traffic passes",
		.in = in, .in_len = len, .verdict = XDP_PASS,
		.ifindex = env.if0 }, NULL), 0);
	CU_ASSERT_EQUAL(cnt_delta(&s, NSRP_CNT_ORPHANED), 1);	/* once */

	/* A probe through the gate says the agent is gone. */
	{
		struct nsrp_probe req = {
			.version = NSRP_PROBE_VERSION,
			.op = NSRP_PROBE_REQUEST,
			.cluster_id = htonl(PROBE_CLUSTER), .seq = htonl(9),
		}, rep = req;

		rep.op = NSRP_PROBE_REPLY;
		rep.unit_id = htonl(PROBE_UNIT);
		rep.flags = NSRP_PROBE_F_ORPHAN;
		len = probe_frame(in, mac_bcast, mac_client, 0, &req);
		out_len = probe_frame(out, mac_client, mac_nic0, 0, &rep);
		CU_ASSERT_EQUAL(pkt_case_run(gate, &(struct pkt_case){
			.what = "gate, agent gone: a probe says so",
			.in = in, .in_len = len, .verdict = XDP_TX, .out = out,
			.out_len = out_len, .ifindex = env.if0 }, NULL), 0);
	}

	/* A group handing over is let go as well. */
	role_set(0, M_LEAVING);
	cnt_take(&s);
	len = udp_to(in, mac_vsi0, 0);
	CU_ASSERT_EQUAL(pkt_case_run(gate, &(struct pkt_case){
		.what = "gate, agent gone: leaving, a frame to the VSI dropped",
		.in = in, .in_len = len, .verdict = XDP_DROP,
		.ifindex = env.if0 }, NULL), 0);
	CU_ASSERT_EQUAL(cnt_delta(&s, NSRP_CNT_ORPHANED), 1);
	CU_ASSERT_EQUAL(bpf_map_lookup_elem(bpf_map__fd(env.xdp->maps.nsrp_role),
					    &zero, &r), 0);
	CU_ASSERT_EQUAL(r.role, NSRP_ROLE_BACKUP);
	CU_ASSERT_EQUAL(bpf_map_update_elem(alive, &zero, &env.xdp_fd,
					    BPF_ANY), 0);
	role_set(0, M_MASTER);
}

/* ------------------------------------------------------------- probes */


/*
 * The peer's probe is answered by the data plane itself, from the NIC's
 * own MAC, with the groups it answers for and those it hands over; a
 * probe of another cluster, and an answer, pass to the stack.
 */
static void test_probe(void)
{
	struct nsrp_probe req = {
		.version = NSRP_PROBE_VERSION, .op = NSRP_PROBE_REQUEST,
		.cluster_id = htonl(PROBE_CLUSTER), .unit_id = htonl(5),
		.seq = htonl(1234), .sent_ns = 0x1122334455667788ULL,
	}, rep;
	static const struct {
		const char *what;
		int mode0, mode1;
		__u8 masters, leaving;
		__u16 vlan;
	} cases[] = {
		{ "probe, group 0 master", M_MASTER, M_BACKUP, 1, 0, 0 },
		{ "probe, 0 stale, 1 master", M_STALE, M_MASTER, 2, 0, 0 },
		{ "probe, 0 master, 1 leaving", M_MASTER, M_LEAVING, 1, 2, 0 },
		{ "probe, 0 left, 1 backup", M_LEAVING_STALE, M_BACKUP, 0, 0, 0 },
		{ "tagged probe, group 0 master", M_MASTER, M_BACKUP, 1, 0, 7 },
	};
	__u8 in[PKT_MAX], out[PKT_MAX];
	struct cnt_snap cs;
	size_t n;

	if (!ready())
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		role_set(0, cases[i].mode0);
		role_set(1, cases[i].mode1);
		n = probe_frame(in, mac_bcast, mac_client, cases[i].vlan, &req);
		rep = req;
		rep.op = NSRP_PROBE_REPLY;
		rep.masters = cases[i].masters;
		rep.leaving = cases[i].leaving;
		rep.unit_id = htonl(PROBE_UNIT);
		probe_frame(out, mac_client, mac_nic0, cases[i].vlan, &rep);
		cnt_take(&cs);
		xdp_case(cases[i].what, in, n, env.if0, XDP_TX, out, n);
		CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_PROBE_ANSWERED), 1);
	}
	role_set(1, M_BACKUP);

	/* Another cluster's probe, an answer, a short one: the stack's. */
	rep = req;
	rep.cluster_id = htonl(PROBE_CLUSTER + 1);
	n = probe_frame(in, mac_bcast, mac_client, 0, &rep);
	cnt_take(&cs);
	xdp_case("probe of another cluster", in, n, env.if0, XDP_PASS, in, n);
	CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_PASS), 1);
	rep = req;
	rep.op = NSRP_PROBE_REPLY;
	n = probe_frame(in, mac_nic0, mac_client, 0, &rep);
	xdp_case("probe answer", in, n, env.if0, XDP_PASS, in, n);
	CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_PASS), 2);
	n = probe_frame(in, mac_bcast, mac_client, 0, &req) - 4;
	xdp_case("truncated probe", in, n, env.if0, XDP_PASS, in, n);
	CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_MALFORMED), 1);
	CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_PROBE_ANSWERED), 0);
	role_set(0, M_MASTER);
}

/* ------------------------------------------------------------ sessions */

#define TF_FIN 0x01
#define TF_SYN 0x02
#define TF_RST 0x04
#define TF_PSH 0x08
#define TF_ACK 0x10

struct tflow {
	int v6;
	__u8 proto;
	__u16 cport, sport;	/* client and server ports; ICMP: echo id */
	const char *server;	/* NULL: SERVER4 / SERVER6 */
	__u16 payload;
	__u8 ttl;
	__u16 vlan;
	__u16 frag_off;
	int opts;
};

/*
 * A packet of the flow: dir 0 client to server (arriving on dataplane0 to
 * the VSI MAC), dir 1 the reply (on dataplane1). fwd: the frame as XDP
 * must forward it (next hop's MAC, egress VSI MAC, TTL - 1).
 */
static size_t flow_pkt(__u8 *b, const struct tflow *f, int dir, __u8 tcpfl,
		       int fwd)
{
	const char *cli = f->v6 ? CLIENT6 : CLIENT4;
	const char *srv = f->server ? f->server : f->v6 ? SERVER6 : SERVER4;
	struct pkt_spec s = { .v6 = f->v6, .proto = f->proto,
			      .tcp_flags = tcpfl, .payload = f->payload,
			      .vlan = f->vlan, .frag_off = f->frag_off,
			      .ip_opts = f->opts && !f->v6,
			      .v6_hbh = f->opts && f->v6 };
	__u8 ttl = f->ttl ? f->ttl : 64;

	s.saddr = dir ? srv : cli;
	s.daddr = dir ? cli : srv;
	s.sport = dir ? f->sport : f->cport;
	s.dport = dir ? f->cport : f->sport;
	if (f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6) {
		s.sport = f->cport;
		if (f->v6)
			s.icmp_type = dir ? 129 : 128;
		else
			s.icmp_type = dir ? 0 : 8;
	}
	s.ttl = fwd ? ttl - 1 : ttl;
	if (fwd) {
		memcpy(s.dst, dir ? mac_client : mac_server, 6);
		memcpy(s.src, dir ? mac_vsi0 : mac_vsi1, 6);
	} else {
		memcpy(s.dst, dir ? mac_vsi1 : mac_vsi0, 6);
		memcpy(s.src, dir ? mac_server : mac_client, 6);
	}
	return pkt_build(&s, b);
}

static void flow_key(const struct tflow *f, struct nsrp_sess_key *k,
		     int *client_is_a)
{
	const char *cli = f->v6 ? CLIENT6 : CLIENT4;
	const char *srv = f->server ? f->server : f->v6 ? SERVER6 : SERVER4;
	int icmp = f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6;
	int a = key_of(k, f->v6, f->proto, cli, f->cport, srv,
		       icmp ? f->cport : f->sport);

	if (client_is_a)
		*client_is_a = a;
}

static __u32 ifx_of(int dir)
{
	return dir ? env.if1 : env.if0;
}

static __u64 timeout_of(__u8 st)
{
	switch (st) {
	case NSRP_SS_SYN_SENT:
	case NSRP_SS_SYN_RECV:
		return 20 * NS_PER_SEC;
	case NSRP_SS_ESTABLISHED:
		return 1800 * NS_PER_SEC;
	case NSRP_SS_FIN_WAIT:
	case NSRP_SS_CLOSING:
		return 10 * NS_PER_SEC;
	case NSRP_SS_UDP:
	case NSRP_SS_UDP_REPLIED:
	case NSRP_SS_ICMP:
		return 60 * NS_PER_SEC;
	default:
		return 2 * NS_PER_SEC;
	}
}

/*
 * The data plane reads the clock coarse (bpf/consts.h): its "now" may lag
 * CLOCK_MONOTONIC by a timer tick, 4 ms at HZ=250, 10 ms at HZ=100.
 */
#define CLOCK_SLACK_NS (10 * 1000 * 1000ULL)

/* The entry's expiry lies within [t0, t1] + the state's timeout. */
static int expiry_ok(const struct nsrp_sess *s, __u64 t0, __u64 t1)
{
	__u64 to = timeout_of(s->state);

	return s->expires_ns >= t0 - CLOCK_SLACK_NS + to &&
	       s->expires_ns <= t1 + to;
}

/* Exactly one event of this kind, carrying the map's entry; or none. */
static void expect_event(const char *what, __u8 kind,
			 const struct nsrp_sess_key *k,
			 const struct nsrp_sess *s)
{
	int n = events_get();

	if (!kind) {
		if (n)
			fprintf(stderr, "  %s: %d unexpected events\n", what, n);
		CU_ASSERT_EQUAL(n, 0);
		return;
	}
	if (n != 1 || env.ev[0].kind != kind) {
		fprintf(stderr, "  %s: %d events, first kind %u, want one %u\n",
			what, n, n ? env.ev[0].kind : 0, kind);
		CU_FAIL(what);
		return;
	}
	CU_ASSERT(!memcmp(&env.ev[0].key, k, sizeof(*k)));
	if (s)
		CU_ASSERT(!memcmp(&env.ev[0].sess, s, sizeof(*s)));
	CU_ASSERT(env.ev[0].ts_ns > 0 && env.ev[0].ts_ns <= now_ns());
}

/* Runs one forwarded packet of f through XDP and checks the result. */
static void xdp_fwd(const char *what, const struct tflow *f, int dir,
		    __u8 tcpfl)
{
	__u8 in[PKT_MAX], out[PKT_MAX];
	size_t n = flow_pkt(in, f, dir, tcpfl, 0);

	flow_pkt(out, f, dir, tcpfl, 1);
	xdp_case(what, in, n, ifx_of(dir), XDP_REDIRECT, out, n);
}

struct tcp_step {
	const char *what;
	int dir;
	__u8 tcp;
	__u8 state;
	__u8 fin;		/* NSRP_SF_FIN_* expected */
	__u8 event;
};

static const struct tcp_step tcp_steps[] = {
	{ "SYN-ACK", 1, TF_SYN | TF_ACK, NSRP_SS_SYN_RECV, 0, NSRP_EV_STATE },
	{ "ACK", 0, TF_ACK, NSRP_SS_ESTABLISHED, 0, NSRP_EV_STATE },
	{ "data", 0, TF_ACK | TF_PSH, NSRP_SS_ESTABLISHED, 0, 0 },
	{ "data back", 1, TF_ACK | TF_PSH, NSRP_SS_ESTABLISHED, 0, 0 },
	{ "FIN from initiator", 0, TF_FIN | TF_ACK, NSRP_SS_FIN_WAIT,
	  NSRP_SF_FIN_ORIG, NSRP_EV_STATE },
	{ "ACK of the FIN", 1, TF_ACK, NSRP_SS_FIN_WAIT, NSRP_SF_FIN_ORIG, 0 },
	{ "FIN from responder", 1, TF_FIN | TF_ACK, NSRP_SS_CLOSING,
	  NSRP_SF_FIN_ORIG | NSRP_SF_FIN_REPLY, NSRP_EV_STATE },
	{ "last ACK", 0, TF_ACK, NSRP_SS_TIME_WAIT,
	  NSRP_SF_FIN_ORIG | NSRP_SF_FIN_REPLY, NSRP_EV_STATE },
};

/* A whole TCP connection: learned by tc, then carried by XDP. */
static void tcp_connection(int v6)
{
	struct tflow f = { .v6 = v6, .proto = IPPROTO_TCP, .cport = 40000,
			   .sport = 80, .payload = 10 };
	struct nsrp_sess_key k;
	struct nsrp_sess s;
	__u8 in[PKT_MAX];
	__u64 pkts[2] = { 1, 0 }, t0;
	int a, n;

	sess_clear();
	role_set(0, M_MASTER);
	flow_key(&f, &k, &a);
	n = flow_pkt(in, &f, 0, TF_SYN, 1);
	t0 = now_ns();
	tc_run(in, n, env.if0, env.if1);
	CU_ASSERT_FATAL(sess_get(&k, &s) == 0);
	CU_ASSERT_EQUAL(s.state, NSRP_SS_SYN_SENT);
	CU_ASSERT_EQUAL(s.flags, a ? 0 : NSRP_SF_INIT_IS_B);
	CU_ASSERT_EQUAL(s.vsd, 0);
	CU_ASSERT(s.pkts[0] == 1 && s.pkts[1] == 0 && s.bytes[0] == (__u64)n);
	CU_ASSERT(expiry_ok(&s, t0, now_ns()));
	expect_event("SYN learned", NSRP_EV_CREATE, &k, &s);

	for (size_t i = 0; i < sizeof(tcp_steps) / sizeof(*tcp_steps); i++) {
		const struct tcp_step *st = &tcp_steps[i];

		t0 = now_ns();
		xdp_fwd(st->what, &f, st->dir, st->tcp);
		pkts[st->dir]++;
		CU_ASSERT_FATAL(sess_get(&k, &s) == 0);
		if (s.state != st->state)
			fprintf(stderr, "  %s: state %u, want %u\n", st->what,
				s.state, st->state);
		CU_ASSERT_EQUAL(s.state, st->state);
		CU_ASSERT_EQUAL(s.flags & ~NSRP_SF_INIT_IS_B, st->fin);
		CU_ASSERT(s.pkts[0] == pkts[0] && s.pkts[1] == pkts[1]);
		CU_ASSERT(expiry_ok(&s, t0, now_ns()));
		expect_event(st->what, st->event, &k, &s);
	}

	/* A new SYN on a closed connection is the kernel's to judge. */
	n = flow_pkt(in, &f, 0, TF_SYN, 0);
	memcpy(in, mac_nic0, 6);
	{
		__u8 syn[PKT_MAX];

		flow_pkt(syn, &f, 0, TF_SYN, 0);
		xdp_case("SYN after time-wait", syn, n, env.if0, XDP_PASS,
			 in, n);
	}
	CU_ASSERT_EQUAL(sess_get(&k, &s), -ENOENT);
	expect_event("SYN after time-wait", NSRP_EV_DELETE, &k, NULL);
}

static void test_tcp_connection_v4(void)
{
	if (ready())
		tcp_connection(0);
}

static void test_tcp_connection_v6(void)
{
	if (ready())
		tcp_connection(1);
}

struct tcp_trans {
	const char *what;
	__u8 from, from_fin;
	int dir;
	__u8 tcp;
	__u8 to, to_fin;
};

static const struct tcp_trans tcp_trans[] = {
	{ "SYN retransmitted", NSRP_SS_SYN_SENT, 0, 0, TF_SYN,
	  NSRP_SS_SYN_SENT, 0 },
	{ "SYN-ACK from the initiator", NSRP_SS_SYN_SENT, 0, 0,
	  TF_SYN | TF_ACK, NSRP_SS_SYN_SENT, 0 },
	{ "SYN-ACK", NSRP_SS_SYN_SENT, 0, 1, TF_SYN | TF_ACK,
	  NSRP_SS_SYN_RECV, 0 },
	{ "SYN-ACK retransmitted", NSRP_SS_SYN_RECV, 0, 1, TF_SYN | TF_ACK,
	  NSRP_SS_SYN_RECV, 0 },
	{ "ACK from the responder", NSRP_SS_SYN_RECV, 0, 1, TF_ACK,
	  NSRP_SS_SYN_RECV, 0 },
	{ "handshake ACK", NSRP_SS_SYN_RECV, 0, 0, TF_ACK,
	  NSRP_SS_ESTABLISHED, 0 },
	{ "RST in SYN_SENT", NSRP_SS_SYN_SENT, 0, 1, TF_RST | TF_ACK,
	  NSRP_SS_CLOSED, 0 },
	{ "RST in SYN_RECV", NSRP_SS_SYN_RECV, 0, 0, TF_RST,
	  NSRP_SS_CLOSED, 0 },
	{ "RST established", NSRP_SS_ESTABLISHED, 0, 1, TF_RST,
	  NSRP_SS_CLOSED, 0 },
	{ "FIN from responder", NSRP_SS_ESTABLISHED, 0, 1, TF_FIN | TF_ACK,
	  NSRP_SS_FIN_WAIT, NSRP_SF_FIN_REPLY },
	{ "FIN retransmitted", NSRP_SS_FIN_WAIT, NSRP_SF_FIN_ORIG, 0,
	  TF_FIN | TF_ACK, NSRP_SS_FIN_WAIT, NSRP_SF_FIN_ORIG },
	{ "second FIN from initiator", NSRP_SS_FIN_WAIT, NSRP_SF_FIN_REPLY, 0,
	  TF_FIN | TF_ACK, NSRP_SS_CLOSING,
	  NSRP_SF_FIN_ORIG | NSRP_SF_FIN_REPLY },
	{ "RST closing", NSRP_SS_FIN_WAIT, NSRP_SF_FIN_ORIG, 1, TF_RST,
	  NSRP_SS_CLOSED, NSRP_SF_FIN_ORIG },
	{ "last ACK from responder", NSRP_SS_CLOSING,
	  NSRP_SF_FIN_ORIG | NSRP_SF_FIN_REPLY, 1, TF_ACK, NSRP_SS_TIME_WAIT,
	  NSRP_SF_FIN_ORIG | NSRP_SF_FIN_REPLY },
	{ "ACK in time-wait", NSRP_SS_TIME_WAIT, 0, 0, TF_ACK,
	  NSRP_SS_TIME_WAIT, 0 },
	{ "ACK after RST", NSRP_SS_CLOSED, 0, 1, TF_ACK, NSRP_SS_CLOSED, 0 },
};

/* Each transition from a given entry, both families. */
static void test_tcp_transitions(void)
{
	if (!ready())
		return;
	role_set(0, M_MASTER);
	for (int v6 = 0; v6 < 2; v6++)
		for (size_t i = 0; i < sizeof(tcp_trans) / sizeof(*tcp_trans);
		     i++) {
			const struct tcp_trans *t = &tcp_trans[i];
			struct tflow f = { .v6 = v6, .proto = IPPROTO_TCP,
					   .cport = 1024 + i, .sport = 443 };
			struct nsrp_sess s = { .state = t->from };
			struct nsrp_sess_key k;
			__u64 t0 = now_ns();
			int a;

			sess_clear();
			flow_key(&f, &k, &a);
			s.flags = t->from_fin | (a ? 0 : NSRP_SF_INIT_IS_B);
			s.expires_ns = t0 + 60 * NS_PER_SEC;
			s.refreshed_ns = t0;
			sess_put(&k, &s);
			xdp_fwd(t->what, &f, t->dir, t->tcp);
			CU_ASSERT_FATAL(sess_get(&k, &s) == 0);
			if (s.state != t->to)
				fprintf(stderr, "  %s: state %u want %u\n",
					t->what, s.state, t->to);
			CU_ASSERT_EQUAL(s.state, t->to);
			CU_ASSERT_EQUAL(s.flags & ~NSRP_SF_INIT_IS_B,
					t->to_fin);
			CU_ASSERT(expiry_ok(&s, t0, now_ns()));
			expect_event(t->what,
				     t->to != t->from || t->to_fin != t->from_fin
					     ? NSRP_EV_STATE : 0,
				     &k, &s);
		}
}

/* UDP and ICMP echo, both families: learned, replied, carried. */
static void test_udp_icmp(void)
{
	if (!ready())
		return;
	role_set(0, M_MASTER);
	for (int v6 = 0; v6 < 2; v6++) {
		struct tflow u = { .v6 = v6, .proto = IPPROTO_UDP,
				   .cport = 5000, .sport = 53, .payload = 20 };
		struct tflow ic = { .v6 = v6, .cport = 0x4242, .payload = 56,
				    .proto = v6 ? IPPROTO_ICMPV6 :
						  IPPROTO_ICMP };
		struct nsrp_sess_key k;
		struct nsrp_sess s;
		__u8 in[PKT_MAX];
		size_t n;

		sess_clear();
		flow_key(&u, &k, NULL);
		n = flow_pkt(in, &u, 0, 0, 1);
		tc_run(in, n, env.if0, env.if1);
		CU_ASSERT_FATAL(sess_get(&k, &s) == 0);
		CU_ASSERT_EQUAL(s.state, NSRP_SS_UDP);
		expect_event("UDP learned", NSRP_EV_CREATE, &k, &s);
		xdp_fwd("UDP reply", &u, 1, 0);
		CU_ASSERT_FATAL(sess_get(&k, &s) == 0);
		CU_ASSERT_EQUAL(s.state, NSRP_SS_UDP_REPLIED);
		CU_ASSERT(s.pkts[0] == 1 && s.pkts[1] == 1);
		expect_event("UDP reply", NSRP_EV_STATE, &k, &s);
		xdp_fwd("UDP again", &u, 0, 0);
		CU_ASSERT_FATAL(sess_get(&k, &s) == 0);
		CU_ASSERT_EQUAL(s.state, NSRP_SS_UDP_REPLIED);
		CU_ASSERT(s.pkts[0] == 2 && s.bytes[0] == 2 * n);
		expect_event("UDP again", 0, &k, &s);

		flow_key(&ic, &k, NULL);
		n = flow_pkt(in, &ic, 0, 0, 1);
		tc_run(in, n, env.if0, env.if1);
		CU_ASSERT_FATAL(sess_get(&k, &s) == 0);
		CU_ASSERT_EQUAL(s.state, NSRP_SS_ICMP);
		expect_event("echo learned", NSRP_EV_CREATE, &k, &s);
		xdp_fwd("echo reply", &ic, 1, 0);
		xdp_fwd("echo request", &ic, 0, 0);
		CU_ASSERT_FATAL(sess_get(&k, &s) == 0);
		CU_ASSERT(s.pkts[0] == 2 && s.pkts[1] == 1);
		expect_event("echo", 0, &k, &s);
	}
}

/* No entry: the frame (to the VSI MAC) goes up with the NIC's MAC. */
static void test_miss(void)
{
	static const __u8 protos[2][3] = {
		{ IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP },
		{ IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6 },
	};

	if (!ready())
		return;
	role_set(0, M_MASTER);
	sess_clear();
	for (int v6 = 0; v6 < 2; v6++)
		for (int p = 0; p < 3; p++)
			for (int dir = 0; dir < 2; dir++) {
				struct tflow f = { .v6 = v6,
						   .proto = protos[v6][p],
						   .cport = 7000, .sport = 80 };
				__u8 in[PKT_MAX], out[PKT_MAX];
				size_t n = flow_pkt(in, &f, dir, TF_ACK, 0);
				struct cnt_snap s;

				memcpy(out, in, n);
				memcpy(out, dir ? mac_nic1 : mac_nic0, 6);
				cnt_take(&s);
				xdp_case("miss", in, n, ifx_of(dir), XDP_PASS,
					 out, n);
				CU_ASSERT_EQUAL(cnt_delta(&s,
						NSRP_CNT_SESS_MISS), 1);
			}
	CU_ASSERT_EQUAL(events_get(), 0);
}

struct fb_case {
	const char *what;
	struct tflow f;
	__u32 counter;
	int tracked;		/* the entry counts the packet */
};

static const struct fb_case fb_cases[] = {
	{ "no neighbour", { .proto = IPPROTO_UDP, .cport = 1, .sport = 2,
			    .server = "198.51.100.30" },
	  NSRP_CNT_FB_NO_NEIGH, 1 },
	{ "no route", { .proto = IPPROTO_UDP, .cport = 1, .sport = 2,
			.server = "203.0.113.200" }, NSRP_CNT_FB_FIB, 1 },
	{ "over the egress MTU", { .proto = IPPROTO_UDP, .cport = 1,
				   .sport = 2, .server = "203.0.113.20",
				   .payload = 1300 }, NSRP_CNT_FB_MTU, 1 },
	{ "egress not a cluster NIC", { .proto = IPPROTO_UDP, .cport = 1,
					.sport = 2, .server = "203.0.113.20" },
	  NSRP_CNT_FB_NOT_CLUSTER, 1 },
	{ "TTL 1", { .proto = IPPROTO_UDP, .cport = 1, .sport = 2, .ttl = 1 },
	  NSRP_CNT_FB_TTL, 1 },
	{ "hop limit 1", { .v6 = 1, .proto = IPPROTO_UDP, .cport = 1,
			   .sport = 2, .ttl = 1 }, NSRP_CNT_FB_TTL, 1 },
	{ "tagged", { .proto = IPPROTO_TCP, .cport = 1, .sport = 2,
		      .vlan = 9 }, NSRP_CNT_FB_VLAN, 1 },
	{ "tagged v6", { .v6 = 1, .proto = IPPROTO_UDP, .cport = 1,
			 .sport = 2, .vlan = 9 }, NSRP_CNT_FB_VLAN, 1 },
	{ "first fragment", { .proto = IPPROTO_UDP, .cport = 1, .sport = 2,
			      .frag_off = 0x2000 }, NSRP_CNT_FB_FRAG, 0 },
	{ "IPv4 options", { .proto = IPPROTO_UDP, .cport = 1, .sport = 2,
			    .opts = 1 }, NSRP_CNT_FB_IP_OPTS, 0 },
	{ "IPv6 hop-by-hop", { .v6 = 1, .proto = IPPROTO_UDP, .cport = 1,
			       .sport = 2, .opts = 1 },
	  NSRP_CNT_FB_IP_OPTS, 0 },
};

/* A hit that XDP cannot forward goes up, tracked where it could parse. */
static void test_fallbacks(void)
{
	if (!ready())
		return;
	role_set(0, M_MASTER);
	for (size_t i = 0; i < sizeof(fb_cases) / sizeof(*fb_cases); i++) {
		const struct fb_case *c = &fb_cases[i];
		struct nsrp_sess s = { .state = NSRP_SS_UDP };
		struct nsrp_sess_key k;
		__u8 in[PKT_MAX], out[PKT_MAX];
		size_t n = flow_pkt(in, &c->f, 0, TF_ACK, 0);
		struct cnt_snap cs;
		int a;

		sess_clear();
		flow_key(&c->f, &k, &a);
		s.flags = a ? 0 : NSRP_SF_INIT_IS_B;
		s.state = c->f.proto == IPPROTO_TCP ? NSRP_SS_ESTABLISHED :
						      NSRP_SS_UDP;
		s.expires_ns = now_ns() + 60 * NS_PER_SEC;
		s.refreshed_ns = now_ns();
		sess_put(&k, &s);
		memcpy(out, in, n);
		memcpy(out, mac_nic0, 6);
		cnt_take(&cs);
		xdp_case(c->what, in, n, env.if0, XDP_PASS, out, n);
		if (cnt_delta(&cs, c->counter) != 1) {
			fprintf(stderr, "  %s: counter %u not raised\n",
				c->what, c->counter);
			CU_FAIL(c->what);
		}
		CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_FWD), 0);
		CU_ASSERT_FATAL(sess_get(&k, &s) == 0);
		CU_ASSERT_EQUAL(s.pkts[0], c->tracked ? 1 : 0);
		events_drain();
	}
}

/*
 * Handing over: the sessions of a leaving group are still forwarded, but
 * from the egress NIC's own MAC, so that no switch learns the VSI MAC
 * behind this unit again.
 */
static void test_leaving_forward(void)
{
	struct tflow f = { .proto = IPPROTO_UDP, .cport = 7000, .sport = 53,
			   .payload = 20 };
	struct nsrp_sess s = { .state = NSRP_SS_UDP_REPLIED };
	struct nsrp_sess_key k;
	__u8 in[PKT_MAX], out[PKT_MAX];
	struct cnt_snap cs;
	size_t n;
	int a;

	if (!ready())
		return;
	sess_clear();
	flow_key(&f, &k, &a);
	s.flags = a ? 0 : NSRP_SF_INIT_IS_B;
	s.expires_ns = now_ns() + 60 * NS_PER_SEC;
	s.refreshed_ns = now_ns();
	sess_put(&k, &s);
	for (int dir = 0; dir < 2; dir++) {
		role_set(0, M_LEAVING);
		n = flow_pkt(in, &f, dir, 0, 0);
		flow_pkt(out, &f, dir, 0, 1);
		memcpy(out + 6, dir ? mac_nic0 : mac_nic1, 6);
		cnt_take(&cs);
		xdp_case(dir ? "leaving, forwarded back" : "leaving, forwarded",
			 in, n, ifx_of(dir), XDP_REDIRECT, out, n);
		CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_FWD), 1);
		CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_FWD_LEAVING), 1);

		/* As master, from the VSI MAC again. */
		role_set(0, M_MASTER);
		flow_pkt(out, &f, dir, 0, 1);
		cnt_take(&cs);
		xdp_case("master, forwarded", in, n, ifx_of(dir), XDP_REDIRECT,
			 out, n);
		CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_FWD_LEAVING), 0);
	}
	events_drain();
}

/* An entry owned by a group that is not master is not carried. */
static void test_not_master_group(void)
{
	struct tflow f = { .proto = IPPROTO_TCP, .cport = 3, .sport = 4 };
	struct nsrp_sess s = { .state = NSRP_SS_ESTABLISHED, .vsd = 1 };
	struct nsrp_sess_key k;
	__u8 in[PKT_MAX], out[PKT_MAX];
	size_t n = flow_pkt(in, &f, 0, TF_ACK, 0);
	struct cnt_snap cs;
	int a;

	if (!ready())
		return;
	role_set(0, M_MASTER);
	sess_clear();
	for (int i = 0; i < 3; i++) {
		static const int modes[3] = { M_BACKUP, M_STALE,
					      M_LEAVING_STALE };

		role_set(1, modes[i]);
		flow_key(&f, &k, &a);
		s.flags = a ? 0 : NSRP_SF_INIT_IS_B;
		s.expires_ns = now_ns() + 60 * NS_PER_SEC;
		s.refreshed_ns = now_ns();
		sess_put(&k, &s);
		memcpy(out, in, n);
		memcpy(out, mac_nic0, 6);
		cnt_take(&cs);
		xdp_case("group not master", in, n, env.if0, XDP_PASS, out, n);
		CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_FB_NOT_MASTER), 1);
		CU_ASSERT_FATAL(sess_get(&k, &s) == 0);
		CU_ASSERT_EQUAL(s.pkts[0], 0);
		CU_ASSERT_EQUAL(events_get(), 0);
	}
}

/* Expired entries are deleted on lookup; refresh events are rate-limited. */
static void test_expiry_refresh(void)
{
	struct tflow f = { .proto = IPPROTO_TCP, .cport = 5, .sport = 6 };
	struct nsrp_sess s = { .state = NSRP_SS_ESTABLISHED, .expires_ns = 1 };
	struct nsrp_sess_key k;
	struct cnt_snap cs;
	__u8 in[PKT_MAX], out[PKT_MAX];
	size_t n = flow_pkt(in, &f, 0, TF_ACK, 0);
	int a;

	if (!ready())
		return;
	role_set(0, M_MASTER);
	sess_clear();
	flow_key(&f, &k, &a);
	s.flags = a ? 0 : NSRP_SF_INIT_IS_B;
	sess_put(&k, &s);
	memcpy(out, in, n);
	memcpy(out, mac_nic0, 6);
	cnt_take(&cs);
	xdp_case("expired entry", in, n, env.if0, XDP_PASS, out, n);
	CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_SESS_EXPIRED), 1);
	CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_SESS_MISS), 1);
	CU_ASSERT_EQUAL(sess_get(&k, &s), -ENOENT);
	s.flags = a ? 0 : NSRP_SF_INIT_IS_B;
	expect_event("expired entry", NSRP_EV_DELETE, &k, &s);

	s.expires_ns = now_ns() + 60 * NS_PER_SEC;
	s.refreshed_ns = now_ns() - 11 * NS_PER_SEC;
	sess_put(&k, &s);
	xdp_fwd("refresh due", &f, 0, TF_ACK);
	CU_ASSERT_FATAL(sess_get(&k, &s) == 0);
	CU_ASSERT(s.refreshed_ns > now_ns() - NS_PER_SEC);
	expect_event("refresh due", NSRP_EV_REFRESH, &k, &s);
	xdp_fwd("refresh not due", &f, 1, TF_ACK);
	expect_event("refresh not due", 0, &k, NULL);
}

/* The learner learns forwarded packets leaving cluster NICs only. */
static void test_learner_filters(void)
{
	struct tflow f = { .proto = IPPROTO_TCP, .cport = 7, .sport = 8 };
	struct nsrp_sess_key k;
	struct nsrp_sess s;
	__u8 in[PKT_MAX];
	size_t n;

	if (!ready())
		return;
	sess_clear();
	flow_key(&f, &k, NULL);
	n = flow_pkt(in, &f, 0, TF_SYN, 1);
	tc_run(in, n, 0, env.if1);
	CU_ASSERT_EQUAL(sess_get(&k, &s), -ENOENT);
	tc_run(in, n, env.if0, env.if2);
	CU_ASSERT_EQUAL(sess_get(&k, &s), -ENOENT);
	n = flow_pkt(in, &f, 0, TF_RST, 1);
	tc_run(in, n, env.if0, env.if1);
	CU_ASSERT_EQUAL(sess_get(&k, &s), -ENOENT);
	CU_ASSERT_EQUAL(events_get(), 0);
	/* Mid-stream: the kernel let it through, so it is established. */
	n = flow_pkt(in, &f, 0, TF_ACK, 1);
	tc_run(in, n, env.if0, env.if1);
	CU_ASSERT_FATAL(sess_get(&k, &s) == 0);
	CU_ASSERT_EQUAL(s.state, NSRP_SS_ESTABLISHED);
	expect_event("mid-stream learned", NSRP_EV_CREATE, &k, &s);
	/* A second pass of a known flow changes nothing. */
	tc_run(in, n, env.if0, env.if1);
	CU_ASSERT_EQUAL(events_get(), 0);
}

/*
 * Every prefix of every valid frame: PASS or DROP only, the output the
 * input (or with the VSI destination rewritten), and no entry touched.
 */
static void test_prefixes(void)
{
	struct tflow flows[] = {
		{ .proto = IPPROTO_TCP, .cport = 9, .sport = 10, .payload = 4 },
		{ .v6 = 1, .proto = IPPROTO_TCP, .cport = 9, .sport = 10 },
		{ .proto = IPPROTO_UDP, .cport = 9, .sport = 10, .vlan = 5 },
		{ .v6 = 1, .proto = IPPROTO_UDP, .cport = 9, .sport = 10 },
		{ .proto = IPPROTO_ICMP, .cport = 9 },
		{ .v6 = 1, .proto = IPPROTO_ICMPV6, .cport = 9 },
	};
	__u8 frames[10][PKT_MAX];
	size_t lens[10], nf = 0;

	if (!ready())
		return;
	role_set(0, M_MASTER);
	sess_clear();
	for (size_t i = 0; i < sizeof(flows) / sizeof(*flows); i++) {
		struct nsrp_sess s = { .state = NSRP_SS_ESTABLISHED };
		struct nsrp_sess_key k;
		int a;

		flow_key(&flows[i], &k, &a);
		s.flags = a ? 0 : NSRP_SF_INIT_IS_B;
		s.expires_ns = now_ns() + 600 * NS_PER_SEC;
		s.refreshed_ns = now_ns();
		sess_put(&k, &s);
		lens[nf] = flow_pkt(frames[nf], &flows[i], 0, TF_ACK, 0);
		nf++;
	}
	lens[nf] = pkt_arp(frames[nf], 1, mac_bcast, mac_client, 0,
			   mac_client, CLIENT4, mac_zero, VSI4);
	nf++;
	lens[nf] = pkt_arp(frames[nf], 1, mac_bcast, mac_client, 3,
			   mac_client, CLIENT4, mac_zero, VSI4);
	nf++;
	lens[nf] = pkt_ns(frames[nf], mac_client, 0, CLIENT6, VSI6);
	nf++;
	lens[nf] = pkt_ns(frames[nf], mac_client, 3, "::", VSI6);
	nf++;

	for (size_t i = 0; i < nf; i++)
		for (size_t len = 14; len < lens[i]; len++) {
			__u8 out[PKT_MAX], alt[PKT_MAX];
			LIBBPF_OPTS(bpf_test_run_opts, o,
				    .data_in = frames[i], .data_size_in = len,
				    .data_out = out,
				    .data_size_out = sizeof(out), .repeat = 1);
			struct xdp_md ctx = { .data_end = len,
					      .ingress_ifindex = env.if0 };
			int same;

			o.ctx_in = &ctx;
			o.ctx_size_in = sizeof(ctx);
			memcpy(alt, frames[i], len);
			memcpy(alt, mac_nic0, 6);
			CU_ASSERT_FATAL(!bpf_prog_test_run_opts(env.xdp_fd,
								&o));
			same = o.data_size_out == len &&
			       (!memcmp(out, frames[i], len) ||
				!memcmp(out, alt, len));
			if (o.retval != XDP_PASS || !same) {
				fprintf(stderr, "  frame %zu prefix %zu: "
					"verdict %u, output %s\n", i, len,
					o.retval, same ? "ok" : "changed");
				CU_FAIL("prefix");
			}
		}
	CU_ASSERT_EQUAL(events_get(), 0);
	for (size_t i = 0; i < sizeof(flows) / sizeof(*flows); i++) {
		struct nsrp_sess_key k;
		struct nsrp_sess s;

		flow_key(&flows[i], &k, NULL);
		CU_ASSERT_FATAL(sess_get(&k, &s) == 0);
		CU_ASSERT_EQUAL(s.pkts[0] + s.pkts[1], 0);
	}
}

/* A full ring buffer is counted, and the packet still goes its way. */
static void test_ring_full(void)
{
	struct tflow f = { .proto = IPPROTO_UDP, .sport = 53 };
	__u8 in[PKT_MAX];
	struct cnt_snap cs;
	size_t n;
	int runs = NSRPD_EVENTS_BYTES / 120 + 100;

	if (!ready())
		return;
	sess_clear();
	cnt_take(&cs);
	for (int i = 0; i < runs; i++) {
		f.cport = 1 + i % 60000;
		f.server = i < 60000 ? SERVER4 : "198.51.100.21";
		n = flow_pkt(in, &f, 0, 0, 1);
		tc_run(in, n, env.if0, env.if1);
	}
	CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_LEARN), runs);
	CU_ASSERT(cnt_delta(&cs, NSRP_CNT_EV_RB_FULL) > 0);
	CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_EV_CREATE) +
			cnt_delta(&cs, NSRP_CNT_EV_RB_FULL), runs);
	sess_clear();
}

/* ------------------------------------------------------ next-hop cache */

static void nh_flush(void)
{
	__u32 zero = 0;
	__u64 gen = 0;
	int fd = bpf_map__fd(env.xdp->maps.nsrp_nh_gen);

	CU_ASSERT_EQUAL(bpf_map_lookup_elem(fd, &zero, &gen), 0);
	gen++;
	CU_ASSERT_EQUAL(bpf_map_update_elem(fd, &zero, &gen, BPF_ANY), 0);
}

/* Runs a packet of f (client to server) and expects it forwarded to dmac. */
static void nh_fwd(const char *what, const struct tflow *f, const __u8 *dmac,
		   __u64 fills)
{
	__u8 in[PKT_MAX], out[PKT_MAX];
	size_t n = flow_pkt(in, f, 0, 0, 0);
	struct cnt_snap cs;

	flow_pkt(out, f, 0, 0, 1);
	memcpy(out, dmac, 6);
	cnt_take(&cs);
	xdp_case(what, in, n, env.if0, XDP_REDIRECT, out, n);
	if (cnt_delta(&cs, NSRP_CNT_NH_FILL) != fills) {
		fprintf(stderr, "  %s: %llu FIB lookups, want %llu\n", what,
			(unsigned long long)cnt_delta(&cs, NSRP_CNT_NH_FILL),
			(unsigned long long)fills);
		CU_FAIL(what);
	}
	CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_FWD), 1);
}

/*
 * The forward path looks a destination up once and then uses the cached
 * result, even after the neighbour changed, until the generation is
 * bumped; a packet longer than any the slot was checked for (against the
 * MTU) is looked up again. Pinned to one CPU: the cache is per CPU.
 */
static void test_nh_cache(void)
{
	static const __u8 mac_server2[6] = { 0x02, 0, 0, 0, 0x02, 0x21 };
	cpu_set_t old, one;

	if (!ready())
		return;
	CU_ASSERT_FATAL(sched_getaffinity(0, sizeof(old), &old) == 0);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	CU_ASSERT_FATAL(sched_setaffinity(0, sizeof(one), &one) == 0);
	role_set(0, M_MASTER);
	for (int v6 = 0; v6 < 2; v6++) {
		struct tflow f = { .v6 = v6, .proto = IPPROTO_UDP,
				   .cport = 6000, .sport = 53, .payload = 20 };
		struct nsrp_sess s = { .state = NSRP_SS_UDP_REPLIED };
		struct nsrp_sess_key k;
		char cmd[160];
		int a;

		sess_clear();
		nh_flush();
		flow_key(&f, &k, &a);
		s.flags = a ? 0 : NSRP_SF_INIT_IS_B;
		s.expires_ns = now_ns() + 60 * NS_PER_SEC;
		s.refreshed_ns = now_ns();
		sess_put(&k, &s);

		nh_fwd("first packet: FIB lookup", &f, mac_server, 1);
		nh_fwd("second packet: cached", &f, mac_server, 0);
		f.payload = 10;
		nh_fwd("shorter packet: cached", &f, mac_server, 0);
		f.payload = 400;
		nh_fwd("longer packet: MTU checked", &f, mac_server, 1);
		nh_fwd("longer packet again: cached", &f, mac_server, 0);
		f.payload = 20;

		snprintf(cmd, sizeof(cmd),
			 "ip %s neigh replace %s lladdr 02:00:00:00:02:21 dev dataplane1 nud permanent",
			 v6 ? "-6" : "-4", v6 ? SERVER6 : SERVER4);
		CU_ASSERT_FATAL(sh(cmd) == 0);
		nh_fwd("neighbour changed, no bump: cached", &f, mac_server, 0);
		nh_flush();
		nh_fwd("generation bumped: new neighbour", &f, mac_server2, 1);
		nh_fwd("new neighbour: cached", &f, mac_server2, 0);

		snprintf(cmd, sizeof(cmd),
			 "ip %s neigh replace %s lladdr 02:00:00:00:02:20 dev dataplane1 nud permanent",
			 v6 ? "-6" : "-4", v6 ? SERVER6 : SERVER4);
		CU_ASSERT_FATAL(sh(cmd) == 0);
		nh_flush();
		nh_fwd("neighbour restored", &f, mac_server, 1);
		events_drain();
	}
	CU_ASSERT(sched_setaffinity(0, sizeof(old), &old) == 0);
	sess_clear();
}

/* ------------------------------------------------- entries from the peer */

/* The peer's established entry, with an expiry the agent gave it. */
static void peer_entry(const struct tflow *f, struct nsrp_sess_key *k,
		       struct nsrp_sess *s, __u8 vsd, __u64 expires)
{
	int a;

	flow_key(f, k, &a);
	memset(s, 0, sizeof(*s));
	s->state = NSRP_SS_ESTABLISHED;
	s->vsd = vsd;
	s->flags = NSRP_SF_FROM_PEER | (a ? 0 : NSRP_SF_INIT_IS_B);
	s->expires_ns = expires;
	s->refreshed_ns = now_ns();
	s->pkts[0] = 7;
	sess_put(k, s);
}

/*
 * Master here: a hit on the peer's entry, by XDP or by the learner, takes
 * it over: FROM_PEER cleared, the local timeout, one STATE event.
 */
static void test_peer_takeover(void)
{
	struct tflow f = { .proto = IPPROTO_TCP, .cport = 4100, .sport = 22,
			   .payload = 8 };
	struct nsrp_sess_key k;
	struct nsrp_sess s;
	struct cnt_snap cs;
	__u8 in[PKT_MAX];
	size_t n;
	__u64 t0;

	if (!ready())
		return;
	role_set(0, M_MASTER);
	for (int by_tc = 0; by_tc < 2; by_tc++) {
		const char *what = by_tc ? "learner takes over" :
					   "XDP takes over";

		sess_clear();
		peer_entry(&f, &k, &s, 0, now_ns() + 5 * NS_PER_SEC);
		cnt_take(&cs);
		t0 = now_ns();
		if (by_tc) {
			n = flow_pkt(in, &f, 0, TF_ACK, 1);
			tc_run(in, n, env.if0, env.if1);
		} else {
			xdp_fwd(what, &f, 0, TF_ACK);
		}
		CU_ASSERT_FATAL(sess_get(&k, &s) == 0);
		CU_ASSERT_EQUAL(s.flags & NSRP_SF_FROM_PEER, 0);
		CU_ASSERT_EQUAL(s.state, NSRP_SS_ESTABLISHED);
		CU_ASSERT(expiry_ok(&s, t0, now_ns()));
		CU_ASSERT_EQUAL(s.pkts[0], by_tc ? 7 : 8);
		CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_SESS_TAKEOVER), 1);
		expect_event(what, NSRP_EV_STATE, &k, &s);
		/* Ours now: the next packet changes nothing but counters. */
		xdp_fwd("after the takeover", &f, 0, TF_ACK);
		expect_event("after the takeover", 0, &k, NULL);
		CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_SESS_TAKEOVER), 1);
	}
	sess_clear();
}

/*
 * Group not master here (backup or stale): the peer's entry, live or
 * past its expiry, is left byte for byte as the agent installed it, by
 * XDP and by the learner, and nothing is reported.
 */
static void test_peer_entry_backup(void)
{
	struct tflow f = { .proto = IPPROTO_TCP, .cport = 4200, .sport = 22 };
	struct nsrp_sess_key k;
	struct nsrp_sess s, after;
	struct cnt_snap cs;
	__u8 in[PKT_MAX], out[PKT_MAX];
	size_t n;

	if (!ready())
		return;
	role_set(0, M_MASTER);
	for (int mode = M_BACKUP; mode <= M_STALE; mode++)
		for (int expired = 0; expired < 2; expired++) {
			sess_clear();
			role_set(1, mode);
			peer_entry(&f, &k, &s, 1,
				   expired ? 1 : now_ns() + 5 * NS_PER_SEC);
			cnt_take(&cs);

			n = flow_pkt(in, &f, 0, TF_ACK, 0);
			memcpy(out, in, n);
			memcpy(out, mac_nic0, 6);
			xdp_case("peer entry, group backup", in, n, env.if0,
				 XDP_PASS, out, n);
			CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_FB_NOT_MASTER),
					1);
			n = flow_pkt(in, &f, 0, TF_ACK, 1);
			tc_run(in, n, env.if0, env.if1);
			n = flow_pkt(in, &f, 1, TF_ACK | TF_FIN, 1);
			tc_run(in, n, env.if1, env.if0);

			CU_ASSERT_FATAL(sess_get(&k, &after) == 0);
			if (memcmp(&after, &s, sizeof(s))) {
				fprintf(stderr, "  peer entry changed (role %d, expired %d)\n",
					mode, expired);
				CU_FAIL("peer entry changed while backup");
			}
			CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_SESS_TAKEOVER),
					0);
			CU_ASSERT_EQUAL(cnt_delta(&cs, NSRP_CNT_SESS_EXPIRED),
					0);
			CU_ASSERT_EQUAL(events_get(), 0);
		}
	role_set(1, M_BACKUP);
	sess_clear();
}

TEST_SUITE(nsrpd_dp, suite_init, suite_cleanup,
	   TEST(test_vsi_gate), TEST(test_dead_man), TEST(test_probe),
	   TEST(test_leaving_forward),
	   TEST(test_tcp_connection_v4),
	   TEST(test_tcp_connection_v6), TEST(test_tcp_transitions),
	   TEST(test_udp_icmp), TEST(test_miss), TEST(test_fallbacks),
	   TEST(test_not_master_group), TEST(test_expiry_refresh),
	   TEST(test_learner_filters), TEST(test_prefixes),
	   TEST(test_ring_full), TEST(test_nh_cache),
	   TEST(test_peer_takeover), TEST(test_peer_entry_backup))
