// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's routes read through rtnetlink, a piece at a time: a dump
 * read to its end, and what an abandoned dump leaves on its socket
 * dropped, so that the event loop is not woken for it again and again.
 * A dump reads; it needs no privileges.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "routenl.h"
#include "../harness.h"

static void count_route(void *arg, const struct route *r)
{
	(void)r;
	(*(int *)arg)++;
}

/* Whether the dump's socket has something to read within ms. */
static bool readable(const struct routenl *nl, int ms)
{
	struct pollfd p = { .fd = routenl_dump_fd(nl), .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

/* Reads a dump to its end, as the event loop would: its result. */
static int dump_to_end(struct routenl *nl, int *routes)
{
	int ret = 0;

	for (int i = 0; i < 1000 && ret == 0; i++) {
		if (!readable(nl, 5000))
			return -ETIMEDOUT;
		ret = routenl_dump_read(nl, count_route, routes);
	}
	return ret;
}

static bool open_or_skip(struct routenl *nl)
{
	if (routenl_open(nl) == 0)
		return true;
	harness_skip("no rtnetlink socket here");
	return false;
}

static void test_dump_reads_to_its_end(void)
{
	struct routenl nl;
	int routes = 0;

	if (!open_or_skip(&nl))
		return;
	CU_ASSERT_EQUAL_FATAL(routenl_dump_start(&nl), 0);
	CU_ASSERT_TRUE(nl.dumping);
	CU_ASSERT_EQUAL(dump_to_end(&nl, &routes), 1);
	CU_ASSERT_FALSE(nl.dumping);
	CU_ASSERT_EQUAL(nl.dumps, 1);
	/* Nothing of it is left to wake the loop. */
	CU_ASSERT_FALSE(readable(&nl, 0));
	routenl_close(&nl);
}

static void test_abandoned_dump_drained(void)
{
	struct routenl nl;
	int routes = 0, again = 0, refused = 0;

	if (!open_or_skip(&nl))
		return;
	CU_ASSERT_EQUAL_FATAL(routenl_dump_start(&nl), 0);
	CU_ASSERT_TRUE_FATAL(readable(&nl, 5000));
	/* Given up with its answer unread, as a failed read leaves it. */
	nl.dumping = false;
	for (int i = 0; i < 100 && readable(&nl, 0); i++)
		refused += routenl_dump_read(&nl, count_route, &routes) != 0;
	CU_ASSERT_EQUAL(refused, 0);
	CU_ASSERT_FALSE(readable(&nl, 0));
	CU_ASSERT_EQUAL(routes, 0);	/* none of it taken for a dump's */
	/* The next dump reads whole. */
	CU_ASSERT_EQUAL_FATAL(routenl_dump_start(&nl), 0);
	CU_ASSERT_EQUAL(dump_to_end(&nl, &again), 1);
	CU_ASSERT_FALSE(readable(&nl, 0));
	routenl_close(&nl);
}

static void test_read_without_dump_is_quiet(void)
{
	struct routenl nl;
	int routes = 0;

	if (!open_or_skip(&nl))
		return;
	CU_ASSERT_EQUAL(routenl_dump_read(&nl, count_route, &routes), 0);
	CU_ASSERT_EQUAL(routes, 0);
	routenl_close(&nl);
}

TEST_SUITE(routenl, NULL, NULL,
	   TEST(test_dump_reads_to_its_end),
	   TEST(test_abandoned_dump_drained),
	   TEST(test_read_without_dump_is_quiet));
