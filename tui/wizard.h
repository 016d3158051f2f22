/*
 * The repair wizard (R): a full-screen view that takes the cursor cell, or
 * the marked cells, through the repair plans of backend/repair/repair.h.  It
 * diagnoses the cells (reusing the detail pane's diagnosis when it has
 * one), offers the plans with the suggested one preselected (a batch is
 * grouped by suggested plan and each group confirmed), lists every step,
 * then shows one step at a time and asks [y]es [N]o [s]kip [a]bort, runs
 * it in a job with its progress, shows the outcome per cell, and at the end
 * re-reads the cells and says what changed.  Read-only, it opens only to
 * say that repairs are disabled.
 */
#ifndef DPD_TUI_WIZARD_H
#define DPD_TUI_WIZARD_H

#include <stdbool.h>
#include <stdint.h>

#include "tui/keymap.h"

struct ui;

/* R: open on the marked cells, else the cursor cell. */
void wizard_open(struct ui *u);
/* Host keys were accepted: while the plan is still being chosen, the
 * cells are diagnosed again (a DP that could not be read now can). */
void wizard_keys_accepted(struct ui *u);
/* Esc: false (with a message) while a step runs. */
bool wizard_close(struct ui *u);
void wizard_draw(struct ui *u, int y, int h, int64_t now);
/* An action of the wizard context; false when it is not the wizard's. */
bool wizard_action(struct ui *u, enum key_action a);
/* UI loop tick: new progress lines, a refresh owed; true when redrawn. */
bool wizard_tick(struct ui *u);
int wizard_timeout(const struct ui *u, int64_t now);
/* A one-line state for the status bar. */
void wizard_status(const struct ui *u, char *buf, size_t size);
/* At exit, after jobs_free(). */
void wizard_free(struct ui *u);

#endif
