/*
 * Evidence gathering for the detail pane, in the background.  Opening the
 * pane on a cell starts a job that runs the backend's diagnose_cell()
 * through the status transport; moving to another cell or closing the pane
 * cancels it.  Partial evidence reaches the UI thread through a mutex: the
 * job's progress callback copies what it has, and the UI takes the copy on
 * its spinner tick.  A request outlives its job's delivery when the worker
 * is still inside a transport call, so finished requests are retired to a
 * list and freed once their worker has let go.
 */
#ifndef DPD_TUI_GATHER_H
#define DPD_TUI_GATHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/sms/diagnose.h"
#include "backend/sms/evidence.h"
#include "backend/sms/layout.h"

struct ui;

/* How long gathering may take before it is given up. */
#define GATHER_TIMEOUT_MS 60000

/* What the pane shows, owned by the UI thread. */
struct gather_view {
	bool running;               /* the job is in flight */
	int64_t started;            /* clock_mono_ms() at submit */
	const struct evidence *ev;  /* partial or final; NULL before any */
	const struct diagnosis *dx; /* final only; NULL while running */
	const char *error;          /* why gathering failed, else NULL */
	struct layout_cache *layouts; /* the site's learned layouts, or NULL */
	const char *primary;        /* the site server, or NULL */
};

/* Gather for (pkg, dp) of the board's snapshot unless that cell is already
 * the one gathered (or being gathered); cancels the previous request.
 * True when it started a new one. */
bool gather_want(struct ui *u, size_t pkg, size_t dp);
/* Start again for the same cell (after a refresh the user asked for). */
void gather_restart(struct ui *u);
/* The pane closed: cancel and forget. */
void gather_close(struct ui *u);
/* On the UI loop's tick: take partial evidence; true when it changed. */
bool gather_tick(struct ui *u);
/* Poll timeout while a job runs (spinner frames), else -1. */
int gather_timeout(const struct ui *u, int64_t now);
/* What to draw; false when nothing was asked for (pane closed). */
bool gather_view(const struct ui *u, struct gather_view *out);
/* A snapshot holding just the cell (pkg, dp) of s, for a job that must
 * not share the board's snapshot (the repair wizard diagnoses with it). */
struct snapshot *gather_snapshot(const struct snapshot *s, size_t pkg, size_t dp);
/* At exit, after jobs_free(): free everything. */
void gather_free(struct ui *u);

#endif
