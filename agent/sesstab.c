// SPDX-License-Identifier: GPL-2.0-only
/*
 * sesstab.c - the session map seen from user space: peer deltas, batch
 * walks, sweeps, deletes and ageout-ack expiry updates.
 *
 * The data plane changes entries while we read and write them; nothing
 * here holds a lock. Each operation is written so that a concurrent
 * change costs at most one stale update, never a resurrected entry:
 * expiry updates use BPF_EXIST, deletes tolerate ENOENT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <netinet/in.h>

#include "ageout.h"
#include "log.h"
#include "sesstab.h"

/* The kernel's internal "not supported", which batch ops may leak. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

static const char *const state_names[NSRP_SS_MAX] = {
	[NSRP_SS_NONE] = "none",
	[NSRP_SS_SYN_SENT] = "syn_sent",
	[NSRP_SS_SYN_RECV] = "syn_recv",
	[NSRP_SS_ESTABLISHED] = "established",
	[NSRP_SS_FIN_WAIT] = "fin_wait",
	[NSRP_SS_CLOSING] = "closing",
	[NSRP_SS_TIME_WAIT] = "time_wait",
	[NSRP_SS_CLOSED] = "closed",
	[NSRP_SS_UDP] = "udp",
	[NSRP_SS_UDP_REPLIED] = "udp_replied",
	[NSRP_SS_ICMP] = "icmp",
};

const char *sesstab_state_name(unsigned int state)
{
	return state < NSRP_SS_MAX ? state_names[state] : "unknown";
}

static const struct {
	uint8_t proto;
	const char *name;
} proto_names[] = {
	{ IPPROTO_ICMP, "icmp" },
	{ IPPROTO_ICMPV6, "icmp6" },
	{ IPPROTO_TCP, "tcp" },
	{ IPPROTO_UDP, "udp" },
};

#define NPROTO_NAMES	(sizeof(proto_names) / sizeof(proto_names[0]))

const char *sesstab_proto_name(uint8_t proto)
{
	for (size_t i = 0; i < NPROTO_NAMES; i++)
		if (proto_names[i].proto == proto)
			return proto_names[i].name;
	return NULL;
}

int sesstab_proto_parse(const char *name)
{
	for (size_t i = 0; i < NPROTO_NAMES; i++)
		if (!strcmp(proto_names[i].name, name))
			return proto_names[i].proto;
	return -EINVAL;
}

const char *sesstab_proto_nth(unsigned int i)
{
	return i < NPROTO_NAMES ? proto_names[i].name : NULL;
}

/* ------------------------------------------------------------ the wire */

void sesstab_to_wire(struct nsrp_event *ev, uint64_t now)
{
	struct nsrp_sess *s = &ev->sess;

	s->expires_ns = s->expires_ns > now ? s->expires_ns - now : 0;
	s->refreshed_ns = 0;
	ev->ts_ns = 0;
	memset(ev->pad, 0, sizeof(ev->pad));
	memset(ev->key.pad, 0, sizeof(ev->key.pad));
	memset(s->pad, 0, sizeof(s->pad));
}

/* now + mult * remaining (mult 0: the default), as ageout.c computes it. */
static uint64_t backup_expiry(uint64_t now, uint64_t remaining,
			      unsigned int mult)
{
	return ageout_expiry(now, remaining,
			     mult ? mult : NSRPD_AGEOUT_MULT);
}

/* A local entry of a group this unit is master of: the peer's is stale. */
static bool is_owned(const struct nsrp_sess *cur,
		     bool (*owned)(unsigned int vsd, void *arg), void *arg)
{
	if (cur->flags & NSRP_SF_FROM_PEER)
		return false;
	return owned && owned(cur->vsd, arg);
}

static int apply_delete(int fd, const struct nsrp_sess_key *key,
			struct sesstab_acct *acct)
{
	if (bpf_map_delete_elem(fd, key)) {
		int err = -errno;

		return err == -ENOENT ? 0 : err;
	}
	if (acct)
		acct->deleted++;
	return 0;
}

