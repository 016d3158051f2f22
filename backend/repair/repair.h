/*
 * Guided repair: the field write-up's fixes as plans of steps, and the
 * executor that carries them out one confirmed step at a time.  Plans and
 * steps are data (tables in repair.c): each step names its action, the
 * server it acts on, what it changes, the precondition re-checked right
 * before acting, its scope (servers touched, bytes sent and over which
 * link), how success is verified and what to do when it fails.  A run is
 * one plan over one or more cells (a batch groups cells that share a
 * plan); every step is journalled before and after it acts.  Everything
 * here blocks on the transport, so the UI calls it from job threads; the
 * confirmations happen between steps, on the caller's side.
 */
#ifndef DPD_REPAIR_H
#define DPD_REPAIR_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/sms/layout.h"
#include "backend/sms/plan.h"
#include "backend/transport/transport.h"
#include "backend/core/util.h"

/* X(ENUM, name, changes the site?, destructive?) -- what a step does. */
#define REPAIR_ACTION_TABLE(X) \
	X(RA_COPY_PCK, "copy-pck", true, false) \
	X(RA_SET_ATTRS, "set-pck-attrs", true, false) \
	X(RA_PRELOAD, "preload", true, false) \
	X(RA_REPUSH, "repush", true, false) \
	X(RA_DELETE_PKG_FILE, "delete-distmgr-pkg", true, true) \
	X(RA_RENAME_PCK, "rename-primary-pck", true, true) \
	X(RA_TOUCH_SOURCE, "touch-source-path", true, false) \
	X(RA_HAND_SHARE_ACL, "fix-share-acl-by-hand", false, false) \
	X(RA_HAND_SOURCE_DIR, "restore-source-by-hand", false, false) \
	X(RA_CHECK_SHARE_ACL, "check-share-acl", false, false) \
	X(RA_CHECK_SOURCE_DIR, "check-source-dir", false, false) \
	X(RA_WAIT_KNOWN, "wait-package-known", false, false) \
	X(RA_WAIT_REGENERATED, "wait-pck-regenerated", false, false) \
	X(RA_WAIT_INSTALLED, "wait-installed", false, false)

enum repair_action {
#define X(e, n, w, d) e,
	REPAIR_ACTION_TABLE(X)
#undef X
	RA_COUNT,
};

/* Batches ask once more above either threshold. */
#define REPAIR_BATCH_CELLS 10
#define REPAIR_BATCH_BYTES (UINT64_C(1) << 30)

const char *repair_plan_name(enum repair_plan p);
const char *repair_plan_title(enum repair_plan p);
/* What the plan is for and when to choose it (a paragraph). */
const char *repair_plan_about(enum repair_plan p);
int repair_plan_from_name(const char *name);     /* -1 when unknown */
size_t repair_plan_nsteps(enum repair_plan p);
const char *repair_action_name(enum repair_action a);
bool repair_action_changes(enum repair_action a);
bool repair_action_destructive(enum repair_action a);

/* What the caller provides.  repair_prepare() copies it: set everything
 * (dry_run, stop_on_failure, hooks) before preparing.  All strings and
 * pointers are borrowed for the run's life. */
struct repair_env {
	struct transport *t;      /* reaches the site server (DPs by UNC) */
	const char *site;         /* site code */
	const char *primary;      /* the site server */
	const char *provider;     /* SMS provider for WMI; NULL = t's host */
	/* Where SMS lives on each server (learned layouts, shared with the
	 * detail pane; NULL: each run learns them again) and the [server]
	 * settings that override them (sms_path, pck_path). */
	struct layout_cache *layouts;
	struct layout_overrides ov;
	const char *journal;      /* journal path; NULL = do not journal */
	/* The run id every journal entry of the run carries (journal.h); a
	 * batch gives each group's run the same one.  NULL: the run makes one. */
	const char *run_id;
	/* Where the per-pair locks live (repair_lock.h); NULL = take none.
	 * A run holds its pairs' locks from repair_prepare to repair_run_free,
	 * so a second run of a pair is refused while the first lives. */
	const char *lock_dir;
	bool dry_run;             /* run checks, change nothing */
	bool stop_on_failure;     /* a batch stops at the first failed cell */
	bool demo;                /* simulated site: hand steps can be simulated */
	int minute_ms;            /* wall ms per SMS minute: 60000, 1000 in the demo */
	/* Sleep for a wait step (NULL: nanosleep in slices, honouring cancel).
	 * Tests use it to move a frozen simulated clock instead. */
	void (*sleep_ms)(void *ctx, int ms);
	/* Demo only: carry out a hand step on the simulated site ("share-acl"
	 * on server, or "source-dir" for pkgid).  NULL: hand steps only verify. */
	int (*hand_fix)(void *hand_ctx, const char *what, const char *pkgid,
	    const char *server, char **err);
	void *hand_ctx;
	/* PreloadPkgOnSite.exe on a server, from its configuration
	 * (preload_exe), or NULL: then the preload op looks in the known
	 * install folders.  The hook may be NULL (no server configured). */
	const char *(*preload_exe)(const void *servers_ctx, const char *server);
	const void *servers_ctx;
	/* A line of progress or output while a step runs (job thread). */
	void (*progress)(void *ctx, const char *line);
	void *ctx;                /* for sleep_ms and progress */
	/* Checked after every sleep, transport call and unit of a step; raise it
	 * (from any thread) to stop the run at the next check. May be NULL. */
	const atomic_bool *cancel;
};

