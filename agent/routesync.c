// SPDX-License-Identifier: GPL-2.0-only
/*
 * routesync.c - route sync's logic: this unit's routes to the peer while
 * master, the peer's as copies here (see routesync.h).
 */
#include <errno.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "routesync.h"

/*
 * A bucket's routes go in one step of a bulk: their records wait for
 * this much room in the stream, unless the bucket alone needs more.
 */
#define BULK_ROOM_MIN	512

static bool rs_master(const struct routesync *rs)
{
	return rs->owned != 0;
}

static uint64_t rs_hold_ns(const struct routesync *rs)
{
	return (uint64_t)rs->cfg->rto_route_hold_s * NS_PER_S;
}

/* ------------------------------------------------------------ sending */

static int push_rec(struct routesync *rs, const struct route_rec *rec)
{
	uint8_t buf[ROUTE_REC_LEN];

	route_rec_put(buf, rec);
	return rs->ops.push(rs->ops.arg, buf);
}

static int push_marker(struct routesync *rs, uint8_t op)
{
	struct route_rec rec = { .op = op };

	return push_rec(rs, &rec);
}

/* A route (ADD: each of its next hops) or its withdrawal (DEL). */
static int push_route(struct routesync *rs, uint8_t op, const struct route *r)
{
	unsigned int n = op == ROUTE_OP_ADD ? route_rec_count(r) : 1;
	struct route_rec rec;
	int err;

	for (unsigned int i = 0; i < n; i++) {
		route_rec_of(&rec, op, r, i);
		err = push_rec(rs, &rec);
		if (err)
			return err;
	}
	rs->sent++;
	return 0;
}

static void bulk_start(struct routesync *rs)
{
	rs->bulk = true;
	rs->bulk_begun = false;
	rs->bulk_bucket = 0;
}

static void start_streaming(struct routesync *rs)
{
	rs->streaming = true;
	bulk_start(rs);
}

static void stop_streaming(struct routesync *rs)
{
	if (rs->streaming)
		push_marker(rs, ROUTE_OP_STOP);
	rs->streaming = false;
	rs->bulk = false;
}

void routesync_restart(struct routesync *rs)
{
	if (rs->on && rs->streaming)
		bulk_start(rs);
}

/*
 * A push failed: -ENOBUFS restarted the stream, and the bulk with it
 * (routesync_restart()): it goes on at the next call. Anything else
 * (no peer) ends it; the peer gets one when it joins.
 */
static bool bulk_failed(struct routesync *rs, int err)
{
	if (err == -ENOBUFS)
		return false;
	rs->bulk = false;
	return true;
}

/* The records a bucket of own takes. */
static unsigned int bucket_records(const struct routesync *rs, unsigned int b)
{
	unsigned int n = 0;

	for (const struct route_ent *e = route_table_bucket(&rs->own, b); e;
	     e = e->next)
		if (route_syncable(&e->r, rs->cfg->ha_if))
			n += route_rec_count(&e->r);
	return n;
}

bool routesync_bulk(struct routesync *rs)
{
	int err;

	if (!rs->bulk)
		return true;
	if (!rs->streaming) {
		rs->bulk = false;
		return true;
	}
	if (!rs->bulk_begun) {
		err = push_marker(rs, ROUTE_OP_BEGIN);
		if (err)
			return bulk_failed(rs, err);
		rs->bulk_begun = true;
	}
	for (; rs->bulk_bucket < ROUTE_BUCKETS; rs->bulk_bucket++) {
		unsigned int b = rs->bulk_bucket, need = bucket_records(rs, b);
		unsigned int room = rs->ops.room(rs->ops.arg);

		if (need > room && room < BULK_ROOM_MIN)
			return false;	/* the acks will make room */
		const struct route_ent *e = route_table_bucket(&rs->own, b);

		for (; e; e = e->next) {
			if (!route_syncable(&e->r, rs->cfg->ha_if))
				continue;
			err = push_route(rs, ROUTE_OP_ADD, &e->r);
			if (err)
				return bulk_failed(rs, err);
		}
	}
	err = push_marker(rs, ROUTE_OP_END);
	if (err)
		return bulk_failed(rs, err);
	rs->bulk = false;
	rs->bulks++;
	pr_info("route sync: %u routes sent to the peer",
		rs->own_synced);
	return true;
}

