/*
 * Glyph sets.  Two fixed tables, picked once: htop and tig do the same and
 * both survive terminals without UTF-8; btop refuses to start instead and
 * has collected years of bug reports for it.
 */
#include "autoconf.h"
#include "tui/glyph.h"
#include "backend/core/model.h"

#include <langinfo.h>
#include <string.h>
#include <strings.h>

static const char *const spinner_utf8[] = {
	"\u280b", "\u2819", "\u2839", "\u2838", "\u283c", "\u2834", "\u2826", "\u2827",
	"\u2807", "\u280f",
};
static const char *const spinner_ascii[] = { "|", "/", "-", "\\" };

static const struct glyphs glyphs_utf8 = {
	.utf8 = true,
	.none = "\u00b7", .ellipsis = "\u2026", .sep = " \u00b7 ", .times = "\u00d7",
	.up = "\u2191", .down = "\u2193", .left = "\u2190", .right = "\u2192",
	.spinner = spinner_utf8,
	.nspinner = (int)(sizeof spinner_utf8 / sizeof spinner_utf8[0]),
	.vline = "\u2502", .hline = "\u2500",
	.ulcorner = "\u250c", .urcorner = "\u2510", .llcorner = "\u2514", .lrcorner = "\u2518",
};

static const struct glyphs glyphs_ascii = {
	.utf8 = false,
	.none = ".", .ellipsis = "~", .sep = " - ", .times = "x",
	.up = "Up", .down = "Down", .left = "Left", .right = "Right",
	.spinner = spinner_ascii,
	.nspinner = (int)(sizeof spinner_ascii / sizeof spinner_ascii[0]),
	.vline = "|", .hline = "-",
	.ulcorner = "+", .urcorner = "+", .llcorner = "+", .lrcorner = "+",
};

static const struct glyphs *current = &glyphs_ascii;

bool
glyph_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs != NULL && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "UTF8") == 0);
}

void
glyph_init(enum config_glyphs mode)
{
	bool utf8 = mode == CONFIG_GLYPHS_UTF8 ||
	    (mode == CONFIG_GLYPHS_AUTO && glyph_locale_utf8());
	current = utf8 ? &glyphs_utf8 : &glyphs_ascii;
}

const struct glyphs *
glyph(void)
{
	return current;
}

const char *
glyph_state(unsigned state)
{
	if (state == STATE_NONE)
		return current->none;
	const struct state_info *si = state_info(state);
	return current->utf8 ? si->glyph_utf8 : si->glyph_ascii;
}
