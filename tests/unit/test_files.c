/* Unit tests: the file ops over a file system (backend/transport/files),
 * against an in-memory file system: the records each op gives, how a
 * refusal, a failed connection and an absent file system are told apart,
 * the copy within a server, and shareacl's reading of a DACL. */
#include "autoconf.h"
#include "backend/transport/files/files.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- an in-memory drive E: of server FAKE ---------------------------------- */

struct mfile {
	char *path;                /* E:\... */
	bool dir, ro, ar;
	struct buf data;
	int64_t mtime;
};

struct mfs {
	struct mfile v[32];
	size_t n;
	int mode;                  /* FILES_OK, or what every call returns */
	struct files_acl acl;
	int calls;
};

static struct mfile *
mfind(struct mfs *m, const char *p)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcasecmp(m->v[i].path, p) == 0)
			return &m->v[i];
	return NULL;
}

static struct mfile *
madd(struct mfs *m, const char *p, bool dir, const char *text, int64_t mtime)
{
	struct mfile *f = &m->v[m->n++];
	*f = (struct mfile){ .path = xstrdup(p), .dir = dir, .ar = !dir, .mtime = mtime };
	buf_init(&f->data);
	if (text != NULL)
		buf_adds(&f->data, text);
	return f;
}

static char *
m_own(void *arg, const char *p)
{
	(void)arg;
	if (strncmp(p, "E:\\", 3) == 0)
		return xstrdup(p);
	if (strncasecmp(p, "\\\\FAKE\\E$\\", 10) == 0)
		return xasprintf("E:\\%s", p + 10);
	if (strcasecmp(p, "\\\\FAKE\\SHARE") == 0)
		return xstrdup("E:\\SHARE");
	return NULL;
}

static char *
m_root(void *arg, const char *p)
{
	(void)arg;
	(void)p;
	return xstrdup("E:\\");
}

/* Every call: the mode (a failing or absent fs), else OK. */
static int
m_enter(struct mfs *m, char **msg)
{
	m->calls++;
	if (m->mode == FILES_OK)
		return FILES_OK;
	*msg = xstrdup(m->mode == FILES_ABSENT ? "FAKE: no SFTP" : "FAKE: connection reset");
	return m->mode;
}

static int
m_stat(void *arg, const char *p, struct files_stat *st, const struct deadline *dl, char **msg)
{
	struct mfs *m = arg;
	(void)dl;
	int rc = m_enter(m, msg);
	if (rc != FILES_OK)
		return rc;
	const struct mfile *f = strcmp(p, "E:\\") == 0 ? NULL : mfind(m, p);
	*st = (struct files_stat){ .exists = f != NULL || strcmp(p, "E:\\") == 0,
		.is_dir = f == NULL || f->dir };
	if (f != NULL) {
		st->readonly = f->ro;
		st->archive = f->ar;
		st->size = f->data.len;
		st->mtime = f->mtime;
	}
	return FILES_OK;
}

static int
m_read(void *arg, const char *p, uint64_t off, uint64_t len, struct buf *out,
    const struct deadline *dl, char **msg)
{
	struct mfs *m = arg;
	(void)dl;
	int rc = m_enter(m, msg);
	const struct mfile *f = mfind(m, p);
	if (rc != FILES_OK || f == NULL)
		return rc != FILES_OK ? rc : (*msg = xstrdup("not found"), FILES_REFUSED);
	for (uint64_t i = off; i < f->data.len && i - off < len; i++)
		buf_addc(out, f->data.data[i]);
	return FILES_OK;
}

static int
m_list(void *arg, const char *dir, const char *pattern, struct files_dir *out,
    const struct deadline *dl, char **msg)
{
	struct mfs *m = arg;
	(void)dl;
	(void)pattern;
	int rc = m_enter(m, msg);
	if (rc != FILES_OK)
		return rc;
	size_t dl_ = strlen(dir);
	out->v = xcalloc(m->n + 1, sizeof *out->v);
	for (size_t i = 0; i < m->n; i++) {
		const char *p = m->v[i].path;
		if (strncasecmp(p, dir, dl_) == 0 && p[dl_] == '\\' && !strchr(p + dl_ + 1, '\\')) {
			struct files_dirent *e = &out->v[out->n++];
			e->name = xstrdup(p + dl_ + 1);
			e->st = (struct files_stat){ .exists = true, .is_dir = m->v[i].dir,
				.readonly = m->v[i].ro, .archive = m->v[i].ar,
				.size = m->v[i].data.len, .mtime = m->v[i].mtime };
		}
	}
	return FILES_OK;
}

