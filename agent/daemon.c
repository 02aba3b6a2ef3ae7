// SPDX-License-Identifier: GPL-2.0-only
/*
 * daemon.c - set-up, the event loop and tear-down of nsrpd, and the
 * joints between its parts.
 *
 * One thread, one epoll set, waited on until the next thing that must
 * happen (heartbeat, peer loss, election and sync timers, the sweep, the
 * session ring's hold): a signalfd for every signal (nothing runs in a
 * signal handler), the HA path sockets, the control socket and the
 * session event ring.
 *
 * The parts never call each other: the cluster tells the daemon what
 * happened (struct cluster_events), and the daemon tells the VSIs, the
 * sync, the conntrack hand-off and the notify hook; the sync's hold on
 * preempt goes the other way, as an input of each election.
 */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "clock.h"
#include "daemon.h"
#include "garp.h"
#include "ident.h"
#include "log.h"
#include "manage.h"
#include "netlink.h"
#include "openmetrics.h"
#include "privs.h"

/* epoll tags: what became ready. */
enum {
	EV_SIGNAL = 1,
	EV_CTL,
	EV_RING,	/* session events from the data plane */
	EV_PATH0,	/* + enum ha_path_id */
	EV_HEALTH0 = EV_PATH0 + HA_NPATHS,	/* + health_fd()'s index */
	EV_CFGSYNC = EV_HEALTH0 + HEALTH_NFDS,	/* synced files changed */
	EV_HALINKS,	/* an HA path's link changed */
	EV_PACT,	/* a pact's socket, its fd above the low 32 bits */
	EV_REKEY,	/* new HA link keys are derived */
	EV_METRICS,	/* the metrics page's sockets */
	EV_PROBE,	/* answers from the peer's data plane */
	EV_ROUTE_WATCH,	/* the kernel's routes changed */
	EV_ROUTE_DUMP,	/* a dump of them came in */
};

#define EV_TAG(ev, fd)	((uint64_t)(fd) << 32 | (ev))

static int ep_ctl(int epfd, int op, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = { .events = events, .data.u64 = tag };

	return epoll_ctl(epfd, op, fd, &ev) ? -errno : 0;
}

static int ep_add(int epfd, int fd, uint64_t tag)
{
	return ep_ctl(epfd, EPOLL_CTL_ADD, fd, EPOLLIN, tag);
}

/* ------------------------------------------------------------ the joints */

/*
 * The roles as systemd's STATUS= shows them, "vsd 0 master, vsd 1
 * backup"; settled once no group is in Initial any more.
 */
static bool nsrpd_roles(const struct nsrpd *d, char *buf, size_t len)
{
	bool settled = true;
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		const struct cluster_group *g = &d->cl.group[i];
		int n;

		if (!g->active)
			continue;
		settled &= g->vsd.state != VSD_INITIAL;
		n = snprintf(buf + used, len - used, "%svsd %u %s",
			     used ? ", " : "", i, vsd_state_name(g->vsd.state));
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += n;
	}
	if (!used)
		snprintf(buf, len, "no VSD group runs");
	return settled;
}

/* READY=1 once every group has its first role; STATUS= on each change. */
static void nsrpd_tell_systemd(struct nsrpd *d)
{
	char roles[SDNOTIFY_STATUS_LEN];

	if (!d->sd.on || !d->cl.started)
		return;
	if (nsrpd_roles(d, roles, sizeof(roles)) || d->sd.ready)
		sdnotify_ready(&d->sd, roles);
}

static void nsrpd_on_transition(void *arg, unsigned int vsd,
				const struct vsd_transition *t, uint64_t now)
{
	struct nsrpd *d = arg;
	bool was = t->from == VSD_MASTER, is = t->to == VSD_MASTER;

	if (is && !was) {
		vsi_take(&d->vsi, vsd, now + cluster_ctl_dead_ns(&d->cl));
		sync_takeover(&d->sy, vsd, now);
		routesync_takeover(&d->rs, vsd, now);
		cthandoff_start(&d->cth, vsd, now);
	} else if (was && !is) {
		/* Handed over: what still arrives is forwarded a while. */
		if (t->handed_over)
			vsi_leave(&d->vsi, vsd, now + VSI_LEAVE_GRACE_NS);
		else
			vsi_release(&d->vsi, vsd);
		sync_released(&d->sy, vsd);
		routesync_released(&d->rs, vsd, now);
	}
	notify_run(&d->nt, &d->cfg, vsd, t);
	nsrpd_tell_systemd(d);
}

static void nsrpd_on_reassert(void *arg, unsigned int vsd, uint64_t now)
{
	struct nsrpd *d = arg;

	(void)now;
	vsi_reassert(&d->vsi, vsd);
}

/*
 * The role map's deadline moves on with every heartbeat while master:
 * the data plane answers on its own for the control plane's deadline.
 */
static void nsrpd_on_heartbeat(void *arg, uint64_t now)
{
	struct nsrpd *d = arg;

	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++)
		if (cluster_is_master(&d->cl, i))
			vsi_refresh(&d->vsi, i,
				    now + cluster_ctl_dead_ns(&d->cl), now);
}

static void nsrpd_ring_read(struct nsrpd *d, uint64_t now);

/*
 * A hand-over of vsd begins: the data plane stops answering (it forwards
 * until the hand-over ends, or gives up, and a grace after), and the
 * sessions it made so far must reach the peer before it takes master.
 * Called off: master again.
 */
static void nsrpd_on_leaving(void *arg, unsigned int vsd, bool leaving,
			     uint64_t now)
{
	struct nsrpd *d = arg;
	struct vsd_params p;

	if (!leaving) {
		vsi_take(&d->vsi, vsd, now + cluster_ctl_dead_ns(&d->cl));
		return;
	}
	config_vsd_params(&d->cfg, vsd, &p);
	vsi_leave(&d->vsi, vsd, now + (uint64_t)p.handover_ms * NS_PER_MS +
				VSI_LEAVE_GRACE_NS);
	nsrpd_ring_read(d, now);
	sync_flush_mark(&d->sy);
}

