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
 * dirlist, loggrep (ranged reads; a log that only grew since the last
 * look is read from where that look ended), setattr (read-only only: SFTP
 * cannot express the archive bit), deletefile and renamefile.  copyfile
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
#include "backend/sshfiles.h"
#include "backend/ops.h"
#include "backend/proto.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SFTP_RETRY_MS (5 * 60 * 1000)
#define LG_CHUNK ((uint64_t)1 << 20)
#define LG_DEFAULT_MAX 2000
#define LG_CACHE 64

/* ---- loggrep's cache ------------------------------------------------------- */

struct lg_hit {
	int file;                  /* 0 the .lo_, 1 the .log */
	uint64_t off;
	char *line;                /* UTF-8 */
};

/* The newest `max` hits. */
struct lg_ring {
	struct lg_hit *v;
	size_t max, n, head;
};

struct lg_file {
	bool exists;               /* as a file (Test-Path -PathType Leaf) */
	uint64_t size;
	int64_t mtime;
};

/* What was read of a log and its .lo_: the hits of complete lines. */
struct lg_state {
	bool lo_read;
	struct lg_file lo, log;
	uint64_t done;             /* the .log's bytes read: to its last line end */
	struct lg_ring hits;
};

struct lg_entry {
	char *key;                 /* drive path, needle, max */
	unsigned long used;
	struct lg_state s;
};

struct sshfiles {
	struct sshloop *loop;
	const struct ssh_host *host;
	struct ssh_host sftp_host;  /* the host on the SFTP port */
	bool separate;              /* SFTP on a port of its own */
	_Atomic int64_t off_until;  /* SFTP found missing: PowerShell until then */
	pthread_mutex_t lock;       /* the cache: job threads call at once */
	struct lg_entry cache[LG_CACHE];
	unsigned long tick;
};

/* One op being answered. */
struct call {
	struct sshfiles *f;
	const char *op;
	const struct deadline *dl;
	char **err;
	bool no_sftp;              /* the server has no SFTP: go as PowerShell */
};

static const char *const file_cols[] = { "Path", "Exists", "IsDir", "Size", "MTime",
	"Attrs", "Version", "Error", "Name", "PackageID" };

static void
lock(struct sshfiles *f)
{
	if (pthread_mutex_lock(&f->lock) != 0)
		abort();   /* a default mutex fails only when misused */
}

static void
unlock(struct sshfiles *f)
{
	if (pthread_mutex_unlock(&f->lock) != 0)
		abort();
}

static void
ring_init(struct lg_ring *r, size_t max)
{
	*r = (struct lg_ring){ .v = xcalloc(max, sizeof *r->v), .max = max };
}

static void
ring_add(struct lg_ring *r, int file, uint64_t off, char *line)
{
	struct lg_hit *slot;
	if (r->n == r->max) {
		slot = &r->v[r->head];
		free(slot->line);
		r->head = (r->head + 1) % r->max;
	} else {
		slot = &r->v[(r->head + r->n++) % r->max];
	}
	*slot = (struct lg_hit){ file, off, line };
}

static void
ring_free(struct lg_ring *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[(r->head + i) % r->max].line);
	free(r->v);
	*r = (struct lg_ring){ NULL, 0, 0, 0 };
}

static struct lg_entry *
cache_find(struct sshfiles *f, const char *key)
{
	for (size_t i = 0; i < LG_CACHE; i++)
		if (f->cache[i].key != NULL && strcmp(f->cache[i].key, key) == 0)
			return &f->cache[i];
	return NULL;
}

/* The state to go on from: the cached one when the files only grew since
 * (taken out of the cache while in use), else a fresh one. */
static void
cache_take(struct sshfiles *f, const char *key, const struct lg_file *lo,
    const struct lg_file *log, size_t max, struct lg_state *s)
{
	*s = (struct lg_state){ .lo_read = false };
	lock(f);
	struct lg_entry *e = cache_find(f, key);
	if (e != NULL) {
		const struct lg_state *c = &e->s;
		bool grew = c->lo.exists == lo->exists && c->lo.size == lo->size &&
		    c->lo.mtime == lo->mtime && c->log.exists && log->exists &&
		    log->size >= c->log.size && log->mtime >= c->log.mtime;
		if (grew)
			*s = e->s;
		else
			ring_free(&e->s.hits);
		free(e->key);
		*e = (struct lg_entry){ .key = NULL };
	}
	unlock(f);
	if (s->hits.v == NULL)
		ring_init(&s->hits, max);
}

