// SPDX-License-Identifier: GPL-2.0-only
/*
 * ctl.c - control socket: codec, non-blocking server, blocking client.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"

#define CTL_LISTEN_TAG	UINT32_MAX	/* epoll data of the listening fd */
#define CTL_TIMER_TAG	(UINT32_MAX - 1)	/* ... and of the timerfd */
#define CTL_EVENTS	16		/* handled per ctl_server_event() */
#define CTL_ACCEPTS	32		/* accepted per ctl_server_event() */
#define CTL_DRAIN	64		/* unread requests read off a refused
					 * peer; more are dropped with it */
#define CTL_NS_PER_S	1000000000ull

/* ------------------------------------------------------------ the codec */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int ctl_encode_request(uint8_t *buf, size_t cap, unsigned int flags,
		       const char *cmd)
{
	size_t len = strlen(cmd);

	if (len > CTL_MAX_CMD || CTL_REQ_HDR_LEN + len > cap)
		return -EMSGSIZE;
	buf[0] = CTL_VERSION;
	buf[1] = flags;
	put16(buf + 2, len);
	memcpy(buf + CTL_REQ_HDR_LEN, cmd, len);
	return (int)(CTL_REQ_HDR_LEN + len);
}

int ctl_decode_request(const uint8_t *buf, size_t len, unsigned int *flags,
		       char *cmd, size_t cmd_cap)
{
	size_t n;

	if (len < CTL_REQ_HDR_LEN)
		return -EBADMSG;
	if (buf[0] != CTL_VERSION)
		return -EPROTO;
	n = get16(buf + 2);
	if (n > CTL_MAX_CMD || n >= cmd_cap)
		return -EMSGSIZE;
	if (n != len - CTL_REQ_HDR_LEN || !n ||
	    memchr(buf + CTL_REQ_HDR_LEN, '\0', n))
		return -EBADMSG;
	*flags = buf[1];
	memcpy(cmd, buf + CTL_REQ_HDR_LEN, n);
	cmd[n] = '\0';
	return 0;
}

int ctl_encode_response(uint8_t *buf, size_t cap, unsigned int flags,
			int status, const char *text, size_t len)
{
	if (len > CTL_CHUNK || CTL_RESP_HDR_LEN + len > cap)
		return -EMSGSIZE;
	buf[0] = CTL_VERSION;
	buf[1] = flags;
	put16(buf + 2, len);
	put16(buf + 4, (uint32_t)status >> 16);
	put16(buf + 6, status);
	if (len)
		memcpy(buf + CTL_RESP_HDR_LEN, text, len);
	return (int)(CTL_RESP_HDR_LEN + len);
}

int ctl_decode_response(const uint8_t *buf, size_t len, struct ctl_resp *r)
{
	if (len < CTL_RESP_HDR_LEN)
		return -EBADMSG;
	if (buf[0] != CTL_VERSION)
		return -EPROTO;
	r->flags = buf[1];
	r->len = get16(buf + 2);
	r->status = (int)((uint32_t)get16(buf + 4) << 16 | get16(buf + 6));
	r->text = (const char *)buf + CTL_RESP_HDR_LEN;
	if (r->len != len - CTL_RESP_HDR_LEN || r->status < 0)
		return -EBADMSG;
	return 0;
}

/* ------------------------------------------------------- output buffers */

static int out_reserve(struct ctl_out *out, size_t more)
{
	size_t cap = out->cap ? out->cap : 4096;
	char *p;

	if (out->len + more + 1 <= out->cap)
		return 0;
	if (out->len + more + 1 > CTL_OUT_MAX) {
		out->truncated = true;
		return -ENOSPC;
	}
	while (cap < out->len + more + 1)
		cap *= 2;
	if (cap > CTL_OUT_MAX)
		cap = CTL_OUT_MAX;
	p = realloc(out->buf, cap);
	if (!p) {
		out->truncated = true;
		return -ENOMEM;
	}
	out->buf = p;
	out->cap = cap;
	return 0;
}

