/*
 * Colour roles to curses attributes.  Each role gets two colour pairs: the
 * plain one and the crosshair one (same foreground over a tinted
 * background) so the cursor's row and column can be highlighted without
 * losing the state colour.  Without colour the mono column of the role
 * table applies, and the crosshair becomes bold, which turns the dim
 * "not targeted" dots of the cursor's row and column into a visible line.
 */
#include "autoconf.h"
#include "tui/theme.h"

#include <stdlib.h>

struct role_style {
	short fg[2], bg[2]; /* [dark, light] */
	attr_t colour_attr;
	attr_t mono_attr;
};

static const struct role_style roles[UI_ROLE_COUNT] = {
#define X(role, dfg, dbg, lfg, lbg, cattr, mattr) \
	[role] = { { dfg, lfg }, { dbg, lbg }, cattr, mattr },
	UI_ROLE_TABLE(X)
#undef X
};

/* The crosshair tint: a dark or light grey where the terminal has 256
 * colours, else the nearest of the eight. */
static const short cross_bg_256[2] = { 236, 254 };
static const short cross_bg_8[2] = { COLOR_BLUE, COLOR_WHITE };

static bool use_colour;
static int theme_index; /* 0 dark, 1 light */

static const enum ui_role state_roles[] = {
	[ROLE_NONE] = UI_ROLE_STATE_NONE,
	[ROLE_OK] = UI_ROLE_STATE_OK,
	[ROLE_WAIT] = UI_ROLE_STATE_WAIT,
	[ROLE_WARN] = UI_ROLE_STATE_WARN,
	[ROLE_FAIL] = UI_ROLE_STATE_FAIL,
	[ROLE_BUSY] = UI_ROLE_STATE_BUSY,
	[ROLE_UNKNOWN] = UI_ROLE_STATE_UNKNOWN,
};

static bool
theme_no_color_env(void)
{
	const char *v = getenv("NO_COLOR");
	return v != NULL && *v != '\0';
}

/* Pair numbers: 1 + 2*role (+1 for the crosshair variant). */
static short
theme_pair(enum ui_role role, bool cross)
{
	return (short)(1 + 2 * (int)role + (cross ? 1 : 0));
}

static bool
theme_make_pairs(void)
{
	if (COLOR_PAIRS < 1 + 2 * UI_ROLE_COUNT)
		return false;
	short cross_bg = COLORS >= 256 ? cross_bg_256[theme_index] : cross_bg_8[theme_index];
	for (int r = 0; r < UI_ROLE_COUNT; r++) {
		const struct role_style *s = &roles[r];
		short bg = s->bg[theme_index];
		if (init_pair(theme_pair((enum ui_role)r, false), s->fg[theme_index], bg) == ERR)
			return false;
		/* Roles with their own background keep it under the crosshair. */
		if (init_pair(theme_pair((enum ui_role)r, true), s->fg[theme_index],
		    bg >= 0 ? bg : cross_bg) == ERR)
			return false;
	}
	return true;
}

bool
theme_init(enum config_theme theme)
{
	use_colour = false;
	theme_index = theme == CONFIG_THEME_LIGHT ? 1 : 0;
	if (theme == CONFIG_THEME_MONO || theme_no_color_env() || !has_colors())
		return false;
	if (start_color() == ERR)
		return false;
	/* Without default-colour support, -1 is not a colour: stay mono rather
	 * than paint a black box on someone's light terminal. */
	if (use_default_colors() == ERR)
		return false;
	use_colour = theme_make_pairs();
	return use_colour;
}

bool
theme_has_colour(void)
{
	return use_colour;
}

attr_t
theme_attr(enum ui_role role, bool cross)
{
	if ((unsigned)role >= UI_ROLE_COUNT)
		role = UI_ROLE_NORMAL;
	if (!use_colour) {
		attr_t a = roles[role].mono_attr;
		if (cross)
			a = (a & ~(attr_t)A_DIM) | A_BOLD;
		return a;
	}
	return roles[role].colour_attr | (attr_t)COLOR_PAIR(theme_pair(role, cross));
}

enum ui_role
theme_state_role(unsigned state)
{
	if (state == STATE_NONE)
		return UI_ROLE_STATE_NONE;
	enum state_role r = state_info(state)->role;
	if ((unsigned)r >= sizeof state_roles / sizeof state_roles[0])
		return UI_ROLE_STATE_UNKNOWN;
	return state_roles[r];
}
