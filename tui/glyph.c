/*
 * Glyph sets.  Two fixed tables, picked once: htop and tig do the same and
 * both survive terminals without UTF-8; btop refuses to start instead and
 * has collected years of bug reports for it.
 */
#include "config.h"
#include "tui/glyph.h"
#include "backend/model.h"

#include <langinfo.h>
#include <string.h>
#include <strings.h>

static const char *const spinner_utf8[] = {
	"\u280b", "\u2819", "\u2839", "\u2838", "\u283c", "\u2834", "\u2826", "\u2827",
	"\u2807", "\u280f",
};
static const char *const spinner_ascii[] = { "|", "/", "-", "\\" };

static struct glyphs current;

bool
glyph_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs != NULL && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "UTF8") == 0);
}

static void
glyph_set_utf8(struct glyphs *g)
{
	g->utf8 = true;
	g->none = "\u00b7";
	g->ellipsis = "\u2026";
	g->sep = " \u00b7 ";
	g->times = "\u00d7";
	g->up = "\u2191";
	g->down = "\u2193";
	g->left = "\u2190";
	g->right = "\u2192";
	g->spinner = spinner_utf8;
	g->nspinner = (int)(sizeof spinner_utf8 / sizeof spinner_utf8[0]);
	g->vline = "\u2502";
	g->hline = "\u2500";
	g->ulcorner = "\u250c";
	g->urcorner = "\u2510";
	g->llcorner = "\u2514";
	g->lrcorner = "\u2518";
}

static void
glyph_set_ascii(struct glyphs *g)
{
	g->utf8 = false;
	g->none = ".";
	g->ellipsis = "~";
	g->sep = " - ";
	g->times = "x";
	g->up = "Up";
	g->down = "Down";
	g->left = "Left";
	g->right = "Right";
	g->spinner = spinner_ascii;
	g->nspinner = (int)(sizeof spinner_ascii / sizeof spinner_ascii[0]);
	g->vline = "|";
	g->hline = "-";
	g->ulcorner = "+";
	g->urcorner = "+";
	g->llcorner = "+";
	g->lrcorner = "+";
}

void
glyph_init(enum config_glyphs mode)
{
	bool utf8 = mode == CONFIG_GLYPHS_UTF8 ||
	    (mode == CONFIG_GLYPHS_AUTO && glyph_locale_utf8());
	if (utf8)
		glyph_set_utf8(&current);
	else
		glyph_set_ascii(&current);
}

const struct glyphs *
glyph(void)
{
	return &current;
}

const char *
glyph_state(unsigned state)
{
	if (state == STATE_NONE)
		return current.none;
	const struct state_info *si = state_info(state);
	return current.utf8 ? si->glyph_utf8 : si->glyph_ascii;
}
