// SPDX-License-Identifier: GPL-2.0-only
/*
 * sessview.c - `get session`: the words that filter the session map, and
 * the table, JSON or summary that shows what they select.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "ctl.h"
#include "jsonout.h"
#include "sesstab.h"
#include "sessview.h"

#define SHOW_MAX_WORDS	16

struct sess_filter {
	bool summary;
	int addr_dir;		/* 0: none, else one of the FILT_* below */
	uint8_t family;
	__be32 addr[4];
	int port;		/* -1: any */
	int proto;		/* -1: any */
};

enum { FILT_SRC = 1, FILT_DST, FILT_ANY };

/* The initiator's endpoint first, as the session is shown. */
struct sess_view {
	const __be32 *ia, *ra;
	uint16_t ip, rp;
};

static void sess_view(const struct nsrp_sess_key *k, const struct nsrp_sess *v,
		      struct sess_view *sv)
{
	bool b_first = v->flags & NSRP_SF_INIT_IS_B;

	sv->ia = b_first ? k->addr_b : k->addr_a;
	sv->ra = b_first ? k->addr_a : k->addr_b;
	sv->ip = ntohs(b_first ? k->port_b : k->port_a);
	sv->rp = ntohs(b_first ? k->port_a : k->port_b);
}

static int parse_addr(const char *w, struct sess_filter *f)
{
	struct in6_addr a6;
	struct in_addr a4;

	memset(f->addr, 0, sizeof(f->addr));
	if (inet_pton(AF_INET, w, &a4) == 1) {
		f->family = NSRP_AF_INET;
		f->addr[0] = a4.s_addr;
		return 0;
	}
	if (inet_pton(AF_INET6, w, &a6) == 1) {
		f->family = NSRP_AF_INET6;
		memcpy(f->addr, &a6, sizeof(f->addr));
		return 0;
	}
	return -EINVAL;
}

