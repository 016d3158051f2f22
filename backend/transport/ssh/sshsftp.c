/*
 * Files over SFTP, driven by the SSH engine's loop like the commands on
 * channels (sshhost.c).  Each host has one SFTP channel on its session,
 * opened when the first file request reaches the head of the line
 * (libssh2_sftp_init answers NULL with EAGAIN while it works).  libssh2
 * 1.10 keeps the place of an open, stat, rename, unlink... in the
 * LIBSSH2_SFTP itself, not per call, so only one request uses it at a
 * time (h->sftp_owner), the others wait in the host's active list; and a
 * request that leaves in the middle of a call (deadline, cancel) would
 * leave the next caller reading its answer, so the channel is shut down
 * and a fresh one opened.  Each operation is a short program of steps
 * (stat the source, delete the target, rename, ...) and every step calls
 * its libssh2 function again with the same arguments after EAGAIN
 * (transports.md section 1.6): reads take the open file's size first
 * (one allocation, reads sized to what is left, 2 MB per call for
 * libssh2's deepest read-ahead), seek once before the first read and
 * size the last read to what is left of the range, writes pass
 * the same remaining bytes again, directory reads use buffers large enough
 * that 1.10 does not skip entries.  Paths are converted from E:\a\b to
 * /E:/a/b in one place, to_sftp, and anything else is refused
 * before a request is made.
 */
#include "autoconf.h"
#include "backend/transport/ssh/sshsftp_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libssh2_sftp.h>

/* Per read call.  libssh2 1.10 keeps 4x the buffer it is given in flight
 * (in 30000-byte requests), at most 4x its 2 MB default window: 2 MB
 * buys the deepest pipeline it has, 8 MB ahead. */
#define READ_CHUNK ((size_t)2 << 20)
/* After the bytes the size promised: a short read, for the end of file
 * or for what was appended since. */
#define READ_TAIL ((size_t)64 << 10)
#define WRITE_CHUNK ((size_t)1 << 18)
#define SFTP_READ_MAX ((uint64_t)1 << 30)
/* 1.10 silently skips entries whose name or long line does not fit
 * (fixed in 1.11.0); an NTFS name is at most 255 UTF-16 units, 765 bytes
 * of UTF-8. */
#define NAME_BUF 1024
#define LONG_BUF 2048

enum sftp_step {
	SS_STAT,        /* path; a missing file is an answer, not an error */
	SS_STAT_SRC,    /* path must exist */
	SS_STAT_DST,    /* path2: does it exist (a directory is refused) */
	SS_UNLINK_DST,  /* path2, when it exists */
	SS_RENAME,      /* path -> path2 */
	SS_RENAME_TMP1, /* path -> tmp */
	SS_RENAME_TMP2, /* tmp -> path2 */
	SS_UNLINK,      /* path */
	SS_SETSTAT,     /* path: permissions from the source's, write bits changed */
	SS_OPEN_READ,
	SS_FSTAT,       /* the open file's size, to size the buffer and the reads */
	SS_READ,
	SS_OPEN_WRITE,
	SS_WRITE,
	SS_OPENDIR,
	SS_READDIR,
	SS_CLOSE,       /* the handle, also after a failure */
	SS_END,
};

static const enum sftp_step prog_stat[] = { SS_STAT, SS_END };
static const enum sftp_step prog_read[] = { SS_OPEN_READ, SS_FSTAT, SS_READ, SS_CLOSE,
	SS_END };
static const enum sftp_step prog_list[] = { SS_OPENDIR, SS_READDIR, SS_CLOSE, SS_END };
static const enum sftp_step prog_rename[] = { SS_STAT_SRC, SS_STAT_DST, SS_UNLINK_DST,
	SS_RENAME, SS_END };
static const enum sftp_step prog_rename_case[] = { SS_STAT_SRC, SS_RENAME_TMP1,
	SS_RENAME_TMP2, SS_END };
static const enum sftp_step prog_unlink[] = { SS_UNLINK, SS_END };
static const enum sftp_step prog_setro[] = { SS_STAT_SRC, SS_SETSTAT, SS_END };
static const enum sftp_step prog_write[] = { SS_OPEN_WRITE, SS_WRITE, SS_CLOSE, SS_END };

