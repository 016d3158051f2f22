/*
 * The confirmation dialog (see dialog.h).  Its body is styled text, so it
 * wraps and scrolls like the help and the detail pane; the box is as tall
 * as its text, within the body rows, and at most 76 columns wide so it
 * reads as a question, not as another screen.  An input line, when the
 * owner gave one, sits between the text and the choices and owns the
 * terminal cursor.
 */
#include "autoconf.h"
#include "tui/dialog.h"
#include "tui/draw.h"
#include "tui/scroll.h"
#include "tui/ui.h"
#include "tui/view_ops.h"
#include "backend/core/util.h"

#include <curses.h>
#include <stdlib.h>

#define DIALOG_MAX_W 76

struct dialog {
	char *title;
	struct text body;
	const struct dialog_choice *choices;
	size_t nchoices;
	dialog_fn fn;
	void *arg;
	struct scroll scroll;
	struct prompt *input;  /* the owner's, or NULL */
	int cur_y, cur_x;      /* the input's insertion point as last drawn */
};

static void
dialog_close(struct ui *u)
{
	struct dialog *d = u->dialog;
	if (d == NULL)
		return;
	text_free(&d->body);
	free(d->title);
	free(d);
	u->dialog = NULL;
	u->dirty |= UI_DIRTY_ALL;
}

struct text *
dialog_open(struct ui *u, const char *title, const struct dialog_choice *choices,
    size_t nchoices, dialog_fn fn, void *arg)
{
	dialog_close(u);
	struct dialog *d = xcalloc(1, sizeof *d);
	d->title = xstrdup(title);
	text_init(&d->body);
	scroll_init(&d->scroll);
	d->choices = choices;
	d->nchoices = nchoices;
	d->fn = fn;
	d->arg = arg;
	u->dialog = d;
	u->dirty |= UI_DIRTY_ALL;
	return &d->body;
}

bool
dialog_active(const struct ui *u)
{
	return u->dialog != NULL;
}

void
dialog_set_input(struct ui *u, struct prompt *p)
{
	if (u->dialog == NULL)
		return;
	u->dialog->input = p;
	u->dialog->cur_y = -1;
	u->dirty |= UI_DIRTY_ALL;
}

bool
dialog_cursor(const struct ui *u, int *y, int *x)
{
	const struct dialog *d = u->dialog;
	if (d == NULL || d->input == NULL || d->cur_y < 0)
		return false;
	*y = d->cur_y;
	*x = d->cur_x;
	return true;
}

/* Close, then answer: the callback may open the next dialog. */
static void
dialog_answer(struct ui *u, enum key_action answer)
{
	dialog_fn fn = u->dialog->fn;
	void *arg = u->dialog->arg;
	dialog_close(u);
	fn(u, answer, arg);
}

/* A key for the input line: the answer goes out on Enter or Esc. */
static void
dialog_input_key(struct ui *u, int key)
{
	enum prompt_result r = prompt_key(u->dialog->input, key);
	if (r == PROMPT_EDITING) {
		u->dirty |= UI_DIRTY_BODY;
		return;
	}
	dialog_answer(u, r == PROMPT_ACCEPTED ? KEY_ACTION_PROMPT_ACCEPT :
	    KEY_ACTION_PROMPT_CANCEL);
}

/* The choice an action of the dialog context gives, or NULL. */
static const struct dialog_choice *
dialog_choice_for(const struct dialog *d, enum key_action a)
{
	unsigned keys = a == KEY_ACTION_ACCEPT ? DIALOG_ENTER : a == KEY_ACTION_CLOSE ?
	    DIALOG_ESC : 0;
	for (size_t i = 0; i < d->nchoices; i++)
		if (keys != 0 ? (d->choices[i].keys & keys) != 0 : d->choices[i].answer == a)
			return &d->choices[i];
	return NULL;
}

static enum view_key
dialog_key(struct ui *u, enum key_action a, int key)
{
	struct dialog *d = u->dialog;
	if (d == NULL)
		return VIEW_KEY_DONE;
	u->dirty |= UI_DIRTY_ALL;
	if (d->input != NULL) {
		dialog_input_key(u, key);
		return VIEW_KEY_DONE;
	}
	if (a == KEY_ACTION_PAGE_UP || a == KEY_ACTION_PAGE_DOWN) {
		scroll_pages(&d->scroll, a == KEY_ACTION_PAGE_UP ? -1 : 1);
		return VIEW_KEY_DONE;
	}
	const struct dialog_choice *c = dialog_choice_for(d, a);
	if (c != NULL)
		dialog_answer(u, c->answer);
	return VIEW_KEY_DONE;
}

/* The choices' labels on one line. */
static void
dialog_choices(const struct dialog *d, struct text *t)
{
	text_newline(t);
	for (size_t i = 0; i < d->nchoices; i++) {
		text_add(t, UI_ROLE_KEY, d->choices[i].label);
		text_add(t, UI_ROLE_NORMAL, "  ");
	}
}

/* The box's width on this screen. */
static int
dialog_width(void)
{
	return COLS - 4 < DIALOG_MAX_W ? COLS - 4 : DIALOG_MAX_W;
}

int
dialog_text_width(void)
{
	return dialog_width() - 4;
}

static bool
dialog_draw(struct ui *u, int y, int h, int64_t now)
{
	struct dialog *d = u->dialog;
	(void)now;
	if (d == NULL || h < 5)
		return true;
	int w = dialog_width();
	struct text ch;
	text_init(&ch);
	dialog_choices(d, &ch);
	/* Borders, a blank line, the choices; the input and its blank line. */
	int extra = d->input != NULL ? 2 : 0;
	int want = (int)d->body.n + 4 + extra;
	int bh = want < h ? want : h;
	int by = y + (h - bh) / 2, bx = (COLS - w) / 2;
	attr_t normal = theme_attr(UI_ROLE_NORMAL, false);
	for (int i = 0; i < bh; i++)
		draw_fill(stdscr, by + i, bx, w, normal);
	draw_box(stdscr, by, bx, bh, w, theme_attr(UI_ROLE_WARNING, false));
	char title[160];
	draw_text_fit(stdscr, by, bx + 2, w - 4, theme_attr(UI_ROLE_TITLE, false),
	    draw_fmt(title, sizeof title, " %s ", d->title));
	text_draw(&d->body, stdscr, by + 1, bx + 2, bh - 4 - extra, w - 4, &d->scroll);
	if (d->input != NULL) {
		prompt_draw(d->input, stdscr, by + bh - 4, bx + 2, w - 4);
		getyx(stdscr, d->cur_y, d->cur_x);
	}
	text_draw(&ch, stdscr, by + bh - 2, bx + 2, 1, w - 4, NULL);
	text_free(&ch);
	return true;
}

static void
dialog_free(struct ui *u)
{
	dialog_close(u);
}

const struct view_ops dialog_view = {
	.ctx = KEYMAP_CTX_DIALOG,
	.flags = VIEW_OVERLAY,
	.draw = dialog_draw,
	.key = dialog_key,
	.free = dialog_free,
};
