// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsi.c - the VSIs in the data plane, their addresses and announcements
 * (see vsi.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>

#include "clock.h"
#include "garp.h"
#include "ident.h"
#include "log.h"
#include "netlink.h"
#include "vsi.h"

void vsi_init(struct vsi *v, const struct nsrp_config *cfg,
	      struct dataplane *dp)
{
	memset(v, 0, sizeof(*v));
	v->cfg = cfg;
	v->dp = dp;
}

static int vsi_family(const struct cfg_vsi_addr *a)
{
	return a->a.family == AF_INET6 ? 6 : 4;
}

static bool vsi_attached(const struct dataplane *dp, const char *ifname)
{
	for (int i = 0; i < dp->n_ifaces; i++)
		if (!strcmp(dp->ifaces[i].name, ifname))
			return true;
	return false;
}

/* Tells the data plane which NIC, MAC and address one VSI is. */
static int vsi_program_one(struct vsi *v, const struct cfg_vsi_addr *a)
{
	struct link_info li;
	uint8_t vmac[6];
	int err;

	err = link_info_get(a->ifname, &li);
	if (err) {
		pr_err("%s: %s", a->ifname, strerror(-err));
		return err;
	}
	vsi_mac_derive(vmac, v->cfg->cluster_id, a->vsd, a->ifname);
	if (!vsi_attached(v->dp, a->ifname)) {
		err = dp_attach(v->dp, a->ifname);
		if (err)
			return err;
		err = dp_set_iface(v->dp, li.ifindex, a->vsd, vmac, li.mac);
		if (err)
			return err;
	}
	err = dp_add_vsi_mac(v->dp, li.ifindex, vmac, a->vsd, li.mac);
	if (!err)
		err = dp_add_vsi_addr(v->dp, li.ifindex, vsi_family(a),
				      a->a.addr, a->vsd, vmac);
	if (err)
		pr_err("%s: cannot program the VSI: %s", a->ifname,
		       strerror(-err));
	return err;
}

int vsi_program(struct vsi *v)
{
	for (unsigned int i = 0; i < v->cfg->n_vsi; i++) {
		int err = vsi_program_one(v, &v->cfg->vsi[i]);

		if (err)
			return err;
	}
	return 0;
}

static void vsi_addrs(struct vsi *v, unsigned int vsd, bool add)
{
	for (unsigned int i = 0; i < v->cfg->n_vsi; i++) {
		const struct cfg_vsi_addr *a = &v->cfg->vsi[i];
		int ifindex = if_nametoindex(a->ifname);
		int err;

		if (a->vsd != vsd || !ifindex)
			continue;
		err = add ? nl_addr_add(ifindex, vsi_family(a), a->a.addr,
					a->a.prefixlen)
			  : nl_addr_del(ifindex, vsi_family(a), a->a.addr,
					a->a.prefixlen);
		if (err)
			pr_warn("%s: cannot %s a VSI address: %s", a->ifname,
				add ? "add" : "remove", strerror(-err));
	}
}

static void vsi_role(struct vsi *v, unsigned int vsd, enum nsrp_role role,
		     uint64_t deadline)
{
	int err = dp_set_role(v->dp, vsd, role,
			      role == NSRP_ROLE_BACKUP ? 0 : deadline);

	if (err)
		pr_err("vsd-group %u: cannot set the role map: %s", vsd,
		       strerror(-err));
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
static void vsi_announce(struct vsi *v, unsigned int vsd, uint64_t now)
{
	struct vsi_group *g = &v->group[vsd];
	bool retry = g->announce_due, failed = false;

	for (unsigned int i = 0; i < v->cfg->n_vsi; i++) {
		const struct cfg_vsi_addr *a = &v->cfg->vsi[i];
		uint8_t mac[6];
		int err;

		if (a->vsd != vsd)
			continue;
		vsi_mac_derive(mac, v->cfg->cluster_id, vsd, a->ifname);
		err = garp_send(if_nametoindex(a->ifname), vsi_family(a), mac,
				a->a.addr);
		if (err && !retry)
			pr_warn("%s: gratuitous announcement failed: %s; "
				"retrying every heartbeat", a->ifname,
				strerror(-err));
		failed |= err != 0;
	}
	if (retry && !failed)
		pr_info("vsd-group %u: VSIs announced on every NIC", vsd);
	g->announce_due = failed;
	if (!failed && g->announce_left)
		g->announce_left--;
	g->announced_ns = now;
}

/* Rounds are due at heartbeats after the one that sent the last. */
static bool vsi_announce_due(const struct vsi_group *g, uint64_t now)
{
	return (g->announce_due || g->announce_left) && now > g->announced_ns;
}

static void vsi_announce_start(struct vsi *v, unsigned int vsd)
{
	v->group[vsd].announce_due = false;
	v->group[vsd].announce_left = v->cfg->arp_count;
	if (v->cfg->arp_count)
		vsi_announce(v, vsd, clock_now_ns());
}

void vsi_reset(struct vsi *v, unsigned int vsd)
{
	v->group[vsd].leaving_until = 0;
	dp_set_role(v->dp, vsd, NSRP_ROLE_BACKUP, 0);
	vsi_addrs(v, vsd, false);
}

void vsi_take(struct vsi *v, unsigned int vsd, uint64_t deadline)
{
	/* Addresses come and go: next hops are looked up afresh. */
	dp_nh_flush(v->dp);
	v->group[vsd].leaving_until = 0;
	vsi_role(v, vsd, NSRP_ROLE_MASTER, deadline);
	vsi_addrs(v, vsd, true);
	vsi_announce_start(v, vsd);
}

void vsi_release(struct vsi *v, unsigned int vsd)
{
	dp_nh_flush(v->dp);
	v->group[vsd].leaving_until = 0;
	vsi_role(v, vsd, NSRP_ROLE_BACKUP, 0);
	vsi_addrs(v, vsd, false);
	v->group[vsd].announce_due = false;
	v->group[vsd].announce_left = 0;
}

/*
 * The addresses stay while the group leaves: what the kernel forwards
 * for it (frames the fast path cannot take) still needs them.
 */
void vsi_leave(struct vsi *v, unsigned int vsd, uint64_t until)
{
	v->group[vsd].leaving_until = until;
	vsi_role(v, vsd, NSRP_ROLE_LEAVING, until);
	v->group[vsd].announce_due = false;
	v->group[vsd].announce_left = 0;
}

void vsi_tick(struct vsi *v, uint64_t now)
{
	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++) {
		if (!v->group[i].leaving_until || now < v->group[i].leaving_until)
			continue;
		pr_info("vsd-group %u: handed over, no longer forwarding", i);
		vsi_release(v, i);
	}
}

uint64_t vsi_next_deadline(const struct vsi *v)
{
	uint64_t next = UINT64_MAX;

	for (unsigned int i = 0; i < NSRPD_MAX_VSD; i++)
		if (v->group[i].leaving_until &&
		    v->group[i].leaving_until < next)
			next = v->group[i].leaving_until;
	return next;
}

bool vsi_leaving(const struct vsi *v)
{
	return vsi_next_deadline(v) != UINT64_MAX;
}

void vsi_reassert(struct vsi *v, unsigned int vsd)
{
	if (v->group[vsd].leaving_until)
		return;		/* handing over: the peer announces */
	vsi_addrs(v, vsd, true);
	vsi_announce_start(v, vsd);
}

void vsi_refresh(struct vsi *v, unsigned int vsd, uint64_t deadline,
		 uint64_t now)
{
	if (v->group[vsd].leaving_until)
		return;
	vsi_role(v, vsd, NSRP_ROLE_MASTER, deadline);
	if (vsi_announce_due(&v->group[vsd], now))
		vsi_announce(v, vsd, now);
}
