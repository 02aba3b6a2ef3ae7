// SPDX-License-Identifier: GPL-2.0-only
/*
 * hacrypt.c - HA link frame protection with libsodium.
 */
#include <errno.h>
#include <stdlib.h>
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

/* One byte of a hash of the keys, never 0 (0 says "no id" on the wire). */
static uint8_t key_id(const struct hacrypt_keys *k)
{
	crypto_generichash_state st;
	uint8_t h;

	crypto_generichash_init(&st, NULL, 0, 16);
	crypto_generichash_update(&st, (const uint8_t *)"nsrpd key id", 12);
	crypto_generichash_update(&st, &k->flags, 1);
	crypto_generichash_update(&st, k->auth_key, HACRYPT_KEY_LEN);
	crypto_generichash_update(&st, k->enc_key, HACRYPT_KEY_LEN);
	{
		uint8_t full[16];

		crypto_generichash_final(&st, full, sizeof(full));
		h = full[0];
		sodium_memzero(full, sizeof(full));
	}
	return 1 + h % 255;
}

int hacrypt_derive(struct hacrypt_keys *k, const char *auth_pw,
		   const char *enc_pw, unsigned int cluster_id)
{
	int err;

	memset(k, 0, sizeof(*k));
	if (sodium_init() < 0)
		return -EIO;
	if (auth_pw && *auth_pw) {
		err = derive_key(k->auth_key, auth_pw, "auth", cluster_id);
		if (err)
			goto out;
		k->flags |= PROTO_F_AUTH;
	}
	if (enc_pw && *enc_pw) {
		err = derive_key(k->enc_key, enc_pw, "encrypt", cluster_id);
		if (err)
			goto out;
		k->flags |= PROTO_F_ENC;
	}
	k->id = key_id(k);
	return 0;
out:
	hacrypt_keys_clear(k);
	return err;
}

void hacrypt_keys_clear(struct hacrypt_keys *k)
{
	sodium_memzero(k, sizeof(*k));
}

int hacrypt_init(struct hacrypt *c, const char *auth_pw, const char *enc_pw,
		 unsigned int cluster_id)
{
	memset(c, 0, sizeof(*c));
	return hacrypt_derive(&c->cur, auth_pw, enc_pw, cluster_id);
}

void hacrypt_clear(struct hacrypt *c)
{
	sodium_memzero(c, sizeof(*c));
}

/* ------------------------------------------------------- changing keys */

static bool keys_equal(const struct hacrypt_keys *a,
		       const struct hacrypt_keys *b)
{
	return !sodium_memcmp(a, b, sizeof(*a));
}

bool hacrypt_rekey(struct hacrypt *c, const struct hacrypt_keys *next)
{
	if (keys_equal(&c->cur, next))
		return false;
	/*
	 * Keep what the peer is known to accept: the current set once it
	 * said so, else the previous one of a change still under way.
	 */
	if (!c->changing || c->peer_has_cur)
		c->prev = c->cur;
	c->cur = *next;
	c->changing = !keys_equal(&c->prev, &c->cur);
	c->peer_has_cur = !c->changing;
	return true;
}

void hacrypt_peer_said(struct hacrypt *c, const struct hacrypt_rx *rx)
{
	if (!c->changing)
		return;
	if (!rx->prev || rx->accepts == c->cur.id)
		c->peer_has_cur = true;
	if (!rx->prev && c->peer_has_cur) {
		/* Both seal with the current set: the change is over. */
		hacrypt_keys_clear(&c->prev);
		c->changing = false;
	}
}

const struct hacrypt_keys *hacrypt_sending(const struct hacrypt *c)
{
	return c->changing && !c->peer_has_cur ? &c->prev : &c->cur;
}

static size_t keys_overhead(const struct hacrypt_keys *k)
{
	size_t n = 0;

	if (k->flags & PROTO_F_ENC)
		n += HACRYPT_NONCE_LEN + HACRYPT_TAG_LEN;
	if (k->flags & PROTO_F_AUTH)
		n += HACRYPT_MAC_LEN;
	return n;
}

size_t hacrypt_overhead(const struct hacrypt *c)
{
	size_t cur = keys_overhead(&c->cur);
	size_t prev = c->changing ? keys_overhead(&c->prev) : 0;

	return cur > prev ? cur : prev;
}

/* ------------------------------------------------------------- sealing */

/* Marks the header with what protects the frame and its final length. */
static void patch_header(const struct hacrypt *c, const struct hacrypt_keys *k,
			 uint8_t *frame, size_t total)
{
	frame[PROTO_OFF_FLAGS] = (frame[PROTO_OFF_FLAGS] & ~PROTO_F_SEC_MASK) |
				 k->flags;
	frame[PROTO_OFF_TOTAL_LEN] = total >> 8;
	frame[PROTO_OFF_TOTAL_LEN + 1] = total;
	frame[PROTO_OFF_KEY_ID] = k->id;
	frame[PROTO_OFF_KEY_ACCEPTS] = c->cur.id;
}

