/*
 * The file ops a transport answers from a file system it reaches itself
 * (files.h) instead of running a script: no PowerShell start-up per query,
 * and no second hop from the WMI host to the server.  The paths the fs
 * answers are its server's own (fs->own); every path dpdoctor builds for
 * a distribution point is one, and a DP's own transport answers them.  The
 * answer is the very records the PowerShell of ops_ps.c gives, and keeps
 * every path as it was asked, so nothing above can tell.
 *
 * Answered here: pathinfo (a list that also names other servers' shares
 * sends those the other way, the transport's PowerShell, and merges the
 * rows in order), dirlist, setattr (the archive bit only where the fs sees
 * it), deletefile, renamefile and, where the fs can copy on the server,
 * copyfile within the server, and writefile where the fs writes (a copy
 * between servers streamed through this machine, route.c); loggrep and readfile, the ops on logs, are
 * in files_log.c; shareacl, where the fs reads a DACL, in files_acl.c;
 * what they answer with, in files_call.c.
 *
 * An fs found absent (a host without SFTP) is remembered: nothing is
 * answered here for five minutes, then it is tried again.  Other failures
 * (timeouts, a connection dropped mid-transfer) are the op's failure.
 * Read-only mode and the op's arguments are checked before any of this
 * (transport_call).
 */
#include "autoconf.h"
#include "backend/transport/files/files.h"
#include "backend/transport/files/files_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ABSENT_RETRY_MS (5 * 60 * 1000)

#define PATHINFO_COLS 8
static const char *const file_cols[] = { "Path", "Exists", "IsDir", "Size", "MTime",
	"Attrs", "Version", "Error", "Name", "PackageID" };

void
files_dir_free(struct files_dir *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].name);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

/* The same folder, another name: Join-Path $i.DirectoryName $name. */
static char *
sibling(const char *p, const char *name)
{
	const char *slash = strrchr(p, '\\');
	return xasprintf("%.*s\\%s", (int)(slash - p), p, name);
}

/* ---- pathinfo and dirlist ----------------------------------------------------- */

static unsigned
attrs_of(const struct files_call *c, const struct files_stat *st)
{
	/* A file system that cannot see the archive bit (SFTP) reports it
	 * set on files, as a freshly copied file has it. */
	unsigned a = c->f->fs->archive ? (st->archive ? 0x20u : 0) : st->is_dir ? 0 : 0x20u;
	return (st->is_dir ? 0x10u : 0) | a | (st->readonly ? 0x01u : 0);
}

/* One F row as FileRow of ops_ps.c gives it; name adds dirlist's columns.
 * v points into the row and at win and name. */
struct file_row {
	char size[24], mtime[21], attrs[8];
	const char *v[10];
};

static void
file_row(const struct files_call *c, struct file_row *r, const char *win, const struct files_stat *st, const char *name)
{
	r->size[0] = r->mtime[0] = r->attrs[0] = '\0';
	if (st->exists) {
		snprintf(r->attrs, sizeof r->attrs, "%u", attrs_of(c, st));
		if (!st->is_dir)
			snprintf(r->size, sizeof r->size, "%llu", (unsigned long long)st->size);
		time_format_iso(st->mtime, r->mtime);
	}
	const char *v[] = { win, st->exists ? "1" : "0", st->exists && st->is_dir ? "1" : "0",
		r->size, r->mtime, r->attrs, "", "", name, "" };
	memcpy(r->v, v, sizeof v);
}

/* A pathinfo's answer, one row per asked path, in order. */
struct pathinfo {
	size_t n;
	char *paths[OPS_MAX_PATHS];
	char *drv[OPS_MAX_PATHS];       /* the drive path; NULL: another server's */
	char *why[OPS_MAX_PATHS];       /* the Error column of a row the fs answered */
	struct file_row row[OPS_MAX_PATHS];
	char *ps[OPS_MAX_PATHS][PATHINFO_COLS];   /* the other way's rows for the rest */
	size_t nps;
};

/* One row from the fs: the Error column when the drive is not there or the
 * server refused the stat. */
