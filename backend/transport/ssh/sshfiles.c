/*
 * The file ops the SSH transport answers over SFTP instead of PowerShell:
 * no PowerShell start-up per query, and SFTP is how Windows OpenSSH serves
 * files anyway.  The rendered script is read back (ops_parse); the paths
 * the host can answer itself are its own: a drive path E:\... or the
 * admin share naming the host, \\NAME\E$\... (every path dpdoctor builds
 * for a distribution point is one, and a DP's own transport answers them).
 * The reply is the very protocol text the PowerShell of ops.c prints, and
 * keeps every path as it was asked, so nothing above can tell.
 *
 * Answered here: pathinfo (a list that also names other servers' shares
 * sends those as a PowerShell pathinfo and merges the rows in order),
 * dirlist, setattr (read-only only: SFTP cannot express the archive bit),
 * deletefile and renamefile; loggrep and readfile, the ops on logs, are
 * in sshfiles_log.c.  copyfile
 * stays PowerShell on purpose: SFTPv3 has no server-side copy, and
 * streaming a PCK through the administrator's link twice is worse than
 * the server copying it.
 *
 * A server that offers no SFTP (the subsystem refused, or nothing on a
 * separate SFTP port) is remembered: everything goes as PowerShell for
 * five minutes, then SFTP is tried again.  Other SFTP failures (timeouts,
 * a connection dropped mid-transfer) are the op's failure.  Read-only
 * mode is enforced before any of this (transport_run_script).
 */
#include "config.h"
#include "backend/transport/ssh/sshfiles.h"
#include "backend/transport/ssh/sshfiles_int.h"
#include "backend/ops/ops.h"
#include "backend/core/proto.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SFTP_RETRY_MS (5 * 60 * 1000)

/* ---- SFTP calls ------------------------------------------------------------ */

static const char *const file_cols[] = { "Path", "Exists", "IsDir", "Size", "MTime",
	"Attrs", "Version", "Error", "Name", "PackageID" };

/* 0 done; 1 the server refused it for the file (*why says why, as the
 * op's END error); -1 the connection failed (*c->err), or SFTP is not
 * there (c->no_sftp). */
static int
outcome(struct sshfiles_call *c, int rc, enum ssh_error kind, char *e, char **why)
{
	if (rc == 0) {
		free(e);
		return 0;
	}
	if (kind == SSHE_PROTOCOL) {
		free(*why);
		*why = e != NULL ? e : xstrdup("failed");
		return 1;
	}
	if (kind == SSHE_NO_SFTP || (kind == SSHE_CONNECT && c->f->separate))
		c->no_sftp = true;
	err_set(c->err, "%s (op %s)", e ? e : c->f->host->name, c->op);
	free(e);
	return -1;
}

int
sshfiles_stat(struct sshfiles_call *c, const char *drv, struct sshloop_stat *st, char **why)
{
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_stat(c->f->loop, &c->f->sftp_host, drv, st, c->dl, &k, &e);
	return outcome(c, rc, k, e, why);
}

int
sshfiles_read(struct sshfiles_call *c, const char *drv, uint64_t off, uint64_t len, struct buf *out,
    char **why)
{
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_read(c->f->loop, &c->f->sftp_host, drv, off, len, out, c->dl,
	    &k, &e);
	return outcome(c, rc, k, e, why);
}

static int
c_setro(struct sshfiles_call *c, const char *drv, bool ro, char **why)
{
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_setro(c->f->loop, &c->f->sftp_host, drv, ro, c->dl, &k, &e);
	return outcome(c, rc, k, e, why);
}

static int
c_unlink(struct sshfiles_call *c, const char *drv, char **why)
{
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_unlink(c->f->loop, &c->f->sftp_host, drv, c->dl, &k, &e);
	return outcome(c, rc, k, e, why);
}

static int
c_rename(struct sshfiles_call *c, const char *from, const char *to, char **why)
{
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_rename(c->f->loop, &c->f->sftp_host, from, to, c->dl, &k, &e);
	return outcome(c, rc, k, e, why);
}

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

/* Root() of ops.c: \\SERVER\share\ or E:\, of the path as asked. */
static char *
asked_root(const char *p)
{
	if (p[0] != '\\' || p[1] != '\\')
		return xstrndup(p, 3);
	const char *s = p + 2;
	size_t a = strcspn(s, "\\");
	const char *sh = s + a + (s[a] == '\\');
	size_t b = strcspn(sh, "\\");
	return xasprintf("\\\\%.*s\\%.*s\\", (int)a, s, (int)b, sh);
}

