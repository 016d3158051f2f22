/*
 * The file system calls over SMB (smb_fs, files.h).
 * Own paths are the server's drive paths (E:\..., through the admin share
 * E$) and its shares (\\NAME\share\..., NAME this server's name in any
 * case); each call turns one into the UNC path messages name and, on the
 * worker, into a URL (smbjob_url).  Every call copies what it needs into
 * a job, so a caller that gives up leaves nothing of its own behind.
 *
 * DOS attributes are read from stat's mode (libsmbclient maps them: no
 * owner write bit = read-only, owner x = archive, group x = system, other
 * x = hidden; setup_stat in libsmb_stat.c) or from readdirplus2's raw
 * attributes, never from getxattr("system.dos_attr.mode"), which gives
 * the Unix mode in 4.17 (transports.md 3.2).  They are set with
 * smbc_chmod, which sets them all at once: the ones not being changed are
 * given back as they were (system and hidden too: the engine's client
 * configuration maps them).  Rename refuses an existing target
 * (libsmbclient would delete it and rename again); copy is the server's
 * own (splice: FSCTL_SRV_COPYCHUNK_WRITE when both ends are on one share
 * over SMB2+, else libsmbclient reads and writes through this machine,
 * 1 MiB at a time), and keeps the source's last write time, as Windows'
 * CopyFile does.
 */
#include "autoconf.h"
#include "backend/transport/smb/smbconn_int.h"
#include "backend/ops/ops.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>

#define READ_CHUNK ((size_t)4 << 20)   /* libsmbclient pipelines within one read */
#define READ_MAX ((uint64_t)1 << 30)
#define XATTR_FIRST 65536
#define XATTR_MAX ((size_t)4 << 20)

/* ---- paths ------------------------------------------------------------------------ */

/* The UNC path of an own path (E:\x -> \\NAME\E$\x), or NULL when it is
 * not one: names between backslashes must be real names. */
static char *
to_unc(const struct smbsrv *s, const char *own)
{
	char *unc;
	const char *rest;
	if (own != NULL && isalpha((unsigned char)own[0]) && own[1] == ':' && own[2] == '\\') {
		unc = xasprintf("\\\\%s\\%c$\\%s", s->name, toupper((unsigned char)own[0]), own + 3);
		rest = own + 3;
	} else if (own != NULL && own[0] == '\\' && own[1] == '\\' &&
	    strncasecmp(own + 2, s->name, strlen(s->name)) == 0 &&
	    own[2 + strlen(s->name)] == '\\' && own[3 + strlen(s->name)] != '\\' &&
	    own[3 + strlen(s->name)] != '\0') {
		const char *share = own + 3 + strlen(s->name);
		unc = xasprintf("\\\\%s\\%s%s", s->name, share, strchr(share, '\\') ? "" : "\\");
		rest = share;
	} else {
		return NULL;
	}
	for (const char *p = rest; *p != '\0';) {
		size_t n = strcspn(p, "\\");
		bool last = p[n] == '\0' || p[n + 1] == '\0';
		if ((n == 0 && !last) || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.')) {
			free(unc);
			return NULL;
		}
		p += n + (p[n] == '\\');
	}
	return unc;
}

static char *
fs_own(void *fs, const char *asked)
{
	const struct smbsrv *s = fs;
	if (asked == NULL || !ops_path_valid(asked))
		return NULL;
	if (isalpha((unsigned char)asked[0]) && asked[1] == ':')
		return xasprintf("%c:\\%s", toupper((unsigned char)asked[0]), asked + 3);
	size_t n = strcspn(asked + 2, "\\");
	if (n != strlen(s->name) || strncasecmp(asked + 2, s->name, n) != 0)
		return NULL;
	return xasprintf("\\\\%s%s", s->name, asked + 2 + n);
}

static char *
fs_root(void *fs, const char *own)
{
	const struct smbsrv *s = fs;
	if (own != NULL && isalpha((unsigned char)own[0]) && own[1] == ':')
		return xasprintf("%c:\\", toupper((unsigned char)own[0]));
	char *unc = to_unc(s, own);
	if (unc == NULL)
		return NULL;
	char *share = unc + 3 + strlen(s->name);
	share[strcspn(share, "\\")] = '\0';
	char *root = xasprintf("\\\\%s\\%s\\", s->name, share);
	free(unc);
	return root;
}

