// SPDX-License-Identifier: GPL-2.0-only
/*
 * The JSON answers ("-j") are JSON whatever the names hold: a hostname
 * with a backslash, an interface with a quote, a peer's version string
 * and a transition's reason with control characters and bytes that are
 * not UTF-8 all come back, parsed, as what went in (or '?' for what no
 * JSON text can hold).
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <CUnit/CUnit.h>

#include "jsonout.h"
#include "status.h"
#include "../harness.h"

struct fake {
	struct nsrp_config cfg;
	struct cluster cl;
	struct sync sy;
	struct hasess ha;
	struct sweep sw;
	struct cthandoff cth;
	struct notify nt;
	struct ctl_stats ctl;
	struct health health;
	struct cfgsync cs;
	struct loop_stats loop;
	struct status_src src;
};

/* Names no printf-built JSON would survive. */
#define HOST		"fw\\1 \"a\""
#define CLUSTER		"lab\\\"\t\x01end"
#define IFNAME		"we\"ir\\d"
#define PEER_VERSION	"0.1\x02\x1f\"\\"
#define REASON		"preempt\n\"x\"\\\x7f"

static struct fake *fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	config_init(&f->cfg);
	/* Straight into the configuration: the parser would refuse some. */
	snprintf(f->cfg.hostname, sizeof(f->cfg.hostname), "%s", HOST);
	snprintf(f->cfg.cluster_name, sizeof(f->cfg.cluster_name), "%s",
		 CLUSTER);
	f->cl.cfg = &f->cfg;
	f->cl.unit_id = 42;
	f->cl.group[0].active = true;
	f->cl.group[0].vsd.state = VSD_MASTER;
	f->cl.hist_n = 1;
	f->cl.hist[0].t.from = VSD_BACKUP;
	f->cl.hist[0].t.to = VSD_MASTER;
	snprintf(f->cl.hist[0].t.reason, sizeof(f->cl.hist[0].t.reason),
		 "%s", REASON);
	for (int i = 0; i < HA_NPATHS; i++)
		f->ha.path[i].fd = -1;
	snprintf(f->ha.path[0].ifname, sizeof(f->ha.path[0].ifname), "%s",
		 IFNAME);
	f->health.mon.n = 1;
	f->health.mon.item[0].kind = MON_INTERFACE;
	snprintf(f->health.mon.item[0].name,
		 sizeof(f->health.mon.item[0].name), "%s", IFNAME);
	f->health.mon.item[0].weight = 255;
	f->cs.cfg = &f->cfg;
	f->cs.peer_tells = true;
	snprintf(f->cs.peer.version, sizeof(f->cs.peer.version), "%s",
		 PEER_VERSION);
	f->src = (struct status_src){
		.cfg = &f->cfg, .cl = &f->cl, .sy = &f->sy, .ha = &f->ha,
		.sw = &f->sw, .cth = &f->cth, .nt = &f->nt, .ctl = &f->ctl,
		.health = &f->health, .cs = &f->cs, .loop = &f->loop,
	};
	return f;
}

/* The answer, parsed: NULL (and the reason printed) when it is no JSON. */
static json_t *parse(struct ctl_out *o)
{
	json_error_t e;
	json_t *j = json_loadb(o->buf, o->len, 0, &e);

	if (!j)
		fprintf(stderr, "\n  not JSON: %s at %d: %.*s", e.text,
			e.position, (int)o->len, o->buf);
	return j;
}

static void test_nsrp_names_escaped(void)
{
	struct fake *f = fake_new();
	struct ctl_out o = { 0 };
	json_t *j;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(status_nsrp(&f->src, true, &o), 0);
	j = parse(&o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j,
				"schema_version")), JSONOUT_SCHEMA);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j,
				"hostname")), HOST);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j,
				"cluster_name")), CLUSTER);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
		json_array_get(json_object_get(j, "links"), 0), "ifname")),
		IFNAME);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
		json_array_get(json_object_get(json_object_get(j,
		"monitoring"), "items"), 0), "name")), IFNAME);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
		json_object_get(j, "config_sync"), "peer_version")),
		PEER_VERSION);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
		json_array_get(json_object_get(j, "groups"), 0), "state")),
		"master");
	json_decref(j);
	free(o.buf);
	free(f);
}

static void test_history_reason_escaped(void)
{
	struct fake *f = fake_new();
	struct ctl_out o = { 0 };
	json_t *j;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(status_history(&f->src, true, &o), 0);
	j = parse(&o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_TRUE(json_is_array(j));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
		json_array_get(j, 0), "reason")), REASON);
	json_decref(j);
	free(o.buf);
	free(f);
}

/* What is not UTF-8 cannot be JSON text: '?' stands in for each byte. */
static void test_not_utf8(void)
{
	struct fake *f = fake_new();
	struct ctl_out o = { 0 };
	json_t *j;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	snprintf(f->cs.peer.version, sizeof(f->cs.peer.version),
		 "a\xff\xc3(b\xc3\xa9");
	CU_ASSERT_EQUAL(status_nsrp(&f->src, true, &o), 0);
	j = parse(&o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
		json_object_get(j, "config_sync"), "peer_version")),
		"a?" "?(b\xc3\xa9");
	json_decref(j);
	free(o.buf);
	free(f);
}

/* get config -j: the lines, each a string. */
static void test_config_lines(void)
{
	struct fake *f = fake_new();
	struct ctl_out o = { 0 };
	json_t *j, *lines;
	char err[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	config_init(&f->cfg);
	CU_ASSERT_EQUAL(config_apply_line(&f->cfg,
					  "set nsrp cluster name \"a b\"",
					  err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(status_config(&f->src, true, &o), 0);
	j = parse(&o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	lines = json_object_get(j, "lines");
	CU_ASSERT_TRUE(json_is_array(lines));
	CU_ASSERT_TRUE(json_array_size(lines) >= 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(lines, 1)),
			       "set nsrp cluster name \"a b\"");
	json_decref(j);
	free(o.buf);
	free(f);
}

TEST_SUITE(status_json, NULL, NULL,
	   TEST(test_nsrp_names_escaped),
	   TEST(test_history_reason_escaped),
	   TEST(test_not_utf8),
	   TEST(test_config_lines))
