// SPDX-License-Identifier: GPL-2.0-only
/*
 * cluster.c - heartbeats on the HA paths, the VSD election, and what a
 * unit does when it gains or loses master of a group.
 *
 * Order matters on every transition. Becoming master: flip the role map
 * first (the data plane answers for the VSIs from that instant), then
 * install the VSI addresses, then announce them. Losing master: flip the
 * role map first (stop answering), then remove the addresses.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "clock.h"
#include "daemon.h"
#include "garp.h"
#include "ident.h"
#include "log.h"
#include "netlink.h"


extern char **environ;

static uint64_t cluster_interval_ns(const struct nsrpd *d)
{
	return (uint64_t)d->cfg.hb_interval_ms * NS_PER_MS;
}

/* A peer unheard for this long is lost; our own data plane stops then too. */
static uint64_t cluster_dead_ns(const struct nsrpd *d)
{
	return cluster_interval_ns(d) * d->cfg.hb_threshold;
}

static bool cluster_standalone(const struct nsrpd *d)
{
	return d->cfg.standalone_role != CFG_ROLE_ELECT;
}

/* ------------------------------------------------------ failover actions */

static void cluster_vsi_addrs(struct nsrpd *d, unsigned int vsd, bool add)
{
	for (unsigned int i = 0; i < d->cfg.n_vsi; i++) {
		const struct cfg_vsi_addr *v = &d->cfg.vsi[i];
		int fam = v->a.family == AF_INET6 ? 6 : 4;
		int ifindex = if_nametoindex(v->ifname);
		int err;

		if (v->vsd != vsd || !ifindex)
			continue;
		err = add ? nl_addr_add(ifindex, fam, v->a.addr,
					v->a.prefixlen)
			  : nl_addr_del(ifindex, fam, v->a.addr,
					v->a.prefixlen);
		if (err)
			pr_warn("%s: cannot %s a VSI address: %s", v->ifname,
				add ? "add" : "remove", strerror(-err));
	}
}

/*
 * "set nsrp arp N": N rounds of announcements, one gratuitous ARP or
 * unsolicited NA per VSI address each, the first at once and the others
 * at the heartbeats that follow. Spread out, the later ones also correct
 * a switch that the peer taught otherwise in its last moments as master:
 * when both were, the peer steps down only once it hears this unit.
 * A NIC whose link is down cannot announce; its neighbours and switch
 * would keep the VSI MAC where it was. A round that failed is tried again
 * at every heartbeat, so a link that comes back after the takeover is
 * announced on as soon as it is up.
 */
static void cluster_announce(struct nsrpd *d, unsigned int vsd)
{
	struct nsrpd_group *g = &d->group[vsd];
	bool retry = g->announce_due, failed = false;

	for (unsigned int i = 0; i < d->cfg.n_vsi; i++) {
		const struct cfg_vsi_addr *v = &d->cfg.vsi[i];
		int fam = v->a.family == AF_INET6 ? 6 : 4;
		uint8_t mac[6];
		int err;

		if (v->vsd != vsd)
			continue;
		vsi_mac_derive(mac, d->cfg.cluster_id, vsd, v->ifname);
		err = garp_send(if_nametoindex(v->ifname), fam, mac,
				v->a.addr);
		if (err && !retry)
			pr_warn("%s: gratuitous announcement failed: %s; "
				"retrying every heartbeat", v->ifname,
				strerror(-err));
		failed |= err != 0;
	}
	if (retry && !failed)
		pr_info("vsd-group %u: VSIs announced on every NIC", vsd);
	g->announce_due = failed;
	if (!failed && g->announce_left)
		g->announce_left--;
	g->announced_ns = dp_now_ns();
}

/* Rounds are due at heartbeats after the one that sent the last. */
static bool cluster_announce_due(const struct nsrpd_group *g, uint64_t now)
{
	return (g->announce_due || g->announce_left) && now > g->announced_ns;
}

static void cluster_announce_start(struct nsrpd *d, unsigned int vsd)
{
	d->group[vsd].announce_due = false;
	d->group[vsd].announce_left = d->cfg.arp_count;
	if (d->cfg.arp_count)
		cluster_announce(d, vsd);
}

/*
 * The script starts as from a shell: no signal blocked (the daemon blocks
 * those its signalfd reads) and SIGPIPE back to its default.
 */
