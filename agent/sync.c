// SPDX-License-Identifier: GPL-2.0-only
/*
 * sync.c - run-time object sync over the HA link (see sync.h).
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>

#include "ageout.h"
#include "clock.h"
#include "log.h"
#include "sync.h"

_Static_assert(NEIGH_REC_LEN == PROTO_NEIGH_LEN, "neighbour record size");

#define SYNC_RTO_NS		(40 * NS_PER_MS)	/* retransmission */
#define SYNC_REQUEST_NS		(1 * NS_PER_S)		/* cold start asks */
#define SYNC_NEIGH_NS		(2 * NS_PER_S)
#define SYNC_STALL_NS		(3 * NS_PER_S)		/* the alarm */
#define SYNC_AGEOUT_HOLD_NS	(2 * NS_PER_S)		/* awaiting a reply */
#define SYNC_BULK_READS		8	/* steps per pass of the loop, most */
#define SYNC_FRAMES_PER_TICK	512	/* so the loop is never starved */
/*
 * Records acknowledged together, as TCP delays its acks: an ack goes out
 * SYNC_ACK_DELAY_NS after the first frame it covers, or at once when
 * SYNC_ACK_RECORDS are owed, several times per window, so the sender
 * never waits on it. Counted in records, not frames: a window is some 50
 * jumbo frames but 300 of 1500 bytes. Each ack wakes the sender: one per
 * frame was a good part of a busy master's CPU. The delay is far
 * below the retransmission timeout, and the records are applied when
 * received, not when acknowledged.
 */
#define SYNC_ACK_RECORDS	(RTO_WINDOW / 8)
#define SYNC_ACK_DELAY_NS	(1 * NS_PER_MS)

static bool sync_enabled(const struct sync *s)
{
	return s->cfg->rto_mirror_sync && s->dp->fd_sess >= 0;
}

/* Sync is on and the peer is there to take it. */
static bool sync_live(const struct sync *s)
{
	return sync_enabled(s) && s->peer_present;
}

static void sync_expiry_seen(struct sync *s, uint64_t t)
{
	if (t < s->soonest_expiry_ns)
		s->soonest_expiry_ns = t;
}

uint64_t sync_take_soonest_expiry(struct sync *s)
{
	uint64_t t = s->soonest_expiry_ns;

	s->soonest_expiry_ns = UINT64_MAX;
	return t;
}

static int sync_send_msg(struct sync *s, uint16_t kind, uint32_t id,
			 const uint8_t *data, size_t len)
{
	struct proto_msg m = { .kind = kind, .id = id, .data_len = len,
			       .data = data };

	return hasess_send_msg(s->ha, PROTO_T_REQUEST, &m);
}

/* ---------------------------------------------------------------- sender */

/* Starts the stream over and sends the whole table. */
static void sync_resync(struct sync *s, const char *why)
{
	rto_tx_restart(&s->tx);
	memset(&s->cursor, 0, sizeof(s->cursor));
	s->bulk = true;
	s->bulk_records = 0;
	s->resyncs++;
	pr_info("RTO sync: bulk sync to the peer (%s)", why);
}

static void sync_queue_event(struct sync *s, struct nsrp_event *ev,
			     uint64_t now)
{
	uint8_t rec[PROTO_EVENT_LEN];

	sesstab_to_wire(ev, now);
	proto_event_put(rec, ev);
	if (rto_tx_push(&s->tx, PROTO_SYNC_SESSION, rec, sizeof(rec))) {
		s->overflows++;
		sync_resync(s, "the peer fell too far behind");
	}
}

void sync_event(struct sync *s, const struct nsrp_event *ev, uint64_t now)
{
	struct nsrp_event e = *ev;

	s->events++;
	/* The peer's own sessions are its to report. */
	if (ev->sess.flags & NSRP_SF_FROM_PEER) {
		s->events_from_peer++;
		return;
	}
	if (!sync_live(s)) {
		s->events_idle++;	/* it gets them in bulk on joining */
		return;
	}
	sync_queue_event(s, &e, now);
}

static void sync_push_mark(struct sync *s, uint32_t what)
{
	uint8_t rec[PROTO_MARK_LEN];

	proto_mark_put(rec, what);
	if (rto_tx_push(&s->tx, PROTO_SYNC_MARK, rec, sizeof(rec)))
		sync_resync(s, "the peer fell too far behind");
}

