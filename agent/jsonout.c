// SPDX-License-Identifier: GPL-2.0-only
/*
 * jsonout.c - JSON answers through jansson (see jsonout.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"

/* Length of the valid UTF-8 sequence at s, 0 when there is none. */
static size_t utf8_seq(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

json_t *jsonout_str(const char *s)
{
	json_t *j;
	char *copy;
	size_t len;

	if (!s)
		s = "";
	j = json_string(s);
	if (j)
		return j;
	/* Not UTF-8: keep what is, mark what is not. */
	len = strlen(s);
	copy = malloc(len + 1);
	if (!copy)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq((const unsigned char *)s + i);

		if (!n) {
			copy[i++] = '?';
			continue;
		}
		memcpy(copy + i, s + i, n);
		i += n;
	}
	copy[len] = '\0';
	j = json_string(copy);
	free(copy);
	return j;
}

json_t *jsonout_uint(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

void jsonout_set(json_t *o, const char *key, json_t *v)
{
	if (v)
		json_object_set_new(o, key, v);
}

void jsonout_set_str(json_t *o, const char *key, const char *s)
{
	jsonout_set(o, key, jsonout_str(s));
}

void jsonout_set_uint(json_t *o, const char *key, uint64_t v)
{
	jsonout_set(o, key, jsonout_uint(v));
}

void jsonout_set_bool(json_t *o, const char *key, bool b)
{
	jsonout_set(o, key, json_boolean(b));
}

json_t *jsonout_object(void)
{
	json_t *o = json_object();

	if (o)
		jsonout_set_uint(o, "schema_version", JSONOUT_SCHEMA);
	return o;
}

int jsonout_write(struct ctl_out *out, json_t *v, bool nl)
{
	char *text;
	int err;

	if (!v)
		return -ENOMEM;
	/* Keys in the order they were set: the schema's order. */
	text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER |
			     JSON_ENCODE_ANY);
	json_decref(v);
	if (!text)
		return -ENOMEM;
	err = ctl_write(out, text, strlen(text));
	if (!err && nl)
		err = ctl_write(out, "\n", 1);
	free(text);
	return err;
}
