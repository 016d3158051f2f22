/*
 * The repair wizard's pages: one text per phase, built for the width at
 * every frame like the detail pane, scrolled by the wizard.  A step page
 * shows everything repair_step() says about the step (where, what it does
 * in short, which op it is sent as and to which server, what it changes,
 * what is checked first, its scope, how it is verified and what to do
 * when it fails) so that the administrator answers knowing what will
 * happen, and the outcome of the step before it per cell.  The short line
 * is a summary: v shows the PowerShell the step really sends
 * (repair_step_script), line for line.  While a job runs, only what the
 * job does not write is read (see wizard_int.h).
 */
#include "autoconf.h"
#include "tui/wizard_int.h"
#include "tui/draw.h"
#include "tui/glyph.h"
#include "tui/ui.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIZ_LABEL_W 13
/* Output lines shown per cell under a step's outcome. */
#define WIZ_OUTPUT_LINES 6
/* ... and on the next step's page, above the step. */
#define WIZ_OUTPUT_LINES_STEP 2

static void
wiz_field(struct text *t, const char *label, enum ui_role role, const char *value, int width)
{
	text_newline(t);
	text_addf(t, UI_ROLE_DIM, "%-*s", WIZ_LABEL_W, label);
	text_wrap(t, role, value && *value ? value : "-", width, WIZ_LABEL_W);
}

/* At most `max` lines of text, each on its own wrapped, indented line. */
static void
wiz_lines(struct text *t, const char *s, enum ui_role role, int indent, int max, int width)
{
	for (int n = 0; s != NULL && *s && n < max; n++) {
		size_t len = strcspn(s, "\n");
		char *line = xstrndup(s, len);
		text_newline(t);
		text_addf(t, UI_ROLE_NORMAL, "%*s", indent, "");
		text_wrap(t, role, line, width, indent);
		free(line);
		s += len + (s[len] == '\n');
	}
}

static void
wiz_spinner(const struct wizard *w, struct text *t, int64_t now)
{
	const struct glyphs *g = glyph();
	int frame = (int)(((now - w->busy_since) / UI_SPIN_MS) % g->nspinner);
	text_newline(t);
	text_newline(t);
	text_addf(t, UI_ROLE_WARNING, "%s ", g->spinner[frame]);
	text_addf(t, UI_ROLE_NORMAL, "%s%s", w->busy ? w->busy : "working",
	    g->utf8 ? "\u2026" : "...");
}

static const char *
wiz_state_label(int state)
{
	return state < 0 ? "not targeted" : state_info((unsigned)state)->label;
}

/* The title and the cells (with their findings once diagnosed). */
static void
wiz_head(const struct wizard *w, struct text *t, int width)
{
	text_newline(t);
	text_add(t, UI_ROLE_TITLE, "Repair ");
	if (w->batch)
		text_addf(t, UI_ROLE_TITLE, "%zu marked cells", w->ncells);
	else if (w->ncells == 0)
		return;
	else
		text_addf(t, UI_ROLE_TITLE, "%s %s %s", w->cells[0].pkg, glyph()->times,
		    w->cells[0].dp);
	bool diagnosed = w->phase != WIZ_DIAGNOSE && w->phase != WIZ_OFF;
	/* A batch lists its cells until the steps begin; then the pages need
	 * the room (the step's own "Cells" and outcomes name them). */
	bool list = !w->batch || w->phase <= WIZ_OVERVIEW;
	for (size_t i = 0; i < w->ncells && list && (w->batch || diagnosed); i++) {
		const struct wiz_cell *c = &w->cells[i];
		text_newline(t);
		enum ui_role role = c->state < 0 ? UI_ROLE_STATE_NONE :
		    theme_state_role((unsigned)c->state);
		text_addf(t, role, "  %s ", glyph_state(c->state < 0 ? STATE_NONE :
		    (unsigned)c->state));
		if (w->batch)
			text_addf(t, UI_ROLE_NORMAL, "%s %s %-14s ", c->pkg, glyph()->times, c->dp);
		text_addf(t, UI_ROLE_DIM, "%-14s ", wiz_state_label(c->state));
		if (diagnosed)
			text_wrap(t, c->error ? UI_ROLE_ERROR : UI_ROLE_NORMAL, c->error ? c->error :
			    c->finding ? c->finding : "no finding", width, 4);
	}
}

