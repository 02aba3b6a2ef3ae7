// SPDX-License-Identifier: GPL-2.0-only
/*
 * hasess.c - the HA link's session layer (see hasess.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hasess.h"
#include "log.h"

static bool hasess_slice_spent(uint64_t start)
{
	return clock_now_ns() - start >= HASESS_SLICE_NS;
}

/*
 * Sealed frames on their way out, end to end, for one syscall: all of
 * one size but the last, the way UDP segmentation cuts them apart
 * (ha_path_send_segs()). Full frames of sessions are all of one size, so
 * a bulk sync or a busy stream goes out dozens of frames at a time.
 */
#define HASESS_BURST_BYTES	(65535 - 28)	/* a UDP datagram's most */

struct hasess_burst {
	uint8_t buf[HASESS_BURST_BYTES];
	size_t len;
	size_t seg;		/* the first frame's size */
	unsigned int frames;
	bool closed;		/* the last is shorter: nothing may follow */
};

int hasess_init(struct hasess *s, const struct hasess_id *id,
		const char *auth_pw, const char *enc_pw)
{
	memset(s, 0, sizeof(*s));
	s->inited = true;
	s->id = *id;
	s->port = PROTO_PORT;
	for (int i = 0; i < HA_NPATHS; i++)
		ha_path_init(&s->path[i]);
	replay_init(&s->replay);
	s->burst = calloc(1, sizeof(*s->burst));
	s->rx_buf = malloc(PROTO_MAX_FRAME);
	if (!s->burst || !s->rx_buf)
		return -ENOMEM;
	return hacrypt_init(&s->crypt, auth_pw, enc_pw, id->cluster_id);
}

void hasess_fini(struct hasess *s)
{
	if (!s->inited)
		return;
	for (int i = 0; i < HA_NPATHS; i++)
		ha_path_close(&s->path[i]);
	hacrypt_clear(&s->crypt);
	free(s->burst);
	free(s->rx_buf);
	s->burst = NULL;
	s->rx_buf = NULL;
}

int hasess_open_path(struct hasess *s, enum ha_path_id id,
		     const char *ifname, uint16_t port)
{
	return ha_path_open(&s->path[id], ifname, port);
}

int hasess_path_fd(const struct hasess *s, enum ha_path_id id)
{
	return s->path[id].fd;
}

void hasess_on(struct hasess *s, uint8_t type, hasess_handler_fn fn,
	       void *arg)
{
	if (type < PROTO_T_MAX) {
		s->handler[type].fn = fn;
		s->handler[type].arg = arg;
	}
}

/* --------------------------------------------------------------- paths */

void hasess_path_heard(struct hasess *s, enum ha_path_id id, uint64_t now)
{
	s->path[id].last_rx_ns = now;
	s->path[id].peer_seen = true;
}

bool hasess_paths_expire(struct hasess *s, uint64_t now, uint64_t dead_ns)
{
	bool any = false;

	for (int i = 0; i < HA_NPATHS; i++) {
		struct ha_path *p = &s->path[i];

		if (p->fd >= 0 && p->peer_seen && now - p->last_rx_ns > dead_ns)
			p->peer_seen = false;
		any |= p->peer_seen;
	}
	return any;
}

void hasess_paths_forget(struct hasess *s)
{
	for (int i = 0; i < HA_NPATHS; i++)
		s->path[i].peer_seen = false;
}

uint64_t hasess_paths_deadline(const struct hasess *s, uint64_t dead_ns)
{
	uint64_t next = UINT64_MAX;

	for (int i = 0; i < HA_NPATHS; i++) {
		const struct ha_path *p = &s->path[i];

		if (p->fd >= 0 && p->peer_seen &&
		    p->last_rx_ns + dead_ns + 1 < next)
			next = p->last_rx_ns + dead_ns + 1;
	}
	return next;
}

int hasess_sync_path(const struct hasess *s)
{
	for (int i = HA_PRIMARY; i < HA_NPATHS; i++)
		if (s->path[i].fd >= 0 && s->path[i].peer_seen)
			return i;
	return -1;
}

void hasess_set_master(struct hasess *s, bool master)
{
	s->master = master;
}

bool hasess_rekey(struct hasess *s, const struct hacrypt_keys *next)
{
	return hacrypt_rekey(&s->crypt, next);
}

