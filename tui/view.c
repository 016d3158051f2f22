/*
 * The dispatcher (see view.h).  Rows from the top: two header lines, the
 * body (the view on top: the grid; the grid over the detail pane; help;
 * the log; the repair wizard; the journal; with a dialog box over any of
 * them), the cursor line (grid view only: what the cursor is on) and the
 * status line.  The body is redrawn whole when anything in it changed;
 * that costs only the visible cells, and ncurses sends the terminal just
 * the difference.
 */
#include "autoconf.h"
#include "tui/view.h"
#include "tui/bars.h"
#include "tui/dialog.h"
#include "tui/draw.h"
#include "tui/gridview.h"
#include "tui/help.h"
#include "tui/history.h"
#include "tui/keymap.h"
#include "tui/logview.h"
#include "tui/refresh.h"
#include "tui/sshkey.h"
#include "tui/view_ops.h"
#include "tui/wizard.h"

#include <stdio.h>

static const struct view_ops *const view_table[UI_VIEW_COUNT] = {
	[UI_VIEW_GRID] = &grid_view,
	[UI_VIEW_DETAIL] = &detail_view,
	[UI_VIEW_HELP] = &help_view,
	[UI_VIEW_LOG] = &log_view,
	[UI_VIEW_WIZARD] = &wizard_view,
	[UI_VIEW_HISTORY] = &history_view,
};

/* The actions that open a view over the one on top. */
static const struct {
	enum key_action action;
	enum ui_view view;
} view_opens[] = {
	{ KEY_ACTION_HELP, UI_VIEW_HELP },
	{ KEY_ACTION_OPEN, UI_VIEW_DETAIL },
	{ KEY_ACTION_LOG, UI_VIEW_LOG },
	{ KEY_ACTION_REPAIR, UI_VIEW_WIZARD },
	{ KEY_ACTION_HISTORY, UI_VIEW_HISTORY },
};

static const struct view_ops *
view_top(const struct ui *u)
{
	return view_table[ui_top(u)];
}

/* What takes the keys and is drawn last: the dialog, else the top view. */
static const struct view_ops *
view_layer(const struct ui *u)
{
	return dialog_active(u) ? &dialog_view : view_top(u);
}

static bool
view_on_stack(const struct ui *u, enum ui_view v)
{
	for (int i = 0; i < u->depth; i++)
		if (u->stack[i] == v)
			return true;
	return false;
}

void
view_init(struct ui *u)
{
	u->stack[0] = UI_VIEW_GRID;
	u->depth = 1;
	scroll_init(&u->detail);
	scroll_init(&u->help);
}

/* Open v over the top view; asked for while on top, it opens again (the
 * detail pane on another cell).  A view lower on the stack stays there. */
static void
view_open(struct ui *u, enum ui_view v)
{
	const struct view_ops *ops = view_table[v];
	bool on_top = ui_top(u) == v;
	if ((!on_top && view_on_stack(u, v)) || (ops->open != NULL && !ops->open(u)))
		return;
	if (!on_top)
		u->stack[u->depth++] = v;
	u->dirty |= UI_DIRTY_ALL;
}

/* Back to the view below.  force: it has nothing left to show; its close
 * is still called, but cannot refuse. */
static void
view_close(struct ui *u, bool force)
{
	const struct view_ops *ops = view_top(u);
	if (u->depth <= 1)
		return;
	if (ops->close != NULL && !ops->close(u) && !force)
		return;
	u->depth--;
	u->dirty |= UI_DIRTY_ALL;
}

static bool
view_too_small(void)
{
	return COLS < UI_MIN_COLS || LINES < UI_MIN_LINES;
}

