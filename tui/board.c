/*
 * The board: filter, sort and draw the package x DP grid.  Filtering walks
 * the snapshot's cell list once (2.5 million cells in the large scenario
 * take a few milliseconds) and produces two index arrays; drawing then
 * touches only the visible rows and columns through the snapshot's dense
 * matrix.  A text filter keeps a cell when its package (ID, name,
 * manufacturer) or its DP (name) matches; rows and columns are the ones
 * with at least one kept cell, so "/DP07" shows DP07's column and the
 * packages that have a problem there.
 */
#include "autoconf.h"
#include "tui/board.h"
#include "tui/draw.h"
#include "tui/glyph.h"
#include "tui/label.h"
#include "tui/theme.h"
#include "backend/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const sort_names[BOARD_SORT_COUNT] = {
	[BOARD_SORT_PROBLEMS] = "problems",
	[BOARD_SORT_ID] = "package ID",
	[BOARD_SORT_NAME] = "name",
};

const char *
board_sort_name(enum board_sort s)
{
	return (unsigned)s < BOARD_SORT_COUNT ? sort_names[s] : "?";
}

static bool
board_text_match(const char *field, const char *text)
{
	return field != NULL && strcasestr(field, text) != NULL;
}

static bool
board_pkg_match(const struct package *p, const char *text)
{
	return board_text_match(p->id, text) || board_text_match(p->name, text) ||
	    board_text_match(p->manufacturer, text);
}

/* qsort has no context argument in C11; the UI is single-threaded, so the
 * snapshot being sorted is passed through this variable. */
static const struct snapshot *sort_snap;

static int
board_cmp_id(const void *a, const void *b)
{
	const struct package *pa = &sort_snap->pkgs[*(const uint32_t *)a];
	const struct package *pb = &sort_snap->pkgs[*(const uint32_t *)b];
	return strcmp(pa->id, pb->id);
}

static int
board_cmp_name(const void *a, const void *b)
{
	const struct package *pa = &sort_snap->pkgs[*(const uint32_t *)a];
	const struct package *pb = &sort_snap->pkgs[*(const uint32_t *)b];
	int c = strcasecmp(pa->name ? pa->name : "", pb->name ? pb->name : "");
	return c ? c : board_cmp_id(a, b);
}

/* The problems order ranks by the worst state first: a package with one
 * failed cell comes before one with ten pending cells.  Each row's and
 * column's cells by role are packed into one score, failed counts above
 * retrying counts above pending ones (21 bits each, saturated). */
#define BOARD_SCORE_BITS 21
#define BOARD_SCORE_MAX ((1u << BOARD_SCORE_BITS) - 1)

static const struct {
	enum state_role role;
	unsigned shift;
} board_score_roles[] = {
	{ ROLE_FAIL, 2 * BOARD_SCORE_BITS },
	{ ROLE_WARN, BOARD_SCORE_BITS },
	{ ROLE_WAIT, 0 },
};

/* Per state value (and the unknown slot): the score's shift, or -1. */
static void
board_score_shifts(int shift[STATE_COUNT + 1])
{
	for (unsigned v = 0; v <= STATE_COUNT; v++) {
		const struct state_info *si = state_info(v);
		shift[v] = -1;
		for (size_t i = 0; si->problem && i < sizeof board_score_roles /
		    sizeof board_score_roles[0]; i++)
			if (board_score_roles[i].role == si->role)
				shift[v] = (int)board_score_roles[i].shift;
	}
}

static void
board_score_add(uint64_t *score, int shift)
{
	uint64_t n = (*score >> shift) & BOARD_SCORE_MAX;
	if (n < BOARD_SCORE_MAX)
		*score += (uint64_t)1 << shift;
}

/* The scores of every package and DP of the snapshot (one pass over the
 * cells, only when sorting by problems). */
static void
board_scores(const struct snapshot *s, uint64_t **pkg, uint64_t **dp)
{
	int shift[STATE_COUNT + 1];
	board_score_shifts(shift);
	*pkg = xcalloc(s->npkgs + 1, sizeof **pkg);
	*dp = xcalloc(s->ndps + 1, sizeof **dp);
	for (size_t i = 0; i < s->ncells; i++) {
		const struct cell *c = &s->cells[i];
		int sh = shift[c->state < STATE_COUNT ? c->state : STATE_COUNT];
		if (sh < 0)
			continue;
		board_score_add(&(*pkg)[c->pkg], sh);
		board_score_add(&(*dp)[c->dp], sh);
	}
}

