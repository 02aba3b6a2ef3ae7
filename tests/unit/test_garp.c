// SPDX-License-Identifier: GPL-2.0-only
/* The announcements a new master sends, byte for byte. */
#include <string.h>
#include <arpa/inet.h>
#include <CUnit/CUnit.h>

#include "garp.h"
#include "../harness.h"

static const uint8_t vsi_mac[6] = { 0x02, 0x4e, 0x01, 0x00, 0xab, 0xcd };

static void test_garp_arp_bytes(void)
{
	static const uint8_t want[GARP_ARP_LEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x02, 0x4e, 0x01, 0x00, 0xab, 0xcd, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
		0x02, 0x4e, 0x01, 0x00, 0xab, 0xcd, 192, 0, 2, 1,
		0, 0, 0, 0, 0, 0, 192, 0, 2, 1,
	};
	uint8_t buf[GARP_ARP_LEN], ip[4] = { 192, 0, 2, 1 };

	CU_ASSERT_EQUAL(garp_build_arp(buf, vsi_mac, ip), GARP_ARP_LEN);
	CU_ASSERT_EQUAL(memcmp(buf, want, sizeof(want)), 0);
}

/* Verifies a checksum the way a receiver does: the sum must fold to 0xffff. */
static int icmp6_csum_ok(const uint8_t *ip6hdr)
{
	const uint8_t *msg = ip6hdr + 40;
	unsigned int len = ip6hdr[4] << 8 | ip6hdr[5];
	uint32_t sum = len + 58;

	for (int i = 8; i < 40; i += 2)
		sum += ip6hdr[i] << 8 | ip6hdr[i + 1];
	for (unsigned int i = 0; i < len; i += 2)
		sum += msg[i] << 8 | msg[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static void test_garp_na_fields(void)
{
	uint8_t buf[GARP_NA_LEN], ip6[16];
	const uint8_t *ip = buf + 14, *icmp = buf + 54;

	inet_pton(AF_INET6, "2001:db8:1::1", ip6);
	CU_ASSERT_EQUAL(garp_build_na(buf, vsi_mac, ip6), GARP_NA_LEN);
	CU_ASSERT_EQUAL(buf[12], 0x86);
	CU_ASSERT_EQUAL(buf[13], 0xdd);
	CU_ASSERT_EQUAL(memcmp(buf, "\x33\x33\x00\x00\x00\x01", 6), 0);
	CU_ASSERT_EQUAL(ip[7], 255);			/* hop limit */
	CU_ASSERT_EQUAL(memcmp(ip + 8, ip6, 16), 0);	/* source */
	CU_ASSERT_EQUAL(icmp[0], 136);
	CU_ASSERT_EQUAL(icmp[4] & 0x20, 0x20);		/* override */
	CU_ASSERT_EQUAL(icmp[4] & 0x40, 0);		/* not solicited */
	CU_ASSERT_EQUAL(memcmp(icmp + 8, ip6, 16), 0);	/* target */
	CU_ASSERT_EQUAL(memcmp(icmp + 26, vsi_mac, 6), 0);
	CU_ASSERT_TRUE(icmp6_csum_ok(ip));
}

TEST_SUITE(garp, NULL, NULL,
	   TEST(test_garp_arp_bytes),
	   TEST(test_garp_na_fields))
