/*
 * The bars around the grid: the header (site, source, refresh state, counts
 * per state), the cursor line (what the cursor is on) and the status line
 * (messages, errors, filter and sort, key hints).
 */
#ifndef DPD_TUI_BARS_H
#define DPD_TUI_BARS_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/ui.h"

struct view_ops;

/* Lines the header takes. */
#define BARS_HEADER_LINES 2

void bars_draw_header(struct ui *u, WINDOW *w, int64_t now);
void bars_draw_cursor_line(struct ui *u, WINDOW *w, int y);
/* The status line: one line, or two for an error that does not fit; v is
 * the view on screen (its status and key hints, tui/view_ops.h). */
void bars_draw_status(struct ui *u, WINDOW *w, const struct view_ops *v, int64_t now);
int bars_status_height(const struct ui *u);
/* "12s", "3m", "2h" */
const char *bars_age(int64_t ms, char *buf, size_t size);

#endif
