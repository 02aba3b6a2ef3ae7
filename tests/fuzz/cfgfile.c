// SPDX-License-Identifier: GPL-2.0-only
/*
 * cfgfile.c - a configuration file in memory for the harnesses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "cfgfile.h"
#include "fuzz.h"

void cfgfile_open(struct cfgfile *f)
{
	f->fd = memfd_create("nsrpd-fuzz.conf", MFD_CLOEXEC);
	if (f->fd < 0) {
		perror("memfd_create");
		abort();
	}
	snprintf(f->path, sizeof(f->path), "/proc/self/fd/%d", f->fd);
}

void cfgfile_set(struct cfgfile *f, const void *text, size_t len)
{
	if (ftruncate(f->fd, 0) ||
	    (len && pwrite(f->fd, text, len, 0) != (ssize_t)len)) {
		perror("cfgfile");
		abort();
	}
}

void cfgfile_check_round_trip(struct cfgfile *f, const struct nsrp_config *c)
{
	static struct nsrp_config back;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	char *errs = NULL;
	size_t errs_len = 0;
	FILE *e;
	int err;

	if (!m)
		abort();
	FUZZ_CHECK(!config_write(c, m), "config_write failed");
	fclose(m);
	cfgfile_set(f, text, len);
	e = open_memstream(&errs, &errs_len);
	if (!e)
		abort();
	err = config_load(f->path, &back, e);
	fclose(e);
	FUZZ_CHECK(!err && config_equal(c, &back),
		   "what config_write made does not load back (%d):\n%s\n%s",
		   err, text, errs);
	free(text);
	free(errs);
}
