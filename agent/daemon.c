// SPDX-License-Identifier: GPL-2.0-only
/*
 * daemon.c - set-up, the event loop and tear-down of nsrpd.
 *
 * One thread, one epoll set, waited on until the next thing that must
 * happen (heartbeat, peer loss, election and sync timers, the session
 * ring's hold): a signalfd for every signal (nothing runs in a signal
 * handler), the HA path sockets, the control socket and the session event
 * ring.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include "clock.h"
#include "daemon.h"
#include "sesstab.h"
#include "garp.h"
#include "ident.h"
#include "log.h"
#include "netlink.h"

/* epoll tags: what became ready. */
enum {
	EV_SIGNAL = 1,
	EV_CTL,
	EV_RING,	/* session events from the data plane */
	EV_PATH0,	/* + enum ha_path_id */
};

bool cluster_may_exit(struct nsrpd *d, uint64_t now);
void cluster_reap(struct nsrpd *d);

static int ep_ctl(int epfd, int op, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = { .events = events, .data.u64 = tag };

	return epoll_ctl(epfd, op, fd, &ev) ? -errno : 0;
}

static int ep_add(int epfd, int fd, uint64_t tag)
{
	return ep_ctl(epfd, EPOLL_CTL_ADD, fd, EPOLLIN, tag);
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
	if (sync_ring_ready(d) > 0) {
		d->ring_hold_ns = now + RING_HOLD_NS;
		return;
	}
	d->ring_hold_ns = 0;
	ep_ctl(d->epfd, EPOLL_CTL_MOD, sync_ring_fd(d),
	       EPOLLIN | EPOLLONESHOT, EV_RING);
}

/* The unit's identity comes from its HA interface, as on ScreenOS. */
static int nsrpd_identity(struct nsrpd *d)
{
	const char *ifname = d->cfg.ha_if[0] ? d->cfg.ha_if : NULL;
	struct link_info li;
	int err;

	for (unsigned int i = 0; !ifname && i < d->cfg.n_vsi; i++)
		ifname = d->cfg.vsi[i].ifname;
	if (!ifname) {
		pr_err("no HA interface and no VSI: nothing to run");
		return -EINVAL;
	}
	err = link_info_get(ifname, &li);
	if (err) {
		pr_err("%s: %s", ifname, strerror(-err));
		return err;
	}
	memcpy(d->mac, li.mac, 6);
	d->unit_id = unit_id_from_mac(li.mac);
	return 0;
}

static bool nsrpd_attached(const struct nsrpd *d, const char *ifname)
{
	for (int i = 0; i < d->dp.n_ifaces; i++)
		if (!strcmp(d->dp.ifaces[i].name, ifname))
			return true;
	return false;
}

/* Tells the data plane which NICs, MACs and addresses are VSIs. */
static int nsrpd_program_vsi(struct nsrpd *d, const struct cfg_vsi_addr *v)
{
	struct link_info li;
	uint8_t vmac[6];
	int err, fam = v->a.family == AF_INET6 ? 6 : 4;

	err = link_info_get(v->ifname, &li);
	if (err) {
		pr_err("%s: %s", v->ifname, strerror(-err));
		return err;
	}
	vsi_mac_derive(vmac, d->cfg.cluster_id, v->vsd, v->ifname);
	if (!nsrpd_attached(d, v->ifname)) {
		err = dp_attach(&d->dp, v->ifname);
		if (err)
			return err;
		err = dp_set_iface(&d->dp, li.ifindex, v->vsd, vmac, li.mac);
		if (err)
			return err;
	}
	err = dp_add_vsi_mac(&d->dp, li.ifindex, vmac, v->vsd, li.mac);
	if (!err)
		err = dp_add_vsi_addr(&d->dp, li.ifindex, fam, v->a.addr,
				      v->vsd, vmac);
	if (err)
		pr_err("%s: cannot program the VSI: %s", v->ifname,
		       strerror(-err));
	return err;
}

/*
 * A restart keeps the session map (and may keep the counters): what is
 * in them now is the base the eviction estimate counts from.
 */
