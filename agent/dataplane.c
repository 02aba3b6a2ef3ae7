// SPDX-License-Identifier: GPL-2.0-only
/*
 * dataplane.c - load, pin, attach and drive the BPF data plane.
 *
 * The tc learner's object is loaded first: it creates (or re-uses) every
 * pinned map, so the maps exist before any NIC is touched. The XDP object
 * is handed to libxdp unloaded, so that libxdp can load it as a component
 * of its multi-program dispatcher where the kernel allows, or alone where
 * it does not; it re-uses the same pinned maps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>

#include "../bpf/consts.h"
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "dataplane.h"
#include "log.h"
#include "netlink.h"
#include "sesstab.h"
#include "nsrpd_apply.skel.h"
#include "nsrpd_tc.skel.h"
#include "nsrpd_xdp.skel.h"

#define BPF_FS_MAGIC_NUMBER 0xcafe4a11
#define DP_TC_HANDLE 0x4e53	/* "NS": our filter's handle and priority */
#define DP_TC_PRIO 0x4e53

#define DP_COUNTER_NAME(idx, member, name)	[NSRP_CNT_##idx] = name,

static const char *const dp_counter_names[NSRP_CNT_MAX] = {
	NSRP_COUNTERS(DP_COUNTER_NAME)
};

const char *dp_counter_name(enum nsrp_counter c)
{
	if ((unsigned int)c >= NSRP_CNT_MAX || !dp_counter_names[c])
		return "unknown";
	return dp_counter_names[c];
}

/* bpffs is missing inside a fresh mount namespace: mount it as bpftool does. */
static int dp_ensure_bpffs(const char *pin_dir)
{
	const char *root = "/sys/fs/bpf";
	struct statfs st;

	if (statfs(root, &st) == 0 && st.f_type == BPF_FS_MAGIC_NUMBER)
		goto mkdir_pin;
	if (mount("bpf", root, "bpf", 0, "mode=0700")) {
		int err = -errno;

		pr_err("cannot mount bpffs on %s: %s", root, strerror(-err));
		return err;
	}
	pr_info("mounted bpffs on %s", root);
mkdir_pin:
	if (mkdir(pin_dir, 0700) && errno != EEXIST) {
		int err = -errno;

		pr_err("cannot create %s: %s", pin_dir, strerror(-err));
		return err;
	}
	return 0;
}

/* Both objects carry the same maps and settings; set them alike. */
static int dp_prepare_obj(struct bpf_map *sess, volatile void *rodata,
			  const struct dp_config *cfg)
{
	memcpy((void *)rodata, &cfg->dp, sizeof(cfg->dp));
	return bpf_map__set_max_entries(sess, cfg->sess_max);
}

/* Would libbpf refuse to reuse pinned map fd for m? */
static bool dp_pin_differs(int fd, const struct bpf_map *m)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;	/* libbpf will say what is wrong */
	return info.type != bpf_map__type(m) ||
	       info.key_size != bpf_map__key_size(m) ||
	       info.value_size != bpf_map__value_size(m) ||
	       info.max_entries != bpf_map__max_entries(m) ||
	       info.map_flags != bpf_map__map_flags(m);
}

struct dp_carry {
	int fd;
	unsigned long long carried, lost;
};

static int dp_carry_one(const struct nsrp_sess_key *k,
			const struct nsrp_sess *v, void *arg)
{
	struct dp_carry *c = arg;

	if (bpf_map_update_elem(c->fd, k, v, BPF_NOEXIST))
		c->lost++;
	else
		c->carried++;
	return 0;
}

/* Copies the sessions of an old session map into the new one. */
static void dp_carry_sessions(int old_fd, int new_fd)
{
	struct dp_carry c = { .fd = new_fd };

	sesstab_walk(old_fd, dp_carry_one, &c);
	pr_info("session table resized: %llu sessions carried over, "
		"%llu not (table full)", c.carried, c.lost);
}

