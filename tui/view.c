/*
 * Screen composition and key actions.  Rows from the top: two header
 * lines, the body (grid; grid over the detail pane; help; the log; the
 * repair wizard; the journal; with a dialog box over any of them), the cursor
 * line (grid view only: what the cursor is on) and the status line.  The
 * body is redrawn whole when anything in it changed; that costs only the
 * visible cells, and ncurses sends the terminal just the difference.
 */
#include "config.h"
#include "tui/view.h"
#include "tui/bars.h"
#include "tui/detail.h"
#include "tui/dialog.h"
#include "tui/gather.h"
#include "tui/draw.h"
#include "tui/glyph.h"
#include "tui/help.h"
#include "tui/history.h"
#include "tui/keymap.h"
#include "tui/logview.h"
#include "tui/refresh.h"
#include "tui/sshkey.h"
#include "tui/text.h"
#include "tui/wizard.h"

#include <limits.h>
#include <stdio.h>

/* Rows the grid keeps when the detail pane opens below it. */
#define VIEW_GRID_MIN_H 8
#define VIEW_PANE_MIN_H 6

bool
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

/* Before the first snapshot: say what is happening instead of an empty grid. */
static void
view_draw_waiting(struct ui *u, int y, int h, int64_t now)
{
	const struct glyphs *g = glyph();
	const struct transport *t = u->opt->status_transport;
	struct text txt;
	text_init(&txt);
	text_newline(&txt);
	if (u->refresh_job != NULL) {
		int frame = (int)(((now - u->refresh_started) / UI_SPIN_MS) % g->nspinner);
		text_addf(&txt, UI_ROLE_WARNING, "%s ", g->spinner[frame]);
		text_wrap(&txt, UI_ROLE_NORMAL, "Asking the site for the status of every "
		    "package on every distribution point", COLS - 4, 2);
		text_newline(&txt);
		text_addf(&txt, UI_ROLE_DIM, "  site %s via %s", u->opt->site,
		    t && t->host ? t->host : "?");
	} else if (u->refresh_error != NULL) {
		text_add(&txt, UI_ROLE_ERROR, "No status yet. ");
		text_wrap(&txt, UI_ROLE_NORMAL, u->refresh_error, COLS - 4, 2);
		text_newline(&txt);
		text_newline(&txt);
		text_add(&txt, UI_ROLE_DIM, "r tries again, q quits");
	}
	int top = 0;
	text_draw(&txt, stdscr, y + 1, 2, h - 1, COLS - 4, &top);
	text_free(&txt);
}

static void
view_draw_help(struct ui *u, int y, int h)
{
	struct text t;
	text_init(&t);
	help_build(&t, COLS - 4, u->opt->read_only);
	text_draw(&t, stdscr, y, 2, h, COLS - 4, &u->help_top);
	u->help_page = h;
	text_free(&t);
}

/* Height of the detail pane: its content, within what the grid leaves. */
static int
view_pane_height(const struct ui *u, size_t pkg, size_t dp, int body_h,
    const struct gather_view *gv, int64_t now)
{
	struct text t;
	text_init(&t);
	detail_build(&t, u->board.snap, pkg, dp, COLS - 4, gv, now);
	int want = (int)t.n + 2;
	text_free(&t);
	int max = body_h - VIEW_GRID_MIN_H;
	if (want > max)
		want = max;
	return want < VIEW_PANE_MIN_H ? VIEW_PANE_MIN_H : want;
}

