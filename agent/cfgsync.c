// SPDX-License-Identifier: GPL-2.0-only
/*
 * cfgsync.c - config sync: checksums, the peer's copy, taking the newer
 * configuration and files (see cfgsync.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cfgsync.h"
#include "clock.h"
#include "log.h"
#include "version.h"

extern char **environ;

/* Messages of PROTO_T_CONFIG (struct proto_msg's kind). */
enum {
	CFG_GET = 1,		/* obj u16, offset u32[, path]: send me a piece */
	CFG_PIECE = 2,		/* obj u16, total u32, offset u32, bytes */
	CFG_NONE = 3,		/* obj u16: there is no such object */
};

#define CFG_OBJ_TEXT	0
#define CFG_OBJ_FILE	1
#define CFG_PIECE_MAX	1200		/* bytes of a piece */
#define CFG_RETRY_NS	(200 * NS_PER_MS)
#define CFG_TRIES	25
#define CFG_GRACE_NS	(5 * NS_PER_S)	/* out of sync this long: alarm */
#define CFG_FILE_TAG	"#file "	/* a synced file's line: a comment */

/* ----------------------------------------------------------- checksums */

static uint32_t cs_sum(const char *text)
{
	uint8_t h[crypto_generichash_BYTES_MIN];

	crypto_generichash(h, sizeof(h), (const uint8_t *)text, strlen(text),
			   NULL, 0);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	       (uint32_t)h[2] << 8 | h[3];
}

static void cs_digest(const uint8_t *data, size_t len,
		      char out[CFGSYNC_DIGEST_LEN + 1])
{
	uint8_t h[crypto_generichash_BYTES_MIN];

	crypto_generichash(h, sizeof(h), data, len, NULL, 0);
	sodium_bin2hex(out, CFGSYNC_DIGEST_LEN + 1, h, CFGSYNC_DIGEST_LEN / 2);
}

