// SPDX-License-Identifier: GPL-2.0-only
/*
 * routeview.c - "get route": the main table as ScreenOS shows its RIB,
 * the copies of the peer's routes with their trailing B (see routeview.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "ctl.h"
#include "routenl.h"
#include "routeview.h"

#define VIEW_TRIES	3	/* dumps the table changed under, read again */

/* A route as shown: where it came from, and whether the kernel uses it. */
struct view_route {
	struct route r;		/* as the kernel holds it */
	uint8_t origin;		/* the protocol shown: the peer's for a copy */
	uint32_t metric;	/* the metric shown: the peer's for a copy */
	bool copy;
	bool active;
};

struct view {
	const struct routesync *rs;
	struct view_route *v;
	unsigned int n, cap;
	int err;
};

static void view_add(void *arg, const struct route *r)
{
	struct view *w = arg;
	struct view_route *vr;

	if (w->err)
		return;
	if (w->n == w->cap) {
		unsigned int cap = w->cap ? 2 * w->cap : 256;
		void *p = realloc(w->v, cap * sizeof(*w->v));

		if (!p) {
			w->err = -ENOMEM;
			return;
		}
		w->v = p;
		w->cap = cap;
	}
	vr = &w->v[w->n++];
	memset(vr, 0, sizeof(*vr));
	vr->r = *r;
	vr->origin = r->protocol;
	vr->metric = r->k.metric;
	if (r->protocol != ROUTE_PROTO_NSRPD)
		return;
	vr->copy = true;
	if (w->rs) {
		const struct route_ent *e = routesync_copy_of(w->rs, &r->k);

		if (e) {
			vr->origin = e->r.protocol;
			vr->metric = e->r.k.metric;
		}
	}
}

static int cmp_bytes(const uint8_t *a, const uint8_t *b, unsigned int n)
{
	return memcmp(a, b, n);
}

/* IPv4 first; by prefix, then length, then metric: as ScreenOS sorts. */
static int view_cmp(const void *pa, const void *pb)
{
	const struct route_key *a = &((const struct view_route *)pa)->r.k;
	const struct route_key *b = &((const struct view_route *)pb)->r.k;
	int c;

	if (a->family != b->family)
		return a->family - b->family;
	c = cmp_bytes(a->dst, b->dst, 16);
	if (c)
		return c;
	if (a->dst_len != b->dst_len)
		return a->dst_len - b->dst_len;
	if (a->tos != b->tos)
		return a->tos - b->tos;
	return a->metric < b->metric ? -1 : a->metric > b->metric;
}

/*
 * The lowest metric of a prefix is the route forwarding uses (IPv6 keeps
 * one such route per device: each is used on its own link).
 */
static void view_mark_active(struct view *w)
{
	uint32_t best = 0;

	for (unsigned int i = 0; i < w->n; i++) {
		const struct route_key *k = &w->v[i].r.k, *p;

		p = i ? &w->v[i - 1].r.k : NULL;
		if (!p || !route_same_prefix(p, k) || p->tos != k->tos)
			best = k->metric;
		w->v[i].active = k->metric == best;
	}
}

static int view_read(struct view *w)
{
	int err = -EINTR;

	for (int i = 0; i < VIEW_TRIES && err == -EINTR; i++) {
		w->n = 0;
		w->err = 0;
		err = routenl_dump_all(view_add, w);
		if (!err)
			err = w->err;
	}
	if (err)
		return err;
	qsort(w->v, w->n, sizeof(*w->v), view_cmp);
	view_mark_active(w);
	return 0;
}

static const char *view_prefix(const struct route_key *k, char *buf,
			       size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(k->family == 4 ? AF_INET : AF_INET6, k->dst, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, k->dst_len);
	return buf;
}

static const char *view_gw(const struct route *r, const struct route_nh *nh,
			   char *buf, size_t len)
{
	uint8_t family = nh && nh->gw_family ? nh->gw_family : r->k.family;
	static const uint8_t none[16];

	inet_ntop(family == 4 ? AF_INET : AF_INET6,
		  nh && nh->gw_family ? nh->gw : none, buf, len);
	return buf;
}

static const char *view_type(uint8_t type)
{
	switch (type) {
	case RTN_BLACKHOLE:
		return "blackhole";
	case RTN_UNREACHABLE:
		return "unreachable";
	case RTN_PROHIBIT:
		return "prohibit";
	default:
		return "unicast";
	}
}

/* -------------------------------------------------------------- text */

static void text_legend(struct ctl_out *o)
{
	ctl_printf(o, "C: Connected S: Static D: Discovered (redirect, RA)\n"
		      "eB: BGP O: OSPF R: RIP IS: IS-IS N: NHRP EI: EIGRP "
		      "BA: Babel BI: BIRD ?: other\n"
		      "trailing B: backup route (synced from the peer)\n");
}

