// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_ctl_msg - the control socket's codec: ctl_decode_request(), which
 * the daemon runs on whatever a local client sends, and
 * ctl_decode_response(), which nsrpctl runs on what comes back.
 *
 * Input: one byte, then the message. Bit 0 of the byte: 0 a request, 1 a
 * response; the other bits pick the room the caller gives the command
 * (0: the daemon's, CTL_MAX_CMD + 1; n: n bytes).
 *
 * Invariants: a request is accepted only when its command is the
 * message's text, NUL-free, within the caller's room and CTL_MAX_CMD,
 * copied NUL-terminated, and encoding it again gives the message back; a
 * refusal is one of the documented errors and writes nothing past the
 * room. A response is accepted only with text exactly the message's rest
 * and a status that is 0 or positive, and encodes back to itself when it
 * fits a message.
 */
#include <errno.h>
#include <string.h>

#include "ctl.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void check_request(const uint8_t *msg, size_t len, size_t cap)
{
	/* The room, then a guard that must stay untouched. */
	char cmd[CTL_MAX_CMD + 1 + 16];
	uint8_t again[CTL_REQ_HDR_LEN + CTL_MAX_CMD];
	unsigned int flags = 0xdead;
	size_t n;
	int err;

	memset(cmd, 0x5a, sizeof(cmd));
	err = ctl_decode_request(msg, len, &flags, cmd, cap);
	for (size_t i = cap; i < sizeof(cmd); i++)
		FUZZ_CHECK((uint8_t)cmd[i] == 0x5a,
			   "byte %zu written past a room of %zu", i, cap);
	if (err) {
		FUZZ_CHECK(err == -EPROTO || err == -EBADMSG ||
			   err == -EMSGSIZE, "error %d", err);
		FUZZ_CHECK(flags == 0xdead, "flags set on a refusal");
		return;
	}
	n = strnlen(cmd, cap);
	FUZZ_CHECK(n < cap && n > 0 && n <= CTL_MAX_CMD,
		   "command of %zu bytes in a room of %zu", n, cap);
	FUZZ_CHECK(len == CTL_REQ_HDR_LEN + n &&
		   !memcmp(cmd, msg + CTL_REQ_HDR_LEN, n) && flags == msg[1],
		   "the command is not the message's text");
	FUZZ_CHECK(ctl_encode_request(again, sizeof(again), flags, cmd) ==
			   (int)len && !memcmp(again, msg, len),
		   "a request does not encode back to itself");
}

static void check_response(const uint8_t *msg, size_t len)
{
	uint8_t again[CTL_MSG_MAX];
	struct ctl_resp r;
	int err;

	err = ctl_decode_response(msg, len, &r);
	if (err) {
		FUZZ_CHECK(err == -EPROTO || err == -EBADMSG, "error %d", err);
		return;
	}
	FUZZ_CHECK(r.status >= 0, "status %d", r.status);
	FUZZ_CHECK(len == CTL_RESP_HDR_LEN + r.len &&
		   r.text == (const char *)msg + CTL_RESP_HDR_LEN,
		   "text of %zu bytes in a message of %zu", r.len, len);
	if (r.len > CTL_CHUNK)
		return;
	FUZZ_CHECK(ctl_encode_response(again, sizeof(again), r.flags,
				       r.status, r.text, r.len) == (int)len &&
		   !memcmp(again, msg, len),
		   "a response does not encode back to itself");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t sel = fuzz_u8(&in);
	size_t cap = sel >> 1 ? sel >> 1 : CTL_MAX_CMD + 1;

	if (sel & 1)
		check_response(in.p, in.left);
	else
		check_request(in.p, in.left, cap);
	return 0;
}
