// SPDX-License-Identifier: GPL-2.0-only
/*
 * The HA path's sockets: the MTU they read (again when it changes), and
 * bursts of frames sent in one syscall (UDP GSO) and received in one (UDP
 * GRO), or frame by frame where the kernel refuses to segment. Each test
 * runs in a network namespace of its own, on its loopback, and needs root.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <CUnit/CUnit.h>

#include "clock.h"

#include "halink.h"
#include "../harness.h"

#define LO_MTU		9000
#define TX_PORT		7062
#define RX_PORT		7061

static int netns_orig = -1;
static bool netns_ready;

static int lo_mtu(int fd, int mtu)
{
	struct ifreq ifr = { .ifr_name = "lo", .ifr_mtu = mtu };

	return ioctl(fd, SIOCSIFMTU, &ifr) ? -errno : 0;
}

static int lo_set(int fd)
{
	struct ifreq ifr = { .ifr_name = "lo" };

	if (lo_mtu(fd, LO_MTU) || ioctl(fd, SIOCGIFFLAGS, &ifr))
		return -errno;
	ifr.ifr_flags |= IFF_UP;
	return ioctl(fd, SIOCSIFFLAGS, &ifr) ? -errno : 0;
}

/*
 * Before each case: a namespace of its own with its loopback up, MTU
 * LO_MTU. The case's teardown leaves it whatever happened in the case,
 * so a failed assertion never keeps the next case, or the next suite,
 * inside it.
 */
static void netns_setup(void)
{
	int fd, err;

	netns_ready = false;
	if (geteuid())
		return;
	netns_orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (netns_orig < 0 || unshare(CLONE_NEWNET))
		return;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	err = fd < 0 ? -errno : lo_set(fd);
	if (fd >= 0)
		close(fd);
	netns_ready = !err;
}

static void netns_teardown(void)
{
	if (netns_orig < 0)
		return;
	/* Leaving the namespace destroys it, and the sockets' port. */
	if (setns(netns_orig, CLONE_NEWNET))
		perror("test_halink: setns back to the original namespace");
	close(netns_orig);
	netns_orig = -1;
	netns_ready = false;
}

/* Each case starts with this: a skip without root, a failure without
 * the namespace its setup was to make. */
static bool netns_entered(void)
{
	if (geteuid()) {
		harness_skip("needs root for a network namespace");
		return false;
	}
	CU_ASSERT_FATAL(netns_ready);
	return true;
}

