// SPDX-License-Identifier: GPL-2.0-only
/*
 * pact.c - the connections whose end tells an agent's death (see pact.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "clock.h"
#include "pact.h"

#define PACT_RETRY_NS	(1 * NS_PER_S)

static void pact_reset(struct pact *p)
{
	p->lfd = p->out = -1;
	p->out_up = false;
	for (int i = 0; i < PACT_ACCEPTED; i++)
		p->in[i] = -1;
}

static int pact_socket(const char *ifname)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
					   SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       strlen(ifname) + 1)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int pact_open(struct pact *p, const char *ifname, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	int fd;

	memset(p, 0, sizeof(*p));
	pact_reset(p);
	fd = pact_socket(ifname);
	if (fd < 0)
		return fd;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 4)) {
		int err = -errno;

		close(fd);
		return err;
	}
	p->lfd = fd;
	return 0;
}

void pact_close(struct pact *p)
{
	if (p->lfd >= 0)
		close(p->lfd);
	if (p->out >= 0)
		close(p->out);
	for (int i = 0; i < PACT_ACCEPTED; i++)
		if (p->in[i] >= 0)
			close(p->in[i]);
	pact_reset(p);
}

static void pact_drop_out(struct pact *p, uint64_t now)
{
	close(p->out);
	p->out = -1;
	p->out_up = false;
	p->next_try_ns = now + PACT_RETRY_NS;
}

/* Our connection, once the handshake is through. */
static bool pact_established(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	return !getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) &&
	       ti.tcpi_state == TCP_ESTABLISHED;
}

/* The peer is known: what others connected while it was not goes. */
static void pact_keep_from(struct pact *p, struct in_addr addr)
{
	for (int i = 0; i < PACT_ACCEPTED; i++)
		if (p->in[i] >= 0 && p->in_from[i].s_addr != addr.s_addr) {
			close(p->in[i]);
			p->in[i] = -1;
		}
}

int pact_tick(struct pact *p, struct in_addr addr, const char *ifname,
	      uint16_t port, uint64_t now)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(port), .sin_addr = addr };
	int fd;

	if (p->lfd < 0)
		return -1;
	if (p->out >= 0 && addr.s_addr != p->peer.s_addr)
		pact_drop_out(p, now);	/* another peer, or none: start over */
	p->peer = addr;
	if (addr.s_addr)
		pact_keep_from(p, addr);
	if (p->out >= 0 && !p->out_up)
		p->out_up = pact_established(p->out);
	if (p->out >= 0 || !addr.s_addr || now < p->next_try_ns)
		return -1;
	fd = pact_socket(ifname);
	if (fd < 0) {
		p->next_try_ns = now + PACT_RETRY_NS;
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) &&
	    errno != EINPROGRESS) {
		close(fd);
		p->next_try_ns = now + PACT_RETRY_NS;
		return -1;
	}
	p->out = fd;
	return fd;
}

uint64_t pact_next_deadline(const struct pact *p)
{
	if (p->lfd < 0 || p->out >= 0 || !p->peer.s_addr)
		return UINT64_MAX;
	return p->next_try_ns;
}

/* The peer's connection: kept, the oldest making room. */
static int pact_accept(struct pact *p)
{
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	int i, fd = accept4(p->lfd, (struct sockaddr *)&from, &len,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return -1;
	if (p->peer.s_addr && from.sin_addr.s_addr != p->peer.s_addr) {
		close(fd);	/* not the peer we know */
		return -1;
	}
	for (i = 0; i < PACT_ACCEPTED && p->in[i] >= 0; i++)
		;
	if (i == PACT_ACCEPTED) {
		close(p->in[0]);	/* the oldest makes room */
		memmove(p->in, p->in + 1, sizeof(p->in[0]) * --i);
		memmove(p->in_from, p->in_from + 1, sizeof(p->in_from[0]) * i);
	}
	p->in[i] = fd;
	p->in_from[i] = from.sin_addr;
	return fd;
}

bool pact_event(struct pact *p, int fd, int *watch)
{
	char buf[64];
	ssize_t n;

	*watch = -1;
	if (fd == p->lfd) {
		*watch = pact_accept(p);
		return false;
	}
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)))
		return false;	/* nothing is sent on a pact: ignore it */
	if (fd == p->out) {
		bool was_up = p->out_up || pact_established(fd);

		pact_drop_out(p, clock_now_ns());
		if (was_up)
			p->broken++;
		return was_up;
	}
	for (int i = 0; i < PACT_ACCEPTED; i++)
		if (p->in[i] == fd) {
			close(fd);
			p->in[i] = -1;
			p->broken++;
			return true;
		}
	return false;
}
