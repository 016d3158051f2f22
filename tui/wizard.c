/*
 * The repair wizard's state machine (see wizard.h and wizard_int.h for the
 * phases).  Keys move it between phases; jobs (wizard_job.c) come back
 * through the wiz_*ed() functions here.  Every question that changes a
 * server defaults to no: Enter at a step is "no", and a batch asks once per
 * group, and once more when it is large (repair_batch_large()), through
 * the generic dialog.
 */
#include "autoconf.h"
#include "tui/wizard.h"
#include "tui/wizard_int.h"
#include "tui/dialog.h"
#include "tui/draw.h"
#include "tui/gather.h"
#include "tui/glyph.h"
#include "tui/ui.h"
#include "tui/view_ops.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void wiz_ask_group(struct wizard *w);
static void wiz_next_group(struct wizard *w);
static void wiz_keys_accepted(struct ui *u, enum ui_event ev, void *arg);
static void wiz_diagnosed(struct wizard *w);
static void wiz_prepared(struct wizard *w, struct repair_run *run, const char *error);
static void wiz_executed(struct wizard *w, enum repair_step_status st, char *why);
static void wiz_finished(struct wizard *w, const char *error);
static void wiz_rechecked(struct wizard *w, const char *error);
static bool wiz_close(struct ui *u);
static size_t wiz_active(const struct wizard *w);

static const struct wiz_followups wiz_then = {
	wiz_diagnosed, wiz_prepared, wiz_executed, wiz_finished, wiz_rechecked,
};

static struct wizard *
wiz_new(struct ui *u)
{
	struct wizard *w = xcalloc(1, sizeof *w);
	w->then = &wiz_then;
	w->u = u;
	w->last_step = -1;
	scroll_init(&w->scroll);
	atomic_init(&w->cancel, false);
	atomic_init(&w->diagnosed, 0);
	pthread_mutex_init(&w->lock, NULL);
	buf_init(&w->summary);
	buf_adds(&w->summary, "");
	return w;
}

static void
wiz_free(struct wizard *w)
{
	ui_unlisten(w->u, wiz_keys_accepted, w);
	for (size_t i = 0; i < w->ncells; i++) {
		snapshot_free(w->cells[i].snap);
		free(w->cells[i].dp);
		free(w->cells[i].finding);
		free(w->cells[i].explanation);
		free(w->cells[i].error);
	}
	free(w->cells);
	repair_groups_free(w->groups, w->ngroups);
	repair_run_free(w->run);
	wiz_progress_clear(w);
	pthread_mutex_destroy(&w->lock);
	buf_free(&w->summary);
	wiz_script_forget(w);
	free(w->off_reason);
	free(w->last_why);
	free(w->error);
	free(w->busy);
	free(w);
}

/* Take the detail pane's diagnosis when it is for this cell. */
static void
wiz_take_pane(struct ui *u, struct wiz_cell *c)
{
	struct gather_view gv;
	if (ui_top(u) != UI_VIEW_DETAIL || !gather_view(u, &gv) || gv.dx == NULL ||
	    gv.ev == NULL || strcmp(gv.ev->pkgid, c->pkg) != 0 ||
	    strcmp(gv.ev->dp, c->dp) != 0 || gv.dx->nfindings == 0)
		return;
	const struct finding *f = &gv.dx->findings[0];
	c->finding = xstrdup(f->title);
	c->explanation = f->explanation ? xstrdup(f->explanation) : NULL;
	c->plan = f->plan;
	c->diagnosed = true;
}

