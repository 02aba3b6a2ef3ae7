// SPDX-License-Identifier: GPL-2.0-only
/*
 * runner.c - run packet cases through BPF_PROG_TEST_RUN and compare.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <CUnit/CUnit.h>

#include "../harness.h"
#include "runner.h"

#define RUNNER_MAX_FRAME 2048

static void hexdump_diff(const char *what, const __u8 *got, size_t got_len,
			 const __u8 *want, size_t want_len)
{
	size_t n = got_len > want_len ? got_len : want_len;

	fprintf(stderr, "  %s: output differs (got %zu bytes, want %zu)\n",
		what, got_len, want_len);
	for (size_t i = 0; i < n; i++) {
		int g = i < got_len ? got[i] : -1;
		int w = i < want_len ? want[i] : -1;

		if (g != w)
			fprintf(stderr, "    [%zu] got %02x want %02x\n", i,
				g & 0xff, w & 0xff);
	}
}

int pkt_case_run(int prog_fd, const struct pkt_case *c, void *env)
{
	__u8 out[RUNNER_MAX_FRAME];
	struct xdp_md ctx_in = { .data_end = c->in_len,
				 .ingress_ifindex = c->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = c->in,
		    .data_size_in = c->in_len,
		    .data_out = out,
		    .data_size_out = sizeof(out),
		    .repeat = 1);
	const void *want = c->out ? c->out : c->in;
	size_t want_len = c->out ? c->out_len : c->in_len;
	int err, failed = 0;

	if (c->ifindex) {
		opts.ctx_in = &ctx_in;
		opts.ctx_size_in = sizeof(ctx_in);
	}
	if (c->setup && (err = c->setup(env))) {
		fprintf(stderr, "  %s: setup failed: %s\n", c->what,
			strerror(-err));
		CU_FAIL(c->what);
		return -1;
	}
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err) {
		fprintf(stderr, "  %s: test run failed: %s\n", c->what,
			strerror(errno));
		CU_FAIL(c->what);
		return -1;
	}
	if (opts.retval != c->verdict) {
		fprintf(stderr, "  %s: verdict %u, want %u\n", c->what,
			opts.retval, c->verdict);
		failed = 1;
	}
	/* A dropped frame has no output worth comparing. */
	if (c->verdict != 1 /* XDP_DROP */ &&
	    (opts.data_size_out != want_len ||
	     memcmp(out, want, want_len))) {
		hexdump_diff(c->what, out, opts.data_size_out, want,
			     want_len);
		failed = 1;
	}
	if (c->check && c->check(env)) {
		fprintf(stderr, "  %s: map state not as expected\n", c->what);
		failed = 1;
	}
	CU_PASS(c->what);
	if (failed)
		CU_FAIL(c->what);
	return failed ? -1 : 0;
}

void pkt_table_run(int prog_fd, const struct pkt_case *cases, size_t n,
		   void *env)
{
	for (size_t i = 0; i < n; i++)
		pkt_case_run(prog_fd, &cases[i], env);
}

int bpf_tests_allowed(void)
{
	if (geteuid() == 0)
		return 1;
	harness_skip("BPF program tests need root");
	return 0;
}
