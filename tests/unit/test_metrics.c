// SPDX-License-Identifier: GPL-2.0-only
/*
 * The metrics page's HTTP server (metrics.h) on the loopback, driven with
 * the time passed in: requests parsed, pages served, and scrapers that
 * send nothing, send too much or hold every slot let go on time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <CUnit/CUnit.h>

#include "clock.h"
#include "metrics.h"
#include "openmetrics.h"
#include "../harness.h"

static void test_parse_request(void)
{
	enum metrics_format fmt;
	bool head;
	int st;

	CU_ASSERT_EQUAL(metrics_parse_request("GET /metrics HTTP/1.1\r\n"
					      "Host: x\r\n\r\n", &fmt, &head,
					      &st), 0);
	CU_ASSERT_EQUAL(st, 200);
	CU_ASSERT_EQUAL(fmt, METRICS_PROMETHEUS);
	CU_ASSERT_FALSE(head);
	/* Prometheus's own Accept: OpenMetrics first. */
	CU_ASSERT_EQUAL(metrics_parse_request(
		"GET / HTTP/1.1\r\naccept: application/openmetrics-text;"
		"version=1.0.0,text/plain;version=0.0.4;q=0.5\r\n\r\n", &fmt,
		&head, &st), 0);
	CU_ASSERT_EQUAL(fmt, METRICS_OPENMETRICS);
	CU_ASSERT_EQUAL(metrics_parse_request("HEAD /metrics HTTP/1.0\r\n\r\n",
					      &fmt, &head, &st), 0);
	CU_ASSERT_TRUE(head);

	CU_ASSERT_EQUAL(metrics_parse_request("POST /metrics HTTP/1.1\r\n\r\n",
					      &fmt, &head, &st), -EINVAL);
	CU_ASSERT_EQUAL(st, 405);
	CU_ASSERT_EQUAL(metrics_parse_request("GET /metricsx HTTP/1.1\r\n\r\n",
					      &fmt, &head, &st), -EINVAL);
	CU_ASSERT_EQUAL(st, 404);
	CU_ASSERT_EQUAL(metrics_parse_request("GET /metrics\r\n\r\n", &fmt,
					      &head, &st), -EINVAL);
	CU_ASSERT_EQUAL(st, 400);
	CU_ASSERT_EQUAL(metrics_parse_request("", &fmt, &head, &st), -EINVAL);
	CU_ASSERT_EQUAL(st, 400);
}

static void test_escape(void)
{
	char buf[64];

	CU_ASSERT_STRING_EQUAL(om_escape("a\"b\\c\nd", buf, sizeof(buf)),
			       "a\\\"b\\\\c\\nd");
	/* Cut short, never mid-escape, always ended. */
	CU_ASSERT_STRING_EQUAL(om_escape("\"\"\"\"", buf, 5), "\\\"");
}

/* ------------------------------------------------------------ a server */

struct fixture {
	struct metrics m;
	uint16_t port;
	enum metrics_format asked;
	unsigned int pages;
};

static int render(void *arg, enum metrics_format fmt, struct ctl_out *out)
{
	struct fixture *f = arg;

	f->asked = fmt;
	f->pages++;
	return ctl_printf(out, "nsrpd_test %u\n", f->pages);
}

/* A free port of the loopback: bound by the kernel, then let go. */
static uint16_t free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint16_t port = 0;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !getsockname(fd, (struct sockaddr *)&sa, &len))
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static int fixture_open(struct fixture *f)
{
	struct cfg_metrics at = { .a = { .family = AF_INET,
					 .addr = { 127, 0, 0, 1 } } };
	char msg[128];
	int err;

	memset(f, 0, sizeof(*f));
	err = metrics_init(&f->m, render, f);
	if (err)
		return err;
	at.port = f->port = free_port();
	return metrics_listen(&f->m, &at, msg, sizeof(msg));
}

/* Lets the server work, at time now. */
static void pump(struct fixture *f, uint64_t now)
{
	struct pollfd p = { .fd = metrics_fd(&f->m), .events = POLLIN };

	for (int i = 0; i < 20 && poll(&p, 1, 20) > 0; i++)
		metrics_event(&f->m, now);
	metrics_tick(&f->m, now);
}