/*
 * A pinned map of another layout or size (a new version of the data
 * plane, or "set flow max-sessions" changed) cannot be reused: it is
 * unpinned so that the load creates it afresh. Every map but the session
 * table is rewritten by the agent as it starts; the sessions are kept in
 * *old_sess and carried over once the new table exists.
 */
static void dp_unpin_stale(struct bpf_object *obj, const char *sess_name,
			   int *old_sess)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) {
		const char *path = bpf_map__pin_path(m);
		int fd;

		if (!path)
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!dp_pin_differs(fd, m)) {
			close(fd);
			continue;
		}
		pr_warn("%s: pinned with another layout or size, replaced",
			path);
		unlink(path);
		if (!strcmp(bpf_map__name(m), sess_name) && *old_sess < 0)
			*old_sess = fd;
		else
			close(fd);
	}
}

static int dp_open_tc(struct dataplane *dp)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = dp->pin_dir);
	int err, old_sess = -1;

	dp->tc = nsrpd_tc__open_opts(&opts);
	if (!dp->tc) {
		err = -errno;
		pr_err("cannot open the tc learner: %s", strerror(-err));
		return err;
	}
	err = dp_prepare_obj(dp->tc->maps.nsrp_sess, &dp->tc->rodata->nsrp_cfg,
			     &dp->cfg);
	if (err)
		return err;
	dp_unpin_stale(dp->tc->obj, NSRPD_MAP_SESS, &old_sess);
	err = nsrpd_tc__load(dp->tc);
	if (err) {
		pr_err("cannot load the tc learner: %s", strerror(-err));
		goto out;
	}
	if (old_sess >= 0)
		dp_carry_sessions(old_sess,
				  bpf_map__fd(dp->tc->maps.nsrp_sess));
out:
	if (old_sess >= 0)
		close(old_sess);
	return err;
}

int dp_apply_load(struct dp_apply *a, const char *pin_dir,
		  const struct dp_config *cfg)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct dp_config c = *cfg;
	int err;

	a->prog_fd = -1;
	a->skel = nsrpd_apply__open_opts(&opts);
	if (!a->skel)
		return -errno;
	if (!c.sess_max)
		c.sess_max = NSRPD_SESS_DEFAULT;
	/* Definitions as the tc object's, or the pins would not be reused. */
	err = dp_prepare_obj(a->skel->maps.nsrp_sess, &a->skel->rodata->nsrp_cfg,
			     &c);
	if (err)
		return err;
	err = nsrpd_apply__load(a->skel);
	if (err)
		return err;
	a->prog_fd = bpf_program__fd(a->skel->progs.nsrp_apply);
	return 0;
}

void dp_apply_close(struct dp_apply *a)
{
	nsrpd_apply__destroy(a->skel);
	a->skel = NULL;
	a->prog_fd = -1;
}

int dp_apply_fd(const struct dataplane *dp)
{
	return dp->apply.skel ? dp->apply.prog_fd : -1;
}

/*
 * The backup applies the peer's session records in the kernel, a block
 * per syscall; a kernel that refuses the program leaves the syscall path.
 */
static void dp_open_apply(struct dataplane *dp)
{
	int err = dp_apply_load(&dp->apply, dp->pin_dir, &dp->cfg);

	if (err) {
		dp_apply_close(&dp->apply);
		pr_warn("session apply: the in-kernel program did not load "
			"(%s): peer records applied by map syscalls",
			strerror(-err));
		return;
	}
	pr_info("session apply: in the kernel, up to %d peer records per "
		"syscall", NSRP_APPLY_MAX);
}

/*
 * The XDP object stays unloaded here: its first attachment loads it, as a
 * dispatcher component where the kernel allows it, and later NICs share it.
 */