static int
pathinfo_one(struct files_call *c, struct pathinfo *p, size_t i)
{
	int r = files_reach(c, p->paths[i], p->drv[i], &p->why[i]);
	struct files_stat st;
	if (r > 0) {
		int s = files_call_stat(c, p->drv[i], &st, &p->why[i]);
		r = s == 0 ? 2 : s;
	}
	if (r == 2) {
		file_row(c, &p->row[i], p->paths[i], &st, NULL);
	} else if (r >= 0) {
		const char *v[] = { p->paths[i], "", "", "", "", "", "",
			p->why[i] ? p->why[i] : "stat failed" };
		memcpy(p->row[i].v, v, sizeof v);
	}
	return r < 0 ? -1 : 0;
}

/* The other way's rows for the paths the fs cannot answer, in order. */
static int
ps_row(const struct proto_record *r, void *arg, char **err)
{
	struct pathinfo *p = arg;
	(void)err;
	if (strcmp(r->type, "F") != 0)
		return 0;
	if (p->nps < OPS_MAX_PATHS)
		for (size_t i = 0; i < PATHINFO_COLS; i++) {
			const char *v = proto_get(r, file_cols[i]);
			p->ps[p->nps][i] = xstrdup(v != NULL ? v : "");
		}
	p->nps++;
	return 0;
}

/* The other way's rows as they came, for a reply that failed after them. */
static int
ps_forward(struct files_call *c, const struct pathinfo *p)
{
	proto_emit_cols(&c->out, "F", file_cols, PATHINFO_COLS);
	for (size_t k = 0; k < p->nps && k < OPS_MAX_PATHS; k++)
		if (files_row(c, (const char *const *)p->ps[k], PATHINFO_COLS) != 0)
			return TRANSPORT_EREPLY;
	return 0;
}

/* Rows for paths nothing here can answer (no other way given). */
static void
ps_none(const struct files_call *c, struct pathinfo *p)
{
	for (size_t i = 0; i < p->n && p->nps < OPS_MAX_PATHS; i++) {
		if (p->drv[i] != NULL)
			continue;
		const char *v[PATHINFO_COLS] = { p->paths[i], "", "", "", "", "", "" };
		for (size_t k = 0; k < PATHINFO_COLS - 1; k++)
			p->ps[p->nps][k] = xstrdup(v[k]);
		p->ps[p->nps++][PATHINFO_COLS - 1] = xasprintf("not on %s: %s reaches only its "
		    "own server's files", c->f->host, c->f->fs->name);
	}
}

/* The paths the fs cannot answer (other servers' shares), asked the other
 * way as one pathinfo of their own: 0 with their rows; as that call failed
 * otherwise (a failed reply with the rows it gave first, as the caller
 * would have had them). */
static int
ps_others(struct files_call *c, const struct files_other *o, struct pathinfo *p,
    const char *list, size_t want)
{
	if (o == NULL) {
		ps_none(c, p);
		return 0;
	}
	struct op op = { .kind = OP_PATHINFO };
	op_set(&op, "paths", list);
	int rc = o->call(o->t, &op, ps_row, p, c->dl, c->err);
	if (rc == TRANSPORT_EREPLY) {
		char *why = c->err != NULL ? *c->err : NULL;
		if (c->err != NULL)
			*c->err = NULL;
		rc = ps_forward(c, p);
		if (rc == 0 && c->err != NULL)
			*c->err = why;
		else
			free(why);
		return TRANSPORT_EREPLY;
	}
	if (rc == 0 && p->nps != want) {
		err_set(c->err, "%s: pathinfo: answered %zu paths of %zu", o->t->host, p->nps,
		    want);
		rc = TRANSPORT_EFAIL;
	}
	return rc;
}

static int
pathinfo_emit(struct files_call *c, const struct pathinfo *p)
{
	proto_emit_cols(&c->out, "F", file_cols, PATHINFO_COLS);
	for (size_t i = 0, k = 0; i < p->n; i++) {
		const char *const *v = p->drv[i] != NULL ? p->row[i].v :
		    (const char *const *)p->ps[k++];
		if (files_row(c, v, PATHINFO_COLS) != 0)
			return TRANSPORT_EREPLY;
	}
	return 0;
}