/* ------------------------------------------------------------- copies */

static uint64_t withdraw_delay_ns(const struct routesync *rs)
{
	uint64_t d = (uint64_t)rs->cfg->hb_interval_ms * NS_PER_MS *
		     rs->cfg->hb_threshold * ROUTESYNC_WITHDRAW_MULT;

	return d > ROUTESYNC_WITHDRAW_MIN_NS ? d : ROUTESYNC_WITHDRAW_MIN_NS;
}

/* The peer withdrew a copy: it goes in a moment (see routesync.h). */
static void withdraw(struct routesync *rs, struct route_ent *e, uint64_t now)
{
	if (e->state & ROUTESYNC_WITHDRAWN)
		return;
	e->state |= ROUTESYNC_WITHDRAWN;
	e->due_ns = now + withdraw_delay_ns(rs);
	if (!rs->withdrawing++ || e->due_ns < rs->withdraw_due_ns)
		rs->withdraw_due_ns = e->due_ns;
}

static void unwithdraw(struct routesync *rs, struct route_ent *e)
{
	if (!(e->state & ROUTESYNC_WITHDRAWN))
		return;
	e->state &= ~ROUTESYNC_WITHDRAWN;
	rs->withdrawing--;
}


static void copy_install(struct routesync *rs, struct route_ent *e)
{
	struct route copy;
	int err;

	route_copy_of(&copy, &e->r);
	err = rs->ops.install(rs->ops.arg, &copy);
	if (err) {
		/* Tried again later (a device missing, down...). */
		e->state &= ~ROUTESYNC_INSTALLED;
		if (!rs->retry_pending)
			rs->retry_ns = 0;	/* set at the next tick */
		rs->retry_pending = true;
		rs->install_errors++;
		return;
	}
	e->state |= ROUTESYNC_INSTALLED;
	rs->installed++;
	rs->fib_changed = true;
}

static void copy_remove(struct routesync *rs, struct route_ent *e)
{
	struct route copy;

	/* Removed whether it was installed or not: a failed replace may
	 * have left the older version. */
	route_copy_of(&copy, &e->r);
	if (rs->ops.remove(rs->ops.arg, &copy))
		rs->install_errors++;
	unwithdraw(rs, e);
	route_table_del(&rs->copies, e);
	rs->fib_changed = true;
}

/* Removes the copies a test picks; returns how many went. */
static unsigned int copies_remove_if(struct routesync *rs,
				     bool (*pick)(struct routesync *rs,
						  const struct route_ent *e))
{
	unsigned int n = 0;

	for (unsigned int b = 0; rs->copies.n && b < ROUTE_BUCKETS; b++) {
		struct route_ent *e = route_table_bucket(&rs->copies, b), *next;

		for (; e; e = next) {
			next = e->next;
			if (pick && !pick(rs, e))
				continue;
			copy_remove(rs, e);
			n++;
		}
	}
	if (!rs->copies.n) {
		rs->retry_pending = false;
		rs->orphan_until_ns = 0;
	}
	return n;
}

/* The withdrawals that are due: removed; the next one's time kept. */
static void withdrawals_due(struct routesync *rs, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (unsigned int b = 0; rs->withdrawing && b < ROUTE_BUCKETS; b++) {
		struct route_ent *e = route_table_bucket(&rs->copies, b), *nx;

		for (; e; e = nx) {
			nx = e->next;
			if (!(e->state & ROUTESYNC_WITHDRAWN))
				continue;
			if (e->due_ns > now) {
				if (e->due_ns < next)
					next = e->due_ns;
				continue;
			}
			copy_remove(rs, e);
			rs->withdrawn++;
		}
	}
	rs->withdraw_due_ns = next;
}

/* The peer failed, or this unit takes over: its last words are moot. */
static void withdrawals_drop(struct routesync *rs)
{
	unsigned int n = rs->withdrawing;

	if (!n)
		return;
	for (unsigned int b = 0; rs->withdrawing && b < ROUTE_BUCKETS; b++)
		for (struct route_ent *e = route_table_bucket(&rs->copies, b);
		     e; e = e->next)
			unwithdraw(rs, e);
	rs->withdrawals_dropped += n;
	pr_info("route sync: %u withdrawals of the peer's not applied: it "
		"stopped or failed meanwhile", n);
}

