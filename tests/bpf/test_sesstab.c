// SPDX-License-Identifier: GPL-2.0-only
/*
 * The session table from user space, against a real LRU hash map of the
 * data plane's key and value sizes: peer deltas, chunked walks, expiry,
 * batch deletes, ageout-ack expiry updates and `get session`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <jansson.h>
#include <CUnit/CUnit.h>

#include "ctl.h"
#include "dataplane.h"
#include "sesstab.h"
#include "sessview.h"
#include "../harness.h"
#include "runner.h"

#define NS		1000000000ull
#define BIG_N		10000
#define MAP_CAP		65536	/* well above BIG_N: no LRU eviction */

static int map_new(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "sesstab_test",
				sizeof(struct nsrp_sess_key),
				sizeof(struct nsrp_sess), MAP_CAP, NULL);

	CU_ASSERT(fd >= 0);
	return fd;
}

/* Session i: 192.0.2.(i/256+1):(i) <-> 198.51.100.1:80, TCP. */
static struct nsrp_sess_key key_v4(unsigned int i)
{
	struct nsrp_sess_key k = { 0 };

	k.addr_a[0] = htonl(0xc0000200u | (((i >> 8) & 0x3f) + 1));
	k.addr_b[0] = htonl(0xc6336401u);
	k.port_a = htons(1024 + i);
	k.port_b = htons(80);
	k.proto = IPPROTO_TCP;
	k.family = NSRP_AF_INET;
	return k;
}

static unsigned int key_index(const struct nsrp_sess_key *k)
{
	return ntohs(k->port_a) - 1024;
}

static struct nsrp_event wire_ev(unsigned int kind, unsigned int i,
				 uint64_t remaining, unsigned int state)
{
	struct nsrp_event ev = { 0 };

	ev.kind = kind;
	ev.key = key_v4(i);
	ev.sess.expires_ns = remaining;
	ev.sess.state = state;
	ev.sess.vsd = 1;
	ev.sess.flags = NSRP_SF_INIT_IS_B;
	ev.sess.pkts[0] = 3;
	ev.sess.pkts[1] = 4;
	ev.sess.bytes[0] = 300;
	ev.sess.bytes[1] = 400;
	return ev;
}

static int put(int fd, const struct nsrp_sess_key *k, const struct nsrp_sess *s)
{
	return bpf_map_update_elem(fd, k, s, BPF_ANY);
}

static int get(int fd, const struct nsrp_sess_key *k, struct nsrp_sess *s)
{
	return bpf_map_lookup_elem(fd, k, s) ? -errno : 0;
}

static void test_to_wire(void)
{
	struct nsrp_event ev = wire_ev(NSRP_EV_STATE, 1, 0, 3);

	ev.ts_ns = 77;
	ev.pad[0] = 9;
	ev.sess.expires_ns = 5000;
	ev.sess.refreshed_ns = 2500;
	sesstab_to_wire(&ev, 3000);
	CU_ASSERT_EQUAL(ev.sess.expires_ns, 2000);
	CU_ASSERT_EQUAL(ev.sess.refreshed_ns, 0);
	CU_ASSERT_EQUAL(ev.ts_ns, 0);
	CU_ASSERT_EQUAL(ev.pad[0], 0);
	CU_ASSERT_EQUAL(ev.sess.pkts[1], 4);
	ev.sess.expires_ns = 2999;
	sesstab_to_wire(&ev, 3000);
	CU_ASSERT_EQUAL(ev.sess.expires_ns, 0);
	CU_ASSERT_STRING_EQUAL(sesstab_state_name(NSRP_SS_ESTABLISHED),
			       "established");
	CU_ASSERT_STRING_EQUAL(sesstab_state_name(200), "unknown");
}

