/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * route.h - routes as route sync ("set nsrp rto-mirror route") handles
 * them: what one is, its record on the HA link, the tables that hold
 * them, and the rules: which routes the master sends, how the backup
 * installs its copy of one, and how ScreenOS marks them.
 *
 * A route is the kernel's: a prefix of the main table, its type, the
 * protocol that installed it (RTPROT_*: boot and static for the
 * administrator's, bgp, ospf, isis, rip... for a routing daemon's), its
 * metric and its next hops (a gateway, a device, or both; several for a
 * multipath route). The master sends each route as one record per next
 * hop. The backup installs a copy of it under a protocol of its own,
 * ROUTE_PROTO_NSRPD ("nsrpd" for iproute2), with a metric that ranks it
 * behind any route of the unit's own for the same prefix: the kernel
 * prefers the lower metric, and FRR's zebra reads the top byte of a
 * foreign route's metric as its administrative distance,
 * ROUTE_COPY_DISTANCE, behind every protocol of its own. So the backup's
 * routing daemon keeps its own routes in front and leaves the copies
 * alone (it never removes another protocol's routes), and the kernel, the
 * data plane's FIB lookups included, uses a copy only where the unit has
 * no route of its own.
 *
 * Pure logic: no I/O.
 */
#ifndef NSRPD_ROUTE_H
#define NSRPD_ROUTE_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

#include "proto.h"

/*
 * The copies' protocol number: not one the kernel, iproute2, FRR (186 to
 * 198), BIRD, keepalived, dhcpcd or Open/R use.
 */
#define ROUTE_PROTO_NSRPD	57
#define ROUTE_PROTO_NAME	"nsrpd"
#define ROUTE_COPY_DISTANCE	254	/* the copies' rank, for zebra */
#define ROUTE_METRIC_MASK	0x00ffffffu	/* the master's metric in it */
#define ROUTE_TABLE_MAIN	254	/* RT_TABLE_MAIN: the one synced */

#define ROUTE_NH_MAX		8	/* next hops kept of a route */
#define ROUTE_TABLE_MAX		65536	/* routes a table holds */
#define ROUTE_BUCKETS		16384	/* a table's hash; a power of two */
#define ROUTE_REC_LEN		PROTO_ROUTE_LEN

/* What identifies a route in the kernel's table. */
struct route_key {
	uint8_t family;		/* 4 or 6 */
	uint8_t dst_len;
	uint8_t tos;
	uint8_t rsvd;		/* zero */
	uint32_t table;
	uint32_t metric;	/* the kernel's priority */
	uint8_t dst[16];	/* network order; IPv4 in the first 4 */
};

#define ROUTE_NH_F_ONLINK	0x01	/* the gateway is on the device's link */

struct route_nh {
	uint8_t gw_family;	/* 0: no gateway; 4 or 6 */
	uint8_t flags;		/* ROUTE_NH_F_* */
	uint8_t hops;		/* multipath weight - 1 */
	uint8_t gw[16];
	char ifname[IF_NAMESIZE];	/* "": no device */
};

struct route {
	struct route_key k;
	uint8_t type;		/* RTN_UNICAST, _BLACKHOLE, _UNREACHABLE, _PROHIBIT */
	uint8_t protocol;	/* RTPROT_* of whoever installed it */
	uint8_t n_nh;
	struct route_nh nh[ROUTE_NH_MAX];
};

/* ---------------------------------------------------------------- rules */

/* The types a route may have to be synced; others are the kernel's own. */
bool route_type_synced(uint8_t type);

/*
 * Whether the master sends r: of the main table, of a synced type, not
 * the kernel's own (connected, redirects, router advertisements: each
 * unit has its own), not a copy, and not over the HA link (ha_if, may
 * be "" or NULL).
 */
bool route_syncable(const struct route *r, const char *ha_if);

/* The metric of the copy of a route of metric m. */
uint32_t route_copy_metric(uint32_t m);

/*
 * The copy of the master's route r, as the backup installs it: its
 * protocol, its metric, and every gateway on-link (it was on the
 * master's, where the kernel checked it), so that the copy does not
 * depend on the backup holding an address in the gateway's subnet.
 */
void route_copy_of(struct route *copy, const struct route *r);

/* Same destination: family, prefix and length (the metric aside). */
bool route_same_prefix(const struct route_key *a, const struct route_key *b);
bool route_key_equal(const struct route_key *a, const struct route_key *b);
/* Same key, type, protocol and next hops. */
bool route_equal(const struct route *a, const struct route *b);

/* ---------------------------------------------------------------- marks */

/* The protocol's name as iproute2 and FRR spell it, or NULL. */
const char *route_proto_name(uint8_t protocol);
/* Learned by a routing protocol, not set by the administrator. */
bool route_proto_dynamic(uint8_t protocol);
/*
 * ScreenOS's mark of a route of this protocol: "C" connected, "S"
 * static, "eB" BGP, "O" OSPF, "R" RIP, "IS" IS-IS...; for a copy (from
 * the peer) of a dynamic one, a trailing "B": "eBB", "OB". A copy of a
 * static route is marked as a static route, as ScreenOS puts it in the
 * RIB. The kernel keeps no difference between internal and external
 * BGP: FRR installs both alike.
 */
const char *route_mark(uint8_t protocol, bool copy, char buf[8]);

/* --------------------------------------------------------------- records */

/*
 * One record on the HA link, ROUTE_REC_LEN bytes, field by field:
 *   0  op               enum route_op
 *   1  family           4 or 6 (0 for the markers)
 *   2  dst_len
 *   3  tos
 *   4  type             RTN_*
 *   5  protocol         RTPROT_* on the master
 *   6  nh_index         this record's next hop
 *   7  nh_count         the route's next hops (0: a route without any)
 *   8  table            32 bits
 *  12  metric           32 bits, the master's
 *  16  dst              16 bytes, IPv4 in the first 4, host bits zero
 *  32  gw_family        0, 4 or 6
 *  33  nh_flags         ROUTE_NH_F_*
 *  34  hops             multipath weight - 1
 *  35  reserved, zero
 *  36  ifname           16 bytes, NUL-terminated, zero-padded
 *  52  gw               16 bytes, IPv4 in the first 4
 *  68  reserved, 4 zero bytes
 * Multi-byte fields are in network order. ADD carries a whole route in
 * nh_count records, its next hops in order, one after the other in the
 * stream; DEL carries the key alone; the markers carry nothing.
 */
enum route_op {
	ROUTE_OP_ADD = 1,	/* a route, new or changed: one of its next hops */
	ROUTE_OP_DEL,		/* a route withdrawn */
	ROUTE_OP_BEGIN,		/* the sender streams its routes: all follow */
	ROUTE_OP_END,		/* all were sent: the others are gone */
	ROUTE_OP_STOP,		/* the sender no longer streams (not master) */
};

struct route_rec {
	uint8_t op;
	uint8_t nh_index, nh_count;
	uint8_t type, protocol;
	struct route_key k;
	struct route_nh nh;
};

void route_rec_put(uint8_t out[ROUTE_REC_LEN], const struct route_rec *r);
/* -EINVAL on anything a sender of this version would not write. */
int route_rec_get(const uint8_t in[ROUTE_REC_LEN], struct route_rec *r);

/* How many ADD records carry r. */
unsigned int route_rec_count(const struct route *r);
/* Record i (below route_rec_count()) of r, for op ADD or DEL. */
void route_rec_of(struct route_rec *rec, uint8_t op, const struct route *r,
		  unsigned int i);

/* Puts a route back together from its ADD records, as they come. */
struct route_asm {
	struct route r;
	unsigned int next;	/* the next hop expected; 0: none */
	unsigned int count;	/* of the route being put together */
};

/*
 * Feeds one ADD record: 1 when the route is whole (*out then points to
 * it, valid until the next call), 0 when more of it is to come, -EINVAL
 * when the record does not continue the route being put together (what
 * was gathered of that one is dropped; a record of hop 0 starts anew).
 */
int route_asm_add(struct route_asm *a, const struct route_rec *rec,
		  const struct route **out);

/* ---------------------------------------------------------------- tables */

/* A route, in a table; what state means is the owner's. */
struct route_ent {
	struct route_ent *next;
	struct route r;
	uint32_t gen;		/* the scan or the stream that last set it */
	uint8_t state;
	uint64_t due_ns;	/* the owner's deadline for it, if any */
};

/*
 * Routes by key, chained in buckets by prefix: every route of a prefix
 * (whatever its metric) is in the same bucket.
 */
struct route_table {
	struct route_ent **bucket;	/* ROUTE_BUCKETS */
	unsigned int n;
};

int route_table_init(struct route_table *t);
/* Frees every entry: the kernel keeps whatever it holds. */
void route_table_free(struct route_table *t);
struct route_ent *route_table_find(const struct route_table *t,
				   const struct route_key *k);
/* Does the table hold a route for the prefix of k, whatever its metric? */
bool route_table_has_prefix(const struct route_table *t,
			    const struct route_key *k);
/*
 * Inserts r, or replaces the route of the same key: *changed says
 * whether the table holds something it did not. NULL when full
 * (ROUTE_TABLE_MAX) or out of memory.
 */
struct route_ent *route_table_put(struct route_table *t, const struct route *r,
				  bool *changed);
void route_table_del(struct route_table *t, struct route_ent *e);

/* The first entry of bucket b, for walks that take a bucket at a time. */
static inline struct route_ent *route_table_bucket(const struct route_table *t,
						   unsigned int b)
{
	return t->bucket[b];
}

#endif