/* A whole file, up to CFGSYNC_FILE_MAX: its length, or -errno. */
static ssize_t cs_read(const char *path, uint8_t **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *buf;
	ssize_t n = 0, r;

	*out = NULL;
	if (fd < 0)
		return -errno;
	buf = malloc(CFGSYNC_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (n <= CFGSYNC_FILE_MAX &&
	       (r = read(fd, buf + n, CFGSYNC_FILE_MAX + 1 - n)) > 0)
		n += r;
	close(fd);
	if (n > CFGSYNC_FILE_MAX) {
		free(buf);
		return -EFBIG;
	}
	*out = buf;
	return n;
}

static void cs_file_digest(const char *path, char out[CFGSYNC_DIGEST_LEN + 1])
{
	uint8_t *data;
	ssize_t n = cs_read(path, &data);

	if (n < 0)
		snprintf(out, CFGSYNC_DIGEST_LEN + 1, "%s",
			 n == -EFBIG ? "too-large" : "none");
	else
		cs_digest(data, n, out);
	free(data);
}

/* Text, then a "#file PATH DIGEST" line for each synced file. */
static char *cs_with_files(const struct cfgsync *cs, const char *text)
{
	const struct nsrp_config *c = cs->cfg;
	size_t len = strlen(text) + 1, used;
	char *out;

	for (unsigned int i = 0; i < c->n_syncfile; i++)
		len += strlen(c->syncfile[i].path) + CFGSYNC_DIGEST_LEN + 16;
	out = malloc(len);
	if (!out)
		return NULL;
	used = snprintf(out, len, "%s", text);
	for (unsigned int i = 0; i < c->n_syncfile; i++)
		used += snprintf(out + used, len - used, CFG_FILE_TAG "%s %s\n",
				 c->syncfile[i].path, cs->file[i].digest);
	return out;
}

/* ------------------------------------------------------------- texts */

/* The replicated lines of a shareable text: not local, files kept. */
static char *cs_replicated_of(const char *text)
{
	char *out = malloc(strlen(text) + 1), *copy = strdup(text);
	size_t used = 0;

	if (!out || !copy) {
		free(out);
		free(copy);
		return NULL;
	}
	for (char *l = strtok(copy, "\n"); l; l = strtok(NULL, "\n"))
		if (!strncmp(l, CFG_FILE_TAG, strlen(CFG_FILE_TAG)) ||
		    !config_line_local(l))
			used += sprintf(out + used, "%s\n", l);
	out[used] = '\0';
	free(copy);
	return out;
}

/* Our texts and checksums from the running configuration and files. */
static int cs_compute(struct cfgsync *cs)
{
	char *share = NULL, *repl = NULL;

	for (unsigned int i = 0; i < cs->cfg->n_syncfile; i++)
		cs_file_digest(cs->cfg->syncfile[i].path, cs->file[i].digest);
	if (config_canonical(cs->cfg, CFG_PART_SHAREABLE, &share))
		return -ENOMEM;
	free(cs->share);
	cs->share = cs_with_files(cs, share);
	free(share);
	if (!cs->share)
		return -ENOMEM;
	repl = cs_replicated_of(cs->share);
	if (!repl)
		return -ENOMEM;
	free(cs->replicated);
	cs->replicated = repl;
	cs->own.sum = cs_sum(cs->replicated);
	cs->own.full = cs_sum(cs->share);
	cs->own.flags = cs->cfg->config_sync ? PROTO_HB_CFG_F_SYNC : 0;
	return 0;
}

/* ------------------------------------------------------- file watching */

static void cs_watch(struct cfgsync *cs)
{
	for (unsigned int i = 0; i < CFG_MAX_SYNCFILES; i++) {
		if (cs->file[i].wd >= 0)
			inotify_rm_watch(cs->inotify_fd, cs->file[i].wd);
		cs->file[i].wd = -1;
	}
	for (unsigned int i = 0; cs->inotify_fd >= 0 &&
				 i < cs->cfg->n_syncfile; i++) {
		char dir[CFG_PATH_LEN];

		snprintf(dir, sizeof(dir), "%s", cs->cfg->syncfile[i].path);
		cs->file[i].wd = inotify_add_watch(cs->inotify_fd, dirname(dir),
						   IN_CLOSE_WRITE | IN_MOVED_TO |
						   IN_DELETE | IN_CREATE);
		if (cs->file[i].wd < 0)
			pr_warn("config sync: cannot watch %s: %s",
				cs->cfg->syncfile[i].path, strerror(errno));
	}
}

int cfgsync_fd(const struct cfgsync *cs)
{
	return cs->inotify_fd;
}

void cfgsync_event(struct cfgsync *cs, uint64_t now)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	while (read(cs->inotify_fd, buf, sizeof(buf)) > 0)
		;	/* which file does not matter: all are digested again */
	cfgsync_refresh(cs, now);
}

/* ----------------------------------------------------------- our state */

static bool cs_taking(const struct cfgsync *cs)
{
	return cs->check_pid || cs->reload_pid ||
	       (cs->fetch.active && cs->fetch.obj == CFG_OBJ_FILE);
}

void cfgsync_refresh(struct cfgsync *cs, uint64_t now)
{
	uint32_t was = cs->own.sum;

	(void)now;
	cs_watch(cs);
	if (cs_compute(cs)) {
		pr_err("config sync: out of memory");
		return;
	}
	if (cs->own.sum == was)
		return;
	/*
	 * The same as the peer's: taken from it, or come back to it. Else
	 * a change of ours: newer than anything either unit had, unless
	 * it is the peer's configuration on its way in.
	 */
	if (cs->peer_tells && cs->own.sum == cs->peer.sum)
		cs->own.gen = cs->own.gen > cs->peer.gen ? cs->own.gen
							 : cs->peer.gen;
	else if (!cs_taking(cs))
		cs->own.gen = (cs->own.gen > cs->peer.gen ? cs->own.gen
							  : cs->peer.gen) + 1;
	pr_info("config sync: local checksum %u, generation %llu",
		cs->own.sum, (unsigned long long)cs->own.gen);
}

const struct proto_hb_cfg *cfgsync_own(const struct cfgsync *cs)
{
	return &cs->own;
}

