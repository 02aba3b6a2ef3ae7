/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * runner.h - table-driven BPF_PROG_TEST_RUN cases.
 *
 * Each case names what it checks, the input frame, the map state to set up
 * before the run, the verdict and output bytes expected, and a check of the
 * map change the run must leave behind.
 */
#ifndef NSRPD_TEST_RUNNER_H
#define NSRPD_TEST_RUNNER_H

#include <stddef.h>
#include <linux/types.h>

struct pkt_case {
	const char *what;
	const void *in;
	size_t in_len;
	/* Map state before the run; returns 0 or -errno. May be NULL. */
	int (*setup)(void *env);
	__u32 verdict;
	/* Expected output frame; NULL means "unchanged from the input". */
	const void *out;
	size_t out_len;
	/* Map change after the run; returns 0 when as expected. May be NULL. */
	int (*check)(void *env);
	/* Ingress ifindex the program sees (0: none). */
	__u32 ifindex;
};

/*
 * Runs one case against prog_fd and reports every mismatch through CUnit.
 * Returns 0 when the case passed.
 */
int pkt_case_run(int prog_fd, const struct pkt_case *c, void *env);
/* Runs a whole table; env is handed to each setup and check. */
void pkt_table_run(int prog_fd, const struct pkt_case *cases, size_t n,
		   void *env);
/* 1 when the process may load BPF programs; else marks the test skipped. */
int bpf_tests_allowed(void);

#endif
