// SPDX-License-Identifier: GPL-2.0-only
/* Control socket: codec, round trips, bad requests, slow clients, creds. */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include "ctl.h"
#include "../harness.h"

#define BIG_BYTES	(8u << 20)	/* far more than a socket buffers */

/* ------------------------------------------------------------ the codec */

static void test_request_codec(void)
{
	uint8_t buf[CTL_REQ_HDR_LEN + CTL_MAX_CMD + 8];
	char cmd[CTL_MAX_CMD + 1], big[CTL_MAX_CMD + 2];
	unsigned int flags = 0;
	int n;

	n = ctl_encode_request(buf, sizeof(buf), CTL_F_JSON, "get nsrp");
	CU_ASSERT_EQUAL(n, CTL_REQ_HDR_LEN + 8);
	CU_ASSERT_EQUAL(ctl_decode_request(buf, n, &flags, cmd, sizeof(cmd)),
			0);
	CU_ASSERT_EQUAL(flags, CTL_F_JSON);
	CU_ASSERT_STRING_EQUAL(cmd, "get nsrp");

	CU_ASSERT_EQUAL(ctl_decode_request(buf, n - 1, &flags, cmd,
					   sizeof(cmd)), -EBADMSG);
	CU_ASSERT_EQUAL(ctl_decode_request(buf, 3, &flags, cmd, sizeof(cmd)),
			-EBADMSG);
	CU_ASSERT_EQUAL(ctl_decode_request(buf, n, &flags, cmd, 8), -EMSGSIZE);
	buf[CTL_REQ_HDR_LEN + 3] = '\0';
	CU_ASSERT_EQUAL(ctl_decode_request(buf, n, &flags, cmd, sizeof(cmd)),
			-EBADMSG);
	buf[0] = 2;
	CU_ASSERT_EQUAL(ctl_decode_request(buf, n, &flags, cmd, sizeof(cmd)),
			-EPROTO);
	n = ctl_encode_request(buf, sizeof(buf), 0, "");
	CU_ASSERT_EQUAL(ctl_decode_request(buf, n, &flags, cmd, sizeof(cmd)),
			-EBADMSG);

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_EQUAL(ctl_encode_request(buf, sizeof(buf), 0, big),
			-EMSGSIZE);
}

static void test_response_codec(void)
{
	uint8_t buf[CTL_MSG_MAX];
	struct ctl_resp r;
	int n;

	n = ctl_encode_response(buf, sizeof(buf), CTL_RF_END, ENOENT,
				"no such group\n", 14);
	CU_ASSERT_EQUAL(n, CTL_RESP_HDR_LEN + 14);
	CU_ASSERT_EQUAL(ctl_decode_response(buf, n, &r), 0);
	CU_ASSERT_EQUAL(r.flags, CTL_RF_END);
	CU_ASSERT_EQUAL(r.status, ENOENT);
	CU_ASSERT_EQUAL(r.len, 14);
	CU_ASSERT_EQUAL(memcmp(r.text, "no such group\n", 14), 0);
	CU_ASSERT_EQUAL(ctl_decode_response(buf, n + 1, &r), -EBADMSG);
	CU_ASSERT_EQUAL(ctl_decode_response(buf, 7, &r), -EBADMSG);
	CU_ASSERT_EQUAL(ctl_encode_response(buf, sizeof(buf), 0, 0, "",
					    CTL_CHUNK + 1), -EMSGSIZE);
}

static void test_out_buffer(void)
{
	struct ctl_out out = { 0 };
	int i;

	for (i = 0; i < 10000; i++)
		CU_ASSERT_EQUAL(ctl_printf(&out, "line %d\n", i), 0);
	CU_ASSERT_EQUAL(strncmp(out.buf, "line 0\nline 1\n", 14), 0);
	CU_ASSERT_STRING_EQUAL(out.buf + out.len - 10, "line 9999\n");
	CU_ASSERT_FALSE(out.truncated);
	free(out.buf);
}

/* ----------------------------------------------------------- the server */

struct fixture {
	char dir[64];
	char path[108];
	struct ctl_server srv;
	unsigned int calls;
};

/* "echo ..." answers, "big" answers BIG_BYTES, anything else fails. */
static int handler(void *arg, const char *cmd, int json, struct ctl_out *out)
{
	struct fixture *f = arg;
	unsigned int i;

	f->calls++;
	if (!strncmp(cmd, "echo ", 5))
		return ctl_printf(out, json ? "{\"said\":\"%s\"}\n" : "%s\n",
				  cmd + 5);
	if (!strcmp(cmd, "pid"))
		return ctl_printf(out, "%d\n", (int)getpid());
	if (!strcmp(cmd, "big")) {
		for (i = 0; i < BIG_BYTES / 64; i++)
			ctl_printf(out, "%063u\n", i);
		return 0;
	}
	ctl_printf(out, "unknown command: %s\n", cmd);
	return -ENOENT;
}

