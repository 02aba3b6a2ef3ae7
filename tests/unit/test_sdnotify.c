// SPDX-License-Identifier: GPL-2.0-only
/*
 * What nsrpd tells systemd (sdnotify.h), read from a NOTIFY_SOCKET of
 * the test's own: READY once with the status, STATUS only when it
 * changes, WATCHDOG=1 at half the watchdog's time, nothing at all
 * without the socket, and no watchdog meant for another process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <CUnit/CUnit.h>

#include "clock.h"
#include "sdnotify.h"
#include "../harness.h"

static char sock_path[64];
static int sock = -1;

static int listen_notify(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sock_path, sizeof(sock_path), "/tmp/nsrpd-sdnotify.%d",
		 (int)getpid());
	unlink(sock_path);
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (sock < 0 || bind(sock, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	setenv("NOTIFY_SOCKET", sock_path, 1);
	return 0;
}

static void stop_notify(void)
{
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (sock >= 0)
		close(sock);
	sock = -1;
	unlink(sock_path);
}

/* The next message, "" when none is waiting. */
static const char *next_msg(void)
{
	static char buf[512];
	ssize_t n = recv(sock, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_ready_status_watchdog(void)
{
	struct sdnotify n;
	uint64_t t = 5 * NS_PER_S;

	CU_ASSERT_EQUAL_FATAL(listen_notify(), 0);
	setenv("WATCHDOG_USEC", "200000", 1);
	sdnotify_init(&n, t);
	CU_ASSERT_TRUE(n.on);
	CU_ASSERT_EQUAL(n.watchdog_ns, 200 * NS_PER_MS);

	/* Not ready yet: only STATUS=. */
	sdnotify_status(&n, "vsd 0 initial");
	CU_ASSERT_STRING_EQUAL(next_msg(), "STATUS=vsd 0 initial");
	sdnotify_ready(&n, "vsd 0 master");
	CU_ASSERT_STRING_EQUAL(next_msg(), "READY=1\nSTATUS=vsd 0 master");
	/* READY once; the same status is not sent again. */
	sdnotify_ready(&n, "vsd 0 master");
	sdnotify_status(&n, "vsd 0 master");
	CU_ASSERT_STRING_EQUAL(next_msg(), "");
	sdnotify_status(&n, "vsd 0 backup");
	CU_ASSERT_STRING_EQUAL(next_msg(), "STATUS=vsd 0 backup");

	/* Pinged at once, then every 100 ms (half of 200), not sooner. */
	CU_ASSERT_EQUAL(sdnotify_next_deadline(&n), t);
	sdnotify_tick(&n, t);
	CU_ASSERT_STRING_EQUAL(next_msg(), "WATCHDOG=1");
	sdnotify_tick(&n, t + 99 * NS_PER_MS);
	CU_ASSERT_STRING_EQUAL(next_msg(), "");
	CU_ASSERT_EQUAL(sdnotify_next_deadline(&n), t + 100 * NS_PER_MS);
	sdnotify_tick(&n, t + 100 * NS_PER_MS);
	CU_ASSERT_STRING_EQUAL(next_msg(), "WATCHDOG=1");
	CU_ASSERT_EQUAL(n.pings, 2);

	sdnotify_stopping(&n);
	CU_ASSERT_STRING_EQUAL(next_msg(), "STOPPING=1");
	stop_notify();
}

/* Without systemd: nothing sent, no deadline; a watchdog for another PID. */
static void test_silent_without_systemd(void)
{
	struct sdnotify n;
	char pid[16];

	stop_notify();
	setenv("WATCHDOG_USEC", "200000", 1);
	sdnotify_init(&n, NS_PER_S);
	CU_ASSERT_FALSE(n.on);
	CU_ASSERT_EQUAL(sdnotify_next_deadline(&n), UINT64_MAX);
	sdnotify_ready(&n, "vsd 0 master");
	sdnotify_tick(&n, 2 * NS_PER_S);
	CU_ASSERT_EQUAL(n.pings, 0);

	CU_ASSERT_EQUAL_FATAL(listen_notify(), 0);
	setenv("WATCHDOG_USEC", "200000", 1);
	snprintf(pid, sizeof(pid), "%d", (int)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	sdnotify_init(&n, NS_PER_S);
	CU_ASSERT_TRUE(n.on);
	CU_ASSERT_EQUAL(n.watchdog_ns, 0);
	CU_ASSERT_EQUAL(sdnotify_next_deadline(&n), UINT64_MAX);
	stop_notify();
}

TEST_SUITE(sdnotify, NULL, NULL,
	   TEST(test_ready_status_watchdog),
	   TEST(test_silent_without_systemd));