static void
view_draw_body(struct ui *u, int64_t now)
{
	int y = BARS_HEADER_LINES;
	int status_h = bars_status_height(u);
	int h = LINES - status_h - y; /* up to the status line */
	if (u->view == UI_VIEW_GRID && status_h > 1)
		h++; /* the grid view's cursor line is part of the status */
	if (u->view == UI_VIEW_HELP) {
		view_draw_help(u, y, h);
		return;
	}
	if (u->view == UI_VIEW_LOG && u->log != NULL) {
		logview_draw(u, y, h);
		return;
	}
	if (u->view == UI_VIEW_WIZARD && u->wizard != NULL) {
		wizard_draw(u, y, h, now);
		return;
	}
	if (u->view == UI_VIEW_HISTORY) {
		history_draw(u, y, h, now);
		return;
	}
	if (u->board.snap == NULL) {
		view_draw_waiting(u, y, h, now);
		return;
	}
	size_t pkg, dp;
	if (u->view == UI_VIEW_DETAIL && board_cursor(&u->board, &pkg, &dp)) {
		struct gather_view gv, *gvp = gather_view(u, &gv) ? &gv : NULL;
		int pane_h = view_pane_height(u, pkg, dp, h, gvp, now);
		u->detail_page = pane_h - 2;
		board_layout(&u->board, y, 0, h - pane_h, COLS);
		/* The layout may move the cursor (clamping): ask again. */
		if (board_cursor(&u->board, &pkg, &dp)) {
			board_draw(&u->board, stdscr);
			detail_draw(stdscr, y + h - pane_h, 0, pane_h, COLS, u->board.snap, pkg, dp,
			    gvp, &u->detail_top, now);
		}
		return;
	}
	if (u->view != UI_VIEW_GRID) {
		u->view = UI_VIEW_GRID; /* nothing left to detail */
		gather_close(u);
	}
	/* A two-line status takes the cursor line's place. */
	int cursor_h = status_h > 1 ? 0 : 1;
	board_layout(&u->board, y, 0, h - cursor_h, COLS);
	board_draw(&u->board, stdscr);
	if (cursor_h > 0)
		bars_draw_cursor_line(u, stdscr, LINES - 2);
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
	const struct grid *g = &u->board.grid;
	if ((u->view == UI_VIEW_GRID || u->view == UI_VIEW_DETAIL) && !dialog_active(u) &&
	    u->board.nrows > 0 && u->board.ncols > 0 &&
	    g->cur_row >= g->top && g->cur_col >= g->left) {
		int cy = g->y + g->col_header_h + (int)(g->cur_row - g->top);
		int cx = g->x + g->row_header_w + (int)(g->cur_col - g->left) * g->cell_w +
		    (g->cell_w - 1) / 2;
		if (cy < LINES && cx < COLS) {
			(void)wmove(stdscr, cy, cx);
			return;
		}
	}
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
			if (dialog_active(u))
				dialog_draw(u, BARS_HEADER_LINES,
				    LINES - bars_status_height(u) - BARS_HEADER_LINES);
		}
		if (u->dirty & UI_DIRTY_FOOTER)
			bars_draw_status(u, stdscr, now);
		view_place_cursor(u);
	}
	/* Both only fail on a screen that is gone; the loop notices that on
	 * its input side and leaves. */
	(void)wnoutrefresh(stdscr);
	(void)doupdate();
	u->dirty = 0;
}

/*
 * Key actions.
 */

/* Movement: what an action does in the grid and in the help view. */
static const struct {
	enum key_action action;
	enum grid_move move;
	int help_lines;  /* scroll by this many lines... */
	int help_pages;  /* ...or pages */
} view_moves[] = {
	{ KEY_ACTION_UP, GRID_MOVE_UP, -1, 0 },
	{ KEY_ACTION_DOWN, GRID_MOVE_DOWN, 1, 0 },
	{ KEY_ACTION_LEFT, GRID_MOVE_LEFT, 0, 0 },
	{ KEY_ACTION_RIGHT, GRID_MOVE_RIGHT, 0, 0 },
	{ KEY_ACTION_PAGE_UP, GRID_MOVE_PAGE_UP, 0, -1 },
	{ KEY_ACTION_PAGE_DOWN, GRID_MOVE_PAGE_DOWN, 0, 1 },
	{ KEY_ACTION_PAGE_LEFT, GRID_MOVE_PAGE_LEFT, 0, 0 },
	{ KEY_ACTION_PAGE_RIGHT, GRID_MOVE_PAGE_RIGHT, 0, 0 },
	{ KEY_ACTION_TOP, GRID_MOVE_TOP, INT_MIN / 2, 0 },
	{ KEY_ACTION_BOTTOM, GRID_MOVE_BOTTOM, INT_MAX / 2, 0 },
	{ KEY_ACTION_FIRST_COL, GRID_MOVE_FIRST_COL, 0, 0 },
	{ KEY_ACTION_LAST_COL, GRID_MOVE_LAST_COL, 0, 0 },
};

