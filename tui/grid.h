/*
 * A generic two-way scrolling grid: frozen row headers on the left, frozen
 * column headers on top, a cursor cell, and callbacks that say how many
 * rows and columns there are and draw one header or cell at a time.  It
 * knows nothing about packages or DPs (like tmux's mode-tree), and it only
 * ever asks for what is visible, so its cost does not grow with the data.
 */
#ifndef DPD_TUI_GRID_H
#define DPD_TUI_GRID_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

/* Flags for draw_cell. */
#define GRID_CELL_CURSOR 0x1 /* the cursor cell */
#define GRID_CELL_CROSS 0x2  /* in the cursor's row or column */

struct grid_ops {
	size_t (*rows)(void *arg);
	size_t (*cols)(void *arg);
	/* The top-left corner above the row headers (may be NULL). */
	void (*draw_corner)(WINDOW *w, int y, int x, int height, int width, void *arg);
	void (*draw_row_header)(WINDOW *w, int y, int x, int width, size_t row,
	    bool current, void *arg);
	/* One column header, `height` lines tall, one cell wide. */
	void (*draw_col_header)(WINDOW *w, int y, int x, int height, int width,
	    size_t col, bool current, void *arg);
	void (*draw_cell)(WINDOW *w, int y, int x, int width, size_t row, size_t col,
	    unsigned flags, void *arg);
	/* Drawn instead of the cells when there are no rows or columns. */
	void (*draw_empty)(WINDOW *w, int y, int x, int height, int width, void *arg);
	/* The cursor moved (by key or by grid_set_cursor). */
	void (*moved)(size_t row, size_t col, void *arg);
};

enum grid_move {
	GRID_MOVE_UP,
	GRID_MOVE_DOWN,
	GRID_MOVE_LEFT,
	GRID_MOVE_RIGHT,
	GRID_MOVE_PAGE_UP,
	GRID_MOVE_PAGE_DOWN,
	GRID_MOVE_PAGE_LEFT,
	GRID_MOVE_PAGE_RIGHT,
	GRID_MOVE_TOP,
	GRID_MOVE_BOTTOM,
	GRID_MOVE_FIRST_COL,
	GRID_MOVE_LAST_COL,
};

struct grid {
	const struct grid_ops *ops;
	void *arg;
	/* Layout, set by grid_layout(). */
	int y, x, h, w;
	int row_header_w;  /* including the separator column */
	int col_header_h;
	int cell_w;
	/* Position. */
	size_t cur_row, cur_col;
	size_t top, left;  /* first visible row and column */
};

void grid_init(struct grid *g, const struct grid_ops *ops, void *arg);
void grid_layout(struct grid *g, int y, int x, int h, int w, int row_header_w,
    int col_header_h, int cell_w);
void grid_draw(struct grid *g, WINDOW *win);
/* Returns true when the cursor moved. */
bool grid_move(struct grid *g, enum grid_move how);
/* Put the cursor on (row, col), clamped to the data, and scroll to it. */
void grid_set_cursor(struct grid *g, size_t row, size_t col);
/* Re-clamp after the row or column count changed. */
void grid_clamp(struct grid *g);
int grid_page_rows(const struct grid *g);
int grid_page_cols(const struct grid *g);

#endif