static void cluster_notify_attr(posix_spawnattr_t *a)
{
	sigset_t none, dfl;

	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_init(a);
	posix_spawnattr_setsigmask(a, &none);
	posix_spawnattr_setsigdefault(a, &dfl);
	posix_spawnattr_setflags(a, POSIX_SPAWN_SETSIGMASK |
				    POSIX_SPAWN_SETSIGDEF);
}

/* Runs the notify script without waiting for it; SIGCHLD reaps it. */
static void cluster_notify(struct nsrpd *d, unsigned int vsd,
			   const struct vsd_transition *t)
{
	posix_spawnattr_t attr;
	char group[16];
	char *argv[] = { d->cfg.notify, group,
			 (char *)vsd_state_name(t->from),
			 (char *)vsd_state_name(t->to), (char *)t->reason,
			 NULL };
	pid_t pid;
	int err;

	if (!d->cfg.notify[0])
		return;
	snprintf(group, sizeof(group), "%u", vsd);
	cluster_notify_attr(&attr);
	err = posix_spawn(&pid, d->cfg.notify, NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	d->notify_runs++;
	if (err) {
		d->notify_fail++;
		pr_warn("notify %s: %s", d->cfg.notify, strerror(err));
	}
}

static void cluster_record(struct nsrpd *d, unsigned int vsd,
			   const struct vsd_transition *t)
{
	struct nsrpd_event_rec *r = &d->hist[d->hist_n % NSRPD_HISTORY];

	r->mono_ns = t->at_ns;
	r->real_s = time(NULL);
	r->vsd = vsd;
	r->t = *t;
	d->hist_n++;
	pr_info("vsd-group %u: %s -> %s (%s)", vsd, vsd_state_name(t->from),
		vsd_state_name(t->to), t->reason);
}

/* The role map entry of a group, refreshed every heartbeat while master. */
static void cluster_push_role(struct nsrpd *d, unsigned int vsd, uint64_t now)
{
	bool master = vsd_is_master(&d->group[vsd].vsd);
	int err;

	err = dp_set_role(&d->dp, vsd,
			  master ? NSRP_ROLE_MASTER : NSRP_ROLE_BACKUP,
			  master ? now + cluster_dead_ns(d) : 0);
	if (err)
		pr_err("vsd-group %u: cannot set the role map: %s", vsd,
		       strerror(-err));
}

static void cluster_apply(struct nsrpd *d, unsigned int vsd,
			  const struct vsd_transition *t, uint64_t now)
{
	bool was = t->from == VSD_MASTER, is = t->to == VSD_MASTER;

	cluster_record(d, vsd, t);
	/* Addresses come and go: next hops are looked up afresh. */
	if (is != was)
		dp_nh_flush(&d->dp);
	if (is && !was) {
		cluster_push_role(d, vsd, now);
		cluster_vsi_addrs(d, vsd, true);
		cluster_announce_start(d, vsd);
		sync_takeover(d, vsd, now);
	} else if (was && !is) {
		cluster_push_role(d, vsd, now);
		cluster_vsi_addrs(d, vsd, false);
		d->group[vsd].announce_due = false;
		d->group[vsd].announce_left = 0;
	}
	cluster_notify(d, vsd, t);
}

/* ------------------------------------------------------------ heartbeats */

static void cluster_hb_build(struct nsrpd *d, struct proto_hb *hb)
{
	memset(hb, 0, sizeof(*hb));
	memcpy(hb->mac, d->mac, 6);
	hb->interval_ms = d->cfg.hb_interval_ms;
	if (d->stopping)
		hb->flags |= PROTO_HB_F_STEPPING_DOWN;
	if (d->path[HA_PRIMARY].fd >= 0 &&
	    d->path[HA_PRIMARY].peer_seen)
		hb->flags |= PROTO_HB_F_PRIMARY_LINK_UP;
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		struct proto_hb_group *g = &hb->groups[hb->ngroups];
		struct vsd_advert adv;

		if (!d->group[i].active)
			continue;
		vsd_advert(&d->group[i].vsd, &adv);
		g->id = i;
		g->state = adv.state;
		g->flags = adv.flags;
		g->priority = adv.priority;
		g->holddown_s = adv.holddown_s;
		hb->ngroups++;
	}
}

/* Every frame gets its own sequence number, on each path. */
void cluster_hdr(struct nsrpd *d, struct proto_hdr *h)
{
	*h = (struct proto_hdr){ .version = PROTO_VERSION,
				 .cluster_id = d->cfg.cluster_id,
				 .unit_id = d->unit_id, .epoch = d->epoch,
				 .seq = ++d->seq };
}