static void test_apply_sequence(void)
{
	struct sesstab_acct acct = { 0 };
	struct nsrp_event ev;
	struct nsrp_sess s;
	bool skipped = true;
	int fd;

	if (!bpf_tests_allowed())
		return;
	fd = map_new();
	/* CREATE: installed from the peer, 8x its 10 s remaining. */
	ev = wire_ev(NSRP_EV_CREATE, 7, 10 * NS, NSRP_SS_SYN_SENT);
	CU_ASSERT_EQUAL(sesstab_apply_acct(fd, &ev, 1000, 8, NULL, NULL,
					   &skipped, &acct), 0);
	CU_ASSERT_FALSE(skipped);
	CU_ASSERT_EQUAL_FATAL(get(fd, &ev.key, &s), 0);
	CU_ASSERT_EQUAL(s.expires_ns, 1000 + 80 * NS);
	CU_ASSERT_EQUAL(s.refreshed_ns, 0);
	CU_ASSERT_EQUAL(s.state, NSRP_SS_SYN_SENT);
	CU_ASSERT_EQUAL(s.vsd, 1);
	CU_ASSERT_EQUAL(s.flags, NSRP_SF_INIT_IS_B | NSRP_SF_FROM_PEER);
	CU_ASSERT(s.pkts[0] == 3 && s.pkts[1] == 4);
	CU_ASSERT(s.bytes[0] == 300 && s.bytes[1] == 400);

	/* Local traffic counted meanwhile: STATE keeps those counters. */
	s.pkts[0] = 10;
	s.pkts[1] = 20;
	s.bytes[0] = 1000;
	s.bytes[1] = 2000;
	CU_ASSERT_EQUAL(put(fd, &ev.key, &s), 0);
	ev = wire_ev(NSRP_EV_STATE, 7, 1800 * NS, NSRP_SS_ESTABLISHED);
	ev.sess.flags |= NSRP_SF_FIN_ORIG;
	CU_ASSERT_EQUAL(sesstab_apply_acct(fd, &ev, 5 * NS, 8, NULL, NULL,
					   &skipped, &acct), 0);
	CU_ASSERT_EQUAL_FATAL(get(fd, &ev.key, &s), 0);
	CU_ASSERT_EQUAL(s.expires_ns, 5 * NS + 8 * 1800 * NS);
	CU_ASSERT_EQUAL(s.state, NSRP_SS_ESTABLISHED);
	CU_ASSERT_EQUAL(s.flags, NSRP_SF_INIT_IS_B | NSRP_SF_FIN_ORIG |
				 NSRP_SF_FROM_PEER);
	CU_ASSERT(s.pkts[0] == 10 && s.pkts[1] == 20);
	CU_ASSERT(s.bytes[0] == 1000 && s.bytes[1] == 2000);

	/* REFRESH: a new lifetime, multiplier 0 meaning the default 8. */
	ev = wire_ev(NSRP_EV_REFRESH, 7, 100, NSRP_SS_ESTABLISHED);
	CU_ASSERT_EQUAL(sesstab_apply(fd, &ev, 9 * NS, 0, NULL, NULL,
				      &skipped), 0);
	CU_ASSERT_EQUAL_FATAL(get(fd, &ev.key, &s), 0);
	CU_ASSERT_EQUAL(s.expires_ns, 9 * NS + 800);
	CU_ASSERT(s.pkts[0] == 10 && s.bytes[1] == 2000);

	/* A lifetime too long to multiply saturates, never wraps. */
	ev = wire_ev(NSRP_EV_REFRESH, 7, UINT64_MAX / 4, NSRP_SS_ESTABLISHED);
	CU_ASSERT_EQUAL(sesstab_apply(fd, &ev, 9 * NS, 8, NULL, NULL, NULL),
			0);
	CU_ASSERT_EQUAL_FATAL(get(fd, &ev.key, &s), 0);
	CU_ASSERT_EQUAL(s.expires_ns, UINT64_MAX);

	/* DELETE removes; a second DELETE of nothing is fine. */
	ev = wire_ev(NSRP_EV_DELETE, 7, 0, NSRP_SS_CLOSED);
	CU_ASSERT_EQUAL(sesstab_apply_acct(fd, &ev, 10 * NS, 8, NULL, NULL,
					   NULL, &acct), 0);
	CU_ASSERT_EQUAL(get(fd, &ev.key, &s), -ENOENT);
	CU_ASSERT_EQUAL(sesstab_apply_acct(fd, &ev, 10 * NS, 8, NULL, NULL,
					   NULL, &acct), 0);
	CU_ASSERT_EQUAL(acct.created, 1);
	CU_ASSERT_EQUAL(acct.updated, 1);
	CU_ASSERT_EQUAL(acct.deleted, 1);
	CU_ASSERT_EQUAL(acct.skipped, 0);

	/* A REFRESH of a session not there (lost CREATE) installs it. */
	ev = wire_ev(NSRP_EV_REFRESH, 8, NS, NSRP_SS_UDP);
	CU_ASSERT_EQUAL(sesstab_apply(fd, &ev, 0, 8, NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(get(fd, &ev.key, &s), 0);
	CU_ASSERT(s.pkts[0] == 3 && s.expires_ns == 8 * NS);

	ev.kind = 99;
	CU_ASSERT_EQUAL(sesstab_apply(fd, &ev, 0, 8, NULL, NULL, NULL),
			-EINVAL);
	close(fd);
}

static bool owns_vsd2(unsigned int vsd, void *arg)
{
	++*(int *)arg;
	return vsd == 2;
}

static void test_apply_owned(void)
{
	struct nsrp_sess local = { 0 }, s;
	struct nsrp_event ev;
	bool skipped = false;
	int fd, calls = 0;

	if (!bpf_tests_allowed())
		return;
	fd = map_new();
	local.expires_ns = 123;
	local.state = NSRP_SS_ESTABLISHED;
	local.vsd = 2;
	local.pkts[0] = 42;

	/* A local entry of an owned group: neither updated nor deleted. */
	ev = wire_ev(NSRP_EV_CREATE, 1, NS, NSRP_SS_SYN_SENT);
	CU_ASSERT_EQUAL(put(fd, &ev.key, &local), 0);
	CU_ASSERT_EQUAL(sesstab_apply(fd, &ev, 0, 8, owns_vsd2, &calls,
				      &skipped), 0);
	CU_ASSERT_TRUE(skipped);
	ev.kind = NSRP_EV_STATE;
	skipped = false;
	CU_ASSERT_EQUAL(sesstab_apply(fd, &ev, 0, 8, owns_vsd2, &calls,
				      &skipped), 0);
	CU_ASSERT_TRUE(skipped);
	ev.kind = NSRP_EV_DELETE;
	skipped = false;
	CU_ASSERT_EQUAL(sesstab_apply(fd, &ev, 0, 8, owns_vsd2, &calls,
				      &skipped), 0);
	CU_ASSERT_TRUE(skipped);
	CU_ASSERT_EQUAL_FATAL(get(fd, &ev.key, &s), 0);
	CU_ASSERT_EQUAL(memcmp(&s, &local, sizeof(s)), 0);
	CU_ASSERT_EQUAL(calls, 3);

	/* A local entry of a group this unit backs up: the peer's wins. */
	local.vsd = 3;
	ev = wire_ev(NSRP_EV_STATE, 2, NS, NSRP_SS_FIN_WAIT);
	CU_ASSERT_EQUAL(put(fd, &ev.key, &local), 0);
	CU_ASSERT_EQUAL(sesstab_apply(fd, &ev, 0, 8, owns_vsd2, &calls,
				      &skipped), 0);
	CU_ASSERT_FALSE(skipped);
	CU_ASSERT_EQUAL_FATAL(get(fd, &ev.key, &s), 0);
	CU_ASSERT(s.state == NSRP_SS_FIN_WAIT && s.vsd == 1);
	CU_ASSERT(s.flags & NSRP_SF_FROM_PEER);
	CU_ASSERT_EQUAL(s.pkts[0], 42);

	/* An entry already from the peer, even in an owned group, updates. */
	local.vsd = 2;
	local.flags = NSRP_SF_FROM_PEER;
	ev = wire_ev(NSRP_EV_DELETE, 3, 0, 0);
	CU_ASSERT_EQUAL(put(fd, &ev.key, &local), 0);
	CU_ASSERT_EQUAL(sesstab_apply(fd, &ev, 0, 8, owns_vsd2, &calls,
				      &skipped), 0);
	CU_ASSERT_FALSE(skipped);
	CU_ASSERT_EQUAL(get(fd, &ev.key, &s), -ENOENT);

	/* No owned() at all: no group is owned. */
	local.flags = 0;
	ev = wire_ev(NSRP_EV_REFRESH, 4, NS, NSRP_SS_ESTABLISHED);
	CU_ASSERT_EQUAL(put(fd, &ev.key, &local), 0);
	CU_ASSERT_EQUAL(sesstab_apply(fd, &ev, 0, 8, NULL, NULL, &skipped),
			0);
	CU_ASSERT_FALSE(skipped);
	CU_ASSERT_EQUAL_FATAL(get(fd, &ev.key, &s), 0);
	CU_ASSERT(s.flags & NSRP_SF_FROM_PEER);
	close(fd);
}

/* ------------------------------------------------------ batch apply */

static bool acct_is(const struct sesstab_acct *a, uint64_t created,
		    uint64_t updated, uint64_t deleted, uint64_t skipped,
		    uint64_t failed)
{
	return a->created == created && a->updated == updated &&
	       a->deleted == deleted && a->skipped == skipped &&
	       a->failed == failed;
}

/*
 * Each batch test runs twice: by map syscalls (sesstab_apply_many), and
 * in the kernel (sesstab_apply_many_prog), the apply program loaded as
 * the agent loads it, on the test's map pinned as the data plane's
 * session map. The pins go to a bpffs of the test's own, mounted in a
 * mount namespace of its own: nothing is left behind, even on a crash.
 */
static bool in_kernel;
static struct dp_apply kern = { .prog_fd = -1 };
static char kern_dir[64];

static void kern_unbind(void)
{
	dp_apply_close(&kern);
	if (kern_dir[0]) {
		umount2(kern_dir, MNT_DETACH);
		rmdir(kern_dir);
		kern_dir[0] = 0;
	}
}

static int kern_bpffs(void)
{
	static bool unshared;

	if (!unshared) {
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			return -errno;
		unshared = true;
	}
	snprintf(kern_dir, sizeof(kern_dir), "/tmp/nsrpd-apply-test.XXXXXX");
	if (!mkdtemp(kern_dir)) {
		kern_dir[0] = 0;
		return -errno;
	}
	return mount("bpf", kern_dir, "bpf", 0, "mode=0700") ? -errno : 0;
}

static void kern_bind(int fd)
{
	struct dp_config cfg = { .sess_max = MAP_CAP };
	char path[128];

	CU_ASSERT_EQUAL_FATAL(kern_bpffs(), 0);
	snprintf(path, sizeof(path), "%s/%s", kern_dir, NSRPD_MAP_SESS);
	CU_ASSERT_EQUAL_FATAL(bpf_obj_pin(fd, path), 0);
	CU_ASSERT_EQUAL(dp_apply_load(&kern, kern_dir, &cfg), 0);
	if (kern.prog_fd < 0)
		kern_unbind();
	CU_ASSERT_FATAL(kern.prog_fd >= 0);
}

/* A map for the batch under test, bound to the program in kernel runs. */
static int apply_map_new(void)
{
	int fd = map_new();

	if (in_kernel && fd >= 0)
		kern_bind(fd);
	return fd;
}

static void apply_map_close(int fd)
{
	if (in_kernel)
		kern_unbind();
	close(fd);
}

static int apply_many(int fd, const struct nsrp_event *evs, unsigned int n,
		      uint64_t now, unsigned int mult,
		      bool (*owned)(unsigned int vsd, void *arg), void *arg,
		      struct sesstab_acct *acct)
{
	if (in_kernel)
		return sesstab_apply_many_prog(kern.prog_fd, fd, evs, n, now,
					       mult, owned, arg, acct);
	return sesstab_apply_many(fd, evs, n, now, mult, owned, arg, acct);
}

/* test_NAME by syscalls, test_kernel_NAME in the kernel. */
#define BOTH_PATHS(name)						\
	static void test_##name(void)					\
	{								\
		in_kernel = false;					\
		name();							\
	}								\
	static void test_kernel_##name(void)				\
	{								\
		in_kernel = true;					\
		name();							\
		in_kernel = false;					\
	}

/* A cold start's frames: every entry new, more than one batch's worth. */
static void apply_many_new(void)
{
	struct nsrp_event evs[150];
	struct sesstab_acct acct = { 0 };
	struct nsrp_sess s;
	int fd;

	if (!bpf_tests_allowed())
		return;
	fd = apply_map_new();
	for (unsigned int i = 0; i < 150; i++)
		evs[i] = wire_ev(NSRP_EV_CREATE, i, (i + 1) * NS,
				 NSRP_SS_ESTABLISHED);
	CU_ASSERT_EQUAL(apply_many(fd, evs, 150, 1000, 8, NULL, NULL,
					   &acct), 0);
	CU_ASSERT(acct_is(&acct, 150, 0, 0, 0, 0));
	CU_ASSERT_EQUAL(sesstab_count(fd), 150);
	for (unsigned int i = 0; i < 150; i++) {
		CU_ASSERT_EQUAL_FATAL(get(fd, &evs[i].key, &s), 0);
		CU_ASSERT_EQUAL(s.expires_ns, 1000 + 8 * (i + 1) * NS);
		CU_ASSERT_EQUAL(s.flags, NSRP_SF_INIT_IS_B | NSRP_SF_FROM_PEER);
		CU_ASSERT(s.pkts[0] == 3 && s.bytes[1] == 400);
		CU_ASSERT_EQUAL(s.refreshed_ns, 0);
	}
	/* Nothing, and a NULL acct, are fine. */
	CU_ASSERT_EQUAL(apply_many(fd, evs, 0, 0, 8, NULL, NULL,
					   NULL), 0);
	CU_ASSERT_EQUAL(apply_many(fd, evs, 3, 0, 8, NULL, NULL,
					   NULL), 0);
	apply_map_close(fd);
}
BOTH_PATHS(apply_many_new)

/*
 * The earliest expiry a frame gives the backup's copies, which the next
 * sweep waits for: what the apply wrote, deletes aside.
 */
static void apply_copies_expire(void)
{
	struct nsrp_event evs[4] = {
		wire_ev(NSRP_EV_CREATE, 0, 10 * NS, NSRP_SS_ESTABLISHED),
		wire_ev(NSRP_EV_STATE, 1, 3 * NS, NSRP_SS_FIN_WAIT),
		wire_ev(NSRP_EV_CREATE, 2, 1 * NS, NSRP_SS_UDP),
		wire_ev(NSRP_EV_DELETE, 2, 1 * NS, NSRP_SS_UDP),
	};
	uint64_t soonest = UINT64_MAX;
	struct nsrp_sess s;
	int fd;

	if (!bpf_tests_allowed())
		return;
	fd = apply_map_new();
	CU_ASSERT_EQUAL(apply_many(fd, evs, 4, 1000, 8, NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(sesstab_count(fd), 2);
	for (unsigned int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL_FATAL(get(fd, &evs[i].key, &s), 0);
		if (s.expires_ns < soonest)
			soonest = s.expires_ns;
	}
	CU_ASSERT_EQUAL(soonest, 1000 + 8 * 3 * NS);
	/* A create deleted later in the frame counts too: a sweep too early
	 * is harmless, one too late is not. */
	CU_ASSERT_EQUAL(sesstab_copies_expire(evs, 4, 1000, 8),
			1000 + 8 * 1 * NS);
	CU_ASSERT_EQUAL(sesstab_copies_expire(evs, 2, 1000, 8), soonest);
	CU_ASSERT_EQUAL(sesstab_copies_expire(&evs[3], 1, 1000, 8),
			UINT64_MAX);
	CU_ASSERT_EQUAL(sesstab_copies_expire(evs, 0, 1000, 8), UINT64_MAX);
	apply_map_close(fd);
}
BOTH_PATHS(apply_copies_expire)

/* An entry already there, mid-frame: updated, its counters kept. */
static void apply_many_existing(void)
{
	struct nsrp_sess here = { 0 }, s;
	struct sesstab_acct acct = { 0 };
	struct nsrp_event evs[5];
	int fd;

	if (!bpf_tests_allowed())
		return;
	fd = apply_map_new();
	here.state = NSRP_SS_SYN_SENT;
	here.vsd = 1;
	here.flags = NSRP_SF_FROM_PEER;
	here.pkts[0] = 50;
	here.bytes[0] = 5000;
	for (unsigned int i = 0; i < 5; i++)
		evs[i] = wire_ev(NSRP_EV_CREATE, i, NS, NSRP_SS_ESTABLISHED);
	CU_ASSERT_EQUAL(put(fd, &evs[2].key, &here), 0);
	CU_ASSERT_EQUAL(apply_many(fd, evs, 5, 0, 8, NULL, NULL,
					   &acct), 0);
	CU_ASSERT(acct_is(&acct, 4, 1, 0, 0, 0));
	CU_ASSERT_EQUAL_FATAL(get(fd, &evs[2].key, &s), 0);
	CU_ASSERT_EQUAL(s.state, NSRP_SS_ESTABLISHED);
	CU_ASSERT_EQUAL(s.expires_ns, 8 * NS);
	CU_ASSERT(s.pkts[0] == 50 && s.bytes[0] == 5000);
	CU_ASSERT_EQUAL_FATAL(get(fd, &evs[3].key, &s), 0);
	CU_ASSERT_EQUAL(s.pkts[0], 3);
	apply_map_close(fd);
}
BOTH_PATHS(apply_many_existing)

/* One key twice in a frame: the later record wins, an update. */
static void apply_many_same_key(void)
{
	struct sesstab_acct acct = { 0 };
	struct nsrp_event evs[4];
	struct nsrp_sess s;
	int fd;

	if (!bpf_tests_allowed())
		return;
	fd = apply_map_new();
	evs[0] = wire_ev(NSRP_EV_CREATE, 1, 10 * NS, NSRP_SS_SYN_SENT);
	evs[1] = wire_ev(NSRP_EV_CREATE, 2, 10 * NS, NSRP_SS_SYN_SENT);
	evs[2] = wire_ev(NSRP_EV_STATE, 1, 1800 * NS, NSRP_SS_ESTABLISHED);
	evs[2].sess.pkts[0] = 99;	/* the peer's: the entry keeps its own */
	evs[3] = wire_ev(NSRP_EV_REFRESH, 1, 900 * NS, NSRP_SS_ESTABLISHED);
	CU_ASSERT_EQUAL(apply_many(fd, evs, 4, 0, 8, NULL, NULL,
					   &acct), 0);
	CU_ASSERT(acct_is(&acct, 2, 2, 0, 0, 0));
	CU_ASSERT_EQUAL_FATAL(get(fd, &evs[0].key, &s), 0);
	CU_ASSERT_EQUAL(s.state, NSRP_SS_ESTABLISHED);
	CU_ASSERT_EQUAL(s.expires_ns, 8 * 900 * NS);
	CU_ASSERT_EQUAL(s.pkts[0], 3);
	apply_map_close(fd);
}
BOTH_PATHS(apply_many_same_key)

/* CREATE, DELETE, CREATE of one key: in that order, present at the end. */
static void apply_many_delete_between(void)
{
	struct sesstab_acct acct = { 0 };
	struct nsrp_event evs[5];
	struct nsrp_sess s;
	int fd;

	if (!bpf_tests_allowed())
		return;
	fd = apply_map_new();
	evs[0] = wire_ev(NSRP_EV_CREATE, 1, 10 * NS, NSRP_SS_SYN_SENT);
	evs[1] = wire_ev(NSRP_EV_CREATE, 2, 10 * NS, NSRP_SS_SYN_SENT);
	evs[2] = wire_ev(NSRP_EV_DELETE, 1, 0, NSRP_SS_CLOSED);
	evs[3] = wire_ev(NSRP_EV_CREATE, 1, 20 * NS, NSRP_SS_UDP);
	evs[4] = wire_ev(NSRP_EV_DELETE, 2, 0, NSRP_SS_CLOSED);
	CU_ASSERT_EQUAL(apply_many(fd, evs, 5, 0, 8, NULL, NULL,
					   &acct), 0);
	CU_ASSERT(acct_is(&acct, 3, 0, 2, 0, 0));
	CU_ASSERT_EQUAL_FATAL(get(fd, &evs[0].key, &s), 0);
	CU_ASSERT_EQUAL(s.state, NSRP_SS_UDP);
	CU_ASSERT_EQUAL(s.expires_ns, 8 * 20 * NS);
	CU_ASSERT_EQUAL(get(fd, &evs[1].key, &s), -ENOENT);
	/* And a CREATE after the last DELETE of a frame ends it. */
	evs[0] = wire_ev(NSRP_EV_DELETE, 1, 0, NSRP_SS_CLOSED);
	CU_ASSERT_EQUAL(apply_many(fd, evs, 1, 0, 8, NULL, NULL,
					   &acct), 0);
	CU_ASSERT_EQUAL(get(fd, &evs[0].key, &s), -ENOENT);
	CU_ASSERT(acct_is(&acct, 3, 0, 3, 0, 0));
	apply_map_close(fd);
}
BOTH_PATHS(apply_many_delete_between)

/* A local entry of an owned group, mid-frame: left alone, counted. */
static void apply_many_owned(void)
{
	struct nsrp_sess local = { 0 }, s;
	struct sesstab_acct acct = { 0 };
	struct nsrp_event evs[4];
	int fd, calls = 0;

	if (!bpf_tests_allowed())
		return;
	fd = apply_map_new();
	local.expires_ns = 123;
	local.state = NSRP_SS_ESTABLISHED;
	local.vsd = 2;
	local.pkts[0] = 42;
	for (unsigned int i = 0; i < 3; i++)
		evs[i] = wire_ev(NSRP_EV_CREATE, i, NS, NSRP_SS_SYN_SENT);
	evs[3] = wire_ev(NSRP_EV_DELETE, 1, 0, NSRP_SS_CLOSED);
	CU_ASSERT_EQUAL(put(fd, &evs[1].key, &local), 0);
	CU_ASSERT_EQUAL(apply_many(fd, evs, 4, 0, 8, owns_vsd2,
					   &calls, &acct), 0);
	CU_ASSERT(acct_is(&acct, 2, 0, 0, 2, 0));
	CU_ASSERT_EQUAL_FATAL(get(fd, &evs[1].key, &s), 0);
	CU_ASSERT_EQUAL(memcmp(&s, &local, sizeof(s)), 0);
	CU_ASSERT_EQUAL(get(fd, &evs[0].key, &s), 0);
	CU_ASSERT_EQUAL(get(fd, &evs[2].key, &s), 0);
	/* By syscalls, asked per entry found; in the kernel, once per group. */
	CU_ASSERT_EQUAL(calls, in_kernel ? NSRPD_MAX_VSD : 2);
	apply_map_close(fd);
}
BOTH_PATHS(apply_many_owned)

/* A record of no known kind fails alone; the others are applied. */
static void apply_many_bad_kind(void)
{
	struct sesstab_acct acct = { 0 };
	struct nsrp_event evs[3];
	struct nsrp_sess s;
	int fd;

	if (!bpf_tests_allowed())
		return;
	fd = apply_map_new();
	for (unsigned int i = 0; i < 3; i++)
		evs[i] = wire_ev(NSRP_EV_CREATE, i, NS, NSRP_SS_UDP);
	evs[1].kind = 99;
	CU_ASSERT_EQUAL(apply_many(fd, evs, 3, 0, 8, NULL, NULL,
					   &acct), -EINVAL);
	CU_ASSERT(acct_is(&acct, 2, 0, 0, 0, 1));
	CU_ASSERT_EQUAL(get(fd, &evs[1].key, &s), -ENOENT);
	CU_ASSERT_EQUAL(get(fd, &evs[2].key, &s), 0);
	apply_map_close(fd);
}
BOTH_PATHS(apply_many_bad_kind)

/* Whatever the mix, the same map and counts as record by record. */
static void apply_many_as_one_by_one(void)
{
	static const unsigned int kinds[] = { NSRP_EV_CREATE, NSRP_EV_CREATE,
		NSRP_EV_STATE, NSRP_EV_REFRESH, NSRP_EV_DELETE };
	struct sesstab_acct a1 = { 0 }, a2 = { 0 };
	struct nsrp_sess_key k1[64], k2[64];
	struct nsrp_sess v1[64], v2[64];
	struct nsrp_event evs[40];
	struct sesstab_cursor c;
	unsigned int seed = 1;
	int fd1, fd2, n1, n2, calls = 0;

	if (!bpf_tests_allowed())
		return;
	fd1 = apply_map_new();
	fd2 = map_new();
	for (int round = 0; round < 50; round++) {
		for (unsigned int i = 0; i < 40; i++) {
			seed = seed * 1103515245u + 12345u;
			evs[i] = wire_ev(kinds[(seed >> 8) % 5],
					 (seed >> 16) % 24, (seed >> 4) % NS,
					 (seed >> 12) % NSRP_SS_MAX);
			evs[i].sess.vsd = (seed >> 20) % 3;
			evs[i].sess.pkts[0] = seed;
			if (i % 7 == 0) {	/* a local entry, maybe owned */
				struct nsrp_sess l = evs[i].sess;

				l.flags = 0;
				CU_ASSERT_EQUAL(put(fd1, &evs[i].key, &l), 0);
				CU_ASSERT_EQUAL(put(fd2, &evs[i].key, &l), 0);
			}
		}
		CU_ASSERT_EQUAL(apply_many(fd1, evs, 40, round, 8,
						   owns_vsd2, &calls, &a1), 0);
		for (unsigned int i = 0; i < 40; i++)
			CU_ASSERT_EQUAL(sesstab_apply_acct(fd2, &evs[i], round,
							   8, owns_vsd2,
							   &calls, NULL, &a2),
					0);
	}
	CU_ASSERT(acct_is(&a1, a2.created, a2.updated, a2.deleted, a2.skipped,
			  a2.failed));
	CU_ASSERT(a1.created > 0 && a1.updated > 0 && a1.deleted > 0 &&
		  a1.skipped > 0);
	memset(&c, 0, sizeof(c));
	n1 = sesstab_read(fd1, &c, k1, v1, 64);
	CU_ASSERT_EQUAL(n1, (int)sesstab_count(fd2));
	for (int i = 0; i < n1; i++) {
		struct nsrp_sess s;

		CU_ASSERT_EQUAL_FATAL(get(fd2, &k1[i], &s), 0);
		CU_ASSERT_EQUAL(memcmp(&s, &v1[i], sizeof(s)), 0);
	}
	memset(&c, 0, sizeof(c));
	n2 = sesstab_read(fd2, &c, k2, v2, 64);
	CU_ASSERT_EQUAL(n1, n2);
	apply_map_close(fd1);
	close(fd2);
}
BOTH_PATHS(apply_many_as_one_by_one)

/* The program's own contract: one result per record, the block's count. */
static void test_kernel_apply_ctx(void)
{
	static struct nsrp_apply_ctx ctx;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx));
	struct nsrp_sess local = { 0 }, s;
	int fd;

	if (!bpf_tests_allowed())
		return;
	fd = map_new();
	kern_bind(fd);
	local.vsd = 2;
	local.pkts[1] = 42;
	ctx.ev[0] = wire_ev(NSRP_EV_CREATE, 1, 10, NSRP_SS_UDP);
	ctx.ev[1] = wire_ev(NSRP_EV_REFRESH, 1, UINT64_MAX / 4, NSRP_SS_UDP);
	ctx.ev[2] = wire_ev(NSRP_EV_DELETE, 2, 0, NSRP_SS_CLOSED);
	ctx.ev[3] = wire_ev(NSRP_EV_STATE, 3, NS, NSRP_SS_ESTABLISHED);
	ctx.ev[4] = wire_ev(NSRP_EV_DELETE, 3, 0, NSRP_SS_CLOSED);
	ctx.ev[5] = wire_ev(0, 4, NS, NSRP_SS_UDP);
	ctx.ev[6] = wire_ev(NSRP_EV_CREATE, 5, 10, NSRP_SS_UDP);
	CU_ASSERT_EQUAL(put(fd, &ctx.ev[3].key, &local), 0);
	ctx.count = 7;
	ctx.mult = 0;		/* the default, 8 */
	ctx.now_ns = 1000;
	ctx.owned = 1u << 2;
	CU_ASSERT_EQUAL_FATAL(bpf_prog_test_run_opts(kern.prog_fd, &opts), 0);
	CU_ASSERT_EQUAL(opts.retval, 7);
	CU_ASSERT_EQUAL(ctx.res[0], NSRP_APPLY_CREATED);
	CU_ASSERT_EQUAL(ctx.res[1], NSRP_APPLY_UPDATED);
	CU_ASSERT_EQUAL(ctx.res[2], NSRP_APPLY_NONE);
	CU_ASSERT_EQUAL(ctx.res[3], NSRP_APPLY_SKIPPED);
	CU_ASSERT_EQUAL(ctx.res[4], NSRP_APPLY_SKIPPED);
	CU_ASSERT_EQUAL(ctx.res[5], -EINVAL);
	CU_ASSERT_EQUAL(ctx.res[6], NSRP_APPLY_CREATED);
	CU_ASSERT_EQUAL_FATAL(get(fd, &ctx.ev[0].key, &s), 0);
	CU_ASSERT_EQUAL(s.expires_ns, UINT64_MAX);	/* saturated */
	CU_ASSERT_EQUAL_FATAL(get(fd, &ctx.ev[6].key, &s), 0);
	CU_ASSERT_EQUAL(s.expires_ns, 1000 + 8 * 10);
	CU_ASSERT_EQUAL_FATAL(get(fd, &ctx.ev[3].key, &s), 0);
	CU_ASSERT_EQUAL(memcmp(&s, &local, sizeof(s)), 0);
	CU_ASSERT_EQUAL(get(fd, &ctx.ev[5].key, &s), -ENOENT);

	/* More than a block: nothing applied, and the count says so. */
	ctx.ev[0] = wire_ev(NSRP_EV_CREATE, 9, 10, NSRP_SS_UDP);
	ctx.count = NSRP_APPLY_MAX + 1;
	CU_ASSERT_EQUAL_FATAL(bpf_prog_test_run_opts(kern.prog_fd, &opts), 0);
	CU_ASSERT_EQUAL(opts.retval, 0);
	CU_ASSERT_EQUAL(get(fd, &ctx.ev[0].key, &s), -ENOENT);

	/* No program: the same records go by syscalls. */
	CU_ASSERT_EQUAL(sesstab_apply_many_prog(-1, fd, ctx.ev, 1, 0, 8, NULL,
						NULL, NULL), 0);
	CU_ASSERT_EQUAL(get(fd, &ctx.ev[0].key, &s), 0);
	kern_unbind();
	close(fd);
}

/* BIG_N sessions, i expiring at i ns, every third one from the peer. */
static void fill_big(int fd)
{
	for (unsigned int i = 0; i < BIG_N; i++) {
		struct nsrp_sess_key k = key_v4(i);
		struct nsrp_sess s = { .expires_ns = i, .vsd = i % 8 };

		s.flags = i % 3 == 0 ? NSRP_SF_FROM_PEER : 0;
		s.pkts[0] = i;
		if (put(fd, &k, &s)) {
			CU_FAIL("cannot fill the map");
			return;
		}
	}
}

/*
 * Walks the whole map in chunks of max; each key must come once. Returns
 * whether the walk ended key by key.
 */
static bool walk_once(int fd, unsigned int max, bool by_key)
{
	struct nsrp_sess_key *keys = calloc(max, sizeof(*keys));
	struct nsrp_sess *vals = calloc(max, sizeof(*vals));
	unsigned char *seen = calloc(BIG_N, 1);
	struct sesstab_cursor c = { .by_key = by_key };
	unsigned int total = 0, dup = 0, wrong = 0, calls = 0;
	int n;

	CU_ASSERT_FATAL(keys && vals && seen);
	while ((n = sesstab_read(fd, &c, keys, vals, max)) > 0) {
		CU_ASSERT((unsigned int)n <= max);
		for (int i = 0; i < n; i++) {
			unsigned int idx = key_index(&keys[i]);

			if (idx >= BIG_N || vals[i].pkts[0] != idx) {
				wrong++;
				continue;
			}
			dup += seen[idx]++ != 0;
			total++;
		}
		if (++calls > 2 * BIG_N)
			break;
	}
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_TRUE(c.done);
	CU_ASSERT_EQUAL(total, BIG_N);
	CU_ASSERT_EQUAL(dup, 0);
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_EQUAL(sesstab_read(fd, &c, keys, vals, max), 0);
	free(keys);
	free(vals);
	free(seen);
	return c.by_key;
}

static void test_read_chunks(void)
{
	int fd;

	if (!bpf_tests_allowed())
		return;
	fd = map_new();
	fill_big(fd);
	/* This kernel does batch lookups on LRU maps: no fallback. */
	CU_ASSERT_FALSE(walk_once(fd, 100, false));
	CU_ASSERT_FALSE(walk_once(fd, SESSTAB_CHUNK, false));
	CU_ASSERT_FALSE(walk_once(fd, BIG_N * 2, false));
	/*
	 * A chunk smaller than some bucket (10000 keys in 65536 buckets
	 * share some): the walk goes on key by key from there.
	 */
	CU_ASSERT_TRUE(walk_once(fd, 1, false));
	walk_once(fd, 3, false);
	/* The get_next_key fallback on its own. */
	CU_ASSERT_TRUE(walk_once(fd, 333, true));
	CU_ASSERT_EQUAL(sesstab_count(fd), BIG_N);
	close(fd);
}

/*
 * What a whole sweep finds, of one origin: up to max expired entries,
 * the peer's (from_peer) or the local ones.
 */
static int expired(int fd, uint64_t now, bool from_peer,
		   struct nsrp_sess_key *keys, struct nsrp_sess *vals,
		   unsigned int max)
{
	static struct nsrp_sess_key k[256];
	static struct nsrp_sess v[256];
	struct sesstab_cursor c = { 0 };
	unsigned int got = 0, n_local;
	uint64_t soonest = UINT64_MAX;
	int n;

	while (got < max && !c.done) {
		n = sesstab_expired_next(fd, &c, now, k, v, 256, &n_local,
					 &soonest, NULL);
		if (n < 0)
			return n;
		for (int i = from_peer ? (int)n_local : 0;
		     i < (from_peer ? n : (int)n_local) && got < max; i++) {
			keys[got] = k[i];
			vals[got++] = v[i];
		}
	}
	return (int)got;
}

static void test_empty_map(void)
{
	struct nsrp_sess_key k;
	struct nsrp_sess v;
	struct sesstab_cursor c = { 0 };
	int fd;

	if (!bpf_tests_allowed())
		return;
	fd = map_new();
	CU_ASSERT_EQUAL(sesstab_read(fd, &c, &k, &v, 1), 0);
	CU_ASSERT_TRUE(c.done);
	CU_ASSERT_EQUAL(sesstab_count(fd), 0);
	CU_ASSERT_EQUAL(expired(fd, UINT64_MAX, false, &k, &v, 1), 0);
	CU_ASSERT_EQUAL(sesstab_count(-1), SESSTAB_COUNT_ERR);
	close(fd);
}

/*
 * A sweep in steps finds what the whole-map walk finds, local ones first,
 * and counts the live ones by state and origin.
 */
static void test_expired_in_steps(void)
{
	struct nsrp_sess_key keys[256];
	struct nsrp_sess vals[256];
	struct sesstab_cursor c = { 0 };
	struct sesstab_tally tally = { 0 };
	unsigned int local = 0, peer = 0, bad = 0, steps = 0, n_local;
	unsigned int live_peer = 0;
	uint64_t soonest = UINT64_MAX;
	int fd, n;

	if (!bpf_tests_allowed())
		return;
	fd = map_new();
	fill_big(fd);
	while (!c.done && steps++ < BIG_N) {
		n = sesstab_expired_next(fd, &c, 5000, keys, vals, 256,
					 &n_local, &soonest, &tally);
		CU_ASSERT_FATAL(n >= 0 && n_local <= (unsigned int)n);
		for (int i = 0; i < n; i++) {
			bool from_peer = vals[i].flags & NSRP_SF_FROM_PEER;

			bad += vals[i].expires_ns > 5000 ||
			       from_peer != ((unsigned int)i >= n_local) ||
			       from_peer != (key_index(&keys[i]) % 3 == 0);
		}
		local += n_local;
		peer += n - n_local;
	}
	CU_ASSERT_TRUE(c.done);
	CU_ASSERT_EQUAL(local, 5001 - 1667);
	CU_ASSERT_EQUAL(peer, 1667);
	CU_ASSERT_EQUAL(bad, 0);
	/* The rest lives: entries 5001 on, every third the peer's. */
	for (unsigned int i = 5001; i < BIG_N; i++)
		live_peer += i % 3 == 0;
	CU_ASSERT_EQUAL(tally.n[NSRP_SS_NONE][0], BIG_N - 5001 - live_peer);
	CU_ASSERT_EQUAL(tally.n[NSRP_SS_NONE][1], live_peer);
	CU_ASSERT_EQUAL(tally.n[NSRP_SS_ESTABLISHED][0], 0);
	/* The next sweep is due when the first entry left expires. */
	CU_ASSERT_EQUAL(soonest, 5001);
	/* Chunks of at most 256: the whole map took many steps. */
	CU_ASSERT_TRUE(steps >= BIG_N / 256);
	close(fd);
}

static void test_expired_and_delete(void)
{
	struct nsrp_sess_key *keys = calloc(BIG_N, sizeof(*keys));
	struct nsrp_sess *vals = calloc(BIG_N, sizeof(*vals));
	unsigned int bad = 0;
	int fd, n, n_peer;

	CU_ASSERT_FATAL(keys && vals);
	if (!bpf_tests_allowed())
		goto out;
	fd = map_new();
	fill_big(fd);
	/* Entries 0..5000 have expires_ns <= 5000: 1667 from the peer. */
	n_peer = expired(fd, 5000, true, keys, vals, BIG_N);
	CU_ASSERT_EQUAL(n_peer, 1667);
	for (int i = 0; i < n_peer; i++)
		bad += !(vals[i].flags & NSRP_SF_FROM_PEER) ||
		       vals[i].expires_ns > 5000 ||
		       key_index(&keys[i]) % 3 != 0;
	n = expired(fd, 5000, false, keys, vals, BIG_N);
	CU_ASSERT_EQUAL(n, 5001 - 1667);
	for (int i = 0; i < n; i++)
		bad += (vals[i].flags & NSRP_SF_FROM_PEER) ||
		       vals[i].expires_ns > 5000;
	CU_ASSERT_EQUAL(bad, 0);
	/* At most max, however many there are. */
	CU_ASSERT_EQUAL(expired(fd, 5000, false, keys, vals, 10), 10);
	CU_ASSERT_EQUAL(expired(fd, 5000, false, keys, vals, 0), 0);

	/* Batch delete of the local ones. */
	n = expired(fd, 5000, false, keys, vals, BIG_N);
	CU_ASSERT_EQUAL(sesstab_delete(fd, keys, n), n);
	CU_ASSERT_EQUAL(sesstab_count(fd), BIG_N - n);
	CU_ASSERT_EQUAL(expired(fd, 5000, false, keys, vals, BIG_N),
			0);
	/* Keys already gone, mixed with present ones, are skipped. */
	keys[0] = key_v4(0);		/* from the peer, present */
	keys[1] = key_v4(1);		/* local, deleted above */
	keys[2] = key_v4(3);		/* from the peer, present */
	keys[3] = key_v4(2);		/* local, deleted above */
	CU_ASSERT_EQUAL(sesstab_delete(fd, keys, 4), 2);
	CU_ASSERT_EQUAL(sesstab_delete(fd, keys, 4), 0);
	CU_ASSERT_EQUAL(sesstab_delete(fd, keys, 0), 0);
	CU_ASSERT_EQUAL(sesstab_count(fd), BIG_N - n - 2);
	close(fd);
out:
	free(keys);
	free(vals);
}

static void test_set_expiry(void)
{
	struct nsrp_sess_key k = key_v4(5), gone = key_v4(6);
	struct nsrp_sess s = { .expires_ns = 10, .state = NSRP_SS_UDP,
			       .vsd = 4, .flags = NSRP_SF_FROM_PEER }, got;
	int fd;

	if (!bpf_tests_allowed())
		return;
	fd = map_new();
	s.bytes[1] = 99;
	CU_ASSERT_EQUAL(put(fd, &k, &s), 0);
	CU_ASSERT_EQUAL(sesstab_set_expiry(fd, &k, 12345 * NS), 0);
	CU_ASSERT_EQUAL_FATAL(get(fd, &k, &got), 0);
	s.expires_ns = 12345 * NS;
	CU_ASSERT_EQUAL(memcmp(&s, &got, sizeof(s)), 0);
	CU_ASSERT_EQUAL(sesstab_set_expiry(fd, &gone, 1), -ENOENT);
	CU_ASSERT_EQUAL(get(fd, &gone, &got), -ENOENT);
	close(fd);
}

/*
 * An LRU map too small for what is put in it evicts silently; the
 * accounting formula finds every eviction.
 */
static void test_eviction_accounting(void)
{
	struct sesstab_acct acct = { 0 };
	struct nsrp_sess_key keys[100];
	struct nsrp_sess vals[100];
	uint64_t present, swept, evicted;
	int fd, n;

	if (!bpf_tests_allowed())
		return;
	fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "sesstab_small",
			    sizeof(struct nsrp_sess_key),
			    sizeof(struct nsrp_sess), 512, NULL);
	CU_ASSERT_FATAL(fd >= 0);
	for (unsigned int i = 0; i < 3000; i++) {
		struct nsrp_event ev = wire_ev(NSRP_EV_CREATE, i, NS,
					       NSRP_SS_ESTABLISHED);

		CU_ASSERT_EQUAL(sesstab_apply_acct(fd, &ev, i, 8, NULL, NULL,
						   NULL, &acct), 0);
		if (i % 10 == 9) {	/* a DELETE now and then */
			ev = wire_ev(NSRP_EV_DELETE, i - 1, 0, 0);
			CU_ASSERT_EQUAL(sesstab_apply_acct(fd, &ev, i, 8, NULL,
							   NULL, NULL, &acct),
					0);
		}
	}
	/* Sweep 100 of them: all have expired 8 s after their creation. */
	n = expired(fd, 8 * NS + 2999, true, keys, vals, 100);
	CU_ASSERT_EQUAL(n, 100);
	swept = sesstab_delete(fd, keys, n);
	CU_ASSERT_EQUAL(swept, 100);
	present = sesstab_count(fd);
	CU_ASSERT(present > 0 && present <= 512 - 100);
	/* 3000 distinct sessions, each created once. */
	CU_ASSERT_EQUAL(acct.created, 3000);
	CU_ASSERT_EQUAL(acct.updated, 0);
	CU_ASSERT(acct.deleted > 0 && acct.deleted <= 300);
	/*
	 * A DELETE for an entry the LRU had already evicted removes nothing
	 * and is not counted, so every one of the 3000 is accounted for
	 * once: deleted, swept, present or evicted.
	 */
	evicted = sesstab_evictions(acct.created, acct.deleted, swept,
				    present);
	CU_ASSERT_EQUAL(evicted + acct.deleted + swept + present, 3000);
	CU_ASSERT(evicted >= 3000 - 300 - 512);
	CU_ASSERT_EQUAL(sesstab_evictions(5, 3, 2, 1), 0);
	close(fd);
}

/* ---------------------------------------------------------- get session */

#define NOW	(1000 * NS)

static void show_fill(int fd)
{
	struct nsrp_sess_key k = { 0 };
	struct nsrp_sess s = { 0 };

	/* TCP, 192.0.2.1:40000 -> 198.51.100.7:80, local, established. */
	k.addr_a[0] = htonl(0xc0000201u);
	k.addr_b[0] = htonl(0xc6336407u);
	k.port_a = htons(40000);
	k.port_b = htons(80);
	k.proto = IPPROTO_TCP;
	k.family = NSRP_AF_INET;
	s.expires_ns = NOW + 1799 * NS + 1;
	s.state = NSRP_SS_ESTABLISHED;
	s.pkts[0] = 10;
	s.pkts[1] = 8;
	s.bytes[0] = 1000;
	s.bytes[1] = 800;
	CU_ASSERT_EQUAL(put(fd, &k, &s), 0);

	/* UDP from the peer, initiated by b: 203.0.113.9:53000 -> ...:53. */
	k.addr_a[0] = htonl(0xc0000202u);
	k.addr_b[0] = htonl(0xcb007109u);
	k.port_a = htons(53);
	k.port_b = htons(53000);
	k.proto = IPPROTO_UDP;
	s = (struct nsrp_sess){ .expires_ns = NOW + 30 * NS,
				.state = NSRP_SS_UDP_REPLIED, .vsd = 1,
				.flags = NSRP_SF_INIT_IS_B |
					 NSRP_SF_FROM_PEER };
	s.pkts[0] = 2;
	s.pkts[1] = 1;
	CU_ASSERT_EQUAL(put(fd, &k, &s), 0);

	/* ICMPv6 echo 2001:db8::1 -> 2001:db8::2, local, expired. */
	memset(&k, 0, sizeof(k));
	inet_pton(AF_INET6, "2001:db8::1", k.addr_a);
	inet_pton(AF_INET6, "2001:db8::2", k.addr_b);
	k.port_a = k.port_b = htons(7);
	k.proto = IPPROTO_ICMPV6;
	k.family = NSRP_AF_INET6;
	s = (struct nsrp_sess){ .expires_ns = NOW - 1,
				.state = NSRP_SS_ICMP };
	CU_ASSERT_EQUAL(put(fd, &k, &s), 0);
}

static const char *tcp_row =
	"   0 tcp   192.0.2.1:40000       -> 198.51.100.7:80       "
	"established    1800 10/8 1000/800 -\n";
static const char *udp_row =
	"   1 udp   203.0.113.9:53000     -> 192.0.2.2:53          "
	"udp_replied      30 2/1 0/0 peer\n";
static const char *icmp_row =
	"   0 icmp6 [2001:db8::1]:7       -> [2001:db8::2]:7       "
	"icmp              0 0/0 0/0 -\n";

/* Runs one `get session ARGS`; returns its status, text in out. */
static int show(int fd, const char *args, int json, struct ctl_out *out)
{
	free(out->buf);
	memset(out, 0, sizeof(*out));
	return sessview_show(fd, args, json, out, NOW, MAP_CAP, NULL);
}

/* Expects exactly the rows flagged in want (tcp, udp, icmp). */
static void expect_rows(int fd, const char *args, bool t, bool u, bool i)
{
	struct ctl_out out = { 0 };
	char total[64];

	CU_ASSERT_EQUAL_FATAL(show(fd, args, 0, &out), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out.buf);
	CU_ASSERT_EQUAL(strstr(out.buf, tcp_row) != NULL, t);
	CU_ASSERT_EQUAL(strstr(out.buf, udp_row) != NULL, u);
	CU_ASSERT_EQUAL(strstr(out.buf, icmp_row) != NULL, i);
	snprintf(total, sizeof(total), "Total %d sessions", t + u + i);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, total));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "(3 of 65536 in the map)"));
	CU_ASSERT_EQUAL(strncmp(out.buf, "id       vsd proto initiator ", 29),
			0);
	if (!strstr(out.buf, total) || (strstr(out.buf, tcp_row) != NULL) != t)
		fprintf(stderr, "get session %s:\n%s", args, out.buf);
	free(out.buf);
}

