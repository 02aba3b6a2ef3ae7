// SPDX-License-Identifier: GPL-2.0-only
/*
 * route.c - routes for route sync: the rules, the marks, the record
 * codec and the tables (see route.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "route.h"

/* RTPROT_* that the kernel headers of older systems may lack. */
#define PROTO_RIPNG	190
#define PROTO_NHRP	191
#define PROTO_LDP	193
#define PROTO_SHARP	194
#define PROTO_PBR	195
#define PROTO_ZSTATIC	196	/* FRR's staticd */
#define PROTO_FABRIC	197	/* FRR's openfabric */

/* ------------------------------------------------------------- rules */

bool route_type_synced(uint8_t type)
{
	return type == RTN_UNICAST || type == RTN_BLACKHOLE ||
	       type == RTN_UNREACHABLE || type == RTN_PROHIBIT;
}

/* Routes each unit has of its own, from its own addresses and links. */
static bool proto_units_own(uint8_t protocol)
{
	return protocol == RTPROT_UNSPEC || protocol == RTPROT_REDIRECT ||
	       protocol == RTPROT_KERNEL || protocol == RTPROT_RA;
}

bool route_syncable(const struct route *r, const char *ha_if)
{
	if (r->k.table != ROUTE_TABLE_MAIN || !route_type_synced(r->type) ||
	    r->protocol == ROUTE_PROTO_NSRPD || proto_units_own(r->protocol))
		return false;
	if (r->type == RTN_UNICAST && !r->n_nh)
		return false;
	for (unsigned int i = 0; ha_if && ha_if[0] && i < r->n_nh; i++)
		if (!strcmp(r->nh[i].ifname, ha_if))
			return false;
	return true;
}

uint32_t route_copy_metric(uint32_t m)
{
	if (m > ROUTE_METRIC_MASK)
		m = ROUTE_METRIC_MASK;
	return (uint32_t)ROUTE_COPY_DISTANCE << 24 | m;
}

void route_copy_of(struct route *copy, const struct route *r)
{
	*copy = *r;
	copy->protocol = ROUTE_PROTO_NSRPD;
	copy->k.metric = route_copy_metric(r->k.metric);
	for (unsigned int i = 0; i < copy->n_nh; i++)
		if (copy->nh[i].gw_family)
			copy->nh[i].flags |= ROUTE_NH_F_ONLINK;
}

static unsigned int addr_len(uint8_t family)
{
	return family == 4 ? 4 : 16;
}

bool route_same_prefix(const struct route_key *a, const struct route_key *b)
{
	return a->family == b->family && a->dst_len == b->dst_len &&
	       !memcmp(a->dst, b->dst, addr_len(a->family));
}

bool route_key_equal(const struct route_key *a, const struct route_key *b)
{
	return route_same_prefix(a, b) && a->tos == b->tos &&
	       a->table == b->table && a->metric == b->metric;
}

static bool nh_equal(const struct route_nh *a, const struct route_nh *b)
{
	return a->gw_family == b->gw_family && a->flags == b->flags &&
	       a->hops == b->hops &&
	       !memcmp(a->gw, b->gw, addr_len(a->gw_family)) &&
	       !strcmp(a->ifname, b->ifname);
}

bool route_equal(const struct route *a, const struct route *b)
{
	if (!route_key_equal(&a->k, &b->k) || a->type != b->type ||
	    a->protocol != b->protocol || a->n_nh != b->n_nh)
		return false;
	for (unsigned int i = 0; i < a->n_nh; i++)
		if (!nh_equal(&a->nh[i], &b->nh[i]))
			return false;
	return true;
}

/* ------------------------------------------------------------- marks */

struct proto_info {
	uint8_t protocol;
	const char *name;
	const char *mark;	/* ScreenOS's, or the nearest */
	bool dynamic;
};

