/*
 * shareacl from a share folder's DACL as the server stores it (an fs with
 * an acl call: SMB's NT security descriptor), answered with the record
 * shareacl_ps gives: Nested is whether BUILTIN\Administrators, by SID
 * S-1-5-32-544 whatever a localised Windows calls it, is allowed with
 * container inheritance that propagates (the seed's failure is that ACE on
 * the root only), and Acl lists the entries in the words Get-Acl uses.
 * Names are given only to the well-known SIDs: over SMB there is no
 * account lookup, and the text is only for a person to read.
 */
#include "autoconf.h"
#include "backend/transport/files/files_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADMINS_SID "S-1-5-32-544"

void
files_acl_free(struct files_acl *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i].sid);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

static const struct {
	const char *sid, *name;
} wellknown[] = {
	{ "S-1-1-0", "Everyone" },
	{ "S-1-3-0", "CREATOR OWNER" },
	{ "S-1-3-1", "CREATOR GROUP" },
	{ "S-1-5-11", "NT AUTHORITY\\Authenticated Users" },
	{ "S-1-5-18", "NT AUTHORITY\\SYSTEM" },
	{ ADMINS_SID, "BUILTIN\\Administrators" },
	{ "S-1-5-32-545", "BUILTIN\\Users" },
};

/* FileSystemRights as .NET names the usual masks; others in hex. */
static const struct {
	uint32_t mask;
	const char *name;
} rights[] = {
	{ 0x1f01ff, "FullControl" },
	{ 0x1301bf, "Modify, Synchronize" },
	{ 0x1200a9, "ReadAndExecute, Synchronize" },
	{ 0x120089, "Read, Synchronize" },
	{ 0x100116, "Write, Synchronize" },
};

static void
ace_line(struct buf *b, const struct files_ace *a)
{
	const char *who = a->sid;
	for (size_t i = 0; i < sizeof wellknown / sizeof wellknown[0]; i++)
		if (strcmp(wellknown[i].sid, a->sid) == 0)
			who = wellknown[i].name;
	buf_printf(b, "%s%s:%s:", b->len > 0 ? "\n" : "", who,
	    a->type == FILES_ACE_ALLOW ? "Allow" : a->type == FILES_ACE_DENY ? "Deny" : "Other");
	size_t i = 0;
	while (i < sizeof rights / sizeof rights[0] && rights[i].mask != a->mask)
		i++;
	if (i < sizeof rights / sizeof rights[0])
		buf_adds(b, rights[i].name);
	else
		buf_printf(b, "0x%x", (unsigned)a->mask);
	bool ci = a->flags & FILES_ACE_CI, oi = a->flags & FILES_ACE_OI;
	buf_printf(b, ":%s%s%s", ci ? "ContainerInherit" : "", ci && oi ? ", " : "",
	    oi ? "ObjectInherit" : !ci ? "None" : "");
	bool np = a->flags & FILES_ACE_NP, io = a->flags & FILES_ACE_IO;
	buf_printf(b, ":%s%s%s", np ? "NoPropagateInherit" : "", np && io ? ", " : "",
	    io ? "InheritOnly" : !np ? "None" : "");
}

/* What shareacl_ps calls nested: the Administrators may create and
 * delete below the first folder level. */
static bool
admins_nested(const struct files_acl *acl)
{
	for (size_t i = 0; i < acl->n; i++) {
		const struct files_ace *a = &acl->v[i];
		if (strcmp(a->sid, ADMINS_SID) == 0 && a->type == FILES_ACE_ALLOW &&
		    (a->flags & FILES_ACE_CI) && !(a->flags & FILES_ACE_NP))
			return true;
	}
	return false;
}

int
files_shareacl(struct files_call *c, const struct op *op)
{
	const char *server = op_arg(op, "server"), *share = op_arg(op, "share");
	/* The share's root, as a path names it: \\SERVER\SHARE. */
	char *unc = xasprintf("\\\\%s\\%s", server, share);
	char *p = c->f->fs->own(c->f->fs_arg, unc), *why = NULL;
	if (p == NULL) {
		free(unc);
		return 1;
	}
	struct files_acl acl = { NULL, 0 };
	int r = files_call_acl(c, p, &acl, &why);
	if (r == 0) {
		struct buf text;
		buf_init(&text);
		for (size_t i = 0; i < acl.n; i++)
			ace_line(&text, &acl.v[i]);
		static const char *const cols[] = { "Server", "Share", "Path", "Nested", "Acl" };
		const char *v[] = { server, share, unc, admins_nested(&acl) ? "yes" : "no",
			text.data != NULL ? text.data : "" };
		proto_emit_cols(&c->out, "A", cols, 5);
		r = files_row(c, v, 5);
		buf_free(&text);
	} else if (r > 0) {
		r = files_fail(c, why);
		why = NULL;
	}
	free(why);
	files_acl_free(&acl);
	free(p);
	free(unc);
	return r;
}
