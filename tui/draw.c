/*
 * Width-aware text output.  Names, paths and error messages come from SMS
 * and from remote hosts, so every string is decoded with the locale's
 * mbrtowc() and measured with wcwidth(); anything undecodable or a control
 * character is drawn as the command line prints it (text_visible(): "\x1b",
 * "\x9b", "\xff"), so what a view shows and what `history` or `log` print
 * agree, and nothing on screen was drawn by a control byte.
 */
#include "autoconf.h"
#include "tui/draw.h"
#include "tui/glyph.h"
#include "backend/core/util.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

/* One decoded character: its byte length and width; `bad` when it must be
 * drawn as its visible form `show` (ASCII, as wide as it is long). */
struct draw_ch {
	size_t len;
	int width;
	bool bad;
	char show[8];
};

/* A character that is not drawn as it is: shown by the one rule. */
static struct draw_ch
draw_bad(const char *s, size_t len)
{
	struct draw_ch c = { len, 0, true, "" };
	/* An undecodable byte alone; a control character all its bytes. */
	size_t took = text_visible_one(s, len, c.show);
	if (took != len || (unsigned char)c.show[0] >= 0x80) {
		/* The locale and UTF-8 disagree on it: show its first byte. */
		c.len = 1;
		(void)snprintf(c.show, sizeof c.show, "\\x%02x", (unsigned char)s[0]);
	}
	c.width = (int)strlen(c.show);
	return c;
}

static struct draw_ch
draw_next(const char *s, mbstate_t *st)
{
	wchar_t wc;
	size_t n = mbrtowc(&wc, s, strnlen(s, MB_LEN_MAX), st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		memset(st, 0, sizeof *st);
		return draw_bad(s, 1);
	}
	if (wc < 0x20 || (wc >= 0x7f && wc < 0xa0))
		return draw_bad(s, n);
	int w = wcwidth(wc);
	if (w < 0)
		return draw_bad(s, n);
	return (struct draw_ch){ n, w, false, "" };
}

int
draw_width(const char *s)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	int w = 0;
	while (*s) {
		struct draw_ch c = draw_next(s, &st);
		w += c.width;
		s += c.len;
	}
	return w;
}

size_t
draw_prefix(const char *s, int w)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	const char *p = s;
	int used = 0;
	while (*p) {
		struct draw_ch c = draw_next(p, &st);
		if (used + c.width > w)
			break;
		used += c.width;
		p += c.len;
	}
	return (size_t)(p - s);
}

int
draw_text(WINDOW *win, int y, int x, int w, attr_t attr, const char *s)
{
	if (w <= 0 || s == NULL)
		return 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	int used = 0;
	wattrset(win, (int)attr);
	if (wmove(win, y, x) == ERR)
		return 0;
	while (*s) {
		struct draw_ch c = draw_next(s, &st);
		if (used + c.width > w)
			break;
		/* Writing the last cell of the screen fails by design; the
		 * character is drawn all the same, so ERR is not an error. */
		if (c.bad)
			(void)waddstr(win, c.show);
		else if (c.width > 0 || used > 0)
			(void)waddnstr(win, s, (int)c.len);
		used += c.width;
		s += c.len;
	}
	return used;
}

int
draw_text_fit(WINDOW *win, int y, int x, int w, attr_t attr, const char *s)
{
	if (w <= 0 || s == NULL)
		return 0;
	if (draw_width(s) <= w)
		return draw_text(win, y, x, w, attr, s);
	int used = draw_text(win, y, x, w - 1, attr, s);
	used += draw_text(win, y, x + used, 1, attr, glyph()->ellipsis);
	return used;
}

void
draw_fill(WINDOW *win, int y, int x, int w, attr_t attr)
{
	if (w <= 0 || wmove(win, y, x) == ERR)
		return;
	wattrset(win, (int)attr);
	for (int i = 0; i < w; i++)
		(void)waddch(win, ' '); /* ERR only at the screen's last cell */
}

void
draw_hline(WINDOW *win, int y, int x, int w, attr_t attr)
{
	for (int i = 0; i < w; i++)
		draw_text(win, y, x + i, 1, attr, glyph()->hline);
}

void
draw_vline(WINDOW *win, int y, int x, int h, attr_t attr)
{
	for (int i = 0; i < h; i++)
		draw_text(win, y + i, x, 1, attr, glyph()->vline);
}

void
draw_box(WINDOW *win, int y, int x, int h, int w, attr_t attr)
{
	const struct glyphs *g = glyph();
	if (h < 2 || w < 2)
		return;
	draw_text(win, y, x, 1, attr, g->ulcorner);
	draw_hline(win, y, x + 1, w - 2, attr);
	draw_text(win, y, x + w - 1, 1, attr, g->urcorner);
	draw_vline(win, y + 1, x, h - 2, attr);
	draw_vline(win, y + 1, x + w - 1, h - 2, attr);
	draw_text(win, y + h - 1, x, 1, attr, g->llcorner);
	draw_hline(win, y + h - 1, x + 1, w - 2, attr);
	draw_text(win, y + h - 1, x + w - 1, 1, attr, g->lrcorner);
}

char *
draw_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 && size > 0)
		buf[0] = '\0';
	return buf;
}
