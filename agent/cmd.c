// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd.c - matching a command line against a table of rows (cmd.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#define CMD_MAX_ROWS	128

/* A word of a line or of a syntax: where it starts, how long it is. */
struct cmd_word {
	const char *s;
	size_t len;
};

static unsigned int cmd_split(const char *line, struct cmd_word *w,
			      unsigned int max)
{
	unsigned int n = 0;

	while (*line) {
		line += strspn(line, " \t");
		if (!*line)
			break;
		if (n == max)
			return max + 1;		/* too many */
		w[n].s = line;
		w[n].len = strcspn(line, " \t");
		line += w[n++].len;
	}
	return n;
}

enum cmd_kind { CMD_END, CMD_LIT, CMD_ARG, CMD_REST };

struct cmd_syntax {
	struct cmd_word w[CMD_MAX_WORDS];
	unsigned int n;
};

static enum cmd_kind cmd_kind_at(const struct cmd_syntax *sx, unsigned int i)
{
	if (i >= sx->n)
		return CMD_END;
	if (sx->w[i].s[0] == '<')
		return CMD_ARG;
	if (sx->w[i].len == 3 && !strncmp(sx->w[i].s, "...", 3))
		return CMD_REST;
	return CMD_LIT;
}

static bool cmd_word_eq(const struct cmd_word *a, const struct cmd_word *b)
{
	return a->len == b->len && !strncmp(a->s, b->s, a->len);
}

/* The typed word t begins the literal l. */
static bool cmd_prefix(const struct cmd_word *t, const struct cmd_word *l)
{
	return t->len <= l->len && !strncmp(t->s, l->s, t->len);
}

struct cmd_state {
	const struct cmd_row *rows;
	struct cmd_syntax sx[CMD_MAX_ROWS];
	bool alive[CMD_MAX_ROWS];
	size_t n;
	char *msg;
	size_t msglen;
};

/*
 * The distinct literals at position i among the rows in play (those the
 * typed word begins when t is not NULL), as "a, b, c" into out. Returns
 * how many, and in *one the last.
 */
static unsigned int cmd_literals(const struct cmd_state *st, unsigned int i,
				 const struct cmd_word *t,
				 const struct cmd_word **one, char *out,
				 size_t len)
{
	unsigned int n = 0;
	size_t used = 0;

	if (len)
		out[0] = '\0';
	for (size_t r = 0; r < st->n; r++) {
		const struct cmd_word *l = &st->sx[r].w[i];
		bool seen = false;

		if (!st->alive[r] || cmd_kind_at(&st->sx[r], i) != CMD_LIT ||
		    (t && !cmd_prefix(t, l)))
			continue;
		for (size_t q = 0; q < r && !seen; q++)
			seen = st->alive[q] &&
			       cmd_kind_at(&st->sx[q], i) == CMD_LIT &&
			       (!t || cmd_prefix(t, &st->sx[q].w[i])) &&
			       cmd_word_eq(&st->sx[q].w[i], l);
		if (seen)
			continue;
		if (used < len) {
			int k = snprintf(out + used, len - used, "%s%.*s",
					 n ? ", " : "", (int)l->len, l->s);

			used += k > 0 ? (size_t)k : 0;
		}
		*one = l;
		n++;
	}
	return n;
}

/* Keeps in play the rows whose word at i is of kind k (and equals lit). */
static unsigned int cmd_keep(struct cmd_state *st, unsigned int i,
			     enum cmd_kind k, const struct cmd_word *lit)
{
	unsigned int n = 0;

	for (size_t r = 0; r < st->n; r++) {
		if (!st->alive[r])
			continue;
		st->alive[r] = cmd_kind_at(&st->sx[r], i) == k &&
			       (!lit || cmd_word_eq(&st->sx[r].w[i], lit));
		n += st->alive[r];
	}
	return n;
}

