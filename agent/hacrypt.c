// SPDX-License-Identifier: GPL-2.0-only
/*
 * hacrypt.c - HA link frame protection with libsodium.
 */
#include <errno.h>
#include <string.h>
#include <sodium.h>

#include "hacrypt.h"
#include "proto.h"

_Static_assert(HACRYPT_KEY_LEN == crypto_auth_hmacsha512256_KEYBYTES,
	       "auth key size");
_Static_assert(HACRYPT_MAC_LEN == crypto_auth_hmacsha512256_BYTES,
	       "mac size");
_Static_assert(HACRYPT_KEY_LEN == crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
	       "aead key size");
_Static_assert(HACRYPT_NONCE_LEN == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	       "nonce size");
_Static_assert(HACRYPT_TAG_LEN == crypto_aead_xchacha20poly1305_ietf_ABYTES,
	       "tag size");

/* A salt per cluster and purpose: BLAKE2b of a label and the cluster id. */
static void derive_salt(uint8_t salt[crypto_pwhash_SALTBYTES],
			const char *purpose, unsigned int cluster_id)
{
	crypto_generichash_state st;
	uint8_t id[4] = {
		cluster_id >> 24, cluster_id >> 16, cluster_id >> 8, cluster_id,
	};

	crypto_generichash_init(&st, NULL, 0, crypto_pwhash_SALTBYTES);
	crypto_generichash_update(&st, (const uint8_t *)"nsrpd ha-link v1 ",
				  17);
	crypto_generichash_update(&st, (const uint8_t *)purpose,
				  strlen(purpose));
	crypto_generichash_update(&st, id, sizeof(id));
	crypto_generichash_final(&st, salt, crypto_pwhash_SALTBYTES);
}

static int derive_key(uint8_t key[HACRYPT_KEY_LEN], const char *pw,
		      const char *purpose, unsigned int cluster_id)
{
	uint8_t salt[crypto_pwhash_SALTBYTES];

	derive_salt(salt, purpose, cluster_id);
	if (crypto_pwhash(key, HACRYPT_KEY_LEN, pw, strlen(pw), salt,
			  crypto_pwhash_OPSLIMIT_INTERACTIVE,
			  crypto_pwhash_MEMLIMIT_INTERACTIVE,
			  crypto_pwhash_ALG_ARGON2ID13))
		return -ENOMEM;
	return 0;
}

int hacrypt_init(struct hacrypt *c, const char *auth_pw, const char *enc_pw,
		 unsigned int cluster_id)
{
	int err;

	memset(c, 0, sizeof(*c));
	if (sodium_init() < 0)
		return -EIO;
	if (auth_pw && *auth_pw) {
		err = derive_key(c->auth_key, auth_pw, "auth", cluster_id);
		if (err)
			goto out;
		c->flags |= PROTO_F_AUTH;
	}
	if (enc_pw && *enc_pw) {
		err = derive_key(c->enc_key, enc_pw, "encrypt", cluster_id);
		if (err)
			goto out;
		c->flags |= PROTO_F_ENC;
	}
	return 0;
out:
	hacrypt_clear(c);
	return err;
}

void hacrypt_clear(struct hacrypt *c)
{
	sodium_memzero(c, sizeof(*c));
}

size_t hacrypt_overhead(const struct hacrypt *c)
{
	size_t n = 0;

	if (c->flags & PROTO_F_ENC)
		n += HACRYPT_NONCE_LEN + HACRYPT_TAG_LEN;
	if (c->flags & PROTO_F_AUTH)
		n += HACRYPT_MAC_LEN;
	return n;
}

/* Marks the header with what protects the frame and its final length. */
static void patch_header(const struct hacrypt *c, uint8_t *frame,
			 size_t total)
{
	frame[PROTO_OFF_FLAGS] = (frame[PROTO_OFF_FLAGS] & ~PROTO_F_SEC_MASK) |
				 c->flags;
	frame[PROTO_OFF_TOTAL_LEN] = total >> 8;
	frame[PROTO_OFF_TOTAL_LEN + 1] = total;
}

static void encrypt_body(const struct hacrypt *c, uint8_t *frame,
			 size_t hdr_len, size_t body_len)
{
	uint8_t *nonce = frame + hdr_len;
	uint8_t *text = nonce + HACRYPT_NONCE_LEN;

	memmove(text, frame + hdr_len, body_len);
	randombytes_buf(nonce, HACRYPT_NONCE_LEN);
	/* In place: libsodium allows the ciphertext to overwrite the text. */
	crypto_aead_xchacha20poly1305_ietf_encrypt(text, NULL, text, body_len,
						   frame, hdr_len, NULL, nonce,
						   c->enc_key);
}

int hacrypt_seal(const struct hacrypt *c, uint8_t *frame, size_t hdr_len,
		 size_t body_len, size_t cap)
{
	size_t total = hdr_len + body_len + hacrypt_overhead(c);

	if (hdr_len < PROTO_HDR_LEN || total > cap || total > PROTO_MAX_FRAME)
		return -ENOSPC;
	patch_header(c, frame, total);
	if (c->flags & PROTO_F_ENC)
		encrypt_body(c, frame, hdr_len, body_len);
	if (c->flags & PROTO_F_AUTH)
		crypto_auth_hmacsha512256(frame + total - HACRYPT_MAC_LEN,
					  frame, total - HACRYPT_MAC_LEN,
					  c->auth_key);
	return (int)total;
}

static int decrypt_body(const struct hacrypt *c, uint8_t *frame,
			size_t len, size_t hdr_len)
{
	uint8_t *nonce = frame + hdr_len;
	uint8_t *text = nonce + HACRYPT_NONCE_LEN;
	size_t clen = len - hdr_len - HACRYPT_NONCE_LEN;
	unsigned long long mlen;

	if (crypto_aead_xchacha20poly1305_ietf_decrypt(text, &mlen, NULL,
						       text, clen, frame,
						       hdr_len, nonce,
						       c->enc_key))
		return -EBADMSG;
	memmove(frame + hdr_len, text, mlen);
	return (int)mlen;
}

int hacrypt_open(const struct hacrypt *c, uint8_t *frame, size_t len,
		 size_t hdr_len)
{
	if (len < PROTO_HDR_LEN || hdr_len < PROTO_HDR_LEN || hdr_len > len)
		return -EBADMSG;
	if ((frame[PROTO_OFF_FLAGS] & PROTO_F_SEC_MASK) != c->flags)
		return -EPROTO;
	if (len - hdr_len < hacrypt_overhead(c) || len > PROTO_MAX_FRAME)
		return -EBADMSG;
	if (c->flags & PROTO_F_AUTH) {
		len -= HACRYPT_MAC_LEN;
		if (crypto_auth_hmacsha512256_verify(frame + len, frame, len,
						     c->auth_key))
			return -EBADMSG;
	}
	if (c->flags & PROTO_F_ENC)
		return decrypt_body(c, frame, len, hdr_len);
	return (int)(len - hdr_len);
}