static void
cache_put(struct sshfiles *f, const char *key, struct lg_state *s)
{
	lock(f);
	struct lg_entry *e = cache_find(f, key);
	for (size_t i = 0; e == NULL && i < LG_CACHE; i++)
		if (f->cache[i].key == NULL)
			e = &f->cache[i];
	if (e == NULL) {             /* full: the least recently used goes */
		e = &f->cache[0];
		for (size_t i = 1; i < LG_CACHE; i++)
			if (f->cache[i].used < e->used)
				e = &f->cache[i];
	}
	if (e->key != NULL) {
		free(e->key);
		ring_free(&e->s.hits);
	}
	*e = (struct lg_entry){ xstrdup(key), ++f->tick, *s };
	unlock(f);
	*s = (struct lg_state){ .lo_read = false };
}

/* ---- SFTP calls ------------------------------------------------------------ */

/* 0 done; 1 the server refused it for the file (*why says why, as the
 * op's END error); -1 the connection failed (*c->err), or SFTP is not
 * there (c->no_sftp). */
static int
outcome(struct call *c, int rc, enum ssh_error kind, char *e, char **why)
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

static int
c_stat(struct call *c, const char *drv, struct sshloop_stat *st, char **why)
{
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_stat(c->f->loop, &c->f->sftp_host, drv, st, c->dl, &k, &e);
	return outcome(c, rc, k, e, why);
}

static int
c_read(struct call *c, const char *drv, uint64_t off, uint64_t len, struct buf *out,
    char **why)
{
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_read(c->f->loop, &c->f->sftp_host, drv, off, len, out, c->dl,
	    &k, &e);
	return outcome(c, rc, k, e, why);
}

static int
c_setro(struct call *c, const char *drv, bool ro, char **why)
{
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_setro(c->f->loop, &c->f->sftp_host, drv, ro, c->dl, &k, &e);
	return outcome(c, rc, k, e, why);
}

static int
c_unlink(struct call *c, const char *drv, char **why)
{
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_unlink(c->f->loop, &c->f->sftp_host, drv, c->dl, &k, &e);
	return outcome(c, rc, k, e, why);
}

static int
c_rename(struct call *c, const char *from, const char *to, char **why)
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

/* x.log -> x.lo_, the rotated log (the name ends in .log: validated). */
static char *
rotated(const char *log)
{
	char *s = xstrdup(log);
	memcpy(s + strlen(s) - 4, ".lo_", 4);
	return s;
}

/* PowerShell's Reach(): 1 the drive is there; 0 not, with *why as the
 * PowerShell words it; -1 the connection failed. */
static int
reach(struct call *c, const char *asked, const char *drv, char **why)
{
	const char root[4] = { drv[0], ':', '\\', '\0' };
	struct sshloop_stat st;
	char *e = NULL;
	int r = c_stat(c, root, &st, &e);
	free(e);
	if (r < 0)
		return -1;
	if (r == 0 && st.exists)
		return 1;
	char *rt = asked_root(asked);
	free(*why);
	*why = xasprintf("cannot reach %s (the network path was not found or access is denied)",
	    rt);
	free(rt);
	return 0;
}

/* What a script's catch block prints: END error and exit code 1. */
static int
fail(struct script_result *res, char *why)
{
	proto_end_error(&res->out, why ? why : "failed");
	free(why);
	res->exit_code = 1;
	return 0;
}