struct sftpreq {
	const enum sftp_step *prog;
	size_t pc;
	char *what;                  /* "sftp read E:\x", for messages */
	char *winpath, *winpath2;
	char *path, *path2, *tmp;    /* SFTP form */
	bool inflight;               /* a call answered EAGAIN and is pending */
	char *failed;                /* the reason, kept while the handle closes */
	LIBSSH2_SFTP_HANDLE *fh;
	LIBSSH2_SFTP_ATTRIBUTES attrs;
	bool dst_exists;
	/* stat, setro */
	struct files_stat *st;
	bool readonly;
	/* read */
	uint64_t off, len, got;
	uint64_t expect;             /* bytes the size at open promised, UINT64_MAX unknown */
	bool seeked;
	struct buf *out;
	/* write */
	const char *data;
	size_t dlen, doff;
	/* list */
	char *pattern;
	struct files_dir *dir;
	char *name, *longentry;
};

/* ---- paths --------------------------------------------------------------------- */

/* Windows paths name a drive, E:\dir\file; SFTP on Windows OpenSSH wants
 * /E:/dir/file (transports.md section 2).  UNC paths, relative paths,
 * "." and ".." and control characters are refused: they are not a drive
 * path, or would mean something else on the server than here. */
static char *
to_sftp(const char *w, char **err)
{
	if (w == NULL || !isalpha((unsigned char)w[0]) || w[1] != ':' || w[2] != '\\') {
		err_set(err, "not a drive path (E:\\...); SFTP is given local drive paths only");
		return NULL;
	}
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "/%c:", toupper((unsigned char)w[0]));
	for (const char *p = w + 3; *p != '\0';) {
		size_t n = strcspn(p, "\\");
		bool bad = (n == 0 && p[n] != '\0') || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.');
		for (size_t i = 0; i < n && !bad; i++)
			bad = (unsigned char)p[i] < 0x20 || p[i] == '/';
		if (bad) {
			err_set(err, "empty, \".\" or \"..\" parts, slashes and control "
			    "characters are refused");
			buf_free(&b);
			return NULL;
		}
		buf_addc(&b, '/');
		buf_add(&b, p, n);
		p += n + (p[n] == '\\');
	}
	if (b.len == 3)
		buf_addc(&b, '/');   /* E:\ is the drive's root */
	return buf_detach(&b);
}


/* ---- requests ------------------------------------------------------------------- */

static void
sftpreq_free(struct sftpreq *sf)
{
	if (sf == NULL)
		return;
	free(sf->what);
	free(sf->winpath);
	free(sf->winpath2);
	free(sf->path);
	free(sf->path2);
	free(sf->tmp);
	free(sf->failed);
	free(sf->pattern);
	free(sf->name);
	free(sf->longentry);
	free(sf);
}

const char *
sshsftp_what(const struct sshreq *r)
{
	return r->sf != NULL && r->sf->what != NULL ? r->sf->what : "sftp";
}

/* The request is done (msg NULL: success) with what failed; -1 for the
 * drive loop. */
static int
finish_kind(struct sshhost *h, struct sshreq *r, enum ssh_error kind, const char *msg)
{
	if (h->sftp_owner == r)
		h->sftp_owner = NULL;
	if (h->starting == r)
		h->starting = NULL;
	sshreq_list_remove(&h->active, r);
	if (msg == NULL)
		sshreq_complete(h->loop, r, SSHE_NONE, NULL);
	else
		sshreq_complete(h->loop, r, kind, "%s: %s: %s", h->name, r->sf->what, msg);
	return -1;
}

static int
finish(struct sshhost *h, struct sshreq *r, const char *msg)
{
	return finish_kind(h, r, SSHE_PROTOCOL, msg);
}

/* Shut the channel down in the background, with the file it had open
 * (libssh2 1.10's shutdown does not free open handles and their
 * read-ahead); the next request opens another channel. */
static void
poison(struct sshhost *h, LIBSSH2_SFTP_HANDLE *fh)
{
	if (h->sftp == NULL)
		return;
	h->sftp_dead = xreallocarray(h->sftp_dead, h->nsftp_dead + 1, sizeof *h->sftp_dead);
	h->sftp_dead_fh = xreallocarray(h->sftp_dead_fh, h->nsftp_dead + 1,
	    sizeof *h->sftp_dead_fh);
	h->sftp_dead_fh[h->nsftp_dead] = fh;
	h->sftp_dead[h->nsftp_dead++] = h->sftp;
	h->sftp = NULL;
}