static int cluster_send(struct nsrpd *d, enum ha_path_id id,
			const struct proto_hb *hb)
{
	uint8_t buf[1500];
	struct proto_hdr h;
	int len;

	cluster_hdr(d, &h);
	len = proto_encode_hb(buf, sizeof(buf), &h, hb);
	if (len < 0)
		return len;
	len = hacrypt_seal(&d->crypt, buf, PROTO_HDR_LEN, len - PROTO_HDR_LEN,
			   sizeof(buf));
	if (len < 0)
		return len;
	return ha_path_send(&d->path[id], buf, len, PROTO_PORT);
}

static void cluster_send_hb(struct nsrpd *d, uint64_t now)
{
	struct proto_hb hb;

	cluster_hb_build(d, &hb);
	for (int i = 0; i < HA_NPATHS; i++)
		if (d->path[i].fd >= 0 && !cluster_send(d, i, &hb))
			d->hb_tx++;
	d->next_hb_ns = now + cluster_interval_ns(d);
}

/* ------------------------------------------------------------- election */

static void cluster_peer_view(const struct nsrpd *d, unsigned int vsd,
			      struct vsd_peer *p)
{
	memset(p, 0, sizeof(*p));
	if (!d->peer.present)
		return;
	for (unsigned int i = 0; i < d->peer.hb.ngroups; i++) {
		const struct proto_hb_group *g = &d->peer.hb.groups[i];

		if (g->id != vsd)
			continue;
		p->present = true;
		memcpy(p->mac, d->peer.mac, 6);
		p->adv.state = g->state;
		p->adv.flags = g->flags;
		p->adv.priority = g->priority;
		p->adv.holddown_s = g->holddown_s;
	}
}

/*
 * We stay master and the peer claims master too, or comes back after it
 * was lost: a healed split brain, where the peer may have been master
 * meanwhile (and may have stepped down before any of its heartbeats
 * reached us). While it was master the switches learnt the VSI MACs on
 * its ports, and a NIC of ours that went down took our IPv6 VSI
 * addresses with it: install the addresses again (a no-op for those
 * still there) and announce them.
 */
static void cluster_reassert(struct nsrpd *d, unsigned int vsd)
{
	pr_info("vsd-group %u: the peer is back; staying master and "
		"announcing the VSIs again", vsd);
	cluster_vsi_addrs(d, vsd, true);
	cluster_announce_start(d, vsd);
}

/* Returns whether any group changed its state. */
static bool cluster_elect(struct nsrpd *d, uint64_t now)
{
	bool changed = false;

	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		struct vsd_inputs in = {
			.sync_pending = sync_holds_preempt(d, now),
		};
		struct vsd_transition t;
		uint8_t was_peer_state = d->group[i].peer_state;

		if (!d->group[i].active || cluster_standalone(d))
			continue;
		cluster_peer_view(d, i, &in.peer);
		d->group[i].peer_state = in.peer.present ? in.peer.adv.state
							 : 0;
		if (vsd_step(&d->group[i].vsd, &in, now, &t) == 1) {
			cluster_apply(d, i, &t, now);
			changed = true;
		} else if (vsd_is_master(&d->group[i].vsd) &&
			 ((d->group[i].peer_state == VSD_MASTER &&
			   was_peer_state != VSD_MASTER) || d->peer_returned))
			cluster_reassert(d, i);
	}
	d->peer_returned = false;
	return changed;
}

/* The peer is lost only when no path has heard it within the threshold. */
static void cluster_check_peer(struct nsrpd *d, uint64_t now)
{
	uint64_t dead = cluster_dead_ns(d);
	struct ha_path *pri = &d->path[HA_PRIMARY];
	bool any = false;

	for (int i = 0; i < HA_NPATHS; i++) {
		struct ha_path *p = &d->path[i];

		if (p->fd >= 0 && p->peer_seen && now - p->last_rx_ns > dead)
			p->peer_seen = false;
		any |= p->peer_seen;
	}
	if (d->peer.present && !any)
		pr_warn("peer unit %u lost on every HA path", d->peer.unit_id);
	d->peer.present = any;

	/* The primary path failing alone is an alarm, not a failover. */
	if (any && pri->fd >= 0 && !pri->peer_seen && !d->primary_alarm) {
		d->primary_alarm = true;
		pr_warn("HA link %s lost; the secondary path carries the "
			"cluster", pri->ifname);
	} else if (d->primary_alarm && pri->peer_seen) {
		d->primary_alarm = false;
		pr_info("HA link %s restored", pri->ifname);
	}
}

