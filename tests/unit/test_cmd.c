// SPDX-License-Identifier: GPL-2.0-only
/*
 * The command table's matcher: unique prefixes choose, ambiguous ones are
 * refused naming the candidates, <name> words and "..." are handed over.
 */
#include <errno.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "cmd.h"
#include "../harness.h"

/* A command's function; the matcher only looks at whether there is one. */
static int run(void *ctx, const struct cmd_match *cm)
{
	(void)ctx;
	(void)cm;
	return 0;
}

static const struct cmd_row rows[] = {
	{ "get nsrp", run },
	{ "get nsrp history", run },
	{ "get counters", run },
	{ "get config", run },
	{ "get session ...", run },
	{ "exec nsrp vsd-group <group> mode backup", run },
	{ "exec nsrp vsd-group <group> mode ineligible", run },
	{ "exec nsrp vsd-group <group> mode init", run },
	{ "exec nsrp sync rto session from peer", run },
	{ "set ...", run },
	{ "unset ...", run },
	{ "save", run },
};

#define NROWS	(sizeof(rows) / sizeof(rows[0]))

static struct cmd_match m;
static char msg[CMD_MSG_LEN];

/* The syntax of the row line matches, or the refusal's message. */
static const char *match(const char *line)
{
	msg[0] = '\0';
	if (cmd_match(rows, NROWS, line, &m, msg, sizeof(msg)))
		return msg;
	return m.row->syntax;
}

static void test_prefixes(void)
{
	CU_ASSERT_STRING_EQUAL(match("get nsrp"), "get nsrp");
	CU_ASSERT_STRING_EQUAL(match("g n"), "get nsrp");
	CU_ASSERT_STRING_EQUAL(match("  get   n  h "), "get nsrp history");
	CU_ASSERT_STRING_EQUAL(match("get cou"), "get counters");
	CU_ASSERT_STRING_EQUAL(match("get conf"), "get config");
	CU_ASSERT_STRING_EQUAL(match("sa"), "save");
	CU_ASSERT_STRING_EQUAL(match("se nsrp arp 5"), "set ...");
}

static void test_ambiguous(void)
{
	CU_ASSERT_STRING_EQUAL(match("s"), "ambiguous 's': set, save");
	CU_ASSERT_STRING_EQUAL(match("get co"),
			       "ambiguous 'co': counters, config");
	CU_ASSERT_STRING_EQUAL(match("exec nsrp vsd-group 0 mode in"),
			       "ambiguous 'in': ineligible, init");
	CU_ASSERT_STRING_EQUAL(match("exec nsrp vsd-group 0 mode ine"),
			       "exec nsrp vsd-group <group> mode ineligible");
	CU_ASSERT_STRING_EQUAL(match("exec nsrp vsd-group 0 mode ini"),
			       "exec nsrp vsd-group <group> mode init");
}

/* A word that is a whole literal wins over longer ones it begins. */
static void test_exact_wins(void)
{
	static const struct cmd_row r[] = { { "show a", run },
					    { "show ab", run } };

	CU_ASSERT_EQUAL(cmd_match(r, 2, "show a", &m, msg, sizeof(msg)), 0);
	CU_ASSERT_PTR_EQUAL(m.row, &r[0]);
	CU_ASSERT_EQUAL(cmd_match(r, 2, "show ab", &m, msg, sizeof(msg)), 0);
	CU_ASSERT_PTR_EQUAL(m.row, &r[1]);
}

static void test_args_and_rest(void)
{
	CU_ASSERT_STRING_EQUAL(match("exec nsrp vsd-group 3 mode backup"),
			       "exec nsrp vsd-group <group> mode backup");
	CU_ASSERT_EQUAL(m.nargs, 1);
	CU_ASSERT_STRING_EQUAL(m.args[0], "3");

	CU_ASSERT_STRING_EQUAL(match("set nsrp cluster name \"Lab  1\""),
			       "set ...");
	CU_ASSERT_STRING_EQUAL(m.rest, "nsrp cluster name \"Lab  1\"");
	CU_ASSERT_STRING_EQUAL(m.line, "set nsrp cluster name \"Lab  1\"");

	CU_ASSERT_STRING_EQUAL(match("get session port 80 proto tcp"),
			       "get session ...");
	CU_ASSERT_STRING_EQUAL(m.rest, "port 80 proto tcp");
	CU_ASSERT_STRING_EQUAL(match("get session"), "get session ...");
	CU_ASSERT_STRING_EQUAL(m.rest, "");
}

static void test_refusals(void)
{
	CU_ASSERT_STRING_EQUAL(match("show nsrp"),
			       "unknown word 'show': get, exec, set, unset, "
			       "save");
	CU_ASSERT_STRING_EQUAL(match("get nsrp bogus"),
			       "unknown word 'bogus': history");
	CU_ASSERT_STRING_EQUAL(match("get counters now"),
			       "unexpected 'now' at the end");
	CU_ASSERT_STRING_EQUAL(match("exec nsrp vsd-group"),
			       "incomplete command: <group> may follow");
	CU_ASSERT_STRING_EQUAL(match("exec nsrp vsd-group 0 mode"),
			       "incomplete command: backup, ineligible, init "
			       "may follow");
	CU_ASSERT_STRING_EQUAL(match(""), "empty command");
	CU_ASSERT_EQUAL(cmd_match(rows, NROWS, "a b c d e f g h i j k l m n o p q",
				  &m, msg, sizeof(msg)), -EINVAL);
	CU_ASSERT_PTR_NULL(cmd_find(rows, NROWS, "get co"));
	CU_ASSERT_PTR_EQUAL(cmd_find(rows, NROWS, "get cou"), &rows[2]);
}

TEST_SUITE(cmd, NULL, NULL,
	   TEST(test_prefixes),
	   TEST(test_ambiguous),
	   TEST(test_exact_wins),
	   TEST(test_args_and_rest),
	   TEST(test_refusals));
