// SPDX-License-Identifier: GPL-2.0-only
/*
 * haflood - floods an HA link with frames a unit must refuse, for
 * test_ha_flood.sh: the frames an attacker on the link, or a broken
 * unit, could send.
 *
 *   haflood -i IFNAME -d ADDRESS -k KIND -r RATE -t SECONDS
 *           [-c CLUSTER] [-K KEY_ID] [-u UNIT]
 *
 * KIND is one of
 *   forged         a heartbeat of this cluster with a MAC trailer of
 *                  random bytes (and key id KEY_ID: the receiver's own,
 *                  so that it must check the MAC)
 *   replayed       frames the local unit sent on IFNAME, captured as
 *                  they went out and sent again, over and over
 *   truncated      the first 20 bytes of a header
 *   wrong-cluster  a heartbeat of cluster CLUSTER + 1
 *   mixed          the four in turn
 * RATE frames a second in all, for SECONDS, to ADDRESS's HA port with
 * TTL 255 from IFNAME, by sendmmsg() in batches paced each millisecond.
 * Prints what it sent: "sent N frames in S s (R/s): K1 N1 K2 N2 ...".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include "hacrypt.h"
#include "proto.h"

enum kind { K_FORGED, K_REPLAYED, K_TRUNCATED, K_WRONG_CLUSTER, K_MAX };

static const char *const kind_names[K_MAX] = {
	"forged", "replayed", "truncated", "wrong-cluster",
};

#define BATCH		64
#define CAPTURED	8
#define FRAME_MAX	256

struct flood {
	const char *ifname;
	struct sockaddr_in to;
	uint32_t cluster_id;
	uint32_t unit_id;
	uint8_t key_id;
	bool kinds[K_MAX];
	unsigned long rate;
	unsigned int seconds;
	uint8_t captured[CAPTURED][FRAME_MAX];
	size_t captured_len[CAPTURED];
	unsigned int n_captured;
	uint64_t seq;
	uint64_t sent[K_MAX];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void random_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)random();
}

/* A heartbeat of cluster_id from unit, its trailer random. */
static size_t forge_hb(struct flood *f, uint8_t *buf, uint32_t cluster_id)
{
	struct proto_hdr h = { .cluster_id = cluster_id,
			       .unit_id = f->unit_id,
			       .epoch = 1, .seq = ++f->seq,
			       .flags = PROTO_F_AUTH | PROTO_F_MASTER };
	struct proto_hb hb = { .interval_ms = 100, .threshold = 3,
			       .ngroups = 1,
			       .groups = { { .id = 0, .state = 2,
					     .priority = 1 } } };
	int n = proto_encode_hb(buf, FRAME_MAX, &h, &hb);
	size_t total = n + HACRYPT_MAC_LEN;

	buf[PROTO_OFF_TOTAL_LEN] = total >> 8;
	buf[PROTO_OFF_TOTAL_LEN + 1] = total;
	buf[PROTO_OFF_KEY_ID] = f->key_id;
	buf[PROTO_OFF_KEY_ACCEPTS] = f->key_id;
	random_bytes(buf + n, HACRYPT_MAC_LEN);
	return total;
}

static size_t make_frame(struct flood *f, enum kind k, uint8_t *buf)
{
	unsigned int i;

	switch (k) {
	case K_FORGED:
		return forge_hb(f, buf, f->cluster_id);
	case K_REPLAYED:
		i = f->seq++ % f->n_captured;
		memcpy(buf, f->captured[i], f->captured_len[i]);
		return f->captured_len[i];
	case K_TRUNCATED:
		forge_hb(f, buf, f->cluster_id);
		return 20;
	case K_WRONG_CLUSTER:
		return forge_hb(f, buf, f->cluster_id + 1);
	default:
		return 0;
	}
}

/*
 * Frames the local unit sends on the HA port, as they leave (a packet
 * socket sees outgoing frames only when it takes every protocol).
 */
static int capture(struct flood *f)
{
	int fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = if_nametoindex(f->ifname) };
	uint64_t deadline = now_ns() + 10ull * 1000000000ull;
	struct timeval tv = { .tv_sec = 1 };
	uint8_t pkt[2048];

	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (f->n_captured < CAPTURED && now_ns() < deadline) {
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, pkt, sizeof(pkt), 0,
				     (struct sockaddr *)&from, &flen);
		const struct iphdr *ip = (const void *)pkt;
		const struct udphdr *udp;
		size_t hl, len;

		if (n < (ssize_t)sizeof(*ip) ||
		    from.sll_pkttype != PACKET_OUTGOING ||
		    from.sll_protocol != htons(ETH_P_IP) ||
		    ip->protocol != IPPROTO_UDP)
			continue;
		hl = ip->ihl * 4;
		udp = (const void *)(pkt + hl);
		if ((size_t)n < hl + sizeof(*udp) ||
		    ntohs(udp->dest) != PROTO_PORT)
			continue;
		len = n - hl - sizeof(*udp);
		if (len > FRAME_MAX)
			continue;
		memcpy(f->captured[f->n_captured], udp + 1, len);
		f->captured_len[f->n_captured++] = len;
	}
	close(fd);
	return f->n_captured ? 0 : -ETIMEDOUT;
}

