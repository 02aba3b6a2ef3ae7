// SPDX-License-Identifier: GPL-2.0-only
/*
 * fwd_rate - the packet generator and counters of the forwarding
 * benchmark (tools/bench/fwd).
 *
 *   fwd_rate attach-sink NS IF
 *       attaches bench_sink (counts IPv4 UDP frames, drops them) to IF
 *       in NS.
 *   fwd_rate send [options]
 *       sends small UDP frames over many flows out of an interface and
 *       prints one line:
 *         sent N delivered N secs S pps P offered_pps P fast N
 *         cpu_ns N softirqd_share S
 *       sent: the frames the kernel took from the generator (each one
 *       handed to the device, delivered or dropped on the way);
 *       delivered: what bench_sink counted meanwhile; pps: delivered /
 *       secs; offered_pps: sent / secs; fast: the frames nsrpd's data
 *       plane forwarded itself (its FWD counter), -1 when nsrpd is not
 *       attached; cpu_ns: the CPU time of the whole chain per delivered
 *       frame, in ns (below); softirqd_share: the part of it that the
 *       kernel deferred to ksoftirqd.
 *
 * The generator is an AF_XDP socket in copy mode on GEN_IF: the frames,
 * one per flow, are built once into its UMEM and handed to the kernel by
 * the TX ring; the kernel copies each into an skb and transmits it on
 * GEN_IF, a veth, in the system call. It needs neither
 * BPF_PROG_TEST_RUN's live-frames mode nor pktgen. A veth delivers on
 * the sending CPU: the receiving side's NAPI, and whatever it forwards
 * to, runs in the same system call, as softirq work, or in ksoftirqd of
 * that CPU when the kernel defers it. So the CPU time of this thread
 * (schedstat: softirq time is charged to the task it interrupts on a
 * kernel without IRQ_TIME_ACCOUNTING, as here) and of that ksoftirqd is
 * the cost of the whole chain: generator, firewall and sink, which -c
 * pins to one CPU. A run with no firewall (the generator straight into
 * a sink) gives the generator's and the sink's share, which
 * tools/bench/fwd subtracts. Frames are 64 bytes (60 + FCS would be 64
 * on a wire: near minimum).
 *
 * send options:
 *   -g GEN_NS -i GEN_IF          generator namespace and interface
 *   -s SINK_NS -o SINK_IF        where bench_sink counts
 *   -f FW_NS -l FW_IF            where nsrpd's XDP program may be
 *   -d MAC | -v CLUSTER          destination: a MAC, or the VSI MAC of
 *                                group 0 on FW_IF for the cluster
 *   -m SRC_MAC -a SADDR -b DADDR frame source MAC and addresses
 *   -F FLOWS -P PORT             UDP source ports PORT..PORT+FLOWS-1
 *   -t MS | -w                   send for MS ms as fast as it can, or
 *                                each flow's frame once, a few at a time
 *                                (to let a slow path learn every flow)
 *   -c CPU                       pin to CPU (needed)
 * Exit status: 0; 1 when something failed or no frame was delivered; 4
 * when this machine cannot run the generator (no AF_XDP).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/ether.h>
#include <netinet/in.h>
#include <dirent.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#include "nsrpd.h"
#include "dataplane.h"
#include "ident.h"
#include "bench.skel.h"
#include "pkt.h"

#define FRAME_PAYLOAD	22	/* 14 + 20 + 8 + 22 = 64 bytes */
#define FRAME_SIZE	XSK_UMEM__DEFAULT_FRAME_SIZE
#define MAX_FLOWS	16384	/* frames in the UMEM: 32 MB */
#define TX_SIZE		2048	/* TX ring, descriptors */
#define CQ_SIZE		4096	/* completion ring: never full */
#define TX_BATCH	64	/* descriptors queued per system call */
#define WARM_BURST	16	/* -w: frames per burst, then a pause */
#define WARM_PAUSE_US	500
#define SETTLE_US	50000	/* in-flight frames reach the sink */
#define EXIT_CANNOT	4	/* this machine cannot run the generator */

struct opts {
	const char *gen_ns, *gen_if;
	const char *sink_ns, *sink_if;
	const char *fw_ns, *fw_if;
	__u8 dst[6], src[6];
	int vsi_cluster;
	const char *saddr, *daddr;
	__u32 flows;
	__u16 port;
	long ms;
	bool warm;
	int cpu;
};

struct gen {
	void *area;		/* the UMEM: one frame per flow */
	size_t area_len;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq;
	__u32 flows, frame_len;
	__u64 queued, completed;	/* descriptors given, given back */
	__u64 next;			/* the next flow to send */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int netns_enter(const char *name)
{
	char path[256];
	int fd, rc;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	return rc;
}

/* ------------------------------------------------------------ counters */

/* The map called name of the XDP program attached to ifname in ns. */
static int xdp_map_fd(const char *ns, const char *ifname, const char *name)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[16], prog_id = 0;
	int ifindex, fd, map_fd = -ENOENT;

