// SPDX-License-Identifier: GPL-2.0-only
/*
 * No keyword without its documentation: every path of keywords the
 * configuration parser takes appears, word by word in order, on a line of
 * docs/CONFIGURATION.md's tables (run from the top of the tree, as
 * tests/run does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "config.h"
#include "../harness.h"

#define DOC	"docs/CONFIGURATION.md"

static char *doc;
static unsigned int paths, missing;

/* Does the line hold the words of path, each whole, in order? */
static bool line_has(const char *line, size_t len, const char *path)
{
	char words[CFG_LINE_LEN];
	const char *at = line, *end = line + len;

	snprintf(words, sizeof(words), "%s", path);
	for (char *w = strtok(words, " "); w; w = strtok(NULL, " ")) {
		size_t n = strlen(w);
		const char *hit = NULL;

		for (const char *p = at; p + n <= end; p++)
			if (!strncmp(p, w, n) &&
			    (p == line || strchr(" `[|", p[-1])) &&
			    (p + n == end || strchr(" `]|", p[n]))) {
				hit = p;
				break;
			}
		if (!hit)
			return false;
		at = hit + n;
	}
	return true;
}

static void documented(void *arg, const char *path)
{
	(void)arg;
	paths++;
	for (const char *l = doc; *l;) {
		size_t len = strcspn(l, "\n");

		if (!strncmp(l, "| `set ", 7) && line_has(l, len, path))
			return;
		l += len + (l[len] == '\n');
	}
	missing++;
	fprintf(stderr, "\n  %s: no line documents '%s'", DOC, path);
}

static void test_every_keyword_documented(void)
{
	FILE *f = fopen(DOC, "r");
	size_t len = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	doc = calloc(1, 1 << 20);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	len = fread(doc, 1, (1 << 20) - 1, f);
	fclose(f);
	CU_ASSERT(len > 0);
	paths = missing = 0;
	config_keywords(documented, NULL);
	CU_ASSERT(paths > 40);
	CU_ASSERT_EQUAL(missing, 0);
	free(doc);
}

/* The check itself can fail: a path no line holds is caught. */
static void test_check_can_fail(void)
{
	const char *l = "| `set nsrp monitor interface IF [weight W]` | x |";

	CU_ASSERT_TRUE(line_has(l, strlen(l), "set nsrp monitor interface weight"));
	CU_ASSERT_FALSE(line_has(l, strlen(l), "set nsrp monitor zone"));
	CU_ASSERT_FALSE(line_has(l, strlen(l), "set nsrp interface monitor"));
	CU_ASSERT_FALSE(line_has(l, strlen(l), "set nsrp monitor inter"));
}

TEST_SUITE(keywords, NULL, NULL,
	   TEST(test_every_keyword_documented),
	   TEST(test_check_can_fail));
