/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * routesync.h - route sync, "set nsrp rto-mirror route": the master's
 * routes as run-time objects, held by the backup, ready at takeover.
 *
 * Master: the unit follows its own routes (the kernel's main table, as
 * dumps read after each change show it: routesync_scan_*()) and, while
 * it is master of a group, sends the peer every change, on the RTO
 * stream (sync.h), as the sessions go: reliably, in order, and the whole
 * table in bulk when the stream starts over (a joining peer's cold
 * start), between a BEGIN and an END marker. When it stops being
 * master it says so (STOP) and sends nothing more.
 *
 * Backup: what the peer sends is installed in the kernel as copies
 * (route.h: a protocol of nsrpd's own, a metric behind the unit's own
 * routes), removed when the peer withdraws them, or did not send them
 * again between BEGIN and END: a moment later (ROUTESYNC_WITHDRAW_*),
 * and not at all if the peer stops or fails meanwhile, since a failing
 * master loses routes as it goes down. The copies stay
 * when the unit takes over: they are what it forwards by until its own
 * routing daemon, now able to peer from the VSI addresses, installs its
 * routes. Once the peer stopped streaming (it stepped down, or was
 * lost), a copy goes when a route of the unit's own appears for its
 * prefix (the unit is master), and all of them go after
 * "set nsrp rto-mirror route hold-time" seconds. A unit that stops being
 * master drops its copies: the new master's routes come in their place.
 *
 * The logic is here; the kernel and the stream are reached through
 * struct routesync_ops, so that a test can drive it. Time is an
 * argument.
 */
#ifndef NSRPD_ROUTESYNC_H
#define NSRPD_ROUTESYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "route.h"

#define ROUTESYNC_SCAN_DELAY_NS	(20 * NS_PER_MS)	/* a burst, gathered */
#define ROUTESYNC_RESCAN_NS	(30 * NS_PER_S)	/* a dump now and then */
#define ROUTESYNC_RETRY_NS	(1 * NS_PER_S)	/* copies that failed */
#define ROUTESYNC_RETRY_MAX	64		/* retried per round */

/*
 * The peer's withdrawals wait twice the time it takes to find a unit
 * dead (heartbeat interval x threshold), and 3 s at least: a master that
 * is failing (a monitored link gone, the routing daemon reacting to it)
 * loses routes on its way down, and those are the ones the unit taking
 * over needs. A backup does not forward: the wait costs nothing.
 */
#define ROUTESYNC_WITHDRAW_MULT	2
#define ROUTESYNC_WITHDRAW_MIN_NS	(3 * NS_PER_S)

/* State of a copies entry. */
#define ROUTESYNC_INSTALLED	0x01	/* the copy is in the kernel */
#define ROUTESYNC_WITHDRAWN	0x02	/* to go at due_ns */

struct routesync_ops {
	/* The kernel: a copy installed (replacing), or removed. */
	int (*install)(void *arg, const struct route *copy);
	int (*remove)(void *arg, const struct route *copy);
	/*
	 * The stream: one record queued for the peer. 0; -ENOTCONN when it
	 * takes none (no peer: it gets the whole table when it joins);
	 * -ENOBUFS when it overflowed and starts over (routesync_restart()
	 * was called meanwhile).
	 */
	int (*push)(void *arg, const uint8_t rec[ROUTE_REC_LEN]);
	/* Records the stream takes now, without waiting for acks. */
	unsigned int (*room)(void *arg);
	void *arg;
};

struct routesync {
	const struct nsrp_config *cfg;	/* the daemon's, swapped in place */
	struct routesync_ops ops;
	bool on;			/* cfg's rto-mirror route, as acted on */
	uint32_t owned;			/* groups this unit is master of */

	/* This unit's routes, as the last dump showed them. */
	struct route_table own;
	uint32_t own_gen;
	unsigned int own_synced;	/* of them, those the peer gets */
	bool scanning;			/* a dump is being read */
	bool scan_due;
	uint64_t scan_at_ns;		/* the next dump starts then */

	/* Sending: the whole table, between BEGIN and END. */
	bool streaming;			/* master: changes go to the peer */
	bool bulk;
	bool bulk_begun;		/* BEGIN is queued */
	unsigned int bulk_bucket;	/* the next bucket of own to send */

	/* Receiving: the peer's routes, and their copies here. */
	struct route_table copies;
	struct route_asm rasm;
	uint32_t copy_gen;
	bool peer_streams;		/* since its BEGIN, until STOP or loss */
	uint64_t orphan_until_ns;	/* 0: the peer streams, or no copies */
	bool retry_pending;		/* copies failed to go in */
	unsigned int withdrawing;	/* copies withdrawn, not yet removed */
	uint64_t withdraw_due_ns;	/* the first of them goes then */
	uint64_t retry_ns;		/* 0: set at the next tick */
	bool fib_changed;		/* since routesync_take_fib_changed() */

	/* Counters, since start. */
	uint64_t scans, sent, bulks, received, bad_records;
	uint64_t installed, install_errors, withdrawn, superseded, expired;
	uint64_t withdrawals_dropped;	/* the master failed meanwhile */
	uint64_t dropped, table_full;
};

int routesync_init(struct routesync *rs, const struct nsrp_config *cfg,
		   const struct routesync_ops *ops);
/* Forgets every route; the kernel keeps the copies (routesync_clear()). */
void routesync_fini(struct routesync *rs);
/* Removes every copy from the kernel (a unit that stops, or turns off). */
void routesync_clear(struct routesync *rs);

/* -------------------------------------------------- this unit's routes */

/* The kernel's routes changed: a dump is due shortly. */
void routesync_note_change(struct routesync *rs, uint64_t now);
/* A dump is due now (the caller starts it and feeds what it reads). */
bool routesync_scan_due(const struct routesync *rs, uint64_t now);
void routesync_scan_begin(struct routesync *rs);
/* One route of the dump; copies (ROUTE_PROTO_NSRPD) are skipped here. */
void routesync_scan_route(struct routesync *rs, const struct route *r);
void routesync_scan_end(struct routesync *rs, uint64_t now);
/* The dump failed: another one a little later. */
void routesync_scan_failed(struct routesync *rs, uint64_t now);

/* -------------------------------------------------------------- stream */

/* One record from the peer, in stream order. */
void routesync_apply(struct routesync *rs, const uint8_t rec[ROUTE_REC_LEN],
		     uint64_t now);
/* The stream starts over: the whole table is due again. */
void routesync_restart(struct routesync *rs);
/* Queues what the stream has room for of a bulk; true when none is left. */
bool routesync_bulk(struct routesync *rs);

/* ------------------------------------------------------ roles and peer */

void routesync_takeover(struct routesync *rs, unsigned int vsd, uint64_t now);
void routesync_released(struct routesync *rs, unsigned int vsd, uint64_t now);
void routesync_peer_lost(struct routesync *rs, uint64_t now);

/* Timers, the configuration's changes, the bulk: on every pass. */
void routesync_tick(struct routesync *rs, uint64_t now);
uint64_t routesync_next_deadline(const struct routesync *rs, uint64_t now);

/* Copies came or went, or this unit's routes changed, since last asked. */
bool routesync_take_fib_changed(struct routesync *rs);

/* The copy held of the peer's route whose copy in the kernel is k. */
const struct route_ent *routesync_copy_of(const struct routesync *rs,
					  const struct route_key *k);

#endif
