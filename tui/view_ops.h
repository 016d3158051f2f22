/*
 * What every screen is to the dispatcher (view.c): one table of callbacks
 * per view, as tig's view_ops and tmux's window modes.  The grid, the
 * detail pane, the help, the log, the repair wizard and the journal are
 * views on the stack in struct ui (opening one pushes it, closing it pops
 * back to the one below); the dialog is the layer over all of them while
 * it is open.  Screens fill in these tables and never call the dispatcher
 * or each other: arrows point down.  Every callback may be NULL.
 */
#ifndef DPD_TUI_VIEW_OPS_H
#define DPD_TUI_VIEW_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/keymap.h"

struct ui;

/* What a view did with a key. */
enum view_key {
	VIEW_KEY_PASS,  /* not its own: the global keys and the opening ones get it */
	VIEW_KEY_DONE,
	VIEW_KEY_CLOSE, /* done, and the view is finished: close it */
};

/* Flags. */
#define VIEW_OVERLAY 0x1       /* drawn over the view below it (the dialog) */
#define VIEW_CURSOR_LINE 0x2   /* draws the cursor line, which a two-line status takes */
#define VIEW_GRID_CURSOR 0x4   /* the terminal cursor rests on the grid's cursor cell */
#define VIEW_STATUS_FIRST 0x8  /* its status stays in sight; a message goes after it */

struct view_ops {
	enum keymap_ctx ctx;   /* its keys; the help lists them under the context's title */
	const char *hint;      /* keys, right of the status line; NULL: the view below's */
	unsigned flags;
	/* Before it is pushed, while the view below is still on top (so it
	 * can look at what the user was on): false when it cannot open, having
	 * said why.  Also called when it is asked for while already on top. */
	bool (*open)(struct ui *u);
	/* Before it is popped: false when it cannot close now, having said why. */
	bool (*close)(struct ui *u);
	/* Into the body rows [y, y + h): false when it has nothing left to show
	 * (the detail pane without a cell), and is then closed. */
	bool (*draw)(struct ui *u, int y, int h, int64_t now);
	/* An action of its context; the key itself for a text input. */
	enum view_key (*key)(struct ui *u, enum key_action a, int key);
	/* Every loop turn while on the stack (top: it is on screen): the
	 * UI_DIRTY_* bits of what needs drawing again. */
	unsigned (*tick)(struct ui *u, int64_t now, bool top);
	/* While on top: how long poll may sleep for it (a spinner); -1 none. */
	int (*poll_ms)(const struct ui *u, int64_t now);
	/* The left of the status line when no message shows; NULL: the
	 * board's filter and sort. */
	void (*status)(const struct ui *u, char *buf, size_t size);
	/* The status-line prompt it opened was accepted with this text. */
	void (*prompt)(struct ui *u, const char *text);
	/* At exit, after jobs_free(): whatever it still holds. */
	void (*free)(struct ui *u);
};

#endif