uint64_t cluster_next_deadline(struct nsrpd *d)
{
	uint64_t next = d->next_hb_ns, t;

	for (int i = 0; i < HA_NPATHS; i++) {
		const struct ha_path *p = &d->path[i];

		if (p->fd >= 0 && p->peer_seen &&
		    p->last_rx_ns + cluster_dead_ns(d) + 1 < next)
			next = p->last_rx_ns + cluster_dead_ns(d) + 1;
	}
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		uint64_t t;

		if (!d->group[i].active || cluster_standalone(d))
			continue;
		t = vsd_next_deadline(&d->group[i].vsd);
		if (t < next)
			next = t;
	}
	if (d->stopping && d->stop_deadline_ns < next)
		next = d->stop_deadline_ns;
	t = sync_next_deadline(d, dp_now_ns());
	return t < next ? t : next;
}

/*
 * Called first on every wake-up of the event loop, which wakes at least
 * once per heartbeat interval. A gap longer than the peer's loss
 * threshold means this unit was stopped (SIGSTOP, a frozen VM, a starved
 * CPU) and sent nothing for that long. What the peer sent meanwhile is
 * read first, without electing on it frame by frame: our own silence must
 * not make the peer look lost (and an epoll_wait() resumed by SIGCONT
 * returns EINTR, with no event to read them for us). Then a group we
 * still are master of, and that the peer's latest heartbeat says it has
 * taken over, steps down at once, yielding (as "mode backup") so that the
 * peer keeps master without a second failover; preempt, if set, takes
 * master back after the hold-down. Without this the stale master answers
 * for the VSIs next to the new one until heartbeats are exchanged, and
 * when it wins on priority takes master back at once, without its
 * hold-down.
 */
void cluster_wake(struct nsrpd *d, uint64_t now)
{
	uint64_t gap = now - d->last_wake_ns;

	if (!d->last_wake_ns || cluster_standalone(d) || d->stopping) {
		d->last_wake_ns = now;
		return;
	}
	d->last_wake_ns = now;
	if (gap <= cluster_dead_ns(d) || !d->peer.present)
		return;
	d->draining = true;
	for (int i = 0; i < HA_NPATHS; i++)
		if (d->path[i].fd >= 0)
			cluster_rx(d, i, now);
	d->draining = false;
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		struct vsd_transition t;
		struct vsd_peer p;

		if (!d->group[i].active || !vsd_is_master(&d->group[i].vsd))
			continue;
		cluster_peer_view(d, i, &p);
		if (!p.present || p.adv.state != VSD_MASTER)
			continue;
		if (vsd_command(&d->group[i].vsd, VSD_CMD_BACKUP, now, &t) != 1)
			continue;
		snprintf(t.reason, sizeof(t.reason),
			 "stalled %llu ms, the peer took over",
			 (unsigned long long)(gap / NS_PER_MS));
		cluster_apply(d, i, &t, now);
	}
}

/* Each second: a change takes no restart (halink.h). */
static void cluster_check_mtu(struct nsrpd *d, uint64_t now)
{
	if (now < d->next_mtu_check_ns)
		return;
	d->next_mtu_check_ns = now + NS_PER_S;
	for (int i = 0; i < HA_NPATHS; i++)
		ha_path_check_mtu(&d->path[i]);
}

void cluster_tick(struct nsrpd *d, uint64_t now)
{
	bool changed;

	cluster_check_mtu(d, now);
	cluster_check_peer(d, now);
	changed = cluster_elect(d, now);
	/*
	 * A change is told at once: a unit that preempts would otherwise be
	 * master beside the old one until its next heartbeat.
	 */
	if (changed || now >= d->next_hb_ns) {
		for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
			if (!d->group[i].active ||
			    !vsd_is_master(&d->group[i].vsd))
				continue;
			cluster_push_role(d, i, now);
			if (cluster_announce_due(&d->group[i], now))
				cluster_announce(d, i);
		}
		cluster_send_hb(d, now);
	}
}

/* --------------------------------------------------------------- receive */

void cluster_count_drop(struct nsrpd *d, int reason)
{
	if (reason < 0)
		reason = -reason;
	if (reason > 0 && reason < PROTO_R_MAX)
		d->rx_drop[reason]++;
}

