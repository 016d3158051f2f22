/*
 * The package x DP board: the current snapshot seen through the filter
 * (problems only or all, plus a text filter) and the sort order, as index
 * arrays that the grid widget draws from.  The indexes are rebuilt once per
 * snapshot, filter or sort change, never per frame, and the cursor is kept
 * on the same package ID and DP name across rebuilds.
 */
#ifndef DPD_TUI_BOARD_H
#define DPD_TUI_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/core/model.h"
#include "tui/grid.h"
#include "tui/marks.h"

enum board_sort {
	BOARD_SORT_PROBLEMS, /* most problem cells first */
	BOARD_SORT_ID,
	BOARD_SORT_NAME,
	BOARD_SORT_COUNT,
};

struct board {
	struct snapshot *snap;   /* owned; NULL until the first status */
	bool show_all;           /* false: the seed's State != 0 view */
	enum board_sort sort;
	char *filter;            /* NULL: none */
	uint32_t *rows;          /* package indexes, in display order */
	size_t nrows;
	uint32_t *cols;          /* DP indexes, in display order */
	size_t ncols;
	char **labels;           /* per shown column: the DP's label */
	int label_max;           /* longest column label, for the header height */
	size_t strip_head;       /* what all labels share at the start... */
	size_t strip_tail;       /* ...and at the end (bytes) */
	int label_max_short;     /* longest label without those */
	bool short_labels;       /* the header shows the short labels */
	bool label_digits;       /* trailing digits tell columns apart */
	int row_max;             /* widest row header ("ID name") */
	char cur_pkg[9];         /* the cursor, by identity */
	char *cur_dp;
	struct grid grid;
	struct marks marks;      /* cells marked for a batch repair */
};

/* Cell width in columns: " X " so the cursor can be drawn as "[X]". */
#define BOARD_CELL_W 3

void board_init(struct board *b);
/* Place the grid in an area of the screen, choosing the header sizes. */
void board_layout(struct board *b, int y, int x, int h, int w);
void board_draw(struct board *b, WINDOW *w);
void board_free(struct board *b);
/* Take ownership of s (the old snapshot is freed) and keep the cursor. */
void board_set_snapshot(struct board *b, struct snapshot *s);
/* NULL or "" clears the filter. */
void board_set_filter(struct board *b, const char *text);
void board_toggle_all(struct board *b);
void board_cycle_sort(struct board *b);
const char *board_sort_name(enum board_sort s);

/* The cursor's package and DP indexes in the snapshot; false when the
 * board is empty. */
bool board_cursor(const struct board *b, size_t *pkg, size_t *dp);
/* Put the cursor on the snapshot's cell (pkg, dp), showing all packages
 * when it is not shown; false when it is nowhere (not targeted). */
bool board_show_cell(struct board *b, size_t pkg, size_t dp);
/* Toggle the mark on the cursor cell; false when there is none.
 * *marked says whether it is marked now. */
bool board_toggle_mark(struct board *b, bool *marked);
/* The column label as drawn (server name without its domain). */
const char *board_dp_label(const struct dp *d, char *buf, size_t size);

#endif
