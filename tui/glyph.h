/*
 * Which characters the UI draws with: the UTF-8 glyphs of the state table
 * when the locale's codeset is UTF-8 (or the configuration insists), else
 * the ASCII ones, and line drawing to match.  Chosen once at start-up, like
 * htop's tree characters, so no drawing code has to ask again.
 */
#ifndef DPD_TUI_GLYPH_H
#define DPD_TUI_GLYPH_H

#include <stdbool.h>

#include "config/config.h"

struct glyphs {
	bool utf8;
	const char *none;      /* a cell that does not exist: not targeted */
	const char *ellipsis;  /* marks truncated text */
	const char *sep;       /* between header items */
	const char *times;     /* package x DP */
	const char *up, *down, *left, *right;
	const char *const *spinner;
	int nspinner;
	/* Line drawing: Unicode box characters in UTF-8 mode, plain ASCII
	 * otherwise.  Never ACS: with a UTF-8 locale, terminals and tmux
	 * disagree about vt100 alternate character sets (lines come out as
	 * "qqqq"), and in ASCII mode ACS would put non-ASCII on screen. */
	const char *vline, *hline, *ulcorner, *urcorner, *llcorner, *lrcorner;
};

/* Decide from the option and the locale; call after setlocale(). */
void glyph_init(enum config_glyphs mode);
const struct glyphs *glyph(void);
/* The glyph of a cell state (STATE_NONE: no cell). */
const char *glyph_state(unsigned state);
/* True when the locale's codeset is UTF-8. */
bool glyph_locale_utf8(void);

#endif