static void
pathinfo_free(struct pathinfo *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->paths[i]);
		free(p->drv[i]);
		free(p->why[i]);
	}
	for (size_t k = 0; k < p->nps && k < OPS_MAX_PATHS; k++)
		for (size_t i = 0; i < PATHINFO_COLS; i++)
			free(p->ps[k][i]);
	free(p);
}

/*
 * pathinfo: the host's own paths from the fs.  The evidence asks for the
 * primary's PCK together with the package source on a file server, so a
 * mixed list is split: the rest goes the other way (the transport's
 * PowerShell), over only those paths, and the rows are put back in the
 * asked order.  1 when no path is the host's own (all the other way).
 */
static int
op_pathinfo(struct files_call *c, const struct files_other *o, const struct op *op)
{
	struct pathinfo *p = xcalloc(1, sizeof *p);
	size_t nown = 0;
	struct buf others;
	buf_init(&others);
	for (const char *s = op_arg(op, "paths"); p->n < OPS_MAX_PATHS;) {
		size_t len = strcspn(s, "|");
		p->paths[p->n] = xstrndup(s, len);
		p->drv[p->n] = c->f->fs->own(c->f->fs_arg, p->paths[p->n]);
		nown += p->drv[p->n] != NULL;
		if (p->drv[p->n] == NULL)
			buf_printf(&others, "%s%s", others.len > 0 ? "|" : "", p->paths[p->n]);
		p->n++;
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	int rc = 1;                   /* nothing for the fs: all the other way */
	if (nown > 0)
		rc = nown < p->n ? ps_others(c, o, p, others.data, p->n - nown) : 0;
	for (size_t i = 0; rc == 0 && nown > 0 && i < p->n; i++)
		if (p->drv[i] != NULL)
			rc = pathinfo_one(c, p, i);
	if (rc == 0 && nown > 0)
		rc = pathinfo_emit(c, p);
	pathinfo_free(p);
	buf_free(&others);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	const struct files_dirent *x = a, *y = b;
	return strcasecmp(x->name, y->name);
}

static int
dirlist_rows(struct files_call *c, const char *dir, const struct files_dir *d)
{
	const char *sep = dir[strlen(dir) - 1] == '\\' ? "" : "\\";
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < d->n; i++) {
		char *win = xasprintf("%s%s%s", dir, sep, d->v[i].name);
		struct file_row r;
		file_row(c, &r, win, &d->v[i].st, d->v[i].name);
		rc = files_row(c, r.v, 10);
		free(win);
	}
	return rc;
}

static int
op_dirlist(struct files_call *c, const struct op *op, const char *drv)
{
	const char *dir = op_arg(op, "dir");
	char *why = NULL;
	int r = files_reach(c, dir, drv, &why);
	if (r <= 0)
		return r < 0 ? -1 : files_fail(c, why);
	proto_emit_cols(&c->out, "F", file_cols, 10);
	/* Like Test-Path -PathType Container: no folder, no rows. */
	struct files_stat st;
	struct files_dir d = { NULL, 0 };
	r = files_call_stat(c, drv, &st, &why);
	if (r == 0 && st.exists && st.is_dir)
		r = files_call_list(c, drv, op_arg(op, "pattern"), &d, &why);
	if (r != 0) {
		files_dir_free(&d);
		return r < 0 ? -1 : files_fail(c, why);
	}
	if (d.n > 0)
		array_sort(d.v, d.n, sizeof *d.v, name_cmp);
	r = dirlist_rows(c, dir, &d);
	files_dir_free(&d);
	return r;
}

/* ---- the changing ops ---------------------------------------------------------- */

static int
reply_one(struct files_call *c, const char *type, const char *const cols[2],
    const char *a, const char *b)
{
	const char *v[] = { a, b };
	proto_emit_cols(&c->out, type, cols, 2);
	return files_row(c, v, 2);
}

/* "set" 1, "clear" 0, "keep" or absent -1. */
static int
attr_want(const char *v)
{
	return v == NULL ? -1 : strcmp(v, "set") == 0 ? 1 : strcmp(v, "clear") == 0 ? 0 : -1;
}

/* 0, or as the fs call failed (1 with why taken; -1). */
static int
ended(struct files_call *c, int r, char *why)
{
	if (r == 0) {
		free(why);
		return 0;
	}
	if (r < 0) {
		free(why);
		return -1;
	}
	return files_fail(c, why);
}