/*
 * Chunks of the bulk sync, while the window has room for them, and a few
 * per pass of the loop: a map of the peer's own sessions, or of expired
 * ones, queues nothing, and read whole in one pass it held every
 * heartbeat back for a third of a second per million entries.
 */
static void sync_bulk_step(struct sync *s, uint64_t now)
{
	int n;

	for (int step = 0; step < SYNC_BULK_READS && s->bulk &&
			   rto_tx_pending(&s->tx) < RTO_WINDOW; step++) {
		n = sesstab_read(s->dp->fd_sess, &s->cursor, s->keys, s->vals,
				 SYNC_BULK_CHUNK);
		if (n < 0) {
			pr_warn("RTO sync: reading the session map: %s",
				strerror(-n));
			return;
		}
		for (int i = 0; i < n; i++) {
			struct nsrp_event ev = { .kind = NSRP_EV_CREATE,
						 .key = s->keys[i],
						 .sess = s->vals[i] };

			if (s->vals[i].flags & NSRP_SF_FROM_PEER ||
			    s->vals[i].expires_ns <= now)
				continue;
			sync_queue_event(s, &ev, now);
			s->bulk_records++;
		}
		if (!n || s->cursor.done) {
			s->bulk = false;
			sync_push_mark(s, RTO_MARK_BULK_END);
			s->bulk_end_seq = s->tx.tail;
			pr_info("RTO sync: bulk sync queued, %llu sessions",
				(unsigned long long)s->bulk_records);
		}
	}
}

/* A frame of the stream being sent: its room, and the pass's time. */
struct sync_frame_ctx {
	struct sync *s;
	size_t cap;
	uint64_t now;
};

/* How many records of a kind fit the frame. */
static unsigned int sync_recs_per_frame(uint8_t kind, void *arg)
{
	const struct sync_frame_ctx *x = arg;

	switch (kind) {
	case PROTO_SYNC_SESSION:
		return proto_sync_fit(x->cap, PROTO_EVENT_LEN);
	case PROTO_SYNC_NEIGH:
		return proto_sync_fit(x->cap, PROTO_NEIGH_LEN);
	default:
		return proto_sync_fit(x->cap, PROTO_MARK_LEN);
	}
}

/* The next frame of the stream, for hasess_send_stream(). */
static int sync_next_frame(void *arg, size_t cap, struct proto_sync *ps)
{
	struct sync_frame_ctx *x = arg;
	struct sync *s = x->s;
	struct rto_batch b;
	int n;

	x->cap = cap;
	n = rto_tx_next(&s->tx, x->now, sync_recs_per_frame, x, &b, s->recs,
			sizeof(s->recs));
	if (n <= 0)
		return n;
	*ps = (struct proto_sync){ .first_seq = b.first_seq, .count = b.count,
				   .rec_size = b.rec_size, .flags = b.flags,
				   .kind = b.kind, .recs = s->recs };
	if (s->bulk)
		ps->flags |= PROTO_SYNC_F_BULK;
	return n;
}

/* Sends what is due: new records, and those whose timeout ran out. */
static void sync_flush(struct sync *s, uint64_t now)
{
	struct sync_frame_ctx x = { .s = s, .now = now };

	s->frames_tx += hasess_send_stream(s->ha, sync_next_frame, &x,
					   SYNC_FRAMES_PER_TICK);
}

/* A stream nobody acknowledges for seconds is an alarm, not silence. */
static void sync_check_stall(struct sync *s, uint64_t now)
{
	uint64_t oldest = rto_tx_oldest_ns(&s->tx, now);

	if (oldest > SYNC_STALL_NS && !s->stall_alarm) {
		s->stall_alarm = true;
		pr_warn("RTO sync: the peer acknowledged nothing for %llu ms, "
			"%llu records waiting",
			(unsigned long long)(oldest / NS_PER_MS),
			(unsigned long long)rto_tx_pending(&s->tx));
	} else if (s->stall_alarm && oldest < SYNC_STALL_NS) {
		s->stall_alarm = false;
		pr_info("RTO sync: the peer acknowledges again");
	}
}

