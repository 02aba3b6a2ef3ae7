// SPDX-License-Identifier: GPL-2.0-only
/*
 * sync.c - run-time object sync over the HA link.
 *
 * Sender: the data plane's session events (create, state change, refresh,
 * delete) are read from the ring buffer, made independent of this unit's
 * clock (remaining lifetime rather than an absolute expiry) and queued on
 * the reliable stream (rtosync.h), which packs them into frames. A peer
 * that joins, or asks, or fell too far behind, gets the whole table in
 * bulk: a chunk of the session map at a time, interleaved with the live
 * deltas, closed by a BULK_END marker.
 *
 * Receiver: records are applied in stream order to the local session map,
 * marked as the peer's, with 8 times the master's remaining lifetime. An
 * expired copy is checked with the master first when ageout-ack is set.
 *
 * Each unit sends what its own data plane publishes and applies what the
 * peer sends, so active/active (a master of each group on each unit)
 * needs nothing more.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ageout.h"
#include "clock.h"
#include "ctcommit.h"
#include "daemon.h"
#include "log.h"
#include "neigh.h"
#include "sync.h"

_Static_assert(NEIGH_REC_LEN == PROTO_NEIGH_LEN, "neighbour record size");


#define SYNC_RTO_NS		(40 * NS_PER_MS)	/* retransmission */
#define SYNC_REQUEST_NS		(1 * NS_PER_S)		/* cold start asks */
#define SYNC_SWEEP_NS		(1 * NS_PER_S)		/* between sweeps, least */
#define SYNC_SWEEP_MAX_NS	(10 * NS_PER_S)		/* and most */
#define SYNC_SWEEP_SHARE	50	/* sweeps take 1/50 of the loop, most */
#define SYNC_NEIGH_NS		(2 * NS_PER_S)
#define SYNC_STALL_NS		(3 * NS_PER_S)		/* the alarm */
#define SYNC_AGEOUT_HOLD_NS	(2 * NS_PER_S)		/* awaiting a reply */
#define SYNC_BULK_CHUNK		256	/* sessions read per step */
#define SYNC_BULK_READS		8	/* steps per pass of the loop, most */
#define SYNC_FRAMES_PER_TICK	512	/* so the loop is never starved */
#define SYNC_SWEEP_CHUNK	256	/* entries read per sweep step */
#define SYNC_NEIGH_MAX		1024
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
/*
 * A sync frame fills the sync path's MTU, so that a lost fragment loses
 * no more than itself, up to a jumbo frame (9000 bytes): a bulk sync
 * costs per frame on both units, in the syscall and the network stack,
 * as much as per record. Requests and their replies are few and stay
 * within any Ethernet MTU.
 */
#define SYNC_FRAME_MAX		(9000 - 28)
#define SYNC_MSG_CAP		1472

static bool sync_enabled(const struct nsrpd *d)
{
	return d->cfg.rto_mirror_sync && d->dp.fd_sess >= 0;
}

/* The path sync takes: the primary while it hears the peer. */
static int sync_path(const struct nsrpd *d)
{
	if (d->path[HA_PRIMARY].fd >= 0 && d->path[HA_PRIMARY].peer_seen)
		return HA_PRIMARY;
	if (d->path[HA_SECONDARY].fd >= 0 &&
	    d->path[HA_SECONDARY].peer_seen)
		return HA_SECONDARY;
	return -1;
}

/* The largest sync frame the sync path carries whole. */
static size_t sync_frame_cap(const struct nsrpd *d)
{
	int path = sync_path(d);
	size_t cap;

	if (path < 0)
		return SYNC_MSG_CAP;
	cap = ha_path_payload_max(&d->path[path]);
	return cap < SYNC_FRAME_MAX ? cap : SYNC_FRAME_MAX;
}

/* Seals an encoded frame in place; returns its new length or -errno. */
static int sync_seal(struct nsrpd *d, uint8_t *buf, int len, size_t cap)
{
	return hacrypt_seal(&d->crypt, buf, PROTO_HDR_LEN, len - PROTO_HDR_LEN,
			    cap);
}

/* Seals and sends one encoded frame on the sync path. */
static int sync_send(struct nsrpd *d, uint8_t *buf, int len, size_t cap)
{
	int path = sync_path(d);

	if (path < 0)
		return -ENETUNREACH;
	len = sync_seal(d, buf, len, cap);
	if (len < 0)
		return len;
	return ha_path_send_peer(&d->path[path], buf, len, PROTO_PORT);
}

