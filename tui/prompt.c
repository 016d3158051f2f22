/*
 * The prompt's line editor.  Text is kept as UTF-8 (what the filter
 * compares against); a character the locale cannot encode is dropped, and
 * erasing removes a whole character, never half of one.  Erasing and
 * clearing overwrite what they drop, so a secret typed and corrected
 * leaves no bytes behind in the buffer.
 */
#include "autoconf.h"
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
	p->mask = false;
	p->note[0] = '\0';
	p->edited = NULL;
	p->edited_arg = NULL;
	snprintf(p->buf, sizeof p->buf, "%s", initial ? initial : "");
	p->len = strlen(p->buf);
}

void
prompt_on_edit(struct prompt *p, prompt_edit_fn fn, void *arg)
{
	p->edited = fn;
	p->edited_arg = arg;
}

void
prompt_set_note(struct prompt *p, const char *note)
{
	/* Cut at a character boundary when it is longer than the room. */
	size_t n = note ? strlen(note) : 0;
	if (n > sizeof p->note - 1) {
		n = sizeof p->note - 1;
		while (n > 0 && ((unsigned char)note[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(p->note, note ? note : "", n);
	p->note[n] = '\0';
}

void
prompt_open_secret(struct prompt *p, const char *label, bool mask)
{
	prompt_open(p, label, NULL);
	p->mask = mask;
}

void
prompt_wipe(struct prompt *p)
{
	explicit_bzero(p->buf, sizeof p->buf);
	p->len = 0;
}

static void
prompt_erase(struct prompt *p)
{
	/* Step back over UTF-8 continuation bytes. */
	while (p->len > 0) {
		unsigned char c = (unsigned char)p->buf[--p->len];
		p->buf[p->len] = '\0';
		if ((c & 0xc0) != 0x80)
			break;
	}
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
	if (n != (size_t)-1 && p->len + n <= PROMPT_MAX) {
		memcpy(p->buf + p->len, mb, n);
		p->len += n;
		p->buf[p->len] = '\0';
	}
	explicit_bzero(mb, sizeof mb); /* it may be part of a secret */
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
		if (p->edited != NULL)
			p->edited(NULL, p->edited_arg);
		return PROMPT_CANCELLED;
	case KEY_ACTION_PROMPT_ERASE:
		prompt_erase(p);
		break;
	case KEY_ACTION_PROMPT_CLEAR:
		prompt_wipe(p);
		break;
	default:
		prompt_insert(p, key);
		break;
	}
	if (p->edited != NULL)
		p->edited(p->buf, p->edited_arg);
	return PROMPT_EDITING;
}

/* A secret's stand-in: one '*' per character typed (UTF-8 lead bytes). */
static void
prompt_masked(const struct prompt *p, char *out, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < p->len && n + 1 < size; i++)
		if (((unsigned char)p->buf[i] & 0xc0) != 0x80)
			out[n++] = '*';
	out[n] = '\0';
}

void
prompt_draw(const struct prompt *p, WINDOW *w, int y, int x, int width)
{
	char masked[PROMPT_MAX + 1];
	draw_fill(w, y, x, width, theme_attr(UI_ROLE_NORMAL, false));
	int used = draw_text(w, y, x, width, theme_attr(UI_ROLE_PROMPT, false), p->label);
	if (p->mask)
		prompt_masked(p, masked, sizeof masked);
	/* Show the end of a long entry: that is where the typing happens. */
	const char *s = p->mask ? masked : p->buf;
	int room = width - used - 1;
	while (*s && draw_width(s) > room)
		s += draw_prefix(s, 1) ? draw_prefix(s, 1) : 1;
	used += draw_text(w, y, x + used, room, theme_attr(UI_ROLE_NORMAL, false), s);
	/* The note goes at the right end while there is room for it. */
	int nw = draw_width(p->note);
	if (p->note[0] && used + 2 + nw <= width)
		(void)draw_text(w, y, x + width - nw, nw, theme_attr(UI_ROLE_DIM, false), p->note);
	(void)wmove(w, y, x + used); /* where the terminal cursor shows */
}
