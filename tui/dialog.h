/*
 * The one confirmation dialog: a box over the body with a title, lines of
 * text and a row of choices, each answered by one key.  The repair wizard
 * asks with it (start a group, a large batch, a changed target) and so does
 * the start-up prompt for unfinished repair steps, and an ssh server's
 * questions (a password, in a one-line input above the choices).  While it
 * is open it takes every key; the choice goes to the owner's callback, and
 * the owner may open the next dialog from inside that callback.
 */
#ifndef DPD_TUI_DIALOG_H
#define DPD_TUI_DIALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/prompt.h"
#include "tui/text.h"

struct ui;

/* A key and the answer it gives.  label NULL: an alias (Enter, Esc) that
 * is not drawn; the drawn labels say which one is the default. */
struct dialog_choice {
	int key;
	int answer;
	const char *label;   /* "[y]es", "[N]o" */
};

typedef void (*dialog_fn)(struct ui *u, int answer, void *arg);

/* Open (replacing any open dialog, which gets no answer) and return the
 * body for the caller to fill.  choices must outlive the dialog. */
struct text *dialog_open(struct ui *u, const char *title,
    const struct dialog_choice *choices, size_t nchoices, dialog_fn fn, void *arg);
bool dialog_active(const struct ui *u);
/* Give the open dialog a one-line input (the owner's, opened) above its
 * choices: every key goes to it, Enter answers 1 and Esc answers 0.  The
 * owner reads and wipes p in its callback. */
void dialog_set_input(struct ui *u, struct prompt *p);
/* Where the input's insertion point was drawn; false without an input. */
bool dialog_cursor(const struct ui *u, int *y, int *x);
/* Feed a key while active; PgUp/PgDn scroll a long body. */
void dialog_key(struct ui *u, int key);
/* How wide a line of a dialog's body may be on this screen (for
 * text_wrap of what goes into it). */
int dialog_text_width(void);
/* Draw over the body rows [y, y + h). */
void dialog_draw(struct ui *u, int y, int h);
void dialog_free(struct ui *u);

#endif
