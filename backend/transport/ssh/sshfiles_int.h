/*
 * Inside the SFTP file ops: the state shared by one transport's calls and
 * the helpers each op answers with (sshfiles_call.c), worded as the
 * PowerShell of ops_ps.c words its answers.  sshfiles.c (pathinfo,
 * dirlist, the changing ops and the choosing) and sshfiles_log.c (loggrep,
 * readfile) both build on sshfiles_call.c; it calls neither.
 */
#ifndef DPD_SSHFILES_INT_H
#define DPD_SSHFILES_INT_H

#include "backend/transport/ssh/sshfiles.h"

#include <stdatomic.h>

struct sshfiles_logs;

struct sshfiles {
	struct sshloop *loop;
	const struct ssh_host *host;
	struct ssh_host sftp_host;  /* the host on the SFTP port */
	bool separate;              /* SFTP on a port of its own */
	_Atomic int64_t off_until;  /* SFTP found missing: PowerShell until then */
	struct sshfiles_logs *logs; /* loggrep's cache */
};

/* One op being answered.  The ops answer in one of three ways: records to
 * out, given once every SFTP call is made (so that a server found to have
 * no SFTP has been told nothing and the op can go as PowerShell); why,
 * the op's END error as the PowerShell words it; or a failed connection
 * (-1, *err). */
struct sshfiles_call {
	struct sshfiles *f;
	const char *op;
	const struct deadline *dl;
	char **err;
	bool no_sftp;              /* the server has no SFTP: go as PowerShell */
	char drive[26];            /* A..Z in this op: 0 not looked at, 1 there, 2 not */
	struct proto_emit out;     /* the records, to the caller's fn */
	char *why;                 /* the op failed on the server (sshfiles_fail) */
};

/* The SFTP calls on the host's drive path drv: 0 done; 1 the server
 * refused it for the file (*why, as the op's END error); -1 the
 * connection failed (*c->err), or SFTP is not there (c->no_sftp). */
int sshfiles_stat(struct sshfiles_call *c, const char *drv, struct sshloop_stat *st,
    char **why);
int sshfiles_read(struct sshfiles_call *c, const char *drv, uint64_t off, uint64_t len,
    struct buf *out, char **why);
int sshfiles_list(struct sshfiles_call *c, const char *drv, const char *pattern,
    struct sshloop_dir *d, char **why);
int sshfiles_setro(struct sshfiles_call *c, const char *drv, bool ro, char **why);
int sshfiles_unlink(struct sshfiles_call *c, const char *drv, char **why);
int sshfiles_rename(struct sshfiles_call *c, const char *from, const char *to, char **why);
/* PowerShell's Reach() of the asked path: 1 the drive is there; 0 not,
 * with *why as the PowerShell words it; -1 the connection failed. */
int sshfiles_reach(struct sshfiles_call *c, const char *asked, const char *drv, char **why);
/* Need() of ops_ps.c: 0 with *st of the file; 1 after sshfiles_fail with
 * the error the PowerShell gives; -1 the connection failed. */
int sshfiles_need(struct sshfiles_call *c, const char *asked, const char *drv,
    struct sshloop_stat *st);
/* What a script's catch block says: the op's END error (why is taken;
 * NULL reads "failed").  Returns 0, as the op was answered. */
int sshfiles_fail(struct sshfiles_call *c, char *why);
/* One record to the caller: 0, or TRANSPORT_EREPLY when fn refused it. */
int sshfiles_row(struct sshfiles_call *c, const char *const *values, size_t n);

/* sshfiles_log.c: the ops on logs, on the asked file's drive path drv:
 * 0 answered, -1 the connection failed, TRANSPORT_EREPLY fn refused a
 * record. */
int sshfiles_loggrep(struct sshfiles_call *c, const struct op *op, const char *drv);
int sshfiles_readfile(struct sshfiles_call *c, const struct op *op, const char *drv);
struct sshfiles_logs *sshfiles_logs_new(void);
void sshfiles_logs_free(struct sshfiles_logs *l);

#endif