static bool nsrpd_flushed(void *arg)
{
	struct nsrpd *d = arg;

	return sync_flushed(&d->sy);
}

/* Every heartbeat tells what configuration this unit runs. */
static void nsrpd_hb_fill(void *arg, struct proto_hb *hb)
{
	struct nsrpd *d = arg;

	hb->has_cfg = true;
	hb->cfg = *cfgsync_own(&d->cs);
}

static void nsrpd_on_peer_up(void *arg, uint64_t epoch, bool returned,
			     uint64_t now)
{
	struct nsrpd *d = arg;

	sync_peer_up(&d->sy, epoch, returned, now);
}

static void nsrpd_on_peer_lost(void *arg, uint64_t now)
{
	struct nsrpd *d = arg;

	sync_peer_lost(&d->sy);
	routesync_peer_lost(&d->rs, now);
}

/* A unit heard whose frames fail verification: the operator's hook too. */
static void nsrpd_on_unverified(void *arg, const struct hasess_unverified *u,
				const char *why, uint64_t now)
{
	struct nsrpd *d = arg;

	(void)now;
	notify_auth(&d->nt, &d->cfg, u != NULL, why ? why : "no longer heard");
}

static void nsrpd_on_expired(void *arg, const struct nsrp_sess_key *k,
			     const struct nsrp_sess *v, unsigned int n,
			     uint64_t now)
{
	struct nsrpd *d = arg;

	sync_expired(&d->sy, k, v, n, now);
}

static bool nsrpd_on_copies_expired(void *arg, const struct nsrp_sess_key *k,
				    const struct nsrp_sess *v, unsigned int n,
				    uint64_t now)
{
	struct nsrpd *d = arg;

	return sync_ageout_ask(&d->sy, k, v, n, now);
}

static bool nsrpd_sweep_hold(void *arg, uint64_t now)
{
	struct nsrpd *d = arg;

	return sync_busy(&d->sy, now);
}

/* One event of the session ring: the sweep and the sync see it. */
static int nsrpd_on_event(void *ctx, void *data, size_t len)
{
	struct nsrpd *d = ctx;
	struct nsrp_event ev;

	if (len < sizeof(ev))
		return 0;
	memcpy(&ev, data, sizeof(ev));
	if (ev.kind != NSRP_EV_DELETE)
		sweep_saw_expiry(&d->sw, ev.sess.expires_ns);
	sync_event(&d->sy, &ev, clock_now_ns());
	return 0;
}

/*
 * Session events come in bursts (thousands a second on a busy firewall),
 * and the data plane wakes the agent for the first event after it caught
 * up: read at once, nearly every event was a wake-up and a context switch
 * of its own, most of a busy master's CPU. So the ring's fd is one-shot:
 * after a read that found events the ring is left alone for RING_HOLD_NS,
 * and a burst is read in batches; a read that found none re-arms it.
 */
#define RING_HOLD_NS	(250 * NS_PER_US)

static void nsrpd_ring_read(struct nsrpd *d, uint64_t now)
{
	if (!d->ring)
		return;
	if (ring_buffer__consume(d->ring) > 0) {
		d->ring_hold_ns = now + RING_HOLD_NS;
		return;
	}
	d->ring_hold_ns = 0;
	ep_ctl(d->epfd, EPOLL_CTL_MOD, ring_buffer__epoll_fd(d->ring),
	       EPOLLIN | EPOLLONESHOT, EV_RING);
}

/* ------------------------------------------------------------ route sync */

/*
 * Route sync's kernel is the route netlink's, its stream the RTO sync's:
 * the daemon joins them (routesync.h).
 */
static int nsrpd_route_install(void *arg, const struct route *r)
{
	struct nsrpd *d = arg;

	return routenl_install(&d->rnl, r);
}

static int nsrpd_route_remove(void *arg, const struct route *r)
{
	struct nsrpd *d = arg;

	return routenl_remove(&d->rnl, r);
}

static int nsrpd_route_push(void *arg, const uint8_t rec[ROUTE_REC_LEN])
{
	struct nsrpd *d = arg;

	return sync_push(&d->sy, PROTO_SYNC_ROUTE, rec, ROUTE_REC_LEN);
}

static unsigned int nsrpd_route_room(void *arg)
{
	struct nsrpd *d = arg;

	return sync_room(&d->sy);
}

static void nsrpd_route_apply(void *arg, const uint8_t *rec, uint64_t now)
{
	struct nsrpd *d = arg;

	routesync_apply(&d->rs, rec, now);
}

static void nsrpd_route_restart(void *arg)
{
	struct nsrpd *d = arg;

	routesync_restart(&d->rs);
}

static bool nsrpd_route_bulk(void *arg)
{
	struct nsrpd *d = arg;

	return routesync_bulk(&d->rs);
}

static int nsrpd_routes(struct nsrpd *d)
{
	const struct routesync_ops ops = {
		.install = nsrpd_route_install,
		.remove = nsrpd_route_remove,
		.push = nsrpd_route_push,
		.room = nsrpd_route_room,
		.arg = d,
	};
	const struct sync_kind kind = {
		.kind = PROTO_SYNC_ROUTE,
		.rec_len = ROUTE_REC_LEN,
		.apply = nsrpd_route_apply,
		.restart = nsrpd_route_restart,
		.bulk = nsrpd_route_bulk,
		.arg = d,
	};
	int err = routesync_init(&d->rs, &d->cfg, &ops);

	if (!err)
		err = sync_add_kind(&d->sy, &kind);
	if (err)
		pr_err("cannot set up route sync: %s", strerror(-err));
	return err;
}

/* The route sockets open when route sync is first turned on. */
static int nsrpd_route_sockets(struct nsrpd *d, uint64_t now)
{
	int err;

	if (!d->cfg.rto_mirror_route || d->rnl.watch)
		return 0;
	if (now < d->rnl_retry_ns)
		return -EAGAIN;
	d->rnl_retry_ns = now + 10 * NS_PER_S;
	err = routenl_open(&d->rnl);
	if (!err)
		err = ep_add(d->epfd, routenl_watch_fd(&d->rnl),
			     EV_ROUTE_WATCH);
	if (!err)
		err = ep_add(d->epfd, routenl_dump_fd(&d->rnl), EV_ROUTE_DUMP);
	if (err) {
		pr_err("route sync: cannot follow the kernel's routes: %s",
		       strerror(-err));
		routenl_close(&d->rnl);
	}
	return err;
}

