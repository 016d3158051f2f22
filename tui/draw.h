/*
 * Drawing primitives shared by every view: text clipped to a width in
 * display columns (not bytes), safe against whatever a server sent us, and
 * boxes in the current glyph set.
 */
#ifndef DPD_TUI_DRAW_H
#define DPD_TUI_DRAW_H

#include <curses.h>

/* Draw UTF-8 text at (y, x) in at most w columns; returns the columns used.
 * Control characters and bytes the locale cannot decode are drawn as '?',
 * so nothing a remote host sends can move the cursor or change modes. */
int draw_text(WINDOW *win, int y, int x, int w, attr_t attr, const char *s);
/* Same, but text that does not fit ends with the ellipsis glyph. */
int draw_text_fit(WINDOW *win, int y, int x, int w, attr_t attr, const char *s);
/* Display width of s as draw_text would draw it. */
int draw_width(const char *s);
/* Byte length of the longest prefix of s that fits in w columns. */
size_t draw_prefix(const char *s, int w);
void draw_fill(WINDOW *win, int y, int x, int w, attr_t attr);
void draw_hline(WINDOW *win, int y, int x, int w, attr_t attr);
void draw_vline(WINDOW *win, int y, int x, int h, attr_t attr);
void draw_box(WINDOW *win, int y, int x, int h, int w, attr_t attr);
/* printf into a caller buffer; returns buf (never fails, truncates). */
char *draw_fmt(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