static void encrypt_body(const struct hacrypt_keys *k, uint8_t *frame,
			 size_t hdr_len, size_t body_len)
{
	uint8_t *nonce = frame + hdr_len;
	uint8_t *text = nonce + HACRYPT_NONCE_LEN;

	memmove(text, frame + hdr_len, body_len);
	randombytes_buf(nonce, HACRYPT_NONCE_LEN);
	/* In place: libsodium allows the ciphertext to overwrite the text. */
	crypto_aead_xchacha20poly1305_ietf_encrypt(text, NULL, text, body_len,
						   frame, hdr_len, NULL, nonce,
						   k->enc_key);
}

int hacrypt_seal(const struct hacrypt *c, uint8_t *frame, size_t hdr_len,
		 size_t body_len, size_t cap)
{
	const struct hacrypt_keys *k = hacrypt_sending(c);
	size_t total = hdr_len + body_len + keys_overhead(k);

	if (hdr_len < PROTO_HDR_LEN || total > cap || total > PROTO_MAX_FRAME)
		return -ENOSPC;
	patch_header(c, k, frame, total);
	if (k->flags & PROTO_F_ENC)
		encrypt_body(k, frame, hdr_len, body_len);
	if (k->flags & PROTO_F_AUTH)
		crypto_auth_hmacsha512256(frame + total - HACRYPT_MAC_LEN,
					  frame, total - HACRYPT_MAC_LEN,
					  k->auth_key);
	return (int)total;
}

/* ------------------------------------------------------------- opening */

static int decrypt_body(const struct hacrypt_keys *k, uint8_t *frame,
			size_t len, size_t hdr_len)
{
	uint8_t *nonce = frame + hdr_len;
	uint8_t *text = nonce + HACRYPT_NONCE_LEN;
	size_t clen = len - hdr_len - HACRYPT_NONCE_LEN;
	unsigned long long mlen;

	if (crypto_aead_xchacha20poly1305_ietf_decrypt(text, &mlen, NULL,
						       text, clen, frame,
						       hdr_len, nonce,
						       k->enc_key))
		return -EBADMSG;
	memmove(frame + hdr_len, text, mlen);
	return (int)mlen;
}

/*
 * Checks the MAC, which covers the ciphertext, before anything changes
 * the frame in place: a set that fails leaves it as it came, for the
 * next to try.
 */
static int open_with(const struct hacrypt_keys *k, uint8_t *frame,
		     size_t len, size_t hdr_len)
{
	if (len - hdr_len < keys_overhead(k))
		return -EBADMSG;
	if (k->flags & PROTO_F_AUTH) {
		len -= HACRYPT_MAC_LEN;
		if (crypto_auth_hmacsha512256_verify(frame + len, frame, len,
						     k->auth_key))
			return -EBADMSG;
	}
	if (k->flags & PROTO_F_ENC)
		return decrypt_body(k, frame, len, hdr_len);
	return (int)(len - hdr_len);
}

/*
 * open_with() that leaves the frame as it came when it fails, for the
 * next set to try: decryption in place would not. Only for two sets
 * whose ids collide (one change in 255), so the copy is rare.
 */
static int open_keep(const struct hacrypt_keys *k, uint8_t *frame,
		     size_t len, size_t hdr_len)
{
	uint8_t *copy = malloc(len);
	int n;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, frame, len);
	n = open_with(k, frame, len, hdr_len);
	if (n < 0)
		memcpy(frame, copy, len);
	free(copy);
	return n;
}

int hacrypt_open(const struct hacrypt *c, uint8_t *frame, size_t len,
		 size_t hdr_len, struct hacrypt_rx *rx)
{
	const struct hacrypt_keys *sets[2] = {
		&c->cur, c->changing ? &c->prev : NULL,
	};
	uint8_t flags, id;
	int err = -EPROTO;

	if (len < PROTO_HDR_LEN || hdr_len < PROTO_HDR_LEN || hdr_len > len ||
	    len > PROTO_MAX_FRAME)
		return -EBADMSG;
	flags = frame[PROTO_OFF_FLAGS] & PROTO_F_SEC_MASK;
	id = frame[PROTO_OFF_KEY_ID];
	if (!id)		/* a sender that names no set: the current */
		sets[1] = NULL;
	for (int i = 0; i < 2; i++) {
		const struct hacrypt_keys *k = sets[i];
		bool more = i == 0 && sets[1] && sets[1]->flags == flags &&
			    sets[1]->id == id;
		int n;

		if (!k || k->flags != flags)
			continue;
		if (id && id != k->id) {
			err = -ENOKEY;
			continue;
		}
		n = more && (k->flags & PROTO_F_ENC) ?
			    open_keep(k, frame, len, hdr_len) :
			    open_with(k, frame, len, hdr_len);
		if (n >= 0) {
			rx->prev = i == 1;
			rx->accepts = frame[PROTO_OFF_KEY_ACCEPTS];
			return n;
		}
		err = n;
	}
	return err;
}