static int fixture_open(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/nsrpd-ctl-test.XXXXXX");
	if (!mkdtemp(f->dir))
		return -errno;
	snprintf(f->path, sizeof(f->path), "%s/run/nsrpd.sock", f->dir);
	return ctl_server_open(&f->srv, f->path, handler, f);
}

static void fixture_close(struct fixture *f)
{
	char run[80];

	ctl_server_close(&f->srv);
	snprintf(run, sizeof(run), "%s/run", f->dir);
	rmdir(run);
	rmdir(f->dir);
}

/* Lets the server work for up to ms milliseconds. */
static void pump(struct fixture *f, int ms)
{
	struct pollfd p = { .fd = ctl_server_fd(&f->srv), .events = POLLIN };

	while (poll(&p, 1, ms) > 0) {
		ctl_server_event(&f->srv);
		ms = 0;
	}
}

struct reply {
	int status;
	unsigned int msgs;
	bool end;
	size_t len;
	char text[256];
};

/* Reads one whole response, running the server between messages. */
static int read_reply(struct fixture *f, int fd, struct reply *r)
{
	uint8_t msg[CTL_MSG_MAX + 1];
	struct ctl_resp resp;
	int tries;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	for (tries = 0; tries < 100000 && !r->end; tries++) {
		n = recv(fd, msg, sizeof(msg), MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN) {
			pump(f, 10);
			continue;
		}
		if (n <= 0)
			return n ? -errno : -ECONNRESET;
		if (ctl_decode_response(msg, n, &resp))
			return -EBADMSG;
		if (r->len < sizeof(r->text) - 1) {
			size_t room = sizeof(r->text) - 1 - r->len;

			memcpy(r->text + r->len, resp.text,
			       resp.len < room ? resp.len : room);
		}
		r->len += resp.len;
		r->status = resp.status;
		r->end = resp.flags & CTL_RF_END;
		r->msgs++;
	}
	r->text[r->len < sizeof(r->text) ? r->len : sizeof(r->text) - 1] = '\0';
	return r->end ? 0 : -ETIMEDOUT;
}

static int send_cmd(int fd, const char *cmd, unsigned int flags)
{
	uint8_t buf[CTL_REQ_HDR_LEN + CTL_MAX_CMD];
	int n = ctl_encode_request(buf, sizeof(buf), flags, cmd);

	return send(fd, buf, n, 0) == n ? 0 : -errno;
}

static int connect_pumped(struct fixture *f)
{
	int fd = ctl_connect(f->path);

	pump(f, 10);
	return fd;
}

