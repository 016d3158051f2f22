/*
 * The repair executor's insides, shared by the plans and survey (repair.c),
 * the table of actions (repair_steps.c), the engine (repair_exec.c) and
 * what they all need from the world (repair_env.c).  Calls point one way:
 * exec -> repair -> steps -> env.  A run holds the facts surveyed
 * when the plan was made (per package and per cell), so that each step's
 * text can be filled in and each destructive step can tell whether its
 * target changed since the administrator saw it.
 */
#ifndef DPD_REPAIR_INT_H
#define DPD_REPAIR_INT_H

#include "backend/repair/repair.h"
#include "backend/repair/repair_lock.h"
#include "backend/repair/journal.h"
#include "backend/core/model.h"
#include "backend/ops/ops.h"
#include "backend/core/util.h"

/* What a file looked like: enough to notice that it changed. */
struct fingerprint {
	bool known;
	bool present;
	uint64_t size;
	dpd_time when;
	uint32_t attrs;            /* EV_ATTR_* (not compared: setting them is a step) */
};

/* One package of the run, as the status query and the primary showed it. */
struct rpkg {
	char id[9];
	char *source_path;
	char *pck_path;            /* the primary's PCK, as the WMI host reaches it (the
	                            * primary's own path, or \\PRIMARY\X$\... when the
	                            * WMI host is another machine) */
	uint32_t source_version;
	uint32_t stored_version;
	uint32_t stored_before;    /* StoredPkgVersion when a wait for regeneration began */
	struct fingerprint pck;    /* the primary's PCK when the plan was made */
	size_t ndps;               /* DPs the package is on (all get a regenerated PCK) */
	char **dps;                /* their names, for the summary's "also affected" */
	char *renamed_to;          /* what RA_RENAME_PCK renames the PCK to */
};

/* What PreloadPkgOnSite last answered for a cell: a later step may run
 * only on one answer (the seed: delete the stale PKG only when it says
 * "already set in the database"). */
enum preload_answer { ANSWER_NONE, ANSWER_OK, ANSWER_ALREADY_SET, ANSWER_OTHER };

/* When a plan's step runs. X(ENUM, the answer it needs, words for the page) */
#define STEP_WHEN_TABLE(X) \
	X(WHEN_ALWAYS, ANSWER_NONE, NULL) \
	X(WHEN_ALREADY_SET, ANSWER_ALREADY_SET, \
	  "only if PreloadPkgOnSite answers 'already set in the database'")

enum step_when {
#define X(e, a, w) e,
	STEP_WHEN_TABLE(X)
#undef X
};
/* The answer step_when w needs, and its words (NULL for always): here, from
 * the table, because the plans, the actions and the engine all ask (a
 * function in repair.c would have the actions call up the stack). */
static inline enum preload_answer
repair_when_answer(enum step_when w)
{
	switch (w) {
#define X(e, a, wd) case e: return a;
	STEP_WHEN_TABLE(X)
#undef X
	}
	return ANSWER_NONE;
}

static inline const char *
repair_when_words(enum step_when w)
{
	switch (w) {
#define X(e, a, wd) case e: return wd;
	STEP_WHEN_TABLE(X)
#undef X
	}
	return NULL;
}

struct rcell {
	struct repair_cell_result res;   /* what the caller sees */
	struct rpkg *pkg;
	/* Where the cell's files are: the DP's kind for the package, the
	 * server holding its PCK, inboxes and log (the DP itself, or its child
	 * site's server for a plain DP of a child site) with that server's
	 * layout, and the DP's own layout (its share). */
	enum dp_kind kind;
	char site[4];                    /* the DP's site code ("" unknown) */
	char *sms_server;
	struct layout sms;
	struct layout dpl;
	char *layout_err;                /* why sms's folders are not known, or NULL */
	enum preload_answer answer;      /* PreloadPkgOnSite's last answer */
	size_t answer_step;              /* the step that got it (0-based) */
	struct fingerprint dmpkg;        /* distmgr.box\<id>.PKG when the plan was made */
	/* The PCK the cell's SMS server holds already (plans that copy one):
	 * one of another size or older than the primary's is replaced, so its
	 * bytes cross; the preload would use it if the copy is skipped. */
	struct fingerprint dppck;
	int state_now;                   /* from the last status read; -2 gone */
	bool healed;                     /* installed before any step ran for it (it
	                                  * healed between the plan and its group's
	                                  * start): it needed no repair */
};

struct repair_run {
	struct repair_env env;
	char run_id[JOURNAL_ID_MAX];     /* env.run_id, or one of its own */
	enum repair_plan plan;
	enum repair_action *steps;
	enum step_when *when;            /* per step */
	struct repair_step_view *views;
	size_t nsteps;
	struct rpkg *pkgs;
	size_t npkgs;
	struct rcell *cells;
	size_t ncells;
	char *caveats;
	size_t next;                     /* the next step to run */
	bool over;                       /* stopped, aborted or finished */
	char *last_progress;
	struct repair_lock **locks;      /* one per distinct pair (env.lock_dir) */
	size_t nlocks;
};

/* What an action works on: once per cell, once per package (touching a
 * source path once covers every DP), once per DP server, or all cells at
 * once (waits poll one status query for everyone). */
enum repair_unit { UNIT_CELL, UNIT_PACKAGE, UNIT_SERVER, UNIT_HOLDER, UNIT_ALL };
/* UNIT_HOLDER: once per package and SMS server -- the PCK copied to, and
 * preloaded on, a child site's server once for all its DPs. */

