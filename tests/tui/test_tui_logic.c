/*
 * Unit tests for the TUI's logic that needs no terminal: column label
 * shortening, the keymap's fallback chain, grid movement and clamping,
 * word wrapping, the board's filter, sort and cursor identity across
 * snapshots, and the prompt wiping what a secret leaves behind.  The tmux
 * tests cover what the screen looks like.
 */
#include "autoconf.h"
#include "tests/unit/tap.h"
#include "tui/board.h"
#include "tui/glyph.h"
#include "tui/keymap.h"
#include "tui/label.h"
#include "tui/prompt.h"
#include "tui/text.h"
#include "backend/core/util.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
test_labels(void)
{
	const char *city[] = { "DUBLINDP01", "LEEDSDP01", "CHICAGODP01" };
	size_t h, t;
	char out[64];
	label_common(city, 3, &h, &t);
	is_int((long long)h, 0, "labels: no common prefix");
	is_int((long long)t, 4, "labels: common suffix DP01");
	is_str(label_fit(city[2], h, t, 6, false, "~", out, sizeof out), "CHICA~",
	    "labels: stripped, then cut at the end");
	is_str(label_fit(city[1], h, t, 6, false, "~", out, sizeof out), "LEEDS",
	    "labels: stripped label that fits");
	is_str(label_fit("FRANKFURTDP07", 0, 0, 6, true, "~", out, sizeof out), "FRA~07",
	    "labels: digits that tell columns apart are kept");
	is_str(label_fit("DP01", 0, 0, 6, true, "~", out, sizeof out), "DP01",
	    "labels: short labels unchanged");
	const char *dps[] = { "DP01", "DP02", "DP10" };
	label_common(dps, 3, &h, &t);
	is_int((long long)h, 2, "labels: common prefix DP (two characters kept)");
	ok(label_digits_differ(dps, 3), "labels: DP01/DP02 differ in their digits");
	ok(!label_digits_differ(city, 3), "labels: all ending 01 do not");
	const char *one[] = { "SMS009PRI" };
	label_common(one, 1, &h, &t);
	ok(h == 0 && t == 0, "labels: nothing shared by a single column");
}

static void
test_keymap(void)
{
	is_int(keymap_lookup(KEYMAP_CTX_GRID, 'q'), KEY_ACTION_QUIT, "keymap: q quits from the grid");
	is_int(keymap_lookup(KEYMAP_CTX_HELP, 'q'), KEY_ACTION_CLOSE, "keymap: q closes help");
	is_int(keymap_lookup(KEYMAP_CTX_DETAIL, KEYMAP_FN(KEY_DOWN)), KEY_ACTION_DOWN,
	    "keymap: the pane passes movement to the grid");
	is_int(keymap_lookup(KEYMAP_CTX_DETAIL, '\n'), KEY_ACTION_CLOSE, "keymap: Enter closes the pane");
	is_int(keymap_lookup(KEYMAP_CTX_GRID, '\n'), KEY_ACTION_OPEN, "keymap: Enter opens it");
	is_int(keymap_lookup(KEYMAP_CTX_PROMPT, 'q'), KEY_ACTION_NONE,
	    "keymap: the prompt takes q as text");
	is_int(keymap_lookup(KEYMAP_CTX_GRID, 'Z'), KEY_ACTION_NONE, "keymap: unbound key");
	is_int(keymap_lookup(KEYMAP_CTX_GRID, 'l'), KEY_ACTION_RIGHT,
	    "keymap: l moves right as h moves left");
	is_int(keymap_lookup(KEYMAP_CTX_GRID, 'L'), KEY_ACTION_LOG, "keymap: L opens the log");
	is_int(keymap_lookup(KEYMAP_CTX_DETAIL, 'L'), KEY_ACTION_LOG,
	    "keymap: L opens the log from the pane too");
	is_int(keymap_lookup(KEYMAP_CTX_GRID, KEYMAP_FN(KEY_F(10))), KEY_ACTION_QUIT,
	    "keymap: F10 quits");
	is_int(keymap_lookup(KEYMAP_CTX_LOG, KEYMAP_FN(KEY_F(5))), KEY_ACTION_REFRESH,
	    "keymap: F5 refreshes");
	size_t n;
	const struct keymap_entry *e = keymap_entries(&n);
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		/* The first binding of each action in a context has a description. */
		bool first = i == 0 || e[i - 1].ctx != e[i].ctx || e[i - 1].action != e[i].action;
		if (first && e[i].help == NULL)
			bad++;
	}
	is_int(bad, 0, "keymap: every action has help text");
}

