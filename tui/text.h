/*
 * Styled text and a scrolling view of it: lines made of spans, each span
 * drawn in a colour role.  The help, the detail pane, the journal, the
 * wizard's pages and the dialogs build their content as text and let this
 * module clip and draw it at their scroll position (tui/scroll.h), so there
 * is one scrolling text view in the program, not one per screen.
 */
#ifndef DPD_TUI_TEXT_H
#define DPD_TUI_TEXT_H

#include <curses.h>
#include <stddef.h>

#include "tui/scroll.h"
#include "tui/theme.h"

struct text_span {
	enum ui_role role;
	char *s;
};

struct text_line {
	struct text_span *spans;
	size_t n, cap;
};

struct text {
	struct text_line *lines;
	size_t n, cap;
};

void text_init(struct text *t);
void text_free(struct text *t);
/* Start a new (empty) line. */
void text_newline(struct text *t);
/* Append to the current line (starting one if there is none). */
void text_add(struct text *t, enum ui_role role, const char *s);
void text_addf(struct text *t, enum ui_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Append s word-wrapped: continues the current line, then breaks into new
 * lines that start with `indent` spaces, none wider than width columns. */
void text_wrap(struct text *t, enum ui_role role, const char *s, int width, int indent);
/* Display width of a line. */
int text_line_width(const struct text_line *l);

/* Draw h lines from s's top into the area, after recording the frame in s
 * (scroll_fit: the view never scrolls past the end); s NULL: from the
 * first line. */
void text_draw(const struct text *t, WINDOW *win, int y, int x, int h, int w, struct scroll *s);

#endif
