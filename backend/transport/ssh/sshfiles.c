/*
 * The file ops the SSH transport answers over SFTP instead of PowerShell:
 * no PowerShell start-up per query, and SFTP is how Windows OpenSSH serves
 * files anyway.  The paths the host can answer itself are its own: a
 * drive path E:\... or the admin share naming the host, \\NAME\E$\...
 * (every path dpdoctor builds for a distribution point is one, and a DP's
 * own transport answers them).  The answer is the very records the
 * PowerShell of ops_ps.c gives, and keeps every path as it was asked, so
 * nothing above can tell.
 *
 * Answered here: pathinfo (a list that also names other servers' shares
 * sends those as a PowerShell pathinfo and merges the rows in order),
 * dirlist, setattr (read-only only: SFTP cannot express the archive bit),
 * deletefile and renamefile; loggrep and readfile, the ops on logs, are
 * in sshfiles_log.c; what they answer with, in sshfiles_call.c.  copyfile
 * stays PowerShell on purpose: SFTPv3 has no server-side copy, and
 * streaming a PCK through the administrator's link twice is worse than
 * the server copying it.
 *
 * A server that offers no SFTP (the subsystem refused, or nothing on a
 * separate SFTP port) is remembered: everything goes as PowerShell for
 * five minutes, then SFTP is tried again.  Other SFTP failures (timeouts,
 * a connection dropped mid-transfer) are the op's failure.  Read-only
 * mode and the op's arguments are checked before any of this
 * (transport_call).
 */
#include "autoconf.h"
#include "backend/transport/ssh/sshfiles.h"
#include "backend/transport/ssh/sshfiles_int.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SFTP_RETRY_MS (5 * 60 * 1000)

#define PATHINFO_COLS 8
static const char *const file_cols[] = { "Path", "Exists", "IsDir", "Size", "MTime",
	"Attrs", "Version", "Error", "Name", "PackageID" };

/* ---- paths ------------------------------------------------------------------ */

/* The drive path SFTP uses for an asked path that is the host's own
 * (E:\... as it is; \\NAME\E$\rest as E:\rest), or NULL. */