/* A fake grid data source: rows x cols. */
static size_t fake_rows = 100, fake_cols = 50;
static size_t fake_nrows(void *a) { (void)a; return fake_rows; }
static size_t fake_ncols(void *a) { (void)a; return fake_cols; }

static void
test_grid(void)
{
	static const struct grid_ops ops = { .rows = fake_nrows, .cols = fake_ncols };
	struct grid g;
	grid_init(&g, &ops, NULL);
	grid_layout(&g, 0, 0, 20, 80, 21, 5, 3); /* 15 rows x 19 columns */
	is_int(grid_page_rows(&g), 15, "grid: page rows");
	is_int(grid_page_cols(&g), 19, "grid: page columns");
	grid_move(&g, GRID_MOVE_PAGE_DOWN);
	grid_move(&g, GRID_MOVE_PAGE_DOWN);
	ok(g.cur_row == 30 && g.top == 16, "grid: paging scrolls minimally (row %zu, top %zu)",
	    g.cur_row, g.top);
	grid_move(&g, GRID_MOVE_BOTTOM);
	ok(g.cur_row == 99 && g.top == 85, "grid: bottom");
	ok(!grid_move(&g, GRID_MOVE_DOWN), "grid: no move past the end");
	grid_move(&g, GRID_MOVE_LAST_COL);
	ok(g.cur_col == 49 && g.left == 31, "grid: last column");
	fake_rows = 10;
	fake_cols = 5;
	grid_clamp(&g);
	ok(g.cur_row == 9 && g.top == 0 && g.cur_col == 4 && g.left == 0,
	    "grid: shrinking data clamps cursor and scroll");
	fake_rows = fake_cols = 0;
	grid_clamp(&g);
	ok(g.cur_row == 0 && g.cur_col == 0, "grid: empty data");
	ok(!grid_move(&g, GRID_MOVE_DOWN), "grid: no move when empty");
}

static void
test_wrap(void)
{
	struct text t;
	text_init(&t);
	text_add(&t, UI_ROLE_NORMAL, "Label  ");
	text_wrap(&t, UI_ROLE_NORMAL, "one two three four five six seven", 20, 7);
	is_int((long long)t.n, 3, "wrap: three lines");
	int widest = 0;
	for (size_t i = 0; i < t.n; i++)
		if (text_line_width(&t.lines[i]) > widest)
			widest = text_line_width(&t.lines[i]);
	ok(widest <= 20, "wrap: no line wider than 20 (%d)", widest);
	is_str(t.lines[1].spans[0].s, "       ", "wrap: continuation lines are indented");
	text_free(&t);
	text_init(&t);
	text_wrap(&t, UI_ROLE_NORMAL, "averyveryverylongwordthatcannotfit", 10, 0);
	ok(t.n >= 3, "wrap: a long word is cut, not lost (%zu lines)", t.n);
	text_free(&t);
	/* Issue 15: a path longer than the line breaks after a separator. */
	text_init(&t);
	text_wrap(&t, UI_ROLE_NORMAL, "\\\\DUBLINDP01\\E$\\SMS\\inboxes\\distmgr.box", 24, 0);
	is_int((long long)t.n, 2, "wrap: a long path takes two lines");
	is_str(t.lines[0].spans[0].s, "\\\\DUBLINDP01\\E$\\SMS\\", "wrap: cut after a \\");
	is_str(t.lines[1].spans[t.lines[1].n - 1].s, "inboxes\\distmgr.box",
	    "wrap: the next name whole on the next line");
	text_free(&t);
}

/* A snapshot: 4 packages x 3 DPs.  P0 fails on DP1; P2 retries on DP2;
 * P1 is installed everywhere; P3 is targeted nowhere. */
static struct snapshot *
make_snapshot(bool swap_problems)
{
	static const char *const ids[] = { "00900010", "00900011", "00900012", "00900013" };
	static const char *const names[] = { "Office 2003", "Adobe Reader", "Visio 2003", "Orphan" };
	static const char *const dps[] = { "ALPHA", "BRAVO", "CHARLIE" };
	struct snapshot *s = snapshot_new();
	for (int p = 0; p < 4; p++) {
		size_t i = snapshot_add_pkg(s, ids[p]); /* may move s->pkgs */
		struct package *pk = &s->pkgs[i];
		pk->name = xstrdup(names[p]);
		pk->manufacturer = xstrdup(p == 1 ? "Adobe" : "Microsoft");
	}
	for (int d = 0; d < 3; d++) {
		char nal[128];
		snprintf(nal, sizeof nal, "[\"Display=\\\\%s\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\%s\\",
		    dps[d], dps[d]);
		char *err = NULL;
		if (snapshot_add_dp(s, nal, &err) < 0) {
			printf("# %s\n", err);
			free(err);
		}
	}
	for (uint32_t p = 0; p < 3; p++)
		for (uint32_t d = 0; d < 3; d++) {
			struct cell c = { .pkg = p, .dp = d, .state = STATE_INSTALLED };
			if (p == 0 && d == 1)
				c.state = STATE_INSTALL_FAILED;
			if (p == 2 && d == 2)
				c.state = STATE_INSTALL_RETRYING;
			if (swap_problems && p == 2 && d == 0)
				c.state = STATE_INSTALL_FAILED; /* P2 now has the most */
			snapshot_add_cell(s, &c);
		}
	snapshot_index(s);
	return s;
}

