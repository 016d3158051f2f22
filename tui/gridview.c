/*
 * The grid and the detail pane (see gridview.h).  The grid's keys move the
 * cursor (grid.h) and change what the board shows (board.h); the pane
 * asks for evidence on the cell under the cursor whenever that changes,
 * and again when the user refreshes or accepts a host key while it is on
 * screen, which it hears as events (ui_listen) rather than being called.
 */
#include "autoconf.h"
#include "tui/gridview.h"
#include "tui/bars.h"
#include "tui/detail.h"
#include "tui/dialog.h"
#include "tui/draw.h"
#include "tui/gather.h"
#include "tui/glyph.h"
#include "tui/keymap.h"
#include "tui/marks.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "tui/view_ops.h"

/* Rows the grid keeps when the detail pane opens below it. */
#define GRIDVIEW_GRID_MIN_H 8
#define GRIDVIEW_GRID_ROWS 1 /* under the header, at least the cursor's row */
#define GRIDVIEW_PANE_MIN_H 6

/* Before the first snapshot: say what is happening instead of an empty grid. */
static void
gridview_draw_waiting(struct ui *u, int y, int h, int64_t now)
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
	text_draw(&txt, stdscr, y + 1, 2, h - 1, COLS - 4, NULL);
	text_free(&txt);
}

static bool
gridview_draw(struct ui *u, int y, int h, int64_t now)
{
	if (u->board.snap == NULL) {
		gridview_draw_waiting(u, y, h, now);
		return true;
	}
	/* A two-line status takes the cursor line's place. */
	int cursor_h = bars_status_height(u) > 1 ? 0 : 1;
	board_layout(&u->board, y, 0, h - cursor_h, COLS);
	board_draw(&u->board, stdscr);
	if (cursor_h > 0)
		bars_draw_cursor_line(u, stdscr, LINES - 2);
	return true;
}

/* Movement: what an action does to the grid's cursor. */
static const struct {
	enum key_action action;
	enum grid_move move;
} gridview_moves[] = {
	{ KEY_ACTION_UP, GRID_MOVE_UP },
	{ KEY_ACTION_DOWN, GRID_MOVE_DOWN },
	{ KEY_ACTION_LEFT, GRID_MOVE_LEFT },
	{ KEY_ACTION_RIGHT, GRID_MOVE_RIGHT },
	{ KEY_ACTION_PAGE_UP, GRID_MOVE_PAGE_UP },
	{ KEY_ACTION_PAGE_DOWN, GRID_MOVE_PAGE_DOWN },
	{ KEY_ACTION_PAGE_LEFT, GRID_MOVE_PAGE_LEFT },
	{ KEY_ACTION_PAGE_RIGHT, GRID_MOVE_PAGE_RIGHT },
	{ KEY_ACTION_TOP, GRID_MOVE_TOP },
	{ KEY_ACTION_BOTTOM, GRID_MOVE_BOTTOM },
	{ KEY_ACTION_FIRST_COL, GRID_MOVE_FIRST_COL },
	{ KEY_ACTION_LAST_COL, GRID_MOVE_LAST_COL },
};

/* Space on a cell that cannot be repaired says why and marks nothing (an
 * old mark on it may still be taken off). */
static bool
gridview_mark_refused(struct ui *u)
{
	const struct snapshot *s = u->board.snap;
	size_t pkg, dp;
	if (s == NULL || !board_cursor(&u->board, &pkg, &dp))
		return false;
	const char *why = marks_refusal(snapshot_cell(s, pkg, dp));
	if (why == NULL || marks_has(&u->board.marks, s->pkgs[pkg].id, s->dps[dp].name))
		return false;
	ui_message(u, UI_ROLE_INFO, "%s on %s not marked: %s", s->pkgs[pkg].id,
	    s->dps[dp].name, why);
	return true;
}