static int sync_send_msg(struct nsrpd *d, uint16_t kind, uint32_t id,
			 const uint8_t *data, size_t len)
{
	uint8_t buf[SYNC_MSG_CAP + 128];
	struct proto_msg m = { .kind = kind, .id = id, .data_len = len,
			       .data = data };
	struct proto_hdr h;
	int n;

	cluster_hdr(d, &h);
	n = proto_encode_msg(buf, sizeof(buf), &h, PROTO_T_REQUEST, &m);
	return n < 0 ? n : sync_send(d, buf, n, sizeof(buf));
}

/* ---------------------------------------------------------------- sender */

/* Starts the stream over and sends the whole table. */
static void sync_resync(struct nsrpd *d, const char *why)
{
	struct nsrpd_sync *s = &d->sync;

	rto_tx_restart(&s->tx);
	memset(&s->cursor, 0, sizeof(s->cursor));
	s->bulk = true;
	s->bulk_records = 0;
	s->resyncs++;
	pr_info("RTO sync: bulk sync to the peer (%s)", why);
}

static void sync_queue_event(struct nsrpd *d, struct nsrp_event *ev,
			     uint64_t now)
{
	uint8_t rec[PROTO_EVENT_LEN];

	sesstab_to_wire(ev, now);
	proto_event_put(rec, ev);
	if (rto_tx_push(&d->sync.tx, PROTO_SYNC_SESSION, rec, sizeof(rec))) {
		d->sync.overflows++;
		sync_resync(d, "the peer fell too far behind");
	}
}

/* An entry expires at t now: the next sweep is due by then. */
static void sync_expiry_seen(struct nsrpd_sync *s, uint64_t t)
{
	if (t < s->sweep_soonest_ns)
		s->sweep_soonest_ns = t;
}

static int sync_on_event(void *ctx, void *data, size_t len)
{
	struct nsrpd *d = ctx;
	struct nsrp_event ev;

	if (len < sizeof(ev))
		return 0;
	memcpy(&ev, data, sizeof(ev));
	d->sync.events++;
	if (ev.kind != NSRP_EV_DELETE)
		sync_expiry_seen(&d->sync, ev.sess.expires_ns);
	/* The peer's own sessions are its to report. */
	if (ev.sess.flags & NSRP_SF_FROM_PEER) {
		d->sync.events_from_peer++;
		return 0;
	}
	if (!sync_enabled(d) || !d->peer.present) {
		d->sync.events_idle++;	/* it gets them in bulk on joining */
		return 0;
	}
	sync_queue_event(d, &ev, dp_now_ns());
	return 0;
}

int sync_ring_ready(struct nsrpd *d)
{
	return d->sync.ring ? ring_buffer__consume(d->sync.ring) : 0;
}

static void sync_push_mark(struct nsrpd *d, uint32_t what)
{
	uint8_t rec[PROTO_MARK_LEN];

	proto_mark_put(rec, what);
	if (rto_tx_push(&d->sync.tx, PROTO_SYNC_MARK, rec, sizeof(rec)))
		sync_resync(d, "the peer fell too far behind");
}

/*
 * Chunks of the bulk sync, while the window has room for them, and a few
 * per pass of the loop: a map of the peer's own sessions, or of expired
 * ones, queues nothing, and read whole in one pass it held every
 * heartbeat back for a third of a second per million entries.
 */
static void sync_bulk_step(struct nsrpd *d, uint64_t now)
{
	struct nsrpd_sync *s = &d->sync;
	struct nsrp_sess_key keys[SYNC_BULK_CHUNK];
	struct nsrp_sess vals[SYNC_BULK_CHUNK];
	int n;

	for (int step = 0; step < SYNC_BULK_READS && s->bulk &&
			   rto_tx_pending(&s->tx) < RTO_WINDOW; step++) {
		n = sesstab_read(d->dp.fd_sess, &s->cursor, keys, vals,
				 SYNC_BULK_CHUNK);
		if (n < 0) {
			pr_warn("RTO sync: reading the session map: %s",
				strerror(-n));
			return;
		}
		for (int i = 0; i < n; i++) {
			struct nsrp_event ev = { .kind = NSRP_EV_CREATE,
						 .key = keys[i],
						 .sess = vals[i] };

			if (vals[i].flags & NSRP_SF_FROM_PEER ||
			    vals[i].expires_ns <= now)
				continue;
			sync_queue_event(d, &ev, now);
			s->bulk_records++;
		}
		if (!n || s->cursor.done) {
			s->bulk = false;
			sync_push_mark(d, RTO_MARK_BULK_END);
			s->bulk_end_seq = s->tx.tail;
			pr_info("RTO sync: bulk sync queued, %llu sessions",
				(unsigned long long)s->bulk_records);
		}
	}
}

