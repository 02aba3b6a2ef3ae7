// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpf_ns - nanoseconds per packet of the XDP data plane, with
 * BPF_PROG_TEST_RUN, as ratios to a program that only returns XDP_PASS.
 *
 *   bpf_ns [-r ROUNDS] [-n PACKETS] [-c CPU]
 *
 * Every round runs each variant for PACKETS packets (default 1000000) in
 * short slices, the variants interleaved, so that a drift of the machine's
 * speed hits all of them alike; the ratio to the floor is taken within the
 * round. Printed: per variant the median ns and ratio over the rounds, and
 * their range.
 *
 * Test-run repeats a program on the buffer the previous repetition left,
 * so each variant is set up for every repetition to take the same path:
 *  - the VSI MAC entry of the ingress NIC gives the VSI MAC itself as the
 *    NIC's MAC, so the "accept" rewrite leaves the destination unchanged;
 *  - the server's neighbour entry is the VSI MAC too, so the forwarded
 *    frame comes out addressed to the VSI MAC again;
 *  - the forward path decrements the TTL: frames start at 255 and a call
 *    repeats at most 250 times (the data is copied in afresh per call);
 *  - an ARP request is turned into a reply, which would not be answered
 *    again: it runs behind bench_restore (tools/bench/bench.bpf.c), which
 *    rewrites the request and tail-calls the data plane; the same wrapper
 *    in front of xdp_pass gives its cost, which is subtracted.
 * A last variant, bench_bound (tools/bench/bench.bpf.c), runs the same
 * IPv4 frame through only what any session-forwarding program must do
 * (session lookup, clock, redirect): the floor of a session hit, which
 * the rest of the hit path is measured against.
 * Counters prove it: after each round the data plane's forward, miss and
 * ARP reply counters must have risen by exactly the packets run, and no
 * TTL fallback counted. A session hit is measured as it runs in steady
 * state, its FIB result taken from the next-hop cache (nsrp_nh): the
 * cache is refilled once per second and CPU at most (NSRP_NH_MAX_AGE_NS),
 * so the fills must stay under 0.1% of the hits; their count is printed.
 *
 * Each program is also attached to an idle veth of the namespace: test-run
 * otherwise adds the program to the kernel's XDP dispatcher and removes it
 * again on every call, an RCU grace period each time; attached, it stays
 * there, and runs through the dispatcher as a driver would run it.
 *
 * Runs in a private network namespace (veths, addresses, permanent
 * neighbours) so that bpf_fib_lookup succeeds, like tests/bpf. Sets
 * kernel.bpf_stats_enabled to 0 for the run and restores it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nsrpd.h"
#include "dataplane.h"
#include "nsrpd_xdp.skel.h"
#include "xdp_pass.skel.h"
#include "bench.skel.h"
#include "pkt.h"

#define NS_PER_SEC 1000000000ULL
#define REPEAT_PER_CALL 250	/* TTL 255: stays above 1 for the call */
#define CALLS_PER_SLICE 8
#define MAX_ROUNDS 64
#define STATS_SYSCTL "/proc/sys/kernel/bpf_stats_enabled"

static const __u8 mac_vsi0[6] = { 0x02, 0x10, 0xdb, 0xff, 0x10, 0x00 };
static const __u8 mac_vsi1[6] = { 0x02, 0x10, 0xdb, 0xff, 0x10, 0x01 };
static const __u8 mac_client[6] = { 0x02, 0, 0, 0, 0x01, 0x10 };
static const __u8 mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const __u8 mac_zero[6];

#define CLIENT4 "192.0.2.10"
#define SERVER4 "198.51.100.20"
#define CLIENT6 "2001:db8:1::10"
#define SERVER6 "2001:db8:2::20"
#define VSI4 "192.0.2.1"

/* The server's neighbour is the VSI MAC: see the top of the file. */
static const char *const netns_setup[] = {
	"ip link set lo up",
	"ip link add bench0 address 02:00:00:00:00:a0 type veth peer name bench0p",
	"ip link add bench1 address 02:00:00:00:00:b0 type veth peer name bench1p",
	"ip link add bench2 type veth peer name bench2p",
	"ip link add bench3 type veth peer name bench3p",
	"for i in 0 1 2 3; do ip link set bench$i up && ip link set bench${i}p up; done",
	"ip addr add 192.0.2.2/24 dev bench0",
	"ip addr add 198.51.100.2/24 dev bench1",
	"ip -6 addr add 2001:db8:1::2/64 dev bench0 nodad",
	"ip -6 addr add 2001:db8:2::2/64 dev bench1 nodad",
	"ip neigh add " SERVER4 " lladdr 02:10:db:ff:10:00 dev bench1 nud permanent",
	"ip -6 neigh add " SERVER6 " lladdr 02:10:db:ff:10:00 dev bench1 nud permanent",
	"sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
};

