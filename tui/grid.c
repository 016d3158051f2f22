/*
 * The grid widget.  Scrolling is minimal (the view moves only as far as
 * needed to keep the cursor visible) and the cursor is clamped whenever the
 * data behind it changes size, so a refresh that removes rows never leaves
 * the cursor pointing past the end.  Drawing loops over visible rows and
 * columns only.
 */
#include "autoconf.h"
#include "tui/grid.h"
#include "tui/draw.h"
#include "tui/theme.h"

void
grid_init(struct grid *g, const struct grid_ops *ops, void *arg)
{
	*g = (struct grid){ .ops = ops, .arg = arg, .cell_w = 1, .row_header_w = 1 };
}

int
grid_page_rows(const struct grid *g)
{
	int n = g->h - g->col_header_h;
	return n > 1 ? n : 1;
}

int
grid_page_cols(const struct grid *g)
{
	int n = (g->w - g->row_header_w) / (g->cell_w > 0 ? g->cell_w : 1);
	return n > 1 ? n : 1;
}

/* Scroll one axis so `cur` is visible and no space is wasted at the end. */
static size_t
grid_scroll_axis(size_t cur, size_t first, size_t count, size_t page)
{
	if (cur < first)
		first = cur;
	if (cur >= first + page)
		first = cur - page + 1;
	if (first + page > count)
		first = count > page ? count - page : 0;
	return first;
}

void
grid_clamp(struct grid *g)
{
	size_t rows = g->ops->rows(g->arg), cols = g->ops->cols(g->arg);
	if (g->cur_row >= rows)
		g->cur_row = rows ? rows - 1 : 0;
	if (g->cur_col >= cols)
		g->cur_col = cols ? cols - 1 : 0;
	g->top = grid_scroll_axis(g->cur_row, g->top, rows, (size_t)grid_page_rows(g));
	g->left = grid_scroll_axis(g->cur_col, g->left, cols, (size_t)grid_page_cols(g));
}

void
grid_layout(struct grid *g, int y, int x, int h, int w, int row_header_w,
    int col_header_h, int cell_w)
{
	g->y = y;
	g->x = x;
	g->h = h;
	g->w = w;
	g->row_header_w = row_header_w;
	g->col_header_h = col_header_h;
	g->cell_w = cell_w > 0 ? cell_w : 1;
	grid_clamp(g);
}

void
grid_set_cursor(struct grid *g, size_t row, size_t col)
{
	g->cur_row = row;
	g->cur_col = col;
	grid_clamp(g);
	if (g->ops->moved)
		g->ops->moved(g->cur_row, g->cur_col, g->arg);
}

/* Move by delta within [0, count), saturating at the ends. */
static size_t
grid_step(size_t cur, long delta, size_t count)
{
	if (count == 0)
		return 0;
	if (delta < 0)
		return (size_t)-delta > cur ? 0 : cur - (size_t)-delta;
	size_t last = count - 1;
	return (size_t)delta > last - cur ? last : cur + (size_t)delta;
}

bool
grid_move(struct grid *g, enum grid_move how)
{
	size_t rows = g->ops->rows(g->arg), cols = g->ops->cols(g->arg);
	long prow = grid_page_rows(g), pcol = grid_page_cols(g);
	size_t r = g->cur_row, c = g->cur_col;
	switch (how) {
	case GRID_MOVE_UP: r = grid_step(r, -1, rows); break;
	case GRID_MOVE_DOWN: r = grid_step(r, 1, rows); break;
	case GRID_MOVE_LEFT: c = grid_step(c, -1, cols); break;
	case GRID_MOVE_RIGHT: c = grid_step(c, 1, cols); break;
	case GRID_MOVE_PAGE_UP: r = grid_step(r, -prow, rows); break;
	case GRID_MOVE_PAGE_DOWN: r = grid_step(r, prow, rows); break;
	case GRID_MOVE_PAGE_LEFT: c = grid_step(c, -pcol, cols); break;
	case GRID_MOVE_PAGE_RIGHT: c = grid_step(c, pcol, cols); break;
	case GRID_MOVE_TOP: r = 0; break;
	case GRID_MOVE_BOTTOM: r = rows ? rows - 1 : 0; break;
	case GRID_MOVE_FIRST_COL: c = 0; break;
	case GRID_MOVE_LAST_COL: c = cols ? cols - 1 : 0; break;
	}
	if (r == g->cur_row && c == g->cur_col)
		return false;
	grid_set_cursor(g, r, c);
	return true;
}

static void
grid_draw_headers(struct grid *g, WINDOW *win, size_t rows, size_t cols, int ncols)
{
	int cx = g->x + g->row_header_w;
	if (g->ops->draw_corner)
		g->ops->draw_corner(win, g->y, g->x, g->col_header_h, g->row_header_w - 1, g->arg);
	for (int i = 0; i < ncols && g->left + (size_t)i < cols; i++) {
		size_t c = g->left + (size_t)i;
		g->ops->draw_col_header(win, g->y, cx + i * g->cell_w, g->col_header_h,
		    g->cell_w, c, c == g->cur_col, g->arg);
	}
	/* The frozen separator between row headers and cells (none around
	 * the "nothing to show" message). */
	if (rows == 0 || cols == 0)
		return;
	draw_vline(win, g->y, g->x + g->row_header_w - 1, g->h, theme_attr(UI_ROLE_BORDER, false));
}

void
grid_draw(struct grid *g, WINDOW *win)
{
	size_t rows = g->ops->rows(g->arg), cols = g->ops->cols(g->arg);
	int nrows = grid_page_rows(g), ncols = grid_page_cols(g);
	grid_clamp(g);
	if (g->h <= g->col_header_h || g->w <= g->row_header_w)
		return;
	grid_draw_headers(g, win, rows, cols, ncols);
	if (rows == 0 || cols == 0) {
		if (g->ops->draw_empty)
			g->ops->draw_empty(win, g->y + g->col_header_h, g->x,
			    g->h - g->col_header_h, g->w, g->arg);
		return;
	}
	int cy = g->y + g->col_header_h, cx = g->x + g->row_header_w;
	for (int i = 0; i < nrows && g->top + (size_t)i < rows; i++) {
		size_t r = g->top + (size_t)i;
		g->ops->draw_row_header(win, cy + i, g->x, g->row_header_w - 1, r,
		    r == g->cur_row, g->arg);
		for (int j = 0; j < ncols && g->left + (size_t)j < cols; j++) {
			size_t c = g->left + (size_t)j;
			unsigned flags = 0;
			if (r == g->cur_row || c == g->cur_col)
				flags |= GRID_CELL_CROSS;
			if (r == g->cur_row && c == g->cur_col)
				flags |= GRID_CELL_CURSOR;
			g->ops->draw_cell(win, cy + i, cx + j * g->cell_w, g->cell_w, r, c,
			    flags, g->arg);
		}
	}
}