int ctl_write(struct ctl_out *out, const char *text, size_t len)
{
	int err;

	if (out->truncated)
		return -ENOSPC;
	err = out_reserve(out, len);
	if (err)
		return err;
	memcpy(out->buf + out->len, text, len);
	out->len += len;
	out->buf[out->len] = '\0';
	return 0;
}

int ctl_printf(struct ctl_out *out, const char *fmt, ...)
{
	va_list ap;
	int n, err;

	if (out->truncated)
		return -ENOSPC;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	err = out_reserve(out, n);
	if (err)
		return err;
	va_start(ap, fmt);
	vsnprintf(out->buf + out->len, n + 1, fmt, ap);
	va_end(ap);
	out->len += n;
	return 0;
}

static void out_free(struct ctl_out *out)
{
	free(out->buf);
	memset(out, 0, sizeof(*out));
}

/* ----------------------------------------------------------- the server */

static int watch(struct ctl_server *s, int op, int fd, uint32_t events,
		 uint32_t tag)
{
	struct epoll_event ev = { .events = events, .data.u32 = tag };

	if (epoll_ctl(s->epfd, op, fd, &ev))
		return -errno;
	return 0;
}

static void client_drop(struct ctl_server *s, struct ctl_client *c)
{
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	out_free(&c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static uint64_t ctl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * CTL_NS_PER_S + ts.tv_nsec;
}

/* The server's group gid is, if any. */
static const struct ctl_group *group_of(const struct ctl_server *s, gid_t gid)
{
	for (unsigned int i = 0; i < s->n_groups; i++)
		if (s->groups[i].gid == gid)
			return &s->groups[i];
	return NULL;
}

/* What a member of the peer's groups may do: the best of them. */
static void peer_groups(const struct ctl_server *s, int fd, gid_t primary,
			bool *allowed, bool *admin)
{
	gid_t groups[256];	/* more groups than this: not a member */
	socklen_t len = sizeof(groups);
	const struct ctl_group *g = group_of(s, primary);
	unsigned int n = 0;

	if (!getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		n = len / sizeof(gid_t);
	for (unsigned int i = 0; i < n; i++) {
		const struct ctl_group *m = group_of(s, groups[i]);

		if (m && (!g || m->admin))
			g = m;
	}
	*allowed = g != NULL;
	*admin = g && g->admin;
}

/*
 * Root and the daemon's user (privileged: the operator) may do
 * everything; so may members of an admin group; members of a read-only
 * group only what the guard lets through; nobody else anything.
 */
static bool peer_allowed(const struct ctl_server *s, int fd, bool *privileged,
			 bool *admin)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	bool allowed;

	*privileged = *admin = false;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	*privileged = *admin = cred.uid == 0 || cred.uid == s->uid;
	if (*privileged)
		return true;
	peer_groups(s, fd, cred.gid, &allowed, admin);
	return allowed;
}

/*
 * A one-message answer to a peer about to be let go. What it sent is read
 * off too (a bounded number of requests): closing on unread data resets
 * the connection, and the client would never see why.
 */
static void say_why(int fd, int status, const char *why)
{
	uint8_t msg[CTL_MSG_MAX];
	int n = ctl_encode_response(msg, sizeof(msg), CTL_RF_END, status, why,
				    strlen(why));

	if (n > 0 && send(fd, msg, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		pr_debug("ctl: refusal not delivered: %s", strerror(errno));
	for (int i = 0; i < CTL_DRAIN; i++)
		if (recv(fd, msg, sizeof(msg), MSG_DONTWAIT) <= 0)
			break;
}

static void refuse(int fd, int status, const char *why)
{
	say_why(fd, status, why);
	close(fd);
}

/*
 * Closes a client's connection, telling it why unless it is in the middle
 * of an answer it does not read: nothing more gets through to it then.
 */
static void client_let_go(struct ctl_server *s, struct ctl_client *c,
			  int status, const char *why)
{
	if (!c->busy)
		say_why(c->fd, status, why);
	client_drop(s, c);
}

static void timer_arm(struct ctl_server *s, bool on)
{
	struct itimerspec its = { 0 };

	if (on) {
		its.it_value.tv_sec = 1;
		its.it_interval.tv_sec = 1;
	}
	if (!timerfd_settime(s->tfd, 0, &its, NULL))
		s->ticking = on;
}

static struct ctl_client *free_slot(struct ctl_server *s)
{
	unsigned int i;

	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (s->clients[i].fd < 0)
			return &s->clients[i];
	return NULL;
}

static unsigned int unprivileged_clients(const struct ctl_server *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		n += s->clients[i].fd >= 0 && !s->clients[i].privileged;
	return n;
}

/* Put out a before b: refused peers first, then others before root. */
static bool goes_first(const struct ctl_client *a, const struct ctl_client *b)
{
	if (a->denied != b->denied)
		return a->denied;
	if (a->privileged != b->privileged)
		return !a->privileged;
	return a->since_ns < b->since_ns;
}

/*
 * The client a newcomer may put out: the one that has waited longest for
 * itself, with no request or with an answer it does not read (every
 * client is one or the other between two passes of the loop); one of
 * root's only for root. NULL: nobody.
 */
static struct ctl_client *victim(struct ctl_server *s, bool privileged)
{
	struct ctl_client *v = NULL;

	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *c = &s->clients[i];

		if (c->fd < 0 || (c->privileged && !privileged))
			continue;
		if (!v || goes_first(c, v))
			v = c;
	}
	return v;
}

/*
 * A slot for a newcomer: a free one within its share, else the slot of
 * the client it may put out (told why, counted), else NULL.
 */
static struct ctl_client *slot_for(struct ctl_server *s, bool privileged)
{
	struct ctl_client *c = NULL;

	if (privileged ||
	    unprivileged_clients(s) < CTL_MAX_CLIENTS - CTL_RESERVED)
		c = free_slot(s);
	if (c)
		return c;
	c = victim(s, privileged);
	if (!c)
		return NULL;
	s->stats.evicted++;
	client_let_go(s, c, EBUSY, "closed: the control socket is full, and "
			 "this connection waited longest\n");
	return c;
}

/*
 * A peer that fails the credential check still gets a slot: each of its
 * requests is answered EACCES. Closing at once would race its request,
 * and a peer whose unread request is discarded sees a reset, not a reason.
 */
static void accept_one(struct ctl_server *s, int fd, uint64_t now)
{
	bool privileged, admin, allowed = peer_allowed(s, fd, &privileged,
						       &admin);
	struct ctl_client *c = slot_for(s, privileged);

	if (!c) {
		s->stats.too_many++;
		refuse(fd, EBUSY, "too many control connections\n");
		return;
	}
	if (watch(s, EPOLL_CTL_ADD, fd, EPOLLIN, c - s->clients)) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->denied = !allowed;
	c->privileged = privileged;
	c->admin = admin;
	c->since_ns = now;
	if (c->denied)
		s->stats.denied++;
	else
		s->stats.accepted++;
	if (!s->ticking)
		timer_arm(s, true);
}

/* A bounded number: the listening socket stays readable for the rest. */
static void accept_some(struct ctl_server *s, uint64_t now)
{
	int fd;

	for (int i = 0; i < CTL_ACCEPTS; i++) {
		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				pr_warn("ctl: accept: %s", strerror(errno));
			if (errno != EINTR)
				return;
			continue;
		}
		accept_one(s, fd, now);
	}
}

/* Once a second: closes who waited too long, idle or not reading. */
static void tick(struct ctl_server *s, uint64_t now)
{
	unsigned int left = 0;
	uint64_t expired;
	char why[80];

	if (read(s->tfd, &expired, sizeof(expired)) < 0 && errno != EAGAIN)
		pr_debug("ctl: timerfd: %s", strerror(errno));
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *c = &s->clients[i];
		uint64_t limit = c->busy ? s->stall_ns : s->idle_ns;

		if (c->fd < 0)
			continue;
		if (now - c->since_ns < limit) {
			left++;
			continue;
		}
		s->stats.timed_out++;
		snprintf(why, sizeof(why), "closed: no request in %llu ms\n",
			 (unsigned long long)(limit / 1000000));
		client_let_go(s, c, ETIMEDOUT, why);
	}
	if (!left)
		timer_arm(s, false);
}