static void
wiz_add_cell(struct wizard *w, size_t pkg, size_t dp, size_t *cap)
{
	const struct snapshot *s = w->u->board.snap;
	if (w->ncells == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		w->cells = xreallocarray(w->cells, *cap, sizeof *w->cells);
	}
	struct wiz_cell *c = &w->cells[w->ncells++];
	memset(c, 0, sizeof *c);
	snprintf(c->pkg, sizeof c->pkg, "%s", s->pkgs[pkg].id);
	c->dp = xstrdup(s->dps[dp].name);
	const struct cell *k = snapshot_cell(s, pkg, dp);
	c->state = k ? (int)k->state : -1;
	c->plan = PLAN_COUNT;
	wiz_take_pane(w->u, c);
	if (!c->diagnosed)
		c->snap = gather_snapshot(s, pkg, dp);
}

/* The marked cells still in the snapshot, else the cursor cell. */
static void
wiz_collect(struct wizard *w)
{
	const struct board *b = &w->u->board;
	const struct snapshot *s = b->snap;
	size_t cap = 0;
	for (size_t i = 0; i < b->marks.n; i++) {
		long p = snapshot_find_pkg(s, b->marks.v[i].pkg);
		long d = snapshot_find_dp(s, b->marks.v[i].dp);
		if (p >= 0 && d >= 0)
			wiz_add_cell(w, (size_t)p, (size_t)d, &cap);
	}
	w->batch = w->ncells > 0;
	size_t pkg, dp;
	if (w->ncells == 0 && board_cursor(b, &pkg, &dp))
		wiz_add_cell(w, pkg, dp, &cap);
}

/*
 * The wizard closes under a plan in progress -- Ctrl-C above all, which
 * ends dpdoctor at once: the step it would offer next is journalled
 * "aborted" for every cell still in the run, with the reason as a
 * parameter, so the journal tells the run was abandoned there and by what,
 * instead of stopping after the last step done as if a crash had cut it
 * (aborted, not interrupted: nothing was running and nothing was sent).
 * Only once a step is offered (the plan's overview offers none yet), and
 * not while a step runs: the cancelled job journals that step interrupted.
 */
static void
wiz_abandon(struct ui *u, struct wizard *w)
{
	if (w->run == NULL || w->job != NULL || w->phase != WIZ_STEP || repair_over(w->run))
		return;
	int sig = u->exit_code > 128 ? u->exit_code - 128 : 0;
	char *why = sig == SIGINT ? xstrdup("wizard closed by Ctrl-C") :
	    sig != 0 ? xasprintf("wizard closed by signal %d", sig) :
	    xstrdup(u->quit ? "wizard closed: dpdoctor quit" : "wizard closed");
	char *err = NULL;
	if (repair_abandon(w->run, why, &err) != 0 && !u->quit)
		ui_message(u, UI_ROLE_ERROR, "journal: %s", err ? err : "cannot be written");
	free(err);
	free(why);
}

static void
wiz_free_ui(struct ui *u)
{
	if (u->wizard == NULL)
		return;
	wiz_abandon(u, u->wizard);
	wiz_free(u->wizard);
	u->wizard = NULL;
}

/* A new wizard on the marked cells, else the cursor cell, diagnosing them. */
static void
wiz_start(struct ui *u)
{
	struct wizard *w = wiz_new(u);
	u->wizard = w;
	u->dirty |= UI_DIRTY_ALL;
	/* Host keys accepted while the plan is chosen: diagnose again. */
	ui_listen(u, UI_EVENT_HOSTKEYS_ACCEPTED, wiz_keys_accepted, w);
	wiz_collect(w);
	if (u->opt->read_only || u->opt->repair == NULL) {
		w->phase = WIZ_OFF;
		w->off_reason = xstrdup(u->opt->read_only ? "read-only: repairs are disabled" :
		    "repairs are not available for this status source");
		ui_message(u, UI_ROLE_WARNING, "%s", w->off_reason);
		return;
	}
	wiz_env_init(w);
	if (w->ncells == 0) {
		w->phase = WIZ_OFF;
		w->off_reason = xstrdup("no cell under the cursor and none marked");
		return;
	}
	wiz_start_diagnose(w);
}

/* R on one cell (nothing marked) that needs no repair says so at once, as
 * `dpdoctor repair` does, instead of diagnosing it first. */
