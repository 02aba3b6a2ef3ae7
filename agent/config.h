/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config.h - the nsrpd configuration, ScreenOS style.
 *
 * One command per line ("set ..." or "unset ..."), '#' starts a comment,
 * keywords may be abbreviated to any unique prefix. Values that contain
 * blanks are written in double quotes. The parser is a keyword table
 * (config.c); adding a command means adding a row.
 *
 * Everything lives in fixed-size arrays, so a configuration is a plain
 * value: it can be copied, compared and swapped whole on reload.
 */
#ifndef NSRPD_CONFIG_H
#define NSRPD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <net/if.h>

#include "nsrpd.h"
#include "cmd.h"
#include "election.h"

#define CFG_NAME_LEN		64	/* hostname, cluster name */
#define CFG_PATH_LEN		256	/* notify script */
#define CFG_SECRET_LEN		128	/* auth / encrypt passwords */
#define CFG_LINE_LEN		1024	/* longest line accepted */
#define CFG_MAX_MANAGE		(2 * NSRPD_MAX_IFACES) /* one v4 + one v6 */
#define CFG_ZONE_LEN		32	/* a zone's name */
#define CFG_MAX_ZONE_IFS	NSRPD_MAX_IFACES /* zone memberships */
#define CFG_MAX_ZONE_MON	16	/* monitored zones */
#define CFG_MAX_TRACK		16	/* track-ip targets */
#define CFG_MAX_SYNCFILES	8	/* files config sync keeps alike */
#define CFG_MAX_ADMIN_GROUPS	8	/* groups given the control socket */
#define CFG_GROUP_LEN		32	/* a group's name */

/* Defaults and ranges (ScreenOS's where it has one). */
#define CFG_CLUSTER_ID_MAX	7
#define CFG_ARP_DEFAULT		4
#define CFG_PRIORITY_DEFAULT	100
#define CFG_HOLDDOWN_DEFAULT	3	/* s */
#define CFG_HB_INTERVAL_DEFAULT	1000	/* ms */
#define CFG_HB_INTERVAL_MIN	10	/* ms */
#define CFG_HB_INTERVAL_MAX	10000	/* ms */
#define CFG_HB_THRESHOLD_DEFAULT 3
#define CFG_INIT_HOLD_DEFAULT	5	/* s */
#define CFG_MONITOR_WEIGHT_DEFAULT 255
#define CFG_MONITOR_THRESHOLD_DEFAULT 255
#define CFG_MONITOR_HOLDDOWN_DEFAULT 3	/* s: a recovered monitor waits */
#define CFG_TRACK_INTERVAL_DEFAULT 1	/* s between probes of a target */
#define CFG_TRACK_THRESHOLD_DEFAULT 3	/* probes missed (answered) in a row */
#define CFG_TRACK_WEIGHT_DEFAULT 255
#define CFG_TRACKIP_THRESHOLD_DEFAULT 255
#define CFG_TRACKIP_WEIGHT_DEFAULT 255
#define CFG_COLDSTART_WAIT_DEFAULT 30	/* s: preempt waits for the bulk sync */
#define CFG_FAILOVER_WINDOW_DEFAULT 600	/* s: failover-limit's window */
/*
 * s: the routes of a master that stepped down or was lost stay on the
 * unit that took over, while its routing daemon peers and converges; a
 * BGP peer may keep the dead unit's session up to its hold time (180 s
 * by default) before it accepts the new master's.
 */
#define CFG_ROUTE_HOLD_DEFAULT	300
#define CFG_CONTROL_DEADLINE_MAX 60000	/* ms: fits the heartbeat's 16 bits */
#define CFG_HANDOVER_MIN_MS	500	/* a hand-over's least patience */

/* "set nsrp standalone-role": run the data plane without an election. */
enum cfg_role {
	CFG_ROLE_ELECT = 0,	/* default: elect */
	CFG_ROLE_MASTER,
	CFG_ROLE_BACKUP,
};

