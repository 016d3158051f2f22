/*
 * The journal view and the start-up check for unfinished steps (see
 * history.h).  The journal is a local file, but it is read in jobs all the
 * same: it may be long, and it may sit on a slow home directory.  The
 * history state lives for the whole UI (allocated on first use), so its
 * jobs' done callbacks always have somewhere to land; it is freed at exit
 * after jobs_free() has joined the workers.  The view lists the steps of
 * one repair run (single or batch) under a line naming the run, so a run
 * reads as one; a step done on another server for its cells (a rename on
 * the primary) says which DPs it was for.
 */
#include "autoconf.h"
#include "tui/history.h"
#include "tui/dialog.h"
#include "tui/draw.h"
#include "tui/glyph.h"
#include "tui/refresh.h"
#include "tui/scroll.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "tui/view_ops.h"
#include "backend/repair/journal.h"
#include "backend/repair/repair_lock.h"
#include "backend/repair/repair_verify.h"
#include "backend/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Unfinished steps listed in the start-up dialog (the rest are counted). */
#define HISTORY_DIALOG_MAX 8
/* Where a step's plan goes when it does not fit after the DP. */
#define HISTORY_INDENT 16

/* One step as listed: a begin entry and its end's result. */
struct hist_row {
	char *time, *plan, *step, *pkg, *dp, *result;
	char *run;                /* the short run id, "-" for none */
	char *user;               /* who ran it: "user@host" */
	bool unfinished;
};

struct hist_rows {
	struct hist_row *v;
	size_t n;
};

struct history {
	/* The H view. */
	struct job *job;
	struct hist_rows rows;
	bool loaded;
	char *error;
	struct scroll scroll;     /* a page keeps the two heading lines */
	int64_t started;
	/* The start-up check. */
	bool checked;             /* the unfinished check was started */
	struct job *ujob;
	struct journal_list unfinished;
	bool verifying;           /* [v] pressed: waiting for a new status */
	int64_t verify_since;     /* u->last_ok when it was pressed */
	int **states;             /* per unfinished step: its cells' states, seen
	                           * (repair_verify_states) */
};

static struct history *
history_get(struct ui *u)
{
	if (u->history == NULL)
		u->history = xcalloc(1, sizeof *u->history);
	return u->history;
}

static void
hist_rows_free(struct hist_rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct hist_row *x = &r->v[i];
		free(x->time);
		free(x->plan);
		free(x->step);
		free(x->pkg);
		free(x->dp);
		free(x->result);
		free(x->run);
		free(x->user);
	}
	free(r->v);
	*r = (struct hist_rows){ 0 };
}

/* ---- reading the journal (job thread) ---- */

/* "2026-11-25T23:51:52Z" -> "11-25 23:51:52" */
static char *
hist_time(const char *iso)
{
	if (strlen(iso) < 19)
		return xstrdup(iso);
	return xasprintf("%.5s %.8s", iso + 5, iso + 11);
}

/* The step's server, and the DPs it served when they are others (a step on
 * the primary): "SMS009PRI for LEEDSDP01". */
static char *
hist_dp(const struct journal_entry *b)
{
	if (b->nfor == 0 || (b->nfor == 1 && strcasecmp(b->for_dps[0], b->dp_server) == 0))
		return xstrdup(b->dp_server);
	struct buf d;
	buf_init(&d);
	buf_printf(&d, "%s for ", b->dp_server);
	for (size_t i = 0; i < b->nfor; i++)
		buf_printf(&d, "%s%s", i ? "," : "", b->for_dps[i]);
	return buf_detach(&d);
}

/* The journal's steps newest first (an end without its begin is left out). */
static void
hist_rows_from(const struct journal_history *h, struct hist_rows *out)
{
	out->v = xreallocarray(NULL, h->n + 1, sizeof *out->v);
	for (size_t k = h->n; k-- > 0;) {
		const struct journal_pair *p = &h->v[k];
		const struct journal_entry *b = &p->begin;
		if (p->no_begin)
			continue;
		struct hist_row *r = &out->v[out->n++];
		r->time = hist_time(b->time);
		r->plan = xstrdup(b->plan);
		r->step = xasprintf("%d %s", b->step_number, b->step_name);
		r->pkg = xstrdup(b->package_id);
		r->dp = hist_dp(b);
		char run[JOURNAL_RUN_SHORT_MAX];
		r->run = xstrdup(journal_run_short(b->run_id, run));
		r->user = xasprintf("%s@%s", b->user, b->host);
		/* A step whose run still holds its pair's lock is not cut off. */
		r->unfinished = p->end_time == NULL && !p->running;
		r->result = xstrdup(p->end_time ? journal_result_name(p->result) :
		    p->running ? "running" : "unfinished");
	}
}