static void
wiz_plan_list(const struct wizard *w, struct text *t, int width)
{
	const struct wiz_cell *c = &w->cells[0];
	if (c->explanation != NULL) {
		text_newline(t);
		text_add(t, UI_ROLE_NORMAL, "  ");
		text_wrap(t, UI_ROLE_DIM, c->explanation, width, 2);
	}
	text_newline(t);
	text_newline(t);
	text_add(t, UI_ROLE_SECTION, "Plans");
	for (int p = 0; p < PLAN_COUNT; p++) {
		bool cur = p == w->plan_cur;
		text_newline(t);
		text_add(t, UI_ROLE_KEY, cur ? (glyph()->utf8 ? "\u25b8 " : "> ") : "  ");
		text_addf(t, cur ? UI_ROLE_SELECT : UI_ROLE_NORMAL, "%-24s",
		    repair_plan_name((enum repair_plan)p));
		/* Before the title; the title wraps under itself at a word, never
		 * cut at the screen's edge. */
		if ((enum repair_plan)p == c->plan)
			text_add(t, UI_ROLE_INFO, " (suggested)");
		text_add(t, UI_ROLE_DIM, " ");
		text_wrap(t, UI_ROLE_DIM, repair_plan_title((enum repair_plan)p), width, 27);
	}
	text_newline(t);
	text_newline(t);
	text_wrap(t, UI_ROLE_NORMAL, repair_plan_about((enum repair_plan)w->plan_cur), width, 0);
}

static void
wiz_groups(const struct wizard *w, struct text *t, int width)
{
	text_newline(t);
	text_newline(t);
	text_add(t, UI_ROLE_SECTION, "Groups (by suggested plan)");
	for (size_t i = 0; i < w->ngroups; i++) {
		text_newline(t);
		text_addf(t, UI_ROLE_KEY, "  %zu. ", i + 1);
		text_addf(t, UI_ROLE_NORMAL, "%-24s %3zu cell%s  ", repair_plan_name(w->groups[i].plan),
		    w->groups[i].ncells, w->groups[i].ncells == 1 ? " " : "s");
		text_wrap(t, UI_ROLE_DIM, repair_plan_title(w->groups[i].plan), width, 40);
	}
	if (w->unplanned > 0) {
		text_newline(t);
		text_addf(t, UI_ROLE_WARNING, "  %zu cell%s without a plan (left out)",
		    w->unplanned, w->unplanned == 1 ? "" : "s");
	}
	text_newline(t);
	text_newline(t);
	text_add(t, UI_ROLE_DIM, "On a failed cell: ");
	text_add(t, UI_ROLE_NORMAL, w->env.stop_on_failure ? "the batch stops (f toggles)" :
	    "the other cells go on (f toggles)");
}

static void
wiz_overview(const struct wizard *w, struct text *t, int width)
{
	char bytes[32];
	const struct repair_run *r = w->run;
	enum repair_plan p = repair_run_plan(r);
	text_newline(t);
	text_newline(t);
	text_addf(t, UI_ROLE_SECTION, "Plan %s", repair_plan_name(p));
	text_addf(t, UI_ROLE_NORMAL, "  %s", repair_plan_title(p));
	char *cells = xasprintf("%zu; %s sent in total", repair_ncells(r),
	    repair_size_human(repair_total_bytes(r), bytes));
	wiz_field(t, "Cells", UI_ROLE_NORMAL, cells, width);
	free(cells);
	const char *cav = repair_caveats(r);
	if (cav != NULL && *cav) {
		text_newline(t);
		text_add(t, UI_ROLE_DIM, "Caveats");
		wiz_lines(t, cav, UI_ROLE_WARNING, WIZ_LABEL_W, INT_MAX, width);
	}
	for (size_t i = 0; i < repair_nsteps(r); i++) {
		const struct repair_step_view *v = repair_step(r, i);
		text_newline(t);
		text_addf(t, UI_ROLE_KEY, "%2d. ", v->number);
		text_wrap(t, UI_ROLE_NORMAL, v->title, width, 4);
		if (v->destructive)
			text_add(t, UI_ROLE_WARNING, "  [destructive]");
		if (v->hand)
			text_add(t, UI_ROLE_WARNING, "  [by hand]");
		text_newline(t);
		text_add(t, UI_ROLE_NORMAL, "    ");
		text_wrap(t, UI_ROLE_DIM, v->scope, width, 4);
	}
}

void
wiz_script_forget(struct wizard *w)
{
	free(w->script);
	w->script = NULL;
}

/* The shown step's script (or why it has none), made once per step. */
static void
wiz_script_make(struct wizard *w)
{
	if (w->script != NULL && w->script_step == w->step)
		return;
	wiz_script_forget(w);
	char *err = NULL;
	w->script = repair_step_script(w->run, w->step, &err);
	w->script_none = w->script == NULL;
	if (w->script == NULL)
		w->script = err ? err : xstrdup("no script");
	else
		free(err);
	w->script_step = w->step;
}

/* Each line of a script as it is (its indentation kept, nothing joined):
 * a line wider than the page goes on under itself after a dim mark. */
