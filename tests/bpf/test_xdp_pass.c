// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reference program that the lab and the benchmarks rely on: every
 * frame, whatever its content or length, passes unchanged.
 */
#include <linux/bpf.h>
#include <CUnit/CUnit.h>

#include "xdp_pass.skel.h"
#include "../harness.h"
#include "runner.h"

static const __u8 arp_request[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 192, 0, 2, 10,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 192, 0, 2, 1,
};

static void test_xdp_pass_everything(void)
{
	struct xdp_pass *skel;
	struct pkt_case cases[sizeof(arp_request)];

	if (!bpf_tests_allowed())
		return;
	skel = xdp_pass__open_and_load();
	CU_ASSERT_PTR_NOT_NULL_FATAL(skel);
	/* Every prefix of a valid frame, down to a bare Ethernet header. */
	for (size_t len = 14; len <= sizeof(arp_request); len++)
		cases[len - 14] = (struct pkt_case){
			.what = "arp request prefix",
			.in = arp_request, .in_len = len,
			.verdict = XDP_PASS,
		};
	pkt_table_run(bpf_program__fd(skel->progs.xdp_pass), cases,
		      sizeof(arp_request) - 13, NULL);
	xdp_pass__destroy(skel);
}

TEST_SUITE(xdp_pass, NULL, NULL, TEST(test_xdp_pass_everything))
