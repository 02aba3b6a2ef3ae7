// SPDX-License-Identifier: GPL-2.0-only
/*
 * nsrpctl - query and command a running nsrpd.
 *
 *   nsrpctl [-S PATH] [-j] COMMAND... [| include|exclude WORDS]...
 *   nsrpctl [-S PATH]                 the shell, on a terminal
 *   nsrpctl help [WORDS...]           the commands; what may follow WORDS
 *   nsrpctl WORDS... ?                what may follow WORDS
 *
 * The words are joined into one command ("get nsrp", "exec nsrp
 * vsd-group 0 mode backup", "set nsrp vsd-group id 0 priority 20",
 * "save") and sent over the control socket; a word that holds blanks
 * (set nsrp cluster name "Lab 1") is sent in double quotes, as the
 * configuration file would write it. The answer is printed as it
 * arrives, through the filters, on stdout when the command succeeded;
 * a refusal goes to stderr, once, in the daemon's words.
 *
 * Help, "?" and completion read the daemon's own command table and
 * configuration keywords (command.c, config.c), linked in: what nsrpctl
 * offers is what nsrpd takes. Exit status: version.h's enum nsrp_exit.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "command.h"
#include "ctl.h"
#include "nsrpctl.h"
#include "version.h"

#define NSRPCTL_TIMEOUT_S	30	/* for the daemon to answer */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nsrpctl [-S PATH] [-j] COMMAND... "
		"[| include|exclude WORDS]\n"
		"       nsrpctl [-S PATH]           the shell, on a terminal\n"
		"       nsrpctl help [WORDS...]     the commands; what may "
		"follow WORDS\n"
		"       nsrpctl WORDS... ?          what may follow WORDS\n"
		"  -S PATH  control socket (default %s)\n"
		"  -j       JSON output (docs/JSON.md)\n"
		"e.g. nsrpctl get nsrp\n"
		"     nsrpctl exec nsrp vsd-group 0 mode backup\n"
		"     nsrpctl set nsrp vsd-group id 0 priority 20\n"
		"     nsrpctl get nsrp '|' include track\n"
		"exit status: 0 done, 1 refused by nsrpd (its reason on "
		"stderr),\n"
		"  2 usage error, 3 nsrpd not reached, 4 not allowed to use "
		"the socket\n",
		CTL_DEFAULT_PATH);
}

/* ------------------------------------------------------ words to command */

/* A word the daemon would split or read as a comment goes in quotes. */
static bool needs_quotes(const char *w)
{
	return !*w || *w == '#' || strpbrk(w, " \t");
}

static int add_word(char *line, size_t cap, const char *w)
{
	size_t len = strlen(line);
	const char *q = needs_quotes(w) ? "\"" : "";
	int n = snprintf(line + len, cap - len, "%s%s%s%s", len ? " " : "", q,
			 w, q);

	return n < 0 || (size_t)n >= cap - len ? -EMSGSIZE : 0;
}

/* "include" or "exclude", or any prefix of one. */
static int filter_kind(const char *w, bool *exclude)
{
	size_t n = strlen(w);

	if (n && !strncmp("include", w, n))
		*exclude = false;
	else if (n && !strncmp("exclude", w, n))
		*exclude = true;
	else
		return -EINVAL;
	return 0;
}

/* "| include WORDS" or "| exclude WORDS", any number of times. */
static int parse_filters(int n, char *const *w, struct nsrpctl_cmd *cmd,
			 char *msg, size_t len)
{
	size_t used = 0;

	for (int i = 0; i < n;) {
		struct nsrpctl_filter *f;

		if (cmd->nfilter == NSRPCTL_MAX_FILTERS) {
			snprintf(msg, len, "at most %d filters",
				 NSRPCTL_MAX_FILTERS);
			return -EINVAL;
		}
		f = &cmd->filter[cmd->nfilter];
		if (strcmp(w[i], "|") || i + 2 >= n ||
		    filter_kind(w[i + 1], &f->exclude) ||
		    !strcmp(w[i + 2], "|")) {
			snprintf(msg, len, "a filter is '| include WORD' or "
				 "'| exclude WORD'");
			return -EINVAL;
		}
		f->word = cmd->text + used;
		for (i += 2; i < n && strcmp(w[i], "|"); i++) {
			int k = snprintf(cmd->text + used,
					 sizeof(cmd->text) - used, "%s%s",
					 cmd->text + used == f->word ? "" : " ",
					 w[i]);

			if (k < 0 || (size_t)k >= sizeof(cmd->text) - used) {
				snprintf(msg, len, "filters too long");
				return -EINVAL;
			}
			used += k;
		}
		used++;		/* past the word's NUL */
		cmd->nfilter++;
	}
	return 0;
}

