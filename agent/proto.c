// SPDX-License-Identifier: GPL-2.0-only
/*
 * proto.c - encode and decode HA link frames, one field at a time.
 *
 * Nothing here trusts a length it has not checked against the buffer:
 * every decoder is fed whatever arrived from the network.
 */
#include <errno.h>
#include <string.h>

#include "proto.h"

/* Big-endian stores and loads, whatever the host's byte order. */
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static const char *const reason_names[PROTO_R_MAX] = {
	[PROTO_R_OK] = "ok",
	[PROTO_R_TRUNCATED] = "truncated",
	[PROTO_R_BAD_MAGIC] = "bad-magic",
	[PROTO_R_BAD_VERSION] = "bad-version",
	[PROTO_R_BAD_HDR_LEN] = "bad-header-length",
	[PROTO_R_LEN_MISMATCH] = "length-mismatch",
	[PROTO_R_BAD_TYPE] = "bad-type",
	[PROTO_R_WRONG_CLUSTER] = "wrong-cluster",
	[PROTO_R_LOOPED] = "own-unit-id",
	[PROTO_R_TOO_MANY_GROUPS] = "too-many-groups",
	[PROTO_R_TOO_MANY_RECORDS] = "too-many-records",
	[PROTO_R_BAD_RECORD] = "bad-record",
	[PROTO_R_BAD_SACK] = "bad-sack",
	[PROTO_R_SEC_MISMATCH] = "security-mismatch",
	[PROTO_R_AUTH_FAIL] = "auth-failed",
	[PROTO_R_REPLAY] = "replay",
	[PROTO_R_UNKNOWN_KEY] = "unknown-key",
};

const char *proto_reason_name(int reason)
{
	if (reason < 0)
		reason = -reason;
	if (reason >= PROTO_R_MAX)
		return "unknown";
	return reason_names[reason];
}

/* --------------------------------------------------------------- header */

static void put_hdr(uint8_t *buf, const struct proto_hdr *h, uint8_t type,
		    size_t total)
{
	memcpy(buf, PROTO_MAGIC, 4);
	buf[4] = PROTO_VERSION;
	buf[5] = type;
	buf[6] = h->flags;
	buf[7] = PROTO_HDR_LEN;
	put16(buf + 8, (uint16_t)total);
	buf[PROTO_OFF_KEY_ID] = 0;	/* hacrypt_seal() names them */
	buf[PROTO_OFF_KEY_ACCEPTS] = 0;
	put32(buf + 12, h->cluster_id);
	put32(buf + 16, h->unit_id);
	put64(buf + 20, h->epoch);
	put64(buf + 28, h->seq);
}

/* Room for a frame with a body of body_len bytes, or -ENOSPC. */
static int frame_room(size_t len, size_t body_len)
{
	size_t total = PROTO_HDR_LEN + body_len;

	if (total > PROTO_MAX_FRAME || total > len)
		return -ENOSPC;
	return (int)total;
}

int proto_decode(const uint8_t *buf, size_t len, struct proto_hdr *h,
		 const uint8_t **body, size_t *body_len)
{
	if (len < PROTO_HDR_LEN)
		return -PROTO_R_TRUNCATED;
	if (memcmp(buf, PROTO_MAGIC, 4))
		return -PROTO_R_BAD_MAGIC;
	h->version = buf[4];
	if (h->version != PROTO_VERSION)
		return -PROTO_R_BAD_VERSION;
	h->type = buf[5];
	h->flags = buf[6];
	h->hdr_len = buf[7];
	h->total_len = get16(buf + 8);
	h->cluster_id = get32(buf + 12);
	h->unit_id = get32(buf + 16);
	h->epoch = get64(buf + 20);
	h->seq = get64(buf + 28);

	if (h->hdr_len < PROTO_HDR_LEN)
		return -PROTO_R_BAD_HDR_LEN;
	if (h->total_len != len)
		return -PROTO_R_LEN_MISMATCH;
	if (h->hdr_len > h->total_len)
		return -PROTO_R_BAD_HDR_LEN;
	if (h->type == 0 || h->type >= PROTO_T_MAX)
		return -PROTO_R_BAD_TYPE;

	*body = buf + h->hdr_len;
	*body_len = h->total_len - h->hdr_len;
	return 0;
}

