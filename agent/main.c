// SPDX-License-Identifier: GPL-2.0-only
/*
 * nsrpd - NSRP-style active/passive high availability for Linux firewalls.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"

#define NSRPD_VERSION "0.1.0"

static void usage(FILE *f)
{
	fprintf(f, "usage: nsrpd [-f FILE] [--check-config FILE] [--version]\n");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("nsrpd %s\n", NSRPD_VERSION);
		return 0;
	}
	usage(stderr);
	return 2;
}
