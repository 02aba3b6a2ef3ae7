/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * manage.h - the management addresses ("set interface IF manage-ip A"):
 * this unit's own, installed on their NICs by the agent when it starts or
 * when the configuration adds them, never moved on failover, and the
 * source of track-ip's probes. One given without a prefix length takes
 * the subnet of the NIC's VSI (config_manage_prefix()).
 */
#ifndef NSRPD_MANAGE_H
#define NSRPD_MANAGE_H

#include "config.h"

/*
 * Installs next's addresses, and removes those of prev (NULL at start)
 * that next no longer has. A NIC that does not exist is warned of.
 */
void manage_apply(const struct nsrp_config *prev,
		  const struct nsrp_config *next);

#endif