/* Set around a sort by problems: the scores of the snapshot's packages
 * and DPs. */
static const uint64_t *sort_pkg_score, *sort_dp_score;

static int
board_cmp_problems(const void *a, const void *b)
{
	uint64_t sa = sort_pkg_score[*(const uint32_t *)a];
	uint64_t sb = sort_pkg_score[*(const uint32_t *)b];
	if (sa != sb)
		return sa > sb ? -1 : 1;
	return board_cmp_id(a, b);
}

static int
board_cmp_dp_name(const void *a, const void *b)
{
	return strcasecmp(sort_snap->dps[*(const uint32_t *)a].name,
	    sort_snap->dps[*(const uint32_t *)b].name);
}

static int
board_cmp_dp_problems(const void *a, const void *b)
{
	uint64_t sa = sort_dp_score[*(const uint32_t *)a];
	uint64_t sb = sort_dp_score[*(const uint32_t *)b];
	if (sa != sb)
		return sa > sb ? -1 : 1;
	return board_cmp_dp_name(a, b);
}

static int (*const row_cmp[BOARD_SORT_COUNT])(const void *, const void *) = {
	[BOARD_SORT_PROBLEMS] = board_cmp_problems,
	[BOARD_SORT_ID] = board_cmp_id,
	[BOARD_SORT_NAME] = board_cmp_name,
};

const char *
board_dp_label(const struct dp *d, char *buf, size_t size)
{
	const char *name = d->name ? d->name : "?";
	size_t host = strcspn(name, ".\\");
	if (name[host] == '.') {
		/* Drop the DNS domain but keep a share suffix. */
		const char *share = strchr(name + host, '\\');
		snprintf(buf, size, "%.*s%s", (int)host, name, share ? share : "");
	} else {
		snprintf(buf, size, "%s", name);
	}
	return buf;
}

/* Mark the rows and columns that have at least one kept cell.  Showing
 * all, rows and columns without cells count too (a package targeted
 * nowhere, a DP with nothing on it) as long as they match, and a text that
 * names no DP at all is about packages: every DP stays, so the row shows
 * where the package is not targeted as well. */
static void
board_mark(const struct board *b, uint8_t *rs, uint8_t *cs)
{
	const struct snapshot *s = b->snap;
	const char *text = b->filter;
	uint8_t *pm = xcalloc(s->npkgs + 1, 1), *dm = xcalloc(s->ndps + 1, 1);
	bool any_dp = false;
	for (size_t p = 0; p < s->npkgs; p++)
		pm[p] = text == NULL || board_pkg_match(&s->pkgs[p], text);
	for (size_t d = 0; d < s->ndps; d++) {
		dm[d] = text == NULL || board_text_match(s->dps[d].name, text);
		any_dp = any_dp || dm[d];
	}
	for (size_t i = 0; i < s->ncells; i++) {
		const struct cell *c = &s->cells[i];
		if (!b->show_all && !state_is_problem(c->state))
			continue;
		if (pm[c->pkg] || dm[c->dp])
			rs[c->pkg] = cs[c->dp] = 1;
	}
	for (size_t p = 0; b->show_all && p < s->npkgs; p++)
		rs[p] |= pm[p];
	for (size_t d = 0; b->show_all && d < s->ndps; d++)
		cs[d] |= dm[d] || !any_dp;
	free(pm);
	free(dm);
}

static void
board_free_labels(struct board *b)
{
	for (size_t i = 0; b->labels != NULL && i < b->ncols; i++)
		free(b->labels[i]);
	free(b->labels);
	b->labels = NULL;
}

/* Column labels, their widths, and what they all share (dropped when the
 * header is too short for them whole). */
