// SPDX-License-Identifier: GPL-2.0-only
/*
 * sdnotify.c - READY, STATUS and the watchdog for systemd (see
 * sdnotify.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "clock.h"
#include "log.h"
#include "sdnotify.h"

static void sdnotify_send(struct sdnotify *n, const char *what)
{
	int err = sd_notify(0, what);

	/* 0: nobody listens (no NOTIFY_SOCKET); < 0: it failed. */
	if (err < 0 && !n->errors++)
		pr_warn("systemd notification failed: %s", strerror(-err));
}

void sdnotify_init(struct sdnotify *n, uint64_t now)
{
	uint64_t usec = 0;

	memset(n, 0, sizeof(*n));
	n->on = getenv("NOTIFY_SOCKET") != NULL;
	if (!n->on)
		return;
	/* Checks WATCHDOG_PID too: a watchdog meant for our parent is not ours. */
	if (sd_watchdog_enabled(0, &usec) > 0 && usec) {
		n->watchdog_ns = usec * NS_PER_US;
		n->next_ping_ns = now;
		pr_info("systemd watchdog: %llu ms, pinged every %llu ms",
			(unsigned long long)(n->watchdog_ns / NS_PER_MS),
			(unsigned long long)(n->watchdog_ns / 2 / NS_PER_MS));
	}
}

static void sdnotify_put(struct sdnotify *n, const char *head,
			 const char *status)
{
	char msg[SDNOTIFY_STATUS_LEN + 32];

	snprintf(n->status, sizeof(n->status), "%s", status);
	snprintf(msg, sizeof(msg), "%sSTATUS=%s", head, n->status);
	sdnotify_send(n, msg);
}

void sdnotify_ready(struct sdnotify *n, const char *status)
{
	if (!n->on)
		return;
	if (n->ready) {
		sdnotify_status(n, status);
		return;
	}
	n->ready = true;
	sdnotify_put(n, "READY=1\n", status);
}

void sdnotify_status(struct sdnotify *n, const char *status)
{
	if (n->on && strcmp(n->status, status))
		sdnotify_put(n, "", status);
}

/*
 * Every half of the watchdog's time, as sd_watchdog_enabled(3) advises:
 * a pass of the loop late by less than that still pings in time.
 */
void sdnotify_tick(struct sdnotify *n, uint64_t now)
{
	if (!n->watchdog_ns || now < n->next_ping_ns)
		return;
	sdnotify_send(n, "WATCHDOG=1");
	n->pings++;
	n->next_ping_ns = now + n->watchdog_ns / 2;
}

uint64_t sdnotify_next_deadline(const struct sdnotify *n)
{
	return n->watchdog_ns ? n->next_ping_ns : UINT64_MAX;
}

void sdnotify_stopping(struct sdnotify *n)
{
	if (n->on)
		sdnotify_send(n, "STOPPING=1");
}