/* ------------------------------------------------------------- receiver */

static bool sync_owned(unsigned int vsd, void *arg)
{
	const struct sync *s = arg;

	return vsd < NSRPD_MAX_VSD && s->owned & 1u << vsd;
}

/*
 * The session records of a frame (and of the early ones it releases),
 * applied together: in the kernel, a block of NSRP_APPLY_MAX records per
 * syscall, or where the apply program did not load, by map syscalls with
 * a batch for the new entries. Held only while a frame is handled:
 * applied before anything else the stream carries, and before the frame
 * is acknowledged.
 */
static void sync_apply_flush(struct sync *s)
{
	struct sesstab_acct a = { 0 };
	unsigned int n = s->n_pending;
	uint64_t now = clock_now_ns();

	if (!n)
		return;
	s->n_pending = 0;
	sesstab_apply_many_prog(dp_apply_fd(s->dp), s->dp->fd_sess, s->pending,
				n, now, NSRPD_AGEOUT_MULT, sync_owned, s, &a);
	sync_expiry_seen(s, sesstab_copies_expire(s->pending, n, now,
						  NSRPD_AGEOUT_MULT));
	s->peer_created += a.created;
	s->peer_deleted += a.deleted;
	s->apply_errors += a.failed;
	s->skipped_owned += a.skipped;
	s->applied += n - a.failed - a.skipped;
}

static void sync_apply_session(struct sync *s, const uint8_t *rec)
{
	proto_event_get(rec, &s->pending[s->n_pending++]);
	if (s->n_pending == SYNC_APPLY_BATCH)
		sync_apply_flush(s);
}

static void sync_apply_neigh(struct sync *s, const uint8_t *rec)
{
	struct neigh_rec r;

	if (neigh_rec_get(rec, &r) || neigh_install(&r) < 0) {
		s->apply_errors++;
		return;
	}
	s->neigh_installed++;
	dp_nh_flush(s->dp);	/* the next-hop cache may hold the old MAC */
}

static void sync_apply_mark(struct sync *s, const uint8_t *rec)
{
	if (proto_mark_get(rec) != RTO_MARK_BULK_END)
		return;
	s->bulk_done++;
	if (!s->coldstart_done)
		pr_info("RTO sync: coldstart sync done");
	s->coldstart_done = true;
}

static int sync_apply(uint8_t kind, const uint8_t *rec, size_t len,
		      void *arg)
{
	struct sync *s = arg;

	(void)len;	/* the decoder checked it against the kind */
	if (kind != PROTO_SYNC_SESSION)
		sync_apply_flush(s);	/* the stream's order */
	switch (kind) {
	case PROTO_SYNC_SESSION:
		sync_apply_session(s, rec);
		break;
	case PROTO_SYNC_NEIGH:
		sync_apply_neigh(s, rec);
		break;
	case PROTO_SYNC_MARK:
		sync_apply_mark(s, rec);
		break;
	}
	return 0;
}

static void sync_send_ack(struct sync *s)
{
	struct proto_sync_ack a;

	s->ack_owed = 0;
	rto_rx_ack(&s->rx, &a);
	if (hasess_send_ack(s->ha, &a) >= 0)
		s->acks_tx++;
}

static void sync_rx_sync(void *arg, const struct hasess_frame *f)
{
	struct sync *s = arg;
	struct proto_sync ps;
	int err = proto_decode_sync(f->body, f->len, &ps);

	if (err) {
		hasess_count_drop(s->ha, err);
		return;
	}
	if (!s->cfg->rto_mirror_sync)
		return;		/* not acknowledged: the sender sees a stall */
	rto_rx_frame(&s->rx, f->h->epoch, &ps, sync_apply, s);
	sync_apply_flush(s);
	if (!s->ack_owed)
		s->ack_due_ns = f->now + SYNC_ACK_DELAY_NS;
	s->ack_owed += ps.count ? ps.count : 1;
	if (s->ack_owed >= SYNC_ACK_RECORDS)
		sync_send_ack(s);
}

static void sync_rx_ack(void *arg, const struct hasess_frame *f)
{
	struct sync *s = arg;
	struct proto_sync_ack a;
	int err = proto_decode_ack(f->body, f->len, &a);

	if (err) {
		hasess_count_drop(s->ha, err);
		return;
	}
	s->acks_rx++;
	rto_tx_ack(&s->tx, &a);
}

