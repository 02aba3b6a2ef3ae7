// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay.c - a sliding bitmap of the sequence numbers seen per sender.
 */
#include <errno.h>
#include <string.h>

#include "replay.h"

static unsigned int slot(uint64_t seq)
{
	return seq % REPLAY_WINDOW_BITS;
}

static bool bit_test(const struct replay_window *w, uint64_t seq)
{
	unsigned int i = slot(seq);

	return w->bits[i / 64] & (1ULL << (i % 64));
}

static void bit_set(struct replay_window *w, uint64_t seq)
{
	unsigned int i = slot(seq);

	w->bits[i / 64] |= 1ULL << (i % 64);
}

static void bit_clear(struct replay_window *w, uint64_t seq)
{
	unsigned int i = slot(seq);

	w->bits[i / 64] &= ~(1ULL << (i % 64));
}

void replay_init(struct replay_window *w)
{
	memset(w, 0, sizeof(*w));
}

int replay_check(const struct replay_window *w, uint64_t epoch, uint64_t seq)
{
	if (!w->valid || epoch > w->epoch)
		return 0;
	if (epoch < w->epoch)
		return -ESTALE;
	if (seq > w->top)
		return 0;
	if (w->top - seq >= REPLAY_WINDOW_BITS)
		return -ERANGE;
	return bit_test(w, seq) ? -EALREADY : 0;
}

static void restart(struct replay_window *w, uint64_t epoch, uint64_t seq)
{
	memset(w->bits, 0, sizeof(w->bits));
	w->valid = true;
	w->epoch = epoch;
	w->top = seq;
}

/* Moves the top to seq, forgetting the slots it slides over. */
static void advance(struct replay_window *w, uint64_t seq)
{
	uint64_t s;

	if (seq - w->top >= REPLAY_WINDOW_BITS) {
		memset(w->bits, 0, sizeof(w->bits));
	} else {
		for (s = w->top + 1; s != seq; s++)
			bit_clear(w, s);
		bit_clear(w, seq);
	}
	w->top = seq;
}

void replay_update(struct replay_window *w, uint64_t epoch, uint64_t seq)
{
	if (!w->valid || epoch > w->epoch)
		restart(w, epoch, seq);
	else if (seq > w->top)
		advance(w, seq);
	bit_set(w, seq);
}

int replay_accept(struct replay_window *w, uint64_t epoch, uint64_t seq)
{
	int err = replay_check(w, epoch, seq);

	if (!err)
		replay_update(w, epoch, seq);
	return err;
}

const char *replay_err_name(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case -EALREADY:
		return "duplicate";
	case -ERANGE:
		return "too-old";
	case -ESTALE:
		return "old-epoch";
	default:
		return "unknown";
	}
}
