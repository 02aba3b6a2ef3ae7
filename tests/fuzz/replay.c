// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay.c - main() of the regression build of a harness: runs each
 * input named on the command line (a directory: every file in it) once,
 * under the test build's sanitizers, and ends with the line tests/run
 * counts: "NAME: N passed, 0 failed, N skipped". A broken invariant or a
 * sanitizer report aborts before that line, naming the input.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sanitizer/common_interface_defs.h>

#include "fuzz.h"

extern bool fuzz_replaying;
extern const char *fuzz_input_name;

#define REPLAY_MAX_INPUT	(1 << 20)	/* libFuzzer's -max_len is less */

static void say_input(void)
{
	if (fuzz_input_name)
		fprintf(stderr, "fuzz: input %s\n", fuzz_input_name);
}

/* One input, in a buffer of its own size: ASan sees a read past it. */
static int run_file(const char *path)
{
	uint8_t *data = malloc(REPLAY_MAX_INPUT);
	FILE *f = fopen(path, "rb");
	size_t n = 0;
	uint8_t *exact;

	if (f)
		n = fread(data, 1, REPLAY_MAX_INPUT, f);
	if (!f || ferror(f) || !data) {
		fprintf(stderr, "%s: cannot read\n", path);
		if (f)
			fclose(f);
		free(data);
		return -1;
	}
	fclose(f);
	exact = realloc(data, n ? n : 1);
	if (!exact) {
		free(data);
		return -1;
	}
	fuzz_input_name = path;
	LLVMFuzzerTestOneInput(exact, n);
	fuzz_input_name = NULL;
	free(exact);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Runs a file, or every regular file of a directory. Returns the count. */
static int run_path(const char *path, bool dry)
{
	struct dirent **ents;
	struct stat st;
	char sub[4096];
	int n, count = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return dry || !run_file(path) ? 1 : -1;
	n = scandir(path, &ents, NULL, by_name);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", path, ents[i]->d_name);
		if (!stat(sub, &st) && S_ISREG(st.st_mode)) {
			if (!dry && run_file(sub))
				count = -1;
			else if (count >= 0)
				count++;
		}
		free(ents[i]);
	}
	free(ents);
	return count;
}

int main(int argc, char **argv)
{
	const char *name = basename(argv[0]);
	unsigned int done = 0, skipped = 0;
	int n;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR|FILE...\n", name);
		return 2;
	}
	__sanitizer_set_death_callback(say_input);
	fuzz_replaying = true;
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		n = run_path(argv[i], fuzz_skipped != NULL);
		if (n < 0) {
			printf("%s: cannot read %s\n", name, argv[i]);
			return 1;
		}
		if (fuzz_skipped)
			skipped += n;
		else
			done += n;
	}
	if (fuzz_skipped)
		printf("SKIP: %s\n", fuzz_skipped);
	printf("%s: %u passed, 0 failed, %u skipped\n", name, done, skipped);
	return 0;
}