/* ------------------------------------------------------------ ageout-ack */

/*
 * The backup asks before it lets a copy expire (the seed's ageout-ack):
 * each record of the query names a session; the reply says, per session,
 * ACTIVE (busy: 8x its timeout again), IDLE (counting down: take its
 * remaining lifetime) or DELETE (gone on the master); the rules are
 * ageout.c's, the I/O is here.
 */
static void sync_ageout_query(struct sync *s, const struct nsrp_sess_key *k,
			      const struct nsrp_sess *v, unsigned int n,
			      uint64_t now)
{
	unsigned int per = (HASESS_MSG_MAX - hasess_overhead(s->ha) -
			    PROTO_HDR_LEN - PROTO_MSG_FIXED_LEN) /
			   PROTO_EVENT_LEN;
	uint64_t hold = ageout_expiry(now, SYNC_AGEOUT_HOLD_NS, 1);
	uint8_t data[HASESS_MSG_MAX];

	for (unsigned int i = 0; i < n; i += per) {
		unsigned int m = n - i < per ? n - i : per;

		for (unsigned int j = 0; j < m; j++) {
			struct nsrp_event ev = { .kind = NSRP_EV_REFRESH,
						 .key = k[i + j],
						 .sess = v[i + j] };

			proto_event_put(data + j * PROTO_EVENT_LEN, &ev);
			/* Not asked again until the reply is overdue. */
			sesstab_set_expiry(s->dp->fd_sess, &k[i + j], hold);
		}
		sync_expiry_seen(s, hold);
		if (!sync_send_msg(s, PROTO_REQ_AGEOUT_QUERY, 0, data,
				   m * PROTO_EVENT_LEN))
			s->ageout_queries += m;
	}
}

bool sync_ageout_ask(struct sync *s, const struct nsrp_sess_key *k,
		     const struct nsrp_sess *v, unsigned int n, uint64_t now)
{
	if (!s->cfg->rto_ageout_ack || !s->peer_present ||
	    hasess_sync_path(s->ha) < 0)
		return false;
	sync_ageout_query(s, k, v, n, now);
	return true;
}

/* Master: what its copy of each asked-for session says (ageout.h). */
static void sync_ageout_answer(struct sync *s, const struct proto_msg *m,
			       uint64_t now)
{
	unsigned int n = m->data_len / PROTO_EVENT_LEN;
	uint8_t out[HASESS_MSG_MAX];

	if (n * PROTO_EVENT_LEN > sizeof(out))
		return;
	for (unsigned int i = 0; i < n; i++) {
		struct nsrp_event ev;
		uint64_t lifetime;
		bool have;

		proto_event_get(m->data + i * PROTO_EVENT_LEN, &ev);
		have = !bpf_map_lookup_elem(s->dp->fd_sess, &ev.key, &ev.sess);
		ev.kind = ageout_verdict(have ? &ev.sess : NULL, now,
					 dp_state_timeout_ns(s->dp,
							     ev.sess.state),
					 dp_refresh_ns(s->dp), &lifetime);
		sesstab_to_wire(&ev, now);
		ev.sess.expires_ns = lifetime;	/* relative, on the wire */
		proto_event_put(out + i * PROTO_EVENT_LEN, &ev);
	}
	sync_send_msg(s, PROTO_REQ_AGEOUT_REPLY, m->id, out,
		      n * PROTO_EVENT_LEN);
}

/* Backup: the master's answer. */
static void sync_ageout_apply(struct sync *s, const struct proto_msg *m,
			      uint64_t now)
{
	unsigned int n = m->data_len / PROTO_EVENT_LEN;

	for (unsigned int i = 0; i < n; i++) {
		struct nsrp_event ev;
		uint64_t expires;
		int err;

		proto_event_get(m->data + i * PROTO_EVENT_LEN, &ev);
		err = ageout_backup_expiry(ev.kind, now, ev.sess.expires_ns,
					   NSRPD_AGEOUT_MULT, &expires);
		if (err == -ENOENT) {
			sesstab_delete(s->dp->fd_sess, &ev.key, 1);
			s->ageout_deleted++;
		} else if (!err) {
			sesstab_set_expiry(s->dp->fd_sess, &ev.key, expires);
			sync_expiry_seen(s, expires);
			s->ageout_kept++;
		}
		/* Anything else is no verdict: the copy is asked about
		 * again once its hold runs out. */
	}
}