static bool
wiz_nothing_to_repair(struct ui *u)
{
	const struct board *b = &u->board;
	size_t pkg, dp;
	if (b->marks.n > 0 || u->opt->read_only || !board_cursor(b, &pkg, &dp))
		return false;
	const char *why = marks_refusal(snapshot_cell(b->snap, pkg, dp));
	if (why == NULL)
		return false;
	ui_message(u, UI_ROLE_INFO, "%s on %s: %s", b->snap->pkgs[pkg].id,
	    b->snap->dps[dp].name, why);
	return true;
}

static bool
wiz_open(struct ui *u)
{
	if (u->wizard != NULL && u->wizard->job != NULL)
		return true; /* back to the run in progress */
	wiz_free_ui(u);
	if (u->board.snap == NULL) {
		ui_message(u, UI_ROLE_INFO, "no status yet");
		return false;
	}
	if (wiz_nothing_to_repair(u))
		return false;
	wiz_start(u);
	return true;
}

static void
wiz_keys_accepted(struct ui *u, enum ui_event ev, void *arg)
{
	struct wizard *w = arg;
	(void)ev;
	if (w->job != NULL || w->phase != WIZ_PLAN || ui_top(u) != UI_VIEW_WIZARD)
		return;
	/* Nothing has run yet: the same cells, diagnosed again from scratch. */
	wiz_free_ui(u);
	wiz_start(u);
}

/* After diagnosing: a batch is grouped by suggested plan; one cell is a
 * group of one whose plan the administrator may change. */
static void
wiz_diagnosed(struct wizard *w)
{
	struct repair_cell *rc = xreallocarray(NULL, w->ncells, sizeof *rc);
	enum repair_plan *plans = xreallocarray(NULL, w->ncells, sizeof *plans);
	for (size_t i = 0; i < w->ncells; i++) {
		snapshot_free(w->cells[i].snap);
		w->cells[i].snap = NULL;
		rc[i] = (struct repair_cell){ w->cells[i].pkg, w->cells[i].dp };
		/* One cell may take any plan: group it under its suggestion or
		 * the first plan, and let the plan page change it. */
		plans[i] = w->cells[i].plan;
		if (!w->batch && plans[i] == PLAN_COUNT)
			plans[i] = (enum repair_plan)0;
	}
	w->ngroups = repair_group(rc, plans, w->ncells, &w->groups, &w->unplanned);
	w->plan_cur = w->ngroups > 0 ? (int)w->groups[0].plan : 0;
	free(rc);
	free(plans);
	w->phase = WIZ_PLAN;
	scroll_home(&w->scroll);
	w->u->dirty |= UI_DIRTY_ALL;
}

static void
wiz_prepared(struct wizard *w, struct repair_run *run, const char *error)
{
	scroll_home(&w->scroll);
	w->u->dirty |= UI_DIRTY_ALL;
	if (run == NULL && w->batch) {
		/* The group is reported and the batch goes on with the next. */
		buf_printf(&w->summary, "%s%s: not prepared: %s\n", w->summary.len ? "\n" : "",
		    repair_plan_title(w->groups[w->group].plan), error ? error : "failed");
		wiz_next_group(w);
		return;
	}
	if (run == NULL) {
		free(w->error);
		w->error = xstrdup(error ? error : "the plan could not be prepared");
		w->phase = WIZ_PLAN; /* another plan may do */
		return;
	}
	repair_run_free(w->run);
	wiz_script_forget(w);
	w->run = run;
	w->step = 0;
	w->last_step = -1;
	w->stopped = false;
	w->phase = WIZ_OVERVIEW;
	if (w->batch)
		wiz_ask_group(w);
}

static size_t
wiz_active(const struct wizard *w)
{
	size_t n = 0;
	for (size_t i = 0; i < repair_ncells(w->run); i++)
		n += repair_cell(w->run, i)->active;
	return n;
}

