/*
 * The SMB half of opening a site (tui/cli/app.c): the engine, a transport
 * to each transport = smb server, and its credentials.  Internal to app.c
 * and app_smb.c; everything else goes through tui/cli/app.h.
 */
#ifndef DPD_APP_SMB_H
#define DPD_APP_SMB_H

#include "config/config.h"
#include "tui/cli/app.h"

/* A transport to srv (a transport = smb server of a->cfg) over the
 * process's one SMB engine, started with the first (sets a->smb; a->prompt
 * through app_prompt_get).  Its authfile is read here, before anything
 * connects.  0 with *t, or 2 with a message on stderr naming path (the
 * configuration file) and the line. */
int app_smb_transport(struct app *a, const struct app_args *args, const char *path,
    const struct config_server *srv, struct transport **t);
/* Free the engine (after transport_close, before app_prompt_free). */
void app_smb_close(struct app *a);

#endif
