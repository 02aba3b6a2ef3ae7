// SPDX-License-Identifier: GPL-2.0-only
/* The configuration parser: good and bad lines, abbreviations, files. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include "config.h"
#include "../harness.h"

/* A configuration is 60 KB or so: keep them off the stack. */
static struct nsrp_config *cfg, *cfg2;

static int suite_init(void)
{
	cfg = malloc(sizeof(*cfg));
	cfg2 = malloc(sizeof(*cfg2));
	return cfg && cfg2 ? 0 : -1;
}

static int suite_cleanup(void)
{
	free(cfg);
	free(cfg2);
	return 0;
}

static int apply(const char *line)
{
	char err[256];
	int ret = config_apply_line(cfg, line, err, sizeof(err));

	if (ret)
		fprintf(stderr, "\n  '%s': %s\n", line, err);
	return ret;
}

static void test_defaults(void)
{
	config_init(cfg);
	CU_ASSERT_EQUAL(cfg->cluster_id, 0);
	CU_ASSERT_EQUAL(cfg->arp_count, 4);
	CU_ASSERT_EQUAL(cfg->hb_interval_ms, 1000);
	CU_ASSERT_EQUAL(cfg->hb_threshold, 3);
	CU_ASSERT_EQUAL(cfg->init_hold_s, 5);
	CU_ASSERT_EQUAL(cfg->monitor_threshold, 255);
	CU_ASSERT_FALSE(cfg->master_always_exist);
	CU_ASSERT_TRUE(cfg->vsd[0].defined);
	CU_ASSERT_FALSE(cfg->vsd[1].defined);
	CU_ASSERT_EQUAL(cfg->vsd[0].priority, 100);
	CU_ASSERT_EQUAL(cfg->vsd[0].holddown_s, 3);
	CU_ASSERT_FALSE(cfg->vsd[0].preempt);
	CU_ASSERT_EQUAL(cfg->standalone_role, CFG_ROLE_ELECT);
	CU_ASSERT_EQUAL(cfg->n_vsi, 0);
}

/* Every line of the issue and the seed, then what it set. */
static void test_good_lines(void)
{
	static const char *const lines[] = {
		"set hostname fw01",
		"set nsrp cluster id 1",
		"set nsrp cluster name MyCluster1",
		"set nsrp interface ha0                 # HA link (primary)",
		"set nsrp secondary-path lan0",
		"set nsrp arp 5",
		"set nsrp vsd-group id 0 priority 50",
		"set nsrp vsd-group id 0 preempt hold-down 7",
		"set nsrp vsd-group hb-interval 10",
		"set nsrp vsd-group hb-threshold 4",
		"set nsrp vsd-group init-hold 2",
		"set nsrp vsd-group master-always-exist",
		"set interface lan0:0 ip 192.0.2.1/24",
		"set interface lan0:0 ipv6 2001:db8:1::1/64",
		"set interface lan0 manage-ip 192.0.2.2",
		"set nsrp notify /usr/lib/nsrpd/notify",
		"set nsrp standalone-role backup",
		"set nsrp auth password MyAuthPassword",
		"set nsrp encrypt password \"My Key # 1\"",
		"set nsrp monitor interface eth1 weight 100",
		"set nsrp monitor interface eth2",
		"set nsrp monitor threshold 200",
		"set nsrp rto-mirror sync",
		"set nsrp rto session ageout-ack",
		"set nsrp realtime-priority 10",
		"set flow max-sessions 1000000",
		"set flow timeout tcp 3600",
		"set flow timeout tcp-syn 20",
		"set flow timeout tcp-fin 30",
		"set flow timeout tcp-time-wait 10",
		"set flow timeout udp 2",
		"set flow timeout icmp 5",
		"",
		"   # a comment",
		"\t",
	};
	char buf[INET6_ADDRSTRLEN];

	config_init(cfg);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		CU_ASSERT_EQUAL(apply(lines[i]), 0);
	CU_ASSERT_STRING_EQUAL(cfg->hostname, "fw01");
	CU_ASSERT_EQUAL(cfg->cluster_id, 1);
	CU_ASSERT_STRING_EQUAL(cfg->cluster_name, "MyCluster1");
	CU_ASSERT_STRING_EQUAL(cfg->ha_if, "ha0");
	CU_ASSERT_STRING_EQUAL(cfg->secondary_if, "lan0");
	CU_ASSERT_EQUAL(cfg->arp_count, 5);
	CU_ASSERT_EQUAL(cfg->vsd[0].priority, 50);
	CU_ASSERT_TRUE(cfg->vsd[0].preempt);
	CU_ASSERT_EQUAL(cfg->vsd[0].holddown_s, 7);
	CU_ASSERT_EQUAL(cfg->hb_interval_ms, 10);
	CU_ASSERT_EQUAL(cfg->hb_threshold, 4);
	CU_ASSERT_EQUAL(cfg->init_hold_s, 2);
	CU_ASSERT_TRUE(cfg->master_always_exist);
	CU_ASSERT_EQUAL_FATAL(cfg->n_vsi, 2);
	CU_ASSERT_STRING_EQUAL(cfg->vsi[0].ifname, "lan0");
	CU_ASSERT_EQUAL(cfg->vsi[0].vsd, 0);
	CU_ASSERT_EQUAL(cfg->vsi[0].a.family, AF_INET);
	CU_ASSERT_EQUAL(cfg->vsi[0].a.prefixlen, 24);
	CU_ASSERT_STRING_EQUAL(inet_ntop(AF_INET, cfg->vsi[0].a.addr, buf,
					 sizeof(buf)), "192.0.2.1");
	CU_ASSERT_EQUAL(cfg->vsi[1].a.family, AF_INET6);
	CU_ASSERT_EQUAL(cfg->vsi[1].a.prefixlen, 64);
	CU_ASSERT_STRING_EQUAL(inet_ntop(AF_INET6, cfg->vsi[1].a.addr, buf,
					 sizeof(buf)), "2001:db8:1::1");
	CU_ASSERT_EQUAL_FATAL(cfg->n_manage, 1);
	CU_ASSERT_STRING_EQUAL(cfg->manage[0].ifname, "lan0");
	CU_ASSERT_EQUAL(cfg->manage[0].a.prefixlen, 0);
	CU_ASSERT_STRING_EQUAL(cfg->notify, "/usr/lib/nsrpd/notify");
	CU_ASSERT_EQUAL(cfg->standalone_role, CFG_ROLE_BACKUP);
	CU_ASSERT_STRING_EQUAL(cfg->auth_password, "MyAuthPassword");
	CU_ASSERT_STRING_EQUAL(cfg->encrypt_password, "My Key # 1");
	CU_ASSERT_EQUAL_FATAL(cfg->n_monitor, 2);
	CU_ASSERT_EQUAL(cfg->monitor[0].weight, 100);
	CU_ASSERT_EQUAL(cfg->monitor[1].weight, 255);
	CU_ASSERT_EQUAL(cfg->monitor_threshold, 200);
	CU_ASSERT_TRUE(cfg->rto_mirror_sync);
	CU_ASSERT_TRUE(cfg->rto_ageout_ack);
	CU_ASSERT_EQUAL(cfg->realtime_priority, 10);
	CU_ASSERT_EQUAL(cfg->flow.max_sessions, 1000000);
	CU_ASSERT_EQUAL(cfg->flow.tcp_s, 3600);
	CU_ASSERT_EQUAL(cfg->flow.tcp_syn_s, 20);
	CU_ASSERT_EQUAL(cfg->flow.tcp_fin_s, 30);
	CU_ASSERT_EQUAL(cfg->flow.tcp_time_wait_s, 10);
	CU_ASSERT_EQUAL(cfg->flow.udp_s, 2);
	CU_ASSERT_EQUAL(cfg->flow.icmp_s, 5);
	CU_ASSERT_EQUAL(config_validate(cfg, "test", stderr), 0);
}

