/*
 * Key bindings as data.  Order matters twice: a lookup takes the first
 * match in a context, and the help screen lists bindings in this order,
 * grouping consecutive keys bound to the same action on one line.  The
 * dialogs' answers are here too, so every question takes the same keys for
 * the same answer and Enter always gives the answer drawn in capitals.
 */
#include "autoconf.h"
#include "tui/keymap.h"
#include "tui/glyph.h"

#include <curses.h>
#include <stdio.h>

#define FN KEYMAP_FN

static const struct keymap_entry keymap[] = {
	{ 'q', KEY_ACTION_QUIT, KEYMAP_CTX_GLOBAL, "quit dpdoctor" },
	{ FN(KEY_F(10)), KEY_ACTION_QUIT, KEYMAP_CTX_GLOBAL, NULL },
	{ '?', KEY_ACTION_HELP, KEYMAP_CTX_GLOBAL, "show this help" },
	{ FN(KEY_F(1)), KEY_ACTION_HELP, KEYMAP_CTX_GLOBAL, NULL },
	{ 'r', KEY_ACTION_REFRESH, KEYMAP_CTX_GLOBAL,
	  "refresh the status now and sort the grid again, forget learned layouts" },
	{ FN(KEY_F(5)), KEY_ACTION_REFRESH, KEYMAP_CTX_GLOBAL, NULL },
	{ 'p', KEY_ACTION_PAUSE, KEYMAP_CTX_GLOBAL, "pause or resume live refresh" },
	{ KEYMAP_CTRL('l'), KEY_ACTION_REDRAW, KEYMAP_CTX_GLOBAL, "redraw the screen" },

	{ FN(KEY_UP), KEY_ACTION_UP, KEYMAP_CTX_GRID, "previous package" },
	{ 'k', KEY_ACTION_UP, KEYMAP_CTX_GRID, NULL },
	{ FN(KEY_DOWN), KEY_ACTION_DOWN, KEYMAP_CTX_GRID, "next package" },
	{ 'j', KEY_ACTION_DOWN, KEYMAP_CTX_GRID, NULL },
	{ FN(KEY_LEFT), KEY_ACTION_LEFT, KEYMAP_CTX_GRID, "previous distribution point" },
	{ 'h', KEY_ACTION_LEFT, KEYMAP_CTX_GRID, NULL },
	{ FN(KEY_RIGHT), KEY_ACTION_RIGHT, KEYMAP_CTX_GRID, "next distribution point" },
	{ 'l', KEY_ACTION_RIGHT, KEYMAP_CTX_GRID, NULL },
	{ FN(KEY_PPAGE), KEY_ACTION_PAGE_UP, KEYMAP_CTX_GRID, "page up" },
	{ KEYMAP_CTRL('b'), KEY_ACTION_PAGE_UP, KEYMAP_CTX_GRID, NULL },
	{ FN(KEY_NPAGE), KEY_ACTION_PAGE_DOWN, KEYMAP_CTX_GRID, "page down" },
	{ KEYMAP_CTRL('f'), KEY_ACTION_PAGE_DOWN, KEYMAP_CTX_GRID, NULL },
	{ FN(KEY_SLEFT), KEY_ACTION_PAGE_LEFT, KEYMAP_CTX_GRID, "page left" },
	{ '<', KEY_ACTION_PAGE_LEFT, KEYMAP_CTX_GRID, NULL },
	{ FN(KEY_SRIGHT), KEY_ACTION_PAGE_RIGHT, KEYMAP_CTX_GRID, "page right" },
	{ '>', KEY_ACTION_PAGE_RIGHT, KEYMAP_CTX_GRID, NULL },
	{ FN(KEY_HOME), KEY_ACTION_TOP, KEYMAP_CTX_GRID, "first package" },
	{ 'g', KEY_ACTION_TOP, KEYMAP_CTX_GRID, NULL },
	{ FN(KEY_END), KEY_ACTION_BOTTOM, KEYMAP_CTX_GRID, "last package" },
	{ 'G', KEY_ACTION_BOTTOM, KEYMAP_CTX_GRID, NULL },
	{ '0', KEY_ACTION_FIRST_COL, KEYMAP_CTX_GRID, "first distribution point" },
	{ '^', KEY_ACTION_FIRST_COL, KEYMAP_CTX_GRID, NULL },
	{ '$', KEY_ACTION_LAST_COL, KEYMAP_CTX_GRID, "last distribution point" },
	{ '\n', KEY_ACTION_OPEN, KEYMAP_CTX_GRID, "details of the cell" },
	{ '\r', KEY_ACTION_OPEN, KEYMAP_CTX_GRID, NULL },
	{ FN(KEY_ENTER), KEY_ACTION_OPEN, KEYMAP_CTX_GRID, NULL },
	{ 'a', KEY_ACTION_TOGGLE_ALL, KEYMAP_CTX_GRID, "show all, or only problems (State != 0)" },
	{ '/', KEY_ACTION_FILTER, KEYMAP_CTX_GRID,
	  "filter by package ID, name, maker or DP, as you type" },
	{ 's', KEY_ACTION_SORT, KEYMAP_CTX_GRID,
	  "sort by problems (failed, retrying, pending), package ID or name; "
	  "a timed refresh keeps the order" },
	{ 'L', KEY_ACTION_LOG, KEYMAP_CTX_GRID, "the DP's distmgr.log for the cell" },
	{ ' ', KEY_ACTION_MARK, KEYMAP_CTX_GRID, "mark or unmark the cell for a batch repair" },
	{ 'u', KEY_ACTION_UNMARK_ALL, KEYMAP_CTX_GRID, "clear all marks" },
	{ 'R', KEY_ACTION_REPAIR, KEYMAP_CTX_GRID, "repair the marked cells, else the cell" },
	{ 'H', KEY_ACTION_HISTORY, KEYMAP_CTX_GRID, "the repair journal (history)" },

	{ KEYMAP_ESC, KEY_ACTION_CLOSE, KEYMAP_CTX_DETAIL, "close (Enter: lists a folded kind in sight first)" },
	{ '\n', KEY_ACTION_CLOSE, KEYMAP_CTX_DETAIL, NULL },
	{ '\r', KEY_ACTION_CLOSE, KEYMAP_CTX_DETAIL, NULL },
	{ FN(KEY_ENTER), KEY_ACTION_CLOSE, KEYMAP_CTX_DETAIL, NULL },
	{ FN(KEY_NPAGE), KEY_ACTION_PAGE_DOWN, KEYMAP_CTX_DETAIL, "scroll the pane down" },
	{ ' ', KEY_ACTION_PAGE_DOWN, KEYMAP_CTX_DETAIL, NULL },
	{ FN(KEY_PPAGE), KEY_ACTION_PAGE_UP, KEYMAP_CTX_DETAIL, "scroll the pane up" },
	{ 'b', KEY_ACTION_PAGE_UP, KEYMAP_CTX_DETAIL, NULL },
	{ FN(KEY_HOME), KEY_ACTION_TOP, KEYMAP_CTX_DETAIL, "the pane's first line (not the grid's)" },
	{ 'g', KEY_ACTION_TOP, KEYMAP_CTX_DETAIL, NULL },
	{ FN(KEY_END), KEY_ACTION_BOTTOM, KEYMAP_CTX_DETAIL, "the pane's last line" },
	{ 'G', KEY_ACTION_BOTTOM, KEYMAP_CTX_DETAIL, NULL },

	{ KEYMAP_ESC, KEY_ACTION_CLOSE, KEYMAP_CTX_LOG, "close the log" },
	{ 'q', KEY_ACTION_CLOSE, KEYMAP_CTX_LOG, NULL },
	{ FN(KEY_UP), KEY_ACTION_UP, KEYMAP_CTX_LOG, "scroll up (pauses following)" },
	{ 'k', KEY_ACTION_UP, KEYMAP_CTX_LOG, NULL },
	{ FN(KEY_DOWN), KEY_ACTION_DOWN, KEYMAP_CTX_LOG, "scroll down" },
	{ 'j', KEY_ACTION_DOWN, KEYMAP_CTX_LOG, NULL },
	{ FN(KEY_PPAGE), KEY_ACTION_PAGE_UP, KEYMAP_CTX_LOG, "page up" },
	{ KEYMAP_CTRL('b'), KEY_ACTION_PAGE_UP, KEYMAP_CTX_LOG, NULL },
	{ FN(KEY_NPAGE), KEY_ACTION_PAGE_DOWN, KEYMAP_CTX_LOG, "page down" },
	{ KEYMAP_CTRL('f'), KEY_ACTION_PAGE_DOWN, KEYMAP_CTX_LOG, NULL },
	{ ' ', KEY_ACTION_PAGE_DOWN, KEYMAP_CTX_LOG, NULL },
	{ FN(KEY_HOME), KEY_ACTION_TOP, KEYMAP_CTX_LOG, "oldest line" },
	{ 'g', KEY_ACTION_TOP, KEYMAP_CTX_LOG, NULL },
	{ FN(KEY_END), KEY_ACTION_LOG_FOLLOW, KEYMAP_CTX_LOG, "newest line, and follow new ones" },
	{ 'G', KEY_ACTION_LOG_FOLLOW, KEYMAP_CTX_LOG, NULL },
	{ 'F', KEY_ACTION_LOG_FOLLOW, KEYMAP_CTX_LOG, NULL },
	{ 'f', KEY_ACTION_LOG_FILTER, KEYMAP_CTX_LOG, "only lines naming the package, or all" },
	{ 'm', KEY_ACTION_LOG_MERGE, KEYMAP_CTX_LOG, "merge the primary's distmgr.log by time" },
	{ 'w', KEY_ACTION_LOG_WRAP, KEYMAP_CTX_LOG, "wrap long lines onto the next rows, or cut them" },
	{ '/', KEY_ACTION_SEARCH, KEYMAP_CTX_LOG, "search (newest match first)" },
	{ 'n', KEY_ACTION_SEARCH_NEXT, KEYMAP_CTX_LOG, "next match, below (past the end: from the top)" },
	{ 'N', KEY_ACTION_SEARCH_PREV, KEYMAP_CTX_LOG, "previous match, above" },
	{ FN(KEY_RIGHT), KEY_ACTION_RIGHT, KEYMAP_CTX_LOG, "scroll long lines right (half a screen)" },
	{ FN(KEY_LEFT), KEY_ACTION_LEFT, KEYMAP_CTX_LOG, "scroll them back left" },
	{ '0', KEY_ACTION_FIRST_COL, KEYMAP_CTX_LOG, "back to the first column" },
	{ '\n', KEY_ACTION_OPEN, KEYMAP_CTX_LOG, "the whole entry (the match, else the newest line shown)" },
	{ '\r', KEY_ACTION_OPEN, KEYMAP_CTX_LOG, NULL },
	{ FN(KEY_ENTER), KEY_ACTION_OPEN, KEYMAP_CTX_LOG, NULL },

	{ 'y', KEY_ACTION_YES, KEYMAP_CTX_WIZARD, "yes: run the step (a hand step: done; a group: start it)" },
	{ 'n', KEY_ACTION_NO, KEYMAP_CTX_WIZARD, "no: stop the group's plan here (at a group: skip it)" },
	{ 's', KEY_ACTION_SKIP, KEYMAP_CTX_WIZARD, "skip the step, go on with the next" },
	{ 'a', KEY_ACTION_ABORT, KEYMAP_CTX_WIZARD, "abort the whole run" },
	{ 'f', KEY_ACTION_STOP_ON_FAILURE, KEYMAP_CTX_WIZARD,
	  "a batch, before it starts: stop at the first failed cell, or go on (default)" },
	{ 'v', KEY_ACTION_VIEW_SCRIPT, KEYMAP_CTX_WIZARD,
	  "at a step: the PowerShell it really sends, or back to the summary" },
	{ '\n', KEY_ACTION_ACCEPT, KEYMAP_CTX_WIZARD,
	  "the default: choose the plan, continue; at a step: no" },
	{ '\r', KEY_ACTION_ACCEPT, KEYMAP_CTX_WIZARD, NULL },
	{ FN(KEY_ENTER), KEY_ACTION_ACCEPT, KEYMAP_CTX_WIZARD, NULL },
	{ FN(KEY_UP), KEY_ACTION_UP, KEYMAP_CTX_WIZARD, "previous plan" },
	{ 'k', KEY_ACTION_UP, KEYMAP_CTX_WIZARD, NULL },
	{ FN(KEY_DOWN), KEY_ACTION_DOWN, KEYMAP_CTX_WIZARD, "next plan" },
	{ 'j', KEY_ACTION_DOWN, KEYMAP_CTX_WIZARD, NULL },
	{ FN(KEY_PPAGE), KEY_ACTION_PAGE_UP, KEYMAP_CTX_WIZARD, "scroll up" },
	{ FN(KEY_NPAGE), KEY_ACTION_PAGE_DOWN, KEYMAP_CTX_WIZARD, "scroll down" },
	{ ' ', KEY_ACTION_PAGE_DOWN, KEYMAP_CTX_WIZARD, NULL },
	{ KEYMAP_ESC, KEY_ACTION_CLOSE, KEYMAP_CTX_WIZARD, "leave the wizard (a running step asks first)" },
	{ 'q', KEY_ACTION_CLOSE, KEYMAP_CTX_WIZARD, NULL },

	{ KEYMAP_ESC, KEY_ACTION_CLOSE, KEYMAP_CTX_HISTORY, "close the journal" },
	{ 'q', KEY_ACTION_CLOSE, KEYMAP_CTX_HISTORY, NULL },
	{ FN(KEY_UP), KEY_ACTION_UP, KEYMAP_CTX_HISTORY, "scroll up" },
	{ 'k', KEY_ACTION_UP, KEYMAP_CTX_HISTORY, NULL },
	{ FN(KEY_DOWN), KEY_ACTION_DOWN, KEYMAP_CTX_HISTORY, "scroll down" },
	{ 'j', KEY_ACTION_DOWN, KEYMAP_CTX_HISTORY, NULL },
	{ FN(KEY_PPAGE), KEY_ACTION_PAGE_UP, KEYMAP_CTX_HISTORY, "page up" },
	{ FN(KEY_NPAGE), KEY_ACTION_PAGE_DOWN, KEYMAP_CTX_HISTORY, "page down" },
	{ ' ', KEY_ACTION_PAGE_DOWN, KEYMAP_CTX_HISTORY, NULL },
	{ FN(KEY_HOME), KEY_ACTION_TOP, KEYMAP_CTX_HISTORY, "newest entry" },
	{ 'g', KEY_ACTION_TOP, KEYMAP_CTX_HISTORY, NULL },
	{ FN(KEY_END), KEY_ACTION_BOTTOM, KEYMAP_CTX_HISTORY, "oldest entry" },
	{ 'G', KEY_ACTION_BOTTOM, KEYMAP_CTX_HISTORY, NULL },

	{ KEYMAP_ESC, KEY_ACTION_CLOSE, KEYMAP_CTX_HELP, "close help" },
	{ 'q', KEY_ACTION_CLOSE, KEYMAP_CTX_HELP, NULL },
	{ '?', KEY_ACTION_CLOSE, KEYMAP_CTX_HELP, NULL },
	{ FN(KEY_UP), KEY_ACTION_UP, KEYMAP_CTX_HELP, "scroll up" },
	{ 'k', KEY_ACTION_UP, KEYMAP_CTX_HELP, NULL },
	{ FN(KEY_DOWN), KEY_ACTION_DOWN, KEYMAP_CTX_HELP, "scroll down" },
	{ 'j', KEY_ACTION_DOWN, KEYMAP_CTX_HELP, NULL },
	{ FN(KEY_PPAGE), KEY_ACTION_PAGE_UP, KEYMAP_CTX_HELP, "page up" },
	{ FN(KEY_NPAGE), KEY_ACTION_PAGE_DOWN, KEYMAP_CTX_HELP, "page down" },
	{ ' ', KEY_ACTION_PAGE_DOWN, KEYMAP_CTX_HELP, NULL },
	{ FN(KEY_HOME), KEY_ACTION_TOP, KEYMAP_CTX_HELP, "top" },
	{ 'g', KEY_ACTION_TOP, KEYMAP_CTX_HELP, NULL },
	{ FN(KEY_END), KEY_ACTION_BOTTOM, KEYMAP_CTX_HELP, "bottom" },
	{ 'G', KEY_ACTION_BOTTOM, KEYMAP_CTX_HELP, NULL },

	{ 'y', KEY_ACTION_YES, KEYMAP_CTX_DIALOG, "yes" },
	{ 'Y', KEY_ACTION_YES, KEYMAP_CTX_DIALOG, NULL },
	{ 'n', KEY_ACTION_NO, KEYMAP_CTX_DIALOG, "no" },
	{ 'N', KEY_ACTION_NO, KEYMAP_CTX_DIALOG, NULL },
	{ 'A', KEY_ACTION_ALL, KEYMAP_CTX_DIALOG, "all: list every host key waiting, then accept them" },
	{ 'a', KEY_ACTION_ALL, KEYMAP_CTX_DIALOG, NULL },
	{ 'v', KEY_ACTION_VERIFY, KEYMAP_CTX_DIALOG, "verify the unfinished repair steps now" },
	{ 'V', KEY_ACTION_VERIFY, KEYMAP_CTX_DIALOG, NULL },
	{ 'l', KEY_ACTION_LATER, KEYMAP_CTX_DIALOG, "later: the unfinished steps wait for the next start" },
	{ 'L', KEY_ACTION_LATER, KEYMAP_CTX_DIALOG, NULL },
	{ 'o', KEY_ACTION_OK, KEYMAP_CTX_DIALOG, "OK: the notice was read" },
	{ 'q', KEY_ACTION_OK, KEYMAP_CTX_DIALOG, NULL },
	{ '\n', KEY_ACTION_ACCEPT, KEYMAP_CTX_DIALOG, "the default: the answer in capitals" },
	{ '\r', KEY_ACTION_ACCEPT, KEYMAP_CTX_DIALOG, NULL },
	{ FN(KEY_ENTER), KEY_ACTION_ACCEPT, KEYMAP_CTX_DIALOG, NULL },
	{ KEYMAP_ESC, KEY_ACTION_CLOSE, KEYMAP_CTX_DIALOG, "the cautious answer: no, later, OK" },
	{ FN(KEY_PPAGE), KEY_ACTION_PAGE_UP, KEYMAP_CTX_DIALOG, "scroll a long question up" },
	{ FN(KEY_NPAGE), KEY_ACTION_PAGE_DOWN, KEYMAP_CTX_DIALOG, "scroll it down" },

	{ '\n', KEY_ACTION_PROMPT_ACCEPT, KEYMAP_CTX_PROMPT, "apply (empty clears)" },
	{ '\r', KEY_ACTION_PROMPT_ACCEPT, KEYMAP_CTX_PROMPT, NULL },
	{ FN(KEY_ENTER), KEY_ACTION_PROMPT_ACCEPT, KEYMAP_CTX_PROMPT, NULL },
	{ KEYMAP_ESC, KEY_ACTION_PROMPT_CANCEL, KEYMAP_CTX_PROMPT, "cancel" },
	{ KEYMAP_CTRL('g'), KEY_ACTION_PROMPT_CANCEL, KEYMAP_CTX_PROMPT, NULL },
	{ FN(KEY_BACKSPACE), KEY_ACTION_PROMPT_ERASE, KEYMAP_CTX_PROMPT, "delete a character" },
	{ 127, KEY_ACTION_PROMPT_ERASE, KEYMAP_CTX_PROMPT, NULL },
	{ KEYMAP_CTRL('h'), KEY_ACTION_PROMPT_ERASE, KEYMAP_CTX_PROMPT, NULL },
	{ KEYMAP_CTRL('u'), KEY_ACTION_PROMPT_CLEAR, KEYMAP_CTX_PROMPT, "clear the line" },
};

