// SPDX-License-Identifier: GPL-2.0-only
/*
 * The unit-test binary: pure logic, run by any user. The few cases that
 * need root (HA sockets in a network namespace of their own, a client
 * of another user) say they skip without it; as root, each enters and
 * leaves its namespace around the case (test_halink.c), never the binary.
 */
#include "../harness_main.h"

int main(int argc, char **argv)
{
	return harness_run("unit", argc, argv);
}
