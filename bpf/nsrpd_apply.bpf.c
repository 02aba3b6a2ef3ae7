// SPDX-License-Identifier: GPL-2.0-only
/*
 * nsrpd_apply - the backup's apply of the peer's session records, in the
 * kernel: one BPF_PROG_TEST_RUN applies a whole block (struct
 * nsrp_apply_ctx) where user space would make a lookup and an update or a
 * delete syscall per record. The rules are those of sesstab_apply_acct()
 * (agent/sesstab.c), record by record in stream order:
 *
 *   - an unknown kind fails (-EINVAL) and touches nothing;
 *   - an existing entry without NSRP_SF_FROM_PEER whose group this unit is
 *     master of (a bit of ctx->owned) is left alone: SKIPPED;
 *   - DELETE removes the entry if present (DELETED), else does nothing;
 *   - CREATE, STATE and REFRESH install the peer's entry with FROM_PEER
 *     set and expiry now + mult * remaining, saturating; an existing
 *     entry keeps its own packet and byte counters (UPDATED), an absent
 *     one takes the peer's (CREATED).
 *
 * The program uses the pinned session map of the data plane (maps.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "maps.h"

#define U64_MAX		(~0ULL)
#define ENOENT		2
#define EINVAL		22

/* now + mult * remaining, saturating: a long timeout never wraps around. */
static __always_inline __u64 backup_expiry(__u64 now, __u64 remaining,
					   __u64 mult)
{
	__u64 life, most = U64_MAX / mult;

	/* Else clang folds the test into a 128-bit multiply BPF lacks. */
	asm volatile("" : "+r"(most));
	if (remaining > most)
		return U64_MAX;
	life = remaining * mult;
	return life > U64_MAX - now ? U64_MAX : now + life;
}

static __always_inline bool kind_known(__u8 kind)
{
	return kind == NSRP_EV_CREATE || kind == NSRP_EV_STATE ||
	       kind == NSRP_EV_REFRESH || kind == NSRP_EV_DELETE;
}

/* A local entry of a group this unit is master of: the peer's is stale. */
static __always_inline bool is_owned(const struct nsrp_sess *cur, __u64 owned)
{
	if (cur->flags & NSRP_SF_FROM_PEER)
		return false;
	return cur->vsd < 64 && ((owned >> cur->vsd) & 1);
}

static __always_inline int apply_delete(const struct nsrp_sess_key *key)
{
	int err = bpf_map_delete_elem(&nsrp_sess, key);

	if (err)
		return err == -ENOENT ? NSRP_APPLY_NONE : err;
	return NSRP_APPLY_DELETED;
}

/* One record, copied out of the context; its result code. */
static __noinline int apply_rec(const struct nsrp_event *ev, __u64 now,
				__u64 mult, __u64 owned)
{
	struct nsrp_sess *cur, s;
	int err;

	if (!kind_known(ev->kind))
		return -EINVAL;
	cur = bpf_map_lookup_elem(&nsrp_sess, &ev->key);
	if (cur && is_owned(cur, owned))
		return NSRP_APPLY_SKIPPED;
	if (ev->kind == NSRP_EV_DELETE)
		return cur ? apply_delete(&ev->key) : NSRP_APPLY_NONE;
	s = ev->sess;
	s.expires_ns = backup_expiry(now, ev->sess.expires_ns, mult);
	s.flags |= NSRP_SF_FROM_PEER;
	__builtin_memset(s.pad, 0, sizeof(s.pad));
	if (cur) {
		s.pkts[0] = cur->pkts[0];
		s.pkts[1] = cur->pkts[1];
		s.bytes[0] = cur->bytes[0];
		s.bytes[1] = cur->bytes[1];
	}
	err = bpf_map_update_elem(&nsrp_sess, &ev->key, &s, BPF_ANY);
	if (err)
		return err;
	return cur ? NSRP_APPLY_UPDATED : NSRP_APPLY_CREATED;
}

/*
 * The context may be read and written only at constant offsets, so the
 * loop over the records is unrolled: each pass copies its record to the
 * stack and stores its result. Returns the count of records applied.
 */
SEC("syscall")
int nsrp_apply(struct nsrp_apply_ctx *ctx)
{
	__u64 now = ctx->now_ns, owned = ctx->owned;
	__u32 n = ctx->count;
	__u64 mult = ctx->mult ? ctx->mult : NSRPD_AGEOUT_MULT;

	if (n > NSRP_APPLY_MAX)
		return 0;
#pragma clang loop unroll(full)
	for (__u32 i = 0; i < NSRP_APPLY_MAX; i++) {
		struct nsrp_event ev;

		if (i >= n)
			break;
		ev = ctx->ev[i];
		ctx->res[i] = apply_rec(&ev, now, mult, owned);
	}
	return n;
}

char LICENSE[] SEC("license") = "GPL";
