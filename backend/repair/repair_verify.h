/*
 * Closing a repair step that an earlier run began and never finished, once
 * its cell has been looked at: the one place the journal's end entry for
 * such a step is written, by the screens (after the status on screen was
 * re-read) and by `dpdoctor history --verify` / `repair --verify P D`
 * (which read the cell here).  The end entry says "interrupted" with a note
 * naming the state that was seen, so the next repair no longer warns about
 * the step.  A step whose run still holds its pair's lock is running, and
 * is never closed.
 */
#ifndef DPD_REPAIR_VERIFY_H
#define DPD_REPAIR_VERIFY_H

#include "backend/repair/journal.h"
#include "backend/repair/repair.h"
#include "backend/core/model.h"

/* The cell's state as read: a cell_state value, or one of these. */
#define REPAIR_VERIFY_NOT_TARGETED (-2)  /* the package is not on the DP */
#define REPAIR_VERIFY_UNREAD (-1)        /* the site could not be read */

/*
 * The cells a step stands for: the DPs it served (its "for" list: a rename
 * on the primary is for the DPs it repairs), or its own dp for an entry
 * without one.  repair_verify_ndps() counts them, repair_verify_dp() names
 * the i-th; the states below are in this order.
 */
size_t repair_verify_ndps(const struct journal_entry *begin);
const char *repair_verify_dp(const struct journal_entry *begin, size_t i);

/* Fill states[repair_verify_ndps(begin)] from a snapshot of the site. */
void repair_verify_states(const struct snapshot *s, const struct journal_entry *begin,
    int *states);

/*
 * Write the end entry of the unfinished step begun as `begin`: result
 * interrupted, its output the note "interrupted; verified BY: P on D is
 * STATE" (one "on D is STATE" per cell, states as above).  0, or -1 with
 * *err.
 */
int repair_verify_close(const char *journal, const struct journal_entry *begin,
    const int *states, const char *by, char **err);

/* One unfinished step as --verify met it. */
struct repair_verified {
	struct journal_entry begin;
	int *states;    /* per cell (repair_verify_dp), as read; NULL when left */
	bool running;   /* its run holds its pair's lock: left open */
	bool closed;    /* its end entry was written */
	char *why;      /* why it was left open (cannot read, cannot write) */
};

struct repair_verify_list {
	struct repair_verified *v;
	size_t n;
};

/*
 * Every unfinished step of env->journal for the filter (NULL: all): unless
 * its run still holds the lock (env->lock_dir), read its cell's state from
 * the site (env->t) and close it with repair_verify_close().  A cell that
 * cannot be read leaves its step open (why says so).  0 with *out (free it
 * with repair_verify_list_free), or -1 with *err when the journal cannot
 * be read.
 */
int repair_verify(const struct repair_env *env, const struct journal_filter *only,
    const char *by, struct repair_verify_list *out, journal_warn_fn warn, void *ctx,
    char **err);
void repair_verify_list_free(struct repair_verify_list *l);

/* "installed", "not targeted", "unread", ... for a state as above. */
const char *repair_verify_state_label(int state);

/* "D1 is installed, D2 is failed" for a step's cells (malloc'd). */
char *repair_verify_states_text(const struct journal_entry *begin, const int *states);

#endif