static void
board_build_labels(struct board *b)
{
	char buf[128];
	b->labels = xcalloc(b->ncols + 1, sizeof *b->labels);
	b->label_max = b->label_max_short = 0;
	for (size_t j = 0; j < b->ncols; j++) {
		b->labels[j] = xstrdup(board_dp_label(&b->snap->dps[b->cols[j]], buf, sizeof buf));
		int w = draw_width(b->labels[j]);
		if (w > b->label_max)
			b->label_max = w;
	}
	label_common((const char *const *)b->labels, b->ncols, &b->strip_head, &b->strip_tail);
	b->label_digits = label_digits_differ((const char *const *)b->labels, b->ncols);
	for (size_t j = 0; j < b->ncols; j++) {
		int w = draw_width(b->labels[j]) - (int)(b->strip_head + b->strip_tail);
		if (w > b->label_max_short)
			b->label_max_short = w;
	}
}

/* Set around a sort that keeps the order on screen: each package's and
 * DP's place before the refresh (UINT32_MAX: not shown before), and the
 * order the new ones take among themselves. */
static const struct board_ranks *sort_ranks;
static int (*sort_row_base)(const void *, const void *);
static int (*sort_col_base)(const void *, const void *);

static int
board_cmp_rank(const uint32_t *rank, int (*base)(const void *, const void *),
    const void *a, const void *b)
{
	uint32_t ra = rank[*(const uint32_t *)a], rb = rank[*(const uint32_t *)b];
	if (ra != rb)
		return ra < rb ? -1 : 1;
	return base(a, b);
}

static int
board_cmp_row_rank(const void *a, const void *b)
{
	return board_cmp_rank(sort_ranks->row, sort_row_base, a, b);
}

static int
board_cmp_col_rank(const void *a, const void *b)
{
	return board_cmp_rank(sort_ranks->col, sort_col_base, a, b);
}

/* Order the shown rows and columns: by the sort key, or (ranks) as they
 * were, with the ones that appeared after them in the sort key's order. */
static void
board_sort(struct board *b, const struct board_ranks *ranks)
{
	uint64_t *pkg_score = NULL, *dp_score = NULL;
	bool problems = b->sort == BOARD_SORT_PROBLEMS;
	if (problems)
		board_scores(b->snap, &pkg_score, &dp_score);
	sort_snap = b->snap;
	sort_pkg_score = pkg_score;
	sort_dp_score = dp_score;
	sort_row_base = row_cmp[b->sort];
	sort_col_base = problems ? board_cmp_dp_problems : board_cmp_dp_name;
	sort_ranks = ranks;
	array_sort(b->rows, b->nrows, sizeof *b->rows,
	    ranks ? board_cmp_row_rank : sort_row_base);
	array_sort(b->cols, b->ncols, sizeof *b->cols,
	    ranks ? board_cmp_col_rank : sort_col_base);
	sort_snap = NULL;
	sort_pkg_score = sort_dp_score = NULL;
	sort_ranks = NULL;
	free(pkg_score);
	free(dp_score);
}

static void
board_build_index(struct board *b, const struct board_ranks *ranks)
{
	const struct snapshot *s = b->snap;
	uint8_t *rs = xcalloc(s->npkgs + 1, 1), *cs = xcalloc(s->ndps + 1, 1);
	board_mark(b, rs, cs);
	b->rows = xreallocarray(NULL, s->npkgs + 1, sizeof *b->rows);
	b->cols = xreallocarray(NULL, s->ndps + 1, sizeof *b->cols);
	b->label_max = 0;
	b->row_max = 0;
	for (size_t p = 0; p < s->npkgs; p++) {
		if (!rs[p])
			continue;
		b->rows[b->nrows++] = (uint32_t)p;
		const char *name = s->pkgs[p].name;
		int w = (int)strlen(s->pkgs[p].id) + 1 + (name ? draw_width(name) : 0);
		if (w > b->row_max)
			b->row_max = w;
	}
	for (size_t d = 0; d < s->ndps; d++)
		if (cs[d])
			b->cols[b->ncols++] = (uint32_t)d;
	free(rs);
	free(cs);
	board_sort(b, ranks);
	board_build_labels(b);
}

/* Put the cursor back on the package and DP it was on, when they are
 * still shown; otherwise it stays at the same position (clamped). */