static int
op_setattr(struct files_call *c, const struct op *op, const char *drv)
{
	static const char *const cols[] = { "Path", "Attrs" };
	const char *path = op_arg(op, "path");
	int ro = attr_want(op_arg(op, "readonly")), ar = attr_want(op_arg(op, "archive"));
	struct files_stat st;
	int r = files_need(c, path, drv, &st);
	if (r != 0)
		return r < 0 ? -1 : 0;
	char *why = NULL;
	if (ro >= 0 || ar >= 0) {
		r = files_call_setattr(c, drv, ro, ar, &why);
		if (r == 0)
			r = files_call_stat(c, drv, &st, &why);
	}
	if (r != 0)
		return ended(c, r, why);
	free(why);
	char attrs[8];
	snprintf(attrs, sizeof attrs, "%u", attrs_of(c, &st));
	return reply_one(c, "A", cols, path, attrs);
}

/* Remove-Item -Force removes a read-only file; Windows refuses to delete
 * (or overwrite) one otherwise, so the bit goes first. */
static int
writable(struct files_call *c, const char *drv, const struct files_stat *st, char **why)
{
	return st->exists && st->readonly ? files_call_setattr(c, drv, 0, -1, why) : 0;
}

static int
op_deletefile(struct files_call *c, const struct op *op, const char *drv)
{
	static const char *const cols[] = { "Path", "Result" };
	const char *path = op_arg(op, "path");
	char *why = NULL;
	int r = files_reach(c, path, drv, &why);
	if (r <= 0)
		return r < 0 ? -1 : files_fail(c, why);
	struct files_stat st;
	r = files_call_stat(c, drv, &st, &why);
	if (r == 0 && st.exists && st.is_dir)
		return files_fail(c, xasprintf("%s is a folder, not a file", path));
	if (r == 0)
		r = writable(c, drv, &st, &why);
	if (r == 0 && st.exists)
		r = files_call_unlink(c, drv, &why);
	if (r != 0)
		return ended(c, r, why);
	return reply_one(c, "D", cols, path, st.exists ? "deleted" : "absent");
}

static int
op_renamefile(struct files_call *c, const struct op *op, const char *drv)
{
	static const char *const cols[] = { "Path", "NewPath" };
	const char *path = op_arg(op, "path"), *name = op_arg(op, "newname");
	struct files_stat st;
	int r = files_need(c, path, drv, &st);
	if (r != 0)
		return r < 0 ? -1 : 0;
	char *to = sibling(path, name), *to_drv = sibling(drv, name), *why = NULL;
	/* Test-Path of the target, as the server's file system sees it: a
	 * case-only rename is refused on Windows, as PowerShell refuses it,
	 * and done where names have case (the simulator does the same). */
	r = files_call_stat(c, to_drv, &st, &why);
	if (r == 0 && st.exists)
		why = xasprintf("%s already exists", to);
	else if (r == 0)
		r = files_call_rename(c, drv, to_drv, &why);
	if (r == 0 && why == NULL)
		r = reply_one(c, "N", cols, path, to);
	else
		r = ended(c, r == 0 ? 1 : r, why);
	free(to);
	free(to_drv);
	return r;
}

/* copyfile within one server, as copyfile_ps does it: the same size and
 * last write time is "identical" (judged by size and time: the files are
 * not read back over the network); otherwise a read-only target is made
 * writable and the server copies the file itself. */
static int
copy_do(struct files_call *c, const char *src, const char *dst, const char *sdrv,
    const char *ddrv)
{
	struct files_stat s, d;
	int r = files_need(c, src, sdrv, &s);
	if (r != 0)
		return r < 0 ? -1 : 0;
	char *why = NULL;
	r = files_call_stat(c, ddrv, &d, &why);
	if (r == 0 && d.exists && d.is_dir)
		return ended(c, 1, xasprintf("%s is a folder, not a file", dst));
	bool same = r == 0 && d.exists && d.size == s.size && d.mtime == s.mtime;
	if (r == 0 && !same)
		r = writable(c, ddrv, &d, &why);
	if (r == 0 && !same)
		r = files_call_copy(c, sdrv, ddrv, &why);
	if (r == 0)
		r = files_call_stat(c, ddrv, &d, &why);
	if (r != 0)
		return ended(c, r, why);
	free(why);
	static const char *const cols[] = { "Source", "Dest", "Result", "SrcSize", "DstSize",
		"Compared" };
	char ss[24], ds[24];
	snprintf(ss, sizeof ss, "%llu", (unsigned long long)s.size);
	snprintf(ds, sizeof ds, "%llu", (unsigned long long)d.size);
	const char *v[] = { src, dst, same ? "identical" : "copied", ss, ds, "size-time" };
	proto_emit_cols(&c->out, "X", cols, 6);
	return files_row(c, v, 6);
}