static bool copy_superseded(struct routesync *rs, const struct route_ent *e)
{
	return route_table_has_prefix(&rs->own, &e->r.k);
}

/*
 * A master whose peer no longer streams forwards by its own routes where
 * it has them: a copy of a prefix the unit routes itself goes, so that
 * it does not outlive its own route's withdrawal.
 */
static void supersede(struct routesync *rs)
{
	unsigned int n;

	if (!rs_master(rs) || rs->peer_streams || !rs->copies.n)
		return;
	n = copies_remove_if(rs, copy_superseded);
	if (!n)
		return;
	rs->superseded += n;
	pr_info("route sync: %u copies gave way to this unit's own routes, "
		"%u left", n, rs->copies.n);
}

static void copy_put(struct routesync *rs, const struct route *r)
{
	bool changed;
	struct route_ent *e = route_table_put(&rs->copies, r, &changed);

	rs->received++;
	if (!e) {
		rs->table_full++;
		return;
	}
	e->gen = rs->copy_gen;
	unwithdraw(rs, e);
	if (changed || !(e->state & ROUTESYNC_INSTALLED))
		copy_install(rs, e);
}

/* The peer's whole table came: what it did not send again is gone. */
static void end_of_table(struct routesync *rs, uint64_t now)
{
	for (unsigned int b = 0; rs->copies.n && b < ROUTE_BUCKETS; b++)
		for (struct route_ent *e = route_table_bucket(&rs->copies, b);
		     e; e = e->next)
			if (e->gen != rs->copy_gen)
				withdraw(rs, e, now);
	pr_info("route sync: %u routes from the peer",
		rs->copies.n - rs->withdrawing);
}

/* The peer stopped streaming, or was lost: its copies are orphans. */
static void orphan(struct routesync *rs, uint64_t now, const char *why)
{
	rs->peer_streams = false;
	withdrawals_drop(rs);
	if (!rs->copies.n || rs->orphan_until_ns)
		return;
	rs->orphan_until_ns = now + rs_hold_ns(rs);
	pr_info("route sync: %s; its %u routes stay for %u s, or until this "
		"unit's own replace them", why, rs->copies.n,
		rs->cfg->rto_route_hold_s);
	supersede(rs);
}

static void apply_add(struct routesync *rs, const struct route_rec *rec)
{
	const struct route *r;
	int ret = route_asm_add(&rs->rasm, rec, &r);

	if (ret < 0)
		rs->bad_records++;
	else if (ret > 0)
		copy_put(rs, r);
}

static void apply_del(struct routesync *rs, const struct route_key *k,
		      uint64_t now)
{
	struct route_ent *e = route_table_find(&rs->copies, k);

	rs->received++;
	if (e)
		withdraw(rs, e, now);
}

void routesync_apply(struct routesync *rs, const uint8_t rec[ROUTE_REC_LEN],
		     uint64_t now)
{
	struct route_rec r;

	if (!rs->on)
		return;		/* this unit does not take them */
	if (route_rec_get(rec, &r)) {
		rs->bad_records++;
		return;
	}
	/* Held by the metric its copy has in the kernel (route.h). */
	if (r.k.metric > ROUTE_METRIC_MASK)
		r.k.metric = ROUTE_METRIC_MASK;
	switch (r.op) {
	case ROUTE_OP_BEGIN:
		rs->copy_gen++;
		rs->peer_streams = true;
		rs->orphan_until_ns = 0;
		rs->rasm.next = 0;
		break;
	case ROUTE_OP_END:
		end_of_table(rs, now);
		break;
	case ROUTE_OP_STOP:
		orphan(rs, now, "the peer stopped sending its routes");
		break;
	case ROUTE_OP_DEL:
		apply_del(rs, &r.k, now);
		break;
	case ROUTE_OP_ADD:
		apply_add(rs, &r);
		break;
	}
}

