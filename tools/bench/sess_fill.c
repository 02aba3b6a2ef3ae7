// SPDX-License-Identifier: GPL-2.0-only
/*
 * sess_fill - puts N established TCP sessions straight into a pinned
 * session map, as if the data plane had learnt them, so that a bulk sync
 * of a million sessions can be timed without a million flows through the
 * lab's kernel (which creates about 20000 a second).
 *
 *   sess_fill MAP N
 *
 * The sessions are 192.0.2.0/24 -> 198.51.100.0/24 port 443, local (not
 * from the peer), VSD group 0, alive for an hour. Batch updates of 4096.
 * Then it reads the whole map back by batch lookups of 4096. Prints one
 * JSON object: the sessions, and the seconds the kernel took to insert
 * them and to read the map, syscalls alone: what a bulk sync of the same
 * map costs the kernel at least, on the unit that reads and on the one
 * that inserts, with nothing of the agents in it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "nsrpd.h"

#define CHUNK	4096

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Session i: a distinct 5-tuple for every i below 2^32. */
static void sess_make(__u32 i, __u64 now, struct nsrp_sess_key *k,
		      struct nsrp_sess *v)
{
	memset(k, 0, sizeof(*k));
	memset(v, 0, sizeof(*v));
	k->addr_a[0] = htonl(0xc0000200 | (i & 0xff));		/* 192.0.2.x */
	k->addr_b[0] = htonl(0xc6336400 | ((i >> 8) & 0xff));	/* 198.51.100.y */
	k->port_a = htons(1024 + (i >> 16));
	k->port_b = htons(443);
	k->proto = IPPROTO_TCP;
	k->family = NSRP_AF_INET;
	v->expires_ns = now + 3600ull * 1000000000ull;
	v->refreshed_ns = now;
	v->pkts[0] = v->pkts[1] = 1;
	v->bytes[0] = v->bytes[1] = 60;
	v->state = NSRP_SS_ESTABLISHED;
}

/* Inserts sessions 0..n-1; the seconds spent in the syscalls, or < 0. */
static double fill(int fd, unsigned long n, __u64 now)
{
	static struct nsrp_sess_key keys[CHUNK];
	static struct nsrp_sess vals[CHUNK];
	__u64 spent = 0;

	for (unsigned long i = 0; i < n; i += CHUNK) {
		__u32 count = n - i < CHUNK ? n - i : CHUNK;
		__u64 t;

		for (__u32 j = 0; j < count; j++)
			sess_make(i + j, now, &keys[j], &vals[j]);
		t = mono_ns();
		if (bpf_map_update_batch(fd, keys, vals, &count, NULL)) {
			fprintf(stderr, "sess_fill: batch update at %lu: %s\n",
				i, strerror(errno));
			return -1;
		}
		spent += mono_ns() - t;
	}
	return spent / 1e9;
}

/* Reads the whole map; the seconds it took, or < 0. */
static double read_all(int fd, unsigned long *read)
{
	static struct nsrp_sess_key keys[CHUNK];
	static struct nsrp_sess vals[CHUNK];
	__u32 in = 0, out = 0;
	bool first = true;
	__u64 t = mono_ns();

	*read = 0;
	for (;;) {
		__u32 count = CHUNK;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out,
					       keys, vals, &count, NULL);

		*read += count;
		if (err && errno == ENOENT)
			break;
		if (err) {
			fprintf(stderr, "sess_fill: batch read: %s\n",
				strerror(errno));
			return -1;
		}
		in = out;
		first = false;
	}
	return (mono_ns() - t) / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long n, read;
	double insert_s, read_s;
	int fd;

	if (argc != 3 || (n = strtoul(argv[2], NULL, 10)) == 0 ||
	    n > (1ul << 26)) {
		fprintf(stderr, "usage: sess_fill MAP N (N up to 2^26)\n");
		return 2;
	}
	fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "sess_fill: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	insert_s = fill(fd, n, mono_ns());
	if (insert_s < 0)
		return 1;
	read_s = read_all(fd, &read);
	if (read_s < 0)
		return 1;
	printf("{\"sessions\":%lu,\"insert_s\":%.3f,\"read_s\":%.3f,"
	       "\"read\":%lu}\n", n, insert_s, read_s, read);
	return 0;
}