static void
board_restore_cursor(struct board *b)
{
	size_t r = b->grid.cur_row, c = b->grid.cur_col;
	for (size_t i = 0; b->cur_pkg[0] && i < b->nrows; i++)
		if (strcmp(b->snap->pkgs[b->rows[i]].id, b->cur_pkg) == 0) {
			r = i;
			break;
		}
	for (size_t j = 0; b->cur_dp && j < b->ncols; j++)
		if (strcasecmp(b->snap->dps[b->cols[j]].name, b->cur_dp) == 0) {
			c = j;
			break;
		}
	grid_set_cursor(&b->grid, r, c);
}

static void
board_rebuild_ranked(struct board *b, const struct board_ranks *ranks)
{
	board_free_labels(b);
	free(b->rows);
	free(b->cols);
	b->rows = b->cols = NULL;
	b->nrows = b->ncols = 0;
	b->label_max = b->label_max_short = 0;
	b->strip_head = b->strip_tail = 0;
	if (b->snap == NULL)
		return;
	board_build_index(b, ranks);
	board_restore_cursor(b);
}

/* Filter, sort and all-or-problems changes: the user asked for a new order. */
static void
board_rebuild(struct board *b)
{
	board_rebuild_ranked(b, NULL);
}

/* Where each row and column of the board shows now, by the new snapshot's
 * indexes (looked up by package ID and DP name). */
static void
board_ranks_make(const struct board *b, const struct snapshot *s, struct board_ranks *r)
{
	r->row = xreallocarray(NULL, s->npkgs + 1, sizeof *r->row);
	r->col = xreallocarray(NULL, s->ndps + 1, sizeof *r->col);
	for (size_t p = 0; p <= s->npkgs; p++)
		r->row[p] = UINT32_MAX;
	for (size_t d = 0; d <= s->ndps; d++)
		r->col[d] = UINT32_MAX;
	for (size_t i = 0; i < b->nrows; i++) {
		long p = snapshot_find_pkg(s, b->snap->pkgs[b->rows[i]].id);
		if (p >= 0)
			r->row[p] = (uint32_t)i;
	}
	for (size_t j = 0; j < b->ncols; j++) {
		long d = snapshot_find_dp(s, b->snap->dps[b->cols[j]].name);
		if (d >= 0)
			r->col[d] = (uint32_t)j;
	}
}

void
board_set_snapshot(struct board *b, struct snapshot *s)
{
	/* A background refresh keeps the order the user is looking at (the
	 * cells still move to their new glyphs); the first snapshot and one
	 * the user asked for are sorted afresh.  Rows and columns that
	 * appeared go after the others, so nothing already on screen moves
	 * down; the next s, r or filter puts them in place. */
	struct board_ranks ranks = { NULL, NULL };
	bool keep = b->snap != NULL && !b->resort && s != NULL;
	b->resort = false;
	if (keep)
		board_ranks_make(b, s, &ranks);
	snapshot_free(b->snap);
	b->snap = s;
	board_rebuild_ranked(b, keep ? &ranks : NULL);
	free(ranks.row);
	free(ranks.col);
}

void
board_resort_next(struct board *b)
{
	b->resort = true;
}

void
board_set_filter(struct board *b, const char *text)
{
	free(b->filter);
	b->filter = text != NULL && *text != '\0' ? xstrdup(text) : NULL;
	board_rebuild(b);
}

void
board_filter_save(struct board *b)
{
	free(b->filter_saved);
	b->filter_saved = b->filter != NULL ? xstrdup(b->filter) : NULL;
}

void
board_filter_restore(struct board *b)
{
	char *saved = b->filter_saved;
	b->filter_saved = NULL;
	board_set_filter(b, saved);
	free(saved);
}

void
board_toggle_all(struct board *b)
{
	b->show_all = !b->show_all;
	board_rebuild(b);
}

void
board_cycle_sort(struct board *b)
{
	b->sort = (enum board_sort)((b->sort + 1) % BOARD_SORT_COUNT);
	board_rebuild(b);
}

bool
board_cursor(const struct board *b, size_t *pkg, size_t *dp)
{
	if (b->snap == NULL || b->nrows == 0 || b->ncols == 0)
		return false;
	*pkg = b->rows[b->grid.cur_row < b->nrows ? b->grid.cur_row : b->nrows - 1];
	*dp = b->cols[b->grid.cur_col < b->ncols ? b->grid.cur_col : b->ncols - 1];
	return true;
}