	if (netns_enter(ns))
		return -ENOENT;
	ifindex = if_nametoindex(ifname);
	if (!ifindex || bpf_xdp_query_id(ifindex, 0, &prog_id) || !prog_id)
		return -ENOENT;
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -errno;
	info.nr_map_ids = 16;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		goto out;
	for (__u32 i = 0; i < info.nr_map_ids && i < 16; i++) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi);
		int m = bpf_map_get_fd_by_id(ids[i]);

		if (m < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(m, &mi, &mlen) &&
		    !strcmp(mi.name, name)) {
			map_fd = m;
			break;
		}
		close(m);
	}
out:
	close(fd);
	return map_fd;
}

static __u64 percpu_sum(int fd, __u32 idx)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 v[ncpu], sum = 0;

	if (fd < 0 || bpf_map_lookup_elem(fd, &idx, v))
		return 0;
	for (int i = 0; i < ncpu; i++)
		sum += v[i];
	return sum;
}

/* Frames the data plane forwarded, from its counter map. */
static __u64 fwd_count(int fd)
{
	__u64 sum[NSRP_CNT_MAX];

	if (fd < 0 || dp_sum_counters(fd, libbpf_num_possible_cpus(), sum))
		return 0;
	return sum[NSRP_CNT_FWD];
}

static int attach_sink(const char *ns, const char *ifname)
{
	struct bench *b;
	int err;

	err = netns_enter(ns);
	if (err)
		return err;
	b = bench__open_and_load();
	if (!b)
		return -EINVAL;
	err = bpf_xdp_attach(if_nametoindex(ifname),
			     bpf_program__fd(b->progs.bench_sink),
			     XDP_FLAGS_DRV_MODE, NULL) ? -errno : 0;
	bench__destroy(b);	/* the attachment keeps the program */
	return err;
}

/* ------------------------------------------------------- CPU accounting */

/* A thread's time on a CPU so far, in ns (the first field of schedstat). */
static int thread_run_ns(pid_t tid, __u64 *ns)
{
	char path[64];
	unsigned long long v;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", tid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fscanf(f, "%llu", &v);
	fclose(f);
	if (n != 1)
		return -EINVAL;
	*ns = v;
	return 0;
}

/* The PID of ksoftirqd/cpu: softirq work the kernel deferred runs there. */
static pid_t ksoftirqd_of(int cpu)
{
	char want[32], comm[32], path[300];
	struct dirent *e;
	pid_t found = 0;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	snprintf(want, sizeof(want), "ksoftirqd/%d\n", cpu);
	while (!found && (e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, want))
			found = atoi(e->d_name);
		fclose(f);
	}
	closedir(d);
	return found;
}

/* CPU time of the chain: this thread, and the CPU's ksoftirqd. */
struct cpu_use {
	__u64 self_ns, softirqd_ns;
};

static int cpu_use_read(pid_t softirqd, struct cpu_use *c)
{
	int err = thread_run_ns(gettid(), &c->self_ns);

	return err ? err : thread_run_ns(softirqd, &c->softirqd_ns);
}

/* ---------------------------------------------------------- generator */

static int gen_open(struct gen *g, const struct opts *o, int ifindex)
{
	struct xsk_umem_config ucfg = { .fill_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
					.comp_size = CQ_SIZE,
					.frame_size = FRAME_SIZE };
	struct xsk_socket_config scfg = {
		.tx_size = TX_SIZE,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY,
	};
	struct pkt_spec s = { .saddr = o->saddr, .daddr = o->daddr,
			      .proto = IPPROTO_UDP, .dport = 9,
			      .payload = FRAME_PAYLOAD };
	char ifname[IF_NAMESIZE];
	int err;

	g->flows = o->flows;
	g->area_len = (size_t)o->flows * FRAME_SIZE;
	g->area = mmap(NULL, g->area_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->area == MAP_FAILED)
		return -errno;
	memcpy(s.dst, o->dst, 6);
	memcpy(s.src, o->src, 6);
	for (__u32 i = 0; i < o->flows; i++) {
		s.sport = o->port + i;
		g->frame_len = pkt_build(&s, (__u8 *)g->area + i * FRAME_SIZE);
	}
	err = xsk_umem__create(&g->umem, g->area, g->area_len, &g->fq, &g->cq,
			       &ucfg);
	if (err)
		return err;
	if (!if_indextoname(ifindex, ifname))
		return -errno;
	return xsk_socket__create(&g->xsk, ifname, 0, g->umem, NULL, &g->tx,
				  &scfg);
}

