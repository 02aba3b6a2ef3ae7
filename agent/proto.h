/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * proto.h - the HA link wire format (the payload of one UDP datagram).
 *
 * Every frame starts with the same versioned header; every multi-byte
 * field is in network byte order and is read and written one field at a
 * time, so the layout never depends on the compiler's struct packing:
 *
 *   off len field
 *     0   4 magic        "NSRP"
 *     4   1 version      PROTO_VERSION; another value is rejected
 *     5   1 type         enum proto_type
 *     6   1 flags        PROTO_F_*: how the rest is protected
 *     7   1 hdr_len      bytes of header; newer versions may grow it
 *     8   2 total_len    bytes of the whole frame, trailer included
 *    10   1 key_id       the key set that sealed the frame (hacrypt.h)
 *    11   1 key_accepts  the newest key set its sender accepts
 *    12   4 cluster_id
 *    16   4 unit_id      the sender's unit id
 *    20   8 epoch        the sender's start time; see below
 *    28   8 seq          per sender and epoch, one per frame sent
 *    36     body (type specific), then the security trailer if any
 *
 * The security layer (hacrypt.h) wraps every frame: the clear header is
 * what it authenticates as associated data, the body is what it encrypts,
 * and flags plus total_len say what it did, so a unit configured without
 * a password meets a protected frame with a clear, counted error.
 *
 * epoch grows each time a daemon starts (the wall clock in nanoseconds at
 * start, never lower than the last one used): a receiver's replay window
 * restarts on a higher epoch and refuses a lower one (replay.h). seq is
 * unique per frame: a frame sent on both HA paths needs two numbers, or
 * the second copy is a replay.
 */
#ifndef NSRPD_PROTO_H
#define NSRPD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nsrpd.h"

#define PROTO_PORT		7060	/* UDP port, both ends */
#define PROTO_MAGIC		"NSRP"
#define PROTO_VERSION		1
#define PROTO_HDR_LEN		36	/* header length of this version */
#define PROTO_MAX_FRAME		65535	/* total_len is 16 bits */

/* Header byte offsets the security layer patches in place. */
#define PROTO_OFF_FLAGS		6
#define PROTO_OFF_TOTAL_LEN	8
#define PROTO_OFF_KEY_ID	10
#define PROTO_OFF_KEY_ACCEPTS	11

enum proto_type {
	PROTO_T_HEARTBEAT = 1,
	PROTO_T_SYNC = 2,	/* a batch of records: session deltas... */
	PROTO_T_SYNC_ACK = 3,	/* cumulative ack plus selective acks */
	PROTO_T_REQUEST = 4,	/* ageout-ack query, cold start request... */
	PROTO_T_CONTROL = 5,	/* graceful hand-over... */
	PROTO_T_CONFIG = 6,	/* config sync: a piece of a text or file */
	PROTO_T_MAX,
};

/* Header flags. Unknown bits are ignored, for newer senders. */
#define PROTO_F_AUTH		0x01	/* trailer: MAC over the whole frame */
#define PROTO_F_ENC		0x02	/* body: nonce, AEAD ciphertext, tag */
#define PROTO_F_SEC_MASK	(PROTO_F_AUTH | PROTO_F_ENC)
/*
 * The sender is master of a VSD group. A unit that cannot verify the
 * frame (another password) still learns from it that a master is on
 * the link, and does not become a second one (cluster.h).
 */
#define PROTO_F_MASTER		0x04

/*
 * Why a frame was refused: one counter each in the daemon. Decoders
 * return 0 or the negated reason. The last few are found by the security
 * layer and the replay window, listed here so that every refusal of a
 * frame is counted in one table.
 */
