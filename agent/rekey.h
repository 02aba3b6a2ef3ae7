/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rekey.h - the HA link's keys derived from new passwords off the event
 * loop.
 *
 * Deriving a key set takes Argon2id's time and memory on purpose: 1.2 to
 * 1.8 s on a loaded two-core machine. Done on the event loop of a running
 * unit it would hold back every heartbeat for that long, and the peer
 * would take over. So a password changed at run time is derived on a
 * thread of its own; the loop learns that it ended from an eventfd, and
 * only then hands the keys to the session layer (hasess_rekey()). A
 * change made while one is derived is derived next; only the newest
 * passwords count.
 */
#ifndef NSRPD_REKEY_H
#define NSRPD_REKEY_H

#include <pthread.h>
#include <stdbool.h>

#include "config.h"
#include "hacrypt.h"

struct rekey {
	int efd;			/* readable when a derivation ended */
	bool busy;			/* a thread derives */
	bool queued;			/* newer passwords wait for it */
	pthread_t thread;
	/* What the thread reads, then writes; the loop's again once it ended. */
	char auth_pw[CFG_SECRET_LEN];
	char enc_pw[CFG_SECRET_LEN];
	unsigned int cluster_id;
	struct hacrypt_keys keys;
	int err;
	/* The newest passwords asked for, while busy. */
	char next_auth[CFG_SECRET_LEN];
	char next_enc[CFG_SECRET_LEN];
	unsigned int next_cluster;
};

int rekey_init(struct rekey *r);
/* Waits for a derivation under way and wipes every password and key. */
void rekey_fini(struct rekey *r);
int rekey_fd(const struct rekey *r);
bool rekey_busy(const struct rekey *r);

/* Derives the keys of these passwords, now or after the one under way. */
int rekey_start(struct rekey *r, const char *auth_pw, const char *enc_pw,
		unsigned int cluster_id);
/*
 * When rekey_fd() is readable: 1 with the keys of the newest passwords
 * in *out, 0 when a newer derivation started instead, or -errno when
 * the derivation failed.
 */
int rekey_done(struct rekey *r, struct hacrypt_keys *out);

#endif