static void nsrpd_route_scanned(void *arg, const struct route *r)
{
	struct nsrpd *d = arg;

	routesync_scan_route(&d->rs, r);
}

static void nsrpd_route_dump_read(struct nsrpd *d, uint64_t now)
{
	int ret = routenl_dump_read(&d->rnl, nsrpd_route_scanned, d);

	if (ret > 0) {
		routesync_scan_end(&d->rs, now);
	} else if (ret < 0) {
		if (ret != -EINTR)
			pr_warn("route sync: reading the routes: %s",
				strerror(-ret));
		routesync_scan_failed(&d->rs, now);
		if (ret == -EINTR)	/* the table changed under the dump */
			routesync_note_change(&d->rs, now);
	}
}

static void nsrpd_route_tick(struct nsrpd *d, uint64_t now)
{
	if (nsrpd_route_sockets(d, now))
		return;
	routesync_tick(&d->rs, now);
	if (d->rnl.watch && !d->rnl.dumping &&
	    routesync_scan_due(&d->rs, now)) {
		if (routenl_dump_start(&d->rnl))
			routesync_scan_failed(&d->rs, now);
		else
			routesync_scan_begin(&d->rs);
	}
	/* The next-hop cache may hold what a route no longer says. */
	if (routesync_take_fib_changed(&d->rs))
		dp_nh_flush(&d->dp);
}

/* ----------------------------------------------------------------- set up */

/* The unit's identity comes from its HA interface, as on ScreenOS. */
static int nsrpd_identity(const struct nsrpd *d, uint8_t mac[6])
{
	const char *ifname = d->cfg.ha_if[0] ? d->cfg.ha_if : NULL;
	struct link_info li;
	int err;

	for (unsigned int i = 0; !ifname && i < d->cfg.n_vsi; i++)
		ifname = d->cfg.vsi[i].ifname;
	if (!ifname)		/* config_runnable() refused it at start */
		return -EINVAL;
	err = link_info_get(ifname, &li);
	if (err) {
		pr_err("%s: %s", ifname, strerror(-err));
		return err;
	}
	memcpy(mac, li.mac, 6);
	return 0;
}

/*
 * The HA link's identity of this run: the unit id, and an epoch that
 * grows across restarts (the wall clock), so the peer's replay window
 * starts over too.
 */
static int nsrpd_session(struct nsrpd *d, const uint8_t mac[6])
{
	struct hasess_id id = { .cluster_id = d->cfg.cluster_id,
				.unit_id = unit_id_from_mac(mac) };
	struct timespec ts;
	int err;

	clock_gettime(CLOCK_REALTIME, &ts);
	id.epoch = (uint64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
	err = hasess_init(&d->ha, &id, d->cfg.auth_password,
			  d->cfg.encrypt_password);
	if (err)
		pr_err("cannot set up HA link protection: %s", strerror(-err));
	return err;
}

/*
 * A restart keeps the session map (and may keep the counters): what is
 * in them now is the base the eviction estimate counts from.
 */
static void nsrpd_sessions_found(struct nsrpd *d)
{
	struct command_sess_origin *o = &d->cmd.origin;
	__u64 c[NSRP_CNT_MAX];
	uint64_t n = sesstab_count(d->dp.fd_sess);

	o->present = n == SESSTAB_COUNT_ERR ? 0 : n;
	if (!dp_read_counters(&d->dp, c)) {
		o->learned = c[NSRP_CNT_LEARN];
		o->deleted = c[NSRP_CNT_EV_DELETE];
	}
}

static int nsrpd_dataplane(struct nsrpd *d)
{
	const struct cfg_flow *f = &d->cfg.flow;
	struct dp_config dc = {
		.pin_dir = d->pin_dir,
		.sess_max = f->max_sessions,
		.dp = {
			.cluster_id = d->cfg.cluster_id,
			.unit_id = d->ha.id.unit_id,
			.tcp_syn_ns = f->tcp_syn_s * NS_PER_S,
			.tcp_est_ns = f->tcp_s * NS_PER_S,
			.tcp_fin_ns = f->tcp_fin_s * NS_PER_S,
			.tcp_tw_ns = f->tcp_time_wait_s * NS_PER_S,
			.udp_ns = f->udp_s * NS_PER_S,
			.icmp_ns = f->icmp_s * NS_PER_S,
		},
	};
	int err;

	err = dp_open(&d->dp, &dc);
	if (err)
		return err;
	nsrpd_sessions_found(d);
	vsi_init(&d->vsi, &d->cfg, &d->dp);
	return vsi_program(&d->vsi);
}

static int nsrpd_paths(struct nsrpd *d)
{
	const char *names[HA_NPATHS] = { d->cfg.ha_if, d->cfg.secondary_if };
	int err;

	if (d->cfg.standalone_role != CFG_ROLE_ELECT)
		return 0;
	for (int i = 0; i < HA_NPATHS; i++) {
		if (!names[i][0])
			continue;
		err = hasess_open_path(&d->ha, i, names[i], PROTO_PORT);
		if (err)
			return err;
		err = ep_add(d->epfd, hasess_path_fd(&d->ha, i), EV_PATH0 + i);
		if (err)
			return err;
	}
	return 0;
}

void nsrpd_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGCHLD);
}

static int nsrpd_loop_fds(struct nsrpd *d)
{
	sigset_t mask;
	int err;

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	nsrpd_signal_set(&mask);
	d->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->epfd < 0 || d->sfd < 0)
		return -errno;
	err = rekey_init(&d->rekey);
	if (!err)
		err = ep_add(d->epfd, rekey_fd(&d->rekey), EV_REKEY);
	return err ? err : ep_add(d->epfd, d->sfd, EV_SIGNAL);
}

