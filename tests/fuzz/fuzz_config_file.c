// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_config_file - a whole configuration file through config_load(),
 * as "nsrpd -f", "nsrpd --check-config" and a reload (SIGHUP) read it.
 *
 * Input: the file's bytes, as they are.
 *
 * Invariants: a file that loads is valid and survives "nsrpctl save"
 * (written, read back equal), and nothing was printed about it; a file
 * that does not load leaves the running configuration untouched (the
 * reload changes nothing) and is reported line by line: every message is
 * "FILE:LINE: problem", LINE one of the file's lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgfile.h"
#include "fuzz.h"

static struct cfgfile file;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cfgfile_open(&file);
	return 0;
}

/* Lines as an editor counts them: a last one without its newline too. */
static unsigned long count_lines(const uint8_t *data, size_t size)
{
	unsigned long n = 0;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size && data[size - 1] != '\n');
}

/* One message: "PATH:LINE: problem". */
static void check_message(const char *msg, unsigned long lines)
{
	size_t plen = strlen(file.path);
	unsigned long line;
	char *end;

	FUZZ_CHECK(!strncmp(msg, file.path, plen) && msg[plen] == ':',
		   "a message without the file's name: '%s'", msg);
	line = strtoul(msg + plen + 1, &end, 10);
	FUZZ_CHECK(end != msg + plen + 1 && *end == ':',
		   "a message without a line number: '%s'", msg);
	FUZZ_CHECK(line >= 1 && line <= lines,
		   "line %lu of a file of %lu lines: '%s'", line, lines, msg);
	FUZZ_CHECK(end[1] == ' ' && end[2], "a message without a problem: '%s'",
		   msg);
}

static void check_report(char *errs, size_t len, const uint8_t *data,
			 size_t size)
{
	unsigned long lines = count_lines(data, size);

	FUZZ_CHECK(len && errs[len - 1] == '\n', "refused without a message");
	for (char *msg = strtok(errs, "\n"); msg; msg = strtok(NULL, "\n"))
		check_message(msg, lines);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nsrp_config out, untouched;
	char *errs = NULL;
	size_t len = 0;
	FILE *e;
	int ret;

	cfgfile_set(&file, data, size);
	memset(&out, 0x5a, sizeof(out));
	memcpy(&untouched, &out, sizeof(out));
	e = open_memstream(&errs, &len);
	if (!e)
		abort();
	ret = config_load(file.path, &out, e);
	fclose(e);
	if (ret) {
		FUZZ_CHECK(ret == -EINVAL, "config_load: %d", ret);
		FUZZ_CHECK(!memcmp(&out, &untouched, sizeof(out)),
			   "a file that failed changed the configuration");
		check_report(errs, len, data, size);
	} else {
		FUZZ_CHECK(!len, "a file that loads, with messages:\n%s", errs);
		FUZZ_CHECK(!config_validate(&out, "loaded", NULL),
			   "a file loaded into an invalid configuration");
		cfgfile_check_round_trip(&file, &out);
	}
	free(errs);
	return 0;
}
