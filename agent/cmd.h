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
 * A row without a function is no command: it gives the help of the word
 * its syntax ends with ("exec nsrp vsd-group <group>": what a group is),
 * for what lists the words that may come there.
 *
 * Pure logic, no I/O: the daemon's command table (command.c) is one such
 * table, and what completes and explains commands (cmd_next(), nsrpctl's
 * shell and help) reads the same rows.
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

/* What may come next in a line (cmd_next()), one of these at a time. */
enum cmd_next_kind {
	CMD_NEXT_WORD,		/* a keyword, or one of the words a value is */
	CMD_NEXT_VALUE,		/* a value of the user's: word says which */
	CMD_NEXT_END,		/* the line may end here */
};

/* What completes a value, beyond saying what it is. */
enum cmd_value {
	CMD_VAL_OTHER = 0,	/* a number, an address, a name: only said */
	CMD_VAL_IFNAME,		/* a network interface */
	CMD_VAL_PATH,		/* a file */
};

struct cmd_next {
	enum cmd_next_kind kind;
	const char *word;	/* WORD: the word; VALUE: "<1-254>"; END: "" */
	const char *help;	/* one line, "" when none */
	enum cmd_value value;	/* VALUE: what completes it */
};

typedef void (*cmd_next_fn)(void *arg, const struct cmd_next *n);

/*
 * What may follow the words of line where a row's "..." takes the rest:
 * rest is what it took so far (complete words). Returns 0, or -EINVAL
 * with the reason in msg.
 */
typedef int (*cmd_rest_fn)(const char *line, const char *rest,
			   cmd_next_fn fn, void *arg, char *msg,
			   size_t msglen);

struct cmd_row {
	const char *syntax;
	cmd_fn fn;		/* NULL: a word's help, not a command */
	const char *help;	/* one line */
	unsigned int flags;	/* CMD_F_* */
	cmd_rest_fn rest;	/* "...": what may follow, for completion */
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

/*
 * Calls fn with everything that may follow the words of line (each
 * word complete; what is being typed is the caller's to filter): the
 * literals and <name>s of the rows still in play, the line's end where
 * a command ends, and what a row's "..." lists (its rest function).
 * The words are matched as cmd_match() matches them: returns 0, or
 * -EINVAL with msg saying which word is ambiguous or unknown.
 */
int cmd_next(const struct cmd_row *rows, size_t n, const char *line,
	     cmd_next_fn fn, void *arg, char *msg, size_t msglen);

#endif
