/*
 * The SSH engine's vocabulary, shared by its callers (through sshloop.h)
 * and by every part of the engine: how to reach a server, how the engine
 * is set up, what failed, and its counters.  Below everything else in
 * the engine, so its lowest parts need not include the public API.
 */
#ifndef DPD_SSHTYPES_H
#define DPD_SSHTYPES_H

#include <stdbool.h>

#include "backend/transport/ssh/sshkh.h"

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
	bool no_compression;       /* do not offer zlib (default: offered, used where
	                            * the server offers it too) */
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

/* Gives a credential for the remote calls a host's scripts make
 * (`credential = ask`): 0 with malloc'd copies of *user ("DOMAIN\name")
 * and *password, which the caller wipes and frees after the one script;
 * -1 with a malloc'd *err (nobody answered).  It may ask a person, and
 * blocks meanwhile; it is called on the job thread running the op. */
typedef int (*ssh_cred_fn)(void *ctx, const char *server, char **user, char **password,
    char **err);

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

/* Counters, for tests and the benchmark. */
struct sshloop_stats {
	unsigned long connects;    /* sessions opened */
	unsigned long channels;    /* commands run */
	unsigned long max_hosts;   /* most hosts open at once */
};

#endif
