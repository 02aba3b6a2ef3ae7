// SPDX-License-Identifier: GPL-2.0-only
/*
 * No keyword without its documentation: every path of keywords the
 * configuration parser takes is the line of a row of docs/CONFIGURATION.md's
 * tables (run from the top of the tree, as tests/run does), and the row's
 * "sync" cell says what the parser's table says of it: "local" (config
 * sync leaves it) or "replicated". The same document is the manual page
 * nsrpd.conf(5).
 *
 * A row documents a path when the path's keywords are the row's line's
 * keywords, in order, with nothing between them but what the user writes
 * (a word with a capital, N, IF:N, PW...) and options in [brackets]. A
 * row's own paths are those it documents that are not the start of
 * another it documents ("set nsrp config sync file PATH" documents
 * "set nsrp config sync" too, which is another row's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "config.h"
#include "../harness.h"

#define DOC		"docs/CONFIGURATION.md"
#define MAX_ROWS	256
#define MAX_WORDS	32
#define MAX_KW		256

struct row {
	unsigned int line;
	char code[CFG_LINE_LEN];	/* the line, without its backquotes */
	char sync[32];
};

struct kw {
	char path[CFG_LINE_LEN];
	bool local;
};

static struct row *rows;
static unsigned int n_rows;
static struct kw *kws;
static unsigned int n_kws;

/* The cell after the n-th unescaped '|' of l, trimmed, into out. */
static void cell(const char *l, int n, char *out, size_t len)
{
	const char *p = l, *end;
	size_t k;

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		while (*p && (*p != '|' || (p > l && p[-1] == '\\')))
			p++;
		if (!*p)
			return;
		p++;
	}
	p += strspn(p, " `");
	for (end = p; *end && (*end != '|' || end[-1] == '\\'); end++)
		;
	while (end > p && strchr(" `", end[-1]))
		end--;
	k = (size_t)(end - p) < len - 1 ? (size_t)(end - p) : len - 1;
	memcpy(out, p, k);
	out[k] = '\0';
}