static unsigned int sync_recs_per_frame(uint8_t kind, void *arg)
{
	const struct nsrpd *d = arg;
	size_t cap = sync_frame_cap(d) - hacrypt_overhead(&d->crypt);

	switch (kind) {
	case PROTO_SYNC_SESSION:
		return proto_sync_fit(cap, PROTO_EVENT_LEN);
	case PROTO_SYNC_NEIGH:
		return proto_sync_fit(cap, PROTO_NEIGH_LEN);
	default:
		return proto_sync_fit(cap, PROTO_MARK_LEN);
	}
}

/*
 * Sealed frames on their way out, end to end, for one syscall: all of
 * one size but the last, the way UDP segmentation cuts them apart
 * (ha_path_send_segs()). Full frames of sessions are all of one size, so
 * a bulk sync or a busy stream goes out dozens of frames at a time.
 */
#define SYNC_BURST_BYTES	(65535 - 28)	/* a UDP datagram's most */

static struct {
	uint8_t buf[SYNC_BURST_BYTES];
	size_t len;
	size_t seg;		/* the first frame's size */
	unsigned int frames;
	bool closed;		/* the last is shorter: nothing may follow */
} sync_burst;

static void sync_burst_send(struct nsrpd *d)
{
	int path = sync_path(d);

	if (sync_burst.frames && path >= 0 &&
	    !ha_path_send_segs(&d->path[path], sync_burst.buf, sync_burst.len,
			       sync_burst.seg, PROTO_PORT))
		d->sync.frames_tx += sync_burst.frames;
	sync_burst.len = 0;
	sync_burst.frames = 0;
	sync_burst.closed = false;
}

static void sync_burst_add(struct nsrpd *d, const uint8_t *frame, size_t len)
{
	if (sync_burst.frames &&
	    (sync_burst.closed || len > sync_burst.seg ||
	     sync_burst.len + len > SYNC_BURST_BYTES ||
	     sync_burst.frames == HA_GSO_SEGS))
		sync_burst_send(d);
	if (!sync_burst.frames)
		sync_burst.seg = len;
	else if (len < sync_burst.seg)
		sync_burst.closed = true;
	memcpy(sync_burst.buf + sync_burst.len, frame, len);
	sync_burst.len += len;
	sync_burst.frames++;
}

/* Sends what is due: new records, and those whose timeout ran out. */
static void sync_flush(struct nsrpd *d, uint64_t now)
{
	uint8_t recs[SYNC_FRAME_MAX], buf[SYNC_FRAME_MAX + 128];
	uint64_t start = dp_now_ns();
	struct rto_batch b;

	if (sync_path(d) < 0)
		return;
	/* In frames, and in time (NSRPD_SLICE_NS). */
	for (int i = 0; i < SYNC_FRAMES_PER_TICK; i++) {
		struct proto_sync ps;
		struct proto_hdr h;
		int n;

		if (i && nsrpd_slice_spent(start)) {
			d->path[sync_path(d)].tx_yields++;
			break;
		}
		if (rto_tx_next(&d->sync.tx, now, sync_recs_per_frame, d, &b,
				recs, sizeof(recs)) <= 0)
			break;
		ps = (struct proto_sync){ .first_seq = b.first_seq,
					  .count = b.count,
					  .rec_size = b.rec_size,
					  .flags = b.flags, .kind = b.kind,
					  .recs = recs };
		if (d->sync.bulk)
			ps.flags |= PROTO_SYNC_F_BULK;
		cluster_hdr(d, &h);
		n = proto_encode_sync(buf, sizeof(buf), &h, &ps);
		if (n > 0)
			n = sync_seal(d, buf, n, sizeof(buf));
		if (n > 0)
			sync_burst_add(d, buf, n);
	}
	sync_burst_send(d);
}

/* A stream nobody acknowledges for seconds is an alarm, not silence. */
static void sync_check_stall(struct nsrpd *d, uint64_t now)
{
	struct nsrpd_sync *s = &d->sync;
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
	const struct nsrpd *d = arg;

	return vsd < NSRPD_MAX_VSD && d->group[vsd].active &&
	       vsd_is_master(&d->group[vsd].vsd);
}

/*
 * The session records of a frame (and of the early ones it releases),
 * applied together: in the kernel, a block of NSRP_APPLY_MAX records per
 * syscall, or where the apply program did not load, by map syscalls with
 * a batch for the new entries. Held only while a frame is
 * handled: applied before anything else the stream carries, and before
 * the frame is acknowledged.
 */
#define SYNC_APPLY_BATCH	64

static struct {
	struct nsrp_event ev[SYNC_APPLY_BATCH];
	unsigned int n;
} sync_pending;

