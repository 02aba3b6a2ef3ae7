// SPDX-License-Identifier: GPL-2.0-only
/*
 * privs.c - capabilities dropped and no_new_privs set once the agent
 * runs (see privs.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "log.h"
#include "privs.h"

static const cap_value_t privs_run[] = {
	CAP_NET_ADMIN, CAP_NET_RAW, CAP_SYS_NICE,
};

/* What taking the program out of libxdp's dispatcher takes. */
static const cap_value_t privs_dispatcher[] = {
	CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN,
};

#define N_OF(a)	(sizeof(a) / sizeof((a)[0]))

static bool privs_wanted(cap_value_t c, bool dispatcher)
{
	for (size_t i = 0; i < N_OF(privs_run); i++)
		if (privs_run[i] == c)
			return true;
	for (size_t i = 0; dispatcher && i < N_OF(privs_dispatcher); i++)
		if (privs_dispatcher[i] == c)
			return true;
	return false;
}

const char *privs_kept(bool dispatcher)
{
	return dispatcher ? "cap_net_admin,cap_net_raw,cap_sys_nice,"
			    "cap_bpf,cap_perfmon,cap_sys_admin"
			  : "cap_net_admin,cap_net_raw,cap_sys_nice";
}

/*
 * The bounding set first: trimming it takes CAP_SETPCAP, which the
 * sets below then lose. A bounding set that others trimmed already (a
 * unit's CapabilityBoundingSet=) is only trimmed further.
 */
static int privs_bound(bool dispatcher)
{
	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		if (privs_wanted(c, dispatcher) || cap_get_bound(c) != 1)
			continue;
		if (cap_drop_bound(c))
			return -errno;
	}
	return 0;
}

/* Permitted and effective: what was wanted and held; inheritable: none. */
static int privs_sets(bool dispatcher)
{
	cap_t now = cap_get_proc(), next = cap_init();
	int err = 0;

	if (!now || !next) {
		err = -errno;
		goto out;
	}
	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		cap_flag_value_t held = CAP_CLEAR;

		if (!privs_wanted(c, dispatcher) ||
		    cap_get_flag(now, c, CAP_PERMITTED, &held) ||
		    held != CAP_SET)
			continue;
		if (cap_set_flag(next, CAP_PERMITTED, 1, &c, CAP_SET) ||
		    cap_set_flag(next, CAP_EFFECTIVE, 1, &c, CAP_SET)) {
			err = -errno;
			goto out;
		}
	}
	if (cap_set_proc(next))
		err = -errno;
out:
	cap_free(now);
	cap_free(next);
	return err;
}

int privs_drop(bool dispatcher)
{
	int err;

	err = privs_bound(dispatcher);
	if (err) {
		pr_err("cannot trim the capability bounding set: %s",
		       strerror(-err));
		return err;
	}
	/* Ambient capabilities would pass to what the agent runs. */
	if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient()) {
		err = -errno;
		pr_err("cannot clear the ambient capabilities: %s",
		       strerror(-err));
		return err;
	}
	err = privs_sets(dispatcher);
	if (err) {
		pr_err("cannot drop capabilities: %s", strerror(-err));
		return err;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		err = -errno;
		pr_err("cannot set no_new_privs: %s", strerror(-err));
		return err;
	}
	pr_info("capabilities dropped: keeping %s; no_new_privs set",
		privs_kept(dispatcher));
	return 0;
}
