// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.c - the ScreenOS-style configuration parser, writer and checks.
 *
 * A line is split into words, then walked down a tree of keywords: each
 * node may take a value right after its keyword (the group of "vsd-group
 * id 0", the NIC of "interface lan0:0"), may have child keywords, and may
 * have a handler that consumes the rest of the line. Most settings are
 * plain numbers, flags or strings at an offset in the configuration, so a
 * generic handler serves them from the table row alone; the rest have
 * small handlers of their own. Every handler checks all of its input
 * before it writes anything, so a rejected line changes nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "config.h"

#define CFG_MAX_WORDS	32

struct parse {
	struct nsrp_config *c;
	bool unset;
	char *tok[CFG_MAX_WORDS];
	int ntok;
	int pos;
	unsigned int line;
	int group;			/* "vsd-group id N" or "IF:N"; -1 */
	char ifname[IFNAMSIZ];		/* "interface IF", "monitor interface IF" */
	char zone[CFG_ZONE_LEN];	/* "zone NAME", "monitor zone NAME" */
	struct cfg_addr target;		/* "track-ip ip A" */
	char path[CFG_PATH_LEN];	/* "config sync file PATH" */
	char group_name[CFG_GROUP_LEN];	/* "admin group NAME" */
	char *err;
	size_t errlen;
};

struct kw;
typedef int (*kw_arg_fn)(struct parse *p, const char *tok);
typedef int (*kw_fn)(struct parse *p, const struct kw *k);

struct kw {
	const char *name;
	kw_arg_fn arg;			/* the keyword takes a value first */
	const struct kw *sub;		/* child keywords, { NULL } ended */
	const struct kw *opts;		/* options fn reads itself, by name */
	kw_fn fn;			/* runs when no child follows */
	bool local;			/* the unit's own: config sync leaves it */
	/*
	 * For "?" and completion (config_next()): what the keyword does;
	 * the value it takes (its arg's, else its handler's), as "?" shows
	 * it, with the words it may be and what completes it.
	 */
	const char *help;
	const char *what;
	const char *const *words;
	enum cmd_value value;
	/* Generic settings: where the value lives, its range and default. */
	bool per_vsd;			/* offset into struct cfg_vsd */
	size_t off;
	size_t size;			/* strings: buffer size */
	size_t origin;			/* ORIGIN(field) or 0: line not kept */
	uint32_t lo, hi, def;
};

#define CFG(field)	.off = offsetof(struct nsrp_config, field), \
			.size = sizeof(((struct nsrp_config *)0)->field)
#define VSD(field)	.per_vsd = true, .off = offsetof(struct cfg_vsd, field)
#define ORIGIN(field)	(offsetof(struct cfg_origin, field) + 1)

static int fail(struct parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static const struct kw *lookup(struct parse *p, const struct kw *t,
			       const char *tok);

static int fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ------------------------------------------------------------ helpers */

static const char *peek(const struct parse *p)
{
	return p->pos < p->ntok ? p->tok[p->pos] : NULL;
}

static const char *cur_kw(const struct parse *p)
{
	return p->pos > 0 ? p->tok[p->pos - 1] : "";
}

/* The next word, which must be there: the value of keyword "what". */
static int need_value(struct parse *p, const char *what, const char **val)
{
	*val = peek(p);
	if (!*val)
		return fail(p, "missing value after '%s'", what);
	p->pos++;
	return 0;
}

static int need_end(struct parse *p)
{
	if (p->pos < p->ntok)
		return fail(p, "unexpected '%s' after '%s'", p->tok[p->pos],
			    cur_kw(p));
	return 0;
}

static int parse_u32(struct parse *p, const char *s, uint32_t lo, uint32_t hi,
		     const char *what, uint32_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v < lo || v > hi)
		return fail(p, "%s must be %u-%u", what, lo, hi);
	*out = v;
	return 0;
}

/* Linux's rule for interface names (dev_valid_name()). */
static bool ifname_valid(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s <= ' ' || *s > '~')
			return false;
	return true;
}

/* Printable, no double quote: a string config_write() can quote back. */
static bool text_valid(const char *s)
{
	for (; *s; s++)
		if (*s < ' ' || *s > '~' || *s == '"')
			return false;
	return true;
}

/* "A/len", or "A" when the length is optional (prefixlen 0 then). */
static int parse_prefix(struct parse *p, const char *s, int family,
			bool len_required, struct cfg_addr *a)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned int max;
	uint32_t len = 0;
	char *slash;

	memset(a, 0, sizeof(*a));
	if (strlen(s) >= sizeof(buf))
		return fail(p, "'%s' is not an address", s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (family != AF_INET6 && inet_pton(AF_INET, buf, a->addr) == 1)
		a->family = AF_INET;
	else if (family != AF_INET && inet_pton(AF_INET6, buf, a->addr) == 1)
		a->family = AF_INET6;
	else
		return fail(p, "'%s' is not an %s address", s,
			    family == AF_INET ? "IPv4" :
			    family == AF_INET6 ? "IPv6" : "IP");
	max = a->family == AF_INET ? 32 : 128;
	if (!slash && len_required)
		return fail(p, "'%s' needs a prefix length (A/len)", s);
	if (slash && parse_u32(p, slash + 1, 1, max, "prefix length", &len))
		return -EINVAL;
	a->prefixlen = len;
	return 0;
}

static bool addr_same(const struct cfg_addr *a, const struct cfg_addr *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, 16);
}

