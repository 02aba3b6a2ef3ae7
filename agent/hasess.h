/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hasess.h - the HA link's session layer: every frame between the two
 * units goes out and comes in here, and nowhere else.
 *
 * Out: a frame gets this unit's header (cluster id, unit id, epoch and
 * the next sequence number: one per frame and path), its body from the
 * codec (proto.h), is sealed (hacrypt.h) and sent. A heartbeat goes as a
 * broadcast on every path, so that it finds the peer wherever it is;
 * everything else goes to the peer on the sync path; sync frames go in
 * bursts, dozens to a syscall (ha_path_send_segs()).
 *
 * In: a datagram, or a burst the kernel merged, is cut into frames; each
 * is decoded, checked to come from another unit of this cluster, opened,
 * checked for replay and handed to the handler its type registered
 * (hasess_on()). Every refusal is counted under its reason (proto.h).
 *
 * The layer also keeps which paths hear the peer (the cluster tells it,
 * from heartbeats: hasess_path_heard()), so that it chooses the path the
 * other frames take: the primary while it hears the peer, else the
 * secondary. Its work in one pass of the event loop is bounded in time
 * (HASESS_SLICE_NS), so that heartbeats are never held back by a bulk.
 */
#ifndef NSRPD_HASESS_H
#define NSRPD_HASESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "hacrypt.h"
#include "halink.h"
#include "proto.h"
#include "replay.h"

/*
 * What one pass of the event loop spends on frames, receiving them on
 * a path or sending a stream, before it lets heartbeats and timers run.
 * A bulk sync comes in faster than it is applied: a pass that took all
 * that was queued ran 22-33 ms (77 ms under the sanitizers), and one that
 * sent a full window of small frames 10-15 ms, no heartbeat sent
 * meanwhile; at hb-interval 10 ms the peer would lose the unit. What is
 * left stays readable, or due at once, and the loop comes straight back.
 */
#define HASESS_SLICE_NS		(1 * NS_PER_MS)

/*
 * A sync frame fills the sync path's MTU, so that a lost fragment loses
 * no more than itself, up to a jumbo frame (9000 bytes): a bulk sync
 * costs per frame on both units, in the syscall and the network stack,
 * as much as per record. Messages (requests, replies) stay within any
 * Ethernet MTU.
 */
#define HASESS_FRAME_MAX	(9000 - 28)
#define HASESS_MSG_MAX		1472

/* Who this unit is on the wire. */
struct hasess_id {
	uint32_t cluster_id;
	uint32_t unit_id;
	uint64_t epoch;		/* grows with every start (proto.h) */
};

/* A frame that passed every check, as its handler gets it. */
struct hasess_frame {
	const struct proto_hdr *h;
	const uint8_t *body;	/* the clear body */
	size_t len;
	enum ha_path_id path;
	uint64_t now;
	uint64_t queued_ns;	/* how long it waited for the loop; 0: ? */
};

typedef void (*hasess_handler_fn)(void *arg, const struct hasess_frame *f);

/*
 * The next frame of a stream: fills *ps with records that fit a body of
 * cap bytes (proto_sync_fit()). Returns how many records, 0 when none
 * is due.
 */
typedef int (*hasess_stream_fn)(void *arg, size_t cap, struct proto_sync *ps);

struct hasess_burst;

/*
 * A unit of this cluster whose frames do not verify here: its password
 * differs, or only one side has one, or someone forges frames. Either
 * way something on the link claims to be a live unit; the cluster
 * decides what that is worth (cluster.h).
 */
struct hasess_unverified {
	bool ever;
	uint32_t unit_id;		/* the latest such frame's */
	uint64_t last_ns;
	enum ha_path_id path;
	uint8_t reason;			/* PROTO_R_*: why it failed */
	bool master;			/* its header says PROTO_F_MASTER */
	uint64_t frames;
};

struct hasess {
	bool inited;			/* hasess_init() ran: paths are valid */
	struct hasess_id id;
	uint64_t seq;			/* of the last frame sent */
	uint16_t port;			/* the peer's UDP port */
	struct hacrypt crypt;
	bool master;			/* PROTO_F_MASTER on frames sent */
	struct hasess_unverified unverified;
	struct ha_path path[HA_NPATHS];
	/* The peer as the replay window knows it: its last verified frame. */
	bool peer_known;
	uint32_t peer_unit;
	struct replay_window replay;
	struct {
		hasess_handler_fn fn;
		void *arg;
	} handler[PROTO_T_MAX];
	bool draining;			/* hasess_drain(): read everything */
	uint64_t next_mtu_check_ns;
	struct hasess_burst *burst;	/* sync frames on their way out */
	uint8_t *rx_buf;		/* PROTO_MAX_FRAME bytes */
	/* Counters, since start. */
	uint64_t rx_drop[PROTO_R_MAX];	/* refused frames, by reason */
	uint64_t looped;		/* our own broadcasts, looped back */
};

