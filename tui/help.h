/*
 * The help screen, generated from the key binding table and the state
 * table, so it lists the keys that really work and draws the colour legend
 * in the colours and glyphs the grid really uses.
 */
#ifndef DPD_TUI_HELP_H
#define DPD_TUI_HELP_H

#include "tui/text.h"

void help_build(struct text *t, int width);

#endif