static const char *addr_str(const struct cfg_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

static char *setting(struct parse *p, const struct kw *k)
{
	if (k->per_vsd)
		return (char *)&p->c->vsd[p->group] + k->off;
	return (char *)p->c + k->off;
}

/* Remembers which line set it; marks the group defined when per group. */
static void touched(struct parse *p, const struct kw *k)
{
	if (k->origin)
		*(unsigned int *)((char *)&p->c->origin + k->origin - 1) =
			p->line;
	if (k->per_vsd && !p->unset) {
		p->c->vsd[p->group].defined = true;
		p->c->origin.vsd[p->group] = p->line;
	}
}

/* Removes entry i of an array of n, and its line, keeping both packed. */
static void remove_at(void *arr, size_t size, unsigned int *lines,
		      unsigned int *n, unsigned int i)
{
	char *base = arr;
	unsigned int tail = *n - i - 1;

	memmove(base + i * size, base + (i + 1) * size, tail * size);
	memset(base + (*n - 1) * size, 0, size);
	memmove(&lines[i], &lines[i + 1], tail * sizeof(*lines));
	lines[*n - 1] = 0;
	(*n)--;
}

/* --------------------------------------------------- generic handlers */

static int h_uint(struct parse *p, const struct kw *k)
{
	const char *s;
	uint32_t v = k->def;

	if (!p->unset &&
	    (need_value(p, k->name, &s) ||
	     parse_u32(p, s, k->lo, k->hi, k->name, &v)))
		return -EINVAL;
	if (need_end(p))
		return -EINVAL;
	*(uint32_t *)setting(p, k) = v;
	touched(p, k);
	return 0;
}

static int h_flag(struct parse *p, const struct kw *k)
{
	if (need_end(p))
		return -EINVAL;
	*(bool *)setting(p, k) = !p->unset;
	touched(p, k);
	return 0;
}

/* A string; k->lo = 1 makes it an interface name, 2 an absolute path. */
#define STR_TEXT	0
#define STR_IFNAME	1
#define STR_PATH	2

static int h_str(struct parse *p, const struct kw *k)
{
	const char *s = "";

	if (!p->unset) {
		if (need_value(p, k->name, &s))
			return -EINVAL;
		if (strlen(s) >= k->size)
			return fail(p, "%s is too long (at most %zu characters)",
				    k->name, k->size - 1);
		if (k->lo == STR_IFNAME && !ifname_valid(s))
			return fail(p, "'%s' is not a valid interface name", s);
		if (k->lo == STR_PATH && s[0] != '/')
			return fail(p, "%s must be an absolute path", k->name);
		if (!*s || !text_valid(s))
			return fail(p, "%s must be printable, without '\"'",
				    k->name);
	}
	if (need_end(p))
		return -EINVAL;
	memset(setting(p, k), 0, k->size);
	memcpy(setting(p, k), s, strlen(s));
	touched(p, k);
	return 0;
}

/* --------------------------------------------------- special handlers */

static int arg_group(struct parse *p, const char *tok)
{
	uint32_t id;

	if (parse_u32(p, tok, 0, NSRPD_MAX_VSD - 1, "vsd-group id", &id))
		return -EINVAL;
	p->group = id;
	return 0;
}

/* "lan0" or "lan0:1" (a VSI of group 1 on lan0). */
static int arg_iface(struct parse *p, const char *tok)
{
	char name[IFNAMSIZ + 8];
	char *colon;
	uint32_t id;

	if (strlen(tok) >= sizeof(name))
		return fail(p, "'%s' is not a valid interface name", tok);
	strcpy(name, tok);
	colon = strrchr(name, ':');
	if (colon) {
		*colon = '\0';
		if (parse_u32(p, colon + 1, 0, NSRPD_MAX_VSD - 1,
			      "VSD group of the interface", &id))
			return -EINVAL;
		p->group = id;
	}
	if (!ifname_valid(name))
		return fail(p, "'%s' is not a valid interface name", name);
	snprintf(p->ifname, sizeof(p->ifname), "%s", name);
	return 0;
}

static int arg_ifname(struct parse *p, const char *tok)
{
	if (!ifname_valid(tok))
		return fail(p, "'%s' is not a valid interface name", tok);
	snprintf(p->ifname, sizeof(p->ifname), "%s", tok);
	return 0;
}

/* "set nsrp vsd-group id N" creates group N; unset removes it. */
static int h_group(struct parse *p, const struct kw *k)
{
	struct cfg_vsd *g = &p->c->vsd[p->group];

	(void)k;
	if (need_end(p))
		return -EINVAL;
	if (!p->unset) {
		g->defined = true;
		p->c->origin.vsd[p->group] = p->line;
		return 0;
	}
	g->priority = CFG_PRIORITY_DEFAULT;
	g->preempt = false;
	g->holddown_s = CFG_HOLDDOWN_DEFAULT;
	g->defined = p->group == 0;	/* group 0 always exists */
	return 0;
}

/* preempt on; unset: off, and the hold-down back to its default. */
static int h_preempt(struct parse *p, const struct kw *k)
{
	struct cfg_vsd *g = &p->c->vsd[p->group];

	if (need_end(p))
		return -EINVAL;
	g->preempt = !p->unset;
	if (p->unset)
		g->holddown_s = CFG_HOLDDOWN_DEFAULT;
	touched(p, k);
	return 0;
}

/* "preempt hold-down S" sets both; its unset only the hold-down. */
static int h_holddown(struct parse *p, const struct kw *k)
{
	if (h_uint(p, k))
		return -EINVAL;
	if (!p->unset)
		p->c->vsd[p->group].preempt = true;
	return 0;
}

static int h_role(struct parse *p, const struct kw *k)
{
	enum cfg_role role = CFG_ROLE_ELECT;
	const char *s;

	(void)k;
	if (!p->unset) {
		if (need_value(p, "standalone-role", &s))
			return -EINVAL;
		if (!strcmp(s, "master"))
			role = CFG_ROLE_MASTER;
		else if (!strcmp(s, "backup"))
			role = CFG_ROLE_BACKUP;
		else
			return fail(p, "standalone-role must be master or backup");
	}
	if (need_end(p))
		return -EINVAL;
	p->c->standalone_role = role;
	return 0;
}

static int find_vsi(const struct nsrp_config *c, const char *ifname,
		    unsigned int vsd, const struct cfg_addr *a)
{
	for (unsigned int i = 0; i < c->n_vsi; i++)
		if (c->vsi[i].vsd == vsd && !strcmp(c->vsi[i].ifname, ifname) &&
		    addr_same(&c->vsi[i].a, a))
			return i;
	return -1;
}

/* interface IF:N ip A/len, ipv6 A/len; k->lo is the family. */
static int h_vsi(struct parse *p, const struct kw *k)
{
	struct nsrp_config *c = p->c;
	struct cfg_vsi_addr e = { 0 };
	const char *s = NULL;
	int i;

	if (p->group < 0)
		return fail(p, "%s belongs to a VSI: use 'interface %s:N' (N the VSD group)",
			    k->name, p->ifname);
	if (!p->unset || peek(p)) {
		if (need_value(p, k->name, &s) ||
		    parse_prefix(p, s, k->lo, !p->unset, &e.a))
			return -EINVAL;
	}
	if (need_end(p))
		return -EINVAL;

	if (p->unset) {
		unsigned int n = 0;

		for (i = c->n_vsi - 1; i >= 0; i--) {
			struct cfg_vsi_addr *v = &c->vsi[i];

			if (strcmp(v->ifname, p->ifname) ||
			    v->vsd != (unsigned int)p->group ||
			    v->a.family != k->lo || (s && !addr_same(&v->a, &e.a)))
				continue;
			remove_at(c->vsi, sizeof(c->vsi[0]), c->origin.vsi,
				  &c->n_vsi, i);
			n++;
		}
		if (!n && s)
			return fail(p, "%s is not set on %s:%d", s, p->ifname,
				    p->group);
		return 0;
	}

	i = find_vsi(c, p->ifname, p->group, &e.a);
	if (i >= 0) {			/* again: the prefix may change */
		c->vsi[i].a.prefixlen = e.a.prefixlen;
		c->origin.vsi[i] = p->line;
		return 0;
	}
	if (c->n_vsi >= NSRPD_MAX_VSI_ADDRS)
		return fail(p, "too many VSI addresses (at most %d)",
			    NSRPD_MAX_VSI_ADDRS);
	i = c->n_vsi++;
	memset(&c->vsi[i], 0, sizeof(c->vsi[i]));
	strcpy(c->vsi[i].ifname, p->ifname);
	c->vsi[i].vsd = p->group;
	c->vsi[i].a = e.a;
	c->origin.vsi[i] = p->line;
	return 0;
}

/* interface IF manage-ip A[/len]: one per family per NIC. */
static int h_manage(struct parse *p, const struct kw *k)
{
	struct nsrp_config *c = p->c;
	struct cfg_addr a;
	const char *s = NULL;
	unsigned int n = 0;
	int i;

	(void)k;
	if (p->group >= 0)
		return fail(p, "manage-ip belongs to the NIC: use 'interface %s'",
			    p->ifname);
	if (!p->unset || peek(p)) {
		if (need_value(p, "manage-ip", &s) ||
		    parse_prefix(p, s, 0, false, &a))
			return -EINVAL;
	}
	if (need_end(p))
		return -EINVAL;

	if (p->unset) {
		for (i = c->n_manage - 1; i >= 0; i--) {
			if (strcmp(c->manage[i].ifname, p->ifname) ||
			    (s && !addr_same(&c->manage[i].a, &a)))
				continue;
			remove_at(c->manage, sizeof(c->manage[0]),
				  c->origin.manage, &c->n_manage, i);
			n++;
		}
		if (!n && s)
			return fail(p, "manage-ip %s is not set on %s", s,
				    p->ifname);
		return 0;
	}

	/* A new address replaces the NIC's address of the same family. */
	for (i = 0; i < (int)c->n_manage; i++)
		if (!strcmp(c->manage[i].ifname, p->ifname) &&
		    c->manage[i].a.family == a.family)
			break;
	if (i == (int)c->n_manage) {
		if (c->n_manage >= CFG_MAX_MANAGE)
			return fail(p, "too many manage-ip addresses (at most %d)",
				    CFG_MAX_MANAGE);
		c->n_manage++;
	}
	memset(&c->manage[i], 0, sizeof(c->manage[i]));
	strcpy(c->manage[i].ifname, p->ifname);
	c->manage[i].a = a;
	c->origin.manage[i] = p->line;
	return 0;
}

static int find_monitor(const struct nsrp_config *c, const char *ifname)
{
	for (unsigned int i = 0; i < c->n_monitor; i++)
		if (!strcmp(c->monitor[i].ifname, ifname))
			return i;
	return -1;
}

static int monitor_set(struct parse *p, uint32_t weight)
{
	struct nsrp_config *c = p->c;
	int i = find_monitor(c, p->ifname);

	if (i < 0) {
		if (c->n_monitor >= NSRPD_MAX_IFACES)
			return fail(p, "too many monitored interfaces (at most %d)",
				    NSRPD_MAX_IFACES);
		i = c->n_monitor++;
		memset(&c->monitor[i], 0, sizeof(c->monitor[i]));
		strcpy(c->monitor[i].ifname, p->ifname);
	}
	c->monitor[i].weight = weight;
	c->origin.monitor[i] = p->line;
	return 0;
}

/* monitor interface IF: weight 255 unless "weight W" follows. */
static int h_monitor(struct parse *p, const struct kw *k)
{
	struct nsrp_config *c = p->c;
	int i;

	(void)k;
	if (need_end(p))
		return -EINVAL;
	if (!p->unset)
		return monitor_set(p, CFG_MONITOR_WEIGHT_DEFAULT);
	i = find_monitor(c, p->ifname);
	if (i < 0)
		return fail(p, "interface %s is not monitored", p->ifname);
	remove_at(c->monitor, sizeof(c->monitor[0]), c->origin.monitor,
		  &c->n_monitor, i);
	return 0;
}

static int h_monitor_weight(struct parse *p, const struct kw *k)
{
	uint32_t w = CFG_MONITOR_WEIGHT_DEFAULT;
	const char *s;

	if (!p->unset &&
	    (need_value(p, k->name, &s) ||
	     parse_u32(p, s, k->lo, k->hi, "weight", &w)))
		return -EINVAL;
	if (need_end(p))
		return -EINVAL;
	if (p->unset && find_monitor(p->c, p->ifname) < 0)
		return fail(p, "interface %s is not monitored", p->ifname);
	return monitor_set(p, w);
}

/* A zone's name: letters, digits, '-', '_' and '.'. */
static int arg_zone(struct parse *p, const char *tok)
{
	size_t n = strlen(tok);

	if (!n || n >= CFG_ZONE_LEN)
		return fail(p, "zone name must be 1-%d characters",
			    CFG_ZONE_LEN - 1);
	for (const char *c = tok; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && !strchr("-_.", *c))
			return fail(p, "'%s' is not a zone name (letters, "
				    "digits, '-', '_', '.')", tok);
	snprintf(p->zone, sizeof(p->zone), "%s", tok);
	return 0;
}

static int find_zone_if(const struct nsrp_config *c, const char *zone,
			const char *ifname)
{
	for (unsigned int i = 0; i < c->n_zone_if; i++)
		if (!strcmp(c->zone_if[i].zone, zone) &&
		    (!ifname || !strcmp(c->zone_if[i].ifname, ifname)))
			return i;
	return -1;
}

/* zone NAME interface IF: IF belongs to zone NAME (and to no other). */
static int h_zone_if(struct parse *p, const struct kw *k)
{
	struct nsrp_config *c = p->c;
	int i;

	(void)k;
	if (need_end(p))
		return -EINVAL;
	i = find_zone_if(c, p->zone, p->ifname);
	if (p->unset) {
		if (i < 0)
			return fail(p, "interface %s is not in zone %s",
				    p->ifname, p->zone);
		remove_at(c->zone_if, sizeof(c->zone_if[0]),
			  c->origin.zone_if, &c->n_zone_if, i);
		return 0;
	}
	for (unsigned int j = 0; j < c->n_zone_if; j++)
		if (!strcmp(c->zone_if[j].ifname, p->ifname) &&
		    strcmp(c->zone_if[j].zone, p->zone))
			return fail(p, "interface %s is in zone %s already",
				    p->ifname, c->zone_if[j].zone);
	if (i < 0) {
		if (c->n_zone_if >= CFG_MAX_ZONE_IFS)
			return fail(p, "too many zone interfaces (at most %d)",
				    CFG_MAX_ZONE_IFS);
		i = c->n_zone_if++;
		memset(&c->zone_if[i], 0, sizeof(c->zone_if[i]));
		strcpy(c->zone_if[i].zone, p->zone);
		strcpy(c->zone_if[i].ifname, p->ifname);
	}
	c->origin.zone_if[i] = p->line;
	return 0;
}

/* "zone NAME" alone: unset removes the zone, set needs an interface. */
static int h_zone(struct parse *p, const struct kw *k)
{
	struct nsrp_config *c = p->c;
	int i, n = 0;

	(void)k;
	if (need_end(p))
		return -EINVAL;
	if (!p->unset)
		return fail(p, "a zone is its interfaces: set zone %s "
			    "interface IF", p->zone);
	while ((i = find_zone_if(c, p->zone, NULL)) >= 0) {
		remove_at(c->zone_if, sizeof(c->zone_if[0]),
			  c->origin.zone_if, &c->n_zone_if, i);
		n++;
	}
	return n ? 0 : fail(p, "no zone %s", p->zone);
}

static int find_zone_mon(const struct nsrp_config *c, const char *zone)
{
	for (unsigned int i = 0; i < c->n_zone_mon; i++)
		if (!strcmp(c->zone_mon[i].zone, zone))
			return i;
	return -1;
}

/* monitor zone NAME [weight W] */
static int zone_mon_set(struct parse *p, bool weighted)
{
	struct nsrp_config *c = p->c;
	uint32_t w = CFG_MONITOR_WEIGHT_DEFAULT;
	int i = find_zone_mon(c, p->zone);
	const char *s;

	if (weighted && !p->unset &&
	    (need_value(p, "weight", &s) ||
	     parse_u32(p, s, 1, 255, "weight", &w)))
		return -EINVAL;
	if (need_end(p))
		return -EINVAL;
	if (p->unset) {
		if (i < 0)
			return fail(p, "zone %s is not monitored", p->zone);
		if (weighted) {
			c->zone_mon[i].weight = CFG_MONITOR_WEIGHT_DEFAULT;
			return 0;
		}
		remove_at(c->zone_mon, sizeof(c->zone_mon[0]),
			  c->origin.zone_mon, &c->n_zone_mon, i);
		return 0;
	}
	if (i < 0) {
		if (c->n_zone_mon >= CFG_MAX_ZONE_MON)
			return fail(p, "too many monitored zones (at most %d)",
				    CFG_MAX_ZONE_MON);
		i = c->n_zone_mon++;
		memset(&c->zone_mon[i], 0, sizeof(c->zone_mon[i]));
		strcpy(c->zone_mon[i].zone, p->zone);
	}
	c->zone_mon[i].weight = w;
	c->origin.zone_mon[i] = p->line;
	return 0;
}

static int h_monitor_zone(struct parse *p, const struct kw *k)
{
	(void)k;
	return zone_mon_set(p, false);
}

static int h_monitor_zone_weight(struct parse *p, const struct kw *k)
{
	(void)k;
	return zone_mon_set(p, true);
}

/* track-ip ip A: the target, IPv4 or IPv6, a host address. */
static int arg_target(struct parse *p, const char *tok)
{
	if (parse_prefix(p, tok, 0, false, &p->target))
		return -EINVAL;
	if (p->target.prefixlen)
		return fail(p, "a track-ip target is an address, not '%s'",
			    tok);
	return 0;
}

static int find_track(const struct nsrp_config *c, const struct cfg_addr *a)
{
	for (unsigned int i = 0; i < c->n_track; i++)
		if (addr_same(&c->track[i].a, a))
			return i;
	return -1;
}

static const char *const track_methods[] = { "arp", "ping", NULL };

static const struct kw kw_track_opts[] = {
	{ "interface", .what = "<interface>", .value = CMD_VAL_IFNAME,
	  .help = "probe from this NIC's manage-ip" },
	{ "interval", .what = "<1-3600>",
	  .help = "seconds between probes (1)" },
	{ "method", .words = track_methods,
	  .help = "ping: ICMP echo; arp: ARP / neighbour solicitation" },
	{ "threshold", .what = "<1-255>",
	  .help = "probes missed in a row that fail it (3)" },
	{ "weight", .what = "<1-255>",
	  .help = "what it adds to the track-ip sum when failed (255)" },
	{ NULL }
};

/* A witness is probed as a target, but not summed: no weight. */
static const struct kw kw_witness_opts[] = {
	{ "interface" }, { "interval" }, { "method" }, { "threshold" },
	{ NULL }
};

/* One "OPTION VALUE" (of the table opts) of a track-ip target into t. */
static int track_option(struct parse *p, const struct kw *opts,
			struct cfg_track *t)
{
	const struct kw *o = lookup(p, opts, peek(p));
	const char *v;

	if (!o)
		return -EINVAL;
	p->pos++;
	if (need_value(p, o->name, &v))
		return -EINVAL;
	if (!strcmp(o->name, "interval"))
		return parse_u32(p, v, 1, 3600, "interval", &t->interval_s);
	if (!strcmp(o->name, "threshold"))
		return parse_u32(p, v, 1, 255, "threshold", &t->threshold);
	if (!strcmp(o->name, "weight"))
		return parse_u32(p, v, 1, 255, "weight", &t->weight);
	if (!strcmp(o->name, "interface")) {
		if (!ifname_valid(v))
			return fail(p, "'%s' is not a valid interface name",
				    v);
		snprintf(t->ifname, sizeof(t->ifname), "%s", v);
		return 0;
	}
	if (!strcmp(v, "ping") || !strcmp(v, "arp")) {
		t->method = !strcmp(v, "arp") ? CFG_TRACK_ARP : CFG_TRACK_PING;
		return 0;
	}
	return fail(p, "method must be ping or arp");
}

/*
 * witness A [OPTION VALUE]...: the address that settles a split brain,
 * probed as a track-ip target is (no weight: it is not summed).
 */
static int h_witness(struct parse *p, const struct kw *k)
{
	struct nsrp_config *c = p->c;
	struct cfg_track t = {
		.a = p->target,
		.interval_s = CFG_TRACK_INTERVAL_DEFAULT,
		.threshold = CFG_TRACK_THRESHOLD_DEFAULT,
	};
	char buf[INET6_ADDRSTRLEN];

	(void)k;
	if (p->unset) {
		if (need_end(p))
			return -EINVAL;
		if (!c->has_witness || !addr_same(&c->witness.a, &t.a))
			return fail(p, "%s is not the witness",
				    addr_str(&t.a, buf, sizeof(buf)));
		memset(&c->witness, 0, sizeof(c->witness));
		c->has_witness = false;
		return 0;
	}
	if (c->has_witness && addr_same(&c->witness.a, &t.a))
		t = c->witness;
	while (peek(p))
		if (track_option(p, kw_witness_opts, &t))
			return -EINVAL;
	c->witness = t;
	c->has_witness = true;
	c->origin.witness = p->line;
	return 0;
}

/* The witness's address. */
static int arg_witness(struct parse *p, const char *tok)
{
	if (parse_prefix(p, tok, 0, false, &p->target))
		return -EINVAL;
	if (p->target.prefixlen)
		return fail(p, "a witness is an address, not '%s'", tok);
	return 0;
}

/* track-ip ip A [OPTION VALUE]...: a new target, or new options. */
static int h_track(struct parse *p, const struct kw *k)
{
	struct nsrp_config *c = p->c;
	int i = find_track(c, &p->target);
	struct cfg_track t = {
		.a = p->target,
		.interval_s = CFG_TRACK_INTERVAL_DEFAULT,
		.threshold = CFG_TRACK_THRESHOLD_DEFAULT,
		.weight = CFG_TRACK_WEIGHT_DEFAULT,
	};
	char buf[INET6_ADDRSTRLEN];

	(void)k;
	if (p->unset) {
		if (need_end(p))
			return -EINVAL;
		if (i < 0)
			return fail(p, "%s is not a track-ip target",
				    addr_str(&p->target, buf, sizeof(buf)));
		remove_at(c->track, sizeof(c->track[0]), c->origin.track,
			  &c->n_track, i);
		return 0;
	}
	if (i >= 0)
		t = c->track[i];
	while (peek(p))
		if (track_option(p, kw_track_opts, &t))
			return -EINVAL;
	if (i < 0) {
		if (c->n_track >= CFG_MAX_TRACK)
			return fail(p, "too many track-ip targets (at most %d)",
				    CFG_MAX_TRACK);
		i = c->n_track++;
	}
	c->track[i] = t;
	c->origin.track[i] = p->line;
	return 0;
}

static const struct kw kw_syncfile_opts[] = {
	{ "check", .what = "<\"command %s\">",
	  .help = "checks a new copy (%s: its path) before it replaces the file" },
	{ "reload", .what = "<\"command %s\">",
	  .help = "run once the file is replaced (%s: the file)" },
	{ NULL }
};

static int find_syncfile(const struct nsrp_config *c, const char *path)
{
	for (unsigned int i = 0; i < c->n_syncfile; i++)
		if (!strcmp(c->syncfile[i].path, path))
			return i;
	return -1;
}

/* A command of a synced file: printable, and %s at most once. */
static int syncfile_cmd(struct parse *p, const char *what, const char *v,
			char *out, size_t len)
{
	const char *pct = strchr(v, '%');

	if (strlen(v) >= len)
		return fail(p, "%s is too long (at most %zu characters)", what,
			    len - 1);
	if (!*v || !text_valid(v))
		return fail(p, "%s must be printable, without '\"'", what);
	if (pct && (pct[1] != 's' || strchr(pct + 1, '%')))
		return fail(p, "%s may hold %%s, once, and no other %%", what);
	snprintf(out, len, "%s", v);
	return 0;
}

/* config sync file PATH [check "CMD"] [reload "CMD"] */
static int h_syncfile(struct parse *p, const struct kw *k)
{
	struct nsrp_config *c = p->c;
	struct cfg_syncfile f = { 0 };
	int i = find_syncfile(c, p->path);

	(void)k;
	if (p->unset) {
		if (need_end(p))
			return -EINVAL;
		if (i < 0)
			return fail(p, "%s is not a synced file", p->path);
		remove_at(c->syncfile, sizeof(c->syncfile[0]),
			  c->origin.syncfile, &c->n_syncfile, i);
		return 0;
	}
	snprintf(f.path, sizeof(f.path), "%s", p->path);
	while (peek(p)) {
		const struct kw *o = lookup(p, kw_syncfile_opts, peek(p));
		const char *v;

		if (!o)
			return -EINVAL;
		p->pos++;
		if (need_value(p, o->name, &v) ||
		    syncfile_cmd(p, o->name, v,
				 !strcmp(o->name, "check") ? f.check : f.reload,
				 CFG_PATH_LEN))
			return -EINVAL;
	}
	if (i < 0) {
		if (c->n_syncfile >= CFG_MAX_SYNCFILES)
			return fail(p, "too many synced files (at most %d)",
				    CFG_MAX_SYNCFILES);
		i = c->n_syncfile++;
	}
	c->syncfile[i] = f;
	c->origin.syncfile[i] = p->line;
	return 0;
}

static int arg_path(struct parse *p, const char *tok)
{
	if (tok[0] != '/')
		return fail(p, "'%s' is not an absolute path", tok);
	if (strlen(tok) >= sizeof(p->path) || !text_valid(tok))
		return fail(p, "'%s' is not a usable path", tok);
	snprintf(p->path, sizeof(p->path), "%s", tok);
	return 0;
}

/* A group's name as groupadd takes it, or its number. */
static int arg_admin_group(struct parse *p, const char *tok)
{
	size_t n = strlen(tok);

	if (!n || n >= CFG_GROUP_LEN)
		return fail(p, "a group name must be 1-%d characters",
			    CFG_GROUP_LEN - 1);
	for (const char *c = tok; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && !strchr("-_.", *c))
			return fail(p, "'%s' is not a group name (letters, "
				    "digits, '-', '_', '.')", tok);
	if (tok[0] == '-')
		return fail(p, "'%s' is not a group name", tok);
	snprintf(p->group_name, sizeof(p->group_name), "%s", tok);
	return 0;
}

static int find_admin_group(const struct nsrp_config *c, const char *name)
{
	for (unsigned int i = 0; i < c->n_admin_group; i++)
		if (!strcmp(c->admin_group[i].name, name))
			return i;
	return -1;
}

static const char *const privileges[] = { "all", "read-only", NULL };

static const struct kw kw_admin_group_opts[] = {
	{ "privilege", .words = privileges,
	  .help = "read-only: the get commands; all: every command" },
	{ NULL }
};

/* admin group NAME [privilege all|read-only]: read-only unless said. */
static int h_admin_group(struct parse *p, const struct kw *k)
{
	struct nsrp_config *c = p->c;
	int i = find_admin_group(c, p->group_name);
	uint8_t priv = CFG_PRIV_READ_ONLY;
	const char *v;

	(void)k;
	if (p->unset) {
		if (need_end(p))
			return -EINVAL;
		if (i < 0)
			return fail(p, "group %s is not an admin group", p->group_name);
		remove_at(c->admin_group, sizeof(c->admin_group[0]),
			  c->origin.admin_group, &c->n_admin_group, i);
		return 0;
	}
	if (peek(p)) {
		if (!lookup(p, kw_admin_group_opts, peek(p)))
			return -EINVAL;
		p->pos++;
		if (need_value(p, "privilege", &v))
			return -EINVAL;
		if (!strcmp(v, "all"))
			priv = CFG_PRIV_ALL;
		else if (strcmp(v, "read-only"))
			return fail(p, "privilege must be all or read-only");
		if (need_end(p))
			return -EINVAL;
	}
	if (i < 0) {
		if (c->n_admin_group >= CFG_MAX_ADMIN_GROUPS)
			return fail(p, "too many admin groups (at most %d)",
				    CFG_MAX_ADMIN_GROUPS);
		i = c->n_admin_group++;
		memset(&c->admin_group[i], 0, sizeof(c->admin_group[i]));
		snprintf(c->admin_group[i].name, CFG_GROUP_LEN, "%s", p->group_name);
	}
	c->admin_group[i].privilege = priv;
	c->origin.admin_group[i] = p->line;
	return 0;
}

/* "ADDR:PORT" or "[ADDR6]:PORT", a port of 1-65535. */
static int parse_listen(struct parse *p, const char *s, struct cfg_metrics *m)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : 0;
	uint32_t port;
	int family = AF_INET;

	if (!colon || !n || n >= sizeof(host))
		return fail(p, "'%s' is not ADDR:PORT", s);
	memcpy(host, s, n);
	host[n] = '\0';
	if (host[0] == '[') {
		if (n < 3 || host[n - 1] != ']')
			return fail(p, "'%s' is not [ADDR]:PORT", s);
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
		family = AF_INET6;
	}
	if (parse_prefix(p, host, family, false, &m->a) ||
	    parse_u32(p, colon + 1, 1, 65535, "port", &port))
		return -EINVAL;
	m->port = port;
	return 0;
}

