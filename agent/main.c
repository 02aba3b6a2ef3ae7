// SPDX-License-Identifier: GPL-2.0-only
/*
 * nsrpd - NSRP-style active/passive high availability for Linux firewalls.
 *
 *   nsrpd [-f FILE] [-S SOCKET] [-P PINDIR] [-s] [-d]
 *   nsrpd --check-config FILE
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "version.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nsrpd [options]\n"
		"  -f, --config FILE       configuration (default %s)\n"
		"  -S, --socket PATH       control socket (default %s)\n"
		"  -P, --pin-dir DIR       BPF pin directory (default %s)\n"
		"  -s, --syslog            log to syslog instead of stderr\n"
		"  -d, --debug             log debug messages\n"
		"      --check-config FILE check FILE, print every error, exit\n"
		"      --version\n",
		NSRPD_CONF_DEFAULT, CTL_DEFAULT_PATH, NSRPD_PIN_DIR);
}

/*
 * The configuration nsrpd starts with, checked as it is at every start:
 * each bad line as "FILE:LINE: problem", then what the whole needs to run.
 * --check-config asks the same, so it refuses what a start would.
 */
static int load_config(const char *path, struct nsrp_config *c)
{
	int err = config_load(path, c, stderr);

	if (!err)
		err = config_runnable(c, path, stderr);
	return err;
}

static int check_config(const char *path)
{
	struct nsrp_config *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return NSRP_EXIT_FAIL;
	err = load_config(path, c);
	free(c);
	if (err) {
		fprintf(stderr, "%s: configuration rejected\n", path);
		return NSRP_EXIT_CONFIG;
	}
	printf("%s: configuration OK\n", path);
	return NSRP_EXIT_OK;
}

/* Signals are blocked before anything starts: the loop reads a signalfd. */
static void block_signals(void)
{
	sigset_t mask;

	nsrpd_signal_set(&mask);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 'S' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "syslog", no_argument, NULL, 's' },
		{ "debug", no_argument, NULL, 'd' },
		{ "check-config", required_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nsrpd *d;
	int opt, use_syslog = 0, err;
	enum log_level lvl = LOG_LVL_INFO;

	d = calloc(1, sizeof(*d));
	if (!d)
		return NSRP_EXIT_FAIL;
	d->cfg_path = NSRPD_CONF_DEFAULT;
	d->sock_path = CTL_DEFAULT_PATH;
	d->pin_dir = NSRPD_PIN_DIR;
	while ((opt = getopt_long(argc, argv, "f:S:P:sdh", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			d->cfg_path = optarg;
			break;
		case 'S':
			d->sock_path = optarg;
			break;
		case 'P':
			d->pin_dir = optarg;
			break;
		case 's':
			use_syslog = 1;
			break;
		case 'd':
			lvl = LOG_LVL_DEBUG;
			break;
		case 'C':
			free(d);
			return check_config(optarg);
		case 'V':
			printf("nsrpd %s\n", NSRPD_VERSION);
			free(d);
			return NSRP_EXIT_OK;
		case 'h':
			usage(stdout);
			free(d);
			return NSRP_EXIT_OK;
		default:
			usage(stderr);
			free(d);
			return NSRP_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		free(d);
		return NSRP_EXIT_USAGE;
	}

	block_signals();
	log_init("nsrpd", use_syslog, lvl);
	log_hook_libbpf();
	if (load_config(d->cfg_path, &d->cfg)) {
		pr_err("%s: configuration rejected", d->cfg_path);
		free(d);
		return NSRP_EXIT_CONFIG;
	}
	err = nsrpd_init(d);
	if (!err)
		err = nsrpd_run(d);
	nsrpd_fini(d);
	free(d);
	return err ? NSRP_EXIT_FAIL : NSRP_EXIT_OK;
}