/* The entry as the backup keeps it: the peer's, with our own lifetime. */
static void backup_value(const struct nsrp_event *ev, uint64_t now,
			 unsigned int mult, struct nsrp_sess *s)
{
	*s = ev->sess;
	s->expires_ns = backup_expiry(now, ev->sess.expires_ns, mult);
	s->flags |= NSRP_SF_FROM_PEER;
	memset(s->pad, 0, sizeof(s->pad));
}

uint64_t sesstab_copies_expire(const struct nsrp_event *evs, unsigned int n,
			       uint64_t now, unsigned int mult)
{
	uint64_t soonest = UINT64_MAX;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t t;

		if (evs[i].kind == NSRP_EV_DELETE)
			continue;
		t = backup_expiry(now, evs[i].sess.expires_ns, mult);
		if (t < soonest)
			soonest = t;
	}
	return soonest;
}

static int apply_update(int fd, const struct nsrp_event *ev,
			const struct nsrp_sess *cur, uint64_t now,
			unsigned int mult, struct sesstab_acct *acct)
{
	struct nsrp_sess s;

	backup_value(ev, now, mult, &s);
	if (cur) {
		memcpy(s.pkts, cur->pkts, sizeof(s.pkts));
		memcpy(s.bytes, cur->bytes, sizeof(s.bytes));
	}
	if (bpf_map_update_elem(fd, &ev->key, &s, BPF_ANY))
		return -errno;
	if (acct) {
		if (cur)
			acct->updated++;
		else
			acct->created++;
	}
	return 0;
}

static bool kind_known(unsigned int kind)
{
	switch (kind) {
	case NSRP_EV_CREATE:
	case NSRP_EV_STATE:
	case NSRP_EV_REFRESH:
	case NSRP_EV_DELETE:
		return true;
	default:
		return false;
	}
}

/* One delta whose entry was looked up: cur, or NULL if absent. */
static int apply_found(int fd, const struct nsrp_event *ev,
		       const struct nsrp_sess *cur, uint64_t now,
		       unsigned int mult,
		       bool (*owned)(unsigned int vsd, void *arg), void *arg,
		       bool *skipped, struct sesstab_acct *acct)
{
	if (cur && is_owned(cur, owned, arg)) {
		if (skipped)
			*skipped = true;
		if (acct)
			acct->skipped++;
		return 0;
	}
	if (ev->kind == NSRP_EV_DELETE)
		return cur ? apply_delete(fd, &ev->key, acct) : 0;
	return apply_update(fd, ev, cur, now, mult, acct);
}

/* 0 and *cur filled, -ENOENT, or another -errno. */
static int lookup(int fd, const struct nsrp_sess_key *k, struct nsrp_sess *cur)
{
	return bpf_map_lookup_elem(fd, k, cur) ? -errno : 0;
}

static int apply_one(int fd, const struct nsrp_event *ev, uint64_t now,
		     unsigned int mult,
		     bool (*owned)(unsigned int vsd, void *arg), void *arg,
		     bool *skipped, struct sesstab_acct *acct)
{
	struct nsrp_sess cur;
	int err;

	if (skipped)
		*skipped = false;
	if (!kind_known(ev->kind))
		return -EINVAL;
	err = lookup(fd, &ev->key, &cur);
	if (err && err != -ENOENT)
		return err;
	return apply_found(fd, ev, err ? NULL : &cur, now, mult, owned, arg,
			   skipped, acct);
}

int sesstab_apply_acct(int fd, const struct nsrp_event *ev, uint64_t now,
		       unsigned int mult,
		       bool (*owned)(unsigned int vsd, void *arg), void *arg,
		       bool *skipped, struct sesstab_acct *acct)
{
	int err = apply_one(fd, ev, now, mult, owned, arg, skipped, acct);

	if (err && acct)
		acct->failed++;
	return err;
}

int sesstab_apply(int fd, const struct nsrp_event *ev, uint64_t now,
		  unsigned int mult,
		  bool (*owned)(unsigned int vsd, void *arg), void *arg,
		  bool *skipped)
{
	return sesstab_apply_acct(fd, ev, now, mult, owned, arg, skipped,
				  NULL);
}

