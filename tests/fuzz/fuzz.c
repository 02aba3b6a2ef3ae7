// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz.c - what every harness shares, in both builds (fuzz.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"

const char *fuzz_skipped;
bool fuzz_replaying;		/* set by replay.c's main() */
const char *fuzz_input_name;	/* the file being replayed */

void fuzz_fail(const char *file, int line, const char *what, const char *fmt,
	       ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: %s:%d: invariant '%s' broken: ", file, line,
		what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (fuzz_input_name)
		fprintf(stderr, "fuzz: input %s\n", fuzz_input_name);
	abort();
}

void fuzz_skip(const char *why)
{
	fuzz_skipped = why;
	if (fuzz_replaying)
		return;
	fprintf(stderr, "SKIP: %s\n", why);
	_exit(77);
}