/* One cell to repair. */
struct repair_cell {
	const char *package_id;
	const char *dp;
};

/* How a step ended for one cell. */
enum repair_outcome {
	RO_PENDING = 0,  /* not run yet */
	RO_OK,           /* done and verified */
	RO_NOT_NEEDED,   /* precondition says it is done already (e.g. identical PCK) */
	RO_SKIPPED,      /* the administrator chose skip */
	RO_DECLINED,     /* the administrator said no: the plan stops for this cell */
	RO_FAILED,       /* the action or its verification failed */
	RO_DRY_RUN,      /* checks ran; the action was not */
	RO_DROPPED,      /* an earlier step failed or was declined for this cell */
	RO_REFUSED,      /* read-only mode: the backend refused the change */
	RO_INTERRUPTED,  /* a signal (env.cancel) stopped it: its effect may be partial */
	RO_ABORTED,      /* the administrator aborted the run at this step */
};
const char *repair_outcome_name(enum repair_outcome o);

/* A step as shown before it runs: all text, filled in with the cells' facts
 * (paths, commands, sizes).  For a batch, `where`/`command`/`sends` show
 * the first cell, `scope` the whole group's total, `count` how many cells
 * the step covers, and repair_step_cells() each cell's line. */
struct repair_step_view {
	enum repair_action action;
	int number;               /* 1-based */
	const char *title;        /* "Copy the PCK from the primary to the DP" */
	char *where;              /* server(s) acted on */
	char *command;            /* in short: a summary for people, not what is
	                           * sent (that is repair_step_script()) */
	char *sends;              /* which op goes to which server over which
	                           * transport, and how; or why nothing does */
	char *changes;            /* what it changes, or "nothing (a check)" */
	char *precondition;       /* what is re-checked right before acting */
	char *scope;              /* servers touched; bytes and links; caveats */
	char *verify;             /* how success is verified */
	char *on_failure;         /* what to do when it fails */
	char *on_skip;            /* what skipping it leaves behind (the copy before a
	                           * preload: the DP's old PCK is used), or NULL */
	const char *when;         /* NULL: always runs; else the earlier answer it
	                           * runs on ("only if PreloadPkgOnSite answers
	                           * 'already set in the database'") */
	bool changes_site;
	bool destructive;
	bool hand;                /* done by the administrator, not by dpdoctor */
	bool wait;                /* a wait: changes nothing, asks nothing, counts down */
	size_t count;             /* cells it covers */
	uint64_t bytes;           /* bytes it sends in total (0 = none) */
};

/* Per cell, after each step. */
struct repair_cell_result {
	char *package_id;
	char *dp;
	int state_before;         /* State when the run was prepared (-1 unknown) */
	int state_after;          /* after repair_finish (-1 unknown, -2 gone) */
	enum repair_outcome *step; /* one per step */
	char **message;           /* one per step: what happened, for the UI */
	char *output;             /* what the last step that ran printed (PreloadPkgOnSite's
	                           * lines); NULL when it printed nothing */
	bool active;              /* still going through the plan */
};

struct repair_run;

/* Survey the cells (read-only: status of the package, the primary's PCK,
 * targets of destructive steps) and lay out the plan's steps.  Blocking.
 * 0, or -1 with *err (unknown package or DP, site unreachable). */
int repair_prepare(const struct repair_env *env, enum repair_plan plan,
    const struct repair_cell *cells, size_t ncells, struct repair_run **out,
    char **err);
void repair_run_free(struct repair_run *r);

enum repair_plan repair_run_plan(const struct repair_run *r);
/* The run id its journal entries carry. */
const char *repair_run_id(const struct repair_run *r);
size_t repair_nsteps(const struct repair_run *r);
const struct repair_step_view *repair_step(const struct repair_run *r, size_t i);
size_t repair_ncells(const struct repair_run *r);
const struct repair_cell_result *repair_cell(const struct repair_run *r, size_t i);
/* Step i for each cell, one line each: "ID on DP: on SERVER, what; bytes",
 * or what became of it ("no longer needed: installed since the plan was
 * made").  Malloc'd. */