static int dp_open_xdp(struct dataplane *dp)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = dp->pin_dir);
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .prog_name = "nsrp_gate");
	int err;

	dp->xdp = nsrpd_xdp__open_opts(&opts);
	if (!dp->xdp) {
		err = -errno;
		pr_err("cannot open the XDP program: %s", strerror(-err));
		return err;
	}
	err = dp_prepare_obj(dp->xdp->maps.nsrp_sess,
			     &dp->xdp->rodata->nsrp_cfg, &dp->cfg);
	if (err)
		return err;
	xopts.obj = dp->xdp->obj;
	dp->xprog = xdp_program__create(&xopts);
	err = libxdp_get_error(dp->xprog);
	if (err) {
		dp->xprog = NULL;
		pr_err("cannot prepare the XDP program: %s", strerror(-err));
	}
	return err;
}

/*
 * The gate that the NICs run tail-calls nsrp_xdp through a program array
 * only this process holds (maps.h, nsrp_alive): if the process ends the
 * kernel empties it, and the data plane drops the VSIs at once.
 */
static int dp_pledge(struct dataplane *dp)
{
	__u32 zero = 0;
	int fd = bpf_program__fd(dp->xdp->progs.nsrp_xdp);

	if (bpf_map_update_elem(bpf_map__fd(dp->xdp->maps.nsrp_alive), &zero,
				&fd, BPF_ANY)) {
		int err = -errno;

		pr_err("cannot arm the data plane's dead-man switch: %s",
		       strerror(-err));
		return err;
	}
	return 0;
}

static void dp_take_fds(struct dataplane *dp)
{
	dp->fd_role = bpf_map__fd(dp->tc->maps.nsrp_role);
	dp->fd_vsi_mac = bpf_map__fd(dp->tc->maps.nsrp_vsi_mac);
	dp->fd_vsi_addr = bpf_map__fd(dp->tc->maps.nsrp_vsi_addr);
	dp->fd_iface = bpf_map__fd(dp->tc->maps.nsrp_iface);
	dp->fd_sess = bpf_map__fd(dp->tc->maps.nsrp_sess);
	dp->fd_cnt = bpf_map__fd(dp->tc->maps.nsrp_cnt);
	dp->fd_events = bpf_map__fd(dp->tc->maps.nsrp_events);
	dp->fd_nh_gen = bpf_map__fd(dp->tc->maps.nsrp_nh_gen);
}

int dp_open(struct dataplane *dp, const struct dp_config *cfg)
{
	int err, n;

	memset(dp, 0, sizeof(*dp));
	dp->cfg = *cfg;
	if (!dp->cfg.sess_max)
		dp->cfg.sess_max = NSRPD_SESS_DEFAULT;
	if (dp->cfg.sess_max > NSRPD_SESS_MAX) {
		pr_err("session table of %u entries exceeds the limit of %u",
		       dp->cfg.sess_max, NSRPD_SESS_MAX);
		return -EINVAL;
	}
	n = snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s",
		     cfg->pin_dir ? cfg->pin_dir : NSRPD_PIN_DIR);
	if (n < 0 || (size_t)n >= sizeof(dp->pin_dir))
		return -ENAMETOOLONG;
	dp->ncpus = libbpf_num_possible_cpus();
	if (dp->ncpus < 0)
		return dp->ncpus;

	err = dp_ensure_bpffs(dp->pin_dir);
	if (err)
		return err;
	err = dp_open_tc(dp);
	if (err)
		goto fail;
	dp_open_apply(dp);
	err = dp_open_xdp(dp);
	if (err)
		goto fail;
	dp_take_fds(dp);
	return 0;
fail:
	dp_close(dp);
	return err;
}

/* Ours, left by an earlier run: the program alone, or in the dispatcher. */
static struct xdp_program *dp_find_ours(struct xdp_multiprog *mp)
{
	struct xdp_program *p;

	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		return p && !strcmp(xdp_program__name(p), "nsrp_gate") ? p
								       : NULL;
	}
	for (p = xdp_multiprog__next_prog(NULL, mp); p;
	     p = xdp_multiprog__next_prog(p, mp))
		if (!strcmp(xdp_program__name(p), "nsrp_gate"))
			return p;
	return NULL;
}

