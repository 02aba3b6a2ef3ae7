// SPDX-License-Identifier: GPL-2.0-only
/*
 * sess_fill - puts N established TCP sessions straight into a pinned
 * session map, as if the data plane had learnt them, so that a bulk sync
 * of a million sessions can be timed without a million flows through the
 * lab's kernel (which creates about 20000 a second).
 *
 *   sess_fill MAP N
 *
 * The sessions are those of bench_fill (tools/bench/fill.bpf.c), which
 * inserts them in the kernel, 4096 a run, by the helper nsrpd's apply
 * program uses. Then sess_fill reads the whole map back by batch lookups
 * of 4096, as the agent reads it to send a bulk. Prints one JSON object:
 * the sessions, and the seconds the kernel took to insert them and to
 * read the map (the runs and syscalls alone): what a bulk sync of the
 * same map costs the kernel at the least, on the unit that inserts and
 * on the one that reads, with nothing of the agents in it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "nsrpd.h"
#include "sesstab.h"
#include "fill.skel.h"

#define CHUNK	4096

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Inserts sessions 0..n-1; the seconds spent in the runs, or < 0. */
static double fill(int fd, unsigned long n)
{
	struct fill *skel = fill__open();
	__u64 spent = 0;
	int err;

	if (!skel)
		return -1;
	err = bpf_map__reuse_fd(skel->maps.fill_sess, fd);
	if (!err)
		err = fill__load(skel);
	if (err) {
		fprintf(stderr, "sess_fill: loading bench_fill: %s\n",
			strerror(-err));
		fill__destroy(skel);
		return -1;
	}
	skel->bss->fill_now = mono_ns();
	for (unsigned long i = 0; i < n && !err; i += CHUNK) {
		LIBBPF_OPTS(bpf_test_run_opts, o);
		__u64 t = mono_ns();

		skel->bss->fill_first = i;
		skel->bss->fill_count = n - i < CHUNK ? n - i : CHUNK;
		err = bpf_prog_test_run_opts(
			bpf_program__fd(skel->progs.bench_fill), &o);
		spent += mono_ns() - t;
	}
	if (err || skel->bss->fill_failed)
		fprintf(stderr, "sess_fill: %s, %llu inserts failed\n",
			err ? strerror(errno) : "ran",
			(unsigned long long)skel->bss->fill_failed);
	err = err || skel->bss->fill_failed;
	fill__destroy(skel);
	return err ? -1 : spent / 1e9;
}

/* Reads the whole map as the agent does; the seconds it took, or < 0. */
static double read_all(int fd, unsigned long *read)
{
	static struct nsrp_sess_key keys[CHUNK];
	static struct nsrp_sess vals[CHUNK];
	struct sesstab_cursor c = { 0 };
	__u64 t = mono_ns();
	int n;

	*read = 0;
	while ((n = sesstab_read(fd, &c, keys, vals, CHUNK)) > 0)
		*read += n;
	if (n < 0) {
		fprintf(stderr, "sess_fill: reading the map: %s\n", strerror(-n));
		return -1;
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
	insert_s = fill(fd, n);
	if (insert_s < 0)
		return 1;
	read_s = read_all(fd, &read);
	if (read_s < 0)
		return 1;
	printf("{\"sessions\":%lu,\"insert_s\":%.3f,\"read_s\":%.3f,"
	       "\"read\":%lu}\n", n, insert_s, read_s, read);
	return 0;
}