static void test_abbreviations(void)
{
	config_init(cfg);
	CU_ASSERT_EQUAL(apply("se ns vsd id 0 pri 50"), 0);
	CU_ASSERT_EQUAL(cfg->vsd[0].priority, 50);
	CU_ASSERT_EQUAL(apply("s n vsd-g id 1 pre h 9"), 0);
	CU_ASSERT_TRUE(cfg->vsd[1].defined);
	CU_ASSERT_TRUE(cfg->vsd[1].preempt);
	CU_ASSERT_EQUAL(cfg->vsd[1].holddown_s, 9);
	CU_ASSERT_EQUAL(apply("set nsrp cl i 3"), 0);
	CU_ASSERT_EQUAL(cfg->cluster_id, 3);
	CU_ASSERT_EQUAL(apply("set nsrp vsd hb-i 200"), 0);
	CU_ASSERT_EQUAL(cfg->hb_interval_ms, 200);
	CU_ASSERT_EQUAL(apply("set nsrp vsd ma"), 0);
	CU_ASSERT_TRUE(cfg->master_always_exist);
	CU_ASSERT_EQUAL(apply("set int lan0:0 ipv 2001:db8:1::1/64"), 0);
	CU_ASSERT_EQUAL(cfg->vsi[0].a.family, AF_INET6);
	CU_ASSERT_EQUAL(apply("set int lan0 man 192.0.2.2"), 0);
	/* "rto" is a keyword of its own and a prefix of "rto-mirror". */
	CU_ASSERT_EQUAL(apply("set nsrp rto s a"), 0);
	CU_ASSERT_TRUE(cfg->rto_ageout_ack);
	CU_ASSERT_EQUAL(apply("set nsrp rto-m s"), 0);
	CU_ASSERT_TRUE(cfg->rto_mirror_sync);
	CU_ASSERT_EQUAL(apply("u n vsd ma"), 0);
	CU_ASSERT_FALSE(cfg->master_always_exist);
}

struct bad {
	const char *line;
	const char *msg;	/* substring of the error */
};