bool cfgsync_active(const struct cfgsync *cs)
{
	return cs->cfg->config_sync && cs->peer_present && cs->peer_tells &&
	       cs->peer.flags & PROTO_HB_CFG_F_SYNC;
}

bool cfgsync_in_sync(const struct cfgsync *cs)
{
	return cs->peer_tells && cs->peer.sum == cs->own.sum;
}

/*
 * A unit does not take master from its peer while their configurations
 * differ, unless its own is the newer: the peer's may be on its way in,
 * and which of two configurations of one generation is right is the
 * operator's call (exec nsrp sync global-config save).
 */
bool cfgsync_holds_preempt(const struct cfgsync *cs)
{
	return cfgsync_active(cs) && cs->peer.gen >= cs->own.gen &&
	       !cfgsync_in_sync(cs);
}

/* The copy of the peer's text is the one it runs now. */
static bool cs_copy_current(const struct cfgsync *cs)
{
	return cs->peer_text && cs->peer_tells &&
	       cs->peer_text_full == cs->peer.full;
}

/* ------------------------------------------------------------ fetching */

static int cs_send(struct cfgsync *cs, uint16_t kind, uint32_t id,
		   const uint8_t *data, size_t len)
{
	struct proto_msg m = { .kind = kind, .id = id, .data_len = len,
			       .data = data };

	return hasess_send_msg(cs->ha, PROTO_T_CONFIG, &m);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* Asks for the piece at the fetch's offset (again). */
static void cs_ask(struct cfgsync *cs, const char *path, uint64_t now)
{
	uint8_t d[6 + CFG_PATH_LEN];
	size_t len = 6;

	put16(d, cs->fetch.obj);
	put32(d + 2, cs->fetch.off);
	if (path) {
		len += strlen(path);
		memcpy(d + 6, path, strlen(path));
	}
	cs_send(cs, CFG_GET, cs->fetch.id, d, len);
	cs->fetch.retry_ns = now + CFG_RETRY_NS;
}

static void cs_fetch_start(struct cfgsync *cs, uint16_t obj,
			   const char *path, uint64_t now)
{
	free(cs->fetch.buf);
	cs->fetch = (struct cfgsync_fetch){ .active = true, .obj = obj,
					    .id = randombytes_random() };
	cs_ask(cs, path, now);
}

static void cs_fetch_end(struct cfgsync *cs)
{
	free(cs->fetch.buf);
	cs->fetch = (struct cfgsync_fetch){ 0 };
}

/* The file of ours that the peer's text names at path, or -1. */
static int cs_file_index(const struct cfgsync *cs, const char *path)
{
	for (unsigned int i = 0; i < cs->cfg->n_syncfile; i++)
		if (!strcmp(cs->cfg->syncfile[i].path, path))
			return i;
	return -1;
}

/* Serves one piece of object obj (our text, or a synced file of ours). */
static void cs_serve(struct cfgsync *cs, uint32_t id, const uint8_t *d,
		     size_t len)
{
	uint8_t out[10 + CFG_PIECE_MAX], *file = NULL;
	const uint8_t *obj_data;
	uint16_t obj;
	uint32_t off;
	ssize_t total;

	if (len < 6)
		return;
	obj = get16(d);
	off = get32(d + 2);
	if (obj == CFG_OBJ_TEXT) {
		obj_data = (const uint8_t *)cs->share;
		total = strlen(cs->share);
	} else {
		char path[CFG_PATH_LEN];

		snprintf(path, sizeof(path), "%.*s", (int)(len - 6),
			 (const char *)d + 6);
		total = cs_file_index(cs, path) < 0 ? -ENOENT
						    : cs_read(path, &file);
		obj_data = file;
	}
	if (total < 0 || off > (size_t)total) {
		put16(out, obj);
		cs_send(cs, CFG_NONE, id, out, 2);
		free(file);
		return;
	}
	put16(out, obj);
	put32(out + 2, total);
	put32(out + 6, off);
	len = total - off < CFG_PIECE_MAX ? total - off : CFG_PIECE_MAX;
	memcpy(out + 10, obj_data + off, len);
	if (!cs_send(cs, CFG_PIECE, id, out, 10 + len))
		cs->pieces_tx++;
	free(file);
}

static void cs_fetched(struct cfgsync *cs, uint64_t now);

static void cs_piece(struct cfgsync *cs, uint32_t id, const uint8_t *d,
		     size_t len, uint64_t now)
{
	struct cfgsync_fetch *f = &cs->fetch;
	uint32_t total, off;

	if (!f->active || id != f->id || len < 10 || get16(d) != f->obj)
		return;
	total = get32(d + 2);
	off = get32(d + 6);
	if (off != f->off || total > CFGSYNC_FILE_MAX ||
	    off + (len - 10) > total)
		return;		/* late or foreign: the retry asks again */
	if (!f->buf) {
		f->total = total;
		f->buf = malloc(total + 1);
		if (!f->buf) {
			cs_fetch_end(cs);
			return;
		}
	}
	if (total != f->total)
		return;
	memcpy(f->buf + off, d + 10, len - 10);
	f->off += len - 10;
	f->tries = 0;
	if (f->off == f->total) {
		f->buf[f->total] = 0;
		cs_fetched(cs, now);
		return;
	}
	cs_ask(cs, f->obj == CFG_OBJ_FILE ? cs->cfg->syncfile[cs->file_taking].path
					  : NULL, now);
}

static void cs_rx(void *arg, const struct hasess_frame *fr)
{
	struct cfgsync *cs = arg;
	struct proto_msg m;
	int err = proto_decode_msg(fr->body, fr->len, &m);

	if (err) {
		hasess_count_drop(cs->ha, err);
		return;
	}
	switch (m.kind) {
	case CFG_GET:
		cs_serve(cs, m.id, m.data, m.data_len);
		break;
	case CFG_PIECE:
		cs_piece(cs, m.id, m.data, m.data_len, fr->now);
		break;
	case CFG_NONE:
		if (cs->fetch.active && m.id == cs->fetch.id) {
			pr_warn("config sync: the peer has no such object");
			cs_fetch_end(cs);
		}
		break;
	default:
		hasess_count_drop(cs->ha, PROTO_R_BAD_RECORD);
	}
}

/* ------------------------------------------------------ taking the peer's */

/* The peer's digest of path in its text, or NULL. */
static const char *cs_peer_digest(const struct cfgsync *cs, const char *path,
				  char out[CFGSYNC_DIGEST_LEN + 1])
{
	size_t n = strlen(path);

	for (const char *l = cs->peer_text; l && *l;) {
		size_t len = strcspn(l, "\n");

		if (!strncmp(l, CFG_FILE_TAG, strlen(CFG_FILE_TAG)) &&
		    !strncmp(l + strlen(CFG_FILE_TAG), path, n) &&
		    l[strlen(CFG_FILE_TAG) + n] == ' ') {
			snprintf(out, CFGSYNC_DIGEST_LEN + 1, "%.*s",
				 (int)(len - strlen(CFG_FILE_TAG) - n - 1),
				 l + strlen(CFG_FILE_TAG) + n + 1);
			return out;
		}
		l += len + (l[len] == '\n');
	}
	return NULL;
}

/* Runs "sh -c CMD nsrpd FILE", %s in CMD being "$1": its pid, or 0. */
static pid_t cs_spawn(const char *cmd, const char *file)
{
	char sh[2 * CFG_PATH_LEN];
	char *argv[] = { "/bin/sh", "-c", sh, "nsrpd", (char *)file, NULL };
	const char *pct = strstr(cmd, "%s");
	pid_t pid;

	if (pct)
		snprintf(sh, sizeof(sh), "%.*s\"$1\"%s", (int)(pct - cmd), cmd,
			 pct + 2);
	else
		snprintf(sh, sizeof(sh), "%s", cmd);
	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ))
		return 0;
	return pid;
}

