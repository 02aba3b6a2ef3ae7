// SPDX-License-Identifier: GPL-2.0-only
/*
 * sess_inject - creates new sessions on a running nsrpd master faster
 * than the lab's traffic can (its kernel forwards about 20000 new flows a
 * second), through the real path: the session learner that the agent
 * attached (bpf/nsrpd_tc.bpf.c, nsrp_learn on clsact egress) runs on each
 * generated frame by BPF_PROG_TEST_RUN, as if the kernel had forwarded
 * the frame from IN_IF out of OUT_IF. The learner creates the session in
 * the map and puts its CREATE event on the ring buffer, which the agent
 * drains and streams to the backup as it does for real traffic. A batch
 * of flows is one test run: bench_inject (tools/bench/inject.bpf.c), run
 * with repeat, writes the next flow into the frame and tail-calls the
 * learner.
 *
 *   sess_inject run -r RATE -d SECS [-i IN_IF] [-o OUT_IF] [-m MARKS]
 *       RATE sessions a second for SECS seconds (flows of inject.h, from
 *       0 on); MARKS: the pacing marks, "T_NS DONE" a line. Prints one
 *       JSON object: asked, injected, the rate reached, its own CPU
 *       time per flow (cpu_us, the learner's runs included), and the
 *       learner's counters over the run (learned, CREATE events, events
 *       lost to a full ring buffer, create races).
 *   sess_inject count N    how many of flows 0..N-1 the session map holds,
 *                          and how many of those came from the peer
 *   sess_inject flush N    removes flows 0..N-1 from the session map (no
 *                          event: the map is written from here)
 *   sess_inject watch N -m SAMPLES -d SECS
 *       on the backup: every 100 us, how many of flows 0..N-1 its map
 *       holds from the first on, written to SAMPLES ("T_NS COUNT" a line,
 *       when it changed) until all N are there or SECS passed. The
 *       backup applies the master's records in stream order, which is
 *       the order of creation, so the first flow missing bounds what
 *       arrived: a lag of about 0.1 ms resolution, where asking the
 *       agent (synclimit_lag) is good for its 10 ms.
 *
 * Runs inside a firewall's namespace (tools/lab exec fw1 ...), where
 * /sys/fs/bpf/nsrpd holds the agent's pinned maps (-P to change). The
 * learner is found as the program named nsrp_learn that uses the pinned
 * session map: other labs' agents on the same machine have their own.
 * IN_IF and OUT_IF default to lan0 and wan0 (client to server).
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nsrpd.h"
#include "dataplane.h"
#include "inject.h"
#include "inject.skel.h"

#define FRAME_LEN	60	/* Ethernet, IPv4, UDP and 18 bytes */
#define PROG_NAME	"nsrp_learn"

struct injector {
	struct inject *skel;
	int prog_fd;		/* the learner */
	__u32 prog_id;
	struct __sk_buff ctx;
	__u8 frame[FRAME_LEN];
	int errors;		/* test runs the kernel refused */
	int last_err;
};

/* ------------------------------------------------------------ the maps */

static int open_pinned(const char *dir, const char *name)
{
	char path[256];
	int n, fd;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fd = -errno;
		fprintf(stderr, "sess_inject: %s: %s\n", path, strerror(-fd));
	}
	return fd;
}

static int map_id(int fd, __u32 *id)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*id = info.id;
	return 0;
}

/* Does program fd carry this name and use map mid? */
static bool prog_matches(int fd, __u32 mid)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[64], n;

	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    strcmp(info.name, PROG_NAME))
		return false;
	n = info.nr_map_ids < 64 ? info.nr_map_ids : 64;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = n;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	for (__u32 i = 0; i < n; i++)
		if (ids[i] == mid)
			return true;
	return false;
}

/* The learner attached by the agent whose session map is sess_fd. */
static int find_learner(int sess_fd, __u32 *prog_id)
{
	__u32 mid = 0, id = 0;
	int err, fd;

	err = map_id(sess_fd, &mid);
	if (err)
		return err;
	while (!bpf_prog_get_next_id(id, &id)) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;	/* gone meanwhile */
		if (prog_matches(fd, mid)) {
			*prog_id = id;
			return fd;
		}
		close(fd);
	}
	fprintf(stderr, "sess_inject: no %s program uses session map %u\n",
		PROG_NAME, mid);
	return -ENOENT;
}

