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
	BOARD_SORT_PROBLEMS, /* failed, then retrying, then pending cells */
	BOARD_SORT_ID,
	BOARD_SORT_NAME,
	BOARD_SORT_COUNT,
};

/* A board's order before a refresh, by the new snapshot's indexes. */
struct board_ranks {
	uint32_t *row;           /* per package: its row, UINT32_MAX if none */
	uint32_t *col;           /* per DP: its column, UINT32_MAX if none */
};

struct board {
	struct snapshot *snap;   /* owned; NULL until the first status */
	bool show_all;           /* false: the seed's State != 0 view */
	enum board_sort sort;
	bool resort;             /* the next snapshot is sorted afresh (asked for) */
	char *filter;            /* NULL: none */
	char *filter_saved;      /* the filter when the / prompt opened */
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
	bool horizontal;         /* the header shows whole names across */
	bool label_digits;       /* trailing digits tell columns apart */
	int row_max;             /* widest row header ("ID name") */
	char cur_pkg[9];         /* the cursor, by identity */
	char *cur_dp;
	struct grid grid;
	struct marks marks;      /* cells marked for a batch repair */
};

/* Cell width in columns: " X " so the cursor can be drawn as "[X]"; a
 * wide terminal widens the cells up to BOARD_CELL_MAX_W. */
#define BOARD_CELL_W 3
#define BOARD_CELL_MAX_W 12
/* Row headers ("ID name"): between these widths; they give up room down
 * to BOARD_ROW_SHRINK_W so the DP names fit across. */
#define BOARD_ROW_MIN_W 20
#define BOARD_ROW_MAX_W 48
#define BOARD_ROW_SHRINK_W 30
/* Header heights: names across take this many lines (the corner's
 * counts need them); names down never fewer than BOARD_HEADER_MIN_H. */
#define BOARD_HEADER_ACROSS_H 3
#define BOARD_HEADER_MIN_H 4

/* How the header and cells fit the body (board_fit). */
struct board_fit {
	int rh;                  /* row header width, without the separator */
	int chh;                 /* column header height */
	int cell_w;
	bool horizontal;
	bool short_labels;
};

void board_init(struct board *b);
/* Place the grid in an area of the screen, choosing the header sizes. */
void board_layout(struct board *b, int y, int x, int h, int w);
/* The same in h rows of a body body_h tall (the detail pane below): the
 * header is the one the whole body would have. */
void board_layout_under(struct board *b, int y, int x, int h, int w, int body_h);
void board_draw(struct board *b, WINDOW *w);
/* The column header's height in a body of h x w (the detail pane keeps
 * the grid at least that tall plus a few rows). */
int board_header_height(const struct board *b, int h, int w);
void board_free(struct board *b);
/* Take ownership of s (the old snapshot is freed) and keep the cursor.
 * The rows and columns keep their order unless this is the first
 * snapshot or board_resort_next() was called (the user asked). */
void board_set_snapshot(struct board *b, struct snapshot *s);
/* The next snapshot is one the user asked for: sort it afresh. */
void board_resort_next(struct board *b);
/* NULL or "" clears the filter. */
void board_set_filter(struct board *b, const char *text);
/* Around the live / prompt: remember the filter, and put it back (Esc). */
void board_filter_save(struct board *b);
void board_filter_restore(struct board *b);
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
