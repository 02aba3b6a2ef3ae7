// SPDX-License-Identifier: GPL-2.0-only
/*
 * ha_tool - what the cluster tests need of the agent's own code, from the
 * command line:
 *
 *   ha_tool mono
 *	CLOCK_MONOTONIC in ns: the clock of the agents' histories
 *	("mono_ns") and of their session maps.
 *   ha_tool kill SIGNAL PID
 *	sends SIGNAL (a number) to PID and prints CLOCK_MONOTONIC read just
 *	before, so that a test can place its own act among the agents'.
 *   ha_tool vsi-mac CLUSTER VSD IFNAME
 *	the VSI MAC the agents derive for that group and NIC.
 *   ha_tool hb [OPTIONS] ADDRESS
 *	sends a heartbeat frame to ADDRESS, port PROTO_PORT, with TTL 255
 *	as a unit does, built and sealed by the agent's proto and hacrypt:
 *	  --cluster N --unit N --epoch N --seq N   the header (seq: the
 *	                        first frame's; each next one's is one more)
 *	  --auth PW --enc PW    the passwords to seal it with (none: clear)
 *	  --key-id N            the key id to name in the header, whatever
 *	                        keys sealed it (default: theirs)
 *	  --state S             group 0's state: master, backup...
 *	  --prio N --yield      its priority, and the "steps down" flag
 *	  --count N             frames to send (1)
 *   ha_tool expire PROTO PORT MONO_NS
 *	sets the expiry of every session of PROTO (tcp, udp, icmp) with an
 *	endpoint on PORT (0: any) in the pinned session map to MONO_NS;
 *	prints how many. The agent sees it at its next sweep.
 *
 * Exit status 0, or 1 with a message.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "election.h"
#include "hacrypt.h"
#include "ident.h"
#include "log.h"
#include "proto.h"
#include "sesstab.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmd_mono(void)
{
	printf("%llu\n", (unsigned long long)mono_ns());
	return 0;
}

static int cmd_kill(int argc, char **argv)
{
	uint64_t t;

	if (argc != 2)
		return 2;
	t = mono_ns();
	if (kill(atoi(argv[1]), atoi(argv[0]))) {
		perror("ha_tool: kill");
		return 1;
	}
	printf("%llu\n", (unsigned long long)t);
	return 0;
}

static int cmd_vsi_mac(int argc, char **argv)
{
	uint8_t m[6];

	if (argc != 3)
		return 2;
	vsi_mac_derive(m, atoi(argv[0]), atoi(argv[1]), argv[2]);
	printf("%02x:%02x:%02x:%02x:%02x:%02x\n", m[0], m[1], m[2], m[3],
	       m[4], m[5]);
	return 0;
}

static int parse_state(const char *s)
{
	for (int i = VSD_INITIAL; i <= VSD_INOPERABLE; i++)
		if (!strcmp(s, vsd_state_name(i)))
			return i;
	return -EINVAL;
}

struct hb_opts {
	struct proto_hdr h;
	struct proto_hb hb;
	const char *auth, *enc;
	unsigned int count;
	unsigned int key_id;	/* 0: the id of the keys that seal */
};

static int hb_parse(int argc, char **argv, struct hb_opts *o)
{
	static const struct option opts[] = {
		{ "cluster", required_argument, NULL, 'c' },
		{ "unit", required_argument, NULL, 'u' },
		{ "epoch", required_argument, NULL, 'e' },
		{ "seq", required_argument, NULL, 's' },
		{ "auth", required_argument, NULL, 'a' },
		{ "enc", required_argument, NULL, 'x' },
		{ "key-id", required_argument, NULL, 'k' },
		{ "state", required_argument, NULL, 't' },
		{ "prio", required_argument, NULL, 'p' },
		{ "yield", no_argument, NULL, 'y' },
		{ "count", required_argument, NULL, 'n' },
		{ 0 }
	};
	struct proto_hb_group *g = &o->hb.groups[0];
	int c, st;

	memset(o, 0, sizeof(*o));
	o->count = 1;
	o->hb.ngroups = 1;
	o->hb.interval_ms = 100;
	g->state = VSD_MASTER;
	g->priority = 100;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o->h.cluster_id = strtoul(optarg, NULL, 0); break;
		case 'u': o->h.unit_id = strtoul(optarg, NULL, 0); break;
		case 'e': o->h.epoch = strtoull(optarg, NULL, 0); break;
		case 's': o->h.seq = strtoull(optarg, NULL, 0); break;
		case 'a': o->auth = optarg; break;
		case 'x': o->enc = optarg; break;
		case 'k': o->key_id = strtoul(optarg, NULL, 0); break;
		case 'p': g->priority = strtoul(optarg, NULL, 0); break;
		case 'y': g->flags |= VSD_F_YIELD; break;
		case 'n': o->count = strtoul(optarg, NULL, 0); break;
		case 't':
			st = parse_state(optarg);
			if (st < 0)
				return -EINVAL;
			g->state = st;
			break;
		default:
			return -EINVAL;
		}
	}
	return optind == argc - 1 ? optind : -EINVAL;
}

