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

static const struct kw kw_track_opts[] = {
	{ "interface" }, { "interval" }, { "method" }, { "threshold" },
	{ "weight" }, { NULL }
};

/* One "OPTION VALUE" of a track-ip target into t. */
static int track_option(struct parse *p, struct cfg_track *t)
{
	const struct kw *o = lookup(p, kw_track_opts, peek(p));
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
		if (track_option(p, &t))
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
	{ "check" }, { "reload" }, { NULL }
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

static const struct kw kw_admin_group_opts[] = {
	{ "privilege" }, { NULL }
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

/* Route sync is not built: the line is refused rather than ignored. */
static int h_route_sync(struct parse *p, const struct kw *k)
{
	(void)k;
	if (need_end(p))
		return -EINVAL;
	if (!p->unset)
		return fail(p, "route synchronization (rto-mirror route) is "
			    "not available in this version of nsrpd");
	return 0;
}

/* ------------------------------------------------------------- tables */

static const struct kw kw_preempt[] = {
	{ "hold-down", .fn = h_holddown, VSD(holddown_s),
	  .lo = 0, .hi = 600, .def = CFG_HOLDDOWN_DEFAULT, .local = true },
	{ NULL }
};

static const struct kw kw_vsd_id[] = {
	{ "priority", .fn = h_uint, VSD(priority),
	  .lo = 1, .hi = 254, .def = CFG_PRIORITY_DEFAULT, .local = true },
	{ "preempt", .sub = kw_preempt, .fn = h_preempt, VSD(preempt),
	  .local = true },
	{ NULL }
};

static const struct kw kw_vsd_group[] = {
	{ "id", .arg = arg_group, .sub = kw_vsd_id, .fn = h_group },
	{ "hb-interval", .fn = h_uint, CFG(hb_interval_ms),
	  .lo = CFG_HB_INTERVAL_MIN, .hi = CFG_HB_INTERVAL_MAX,
	  .def = CFG_HB_INTERVAL_DEFAULT },
	{ "hb-threshold", .fn = h_uint, CFG(hb_threshold),
	  .lo = 2, .hi = 255, .def = CFG_HB_THRESHOLD_DEFAULT },
	{ "init-hold", .fn = h_uint, CFG(init_hold_s),
	  .lo = 0, .hi = 255, .def = CFG_INIT_HOLD_DEFAULT },
	{ "master-always-exist", .fn = h_flag, CFG(master_always_exist) },
	{ "failover-interval", .fn = h_uint, CFG(failover_interval_s),
	  .lo = 0, .hi = 86400, .def = 0 },
	{ "failover-limit", .fn = h_uint, CFG(failover_limit),
	  .lo = 0, .hi = VSD_CHANGES_KEPT, .def = 0 },
	{ "failover-window", .fn = h_uint, CFG(failover_window_s),
	  .lo = 1, .hi = 86400, .def = CFG_FAILOVER_WINDOW_DEFAULT },
	{ NULL }
};

static const struct kw kw_cluster[] = {
	{ "id", .fn = h_uint, CFG(cluster_id),
	  .lo = 0, .hi = CFG_CLUSTER_ID_MAX, .def = 0 },
	{ "name", .fn = h_str, CFG(cluster_name) },
	{ NULL }
};

static const struct kw kw_auth[] = {
	{ "password", .fn = h_str, CFG(auth_password), .local = true },
	{ NULL }
};

static const struct kw kw_encrypt[] = {
	{ "password", .fn = h_str, CFG(encrypt_password), .local = true },
	{ NULL }
};

static const struct kw kw_monitor_if[] = {
	{ "weight", .fn = h_monitor_weight, .lo = 1, .hi = 255 },
	{ NULL }
};

static const struct kw kw_monitor_zone[] = {
	{ "weight", .fn = h_monitor_zone_weight },
	{ NULL }
};

static const struct kw kw_monitor[] = {
	{ "hold-down", .fn = h_uint, CFG(monitor_holddown_s),
	  .lo = 0, .hi = 3600, .def = CFG_MONITOR_HOLDDOWN_DEFAULT },
	{ "interface", .arg = arg_ifname, .sub = kw_monitor_if,
	  .fn = h_monitor },
	{ "threshold", .fn = h_uint, CFG(monitor_threshold),
	  .lo = 1, .hi = 255, .def = CFG_MONITOR_THRESHOLD_DEFAULT },
	{ "zone", .arg = arg_zone, .sub = kw_monitor_zone,
	  .fn = h_monitor_zone },
	{ NULL }
};

static const struct kw kw_track_ip[] = {
	{ "ip", .arg = arg_target, .fn = h_track, .opts = kw_track_opts },
	{ "threshold", .fn = h_uint, CFG(track_ip_threshold),
	  .lo = 1, .hi = 255, .def = CFG_TRACKIP_THRESHOLD_DEFAULT },
	{ "weight", .fn = h_uint, CFG(track_ip_weight),
	  .lo = 1, .hi = 255, .def = CFG_TRACKIP_WEIGHT_DEFAULT },
	{ NULL }
};

static const struct kw kw_rto_mirror[] = {
	{ "sync", .fn = h_flag, CFG(rto_mirror_sync) },
	{ "route", .fn = h_route_sync },
	{ NULL }
};

static const struct kw kw_rto_session[] = {
	{ "ageout-ack", .fn = h_flag, CFG(rto_ageout_ack) },
	{ NULL }
};

static const struct kw kw_rto[] = {
	{ "coldstart-wait", .fn = h_uint, CFG(rto_coldstart_wait_s),
	  .lo = 0, .hi = 3600, .def = CFG_COLDSTART_WAIT_DEFAULT },
	{ "session", .sub = kw_rto_session },
	{ NULL }
};

static const struct kw kw_config_sync[] = {
	{ "file", .arg = arg_path, .fn = h_syncfile, .opts = kw_syncfile_opts },
	{ NULL }
};

static const struct kw kw_config[] = {
	{ "sync", .sub = kw_config_sync, .fn = h_flag, CFG(config_sync),
	  .local = true },
	{ NULL }
};

static const struct kw kw_metrics[] = {
	{ "listen", .fn = h_metrics_listen, .local = true },
	{ NULL }
};

static const struct kw kw_nsrp[] = {
	{ "arp", .fn = h_uint, CFG(arp_count),
	  .lo = 0, .hi = 255, .def = CFG_ARP_DEFAULT },
	{ "auth", .sub = kw_auth },
	{ "cluster", .sub = kw_cluster },
	{ "config", .sub = kw_config },
	{ "encrypt", .sub = kw_encrypt },
	{ "interface", .fn = h_str, CFG(ha_if), .lo = STR_IFNAME,
	  .origin = ORIGIN(ha_if), .local = true },
	{ "metrics", .sub = kw_metrics },
	{ "monitor", .sub = kw_monitor },
	{ "notify", .fn = h_str, CFG(notify), .lo = STR_PATH, .local = true },
	{ "realtime-priority", .fn = h_uint, CFG(realtime_priority),
	  .lo = 0, .hi = 99, .def = 0, .local = true },
	{ "rto", .sub = kw_rto },
	{ "rto-mirror", .sub = kw_rto_mirror },
	{ "secondary-path", .fn = h_str, CFG(secondary_if), .lo = STR_IFNAME,
	  .origin = ORIGIN(secondary_if), .local = true },
	{ "standalone-role", .fn = h_role, .local = true },
	{ "track-ip", .sub = kw_track_ip, .fn = h_flag, CFG(track_ip) },
	{ "vsd-group", .sub = kw_vsd_group },
	{ NULL }
};

static const struct kw kw_interface[] = {
	{ "ip", .fn = h_vsi, .lo = AF_INET },
	{ "ipv6", .fn = h_vsi, .lo = AF_INET6 },
	{ "manage-ip", .fn = h_manage, .local = true },
	{ NULL }
};

#define FLOW_TIMEOUT(name, field) \
	{ name, .fn = h_uint, CFG(flow.field), .lo = 1, .hi = 86400, .def = 0 }

static const struct kw kw_flow_timeout[] = {
	FLOW_TIMEOUT("icmp", icmp_s),
	FLOW_TIMEOUT("tcp", tcp_s),
	FLOW_TIMEOUT("tcp-fin", tcp_fin_s),
	FLOW_TIMEOUT("tcp-syn", tcp_syn_s),
	FLOW_TIMEOUT("tcp-time-wait", tcp_time_wait_s),
	FLOW_TIMEOUT("udp", udp_s),
	{ NULL }
};

static const struct kw kw_flow[] = {
	{ "max-sessions", .fn = h_uint, CFG(flow.max_sessions),
	  .lo = 1024, .hi = NSRPD_SESS_MAX, .def = 0 },
	{ "timeout", .sub = kw_flow_timeout },
	{ NULL }
};

static const struct kw kw_zone[] = {
	{ "interface", .arg = arg_ifname, .fn = h_zone_if },
	{ NULL }
};

static const struct kw kw_admin[] = {
	{ "group", .arg = arg_admin_group, .fn = h_admin_group,
	  .opts = kw_admin_group_opts, .local = true },
	{ NULL }
};

static const struct kw kw_top[] = {
	{ "admin", .sub = kw_admin },
	{ "flow", .sub = kw_flow },
	{ "hostname", .fn = h_str, CFG(hostname), .local = true },
	{ "interface", .arg = arg_iface, .sub = kw_interface },
	{ "nsrp", .sub = kw_nsrp },
	{ "zone", .arg = arg_zone, .sub = kw_zone, .fn = h_zone },
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
	{ "set", .sub = kw_top },
	{ "unset", .sub = kw_top },
	{ NULL }
};

static int apply(struct nsrp_config *c, const char *line, unsigned int lineno,
		 char *err, size_t errlen)
{
	char buf[CFG_LINE_LEN + 1];
	const struct kw *k;
	struct parse p = {
		.c = c, .line = lineno, .group = -1, .err = err,
		.errlen = errlen,
	};

	if (errlen)
		err[0] = '\0';
	if (strlen(line) > CFG_LINE_LEN)
		return fail(&p, "line too long (at most %d characters)",
			    CFG_LINE_LEN);
	strcpy(buf, line);
	if (split(&p, buf))
		return -EINVAL;
	if (!p.ntok)
		return 0;
	k = lookup(&p, kw_root, p.tok[0]);
	if (!k)
		return -EINVAL;
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

int config_validate(const struct nsrp_config *c, const char *name, FILE *errs)
{
	struct report r = { .name = name, .errs = errs };

	check_vsis(c, &r);
	check_duplicates(c, &r);
	check_zones(c, &r);
	check_track(c, &r);
	if (c->ha_if[0] && !strcmp(c->ha_if, c->secondary_if))
		report(&r, c->origin.secondary_if,
		       "secondary-path %s is the HA link itself (line %u)",
		       c->secondary_if, c->origin.ha_if);
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
	put_flag(f, "set nsrp rto-mirror sync", c->rto_mirror_sync);
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
	if (a->n_vsi != b->n_vsi ||
	    memcmp(a->vsi, b->vsi, sizeof(a->vsi[0]) * a->n_vsi))
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

/* Writes c into the open temporary file, then reads it back. */
static int save_write(const struct nsrp_config *c, int fd, const char *tmp)
{
	struct nsrp_config *back;
	FILE *f;
	int ret;

	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		return ret;
	}
	fputs("# nsrpd configuration, written by \"nsrpctl save\"\n", f);
	ret = config_write(c, f);
	if (fflush(f) || fsync(fileno(f)))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -EIO;
	if (ret)
		return ret;
	back = malloc(sizeof(*back));
	if (!back)
		return -ENOMEM;
	ret = config_load(tmp, back, NULL);
	if (ret == -EINVAL || (!ret && !config_equal(c, back)))
		ret = -EILSEQ;	/* a bug in config_write(): keep the old file */
	free(back);
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

int config_save(const struct nsrp_config *c, const char *path,
		char *err, size_t errlen)
{
	char real[PATH_MAX], tmp[PATH_MAX + 16];
	int fd, ret;

	if (errlen)
		err[0] = '\0';
	ret = save_target(path, real);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", real);
	fd = mkostemp(tmp, O_CLOEXEC);		/* mode 0600 */
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot create %s: %s", tmp,
			 strerror(-ret));
		return ret;
	}
	save_keep_owner(fd, real);
	ret = save_write(c, fd, tmp);
	if (ret) {
		snprintf(err, errlen, "%s: %s", tmp,
			 ret == -EILSEQ ? "does not read back as the running "
					  "configuration" : strerror(-ret));
		goto fail;
	}
	if (rename(tmp, real)) {
		ret = -errno;
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, real,
			 strerror(-ret));
		goto fail;
	}
	save_sync_dir(real);
	return 0;
fail:
	unlink(tmp);
	return ret;
}
