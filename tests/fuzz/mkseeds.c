// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkseeds - writes the generated seeds of the fuzz corpora ("make
 * fuzz-seeds"): valid frames of every HA link type, clear and sealed, in
 * streams that hold back and release records; control socket requests
 * and responses; data plane frames for each path of the XDP program.
 * The configuration seeds are files written by hand.
 *
 *   mkseeds CORPUS-DIR     writes CORPUS-DIR/{ha_frame,ctl_msg,xdp}/seed-*
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "ctl.h"
#include "fuzz.h"
#include "hacrypt.h"
#include "neigh.h"
#include "pkt.h"
#include "proto.h"

static const char *top;

/* ------------------------------------------------------------ output */

struct seed {
	uint8_t buf[1 << 17];
	size_t len;
};

static void seed_start(struct seed *s, uint8_t first)
{
	s->buf[0] = first;
	s->len = 1;
}

static void seed_add(struct seed *s, const void *p, size_t n)
{
	if (s->len + n > sizeof(s->buf)) {
		fprintf(stderr, "mkseeds: seed too large\n");
		exit(1);
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static void seed_write(const struct seed *s, const char *corpus,
		       const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top, corpus);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/seed-%s", top, corpus, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->buf, 1, s->len, f) != s->len || fclose(f)) {
		fprintf(stderr, "mkseeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* ---------------------------------------------------------- HA frames */

#define MODE_SEAL	0x04
#define FLIP_NONE	0xffff

enum { SEC_NONE, SEC_AUTH, SEC_ENC, SEC_BOTH };

static struct hacrypt crypt_modes[4];
static uint64_t next_seq = 1;

static struct proto_hdr hdr(uint64_t epoch)
{
	return (struct proto_hdr){ .cluster_id = FUZZ_CLUSTER_ID,
				   .unit_id = 0x0b0b0b0b, .epoch = epoch,
				   .seq = next_seq++ };
}

/* A frame as the harness reads it: length, flip, bytes. */
static void frame_add(struct seed *s, const uint8_t *f, int len,
		      uint16_t flip)
{
	uint8_t h[4] = { len >> 8, len, flip >> 8, flip };

	if (len < 0) {
		fprintf(stderr, "mkseeds: encoding failed: %d\n", len);
		exit(1);
	}
	seed_add(s, h, 4);
	seed_add(s, f, len);
}

/* The same frame, sealed here as a peer with the passwords would. */
static void sealed_add(struct seed *s, int sec, uint8_t *f, int len)
{
	int n = hacrypt_seal(&crypt_modes[sec], f, PROTO_HDR_LEN,
			     len - PROTO_HDR_LEN, PROTO_MAX_FRAME);

	frame_add(s, f, n, FLIP_NONE);
}

static int hb_frame(uint8_t *f, uint64_t epoch, unsigned int ngroups)
{
	struct proto_hdr h = hdr(epoch);
	struct proto_hb hb = {
		.mac = { 0x02, 0, 0, 0, 0x0b, 0x01 },
		.flags = PROTO_HB_F_PRIMARY_LINK_UP | PROTO_HB_F_COLDSTART_DONE,
		.interval_ms = 100, .ngroups = ngroups,
	};

	for (unsigned int i = 0; i < ngroups; i++)
		hb.groups[i] = (struct proto_hb_group){
			.id = i, .state = 2, .priority = 50 + i,
			.holddown_s = 3 };
	return proto_encode_hb(f, PROTO_MAX_FRAME, &h, &hb);
}

static void event_at(struct nsrp_event *ev, unsigned int i, uint8_t kind)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->ts_ns = 1000000000ull * (i + 1);
	ev->key.family = NSRP_AF_INET;
	ev->key.proto = IPPROTO_TCP;
	ev->key.addr_a[0] = htonl(0xc000020a);		/* 192.0.2.10 */
	ev->key.addr_b[0] = htonl(0xc6336414);		/* 198.51.100.20 */
	ev->key.port_a = htons(40000 + i);
	ev->key.port_b = htons(80);
	ev->sess.state = NSRP_SS_ESTABLISHED;
	ev->sess.expires_ns = 1800000000000ull;
	ev->sess.pkts[0] = ev->sess.pkts[1] = i + 1;
	ev->sess.bytes[0] = ev->sess.bytes[1] = 100 * (i + 1);
}

/* A sync frame of n session records numbered from first. */
static int sessions_frame(uint8_t *f, uint64_t epoch, uint64_t first,
			  unsigned int n, uint16_t flags)
{
	struct proto_hdr h = hdr(epoch);
	struct nsrp_event ev[8];

	for (unsigned int i = 0; i < n; i++)
		event_at(&ev[i], (unsigned int)first + i, NSRP_EV_STATE);
	return proto_encode_sync_events(f, PROTO_MAX_FRAME, &h, first, flags,
					ev, n);
}

static int neigh_frame(uint8_t *f, uint64_t epoch, uint64_t first,
		       uint16_t flags)
{
	struct proto_hdr h = hdr(epoch);
	struct neigh_rec r4 = { .ifname = "lan0", .family = 4,
				.mac = { 0x02, 0, 0, 0, 1, 0x10 },
				.addr = { 192, 0, 2, 10 } };
	struct neigh_rec r6 = { .ifname = "wan0", .family = 6,
				.mac = { 0x02, 0, 0, 0, 2, 0x20 },
				.addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 0x20 } };
	uint8_t recs[2 * PROTO_NEIGH_LEN];
	struct proto_sync s = { .first_seq = first, .count = 2,
				.rec_size = PROTO_NEIGH_LEN, .flags = flags,
				.kind = PROTO_SYNC_NEIGH, .recs = recs };

	neigh_rec_put(recs, &r4);
	neigh_rec_put(recs + PROTO_NEIGH_LEN, &r6);
	return proto_encode_sync(f, PROTO_MAX_FRAME, &h, &s);
}

static int mark_frame(uint8_t *f, uint64_t epoch, uint64_t first,
		      uint16_t flags)
{
	struct proto_hdr h = hdr(epoch);
	uint8_t rec[PROTO_MARK_LEN];
	struct proto_sync s = { .first_seq = first, .count = 1,
				.rec_size = PROTO_MARK_LEN, .flags = flags,
				.kind = PROTO_SYNC_MARK, .recs = rec };

	proto_mark_put(rec, 1);		/* RTO_MARK_BULK_END */
	return proto_encode_sync(f, PROTO_MAX_FRAME, &h, &s);
}

static int ack_frame(uint8_t *f, uint64_t epoch)
{
	struct proto_hdr h = hdr(epoch);
	struct proto_sync_ack a = { .next_seq = 5, .window = 4000,
				    .sack_bits = 128,
				    .sack = { 0x5, 0x8000000000000000ull } };

	return proto_encode_ack(f, PROTO_MAX_FRAME, &h, &a);
}

static int msg_frame(uint8_t *f, uint64_t epoch, uint8_t type,
		     uint16_t kind, unsigned int n_events)
{
	struct proto_hdr h = hdr(epoch);
	uint8_t data[4 * PROTO_EVENT_LEN];
	struct proto_msg m = { .kind = kind, .id = 42,
			       .data_len = n_events * PROTO_EVENT_LEN,
			       .data = data };

	for (unsigned int i = 0; i < n_events; i++) {
		struct nsrp_event ev;

		event_at(&ev, i, NSRP_EV_REFRESH);
		proto_event_put(data + i * PROTO_EVENT_LEN, &ev);
	}
	return proto_encode_msg(f, PROTO_MAX_FRAME, &h, type, &m);
}

static void ha_seeds(void)
{
	static struct seed s;
	static uint8_t f[PROTO_MAX_FRAME + 128];
	const uint16_t R = PROTO_SYNC_F_RESTART, B = PROTO_SYNC_F_BULK;
	static const char *const sec_name[4] = { "clear", "auth", "enc",
						 "both" };

	if (hacrypt_init(&crypt_modes[SEC_NONE], NULL, NULL, FUZZ_CLUSTER_ID) ||
	    hacrypt_init(&crypt_modes[SEC_AUTH], FUZZ_AUTH_PW, NULL,
			 FUZZ_CLUSTER_ID) ||
	    hacrypt_init(&crypt_modes[SEC_ENC], NULL, FUZZ_ENC_PW,
			 FUZZ_CLUSTER_ID) ||
	    hacrypt_init(&crypt_modes[SEC_BOTH], FUZZ_AUTH_PW, FUZZ_ENC_PW,
			 FUZZ_CLUSTER_ID)) {
		fprintf(stderr, "mkseeds: hacrypt_init failed\n");
		exit(1);
	}

	for (int sec = 0; sec < 4; sec++) {
		char name[64];

		/* Clear frames that the harness seals (or not: sec 0). */
		seed_start(&s, sec | (sec ? MODE_SEAL : 0));
		frame_add(&s, f, hb_frame(f, 10, 2), FLIP_NONE);
		snprintf(name, sizeof(name), "hb-%s", sec_name[sec]);
		seed_write(&s, "ha_frame", name);

		seed_start(&s, sec | (sec ? MODE_SEAL : 0));
		frame_add(&s, f, sessions_frame(f, 10, 1, 3, R | B), FLIP_NONE);
		frame_add(&s, f, sessions_frame(f, 10, 4, 2, B), FLIP_NONE);
		frame_add(&s, f, mark_frame(f, 10, 6, B), FLIP_NONE);
		snprintf(name, sizeof(name), "bulk-%s", sec_name[sec]);
		seed_write(&s, "ha_frame", name);
		if (!sec)
			continue;

		/* Frames sealed as a peer sends them, opened as they come. */
		seed_start(&s, sec);
		sealed_add(&s, sec, f, hb_frame(f, 11, 1));
		sealed_add(&s, sec, f, sessions_frame(f, 11, 1, 2, R));
		sealed_add(&s, sec, f, neigh_frame(f, 11, 3, 0));
		sealed_add(&s, sec, f, ack_frame(f, 11));
		snprintf(name, sizeof(name), "sealed-%s", sec_name[sec]);
		seed_write(&s, "ha_frame", name);

		/* One bit of a sealed frame flipped: must not open. */
		seed_start(&s, sec | MODE_SEAL);
		frame_add(&s, f, hb_frame(f, 12, 1), 40 * 8 + 3);
		frame_add(&s, f, hb_frame(f, 12, 1), 5 * 8);
		snprintf(name, sizeof(name), "flipped-%s", sec_name[sec]);
		seed_write(&s, "ha_frame", name);
	}

	/* Out of order: 1 applies, 4-5 and 3 are held, 2 releases all. */
	seed_start(&s, SEC_NONE);
	frame_add(&s, f, sessions_frame(f, 20, 1, 1, R), FLIP_NONE);
	frame_add(&s, f, sessions_frame(f, 20, 4, 2, 0), FLIP_NONE);
	frame_add(&s, f, sessions_frame(f, 20, 3, 1, 0), FLIP_NONE);
	frame_add(&s, f, sessions_frame(f, 20, 2, 1, 0), FLIP_NONE);
	frame_add(&s, f, sessions_frame(f, 20, 2, 1, 0), FLIP_NONE);
	seed_write(&s, "ha_frame", "reorder");

	/* Kinds in turn, a stream restarted, a new epoch. */
	seed_start(&s, SEC_NONE);
	frame_add(&s, f, neigh_frame(f, 30, 1, R), FLIP_NONE);
	frame_add(&s, f, sessions_frame(f, 30, 3, 2, 0), FLIP_NONE);
	frame_add(&s, f, mark_frame(f, 30, 5, 0), FLIP_NONE);
	frame_add(&s, f, sessions_frame(f, 30, 100, 1, R), FLIP_NONE);
	frame_add(&s, f, sessions_frame(f, 31, 1, 1, R), FLIP_NONE);
	frame_add(&s, f, sessions_frame(f, 30, 101, 1, 0), FLIP_NONE);
	seed_write(&s, "ha_frame", "streams");

	/* A record far past the window; a stream never started. */
	seed_start(&s, SEC_NONE);
	frame_add(&s, f, sessions_frame(f, 40, 7, 1, 0), FLIP_NONE);
	frame_add(&s, f, sessions_frame(f, 40, 1, 1, R), FLIP_NONE);
	frame_add(&s, f, sessions_frame(f, 40, 1 + 5000, 1, 0), FLIP_NONE);
	seed_write(&s, "ha_frame", "window");

	/* Requests and control messages. */
	seed_start(&s, SEC_NONE);
	frame_add(&s, f, msg_frame(f, 50, PROTO_T_REQUEST, PROTO_REQ_COLDSTART,
				   0), FLIP_NONE);
	frame_add(&s, f, msg_frame(f, 50, PROTO_T_REQUEST,
				   PROTO_REQ_AGEOUT_QUERY, 3), FLIP_NONE);
	frame_add(&s, f, msg_frame(f, 50, PROTO_T_REQUEST,
				   PROTO_REQ_AGEOUT_REPLY, 2), FLIP_NONE);
	frame_add(&s, f, msg_frame(f, 50, PROTO_T_CONTROL, PROTO_CTL_HANDOVER,
				   0), FLIP_NONE);
	frame_add(&s, f, ack_frame(f, 50), FLIP_NONE);
	seed_write(&s, "ha_frame", "messages");

	/* Replays: the same frame twice, then an older epoch. */
	seed_start(&s, SEC_NONE);
	{
		int n = hb_frame(f, 60, 1);

		frame_add(&s, f, n, FLIP_NONE);
		frame_add(&s, f, n, FLIP_NONE);
	}
	frame_add(&s, f, hb_frame(f, 59, 1), FLIP_NONE);
	seed_write(&s, "ha_frame", "replay");

	/* Another cluster, our own unit id, a newer header length. */
	seed_start(&s, SEC_NONE);
	{
		int n = hb_frame(f, 70, 1);

		f[15] = 2;		/* cluster id 2 */
		frame_add(&s, f, n, FLIP_NONE);
		n = hb_frame(f, 70, 1);
		memset(f + 16, 0x0a, 4);	/* FUZZ_OWN_UNIT */
		frame_add(&s, f, n, FLIP_NONE);
	}
	seed_write(&s, "ha_frame", "strangers");
}

/* --------------------------------------------------- control messages */

static void ctl_request_seed(const char *name, uint8_t sel, unsigned int flags,
			     const char *cmd)
{
	static struct seed s;
	uint8_t msg[CTL_REQ_HDR_LEN + CTL_MAX_CMD];

	seed_start(&s, sel);
	seed_add(&s, msg, ctl_encode_request(msg, sizeof(msg), flags, cmd));
	seed_write(&s, "ctl_msg", name);
}

static void ctl_response_seed(const char *name, unsigned int flags,
			      int status, const char *text)
{
	static struct seed s;
	uint8_t msg[CTL_MSG_MAX];

	seed_start(&s, 1);
	seed_add(&s, msg, ctl_encode_response(msg, sizeof(msg), flags, status,
					      text, strlen(text)));
	seed_write(&s, "ctl_msg", name);
}

static void ctl_seeds(void)
{
	static char longest[CTL_MAX_CMD + 1];

	ctl_request_seed("get-nsrp", 0, 0, "get nsrp");
	ctl_request_seed("get-nsrp-json", 0, CTL_F_JSON, "get nsrp");
	ctl_request_seed("exec-backup", 0, 0,
			 "exec nsrp vsd-group 0 mode backup");
	ctl_request_seed("set-quoted", 0, 0, "set nsrp cluster name \"Lab 1\"");
	ctl_request_seed("small-room", 2 * 8, 0, "get session summary");
	memset(longest, 'x', CTL_MAX_CMD);
	ctl_request_seed("longest", 0, 0, longest);
	ctl_response_seed("answer", CTL_RF_END, 0, "vsd group 0: master\n");
	ctl_response_seed("refusal", CTL_RF_END, EBUSY,
			  "too many control connections\n");
	ctl_response_seed("part", 0, 0, "first part of a long answer\n");
}

/* ------------------------------------------------------- data frames */

/* The harness's addresses and MACs (fuzz_xdp.c). */
static const uint8_t mac_vsi0[6] = { 0x02, 0x10, 0xdb, 0xff, 0x10, 0x00 };
static const uint8_t mac_vsi1[6] = { 0x02, 0x10, 0xdb, 0xff, 0x11, 0x00 };
static const uint8_t mac_nic0[6] = { 0x02, 0, 0, 0, 0, 0xa0 };
static const uint8_t mac_client[6] = { 0x02, 0, 0, 0, 1, 0x10 };
static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mac_zero[6];

enum { ROLES_MASTER = 0x0, ROLES_BACKUP = 0x5, ROLES_STALE = 0xa,
       ROLES_LEAVING = 0x30, ROLES_LEAVING_STALE = 0x3a };

static void xdp_seed(const char *name, uint8_t roles, uint8_t nic,
		     const uint8_t *frame, size_t len)
{
	static struct seed s;

	seed_start(&s, roles);
	seed_add(&s, &nic, 1);
	seed_add(&s, frame, len);
	seed_write(&s, "xdp", name);
}

static size_t ip_frame_to(uint8_t *b, const uint8_t *dst, int v6,
			  const char *daddr, uint8_t proto, uint16_t sport,
			  uint16_t dport, uint8_t tcp_flags, uint8_t icmp_type,
			  uint16_t payload)
{
	struct pkt_spec s = {
		.v6 = v6, .proto = proto, .sport = sport, .dport = dport,
		.tcp_flags = tcp_flags, .icmp_type = icmp_type,
		.saddr = v6 ? "2001:db8:1::10" : "192.0.2.10",
		.daddr = daddr, .payload = payload,
	};

	memcpy(s.dst, dst, 6);
	memcpy(s.src, mac_client, 6);
	return pkt_build(&s, b);
}

static size_t ip_frame(uint8_t *b, const uint8_t *dst, int v6, uint8_t proto,
		       uint16_t sport, uint16_t dport, uint8_t tcp_flags,
		       uint8_t icmp_type)
{
	return ip_frame_to(b, dst, v6, v6 ? "2001:db8:2::20" : "198.51.100.20",
			   proto, sport, dport, tcp_flags, icmp_type, 16);
}

/* A probe of the data plane (nsrpd.h) of the harness's cluster, 0. */
static size_t probe_frame(uint8_t *b, uint8_t op, uint16_t vlan)
{
	struct nsrp_probe p = { .version = NSRP_PROBE_VERSION, .op = op,
				.unit_id = htonl(2), .seq = htonl(1) };
	size_t off = 12;

	memcpy(b, op == NSRP_PROBE_REQUEST ? mac_bcast : mac_nic0, 6);
	memcpy(b + 6, mac_client, 6);
	if (vlan) {
		b[off++] = 0x81;
		b[off++] = 0x00;
		b[off++] = vlan >> 8;
		b[off++] = vlan & 0xff;
	}
	b[off++] = NSRP_PROBE_ETHERTYPE >> 8;
	b[off++] = NSRP_PROBE_ETHERTYPE & 0xff;
	memcpy(b + off, &p, sizeof(p));
	return off + sizeof(p);
}

static void xdp_seeds(void)
{
	uint8_t b[PKT_MAX];
	size_t n;

	n = pkt_arp(b, 1, mac_bcast, mac_client, 0, mac_client, "192.0.2.10",
		    mac_zero, "192.0.2.1");
	xdp_seed("arp-master", ROLES_MASTER, 0, b, n);
	xdp_seed("arp-backup", ROLES_BACKUP, 0, b, n);
	xdp_seed("arp-stale", ROLES_STALE, 0, b, n);
	xdp_seed("arp-other-nic", ROLES_MASTER, 2, b, n);
	n = pkt_arp(b, 1, mac_bcast, mac_client, 100, mac_client, "192.0.2.10",
		    mac_zero, "192.0.2.5");
	xdp_seed("arp-vlan-group1", 0x1, 0, b, n);
	n = pkt_arp(b, 1, mac_bcast, mac_client, 0, mac_client, "192.0.2.1",
		    mac_zero, "192.0.2.1");
	xdp_seed("garp", ROLES_MASTER, 0, b, n);
	n = pkt_ns(b, mac_client, 0, "2001:db8:1::10", "2001:db8:1::1");
	xdp_seed("ns-master", ROLES_MASTER, 0, b, n);
	xdp_seed("ns-backup", ROLES_BACKUP, 0, b, n);
	n = pkt_ns(b, mac_client, 0, "::", "2001:db8:1::5");
	xdp_seed("ns-dad-group1", 0x4, 0, b, n);

	n = pkt_arp(b, 1, mac_bcast, mac_client, 0, mac_client, "192.0.2.10",
		    mac_zero, "192.0.2.1");
	xdp_seed("arp-leaving", ROLES_LEAVING, 0, b, n);
	n = probe_frame(b, NSRP_PROBE_REQUEST, 0);
	xdp_seed("probe-master", ROLES_MASTER, 0, b, n);
	xdp_seed("probe-leaving", 0x20, 0, b, n);
	xdp_seed("probe-other-nic", ROLES_MASTER, 2, b, n);
	n = probe_frame(b, NSRP_PROBE_REQUEST, 100);
	xdp_seed("probe-vlan", ROLES_STALE, 1, b, n);
	n = probe_frame(b, NSRP_PROBE_REPLY, 0);
	xdp_seed("probe-answer", ROLES_MASTER, 0, b, n);

	n = ip_frame(b, mac_vsi0, 0, IPPROTO_TCP, 40000, 80, 0x10, 0);
	xdp_seed("tcp-hit-master", ROLES_MASTER, 0, b, n);
	xdp_seed("tcp-hit-leaving", ROLES_LEAVING, 0, b, n);
	xdp_seed("tcp-hit-left", ROLES_LEAVING_STALE, 0, b, n);
	xdp_seed("tcp-hit-backup", ROLES_BACKUP, 0, b, n);
	xdp_seed("tcp-hit-stale", ROLES_STALE, 0, b, n);
	n = ip_frame(b, mac_vsi0, 0, IPPROTO_TCP, 40000, 80, 0x11, 0);
	xdp_seed("tcp-fin", ROLES_MASTER, 0, b, n);
	n = ip_frame(b, mac_vsi0, 0, IPPROTO_TCP, 40002, 80, 0x02, 0);
	xdp_seed("tcp-syn-time-wait", ROLES_MASTER, 0, b, n);
	n = ip_frame(b, mac_vsi0, 0, IPPROTO_TCP, 40003, 80, 0x02, 0);
	xdp_seed("tcp-miss", ROLES_MASTER, 0, b, n);
	n = ip_frame(b, mac_vsi0, 0, IPPROTO_UDP, 5353, 53, 0, 0);
	xdp_seed("udp-hit", ROLES_MASTER, 0, b, n);
	n = ip_frame(b, mac_vsi0, 0, IPPROTO_UDP, 5002, 5003, 0, 0);
	xdp_seed("udp-expired", ROLES_BACKUP, 0, b, n);
	n = ip_frame(b, mac_vsi1, 0, IPPROTO_UDP, 5000, 5001, 0, 0);
	xdp_seed("udp-expired-peer", 0x0, 0, b, n);
	n = ip_frame(b, mac_vsi1, 0, IPPROTO_ICMP, 7, 7, 0, 8);
	xdp_seed("icmp-group1", 0x0, 0, b, n);
	xdp_seed("icmp-group1-backup", 0x4, 0, b, n);
	n = ip_frame(b, mac_vsi0, 1, IPPROTO_TCP, 40001, 443, 0x10, 0);
	xdp_seed("tcp6-hit", ROLES_MASTER, 0, b, n);
	n = ip_frame(b, mac_vsi1, 1, IPPROTO_ICMPV6, 9, 9, 0, 128);
	xdp_seed("icmp6-group1", 0x0, 0, b, n);
	n = ip_frame(b, mac_nic0, 0, IPPROTO_UDP, 5353, 53, 0, 0);
	xdp_seed("to-the-nic", ROLES_MASTER, 0, b, n);
	/* Hits the fast path gives to the kernel. */
	n = ip_frame(b, mac_vsi0, 0, IPPROTO_ICMP, 7, 7, 0, 8);
	xdp_seed("icmp-group1-via-group0", 0x4, 0, b, n);
	n = ip_frame_to(b, mac_vsi0, 0, "198.51.100.30", IPPROTO_TCP, 40010,
			80, 0x10, 0, 16);
	xdp_seed("no-neighbour", ROLES_MASTER, 0, b, n);
	n = ip_frame_to(b, mac_vsi0, 0, "203.0.113.20", IPPROTO_TCP, 40011, 80,
			0x10, 0, 16);
	xdp_seed("not-cluster", ROLES_MASTER, 0, b, n);
	n = ip_frame_to(b, mac_vsi0, 0, "100.64.0.1", IPPROTO_UDP, 40012, 53, 0,
			0, 16);
	xdp_seed("no-route", ROLES_MASTER, 0, b, n);
	n = ip_frame_to(b, mac_vsi0, 0, "198.51.100.20", IPPROTO_UDP, 5353, 53,
			0, 0, 1600);
	xdp_seed("too-big", ROLES_MASTER, 0, b, n);
	{
		struct pkt_spec s = { .proto = IPPROTO_UDP, .saddr = "192.0.2.10",
				      .daddr = "198.51.100.20", .sport = 5353,
				      .dport = 53, .payload = 8,
				      .frag_off = 0x2000 };

		memcpy(s.dst, mac_vsi0, 6);
		memcpy(s.src, mac_client, 6);
		xdp_seed("fragment", ROLES_MASTER, 0, b, pkt_build(&s, b));
		s.frag_off = 0;
		s.ip_opts = 1;
		xdp_seed("ip-options", ROLES_MASTER, 0, b, pkt_build(&s, b));
		s.ip_opts = 0;
		s.ttl = 1;
		xdp_seed("ttl-1", ROLES_MASTER, 0, b, pkt_build(&s, b));
		s.ttl = 0;
		s.vlan = 7;
		xdp_seed("vlan", ROLES_MASTER, 0, b, pkt_build(&s, b));
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds CORPUS-DIR\n");
		return 2;
	}
	top = argv[1];
	ha_seeds();
	ctl_seeds();
	xdp_seeds();
	return 0;
}