static const char *
row_id(const struct board *b, size_t r)
{
	return b->snap->pkgs[b->rows[r]].id;
}

static void
test_board(void)
{
	struct board b;
	board_init(&b);
	board_set_snapshot(&b, make_snapshot(false));
	ok(b.nrows == 2 && b.ncols == 2, "board: problems only: 2 packages x 2 DPs (%zu x %zu)",
	    b.nrows, b.ncols);
	board_toggle_all(&b);
	ok(b.nrows == 4 && b.ncols == 3, "board: all: 4 x 3, the untargeted package too");
	board_set_filter(&b, "adobe");
	ok(b.nrows == 1 && b.ncols == 3, "board: all + maker filter: one row, every DP");
	board_set_filter(&b, "charlie");
	ok(b.ncols == 1 && b.nrows == 3, "board: all + DP filter: its column, its packages");
	board_toggle_all(&b);
	ok(b.ncols == 1 && b.nrows == 1 && strcmp(row_id(&b, 0), "00900012") == 0,
	    "board: problems + DP filter: the package failing there");
	board_set_filter(&b, "zzz");
	ok(b.nrows == 0, "board: no match");
	board_set_filter(&b, "");
	ok(b.filter == NULL && b.nrows == 2, "board: empty filter clears");

	board_cycle_sort(&b);
	ok(b.sort == BOARD_SORT_ID && strcmp(row_id(&b, 0), "00900010") == 0, "board: sort by ID");
	board_cycle_sort(&b);
	ok(b.sort == BOARD_SORT_NAME && strcmp(row_id(&b, 0), "00900010") == 0,
	    "board: sort by name (Office before Visio)");
	board_cycle_sort(&b);
	ok(b.sort == BOARD_SORT_PROBLEMS, "board: back to problems");

	/* Cursor on 00900010 x BRAVO, then a snapshot that reorders rows. */
	size_t pkg, dp;
	for (size_t r = 0; r < b.nrows; r++)
		if (strcmp(row_id(&b, r), "00900010") == 0)
			grid_set_cursor(&b.grid, r, b.grid.cur_col);
	for (size_t c = 0; c < b.ncols; c++)
		if (strcmp(b.snap->dps[b.cols[c]].name, "BRAVO") == 0)
			grid_set_cursor(&b.grid, b.grid.cur_row, c);
	size_t before = b.grid.cur_row, before_col = b.grid.cur_col;
	/* A background refresh: the order holds still. */
	board_set_snapshot(&b, make_snapshot(true));
	ok(board_cursor(&b, &pkg, &dp) && strcmp(b.snap->pkgs[pkg].id, "00900010") == 0 &&
	    strcmp(b.snap->dps[dp].name, "BRAVO") == 0,
	    "board: the cursor stays on 00900010 x BRAVO across snapshots");
	ok(b.grid.cur_row == before && b.grid.cur_col == before_col,
	    "board: a background refresh moves no row or column (%zu,%zu -> %zu,%zu)", before,
	    before_col, b.grid.cur_row, b.grid.cur_col);
	/* One the user asked for (r): sorted afresh. */
	board_resort_next(&b);
	board_set_snapshot(&b, make_snapshot(true));
	ok(board_cursor(&b, &pkg, &dp) && strcmp(b.snap->pkgs[pkg].id, "00900010") == 0 &&
	    strcmp(b.snap->dps[dp].name, "BRAVO") == 0,
	    "board: asked for, the cursor still stays on 00900010 x BRAVO");
	ok(b.grid.cur_row != before, "board: and the asked-for refresh re-sorts (%zu -> %zu)",
	    before, b.grid.cur_row);
	board_free(&b);
}

/* "problems" ranks failed above retrying above pending, whatever the
 * counts: 4 packages x 3 DPs. */
