/*
 * Styled text.  Content is rebuilt for every draw (it is a few dozen lines)
 * so wrapping can follow the current width after a resize without any
 * cache to invalidate.
 */
#include "autoconf.h"
#include "tui/text.h"
#include "tui/draw.h"
#include "backend/core/util.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void
text_init(struct text *t)
{
	memset(t, 0, sizeof *t);
}

void
text_free(struct text *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t j = 0; j < t->lines[i].n; j++)
			free(t->lines[i].spans[j].s);
		free(t->lines[i].spans);
	}
	free(t->lines);
	memset(t, 0, sizeof *t);
}

void
text_newline(struct text *t)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->lines = xreallocarray(t->lines, t->cap, sizeof *t->lines);
	}
	memset(&t->lines[t->n++], 0, sizeof t->lines[0]);
}

void
text_add(struct text *t, enum ui_role role, const char *s)
{
	if (t->n == 0)
		text_newline(t);
	struct text_line *l = &t->lines[t->n - 1];
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		l->spans = xreallocarray(l->spans, l->cap, sizeof *l->spans);
	}
	l->spans[l->n].role = role;
	l->spans[l->n].s = xstrdup(s ? s : "");
	l->n++;
}

void
text_addf(struct text *t, enum ui_role role, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	text_add(t, role, s);
	free(s);
}

int
text_line_width(const struct text_line *l)
{
	int w = 0;
	for (size_t i = 0; i < l->n; i++)
		w += draw_width(l->spans[i].s);
	return w;
}

/* Display width of the first n bytes of s. */
static int
text_width_n(const char *s, size_t n)
{
	char *w = xstrndup(s, n);
	int r = draw_width(w);
	free(w);
	return r;
}

/* Where to cut a word of which the first `fit` bytes fit: after the last
 * `\` or `/` among them (not the leading ones of a UNC path), else at
 * `fit`; at least one byte. */
static size_t
text_cut(const char *s, size_t fit)
{
	size_t lead = strspn(s, "\\/");
	for (size_t i = fit; i > lead + 1; i--)
		if (s[i - 1] == '\\' || s[i - 1] == '/')
			return i;
	return fit > 0 ? fit : 1;
}

void
text_wrap(struct text *t, enum ui_role role, const char *s, int width, int indent)
{
	if (t->n == 0)
		text_newline(t);
	int used = text_line_width(&t->lines[t->n - 1]);
	bool empty = used <= indent, space = false;
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	for (;;) {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		size_t n = strcspn(s, " ");
		int ww = text_width_n(s, n);
		if (used + ww + (space ? 1 : 0) > width && !empty) {
			text_add(t, role, b.data);
			buf_reset(&b);
			text_newline(t);
			text_addf(t, role, "%*s", indent, "");
			used = indent;
			empty = true;
			space = false;
			continue;
		}
		if (used + ww > width) {
			/* A word longer than a whole line: cut it, after its last
			 * path separator that fits, so a path breaks between names. */
			n = text_cut(s, draw_prefix(s, width - used));
			ww = text_width_n(s, n);
		}
		if (space) {
			buf_addc(&b, ' ');
			used++;
		}
		buf_add(&b, s, n);
		used += ww;
		s += n;
		empty = false;
		space = true;
	}
	text_add(t, role, b.data);
	buf_free(&b);
}

void
text_draw(const struct text *t, WINDOW *win, int y, int x, int h, int w, struct scroll *s)
{
	int top = 0;
	if (s != NULL) {
		scroll_fit(s, h, (int)t->n);
		top = s->top;
	}
	for (int i = 0; i < h && (size_t)(top + i) < t->n; i++) {
		const struct text_line *l = &t->lines[top + i];
		int cx = 0;
		for (size_t j = 0; j < l->n && cx < w; j++)
			cx += draw_text(win, y + i, x + cx, w - cx,
			    theme_attr(l->spans[j].role, false), l->spans[j].s);
	}
}