/* The actions that can change a server: help lists them as disabled in
 * read-only mode. */
static const struct {
	enum keymap_ctx ctx;
	enum key_action action;
} repair_actions[] = {
	{ KEYMAP_CTX_GRID, KEY_ACTION_REPAIR },
	{ KEYMAP_CTX_WIZARD, KEY_ACTION_YES },
	{ KEYMAP_CTX_WIZARD, KEY_ACTION_NO },
	{ KEYMAP_CTX_WIZARD, KEY_ACTION_SKIP },
	{ KEYMAP_CTX_WIZARD, KEY_ACTION_ABORT },
};

bool
keymap_action_repairs(enum keymap_ctx ctx, enum key_action a)
{
	for (size_t i = 0; i < sizeof repair_actions / sizeof repair_actions[0]; i++)
		if (repair_actions[i].ctx == ctx && repair_actions[i].action == a)
			return true;
	return false;
}

static const char *const ctx_titles[KEYMAP_CTX_COUNT] = {
	[KEYMAP_CTX_GLOBAL] = "Anywhere",
	[KEYMAP_CTX_GRID] = "Grid",
	[KEYMAP_CTX_DETAIL] = "Detail pane (grid keys move the cell under it)",
	[KEYMAP_CTX_HELP] = "Help",
	[KEYMAP_CTX_LOG] = "Log view",
	[KEYMAP_CTX_WIZARD] = "Repair wizard (R)",
	[KEYMAP_CTX_HISTORY] = "Repair journal (H)",
	[KEYMAP_CTX_DIALOG] = "Questions (each lists the answers it takes)",
	[KEYMAP_CTX_PROMPT] = "Filter and search prompts",
};

