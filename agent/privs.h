/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * privs.h - the privileges the agent keeps once it runs.
 *
 * Loading the BPF programs, pinning their maps, attaching them to the
 * NICs and opening the sockets take most of root's capabilities. Once
 * that is done, the agent keeps only what its work still needs, in its
 * permitted, effective and bounding sets alike, and sets no_new_privs,
 * so that neither it nor what it runs (the notify hook, config sync's
 * commands) can ever gain more:
 *
 *   CAP_NET_ADMIN  addresses (VSIs, manage-ip), neighbours, conntrack
 *                  entries, the qdiscs and XDP programs it removes when
 *                  it stops, larger socket buffers; what config sync's
 *                  reload commands (nft -f) need;
 *   CAP_NET_RAW    gratuitous ARPs and neighbour advertisements,
 *                  track-ip's probes, sockets bound to their NIC;
 *   CAP_SYS_NICE   "set nsrp realtime-priority" (SCHED_FIFO) at run time.
 *
 * The maps and programs are used through the descriptors already open,
 * which need no capability. With libxdp's dispatcher (where the kernel
 * allows it), taking the program out of the dispatcher when the agent
 * stops loads a new dispatcher: then CAP_BPF, CAP_PERFMON and
 * CAP_SYS_ADMIN are kept too.
 */
#ifndef NSRPD_PRIVS_H
#define NSRPD_PRIVS_H

#include <stdbool.h>

/*
 * Drops every capability but those above, from every set, and sets
 * no_new_privs. Returns 0 or -errno; a capability the process did not
 * have is not an error (it keeps fewer).
 */
int privs_drop(bool dispatcher);
/* The names of what privs_drop() keeps, "cap_net_admin,..." (libcap's). */
const char *privs_kept(bool dispatcher);

#endif