/* ---- running a job ---------------------------------------------------------------- */

/* Make the job for own paths p (and p2), run it, and hand back the
 * outcome; *jp keeps the finished job for its results when FILES_OK. */
static int
run(struct smbsrv *s, smbjob_fn fn, void *data, void (*data_free)(void *), const char *verb,
    const char *p, const char *p2, const struct deadline *dl, char **msg, struct smbjob **jp)
{
	char *unc = to_unc(s, p), *unc2 = p2 != NULL ? to_unc(s, p2) : NULL;
	if (unc == NULL || (p2 != NULL && unc2 == NULL)) {
		err_set(msg, "%s: %s is not a path on this server (E:\\... or \\\\%s\\share\\...)",
		    s->name, unc == NULL ? (p ? p : "(none)") : p2, s->name);
		free(unc);
		free(unc2);
		if (data_free != NULL)
			data_free(data);
		return FILES_REFUSED;
	}
	struct smbjob *j = smbjob_new(fn, data, data_free, verb, unc, unc2);
	int rc = smbsrv_run(s, j, dl, msg);
	if (rc == FILES_OK && jp != NULL) {
		*jp = j;
		return rc;
	}
	smbjob_unref(j);
	return rc;
}

/* The URL of the job's path (or its target), or the job fails. */
static char *
job_url(struct smbjob *j, bool second)
{
	char *u = smbjob_url(j, second ? j->unc2 : j->unc);
	if (u == NULL)
		smbjob_failed(j, "cannot make a URL of %s", second ? j->unc2 : j->unc);
	return u;
}

/* ---- stat ------------------------------------------------------------------------- */

static void
stat_from_mode(struct files_stat *st, const struct stat *sb)
{
	st->exists = true;
	st->is_dir = S_ISDIR(sb->st_mode);
	st->readonly = (sb->st_mode & S_IWUSR) == 0;
	st->archive = (sb->st_mode & S_IXUSR) != 0;
	st->size = st->is_dir ? 0 : (uint64_t)sb->st_size;
	st->mtime = (int64_t)sb->st_mtime;
}

static void
job_stat(struct smbjob *j, SMBCCTX *c)
{
	struct files_stat *st = j->data;
	char *url = job_url(j, false);
	struct stat sb;
	if (url == NULL)
		return;
	if (smbc_getFunctionStat(c)(c, url, &sb) == 0) {
		stat_from_mode(st, &sb);
		smbjob_ok(j);
	} else if (errno == ENOENT && !smblib_connecting(j->srv)) {
		*st = (struct files_stat){ .exists = false };
		smbjob_ok(j);
	} else {
		smbjob_errno(j, errno);
	}
	free(url);
}

static int
fs_stat(void *fs, const char *p, struct files_stat *st, const struct deadline *dl, char **msg)
{
	struct files_stat *r = xcalloc(1, sizeof *r);
	struct smbjob *j = NULL;
	*st = (struct files_stat){ .exists = false };
	int rc = run(fs, job_stat, r, free, "looking at", p, NULL, dl, msg, &j);
	if (rc == FILES_OK) {
		*st = *r;
		smbjob_unref(j);
	}
	return rc;
}

/* ---- read ------------------------------------------------------------------------- */

struct readjob {
	uint64_t off, len;
	struct buf out;
};

static void
readjob_free(void *p)
{
	struct readjob *r = p;
	buf_free(&r->out);
	free(r);
}

/* Read until len bytes or the end; false when the job failed. */
static bool
read_loop(struct smbjob *j, SMBCCTX *c, SMBCFILE *f, struct readjob *r)
{
	while (r->out.len < r->len) {
		if (!smbjob_go_on(j)) {
			smbjob_failed(j, "reading %s: given up", j->unc);
			return false;
		}
		uint64_t want = r->len - r->out.len;
		size_t n = want < READ_CHUNK ? (size_t)want : READ_CHUNK;
		if (r->out.len + n > READ_MAX) {
			smbjob_refuse(j, "reading %s: more than 1 GiB asked at once", j->unc);
			return false;
		}
		buf_grow(&r->out, n);
		ssize_t got = smbc_getFunctionRead(c)(c, f, r->out.data + r->out.len, n);
		if (got < 0) {
			smbjob_errno(j, errno);
			return false;
		}
		if (got == 0)
			break;
		r->out.len += (size_t)got;
		r->out.data[r->out.len] = '\0';
	}
	return true;
}