/* nsrp metrics listen ADDR:PORT; unset: off. */
static int h_metrics_listen(struct parse *p, const struct kw *k)
{
	struct cfg_metrics m = { 0 };
	const char *s;

	(void)k;
	if (!p->unset &&
	    (need_value(p, "listen", &s) || parse_listen(p, s, &m)))
		return -EINVAL;
	if (need_end(p))
		return -EINVAL;
	p->c->metrics = m;
	return 0;
}

/* ------------------------------------------------------------- tables */

static const char *const roles[] = { "backup", "master", NULL };

static const struct kw kw_preempt[] = {
	{ "hold-down", .fn = h_holddown, VSD(holddown_s),
	  .lo = 0, .hi = 600, .def = CFG_HOLDDOWN_DEFAULT, .local = true,
	  .help = "seconds before taking master back (3)" },
	{ NULL }
};

static const struct kw kw_vsd_id[] = {
	{ "priority", .fn = h_uint, VSD(priority),
	  .lo = 1, .hi = 254, .def = CFG_PRIORITY_DEFAULT, .local = true,
	  .help = "this unit's priority in the group, the lower wins (100)" },
	{ "preempt", .sub = kw_preempt, .fn = h_preempt, VSD(preempt),
	  .local = true, .help = "take master back from a worse master" },
	{ NULL }
};

static const struct kw kw_vsd_group[] = {
	{ "id", .arg = arg_group, .sub = kw_vsd_id, .fn = h_group,
	  .what = "<0-7>", .help = "a VSD group: defines it, or sets its own" },
	{ "hb-interval", .fn = h_uint, CFG(hb_interval_ms),
	  .lo = CFG_HB_INTERVAL_MIN, .hi = CFG_HB_INTERVAL_MAX,
	  .def = CFG_HB_INTERVAL_DEFAULT,
	  .help = "milliseconds between heartbeats (1000)" },
	{ "hb-threshold", .fn = h_uint, CFG(hb_threshold),
	  .lo = 2, .hi = 255, .def = CFG_HB_THRESHOLD_DEFAULT,
	  .help = "heartbeats missed before the peer is lost (3)" },
	{ "init-hold", .fn = h_uint, CFG(init_hold_s),
	  .lo = 0, .hi = 255, .def = CFG_INIT_HOLD_DEFAULT,
	  .help = "seconds a starting unit waits for a peer (5)" },
	{ "master-always-exist", .fn = h_flag, CFG(master_always_exist),
	  .help = "a failed unit stays master when no healthy one can be" },
	{ "failover-interval", .fn = h_uint, CFG(failover_interval_s),
	  .lo = 0, .hi = 86400, .def = 0,
	  .help = "seconds that must pass between two failovers (0: none)" },
	{ "failover-limit", .fn = h_uint, CFG(failover_limit),
	  .lo = 0, .hi = VSD_CHANGES_KEPT, .def = 0,
	  .help = "failovers allowed in a window, more are held (0: any)" },
	{ "failover-window", .fn = h_uint, CFG(failover_window_s),
	  .lo = 1, .hi = 86400, .def = CFG_FAILOVER_WINDOW_DEFAULT,
	  .help = "seconds over which failover-limit counts" },
	{ "control-deadline", .fn = h_uint, CFG(control_deadline_ms),
	  .lo = 0, .hi = CFG_CONTROL_DEADLINE_MAX, .def = 0,
	  .origin = ORIGIN(control_deadline),
	  .help = "ms an agent may be silent while its data plane answers "
		  "(0: the data plane's deadline)" },
	{ NULL }
};

static const struct kw kw_cluster[] = {
	{ "id", .fn = h_uint, CFG(cluster_id),
	  .lo = 0, .hi = CFG_CLUSTER_ID_MAX, .def = 0,
	  .help = "the cluster, 0-7 (restart)" },
	{ "name", .fn = h_str, CFG(cluster_name), .what = "<name>",
	  .help = "the cluster's name, in get nsrp and the prompt" },
	{ NULL }
};

static const struct kw kw_auth[] = {
	{ "password", .fn = h_str, CFG(auth_password), .local = true,
	  .what = "<password>",
	  .help = "authenticates every HA link frame (restart)" },
	{ NULL }
};

static const struct kw kw_encrypt[] = {
	{ "password", .fn = h_str, CFG(encrypt_password), .local = true,
	  .what = "<password>",
	  .help = "encrypts every HA link frame (restart)" },
	{ NULL }
};

static const struct kw kw_monitor_if[] = {
	{ "weight", .fn = h_monitor_weight, .lo = 1, .hi = 255,
	  .help = "what it adds to the sum when failed (255)" },
	{ NULL }
};

static const struct kw kw_monitor_zone[] = {
	{ "weight", .fn = h_monitor_zone_weight, .what = "<1-255>",
	  .help = "what it adds to the sum when failed (255)" },
	{ NULL }
};