/* Show step w->step.  A wait changes nothing and has nothing to decide:
 * it runs at once, its countdown in place of the question. */
static void
wiz_enter_step(struct wizard *w)
{
	w->phase = WIZ_STEP;
	w->u->dirty |= UI_DIRTY_ALL;
	const struct repair_step_view *v = repair_step(w->run, w->step);
	if (v != NULL && v->wait && !w->aborting)
		wiz_start_exec(w, RA_YES, false);
}

/* The group's cells were read again: those installed meanwhile show as no
 * longer needed on the first step's page; with none left, the group ends. */
static void
wiz_rechecked(struct wizard *w, const char *error)
{
	if (error != NULL) {
		free(w->error);
		w->error = xasprintf("the cells could not be read again: %s", error);
	}
	if (wiz_active(w) == 0) {
		wiz_start_finish(w);
		return;
	}
	wiz_enter_step(w);
}

static const struct dialog_choice wiz_yes_no[] = {
	{ KEY_ACTION_YES, "[y]es", 0 },
	{ KEY_ACTION_NO, "[N]o", DIALOG_ENTER | DIALOG_ESC },
};
#define WIZ_NYES_NO (sizeof wiz_yes_no / sizeof wiz_yes_no[0])

/* Starting a group changes nothing by itself (every step is asked), so
 * Enter starts it; n skips the group, as n at a step stops it there. */
static const struct dialog_choice wiz_group_choices[] = {
	{ KEY_ACTION_YES, "[Y]es, start", DIALOG_ENTER },
	{ KEY_ACTION_NO, "[n]o, skip this group", DIALOG_ESC },
};

static void
wiz_changed_answer(struct ui *u, enum key_action answer, void *arg)
{
	struct wizard *w = arg;
	(void)u;
	if (answer == KEY_ACTION_YES)
		wiz_start_exec(w, RA_YES, true);
	else
		wiz_start_exec(w, RA_NO, false);
}

static void
wiz_executed(struct wizard *w, enum repair_step_status st, char *why)
{
	scroll_home(&w->scroll);
	w->u->dirty |= UI_DIRTY_ALL;
	if (st != RS_CHANGED) {
		free(w->last_why);
		w->last_why = why;
		w->last_step = (long)w->step;
	}
	switch (st) {
	case RS_CHANGED: {
		/* Nothing ran: the step page stays, with the question over it. */
		w->phase = WIZ_STEP;
		struct text *t = dialog_open(w->u, "The target changed", wiz_yes_no, WIZ_NYES_NO,
		    wiz_changed_answer, w);
		text_newline(t);
		text_wrap(t, UI_ROLE_WARNING, why ? why : "the target changed since the plan "
		    "was shown", COLS - 10 > 66 ? 66 : COLS - 10, 0);
		text_newline(t);
		text_newline(t);
		text_add(t, UI_ROLE_NORMAL, "Run this destructive step anyway?");
		free(why);
		return;
	}
	case RS_DONE:
		w->step++;
		if (!w->aborting && w->step < repair_nsteps(w->run) && wiz_active(w) > 0) {
			wiz_enter_step(w);
			return;
		}
		break;
	case RS_STOPPED:
		w->stopped = true;
		break;
	case RS_ERROR:
		free(w->error);
		w->error = xstrdup(why ? why : "the step could not run");
		w->stopped = true;
		break;
	}
	wiz_start_finish(w);
}