int proto_check_peer(const struct proto_hdr *h, uint32_t cluster_id,
		     uint32_t own_unit_id)
{
	if (h->cluster_id != cluster_id)
		return -PROTO_R_WRONG_CLUSTER;
	if (h->unit_id == own_unit_id)
		return -PROTO_R_LOOPED;
	return 0;
}

/* ------------------------------------------------------------ heartbeat */

static size_t hb_body_len(unsigned int ngroups)
{
	return PROTO_HB_FIXED_LEN + (size_t)ngroups * PROTO_HB_GROUP_LEN;
}

static void put_hb_cfg(uint8_t *p, const struct proto_hb_cfg *c)
{
	put32(p, c->sum);
	put32(p + 4, c->full);
	put64(p + 8, c->gen);
	put16(p + 16, c->flags);
	p[18] = c->wire;
	p[19] = 0;
	memset(p + 20, 0, PROTO_HB_VERSION_LEN);
	memcpy(p + 20, c->version, strnlen(c->version, PROTO_HB_VERSION_LEN));
	memset(p + 36, 0, PROTO_HB_CFG_LEN - 36);
}

static void get_hb_cfg(const uint8_t *p, struct proto_hb_cfg *c)
{
	c->sum = get32(p);
	c->full = get32(p + 4);
	c->gen = get64(p + 8);
	c->flags = get16(p + 16);
	c->wire = p[18];
	/* Up to the first NUL, as sent: what follows it is not the name. */
	memset(c->version, 0, sizeof(c->version));
	memcpy(c->version, p + 20,
	       strnlen((const char *)p + 20, PROTO_HB_VERSION_LEN));
	/* What is printed of it is printable. */
	for (char *v = c->version; *v; v++)
		if (*v < ' ' || *v > '~')
			*v = '?';
}

static void put_hb_echo(uint8_t *p, const struct proto_hb_echo *e)
{
	put32(p, e->sent);
	put32(p + 4, e->echo);
	put32(p + 8, e->held_us);
	put32(p + 12, 0);
}

static void get_hb_echo(const uint8_t *p, struct proto_hb_echo *e)
{
	e->sent = get32(p);
	e->echo = get32(p + 4);
	e->held_us = get32(p + 8);
}

static void put_hb_group(uint8_t *p, const struct proto_hb_group *g)
{
	p[0] = g->id;
	p[1] = g->state;
	p[2] = g->flags;
	p[3] = g->weight;
	put16(p + 4, g->priority);
	put16(p + 6, g->holddown_s);
}

static void get_hb_group(const uint8_t *p, struct proto_hb_group *g)
{
	g->id = p[0];
	g->state = p[1];
	g->flags = p[2];
	g->weight = p[3];
	g->priority = get16(p + 4);
	g->holddown_s = get16(p + 6);
}

int proto_encode_hb(uint8_t *buf, size_t len, const struct proto_hdr *h,
		    const struct proto_hb *hb)
{
	bool echo = hb->has_cfg && hb->has_echo;
	uint8_t *p = buf + PROTO_HDR_LEN;
	unsigned int i;
	int total;

	if (hb->ngroups > PROTO_HB_MAX_GROUPS)
		return -EINVAL;
	total = frame_room(len, hb_body_len(hb->ngroups) +
				(hb->has_cfg ? PROTO_HB_CFG_LEN : 0) +
				(echo ? PROTO_HB_ECHO_LEN : 0));
	if (total < 0)
		return total;

	put_hdr(buf, h, PROTO_T_HEARTBEAT, total);
	memcpy(p, hb->mac, NSRPD_ETH_ALEN);
	put16(p + 6, hb->flags);
	put32(p + 8, hb->interval_ms);
	p[12] = hb->ngroups;
	p[13] = hb->threshold;
	put16(p + 14, hb->ctl_deadline_ms);
	p += PROTO_HB_FIXED_LEN;
	for (i = 0; i < hb->ngroups; i++, p += PROTO_HB_GROUP_LEN)
		put_hb_group(p, &hb->groups[i]);
	if (hb->has_cfg)
		put_hb_cfg(p, &hb->cfg);
	if (echo)
		put_hb_echo(p + PROTO_HB_CFG_LEN, &hb->echo);
	return total;
}