static void cs_alarm(struct cfgsync *cs, bool raised, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cs_alarm(struct cfgsync *cs, bool raised, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cs->why, sizeof(cs->why), fmt, ap);
	va_end(ap);
	if (raised == cs->alarm && raised)
		pr_warn("config sync: %s", cs->why);
	if (raised == cs->alarm)
		return;
	cs->alarm = raised;
	if (raised)
		pr_warn("config sync: ALARM: %s", cs->why);
	else
		pr_info("config sync: %s", cs->why);
	cs->ops.alarm(cs->ops.arg, raised, cs->why);
}

/* The peer's copy of a file is here: check it, then it replaces ours. */
static void cs_take_file(struct cfgsync *cs, const uint8_t *data, size_t len)
{
	const struct cfg_syncfile *sf = &cs->cfg->syncfile[cs->file_taking];
	char want[CFGSYNC_DIGEST_LEN + 1], got[CFGSYNC_DIGEST_LEN + 1];
	int fd;

	cs_digest(data, len, got);
	if (!cs_peer_digest(cs, sf->path, want) || strcmp(want, got))
		return;		/* changed meanwhile: the next tick asks again */
	snprintf(cs->file_tmp, sizeof(cs->file_tmp), "%s.XXXXXX", sf->path);
	fd = mkostemp(cs->file_tmp, O_CLOEXEC);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || fsync(fd)) {
		pr_warn("config sync: %s: cannot write %s: %s", sf->path,
			cs->file_tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(cs->file_tmp);
		}
		return;
	}
	fchmod(fd, 0644);
	close(fd);
	if (!sf->check[0]) {
		cfgsync_reaped(cs, -1, 0, clock_now_ns());	/* as checked */
		return;
	}
	cs->check_pid = cs_spawn(sf->check, cs->file_tmp);
	if (!cs->check_pid) {
		unlink(cs->file_tmp);
		cs_alarm(cs, true, "%s: cannot run its check", sf->path);
	}
}