int nsrpctl_parse(int n, char *const *words, struct nsrpctl_cmd *cmd,
		  char *msg, size_t len)
{
	int i = 0, end = n;

	memset(cmd, 0, sizeof(*cmd));
	if (n && !strcmp(words[0], "help")) {
		cmd->help = true;
		i = 1;
	}
	for (int j = i; j < n; j++)
		if (!strcmp(words[j], "|")) {
			end = j;
			break;
		}
	if (parse_filters(n - end, words + end, cmd, msg, len))
		return -EINVAL;
	if (end > i && !strcmp(words[end - 1], "?")) {
		cmd->list = true;
		end--;
	}
	for (; i < end; i++) {
		if (!strcmp(words[i], "-j") || !strcmp(words[i], "--json")) {
			cmd->flags |= CTL_F_JSON;
			continue;
		}
		if (add_word(cmd->line, sizeof(cmd->line), words[i])) {
			snprintf(msg, len, "command longer than %d bytes",
				 CTL_MAX_CMD);
			return -EINVAL;
		}
	}
	if (!cmd->help && !cmd->list && !cmd->line[0]) {
		snprintf(msg, len, "no command (help lists them)");
		return -EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------ what may follow */

struct next_wrap {
	cmd_next_fn fn;
	void *arg;
	bool may_end;
};

static void next_wrapped(void *arg, const struct cmd_next *n)
{
	struct next_wrap *w = arg;

	if (n->kind == CMD_NEXT_END)
		w->may_end = true;
	w->fn(w->arg, n);
}

static void next_emit(cmd_next_fn fn, void *arg, enum cmd_next_kind kind,
		      const char *word, const char *help)
{
	const struct cmd_next n = { .kind = kind, .word = word, .help = help };

	fn(arg, &n);
}

/* After "|": "include WORDS" or "exclude WORDS", then more or the end. */
static int next_filter(int nw, char *const *w, cmd_next_fn fn, void *arg,
		       char *msg, size_t len)
{
	bool exclude;

	if (!nw) {
		next_emit(fn, arg, CMD_NEXT_WORD, "exclude",
			  "drop the lines that hold WORDS");
		next_emit(fn, arg, CMD_NEXT_WORD, "include",
			  "keep only the lines that hold WORDS");
		return 0;
	}
	if (filter_kind(w[0], &exclude)) {
		snprintf(msg, len, "a filter is '| include WORD' or "
			 "'| exclude WORD'");
		return -EINVAL;
	}
	if (nw == 1) {
		next_emit(fn, arg, CMD_NEXT_VALUE, "<words>",
			  "as the lines hold them, to the end or the next |");
		return 0;
	}
	next_emit(fn, arg, CMD_NEXT_END, "", "");
	next_emit(fn, arg, CMD_NEXT_WORD, "|", "another filter");
	return 0;
}

/* The line's words, split as the shell splits them (quotes kept out). */
int nsrpctl_split(const char *line, char *buf, size_t cap, char **w,
		  int max)
{
	int n = 0;
	char *o = buf;

	if (strlen(line) >= cap)
		return -EMSGSIZE;
	while (*line) {
		line += strspn(line, " \t");
		if (!*line)
			break;
		if (n == max)
			return -E2BIG;
		w[n++] = o;
		while (*line && !strchr(" \t", *line)) {
			if (*line == '"') {
				const char *q = strchr(line + 1, '"');

				if (!q)
					q = line + strlen(line);
				memcpy(o, line + 1, q - line - 1);
				o += q - line - 1;
				line = *q ? q + 1 : q;
				continue;
			}
			*o++ = *line++;
		}
		*o++ = '\0';
	}
	return n;
}

int nsrpctl_next(const char *line, cmd_next_fn fn, void *arg, char *msg,
		 size_t len)
{
	char buf[CTL_MAX_CMD + 1], joined[CTL_MAX_CMD + 1] = "";
	char *w[NSRPCTL_MAX_WORDS];
	struct next_wrap wrap = { .fn = fn, .arg = arg };
	int n = nsrpctl_split(line, buf, sizeof(buf), w, NSRPCTL_MAX_WORDS);
	int bar = -1, err;

	if (n < 0) {
		snprintf(msg, len, "too long");
		return -EINVAL;
	}
	for (int i = 0; i < n; i++)
		if (!strcmp(w[i], "|"))
			bar = i;
	if (bar >= 0)
		return next_filter(n - bar - 1, w + bar + 1, fn, arg, msg, len);
	for (int i = 0; i < n; i++)
		if (strcmp(w[i], "-j") && strcmp(w[i], "--json") &&
		    add_word(joined, sizeof(joined), w[i]))
			return -EINVAL;
	err = cmd_next(command_rows, command_nrows, joined, next_wrapped,
		       &wrap, msg, len);
	if (err || !wrap.may_end)
		return err;
	next_emit(fn, arg, CMD_NEXT_WORD, "-j", "the answer as JSON");
	next_emit(fn, arg, CMD_NEXT_WORD, "|",
		  "filter the output: include WORDS, exclude WORDS");
	return 0;
}

struct list_ctx {
	FILE *f;
	const char *prefix;
	unsigned int shown;
};

static void list_one(void *arg, const struct cmd_next *n)
{
	struct list_ctx *x = arg;
	const char *word = n->kind == CMD_NEXT_END ? "<cr>" : n->word;

	if (n->kind == CMD_NEXT_WORD &&
	    strncmp(n->word, x->prefix, strlen(x->prefix)))
		return;
	if (n->kind == CMD_NEXT_END && x->prefix[0])
		return;
	fprintf(x->f, "  %-22s %s\n", word, n->help ? n->help : "");
	x->shown++;
}

int nsrpctl_list(FILE *f, const char *line, const char *prefix)
{
	struct list_ctx x = { .f = f, .prefix = prefix };
	char msg[NSRPCTL_MSG_LEN];
	int err = nsrpctl_next(line, list_one, &x, msg, sizeof(msg));

	if (err) {
		fprintf(stderr, "%s\n", msg);
		return err;
	}
	if (!x.shown)
		fprintf(stderr, "nothing that begins with '%s' may follow\n",
			prefix);
	return x.shown ? 0 : -EINVAL;
}

void nsrpctl_help(FILE *f)
{
	fprintf(f, "Commands (any word may be abbreviated to a unique "
		   "prefix; WORDS ? lists what may follow):\n");
	for (size_t i = 0; i < command_nrows; i++)
		if (command_rows[i].fn)
			fprintf(f, "  %-45s %s\n", command_rows[i].syntax,
				command_rows[i].help);
	fprintf(f, "Of nsrpctl itself:\n"
		   "  %-45s %s\n  %-45s %s\n  %-45s %s\n  %-45s %s\n"
		   "  %-45s %s\n",
		   "help [WORDS]", "these commands, or what may follow WORDS",
		   "WORDS ?", "what may follow WORDS",
		   "COMMAND -j", "the answer as JSON (docs/JSON.md)",
		   "COMMAND | include WORDS", "only the lines that hold WORDS",
		   "COMMAND | exclude WORDS", "the lines that do not");
}

/* --------------------------------------------------------- the exchange */

/* What passes the answer through the filters, a line at a time. */
struct out_ctx {
	const struct nsrpctl_cmd *cmd;
	const char *path;
	char *line;		/* a line begun, not yet ended */
	size_t len, cap;
	bool refused;		/* refusal text printed */
};

static bool line_passes(const struct nsrpctl_cmd *cmd, const char *l)
{
	for (unsigned int i = 0; i < cmd->nfilter; i++)
		if (!strstr(l, cmd->filter[i].word) != cmd->filter[i].exclude)
			return false;
	return true;
}

static void out_line(struct out_ctx *o, const char *l, size_t n)
{
	char *copy;

	if (!o->cmd->nfilter) {
		fwrite(l, 1, n, stdout);
		return;
	}
	copy = strndup(l, n);
	if (copy && line_passes(o->cmd, copy))
		fwrite(l, 1, n, stdout);
	free(copy);
}

/* A partial line waits for its end; what ends stays no longer. */
static void out_text(struct out_ctx *o, const char *text, size_t len)
{
	while (len) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl ? (size_t)(nl - text) + 1 : len;

		if (!nl || o->len) {
			char *p = o->len + n + 1 > o->cap ?
				  realloc(o->line, o->len + n + 1) : o->line;

			if (!p)
				return;
			if (o->len + n + 1 > o->cap)
				o->cap = o->len + n + 1;
			o->line = p;
			memcpy(o->line + o->len, text, n);
			o->len += n;
			if (nl) {
				out_line(o, o->line, o->len);
				o->len = 0;
			}
		} else {
			out_line(o, text, n);
		}
		text += n;
		len -= n;
	}
}

static void print_answer(void *arg, int status, const char *text, size_t len)
{
	struct out_ctx *o = arg;

	if (!status) {
		out_text(o, text, len);
		return;
	}
	/* A refusal: the daemon's words, on stderr, unfiltered. */
	if (!o->refused && status == EACCES)
		fprintf(stderr, "nsrpctl: %s: ", o->path);
	o->refused = true;
	fwrite(text, 1, len, stderr);
}

/*
 * Who may use the socket file: its owner, and the groups its ACL names
 * (nsrpd's way), else its own group when its mode lets the group in.
 */
static void socket_who_may(const char *path, const struct stat *st,
			   char *who, size_t len)
{
	uint8_t acl[4 + (4 + CTL_MAX_GROUPS) * 8];
	gid_t gids[CTL_MAX_GROUPS];
	ssize_t n = getxattr(path, "system.posix_acl_access", acl, sizeof(acl));
	int ng = n > 0 ? ctl_acl_groups(acl, n, gids, CTL_MAX_GROUPS) : -1;

	if (ng < 0) {
		ng = 0;
		if ((st->st_mode & (S_IRGRP | S_IWGRP)) == (S_IRGRP | S_IWGRP))
			gids[ng++] = st->st_gid;
	}
	ctl_who_may(st->st_uid, gids, ng, who, len);
}

/* Why the socket could not be reached, and what to do about it. */
static int unreachable(const char *path, int err)
{
	char who[512];
	struct stat st;

	switch (err) {
	case -EACCES:
	case -EPERM:
		if (stat(path, &st)) {
			fprintf(stderr, "nsrpctl: %s: permission denied\n",
				path);
			return NSRP_EXIT_DENIED;
		}
		socket_who_may(path, &st, who, sizeof(who));
		fprintf(stderr, "nsrpctl: %s: permission denied: only %s may "
				"use it\n", path, who);
		return NSRP_EXIT_DENIED;
	case -ENOENT:
		fprintf(stderr, "nsrpctl: %s: no such socket: is nsrpd "
				"running, and with this socket (nsrpd -S, "
				"nsrpctl -S)?\n", path);
		break;
	case -ECONNREFUSED:
		fprintf(stderr, "nsrpctl: %s: nsrpd is not running (nothing "
				"listens on the socket)\n", path);
		break;
	default:
		fprintf(stderr, "nsrpctl: %s: %s\n", path, strerror(-err));
	}
	return NSRP_EXIT_UNREACHABLE;
}

static int ask(const char *path, const struct nsrpctl_cmd *cmd)
{
	struct timeval tv = { .tv_sec = NSRPCTL_TIMEOUT_S };
	struct out_ctx o = { .cmd = cmd, .path = path };
	int fd, err, status = 0;

	fd = ctl_connect(path);
	if (fd < 0)
		return unreachable(path, fd);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	err = ctl_call(fd, cmd->line, cmd->flags, print_answer, &o, &status);
	close(fd);
	if (o.len)
		out_line(&o, o.line, o.len);	/* the last, unended line */
	free(o.line);
	fflush(stdout);
	if (err == -EAGAIN || err == -EWOULDBLOCK) {
		fprintf(stderr, "nsrpctl: %s: no answer in %d s\n", path,
			NSRPCTL_TIMEOUT_S);
		return NSRP_EXIT_UNREACHABLE;
	}
	if (err == -ECONNRESET) {
		fprintf(stderr, "nsrpctl: %s: nsrpd closed the connection\n",
			path);
		return NSRP_EXIT_UNREACHABLE;
	}
	if (err)
		return unreachable(path, err);
	if (!status)
		return NSRP_EXIT_OK;
	/* A refusal without words: say at least which. */
	if (!o.refused)
		fprintf(stderr, "nsrpctl: %s: refused (%s)\n", cmd->line,
			strerror(status));
	return status == EACCES ? NSRP_EXIT_DENIED : NSRP_EXIT_FAIL;
}

int nsrpctl_run(const char *path, const struct nsrpctl_cmd *cmd)
{
	if (cmd->help && !cmd->line[0]) {
		nsrpctl_help(stdout);
		return NSRP_EXIT_OK;
	}
	if (cmd->help || cmd->list)
		return nsrpctl_list(stdout, cmd->line, "") ? NSRP_EXIT_USAGE
							    : NSRP_EXIT_OK;
	return ask(path, cmd);
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
	struct nsrpctl_cmd *cmd;
	char msg[NSRPCTL_MSG_LEN];
	unsigned int flags = 0;
	int c, rc;

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
		if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
			return nsrpctl_shell(path);
		usage(stderr);
		return NSRP_EXIT_USAGE;
	}
	cmd = malloc(sizeof(*cmd));
	if (!cmd)
		return NSRP_EXIT_FAIL;
	if (nsrpctl_parse(argc - optind, argv + optind, cmd, msg,
			  sizeof(msg))) {
		fprintf(stderr, "nsrpctl: %s\n", msg);
		free(cmd);
		return NSRP_EXIT_USAGE;
	}
	cmd->flags |= flags;
	rc = nsrpctl_run(path, cmd);
	free(cmd);
	return rc;
}
