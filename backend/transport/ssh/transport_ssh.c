/*
 * The SSH transport: a rendered op script goes to a Windows OpenSSH host
 * as the quote-free -EncodedCommand line cmd.exe cannot mangle, or, when
 * that line would pass cmd.exe's 8191 characters, as a small fixed
 * bootstrap line with the script on standard input.  The reply comes back
 * with Windows line ends, and PowerShell's errors on a redirected stderr
 * come as CLIXML; both are turned into plain text here, so the op layer
 * sees what it sees from the simulator.
 *
 * With a credential (`credential = ask`), every script goes behind the
 * credential bootstrap, the credential on standard input with it, so that
 * the remote calls a key log-in could not make carry it; the copies are
 * wiped as soon as they are sent.
 *
 * With SFTP on, the file ops on the host's own files
 * (pathinfo, dirlist, loggrep, readfile, setattr, deletefile, renamefile)
 * are answered over SFTP instead, with the very records the PowerShell
 * would give (sshfiles.c); everything else, and everything while the
 * server turns SFTP down, goes as PowerShell.
 */
#include "autoconf.h"
#include "backend/transport/script.h"
#include "backend/transport/ssh/sshfiles.h"
#include "backend/transport/ssh/sshloop.h"
#include "backend/ops/winenc.h"

#include <stdlib.h>
#include <string.h>

struct ssh_priv {
	struct sshloop *loop;
	struct ssh_host host;
	struct sshfiles *files;    /* the file ops over SFTP; NULL: sftp = no */
	ssh_cred_fn cred;          /* credential = ask: every script gets one */
	void *cred_ctx;
};

static void
wipe_free(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
	free(s);
}

/* The command line and stdin for a script: the script itself on the line;
 * when that is too long for cmd.exe, the bootstrap with the script on
 * stdin; with a credential, always the credential bootstrap, the script
 * and the credential on stdin (never on the line).  -1 with *err. */
static int
ps_encode(struct transport *t, const char *script, char **cmd, char **payload, char **err)
{
	struct ssh_priv *p = t->priv;
	*payload = NULL;
	if (p->cred != NULL) {
		char *user = NULL, *password = NULL;
		if (!utf8_valid(script, strlen(script))) {
			err_set(err, "the script is not UTF-8");
			return -1;
		}
		if (p->cred(p->cred_ctx, t->host, &user, &password, err) != 0)
			return -1;
		*payload = winenc_stdin_payload_cred(script, user, password);
		wipe_free(user);
		wipe_free(password);
		*cmd = winenc_command(winenc_bootstrap_cred_script(), err);
		return 0;
	}
	*cmd = winenc_command(script, err);
	if (*cmd != NULL && !winenc_fits(*cmd)) {
		free(*cmd);
		*cmd = winenc_command(winenc_bootstrap_script(), err);
		*payload = winenc_stdin_payload(script);
	}
	return *cmd != NULL ? 0 : -1;
}

/* ---- PowerShell ------------------------------------------------------------- */

static int
ps_run(struct transport *t, const struct op *o, const char *script, struct script_result *res,
    const struct deadline *dl, char **err)
{
	struct ssh_priv *p = t->priv;
	const char *op = op_name(o->kind);
	char *e = NULL, *cmd = NULL, *payload = NULL;
	if (ps_encode(t, script, &cmd, &payload, &e) != 0) {
		err_set(err, "%s: %s: cannot send the script: %s", t->host, op, e ? e : "?");
		free(e);
		wipe_free(payload);
		return -1;
	}
	enum ssh_error kind;
	int rc = sshloop_exec(p->loop, &p->host, cmd, payload, payload ? strlen(payload) : 0,
	    res, dl, &kind, &e);
	free(cmd);
	wipe_free(payload);
	if (rc != 0) {
		err_set(err, "%s (op %s)", e ? e : t->host, op);
		free(e);
		return -1;
	}
	buf_crlf_to_lf(&res->out);
	char *text = winenc_clixml_errors(res->err.data ? res->err.data : "");
	buf_reset(&res->err);
	buf_adds(&res->err, text);
	buf_crlf_to_lf(&res->err);
	free(text);
	return 0;
}

static int
ps_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	return script_call(t, ps_run, op, fn, arg, dl, err);
}

static int
ssh_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	struct ssh_priv *p = t->priv;
	int answered = p->files != NULL ?
	    sshfiles_answer(p->files, t, ps_call, op, fn, arg, dl, err) : 1;
	int rc = answered > 0 ? ps_call(t, op, fn, arg, dl, err) : answered;
	/* Whether this session logged in with a key, for the route to explain
	 * what such a session cannot reach (transport_netcred_why). */
	int kind = sshloop_login_kind(p->loop, &p->host);
	if (kind >= 0)
		atomic_store(&t->key_login, kind == 1);
	return rc;
}

static void
ssh_close(struct transport *t)
{
	struct ssh_priv *p = t->priv;
	sshfiles_free(p->files);
	free((char *)p->host.name);
	free((char *)p->host.address);
	free((char *)p->host.user);
	free((char *)p->host.identity);
	free((char *)p->host.known_hosts);
	free(p);
}

static const struct transport_ops ssh_ops = { .name = "ssh", .call = ssh_call, .close = ssh_close };

static char *
dup_opt(const char *s)
{
	return s != NULL && *s ? xstrdup(s) : NULL;
}

struct transport *
transport_ssh_new(struct sshloop *l, const struct ssh_host *h, const struct ssh_files *f)
{
	struct ssh_priv *p = xcalloc(1, sizeof *p);
	p->loop = l;
	p->host = (struct ssh_host){ xstrdup(h->name), dup_opt(h->address), h->port,
	    dup_opt(h->user), dup_opt(h->identity), dup_opt(h->known_hosts),
	    h->connect_timeout_ms, h->no_compression };
	if (f != NULL && f->sftp)
		p->files = sshfiles_new(l, &p->host, f->sftp_port);
	return transport_new(&ssh_ops, h->name, TRANSPORT_ALL_OPS, p);
}

void
transport_ssh_set_credential(struct transport *t, ssh_cred_fn fn, void *ctx)
{
	struct ssh_priv *p = t->priv;
	p->cred = fn;
	p->cred_ctx = ctx;
	atomic_store(&t->has_credential, fn != NULL);
}

int
transport_ssh_key_login(struct transport *t)
{
	struct ssh_priv *p = t->priv;
	return sshloop_login_kind(p->loop, &p->host);
}
