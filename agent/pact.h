/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pact.h - a TCP connection each way between the two agents over the HA
 * link, that carries nothing and exists to end: when an agent dies (kill
 * -9, a crash, the OOM killer), its kernel closes its sockets at once,
 * and the peer hears it within a round trip, whatever the heartbeat
 * interval. A closed pact proves nothing by itself (anyone on the link
 * can forge a reset): it makes the cluster check the peer at once over
 * every path (cluster_suspect()), and only silence there is a death.
 */
#ifndef NSRPD_PACT_H
#define NSRPD_PACT_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#define PACT_ACCEPTED	4	/* the peer's connections held, most */

struct pact {
	int lfd;			/* listening on the HA link */
	int out;			/* ours to the peer; -1: none */
	bool out_up;			/* connected */
	int in[PACT_ACCEPTED];		/* the peer's to us; -1: free */
	struct in_addr in_from[PACT_ACCEPTED];	/* where each came from */
	struct in_addr peer;		/* where ours goes; 0: not known */
	uint64_t next_try_ns;
	unsigned long long broken;	/* pacts that ended, since start */
};

/* Listens on ifname (the HA link), port: 0 or -errno. */
int pact_open(struct pact *p, const char *ifname, uint16_t port);
void pact_close(struct pact *p);

/*
 * The peer is at addr on the HA link (0: lost): keeps a connection to it
 * up, trying again each second, and lets go of the connections accepted
 * from anyone else. Returns an fd that the loop must watch
 * now (a new connection), or -1.
 */
int pact_tick(struct pact *p, struct in_addr addr, const char *ifname,
	      uint16_t port, uint64_t now);
uint64_t pact_next_deadline(const struct pact *p);

/*
 * fd is readable (or hung up): accepts the peer's connection (any, while
 * the peer is not known: its pact may come before its first heartbeat,
 * and one refused would look like its death), or reads
 * one of ours. Returns true when a pact ended: the peer's agent may be
 * gone. *watch receives a new fd to watch (accepted), else -1.
 */
bool pact_event(struct pact *p, int fd, int *watch);

#endif
