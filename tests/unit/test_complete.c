// SPDX-License-Identifier: GPL-2.0-only
/*
 * What may follow a line ("?" and Tab in nsrpctl's shell) comes from the
 * tables that parse it: every word of every command and every keyword
 * of the configuration is offered where it may come, with its help;
 * values are said; a word that is ambiguous is refused, naming the
 * candidates, as the parser refuses it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "command.h"
#include "config.h"
#include "../harness.h"

/* What was listed, as "word|word|<value>|<cr>|". */
static char listed[8192];
static unsigned int no_help;

static void collect(void *arg, const struct cmd_next *n)
{
	size_t used = strlen(listed);

	(void)arg;
	snprintf(listed + used, sizeof(listed) - used, "%s|",
		 n->kind == CMD_NEXT_END ? "<cr>" : n->word);
	if (n->kind != CMD_NEXT_END && (!n->help || !n->help[0]))
		no_help++;
}

static char msg[512];

/* What may follow line, per the daemon's command table. */
static const char *next_of(const char *line)
{
	listed[0] = msg[0] = '\0';
	no_help = 0;
	if (cmd_next(command_rows, command_nrows, line, collect, NULL, msg,
		     sizeof(msg)))
		return msg;
	return listed;
}

/* Does the listing hold word (whole)? */
static bool offers(const char *word)
{
	char w[256];

	snprintf(w, sizeof(w), "|%s|", word);
	return !strncmp(listed, w + 1, strlen(w + 1)) || strstr(listed, w);
}

static void test_commands(void)
{
	CU_ASSERT_STRING_EQUAL(next_of(""), "get|exec|set|unset|save|");
	CU_ASSERT_EQUAL(no_help, 0);
	CU_ASSERT_STRING_EQUAL(next_of("get"),
			       "nsrp|counters|config|session|route|dataplane|");
	CU_ASSERT_EQUAL(no_help, 0);
	CU_ASSERT_STRING_EQUAL(next_of("get route"), "v4|v6|<cr>|");
	CU_ASSERT_EQUAL(no_help, 0);
	CU_ASSERT_STRING_EQUAL(next_of("get route v6"), "<cr>|");
	CU_ASSERT_STRING_EQUAL(next_of("get route v5"),
			       "get route: 'v5' is not understood "
			       "(get route [v4|v6])");
	CU_ASSERT_STRING_EQUAL(next_of("g nsrp"), "history|<cr>|");
	CU_ASSERT_STRING_EQUAL(next_of("exec nsrp vsd-group"), "<group>|");
	CU_ASSERT_STRING_EQUAL(next_of("exec nsrp vsd-group 0 mode"),
			       "backup|ineligible|init|");
	CU_ASSERT_STRING_EQUAL(next_of("save"), "<cr>|");
}

/* The abbreviations the parser refuses, the listing refuses alike. */
static void test_ambiguous(void)
{
	CU_ASSERT_STRING_EQUAL(next_of("get co"),
			       "ambiguous 'co': counters, config");
	CU_ASSERT_STRING_EQUAL(next_of("exec nsrp vsd-group 0 mode in"),
			       "ambiguous 'in': ineligible, init");
	CU_ASSERT_STRING_EQUAL(next_of("set nsrp c"),
			       "ambiguous 'c': cluster, config");
	CU_ASSERT_STRING_EQUAL(next_of("set nsrp vsd-group id 0 p"),
			       "ambiguous 'p': priority, preempt");
	CU_ASSERT_STRING_EQUAL(next_of("unset nsrp track-ip ip 192.0.2.9 "
				       "interval 1 w"),
			       "unexpected 'interval' after '192.0.2.9'");
	CU_ASSERT_STRING_EQUAL(next_of("get session s"),
			       "get session: ambiguous 's': src, summary");
	CU_ASSERT_STRING_EQUAL(next_of("set nsrp vsd-group id 9"),
			       "vsd-group id must be 0-7");
}

