// SPDX-License-Identifier: GPL-2.0-only
/*
 * manage.c - the unit's own management addresses (see manage.h).
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include "log.h"
#include "manage.h"
#include "netlink.h"

/* Does c have address m of configuration mc, with the same prefix? */
static bool manage_has(const struct nsrp_config *c,
		       const struct nsrp_config *mc,
		       const struct cfg_manage *m)
{
	for (unsigned int i = 0; c && i < c->n_manage; i++)
		if (!strcmp(c->manage[i].ifname, m->ifname) &&
		    c->manage[i].a.family == m->a.family &&
		    !memcmp(c->manage[i].a.addr, m->a.addr, 16) &&
		    config_manage_prefix(c, &c->manage[i]) ==
			    config_manage_prefix(mc, m))
			return true;
	return false;
}

static void manage_one(const struct nsrp_config *c,
		       const struct cfg_manage *m, bool add)
{
	int ifindex = if_nametoindex(m->ifname);
	int fam = m->a.family == AF_INET6 ? 6 : 4;
	char buf[INET6_ADDRSTRLEN];
	int err;

	inet_ntop(m->a.family, m->a.addr, buf, sizeof(buf));
	if (!ifindex) {
		pr_warn("manage-ip %s: no interface %s", buf, m->ifname);
		return;
	}
	err = add ? nl_addr_add(ifindex, fam, m->a.addr,
				config_manage_prefix(c, m))
		  : nl_addr_del(ifindex, fam, m->a.addr,
				config_manage_prefix(c, m));
	if (err)
		pr_warn("manage-ip %s on %s: cannot %s it: %s", buf, m->ifname,
			add ? "add" : "remove", strerror(-err));
}

void manage_apply(const struct nsrp_config *prev,
		  const struct nsrp_config *next)
{
	for (unsigned int i = 0; prev && i < prev->n_manage; i++)
		if (!manage_has(next, prev, &prev->manage[i]))
			manage_one(prev, &prev->manage[i], false);
	for (unsigned int i = 0; i < next->n_manage; i++)
		if (!manage_has(prev, next, &next->manage[i]))
			manage_one(next, &next->manage[i], true);
}
