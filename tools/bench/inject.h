/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * inject.h - what the two session injectors of tools/bench/synclimit
 * share: the flows they create (the same ones, for nsrpd and for the
 * kernel's conntrack) and the pacing that spreads them over time.
 *
 * The flows are those of inject_flow.h.
 *
 * Pacing: flow i is due at t0 + i / rate. The injector creates what is
 * due, in batches of at most INJECT_BATCH, and sleeps until the next one
 * is; after every batch it records (time, flows created so far), so that
 * each flow's creation time is known to within one batch. It stops at
 * max flows or at the deadline, whichever comes first: a rate it cannot
 * reach shows as fewer flows than asked for, never as a longer run. The
 * injector's own CPU time per flow says what creating the flows cost the
 * machine's CPUs, which the systems measured share.
 */
#ifndef NSRPD_BENCH_INJECT_H
#define NSRPD_BENCH_INJECT_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <arpa/inet.h>

#include "inject_flow.h"

#define INJECT_BATCH	256	/* flows per batch, at most */
#define INJECT_SLEEP_NS	1000000	/* the longest sleep between batches */

struct inject_flow {
	uint32_t saddr, daddr;	/* network order */
	uint16_t sport, dport;	/* network order */
};

static inline void inject_flow(uint64_t i, struct inject_flow *f)
{
	struct inject_flow_host h = inject_flow_host(i);

	f->saddr = htonl(h.saddr);
	f->daddr = htonl(h.daddr);
	f->sport = htons(h.sport);
	f->dport = htons(INJECT_DPORT);
}

static inline uint64_t inject_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* One batch done: at t_ns (CLOCK_MONOTONIC), done flows created in all. */
struct inject_mark {
	uint64_t t_ns, done;
};

struct inject_pace {
	uint64_t rate;		/* flows per second */
	uint64_t max;		/* flows in all */
	uint64_t limit_ns;	/* the deadline, from t0 */
	uint64_t t0, t_end;
	uint64_t cpu_ns;	/* the injector's own CPU time over the run */
	uint64_t done;
	struct inject_mark *marks;
	size_t nmarks;
};

/*
 * Creates count flows from first on; returns how many it created (the
 * others failed), or -errno when it cannot go on.
 */
typedef int (*inject_batch_fn)(void *arg, uint64_t first, unsigned int count);

static inline int inject_pace_init(struct inject_pace *p, uint64_t rate,
				   uint64_t max, uint64_t limit_ns)
{
	*p = (struct inject_pace){ .rate = rate, .max = max,
				   .limit_ns = limit_ns };
	/* At most one mark per flow: a batch creates one at least. */
	p->marks = calloc(max + 1, sizeof(*p->marks));
	return p->marks ? 0 : -ENOMEM;
}

/* The flows due by t (all of them once max is reached). */
static inline uint64_t inject_due(const struct inject_pace *p, uint64_t t)
{
	uint64_t due = (t - p->t0) / 1000 * p->rate / 1000000 + 1;

	return due < p->max ? due : p->max;
}

/* This process's CPU time, user and system (its syscalls' kernel work). */
static inline uint64_t inject_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The injector's CPU time per flow created, in microseconds. */
static inline double inject_cpu_us(const struct inject_pace *p)
{
	return p->done ? p->cpu_ns / 1e3 / p->done : 0;
}

static inline void inject_sleep_until(uint64_t t_ns)
{
	struct timespec ts = { .tv_sec = t_ns / 1000000000ull,
			       .tv_nsec = t_ns % 1000000000ull };

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/*
 * Runs the schedule; returns 0, or the first -errno of fn. *failed
 * counts the flows fn could not create, p->done those it did.
 */
static inline int inject_run(struct inject_pace *p, inject_batch_fn fn,
			     void *arg, uint64_t *failed)
{
	uint64_t tried = 0, cpu0 = inject_cpu_ns();
	int err = 0;

	*failed = 0;
	p->t0 = inject_now_ns();
	while (tried < p->max) {
		uint64_t now = inject_now_ns(), due, next;
		unsigned int n;
		int got;

		if (now - p->t0 >= p->limit_ns)
			break;
		due = inject_due(p, now);
		if (due <= tried) {
			/* Flow number tried is due at t0 + tried / rate. */
			next = p->t0 + tried * 1000000000ull / p->rate;
			if (next > now + INJECT_SLEEP_NS)
				next = now + INJECT_SLEEP_NS;
			inject_sleep_until(next);
			continue;
		}
		n = due - tried < INJECT_BATCH ? due - tried : INJECT_BATCH;
		got = fn(arg, tried, n);
		if (got < 0) {
			err = got;
			break;
		}
		tried += n;
		p->done += got;
		*failed += n - got;
		p->marks[p->nmarks++] = (struct inject_mark){
			.t_ns = inject_now_ns(), .done = p->done };
	}
	p->t_end = inject_now_ns();
	p->cpu_ns = inject_cpu_ns() - cpu0;
	return err;
}

/* The marks, "T_NS DONE" a line; 0 or -errno. */
static inline int inject_write_marks(const struct inject_pace *p,
				     const char *path)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	for (size_t i = 0; i < p->nmarks; i++)
		fprintf(f, "%llu %llu\n",
			(unsigned long long)p->marks[i].t_ns,
			(unsigned long long)p->marks[i].done);
	if (fclose(f))
		err = -errno;
	return err;
}

#endif