/* Two paths on the loopback: tx sends to rx's port at 127.0.0.1. */
static void paths_open(struct ha_path *tx, struct ha_path *rx)
{
	ha_path_init(tx);
	ha_path_init(rx);
	CU_ASSERT_FATAL(ha_path_open(tx, "lo", TX_PORT) == 0);
	CU_ASSERT_FATAL(ha_path_open(rx, "lo", RX_PORT) == 0);
	tx->peer.sin_family = AF_INET;
	tx->peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* Frames of 1000, 1000 and 600 bytes, each filled with its own byte. */
#define BURST_SEG	1000
#define BURST_LEN	2600

static void burst_fill(uint8_t *buf)
{
	for (int i = 0; i < BURST_LEN; i++)
		buf[i] = 'a' + i / BURST_SEG;
}

/* The three frames, sent as one burst to rx's port. */
static void burst_send(struct ha_path *tx)
{
	uint8_t buf[BURST_LEN];

	burst_fill(buf);
	CU_ASSERT_EQUAL(ha_path_send_segs(tx, buf, BURST_LEN, BURST_SEG,
					  RX_PORT), 0);
}

/* The kernel will not segment for a socket without UDP checksums. */
static void udp_checksums(struct ha_path *p, bool on)
{
	int off = !on;

	CU_ASSERT_FATAL(setsockopt(p->fd, SOL_SOCKET, SO_NO_CHECK, &off,
				   sizeof(off)) == 0);
}

/*
 * Reads all rx has waiting; checks each datagram against burst_fill().
 * Returns the datagrams' count, or -1 when one is wrong.
 */
static int burst_read(struct ha_path *rx)
{
	static uint8_t buf[65536];
	struct sockaddr_in from;
	size_t seg, at = 0;
	uint64_t queued;
	ssize_t n;
	int frames = 0;

	while ((n = ha_path_recv(rx, buf, sizeof(buf), &from, &seg,
				 &queued)) > 0) {
		/* The kernel stamped it: it waited, and not for an hour. */
		if (!queued || queued > 3600 * NS_PER_S)
			return -1;
		for (size_t off = 0; off < (size_t)n; off += seg) {
			size_t len = n - off < seg ? n - off : seg;

			if (len != (at + BURST_SEG <= BURST_LEN
					    ? BURST_SEG
					    : BURST_LEN - at) ||
			    buf[off] != 'a' + at / BURST_SEG ||
			    buf[off + len - 1] != buf[off])
				return -1;
			at += len;
			frames++;
		}
	}
	return n == -EAGAIN && at == BURST_LEN ? frames : -1;
}

static void test_path_reads_the_mtu(void)
{
	struct ha_path tx, rx;

	if (!netns_entered())
		return;
	paths_open(&tx, &rx);
	CU_ASSERT_EQUAL(rx.mtu, LO_MTU);
	/* Less the IPv4 and UDP headers. */
	CU_ASSERT_EQUAL(ha_path_payload_max(&rx), LO_MTU - 28);
	ha_path_close(&tx);
	ha_path_close(&rx);
}

static void test_burst_in_one_syscall_each_way(void)
{
	struct ha_path tx, rx;

	if (!netns_entered())
		return;
	paths_open(&tx, &rx);
	burst_send(&tx);
	CU_ASSERT_TRUE(tx.gso);
	CU_ASSERT_EQUAL(tx.tx, 3);
	CU_ASSERT_EQUAL(tx.tx_calls, 1);
	CU_ASSERT_EQUAL(burst_read(&rx), 3);
	CU_ASSERT_EQUAL(rx.rx, 3);
	/* The loopback hands the burst on whole; GRO lets us take it so. */
	CU_ASSERT_EQUAL(rx.rx_calls, 1);
	ha_path_close(&tx);
	ha_path_close(&rx);
}

static void test_burst_frame_by_frame_without_gso(void)
{
	struct ha_path tx, rx;

	if (!netns_entered())
		return;
	paths_open(&tx, &rx);
	udp_checksums(&tx, false);
	burst_send(&tx);
	CU_ASSERT_FALSE(tx.gso);
	CU_ASSERT_EQUAL(tx.tx, 3);
	CU_ASSERT_EQUAL(tx.tx_calls, 3);
	CU_ASSERT_EQUAL(tx.tx_err, 0);
	CU_ASSERT_EQUAL(burst_read(&rx), 3);
	CU_ASSERT_EQUAL(rx.rx_calls, 3);
	ha_path_close(&tx);
	ha_path_close(&rx);
}

/*
 * The MTU changed under a running agent: read again, it sizes the frames
 * from then on, and a path that had fallen back to frame by frame tries
 * segmentation again.
 */
static void test_path_follows_an_mtu_change(void)
{
	struct ha_path tx, rx;

	if (!netns_entered())
		return;
	paths_open(&tx, &rx);
	CU_ASSERT_FALSE(ha_path_check_mtu(&tx));	/* no change yet */
	CU_ASSERT_FATAL(lo_mtu(tx.fd, 1500) == 0);
	CU_ASSERT_TRUE(ha_path_check_mtu(&tx));
	CU_ASSERT_EQUAL(tx.mtu, 1500);
	CU_ASSERT_EQUAL(ha_path_payload_max(&tx), 1472);
	CU_ASSERT_FALSE(ha_path_check_mtu(&tx));
	/* Fall back to frame by frame, then lift the cause and the MTU. */
	udp_checksums(&tx, false);
	burst_send(&tx);
	CU_ASSERT_FALSE(tx.gso);
	CU_ASSERT_EQUAL(burst_read(&rx), 3);
	udp_checksums(&tx, true);
	CU_ASSERT_FATAL(lo_mtu(tx.fd, LO_MTU) == 0);
	CU_ASSERT_TRUE(ha_path_check_mtu(&tx));
	CU_ASSERT_EQUAL(ha_path_payload_max(&tx), LO_MTU - 28);
	CU_ASSERT_TRUE(tx.gso);
	burst_send(&tx);
	CU_ASSERT_TRUE(tx.gso);
	CU_ASSERT_EQUAL(tx.tx_calls, 3 + 1);	/* the burst in one again */
	CU_ASSERT_EQUAL(burst_read(&rx), 3);
	ha_path_close(&tx);
	ha_path_close(&rx);
}

TEST_SUITE_EACH(halink, NULL, NULL, netns_setup, netns_teardown,
	   TEST(test_path_reads_the_mtu),
	   TEST(test_burst_in_one_syscall_each_way),
	   TEST(test_burst_frame_by_frame_without_gso),
	   TEST(test_path_follows_an_mtu_change))