static void text_family(const struct view *w, uint8_t family,
			struct ctl_out *o)
{
	const char *rule = "------------------------------------------------"
			   "--------------------------------------------\n";
	unsigned int count = 0, id = 0;

	for (unsigned int i = 0; i < w->n; i++)
		count += w->v[i].r.k.family == family;
	ctl_printf(o, "\nIPv%u Dest-Routes for <main> (%u entries)\n%s",
		   family, count, rule);
	text_legend(o);
	ctl_printf(o, "%s%10s %28s %12s %28s %4s %8s\n%s", rule, "ID",
		   "IP-Prefix", "Interface", "Gateway", "P", "Mtr", rule);
	for (unsigned int i = 0; i < w->n; i++) {
		const struct view_route *v = &w->v[i];
		unsigned int nh = v->r.n_nh ? v->r.n_nh : 1;
		char pfx[INET6_ADDRSTRLEN + 8], gw[INET6_ADDRSTRLEN], mark[8];

		if (v->r.k.family != family)
			continue;
		id++;
		view_prefix(&v->r.k, pfx, sizeof(pfx));
		route_mark(v->origin, v->copy, mark);
		for (unsigned int j = 0; j < nh; j++) {
			const struct route_nh *h = v->r.n_nh ? &v->r.nh[j] :
							       NULL;
			const char *dev = h && h->ifname[0] ? h->ifname :
					  v->r.type == RTN_UNICAST ? "-" :
								     "null";

			view_gw(&v->r, h, gw, sizeof(gw));
			if (j)
				ctl_printf(o, "%10s %28s %12s %28s\n", "", "",
					   dev, gw);
			else
				ctl_printf(o, "%c%9u %28s %12s %28s %4s %8u\n",
					   v->active ? '*' : ' ', id, pfx, dev,
					   gw, mark, v->metric);
		}
	}
}

/* -------------------------------------------------------------- json */

static void json_route(const struct view_route *v, unsigned int id,
		       struct ctl_out *o)
{
	char pfx[INET6_ADDRSTRLEN + 8], gw[INET6_ADDRSTRLEN], mark[8];
	const char *proto = route_proto_name(v->origin);

	view_prefix(&v->r.k, pfx, sizeof(pfx));
	route_mark(v->origin, v->copy, mark);
	ctl_printf(o, "{\"id\":%u,\"family\":%u,\"prefix\":\"%s\","
		      "\"active\":%s,\"type\":\"%s\",\"mark\":\"%s\","
		      "\"protocol\":\"%s\",\"protocol_id\":%u,"
		      "\"synced\":%s,\"metric\":%u,\"kernel_metric\":%u,"
		      "\"nexthops\":[", id, v->r.k.family, pfx,
		   v->active ? "true" : "false", view_type(v->r.type), mark,
		   proto ? proto : "", v->origin, v->copy ? "true" : "false",
		   v->metric, v->r.k.metric);
	for (unsigned int j = 0; j < v->r.n_nh; j++) {
		const struct route_nh *h = &v->r.nh[j];

		ctl_printf(o, "%s{\"interface\":\"%s\",\"gateway\":",
			   j ? "," : "", h->ifname);
		if (h->gw_family)
			ctl_printf(o, "\"%s\"", view_gw(&v->r, h, gw,
							sizeof(gw)));
		else
			ctl_printf(o, "null");
		ctl_printf(o, ",\"weight\":%u,\"onlink\":%s}", h->hops + 1u,
			   h->flags & ROUTE_NH_F_ONLINK ? "true" : "false");
	}
	ctl_printf(o, "]}");
}

static void json_all(const struct view *w, uint8_t only, struct ctl_out *o)
{
	unsigned int id[2] = { 0, 0 }, synced = 0, shown = 0;

	ctl_printf(o, "{\"routes\":[");
	for (unsigned int i = 0; i < w->n; i++) {
		const struct view_route *v = &w->v[i];
		unsigned int f = v->r.k.family == 4 ? 0 : 1;

		if (only && v->r.k.family != only)
			continue;
		id[f]++;
		synced += v->copy;
		ctl_printf(o, "%s", shown++ ? "," : "");
		json_route(v, id[f], o);
	}
	ctl_printf(o, "],\"entries\":%u,\"synced\":%u}\n", shown, synced);
}

/* ------------------------------------------------------------- words */

