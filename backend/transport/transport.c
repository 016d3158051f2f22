/*
 * The transport-independent half of the interface: the checks every op
 * passes before a transport sees it (read-only, arguments, what the
 * transport answers, the deadline) and the wording of a failed reply, so
 * each transport only implements the carrying itself.
 */
#include "autoconf.h"
#include "backend/transport/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct transport *
transport_new(const struct transport_ops *ops, const char *host, uint32_t answers, void *priv)
{
	struct transport *t = xcalloc(1, sizeof *t);
	t->ops = ops;
	t->host = xstrdup(host);
	t->answers = answers;
	t->priv = priv;
	return t;
}

void
transport_set_read_only(struct transport *t, bool on)
{
	if (t != NULL)
		t->read_only = on;
}

bool
transport_answers(const struct transport *t, enum op_kind k)
{
	return t != NULL && (unsigned)k < OP_COUNT && (t->answers & TRANSPORT_OP(k)) != 0;
}

int
transport_pass(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	/* The refusal comes first: nothing about a change is looked at, let
	 * alone sent, in read-only mode. */
	if (t != NULL && t->read_only && op_changes_site(op->kind)) {
		err_set(err, "read-only mode: refusing %s on %s", op_name(op->kind), t->host);
		return TRANSPORT_EFAIL;
	}
	if (ops_check(op, err) != 0)
		return TRANSPORT_EFAIL;
	if (!transport_answers(t, op->kind)) {
		err_set(err, "%s: the %s transport does not carry %s", t ? t->host : "?",
		    t ? t->ops->name : "?", op_name(op->kind));
		return TRANSPORT_EFAIL;
	}
	if (deadline_passed(dl)) {
		err_set(err, "%s: cancelled or out of time before starting", t->host);
		return TRANSPORT_EFAIL;
	}
	int rc = t->ops->call(t, op, fn, arg, dl, err);
	return rc == 0 || rc == TRANSPORT_EREPLY ? rc : TRANSPORT_EFAIL;
}

int
transport_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	int rc = transport_pass(t, op, fn, arg, dl, err);
	if (rc == TRANSPORT_EREPLY)
		err_set(err, "%s on %s: %s", op_name(op->kind), t->host,
		    err != NULL && *err != NULL ? *err : "?");
	return rc == 0 ? 0 : -1;
}

void
transport_close(struct transport *t)
{
	if (t == NULL)
		return;
	if (t->ops->close)
		t->ops->close(t);
	free(t->host);
	free(t);
}

/* ---- a key log-in without network credentials ---------------------------------- */

/* How Windows words the failures of a session that has no network
 * credentials, in text and as HRESULTs (sms-domain.md section 13). */
static const char *const netcred_words[] = {
	"access is denied", "0x80070005",
	"network path was not found", "0x80070035",
	"rpc server is unavailable", "0x800706ba",
	"logon failure", "0x8007052e",
};

char *
transport_netcred_why(struct transport *t, const char *server, const char *err)
{
	struct transport *w = t != NULL && t->ops->script_host != NULL ? t->ops->script_host(t) : t;
	if (w == NULL || server == NULL || *server == '\0' || err == NULL ||
	    !atomic_load(&w->key_login) || atomic_load(&w->has_credential) ||
	    strcasecmp(server, w->host) == 0)
		return NULL;
	bool hit = false;
	for (size_t i = 0; !hit && i < sizeof netcred_words / sizeof netcred_words[0]; i++)
		hit = strcasestr(err, netcred_words[i]) != NULL;
	if (!hit)
		return NULL;
	return xasprintf("%s cannot reach %s: dpdoctor logged in to %s with a key, and a "
	    "Windows OpenSSH key log-in carries no network credentials for other servers "
	    "(UNC paths, remote WMI). Log in to %s with a password, set credential = ask in "
	    "its [server %s] section, or give %s a [server %s] section of its own to reach "
	    "it from here (Windows said: %s)", w->host, server, w->host, w->host, w->host,
	    server, server, err);
}