static const struct proto_info protos[] = {
	{ RTPROT_REDIRECT, "redirect", "D", true },
	{ RTPROT_KERNEL, "kernel", "C", false },
	{ RTPROT_BOOT, "boot", "S", false },
	{ RTPROT_STATIC, "static", "S", false },
	{ RTPROT_RA, "ra", "D", true },
	{ RTPROT_ZEBRA, "zebra", "S", false },
	{ RTPROT_DHCP, "dhcp", "S", false },
	{ ROUTE_PROTO_NSRPD, ROUTE_PROTO_NAME, "?", true },
	{ RTPROT_BGP, "bgp", "eB", true },
	{ RTPROT_ISIS, "isis", "IS", true },
	{ RTPROT_OSPF, "ospf", "O", true },
	{ RTPROT_RIP, "rip", "R", true },
	{ PROTO_RIPNG, "ripng", "R", true },
	{ PROTO_NHRP, "nhrp", "N", true },
	{ RTPROT_EIGRP, "eigrp", "EI", true },
	{ PROTO_LDP, "ldp", "L", true },
	{ PROTO_SHARP, "sharp", "SH", true },
	{ PROTO_PBR, "pbr", "P", true },
	{ PROTO_ZSTATIC, "static", "S", false },
	{ PROTO_FABRIC, "openfabric", "F", true },
	{ RTPROT_BABEL, "babel", "BA", true },
	{ RTPROT_BIRD, "bird", "BI", true },
};

static const struct proto_info *proto_info(uint8_t protocol)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].protocol == protocol)
			return &protos[i];
	return NULL;
}

const char *route_proto_name(uint8_t protocol)
{
	const struct proto_info *p = proto_info(protocol);

	return p ? p->name : NULL;
}

bool route_proto_dynamic(uint8_t protocol)
{
	const struct proto_info *p = proto_info(protocol);

	/* A protocol nobody registered is some routing daemon's. */
	return p ? p->dynamic : true;
}

const char *route_mark(uint8_t protocol, bool copy, char buf[8])
{
	const struct proto_info *p = proto_info(protocol);
	const char *mark = p ? p->mark : "?";

	snprintf(buf, 8, "%s%s", mark,
		 copy && route_proto_dynamic(protocol) ? "B" : "");
	return buf;
}

/* ----------------------------------------------------------- records */

#define RR_OP		0
#define RR_FAMILY	1
#define RR_DST_LEN	2
#define RR_TOS		3
#define RR_TYPE		4
#define RR_PROTOCOL	5
#define RR_NH_INDEX	6
#define RR_NH_COUNT	7
#define RR_TABLE	8
#define RR_METRIC	12
#define RR_DST		16
#define RR_GW_FAMILY	32
#define RR_NH_FLAGS	33
#define RR_HOPS		34
#define RR_RSVD1	35
#define RR_IFNAME	36
#define RR_GW		52
#define RR_RSVD2	68

_Static_assert(RR_RSVD2 + 4 == ROUTE_REC_LEN, "route record layout");
_Static_assert(RR_GW - RR_IFNAME == IF_NAMESIZE, "route record ifname");

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

