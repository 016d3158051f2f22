/*
 * The SSH transport: a rendered op script goes to a Windows OpenSSH host
 * as the quote-free -EncodedCommand line cmd.exe cannot mangle, or, when
 * that line would pass cmd.exe's 8191 characters, as a small fixed
 * bootstrap line with the script on standard input.  The reply comes back
 * with Windows line ends, and PowerShell's errors on a redirected stderr
 * come as CLIXML; both are turned into plain text here, so the op layer
 * sees what it sees from the simulator.
 *
 * Files over SFTP: pathinfo and dirlist are read back from the rendered
 * script (ops_parse), and the paths on a drive of the host itself
 * (E:\...) are answered from SFTP stat and list calls instead: no
 * PowerShell start-up per query, and SFTP is how Windows OpenSSH serves
 * files anyway.  The answer is the very protocol text the PowerShell of
 * ops.c prints, so nothing above this file can tell.  A pathinfo that also
 * names other servers' shares (\\FILESRV\share) sends those as a
 * PowerShell pathinfo of their own and merges the rows in the asked order;
 * a dirlist elsewhere, every other op, and a server with SFTP turned off
 * go as PowerShell.
 */
#include "config.h"
#include "backend/ops.h"
#include "backend/proto.h"
#include "backend/sshloop.h"
#include "backend/winenc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ssh_priv {
	struct sshloop *loop;
	struct ssh_host host;
	bool sftp;                 /* answer pathinfo and dirlist over SFTP */
	struct ssh_host sftp_host; /* host on the SFTP port (strings: host's) */
};

/* CRLF to LF in place. */
static void
strip_cr(struct buf *b)
{
	size_t k = 0;
	for (size_t i = 0; i < b->len; i++)
		if (!(b->data[i] == '\r' && i + 1 < b->len && b->data[i + 1] == '\n'))
			b->data[k++] = b->data[i];
	b->len = k;
	if (b->data != NULL)
		b->data[k] = '\0';
}

/* ---- files over SFTP ---------------------------------------------------------- */

static const char *const file_cols[] = { "Path", "Exists", "IsDir", "Size", "MTime",
	"Attrs", "Version", "Error", "Name", "PackageID" };

/* E:\... and nothing else: the only paths SFTP on the host can answer. */
static bool
local_path(const char *p)
{
	return p != NULL && ops_path_valid(p) && isalpha((unsigned char)p[0]) && p[1] == ':' &&
	    p[2] == '\\';
}

/* PowerShell's Reach(): is the path's drive there?  1 yes; 0 no, with
 * *why as the PowerShell words it; -1 when SFTP itself failed (no
 * connection, no subsystem): then the op fails, with *err as ssh_run words
 * its failures, as a PowerShell run would when ssh cannot reach the host. */
static int
sftp_reach(struct ssh_priv *p, const char *op, const char *path, char **why,
    const struct deadline *dl, char **err)
{
	const char root[4] = { path[0], ':', '\\', '\0' };
	struct sshloop_stat st;
	char *e = NULL;
	if (sshloop_sftp_stat(p->loop, &p->sftp_host, root, &st, dl, &e) != 0) {
		err_set(err, "%s (op %s)", e ? e : p->host.name, op);
		free(e);
		return -1;
	}
	if (st.exists)
		return 1;
	*why = xasprintf("cannot reach %s (the network path was not found or access is denied)",
	    root);
	return 0;
}

/* One F row as FileRow of ops.c prints it; name adds dirlist's columns.
 * Attributes: read-only is the missing owner write bit (how Win32-OpenSSH
 * shows READONLY), directory from the stat; SFTP cannot see the archive
 * bit, so files report it set, as a freshly copied file has it. */
static void
file_row(struct buf *out, const char *win, const struct sshloop_stat *st, const char *name)
{
	char size[24] = "", mtime[21] = "", attrs[8] = "";
	if (st->exists) {
		unsigned a = (st->is_dir ? 0x10u : 0x20u) | (st->readonly ? 0x01u : 0);
		snprintf(attrs, sizeof attrs, "%u", a);
		if (!st->is_dir)
			snprintf(size, sizeof size, "%llu", (unsigned long long)st->size);
		time_format_iso(st->mtime, mtime);
	}
	const char *v[] = { win, st->exists ? "1" : "0", st->exists && st->is_dir ? "1" : "0",
		size, mtime, attrs, "", "", name, "" };
	proto_row(out, "F", v, name != NULL ? 10 : 8);
}