/*
 * Derives the keys from the passwords (NULL or "": no such protection)
 * and readies the layer with its paths closed. Returns 0 or -errno;
 * hasess_fini() either way.
 */
int hasess_init(struct hasess *s, const struct hasess_id *id,
		const char *auth_pw, const char *enc_pw);
void hasess_fini(struct hasess *s);

/* Opens a path on an interface; frames go to the peer's port. */
int hasess_open_path(struct hasess *s, enum ha_path_id id,
		     const char *ifname, uint16_t port);
/* The path's socket, for the event loop; -1 when not configured. */
int hasess_path_fd(const struct hasess *s, enum ha_path_id id);

/* The handler of every verified frame of one type; NULL: none (counted). */
void hasess_on(struct hasess *s, uint8_t type, hasess_handler_fn fn,
	       void *arg);

/* --------------------------------------------------------------- paths */

/* A heartbeat from the peer arrived on path id. */
void hasess_path_heard(struct hasess *s, enum ha_path_id id, uint64_t now);
/*
 * Forgets the paths that heard nothing for dead_ns. Returns whether any
 * path still hears the peer.
 */
bool hasess_paths_expire(struct hasess *s, uint64_t now, uint64_t dead_ns);
/* No path hears the peer any more (it was found dead). */
void hasess_paths_forget(struct hasess *s);
/* The earliest moment a path that hears the peer may expire. */
uint64_t hasess_paths_deadline(const struct hasess *s, uint64_t dead_ns);
/* The path the other frames take: -1 when no path hears the peer. */
int hasess_sync_path(const struct hasess *s);
/* Whether this unit's frames say it is master of a group. */
void hasess_set_master(struct hasess *s, bool master);
/*
 * New passwords at run time, keys derived off the loop (hacrypt.h): the
 * change takes effect with the peer's agreement, no frame refused.
 */
bool hasess_rekey(struct hasess *s, const struct hacrypt_keys *next);
/*
 * The unit whose frames failed verification, when one was heard within
 * dead_ns; NULL otherwise.
 */
const struct hasess_unverified *
hasess_unverified_alive(const struct hasess *s, uint64_t now,
			uint64_t dead_ns);
/* Bytes a frame adds beyond header and body (its security trailer). */
size_t hasess_overhead(const struct hasess *s);
/* Each second: the paths' MTU, which may change under a running unit. */
void hasess_tick(struct hasess *s, uint64_t now);

/* ----------------------------------------------------------------- out */

/* A heartbeat on every open path. Returns on how many it went out. */
int hasess_send_hb(struct hasess *s, const struct proto_hb *hb);
/* A message as a broadcast on every open path: returns on how many. */
int hasess_send_all(struct hasess *s, uint8_t type, const struct proto_msg *m);
/* A REQUEST or CONTROL message to the peer (HASESS_MSG_MAX at most). */
int hasess_send_msg(struct hasess *s, uint8_t type, const struct proto_msg *m);
int hasess_send_ack(struct hasess *s, const struct proto_sync_ack *a);
/*
 * Sync frames as next() produces them, in bursts, until it has none due,
 * max frames went, or the pass's slice is spent. Returns the frames sent.
 */
unsigned int hasess_send_stream(struct hasess *s, hasess_stream_fn next,
				void *arg, unsigned int max);

/* ------------------------------------------------------------------ in */

/* Reads what path id received, for at most a slice of the pass. */
void hasess_rx(struct hasess *s, enum ha_path_id id, uint64_t now);
/*
 * Reads everything every path holds, however long it takes: after a
 * stall, every heartbeat queued meanwhile must be seen before the unit
 * acts on what it knows of the peer.
 */
void hasess_drain(struct hasess *s, uint64_t now);
/* A handler found the body bad: counts it under its reason (r or -r). */
void hasess_count_drop(struct hasess *s, int reason);

#endif