/* The same folder, another name: Join-Path $i.DirectoryName $name. */
static char *
sibling(const char *p, const char *name)
{
	const char *slash = strrchr(p, '\\');
	return xasprintf("%.*s\\%s", (int)(slash - p), p, name);
}

/* PowerShell's Reach(): 1 the drive is there; 0 not, with *why as the
 * PowerShell words it; -1 the connection failed. */
int
sshfiles_reach(struct sshfiles_call *c, const char *asked, const char *drv, char **why)
{
	/* A drive is looked at once per op, not once per path asked. */
	int d = toupper((unsigned char)drv[0]) - 'A';
	if (c->drive[d] == 0) {
		const char root[4] = { drv[0], ':', '\\', '\0' };
		struct sshloop_stat st;
		char *e = NULL;
		int r = sshfiles_stat(c, root, &st, &e);
		free(e);
		if (r < 0)
			return -1;
		c->drive[d] = r == 0 && st.exists ? 1 : 2;
	}
	if (c->drive[d] == 1)
		return 1;
	char *rt = asked_root(asked);
	free(*why);
	*why = xasprintf("cannot reach %s (the network path was not found or access is denied)",
	    rt);
	free(rt);
	return 0;
}

/* What a script's catch block prints: END error and exit code 1. */
int
sshfiles_fail(struct script_result *res, char *why)
{
	proto_end_error(&res->out, why ? why : "failed");
	free(why);
	res->exit_code = 1;
	return 0;
}