int proto_decode_hb(const uint8_t *body, size_t len, struct proto_hb *hb)
{
	const uint8_t *p;
	unsigned int i;

	if (len < PROTO_HB_FIXED_LEN)
		return -PROTO_R_TRUNCATED;
	memset(hb, 0, sizeof(*hb));
	memcpy(hb->mac, body, NSRPD_ETH_ALEN);
	hb->flags = get16(body + 6);
	hb->interval_ms = get32(body + 8);
	hb->ngroups = body[12];
	hb->threshold = body[13];
	hb->ctl_deadline_ms = get16(body + 14);
	if (hb->ngroups > PROTO_HB_MAX_GROUPS)
		return -PROTO_R_TOO_MANY_GROUPS;
	if (len < hb_body_len(hb->ngroups))
		return -PROTO_R_TRUNCATED;

	p = body + PROTO_HB_FIXED_LEN;
	for (i = 0; i < hb->ngroups; i++, p += PROTO_HB_GROUP_LEN)
		get_hb_group(p, &hb->groups[i]);
	if (len >= hb_body_len(hb->ngroups) + PROTO_HB_CFG_LEN) {
		hb->has_cfg = true;
		get_hb_cfg(p, &hb->cfg);
	}
	if (len >= hb_body_len(hb->ngroups) + PROTO_HB_CFG_LEN +
		   PROTO_HB_ECHO_LEN) {
		hb->has_echo = true;
		get_hb_echo(p + PROTO_HB_CFG_LEN, &hb->echo);
	}
	return 0;
}

/* ----------------------------------------------------------------- sync */

void proto_mark_put(uint8_t out[PROTO_MARK_LEN], uint32_t what)
{
	put32(out, what);
	put32(out + 4, 0);
}

uint32_t proto_mark_get(const uint8_t in[PROTO_MARK_LEN])
{
	return get32(in);
}

void proto_event_put(uint8_t out[PROTO_EVENT_LEN], const struct nsrp_event *ev)
{
	const struct nsrp_sess_key *k = &ev->key;
	const struct nsrp_sess *s = &ev->sess;

	out[0] = ev->kind;
	out[1] = k->family;
	out[2] = k->proto;
	out[3] = s->state;
	out[4] = s->vsd;
	out[5] = s->flags;
	put16(out + 6, 0);
	put64(out + 8, ev->ts_ns);
	/* Addresses and ports are already in network order: bytes as is. */
	memcpy(out + 16, k->addr_a, 16);
	memcpy(out + 32, k->addr_b, 16);
	memcpy(out + 48, &k->port_a, 2);
	memcpy(out + 50, &k->port_b, 2);
	put32(out + 52, 0);
	put64(out + 56, s->expires_ns);
	put64(out + 64, s->refreshed_ns);
	put64(out + 72, s->pkts[NSRP_DIR_ORIG]);
	put64(out + 80, s->pkts[NSRP_DIR_REPLY]);
	put64(out + 88, s->bytes[NSRP_DIR_ORIG]);
	put64(out + 96, s->bytes[NSRP_DIR_REPLY]);
}

void proto_event_get(const uint8_t in[PROTO_EVENT_LEN], struct nsrp_event *ev)
{
	struct nsrp_sess_key *k = &ev->key;
	struct nsrp_sess *s = &ev->sess;

	memset(ev, 0, sizeof(*ev));
	ev->kind = in[0];
	k->family = in[1];
	k->proto = in[2];
	s->state = in[3];
	s->vsd = in[4];
	s->flags = in[5];
	ev->ts_ns = get64(in + 8);
	memcpy(k->addr_a, in + 16, 16);
	memcpy(k->addr_b, in + 32, 16);
	memcpy(&k->port_a, in + 48, 2);
	memcpy(&k->port_b, in + 50, 2);
	s->expires_ns = get64(in + 56);
	s->refreshed_ns = get64(in + 64);
	s->pkts[NSRP_DIR_ORIG] = get64(in + 72);
	s->pkts[NSRP_DIR_REPLY] = get64(in + 80);
	s->bytes[NSRP_DIR_ORIG] = get64(in + 88);
	s->bytes[NSRP_DIR_REPLY] = get64(in + 96);
}