static const struct bad bad_lines[] = {
	{ "foo", "unknown keyword 'foo'" },
	{ "set foo", "unknown keyword 'foo'" },
	{ "set nsrp bogus 1", "unknown keyword 'bogus'" },
	{ "set nsrp vsd id 0 p 50", "ambiguous 'p': priority, preempt" },
	{ "set nsrp c id 1", "ambiguous 'c': cluster, config" },
	{ "set nsrp rt sync", "ambiguous 'rt': rto, rto-mirror" },
	{ "set nsrp vsd-group id 0 priority 0", "priority must be 1-254" },
	{ "set nsrp vsd-group id 0 priority 255", "priority must be 1-254" },
	{ "set nsrp vsd-group id 0 priority -1", "priority must be 1-254" },
	{ "set nsrp vsd-group id 0 priority 5x", "priority must be 1-254" },
	{ "set nsrp vsd-group id 0 priority", "missing value after 'priority'" },
	{ "set nsrp vsd-group id 0 priority 5 6", "unexpected '6'" },
	{ "set nsrp vsd-group id 8 priority 5", "vsd-group id must be 0-7" },
	{ "set nsrp vsd-group id", "missing value after 'id'" },
	{ "set nsrp vsd-group id 0 preempt hold-down 601", "hold-down must be 0-600" },
	{ "set nsrp vsd-group hb-interval 9", "hb-interval must be 10-10000" },
	{ "set nsrp vsd-group hb-threshold 1", "hb-threshold must be 2-255" },
	{ "set nsrp vsd-group init-hold 256", "init-hold must be 0-255" },
	{ "set nsrp realtime-priority 100", "realtime-priority must be 0-99" },
	{ "set flow max-sessions 1000", "max-sessions must be 1024-16777216" },
	{ "set flow timeout udp 0", "udp must be 1-86400" },
	{ "set flow timeout tcpx 5", "unknown keyword 'tcpx'" },
	{ "set flow timeout tcp-", "ambiguous" },
	{ "set nsrp vsd-group master-always-exist yes", "unexpected 'yes'" },
	{ "set nsrp vsd-group", "incomplete command" },
	{ "set nsrp", "incomplete command after 'nsrp'" },
	{ "set", "incomplete command" },
	{ "set nsrp cluster id 8", "id must be 0-7" },
	{ "set nsrp arp 256", "arp must be 0-255" },
	{ "set nsrp interface eth0/6", "not a valid interface name" },
	{ "set nsrp interface averyveryverylongname0", "too long" },
	{ "set nsrp secondary-path", "missing value" },
	{ "set nsrp notify script.sh", "absolute path" },
	{ "set nsrp standalone-role primary", "master or backup" },
	{ "set nsrp monitor interface eth1 weight 0", "weight must be 1-255" },
	{ "set nsrp monitor threshold 0", "threshold must be 1-255" },
	{ "set nsrp monitor hold-down 3601", "hold-down must be 0-3600" },
	{ "set nsrp monitor zone bad/name", "not a zone name" },
	{ "set nsrp monitor zone trust weight 256", "weight must be 1-255" },
	{ "unset nsrp monitor zone trust", "zone trust is not monitored" },
	{ "set zone trust", "set zone trust interface IF" },
	{ "set zone trust interface a/b", "not a valid interface name" },
	{ "unset zone trust", "no zone trust" },
	{ "unset zone trust interface lan0", "lan0 is not in zone trust" },
	{ "set nsrp track-ip threshold 0", "threshold must be 1-255" },
	{ "set nsrp track-ip weight 256", "weight must be 1-255" },
	{ "set nsrp track-ip ip 192.0.2.0/24", "an address, not" },
	{ "set nsrp track-ip ip bogus", "not an IP address" },
	{ "set nsrp track-ip ip 192.0.2.9 interval 0", "interval must be 1-3600" },
	{ "set nsrp track-ip ip 192.0.2.9 threshold 256", "threshold must be 1-255" },
	{ "set nsrp track-ip ip 192.0.2.9 method icmp", "method must be ping or arp" },
	{ "set nsrp track-ip ip 192.0.2.9 interface a/b", "not a valid interface" },
	{ "set nsrp track-ip ip 192.0.2.9 colour red", "unknown keyword 'colour'" },
	{ "set nsrp track-ip ip 192.0.2.9 interval", "missing value after 'interval'" },
	{ "unset nsrp track-ip ip 192.0.2.9", "not a track-ip target" },
	{ "set nsrp rto-mirror route hold-time 0", "hold-time must be 1-86400" },
	{ "set nsrp rto-mirror route sync", "unknown keyword 'sync'" },
	{ "set nsrp vsd-group control-deadline 60001", "must be 0-60000" },
	{ "set nsrp witness 192.0.2.0/24", "a witness is an address" },
	{ "set nsrp witness 192.0.2.9 weight 5", "unknown keyword 'weight'" },
	{ "set nsrp witness 192.0.2.9 interval 0", "interval must be 1-3600" },
	{ "unset nsrp witness 192.0.2.9", "192.0.2.9 is not the witness" },
	{ "set nsrp config sync file etc/x", "not an absolute path" },
	{ "set nsrp config sync file /etc/x check \"a %d\"", "may hold %s, once" },
	{ "set nsrp config sync file /etc/x check \"%s %s\"", "may hold %s, once" },
	{ "set nsrp config sync file /etc/x reboot now", "unknown keyword 'reboot'" },
	{ "unset nsrp config sync file /etc/x", "not a synced file" },
	{ "set nsrp cluster name \"unterminated", "unterminated quote" },
	{ "set hostname \"a\"b", "quoted value must end" },
	{ "set hostname \"\"", "printable" },
	{ "set interface lan0 ip 192.0.2.1/24", "use 'interface lan0:N'" },
	{ "set interface lan0:9 ip 192.0.2.1/24", "must be 0-7" },
	{ "set interface lan0:0 ip 192.0.2.1", "needs a prefix length" },
	{ "set interface lan0:0 ip 192.0.2.1/33", "prefix length must be 1-32" },
	{ "set interface lan0:0 ip 2001:db8::1/64", "not an IPv4 address" },
	{ "set interface lan0:0 ipv6 192.0.2.1/24", "not an IPv6 address" },
	{ "set interface lan0:0 ipv6 2001:db8::1/129", "prefix length must be 1-128" },
	{ "set interface lan0:0 ip 192.0.2.300/24", "not an IPv4 address" },
	{ "set interface lan0:0 manage-ip 192.0.2.2", "use 'interface lan0'" },
	{ "set interface lan0 manage-ip bogus", "not an IP address" },
	{ "set interface a/b:0 ip 192.0.2.1/24", "not a valid interface name" },
	{ "set interface lan0:0", "incomplete command" },
	{ "unset interface lan0:0 ip 192.0.2.9", "is not set on lan0:0" },
	{ "unset nsrp monitor interface eth9", "is not monitored" },
	{ "unset nsrp arp 5", "unexpected '5'" },
	{ "set nsrp vsd-group id 0 a b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3 4 5 6 7",
	  "too many words" },
};

/* Each bad line fails with its message and leaves the config unchanged. */
static void test_bad_lines(void)
{
	char err[256];

	config_init(cfg);
	CU_ASSERT_EQUAL(apply("set nsrp vsd id 0 priority 70"), 0);
	CU_ASSERT_EQUAL(apply("set interface lan0:0 ip 192.0.2.1/24"), 0);
	memcpy(cfg2, cfg, sizeof(*cfg));
	for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		const struct bad *b = &bad_lines[i];
		int ret = config_apply_line(cfg, b->line, err, sizeof(err));
		bool ok = ret == -EINVAL && strstr(err, b->msg);

		if (!ok)
			fprintf(stderr, "\n  '%s': got %d '%s', want '%s'\n",
				b->line, ret, err, b->msg);
		CU_ASSERT_TRUE(ok);
		CU_ASSERT_EQUAL(memcmp(cfg, cfg2, sizeof(*cfg)), 0);
	}
}

static void test_too_long_line(void)
{
	char line[CFG_LINE_LEN + 16], err[128];

	config_init(cfg);
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	CU_ASSERT_EQUAL(config_apply_line(cfg, line, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "too long"));
}

