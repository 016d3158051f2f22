/*
 * Local copies of remote logs (logmirror.h).  Every remote byte comes
 * through the readfile op, 1 MiB at a time, so any transport that runs
 * ops can feed the log readers, and the simulator answers it the same
 * way.  The first bytes of the remote file (readfile's Head) are compared
 * with the local copy's at every sync: SMS rolls distmgr.log over by
 * renaming it and starting a new one, which may well be longer than our
 * copy by the time we look, so a length check alone would append the new
 * file's tail to the old file's head.
 */
#include "autoconf.h"
#include "backend/sms/logmirror.h"
#include "backend/ops/ops.h"
#include "backend/core/proto.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* How often a sync starts over when the file keeps being replaced under
 * it before giving up. */
#define MIRROR_TRIES 3

/* One readfile answer, decoded. */
struct range {
	uint64_t offset, size;
	struct buf head, data;
	bool got;
};

static void
range_free(struct range *r)
{
	buf_free(&r->head);
	buf_free(&r->data);
	memset(r, 0, sizeof *r);
}

static int
range_number(const char *v, const char *what, uint64_t *out, char **err)
{
	char *end;
	errno = 0;
	unsigned long long x = v != NULL ? strtoull(v, &end, 10) : 0;
	if (v == NULL || *v == '\0' || *end != '\0' || errno != 0 || *v == '-') {
		err_set(err, "readfile answered a bad %s \"%s\"", what, v ? v : "");
		return -1;
	}
	*out = x;
	return 0;
}

static int
range_field(const struct proto_record *rec, const char *col, struct buf *out, char **err)
{
	const char *v = proto_get(rec, col);
	if (v == NULL || ops_b64_decode(v, strlen(v), out) != 0) {
		err_set(err, "readfile answered a %s that is not base64", col);
		return -1;
	}
	return 0;
}

static int
range_record(const struct proto_record *rec, void *arg, char **err)
{
	struct range *r = arg;
	if (strcmp(rec->type, "B") != 0)
		return 0;
	if (r->got) {
		err_set(err, "readfile answered more than one range");
		return -1;
	}
	r->got = true;
	if (range_number(proto_get(rec, "Offset"), "Offset", &r->offset, err) != 0 ||
	    range_number(proto_get(rec, "Size"), "Size", &r->size, err) != 0 ||
	    range_field(rec, "Head", &r->head, err) != 0 ||
	    range_field(rec, "Data", &r->data, err) != 0)
		return -1;
	return 0;
}

/* Ask for [offset, offset + 1 MiB) of winpath. */
static int
range_read(struct transport *t, const char *winpath, uint64_t offset, struct range *r,
    const struct deadline *dl, char **err)
{
	char off[24], max[24];
	snprintf(off, sizeof off, "%" PRIu64, offset);
	snprintf(max, sizeof max, "%zu", OPS_READ_MAX);
	struct op op = { .kind = OP_READFILE };
	op_set(&op, "path", winpath);
	op_set(&op, "offset", off);
	op_set(&op, "max", max);
	range_free(r);
	if (transport_call(t, &op, range_record, r, dl, err) != 0)
		return -1;
	if (!r->got || r->offset != offset || r->data.len > OPS_READ_MAX ||
	    (r->data.len > 0 && offset + r->data.len > r->size)) {
		err_set(err, "readfile on %s answered no range or another one than asked",
		    t->host);
		return -1;
	}
	return 0;
}

/* ---- the local side ------------------------------------------------------------ */

