/*
 * Reaching servers over SMB: one engine (backend/transport/smb/smbconn.h)
 * for the whole process, started with the first transport = smb server,
 * and a transport to each (transport_smb.h), which the route gives the ops
 * on that server's own files.  SMB runs nothing, so such a server is never
 * the WMI host (app.c refuses it).
 *
 * Credentials: a server's authfile is read here, while the site is opened,
 * so a file others may read is refused before anything connects; the
 * password is handed to the engine, which keeps its own copy, and ours is
 * wiped at once.  Without an authfile or kerberos the engine asks through
 * the app's prompter (app_prompt.h), as the SSH engine does: askpass on
 * the command line, the masked dialog in the full-screen UI.
 */
#include "autoconf.h"
#include "tui/cli/app_smb.h"
#include "tui/cli/app_prompt.h"
#include "backend/transport/smb/transport_smb.h"
#include "config/authfile.h"

#include <stdio.h>
#include <stdlib.h>

/* The configuration's dialects as the engine spells them. */
static const enum smb_proto app_smb_protocols[] = {
	[CONFIG_SMB_NT1] = SMB_PROTO_NT1,
	[CONFIG_SMB_SMB2] = SMB_PROTO_SMB2,
	[CONFIG_SMB_SMB3] = SMB_PROTO_SMB3,
};

/* The process's one engine, asking through the app's prompter.  0, or 2
 * with a message. */
static int
app_smb_engine(struct app *a, const char *path)
{
	if (a->smb != NULL)
		return 0;
	struct app_prompt *p = app_prompt_get(a);
	if (p == NULL)
		return 2;
	const struct smbeng_config c = {
		.max_parallel = a->cfg.max_parallel,
		.ask = app_prompt_ask,
		.ask_ctx = p,
	};
	char *err = NULL;
	if ((a->smb = smbeng_new(&c, &err)) == NULL) {
		app_err("%s: cannot start the SMB engine: %s\n", path,
		    err ? err : "unknown error");
		free(err);
		return 2;
	}
	return 0;
}

/* The section's authfile, read and held against the section's account:
 * 0 (*af empty when the section names none), or 2 with a message. */
static int
app_smb_authfile(const char *path, const struct config_server *srv, struct authfile *af)
{
	*af = (struct authfile){0};
	if (srv->authfile == NULL)
		return 0;
	char *err = NULL;
	if (authfile_read(srv->authfile, af, &err) == 0 &&
	    authfile_agree(af, srv->authfile, srv->user, srv->domain, &err) == 0)
		return 0;
	app_err("%s:%d: [server %s] authfile: %s\n", path, srv->authfile_line,
	    srv->name, err ? err : "cannot be read");
	free(err);
	authfile_free(af);
	return 2;
}

int
app_smb_transport(struct app *a, const struct app_args *args, const char *path,
    const struct config_server *srv, struct transport **out)
{
	(void)args;
	struct authfile af;
	/* The file first: a refused one starts nothing. */
	int rc = app_smb_authfile(path, srv, &af);
	if (rc == 0)
		rc = app_smb_engine(a, path);
	if (rc != 0) {
		authfile_free(&af);
		return rc;
	}
	const struct smb_server s = {
		.name = srv->name,
		.address = srv->host,
		.port = srv->port,
		.user = srv->user ? srv->user : af.user,
		.domain = srv->domain ? srv->domain : af.domain,
		.password = af.password,
		.min_protocol = app_smb_protocols[srv->protocol],
		.kerberos = srv->kerberos,
		.connect_timeout_ms = srv->connect_timeout * 1000,
	};
	char *err = NULL;
	struct smbsrv *v = smbeng_add(a->smb, &s, &err);
	authfile_free(&af);     /* the engine has its own copy */
	*out = v != NULL ? transport_smb_new(v) : NULL;
	if (*out == NULL) {
		app_err("%s: server %s (line %d): cannot set up the SMB transport%s%s\n",
		    path, srv->name, srv->line, err ? ": " : "", err ? err : "");
		free(err);
		return 2;
	}
	return 0;
}

void
app_smb_close(struct app *a)
{
	if (a->smb != NULL)
		smbeng_free(a->smb);
	a->smb = NULL;
}
