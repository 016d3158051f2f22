/*
 * The log view (`l` on a cell): the cell's DP's distmgr.log parsed into
 * entries, newest at the bottom, optionally merged by time with the
 * primary's distmgr.log, filtered to the cell's package, searched with `/`,
 * and followed as the files grow.  Files are read in a job and then tailed
 * on the UI loop's tick; each source keeps its last LOGVIEW_MAX entries.
 */
#ifndef DPD_TUI_LOGVIEW_H
#define DPD_TUI_LOGVIEW_H

struct view_ops;

/* Entries kept per log file. */
#define LOGVIEW_MAX 20000
/* How long the first read of a log may take. */
#define LOGVIEW_READ_TIMEOUT_MS 30000
/* How often the files are polled for new lines. */
#define LOGVIEW_POLL_MS 500
/* A fetch of a remote log (tui_options.log_fetch) may copy megabytes. */
#define LOGVIEW_FETCH_TIMEOUT_MS 120000

/* The view (tui/view_ops.h): opens on the board's cursor cell. */
extern const struct view_ops log_view;

#endif
