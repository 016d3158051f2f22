/*
 * Live refresh of the grid: the status query as a background job with a
 * deadline, started on a timer, by `r`, and at start-up.
 */
#ifndef DPD_TUI_REFRESH_H
#define DPD_TUI_REFRESH_H

#include <stdint.h>

#include "tui/ui.h"

/* Before the first refresh_start: listen for what makes one worth trying again. */
void refresh_init(struct ui *u);
void refresh_start(struct ui *u);
/* Seconds between automatic refreshes (30 when the options say none). */
int refresh_interval(const struct ui *u);
/* Start a refresh when one is due, or owed (u->want_refresh); call once
 * per loop iteration. */
void refresh_tick(struct ui *u, int64_t now);
/* Milliseconds until the next refresh is due; -1: none (paused/running). */
int refresh_timeout(const struct ui *u, int64_t now);
void refresh_toggle_pause(struct ui *u);

#endif
