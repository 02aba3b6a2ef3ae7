// SPDX-License-Identifier: GPL-2.0-only
/* VSI MACs and unit ids: what both units must derive alike. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "ident.h"
#include "../harness.h"

static void test_vsi_mac_is_local_unicast(void)
{
	uint8_t mac[6];

	vsi_mac_derive(mac, 1, 0, "lan0");
	CU_ASSERT_EQUAL(mac[0] & 0x01, 0);	/* unicast */
	CU_ASSERT_EQUAL(mac[0] & 0x02, 0x02);	/* locally administered */
	CU_ASSERT_EQUAL(mac[2], 1);
	CU_ASSERT_EQUAL(mac[3], 0);
}

static void test_vsi_mac_differs_per_group_nic_cluster(void)
{
	uint8_t a[6], b[6], c[6], d[6];

	vsi_mac_derive(a, 1, 0, "lan0");
	vsi_mac_derive(b, 1, 1, "lan0");
	vsi_mac_derive(c, 1, 0, "wan0");
	vsi_mac_derive(d, 2, 0, "lan0");
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, 6), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a, c, 6), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a, d, 6), 0);
}

static void test_vsi_mac_is_stable(void)
{
	uint8_t a[6], b[6];

	vsi_mac_derive(a, 7, 3, "ethernet0/4");
	vsi_mac_derive(b, 7, 3, "ethernet0/4");
	CU_ASSERT_EQUAL(memcmp(a, b, 6), 0);
}

static void test_unit_id_and_plain_mac(void)
{
	const uint8_t mac[6] = { 0x00, 0x22, 0x23, 0x86, 0x30, 0x8b };
	char plain[13];

	CU_ASSERT_EQUAL(unit_id_from_mac(mac), 0x86308b);
	mac_to_plain(plain, mac);
	CU_ASSERT_STRING_EQUAL(plain, "00222386308b");
}

TEST_SUITE(ident, NULL, NULL,
	   TEST(test_vsi_mac_is_local_unicast),
	   TEST(test_vsi_mac_differs_per_group_nic_cluster),
	   TEST(test_vsi_mac_is_stable),
	   TEST(test_unit_id_and_plain_mac))
