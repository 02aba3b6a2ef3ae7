// SPDX-License-Identifier: GPL-2.0-only
/* The pact between the agents, over the loopback: who is kept, who goes. */
#include <errno.h>
#include <poll.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include "clock.h"
#include "pact.h"
#include "../harness.h"

static uint16_t pact_port(const struct pact *p)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(p->lfd, (struct sockaddr *)&sin, &len))
		return 0;
	return ntohs(sin.sin_port);
}

static bool readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 2000) == 1;
}

/* a connects to b, b accepts: returns the fd b watches, or -1. */
static int connect_pair(struct pact *a, struct pact *b)
{
	struct in_addr lo = { htonl(INADDR_LOOPBACK) };
	int out, watch = -1;

	out = pact_tick(a, lo, "lo", pact_port(b), clock_now_ns());
	if (out < 0 || !readable(b->lfd))
		return -1;
	CU_ASSERT_FALSE(pact_event(b, b->lfd, &watch));
	/* a's loop passes on: it sees its connection up. */
	pact_tick(a, lo, "lo", pact_port(b), clock_now_ns());
	CU_ASSERT_TRUE(a->out_up);
	return watch;
}

static bool open_pair(struct pact *a, struct pact *b)
{
	if (pact_open(a, "lo", 0) || pact_open(b, "lo", 0)) {
		harness_skip("no TCP socket bound to lo");
		return false;
	}
	return true;
}

/*
 * The peer's pact may come before its first heartbeat: it is kept, and
 * the peer's agent hears no end that would look like a death.
 */
static void test_kept_before_the_peer_is_known(void)
{
	struct in_addr lo = { htonl(INADDR_LOOPBACK) };
	struct pact a, b;
	int in, watch;

	if (!open_pair(&a, &b))
		return;
	in = connect_pair(&a, &b);
	CU_ASSERT_FATAL(in >= 0);
	pact_tick(&b, lo, "lo", pact_port(&a), clock_now_ns());
	CU_ASSERT_EQUAL(b.in[0], in);
	/* a's side is quiet: no end to hear. */
	CU_ASSERT_FALSE(pact_event(&a, a.out, &watch));
	CU_ASSERT_EQUAL(a.broken, 0);

	/* b's agent dies: a hears it. */
	pact_close(&b);
	CU_ASSERT_FATAL(readable(a.out));
	CU_ASSERT_TRUE(pact_event(&a, a.out, &watch));
	CU_ASSERT_EQUAL(a.broken, 1);
	pact_close(&a);
}

/* Once the peer is known, a connection from anyone else goes. */
static void test_others_go_once_the_peer_is_known(void)
{
	struct in_addr other = { htonl(0xc0000201) };	/* 192.0.2.1 */
	struct pact a, b;
	int in, watch;

	if (!open_pair(&a, &b))
		return;
	in = connect_pair(&a, &b);
	CU_ASSERT_FATAL(in >= 0);
	pact_tick(&b, other, "lo", pact_port(&a), clock_now_ns());
	for (int i = 0; i < PACT_ACCEPTED; i++)
		CU_ASSERT_EQUAL(b.in[i], -1);
	CU_ASSERT_FATAL(readable(a.out));
	CU_ASSERT_TRUE(pact_event(&a, a.out, &watch));

	/* And a newcomer not from the peer is not taken. */
	pact_tick(&a, (struct in_addr){ htonl(INADDR_LOOPBACK) }, "lo",
		  pact_port(&b), clock_now_ns() + 2 * NS_PER_S);
	CU_ASSERT_FATAL(a.out >= 0);
	CU_ASSERT_FATAL(readable(b.lfd));
	CU_ASSERT_FALSE(pact_event(&b, b.lfd, &watch));
	CU_ASSERT_EQUAL(watch, -1);
	pact_close(&a);
	pact_close(&b);
}

TEST_SUITE(pact, NULL, NULL,
	   TEST(test_kept_before_the_peer_is_known),
	   TEST(test_others_go_once_the_peer_is_known));