static const struct kw kw_monitor[] = {
	{ "hold-down", .fn = h_uint, CFG(monitor_holddown_s),
	  .lo = 0, .hi = 3600, .def = CFG_MONITOR_HOLDDOWN_DEFAULT,
	  .help = "seconds a recovered monitor waits to count as healthy (3)" },
	{ "interface", .arg = arg_ifname, .sub = kw_monitor_if,
	  .fn = h_monitor, .what = "<interface>", .value = CMD_VAL_IFNAME,
	  .help = "watch a NIC's link" },
	{ "threshold", .fn = h_uint, CFG(monitor_threshold),
	  .lo = 1, .hi = 255, .def = CFG_MONITOR_THRESHOLD_DEFAULT,
	  .help = "the sum of failed weights that fails the unit (255)" },
	{ "zone", .arg = arg_zone, .sub = kw_monitor_zone,
	  .fn = h_monitor_zone, .what = "<zone>",
	  .help = "watch a zone: failed when all its NICs are" },
	{ NULL }
};

static const struct kw kw_track_ip[] = {
	{ "ip", .arg = arg_target, .fn = h_track, .opts = kw_track_opts,
	  .what = "<address>", .help = "a target to probe" },
	{ "threshold", .fn = h_uint, CFG(track_ip_threshold),
	  .lo = 1, .hi = 255, .def = CFG_TRACKIP_THRESHOLD_DEFAULT,
	  .help = "the sum of failed targets' weights that fails it (255)" },
	{ "weight", .fn = h_uint, CFG(track_ip_weight),
	  .lo = 1, .hi = 255, .def = CFG_TRACKIP_WEIGHT_DEFAULT,
	  .help = "what a failed track-ip adds to the unit's sum (255)" },
	{ NULL }
};

static const struct kw kw_rto_route[] = {
	{ "hold-time", .fn = h_uint, CFG(rto_route_hold_s),
	  .lo = 1, .hi = 86400, .def = CFG_ROUTE_HOLD_DEFAULT,
	  .help = "seconds the former master's routes are kept after a "
		  "takeover (300)" },
	{ NULL }
};

static const struct kw kw_rto_mirror[] = {
	{ "sync", .fn = h_flag, CFG(rto_mirror_sync),
	  .help = "stream the sessions to the peer, apply the peer's" },
	{ "route", .sub = kw_rto_route, .fn = h_flag, CFG(rto_mirror_route),
	  .origin = ORIGIN(rto_mirror_route),
	  .help = "stream the routes to the peer, hold the peer's" },
	{ NULL }
};

static const struct kw kw_rto_session[] = {
	{ "ageout-ack", .fn = h_flag, CFG(rto_ageout_ack),
	  .help = "the backup asks the master before a session expires" },
	{ NULL }
};

static const struct kw kw_rto[] = {
	{ "coldstart-wait", .fn = h_uint, CFG(rto_coldstart_wait_s),
	  .lo = 0, .hi = 3600, .def = CFG_COLDSTART_WAIT_DEFAULT,
	  .help = "longest wait of preempt for the cold start sync (30)" },
	{ "session", .sub = kw_rto_session, .help = "session sync" },
	{ NULL }
};

static const struct kw kw_config_sync[] = {
	{ "file", .arg = arg_path, .fn = h_syncfile, .opts = kw_syncfile_opts,
	  .what = "<path>", .value = CMD_VAL_PATH,
	  .help = "keep a file alike on both units" },
	{ NULL }
};

static const struct kw kw_config[] = {
	{ "sync", .sub = kw_config_sync, .fn = h_flag, CFG(config_sync),
	  .local = true, .help = "one configuration for the pair" },
	{ NULL }
};

static const struct kw kw_metrics[] = {
	{ "listen", .fn = h_metrics_listen, .local = true,
	  .what = "<address:port>",
	  .help = "serve the page at this address of the unit's own" },
	{ NULL }
};

static const struct kw kw_nsrp[] = {
	{ "arp", .fn = h_uint, CFG(arp_count),
	  .lo = 0, .hi = 255, .def = CFG_ARP_DEFAULT,
	  .help = "gratuitous ARPs per VSI address on takeover (4)" },
	{ "auth", .sub = kw_auth, .help = "HA link authentication" },
	{ "cluster", .sub = kw_cluster, .help = "the cluster's id and name" },
	{ "config", .sub = kw_config, .help = "config sync" },
	{ "encrypt", .sub = kw_encrypt, .help = "HA link encryption" },
	{ "interface", .fn = h_str, CFG(ha_if), .lo = STR_IFNAME,
	  .origin = ORIGIN(ha_if), .local = true, .what = "<interface>",
	  .value = CMD_VAL_IFNAME,
	  .help = "the HA link (control channel) (restart)" },
	{ "metrics", .sub = kw_metrics,
	  .help = "the OpenMetrics page for Prometheus" },
	{ "monitor", .sub = kw_monitor,
	  .help = "interface and zone monitoring" },
	{ "notify", .fn = h_str, CFG(notify), .lo = STR_PATH, .local = true,
	  .what = "<path>", .value = CMD_VAL_PATH,
	  .help = "a program run on every transition" },
	{ "realtime-priority", .fn = h_uint, CFG(realtime_priority),
	  .lo = 0, .hi = 99, .def = 0, .local = true,
	  .help = "run the agent under SCHED_FIFO at this priority (0: off)" },
	{ "rto", .sub = kw_rto, .help = "run-time object settings" },
	{ "rto-mirror", .sub = kw_rto_mirror,
	  .help = "run-time object (session) sync" },
	{ "secondary-path", .fn = h_str, CFG(secondary_if), .lo = STR_IFNAME,
	  .origin = ORIGIN(secondary_if), .local = true, .what = "<interface>",
	  .value = CMD_VAL_IFNAME,
	  .help = "a second path for heartbeats and sync (restart)" },
	{ "standalone-role", .fn = h_role, .local = true, .words = roles,
	  .help = "run the data plane in this role, no election (restart)" },
	{ "track-ip", .sub = kw_track_ip, .fn = h_flag, CFG(track_ip),
	  .help = "probe the track-ip targets" },
	{ "vsd-group", .sub = kw_vsd_group,
	  .help = "VSD groups and the election's timers" },
	{ "witness", .arg = arg_witness, .fn = h_witness,
	  .opts = kw_witness_opts, .what = "<address>",
	  .help = "an address that settles a split brain" },
	{ NULL }
};

static const struct kw kw_interface[] = {
	{ "ip", .fn = h_vsi, .lo = AF_INET, .what = "<A.B.C.D/len>",
	  .help = "a VSI address of the group (restart)" },
	{ "ipv6", .fn = h_vsi, .lo = AF_INET6, .what = "<X:X::X/len>",
	  .help = "a VSI IPv6 address of the group (restart)" },
	{ "manage-ip", .fn = h_manage, .local = true,
	  .what = "<address[/len]>",
	  .help = "this unit's own address on the NIC" },
	{ NULL }
};

#define FLOW_TIMEOUT(name, field, what) \
	{ name, .fn = h_uint, CFG(flow.field), .lo = 1, .hi = 86400, \
	  .def = 0, .help = what " (restart)" }

static const struct kw kw_flow_timeout[] = {
	FLOW_TIMEOUT("icmp", icmp_s, "ICMP echo sessions, seconds (60)"),
	FLOW_TIMEOUT("tcp", tcp_s, "established TCP, seconds (1800)"),
	FLOW_TIMEOUT("tcp-fin", tcp_fin_s, "TCP closing, seconds (10)"),
	FLOW_TIMEOUT("tcp-syn", tcp_syn_s, "TCP opening, seconds (20)"),
	FLOW_TIMEOUT("tcp-time-wait", tcp_time_wait_s,
		     "TCP time-wait or reset, seconds (2)"),
	FLOW_TIMEOUT("udp", udp_s, "UDP sessions, seconds (60)"),
	{ NULL }
};

static const struct kw kw_flow[] = {
	{ "max-sessions", .fn = h_uint, CFG(flow.max_sessions),
	  .lo = 1024, .hi = NSRPD_SESS_MAX, .def = 0,
	  .help = "entries of the session table (262144) (restart)" },
	{ "timeout", .sub = kw_flow_timeout,
	  .help = "the data plane's session timeouts" },
	{ NULL }
};

static const struct kw kw_zone[] = {
	{ "interface", .arg = arg_ifname, .fn = h_zone_if,
	  .what = "<interface>", .value = CMD_VAL_IFNAME,
	  .help = "a NIC of the zone" },
	{ NULL }
};

static const struct kw kw_admin[] = {
	{ "group", .arg = arg_admin_group, .fn = h_admin_group,
	  .opts = kw_admin_group_opts, .local = true, .what = "<group>",
	  .help = "a group whose members may use the control socket" },
	{ NULL }
};

static const struct kw kw_top[] = {
	{ "admin", .sub = kw_admin,
	  .help = "who may use the control socket besides root" },
	{ "flow", .sub = kw_flow, .help = "the data plane's session table" },
	{ "hostname", .fn = h_str, CFG(hostname), .local = true,
	  .what = "<name>", .help = "the unit's name" },
	{ "interface", .arg = arg_iface, .sub = kw_interface,
	  .what = "<interface[:group]>", .value = CMD_VAL_IFNAME,
	  .help = "VSI addresses (IF:N) and the unit's own (IF)" },
	{ "nsrp", .sub = kw_nsrp, .help = "the cluster: NSRP settings" },
	{ "zone", .arg = arg_zone, .sub = kw_zone, .fn = h_zone,
	  .what = "<zone>", .help = "a named set of NICs" },
	{ NULL }
};

/* ------------------------------------------------------------ walking */

static void list_names(const struct kw *t, const char *prefix,
		       char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; t->name; t++) {
		int n;

		if (prefix && strncmp(t->name, prefix, strlen(prefix)))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
			     t->name);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += n;
	}
}

/* An exact match, else the one keyword tok is a prefix of. */
static const struct kw *lookup(struct parse *p, const struct kw *t,
			       const char *tok)
{
	const struct kw *found = NULL;
	size_t n = strlen(tok);
	unsigned int hits = 0;
	char names[256];

	for (const struct kw *k = t; k->name; k++) {
		if (!strcmp(k->name, tok))
			return k;
		if (!strncmp(k->name, tok, n)) {
			found = k;
			hits++;
		}
	}
	if (hits == 1)
		return found;
	if (hits > 1) {
		list_names(t, tok, names, sizeof(names));
		fail(p, "ambiguous '%s': %s", tok, names);
	} else {
		list_names(t, NULL, names, sizeof(names));
		fail(p, "unknown keyword '%s' (expected %s)", tok, names);
	}
	return NULL;
}

static int walk(struct parse *p, const struct kw *t)
{
	char names[256];

	for (;;) {
		const char *tok = peek(p);
		const struct kw *k;

		if (!tok) {
			list_names(t, NULL, names, sizeof(names));
			return fail(p, "incomplete command after '%s' (expected %s)",
				    cur_kw(p), names);
		}
		k = lookup(p, t, tok);
		if (!k)
			return -EINVAL;
		p->pos++;
		if (k->arg) {
			const char *val;

			if (need_value(p, k->name, &val) || k->arg(p, val))
				return -EINVAL;
		}
		if (k->sub && (peek(p) || !k->fn)) {
			t = k->sub;
			continue;
		}
		return k->fn(p, k);
	}
}

/*
 * Splits a line into words in place: blanks separate, "..." quotes, a
 * word that starts with '#' starts a comment.
 */