static int
op_copyfile(struct files_call *c, const struct op *op, const char *sdrv)
{
	const char *src = op_arg(op, "src"), *dst = op_arg(op, "dst");
	char *ddrv = c->f->fs->own(c->f->fs_arg, dst), *why = NULL;
	int r = files_reach(c, src, sdrv, &why);
	if (r > 0)
		r = files_reach(c, dst, ddrv, &why);
	if (r > 0)
		r = copy_do(c, src, dst, sdrv, ddrv);
	else if (r == 0)
		r = files_fail(c, why);
	else
		free(why);
	free(ddrv);
	return r;
}

/* writefile as writefile_ps does it: a folder, a read-only file and an
 * offset that is not the file's end are refused before anything is
 * written. */
static int
op_writefile(struct files_call *c, const struct op *op, const char *drv)
{
	const char *path = op_arg(op, "path"), *data = op_arg(op, "data");
	const char *mt = op_arg(op, "mtime");
	uint64_t off = strtoull(op_arg(op, "offset"), NULL, 10);
	dpd_time t = 0;
	if (mt != NULL && *mt != '\0' && time_parse_iso(mt, &t) != 0)
		return files_fail(c, xstrdup("String was not recognized as a valid DateTime."));
	struct files_stat st;
	char *why = NULL;
	int r = files_reach(c, path, drv, &why);
	if (r <= 0)
		return r < 0 ? -1 : files_fail(c, why);
	r = files_call_stat(c, drv, &st, &why);
	if (r != 0)
		return ended(c, r, why);
	if (st.exists && st.is_dir)
		return files_fail(c, xasprintf("%s is a folder, not a file", path));
	if (st.exists && st.readonly)
		return files_fail(c, xasprintf("Access to the path '%s' is denied.", path));
	uint64_t size = st.exists ? st.size : 0;
	if (off != 0 && size != off)
		return files_fail(c, xasprintf("offset %llu is not the end of %s (%llu bytes)",
		    (unsigned long long)off, path, (unsigned long long)size));
	struct buf b;
	buf_init(&b);
	if (data != NULL && ops_b64_decode(data, strlen(data), &b) != 0) {
		buf_free(&b);
		return files_fail(c, xstrdup("Invalid character in a Base-64 string."));
	}
	r = files_call_write(c, drv, off, &b, t, &why);
	buf_free(&b);
	if (r == 0)
		r = files_call_stat(c, drv, &st, &why);
	if (r != 0)
		return ended(c, r, why);
	free(why);
	static const char *const cols[] = { "Path", "Size" };
	char sz[24];
	snprintf(sz, sizeof sz, "%llu", (unsigned long long)st.size);
	return reply_one(c, "W", cols, path, sz);
}

/* ---- choosing -------------------------------------------------------------------- */

/* The op's argument naming its file, when the fs can do what the op asks
 * (its arguments were checked by transport_call). */
static const char *
op_file(const struct files *f, const struct op *op)
{
	const char *a;
	switch (op->kind) {
	case OP_DIRLIST:
		return op_arg(op, "dir");
	case OP_LOGGREP:
		return op_arg(op, "log");
	case OP_SETATTR:
		a = op_arg(op, "archive");
		return f->fs->archive || attr_want(a) < 0 ? op_arg(op, "path") : NULL;
	case OP_COPYFILE: {
		/* Both ends on this server: the server copies (route.c sends
		 * a copy between servers elsewhere). */
		char *d = f->fs->copy != NULL ? f->fs->own(f->fs_arg, op_arg(op, "dst")) : NULL;
		bool here = d != NULL;
		free(d);
		return here ? op_arg(op, "src") : NULL;
	}
	case OP_SHAREACL:
		return NULL;                 /* files_acl.c names its own path */
	case OP_WRITEFILE:
		return f->fs->write != NULL ? op_arg(op, "path") : NULL;
	case OP_DELETEFILE:
	case OP_READFILE:
	case OP_RENAMEFILE:
		return op_arg(op, "path");
	default:
		return NULL;
	}
}