static bool cmd_any(const struct cmd_state *st, unsigned int i,
		    enum cmd_kind k)
{
	for (size_t r = 0; r < st->n; r++)
		if (st->alive[r] && cmd_kind_at(&st->sx[r], i) == k)
			return true;
	return false;
}

/*
 * The first row in play whose word at i is of kind k; a row that ends
 * there must be a command (a row without a function only gives help).
 */
static size_t cmd_first(const struct cmd_state *st, unsigned int i,
			enum cmd_kind k)
{
	for (size_t r = 0; r < st->n; r++)
		if (st->alive[r] && cmd_kind_at(&st->sx[r], i) == k &&
		    (k != CMD_END || st->rows[r].fn))
			return r;
	return st->n;
}

/* What may come at position i, for a message: literals, then <name>s. */
static void cmd_expected(const struct cmd_state *st, unsigned int i,
			 char *out, size_t len)
{
	const struct cmd_word *one = NULL;
	size_t used;

	cmd_literals(st, i, NULL, &one, out, len);
	used = strlen(out);
	for (size_t r = 0; r < st->n && used < len; r++) {
		const struct cmd_word *w = &st->sx[r].w[i];
		int k;

		if (!st->alive[r] || cmd_kind_at(&st->sx[r], i) != CMD_ARG)
			continue;
		k = snprintf(out + used, len - used, "%s%.*s",
			     used ? ", " : "", (int)w->len, w->s);
		used += k > 0 ? (size_t)k : 0;
		break;
	}
}

/* One typed word at position i: narrows the rows in play. */
static int cmd_step(struct cmd_state *st, unsigned int i,
		    const struct cmd_word *t, struct cmd_match *m)
{
	const struct cmd_word *one = NULL;
	char names[CMD_MSG_LEN];
	unsigned int n;

	/* Exactly a literal: it, even when it also begins a longer one. */
	for (size_t r = 0; r < st->n; r++)
		if (st->alive[r] && cmd_kind_at(&st->sx[r], i) == CMD_LIT &&
		    cmd_word_eq(&st->sx[r].w[i], t))
			return cmd_keep(st, i, CMD_LIT, t) ? 0 : -EINVAL;
	n = cmd_literals(st, i, t, &one, names, sizeof(names));
	if (n == 1) {
		cmd_keep(st, i, CMD_LIT, one);
		return 0;
	}
	if (n > 1) {
		snprintf(st->msg, st->msglen, "ambiguous '%.*s': %s",
			 (int)t->len, t->s, names);
		return -EINVAL;
	}
	if (cmd_any(st, i, CMD_ARG)) {
		cmd_keep(st, i, CMD_ARG, NULL);
		m->args[m->nargs++] = t->s;
		return 0;
	}
	if (cmd_any(st, i, CMD_REST))
		return 1;	/* the rest of the line is the row's */
	cmd_expected(st, i, names, sizeof(names));
	if (names[0])
		snprintf(st->msg, st->msglen, "unknown word '%.*s': %s",
			 (int)t->len, t->s, names);
	else
		snprintf(st->msg, st->msglen, "unexpected '%.*s' at the end",
			 (int)t->len, t->s);
	return -EINVAL;
}

/* The words typed, each NUL-terminated in m->buf; *n of them. */
static int cmd_words(const char *line, struct cmd_match *m,
		     struct cmd_word *t, unsigned int *n, char *msg,
		     size_t msglen)
{
	size_t len = strlen(line);

	if (len >= sizeof(m->buf)) {
		snprintf(msg, msglen, "command too long");
		return -EINVAL;
	}
	memcpy(m->buf, line, len + 1);
	*n = cmd_split(m->buf, t, CMD_MAX_WORDS);
	if (*n > CMD_MAX_WORDS) {
		snprintf(msg, msglen, "too many words (at most %d)",
			 CMD_MAX_WORDS);
		return -EINVAL;
	}
	if (!*n) {
		snprintf(msg, msglen, "empty command");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < *n; i++)
		m->buf[t[i].s - m->buf + t[i].len] = '\0';
	return 0;
}