static void cs_fetched(struct cfgsync *cs, uint64_t now)
{
	struct cfgsync_fetch *f = &cs->fetch;

	cs->fetched++;
	if (f->obj == CFG_OBJ_TEXT) {
		free(cs->peer_text);
		cs->peer_text = (char *)f->buf;
		cs->peer_text_full = cs_sum(cs->peer_text);
		f->buf = NULL;
	} else {
		cs_take_file(cs, f->buf, f->total);
	}
	cs_fetch_end(cs);
	(void)now;
}

/*
 * The peer's replicated part, merged with our own lines, runs here: at
 * once, or from the next start when it changes what only a start sets.
 * Saved either way. Returns 0, or -errno with why in msg.
 */
static int cs_take_config(struct cfgsync *cs, char *msg, size_t len)
{
	struct nsrp_config *next = malloc(sizeof(*next));
	char err[200];
	const char *why;
	int ret;

	if (!next)
		return -ENOMEM;
	ret = config_merge(cs->cfg, cs->peer_text, next, msg, len);
	if (ret)
		goto out;
	why = config_restart_needed(cs->cfg, next);
	ret = config_save(next, cs->cfg_path, err, sizeof(err));
	if (ret) {
		snprintf(msg, len, "cannot save it: %.200s", err);
		goto out;
	}
	if (why) {
		snprintf(cs->restart_for, sizeof(cs->restart_for), "%s", why);
		snprintf(msg, len, "saved; it changes %s: restart nsrpd to "
			 "run it", why);
		ret = -EAGAIN;
		goto out;
	}
	ret = cs->ops.apply(cs->ops.arg, next, msg, len);
out:
	free(next);
	return ret;
}

/* A text without its files' lines. */
static char *cs_without_files(const char *text)
{
	char *out = malloc(strlen(text) + 1);
	size_t used = 0;

	if (!out)
		return NULL;
	for (const char *l = text; *l;) {
		size_t len = strcspn(l, "\n");

		if (strncmp(l, CFG_FILE_TAG, strlen(CFG_FILE_TAG)))
			used += sprintf(out + used, "%.*s\n", (int)len, l);
		l += len + (l[len] == '\n');
	}
	out[used] = '\0';
	return out;
}