static void
job_read(struct smbjob *j, SMBCCTX *c)
{
	struct readjob *r = j->data;
	char *url = job_url(j, false);
	if (url == NULL)
		return;
	SMBCFILE *f = smbc_getFunctionOpen(c)(c, url, O_RDONLY, 0);
	free(url);
	if (f == NULL) {
		smbjob_errno(j, errno);
		return;
	}
	bool ok = true;
	/* One allocation for what the file holds (growing by doubling would
	 * copy a large read over and over), and no read asked past its end:
	 * over SMB1, libsmbclient's pipelined reads past the end leave the
	 * connection unusable for the next call, which then reconnects.  A
	 * log that grows meanwhile is read on the next call. */
	struct stat sb;
	if (smbc_getFunctionFstat(c)(c, f, &sb) == 0) {
		uint64_t left = (uint64_t)sb.st_size > r->off ? (uint64_t)sb.st_size - r->off : 0;
		r->len = left < r->len ? left : r->len;
		buf_grow(&r->out, (size_t)(r->len < READ_MAX ? r->len : READ_MAX));
	}
	if (r->off > 0 && smbc_getFunctionLseek(c)(c, f, (off_t)r->off, SEEK_SET) < 0) {
		smbjob_errno(j, errno);
		ok = false;
	}
	if (ok && read_loop(j, c, f, r))
		smbjob_ok(j);
	(void)smbc_getFunctionClose(c)(c, f);
}

static int
fs_read(void *fs, const char *p, uint64_t off, uint64_t len, struct buf *out,
    const struct deadline *dl, char **msg)
{
	struct readjob *r = xcalloc(1, sizeof *r);
	r->off = off;
	r->len = len;
	buf_init(&r->out);
	struct smbjob *j = NULL;
	int rc = run(fs, job_read, r, readjob_free, "reading", p, NULL, dl, msg, &j);
	if (rc == FILES_OK) {
		if (out->len == 0) {
			struct buf t = *out;
			*out = r->out;
			r->out = t;
		} else {
			buf_add(out, r->out.data, r->out.len);
		}
		smbjob_unref(j);
	}
	return rc;
}

/* ---- list ------------------------------------------------------------------------- */


struct listjob {
	char *pattern;
	struct files_dir dir;
	size_t cap;
};


static void
listjob_free(void *p)
{
	struct listjob *l = p;
	free(l->pattern);
	files_dir_free(&l->dir);
	free(l);
}

static void
list_add(struct listjob *l, const struct libsmb_file_info *fi, const struct stat *sb)
{
	if (l->dir.n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->dir.v = xreallocarray(l->dir.v, l->cap, sizeof *l->dir.v);
	}
	struct files_dirent *d = &l->dir.v[l->dir.n++];
	d->name = xstrdup(fi->name);
	d->st = (struct files_stat){
		.exists = true,
		.is_dir = (fi->attrs & 0x10) != 0,
		.readonly = (fi->attrs & 0x01) != 0,
		.archive = (fi->attrs & 0x20) != 0,
		.size = (fi->attrs & 0x10) ? 0 : fi->size,
		.mtime = fi->mtime_ts.tv_sec != 0 ? (int64_t)fi->mtime_ts.tv_sec :
		    (int64_t)sb->st_mtime,
	};
}

/* Open the job's folder (or a server's share list); NULL with the job
 * failed when it cannot be. */
static SMBCFILE *
job_opendir(struct smbjob *j, SMBCCTX *c)
{
	char *url = job_url(j, false);
	if (url == NULL)
		return NULL;
	SMBCFILE *d = smbc_getFunctionOpendir(c)(c, url);
	free(url);
	if (d == NULL)
		smbjob_errno(j, errno);
	return d;
}