static void cmd_start(struct cmd_state *st)
{
	for (size_t r = 0; r < st->n; r++) {
		st->sx[r].n = cmd_split(st->rows[r].syntax, st->sx[r].w,
					CMD_MAX_WORDS);
		st->alive[r] = st->sx[r].n <= CMD_MAX_WORDS;
	}
}

/*
 * Steps through the typed words. Returns how many a row's words took
 * (the rest, from there, is a "..."'s), or -EINVAL.
 */
static int cmd_walk(struct cmd_state *st, const struct cmd_word *t,
		    unsigned int nt, struct cmd_match *m)
{
	unsigned int i;
	int err;

	cmd_start(st);
	for (i = 0; i < nt; i++) {
		err = cmd_step(st, i, &t[i], m);
		if (err < 0)
			return err;
		if (err > 0)
			break;
	}
	return (int)i;
}

/* The typed words against the rows: the row chosen, or -EINVAL. */
static int cmd_resolve(struct cmd_state *st, const struct cmd_word *t,
		       unsigned int nt, struct cmd_match *m)
{
	unsigned int i;
	size_t r;
	int err;

	err = cmd_walk(st, t, nt, m);
	if (err < 0)
		return err;
	i = err;
	/* Words ran out (or "..." takes the rest): a row ends here? */
	r = cmd_first(st, i, i < nt ? CMD_REST : CMD_END);
	if (r == st->n && i == nt)
		r = cmd_first(st, i, CMD_REST);
	if (r == st->n) {
		char names[CMD_MSG_LEN];

		cmd_expected(st, i, names, sizeof(names));
		snprintf(st->msg, st->msglen, "incomplete command: %s may "
			 "follow", names[0] ? names : "more");
		return -EINVAL;
	}
	m->row = &st->rows[r];
	if (i < nt)
		m->rest = m->line + (t[i].s - m->buf);
	return 0;
}

int cmd_match(const struct cmd_row *rows, size_t n, const char *line,
	      struct cmd_match *m, char *msg, size_t msglen)
{
	struct cmd_word t[CMD_MAX_WORDS];
	struct cmd_state *st;
	unsigned int nt;
	int err;

	if (n > CMD_MAX_ROWS)
		return -E2BIG;
	memset(m, 0, sizeof(*m));
	m->line = line;
	m->rest = "";
	err = cmd_words(line, m, t, &nt, msg, msglen);
	if (err)
		return err;
	st = malloc(sizeof(*st));	/* some 40 KiB */
	if (!st)
		return -ENOMEM;
	*st = (struct cmd_state){ .rows = rows, .n = n, .msg = msg,
				  .msglen = msglen };
	err = cmd_resolve(st, t, nt, m);
	free(st);
	return err;
}

const struct cmd_row *cmd_find(const struct cmd_row *rows, size_t n,
			       const char *line)
{
	struct cmd_match *m = malloc(sizeof(*m));
	const struct cmd_row *r = NULL;
	char msg[CMD_MSG_LEN];

	if (m && !cmd_match(rows, n, line, m, msg, sizeof(msg)))
		r = m->row;
	free(m);
	return r;
}

/* ------------------------------------------------- what may follow */

/*
 * The help of the word at i: that of a row in play that ends with it,
 * or whose "..." follows it.
 */
static const char *cmd_word_help(const struct cmd_state *st, unsigned int i,
				 const struct cmd_word *w)
{
	for (size_t r = 0; r < st->n; r++)
		if (st->alive[r] && i < st->sx[r].n &&
		    cmd_word_eq(&st->sx[r].w[i], w) &&
		    (st->sx[r].n == i + 1 ||
		     (st->sx[r].n == i + 2 &&
		      cmd_kind_at(&st->sx[r], i + 1) == CMD_REST)))
			return st->rows[r].help ? st->rows[r].help : "";
	return "";
}