static void test_show_filters(void)
{
	int fd;

	if (!bpf_tests_allowed())
		return;
	fd = map_new();
	show_fill(fd);
	expect_rows(fd, "", true, true, true);
	expect_rows(fd, "proto tcp", true, false, false);
	expect_rows(fd, "proto udp", false, true, false);
	expect_rows(fd, "proto icmp", false, false, true);
	expect_rows(fd, "proto 58", false, false, true);
	expect_rows(fd, "proto icmp6", false, false, true);
	expect_rows(fd, "src 203.0.113.9", false, true, false);
	expect_rows(fd, "dst 203.0.113.9", false, false, false);
	expect_rows(fd, "dst 192.0.2.2", false, true, false);
	expect_rows(fd, "addr 192.0.2.2", false, true, false);
	expect_rows(fd, "addr 2001:db8::2", false, false, true);
	expect_rows(fd, "port 80", true, false, false);
	expect_rows(fd, "port 53000 proto udp", false, true, false);
	expect_rows(fd, "port 53000 proto tcp", false, false, false);
	expect_rows(fd, "  src 192.0.2.1   port 40000 ", true, false, false);
	close(fd);
}

static void test_show_json(void)
{
	struct ctl_out out = { 0 };
	int fd;

	if (!bpf_tests_allowed())
		return;
	fd = map_new();
	show_fill(fd);
	CU_ASSERT_EQUAL(show(fd, "proto udp", 1, &out), 0);
	CU_ASSERT_EQUAL(strncmp(out.buf, "{\"sessions\":[{\"id\":\"", 20), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf,
		"\"vsd\":1,\"proto\":\"udp\",\"src\":\"203.0.113.9\","
		"\"sport\":53000,\"dst\":\"192.0.2.2\",\"dport\":53,"
		"\"state\":\"udp_replied\",\"timeout\":30,\"pkts\":[2,1],"
		"\"bytes\":[0,0],\"peer\":true}],\"total\":1,\"present\":3,"
		"\"capacity\":65536,\"schema_version\":1}\n"));
	/* The frame around the rows makes one JSON object. */
	{
		json_t *j = json_loads(out.buf, 0, NULL);

		CU_ASSERT_PTR_NOT_NULL(j);
		CU_ASSERT_EQUAL(json_array_size(json_object_get(j,
							"sessions")), 1);
		json_decref(j);
	}
	free(out.buf);
	close(fd);
}

