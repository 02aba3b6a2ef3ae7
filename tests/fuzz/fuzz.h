/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz.h - shared by the fuzz harnesses (tests/fuzz/fuzz_*.c).
 *
 * Each harness is a libFuzzer target: LLVMFuzzerTestOneInput() runs one
 * input and checks the invariants of the code it drives; a broken one is
 * a crash (fuzz_fail()), as a sanitizer report is. The same source builds
 * two ways: with clang's -fsanitize=fuzzer for "make fuzz", and with the
 * test build's sanitizers and replay.c's main() for "make check", which
 * runs every input of the committed corpus once.
 */
#ifndef NSRPD_FUZZ_H
#define NSRPD_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the harnesses seal frames with; tests/fuzz/mkseeds uses the same. */
#define FUZZ_CLUSTER_ID		1
#define FUZZ_OWN_UNIT		0x0a0a0a0a
#define FUZZ_AUTH_PW		"fuzz auth password"
#define FUZZ_ENC_PW		"fuzz encrypt password"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant did not hold: says which and where, then aborts. */
void fuzz_fail(const char *file, int line, const char *what, const char *fmt,
	       ...) __attribute__((noreturn, format(printf, 4, 5)));

#define FUZZ_CHECK(cond, ...)                                             \
	do {                                                              \
		if (!(cond))                                              \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
	} while (0)

/*
 * A harness that cannot run here (the XDP one without root) says why;
 * the replay counts its inputs as skipped, libFuzzer stops.
 */
void fuzz_skip(const char *why);
extern const char *fuzz_skipped;

/*
 * Feedback from code the fuzzer cannot see (a BPF program): libFuzzer
 * treats each byte of this section as one more coverage counter.
 */
#define FUZZ_EXTRA_COUNTERS(name, n) \
	__attribute__((section("__libfuzzer_extra_counters"), used)) \
	static uint8_t name[n]

/* A cursor over the input, for harnesses that read control bytes first. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t hi = fuzz_u8(in);

	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

/* Up to n bytes; *got says how many there were. */
static inline const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t n,
					size_t *got)
{
	const uint8_t *p = in->p;

	*got = n < in->left ? n : in->left;
	in->p += *got;
	in->left -= *got;
	return p;
}

#endif