static int parse_uint(const char *w, unsigned long max, int *v)
{
	unsigned long n;
	char *end;

	if (*w < '0' || *w > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(w, &end, 10);
	if (errno || *end || n > max)
		return -EINVAL;
	*v = (int)n;
	return 0;
}

static int parse_proto(const char *w, int *proto)
{
	int p = sesstab_proto_parse(w);

	if (p < 0)
		return parse_uint(w, 255, proto);
	*proto = p;
	return 0;
}

static int parse_value(const char *key, const char *val, struct sess_filter *f,
		       struct ctl_out *out)
{
	if (!strcmp(key, "port")) {
		if (parse_uint(val, 65535, &f->port)) {
			ctl_printf(out, "get session: bad port '%s' "
					"(0 to 65535)\n", val);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "proto")) {
		if (parse_proto(val, &f->proto)) {
			ctl_printf(out, "get session: bad proto '%s' (tcp, "
					"udp, icmp, icmp6 or 0 to 255)\n", val);
			return -EINVAL;
		}
		return 0;
	}
	if (parse_addr(val, f)) {
		ctl_printf(out, "get session: bad address '%s' after %s\n",
			   val, key);
		return -EINVAL;
	}
	f->addr_dir = !strcmp(key, "src") ? FILT_SRC :
		      !strcmp(key, "dst") ? FILT_DST : FILT_ANY;
	return 0;
}

/* The filter's keywords, any unique prefix of each, as the commands'. */
static const struct sess_word {
	const char *word;
	const char *what;	/* its value, NULL: none */
	const char *help;
} sess_words[] = {
	{ "addr", "<address>", "either endpoint's address" },
	{ "dst", "<address>", "the responder's address" },
	{ "port", "<0-65535>", "either endpoint's port" },
	{ "proto", "<0-255>", "tcp, udp, icmp (ICMPv6 too), icmp6 or a number" },
	{ "src", "<address>", "the initiator's address" },
	{ "summary", NULL, "totals per state and protocol, the map's use" },
};

#define SESS_NWORDS	(sizeof(sess_words) / sizeof(sess_words[0]))

/*
 * The keyword w stands for: itself or the one it begins. NULL with the
 * reason in msg when it begins several (naming them) or none.
 */
static const struct sess_word *sess_word(const char *w, char *msg,
					 size_t len)
{
	const struct sess_word *hit = NULL;
	char names[128] = "";
	size_t n = strlen(w), used = 0;
	unsigned int hits = 0;

	for (size_t i = 0; i < SESS_NWORDS; i++)
		if (!strcmp(sess_words[i].word, w))
			return &sess_words[i];
	for (size_t i = 0; i < SESS_NWORDS; i++) {
		if (strncmp(sess_words[i].word, w, n))
			continue;
		hit = &sess_words[i];
		hits++;
		used += snprintf(names + used, sizeof(names) - used, "%s%s",
				 used ? ", " : "", hit->word);
	}
	if (hits == 1)
		return hit;
	if (hits)
		snprintf(msg, len, "get session: ambiguous '%s': %s", w, names);
	else
		snprintf(msg, len, "get session: unknown word '%s' (expected "
			 "src, dst, addr, port, proto or summary)", w);
	return NULL;
}

/* The words of args, in place in line; their number, or -EINVAL. */
static int sess_split(const char *args, char *line, size_t cap, char **w,
		      char *msg, size_t len)
{
	char *save = NULL, *t;
	int n = 0;

	if (snprintf(line, cap, "%s", args ? args : "") >= (int)cap) {
		snprintf(msg, len, "get session: arguments too long");
		return -EINVAL;
	}
	for (t = strtok_r(line, " \t\n", &save); t;
	     t = strtok_r(NULL, " \t\n", &save)) {
		if (n == SHOW_MAX_WORDS) {
			snprintf(msg, len, "get session: too many words");
			return -EINVAL;
		}
		w[n++] = t;
	}
	return n;
}

static int parse_filter(const char *args, struct sess_filter *f,
			struct ctl_out *out)
{
	char line[CTL_MAX_CMD + 1], *w[SHOW_MAX_WORDS], msg[256];
	int n, err;

	memset(f, 0, sizeof(*f));
	f->port = -1;
	f->proto = -1;
	n = sess_split(args, line, sizeof(line), w, msg, sizeof(msg));
	for (int i = 0; i < n; i++) {
		const struct sess_word *k = sess_word(w[i], msg, sizeof(msg));

		if (!k) {
			n = -EINVAL;
			break;
		}
		if (!k->what) {
			f->summary = true;
			continue;
		}
		if (i + 1 == n) {
			ctl_printf(out, "get session: '%s' needs a value\n",
				   k->word);
			return -EINVAL;
		}
		err = parse_value(k->word, w[i + 1], f, out);
		if (err)
			return err;
		i++;
	}
	if (n < 0) {
		ctl_printf(out, "%s\n", msg);
		return -EINVAL;
	}
	return 0;
}

static void sess_next_emit(cmd_next_fn fn, void *arg, enum cmd_next_kind k,
			   const char *word, const char *help)
{
	const struct cmd_next nx = { .kind = k, .word = word, .help = help };

	fn(arg, &nx);
}

int sessview_next(const char *line, const char *rest, cmd_next_fn fn,
		  void *arg, char *msg, size_t msglen)
{
	char buf[CTL_MAX_CMD + 1], *w[SHOW_MAX_WORDS];
	int n = sess_split(rest, buf, sizeof(buf), w, msg, msglen);

	(void)line;
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		const struct sess_word *k = sess_word(w[i], msg, msglen);

		if (!k)
			return -EINVAL;
		if (!k->what || ++i < n)
			continue;
		/* The value of the last keyword comes next. */
		if (!strcmp(k->word, "proto"))
			for (unsigned int p = 0; sesstab_proto_nth(p); p++)
				sess_next_emit(fn, arg, CMD_NEXT_WORD,
					       sesstab_proto_nth(p), k->help);
		sess_next_emit(fn, arg, CMD_NEXT_VALUE, k->what, k->help);
		return 0;
	}
	for (size_t i = 0; i < SESS_NWORDS; i++)
		sess_next_emit(fn, arg, CMD_NEXT_WORD, sess_words[i].word,
			       sess_words[i].help);
	sess_next_emit(fn, arg, CMD_NEXT_END, "", "");
	return 0;
}

static bool addr_eq(const __be32 *a, const struct sess_filter *f)
{
	return !memcmp(a, f->addr, sizeof(f->addr));
}

static bool proto_match(int want, uint8_t proto)
{
	if (want == IPPROTO_ICMP)
		return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
	return want == proto;
}