/* ------------------------------------------------------------- requests */

/*
 * A bulk is queued or sent, its end marker not yet acknowledged, and the
 * stream moved within the last second: one that moves nothing is stuck,
 * and a new request starts it over.
 */
static bool sync_bulk_on_its_way(const struct sync *s, uint64_t now)
{
	if (!s->bulk && !(s->bulk_end_seq && s->tx.head < s->bulk_end_seq))
		return false;
	return rto_tx_oldest_ns(&s->tx, now) < SYNC_REQUEST_NS;
}

static void sync_rx_coldstart(struct sync *s, uint64_t now)
{
	/*
	 * The peer asks again each second until the bulk's end reaches it;
	 * a bulk on its way will, reliably, so only one that is not starts
	 * over. A peer that restarted has a new epoch, and that ends what
	 * was on its way already.
	 */
	if (sync_bulk_on_its_way(s, now))
		return;
	/*
	 * A unit that starts is heard by its peer at once, but may hear the
	 * peer only at its next heartbeat, an interval later; taking the
	 * peer in then starts the stream over. A request that comes first
	 * is served after that, not dropped: asked again a second later,
	 * the bulk would read the map while the peer's own bulk fills it.
	 */
	if (!s->peer_present) {
		s->peer_asked = true;
		return;
	}
	sync_resync(s, "the peer asked for it");
}

static void sync_rx_request(void *arg, const struct hasess_frame *f)
{
	struct sync *s = arg;
	struct proto_msg m;
	int err = proto_decode_msg(f->body, f->len, &m);

	if (err) {
		hasess_count_drop(s->ha, err);
		return;
	}
	if (!sync_enabled(s))
		return;
	switch (m.kind) {
	case PROTO_REQ_COLDSTART:
		sync_rx_coldstart(s, f->now);
		break;
	case PROTO_REQ_AGEOUT_QUERY:
		sync_ageout_answer(s, &m, f->now);
		break;
	case PROTO_REQ_AGEOUT_REPLY:
		sync_ageout_apply(s, &m, f->now);
		break;
	default:
		hasess_count_drop(s->ha, PROTO_R_BAD_RECORD);
	}
}

/* ------------------------------------------------------ expiry, neighbours */

void sync_expired(struct sync *s, const struct nsrp_sess_key *k,
		  const struct nsrp_sess *v, unsigned int n, uint64_t now)
{
	if (!sync_live(s))
		return;
	for (unsigned int i = 0; i < n; i++) {
		struct nsrp_event ev = { .kind = NSRP_EV_DELETE, .key = k[i],
					 .sess = v[i] };

		sync_queue_event(s, &ev, now);
	}
}

/* The master's neighbours on the cluster NICs, so the new one need not
 * resolve them before it can forward. */
static void sync_neighbours(struct sync *s)
{
	const char *names[NSRPD_MAX_IFACES];
	uint8_t rec[PROTO_NEIGH_LEN];
	int n;

	for (int i = 0; i < s->dp->n_ifaces; i++)
		names[i] = s->dp->ifaces[i].name;
	n = neigh_dump(names, s->dp->n_ifaces, s->neigh, SYNC_NEIGH_MAX);
	for (int i = 0; i < n; i++) {
		neigh_rec_put(rec, &s->neigh[i]);
		if (rto_tx_push(&s->tx, PROTO_SYNC_NEIGH, rec, sizeof(rec)))
			return;
		s->neigh_sent++;
	}
}

/* --------------------------------------------------------------- roles */

void sync_takeover(struct sync *s, unsigned int vsd, uint64_t now)
{
	if (vsd < NSRPD_MAX_VSD)
		s->owned |= 1u << vsd;
	s->next_neigh_ns = now;	/* the new master's turn to send */
}

void sync_released(struct sync *s, unsigned int vsd)
{
	if (vsd < NSRPD_MAX_VSD)
		s->owned &= ~(1u << vsd);
}