static void
job_list(struct smbjob *j, SMBCCTX *c)
{
	struct listjob *l = j->data;
	SMBCFILE *d = job_opendir(j, c);
	if (d == NULL)
		return;
	const struct libsmb_file_info *fi;
	struct stat sb;
	errno = 0;
	while ((fi = smbc_getFunctionReaddirPlus2(c)(c, d, &sb)) != NULL) {
		if (fi->name == NULL || strcmp(fi->name, ".") == 0 || strcmp(fi->name, "..") == 0)
			continue;
		if (l->pattern == NULL || wildcard_match(l->pattern, fi->name))
			list_add(l, fi, &sb);
	}
	/* opendir read the whole listing; NULL here is its end. */
	(void)smbc_getFunctionClosedir(c)(c, d);
	smbjob_ok(j);
}

static int
fs_list(void *fs, const char *dir, const char *pattern, struct files_dir *out,
    const struct deadline *dl, char **msg)
{
	struct listjob *l = xcalloc(1, sizeof *l);
	l->pattern = pattern != NULL ? xstrdup(pattern) : NULL;
	struct smbjob *j = NULL;
	*out = (struct files_dir){ NULL, 0 };
	int rc = run(fs, job_list, l, listjob_free, "listing", dir, NULL, dl, msg, &j);
	if (rc == FILES_OK) {
		*out = l->dir;
		l->dir = (struct files_dir){ NULL, 0 };
		smbjob_unref(j);
	}
	return rc;
}

/* ---- the server's shares (layout) --------------------------------------------------- */

/* smb://host/ lists the shares (srvsvc over IPC$); disk shares only, as
 * Win32_Share's rows a layout looks at (no IPC$, no printers). */
static void
job_shares(struct smbjob *j, SMBCCTX *c)
{
	struct listjob *l = j->data;
	SMBCFILE *d = job_opendir(j, c);
	if (d == NULL)
		return;
	struct smbc_dirent *de;
	while ((de = smbc_getFunctionReaddir(c)(c, d)) != NULL) {
		if (de->smbc_type != SMBC_FILE_SHARE)
			continue;
		struct libsmb_file_info fi = { .name = de->name, .attrs = 0x10 };
		struct stat sb = { 0 };
		list_add(l, &fi, &sb);
	}
	(void)smbc_getFunctionClosedir(c)(c, d);
	smbjob_ok(j);
}

int
smb_shares(struct smbsrv *s, struct files_dir *out, const struct deadline *dl, char **msg)
{
	struct listjob *l = xcalloc(1, sizeof *l);
	*out = (struct files_dir){ NULL, 0 };
	char *unc = xasprintf("\\\\%s\\", smbsrv_name(s));
	/* The job owns unc. */
	struct smbjob *j = smbjob_new(job_shares, l, listjob_free, "listing the shares of", unc, NULL);
	int rc = smbsrv_run(s, j, dl, msg);
	if (rc == FILES_OK) {
		*out = l->dir;
		l->dir = (struct files_dir){ NULL, 0 };
	}
	smbjob_unref(j);
	return rc;
}

/* ---- setattr ---------------------------------------------------------------------- */

struct attrjob {
	int readonly, archive;     /* 1 set, 0 clear, -1 keep */
};

static void
job_setattr(struct smbjob *j, SMBCCTX *c)
{
	const struct attrjob *a = j->data;
	char *url = job_url(j, false);
	struct stat sb;
	if (url == NULL)
		return;
	if (smbc_getFunctionStat(c)(c, url, &sb) != 0) {
		smbjob_errno(j, errno);
		free(url);
		return;
	}
	bool ro = a->readonly < 0 ? (sb.st_mode & S_IWUSR) == 0 : a->readonly != 0;
	bool ar = a->archive < 0 ? (sb.st_mode & S_IXUSR) != 0 : a->archive != 0;
	/* System and hidden go back as they were (map system/hidden). */
	mode_t m = (ro ? 0444 : 0644) | (ar ? S_IXUSR : 0) | (sb.st_mode & (S_IXGRP | S_IXOTH));
	if (smbc_getFunctionChmod(c)(c, url, m) != 0)
		smbjob_errno(j, errno);
	else
		smbjob_ok(j);
	free(url);
}

