/*
 * The SSH engine's questions and warnings in the full-screen UI, and the
 * SMB engine's passwords, which come through the same prompter
 * (tui/cli/app_prompt.h).  An engine asks on its own thread and waits for
 * the answer; the UI thread never waits for the engine.  They meet in a
 * mailbox: the engine leaves the question there and wakes the UI's poll
 * loop through a pipe, the UI shows a dialog with a masked input, and the
 * answer (or a cancel) goes back the same way.  Warnings go to the status
 * line, never to stderr while curses owns the terminal.
 */
#ifndef DPD_TUI_SSHUI_H
#define DPD_TUI_SSHUI_H

struct ui;

/* The screen is up: take over the engines' questions (no-op when no ssh or
 * smb server is configured: nothing would ask). */
void sshui_start(struct ui *u);
/* The fd the engine writes to when it has something; -1 without ssh. */
int sshui_fd(const struct ui *u);
/* On every loop turn: show warnings, and the question when no other dialog
 * or prompt is open. */
void sshui_tick(struct ui *u);
/* The UI is going: every question now and later is refused, and one the
 * engine is waiting on is released.  Before jobs_free(), which may wait
 * for a job that waits for the engine. */
void sshui_stop(struct ui *u);

#endif