static bool filter_match(const struct sess_filter *f,
			 const struct nsrp_sess_key *k,
			 const struct sess_view *sv)
{
	if (f->proto >= 0 && !proto_match(f->proto, k->proto))
		return false;
	if (f->port >= 0 && sv->ip != f->port && sv->rp != f->port)
		return false;
	if (!f->addr_dir)
		return true;
	if (k->family != f->family)
		return false;
	switch (f->addr_dir) {
	case FILT_SRC:
		return addr_eq(sv->ia, f);
	case FILT_DST:
		return addr_eq(sv->ra, f);
	default:
		return addr_eq(sv->ia, f) || addr_eq(sv->ra, f);
	}
}

/* A stable id: FNV-1a of the key, the same on both units. */
static uint32_t sess_id(const struct nsrp_sess_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < offsetof(struct nsrp_sess_key, pad); i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void addr_str(uint8_t family, const __be32 *a, char *buf, size_t len)
{
	if (!inet_ntop(family == NSRP_AF_INET6 ? AF_INET6 : AF_INET, a, buf,
		       len))
		snprintf(buf, len, "?");
}

/* "192.0.2.1:80" or "[2001:db8::1]:80". */
#define ENDPOINT_LEN	(INET6_ADDRSTRLEN + 8)

static void endpoint_str(uint8_t family, const __be32 *a, uint16_t port,
			 char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	addr_str(family, a, ip, sizeof(ip));
	snprintf(buf, len, family == NSRP_AF_INET6 ? "[%s]:%u" : "%s:%u", ip,
		 port);
}

/* Whole seconds left, rounded up so that a live session never shows 0. */
static uint64_t secs_left(const struct nsrp_sess *v, uint64_t now)
{
	if (v->expires_ns <= now)
		return 0;
	return (v->expires_ns - now + 999999999ull) / 1000000000ull;
}

struct show_ctx {
	const struct sess_filter *f;
	struct ctl_out *out;
	int json;
	uint64_t now;
	uint64_t present;	/* entries in the map */
	uint64_t shown;		/* entries matching the filter */
	const struct sesstab_churn *churn;	/* NULL: no eviction estimate */
	/* The summary's tallies. */
	uint64_t by_state[NSRP_SS_MAX + 1];	/* last: unknown */
	uint64_t tcp, udp, icmp, other;
	uint64_t from_peer, local, expired;
};

/* The text table's columns; 21: the widest IPv4 endpoint. */
#define ROW_FMT		"%08x %3u %-5s %-21s -> %-21s %-11s %7llu "
#define HEAD_FMT	"%-8s %3s %-5s %-21s    %-21s %-11s %7s "

static void show_head(struct ctl_out *out)
{
	ctl_printf(out, HEAD_FMT "pkts(i/r) bytes(i/r) flags\n", "id", "vsd",
		   "proto", "initiator", "responder", "state", "timeout");
}

static int show_row_text(const struct nsrp_sess_key *k,
			 const struct nsrp_sess *v, const struct sess_view *sv,
			 const char *pn, const struct show_ctx *x)
{
	char ie[ENDPOINT_LEN], re[ENDPOINT_LEN];

	endpoint_str(k->family, sv->ia, sv->ip, ie, sizeof(ie));
	endpoint_str(k->family, sv->ra, sv->rp, re, sizeof(re));
	/* pkts[]/bytes[] are kept per direction from the initiator. */
	return ctl_printf(x->out, ROW_FMT "%llu/%llu %llu/%llu %s\n",
			  sess_id(k), v->vsd, pn, ie, re,
			  sesstab_state_name(v->state),
			  (unsigned long long)secs_left(v, x->now),
			  (unsigned long long)v->pkts[NSRP_DIR_ORIG],
			  (unsigned long long)v->pkts[NSRP_DIR_REPLY],
			  (unsigned long long)v->bytes[NSRP_DIR_ORIG],
			  (unsigned long long)v->bytes[NSRP_DIR_REPLY],
			  v->flags & NSRP_SF_FROM_PEER ? "peer" : "-");
}

static int show_row_json(const struct nsrp_sess_key *k,
			 const struct nsrp_sess *v, const struct sess_view *sv,
			 const char *pn, const struct show_ctx *x)
{
	char ia[INET6_ADDRSTRLEN], ra[INET6_ADDRSTRLEN], id[9];
	json_t *o = json_object(), *p = json_array(), *b = json_array();

	if (!o || !p || !b) {
		json_decref(o);
		json_decref(p);
		json_decref(b);
		return -ENOMEM;
	}
	addr_str(k->family, sv->ia, ia, sizeof(ia));
	addr_str(k->family, sv->ra, ra, sizeof(ra));
	snprintf(id, sizeof(id), "%08x", sess_id(k));
	jsonout_set_str(o, "id", id);
	jsonout_set_uint(o, "vsd", v->vsd);
	jsonout_set_str(o, "proto", pn);
	jsonout_set_str(o, "src", ia);
	jsonout_set_uint(o, "sport", sv->ip);
	jsonout_set_str(o, "dst", ra);
	jsonout_set_uint(o, "dport", sv->rp);
	jsonout_set_str(o, "state", sesstab_state_name(v->state));
	jsonout_set_uint(o, "timeout", secs_left(v, x->now));
	/* pkts[]/bytes[] are kept per direction from the initiator. */
	json_array_append_new(p, jsonout_uint(v->pkts[NSRP_DIR_ORIG]));
	json_array_append_new(p, jsonout_uint(v->pkts[NSRP_DIR_REPLY]));
	json_array_append_new(b, jsonout_uint(v->bytes[NSRP_DIR_ORIG]));
	json_array_append_new(b, jsonout_uint(v->bytes[NSRP_DIR_REPLY]));
	jsonout_set(o, "pkts", p);
	jsonout_set(o, "bytes", b);
	jsonout_set_bool(o, "peer", v->flags & NSRP_SF_FROM_PEER);
	if (x->shown && ctl_write(x->out, ",", 1)) {
		json_decref(o);
		return -ENOSPC;
	}
	return jsonout_write(x->out, o, false);
}

static int show_row(const struct nsrp_sess_key *k, const struct nsrp_sess *v,
		    const struct sess_view *sv, const struct show_ctx *x)
{
	const char *pn = sesstab_proto_name(k->proto);
	char pbuf[4];

	if (!pn) {
		snprintf(pbuf, sizeof(pbuf), "%u", k->proto);
		pn = pbuf;
	}
	return x->json ? show_row_json(k, v, sv, pn, x) :
			 show_row_text(k, v, sv, pn, x);
}

static void tally(const struct nsrp_sess_key *k, const struct nsrp_sess *v,
		  struct show_ctx *x)
{
	x->by_state[v->state < NSRP_SS_MAX ? v->state : NSRP_SS_MAX]++;
	if (k->proto == IPPROTO_TCP)
		x->tcp++;
	else if (k->proto == IPPROTO_UDP)
		x->udp++;
	else if (k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6)
		x->icmp++;
	else
		x->other++;
	if (v->flags & NSRP_SF_FROM_PEER)
		x->from_peer++;
	else
		x->local++;
	if (v->expires_ns <= x->now)
		x->expired++;
}

static int show_one(const struct nsrp_sess_key *k, const struct nsrp_sess *v,
		    void *arg)
{
	struct show_ctx *x = arg;
	struct sess_view sv;
	int err = 0;

	x->present++;
	sess_view(k, v, &sv);
	if (!filter_match(x->f, k, &sv))
		return 0;
	if (x->f->summary)
		tally(k, v, x);
	else if (!x->out->truncated)
		err = show_row(k, v, &sv, x);
	x->shown++;
	/* A full response keeps counting, so the totals stay right. */
	return err == -ENOSPC ? 0 : err;
}

static uint64_t show_evicted(const struct show_ctx *x)
{
	return sesstab_evictions(x->churn->created, x->churn->deleted,
				 x->churn->expired, x->present);
}

static void show_summary_text(const struct show_ctx *x, unsigned int cap)
{
	struct ctl_out *o = x->out;

	ctl_printf(o, "sessions: %llu (local %llu, from peer %llu), "
		      "expired awaiting removal: %llu\n",
		   (unsigned long long)x->shown,
		   (unsigned long long)x->local,
		   (unsigned long long)x->from_peer,
		   (unsigned long long)x->expired);
	ctl_printf(o, "map: %llu of %u entries\n",
		   (unsigned long long)x->present, cap);
	if (x->churn)
		ctl_printf(o, "evicted by the LRU when full (estimate): %llu\n",
			   (unsigned long long)show_evicted(x));
	ctl_printf(o, "by state:\n");
	for (int s = 0; s < NSRP_SS_MAX; s++)
		ctl_printf(o, "  %-12s %llu\n", sesstab_state_name(s),
			   (unsigned long long)x->by_state[s]);
	if (x->by_state[NSRP_SS_MAX])
		ctl_printf(o, "  %-12s %llu\n", "unknown",
			   (unsigned long long)x->by_state[NSRP_SS_MAX]);
	ctl_printf(o, "by protocol:\n  tcp          %llu\n  udp          "
		      "%llu\n  icmp         %llu\n  other        %llu\n",
		   (unsigned long long)x->tcp, (unsigned long long)x->udp,
		   (unsigned long long)x->icmp, (unsigned long long)x->other);
}

static int show_summary_json(const struct show_ctx *x, unsigned int cap)
{
	json_t *o = jsonout_object(), *st = json_object(), *pr = json_object();

	if (!o || !st || !pr) {
		json_decref(o);
		json_decref(st);
		json_decref(pr);
		return -ENOMEM;
	}
	jsonout_set_uint(o, "total", x->shown);
	jsonout_set_uint(o, "local", x->local);
	jsonout_set_uint(o, "from_peer", x->from_peer);
	jsonout_set_uint(o, "expired", x->expired);
	jsonout_set_uint(o, "present", x->present);
	jsonout_set_uint(o, "capacity", cap);
	if (x->churn)
		jsonout_set_uint(o, "evicted", show_evicted(x));
	for (int s = 0; s <= NSRP_SS_MAX; s++)
		jsonout_set_uint(st, sesstab_state_name(s), x->by_state[s]);
	jsonout_set(o, "by_state", st);
	jsonout_set_uint(pr, "tcp", x->tcp);
	jsonout_set_uint(pr, "udp", x->udp);
	jsonout_set_uint(pr, "icmp", x->icmp);
	jsonout_set_uint(pr, "other", x->other);
	jsonout_set(o, "by_proto", pr);
	return jsonout_write(x->out, o, true);
}

/*
 * The list as JSON: each session is an object jansson encodes, but the
 * frame around them is written here, for the list is not held whole: a
 * million sessions as one tree would take a gigabyte. What ends the
 * object (totals, capacity, schema version) is an object of its own,
 * whose members follow the list's.
 */
static int show_list_json_end(const struct show_ctx *x, unsigned int cap)
{
	json_t *o = json_object();
	char *text;
	int err;

	if (!o)
		return -ENOMEM;
	jsonout_set_uint(o, "total", x->shown);
	jsonout_set_uint(o, "present", x->present);
	jsonout_set_uint(o, "capacity", cap);
	jsonout_set_uint(o, "schema_version", JSONOUT_SCHEMA);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!text)
		return -ENOMEM;
	/* "{...}" without its "{": the members after "sessions". */
	err = ctl_printf(x->out, "],%s\n", text + 1);
	free(text);
	return err;
}

int sessview_show(int fd, const char *args, int json, struct ctl_out *out,
		  uint64_t now, unsigned int capacity,
		  const struct sesstab_churn *churn)
{
	struct sess_filter f;
	struct show_ctx x = { .f = &f, .out = out, .json = json, .now = now,
			      .churn = churn };
	int err = parse_filter(args, &f, out);

	if (err)
		return err;
	if (!f.summary && json)
		ctl_printf(out, "{\"sessions\":[");	/* see show_list_json_end() */
	else if (!f.summary)
		show_head(out);
	err = sesstab_walk(fd, show_one, &x);
	if (err) {
		ctl_printf(out, "%sget session: cannot read the session "
				"map: %s\n", json && !f.summary ? "]}\n" : "",
			   strerror(-err));
		return err;
	}
	if (f.summary) {
		if (json)
			return show_summary_json(&x, capacity);
		show_summary_text(&x, capacity);
		return 0;
	}
	if (json)
		return show_list_json_end(&x, capacity);
	else
		ctl_printf(out, "Total %llu sessions according to filtering "
				"criteria (%llu of %u in the map).\n",
			   (unsigned long long)x.shown,
			   (unsigned long long)x.present, capacity);
	return 0;
}
