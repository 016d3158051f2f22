/*
 * The per-pair repair lock (see repair_lock.h).  flock, not the file's
 * existence, is the lock: the kernel releases it when the holder dies,
 * so nothing ever has to clean up after a kill -9.
 */
#include "autoconf.h"
#include "backend/repair/repair_lock.h"
#include "backend/core/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct repair_lock {
	int fd;
	char *path;
	char *who;      /* user@host */
	char since[21];
};

/* A probe (repair_lock_holder) holds a shared lock for microseconds; a
 * taker retries this often before it calls the lock held. */
#define LOCK_TRIES 5
#define LOCK_RETRY_NS 20000000L

/* "DIR/SITE-PKGID-DP.lock", upper-cased: Windows names ignore case, so
 * leeds01 and LEEDS01 are one pair.  The names are checked elsewhere
 * (package IDs, server names: no '/'); anything else becomes '_'. */
static char *
lock_path(const char *dir, const char *site, const char *pkgid, const char *dp)
{
	char *name = xasprintf("%s-%s-%s.lock", site ? site : "", pkgid, dp);
	for (char *p = name; *p; p++)
		*p = isalnum((unsigned char)*p) || *p == '-' || *p == '.' ?
		    (char)toupper((unsigned char)*p) : '_';
	char *path = xasprintf("%s/%s", dir, name);
	free(name);
	return path;
}

static int
mkdir_private(const char *path, char **err)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	err_set(err, "%s: %s", path, strerror(errno));
	return -1;
}

/* The lock folder and its parent (the state folder), both 0700. */
static int
lock_dir_make(const char *dir, char **err)
{
	char *parent = xstrdup(dir);
	char *slash = strrchr(parent, '/');
	int rc = 0;
	if (slash != NULL && slash != parent) {
		/* The state folder is private, as the journal makes it. */
		*slash = '\0';
		rc = dir_make_all(parent, true, err);
	}
	free(parent);
	return rc == 0 ? mkdir_private(dir, err) : -1;
}

/* Write the holder's lines over the file: the new text first, then cut
 * what is left of the old, so a reader never sees an empty file. */