static void
wiz_finished(struct wizard *w, const char *error)
{
	const struct repair_group *g = &w->groups[w->group];
	char bytes[32];
	buf_printf(&w->summary, "%s%s (%zu cell%s, %s)\n", w->summary.len ? "\n" : "",
	    repair_plan_title(g->plan), g->ncells, g->ncells == 1 ? "" : "s",
	    repair_size_human(repair_total_bytes(w->run), bytes));
	if (error != NULL) {
		buf_printf(&w->summary, "cells not re-read: %s\n", error);
	} else {
		char *s = repair_summary(w->run);
		buf_adds(&w->summary, s ? s : "");
		free(s);
		for (size_t i = 0; i < repair_ncells(w->run); i++)
			w->installed += repair_cell(w->run, i)->state_after == 0;
	}
	/* The group's cells have had their turn: unmark them. */
	struct marks *m = &w->u->board.marks;
	for (size_t i = 0; i < g->ncells; i++)
		if (marks_has(m, g->cells[i].package_id, g->cells[i].dp))
			(void)marks_toggle(m, g->cells[i].package_id, g->cells[i].dp);
	w->phase = w->aborting || w->group + 1 >= w->ngroups ? WIZ_DONE : WIZ_SUMMARY;
	scroll_home(&w->scroll);
	w->u->want_refresh = true; /* the grid shows what changed */
	w->u->dirty |= UI_DIRTY_ALL;
}

/* The next group, or the end. */
static void
wiz_next_group(struct wizard *w)
{
	repair_run_free(w->run);
	wiz_script_forget(w);
	w->run = NULL;
	w->last_step = -1;
	if (w->aborting || w->group + 1 >= w->ngroups) {
		w->phase = WIZ_DONE;
		w->u->dirty |= UI_DIRTY_ALL;
		return;
	}
	w->group++;
	wiz_start_prepare(w, w->groups[w->group].plan);
}

static void
wiz_large_answer(struct ui *u, enum key_action answer, void *arg)
{
	struct wizard *w = arg;
	if (answer == KEY_ACTION_YES) {
		u->dirty |= UI_DIRTY_ALL;
		wiz_start_recheck(w);
		return;
	}
	buf_printf(&w->summary, "%s%s: not started (large batch declined)\n",
	    w->summary.len ? "\n" : "", repair_plan_title(w->groups[w->group].plan));
	wiz_next_group(w);
}

static void
wiz_group_answer(struct ui *u, enum key_action answer, void *arg)
{
	struct wizard *w = arg;
	const struct repair_group *g = &w->groups[w->group];
	uint64_t total = repair_total_bytes(w->run);
	if (answer != KEY_ACTION_YES) {
		buf_printf(&w->summary, "%s%s: %zu cell%s skipped by the administrator\n",
		    w->summary.len ? "\n" : "", repair_plan_title(g->plan), g->ncells,
		    g->ncells == 1 ? "" : "s");
		wiz_next_group(w);
		return;
	}
	if (!repair_batch_large(g->ncells, total)) {
		wiz_large_answer(u, KEY_ACTION_YES, w);
		return;
	}
	char bytes[32];
	struct text *t = dialog_open(u, "A large batch", wiz_yes_no, WIZ_NYES_NO,
	    wiz_large_answer, w);
	text_newline(t);
	text_addf(t, UI_ROLE_WARNING, "%zu cells, %s in total", g->ncells,
	    repair_size_human(total, bytes));
	text_newline(t);
	text_addf(t, UI_ROLE_NORMAL, "(more than %d cells or %s). Really start it?",
	    REPAIR_BATCH_CELLS, repair_size_human(REPAIR_BATCH_BYTES, bytes));
}

