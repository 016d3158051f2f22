/*
 * The SSH half of opening a site (tui/cli/app.c): the engine, a transport to
 * each ssh server, and who answers the engine's questions.  Internal to app.c
 * and app_ssh.c; everything else goes through tui/cli/app.h.
 */
#ifndef DPD_APP_SSH_H
#define DPD_APP_SSH_H

#include "config/config.h"
#include "tui/cli/app.h"

/* A transport to srv (a transport = ssh server of a->cfg) over the
 * process's one engine, started with the first (sets a->ssh; a->prompt
 * through app_prompt_get).
 * 0 with *t, or 2 with a message on stderr naming path (the configuration
 * file). */
int app_ssh_transport(struct app *a, const struct app_args *args, const char *path,
    const struct config_server *srv, struct transport **t);
/* credential = ask in srv's section: give t (srv's ssh transport) a
 * credential for the remote calls its scripts make, asked once through
 * the prompter when first needed.  0 (also when srv does not ask), or 2
 * with a message naming path. */
int app_ssh_credential(struct app *a, const char *path, const struct config_server *srv,
    struct transport *t);
/* Free the engine and wipe the credentials (after transport_close, before
 * app_prompt_free). */
void app_ssh_close(struct app *a);

#endif
