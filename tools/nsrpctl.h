/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nsrpctl.h - what the one-shot form (nsrpctl.c) and the shell
 * (nsrpctl_shell.c) share: a command line as words, its run, its help.
 */
#ifndef NSRPCTL_H
#define NSRPCTL_H

#include <stdbool.h>
#include <stdio.h>

#include "cmd.h"
#include "ctl.h"

#define NSRPCTL_MAX_WORDS	64
#define NSRPCTL_MAX_FILTERS	8
#define NSRPCTL_MSG_LEN		512

/*
 * "| include WORDS", "| exclude WORDS": the lines that hold WORDS (as
 * typed, one blank between words) kept, or dropped.
 */
struct nsrpctl_filter {
	bool exclude;
	const char *word;	/* in nsrpctl_cmd.text */
};

/* A command as typed: the daemon's words, and what nsrpctl does itself. */
struct nsrpctl_cmd {
	char line[CTL_MAX_CMD + 1];	/* the words, quoted as needed */
	unsigned int flags;		/* CTL_F_JSON */
	struct nsrpctl_filter filter[NSRPCTL_MAX_FILTERS];
	unsigned int nfilter;
	char text[CTL_MAX_CMD + 1];	/* the filters' words */
	bool help;			/* "help [WORDS]" */
	bool list;			/* "WORDS ?": what may follow */
};

/*
 * The words of a typed line, as a shell splits them: blanks separate,
 * double quotes group (and are left out). The words go into buf (cap
 * bytes), w[] points at them. Returns how many, -EMSGSIZE or -E2BIG.
 */
int nsrpctl_split(const char *line, char *buf, size_t cap, char **w,
		  int max);

/*
 * Words (without their quotes) into cmd: "-j" anywhere, "|" filters at
 * the end, "help" first or "?" last. Returns 0, or -EINVAL with the
 * reason in msg (a usage error).
 */
int nsrpctl_parse(int n, char *const *words, struct nsrpctl_cmd *cmd,
		  char *msg, size_t len);

/*
 * Runs cmd: lists or helps locally, else asks the daemon on path and
 * prints its answer through the filters (refusals on stderr, once).
 * Returns the exit status (version.h's enum nsrp_exit).
 */
int nsrpctl_run(const char *path, const struct nsrpctl_cmd *cmd);

/*
 * What may follow the words of line (each complete): the command table's
 * (cmd_next()), then nsrpctl's own ("-j", "|") where a command may end,
 * and after "|" the filters'. Returns 0 or -EINVAL with msg.
 */
int nsrpctl_next(const char *line, cmd_next_fn fn, void *arg, char *msg,
		 size_t len);

/*
 * The "?" listing of what may follow line (complete words), those
 * beginning with prefix when it is not "". Returns 0, or -EINVAL (the
 * reason printed).
 */
int nsrpctl_list(FILE *f, const char *line, const char *prefix);

/* Every command, with its help: "nsrpctl help". */
void nsrpctl_help(FILE *f);

/* The interactive shell, on the daemon at path; returns the exit status. */
int nsrpctl_shell(const char *path);

#endif
