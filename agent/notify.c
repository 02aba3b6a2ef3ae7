// SPDX-License-Identifier: GPL-2.0-only
/*
 * notify.c - the transition hook (see notify.h).
 */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "config.h"
#include "log.h"
#include "notify.h"

extern char **environ;

/*
 * The script starts as from a shell: no signal blocked (the daemon blocks
 * those its signalfd reads) and SIGPIPE back to its default.
 */
static void notify_attr(posix_spawnattr_t *a)
{
	sigset_t none, dfl;

	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_init(a);
	posix_spawnattr_setsigmask(a, &none);
	posix_spawnattr_setsigdefault(a, &dfl);
	posix_spawnattr_setflags(a, POSIX_SPAWN_SETSIGMASK |
				    POSIX_SPAWN_SETSIGDEF);
}

#define NOTIFY_ENV_MAX	256	/* variables passed on, most */

/* The daemon's environment, and the names of the unit and cluster. */
static void notify_env(const struct nsrp_config *cfg, char **env, char *host,
		       char *cluster, size_t len)
{
	unsigned int n = 0;

	snprintf(host, len, "NSRP_HOSTNAME=%s", config_hostname(cfg));
	snprintf(cluster, len, "NSRP_CLUSTER=%s", cfg->cluster_name);
	env[n++] = host;
	env[n++] = cluster;
	for (char **e = environ; *e && n < NOTIFY_ENV_MAX - 1; e++)
		if (strncmp(*e, "NSRP_HOSTNAME=", 14) &&
		    strncmp(*e, "NSRP_CLUSTER=", 13))
			env[n++] = *e;
	env[n] = NULL;
}

/* PATH WHAT OLD NEW REASON, with the names in its environment. */
static void notify_exec(struct notify *n, const struct nsrp_config *cfg,
			const char *what, const char *from, const char *to,
			const char *reason)
{
	char host[CFG_NAME_LEN + 16], cluster[CFG_NAME_LEN + 16];
	char *argv[] = { (char *)cfg->notify, (char *)what, (char *)from,
			 (char *)to, (char *)reason, NULL };
	char *env[NOTIFY_ENV_MAX];
	posix_spawnattr_t attr;
	pid_t pid;
	int err;

	if (!cfg->notify[0])
		return;
	notify_env(cfg, env, host, cluster, sizeof(host));
	notify_attr(&attr);
	err = posix_spawn(&pid, cfg->notify, NULL, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	n->runs++;
	if (err) {
		n->fail++;
		pr_warn("notify %s: %s", cfg->notify, strerror(err));
	}
}

void notify_run(struct notify *n, const struct nsrp_config *cfg,
		unsigned int vsd, const struct vsd_transition *t)
{
	char group[16];

	snprintf(group, sizeof(group), "%u", vsd);
	notify_exec(n, cfg, group, vsd_state_name(t->from),
		    vsd_state_name(t->to), t->reason);
}

void notify_config(struct notify *n, const struct nsrp_config *cfg,
		   bool out_of_sync, const char *why)
{
	notify_exec(n, cfg, "config", out_of_sync ? "in-sync" : "out-of-sync",
		    out_of_sync ? "out-of-sync" : "in-sync", why);
}

void notify_auth(struct notify *n, const struct nsrp_config *cfg,
		 bool failing, const char *why)
{
	notify_exec(n, cfg, "ha-auth", failing ? "ok" : "failing",
		    failing ? "failing" : "ok", why);
}

void notify_reaped(struct notify *n, const char *path, pid_t pid, int status)
{
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return;
	n->fail++;
	if (WIFEXITED(status))
		pr_warn("notify %s (pid %d) exited with status %d", path, pid,
			WEXITSTATUS(status));
	else
		pr_warn("notify %s (pid %d) killed by signal %d", path, pid,
			WTERMSIG(status));
}