const struct hasess_unverified *
hasess_unverified_alive(const struct hasess *s, uint64_t now,
			uint64_t dead_ns)
{
	const struct hasess_unverified *u = &s->unverified;

	if (!u->ever || now - u->last_ns > dead_ns)
		return NULL;
	return u;
}

size_t hasess_overhead(const struct hasess *s)
{
	return hacrypt_overhead(&s->crypt);
}

/* Each second: a change takes no restart (halink.h). */
void hasess_tick(struct hasess *s, uint64_t now)
{
	if (now < s->next_mtu_check_ns)
		return;
	s->next_mtu_check_ns = now + NS_PER_S;
	for (int i = 0; i < HA_NPATHS; i++)
		ha_path_check_mtu(&s->path[i]);
}

/* ----------------------------------------------------------------- out */

/* Every frame gets its own sequence number, on each path. */
static void hasess_hdr(struct hasess *s, struct proto_hdr *h)
{
	*h = (struct proto_hdr){ .version = PROTO_VERSION,
				 .flags = s->master ? PROTO_F_MASTER : 0,
				 .cluster_id = s->id.cluster_id,
				 .unit_id = s->id.unit_id,
				 .epoch = s->id.epoch, .seq = ++s->seq };
}

/* Seals an encoded frame in place: its new length, or -errno. */
static int hasess_seal(struct hasess *s, uint8_t *buf, int len, size_t cap)
{
	if (len < 0)
		return len;
	return hacrypt_seal(&s->crypt, buf, PROTO_HDR_LEN, len - PROTO_HDR_LEN,
			    cap);
}

/* What one frame of a broadcast carries: encoded under header h. */
struct hasess_body {
	uint8_t type;
	const struct proto_hb *hb;	/* PROTO_T_HEARTBEAT */
	const struct proto_msg *msg;	/* any other type */
};

/*
 * Under header h, out of path p: a heartbeat carries the echo of that
 * path, for each path numbers its own heartbeats and echoes the peer's.
 */
static int hasess_encode(uint8_t *buf, size_t len, const struct proto_hdr *h,
			 const struct hasess_body *b, struct ha_path *p,
			 uint64_t now)
{
	struct proto_hb mine;

	if (b->type != PROTO_T_HEARTBEAT)
		return proto_encode_msg(buf, len, h, b->type, b->msg);
	mine = *b->hb;
	mine.has_echo = true;
	ha_hb_echo_next(&p->hb, now, &mine.echo);
	return proto_encode_hb(buf, len, h, &mine);
}

/*
 * The same body as a broadcast on every open path, each copy with a
 * sequence number of its own. Returns on how many paths it went out.
 */
static int hasess_broadcast(struct hasess *s, const struct hasess_body *b)
{
	uint8_t buf[HASESS_MSG_MAX + 128];
	uint64_t now = clock_now_ns();
	int sent = 0;

	for (int i = 0; i < HA_NPATHS; i++) {
		struct proto_hdr h;
		int n;

		if (s->path[i].fd < 0)
			continue;
		hasess_hdr(s, &h);
		n = hasess_encode(buf, sizeof(buf), &h, b, &s->path[i], now);
		n = hasess_seal(s, buf, n, sizeof(buf));
		if (n > 0 && !ha_path_send(&s->path[i], buf, n, s->port))
			sent++;
	}
	return sent;
}

int hasess_send_hb(struct hasess *s, const struct proto_hb *hb)
{
	struct hasess_body b = { .type = PROTO_T_HEARTBEAT, .hb = hb };

	return hasess_broadcast(s, &b);
}

int hasess_send_all(struct hasess *s, uint8_t type, const struct proto_msg *m)
{
	struct hasess_body b = { .type = type, .msg = m };

	return hasess_broadcast(s, &b);
}

/* One sealed frame to the peer on the sync path. */
static int hasess_send_peer(struct hasess *s, uint8_t *buf, int n,
			    size_t cap)
{
	int path = hasess_sync_path(s);

	if (path < 0)
		return -ENETUNREACH;
	n = hasess_seal(s, buf, n, cap);
	if (n < 0)
		return n;
	return ha_path_send_peer(&s->path[path], buf, n, s->port);
}