bool
board_show_cell(struct board *b, size_t pkg, size_t dp)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t r = 0; r < b->nrows; r++) {
			if (b->rows[r] != pkg)
				continue;
			for (size_t c = 0; c < b->ncols; c++) {
				if (b->cols[c] != dp)
					continue;
				grid_set_cursor(&b->grid, r, c);
				return true;
			}
		}
		/* Not shown (installed now, or filtered out): show everything. */
		board_set_filter(b, NULL);
		if (!b->show_all)
			board_toggle_all(b);
	}
	return false;
}

void
board_free(struct board *b)
{
	snapshot_free(b->snap);
	free(b->rows);
	free(b->cols);
	free(b->filter);
	free(b->filter_saved);
	free(b->cur_dp);
	board_free_labels(b);
	marks_clear(&b->marks);
	memset(b, 0, sizeof *b);
}

bool
board_toggle_mark(struct board *b, bool *marked)
{
	size_t pkg, dp;
	if (!board_cursor(b, &pkg, &dp))
		return false;
	*marked = marks_toggle(&b->marks, b->snap->pkgs[pkg].id, b->snap->dps[dp].name);
	return true;
}

/*
 * Grid callbacks.
 */

static size_t
board_rows(void *arg)
{
	return ((const struct board *)arg)->nrows;
}

static size_t
board_cols(void *arg)
{
	return ((const struct board *)arg)->ncols;
}

static void
board_draw_corner(WINDOW *w, int y, int x, int h, int width, void *arg)
{
	const struct board *b = arg;
	char line[96];
	if (b->snap == NULL || h < 1)
		return;
	draw_text_fit(w, y + h - 1, x, width, theme_attr(UI_ROLE_DIM, false),
	    draw_fmt(line, sizeof line, "%zu of %zu packages", b->nrows, b->snap->npkgs));
	if (h >= 2)
		draw_text_fit(w, y + h - 2, x, width, theme_attr(UI_ROLE_DIM, false),
		    draw_fmt(line, sizeof line, "%zu of %zu DPs", b->ncols, b->snap->ndps));
	if (h >= 3)
		draw_text_fit(w, y + h - 3, x, width, theme_attr(UI_ROLE_DIM, false),
		    b->show_all ? "all packages" : "problems only");
	/* Say what the shortened column labels left out. */
	if (h >= 4 && b->short_labels && b->ncols > 0 && (b->strip_head || b->strip_tail)) {
		const char *l0 = b->labels[0];
		draw_text_fit(w, y + h - 4, x, width, theme_attr(UI_ROLE_DIM, false),
		    draw_fmt(line, sizeof line, "DP names: %.*s*%s", (int)b->strip_head, l0,
		    l0 + strlen(l0) - b->strip_tail));
	}
}

static void
board_draw_row_header(WINDOW *w, int y, int x, int width, size_t row, bool current,
    void *arg)
{
	const struct board *b = arg;
	const struct package *p = &b->snap->pkgs[b->rows[row]];
	attr_t a = theme_attr(current ? UI_ROLE_SELECT : UI_ROLE_NORMAL, false);
	draw_fill(w, y, x, width, a);
	int used = draw_text(w, y, x, width, current ? a : theme_attr(UI_ROLE_TITLE, false), p->id);
	if (used < width)
		draw_text_fit(w, y, x + used + 1, width - used - 1, a, p->name ? p->name : "");
}

/* Draw one character of s (the one starting at *p) and advance *p. */
static void
board_draw_char(WINDOW *w, int y, int x, attr_t a, const char **p)
{
	char ch[8];
	size_t n = draw_prefix(*p, 1);
	if (n == 0 || n >= sizeof ch) {
		draw_text(w, y, x, 1, a, "?");
		n = n ? n : 1;
	} else {
		memcpy(ch, *p, n);
		ch[n] = '\0';
		draw_text(w, y, x, 1, a, ch);
	}
	*p += n;
}

/* Column labels run top to bottom and end just above the cells, or
 * (horizontal) stand whole on the line above them. */