enum proto_reason {
	PROTO_R_OK = 0,
	PROTO_R_TRUNCATED,	/* shorter than its header or body needs */
	PROTO_R_BAD_MAGIC,
	PROTO_R_BAD_VERSION,
	PROTO_R_BAD_HDR_LEN,	/* hdr_len below this version's header */
	PROTO_R_LEN_MISMATCH,	/* total_len is not the datagram's length */
	PROTO_R_BAD_TYPE,
	PROTO_R_WRONG_CLUSTER,
	PROTO_R_LOOPED,		/* our own unit id: a loop or a clone */
	PROTO_R_TOO_MANY_GROUPS,
	PROTO_R_TOO_MANY_RECORDS,
	PROTO_R_BAD_RECORD,	/* record size or content not understood */
	PROTO_R_BAD_SACK,	/* SACK bitmap length not allowed */
	PROTO_R_SEC_MISMATCH,	/* protected differently than configured */
	PROTO_R_AUTH_FAIL,	/* MAC or AEAD tag did not verify */
	PROTO_R_REPLAY,		/* duplicate, too old or an older epoch */
	PROTO_R_UNKNOWN_KEY,	/* sealed with keys not held: a password */
	PROTO_R_MAX,
};

const char *proto_reason_name(int reason);	/* accepts r or -r */

struct proto_hdr {
	uint8_t version;
	uint8_t type;		/* enum proto_type */
	uint8_t flags;		/* PROTO_F_* */
	uint8_t hdr_len;
	uint16_t total_len;
	uint32_t cluster_id;
	uint32_t unit_id;
	uint64_t epoch;
	uint64_t seq;
};

/* ------------------------------------------------------------ heartbeat */

/* Unit flags. */
#define PROTO_HB_F_STEPPING_DOWN	0x0001	/* graceful stop under way */
#define PROTO_HB_F_PRIMARY_LINK_UP	0x0002	/* sender hears us on ha link */
#define PROTO_HB_F_COLDSTART_DONE	0x0004	/* bulk sync completed */


/*
 * A group's state and flags travel as the election defines them (enum
 * vsd_state, VSD_F_* in election.h, whose values never change): one
 * definition, read by both units' election.
 */

#define PROTO_HB_MAX_GROUPS	NSRPD_MAX_VSD
#define PROTO_HB_FIXED_LEN	16	/* body before the group records */
#define PROTO_HB_GROUP_LEN	8	/* per group record */

struct proto_hb_group {
	uint8_t id;
	uint8_t state;		/* enum vsd_state, election.h */
	uint8_t flags;		/* VSD_F_*, election.h */
	uint8_t weight;		/* failed monitors' sum, capped at 255 */
	uint16_t priority;	/* lower wins */
	uint16_t holddown_s;	/* preempt hold-down */
};

/*
 * After the groups, optional (a heartbeat without it decodes as before):
 * the sender's configuration as config sync sees it (cfgsync.h), and its
 * software. Newer senders may add more after it; it is read when there.
 */
#define PROTO_HB_CFG_LEN	40
#define PROTO_HB_VERSION_LEN	16	/* "0.1.0", NUL-padded */
#define PROTO_HB_CFG_F_SYNC	0x0001	/* set nsrp config sync */

struct proto_hb_cfg {
	uint32_t sum;		/* checksum of the replicated part */
	uint32_t full;		/* of all the sender would share */
	uint64_t gen;		/* generation of the replicated part */
	uint16_t flags;		/* PROTO_HB_CFG_F_* */
	uint8_t wire;		/* PROTO_VERSION the sender speaks */
	char version[PROTO_HB_VERSION_LEN + 1];	/* nsrpd's, terminated */
};

/*
 * After the configuration, optional too: the heartbeat's echo, which
 * gives each HA path its round trip and its losses. Each path carries
 * heartbeats of its own numbering; each says how many the sender has
 * sent on the path (gaps are losses), and echoes the number of the
 * receiver's last heartbeat heard on that path with the time held since
 * (the receiver's round trip: now, less when it sent that one, less the
 * time held).
 */
#define PROTO_HB_ECHO_LEN	16

struct proto_hb_echo {
	uint32_t sent;		/* heartbeats sent on this path, this one too */
	uint32_t echo;		/* the receiver's last heard here; 0: none */
	uint32_t held_us;	/* since it was heard, saturating */
};

