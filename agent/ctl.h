/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl.h - the control socket between nsrpd and nsrpctl.
 *
 * An AF_UNIX SOCK_SEQPACKET socket (default CTL_DEFAULT_PATH, mode 0600,
 * an ACL entry for each group given access): message boundaries come
 * from the kernel, each message also carries its own version and length
 * so both ends can check them.
 *
 *   request   version u8 | flags u8 (CTL_F_JSON) | len u16 | command
 *   response  version u8 | flags u8 (CTL_RF_END) | len u16 | status u32
 *             | text
 *
 * Integers are in network order; the command is text without its NUL,
 * e.g. "get nsrp" or "exec nsrp vsd-group 0 mode backup". A response is
 * one or more messages of at most CTL_MSG_MAX bytes, the last one
 * flagged CTL_RF_END; every one carries the final status (0 or a
 * positive errno), so a client knows at once where to print the text.
 *
 * The server runs inside the daemon's event loop without blocking it:
 * all its sockets are non-blocking and watched by a private epoll fd
 * that the daemon adds to its own loop (ctl_server_fd()). Each client
 * has its own output buffer: a client that stops reading only stalls
 * itself, and it sends nothing more until its response has drained.
 * Peers are checked with SO_PEERCRED. Root and the daemon's own user may
 * run every command; so may the members of the groups given the admin
 * privilege (ctl_server_groups()); the members of read-only groups may
 * run only the commands the guard (ctl_server_guard()) lets them: the get
 * commands. The socket file is mode 0600, with an ACL entry for each
 * group: a first fence, before the check of each peer.
 *
 * Clients that would keep the operator out are let go, each told why
 * where it can still be told:
 *  - the server holds CTL_MAX_CLIENTS connections; when they are all
 *    taken, a newcomer takes the slot of the client that has waited
 *    longest without a request or with an answer it does not read;
 *  - root and the daemon's own user ("privileged") are never put out
 *    for another user, and the others hold CTL_MAX_CLIENTS -
 *    CTL_RESERVED slots at most: the rest are root's;
 *  - a connection that sends no request for CTL_IDLE_S, or leaves its
 *    answer unread for CTL_STALL_S, is closed;
 *  - a request is one message of the socket (SOCK_SEQPACKET), so none is
 *    ever half received: the kernel hands over all of it or nothing, and
 *    one longer than a request can be is refused by its length alone.
 * Each pass of the loop accepts and answers a bounded number, so that a
 * flood of connections or requests never holds the heartbeats back.
 */
#ifndef NSRPD_CTL_H
#define NSRPD_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CTL_DEFAULT_PATH	"/run/nsrpd/nsrpd.sock"
#define CTL_VERSION		1
#define CTL_REQ_HDR_LEN		4
#define CTL_RESP_HDR_LEN	8
#define CTL_MAX_CMD		4096	/* command bytes per request */
#define CTL_MSG_MAX		4096	/* bytes per response message */
#define CTL_CHUNK		(CTL_MSG_MAX - CTL_RESP_HDR_LEN)
#define CTL_MAX_CLIENTS		64	/* at once; see above */
#define CTL_RESERVED		8	/* of them, for privileged peers only */
#define CTL_IDLE_S		30	/* without a request: closed */
#define CTL_STALL_S		10	/* an answer left unread: closed */
#define CTL_BACKLOG		64	/* connections waiting to be accepted */
#define CTL_OUT_MAX		(64u << 20) /* response bytes per request */

/* Request flags. */
#define CTL_F_JSON		0x01	/* answer in JSON */

/* Response flags. */
#define CTL_RF_END		0x01	/* last message of the response */

/* ------------------------------------------------------------ the codec */

/* Returns the bytes written, or -EMSGSIZE. */
int ctl_encode_request(uint8_t *buf, size_t cap, unsigned int flags,
		       const char *cmd);