/*
 * Heartbeats every few milliseconds must not wait behind busy processes
 * for a time slice: "set nsrp realtime-priority N" runs the agent under
 * SCHED_FIFO at N. Its loop only ever runs in short passes (see
 * nsrpd_check_slow()), and the kernel's real-time throttling keeps a
 * share of every CPU for everything else. What it forks (notify
 * scripts, the children that answer long control commands) does not
 * run in short passes: SCHED_RESET_ON_FORK starts them at SCHED_OTHER,
 * where they cannot keep the agent itself from its CPU.
 */
static void nsrpd_sched(unsigned int prio)
{
	struct sched_param sp = { .sched_priority = (int)prio };
	int policy = prio ? SCHED_FIFO | SCHED_RESET_ON_FORK : SCHED_OTHER;

	if (sched_setscheduler(0, policy, &sp))
		pr_warn("cannot set %s scheduling (priority %u): %s",
			prio ? "real-time" : "normal", prio, strerror(errno));
	else if (prio)
		pr_info("real-time scheduling, SCHED_FIFO priority %u", prio);
}

/* The parts, joined by the daemon's handlers above. */
static int nsrpd_parts(struct nsrpd *d, const uint8_t mac[6])
{
	const struct cluster_events ev = {
		.transition = nsrpd_on_transition,
		.reassert = nsrpd_on_reassert,
		.heartbeat = nsrpd_on_heartbeat,
		.leaving = nsrpd_on_leaving,
		.flushed = nsrpd_flushed,
		.hb_fill = nsrpd_hb_fill,
		.peer_up = nsrpd_on_peer_up,
		.peer_lost = nsrpd_on_peer_lost,
		.unverified = nsrpd_on_unverified,
		.arg = d,
	};
	const struct sweep_ops sw = {
		.expired = nsrpd_on_expired,
		.copies_expired = nsrpd_on_copies_expired,
		.hold = nsrpd_sweep_hold,
		.arg = d,
	};
	int err;

	cluster_init(&d->cl, &d->cfg, &d->ha, mac, d->ha.id.unit_id, &ev);
	err = sync_init(&d->sy, &d->cfg, &d->ha, &d->dp);
	if (err) {
		pr_err("cannot set up RTO sync: %s", strerror(-err));
		return err;
	}
	err = nsrpd_routes(d);
	if (!err)
		err = nsrpd_route_sockets(d, clock_now_ns());
	if (err)
		return err;
	sweep_init(&d->sw, d->dp.fd_sess, &sw);
	cthandoff_init(&d->cth, &d->dp);
	if (d->dp.fd_events < 0)
		return 0;
	d->ring = ring_buffer__new(d->dp.fd_events, nsrpd_on_event, d, NULL);
	if (!d->ring) {
		err = -errno;
		pr_err("cannot read the session events: %s", strerror(-err));
		return err;
	}
	return ep_ctl(d->epfd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(d->ring),
		      EPOLLIN | EPOLLONESHOT, EV_RING);
}

/* The monitors' sockets, those not watched yet: they open as needed. */
static int nsrpd_watch_health(struct nsrpd *d)
{
	for (unsigned int i = 0; i < HEALTH_NFDS; i++) {
		int fd = health_fd(&d->health, i), err;

		if (fd < 0 || d->health_watched[i])
			continue;
		err = ep_add(d->epfd, fd, EV_HEALTH0 + i);
		if (err)
			return err;
		d->health_watched[i] = true;
	}
	return 0;
}

static void nsrpd_config_swap(struct nsrpd *d, const struct nsrp_config *n);

/* Config sync runs the peer's configuration as a reload would. */
static int nsrpd_cfgsync_apply(void *arg, const struct nsrp_config *next,
			       char *msg, size_t msglen)
{
	struct nsrpd *d = arg;

	(void)msg, (void)msglen;	/* cfgsync checked what a swap needs */
	nsrpd_config_swap(d, next);
	return 0;
}

static void nsrpd_cfgsync_alarm(void *arg, bool raised, const char *why)
{
	struct nsrpd *d = arg;

	notify_config(&d->nt, &d->cfg, raised, why);
}

static int nsrpd_cfgsync(struct nsrpd *d)
{
	const struct cfgsync_ops ops = {
		.apply = nsrpd_cfgsync_apply,
		.alarm = nsrpd_cfgsync_alarm,
		.arg = d,
	};
	int err = cfgsync_init(&d->cs, &d->cfg, d->cfg_path, &d->ha, &ops,
			       clock_now_ns());

	if (err) {
		pr_err("cannot set up config sync: %s", strerror(-err));
		return err;
	}
	return ep_add(d->epfd, cfgsync_fd(&d->cs), EV_CFGSYNC);
}

static int nsrpd_watch_pact(struct nsrpd *d, int fd)
{
	return fd < 0 ? 0 : ep_ctl(d->epfd, EPOLL_CTL_ADD, fd,
				   EPOLLIN | EPOLLRDHUP, EV_TAG(EV_PACT, fd));
}

/* An HA path lost its link: is the peer dead, or only the path? */
static void nsrpd_halink_changed(void *arg, unsigned int i)
{
	struct nsrpd *d = arg;
	const struct lw_link *l = &d->halinks.link[i];
	const char *down = lw_link_down(l);
	char why[64];

	if (!down)
		return;
	snprintf(why, sizeof(why), "HA path %s: %s", l->name, down);
	cluster_suspect(&d->cl, why, false, clock_now_ns());
	dpprobe_now(&d->probe);
}

/*
 * What tells a death at once, whatever the heartbeat interval: the HA
 * paths' carrier (a direct cable goes dark when the peer powers off),
 * and a pact with the peer's agent (its kernel closes it when it dies).
 */