static int
m_setattr(void *arg, const char *p, int ro, int ar, const struct deadline *dl, char **msg)
{
	struct mfs *m = arg;
	(void)dl;
	int rc = m_enter(m, msg);
	struct mfile *f = mfind(m, p);
	if (rc != FILES_OK || f == NULL)
		return rc != FILES_OK ? rc : (*msg = xstrdup("not found"), FILES_REFUSED);
	if (ro >= 0)
		f->ro = ro;
	if (ar >= 0)
		f->ar = ar;
	return FILES_OK;
}

static int
m_unlink(void *arg, const char *p, const struct deadline *dl, char **msg)
{
	struct mfs *m = arg;
	(void)dl;
	int rc = m_enter(m, msg);
	struct mfile *f = mfind(m, p);
	if (rc != FILES_OK)
		return rc;
	if (f == NULL || f->ro) {
		*msg = xasprintf("FAKE: cannot delete %s (NT_STATUS_CANNOT_DELETE)", p);
		return FILES_REFUSED;
	}
	free(f->path);
	buf_free(&f->data);
	*f = m->v[--m->n];
	return FILES_OK;
}

static int
m_rename(void *arg, const char *from, const char *to, const struct deadline *dl, char **msg)
{
	struct mfs *m = arg;
	(void)dl;
	int rc = m_enter(m, msg);
	struct mfile *f = mfind(m, from);
	if (rc != FILES_OK || f == NULL)
		return rc != FILES_OK ? rc : (*msg = xstrdup("not found"), FILES_REFUSED);
	free(f->path);
	f->path = xstrdup(to);
	return FILES_OK;
}

static int
m_copy(void *arg, const char *from, const char *to, const struct deadline *dl, char **msg)
{
	struct mfs *m = arg;
	(void)dl;
	int rc = m_enter(m, msg);
	struct mfile *s = mfind(m, from), *d = mfind(m, to);
	if (rc != FILES_OK || s == NULL)
		return rc != FILES_OK ? rc : (*msg = xstrdup("not found"), FILES_REFUSED);
	if (d != NULL && d->ro) {
		*msg = xstrdup("access denied");
		return FILES_REFUSED;
	}
	if (d == NULL)
		d = madd(m, to, false, NULL, 0);
	buf_reset(&d->data);
	buf_adds(&d->data, s->data.data != NULL ? s->data.data : "");
	d->mtime = s->mtime;
	d->ar = true;
	return FILES_OK;
}

static int
m_acl(void *arg, const char *p, struct files_acl *out, const struct deadline *dl, char **msg)
{
	struct mfs *m = arg;
	(void)dl;
	(void)p;
	int rc = m_enter(m, msg);
	if (rc != FILES_OK)
		return rc;
	out->v = xcalloc(m->acl.n + 1, sizeof *out->v);
	for (size_t i = 0; i < m->acl.n; i++) {
		out->v[i] = m->acl.v[i];
		out->v[i].sid = xstrdup(m->acl.v[i].sid);
	}
	out->n = m->acl.n;
	return FILES_OK;
}

static int
m_write(void *arg, const char *p, uint64_t off, const void *data, size_t n, int64_t mtime,
    const struct deadline *dl, char **msg)
{
	struct mfs *m = arg;
	(void)dl;
	int rc = m_enter(m, msg);
	if (rc != FILES_OK)
		return rc;
	struct mfile *f = mfind(m, p);
	if (f == NULL)
		f = madd(m, p, false, NULL, 0);
	if (off == 0)
		buf_reset(&f->data);
	for (size_t i = 0; i < n; i++)
		buf_addc(&f->data, ((const char *)data)[i]);
	f->ar = true;
	if (mtime != 0)
		f->mtime = mtime;
	return FILES_OK;
}

static const struct files_fs mem_fs = {
	"MEM", true, m_own, m_root, m_stat, m_read, m_list, m_setattr, m_unlink, m_rename,
	m_copy, m_acl, m_write,
};

/* ---- asking -------------------------------------------------------------------- */

struct got {
	struct buf rows;           /* "TYPE:v1,v2,...;" */
};

static int
collect(const struct proto_record *r, void *arg, char **err)
{
	struct got *g = arg;
	(void)err;
	buf_printf(&g->rows, "%s:", r->type);
	for (size_t i = 0; i < r->nfields; i++)
		buf_printf(&g->rows, "%s%s", i ? "," : "", r->fields[i]);
	buf_adds(&g->rows, ";");
	return 0;
}

/* Ask op; *out the rows, or the error. */
static int
ask(struct files *f, const struct op *op, char **out)
{
	struct got g;
	buf_init(&g.rows);
	char *err = NULL;
	struct deadline dl = { 0 };
	int rc = files_answer(f, NULL, op, collect, &g, &dl, &err);
	free(*out);
	*out = rc == 0 ? xstrdup(g.rows.data ? g.rows.data : "") : err ? err : xstrdup("?");
	if (rc == 0)
		free(err);
	buf_free(&g.rows);
	return rc;
}