char *repair_step_cells(const struct repair_run *r, size_t i);
/* Read the cells' states again before the next step is asked (when a
 * batch group starts): a cell installed meanwhile is marked not needed
 * and drops out, so the page shows it before the question.  Blocking;
 * 0, or -1 with *err. */
int repair_recheck(struct repair_run *r, char **err);
/* Total bytes the whole plan sends (over all cells and DPs). */
uint64_t repair_total_bytes(const struct repair_run *r);
/* "2.0 KB", "1.2 GB": bytes for people.  Returns out. */
const char *repair_size_human(uint64_t n, char out[static 16]);
/* Plan-wide caveats (e.g. "RefreshNow may act like RefreshPkgSource"),
 * one per line, or "" */
const char *repair_caveats(const struct repair_run *r);

/*
 * What step i really sends: the PowerShell of each op it sends, built by
 * the very code the executor builds its ops with and rendered as a
 * Windows host gets it (ops_render: "# dpdoctor op=NAME v=1", the
 * argument block, the body), for the run's first active cell (the first
 * cell when none is).  A step of several ops (touching the source path
 * saves twice) gives their scripts one after the other, in order.
 * Malloc'd; NULL with *err saying why when the step sends nothing that
 * changes the site (done by hand, a check, a wait) or an op would be
 * refused before sending.  Reads nothing from the site.
 */
char *repair_step_script(const struct repair_run *r, size_t i, char **err);

/* The administrator's answer to a step. */
enum repair_answer {
	RA_YES,
	RA_NO,      /* do not run it; the plan stops (default) */
	RA_SKIP,    /* do not run it; go on with the next step */
	RA_ABORT,   /* stop the whole run */
};

/* What running a step came to. */
enum repair_step_status {
	RS_DONE,      /* ran for every active cell (see per-cell outcomes) */
	RS_CHANGED,   /* a destructive step's target changed since it was shown:
	               * nothing was done; ask again, then call with confirm_changed */
	RS_STOPPED,   /* no, abort, cancel, or a failed cell with stop_on_failure:
	               * the run is over */
	RS_ERROR,     /* the journal could not be written, or a status read failed.
	               * A begin entry that could not be written (or reserved):
	               * the step did nothing.  An end entry: the step ran, its
	               * outcomes are set (repair_cell), and *why says it ran */
};

/*
 * Run step i (in order) for every active cell, after the administrator
 * answered.  Journals a begin entry before acting and an end entry after,
 * per cell.  On RS_CHANGED *why says what changed, on RS_ERROR what failed
 * (the journal, or a status read).  Blocking.
 */
enum repair_step_status repair_exec_step(struct repair_run *r, size_t i,
    enum repair_answer ans, bool confirm_changed, char **why);

/* Does step i run for any active cell?  false for a branch no cell took
 * (a step `when` an answer no cell got): the wizard need not ask; running
 * it with any answer but abort journals it as not needed, with the reason. */
bool repair_step_needed(const struct repair_run *r, size_t i);

/*
 * Leave the run at the step it would offer next, as when the UI is closed
 * under it (Ctrl-C in the wizard): that step is journalled "aborted" with
 * why for every active cell -- so the journal tells the plan was abandoned
 * there, rather than ending at the last step done -- and the run is over.
 * Nothing is sent to the site.  No-op when the run is over.  0, or -1 with
 * *err when the journal could not be written.
 */
int repair_abandon(struct repair_run *r, const char *why, char **err);

/* No step can run any more: the plan ended, was stopped, or every cell
 * dropped out (failed, declined, or installed already). */
bool repair_over(const struct repair_run *r);

/* Re-read the cells' states after the run (fills state_after).  Blocking. */
int repair_finish(struct repair_run *r, char **err);
/* Every cell ended installed. */
bool repair_all_installed(const struct repair_run *r);
/* One line per cell that needed repair: "00900012 on LEEDSDP01: Install
 * retrying (3) -> Installed (0)", and each step with its outcome and the
 * other cells it affected (under the cell's line; in a batch, after every
 * cell's line, under "  the steps for ID on DP:").  A batch, or a run with
 * installed cells, starts with "N cells needed repair (M installed
 * already, left out):". */
char *repair_summary(const struct repair_run *r);

/* ---- batches -------------------------------------------------------- */

/* Marked cells grouped by plan (in plan table order). */
struct repair_group {
	enum repair_plan plan;
	struct repair_cell *cells;
	size_t ncells;
};

/* Group cells whose suggested plans are given (plans[i] for cells[i];
 * PLAN_NONE = no plan: left out, counted in *unplanned).  Groups and their
 * cell arrays are malloc'd; strings stay borrowed. */
size_t repair_group(const struct repair_cell *cells, const enum repair_plan *plans,
    size_t n, struct repair_group **out, size_t *unplanned);
void repair_groups_free(struct repair_group *g, size_t n);
/* A batch this big asks once more. */
bool repair_batch_large(size_t ncells, uint64_t bytes);

#endif