/* The sum over the CPUs of the learner's counters. */
struct learn_counts {
	__u64 learn, ev_create, rb_full, race;
};

static int read_counts(int fd, struct learn_counts *c)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 sum[NSRP_CNT_MAX];
	int err;

	if (ncpu < 0)
		return ncpu;
	err = dp_sum_counters(fd, ncpu, sum);
	if (err)
		return err;
	c->learn = sum[NSRP_CNT_LEARN];
	c->ev_create = sum[NSRP_CNT_EV_CREATE];
	c->rb_full = sum[NSRP_CNT_EV_RB_FULL];
	c->race = sum[NSRP_CNT_LEARN_RACE];
	return 0;
}

/* ---------------------------------------------------------- the frames */

/* Ethernet (client MAC to the VSI MAC's shape; unchecked), IPv4, UDP. */
static void frame_template(__u8 *b)
{
	static const __u8 dst[6] = { 0x00, 0x10, 0xdb, 0xff, 0x10, 0x01 };
	static const __u8 src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x10 };
	__u8 *ip = b + ETH_HLEN, *udp = ip + 20;
	__u16 ip_len = FRAME_LEN - ETH_HLEN, udp_len = ip_len - 20;

	memset(b, 0, FRAME_LEN);
	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	b[12] = ETH_P_IP >> 8;
	b[13] = ETH_P_IP & 0xff;
	ip[0] = 0x45;
	ip[2] = ip_len >> 8;
	ip[3] = ip_len & 0xff;
	ip[6] = 0x40;		/* DF */
	ip[8] = 63;		/* one hop past the client */
	ip[9] = IPPROTO_UDP;
	udp[4] = udp_len >> 8;
	udp[5] = udp_len & 0xff;
	/* UDP checksum 0: none, as IPv4 allows. */
}

/* The learner's session key for flow i: the source is the lower end. */
static void flow_key(uint64_t i, struct nsrp_sess_key *k)
{
	struct inject_flow f;

	inject_flow(i, &f);
	memset(k, 0, sizeof(*k));
	k->addr_a[0] = f.saddr;
	k->addr_b[0] = f.daddr;
	k->port_a = f.sport;
	k->port_b = f.dport;
	k->proto = IPPROTO_UDP;
	k->family = NSRP_AF_INET;
}

/* ------------------------------------------------------------ injecting */

/* Flows first .. first + count - 1, in one test run of bench_inject. */
static int inject_batch(void *arg, uint64_t first, unsigned int count)
{
	struct injector *in = arg;
	LIBBPF_OPTS(bpf_test_run_opts, o,
		    .data_in = in->frame, .data_size_in = FRAME_LEN,
		    .ctx_in = &in->ctx, .ctx_size_in = sizeof(in->ctx),
		    .repeat = count);

	in->skel->bss->inject_next = first;
	if (bpf_prog_test_run_opts(
		    bpf_program__fd(in->skel->progs.bench_inject), &o)) {
		in->last_err = -errno;
		/* A refusal is the kernel's, not the frames': stop. */
		return ++in->errors >= 16 ? in->last_err : 0;
	}
	return count;
}

/* bench_inject, loaded, with the learner in its tail-call slot. */
static int injector_load(struct injector *in)
{
	__u32 slot = 0;
	int err;

	in->skel = inject__open_and_load();
	if (!in->skel) {
		err = -errno;
		fprintf(stderr, "sess_inject: loading bench_inject: %s\n",
			strerror(-err));
		return err;
	}
	if (bpf_map_update_elem(bpf_map__fd(in->skel->maps.inject_progs),
				&slot, &in->prog_fd, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "sess_inject: %s in bench_inject's slot: %s\n",
			PROG_NAME, strerror(-err));
		return err;
	}
	return 0;
}

static int ifindex_of(const char *name)
{
	unsigned int i = if_nametoindex(name);

	if (!i) {
		fprintf(stderr, "sess_inject: %s: %s\n", name, strerror(errno));
		return -ENODEV;
	}
	return (int)i;
}

