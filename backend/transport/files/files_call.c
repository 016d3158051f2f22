/*
 * What every file op answers with (files_int.h): the fs calls on one op's
 * behalf, with the server's refusals told apart from a failed connection;
 * PowerShell's Reach() and Need() of ops_ps.c, worded as it words them;
 * and the op's answer, records or its END error.
 */
#include "autoconf.h"
#include "backend/transport/files/files_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* 0 done; 1 the server refused it for the file (*why says why, as the
 * op's END error); -1 the connection failed (*c->err), or the fs is not
 * there (c->absent). */
static int
outcome(struct files_call *c, int rc, char *msg, char **why)
{
	if (rc == FILES_OK) {
		free(msg);
		return 0;
	}
	if (rc == FILES_REFUSED) {
		free(*why);
		*why = msg != NULL ? msg : xstrdup("failed");
		return 1;
	}
	if (rc == FILES_ABSENT)
		c->absent = true;
	err_set(c->err, "%s (op %s)", msg ? msg : c->f->host, c->op);
	free(msg);
	return -1;
}

#define FS(c) ((c)->f->fs)
#define ARG(c) ((c)->f->fs_arg)

int
files_call_stat(struct files_call *c, const char *p, struct files_stat *st, char **why)
{
	char *m = NULL;
	int rc = FS(c)->stat(ARG(c), p, st, c->dl, &m);
	return outcome(c, rc, m, why);
}

int
files_call_read(struct files_call *c, const char *p, uint64_t off, uint64_t len,
    struct buf *out, char **why)
{
	char *m = NULL;
	int rc = FS(c)->read(ARG(c), p, off, len, out, c->dl, &m);
	return outcome(c, rc, m, why);
}

int
files_call_list(struct files_call *c, const char *p, const char *pattern,
    struct files_dir *d, char **why)
{
	char *m = NULL;
	int rc = FS(c)->list(ARG(c), p, pattern, d, c->dl, &m);
	return outcome(c, rc, m, why);
}

int
files_call_setattr(struct files_call *c, const char *p, int readonly, int archive, char **why)
{
	char *m = NULL;
	int rc = FS(c)->setattr(ARG(c), p, readonly, archive, c->dl, &m);
	return outcome(c, rc, m, why);
}

int
files_call_unlink(struct files_call *c, const char *p, char **why)
{
	char *m = NULL;
	int rc = FS(c)->unlink(ARG(c), p, c->dl, &m);
	return outcome(c, rc, m, why);
}

int
files_call_rename(struct files_call *c, const char *from, const char *to, char **why)
{
	char *m = NULL;
	int rc = FS(c)->rename(ARG(c), from, to, c->dl, &m);
	return outcome(c, rc, m, why);
}

int
files_call_copy(struct files_call *c, const char *from, const char *to, char **why)
{
	char *m = NULL;
	int rc = FS(c)->copy(ARG(c), from, to, c->dl, &m);
	return outcome(c, rc, m, why);
}

int
files_call_acl(struct files_call *c, const char *p, struct files_acl *a, char **why)
{
	char *m = NULL;
	int rc = FS(c)->acl(ARG(c), p, a, c->dl, &m);
	return outcome(c, rc, m, why);
}

int
files_call_write(struct files_call *c, const char *p, uint64_t off, const struct buf *data,
    int64_t mtime, char **why)
{
	char *m = NULL;
	int rc = FS(c)->write(ARG(c), p, off, data->data, data->len, mtime, c->dl, &m);
	return outcome(c, rc, m, why);
}

/* Root() of ops_ps.c: \\SERVER\share\ or E:\, of the path as asked. */
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

/* Whether the root of own path p is there: 1 yes, 0 no, -1 the
 * connection failed.  A root is looked at once per op, not per path. */
static int
root_there(struct files_call *c, const char *p)
{
	char *root = FS(c)->root(ARG(c), p);
	for (size_t i = 0; i < c->nroots; i++)
		if (strcasecmp(c->roots[i].root, root) == 0) {
			free(root);
			return c->roots[i].there;
		}
	struct files_stat st;
	char *e = NULL;
	int r = files_call_stat(c, root, &st, &e);
	free(e);
	if (r < 0) {
		free(root);
		return -1;
	}
	bool there = r == 0 && st.exists;
	if (c->nroots < FILES_ROOTS) {
		c->roots[c->nroots].root = root;
		c->roots[c->nroots++].there = there;
	} else {
		free(root);
	}
	return there;
}

int
files_reach(struct files_call *c, const char *asked, const char *p, char **why)
{
	int r = root_there(c, p);
	if (r != 0)
		return r;
	char *rt = asked_root(asked);
	free(*why);
	*why = xasprintf("cannot reach %s (the network path was not found or access is denied)",
	    rt);
	free(rt);
	return 0;
}

int
files_need(struct files_call *c, const char *asked, const char *p, struct files_stat *st)
{
	char *why = NULL;
	int r = files_reach(c, asked, p, &why);
	if (r > 0) {
		r = files_call_stat(c, p, st, &why);
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
	files_fail(c, why);
	return 1;
}

int
files_fail(struct files_call *c, char *why)
{
	free(c->why);
	c->why = why != NULL ? why : xstrdup("failed");
	return 0;
}

int
files_row(struct files_call *c, const char *const *values, size_t n)
{
	return proto_emit_row(&c->out, values, n, c->err) == 0 ? 0 : TRANSPORT_EREPLY;
}