void
sshsftp_abandon(struct sshhost *h, struct sshreq *r)
{
	if (h->sftp_owner != r)
		return;
	h->sftp_owner = NULL;
	/* A pending call or an open handle belongs to this request only. */
	if (r->sf->inflight || r->sf->fh != NULL)
		poison(h, r->sf->fh);
	r->sf->fh = NULL;
}

void
sshsftp_reap(struct sshhost *h)
{
	size_t k = 0;
	for (size_t i = 0; i < h->nsftp_dead; i++) {
		int rc = 0;
		if (h->sftp_dead_fh[i] != NULL) {
			rc = libssh2_sftp_close_handle(h->sftp_dead_fh[i]);
			if (rc != LIBSSH2_ERROR_EAGAIN)
				h->sftp_dead_fh[i] = NULL;
		}
		if (rc != LIBSSH2_ERROR_EAGAIN)
			rc = libssh2_sftp_shutdown(h->sftp_dead[i]);
		if (rc == LIBSSH2_ERROR_EAGAIN) {
			h->sftp_dead_fh[k] = h->sftp_dead_fh[i];
			h->sftp_dead[k++] = h->sftp_dead[i];
		}
	}
	h->nsftp_dead = k;
}

void
sshsftp_close(struct sshhost *h)
{
	poison(h, NULL);
	/* The session goes too: shut each channel down once and do not
	 * drain open handles (a read abandoned mid-way would first fetch its
	 * read-ahead); libssh2 1.10 then leaks such a handle's buffers. */
	for (size_t i = 0; i < h->nsftp_dead; i++)
		h->sftp_dead_fh[i] = NULL;
	for (int i = 0; i < 100 && h->nsftp_dead > 0; i++)
		sshsftp_reap(h);
	free(h->sftp_dead);
	free(h->sftp_dead_fh);
	h->sftp_dead = NULL;
	h->sftp_dead_fh = NULL;
	h->nsftp_dead = 0;
	h->sftp_owner = NULL;
}

/* ---- errors ---------------------------------------------------------------------- */

static const char *
fx_text(unsigned long fx)
{
	static const char *const text[] = {
		"ok", "end of file", "no such file", "permission denied", "failure",
		"bad message", "no connection", "connection lost", "not supported by the server",
		"invalid handle", "no such path", "already exists", "write-protected",
		"no media", "no space left", "quota exceeded", "unknown principal",
		"locked by another process", "directory not empty", "not a directory",
		"invalid file name", "too many symbolic links",
	};
	return fx < sizeof text / sizeof text[0] ? text[fx] : "failure";
}

static bool
fx_missing(struct sshhost *h, int rc)
{
	if (rc != LIBSSH2_ERROR_SFTP_PROTOCOL || h->sftp == NULL)
		return false;
	unsigned long fx = libssh2_sftp_last_error(h->sftp);
	return fx == LIBSSH2_FX_NO_SUCH_FILE || fx == LIBSSH2_FX_NO_SUCH_PATH;
}

/* Why a call failed: the server's SFTP status, or libssh2's message. */
static char *
reason(struct sshhost *h, int rc, const char *prefix, const char *winpath)
{
	const char *why = rc == LIBSSH2_ERROR_SFTP_PROTOCOL && h->sftp != NULL ?
	    fx_text(libssh2_sftp_last_error(h->sftp)) : sshreq_session_msg(h->session);
	if (winpath != NULL)
		return xasprintf("%s%s (%s)", prefix, why, winpath);
	return xasprintf("%s%s", prefix, why);
}

/* ---- steps ----------------------------------------------------------------------- */

/* A step that failed with its reason already in sf->failed. */
#define STEP_FAIL (-10000)

