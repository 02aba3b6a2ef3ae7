// SPDX-License-Identifier: GPL-2.0-only
/*
 * kstate_tool - drives ctcommit and neigh from the command line, for
 * test_kstate.sh.
 *
 *   kstate_tool commit [-t SECONDS] SPEC...
 *	SPEC = PROTO,INITIATOR,IPORT,RESPONDER,RPORT,STATE
 *	PROTO tcp|udp|icmp|icmp6 (echo: both ports are the identifier),
 *	STATE syn_sent|syn_recv|established|fin_wait|closing|time_wait|
 *	      closed|udp|udp_replied|icmp.
 *	One SPEC goes through ct_commit, several through ct_commit_many.
 *   kstate_tool commit-bulk N
 *	N established TCP sessions 203.0.113.200:P -> 203.0.113.1:80
 *	(the initiator is endpoint b of the key), by ct_commit_many.
 *   kstate_tool neigh-dump IFNAME...
 *	one line per entry: IFNAME FAMILY ADDRESS MAC
 *   kstate_tool neigh-install IFNAME ADDRESS MAC
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "ctcommit.h"
#include "log.h"
#include "neigh.h"
#include "sesstab.h"

static int parse_state(const char *s)
{
	int i;

	/* The names nsrpctl prints, so a listed session can be fed back. */
	for (i = 1; i < NSRP_SS_MAX; i++)
		if (!strcmp(s, sesstab_state_name(i)))
			return i;
	return -EINVAL;
}

/* Address into 16 bytes; returns the family (4 or 6) or -EINVAL. */
static int parse_addr(const char *s, void *addr)
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, addr) == 1)
		return 6;
	return -EINVAL;
}

/*
 * Fills the canonical key of a session from its initiator and responder:
 * the endpoint that compares lower (address, then port) is a.
 */
static void make_sess(struct nsrp_sess_key *k, struct nsrp_sess *s,
		      int proto, int family, const void *ia, int ip,
		      const void *ra, int rp, int state)
{
	int cmp = memcmp(ia, ra, 16);
	int init_is_b = cmp > 0 || (cmp == 0 && ip > rp);

	memset(k, 0, sizeof(*k));
	memset(s, 0, sizeof(*s));
	k->proto = proto;
	k->family = family;
	memcpy(init_is_b ? k->addr_b : k->addr_a, ia, 16);
	memcpy(init_is_b ? k->addr_a : k->addr_b, ra, 16);
	k->port_a = htons(init_is_b ? rp : ip);
	k->port_b = htons(init_is_b ? ip : rp);
	s->state = state;
	s->flags = init_is_b ? NSRP_SF_INIT_IS_B : 0;
	/* Any state past one-way means the responder has answered. */
	if (state != NSRP_SS_SYN_SENT && state != NSRP_SS_UDP)
		s->pkts[NSRP_DIR_REPLY] = 1;
	s->pkts[NSRP_DIR_ORIG] = 1;
}

static int parse_spec(const char *spec, struct nsrp_sess_key *k,
		      struct nsrp_sess *s)
{
	char buf[256], *f[6], *save = NULL, *p;
	uint8_t ia[16], ra[16];
	int i, proto, fam, fam2, state;

	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf))
		return -EINVAL;
	for (i = 0, p = buf; i < 6; i++, p = NULL) {
		f[i] = strtok_r(p, ",", &save);
		if (!f[i])
			return -EINVAL;
	}
	proto = sesstab_proto_parse(f[0]);
	fam = parse_addr(f[1], ia);
	fam2 = parse_addr(f[3], ra);
	state = parse_state(f[5]);
	if (proto < 0 || fam < 0 || fam != fam2 || state < 0)
		return -EINVAL;
	make_sess(k, s, proto, fam, ia, atoi(f[2]), ra, atoi(f[4]), state);
	return 0;
}

static int cmd_commit(int argc, char **argv)
{
	struct nsrp_sess_key k[64];
	struct nsrp_sess s[64];
	unsigned int n = 0, failed = 0;
	uint32_t timeout = 300;
	struct ct_committer *c;
	int i = 0, err, done;

	if (argc > 1 && !strcmp(argv[0], "-t")) {
		timeout = strtoul(argv[1], NULL, 0);
		i = 2;
	}
	for (; i < argc && n < 64; i++, n++) {
		if (parse_spec(argv[i], &k[n], &s[n])) {
			fprintf(stderr, "kstate_tool: bad session %s\n", argv[i]);
			return 2;
		}
	}
	if (!n)
		return 2;
	err = ct_open(&c);
	if (err) {
		fprintf(stderr, "ct_open: %s\n", strerror(-err));
		return 1;
	}
	if (n == 1) {
		err = ct_commit(c, k, s, timeout);
		done = !err;
		failed = !!err;
		if (err)
			fprintf(stderr, "ct_commit: %s\n", strerror(-err));
	} else {
		done = ct_commit_many(c, k, s, n, timeout, &failed);
	}
	ct_close(c);
	printf("committed %d failed %u\n", done, failed);
	return failed ? 1 : 0;
}