/* A killed agent leaves its XDP program attached: replace only our own. */
static void dp_detach_stale_xdp(int ifindex, const char *ifname)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;

	if (libxdp_get_error(mp) || !mp)
		return;
	p = dp_find_ours(mp);
	if (p) {
		pr_info("%s: removing the XDP program of an earlier run",
			ifname);
		xdp_program__detach(p, ifindex,
				    xdp_multiprog__attach_mode(mp), 0);
	}
	xdp_multiprog__close(mp);
}

/* Whether libxdp put the program in its dispatcher, or attached it alone. */
static bool dp_in_dispatcher(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	bool legacy = true;

	if (!libxdp_get_error(mp) && mp) {
		legacy = xdp_multiprog__is_legacy(mp);
		xdp_multiprog__close(mp);
	}
	return !legacy;
}

/*
 * Why libxdp attached the program alone, in its own words, from the
 * messages it gave while it tried (held back: see dp_attach_xdp()).
 */
static void dp_note_no_dispatcher(struct dataplane *dp)
{
	static const char *const why[] = {
		"Compatibility check for dispatcher", "dispatcher without",
		"xdp-dispatcher.o", "to dispatcher",
	};
	char said[sizeof(dp->no_dispatcher) - 32];

	if (dp->no_dispatcher[0])
		return;
	if (getenv("LIBXDP_SKIP_DISPATCHER")) {
		snprintf(said, sizeof(said), "LIBXDP_SKIP_DISPATCHER is set");
	} else {
		snprintf(said, sizeof(said), "libxdp gave no reason");
		for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
			if (!log_lib_held(why[i], said, sizeof(said)))
				break;
	}
	/* Shown in JSON too: libxdp's words without quotes or escapes. */
	for (char *c = said; *c; c++)
		if (*c == '"' || *c == '\\' || *c < ' ' || *c > '~')
			*c = '\'';
	snprintf(dp->no_dispatcher, sizeof(dp->no_dispatcher),
		 "no dispatcher: %s", said);
	pr_info("XDP: libxdp's dispatcher is not used (%s): each NIC runs "
		"nsrpd's program alone, and no other XDP program can share it",
		said);
}

/*
 * Native where the driver has it, else generic. libxdp tries its
 * dispatcher first, and where the kernel refuses it, it attaches the
 * program alone: the failures of that try are libxdp's to recover from,
 * not warnings of ours, so its messages are held back (logged if the
 * attachment fails after all), and the one fact that matters, dispatcher
 * or not and why, is said once.
 */
static int dp_attach_xdp(struct dataplane *dp, struct dp_iface *ifc)
{
	static const enum xdp_attach_mode modes[] = { XDP_MODE_NATIVE,
						      XDP_MODE_SKB };
	int err = -EINVAL, native_err = 0;

	dp_detach_stale_xdp(ifc->ifindex, ifc->name);
	log_lib_hold();
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		err = xdp_program__attach(dp->xprog, ifc->ifindex, modes[i], 0);
		/* The first attach loaded the programs: now they have fds. */
		if (!err && !dp->pledged) {
			err = dp_pledge(dp);
			dp->pledged = !err;
		}
		if (!err) {
			ifc->xdp_attached = true;
			ifc->xdp_native = modes[i] == XDP_MODE_NATIVE;
			ifc->dispatcher = dp_in_dispatcher(ifc->ifindex);
			ifc->xdp_how = ifc->xdp_native ?
				(ifc->dispatcher ? "native+dispatcher" : "native") :
				(ifc->dispatcher ? "generic+dispatcher" : "generic");
			if (!ifc->dispatcher)
				dp_note_no_dispatcher(dp);
			log_lib_release(false);
			if (native_err)
				pr_warn("%s: native XDP refused (%s): attached "
					"in generic mode, far slower", ifc->name,
					strerror(-native_err));
			pr_info("%s: XDP attached (%s)", ifc->name,
				ifc->xdp_how);
			return 0;
		}
		if (modes[i] == XDP_MODE_NATIVE)
			native_err = err;
	}
	log_lib_release(true);
	pr_warn("%s: XDP attach failed, native and generic: %s", ifc->name,
		strerror(-err));
	return err;
}