static void
attrs_to_stat(const LIBSSH2_SFTP_ATTRIBUTES *a, struct files_stat *st)
{
	bool perm = (a->flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) != 0;
	st->exists = true;
	st->is_dir = perm && LIBSSH2_SFTP_S_ISDIR(a->permissions);
	/* Win32-OpenSSH shows FILE_ATTRIBUTE_READONLY as missing write bits;
	 * the owner's is the one it sets and the simulator reads. */
	st->readonly = perm && !(a->permissions & LIBSSH2_SFTP_S_IWUSR);
	st->size = (a->flags & LIBSSH2_SFTP_ATTR_SIZE) ? a->filesize : 0;
	st->mtime = (a->flags & LIBSSH2_SFTP_ATTR_ACMODTIME) ? (int64_t)a->mtime : 0;
}

static int
sf_stat(struct sshhost *h, const char *path, LIBSSH2_SFTP_ATTRIBUTES *a, int type)
{
	return libssh2_sftp_stat_ex(h->sftp, path, (unsigned)strlen(path), type, a);
}

static int
sf_rename(struct sshhost *h, const char *from, const char *to)
{
	/* The flags mean nothing in SFTPv3: OpenSSH and Windows refuse a
	 * rename onto an existing file whatever they say. */
	return libssh2_sftp_rename_ex(h->sftp, from, (unsigned)strlen(from), to,
	    (unsigned)strlen(to), LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC |
	    LIBSSH2_SFTP_RENAME_NATIVE);
}

static int
sf_open(struct sshhost *h, struct sftpreq *sf, unsigned long flags, long mode, int type)
{
	sf->fh = libssh2_sftp_open_ex(h->sftp, sf->path, (unsigned)strlen(sf->path), flags,
	    mode, type);
	return sf->fh != NULL ? 0 : libssh2_session_last_errno(h->session);
}

/* The open file's size: the whole range is then allocated once and read
 * straight into place, each read asks for no more than the file still
 * holds (the read-ahead stops at its end) and the pipeline stays deep
 * until then.  A server that will not say leaves the size unknown. */
static int
step_fstat(struct sftpreq *sf)
{
	LIBSSH2_SFTP_ATTRIBUTES a;
	int rc = libssh2_sftp_fstat_ex(sf->fh, &a, 0);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return rc;
	sf->expect = UINT64_MAX;
	if (rc == 0 && (a.flags & LIBSSH2_SFTP_ATTR_SIZE)) {
		uint64_t have = a.filesize > sf->off ? a.filesize - sf->off : 0;
		sf->expect = have < sf->len ? have : sf->len;
	}
	if (sf->expect != UINT64_MAX && sf->expect > SFTP_READ_MAX) {
		/* Refused now rather than after a gigabyte has crossed. */
		sf->failed = xasprintf("%llu MB, more than %llu MB; refused",
		    (unsigned long long)(sf->expect >> 20),
		    (unsigned long long)(SFTP_READ_MAX >> 20));
		return STEP_FAIL;
	}
	if (sf->expect != UINT64_MAX)
		buf_grow(sf->out, (size_t)sf->expect + READ_TAIL);
	else if (sf->len != UINT64_MAX)
		buf_grow(sf->out, (size_t)sf->len);
	return rc == 0 || rc == LIBSSH2_ERROR_SFTP_PROTOCOL ? 0 : rc;
}

/* How much to ask of the next read: what is left of the range, of the
 * size the file had at open, then a short read for its end. */
static size_t
read_want(const struct sftpreq *sf)
{
	uint64_t left = sf->len - sf->got;
	if (sf->expect != UINT64_MAX && sf->got < sf->expect)
		left = sf->expect - sf->got;
	else if (sf->expect != UINT64_MAX && left > READ_TAIL)
		left = READ_TAIL;
	return left < READ_CHUNK ? (size_t)left : READ_CHUNK;
}

/* libssh2 1.10 answers a read whose pipelined answers no longer follow
 * one another (a short answer, then data: the file grew or was rewritten
 * between two of its requests) with a protocol error of its own, not the
 * server's status: say what happened instead of a stale status. */
static int
read_failed(struct sshhost *h, struct sftpreq *sf, int rc)
{
	char *msg = NULL;
	if (rc != LIBSSH2_ERROR_SFTP_PROTOCOL ||
	    libssh2_session_last_error(h->session, &msg, NULL, 0) != LIBSSH2_ERROR_SFTP_PROTOCOL ||
	    msg == NULL || strstr(msg, "SFTP READ error") != NULL)
		return rc;
	sf->failed = xasprintf("the file changed while it was read, after %llu bytes (%s); "
	    "read it again", (unsigned long long)sf->got, msg);
	return STEP_FAIL;
}

