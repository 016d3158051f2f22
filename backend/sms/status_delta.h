/*
 * Delta refresh: after a full status read, a refresh asks only for the
 * rows whose SummaryDate (cells) or SourceDate (packages) is at least the
 * watermark less a safety overlap, and merges them into a copy of the
 * snapshot on screen; every full_refresh_every-th read, one the user asks
 * for, and the one after the provider's clock went back are full (they
 * alone see deletions).  The state lives on the UI thread; a read runs on
 * a worker with a plan taken from it and the base snapshot, which nobody
 * changes while the read runs (snapshots are immutable).
 */
#ifndef DPD_STATUS_DELTA_H
#define DPD_STATUS_DELTA_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/core/model.h"
#include "backend/transport/transport.h"

/* Clock skew allowed between the machine that stamps SummaryDate (the
 * status summarizer on the site server, through SQL) and the provider
 * whose Get-Date gives the reply's Now: 5 minutes is the most a working
 * Windows domain tolerates (Kerberos' default maximum skew), and a row
 * stamped just before a read but committed just after is seconds old. */
#define STATUS_DELTA_OVERLAP 300
#define STATUS_DELTA_FULL_EVERY 20

enum status_read {
	STATUS_READ_FULL,
	STATUS_READ_DELTA,
};

/* Why a read is full.  X(ENUM, words for the status line) */
#define STATUS_FULL_WHY_TABLE(X) \
	X(STATUS_FULL_FIRST, "first read") \
	X(STATUS_FULL_ASKED, "full read") \
	X(STATUS_FULL_EVERY, "full read") \
	X(STATUS_FULL_CLOCK, "site clock went back: full read") \
	X(STATUS_FULL_ALWAYS, "full read")

enum status_full_why {
#define X(e, w) e,
	STATUS_FULL_WHY_TABLE(X)
#undef X
	STATUS_FULL_WHY_COUNT,
};

struct status_delta {
	dpd_time watermark;       /* newest SummaryDate seen, never past `now` */
	dpd_time last_now;        /* the last reply's T row (provider clock) */
	unsigned deltas;          /* delta reads since the last full one */
	unsigned full_every;      /* 0 or 1: every read is full */
	bool want_full;           /* asked for (r) or the clock went back */
	enum status_full_why why; /* why, when want_full */
};

/* What the next read is: taken on the UI thread, handed to the worker. */
struct status_plan {
	enum status_read kind;
	enum status_full_why why; /* for a full read */
	dpd_time since;           /* for a delta */
};

/* What a read gave: the snapshot to show (a full read's, or the base with
 * the delta merged) and what to say about it. */
struct status_outcome {
	struct snapshot *snap;
	struct status_plan plan;
	size_t changed;           /* cell rows in the delta */
	size_t fetched;           /* unknown packages read one by one */
	dpd_time newest;          /* newest SummaryDate in the reply (0: none) */
	dpd_time now;             /* the reply's Now */
};

void status_delta_init(struct status_delta *d, unsigned full_every);
/* The next read is full (the user asked: r, F5). */
void status_delta_ask_full(struct status_delta *d);
struct status_plan status_delta_plan(const struct status_delta *d);
/* On the worker: run the plan against base (may be NULL: then full).
 * 0 and out filled, or -1 and *err. */
int status_delta_read(const struct status_plan *plan, const struct snapshot *base,
    struct transport *t, const char *site, const char *provider,
    const struct deadline *dl, struct status_outcome *out, char **err);
/* On the UI thread, after a read was shown: move the watermark and the
 * count.  True when the provider's clock went back (the next read is full). */
bool status_delta_commit(struct status_delta *d, const struct status_outcome *o);
/* The base with the delta's packages and cells merged, as a new snapshot:
 * cells updated in place, new packages, DPs and cells after the others. */
struct snapshot *status_delta_merge(const struct snapshot *base, const struct snapshot *delta);
/* A few words for the status line ("Δ 12 changed", "full read"). */
char *status_delta_words(const struct status_outcome *o, bool clock_back);

#endif
