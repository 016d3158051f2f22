/*
 * Asking the administrator for a secret (an ssh key's passphrase, a
 * password, a keyboard-interactive answer) outside the full-screen UI.
 * First $DPDOCTOR_ASKPASS, a program run with the prompt as its only
 * argument that prints the answer (as ssh's SSH_ASKPASS does; this is also
 * how the tests answer); else the controlling terminal (/dev/tty), with
 * echo off for secrets; else nobody can be asked and the log-in method is
 * skipped.  The secret is never printed or logged, and every copy made
 * here is wiped.
 */
#ifndef DPD_ASKPASS_H
#define DPD_ASKPASS_H

#include <stdbool.h>

/* An ssh_ask_fn (backend/transport/ssh/sshloop.h): 0 with a malloc'd *answer that the
 * caller wipes and frees, or -1 when nobody can be asked or the person
 * cancelled (Ctrl-D, a failing askpass program).  ctx is unused.  Safe to
 * call from any thread; prompts are shown one at a time. */
int askpass_ask(void *ctx, const char *server, const char *prompt, bool echo, char **answer);

#endif