static int nsrpd_death_watch(struct nsrpd *d)
{
	const char *names[HA_NPATHS] = { d->cfg.ha_if, d->cfg.secondary_if };
	int err;

	if (d->cfg.standalone_role != CFG_ROLE_ELECT)
		return 0;
	err = linkwatch_open(&d->halinks, nsrpd_halink_changed, d);
	if (err)
		return err;
	for (int i = 0; i < HA_NPATHS; i++)
		if (names[i][0])
			linkwatch_add(&d->halinks, names[i]);
	linkwatch_resync(&d->halinks);
	err = ep_add(d->epfd, linkwatch_fd(&d->halinks), EV_HALINKS);
	if (err || !d->cfg.ha_if[0])
		return err;
	err = pact_open(&d->pact, d->cfg.ha_if, PROTO_PORT);
	if (err) {
		pr_warn("%s: no pact with the peer's agent: %s", d->cfg.ha_if,
			strerror(-err));
		return 0;
	}
	return nsrpd_watch_pact(d, d->pact.lfd);
}

/*
 * An answer from the peer's data plane, on one data NIC. One whose agent
 * is gone forwards nothing: it proves no live peer.
 */
static void nsrpd_on_probe(void *arg, const struct dpprobe_answer *a,
			   uint64_t now)
{
	struct nsrpd *d = arg;

	if (!a->orphaned)
		cluster_dataplane_heard(&d->cl, a->masters, a->leaving,
					a->sent_ns, now);
}

/*
 * The peer's data plane is probed from each data NIC: its answers keep a
 * peer whose agent is silent (cluster.h), and tell a split brain.
 */
static int nsrpd_probes(struct nsrpd *d)
{
	int err;

	if (d->cfg.standalone_role != CFG_ROLE_ELECT)
		return 0;
	err = dpprobe_open(&d->probe, d->cfg.cluster_id, d->ha.id.unit_id);
	if (err) {
		pr_warn("cannot probe the peer's data plane: %s",
			strerror(-err));
		return 0;
	}
	for (int i = 0; i < d->dp.n_ifaces; i++)
		dpprobe_add(&d->probe, d->dp.ifaces[i].name);
	return ep_add(d->epfd, dpprobe_fd(&d->probe), EV_PROBE);
}

/* This unit's own addresses, then what it watches. */
static int nsrpd_health(struct nsrpd *d)
{
	int err;

	manage_apply(NULL, &d->cfg);
	err = health_init(&d->health, &d->cfg, clock_now_ns());
	return err ? err : nsrpd_watch_health(d);
}

static int nsrpd_config_line(void *arg, const char *line, char *msg,
			     size_t msglen);

/*
 * "set admin group NAME privilege ...", the names looked up: 0, or
 * -EINVAL with the first that names no group in msg.
 */
static int nsrpd_ctl_groups(const struct nsrp_config *c, struct ctl_group *g,
			    char *msg, size_t msglen)
{
	for (unsigned int i = 0; i < c->n_admin_group; i++) {
		const struct cfg_admin_group *a = &c->admin_group[i];
		char buf[16384], *end;
		struct group gr, *found = NULL;
		unsigned long gid = strtoul(a->name, &end, 10);
		int err;

		g[i].admin = a->privilege == CFG_PRIV_ALL;
		if (!*end && a->name[0] >= '0' && a->name[0] <= '9') {
			g[i].gid = gid;
			continue;
		}
		err = getgrnam_r(a->name, &gr, buf, sizeof(buf), &found);
		if (!found) {
			snprintf(msg, msglen, "admin group %s: %s", a->name,
				 err ? strerror(err) : "no such group");
			return -EINVAL;
		}
		g[i].gid = found->gr_gid;
	}
	return 0;
}

/* Who may use the control socket, as the configuration says. */
static int nsrpd_ctl_access(struct nsrpd *d, const struct nsrp_config *c)
{
	struct ctl_group g[CFG_MAX_ADMIN_GROUPS];
	char msg[128];
	int err = nsrpd_ctl_groups(c, g, msg, sizeof(msg));

	if (err) {
		pr_err("%s", msg);
		return err;
	}
	err = ctl_server_groups(&d->ctl, g, c->n_admin_group);
	if (err)
		pr_err("%s: cannot give its groups access: %s", d->sock_path,
		       strerror(-err));
	return err;
}

static int nsrpd_control(struct nsrpd *d)
{
	struct command_sess_origin origin = d->cmd.origin;
	int err;

	d->cmd = (struct command_env){
		.st = { .cfg = &d->cfg, .cl = &d->cl, .sy = &d->sy,
			.ha = &d->ha, .sw = &d->sw, .cth = &d->cth,
			.nt = &d->nt, .dp = &d->dp, .ctl = &d->ctl.stats,
			.health = &d->health, .cs = &d->cs, .rs = &d->rs,
			.loop = &d->loop, .probe = &d->probe },
		.cl = &d->cl,
		.sy = &d->sy,
		.cs = &d->cs,
		.cfg_path = d->cfg_path,
		.origin = origin,
		.config_line = nsrpd_config_line,
		.arg = d,
	};
	err = ctl_server_open(&d->ctl, d->sock_path, command_handle, &d->cmd);
	if (err) {
		pr_err("%s: cannot open the control socket: %s", d->sock_path,
		       strerror(-err));
		return err;
	}
	ctl_server_offload(&d->ctl, command_is_slow);
	ctl_server_guard(&d->ctl, command_needs_admin);
	err = nsrpd_ctl_access(d, &d->cfg);
	if (err)
		return err;
	return ep_add(d->epfd, ctl_server_fd(&d->ctl), EV_CTL);
}

/* The metrics page, from the parts as they are now. */
static int nsrpd_metrics_page(void *arg, enum metrics_format fmt,
			      struct ctl_out *out)
{
	struct nsrpd *d = arg;
	const struct om_src src = {
		.cfg = &d->cfg, .cl = &d->cl, .ha = &d->ha, .sy = &d->sy,
		.sw = &d->sw, .dp = &d->dp, .health = &d->health,
		.cs = &d->cs, .ctl = &d->ctl.stats, .ms = &d->metrics.stats,
		.nt = &d->nt,
	};

	return om_render(&src, fmt, out, clock_now_ns());
}

