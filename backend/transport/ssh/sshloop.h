/*
 * The SSH engine: one thread that owns every libssh2 session and drives
 * them all, non-blocking, from one poll() over their sockets and a wake-up
 * pipe.  libssh2 sessions must never be used by two threads at once, so job
 * threads do not touch them: they hand a command to the engine and wait
 * for its result (or their deadline).  One session per host carries many
 * channels; at most max_parallel hosts are connecting or open at once.
 * Connect, handshake, authentication and every command have deadlines; a
 * host that fails is retried after a growing back-off, and the error names
 * the server and what failed.
 */
#ifndef DPD_SSHLOOP_H
#define DPD_SSHLOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/transport/ssh/sshkh.h"
#include "backend/transport/script.h"
#include "backend/core/util.h"

/* How to reach one server (strings are copied).  The engine keeps one
 * session per name and port: the same name on another port (SFTP served
 * apart) is a second session, with the same messages. */
struct ssh_host {
	const char *name;          /* the server as the site names it, for messages */
	const char *address;       /* what to connect to (default: name) */
	int port;                  /* 0 = 22 */
	const char *user;          /* NULL = $USER */
	const char *identity;      /* private key file; NULL = ~/.ssh/id_ed25519, id_ecdsa */
	const char *known_hosts;   /* checked before ~/.ssh/known_hosts; new keys go here */
	int connect_timeout_ms;    /* TCP connect + handshake + auth; 0 = 10 s */
};

/* Asks the administrator for a secret (key passphrase, password, a
 * keyboard-interactive prompt).  0 with a malloc'd *answer (the engine
 * wipes and frees it), or -1 when there is nobody to ask or they
 * cancelled.  It may block while the person types; the host's log-in
 * deadline is moved on by as long as it waited.
 *
 * Passwords and passphrases are asked on the engine's asker thread, one
 * question at a time in the order they came: the host that asked waits,
 * every other host goes on connecting and running commands.  A host that
 * gives up meanwhile (its deadline, a cancel, sshloop_free) drops a
 * question not yet asked; the answer to one being asked is wiped and
 * discarded.  sshloop_free waits for the question being asked, so the
 * function must return when its UI goes away.
 *
 * Keyboard-interactive prompts are still asked on the engine thread, and
 * hold up every host while the person types: libssh2 wants the answers
 * from inside its callback, during the call that sent the request, and
 * there is no way to hand them in later.  Learning the prompts on one
 * attempt and answering them on the next would spend one of the server's
 * MaxAuthTries (and a PAM failure delay) per question and cannot follow
 * prompts that change between rounds.  The engine offers it only when the
 * server does not take "password", which is rare on Windows OpenSSH. */
typedef int (*ssh_ask_fn)(void *ctx, const char *server, const char *prompt, bool echo,
    char **answer);

struct sshloop_config {
	int max_parallel;          /* hosts connecting or open at once; 0 = 16 */
	bool accept_new_host_keys; /* append unknown keys (CLI --accept-new-host-key) */
	int keepalive_s;           /* 0 = 15 */
	ssh_ask_fn ask;            /* NULL: no passphrases or passwords */
	void *ask_ctx;
	sshkh_warn_fn warn;        /* known_hosts lines skipped, and the like */
	void *warn_ctx;
};

enum ssh_error {
	SSHE_NONE,
	SSHE_CONNECT,              /* refused, unreachable, name unknown */
	SSHE_HOSTKEY_UNKNOWN,      /* not in known_hosts: ask, then sshloop_accept_host_key */
	SSHE_HOSTKEY_CHANGED,      /* known with another key: refused, never offered */
	SSHE_AUTH,                 /* no method worked */
	SSHE_TIMEOUT,              /* a deadline passed */
	SSHE_CANCELLED,
	SSHE_DROPPED,              /* the connection went away mid-command */
	SSHE_PROTOCOL,             /* anything else libssh2 reports */
	SSHE_NO_SFTP,              /* the server offers no SFTP (subsystem refused) */
};

struct sshloop;

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

/*
 * Files over SFTP, on the host's own session (one SFTP channel per host,
 * opened when first needed).  Paths are Windows drive paths, E:\dir\file;
 * anything else (UNC, relative, "..") is refused before anything is sent.
 * Each call blocks like sshloop_exec and fails with "SERVER: sftp OP PATH:
 * what failed" (the file missing reads "no such file") and *kind (may be
 * NULL): SSHE_PROTOCOL for the server's answer about the file (and a path
 * refused here), SSHE_NO_SFTP when the session would not start SFTP, else
 * what failed the connection as for sshloop_exec.
 */
struct sshloop_stat {
	bool exists;
	bool is_dir;
	bool readonly;             /* no owner write bit: how Win32-OpenSSH shows READONLY */
	uint64_t size;
	int64_t mtime;             /* Unix seconds */
};
struct sshloop_dirent {
	char *name;
	struct sshloop_stat st;
};
struct sshloop_dir {
	struct sshloop_dirent *v;
	size_t n;
};
void sshloop_dir_free(struct sshloop_dir *d);


/* A missing file is not an error: st->exists is false. */
int sshloop_sftp_stat(struct sshloop *l, const struct ssh_host *h, const char *winpath,
    struct sshloop_stat *st, const struct deadline *dl, enum ssh_error *kind,
    char **err);
/* Append bytes [off, off+len) of the file to out (fewer at its end);
 * len UINT64_MAX reads to the end. */
int sshloop_sftp_read(struct sshloop *l, const struct ssh_host *h, const char *winpath,
    uint64_t off, uint64_t len, struct buf *out, const struct deadline *dl,
    enum ssh_error *kind, char **err);
/* The entries of windir whose names match pattern (Windows wildcards * and
 * ?, any case; NULL = all), without . and .., in the server's order. */
int sshloop_sftp_list(struct sshloop *l, const struct ssh_host *h, const char *windir,
    const char *pattern, struct sshloop_dir *out, const struct deadline *dl,
    enum ssh_error *kind, char **err);
/* Rename, replacing an existing file: SFTPv3 refuses to rename onto one,
 * so the target is deleted first; that is NOT atomic (a failure between
 * the two leaves neither).  A case-only rename goes through a temporary
 * name: Windows OpenSSH deletes a file renamed onto itself. */
int sshloop_sftp_rename(struct sshloop *l, const struct ssh_host *h, const char *from,
    const char *to, const struct deadline *dl, enum ssh_error *kind,
    char **err);
int sshloop_sftp_unlink(struct sshloop *l, const struct ssh_host *h, const char *winpath,
    const struct deadline *dl, enum ssh_error *kind,
    char **err);
/* Set or clear the read-only attribute (the write bits, over SFTP). */
int sshloop_sftp_setro(struct sshloop *l, const struct ssh_host *h, const char *winpath,
    bool readonly, const struct deadline *dl, enum ssh_error *kind,
    char **err);
/* Create or replace the file with data. */
int sshloop_sftp_write(struct sshloop *l, const struct ssh_host *h, const char *winpath,
    const void *data, size_t len, const struct deadline *dl, enum ssh_error *kind,
    char **err);

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

/* Counters, for tests and the benchmark. */
struct sshloop_stats {
	unsigned long connects;    /* sessions opened */
	unsigned long channels;    /* commands run */
	unsigned long max_hosts;   /* most hosts open at once */
};
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

#endif