static int
fs_setattr(void *fs, const char *p, int readonly, int archive, const struct deadline *dl,
    char **msg)
{
	struct attrjob *a = xcalloc(1, sizeof *a);
	a->readonly = readonly;
	a->archive = archive;
	return run(fs, job_setattr, a, free, "setting the attributes of", p, NULL, dl, msg, NULL);
}

/* ---- unlink and rename -------------------------------------------------------------- */

static void
job_unlink(struct smbjob *j, SMBCCTX *c)
{
	char *url = job_url(j, false);
	if (url == NULL)
		return;
	if (smbc_getFunctionUnlink(c)(c, url) == 0) {
		smbjob_ok(j);
	} else {
		int e = errno;
		struct stat sb;
		/* NT_STATUS_CANNOT_DELETE is not in Samba's errno table. */
		if (e == EINVAL && !smblib_connecting(j->srv) &&
		    smbc_getFunctionStat(c)(c, url, &sb) == 0 && (sb.st_mode & S_IWUSR) == 0)
			smbjob_refuse(j, "refused deleting %s: the file is read-only "
			    "(NT_STATUS_CANNOT_DELETE)", j->unc);
		else
			smbjob_errno(j, e);
	}
	free(url);
}

static int
fs_unlink(void *fs, const char *p, const struct deadline *dl, char **msg)
{
	return run(fs, job_unlink, NULL, NULL, "deleting", p, NULL, dl, msg, NULL);
}

static void
job_rename(struct smbjob *j, SMBCCTX *c)
{
	char *from = job_url(j, false), *to = from ? job_url(j, true) : NULL;
	struct stat sb;
	if (to == NULL) {
		free(from);
		return;
	}
	/* libsmbclient replaces an existing target (it deletes it and
	 * renames again): refused here, unless it is the file itself in
	 * another case.  A target made between the look and the rename is
	 * still replaced. */
	bool same = strcasecmp(j->unc, j->unc2) == 0;
	if (!same && smbc_getFunctionStat(c)(c, to, &sb) == 0)
		smbjob_refuse(j, "already exists renaming %s to %s (NT_STATUS_OBJECT_NAME_COLLISION)",
		    j->unc, j->unc2);
	else if (!same && errno != ENOENT)
		smbjob_errno(j, errno);
	else if (smbc_getFunctionRename(c)(c, from, c, to) != 0)
		smbjob_errno(j, errno);
	else
		smbjob_ok(j);
	free(from);
	free(to);
}

static int
fs_rename(void *fs, const char *from, const char *to, const struct deadline *dl, char **msg)
{
	return run(fs, job_rename, NULL, NULL, "renaming", from, to, dl, msg, NULL);
}

/* ---- copy -------------------------------------------------------------------------- */

static int
splice_go_on(off_t n, void *priv)
{
	(void)n;
	return smbjob_go_on(priv) ? 1 : 0;
}

/* The copy through this machine when the server cannot splice. */
static bool
copy_loop(struct smbjob *j, SMBCCTX *c, SMBCFILE *in, SMBCFILE *out, off_t size)
{
	if (smbc_getFunctionLseek(c)(c, in, 0, SEEK_SET) < 0 ||
	    smbc_getFunctionLseek(c)(c, out, 0, SEEK_SET) < 0 ||
	    smbc_getFunctionFtruncate(c)(c, out, 0) < 0) {
		smbjob_errno(j, errno);
		return false;
	}
	char *b = xmalloc(READ_CHUNK);
	ssize_t n = 0;
	bool ok = true;
	/* Never past the end (see job_read). */
	for (off_t left = size; ok && left > 0; left -= n) {
		n = smbc_getFunctionRead(c)(c, in, b, left < (off_t)READ_CHUNK ? (size_t)left :
		    READ_CHUNK);
		if (n <= 0)
			break;
		for (ssize_t done = 0; ok && done < n;) {
			ssize_t w = smbc_getFunctionWrite(c)(c, out, b + done, (size_t)(n - done));
			ok = w > 0 && smbjob_go_on(j);
			done += w > 0 ? w : 0;
		}
	}
	if (ok && n < 0)
		ok = false;
	if (!ok && j->rc != FILES_REFUSED)
		smbjob_errno(j, errno ? errno : ECANCELED);
	free(b);
	return ok;
}