static void
board_draw_col_header(WINDOW *w, int y, int x, int h, int cw, size_t col, bool current,
    void *arg)
{
	const struct board *b = arg;
	char label[160];
	if (b->horizontal) {
		attr_t a = theme_attr(current ? UI_ROLE_SELECT : UI_ROLE_HEADER, false);
		for (int i = 0; current && i < h; i++)
			draw_fill(w, y + i, x, cw, a);
		/* Centred over the glyph, inside the cell. */
		int lw = draw_width(b->labels[col]);
		int lx = x + (cw - 1) / 2 - lw / 2;
		if (lx + lw > x + cw - 1)
			lx = x + cw - 1 - lw;
		if (lx < x)
			lx = x;
		draw_text_fit(w, y + h - 1, lx, x + cw - lx, a, b->labels[col]);
		return;
	}
	const char *p = label_fit(b->labels[col], b->short_labels ? b->strip_head : 0,
	    b->short_labels ? b->strip_tail : 0, h, b->label_digits, glyph()->ellipsis,
	    label, sizeof label);
	int shown = draw_width(p);
	attr_t a = theme_attr(current ? UI_ROLE_SELECT : UI_ROLE_HEADER, false);
	int gx = x + (cw - 1) / 2;
	for (int i = 0; i < h; i++) {
		if (current)
			draw_fill(w, y + i, x, cw, a);
		if (i >= h - shown && *p)
			board_draw_char(w, y + i, gx, a, &p);
	}
}

static void
board_draw_cell(WINDOW *w, int y, int x, int cw, size_t row, size_t col, unsigned flags,
    void *arg)
{
	const struct board *b = arg;
	const struct cell *c = snapshot_cell(b->snap, b->rows[row], b->cols[col]);
	unsigned st = c ? c->state : STATE_NONE;
	bool cross = (flags & GRID_CELL_CROSS) != 0;
	enum ui_role role = theme_state_role(st);
	int gx = x + (cw - 1) / 2;
	/* A marked cell is "*X*" on the selection colour: visible in mono and
	 * under the crosshair; the cursor on it keeps one star ("[X*"). */
	bool marked = b->marks.n > 0 && marks_has(&b->marks, b->snap->pkgs[b->rows[row]].id,
	    b->snap->dps[b->cols[col]].name);
	if (flags & GRID_CELL_CURSOR) {
		attr_t br = theme_attr(UI_ROLE_CURSOR, false);
		draw_fill(w, y, x, cw, br);
		if (cw >= 3) {
			draw_text(w, y, gx - 1, 1, br, "[");
			draw_text(w, y, gx + 1, 1, br, marked ? "*" : "]");
		}
		draw_text(w, y, gx, 1, theme_attr(role, false) | A_REVERSE, glyph_state(st));
		return;
	}
	if (marked) {
		attr_t sel = theme_attr(UI_ROLE_SELECT, false);
		draw_fill(w, y, x, cw, sel);
		if (cw >= 3) {
			draw_text(w, y, gx - 1, 1, sel, "*");
			draw_text(w, y, gx + 1, 1, sel, "*");
		}
		draw_text(w, y, gx, 1, theme_attr(role, false), glyph_state(st));
		return;
	}
	draw_fill(w, y, x, cw, theme_attr(UI_ROLE_NORMAL, cross));
	draw_text(w, y, gx, 1, theme_attr(role, cross), glyph_state(st));
}

static void
board_draw_empty(WINDOW *w, int y, int x, int h, int width, void *arg)
{
	const struct board *b = arg;
	char line[256];
	const char *what, *hint;
	if (b->filter != NULL) {
		what = draw_fmt(line, sizeof line, "Nothing matches \"%s\"%s.", b->filter,
		    b->show_all ? "" : " among the problems");
		hint = b->show_all ? "Press / to change the filter." :
		    "Press / to change the filter or a to show all packages.";
	} else if (!b->show_all) {
		what = "No problems: every targeted package is installed on its DPs.";
		hint = "Press a to show all packages.";
	} else {
		what = "The site reported no packages.";
		hint = "";
	}
	int row = y + h / 3;
	int ww = draw_width(what), hw = draw_width(hint);
	draw_text_fit(w, row, x + (ww < width ? (width - ww) / 2 : 0), width,
	    theme_attr(UI_ROLE_NORMAL, false), what);
	draw_text_fit(w, row + 1, x + (hw < width ? (width - hw) / 2 : 0), width,
	    theme_attr(UI_ROLE_DIM, false), hint);
}