/* unset puts every setting back to its default. */
static void test_unset_restores_defaults(void)
{
	static const char *const pairs[][2] = {
		{ "set hostname fw01", "unset hostname" },
		{ "set nsrp cluster id 3", "unset nsrp cluster id" },
		{ "set nsrp cluster name X", "unset nsrp cluster name" },
		{ "set nsrp interface ha0", "unset nsrp interface" },
		{ "set nsrp secondary-path lan0", "unset nsrp secondary-path" },
		{ "set nsrp arp 9", "unset nsrp arp" },
		{ "set nsrp vsd id 0 priority 9", "unset nsrp vsd id 0 priority" },
		{ "set nsrp vsd id 0 preempt", "unset nsrp vsd id 0 preempt" },
		{ "set nsrp vsd id 0 preempt hold-down 9",
		  "unset nsrp vsd id 0 preempt" },
		{ "set nsrp vsd id 2 priority 9", "unset nsrp vsd id 2" },
		{ "set nsrp vsd id 0 priority 9", "unset nsrp vsd id 0" },
		{ "set nsrp vsd hb-interval 100", "unset nsrp vsd hb-interval" },
		{ "set nsrp vsd hb-threshold 9", "unset nsrp vsd hb-threshold" },
		{ "set nsrp vsd init-hold 9", "unset nsrp vsd init-hold" },
		{ "set nsrp vsd master-always-exist",
		  "unset nsrp vsd master-always-exist" },
		{ "set interface lan0:0 ip 192.0.2.1/24",
		  "unset interface lan0:0 ip 192.0.2.1/24" },
		{ "set interface lan0:0 ip 192.0.2.1/24",
		  "unset interface lan0:0 ip 192.0.2.1" },
		{ "set interface lan0:0 ip 192.0.2.1/24",
		  "unset interface lan0:0 ip" },
		{ "set interface lan0:0 ipv6 2001:db8::1/64",
		  "unset interface lan0:0 ipv6" },
		{ "set interface lan0 manage-ip 192.0.2.2",
		  "unset interface lan0 manage-ip" },
		{ "set interface lan0 manage-ip 192.0.2.2",
		  "unset interface lan0 manage-ip 192.0.2.2" },
		{ "set nsrp notify /bin/true", "unset nsrp notify" },
		{ "set nsrp standalone-role master", "unset nsrp standalone-role" },
		{ "set nsrp auth password x", "unset nsrp auth password" },
		{ "set nsrp encrypt password x", "unset nsrp encrypt password" },
		{ "set nsrp monitor interface eth1 weight 5",
		  "unset nsrp monitor interface eth1" },
		{ "set nsrp monitor threshold 9", "unset nsrp monitor threshold" },
		{ "set nsrp rto-mirror sync", "unset nsrp rto-mirror sync" },
		{ "set zone trust interface lan0", "unset zone trust" },
		{ "set zone trust interface lan0",
		  "unset zone trust interface lan0" },
		{ "set nsrp monitor zone trust", "unset nsrp monitor zone trust" },
		{ "set nsrp monitor zone untrust weight 7",
		  "unset nsrp monitor zone untrust" },
		{ "set nsrp monitor hold-down 9",
		  "unset nsrp monitor hold-down" },
		{ "set nsrp track-ip", "unset nsrp track-ip" },
		{ "set nsrp track-ip threshold 7",
		  "unset nsrp track-ip threshold" },
		{ "set nsrp track-ip weight 7", "unset nsrp track-ip weight" },
		{ "set nsrp config sync", "unset nsrp config sync" },
		{ "set nsrp config sync file /etc/nftables.conf check \"nft -c -f %s\"",
		  "unset nsrp config sync file /etc/nftables.conf" },
		{ "set nsrp track-ip ip 198.51.100.10",
		  "unset nsrp track-ip ip 198.51.100.10" },
		{ "set nsrp vsd-group control-deadline 5000",
		  "unset nsrp vsd-group control-deadline" },
		{ "set nsrp track-ip ip 2001:db8::9 method arp interval 2",
		  "unset nsrp track-ip ip 2001:db8::9" },
		{ "set nsrp rto session ageout-ack",
		  "unset nsrp rto session ageout-ack" },
		{ "set nsrp realtime-priority 10",
		  "unset nsrp realtime-priority" },
		{ "set flow max-sessions 2048", "unset flow max-sessions" },
		{ "set flow timeout udp 2", "unset flow timeout udp" },
		{ "set flow timeout tcp-time-wait 2",
		  "unset flow timeout tcp-time-wait" },
		{ "set admin group ops", "unset admin group ops" },
		{ "set admin group 4242 privilege all",
		  "unset admin group 4242" },
		{ "set nsrp metrics listen 192.0.2.2:9100",
		  "unset nsrp metrics listen" },
	};

	config_init(cfg2);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		config_init(cfg);
		CU_ASSERT_EQUAL(apply(pairs[i][0]), 0);
		CU_ASSERT_FALSE(config_equal(cfg, cfg2));
		CU_ASSERT_EQUAL(apply(pairs[i][1]), 0);
		if (!config_equal(cfg, cfg2))
			fprintf(stderr, "\n  '%s' did not undo '%s'\n",
				pairs[i][1], pairs[i][0]);
		CU_ASSERT_TRUE(config_equal(cfg, cfg2));
	}
}

static void test_partial_unsets(void)
{
	config_init(cfg);
	CU_ASSERT_EQUAL(apply("set nsrp vsd id 0 preempt hold-down 9"), 0);
	CU_ASSERT_EQUAL(apply("unset nsrp vsd id 0 preempt hold-down"), 0);
	CU_ASSERT_TRUE(cfg->vsd[0].preempt);
	CU_ASSERT_EQUAL(cfg->vsd[0].holddown_s, 3);
	CU_ASSERT_EQUAL(apply("set nsrp monitor interface eth1 weight 5"), 0);
	CU_ASSERT_EQUAL(apply("unset nsrp monitor interface eth1 weight"), 0);
	CU_ASSERT_EQUAL(cfg->n_monitor, 1);
	CU_ASSERT_EQUAL(cfg->monitor[0].weight, 255);
}