/* The state of one unit's execution, for pre/act/verify. */
struct step_ctx {
	struct repair_run *run;
	struct rcell *cell;              /* the unit's first cell */
	size_t step;                     /* index in the plan */
	struct buf msg;                  /* what happened, one line */
	struct buf out;                  /* output worth keeping (preload lines) */
#define STEP_PARAMS_MAX 10
	const char *param_keys[STEP_PARAMS_MAX];   /* for the journal */
	char *param_values[STEP_PARAMS_MAX];
	size_t nparams;
	bool refused;                    /* read-only mode refused an op */
};

/* repair.c: do two cells belong to the same unit of an action?  Is cell i
 * the first of its unit (so each unit is counted and run once)? */
bool repair_same_unit(enum repair_unit u, const struct rcell *a, const struct rcell *b);
bool repair_unit_first(const struct repair_run *r, enum repair_unit u, size_t i);

/* 0: go on / done; 1: nothing to do (already so); -1: failed (msg says why). */
typedef int (*step_fn)(struct step_ctx *x);

struct action_def {
	const char *title;
	enum repair_unit unit;
	bool hand;
	/* Templates; {KEY}s are filled in per cell (see repair_expand).
	 * `command` is a summary for people ("in short"); what is sent is
	 * the ops (repair_step_op) and their scripts (repair_step_script). */
	const char *where;
	const char *command;
	const char *changes;
	const char *precondition;
	const char *scope;
	const char *verify;
	const char *on_failure;
	step_fn pre;                     /* re-checked right before acting */
	step_fn act;                     /* the change (not in a dry run) */
	step_fn check;                   /* verification after act */
	/* UNIT_ALL: the whole step (waits); sets each active cell's outcome. */
	void (*run_all)(struct repair_run *r, size_t step);
	uint64_t (*bytes)(const struct rcell *c);   /* sent per unit, or NULL */
};

/* repair_steps.c: what the cell's SMS server holds of the package's PCK,
 * against the primary's (from the survey), and its words for the pages:
 * "an older PCK (2026-01-02T03:04:05Z, 2.0 KB)".  Malloc'd. */
enum pck_held { HELD_UNKNOWN, HELD_NONE, HELD_SAME, HELD_OLDER, HELD_OTHER };
enum pck_held repair_pck_held(const struct rcell *c);
char *repair_pck_held_words(const struct rcell *c);
/* What skipping step `step` leaves cell c with, as the step's outcome
 * message ("skipped by the administrator: the preload will use the PCK
 * already on X, an OLDER PCK (...)"), or NULL when skipping it costs
 * nothing worth saying.  Only the copy before a preload has one. */
char *repair_skip_note(const struct repair_run *r, const struct rcell *c, size_t step);

/* repair_steps.c: the actions, and their text filled in for a cell
 * (unknown {KEY}s stay as they are). */
extern const struct action_def repair_actions[RA_COUNT];
char *repair_expand(const struct repair_run *r, const struct rcell *c, const char *tmpl);

/* An op an action sends, and the strings its arguments point into. */
struct step_op {
	struct op op;
	char *own[4];
	size_t nown;
};
/* repair_steps.c: how many ops action a sends per unit (0: a hand step,
 * a check or a wait, which change nothing), and op n of them for cell c,
 * built with the run's facts exactly as the executor sends it: the
 * executor and the step page's script (repair_step_script) both build
 * their ops here.  Free with step_op_free. */
size_t repair_step_nops(enum repair_action a);
void repair_step_op(const struct repair_run *r, const struct rcell *c, enum repair_action a,
    size_t n, struct step_op *out);
void step_op_free(struct step_op *o);

/* repair_env.c, below the rest.  A deadline for one remote call (the env's cancel flag, ms from now). */
struct deadline repair_deadline(const struct repair_run *r, int64_t ms);
/* Read the states of the run's cells (one status query per package);
 * fills state_now.  Honours the cancel flag unless `final` (the re-read
 * after a cancelled run must still happen).  0, or -1 with *err. */
int repair_read_states(struct repair_run *r, bool final, char **err);
/* A progress line for the caller; a line equal to the last one is dropped. */
void repair_progress(struct repair_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Sleep ms (env hook, or slices honouring cancel).  false when cancelled. */
bool repair_sleep(const struct repair_run *r, int ms);
bool repair_cancelled(const struct repair_run *r);
void step_param(struct step_ctx *x, const char *key, const char *value);
/* Paths on the cell's SMS server (its PCK folder, its distmgr.box), as the
 * WMI host reaches them (\\SERVER\D$\...), from its layout; malloc'd,
 * NULL when the layout does not say (c->layout_err, or repair_path_why). */
char *repair_dp_pck(const struct rcell *c);
char *repair_dp_dmpkg(const struct rcell *c);
/* Why repair_dp_pck (pck true) or repair_dp_dmpkg gave NULL, naming the
 * server and the setting that would tell it.  Malloc'd. */
char *repair_path_why(const struct rcell *c, bool pck);
/* The site_env the run's evidence calls and layout look-ups take. */
struct site_env repair_site_env(const struct repair_run *r);
/* Read a file's fingerprint through pathinfo. 0 or -1 with *err. */
int repair_fingerprint(const struct repair_run *r, const struct rcell *c,
    const char *path, struct fingerprint *fp, char **err);

#endif
