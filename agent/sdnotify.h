/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sdnotify.h - what nsrpd tells systemd (Type=notify), through
 * libsystemd's sd_notify():
 *
 *   READY=1      once the data plane is attached, the control socket
 *                listens, and every group has taken its first role
 *                (left Initial): a unit started after nsrpd finds it
 *                settled;
 *   STATUS=      the roles, "vsd 0 master, vsd 1 backup", on each change;
 *   WATCHDOG=1   from the event loop, every half of WatchdogSec=, so
 *                that a loop that hangs stops them and systemd restarts
 *                the agent;
 *   STOPPING=1   when a stop begins (the hand-over to the peer).
 *
 * Without NOTIFY_SOCKET (not started by systemd) all of it is silent,
 * and costs nothing.
 */
#ifndef NSRPD_SDNOTIFY_H
#define NSRPD_SDNOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#define SDNOTIFY_STATUS_LEN	256

struct sdnotify {
	bool on;			/* NOTIFY_SOCKET is set */
	bool ready;			/* READY=1 went out */
	uint64_t watchdog_ns;		/* WatchdogSec=; 0: no watchdog */
	uint64_t next_ping_ns;
	uint64_t pings;			/* WATCHDOG=1 sent */
	uint64_t errors;		/* notifications that failed */
	char status[SDNOTIFY_STATUS_LEN];	/* as last sent */
};

/* Reads what systemd set for this process (socket, watchdog). */
void sdnotify_init(struct sdnotify *n, uint64_t now);
/* READY=1 with status, once; later calls only update the status. */
void sdnotify_ready(struct sdnotify *n, const char *status);
/* STATUS=, when it changed since the last one sent. */
void sdnotify_status(struct sdnotify *n, const char *status);
/* WATCHDOG=1 when due: call on every pass of the event loop. */
void sdnotify_tick(struct sdnotify *n, uint64_t now);
/* When sdnotify_tick() is due, UINT64_MAX without a watchdog. */
uint64_t sdnotify_next_deadline(const struct sdnotify *n);
void sdnotify_stopping(struct sdnotify *n);

#endif
