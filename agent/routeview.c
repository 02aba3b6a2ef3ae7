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

#include "cmd.h"
#include "ctl.h"
#include "jsonout.h"
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

static json_t *json_nexthop(const struct route *r, const struct route_nh *h)
{
	json_t *o = json_object();
	char gw[INET6_ADDRSTRLEN];

	if (!o)
		return NULL;
	jsonout_set_str(o, "interface", h->ifname);
	jsonout_set(o, "gateway", h->gw_family ?
			  jsonout_str(view_gw(r, h, gw, sizeof(gw))) :
			  json_null());
	jsonout_set_uint(o, "weight", h->hops + 1u);
	jsonout_set_bool(o, "onlink", h->flags & ROUTE_NH_F_ONLINK);
	return o;
}

static json_t *json_route(const struct view_route *v, unsigned int id)
{
	const char *proto = route_proto_name(v->origin);
	char pfx[INET6_ADDRSTRLEN + 8], mark[8];
	json_t *o = json_object(), *nh = json_array();

	if (!o || !nh) {
		json_decref(o);
		json_decref(nh);
		return NULL;
	}
	view_prefix(&v->r.k, pfx, sizeof(pfx));
	route_mark(v->origin, v->copy, mark);
	jsonout_set_uint(o, "id", id);
	jsonout_set_uint(o, "family", v->r.k.family);
	jsonout_set_str(o, "prefix", pfx);
	jsonout_set_bool(o, "active", v->active);
	jsonout_set_str(o, "type", view_type(v->r.type));
	jsonout_set_str(o, "mark", mark);
	jsonout_set_str(o, "protocol", proto ? proto : "");
	jsonout_set_uint(o, "protocol_id", v->origin);
	jsonout_set_bool(o, "synced", v->copy);
	jsonout_set_uint(o, "metric", v->metric);
	jsonout_set_uint(o, "kernel_metric", v->r.k.metric);
	for (unsigned int j = 0; j < v->r.n_nh; j++) {
		json_t *h = json_nexthop(&v->r, &v->r.nh[j]);

		if (h)
			json_array_append_new(nh, h);
	}
	jsonout_set(o, "nexthops", nh);
	return o;
}

static int json_all(const struct view *w, uint8_t only, struct ctl_out *out)
{
	unsigned int id[2] = { 0, 0 }, synced = 0, shown = 0;
	json_t *o = jsonout_object(), *a = json_array();

	if (!o || !a) {
		json_decref(o);
		json_decref(a);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < w->n; i++) {
		const struct view_route *v = &w->v[i];
		unsigned int f = v->r.k.family == 4 ? 0 : 1;
		json_t *r;

		if (only && v->r.k.family != only)
			continue;
		id[f]++;
		r = json_route(v, id[f]);
		if (!r)
			continue;
		synced += v->copy;
		shown++;
		json_array_append_new(a, r);
	}
	jsonout_set(o, "routes", a);
	jsonout_set_uint(o, "entries", shown);
	jsonout_set_uint(o, "synced", synced);
	return jsonout_write(out, o, true);
}

/* ------------------------------------------------------------- words */

static int parse_words(const char *args, uint8_t *only, char *msg,
		       size_t msglen)
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
			snprintf(msg, msglen, "get route: '%s' is not "
				 "understood (get route [v4|v6])", w);
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_args(const char *args, uint8_t *only, struct ctl_out *o)
{
	char msg[300];
	int err = parse_words(args, only, msg, sizeof(msg));

	if (err)
		ctl_printf(o, "%s\n", msg);
	return err;
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
		err = json_all(&w, only, out);
	} else {
		if (only != 6)
			text_family(&w, 4, out);
		if (only != 4)
			text_family(&w, 6, out);
	}
	free(w.v);
	return err;
}

int routeview_next(const char *line, const char *rest, cmd_next_fn fn,
		   void *arg, char *msg, size_t msglen)
{
	static const struct cmd_next words[] = {
		{ CMD_NEXT_WORD, "v4", "IPv4 routes only", CMD_VAL_OTHER },
		{ CMD_NEXT_WORD, "v6", "IPv6 routes only", CMD_VAL_OTHER },
	};
	const struct cmd_next end = { CMD_NEXT_END, "", "", CMD_VAL_OTHER };
	uint8_t only;

	(void)line;
	if (parse_words(rest, &only, msg, msglen))
		return -EINVAL;
	if (!only)
		for (size_t i = 0; i < 2; i++)
			fn(arg, &words[i]);
	fn(arg, &end);
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

json_t *routeview_status_json(const struct routesync *rs,
			      const struct nsrp_config *cfg, uint64_t now)
{
	uint64_t held = rs->orphan_until_ns > now ?
				(rs->orphan_until_ns - now) / NS_PER_MS : 0;
	json_t *o = json_object();

	if (!o)
		return NULL;
	jsonout_set_bool(o, "sync", cfg->rto_mirror_route);
	jsonout_set_uint(o, "hold_time_s", cfg->rto_route_hold_s);
	jsonout_set_bool(o, "sending", rs->streaming);
	jsonout_set_str(o, "peer", peer_routes(rs));
	jsonout_set_uint(o, "held_ms", held);
	jsonout_set_uint(o, "own", rs->own.n);
	jsonout_set_uint(o, "own_synced", rs->own_synced);
	jsonout_set_uint(o, "copies", rs->copies.n);
	jsonout_set_uint(o, "installed", copies_installed(rs));
	jsonout_set_uint(o, "sent", rs->sent);
	jsonout_set_uint(o, "bulks", rs->bulks);
	jsonout_set_uint(o, "received", rs->received);
	jsonout_set_uint(o, "withdrawn", rs->withdrawn);
	jsonout_set_uint(o, "withdrawing", rs->withdrawing);
	jsonout_set_uint(o, "withdrawals_dropped", rs->withdrawals_dropped);
	jsonout_set_uint(o, "superseded", rs->superseded);
	jsonout_set_uint(o, "expired", rs->expired);
	jsonout_set_uint(o, "dropped", rs->dropped);
	jsonout_set_uint(o, "install_errors", rs->install_errors);
	jsonout_set_uint(o, "bad_records", rs->bad_records);
	jsonout_set_uint(o, "table_full", rs->table_full);
	jsonout_set_uint(o, "scans", rs->scans);
	return o;
}