static struct op
op1(enum op_kind k, const char *a, const char *av, const char *b, const char *bv)
{
	struct op op = { .kind = k };
	op_set(&op, a, av);
	if (b != NULL)
		op_set(&op, b, bv);
	return op;
}

int
main(void)
{
	struct mfs *m = xcalloc(1, sizeof *m);
	madd(m, "E:\\SMSPKG", true, NULL, 1000);
	madd(m, "E:\\SMSPKG\\AAA00001.PCK", false, "0123456789", 1167900000);
	madd(m, "E:\\SMSPKG\\AAA00002.PCK", false, "abc", 1167900000)->ro = true;
	madd(m, "E:\\SHARE", true, NULL, 1000);
	struct files *f = files_new(&mem_fs, m, "FAKE");
	char *out = NULL;

	uint32_t a = files_answers(f);
	ok((a & TRANSPORT_OP(OP_COPYFILE)) && (a & TRANSPORT_OP(OP_SHAREACL)) &&
	    !(a & TRANSPORT_OP(OP_PRELOAD)) && !(a & TRANSPORT_OP(OP_STATUS)),
	    "answers the file ops, copy and shareacl, never a query or preload");

	struct op op = op1(OP_PATHINFO, "paths",
	    "\\\\FAKE\\E$\\SMSPKG\\AAA00001.PCK|E:\\SMSPKG\\NONE.PCK|\\\\OTHER\\E$\\x", NULL, NULL);
	is_int(ask(f, &op, &out), 0, "pathinfo over own and other paths answers");
	is_str(out, "F:\\\\FAKE\\E$\\SMSPKG\\AAA00001.PCK,1,0,10,2007-01-04T08:40:00Z,32,,;"
	    "F:E:\\SMSPKG\\NONE.PCK,0,0,,,,,;"
	    "F:\\\\OTHER\\E$\\x,,,,,,,not on FAKE: MEM reaches only its own server's files;",
	    "  rows in the asked order, paths as asked, archive read (32), the other "
	    "server's path says why");

	op = op1(OP_DIRLIST, "dir", "E:\\SMSPKG", "pattern", "*.PCK");
	ask(f, &op, &out);
	ok(strstr(out, "AAA00001.PCK,1,0,10,") && strstr(out, ",33,,,AAA00002.PCK,"),
	    "dirlist: both PCKs, the read-only one with attributes 33 (R+A)");

	op = op1(OP_SETATTR, "path", "E:\\SMSPKG\\AAA00001.PCK", "readonly", "set");
	op_set(&op, "archive", "clear");
	ask(f, &op, &out);
	is_str(out, "A:E:\\SMSPKG\\AAA00001.PCK,1;", "setattr +R -A: attributes 1 read back");

	op = op1(OP_DELETEFILE, "path", "E:\\SMSPKG\\AAA00002.PCK", NULL, NULL);
	ask(f, &op, &out);
	is_str(out, "D:E:\\SMSPKG\\AAA00002.PCK,deleted;",
	    "deletefile of a read-only file: the bit goes first, as Remove-Item -Force");
	is_int(ask(f, &op, &out), 0, "deletefile again answers");
	is_str(out, "D:E:\\SMSPKG\\AAA00002.PCK,absent;", "  absent");

	/* Copy within the server: copied, then identical; onto a read-only
	 * target, the target is made writable first. */
	op = op1(OP_COPYFILE, "src", "E:\\SMSPKG\\AAA00001.PCK", "dst",
	    "\\\\FAKE\\E$\\SMSPKG\\COPY.PCK");
	ask(f, &op, &out);
	is_str(out, "X:E:\\SMSPKG\\AAA00001.PCK,\\\\FAKE\\E$\\SMSPKG\\COPY.PCK,copied,10,10,"
	    "size-time;", "copyfile within the server: copied");
	ask(f, &op, &out);
	ok(strstr(out, ",identical,10,10,size-time;") != NULL, "  again: identical");
	mfind(m, "E:\\SMSPKG\\COPY.PCK")->ro = true;
	mfind(m, "E:\\SMSPKG\\COPY.PCK")->mtime = 5;
	ask(f, &op, &out);
	ok(strstr(out, ",copied,") != NULL, "  onto a read-only target with another time: "
	    "copied");
	op = op1(OP_COPYFILE, "src", "E:\\SMSPKG\\AAA00001.PCK", "dst",
	    "\\\\OTHER\\E$\\SMSPKG\\COPY.PCK");
	is_int(ask(f, &op, &out), 1, "copyfile to another server: not answered here");

	/* Renaming onto an existing name is refused, as PowerShell refuses. */
	op = op1(OP_RENAMEFILE, "path", "E:\\SMSPKG\\COPY.PCK", "newname", "AAA00001.PCK");
	is_int(ask(f, &op, &out), TRANSPORT_EREPLY, "renamefile onto an existing file fails");
	is_str(out, "remote error: E:\\SMSPKG\\AAA00001.PCK already exists", "  saying so");

	op = op1(OP_READFILE, "path", "E:\\SMSPKG\\AAA00001.PCK", "offset", "4");
	op_set(&op, "max", "3");
	ask(f, &op, &out);
	ok(strstr(out, "B:4,10,") != NULL && strstr(out, ",NDU2;") != NULL,
	    "readfile: offset, size, and the bytes 4-6 as base64");

	/* shareacl: Administrators by SID, inherited or on the root only. */
	struct files_ace aces[] = {
		{ "S-1-5-32-544", FILES_ACE_ALLOW, 0, 0x1f01ff },
		{ "S-1-5-18", FILES_ACE_ALLOW, FILES_ACE_OI | FILES_ACE_CI, 0x1f01ff },
		{ "S-1-5-21-1-2-3-1105", FILES_ACE_ALLOW, FILES_ACE_CI | FILES_ACE_NP, 0x1200a9 },
	};
	m->acl = (struct files_acl){ aces, 3 };
	op = op1(OP_SHAREACL, "server", "FAKE", "share", "SHARE");
	ask(f, &op, &out);
	is_str(out, "A:FAKE,SHARE,\\\\FAKE\\SHARE,no,BUILTIN\\Administrators:Allow:FullControl:"
	    "None:None\nNT AUTHORITY\\SYSTEM:Allow:FullControl:ContainerInherit, ObjectInherit:"
	    "None\nS-1-5-21-1-2-3-1105:Allow:ReadAndExecute, Synchronize:ContainerInherit:"
	    "NoPropagateInherit;", "shareacl, Administrators on the root only: Nested no, "
	    "the rules in Get-Acl's words");
	aces[0].flags = FILES_ACE_OI | FILES_ACE_CI;
	ask(f, &op, &out);
	ok(strstr(out, ",yes,") != NULL, "  with OI|CI: Nested yes");
	aces[0].flags = FILES_ACE_OI | FILES_ACE_CI | FILES_ACE_NP;
	ask(f, &op, &out);
	ok(strstr(out, ",no,") != NULL, "  with no-propagate: Nested no");
	m->acl = (struct files_acl){ NULL, 0 };

	/* writefile: create, append at the end only, keep the time given. */
	op = op1(OP_WRITEFILE, "path", "E:\\SMSPKG\\NEW.PCK", "offset", "0");
	op_set(&op, "data", "Zm9v");
	ask(f, &op, &out);
	is_str(out, "W:E:\\SMSPKG\\NEW.PCK,3;", "writefile at 0 creates the file");
	op_set(&op, "offset", "3");
	op_set(&op, "data", "YmFy");
	op_set(&op, "mtime", "2007-01-04T08:40:00Z");
	ask(f, &op, &out);
	is_str(out, "W:E:\\SMSPKG\\NEW.PCK,6;", "  at its end appends");
	is_int(mfind(m, "E:\\SMSPKG\\NEW.PCK")->mtime, 1167900000, "  and takes the time given");
	is_int(ask(f, &op, &out), TRANSPORT_EREPLY, "  the same chunk again is refused");
	is_str(out, "remote error: offset 3 is not the end of E:\\SMSPKG\\NEW.PCK (6 bytes)",
	    "  saying why: a chunk must not land twice");
	mfind(m, "E:\\SMSPKG\\NEW.PCK")->ro = true;
	op_set(&op, "offset", "0");
	ask(f, &op, &out);
	is_str(out, "remote error: Access to the path 'E:\\SMSPKG\\NEW.PCK' is denied.",
	    "  a read-only file refuses, as Windows refuses any writer");

	/* A failed connection, then an absent file system. */
	m->mode = FILES_FAILED;
	op = op1(OP_PATHINFO, "paths", "E:\\SMSPKG\\AAA00001.PCK", NULL, NULL);
	is_int(ask(f, &op, &out), TRANSPORT_EFAIL, "a failed connection: EFAIL");
	is_str(out, "FAKE: connection reset (op pathinfo)", "  naming the server and the op");
	m->mode = FILES_ABSENT;
	is_int(ask(f, &op, &out), 1, "an absent fs: not answered (the other way)");
	m->mode = FILES_OK;
	int before = m->calls;
	is_int(ask(f, &op, &out), 1, "  and not tried again for a while");
	is_int(m->calls, before, "  (no call made)");

	free(out);
	files_free(f);
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].path);
		buf_free(&m->v[i].data);
	}
	free(m);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
