/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * version.h - what both programs say of themselves: the release, and
 * the exit codes of nsrpd and nsrpctl, one table for the two.
 */
#ifndef NSRPD_VERSION_H
#define NSRPD_VERSION_H

#define NSRPD_VERSION		"0.1.0"

enum nsrp_exit {
	NSRP_EXIT_OK = 0,
	NSRP_EXIT_FAIL = 1,	/* nsrpd: a runtime failure;
				 * nsrpctl: the daemon refused the command */
	NSRP_EXIT_USAGE = 2,	/* bad command line */
	NSRP_EXIT_CONFIG = 3,	/* nsrpd: bad configuration */
	NSRP_EXIT_UNREACHABLE = 3, /* nsrpctl: no daemon answered */
	NSRP_EXIT_DENIED = 4,	/* nsrpctl: not allowed to use the socket */
};

#endif
