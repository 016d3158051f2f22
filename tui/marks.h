/*
 * Marked cells for a batch repair.  Marks are kept by package ID and DP
 * name, not by position, so they survive refreshes, filters and sorting
 * (the snapshot behind the board is replaced whole on every refresh).  A
 * batch is a handful to a few hundred cells, so a plain array is enough.
 */
#ifndef DPD_TUI_MARKS_H
#define DPD_TUI_MARKS_H

#include <stdbool.h>
#include <stddef.h>

struct mark {
	char pkg[9];
	char *dp;
};

struct marks {
	struct mark *v;
	size_t n, cap;
};

/* Mark the cell, or unmark it when it was marked; true when now marked. */
bool marks_toggle(struct marks *m, const char *pkg, const char *dp);
bool marks_has(const struct marks *m, const char *pkg, const char *dp);
void marks_clear(struct marks *m);

struct cell;
/* Why a cell cannot be marked (or repaired on its own): "installed:
 * nothing to repair", "not targeted: this package is not on this DP", or
 * NULL when it may be.  c is the snapshot's cell, NULL when not targeted. */
const char *marks_refusal(const struct cell *c);

#endif