static int
write_all(int fd, const char *p, size_t n, const char *path, char **err)
{
	if (fd_write_all(fd, p, n) != 0) {
		err_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The local copy's length and first bytes (none when it is missing). */
static int
local_state(const char *local, uint64_t *size, struct buf *head, char **err)
{
	*size = 0;
	int fd = open(local, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		err_set(err, "%s: %s", local, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	buf_grow(head, OPS_HEAD_BYTES);
	ssize_t n = pread(fd, head->data, OPS_HEAD_BYTES, 0);
	int rc = 0;
	if (n < 0) {
		err_set(err, "%s: %s", local, strerror(errno));
		rc = -1;
	} else {
		head->len = (size_t)n;
	}
	close(fd);
	return rc;
}

/* Is the remote file still the one we copied?  Its first bytes must agree
 * with ours as far as both go, and it must be no shorter. */
static bool
same_file(const struct range *r, uint64_t local_size, const struct buf *head)
{
	size_t n = r->head.len < head->len ? r->head.len : head->len;
	return r->size >= local_size && (n == 0 || memcmp(r->head.data, head->data, n) == 0);
}

/* Append ranges from r->offset on until the remote's end, r holding the
 * first one.  A file replaced meanwhile is reported by *replaced. */
static int
copy_from(struct transport *t, const char *winpath, int fd, const char *local,
    struct range *r, bool *replaced, const struct deadline *dl, char **err)
{
	struct buf first;
	buf_init(&first);
	buf_add(&first, r->head.data ? r->head.data : "", r->head.len);
	int rc = 0;
	*replaced = false;
	for (;;) {
		if (write_all(fd, r->data.data, r->data.len, local, err) != 0) {
			rc = -1;
			break;
		}
		uint64_t next = r->offset + r->data.len;
		/* An empty range ends it too, should the file shrink under us. */
		if (next >= r->size || r->data.len == 0)
			break;
		if (range_read(t, winpath, next, r, dl, err) != 0) {
			rc = -1;
			break;
		}
		if (r->head.len < first.len ||
		    (first.len > 0 && memcmp(r->head.data, first.data, first.len) != 0)) {
			*replaced = true;
			break;
		}
	}
	buf_free(&first);
	return rc;
}

/* Copy winpath whole into LOCAL.tmp and rename it over local; r holds the
 * remote's range at 0 when it was already asked (r->got), else nothing. */
static int
restart(struct transport *t, const char *winpath, const char *local, struct range *r,
    const struct deadline *dl, char **err)
{
	char *tmp = xasprintf("%s.tmp", local);
	int rc = -1;
	for (int try = 0; try < MIRROR_TRIES && rc != 0; try++) {
		if ((!r->got || r->offset != 0 || try > 0) &&
		    range_read(t, winpath, 0, r, dl, err) != 0)
			break;
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			err_set(err, "%s: %s", tmp, strerror(errno));
			break;
		}
		bool replaced;
		int c = copy_from(t, winpath, fd, tmp, r, &replaced, dl, err);
		if (close(fd) != 0 && c == 0) {
			err_set(err, "%s: %s", tmp, strerror(errno));
			c = -1;
		}
		if (c != 0)
			break;
		if (replaced)
			continue;
		if (rename(tmp, local) != 0) {
			err_set(err, "%s: %s", local, strerror(errno));
			break;
		}
		rc = 0;
	}
	if (rc != 0 && err != NULL && *err == NULL)
		err_set(err, "it was replaced %d times while being copied", MIRROR_TRIES);
	if (rc != 0)
		(void)unlink(tmp);
	free(tmp);
	return rc;
}

/* Append the remote's new bytes to local; *again when it is another
 * file now. */
static int
append(struct transport *t, const char *winpath, const char *local, struct range *r,
    bool *again, const struct deadline *dl, char **err)
{
	int fd = open(local, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		err_set(err, "%s: %s", local, strerror(errno));
		return -1;
	}
	int rc = copy_from(t, winpath, fd, local, r, again, dl, err);
	if (close(fd) != 0 && rc == 0) {
		err_set(err, "%s: %s", local, strerror(errno));
		rc = -1;
	}
	return rc;
}

static int
sync_once(struct transport *t, const char *winpath, const char *local,
    const struct deadline *dl, char **err)
{
	uint64_t have;
	struct buf head;
	struct range r = {0};
	buf_init(&head);
	int rc = local_state(local, &have, &head, err);
	bool fresh = rc == 0 && access(local, F_OK) != 0;
	if (rc == 0)
		rc = range_read(t, winpath, have, &r, dl, err);
	if (rc == 0 && !fresh && same_file(&r, have, &head)) {
		bool again = false;
		rc = append(t, winpath, local, &r, &again, dl, err);
		if (rc == 0 && again)
			rc = restart(t, winpath, local, &r, dl, err) == 0 ? 1 : -1;
	} else if (rc == 0) {
		rc = restart(t, winpath, local, &r, dl, err) == 0 ? 1 : -1;
	}
	range_free(&r);
	buf_free(&head);
	return rc;
}

int
logmirror_sync(struct transport *t, const char *winpath, const char *local,
    const struct deadline *dl, char **err)
{
	char *why = NULL;
	int rc = sync_once(t, winpath, local, dl, &why);
	if (rc < 0)
		err_set(err, "reading %s: %s", winpath, why ? why : "failed");
	free(why);
	return rc;
}

/* ---- the rollover, names, the whole fetch ------------------------------------------ */

struct exists {
	int there;
	char *error;
};

static int
exists_record(const struct proto_record *rec, void *arg, char **err)
{
	struct exists *e = arg;
	(void)err;
	if (strcmp(rec->type, "F") != 0)
		return 0;
	const char *x = proto_get(rec, "Exists"), *why = proto_get(rec, "Error");
	if (why != NULL && *why != '\0') {
		free(e->error);
		e->error = xstrdup(why);
	}
	e->there = x != NULL && strcmp(x, "1") == 0;
	return 0;
}

/* Does winpath exist?  1 yes, 0 no, -1 with *err (pathinfo's Error). */
static int
remote_exists(struct transport *t, const char *winpath, const struct deadline *dl,
    char **err)
{
	struct op op = { .kind = OP_PATHINFO };
	op_set(&op, "paths", winpath);
	struct exists e = {0};
	int rc = transport_call(t, &op, exists_record, &e, dl, err);
	if (rc == 0 && e.error != NULL) {
		err_set(err, "%s", e.error);
		rc = -1;
	}
	free(e.error);
	return rc == 0 ? e.there : -1;
}

static char *
rolled_name(const char *p)
{
	size_t n = strlen(p);
	if (n < 4 || strcasecmp(p + n - 4, ".log") != 0)
		return NULL;
	return xasprintf("%.*s.lo_", (int)(n - 4), p);
}

int
logmirror_sync_rolled(struct transport *t, const char *winpath, const char *local,
    const struct deadline *dl, char **err)
{
	char *rwin = rolled_name(winpath), *rlocal = rolled_name(local), *why = NULL;
	int rc = -1;
	if (rwin == NULL || rlocal == NULL) {
		err_set(err, "%s is not a .log file", rwin == NULL ? winpath : local);
	} else if ((rc = remote_exists(t, rwin, dl, &why)) < 0) {
		err_set(err, "reading %s: %s", rwin, why ? why : "failed");
	} else if (rc == 0) {
		if (unlink(rlocal) != 0 && errno != ENOENT) {
			err_set(err, "%s: %s", rlocal, strerror(errno));
			rc = -1;
		}
	} else {
		rc = logmirror_sync(t, rwin, rlocal, dl, err);
	}
	free(why);
	free(rwin);
	free(rlocal);
	return rc;
}

char *
logmirror_remote_path(const struct transport *t, const char *server, const char *sms_path,
    char **err)
{
	if (sms_path == NULL || *sms_path == '\0') {
		err_set(err, "%s: its SMS folder is not known (set sms_path in a [server] section "
		    "for it)", server);
		return NULL;
	}
	const char *sms = sms_path;
	size_t n = strlen(sms);
	while (n > 3 && sms[n - 1] == '\\')
		n--;
	char *p;
	bool drive = n >= 2 && sms[1] == ':';
	if (!drive || (t != NULL && t->host != NULL && strcasecmp(t->host, server) == 0))
		p = xasprintf("%.*s%sLogs\\distmgr.log", (int)n, sms, sms[n - 1] == '\\' ? "" : "\\");
	else
		p = xasprintf("\\\\%s\\%c$%.*s%sLogs\\distmgr.log", server, sms[0], (int)(n - 2),
		    sms + 2, n > 3 ? "\\" : "");
	if (!ops_path_valid(p)) {
		err_set(err, "%s: the SMS folder %s gives no valid log path (%s)", server, sms, p);
		free(p);
		return NULL;
	}
	return p;
}

char *
logmirror_local_path(const char *server, char **err)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *dir;
	if (xdg != NULL && xdg[0] == '/')
		dir = xasprintf("%s/dpdoctor/logs", xdg);
	else if (home != NULL && home[0] == '/')
		dir = xasprintf("%s/.cache/dpdoctor/logs", home);
	else {
		err_set(err, "neither XDG_CACHE_HOME nor HOME names a folder for the log cache");
		return NULL;
	}
	char *path = NULL;
	if (dir_make_all(dir, true, err) == 0)
		path = xasprintf("%s/%s-distmgr.log", dir, server);
	free(dir);
	return path;
}

/* Two dpdoctors syncing one copy at once (a log view and `dpdoctor log
 * --follow`) would both append the same bytes: the copy is locked while
 * it is synced.  The lock is LOCAL.lock; the fd to close, or -1 with *err. */
static int
lock_take(const char *local, char **err)
{
	char *name = xasprintf("%s.lock", local);
	int fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	int rc = fd;
	while (fd >= 0 && (rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
		;
	if (fd < 0 || rc != 0) {
		err_set(err, "%s: %s", name, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(name);
	return fd;
}

int
logmirror_fetch(struct transport *t, const char *server, const char *sms_path,
    const struct deadline *dl, char **local, char **err)
{
	char *why = NULL;
	*local = NULL;
	char *win = logmirror_remote_path(t, server, sms_path, &why);
	char *path = win ? logmirror_local_path(server, &why) : NULL;
	int lock = path ? lock_take(path, &why) : -1;
	int rc = lock >= 0 ? logmirror_sync(t, win, path, dl, &why) : -1;
	/* The rollover changes only when the log starts over. */
	if (rc == 1)
		rc = logmirror_sync_rolled(t, win, path, dl, &why);
	if (lock >= 0)
		close(lock);
	if (rc < 0) {
		err_set(err, "the distmgr.log of %s: %s", server, why ? why : "failed");
		free(path);
	} else {
		*local = path;
	}
	free(why);
	free(win);
	return rc < 0 ? -1 : 0;
}

int
logmirror_fetch_env(const struct site_env *env, const struct snapshot *snap,
    const char *server, const struct deadline *dl, char **local, char **err)
{
	struct layout l;
	char *why = NULL;
	*local = NULL;
	if (layout_get(env, snap, server, dl, &l, &why) != 0) {
		err_set(err, "the distmgr.log of %s: %s", server, why ? why : "no layout");
		free(why);
		return -1;
	}
	int rc = -1;
	/* The layout leaves sms_dir NULL without an error only when the server
	 * said it has no SMS; with one, its SMS folder is merely unknown. */
	if (l.sms_dir == NULL && l.error != NULL)
		err_set(err, "the distmgr.log of %s: its SMS folder is not known: %s", server,
		    l.error);
	else if (l.sms_dir == NULL)
		err_set(err, "the distmgr.log of %s: %s has no SMS install (a DP only); its "
		    "distribution is logged in its site server's distmgr.log", server, server);
	else
		rc = logmirror_fetch(env->t, server, l.sms_dir, dl, local, err);
	layout_clear(&l);
	return rc;
}