/* Where the repairs' per-pair locks are; NULL when this source cannot
 * repair (then no step is taken for running). */
static const char *
hist_lock_dir(const struct ui *u)
{
	return u->opt->repair ? u->opt->repair->lock_dir : NULL;
}

/* Reads only u->opt, which never changes while the UI runs. */
static void
hist_read_run(struct job *j, void *arg)
{
	const struct ui *u = arg;
	const char *path = u->opt->journal;
	struct journal_history all;
	char *err = NULL;
	if (journal_history(path, NULL, &all, NULL, NULL, &err) != 0) {
		job_fail(j, "%s", err ? err : "the journal cannot be read");
		free(err);
		return;
	}
	struct hist_rows *rows = xcalloc(1, sizeof *rows);
	repair_lock_mark_running(hist_lock_dir(u), &all);
	hist_rows_from(&all, rows);
	journal_history_free(&all);
	job_set_result(j, rows);
}

static void
hist_rows_free_p(void *p)
{
	hist_rows_free(p);
	free(p);
}

static void
hist_read_done(struct job *j, enum job_status st, void *result, const char *error, void *arg)
{
	struct ui *u = arg;
	struct history *h = u->history;
	(void)j;
	h->job = NULL;
	hist_rows_free(&h->rows);
	free(h->error);
	h->error = NULL;
	if (st == JOB_DONE && result != NULL) {
		h->rows = *(struct hist_rows *)result;
		free(result);
	} else {
		h->error = xstrdup(st == JOB_TIMED_OUT ? "no answer in time" :
		    error ? error : "the journal cannot be read");
	}
	h->loaded = true;
	u->dirty |= UI_DIRTY_BODY;
}

static bool
history_open(struct ui *u)
{
	struct history *h = history_get(u);
	if (u->opt->journal == NULL) {
		ui_message(u, UI_ROLE_INFO, "no repair journal for this site");
		return false;
	}
	scroll_init(&h->scroll);
	h->scroll.keep = 2;
	h->loaded = false;
	h->started = clock_mono_ms();
	if (h->job == NULL)
		h->job = jobs_submit(u->jobs, "journal", 10000, hist_read_run, hist_read_done,
		    hist_rows_free_p, u);
	u->dirty |= UI_DIRTY_ALL;
	return true;
}

/* ---- the H view ---- */

static void
history_status(const struct ui *u, char *buf, size_t size)
{
	(void)u;
	snprintf(buf, size, "repair journal");
}

static void
hist_build(const struct history *h, struct text *t, int width, int64_t now)
{
	text_newline(t);
	text_add(t, UI_ROLE_TITLE, "Repair journal");
	text_addf(t, UI_ROLE_DIM, "  newest first; %zu steps", h->rows.n);
	text_newline(t);
	text_addf(t, UI_ROLE_SECTION, "%-14s  %-11s %-8s  %-14s %s", "time (UTC)", "result",
	    "package", "DP", "plan / step");
	if (!h->loaded) {
		const struct glyphs *g = glyph();
		int frame = (int)(((now - h->started) / UI_SPIN_MS) % g->nspinner);
		text_newline(t);
		text_addf(t, UI_ROLE_WARNING, "%s reading the journal", g->spinner[frame]);
		return;
	}
	if (h->error != NULL) {
		text_newline(t);
		text_wrap(t, UI_ROLE_ERROR, h->error, width, 0);
		return;
	}
	if (h->rows.n == 0) {
		text_newline(t);
		text_add(t, UI_ROLE_DIM, "No repair steps yet.");
	}
	for (size_t i = 0; i < h->rows.n; i++) {
		const struct hist_row *r = &h->rows.v[i];
		/* A line naming the run above its steps (they are together, as a
		 * run's entries are written together). */
		if (i == 0 || strcmp(r->run, h->rows.v[i - 1].run) != 0) {
			text_newline(t);
			if (strcmp(r->run, "-") == 0)
				text_add(t, UI_ROLE_DIM, "steps journalled without a run id");
			else
				text_addf(t, UI_ROLE_DIM, "run %s  by %s", r->run, r->user);
		}
		enum ui_role role = r->unfinished ? UI_ROLE_ERROR :
		    strcmp(r->result, "ok") == 0 ? UI_ROLE_STATE_OK :
		    strcmp(r->result, "failed") == 0 ? UI_ROLE_ERROR : UI_ROLE_WARNING;
		text_newline(t);
		text_addf(t, UI_ROLE_DIM, "%-14s  ", r->time);
		text_addf(t, role, "%-11s ", r->result);
		text_addf(t, UI_ROLE_NORMAL, "%-8s  %-14s ", r->pkg, r->dp);
		/* The plan and step after the DP when they fit, else under it. */
		if (text_line_width(&t->lines[t->n - 1]) + draw_width(r->plan) + 2 +
		    draw_width(r->step) > width) {
			text_newline(t);
			text_addf(t, UI_ROLE_NORMAL, "%*s", HISTORY_INDENT, "");
		}
		text_add(t, UI_ROLE_NORMAL, r->plan);
		text_addf(t, UI_ROLE_DIM, " #%s", r->step);
	}
}

