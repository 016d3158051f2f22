/*
 * The help screen, generated from the key binding table and the state
 * table, so it lists the keys that really work and draws the colour legend
 * in the colours and glyphs the grid really uses; and the help view
 * (tui/view_ops.h) that shows it, scrolled.
 */
#ifndef DPD_TUI_HELP_H
#define DPD_TUI_HELP_H

#include <stdbool.h>

#include "tui/text.h"

struct view_ops;

/* read_only: the repair keys are listed as "(disabled: read-only)". */
void help_build(struct text *t, int width, bool read_only);

extern const struct view_ops help_view;

#endif
