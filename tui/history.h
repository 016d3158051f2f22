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

#include <stdbool.h>
#include <stdint.h>

#include "tui/keymap.h"

struct ui;

void history_open(struct ui *u);
void history_close(struct ui *u);
void history_draw(struct ui *u, int y, int h, int64_t now);
bool history_action(struct ui *u, enum key_action a);
/* UI loop tick: the start-up check and verification; true when redrawn. */
bool history_tick(struct ui *u);
int history_timeout(const struct ui *u, int64_t now);
/* At exit, after jobs_free(). */
void history_free(struct ui *u);

#endif
