/*
 * UI colour roles and the one table that says how each looks in the dark
 * and light themes and, without colour (NO_COLOR, a monochrome terminal or
 * theme = mono), which attributes stand in for it.  Everything on screen is
 * drawn through a role, so a theme is one column of this table and states
 * stay distinguishable in monochrome.
 */
#ifndef DPD_TUI_THEME_H
#define DPD_TUI_THEME_H

#include <curses.h>
#include <stdbool.h>

#include "backend/core/model.h"
#include "config/config.h"

/*
 * X(ROLE, dark fg, dark bg, light fg, light bg, colour attrs, mono attrs)
 * -1 is the terminal's own colour (use_default_colors), so the grid sits on
 * whatever background the user chose.
 */
#define UI_ROLE_TABLE(X) \
	X(UI_ROLE_NORMAL,        -1,            -1,          -1,            -1,          A_NORMAL,           A_NORMAL) \
	X(UI_ROLE_DIM,           -1,            -1,          -1,            -1,          A_DIM,              A_DIM) \
	X(UI_ROLE_TITLE,         COLOR_CYAN,    -1,          COLOR_BLUE,    -1,          A_BOLD,             A_BOLD) \
	X(UI_ROLE_HEADER,        -1,            -1,          -1,            -1,          A_NORMAL,           A_NORMAL) \
	X(UI_ROLE_SELECT,        COLOR_BLACK,   COLOR_CYAN,  COLOR_WHITE,   COLOR_BLUE,  A_NORMAL,           A_REVERSE) \
	X(UI_ROLE_CURSOR,        -1,            -1,          -1,            -1,          A_REVERSE | A_BOLD, A_REVERSE | A_BOLD) \
	X(UI_ROLE_BORDER,        COLOR_CYAN,    -1,          COLOR_BLUE,    -1,          A_NORMAL,           A_NORMAL) \
	X(UI_ROLE_KEY,           COLOR_YELLOW,  -1,          COLOR_MAGENTA, -1,          A_BOLD,             A_BOLD) \
	X(UI_ROLE_SECTION,       COLOR_CYAN,    -1,          COLOR_BLUE,    -1,          A_BOLD,             A_BOLD | A_UNDERLINE) \
	X(UI_ROLE_INFO,          COLOR_GREEN,   -1,          COLOR_GREEN,   -1,          A_NORMAL,           A_NORMAL) \
	X(UI_ROLE_WARNING,       COLOR_YELLOW,  -1,          COLOR_MAGENTA, -1,          A_BOLD,             A_BOLD) \
	X(UI_ROLE_ERROR,         COLOR_RED,     -1,          COLOR_RED,     -1,          A_BOLD,             A_BOLD | A_REVERSE) \
	X(UI_ROLE_PROMPT,        COLOR_YELLOW,  -1,          COLOR_MAGENTA, -1,          A_BOLD,             A_BOLD) \
	X(UI_ROLE_STATE_NONE,    -1,            -1,          -1,            -1,          A_DIM,              A_DIM) \
	X(UI_ROLE_STATE_OK,      COLOR_GREEN,   -1,          COLOR_GREEN,   -1,          A_NORMAL,           A_NORMAL) \
	X(UI_ROLE_STATE_WAIT,    COLOR_CYAN,    -1,          COLOR_BLUE,    -1,          A_NORMAL,           A_UNDERLINE) \
	X(UI_ROLE_STATE_WARN,    COLOR_YELLOW,  -1,          COLOR_MAGENTA, -1,          A_BOLD,             A_BOLD) \
	X(UI_ROLE_STATE_FAIL,    COLOR_RED,     -1,          COLOR_RED,     -1,          A_BOLD,             A_BOLD | A_REVERSE) \
	X(UI_ROLE_STATE_BUSY,    COLOR_MAGENTA, -1,          COLOR_CYAN,    -1,          A_NORMAL,           A_BOLD | A_UNDERLINE) \
	X(UI_ROLE_STATE_UNKNOWN, COLOR_WHITE,   COLOR_RED,   COLOR_WHITE,   COLOR_RED,   A_BOLD,             A_REVERSE | A_UNDERLINE)

enum ui_role {
#define X(role, ...) role,
	UI_ROLE_TABLE(X)
#undef X
	UI_ROLE_COUNT,
};

/* Call after the screen is set up.  Mono when the theme says so, when
 * NO_COLOR is set to anything non-empty, or when the terminal has no
 * colours.  Returns true when colours are in use. */
bool theme_init(enum config_theme theme);
/* The attributes (colour pair included) to draw a role with.  `cross` asks
 * for the crosshair variant: the cursor's row and column in the grid. */
attr_t theme_attr(enum ui_role role, bool cross);
/* The role that draws a cell state (STATE_NONE: no cell). */
enum ui_role theme_state_role(unsigned state);
bool theme_has_colour(void);

#endif
