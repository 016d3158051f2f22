/*
 * Help text.  Keys bound to the same action next to each other in the
 * keymap share one line ("↑ k  previous package"); the legend walks the
 * STATE_TABLE so a new state shows up here without anyone remembering to.
 * In read-only mode the bindings that would change a server are listed as
 * disabled rather than hidden.
 */
#include "autoconf.h"
#include "tui/help.h"
#include "tui/draw.h"
#include "tui/glyph.h"
#include "tui/keymap.h"
#include "tui/ui.h"
#include "tui/view_ops.h"
#include "backend/core/model.h"
#include "backend/core/util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define HELP_KEYS_W 18
#define HELP_LABEL_W 12

/* Whether the space-separated list holds the key name. */
static bool
help_has_key(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* One help line for entries [i, j): the keys, then the description. */
static void
help_binding(struct text *t, const struct keymap_entry *e, size_t i, size_t j, int width,
    bool read_only)
{
	struct buf keys;
	buf_init(&keys);
	buf_adds(&keys, "");
	for (size_t k = i; k < j; k++) {
		char name[32];
		const char *n = keymap_key_name(e[k].key, name, sizeof name);
		/* "Enter" is bound as \n, \r and KEY_ENTER: list it once. */
		if (help_has_key(keys.data, n))
			continue;
		if (keys.len > 0)
			buf_addc(&keys, ' ');
		buf_adds(&keys, n);
	}
	text_newline(t);
	text_add(t, UI_ROLE_NORMAL, "  ");
	text_add(t, UI_ROLE_KEY, keys.data);
	int pad = HELP_KEYS_W - draw_width(keys.data);
	text_addf(t, UI_ROLE_NORMAL, "%*s", pad > 1 ? pad : 1, "");
	/* Read-only: the repair keys stay listed, so the user learns why R
	 * does nothing, but say they are off. */
	bool off = read_only && keymap_action_repairs(e[i].ctx, e[i].action);
	char *what = xasprintf("%s%s", e[i].help ? e[i].help : "",
	    off ? " (disabled: read-only)" : "");
	text_wrap(t, off ? UI_ROLE_DIM : UI_ROLE_NORMAL, what, width, HELP_KEYS_W + 2);
	free(what);
	buf_free(&keys);
}

static void
help_keys(struct text *t, int width, bool read_only)
{
	size_t n;
	const struct keymap_entry *e = keymap_entries(&n);
	for (int ctx = 0; ctx < KEYMAP_CTX_COUNT; ctx++) {
		text_newline(t);
		text_newline(t);
		text_add(t, UI_ROLE_SECTION, keymap_ctx_title((enum keymap_ctx)ctx));
		for (size_t i = 0; i < n;) {
			if (e[i].ctx != (enum keymap_ctx)ctx) {
				i++;
				continue;
			}
			size_t j = i + 1;
			while (j < n && e[j].ctx == e[i].ctx && e[j].action == e[i].action)
				j++;
			help_binding(t, e, i, j, width, read_only);
			i = j;
		}
	}
}

static void
help_state(struct text *t, const char *glyph_s, enum ui_role role, const char *label,
    const char *name, const char *meaning, int width)
{
	text_newline(t);
	text_add(t, UI_ROLE_NORMAL, "  ");
	text_add(t, role, glyph_s);
	text_addf(t, role, " %-*s", HELP_LABEL_W, label);
	text_addf(t, UI_ROLE_DIM, "%-20s", name);
	text_wrap(t, UI_ROLE_NORMAL, meaning, width, 2 + 2 + HELP_LABEL_W + 20);
}

static void
help_legend(struct text *t, int width)
{
	text_newline(t);
	text_newline(t);
	text_add(t, UI_ROLE_SECTION, "States (one glyph and colour per cell)");
	for (unsigned v = 0; v < STATE_COUNT; v++) {
		const struct state_info *si = state_info(v);
		help_state(t, glyph_state(v), theme_state_role(v), si->label, si->name,
		    si->meaning, width);
	}
	help_state(t, glyph_state(STATE_NONE), UI_ROLE_STATE_NONE, "-", "not targeted",
	    "SMS has no status row: the package is not sent to this DP.", width);
	const struct state_info *unk = state_info(STATE_COUNT);
	help_state(t, glyph_state(STATE_COUNT), UI_ROLE_STATE_UNKNOWN, unk->label, unk->name,
	    unk->meaning, width);
	text_newline(t);
	text_newline(t);
	text_wrap(t, UI_ROLE_NORMAL, "States 1-6 are problems. 7 and 8 are work in "
	    "progress (ConfigMgr current branch), not failures. The default view is the "
	    "query State != 0: only packages and DPs with a problem; a shows all. The "
	    "cursor cell is drawn [like this] and its row and column are highlighted.",
	    width, 0);
}

void
help_build(struct text *t, int width, bool read_only)
{
	text_newline(t);
	text_add(t, UI_ROLE_TITLE, "dpdoctor help");
	text_add(t, UI_ROLE_DIM, "  (generated from the key bindings; here q or Esc closes "
	    "the help, F10 quits)");
	help_keys(t, width, read_only);
	help_legend(t, width);
}

/*
 * The view.
 */

static bool
help_open(struct ui *u)
{
	scroll_init(&u->help);
	return true;
}

static bool
help_draw(struct ui *u, int y, int h, int64_t now)
{
	struct text t;
	(void)now;
	text_init(&t);
	help_build(&t, COLS - 4, u->opt->read_only);
	text_draw(&t, stdscr, y, 2, h, COLS - 4, &u->help);
	text_free(&t);
	return true;
}

static enum view_key
help_key(struct ui *u, enum key_action a, int key)
{
	(void)key;
	if (!scroll_action(&u->help, a))
		return VIEW_KEY_PASS;
	u->dirty |= UI_DIRTY_BODY;
	return VIEW_KEY_DONE;
}

const struct view_ops help_view = {
	.ctx = KEYMAP_CTX_HELP,
	.hint = "j k PgUp PgDn g G scroll  q/Esc close help",
	.open = help_open,
	.draw = help_draw,
	.key = help_key,
};