static void test_show_summary(void)
{
	struct ctl_out out = { 0 };
	int fd;

	if (!bpf_tests_allowed())
		return;
	fd = map_new();
	show_fill(fd);
	CU_ASSERT_EQUAL(show(fd, "summary", 0, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf,
		"sessions: 3 (local 2, from peer 1), expired awaiting "
		"removal: 1\nmap: 3 of 65536 entries\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "  established  1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "  udp_replied  1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "  syn_sent     0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf,
		"by protocol:\n  tcp          1\n  udp          1\n"
		"  icmp         1\n  other        0\n"));
	CU_ASSERT_EQUAL(show(fd, "summary", 1, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf,
		"{\"schema_version\":1,\"total\":3,\"local\":2,"
		"\"from_peer\":1,\"expired\":1,"
		"\"present\":3,\"capacity\":65536,\"by_state\":{\"none\":0,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "\"established\":1,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf,
		"\"by_proto\":{\"tcp\":1,\"udp\":1,\"icmp\":1,\"other\":0}}\n"));
	/* Filters narrow the summary too. */
	CU_ASSERT_EQUAL(show(fd, "summary proto tcp", 0, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "sessions: 1 (local 1, "));
	free(out.buf);
	close(fd);
}

static void expect_bad(int fd, const char *args, const char *says)
{
	struct ctl_out out = { 0 };

	CU_ASSERT_EQUAL(show(fd, args, 0, &out), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(out.buf);
	if (out.buf) {
		CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, says));
		CU_ASSERT_PTR_NULL(strstr(out.buf, "Total"));
	}
	free(out.buf);
}