enum variant_id { V_PASS, V_HIT4, V_HIT6, V_MISS, V_WPASS, V_WARP, V_BOUND,
		  V_N };

struct variant {
	const char *name;
	int prog_fd;
	__u32 slot;		/* bench_restore: which program it calls */
	__u8 frame[PKT_MAX];
	size_t len;
	__u32 verdict;
	/* per round */
	__u64 pkts;
	double ns_sum;		/* sum of duration * repeat */
	double ns[MAX_ROUNDS];
};

static struct {
	struct nsrpd_xdp *xdp;
	struct xdp_pass *pass;
	struct bench *bench;
	__u32 if0, if1;
	int stats_old;
	struct variant v[V_N];
} B = { .stats_old = -1 };

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static int read_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int write_int(const char *path, int v)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -errno;
	rc = fprintf(f, "%d\n", v) < 0 ? -EIO : 0;
	if (fclose(f))
		rc = -errno;
	return rc;
}

static void stats_restore(void)
{
	if (B.stats_old > 0)
		write_int(STATS_SYSCTL, B.stats_old);
	B.stats_old = -1;
}

static void on_signal(int sig)
{
	stats_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int netns_enter(void)
{
	if (unshare(CLONE_NEWNET))
		return -errno;
	for (size_t i = 0; i < sizeof(netns_setup) / sizeof(*netns_setup); i++)
		if (system(netns_setup[i])) {
			fprintf(stderr, "bpf_ns: '%s' failed\n", netns_setup[i]);
			return -EIO;
		}
	B.if0 = if_nametoindex("bench0");
	B.if1 = if_nametoindex("bench1");
	return B.if0 && B.if1 ? 0 : -ENODEV;
}

static int map_put(struct bpf_map *m, const void *k, const void *v)
{
	return bpf_map_update_elem(bpf_map__fd(m), k, v, BPF_ANY) ? -errno : 0;
}

static void sess_key(struct nsrp_sess_key *k, int v6, const char *a,
		     __u16 pa, const char *b, __u16 pb)
{
	memset(k, 0, sizeof(*k));
	pkt_addr(a, v6, k->addr_a);
	pkt_addr(b, v6, k->addr_b);
	k->port_a = htons(pa);
	k->port_b = htons(pb);
	k->proto = IPPROTO_TCP;
	k->family = v6 ? NSRP_AF_INET6 : NSRP_AF_INET;
}

static int maps_fill(void)
{
	struct nsrp_iface_val ifv = { .flags = NSRP_IFACE_F_CLUSTER };
	struct nsrp_vsi_macs mv = {};
	struct nsrp_vsi_addr_key ak = { .ifindex = B.if0,
					.family = NSRP_AF_INET };
	struct nsrp_vsi_addr_val av = { .vsd = 0 };
	struct nsrp_role_state role = { .role = NSRP_ROLE_MASTER };
	struct nsrp_sess s = { .state = NSRP_SS_ESTABLISHED };
	struct nsrp_sess_key k;
	__u64 now = now_ns();
	__u32 vsd = 0;
	int err = 0;

	memcpy(ifv.vsi_mac, mac_vsi0, 6);
	err |= map_put(B.xdp->maps.nsrp_iface, &B.if0, &ifv);
	memcpy(ifv.vsi_mac, mac_vsi1, 6);
	err |= map_put(B.xdp->maps.nsrp_iface, &B.if1, &ifv);

	/* The VSI MAC as "NIC MAC": the accept rewrite is idempotent. */
	mv.vsd[0].set = 1;
	memcpy(mv.vsd[0].mac, mac_vsi0, 6);
	memcpy(mv.nic_mac, mac_vsi0, 6);
	err |= map_put(B.xdp->maps.nsrp_vsi_mac, &B.if0, &mv);

	memcpy(av.vsi_mac, mac_vsi0, 6);
	pkt_addr(VSI4, 0, ak.addr);
	err |= map_put(B.xdp->maps.nsrp_vsi_addr, &ak, &av);

	role.deadline_ns = now + 3600 * NS_PER_SEC;
	err |= map_put(B.xdp->maps.nsrp_role, &vsd, &role);

	/* Established, refreshed now: no event during the run. */
	s.expires_ns = now + 3600 * NS_PER_SEC;
	s.refreshed_ns = now;
	sess_key(&k, 0, CLIENT4, 40000, SERVER4, 80);
	err |= map_put(B.xdp->maps.nsrp_sess, &k, &s);
	err |= map_put(B.bench->maps.bound_sess, &k, &s);
	B.bench->bss->bound_oif = B.if1;
	sess_key(&k, 1, CLIENT6, 40000, SERVER6, 80);
	err |= map_put(B.xdp->maps.nsrp_sess, &k, &s);
	return err ? -EIO : 0;
}

static int progs_load(void)
{
	struct bpf_map *m;
	__u32 slot;
	int fd;

	B.xdp = nsrpd_xdp__open();
	B.pass = xdp_pass__open_and_load();
	B.bench = bench__open_and_load();
	if (!B.xdp || !B.pass || !B.bench)
		return -EINVAL;
	bpf_object__for_each_map(m, B.xdp->obj)
		bpf_map__set_pin_path(m, NULL);
	if (nsrpd_xdp__load(B.xdp))
		return -EINVAL;
	fd = bpf_map__fd(B.bench->maps.bench_progs);
	slot = 0;
	if (bpf_map_update_elem(fd, &slot,
				&(int){ bpf_program__fd(B.pass->progs.xdp_pass) },
				BPF_ANY))
		return -errno;
	slot = 1;
	if (bpf_map_update_elem(fd, &slot,
				&(int){ bpf_program__fd(B.xdp->progs.nsrp_xdp) },
				BPF_ANY))
		return -errno;
	return maps_fill();
}

/* Keeps each program in the XDP dispatcher for the whole run. */
static int progs_attach(void)
{
	const int fds[4] = { bpf_program__fd(B.pass->progs.xdp_pass),
			     bpf_program__fd(B.xdp->progs.nsrp_xdp),
			     bpf_program__fd(B.bench->progs.bench_restore),
			     bpf_program__fd(B.bench->progs.bench_bound) };
	char name[IF_NAMESIZE];

	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "bench%dp", i);
		if (bpf_xdp_attach(if_nametoindex(name), fds[i],
				   XDP_FLAGS_DRV_MODE, NULL))
			return -errno;
	}
	return 0;
}