/*
 * Sends what the socket takes of the pending response. Returns 0 when
 * it all went, -EAGAIN when the client must drain first, another -errno
 * when the client is gone.
 */
static int client_flush(struct ctl_client *c)
{
	uint8_t msg[CTL_MSG_MAX];
	size_t left, chunk;
	unsigned int flags;
	int n;

	do {
		left = c->out.len - c->sent;
		chunk = left > CTL_CHUNK ? CTL_CHUNK : left;
		flags = chunk == left ? CTL_RF_END : 0;
		n = ctl_encode_response(msg, sizeof(msg), flags, c->status,
					c->out.buf ? c->out.buf + c->sent : "",
					chunk);
		if (send(c->fd, msg, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			if (errno == EINTR) {
				flags = 0;
				continue;
			}
			return errno == EAGAIN ? -EAGAIN : -errno;
		}
		c->sent += chunk;
	} while (!(flags & CTL_RF_END));
	return 0;
}

/*
 * Sends the pending response, waiting for EPOLLOUT when the socket fills.
 * A client that reads some is not stalled from then on, but from now.
 */
static void client_send(struct ctl_server *s, struct ctl_client *c,
			uint64_t now)
{
	uint32_t tag = c - s->clients;
	size_t before = c->sent;
	int err = client_flush(c);

	if (c->sent != before)
		c->since_ns = now;
	if (err == -EAGAIN) {
		s->stats.stalled++;
		if (watch(s, EPOLL_CTL_MOD, c->fd, EPOLLOUT, tag))
			client_drop(s, c);
		return;
	}
	if (err) {
		s->stats.dropped++;
		client_drop(s, c);
		return;
	}
	out_free(&c->out);
	c->busy = false;
	c->sent = 0;
	c->since_ns = now;
	if (watch(s, EPOLL_CTL_MOD, c->fd, EPOLLIN, tag))
		client_drop(s, c);
}

/* The child's end: the whole answer, waiting for the reader as needed. */
static int child_send_all(struct ctl_client *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLOUT };
	int err;

	while ((err = client_flush(c)) == -EAGAIN)
		if (poll(&p, 1, CTL_CHILD_SEND_S * 1000) <= 0)
			return -ETIMEDOUT;
	return err;
}