static int parse_args(const char *args, uint8_t *only, struct ctl_out *o)
{
	char words[256];
	char *w;

	*only = 0;
	snprintf(words, sizeof(words), "%s", args ? args : "");
	for (w = strtok(words, " \t"); w; w = strtok(NULL, " \t")) {
		if (!strcmp(w, "v4") && !*only) {
			*only = 4;
		} else if (!strcmp(w, "v6") && !*only) {
			*only = 6;
		} else {
			ctl_printf(o, "get route: '%s' is not understood "
				      "(get route [v4|v6])\n", w);
			return -EINVAL;
		}
	}
	return 0;
}

int routeview_show(const struct routesync *rs, const char *args, bool json,
		   struct ctl_out *out)
{
	struct view w = { .rs = rs };
	uint8_t only;
	int err = parse_args(args, &only, out);

	if (err)
		return err;
	err = view_read(&w);
	if (err) {
		ctl_printf(out, "get route: cannot read the routes: %s\n",
			   strerror(-err));
		free(w.v);
		return err;
	}
	if (json) {
		json_all(&w, only, out);
	} else {
		if (only != 6)
			text_family(&w, 4, out);
		if (only != 4)
			text_family(&w, 6, out);
	}
	free(w.v);
	return 0;
}

/* -------------------------------------------------------- get nsrp */

static unsigned long long ull(uint64_t v)
{
	return v;
}

static unsigned int copies_installed(const struct routesync *rs)
{
	unsigned int n = 0;

	for (unsigned int b = 0; rs->copies.n && b < ROUTE_BUCKETS; b++) {
		const struct route_ent *e = route_table_bucket(&rs->copies, b);

		for (; e; e = e->next)
			n += !!(e->state & ROUTESYNC_INSTALLED);
	}
	return n;
}

/* What the peer does with its routes, as this unit knows it. */
static const char *peer_routes(const struct routesync *rs)
{
	if (rs->peer_streams)
		return "streaming";
	return rs->orphan_until_ns ? "held" : "none";
}

void routeview_status_text(const struct routesync *rs, uint64_t now,
			   struct ctl_out *o)
{
	if (!rs->on)
		return;
	ctl_printf(o, "routes: own %u (%u synced to the peer%s), from the "
		      "peer %u (installed %u, %s", rs->own.n, rs->own_synced,
		   rs->streaming ? "" : ", not sending: not master",
		   rs->copies.n, copies_installed(rs), peer_routes(rs));
	if (rs->orphan_until_ns > now)
		ctl_printf(o, " for %llu s more",
			   ull((rs->orphan_until_ns - now + NS_PER_S - 1) /
			       NS_PER_S));
	if (rs->withdrawing)
		ctl_printf(o, ", %u withdrawn, to go", rs->withdrawing);
	ctl_printf(o, ")\n");
	ctl_printf(o, "routes sent: %llu, bulks: %llu; received: %llu, "
		      "withdrawn: %llu (not applied: %llu), superseded: %llu, "
		      "expired: %llu, dropped: %llu, errors: %llu\n",
		   ull(rs->sent), ull(rs->bulks), ull(rs->received),
		   ull(rs->withdrawn), ull(rs->withdrawals_dropped),
		   ull(rs->superseded), ull(rs->expired), ull(rs->dropped),
		   ull(rs->install_errors + rs->bad_records + rs->table_full));
}

void routeview_status_json(const struct routesync *rs,
			   const struct nsrp_config *cfg, uint64_t now,
			   struct ctl_out *o)
{
	uint64_t held = rs->orphan_until_ns > now ?
				(rs->orphan_until_ns - now) / NS_PER_MS : 0;

	ctl_printf(o, ",\"route\":{\"sync\":%s,\"hold_time_s\":%u,"
		      "\"sending\":%s,\"peer\":\"%s\",\"held_ms\":%llu,"
		      "\"own\":%u,\"own_synced\":%u,\"copies\":%u,"
		      "\"installed\":%u,\"sent\":%llu,\"bulks\":%llu,"
		      "\"received\":%llu,\"withdrawn\":%llu,"
		      "\"withdrawing\":%u,\"withdrawals_dropped\":%llu,"
		      "\"superseded\":%llu,\"expired\":%llu,\"dropped\":%llu,"
		      "\"install_errors\":%llu,\"bad_records\":%llu,"
		      "\"table_full\":%llu,\"scans\":%llu}",
		   cfg->rto_mirror_route ? "true" : "false",
		   cfg->rto_route_hold_s, rs->streaming ? "true" : "false",
		   peer_routes(rs), ull(held), rs->own.n, rs->own_synced,
		   rs->copies.n, copies_installed(rs), ull(rs->sent),
		   ull(rs->bulks), ull(rs->received), ull(rs->withdrawn),
		   rs->withdrawing, ull(rs->withdrawals_dropped),
		   ull(rs->superseded), ull(rs->expired), ull(rs->dropped),
		   ull(rs->install_errors), ull(rs->bad_records),
		   ull(rs->table_full), ull(rs->scans));
}
