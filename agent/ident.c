// SPDX-License-Identifier: GPL-2.0-only
/*
 * ident.c - identities both units derive alike: VSI MACs and unit ids.
 */
#include <stdio.h>

#include "ident.h"

/* FNV-1a, folded to 16 bits: stable across builds, hosts and byte orders. */
static uint16_t name_hash16(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return (uint16_t)(h ^ (h >> 16));
}

void vsi_mac_derive(uint8_t mac[6], unsigned int cluster_id,
		    unsigned int vsd, const char *ifname)
{
	uint16_t h = name_hash16(ifname);

	mac[0] = 0x02;	/* locally administered, unicast */
	mac[1] = 0x4e;
	mac[2] = (uint8_t)cluster_id;
	mac[3] = (uint8_t)vsd;
	mac[4] = h >> 8;
	mac[5] = h & 0xff;
}

uint32_t unit_id_from_mac(const uint8_t mac[6])
{
	return (uint32_t)mac[3] << 16 | (uint32_t)mac[4] << 8 | mac[5];
}

void mac_to_plain(char out[13], const uint8_t mac[6])
{
	snprintf(out, 13, "%02x%02x%02x%02x%02x%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
}