static int nsrpd_metrics(struct nsrpd *d)
{
	char msg[128];
	int err = ep_add(d->epfd, metrics_fd(&d->metrics), EV_METRICS);

	if (err) {
		pr_err("cannot set up the metrics page: %s", strerror(-err));
		return err;
	}
	err = metrics_listen(&d->metrics, &d->cfg.metrics, msg, sizeof(msg));
	if (err)
		pr_err("%s", msg);
	return err;
}

int nsrpd_init(struct nsrpd *d)
{
	uint64_t now;
	uint8_t mac[6];
	int err;

	/* Everything that owns a descriptor starts closed: a failed start
	 * tears down through nsrpd_fini() like a clean stop. */
	d->epfd = d->sfd = -1;
	d->rekey.efd = -1;
	ctl_server_init(&d->ctl);
	err = metrics_init(&d->metrics, nsrpd_metrics_page, d);
	if (err)
		return err;
	d->pact.lfd = d->pact.out = -1;
	for (int i = 0; i < PACT_ACCEPTED; i++)
		d->pact.in[i] = -1;
	sdnotify_init(&d->sd, clock_now_ns());
	dpprobe_init(&d->probe);
	err = nsrpd_loop_fds(d);
	if (err)
		return err;
	if (d->cfg.realtime_priority)
		nsrpd_sched(d->cfg.realtime_priority);
	err = nsrpd_identity(d, mac);
	if (!err)
		err = nsrpd_session(d, mac);
	if (!err)
		err = nsrpd_dataplane(d);
	if (!err)
		err = nsrpd_paths(d);
	if (!err)
		err = nsrpd_parts(d, mac);
	if (!err)
		err = nsrpd_health(d);
	if (!err)
		err = nsrpd_cfgsync(d);
	if (!err)
		err = nsrpd_death_watch(d);
	if (!err)
		err = nsrpd_probes(d);
	if (!err)
		err = nsrpd_control(d);
	if (!err)
		err = nsrpd_metrics(d);
	if (err)
		return err;
	/* Everything is loaded, pinned and open: the rest needs little. */
	err = privs_drop(dp_uses_dispatcher(&d->dp));
	if (err)
		return err;
	pr_info("unit %u (%s, cluster %u) up, %d NICs, HA %s, secondary %s",
		d->ha.id.unit_id, config_hostname(&d->cfg), d->cfg.cluster_id,
		d->dp.n_ifaces,
		d->cfg.ha_if[0] ? d->cfg.ha_if : "-",
		d->cfg.secondary_if[0] ? d->cfg.secondary_if : "-");
	now = clock_now_ns();
	/* Whatever an earlier run left: start as a backup. */
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++)
		if (d->cl.group[i].active)
			vsi_reset(&d->vsi, i);
	cluster_start(&d->cl, now);
	nsrpd_tell_systemd(d);
	return 0;
}

/* ------------------------------------------------------- configuration */

/*
 * New HA link passwords: their keys are derived off the loop, then the
 * session layer changes over with the peer (hacrypt.h).
 */
static void nsrpd_rekey(struct nsrpd *d, const struct nsrp_config *n)
{
	int err;

	if (!strcmp(n->auth_password, d->cfg.auth_password) &&
	    !strcmp(n->encrypt_password, d->cfg.encrypt_password))
		return;
	err = rekey_start(&d->rekey, n->auth_password, n->encrypt_password,
			  n->cluster_id);
	if (err)
		pr_err("HA link passwords: cannot derive the keys: %s",
		       strerror(-err));
	else
		pr_info("HA link passwords changed: deriving their keys");
}

static void nsrpd_rekeyed(struct nsrpd *d)
{
	struct hacrypt_keys k;
	int ret = rekey_done(&d->rekey, &k);

	if (ret < 0)
		pr_err("HA link passwords: cannot derive the keys: %s; the "
		       "previous ones stay", strerror(-ret));
	if (ret <= 0)
		return;
	if (hasess_rekey(&d->ha, &k))
		pr_info("HA link keys ready (key id %u): frames go out with "
			"key id %u until the peer accepts the new ones",
			k.id, hacrypt_sending(&d->ha.crypt)->id);
	hacrypt_keys_clear(&k);
}

static void nsrpd_config_swap(struct nsrpd *d, const struct nsrp_config *n)
{
	uint64_t now = clock_now_ns();

	nsrpd_rekey(d, n);
	if (n->realtime_priority != d->cfg.realtime_priority)
		nsrpd_sched(n->realtime_priority);
	manage_apply(&d->cfg, n);
	if (n->n_admin_group != d->cfg.n_admin_group ||
	    memcmp(n->admin_group, d->cfg.admin_group,
		   sizeof(n->admin_group[0]) * n->n_admin_group))
		nsrpd_ctl_access(d, n);
	d->cfg = *n;
	health_reconfigure(&d->health, now);
	if (nsrpd_watch_health(d))
		pr_warn("cannot watch the monitors' sockets: %s",
			strerror(errno));
	cluster_reconfigure(&d->cl, now);
	cfgsync_refresh(&d->cs, now);
}

/*
 * The line as the log may show it: whatever follows a "password" word
 * (or any abbreviation of it) is a secret.
 */
static void nsrpd_loggable(const char *line, char *out, size_t len)
{
	const char *w = line;

	snprintf(out, len, "%s", line);
	while (*w) {
		size_t n;

		w += strspn(w, " \t");
		n = strcspn(w, " \t");
		if (n && n <= 8 && !strncmp(w, "password", n)) {
			size_t at = w + n - line;

			if (at < len)
				snprintf(out + at, len - at, " ***");
			return;
		}
		w += n;
	}
}

/*
 * With config sync, a change the peer would refuse is refused here too:
 * the two never part in silence.
 */
static int nsrpd_peer_accepts(struct nsrpd *d, const struct nsrp_config *n,
			      char *msg, size_t msglen)
{
	char why[CFG_LINE_LEN];
	int ret = cfgsync_peer_accepts(&d->cs, n, why, sizeof(why));

	if (ret)
		snprintf(msg, msglen, "the peer would refuse it: %s", why);
	return ret;
}

