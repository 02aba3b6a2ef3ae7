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
 * A pair of passwords makes a key set, named on the wire by a key id:
 * one byte of a hash of its keys (0 is never used). Every frame says
 * which set sealed it (header byte 10) and the newest set its sender
 * accepts (byte 11), so a receiver picks the key without trying each.
 * That lets a running pair change its passwords one unit after the
 * other with no frame refused (enabling, rotating or disabling either):
 * a unit whose passwords changed keeps the previous set, accepts frames
 * of both, and goes on sealing with the previous one until the peer
 * says it accepts the new one; it forgets the previous set once the
 * peer seals with the new one too. The ids are in the header, which
 * the MAC covers, so they cannot be altered either.
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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HACRYPT_KEY_LEN		32
#define HACRYPT_MAC_LEN		32	/* HMAC-SHA-512-256 */
#define HACRYPT_NONCE_LEN	24	/* XChaCha20-Poly1305 */
#define HACRYPT_TAG_LEN		16

/* What one pair of passwords gives. */
struct hacrypt_keys {
	uint8_t flags;		/* PROTO_F_AUTH and/or PROTO_F_ENC */
	uint8_t id;		/* key id on the wire, 1-255 */
	uint8_t auth_key[HACRYPT_KEY_LEN];
	uint8_t enc_key[HACRYPT_KEY_LEN];
};

struct hacrypt {
	struct hacrypt_keys cur;	/* the configured passwords */
	struct hacrypt_keys prev;	/* the ones before, while changing */
	bool changing;			/* prev is valid */
	bool peer_has_cur;		/* the peer accepts cur: seal with it */
};

/* Which key set opened a frame, and what its sender accepts. */
struct hacrypt_rx {
	bool prev;		/* sealed with the previous set */
	uint8_t accepts;	/* the sender's newest key id; 0: not said */
};

/*
 * Derives a key set from the passwords; a NULL or empty password turns
 * that protection off. Slow by design (tens of milliseconds to seconds):
 * never on the event loop of a running unit. Returns 0, -ENOMEM (the KDF
 * could not get its memory) or -EIO (libsodium failed to initialise).
 */
int hacrypt_derive(struct hacrypt_keys *k, const char *auth_pw,
		   const char *enc_pw, unsigned int cluster_id);
void hacrypt_keys_clear(struct hacrypt_keys *k);

/* hacrypt_derive() into a fresh context, no change under way. */
int hacrypt_init(struct hacrypt *c, const char *auth_pw, const char *enc_pw,
		 unsigned int cluster_id);
/* Wipes the keys. */
void hacrypt_clear(struct hacrypt *c);

/*
 * New passwords on a running unit: next becomes the current set, and
 * the set the peer is known to accept stays to seal with until it says
 * it accepts next. Returns false when next is the current set already.
 */
bool hacrypt_rekey(struct hacrypt *c, const struct hacrypt_keys *next);
/*
 * What a verified and fresh frame of the peer told: the set it sealed
 * with and the newest it accepts. Moves to sealing with the current set,
 * and forgets the previous one once the peer seals with the current.
 */
void hacrypt_peer_said(struct hacrypt *c, const struct hacrypt_rx *rx);
/* The set frames are sealed with now. */
const struct hacrypt_keys *hacrypt_sending(const struct hacrypt *c);

/* Bytes a sealed frame may have beyond header and body, at most. */
size_t hacrypt_overhead(const struct hacrypt *c);

/*
 * Protects a frame already encoded in place (header of hdr_len bytes,
 * then body_len bytes), in a buffer of cap bytes: sets the header's
 * security flags, key ids and total_len, then encrypts and/or MACs.
 * Returns the new total length, or -ENOSPC when cap (or the 64 KiB
 * frame limit) is too small.
 */
int hacrypt_seal(const struct hacrypt *c, uint8_t *frame, size_t hdr_len,
		 size_t body_len, size_t cap);

/*
 * Verifies and decrypts a received frame of len bytes in place, after
 * proto_decode() accepted its header, with the key set its key id names
 * (with either, for a sender that names none). The clear body then
 * starts at frame + hdr_len. Returns its length and fills *rx, or
 * -EPROTO when no set this unit holds protects frames that way (no
 * password on one side, encryption on one side, a key id unknown here),
 * or -EBADMSG when it is too short or does not verify.
 */
int hacrypt_open(const struct hacrypt *c, uint8_t *frame, size_t len,
		 size_t hdr_len, struct hacrypt_rx *rx);

#endif