/* Once per group of a batch: its plan, count, bytes and steps. */
static void
wiz_ask_group(struct wizard *w)
{
	const struct repair_group *g = &w->groups[w->group];
	char title[160], bytes[32];
	snprintf(title, sizeof title, "Group %zu of %zu: %s", w->group + 1, w->ngroups,
	    repair_plan_name(g->plan));
	struct text *t = dialog_open(w->u, title, wiz_group_choices,
	    sizeof wiz_group_choices / sizeof wiz_group_choices[0], wiz_group_answer, w);
	text_newline(t);
	text_addf(t, UI_ROLE_TITLE, "%s", repair_plan_title(g->plan));
	text_newline(t);
	text_addf(t, UI_ROLE_NORMAL, "%zu cell%s, %s in total, %zu steps:", g->ncells,
	    g->ncells == 1 ? "" : "s", repair_size_human(repair_total_bytes(w->run), bytes), repair_nsteps(w->run));
	for (size_t i = 0; i < repair_nsteps(w->run); i++) {
		const struct repair_step_view *v = repair_step(w->run, i);
		text_newline(t);
		text_addf(t, UI_ROLE_NORMAL, "  %d. %s", v->number, v->title);
	}
	text_newline(t);
	text_newline(t);
	text_wrap(t, UI_ROLE_NORMAL, "Start this group? Each step is asked again: y runs it, "
	    "s skips it, n stops the group there.", dialog_text_width(), 0);
}

/* ---- keys ---- */

static void
wiz_plan_key(struct wizard *w, enum key_action a)
{
	switch (a) {
	case KEY_ACTION_UP:
	case KEY_ACTION_DOWN:
		if (w->batch)
			return;
		w->plan_cur = (w->plan_cur + (a == KEY_ACTION_UP ? PLAN_COUNT - 1 : 1)) %
		    PLAN_COUNT;
		break;
	case KEY_ACTION_STOP_ON_FAILURE:
		/* The run copies the environment when it is prepared. */
		w->env.stop_on_failure = !w->env.stop_on_failure;
		ui_message(w->u, UI_ROLE_INFO, "%s", w->env.stop_on_failure ?
		    "a failed cell stops the batch" : "a failed cell does not stop the others");
		break;
	case KEY_ACTION_ACCEPT:
	case KEY_ACTION_YES:
		if (w->ngroups == 0) {
			ui_message(w->u, UI_ROLE_INFO, "no cell has a repair plan");
			return;
		}
		w->group = 0;
		wiz_start_prepare(w, w->batch ? w->groups[0].plan : (enum repair_plan)w->plan_cur);
		break;
	default:
		return;
	}
	w->u->dirty |= UI_DIRTY_BODY;
}

static void
wiz_step_key(struct wizard *w, enum key_action a)
{
	switch (a) {
	case KEY_ACTION_YES: wiz_start_exec(w, RA_YES, false); break;
	case KEY_ACTION_NO:
	case KEY_ACTION_ACCEPT: wiz_start_exec(w, RA_NO, false); break;
	case KEY_ACTION_SKIP: wiz_start_exec(w, RA_SKIP, false); break;
	case KEY_ACTION_ABORT:
		w->aborting = true;
		wiz_start_exec(w, RA_ABORT, false);
		break;
	case KEY_ACTION_VIEW_SCRIPT:
		/* Stays on for the next steps until toggled back. */
		w->show_script = !w->show_script;
		scroll_home(&w->scroll);
		break;
	default: break;
	}
}

/* Scrolling, the same in every phase. */
static bool
wiz_scroll(struct wizard *w, enum key_action a)
{
	if (a == KEY_ACTION_PAGE_UP || a == KEY_ACTION_PAGE_DOWN)
		scroll_pages(&w->scroll, a == KEY_ACTION_PAGE_UP ? -1 : 1);
	else if ((a == KEY_ACTION_UP || a == KEY_ACTION_DOWN) && w->phase != WIZ_PLAN)
		scroll_lines(&w->scroll, a == KEY_ACTION_UP ? -1 : 1);
	else
		return false;
	w->u->dirty |= UI_DIRTY_BODY;
	return true;
}

/* While a job runs only scrolling and abort (at a step) do anything. */
static void
wiz_busy_key(struct ui *u, struct wizard *w, enum key_action a)
{
	if (a == KEY_ACTION_ABORT && w->phase == WIZ_RUNNING) {
		w->aborting = true;
		atomic_store(&w->cancel, true);
		ui_message(u, UI_ROLE_WARNING, "aborting after the running step");
	} else if (a != KEY_ACTION_NONE) {
		ui_message(u, UI_ROLE_INFO, "working: wait, or a to abort after it");
	}
}

