/*
 * What every SFTP file op answers with (sshfiles_int.h): the SFTP calls on
 * one op's behalf, with the server's refusals told apart from a failed
 * connection; PowerShell's Reach() and Need() of ops_ps.c, worded as it
 * words them; and the op's answer, records or its END error.
 */
#include "autoconf.h"
#include "backend/transport/ssh/sshfiles_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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

int
sshfiles_list(struct sshfiles_call *c, const char *drv, const char *pattern,
    struct sshloop_dir *d, char **why)
{
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_list(c->f->loop, &c->f->sftp_host, drv, pattern, d, c->dl, &k, &e);
	return outcome(c, rc, k, e, why);
}

int
sshfiles_setro(struct sshfiles_call *c, const char *drv, bool ro, char **why)
{
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_setro(c->f->loop, &c->f->sftp_host, drv, ro, c->dl, &k, &e);
	return outcome(c, rc, k, e, why);
}

int
sshfiles_unlink(struct sshfiles_call *c, const char *drv, char **why)
{
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_unlink(c->f->loop, &c->f->sftp_host, drv, c->dl, &k, &e);
	return outcome(c, rc, k, e, why);
}

int
sshfiles_rename(struct sshfiles_call *c, const char *from, const char *to, char **why)
{
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_rename(c->f->loop, &c->f->sftp_host, from, to, c->dl, &k, &e);
	return outcome(c, rc, k, e, why);
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

int
sshfiles_need(struct sshfiles_call *c, const char *asked, const char *drv,
    struct sshloop_stat *st)
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
	sshfiles_fail(c, why);
	return 1;
}

int
sshfiles_fail(struct sshfiles_call *c, char *why)
{
	free(c->why);
	c->why = why != NULL ? why : xstrdup("failed");
	return 0;
}

int
sshfiles_row(struct sshfiles_call *c, const char *const *values, size_t n)
{
	return proto_emit_row(&c->out, values, n, c->err) == 0 ? 0 : TRANSPORT_EREPLY;
}