static void nsrpd_sessions_found(struct nsrpd *d)
{
	__u64 c[NSRP_CNT_MAX];
	uint64_t n = sesstab_count(d->dp.fd_sess);

	d->sess_at_start = n == SESSTAB_COUNT_ERR ? 0 : n;
	if (!dp_read_counters(&d->dp, c)) {
		d->learned_at_start = c[NSRP_CNT_LEARN];
		d->deleted_at_start = c[NSRP_CNT_EV_DELETE];
	}
}

static int nsrpd_dataplane(struct nsrpd *d)
{
	const struct cfg_flow *f = &d->cfg.flow;
	struct dp_config dc = {
		.pin_dir = d->pin_dir,
		.sess_max = f->max_sessions,
		.dp = {
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
	for (unsigned int i = 0; i < d->cfg.n_vsi; i++) {
		err = nsrpd_program_vsi(d, &d->cfg.vsi[i]);
		if (err)
			return err;
		d->group[d->cfg.vsi[i].vsd].active = true;
	}
	return 0;
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
		err = ha_path_open(&d->path[i], names[i], PROTO_PORT);
		if (err)
			return err;
		err = ep_add(d->epfd, d->path[i].fd, EV_PATH0 + i);
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

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	nsrpd_signal_set(&mask);
	d->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->epfd < 0 || d->sfd < 0)
		return -errno;
	return ep_add(d->epfd, d->sfd, EV_SIGNAL);
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

int nsrpd_init(struct nsrpd *d)
{
	struct timespec ts;
	int err;

	/* Everything that owns a descriptor starts closed: a failed start
	 * tears down through nsrpd_fini() like a clean stop. */
	d->epfd = d->sfd = -1;
	ctl_server_init(&d->ctl);
	for (int i = 0; i < HA_NPATHS; i++)
		ha_path_init(&d->path[i]);
	clock_gettime(CLOCK_REALTIME, &ts);
	/* Grows across restarts, so the peer's replay window restarts too. */
	d->epoch = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	replay_init(&d->peer.replay);

	err = nsrpd_loop_fds(d);
	if (err)
		return err;
	if (d->cfg.realtime_priority)
		nsrpd_sched(d->cfg.realtime_priority);
	err = nsrpd_identity(d);
	if (err)
		return err;
	err = hacrypt_init(&d->crypt, d->cfg.auth_password,
			   d->cfg.encrypt_password, d->cfg.cluster_id);
	if (err) {
		pr_err("cannot set up HA link protection: %s", strerror(-err));
		return err;
	}
	err = nsrpd_dataplane(d);
	if (err)
		return err;
	err = nsrpd_paths(d);
	if (err)
		return err;
	err = sync_init(d);
	if (!err && sync_ring_fd(d) >= 0)
		err = ep_ctl(d->epfd, EPOLL_CTL_ADD, sync_ring_fd(d),
			     EPOLLIN | EPOLLONESHOT, EV_RING);
	if (err) {
		pr_err("cannot set up RTO sync: %s", strerror(-err));
		return err;
	}
	err = ctl_server_open(&d->ctl, d->sock_path, status_handle, d);
	if (err) {
		pr_err("%s: cannot open the control socket: %s", d->sock_path,
		       strerror(-err));
		return err;
	}
	ctl_server_offload(&d->ctl, status_is_slow);
	err = ep_add(d->epfd, ctl_server_fd(&d->ctl), EV_CTL);
	if (err)
		return err;
	pr_info("unit %u (cluster %u) up, %d NICs, HA %s, secondary %s",
		d->unit_id, d->cfg.cluster_id, d->dp.n_ifaces,
		d->cfg.ha_if[0] ? d->cfg.ha_if : "-",
		d->cfg.secondary_if[0] ? d->cfg.secondary_if : "-");
	return cluster_start(d);
}

/*
 * How long the loop may sleep: until its earliest deadline. epoll_pwait2()
 * takes the time to the nanosecond and arms a timer only when the loop
 * does sleep. A timerfd set again on every pass of a busy agent (each
 * read of the event ring moves the deadline) took a tenth of its CPU.
 */
static struct timespec *nsrpd_sleep_time(struct nsrpd *d, uint64_t now,
					 struct timespec *ts)
{
	uint64_t next = cluster_next_deadline(d), left;

	if (d->ring_hold_ns && d->ring_hold_ns < next)
		next = d->ring_hold_ns;
	left = next > now ? next - now : 0;
	ts->tv_sec = left / NS_PER_S;
	ts->tv_nsec = left % NS_PER_S;
	return ts;
}

void nsrpd_config_swap(struct nsrpd *d, const struct nsrp_config *n)
{
	if (n->realtime_priority != d->cfg.realtime_priority)
		nsrpd_sched(n->realtime_priority);
	d->cfg = *n;
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		struct vsd_params p;

		if (!d->group[i].active)
			continue;
		config_vsd_params(&d->cfg, i, &p);
		vsd_set_params(&d->group[i].vsd, &p);
	}
	/*
	 * The loop's cluster_tick() elects on the new settings, then sends
	 * a heartbeat at once: the peer hears a new priority or preempt
	 * without waiting an interval, and the next one follows at the new
	 * interval.
	 */
	d->next_hb_ns = dp_now_ns();
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

int nsrpd_config_line(struct nsrpd *d, const char *line, char *msg,
		      size_t msglen)
{
	struct nsrp_config *n = malloc(sizeof(*n));
	char shown[CFG_LINE_LEN + 8];
	int ret;

	if (!n) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	ret = config_apply_runtime(&d->cfg, line, n, msg, msglen);
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
	nsrpd_config_swap(d, n);
	pr_info("reload: %s applied", d->cfg_path);
out:
	free(n);
}

/*
 * Everything the loop does between two waits must be short: while it
 * runs, no heartbeat goes out. One that takes a good part of the peer's
 * patience is worth a warning that says where the time went.
 */
static void nsrpd_check_slow(struct nsrpd *d, uint64_t start,
			     uint64_t t_events, uint64_t t_tick)
{
	uint64_t end = dp_now_ns(), limit;

	limit = (uint64_t)d->cfg.hb_interval_ms * 1000000ull / 2;
	if (end - start < limit)
		return;
	pr_warn("event loop: one pass took %llu ms (events %llu, election "
		"%llu, sync %llu)",
		(unsigned long long)(end - start) / 1000000,
		(unsigned long long)(t_events - start) / 1000000,
		(unsigned long long)(t_tick - t_events) / 1000000,
		(unsigned long long)(end - t_tick) / 1000000);
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
			cluster_shutdown(d, dp_now_ns());
			break;
		case SIGHUP:
			nsrpd_reload(d);
			break;
		case SIGCHLD:
			cluster_reap(d);
			break;
		}
	}
}

