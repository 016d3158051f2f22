/*
 * The one key binding table.  The dispatcher asks it what a key means in
 * the current context, and the help screen is generated from it, so help
 * can never disagree with what the keys do (tig and htop work this way).
 */
#ifndef DPD_TUI_KEYMAP_H
#define DPD_TUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

/* Keys are characters (wide characters included) or curses function keys
 * tagged with KEYMAP_FN so the two ranges never collide. */
#define KEYMAP_FN(k) ((k) | 0x1000000)
#define KEYMAP_IS_FN(k) (((k) & 0x1000000) != 0)
#define KEYMAP_CTRL(c) ((c) & 0x1f)
#define KEYMAP_ESC 27

enum key_action {
	KEY_ACTION_NONE,
	KEY_ACTION_QUIT,
	KEY_ACTION_HELP,
	KEY_ACTION_REFRESH,
	KEY_ACTION_PAUSE,
	KEY_ACTION_REDRAW,
	KEY_ACTION_UP,
	KEY_ACTION_DOWN,
	KEY_ACTION_LEFT,
	KEY_ACTION_RIGHT,
	KEY_ACTION_PAGE_UP,
	KEY_ACTION_PAGE_DOWN,
	KEY_ACTION_PAGE_LEFT,
	KEY_ACTION_PAGE_RIGHT,
	KEY_ACTION_TOP,
	KEY_ACTION_BOTTOM,
	KEY_ACTION_FIRST_COL,
	KEY_ACTION_LAST_COL,
	KEY_ACTION_TOGGLE_ALL,
	KEY_ACTION_FILTER,
	KEY_ACTION_SORT,
	KEY_ACTION_OPEN,
	KEY_ACTION_CLOSE,
	KEY_ACTION_LOG,
	KEY_ACTION_LOG_FOLLOW,
	KEY_ACTION_LOG_FILTER,
	KEY_ACTION_LOG_MERGE,
	KEY_ACTION_LOG_WRAP,
	KEY_ACTION_SEARCH,
	KEY_ACTION_SEARCH_NEXT,
	KEY_ACTION_SEARCH_PREV,
	KEY_ACTION_PROMPT_ACCEPT,
	KEY_ACTION_PROMPT_CANCEL,
	KEY_ACTION_PROMPT_ERASE,
	KEY_ACTION_PROMPT_CLEAR,
	KEY_ACTION_MARK,
	KEY_ACTION_UNMARK_ALL,
	KEY_ACTION_REPAIR,
	KEY_ACTION_HISTORY,
	KEY_ACTION_ACCEPT,   /* Enter in the wizard and the dialogs: the default */
	KEY_ACTION_YES,
	KEY_ACTION_NO,
	KEY_ACTION_SKIP,
	KEY_ACTION_ABORT,
	KEY_ACTION_STOP_ON_FAILURE,
	KEY_ACTION_VIEW_SCRIPT, /* the wizard's step page: its PowerShell, or the summary */
	KEY_ACTION_ALL,      /* dialogs: every host key waiting */
	KEY_ACTION_VERIFY,   /* dialogs: verify unfinished repair steps now */
	KEY_ACTION_LATER,    /* dialogs: leave them for the next start */
	KEY_ACTION_OK,       /* dialogs: a notice was read */
};

/* Where a binding applies.  Lookups fall back along a chain: the detail
 * pane passes movement to the grid (but pages its own text), the log view,
 * the repair wizard and the journal have their own keys, everything but
 * the dialogs and the prompt falls back to the global keys, a dialog
 * answers only its own keys, and the prompt takes all other keys as text. */
enum keymap_ctx {
	KEYMAP_CTX_GLOBAL,
	KEYMAP_CTX_GRID,
	KEYMAP_CTX_DETAIL,
	KEYMAP_CTX_HELP,
	KEYMAP_CTX_LOG,
	KEYMAP_CTX_WIZARD,
	KEYMAP_CTX_HISTORY,
	KEYMAP_CTX_DIALOG,
	KEYMAP_CTX_PROMPT,
	KEYMAP_CTX_COUNT,
};

struct keymap_entry {
	int key;
	enum key_action action;
	enum keymap_ctx ctx;
	const char *help; /* NULL: same as the previous entry for this action */
};

enum key_action keymap_lookup(enum keymap_ctx ctx, int key);
/* Whether the action, bound in ctx, can change a server (disabled when
 * read-only).  A dialog's yes answers a host key question, not a repair. */
bool keymap_action_repairs(enum keymap_ctx ctx, enum key_action a);
/* The table, in help order. */
const struct keymap_entry *keymap_entries(size_t *n);
/* "k", "Up" ("↑" with UTF-8), "Enter", "Esc", "^L" ... */
const char *keymap_key_name(int key, char *buf, size_t size);
const char *keymap_ctx_title(enum keymap_ctx ctx);
/* Once the terminal is open: teach curses the Home and End sequences that
 * terminals send beyond what their terminfo entry names (tmux and screen
 * send the VT220 ones whatever TERM says), so they never read as Esc. */
void keymap_define_terminal_keys(void);

#endif
