// SPDX-License-Identifier: GPL-2.0-only
/*
 * Changes at run time: one set or unset line applied to a copy of the
 * running configuration, checked as a reload is, and the atomic save.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <CUnit/CUnit.h>

#include "config.h"
#include "../harness.h"

/* A configuration is 60 KB or so: keep them off the stack. */
static struct nsrp_config *run, *next, *before, *back;
static char dir[64];

static const char *const base_lines[] = {
	"set hostname fw1",
	"set nsrp cluster id 1",
	"set nsrp cluster name lab",
	"set nsrp interface ha0",
	"set nsrp secondary-path lan0",
	"set nsrp vsd-group id 0 priority 50",
	"set nsrp vsd-group id 0 preempt hold-down 3",
	"set nsrp vsd-group hb-interval 100",
	"set interface lan0:0 ip 192.0.2.1/24",
	"set interface lan0:0 ipv6 2001:db8:1::1/64",
	"set interface wan0:0 ip 198.51.100.1/24",
	"set interface lan0 manage-ip 192.0.2.2",
	"set interface ha0 manage-ip 203.0.113.1/24",
};

static int suite_init(void)
{
	run = malloc(sizeof(*run));
	next = malloc(sizeof(*next));
	before = malloc(sizeof(*before));
	back = malloc(sizeof(*back));
	snprintf(dir, sizeof(dir), "/tmp/nsrpd-runtime-test.XXXXXX");
	if (!run || !next || !before || !back || !mkdtemp(dir))
		return -1;
	return 0;
}

static int suite_cleanup(void)
{
	free(run);
	free(next);
	free(before);
	free(back);
	rmdir(dir);
	return 0;
}