static void
test_board_problems(void)
{
	static const char *const ids[] = { "00900020", "00900021", "00900022", "00900023" };
	static const uint8_t states[4][3] = {
		{ STATE_INSTALL_PENDING, STATE_INSTALL_PENDING, STATE_REMOVAL_PENDING },
		{ STATE_INSTALL_RETRYING, STATE_INSTALLED, STATE_INSTALLED },
		{ STATE_INSTALL_FAILED, STATE_INSTALLED, STATE_INSTALLED },
		{ STATE_INSTALL_RETRYING, STATE_REMOVAL_RETRYING, STATE_INSTALLED },
	};
	static const char *const dps[] = { "ALPHA", "BRAVO", "CHARLIE" };
	struct snapshot *s = snapshot_new();
	for (int p = 0; p < 4; p++)
		(void)snapshot_add_pkg(s, ids[p]);
	for (int d = 0; d < 3; d++) {
		char nal[128], *err = NULL;
		snprintf(nal, sizeof nal, "[\"Display=\\\\%s\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\%s\\",
		    dps[d], dps[d]);
		if (snapshot_add_dp(s, nal, &err) < 0) {
			printf("# %s\n", err);
			free(err);
		}
	}
	for (uint32_t p = 0; p < 4; p++)
		for (uint32_t d = 0; d < 3; d++) {
			struct cell c = { .pkg = p, .dp = d, .state = states[p][d] };
			snapshot_add_cell(s, &c);
		}
	snapshot_index(s);
	struct board b;
	board_init(&b);
	board_set_snapshot(&b, s);
	ok(b.nrows == 4 && strcmp(row_id(&b, 0), "00900022") == 0 &&
	    strcmp(row_id(&b, 1), "00900023") == 0 && strcmp(row_id(&b, 2), "00900021") == 0 &&
	    strcmp(row_id(&b, 3), "00900020") == 0,
	    "board: problems: failed, then 2 retrying, then 1 retrying, then 3 pending "
	    "(%s %s %s %s)", b.nrows > 0 ? row_id(&b, 0) : "", b.nrows > 1 ? row_id(&b, 1) : "",
	    b.nrows > 2 ? row_id(&b, 2) : "", b.nrows > 3 ? row_id(&b, 3) : "");
	/* Columns the same way: ALPHA has the failure. */
	ok(b.ncols == 3 && strcmp(b.snap->dps[b.cols[0]].name, "ALPHA") == 0 &&
	    strcmp(b.snap->dps[b.cols[1]].name, "BRAVO") == 0,
	    "board: problems: the DP with the failure first, then the one retrying");
	board_free(&b);
}

/* True when the buffer's bytes [from, to) are all zero. */
static bool
prompt_clean(const struct prompt *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (p->buf[i] != '\0')
			return false;
	return true;
}

static void
test_prompt_secret(void)
{
	struct prompt p;
	memset(&p, 0x55, sizeof p);
	prompt_open_secret(&p, "> ", true);
	ok(p.mask && p.len == 0, "prompt: a secret opens empty and masked");
	const char *typed = "Pa\xc3\xa9w0rd!"; /* UTF-8: an e with an accent */
	for (const char *c = "Pa"; *c; c++)
		(void)prompt_key(&p, *c);
	(void)prompt_key(&p, 0xe9);
	for (const char *c = "w0rd!"; *c; c++)
		(void)prompt_key(&p, *c);
	is_str(p.buf, typed, "prompt: the secret is kept as UTF-8");
	size_t full = p.len;
	for (int i = 0; i < 6; i++)
		(void)prompt_key(&p, 127);
	is_str(p.buf, "Pa", "prompt: erasing drops whole characters");
	ok(prompt_clean(&p, p.len, full), "prompt: and overwrites what it dropped");
	(void)prompt_key(&p, KEYMAP_CTRL('u'));
	ok(p.len == 0 && prompt_clean(&p, 0, full), "prompt: clearing wipes every byte");
	for (const char *c = "abc"; *c; c++)
		(void)prompt_key(&p, *c);
	is_int(prompt_key(&p, '\n'), PROMPT_ACCEPTED, "prompt: Enter accepts");
	prompt_wipe(&p);
	ok(p.len == 0 && prompt_clean(&p, 0, sizeof p.buf), "prompt: prompt_wipe leaves nothing");
}

int
main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	glyph_init(CONFIG_GLYPHS_ASCII);
	test_labels();
	test_keymap();
	test_grid();
	test_wrap();
	test_board();
	test_board_problems();
	test_prompt_secret();
	return done_testing();
}