static void
wiz_script_lines(struct text *t, const char *s, int width)
{
	const char *mark = glyph()->utf8 ? "\u21b3" : "+";
	for (; *s;) {
		size_t len = strcspn(s, "\n");
		char *line = xstrndup(s, len);
		const char *p = line;
		bool first = true;
		do {
			text_newline(t);
			if (first)
				text_add(t, UI_ROLE_NORMAL, "  ");
			else
				text_addf(t, UI_ROLE_DIM, " %s ", mark);
			size_t n = draw_prefix(p, width - (first ? 2 : 3));
			/* A character wider than the room still goes, whole. */
			if (n == 0 && *p)
				for (n = 1; ((unsigned char)p[n] & 0xC0) == 0x80; n++)
					;
			text_addf(t, UI_ROLE_NORMAL, "%.*s", (int)n, p);
			p += n;
			first = false;
		} while (*p);
		free(line);
		s += len + (s[len] == '\n');
	}
}

/* Which step is asked: first on its page, whatever follows. */
static void
wiz_step_title(const struct wizard *w, struct text *t, int width)
{
	const struct repair_step_view *v = repair_step(w->run, w->step);
	text_newline(t);
	text_newline(t);
	text_addf(t, UI_ROLE_SECTION, "Step %d of %zu", v->number, repair_nsteps(w->run));
	text_add(t, UI_ROLE_NORMAL, "  ");
	text_wrap(t, UI_ROLE_TITLE, v->title, width, 2);
}

static void
wiz_step(const struct wizard *w, struct text *t, int width)
{
	const struct repair_step_view *v = repair_step(w->run, w->step);
	char line[64];
	if (v->destructive)
		wiz_field(t, "DESTRUCTIVE", UI_ROLE_WARNING, "asked again if its target changed "
		    "since the plan was shown", width);
	if (v->hand)
		wiz_field(t, "BY HAND", UI_ROLE_WARNING, w->env.demo ?
		    "the administrator does this by hand on the server; in the demo the "
		    "simulator does it when you answer yes" :
		    "the administrator does this by hand on the server; yes checks that "
		    "it was done", width);
	wiz_field(t, "Where", UI_ROLE_NORMAL, v->where, width);
	wiz_field(t, "In short", UI_ROLE_KEY, v->command, width);
	wiz_field(t, "Sent as", UI_ROLE_NORMAL, v->sends, width);
	if (w->show_script && w->script_none) {
		wiz_field(t, "Script", UI_ROLE_DIM, w->script, width);
	} else if (w->show_script) {
		wiz_field(t, "Script", UI_ROLE_DIM, "the PowerShell it sends, exactly "
		    "(v: back to the summary)", width);
		wiz_script_lines(t, w->script, width);
		text_newline(t);
	}
	wiz_field(t, "Changes", UI_ROLE_NORMAL, v->changes, width);
	wiz_field(t, "Checks first", UI_ROLE_NORMAL, v->precondition, width);
	wiz_field(t, "Scope", UI_ROLE_NORMAL, v->scope, width);
	wiz_field(t, "Verified by", UI_ROLE_NORMAL, v->verify, width);
	wiz_field(t, "If it fails", UI_ROLE_NORMAL, v->on_failure, width);
	if (v->on_skip != NULL)
		wiz_field(t, "If skipped", UI_ROLE_WARNING, v->on_skip, width);
	snprintf(line, sizeof line, "%zu", v->count);
	wiz_field(t, "Cells", UI_ROLE_NORMAL, line, width);
	if (repair_ncells(w->run) > 1) {
		/* Each cell's target, what it does there and its bytes (or that it
		 * is no longer needed): the scope above is the group's total. */
		char *cells = repair_step_cells(w->run, w->step);
		wiz_lines(t, cells, UI_ROLE_NORMAL, 2, INT_MAX, width);
		free(cells);
	}
}

static enum ui_role
wiz_outcome_role(enum repair_outcome o)
{
	switch (o) {
	case RO_OK:
	case RO_NOT_NEEDED: return UI_ROLE_STATE_OK;
	case RO_FAILED:
	case RO_REFUSED: return UI_ROLE_ERROR;
	case RO_INTERRUPTED:
	case RO_ABORTED:
	case RO_DECLINED:
	case RO_DROPPED: return UI_ROLE_WARNING;
	default: return UI_ROLE_DIM;
	}
}

/* What the last step did, per cell, with at most `outmax` lines of what
 * it printed (a step page keeps them short: its own text follows). */
