/*
 * Header, cursor line and status line.  Each is a row of pieces (text in a
 * role); a right-hand group is placed first and the left-hand one gets what
 * is left, so at 80 columns the refresh state and key hints stay visible
 * and only the longest text (the source label, a long name) is cut.
 */
#include "autoconf.h"
#include "tui/bars.h"
#include "tui/draw.h"
#include "tui/glyph.h"
#include "tui/text.h"
#include "tui/view_ops.h"
#include "backend/core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BARS_MAX_PIECES 24

struct pieces {
	struct {
		enum ui_role role;
		char s[512];
	} p[BARS_MAX_PIECES];
	int n;
};

__attribute__((format(printf, 3, 4))) static void
pieces_add(struct pieces *ps, enum ui_role role, const char *fmt, ...)
{
	if (ps->n == BARS_MAX_PIECES)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (vsnprintf(ps->p[ps->n].s, sizeof ps->p[ps->n].s, fmt, ap) < 0)
		ps->p[ps->n].s[0] = '\0';
	va_end(ap);
	ps->p[ps->n++].role = role;
}

static int
pieces_width(const struct pieces *ps)
{
	int w = 0;
	for (int i = 0; i < ps->n; i++)
		w += draw_width(ps->p[i].s);
	return w;
}

/* Draw left to right within width; the piece that does not fit is cut
 * with the ellipsis.  Returns the columns used. */
static int
pieces_draw(const struct pieces *ps, WINDOW *w, int y, int x, int width)
{
	int used = 0;
	for (int i = 0; i < ps->n && used < width; i++)
		used += draw_text_fit(w, y, x + used, width - used,
		    theme_attr(ps->p[i].role, false), ps->p[i].s);
	return used;
}

/* Right group flush right, left group in the rest. */
static void
pieces_line(const struct pieces *left, const struct pieces *right, WINDOW *w, int y,
    int width)
{
	draw_fill(w, y, 0, width, theme_attr(UI_ROLE_NORMAL, false));
	int rw = pieces_width(right);
	if (rw > width)
		rw = width;
	pieces_draw(right, w, y, width - rw, rw);
	pieces_draw(left, w, y, 0, width - rw - (rw > 0 ? 1 : 0));
}