/* Does the peer's replicated configuration, files aside, differ? */
static bool cs_config_differs(const struct cfgsync *cs)
{
	char *theirs = cs_replicated_of(cs->peer_text), *a = NULL, *b = NULL;
	bool differs = true;

	if (theirs && (a = cs_without_files(cs->replicated)) &&
	    (b = cs_without_files(theirs)))
		differs = strcmp(a, b) != 0;
	free(a);
	free(b);
	free(theirs);
	return differs;
}

/* A file of ours whose peer's copy differs and was not refused: its index. */
static int cs_file_to_take(const struct cfgsync *cs)
{
	for (unsigned int i = 0; i < cs->cfg->n_syncfile; i++) {
		char theirs[CFGSYNC_DIGEST_LEN + 1];

		if (cs_peer_digest(cs, cs->cfg->syncfile[i].path, theirs) &&
		    strcmp(theirs, "none") && strcmp(theirs, "too-large") &&
		    strcmp(theirs, cs->file[i].digest) &&
		    strcmp(theirs, cs->file[i].refused))
			return i;
	}
	return -1;
}

/* What the peer has and we do not, when it is newer: its config, files. */
static void cs_take(struct cfgsync *cs, uint64_t now)
{
	char msg[256];
	int i, err;

	if (cs->fetch.active || cs->check_pid || cs->reload_pid)
		return;
	if (cs_config_differs(cs)) {
		if (cs->tried_full == cs->peer.full)
			return;		/* tried: refused, or waits for a start */
		cs->tried_full = cs->peer.full;
		err = cs_take_config(cs, msg, sizeof(msg));
		if (!err) {
			cs->taken++;
			pr_info("config sync: took the peer's configuration "
				"(generation %llu)",
				(unsigned long long)cs->peer.gen);
			return;
		}
		cs->refused++;
		cs_alarm(cs, true, "the peer's configuration (generation "
			 "%llu) not taken: %s",
			 (unsigned long long)cs->peer.gen, msg);
		return;
	}
	i = cs_file_to_take(cs);
	if (i < 0)
		return;
	cs->file_taking = i;
	cs_fetch_start(cs, CFG_OBJ_FILE, cs->cfg->syncfile[i].path, now);
}

bool cfgsync_reaped(struct cfgsync *cs, pid_t pid, int status, uint64_t now)
{
	const struct cfg_syncfile *sf = &cs->cfg->syncfile[cs->file_taking];
	bool ok = WIFEXITED(status) && !WEXITSTATUS(status);

	if (pid > 0 && pid != cs->check_pid && pid != cs->reload_pid)
		return false;
	if (pid == cs->reload_pid && pid > 0) {
		cs->reload_pid = 0;
		if (!ok)
			cs_alarm(cs, true, "%s: reload failed (%s %d)",
				 sf->path, WIFEXITED(status) ? "exit" : "signal",
				 WIFEXITED(status) ? WEXITSTATUS(status)
						   : WTERMSIG(status));
		cfgsync_refresh(cs, now);
		return true;
	}
	cs->check_pid = 0;
	if (!ok) {
		unlink(cs->file_tmp);
		cs->refused++;
		/* Not asked again until the peer's copy changes. */
		cs_peer_digest(cs, sf->path, cs->file[cs->file_taking].refused);
		cs_alarm(cs, true, "the peer's %s fails its check (%s %d): "
			 "ours stays", sf->path,
			 WIFEXITED(status) ? "exit" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status)
					   : WTERMSIG(status));
		return true;
	}
	if (rename(cs->file_tmp, sf->path)) {
		cs_alarm(cs, true, "%s: cannot replace it: %s", sf->path,
			 strerror(errno));
		unlink(cs->file_tmp);
		return true;
	}
	cs->files_taken++;
	pr_info("config sync: took the peer's %s", sf->path);
	if (sf->reload[0])
		cs->reload_pid = cs_spawn(sf->reload, sf->path);
	cfgsync_refresh(cs, now);
	return true;
}

/* ---------------------------------------------------------------- loop */

void cfgsync_peer(struct cfgsync *cs, const struct proto_hb *hb)
{
	cs->peer_present = hb;
	cs->peer_tells = hb && hb->has_cfg;
	if (cs->peer_tells)
		cs->peer = hb->cfg;
}

