/*
 * Inside the SMB engine: what its parts share.  smblib.c owns what is
 * process-global in libsmbclient (the thread shim, the log, the client
 * configuration, the dialect gate) and makes a server's context with its
 * hooks; smbconn.c runs the servers' workers, hands them jobs and keeps
 * the deadlines, the back-off and max_parallel; smberr.c words what
 * failed; smbfs.c and smbacl.c are the file system calls on top.
 */
#ifndef DPD_SMBCONN_INT_H
#define DPD_SMBCONN_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>


#include "backend/transport/smb/smbconn.h"
#include "backend/transport/smb/smbdl.h"

/* ---- jobs ---------------------------------------------------------------------- */

struct smbjob;
/* Runs on the server's worker with its context; reports through
 * smbjob_ok / smbjob_errno / smbjob_refuse / smbjob_failed. */
typedef void (*smbjob_fn)(struct smbjob *j, SMBCCTX *ctx);

enum smbjob_state { SJ_QUEUED, SJ_RUNNING, SJ_DONE };

struct smbjob {
	/* Set by the caller, read-only afterwards; everything the run
	 * function touches is owned by the job (a caller that gives up
	 * leaves the job to the worker). */
	smbjob_fn run;
	void *data;
	void (*data_free)(void *data);
	const char *verb;          /* "reading", "listing": for messages */
	char *unc;                 /* the path as the server names it */
	char *unc2;                /* rename's and copy's target, else NULL */
	/* The outcome: FILES_OK / FILES_REFUSED / FILES_FAILED and why. */
	int rc;
	char *msg;
	/* The engine's (under the engine lock). */
	struct smbsrv *srv;
	enum smbjob_state state;
	int refs;
	bool abandoned;            /* the caller left: stop at the next chance */
	int64_t deadline;          /* monotonic ms; 0 none */
	int64_t asked_ms;          /* time spent waiting for a typed password */
	bool asking;
	int conn_errno;            /* failed while connecting, with this errno */
	bool dead;                 /* the connection is gone: the context goes */
	struct smbjob *next;
};

struct smbjob *smbjob_new(smbjob_fn run, void *data, void (*data_free)(void *),
    const char *verb, char *unc, char *unc2);
void smbjob_unref(struct smbjob *j);
/* Run j on s's worker within dl: FILES_OK, FILES_REFUSED or FILES_FAILED
 * (*msg malloc'd).  The job's data holds the results when FILES_OK. */
int smbsrv_run(struct smbsrv *s, struct smbjob *j, const struct deadline *dl, char **msg);

/* For run functions: whether to go on (false once the caller left or the
 * deadline passed: the function stops and fails), and the outcome. */
bool smbjob_go_on(struct smbjob *j);
void smbjob_ok(struct smbjob *j);
/* libsmbclient failed with errno e: worded by smberr (a connection or
 * log-on failure when it happened while connecting). */