/* One pathinfo row: the Error column when the drive is not there or the
 * stat failed for another reason than a missing file. */
static int
pathinfo_one(struct ssh_priv *p, const char *path, struct buf *out,
    const struct deadline *dl, char **err)
{
	char *why = NULL;
	int r = sftp_reach(p, "pathinfo", path, &why, dl, err);
	if (r < 0)
		return -1;
	struct sshloop_stat st;
	if (r > 0 && sshloop_sftp_stat(p->loop, &p->sftp_host, path, &st, dl, &why) == 0) {
		file_row(out, path, &st, NULL);
		return 0;
	}
	const char *v[] = { path, "", "", "", "", "", "", why ? why : "stat failed" };
	proto_row(out, "F", v, 8);
	free(why);
	return 0;
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

static int ps_run(struct transport *t, const char *script, struct script_result *res,
    const struct deadline *dl, char **err);

/* The paths SFTP cannot answer (other servers' shares), asked as one
 * PowerShell pathinfo of their own.  0 with their rows; 1 when that reply
 * is not a clean END ok: then res holds it as it came, for ops_call to
 * report as it would have; -1 when it could not be run. */
static int
ps_others(struct transport *t, const struct buf *list, size_t want, struct ps_rows *rows,
    struct script_result *res, const struct deadline *dl, char **err)
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
	int rc = ps_run(t, script, &sub, dl, err);
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
pathinfo_emit(struct ssh_priv *p, char *const *paths, const bool *local, size_t n,
    const struct ps_rows *rows, struct script_result *res, const struct deadline *dl,
    char **err)
{
	proto_begin(&res->out, "pathinfo");
	proto_cols(&res->out, "F", file_cols, 8);
	for (size_t i = 0, k = 0; i < n; i++) {
		if (!local[i])
			proto_row(&res->out, "F", (const char *const *)rows->v[k++], 8);
		else if (pathinfo_one(p, paths[i], &res->out, dl, err) != 0)
			return -1;
	}
	proto_end_ok(&res->out, n);
	res->exit_code = 0;
	return 0;
}

/*
 * pathinfo: the host's own drive paths over SFTP.  The evidence asks for
 * the primary's PCK together with the package source on a file server,
 * so a mixed list is split: the rest goes as PowerShell, over only those
 * paths, and the rows are put back in the asked order.  1 when no path is
 * local (all as PowerShell, as before).
 */
static int
sftp_pathinfo(struct transport *t, const struct op *op, struct script_result *res,
    const struct deadline *dl, char **err)
{
	char *paths[OPS_MAX_PATHS];
	bool local[OPS_MAX_PATHS];
	size_t n = 0, nlocal = 0;
	struct buf others;
	buf_init(&others);
	for (const char *s = op_arg(op, "paths"); n < OPS_MAX_PATHS;) {
		size_t len = strcspn(s, "|");
		paths[n] = xstrndup(s, len);
		local[n] = local_path(paths[n]);
		nlocal += local[n];
		if (!local[n])
			buf_printf(&others, "%s%s", others.len > 0 ? "|" : "", paths[n]);
		n++;
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	struct ps_rows rows = { .n = 0 };
	int rc = 1;                   /* nothing for SFTP: all as PowerShell */
	if (nlocal > 0) {
		rc = nlocal < n ? ps_others(t, &others, n - nlocal, &rows, res, dl, err) : 0;
		if (rc == 0)
			rc = pathinfo_emit(t->priv, paths, local, n, &rows, res, dl, err);
		else if (rc == 1)
			rc = 0;       /* PowerShell's failed reply stands */
	}
	ps_rows_free(&rows);
	buf_free(&others);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	const struct sshloop_dirent *x = a, *y = b;
	return strcasecmp(x->name, y->name);
}

/* What dirlist's catch block prints: END error and exit code 1. */
static int
dirlist_fail(struct script_result *res, char *why)
{
	proto_end_error(&res->out, why ? why : "failed");
	free(why);
	res->exit_code = 1;
	return 0;
}

static int
sftp_dirlist(struct ssh_priv *p, const struct op *op, struct script_result *res,
    const struct deadline *dl, char **err)
{
	const char *dir = op_arg(op, "dir");
	char *why = NULL;
	proto_begin(&res->out, "dirlist");
	int r = sftp_reach(p, "dirlist", dir, &why, dl, err);
	if (r <= 0)
		return r < 0 ? -1 : dirlist_fail(res, why);
	proto_cols(&res->out, "F", file_cols, 10);
	/* Like Test-Path -PathType Container: no folder, no rows. */
	struct sshloop_stat st;
	if (sshloop_sftp_stat(p->loop, &p->sftp_host, dir, &st, dl, &why) != 0)
		return dirlist_fail(res, why);
	struct sshloop_dir d = { NULL, 0 };
	if (st.exists && st.is_dir &&
	    sshloop_sftp_list(p->loop, &p->sftp_host, dir, op_arg(op, "pattern"), &d, dl,
	    &why) != 0)
		return dirlist_fail(res, why);
	if (d.n > 0)
		qsort(d.v, d.n, sizeof *d.v, name_cmp);
	const char *sep = dir[strlen(dir) - 1] == '\\' ? "" : "\\";
	for (size_t i = 0; i < d.n; i++) {
		char *win = xasprintf("%s%s%s", dir, sep, d.v[i].name);
		file_row(&res->out, win, &d.v[i].st, d.v[i].name);
		free(win);
	}
	proto_end_ok(&res->out, d.n);
	res->exit_code = 0;
	sshloop_dir_free(&d);
	return 0;
}

/* Answer the script over SFTP when it is an op SFTP can answer: 0 done
 * (res filled), -1 failed (*err, worded as ssh_run's), 1 not for SFTP (go
 * as PowerShell). */
static int
sftp_try(struct transport *t, const char *script, struct script_result *res,
    const struct deadline *dl, char **err)
{
	struct ssh_priv *p = t->priv;
	struct op op;
	char *storage = NULL, *e = NULL;
	if (!p->sftp || ops_parse(script, &op, &storage, &e) != 0) {
		free(e);
		return 1;
	}
	int rc = 1;
	if (op.kind == OP_PATHINFO && ops_paths_valid(op_arg(&op, "paths")))
		rc = sftp_pathinfo(t, &op, res, dl, err);
	else if (op.kind == OP_DIRLIST && local_path(op_arg(&op, "dir")) &&
	    op_arg(&op, "pattern") != NULL && ops_pattern_valid(op_arg(&op, "pattern")))
		rc = sftp_dirlist(p, &op, res, dl, err);
	free(storage);
	return rc;
}

/* ---- PowerShell ------------------------------------------------------------- */

static int
ps_run(struct transport *t, const char *script, struct script_result *res,
    const struct deadline *dl, char **err)
{
	struct ssh_priv *p = t->priv;
	char op[32];
	transport_script_op(script, op);
	if (op[0] == '\0')
		snprintf(op, sizeof op, "script");
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
	strip_cr(&res->out);
	char *text = winenc_clixml_errors(res->err.data ? res->err.data : "");
	buf_reset(&res->err);
	buf_adds(&res->err, text);
	strip_cr(&res->err);
	free(text);
	return 0;
}

static int
ssh_run(struct transport *t, const char *script, struct script_result *res,
    const struct deadline *dl, char **err)
{
	int answered = sftp_try(t, script, res, dl, err);
	return answered > 0 ? ps_run(t, script, res, dl, err) : answered;
}

static void
ssh_close(struct transport *t)
{
	struct ssh_priv *p = t->priv;
	free((char *)p->host.name);
	free((char *)p->host.address);
	free((char *)p->host.user);
	free((char *)p->host.identity);
	free((char *)p->host.known_hosts);
	free(p);
}

static const struct transport_ops ssh_ops = { "ssh", TCAP_SCRIPT, ssh_run, ssh_close };

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
	p->sftp = f != NULL && f->sftp;
	p->sftp_host = p->host;
	if (f != NULL && f->sftp_port > 0)
		p->sftp_host.port = f->sftp_port;
	struct transport *t = xcalloc(1, sizeof *t);
	t->ops = &ssh_ops;
	t->host = xstrdup(h->name);
	t->priv = p;
	return t;
}
