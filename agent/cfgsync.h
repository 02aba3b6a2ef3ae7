/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cfgsync.h - config sync: one configuration for the pair.
 *
 * Each unit's configuration is the pair's part (replicated) and its own
 * (local: config.h's enum cfg_part), plus the files "set nsrp config sync
 * file" names. Every heartbeat carries the checksum of the replicated
 * part (with the files' digests), a checksum of all the unit would share
 * (its configuration but the secrets), and a generation that grows with
 * every change of the replicated part. Whenever the peer's shareable
 * checksum changes, the unit fetches the peer's text (a piece per frame,
 * each asked for and answered: PROTO_T_CONFIG), so it always knows what
 * the peer runs.
 *
 * From that: get nsrp says whether the pair is in sync, and a pair that
 * stays out of sync raises an alarm; exec nsrp sync global-config
 * check-sum, diff and save work at once, from the copy; a change this
 * unit makes is checked against the peer's configuration too, so that a
 * line the peer would refuse is refused on both; and with "set nsrp config
 * sync" on both units, the unit with the older generation takes the
 * newer replicated part (merged with its own local lines, checked, saved
 * and applied as a reload), and the files with it (checked by their
 * check command before they replace the old, then reloaded). A unit
 * never pushes: the older pulls, so a unit that never held a replicated
 * configuration (generation 0) cannot empty its peer's.
 */
#ifndef NSRPD_CFGSYNC_H
#define NSRPD_CFGSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "ctl.h"
#include "hasess.h"
#include "proto.h"

#define CFGSYNC_FILE_MAX	(1 << 20)	/* bytes of a synced file */
#define CFGSYNC_DIGEST_LEN	16		/* hex digits of a file's */

/* What the daemon does for the config sync. */
struct cfgsync_ops {
	/*
	 * Runs next in place of the running configuration, as a reload
	 * does: 0, or -errno with the reason in msg (next is refused).
	 */
	int (*apply)(void *arg, const struct nsrp_config *next, char *msg,
		     size_t msglen);
	/* The pair stays out of sync, or is in sync again: the hook. */
	void (*alarm)(void *arg, bool raised, const char *why);
	void *arg;
};

/* A piece-by-piece fetch of one of the peer's objects. */
struct cfgsync_fetch {
	bool active;
	uint16_t obj;		/* 0: the peer's text; 1 + n: its file n */
	uint32_t id;		/* of this fetch, echoed in each piece */
	uint8_t *buf;
	size_t off, total;
	uint64_t retry_ns;	/* the piece is asked for again then */
	unsigned int tries;
};

/* A file of ours as config sync knows it. */
struct cfgsync_file {
	char digest[CFGSYNC_DIGEST_LEN + 1];	/* "none": missing */
	char refused[CFGSYNC_DIGEST_LEN + 1];	/* the peer's, failed check */
	int wd;				/* inotify watch of its directory */
};

struct cfgsync {
	const struct nsrp_config *cfg;	/* the daemon's, swapped in place */
	const char *cfg_path;
	struct hasess *ha;
	struct cfgsync_ops ops;
	int inotify_fd;

	/* Ours. */
	struct proto_hb_cfg own;	/* as our heartbeat carries it */
	char *share;			/* our shareable text (object 0) */
	char *replicated;		/* our replicated lines */
	struct cfgsync_file file[CFG_MAX_SYNCFILES];

	/* The peer's, as its heartbeat says, and as last fetched. */
	bool peer_present;
	bool peer_tells;		/* its heartbeat carries config state */
	struct proto_hb_cfg peer;
	char *peer_text;		/* its shareable text, NULL: none yet */
	uint32_t peer_text_full;	/* the checksum peer_text had */
	struct cfgsync_fetch fetch;

	/* Taking the peer's files: one at a time, checked then reloaded. */
	pid_t check_pid, reload_pid;
	unsigned int file_taking;	/* index into our config's files */
	char file_tmp[CFG_PATH_LEN + 16];

	/* Out of sync, and its alarm. */
	uint64_t out_since_ns;		/* 0: in sync */
	bool alarm;
	char why[160];			/* the alarm's words */
	char restart_for[64];		/* taken, saved, not applied: why */
	uint32_t tried_full;		/* the peer's text last taken or not */

	/* Counters, since start. */
	uint64_t taken, refused, fetched, pieces_tx, files_taken;
};

int cfgsync_init(struct cfgsync *cs, const struct nsrp_config *cfg,
		 const char *cfg_path, struct hasess *ha,
		 const struct cfgsync_ops *ops, uint64_t now);
void cfgsync_fini(struct cfgsync *cs);
/* inotify's fd, for the loop: the synced files changed. */
int cfgsync_fd(const struct cfgsync *cs);
void cfgsync_event(struct cfgsync *cs, uint64_t now);

/*
 * The configuration changed (a set, a reload, a save): its checksums
 * again, and a new generation when the replicated part changed.
 */
void cfgsync_refresh(struct cfgsync *cs, uint64_t now);
/* What our heartbeats carry. */
const struct proto_hb_cfg *cfgsync_own(const struct cfgsync *cs);
/* The peer's latest heartbeat, or its loss (hb NULL). */
void cfgsync_peer(struct cfgsync *cs, const struct proto_hb *hb);
void cfgsync_tick(struct cfgsync *cs, uint64_t now);
uint64_t cfgsync_next_deadline(const struct cfgsync *cs, uint64_t now);
/* A child the daemon reaped: true when it was a file's command. */
bool cfgsync_reaped(struct cfgsync *cs, pid_t pid, int status, uint64_t now);

/* Config sync runs both ways: both units set it, and tell each other. */
bool cfgsync_active(const struct cfgsync *cs);
/* Both run the same replicated configuration and files. */
bool cfgsync_in_sync(const struct cfgsync *cs);
/* Preempt waits: the configurations differ, and ours is not the newer. */
bool cfgsync_holds_preempt(const struct cfgsync *cs);
/*
 * Would the peer take next's replicated part? 0, or -EINVAL with its
 * reason in err. True (0) when config sync does not run.
 */
int cfgsync_peer_accepts(const struct cfgsync *cs,
			 const struct nsrp_config *next, char *err,
			 size_t errlen);

/* exec nsrp sync global-config check-sum | diff | save */
int cfgsync_cmd_checksum(struct cfgsync *cs, struct ctl_out *o);
int cfgsync_cmd_diff(struct cfgsync *cs, struct ctl_out *o);
int cfgsync_cmd_save(struct cfgsync *cs, struct ctl_out *o, uint64_t now);

#endif
