/*
 * Who answers the engines' questions: the passwords and passphrases the
 * SSH engine and the SMB engine ask for on their own threads, and the SSH
 * engine's warnings.  Both engines are given the same fixed trampolines
 * into one prompter per app, whose functions can be swapped under a lock:
 * the command line answers from askpass and stderr, and the full-screen UI
 * swaps in its own once the screen is up (app_set_prompter, app.h), so a
 * password is asked the same way, masked, whichever transport wants it.
 * Internal to tui/cli/app*.c; everything else goes through app.h.
 */
#ifndef DPD_APP_PROMPT_H
#define DPD_APP_PROMPT_H

#include <stdbool.h>

#include "tui/cli/app.h"

/* a->prompt, made by whichever engine starts first.  NULL, with a message
 * on stderr, when it cannot be made. */
struct app_prompt *app_prompt_get(struct app *a);
/* After every engine that was given it has been freed. */
void app_prompt_free(struct app *a);

/* The engines' ask function (ssh_ask_fn and smb_ask_fn alike) and the SSH
 * engine's warning sink; ctx is the prompter. */
int app_prompt_ask(void *ctx, const char *server, const char *prompt, bool echo, char **answer);
void app_prompt_warn(void *ctx, const char *msg);
/* Whether an unknown host key's error should say how to accept it from
 * the command line (true until a UI that asks takes over). */
bool app_prompt_cli_hint(struct app_prompt *p);

#endif