/* A socket that sends as a unit does: TTL 255, which receivers demand. */
static int hb_socket(void)
{
	int ttl = 255, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static int cmd_hb(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(PROTO_PORT) };
	struct hacrypt crypt;
	struct hb_opts o;
	uint8_t buf[1500];
	int at, fd, err, len = 0;

	at = hb_parse(argc, argv, &o);
	if (at < 0 || !o.count ||
	    inet_pton(AF_INET, argv[at], &to.sin_addr) != 1) {
		fprintf(stderr, "ha_tool hb: bad arguments\n");
		return 2;
	}
	err = hacrypt_init(&crypt, o.auth, o.enc, o.h.cluster_id);
	if (err) {
		fprintf(stderr, "ha_tool: hacrypt_init: %s\n", strerror(-err));
		return 1;
	}
	if (o.key_id)
		crypt.cur.id = o.key_id;
	fd = hb_socket();
	if (fd < 0) {
		fprintf(stderr, "ha_tool: socket: %s\n", strerror(-fd));
		return 1;
	}
	for (unsigned int i = 0; i < o.count; i++, o.h.seq++) {
		len = proto_encode_hb(buf, sizeof(buf), &o.h, &o.hb);
		if (len > 0)
			len = hacrypt_seal(&crypt, buf, PROTO_HDR_LEN,
					   len - PROTO_HDR_LEN, sizeof(buf));
		if (len < 0) {
			fprintf(stderr, "ha_tool: building the frame: %s\n",
				strerror(-len));
			break;
		}
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&to,
			   sizeof(to)) != len) {
			perror("ha_tool: sendto");
			len = -1;
			break;
		}
	}
	close(fd);
	hacrypt_clear(&crypt);
	if (len < 0)
		return 1;
	printf("sent %u frames of %d bytes\n", o.count, len);
	return 0;
}

static int cmd_expire(int argc, char **argv)
{
	static struct nsrp_sess_key keys[4096];
	static struct nsrp_sess vals[4096];
	struct sesstab_cursor cur = { 0 };
	unsigned int set = 0;
	uint64_t at;
	int proto, port, fd, n, err = 0;

	if (argc != 3 || (proto = sesstab_proto_parse(argv[0])) < 0)
		return 2;
	port = atoi(argv[1]);
	at = strtoull(argv[2], NULL, 0);
	fd = bpf_obj_get(NSRPD_PIN_DIR "/nsrp_sess");
	if (fd < 0) {
		perror("ha_tool: " NSRPD_PIN_DIR "/nsrp_sess");
		return 1;
	}
	while ((n = sesstab_read(fd, &cur, keys, vals, 4096)) > 0) {
		for (int i = 0; i < n && !err; i++) {
			const struct nsrp_sess_key *k = &keys[i];

			if (k->proto != proto ||
			    (port && ntohs(k->port_a) != port &&
			     ntohs(k->port_b) != port))
				continue;
			err = sesstab_set_expiry(fd, k, at);
			set += !err;
		}
		if (err || cur.done)
			break;
	}
	close(fd);
	if (n < 0 || err) {
		fprintf(stderr, "ha_tool: the session map: %s\n",
			strerror(-(n < 0 ? n : err)));
		return 1;
	}
	printf("%u\n", set);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;

	log_init("ha_tool", 0, LOG_LVL_WARN);
	if (argc < 2)
		;
	else if (!strcmp(argv[1], "mono") && argc == 2)
		rc = cmd_mono();
	else if (!strcmp(argv[1], "kill"))
		rc = cmd_kill(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "vsi-mac"))
		rc = cmd_vsi_mac(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "hb"))
		rc = cmd_hb(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "expire"))
		rc = cmd_expire(argc - 2, argv + 2);
	if (rc == 2)
		fprintf(stderr, "usage: ha_tool mono | kill SIGNAL PID | "
			"vsi-mac CLUSTER VSD IFNAME | hb [OPTIONS] ADDRESS | "
			"expire PROTO PORT MONO_NS\n");
	return rc;
}