static void sync_apply_flush(struct nsrpd *d)
{
	struct sesstab_acct a = { 0 };
	unsigned int n = sync_pending.n;
	uint64_t now = dp_now_ns();

	if (!n)
		return;
	sync_pending.n = 0;
	sesstab_apply_many_prog(dp_apply_fd(&d->dp), d->dp.fd_sess,
				sync_pending.ev, n, now,
				NSRPD_AGEOUT_MULT, sync_owned, d, &a);
	sync_expiry_seen(&d->sync, sesstab_copies_expire(sync_pending.ev, n,
							 now,
							 NSRPD_AGEOUT_MULT));
	d->sync.peer_created += a.created;
	d->sync.peer_deleted += a.deleted;
	d->sync.apply_errors += a.failed;
	d->sync.skipped_owned += a.skipped;
	d->sync.applied += n - a.failed - a.skipped;
}

static void sync_apply_session(struct nsrpd *d, const uint8_t *rec)
{
	proto_event_get(rec, &sync_pending.ev[sync_pending.n++]);
	if (sync_pending.n == SYNC_APPLY_BATCH)
		sync_apply_flush(d);
}

static void sync_apply_neigh(struct nsrpd *d, const uint8_t *rec)
{
	struct neigh_rec r;

	if (neigh_rec_get(rec, &r) || neigh_install(&r) < 0) {
		d->sync.apply_errors++;
		return;
	}
	d->sync.neigh_installed++;
	dp_nh_flush(&d->dp);	/* the next-hop cache may hold the old MAC */
}

static void sync_apply_mark(struct nsrpd *d, const uint8_t *rec)
{
	if (proto_mark_get(rec) != RTO_MARK_BULK_END)
		return;
	d->sync.bulk_done++;
	if (!d->sync.coldstart_done)
		pr_info("RTO sync: coldstart sync done");
	d->sync.coldstart_done = true;
}

static int sync_apply(uint8_t kind, const uint8_t *rec, size_t len,
		      void *arg)
{
	struct nsrpd *d = arg;

	(void)len;	/* the decoder checked it against the kind */
	if (kind != PROTO_SYNC_SESSION)
		sync_apply_flush(d);	/* the stream's order */
	switch (kind) {
	case PROTO_SYNC_SESSION:
		sync_apply_session(d, rec);
		break;
	case PROTO_SYNC_NEIGH:
		sync_apply_neigh(d, rec);
		break;
	case PROTO_SYNC_MARK:
		sync_apply_mark(d, rec);
		break;
	}
	return 0;
}

static void sync_send_ack(struct nsrpd *d)
{
	uint8_t buf[256 + PROTO_SACK_WORDS * 8];
	struct proto_sync_ack a;
	struct proto_hdr h;
	int n;

	d->sync.ack_owed = 0;
	rto_rx_ack(&d->sync.rx, &a);
	cluster_hdr(d, &h);
	n = proto_encode_ack(buf, sizeof(buf), &h, &a);
	if (n > 0 && sync_send(d, buf, n, sizeof(buf)) >= 0)
		d->sync.acks_tx++;
}

static void sync_rx_sync(struct nsrpd *d, const struct proto_hdr *h,
			 const uint8_t *body, size_t len, uint64_t now)
{
	struct proto_sync s;
	int err = proto_decode_sync(body, len, &s);

	if (err) {
		cluster_count_drop(d, err);
		return;
	}
	if (!d->cfg.rto_mirror_sync)
		return;		/* not acknowledged: the sender sees a stall */
	rto_rx_frame(&d->sync.rx, h->epoch, &s, sync_apply, d);
	sync_apply_flush(d);
	if (!d->sync.ack_owed)
		d->sync.ack_due_ns = now + SYNC_ACK_DELAY_NS;
	d->sync.ack_owed += s.count ? s.count : 1;
	if (d->sync.ack_owed >= SYNC_ACK_RECORDS)
		sync_send_ack(d);
}

static void sync_rx_ack(struct nsrpd *d, const uint8_t *body, size_t len)
{
	struct proto_sync_ack a;
	int err = proto_decode_ack(body, len, &a);

	if (err) {
		cluster_count_drop(d, err);
		return;
	}
	d->sync.acks_rx++;
	rto_tx_ack(&d->sync.tx, &a);
}

/* ------------------------------------------------------------ ageout-ack */

/*
 * The backup asks before it lets a copy expire (the seed's ageout-ack):
 * each record of the query names a session; the reply says, per session,
 * ACTIVE (busy: 8x its timeout again), IDLE (counting down: take its
 * remaining lifetime) or DELETE (gone on the master); the rules are
 * ageout.c's, the I/O is here.
 */