/*
 * The child keeps its own client only: the others' connections would
 * otherwise stay open until it exits, and a client the daemon dropped
 * would not see its end. Only closed, not taken out of the epoll set,
 * which the daemon shares.
 */
static void child_close_others(struct ctl_server *s, struct ctl_client *c)
{
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (s->clients[i].fd >= 0 && &s->clients[i] != c)
			close(s->clients[i].fd);
	close(s->lfd);
	close(s->tfd);
}

static pid_t *free_child_slot(struct ctl_server *s)
{
	for (unsigned int i = 0; i < CTL_MAX_CHILDREN; i++)
		if (!s->children[i])
			return &s->children[i];
	return NULL;
}

/* Fills the client's output with the handler's answer to cmd. */
static void run_handler(struct ctl_server *s, struct ctl_client *c,
			const char *cmd, unsigned int flags)
{
	int err = s->fn(s->arg, cmd, !!(flags & CTL_F_JSON), &c->out);

	c->status = err < 0 ? -err : 0;
	if (c->out.truncated) {
		s->stats.truncated++;
		pr_warn("ctl: response to '%s' cut at %u bytes", cmd,
			CTL_OUT_MAX);
	}
}

/*
 * Answers cmd from a child process. Returns 0 when the child took the
 * client over (the caller forgets it), -errno when the loop must answer.
 * The child never returns: it must not run the daemon's exit path.
 */
