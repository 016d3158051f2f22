/*
 * Inside the file ops: the state one fs's calls share and the helpers each
 * op answers with (files_call.c), worded as the PowerShell of ops_ps.c
 * words its answers.  files.c (pathinfo, dirlist, the changing ops and the
 * choosing) and files_log.c (loggrep, readfile) both build on files_call.c;
 * it calls neither.
 */
#ifndef DPD_FILES_INT_H
#define DPD_FILES_INT_H

#include "backend/transport/files/files.h"

#include <stdatomic.h>

struct files_logs;

struct files {
	const struct files_fs *fs;
	void *fs_arg;
	char *host;
	_Atomic int64_t off_until;  /* the fs found absent: not tried until then */
	struct files_logs *logs;    /* loggrep's cache */
};

/* The roots an op looked at (Reach()), at most this many per op. */
#define FILES_ROOTS 8

/* One op being answered.  The ops answer in one of three ways: records to
 * out, given once every fs call is made (so that an fs found absent has
 * told the caller nothing and the op can go another way); why, the op's
 * END error as the PowerShell words it; or a failed connection (-1,
 * *err). */
struct files_call {
	struct files *f;
	const char *op;
	const struct deadline *dl;
	char **err;
	bool absent;               /* the fs is not there: go another way */
	struct {
		char *root;
		bool there;
	} roots[FILES_ROOTS];
	size_t nroots;
	struct proto_emit out;     /* the records, to the caller's fn */
	char *why;                 /* the op failed on the server (files_fail) */
};

/* The fs calls on an own path p: 0 done; 1 the server refused it for the
 * file (*why, as the op's END error); -1 the connection failed (*c->err),
 * or the fs is absent (c->absent). */
int files_call_stat(struct files_call *c, const char *p, struct files_stat *st, char **why);
int files_call_read(struct files_call *c, const char *p, uint64_t off, uint64_t len,
    struct buf *out, char **why);
int files_call_list(struct files_call *c, const char *p, const char *pattern,
    struct files_dir *d, char **why);
int files_call_setattr(struct files_call *c, const char *p, int readonly, int archive,
    char **why);
int files_call_unlink(struct files_call *c, const char *p, char **why);
int files_call_rename(struct files_call *c, const char *from, const char *to, char **why);
int files_call_copy(struct files_call *c, const char *from, const char *to, char **why);
int files_call_acl(struct files_call *c, const char *p, struct files_acl *a, char **why);
int files_call_write(struct files_call *c, const char *p, uint64_t off, const struct buf *data,
    int64_t mtime, char **why);
/* PowerShell's Reach() of the asked path: 1 its root is there; 0 not,
 * with *why as the PowerShell words it; -1 the connection failed. */
int files_reach(struct files_call *c, const char *asked, const char *p, char **why);
/* Need() of ops_ps.c: 0 with *st of the file; 1 after files_fail with
 * the error the PowerShell gives; -1 the connection failed. */
int files_need(struct files_call *c, const char *asked, const char *p, struct files_stat *st);
/* What a script's catch block says: the op's END error (why is taken;
 * NULL reads "failed").  Returns 0, as the op was answered. */
int files_fail(struct files_call *c, char *why);
/* One record to the caller: 0, or TRANSPORT_EREPLY when fn refused it. */
int files_row(struct files_call *c, const char *const *values, size_t n);

/* files_log.c: the ops on logs, on the asked file's own path p:
 * 0 answered, -1 the connection failed, TRANSPORT_EREPLY fn refused a
 * record. */
int files_loggrep(struct files_call *c, const struct op *op, const char *p);
int files_readfile(struct files_call *c, const struct op *op, const char *p);
struct files_logs *files_logs_new(void);
/* files_acl.c: shareacl from the share folder's DACL (fs->acl). */
int files_shareacl(struct files_call *c, const struct op *op);
void files_logs_free(struct files_logs *l);

#endif