static void cs_watch_sync(struct cfgsync *cs, uint64_t now)
{
	if (!cs->peer_present || !cs->peer_tells || cfgsync_in_sync(cs)) {
		if (cs->out_since_ns && cs->peer_present)
			cs_alarm(cs, false, "configuration in sync (checksum "
				 "%u)", cs->own.sum);
		cs->out_since_ns = 0;
		return;
	}
	if (!cs->out_since_ns)
		cs->out_since_ns = now;
	if (now - cs->out_since_ns >= CFG_GRACE_NS && !cs->alarm)
		cs_alarm(cs, true, "configuration out of sync (local checksum "
			 "%u != remote checksum %u)", cs->own.sum,
			 cs->peer.sum);
}

void cfgsync_tick(struct cfgsync *cs, uint64_t now)
{
	struct cfgsync_fetch *f = &cs->fetch;

	if (f->active && now >= f->retry_ns) {
		if (++f->tries > CFG_TRIES || !cs->peer_present) {
			cs_fetch_end(cs);
		} else {
			cs_ask(cs, f->obj == CFG_OBJ_FILE ?
				   cs->cfg->syncfile[cs->file_taking].path : NULL,
			       now);
		}
	}
	if (cs->peer_present && cs->peer_tells && !f->active &&
	    cs->peer_text_full != cs->peer.full)
		cs_fetch_start(cs, CFG_OBJ_TEXT, NULL, now);
	if (cs->peer_tells && cfgsync_in_sync(cs) &&
	    cs->peer.gen > cs->own.gen)
		cs->own.gen = cs->peer.gen;	/* the same, numbered alike */
	if (cfgsync_active(cs) && cs_copy_current(cs) &&
	    cs->peer.gen > cs->own.gen && !cfgsync_in_sync(cs))
		cs_take(cs, now);
	cs_watch_sync(cs, now);
}

uint64_t cfgsync_next_deadline(const struct cfgsync *cs, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	if (cs->fetch.active)
		next = cs->fetch.retry_ns;
	if (cs->out_since_ns && !cs->alarm &&
	    cs->out_since_ns + CFG_GRACE_NS < next)
		next = cs->out_since_ns + CFG_GRACE_NS;
	return next > now ? next : now;
}

int cfgsync_peer_accepts(const struct cfgsync *cs,
			 const struct nsrp_config *next, char *err,
			 size_t errlen)
{
	struct nsrp_config *peer = NULL, *merged = NULL;
	char *text = NULL;
	int ret = 0;

	if (!cfgsync_active(cs) || !cs_copy_current(cs))
		return 0;
	peer = malloc(sizeof(*peer));
	merged = malloc(sizeof(*merged));
	ret = -ENOMEM;
	if (!peer || !merged || config_parse_text(cs->peer_text, peer, err,
						  errlen) ||
	    config_canonical(next, CFG_PART_REPLICATED, &text))
		goto out;
	ret = config_merge(peer, text, merged, err, errlen);
out:
	free(text);
	free(merged);
	free(peer);
	return ret;
}

/* ------------------------------------------------------------ commands */

int cfgsync_cmd_checksum(struct cfgsync *cs, struct ctl_out *o)
{
	if (!cs->peer_present || !cs->peer_tells) {
		ctl_printf(o, "no peer tells its configuration: local checksum "
			      "%u\n", cs->own.sum);
		return -ENOENT;
	}
	if (cfgsync_in_sync(cs))
		ctl_printf(o, "configuration in sync (local checksum %u == "
			      "remote checksum %u)\n", cs->own.sum,
			   cs->peer.sum);
	else
		ctl_printf(o, "configuration out of sync (local checksum %u "
			      "!= remote checksum %u)\n", cs->own.sum,
			   cs->peer.sum);
	return 0;
}

/* The lines of a that b does not have: how many, and (o) which. */
static unsigned int cs_missing(const char *a, const char *b,
			       struct ctl_out *o)
{
	unsigned int n = 0;