static int
lock_write(struct repair_lock *l, int step, const char *name, char **err)
{
	char *text = xasprintf("holder=%s\npid=%ld\nsince=%s\nstep=%d\nstep_name=%s\n",
	    l->who, (long)getpid(), l->since, step, name ? name : "");
	size_t len = strlen(text);
	ssize_t n = pwrite(l->fd, text, len, 0);
	free(text);
	if (n < 0 || (size_t)n != len || ftruncate(l->fd, (off_t)len) != 0) {
		err_set(err, "%s: %s", l->path, n < 0 || (size_t)n == len ?
		    strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

/* What the file says; a field it lacks stays empty. */
static void
lock_read(int fd, struct repair_lock_holder *h)
{
	*h = (struct repair_lock_holder){0};
	char text[1024];
	ssize_t n = pread(fd, text, sizeof text - 1, 0);
	if (n <= 0)
		return;
	text[n] = '\0';
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *eq = strchr(line, '=');
		if (eq == NULL)
			continue;
		*eq++ = '\0';
		if (strcmp(line, "holder") == 0) {
			snprintf(h->who, sizeof h->who, "%s", eq);
			const char *at = strchr(eq, '@');
			snprintf(h->host, sizeof h->host, "%s", at ? at + 1 : "");
		} else if (strcmp(line, "pid") == 0) {
			h->pid = strtol(eq, NULL, 10);
		} else if (strcmp(line, "since") == 0) {
			snprintf(h->since, sizeof h->since, "%s", eq);
		} else if (strcmp(line, "step") == 0) {
			h->step = (int)strtol(eq, NULL, 10);
		} else if (strcmp(line, "step_name") == 0) {
			snprintf(h->step_name, sizeof h->step_name, "%s", eq);
		}
	}
}

static char *
lock_refusal(const char *pkgid, const char *dp, const struct repair_lock_holder *h)
{
	char at[96];
	if (h->step > 0)
		snprintf(at, sizeof at, "at step %d (%s)", h->step, h->step_name);
	else
		snprintf(at, sizeof at, "preparing");
	return xasprintf("%s on %s is being repaired by %s (pid %ld) since %s, %s",
	    pkgid, dp, *h->who ? h->who : "someone", h->pid,
	    *h->since ? h->since : "(unknown)", at);
}

static void
nap(void)
{
	struct timespec ts = { 0, LOCK_RETRY_NS };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int
repair_lock_take(const char *dir, const char *site, const char *pkgid,
    const char *dp, struct repair_lock **out, char **why)
{
	*out = NULL;
	if (lock_dir_make(dir, why) != 0)
		return -1;
	char *path = lock_path(dir, site, pkgid, dp);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		err_set(why, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	int rc = -1;
	for (int i = 0; i < LOCK_TRIES; i++) {
		if ((rc = flock(fd, LOCK_EX | LOCK_NB)) == 0 || errno != EWOULDBLOCK)
			break;
		nap();
	}
	if (rc != 0) {
		bool held = errno == EWOULDBLOCK;
		if (held) {
			struct repair_lock_holder h;
			lock_read(fd, &h);
			free(*why);
			*why = lock_refusal(pkgid, dp, &h);
		} else {
			err_set(why, "%s: %s", path, strerror(errno));
		}
		close(fd);
		free(path);
		return held ? 1 : -1;
	}
	struct repair_lock *l = xcalloc(1, sizeof *l);
	l->fd = fd;
	l->path = path;
	char *user = journal_user(), *host = journal_host();
	l->who = xasprintf("%s@%s", user, host);
	free(user);
	free(host);
	time_format_iso(clock_real(), l->since);
	if (lock_write(l, 0, "", why) != 0) {
		repair_lock_release(l);
		return -1;
	}
	*out = l;
	return 0;
}

int
repair_lock_step(struct repair_lock *l, int number, const char *name, char **err)
{
	return l == NULL ? 0 : lock_write(l, number, name, err);
}

void
repair_lock_release(struct repair_lock *l)
{
	if (l == NULL)
		return;
	/* Closing drops the flock; the file stays for the next taker. */
	(void)close(l->fd);
	free(l->path);
	free(l->who);
	free(l);
}

int
repair_lock_holder(const char *dir, const char *site, const char *pkgid,
    const char *dp, struct repair_lock_holder *h, char **err)
{
	*h = (struct repair_lock_holder){0};
	char *path = lock_path(dir, site, pkgid, dp);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		int e = errno;
		if (e != ENOENT)
			err_set(err, "%s: %s", path, strerror(e));
		free(path);
		return e == ENOENT ? 0 : -1;
	}
	free(path);
	/* Shared: two probes never get in each other's way, and a holder's
	 * exclusive lock makes it fail at once. */
	int rc = 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		(void)flock(fd, LOCK_UN);
	} else if (errno == EWOULDBLOCK) {
		lock_read(fd, h);
		rc = 1;
	} else {
		err_set(err, "lock probe: %s", strerror(errno));
		rc = -1;
	}
	close(fd);
	return rc;
}

/* Does the run that began the step hold the lock of the pair (package, dp)? */
static bool
lock_runs_pair(const char *dir, const struct journal_entry *begin, const char *dp)
{
	struct repair_lock_holder h;
	char *err = NULL;
	int rc = repair_lock_holder(dir, begin->site, begin->package_id, dp, &h, &err);
	free(err);
	if (rc != 1)
		return false;
	/* The step id is "TIME-PID-N": the run that began the step must be
	 * the one holding the lock, not a later run of the same pair. */
	const char *dash = strchr(begin->step_id, '-');
	long pid = dash ? strtol(dash + 1, NULL, 10) : 0;
	return pid > 0 && pid == h.pid && strcmp(h.host, begin->host) == 0;
}

/* The pairs locked are the cells' (package, DP); a step on the primary
 * (rename, touch) names the DPs it serves in "for", whose locks its run
 * holds. */
bool
repair_lock_runs(const char *dir, const struct journal_entry *begin)
{
	if (dir == NULL || begin == NULL)
		return false;
	if (lock_runs_pair(dir, begin, begin->dp_server))
		return true;
	for (size_t i = 0; i < begin->nfor; i++)
		if (strcasecmp(begin->for_dps[i], begin->dp_server) != 0 &&
		    lock_runs_pair(dir, begin, begin->for_dps[i]))
			return true;
	return false;
}

void
repair_lock_mark_running(const char *dir, struct journal_history *h)
{
	for (size_t i = 0; i < h->n; i++)
		h->v[i].running = h->v[i].end_time == NULL && !h->v[i].no_begin &&
		    repair_lock_runs(dir, &h->v[i].begin);
}