static void
view_draw_too_small(void)
{
	char line[96];
	werase(stdscr);
	draw_fmt(line, sizeof line, "terminal too small (%dx%d), need at least %dx%d",
	    COLS, LINES, UI_MIN_COLS, UI_MIN_LINES);
	int y = LINES / 2 - 1;
	draw_text_fit(stdscr, y > 0 ? y : 0, 0, COLS, theme_attr(UI_ROLE_WARNING, false), line);
	draw_text_fit(stdscr, (y > 0 ? y : 0) + 1, 0, COLS, theme_attr(UI_ROLE_DIM, false),
	    "enlarge the window, or press q to quit");
}

/* The top view's body; one with nothing left to show is closed, and the
 * one below it drawn instead. */
static void
view_draw_body(struct ui *u, int64_t now)
{
	for (;;) {
		const struct view_ops *ops = view_top(u);
		int y = BARS_HEADER_LINES;
		int status_h = bars_status_height(u);
		int h = LINES - status_h - y; /* up to the status line */
		if ((ops->flags & VIEW_CURSOR_LINE) && status_h > 1)
			h++; /* the grid view's cursor line is part of the status */
		if (ops->draw == NULL || ops->draw(u, y, h, now) || u->depth <= 1)
			return;
		view_close(u, true);
	}
}

/* Leave the terminal cursor where it means something: on the prompt, or
 * on the grid's cursor cell for terminals that cannot hide it. */
static void
view_place_cursor(struct ui *u)
{
	int iy, ix;
	bool in_dialog = !u->prompt.active && dialog_cursor(u, &iy, &ix);
	int want = (u->prompt.active || in_dialog) && !view_too_small() ? 1 : 0;
	if (want != u->cursor_visible) {
		/* Some terminals (vt100) cannot hide the cursor; that is fine. */
		(void)curs_set(want);
		u->cursor_visible = want;
	}
	if (want && in_dialog)
		(void)wmove(stdscr, iy, ix); /* the status line was drawn after it */
	if (want)
		return; /* prompt_draw left it at the insertion point */
	if ((view_layer(u)->flags & VIEW_GRID_CURSOR) && gridview_place_cursor(u))
		return;
	(void)wmove(stdscr, LINES - 1, COLS - 1);
}

void
view_draw(struct ui *u, int64_t now)
{
	if (u->dirty == 0)
		return;
	if (u->dirty & UI_DIRTY_CLEAR)
		(void)clearok(curscr, TRUE);
	/* The prompt owns the terminal cursor, so it is drawn last, always. */
	if (u->prompt.active)
		u->dirty |= UI_DIRTY_FOOTER;
	/* A status line that grows or shrinks moves the body's edge. */
	int status_h = bars_status_height(u);
	if (status_h != u->status_h)
		u->dirty |= UI_DIRTY_BODY;
	u->status_h = status_h;
	if (view_too_small()) {
		view_draw_too_small();
		view_place_cursor(u);
	} else {
		if (u->dirty & UI_DIRTY_BODY) {
			werase(stdscr);
			u->dirty |= UI_DIRTY_ALL;
		}
		if (u->dirty & UI_DIRTY_HEADER)
			bars_draw_header(u, stdscr, now);
		if (u->dirty & UI_DIRTY_BODY) {
			view_draw_body(u, now);
			const struct view_ops *layer = view_layer(u);
			if (layer->flags & VIEW_OVERLAY)
				(void)layer->draw(u, BARS_HEADER_LINES,
				    LINES - bars_status_height(u) - BARS_HEADER_LINES, now);
		}
		if (u->dirty & UI_DIRTY_FOOTER)
			bars_draw_status(u, stdscr, view_top(u), now);
		view_place_cursor(u);
	}
	/* Both only fail on a screen that is gone; the loop notices that on
	 * its input side and leaves. */
	(void)wnoutrefresh(stdscr);
	(void)doupdate();
	u->dirty = 0;
}

/*
 * Keys.
 */