static void test_addresses(void)
{
	config_init(cfg);
	CU_ASSERT_EQUAL(apply("set interface lan0:0 ip 192.0.2.1/24"), 0);
	CU_ASSERT_EQUAL(apply("set interface lan0:0 ip 192.0.2.5/24"), 0);
	CU_ASSERT_EQUAL(apply("set interface lan0:0 ip 192.0.2.1/25"), 0);
	CU_ASSERT_EQUAL(cfg->n_vsi, 2);		/* same address: updated */
	CU_ASSERT_EQUAL(cfg->vsi[0].a.prefixlen, 25);
	CU_ASSERT_EQUAL(apply("set interface lan0:0 ipv6 2001:db8:1::1/64"), 0);
	CU_ASSERT_EQUAL(apply("unset interface lan0:0 ip"), 0);
	CU_ASSERT_EQUAL_FATAL(cfg->n_vsi, 1);
	CU_ASSERT_EQUAL(cfg->vsi[0].a.family, AF_INET6);
	CU_ASSERT_EQUAL(cfg->vsi[1].a.family, 0);	/* tail cleared */

	/* manage-ip: one per family, a new one replaces the old. */
	CU_ASSERT_EQUAL(apply("set interface lan0 manage-ip 192.0.2.2"), 0);
	CU_ASSERT_EQUAL(apply("set interface lan0 manage-ip 192.0.2.3/24"), 0);
	CU_ASSERT_EQUAL(apply("set interface lan0 manage-ip 2001:db8:1::2"), 0);
	CU_ASSERT_EQUAL(cfg->n_manage, 2);
	CU_ASSERT_EQUAL(cfg->manage[0].a.prefixlen, 24);
	CU_ASSERT_TRUE(config_is_data_if(cfg, "lan0"));
	CU_ASSERT_FALSE(config_is_data_if(cfg, "wan0"));
}

static void test_vsd_params(void)
{
	struct vsd_params p;

	config_init(cfg);
	CU_ASSERT_EQUAL(apply("set nsrp vsd id 1 priority 20"), 0);
	CU_ASSERT_EQUAL(apply("set nsrp vsd id 1 preempt hold-down 4"), 0);
	CU_ASSERT_EQUAL(apply("set nsrp vsd init-hold 6"), 0);
	CU_ASSERT_EQUAL(apply("set nsrp vsd master-always-exist"), 0);
	config_vsd_params(cfg, 1, &p);
	CU_ASSERT_EQUAL(p.priority, 20);
	CU_ASSERT_TRUE(p.preempt);
	CU_ASSERT_TRUE(p.master_always_exist);
	CU_ASSERT_EQUAL(p.holddown_ms, 4000);
	CU_ASSERT_EQUAL(p.init_hold_ms, 6000);
	CU_ASSERT_EQUAL(p.yield_ms, 1000 * (3 + 2));
	/* A hand-over waits as long as a loss would take, 500 ms at least. */
	CU_ASSERT_EQUAL(p.handover_ms, 3000);
	CU_ASSERT_EQUAL(apply("set nsrp vsd hb-interval 10"), 0);
	config_vsd_params(cfg, 1, &p);
	CU_ASSERT_EQUAL(p.handover_ms, 500);
}

/* A line at run time, checked with the whole: 0, or -EINVAL and why. */
static int runtime(const char *line, const char *want)
{
	char err[256] = "";
	int ret = config_apply_runtime(cfg, line, cfg2, err, sizeof(err));

	if (!ret)
		memcpy(cfg, cfg2, sizeof(*cfg));
	if (want && !strstr(err, want))
		fprintf(stderr, "\n  '%s': '%s', want '%s'\n", line, err, want);
	CU_ASSERT(!want || strstr(err, want));
	return ret;
}

/* The control plane's deadline: at least the data plane's, and set. */
static void test_control_deadline(void)
{
	config_init(cfg);
	CU_ASSERT_EQUAL(runtime("set nsrp vsd control-deadline 2000",
				"control-deadline 2000 ms is shorter than the "
				"data plane's deadline, hb-interval x "
				"hb-threshold = 3000 ms"), -EINVAL);
	CU_ASSERT_EQUAL(config_control_deadline_ms(cfg), 3000);
	CU_ASSERT_EQUAL(apply("set nsrp vsd hb-interval 100"), 0);
	CU_ASSERT_EQUAL(config_control_deadline_ms(cfg), 300);
	CU_ASSERT_EQUAL(apply("set nsrp vsd control-deadline 3000"), 0);
	CU_ASSERT_EQUAL(config_control_deadline_ms(cfg), 3000);
	/* A change that would make it shorter than the data plane's is
	 * refused, at run time as in a file. */
	CU_ASSERT_EQUAL(runtime("set nsrp vsd hb-interval 2000",
				"shorter than the data plane's"), -EINVAL);
	CU_ASSERT_EQUAL(cfg->hb_interval_ms, 100);
	CU_ASSERT_EQUAL(runtime("set nsrp vsd hb-interval 1000", NULL), 0);
}

/* The witness: its options, written back, and unset by its address. */
static void test_witness(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	config_init(cfg);
	CU_ASSERT_EQUAL(runtime("set nsrp witness 198.51.100.10",
				"witness 198.51.100.10: no IPv4 manage-ip to "
				"probe it from"), -EINVAL);
	CU_ASSERT_EQUAL(apply("set interface wan0 manage-ip 198.51.100.2/24"), 0);
	CU_ASSERT_EQUAL(apply("set nsrp witness 198.51.100.10 thr 5"), 0);
	CU_ASSERT_TRUE(cfg->has_witness);
	CU_ASSERT_EQUAL(cfg->witness.threshold, 5);
	CU_ASSERT_EQUAL(cfg->witness.interval_s, 1);
	CU_ASSERT_EQUAL(apply("set nsrp witness 198.51.100.10 interval 2"), 0);
	CU_ASSERT_EQUAL(cfg->witness.threshold, 5);	/* kept */
	CU_ASSERT_EQUAL(cfg->witness.interval_s, 2);
	mem = open_memstream(&text, &len);
	config_write(cfg, mem);
	fclose(mem);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "set nsrp witness 198.51.100.10 "
					    "interval 2 threshold 5 method ping\n"));
	free(text);
	CU_ASSERT_EQUAL(apply("unset nsrp witness 198.51.100.10"), 0);
	CU_ASSERT_FALSE(cfg->has_witness);
}

