// SPDX-License-Identifier: GPL-2.0-only
/*
 * monitor.c - weighted monitors, hold-down and damping (see monitor.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "monitor.h"

void monitor_init(struct monitor *m, uint32_t threshold,
		  uint64_t holddown_ns)
{
	memset(m, 0, sizeof(*m));
	m->threshold = threshold;
	m->holddown_ns = holddown_ns;
}

int monitor_add(struct monitor *m, enum mon_kind kind, const char *name,
		uint32_t weight, bool failed, const char *why, uint64_t now)
{
	struct mon_item *it;

	if (m->n == MON_MAX)
		return -ENOSPC;
	it = &m->item[m->n];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	snprintf(it->name, sizeof(it->name), "%s", name);
	it->weight = weight;
	/* What is failed at start counts at once, with no flap to damp. */
	it->input_failed = it->failed = failed;
	snprintf(it->why, sizeof(it->why), "%s", failed ? why : "");
	it->healthy_since_ns = failed ? 0 : now;
	it->failures = failed;
	return m->n++;
}

uint64_t monitor_holddown_ns(const struct monitor *m,
			     const struct mon_item *it)
{
	uint64_t h = m->holddown_ns;

	/* Each flap doubles it: 1 flap 2x, 2 flaps 4x... */
	for (unsigned int i = 0; i < it->flaps && h < MON_DAMP_MAX_NS; i++)
		h = h ? h * 2 : NS_PER_S;
	return h < MON_DAMP_MAX_NS ? h : MON_DAMP_MAX_NS;
}

void monitor_input(struct monitor *m, unsigned int i, bool failed,
		   const char *why, uint64_t now)
{
	struct mon_item *it = &m->item[i];

	if (i >= m->n)
		return;
	if (failed) {
		snprintf(it->why, sizeof(it->why), "%s", why);
		if (it->input_failed)
			return;
		it->input_failed = true;
		it->failed = true;
		it->healthy_since_ns = 0;
		if (it->failures && now - it->last_fail_ns <
				    MON_FLAP_WINDOW_NS)
			it->flaps++;
		else
			it->flaps = 0;
		it->last_fail_ns = now;
		it->failures++;
		return;
	}
	if (!it->input_failed)
		return;
	it->input_failed = false;
	it->healthy_since_ns = now;
}

bool monitor_update(struct monitor *m, uint64_t now)
{
	uint32_t sum = 0;
	bool was = m->failed, changed;

	for (unsigned int i = 0; i < m->n; i++) {
		struct mon_item *it = &m->item[i];

		if (it->failed && !it->input_failed &&
		    now - it->healthy_since_ns >= monitor_holddown_ns(m, it)) {
			it->failed = false;
			it->why[0] = '\0';
		}
		/* A minute without failing forgives the flaps. */
		if (it->flaps && !it->input_failed &&
		    now - it->last_fail_ns >= MON_FLAP_WINDOW_NS)
			it->flaps = 0;
		if (it->failed)
			sum += it->weight;
	}
	changed = sum != m->sum;
	m->sum = sum;
	m->failed = sum >= m->threshold;
	return changed || was != m->failed;
}

uint64_t monitor_next_deadline(const struct monitor *m)
{
	uint64_t next = UINT64_MAX;

	for (unsigned int i = 0; i < m->n; i++) {
		const struct mon_item *it = &m->item[i];
		uint64_t t;

		if (it->failed && !it->input_failed) {
			t = it->healthy_since_ns + monitor_holddown_ns(m, it);
			if (t < next)
				next = t;
		}
		if (it->flaps && !it->input_failed) {
			t = it->last_fail_ns + MON_FLAP_WINDOW_NS;
			if (t < next)
				next = t;
		}
	}
	return next;
}

void monitor_reason(const struct monitor *m, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned int i = 0; i < m->n && used < len; i++) {
		const struct mon_item *it = &m->item[i];
		const char *what;
		int k;

		if (!it->failed)
			continue;
		what = it->input_failed ? it->why : "held down";
		k = snprintf(buf + used, len - used, "%s%s%s%s",
			     used ? ", " : "", it->name, *what ? " " : "",
			     what);
		if (k < 0)
			break;
		used += (size_t)k;
	}
}
