/*
 * The one scrolling position every list and text view keeps: the help, the
 * log, the journal, the detail pane, the wizard's pages and the dialogs'
 * bodies move through their lines with the same keys and the same page
 * size, so the helpers live here once instead of in each screen (tmux's
 * mode-tree and tig's view do the same for their modes).
 */
#ifndef DPD_TUI_SCROLL_H
#define DPD_TUI_SCROLL_H

#include <stdbool.h>

#include "tui/keymap.h"

struct scroll {
	int top;      /* first line shown */
	int cursor;   /* the line pointed at (a search match); -1: none */
	int height;   /* lines shown in the last frame */
	int total;    /* lines the content had in the last frame */
	int keep;     /* lines a page keeps in sight beyond the usual one */
};

/* At the top, pointing at nothing. */
void scroll_init(struct scroll *s);
/* Content is rebuilt for every frame, so its far end is only known when
 * it is drawn: moving clamps at the first line, and the draw (scroll_fit,
 * or text_draw) clamps at the last page. */
void scroll_lines(struct scroll *s, long n);
/* n pages; a page is the height less one line (less `keep` more). */
void scroll_pages(struct scroll *s, int n);
void scroll_home(struct scroll *s);
void scroll_end(struct scroll *s);
/* Up, Down, PgUp, PgDn, Home and End; false for any other action. */
bool scroll_action(struct scroll *s, enum key_action a);
/* Lines of a page step (at least one). */
int scroll_page_size(const struct scroll *s);
/* The frame: `height` lines shown of `total`; top is clamped so the view
 * never scrolls past the end. */
void scroll_fit(struct scroll *s, int height, int total);
/* Bring line i into sight, centred when it has to move. */
void scroll_show(struct scroll *s, int i);

#endif
