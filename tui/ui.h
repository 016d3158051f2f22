/*
 * The state of the running full-screen UI, shared by the event loop
 * (tui.c), the dispatcher (view.c), the screens and the services under
 * them (refresh, gather, sshkey, sshui), and the few functions every one of
 * them may use on it: a message on the status line, which view is on top,
 * and events (ui_notify) for whoever listens, so a service that learns
 * something (host keys were accepted) never calls the screens that care.
 * It sits below every other module of the UI.  Only the UI thread touches
 * it, with one exception spelled out in refresh.c: the refresh job reads
 * `opt`, which never changes, and the plan and base snapshot it was
 * submitted with, which nothing changes while it may run.
 */
#ifndef DPD_TUI_UI_H
#define DPD_TUI_UI_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/core/jobs.h"
#include "backend/sms/status_delta.h"
#include "tui/board.h"
#include "tui/options.h"
#include "tui/prompt.h"
#include "tui/scroll.h"
#include "tui/stats.h"
#include "tui/theme.h"

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

/* The views; each is on the stack at most once, the grid always at its
 * bottom.  Their callbacks are in view.c's table (tui/view_ops.h). */
enum ui_view {
	UI_VIEW_GRID,
	UI_VIEW_DETAIL,  /* grid with the detail pane under it */
	UI_VIEW_HELP,
	UI_VIEW_LOG,     /* distmgr.log of the cursor cell's DP */
	UI_VIEW_WIZARD,  /* the repair wizard (R) */
	UI_VIEW_HISTORY, /* the repair journal (H) */
	UI_VIEW_COUNT,
};

/* What a service tells whoever listens (ui_listen). */
enum ui_event {
	UI_EVENT_HOSTKEYS_ACCEPTED, /* written to known_hosts: what failed may work now */
	UI_EVENT_REFRESH_ASKED,     /* the user pressed r: read everything again */
};

struct ui;
typedef void (*ui_listener_fn)(struct ui *u, enum ui_event ev, void *arg);

struct ui_listener {
	enum ui_event ev;
	ui_listener_fn fn;   /* NULL: removed while events were being sent */
	void *arg;
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
	struct status_delta delta; /* watermark, count: delta or full next */
	struct status_plan refresh_plan;        /* the job's, set at submit */
	const struct snapshot *refresh_base;    /* the job's base: board.snap */
	struct status_outcome refresh_last;     /* what the shown one was (no snap) */
	bool refresh_clock_back;   /* the site's clock went back last time */

	/* Status line message. */
	char *msg;
	enum ui_role msg_role;
	int64_t msg_until;

	/* The views open, bottom (the grid) to top (on screen); closing the
	 * top one goes back to the one under it. */
	enum ui_view stack[UI_VIEW_COUNT];
	int depth;
	bool show_cell;            /* the board's cursor was put on a cell for the
	                            * user: open the detail pane if the grid shows */
	struct prompt prompt;
	struct gather *gather;     /* evidence for the detail pane's cell */
	struct scroll detail;      /* the detail pane's text */
	uint32_t detail_open;      /* evidence kinds (bits) listed in full there */
	struct scroll help;
	struct logview *log;       /* the log view, while open */
	struct wizard *wizard;     /* the repair wizard, while open */
	struct history *history;   /* the journal view and start-up check */
	struct dialog *dialog;     /* a question over the body, else NULL */
	struct sshui *sshui;       /* the SSH engine's questions (sshui.c) */
	struct sshkey *sshkey;     /* host-key decisions (sshkey.c) */
	bool want_refresh;         /* refresh once none runs (repair, ssh answer) */
	struct ui_listener *listeners;
	size_t nlisteners;
	int notifying;             /* ui_notify calls under way */
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
/* The view on screen (under the dialog, if one is open). */
enum ui_view ui_top(const struct ui *u);

/* Call fn(u, ev, arg) on every ev from now on, until ui_unlisten(fn, arg);
 * listeners are called in the order they were added. */
void ui_listen(struct ui *u, enum ui_event ev, ui_listener_fn fn, void *arg);
/* Safe from inside a listener (the one being called, or any other). */
void ui_unlisten(struct ui *u, ui_listener_fn fn, void *arg);
void ui_notify(struct ui *u, enum ui_event ev);
/* At exit: the listeners' list (they have all gone). */
void ui_listeners_free(struct ui *u);

#endif