/* The running configuration of every test: fw1 of the lab. */
static void base(void)
{
	char err[256];

	config_init(run);
	for (size_t i = 0; i < sizeof(base_lines) / sizeof(base_lines[0]); i++)
		CU_ASSERT_EQUAL_FATAL(config_apply_line(run, base_lines[i], err,
							sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(config_validate(run, "base", stderr), 0);
	memcpy(before, run, sizeof(*run));
}

static int change(const char *line, char *err, size_t len)
{
	memset(next, 0x5a, sizeof(*next));
	return config_apply_runtime(run, line, next, err, len);
}

/* Accepted: the copy carries the change, the running one is untouched. */
static void test_accepted(void)
{
	char err[256];

	base();
	CU_ASSERT_EQUAL(change("set nsrp vsd-group id 0 priority 20", err,
			       sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(next->vsd[0].priority, 20);
	CU_ASSERT_TRUE(config_equal(run, before));
	CU_ASSERT_PTR_NULL(config_restart_needed(run, next));

	CU_ASSERT_EQUAL(change("unset nsrp vsd-group id 0 preempt", err,
			       sizeof(err)), 0);
	CU_ASSERT_FALSE(next->vsd[0].preempt);

	/* New passwords apply at run time, their keys derived aside. */
	CU_ASSERT_EQUAL(change("set nsrp auth password s3cret", err,
			       sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(next->auth_password, "s3cret");
	CU_ASSERT_EQUAL(change("set nsrp encrypt password s3cret", err,
			       sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(next->encrypt_password, "s3cret");

	CU_ASSERT_EQUAL(change("set nsrp arp 5", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(next->arp_count, 5);

	CU_ASSERT_EQUAL(change("set nsrp vsd-group hb-interval 250", err,
			       sizeof(err)), 0);
	CU_ASSERT_EQUAL(next->hb_interval_ms, 250);

	CU_ASSERT_EQUAL(change("set nsrp notify /usr/lib/nsrpd/notify", err,
			       sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(next->notify, "/usr/lib/nsrpd/notify");

	CU_ASSERT_EQUAL(change("set nsrp cluster name \"Lab 2\"", err,
			       sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(next->cluster_name, "Lab 2");

	/* A manage-ip is this unit's own: no restart needed. */
	CU_ASSERT_EQUAL(change("set interface wan0 manage-ip 198.51.100.2",
			       err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(next->n_manage, 3);
	CU_ASSERT_TRUE(config_equal(run, before));
}

/* The file's abbreviation rules hold at run time too. */
static void test_abbreviated(void)
{
	char err[256];

	base();
	CU_ASSERT_EQUAL(change("se ns vsd id 0 pri 30", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(next->vsd[0].priority, 30);
	CU_ASSERT_EQUAL(change("un nsrp vsd id 0 pre", err, sizeof(err)), 0);
	CU_ASSERT_FALSE(next->vsd[0].preempt);
	CU_ASSERT_EQUAL(change("set nsrp vsd-group id 0 preempt hold-down 1",
			       err, sizeof(err)), 0);
	CU_ASSERT_TRUE(next->vsd[0].preempt);
	CU_ASSERT_EQUAL(next->vsd[0].holddown_s, 1);
}

/* next may be the running configuration itself: changes chain. */
static void test_in_place(void)
{
	char err[256];

	base();
	CU_ASSERT_EQUAL(config_apply_runtime(run, "set nsrp arp 7", run, err,
					     sizeof(err)), 0);
	CU_ASSERT_EQUAL(config_apply_runtime(run, "set nsrp vsd id 0 pri 9",
					     run, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(run->arp_count, 7);
	CU_ASSERT_EQUAL(run->vsd[0].priority, 9);
	CU_ASSERT_EQUAL(config_apply_runtime(run, "unset nsrp arp", run, err,
					     sizeof(err)), 0);
	CU_ASSERT_EQUAL(run->arp_count, CFG_ARP_DEFAULT);
}

struct refusal {
	const char *line;
	const char *says;	/* a piece of the message */
};

static void expect_refused(const struct refusal *r, size_t n)
{
	char err[512];

	for (size_t i = 0; i < n; i++) {
		int ret;

		memset(next, 0x5a, sizeof(*next));
		memcpy(back, next, sizeof(*next));
		ret = config_apply_runtime(run, r[i].line, next, err,
					   sizeof(err));
		CU_ASSERT_EQUAL(ret, -EINVAL);
		if (!strstr(err, r[i].says)) {
			CU_FAIL("message does not name the problem");
			fprintf(stderr, "\n  '%s': '%s' lacks '%s'\n",
				r[i].line, err, r[i].says);
		}
		/* Neither the running configuration nor next changed. */
		CU_ASSERT_TRUE(config_equal(run, before));
		CU_ASSERT_EQUAL(memcmp(next, back, sizeof(*next)), 0);
	}
}

/* Lines the parser refuses, as it would in a file. */
static void test_rejected(void)
{
	static const struct refusal r[] = {
		{ "set nsrp vsd-group id 0 priority 300", "priority must be 1-254" },
		{ "set nsrp vsd-group id 0 priority", "missing value after 'priority'" },
		{ "set nsrp arp many", "arp must be 0-255" },
		{ "set nsrp arpp 5", "unknown keyword 'arpp'" },
		{ "set nsrp vsd-group hb-interval 5", "hb-interval must be 10-10000" },
		{ "set nsrp s 1", "ambiguous 's'" },
		{ "set nsrp notify script.sh", "absolute path" },
		{ "get nsrp", "unknown keyword 'get'" },
		{ "set nsrp", "incomplete command" },
		{ "", "empty command" },
		{ "   # a comment", "empty command" },
	};

	base();
	expect_refused(r, sizeof(r) / sizeof(r[0]));
}

/* Lines that parse but leave a configuration a reload would refuse. */
static void test_invalid_result(void)
{
	static const struct refusal r[] = {
		{ "set interface wan0 manage-ip 192.0.2.1",
		  "address 192.0.2.1 is already set" },
		{ "set interface lan0 manage-ip 198.51.100.1",
		  "address 198.51.100.1 is already set" },
	};

	base();
	expect_refused(r, sizeof(r) / sizeof(r[0]));
}

/* What only a restart may change is refused, and says so. */
static void test_structural_refused(void)
{
	static const struct refusal r[] = {
		{ "set nsrp cluster id 2", "the cluster id cannot change at run time" },
		{ "unset nsrp cluster id", "the cluster id" },
		{ "set nsrp interface ha1", "the HA link" },
		{ "unset nsrp interface", "restart nsrpd" },
		{ "set nsrp secondary-path wan0", "the secondary path" },
		{ "set nsrp standalone-role master", "the standalone role" },
		{ "set interface lan0:0 ip 192.0.2.9/24", "the VSI addresses" },
		{ "unset interface wan0:0 ip 198.51.100.1/24", "the VSI addresses" },
		{ "set flow timeout udp 5", "the flow settings" },
		{ "set flow max-sessions 100000", "the flow settings" },
	};

	base();
	expect_refused(r, sizeof(r) / sizeof(r[0]));
}

static void test_restart_needed(void)
{
	base();
	memcpy(next, run, sizeof(*run));
	CU_ASSERT_PTR_NULL(config_restart_needed(run, next));
	next->vsd[0].priority = 1;
	next->hb_threshold = 9;
	next->init_hold_s = 0;
	next->master_always_exist = true;
	CU_ASSERT_PTR_NULL(config_restart_needed(run, next));
	/* The same VSIs in another order (a saved file's, the peer's). */
	next->vsi[0] = run->vsi[1];
	next->vsi[1] = run->vsi[0];
	CU_ASSERT_PTR_NULL(config_restart_needed(run, next));
	next->vsi[0].a.prefixlen = 25;
	CU_ASSERT_STRING_EQUAL(config_restart_needed(run, next),
			       "the VSI addresses");
}

static void path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static char *slurp(const char *path)
{
	static char text[8192];
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return NULL;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* The files in the test directory: no temporary file may be left. */
static int entries(void)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!dh)
		return -1;
	while ((e = readdir(dh)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dh);
	return n;
}

/* Save, then load: the same configuration, the file's mode kept. */
static void test_save(void)
{
	char path[128], bak[160], err[512], *text;
	struct stat st;
	FILE *f;

	base();
	path_in(path, sizeof(path), "nsrpd.conf");
	f = fopen(path, "we");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("# the old file\nset nsrp arp 9\n", f);
	fclose(f);
	chmod(path, 0640);

	CU_ASSERT_EQUAL(config_apply_runtime(run, "set nsrp vsd id 0 pri 20",
					     run, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(config_save(run, path, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	text = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "set nsrp vsd-group id 0 priority 20\n"));
	/* The comment stays; the line the running one contradicts goes. */
	CU_ASSERT_EQUAL(strncmp(text, "# the old file\n", 15), 0);
	CU_ASSERT_PTR_NULL(strstr(text, "set nsrp arp 9"));
	CU_ASSERT_EQUAL(config_load(path, back, stderr), 0);
	CU_ASSERT_TRUE(config_equal(run, back));
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0640);
	/* The previous file, whole, beside it, with its mode. */
	path_in(bak, sizeof(bak), "nsrpd.conf.bak");
	text = slurp(bak);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(text, "# the old file\nset nsrp arp 9\n");
	CU_ASSERT_EQUAL(stat(bak, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0640);
	CU_ASSERT_EQUAL(entries(), 2);	/* no temporary file left */
	unlink(path);
	unlink(bak);

	/* A new file is private: it may hold the HA link passwords. */
	CU_ASSERT_EQUAL(config_save(run, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	unlink(path);
}

/* A symbolic link stays a link: the file it points to is replaced. */
static void test_save_follows_link(void)
{
	char path[128], link[128], err[512];
	struct stat st;

	base();
	path_in(path, sizeof(path), "real.conf");
	path_in(link, sizeof(link), "link.conf");
	CU_ASSERT_EQUAL(config_save(run, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(path, link), 0);
	run->arp_count = 6;
	CU_ASSERT_EQUAL(config_save(run, link, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(lstat(link, &st), 0);
	CU_ASSERT_TRUE(S_ISLNK(st.st_mode));
	CU_ASSERT_EQUAL(config_load(path, back, stderr), 0);
	CU_ASSERT_EQUAL(back->arp_count, 6);
	CU_ASSERT_EQUAL(entries(), 3);	/* and real.conf.bak */
	unlink(link);
	unlink(path);
	path_in(path, sizeof(path), "real.conf.bak");
	CU_ASSERT_EQUAL(unlink(path), 0);
}

/* An operator's file, abbreviated and commented, as a save leaves it. */
static const char op_file[] =
	"# fw1 of the lab\n"
	"\n"
	"set hostname fw1\n"
	"set nsrp cluster id 1\n"
	"set nsrp cluster name lab\n"
	"set nsrp int ha0    # the HA link\n"
	"set nsrp secondary-path lan0\n"
	"# defaults, written out\n"
	"set nsrp arp 4\n"
	"set nsrp vsd id 0 pri 50   # fw1 is preferred\n"
	"set nsrp vsd-group id 0 preempt hold-down 3\n"
	"set nsrp vsd-group hb-interval 100\n"
	"set nsrp rto-mirror sync\n"
	"set interface lan0:0 ip 192.0.2.1/24\n"
	"set interface lan0:0 ipv6 2001:db8:1::1/64\n"
	"set interface wan0:0 ip 198.51.100.1/24\n"
	"set interface lan0 manage-ip 192.0.2.2\n"
	"set interface ha0 manage-ip 203.0.113.1/24\n"
	"# the end\n";

/* Does text hold line, whole? */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l)
		if (!strncmp(l, line, n) && (l[n] == '\n' || !l[n]))
			return true;
	return false;
}

/* Where line is in text, -1 when it is not. */
static long line_at(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l)
		if (!strncmp(l, line, n) && (l[n] == '\n' || !l[n]))
			return l - text;
	return -1;
}

static void test_save_keeps_file(void)
{
	char err[512], *text, *canon_run, *canon_back;
	static const char *const changes[] = {
		"set nsrp vsd-group id 0 priority 20",
		"unset nsrp vsd-group id 0 preempt",
		"unset nsrp rto-mirror sync",
		"set nsrp monitor interface wan0 weight 100",
	};

	CU_ASSERT_EQUAL_FATAL(config_parse_text(op_file, run, err,
						sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
		CU_ASSERT_EQUAL_FATAL(config_apply_runtime(run, changes[i], run,
							   err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(config_save_text(run, op_file, &text), 0);

	/* Comments, blank lines, spelling and order of the lines kept. */
	CU_ASSERT_EQUAL(strncmp(text, "# fw1 of the lab\n\nset hostname fw1\n"
				"set nsrp cluster id 1\nset nsrp cluster name "
				"lab\nset nsrp int ha0    # the HA link\n", 107),
			0);
	CU_ASSERT_TRUE(has_line(text, "# defaults, written out"));
	CU_ASSERT_TRUE(has_line(text, "set nsrp arp 4"));
	CU_ASSERT_TRUE(line_at(text, "set nsrp arp 4") <
		       line_at(text, "set interface lan0:0 ip 192.0.2.1/24"));
	/* The changed line, in place, its comment kept. */
	CU_ASSERT_TRUE(has_line(text, "set nsrp vsd-group id 0 priority 20"
				"   # fw1 is preferred"));
	CU_ASSERT_TRUE(line_at(text, "set nsrp arp 4") <
		       line_at(text, "set nsrp vsd-group id 0 priority 20"
			       "   # fw1 is preferred"));
	/* The removed ones gone, the new one at the end. */
	CU_ASSERT_PTR_NULL(strstr(text, "preempt"));
	CU_ASSERT_PTR_NULL(strstr(text, "rto-mirror"));
	CU_ASSERT_TRUE(line_at(text, "# the end") <
		       line_at(text, "set nsrp monitor interface wan0 weight 100"));
	/* And it says what runs. */
	CU_ASSERT_EQUAL_FATAL(config_parse_text(text, back, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(config_canonical(run, CFG_PART_ALL, &canon_run), 0);
	CU_ASSERT_EQUAL(config_canonical(back, CFG_PART_ALL, &canon_back), 0);
	CU_ASSERT_STRING_EQUAL(canon_run, canon_back);
	free(canon_run);
	free(canon_back);

	/* Saved again with nothing changed: the same text. */
	{
		char *again;

		CU_ASSERT_EQUAL(config_save_text(run, text, &again), 0);
		CU_ASSERT_STRING_EQUAL(again, text);
		free(again);
	}
	free(text);
}

/* A line that no longer parses, or repeats another, goes. */
static void test_save_drops_bad_lines(void)
{
	static const char file[] =
		"set nsrp interface ha0\n"
		"set nsrp arp 6\n"
		"set nsrp bogus 1\n"
		"set nsrp arp 7\n"
		"set interface ha0:0 ip 192.0.2.1/24\n";
	char err[512], *text;

	config_init(run);
	CU_ASSERT_EQUAL_FATAL(config_apply_line(run, "set nsrp interface ha0",
						err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(config_apply_line(run, "set nsrp arp 5", err,
						sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(config_save_text(run, file, &text), 0);
	CU_ASSERT_STRING_EQUAL(text, "set nsrp interface ha0\n"
				     "set nsrp arp 5\n");
	free(text);
}

/* A save that cannot happen says why and leaves nothing behind. */
static void test_save_fails(void)
{
	char path[128], err[512];

	base();
	path_in(path, sizeof(path), "missing/nsrpd.conf");
	CU_ASSERT_EQUAL(config_save(run, path, err, sizeof(err)), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot create"));
	CU_ASSERT_EQUAL(entries(), 0);
}

TEST_SUITE(runtime, suite_init, suite_cleanup,
	   TEST(test_accepted),
	   TEST(test_abbreviated),
	   TEST(test_in_place),
	   TEST(test_rejected),
	   TEST(test_invalid_result),
	   TEST(test_structural_refused),
	   TEST(test_restart_needed),
	   TEST(test_save),
	   TEST(test_save_follows_link),
	   TEST(test_save_keeps_file),
	   TEST(test_save_drops_bad_lines),
	   TEST(test_save_fails))
