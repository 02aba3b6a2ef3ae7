// SPDX-License-Identifier: GPL-2.0-only
/*
 * fwd_rate - one slice of the forwarding benchmark (tools/bench/fwd).
 *
 *   fwd_rate attach-sink SINK_NS IF
 *       attaches bench_sink (counts and drops IPv4 UDP) to IF in SINK_NS;
 *   fwd_rate send [options]
 *       generates small UDP frames over many flows into the firewall and
 *       prints one line:
 *         sent N delivered N secs S pps P fast N
 *       pps is delivered / secs; fast is how many of them the data plane
 *       forwarded itself (its FWD counter), -1 when nsrpd is not attached.
 *
 * The generator is bench_gen in BPF_PROG_TEST_RUN live-frames mode, on an
 * idle veth of GEN_NS with the frames' ingress set to GEN_IF: XDP_TX sends
 * each frame out of GEN_IF into the firewall. veth delivers on the
 * sending CPU, so the firewall and the sink run in softirq on the CPU of
 * this process: the rate is that of one core doing generator, firewall
 * and sink, the firewall's part being what differs between variants.
 * Frames are 64 bytes (60 + FCS would be 64 on a wire: near minimum).
 *
 * send options:
 *   -g GEN_NS -i GEN_IF -I IDLE_IF   generator namespace and interfaces
 *   -s SINK_NS -o SINK_IF            where bench_sink counts
 *   -f FW_NS -l FW_IF                where nsrpd's XDP program may be
 *   -d MAC | -v CLUSTER              destination: a MAC, or the VSI MAC
 *                                    of group 0 on FW_IF for the cluster
 *   -m SRC_MAC -a SADDR -b DADDR     frame source MAC and addresses
 *   -F FLOWS -P PORT                 UDP source ports PORT..PORT+FLOWS-1
 *   -t MS | -n PACKETS               send for MS ms, or exactly PACKETS
 *   -c CPU                           pin to CPU
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/ether.h>
#include <netinet/in.h>
#include <sched.h>
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
#include "ident.h"
#include "bench.skel.h"
#include "pkt.h"

#define CHUNK 65536		/* frames per test-run call */
#define FRAME_PAYLOAD 22	/* 14 + 20 + 8 + 22 = 64 bytes */