/* Each distinct word of kind k at i among the rows in play, once. */
static void cmd_list_words(const struct cmd_state *st, unsigned int i,
			   enum cmd_kind k, cmd_next_fn fn, void *arg)
{
	for (size_t r = 0; r < st->n; r++) {
		const struct cmd_word *w = &st->sx[r].w[i];
		char word[CMD_MSG_LEN];
		struct cmd_next nx = {
			.kind = k == CMD_LIT ? CMD_NEXT_WORD : CMD_NEXT_VALUE,
			.word = word,
		};
		bool seen = false;

		if (!st->alive[r] || cmd_kind_at(&st->sx[r], i) != k)
			continue;
		for (size_t q = 0; q < r && !seen; q++)
			seen = st->alive[q] && cmd_kind_at(&st->sx[q], i) == k &&
			       cmd_word_eq(&st->sx[q].w[i], w);
		if (seen)
			continue;
		snprintf(word, sizeof(word), "%.*s", (int)w->len, w->s);
		nx.help = cmd_word_help(st, i, w);
		fn(arg, &nx);
	}
}

/* What the "..." of the rows in play at i list, each function once. */
static int cmd_list_rest(const struct cmd_state *st, unsigned int i,
			 const char *line, const char *rest, cmd_next_fn fn,
			 void *arg, char *msg, size_t msglen)
{
	for (size_t r = 0; r < st->n; r++) {
		cmd_rest_fn f = st->rows[r].rest;
		bool seen = false;
		int err;

		if (!st->alive[r] || cmd_kind_at(&st->sx[r], i) != CMD_REST ||
		    !f)
			continue;
		for (size_t q = 0; q < r && !seen; q++)
			seen = st->alive[q] && st->rows[q].rest == f &&
			       cmd_kind_at(&st->sx[q], i) == CMD_REST;
		if (seen)
			continue;
		err = f(line, rest, fn, arg, msg, msglen);
		if (err)
			return err;
	}
	return 0;
}

static int cmd_list(const struct cmd_state *st, const struct cmd_word *t,
		    unsigned int nt, unsigned int i, const struct cmd_match *m,
		    cmd_next_fn fn, void *arg, char *msg, size_t msglen)
{
	const struct cmd_next end = { .kind = CMD_NEXT_END, .word = "",
				      .help = "" };
	const char *rest = i < nt ? m->line + (t[i].s - m->buf) : "";

	if (i < nt)	/* a "..." took the words from i on */
		return cmd_list_rest(st, i, m->line, rest, fn, arg, msg,
				     msglen);
	cmd_list_words(st, i, CMD_LIT, fn, arg);
	cmd_list_words(st, i, CMD_ARG, fn, arg);
	if (cmd_first(st, i, CMD_END) < st->n)
		fn(arg, &end);
	return cmd_list_rest(st, i, m->line, rest, fn, arg, msg, msglen);
}

int cmd_next(const struct cmd_row *rows, size_t n, const char *line,
	     cmd_next_fn fn, void *arg, char *msg, size_t msglen)
{
	struct cmd_word t[CMD_MAX_WORDS] = { 0 };
	struct cmd_match *m;
	struct cmd_state *st;
	unsigned int nt = 0;
	int err = -ENOMEM;

	if (n > CMD_MAX_ROWS)
		return -E2BIG;
	m = calloc(1, sizeof(*m));
	st = malloc(sizeof(*st));
	if (!m || !st)
		goto out;
	m->line = line;
	m->rest = "";
	if (line[strspn(line, " \t")]) {
		err = cmd_words(line, m, t, &nt, msg, msglen);
		if (err)
			goto out;
	}
	*st = (struct cmd_state){ .rows = rows, .n = n, .msg = msg,
				  .msglen = msglen };
	err = cmd_walk(st, t, nt, m);
	if (err >= 0)
		err = cmd_list(st, t, nt, err, m, fn, arg, msg, msglen);
out:
	free(st);
	free(m);
	return err;
}