int
sshfiles_done(struct script_result *res, size_t n)
{
	proto_end_ok(&res->out, n);
	res->exit_code = 0;
	return 0;
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

/* One F row as FileRow of ops.c prints it; name adds dirlist's columns. */
static void
file_row(struct buf *out, const char *win, const struct sshloop_stat *st, const char *name)
{
	char size[24] = "", mtime[21] = "", attrs[8] = "";
	if (st->exists) {
		snprintf(attrs, sizeof attrs, "%u", attrs_of(st));
		if (!st->is_dir)
			snprintf(size, sizeof size, "%llu", (unsigned long long)st->size);
		time_format_iso(st->mtime, mtime);
	}
	const char *v[] = { win, st->exists ? "1" : "0", st->exists && st->is_dir ? "1" : "0",
		size, mtime, attrs, "", "", name, "" };
	proto_row(out, "F", v, name != NULL ? 10 : 8);
}

/* One pathinfo row: the Error column when the drive is not there or the
 * server refused the stat. */
static int
pathinfo_one(struct sshfiles_call *c, const char *path, const char *drv, struct buf *out)
{
	char *why = NULL;
	int r = sshfiles_reach(c, path, drv, &why);
	struct sshloop_stat st;
	if (r > 0) {
		int s = sshfiles_stat(c, drv, &st, &why);
		r = s == 0 ? 2 : s;
	}
	if (r == 2)
		file_row(out, path, &st, NULL);
	else if (r >= 0) {
		const char *v[] = { path, "", "", "", "", "", "", why ? why : "stat failed" };
		proto_row(out, "F", v, 8);
	}
	free(why);
	return r < 0 ? -1 : 0;
}

/* The rows PowerShell gave for the paths SFTP cannot answer, in order. */
struct ps_rows {
	char *v[OPS_MAX_PATHS][8];  /* Path .. Error of each */
	size_t n;
};

static int
ps_row(const struct proto_record *r, void *arg, char **err)
{
	struct ps_rows *rows = arg;
	if (strcmp(r->type, "F") != 0)
		return 0;
	if (rows->n == OPS_MAX_PATHS) {
		err_set(err, "more rows than paths");
		return -1;
	}
	for (size_t i = 0; i < 8; i++) {
		const char *v = proto_get(r, file_cols[i]);
		rows->v[rows->n][i] = xstrdup(v != NULL ? v : "");
	}
	rows->n++;
	return 0;
}

static void
ps_rows_free(struct ps_rows *rows)
{
	for (size_t k = 0; k < rows->n; k++)
		for (size_t i = 0; i < 8; i++)
			free(rows->v[k][i]);
	rows->n = 0;
}

/* The paths SFTP cannot answer (other servers' shares), asked as one
 * PowerShell pathinfo of their own.  0 with their rows; 1 when that reply
 * is not a clean END ok: then res holds it as it came, for ops_call to
 * report as it would have; -1 when it could not be run. */
static int
ps_others(struct transport *t, sshfiles_ps_fn ps, const struct buf *list, size_t want,
    struct ps_rows *rows, struct script_result *res, const struct deadline *dl, char **err)
{
	struct op op = { .kind = OP_PATHINFO };
	op_set(&op, "paths", list->data);
	char *e = NULL;
	char *script = ops_render(&op, &e);
	if (script == NULL) {
		err_set(err, "%s: pathinfo: %s", t->host, e ? e : "cannot render");
		free(e);
		return -1;
	}
	struct script_result sub;
	script_result_init(&sub);
	int rc = ps(t, script, &sub, dl, err);
	free(script);
	if (rc == 0 && proto_parse(sub.out.data ? sub.out.data : "", sub.out.len, "pathinfo",
	    ps_row, rows, &e) != 0) {
		buf_add(&res->out, sub.out.data ? sub.out.data : "", sub.out.len);
		buf_add(&res->err, sub.err.data ? sub.err.data : "", sub.err.len);
		res->exit_code = sub.exit_code;
		rc = 1;
	} else if (rc == 0 && rows->n != want) {
		err_set(err, "%s: pathinfo: PowerShell answered %zu paths of %zu", t->host,
		    rows->n, want);
		rc = -1;
	}
	free(e);
	script_result_free(&sub);
	return rc;
}

/* The reply: one row per asked path, in order, from SFTP or PowerShell. */
static int
pathinfo_emit(struct sshfiles_call *c, char *const *paths, char *const *drv, size_t n,
    const struct ps_rows *rows, struct script_result *res)
{
	proto_begin(&res->out, "pathinfo");
	proto_cols(&res->out, "F", file_cols, 8);
	for (size_t i = 0, k = 0; i < n; i++) {
		if (drv[i] == NULL)
			proto_row(&res->out, "F", (const char *const *)rows->v[k++], 8);
		else if (pathinfo_one(c, paths[i], drv[i], &res->out) != 0)
			return -1;
	}
	return sshfiles_done(res, n);
}

/*
 * pathinfo: the host's own paths over SFTP.  The evidence asks for the
 * primary's PCK together with the package source on a file server, so a
 * mixed list is split: the rest goes as PowerShell, over only those
 * paths, and the rows are put back in the asked order.  1 when no path is
 * the host's own (all as PowerShell, as before).
 */
static int
sftp_pathinfo(struct sshfiles_call *c, struct transport *t, sshfiles_ps_fn ps, const struct op *op,
    struct script_result *res)
{
	char *paths[OPS_MAX_PATHS], *drv[OPS_MAX_PATHS];
	size_t n = 0, nown = 0;
	struct buf others;
	buf_init(&others);
	for (const char *s = op_arg(op, "paths"); n < OPS_MAX_PATHS;) {
		size_t len = strcspn(s, "|");
		paths[n] = xstrndup(s, len);
		drv[n] = own_path(c->f, paths[n]);
		nown += drv[n] != NULL;
		if (drv[n] == NULL)
			buf_printf(&others, "%s%s", others.len > 0 ? "|" : "", paths[n]);
		n++;
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	struct ps_rows rows = { .n = 0 };
	int rc = 1;                   /* nothing for SFTP: all as PowerShell */
	if (nown > 0) {
		rc = nown < n ? ps_others(t, ps, &others, n - nown, &rows, res, c->dl, c->err) : 0;
		if (rc == 0)
			rc = pathinfo_emit(c, paths, drv, n, &rows, res);
		else if (rc == 1)
			rc = 0;       /* PowerShell's failed reply stands */
	}
	ps_rows_free(&rows);
	buf_free(&others);
	for (size_t i = 0; i < n; i++) {
		free(paths[i]);
		free(drv[i]);
	}
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	const struct sshloop_dirent *x = a, *y = b;
	return strcasecmp(x->name, y->name);
}

static void
dirlist_rows(struct buf *out, const char *dir, const struct sshloop_dir *d)
{
	const char *sep = dir[strlen(dir) - 1] == '\\' ? "" : "\\";
	for (size_t i = 0; i < d->n; i++) {
		char *win = xasprintf("%s%s%s", dir, sep, d->v[i].name);
		file_row(out, win, &d->v[i].st, d->v[i].name);
		free(win);
	}
}

static int
sftp_dirlist(struct sshfiles_call *c, const struct op *op, const char *drv, struct script_result *res)
{
	const char *dir = op_arg(op, "dir");
	char *why = NULL;
	proto_begin(&res->out, "dirlist");
	int r = sshfiles_reach(c, dir, drv, &why);
	if (r <= 0)
		return r < 0 ? -1 : sshfiles_fail(res, why);
	proto_cols(&res->out, "F", file_cols, 10);
	/* Like Test-Path -PathType Container: no folder, no rows. */
	struct sshloop_stat st;
	struct sshloop_dir d = { NULL, 0 };
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	r = sshfiles_stat(c, drv, &st, &why);
	if (r == 0 && st.exists && st.is_dir)
		r = outcome(c, sshloop_sftp_list(c->f->loop, &c->f->sftp_host, drv,
		    op_arg(op, "pattern"), &d, c->dl, &k, &e), k, e, &why);
	if (r != 0) {
		sshloop_dir_free(&d);
		return r < 0 ? -1 : sshfiles_fail(res, why);
	}
	if (d.n > 0)
		qsort(d.v, d.n, sizeof *d.v, name_cmp);
	dirlist_rows(&res->out, dir, &d);
	sshfiles_done(res, d.n);
	sshloop_dir_free(&d);
	return 0;
}

/* ---- the changing ops ---------------------------------------------------------- */

/* Need() of ops.c: 0 with *st of the file; 1 after the END error the
 * PowerShell prints; -1 the connection failed. */
int
sshfiles_need(struct sshfiles_call *c, const char *asked, const char *drv, struct sshloop_stat *st,
    struct script_result *res)
{
	char *why = NULL;
	int r = sshfiles_reach(c, asked, drv, &why);
	if (r > 0) {
		r = sshfiles_stat(c, drv, st, &why);
		if (r == 0 && !st->exists)
			why = xasprintf("%s does not exist", asked);
		else if (r == 0 && st->is_dir)
			why = xasprintf("%s is a folder, not a file", asked);
		else if (r == 0)
			return 0;
	}
	if (r < 0) {
		free(why);
		return -1;
	}
	sshfiles_fail(res, why);
	return 1;
}

static int
reply_one(struct script_result *res, const char *type, const char *const cols[2],
    const char *a, const char *b)
{
	const char *v[] = { a, b };
	proto_cols(&res->out, type, cols, 2);
	proto_row(&res->out, type, v, 2);
	return sshfiles_done(res, 1);
}

static int
sftp_setattr(struct sshfiles_call *c, const struct op *op, const char *drv, struct script_result *res)
{
	static const char *const cols[] = { "Path", "Attrs" };
	const char *path = op_arg(op, "path"), *ro = op_arg(op, "readonly");
	struct sshloop_stat st;
	proto_begin(&res->out, "setattr");
	int r = sshfiles_need(c, path, drv, &st, res);
	if (r != 0)
		return r < 0 ? -1 : 0;
	char *why = NULL;
	if (ro != NULL && (strcmp(ro, "set") == 0 || strcmp(ro, "clear") == 0)) {
		r = c_setro(c, drv, strcmp(ro, "set") == 0, &why);
		if (r == 0)
			r = sshfiles_stat(c, drv, &st, &why);
	}
	if (r != 0) {
		if (r < 0)
			free(why);
		return r < 0 ? -1 : sshfiles_fail(res, why);
	}
	char attrs[8];
	snprintf(attrs, sizeof attrs, "%u", attrs_of(&st));
	return reply_one(res, "A", cols, path, attrs);
}

static int
sftp_deletefile(struct sshfiles_call *c, const struct op *op, const char *drv,
    struct script_result *res)
{
	static const char *const cols[] = { "Path", "Result" };
	const char *path = op_arg(op, "path");
	char *why = NULL;
	proto_begin(&res->out, "deletefile");
	int r = sshfiles_reach(c, path, drv, &why);
	if (r <= 0)
		return r < 0 ? -1 : sshfiles_fail(res, why);
	struct sshloop_stat st;
	r = sshfiles_stat(c, drv, &st, &why);
	if (r == 0 && st.exists && st.is_dir)
		return sshfiles_fail(res, xasprintf("%s is a folder, not a file", path));
	/* Remove-Item -Force removes a read-only file; Windows refuses to
	 * delete one otherwise, so the bit goes first. */
	if (r == 0 && st.exists && st.readonly)
		r = c_setro(c, drv, false, &why);
	if (r == 0 && st.exists)
		r = c_unlink(c, drv, &why);
	if (r != 0) {
		if (r < 0)
			free(why);
		return r < 0 ? -1 : sshfiles_fail(res, why);
	}
	return reply_one(res, "D", cols, path, st.exists ? "deleted" : "absent");
}

static int
sftp_renamefile(struct sshfiles_call *c, const struct op *op, const char *drv,
    struct script_result *res)
{
	static const char *const cols[] = { "Path", "NewPath" };
	const char *path = op_arg(op, "path"), *name = op_arg(op, "newname");
	struct sshloop_stat st;
	proto_begin(&res->out, "renamefile");
	int r = sshfiles_need(c, path, drv, &st, res);
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
		r = c_rename(c, drv, to_drv, &why);
	if (r == 0 && why == NULL)
		reply_one(res, "N", cols, path, to);
	else if (r >= 0)
		sshfiles_fail(res, why);
	else
		free(why);
	free(to);
	free(to_drv);
	return r < 0 ? -1 : 0;
}

/* ---- routing -------------------------------------------------------------------- */

/* The op's argument naming its file, checked as the host would. */
static const char *
op_file(const struct op *op)
{
	const char *a;
	switch (op->kind) {
	case OP_DIRLIST:
		a = op_arg(op, "pattern");
		return a != NULL && ops_pattern_valid(a) ? op_arg(op, "dir") : NULL;
	case OP_LOGGREP:
		a = op_arg(op, "max");
		return ops_logpath_valid(op_arg(op, "log")) && ops_needle_valid(op_arg(op,
		    "needle")) && (a == NULL || *a == '\0' || ops_count_valid(a)) ?
		    op_arg(op, "log") : NULL;
	case OP_SETATTR:
		a = op_arg(op, "archive");   /* SFTP cannot express the archive bit */
		return a == NULL || *a == '\0' || strcmp(a, "keep") == 0 ? op_arg(op, "path") :
		    NULL;
	case OP_DELETEFILE:
		return op_arg(op, "path");
	case OP_READFILE:
		return ops_offset_valid(op_arg(op, "offset")) && ops_size_valid(op_arg(op, "max")) ?
		    op_arg(op, "path") : NULL;
	case OP_RENAMEFILE:
		return ops_filename_valid(op_arg(op, "newname")) ? op_arg(op, "path") : NULL;
	default:
		return NULL;
	}
}

static int
route(struct sshfiles_call *c, struct transport *t, sshfiles_ps_fn ps, const struct op *op,
    struct script_result *res)
{
	if (op->kind == OP_PATHINFO)
		return ops_paths_valid(op_arg(op, "paths")) ? sftp_pathinfo(c, t, ps, op, res) : 1;
	char *drv = own_path(c->f, op_file(op));
	if (drv == NULL)
		return 1;
	int rc = op->kind == OP_DIRLIST ? sftp_dirlist(c, op, drv, res) :
	    op->kind == OP_LOGGREP ? sshfiles_loggrep(c, op, drv, res) :
	    op->kind == OP_READFILE ? sshfiles_readfile(c, op, drv, res) :
	    op->kind == OP_SETATTR ? sftp_setattr(c, op, drv, res) :
	    op->kind == OP_DELETEFILE ? sftp_deletefile(c, op, drv, res) :
	    sftp_renamefile(c, op, drv, res);
	free(drv);
	return rc;
}

int
sshfiles_try(struct sshfiles *f, struct transport *t, sshfiles_ps_fn ps,
    const char *script, struct script_result *res, const struct deadline *dl, char **err)
{
	if (clock_mono_ms() < atomic_load(&f->off_until))
		return 1;
	struct op op;
	char *storage = NULL, *e = NULL;
	if (ops_parse(script, &op, &storage, &e) != 0) {
		free(e);
		return 1;
	}
	struct sshfiles_call c = { .f = f, .op = op_name(op.kind), .dl = dl, .err = err };
	int rc = route(&c, t, ps, &op, res);
	free(storage);
	if (rc < 0 && c.no_sftp) {
		/* Nothing was changed: SFTP fails at its first call. */
		atomic_store(&f->off_until, clock_mono_ms() + SFTP_RETRY_MS);
		if (err != NULL) {
			free(*err);
			*err = NULL;
		}
		buf_reset(&res->out);
		buf_reset(&res->err);
		rc = 1;
	}
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