static int
done(struct script_result *res, size_t n)
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
pathinfo_one(struct call *c, const char *path, const char *drv, struct buf *out)
{
	char *why = NULL;
	int r = reach(c, path, drv, &why);
	struct sshloop_stat st;
	if (r > 0) {
		int s = c_stat(c, drv, &st, &why);
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
pathinfo_emit(struct call *c, char *const *paths, char *const *drv, size_t n,
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
	return done(res, n);
}

/*
 * pathinfo: the host's own paths over SFTP.  The evidence asks for the
 * primary's PCK together with the package source on a file server, so a
 * mixed list is split: the rest goes as PowerShell, over only those
 * paths, and the rows are put back in the asked order.  1 when no path is
 * the host's own (all as PowerShell, as before).
 */
static int
sftp_pathinfo(struct call *c, struct transport *t, sshfiles_ps_fn ps, const struct op *op,
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
sftp_dirlist(struct call *c, const struct op *op, const char *drv, struct script_result *res)
{
	const char *dir = op_arg(op, "dir");
	char *why = NULL;
	proto_begin(&res->out, "dirlist");
	int r = reach(c, dir, drv, &why);
	if (r <= 0)
		return r < 0 ? -1 : fail(res, why);
	proto_cols(&res->out, "F", file_cols, 10);
	/* Like Test-Path -PathType Container: no folder, no rows. */
	struct sshloop_stat st;
	struct sshloop_dir d = { NULL, 0 };
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	r = c_stat(c, drv, &st, &why);
	if (r == 0 && st.exists && st.is_dir)
		r = outcome(c, sshloop_sftp_list(c->f->loop, &c->f->sftp_host, drv,
		    op_arg(op, "pattern"), &d, c->dl, &k, &e), k, e, &why);
	if (r != 0) {
		sshloop_dir_free(&d);
		return r < 0 ? -1 : fail(res, why);
	}
	if (d.n > 0)
		qsort(d.v, d.n, sizeof *d.v, name_cmp);
	dirlist_rows(&res->out, dir, &d);
	done(res, d.n);
	sshloop_dir_free(&d);
	return 0;
}

/* ---- loggrep ------------------------------------------------------------------ */

/* A line as loggrep_ps reads it: [Text.Encoding]::Default is the ANSI
 * code page in Windows PowerShell 5.1, CP1252 on the servers dpdoctor
 * knows, so non-ASCII bytes are converted CP1252 -> UTF-8 with iconv.
 * The five bytes CP1252 leaves undefined become U+0080..U+009F, as .NET
 * decodes them (iconv refuses them). */
static char *
decode_line(const char *p, size_t len)
{
	size_t i = 0;
	while (i < len && (unsigned char)p[i] < 0x80)
		i++;
	if (i == len)
		return xstrndup(p, len);
	struct buf b;
	buf_init(&b);
	iconv_t cd = iconv_open("UTF-8", "CP1252");
	char *in = (char *)p;
	size_t left = len;
	while (left > 0) {
		char tmp[256], *o = tmp;
		size_t room = sizeof tmp;
		size_t r = cd == (iconv_t)-1 ? (errno = EILSEQ, (size_t)-1) :
		    iconv(cd, &in, &left, &o, &room);
		buf_add(&b, tmp, (size_t)(o - tmp));
		if (r == (size_t)-1 && errno != E2BIG) {
			unsigned char ch = (unsigned char)*in++;
			left--;
			if (ch >= 0x80)
				buf_addc(&b, (char)(0xc0 | ch >> 6));
			buf_addc(&b, ch >= 0x80 ? (char)(0x80 | (ch & 0x3f)) : (char)ch);
		}
	}
	if (cd != (iconv_t)-1 && iconv_close(cd) != 0)
		abort();
	return buf_detach(&b);
}

/* The decoded line when it holds the needle (any case), else NULL. */
static char *
line_match(const char *p, size_t len, const char *needle)
{
	char *line = decode_line(p, len);
	size_t nl = strlen(needle), ll = strlen(line);
	for (size_t i = 0; i + nl <= ll; i++)
		if (strncasecmp(line + i, needle, nl) == 0)
			return line;
	free(line);
	return NULL;
}

/* The complete lines of b (starting at file offset base) into hits; the
 * number of bytes they took. */
static size_t
scan_lines(const struct buf *b, uint64_t base, int file, const char *needle,
    struct lg_ring *hits)
{
	size_t at = 0;
	for (;;) {
		const char *eol = at < b->len ? memchr(b->data + at, '\n', b->len - at) : NULL;
		if (eol == NULL)
			return at;
		size_t end = (size_t)(eol - b->data), len = end - at;
		if (len > 0 && b->data[end - 1] == '\r')
			len--;
		char *line = line_match(b->data + at, len, needle);
		if (line != NULL)
			ring_add(hits, file, base + at, line);
		at = end + 1;
	}
}

/* Read a file from `from` to its end in chunks, the lines split across
 * chunk ends put together.  Complete lines go to hits; an unterminated
 * last line (still being written) to *tail when it matches.  *end: where
 * the complete lines end.  0, 1 (*why), -1. */
static int
scan_file(struct call *c, const char *drv, int file, uint64_t from, const char *needle,
    struct lg_ring *hits, struct lg_hit *tail, uint64_t *end, char **why)
{
	struct buf b;
	buf_init(&b);
	uint64_t base = from;
	int r = 0;
	for (;;) {
		size_t before = b.len;
		r = c_read(c, drv, base + b.len, LG_CHUNK, &b, why);
		if (r != 0)
			break;
		size_t got = b.len - before;
		size_t used = scan_lines(&b, base, file, needle, hits);
		memmove(b.data, b.data + used, b.len - used);
		b.len -= used;
		base += used;
		if (got < LG_CHUNK)
			break;
	}
	if (r == 0 && b.len > 0) {
		size_t len = b.len - (b.data[b.len - 1] == '\r');
		char *line = line_match(b.data, len, needle);
		if (line != NULL)
			*tail = (struct lg_hit){ file, base, line };
	}
	*end = base;
	buf_free(&b);
	return r;
}

static int
lg_stat(struct call *c, const char *drv, struct lg_file *out, char **why)
{
	struct sshloop_stat st;
	int r = c_stat(c, drv, &st, why);
	*out = (struct lg_file){ r == 0 && st.exists && !st.is_dir, st.size, st.mtime };
	return r;
}

/* Bring s up to the files: the .lo_ once, the .log from where s ended. */
static int
lg_update(struct call *c, struct lg_state *s, const char *lo_drv, const char *drv,
    const char *needle, struct lg_hit *tail, char **why)
{
	uint64_t end = 0;
	int r = 0;
	if (!s->lo_read && s->lo.exists) {
		struct lg_hit last = { 0, 0, NULL };
		r = scan_file(c, lo_drv, 0, 0, needle, &s->hits, &last, &end, why);
		if (last.line != NULL)
			ring_add(&s->hits, 0, last.off, last.line);   /* rotated: complete */
	}
	s->lo_read = r == 0;
	if (r == 0 && s->log.exists)
		r = scan_file(c, drv, 1, s->done, needle, &s->hits, tail, &s->done, why);
	return r;
}

static void
lg_emit(struct script_result *res, const struct lg_state *s, const struct lg_hit *tail,
    const char *const names[2])
{
	static const char *const cols[] = { "File", "Offset", "Line" };
	proto_cols(&res->out, "L", cols, 3);
	size_t skip = tail->line != NULL && s->hits.n == s->hits.max ? 1 : 0, n = 0;
	for (size_t i = skip; i <= s->hits.n; i++) {
		const struct lg_hit *h = i < s->hits.n ?
		    &s->hits.v[(s->hits.head + i) % s->hits.max] : tail;
		if (h->line == NULL)
			continue;
		char off[24];
		snprintf(off, sizeof off, "%llu", (unsigned long long)h->off);
		const char *v[] = { names[h->file], off, h->line };
		proto_row(&res->out, "L", v, 3);
		n++;
	}
	done(res, n);
}

static int
sftp_loggrep(struct call *c, const struct op *op, const char *drv, struct script_result *res)
{
	const char *log = op_arg(op, "log"), *needle = op_arg(op, "needle");
	const char *mx = op_arg(op, "max");
	size_t max = mx != NULL && *mx ? strtoul(mx, NULL, 10) : LG_DEFAULT_MAX;
	char *why = NULL;
	proto_begin(&res->out, "loggrep");
	int r = reach(c, log, drv, &why);
	if (r <= 0)
		return r < 0 ? -1 : fail(res, why);
	char *lo_drv = rotated(drv), *lo_asked = rotated(log);
	char *key = xasprintf("%s\x1f%s\x1f%zu", drv, needle, max);
	struct lg_file lo, lg;
	r = lg_stat(c, lo_drv, &lo, &why);
	if (r == 0)
		r = lg_stat(c, drv, &lg, &why);
	struct lg_state s = { .lo_read = false };
	struct lg_hit tail = { 0, 0, NULL };
	if (r == 0) {
		cache_take(c->f, key, &lo, &lg, max, &s);
		s.lo = lo;
		s.log = lg;
		r = lg_update(c, &s, lo_drv, drv, needle, &tail, &why);
	}
	const char *names[2] = { lo_asked, log };
	if (r == 0) {
		lg_emit(res, &s, &tail, names);
		cache_put(c->f, key, &s);
	} else if (r > 0) {
		fail(res, why);
		why = NULL;
	}
	ring_free(&s.hits);
	free(tail.line);
	free(why);
	free(key);
	free(lo_drv);
	free(lo_asked);
	return r < 0 ? -1 : 0;
}

/* ---- the changing ops ---------------------------------------------------------- */

/* Need() of ops.c: 0 with *st of the file; 1 after the END error the
 * PowerShell prints; -1 the connection failed. */
static int
need(struct call *c, const char *asked, const char *drv, struct sshloop_stat *st,
    struct script_result *res)
{
	char *why = NULL;
	int r = reach(c, asked, drv, &why);
	if (r > 0) {
		r = c_stat(c, drv, st, &why);
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
	fail(res, why);
	return 1;
}

static int
reply_one(struct script_result *res, const char *type, const char *const cols[2],
    const char *a, const char *b)
{
	const char *v[] = { a, b };
	proto_cols(&res->out, type, cols, 2);
	proto_row(&res->out, type, v, 2);
	return done(res, 1);
}

static int
sftp_setattr(struct call *c, const struct op *op, const char *drv, struct script_result *res)
{
	static const char *const cols[] = { "Path", "Attrs" };
	const char *path = op_arg(op, "path"), *ro = op_arg(op, "readonly");
	struct sshloop_stat st;
	proto_begin(&res->out, "setattr");
	int r = need(c, path, drv, &st, res);
	if (r != 0)
		return r < 0 ? -1 : 0;
	char *why = NULL;
	if (ro != NULL && (strcmp(ro, "set") == 0 || strcmp(ro, "clear") == 0)) {
		r = c_setro(c, drv, strcmp(ro, "set") == 0, &why);
		if (r == 0)
			r = c_stat(c, drv, &st, &why);
	}
	if (r != 0) {
		if (r < 0)
			free(why);
		return r < 0 ? -1 : fail(res, why);
	}
	char attrs[8];
	snprintf(attrs, sizeof attrs, "%u", attrs_of(&st));
	return reply_one(res, "A", cols, path, attrs);
}

static int
sftp_deletefile(struct call *c, const struct op *op, const char *drv,
    struct script_result *res)
{
	static const char *const cols[] = { "Path", "Result" };
	const char *path = op_arg(op, "path");
	char *why = NULL;
	proto_begin(&res->out, "deletefile");
	int r = reach(c, path, drv, &why);
	if (r <= 0)
		return r < 0 ? -1 : fail(res, why);
	struct sshloop_stat st;
	r = c_stat(c, drv, &st, &why);
	if (r == 0 && st.exists && st.is_dir)
		return fail(res, xasprintf("%s is a folder, not a file", path));
	/* Remove-Item -Force removes a read-only file; Windows refuses to
	 * delete one otherwise, so the bit goes first. */
	if (r == 0 && st.exists && st.readonly)
		r = c_setro(c, drv, false, &why);
	if (r == 0 && st.exists)
		r = c_unlink(c, drv, &why);
	if (r != 0) {
		if (r < 0)
			free(why);
		return r < 0 ? -1 : fail(res, why);
	}
	return reply_one(res, "D", cols, path, st.exists ? "deleted" : "absent");
}

static int
sftp_renamefile(struct call *c, const struct op *op, const char *drv,
    struct script_result *res)
{
	static const char *const cols[] = { "Path", "NewPath" };
	const char *path = op_arg(op, "path"), *name = op_arg(op, "newname");
	struct sshloop_stat st;
	proto_begin(&res->out, "renamefile");
	int r = need(c, path, drv, &st, res);
	if (r != 0)
		return r < 0 ? -1 : 0;
	char *to = sibling(path, name), *to_drv = sibling(drv, name), *why = NULL;
	/* Test-Path of the target, as the server's file system sees it: a
	 * case-only rename is refused on Windows, as PowerShell refuses it,
	 * and done where names have case (the simulator does the same). */
	r = c_stat(c, to_drv, &st, &why);
	if (r == 0 && st.exists)
		why = xasprintf("%s already exists", to);
	else if (r == 0)
		r = c_rename(c, drv, to_drv, &why);
	if (r == 0 && why == NULL)
		reply_one(res, "N", cols, path, to);
	else if (r >= 0)
		fail(res, why);
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
	case OP_RENAMEFILE:
		return ops_filename_valid(op_arg(op, "newname")) ? op_arg(op, "path") : NULL;
	default:
		return NULL;
	}
}

static int
route(struct call *c, struct transport *t, sshfiles_ps_fn ps, const struct op *op,
    struct script_result *res)
{
	if (op->kind == OP_PATHINFO)
		return ops_paths_valid(op_arg(op, "paths")) ? sftp_pathinfo(c, t, ps, op, res) : 1;
	char *drv = own_path(c->f, op_file(op));
	if (drv == NULL)
		return 1;
	int rc = op->kind == OP_DIRLIST ? sftp_dirlist(c, op, drv, res) :
	    op->kind == OP_LOGGREP ? sftp_loggrep(c, op, drv, res) :
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
	struct call c = { f, op_name(op.kind), dl, err, false };
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
	if (pthread_mutex_init(&f->lock, NULL) != 0)
		abort();
	return f;
}

void
sshfiles_free(struct sshfiles *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < LG_CACHE; i++)
		if (f->cache[i].key != NULL) {
			free(f->cache[i].key);
			ring_free(&f->cache[i].s.hits);
		}
	pthread_mutex_destroy(&f->lock);
	free(f);
}