int nsrpd_run(struct nsrpd *d)
{
	struct epoll_event evs[8];
	struct timespec nap;

	for (;;) {
		uint64_t now = dp_now_ns();
		int n;

		if (cluster_may_exit(d, now))
			return 0;
		n = epoll_pwait2(d->epfd, evs, 8,
				 nsrpd_sleep_time(d, now, &nap), NULL);
		uint64_t t_events, t_tick;

		if (n < 0 && errno != EINTR)
			return -errno;
		now = dp_now_ns();
		/* Before any frame: a stalled unit must not act on old state. */
		cluster_wake(d, now);
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;

			if (tag == EV_SIGNAL) {
				nsrpd_signal(d);
			} else if (tag == EV_CTL) {
				ctl_server_event(&d->ctl);
			} else if (tag == EV_RING) {
				nsrpd_ring_read(d, now);
			} else if (tag >= EV_PATH0 &&
				   tag < EV_PATH0 + HA_NPATHS) {
				cluster_rx(d, tag - EV_PATH0, now);
			}
		}
		t_events = dp_now_ns();
		if (d->ring_hold_ns && t_events >= d->ring_hold_ns)
			nsrpd_ring_read(d, t_events);
		cluster_tick(d, t_events);
		t_tick = dp_now_ns();
		sync_tick(d, t_tick);
		nsrpd_check_slow(d, now, t_events, t_tick);
	}
}

void nsrpd_fini(struct nsrpd *d)
{
	cluster_stop(d);
	garp_close();
	sync_fini(d);
	ctl_server_close(&d->ctl);
	for (int i = 0; i < HA_NPATHS; i++)
		ha_path_close(&d->path[i]);
	dp_close(&d->dp);
	hacrypt_clear(&d->crypt);
	if (d->epfd >= 0)
		close(d->epfd);
	if (d->sfd >= 0)
		close(d->sfd);
}