static bool
history_draw(struct ui *u, int y, int h, int64_t now)
{
	struct history *hs = history_get(u);
	struct text t;
	text_init(&t);
	hist_build(hs, &t, COLS - 4, now);
	text_draw(&t, stdscr, y, 2, h, COLS - 4, &hs->scroll);
	text_free(&t);
	return true;
}

static enum view_key
history_key(struct ui *u, enum key_action a, int key)
{
	(void)key;
	if (!scroll_action(&history_get(u)->scroll, a))
		return VIEW_KEY_PASS;
	u->dirty |= UI_DIRTY_BODY;
	return VIEW_KEY_DONE;
}

/* ---- unfinished steps at start-up ---- */

static void
hist_unfinished_run(struct job *j, void *arg)
{
	const struct ui *u = arg;
	const char *path = u->opt->journal;
	struct journal_list *l = xcalloc(1, sizeof *l);
	char *err = NULL;
	if (journal_unfinished(path, l, NULL, NULL, &err) != 0) {
		job_fail(j, "%s", err ? err : "the journal cannot be read");
		free(err);
		free(l);
		return;
	}
	/* A step whose run (another dpdoctor) still holds its pair's lock is
	 * running: neither offered for verification nor closed as interrupted. */
	size_t keep = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (repair_lock_runs(hist_lock_dir(u), &l->v[i]))
			journal_entry_free(&l->v[i]);
		else
			l->v[keep++] = l->v[i];
	}
	l->n = keep;
	job_set_result(j, l);
}

static void
hist_list_free_p(void *p)
{
	journal_list_free(p);
	free(p);
}

/* No default: Enter does not answer; each wants its own key. */
static const struct dialog_choice hist_choices[] = {
	{ KEY_ACTION_VERIFY, "[v]erify now", 0 },
	{ KEY_ACTION_LATER, "[l]ater", DIALOG_ESC },
};

static void
hist_answer(struct ui *u, enum key_action answer, void *arg)
{
	struct history *h = arg;
	if (answer != KEY_ACTION_VERIFY) {
		journal_list_free(&h->unfinished);
		ui_message(u, UI_ROLE_INFO, "unfinished steps left for later (offered at next start)");
		return;
	}
	h->verifying = true;
	h->verify_since = u->last_ok;
	if (u->refresh_job == NULL)
		refresh_start(u);
	ui_message(u, UI_ROLE_INFO, "re-reading the status of the cells...");
}

static void
hist_prompt(struct ui *u, struct history *h)
{
	const struct journal_list *l = &h->unfinished;
	struct text *t = dialog_open(u, "Unfinished repair steps", hist_choices,
	    sizeof hist_choices / sizeof hist_choices[0], hist_answer, h);
	int width = dialog_text_width();
	text_newline(t);
	text_wrap(t, UI_ROLE_NORMAL, "These steps were begun and never finished (dpdoctor "
	    "was stopped while they ran). Verify the cells before going on:", width, 0);
	for (size_t i = 0; i < l->n && i < HISTORY_DIALOG_MAX; i++) {
		const struct journal_entry *e = &l->v[i];
		char *tm = hist_time(e->time);
		text_newline(t);
		text_addf(t, UI_ROLE_DIM, "%s ", tm);
		text_addf(t, UI_ROLE_NORMAL, "%s #%d %s ", e->plan, e->step_number, e->step_name);
		text_addf(t, UI_ROLE_TITLE, "%s %s %s", e->package_id, glyph()->times, e->dp_server);
		free(tm);
	}
	if (l->n > HISTORY_DIALOG_MAX) {
		text_newline(t);
		text_addf(t, UI_ROLE_DIM, "and %zu more (H lists them)", l->n - HISTORY_DIALOG_MAX);
	}
}

static void
hist_unfinished_done(struct job *j, enum job_status st, void *result, const char *error,
    void *arg)
{
	struct ui *u = arg;
	struct history *h = u->history;
	(void)j;
	h->ujob = NULL;
	if (st != JOB_DONE || result == NULL) {
		ui_message(u, UI_ROLE_ERROR, "repair journal: %s", error ? error : "cannot be read");
		return;
	}
	struct journal_list *l = result;
	h->unfinished = *l;
	free(l);
	if (h->unfinished.n > 0)
		hist_prompt(u, h);
}

