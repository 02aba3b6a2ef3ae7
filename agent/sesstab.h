/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sesstab.h - every user-space operation on the session map (nsrp_sess):
 * applying the peer's deltas, batch reads for the bulk sync and the sweep,
 * batch deletes and expiry updates for ageout-ack (`get session` shows
 * it: sessview.h).
 *
 * The map fd is the pinned LRU hash's (struct nsrp_sess_key ->
 * struct nsrp_sess, include/nsrpd.h). Times are CLOCK_MONOTONIC in ns and
 * are always passed in, so tests can drive them.
 *
 * LRU eviction accounting. The kernel evicts from an LRU map silently, so
 * the agent derives the count from what it can see:
 *
 *   evictions = created - deleted - expired - present
 *
 *   created   entries inserted: the data plane's learned sessions
 *             (NSRP_CNT_LEARN, counted on every successful insert) plus
 *             sesstab_acct.created (deltas that installed an absent entry);
 *   deleted   entries removed on purpose one at a time: the data plane's
 *             (NSRP_CNT_EV_DELETE: expired on lookup, or reopened after
 *             time-wait), sesstab_acct.deleted (DELETE deltas) and
 *             the backup's copies that ageout-ack found gone;
 *   expired   entries removed by the sweep: the sum of what
 *             sesstab_delete() returned;
 *   present   sesstab_count() now.
 *
 * All terms are counted from the moment the map was empty (a map re-used
 * from an earlier run starts with present > 0: take its count as the
 * initial "created"). `get session summary` prints the result. The
 * counters are read at slightly different times
 * while traffic flows, so the result is an estimate: clamp it at zero.
 * The data plane counts EV_DELETE only when the event reached the ring:
 * a delete whose event was lost (NSRP_CNT_EV_RB_FULL) reads as an
 * eviction.
 */
#ifndef NSRPD_SESSTAB_H
#define NSRPD_SESSTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "nsrpd.h"

/* Entries per internal read chunk (show, expired, count). */
#define SESSTAB_CHUNK			4096
/* What sesstab_count() returns when the map cannot be read. */
#define SESSTAB_COUNT_ERR		UINT64_MAX

/*
 * A session as it travels: expires/refreshed made relative.
 * Wire normalisation, done by the sender: ev->sess.expires_ns becomes the
 * remaining lifetime in ns (0 if already expired), refreshed_ns 0, ts_ns 0
 * and every padding byte 0.
 */
void sesstab_to_wire(struct nsrp_event *ev, uint64_t now);

/* What sesstab_apply_acct() did, added to the caller's totals. */
struct sesstab_acct {
	uint64_t created;	/* installed an entry that was absent */
	uint64_t updated;	/* overwrote an existing entry */
	uint64_t deleted;	/* DELETE removed an entry */
	uint64_t skipped;	/* left alone: a local entry of an owned group */
	uint64_t failed;	/* not applied: unknown kind, map error */
};

/*
 * Backup side: applies one delta from the peer (wire form).
 * CREATE/STATE/REFRESH install or update the entry with NSRP_SF_FROM_PEER
 * set and expires = now + mult * remaining (saturating; mult 0 means
 * NSRPD_AGEOUT_MULT), keeping the local per-direction counters
 * if the entry exists (a new entry takes the peer's). DELETE removes it;
 * deleting an absent entry is not an error. An existing local entry
 * WITHOUT FROM_PEER whose group owned(vsd, arg) says this unit is master
 * of is never overwritten nor deleted (returns 0, *skipped = true); owned
 * may be NULL: no group is owned. skipped may be NULL.
 * Returns 0, -EINVAL (unknown kind) or -errno of the map operation.
 */
int sesstab_apply(int fd, const struct nsrp_event *ev, uint64_t now,
		  unsigned int mult,
		  bool (*owned)(unsigned int vsd, void *arg), void *arg,
		  bool *skipped);
/* The same, also counting what it did into *acct (may be NULL). */
int sesstab_apply_acct(int fd, const struct nsrp_event *ev, uint64_t now,
		       unsigned int mult,
		       bool (*owned)(unsigned int vsd, void *arg), void *arg,
		       bool *skipped, struct sesstab_acct *acct);

/*
 * The earliest expiry that applying evs[0..n) at now gives the backup's
 * copies (mult as sesstab_apply_acct() takes it), UINT64_MAX if none is
 * created or updated (all deletes).
 */
uint64_t sesstab_copies_expire(const struct nsrp_event *evs, unsigned int n,
			       uint64_t now, unsigned int mult);

/*
 * Applies evs[0..n) in stream order, record by record, as n calls of
 * sesstab_apply_acct(): the way when the in-kernel apply program is not
 * there (sesstab_apply_many_prog()). Returns 0, or the first failing
 * record's -errno: every failure is counted in acct->failed and the other
 * records still applied. acct may be NULL.
 */
int sesstab_apply_many(int fd, const struct nsrp_event *evs, unsigned int n,
		       uint64_t now, unsigned int mult,
		       bool (*owned)(unsigned int vsd, void *arg), void *arg,
		       struct sesstab_acct *acct);