struct opts {
	const char *gen_ns, *gen_if, *idle_if;
	const char *sink_ns, *sink_if;
	const char *fw_ns, *fw_if;
	__u8 dst[6], src[6];
	int vsi_cluster;
	const char *saddr, *daddr;
	__u32 flows;
	__u16 port;
	long ms;
	__u64 packets;
	int cpu;
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

/* Sends count frames, or for o->ms when count is 0; returns frames sent. */
static long long send_frames(struct bench *b, const struct opts *o,
			     int ifindex, __u64 count, double *secs)
{
	__u8 frame[PKT_MAX];
	struct pkt_spec s = { .saddr = o->saddr, .daddr = o->daddr,
			      .proto = IPPROTO_UDP, .sport = o->port,
			      .dport = 9, .payload = FRAME_PAYLOAD };
	struct xdp_md ctx = { .ingress_ifindex = ifindex };
	__u64 sent = 0;
	double t0, end;
	size_t len;

	memcpy(s.dst, o->dst, 6);
	memcpy(s.src, o->src, 6);
	len = pkt_build(&s, frame);
	if (len != sizeof(b->bss->bench_frame))
		return -EINVAL;
	memcpy(b->bss->bench_frame, frame, len);
	ctx.data_end = len;
	t0 = now_s();
	end = t0 + o->ms / 1000.0;
	do {
		__u32 n = count ? (count - sent < CHUNK ? count - sent : CHUNK)
				: CHUNK;
		LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = frame,
			    .data_size_in = len, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = n,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

		if (bpf_prog_test_run_opts(bpf_program__fd(b->progs.bench_gen),
					   &t))
			return -errno;
		sent += n;
	} while (count ? sent < count : now_s() < end);
	*secs = now_s() - t0;
	return sent;
}

static int do_send(const struct opts *o)
{
	int sink_fd, cnt_fd, gen_if, idle_if, err;
	__u64 rx0, fwd0, rx1, fwd1;
	struct bench *b;
	double secs = 0;
	long long sent;

	sink_fd = xdp_map_fd(o->sink_ns, o->sink_if, "sink_rx");
	if (sink_fd < 0) {
		fprintf(stderr, "fwd_rate: no bench_sink on %s in %s\n",
			o->sink_if, o->sink_ns);
		return 1;
	}
	cnt_fd = xdp_map_fd(o->fw_ns, o->fw_if, NSRPD_MAP_CNT);
	err = netns_enter(o->gen_ns);
	if (err) {
		fprintf(stderr, "fwd_rate: netns %s: %s\n", o->gen_ns,
			strerror(-err));
		return 1;
	}
	gen_if = if_nametoindex(o->gen_if);
	idle_if = if_nametoindex(o->idle_if);
	b = bench__open();
	if (!gen_if || !idle_if || !b)
		return 1;
	b->data->gen_flows = o->flows;
	b->data->gen_port = o->port;
	if (bench__load(b))
		return 1;
	/* In the dispatcher for good, not added and removed per call. */
	if (bpf_xdp_attach(idle_if, bpf_program__fd(b->progs.bench_gen),
			   XDP_FLAGS_DRV_MODE, NULL)) {
		perror("fwd_rate: attach the generator");
		return 1;
	}
	rx0 = percpu_sum(sink_fd, 0);
	fwd0 = fwd_count(cnt_fd);
	sent = send_frames(b, o, gen_if, o->packets, &secs);
	usleep(50000);	/* let the last NAPI polls finish */
	rx1 = percpu_sum(sink_fd, 0);
	fwd1 = fwd_count(cnt_fd);
	bpf_xdp_detach(idle_if, XDP_FLAGS_DRV_MODE, NULL);
	bench__destroy(b);
	if (sent < 0) {
		fprintf(stderr, "fwd_rate: test run: %s\n", strerror(-sent));
		return 1;
	}
	printf("sent %lld delivered %llu secs %.4f pps %.0f fast %lld\n", sent,
	       (unsigned long long)(rx1 - rx0), secs, (rx1 - rx0) / secs,
	       cnt_fd < 0 ? -1LL : (long long)(fwd1 - fwd0));
	return 0;
}

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
		"       fwd_rate send -g NS -i IF -I IDLE -s NS -o IF -f NS -l IF\n"
		"                (-d MAC | -v CLUSTER) -m MAC -a SADDR -b DADDR\n"
		"                [-F FLOWS] [-P PORT] [-t MS | -n PACKETS] [-c CPU]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .flows = 1024, .port = 10000, .ms = 1000,
			  .cpu = -1, .vsi_cluster = -1 };
	int opt, have_dst = 0;

	libbpf_set_print(NULL);
	if (argc >= 4 && !strcmp(argv[1], "attach-sink")) {
		int err = attach_sink(argv[2], argv[3]);

		if (err)
			fprintf(stderr, "fwd_rate: attach-sink: %s\n",
				strerror(-err));
		return !!err;
	}
	if (argc < 2 || strcmp(argv[1], "send"))
		usage();
	optind = 2;
	while ((opt = getopt(argc, argv, "g:i:I:s:o:f:l:d:v:m:a:b:F:P:t:n:c:")) != -1) {
		switch (opt) {
		case 'g': o.gen_ns = optarg; break;
		case 'i': o.gen_if = optarg; break;
		case 'I': o.idle_if = optarg; break;
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
		case 'n': o.packets = strtoull(optarg, NULL, 0); break;
		case 'c': o.cpu = atoi(optarg); break;
		default: usage();
		}
	}
	if (!o.gen_ns || !o.gen_if || !o.idle_if || !o.sink_ns ||
	    !o.sink_if || !o.fw_ns || !o.fw_if || !o.saddr || !o.daddr ||
	    !o.flows || o.port + o.flows > 65536 ||
	    (!have_dst && o.vsi_cluster < 0))
		usage();
	if (!have_dst)
		vsi_mac_derive(o.dst, o.vsi_cluster, 0, o.fw_if);
	if (o.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			perror("fwd_rate: sched_setaffinity");
	}
	return do_send(&o);
}
