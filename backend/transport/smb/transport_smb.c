/*
 * The SMB transport (transport_smb.h): one server's files over SMB,
 * answered by backend/transport/files over smb_fs.  It answers only the
 * file ops (files_answers) and, of those, only on its own server's paths:
 * the route sends it nothing else, and an op that reaches it anyway is
 * refused with the reason rather than sent somewhere it was not asked to
 * go.  Besides those, it answers a layout of its own server from the
 * share list (the registry cannot be read over SMB: a row says so).
 */
#include "autoconf.h"
#include "backend/transport/smb/transport_smb.h"
#include "backend/transport/files/files.h"

#include <stdlib.h>
#include <strings.h>

#include "backend/transport/smb/smbconn.h"

struct smb_priv {
	struct files *files;
	struct smbsrv *srv;
};

/* layout over SMB: the registry row says why there is none, then a share
 * row per disk share, its folder unknown (an SMB share list has none). */
static int
smb_layout(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	struct smb_priv *p = t->priv;
	if (strcasecmp(op_arg(op, "server"), t->host) != 0) {
		err_set(err, "%s: layout of %s: SMB reaches only %s's own shares", t->host,
		    op_arg(op, "server"), t->host);
		return TRANSPORT_EFAIL;
	}
	struct files_dir d;
	char *msg = NULL;
	int rc = smb_shares(p->srv, &d, dl, &msg);
	if (rc == FILES_FAILED) {
		err_set(err, "%s", msg ? msg : "no answer");
		free(msg);
		return TRANSPORT_EFAIL;
	}
	static const char *const cols[] = { "Source", "Name", "Value", "Error" };
	struct proto_emit e;
	proto_emit_begin(&e, fn, arg);
	proto_emit_cols(&e, "Y", cols, 4);
	const char *reg[] = { "registry", "", "", "the registry cannot be read over SMB" };
	int out = proto_emit_row(&e, reg, 4, err) == 0 ? 0 : TRANSPORT_EREPLY;
	if (rc != FILES_OK) {
		const char *why[] = { "share", "", "", msg ? msg : "refused" };
		if (out == 0 && proto_emit_row(&e, why, 4, err) != 0)
			out = TRANSPORT_EREPLY;
	}
	for (size_t i = 0; out == 0 && rc == FILES_OK && i < d.n; i++) {
		const char *row[] = { "share", d.v[i].name, "", "" };
		if (proto_emit_row(&e, row, 4, err) != 0)
			out = TRANSPORT_EREPLY;
	}
	if (rc == FILES_OK)
		files_dir_free(&d);
	free(msg);
	return out;
}

static int
smb_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	struct smb_priv *p = t->priv;
	if (op->kind == OP_LAYOUT)
		return smb_layout(t, op, fn, arg, dl, err);
	int rc = files_answer(p->files, NULL, op, fn, arg, dl, err);
	if (rc == 1) {
		err_set(err, "%s: %s: not a file op on %s's own shares: SMB runs no scripts and "
		    "reaches only that server's files", t->host, op_name(op->kind), t->host);
		rc = TRANSPORT_EFAIL;
	}
	return rc;
}

static void
smb_close(struct transport *t)
{
	struct smb_priv *p = t->priv;
	files_free(p->files);
	free(p);
}

static const struct transport_ops smb_ops = { .name = "smb", .call = smb_call, .close = smb_close };

struct transport *
transport_smb_new(struct smbsrv *s)
{
	struct smb_priv *p = xcalloc(1, sizeof *p);
	p->files = files_new(&smb_fs, s, smbsrv_name(s));
	p->srv = s;
	return transport_new(&smb_ops, smbsrv_name(s),
	    files_answers(p->files) | TRANSPORT_OP(OP_LAYOUT), p);
}
