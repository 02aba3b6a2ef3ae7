// SPDX-License-Identifier: GPL-2.0-only
/*
 * ct_inject - creates new connections in the kernel's conntrack table
 * faster than the lab's traffic can, for the incumbent (keepalived +
 * conntrackd) side of tools/bench/synclimit: conntrackd learns of each
 * one from the kernel's ctnetlink NEW event and replicates it, as it
 * does for a connection the kernel tracked from a packet.
 *
 *   ct_inject run -r RATE -d SECS [-t TIMEOUT] [-m MARKS] [-p tcp] [-A]
 *   ct_inject listen -d SECS
 *
 * run: RATE connections a second for SECS seconds: the UDP flows of
 * inject.h from 0 on (with -p tcp, the same as established TCP
 * connections, replied to and assured, as the kernel holds a live one),
 * original and reply tuples both, TIMEOUT seconds to live (default 3600,
 * so none expires while measured); with -A, all RATE x SECS of them
 * however long it takes (to fill a table), where a run otherwise stops a
 * second after SECS. Each batch of the
 * pacing is one sendmsg() of as many IPCTNL_MSG_CT_NEW requests: the
 * kernel handles them one by one in this call and reports only the
 * failures (no acknowledgement asked for), so what it refused is known
 * when the call returns. MARKS: the pacing marks, "T_NS DONE" a line.
 * Prints one JSON object: asked, created, failed (with the first
 * error), the rate reached, its own CPU time per connection (cpu_us: the
 * kernel creating them and their NEW events is most of it), and the
 * growth of this namespace's conntrack table over the run. Exits 1 when
 * it created nothing or the kernel refused any (the first error says
 * why: a full table, say). Runs in the master's namespace (tools/lab exec
 * fw1).
 *
 * listen: a receiver of the kernel's NEW events that does nothing with
 * them, for SECS seconds: with it, and no conntrackd, a run measures what
 * the injector itself can reach, the kernel's work of creating the
 * connections and of sending their events included. Prints the events
 * read and the times the socket overran.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>

#include "inject.h"

#define MSG_ROOM	256	/* bytes per request, at most (about 140) */
#define RCVBUF		(4 << 20)

struct ct_injector {
	struct mnl_socket *nl;
	struct nf_conntrack *ct;
	uint32_t timeout_s;
	bool tcp;		/* established TCP, not UDP */
	uint32_t seq;
	char *buf;		/* INJECT_BATCH requests */
	int first_err;		/* the first refusal, a positive errno */
};

static void ct_set_flow(struct nf_conntrack *ct, const struct inject_flow *f)
{
	nfct_set_attr_u32(ct, ATTR_IPV4_SRC, f->saddr);
	nfct_set_attr_u32(ct, ATTR_IPV4_DST, f->daddr);
	nfct_set_attr_u16(ct, ATTR_PORT_SRC, f->sport);
	nfct_set_attr_u16(ct, ATTR_PORT_DST, f->dport);
	nfct_set_attr_u32(ct, ATTR_REPL_IPV4_SRC, f->daddr);
	nfct_set_attr_u32(ct, ATTR_REPL_IPV4_DST, f->saddr);
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_SRC, f->dport);
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_DST, f->sport);
}

/* One IPCTNL_MSG_CT_NEW request at p; returns its length or -errno. */
static int ct_put_new(struct ct_injector *in, char *p, uint64_t i)
{
	struct inject_flow f;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	inject_flow(i, &f);
	ct_set_flow(in->ct, &f);
	nlh = mnl_nlmsg_put_header(p);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = ++in->seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (nfct_nlmsg_build(nlh, in->ct) < 0)
		return errno ? -errno : -EINVAL;
	if (nlh->nlmsg_len > MSG_ROOM)
		return -EMSGSIZE;
	return (int)nlh->nlmsg_len;
}

/* The refusals queued on the socket: the kernel's error messages. */
static unsigned int ct_read_errors(struct ct_injector *in)
{
	char rb[16384];
	unsigned int errs = 0;
	ssize_t n;

	while ((n = recv(mnl_socket_get_fd(in->nl), rb, sizeof(rb),
			 MSG_DONTWAIT)) > 0) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)rb;
		int len = (int)n;

		for (; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len)) {
			const struct nlmsgerr *e;

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			e = mnl_nlmsg_get_payload(h);
			if (!e->error)
				continue;
			errs++;
			if (!in->first_err)
				in->first_err = -e->error;
		}
	}
	return errs;
}

static int ct_batch(void *arg, uint64_t first, unsigned int count)
{
	struct ct_injector *in = arg;
	size_t off = 0;
	unsigned int errs;

	for (unsigned int j = 0; j < count; j++) {
		int n = ct_put_new(in, in->buf + off, first + j);

		if (n < 0)
			return n;
		off += n;
	}
	if (mnl_socket_sendto(in->nl, in->buf, off) < 0)
		return -errno;
	errs = ct_read_errors(in);
	return errs > count ? 0 : (int)(count - errs);
}