int hasess_send_msg(struct hasess *s, uint8_t type, const struct proto_msg *m)
{
	uint8_t buf[HASESS_MSG_MAX + 128];
	struct proto_hdr h;

	hasess_hdr(s, &h);
	return hasess_send_peer(s, buf, proto_encode_msg(buf, sizeof(buf), &h,
							 type, m),
				sizeof(buf));
}

int hasess_send_ack(struct hasess *s, const struct proto_sync_ack *a)
{
	uint8_t buf[256 + PROTO_SACK_WORDS * 8];
	struct proto_hdr h;

	hasess_hdr(s, &h);
	return hasess_send_peer(s, buf, proto_encode_ack(buf, sizeof(buf), &h,
							 a),
				sizeof(buf));
}

/* Returns the frames that went out. */
static unsigned int hasess_burst_send(struct hasess *s, int path)
{
	struct hasess_burst *b = s->burst;
	unsigned int sent = 0;

	if (b->frames &&
	    !ha_path_send_segs(&s->path[path], b->buf, b->len, b->seg, s->port))
		sent = b->frames;
	b->len = 0;
	b->frames = 0;
	b->closed = false;
	return sent;
}

static unsigned int hasess_burst_add(struct hasess *s, int path,
				     const uint8_t *frame, size_t len)
{
	struct hasess_burst *b = s->burst;
	unsigned int sent = 0;

	if (b->frames &&
	    (b->closed || len > b->seg || b->len + len > HASESS_BURST_BYTES ||
	     b->frames == HA_GSO_SEGS))
		sent = hasess_burst_send(s, path);
	if (!b->frames)
		b->seg = len;
	else if (len < b->seg)
		b->closed = true;
	memcpy(b->buf + b->len, frame, len);
	b->len += len;
	b->frames++;
	return sent;
}

/* The largest sync body the sync path carries whole, once sealed. */
static size_t hasess_stream_cap(const struct hasess *s, int path)
{
	size_t cap = ha_path_payload_max(&s->path[path]);

	if (cap > HASESS_FRAME_MAX)
		cap = HASESS_FRAME_MAX;
	return cap - hasess_overhead(s);
}

unsigned int hasess_send_stream(struct hasess *s, hasess_stream_fn next,
				void *arg, unsigned int max)
{
	uint8_t buf[HASESS_FRAME_MAX + 128];
	int path = hasess_sync_path(s);
	uint64_t start = clock_now_ns();
	unsigned int sent = 0;

	if (path < 0)
		return 0;
	for (unsigned int i = 0; i < max; i++) {
		struct proto_sync ps;
		struct proto_hdr h;
		int n;

		if (i && hasess_slice_spent(start)) {
			s->path[path].tx_yields++;
			break;
		}
		if (next(arg, hasess_stream_cap(s, path), &ps) <= 0)
			break;
		hasess_hdr(s, &h);
		n = proto_encode_sync(buf, sizeof(buf), &h, &ps);
		n = hasess_seal(s, buf, n, sizeof(buf));
		if (n > 0)
			sent += hasess_burst_add(s, path, buf, n);
	}
	return sent + hasess_burst_send(s, path);
}

/* ------------------------------------------------------------------ in */

void hasess_count_drop(struct hasess *s, int reason)
{
	if (reason < 0)
		reason = -reason;
	if (reason > 0 && reason < PROTO_R_MAX)
		s->rx_drop[reason]++;
}

/* Decrypts and authenticates in place: the clear body's length, or -r. */
static int hasess_open(struct hasess *s, uint8_t *buf, size_t len,
		       size_t hdr_len, struct hacrypt_rx *rx)
{
	int n = hacrypt_open(&s->crypt, buf, len, hdr_len, rx);

	/* hacrypt speaks errno: count it under the table's reason. */
	switch (n) {
	case -EPROTO:
		return -PROTO_R_SEC_MISMATCH;
	case -ENOKEY:
		return -PROTO_R_UNKNOWN_KEY;
	}
	return n < 0 ? -PROTO_R_AUTH_FAIL : n;
}

/* A frame of this cluster, from another unit, that did not verify. */
static void hasess_heard_unverified(struct hasess *s,
				    const struct proto_hdr *h, int reason,
				    enum ha_path_id id, uint64_t now)
{
	struct hasess_unverified *u = &s->unverified;

	u->ever = true;
	u->unit_id = h->unit_id;
	u->last_ns = now;
	u->path = id;
	u->reason = -reason;
	u->master = h->flags & PROTO_F_MASTER;
	u->frames++;
}