static void test_configuration(void)
{
	CU_ASSERT_STRING_EQUAL(next_of("set"),
			       "admin|flow|hostname|interface|nsrp|zone|");
	CU_ASSERT_EQUAL(no_help, 0);
	CU_ASSERT_STRING_EQUAL(next_of("set nsrp vsd id 0"),
			       "priority|preempt|<cr>|");
	CU_ASSERT_STRING_EQUAL(next_of("set nsrp vsd id 0 pri"), "<1-254>|");
	CU_ASSERT_STRING_EQUAL(next_of("unset nsrp vsd id 0 pri"), "<cr>|");
	CU_ASSERT_STRING_EQUAL(next_of("set nsrp vsd id 0 pri 20"), "<cr>|");
	CU_ASSERT_STRING_EQUAL(next_of("set nsrp standalone-role"),
			       "backup|master|");
	CU_ASSERT_STRING_EQUAL(next_of("set nsrp track-ip ip 192.0.2.9 "
				       "method"), "arp|ping|");
	CU_ASSERT_STRING_EQUAL(next_of("set nsrp track-ip ip 192.0.2.9 "
				       "weight 9"),
			       "interface|interval|method|threshold|weight|"
			       "<cr>|");
	CU_ASSERT_STRING_EQUAL(next_of("set admin group nsrp-ops"),
			       "privilege|<cr>|");
	CU_ASSERT_STRING_EQUAL(next_of("set admin group nsrp-ops privilege"),
			       "all|read-only|");
	CU_ASSERT_STRING_EQUAL(next_of("unset admin group nsrp-ops"), "<cr>|");
	CU_ASSERT_STRING_EQUAL(next_of("set nsrp metrics listen"),
			       "<address:port>|");
	CU_ASSERT_STRING_EQUAL(next_of("set interface"), "<interface[:group]>|");
	CU_ASSERT_STRING_EQUAL(next_of("set interface lan0:0"),
			       "ip|ipv6|manage-ip|");
	CU_ASSERT_STRING_EQUAL(next_of("unset interface lan0:0 ip"),
			       "<A.B.C.D/len>|<cr>|");
	CU_ASSERT_STRING_EQUAL(next_of("get session proto"),
			       "icmp|icmp6|tcp|udp|<0-255>|");
	next_of("get session");
	CU_ASSERT_TRUE(offers("summary") && offers("<cr>"));
}

/* Every keyword path of the configuration is offered, word by word. */
static unsigned int paths, missed;

/* A value of the kind the listing says comes next, for keywords after. */
static const char *sample_value(void)
{
	static const char *const samples[][2] = {
		{ "<0-7>|", "0" }, { "<interface>|", "lan0" },
		{ "<interface[:group]>|", "lan0:0" }, { "<zone>|", "dmz" },
		{ "<address>|", "192.0.2.9" }, { "<path>|", "/etc/x" },
		{ "<group>|", "nsrp-ops" },
	};

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		if (!strcmp(listed, samples[i][0]))
			return samples[i][1];
	return NULL;
}

static void offered(void *arg, const char *path)
{
	char words[CFG_LINE_LEN], typed[CFG_LINE_LEN * 2] = "set";
	char *save = NULL, *w;
	size_t used = strlen(typed);

	(void)arg;
	paths++;
	snprintf(words, sizeof(words), "%s", path);
	strtok_r(words, " ", &save);		/* "set" */
	for (w = strtok_r(NULL, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		const char *v;

		next_of(typed);
		v = sample_value();
		if (v) {
			used += snprintf(typed + used, sizeof(typed) - used,
					 " %s", v);
			next_of(typed);
		}
		if (!offers(w)) {
			missed++;
			fprintf(stderr, "\n  after '%s', '%s' is not offered "
				"(%s)", typed, w, listed[0] ? listed : msg);
			return;
		}
		used += snprintf(typed + used, sizeof(typed) - used, " %s", w);
	}
}

static void test_every_keyword_offered(void)
{
	paths = missed = 0;
	config_keywords(offered, NULL);
	CU_ASSERT(paths > 40);
	CU_ASSERT_EQUAL(missed, 0);
}

/* Every word of every command is offered where it comes. */
static void test_every_command_offered(void)
{
	for (size_t r = 0; r < command_nrows; r++) {
		char syntax[256], typed[256] = "", *save = NULL, *w;
		size_t used = 0;

		if (!command_rows[r].fn)
			continue;
		snprintf(syntax, sizeof(syntax), "%s", command_rows[r].syntax);
		for (w = strtok_r(syntax, " ", &save); w;
		     w = strtok_r(NULL, " ", &save)) {
			if (!strcmp(w, "..."))
				break;
			next_of(typed);
			CU_ASSERT_TRUE(offers(w));
			used += snprintf(typed + used, sizeof(typed) - used,
					 "%s%s", used ? " " : "",
					 w[0] == '<' ? "0" : w);
		}
		next_of(typed);
		CU_ASSERT_TRUE(offers("<cr>") || offers("flow") ||
			       offers("summary"));
	}
}

TEST_SUITE(complete, NULL, NULL,
	   TEST(test_commands),
	   TEST(test_ambiguous),
	   TEST(test_configuration),
	   TEST(test_every_keyword_offered),
	   TEST(test_every_command_offered))
