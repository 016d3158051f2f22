/*
 * The SSH engine's state and the bookkeeping of its requests, at the
 * bottom of the engine (sshreq < sshask < sshsftp < sshhost < sshloop):
 * the loop, its hosts and their requests, queuing a request and waiting
 * for it, completing it, and what libssh2 says about a session.
 * Everything here belongs to the engine thread, except what is marked
 * "under lock": the incoming queue, a request's completion, a host's
 * pending key and failure, which other threads read through the public
 * calls, and the questions waiting for the asker thread.
 */
#ifndef DPD_SSHREQ_H
#define DPD_SSHREQ_H

#include <pthread.h>
#include <stdint.h>

#include <libssh2.h>
#include <libssh2_sftp.h>

#include "backend/transport/ssh/sshtypes.h"
#include "backend/transport/script.h"
#include "backend/core/util.h"

/* Where a command is on its channel. */
enum sshreq_step {
	RQ_QUEUED,     /* waiting for its host's session */
	RQ_OPEN,       /* opening the channel */
	RQ_EXEC,
	RQ_WRITE,      /* stdin */
	RQ_EOF,
	RQ_READ,       /* until the remote closes its side */
	RQ_CLOSE,
	RQ_WAIT_CLOSED,
};

/* What a request is: a command on its own channel, or a file operation
 * on the host's SFTP channel (sshsftp.c). */
enum sshreq_kind {
	RK_EXEC,
	RK_SFTP,
};

struct sshhost;
struct sftpreq;
struct sshask;

struct sshreq {
	struct sshreq *next;
	struct ssh_host hc;          /* the caller's host settings (copied) */
	struct sshhost *host;        /* set by the engine */
	enum sshreq_kind type;
	struct sftpreq *sf;          /* RK_SFTP: the operation and its place */
	char *cmd;
	const char *in;              /* borrowed: the caller waits until done */
	size_t inlen, inoff;
	struct script_result *res;   /* borrowed, likewise */
	struct deadline dl;
	enum sshreq_step step;
	LIBSSH2_CHANNEL *ch;
	size_t outlen;               /* standard output read so far (engine) */
	/* under lock: */
	bool done;
	enum ssh_error kind;
	char *err;
	/* Standard output read for a result with a sink, not yet handed to
	 * it: the caller's thread takes it while it waits (sshreq_run), so
	 * the reply is parsed as it comes and the engine never runs the
	 * caller's code. */
	struct buf pending;
};

/* Authentication methods, in the order they are tried. */
enum ssh_auth {
	AUTH_LIST,       /* ask the server which methods it takes */
	AUTH_AGENT,
	AUTH_KEY,
	AUTH_PASSWORD,
	AUTH_KBDINT,
	AUTH_DONE,
};

struct sshhost {
	struct sshhost *next;
	struct sshloop *loop;
	char *name, *address, *user, *identity, *known_hosts;
	int port;
	int connect_ms;
	bool compress;               /* offer zlib (ssh_host.no_compression) */
	int fd;
	short revents;               /* from the last poll */
	LIBSSH2_SESSION *session;
	struct wipe_block *blocks;   /* every block the session allocated (sshhost.c) */
	struct sshkh *kh;
	bool connecting;             /* TCP connect in progress */
	bool handshaken;
	bool ready;                  /* authenticated: channels may open */
	int64_t phase_deadline;      /* connect + handshake + auth */
	int64_t last_used;
	int64_t next_keepalive;
	/* authentication */
	enum ssh_auth auth;
	char *methods;
	LIBSSH2_AGENT *agent;
	struct libssh2_agent_publickey *agent_id;
	bool agent_listed;
	int key_index;               /* which key file */
	char *secret;                /* passphrase or password being tried (wiped) */
	bool secret_asked;
	struct sshask *ask;          /* waiting for an answer: not driven, not polled */
	struct buf tried;            /* what was tried, for the failure message */
	/* requests */
	struct sshreq *queue;        /* waiting for the session */
	struct sshreq *active;       /* on channels */
	/* The request whose channel request (exec, or SFTP's start) awaits
	 * its reply.  One at a time: libssh2 1.10 reads another channel's
	 * CHANNEL_SUCCESS while it waits, fails its own call with "Failed
	 * waiting for channel success" (-1), and that read as a dead session
	 * failed every command on it (seen under load with 16 channels). */
	struct sshreq *starting;
	LIBSSH2_CHANNEL **orphans;   /* channels of requests that gave up: close them */
	size_t norphans;
	/* SFTP: one channel, opened when first needed.  libssh2 keeps an
	 * operation's place in the LIBSSH2_SFTP itself, so one request at a
	 * time uses it (sftp_owner); one abandoned mid-call poisons it, and it
	 * is shut down (sftp_dead) and opened afresh. */
	LIBSSH2_SFTP *sftp;
	struct sshreq *sftp_owner;
	LIBSSH2_SFTP **sftp_dead;
	LIBSSH2_SFTP_HANDLE **sftp_dead_fh;  /* the file it had open, or NULL */
	size_t nsftp_dead;
	/* under lock: how the last log-in succeeded: 1 a key (a key file or
	 * an agent's), 0 a password or keyboard-interactive (or none asked),
	 * -1 none yet.  A key log-in on Windows OpenSSH has no network
	 * credentials (transport.h, key_login). */
	int login_kind;
	/* under lock: failure and back-off */
	bool failed;
	enum ssh_error err_kind;
	char *err;
	int64_t retry_at;
	int backoff_ms;
	/* under lock: a key not in known_hosts, waiting for a decision */
	char *pending_key;
	size_t pending_len;
	int pending_type;
	char pending_fp[64];
	const char *pending_type_name;
};

struct sshloop {
	struct sshloop_config cfg;
	pthread_t thread;
	int wake[2];
	pthread_mutex_t lock;
	pthread_cond_t done_cv;
	struct sshreq *incoming;     /* under lock */
	bool stop;                   /* under lock */
	struct sshhost *hosts;       /* changed by the engine only, under lock */
	struct sshloop_stats stats;  /* under lock */
	/* The asker thread: one question at a time, as a person answers
	 * them (and the UI's mailbox holds one). */
	pthread_t asker;
	bool asker_started;
	pthread_cond_t ask_cv;
	struct sshask *asks;         /* queued, oldest first; under lock */
	bool ask_stop;               /* under lock */
};

/* Wake the engine thread out of its poll(). */
void sshreq_wake(struct sshloop *l);
/* Queue a request for h (copied into r->hc), wait until it is done, and
 * free it: 0, or -1 with *kind and *err.  What r->sf points to is the
 * caller's to free. */
int sshreq_run(struct sshloop *l, const struct ssh_host *h, struct sshreq *r,
    const struct deadline *dl, enum ssh_error *kind, char **err);
/* Finish a request and wake its caller (fmt NULL: success). */
void sshreq_complete(struct sshloop *l, struct sshreq *r, enum ssh_error kind,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Take r off a request list (queue or active), if it is on it. */
void sshreq_list_remove(struct sshreq **head, struct sshreq *r);
/* libssh2 error codes that mean the connection itself is gone. */
bool sshreq_session_dead(int rc);
/* The session's last error message, or "no details". */
const char *sshreq_session_msg(LIBSSH2_SESSION *s);

#endif
