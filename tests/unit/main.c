// SPDX-License-Identifier: GPL-2.0-only
/* The unit-test binary: pure logic, no privileges needed. */
#include "../harness_main.h"

int main(int argc, char **argv)
{
	return harness_run("unit", argc, argv);
}