/* ---------------------------------------------------------- files */

static char *write_tmp(const char *text, size_t n)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/nsrpd-config-test.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, text, n) != (ssize_t)n) {
		close(fd);
		return NULL;
	}
	close(fd);
	return path;
}

/* Loads n bytes of text; returns the error report in errbuf. */
static int load_bytes(const char *text, size_t n, struct nsrp_config *out,
		      char *errbuf, size_t len, char *path_out, size_t plen)
{
	char *path = write_tmp(text, n);
	FILE *errs;
	int ret;

	if (!path)
		return -EIO;
	snprintf(path_out, plen, "%s", path);
	errs = fmemopen(errbuf, len, "w");
	ret = config_load(path, out, errs);
	fclose(errs);
	unlink(path);
	return ret;
}

static int load_text(const char *text, struct nsrp_config *out,
		     char *errbuf, size_t len, char *path_out, size_t plen)
{
	return load_bytes(text, strlen(text), out, errbuf, len, path_out,
			  plen);
}

static const char lab_fw1[] =
	"# fw1\n"
	"set hostname fw1\n"
	"set nsrp cluster id 1\n"
	"set nsrp cluster name \"Lab Cluster\"\n"
	"set nsrp interface ha0\n"
	"set nsrp secondary-path lan0\n"
	"set nsrp arp 5\n"
	"set nsrp vsd-group id 0 priority 50\n"
	"set nsrp vsd-group id 0 preempt\n"
	"set nsrp vsd-group id 1 priority 120\n"
	"set nsrp vsd-group hb-interval 100\n"
	"set nsrp vsd-group master-always-exist\n"
	"set nsrp notify /etc/nsrpd/notify\n"
	"set nsrp auth password secret\n"
	"set nsrp monitor interface lan0 weight 128\n"
	"set nsrp monitor interface wan0\n"
	"set nsrp monitor threshold 200\n"
	"set nsrp rto-mirror sync\n"
	"set nsrp rto session ageout-ack\n"
	"set nsrp config sync\n"
	"set nsrp realtime-priority 10\n"
	"set flow timeout udp 30\n"
	"set nsrp standalone-role master\n"
	"set interface lan0:0 ip 192.0.2.1/24\n"
	"set interface lan0:0 ipv6 2001:db8:1::1/64\n"
	"set interface wan0:1 ip 198.51.100.1/24\n"
	"set interface wan0:1 ipv6 2001:db8:2::1/64\n"
	"set interface lan0 manage-ip 192.0.2.2\n"
	"set interface wan0 manage-ip 198.51.100.2/24\n"
	"set interface ha0 manage-ip 203.0.113.1/24\n"
	"set zone untrust interface wan0\n"
	"set zone trust interface lan0\n"
	"set nsrp monitor zone untrust weight 100\n"
	"set nsrp monitor hold-down 5\n"
	"set nsrp track-ip\n"
	"set nsrp track-ip threshold 100\n"
	"set nsrp track-ip ip 198.51.100.10 interval 2 threshold 4 weight 50\n"
	"set nsrp track-ip ip 192.0.2.10 method arp\n"
	"set interface wan0 manage-ip 2001:db8:2::2\n"
	"set nsrp track-ip ip 2001:db8:2::10 interface wan0\n"
	"set nsrp track-ip ip 203.0.113.99 interface ha0\n"
	"set nsrp config sync file /etc/nftables.conf check \"nft -c -f %s\" reload \"nft -f %s\"\n";

static void test_load_write_load(void)
{
	char errbuf[1024] = "", path[64], *text = NULL;
	size_t len = 0;
	FILE *mem;

	memset(cfg, 0xa5, sizeof(*cfg));
	CU_ASSERT_EQUAL_FATAL(load_text(lab_fw1, cfg, errbuf, sizeof(errbuf),
					path, sizeof(path)), 0);
	CU_ASSERT_STRING_EQUAL(errbuf, "");
	CU_ASSERT_STRING_EQUAL(cfg->cluster_name, "Lab Cluster");
	CU_ASSERT_EQUAL(cfg->n_vsi, 4);
	CU_ASSERT_EQUAL(cfg->origin.vsi[0], 24);	/* line numbers kept */

	mem = open_memstream(&text, &len);
	CU_ASSERT_EQUAL(config_write(cfg, mem), 0);
	fclose(mem);
	memset(cfg2, 0, sizeof(*cfg2));
	CU_ASSERT_EQUAL(load_text(text, cfg2, errbuf, sizeof(errbuf), path,
				  sizeof(path)), 0);
	CU_ASSERT_TRUE(config_equal(cfg, cfg2));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "set nsrp cluster name \"Lab Cluster\"\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "set nsrp vsd-group id 0 preempt hold-down 3\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "set interface lan0:0 ipv6 2001:db8:1::1/64\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "set interface lan0 manage-ip 192.0.2.2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "set nsrp realtime-priority 10\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "set flow timeout udp 30\n"));
	free(text);

	/* The defaults alone round-trip too. */
	config_init(cfg);
	text = NULL;
	mem = open_memstream(&text, &len);
	config_write(cfg, mem);
	fclose(mem);
	CU_ASSERT_EQUAL(load_text(text, cfg2, errbuf, sizeof(errbuf), path,
				  sizeof(path)), 0);
	CU_ASSERT_TRUE(config_equal(cfg, cfg2));
	free(text);
}

