// SPDX-License-Identifier: GPL-2.0-only
/*
 * log.c - the one logger: the journal, syslog or stderr (log.h), and
 * libbpf's and libxdp's messages too.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <bpf/libbpf.h>
#include <systemd/sd-journal.h>
#include <xdp/libxdp.h>

#include "log.h"

#define LOG_LINE_MAX	1024	/* a message, as the journal gets it */
#define LOG_HELD_MAX	32	/* library messages kept back at once */
#define LOG_HELD_LEN	256

struct log_held {
	enum log_level lvl;
	char text[LOG_HELD_LEN];
};

static enum log_sink log_to = LOG_TO_STDERR;
static enum log_level log_max = LOG_LVL_INFO;
static const char *log_ident = "nsrpd";
/* log_lib_hold() to log_lib_release(): the libraries' messages. */
static struct log_held *log_held;
static unsigned int log_n_held;

/*
 * systemd connects stderr to the journal and says so in JOURNAL_STREAM,
 * "DEVICE:INODE" of that stream: a child with its own stderr (a pipe, a
 * terminal) is not writing to the journal, even with the variable set.
 */
static bool log_stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%" SCNuMAX ":%" SCNuMAX, &dev, &ino) != 2)
		return false;
	return !fstat(2, &st) && st.st_dev == dev && st.st_ino == ino;
}

void log_init(const char *ident, int use_syslog, enum log_level max)
{
	log_ident = ident;
	log_max = max;
	if (use_syslog) {
		log_to = LOG_TO_SYSLOG;
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	} else if (log_stderr_is_journal()) {
		log_to = LOG_TO_JOURNAL;
	} else {
		log_to = LOG_TO_STDERR;
	}
}

void log_set_level(enum log_level max)
{
	log_max = max;
}

enum log_sink log_where(void)
{
	return log_to;
}

/* One entry: the message, its priority and identifier, the fields. */
static void log_journal(enum log_level lvl, const struct log_field *f,
			unsigned int n, const char *msg)
{
	struct iovec iov[3 + LOG_MAX_FIELDS];
	char prio[16], ident[64], *fields[LOG_MAX_FIELDS] = { 0 };
	char *text = NULL;
	unsigned int k = 0;

	if (asprintf(&text, "MESSAGE=%s", msg) < 0)
		return;
	snprintf(prio, sizeof(prio), "PRIORITY=%d", lvl);
	snprintf(ident, sizeof(ident), "SYSLOG_IDENTIFIER=%s", log_ident);
	iov[k++] = (struct iovec){ text, strlen(text) };
	iov[k++] = (struct iovec){ prio, strlen(prio) };
	iov[k++] = (struct iovec){ ident, strlen(ident) };
	for (unsigned int i = 0; i < n && i < LOG_MAX_FIELDS; i++) {
		if (!f[i].value ||
		    asprintf(&fields[i], "%s=%s", f[i].name, f[i].value) < 0) {
			fields[i] = NULL;
			continue;
		}
		iov[k++] = (struct iovec){ fields[i], strlen(fields[i]) };
	}
	/* Nowhere else to say it: a journal that is gone loses the line. */
	sd_journal_sendv(iov, k);
	for (unsigned int i = 0; i < LOG_MAX_FIELDS; i++)
		free(fields[i]);
	free(text);
}

static void log_stderr(enum log_level lvl, const char *msg)
{
	static const char *const tag[] = {
		[LOG_LVL_ERR] = "error", [LOG_LVL_WARN] = "warning",
		[LOG_LVL_INFO] = "info", [LOG_LVL_DEBUG] = "debug",
	};
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "%lld.%03ld %s: %s\n", (long long)ts.tv_sec,
		ts.tv_nsec / 1000000, tag[lvl], msg);
}

static void log_vfields(enum log_level lvl, const struct log_field *f,
			unsigned int n, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX];

	if (lvl > log_max)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	switch (log_to) {
	case LOG_TO_JOURNAL:
		log_journal(lvl, f, n, msg);
		break;
	case LOG_TO_SYSLOG:
		syslog(lvl, "%s", msg);
		break;
	default:
		log_stderr(lvl, msg);
	}
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vfields(lvl, NULL, 0, fmt, ap);
	va_end(ap);
}

void log_fields(enum log_level lvl, const struct log_field *f, unsigned int n,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vfields(lvl, f, n, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------- the libraries' lines */

void log_lib_hold(void)
{
	if (!log_held)
		log_held = calloc(LOG_HELD_MAX, sizeof(*log_held));
	log_n_held = 0;
}

void log_lib_release(bool failed)
{
	struct log_held *h = log_held;
	unsigned int n = log_n_held;

	log_held = NULL;
	log_n_held = 0;
	for (unsigned int i = 0; h && i < n; i++)
		log_msg(failed ? h[i].lvl : LOG_LVL_DEBUG, "%s", h[i].text);
	free(h);
}

int log_lib_held(const char *text, char *buf, size_t len)
{
	for (unsigned int i = log_n_held; log_held && i-- > 0;) {
		const char *t = log_held[i].text;

		if (!strstr(t, text))
			continue;
		if (!strncmp(t, "libxdp: ", 8) || !strncmp(t, "libbpf: ", 8))
			t += 8;
		snprintf(buf, len, "%s", t);
		return 0;
	}
	return -ENOENT;
}

/* Kept back while held: the latest LOG_HELD_MAX, oldest first. */
static void log_lib_keep(enum log_level lvl, const char *text)
{
	size_t n = strnlen(text, LOG_HELD_LEN - 1);
	struct log_held *h;

	if (log_n_held == LOG_HELD_MAX) {
		memmove(log_held, log_held + 1,
			(LOG_HELD_MAX - 1) * sizeof(*log_held));
		log_n_held--;
	}
	h = &log_held[log_n_held++];
	h->lvl = lvl;
	memcpy(h->text, text, n);
	h->text[n] = '\0';
}

/*
 * libbpf and libxdp end their messages with a newline; the logger adds
 * one. Their INFO is chatter for whoever debugs them ("elf: skipping
 * unrecognized data section"): debug here, like their DEBUG. Their
 * warnings stay warnings. Held, their INFO and WARN are kept back.
 */
static void log_lib_line(bool warn, bool info, const char *fmt, va_list ap)
{
	enum log_level lvl = warn ? LOG_LVL_WARN : LOG_LVL_DEBUG;
	char buf[512];
	int n;

	if (!warn && !info && !log_held && lvl > log_max)
		return;
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	if (log_held && (warn || info))
		log_lib_keep(lvl, buf);
	else
		log_msg(lvl, "%s", buf);
}

static int log_libbpf_cb(enum libbpf_print_level level, const char *fmt,
			 va_list ap)
{
	log_lib_line(level == LIBBPF_WARN, level == LIBBPF_INFO, fmt, ap);
	return 0;
}

static int log_libxdp_cb(enum libxdp_print_level level, const char *fmt,
			 va_list ap)
{
	log_lib_line(level == LIBXDP_WARN, level == LIBXDP_INFO, fmt, ap);
	return 0;
}

void log_hook_libbpf(void)
{
	libbpf_set_print(log_libbpf_cb);
	libxdp_set_print(log_libxdp_cb);
}
