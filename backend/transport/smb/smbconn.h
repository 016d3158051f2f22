/*
 * The SMB engine: libsmbclient (Samba 4.17) on threads of its own.
 * libsmbclient is synchronous and not safe to share between threads, and
 * some of its options are process-global (the dialects, the debug level,
 * the configuration file), so: the global options are set once
 * (smbeng_new); every server gets a worker thread with its own context,
 * and a job thread hands it a call and waits for the answer or the op's
 * deadline, whichever comes first.  A call that outlives its deadline is
 * abandoned: the caller gets a timeout naming the server, and the worker,
 * when libsmbclient finally returns, throws the context away, so the next
 * call connects afresh.  At most max_parallel servers are connected at
 * once; a server that fails to connect is retried after a growing
 * back-off, as the SSH engine does.  Errors name the server, what was done
 * to which UNC path and the NT status in words:
 *   LEEDSDP01: access denied reading \\LEEDSDP01\E$\SMS\Logs\distmgr.log (NT_STATUS_ACCESS_DENIED)
 * The file system calls are smb_fs (backend/transport/files/files.h).
 */
#ifndef DPD_SMBCONN_H
#define DPD_SMBCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/core/util.h"
#include "backend/transport/files/files.h"

/* The lowest dialect a server may speak. */
enum smb_proto { SMB_PROTO_NT1, SMB_PROTO_SMB2, SMB_PROTO_SMB3 };

struct smb_server {
	const char *name;          /* the server as the site names it (\\NAME\...) */
	const char *address;       /* where to connect; NULL = name */
	int port;                  /* 0 = 445 */
	const char *user;          /* NULL = $USER */
	const char *domain;        /* NULL = none */
	const char *password;      /* from the authfile; NULL = ask (unless kerberos) */
	enum smb_proto min_protocol;
	bool kerberos;             /* the user's ticket cache, no password */
	int connect_timeout_ms;    /* 0 = 10 s */
};

/* Asks for a password (as ssh_ask_fn): 0 with a malloc'd *answer the
 * engine wipes and frees, -1 nobody to ask or cancelled.  Runs on the
 * server's worker thread; may block while the person types. */
typedef int (*smb_ask_fn)(void *ctx, const char *server, const char *prompt, bool echo,
    char **answer);

struct smbeng_config {
	int max_parallel;          /* servers connected at once; 0 = 16 */
	smb_ask_fn ask;            /* NULL: a server without password fails */
	void *ask_ctx;
};

struct smbeng;
struct smbsrv;

struct smbeng *smbeng_new(const struct smbeng_config *c, char **err);
/* Abandons what is running, joins the workers, frees the contexts. */
void smbeng_free(struct smbeng *e);
/* A server (strings copied; the password is wiped on free).  NULL with
 * *err when the engine cannot take it. */
struct smbsrv *smbeng_add(struct smbeng *e, const struct smb_server *s, char **err);
const char *smbsrv_name(const struct smbsrv *s);

/* Counters, for tests and the benchmark. */
struct smbeng_stats {
	unsigned long connects;    /* connections made (one per share) */
	unsigned long calls;       /* jobs run */
	unsigned long max_open;    /* most servers connected at once */
	bool parallel;             /* workers call libsmbclient at once (else one at a time) */
};
void smbeng_stats(struct smbeng *e, struct smbeng_stats *out);

/* The file system calls over a server: fs_arg is its struct smbsrv.  Own
 * paths are the server's drive paths (E:\... through the admin share E$)
 * and its shares (\\NAME\share\...).  archive is true: the DOS attributes
 * are read and set whole. */
extern const struct files_fs smb_fs;
/* The server's disk shares by name (smb://host/: no IPC$ or printers),
 * as directory entries (only names); FILES_OK, or FILES_FAILED /
 * FILES_REFUSED with *msg naming the server. */
int smb_shares(struct smbsrv *s, struct files_dir *out, const struct deadline *dl, char **msg);

#endif