static char *
own_path(const struct sshfiles *f, const char *p)
{
	if (p == NULL || !ops_path_valid(p))
		return NULL;
	if (isalpha((unsigned char)p[0]) && p[1] == ':' && p[2] == '\\')
		return xstrdup(p);
	if (p[0] != '\\' || p[1] != '\\')
		return NULL;
	const char *name = p + 2;
	size_t n = strcspn(name, "\\");
	const char *share = name + n;
	if (*share != '\\' || n != strlen(f->host->name) ||
	    strncasecmp(name, f->host->name, n) != 0)
		return NULL;
	share++;
	if (!isalpha((unsigned char)share[0]) || share[1] != '$' ||
	    (share[2] != '\\' && share[2] != '\0'))
		return NULL;
	return xasprintf("%c:\\%s", share[0], share[2] != '\0' ? share + 3 : "");
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
attrs_of(const struct sshloop_stat *st)
{
	/* Read-only is the missing owner write bit (how Win32-OpenSSH shows
	 * READONLY); SFTP cannot see the archive bit, so files report it
	 * set, as a freshly copied file has it. */
	return (st->is_dir ? 0x10u : 0x20u) | (st->readonly ? 0x01u : 0);
}

/* One F row as FileRow of ops_ps.c gives it; name adds dirlist's columns.
 * v points into the row and at win and name. */
struct file_row {
	char size[24], mtime[21], attrs[8];
	const char *v[10];
};

static void
file_row(struct file_row *r, const char *win, const struct sshloop_stat *st, const char *name)
{
	r->size[0] = r->mtime[0] = r->attrs[0] = '\0';
	if (st->exists) {
		snprintf(r->attrs, sizeof r->attrs, "%u", attrs_of(st));
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
	char *why[OPS_MAX_PATHS];       /* the Error column of a row SFTP answered */
	struct file_row row[OPS_MAX_PATHS];
	char *ps[OPS_MAX_PATHS][PATHINFO_COLS];   /* PowerShell's rows for the rest */
	size_t nps;
};

/* One row over SFTP: the Error column when the drive is not there or the
 * server refused the stat. */
static int
pathinfo_one(struct sshfiles_call *c, struct pathinfo *p, size_t i)
{
	int r = sshfiles_reach(c, p->paths[i], p->drv[i], &p->why[i]);
	struct sshloop_stat st;
	if (r > 0) {
		int s = sshfiles_stat(c, p->drv[i], &st, &p->why[i]);
		r = s == 0 ? 2 : s;
	}
	if (r == 2) {
		file_row(&p->row[i], p->paths[i], &st, NULL);
	} else if (r >= 0) {
		const char *v[] = { p->paths[i], "", "", "", "", "", "",
			p->why[i] ? p->why[i] : "stat failed" };
		memcpy(p->row[i].v, v, sizeof v);
	}
	return r < 0 ? -1 : 0;
}

/* PowerShell's rows for the paths SFTP cannot answer, in order. */
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

/* PowerShell's rows as they came, for a reply that failed after them. */
static int
ps_forward(struct sshfiles_call *c, const struct pathinfo *p)
{
	proto_emit_cols(&c->out, "F", file_cols, PATHINFO_COLS);
	for (size_t k = 0; k < p->nps && k < OPS_MAX_PATHS; k++)
		if (sshfiles_row(c, (const char *const *)p->ps[k], PATHINFO_COLS) != 0)
			return TRANSPORT_EREPLY;
	return 0;
}

/* The paths SFTP cannot answer (other servers' shares), asked as one
 * PowerShell pathinfo of their own: 0 with their rows; as the PowerShell
 * call failed otherwise (a failed reply with the rows it gave first, as
 * the caller would have had them). */
static int
ps_others(struct sshfiles_call *c, struct transport *t, transport_call_fn ps,
    struct pathinfo *p, const char *list, size_t want)
{
	struct op op = { .kind = OP_PATHINFO };
	op_set(&op, "paths", list);
	int rc = ps(t, &op, ps_row, p, c->dl, c->err);
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
		err_set(c->err, "%s: pathinfo: PowerShell answered %zu paths of %zu", t->host,
		    p->nps, want);
		rc = TRANSPORT_EFAIL;
	}
	return rc;
}

static int
pathinfo_emit(struct sshfiles_call *c, const struct pathinfo *p)
{
	proto_emit_cols(&c->out, "F", file_cols, PATHINFO_COLS);
	for (size_t i = 0, k = 0; i < p->n; i++) {
		const char *const *v = p->drv[i] != NULL ? p->row[i].v :
		    (const char *const *)p->ps[k++];
		if (sshfiles_row(c, v, PATHINFO_COLS) != 0)
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
 * pathinfo: the host's own paths over SFTP.  The evidence asks for the
 * primary's PCK together with the package source on a file server, so a
 * mixed list is split: the rest goes as PowerShell, over only those
 * paths, and the rows are put back in the asked order.  1 when no path is
 * the host's own (all as PowerShell, as before).
 */
static int
sftp_pathinfo(struct sshfiles_call *c, struct transport *t, transport_call_fn ps,
    const struct op *op)
{
	struct pathinfo *p = xcalloc(1, sizeof *p);
	size_t nown = 0;
	struct buf others;
	buf_init(&others);
	for (const char *s = op_arg(op, "paths"); p->n < OPS_MAX_PATHS;) {
		size_t len = strcspn(s, "|");
		p->paths[p->n] = xstrndup(s, len);
		p->drv[p->n] = own_path(c->f, p->paths[p->n]);
		nown += p->drv[p->n] != NULL;
		if (p->drv[p->n] == NULL)
			buf_printf(&others, "%s%s", others.len > 0 ? "|" : "", p->paths[p->n]);
		p->n++;
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	int rc = 1;                   /* nothing for SFTP: all as PowerShell */
	if (nown > 0)
		rc = nown < p->n ? ps_others(c, t, ps, p, others.data, p->n - nown) : 0;
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
	const struct sshloop_dirent *x = a, *y = b;
	return strcasecmp(x->name, y->name);
}

static int
dirlist_rows(struct sshfiles_call *c, const char *dir, const struct sshloop_dir *d)
{
	const char *sep = dir[strlen(dir) - 1] == '\\' ? "" : "\\";
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < d->n; i++) {
		char *win = xasprintf("%s%s%s", dir, sep, d->v[i].name);
		struct file_row r;
		file_row(&r, win, &d->v[i].st, d->v[i].name);
		rc = sshfiles_row(c, r.v, 10);
		free(win);
	}
	return rc;
}

static int
sftp_dirlist(struct sshfiles_call *c, const struct op *op, const char *drv)
{
	const char *dir = op_arg(op, "dir");
	char *why = NULL;
	int r = sshfiles_reach(c, dir, drv, &why);
	if (r <= 0)
		return r < 0 ? -1 : sshfiles_fail(c, why);
	proto_emit_cols(&c->out, "F", file_cols, 10);
	/* Like Test-Path -PathType Container: no folder, no rows. */
	struct sshloop_stat st;
	struct sshloop_dir d = { NULL, 0 };
	r = sshfiles_stat(c, drv, &st, &why);
	if (r == 0 && st.exists && st.is_dir)
		r = sshfiles_list(c, drv, op_arg(op, "pattern"), &d, &why);
	if (r != 0) {
		sshloop_dir_free(&d);
		return r < 0 ? -1 : sshfiles_fail(c, why);
	}
	if (d.n > 0)
		qsort(d.v, d.n, sizeof *d.v, name_cmp);
	r = dirlist_rows(c, dir, &d);
	sshloop_dir_free(&d);
	return r;
}

/* ---- the changing ops ---------------------------------------------------------- */

static int
reply_one(struct sshfiles_call *c, const char *type, const char *const cols[2],
    const char *a, const char *b)
{
	const char *v[] = { a, b };
	proto_emit_cols(&c->out, type, cols, 2);
	return sshfiles_row(c, v, 2);
}

static int
sftp_setattr(struct sshfiles_call *c, const struct op *op, const char *drv)
{
	static const char *const cols[] = { "Path", "Attrs" };
	const char *path = op_arg(op, "path"), *ro = op_arg(op, "readonly");
	struct sshloop_stat st;
	int r = sshfiles_need(c, path, drv, &st);
	if (r != 0)
		return r < 0 ? -1 : 0;
	char *why = NULL;
	if (ro != NULL && (strcmp(ro, "set") == 0 || strcmp(ro, "clear") == 0)) {
		r = sshfiles_setro(c, drv, strcmp(ro, "set") == 0, &why);
		if (r == 0)
			r = sshfiles_stat(c, drv, &st, &why);
	}
	if (r != 0) {
		if (r < 0)
			free(why);
		return r < 0 ? -1 : sshfiles_fail(c, why);
	}
	char attrs[8];
	snprintf(attrs, sizeof attrs, "%u", attrs_of(&st));
	return reply_one(c, "A", cols, path, attrs);
}

static int
sftp_deletefile(struct sshfiles_call *c, const struct op *op, const char *drv)
{
	static const char *const cols[] = { "Path", "Result" };
	const char *path = op_arg(op, "path");
	char *why = NULL;
	int r = sshfiles_reach(c, path, drv, &why);
	if (r <= 0)
		return r < 0 ? -1 : sshfiles_fail(c, why);
	struct sshloop_stat st;
	r = sshfiles_stat(c, drv, &st, &why);
	if (r == 0 && st.exists && st.is_dir)
		return sshfiles_fail(c, xasprintf("%s is a folder, not a file", path));
	/* Remove-Item -Force removes a read-only file; Windows refuses to
	 * delete one otherwise, so the bit goes first. */
	if (r == 0 && st.exists && st.readonly)
		r = sshfiles_setro(c, drv, false, &why);
	if (r == 0 && st.exists)
		r = sshfiles_unlink(c, drv, &why);
	if (r != 0) {
		if (r < 0)
			free(why);
		return r < 0 ? -1 : sshfiles_fail(c, why);
	}
	return reply_one(c, "D", cols, path, st.exists ? "deleted" : "absent");
}

static int
sftp_renamefile(struct sshfiles_call *c, const struct op *op, const char *drv)
{
	static const char *const cols[] = { "Path", "NewPath" };
	const char *path = op_arg(op, "path"), *name = op_arg(op, "newname");
	struct sshloop_stat st;
	int r = sshfiles_need(c, path, drv, &st);
	if (r != 0)
		return r < 0 ? -1 : 0;
	char *to = sibling(path, name), *to_drv = sibling(drv, name), *why = NULL;
	/* Test-Path of the target, as the server's file system sees it: a
	 * case-only rename is refused on Windows, as PowerShell refuses it,
	 * and done where names have case (the simulator does the same). */
	r = sshfiles_stat(c, to_drv, &st, &why);
	if (r == 0 && st.exists)
		why = xasprintf("%s already exists", to);
	else if (r == 0)
		r = sshfiles_rename(c, drv, to_drv, &why);
	if (r == 0 && why == NULL)
		r = reply_one(c, "N", cols, path, to);
	else if (r >= 0)
		r = sshfiles_fail(c, why);
	else
		free(why);
	free(to);
	free(to_drv);
	return r;
}

/* ---- choosing -------------------------------------------------------------------- */

/* The op's argument naming its file, when SFTP can do what the op asks
 * (its arguments were checked by transport_call). */
static const char *
op_file(const struct op *op)
{
	const char *a;
	switch (op->kind) {
	case OP_DIRLIST:
		return op_arg(op, "dir");
	case OP_LOGGREP:
		return op_arg(op, "log");
	case OP_SETATTR:
		a = op_arg(op, "archive");   /* SFTP cannot express the archive bit */
		return a == NULL || *a == '\0' || strcmp(a, "keep") == 0 ? op_arg(op, "path") :
		    NULL;
	case OP_DELETEFILE:
	case OP_READFILE:
	case OP_RENAMEFILE:
		return op_arg(op, "path");
	default:
		return NULL;
	}
}

/* Who answers each op kind on a drive path. */
static int (*const by_kind[OP_COUNT])(struct sshfiles_call *, const struct op *,
    const char *) = {
	[OP_DIRLIST] = sftp_dirlist,
	[OP_LOGGREP] = sshfiles_loggrep,
	[OP_READFILE] = sshfiles_readfile,
	[OP_SETATTR] = sftp_setattr,
	[OP_DELETEFILE] = sftp_deletefile,
	[OP_RENAMEFILE] = sftp_renamefile,
};

static int
route(struct sshfiles_call *c, struct transport *t, transport_call_fn ps, const struct op *op)
{
	if (op->kind == OP_PATHINFO)
		return sftp_pathinfo(c, t, ps, op);
	char *drv = own_path(c->f, op_file(op));
	if (drv == NULL || (unsigned)op->kind >= OP_COUNT || by_kind[op->kind] == NULL) {
		free(drv);
		return 1;
	}
	int rc = by_kind[op->kind](c, op, drv);
	free(drv);
	return rc;
}

int
sshfiles_answer(struct sshfiles *f, struct transport *t, transport_call_fn ps,
    const struct op *op, proto_record_fn fn, void *arg, const struct deadline *dl, char **err)
{
	if (clock_mono_ms() < atomic_load(&f->off_until))
		return 1;
	struct sshfiles_call c = { .f = f, .op = op_name(op->kind), .dl = dl, .err = err };
	proto_emit_begin(&c.out, fn, arg);
	int rc = route(&c, t, ps, op);
	if (rc == TRANSPORT_EFAIL && c.no_sftp) {
		/* Nothing was changed: SFTP fails at its first call; nothing
		 * was given to fn: that comes after the last. */
		atomic_store(&f->off_until, clock_mono_ms() + SFTP_RETRY_MS);
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
	return rc;
}

struct sshfiles *
sshfiles_new(struct sshloop *l, const struct ssh_host *host, int sftp_port)
{
	struct sshfiles *f = xcalloc(1, sizeof *f);
	f->loop = l;
	f->host = host;
	f->sftp_host = *host;
	f->separate = sftp_port > 0 && sftp_port != host->port;
	if (sftp_port > 0)
		f->sftp_host.port = sftp_port;
	atomic_init(&f->off_until, 0);
	f->logs = sshfiles_logs_new();
	return f;
}

void
sshfiles_free(struct sshfiles *f)
{
	if (f == NULL)
		return;
	sshfiles_logs_free(f->logs);
	free(f);
}
