// SPDX-License-Identifier: GPL-2.0-only
/*
 * Config sync's view of a configuration: which lines are the pair's and
 * which the unit's own, the canonical text that order, abbreviations and
 * comments do not change, and the merge of the unit's own lines with a
 * peer's replicated ones.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "config.h"
#include "../harness.h"

static struct nsrp_config *a, *b;

static int setup(void)
{
	a = malloc(sizeof(*a));
	b = malloc(sizeof(*b));
	return !a || !b;
}

static int teardown(void)
{
	free(a);
	free(b);
	return 0;
}

static void load(struct nsrp_config *c, const char *const *lines)
{
	char err[256];

	config_init(c);
	for (; *lines; lines++) {
		int ret = config_apply_line(c, *lines, err, sizeof(err));

		if (ret)
			fprintf(stderr, "\n  '%s': %s\n", *lines, err);
		CU_ASSERT_EQUAL_FATAL(ret, 0);
	}
}

static void test_local_lines(void)
{
	static const char *const local[] = {
		"set hostname fw1",
		"set nsrp vsd-group id 0 priority 50",
		"set nsrp vsd-group id 0 preempt",
		"set nsrp vsd-group id 0 preempt hold-down 3",
		"set nsrp interface ha0",
		"set nsrp secondary-path lan0",
		"set nsrp auth password x",
		"set nsrp encrypt password x",
		"set nsrp notify /bin/true",
		"set nsrp realtime-priority 5",
		"set nsrp standalone-role master",
		"set nsrp config sync",
		"set interface lan0 manage-ip 192.0.2.2",
		"set nsrp vsd id 0 pri 50",		/* abbreviated */
		"unset nsrp vsd-group id 0 preempt",
	};
	static const char *const shared[] = {
		"set nsrp vsd-group id 1",
		"set nsrp vsd-group hb-interval 100",
		"set nsrp vsd-group master-always-exist",
		"set nsrp cluster id 1",
		"set nsrp cluster name lab",
		"set nsrp arp 5",
		"set interface lan0:0 ip 192.0.2.1/24",
		"set nsrp monitor interface wan0 weight 10",
		"set zone trust interface lan0",
		"set nsrp track-ip ip 192.0.2.10",
		"set nsrp rto-mirror sync",
		"set flow timeout udp 30",
		"set nsrp config sync file /etc/nftables.conf check \"nft -c -f %s\"",
	};

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		if (!config_line_local(local[i]))
			fprintf(stderr, "\n  '%s' should be local", local[i]);
		CU_ASSERT_TRUE(config_line_local(local[i]));
	}
	for (size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
		if (config_line_local(shared[i]))
			fprintf(stderr, "\n  '%s' should be shared", shared[i]);
		CU_ASSERT_FALSE(config_line_local(shared[i]));
	}
}

/* Order, abbreviations and comments do not change it; a value does. */
static void test_canonical(void)
{
	static const char *const one[] = {
		"set nsrp cluster id 1",
		"set interface lan0:0 ip 192.0.2.1/24   # the gateway",
		"set nsrp vsd-group hb-interval 100",
		"set nsrp monitor interface wan0",
		"set nsrp vsd-group id 0 priority 50",
		NULL,
	};
	static const char *const two[] = {
		"# another file, another order",
		"set nsrp monitor int wan0 weight 255",
		"set nsrp vsd hb-i 100",
		"set nsrp cl id 1",
		"set int lan0:0 ip 192.0.2.1/24",
		"set nsrp vsd-group id 0 priority 100",	/* local: left out */
		NULL,
	};
	char *ta, *tb;

	load(a, one);
	load(b, two);
	CU_ASSERT_EQUAL_FATAL(config_canonical(a, CFG_PART_REPLICATED, &ta), 0);
	CU_ASSERT_EQUAL_FATAL(config_canonical(b, CFG_PART_REPLICATED, &tb), 0);
	CU_ASSERT_STRING_EQUAL(ta, tb);
	CU_ASSERT_PTR_NOT_NULL(strstr(ta, "set nsrp monitor interface wan0\n"));
	CU_ASSERT_PTR_NULL(strstr(ta, "priority"));
	free(tb);
	/* A value changes it. */
	CU_ASSERT_EQUAL(config_apply_line(b, "set nsrp arp 7", NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(config_canonical(b, CFG_PART_REPLICATED, &tb), 0);
	CU_ASSERT_STRING_NOT_EQUAL(ta, tb);
	free(tb);
	/* The local part holds the priority; the shareable no secret. */
	CU_ASSERT_EQUAL(config_apply_line(a, "set nsrp auth password s3cret",
					  NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(config_canonical(a, CFG_PART_LOCAL, &tb), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(tb, "priority 50"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tb, "s3cret"));
	free(tb);
	CU_ASSERT_EQUAL_FATAL(config_canonical(a, CFG_PART_SHAREABLE, &tb), 0);
	CU_ASSERT_PTR_NULL(strstr(tb, "s3cret"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tb, "priority 50"));
	free(tb);
	free(ta);
}

/* The unit keeps its own lines and takes the peer's replicated ones. */
static void test_merge(void)
{
	static const char *const mine[] = {
		"set hostname fw2",
		"set nsrp cluster id 1",
		"set nsrp vsd-group id 0 priority 100",
		"set interface lan0 manage-ip 192.0.2.3",
		"set interface lan0:0 ip 192.0.2.1/24",
		NULL,
	};
	static const char peer[] =
		"set hostname fw1\n"
		"set interface lan0 manage-ip 192.0.2.2\n"
		"set interface lan0:0 ip 192.0.2.1/24\n"
		"set interface wan0:0 ip 198.51.100.1/24\n"
		"set nsrp cluster id 1\n"
		"set nsrp vsd-group id 0\n"
		"set nsrp vsd-group id 0 priority 50\n"
		"set nsrp arp 9\n";
	char err[256];

	load(a, mine);
	CU_ASSERT_EQUAL_FATAL(config_merge(a, peer, b, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(b->hostname, "fw2");
	CU_ASSERT_EQUAL(b->vsd[0].priority, 100);
	CU_ASSERT_EQUAL(b->arp_count, 9);
	CU_ASSERT_EQUAL(b->n_vsi, 2);
	CU_ASSERT_EQUAL_FATAL(b->n_manage, 1);
	CU_ASSERT_EQUAL(b->manage[0].a.addr[3], 3);
	/* What fails as a file fails as a merge, and says why. */
	CU_ASSERT_EQUAL(config_merge(a, "set interface lan0:5 ip 192.0.2.9/24\n",
				     b, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "VSD group 5 is not defined"));
	CU_ASSERT_EQUAL(config_merge(a, "set nsrp bogus 1\n", b, err,
				     sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown keyword 'bogus'"));
}

TEST_SUITE(cfgcanon, setup, teardown,
	   TEST(test_local_lines),
	   TEST(test_canonical),
	   TEST(test_merge));