static int cmd_commit_bulk(int argc, char **argv)
{
	unsigned int n, i, failed = 0;
	struct nsrp_sess_key *k;
	struct nsrp_sess *s;
	struct ct_committer *c;
	uint8_t ia[16], ra[16];
	int err, done;

	if (argc != 1 || !(n = strtoul(argv[0], NULL, 0)) || n > 60000)
		return 2;
	k = calloc(n, sizeof(*k));
	s = calloc(n, sizeof(*s));
	if (!k || !s)
		return 1;
	parse_addr("203.0.113.200", ia);
	parse_addr("203.0.113.1", ra);
	for (i = 0; i < n; i++)
		make_sess(&k[i], &s[i], IPPROTO_TCP, 4, ia, 1024 + i, ra, 80,
			  NSRP_SS_ESTABLISHED);
	err = ct_open(&c);
	if (err) {
		fprintf(stderr, "ct_open: %s\n", strerror(-err));
		return 1;
	}
	done = ct_commit_many(c, k, s, n, 300, &failed);
	ct_close(c);
	free(k);
	free(s);
	printf("committed %d failed %u\n", done, failed);
	return failed || done != (int)n ? 1 : 0;
}

static int cmd_neigh_dump(int argc, char **argv)
{
	struct neigh_rec out[256];
	char addr[INET6_ADDRSTRLEN];
	int i, n;

	n = neigh_dump((const char *const *)argv, argc, out, 256);
	if (n < 0) {
		fprintf(stderr, "neigh_dump: %s\n", strerror(-n));
		return 1;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *m = out[i].mac;

		inet_ntop(out[i].family == 4 ? AF_INET : AF_INET6,
			  out[i].addr, addr, sizeof(addr));
		printf("%s %u %s %02x:%02x:%02x:%02x:%02x:%02x\n",
		       out[i].ifname, out[i].family, addr,
		       m[0], m[1], m[2], m[3], m[4], m[5]);
	}
	return 0;
}

static int cmd_neigh_install(int argc, char **argv)
{
	uint8_t wire[NEIGH_REC_LEN];
	struct neigh_rec r = { 0 }, got;
	unsigned int m[6];
	int fam, i, err;

	if (argc != 3 || strlen(argv[0]) >= sizeof(r.ifname))
		return 2;
	strcpy(r.ifname, argv[0]);
	fam = parse_addr(argv[1], r.addr);
	if (fam < 0 || sscanf(argv[2], "%x:%x:%x:%x:%x:%x", &m[0], &m[1],
			      &m[2], &m[3], &m[4], &m[5]) != 6)
		return 2;
	r.family = fam;
	for (i = 0; i < 6; i++)
		r.mac[i] = m[i];
	/* Through the wire format, as the peer receives it. */
	neigh_rec_put(wire, &r);
	if (neigh_rec_get(wire, &got))
		return 1;
	err = neigh_install(&got);
	if (err) {
		fprintf(stderr, "neigh_install: %s\n", strerror(-err));
		return err == -ENODEV ? 3 : 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int verbose = argc > 1 && !strcmp(argv[1], "-v");

	argv += verbose;
	argc -= verbose;
	log_init("kstate_tool", 0, verbose ? LOG_LVL_DEBUG : LOG_LVL_WARN);
	if (argc < 2) {
		fprintf(stderr, "usage: kstate_tool [-v] commit|commit-bulk|"
			"neigh-dump|neigh-install ARGS\n");
		return 2;
	}
	if (!strcmp(argv[1], "commit"))
		return cmd_commit(argc - 2, argv + 2);
	if (!strcmp(argv[1], "commit-bulk"))
		return cmd_commit_bulk(argc - 2, argv + 2);
	if (!strcmp(argv[1], "neigh-dump"))
		return cmd_neigh_dump(argc - 2, argv + 2);
	if (!strcmp(argv[1], "neigh-install"))
		return cmd_neigh_install(argc - 2, argv + 2);
	fprintf(stderr, "kstate_tool: unknown command %s\n", argv[1]);
	return 2;
}