/*
 * The same as sesstab_apply_many(), in the kernel: prog_fd is the apply
 * program bound to the session map fd (dp_apply_load()), and each run of
 * it applies up to NSRP_APPLY_MAX records in one syscall, by the same
 * rules, each record's result counted into *acct as sesstab_apply_acct()
 * would. Groups are owned as owned(vsd, arg) says for vsd below
 * NSRPD_MAX_VSD (asked once per call), never beyond. With prog_fd < 0, or
 * when a run fails as a whole (nothing applied), the records go the
 * syscall way, sesstab_apply_many() on fd. Returns as sesstab_apply_many().
 */
int sesstab_apply_many_prog(int prog_fd, int fd, const struct nsrp_event *evs,
			    unsigned int n, uint64_t now, unsigned int mult,
			    bool (*owned)(unsigned int vsd, void *arg),
			    void *arg, struct sesstab_acct *acct);

/*
 * A walk over the whole map, a chunk at a time: BPF_MAP_LOOKUP_BATCH,
 * falling back to get_next_key + lookup when the kernel refuses batch
 * operations (EINVAL, ENOTSUPP, EOPNOTSUPP) on the first chunk, or when
 * the caller's chunk is smaller than one hash bucket (ENOSPC).
 * Zero the cursor to start (or set by_key first to force the fallback).
 *
 * Entries present for the whole walk are returned exactly once; entries
 * added or removed meanwhile may or may not be. In the fallback, removing
 * the entry last returned before the next chunk restarts the walk (the
 * kernel's get_next_key starts over from an unknown key), so entries may
 * then come twice: the batch path has no such weakness. A max of
 * SESSTAB_CHUNK or more keeps to the batch path on any real map.
 */
struct sesstab_cursor {
	bool started, done;
	uint8_t token[64];		/* the kernel's batch position */
	bool by_key;			/* walking with get_next_key */
	bool have_last;			/* last is valid */
	struct nsrp_sess_key last;	/* last key returned */
};

/* Count read, 0 at the end (c->done), or -errno. */
int sesstab_read(int fd, struct sesstab_cursor *c, struct nsrp_sess_key *keys,
		 struct nsrp_sess *vals, unsigned int max);

/* Live sessions by state, this unit's [0] and the peer's copies [1]. */
struct sesstab_tally {
	uint64_t n[NSRP_SS_MAX][2];
};

/*
 * One step of an expiry sweep, so that a large map is swept a chunk per
 * pass of the event loop: reads up to max entries at c and keeps in
 * keys/vals those that expired by now, the local ones first (*n_local of
 * them), then the peer's. The earliest expiry of the entries read that
 * have not expired is folded into *soonest (which only goes down), so
 * the next sweep can wait until then, and each of them is counted in
 * *tally (may be NULL) by state and origin. Returns how many it kept, or
 * -errno; c->done says the sweep reached the end.
 */
int sesstab_expired_next(int fd, struct sesstab_cursor *c, uint64_t now,
			 struct nsrp_sess_key *keys, struct nsrp_sess *vals,
			 unsigned int max, unsigned int *n_local,
			 uint64_t *soonest, struct sesstab_tally *tally);

/*
 * Batch delete (BPF_MAP_DELETE_BATCH, one by one when refused). Keys
 * already gone are skipped and not counted. Returns the count deleted;
 * on another error, -errno if nothing was deleted yet, else the count so
 * far (the error is logged).
 */
int sesstab_delete(int fd, const struct nsrp_sess_key *keys, unsigned int n);

/* Sets one entry's expiry, keeping everything else; -ENOENT if gone. */
int sesstab_set_expiry(int fd, const struct nsrp_sess_key *k,
		       uint64_t expires_ns);

/* Number of entries (batch read), or SESSTAB_COUNT_ERR. */
uint64_t sesstab_count(int fd);

/* The formula above, clamped at zero. */
uint64_t sesstab_evictions(uint64_t created, uint64_t deleted,
			   uint64_t expired, uint64_t present);

/*
 * What the agent saw enter and leave the map on purpose since it was
 * empty (the terms of the eviction accounting above).
 */
struct sesstab_churn {
	uint64_t created, deleted, expired;
};

/*
 * Calls fn on every entry, a chunk at a time; stops early when fn returns
 * non-zero. Returns 0, fn's negative value, or -errno.
 */
int sesstab_walk(int fd, int (*fn)(const struct nsrp_sess_key *k,
				  const struct nsrp_sess *v, void *arg),
		 void *arg);

/* Session state name, "established" etc.; "unknown" out of range. */
const char *sesstab_state_name(unsigned int state);

/*
 * The protocols sessions are kept for, by the names nsrpctl shows:
 * "icmp", "icmp6", "tcp", "udp". The name of a protocol (NULL for
 * another), the protocol of a name (-EINVAL for another), and the i-th
 * name (NULL past the last).
 */
const char *sesstab_proto_name(uint8_t proto);
int sesstab_proto_parse(const char *name);
const char *sesstab_proto_nth(unsigned int i);

#endif
