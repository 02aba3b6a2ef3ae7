/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * daemon.h - nsrpd itself: the parts of a unit, joined. Each part owns
 * its state and knows nothing of the others; the daemon holds them all,
 * runs the event loop, and carries what one part says to the others
 * (docs/ARCHITECTURE.md draws it).
 */
#ifndef NSRPD_DAEMON_H
#define NSRPD_DAEMON_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "cfgsync.h"
#include "cluster.h"
#include "command.h"
#include "config.h"
#include "ctl.h"
#include "cthandoff.h"
#include "dataplane.h"
#include "dpprobe.h"
#include "hasess.h"
#include "health.h"
#include "linkwatch.h"
#include "loopstat.h"
#include "metrics.h"
#include "notify.h"
#include "pact.h"
#include "rekey.h"
#include "routenl.h"
#include "routesync.h"
#include "sdnotify.h"
#include "sweep.h"
#include "sync.h"
#include "vsi.h"

#define NSRPD_CONF_DEFAULT	"/etc/nsrpd/nsrpd.conf"

struct ring_buffer;

struct nsrpd {
	/* Configuration, and where it came from. */
	struct nsrp_config cfg;
	const char *cfg_path;
	const char *sock_path;
	const char *pin_dir;

	/* The parts. */
	struct dataplane dp;
	struct vsi vsi;
	struct hasess ha;
	struct cluster cl;
	struct sync sy;
	struct routesync rs;		/* route sync, set nsrp rto-mirror route */
	struct routenl rnl;		/* its netlink sockets, once it is on */
	uint64_t rnl_retry_ns;		/* they failed to open: again then */
	struct sweep sw;
	struct cthandoff cth;
	struct health health;
	struct cfgsync cs;
	struct pact pact;		/* ends when the peer's agent dies */
	struct linkwatch halinks;	/* the HA paths' carrier */
	struct dpprobe probe;		/* of the peer's data plane */
	struct notify nt;
	struct rekey rekey;		/* new HA link passwords, off the loop */
	struct ctl_server ctl;
	struct command_env cmd;
	struct sdnotify sd;		/* what systemd is told */
	struct metrics metrics;		/* the metrics page */

	/* The event loop. */
	int epfd, sfd;
	struct ring_buffer *ring;	/* session events from the data plane */
	uint64_t ring_hold_ns;	/* the ring is read again then; 0: armed */
	bool health_watched[HEALTH_NFDS];	/* its fd is in the epoll set */
	struct loop_stats loop;		/* its passes, for get nsrp */
};

/*
 * The signals the daemon handles, all read from its signalfd: main()
 * blocks them before anything starts, the loop reads them.
 */
void nsrpd_signal_set(sigset_t *set);

int nsrpd_init(struct nsrpd *d);
int nsrpd_run(struct nsrpd *d);
void nsrpd_fini(struct nsrpd *d);

#endif
