// SPDX-License-Identifier: GPL-2.0-only
/*
 * nsrpctl_shell.c - the interactive shell: ScreenOS's prompt, with the
 * cluster's name, the unit's and the state of VSD group 0,
 *
 *   lab:fw1(M)->            master
 *   lab:fw2(B)->            backup
 *   lab:fw1(I)->            initial
 *   lab:fw1(IE)->           ineligible
 *   lab:fw1(IO)->           inoperable (its monitors failed)
 *   fw1(?)->                nsrpd did not answer
 *
 * (ScreenOS's (M) and (B); the marks of the other states are nsrpd's),
 * read again from "get nsrp -j" before every prompt, so that it follows
 * the roles. Line editing and history are Debian's libedit (emacs keys,
 * ~/.editrc read, the history kept in ~/.nsrpctl_history); Tab completes
 * a keyword, an interface or a file, "?" lists what may follow with its
 * help (Ctrl-V ? types a "?"), Ctrl-C drops the line. A line is what the
 * one-shot form takes as arguments, "-j" and "| include WORD" included.
 */
#include <dirent.h>
#include <errno.h>
#include <histedit.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <jansson.h>

#include "nsrpctl.h"
#include "version.h"

#define SHELL_HISTORY		500	/* lines kept */
#define SHELL_PROMPT_TIMEOUT_S	3	/* for get nsrp, before a prompt */
#define SHELL_MAX_CANDIDATES	512

struct shell {
	const char *path;
	EditLine *el;
	History *hist;
	char prompt[160];
	char histfile[PATH_MAX];
};

/* ------------------------------------------------------------ the prompt */

struct fetch {
	char *buf;
	size_t len;
};

static void fetch_text(void *arg, int status, const char *text, size_t len)
{
	struct fetch *f = arg;
	char *p;

	if (status)
		return;
	p = realloc(f->buf, f->len + len + 1);
	if (!p)
		return;
	memcpy(p + f->len, text, len);
	f->buf = p;
	f->len += len;
	f->buf[f->len] = '\0';
}

/* "get nsrp -j", parsed; NULL when nsrpd does not answer. */
static json_t *shell_get_nsrp(const char *path)
{
	struct timeval tv = { .tv_sec = SHELL_PROMPT_TIMEOUT_S };
	struct fetch f = { 0 };
	int fd = ctl_connect(path), status = -1;
	json_t *j = NULL;

	if (fd < 0)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (!ctl_call(fd, "get nsrp", CTL_F_JSON, fetch_text, &f, &status) &&
	    !status && f.buf)
		j = json_loadb(f.buf, f.len, 0, NULL);
	close(fd);
	free(f.buf);
	return j;
}

/* A state as the prompt marks it. */
static const char *shell_mark(const char *state)
{
	static const char *const marks[][2] = {
		{ "master", "M" }, { "backup", "B" }, { "initial", "I" },
		{ "ineligible", "IE" }, { "inoperable", "IO" },
	};

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (state && !strcmp(state, marks[i][0]))
			return marks[i][1];
	return "?";
}

