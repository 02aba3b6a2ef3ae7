/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NSRPD_DAEMON_H
#define NSRPD_DAEMON_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "ctl.h"
#include "dataplane.h"
#include "election.h"
#include "hacrypt.h"
#include "halink.h"
#include "proto.h"
#include "replay.h"
#include "sync.h"

#define NSRPD_CONF_DEFAULT	"/etc/nsrpd/nsrpd.conf"
#define NSRPD_HISTORY		64	/* transitions kept for "get nsrp" */

/* What the daemon knows of the other unit. */
struct nsrpd_peer {
	bool present;		/* heard within the threshold on some path */
	bool ever;
	uint32_t unit_id;
	uint8_t mac[6];
	uint64_t epoch;
	uint64_t hb_seq;	/* sequence number of hb below */
	uint64_t last_rx_ns;
	struct proto_hb hb;	/* its latest heartbeat */
	struct replay_window replay;
};

/* One VSD group of the local unit. */
struct nsrpd_group {
	bool active;
	struct vsd vsd;
	uint8_t peer_state;	/* enum vsd_state, 0: unknown */
	bool announce_due;	/* an announcement failed: retry each heartbeat */
	unsigned int announce_left;	/* rounds still to send, one a heartbeat */
	uint64_t announced_ns;		/* when the last round went */
};

struct nsrpd_event_rec {
	uint64_t mono_ns;
	uint64_t real_s;
	unsigned int vsd;
	struct vsd_transition t;
};

struct nsrpd {
	/* Configuration, and where it came from. */
	struct nsrp_config cfg;
	const char *cfg_path;
	const char *sock_path;
	const char *pin_dir;

	/*
	 * The session map and the data plane's counters of it as the agent
	 * found them: the base of the LRU eviction estimate (sesstab.h).
	 */
	uint64_t sess_at_start, learned_at_start, deleted_at_start;

	/* The unit. */
	uint32_t unit_id;
	uint8_t mac[6];		/* HA interface MAC: election tie-break */
	uint64_t epoch;
	uint64_t seq;

	struct dataplane dp;
	struct ha_path path[HA_NPATHS];
	bool peer_returned;	/* heard again after it was lost */
	bool primary_alarm;	/* primary path lost, secondary carries on */
	struct hacrypt crypt;
	struct nsrpd_peer peer;
	struct nsrpd_group group[NSRPD_MAX_VSD];
	struct nsrpd_sync sync;
	bool started;		/* cluster_start() ran: groups are live */
	bool stopping;
	uint64_t stop_deadline_ns;

	/* Event loop. */
	int epfd, sfd;
	struct ctl_server ctl;
	uint64_t next_hb_ns;
	uint64_t next_mtu_check_ns;	/* the HA paths' MTU is read again */
	uint64_t last_wake_ns;	/* the loop's last wake-up: stall detection */
	bool draining;		/* reading a stall's backlog: no election */
	uint64_t ring_hold_ns;	/* the event ring is read again then; 0: armed */

	/* Counters. */
	uint64_t rx_drop[PROTO_R_MAX];
	uint64_t hb_tx, hb_rx, looped;
	uint64_t notify_runs, notify_fail;

	/* Transition history, a ring. */
	struct nsrpd_event_rec hist[NSRPD_HISTORY];
	unsigned int hist_n;
};

/*
 * The signals the daemon handles, all read from its signalfd: main()
 * blocks them before anything starts, the loop reads them.
 */
void nsrpd_signal_set(sigset_t *set);

int nsrpd_init(struct nsrpd *d);
int nsrpd_run(struct nsrpd *d);
void nsrpd_fini(struct nsrpd *d);

/*
 * Swaps in a configuration that config_restart_needed() accepted (a
 * reload, a set or unset from nsrpctl) and makes it take effect at once:
 * the groups' election settings now, a heartbeat carrying them with the
 * next turn of the loop, and the timer re-armed at the new interval.
 */
void nsrpd_config_swap(struct nsrpd *d, const struct nsrp_config *n);
/*
 * One "set ..." or "unset ..." line at run time, through
 * config_apply_runtime(). Returns 0 (applied and logged), or -EINVAL with
 * the problem in msg and nothing changed.
 */
int nsrpd_config_line(struct nsrpd *d, const char *line, char *msg,
		      size_t msglen);

/*
 * What one pass of the event loop spends on sync frames, receiving them on
 * a path or sending them, before it lets heartbeats and timers run. A bulk
 * sync comes in faster than it is applied: a pass that took all that was
 * queued ran 22-33 ms (77 ms under the sanitizers), and one that sent a
 * full window of small frames 10-15 ms, no heartbeat sent meanwhile; at
 * hb-interval 10 ms the peer would lose the unit. What is left stays
 * readable, or due at once, and the loop comes straight back for it.
 */
#define NSRPD_SLICE_NS		(1 * NS_PER_MS)

/* Has a job that began at start used up its slice of the pass? */
static inline bool nsrpd_slice_spent(uint64_t start)
{
	return dp_now_ns() - start >= NSRPD_SLICE_NS;
}

/* cluster.c: heartbeats, election, failover actions. */
int cluster_start(struct nsrpd *d);
void cluster_tick(struct nsrpd *d, uint64_t now);
void cluster_wake(struct nsrpd *d, uint64_t now);
void cluster_rx(struct nsrpd *d, enum ha_path_id id, uint64_t now);
int cluster_command(struct nsrpd *d, unsigned int vsd, enum vsd_cmd cmd,
		    uint64_t now);
void cluster_shutdown(struct nsrpd *d, uint64_t now);
void cluster_stop(struct nsrpd *d);
uint64_t cluster_next_deadline(struct nsrpd *d);
/* A header for the next frame this unit sends: its own sequence number. */
void cluster_hdr(struct nsrpd *d, struct proto_hdr *h);
/* Counts a refused frame under its reason (r or -r). */
void cluster_count_drop(struct nsrpd *d, int reason);

/* status.c: the control socket's commands. */
int status_handle(void *arg, const char *cmd, int json, struct ctl_out *out);
/* The commands that walk the session map: a child process answers them. */
bool status_is_slow(const char *cmd);

#endif