static int
step_read(struct sshhost *h, struct sftpreq *sf, bool *moved)
{
	if (!sf->seeked) {
		/* Once, before the first read, never inside an EAGAIN retry:
		 * seek64 drops the read-ahead in flight. */
		libssh2_sftp_seek64(sf->fh, sf->off);
		sf->seeked = true;
	}
	for (;;) {
		if (sf->len == sf->got)
			return 0;
		if (sf->got >= SFTP_READ_MAX) {
			sf->failed = xasprintf("more than %llu MB; refused",
			    (unsigned long long)(SFTP_READ_MAX >> 20));
			return STEP_FAIL;
		}
		/* The last read asks for what is left of the range only, or
		 * the read-ahead fetches past it.  The same size again after
		 * EAGAIN, and the buffer does not move: it already has room. */
		size_t want = read_want(sf);
		buf_grow(sf->out, want);
		ssize_t n = libssh2_sftp_read(sf->fh, sf->out->data + sf->out->len, want);
		if (n < 0)
			return read_failed(h, sf, (int)n);
		if (n == 0 && sf->expect != UINT64_MAX && sf->got < sf->expect) {
			/* Cut short since it was opened: what came back is
			 * neither the file as it was nor as it is. */
			sf->failed = xasprintf("the file became shorter while it was read "
			    "(%llu of the %llu bytes it had); read it again",
			    (unsigned long long)sf->got, (unsigned long long)sf->expect);
			return STEP_FAIL;
		}
		if (n == 0)
			return 0;   /* end of file */
		sf->out->len += (size_t)n;
		sf->out->data[sf->out->len] = '\0';
		sf->got += (uint64_t)n;
		*moved = true;
	}
}

static int
step_write(struct sftpreq *sf, bool *moved)
{
	while (sf->doff < sf->dlen) {
		/* After EAGAIN, the same remaining bytes again. */
		size_t n = sf->dlen - sf->doff < WRITE_CHUNK ? sf->dlen - sf->doff : WRITE_CHUNK;
		ssize_t w = libssh2_sftp_write(sf->fh, sf->data + sf->doff, n);
		if (w < 0)
			return (int)w;
		sf->doff += (size_t)w;
		*moved = true;
	}
	return 0;
}

static int
step_readdir(struct sftpreq *sf, bool *moved)
{
	for (;;) {
		int n = libssh2_sftp_readdir_ex(sf->fh, sf->name, NAME_BUF, sf->longentry,
		    LONG_BUF, &sf->attrs);
		if (n <= 0)
			return n;
		*moved = true;
		char *name = xstrndup(sf->name, (size_t)n);
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
		    (sf->pattern != NULL && !wildcard_match(sf->pattern, name))) {
			free(name);
			continue;
		}
		struct files_dir *d = sf->dir;
		d->v = xreallocarray(d->v, d->n + 1, sizeof *d->v);
		d->v[d->n].name = name;
		attrs_to_stat(&sf->attrs, &d->v[d->n].st);
		d->n++;
	}
}

/* The target of a rename: whether it is there, and never a directory. */
static int
step_stat_dst(struct sshhost *h, struct sftpreq *sf)
{
	LIBSSH2_SFTP_ATTRIBUTES a;
	int rc = sf_stat(h, sf->path2, &a, LIBSSH2_SFTP_STAT);
	if (rc == 0 && (a.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) &&
	    LIBSSH2_SFTP_S_ISDIR(a.permissions)) {
		sf->failed = xasprintf("the target is a directory (%s)", sf->winpath2);
		return STEP_FAIL;
	}
	sf->dst_exists = rc == 0;
	return rc == 0 || fx_missing(h, rc) ? 0 : rc;
}

static int
step_setstat(struct sshhost *h, struct sftpreq *sf)
{
	/* Recomputed on every call, the same each time. */
	LIBSSH2_SFTP_ATTRIBUTES a = { .flags = LIBSSH2_SFTP_ATTR_PERMISSIONS };
	unsigned long p = sf->attrs.permissions & 07777;
	a.permissions = sf->readonly ? p & ~(unsigned long)0222 : p | LIBSSH2_SFTP_S_IWUSR;
	return sf_stat(h, sf->path, &a, LIBSSH2_SFTP_SETSTAT);
}

