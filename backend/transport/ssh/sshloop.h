/*
 * The SSH engine: one thread that owns every libssh2 session and drives
 * them all, non-blocking, from one poll() over their sockets and a wake-up
 * pipe.  libssh2 sessions must never be used by two threads at once, so job
 * threads do not touch them: they hand a command to the engine and wait
 * for its result (or their deadline).  One session per host carries many
 * channels; at most max_parallel hosts are connecting or open at once.
 * Connect, handshake, authentication and every command have deadlines; a
 * host that fails is retried after a growing back-off, and the error names
 * the server and what failed.  This header is the engine's whole public
 * API: its vocabulary (sshtypes.h) and the SFTP calls (sshsftp.h) come
 * with it.
 */
#ifndef DPD_SSHLOOP_H
#define DPD_SSHLOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/transport/ssh/sshkh.h"
#include "backend/transport/ssh/sshsftp.h"
#include "backend/transport/ssh/sshtypes.h"
#include "backend/transport/script.h"
#include "backend/core/util.h"

/* Starts the engine thread (libssh2_init must have run: sshloop_global_init). */
struct sshloop *sshloop_new(const struct sshloop_config *c, char **err);
/* Fails what is queued, closes every session, joins the thread. */
void sshloop_free(struct sshloop *l);
/* libssh2_init, once per process, before any thread starts. 0 or -1. */
int sshloop_global_init(void);

/*
 * Run a command on a host: open a channel, exec cmd (no PTY), write `in`
 * (may be NULL) and EOF, collect stdout and stderr (raw bytes) and the exit
 * status.  Blocking; call it from a job thread.  0 when the command ran to
 * its end (whatever its exit code); -1 with *kind and *err ("SERVER: what
 * failed") otherwise.
 */
int sshloop_exec(struct sshloop *l, const struct ssh_host *h, const char *cmd,
    const char *in, size_t inlen, struct script_result *res, const struct deadline *dl,
    enum ssh_error *kind, char **err);

/* How h's session last logged in: 1 with a key (a key file or an agent's),
 * 0 with a password or keyboard-interactive, -1 not yet (or never). */
int sshloop_login_kind(struct sshloop *l, const struct ssh_host *h);
/* A host key not in known_hosts, waiting for the administrator: the
 * server (as named), where it was reached, the key type ("ssh-ed25519"),
 * its fingerprint ("SHA256:...", what ssh-keygen -lf prints) and the
 * known_hosts file it would be written to. */
struct sshloop_hostkey {
	char *server, *address;
	int port;
	char *type, *fingerprint, *known_hosts;
};
/* Every key waiting for a decision, oldest host first (malloc'd;
 * free with sshloop_hostkeys_free).  0 when there is at least one, -1
 * (with *v NULL and *n 0) when none. */
int sshloop_pending_host_keys(struct sshloop *l, struct sshloop_hostkey **v, size_t *n);
void sshloop_hostkeys_free(struct sshloop_hostkey *v, size_t n);
/* Free one entry's strings and zero it (the array stays). */
void sshloop_hostkey_clear(struct sshloop_hostkey *h);
/* A host refused because its key changed since it was recorded: its name
 * and the engine's message (never something to accept).  0 when there is
 * one; the UI shows it instead of matching error text. */
int sshloop_changed_host_key(struct sshloop *l, char **server, char **message);
/* The administrator accepted that key: append it to the host's known_hosts
 * file and let the host connect again.  0, or -1 with *err. */
int sshloop_accept_host_key(struct sshloop *l, const char *server, char **err);
/* Accept the keys listed (by server, port and fingerprint: a key that is
 * no longer waiting, or changed since it was listed, is not written).
 * Stops at the first failure: 0, or -1 with *err. */
int sshloop_accept_host_keys(struct sshloop *l, const struct sshloop_hostkey *v, size_t n,
    char **err);

/* The counters so far (struct sshloop_stats: sshtypes.h). */
void sshloop_stats(struct sshloop *l, struct sshloop_stats *out);

/* Which ops the SSH transport answers over SFTP instead of PowerShell. */
struct ssh_files {
	bool sftp;                 /* the file ops on the host's own files */
	int sftp_port;             /* where SFTP is served; 0 = the host's port */
};

/* The transport over the engine, answering every op: the op's script goes
 * as the -EncodedCommand line (the stdin bootstrap when it is too long for
 * cmd.exe), CR is stripped, CLIXML errors on stderr are decoded, and
 * failures are reported as "SERVER: op: what failed".  With f->sftp, the
 * file ops on the host's own files (E:\..., \\NAME\E$\...) are answered
 * over SFTP, with the very records the PowerShell would give
 * (sshfiles.c); a server without SFTP gets PowerShell for five minutes
 * before SFTP is tried again; f NULL: everything as PowerShell. */
struct transport *transport_ssh_new(struct sshloop *l, const struct ssh_host *h,
    const struct ssh_files *f);
/* `credential = ask` for t (a transport_ssh_new one; set before its first
 * call): from then on every script goes behind the credential bootstrap
 * (winenc.h), the script and the credential fn gives on standard input,
 * never on the command line, and the copies are wiped once sent; an op
 * fails when fn gives none.  Sets t->has_credential.  The secret itself
 * is fn's to keep for the session's life and to wipe at close. */
void transport_ssh_set_credential(struct transport *t, ssh_cred_fn fn, void *ctx);
/* The log-in of t's session, once one succeeded: 1 a key (a key file or an
 * agent's), 0 a password or keyboard-interactive, -1 not logged in yet.
 * t->key_login follows it after every call. */
int transport_ssh_key_login(struct transport *t);

#endif