static int answer_in_child(struct ctl_server *s, struct ctl_client *c,
			   const char *cmd, unsigned int flags)
{
	pid_t *slot = free_child_slot(s);
	pid_t pid;

	if (!slot)
		return -EBUSY;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid) {
		*slot = pid;
		s->stats.offloaded++;
		return 0;
	}
	/* It answers for the daemon: it does not outlive it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1);
	child_close_others(s, c);
	run_handler(s, c, cmd, flags);
	_exit(child_send_all(c) ? 1 : 0);
}

static void respond_error(struct ctl_server *s, struct ctl_client *c,
			  int err, const char *why)
{
	if (err == -EMSGSIZE)
		s->stats.oversized++;
	else
		s->stats.malformed++;
	c->status = -err;
	ctl_printf(&c->out, "%s\n", why);
}

/* Returns true when a child process took the client over. */
static bool run_command(struct ctl_server *s, struct ctl_client *c,
			const char *cmd, unsigned int flags)
{
	int err;

	s->stats.requests++;
	if (!c->admin && (!s->needs_admin || s->needs_admin(cmd))) {
		s->stats.forbidden++;
		c->status = EPERM;
		ctl_printf(&c->out, "permission denied: this command is for "
				    "root and the admin groups (set admin "
				    "group NAME privilege all)\n");
		return false;
	}
	if (s->slow && s->slow(cmd)) {
		err = answer_in_child(s, c, cmd, flags);
		if (!err)
			return true;
		/* Answered here, it would hold every heartbeat back. */
		s->stats.offload_busy++;
		c->status = -err;
		ctl_printf(&c->out, "busy: %s, try again\n",
			   err == -EBUSY ? "too many such commands running"
					 : strerror(-err));
		return false;
	}
	run_handler(s, c, cmd, flags);
	return false;
}

/*
 * Fills the client's output with the answer to one request of n bytes.
 * Returns true when a child process took the client over instead.
 */
static bool answer(struct ctl_server *s, struct ctl_client *c,
		   const uint8_t *req, size_t n, size_t cap)
{
	char cmd[CTL_MAX_CMD + 1];
	unsigned int flags;
	int err;

	if (c->denied) {
		c->status = EACCES;
		ctl_printf(&c->out, "permission denied: only %s may use this "
				    "socket\n", s->who);
		return false;
	}
	err = n > cap ? -EMSGSIZE :
			ctl_decode_request(req, n, &flags, cmd, sizeof(cmd));
	if (err == -EMSGSIZE)
		respond_error(s, c, err, "request too long");
	else if (err == -EPROTO)
		respond_error(s, c, err, "unsupported control protocol version");
	else if (err)
		respond_error(s, c, err, "malformed request");
	else
		return run_command(s, c, cmd, flags);
	return false;
}

static void client_read(struct ctl_server *s, struct ctl_client *c,
			uint64_t now)
{
	uint8_t req[CTL_REQ_HDR_LEN + CTL_MAX_CMD + 1];
	ssize_t n;

	/* MSG_TRUNC: the real length of a message too long for req. */
	n = recv(c->fd, req, sizeof(req), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_drop(s, c);
		return;
	}
	c->busy = true;
	c->sent = 0;
	c->since_ns = now;
	if (answer(s, c, req, n, sizeof(req)))
		client_drop(s, c);	/* the child's now, not ours */
	else
		client_send(s, c, now);
}

static void client_event(struct ctl_server *s, uint32_t tag, uint32_t events,
			 uint64_t now)
{
	struct ctl_client *c;

	if (tag >= CTL_MAX_CLIENTS)
		return;
	c = &s->clients[tag];
	if (c->fd < 0)
		return;
	if (c->busy && (events & EPOLLOUT))
		client_send(s, c, now);
	else if (!c->busy && (events & EPOLLIN))
		client_read(s, c, now);
	else if (events & (EPOLLHUP | EPOLLERR))
		client_drop(s, c);
}