/*
 * What a new configuration needs of the host before it can replace the
 * running one: its admin groups exist, and its metrics page listens
 * (there already, or now). 0, or -errno with why in msg.
 */
static int nsrpd_prepare(struct nsrpd *d, const struct nsrp_config *n,
			 char *msg, size_t msglen)
{
	struct ctl_group g[CFG_MAX_ADMIN_GROUPS];
	int err = nsrpd_ctl_groups(n, g, msg, msglen);

	return err ? err : metrics_listen(&d->metrics, &n->metrics, msg,
					  msglen);
}

/* One "set" or "unset" line at run time, from the control socket. */
static int nsrpd_config_line(void *arg, const char *line, char *msg,
			     size_t msglen)
{
	struct nsrpd *d = arg;
	struct nsrp_config *n = malloc(sizeof(*n));
	char shown[CFG_LINE_LEN + 8];
	int ret;

	if (!n) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	ret = config_apply_runtime(&d->cfg, line, n, msg, msglen);
	if (!ret && !config_line_local(line))
		ret = nsrpd_peer_accepts(d, n, msg, msglen);
	if (!ret)
		ret = nsrpd_prepare(d, n, msg, msglen);
	nsrpd_loggable(line, shown, sizeof(shown));
	if (ret) {
		pr_warn("config: '%s' refused: %s", shown, msg);
	} else {
		nsrpd_config_swap(d, n);
		pr_info("config: %s", shown);
	}
	free(n);
	return ret;
}

static void nsrpd_reload(struct nsrpd *d)
{
	struct nsrp_config *n = calloc(1, sizeof(*n));
	char msg[CFG_LINE_LEN + 64];
	const char *why;

	if (!n)
		return;
	if (config_load(d->cfg_path, n, stderr)) {
		pr_err("reload: %s rejected; the running configuration stays",
		       d->cfg_path);
		goto out;
	}
	why = config_restart_needed(&d->cfg, n);
	if (why) {
		pr_err("reload: %s changes %s; restart nsrpd to apply it",
		       d->cfg_path, why);
		goto out;
	}
	if (nsrpd_peer_accepts(d, n, msg, sizeof(msg)) ||
	    nsrpd_prepare(d, n, msg, sizeof(msg))) {
		pr_err("reload: %s refused: %s", d->cfg_path, msg);
		goto out;
	}
	nsrpd_config_swap(d, n);
	pr_info("reload: %s applied", d->cfg_path);
out:
	free(n);
}

/* -------------------------------------------------------------- the loop */

/*
 * How long the loop may sleep: until its earliest deadline. epoll_pwait2()
 * takes the time to the nanosecond and arms a timer only when the loop
 * does sleep. A timerfd set again on every pass of a busy agent (each
 * read of the event ring moves the deadline) took a tenth of its CPU.
 */
static struct timespec *nsrpd_sleep_time(struct nsrpd *d, uint64_t now,
					 struct timespec *ts)
{
	const uint64_t due[] = {
		cluster_next_deadline(&d->cl),
		sync_next_deadline(&d->sy, now),
		sweep_next_deadline(&d->sw, now),
		health_next_deadline(&d->health),
		cfgsync_next_deadline(&d->cs, now),
		pact_next_deadline(&d->pact),
		sdnotify_next_deadline(&d->sd),
		metrics_next_deadline(&d->metrics),
		vsi_next_deadline(&d->vsi),
		dpprobe_next_deadline(&d->probe),
		routesync_next_deadline(&d->rs, now),
	};
	uint64_t next = UINT64_MAX, left;

	for (size_t i = 0; i < sizeof(due) / sizeof(due[0]); i++)
		if (due[i] < next)
			next = due[i];
	if (cthandoff_busy(&d->cth))
		next = now;
	if (d->ring_hold_ns && d->ring_hold_ns < next)
		next = d->ring_hold_ns;
	left = next > now ? next - now : 0;
	ts->tv_sec = left / NS_PER_S;
	ts->tv_nsec = left % NS_PER_S;
	return ts;
}

/*
 * Everything the loop does between two waits must be short: while it
 * runs, no heartbeat goes out. One that takes a good part of the peer's
 * patience is worth a warning that says where the time went.
 */
static void nsrpd_check_slow(struct nsrpd *d, uint64_t start,
			     uint64_t t_events, uint64_t t_tick)
{
	uint64_t end = clock_now_ns(), limit;

	limit = (uint64_t)d->cfg.hb_interval_ms * NS_PER_MS / 2;
	if (end - start < limit)
		return;
	pr_warn("event loop: one pass took %llu ms (events %llu, election "
		"%llu, sync %llu)",
		(unsigned long long)(end - start) / NS_PER_MS,
		(unsigned long long)(t_events - start) / NS_PER_MS,
		(unsigned long long)(t_tick - t_events) / NS_PER_MS,
		(unsigned long long)(end - t_tick) / NS_PER_MS);
}

/* Finished children: the control socket's, or the notify hook's. */
static void nsrpd_reap(struct nsrpd *d)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (!ctl_server_reap(&d->ctl, pid, status) &&
		    !cfgsync_reaped(&d->cs, pid, status, clock_now_ns()))
			notify_reaped(&d->nt, d->cfg.notify, pid, status);
}

static void nsrpd_signal(struct nsrpd *d)
{
	struct signalfd_siginfo si;

	while (read(d->sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			pr_info("signal %u: handing over and stopping",
				si.ssi_signo);
			sdnotify_stopping(&d->sd);
			cluster_shutdown(&d->cl, clock_now_ns());
			break;
		case SIGHUP:
			nsrpd_reload(d);
			break;
		case SIGCHLD:
			nsrpd_reap(d);
			break;
		}
	}
}

static void nsrpd_pact_event(struct nsrpd *d, int fd, uint64_t now)
{
	int watch;

	if (pact_event(&d->pact, fd, &watch)) {
		cluster_suspect(&d->cl, "the peer's agent closed its pact",
				true, now);
		dpprobe_now(&d->probe);
	}
	nsrpd_watch_pact(d, watch);
}