static size_t tcp_frame(__u8 *b, int v6, const char *src, const char *dst,
			__u16 dport)
{
	struct pkt_spec s = { .v6 = v6, .saddr = src, .daddr = dst,
			      .proto = IPPROTO_TCP, .sport = 40000,
			      .dport = dport, .tcp_flags = 0x10 /* ACK */,
			      .ttl = 255, .payload = 6 };

	memcpy(s.dst, mac_vsi0, 6);
	memcpy(s.src, mac_client, 6);
	return pkt_build(&s, b);
}

static void variants_build(void)
{
	int pass_fd = bpf_program__fd(B.pass->progs.xdp_pass);
	int dp_fd = bpf_program__fd(B.xdp->progs.nsrp_xdp);
	int wrap_fd = bpf_program__fd(B.bench->progs.bench_restore);
	struct variant *v = B.v;
	__u8 arp[PKT_MAX];
	size_t arp_len;

	v[V_PASS] = (struct variant){ .name = "xdp_pass (floor)",
				      .prog_fd = pass_fd,
				      .verdict = XDP_PASS };
	v[V_PASS].len = tcp_frame(v[V_PASS].frame, 0, CLIENT4, SERVER4, 80);
	v[V_HIT4] = (struct variant){ .name = "session hit, IPv4 TCP",
				      .prog_fd = dp_fd,
				      .verdict = XDP_REDIRECT };
	v[V_HIT4].len = tcp_frame(v[V_HIT4].frame, 0, CLIENT4, SERVER4, 80);
	v[V_HIT6] = (struct variant){ .name = "session hit, IPv6 TCP",
				      .prog_fd = dp_fd,
				      .verdict = XDP_REDIRECT };
	v[V_HIT6].len = tcp_frame(v[V_HIT6].frame, 1, CLIENT6, SERVER6, 80);
	v[V_MISS] = (struct variant){ .name = "session miss, IPv4 TCP",
				      .prog_fd = dp_fd, .verdict = XDP_PASS };
	v[V_MISS].len = tcp_frame(v[V_MISS].frame, 0, CLIENT4, SERVER4, 81);

	/* ARP request padded to 60 bytes, the template bench_restore uses. */
	memset(arp, 0, sizeof(arp));
	arp_len = pkt_arp(arp, 1, mac_bcast, mac_client, 0, mac_client,
			  CLIENT4, mac_zero, VSI4);
	(void)arp_len;
	memcpy(B.bench->bss->bench_frame, arp,
	       sizeof(B.bench->bss->bench_frame));
	v[V_WPASS] = (struct variant){ .name = "restore + xdp_pass",
				       .prog_fd = wrap_fd, .slot = 0,
				       .verdict = XDP_PASS, .len = 64 };
	memcpy(v[V_WPASS].frame, arp, 64);
	v[V_WARP] = (struct variant){ .name = "restore + ARP reply",
				      .prog_fd = wrap_fd, .slot = 1,
				      .verdict = XDP_TX, .len = 64 };
	memcpy(v[V_WARP].frame, arp, 64);
	v[V_BOUND] = (struct variant){ .name = "bound: lookup+clock+redirect",
				       .prog_fd = bpf_program__fd(B.bench->progs.bench_bound),
				       .verdict = XDP_REDIRECT };
	v[V_BOUND].len = tcp_frame(v[V_BOUND].frame, 0, CLIENT4, SERVER4, 80);
}

