// SPDX-License-Identifier: GPL-2.0-only
/*
 * log.c - the one logger: stderr or syslog, and libbpf's messages too.
 */
#include <stdio.h>
#include <syslog.h>
#include <time.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "log.h"

static int log_syslog;
static enum log_level log_max = LOG_LVL_INFO;

void log_init(const char *ident, int use_syslog, enum log_level max)
{
	log_syslog = use_syslog;
	log_max = max;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(enum log_level max)
{
	log_max = max;
}

static void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *const tag[] = {
		[LOG_LVL_ERR] = "error", [LOG_LVL_WARN] = "warning",
		[LOG_LVL_INFO] = "info", [LOG_LVL_DEBUG] = "debug",
	};
	struct timespec ts;

	if (lvl > log_max)
		return;
	if (log_syslog) {
		vsyslog(lvl, fmt, ap);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "%lld.%03ld %s: ", (long long)ts.tv_sec,
		ts.tv_nsec / 1000000, tag[lvl]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

/* libbpf and libxdp end their messages with a newline; the logger adds one. */
static void log_lib_line(enum log_level lvl, const char *fmt, va_list ap)
{
	char buf[512];
	int n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	log_msg(lvl, "%s", buf);
}

static int log_libbpf_cb(enum libbpf_print_level level, const char *fmt,
			 va_list ap)
{
	log_lib_line(level == LIBBPF_WARN ? LOG_LVL_WARN :
		     level == LIBBPF_INFO ? LOG_LVL_INFO : LOG_LVL_DEBUG,
		     fmt, ap);
	return 0;
}

static int log_libxdp_cb(enum libxdp_print_level level, const char *fmt,
			 va_list ap)
{
	log_lib_line(level == LIBXDP_WARN ? LOG_LVL_WARN :
		     level == LIBXDP_INFO ? LOG_LVL_INFO : LOG_LVL_DEBUG,
		     fmt, ap);
	return 0;
}

void log_hook_libbpf(void)
{
	libbpf_set_print(log_libbpf_cb);
	libxdp_set_print(log_libxdp_cb);
}