/* An address with its prefix length; addr holds 4 or 16 bytes. */
struct cfg_addr {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t prefixlen;	/* 0: none given (manage-ip only) */
	uint8_t addr[16];	/* network order, IPv4 in the first 4 */
};

/* set interface IF:N ip|ipv6 A/len: a VSI address of group N on NIC IF. */
struct cfg_vsi_addr {
	char ifname[IFNAMSIZ];
	uint32_t vsd;
	struct cfg_addr a;
};

/* set interface IF manage-ip A[/len]: this unit's own address on IF. */
struct cfg_manage {
	char ifname[IFNAMSIZ];
	struct cfg_addr a;
};

/* set zone NAME interface IF: a named set of NICs, as ScreenOS's zones. */
struct cfg_zone_if {
	char zone[CFG_ZONE_LEN];
	char ifname[IFNAMSIZ];
};

/* set nsrp monitor zone NAME [weight W]: failed when all its NICs are. */
struct cfg_zone_mon {
	char zone[CFG_ZONE_LEN];
	uint32_t weight;
};

/* How a track-ip target is probed. */
enum cfg_track_method {
	CFG_TRACK_PING = 0,	/* ICMP / ICMPv6 echo */
	CFG_TRACK_ARP,		/* ARP / IPv6 neighbour solicitation */
};

/*
 * set nsrp track-ip ip A [interval S] [threshold N] [weight W]
 *     [method ping|arp] [interface IF]
 */
struct cfg_track {
	struct cfg_addr a;
	uint32_t interval_s;
	uint32_t threshold;	/* missed in a row: failed; answered: back */
	uint32_t weight;
	uint8_t method;		/* enum cfg_track_method */
	char ifname[IFNAMSIZ];	/* "": the NIC whose manage-ip reaches it */
};

/*
 * set nsrp config sync file PATH [check "CMD"] [reload "CMD"]: a file
 * kept alike on both units; %s in CMD is the file to check or load.
 */
struct cfg_syncfile {
	char path[CFG_PATH_LEN];
	char check[CFG_PATH_LEN];
	char reload[CFG_PATH_LEN];
};

/* What the members of a group may do on the control socket. */
enum cfg_privilege {
	CFG_PRIV_READ_ONLY = 1,	/* the get commands */
	CFG_PRIV_ALL,		/* every command: set, unset, save, exec too */
};

/* set admin group NAME [privilege all|read-only] */
struct cfg_admin_group {
	char name[CFG_GROUP_LEN];	/* a group name, or a number (gid) */
	uint8_t privilege;		/* enum cfg_privilege */
};

/*
 * set nsrp metrics listen ADDR:PORT: the OpenMetrics page's address;
 * port 0: off.
 */
struct cfg_metrics {
	struct cfg_addr a;		/* prefixlen unused */
	uint16_t port;
};

/* set nsrp monitor interface IF [weight W] */
struct cfg_monitor {
	char ifname[IFNAMSIZ];
	uint32_t weight;
};

/* set nsrp vsd-group id N ... */
struct cfg_vsd {
	bool defined;		/* group 0 always is */
	bool preempt;
	uint32_t priority;	/* 1-254, lower wins */
	uint32_t holddown_s;	/* preempt hold-down */
};

/*
 * Which line set what, for messages naming the line. Not part of the
 * configuration's value: it is kept last so config_equal() can skip it.
 */
struct cfg_origin {
	unsigned int ha_if;
	unsigned int secondary_if;
	unsigned int vsd[NSRPD_MAX_VSD];
	unsigned int vsi[NSRPD_MAX_VSI_ADDRS];
	unsigned int manage[CFG_MAX_MANAGE];
	unsigned int monitor[NSRPD_MAX_IFACES];
	unsigned int zone_if[CFG_MAX_ZONE_IFS];
	unsigned int zone_mon[CFG_MAX_ZONE_MON];
	unsigned int track[CFG_MAX_TRACK];
	unsigned int syncfile[CFG_MAX_SYNCFILES];
	unsigned int admin_group[CFG_MAX_ADMIN_GROUPS];
	unsigned int control_deadline;
	unsigned int witness;
	unsigned int rto_mirror_route;
};