static enum view_key
wiz_key(struct ui *u, enum key_action a, int key)
{
	struct wizard *w = u->wizard;
	(void)key;
	if (a == KEY_ACTION_QUIT && w->job != NULL && w->phase == WIZ_RUNNING) {
		(void)wiz_close(u); /* asks first: a step is running */
		return VIEW_KEY_DONE;
	}
	switch (a) {
	case KEY_ACTION_QUIT:
	case KEY_ACTION_HELP:
	case KEY_ACTION_REFRESH:
	case KEY_ACTION_PAUSE:
	case KEY_ACTION_REDRAW:
	case KEY_ACTION_CLOSE:
		return VIEW_KEY_PASS; /* the global keys work here too */
	default:
		break;
	}
	if (wiz_scroll(w, a))
		return VIEW_KEY_DONE;
	if (w->job != NULL) {
		wiz_busy_key(u, w, a);
		return VIEW_KEY_DONE;
	}
	enum view_key r = VIEW_KEY_DONE;
	switch (w->phase) {
	case WIZ_PLAN: wiz_plan_key(w, a); break;
	case WIZ_OVERVIEW:
		if (a == KEY_ACTION_ACCEPT || a == KEY_ACTION_YES) {
			if (w->batch)
				wiz_ask_group(w);
			else
				wiz_enter_step(w);
		} else if (a == KEY_ACTION_NO) {
			r = VIEW_KEY_CLOSE;
		}
		break;
	case WIZ_STEP: wiz_step_key(w, a); break;
	case WIZ_SUMMARY:
		if (a == KEY_ACTION_ACCEPT || a == KEY_ACTION_YES)
			wiz_next_group(w);
		break;
	default: break;
	}
	u->dirty |= UI_DIRTY_ALL;
	return r;
}

static void
wiz_leave_answer(struct ui *u, enum key_action answer, void *arg)
{
	struct wizard *w = arg;
	if (answer == KEY_ACTION_YES && w->job != NULL)
		wiz_busy_key(u, w, KEY_ACTION_ABORT);
}

/* Esc or q: not while a job runs.  A running step asks first whether to
 * abort after it (it cannot be left half done). */
static bool
wiz_close(struct ui *u)
{
	struct wizard *w = u->wizard;
	if (w != NULL && w->job != NULL && w->phase == WIZ_RUNNING && !w->aborting) {
		struct text *t = dialog_open(u, "A step is running", wiz_yes_no, WIZ_NYES_NO,
		    wiz_leave_answer, w);
		text_newline(t);
		text_wrap(t, UI_ROLE_WARNING, w->busy ? w->busy : "a step is running",
		    dialog_text_width(), 0);
		text_newline(t);
		text_newline(t);
		text_wrap(t, UI_ROLE_NORMAL, "It cannot be left half done. Abort the run after "
		    "it (no further step runs), then leave with Esc?", dialog_text_width(), 0);
		return false;
	}
	if (w != NULL && w->job != NULL) {
		ui_message(u, UI_ROLE_WARNING, w->phase == WIZ_RUNNING ?
		    "step running: aborting after it; Esc leaves once it is done" :
		    "working: wait a moment");
		return false;
	}
	wiz_free_ui(u);
	u->dirty |= UI_DIRTY_ALL;
	return true;
}

/* ---- drawing and the loop ---- */

/* The question at a step, in the words its keys do: n stops the group's
 * plan there, s skips the step; a hand step asks whether it was done. */
