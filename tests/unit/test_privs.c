// SPDX-License-Identifier: GPL-2.0-only
/*
 * The capabilities the agent keeps (privs.h), in a child of the test:
 * after privs_drop() its effective, permitted and bounding sets are
 * CAP_NET_ADMIN, CAP_NET_RAW and CAP_SYS_NICE, nothing is inheritable or
 * ambient, no_new_privs is set, and what takes CAP_SYS_ADMIN is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <CUnit/CUnit.h>

#include "privs.h"
#include "../harness.h"

#define KEPT	((1ull << 12) | (1ull << 13) | (1ull << 23))

/* The value of a "Name:\tHEX" line of /proc/self/status. */
static unsigned long long status_hex(const char *name)
{
	char line[256];
	unsigned long long v = ~0ull;
	size_t n = strlen(name);
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':')
			v = strtoull(line + n + 1, NULL, 16);
	if (f)
		fclose(f);
	return v;
}

/* The child's exit code says which check failed: 0 for none. */
static int child_checks(void)
{
	if (privs_drop(false))
		return 10;
	if (status_hex("CapEff") != KEPT)
		return 11;
	if (status_hex("CapPrm") != KEPT)
		return 12;
	if (status_hex("CapBnd") != KEPT)
		return 13;
	if (status_hex("CapInh") || status_hex("CapAmb"))
		return 14;
	if (status_hex("NoNewPrivs") != 1)
		return 15;
	/* CAP_SYS_ADMIN is gone: the host name stays as it is. */
	if (!sethostname("x", 1) || errno != EPERM)
		return 16;
	return 0;
}

static void test_kept_and_dropped(void)
{
	int st;
	pid_t pid;

	if (geteuid() != 0) {
		harness_skip("needs root's capabilities to drop them");
		return;
	}
	CU_ASSERT_STRING_EQUAL(privs_kept(false),
			       "cap_net_admin,cap_net_raw,cap_sys_nice");
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		_exit(child_checks());
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(st));
	if (WEXITSTATUS(st))
		fprintf(stderr, "privs child failed check %d\n",
			WEXITSTATUS(st));
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 0);
}

TEST_SUITE(privs, NULL, NULL, TEST(test_kept_and_dropped));