void route_rec_put(uint8_t out[ROUTE_REC_LEN], const struct route_rec *r)
{
	memset(out, 0, ROUTE_REC_LEN);
	out[RR_OP] = r->op;
	if (r->op != ROUTE_OP_ADD && r->op != ROUTE_OP_DEL)
		return;
	out[RR_FAMILY] = r->k.family;
	out[RR_DST_LEN] = r->k.dst_len;
	out[RR_TOS] = r->k.tos;
	put32(out + RR_TABLE, r->k.table);
	put32(out + RR_METRIC, r->k.metric);
	memcpy(out + RR_DST, r->k.dst, addr_len(r->k.family));
	if (r->op == ROUTE_OP_DEL)
		return;
	out[RR_TYPE] = r->type;
	out[RR_PROTOCOL] = r->protocol;
	out[RR_NH_INDEX] = r->nh_index;
	out[RR_NH_COUNT] = r->nh_count;
	if (!r->nh_count)
		return;
	out[RR_GW_FAMILY] = r->nh.gw_family;
	out[RR_NH_FLAGS] = r->nh.flags;
	out[RR_HOPS] = r->nh.hops;
	memcpy(out + RR_IFNAME, r->nh.ifname,
	       strnlen(r->nh.ifname, IF_NAMESIZE - 1));
	if (r->nh.gw_family)
		memcpy(out + RR_GW, r->nh.gw, addr_len(r->nh.gw_family));
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* No bit set past the prefix length, nor past the address. */
static bool prefix_clean(const uint8_t *a, uint8_t family, unsigned int len)
{
	unsigned int bits = family == 4 ? 32 : 128;

	if (len > bits)
		return false;
	if (len % 8 && a[len / 8] & (0xff >> (len % 8)))
		return false;
	return all_zero(a + (len + 7) / 8, 16 - (len + 7) / 8);
}

/* The key of an ADD or DEL record. */
static int rec_key(const uint8_t *in, struct route_key *k)
{
	uint8_t family = in[RR_FAMILY];

	if (family != 4 && family != 6)
		return -EINVAL;
	if (!prefix_clean(in + RR_DST, family, in[RR_DST_LEN]))
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	k->family = family;
	k->dst_len = in[RR_DST_LEN];
	k->tos = in[RR_TOS];
	k->table = get32(in + RR_TABLE);
	k->metric = get32(in + RR_METRIC);
	memcpy(k->dst, in + RR_DST, 16);
	return 0;
}

/* A device name: terminated, not empty, zero after its end. */
static int rec_ifname(const uint8_t *in, char *name)
{
	const uint8_t *nul = memchr(in, 0, IF_NAMESIZE);

	if (!nul || nul == in || !all_zero(nul, in + IF_NAMESIZE - nul))
		return -EINVAL;
	memset(name, 0, IF_NAMESIZE);
	memcpy(name, in, nul - in);
	return 0;
}

static int rec_nh(const uint8_t *in, uint8_t family, struct route_nh *nh)
{
	uint8_t gwf = in[RR_GW_FAMILY];

	memset(nh, 0, sizeof(*nh));
	/* An IPv4 route may have an IPv6 gateway (RTA_VIA), not the reverse. */
	if (gwf && gwf != 4 && gwf != 6)
		return -EINVAL;
	if (family == 6 && gwf == 4)
		return -EINVAL;
	if (in[RR_NH_FLAGS] & ~ROUTE_NH_F_ONLINK || in[RR_RSVD1])
		return -EINVAL;
	if (!all_zero(in + RR_GW + (gwf ? addr_len(gwf) : 0),
		      16 - (gwf ? addr_len(gwf) : 0)))
		return -EINVAL;
	if (rec_ifname(in + RR_IFNAME, nh->ifname))
		return -EINVAL;
	nh->gw_family = gwf;
	nh->flags = in[RR_NH_FLAGS];
	nh->hops = in[RR_HOPS];
	memcpy(nh->gw, in + RR_GW, 16);
	return 0;
}

static int rec_add(const uint8_t *in, struct route_rec *r)
{
	uint8_t type = in[RR_TYPE], count = in[RR_NH_COUNT];

	if (!route_type_synced(type) || in[RR_PROTOCOL] == ROUTE_PROTO_NSRPD)
		return -EINVAL;
	/* A unicast route goes somewhere; the others go nowhere. */
	if ((type == RTN_UNICAST) != (count > 0) || count > ROUTE_NH_MAX)
		return -EINVAL;
	r->type = type;
	r->protocol = in[RR_PROTOCOL];
	r->nh_index = in[RR_NH_INDEX];
	r->nh_count = count;
	if (!count)
		return r->nh_index || !all_zero(in + RR_GW_FAMILY,
						ROUTE_REC_LEN - RR_GW_FAMILY) ?
			       -EINVAL : 0;
	if (r->nh_index >= count)
		return -EINVAL;
	return rec_nh(in, r->k.family, &r->nh);
}

int route_rec_get(const uint8_t in[ROUTE_REC_LEN], struct route_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->op = in[RR_OP];
	switch (r->op) {
	case ROUTE_OP_BEGIN:
	case ROUTE_OP_END:
	case ROUTE_OP_STOP:
		return all_zero(in + 1, ROUTE_REC_LEN - 1) ? 0 : -EINVAL;
	case ROUTE_OP_DEL:
		if (!all_zero(in + RR_TYPE, RR_TABLE - RR_TYPE) ||
		    !all_zero(in + RR_GW_FAMILY, ROUTE_REC_LEN - RR_GW_FAMILY))
			return -EINVAL;
		return rec_key(in, &r->k);
	case ROUTE_OP_ADD:
		if (rec_key(in, &r->k) || in[RR_RSVD2] || in[RR_RSVD2 + 1] ||
		    in[RR_RSVD2 + 2] || in[RR_RSVD2 + 3])
			return -EINVAL;
		return rec_add(in, r);
	default:
		return -EINVAL;
	}
}

unsigned int route_rec_count(const struct route *r)
{
	return r->n_nh ? r->n_nh : 1;
}

void route_rec_of(struct route_rec *rec, uint8_t op, const struct route *r,
		  unsigned int i)
{
	memset(rec, 0, sizeof(*rec));
	rec->op = op;
	rec->k = r->k;
	if (op != ROUTE_OP_ADD)
		return;
	rec->type = r->type;
	rec->protocol = r->protocol;
	rec->nh_count = r->n_nh;
	if (i < r->n_nh) {
		rec->nh_index = i;
		rec->nh = r->nh[i];
	}
}

int route_asm_add(struct route_asm *a, const struct route_rec *rec,
		  const struct route **out)
{
	struct route *r = &a->r;

	if (rec->nh_index == 0) {
		memset(r, 0, sizeof(*r));
		r->k = rec->k;
		r->type = rec->type;
		r->protocol = rec->protocol;
		a->count = rec->nh_count;
	} else if (!a->next || rec->nh_index != a->next ||
		   rec->nh_count != a->count ||
		   !route_key_equal(&rec->k, &r->k) || rec->type != r->type ||
		   rec->protocol != r->protocol) {
		a->next = 0;
		return -EINVAL;
	}
	if (rec->nh_count)
		r->nh[rec->nh_index] = rec->nh;
	r->n_nh = rec->nh_index + (rec->nh_count ? 1 : 0);
	if (rec->nh_index + 1 >= rec->nh_count) {
		a->next = 0;
		*out = r;
		return 1;
	}
	a->next = rec->nh_index + 1;
	return 0;
}

/* ------------------------------------------------------------ tables */

/* The bucket of a prefix: every metric of it lands in the same one. */
static unsigned int prefix_hash(const struct route_key *k)
{
	uint32_t h = k->family * 0x9E3779B1u ^ k->dst_len;

	for (unsigned int i = 0; i < addr_len(k->family); i++)
		h = (h ^ k->dst[i]) * 0x01000193u;
	h ^= h >> 15;
	return h & (ROUTE_BUCKETS - 1);
}

int route_table_init(struct route_table *t)
{
	t->n = 0;
	t->bucket = calloc(ROUTE_BUCKETS, sizeof(*t->bucket));
	return t->bucket ? 0 : -ENOMEM;
}

void route_table_free(struct route_table *t)
{
	for (unsigned int b = 0; t->bucket && b < ROUTE_BUCKETS; b++) {
		struct route_ent *e = t->bucket[b], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(t->bucket);
	t->bucket = NULL;
	t->n = 0;
}

struct route_ent *route_table_find(const struct route_table *t,
				   const struct route_key *k)
{
	struct route_ent *e = t->bucket[prefix_hash(k)];

	while (e && !route_key_equal(&e->r.k, k))
		e = e->next;
	return e;
}

bool route_table_has_prefix(const struct route_table *t,
			    const struct route_key *k)
{
	const struct route_ent *e = t->bucket[prefix_hash(k)];

	while (e && !route_same_prefix(&e->r.k, k))
		e = e->next;
	return e;
}

struct route_ent *route_table_put(struct route_table *t, const struct route *r,
				  bool *changed)
{
	struct route_ent *e = route_table_find(t, &r->k);
	unsigned int b;

	if (e) {
		*changed = !route_equal(&e->r, r);
		e->r = *r;
		return e;
	}
	*changed = false;
	if (t->n >= ROUTE_TABLE_MAX)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	b = prefix_hash(&r->k);
	e->r = *r;
	e->next = t->bucket[b];
	t->bucket[b] = e;
	t->n++;
	*changed = true;
	return e;
}

void route_table_del(struct route_table *t, struct route_ent *e)
{
	struct route_ent **p = &t->bucket[prefix_hash(&e->r.k)];

	while (*p && *p != e)
		p = &(*p)->next;
	if (!*p)
		return;
	*p = e->next;
	free(e);
	t->n--;
}