/* The pact follows the peer's address on the HA link. */
static void nsrpd_pact_tick(struct nsrpd *d, uint64_t now)
{
	struct in_addr peer = { 0 };

	if (d->cl.peer.present)
		peer = d->ha.path[HA_PRIMARY].peer.sin_addr;
	nsrpd_watch_pact(d, pact_tick(&d->pact, peer, d->cfg.ha_if,
				      PROTO_PORT, now));
}

static void nsrpd_event(struct nsrpd *d, uint64_t tag, uint64_t now)
{
	if (tag == EV_SIGNAL)
		nsrpd_signal(d);
	else if (tag == EV_CTL)
		ctl_server_event(&d->ctl);
	else if (tag == EV_RING)
		nsrpd_ring_read(d, now);
	else if (tag >= EV_PATH0 && tag < EV_PATH0 + HA_NPATHS)
		hasess_rx(&d->ha, tag - EV_PATH0, now);
	else if (tag >= EV_HEALTH0 && tag < EV_HEALTH0 + HEALTH_NFDS)
		health_event(&d->health, tag - EV_HEALTH0, now);
	else if (tag == EV_CFGSYNC)
		cfgsync_event(&d->cs, now);
	else if (tag == EV_HALINKS)
		linkwatch_read(&d->halinks);
	else if ((tag & 0xffffffff) == EV_PACT)
		nsrpd_pact_event(d, tag >> 32, now);
	else if (tag == EV_REKEY)
		nsrpd_rekeyed(d);
	else if (tag == EV_METRICS)
		metrics_event(&d->metrics, now);
	else if (tag == EV_PROBE)
		dpprobe_read(&d->probe, now,
			     d->cl.peer.ever ? d->cl.peer.unit_id : 0,
			     nsrpd_on_probe, d);
	else if (tag == EV_ROUTE_WATCH && routenl_watch_read(&d->rnl) > 0)
		routesync_note_change(&d->rs, now);
	else if (tag == EV_ROUTE_DUMP)
		nsrpd_route_dump_read(d, now);
}

/* What the election weighs besides the peer: the sync, the monitors. */
static void nsrpd_inputs(struct nsrpd *d, uint64_t now,
			 struct cluster_inputs *in)
{
	memset(in, 0, sizeof(*in));
	/* Preempt waits for the peer's sessions, and for its newer config. */
	in->sync_hold = sync_holds_preempt(&d->sy, now) ||
			cfgsync_holds_preempt(&d->cs);
	in->failed = health_failed(&d->health);
	in->weight = health_weight(&d->health);
	in->witness = d->cfg.has_witness;
	in->witness_ok = health_witness_ok(&d->health);
	if (in->failed)
		health_reason(&d->health, in->why, sizeof(in->why));
}

/* What runs after the election: the sweep, the hand-off, the sync. */
static void nsrpd_background(struct nsrpd *d, uint64_t now)
{
	vsi_tick(&d->vsi, now);
	dpprobe_tick(&d->probe, now,
		     (uint64_t)d->cfg.hb_interval_ms * NS_PER_MS);
	nsrpd_pact_tick(d, now);
	metrics_tick(&d->metrics, now);
	cfgsync_peer(&d->cs, d->cl.peer.present ? &d->cl.peer.hb : NULL);
	cfgsync_tick(&d->cs, now);
	sweep_saw_expiry(&d->sw, sync_take_soonest_expiry(&d->sy));
	sweep_tick(&d->sw, now);
	cthandoff_tick(&d->cth);
	sync_tick(&d->sy, now);
	nsrpd_route_tick(d, now);
}

int nsrpd_run(struct nsrpd *d)
{
	struct epoll_event evs[8];
	struct timespec nap;

	for (;;) {
		uint64_t now = clock_now_ns(), t_events, t_tick;
		struct cluster_inputs in;
		int n;

		/* A group handed over forwards its grace out first. */
		if (cluster_may_exit(&d->cl, now) && !vsi_leaving(&d->vsi))
			return 0;
		n = epoll_pwait2(d->epfd, evs, 8,
				 nsrpd_sleep_time(d, now, &nap), NULL);
		if (n < 0 && errno != EINTR)
			return -errno;
		now = clock_now_ns();
		/* Before any frame: a stalled unit must not act on old state. */
		cluster_wake(&d->cl, now);
		for (int i = 0; i < n; i++)
			nsrpd_event(d, evs[i].data.u64, now);
		t_events = clock_now_ns();
		if (d->ring_hold_ns && t_events >= d->ring_hold_ns)
			nsrpd_ring_read(d, t_events);
		hasess_tick(&d->ha, t_events);
		health_tick(&d->health, t_events);
		nsrpd_inputs(d, t_events, &in);
		cluster_tick(&d->cl, t_events, &in);
		t_tick = clock_now_ns();
		nsrpd_background(d, t_tick);
		/* Only a loop that goes round tells systemd it lives. */
		sdnotify_tick(&d->sd, t_tick);
		nsrpd_check_slow(d, now, t_events, t_tick);
		loopstat_add(&d->loop, clock_now_ns() - now);
	}
}

void nsrpd_fini(struct nsrpd *d)
{
	cluster_stop(&d->cl, clock_now_ns());
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++)
		if (d->cl.started && d->cl.group[i].active)
			vsi_reset(&d->vsi, i);
	garp_close();
	ring_buffer__free(d->ring);
	cthandoff_fini(&d->cth);
	health_fini(&d->health);
	cfgsync_fini(&d->cs);
	pact_close(&d->pact);
	dpprobe_close(&d->probe);
	linkwatch_close(&d->halinks);
	/* Copies of the peer's routes are this run's to keep, or none. */
	routesync_clear(&d->rs);
	routesync_fini(&d->rs);
	routenl_close(&d->rnl);
	sync_fini(&d->sy);
	metrics_close(&d->metrics);
	ctl_server_close(&d->ctl);
	rekey_fini(&d->rekey);
	hasess_fini(&d->ha);
	dp_close(&d->dp);
	if (d->epfd >= 0)
		close(d->epfd);
	if (d->sfd >= 0)
		close(d->sfd);
}