unsigned int proto_sync_fit(size_t frame_cap, size_t rec_size)
{
	size_t fixed = PROTO_HDR_LEN + PROTO_SYNC_FIXED_LEN, n;

	if (frame_cap > PROTO_MAX_FRAME)
		frame_cap = PROTO_MAX_FRAME;
	if (!rec_size || frame_cap <= fixed)
		return 0;
	n = (frame_cap - fixed) / rec_size;
	return n > PROTO_SYNC_MAX_RECORDS ? PROTO_SYNC_MAX_RECORDS : n;
}

static void put_sync_fixed(uint8_t *p, const struct proto_sync *s)
{
	put64(p, s->first_seq);
	put16(p + 8, s->count);
	put16(p + 10, s->rec_size);
	put16(p + 12, s->flags);
	p[14] = s->kind;
	p[15] = 0;
}

static int sync_room(uint8_t *buf, size_t len, const struct proto_hdr *h,
		     const struct proto_sync *s)
{
	int total;

	if (s->count > PROTO_SYNC_MAX_RECORDS || (s->count && !s->rec_size))
		return -EINVAL;
	total = frame_room(len, PROTO_SYNC_FIXED_LEN +
				(size_t)s->count * s->rec_size);
	if (total < 0)
		return total;
	put_hdr(buf, h, PROTO_T_SYNC, total);
	put_sync_fixed(buf + PROTO_HDR_LEN, s);
	return total;
}

int proto_encode_sync(uint8_t *buf, size_t len, const struct proto_hdr *h,
		      const struct proto_sync *s)
{
	int total = sync_room(buf, len, h, s);

	if (total < 0)
		return total;
	if (s->count)
		memcpy(buf + PROTO_HDR_LEN + PROTO_SYNC_FIXED_LEN, s->recs,
		       (size_t)s->count * s->rec_size);
	return total;
}

int proto_encode_sync_events(uint8_t *buf, size_t len,
			     const struct proto_hdr *h, uint64_t first_seq,
			     uint16_t flags, const struct nsrp_event *evs,
			     unsigned int n)
{
	struct proto_sync s = {
		.first_seq = first_seq, .rec_size = PROTO_EVENT_LEN,
		.flags = flags, .kind = PROTO_SYNC_SESSION,
	};
	uint8_t *p = buf + PROTO_HDR_LEN + PROTO_SYNC_FIXED_LEN;
	unsigned int i;
	int total;

	if (n > PROTO_SYNC_MAX_RECORDS)
		return -EINVAL;
	s.count = (uint16_t)n;
	total = sync_room(buf, len, h, &s);
	if (total < 0)
		return total;
	for (i = 0; i < n; i++, p += PROTO_EVENT_LEN)
		proto_event_put(p, &evs[i]);
	return total;
}

/* The record size each kind of record has on the wire; 0: unknown. */
static size_t sync_rec_len(uint8_t kind)
{
	switch (kind) {
	case PROTO_SYNC_SESSION:
		return PROTO_EVENT_LEN;
	case PROTO_SYNC_NEIGH:
		return PROTO_NEIGH_LEN;
	case PROTO_SYNC_MARK:
		return PROTO_MARK_LEN;
	case PROTO_SYNC_ROUTE:
		return PROTO_ROUTE_LEN;
	default:
		return 0;
	}
}