/* Every bad line is reported with its number; *out is left alone. */
static void test_load_reports_every_error(void)
{
	static const char text[] =
		"set nsrp cluster id 1\n"				/* 1 */
		"set nsrp vsd id 0 priority 300\n"			/* 2 */
		"# fine\n"						/* 3 */
		"set nsrp bogus\n"					/* 4 */
		"set interface lan0:0 ip 192.0.2.1/24\n"		/* 5 */
		"set nsrp vsd id 0 p 1\n";				/* 6 */
	char errbuf[1024] = "", path[64], want[128];

	memset(cfg, 0x5a, sizeof(*cfg));
	memcpy(cfg2, cfg, sizeof(*cfg));
	CU_ASSERT_EQUAL(load_text(text, cfg, errbuf, sizeof(errbuf), path,
				  sizeof(path)), -EINVAL);
	CU_ASSERT_EQUAL(memcmp(cfg, cfg2, sizeof(*cfg)), 0);
	snprintf(want, sizeof(want), "%s:2: priority must be 1-254\n", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want), "%s:4: unknown keyword 'bogus'", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want), "%s:6: ambiguous 'p': priority, preempt\n",
		 path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want), "%s:5:", path);
	CU_ASSERT_PTR_NULL(strstr(errbuf, want));
}

static void test_load_cross_line_checks(void)
{
	static const char text[] =
		"set nsrp interface lan0\n"				/* 1 */
		"set nsrp secondary-path lan0\n"			/* 2 */
		"set interface lan0:0 ip 192.0.2.1/24\n"		/* 3 */
		"set interface wan0:1 ip 198.51.100.1/24\n"		/* 4 */
		"set interface wan0 manage-ip 192.0.2.1\n"		/* 5 */
		"set interface wan0:0 ip 198.51.100.0/24\n"		/* 6 */
		"set interface wan0:0 ip 198.51.100.255/24\n"		/* 7 */
		"set interface wan0:0 ipv6 2001:db8:2::/64\n"		/* 8 */
		"set interface wan0:0 ip 198.51.100.9/31\n";		/* 9 */
	char errbuf[2048] = "", path[64], want[160];

	memset(cfg, 0, sizeof(*cfg));
	CU_ASSERT_EQUAL(load_text(text, cfg, errbuf, sizeof(errbuf), path,
				  sizeof(path)), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:3: interface lan0 is the HA link (line 1) and cannot carry VSIs",
		 path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want),
		 "%s:2: secondary-path lan0 is the HA link itself (line 1)", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want),
		 "%s:4: interface wan0:1: VSD group 1 is not defined", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want),
		 "%s:5: address 192.0.2.1 is already set (line 3)", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want), "%s:6: 198.51.100.0/24 is the network address",
		 path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want),
		 "%s:7: 198.51.100.255/24 is the broadcast address", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want), "%s:8: 2001:db8:2::/64 is the network address",
		 path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want), "%s:9:", path);
	CU_ASSERT_PTR_NULL(strstr(errbuf, want));
}

/* Monitors and targets that cannot work are refused, naming the line. */
static void test_load_monitor_checks(void)
{
	static const char text[] =
		"set interface lan0 manage-ip 192.0.2.2/24\n"		/* 1 */
		"set nsrp monitor zone dmz\n"				/* 2 */
		"set nsrp track-ip ip 192.0.2.10\n"			/* 3 */
		"set nsrp track-ip ip 198.51.100.10\n"			/* 4 */
		"set nsrp track-ip ip 198.51.100.11 interface lan0\n"	/* 5 */
		"set nsrp track-ip ip 198.51.100.12 interface lan0 method arp\n"
		"set nsrp track-ip ip 2001:db8:1::10 interface lan0\n"	/* 7 */
		"set zone trust interface lan0\n"			/* 8 */
		"set zone dmz2 interface lan0\n";			/* 9 */
	char errbuf[2048] = "", path[64], want[160];

	memset(cfg, 0, sizeof(*cfg));
	CU_ASSERT_EQUAL(load_text(text, cfg, errbuf, sizeof(errbuf), path,
				  sizeof(path)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: zone dmz has no interface", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want), "%s:3:", path);
	CU_ASSERT_PTR_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want),
		 "%s:4: track-ip 198.51.100.10: no manage-ip's subnet holds it",
		 path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want), "%s:5:", path);
	CU_ASSERT_PTR_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want),
		 "%s:6: track-ip 198.51.100.12: no IPv4 manage-ip on lan0 "
		 "whose subnet holds it (method arp)", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want),
		 "%s:7: track-ip 2001:db8:1::10: no IPv6 manage-ip on lan0",
		 path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want),
		 "%s:9: interface lan0 is in zone trust already", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
}

static void test_load_missing_file(void)
{
	char errbuf[256] = "";
	FILE *errs = fmemopen(errbuf, sizeof(errbuf), "w");

	CU_ASSERT_EQUAL(config_load("/nonexistent/nsrpd.conf", cfg, errs),
			-ENOENT);
	fclose(errs);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "/nonexistent/nsrpd.conf: "));
}

static void test_load_long_line(void)
{
	char text[CFG_LINE_LEN * 2 + 64], errbuf[512] = "", path[64], want[96];

	memset(text, 'x', CFG_LINE_LEN + 10);
	strcpy(text + CFG_LINE_LEN + 10, "\nset nsrp arp 7\nset nsrp arp x\n");
	CU_ASSERT_EQUAL(load_text(text, cfg, errbuf, sizeof(errbuf), path,
				  sizeof(path)), -EINVAL);
	snprintf(want, sizeof(want), "%s:1: line too long", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want), "%s:3: arp must be 0-255", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
}

/*
 * A NUL byte ends the text of a line: the rest would be dropped unseen,
 * and a long line cut there was read on as lines of their own.
 */
