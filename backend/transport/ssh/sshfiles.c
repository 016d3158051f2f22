/*
 * The SSH transport's file system for backend/transport/files: SFTP, as
 * Windows OpenSSH serves it (drives as /E:/...).  The file ops on the
 * host's own files go over SFTP instead of PowerShell: no PowerShell
 * start-up per query.  Own paths are a drive path E:\... or the admin
 * share naming the host, \\NAME\E$\... .  SFTP cannot express the archive
 * bit, so a setattr of it goes as PowerShell; SFTPv3 has no server-side
 * copy and streaming a PCK through the administrator's link twice is
 * worse than the server copying it, so copyfile stays PowerShell too; and
 * there is no ACL to read.  A server that offers no SFTP (the subsystem
 * refused, or nothing on a separate SFTP port) is FILES_ABSENT: files.c
 * then leaves the ops to PowerShell for a while.
 */
#include "autoconf.h"
#include "backend/transport/ssh/sshfiles.h"
#include "backend/transport/files/files.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct sshfiles {
	struct sshloop *loop;
	const struct ssh_host *host;
	struct ssh_host sftp_host;  /* the host on the SFTP port */
	bool separate;              /* SFTP on a port of its own */
	struct files *files;
};

/* FILES_* of an SFTP call's result: the server's refusals apart from a
 * failed connection and from SFTP not being there. */
static int
outcome(const struct sshfiles *f, int rc, enum ssh_error kind, char *e, char **msg)
{
	if (rc == 0) {
		free(e);
		return FILES_OK;
	}
	*msg = e != NULL ? e : xstrdup(kind == SSHE_PROTOCOL ? "failed" : f->host->name);
	if (kind == SSHE_PROTOCOL)
		return FILES_REFUSED;
	if (kind == SSHE_NO_SFTP || (kind == SSHE_CONNECT && f->separate))
		return FILES_ABSENT;
	return FILES_FAILED;
}

/* The drive path SFTP uses for an asked path that is the host's own
 * (E:\... as it is; \\NAME\E$\rest as E:\rest), or NULL. */
static char *
sftp_own(void *arg, const char *p)
{
	const struct sshfiles *f = arg;
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

static char *
sftp_root(void *arg, const char *p)
{
	(void)arg;
	return xasprintf("%c:\\", p[0]);
}

static int
sftp_stat(void *arg, const char *p, struct files_stat *st, const struct deadline *dl,
    char **msg)
{
	struct sshfiles *f = arg;
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_stat(f->loop, &f->sftp_host, p, st, dl, &k, &e);
	return outcome(f, rc, k, e, msg);
}

static int
sftp_read(void *arg, const char *p, uint64_t off, uint64_t len, struct buf *out,
    const struct deadline *dl, char **msg)
{
	struct sshfiles *f = arg;
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_read(f->loop, &f->sftp_host, p, off, len, out, dl, &k, &e);
	return outcome(f, rc, k, e, msg);
}

static int
sftp_list(void *arg, const char *p, const char *pattern, struct files_dir *out,
    const struct deadline *dl, char **msg)
{
	struct sshfiles *f = arg;
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_list(f->loop, &f->sftp_host, p, pattern, out, dl, &k, &e);
	return outcome(f, rc, k, e, msg);
}

static int
sftp_setattr(void *arg, const char *p, int readonly, int archive, const struct deadline *dl,
    char **msg)
{
	struct sshfiles *f = arg;
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	(void)archive;                 /* never asked: files.c knows SFTP has none */
	if (readonly < 0)
		return FILES_OK;
	int rc = sshloop_sftp_setro(f->loop, &f->sftp_host, p, readonly == 1, dl, &k, &e);
	return outcome(f, rc, k, e, msg);
}

static int
sftp_unlink(void *arg, const char *p, const struct deadline *dl, char **msg)
{
	struct sshfiles *f = arg;
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_unlink(f->loop, &f->sftp_host, p, dl, &k, &e);
	return outcome(f, rc, k, e, msg);
}

static int
sftp_rename(void *arg, const char *from, const char *to, const struct deadline *dl,
    char **msg)
{
	struct sshfiles *f = arg;
	enum ssh_error k = SSHE_NONE;
	char *e = NULL;
	int rc = sshloop_sftp_rename(f->loop, &f->sftp_host, from, to, dl, &k, &e);
	return outcome(f, rc, k, e, msg);
}

static const struct files_fs sftp_fs = {
	.name = "SFTP",
	.archive = false,
	.own = sftp_own,
	.root = sftp_root,
	.stat = sftp_stat,
	.read = sftp_read,
	.list = sftp_list,
	.setattr = sftp_setattr,
	.unlink = sftp_unlink,
	.rename = sftp_rename,
};

int
sshfiles_answer(struct sshfiles *f, struct transport *t, transport_call_fn ps,
    const struct op *op, proto_record_fn fn, void *arg, const struct deadline *dl, char **err)
{
	const struct files_other other = { t, ps };
	return files_answer(f->files, &other, op, fn, arg, dl, err);
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
	f->files = files_new(&sftp_fs, f, host->name);
	return f;
}

void
sshfiles_free(struct sshfiles *f)
{
	if (f == NULL)
		return;
	files_free(f->files);
	free(f);
}