static void cluster_peer_heard(struct nsrpd *d, const struct proto_hdr *h,
			       const struct proto_hb *hb,
			       enum ha_path_id id, uint64_t now)
{
	struct ha_path *p = &d->path[id];

	if (d->peer.ever && d->peer.unit_id != h->unit_id)
		pr_warn("a different peer unit %u replaces unit %u",
			h->unit_id, d->peer.unit_id);
	if (!d->peer.present) {
		pr_info("peer unit %u heard on %s", h->unit_id, p->ifname);
		d->peer_returned = d->peer.ever;
		sync_peer_returned(d, now);
	}
	/*
	 * The same heartbeat goes out on every path, and a path's queue may
	 * hold older ones than another's (after a stall, or a slow path):
	 * any frame proves the peer alive on its path, but only a newer one
	 * than the last applied may change what we know of its state.
	 */
	if (!d->peer.ever || d->peer.unit_id != h->unit_id ||
	    h->epoch > d->peer.epoch ||
	    (h->epoch == d->peer.epoch && h->seq > d->peer.hb_seq)) {
		d->peer.unit_id = h->unit_id;
		d->peer.epoch = h->epoch;
		d->peer.hb_seq = h->seq;
		memcpy(d->peer.mac, hb->mac, 6);
		d->peer.hb = *hb;
	}
	d->peer.ever = true;
	d->peer.present = true;
	d->peer.last_rx_ns = now;
	p->last_rx_ns = now;
	p->peer_seen = true;
	d->hb_rx++;
}

/* One datagram: decode, verify, check for replay, then act on it. */
static void cluster_rx_frame(struct nsrpd *d, uint8_t *buf, size_t len,
			     const struct sockaddr_in *from, enum ha_path_id id,
			     uint64_t now)
{
	struct proto_hdr h;
	struct proto_hb hb;
	const uint8_t *body;
	size_t body_len;
	int err, n;

	err = proto_decode(buf, len, &h, &body, &body_len);
	if (!err)
		err = proto_check_peer(&h, d->cfg.cluster_id, d->unit_id);
	if (err == -PROTO_R_LOOPED) {
		d->looped++;	/* our own broadcast, looped back */
		return;
	}
	if (err)
		goto drop;
	n = hacrypt_open(&d->crypt, buf, len, PROTO_HDR_LEN);
	if (n < 0) {
		/* hacrypt speaks errno: count it under the table's reason. */
		err = n == -EPROTO ? -PROTO_R_SEC_MISMATCH : -PROTO_R_AUTH_FAIL;
		goto drop;
	}
	body = buf + PROTO_HDR_LEN;
	body_len = n;
	/* A new peer unit, or a restarted one, starts a fresh window. */
	if (d->peer.ever && d->peer.unit_id != h.unit_id)
		replay_init(&d->peer.replay);
	if (replay_accept(&d->peer.replay, h.epoch, h.seq)) {
		err = -PROTO_R_REPLAY;
		goto drop;
	}
	/* Verified and fresh: where sync frames to the peer go (halink.h). */
	d->path[id].peer = *from;
	switch (h.type) {
	case PROTO_T_HEARTBEAT:
		err = proto_decode_hb(body, body_len, &hb);
		if (err)
			goto drop;
		cluster_peer_heard(d, &h, &hb, id, now);
		if (!d->draining)
			cluster_elect(d, now);
		return;
	default:
		sync_rx(d, &h, body, body_len, now);
		/* A completed bulk sync may release a waiting preempt. */
		if (!d->draining)
			cluster_elect(d, now);
		return;
	}
drop:
	cluster_count_drop(d, err);
	pr_debug("%s: frame dropped: %s", d->path[id].ifname,
		 proto_reason_name(err));
}

void cluster_rx(struct nsrpd *d, enum ha_path_id id, uint64_t now)
{
	uint8_t buf[PROTO_MAX_FRAME];
	struct sockaddr_in from;
	uint64_t start = dp_now_ns();
	size_t seg;
	ssize_t n;

	/*
	 * Bounded, so that a flood on one path cannot starve the loop; in
	 * time too (NSRPD_SLICE_NS), but for the drain after a stall
	 * (cluster_wake()), which must see every heartbeat queued before it
	 * acts.
	 */
	for (int i = 0; i < 64; i++) {
		if (i && !d->draining && nsrpd_slice_spent(start)) {
			d->path[id].rx_yields++;
			return;
		}
		n = ha_path_recv(&d->path[id], buf, sizeof(buf), &from, &seg);
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return;
		if (n <= 0) {
			if (n == 0)
				cluster_count_drop(d, PROTO_R_TRUNCATED);
			continue;
		}
		/* Each frame of a merged burst stands or falls alone. */
		for (size_t off = 0; off < (size_t)n; off += seg)
			cluster_rx_frame(d, buf + off,
					 n - off < seg ? n - off : seg, &from,
					 id, now);
	}
}

