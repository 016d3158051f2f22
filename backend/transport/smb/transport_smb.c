/*
 * The SMB transport (transport_smb.h): one server's files over SMB,
 * answered by backend/transport/files over smb_fs.  It answers only the
 * file ops (files_answers) and, of those, only on its own server's paths:
 * the route sends it nothing else, and an op that reaches it anyway is
 * refused with the reason rather than sent somewhere it was not asked to
 * go.
 */
#include "autoconf.h"
#include "backend/transport/smb/transport_smb.h"
#include "backend/transport/files/files.h"

#include <stdlib.h>

static int
smb_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	int rc = files_answer(t->priv, NULL, op, fn, arg, dl, err);
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
	files_free(t->priv);
}

static const struct transport_ops smb_ops = { "smb", smb_call, smb_close };

struct transport *
transport_smb_new(struct smbsrv *s)
{
	struct files *f = files_new(&smb_fs, s, smbsrv_name(s));
	return transport_new(&smb_ops, smbsrv_name(s), files_answers(f), f);
}
