/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cmd.h - commands as rows of a table, matched word by word as ScreenOS
 * matches them: any unique prefix of a word will do.
 *
 * A row's syntax is a line of words:
 *
 *   word      a literal, typed as itself or any prefix of it
 *   <name>    one word of the user's, that the handler reads (a number,
 *             a name); "name" says what it is, in help and in errors
 *   ...       last: the rest of the line, any number of words
 *
 * Matching goes one typed word at a time across the rows still in play.
 * A word that is exactly one of the literals at that place, or a prefix
 * of exactly one, chooses it; a prefix of several is refused as
 * ambiguous, naming them ("in" could be "ineligible" or "init"); a word
 * that no literal there begins goes to a <name> if a row has one there.
 * A row matches when its words and the line's run out together (or its
 * "..." takes the rest).
 *
 * Pure logic, no I/O: the daemon's command table (command.c) is one such
 * table, and what completes and explains commands reads the same rows.
 */
#ifndef NSRPD_CMD_H
#define NSRPD_CMD_H

#include <stdbool.h>
#include <stddef.h>

#define CMD_MAX_WORDS	16	/* words of a command line, and of a syntax */
#define CMD_MSG_LEN	256

struct cmd_match;

/* Returns 0 or -errno; what it prints goes to the caller's output. */
typedef int (*cmd_fn)(void *ctx, const struct cmd_match *m);

struct cmd_row {
	const char *syntax;
	cmd_fn fn;
	const char *help;	/* one line */
	unsigned int flags;	/* CMD_F_* */
};

/* A command whose answer takes long: answered apart (ctl.h's offload). */
#define CMD_F_SLOW	0x01
/*
 * A command that only reads: members of a read-only group may run it.
 * Every other command is for root and the admin groups.
 */
#define CMD_F_READ	0x02

struct cmd_match {
	const struct cmd_row *row;
	const char *line;		/* the whole command line as typed */
	unsigned int nargs;		/* the words <name>s took, in order */
	const char *args[CMD_MAX_WORDS];
	const char *rest;		/* what "..." took, "" when nothing */
	/* Storage for the words above. */
	char buf[4096 + 1];
};

/*
 * Matches line against rows[0..n). Returns 0 with *m filled, or -EINVAL
 * with the reason in msg: the word that is ambiguous (and what it could
 * be), unknown (and what could come there), or missing.
 */
int cmd_match(const struct cmd_row *rows, size_t n, const char *line,
	      struct cmd_match *m, char *msg, size_t msglen);

/* The row line matches, NULL if none (no message). */
const struct cmd_row *cmd_find(const struct cmd_row *rows, size_t n,
			       const char *line);

#endif