/*
 * "set flow ...": the session table's size and the data plane's timeouts,
 * in seconds; 0 is the built-in default. Both are fixed when the data
 * plane loads, so a change needs a restart.
 */
struct cfg_flow {
	uint32_t max_sessions;
	uint32_t tcp_syn_s, tcp_s, tcp_fin_s, tcp_time_wait_s, udp_s, icmp_s;
};

struct nsrp_config {
	char hostname[CFG_NAME_LEN];		/* "": the system's */
	uint32_t cluster_id;			/* 0-7 */
	char cluster_name[CFG_NAME_LEN];
	char ha_if[IFNAMSIZ];			/* "": none */
	char secondary_if[IFNAMSIZ];		/* "": none */
	uint32_t arp_count;			/* gratuitous ARPs on takeover */
	/*
	 * "set nsrp notify PATH": run, without waiting, on each transition
	 * of a group as "PATH GROUP OLD NEW REASON" (states as "get nsrp"
	 * names them: initial, master, backup, ineligible, inoperable), with
	 * the daemon's environment and output, no signal blocked. A hook
	 * that cannot start or exits non-zero is logged and counted (get
	 * counters) and changes nothing else.
	 */
	char notify[CFG_PATH_LEN];		/* "": none */
	enum cfg_role standalone_role;

	/* VSD groups: "set nsrp vsd-group ..." */
	uint32_t hb_interval_ms;
	uint32_t hb_threshold;			/* missed heartbeats: peer lost */
	uint32_t init_hold_s;
	bool master_always_exist;
	uint32_t failover_interval_s;		/* flap damping of preempt */
	uint32_t failover_limit;
	uint32_t failover_window_s;
	/*
	 * How long the agent may be silent while its data plane answers the
	 * peer's probes (the data plane's own deadline is hb-interval x
	 * hb-threshold); 0: no longer than that.
	 */
	uint32_t control_deadline_ms;
	struct cfg_vsd vsd[NSRPD_MAX_VSD];	/* indexed by group id */

	unsigned int n_vsi;
	struct cfg_vsi_addr vsi[NSRPD_MAX_VSI_ADDRS];
	unsigned int n_manage;
	struct cfg_manage manage[CFG_MAX_MANAGE];

	/*
	 * Monitoring: the weights of what failed are summed against the
	 * threshold; at or above it the unit is inoperable (monitor.h).
	 */
	unsigned int n_monitor;
	struct cfg_monitor monitor[NSRPD_MAX_IFACES];
	unsigned int n_zone_if;
	struct cfg_zone_if zone_if[CFG_MAX_ZONE_IFS];
	unsigned int n_zone_mon;
	struct cfg_zone_mon zone_mon[CFG_MAX_ZONE_MON];
	uint32_t monitor_threshold;
	uint32_t monitor_holddown_s;
	bool track_ip;				/* set nsrp track-ip */
	uint32_t track_ip_threshold;		/* of the targets' weights */
	uint32_t track_ip_weight;		/* in the device's sum */
	unsigned int n_track;
	struct cfg_track track[CFG_MAX_TRACK];
	/*
	 * set nsrp witness A [interval S] [threshold N] [method ping|arp]
	 * [interface IF]: probed as a track-ip target is; settles a split
	 * brain (election.h). Its weight is not used.
	 */
	bool has_witness;
	struct cfg_track witness;

	char auth_password[CFG_SECRET_LEN];
	char encrypt_password[CFG_SECRET_LEN];
	bool rto_mirror_sync;
	bool rto_mirror_route;			/* route sync (routesync.h) */
	uint32_t rto_route_hold_s;		/* its hold-time */
	bool rto_ageout_ack;
	uint32_t rto_coldstart_wait_s;
	uint32_t realtime_priority;	/* SCHED_FIFO priority, 0: not real time */
	struct cfg_flow flow;
	bool config_sync;			/* set nsrp config sync */
	unsigned int n_syncfile;
	struct cfg_syncfile syncfile[CFG_MAX_SYNCFILES];
	unsigned int n_admin_group;
	struct cfg_admin_group admin_group[CFG_MAX_ADMIN_GROUPS];
	struct cfg_metrics metrics;		/* set nsrp metrics listen */