/* ------------------------------------------------------ start and stop */

static void cluster_standalone_start(struct nsrpd *d, unsigned int vsd,
				     uint64_t now)
{
	struct vsd_transition t = { .from = VSD_INITIAL, .at_ns = now };

	t.to = d->cfg.standalone_role == CFG_ROLE_MASTER ? VSD_MASTER
							 : VSD_BACKUP;
	snprintf(t.reason, sizeof(t.reason), "standalone role");
	d->group[vsd].vsd.state = t.to;
	cluster_apply(d, vsd, &t, now);
}

int cluster_start(struct nsrpd *d)
{
	uint64_t now = dp_now_ns();

	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		struct vsd_params p;

		if (!d->group[i].active)
			continue;
		config_vsd_params(&d->cfg, i, &p);
		vsd_init(&d->group[i].vsd, &p, d->mac, now);
		/* Whatever an earlier run left: start as a backup. */
		dp_set_role(&d->dp, i, NSRP_ROLE_BACKUP, 0);
		cluster_vsi_addrs(d, i, false);
		if (cluster_standalone(d))
			cluster_standalone_start(d, i, now);
	}
	d->next_hb_ns = now;
	d->started = true;
	return 0;
}

int cluster_command(struct nsrpd *d, unsigned int vsd, enum vsd_cmd cmd,
		    uint64_t now)
{
	struct vsd_transition t;

	if (vsd >= NSRPD_MAX_VSD || !d->group[vsd].active)
		return -ENOENT;
	if (cluster_standalone(d))
		return -EOPNOTSUPP;
	if (vsd_command(&d->group[vsd].vsd, cmd, now, &t) == 1)
		cluster_apply(d, vsd, &t, now);
	/* Tell the peer at once rather than at the next interval. */
	cluster_send_hb(d, now);
	return 0;
}

/*
 * A graceful stop hands every group over: the heartbeat says we step
 * down, the peer takes master at once, and we leave when it has, or when
 * the peer could have noticed our absence anyway.
 */
void cluster_shutdown(struct nsrpd *d, uint64_t now)
{
	if (d->stopping)
		return;
	d->stopping = true;
	d->stop_deadline_ns = now + cluster_dead_ns(d);
	if (cluster_standalone(d) || !d->peer.present) {
		d->stop_deadline_ns = now;
		return;
	}
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++)
		if (d->group[i].active)
			cluster_command(d, i, VSD_CMD_SHUTDOWN, now);
}

/* True when the handover is complete and the daemon may leave. */
static bool cluster_handed_over(const struct nsrpd *d)
{
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++)
		if (d->group[i].active && vsd_is_master(&d->group[i].vsd))
			return false;
	return true;
}

bool cluster_may_exit(struct nsrpd *d, uint64_t now)
{
	return d->stopping &&
	       (now >= d->stop_deadline_ns || cluster_handed_over(d));
}

void cluster_stop(struct nsrpd *d)
{
	uint64_t now = dp_now_ns();

	/* Groups that never started have nothing to step down from. */
	if (!d->started)
		return;
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		struct vsd_transition t = { .from = d->group[i].vsd.state,
					    .to = VSD_INITIAL, .at_ns = now };

		if (!d->group[i].active)
			continue;
		snprintf(t.reason, sizeof(t.reason), "daemon stopped");
		d->group[i].vsd.state = VSD_INITIAL;
		cluster_apply(d, i, &t, now);
		dp_set_role(&d->dp, i, NSRP_ROLE_BACKUP, 0);
	}
}

/* Reaps finished notify scripts. */
void cluster_reap(struct nsrpd *d)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (ctl_server_reap(&d->ctl, pid, status))
			continue;
		if (WIFEXITED(status) && !WEXITSTATUS(status))
			continue;
		d->notify_fail++;
		if (WIFEXITED(status))
			pr_warn("notify %s (pid %d) exited with status %d",
				d->cfg.notify, pid, WEXITSTATUS(status));
		else
			pr_warn("notify %s (pid %d) killed by signal %d",
				d->cfg.notify, pid, WTERMSIG(status));
	}
}