/* ------------------------------------------------------- many records */

int sesstab_apply_many(int fd, const struct nsrp_event *evs, unsigned int n,
		       uint64_t now, unsigned int mult,
		       bool (*owned)(unsigned int vsd, void *arg), void *arg,
		       struct sesstab_acct *acct)
{
	struct sesstab_acct spare = { 0 };
	int first = 0, err;

	if (!acct)
		acct = &spare;
	for (unsigned int i = 0; i < n; i++) {
		err = sesstab_apply_acct(fd, &evs[i], now, mult, owned, arg,
					 NULL, acct);
		if (err && !first)
			first = err;
	}
	return first;
}

/* -------------------------------------------------- in-kernel apply */

static uint64_t owned_mask(bool (*owned)(unsigned int vsd, void *arg),
			   void *arg)
{
	uint64_t mask = 0;

	for (unsigned int v = 0; owned && v < NSRPD_MAX_VSD; v++)
		if (owned(v, arg))
			mask |= 1ull << v;
	return mask;
}

/* One record's result, as sesstab_apply_acct() would have counted it. */
static void count_result(int res, struct sesstab_acct *acct, int *first)
{
	switch (res) {
	case NSRP_APPLY_NONE:
		break;
	case NSRP_APPLY_CREATED:
		acct->created++;
		break;
	case NSRP_APPLY_UPDATED:
		acct->updated++;
		break;
	case NSRP_APPLY_DELETED:
		acct->deleted++;
		break;
	case NSRP_APPLY_SKIPPED:
		acct->skipped++;
		break;
	default:
		acct->failed++;
		if (!*first)
			*first = res < 0 ? res : -EIO;
		break;
	}
}

/* One block of up to NSRP_APPLY_MAX records, one syscall; 0 or -errno. */
static int apply_block(int prog_fd, struct nsrp_apply_ctx *ctx,
		       struct sesstab_acct *acct, int *first)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = ctx,
		    .ctx_size_in = sizeof(*ctx));

	/* The kernel copies the context back: ctx->res[] is filled. */
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	/* Only a count out of range makes the program apply nothing. */
	if (opts.retval != ctx->count)
		return -EINVAL;
	for (unsigned int i = 0; i < ctx->count; i++)
		count_result(ctx->res[i], acct, first);
	return 0;
}

int sesstab_apply_many_prog(int prog_fd, int fd, const struct nsrp_event *evs,
			    unsigned int n, uint64_t now, unsigned int mult,
			    bool (*owned)(unsigned int vsd, void *arg),
			    void *arg, struct sesstab_acct *acct)
{
	static bool warned;
	struct sesstab_acct spare = { 0 };
	struct nsrp_apply_ctx ctx;
	unsigned int i = 0;
	int first = 0, err = 0;

	if (prog_fd < 0)
		return sesstab_apply_many(fd, evs, n, now, mult, owned, arg,
					  acct);
	if (!acct)
		acct = &spare;
	ctx.mult = mult;
	ctx.now_ns = now;
	ctx.owned = owned_mask(owned, arg);
	for (; i < n; i += ctx.count) {
		ctx.count = n - i < NSRP_APPLY_MAX ? n - i : NSRP_APPLY_MAX;
		memcpy(ctx.ev, &evs[i], ctx.count * sizeof(*evs));
		err = apply_block(prog_fd, &ctx, acct, &first);
		if (err)
			break;
	}
	if (i < n) {
		if (!warned)
			pr_warn("session map: in-kernel apply failed (%s), "
				"applying by syscalls\n", strerror(-err));
		warned = true;
		err = sesstab_apply_many(fd, &evs[i], n - i, now, mult, owned,
					 arg, acct);
		if (err && !first)
			first = err;
	}
	return first;
}

/* --------------------------------------------------------- batch walks */

static bool batch_refused(int err)
{
	return err == -EINVAL || err == -ENOTSUPP || err == -EOPNOTSUPP;
}

