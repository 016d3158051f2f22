/*
 * The prompt's line editor.  Text is kept as UTF-8 (what the filter
 * compares against); a character the locale cannot encode is dropped, and
 * erasing removes a whole character, never half of one.
 */
#include "config.h"
#include "tui/prompt.h"
#include "tui/draw.h"
#include "tui/keymap.h"
#include "tui/theme.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

void
prompt_open(struct prompt *p, const char *label, const char *initial)
{
	p->active = true;
	p->label = label;
	snprintf(p->buf, sizeof p->buf, "%s", initial ? initial : "");
	p->len = strlen(p->buf);
}

static void
prompt_erase(struct prompt *p)
{
	/* Step back over UTF-8 continuation bytes. */
	while (p->len > 0) {
		unsigned char c = (unsigned char)p->buf[--p->len];
		if ((c & 0xc0) != 0x80)
			break;
	}
	p->buf[p->len] = '\0';
}

static void
prompt_insert(struct prompt *p, int key)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	memset(&st, 0, sizeof st);
	if (KEYMAP_IS_FN(key) || key < 0x20 || key == 0x7f)
		return;
	size_t n = wcrtomb(mb, (wchar_t)key, &st);
	if (n == (size_t)-1 || p->len + n > PROMPT_MAX)
		return;
	memcpy(p->buf + p->len, mb, n);
	p->len += n;
	p->buf[p->len] = '\0';
}

enum prompt_result
prompt_key(struct prompt *p, int key)
{
	switch (keymap_lookup(KEYMAP_CTX_PROMPT, key)) {
	case KEY_ACTION_PROMPT_ACCEPT:
		p->active = false;
		return PROMPT_ACCEPTED;
	case KEY_ACTION_PROMPT_CANCEL:
		p->active = false;
		return PROMPT_CANCELLED;
	case KEY_ACTION_PROMPT_ERASE:
		prompt_erase(p);
		break;
	case KEY_ACTION_PROMPT_CLEAR:
		p->len = 0;
		p->buf[0] = '\0';
		break;
	default:
		prompt_insert(p, key);
		break;
	}
	return PROMPT_EDITING;
}

void
prompt_draw(const struct prompt *p, WINDOW *w, int y, int x, int width)
{
	draw_fill(w, y, x, width, theme_attr(UI_ROLE_NORMAL, false));
	int used = draw_text(w, y, x, width, theme_attr(UI_ROLE_PROMPT, false), p->label);
	/* Show the end of a long entry: that is where the typing happens. */
	const char *s = p->buf;
	int room = width - used - 1;
	while (*s && draw_width(s) > room)
		s += draw_prefix(s, 1) ? draw_prefix(s, 1) : 1;
	used += draw_text(w, y, x + used, room, theme_attr(UI_ROLE_NORMAL, false), s);
	(void)wmove(w, y, x + used); /* where the terminal cursor shows */
}