/* A name for the prompt: what a terminal would act on becomes '?'. */
static void shell_printable(char *out, size_t len, const char *s)
{
	size_t i = 0;

	for (; s && *s && i + 1 < len; s++)
		out[i++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	out[i] = '\0';
}

static void shell_prompt_update(struct shell *sh)
{
	json_t *j = shell_get_nsrp(sh->path);
	char cluster[64], host[64];
	const char *state = NULL;
	json_t *groups;

	if (!j) {
		if (gethostname(host, sizeof(host) - 1))
			snprintf(host, sizeof(host), "nsrpctl");
		host[sizeof(host) - 1] = '\0';
		shell_printable(sh->prompt, sizeof(sh->prompt), host);
		strncat(sh->prompt, "(?)->", sizeof(sh->prompt) -
			strlen(sh->prompt) - 1);
		return;
	}
	shell_printable(cluster, sizeof(cluster),
			json_string_value(json_object_get(j, "cluster_name")));
	shell_printable(host, sizeof(host),
			json_string_value(json_object_get(j, "hostname")));
	groups = json_object_get(j, "groups");
	for (size_t i = 0; i < json_array_size(groups); i++) {
		json_t *g = json_array_get(groups, i);

		if (json_integer_value(json_object_get(g, "id")) == 0)
			state = json_string_value(json_object_get(g, "state"));
	}
	snprintf(sh->prompt, sizeof(sh->prompt), "%s%s%s%s%s%s->", cluster,
		 cluster[0] ? ":" : "", host, state ? "(" : "",
		 state ? shell_mark(state) : "", state ? ")" : "");
	json_decref(j);
}

static char *shell_prompt(EditLine *el)
{
	struct shell *sh = NULL;

	el_get(el, EL_CLIENTDATA, &sh);
	return sh ? sh->prompt : "->";
}

/* ------------------------------------------- what the cursor stands in */

/*
 * The text before the cursor: its complete words (done) and the word
 * being typed (part, its opening quote left out). Returns true when the
 * cursor is inside quotes.
 */
static bool shell_context(EditLine *el, char *done, size_t dlen, char *part,
			  size_t plen)
{
	const LineInfo *li = el_line(el);
	size_t len = li->cursor - li->buffer, start = 0;
	bool quoted = false;

	for (size_t i = 0; i < len; i++) {
		if (li->buffer[i] == '"')
			quoted = !quoted;
		else if (!quoted && strchr(" \t", li->buffer[i]))
			start = i + 1;
	}
	snprintf(done, dlen, "%.*s", (int)start, li->buffer);
	if (start < len && li->buffer[start] == '"')
		start++;
	snprintf(part, plen, "%.*s", (int)(len - start), li->buffer + start);
	return quoted;
}

/* ----------------------------------------------------------- completion */

struct cands {
	char *w[SHELL_MAX_CANDIDATES];
	unsigned int n;
	const char *part;
	bool dir_only;		/* the one candidate is a directory */
	bool listed;		/* something was there, not only values */
};

static void cands_add(struct cands *c, const char *w)
{
	for (unsigned int i = 0; i < c->n; i++)
		if (!strcmp(c->w[i], w))
			return;
	if (c->n < SHELL_MAX_CANDIDATES && (c->w[c->n] = strdup(w)))
		c->n++;
}

static void cands_free(struct cands *c)
{
	for (unsigned int i = 0; i < c->n; i++)
		free(c->w[i]);
	c->n = 0;
}

static void cands_ifnames(struct cands *c)
{
	struct if_nameindex *ifs = if_nameindex(), *i;

	for (i = ifs; i && i->if_index; i++)
		if (!strncmp(i->if_name, c->part, strlen(c->part)))
			cands_add(c, i->if_name);
	if_freenameindex(ifs);
}

/* Files that begin with part: "dir/na" -> "dir/name", "dir/sub/". */
static void cands_paths(struct cands *c)
{
	char dir[PATH_MAX], full[PATH_MAX + NAME_MAX + 2];
	const char *slash = strrchr(c->part, '/');
	const char *base = slash ? slash + 1 : c->part;
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%.*s",
		 slash ? (int)(slash - c->part + 1) : 0, c->part);
	d = opendir(dir[0] ? dir : ".");
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    strncmp(e->d_name, base, strlen(base)))
			continue;
		snprintf(full, sizeof(full), "%s%s", dir, e->d_name);
		if (!stat(full[0] ? full : ".", &st) && S_ISDIR(st.st_mode))
			strncat(full, "/", sizeof(full) - strlen(full) - 1);
		cands_add(c, full);
	}
	closedir(d);
}