static int dial(struct fixture *f)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(f->port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Whatever the server wrote before it closed, up to len - 1 bytes. */
static void answer(struct fixture *f, int fd, char *buf, size_t len,
		   uint64_t now)
{
	size_t got = 0;
	ssize_t n;

	pump(f, now);
	while (got < len - 1 &&
	       (n = recv(fd, buf + got, len - 1 - got, MSG_DONTWAIT)) != 0) {
		if (n < 0 && errno != EAGAIN)
			break;
		if (n < 0)
			pump(f, now);
		else
			got += n;
	}
	buf[got] = '\0';
}

static void test_serves_the_page(void)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nAccept: "
				  "application/openmetrics-text\r\n\r\n";
	struct fixture f;
	char buf[1024];
	int fd;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f), 0);
	fd = dial(&f);
	CU_ASSERT_FATAL(fd >= 0);
	pump(&f, NS_PER_S);
	/* In two pieces: the server waits for the blank line. */
	CU_ASSERT_EQUAL(send(fd, req, 20, 0), 20);
	pump(&f, NS_PER_S);
	CU_ASSERT_EQUAL(f.pages, 0);
	CU_ASSERT_EQUAL(send(fd, req + 20, sizeof(req) - 21, 0),
			(ssize_t)sizeof(req) - 21);
	answer(&f, fd, buf, sizeof(buf), NS_PER_S);
	CU_ASSERT_EQUAL(f.pages, 1);
	CU_ASSERT_EQUAL(f.asked, METRICS_OPENMETRICS);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "HTTP/1.1 200 OK\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Content-Type: application/"
					   "openmetrics-text; version=1.0.0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\r\n\r\nnsrpd_test 1\n"));
	CU_ASSERT_EQUAL(f.m.stats.scrapes, 1);
	close(fd);

	/* A request too long for its room: refused, the page unmade. */
	fd = dial(&f);
	CU_ASSERT_FATAL(fd >= 0);
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < 5; i++)
		send(fd, buf, sizeof(buf), MSG_NOSIGNAL);
	answer(&f, fd, buf, sizeof(buf), NS_PER_S);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "HTTP/1.1 431 "));
	CU_ASSERT_EQUAL(f.pages, 1);
	CU_ASSERT_EQUAL(f.m.stats.bad_requests, 1);
	close(fd);
	metrics_close(&f.m);
}

/*
 * A scraper that sends nothing is let go when its time is up; one that
 * holds every slot gives its oldest up to a newcomer, who is served.
 */
static void test_slow_scrapers_let_go(void)
{
	static const char req[] = "GET / HTTP/1.1\r\n\r\n";
	int fds[METRICS_MAX_CLIENTS], fd;
	uint64_t t = 100 * NS_PER_S;
	struct fixture f;
	char buf[512];

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f), 0);
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++) {
		fds[i] = dial(&f);
		pump(&f, t + i);
	}
	CU_ASSERT_EQUAL(f.m.stats.accepted, METRICS_MAX_CLIENTS);
	CU_ASSERT_EQUAL(metrics_next_deadline(&f.m),
			t + METRICS_REQ_S * NS_PER_S);
	fd = dial(&f);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(send(fd, req, sizeof(req) - 1, 0),
			(ssize_t)sizeof(req) - 1);
	answer(&f, fd, buf, sizeof(buf), t + NS_PER_S);
	CU_ASSERT_EQUAL(f.m.stats.evicted, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "200 OK"));
	close(fd);
	/* The oldest went: its end reads the close. */
	CU_ASSERT_EQUAL(recv(fds[0], buf, sizeof(buf), MSG_DONTWAIT), 0);

	/* Time's up for the others, whatever they do. */
	pump(&f, t + METRICS_REQ_S * NS_PER_S + METRICS_MAX_CLIENTS);
	CU_ASSERT_EQUAL(f.m.stats.timed_out, METRICS_MAX_CLIENTS - 1);
	CU_ASSERT_EQUAL(metrics_next_deadline(&f.m), UINT64_MAX);
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
		close(fds[i]);
	metrics_close(&f.m);
}

/* Moving the page: the new address first, a failure changes nothing. */
static void test_listen_moves(void)
{
	struct cfg_metrics off = { 0 }, bad = {
		.a = { .family = AF_INET, .addr = { 192, 0, 2, 99 } },
		.port = 9100 };
	struct fixture f;
	char msg[128];
	int fd;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f), 0);
	CU_ASSERT_NOT_EQUAL(metrics_listen(&f.m, &bad, msg, sizeof(msg)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "cannot listen on 192.0.2.99:9100"));
	fd = dial(&f);			/* still there */
	CU_ASSERT(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL(metrics_listen(&f.m, &off, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(dial(&f), -1);
	metrics_close(&f.m);
}

TEST_SUITE(metrics, NULL, NULL,
	   TEST(test_parse_request),
	   TEST(test_escape),
	   TEST(test_serves_the_page),
	   TEST(test_slow_scrapers_let_go),
	   TEST(test_listen_moves));