static void sync_ageout_query(struct nsrpd *d, const struct nsrp_sess_key *k,
			      const struct nsrp_sess *v, unsigned int n,
			      uint64_t now)
{
	unsigned int per = (SYNC_MSG_CAP - hacrypt_overhead(&d->crypt) -
			    PROTO_HDR_LEN - PROTO_MSG_FIXED_LEN) /
			   PROTO_EVENT_LEN;
	uint64_t hold = ageout_expiry(now, SYNC_AGEOUT_HOLD_NS, 1);
	uint8_t data[SYNC_MSG_CAP];

	for (unsigned int i = 0; i < n; i += per) {
		unsigned int m = n - i < per ? n - i : per;

		for (unsigned int j = 0; j < m; j++) {
			struct nsrp_event ev = { .kind = NSRP_EV_REFRESH,
						 .key = k[i + j],
						 .sess = v[i + j] };

			proto_event_put(data + j * PROTO_EVENT_LEN, &ev);
			/* Not asked again until the reply is overdue. */
			sesstab_set_expiry(d->dp.fd_sess, &k[i + j], hold);
		}
		sync_expiry_seen(&d->sync, hold);
		if (!sync_send_msg(d, PROTO_REQ_AGEOUT_QUERY, 0, data,
				   m * PROTO_EVENT_LEN))
			d->sync.ageout_queries += m;
	}
}

/* Master: what its copy of each asked-for session says (ageout.h). */
static void sync_ageout_answer(struct nsrpd *d, const struct proto_msg *m,
			       uint64_t now)
{
	unsigned int n = m->data_len / PROTO_EVENT_LEN;
	uint8_t out[SYNC_MSG_CAP];

	if (n * PROTO_EVENT_LEN > sizeof(out))
		return;
	for (unsigned int i = 0; i < n; i++) {
		struct nsrp_event ev;
		uint64_t lifetime;
		bool have;

		proto_event_get(m->data + i * PROTO_EVENT_LEN, &ev);
		have = !bpf_map_lookup_elem(d->dp.fd_sess, &ev.key, &ev.sess);
		ev.kind = ageout_verdict(have ? &ev.sess : NULL, now,
					 dp_state_timeout_ns(&d->dp,
							     ev.sess.state),
					 dp_refresh_ns(&d->dp), &lifetime);
		sesstab_to_wire(&ev, now);
		ev.sess.expires_ns = lifetime;	/* relative, on the wire */
		proto_event_put(out + i * PROTO_EVENT_LEN, &ev);
	}
	sync_send_msg(d, PROTO_REQ_AGEOUT_REPLY, m->id, out,
		      n * PROTO_EVENT_LEN);
}

/* Backup: the master's answer. */
static void sync_ageout_apply(struct nsrpd *d, const struct proto_msg *m,
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
			sesstab_delete(d->dp.fd_sess, &ev.key, 1);
			d->sync.ageout_deleted++;
		} else if (!err) {
			sesstab_set_expiry(d->dp.fd_sess, &ev.key, expires);
			sync_expiry_seen(&d->sync, expires);
			d->sync.ageout_kept++;
		}
		/* Anything else is no verdict: the copy is asked about
		 * again once its hold runs out. */
	}
}

/*
 * A bulk is queued or sent, its end marker not yet acknowledged, and the
 * stream moved within the last second: one that moves nothing is stuck,
 * and a new request starts it over.
 */
static bool sync_bulk_on_its_way(const struct nsrpd_sync *s, uint64_t now)
{
	if (!s->bulk && !(s->bulk_end_seq && s->tx.head < s->bulk_end_seq))
		return false;
	return rto_tx_oldest_ns(&s->tx, now) < SYNC_REQUEST_NS;
}

static void sync_rx_request(struct nsrpd *d, const uint8_t *body, size_t len,
			    uint64_t now)
{
	struct proto_msg m;
	int err = proto_decode_msg(body, len, &m);

	if (err) {
		cluster_count_drop(d, err);
		return;
	}
	if (!sync_enabled(d))
		return;
	switch (m.kind) {
	case PROTO_REQ_COLDSTART:
		/*
		 * The peer asks again each second until the bulk's end
		 * reaches it; a bulk on its way will, reliably, so only one
		 * that is not starts over. A peer that restarted has a new
		 * epoch, and that ends what was on its way already.
		 */
		if (sync_bulk_on_its_way(&d->sync, now))
			break;
		/*
		 * A unit that starts is heard by its peer at once, but may
		 * hear the peer only at its next heartbeat, an interval
		 * later; taking the peer in then starts the stream over.
		 * A request that comes first is served after that, not
		 * dropped: asked again a second later, the bulk would read
		 * the map while the peer's own bulk fills it.
		 */
		if (!d->peer.present) {
			d->sync.peer_asked = true;
			break;
		}
		sync_resync(d, "the peer asked for it");
		break;
	case PROTO_REQ_AGEOUT_QUERY:
		sync_ageout_answer(d, &m, now);
		break;
	case PROTO_REQ_AGEOUT_REPLY:
		sync_ageout_apply(d, &m, now);
		break;
	default:
		cluster_count_drop(d, PROTO_R_BAD_RECORD);
	}
}