bool dp_uses_dispatcher(const struct dataplane *dp)
{
	for (int i = 0; i < dp->n_ifaces; i++)
		if (dp->ifaces[i].dispatcher)
			return true;
	return false;
}

const char *dp_dispatcher_note(const struct dataplane *dp)
{
	if (dp_uses_dispatcher(dp))
		return "libxdp's dispatcher";
	return dp->no_dispatcher;
}

/*
 * The clsact qdisc that both tc programs hang on, where it is missing
 * (an earlier run leaves it): creating one that exists is refused, and
 * the kernel's refusal would be logged ("Exclusivity flag on").
 */
static int dp_tc_clsact(struct dp_iface *ifc)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifc->ifindex,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int err = nl_has_qdisc(ifc->ifindex, "clsact");

	if (err > 0)
		return 0;
	err = err < 0 ? err : bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		pr_err("%s: cannot create the clsact qdisc: %s", ifc->name,
		       strerror(-err));
	return err == -EEXIST ? 0 : err;
}

/* Attaches one tc program on the clsact qdisc. */
static int dp_tc_attach_one(struct dp_iface *ifc, enum bpf_tc_attach_point at,
			    struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifc->ifindex,
		    .attach_point = at);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = DP_TC_HANDLE,
		    .priority = DP_TC_PRIO, .flags = BPF_TC_F_REPLACE,
		    .prog_fd = bpf_program__fd(prog));
	int err;

	err = bpf_tc_attach(&hook, &opts);
	if (err)
		pr_err("%s: cannot attach %s: %s", ifc->name,
		       bpf_program__name(prog), strerror(-err));
	return err;
}

static void dp_tc_detach_one(struct dp_iface *ifc,
			     enum bpf_tc_attach_point at)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifc->ifindex,
		    .attach_point = at);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = DP_TC_HANDLE,
		    .priority = DP_TC_PRIO);
	int err = bpf_tc_detach(&hook, &opts);

	if (err && err != -ENOENT)
		pr_warn("%s: tc detach: %s", ifc->name, strerror(-err));
}

/* The learner on egress; on ingress, the fix-up of frames XDP accepted. */
static int dp_attach_tc(struct dataplane *dp, struct dp_iface *ifc)
{
	int err;

	err = dp_tc_clsact(ifc);
	if (err)
		return err;
	err = dp_tc_attach_one(ifc, BPF_TC_EGRESS, dp->tc->progs.nsrp_learn);
	if (err)
		return err;
	ifc->tc_attached = true;
	return dp_tc_attach_one(ifc, BPF_TC_INGRESS,
				dp->tc->progs.nsrp_ingress);
}

static void dp_detach_one(struct dataplane *dp, struct dp_iface *ifc);

int dp_attach(struct dataplane *dp, const char *ifname)
{
	struct dp_iface *ifc;
	int err;

	if (dp->n_ifaces >= NSRPD_MAX_IFACES)
		return -ENOSPC;
	ifc = &dp->ifaces[dp->n_ifaces];
	memset(ifc, 0, sizeof(*ifc));
	if (snprintf(ifc->name, sizeof(ifc->name), "%s", ifname) >=
	    (int)sizeof(ifc->name))
		return -ENAMETOOLONG;
	ifc->ifindex = if_nametoindex(ifname);
	if (!ifc->ifindex) {
		err = -errno;
		pr_err("%s: no such interface", ifname);
		return err;
	}
	err = dp_attach_xdp(dp, ifc);
	if (err)
		return err;
	err = dp_attach_tc(dp, ifc);
	if (err) {
		dp_detach_one(dp, ifc);
		return err;
	}
	dp->n_ifaces++;
	return 0;
}

