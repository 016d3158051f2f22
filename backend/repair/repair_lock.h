/*
 * One repair per pair.  A run holds an flock'd file per site+package+DP in
 * the state folder (normally $XDG_STATE_HOME/dpdoctor/locks/, made 0700)
 * from repair_prepare() to repair_run_free(); a second run of the same
 * pair -- another terminal, or another operator sharing the state folder
 * on the same jump box -- is refused before it does anything, with the
 * holder's name.  The file says who holds it (user@host, pid, since when,
 * which step, rewritten as steps start).  The kernel drops an flock when
 * its process dies, even by kill -9, so a file left behind never blocks:
 * only a live holder counts, never the file's existence.
 */
#ifndef DPD_REPAIR_LOCK_H
#define DPD_REPAIR_LOCK_H

#include <stdbool.h>

#include "backend/repair/journal.h"

struct repair_lock;

/* Who holds a pair's lock, as its file says ("" / 0 where it says nothing). */
struct repair_lock_holder {
	char who[160];          /* user@host */
	char host[128];
	long pid;
	char since[24];         /* ISO UTC */
	int step;               /* 1-based; 0 while the run prepares */
	char step_name[48];
};

/*
 * Take the lock of (site, pkgid, dp) in dir (created 0700, with its parent,
 * when missing).  0: taken (*out); 1: another run holds it, *why says who
 * ("009000B7 on LEEDSDP01 is being repaired by alice@jump1 (pid 4242)
 * since ..., at step 3 (preload)"); -1: *why says what failed.
 */
int repair_lock_take(const char *dir, const char *site, const char *pkgid,
    const char *dp, struct repair_lock **out, char **why);

/* Record that step number (name) starts.  0, or -1 with *err. */
int repair_lock_step(struct repair_lock *l, int number, const char *name, char **err);

/* Let go (NULL is fine).  The file stays: an unlocked file means nothing. */
void repair_lock_release(struct repair_lock *l);

/* Is the pair's lock held by a live run?  1 with *h filled, 0 when not,
 * -1 with *err.  Never blocks. */
int repair_lock_holder(const char *dir, const char *site, const char *pkgid,
    const char *dp, struct repair_lock_holder *h, char **err);

/* Is the run that began this (unfinished) journal step still running: does
 * the process named in its step id, on its host, hold its pair's lock? */
bool repair_lock_runs(const char *dir, const struct journal_entry *begin);

/* Mark every unfinished step of h whose run still holds its lock. */
void repair_lock_mark_running(const char *dir, struct journal_history *h);

#endif