/* Splice, else the loop; DPDOCTOR_SMB_NO_SPLICE=1 takes the loop (to
 * test it, or to rule the server's copy out when one looks wrong). */
static bool
copy_data(struct smbjob *j, SMBCCTX *c, SMBCFILE *in, SMBCFILE *out, off_t size)
{
	const char *no = getenv("DPDOCTOR_SMB_NO_SPLICE");
	if (no != NULL && strcmp(no, "1") == 0)
		return copy_loop(j, c, in, out, size);
	errno = 0;
	off_t n = smbc_getFunctionSplice(c)(c, in, out, size, splice_go_on, j);
	if (n == size)
		return true;
	int e = errno;
	if (n < 0 && (e == ENOSYS || e == EOPNOTSUPP || e == EINVAL) && smbjob_go_on(j))
		return copy_loop(j, c, in, out, size);
	smbjob_errno(j, n >= 0 ? EIO : e);
	return false;
}

static void
copy_files(struct smbjob *j, SMBCCTX *c, const char *from, const char *to)
{
	SMBCFILE *in = smbc_getFunctionOpen(c)(c, from, O_RDONLY, 0);
	struct stat sb;
	if (in == NULL || smbc_getFunctionFstat(c)(c, in, &sb) != 0) {
		smbjob_errno(j, errno);
		if (in != NULL)
			(void)smbc_getFunctionClose(c)(c, in);
		return;
	}
	/* Read access too: a copychunk target must be readable on Windows. */
	SMBCFILE *out = smbc_getFunctionOpen(c)(c, to, O_RDWR | O_CREAT | O_TRUNC, 0644);
	bool ok = out != NULL && copy_data(j, c, in, out, sb.st_size);
	if (out == NULL)
		smbjob_errno(j, errno);
	if (out != NULL && smbc_getFunctionClose(c)(c, out) != 0 && ok) {
		smbjob_errno(j, errno);
		ok = false;
	}
	(void)smbc_getFunctionClose(c)(c, in);
	struct timeval tv[2] = { { sb.st_atime, 0 }, { sb.st_mtime, 0 } };
	if (ok && smbc_getFunctionUtimes(c)(c, to, tv) != 0)
		smbjob_errno(j, errno);
	else if (ok)
		smbjob_ok(j);
}

static void
job_copy(struct smbjob *j, SMBCCTX *c)
{
	char *from = job_url(j, false), *to = from ? job_url(j, true) : NULL;
	if (to == NULL) {
		free(from);
		return;
	}
	/* Truncating the target would empty the source. */
	if (strcasecmp(j->unc, j->unc2) == 0)
		smbjob_refuse(j, "refused copying %s onto itself", j->unc);
	else
		copy_files(j, c, from, to);
	free(from);
	free(to);
}

static int
fs_copy(void *fs, const char *from, const char *to, const struct deadline *dl, char **msg)
{
	return run(fs, job_copy, NULL, NULL, "copying", from, to, dl, msg, NULL);
}

/* ---- acl --------------------------------------------------------------------------- */

struct acljob {
	struct files_acl acl;
};

static void
acljob_free(void *p)
{
	struct acljob *a = p;
	files_acl_free(&a->acl);
	free(a);
}

/* The text of "system.nt_sec_desc.*" (numeric SIDs), or NULL (failed). */
static char *
acl_text(struct smbjob *j, SMBCCTX *c, const char *url)
{
	for (size_t size = XATTR_FIRST; size <= XATTR_MAX; size *= 2) {
		char *b = xcalloc(1, size);
		int rc = smbc_getFunctionGetxattr(c)(c, url, "system.nt_sec_desc.*", b, size);
		/* libsmbclient reports success with the text cut one byte
		 * short when it fills the buffer exactly: a full buffer is
		 * read again, larger. */
		if (rc == 0 && strlen(b) < size - 1)
			return b;
		int e = errno;
		free(b);
		if (rc != 0 && e != ERANGE) {
			if (e == ENODATA && !smblib_connecting(j->srv))
				smbjob_refuse(j, "reading the permissions of %s: the server gave no "
				    "security descriptor", j->unc);
			else
				smbjob_errno(j, e);
			return NULL;
		}
	}
	smbjob_refuse(j, "reading the permissions of %s: the security descriptor is larger "
	    "than 4 MiB", j->unc);
	return NULL;
}