void ctl_server_event(struct ctl_server *s)
{
	struct epoll_event ev[CTL_EVENTS];
	uint64_t now = ctl_now_ns();
	int n, i;

	n = epoll_wait(s->epfd, ev, CTL_EVENTS, 0);
	for (i = 0; i < n; i++) {
		if (ev[i].data.u32 == CTL_LISTEN_TAG)
			accept_some(s, now);
		else if (ev[i].data.u32 == CTL_TIMER_TAG)
			tick(s, now);
		else
			client_event(s, ev[i].data.u32, ev[i].events, now);
	}
}

void ctl_server_offload(struct ctl_server *s, ctl_slow_fn slow)
{
	s->slow = slow;
}

void ctl_server_guard(struct ctl_server *s, ctl_admin_fn needs_admin)
{
	s->needs_admin = needs_admin;
}

/* include/uapi/linux/posix_acl.h and posix_acl_xattr.h: a stable ABI. */
#define CTL_ACL_VERSION		2
#define CTL_ACL_USER_OBJ	0x01
#define CTL_ACL_GROUP_OBJ	0x04
#define CTL_ACL_GROUP		0x08
#define CTL_ACL_MASK		0x10
#define CTL_ACL_OTHER		0x20
#define CTL_ACL_RW		0x06
#define CTL_ACL_NO_ID		0xffffffffu

static void acl_put(uint8_t *p, uint16_t tag, uint16_t perm, uint32_t id)
{
	/* Little-endian on every architecture. */
	p[0] = tag;
	p[1] = tag >> 8;
	p[2] = perm;
	p[3] = perm >> 8;
	for (int i = 0; i < 4; i++)
		p[4 + i] = id >> (8 * i);
}

/*
 * Entries in the order the kernel wants them: the owner, the file's own
 * group, the named groups by gid, the mask, the others.
 */
int ctl_acl_encode(const struct ctl_group *g, unsigned int n, uint8_t *buf,
		   size_t cap)
{
	size_t len = 4 + (4 + n) * 8, at = 4;
	gid_t gids[CTL_MAX_GROUPS];

	if (n > CTL_MAX_GROUPS || len > cap)
		return -ENOSPC;
	for (unsigned int i = 0; i < n; i++) {
		unsigned int j = i;

		for (; j > 0 && gids[j - 1] > g[i].gid; j--)
			gids[j] = gids[j - 1];
		gids[j] = g[i].gid;
	}
	memset(buf, 0, len);
	buf[0] = CTL_ACL_VERSION;
	acl_put(buf + at, CTL_ACL_USER_OBJ, CTL_ACL_RW, CTL_ACL_NO_ID);
	acl_put(buf + (at += 8), CTL_ACL_GROUP_OBJ, 0, CTL_ACL_NO_ID);
	for (unsigned int i = 0; i < n; i++)
		acl_put(buf + (at += 8), CTL_ACL_GROUP, CTL_ACL_RW, gids[i]);
	acl_put(buf + (at += 8), CTL_ACL_MASK, CTL_ACL_RW, CTL_ACL_NO_ID);
	acl_put(buf + (at += 8), CTL_ACL_OTHER, 0, CTL_ACL_NO_ID);
	return (int)len;
}

int ctl_acl_groups(const uint8_t *buf, size_t len, gid_t *gids,
		   unsigned int cap)
{
	unsigned int n = 0;

	if (len < 4 || buf[0] != CTL_ACL_VERSION || (len - 4) % 8)
		return -EINVAL;
	for (size_t at = 4; at < len; at += 8) {
		const uint8_t *p = buf + at;
		uint16_t tag = p[0] | p[1] << 8, perm = p[2] | p[3] << 8;
		uint32_t id = p[4] | p[5] << 8 | p[6] << 16 |
			      (uint32_t)p[7] << 24;

		if (tag != CTL_ACL_GROUP || (perm & CTL_ACL_RW) != CTL_ACL_RW)
			continue;
		if (n < cap)
			gids[n] = id;
		n++;
	}
	return n > cap ? -ENOSPC : (int)n;
}