/* Copies that failed, tried again, a few each round. */
static void retry(struct routesync *rs, uint64_t now)
{
	unsigned int tried = 0;

	rs->retry_pending = false;
	rs->retry_ns = now + ROUTESYNC_RETRY_NS;
	for (unsigned int b = 0; b < ROUTE_BUCKETS; b++)
		for (struct route_ent *e = route_table_bucket(&rs->copies, b);
		     e; e = e->next) {
			if (e->state & ROUTESYNC_INSTALLED)
				continue;
			if (tried++ == ROUTESYNC_RETRY_MAX) {
				rs->retry_pending = true;	/* the rest */
				return;
			}
			copy_install(rs, e);
		}
	/* copy_install() set retry_pending again for those that failed. */
	rs->retry_ns = now + ROUTESYNC_RETRY_NS;
}

/* -------------------------------------------------------- own routes */

void routesync_note_change(struct routesync *rs, uint64_t now)
{
	if (!rs->scan_due || rs->scan_at_ns > now + ROUTESYNC_SCAN_DELAY_NS) {
		rs->scan_due = true;
		rs->scan_at_ns = now + ROUTESYNC_SCAN_DELAY_NS;
	}
}

bool routesync_scan_due(const struct routesync *rs, uint64_t now)
{
	return rs->on && rs->scan_due && !rs->scanning && now >= rs->scan_at_ns;
}

void routesync_scan_begin(struct routesync *rs)
{
	rs->scanning = true;
	rs->scan_due = false;
	rs->own_gen++;
	rs->scans++;
}

/* A copy in the kernel that no copy held here accounts for. */
static void scan_copy(struct routesync *rs, const struct route *r)
{
	struct route_key k = r->k;
	struct route_ent *e;

	k.metric &= ROUTE_METRIC_MASK;
	e = route_table_find(&rs->copies, &k);
	if (e)
		return;
	/* An earlier run's, or one the kernel kept when asked to remove
	 * it: nobody vouches for it any more. */
	if (!rs->ops.remove(rs->ops.arg, r))
		rs->dropped++;
}

void routesync_scan_route(struct routesync *rs, const struct route *r)
{
	struct route_ent *e;
	bool was, is, changed;

	if (!rs->scanning)
		return;
	if (r->protocol == ROUTE_PROTO_NSRPD) {
		scan_copy(rs, r);
		return;
	}
	e = route_table_find(&rs->own, &r->k);
	was = e && route_syncable(&e->r, rs->cfg->ha_if);
	is = route_syncable(r, rs->cfg->ha_if);
	e = route_table_put(&rs->own, r, &changed);
	if (!e) {
		rs->table_full++;
		return;
	}
	e->gen = rs->own_gen;
	if (!changed)
		return;
	rs->fib_changed = true;
	if (!rs->streaming)
		return;
	if (is)
		push_route(rs, ROUTE_OP_ADD, r);
	else if (was)
		push_route(rs, ROUTE_OP_DEL, r);
}

void routesync_scan_end(struct routesync *rs, uint64_t now)
{
	unsigned int synced = 0;

	if (!rs->scanning)
		return;
	rs->scanning = false;
	for (unsigned int b = 0; b < ROUTE_BUCKETS; b++) {
		struct route_ent *e = route_table_bucket(&rs->own, b), *next;

		for (; e; e = next) {
			bool syncable = route_syncable(&e->r, rs->cfg->ha_if);

			next = e->next;
			if (e->gen == rs->own_gen) {
				synced += syncable;
				continue;
			}
			if (rs->streaming && syncable)
				push_route(rs, ROUTE_OP_DEL, &e->r);
			route_table_del(&rs->own, e);
			rs->fib_changed = true;
		}
	}
	rs->own_synced = synced;
	supersede(rs);
	/* Events can be lost unseen: a dump now and then, whatever comes. */
	if (!rs->scan_due) {
		rs->scan_due = true;
		rs->scan_at_ns = now + ROUTESYNC_RESCAN_NS;
	}
}

void routesync_scan_failed(struct routesync *rs, uint64_t now)
{
	rs->scanning = false;
	rs->scan_due = true;
	rs->scan_at_ns = now + ROUTESYNC_RETRY_NS;
}

/* ------------------------------------------------------ roles, peer */

void routesync_takeover(struct routesync *rs, unsigned int vsd, uint64_t now)
{
	bool was = rs_master(rs);

	(void)now;
	if (vsd < 32)
		rs->owned |= 1u << vsd;
	if (!rs->on || was)
		return;
	withdrawals_drop(rs);
	start_streaming(rs);
	supersede(rs);
}