static bool
view_move(struct ui *u, enum key_action a)
{
	if (u->view == UI_VIEW_LOG)
		return logview_action(u, a);
	if (u->view == UI_VIEW_WIZARD)
		return wizard_action(u, a);
	if (u->view == UI_VIEW_HISTORY)
		return history_action(u, a);
	if (u->view == UI_VIEW_DETAIL &&
	    (a == KEY_ACTION_PAGE_UP || a == KEY_ACTION_PAGE_DOWN)) {
		/* text_draw clamps the far end. */
		int page = u->detail_page > 2 ? u->detail_page - 1 : 1;
		int step = a == KEY_ACTION_PAGE_UP ? -page : page;
		u->detail_top = u->detail_top + step < 0 ? 0 : u->detail_top + step;
		u->dirty |= UI_DIRTY_BODY;
		return true;
	}
	for (size_t i = 0; i < sizeof view_moves / sizeof view_moves[0]; i++) {
		if (view_moves[i].action != a)
			continue;
		if (u->view == UI_VIEW_HELP) {
			int page = u->help_page > 1 ? u->help_page - 1 : 1;
			/* text_draw clamps the far end. */
			long top = (long)u->help_top + view_moves[i].help_lines +
			    (long)view_moves[i].help_pages * page;
			u->help_top = top < 0 ? 0 : top > INT_MAX / 2 ? INT_MAX / 2 : (int)top;
			u->dirty |= UI_DIRTY_BODY;
		} else if (grid_move(&u->board.grid, view_moves[i].move)) {
			u->dirty |= UI_DIRTY_BODY;
		}
		return true;
	}
	return false;
}

static void
view_prompt_key(struct ui *u, int key)
{
	switch (prompt_key(&u->prompt, key)) {
	case PROMPT_ACCEPTED:
		if (u->view == UI_VIEW_LOG) {
			logview_search(u, u->prompt.buf);
			break;
		}
		board_set_filter(&u->board, u->prompt.buf);
		if (u->board.filter == NULL)
			ui_message(u, UI_ROLE_INFO, "filter cleared");
		else
			ui_message(u, UI_ROLE_INFO, "filter \"%s\": %zu packages, %zu DPs",
			    u->board.filter, u->board.nrows, u->board.ncols);
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

static void
view_open_detail(struct ui *u)
{
	size_t pkg, dp;
	if (!board_cursor(&u->board, &pkg, &dp)) {
		ui_message(u, UI_ROLE_INFO, "no cell under the cursor");
		return;
	}
	u->view = UI_VIEW_DETAIL;
	u->detail_top = 0;
	gather_want(u, pkg, dp);
	u->dirty |= UI_DIRTY_ALL;
}

static void
view_open_log(struct ui *u)
{
	size_t pkg, dp;
	if (!board_cursor(&u->board, &pkg, &dp)) {
		ui_message(u, UI_ROLE_INFO, "no cell under the cursor");
		return;
	}
	logview_open(u, pkg, dp);
	u->log_return = u->view;
	u->view = UI_VIEW_LOG;
}

void
view_show_cell(struct ui *u, size_t pkg, size_t dp)
{
	struct board *b = &u->board;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t r = 0; r < b->nrows; r++) {
			if (b->rows[r] != pkg)
				continue;
			for (size_t c = 0; c < b->ncols; c++) {
				if (b->cols[c] != dp)
					continue;
				grid_set_cursor(&b->grid, r, c);
				if (u->view == UI_VIEW_GRID || u->view == UI_VIEW_DETAIL)
					view_open_detail(u);
				return;
			}
		}
		/* Not shown (installed now, or filtered out): show everything. */
		board_set_filter(b, NULL);
		if (!b->show_all)
			board_toggle_all(b);
	}
}

static void
view_toggle_mark(struct ui *u)
{
	bool marked;
	if (!board_toggle_mark(&u->board, &marked)) {
		ui_message(u, UI_ROLE_INFO, "no cell under the cursor");
		return;
	}
	ui_message(u, UI_ROLE_INFO, "%s; %zu marked (R repairs them, u clears)",
	    marked ? "marked" : "unmarked", u->board.marks.n);
	/* The next cell down, as file managers do, so marking a column is
	 * one key per cell. */
	(void)grid_move(&u->board.grid, GRID_MOVE_DOWN);
}

static void
view_close(struct ui *u)
{
	switch (u->view) {
	case UI_VIEW_HELP: u->view = u->help_return; break;
	case UI_VIEW_WIZARD: (void)wizard_close(u); break;
	case UI_VIEW_HISTORY: history_close(u); break;
	case UI_VIEW_LOG:
		logview_close(u);
		u->view = u->log_return;
		break;
	default:
		gather_close(u);
		u->view = UI_VIEW_GRID;
		break;
	}
}

/* The detail pane follows the cursor: gather for the cell under it. */
static void
view_sync_detail(struct ui *u)
{
	size_t pkg, dp;
	if (u->view == UI_VIEW_DETAIL && board_cursor(&u->board, &pkg, &dp) &&
	    gather_want(u, pkg, dp))
		u->detail_top = 0; /* another cell: its text from the top */
}

