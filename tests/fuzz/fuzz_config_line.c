// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_config_line - one line of configuration, as "nsrpctl set/unset"
 * sends it and the daemon applies it (config_apply_runtime()), and as a
 * file line is parsed (config_apply_line()), on a running configuration
 * like the lab's.
 *
 * Input: the line (stops at a NUL, as the control socket's text does).
 *
 * Invariants: a refused line leaves the configuration exactly as it was
 * and says why; an accepted run-time change is valid as a whole, needs
 * no restart, and survives "nsrpctl save" (written, read back equal);
 * so does any valid configuration a file line leads to.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfgfile.h"
#include "fuzz.h"

#define LINE_MAX_FUZZ	(CFG_LINE_LEN + 64)

static const char *const base_lines[] = {
	"set hostname fw1",
	"set nsrp cluster id 1",
	"set nsrp cluster name lab",
	"set nsrp interface ha0",
	"set nsrp secondary-path lan0",
	"set nsrp vsd-group id 0 priority 50",
	"set nsrp vsd-group id 0 preempt hold-down 3",
	"set nsrp vsd-group id 1 priority 100",
	"set nsrp vsd-group hb-interval 100",
	"set nsrp rto-mirror sync",
	"set nsrp monitor interface wan0 weight 100",
	"set flow timeout udp 60",
	"set interface lan0:0 ip 192.0.2.1/24",
	"set interface lan0:0 ipv6 2001:db8:1::1/64",
	"set interface wan0:1 ip 198.51.100.1/24",
	"set interface lan0 manage-ip 192.0.2.2",
	"set interface ha0 manage-ip 203.0.113.1/24",
	"set nsrp auth password \"lab secret\"",
};

static struct nsrp_config base;
static struct cfgfile file;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc;
	(void)argv;
	config_init(&base);
	for (size_t i = 0; i < sizeof(base_lines) / sizeof(*base_lines); i++)
		FUZZ_CHECK(!config_apply_line(&base, base_lines[i], err,
					      sizeof(err)),
			   "base line '%s': %s", base_lines[i], err);
	FUZZ_CHECK(!config_validate(&base, "base", stderr), "base invalid");
	cfgfile_open(&file);
	return 0;
}

static void check_runtime(const char *line)
{
	static struct nsrp_config next, untouched;
	char err[256];
	int ret;

	memset(&next, 0xa5, sizeof(next));
	memcpy(&untouched, &next, sizeof(next));
	err[0] = '\0';
	ret = config_apply_runtime(&base, line, &next, err, sizeof(err));
	FUZZ_CHECK(memchr(err, 0, sizeof(err)), "message not terminated");
	if (ret) {
		FUZZ_CHECK(ret == -EINVAL, "%d for '%s'", ret, line);
		FUZZ_CHECK(err[0], "'%s' refused without a reason", line);
		FUZZ_CHECK(!memcmp(&next, &untouched, sizeof(next)),
			   "'%s' refused, yet the configuration changed", line);
		return;
	}
	FUZZ_CHECK(!config_validate(&next, "next", NULL),
		   "'%s' accepted into an invalid configuration", line);
	FUZZ_CHECK(!config_restart_needed(&base, &next),
		   "'%s' accepted at run time but needs a restart (%s)", line,
		   config_restart_needed(&base, &next));
	cfgfile_check_round_trip(&file, &next);
}

static void check_file_line(const char *line)
{
	static struct nsrp_config c;
	char err[256];
	int ret;

	memcpy(&c, &base, sizeof(c));
	err[0] = '\0';
	ret = config_apply_line(&c, line, err, sizeof(err));
	FUZZ_CHECK(memchr(err, 0, sizeof(err)), "message not terminated");
	if (ret) {
		FUZZ_CHECK(ret == -EINVAL && err[0], "'%s': %d without a reason",
			   line, ret);
		/* The line number is not part of the value: the whole of it. */
		FUZZ_CHECK(!memcmp(&c, &base, sizeof(c)),
			   "'%s' refused, yet the configuration changed", line);
		return;
	}
	if (!config_validate(&c, "c", NULL))
		cfgfile_check_round_trip(&file, &c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[LINE_MAX_FUZZ + 1];

	if (size > LINE_MAX_FUZZ)
		size = LINE_MAX_FUZZ;
	memcpy(line, data, size);
	line[size] = '\0';
	check_runtime(line);
	check_file_line(line);
	return 0;
}
