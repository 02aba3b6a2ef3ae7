// SPDX-License-Identifier: GPL-2.0-only
/*
 * dpview.c - the data plane's tables, read from its maps (see dpview.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "dpview.h"
#include "jsonout.h"

#define MAC_STR_LEN	18

static void mac_str(char out[MAC_STR_LEN], const __u8 *m)
{
	snprintf(out, MAC_STR_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
		 m[2], m[3], m[4], m[5]);
}

static bool mac_zero(const __u8 *m)
{
	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

/* The interface's name here, or "-" when it is gone. */
static const char *ifname_of(unsigned int ifindex, char buf[IF_NAMESIZE])
{
	return if_indextoname(ifindex, buf) ? buf : "-";
}

/* A JSON answer's top: {"schema_version":1,"<key>":[ ... ]} */
static json_t *view_root(const char *key, json_t **list)
{
	json_t *root = jsonout_object();

	*list = json_array();
	if (!root || !*list) {
		json_decref(root);
		json_decref(*list);
		return NULL;
	}
	jsonout_set(root, key, *list);
	return root;
}

/* ------------------------------------------------------------- vsi-mac */

/*
 * The whole array in one syscall: 16384 lookups one by one would hold
 * the loop for milliseconds.
 */
static int vsi_mac_read(int fd, __u32 *keys, struct nsrp_vsi_macs *vals,
			__u32 *count)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 out = 0;
	int err;

	*count = NSRPD_MAX_IFINDEX;
	err = bpf_map_lookup_batch(fd, NULL, &out, keys, vals, count, &opts);
	if (err && errno != ENOENT)		/* ENOENT: the last batch */
		return -errno;
	return 0;
}

static bool vsi_mac_used(const struct nsrp_vsi_macs *m)
{
	if (!mac_zero(m->nic_mac))
		return true;
	for (int g = 0; g < NSRPD_MAX_VSD; g++)
		if (m->vsd[g].set)
			return true;
	return false;
}

static void vsi_mac_one(__u32 ifindex, const struct nsrp_vsi_macs *m,
			json_t *list, struct ctl_out *o)
{
	char name[IF_NAMESIZE], nic[MAC_STR_LEN], vsi[MAC_STR_LEN];
	json_t *e = NULL, *groups = NULL;

	mac_str(nic, m->nic_mac);
	if (list) {
		e = json_object();
		groups = json_array();
		if (!e || !groups) {
			json_decref(e);
			json_decref(groups);
			return;
		}
		jsonout_set_uint(e, "ifindex", ifindex);
		jsonout_set_str(e, "ifname", ifname_of(ifindex, name));
		jsonout_set_str(e, "nic_mac", nic);
		jsonout_set(e, "groups", groups);
		json_array_append_new(list, e);
	}
	for (int g = 0; g < NSRPD_MAX_VSD; g++) {
		json_t *ge;

		if (!m->vsd[g].set)
			continue;
		mac_str(vsi, m->vsd[g].mac);
		if (!list) {
			ctl_printf(o, "%7u %-16s %s %5d %s\n", ifindex,
				   ifname_of(ifindex, name), nic, g, vsi);
			continue;
		}
		ge = json_object();
		if (!ge)
			continue;
		jsonout_set_uint(ge, "group", g);
		jsonout_set_str(ge, "vsi_mac", vsi);
		json_array_append_new(groups, ge);
	}
}

int dpview_vsi_mac(const struct dataplane *dp, bool json, struct ctl_out *o)
{
	__u32 *keys = calloc(NSRPD_MAX_IFINDEX, sizeof(*keys)), n = 0;
	struct nsrp_vsi_macs *vals = calloc(NSRPD_MAX_IFINDEX, sizeof(*vals));
	json_t *root = NULL, *list = NULL;
	int err = -ENOMEM;

	if (!keys || !vals)
		goto out;
	err = vsi_mac_read(dp->fd_vsi_mac, keys, vals, &n);
	if (err)
		goto out;
	if (json) {
		root = view_root("vsi_mac", &list);
		if (!root) {
			err = -ENOMEM;
			goto out;
		}
	} else {
		ctl_printf(o, "ifindex interface        nic mac           "
			      "group vsi mac\n");
	}
	for (__u32 i = 0; i < n; i++)
		if (vsi_mac_used(&vals[i]))
			vsi_mac_one(keys[i], &vals[i], list, o);
	err = root ? jsonout_write(o, root, true) : 0;
out:
	free(keys);
	free(vals);
	return err;
}

/* ------------------------------------------------------------ vsi-addr */