/*
 * The program alone on the NIC is taken off by netlink, only if it is
 * still ours (XDP_FLAGS_REPLACE): that takes CAP_NET_ADMIN alone, all
 * the agent keeps (privs.h). libxdp's own detach first looks programs
 * up by id, which takes CAP_SYS_ADMIN: it is left for the dispatcher.
 */
static int dp_detach_xdp(struct dataplane *dp, struct dp_iface *ifc)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts,
		    .old_prog_fd = xdp_program__fd(dp->xprog));
	__u32 mode = ifc->xdp_native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;

	if (ifc->dispatcher)
		return xdp_program__detach(dp->xprog, ifc->ifindex,
					   XDP_MODE_UNSPEC, 0);
	return bpf_xdp_detach(ifc->ifindex, mode | XDP_FLAGS_REPLACE, &opts);
}

static void dp_detach_one(struct dataplane *dp, struct dp_iface *ifc)
{
	int err;

	if (ifc->tc_attached) {
		dp_tc_detach_one(ifc, BPF_TC_EGRESS);
		dp_tc_detach_one(ifc, BPF_TC_INGRESS);
		ifc->tc_attached = false;
	}
	if (ifc->xdp_attached) {
		err = dp_detach_xdp(dp, ifc);
		if (err)
			pr_warn("%s: XDP detach: %s", ifc->name,
				strerror(-err));
		ifc->xdp_attached = false;
	}
}

void dp_detach_all(struct dataplane *dp)
{
	for (int i = 0; i < dp->n_ifaces; i++)
		dp_detach_one(dp, &dp->ifaces[i]);
	dp->n_ifaces = 0;
}

void dp_close(struct dataplane *dp)
{
	dp_detach_all(dp);
	/* libxdp does not own the object it was handed; the skeleton does. */
	xdp_program__close(dp->xprog);
	dp->xprog = NULL;
	nsrpd_xdp__destroy(dp->xdp);
	dp_apply_close(&dp->apply);
	nsrpd_tc__destroy(dp->tc);
	dp->xdp = NULL;
	dp->tc = NULL;
}

int dp_set_role(struct dataplane *dp, __u32 vsd, enum nsrp_role role,
		__u64 deadline_ns)
{
	struct nsrp_role_state st = { .role = role, .deadline_ns = deadline_ns };

	if (vsd >= NSRPD_MAX_VSD)
		return -EINVAL;
	return bpf_map_update_elem(dp->fd_role, &vsd, &st, BPF_ANY) ? -errno
								     : 0;
}

int dp_set_iface(struct dataplane *dp, int ifindex, __u32 vsd,
		 const __u8 vsi_mac[6], const __u8 nic_mac[6])
{
	__u32 key = ifindex;
	struct nsrp_iface_val v = { .vsd = vsd, .flags = NSRP_IFACE_F_CLUSTER };

	memcpy(v.vsi_mac, vsi_mac, 6);
	memcpy(v.nic_mac, nic_mac, 6);
	if (bpf_map_update_elem(dp->fd_iface, &key, &v, BPF_ANY))
		return -errno;
	/* The next-hop cache holds the egress VSI MAC. */
	return dp_nh_flush(dp);
}

int dp_nh_flush(struct dataplane *dp)
{
	__u32 zero = 0;
	__u64 gen;

	if (bpf_map_lookup_elem(dp->fd_nh_gen, &zero, &gen))
		return -errno;
	gen++;
	return bpf_map_update_elem(dp->fd_nh_gen, &zero, &gen, BPF_ANY) ?
		       -errno : 0;
}