static void remember_last(struct sesstab_cursor *c,
			  const struct nsrp_sess_key *k)
{
	c->last = *k;
	c->have_last = true;
}

/* One chunk by get_next_key: slow, but works wherever the map does. */
static int read_by_key(int fd, struct sesstab_cursor *c,
		       struct nsrp_sess_key *keys, struct nsrp_sess *vals,
		       unsigned int max)
{
	struct nsrp_sess_key next;
	unsigned int n = 0;

	while (n < max) {
		if (bpf_map_get_next_key(fd, c->have_last ? &c->last : NULL,
					 &next)) {
			if (errno != ENOENT)
				return n ? (int)n : -errno;
			c->done = true;
			break;
		}
		remember_last(c, &next);
		if (bpf_map_lookup_elem(fd, &next, &vals[n])) {
			if (errno == ENOENT)
				continue;	/* deleted meanwhile */
			return n ? (int)n : -errno;
		}
		keys[n++] = next;
	}
	return n;
}

static int read_batch(int fd, struct sesstab_cursor *c,
		      struct nsrp_sess_key *keys, struct nsrp_sess *vals,
		      unsigned int max)
{
	uint8_t in[sizeof(c->token)], out[sizeof(c->token)] = { 0 };
	__u32 count = max;
	int err;

	memcpy(in, c->token, sizeof(in));
	err = bpf_map_lookup_batch(fd, c->started ? in : NULL, out, keys,
				   vals, &count, NULL);
	if (err && err != -ENOENT) {
		if ((!c->started && batch_refused(err)) || err == -ENOSPC) {
			/*
			 * Batch ops refused, or the chunk is smaller than
			 * one hash bucket: go on key by key from the last
			 * key returned (the batch hands out whole buckets in
			 * get_next_key's order, so nothing is skipped).
			 */
			pr_debug("session map: batch read refused (%d), "
				 "walking key by key\n", err);
			c->by_key = true;
			c->started = true;
			return read_by_key(fd, c, keys, vals, max);
		}
		return err;
	}
	c->started = true;
	memcpy(c->token, out, sizeof(c->token));
	if (count > max)
		return -EIO;
	if (count)
		remember_last(c, &keys[count - 1]);
	if (err == -ENOENT || !count)
		c->done = true;
	return count;
}

int sesstab_read(int fd, struct sesstab_cursor *c, struct nsrp_sess_key *keys,
		 struct nsrp_sess *vals, unsigned int max)
{
	if (c->done)
		return 0;
	if (!max)
		return -EINVAL;
	if (max > INT_MAX)
		max = INT_MAX;	/* the count is returned as an int */
	if (c->by_key) {
		c->started = true;
		return read_by_key(fd, c, keys, vals, max);
	}
	return read_batch(fd, c, keys, vals, max);
}

/* A chunk buffer for walks whose caller holds no buffer of its own. */
struct chunk {
	struct nsrp_sess_key keys[SESSTAB_CHUNK];
	struct nsrp_sess vals[SESSTAB_CHUNK];
};

int sesstab_walk(int fd, int (*fn)(const struct nsrp_sess_key *k,
				  const struct nsrp_sess *v, void *arg),
		 void *arg)
{
	struct sesstab_cursor c = { 0 };
	struct chunk *ch = malloc(sizeof(*ch));
	int n, err = 0;

	if (!ch)
		return -ENOMEM;
	while ((n = sesstab_read(fd, &c, ch->keys, ch->vals,
				 SESSTAB_CHUNK)) > 0) {
		for (int i = 0; i < n && !err; i++)
			err = fn(&ch->keys[i], &ch->vals[i], arg);
		if (err)
			break;
	}
	if (n < 0)
		err = n;
	free(ch);
	return err < 0 ? err : 0;
}

static void sess_swap(struct nsrp_sess_key *keys, struct nsrp_sess *vals,
		      unsigned int a, unsigned int b)
{
	struct nsrp_sess_key k = keys[a];
	struct nsrp_sess v = vals[a];

	keys[a] = keys[b];
	vals[a] = vals[b];
	keys[b] = k;
	vals[b] = v;
}