static void test_round_trip(void)
{
	struct fixture f;
	struct reply r;
	struct stat st;
	int fd;

	CU_ASSERT_FATAL(fixture_open(&f) == 0);
	CU_ASSERT_EQUAL(stat(f.path, &st), 0);
	CU_ASSERT_TRUE(S_ISSOCK(st.st_mode));
	/* No group given: the owner's alone. */
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);

	fd = connect_pumped(&f);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(send_cmd(fd, "echo hello world", 0), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_EQUAL(r.msgs, 1);
	CU_ASSERT_STRING_EQUAL(r.text, "hello world\n");

	/* Same connection, JSON, then a failing command. */
	CU_ASSERT_EQUAL(send_cmd(fd, "echo x", CTL_F_JSON), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_STRING_EQUAL(r.text, "{\"said\":\"x\"}\n");
	CU_ASSERT_EQUAL(send_cmd(fd, "bogus", 0), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_EQUAL(r.status, ENOENT);
	CU_ASSERT_STRING_EQUAL(r.text, "unknown command: bogus\n");
	CU_ASSERT_EQUAL(f.srv.stats.requests, 3);
	CU_ASSERT_EQUAL(f.srv.stats.accepted, 1);
	close(fd);
	pump(&f, 10);
	fixture_close(&f);
	CU_ASSERT_NOT_EQUAL(stat(f.path, &st), 0);
}

static void test_bad_requests_counted(void)
{
	uint8_t huge[CTL_MAX_CMD + 64] = { CTL_VERSION, 0, 0xff, 0xff };
	uint8_t bad[12] = { 9, 0, 0, 8, 'g', 'e', 't', ' ', 'n', 's', 'r', 'p' };
	struct fixture f;
	struct reply r;
	int fd;

	CU_ASSERT_FATAL(fixture_open(&f) == 0);
	fd = connect_pumped(&f);
	CU_ASSERT_FATAL(fd >= 0);

	memset(huge + 4, 'a', sizeof(huge) - 4);
	CU_ASSERT_EQUAL(send(fd, huge, sizeof(huge), 0), sizeof(huge));
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_EQUAL(r.status, EMSGSIZE);
	CU_ASSERT_EQUAL(f.srv.stats.oversized, 1);

	CU_ASSERT_EQUAL(send(fd, bad, sizeof(bad), 0), sizeof(bad));
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_EQUAL(r.status, EPROTO);
	bad[0] = CTL_VERSION;
	bad[3] = 20;		/* length disagrees with the message */
	CU_ASSERT_EQUAL(send(fd, bad, sizeof(bad), 0), sizeof(bad));
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_EQUAL(r.status, EBADMSG);
	CU_ASSERT_EQUAL(f.srv.stats.malformed, 2);
	CU_ASSERT_EQUAL(f.calls, 0);

	/* The connection still works afterwards. */
	CU_ASSERT_EQUAL(send_cmd(fd, "echo ok", 0), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_STRING_EQUAL(r.text, "ok\n");
	close(fd);
	fixture_close(&f);
}

static void test_large_response_in_chunks(void)
{
	struct fixture f;
	struct reply r;
	int fd;

	CU_ASSERT_FATAL(fixture_open(&f) == 0);
	fd = connect_pumped(&f);
	CU_ASSERT_EQUAL(send_cmd(fd, "big", 0), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_EQUAL(r.len, BIG_BYTES);
	CU_ASSERT_EQUAL(r.msgs, (BIG_BYTES + CTL_CHUNK - 1) / CTL_CHUNK);
	CU_ASSERT_EQUAL(strncmp(r.text, "000000", 6), 0);
	close(fd);
	fixture_close(&f);
}

static void test_slow_client_does_not_block_others(void)
{
	struct fixture f;
	struct reply r;
	int slow, quick, i;

	CU_ASSERT_FATAL(fixture_open(&f) == 0);
	slow = connect_pumped(&f);
	quick = connect_pumped(&f);
	CU_ASSERT_FATAL(slow >= 0 && quick >= 0);

	/* slow asks for megabytes and reads nothing. */
	CU_ASSERT_EQUAL(send_cmd(slow, "big", 0), 0);
	pump(&f, 20);
	CU_ASSERT_TRUE(f.srv.stats.stalled >= 1);
	/* quick is served at once, several times over. */
	for (i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(send_cmd(quick, "echo fast", 0), 0);
		CU_ASSERT_EQUAL(read_reply(&f, quick, &r), 0);
		CU_ASSERT_STRING_EQUAL(r.text, "fast\n");
	}
	/* A second request from slow waits for its first answer. */
	CU_ASSERT_EQUAL(send_cmd(slow, "echo later", 0), 0);
	pump(&f, 10);
	CU_ASSERT_EQUAL(f.calls, 6);

	/* slow finally reads: the whole answer, then the next one. */
	CU_ASSERT_EQUAL(read_reply(&f, slow, &r), 0);
	CU_ASSERT_EQUAL(r.len, BIG_BYTES);
	CU_ASSERT_EQUAL(read_reply(&f, slow, &r), 0);
	CU_ASSERT_STRING_EQUAL(r.text, "later\n");
	close(slow);
	close(quick);
	fixture_close(&f);
}

static void test_client_gone_mid_response(void)
{
	struct fixture f;
	struct reply r;
	int fd;

	CU_ASSERT_FATAL(fixture_open(&f) == 0);
	fd = connect_pumped(&f);
	CU_ASSERT_EQUAL(send_cmd(fd, "big", 0), 0);
	pump(&f, 10);
	close(fd);
	pump(&f, 10);
	CU_ASSERT_EQUAL(f.srv.stats.dropped, 1);
	/* The slot is free again, the server serves on. */
	fd = connect_pumped(&f);
	CU_ASSERT_EQUAL(send_cmd(fd, "echo again", 0), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_STRING_EQUAL(r.text, "again\n");
	close(fd);
	fixture_close(&f);
}

static bool pid_and_big_are_slow(const char *cmd)
{
	return !strcmp(cmd, "pid") || !strcmp(cmd, "big");
}

/* Reaps the server's children as the daemon does on SIGCHLD. */
static unsigned int reap(struct fixture *f)
{
	unsigned int n = 0;
	int status;
	pid_t pid;

	for (int tries = 0; tries < 500; tries++) {
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			n += ctl_server_reap(&f->srv, pid, status);
		bool left = false;

		for (unsigned int i = 0; i < CTL_MAX_CHILDREN; i++)
			left |= f->srv.children[i] != 0;
		if (!left)
			break;
		usleep(10000);
	}
	return n;
}

/*
 * A slow command is answered by a child process: the server's own loop
 * never runs it, and the client gets the whole answer all the same.
 */
static void test_slow_command_answered_by_a_child(void)
{
	struct fixture f;
	struct reply r;
	char me[16];
	int fd;

	CU_ASSERT_FATAL(fixture_open(&f) == 0);
	ctl_server_offload(&f.srv, pid_and_big_are_slow);
	fd = connect_pumped(&f);
	CU_ASSERT_EQUAL(send_cmd(fd, "pid", 0), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_EQUAL(r.status, 0);
	snprintf(me, sizeof(me), "%d\n", (int)getpid());
	CU_ASSERT(r.len > 1 && strcmp(r.text, me) != 0);
	CU_ASSERT_EQUAL(f.calls, 0);
	CU_ASSERT_EQUAL(f.srv.stats.offloaded, 1);
	close(fd);

	fd = connect_pumped(&f);
	CU_ASSERT_EQUAL(send_cmd(fd, "big", 0), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_EQUAL(r.len, BIG_BYTES);
	CU_ASSERT_EQUAL(r.msgs, (BIG_BYTES + CTL_CHUNK - 1) / CTL_CHUNK);
	close(fd);

	/* The others still from the loop, at once. */
	fd = connect_pumped(&f);
	CU_ASSERT_EQUAL(send_cmd(fd, "echo here", 0), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_STRING_EQUAL(r.text, "here\n");
	CU_ASSERT_EQUAL(f.calls, 1);
	close(fd);
	CU_ASSERT_EQUAL(reap(&f), 2);
	CU_ASSERT_EQUAL(f.srv.stats.offload_failed, 0);
	fixture_close(&f);
}

/*
 * Children are bounded: one more slow command than that is refused
 * (EBUSY), not answered from the loop. A child whose client left fails
 * and is counted.
 */
static void test_slow_commands_bounded(void)
{
	int fds[CTL_MAX_CHILDREN], fd;
	struct fixture f;
	struct reply r;

	CU_ASSERT_FATAL(fixture_open(&f) == 0);
	ctl_server_offload(&f.srv, pid_and_big_are_slow);
	/* Each asks for megabytes and reads nothing: its child waits. */
	for (unsigned int i = 0; i < CTL_MAX_CHILDREN; i++) {
		fds[i] = connect_pumped(&f);
		CU_ASSERT_EQUAL(send_cmd(fds[i], "big", 0), 0);
		pump(&f, 10);
	}
	CU_ASSERT_EQUAL(f.srv.stats.offloaded, CTL_MAX_CHILDREN);
	fd = connect_pumped(&f);
	CU_ASSERT_EQUAL(send_cmd(fd, "pid", 0), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_EQUAL(r.status, EBUSY);
	CU_ASSERT_EQUAL(f.srv.stats.offload_busy, 1);
	CU_ASSERT_EQUAL(f.calls, 0);
	close(fd);
	/* Shut, not just closed: the children hold copies of these fds. */
	for (unsigned int i = 0; i < CTL_MAX_CHILDREN; i++) {
		shutdown(fds[i], SHUT_RDWR);
		close(fds[i]);
	}
	CU_ASSERT_EQUAL(reap(&f), CTL_MAX_CHILDREN);
	CU_ASSERT_EQUAL(f.srv.stats.offload_failed, CTL_MAX_CHILDREN);
	fixture_close(&f);
}

static void test_stale_and_live_socket(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct fixture f;
	struct ctl_server second;
	struct reply r;
	int fd;

	CU_ASSERT_FATAL(fixture_open(&f) == 0);
	/* A live server's socket is not taken over. */
	CU_ASSERT_EQUAL(ctl_server_open(&second, f.path, handler, &f),
			-EADDRINUSE);
	fd = connect_pumped(&f);
	CU_ASSERT_EQUAL(send_cmd(fd, "echo still", 0), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_STRING_EQUAL(r.text, "still\n");
	close(fd);
	ctl_server_close(&f.srv);

	/* A socket file left by a crash is replaced. */
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	strcpy(sa.sun_path, f.path);
	CU_ASSERT_EQUAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	CU_ASSERT_EQUAL(ctl_server_open(&f.srv, f.path, handler, &f), 0);
	fd = connect_pumped(&f);
	CU_ASSERT_EQUAL(send_cmd(fd, "echo fresh", 0), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_STRING_EQUAL(r.text, "fresh\n");
	close(fd);
	fixture_close(&f);
}

/* Reads what the server said when it let fd go, and then its end. */
static int farewell(struct fixture *f, int fd, struct reply *r)
{
	char c;
	int err = read_reply(f, fd, r);

	if (err)
		return err;
	return recv(fd, &c, 1, MSG_DONTWAIT) == 0 ? 0 : -EISCONN;
}

/*
 * All slots taken: a newcomer takes the slot of the client that waited
 * longest, which is told why; nobody is turned away.
 */
static void test_full_puts_out_longest_waiting(void)
{
	int fds[CTL_MAX_CLIENTS + 1], i, status = 0;
	struct fixture f;
	struct reply r;

	CU_ASSERT_FATAL(fixture_open(&f) == 0);
	for (i = 0; i <= CTL_MAX_CLIENTS; i++)
		fds[i] = connect_pumped(&f);
	CU_ASSERT_EQUAL(f.srv.stats.accepted, CTL_MAX_CLIENTS + 1);
	CU_ASSERT_EQUAL(f.srv.stats.evicted, 1);
	CU_ASSERT_EQUAL(f.srv.stats.too_many, 0);
	CU_ASSERT_EQUAL(farewell(&f, fds[0], &r), 0);
	CU_ASSERT_EQUAL(r.status, EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.text, "control socket is full"));
	/* The newest is served; one that asks after its slot went is told. */
	CU_ASSERT_EQUAL(send_cmd(fds[CTL_MAX_CLIENTS], "echo in", 0), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fds[CTL_MAX_CLIENTS], &r), 0);
	CU_ASSERT_STRING_EQUAL(r.text, "in\n");
	close(fds[0]);
	fds[0] = connect_pumped(&f);	/* puts out fds[1] */
	CU_ASSERT_EQUAL(ctl_call(fds[1], "echo late", 0, NULL, NULL, &status),
			0);
	CU_ASSERT_EQUAL(status, EBUSY);
	for (i = 0; i <= CTL_MAX_CLIENTS; i++)
		close(fds[i]);
	fixture_close(&f);
}

/*
 * A connection that asks nothing, and one that leaves its answer unread,
 * are closed once they waited too long; the first is told why. The one
 * that keeps asking, every 50 ms, stays: its limit is 20 of its pauses,
 * so that a loaded machine keeping this test from running for a while
 * does not make it wait too long as well.
 */
static void test_idle_and_stalled_time_out(void)
{
	struct fixture f;
	struct reply r;
	int idle, slow, busy;
	char buf[CTL_MSG_MAX];
	ssize_t n, total = 0;

	CU_ASSERT_FATAL(fixture_open(&f) == 0);
	f.srv.idle_ns = f.srv.stall_ns = 1000000000;	/* 1 s */
	idle = connect_pumped(&f);
	slow = connect_pumped(&f);
	busy = connect_pumped(&f);
	CU_ASSERT_EQUAL(send_cmd(slow, "big", 0), 0);
	/* busy keeps asking, and so never waits for the server. */
	for (int i = 0; i < 60; i++) {
		CU_ASSERT_EQUAL(send_cmd(busy, "echo here", 0), 0);
		CU_ASSERT_EQUAL(read_reply(&f, busy, &r), 0);
		usleep(50000);
	}
	CU_ASSERT_EQUAL(f.srv.stats.timed_out, 2);
	CU_ASSERT_EQUAL(farewell(&f, idle, &r), 0);
	CU_ASSERT_EQUAL(r.status, ETIMEDOUT);
	CU_ASSERT_STRING_EQUAL(r.text, "closed: no request in 1000 ms\n");
	/* The slow one gets what fitted, then its end. */
	while ((n = recv(slow, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		total += n;
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT(total > 0 && total < (ssize_t)BIG_BYTES);
	close(idle);
	close(slow);
	close(busy);
	fixture_close(&f);
}

/* A request of a megabyte costs the server a 4 KB read, and is refused. */
static void test_megabyte_request(void)
{
	static uint8_t huge[1 << 20];
	int fd, size = 4 << 20;
	struct fixture f;
	struct reply r;

	if (geteuid() != 0) {
		harness_skip("needs root to send a 1 MB message");
		return;
	}
	CU_ASSERT_FATAL(fixture_open(&f) == 0);
	fd = connect_pumped(&f);
	CU_ASSERT_EQUAL(setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size,
				   sizeof(size)), 0);
	huge[0] = CTL_VERSION;
	huge[2] = huge[3] = 0xff;
	memset(huge + 4, 'a', sizeof(huge) - 4);
	CU_ASSERT_EQUAL(send(fd, huge, sizeof(huge), 0), sizeof(huge));
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_EQUAL(r.status, EMSGSIZE);
	CU_ASSERT_STRING_EQUAL(r.text, "request too long\n");
	CU_ASSERT_EQUAL(f.srv.stats.oversized, 1);
	CU_ASSERT_EQUAL(send_cmd(fd, "echo still", 0), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_STRING_EQUAL(r.text, "still\n");
	close(fd);
	fixture_close(&f);
}

/* Groups of the tests' own, which no file on the system need have. */
#define OPS_GID		4242	/* read-only operators */
#define ADMIN_GID	4243	/* admins */

/*
 * In a child that is a member of the operators' group, not root: opens
 * n connections, says so on the pipe, holds them until told to go.
 */
static pid_t operator_connections(struct fixture *f, int n, int ready[2],
				  int go[2])
{
	const struct ctl_group ops = { .gid = OPS_GID };
	struct stat st;
	pid_t pid;

	if (ctl_server_groups(&f->srv, &ops, 1) || pipe(ready) || pipe(go))
		return -1;
	pid = fork();
	if (pid)
		return pid;
	if (setgroups(0, NULL) || setgid(OPS_GID) || setuid(65534))
		_exit(10);
	for (int i = 0; i < n; i++)
		if (ctl_connect(f->path) < 0)
			_exit(11);
	if (write(ready[1], "r", 1) != 1 || read(go[0], &st, 1) != 1)
		_exit(12);
	_exit(0);
}

/* Serves until the child says it is ready. */
static void pump_until(struct fixture *f, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	while (poll(&p, 1, 0) == 0)
		pump(f, 10);
	pump(f, 10);
	if (read(fd, &c, 1) != 1)
		CU_FAIL("child");
}

/*
 * Others than root hold CTL_MAX_CLIENTS - CTL_RESERVED slots at most,
 * and never put root out: the operator always gets in.
 */
static void test_room_kept_for_root(void)
{
	const int share = CTL_MAX_CLIENTS - CTL_RESERVED;
	int ready[2], go[2], fds[CTL_MAX_CLIENTS], wst, i;
	struct fixture f;
	struct reply r;
	pid_t pid;

	if (geteuid() != 0) {
		harness_skip("needs root to run clients as another user");
		return;
	}
	CU_ASSERT_FATAL(fixture_open(&f) == 0);
	chmod(f.dir, 0755);
	pid = operator_connections(&f, share + 5, ready, go);
	CU_ASSERT_FATAL(pid > 0);
	pump_until(&f, ready[0]);
	/* Past their share, each took the slot of one of their own. */
	CU_ASSERT_EQUAL(f.srv.stats.accepted, share + 5);
	CU_ASSERT_EQUAL(f.srv.stats.evicted, 5);
	/* Root's slots are free: nobody is put out for these. */
	for (i = 0; i < CTL_RESERVED; i++)
		fds[i] = connect_pumped(&f);
	CU_ASSERT_EQUAL(f.srv.stats.evicted, 5);
	/* Full: root puts out one of theirs. */
	fds[i] = connect_pumped(&f);
	CU_ASSERT_EQUAL(f.srv.stats.evicted, 6);
	CU_ASSERT_EQUAL(send_cmd(fds[i], "echo root", 0), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fds[i], &r), 0);
	CU_ASSERT_STRING_EQUAL(r.text, "root\n");
	CU_ASSERT_EQUAL(write(go[1], "g", 1), 1);
	waitpid(pid, &wst, 0);
	CU_ASSERT_TRUE(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
	pump(&f, 10);
	for (int j = 0; j <= i; j++)
		close(fds[j]);
	pump(&f, 10);

	/* Root holds every slot: the next of theirs is turned away. */
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		fds[i] = connect_pumped(&f);
	pid = operator_connections(&f, 1, ready, go);
	CU_ASSERT_FATAL(pid > 0);
	pump_until(&f, ready[0]);
	CU_ASSERT_EQUAL(f.srv.stats.too_many, 1);
	CU_ASSERT_EQUAL(f.srv.stats.evicted, 6);
	CU_ASSERT_EQUAL(write(go[1], "g", 1), 1);
	waitpid(pid, &wst, 0);
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		close(fds[i]);
	fixture_close(&f);
}

/* The ACL as the kernel takes it: owner, groups by gid, mask, others. */
static void test_acl_encode(void)
{
	const struct ctl_group g[] = { { .gid = 300, .admin = true },
				       { .gid = 7 } };
	static const uint8_t want[] = {
		2, 0, 0, 0,
		0x01, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,	/* owner rw */
		0x04, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,	/* its group: none */
		0x08, 0, 6, 0, 7, 0, 0, 0,		/* group 7 rw */
		0x08, 0, 6, 0, 0x2c, 1, 0, 0,		/* group 300 rw */
		0x10, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,	/* mask rw */
		0x20, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,	/* others: none */
	};
	uint8_t buf[sizeof(want) + 8];

	CU_ASSERT_EQUAL(ctl_acl_encode(g, 2, buf, sizeof(buf)), sizeof(want));
	CU_ASSERT_EQUAL(memcmp(buf, want, sizeof(want)), 0);
	CU_ASSERT_EQUAL(ctl_acl_encode(g, 2, buf, sizeof(want) - 1), -ENOSPC);
}

/* What a client refused at the file reads back from the ACL. */
static void test_acl_groups(void)
{
	const struct ctl_group g[] = { { .gid = 300, .admin = true },
				       { .gid = 7 } };
	uint8_t buf[4 + (4 + CTL_MAX_GROUPS) * 8];
	gid_t gids[CTL_MAX_GROUPS];
	int n = ctl_acl_encode(g, 2, buf, sizeof(buf));

	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(ctl_acl_groups(buf, n, gids, CTL_MAX_GROUPS), 2);
	CU_ASSERT_EQUAL(gids[0], 7);
	CU_ASSERT_EQUAL(gids[1], 300);
	CU_ASSERT_EQUAL(ctl_acl_groups(buf, n, gids, 1), -ENOSPC);
	/* Without groups: the owner's alone. */
	n = ctl_acl_encode(g, 0, buf, sizeof(buf));
	CU_ASSERT_EQUAL(ctl_acl_groups(buf, n, gids, CTL_MAX_GROUPS), 0);
	/* Not such an ACL: a length off the entries, another version. */
	CU_ASSERT_EQUAL(ctl_acl_groups(buf, n - 1, gids, CTL_MAX_GROUPS),
			-EINVAL);
	buf[0] = 1;
	CU_ASSERT_EQUAL(ctl_acl_groups(buf, n, gids, CTL_MAX_GROUPS), -EINVAL);
}

/* A refusal names who may use the socket: the owner and each group. */
static void test_who_may(void)
{
	/* No name service knows these. */
	const gid_t gids[] = { 0, 3999998, 3999999 };
	char who[512];

	ctl_who_may(0, gids, 0, who, sizeof(who));
	CU_ASSERT_STRING_EQUAL(who, "root");
	ctl_who_may(0, gids, 1, who, sizeof(who));
	CU_ASSERT_STRING_EQUAL(who, "root and members of group root");
	ctl_who_may(0, gids + 1, 2, who, sizeof(who));
	CU_ASSERT_STRING_EQUAL(who, "root and members of gid 3999998 or "
				    "gid 3999999");
	ctl_who_may(3999997, gids, 3, who, sizeof(who));
	CU_ASSERT_STRING_EQUAL(who, "root, uid 3999997 and members of group "
				    "root, gid 3999998 or gid 3999999");
	ctl_who_may(3999997, gids, 0, who, sizeof(who));
	CU_ASSERT_STRING_EQUAL(who, "root and uid 3999997");
	/* Cut to the buffer, ended all the same. */
	ctl_who_may(0, gids, 3, who, 10);
	CU_ASSERT_EQUAL(strlen(who), 9);
}

/* Whatever starts with "set" changes something: for admins only. */
static bool needs_admin(const char *cmd)
{
	return !strncmp(cmd, "set", 3);
}

/* In a child of uid 65534 and group gid: cmd's status, 255 on failure. */
static int status_as(struct fixture *f, gid_t gid, const char *cmd)
{
	int wst, status = 255;
	pid_t pid = fork();

	if (pid < 0)
		return 255;
	if (pid == 0) {
		int fd, err;

		if (setgroups(0, NULL) || setgid(gid) || setuid(65534))
			_exit(255);
		fd = ctl_connect(f->path);
		if (fd < 0)
			_exit(254);
		err = ctl_call(fd, cmd, 0, NULL, NULL, &status);
		_exit(err ? 253 : status);
	}
	while (waitpid(pid, &wst, WNOHANG) == 0)
		pump(f, 10);
	return WIFEXITED(wst) ? WEXITSTATUS(wst) : 255;
}

/*
 * Through the socket file's ACL (mode 0600 but for the groups), members
 * of a read-only group run what the guard allows, admins everything,
 * anyone else nothing; a group taken away loses the socket.
 */
static void test_group_privileges(void)
{
	const struct ctl_group g[] = { { .gid = OPS_GID },
				       { .gid = ADMIN_GID, .admin = true } };
	struct fixture f;
	struct stat st;

	if (geteuid() != 0) {
		harness_skip("needs root to run clients as another user");
		return;
	}
	CU_ASSERT_FATAL(fixture_open(&f) == 0);
	chmod(f.dir, 0755);
	ctl_server_guard(&f.srv, needs_admin);
	CU_ASSERT_EQUAL_FATAL(ctl_server_groups(&f.srv, g, 2), 0);
	CU_ASSERT_EQUAL(stat(f.path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0707, 0600);

	CU_ASSERT_EQUAL(status_as(&f, OPS_GID, "echo reader"), 0);
	CU_ASSERT_EQUAL(status_as(&f, OPS_GID, "set x"), EPERM);
	CU_ASSERT_EQUAL(f.srv.stats.forbidden, 1);
	/* The refused command never reached the handler. */
	CU_ASSERT_EQUAL(f.calls, 1);
	CU_ASSERT_EQUAL(status_as(&f, ADMIN_GID, "set x"), ENOENT);
	CU_ASSERT_EQUAL(f.calls, 2);
	/* Another group: the ACL keeps it from connecting at all. */
	CU_ASSERT_EQUAL(status_as(&f, 4244, "echo x"), 254);

	/* The operators' group taken away: out, by the fence. */
	CU_ASSERT_EQUAL(ctl_server_groups(&f.srv, g + 1, 1), 0);
	CU_ASSERT_EQUAL(status_as(&f, OPS_GID, "echo reader"), 254);
	CU_ASSERT_EQUAL(status_as(&f, ADMIN_GID, "echo admin"), 0);
	fixture_close(&f);
}

/* An unprivileged peer in another group is refused, whatever the mode. */
static void test_peer_credentials(void)
{
	struct fixture f;
	struct reply r;
	int fd, wst;
	pid_t pid;

	if (geteuid() != 0) {
		harness_skip("needs root to run a client as another user");
		return;
	}
	CU_ASSERT_FATAL(fixture_open(&f) == 0);
	chmod(f.dir, 0755);
	chmod(f.path, 0666);	/* only the credential check is left */
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		int status = 0, err;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		fd = ctl_connect(f.path);
		if (fd < 0)
			_exit(11);
		err = ctl_call(fd, "echo sneaky", 0, NULL, NULL, &status);
		_exit(err ? 12 : status == EACCES ? 0 : 13);
	}
	/* Serve the child until it exits. */
	while (waitpid(pid, &wst, WNOHANG) == 0)
		pump(&f, 10);
	CU_ASSERT_TRUE(WIFEXITED(wst));
	if (WEXITSTATUS(wst))
		fprintf(stderr, "client exited %d\n", WEXITSTATUS(wst));
	CU_ASSERT_EQUAL(WEXITSTATUS(wst), 0);
	CU_ASSERT_EQUAL(f.srv.stats.denied, 1);
	CU_ASSERT_EQUAL(f.calls, 0);
	/* Root is let in. */
	fd = connect_pumped(&f);
	CU_ASSERT_EQUAL(send_cmd(fd, "echo root", 0), 0);
	CU_ASSERT_EQUAL(read_reply(&f, fd, &r), 0);
	CU_ASSERT_EQUAL(r.status, 0);
	close(fd);
	fixture_close(&f);
}

TEST_SUITE(ctl, NULL, NULL,
	   TEST(test_request_codec),
	   TEST(test_response_codec),
	   TEST(test_out_buffer),
	   TEST(test_round_trip),
	   TEST(test_bad_requests_counted),
	   TEST(test_large_response_in_chunks),
	   TEST(test_slow_client_does_not_block_others),
	   TEST(test_client_gone_mid_response),
	   TEST(test_slow_command_answered_by_a_child),
	   TEST(test_slow_commands_bounded),
	   TEST(test_stale_and_live_socket),
	   TEST(test_full_puts_out_longest_waiting),
	   TEST(test_idle_and_stalled_time_out),
	   TEST(test_megabyte_request),
	   TEST(test_room_kept_for_root),
	   TEST(test_peer_credentials),
	   TEST(test_acl_encode),
	   TEST(test_acl_groups),
	   TEST(test_who_may),
	   TEST(test_group_privileges))