int dp_add_vsi_mac(struct dataplane *dp, int ifindex, const __u8 vsi_mac[6],
		   __u32 vsd, const __u8 nic_mac[6])
{
	__u32 key = ifindex;
	struct nsrp_vsi_macs v;

	if (ifindex <= 0 || ifindex >= NSRPD_MAX_IFINDEX) {
		pr_err("ifindex %d is beyond the data plane's limit of %d",
		       ifindex, NSRPD_MAX_IFINDEX - 1);
		return -ERANGE;
	}
	if (vsd >= NSRPD_MAX_VSD)
		return -EINVAL;
	if (bpf_map_lookup_elem(dp->fd_vsi_mac, &key, &v))
		return -errno;
	memcpy(v.nic_mac, nic_mac, 6);
	memcpy(v.vsd[vsd].mac, vsi_mac, 6);
	v.vsd[vsd].set = 1;
	return bpf_map_update_elem(dp->fd_vsi_mac, &key, &v, BPF_ANY) ? -errno
								       : 0;
}

int dp_add_vsi_addr(struct dataplane *dp, int ifindex, int family,
		    const void *addr, __u32 vsd, const __u8 vsi_mac[6])
{
	struct nsrp_vsi_addr_key k = { .ifindex = ifindex };
	struct nsrp_vsi_addr_val v = { .vsd = vsd };

	k.family = family == 6 ? NSRP_AF_INET6 : NSRP_AF_INET;
	memcpy(k.addr, addr, family == 6 ? 16 : 4);
	memcpy(v.vsi_mac, vsi_mac, 6);
	return bpf_map_update_elem(dp->fd_vsi_addr, &k, &v, BPF_ANY) ? -errno
									: 0;
}

int dp_read_counters(struct dataplane *dp, __u64 *out)
{
	return dp_sum_counters(dp->fd_cnt, dp->ncpus, out);
}

int dp_sum_counters(int fd, int ncpus, __u64 out[NSRP_CNT_MAX])
{
	struct nsrp_counters *percpu;
	__u32 zero = 0;
	int err = 0;

	percpu = calloc(ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	memset(out, 0, NSRP_CNT_MAX * sizeof(*out));
	if (bpf_map_lookup_elem(fd, &zero, percpu))
		err = -errno;
	for (int c = 0; !err && c < ncpus; c++)
		for (int i = 0; i < NSRP_CNT_MAX; i++)
			out[i] += percpu[c].n[i];
	free(percpu);
	return err;
}

/* A load-time timeout, or the data plane's default when left at zero. */
static __u64 dp_or_default(__u64 set, __u64 def)
{
	return set ? set : def;
}

__u64 dp_state_timeout_ns(const struct dataplane *dp, unsigned int state)
{
	const struct nsrp_dp_config *c = &dp->cfg.dp;

	switch (state) {
	case NSRP_SS_SYN_SENT:
	case NSRP_SS_SYN_RECV:
		return dp_or_default(c->tcp_syn_ns, NSRP_DEF_TCP_SYN_NS);
	case NSRP_SS_ESTABLISHED:
		return dp_or_default(c->tcp_est_ns, NSRP_DEF_TCP_EST_NS);
	case NSRP_SS_FIN_WAIT:
	case NSRP_SS_CLOSING:
		return dp_or_default(c->tcp_fin_ns, NSRP_DEF_TCP_FIN_NS);
	case NSRP_SS_TIME_WAIT:
	case NSRP_SS_CLOSED:
		return dp_or_default(c->tcp_tw_ns, NSRP_DEF_TCP_TW_NS);
	case NSRP_SS_UDP:
	case NSRP_SS_UDP_REPLIED:
		return dp_or_default(c->udp_ns, NSRP_DEF_UDP_NS);
	default:
		return dp_or_default(c->icmp_ns, NSRP_DEF_ICMP_NS);
	}
}

__u64 dp_refresh_ns(const struct dataplane *dp)
{
	return dp_or_default(dp->cfg.dp.refresh_ns, NSRP_DEF_REFRESH_NS);
}