	struct cfg_origin origin;		/* keep last */
};

void config_init(struct nsrp_config *c);

/*
 * Applies one line ("set ...", "unset ...", a comment or blank). Returns 0,
 * or -EINVAL with a message in err and *c left as it was.
 */
int config_apply_line(struct nsrp_config *c, const char *line,
		      char *err, size_t errlen);

/*
 * Cross-line checks on a whole configuration (groups of VSIs defined, HA
 * link not a data NIC, no address twice...). Prints "NAME:LINE: problem"
 * to errs for each. Returns 0 or -EINVAL.
 */
int config_validate(const struct nsrp_config *c, const char *name, FILE *errs);

/*
 * What nsrpd needs of a configuration to start at all, beyond what
 * config_validate() checks of its lines: something to run on (an HA
 * interface or a VSI). Prints "NAME: problem" to errs (may be NULL).
 * Returns 0 or -EINVAL. nsrpd's start and --check-config both ask it.
 */
int config_runnable(const struct nsrp_config *c, const char *name,
		    FILE *errs);

/*
 * Parses and validates FILE into a fresh configuration. Prints
 * "FILE:LINE: problem" to errs for every bad line (errs may be NULL).
 * Returns 0 and fills *out, or -EINVAL (or -errno when the file cannot be
 * read) and leaves *out untouched, so a reload can check before it swaps.
 */
int config_load(const char *path, struct nsrp_config *out, FILE *errs);

/*
 * Calls fn with every keyword path the parser takes, as "set nsrp monitor
 * interface weight" (the values left out), for whatever documents them.
 */
void config_keywords(void (*fn)(void *arg, const char *path), void *arg);

/*
 * The same paths, walked over the same keyword rows as the parser and
 * config_next(), with what the manual and bash completion need: where the user gives a value before more keywords (syntax
 * holds CFG_KW_VALUE there: "set nsrp vsd-group id <value> priority"),
 * and whether the line is the unit's own (local) or the pair's.
 */
#define CFG_KW_VALUE	"<value>"

struct cfg_keyword {
	const char *path;
	const char *syntax;
	bool local;
	/*
	 * An option of the line before its last word, which takes a value
	 * and may come in any order with the others ("track-ip ip A
	 * interval S threshold N").
	 */
	bool option;
};

void config_keyword_table(void (*fn)(void *arg, const struct cfg_keyword *k),
			  void *arg);

/*
 * What may follow the words of a set or unset line (each word complete),
 * for "?" and completion: the keywords there, with their help, the value
 * expected, the line's end. The words are matched as the parser matches
 * them: returns 0, or -EINVAL with msg saying which word is ambiguous,
 * unknown or a bad value.
 */
int config_next(const char *line, cmd_next_fn fn, void *arg, char *msg,
		size_t msglen);

/*
 * Config sync's view of a configuration (cfgsync.h): every line is the
 * pair's (replicated: the VSIs, the groups' shared settings, monitors,
 * timeouts...) or the unit's own (local: its priority and preempt,
 * hostname, manage-ip, HA interfaces, passwords...), as the keyword
 * table marks it.
 */
enum cfg_part {
	CFG_PART_ALL,
	CFG_PART_REPLICATED,
	CFG_PART_LOCAL,
	CFG_PART_SHAREABLE,	/* all but the secrets: what the peer may see */
};

/* Whether a set or unset line belongs to this unit alone. */
bool config_line_local(const char *line);
/*
 * The lines of part of c, canonical: every keyword whole, values as
 * config_write() writes them, sorted, one per line, no comment. Two
 * configurations that mean the same give the same text, whatever the
 * order, abbreviations and comments of their files. Returns 0 with a
 * malloc()ed, NUL-terminated text in *text, or -ENOMEM.
 */
int config_canonical(const struct nsrp_config *c, enum cfg_part part,
		     char **text);