struct proto_hb {
	uint8_t mac[NSRPD_ETH_ALEN];	/* the sender's HA interface MAC */
	uint16_t flags;			/* PROTO_HB_F_* */
	uint32_t interval_ms;		/* the sender's hb-interval */
	uint8_t threshold;		/* and hb-threshold; 0: not told */
	/*
	 * How long its agent may be silent while its data plane answers
	 * (config_control_deadline_ms()); 0: not told, interval x threshold.
	 */
	uint16_t ctl_deadline_ms;
	uint8_t ngroups;
	struct proto_hb_group groups[PROTO_HB_MAX_GROUPS];
	bool has_cfg;			/* cfg below was sent */
	struct proto_hb_cfg cfg;
	bool has_echo;			/* echo below, sent after cfg only */
	struct proto_hb_echo echo;
};

/* ----------------------------------------------------------------- sync */

/* What the records of a SYNC frame are. */
enum proto_sync_kind {
	PROTO_SYNC_SESSION = 1,	/* struct nsrp_event, PROTO_EVENT_LEN bytes */
	PROTO_SYNC_NEIGH = 2,	/* neighbour entries, PROTO_NEIGH_LEN bytes */
	PROTO_SYNC_MARK = 3,	/* stream markers, PROTO_MARK_LEN bytes */
	PROTO_SYNC_ROUTE = 4,	/* the master's routes, PROTO_ROUTE_LEN bytes */
};

#define PROTO_SYNC_F_BULK	0x0001	/* part of a bulk (cold start) sync */
#define PROTO_SYNC_F_RESTART	0x0004	/* the first frame of a stream */

#define PROTO_SYNC_FIXED_LEN	16
#define PROTO_SYNC_MAX_RECORDS	1024	/* per frame */
#define PROTO_EVENT_LEN		104	/* struct nsrp_event on the wire */
#define PROTO_NEIGH_LEN		40	/* a neighbour entry, neigh.h */
#define PROTO_MARK_LEN		8	/* a marker: what (32 bits), 0 */
#define PROTO_ROUTE_LEN		72	/* a route's next hop, route.h */

/*
 * A batch of count records of rec_size bytes each, numbered first_seq,
 * first_seq + 1, ... in the sync channel's own sequence space (distinct
 * from the header's per-frame seq, which retransmissions renew).
 */
struct proto_sync {
	uint64_t first_seq;
	uint16_t count;
	uint16_t rec_size;
	uint16_t flags;		/* PROTO_SYNC_F_* */
	uint8_t kind;		/* enum proto_sync_kind */
	const uint8_t *recs;	/* count * rec_size bytes */
};

/*
 * The receiver's window, in records: it holds that many past a gap. A
 * bulk sync keeps a window in flight while the receiver applies what came
 * before; with 1024 records (well under a millisecond of the backup's
 * apply) the master spent part of every bulk waiting on acks.
 * A receiver's SACK map ends at the last record it holds, so a peer
 * whose window is smaller (it advertises it in every ack) never gets more
 * bits than it decodes.
 */
#define PROTO_SACK_MAX_BITS	4096
#define PROTO_SACK_WORDS	(PROTO_SACK_MAX_BITS / 64)
#define PROTO_ACK_FIXED_LEN	16

#define PROTO_ACK_F_RESYNC	0x0001	/* receiver lost track: bulk resync */

/*
 * Everything below next_seq has arrived; bit i of the SACK bitmap (word
 * i / 64, bit i % 64) says record next_seq + 1 + i has arrived too.
 * sack_bits is a multiple of 64, at most PROTO_SACK_MAX_BITS.
 */
struct proto_sync_ack {
	uint64_t next_seq;
	uint32_t window;	/* records the receiver can still take */
	uint16_t flags;		/* PROTO_ACK_F_* */
	uint16_t sack_bits;
	uint64_t sack[PROTO_SACK_WORDS];
};

/* ------------------------------------------------- request and control */

