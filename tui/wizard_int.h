/*
 * The repair wizard's insides, shared by its state machine (wizard.c), its
 * pages (wizard_page.c) and its background work (wizard_job.c).  One rule
 * keeps the threads apart: while w->job is set, the UI thread reads only
 * what the job does not write (the cells' names and states, the busy
 * title) plus the progress lines under w->lock; everything the job wrote
 * is read after its done callback ran on the UI thread.
 */
#ifndef DPD_TUI_WIZARD_INT_H
#define DPD_TUI_WIZARD_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/core/jobs.h"
#include "backend/core/model.h"
#include "backend/repair/journal.h"
#include "backend/repair/repair.h"
#include "backend/core/util.h"
#include "tui/scroll.h"
#include "tui/text.h"

struct ui;

/* Progress lines kept for the running step (the newest). */
#define WIZ_PROGRESS_LINES 8
/* How long diagnosing one cell may take. */
#define WIZ_DIAGNOSE_MS 60000

struct wiz_cell {
	char pkg[9];
	char *dp;
	int state;               /* State when the wizard opened; -1 not targeted */
	struct snapshot *snap;   /* the one cell, for the diagnose job */
	bool diagnosed;
	enum repair_plan plan;   /* suggested; PLAN_NONE: none */
	char *finding;           /* the finding's title */
	char *explanation;
	char *error;             /* why it could not be diagnosed */
};

struct wizard;

enum wiz_phase {
	WIZ_OFF,        /* repairs disabled: says why */
	WIZ_DIAGNOSE,   /* job: evidence and diagnosis for the cells */
	WIZ_PLAN,       /* one cell: choose the plan; a batch: its groups */
	WIZ_PREPARE,    /* job: repair_prepare */
	WIZ_OVERVIEW,   /* every step of the plan, before the first runs */
	WIZ_STEP,       /* one step, asking y/N/s/a */
	WIZ_RUNNING,    /* job: repair_exec_step */
	WIZ_FINISH,     /* job: repair_finish */
	WIZ_RECHECK,    /* job: repair_recheck, when a group starts */
	WIZ_SUMMARY,    /* a group's before -> after; Enter goes on */
	WIZ_DONE,       /* every group done */
};

/* What the state machine (wizard.c) does when a job is done, called on the
 * UI thread by the jobs' done callbacks: the jobs reach the state machine
 * only through this table, so wizard_job.c never calls up into wizard.c. */
struct wiz_followups {
	void (*diagnosed)(struct wizard *w);
	void (*prepared)(struct wizard *w, struct repair_run *run, const char *error);
	void (*executed)(struct wizard *w, enum repair_step_status st, char *why);
	void (*finished)(struct wizard *w, const char *error);
	void (*rechecked)(struct wizard *w, const char *error);
};

struct wizard {
	const struct wiz_followups *then;
	enum wiz_phase phase;
	char *off_reason;
	struct wiz_cell *cells;
	size_t ncells;
	bool batch;
	int plan_cur;             /* one cell: the plan chosen */
	struct repair_group *groups;
	size_t ngroups, unplanned, group;
	struct repair_env env;
	char run_id[JOURNAL_ID_MAX]; /* env.run_id: every group of a batch shares it */
	atomic_bool cancel;       /* env.cancel: abort after the current action */
	struct repair_run *run;   /* the current group's run */
	size_t step;              /* the step shown, or running */
	long last_step;           /* the step whose outcome is shown; -1 none */
	char *last_why;           /* what RS_CHANGED or RS_ERROR said */
	bool aborting;            /* no more steps and no more groups */
	bool stopped;             /* the current group's plan stopped */
	struct buf summary;       /* summaries of the groups done */
	size_t installed;         /* cells that ended installed */
	char *error;              /* the last job's error, shown on the page */
	char *busy;               /* what the running job does */
	int64_t busy_since;
	struct scroll scroll;     /* the page's */
	bool show_script;         /* step pages show the PowerShell (v toggles) */
	char *script;             /* step script_step's PowerShell, or why none */
	bool script_none;         /* script is the reason there is none */
	size_t script_step;
	struct ui *u;

	struct job *job;          /* in flight, else NULL */
	enum repair_answer answer; /* for the exec job */
	bool confirm_changed;
	/* Shared with the job thread. */
	pthread_mutex_t lock;
	char *lines[WIZ_PROGRESS_LINES];
	size_t nlines;
	unsigned gen, seen_gen;
	atomic_int diagnosed;     /* diagnose progress */
	struct job *in_run;       /* the job inside run(), for the sleep */
};

/* Jobs (wizard_job.c); each sets w->job, w->busy and the phase. */
void wiz_env_init(struct wizard *w);
void wiz_start_diagnose(struct wizard *w);
void wiz_start_prepare(struct wizard *w, enum repair_plan plan);
void wiz_start_exec(struct wizard *w, enum repair_answer ans, bool confirm_changed);
void wiz_start_finish(struct wizard *w);
/* A group starts: its cells' states are read again (repair_recheck), so a
 * cell healed meanwhile shows as no longer needed before the question. */
void wiz_start_recheck(struct wizard *w);
void wiz_progress_clear(struct wizard *w);


/* Pages (wizard_page.c). */
void wiz_page(struct wizard *w, struct text *t, int width, int64_t now);
/* Drop the step script kept for the page (the run changes or goes). */
void wiz_script_forget(struct wizard *w);

#endif