/* Who answers each op kind on an own path. */
static int (*const by_kind[OP_COUNT])(struct files_call *, const struct op *, const char *) = {
	[OP_DIRLIST] = op_dirlist,
	[OP_LOGGREP] = files_loggrep,
	[OP_READFILE] = files_readfile,
	[OP_SETATTR] = op_setattr,
	[OP_DELETEFILE] = op_deletefile,
	[OP_RENAMEFILE] = op_renamefile,
	[OP_COPYFILE] = op_copyfile,
	[OP_WRITEFILE] = op_writefile,
};

static int
choose(struct files_call *c, const struct files_other *o, const struct op *op)
{
	if (op->kind == OP_PATHINFO)
		return op_pathinfo(c, o, op);
	if (op->kind == OP_SHAREACL)
		return c->f->fs->acl != NULL ? files_shareacl(c, op) : 1;
	const char *file = (unsigned)op->kind < OP_COUNT ? op_file(c->f, op) : NULL;
	char *drv = file != NULL ? c->f->fs->own(c->f->fs_arg, file) : NULL;
	if (drv == NULL || by_kind[op->kind] == NULL) {
		free(drv);
		return 1;
	}
	int rc = by_kind[op->kind](c, op, drv);
	free(drv);
	return rc;
}

int
files_answer(struct files *f, const struct files_other *o, const struct op *op,
    proto_record_fn fn, void *arg, const struct deadline *dl, char **err)
{
	if (clock_mono_ms() < atomic_load(&f->off_until))
		return 1;
	struct files_call c = { .f = f, .op = op_name(op->kind), .dl = dl, .err = err };
	proto_emit_begin(&c.out, fn, arg);
	int rc = choose(&c, o, op);
	if (rc == TRANSPORT_EFAIL && c.absent) {
		/* Nothing was changed: an absent fs fails at its first call;
		 * nothing was given to fn: that comes after the last. */
		atomic_store(&f->off_until, clock_mono_ms() + ABSENT_RETRY_MS);
		if (err != NULL) {
			free(*err);
			*err = NULL;
		}
		rc = 1;
	} else if (rc == 0 && c.why != NULL) {
		err_set(err, "remote error: %s", c.why);
		rc = TRANSPORT_EREPLY;
	}
	free(c.why);
	for (size_t i = 0; i < c.nroots; i++)
		free(c.roots[i].root);
	return rc;
}

uint32_t
files_answers(const struct files *f)
{
	uint32_t a = TRANSPORT_OP(OP_PATHINFO) | TRANSPORT_OP(OP_DIRLIST) |
	    TRANSPORT_OP(OP_LOGGREP) | TRANSPORT_OP(OP_READFILE) | TRANSPORT_OP(OP_SETATTR) |
	    TRANSPORT_OP(OP_DELETEFILE) | TRANSPORT_OP(OP_RENAMEFILE);
	if (f->fs->copy != NULL)
		a |= TRANSPORT_OP(OP_COPYFILE);
	if (f->fs->acl != NULL)
		a |= TRANSPORT_OP(OP_SHAREACL);
	if (f->fs->write != NULL)
		a |= TRANSPORT_OP(OP_WRITEFILE);
	return a;
}

struct files *
files_new(const struct files_fs *fs, void *fs_arg, const char *host)
{
	struct files *f = xcalloc(1, sizeof *f);
	f->fs = fs;
	f->fs_arg = fs_arg;
	f->host = xstrdup(host);
	atomic_init(&f->off_until, 0);
	f->logs = files_logs_new();
	return f;
}

void
files_free(struct files *f)
{
	if (f == NULL)
		return;
	files_logs_free(f->logs);
	free(f->host);
	free(f);
}
