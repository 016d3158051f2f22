/*
 * The SSH transport: a rendered op script goes to a Windows OpenSSH host
 * as the quote-free -EncodedCommand line cmd.exe cannot mangle, or, when
 * that line would pass cmd.exe's 8191 characters, as a small fixed
 * bootstrap line with the script on standard input.  The reply comes back
 * with Windows line ends, and PowerShell's errors on a redirected stderr
 * come as CLIXML; both are turned into plain text here, so the op layer
 * sees what it sees from the simulator.
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
};

/* ---- PowerShell ------------------------------------------------------------- */

static int
ps_run(struct transport *t, const struct op *o, const char *script, struct script_result *res,
    const struct deadline *dl, char **err)
{
	struct ssh_priv *p = t->priv;
	const char *op = op_name(o->kind);
	char *e = NULL;
	char *cmd = winenc_command(script, &e);
	char *payload = NULL;
	if (cmd != NULL && !winenc_fits(cmd)) {
		free(cmd);
		cmd = winenc_command(winenc_bootstrap_script(), &e);
		payload = winenc_stdin_payload(script);
	}
	if (cmd == NULL) {
		err_set(err, "%s: %s: cannot encode the script: %s", t->host, op, e ? e : "?");
		free(e);
		return -1;
	}
	enum ssh_error kind;
	int rc = sshloop_exec(p->loop, &p->host, cmd, payload, payload ? strlen(payload) : 0,
	    res, dl, &kind, &e);
	free(cmd);
	free(payload);
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
	return answered > 0 ? ps_call(t, op, fn, arg, dl, err) : answered;
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

static const struct transport_ops ssh_ops = { "ssh", ssh_call, ssh_close };

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
	    h->connect_timeout_ms };
	if (f != NULL && f->sftp)
		p->files = sshfiles_new(l, &p->host, f->sftp_port);
	return transport_new(&ssh_ops, h->name, TRANSPORT_ALL_OPS, p);
}