void sync_rx(struct nsrpd *d, const struct proto_hdr *h,
	     const uint8_t *body, size_t len, uint64_t now)
{
	switch (h->type) {
	case PROTO_T_SYNC:
		sync_rx_sync(d, h, body, len, now);
		break;
	case PROTO_T_SYNC_ACK:
		sync_rx_ack(d, body, len);
		break;
	case PROTO_T_REQUEST:
		sync_rx_request(d, body, len, now);
		break;
	}
}

/* ------------------------------------------------------ expiry, neighbours */

/* Our expired sessions: deleted, and the deletes streamed to the peer. */
static void sync_expire_local(struct nsrpd *d, struct nsrp_sess_key *keys,
			      struct nsrp_sess *vals, unsigned int n,
			      uint64_t now)
{
	d->sync.swept += sesstab_delete(d->dp.fd_sess, keys, n) > 0 ? n : 0;
	if (!sync_enabled(d) || !d->peer.present)
		return;
	for (unsigned int i = 0; i < n; i++) {
		struct nsrp_event ev = { .kind = NSRP_EV_DELETE,
					 .key = keys[i], .sess = vals[i] };

		sync_queue_event(d, &ev, now);
	}
}

/* The peer's expired copies: deleted, or checked with it first. */
static void sync_expire_peer(struct nsrpd *d, struct nsrp_sess_key *keys,
			     struct nsrp_sess *vals, unsigned int n,
			     uint64_t now)
{
	if (d->cfg.rto_ageout_ack && d->peer.present && sync_path(d) >= 0) {
		sync_ageout_query(d, keys, vals, n, now);
		return;
	}
	d->sync.swept += sesstab_delete(d->dp.fd_sess, keys, n) > 0 ? n : 0;
}

/*
 * A sweep costs a pass over the whole map, a third of a second of work
 * for a million entries, most of it wasted when nothing is due to expire
 * (established TCP lives half an hour). So the next one is due when the
 * earliest expiry known comes: the entries this one left, and every
 * expiry set since, each of which the agent sees (the data plane's
 * events, the peer's records, ageout-ack). Not sooner than a second after
 * this one ended, or later for a large map, so that sweeps take at most
 * 1/SYNC_SWEEP_SHARE of the loop from everything else (a bulk sync above
 * all); and not later than SYNC_SWEEP_MAX_NS, for an expiry the agent did
 * not see (an event lost to a full ring, a map written by hand). The data
 * plane expires on sight a session whose packets come back in between.
 */
static void sync_sweep_done(struct nsrpd_sync *s, uint64_t now)
{
	uint64_t wait = (SYNC_SWEEP_SHARE - 1) * s->sweep_busy_ns;

	s->sweeping = false;
	s->next_sweep_ns = now + (wait > SYNC_SWEEP_NS ? wait : SYNC_SWEEP_NS);
	s->sweep_latest_ns = now + SYNC_SWEEP_MAX_NS;
}

static uint64_t sync_sweep_due(const struct nsrpd_sync *s)
{
	uint64_t t = s->sweep_soonest_ns < s->sweep_latest_ns ?
		     s->sweep_soonest_ns : s->sweep_latest_ns;

	return t > s->next_sweep_ns ? t : s->next_sweep_ns;
}

/*
 * Expired sessions: the data plane only removes one when a packet finds
 * it, so a flow that just stops is removed here. The sweep goes a chunk
 * per pass of the loop, so that a map of millions never holds a
 * heartbeat back.
 */
static void sync_sweep_step(struct nsrpd *d, uint64_t now)
{
	static struct nsrp_sess_key keys[SYNC_SWEEP_CHUNK];
	static struct nsrp_sess vals[SYNC_SWEEP_CHUNK];
	struct nsrpd_sync *s = &d->sync;
	unsigned int n_local;
	int n = sesstab_expired_next(d->dp.fd_sess, &s->sweep, now, keys, vals,
				     SYNC_SWEEP_CHUNK, &n_local,
				     &s->sweep_soonest_ns);

	if (n < 0) {
		pr_warn("RTO sync: sweeping the session map: %s",
			strerror(-n));
		s->sweep_soonest_ns = 0;	/* the rest is unknown */
		sync_sweep_done(s, dp_now_ns());
		return;
	}
	if (n_local)
		sync_expire_local(d, keys, vals, n_local, now);
	if ((unsigned int)n > n_local)
		sync_expire_peer(d, keys + n_local, vals + n_local,
				 n - n_local, now);
	s->sweep_busy_ns += dp_now_ns() - now;
	if (s->sweep.done)
		sync_sweep_done(s, dp_now_ns());
}

