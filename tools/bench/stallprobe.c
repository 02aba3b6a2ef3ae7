// SPDX-License-Identifier: GPL-2.0-only
/*
 * stallprobe - how long this machine keeps a sleeping task from running.
 *
 *   stallprobe [-p PERIOD_MS] [-t THRESHOLD_MS] [-R PRIO] SECONDS
 *
 * Sleeps PERIOD_MS (default 1) again and again for SECONDS and measures
 * how late each wake-up is. Every wake-up at least THRESHOLD_MS late
 * (default 20) is printed as it happens, "stall AT LATE_MS STEAL_MS": AT
 * when the sleep began, in seconds of CLOCK_MONOTONIC (the clock of
 * "nsrpctl get nsrp history -j", whose mono_ns it matches); STEAL_MS the
 * steal time the kernel counted on all CPUs from at most 10 ms before the
 * sleep to the wake-up (steal: time the hypervisor ran something else
 * while this machine had work to do; counted in steps of 10 ms). A stall
 * with as much steal was the hypervisor's; one without, this kernel's.
 * A JSON summary ends the output: the longest stall, how many passed the
 * threshold, and the steal time over the whole run.
 *
 * A role-deciding daemon misses its heartbeats for as long as this probe
 * is late, so it tells whether a takeover under load was the machine's
 * doing. With -R it runs under SCHED_FIFO at PRIO, where only interrupts
 * and the hypervisor can delay it.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Steal time of all CPUs so far, in ms; -1 when /proc/stat does not say. */
static long long steal_ms(void)
{
	unsigned long long f[8] = { 0 };
	FILE *fp = fopen("/proc/stat", "r");
	int n;

	if (!fp)
		return -1;
	n = fscanf(fp, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &f[0],
		   &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7]);
	fclose(fp);
	if (n != 8)
		return -1;
	return (long long)(f[7] * 1000 / (unsigned long long)sysconf(_SC_CLK_TCK));
}

static int parse_uint(const char *s, const char *what, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > 1000000) {
		fprintf(stderr, "stallprobe: %s: not a number from 0 to 1000000: '%s'\n",
			what, s);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: stallprobe [-p PERIOD_MS] [-t THRESHOLD_MS] [-R PRIO] SECONDS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int period_ms = 1, thresh_ms = 20, prio = 0, secs;
	uint64_t start, end, worst = 0, samples = 0, stalls = 0, steal_at = 0;
	long long steal0, steal1, steal_last;
	int opt;

	while ((opt = getopt(argc, argv, "p:t:R:")) != -1) {
		if ((opt == 'p' && parse_uint(optarg, "-p", &period_ms)) ||
		    (opt == 't' && parse_uint(optarg, "-t", &thresh_ms)) ||
		    (opt == 'R' && parse_uint(optarg, "-R", &prio)))
			return 2;
		if (opt == '?')
			usage();
	}
	if (optind != argc - 1 || parse_uint(argv[optind], "SECONDS", &secs))
		usage();
	if (!period_ms) {
		fprintf(stderr, "stallprobe: -p: the period must be at least 1 ms\n");
		return 2;
	}
	if (prio) {
		struct sched_param sp = { .sched_priority = (int)prio };

		if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
			perror("stallprobe: SCHED_FIFO");
			return 1;
		}
	}

	steal0 = steal_last = steal_ms();
	start = mono_ns();
	end = start + (uint64_t)secs * 1000000000ull;
	for (;;) {
		struct timespec d = { .tv_nsec = (long)period_ms * 1000000 };
		uint64_t t0 = mono_ns(), late;

		if (t0 >= end)
			break;
		/* /proc/stat is costly to read: every 10 ms, not every sleep. */
		if (t0 - steal_at >= 10000000) {
			steal_last = steal_ms();
			steal_at = t0;
		}
		nanosleep(&d, NULL);
		late = mono_ns() - t0 - (uint64_t)period_ms * 1000000;
		samples++;
		if (late > worst)
			worst = late;
		if (late >= (uint64_t)thresh_ms * 1000000) {
			long long now_steal = steal_ms();

			stalls++;
			printf("stall %.3f %.1f %lld\n", (double)t0 / 1e9,
			       (double)late / 1e6,
			       now_steal < 0 || steal_last < 0 ? -1 :
			       now_steal - steal_last);
			fflush(stdout);
		}
	}
	steal1 = steal_ms();
	printf("{\"seconds\":%u,\"period_ms\":%u,\"rt_priority\":%u,\"samples\":%llu,"
	       "\"longest_stall_ms\":%.1f,\"threshold_ms\":%u,\"stalls\":%llu,"
	       "\"steal_ms\":%lld}\n",
	       secs, period_ms, prio, (unsigned long long)samples,
	       (double)worst / 1e6, thresh_ms, (unsigned long long)stalls,
	       steal0 < 0 || steal1 < 0 ? -1 : steal1 - steal0);
	return 0;
}