/* The context a lookup falls back to; -1 ends the chain. */
static const int ctx_parent[KEYMAP_CTX_COUNT] = {
	[KEYMAP_CTX_GLOBAL] = -1,
	[KEYMAP_CTX_GRID] = KEYMAP_CTX_GLOBAL,
	[KEYMAP_CTX_DETAIL] = KEYMAP_CTX_GRID,
	[KEYMAP_CTX_HELP] = KEYMAP_CTX_GLOBAL,
	[KEYMAP_CTX_LOG] = KEYMAP_CTX_GLOBAL,
	[KEYMAP_CTX_WIZARD] = KEYMAP_CTX_GLOBAL,
	[KEYMAP_CTX_HISTORY] = KEYMAP_CTX_GLOBAL,
	[KEYMAP_CTX_DIALOG] = -1,
	[KEYMAP_CTX_PROMPT] = -1,
};

static const struct {
	int key;
	const char *utf8, *ascii;
} key_names[] = {
	{ FN(KEY_UP), "\u2191", "Up" },
	{ FN(KEY_DOWN), "\u2193", "Down" },
	{ FN(KEY_LEFT), "\u2190", "Left" },
	{ FN(KEY_RIGHT), "\u2192", "Right" },
	{ FN(KEY_SLEFT), "Shift-\u2190", "Shift-Left" },
	{ FN(KEY_SRIGHT), "Shift-\u2192", "Shift-Right" },
	{ FN(KEY_PPAGE), "PgUp", "PgUp" },
	{ FN(KEY_NPAGE), "PgDn", "PgDn" },
	{ FN(KEY_HOME), "Home", "Home" },
	{ FN(KEY_END), "End", "End" },
	{ FN(KEY_ENTER), "Enter", "Enter" },
	{ FN(KEY_BACKSPACE), "Backspace", "Backspace" },
	{ FN(KEY_F(1)), "F1", "F1" },
	{ FN(KEY_F(5)), "F5", "F5" },
	{ FN(KEY_F(10)), "F10", "F10" },
	{ '\n', "Enter", "Enter" },
	{ '\r', "Enter", "Enter" },
	{ KEYMAP_ESC, "Esc", "Esc" },
	{ ' ', "Space", "Space" },
	{ 127, "Backspace", "Backspace" },
};