/*
 * A sweep waits while a bulk sync reads the whole map to send it, or
 * while this unit waits for the peer's (bounded by the cold start's
 * wait): a pass over the same million entries would halve the bulk's
 * pace, and expiry can wait the seconds a bulk takes.
 */
static void sync_sweep_start(struct nsrpd *d, uint64_t now)
{
	struct nsrpd_sync *s = &d->sync;

	if (s->bulk || sync_holds_preempt(d, now)) {
		s->next_sweep_ns = now + SYNC_SWEEP_NS;
		return;
	}
	memset(&s->sweep, 0, sizeof(s->sweep));
	s->sweep_busy_ns = 0;
	s->sweep_soonest_ns = UINT64_MAX;
	s->sweeping = true;
}

static bool sync_master_of_any(const struct nsrpd *d)
{
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++)
		if (d->group[i].active && vsd_is_master(&d->group[i].vsd))
			return true;
	return false;
}

/* The master's neighbours on the cluster NICs, so the new one need not
 * resolve them before it can forward. */
static void sync_neighbours(struct nsrpd *d)
{
	static struct neigh_rec recs[SYNC_NEIGH_MAX];
	const char *names[NSRPD_MAX_IFACES];
	uint8_t rec[PROTO_NEIGH_LEN];
	int n;

	for (int i = 0; i < d->dp.n_ifaces; i++)
		names[i] = d->dp.ifaces[i].name;
	n = neigh_dump(names, d->dp.n_ifaces, recs, SYNC_NEIGH_MAX);
	for (int i = 0; i < n; i++) {
		neigh_rec_put(rec, &recs[i]);
		if (rto_tx_push(&d->sync.tx, PROTO_SYNC_NEIGH, rec, sizeof(rec)))
			return;
		d->sync.neigh_sent++;
	}
}

/* -------------------------------------------------------------- takeover */

#define SYNC_TAKEOVER_SLACK_NS	(20 * NS_PER_MS)

static bool sync_taken_at_flip(const struct nsrp_sess *s, unsigned int vsd,
			       uint64_t flip)
{
	if (s->vsd != vsd || s->expires_ns <= flip)
		return false;
	return s->flags & NSRP_SF_FROM_PEER ||
	       s->refreshed_ns + SYNC_TAKEOVER_SLACK_NS >= flip;
}

static bool sync_commit_due(const struct nsrpd_sync *s,
			    const struct nsrp_sess *v)
{
	return v->vsd < NSRPD_MAX_VSD && s->commit_vsds & 1u << v->vsd &&
	       sync_taken_at_flip(v, v->vsd, s->commit_flip_ns[v->vsd]);
}

/* One chunk of the conntrack commits a takeover started. */
static void sync_commit_step(struct nsrpd *d)
{
	struct nsrp_sess_key keys[SYNC_BULK_CHUNK];
	struct nsrp_sess vals[SYNC_BULK_CHUNK];
	struct nsrpd_sync *s = &d->sync;
	unsigned int m = 0, failed = 0;
	int n = sesstab_read(d->dp.fd_sess, &s->commit, keys, vals,
			     SYNC_BULK_CHUNK);

	if (n < 0)
		pr_warn("RTO sync: reading the session map: %s", strerror(-n));
	for (int i = 0; i < n; i++)
		if (sync_commit_due(s, &vals[i])) {
			keys[m] = keys[i];
			vals[m++] = vals[i];
		}
	if (m)
		s->ct_committed += ct_commit_many(s->ct, keys, vals, m,
				dp_state_timeout_ns(&d->dp,
						    NSRP_SS_ESTABLISHED) /
					NS_PER_S, &failed);
	s->ct_failed += failed;
	if (n <= 0 || s->commit.done)
		s->commit_vsds = 0;
}

/*
 * The kernel gets a conntrack entry for every session the new master
 * carries, so that a packet XDP hands up is not dropped as mid-stream.
 * Hundreds of thousands of them take a while: the walk goes a chunk per
 * pass of the loop (sync_tick()), heartbeats in between. Another group
 * taking over meanwhile starts the walk over, for both.
 */
void sync_takeover(struct nsrpd *d, unsigned int vsd, uint64_t now)
{
	struct nsrpd_sync *s = &d->sync;

	s->next_neigh_ns = now;	/* the new master's turn to send */
	if (!s->ct || d->dp.fd_sess < 0 || vsd >= NSRPD_MAX_VSD)
		return;
	s->commit_vsds |= 1u << vsd;
	s->commit_flip_ns[vsd] = now;
	memset(&s->commit, 0, sizeof(s->commit));
}