static void
view_prompt_key(struct ui *u, int key)
{
	const struct view_ops *ops = view_top(u);
	switch (prompt_key(&u->prompt, key)) {
	case PROMPT_ACCEPTED:
		if (ops->prompt != NULL)
			ops->prompt(u, u->prompt.buf);
		u->dirty |= UI_DIRTY_ALL;
		break;
	case PROMPT_CANCELLED:
		u->dirty |= UI_DIRTY_ALL;
		break;
	case PROMPT_EDITING:
		u->dirty |= UI_DIRTY_FOOTER;
		break;
	}
}

/* The keys every view shares, and the ones that open a view. */
static void
view_action(struct ui *u, enum key_action a)
{
	switch (a) {
	case KEY_ACTION_QUIT: u->quit = true; break;
	case KEY_ACTION_CLOSE: view_close(u, false); break;
	case KEY_ACTION_REFRESH:
		sshkey_forget(u); /* asked for: questions declined before come back */
		/* Where SMS lives may have moved (a reinstall, a new share):
		 * asked for, it is learned again with the next evidence. */
		if (u->opt->site_env != NULL && u->opt->site_env->layouts != NULL)
			layout_cache_forget(u->opt->site_env->layouts);
		/* Listeners first: the refresh asked for reads everything. */
		ui_notify(u, UI_EVENT_REFRESH_ASKED);
		refresh_start(u);
		break;
	case KEY_ACTION_PAUSE: refresh_toggle_pause(u); break;
	case KEY_ACTION_REDRAW: u->dirty |= UI_DIRTY_CLEAR; break;
	default:
		for (size_t i = 0; i < sizeof view_opens / sizeof view_opens[0]; i++)
			/* `?` in the help itself changes nothing. */
			if (view_opens[i].action == a && ui_top(u) != view_opens[i].view)
				view_open(u, view_opens[i].view);
		break;
	}
	u->dirty |= UI_DIRTY_ALL;
}

void
view_key(struct ui *u, int key)
{
	if (u->prompt.active) {
		view_prompt_key(u, key);
		return;
	}
	if (view_too_small()) {
		/* Only quitting makes sense on the too-small screen. */
		if (keymap_lookup(KEYMAP_CTX_GLOBAL, key) == KEY_ACTION_QUIT)
			u->quit = true;
		return;
	}
	const struct view_ops *ops = view_layer(u);
	enum key_action a = keymap_lookup(ops->ctx, key);
	if (ops == &dialog_view) {
		/* It takes every key: an input line wants them all. */
		(void)ops->key(u, a, key);
		return;
	}
	if (a == KEY_ACTION_NONE)
		return;
	/* A message has been seen once the user acts; the action may set
	 * a new one. */
	if (u->msg != NULL) {
		u->msg_until = 0;
		u->dirty |= UI_DIRTY_FOOTER;
	}
	switch (ops->key != NULL ? ops->key(u, a, key) : VIEW_KEY_PASS) {
	case VIEW_KEY_PASS: view_action(u, a); break;
	case VIEW_KEY_CLOSE: view_close(u, false); break;
	case VIEW_KEY_DONE: break;
	}
}

void
view_tick(struct ui *u, int64_t now)
{
	for (int i = 0; i < u->depth; i++) {
		const struct view_ops *ops = view_table[u->stack[i]];
		if (ops->tick != NULL)
			u->dirty |= ops->tick(u, now, i == u->depth - 1);
	}
	if (u->show_cell) {
		u->show_cell = false;
		if (ui_top(u) == UI_VIEW_GRID || ui_top(u) == UI_VIEW_DETAIL)
			view_open(u, UI_VIEW_DETAIL);
	}
}

int
view_timeout(const struct ui *u, int64_t now)
{
	const struct view_ops *ops = view_top(u);
	return ops->poll_ms != NULL ? ops->poll_ms(u, now) : -1;
}

void
view_free(struct ui *u)
{
	for (int v = 0; v < UI_VIEW_COUNT; v++)
		if (view_table[v]->free != NULL)
			view_table[v]->free(u);
	dialog_view.free(u);
}