enum proto_req_kind {
	PROTO_REQ_COLDSTART = 1,	/* send me the whole table */
	PROTO_REQ_AGEOUT_QUERY = 2,	/* is this session alive on you? */
	PROTO_REQ_AGEOUT_REPLY = 3,
	/*
	 * Take master of the group data[0] now: this unit stopped answering
	 * for it, and the peer has every session delta it sent. The answer
	 * echoes the id, data[0] the group, data[1] 1 when it took master,
	 * 0 when it cannot.
	 */
	PROTO_CTL_HANDOVER = 16,
	PROTO_CTL_HANDOVER_ACK = 17,
	PROTO_CTL_PING = 18,		/* answer at once: id is a nonce */
	PROTO_CTL_PONG = 19,		/* the answer, the same id */
};

#define PROTO_MSG_FIXED_LEN	12

/* REQUEST and CONTROL bodies: a kind, an id to match a reply, data. */
struct proto_msg {
	uint16_t kind;		/* enum proto_req_kind */
	uint16_t flags;
	uint32_t id;
	uint16_t data_len;
	const uint8_t *data;
};

/* ---------------------------------------------------------------- codec */

/*
 * Encoders write a header (type, hdr_len and total_len computed; the
 * other fields from h) and the body into buf. They return the bytes
 * written or -ENOSPC; -EINVAL when the body itself is out of bounds.
 */
int proto_encode_hb(uint8_t *buf, size_t len, const struct proto_hdr *h,
		    const struct proto_hb *hb);
int proto_encode_sync(uint8_t *buf, size_t len, const struct proto_hdr *h,
		      const struct proto_sync *s);
int proto_encode_sync_events(uint8_t *buf, size_t len,
			     const struct proto_hdr *h, uint64_t first_seq,
			     uint16_t flags, const struct nsrp_event *evs,
			     unsigned int n);
int proto_encode_ack(uint8_t *buf, size_t len, const struct proto_hdr *h,
		     const struct proto_sync_ack *a);
/* type is PROTO_T_REQUEST, PROTO_T_CONTROL or PROTO_T_CONFIG. */
int proto_encode_msg(uint8_t *buf, size_t len, const struct proto_hdr *h,
		     uint8_t type, const struct proto_msg *m);

/* How many records of rec_size fit a frame of frame_cap bytes. */
unsigned int proto_sync_fit(size_t frame_cap, size_t rec_size);

/*
 * Checks and decodes a header. body/body_len are what follows the
 * header up to total_len (still sealed if flags say so). Returns 0 or
 * -PROTO_R_*. It knows no configuration: proto_check_peer() does.
 */
int proto_decode(const uint8_t *buf, size_t len, struct proto_hdr *h,
		 const uint8_t **body, size_t *body_len);
/* -PROTO_R_WRONG_CLUSTER, -PROTO_R_LOOPED or 0. */
int proto_check_peer(const struct proto_hdr *h, uint32_t cluster_id,
		     uint32_t own_unit_id);

/* Body decoders, on the clear body. Trailing bytes are ignored. */
int proto_decode_hb(const uint8_t *body, size_t len, struct proto_hb *hb);
/* s->recs points into body. */
int proto_decode_sync(const uint8_t *body, size_t len, struct proto_sync *s);
int proto_decode_ack(const uint8_t *body, size_t len,
		     struct proto_sync_ack *a);
/* m->data points into body. */
int proto_decode_msg(const uint8_t *body, size_t len, struct proto_msg *m);

/* One session delta record, field by field. */
/* A marker record: what it marks (RTO_MARK_*), then 32 zero bits. */
void proto_mark_put(uint8_t out[PROTO_MARK_LEN], uint32_t what);
uint32_t proto_mark_get(const uint8_t in[PROTO_MARK_LEN]);

void proto_event_put(uint8_t out[PROTO_EVENT_LEN],
		     const struct nsrp_event *ev);
void proto_event_get(const uint8_t in[PROTO_EVENT_LEN],
		     struct nsrp_event *ev);

#endif