	for (const char *l = a; *l;) {
		size_t len = strcspn(l, "\n");
		bool found = false;

		for (const char *m = b; *m && !found;) {
			size_t mlen = strcspn(m, "\n");

			found = mlen == len && !strncmp(l, m, len);
			m += mlen + (m[mlen] == '\n');
		}
		if (!found) {
			n++;
			if (o)
				ctl_printf(o, "%.*s\n", (int)len, l);
		}
		l += len + (l[len] == '\n');
	}
	return n;
}

/* Without a current copy of the peer's text, nothing to compare with. */
static int cs_need_copy(const struct cfgsync *cs, struct ctl_out *o)
{
	if (cs_copy_current(cs))
		return 0;
	ctl_printf(o, "the peer's configuration is not here yet%s\n",
		   cs->peer_present ? "; try again in a moment" : " (no peer)");
	return -EAGAIN;
}

int cfgsync_cmd_diff(struct cfgsync *cs, struct ctl_out *o)
{
	char *theirs;
	int err = cs_need_copy(cs, o);

	if (err)
		return err;
	theirs = cs_replicated_of(cs->peer_text);
	if (!theirs)
		return -ENOMEM;
	ctl_printf(o, "Local have %u different cmd lines:\n",
		   cs_missing(cs->replicated, theirs, NULL));
	cs_missing(cs->replicated, theirs, o);
	ctl_printf(o, "Peer have %u different cmd lines:\n",
		   cs_missing(theirs, cs->replicated, NULL));
	cs_missing(theirs, cs->replicated, o);
	free(theirs);
	return 0;
}

int cfgsync_cmd_save(struct cfgsync *cs, struct ctl_out *o, uint64_t now)
{
	char msg[256];
	int err = cs_need_copy(cs, o);

	if (err)
		return err;
	ctl_printf(o, "load peer system config to save\n");
	cs->restart_for[0] = '\0';
	cs->tried_full = cs->peer.full;
	err = cs_config_differs(cs) ? cs_take_config(cs, msg, sizeof(msg))
				    : 0;
	if (err && err != -EAGAIN) {
		ctl_printf(o, "%s\n", msg);
		return err;
	}
	ctl_printf(o, "Save global configuration successfully.\n");
	ctl_printf(o, "Save local configuration successfully.\n");
	if (err == -EAGAIN)
		ctl_printf(o, "%s\n", msg);
	cs->own.gen = cs->peer.gen;	/* the peer's, taken on purpose */
	cs_take(cs, now);		/* and its files, if they differ */
	if (cs_file_to_take(cs) >= 0)
		ctl_printf(o, "taking the peer's synced files\n");
	cfgsync_cmd_checksum(cs, o);
	return 0;
}

/* ------------------------------------------------------------- set up */

int cfgsync_init(struct cfgsync *cs, const struct nsrp_config *cfg,
		 const char *cfg_path, struct hasess *ha,
		 const struct cfgsync_ops *ops, uint64_t now)
{
	memset(cs, 0, sizeof(*cs));
	cs->cfg = cfg;
	cs->cfg_path = cfg_path;
	cs->ha = ha;
	cs->ops = *ops;
	for (unsigned int i = 0; i < CFG_MAX_SYNCFILES; i++)
		cs->file[i].wd = -1;
	if (sodium_init() < 0)
		return -EIO;
	cs->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (cs->inotify_fd < 0)
		return -errno;
	cs->own.wire = PROTO_VERSION;
	snprintf(cs->own.version, sizeof(cs->own.version), "%s",
		 NSRPD_VERSION);
	hasess_on(ha, PROTO_T_CONFIG, cs_rx, cs);
	cfgsync_refresh(cs, now);
	/* A unit with VSIs holds a configuration; an empty one does not. */
	cs->own.gen = cfg->n_vsi ? 1 : 0;
	return 0;
}

void cfgsync_fini(struct cfgsync *cs)
{
	if (!cs->cfg)
		return;
	if (cs->inotify_fd >= 0)
		close(cs->inotify_fd);
	cs->inotify_fd = -1;
	cs_fetch_end(cs);
	free(cs->share);
	free(cs->replicated);
	free(cs->peer_text);
	cs->share = cs->replicated = cs->peer_text = NULL;
}