/* One step of the program: 0 done (next step), EAGAIN, or an error. */
static int
run_step(struct sshhost *h, struct sftpreq *sf, bool *moved)
{
	int rc;
	switch (sf->prog[sf->pc]) {
	case SS_STAT:
		rc = sf_stat(h, sf->path, &sf->attrs, LIBSSH2_SFTP_STAT);
		if (rc == 0)
			attrs_to_stat(&sf->attrs, sf->st);
		else if (fx_missing(h, rc))
			*sf->st = (struct files_stat){ .exists = false };
		return rc == 0 || fx_missing(h, rc) ? 0 : rc;
	case SS_STAT_SRC:
		return sf_stat(h, sf->path, &sf->attrs, LIBSSH2_SFTP_STAT);
	case SS_STAT_DST:
		return step_stat_dst(h, sf);
	case SS_UNLINK_DST:
		return sf->dst_exists ? libssh2_sftp_unlink_ex(h->sftp, sf->path2,
		    (unsigned)strlen(sf->path2)) : 0;
	case SS_RENAME:
		return sf_rename(h, sf->path, sf->path2);
	case SS_RENAME_TMP1:
		return sf_rename(h, sf->path, sf->tmp);
	case SS_RENAME_TMP2:
		return sf_rename(h, sf->tmp, sf->path2);
	case SS_UNLINK:
		return libssh2_sftp_unlink_ex(h->sftp, sf->path, (unsigned)strlen(sf->path));
	case SS_SETSTAT:
		return step_setstat(h, sf);
	case SS_OPEN_READ:
		return sf_open(h, sf, LIBSSH2_FXF_READ, 0, LIBSSH2_SFTP_OPENFILE);
	case SS_FSTAT:
		return step_fstat(sf);
	case SS_READ:
		return step_read(h, sf, moved);
	case SS_OPEN_WRITE:
		return sf_open(h, sf, LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC,
		    0644, LIBSSH2_SFTP_OPENFILE);
	case SS_WRITE:
		return step_write(sf, moved);
	case SS_OPENDIR:
		return sf_open(h, sf, 0, 0, LIBSSH2_SFTP_OPENDIR);
	case SS_READDIR:
		return step_readdir(sf, moved);
	case SS_CLOSE:
		rc = libssh2_sftp_close_handle(sf->fh);
		if (rc != LIBSSH2_ERROR_EAGAIN)
			sf->fh = NULL;   /* closed, or lost with its channel */
		return rc;
	case SS_END:
		break;
	}
	return 0;
}

/* What a failed step means, for the message. */
static char *
step_reason(struct sshhost *h, const struct sftpreq *sf, int rc)
{
	switch (sf->prog[sf->pc]) {
	case SS_STAT_SRC:
		return reason(h, rc, "", sf->winpath2 != NULL ? sf->winpath : NULL);
	case SS_STAT_DST:
		return reason(h, rc, "cannot look at the target: ", sf->winpath2);
	case SS_UNLINK_DST:
		return reason(h, rc, "cannot delete the existing target: ", sf->winpath2);
	case SS_RENAME_TMP1:
		return reason(h, rc, "cannot rename to a temporary name first: ", NULL);
	case SS_RENAME_TMP2: {
		char *m = reason(h, rc, "", NULL);
		char *r = xasprintf("%s; the file is left as %s%s", m, sf->winpath2,
		    sf->tmp + strlen(sf->path2));
		free(m);
		return r;
	}
	default:
		return reason(h, rc, "", NULL);
	}
}

/* The host's SFTP channel, opened by the request at the head of the line. */
static int
open_sftp(struct sshhost *h, struct sshreq *r, int *dead)
{
	if (h->starting != NULL && h->starting != r)
		return 0;   /* a channel's exec awaits its reply (sshreq.h) */
	h->sftp = libssh2_sftp_init(h->session);
	int rc = h->sftp != NULL ? 0 : libssh2_session_last_errno(h->session);
	h->starting = rc == LIBSSH2_ERROR_EAGAIN ? r : NULL;
	if (h->sftp != NULL)
		return 1;
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return 0;
	if (sshreq_session_dead(rc)) {
		*dead = rc;
		return -2;
	}
	/* The session is fine but will not serve SFTP (no subsystem, or
	 * refused): the caller may do without it. */
	char *m = xasprintf("cannot start SFTP on the session (%s)",
	    sshreq_session_msg(h->session));
	finish_kind(h, r, SSHE_NO_SFTP, m);
	free(m);
	return -1;
}

