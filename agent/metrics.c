// SPDX-License-Identifier: GPL-2.0-only
/*
 * metrics.c - the metrics page's HTTP server (see metrics.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "clock.h"
#include "log.h"
#include "metrics.h"

#define METRICS_LISTEN_TAG	UINT32_MAX
#define METRICS_BACKLOG		32

static const char *const metrics_type[] = {
	[METRICS_PROMETHEUS] = "text/plain; version=0.0.4; charset=utf-8",
	[METRICS_OPENMETRICS] =
		"application/openmetrics-text; version=1.0.0; charset=utf-8",
};

/* ---------------------------------------------------------- requests */

/* The value of header name (case aside) in req, NULL when absent. */
static const char *header(const char *req, const char *name, size_t *len)
{
	size_t n = strlen(name);

	for (const char *l = strstr(req, "\r\n"); l && l[2]; l = strstr(l, "\r\n")) {
		l += 2;
		if (strncasecmp(l, name, n) || l[n] != ':')
			continue;
		l += n + 1;
		l += strspn(l, " \t");
		*len = strcspn(l, "\r\n");
		return l;
	}
	return NULL;
}

int metrics_parse_request(const char *req, enum metrics_format *fmt,
			  bool *head, int *status)
{
	size_t mlen = strcspn(req, " "), plen, alen;
	const char *path = req + mlen, *accept;
	bool get = mlen == 3 && !strncmp(req, "GET", 3);

	*fmt = METRICS_PROMETHEUS;
	*head = mlen == 4 && !strncmp(req, "HEAD", 4);
	*status = 400;
	if (*path != ' ')
		return -EINVAL;
	path++;
	plen = strcspn(path, " \r\n");
	if (path[plen] != ' ' || strncmp(path + plen + 1, "HTTP/1.", 7))
		return -EINVAL;
	*status = 405;
	if (!get && !*head)
		return -EINVAL;
	*status = 404;
	if (!(plen == 8 && !strncmp(path, "/metrics", 8)) &&
	    !(plen == 1 && path[0] == '/'))
		return -EINVAL;
	accept = header(req, "Accept", &alen);
	/* Prometheus asks for OpenMetrics first; a bare client gets text. */
	if (accept && memmem(accept, alen, "application/openmetrics-text",
			     strlen("application/openmetrics-text")))
		*fmt = METRICS_OPENMETRICS;
	*status = 200;
	return 0;
}

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	default: return "Internal Server Error";
	}
}

/* ------------------------------------------------------------ clients */

static void client_drop(struct metrics *m, struct metrics_client *c)
{
	epoll_ctl(m->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out.buf);
	memset(&c->out, 0, sizeof(c->out));
	c->fd = -1;
	c->req_len = c->sent = 0;
	c->answering = false;
}

static int watch(struct metrics *m, int op, int fd, uint32_t events,
		 uint32_t tag)
{
	struct epoll_event ev = { .events = events, .data.u32 = tag };

	return epoll_ctl(m->epfd, op, fd, &ev) ? -errno : 0;
}

/* The whole answer: the status line, the headers, the page (unless HEAD). */
static void client_answer(struct metrics *m, struct metrics_client *c,
			  uint64_t now)
{
	enum metrics_format fmt = METRICS_PROMETHEUS;
	struct ctl_out page = { 0 };
	bool head = false;
	int status = 431;

	if (c->req_len <= METRICS_REQ_MAX &&
	    !metrics_parse_request(c->req, &fmt, &head, &status) &&
	    (m->render(m->arg, fmt, &page) || page.truncated ||
	     page.len > METRICS_PAGE_MAX))
		status = 500;
	if (status != 200)
		m->stats.bad_requests += status != 500;
	ctl_printf(&c->out, "HTTP/1.1 %d %s\r\nConnection: close\r\n", status,
		   status_text(status));
	if (status == 200) {
		ctl_printf(&c->out, "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
			   metrics_type[fmt], page.len);
		if (!head && page.len)
			ctl_write(&c->out, page.buf, page.len);
	} else {
		ctl_printf(&c->out, "Content-Length: 0\r\n\r\n");
	}
	free(page.buf);
	c->answering = true;
	c->sent = 0;
	c->deadline_ns = now + METRICS_SEND_S * NS_PER_S;
	if (watch(m, EPOLL_CTL_MOD, c->fd, EPOLLOUT, c - m->clients))
		client_drop(m, c);
}

/* Sends what the socket takes; the connection ends with the answer. */
static void client_send(struct metrics *m, struct metrics_client *c)
{
	while (c->sent < c->out.len) {
		ssize_t n = send(c->fd, c->out.buf + c->sent,
				 c->out.len - c->sent,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			m->stats.errors++;
			client_drop(m, c);
			return;
		}
		c->sent += n;
	}
	m->stats.scrapes++;
	client_drop(m, c);
}

/* Reads what came of the request; answers once its headers ended. */
static void client_read(struct metrics *m, struct metrics_client *c,
			uint64_t now)
{
	size_t room = METRICS_REQ_MAX - c->req_len;
	ssize_t n;

	n = recv(c->fd, c->req + c->req_len, room ? room : 1, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_drop(m, c);
		return;
	}
	if (!room) {		/* one byte more than a request may be */
		c->req_len = METRICS_REQ_MAX + 1;
		client_answer(m, c, now);
		return;
	}
	c->req_len += n;
	c->req[c->req_len] = '\0';
	if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
		client_answer(m, c, now);
}