/*
 * Who may use the socket, in the words of a refusal. Named as the fence
 * is put up, not as a peer is refused: a name service may be slow, and
 * the loop must not wait on it.
 */
static void name_who_may(struct ctl_server *s)
{
	gid_t gids[CTL_MAX_GROUPS];

	for (unsigned int i = 0; i < s->n_groups; i++)
		gids[i] = s->groups[i].gid;
	ctl_who_may(s->uid, gids, s->n_groups, s->who, sizeof(s->who));
}

/* The fence of the socket file: its owner, and each group, rw. */
static int socket_fence(struct ctl_server *s)
{
	uint8_t acl[4 + (4 + CTL_MAX_GROUPS) * 8];
	int n;

	if (!s->path[0])
		return 0;
	name_who_may(s);
	if (!s->n_groups) {
		removexattr(s->path, "system.posix_acl_access");
		return chmod(s->path, 0600) ? -errno : 0;
	}
	n = ctl_acl_encode(s->groups, s->n_groups, acl, sizeof(acl));
	if (n < 0)
		return n;
	if (!setxattr(s->path, "system.posix_acl_access", acl, n, 0)) {
		s->acl_missing = false;
		return 0;
	}
	if (errno != EOPNOTSUPP)
		return -errno;
	/* Every peer is checked all the same; only the fence is lower. */
	if (!s->acl_missing)
		pr_warn("ctl: no ACLs on the file system of %s: the socket is "
			"opened to every local user, each checked as it "
			"connects", s->path);
	s->acl_missing = true;
	return chmod(s->path, 0666) ? -errno : 0;
}

int ctl_server_groups(struct ctl_server *s, const struct ctl_group *g,
		      unsigned int n)
{
	if (n > CTL_MAX_GROUPS)
		return -E2BIG;
	memcpy(s->groups, g, n * sizeof(*g));
	s->n_groups = n;
	return socket_fence(s);
}

bool ctl_server_reap(struct ctl_server *s, pid_t pid, int status)
{
	for (unsigned int i = 0; i < CTL_MAX_CHILDREN; i++) {
		if (s->children[i] != pid)
			continue;
		s->children[i] = 0;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			s->stats.offload_failed++;
		return true;
	}
	return false;
}

int ctl_server_fd(const struct ctl_server *s)
{
	return s->epfd;
}

/* Creates the socket's directory when it is missing. */
static int make_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* A socket file nobody listens on is left over from a crash: remove it. */
static int clear_stale(const struct sockaddr_un *sa)
{
	int fd, err = 0;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (const struct sockaddr *)sa, sizeof(*sa)))
		err = -EADDRINUSE;
	else if (errno == ECONNREFUSED && unlink(sa->sun_path))
		err = -errno;
	close(fd);
	return err;
}

static int listen_on(struct ctl_server *s, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	err = make_parent(path);
	if (err)
		return err;
	err = clear_stale(&sa);
	if (err)
		return err;
	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	if (s->lfd < 0)
		return -errno;
	if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	snprintf(s->path, sizeof(s->path), "%s", path);
	/* Peers are also checked one by one: the mode is a first fence. */
	err = socket_fence(s);
	if (err)
		return err;
	if (listen(s->lfd, CTL_BACKLOG))
		return -errno;
	return 0;
}

void ctl_server_init(struct ctl_server *s)
{
	memset(s, 0, sizeof(*s));
	s->lfd = s->epfd = s->tfd = -1;
	s->idle_ns = CTL_IDLE_S * CTL_NS_PER_S;
	s->stall_ns = CTL_STALL_S * CTL_NS_PER_S;
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		s->clients[i].fd = -1;
}

int ctl_server_open(struct ctl_server *s, const char *path,
		    ctl_handler_fn fn, void *arg)
{
	int err;

	ctl_server_init(s);
	s->fn = fn;
	s->arg = arg;
	s->uid = geteuid();
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->epfd < 0 || s->tfd < 0) {
		err = -errno;
		ctl_server_close(s);
		return err;
	}
	err = listen_on(s, path);
	if (!err)
		err = watch(s, EPOLL_CTL_ADD, s->lfd, EPOLLIN, CTL_LISTEN_TAG);
	if (!err)
		err = watch(s, EPOLL_CTL_ADD, s->tfd, EPOLLIN, CTL_TIMER_TAG);
	if (err)
		ctl_server_close(s);
	return err;
}

