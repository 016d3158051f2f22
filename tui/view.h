/*
 * The screen as a whole: how the header, grid, detail pane, help and bars
 * share the terminal, and what each key action does to them.  The event
 * loop (ui.c) feeds keys in and asks for a frame when something is dirty.
 */
#ifndef DPD_TUI_VIEW_H
#define DPD_TUI_VIEW_H

#include <stdint.h>

#include "tui/ui.h"

/* Handle one key (a character, or KEYMAP_FN(curses key)). */
void view_key(struct ui *u, int key);
/* Draw what is dirty and push it to the terminal with one doupdate(). */
void view_draw(struct ui *u, int64_t now);
/* On every loop iteration, after jobs are dispatched: follow the cursor
 * with the detail pane's evidence, take partial evidence, poll the log. */
void view_tick(struct ui *u, int64_t now);
/* How long poll may sleep for the views' sake (spinner, log polling); -1. */
int view_timeout(const struct ui *u, int64_t now);
/* Put the cursor on the snapshot's cell (pkg, dp), showing all packages
 * if it is not shown, and open the detail pane on it. */
void view_show_cell(struct ui *u, size_t pkg, size_t dp);
/* At exit, after jobs_free(). */
void view_free(struct ui *u);
/* True when the terminal is below the minimum size. */
bool view_too_small(void);

#endif
