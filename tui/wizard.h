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

struct view_ops;

/* The view (tui/view_ops.h).  R opens it on the marked cells, else the
 * cursor cell; Esc leaves it, except while a step runs.  Host keys
 * accepted while the plan is still being chosen diagnose the cells again
 * (a DP that could not be read now can). */
extern const struct view_ops wizard_view;

#endif