/* After a failure: close the handle if there is one, then report. */
static int
step_failed(struct sshhost *h, struct sshreq *r, int rc)
{
	struct sftpreq *sf = r->sf;
	if (sf->failed == NULL)
		sf->failed = step_reason(h, sf, rc);
	if (rc != LIBSSH2_ERROR_SFTP_PROTOCOL && rc != STEP_FAIL) {
		/* The channel itself is in trouble: a fresh one next time. */
		poison(h, sf->fh);
		sf->fh = NULL;
		return finish(h, r, sf->failed);
	}
	if (sf->fh != NULL && sf->prog[sf->pc] != SS_CLOSE) {
		while (sf->prog[sf->pc] != SS_CLOSE)
			sf->pc++;
		return 1;
	}
	return finish(h, r, sf->failed);
}

int
sshsftp_step(struct sshhost *h, struct sshreq *r, int *dead)
{
	if (h->sftp_owner != NULL && h->sftp_owner != r)
		return 0;   /* waiting its turn */
	h->sftp_owner = r;
	if (h->sftp == NULL)
		return open_sftp(h, r, dead);
	struct sftpreq *sf = r->sf;
	if (sf->prog[sf->pc] == SS_END)
		return finish(h, r, sf->failed);
	bool moved = false;
	int rc = run_step(h, sf, &moved);
	sf->inflight = rc == LIBSSH2_ERROR_EAGAIN;
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return moved;
	if (rc == 0) {
		sf->pc++;
		return 1;
	}
	if (sshreq_session_dead(rc)) {
		*dead = rc;
		return -2;
	}
	return step_failed(h, r, rc);
}

/* ---- public ---------------------------------------------------------------------- */

/* A request for op on winpath (and winpath2), or NULL with *err when a
 * path is not one SFTP is given: nothing is sent then. */
static struct sshreq *
sftp_req(const struct ssh_host *h, const char *op, const char *winpath,
    const char *winpath2, const enum sftp_step *prog, char **err)
{
	struct sftpreq *sf = xcalloc(1, sizeof *sf);
	sf->prog = prog;
	sf->winpath = xstrdup(winpath ? winpath : "(null)");
	sf->winpath2 = winpath2 ? xstrdup(winpath2) : NULL;
	sf->what = winpath2 ? xasprintf("sftp %s %s -> %s", op, sf->winpath, winpath2) :
	    xasprintf("sftp %s %s", op, sf->winpath);
	char *why = NULL;
	sf->path = to_sftp(winpath, &why);
	if (sf->path != NULL && winpath2 != NULL)
		sf->path2 = to_sftp(winpath2, &why);
	if (sf->path == NULL || (winpath2 != NULL && sf->path2 == NULL)) {
		err_set(err, "%s: %s: %s", h->name, sf->what, why);
		free(why);
		sftpreq_free(sf);
		return NULL;
	}
	struct sshreq *r = xcalloc(1, sizeof *r);
	r->type = RK_SFTP;
	r->sf = sf;
	return r;
}

static int
sftp_run(struct sshloop *l, const struct ssh_host *h, struct sshreq *r,
    const struct deadline *dl, enum ssh_error *kind, char **err)
{
	if (r == NULL && kind != NULL)
		*kind = SSHE_PROTOCOL;   /* a path refused before sending */
	if (r == NULL)
		return -1;
	/* sshreq_run frees the request but not its operation: done, the
	 * engine no longer touches either. */
	struct sftpreq *sf = r->sf;
	int rc = sshreq_run(l, h, r, dl, kind, err);
	sftpreq_free(sf);
	return rc;
}

int
sshloop_sftp_stat(struct sshloop *l, const struct ssh_host *h, const char *winpath,
    struct files_stat *st, const struct deadline *dl, enum ssh_error *kind,
    char **err)
{
	*st = (struct files_stat){ .exists = false };
	struct sshreq *r = sftp_req(h, "stat", winpath, NULL, prog_stat, err);
	if (r != NULL)
		r->sf->st = st;
	return sftp_run(l, h, r, dl, kind, err);
}

