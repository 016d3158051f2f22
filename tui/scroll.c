/*
 * Scrolling positions (see scroll.h).  The far end is a large number until
 * the next frame clamps it, so End pressed in the same batch as the key
 * that opened a view, or before a resize, still lands on the last page.
 */
#include "autoconf.h"
#include "tui/scroll.h"

#include <limits.h>

/* Where End points until the next frame clamps it. */
#define SCROLL_FAR (INT_MAX / 2)

void
scroll_init(struct scroll *s)
{
	*s = (struct scroll){ .cursor = -1 };
}

void
scroll_lines(struct scroll *s, long n)
{
	long top = (long)s->top + n;
	s->top = top < 0 ? 0 : top > SCROLL_FAR ? SCROLL_FAR : (int)top;
}

int
scroll_page_size(const struct scroll *s)
{
	return s->height > 1 + s->keep ? s->height - 1 - s->keep : 1;
}

void
scroll_pages(struct scroll *s, int n)
{
	scroll_lines(s, (long)n * scroll_page_size(s));
}

void
scroll_home(struct scroll *s)
{
	s->top = 0;
}

void
scroll_end(struct scroll *s)
{
	s->top = SCROLL_FAR;
}

bool
scroll_action(struct scroll *s, enum key_action a)
{
	switch (a) {
	case KEY_ACTION_UP: scroll_lines(s, -1); return true;
	case KEY_ACTION_DOWN: scroll_lines(s, 1); return true;
	case KEY_ACTION_PAGE_UP: scroll_pages(s, -1); return true;
	case KEY_ACTION_PAGE_DOWN: scroll_pages(s, 1); return true;
	case KEY_ACTION_TOP: scroll_home(s); return true;
	case KEY_ACTION_BOTTOM: scroll_end(s); return true;
	default: return false;
	}
}

void
scroll_fit(struct scroll *s, int height, int total)
{
	s->height = height;
	s->total = total;
	int max = total > height ? total - height : 0;
	if (s->top > max)
		s->top = max;
	if (s->top < 0)
		s->top = 0;
}

void
scroll_show(struct scroll *s, int i)
{
	if (i < s->top || i >= s->top + s->height)
		s->top = i - s->height / 2;
}