/* Job thread: close each verified step as interrupted, with the note of
 * what the administrator was shown. */
static void
hist_close_run(struct job *j, void *arg)
{
	struct ui *u = arg;
	struct history *h = u->history;
	const struct journal_list *l = &h->unfinished;
	for (size_t i = 0; i < l->n; i++) {
		char *err = NULL;
		if (repair_verify_close(u->opt->journal, &l->v[i], h->states[i], "at start-up",
		    &err) != 0) {
			job_fail(j, "%s", err ? err : "the journal cannot be written");
			free(err);
			return;
		}
	}
}

static void
hist_states_free(struct history *h)
{
	for (size_t i = 0; h->states != NULL && i < h->unfinished.n; i++)
		free(h->states[i]);
	free(h->states);
	h->states = NULL;
}

static void
hist_close_done(struct job *j, enum job_status st, void *result, const char *error,
    void *arg)
{
	struct ui *u = arg;
	struct history *h = u->history;
	(void)j;
	(void)result;
	h->ujob = NULL;
	if (st == JOB_DONE)
		ui_message(u, UI_ROLE_INFO, "%zu unfinished step%s verified: closed in the journal "
		    "as interrupted", h->unfinished.n, h->unfinished.n == 1 ? "" : "s");
	else
		ui_message(u, UI_ROLE_ERROR, "repair journal: %s", error ? error : "not written");
	hist_states_free(h);
	journal_list_free(&h->unfinished);
}

/* The new status is on screen: show the first cell and close the steps. */
static void
hist_verified(struct ui *u, struct history *h)
{
	const struct snapshot *s = u->board.snap;
	const struct journal_list *l = &h->unfinished;
	h->verifying = false;
	h->states = xcalloc(l->n + 1, sizeof *h->states);
	for (size_t i = 0; i < l->n; i++) {
		const struct journal_entry *e = &l->v[i];
		h->states[i] = xcalloc(repair_verify_ndps(e), sizeof *h->states[i]);
		repair_verify_states(s, e, h->states[i]);
		long p = snapshot_find_pkg(s, e->package_id);
		long d = snapshot_find_dp(s, repair_verify_dp(e, 0));
		/* The dispatcher opens the detail pane on it (show_cell). */
		if (i == 0 && p >= 0 && d >= 0 && board_show_cell(&u->board, (size_t)p, (size_t)d))
			u->show_cell = true;
	}
	h->ujob = jobs_submit(u->jobs, "journal", 10000, hist_close_run, hist_close_done, NULL, u);
	if (h->ujob == NULL)
		hist_close_done(NULL, JOB_FAILED, NULL, "cannot start background work", u);
}

void
history_check(struct ui *u)
{
	struct history *h = history_get(u);
	if (u->opt->journal == NULL || u->board.snap == NULL)
		return;
	if (!h->checked) {
		/* After the first status: the prompt needs the grid behind it. */
		h->checked = true;
		h->ujob = jobs_submit(u->jobs, "journal", 10000, hist_unfinished_run,
		    hist_unfinished_done, hist_list_free_p, u);
		return;
	}
	if (h->verifying && h->ujob == NULL && u->last_ok > h->verify_since) {
		hist_verified(u, h);
		u->dirty |= UI_DIRTY_BODY;
	}
}

/* The spinner turns while the journal is read. */
static unsigned
history_tick(struct ui *u, int64_t now, bool top)
{
	(void)now;
	return top && history_get(u)->job != NULL ? UI_DIRTY_BODY : 0;
}

static int
history_timeout(const struct ui *u, int64_t now)
{
	const struct history *h = u->history;
	if (h == NULL || h->job == NULL)
		return -1;
	return UI_SPIN_MS - (int)((now - h->started) % UI_SPIN_MS);
}

void
history_free(struct ui *u)
{
	struct history *h = u->history;
	if (h == NULL)
		return;
	hist_rows_free(&h->rows);
	free(h->error);
	hist_states_free(h);
	journal_list_free(&h->unfinished);
	free(h);
	u->history = NULL;
}

const struct view_ops history_view = {
	.ctx = KEYMAP_CTX_HISTORY,
	.hint = "j k PgUp PgDn g G scroll  q/Esc close",
	.open = history_open,
	.draw = history_draw,
	.key = history_key,
	.tick = history_tick,
	.poll_ms = history_timeout,
	.status = history_status,
};