static void client_event(struct metrics *m, uint32_t tag, uint32_t events,
			 uint64_t now)
{
	struct metrics_client *c;

	if (tag >= METRICS_MAX_CLIENTS)
		return;
	c = &m->clients[tag];
	if (c->fd < 0)
		return;
	if (c->answering && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		client_send(m, c);
	else if (!c->answering && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
		client_read(m, c, now);
}

/* A free slot, or the slot of the connection that has waited longest. */
static struct metrics_client *slot_for(struct metrics *m)
{
	struct metrics_client *oldest = NULL;

	for (unsigned int i = 0; i < METRICS_MAX_CLIENTS; i++) {
		struct metrics_client *c = &m->clients[i];

		if (c->fd < 0)
			return c;
		if (!oldest || c->since_ns < oldest->since_ns)
			oldest = c;
	}
	m->stats.evicted++;
	client_drop(m, oldest);
	return oldest;
}

static void accept_some(struct metrics *m, uint64_t now)
{
	for (int i = 0; i < METRICS_ACCEPTS; i++) {
		int fd = accept4(m->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct metrics_client *c;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		c = slot_for(m);
		if (watch(m, EPOLL_CTL_ADD, fd, EPOLLIN, c - m->clients)) {
			close(fd);
			continue;
		}
		m->stats.accepted++;
		c->fd = fd;
		c->since_ns = now;
		c->deadline_ns = now + METRICS_REQ_S * NS_PER_S;
	}
}

void metrics_event(struct metrics *m, uint64_t now)
{
	struct epoll_event ev[METRICS_EVENTS];
	int n = epoll_wait(m->epfd, ev, METRICS_EVENTS, 0);

	for (int i = 0; i < n; i++) {
		if (ev[i].data.u32 == METRICS_LISTEN_TAG)
			accept_some(m, now);
		else
			client_event(m, ev[i].data.u32, ev[i].events, now);
	}
}

void metrics_tick(struct metrics *m, uint64_t now)
{
	for (unsigned int i = 0; i < METRICS_MAX_CLIENTS; i++) {
		struct metrics_client *c = &m->clients[i];

		if (c->fd >= 0 && now >= c->deadline_ns) {
			m->stats.timed_out++;
			client_drop(m, c);
		}
	}
}

uint64_t metrics_next_deadline(const struct metrics *m)
{
	uint64_t next = UINT64_MAX;

	for (unsigned int i = 0; i < METRICS_MAX_CLIENTS; i++)
		if (m->clients[i].fd >= 0 && m->clients[i].deadline_ns < next)
			next = m->clients[i].deadline_ns;
	return next;
}

/* ---------------------------------------------------------- listening */

static int open_listener(const struct cfg_metrics *at, char *msg,
			 size_t msglen)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	char a[INET6_ADDRSTRLEN + 16];
	int fd, one = 1;

	if (at->a.family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(at->port);
		memcpy(&s6->sin6_addr, at->a.addr, 16);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(at->port);
		memcpy(&s4->sin_addr, at->a.addr, 4);
		len = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (ss.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    bind(fd, (struct sockaddr *)&ss, len) ||
	    listen(fd, METRICS_BACKLOG)) {
		int err = -errno;
		struct nsrp_config c = { .metrics = *at };

		snprintf(msg, msglen, "cannot listen on %s: %s",
			 config_metrics_str(&c, a, sizeof(a)), strerror(-err));
		if (fd >= 0)
			close(fd);
		return err;
	}
	return fd;
}

int metrics_init(struct metrics *m, metrics_render_fn render, void *arg)
{
	memset(m, 0, sizeof(*m));
	m->lfd = -1;
	m->render = render;
	m->arg = arg;
	for (unsigned int i = 0; i < METRICS_MAX_CLIENTS; i++)
		m->clients[i].fd = -1;
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	return m->epfd < 0 ? -errno : 0;
}

int metrics_listen(struct metrics *m, const struct cfg_metrics *at, char *msg,
		   size_t msglen)
{
	int fd = -1, err;

	if (!memcmp(&m->at, at, sizeof(*at)))
		return 0;
	if (at->port) {
		fd = open_listener(at, msg, msglen);
		if (fd < 0)
			return fd;
		err = watch(m, EPOLL_CTL_ADD, fd, EPOLLIN, METRICS_LISTEN_TAG);
		if (err) {
			snprintf(msg, msglen, "metrics: %s", strerror(-err));
			close(fd);
			return err;
		}
	}
	if (m->lfd >= 0) {
		epoll_ctl(m->epfd, EPOLL_CTL_DEL, m->lfd, NULL);
		close(m->lfd);
	}
	m->lfd = fd;
	m->at = *at;
	return 0;
}

int metrics_fd(const struct metrics *m)
{
	return m->epfd;
}

void metrics_close(struct metrics *m)
{
	for (unsigned int i = 0; i < METRICS_MAX_CLIENTS; i++)
		if (m->clients[i].fd >= 0)
			client_drop(m, &m->clients[i]);
	if (m->lfd >= 0)
		close(m->lfd);
	if (m->epfd >= 0)
		close(m->epfd);
	m->lfd = m->epfd = -1;
	memset(&m->at, 0, sizeof(m->at));
}
