/*
 * The grid view and the detail pane as views (tui/view_ops.h).  The grid
 * is always at the bottom of the view stack; the detail pane opens over it
 * on a cell (Enter), draws the grid above itself, follows the cursor with
 * its evidence (tui/gather.h), pages its own text and passes every other
 * key to the grid.
 */
#ifndef DPD_TUI_GRIDVIEW_H
#define DPD_TUI_GRIDVIEW_H

#include <stdbool.h>

struct ui;
struct view_ops;

extern const struct view_ops grid_view;
extern const struct view_ops detail_view;

/* Leave the terminal cursor on the grid's cursor cell, for terminals that
 * cannot hide it; false when that cell is not on screen. */
bool gridview_place_cursor(struct ui *u);

#endif
