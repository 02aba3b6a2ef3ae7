/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hacrypt.h - authentication and encryption of HA link frames.
 *
 * `set nsrp auth password` makes every frame carry an HMAC-SHA-512-256
 * tag over all of it, header included; `set nsrp encrypt password`
 * seals the body with XChaCha20-Poly1305, the clear header being the
 * associated data. With both, the frame is encrypted and then MACed, so
 * each password must match. The layouts after the PROTO_HDR_LEN header:
 *
 *   auth only    body | mac[32]                        flags AUTH
 *   encrypt      nonce[24] | ciphertext | tag[16]      flags ENC
 *   both         nonce[24] | ciphertext | tag[16] | mac[32]
 *
 * The header's flags say which was applied and its total_len covers the
 * trailer; both are authenticated, so neither can be altered, and a unit
 * configured differently from its peer reports -EPROTO, not a forgery.
 *
 * Nonces are random, not derived from (unit, epoch, seq): the sender's
 * epoch comes from the wall clock, and a clock stepped back across a
 * restart would repeat a derived nonce under the same key, which breaks
 * the cipher. 192-bit random nonces cannot collide in practice; they
 * cost 24 bytes a frame.
 *
 * Keys come from the passwords through Argon2id (crypto_pwhash), salted
 * with a hash of the cluster id and the key's purpose: a captured frame
 * can only be attacked by guessing passwords, each guess costs the
 * attacker the KDF's time and memory, and two clusters or the two
 * purposes never share a key even with the same password. Argon2id is
 * deliberately slow (tens of milliseconds, 64 MiB): derive once, when
 * the configuration is loaded, never per frame.
 */
#ifndef NSRPD_HACRYPT_H
#define NSRPD_HACRYPT_H

#include <stddef.h>
#include <stdint.h>

#define HACRYPT_KEY_LEN		32
#define HACRYPT_MAC_LEN		32	/* HMAC-SHA-512-256 */
#define HACRYPT_NONCE_LEN	24	/* XChaCha20-Poly1305 */
#define HACRYPT_TAG_LEN		16

struct hacrypt {
	uint8_t flags;		/* PROTO_F_AUTH and/or PROTO_F_ENC */
	uint8_t auth_key[HACRYPT_KEY_LEN];
	uint8_t enc_key[HACRYPT_KEY_LEN];
};

/*
 * Derives the keys; a NULL or empty password turns that protection off.
 * Returns 0, -ENOMEM (the KDF could not get its memory) or -EIO
 * (libsodium failed to initialise).
 */
int hacrypt_init(struct hacrypt *c, const char *auth_pw, const char *enc_pw,
		 unsigned int cluster_id);
/* Wipes the keys. */
void hacrypt_clear(struct hacrypt *c);

/* Bytes a sealed frame has beyond header and body. */
size_t hacrypt_overhead(const struct hacrypt *c);

/*
 * Protects a frame already encoded in place (header of hdr_len bytes,
 * then body_len bytes), in a buffer of cap bytes: sets the header's
 * security flags and total_len, then encrypts and/or MACs. Returns the
 * new total length, or -ENOSPC when cap (or the 64 KiB frame limit) is
 * too small.
 */
int hacrypt_seal(const struct hacrypt *c, uint8_t *frame, size_t hdr_len,
		 size_t body_len, size_t cap);

/*
 * Verifies and decrypts a received frame of len bytes in place, after
 * proto_decode() accepted its header. The clear body then starts at
 * frame + hdr_len. Returns its length, -EPROTO when the frame is
 * protected differently from the configuration, or -EBADMSG when it is
 * too short or does not verify.
 */
int hacrypt_open(const struct hacrypt *c, uint8_t *frame, size_t len,
		 size_t hdr_len);

#endif
