/*
 * Host keys for the SSH transport: strict checking against OpenSSH
 * known_hosts files, the way OpenSSH does it.  Files are read line by line
 * (libssh2's readfile stops at the first line it cannot parse and silently
 * loses every entry after it), a bad line is skipped with a warning naming
 * the file and line, hashed names and "[host]:port" entries match, and a
 * new key is appended as one line, never by rewriting the file.  The
 * fingerprint is shown as `ssh-keygen -l` prints it (SHA256:base64, no
 * padding).
 */
#ifndef DPD_SSHKH_H
#define DPD_SSHKH_H

#include <stdbool.h>
#include <stddef.h>

#include <libssh2.h>

enum sshkh_result {
	SSHKH_MATCH,       /* a known key for this host matches */
	SSHKH_MISMATCH,    /* the host is known with another key: refuse, loudly */
	SSHKH_NOTFOUND,    /* the host is not known: ask (UI) or refuse (CLI) */
	SSHKH_ERROR,       /* the key could not be checked (type unknown...) */
};

struct sshkh;

typedef void (*sshkh_warn_fn)(void *ctx, const char *msg);

/* Read the known_hosts files (missing files are empty; NULL entries are
 * skipped) into a libssh2 knownhost collection for session s.  Bad lines go
 * to warn as "PATH:LINE: why; line skipped".  NULL with *err only when a
 * file exists but cannot be read. */
struct sshkh *sshkh_load(LIBSSH2_SESSION *s, const char *const *paths, size_t npaths,
    sshkh_warn_fn warn, void *ctx, char **err);
void sshkh_free(struct sshkh *kh);

/* The host-key algorithm preference to set before the handshake:
 * OpenSSH's order (ed25519 first), narrowed to only the types of the
 * entries (plain or hashed) for host:port when the files have any.  The
 * string belongs to kh: valid until the next call or sshkh_free. */
const char *sshkh_prefs(const struct sshkh *kh, const char *host, int port);

/* Check the server's key (from libssh2_session_hostkey) for host:port
 * (port 22 is looked up as "host", any other as "[host]:port"). */
enum sshkh_result sshkh_check(struct sshkh *kh, const char *host, int port,
    const char *key, size_t len, int type);

/* "SHA256:..." of the session's host key, as `ssh-keygen -l` shows it;
 * the key type name ("ssh-ed25519") in type_out.  0, or -1 (no key yet). */
int sshkh_fingerprint(LIBSSH2_SESSION *s, char out[static 64], const char **type_out);

/* The "SHA256:..." text of a SHA-256 digest (base64, no padding), the
 * formatting half of sshkh_fingerprint, usable without a session. */
void sshkh_fingerprint_of(const unsigned char hash[static 32], char out[static 64]);

/* Append one known_hosts line for host:port with the key (raw blob from
 * libssh2_session_hostkey, its LIBSSH2_HOSTKEY_TYPE_*) to path, creating
 * the file 0600 (and its folder 0700) when missing.  Plain host names, as
 * OpenSSH writes them with HashKnownHosts no.  0, or -1 with *err (also
 * for a NULL path, so sshkh_default_path's NULL can be passed on). */
int sshkh_append(const char *path, const char *host, int port, const char *key,
    size_t len, int type, char **err);

/* The user's default file: ~/.ssh/known_hosts (malloc'd; NULL when
 * neither $HOME nor the password database names a home folder). */
char *sshkh_default_path(void);

#endif