static void cands_one(void *arg, const struct cmd_next *n)
{
	struct cands *c = arg;

	switch (n->kind) {
	case CMD_NEXT_WORD:
		if (!strncmp(n->word, c->part, strlen(c->part)))
			cands_add(c, n->word);
		break;
	case CMD_NEXT_VALUE:
		if (n->value == CMD_VAL_IFNAME)
			cands_ifnames(c);
		else if (n->value == CMD_VAL_PATH)
			cands_paths(c);
		break;
	case CMD_NEXT_END:
		break;
	}
}

static size_t common_len(const struct cands *c)
{
	size_t n = strlen(c->w[0]);

	for (unsigned int i = 1; i < c->n; i++) {
		size_t k = 0;

		while (k < n && c->w[i][k] == c->w[0][k])
			k++;
		n = k;
	}
	return n;
}

/* Lists the candidates, or the reason there is none, under the line. */
static unsigned char shell_show(EditLine *el, const char *done,
				const char *part)
{
	(void)el;
	fputc('\n', stdout);
	fflush(stdout);
	nsrpctl_list(stdout, done, part);
	fflush(stdout);
	fflush(stderr);
	return CC_REDISPLAY;
}

static unsigned char shell_complete(EditLine *el, int ch)
{
	char done[CTL_MAX_CMD + 1], part[CTL_MAX_CMD + 1];
	char msg[NSRPCTL_MSG_LEN];
	struct cands c = { .part = part };
	unsigned char rc = CC_REFRESH;
	size_t common;

	(void)ch;
	shell_context(el, done, sizeof(done), part, sizeof(part));
	if (nsrpctl_next(done, cands_one, &c, msg, sizeof(msg)))
		return shell_show(el, done, part);	/* says why */
	if (!c.n) {
		cands_free(&c);
		return CC_ERROR;
	}
	common = common_len(&c);
	if (c.n == 1) {
		const char *w = c.w[0];
		size_t wl = strlen(w);

		if (el_insertstr(el, w + strlen(part)) ||
		    (wl && w[wl - 1] != '/' && el_insertstr(el, " ")))
			rc = CC_ERROR;
	} else if (common > strlen(part)) {
		char *ins = strndup(c.w[0] + strlen(part),
				    common - strlen(part));

		if (!ins || el_insertstr(el, ins))
			rc = CC_ERROR;
		free(ins);
	} else {
		fputc('\n', stdout);
		for (unsigned int i = 0; i < c.n; i++)
			printf("%s%s", c.w[i], i + 1 < c.n ? "  " : "\n");
		fflush(stdout);
		rc = CC_REDISPLAY;
	}
	cands_free(&c);
	return rc;
}

/* "?": what may follow, with its help; inside quotes a plain "?". */
static unsigned char shell_help(EditLine *el, int ch)
{
	char done[CTL_MAX_CMD + 1], part[CTL_MAX_CMD + 1];

	(void)ch;
	if (shell_context(el, done, sizeof(done), part, sizeof(part)))
		return el_insertstr(el, "?") ? CC_ERROR : CC_REFRESH;
	return shell_show(el, done, part);
}

/* Ctrl-C: the line is dropped, a fresh prompt given. */
static unsigned char shell_interrupt(EditLine *el, int ch)
{
	const LineInfo *li = el_line(el);

	(void)ch;
	el_cursor(el, li->lastchar - li->cursor);
	li = el_line(el);
	el_deletestr(el, li->cursor - li->buffer);
	fputs("^C\n", stdout);
	fflush(stdout);
	return CC_REDISPLAY;
}

/* ------------------------------------------------------------- the loop */

static void shell_history_open(struct shell *sh)
{
	const char *home = getenv("HOME");
	HistEvent ev;

	sh->hist = history_init();
	if (!sh->hist)
		return;
	history(sh->hist, &ev, H_SETSIZE, SHELL_HISTORY);
	history(sh->hist, &ev, H_SETUNIQUE, 1);
	if (home && home[0] &&
	    snprintf(sh->histfile, sizeof(sh->histfile), "%s/.nsrpctl_history",
		     home) < (int)sizeof(sh->histfile))
		history(sh->hist, &ev, H_LOAD, sh->histfile);
	else
		sh->histfile[0] = '\0';
}

