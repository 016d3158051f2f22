/*
 * The detail pane: everything the snapshot knows about one package x DP
 * cell, in words, laid out for a given width: the snapshot's facts, then
 * the finding and the evidence gathered for the cell (tui/gather.h).
 */
#ifndef DPD_TUI_DETAIL_H
#define DPD_TUI_DETAIL_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/core/model.h"
#include "tui/gather.h"
#include "tui/scroll.h"
#include "tui/text.h"

/* A kind with more evidence items than this is folded: its cited items
 * and one line counting the rest (an inbox of a thousand files). */
#define DETAIL_FOLD_MIN 50

/* The pane's folds: which kinds are listed in full (bit 1 << kind), and,
 * filled in by the build, the line of each folded kind's count (-1: none). */
struct detail_folds {
	uint32_t open;
	int line[EV_KIND_COUNT];
};

/* Build the pane's text for the cell (pkg, dp) of s, wrapped to width;
 * with gv, the finding and evidence follow the facts (`now` turns the
 * spinner while gathering); f (may be NULL: all folded) as above. */
void detail_build(struct text *t, const struct snapshot *s, size_t pkg, size_t dp, int width,
    const struct gather_view *gv, struct detail_folds *f, int64_t now);
/* Draw the pane as a box over the area, titled "PKGID × DP", at its
 * scroll position (clamped). */
void detail_draw(WINDOW *w, int y, int x, int h, int width, const struct snapshot *s,
    size_t pkg, size_t dp, const struct gather_view *gv, struct scroll *sc, uint32_t open,
    int64_t now);
/* "2007-01-04 09:12 UTC", or "never" for 0. */
const char *detail_time(dpd_time t, char *buf, size_t size);

#endif