/* A fresh cold start is due: the peer returned or restarted. */
static void sync_restart(struct sync *s, uint64_t now)
{
	s->coldstart_done = false;
	s->next_request_ns = now;
	s->coldstart_deadline_ns =
		now + (uint64_t)s->cfg->rto_coldstart_wait_s * NS_PER_S;
	/* Whatever was queued for an earlier run of the peer is moot. */
	rto_tx_restart(&s->tx);
	s->bulk = false;
}

void sync_peer_up(struct sync *s, uint64_t epoch, bool returned,
		  uint64_t now)
{
	s->peer_epoch = epoch;
	s->peer_present = true;
	if (returned)
		sync_restart(s, now);
}

void sync_peer_lost(struct sync *s)
{
	s->peer_present = false;
}

void sync_request_full(struct sync *s, uint64_t now)
{
	sync_restart(s, now);
	pr_info("RTO sync: full resync from the peer requested");
}

bool sync_holds_preempt(const struct sync *s, uint64_t now)
{
	return sync_live(s) && !s->coldstart_done &&
	       now < s->coldstart_deadline_ns;
}

bool sync_busy(const struct sync *s, uint64_t now)
{
	return s->bulk || sync_holds_preempt(s, now);
}

void sync_flush_mark(struct sync *s)
{
	s->flush_mark = s->tx.tail;
}

bool sync_flushed(const struct sync *s)
{
	return !sync_live(s) || (s->tx.head >= s->flush_mark && !s->bulk);
}

/* ------------------------------------------------------------- the loop */

void sync_tick(struct sync *s, uint64_t now)
{
	if (s->ack_owed && now >= s->ack_due_ns)
		sync_send_ack(s);
	if (!sync_live(s))
		return;
	if (s->peer_epoch != s->synced_epoch) {
		s->synced_epoch = s->peer_epoch;
		sync_restart(s, now);
	}
	if (s->peer_asked) {
		s->peer_asked = false;
		sync_resync(s, "the peer asked for it");
	}
	if (!s->coldstart_done && now >= s->next_request_ns) {
		s->next_request_ns = now + SYNC_REQUEST_NS;
		sync_send_msg(s, PROTO_REQ_COLDSTART, 0, NULL, 0);
	}
	if (now >= s->next_neigh_ns) {
		s->next_neigh_ns = now + SYNC_NEIGH_NS;
		if (s->owned)
			sync_neighbours(s);
	}
	sync_bulk_step(s, now);
	sync_flush(s, now);
	sync_check_stall(s, now);
}

uint64_t sync_next_deadline(const struct sync *s, uint64_t now)
{
	uint64_t next = UINT64_MAX, t;

	if (s->ack_owed)
		next = s->ack_due_ns;
	if (!sync_live(s))
		return next;
	/* A full window waits for acks, which wake the loop anyway. */
	if (s->bulk && rto_tx_pending(&s->tx) < RTO_WINDOW)
		return now;
	t = rto_tx_next_due(&s->tx);	/* a scan of the window: once */
	if (t < next)
		next = t;
	if (!s->coldstart_done && s->next_request_ns < next)
		next = s->next_request_ns;
	if (s->next_neigh_ns < next)
		next = s->next_neigh_ns;
	/* The election runs again when a held preempt may go ahead. */
	if (sync_holds_preempt(s, now) && s->coldstart_deadline_ns < next)
		next = s->coldstart_deadline_ns;
	return next;
}

/* ----------------------------------------------------------- set up */

int sync_init(struct sync *s, const struct nsrp_config *cfg,
	      struct hasess *ha, struct dataplane *dp)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->ha = ha;
	s->dp = dp;
	s->soonest_expiry_ns = UINT64_MAX;
	err = rto_tx_init(&s->tx, SYNC_RTO_NS);
	if (!err)
		err = rto_rx_init(&s->rx);
	if (err)
		return err;
	hasess_on(ha, PROTO_T_SYNC, sync_rx_sync, s);
	hasess_on(ha, PROTO_T_SYNC_ACK, sync_rx_ack, s);
	hasess_on(ha, PROTO_T_REQUEST, sync_rx_request, s);
	return 0;
}

void sync_fini(struct sync *s)
{
	rto_tx_free(&s->tx);
	rto_rx_free(&s->rx);
}
