/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * metrics.h - the metrics page's HTTP server ("set nsrp metrics listen
 * ADDR:PORT"), inside the daemon's event loop.
 *
 * A scrape is one HTTP/1.x GET on a TCP connection: the request (its
 * headers up to the blank line) is read as it comes, the page is
 * rendered into the connection's own buffer, written as the socket takes
 * it, and the connection closed. A scraper that is slow or hostile holds
 * nothing but its own connection, for a bounded time:
 *  - every socket is non-blocking, watched by a private epoll fd that
 *    the daemon adds to its loop (metrics_fd());
 *  - a request may be METRICS_REQ_MAX bytes, and must be whole within
 *    METRICS_REQ_S of the connection; the answer must be taken within
 *    METRICS_SEND_S; else the connection is closed;
 *  - at most METRICS_MAX_CLIENTS connections at once: a newcomer beyond
 *    them takes the place of the one that has waited longest;
 *  - a pass of the loop accepts at most METRICS_ACCEPTS connections and
 *    handles at most METRICS_EVENTS events.
 * The page is rendered from what the daemon holds in memory: nothing in
 * a scrape waits on the kernel or walks the session table.
 */
#ifndef NSRPD_METRICS_H
#define NSRPD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ctl.h"

#define METRICS_MAX_CLIENTS	16
#define METRICS_REQ_MAX		4096	/* request bytes, headers included */
#define METRICS_REQ_S		5	/* for the whole request */
#define METRICS_SEND_S		10	/* for the whole answer */
#define METRICS_ACCEPTS		16	/* per metrics_event() */
#define METRICS_EVENTS		16	/* per metrics_event() */
#define METRICS_PAGE_MAX	(1u << 20)	/* bytes of a page */

/* Which format the scraper asked for (its Accept header). */
enum metrics_format {
	METRICS_PROMETHEUS,	/* text/plain; version=0.0.4 */
	METRICS_OPENMETRICS,	/* application/openmetrics-text 1.0.0 */
};

/* Writes the page into out: 0 or -errno. */
typedef int (*metrics_render_fn)(void *arg, enum metrics_format fmt,
				 struct ctl_out *out);

struct metrics_stats {
	uint64_t scrapes;	/* pages sent whole */
	uint64_t accepted;	/* connections */
	uint64_t evicted;	/* closed for a newcomer */
	uint64_t timed_out;	/* request or answer too slow */
	uint64_t bad_requests;	/* not a GET of the page, or too long */
	uint64_t errors;	/* closed on a socket error */
};

struct metrics_client {
	int fd;			/* -1: a free slot */
	char req[METRICS_REQ_MAX + 1];
	size_t req_len;
	struct ctl_out out;	/* the answer, headers and page */
	size_t sent;
	bool answering;		/* out is being written */
	uint64_t since_ns;	/* accepted then */
	uint64_t deadline_ns;	/* closed then */
};

struct metrics {
	int epfd;		/* private; readable when anything is ready */
	int lfd;		/* -1: not listening */
	struct cfg_metrics at;	/* where it listens */
	metrics_render_fn render;
	void *arg;
	struct metrics_stats stats;
	struct metrics_client clients[METRICS_MAX_CLIENTS];
};

/* Not listening; safe to metrics_close() at once. 0 or -errno. */
int metrics_init(struct metrics *m, metrics_render_fn render, void *arg);
/*
 * Listens where at says (port 0: nowhere), unless it does already: the
 * new socket is bound before the old one closes, so that a change that
 * fails (an address in use, not this host's) changes nothing. Returns 0,
 * or -errno with the reason in msg.
 */
int metrics_listen(struct metrics *m, const struct cfg_metrics *at, char *msg,
		   size_t msglen);
/* The fd for the daemon's loop (EPOLLIN). */
int metrics_fd(const struct metrics *m);
/* Whatever is ready, without blocking. */
void metrics_event(struct metrics *m, uint64_t now);
/* Closes the connections whose time is up. */
void metrics_tick(struct metrics *m, uint64_t now);
uint64_t metrics_next_deadline(const struct metrics *m);
void metrics_close(struct metrics *m);

/*
 * The format a request asks for, from its Accept header; -EINVAL when
 * it is not a GET (or HEAD) of /metrics or /, with *status the HTTP
 * status to answer (404, 405, 400). Pure: a whole request, NUL-ended.
 */
int metrics_parse_request(const char *req, enum metrics_format *fmt,
			  bool *head, int *status);

#endif