static void
wiz_outcomes(const struct wizard *w, struct text *t, int width, int outmax)
{
	if (w->run == NULL || w->last_step < 0)
		return;
	size_t i = (size_t)w->last_step;
	const struct repair_step_view *v = repair_step(w->run, i);
	text_newline(t);
	text_newline(t);
	text_addf(t, UI_ROLE_SECTION, "Step %d result", v->number);
	text_addf(t, UI_ROLE_DIM, "  %s", v->title);
	for (size_t c = 0; c < repair_ncells(w->run); c++) {
		const struct repair_cell_result *r = repair_cell(w->run, c);
		enum repair_outcome o = r->step[i];
		text_newline(t);
		text_addf(t, wiz_outcome_role(o), "  %-11s ", repair_outcome_name(o));
		text_addf(t, UI_ROLE_NORMAL, "%s %s %s  ", r->package_id, glyph()->times, r->dp);
		if (r->message != NULL && r->message[i] != NULL)
			text_wrap(t, UI_ROLE_NORMAL, r->message[i], width, 6);
		/* The output belongs to the last step that ran for the cell:
		 * show it under the step that produced it (preload's lines). */
		if (o == RO_OK || o == RO_FAILED || o == RO_INTERRUPTED) {
			if (v->action == RA_PRELOAD || v->hand)
				wiz_lines(t, r->output, UI_ROLE_DIM, 6, outmax, width);
		}
	}
	if (w->last_why != NULL) {
		text_newline(t);
		text_add(t, UI_ROLE_NORMAL, "  ");
		text_wrap(t, UI_ROLE_WARNING, w->last_why, width, 2);
	}
}

static void
wiz_running(struct wizard *w, struct text *t, int width, int64_t now)
{
	wiz_spinner(w, t, now);
	text_newline(t);
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < w->nlines; i++) {
		text_newline(t);
		text_add(t, UI_ROLE_NORMAL, "  ");
		text_wrap(t, UI_ROLE_DIM, w->lines[i], width, 4);
	}
	w->seen_gen = w->gen;
	pthread_mutex_unlock(&w->lock);
}

static void
wiz_summary(const struct wizard *w, struct text *t, int width)
{
	text_newline(t);
	text_newline(t);
	text_add(t, UI_ROLE_SECTION, "What changed");
	/* The count first: at 80x24 the steps' lines push the end off screen. */
	text_newline(t);
	text_addf(t, w->installed == w->ncells ? UI_ROLE_STATE_OK : UI_ROLE_WARNING,
	    "  %zu of %zu cell%s installed now", w->installed, w->ncells,
	    w->ncells == 1 ? "" : "s");
	text_add(t, UI_ROLE_DIM, "  (the grid is refreshed)");
	wiz_lines(t, w->summary.data, UI_ROLE_NORMAL, 2, INT_MAX, width);
}

void
wiz_page(struct wizard *w, struct text *t, int width, int64_t now)
{
	wiz_head(w, t, width);
	switch (w->phase) {
	case WIZ_OFF:
		text_newline(t);
		text_newline(t);
		text_wrap(t, UI_ROLE_WARNING, w->off_reason ? w->off_reason : "", width, 0);
		break;
	case WIZ_DIAGNOSE:
		wiz_spinner(w, t, now);
		text_addf(t, UI_ROLE_DIM, " %d of %zu cells", atomic_load(&w->diagnosed), w->ncells);
		break;
	case WIZ_PLAN:
		/* Why the last plan was not prepared (another repair of the pair
		 * runs, ...) goes above the list: under it, at 80x24, it would be
		 * off the screen. */
		if (w->error != NULL && !w->batch) {
			text_newline(t);
			text_wrap(t, UI_ROLE_ERROR, w->error, width, 0);
		}
		if (w->batch)
			wiz_groups(w, t, width);
		else
			wiz_plan_list(w, t, width);
		break;
	case WIZ_PREPARE:
	case WIZ_FINISH:
	case WIZ_RECHECK:
		wiz_spinner(w, t, now);
		break;
	case WIZ_OVERVIEW: wiz_overview(w, t, width); break;
	case WIZ_STEP:
		/* The previous step's result first: at 80x24 it stays above the
		 * fold, and the step it led to follows (scrolled, "more" below). */
		if (w->show_script)
			wiz_script_make(w);
		wiz_step_title(w, t, width);
		wiz_outcomes(w, t, width, WIZ_OUTPUT_LINES_STEP);
		text_newline(t);
		wiz_step(w, t, width);
		break;
	case WIZ_RUNNING: wiz_running(w, t, width, now); break;
	case WIZ_SUMMARY:
	case WIZ_DONE:
		wiz_summary(w, t, width);
		wiz_outcomes(w, t, width, WIZ_OUTPUT_LINES);
		break;
	}
	if (w->error != NULL && !(w->phase == WIZ_PLAN && !w->batch)) {
		text_newline(t);
		text_newline(t);
		text_wrap(t, UI_ROLE_ERROR, w->error, width, 0);
	}
}