void smbjob_errno(struct smbjob *j, int e);
void smbjob_refuse(struct smbjob *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void smbjob_failed(struct smbjob *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The URL of a UNC path of the job's server (smb://address:port/share/
 * path, every component escaped), or NULL when the path is not one. */
char *smbjob_url(const struct smbjob *j, const char *unc);

/* ---- servers --------------------------------------------------------------------- */

struct smbeng {
	pthread_mutex_t lock;
	pthread_cond_t slot_cv;    /* a connection slot came free */
	pthread_cond_t done_cv;    /* a job is done */
	struct smbsrv *servers;
	int max_parallel;
	int open;                  /* servers holding a slot (a context) */
	smb_ask_fn ask;
	void *ask_ctx;
	bool stop;
	int callers;               /* job threads inside smbsrv_run */
	struct smbeng_stats stats;
};

struct smbsrv {
	struct smbeng *e;
	struct smbsrv *next;
	char *name, *address, *user, *domain;
	char *password;            /* configured (authfile); wiped on free */
	char *asked;               /* typed, kept for the server's life */
	int port;
	enum smb_proto proto;
	bool kerberos;
	int connect_ms;
	/* The worker and its queue (engine lock). */
	pthread_t thread;
	bool started;
	pthread_cond_t cv;
	struct smbjob *queue;
	struct smbjob *running;
	bool has_slot, close_req, dead;
	int64_t last_used;
	/* Back-off after a failed connection (engine lock). */
	int64_t backoff_ms, retry_at;
	char *last_err;
	/* The worker's own (its thread only). */
	char *url_host;            /* the address in URLs (resolved once) */
	SMBCCTX *ctx;
	struct smbwork *work;      /* per-context hook state (smblib.c) */
};

/* ---- smblib.c: process-global libsmbclient ---------------------------------------- */

/* Once per process: the thread shim, the log, the configuration.  0, or
 * -1 with *err.  *parallel: workers may call libsmbclient at once. */
int smblib_init(bool *parallel, char **err);
bool smblib_parallel(void);
/* Around everything a worker does in libsmbclient: in serial mode the
 * one lock, else nothing. */
void smblib_enter(void);
void smblib_leave(void);
/* s->ctx for s (made under the library lock), whose hooks watch its
 * connections; NULL with *err. */
SMBCCTX *smblib_context(struct smbsrv *s, char **err);
void smblib_context_free(struct smbsrv *s);
/* Around one job's calls: the timeout connections made during it get;
 * the end leaves the dialect gate and says whether a connection was made
 * with less than connect_timeout. */
void smblib_call_begin(struct smbsrv *s, int timeout_ms);
bool smblib_call_end(struct smbsrv *s);
/* Whether the call is connecting: a lookup missed and no connection came
 * of it yet (a failure now is the connection's). */
bool smblib_connecting(const struct smbsrv *s);
/* After a connect that failed with EACCES: whether the same credentials
 * log on (to IPC$): 1 yes (the share refused), 0 no (log-on failure), -1
 * could not tell. */
int smblib_logon_works(struct smbsrv *s, int timeout_ms);
/* After EINVAL while connecting: the highest dialect below the server's
 * minimum that the server negotiates (anonymously, nothing is sent but
 * the negotiation), or -1 none. */
int smblib_offered_below(struct smbsrv *s, int timeout_ms);
/* The password the callback gives (never asks); NULL none. */
const char *smbsrv_secret(const struct smbsrv *s);
/* Ask for the password once for this job (outside libsmbclient). */
void smbsrv_ask(struct smbsrv *s, struct smbjob *j);
void smbsrv_forget_asked(struct smbsrv *s);

/* ---- smberr.c ---------------------------------------------------------------------- */

/* An errno of a file operation: FILES_REFUSED or FILES_FAILED, and the
 * words and NT status into *msg ("access denied reading \\S\E$\x
 * (NT_STATUS_ACCESS_DENIED)" after "NAME: "). */
int smberr_op(const struct smbsrv *s, int e, const char *verb, const char *unc,
    const char *unc2, char **msg);
/* An errno while connecting to share: *msg, and what kind of failure. */
enum smberr_kind { SMBERR_NET, SMBERR_LOGON, SMBERR_SHARE, SMBERR_DIALECT };
enum smberr_kind smberr_connect(struct smbsrv *s, int e, const char *share, int timeout_ms,
    char **msg);
/* Whether an errno says the connection itself is gone. */
bool smberr_dead(int e);
const char *smb_proto_name(enum smb_proto p);

/* ---- smbacl.c ---------------------------------------------------------------------- */

/* Parse libsmbclient's "system.nt_sec_desc.*" text (numeric SIDs):
 * REVISION:1,OWNER:S-..,GROUP:S-..,ACL:S-..:TYPE/FLAGS/0xMASK,...  into
 * out (entries malloc'd).  0, or -1 with *err saying where. */
int smbacl_parse(const char *text, struct files_acl *out, char **err);

#endif
