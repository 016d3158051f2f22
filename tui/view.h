/*
 * The dispatcher: the screen as a whole.  It keeps the view stack (push on
 * open, pop on close), routes each key through the keymap to the dialog or
 * the view on top and then to the keys every view shares, composes the
 * frame (header, the top view's body, the dialog over it, the status line)
 * and ticks the views on the stack.  It reaches every screen through one
 * table of view_ops (tui/view_ops.h); the screens never call it.  The
 * event loop (tui.c) feeds keys in and asks for a frame when something is
 * dirty.
 */
#ifndef DPD_TUI_VIEW_H
#define DPD_TUI_VIEW_H

#include <stdint.h>

#include "tui/ui.h"

/* Before the loop: the grid, alone on the stack. */
void view_init(struct ui *u);
/* Handle one key (a character, or KEYMAP_FN(curses key)). */
void view_key(struct ui *u, int key);
/* Draw what is dirty and push it to the terminal with one doupdate(). */
void view_draw(struct ui *u, int64_t now);
/* On every loop iteration, after jobs and services: tick the views on the
 * stack and open what a service asked for (u->show_cell). */
void view_tick(struct ui *u, int64_t now);
/* How long poll may sleep for the view on top (a spinner, log polling); -1. */
int view_timeout(const struct ui *u, int64_t now);
/* At exit, after jobs_free(). */
void view_free(struct ui *u);

#endif