static long ct_count(void)
{
	FILE *f = fopen("/proc/sys/net/netfilter/nf_conntrack_count", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

static int ct_open(struct ct_injector *in)
{
	int one = 1, rcv = RCVBUF, fd;
	uint8_t proto = in->tcp ? IPPROTO_TCP : IPPROTO_UDP;

	in->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!in->nl || mnl_socket_bind(in->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	fd = mnl_socket_get_fd(in->nl);
	/* An error message need not carry the request back. */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	in->ct = nfct_new();
	in->buf = malloc((size_t)INJECT_BATCH * MSG_ROOM);
	if (!in->ct || !in->buf)
		return -ENOMEM;
	/* Each tuple carries its own protocols, or no request is built. */
	nfct_set_attr_u8(in->ct, ATTR_L3PROTO, AF_INET);
	nfct_set_attr_u8(in->ct, ATTR_L4PROTO, proto);
	nfct_set_attr_u8(in->ct, ATTR_REPL_L3PROTO, AF_INET);
	nfct_set_attr_u8(in->ct, ATTR_REPL_L4PROTO, proto);
	nfct_set_attr_u32(in->ct, ATTR_TIMEOUT, in->timeout_s);
	if (in->tcp) {
		nfct_set_attr_u8(in->ct, ATTR_TCP_STATE,
				 TCP_CONNTRACK_ESTABLISHED);
		nfct_set_attr_u32(in->ct, ATTR_STATUS,
				  IPS_SEEN_REPLY | IPS_ASSURED | IPS_CONFIRMED);
	}
	return 0;
}

/* The NEW events of this namespace, read and dropped for secs seconds. */
static int ct_listen(double secs)
{
	unsigned long long events = 0, overruns = 0;
	int rcv = RCVBUF, fd, n;
	struct mnl_socket *nl;
	struct timespec t0, t;
	static char buf[1 << 16];
	struct timeval tv = { .tv_usec = 100000 };

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 1 << (NFNLGRP_CONNTRACK_NEW - 1),
				   MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "ct_inject: listen: %s\n", strerror(errno));
		return 1;
	}
	fd = mnl_socket_get_fd(nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0) {
			const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
			int len = n;

			for (; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len))
				events++;
		} else if (n < 0 && errno == ENOBUFS) {
			overruns++;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
	printf("{\"events\":%llu,\"overruns\":%llu}\n", events, overruns);
	mnl_socket_close(nl);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: ct_inject run -r RATE -d SECS [-t TIMEOUT] "
			"[-m MARKS] [-p tcp] [-A]\n"
			"       ct_inject listen -d SECS\n");
}

int main(int argc, char **argv)
{
	struct ct_injector in = { .timeout_s = 3600 };
	const char *marks = NULL;
	struct inject_pace p;
	uint64_t rate = 0, max, failed, late;
	long c0, c1;
	double secs = 0, el;
	int c, err;

	bool listen, all = false;

	if (argc < 2 || (strcmp(argv[1], "run") && strcmp(argv[1], "listen"))) {
		usage();
		return 2;
	}
	listen = !strcmp(argv[1], "listen");
	argc--;
	argv++;
	while ((c = getopt(argc, argv, "r:d:t:m:p:A")) != -1) {
		switch (c) {
		case 'r':
			rate = strtoull(optarg, NULL, 10);
			break;
		case 'd':
			secs = strtod(optarg, NULL);
			break;
		case 't':
			in.timeout_s = strtoul(optarg, NULL, 10);
			break;
		case 'm':
			marks = optarg;
			break;
		case 'A':
			all = true;
			break;
		case 'p':
			if (strcmp(optarg, "tcp") && strcmp(optarg, "udp")) {
				usage();
				return 2;
			}
			in.tcp = !strcmp(optarg, "tcp");
			break;
		default:
			usage();
			return 2;
		}
	}
	if (listen) {
		if (secs <= 0) {
			usage();
			return 2;
		}
		return ct_listen(secs);
	}
	max = (uint64_t)(rate * secs);
	if (!rate || !max || max > INJECT_MAX || !in.timeout_s) {
		usage();
		return 2;
	}
	err = ct_open(&in);
	if (err) {
		fprintf(stderr, "ct_inject: ctnetlink: %s\n", strerror(-err));
		return 1;
	}
	/* A second of slack over SECS: a late start is not a shortfall. */
	if (inject_pace_init(&p, rate, max,
			     all ? UINT64_MAX : (uint64_t)(secs * 1e9) + 1000000000ull))
		return 1;
	c0 = ct_count();
	err = inject_run(&p, ct_batch, &in, &failed);
	/* Late refusals (none expected: see above) are refusals too. */
	late = ct_read_errors(&in);
	failed += late;
	p.done -= late < p.done ? late : p.done;
	c1 = ct_count();
	if (err)
		fprintf(stderr, "ct_inject: %s\n", strerror(-err));
	if (marks && inject_write_marks(&p, marks)) {
		fprintf(stderr, "ct_inject: %s: %s\n", marks, strerror(errno));
		return 1;
	}
	el = (p.t_end - p.t0) / 1e9;
	printf("{\"rate\":%llu,\"secs\":%g,\"asked\":%llu,\"injected\":%llu,"
	       "\"failed\":%llu,\"first_error\":\"%s\",\"elapsed_s\":%.3f,"
	       "\"reached_per_s\":%.0f,\"cpu_us\":%.2f,\"table_grew\":%ld,"
	       "\"t0_ns\":%llu}\n",
	       (unsigned long long)rate, secs, (unsigned long long)max,
	       (unsigned long long)p.done, (unsigned long long)failed,
	       in.first_err ? strerror(in.first_err) : "",
	       el, el > 0 ? p.done / el : 0, inject_cpu_us(&p),
	       c0 >= 0 && c1 >= 0 ? c1 - c0 : -1,
	       (unsigned long long)p.t0);
	nfct_destroy(in.ct);
	mnl_socket_close(in.nl);
	free(in.buf);
	if (!err && (!p.done || failed)) {
		fprintf(stderr, "ct_inject: %llu of %llu connections refused "
			"(%s)\n", (unsigned long long)failed,
			(unsigned long long)(p.done + failed),
			in.first_err ? strerror(in.first_err) : "no error given");
		return 1;
	}
	return err ? 1 : 0;
}