void routesync_released(struct routesync *rs, unsigned int vsd, uint64_t now)
{
	bool was = rs_master(rs);
	unsigned int n;

	(void)now;
	if (vsd < 32)
		rs->owned &= ~(1u << vsd);
	if (!rs->on || !was || rs_master(rs))
		return;
	stop_streaming(rs);
	/* What it held of the previous master: the new one's come instead. */
	if (rs->peer_streams || !rs->copies.n)
		return;
	n = copies_remove_if(rs, NULL);
	rs->dropped += n;
	pr_info("route sync: no longer master, %u routes of the former "
		"master dropped", n);
}

void routesync_peer_lost(struct routesync *rs, uint64_t now)
{
	if (rs->on)
		orphan(rs, now, "the peer is lost");
}

/* -------------------------------------------------------------- loop */

static void turn_on(struct routesync *rs, uint64_t now)
{
	rs->on = true;
	rs->scan_due = true;
	rs->scan_at_ns = now;
	if (rs_master(rs))
		start_streaming(rs);
	pr_info("route sync: enabled");
}

static void turn_off(struct routesync *rs)
{
	stop_streaming(rs);
	routesync_clear(rs);
	for (unsigned int b = 0; b < ROUTE_BUCKETS; b++) {
		struct route_ent *e = route_table_bucket(&rs->own, b), *next;

		for (; e; e = next) {
			next = e->next;
			route_table_del(&rs->own, e);
		}
	}
	rs->on = false;
	rs->peer_streams = false;
	rs->scanning = rs->scan_due = false;
	rs->own_synced = 0;
	pr_info("route sync: disabled");
}

void routesync_tick(struct routesync *rs, uint64_t now)
{
	if (rs->cfg->rto_mirror_route != rs->on) {
		if (rs->on)
			turn_off(rs);
		else
			turn_on(rs, now);
	}
	if (!rs->on)
		return;
	if (rs->withdrawing && now >= rs->withdraw_due_ns)
		withdrawals_due(rs, now);
	if (rs->orphan_until_ns && now >= rs->orphan_until_ns) {
		unsigned int n = copies_remove_if(rs, NULL);

		rs->expired += n;
		pr_info("route sync: hold-time over, %u routes of the former "
			"master removed", n);
	}
	if (rs->retry_pending && !rs->retry_ns)
		rs->retry_ns = now + ROUTESYNC_RETRY_NS;
	else if (rs->retry_pending && now >= rs->retry_ns)
		retry(rs, now);
	if (rs->bulk)
		routesync_bulk(rs);
}

uint64_t routesync_next_deadline(const struct routesync *rs, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	if (!rs->on)
		return rs->cfg->rto_mirror_route ? now : next;
	if (rs->scan_due && !rs->scanning)
		next = rs->scan_at_ns;
	if (rs->orphan_until_ns && rs->orphan_until_ns < next)
		next = rs->orphan_until_ns;
	if (rs->retry_pending && rs->retry_ns < next)
		next = rs->retry_ns;
	if (rs->withdrawing && rs->withdraw_due_ns < next)
		next = rs->withdraw_due_ns;
	if (rs->bulk && rs->ops.room(rs->ops.arg))
		next = now;
	return next;
}

bool routesync_take_fib_changed(struct routesync *rs)
{
	bool c = rs->fib_changed;

	rs->fib_changed = false;
	return c;
}

const struct route_ent *routesync_copy_of(const struct routesync *rs,
					  const struct route_key *k)
{
	struct route_key m = *k;

	m.metric &= ROUTE_METRIC_MASK;
	return route_table_find(&rs->copies, &m);
}

/* ------------------------------------------------------------ set up */

void routesync_clear(struct routesync *rs)
{
	unsigned int n = copies_remove_if(rs, NULL);

	if (n)
		pr_info("route sync: %u routes of the peer removed", n);
}

int routesync_init(struct routesync *rs, const struct nsrp_config *cfg,
		   const struct routesync_ops *ops)
{
	int err;

	memset(rs, 0, sizeof(*rs));
	rs->cfg = cfg;
	rs->ops = *ops;
	err = route_table_init(&rs->own);
	if (!err)
		err = route_table_init(&rs->copies);
	return err;
}

void routesync_fini(struct routesync *rs)
{
	route_table_free(&rs->own);
	route_table_free(&rs->copies);
}
