// SPDX-License-Identifier: GPL-2.0-only
/*
 * rekey.c - key derivation on a thread of its own (see rekey.h).
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include <sys/eventfd.h>
#include <sys/resource.h>

#include "log.h"
#include "rekey.h"

#define REKEY_NICE	10

int rekey_init(struct rekey *r)
{
	memset(r, 0, sizeof(*r));
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return r->efd < 0 ? -errno : 0;
}

static void rekey_wipe(struct rekey *r)
{
	sodium_memzero(r->auth_pw, sizeof(r->auth_pw));
	sodium_memzero(r->enc_pw, sizeof(r->enc_pw));
	sodium_memzero(r->next_auth, sizeof(r->next_auth));
	sodium_memzero(r->next_enc, sizeof(r->next_enc));
	hacrypt_keys_clear(&r->keys);
}

/* Waits for the thread's eventfd: past it, the thread touches r no more. */
static void rekey_wait(struct rekey *r)
{
	struct pollfd p = { .fd = r->efd, .events = POLLIN };
	uint64_t n;

	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	if (read(r->efd, &n, sizeof(n)) != sizeof(n))
		r->err = r->err ? r->err : -EIO;
}

void rekey_fini(struct rekey *r)
{
	if (r->busy)
		rekey_wait(r);
	r->busy = false;
	rekey_wipe(r);
	if (r->efd >= 0)
		close(r->efd);
	r->efd = -1;
}

int rekey_fd(const struct rekey *r)
{
	return r->efd;
}

bool rekey_busy(const struct rekey *r)
{
	return r->busy;
}

static void *rekey_thread(void *arg)
{
	struct rekey *r = arg;
	uint64_t one = 1;

	/* Best effort: on Linux a thread's nice value is its own. */
	setpriority(PRIO_PROCESS, (id_t)gettid(), REKEY_NICE);
	r->err = hacrypt_derive(&r->keys, r->auth_pw, r->enc_pw,
				r->cluster_id);
	/*
	 * The last touch of r: the loop reads the keys once it has read the
	 * eventfd, and the write is its barrier. A failed write (which an
	 * eventfd far from its limit does not do) would leave the loop
	 * waiting, with the old keys.
	 */
	if (write(r->efd, &one, sizeof(one)) != sizeof(one))
		pr_err("rekey: eventfd: %s", strerror(errno));
	return NULL;
}

/*
 * The thread runs under SCHED_OTHER at a low priority, not as the loop
 * does: a second of Argon2id must not hold back the heartbeats, which it
 * would as a SCHED_FIFO thread inherited from a loop with
 * realtime-priority set (the kernel's throttling leaves others 5%).
 * It is detached: joined, the loop would wait for the end of a thread
 * that a busy machine may leave without a CPU for seconds at its nice
 * value, with every heartbeat held back behind it.
 */
static int rekey_spawn(struct rekey *r)
{
	struct sched_param none = { .sched_priority = 0 };
	pthread_attr_t attr;
	int err;

	err = pthread_attr_init(&attr);
	if (err)
		return -err;
	err = pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	if (!err)
		err = pthread_attr_setschedpolicy(&attr, SCHED_OTHER);
	if (!err)
		err = pthread_attr_setschedparam(&attr, &none);
	if (!err)
		err = pthread_attr_setdetachstate(&attr,
						  PTHREAD_CREATE_DETACHED);
	if (!err)
		err = pthread_create(&r->thread, &attr, rekey_thread, r);
	pthread_attr_destroy(&attr);
	if (err)
		return -err;
	r->busy = true;
	return 0;
}

static void copy_secret(char *dst, const char *src)
{
	snprintf(dst, CFG_SECRET_LEN, "%s", src ? src : "");
}

int rekey_start(struct rekey *r, const char *auth_pw, const char *enc_pw,
		unsigned int cluster_id)
{
	if (r->busy) {
		copy_secret(r->next_auth, auth_pw);
		copy_secret(r->next_enc, enc_pw);
		r->next_cluster = cluster_id;
		r->queued = true;
		return 0;
	}
	copy_secret(r->auth_pw, auth_pw);
	copy_secret(r->enc_pw, enc_pw);
	r->cluster_id = cluster_id;
	return rekey_spawn(r);
}

int rekey_done(struct rekey *r, struct hacrypt_keys *out)
{
	uint64_t n;
	int err;

	if (read(r->efd, &n, sizeof(n)) != sizeof(n) || !r->busy)
		return 0;
	r->busy = false;
	if (r->queued) {
		r->queued = false;
		memcpy(r->auth_pw, r->next_auth, sizeof(r->auth_pw));
		memcpy(r->enc_pw, r->next_enc, sizeof(r->enc_pw));
		r->cluster_id = r->next_cluster;
		err = rekey_spawn(r);
		return err ? err : 0;
	}
	err = r->err;
	if (!err)
		*out = r->keys;
	rekey_wipe(r);
	return err ? err : 1;
}