/* Every line of text into out (fresh), unchecked: 0 or -EINVAL. */
int config_parse_text(const char *text, struct nsrp_config *out, char *err,
		      size_t errlen);
/*
 * This unit's configuration with another replicated part: local's own
 * lines, then the replicated lines of text (its local lines are left
 * out), parsed and checked as a file is. Returns 0 with the result in
 * *out, or -EINVAL with the first problem in err.
 */
int config_merge(const struct nsrp_config *local, const char *text,
		 struct nsrp_config *out, char *err, size_t errlen);

/* Writes the "set" lines that rebuild c. Returns 0 or -EIO. */
int config_write(const struct nsrp_config *c, FILE *f);

/* Same configuration, whatever lines it came from. */
bool config_equal(const struct nsrp_config *a, const struct nsrp_config *b);

/*
 * What nsrpd applies only at start-up: the cluster id, the HA link and
 * secondary path, the VSIs, the standalone role and the HA link secrets.
 * Returns NULL when next may replace running without a restart, else
 * the first of those it changes, in words ("the HA link").
 */
const char *config_restart_needed(const struct nsrp_config *running,
				  const struct nsrp_config *next);

/*
 * A change at run time ("nsrpctl set ..."): applies one set or unset line
 * to a copy of running, then checks the copy as a reload checks a file
 * (config_validate(), then config_restart_needed()). Returns 0 with the
 * new configuration in *next, or -EINVAL with the problem in err and
 * *next untouched. next may be running itself. Does no I/O.
 */
int config_apply_runtime(const struct nsrp_config *running, const char *line,
			 struct nsrp_config *next, char *err, size_t errlen);

/*
 * The text a save writes over old, the file's text (NULL or blank: none):
 * the operator's file with c in it. Comments, blank lines, the order
 * and spelling of every line still true of c stay as they are; a line
 * that says otherwise is replaced where it stands by c's lines of the
 * same setting (its trailing comment kept), or dropped when c has none
 * (the setting is back to its default, the entry gone), as is a line
 * that no longer parses; what c has that no line says is appended.
 * Without an old file, a heading and config_write()'s lines. Returns 0
 * with a malloc()ed text in *text, or -ENOMEM.
 */
int config_save_text(const struct nsrp_config *c, const char *old,
		     char **text);

/*
 * Writes c to path (config_save_text() over what path holds) atomically:
 * a temporary file in the same directory, read back and compared,
 * flushed to disk; the file it replaces kept whole as PATH.bak (written
 * aside and renamed, too); then renamed over path (a symbolic link is
 * followed, the file's mode and owner kept). Returns 0 or -errno with the
 * problem in err; path is unchanged on failure.
 */
int config_save(const struct nsrp_config *c, const char *path,
		char *err, size_t errlen);

/* The election settings of group id. */
void config_vsd_params(const struct nsrp_config *c, unsigned int id,
		       struct vsd_params *p);
/*
 * How long this unit's agent may be silent while its data plane answers:
 * control-deadline, at least the data plane's hb-interval x hb-threshold.
 */
uint32_t config_control_deadline_ms(const struct nsrp_config *c);

/*
 * The prefix length of a manage-ip: its own, else that of a VSI of the
 * same family on its NIC (the subnet it shares), else a host's.
 */
unsigned int config_manage_prefix(const struct nsrp_config *c,
				  const struct cfg_manage *m);
/*
 * The manage-ip a track-ip target is probed from: on the target's
 * interface when it names one, one whose subnet holds the target (method
 * arp: the only kind), NULL when there is none.
 */
const struct cfg_manage *config_track_source(const struct nsrp_config *c,
					     const struct cfg_track *t);

/* "set hostname", or the system's when it is not set. */
const char *config_hostname(const struct nsrp_config *c);

/* "ADDR:PORT", "[ADDR6]:PORT" of the metrics page, or "" when off. */
const char *config_metrics_str(const struct nsrp_config *c, char *buf,
			       size_t len);

/* The NIC carries a VSI of some group. */
bool config_is_data_if(const struct nsrp_config *c, const char *ifname);

#endif