static int run_call(struct variant *v, __u32 ifindex)
{
	struct xdp_md ctx = { .data_end = v->len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = v->frame,
		    .data_size_in = v->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = REPEAT_PER_CALL);

	B.bench->bss->bench_slot = v->slot;
	if (bpf_prog_test_run_opts(v->prog_fd, &opts))
		return -errno;
	if (opts.retval != v->verdict) {
		fprintf(stderr, "bpf_ns: %s: verdict %u, want %u\n", v->name,
			opts.retval, v->verdict);
		return -EPROTO;
	}
	/* The kernel reports whole ns, truncated: +0.5 is unbiased. */
	v->ns_sum += (opts.duration + 0.5) * REPEAT_PER_CALL;
	v->pkts += REPEAT_PER_CALL;
	return 0;
}

static __u64 cnt_get(__u32 idx)
{
	__u64 sum[NSRP_CNT_MAX];

	if (dp_sum_counters(bpf_map__fd(B.xdp->maps.nsrp_cnt),
			    libbpf_num_possible_cpus(), sum))
		return 0;
	return sum[idx];
}

/* The counters must show that every repetition took the intended path. */
static __u64 nh_fills, nh_hits;

static int round_check(const __u64 *before)
{
	__u64 fwd = cnt_get(NSRP_CNT_FWD) - before[0];
	__u64 miss = cnt_get(NSRP_CNT_SESS_MISS) - before[1];
	__u64 arp = cnt_get(NSRP_CNT_ARP_REPLY) - before[2];
	__u64 ttl = cnt_get(NSRP_CNT_FB_TTL) - before[3];
	__u64 fills = cnt_get(NSRP_CNT_NH_FILL) - before[4];
	int ok = fwd == B.v[V_HIT4].pkts + B.v[V_HIT6].pkts &&
		 miss == B.v[V_MISS].pkts && arp == B.v[V_WARP].pkts &&
		 ttl == 0 && fills * 1000 < fwd;

	nh_fills += fills;
	nh_hits += fwd;

	if (!ok)
		fprintf(stderr,
			"bpf_ns: counters do not match the runs: fwd %llu miss %llu arp %llu ttl-fallback %llu next-hop fills %llu\n",
			(unsigned long long)fwd, (unsigned long long)miss,
			(unsigned long long)arp, (unsigned long long)ttl,
			(unsigned long long)fills);
	return ok ? 0 : -EPROTO;
}

static int run_round(int r, __u64 pkts)
{
	static const __u32 idx[5] = { NSRP_CNT_FWD, NSRP_CNT_SESS_MISS,
				      NSRP_CNT_ARP_REPLY, NSRP_CNT_FB_TTL,
				      NSRP_CNT_NH_FILL };
	__u64 before[5];
	int err;

	for (int i = 0; i < 5; i++)
		before[i] = cnt_get(idx[i]);
	for (int i = 0; i < V_N; i++) {
		B.v[i].pkts = 0;
		B.v[i].ns_sum = 0;
	}
	while (B.v[0].pkts < pkts) {
		for (int i = 0; i < V_N; i++)
			for (int c = 0; c < CALLS_PER_SLICE; c++) {
				err = run_call(&B.v[i], B.if0);
				if (err)
					return err;
			}
	}
	for (int i = 0; i < V_N; i++)
		B.v[i].ns[r] = B.v[i].ns_sum / B.v[i].pkts;
	return round_check(before);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct summary {
	double med, lo, hi;
};

static struct summary summarize(const double *x, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, x, n * sizeof(*x));
	qsort(s, n, sizeof(*s), cmp_double);
	return (struct summary){ .med = n % 2 ? s[n / 2] :
					    (s[n / 2 - 1] + s[n / 2]) / 2,
				 .lo = s[0], .hi = s[n - 1] };
}