/*
 * Copies the command, NUL-terminated, into cmd (cmd_cap bytes). Returns
 * 0, -EPROTO (another version), -EBADMSG (lengths disagree, empty, or a
 * NUL inside) or -EMSGSIZE (longer than cmd_cap - 1 or CTL_MAX_CMD).
 */
int ctl_decode_request(const uint8_t *buf, size_t len, unsigned int *flags,
		       char *cmd, size_t cmd_cap);

struct ctl_resp {
	unsigned int flags;	/* CTL_RF_* */
	int status;		/* 0 or a positive errno */
	const char *text;	/* points into the message, not terminated */
	size_t len;
};

int ctl_encode_response(uint8_t *buf, size_t cap, unsigned int flags,
			int status, const char *text, size_t len);
/* 0, -EPROTO or -EBADMSG. */
int ctl_decode_response(const uint8_t *buf, size_t len, struct ctl_resp *r);

/* ----------------------------------------------------------- the server */

/* What a command handler writes its answer into. */
struct ctl_out {
	char *buf;
	size_t len, cap;
	bool truncated;		/* CTL_OUT_MAX reached; the rest was lost */
};

/* Appends text; 0, or -ENOSPC once the response is full. */
int ctl_printf(struct ctl_out *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ctl_write(struct ctl_out *out, const char *text, size_t len);

/*
 * Runs one command. Returns 0 or -errno (the response's status); on
 * error the text, if any, explains it.
 */
typedef int (*ctl_handler_fn)(void *arg, const char *cmd, int json,
			      struct ctl_out *out);

/*
 * Whether a command may take long: a walk of a session map of millions
 * takes the better part of a second. Such a one is answered by a child
 * process (fork(): it sees the daemon's state as it was when asked), so
 * that the daemon's loop, its heartbeats above all, never waits on it.
 */
typedef bool (*ctl_slow_fn)(const char *cmd);

/* Whether a command changes something: only admins may run it. */
typedef bool (*ctl_admin_fn)(const char *cmd);

/* A group whose members may use the socket. */
struct ctl_group {
	gid_t gid;
	bool admin;		/* every command; else what the guard allows */
};

#define CTL_MAX_GROUPS	8

#define CTL_MAX_CHILDREN	4	/* slow answers at once; more: EBUSY */
#define CTL_CHILD_SEND_S	30	/* a child waits this long for a reader */

struct ctl_stats {
	uint64_t accepted;	/* connections */
	uint64_t denied;	/* connections refused by SO_PEERCRED */
	uint64_t forbidden;	/* commands refused to a read-only peer */
	uint64_t too_many;	/* refused: full, and nobody to put out */
	uint64_t evicted;	/* put out to make room for a newcomer */
	uint64_t timed_out;	/* idle or not reading for too long */
	uint64_t requests;	/* handled */
	uint64_t malformed;	/* bad version, lengths or text */
	uint64_t oversized;	/* longer than CTL_MAX_CMD */
	uint64_t truncated;	/* responses cut at CTL_OUT_MAX */
	uint64_t stalled;	/* times a client's socket was full */
	uint64_t dropped;	/* clients dropped on a send error */
	uint64_t offloaded;	/* answered by a child process */
	uint64_t offload_busy;	/* refused: CTL_MAX_CHILDREN ran, or no fork */
	uint64_t offload_failed; /* children that could not answer in full */
};

struct ctl_client {
	int fd;			/* -1: free slot */
	struct ctl_out out;	/* the response being sent */
	size_t sent;		/* text bytes of out already sent */
	int status;		/* of the response being sent */
	bool busy;		/* a response is pending */
	bool denied;		/* failed the credential check */
	bool privileged;	/* root or the daemon's own user */
	bool admin;		/* may run every command */
	uint64_t since_ns;	/* idle or stalled since (CLOCK_MONOTONIC) */
};

struct ctl_server {
	int epfd;		/* private; readable when anything is ready */
	int lfd;
	int tfd;		/* a timerfd: once a second while clients are */
	bool ticking;
	uint64_t idle_ns;	/* CTL_IDLE_S */
	uint64_t stall_ns;	/* CTL_STALL_S */
	char path[108];
	uid_t uid;		/* the daemon's */
	struct ctl_group groups[CTL_MAX_GROUPS];
	unsigned int n_groups;
	bool acl_missing;	/* the file system refused the socket's ACL */
	char who[512];		/* who may use it (ctl_who_may()) */
	ctl_handler_fn fn;
	ctl_slow_fn slow;	/* NULL: every answer from the loop */
	ctl_admin_fn needs_admin;	/* NULL: every command is an admin's */
	void *arg;
	pid_t children[CTL_MAX_CHILDREN];	/* 0: a free slot */
	struct ctl_client clients[CTL_MAX_CLIENTS];
	struct ctl_stats stats;
};

/* A closed server, safe to ctl_server_close() before it was ever opened. */
void ctl_server_init(struct ctl_server *s);
/*
 * Creates the socket (and its directory when missing), replacing a stale
 * socket file but not a live one (-EADDRINUSE). Returns 0 or -errno.
 */
int ctl_server_open(struct ctl_server *s, const char *path,
		    ctl_handler_fn fn, void *arg);
/* Which commands a child answers (see ctl_slow_fn). */
void ctl_server_offload(struct ctl_server *s, ctl_slow_fn slow);
/* Which commands read-only peers may not run (see ctl_admin_fn). */
void ctl_server_guard(struct ctl_server *s, ctl_admin_fn needs_admin);
/*
 * The groups whose members may use the socket, in place of those given
 * before: the socket's ACL is written again (its other users lose
 * access), and peers connected already keep what they were allowed.
 * Where the file system has no ACLs, the socket is opened to every user
 * (mode 0666) and the check of each peer is the only fence (logged).
 * Returns 0 or -errno.
 */
int ctl_server_groups(struct ctl_server *s, const struct ctl_group *g,
		      unsigned int n);
/*
 * The socket file's ACL for those groups, as the kernel takes it in
 * system.posix_acl_access (owner and groups rw, nobody else): the bytes
 * written into buf (cap bytes), or -ENOSPC.
 */
int ctl_acl_encode(const struct ctl_group *g, unsigned int n, uint8_t *buf,
		   size_t cap);
/*
 * A child that exited, as waitpid() reported it: true when it was one of
 * the server's (counted when it failed), false when it is somebody
 * else's to account for.
 */
bool ctl_server_reap(struct ctl_server *s, pid_t pid, int status);
/* The fd to watch for EPOLLIN in the daemon's loop. */
int ctl_server_fd(const struct ctl_server *s);
/* Handles whatever is ready, without blocking; call when the fd is. */
void ctl_server_event(struct ctl_server *s);
/* Disconnects every client, closes and unlinks the socket. */
void ctl_server_close(struct ctl_server *s);

/*
 * The groups an ACL as ctl_acl_encode() writes it gives the socket (its
 * named groups with read and write), for a client refused at the file:
 * how many were written into gids (at most cap), -ENOSPC when there were
 * more, -EINVAL when buf is no such ACL.
 */
int ctl_acl_groups(const uint8_t *buf, size_t len, gid_t *gids,
		   unsigned int cap);

/*
 * Who may use a socket owned by uid, opened to the n groups gids, in
 * words: "root", "root, user nsrp and members of group nsrp-ro or group
 * nsrp-admin". What a refusal says, on either end.
 */
void ctl_who_may(uid_t uid, const gid_t *gids, unsigned int n, char *buf,
		 size_t len);

/* ----------------------------------------------------------- the client */

/* A connected, blocking socket, or -errno. */
int ctl_connect(const char *path);

/* Called with each piece of response text, as it arrives. */
typedef void (*ctl_text_fn)(void *arg, int status, const char *text,
			    size_t len);

/*
 * Sends one command and reads its whole response. Returns 0 with the
 * response's status in *status, or -errno when the exchange failed.
 */
int ctl_call(int fd, const char *cmd, unsigned int flags, ctl_text_fn fn,
	     void *arg, int *status);

#endif
