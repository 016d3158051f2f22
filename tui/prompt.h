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

/* Called after every edit with the text so far, and with NULL when the
 * prompt is cancelled (put back what was there before it opened). */
typedef void (*prompt_edit_fn)(const char *text, void *arg);

struct prompt {
	bool active;
	const char *label;     /* "Filter: " */
	char buf[PROMPT_MAX + 1]; /* UTF-8 */
	size_t len;
	bool mask;             /* a secret: draw '*' per character */
	/* Dim, after the text: what the prompt replaces ("now: ..."); it is
	 * our own earlier entry, so it fits in twice a prompt's length. */
	char note[2 * PROMPT_MAX + 1];
	prompt_edit_fn edited; /* NULL: told only when accepted */
	void *edited_arg;
};

void prompt_open(struct prompt *p, const char *label, const char *initial);
/* Live prompts (the / filter): fn hears every edit, and the cancel. */
void prompt_on_edit(struct prompt *p, prompt_edit_fn fn, void *arg);
/* The dim note after the text (NULL or "": none). */
void prompt_set_note(struct prompt *p, const char *note);
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