static int cmd_run(const char *pin_dir, uint64_t rate, double secs,
		   const char *in_if, const char *out_if, const char *marks)
{
	struct learn_counts c0, c1;
	struct injector in = {};
	struct inject_pace p;
	uint64_t max, failed;
	int sess_fd, cnt_fd, iif, oif, err;
	double el;

	max = (uint64_t)(rate * secs);
	if (!rate || !max || max > INJECT_MAX) {
		fprintf(stderr, "sess_inject: RATE x SECS must be 1..%llu\n",
			(unsigned long long)INJECT_MAX);
		return 2;
	}
	iif = ifindex_of(in_if);
	oif = ifindex_of(out_if);
	sess_fd = open_pinned(pin_dir, NSRPD_MAP_SESS);
	cnt_fd = open_pinned(pin_dir, NSRPD_MAP_CNT);
	if (iif < 0 || oif < 0 || sess_fd < 0 || cnt_fd < 0)
		return 1;
	in.prog_fd = find_learner(sess_fd, &in.prog_id);
	if (in.prog_fd < 0 || injector_load(&in))
		return 1;
	/* Left by OUT_IF, came in by IN_IF: a forwarded packet. */
	in.ctx.ifindex = oif;
	in.ctx.ingress_ifindex = iif;
	frame_template(in.frame);
	/* A second of slack over SECS: a late start is not a shortfall. */
	if (inject_pace_init(&p, rate, max,
			     (uint64_t)(secs * 1e9) + 1000000000ull))
		return 1;
	if (read_counts(cnt_fd, &c0))
		return 1;
	err = inject_run(&p, inject_batch, &in, &failed);
	if (read_counts(cnt_fd, &c1))
		return 1;
	if (err)
		fprintf(stderr, "sess_inject: test run: %s\n", strerror(-err));
	if (marks && inject_write_marks(&p, marks)) {
		fprintf(stderr, "sess_inject: %s: %s\n", marks, strerror(errno));
		return 1;
	}
	el = (p.t_end - p.t0) / 1e9;
	printf("{\"prog_id\":%u,\"rate\":%llu,\"secs\":%g,\"asked\":%llu,"
	       "\"injected\":%llu,\"failed\":%llu,\"elapsed_s\":%.3f,"
	       "\"reached_per_s\":%.0f,\"cpu_us\":%.2f,\"learned\":%llu,"
	       "\"events\":%llu,\"ring_full\":%llu,\"races\":%llu,"
	       "\"t0_ns\":%llu}\n",
	       in.prog_id, (unsigned long long)rate, secs,
	       (unsigned long long)max, (unsigned long long)p.done,
	       (unsigned long long)failed, el, el > 0 ? p.done / el : 0,
	       inject_cpu_us(&p),
	       (unsigned long long)(c1.learn - c0.learn),
	       (unsigned long long)(c1.ev_create - c0.ev_create),
	       (unsigned long long)(c1.rb_full - c0.rb_full),
	       (unsigned long long)(c1.race - c0.race),
	       (unsigned long long)p.t0);
	inject__destroy(in.skel);
	return err || in.errors ? 1 : 0;
}

/* --------------------------------------------------- counting, flushing */

static int cmd_count(const char *pin_dir, uint64_t n)
{
	uint64_t held = 0, from_peer = 0;
	struct nsrp_sess_key k;
	struct nsrp_sess v;
	int fd = open_pinned(pin_dir, NSRPD_MAP_SESS);

	if (fd < 0)
		return 1;
	for (uint64_t i = 0; i < n; i++) {
		flow_key(i, &k);
		if (bpf_map_lookup_elem(fd, &k, &v))
			continue;
		held++;
		from_peer += !!(v.flags & NSRP_SF_FROM_PEER);
	}
	printf("{\"flows\":%llu,\"held\":%llu,\"from_peer\":%llu}\n",
	       (unsigned long long)n, (unsigned long long)held,
	       (unsigned long long)from_peer);
	return 0;
}

