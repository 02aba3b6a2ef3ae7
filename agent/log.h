/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * log.h - the one logger, and where its lines go:
 *
 *   the journal  when stderr is the journal's stream (systemd says so in
 *                JOURNAL_STREAM): each line with its priority, and the
 *                fields the caller names (log_fields()) as fields of
 *                their own, for journalctl to select on;
 *   syslog       with -s (nsrpd --syslog);
 *   stderr       otherwise: the foreground, a line a message with the
 *                time and the level.
 *
 * libbpf's and libxdp's messages go through it too, their warnings as
 * warnings and their chatter at debug level.
 */
#ifndef NSRPD_LOG_H
#define NSRPD_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Log levels, in syslog's numbering so that they map one to one. */
enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARN = 4,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

enum log_sink {
	LOG_TO_STDERR,
	LOG_TO_SYSLOG,
	LOG_TO_JOURNAL,
};

void log_init(const char *ident, int use_syslog, enum log_level max);
void log_set_level(enum log_level max);
/* Where the lines go, as log_init() chose. */
enum log_sink log_where(void);

void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A line with fields of its own: in the journal each is a field
 * NAME=value (names in upper case, as the journal wants them: "NSRP_GROUP"),
 * elsewhere only the message is written, which must say it all.
 */
struct log_field {
	const char *name;
	const char *value;
};

#define LOG_MAX_FIELDS	8

void log_fields(enum log_level lvl, const struct log_field *f, unsigned int n,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Route libbpf's and libxdp's messages through the same logger. */
void log_hook_libbpf(void);

/*
 * A probe the libraries recover from (libxdp trying its dispatcher, then
 * attaching alone) makes them print failures that are not the caller's:
 * between log_lib_hold() and log_lib_release(), their messages are kept
 * back. Released with failed set, the operation failed after all, and
 * they are logged as they came; otherwise at debug level only.
 */
void log_lib_hold(void);
void log_lib_release(bool failed);
/*
 * While held: the latest message that contains text, copied into buf
 * without the library's prefix. 0, or -ENOENT when there is none.
 */
int log_lib_held(const char *text, char *buf, size_t len);

#define pr_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
