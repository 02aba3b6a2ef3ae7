/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NSRPD_LOG_H
#define NSRPD_LOG_H

#include <stdarg.h>

/* Log levels, in syslog's numbering so that they map one to one. */
enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARN = 4,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

void log_init(const char *ident, int use_syslog, enum log_level max);
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Route libbpf's and libxdp's messages through the same logger. */
void log_hook_libbpf(void);

#define pr_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