static int open_sender(const struct flood *f)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ttl = 255;
	int one = 1;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, f->ifname,
		       strlen(f->ifname) + 1) ||
	    setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* The next kind in turn among those asked for. */
static enum kind next_kind(const struct flood *f, uint64_t i)
{
	unsigned int n = 0, pick;
	enum kind k;

	for (k = 0; k < K_MAX; k++)
		n += f->kinds[k];
	pick = i % n;
	for (k = 0; k < K_MAX; k++)
		if (f->kinds[k] && !pick--)
			break;
	return k;
}

static int flood_run(struct flood *f, int fd)
{
	static uint8_t bufs[BATCH][FRAME_MAX];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	enum kind kinds[BATCH];
	uint64_t start = now_ns(), end = start + f->seconds * 1000000000ull;
	uint64_t due = 0, total = 0;

	memset(msgs, 0, sizeof(msgs));
	for (uint64_t t = now_ns(); t < end; t = now_ns()) {
		/* Frames due by now at RATE; at most a batch at a time. */
		due = (t - start) * f->rate / 1000000000ull;
		if (total >= due) {
			struct timespec ms = { .tv_nsec = 1000000 / 4 };

			nanosleep(&ms, NULL);
			continue;
		}
		int n = due - total < BATCH ? (int)(due - total) : BATCH;

		for (int i = 0; i < n; i++) {
			kinds[i] = next_kind(f, total + i);
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = make_frame(f, kinds[i], bufs[i]);
			msgs[i].msg_hdr = (struct msghdr){
				.msg_name = &f->to, .msg_namelen = sizeof(f->to),
				.msg_iov = &iov[i], .msg_iovlen = 1,
			};
		}
		n = sendmmsg(fd, msgs, n, 0);
		if (n < 0) {
			if (errno == ENOBUFS || errno == EAGAIN)
				continue;
			return -errno;
		}
		for (int i = 0; i < n; i++)
			f->sent[kinds[i]]++;
		total += n;
	}
	printf("sent %llu frames in %u s (%llu/s):",
	       (unsigned long long)total, f->seconds,
	       (unsigned long long)(total / f->seconds));
	for (int k = 0; k < K_MAX; k++)
		if (f->kinds[k])
			printf(" %s %llu", kind_names[k],
			       (unsigned long long)f->sent[k]);
	printf("\n");
	return 0;
}

static int parse_kind(struct flood *f, const char *s)
{
	if (!strcmp(s, "mixed")) {
		for (int k = 0; k < K_MAX; k++)
			f->kinds[k] = true;
		return 0;
	}
	for (int k = 0; k < K_MAX; k++)
		if (!strcmp(s, kind_names[k])) {
			f->kinds[k] = true;
			return 0;
		}
	return -EINVAL;
}

static void usage(void)
{
	fprintf(stderr, "usage: haflood -i IFNAME -d ADDRESS -k "
			"forged|replayed|truncated|wrong-cluster|mixed -r RATE "
			"-t SECONDS [-c CLUSTER] [-K KEY_ID] [-u UNIT]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct flood f = { .to = { .sin_family = AF_INET,
				   .sin_port = htons(PROTO_PORT) },
			   .unit_id = 0x4242, .cluster_id = 1 };
	bool kind = false;
	int opt, fd, err;

	while ((opt = getopt(argc, argv, "i:d:k:r:t:c:K:u:")) != -1) {
		switch (opt) {
		case 'i': f.ifname = optarg; break;
		case 'd':
			if (inet_pton(AF_INET, optarg, &f.to.sin_addr) != 1)
				usage();
			break;
		case 'k':
			if (parse_kind(&f, optarg))
				usage();
			kind = true;
			break;
		case 'r': f.rate = strtoul(optarg, NULL, 0); break;
		case 't': f.seconds = strtoul(optarg, NULL, 0); break;
		case 'c': f.cluster_id = strtoul(optarg, NULL, 0); break;
		case 'K': f.key_id = strtoul(optarg, NULL, 0); break;
		case 'u': f.unit_id = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (!f.ifname || !f.to.sin_addr.s_addr || !kind || !f.rate ||
	    !f.seconds)
		usage();
	srandom(getpid());
	if (f.kinds[K_REPLAYED]) {
		err = capture(&f);
		if (err) {
			fprintf(stderr, "haflood: no frame of the unit's to "
					"replay on %s: %s\n", f.ifname,
				strerror(-err));
			return 1;
		}
	}
	fd = open_sender(&f);
	if (fd < 0) {
		fprintf(stderr, "haflood: %s: %s\n", f.ifname, strerror(-fd));
		return 1;
	}
	err = flood_run(&f, fd);
	close(fd);
	if (err) {
		fprintf(stderr, "haflood: send: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}