static void
board_moved(size_t row, size_t col, void *arg)
{
	struct board *b = arg;
	if (b->snap == NULL)
		return;
	if (row < b->nrows)
		memcpy(b->cur_pkg, b->snap->pkgs[b->rows[row]].id, sizeof b->cur_pkg);
	if (col < b->ncols) {
		free(b->cur_dp);
		b->cur_dp = xstrdup(b->snap->dps[b->cols[col]].name);
	}
}

static const struct grid_ops board_grid_ops = {
	.rows = board_rows,
	.cols = board_cols,
	.draw_corner = board_draw_corner,
	.draw_row_header = board_draw_row_header,
	.draw_col_header = board_draw_col_header,
	.draw_cell = board_draw_cell,
	.draw_empty = board_draw_empty,
	.moved = board_moved,
};

void
board_init(struct board *b)
{
	memset(b, 0, sizeof *b);
	grid_init(&b->grid, &board_grid_ops, b);
}

/* How the header fits a body of h x w: horizontal names when every
 * column can be one name wide (the row headers give up a little room for
 * that), else names down the columns, whole when the header may be that
 * tall.  Wider terminals widen the cells, so the grid uses the width. */
static void
board_fit(const struct board *b, int h, int w, struct board_fit *f)
{
	int cap = w * 2 / 5 < BOARD_ROW_MAX_W ? w * 2 / 5 : BOARD_ROW_MAX_W;
	int rh = b->row_max < BOARD_ROW_MIN_W ? BOARD_ROW_MIN_W : b->row_max;
	if (rh > cap)
		rh = cap > BOARD_ROW_MIN_W ? cap : BOARD_ROW_MIN_W;
	int ncols = b->ncols > 0 ? (int)(b->ncols < 10000 ? b->ncols : 10000) : 1;
	int across = b->label_max + 1 > BOARD_CELL_W ? b->label_max + 1 : BOARD_CELL_W;
	int room = w - 1 - rh, room_min = w - 1 - (rh < BOARD_ROW_SHRINK_W ? rh : BOARD_ROW_SHRINK_W);
	*f = (struct board_fit){ .rh = rh };
	if (b->ncols > 0 && ncols * across <= room_min && h >= 3 * BOARD_HEADER_ACROSS_H) {
		f->horizontal = true;
		f->rh = ncols * across <= room ? rh : w - 1 - ncols * across;
		f->chh = BOARD_HEADER_ACROSS_H;
		f->cell_w = across;
		return;
	}
	/* Down the columns: at least a few letters, however small the body
	 * (the detail pane below it), so a name is never one letter. */
	int chh_cap = h / 3 > BOARD_HEADER_MIN_H ? h / 3 : BOARD_HEADER_MIN_H;
	f->short_labels = b->label_max > chh_cap;
	f->chh = f->short_labels ? b->label_max_short : b->label_max;
	if (f->chh < 1)
		f->chh = 1;
	if (f->chh > chh_cap)
		f->chh = chh_cap;
	f->cell_w = room / ncols;
	if (f->cell_w > BOARD_CELL_MAX_W)
		f->cell_w = BOARD_CELL_MAX_W;
	if (f->cell_w < BOARD_CELL_W)
		f->cell_w = BOARD_CELL_W;
}

int
board_header_height(const struct board *b, int h, int w)
{
	struct board_fit f;
	board_fit(b, h, w, &f);
	return f.chh;
}

void
board_layout(struct board *b, int y, int x, int h, int w)
{
	board_layout_under(b, y, x, h, w, h);
}

void
board_layout_under(struct board *b, int y, int x, int h, int w, int body_h)
{
	struct board_fit f;
	board_fit(b, body_h, w, &f);
	b->short_labels = f.short_labels;
	b->horizontal = f.horizontal;
	grid_layout(&b->grid, y, x, h, w, f.rh + 1, f.chh, f.cell_w);
}

void
board_draw(struct board *b, WINDOW *w)
{
	grid_draw(&b->grid, w);
}