static void print_row(const char *name, const double *ns, const double *ratio,
		      int rounds)
{
	struct summary a = summarize(ns, rounds), b = summarize(ratio, rounds);

	printf("| %-24s | %6.1f | %5.1f–%-5.1f | %5.2f | %4.2f–%-4.2f |\n", name,
	       a.med, a.lo, a.hi, b.med, b.lo, b.hi);
}

static void report(int rounds, __u64 pkts)
{
	double ratio[MAX_ROUNDS], arp_ns[MAX_ROUNDS];
	static const int direct[] = { V_PASS, V_HIT4, V_HIT6, V_MISS,
				      V_WPASS, V_WARP, V_BOUND };

	printf("rounds %d, %llu packets per variant per round, %d repetitions per call, %d calls per slice\n",
	       rounds, (unsigned long long)pkts, REPEAT_PER_CALL,
	       CALLS_PER_SLICE);
	printf("session hits that looked the FIB up (next-hop cache fills): %llu of %llu\n\n",
	       (unsigned long long)nh_fills, (unsigned long long)nh_hits);
	printf("| %-24s | %6s | %-11s | %5s | %-9s |\n", "variant", "ns",
	       "ns range", "ratio", "range");
	printf("|--------------------------|-------:|-------------|------:|-----------|\n");
	for (size_t i = 0; i < sizeof(direct) / sizeof(*direct); i++) {
		const struct variant *v = &B.v[direct[i]];

		for (int r = 0; r < rounds; r++)
			ratio[r] = v->ns[r] / B.v[V_PASS].ns[r];
		print_row(v->name, v->ns, ratio, rounds);
	}
	for (int r = 0; r < rounds; r++) {
		arp_ns[r] = B.v[V_WARP].ns[r] - B.v[V_WPASS].ns[r] +
			    B.v[V_PASS].ns[r];
		ratio[r] = arp_ns[r] / B.v[V_PASS].ns[r];
	}
	print_row("ARP reply (restore subtracted)", arp_ns, ratio, rounds);
}

static void usage(void)
{
	fprintf(stderr, "usage: bpf_ns [-r ROUNDS] [-n PACKETS] [-c CPU]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	__u64 pkts = 1000000;
	int rounds = 7, cpu = -1, opt, err = 0;

	while ((opt = getopt(argc, argv, "r:n:c:h")) != -1) {
		switch (opt) {
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'n':
			pkts = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || pkts < REPEAT_PER_CALL)
		usage();
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			perror("bpf_ns: sched_setaffinity");
	}
	libbpf_set_print(NULL);
	err = netns_enter();
	if (err) {
		fprintf(stderr, "bpf_ns: network namespace: %s\n",
			strerror(-err));
		return 1;
	}
	err = progs_load();
	if (err) {
		fprintf(stderr, "bpf_ns: cannot load the programs: %s\n",
			strerror(-err));
		return 1;
	}
	err = progs_attach();
	if (err) {
		fprintf(stderr, "bpf_ns: cannot attach the programs: %s\n",
			strerror(-err));
		return 1;
	}
	variants_build();

	B.stats_old = read_int(STATS_SYSCTL);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (B.stats_old != 0 && write_int(STATS_SYSCTL, 0))
		fprintf(stderr, "bpf_ns: cannot set bpf_stats_enabled=0\n");

	for (int r = 0; r < rounds && !err; r++) {
		err = run_round(r, pkts);
		if (read_int(STATS_SYSCTL) != 0) {
			fprintf(stderr, "bpf_ns: bpf_stats_enabled became non-zero during round %d\n",
				r);
			err = -EBUSY;
		}
	}
	stats_restore();
	if (err) {
		fprintf(stderr, "bpf_ns: %s\n", strerror(-err));
		return 1;
	}
	report(rounds, pkts);
	bench__destroy(B.bench);
	xdp_pass__destroy(B.pass);
	nsrpd_xdp__destroy(B.xdp);
	return 0;
}