int sesstab_expired_next(int fd, struct sesstab_cursor *c, uint64_t now,
			 struct nsrp_sess_key *keys, struct nsrp_sess *vals,
			 unsigned int max, unsigned int *n_local,
			 uint64_t *soonest, struct sesstab_tally *tally)
{
	int n = sesstab_read(fd, c, keys, vals, max);
	unsigned int kept = 0, local = 0;

	*n_local = 0;
	if (n <= 0)
		return n;
	for (int i = 0; i < n; i++) {
		if (vals[i].expires_ns > now) {
			if (vals[i].expires_ns < *soonest)
				*soonest = vals[i].expires_ns;
			if (tally && vals[i].state < NSRP_SS_MAX)
				tally->n[vals[i].state]
					[!!(vals[i].flags & NSRP_SF_FROM_PEER)]++;
			continue;
		}
		keys[kept] = keys[i];
		vals[kept] = vals[i];
		kept++;
	}
	for (unsigned int i = 0; i < kept; i++)
		if (!(vals[i].flags & NSRP_SF_FROM_PEER))
			sess_swap(keys, vals, i, local++);
	*n_local = local;
	return (int)kept;
}

static int count_one(const struct nsrp_sess_key *k, const struct nsrp_sess *v,
		     void *arg)
{
	(void)k;
	(void)v;
	++*(uint64_t *)arg;
	return 0;
}

uint64_t sesstab_count(int fd)
{
	uint64_t n = 0;
	int err = sesstab_walk(fd, count_one, &n);

	if (err) {
		pr_warn("session map: cannot count entries: %s\n",
			strerror(-err));
		return SESSTAB_COUNT_ERR;
	}
	return n;
}

uint64_t sesstab_evictions(uint64_t created, uint64_t deleted,
			   uint64_t expired, uint64_t present)
{
	uint64_t gone = deleted + expired + present;

	return created > gone ? created - gone : 0;
}

/* ------------------------------------------------------ deletes, expiry */

static int delete_one_by_one(int fd, const struct nsrp_sess_key *keys,
			     unsigned int n, unsigned int *deleted)
{
	for (unsigned int i = 0; i < n; i++) {
		if (!bpf_map_delete_elem(fd, &keys[i]))
			++*deleted;
		else if (errno != ENOENT)
			return -errno;
	}
	return 0;
}

/*
 * The kernel deletes a batch in order and stops at the first key that
 * fails; a key the data plane removed meanwhile is skipped and the rest
 * of the batch sent again.
 */
static int delete_batch(int fd, const struct nsrp_sess_key *keys,
			unsigned int n, unsigned int *deleted)
{
	unsigned int i = 0;

	while (i < n) {
		__u32 count = n - i;
		int err = bpf_map_delete_batch(fd, &keys[i], &count, NULL);

		if (count > n - i)
			return -EIO;
		*deleted += count;
		i += count;
		if (!err)
			break;
		if (err == -ENOENT) {
			i++;
			continue;
		}
		if (i == 0 && batch_refused(err))
			return delete_one_by_one(fd, keys, n, deleted);
		return err;
	}
	return 0;
}

int sesstab_delete(int fd, const struct nsrp_sess_key *keys, unsigned int n)
{
	unsigned int deleted = 0;
	int err;

	if (!n)
		return 0;
	err = delete_batch(fd, keys, n, &deleted);
	if (err) {
		pr_warn("session map: delete failed after %u of %u: %s\n",
			deleted, n, strerror(-err));
		if (!deleted)
			return err;
	}
	return deleted;
}

int sesstab_set_expiry(int fd, const struct nsrp_sess_key *k,
		       uint64_t expires_ns)
{
	struct nsrp_sess s;

	if (bpf_map_lookup_elem(fd, k, &s))
		return -errno;
	s.expires_ns = expires_ns;
	/* BPF_EXIST: an entry deleted since the lookup stays deleted. */
	if (bpf_map_update_elem(fd, k, &s, BPF_EXIST))
		return -errno;
	return 0;
}