static void
job_acl(struct smbjob *j, SMBCCTX *c)
{
	struct acljob *a = j->data;
	char *url = job_url(j, false);
	if (url == NULL)
		return;
	char *text = acl_text(j, c, url);
	char *err = NULL;
	if (text != NULL && smbacl_parse(text, &a->acl, &err) != 0)
		smbjob_refuse(j, "reading the permissions of %s: %s", j->unc, err);
	else if (text != NULL)
		smbjob_ok(j);
	free(err);
	free(text);
	free(url);
}

static int
fs_acl(void *fs, const char *p, struct files_acl *out, const struct deadline *dl, char **msg)
{
	struct acljob *a = xcalloc(1, sizeof *a);
	struct smbjob *j = NULL;
	*out = (struct files_acl){ NULL, 0 };
	int rc = run(fs, job_acl, a, acljob_free, "reading the permissions of", p, NULL, dl, msg,
	    &j);
	if (rc == FILES_OK) {
		*out = a->acl;
		a->acl = (struct files_acl){ NULL, 0 };
		smbjob_unref(j);
	}
	return rc;
}

/* ---- write ------------------------------------------------------------------------- */

struct writejob {
	uint64_t off;
	bool truncate;
	char *data;
	size_t n;
	int64_t mtime;              /* 0: the time the write leaves */
};

static void
writejob_free(void *p)
{
	struct writejob *w = p;
	free(w->data);
	free(w);
}

static void
job_write(struct smbjob *j, SMBCCTX *c)
{
	struct writejob *w = j->data;
	char *url = job_url(j, false);
	if (url == NULL)
		return;
	SMBCFILE *f = smbc_getFunctionOpen(c)(c, url, O_WRONLY | O_CREAT |
	    (w->truncate ? O_TRUNC : 0), 0644);
	if (f == NULL) {
		smbjob_errno(j, errno);
		free(url);
		return;
	}
	bool ok = w->off == 0 || smbc_getFunctionLseek(c)(c, f, (off_t)w->off, SEEK_SET) >= 0;
	for (size_t done = 0; ok && done < w->n;) {
		size_t n = w->n - done < READ_CHUNK ? w->n - done : READ_CHUNK;
		ssize_t got = smbc_getFunctionWrite(c)(c, f, w->data + done, n);
		ok = got > 0;
		done += got > 0 ? (size_t)got : 0;
		if (ok && done < w->n && !smbjob_go_on(j)) {
			errno = ECANCELED;
			ok = false;
		}
	}
	int e = errno;
	/* The close may report what the writes could not. */
	if (smbc_getFunctionClose(c)(c, f) != 0 && ok) {
		e = errno;
		ok = false;
	}
	/* A copy streamed chunk by chunk keeps the source's time, as a
	 * server-side copy does. */
	struct timeval tv[2] = { { (time_t)w->mtime, 0 }, { (time_t)w->mtime, 0 } };
	if (ok && w->mtime != 0 && smbc_getFunctionUtimes(c)(c, url, tv) != 0) {
		e = errno;
		ok = false;
	}
	free(url);
	if (ok)
		smbjob_ok(j);
	else
		smbjob_errno(j, e);
}

/* writefile's chunk: offset 0 creates or empties the file. */
static int
fs_write(void *fs, const char *p, uint64_t off, const void *data, size_t n, int64_t mtime,
    const struct deadline *dl, char **msg)
{
	struct writejob *w = xcalloc(1, sizeof *w);
	w->off = off;
	w->truncate = off == 0;
	w->n = n;
	w->mtime = mtime;
	w->data = xmalloc(n ? n : 1);
	if (n > 0)
		memcpy(w->data, data, n);
	return run(fs, job_write, w, writejob_free, "writing", p, NULL, dl, msg, NULL);
}

const struct files_fs smb_fs = {
	.name = "SMB",
	.archive = true,
	.own = fs_own,
	.root = fs_root,
	.stat = fs_stat,
	.read = fs_read,
	.list = fs_list,
	.setattr = fs_setattr,
	.unlink = fs_unlink,
	.rename = fs_rename,
	.copy = fs_copy,
	.acl = fs_acl,
	.write = fs_write,
};
