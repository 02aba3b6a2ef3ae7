/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * jsonout.h - the JSON answers of the control socket ("-j"), built with
 * jansson: every name and number is encoded by the library, so a
 * hostname, an interface or a peer's version string with quotes,
 * backslashes or control characters comes out as valid JSON.
 *
 * Every top-level object carries "schema_version": JSONOUT_SCHEMA; what
 * each field means, per version, is in docs/JSON.md.
 */
#ifndef NSRPD_JSONOUT_H
#define NSRPD_JSONOUT_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "ctl.h"

#define JSONOUT_SCHEMA	1

/*
 * A JSON string of s, whatever its bytes: a byte that is not part of
 * valid UTF-8 becomes '?' (JSON text is UTF-8; jansson refuses the rest).
 * NULL is taken as "". Never NULL but when out of memory.
 */
json_t *jsonout_str(const char *s);
/* A count or an id: JSON integers are signed 64-bit in jansson. */
json_t *jsonout_uint(uint64_t v);

/* o[key] = v, v's reference taken over (a NULL v is dropped). */
void jsonout_set(json_t *o, const char *key, json_t *v);
void jsonout_set_str(json_t *o, const char *key, const char *s);
void jsonout_set_uint(json_t *o, const char *key, uint64_t v);
void jsonout_set_bool(json_t *o, const char *key, bool b);

/* A top-level object, "schema_version" first. */
json_t *jsonout_object(void);

/*
 * v as compact JSON into out, followed by a newline when nl. Takes v's
 * reference over. Returns 0, -ENOMEM, or -ENOSPC (out full).
 */
int jsonout_write(struct ctl_out *out, json_t *v, bool nl);

#endif
