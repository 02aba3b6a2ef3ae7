// SPDX-License-Identifier: GPL-2.0-only
/*
 * nsrpd-tables - the tables the parser and the daemon run on, printed for
 * what is built from them at build time (the manual's list of commands,
 * bash completion) and for the tests that check the documents:
 *
 *   nsrpd-tables keywords   local|replicated TAB syntax [TAB option], a
 *                           line a keyword path of the configuration
 *                           ("<value>" where the user gives one before
 *                           more keywords; "option": its last word may
 *                           come in any order with the line's others)
 *   nsrpd-tables commands   read|admin TAB syntax TAB help, a line a row
 *                           of the control socket's command table
 */
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "config.h"
#include "version.h"

static void print_keyword(void *arg, const struct cfg_keyword *k)
{
	(void)arg;
	printf("%s\t%s%s\n", k->local ? "local" : "replicated", k->syntax,
	       k->option ? "\toption" : "");
}

static void print_commands(void)
{
	for (size_t i = 0; i < command_nrows; i++) {
		const struct cmd_row *r = &command_rows[i];

		/* A word's help, for "?" and Tab: not a command. */
		if (!r->fn)
			continue;
		printf("%s\t%s\t%s\n", r->flags & CMD_F_READ ? "read" : "admin",
		       r->syntax, r->help ? r->help : "");
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "keywords")) {
		config_keyword_table(print_keyword, NULL);
		return NSRP_EXIT_OK;
	}
	if (argc == 2 && !strcmp(argv[1], "commands")) {
		print_commands();
		return NSRP_EXIT_OK;
	}
	fprintf(stderr, "usage: nsrpd-tables keywords|commands\n");
	return NSRP_EXIT_USAGE;
}