static int cmd_flush(const char *pin_dir, uint64_t n)
{
	struct nsrp_sess_key k;
	uint64_t gone = 0;
	int fd = open_pinned(pin_dir, NSRPD_MAP_SESS);

	if (fd < 0)
		return 1;
	for (uint64_t i = 0; i < n; i++) {
		flow_key(i, &k);
		gone += !bpf_map_delete_elem(fd, &k);
	}
	printf("{\"flows\":%llu,\"removed\":%llu}\n", (unsigned long long)n,
	       (unsigned long long)gone);
	return 0;
}

/* Is flow i in the map? */
static bool flow_held(int fd, uint64_t i)
{
	struct nsrp_sess_key k;
	struct nsrp_sess v;

	flow_key(i, &k);
	return !bpf_map_lookup_elem(fd, &k, &v);
}

/*
 * The first flow from k on that the map does not hold: in blocks of 64
 * while the last of a block is there, then one by one within the first
 * block that is not whole. As many blocks a poll as have arrived: one a
 * poll followed no more than about 400000 flows a second. No further
 * than that block: flows arriving as fast as the lookups go would keep
 * a scan to the end from returning.
 */
static uint64_t flows_through(int fd, uint64_t k, uint64_t n)
{
	uint64_t step, end;

	while ((step = n - k < 64 ? n - k : 64) && flow_held(fd, k + step - 1))
		k += step;
	for (end = k + step; k < end && flow_held(fd, k); k++)
		;
	return k;
}

static int cmd_watch(const char *pin_dir, uint64_t n, const char *out,
		     double secs)
{
	const struct timespec nap = { .tv_nsec = 100000 };
	int fd = open_pinned(pin_dir, NSRPD_MAP_SESS);
	uint64_t k = 0, last = UINT64_MAX, t, end;
	FILE *f;

	if (fd < 0 || !out || secs <= 0)
		return 2;
	f = fopen(out, "w");
	if (!f)
		return 1;
	end = inject_now_ns() + (uint64_t)(secs * 1e9);
	do {
		k = flows_through(fd, k, n);
		t = inject_now_ns();
		if (k != last) {
			fprintf(f, "%llu %llu\n", (unsigned long long)t,
				(unsigned long long)k);
			fflush(f);
			last = k;
		}
		if (k < n)
			nanosleep(&nap, NULL);
	} while (k < n && t < end);
	fclose(f);
	return k == n ? 0 : 3;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: sess_inject run -r RATE -d SECS [-i IN_IF] [-o OUT_IF] "
		"[-m MARKS] [-P PIN_DIR]\n"
		"       sess_inject count|flush N [-P PIN_DIR]\n"
		"       sess_inject watch N -m SAMPLES -d SECS [-P PIN_DIR]\n");
}

int main(int argc, char **argv)
{
	const char *pin_dir = NSRPD_PIN_DIR, *marks = NULL;
	const char *in_if = "lan0", *out_if = "wan0", *cmd;
	uint64_t rate = 0, n;
	double secs = 0;
	int c;

	if (argc < 2) {
		usage();
		return 2;
	}
	cmd = argv[1];
	argc--;
	argv++;
	while ((c = getopt(argc, argv, "r:d:i:o:m:P:")) != -1) {
		switch (c) {
		case 'r':
			rate = strtoull(optarg, NULL, 10);
			break;
		case 'd':
			secs = strtod(optarg, NULL);
			break;
		case 'i':
			in_if = optarg;
			break;
		case 'o':
			out_if = optarg;
			break;
		case 'm':
			marks = optarg;
			break;
		case 'P':
			pin_dir = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(pin_dir, rate, secs, in_if, out_if, marks);
	if ((strcmp(cmd, "count") && strcmp(cmd, "flush") &&
	     strcmp(cmd, "watch")) || optind >= argc) {
		usage();
		return 2;
	}
	n = strtoull(argv[optind], NULL, 10);
	if (!n || n > INJECT_MAX) {
		usage();
		return 2;
	}
	if (!strcmp(cmd, "watch"))
		return cmd_watch(pin_dir, n, marks, secs);
	return !strcmp(cmd, "count") ? cmd_count(pin_dir, n)
				     : cmd_flush(pin_dir, n);
}
