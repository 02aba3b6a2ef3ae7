// SPDX-License-Identifier: GPL-2.0-only
/* The BPF program-test binary: BPF_PROG_TEST_RUN cases, needs root. */
#include "../harness_main.h"

int main(int argc, char **argv)
{
	return harness_run("bpf", argc, argv);
}
