// SPDX-License-Identifier: GPL-2.0-only
/*
 * notify.c - the transition hook (see notify.h).
 */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

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

void notify_run(struct notify *n, const char *path, unsigned int vsd,
		const struct vsd_transition *t)
{
	posix_spawnattr_t attr;
	char group[16];
	char *argv[] = { (char *)path, group, (char *)vsd_state_name(t->from),
			 (char *)vsd_state_name(t->to), (char *)t->reason,
			 NULL };
	pid_t pid;
	int err;

	if (!path[0])
		return;
	snprintf(group, sizeof(group), "%u", vsd);
	notify_attr(&attr);
	err = posix_spawn(&pid, path, NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	n->runs++;
	if (err) {
		n->fail++;
		pr_warn("notify %s: %s", path, strerror(err));
	}
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
