// SPDX-License-Identifier: GPL-2.0-only
/*
 * nsrpctl - query and command a running nsrpd.
 *
 *   nsrpctl [-S PATH] [-j] WORDS...
 *
 * The words are joined into one command ("get nsrp", "exec nsrp
 * vsd-group 0 mode backup", "set nsrp vsd-group id 0 priority 20",
 * "save") and sent over the control socket; a word that holds blanks
 * (set nsrp cluster name "Lab 1") is sent in double quotes, as the
 * configuration file would write it. The
 * answer is printed as it arrives, on stdout when the command succeeded
 * and on stderr when it failed. The exit status is 0, 1 when the daemon
 * refused the command, 2 for a usage error, 3 when the daemon could not
 * be reached.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "ctl.h"
#include "version.h"

#define NSRPCTL_TIMEOUT_S	30	/* for the daemon to answer */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nsrpctl [-S PATH] [-j] COMMAND...\n"
		"  -S PATH  control socket (default %s)\n"
		"  -j       JSON output\n"
		"e.g. nsrpctl get nsrp\n"
		"     nsrpctl exec nsrp vsd-group 0 mode backup\n"
		"     nsrpctl set nsrp vsd-group id 0 priority 20\n"
		"     nsrpctl unset nsrp vsd-group id 0 preempt\n"
		"     nsrpctl save\n",
		CTL_DEFAULT_PATH);
}

/* A word the daemon would split or read as a comment goes in quotes. */
static bool needs_quotes(const char *w)
{
	return !*w || *w == '#' || strpbrk(w, " \t");
}

/* Joins argv[from..] with single spaces. */
static int join_words(char *cmd, size_t cap, int argc, char **argv)
{
	size_t len = 0;
	int i, n;

	cmd[0] = '\0';
	for (i = 0; i < argc; i++) {
		const char *q = needs_quotes(argv[i]) ? "\"" : "";

		n = snprintf(cmd + len, cap - len, "%s%s%s%s", i ? " " : "",
			     q, argv[i], q);
		if (n < 0 || (size_t)n >= cap - len)
			return -EMSGSIZE;
		len += n;
	}
	return 0;
}

static void print_text(void *arg, int status, const char *text, size_t len)
{
	(void)arg;
	fwrite(text, 1, len, status ? stderr : stdout);
}

static int run(const char *path, const char *cmd, unsigned int flags)
{
	struct timeval tv = { .tv_sec = NSRPCTL_TIMEOUT_S };
	int fd, err, status = 0;

	fd = ctl_connect(path);
	if (fd < 0) {
		fprintf(stderr, "nsrpctl: %s: %s (is nsrpd running?)\n", path,
			strerror(-fd));
		return NSRP_EXIT_UNREACHABLE;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	err = ctl_call(fd, cmd, flags, print_text, NULL, &status);
	close(fd);
	fflush(stdout);
	if (err) {
		fprintf(stderr, "nsrpctl: %s: %s\n", path,
			err == -EAGAIN ? "no answer in time" : strerror(-err));
		return NSRP_EXIT_UNREACHABLE;
	}
	if (status) {
		fprintf(stderr, "nsrpctl: %s: %s\n", cmd, strerror(status));
		return NSRP_EXIT_FAIL;
	}
	return NSRP_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CTL_DEFAULT_PATH;
	char cmd[CTL_MAX_CMD + 1];
	unsigned int flags = 0;
	int c;

	/* Options may come anywhere: "nsrpctl get nsrp -j" works too. */
	while ((c = getopt_long(argc, argv, "S:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			path = optarg;
			break;
		case 'j':
			flags |= CTL_F_JSON;
			break;
		case 'V':
			printf("nsrpctl %s\n", NSRPD_VERSION);
			return NSRP_EXIT_OK;
		case 'h':
			usage(stdout);
			return NSRP_EXIT_OK;
		default:
			usage(stderr);
			return NSRP_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return NSRP_EXIT_USAGE;
	}
	if (join_words(cmd, sizeof(cmd), argc - optind, argv + optind)) {
		fprintf(stderr, "nsrpctl: command longer than %d bytes\n",
			CTL_MAX_CMD);
		return NSRP_EXIT_USAGE;
	}
	return run(path, cmd, flags);
}