const char *
bars_age(int64_t ms, char *buf, size_t size)
{
	long long s = ms > 0 ? (long long)(ms / 1000) : 0;
	if (s < 60)
		snprintf(buf, size, "%llds", s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm", s / 60);
	else
		snprintf(buf, size, "%lldh", s / 3600);
	return buf;
}

static void
bars_refresh_state(struct ui *u, struct pieces *r, int64_t now)
{
	const struct glyphs *g = glyph();
	char age[16], next[16];
	if (u->refresh_job != NULL) {
		int frame = (int)(((now - u->refresh_started) / UI_SPIN_MS) % g->nspinner);
		pieces_add(r, UI_ROLE_WARNING, "%s refreshing%s", g->spinner[frame],
		    g->utf8 ? "\u2026" : "...");
	} else if (u->stale) {
		pieces_add(r, UI_ROLE_ERROR, "STALE");
	}
	if (u->paused)
		pieces_add(r, UI_ROLE_WARNING, "%spaused", r->n ? g->sep : "");
	if (u->last_ok != 0)
		pieces_add(r, UI_ROLE_HEADER, "%supdated %s ago", r->n ? g->sep : "",
		    bars_age(now - u->last_ok, age, sizeof age));
	/* What the last refresh read: a delta's changed rows, or all. */
	if (u->last_ok != 0 && u->refresh_last.plan.kind == STATUS_READ_DELTA)
		pieces_add(r, UI_ROLE_DIM, " (%s%zu)", g->utf8 ? "\u0394" : "delta ",
		    u->refresh_last.changed);
	else if (u->last_ok != 0 && u->refresh_clock_back)
		pieces_add(r, UI_ROLE_WARNING, " (clock back)");
	if (u->refresh_job == NULL && !u->paused && u->last_ok != 0)
		pieces_add(r, UI_ROLE_DIM, "%snext in %s", g->sep,
		    bars_age(u->next_refresh - now + 999, next, sizeof next));
}

/* Problems first, worst first, then work in progress, then installed. */
static const unsigned count_order[] = {
	STATE_INSTALL_FAILED, STATE_REMOVAL_FAILED, STATE_INSTALL_RETRYING,
	STATE_REMOVAL_RETRYING, STATE_INSTALL_PENDING, STATE_REMOVAL_PENDING,
	STATE_CONTENT_UPDATING, STATE_CONTENT_MONITORING, STATE_INSTALLED, STATE_COUNT,
};

/* The counts, with labels for the first `labels` states shown. */
static void
bars_counts(const struct snapshot *s, struct pieces *ps, int labels)
{
	int shown = 0;
	for (size_t i = 0; i < sizeof count_order / sizeof count_order[0]; i++) {
		unsigned v = count_order[i];
		if (s->state_counts[v] == 0)
			continue;
		enum ui_role role = theme_state_role(v);
		pieces_add(ps, role, "%s %zu", glyph_state(v), s->state_counts[v]);
		if (shown++ < labels)
			pieces_add(ps, UI_ROLE_HEADER, " %s", state_info(v)->label);
		pieces_add(ps, UI_ROLE_NORMAL, "  ");
	}
}

void
bars_draw_header(struct ui *u, WINDOW *w, int64_t now)
{
	const struct tui_options *o = u->opt;
	const struct glyphs *g = glyph();
	struct pieces left = { .n = 0 }, right = { .n = 0 };
	pieces_add(&left, UI_ROLE_TITLE, "dpdoctor");
	pieces_add(&left, UI_ROLE_HEADER, "  site %s", o->site ? o->site : "?");
	if (o->generation)
		pieces_add(&left, UI_ROLE_DIM, "%s%s", g->sep, o->generation);
	const char *src = o->source_label ? o->source_label :
	    u->board.snap && u->board.snap->source ? u->board.snap->source : NULL;
	if (o->read_only)
		pieces_add(&left, UI_ROLE_WARNING, "%sread-only", g->sep);
	if (src)
		pieces_add(&left, UI_ROLE_DIM, "%s%s", g->sep, src);
	bars_refresh_state(u, &right, now);
	pieces_line(&left, &right, w, 0, COLS);

	struct pieces counts = { .n = 0 }, none = { .n = 0 };
	if (u->board.snap == NULL) {
		pieces_add(&counts, UI_ROLE_DIM, "no status yet");
	} else {
		/* Label as many states as fit, worst first. */
		for (int labels = STATE_COUNT + 1; labels >= 0; labels--) {
			counts.n = 0;
			bars_counts(u->board.snap, &counts, labels);
			if (pieces_width(&counts) <= COLS)
				break;
		}
	}
	pieces_line(&counts, &none, w, 1, COLS);
}

void
bars_draw_cursor_line(struct ui *u, WINDOW *w, int y)
{
	struct pieces ps = { .n = 0 }, right = { .n = 0 };
	size_t pkg, dp;
	if (board_cursor(&u->board, &pkg, &dp)) {
		const struct snapshot *s = u->board.snap;
		const struct cell *c = snapshot_cell(s, pkg, dp);
		unsigned st = c ? c->state : STATE_NONE;
		pieces_add(&ps, theme_state_role(st), "%s %s", glyph_state(st),
		    c ? state_info(st)->label : "not targeted");
		pieces_add(&ps, UI_ROLE_NORMAL, "  ");
		pieces_add(&ps, UI_ROLE_TITLE, "%s", s->pkgs[pkg].id);
		pieces_add(&ps, UI_ROLE_NORMAL, " %s %s  ", glyph()->times, s->dps[dp].name);
		pieces_add(&ps, UI_ROLE_NORMAL, "%s", s->pkgs[pkg].name ? s->pkgs[pkg].name : "");
		pieces_add(&right, UI_ROLE_DIM, "Enter details");
	}
	pieces_line(&ps, &right, w, y, COLS);
}

static void
bars_summary(struct ui *u, struct pieces *ps)
{
	const struct board *b = &u->board;
	const char *sep = glyph()->sep;
	pieces_add(ps, UI_ROLE_NORMAL, "%s", b->show_all ? "all packages" : "problems only");
	pieces_add(ps, UI_ROLE_NORMAL, "%ssort: %s", sep, board_sort_name(b->sort));
	if (b->filter)
		pieces_add(ps, UI_ROLE_PROMPT, "%sfilter: %s", sep, b->filter);
	if (b->marks.n > 0)
		pieces_add(ps, UI_ROLE_SELECT, "%s%zu marked", sep, b->marks.n);
}

/* The status line's text when it is an error that persists. */
static char *
bars_error_text(const struct ui *u, int64_t now)
{
	if (u->prompt.active || (u->msg != NULL && now < u->msg_until) ||
	    u->refresh_error == NULL)
		return NULL;
	return xasprintf("%s (r retries)", u->refresh_error);
}

int
bars_status_height(const struct ui *u)
{
	char *e = bars_error_text(u, clock_mono_ms());
	int h = e != NULL && draw_width(e) > COLS ? 2 : 1;
	free(e);
	return h;
}

void
bars_draw_status(struct ui *u, WINDOW *w, const struct view_ops *v, int64_t now)
{
	int y = LINES - 1;
	if (u->prompt.active) {
		prompt_draw(&u->prompt, w, y, 0, COLS);
		return;
	}
	char *err = bars_error_text(u, now);
	if (err != NULL && draw_width(err) > COLS) {
		/* Where and why matter more than the cursor line: wrap. */
		struct text t;
		text_init(&t);
		text_wrap(&t, UI_ROLE_ERROR, err, COLS, 0);
		draw_fill(w, y - 1, 0, COLS, theme_attr(UI_ROLE_NORMAL, false));
		draw_fill(w, y, 0, COLS, theme_attr(UI_ROLE_NORMAL, false));
		text_draw(&t, w, y - 1, 0, 2, COLS, NULL);
		text_free(&t);
		free(err);
		return;
	}
	struct pieces left = { .n = 0 }, right = { .n = 0 };
	char st[160];
	if (v->status != NULL)
		v->status(u, st, sizeof st);
	if (v->flags & VIEW_STATUS_FIRST)
		/* Following or paused stays in sight; a message goes after it. */
		pieces_add(&left, UI_ROLE_INFO, "%s", st);
	const char *lead = left.n > 0 ? glyph()->sep : "";
	if (u->msg != NULL && now < u->msg_until)
		pieces_add(&left, u->msg_role, "%s%s", lead, u->msg);
	else if (err != NULL)
		pieces_add(&left, UI_ROLE_ERROR, "%s%s", lead, err);
	else if (v->status == NULL)
		bars_summary(u, &left);
	else if (!(v->flags & VIEW_STATUS_FIRST))
		pieces_add(&left, UI_ROLE_INFO, "%s", st);
	free(err);
	pieces_add(&right, UI_ROLE_DIM, "%s", v->hint ? v->hint : "");
	if (pieces_width(&left) + pieces_width(&right) + 1 > COLS)
		right.n = 0; /* the message matters more than the hint */
	pieces_line(&left, &right, w, y, COLS);
}