void ctl_server_close(struct ctl_server *s)
{
	unsigned int i;

	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (s->clients[i].fd >= 0)
			client_drop(s, &s->clients[i]);
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->path[0])
		unlink(s->path);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->tfd >= 0)
		close(s->tfd);
	s->lfd = s->epfd = s->tfd = -1;
	s->ticking = false;
	s->path[0] = '\0';
}

/* "group NAME", or "gid N" for a group without a name. */
static void group_name(gid_t gid, char *buf, size_t len)
{
	char grbuf[1024];
	struct group gr, *grp = NULL;

	if (getgrgid_r(gid, &gr, grbuf, sizeof(grbuf), &grp) || !grp)
		snprintf(buf, len, "gid %u", (unsigned int)gid);
	else
		snprintf(buf, len, "group %s", gr.gr_name);
}

/* Appends to buf what printf would write, cut at its end. */
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t at = strnlen(buf, len);
	va_list ap;

	if (at + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
}

void ctl_who_may(uid_t uid, const gid_t *gids, unsigned int n, char *buf,
		 size_t len)
{
	char pwbuf[1024], name[64];
	struct passwd pw, *pwp = NULL;

	if (!len)
		return;
	buf[0] = '\0';
	if (uid != 0) {
		if (getpwuid_r(uid, &pw, pwbuf, sizeof(pwbuf), &pwp) || !pwp)
			snprintf(name, sizeof(name), "uid %u",
				 (unsigned int)uid);
		else
			snprintf(name, sizeof(name), "user %s", pw.pw_name);
		append(buf, len, "root%s%s", n ? ", " : " and ", name);
	} else {
		append(buf, len, "root");
	}
	for (unsigned int i = 0; i < n; i++) {
		group_name(gids[i], name, sizeof(name));
		append(buf, len, "%s%s", !i ? " and members of " :
				 i + 1 < n ? ", " : " or ", name);
	}
}

/* ----------------------------------------------------------- the client */

int ctl_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/*
 * The server let this connection go before the request went out: the
 * reason it sent may be waiting. 0 with it passed on, or -errno.
 */
static int read_farewell(int fd, ctl_text_fn fn, void *arg, int *status)
{
	uint8_t msg[CTL_MSG_MAX + 1];
	struct ctl_resp r;
	ssize_t n = recv(fd, msg, sizeof(msg), MSG_DONTWAIT);

	if (n <= 0 || n > CTL_MSG_MAX || ctl_decode_response(msg, n, &r) ||
	    !(r.flags & CTL_RF_END) || !r.status)
		return -ENOMSG;
	if (fn && r.len)
		fn(arg, r.status, r.text, r.len);
	*status = r.status;
	return 0;
}

int ctl_call(int fd, const char *cmd, unsigned int flags, ctl_text_fn fn,
	     void *arg, int *status)
{
	uint8_t msg[CTL_MSG_MAX + 1];
	struct ctl_resp r;
	ssize_t n;
	int err;

	n = ctl_encode_request(msg, sizeof(msg), flags, cmd);
	if (n < 0)
		return n;
	if (send(fd, msg, n, MSG_NOSIGNAL) < 0) {
		err = -errno;
		return read_farewell(fd, fn, arg, status) ? err : 0;
	}
	do {
		n = recv(fd, msg, sizeof(msg), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		if (n > CTL_MSG_MAX)
			return -EBADMSG;
		err = ctl_decode_response(msg, n, &r);
		if (err)
			return err;
		if (fn && r.len)
			fn(arg, r.status, r.text, r.len);
	} while (!(r.flags & CTL_RF_END));
	*status = r.status;
	return 0;
}
