// SPDX-License-Identifier: GPL-2.0-only
/*
 * nsrpctl - query and command a running nsrpd.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("nsrpctl 0.1.0\n");
		return 0;
	}
	fprintf(stderr, "usage: nsrpctl get nsrp [-j]\n");
	return 2;
}