/* Does the row's line hold path's keywords, with only values between? */
static bool documents(const char *code, const char *path)
{
	char line[CFG_LINE_LEN], words[CFG_LINE_LEN];
	char *tok[MAX_WORDS], *save = NULL;
	bool skip[MAX_WORDS];
	int n = 0, depth = 0, i = 0;

	snprintf(line, sizeof(line), "%s", code);
	for (char *t = strtok_r(line, " ", &save); t && n < MAX_WORDS;
	     t = strtok_r(NULL, " ", &save)) {
		int opens = 0, closes = 0;
		char *w = t;

		for (char *c = t; *c; c++) {
			opens += *c == '[';
			closes += *c == ']';
		}
		while (*w == '[')
			w++;
		w[strcspn(w, "]")] = '\0';
		skip[n] = depth > 0 || opens > 0 || strpbrk(w, "\"|") ||
			  strpbrk(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
		tok[n++] = w;
		depth += opens - closes;
	}
	snprintf(words, sizeof(words), "%s", path);
	save = NULL;
	for (char *w = strtok_r(words, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		while (i < n && strcmp(tok[i], w)) {
			if (!skip[i])
				return false;
			i++;
		}
		if (i == n)
			return false;
		i++;
	}
	return true;
}

static void load_rows(const char *doc)
{
	unsigned int line = 0;

	n_rows = 0;
	for (const char *l = doc; *l;) {
		size_t len = strcspn(l, "\n");

		line++;
		if (!strncmp(l, "| `set ", 7) && n_rows < MAX_ROWS) {
			char buf[4 * CFG_LINE_LEN];
			struct row *r = &rows[n_rows++];

			snprintf(buf, sizeof(buf), "%.*s", (int)len, l);
			r->line = line;
			cell(buf, 1, r->code, sizeof(r->code));
			cell(buf, 3, r->sync, sizeof(r->sync));
		}
		l += len + (l[len] == '\n');
	}
}

static void take_keyword(void *arg, const struct cfg_keyword *k)
{
	(void)arg;
	if (n_kws >= MAX_KW)
		return;
	snprintf(kws[n_kws].path, sizeof(kws[n_kws].path), "%s", k->path);
	kws[n_kws++].local = k->local;
}

/* Is path the start of another path the row documents? */
static bool overtaken(const struct row *r, const char *path)
{
	size_t n = strlen(path);

	for (unsigned int i = 0; i < n_kws; i++)
		if (!strncmp(kws[i].path, path, n) && kws[i].path[n] == ' ' &&
		    documents(r->code, kws[i].path))
			return true;
	return false;
}

/* Problems found, each printed. */
static unsigned int check(void)
{
	unsigned int bad = 0;

	for (unsigned int k = 0; k < n_kws; k++) {
		bool found = false;

		for (unsigned int i = 0; i < n_rows && !found; i++)
			found = documents(rows[i].code, kws[k].path);
		if (!found) {
			bad++;
			fprintf(stderr, "\n  %s: no row documents '%s'", DOC,
				kws[k].path);
		}
	}
	for (unsigned int i = 0; i < n_rows; i++) {
		for (unsigned int k = 0; k < n_kws; k++) {
			const char *want = kws[k].local ? "local" : "replicated";

			if (!documents(rows[i].code, kws[k].path) ||
			    overtaken(&rows[i], kws[k].path) ||
			    !strcmp(rows[i].sync, want))
				continue;
			bad++;
			fprintf(stderr, "\n  %s:%u: '%s' is %s, the row says "
				"'%s'", DOC, rows[i].line, kws[k].path, want,
				rows[i].sync);
		}
	}
	return bad;
}

static void test_every_keyword_documented(void)
{
	FILE *f = fopen(DOC, "r");
	char *doc = calloc(1, 1 << 20);
	size_t len = 0;

	rows = calloc(MAX_ROWS, sizeof(*rows));
	kws = calloc(MAX_KW, sizeof(*kws));
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_FATAL(doc && rows && kws);
	len = fread(doc, 1, (1 << 20) - 1, f);
	fclose(f);
	CU_ASSERT(len > 0);
	load_rows(doc);
	n_kws = 0;
	config_keyword_table(take_keyword, NULL);
	CU_ASSERT(n_kws > 40);
	CU_ASSERT(n_rows > 40);
	CU_ASSERT_EQUAL(check(), 0);
	free(doc);
	free(rows);
	free(kws);
}

/* The checks themselves can fail. */
static void test_check_can_fail(void)
{
	const char *l = "set nsrp monitor interface IF [weight W]";

	CU_ASSERT_TRUE(documents(l, "set nsrp monitor interface weight"));
	CU_ASSERT_TRUE(documents(l, "set nsrp monitor interface"));
	CU_ASSERT_FALSE(documents(l, "set nsrp monitor zone"));
	CU_ASSERT_FALSE(documents(l, "set nsrp interface"));
	CU_ASSERT_FALSE(documents(l, "set nsrp monitor inter"));
	CU_ASSERT_TRUE(documents("set interface IF:N ip A/LEN",
				 "set interface ip"));

	/* A row that says local of a replicated line is caught. */
	rows = calloc(1, sizeof(*rows));
	kws = calloc(2, sizeof(*kws));
	CU_ASSERT_FATAL(rows && kws);
	snprintf(rows[0].code, sizeof(rows[0].code), "%s",
		 "set nsrp arp N");
	snprintf(rows[0].sync, sizeof(rows[0].sync), "local");
	n_rows = 1;
	snprintf(kws[0].path, sizeof(kws[0].path), "set nsrp arp");
	kws[0].local = false;
	n_kws = 1;
	CU_ASSERT_EQUAL(check(), 1);
	snprintf(rows[0].sync, sizeof(rows[0].sync), "replicated");
	CU_ASSERT_EQUAL(check(), 0);
	/* And a keyword no row documents. */
	snprintf(kws[1].path, sizeof(kws[1].path), "set nsrp arp count");
	n_kws = 2;
	CU_ASSERT_EQUAL(check(), 1);
	free(rows);
	free(kws);
}

TEST_SUITE(keywords, NULL, NULL,
	   TEST(test_every_keyword_documented),
	   TEST(test_check_can_fail));
