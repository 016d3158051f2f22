/*
 * A one-line text prompt on the status line (the "/" filter), or inside a
 * dialog (an ssh password, masked).  Editing is deliberately small: type,
 * erase, clear, accept, cancel.  Keys come from the keymap's prompt
 * context; everything else printable is text.
 */
#ifndef DPD_TUI_PROMPT_H
#define DPD_TUI_PROMPT_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#define PROMPT_MAX 200

enum prompt_result {
	PROMPT_EDITING,
	PROMPT_ACCEPTED,
	PROMPT_CANCELLED,
};

struct prompt {
	bool active;
	const char *label;     /* "Filter: " */
	char buf[PROMPT_MAX + 1]; /* UTF-8 */
	size_t len;
	bool mask;             /* a secret: draw '*' per character */
};

void prompt_open(struct prompt *p, const char *label, const char *initial);
/* Open empty for a secret: shown as one '*' per character when mask, else
 * as typed (a keyboard-interactive question that echoes). */
void prompt_open_secret(struct prompt *p, const char *label, bool mask);
/* Forget the text, wiping every byte of it (secrets). */
void prompt_wipe(struct prompt *p);
/* Feed one key (a character, or KEYMAP_FN(curses key)). */
enum prompt_result prompt_key(struct prompt *p, int key);
/* Draw on one line and leave the terminal cursor at the insertion point. */
void prompt_draw(const struct prompt *p, WINDOW *w, int y, int x, int width);

#endif
