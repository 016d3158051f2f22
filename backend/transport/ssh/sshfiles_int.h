/*
 * Inside the SFTP file ops (sshfiles.c, sshfiles_log.c): the state shared
 * by one transport's calls and the helpers each op answers with, worded
 * as the PowerShell of ops.c words its answers.
 */
#ifndef DPD_SSHFILES_INT_H
#define DPD_SSHFILES_INT_H

#include "backend/ops/ops.h"
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

/* One op being answered. */
struct sshfiles_call {
	struct sshfiles *f;
	const char *op;
	const struct deadline *dl;
	char **err;
	bool no_sftp;              /* the server has no SFTP: go as PowerShell */
	char drive[26];            /* A..Z in this op: 0 not looked at, 1 there, 2 not */
};

/* The SFTP calls on the host's drive path drv: 0 done; 1 the server
 * refused it for the file (*why, as the op's END error); -1 the
 * connection failed (*c->err), or SFTP is not there (c->no_sftp). */
int sshfiles_stat(struct sshfiles_call *c, const char *drv, struct sshloop_stat *st,
    char **why);
int sshfiles_read(struct sshfiles_call *c, const char *drv, uint64_t off, uint64_t len,
    struct buf *out, char **why);
/* PowerShell's Reach() of the asked path: 1 the drive is there; 0 not,
 * with *why as the PowerShell words it; -1 the connection failed. */
int sshfiles_reach(struct sshfiles_call *c, const char *asked, const char *drv, char **why);
/* Need() of ops.c: 0 with *st of the file; 1 after the END error the
 * PowerShell prints; -1 the connection failed. */
int sshfiles_need(struct sshfiles_call *c, const char *asked, const char *drv,
    struct sshloop_stat *st, struct script_result *res);
/* The end of a reply: END error (why is freed) and exit 1, or END ok. */
int sshfiles_fail(struct script_result *res, char *why);
int sshfiles_done(struct script_result *res, size_t n);

/* sshfiles_log.c: the ops on logs, on the asked file's drive path drv:
 * 0 answered, -1 the connection failed. */
int sshfiles_loggrep(struct sshfiles_call *c, const struct op *op, const char *drv,
    struct script_result *res);
int sshfiles_readfile(struct sshfiles_call *c, const struct op *op, const char *drv,
    struct script_result *res);
struct sshfiles_logs *sshfiles_logs_new(void);
void sshfiles_logs_free(struct sshfiles_logs *l);

#endif