int dpview_vsi_addr(const struct dataplane *dp, bool json, struct ctl_out *o)
{
	struct nsrp_vsi_addr_key k, *prev = NULL;
	json_t *root = NULL, *list = NULL;

	if (json && !(root = view_root("vsi_addr", &list)))
		return -ENOMEM;
	if (!json)
		ctl_printf(o, "ifindex interface        address                "
			      "                  group vsi mac\n");
	while (!bpf_map_get_next_key(dp->fd_vsi_addr, prev, &k)) {
		char name[IF_NAMESIZE], ip[INET6_ADDRSTRLEN], mac[MAC_STR_LEN];
		int family = k.family == NSRP_AF_INET6 ? AF_INET6 : AF_INET;
		struct nsrp_vsi_addr_val v;
		json_t *e;

		prev = &k;
		if (bpf_map_lookup_elem(dp->fd_vsi_addr, &k, &v))
			continue;
		if (!inet_ntop(family, k.addr, ip, sizeof(ip)))
			snprintf(ip, sizeof(ip), "?");
		mac_str(mac, v.vsi_mac);
		if (!json) {
			ctl_printf(o, "%7u %-16s %-40s %5u %s\n", k.ifindex,
				   ifname_of(k.ifindex, name), ip, v.vsd, mac);
			continue;
		}
		e = json_object();
		if (!e)
			break;
		jsonout_set_uint(e, "ifindex", k.ifindex);
		jsonout_set_str(e, "ifname", ifname_of(k.ifindex, name));
		jsonout_set_str(e, "family", family == AF_INET ? "ipv4"
							       : "ipv6");
		jsonout_set_str(e, "address", ip);
		jsonout_set_uint(e, "group", v.vsd);
		jsonout_set_str(e, "vsi_mac", mac);
		json_array_append_new(list, e);
	}
	return root ? jsonout_write(o, root, true) : 0;
}

/* ---------------------------------------------------------------- role */

/* How far the deadline is: ms ahead, negative when it passed. */
static long long deadline_in_ms(__u64 deadline, uint64_t now)
{
	if (deadline >= now)
		return (long long)((deadline - now) / 1000000ULL);
	return -(long long)((now - deadline) / 1000000ULL);
}

int dpview_roles(const struct dataplane *dp, uint64_t now, bool json,
		 struct ctl_out *o)
{
	json_t *root = NULL, *list = NULL;

	if (json && !(root = view_root("roles", &list)))
		return -ENOMEM;
	if (!json)
		ctl_printf(o, "group role    deadline\n");
	for (__u32 g = 0; g < NSRPD_MAX_VSD; g++) {
		const char *role;
		struct nsrp_role_state st;
		long long ms;
		json_t *e;

		if (bpf_map_lookup_elem(dp->fd_role, &g, &st))
			continue;
		role = st.role == NSRP_ROLE_MASTER ? "master" : "backup";
		ms = deadline_in_ms(st.deadline_ns, now);
		if (!json) {
			if (st.role != NSRP_ROLE_MASTER)
				ctl_printf(o, "%5u %-7s -\n", g, role);
			else if (ms >= 0)
				ctl_printf(o, "%5u %-7s in %lld ms\n", g, role,
					   ms);
			else
				ctl_printf(o, "%5u %-7s passed %lld ms ago: "
					      "acts as backup\n", g, role, -ms);
			continue;
		}
		e = json_object();
		if (!e)
			break;
		jsonout_set_uint(e, "group", g);
		jsonout_set_str(e, "role", role);
		jsonout_set(e, "deadline_in_ms", json_integer(ms));
		jsonout_set_bool(e, "acts_as_master",
				 st.role == NSRP_ROLE_MASTER && ms >= 0);
		json_array_append_new(list, e);
	}
	return root ? jsonout_write(o, root, true) : 0;
}

/* --------------------------------------------------------------- iface */

int dpview_ifaces(const struct dataplane *dp, bool json, struct ctl_out *o)
{
	json_t *root = NULL, *list = NULL;
	__u32 k, *prev = NULL;

	if (json && !(root = view_root("ifaces", &list)))
		return -ENOMEM;
	if (!json)
		ctl_printf(o, "ifindex interface        group vsi mac           "
			      "nic mac           cluster\n");
	while (!bpf_map_get_next_key(dp->fd_iface, prev, &k)) {
		char name[IF_NAMESIZE], vsi[MAC_STR_LEN], nic[MAC_STR_LEN];
		struct nsrp_iface_val v;
		json_t *e;

		prev = &k;
		if (bpf_map_lookup_elem(dp->fd_iface, &k, &v))
			continue;
		mac_str(vsi, v.vsi_mac);
		mac_str(nic, v.nic_mac);
		if (!json) {
			ctl_printf(o, "%7u %-16s %5u %s %s %s\n", k,
				   ifname_of(k, name), v.vsd, vsi, nic,
				   v.flags & NSRP_IFACE_F_CLUSTER ? "yes"
								  : "no");
			continue;
		}
		e = json_object();
		if (!e)
			break;
		jsonout_set_uint(e, "ifindex", k);
		jsonout_set_str(e, "ifname", ifname_of(k, name));
		jsonout_set_uint(e, "group", v.vsd);
		jsonout_set_str(e, "vsi_mac", vsi);
		jsonout_set_str(e, "nic_mac", nic);
		jsonout_set_bool(e, "cluster", v.flags & NSRP_IFACE_F_CLUSTER);
		json_array_append_new(list, e);
	}
	return root ? jsonout_write(o, root, true) : 0;
}
