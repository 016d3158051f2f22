/*
 * The one confirmation dialog: a box over the body with a title, lines of
 * text and a row of choices.  The repair wizard asks with it (start a
 * group, a large batch, a changed target) and so does the start-up prompt
 * for unfinished repair steps, and an ssh server's questions (a password,
 * in a one-line input above the choices).  While it is open it is the top
 * layer of the screen (its view_ops are dialog_view) and takes every key.
 * Which key gives which answer comes from the keymap's dialog context, the
 * same for every question: y is yes wherever yes is a choice, Enter gives
 * the choice marked DIALOG_ENTER (drawn in capitals: [N]o), Esc the one
 * marked DIALOG_ESC.  The answer goes to the owner's callback, which may
 * open the next dialog from inside it.
 */
#ifndef DPD_TUI_DIALOG_H
#define DPD_TUI_DIALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/keymap.h"
#include "tui/prompt.h"
#include "tui/text.h"

struct ui;
struct view_ops;

/* Which of a dialog's choices Enter and Esc give. */
#define DIALOG_ENTER 0x1   /* the default: its label capitalises its key */
#define DIALOG_ESC 0x2     /* the cautious one */

/* An answer: the action its keys are bound to in the dialog context
 * (KEY_ACTION_YES, _NO, _ALL, ...), and how it is drawn. */
struct dialog_choice {
	enum key_action answer;
	const char *label;   /* "[y]es", "[N]o" */
	unsigned keys;       /* DIALOG_ENTER, DIALOG_ESC */
};

/* The answer given; with an input line, KEY_ACTION_PROMPT_ACCEPT (Enter)
 * or KEY_ACTION_PROMPT_CANCEL (Esc). */
typedef void (*dialog_fn)(struct ui *u, enum key_action answer, void *arg);

/* Open (replacing any open dialog, which gets no answer) and return the
 * body for the caller to fill.  choices must outlive the dialog. */
struct text *dialog_open(struct ui *u, const char *title,
    const struct dialog_choice *choices, size_t nchoices, dialog_fn fn, void *arg);
bool dialog_active(const struct ui *u);
/* Give the open dialog a one-line input (the owner's, opened) above its
 * choices: every key goes to it, and Enter or Esc answer (the prompt's
 * keys).  The owner reads and wipes p in its callback. */
void dialog_set_input(struct ui *u, struct prompt *p);
/* Where the input's insertion point was drawn; false without an input. */
bool dialog_cursor(const struct ui *u, int *y, int *x);
/* How wide a line of a dialog's body may be on this screen (for
 * text_wrap of what goes into it). */
int dialog_text_width(void);

/* The open dialog as a layer of the screen (tui/view_ops.h): drawn over
 * the body, taking every key. */
extern const struct view_ops dialog_view;

#endif