/*
 * A frame of the known peer whose (epoch, sequence) its window refuses
 * already: refused before the MAC is checked, so that a flood of
 * replayed frames costs no cryptography. Nothing here moves the window;
 * a frame that passes is checked again, once authentic.
 */
static int hasess_replayed(const struct hasess *s, const struct proto_hdr *h)
{
	if (!s->peer_known || s->peer_unit != h->unit_id)
		return 0;
	return replay_check(&s->replay, h->epoch, h->seq) ? -PROTO_R_REPLAY : 0;
}

/* Fresh, or a replay: checked only once the frame is authentic. */
static int hasess_fresh(struct hasess *s, const struct proto_hdr *h)
{
	/* Another peer unit, or a new one, starts a window of its own. */
	if (s->peer_known && s->peer_unit != h->unit_id)
		replay_init(&s->replay);
	if (replay_accept(&s->replay, h->epoch, h->seq))
		return -PROTO_R_REPLAY;
	s->peer_known = true;
	s->peer_unit = h->unit_id;
	return 0;
}

/* One datagram: decode, verify, check for replay, hand it over. */
static void hasess_rx_frame(struct hasess *s, uint8_t *buf, size_t len,
			    const struct sockaddr_in *from,
			    enum ha_path_id id, uint64_t now,
			    uint64_t queued_ns)
{
	struct hasess_frame f = { .path = id, .now = now,
				  .queued_ns = queued_ns };
	struct hacrypt_rx rx;
	struct proto_hdr h;
	int err, n;

	err = proto_decode(buf, len, &h, &f.body, &f.len);
	if (!err)
		err = proto_check_peer(&h, s->id.cluster_id, s->id.unit_id);
	if (err == -PROTO_R_LOOPED) {
		s->looped++;
		return;
	}
	if (err)
		goto drop;
	err = hasess_replayed(s, &h);
	if (err)
		goto drop;
	/* A longer header, of a newer sender, is skipped, not read as body. */
	n = hasess_open(s, buf, len, h.hdr_len, &rx);
	if (n < 0) {
		err = n;
		hasess_heard_unverified(s, &h, err, id, now);
		goto drop;
	}
	err = hasess_fresh(s, &h);
	if (err)
		goto drop;
	hacrypt_peer_said(&s->crypt, &rx);
	/* Verified and fresh: where the peer is on this path (halink.h). */
	s->path[id].peer = *from;
	if (!s->handler[h.type].fn) {
		err = -PROTO_R_BAD_TYPE;
		goto drop;
	}
	f.h = &h;
	f.body = buf + h.hdr_len;
	f.len = n;
	s->handler[h.type].fn(s->handler[h.type].arg, &f);
	return;
drop:
	hasess_count_drop(s, err);
	pr_debug("%s: frame dropped: %s", s->path[id].ifname,
		 proto_reason_name(err));
}

void hasess_rx(struct hasess *s, enum ha_path_id id, uint64_t now)
{
	struct ha_path *p = &s->path[id];
	uint64_t start = clock_now_ns();
	struct sockaddr_in from;
	uint64_t queued;
	size_t seg;
	ssize_t n;

	/*
	 * Bounded, so that a flood on one path cannot starve the loop; in
	 * time too (HASESS_SLICE_NS), but for the drain after a stall,
	 * which must see every heartbeat queued before it acts.
	 */
	for (int i = 0; i < 64; i++) {
		if (i && !s->draining && hasess_slice_spent(start)) {
			p->rx_yields++;
			return;
		}
		n = ha_path_recv(p, s->rx_buf, PROTO_MAX_FRAME, &from, &seg,
				 &queued);
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return;
		if (n <= 0) {
			if (n == 0)
				hasess_count_drop(s, PROTO_R_TRUNCATED);
			continue;
		}
		/* Each frame of a merged burst stands or falls alone. */
		for (size_t off = 0; off < (size_t)n; off += seg)
			hasess_rx_frame(s, s->rx_buf + off,
					n - off < seg ? n - off : seg, &from,
					id, now, queued);
	}
}

void hasess_drain(struct hasess *s, uint64_t now)
{
	s->draining = true;
	for (int i = 0; i < HA_NPATHS; i++)
		if (s->path[i].fd >= 0)
			hasess_rx(s, i, now);
	s->draining = false;
}
