/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cfgfile.h - what both configuration harnesses share: a file in memory
 * that config_load() reads by its path, and the check that a
 * configuration reads back from what config_write() makes of it.
 */
#ifndef NSRPD_FUZZ_CFGFILE_H
#define NSRPD_FUZZ_CFGFILE_H

#include <stddef.h>

#include "config.h"

/* A memfd; path names it for config_load(). */
struct cfgfile {
	int fd;
	char path[64];
};

void cfgfile_open(struct cfgfile *f);
/* Makes the file hold exactly len bytes of text. */
void cfgfile_set(struct cfgfile *f, const void *text, size_t len);
/* c, written by config_write(), loads back as c: "nsrpctl save" works. */
void cfgfile_check_round_trip(struct cfgfile *f, const struct nsrp_config *c);

#endif