static int split(struct parse *p, char *s)
{
	p->ntok = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (!*s || *s == '#')
			return 0;
		if (p->ntok == CFG_MAX_WORDS)
			return fail(p, "too many words (at most %d)",
				    CFG_MAX_WORDS);
		if (*s == '"') {
			char *end = strchr(++s, '"');

			if (!end)
				return fail(p, "unterminated quote");
			*end = '\0';
			p->tok[p->ntok++] = s;
			s = end + 1;
			if (*s && *s != ' ' && *s != '\t' && *s != '\r' &&
			    *s != '\n')
				return fail(p, "a quoted value must end its word");
			continue;
		}
		p->tok[p->ntok++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

static const struct kw kw_root[] = {
	{ "set", .sub = kw_top, .help = "change a setting" },
	{ "unset", .sub = kw_top, .help = "put a setting back to its default" },
	{ NULL }
};

/*
 * Splits line into buf, as p's tokens, and finds its first keyword (set
 * or unset) in *root: NULL for a blank line or a comment.
 */
static int parse_root(struct parse *p, char *buf, const char *line,
		      const struct kw **root)
{
	*root = NULL;
	if (strlen(line) > CFG_LINE_LEN)
		return fail(p, "line too long (at most %d characters)",
			    CFG_LINE_LEN);
	strcpy(buf, line);
	if (split(p, buf))
		return -EINVAL;
	if (!p->ntok)
		return 0;
	*root = lookup(p, kw_root, p->tok[0]);
	return *root ? 0 : -EINVAL;
}

static int apply(struct nsrp_config *c, const char *line, unsigned int lineno,
		 char *err, size_t errlen)
{
	char buf[CFG_LINE_LEN + 1];
	const struct kw *k;
	int ret;
	struct parse p = {
		.c = c, .line = lineno, .group = -1, .err = err,
		.errlen = errlen,
	};

	if (errlen)
		err[0] = '\0';
	ret = parse_root(&p, buf, line, &k);
	if (ret || !k)
		return ret;
	p.unset = !strcmp(k->name, "unset");
	p.pos = 1;
	return walk(&p, k->sub);
}

/* Where a walk of the keyword table is, and what it tells. */
struct kw_walk {
	char path[CFG_LINE_LEN];
	char syntax[CFG_LINE_LEN];
	void (*fn)(void *arg, const struct cfg_keyword *k);
	void *arg;
};

static bool kw_append(char *buf, size_t *used, const char *word)
{
	int n = snprintf(buf + *used, CFG_LINE_LEN - *used, " %s", word);

	if (n < 0 || (size_t)n >= CFG_LINE_LEN - *used)
		return false;
	*used += n;
	return true;
}

/*
 * Every path of keywords under t. An option (opts) belongs to the line
 * of the keyword it follows, local or not as that one is.
 */
static void keywords(struct kw_walk *w, const struct kw *t, size_t pused,
		     size_t sused, const struct kw *owner)
{
	for (; t->name; t++) {
		const struct kw *line = owner ? owner : t;
		size_t p = pused, s = sused;

		if (!kw_append(w->path, &p, t->name) ||
		    !kw_append(w->syntax, &s, t->name) ||
		    (t->arg && !kw_append(w->syntax, &s, CFG_KW_VALUE)))
			continue;
		if (t->fn || !t->sub) {
			const struct cfg_keyword k = {
				.path = w->path, .syntax = w->syntax,
				.local = line->local, .option = owner != NULL,
			};

			w->fn(w->arg, &k);
		}
		if (t->sub)
			keywords(w, t->sub, p, s, NULL);
		if (t->opts)
			keywords(w, t->opts, p, s, t);
		w->path[pused] = '\0';
		w->syntax[sused] = '\0';
	}
}

void config_keyword_table(void (*fn)(void *arg, const struct cfg_keyword *k),
			  void *arg)
{
	struct kw_walk *w = calloc(1, sizeof(*w));

	if (!w)
		return;
	w->fn = fn;
	w->arg = arg;
	strcpy(w->path, "set");
	strcpy(w->syntax, "set");
	keywords(w, kw_top, strlen(w->path), strlen(w->syntax), NULL);
	free(w);
}

struct kw_paths {
	void (*fn)(void *arg, const char *path);
	void *arg;
};

static void kw_path_only(void *arg, const struct cfg_keyword *k)
{
	struct kw_paths *p = arg;

	p->fn(p->arg, k->path);
}

void config_keywords(void (*fn)(void *arg, const char *path), void *arg)
{
	struct kw_paths p = { .fn = fn, .arg = arg };

	config_keyword_table(kw_path_only, &p);
}

/* ------------------------------------------------- what may follow */

struct next {
	struct parse p;
	cmd_next_fn fn;
	void *arg;
};

static void next_emit(struct next *x, enum cmd_next_kind kind,
		      const char *word, const char *help, enum cmd_value v)
{
	const struct cmd_next n = { .kind = kind, .word = word,
				    .help = help ? help : "", .value = v };

	x->fn(x->arg, &n);
}

static void next_words(struct next *x, const struct kw *t)
{
	for (; t->name; t++)
		next_emit(x, CMD_NEXT_WORD, t->name, t->help, CMD_VAL_OTHER);
}

static bool kw_is_uint(const struct kw *k)
{
	return k->fn == h_uint || k->fn == h_holddown ||
	       k->fn == h_monitor_weight;
}

/* Does k's handler read a value of its own (k has no arg)? */
static bool kw_takes_value(const struct kw *k)
{
	return !k->arg && !k->opts &&
	       (k->what || k->words || kw_is_uint(k));
}

/* The value of k (its arg's, or its handler's): its words, or its kind. */
static void next_value(struct next *x, const struct kw *k)
{
	char range[32];
	const char *what = k->what;

	if (k->words) {
		for (const char *const *w = k->words; *w; w++)
			next_emit(x, CMD_NEXT_WORD, *w, k->help, CMD_VAL_OTHER);
		return;
	}
	if (!what && kw_is_uint(k)) {
		snprintf(range, sizeof(range), "<%u-%u>", k->lo, k->hi);
		what = range;
	}
	next_emit(x, CMD_NEXT_VALUE, what ? what : "<value>", k->help,
		  k->value);
}

static void next_end(struct next *x)
{
	next_emit(x, CMD_NEXT_END, "", "", CMD_VAL_OTHER);
}

/* OPTION VALUE pairs of a track-ip target or a synced file. */
static int next_options(struct next *x, const struct kw *k)
{
	struct parse *p = &x->p;

	if (x->p.unset) {
		if (need_end(p))
			return -EINVAL;
		next_end(x);
		return 0;
	}
	while (peek(p)) {
		const struct kw *o = lookup(p, k->opts, peek(p));

		if (!o)
			return -EINVAL;
		p->pos++;
		if (!peek(p)) {
			next_value(x, o);
			return 0;
		}
		p->pos++;
	}
	next_words(x, k->opts);
	next_end(x);
	return 0;
}

/* What the handler of k takes after the keywords. */
static int next_handler(struct next *x, const struct kw *k)
{
	struct parse *p = &x->p;
	bool optional = k->fn == h_vsi || k->fn == h_manage;

	if (k->opts)
		return next_options(x, k);
	if (kw_takes_value(k) && (!p->unset || optional) && peek(p))
		p->pos++;		/* the value: anything goes here */
	else if (kw_takes_value(k) && (!p->unset || optional)) {
		next_value(x, k);
		if (p->unset)
			next_end(x);
		return 0;
	}
	if (need_end(p))
		return -EINVAL;
	next_end(x);
	return 0;
}

/* Walks the keywords as walk() does, then lists what may come next. */
static int next_walk(struct next *x, const struct kw *t, bool may_end)
{
	struct parse *p = &x->p;

	for (;;) {
		const struct kw *k;

		if (!peek(p)) {
			next_words(x, t);
			if (may_end)
				next_end(x);
			return 0;
		}
		k = lookup(p, t, peek(p));
		if (!k)
			return -EINVAL;
		p->pos++;
		if (k->arg) {
			if (!peek(p)) {
				next_value(x, k);
				return 0;
			}
			if (k->arg(p, peek(p)))
				return -EINVAL;
			p->pos++;
		}
		if (k->sub) {	/* its keywords, or its end when it has fn */
			may_end = k->fn && !peek(p);
			t = k->sub;
			continue;
		}
		return next_handler(x, k);
	}
}

int config_next(const char *line, cmd_next_fn fn, void *arg, char *msg,
		size_t msglen)
{
	char buf[CFG_LINE_LEN + 1];
	struct next x = { .p = { .group = -1, .err = msg, .errlen = msglen },
			  .fn = fn, .arg = arg };
	const struct kw *k;

	if (msglen)
		msg[0] = '\0';
	if (strlen(line) > CFG_LINE_LEN)
		return fail(&x.p, "line too long (at most %d characters)",
			    CFG_LINE_LEN);
	strcpy(buf, line);
	if (split(&x.p, buf))
		return -EINVAL;
	if (!x.p.ntok) {
		next_words(&x, kw_root);
		return 0;
	}
	k = lookup(&x.p, kw_root, x.p.tok[0]);
	if (!k)
		return -EINVAL;
	x.p.unset = !strcmp(k->name, "unset");
	x.p.pos = 1;
	return next_walk(&x, k->sub, false);
}

int config_apply_line(struct nsrp_config *c, const char *line,
		      char *err, size_t errlen)
{
	return apply(c, line, 0, err, errlen);
}

void config_init(struct nsrp_config *c)
{
	memset(c, 0, sizeof(*c));
	c->arp_count = CFG_ARP_DEFAULT;
	c->hb_interval_ms = CFG_HB_INTERVAL_DEFAULT;
	c->hb_threshold = CFG_HB_THRESHOLD_DEFAULT;
	c->init_hold_s = CFG_INIT_HOLD_DEFAULT;
	c->failover_window_s = CFG_FAILOVER_WINDOW_DEFAULT;
	c->monitor_threshold = CFG_MONITOR_THRESHOLD_DEFAULT;
	c->monitor_holddown_s = CFG_MONITOR_HOLDDOWN_DEFAULT;
	c->track_ip_threshold = CFG_TRACKIP_THRESHOLD_DEFAULT;
	c->track_ip_weight = CFG_TRACKIP_WEIGHT_DEFAULT;
	c->rto_coldstart_wait_s = CFG_COLDSTART_WAIT_DEFAULT;
	c->rto_route_hold_s = CFG_ROUTE_HOLD_DEFAULT;
	for (int i = 0; i < NSRPD_MAX_VSD; i++) {
		c->vsd[i].priority = CFG_PRIORITY_DEFAULT;
		c->vsd[i].holddown_s = CFG_HOLDDOWN_DEFAULT;
	}
	c->vsd[0].defined = true;
}

bool config_equal(const struct nsrp_config *a, const struct nsrp_config *b)
{
	return !memcmp(a, b, offsetof(struct nsrp_config, origin));
}

const char *config_hostname(const struct nsrp_config *c)
{
	static char sys[CFG_NAME_LEN];

	if (c->hostname[0])
		return c->hostname;
	if (gethostname(sys, sizeof(sys) - 1))
		snprintf(sys, sizeof(sys), "unknown");
	return sys;
}

bool config_is_data_if(const struct nsrp_config *c, const char *ifname)
{
	for (unsigned int i = 0; i < c->n_vsi; i++)
		if (!strcmp(c->vsi[i].ifname, ifname))
			return true;
	return false;
}

void config_vsd_params(const struct nsrp_config *c, unsigned int id,
		       struct vsd_params *p)
{
	const struct cfg_vsd *g = &c->vsd[id];

	memset(p, 0, sizeof(*p));
	p->priority = g->priority;
	p->preempt = g->preempt;
	p->master_always_exist = c->master_always_exist;
	p->holddown_ms = g->holddown_s * 1000;
	p->init_hold_ms = c->init_hold_s * 1000;
	/* Long enough for the peer to hear the step-down and answer. */
	p->yield_ms = c->hb_interval_ms * (c->hb_threshold + 2);
	p->failover_interval_ms = c->failover_interval_s * 1000;
	p->failover_limit = c->failover_limit;
	p->failover_window_ms = c->failover_window_s * 1000;
	/*
	 * A hand-over waits for the peer about as long as the peer's loss
	 * would take to notice, but never less than a loaded machine may
	 * need for two messages and a stream's last acknowledgements.
	 */
	p->handover_ms = c->hb_interval_ms * c->hb_threshold;
	if (p->handover_ms < CFG_HANDOVER_MIN_MS)
		p->handover_ms = CFG_HANDOVER_MIN_MS;
}

uint32_t config_control_deadline_ms(const struct nsrp_config *c)
{
	uint32_t dp = c->hb_interval_ms * c->hb_threshold;

	return c->control_deadline_ms > dp ? c->control_deadline_ms : dp;
}

/* ---------------------------------------------------------- validation */

struct report {
	const char *name;
	FILE *errs;
	int count;
};

static void report(struct report *r, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(struct report *r, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	r->count++;
	if (!r->errs)
		return;
	if (line)
		fprintf(r->errs, "%s:%u: ", r->name, line);
	else
		fprintf(r->errs, "%s: ", r->name);
	va_start(ap, fmt);
	vfprintf(r->errs, fmt, ap);
	va_end(ap);
	fputc('\n', r->errs);
}

/* Host bits all zero (network) or, for IPv4, all one (broadcast). */
static const char *not_a_host(const struct cfg_addr *a)
{
	unsigned int bits = a->family == AF_INET ? 32 : 128;
	bool zero = true, ones = true;

	if (a->prefixlen >= bits - 1)
		return NULL;
	for (unsigned int b = a->prefixlen; b < bits; b++) {
		bool set = a->addr[b / 8] & (0x80 >> (b % 8));

		zero &= !set;
		ones &= set;
	}
	if (zero)
		return "the network address";
	if (ones && a->family == AF_INET)
		return "the broadcast address";
	return NULL;
}

static void check_vsis(const struct nsrp_config *c, struct report *r)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned int nics = 0;

	for (unsigned int i = 0; i < c->n_vsi; i++) {
		const struct cfg_vsi_addr *v = &c->vsi[i];
		unsigned int line = c->origin.vsi[i];
		const char *why;
		bool first = true;

		if (!c->vsd[v->vsd].defined)
			report(r, line, "interface %s:%u: VSD group %u is not defined (set nsrp vsd-group id %u)",
			       v->ifname, v->vsd, v->vsd, v->vsd);
		if (c->ha_if[0] && !strcmp(v->ifname, c->ha_if))
			report(r, line, "interface %s is the HA link (line %u) and cannot carry VSIs",
			       v->ifname, c->origin.ha_if);
		why = not_a_host(&v->a);
		if (why)
			report(r, line, "%s/%u is %s, not a host address",
			       addr_str(&v->a, buf, sizeof(buf)),
			       v->a.prefixlen, why);
		for (unsigned int j = 0; j < i && first; j++)
			first = strcmp(c->vsi[j].ifname, v->ifname) != 0;
		if (first && ++nics == NSRPD_MAX_IFACES + 1)
			report(r, line, "too many data interfaces (at most %d)",
			       NSRPD_MAX_IFACES);
	}
}

/* Every address once, VSI and manage-ip alike, on whatever NIC. */
static void check_duplicates(const struct nsrp_config *c, struct report *r)
{
	unsigned int n = c->n_vsi + c->n_manage;
	char buf[INET6_ADDRSTRLEN];

	for (unsigned int i = 0; i < n; i++) {
		const struct cfg_addr *a = i < c->n_vsi ? &c->vsi[i].a :
					   &c->manage[i - c->n_vsi].a;
		unsigned int line = i < c->n_vsi ? c->origin.vsi[i] :
				    c->origin.manage[i - c->n_vsi];

		for (unsigned int j = 0; j < i; j++) {
			const struct cfg_addr *b = j < c->n_vsi ? &c->vsi[j].a :
						   &c->manage[j - c->n_vsi].a;
			unsigned int other = j < c->n_vsi ? c->origin.vsi[j] :
					     c->origin.manage[j - c->n_vsi];

			if (!addr_same(a, b))
				continue;
			report(r, line, "address %s is already set (line %u)",
			       addr_str(a, buf, sizeof(buf)), other);
			break;
		}
	}
}

/* A monitored zone has interfaces. */
static void check_zones(const struct nsrp_config *c, struct report *r)
{
	for (unsigned int i = 0; i < c->n_zone_mon; i++)
		if (find_zone_if(c, c->zone_mon[i].zone, NULL) < 0)
			report(r, c->origin.zone_mon[i],
			       "zone %s has no interface (set zone %s "
			       "interface IF)", c->zone_mon[i].zone,
			       c->zone_mon[i].zone);
}

/* Does the prefix len of net hold addr? */
static bool prefix_holds(const struct cfg_addr *net, unsigned int len,
			 const struct cfg_addr *addr)
{
	if (net->family != addr->family)
		return false;
	for (unsigned int b = 0; b < len; b++)
		if ((net->addr[b / 8] ^ addr->addr[b / 8]) & (0x80 >> (b % 8)))
			return false;
	return true;
}

unsigned int config_manage_prefix(const struct nsrp_config *c,
				  const struct cfg_manage *m)
{
	if (m->a.prefixlen)
		return m->a.prefixlen;
	for (unsigned int i = 0; i < c->n_vsi; i++)
		if (!strcmp(c->vsi[i].ifname, m->ifname) &&
		    c->vsi[i].a.family == m->a.family)
			return c->vsi[i].a.prefixlen;
	return m->a.family == AF_INET ? 32 : 128;
}

const struct cfg_manage *config_track_source(const struct nsrp_config *c,
					     const struct cfg_track *t)
{
	const struct cfg_manage *named = NULL;

	for (unsigned int i = 0; i < c->n_manage; i++) {
		const struct cfg_manage *m = &c->manage[i];
		bool on_link = prefix_holds(&m->a, config_manage_prefix(c, m),
					    &t->a);

		if (m->a.family != t->a.family)
			continue;
		if (t->ifname[0] && strcmp(t->ifname, m->ifname))
			continue;
		if (on_link)
			return m;
		if (t->ifname[0] && t->method == CFG_TRACK_PING)
			named = m;	/* routed through the NIC named */
	}
	return named;
}

/* Each target is probed from a manage-ip that reaches it. */
static void check_track(const struct nsrp_config *c, struct report *r)
{
	char buf[INET6_ADDRSTRLEN];

	for (unsigned int i = 0; i < c->n_track; i++) {
		const struct cfg_track *t = &c->track[i];

		if (config_track_source(c, t))
			continue;
		if (t->ifname[0])
			report(r, c->origin.track[i],
			       "track-ip %s: no %s manage-ip on %s%s",
			       addr_str(&t->a, buf, sizeof(buf)),
			       t->a.family == AF_INET ? "IPv4" : "IPv6",
			       t->ifname, t->method == CFG_TRACK_ARP ?
			       " whose subnet holds it (method arp)" : "");
		else
			report(r, c->origin.track[i],
			       "track-ip %s: no manage-ip's subnet holds it "
			       "(set interface IF manage-ip A/len, or name "
			       "the interface)", addr_str(&t->a, buf,
							  sizeof(buf)));
	}
}

/*
 * The control plane's deadline extends the data plane's: shorter, it
 * would say what does not happen. The witness is probed as a target.
 */
static void check_deadlines(const struct nsrp_config *c, struct report *r)
{
	uint32_t dp = c->hb_interval_ms * c->hb_threshold;
	char buf[INET6_ADDRSTRLEN];

	if (c->control_deadline_ms && c->control_deadline_ms < dp)
		report(r, c->origin.control_deadline,
		       "control-deadline %u ms is shorter than the data plane's "
		       "deadline, hb-interval x hb-threshold = %u ms",
		       c->control_deadline_ms, dp);
	if (c->has_witness && !config_track_source(c, &c->witness))
		report(r, c->origin.witness,
		       "witness %s: no %s manage-ip to probe it from (set "
		       "interface IF manage-ip A/len)",
		       addr_str(&c->witness.a, buf, sizeof(buf)),
		       c->witness.a.family == AF_INET ? "IPv4" : "IPv6");
}

int config_validate(const struct nsrp_config *c, const char *name, FILE *errs)
{
	struct report r = { .name = name, .errs = errs };

	check_vsis(c, &r);
	check_duplicates(c, &r);
	check_zones(c, &r);
	check_track(c, &r);
	check_deadlines(c, &r);
	if (c->ha_if[0] && !strcmp(c->ha_if, c->secondary_if))
		report(&r, c->origin.secondary_if,
		       "secondary-path %s is the HA link itself (line %u)",
		       c->secondary_if, c->origin.ha_if);
	/* Routes ride on the RTO stream, as the sessions do. */
	if (c->rto_mirror_route && !c->rto_mirror_sync)
		report(&r, c->origin.rto_mirror_route,
		       "rto-mirror route needs rto-mirror sync (set nsrp "
		       "rto-mirror sync)");
	return r.count ? -EINVAL : 0;
}

int config_runnable(const struct nsrp_config *c, const char *name,
		    FILE *errs)
{
	struct report r = { .name = name, .errs = errs };

	/* The unit's identity is its HA interface's MAC, else a VSI NIC's. */
	if (!c->ha_if[0] && !c->n_vsi)
		report(&r, 0, "no HA interface and no VSI: nothing to run");
	return r.count ? -EINVAL : 0;
}

/* ------------------------------------------------------- file in / out */

/*
 * Reads one line, without its newline, into buf (CFG_LINE_LEN + 1
 * bytes). Returns its length, -E2BIG when it is longer (the rest is read
 * and dropped), -EILSEQ when it holds a NUL byte (text stops there, the
 * line would be cut short unseen), -ENODATA at the end of the file.
 */
static int read_line(FILE *f, char *buf)
{
	size_t len = 0;
	bool nul = false;
	int ch;

	while ((ch = getc(f)) != EOF && ch != '\n') {
		if (len < CFG_LINE_LEN)
			buf[len] = ch;
		nul |= !ch;
		len++;
	}
	if (ch == EOF && !len)
		return -ENODATA;
	if (len > CFG_LINE_LEN)
		return -E2BIG;
	buf[len] = '\0';
	return nul ? -EILSEQ : (int)len;
}

int config_load(const char *path, struct nsrp_config *out, FILE *errs)
{
	struct report r = { .name = path, .errs = errs };
	char buf[CFG_LINE_LEN + 1], err[256];
	struct nsrp_config *c;
	unsigned int lineno = 0;
	int ret = 0, n;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		if (errs)
			fprintf(errs, "%s: %s\n", path, strerror(-ret));
		return ret;
	}
	c = malloc(sizeof(*c));
	if (!c) {
		fclose(f);
		return -ENOMEM;
	}
	config_init(c);
	while ((n = read_line(f, buf)) != -ENODATA) {
		lineno++;
		if (n == -E2BIG)
			report(&r, lineno, "line too long (at most %d characters)",
			       CFG_LINE_LEN);
		else if (n == -EILSEQ)
			report(&r, lineno, "a NUL byte in the line: not text");
		else if (apply(c, buf, lineno, err, sizeof(err)))
			report(&r, lineno, "%s", err);
	}
	if (ferror(f)) {
		ret = -EIO;
		report(&r, 0, "read error");
	}
	fclose(f);
	if (!ret && config_validate(c, path, errs))
		ret = -EINVAL;
	if (!ret && r.count)
		ret = -EINVAL;
	if (!ret)
		memcpy(out, c, sizeof(*c));
	free(c);
	return ret;
}

/* A value as one word: quoted when it holds blanks or could start a comment. */
static void put_word(FILE *f, const char *s)
{
	if (!*s || strpbrk(s, " \t#"))
		fprintf(f, " \"%s\"", s);
	else
		fprintf(f, " %s", s);
}

static void put_str(FILE *f, const char *prefix, const char *s)
{
	if (!*s)
		return;
	fputs(prefix, f);
	put_word(f, s);
	fputc('\n', f);
}

static void put_uint(FILE *f, const char *prefix, uint32_t v, uint32_t def)
{
	if (v != def)
		fprintf(f, "%s %u\n", prefix, v);
}

static void put_flag(FILE *f, const char *line, bool v)
{
	if (v)
		fprintf(f, "%s\n", line);
}

static void write_groups(const struct nsrp_config *c, FILE *f)
{
	put_uint(f, "set nsrp vsd-group hb-interval", c->hb_interval_ms,
		 CFG_HB_INTERVAL_DEFAULT);
	put_uint(f, "set nsrp vsd-group hb-threshold", c->hb_threshold,
		 CFG_HB_THRESHOLD_DEFAULT);
	put_uint(f, "set nsrp vsd-group init-hold", c->init_hold_s,
		 CFG_INIT_HOLD_DEFAULT);
	put_flag(f, "set nsrp vsd-group master-always-exist",
		 c->master_always_exist);
	put_uint(f, "set nsrp vsd-group failover-interval",
		 c->failover_interval_s, 0);
	put_uint(f, "set nsrp vsd-group failover-limit", c->failover_limit, 0);
	put_uint(f, "set nsrp vsd-group failover-window", c->failover_window_s,
		 CFG_FAILOVER_WINDOW_DEFAULT);
	put_uint(f, "set nsrp vsd-group control-deadline",
		 c->control_deadline_ms, 0);
	for (int i = 0; i < NSRPD_MAX_VSD; i++) {
		const struct cfg_vsd *g = &c->vsd[i];

		if (!g->defined)
			continue;
		/* The group is the pair's; its priority is this unit's. */
		fprintf(f, "set nsrp vsd-group id %d\n", i);
		fprintf(f, "set nsrp vsd-group id %d priority %u\n", i,
			g->priority);
		if (g->preempt)
			fprintf(f, "set nsrp vsd-group id %d preempt hold-down %u\n",
				i, g->holddown_s);
	}
}

static void write_witness(const struct nsrp_config *c, FILE *f)
{
	const struct cfg_track *t = &c->witness;
	char buf[INET6_ADDRSTRLEN];

	if (!c->has_witness)
		return;
	fprintf(f, "set nsrp witness %s interval %u threshold %u method %s",
		addr_str(&t->a, buf, sizeof(buf)), t->interval_s, t->threshold,
		t->method == CFG_TRACK_ARP ? "arp" : "ping");
	if (t->ifname[0])
		fprintf(f, " interface %s", t->ifname);
	fputc('\n', f);
}

static void write_track(const struct nsrp_config *c, FILE *f)
{
	char buf[INET6_ADDRSTRLEN];

	put_flag(f, "set nsrp track-ip", c->track_ip);
	put_uint(f, "set nsrp track-ip threshold", c->track_ip_threshold,
		 CFG_TRACKIP_THRESHOLD_DEFAULT);
	put_uint(f, "set nsrp track-ip weight", c->track_ip_weight,
		 CFG_TRACKIP_WEIGHT_DEFAULT);
	for (unsigned int i = 0; i < c->n_track; i++) {
		const struct cfg_track *t = &c->track[i];

		fprintf(f, "set nsrp track-ip ip %s interval %u threshold %u "
			"weight %u method %s", addr_str(&t->a, buf, sizeof(buf)),
			t->interval_s, t->threshold, t->weight,
			t->method == CFG_TRACK_ARP ? "arp" : "ping");
		if (t->ifname[0])
			fprintf(f, " interface %s", t->ifname);
		fputc('\n', f);
	}
}

static void write_nsrp(const struct nsrp_config *c, FILE *f)
{
	fprintf(f, "set nsrp cluster id %u\n", c->cluster_id);
	put_str(f, "set nsrp cluster name", c->cluster_name);
	put_str(f, "set nsrp interface", c->ha_if);
	put_str(f, "set nsrp secondary-path", c->secondary_if);
	put_uint(f, "set nsrp arp", c->arp_count, CFG_ARP_DEFAULT);
	put_str(f, "set nsrp auth password", c->auth_password);
	put_str(f, "set nsrp encrypt password", c->encrypt_password);
	put_str(f, "set nsrp notify", c->notify);
	if (c->standalone_role != CFG_ROLE_ELECT)
		fprintf(f, "set nsrp standalone-role %s\n",
			c->standalone_role == CFG_ROLE_MASTER ? "master" :
			"backup");
	write_groups(c, f);
	for (unsigned int i = 0; i < c->n_monitor; i++) {
		fprintf(f, "set nsrp monitor interface %s", c->monitor[i].ifname);
		if (c->monitor[i].weight != CFG_MONITOR_WEIGHT_DEFAULT)
			fprintf(f, " weight %u", c->monitor[i].weight);
		fputc('\n', f);
	}
	for (unsigned int i = 0; i < c->n_zone_mon; i++) {
		fprintf(f, "set nsrp monitor zone %s", c->zone_mon[i].zone);
		if (c->zone_mon[i].weight != CFG_MONITOR_WEIGHT_DEFAULT)
			fprintf(f, " weight %u", c->zone_mon[i].weight);
		fputc('\n', f);
	}
	put_uint(f, "set nsrp monitor threshold", c->monitor_threshold,
		 CFG_MONITOR_THRESHOLD_DEFAULT);
	put_uint(f, "set nsrp monitor hold-down", c->monitor_holddown_s,
		 CFG_MONITOR_HOLDDOWN_DEFAULT);
	write_track(c, f);
	write_witness(c, f);
	put_flag(f, "set nsrp rto-mirror sync", c->rto_mirror_sync);
	put_flag(f, "set nsrp rto-mirror route", c->rto_mirror_route);
	put_uint(f, "set nsrp rto-mirror route hold-time", c->rto_route_hold_s,
		 CFG_ROUTE_HOLD_DEFAULT);
	put_flag(f, "set nsrp rto session ageout-ack", c->rto_ageout_ack);
	put_uint(f, "set nsrp rto coldstart-wait", c->rto_coldstart_wait_s,
		 CFG_COLDSTART_WAIT_DEFAULT);
	put_uint(f, "set nsrp realtime-priority", c->realtime_priority, 0);
	if (c->metrics.port) {
		char buf[INET6_ADDRSTRLEN + 16];

		fprintf(f, "set nsrp metrics listen %s\n",
			config_metrics_str(c, buf, sizeof(buf)));
	}
	put_flag(f, "set nsrp config sync", c->config_sync);
	for (unsigned int i = 0; i < c->n_syncfile; i++) {
		const struct cfg_syncfile *sf = &c->syncfile[i];

		fprintf(f, "set nsrp config sync file");
		put_word(f, sf->path);
		if (sf->check[0]) {
			fprintf(f, " check");
			put_word(f, sf->check);
		}
		if (sf->reload[0]) {
			fprintf(f, " reload");
			put_word(f, sf->reload);
		}
		fputc('\n', f);
	}
}

static void write_flow(const struct nsrp_config *c, FILE *f)
{
	const struct cfg_flow *w = &c->flow;

	put_uint(f, "set flow max-sessions", w->max_sessions, 0);
	put_uint(f, "set flow timeout icmp", w->icmp_s, 0);
	put_uint(f, "set flow timeout tcp", w->tcp_s, 0);
	put_uint(f, "set flow timeout tcp-fin", w->tcp_fin_s, 0);
	put_uint(f, "set flow timeout tcp-syn", w->tcp_syn_s, 0);
	put_uint(f, "set flow timeout tcp-time-wait", w->tcp_time_wait_s, 0);
	put_uint(f, "set flow timeout udp", w->udp_s, 0);
}

static void write_interfaces(const struct nsrp_config *c, FILE *f)
{
	char buf[INET6_ADDRSTRLEN];

	for (unsigned int i = 0; i < c->n_vsi; i++) {
		const struct cfg_vsi_addr *v = &c->vsi[i];

		fprintf(f, "set interface %s:%u %s %s/%u\n", v->ifname, v->vsd,
			v->a.family == AF_INET ? "ip" : "ipv6",
			addr_str(&v->a, buf, sizeof(buf)), v->a.prefixlen);
	}
	for (unsigned int i = 0; i < c->n_manage; i++) {
		const struct cfg_manage *m = &c->manage[i];

		fprintf(f, "set interface %s manage-ip %s", m->ifname,
			addr_str(&m->a, buf, sizeof(buf)));
		if (m->a.prefixlen)
			fprintf(f, "/%u", m->a.prefixlen);
		fputc('\n', f);
	}
}

static void write_zones(const struct nsrp_config *c, FILE *f)
{
	for (unsigned int i = 0; i < c->n_zone_if; i++)
		fprintf(f, "set zone %s interface %s\n", c->zone_if[i].zone,
			c->zone_if[i].ifname);
}

static void write_admin(const struct nsrp_config *c, FILE *f)
{
	for (unsigned int i = 0; i < c->n_admin_group; i++)
		fprintf(f, "set admin group %s privilege %s\n",
			c->admin_group[i].name,
			c->admin_group[i].privilege == CFG_PRIV_ALL ? "all" :
			"read-only");
}

const char *config_metrics_str(const struct nsrp_config *c, char *buf,
			       size_t len)
{
	char a[INET6_ADDRSTRLEN];
	bool v6 = c->metrics.a.family == AF_INET6;

	if (!c->metrics.port) {
		snprintf(buf, len, "%s", "");
		return buf;
	}
	snprintf(buf, len, "%s%s%s:%u", v6 ? "[" : "",
		 addr_str(&c->metrics.a, a, sizeof(a)), v6 ? "]" : "",
		 c->metrics.port);
	return buf;
}

int config_write(const struct nsrp_config *c, FILE *f)
{
	put_str(f, "set hostname", c->hostname);
	write_admin(c, f);
	write_zones(c, f);
	write_nsrp(c, f);
	write_flow(c, f);
	write_interfaces(c, f);
	return ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------ config sync */

bool config_line_local(const char *line)
{
	char buf[CFG_LINE_LEN + 1], err[128];
	struct parse p = { .group = -1, .err = err, .errlen = sizeof(err) };
	const struct kw *t = kw_root, *k = NULL;

	if (strlen(line) > CFG_LINE_LEN)
		return false;
	strcpy(buf, line);
	if (split(&p, buf) || !p.ntok)
		return false;
	/* The keyword whose handler takes the line decides, as walk() goes. */
	while (t && (k = lookup(&p, t, peek(&p)))) {
		p.pos++;
		if (k->arg)
			p.pos++;
		if (!k->sub || (!peek(&p) && k->fn))
			break;
		t = k->sub;
		if (!peek(&p))
			break;
	}
	return k && k->local;
}

static bool config_part_has(enum cfg_part part, const char *line)
{
	switch (part) {
	case CFG_PART_REPLICATED:
		return !config_line_local(line);
	case CFG_PART_LOCAL:
		return config_line_local(line);
	case CFG_PART_SHAREABLE:
		return !strstr(line, " password ");
	default:
		return true;
	}
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int config_canonical(const struct nsrp_config *c, enum cfg_part part,
		     char **text)
{
	char *all = NULL, **lines = NULL, *out = NULL;
	size_t len = 0, n = 0, used = 0;
	FILE *f = open_memstream(&all, &len);
	int ret = -ENOMEM;

	if (!f)
		return -ENOMEM;
	config_write(c, f);
	if (fclose(f))
		goto out;
	lines = calloc(len / 2 + 1, sizeof(*lines));
	out = malloc(len + 1);
	if (!lines || !out)
		goto out;
	for (char *l = strtok(all, "\n"); l; l = strtok(NULL, "\n"))
		if (config_part_has(part, l))
			lines[n++] = l;
	qsort(lines, n, sizeof(*lines), cmp_lines);
	for (size_t i = 0; i < n; i++)
		used += sprintf(out + used, "%s\n", lines[i]);
	out[used] = '\0';
	*text = out;
	out = NULL;
	ret = 0;
out:
	free(out);
	free(lines);
	free(all);
	return ret;
}

int config_parse_text(const char *text, struct nsrp_config *out, char *err,
		      size_t errlen)
{
	char *copy = strdup(text);
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	config_init(out);
	for (char *l = strtok(copy, "\n"); l && !ret; l = strtok(NULL, "\n"))
		ret = apply(out, l, 0, err, errlen);
	free(copy);
	return ret;
}

int config_merge(const struct nsrp_config *local, const char *text,
		 struct nsrp_config *out, char *err, size_t errlen)
{
	struct nsrp_config *c = malloc(sizeof(*c));
	char *mine = NULL, *copy = NULL, *fails = NULL;
	size_t flen = 0;
	FILE *errs = NULL;
	int ret = -ENOMEM;

	if (errlen)
		err[0] = '\0';
	if (!c || config_canonical(local, CFG_PART_LOCAL, &mine) ||
	    !(copy = strdup(text)))
		goto out;
	config_init(c);
	ret = 0;
	for (char *l = strtok(mine, "\n"); l && !ret; l = strtok(NULL, "\n"))
		ret = apply(c, l, 0, err, errlen);
	for (char *l = strtok(copy, "\n"); l && !ret; l = strtok(NULL, "\n"))
		if (!config_line_local(l))
			ret = apply(c, l, 0, err, errlen);
	if (ret)
		goto out;
	errs = open_memstream(&fails, &flen);
	if (!errs) {
		ret = -ENOMEM;
		goto out;
	}
	ret = config_validate(c, "", errs);
	fclose(errs);
	/* The first problem, without report()'s name (": "). */
	if (ret && errlen)
		snprintf(err, errlen, "%.*s", (int)strcspn(fails + 2, "\n"),
			 fails + 2);
	if (!ret)
		memcpy(out, c, sizeof(*c));
out:
	free(fails);
	free(copy);
	free(mine);
	free(c);
	return ret;
}

/* ------------------------------------------------------- run-time changes */

/*
 * The same VSI addresses, in whatever order: a saved file keeps its own
 * order, a configuration taken from the peer has the canonical one.
 */
static bool vsi_same_set(const struct nsrp_config *a,
			 const struct nsrp_config *b)
{
	if (a->n_vsi != b->n_vsi)
		return false;
	for (unsigned int i = 0; i < a->n_vsi; i++) {
		bool found = false;

		for (unsigned int j = 0; j < b->n_vsi && !found; j++)
			found = !memcmp(&a->vsi[i], &b->vsi[j],
					sizeof(a->vsi[i]));
		if (!found)
			return false;
	}
	return true;
}

const char *config_restart_needed(const struct nsrp_config *running,
				  const struct nsrp_config *next)
{
	const struct nsrp_config *a = running, *b = next;

	if (a->cluster_id != b->cluster_id)
		return "the cluster id";
	if (strcmp(a->ha_if, b->ha_if))
		return "the HA link (nsrp interface)";
	if (strcmp(a->secondary_if, b->secondary_if))
		return "the secondary path";
	if (a->standalone_role != b->standalone_role)
		return "the standalone role";
	if (memcmp(&a->flow, &b->flow, sizeof(a->flow)))
		return "the flow settings (session table size, timeouts)";
	if (!vsi_same_set(a, b))
		return "the VSI addresses";
	return NULL;
}

/* config_validate()'s report as one line: problems separated by "; ". */
static int validate_into(const struct nsrp_config *c, char *err,
			 size_t errlen)
{
	char *text = NULL;
	size_t len = 0, used = 0;
	FILE *f = open_memstream(&text, &len);
	int ret;

	if (!f)
		return -ENOMEM;
	ret = config_validate(c, "after this change", f);
	fclose(f);
	if (ret && errlen) {
		err[0] = '\0';
		for (char *s = strtok(text, "\n"); s; s = strtok(NULL, "\n")) {
			int n = snprintf(err + used, errlen - used, "%s%s",
					 used ? "; " : "", s);

			if (n < 0 || (size_t)n >= errlen - used)
				break;
			used += n;
		}
	}
	free(text);
	return ret;
}

int config_apply_runtime(const struct nsrp_config *running, const char *line,
			 struct nsrp_config *next, char *err, size_t errlen)
{
	struct parse p = { .err = err, .errlen = errlen };
	const char *s = line + strspn(line, " \t");
	struct nsrp_config *c;
	const char *why;
	int ret;

	if (errlen)
		err[0] = '\0';
	if (!*s || *s == '#')
		return fail(&p, "empty command (expected set or unset)");
	c = malloc(sizeof(*c));
	if (!c) {
		fail(&p, "out of memory");
		return -ENOMEM;
	}
	memcpy(c, running, sizeof(*c));
	ret = apply(c, line, 0, err, errlen);
	if (!ret)
		ret = validate_into(c, err, errlen);
	if (!ret) {
		why = config_restart_needed(running, c);
		if (why)
			ret = fail(&p, "%s cannot change at run time: change "
				       "the file and restart nsrpd", why);
	}
	if (!ret)
		memcpy(next, c, sizeof(*c));
	free(c);
	return ret;
}

/* ---------------------------------------------------------------- save */

/*
 * What a line sets, as "nsrp vsd-group id 0 priority": its keywords
 * whole and the values that name what it sets (a group, an interface, a
 * zone, a target, a file), without set/unset and without the value it
 * gives. "" for a comment or a blank line; -EINVAL when it does not
 * parse as far as its handler.
 */
static int line_key(const char *line, char *key, size_t len)
{
	char buf[CFG_LINE_LEN + 1], err[256];
	struct parse p = { .group = -1, .err = err, .errlen = sizeof(err) };
	const struct kw *t, *k;
	size_t used = 0;

	key[0] = '\0';
	if (parse_root(&p, buf, line, &k))
		return -EINVAL;
	if (!k)
		return 0;
	for (t = k->sub, p.pos = 1; t;) {
		k = peek(&p) ? lookup(&p, t, peek(&p)) : NULL;
		if (!k)
			return -EINVAL;
		p.pos++;
		used += snprintf(key + used, len - used, "%s%s",
				 used ? " " : "", k->name);
		if (k->arg && peek(&p)) {
			used += snprintf(key + used, len - used, " %s",
					 peek(&p));
			p.pos++;
		}
		if (used >= len)
			return -EINVAL;
		t = k->sub && (peek(&p) || !k->fn) ? k->sub : NULL;
	}
	return 0;
}

/* Where the comment that ends a line begins (its blanks before), or NULL. */
static const char *line_comment(const char *line)
{
	bool quoted = false;

	for (const char *c = line; *c; c++) {
		if (*c == '"')
			quoted = !quoted;
		else if (!quoted && *c == '#' &&
			 (c == line || strchr(" \t", c[-1]))) {
			while (c > line && strchr(" \t", c[-1]))
				c--;
			return c;
		}
	}
	return NULL;
}

/* Is line a comment or blank only? */
static bool line_blank(const char *line)
{
	const char *c = line + strspn(line, " \t\r");

	return !*c || *c == '#';
}

enum save_fate {
	SAVE_KEEP,		/* comment, blank, or true of the running one */
	SAVE_STALE,		/* says otherwise: replaced in place, or gone */
	SAVE_DROP,		/* does not parse: left out */
};

struct save_line {
	char *text;		/* the line, without its newline */
	enum save_fate fate;
	char key[CFG_LINE_LEN];
};

/* A growing text. */
struct save_out {
	char *buf;
	size_t len;
	FILE *f;
};

/* The old file's lines, each judged against c. */
static struct save_line *save_judge(const struct nsrp_config *c,
				    char *old, size_t *nlines)
{
	struct nsrp_config *probe = malloc(sizeof(*probe));
	struct save_line *l = NULL;
	size_t n = 0, cap = 0;
	char err[256];

	if (!probe)
		return NULL;
	for (char *s = old, *e; s && *s; s = e ? e + 1 : NULL) {
		e = strchr(s, '\n');
		if (e)
			*e = '\0';
		if (n == cap) {
			struct save_line *m = realloc(l, (cap = cap * 2 + 64) *
							 sizeof(*l));

			if (!m) {
				free(l);
				free(probe);
				return NULL;
			}
			l = m;
		}
		l[n].text = s;
		l[n].fate = SAVE_KEEP;
		if (!line_blank(s)) {
			memcpy(probe, c, sizeof(*probe));
			if (line_key(s, l[n].key, sizeof(l[n].key)))
				l[n].fate = SAVE_DROP;
			else if (apply(probe, s, 0, err, sizeof(err)) ||
				 !config_equal(probe, c))
				l[n].fate = SAVE_STALE;
		}
		n++;
	}
	free(probe);
	*nlines = n;
	return l;
}

/*
 * The kept lines, applied in order: what the file says without the
 * stale ones. A kept line that fails there (its context went) is stale.
 */
static int save_kept(struct save_line *l, size_t n, struct nsrp_config *x)
{
	char err[256];

	config_init(x);
	for (size_t i = 0; i < n; i++)
		if (l[i].fate == SAVE_KEEP && apply(x, l[i].text, 0, err,
						    sizeof(err)))
			l[i].fate = SAVE_STALE;
	return 0;
}

/* The lines of text, in its order, that other (one per line) has not. */
static char **save_missing(char *text, const char *other, size_t *n)
{
	char **m = calloc(strlen(text) / 2 + 2, sizeof(*m));

	*n = 0;
	if (!m)
		return NULL;
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
		const char *hit = strstr(other, l);
		size_t len = strlen(l);

		/* A whole line of other, not a part of one. */
		while (hit && !((hit == other || hit[-1] == '\n') &&
				(hit[len] == '\n' || !hit[len])))
			hit = strstr(hit + 1, l);
		if (!hit)
			m[(*n)++] = l;
	}
	return m;
}

/* A stale line's replacements: the missing lines of the same setting. */
static void save_replace(struct save_out *o, const struct save_line *l,
			 char **missing, size_t nmissing)
{
	const char *comment = line_comment(l->text);
	char key[CFG_LINE_LEN];
	bool first = true;

	for (size_t i = 0; i < nmissing; i++) {
		if (!missing[i] || line_key(missing[i], key, sizeof(key)) ||
		    strcmp(key, l->key))
			continue;
		fprintf(o->f, "%s%s\n", missing[i],
			first && comment ? comment : "");
		missing[i] = NULL;
		first = false;
	}
}

/* config_write()'s text of c. */
static int save_lines(const struct nsrp_config *c, char **text)
{
	size_t len;
	FILE *f = open_memstream(text, &len);

	if (!f)
		return -ENOMEM;
	config_write(c, f);
	if (fclose(f)) {
		free(*text);
		return -ENOMEM;
	}
	return 0;
}

static int save_compose(const struct nsrp_config *c, struct save_line *l,
			size_t n, struct save_out *o)
{
	struct nsrp_config *x = malloc(sizeof(*x));
	char *want = NULL, *have = NULL, **missing = NULL;
	size_t nmissing = 0;
	int ret = -ENOMEM;

	/* What is missing goes in config_write()'s order, a file's. */
	if (!x || save_kept(l, n, x) || save_lines(c, &want) ||
	    config_canonical(x, CFG_PART_ALL, &have) ||
	    !(missing = save_missing(want, have, &nmissing)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (l[i].fate == SAVE_KEEP)
			fprintf(o->f, "%s\n", l[i].text);
		else if (l[i].fate == SAVE_STALE)
			save_replace(o, &l[i], missing, nmissing);
	}
	for (size_t i = 0; i < nmissing; i++)
		if (missing[i])
			fprintf(o->f, "%s\n", missing[i]);
	ret = 0;
out:
	free(missing);
	free(have);
	free(want);
	free(x);
	return ret;
}

/* Do the two texts say the same configuration? */
static bool save_same(const struct nsrp_config *c, const char *text)
{
	struct nsrp_config *back = malloc(sizeof(*back));
	char *a = NULL, *b = NULL, err[256];
	bool same = false;

	if (back && !config_parse_text(text, back, err, sizeof(err)) &&
	    !config_canonical(c, CFG_PART_ALL, &a) &&
	    !config_canonical(back, CFG_PART_ALL, &b))
		same = !strcmp(a, b);
	free(a);
	free(b);
	free(back);
	return same;
}

/* The whole configuration under a heading: a new file's text. */
static int save_fresh(const struct nsrp_config *c, struct save_out *o)
{
	fputs("# nsrpd configuration, written by \"nsrpctl save\"\n", o->f);
	return config_write(c, o->f);
}

/* The old text with c's lines in: see config_save_text(). */
static int save_merged(const struct nsrp_config *c, const char *old,
		       struct save_out *o)
{
	char *copy = strdup(old);
	struct save_line *l = NULL;
	size_t n = 0;
	int ret = -ENOMEM;

	if (copy)
		l = save_judge(c, copy, &n);
	if (l)
		ret = save_compose(c, l, n, o);
	free(l);
	free(copy);
	return ret;
}

static int save_text_of(const struct nsrp_config *c, const char *old,
			char **text, size_t *len)
{
	struct save_out o = { 0 };
	int ret;

	o.f = open_memstream(&o.buf, &o.len);
	if (!o.f)
		return -ENOMEM;
	ret = old ? save_merged(c, old, &o) : save_fresh(c, &o);
	if (fclose(o.f) && !ret)
		ret = -ENOMEM;
	if (ret) {
		free(o.buf);
		return ret;
	}
	*text = o.buf;
	*len = o.len;
	return 0;
}

int config_save_text(const struct nsrp_config *c, const char *old,
		     char **text)
{
	size_t len;
	int ret;

	if (old && !old[strspn(old, " \t\r\n")])
		old = NULL;
	ret = save_text_of(c, old, text, &len);
	/*
	 * A file whose lines undo each other in ways the judging cannot
	 * see is written whole instead: the configuration comes first.
	 */
	if (!ret && old && !save_same(c, *text)) {
		free(*text);
		ret = save_text_of(c, NULL, text, &len);
	}
	return ret;
}

/* The file a save replaces: path, or what a symbolic link points to. */
static int save_target(const char *path, char *real)
{
	if (realpath(path, real))
		return 0;
	if (errno != ENOENT)
		return -errno;
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	strcpy(real, path);
	return 0;
}

/* Writes len bytes of text to fd, flushed to disk, and closes it. */
static int save_put(int fd, const char *text, size_t len)
{
	int ret = 0;

	while (len && !ret) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno != EINTR)
			ret = -errno;
		if (n > 0) {
			text += n;
			len -= n;
		}
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -EIO;
	return ret;
}

/* Do two configurations say the same, line for line, in any order? */
static bool save_equal(const struct nsrp_config *a,
		       const struct nsrp_config *b)
{
	char *ta = NULL, *tb = NULL;
	bool same = !config_canonical(a, CFG_PART_ALL, &ta) &&
		    !config_canonical(b, CFG_PART_ALL, &tb) &&
		    !strcmp(ta, tb);

	free(ta);
	free(tb);
	return same;
}

/* Writes text into the open temporary file, then reads it back as c. */
static int save_write(const struct nsrp_config *c, int fd, const char *tmp,
		      const char *text)
{
	struct nsrp_config *back;
	int ret = save_put(fd, text, strlen(text));

	if (ret)
		return ret;
	back = malloc(sizeof(*back));
	if (!back)
		return -ENOMEM;
	ret = config_load(tmp, back, NULL);
	if (ret == -EINVAL || (!ret && !save_equal(c, back)))
		ret = -EILSEQ;	/* a bug in the writer: keep the old file */
	free(back);
	return ret;
}

/* The whole of the file a save replaces; -ENOENT when there is none. */
static int save_read_old(const char *real, char **old, size_t *len)
{
	FILE *f = fopen(real, "re"), *m;
	char chunk[4096];
	size_t n;
	int ret = 0;

	*old = NULL;
	if (!f)
		return -errno;
	m = open_memstream(old, len);
	if (!m) {
		fclose(f);
		return -ENOMEM;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (fwrite(chunk, 1, n, m) != n)
			ret = -ENOMEM;
	if (ferror(f))
		ret = -EIO;
	fclose(f);
	if (fclose(m) && !ret)
		ret = -ENOMEM;
	if (ret) {
		free(*old);
		*old = NULL;
	}
	return ret;
}

/*
 * The saved file keeps the owner and mode of the one it replaces; where
 * that is not allowed it stays private (mkostemp()'s 0600), which is no
 * reason to fail.
 */
static void save_keep_owner(int fd, const char *real)
{
	struct stat st;

	if (stat(real, &st))
		return;
	if (!fchown(fd, st.st_uid, st.st_gid))
		fchmod(fd, st.st_mode & 07777);
}

/* Makes the rename itself durable; a failure only weakens that. */
static void save_sync_dir(const char *real)
{
	char dir[PATH_MAX];
	int fd;

	snprintf(dir, sizeof(dir), "%s", real);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	fsync(fd);
	close(fd);
}

/* The previous file, whole, as PATH.bak: written aside, then renamed. */
static int save_backup(const char *real, const char *old, size_t len,
		       char *err, size_t errlen)
{
	char bak[PATH_MAX + 8], tmp[PATH_MAX + 16];
	int fd, ret;

	snprintf(bak, sizeof(bak), "%s.bak", real);
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", bak);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot create %s: %s", tmp,
			 strerror(-ret));
		return ret;
	}
	save_keep_owner(fd, real);
	ret = save_put(fd, old, len);
	if (!ret && rename(tmp, bak))
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "cannot keep the previous file as %s: "
			 "%s", bak, strerror(-ret));
		unlink(tmp);
	}
	return ret;
}