int
sshloop_sftp_read(struct sshloop *l, const struct ssh_host *h, const char *winpath,
    uint64_t off, uint64_t len, struct buf *out, const struct deadline *dl,
    enum ssh_error *kind, char **err)
{
	if (len != UINT64_MAX && len > SFTP_READ_MAX) {
		err_set(err, "%s: sftp read %s: more than %llu MB at once; refused", h->name,
		    winpath, (unsigned long long)(SFTP_READ_MAX >> 20));
		if (kind != NULL)
			*kind = SSHE_PROTOCOL;
		return -1;
	}
	struct sshreq *r = sftp_req(h, "read", winpath, NULL, prog_read, err);
	if (r != NULL) {
		r->sf->off = off;
		r->sf->len = len;
		r->sf->out = out;
	}
	return sftp_run(l, h, r, dl, kind, err);
}


int
sshloop_sftp_list(struct sshloop *l, const struct ssh_host *h, const char *windir,
    const char *pattern, struct files_dir *out, const struct deadline *dl,
    enum ssh_error *kind, char **err)
{
	*out = (struct files_dir){ NULL, 0 };
	struct sshreq *r = sftp_req(h, "list", windir, NULL, prog_list, err);
	if (r != NULL) {
		r->sf->dir = out;
		r->sf->pattern = pattern ? xstrdup(pattern) : NULL;
		r->sf->name = xmalloc(NAME_BUF);
		r->sf->longentry = xmalloc(LONG_BUF);
	}
	int rc = sftp_run(l, h, r, dl, kind, err);
	if (rc != 0)
		files_dir_free(out);
	return rc;
}

int
sshloop_sftp_rename(struct sshloop *l, const struct ssh_host *h, const char *from,
    const char *to, const struct deadline *dl, enum ssh_error *kind,
    char **err)
{
	if (from != NULL && to != NULL && strcmp(from, to) == 0) {
		/* Already so; and Windows OpenSSH deletes a file renamed onto
		 * itself (Win32-OpenSSH#1849): nothing is sent. */
		char *why = NULL, *p = to_sftp(from, &why);
		if (p == NULL)
			err_set(err, "%s: sftp rename %s -> %s: %s", h->name, from, to, why);
		free(why);
		free(p);
		if (kind != NULL)
			*kind = p != NULL ? SSHE_NONE : SSHE_PROTOCOL;
		return p != NULL ? 0 : -1;
	}
	bool case_only = from != NULL && to != NULL && strcasecmp(from, to) == 0;
	struct sshreq *r = sftp_req(h, "rename", from, to ? to : "(null)",
	    case_only ? prog_rename_case : prog_rename, err);
	if (r == NULL)
		return -1;
	static unsigned long counter;
	r->sf->tmp = xasprintf("%s.dpdoctor-%ld-%lu", r->sf->path2, (long)getpid(),
	    __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
	return sftp_run(l, h, r, dl, kind, err);
}

int
sshloop_sftp_unlink(struct sshloop *l, const struct ssh_host *h, const char *winpath,
    const struct deadline *dl, enum ssh_error *kind,
    char **err)
{
	return sftp_run(l, h, sftp_req(h, "delete", winpath, NULL, prog_unlink, err), dl, kind,
	    err);
}

int
sshloop_sftp_setro(struct sshloop *l, const struct ssh_host *h, const char *winpath,
    bool readonly, const struct deadline *dl, enum ssh_error *kind,
    char **err)
{
	struct sshreq *r = sftp_req(h, readonly ? "set read-only" : "clear read-only",
	    winpath, NULL, prog_setro, err);
	if (r != NULL)
		r->sf->readonly = readonly;
	return sftp_run(l, h, r, dl, kind, err);
}

int
sshloop_sftp_write(struct sshloop *l, const struct ssh_host *h, const char *winpath,
    const void *data, size_t len, const struct deadline *dl, enum ssh_error *kind,
    char **err)
{
	struct sshreq *r = sftp_req(h, "write", winpath, NULL, prog_write, err);
	if (r != NULL) {
		r->sf->data = data;
		r->sf->dlen = len;
	}
	return sftp_run(l, h, r, dl, kind, err);
}