static void
view_action(struct ui *u, enum key_action a)
{
	switch (a) {
	case KEY_ACTION_QUIT: u->quit = true; break;
	case KEY_ACTION_HELP:
		if (u->view != UI_VIEW_HELP) {
			u->help_return = u->view;
			u->view = UI_VIEW_HELP;
			u->help_top = 0;
		}
		break;
	case KEY_ACTION_CLOSE: view_close(u); break;
	case KEY_ACTION_REFRESH:
		sshkey_forget(u); /* asked for: questions declined before come back */
		refresh_start(u);
		if (u->view == UI_VIEW_DETAIL)
			gather_restart(u);
		break;
	case KEY_ACTION_PAUSE: refresh_toggle_pause(u); break;
	case KEY_ACTION_REDRAW: u->dirty |= UI_DIRTY_CLEAR; break;
	case KEY_ACTION_TOGGLE_ALL:
		board_toggle_all(&u->board);
		ui_message(u, UI_ROLE_INFO, u->board.show_all ? "showing all packages and DPs" :
		    "showing problems only (State != 0)");
		break;
	case KEY_ACTION_FILTER:
		prompt_open(&u->prompt, "Filter (package ID, name, maker, DP): ", u->board.filter);
		break;
	case KEY_ACTION_SORT:
		board_cycle_sort(&u->board);
		ui_message(u, UI_ROLE_INFO, "sorted by %s", board_sort_name(u->board.sort));
		break;
	case KEY_ACTION_OPEN: view_open_detail(u); break;
	case KEY_ACTION_LOG: view_open_log(u); break;
	case KEY_ACTION_MARK: view_toggle_mark(u); break;
	case KEY_ACTION_UNMARK_ALL:
		ui_message(u, UI_ROLE_INFO, "%zu marks cleared", u->board.marks.n);
		marks_clear(&u->board.marks);
		break;
	case KEY_ACTION_REPAIR: wizard_open(u); break;
	case KEY_ACTION_HISTORY: history_open(u); break;
	default: break;
	}
	u->dirty |= UI_DIRTY_ALL;
}

static const enum keymap_ctx view_ctx[] = {
	[UI_VIEW_GRID] = KEYMAP_CTX_GRID,
	[UI_VIEW_DETAIL] = KEYMAP_CTX_DETAIL,
	[UI_VIEW_HELP] = KEYMAP_CTX_HELP,
	[UI_VIEW_LOG] = KEYMAP_CTX_LOG,
	[UI_VIEW_WIZARD] = KEYMAP_CTX_WIZARD,
	[UI_VIEW_HISTORY] = KEYMAP_CTX_HISTORY,
};

void
view_key(struct ui *u, int key)
{
	if (u->prompt.active) {
		view_prompt_key(u, key);
		return;
	}
	if (dialog_active(u) && !view_too_small()) {
		dialog_key(u, key);
		u->dirty |= UI_DIRTY_ALL;
		return;
	}
	if (view_too_small()) {
		/* Only quitting makes sense on the too-small screen. */
		if (keymap_lookup(KEYMAP_CTX_GLOBAL, key) == KEY_ACTION_QUIT)
			u->quit = true;
		return;
	}
	enum key_action a = keymap_lookup(view_ctx[u->view], key);
	if (a == KEY_ACTION_NONE)
		return;
	/* A message has been seen once the user acts; the action may set
	 * a new one. */
	if (u->msg != NULL) {
		u->msg_until = 0;
		u->dirty |= UI_DIRTY_FOOTER;
	}
	if (!view_move(u, a))
		view_action(u, a);
	view_sync_detail(u);
}

void
view_tick(struct ui *u, int64_t now)
{
	view_sync_detail(u);
	struct gather_view gv;
	bool gathering = gather_view(u, &gv) && gv.running;
	if (gather_tick(u) || (gathering && u->view == UI_VIEW_DETAIL))
		u->dirty |= UI_DIRTY_BODY; /* new evidence, or the spinner */
	if (logview_tick(u, now) && u->view == UI_VIEW_LOG)
		u->dirty |= UI_DIRTY_BODY | UI_DIRTY_FOOTER;
	if (wizard_tick(u) | history_tick(u))
		u->dirty |= UI_DIRTY_BODY;
}

int
view_timeout(const struct ui *u, int64_t now)
{
	int t = gather_timeout(u, now);
	int l = u->view == UI_VIEW_LOG ? logview_timeout(u, now) : -1;
	t = t < 0 ? l : l < 0 ? t : t < l ? t : l;
	int w = wizard_timeout(u, now);
	t = t < 0 ? w : w < 0 ? t : t < w ? t : w;
	int h = history_timeout(u, now);
	return t < 0 ? h : h < 0 ? t : t < h ? t : h;
}

void
view_free(struct ui *u)
{
	gather_free(u);
	logview_free(u);
	dialog_free(u);
	wizard_free(u);
	history_free(u);
}
