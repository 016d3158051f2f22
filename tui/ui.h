/*
 * The state of the running full-screen UI, shared by the event loop
 * (ui.c), the live refresh (refresh.c) and the header and status bars
 * (bars.c), and the one function they all use to talk to the user.  Only the UI thread touches it, with one exception spelled out
 * in refresh.c: the refresh job reads `opt`, which never changes.
 */
#ifndef DPD_TUI_UI_H
#define DPD_TUI_UI_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/core/jobs.h"
#include "tui/board.h"
#include "tui/prompt.h"
#include "tui/stats.h"
#include "tui/theme.h"
#include "tui/tui.h"

/* Below this the UI shows a "terminal too small" screen instead. */
#define UI_MIN_COLS 60
#define UI_MIN_LINES 15
/* How long a status refresh may take before it is given up. */
#define UI_REFRESH_TIMEOUT_MS 20000
/* The transport's deadline comes this much earlier, so its error wins. */
#define UI_REFRESH_GRACE_MS 1000
/* How long a transient message stays on the status line. */
#define UI_MESSAGE_MS 5000
/* Spinner speed while a refresh runs. */
#define UI_SPIN_MS 150

/* What needs drawing before the next doupdate(). */
#define UI_DIRTY_HEADER 0x1
#define UI_DIRTY_BODY 0x2
#define UI_DIRTY_FOOTER 0x4
#define UI_DIRTY_ALL (UI_DIRTY_HEADER | UI_DIRTY_BODY | UI_DIRTY_FOOTER)
#define UI_DIRTY_CLEAR 0x8 /* repaint the terminal from scratch (^L) */

enum ui_view {
	UI_VIEW_GRID,
	UI_VIEW_DETAIL,  /* grid with the detail pane under it */
	UI_VIEW_HELP,
	UI_VIEW_LOG,     /* distmgr.log of the cursor cell's DP */
	UI_VIEW_WIZARD,  /* the repair wizard (R) */
	UI_VIEW_HISTORY, /* the repair journal (H) */
};

struct dialog;
struct gather;
struct history;
struct logview;
struct sshkey;
struct sshui;
struct wizard;

struct ui {
	const struct tui_options *opt;
	struct board board;
	struct jobs *jobs;

	/* Live refresh (times are clock_mono_ms() values). */
	struct job *refresh_job;   /* in flight, else NULL */
	int64_t refresh_started;
	int64_t last_ok;           /* when the shown snapshot arrived; 0: none */
	int64_t next_refresh;      /* when the next one is due */
	bool paused;
	bool stale;                /* the last refresh failed: data is older */
	char *refresh_error;       /* why it failed (where and why) */

	/* Status line message. */
	char *msg;
	enum ui_role msg_role;
	int64_t msg_until;

	enum ui_view view;
	enum ui_view help_return;  /* the view `?` was pressed in */
	struct prompt prompt;
	struct gather *gather;     /* evidence for the detail pane's cell */
	struct logview *log;       /* the log view, while open */
	enum ui_view log_return;   /* the view `l` was pressed in */
	struct wizard *wizard;     /* the repair wizard, while open */
	enum ui_view wizard_return;
	struct history *history;   /* the journal view and start-up check */
	enum ui_view history_return;
	struct dialog *dialog;     /* a question over the body, else NULL */
	struct sshui *sshui;       /* the SSH engine's questions (sshui.c) */
	struct sshkey *sshkey;     /* host-key decisions (sshkey.c) */
	bool want_refresh;         /* refresh once none runs (repair, ssh answer) */
	int detail_top;            /* first line of the detail pane shown */
	int detail_page;           /* lines the pane showed in the last frame */
	int help_top;
	int help_page;             /* lines in the help view, for paging */
	unsigned dirty;
	int status_h;              /* lines the status took in the last frame */
	int cursor_visible;        /* curs_set() state; -1 unknown */
	bool quit;
	int exit_code;
	int idle_reads;            /* readable stdin that gave no key, in a row */
	struct stats stats;        /* key-to-screen latency */
};

void ui_message(struct ui *u, enum ui_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