int proto_decode_sync(const uint8_t *body, size_t len, struct proto_sync *s)
{
	if (len < PROTO_SYNC_FIXED_LEN)
		return -PROTO_R_TRUNCATED;
	s->first_seq = get64(body);
	s->count = get16(body + 8);
	s->rec_size = get16(body + 10);
	s->flags = get16(body + 12);
	s->kind = body[14];
	s->recs = body + PROTO_SYNC_FIXED_LEN;
	if (s->count > PROTO_SYNC_MAX_RECORDS)
		return -PROTO_R_TOO_MANY_RECORDS;
	/* A kind not known here has no size: it is refused, not skipped. */
	if (!sync_rec_len(s->kind) || s->rec_size != sync_rec_len(s->kind))
		return -PROTO_R_BAD_RECORD;
	if (len - PROTO_SYNC_FIXED_LEN < (size_t)s->count * s->rec_size)
		return -PROTO_R_TRUNCATED;
	return 0;
}

/* ------------------------------------------------------------- sync ack */

static size_t ack_body_len(unsigned int sack_bits)
{
	return PROTO_ACK_FIXED_LEN + sack_bits / 8;
}

static int sack_bits_ok(unsigned int bits)
{
	return bits % 64 == 0 && bits <= PROTO_SACK_MAX_BITS;
}

int proto_encode_ack(uint8_t *buf, size_t len, const struct proto_hdr *h,
		     const struct proto_sync_ack *a)
{
	uint8_t *p = buf + PROTO_HDR_LEN;
	unsigned int i;
	int total;

	if (!sack_bits_ok(a->sack_bits))
		return -EINVAL;
	total = frame_room(len, ack_body_len(a->sack_bits));
	if (total < 0)
		return total;
	put_hdr(buf, h, PROTO_T_SYNC_ACK, total);
	put64(p, a->next_seq);
	put32(p + 8, a->window);
	put16(p + 12, a->flags);
	put16(p + 14, a->sack_bits);
	p += PROTO_ACK_FIXED_LEN;
	for (i = 0; i < a->sack_bits / 64; i++, p += 8)
		put64(p, a->sack[i]);
	return total;
}

int proto_decode_ack(const uint8_t *body, size_t len,
		     struct proto_sync_ack *a)
{
	const uint8_t *p = body + PROTO_ACK_FIXED_LEN;
	unsigned int i;

	if (len < PROTO_ACK_FIXED_LEN)
		return -PROTO_R_TRUNCATED;
	memset(a, 0, sizeof(*a));
	a->next_seq = get64(body);
	a->window = get32(body + 8);
	a->flags = get16(body + 12);
	a->sack_bits = get16(body + 14);
	if (!sack_bits_ok(a->sack_bits))
		return -PROTO_R_BAD_SACK;
	if (len < ack_body_len(a->sack_bits))
		return -PROTO_R_TRUNCATED;
	for (i = 0; i < a->sack_bits / 64; i++, p += 8)
		a->sack[i] = get64(p);
	return 0;
}

/* ------------------------------------------------- request and control */

int proto_encode_msg(uint8_t *buf, size_t len, const struct proto_hdr *h,
		     uint8_t type, const struct proto_msg *m)
{
	uint8_t *p = buf + PROTO_HDR_LEN;
	int total;

	if (type != PROTO_T_REQUEST && type != PROTO_T_CONTROL &&
	    type != PROTO_T_CONFIG)
		return -EINVAL;
	if (m->data_len && !m->data)
		return -EINVAL;
	total = frame_room(len, PROTO_MSG_FIXED_LEN + (size_t)m->data_len);
	if (total < 0)
		return total;
	put_hdr(buf, h, type, total);
	put16(p, m->kind);
	put16(p + 2, m->flags);
	put32(p + 4, m->id);
	put16(p + 8, m->data_len);
	put16(p + 10, 0);
	if (m->data_len)
		memcpy(p + PROTO_MSG_FIXED_LEN, m->data, m->data_len);
	return total;
}

int proto_decode_msg(const uint8_t *body, size_t len, struct proto_msg *m)
{
	if (len < PROTO_MSG_FIXED_LEN)
		return -PROTO_R_TRUNCATED;
	m->kind = get16(body);
	m->flags = get16(body + 2);
	m->id = get32(body + 4);
	m->data_len = get16(body + 8);
	m->data = body + PROTO_MSG_FIXED_LEN;
	if (len - PROTO_MSG_FIXED_LEN < m->data_len)
		return -PROTO_R_TRUNCATED;
	return 0;
}
