/*
 * The repair journal in the UI.  `H` opens a full-screen list of the
 * journal's steps, newest first, each begin entry paired with its end
 * (time, plan, step, package, DP, result; "unfinished" when it has none).
 * At start-up, once the first status has arrived, steps begun and never
 * finished (journal_unfinished()) are shown in a dialog: [v]erify now
 * re-reads the status, puts the cursor and the detail pane on the cell,
 * and closes each step in the journal as interrupted, so the next start
 * does not offer it again; [l]ater leaves them for the next start.
 */
#ifndef DPD_TUI_HISTORY_H
#define DPD_TUI_HISTORY_H

struct ui;
struct view_ops;

/* The H view (tui/view_ops.h). */
extern const struct view_ops history_view;
/* UI loop tick: the start-up check, and its verification once the new
 * status is in (the cell shown in the detail pane: u->show_cell). */
void history_check(struct ui *u);
/* At exit, after jobs_free(). */
void history_free(struct ui *u);

#endif