static void shell_history_close(struct shell *sh)
{
	HistEvent ev;

	if (!sh->hist)
		return;
	if (sh->histfile[0])
		history(sh->hist, &ev, H_SAVE, sh->histfile);
	history_end(sh->hist);
}

static int shell_open(struct shell *sh)
{
	sh->el = el_init("nsrpctl", stdin, stdout, stderr);
	if (!sh->el)
		return -ENOMEM;
	shell_history_open(sh);
	el_set(sh->el, EL_CLIENTDATA, sh);
	el_set(sh->el, EL_PROMPT, shell_prompt);
	el_set(sh->el, EL_EDITOR, "emacs");
	el_set(sh->el, EL_SIGNAL, 1);
	if (sh->hist)
		el_set(sh->el, EL_HIST, history, sh->hist);
	/* Wide names: the narrow call copies them and never frees them. */
	el_wset(sh->el, EL_ADDFN, L"nsrp-complete",
		L"complete the word at the cursor", shell_complete);
	el_wset(sh->el, EL_ADDFN, L"nsrp-help", L"list what may follow",
		shell_help);
	el_wset(sh->el, EL_ADDFN, L"nsrp-interrupt", L"drop the line",
		shell_interrupt);
	el_set(sh->el, EL_BIND, "^I", "nsrp-complete", NULL);
	el_set(sh->el, EL_BIND, "?", "nsrp-help", NULL);
	/* Ctrl-C reaches the editor as a key, not as SIGINT, while editing. */
	el_set(sh->el, EL_SETTY, "-d", "-isig", NULL);
	el_set(sh->el, EL_BIND, "^C", "nsrp-interrupt", NULL);
	el_source(sh->el, NULL);
	return 0;
}

static bool shell_leaves(int n, char **w)
{
	return n == 1 && (!strcmp(w[0], "exit") || !strcmp(w[0], "quit"));
}

/* One line: its words, run as the one-shot form runs its arguments. */
static bool shell_line(struct shell *sh, const char *line)
{
	char buf[CTL_MAX_CMD + 1], msg[NSRPCTL_MSG_LEN];
	char *w[NSRPCTL_MAX_WORDS];
	struct nsrpctl_cmd *cmd;
	int n = nsrpctl_split(line, buf, sizeof(buf), w, NSRPCTL_MAX_WORDS);

	if (n == 0)
		return true;
	if (n < 0) {
		fprintf(stderr, "too long\n");
		return true;
	}
	if (shell_leaves(n, w))
		return false;
	cmd = malloc(sizeof(*cmd));
	if (!cmd)
		return true;
	if (nsrpctl_parse(n, w, cmd, msg, sizeof(msg)))
		fprintf(stderr, "%s\n", msg);
	else
		nsrpctl_run(sh->path, cmd);
	free(cmd);
	fflush(stdout);
	fflush(stderr);
	return true;
}

int nsrpctl_shell(const char *path)
{
	struct shell sh = { .path = path };
	const char *line;
	HistEvent ev;
	int count;

	/* A command runs to its end (at most its timeout): ^C waits. */
	signal(SIGINT, SIG_IGN);
	if (shell_open(&sh)) {
		fprintf(stderr, "nsrpctl: cannot start the line editor\n");
		return NSRP_EXIT_FAIL;
	}
	for (;;) {
		char copy[CTL_MAX_CMD + 1];

		shell_prompt_update(&sh);
		line = el_gets(sh.el, &count);
		if (!line)
			break;
		snprintf(copy, sizeof(copy), "%.*s",
			 (int)strcspn(line, "\r\n"), line);
		if (!copy[strspn(copy, " \t")])
			continue;
		if (sh.hist)
			history(sh.hist, &ev, H_ENTER, copy);
		if (!shell_line(&sh, copy))
			break;
	}
	if (!line)
		fputc('\n', stdout);
	shell_history_close(&sh);
	el_end(sh.el);
	return NSRP_EXIT_OK;
}