static void gen_close(struct gen *g)
{
	if (g->xsk)
		xsk_socket__delete(g->xsk);
	if (g->umem)
		xsk_umem__delete(g->umem);
	if (g->area && g->area != MAP_FAILED)
		munmap(g->area, g->area_len);
}

static void gen_reap(struct gen *g)
{
	__u32 idx, n = xsk_ring_cons__peek(&g->cq, CQ_SIZE, &idx);

	if (n) {
		xsk_ring_cons__release(&g->cq, n);
		g->completed += n;
	}
}

/*
 * Queues up to max frames, the flows in turn, and asks the kernel to send
 * what the TX ring holds. Returns 0 or -errno: EAGAIN (the kernel sends
 * a bounded batch a call, or the device is busy), EBUSY and ENOBUFS are
 * not failures.
 */
static int gen_push(struct gen *g, __u32 max)
{
	__u32 idx, n;

	gen_reap(g);
	/* Never more in flight than the completion ring holds. */
	if (g->queued - g->completed + max > CQ_SIZE)
		max = CQ_SIZE - (g->queued - g->completed);
	n = max ? xsk_ring_prod__reserve(&g->tx, max, &idx) : 0;
	for (__u32 i = 0; i < n; i++) {
		struct xdp_desc *d = xsk_ring_prod__tx_desc(&g->tx, idx + i);

		d->addr = (g->next++ % g->flows) * FRAME_SIZE;
		d->len = g->frame_len;
		d->options = 0;
	}
	if (n) {
		xsk_ring_prod__submit(&g->tx, n);
		g->queued += n;
	}
	if (sendto(xsk_socket__fd(g->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
	    errno != EAGAIN && errno != EBUSY && errno != ENOBUFS)
		return -errno;
	return 0;
}

/* As fast as it can for ms; returns 0 or -errno, *secs the time taken. */
static int gen_run(struct gen *g, long ms, double *secs)
{
	double t0 = now_s(), end = t0 + ms / 1000.0, t;
	unsigned int i = 0;
	int err;

	do {
		err = gen_push(g, TX_BATCH);
		if (err)
			return err;
		t = ++i % 16 ? 0 : now_s();
	} while (!t || t < end);
	*secs = t - t0;
	return 0;
}

/* Each flow's frame once, in bursts; returns 0 or -errno. */
static int gen_warm(struct gen *g)
{
	double end;
	int err;

	while (g->queued < g->flows) {
		__u32 n = g->flows - g->queued;

		err = gen_push(g, n < WARM_BURST ? n : WARM_BURST);
		if (err)
			return err;
		usleep(WARM_PAUSE_US);
	}
	end = now_s() + 1;
	while (g->completed < g->queued && now_s() < end) {
		err = gen_push(g, 0);
		if (err)
			return err;
		usleep(1000);
	}
	return g->completed == g->queued ? 0 : -ETIMEDOUT;
}

static int do_send(const struct opts *o)
{
	int sink_fd, cnt_fd, gen_if, err;
	__u64 rx0, fwd0, rx1, fwd1, sent, d;
	struct cpu_use c0 = {}, c1 = {};
	double secs = 0, cpu_ns = -1, softirqd = -1;
	pid_t softirqd_pid = ksoftirqd_of(o->cpu);
	struct gen g = {};

	sink_fd = xdp_map_fd(o->sink_ns, o->sink_if, "sink_rx");
	if (sink_fd < 0) {
		fprintf(stderr, "fwd_rate: no bench_sink on %s in %s\n",
			o->sink_if, o->sink_ns);
		return 1;
	}
	if (!softirqd_pid) {
		fprintf(stderr, "fwd_rate: no ksoftirqd/%d\n", o->cpu);
		return 1;
	}
	cnt_fd = o->fw_ns ? xdp_map_fd(o->fw_ns, o->fw_if, NSRPD_MAP_CNT)
			  : -ENOENT;
	err = netns_enter(o->gen_ns);
	if (err) {
		fprintf(stderr, "fwd_rate: netns %s: %s\n", o->gen_ns,
			strerror(-err));
		return 1;
	}
	gen_if = if_nametoindex(o->gen_if);
	if (!gen_if) {
		fprintf(stderr, "fwd_rate: %s: %s\n", o->gen_if, strerror(errno));
		return 1;
	}
	err = gen_open(&g, o, gen_if);
	if (err) {
		fprintf(stderr, "fwd_rate: AF_XDP socket on %s: %s\n",
			o->gen_if, strerror(-err));
		gen_close(&g);
		return err == -EAFNOSUPPORT || err == -EPERM ? EXIT_CANNOT : 1;
	}
	rx0 = percpu_sum(sink_fd, 0);
	fwd0 = fwd_count(cnt_fd);
	err = cpu_use_read(softirqd_pid, &c0);
	if (err) {
		fprintf(stderr, "fwd_rate: schedstat: %s\n", strerror(-err));
		gen_close(&g);
		return 1;
	}
	if (o->warm) {
		double t0 = now_s();

		err = gen_warm(&g);
		secs = now_s() - t0;
	} else {
		err = gen_run(&g, o->ms, &secs);
	}
	usleep(SETTLE_US);
	gen_reap(&g);
	sent = g.completed;
	rx1 = percpu_sum(sink_fd, 0);
	fwd1 = fwd_count(cnt_fd);
	if (!err)
		err = cpu_use_read(softirqd_pid, &c1);
	gen_close(&g);
	if (err) {
		fprintf(stderr, "fwd_rate: sending on %s: %s\n", o->gen_if,
			strerror(-err));
		return 1;
	}
	d = rx1 - rx0;
	if (d) {
		__u64 self = c1.self_ns - c0.self_ns;
		__u64 deferred = c1.softirqd_ns - c0.softirqd_ns;

		cpu_ns = (double)(self + deferred) / d;
		softirqd = self + deferred ? (double)deferred / (self + deferred)
					   : 0;
	}
	printf("sent %llu delivered %llu secs %.4f pps %.0f offered_pps %.0f "
	       "fast %lld cpu_ns %.1f softirqd_share %.3f\n",
	       (unsigned long long)sent, (unsigned long long)d, secs, d / secs,
	       sent / secs, cnt_fd < 0 ? -1LL : (long long)(fwd1 - fwd0),
	       cpu_ns, softirqd);
	if (!sent || !d) {
		fprintf(stderr, "fwd_rate: %llu frames sent, %llu delivered: "
			"nothing measured\n", (unsigned long long)sent,
			(unsigned long long)(rx1 - rx0));
		return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- main */

static int parse_mac(const char *s, __u8 *mac)
{
	struct ether_addr *e = ether_aton(s);

	if (!e)
		return -EINVAL;
	memcpy(mac, e, 6);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: fwd_rate attach-sink NS IF\n"
		"       fwd_rate send -g NS -i IF -s NS -o IF [-f NS -l IF]\n"
		"                (-d MAC | -v CLUSTER) -m MAC -a SADDR -b DADDR\n"
		"                [-F FLOWS] [-P PORT] (-t MS | -w) -c CPU\n");
	exit(2);
}

static int cmd_send(int argc, char **argv)
{
	struct opts o = { .flows = 1024, .port = 10000, .ms = 1000,
			  .cpu = -1, .vsi_cluster = -1 };
	int opt, have_dst = 0;

	optind = 2;
	while ((opt = getopt(argc, argv, "g:i:s:o:f:l:d:v:m:a:b:F:P:t:wc:")) != -1) {
		switch (opt) {
		case 'g': o.gen_ns = optarg; break;
		case 'i': o.gen_if = optarg; break;
		case 's': o.sink_ns = optarg; break;
		case 'o': o.sink_if = optarg; break;
		case 'f': o.fw_ns = optarg; break;
		case 'l': o.fw_if = optarg; break;
		case 'd':
			if (parse_mac(optarg, o.dst))
				usage();
			have_dst = 1;
			break;
		case 'v': o.vsi_cluster = atoi(optarg); break;
		case 'm':
			if (parse_mac(optarg, o.src))
				usage();
			break;
		case 'a': o.saddr = optarg; break;
		case 'b': o.daddr = optarg; break;
		case 'F': o.flows = strtoul(optarg, NULL, 0); break;
		case 'P': o.port = strtoul(optarg, NULL, 0); break;
		case 't': o.ms = atol(optarg); break;
		case 'w': o.warm = true; break;
		case 'c': o.cpu = atoi(optarg); break;
		default: usage();
		}
	}
	if (!o.gen_ns || !o.gen_if || !o.sink_ns || !o.sink_if ||
	    !o.saddr || !o.daddr || !o.flows || o.flows > MAX_FLOWS ||
	    o.port + o.flows > 65536 || o.ms < 1 || !o.fw_ns != !o.fw_if ||
	    o.cpu < 0 ||
	    (!have_dst && (o.vsi_cluster < 0 || !o.fw_if)))
		usage();
	if (!have_dst)
		vsi_mac_derive(o.dst, o.vsi_cluster, 0, o.fw_if);
	{
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			perror("fwd_rate: sched_setaffinity");
			return 1;
		}
	}
	return do_send(&o);
}

int main(int argc, char **argv)
{
	int err;

	libbpf_set_print(NULL);
	if (argc == 4 && !strcmp(argv[1], "attach-sink")) {
		err = attach_sink(argv[2], argv[3]);
		if (err)
			fprintf(stderr, "fwd_rate: attach-sink: %s\n",
				strerror(-err));
		return !!err;
	}
	if (argc < 2 || strcmp(argv[1], "send"))
		usage();
	return cmd_send(argc, argv);
}