static void test_show_bad_args(void)
{
	int fd;

	if (!bpf_tests_allowed())
		return;
	fd = map_new();
	show_fill(fd);
	expect_bad(fd, "bogus", "unknown word 'bogus'");
	expect_bad(fd, "port 70000", "bad port '70000'");
	expect_bad(fd, "port -1", "bad port '-1'");
	expect_bad(fd, "port 8x", "bad port '8x'");
	expect_bad(fd, "proto sctpx", "bad proto 'sctpx'");
	expect_bad(fd, "src 192.0.2", "bad address '192.0.2' after src");
	expect_bad(fd, "addr", "'addr' needs a value");
	expect_bad(fd, "proto tcp summary extra", "unknown word 'extra'");
	close(fd);
}

TEST_SUITE(sesstab, NULL, NULL,
	   TEST(test_to_wire),
	   TEST(test_apply_sequence),
	   TEST(test_apply_owned),
	   TEST(test_apply_many_new),
	   TEST(test_apply_copies_expire),
	   TEST(test_apply_many_existing),
	   TEST(test_apply_many_same_key),
	   TEST(test_apply_many_delete_between),
	   TEST(test_apply_many_owned),
	   TEST(test_apply_many_bad_kind),
	   TEST(test_apply_many_as_one_by_one),
	   TEST(test_kernel_apply_many_new),
	   TEST(test_kernel_apply_copies_expire),
	   TEST(test_kernel_apply_many_existing),
	   TEST(test_kernel_apply_many_same_key),
	   TEST(test_kernel_apply_many_delete_between),
	   TEST(test_kernel_apply_many_owned),
	   TEST(test_kernel_apply_many_bad_kind),
	   TEST(test_kernel_apply_many_as_one_by_one),
	   TEST(test_kernel_apply_ctx),
	   TEST(test_read_chunks),
	   TEST(test_empty_map),
	   TEST(test_expired_and_delete),
	   TEST(test_expired_in_steps),
	   TEST(test_set_expiry),
	   TEST(test_eviction_accounting),
	   TEST(test_show_filters),
	   TEST(test_show_json),
	   TEST(test_show_summary),
	   TEST(test_show_bad_args))