/* ------------------------------------------------------------- the loop */

void sync_tick(struct nsrpd *d, uint64_t now)
{
	struct nsrpd_sync *s = &d->sync;

	if (s->ack_owed && now >= s->ack_due_ns)
		sync_send_ack(d);
	if (!s->sweeping && now >= sync_sweep_due(s))
		sync_sweep_start(d, now);
	if (s->sweeping)
		sync_sweep_step(d, now);
	if (s->commit_vsds)
		sync_commit_step(d);
	if (!sync_enabled(d) || !d->peer.present)
		return;
	if (d->peer.epoch != s->peer_epoch) {
		s->peer_epoch = d->peer.epoch;
		sync_peer_returned(d, now);
	}
	if (s->peer_asked) {
		s->peer_asked = false;
		sync_resync(d, "the peer asked for it");
	}
	if (!s->coldstart_done && now >= s->next_request_ns) {
		s->next_request_ns = now + SYNC_REQUEST_NS;
		sync_send_msg(d, PROTO_REQ_COLDSTART, 0, NULL, 0);
	}
	if (now >= s->next_neigh_ns) {
		s->next_neigh_ns = now + SYNC_NEIGH_NS;
		if (sync_master_of_any(d))
			sync_neighbours(d);
	}
	sync_bulk_step(d, now);
	sync_flush(d, now);
	sync_check_stall(d, now);
}

uint64_t sync_next_deadline(const struct nsrpd *d, uint64_t now)
{
	const struct nsrpd_sync *s = &d->sync;
	uint64_t next = sync_sweep_due(s), t;

	if (s->sweeping || s->commit_vsds)
		return now;
	if (s->ack_owed && s->ack_due_ns < next)
		next = s->ack_due_ns;
	if (!sync_enabled(d) || !d->peer.present)
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
	if (sync_holds_preempt(d, now) && s->coldstart_deadline_ns < next)
		next = s->coldstart_deadline_ns;
	return next;
}

void sync_peer_returned(struct nsrpd *d, uint64_t now)
{
	struct nsrpd_sync *s = &d->sync;

	s->coldstart_done = false;
	s->next_request_ns = now;
	s->coldstart_deadline_ns =
		now + (uint64_t)d->cfg.rto_coldstart_wait_s * NS_PER_S;
	/* Whatever was queued for an earlier run of the peer is moot. */
	rto_tx_restart(&s->tx);
	s->bulk = false;
}

void sync_request_full(struct nsrpd *d, uint64_t now)
{
	sync_peer_returned(d, now);
	pr_info("RTO sync: full resync from the peer requested");
}

bool sync_holds_preempt(const struct nsrpd *d, uint64_t now)
{
	const struct nsrpd_sync *s = &d->sync;

	return sync_enabled(d) && d->peer.present && !s->coldstart_done &&
	       now < s->coldstart_deadline_ns;
}

/*
 * The data plane carries the synced sessions from the moment the role
 * flips. The kernel needs them too, for the packets XDP hands it (no
 * neighbour yet, fragments, options): its nftables policy would drop
 * them as mid-stream without a conntrack entry. Sessions still marked
 * as the peer's get one, and so do those a packet took over since the
 * flip (the data plane then cleared the mark and restamped them; its
 * clock is coarse, hence the slack).
 */
/* ----------------------------------------------------------- set up */

int sync_init(struct nsrpd *d)
{
	struct nsrpd_sync *s = &d->sync;
	int err;

	err = rto_tx_init(&s->tx, SYNC_RTO_NS);
	if (!err)
		err = rto_rx_init(&s->rx);
	if (err)
		return err;
	if (d->dp.fd_events >= 0) {
		s->ring = ring_buffer__new(d->dp.fd_events, sync_on_event, d,
					   NULL);
		if (!s->ring)
			return -errno;
	}
	if (ct_open(&s->ct))
		pr_warn("RTO sync: no conntrack netlink; sessions handed to "
			"the kernel after a takeover may be dropped");
	return 0;
}

void sync_fini(struct nsrpd *d)
{
	struct nsrpd_sync *s = &d->sync;

	ring_buffer__free(s->ring);
	s->ring = NULL;
	if (s->ct)
		ct_close(s->ct);
	s->ct = NULL;
	rto_tx_free(&s->tx);
	rto_rx_free(&s->rx);
}

int sync_ring_fd(const struct nsrpd *d)
{
	return d->sync.ring ? ring_buffer__epoll_fd(d->sync.ring) : -1;
}