static const char *
wiz_step_prompt(const struct wizard *w)
{
	const struct repair_step_view *v = repair_step(w->run, w->step);
	if (v != NULL && v->hand)
		return w->show_script ? "Done? [y]es/[N]o (no stops here)  [a]bort   v: summary" :
		    "Done? [y]es/[N]o (no stops here)  [a]bort   v: script";
	return w->show_script ?
	    "Run it? [y]es  [N]o, stop  [s]kip  [a]bort   (Enter = no)  v: summary" :
	    "Run it? [y]es  [N]o, stop  [s]kip  [a]bort   (Enter = no)  v: script";
}

static const char *
wiz_prompt(const struct wizard *w)
{
	if (w->job != NULL)
		return w->phase == WIZ_RUNNING ? "step running: wait, or a to abort after it" :
		    "working...";
	switch (w->phase) {
	case WIZ_OFF: return "Esc closes";
	case WIZ_PLAN: return w->batch ? "Enter: start with the first group   f: stop on failure" :
		    "Up/Down choose a plan   Enter: prepare it   Esc: leave";
	case WIZ_OVERVIEW: return "Enter: go through the steps one at a time   Esc: leave";
	case WIZ_STEP: return wiz_step_prompt(w);
	case WIZ_SUMMARY: return "Enter: next group   Esc: leave";
	case WIZ_DONE: return "Done. Esc closes";
	default: return "";
	}
}

static bool
wiz_draw(struct ui *u, int y, int h, int64_t now)
{
	struct wizard *w = u->wizard;
	if (h < 3)
		return true;
	struct text t;
	text_init(&t);
	wiz_page(w, &t, COLS - 4, now);
	text_draw(&t, stdscr, y, 2, h - 2, COLS - 4, &w->scroll);
	text_free(&t);
	enum ui_role role = w->phase == WIZ_STEP && w->job == NULL ? UI_ROLE_PROMPT :
	    UI_ROLE_DIM;
	draw_hline(stdscr, y + h - 2, 0, COLS, theme_attr(UI_ROLE_BORDER, false));
	/* The page goes on below the fold: say so on the rule, where it hides
	 * nothing of the page. */
	if (w->scroll.top + w->scroll.height < w->scroll.total) {
		const char *more = glyph()->utf8 ? " more \u2193 (PgDn) " : " more v (PgDn) ";
		int mw = draw_width(more);
		draw_text(stdscr, y + h - 2, COLS - mw - 2, mw, theme_attr(UI_ROLE_INFO, false),
		    more);
	}
	draw_text_fit(stdscr, y + h - 1, 2, COLS - 4, theme_attr(role, false), wiz_prompt(w));
	return true;
}

/* The spinner turns and progress lines arrive while a job runs. */
static unsigned
wiz_tick(struct ui *u, int64_t now, bool top)
{
	(void)now;
	return top && u->wizard->job != NULL ? UI_DIRTY_BODY : 0;
}

static int
wiz_timeout(const struct ui *u, int64_t now)
{
	const struct wizard *w = u->wizard;
	if (w == NULL || w->job == NULL)
		return -1;
	return UI_SPIN_MS - (int)((now - w->busy_since) % UI_SPIN_MS);
}

static void
wiz_status(const struct ui *u, char *buf, size_t size)
{
	const struct wizard *w = u->wizard;
	if (w == NULL || w->phase == WIZ_OFF || w->ncells == 0)
		snprintf(buf, size, "repair");
	else if (w->batch)
		snprintf(buf, size, "repair: %zu cells, group %zu of %zu", w->ncells,
		    w->ngroups ? w->group + 1 : 0, w->ngroups);
	else
		snprintf(buf, size, "repair: %s on %s", w->cells[0].pkg, w->cells[0].dp);
}

const struct view_ops wizard_view = {
	.ctx = KEYMAP_CTX_WIZARD,
	.hint = "? help  Esc leave",
	.open = wiz_open,
	.close = wiz_close,
	.draw = wiz_draw,
	.key = wiz_key,
	.tick = wiz_tick,
	.poll_ms = wiz_timeout,
	.status = wiz_status,
	.free = wiz_free_ui,
};
