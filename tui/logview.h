/*
 * The log view (`l` on a cell): the cell's DP's distmgr.log parsed into
 * entries, newest at the bottom, optionally merged by time with the
 * primary's distmgr.log, filtered to the cell's package, searched with `/`,
 * and followed as the files grow.  Files are read in a job and then tailed
 * on the UI loop's tick; each source keeps its last LOGVIEW_MAX entries.
 */
#ifndef DPD_TUI_LOGVIEW_H
#define DPD_TUI_LOGVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/keymap.h"

struct ui;

/* Entries kept per log file. */
#define LOGVIEW_MAX 20000
/* How long the first read of a log may take. */
#define LOGVIEW_READ_TIMEOUT_MS 30000
/* How often the files are polled for new lines. */
#define LOGVIEW_POLL_MS 500
/* A fetch of a remote log (tui_options.log_fetch) may copy megabytes. */
#define LOGVIEW_FETCH_TIMEOUT_MS 120000

/* Open on the cell (pkg, dp) of the board's snapshot. */
void logview_open(struct ui *u, size_t pkg, size_t dp);
void logview_close(struct ui *u);
/* Draw into the body rows [y, y + h). */
void logview_draw(struct ui *u, int y, int h);
/* Handle an action of the log context; false when it is not the view's. */
bool logview_action(struct ui *u, enum key_action a);
/* The `/` prompt was accepted with this text. */
void logview_search(struct ui *u, const char *text);
/* Poll the files (UI loop tick); true when something changed. */
bool logview_tick(struct ui *u, int64_t now);
int logview_timeout(const struct ui *u, int64_t now);
/* "following" / "paused — End to follow (+3 new)" and the toggles. */
void logview_status(const struct ui *u, char *buf, size_t size);
/* At exit, after jobs_free(). */
void logview_free(struct ui *u);

#endif