int config_save(const struct nsrp_config *c, const char *path,
		char *err, size_t errlen)
{
	char real[PATH_MAX], tmp[PATH_MAX + 16], *old = NULL, *text = NULL;
	size_t old_len = 0;
	int fd, ret;

	if (errlen)
		err[0] = '\0';
	ret = save_target(path, real);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = save_read_old(real, &old, &old_len);
	if (ret && ret != -ENOENT) {
		snprintf(err, errlen, "cannot read %s: %s", real,
			 strerror(-ret));
		return ret;
	}
	ret = config_save_text(c, old, &text);
	if (ret) {
		snprintf(err, errlen, "%s", strerror(-ret));
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", real);
	fd = mkostemp(tmp, O_CLOEXEC);		/* mode 0600 */
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot create %s: %s", tmp,
			 strerror(-ret));
		goto out;
	}
	save_keep_owner(fd, real);
	ret = save_write(c, fd, tmp, text);
	if (ret) {
		snprintf(err, errlen, "%s: %s", tmp,
			 ret == -EILSEQ ? "does not read back as the running "
					  "configuration" : strerror(-ret));
		goto fail;
	}
	if (old) {
		ret = save_backup(real, old, old_len, err, errlen);
		if (ret)
			goto fail;
	}
	if (rename(tmp, real)) {
		ret = -errno;
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, real,
			 strerror(-ret));
		goto fail;
	}
	save_sync_dir(real);
	goto out;
fail:
	unlink(tmp);
out:
	free(text);
	free(old);
	return ret;
}