static void test_load_nul_byte(void)
{
	static const char head[] = "set nsrp arp 2\nset nsrp cluster name a";
	static char text[CFG_LINE_LEN * 2 + 128];
	char errbuf[512] = "", path[64], want[96];
	size_t n = sizeof(head);	/* with its NUL */

	memcpy(text, head, n);
	memset(text + n, 'x', CFG_LINE_LEN + 100);
	n += CFG_LINE_LEN + 100;
	memcpy(text + n, "\nset nsrp arp x\n", 16);
	n += 16;
	CU_ASSERT_EQUAL(load_bytes(text, n, cfg, errbuf, sizeof(errbuf), path,
				   sizeof(path)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: line too long", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want), "%s:3: arp must be 0-255", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	snprintf(want, sizeof(want), "%s:4:", path);
	CU_ASSERT_PTR_NULL(strstr(errbuf, want));

	n = sizeof(head);
	memcpy(text + n, "xy\n", 3);
	CU_ASSERT_EQUAL(load_bytes(text, n + 3, cfg, errbuf, sizeof(errbuf),
				   path, sizeof(path)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: a NUL byte in the line", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
}

/* "preempt" on a group not yet set up sets it up, and is saved. */
static void test_preempt_defines_group(void)
{
	char text[4096] = "", errbuf[256] = "", path[64];
	FILE *f = fmemopen(text, sizeof(text), "w");

	config_init(cfg);
	CU_ASSERT_EQUAL(apply("set nsrp vsd-group id 2 preempt"), 0);
	CU_ASSERT_TRUE(cfg->vsd[2].defined);
	CU_ASSERT_TRUE(cfg->vsd[2].preempt);
	CU_ASSERT_EQUAL(config_write(cfg, f), 0);
	fclose(f);
	CU_ASSERT_EQUAL(load_text(text, cfg2, errbuf, sizeof(errbuf), path,
				  sizeof(path)), 0);
	CU_ASSERT_TRUE(config_equal(cfg, cfg2));
}

/* The lab's example files load clean (run from the source tree). */
/*
 * The control socket's groups and the metrics page: parsed, written back
 * as they were, local to the unit, and refused with a reason when wrong.
 */
static void test_admin_and_metrics(void)
{
	static const char *const bad[][2] = {
		{ "set admin group ops privilege root", "all or read-only" },
		{ "set admin group -ops", "not a group name" },
		{ "set admin group a/b", "not a group name" },
		{ "set admin group ops privilege", "missing value" },
		{ "set admin group ops privilege all extra", "unexpected" },
		{ "set nsrp metrics listen 192.0.2.2", "not ADDR:PORT" },
		{ "set nsrp metrics listen 192.0.2.2:0", "port must be" },
		{ "set nsrp metrics listen [2001:db8::1:9100", "[ADDR]:PORT" },
		{ "set nsrp metrics listen lan0:9100", "not an" },
	};
	char err[256], buf[64], *text = NULL;
	size_t len = 0;
	FILE *mem;

	config_init(cfg);
	CU_ASSERT_EQUAL(apply("set admin group ops"), 0);
	CU_ASSERT_EQUAL(apply("set admin group wheel privilege all"), 0);
	CU_ASSERT_EQUAL(apply("set admin group ops privilege all"), 0);
	CU_ASSERT_EQUAL(apply("set nsrp metrics listen [2001:db8::2]:9100"), 0);
	CU_ASSERT_EQUAL(cfg->n_admin_group, 2);
	CU_ASSERT_STRING_EQUAL(cfg->admin_group[0].name, "ops");
	CU_ASSERT_EQUAL(cfg->admin_group[0].privilege, CFG_PRIV_ALL);
	CU_ASSERT_STRING_EQUAL(config_metrics_str(cfg, buf, sizeof(buf)),
			       "[2001:db8::2]:9100");
	CU_ASSERT_TRUE(config_line_local("set admin group x"));
	CU_ASSERT_TRUE(config_line_local("set nsrp metrics listen 1.2.3.4:5"));

	mem = open_memstream(&text, &len);
	CU_ASSERT_EQUAL(config_write(cfg, mem), 0);
	fclose(mem);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "set admin group ops privilege all\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "set nsrp metrics listen [2001:db8::2]:9100\n"));
	CU_ASSERT_EQUAL(config_parse_text(text, cfg2, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(config_equal(cfg, cfg2));
	free(text);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(cfg2, cfg, sizeof(*cfg));
		CU_ASSERT_EQUAL(config_apply_line(cfg2, bad[i][0], err,
						  sizeof(err)), -EINVAL);
		if (!strstr(err, bad[i][1]))
			fprintf(stderr, "\n  '%s': '%s'\n", bad[i][0], err);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i][1]));
		CU_ASSERT_TRUE(config_equal(cfg, cfg2));
	}
}

static void test_examples_load(void)
{
	static const char *const files[] = {
		"examples/fw1.conf", "examples/fw2.conf",
	};

	if (access(files[0], R_OK)) {
		harness_skip("examples/ not found from here");
		return;
	}
	for (size_t i = 0; i < 2; i++)
		CU_ASSERT_EQUAL(config_load(files[i], cfg, stderr), 0);
	CU_ASSERT_EQUAL(config_load(files[0], cfg, stderr), 0);
	CU_ASSERT_EQUAL(cfg->vsd[0].priority, 50);
	CU_ASSERT_TRUE(cfg->vsd[0].preempt);
	CU_ASSERT_EQUAL(config_load(files[1], cfg2, stderr), 0);
	CU_ASSERT_EQUAL(cfg2->vsd[0].priority, 100);
	CU_ASSERT_FALSE(cfg2->vsd[0].preempt);
	CU_ASSERT_EQUAL(cfg->n_vsi, cfg2->n_vsi);
	CU_ASSERT_EQUAL(memcmp(cfg->vsi, cfg2->vsi, sizeof(cfg->vsi)), 0);
}

TEST_SUITE(config, suite_init, suite_cleanup,
	   TEST(test_defaults),
	   TEST(test_good_lines),
	   TEST(test_abbreviations),
	   TEST(test_bad_lines),
	   TEST(test_too_long_line),
	   TEST(test_unset_restores_defaults),
	   TEST(test_partial_unsets),
	   TEST(test_addresses),
	   TEST(test_vsd_params),
	   TEST(test_control_deadline),
	   TEST(test_witness),
	   TEST(test_load_write_load),
	   TEST(test_load_reports_every_error),
	   TEST(test_load_cross_line_checks),
	   TEST(test_load_monitor_checks),
	   TEST(test_load_missing_file),
	   TEST(test_load_long_line),
	   TEST(test_load_nul_byte),
	   TEST(test_preempt_defines_group),
	   TEST(test_admin_and_metrics),
	   TEST(test_examples_load))