static void
gridview_toggle_mark(struct ui *u)
{
	bool marked;
	if (gridview_mark_refused(u))
		return;
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

/* The / prompt filters as the user types; Esc puts the filter back. */
static void
gridview_filter_edited(const char *text, void *arg)
{
	struct ui *u = arg;
	if (text == NULL) {
		board_filter_restore(&u->board);
		if (u->board.filter != NULL)
			ui_message(u, UI_ROLE_INFO, "filter \"%s\" kept", u->board.filter);
		else
			ui_message(u, UI_ROLE_INFO, "no filter");
	} else {
		board_set_filter(&u->board, text);
	}
	u->dirty |= UI_DIRTY_ALL;
}

/* It opens empty, the filter in force shown beside it. */
static void
gridview_filter_open(struct ui *u)
{
	char note[2 * PROMPT_MAX + 1];
	board_filter_save(&u->board);
	prompt_open(&u->prompt, "Filter (package ID, name, maker, DP): ", NULL);
	if (u->board.filter != NULL)
		prompt_set_note(&u->prompt, draw_fmt(note, sizeof note,
		    "now: \"%s\"  Esc keeps it", u->board.filter));
	prompt_on_edit(&u->prompt, gridview_filter_edited, u);
}

static void
gridview_quit_answer(struct ui *u, enum key_action answer, void *arg)
{
	(void)arg;
	if (answer == KEY_ACTION_YES)
		u->quit = true;
}

static const struct dialog_choice gridview_quit_choices[] = {
	{ KEY_ACTION_YES, "[y]es, quit", 0 },
	{ KEY_ACTION_NO, "[N]o", DIALOG_ENTER | DIALOG_ESC },
};

static void
gridview_ask_quit(struct ui *u)
{
	struct text *t = dialog_open(u, "Quit dpdoctor?", gridview_quit_choices,
	    sizeof gridview_quit_choices / sizeof gridview_quit_choices[0],
	    gridview_quit_answer, NULL);
	text_newline(t);
	text_addf(t, UI_ROLE_WARNING, "%zu cell%s marked for repair", u->board.marks.n,
	    u->board.marks.n == 1 ? " is" : "s are");
	text_newline(t);
	text_add(t, UI_ROLE_NORMAL, "The marks are lost when dpdoctor quits.");
}

/* What the board shows: all or problems, the filter, the sort, marks. */
static bool
gridview_board_action(struct ui *u, enum key_action a)
{
	switch (a) {
	case KEY_ACTION_TOGGLE_ALL:
		board_toggle_all(&u->board);
		ui_message(u, UI_ROLE_INFO, u->board.show_all ? "showing all packages and DPs" :
		    "showing problems only (State != 0)");
		break;
	case KEY_ACTION_FILTER: gridview_filter_open(u); break;
	case KEY_ACTION_SORT:
		board_cycle_sort(&u->board);
		ui_message(u, UI_ROLE_INFO, "sorted by %s", board_sort_name(u->board.sort));
		break;
	case KEY_ACTION_MARK: gridview_toggle_mark(u); break;
	case KEY_ACTION_QUIT:
		/* Marks would be lost: ask first. */
		if (u->board.marks.n == 0)
			return false;
		gridview_ask_quit(u);
		break;
	case KEY_ACTION_UNMARK_ALL:
		ui_message(u, UI_ROLE_INFO, "%zu marks cleared", u->board.marks.n);
		marks_clear(&u->board.marks);
		break;
	default: return false;
	}
	u->dirty |= UI_DIRTY_ALL;
	return true;
}

static enum view_key
gridview_key(struct ui *u, enum key_action a, int key)
{
	(void)key;
	/* Said at once, rather than opening a wizard with nothing to do. */
	if (a == KEY_ACTION_REPAIR && u->opt->read_only) {
		ui_message(u, UI_ROLE_WARNING, "read-only: repairs are disabled");
		u->dirty |= UI_DIRTY_FOOTER;
		return VIEW_KEY_DONE;
	}
	for (size_t i = 0; i < sizeof gridview_moves / sizeof gridview_moves[0]; i++) {
		if (gridview_moves[i].action != a)
			continue;
		if (grid_move(&u->board.grid, gridview_moves[i].move))
			u->dirty |= UI_DIRTY_BODY;
		return VIEW_KEY_DONE;
	}
	return gridview_board_action(u, a) ? VIEW_KEY_DONE : VIEW_KEY_PASS;
}

/* The / prompt: the board's filter. */
static void
gridview_prompt(struct ui *u, const char *text)
{
	board_set_filter(&u->board, text);
	if (u->board.filter == NULL)
		ui_message(u, UI_ROLE_INFO, "filter cleared");
	else
		ui_message(u, UI_ROLE_INFO, "filter \"%s\": %zu packages, %zu DPs",
		    u->board.filter, u->board.nrows, u->board.ncols);
}

bool
gridview_place_cursor(struct ui *u)
{
	const struct grid *g = &u->board.grid;
	if (u->board.nrows == 0 || u->board.ncols == 0 || g->cur_row < g->top ||
	    g->cur_col < g->left)
		return false;
	int cy = g->y + g->col_header_h + (int)(g->cur_row - g->top);
	int cx = g->x + g->row_header_w + (int)(g->cur_col - g->left) * g->cell_w +
	    (g->cell_w - 1) / 2;
	if (cy >= LINES || cx >= COLS)
		return false;
	(void)wmove(stdscr, cy, cx);
	return true;
}

const struct view_ops grid_view = {
	.ctx = KEYMAP_CTX_GRID,
	.hint = "/ filter  a all  ? help  q quit",
	.flags = VIEW_CURSOR_LINE | VIEW_GRID_CURSOR,
	.draw = gridview_draw,
	.key = gridview_key,
	.prompt = gridview_prompt,
};

/*
 * The detail pane.
 */

/* The pane follows the cursor: gather for the cell under it. */
static void
detail_sync(struct ui *u)
{
	size_t pkg, dp;
	if (board_cursor(&u->board, &pkg, &dp) && gather_want(u, pkg, dp)) {
		scroll_home(&u->detail); /* another cell: its text from the top */
		u->detail_open = 0;      /* and its long lists folded */
	}
}

/* A refresh asked for, or host keys accepted: the evidence may differ now
 * (a DP that could not be read can be), but only the pane on screen asks. */
static void
detail_stale(struct ui *u, enum ui_event ev, void *arg)
{
	(void)ev;
	(void)arg;
	if (ui_top(u) == UI_VIEW_DETAIL)
		gather_restart(u);
}

static bool
detail_open(struct ui *u)
{
	size_t pkg, dp;
	if (!board_cursor(&u->board, &pkg, &dp)) {
		ui_message(u, UI_ROLE_INFO, "no cell under the cursor");
		return false;
	}
	scroll_home(&u->detail);
	u->detail_open = 0;
	gather_want(u, pkg, dp);
	/* Opened again on top (another cell): listening once is enough. */
	ui_unlisten(u, detail_stale, NULL);
	ui_listen(u, UI_EVENT_REFRESH_ASKED, detail_stale, NULL);
	ui_listen(u, UI_EVENT_HOSTKEYS_ACCEPTED, detail_stale, NULL);
	return true;
}

static bool
detail_close(struct ui *u)
{
	gather_close(u);
	ui_unlisten(u, detail_stale, NULL);
	return true;
}

/* Height of the detail pane: its content, within what the grid leaves. */
static int
detail_pane_height(const struct ui *u, size_t pkg, size_t dp, int body_h,
    const struct gather_view *gv, int64_t now)
{
	struct text t;
	struct detail_folds f = { .open = u->detail_open };
	text_init(&t);
	detail_build(&t, u->board.snap, pkg, dp, COLS - 4, gv, &f, now);
	int want = (int)t.n + 2;
	text_free(&t);
	/* The grid keeps its header as it is without the pane (never
	 * squeezed to a letter per name) and the cursor's row. */
	int grid_min = board_header_height(&u->board, body_h, COLS) + GRIDVIEW_GRID_ROWS;
	int max = body_h - (grid_min > GRIDVIEW_GRID_MIN_H ? grid_min : GRIDVIEW_GRID_MIN_H);
	if (want > max)
		want = max;
	return want < GRIDVIEW_PANE_MIN_H ? GRIDVIEW_PANE_MIN_H : want;
}

static bool
detail_view_draw(struct ui *u, int y, int h, int64_t now)
{
	size_t pkg, dp;
	if (!board_cursor(&u->board, &pkg, &dp))
		return false; /* nothing left to detail */
	struct gather_view gv, *gvp = gather_view(u, &gv) ? &gv : NULL;
	int pane_h = detail_pane_height(u, pkg, dp, h, gvp, now);
	u->detail.height = pane_h - 2;
	board_layout_under(&u->board, y, 0, h - pane_h, COLS, h);
	/* The layout may move the cursor (clamping): ask again. */
	if (board_cursor(&u->board, &pkg, &dp)) {
		board_draw(&u->board, stdscr);
		detail_draw(stdscr, y + h - pane_h, 0, pane_h, COLS, u->board.snap, pkg, dp, gvp,
		    &u->detail, u->detail_open, now);
	}
	return true;
}

/* Enter on the pane: the first folded kind whose count line is in sight
 * is listed in full (true); none in sight, Enter closes the pane. */
static bool
detail_unfold(struct ui *u, int64_t now)
{
	size_t pkg, dp;
	struct gather_view gv;
	if (!board_cursor(&u->board, &pkg, &dp) || !gather_view(u, &gv))
		return false;
	struct text t;
	struct detail_folds f = { .open = u->detail_open };
	text_init(&t);
	detail_build(&t, u->board.snap, pkg, dp, COLS - 4, &gv, &f, now);
	text_free(&t);
	const struct scroll *sc = &u->detail;
	for (int k = 0; k < EV_KIND_COUNT; k++)
		if (f.line[k] >= sc->top && f.line[k] < sc->top + sc->height) {
			u->detail_open |= 1u << k;
			return true;
		}
	return false;
}

static enum view_key
detail_key(struct ui *u, enum key_action a, int key)
{
	enum view_key r = VIEW_KEY_DONE;
	if (a == KEY_ACTION_CLOSE && key != KEYMAP_ESC && detail_unfold(u, clock_mono_ms())) {
		u->dirty |= UI_DIRTY_BODY;
		return VIEW_KEY_DONE;
	}
	/* The pane has the focus: its own scrolling keys move the pane, the
	 * grid behind it keeps its cursor (Home and End too, not only PgUp). */
	if (a == KEY_ACTION_PAGE_UP || a == KEY_ACTION_PAGE_DOWN || a == KEY_ACTION_TOP ||
	    a == KEY_ACTION_BOTTOM) {
		(void)scroll_action(&u->detail, a);
		u->dirty |= UI_DIRTY_BODY;
	} else {
		r = gridview_key(u, a, key);
	}
	detail_sync(u);
	return r;
}

static unsigned
detail_tick(struct ui *u, int64_t now, bool top)
{
	struct gather_view gv;
	(void)now;
	if (!top)
		return 0;
	detail_sync(u);
	/* The spinner turns while the evidence comes. */
	return gather_view(u, &gv) && gv.running ? UI_DIRTY_BODY : 0;
}

const struct view_ops detail_view = {
	.ctx = KEYMAP_CTX_DETAIL,
	.hint = "Esc close  L log  ? help  q quit",
	.flags = VIEW_GRID_CURSOR,
	.open = detail_open,
	.close = detail_close,
	.draw = detail_view_draw,
	.key = detail_key,
	.tick = detail_tick,
	.prompt = gridview_prompt,
};