enum key_action
keymap_lookup(enum keymap_ctx ctx, int key)
{
	for (int c = (int)ctx; c >= 0; c = ctx_parent[c]) {
		for (size_t i = 0; i < sizeof keymap / sizeof keymap[0]; i++)
			if (keymap[i].ctx == (enum keymap_ctx)c && keymap[i].key == key)
				return keymap[i].action;
	}
	return KEY_ACTION_NONE;
}

const struct keymap_entry *
keymap_entries(size_t *n)
{
	*n = sizeof keymap / sizeof keymap[0];
	return keymap;
}

const char *
keymap_key_name(int key, char *buf, size_t size)
{
	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (key_names[i].key == key)
			return glyph()->utf8 ? key_names[i].utf8 : key_names[i].ascii;
	if (!KEYMAP_IS_FN(key) && key > 0 && key < 0x20)
		snprintf(buf, size, "^%c", key + '@');
	else if (!KEYMAP_IS_FN(key) && key < 0x7f)
		snprintf(buf, size, "%c", key);
	else
		snprintf(buf, size, "key %d", key & 0xffffff);
	return buf;
}

const char *
keymap_ctx_title(enum keymap_ctx ctx)
{
	return (unsigned)ctx < KEYMAP_CTX_COUNT ? ctx_titles[ctx] : "";
}

/* Home and End as terminals send them when their terminfo entry names
 * other sequences: VT220 (tmux, screen, the Linux console), rxvt, and
 * xterm's normal and application cursor modes. */
static const struct {
	const char *seq;
	int key;
} keymap_extra_keys[] = {
	{ "\033[1~", KEY_HOME }, { "\033[4~", KEY_END },
	{ "\033[7~", KEY_HOME }, { "\033[8~", KEY_END },
	{ "\033[H", KEY_HOME }, { "\033[F", KEY_END },
	{ "\033OH", KEY_HOME }, { "\033OF", KEY_END },
};

void
keymap_define_terminal_keys(void)
{
	for (size_t i = 0; i < sizeof keymap_extra_keys / sizeof keymap_extra_keys[0]; i++) {
		/* Only where curses knows nothing of the sequence (0); a failed
		 * definition leaves the key as it was, which is no worse. */
		if (key_defined(keymap_extra_keys[i].seq) == 0)
			(void)define_key(keymap_extra_keys[i].seq, keymap_extra_keys[i].key);
	}
}
