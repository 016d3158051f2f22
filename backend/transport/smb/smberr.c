/*
 * What an SMB failure means, in words.  libsmbclient reports only errno,
 * mapped from the NT status by Samba's table (libcli/util/errmap_unix.c,
 * where every status it does not list becomes EINVAL), so the engine maps
 * back to the status the server most likely sent, and names it.  What
 * libsmbclient 4.17.12 gave against smbd 4.17.12 on loopback
 * (tests/cli/smb_engine.sh checks each):
 *
 *   wrong password, unknown user   EACCES while connecting (LOGON_FAILURE)
 *   share the user may not use     EACCES while connecting (ACCESS_DENIED)
 *   no such share                  ENOENT while connecting (BAD_NETWORK_NAME)
 *   server only NT1, client SMB2+  ECONNABORTED while connecting (it hangs up)
 *   server SMB2+, client only NT1  EINVAL while connecting ("No compatible
 *                                  protocol selected by server")
 *   nothing on the port            ECONNREFUSED at once
 *   server frozen (SIGSTOP)        ETIMEDOUT after the connection's timeout
 *   server killed mid-read         ECONNRESET or EPIPE (connection lost)
 *   no such file or folder         ENOENT (OBJECT_NAME/PATH_NOT_FOUND)
 *   opening a file not readable    EACCES (ACCESS_DENIED)
 *   listing a file                 ENOTDIR
 *   deleting a read-only file      EINVAL (CANNOT_DELETE, not in Samba's table)
 *
 * EACCES while connecting is a log-on failure or a refused share; only
 * another log-on tells them apart (smblib_logon_works, to IPC$).  EINVAL
 * or a lost connection while connecting is a dialect the server does not
 * offer when a lower one negotiates (smblib_offered_below).  Refusals of
 * one file are
 * FILES_REFUSED; anything about the connection, the log-on or the share
 * is FILES_FAILED.
 */
#include "autoconf.h"
#include "backend/transport/smb/smbconn_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct errmap {
	int e;
	int rc;                    /* FILES_REFUSED: the file; FILES_FAILED: the connection */
	bool dead;                 /* the connection is gone */
	const char *words;
	const char *status;
};

static const struct errmap op_errs[] = {
	{ ENOENT, FILES_REFUSED, false, "not found", "NT_STATUS_OBJECT_NAME_NOT_FOUND" },
	{ EACCES, FILES_REFUSED, false, "access denied", "NT_STATUS_ACCESS_DENIED" },
	{ EPERM, FILES_REFUSED, false, "access denied", "NT_STATUS_ACCESS_DENIED" },
	{ EBUSY, FILES_REFUSED, false, "in use by another program",
	  "NT_STATUS_SHARING_VIOLATION" },
	{ EEXIST, FILES_REFUSED, false, "already exists", "NT_STATUS_OBJECT_NAME_COLLISION" },
	{ ENOTDIR, FILES_REFUSED, false, "not a folder", "NT_STATUS_NOT_A_DIRECTORY" },
	{ EISDIR, FILES_REFUSED, false, "a folder, not a file", "NT_STATUS_FILE_IS_A_DIRECTORY" },
	{ ENOTEMPTY, FILES_REFUSED, false, "folder not empty", "NT_STATUS_DIRECTORY_NOT_EMPTY" },
	{ ENOSPC, FILES_REFUSED, false, "disk full", "NT_STATUS_DISK_FULL" },
	{ EDQUOT, FILES_REFUSED, false, "quota exceeded", "NT_STATUS_QUOTA_EXCEEDED" },
	{ EROFS, FILES_REFUSED, false, "write-protected", "NT_STATUS_MEDIA_WRITE_PROTECTED" },
	{ ENAMETOOLONG, FILES_REFUSED, false, "name too long", "NT_STATUS_NAME_TOO_LONG" },
	{ EXDEV, FILES_REFUSED, false, "not on one share", "NT_STATUS_NOT_SAME_DEVICE" },
	{ ENOSYS, FILES_REFUSED, false, "not supported by the server", "NT_STATUS_NOT_SUPPORTED" },
	{ ENODATA, FILES_REFUSED, false, "no data", "NT_STATUS_END_OF_FILE" },
	{ EINVAL, FILES_REFUSED, false, "refused (an invalid parameter, or a status "
	  "libsmbclient does not map)", "NT_STATUS_INVALID_PARAMETER" },
	{ EMFILE, FILES_FAILED, false, "too many open files", "NT_STATUS_TOO_MANY_OPENED_FILES" },
	{ ENOMEM, FILES_FAILED, false, "out of memory", "NT_STATUS_NO_MEMORY" },
	{ ECANCELED, FILES_FAILED, false, "cancelled", "NT_STATUS_CANCELLED" },
	{ ETIMEDOUT, FILES_FAILED, true, "no answer in time", "NT_STATUS_IO_TIMEOUT" },
	{ ECONNRESET, FILES_FAILED, true, "connection lost", "NT_STATUS_CONNECTION_RESET" },
	{ ECONNABORTED, FILES_FAILED, true, "connection lost",
	  "NT_STATUS_CONNECTION_DISCONNECTED" },
	{ ENETRESET, FILES_FAILED, true, "connection lost", "NT_STATUS_CONNECTION_RESET" },
	{ EPIPE, FILES_FAILED, true, "connection lost", "NT_STATUS_PIPE_BROKEN" },
	{ ESHUTDOWN, FILES_FAILED, true, "connection lost", "NT_STATUS_REMOTE_DISCONNECT" },
	{ ENOTCONN, FILES_FAILED, true, "connection lost", "NT_STATUS_CONNECTION_DISCONNECTED" },
	{ EIO, FILES_FAILED, true, "connection lost", "NT_STATUS_CONNECTION_DISCONNECTED" },
	{ EBADF, FILES_FAILED, true, "the connection lost its open file",
	  "NT_STATUS_INVALID_HANDLE" },
	{ ECONNREFUSED, FILES_FAILED, true, "connection refused", "NT_STATUS_CONNECTION_REFUSED" },
	{ EHOSTUNREACH, FILES_FAILED, true, "host unreachable", "NT_STATUS_HOST_UNREACHABLE" },
	{ ENETUNREACH, FILES_FAILED, true, "network unreachable",
	  "NT_STATUS_NETWORK_UNREACHABLE" },
};

static const struct errmap *
errmap_find(int e)
{
	for (size_t i = 0; i < sizeof op_errs / sizeof op_errs[0]; i++)
		if (op_errs[i].e == e)
			return &op_errs[i];
	return NULL;
}

bool
smberr_dead(int e)
{
	const struct errmap *m = errmap_find(e);
	return m != NULL && m->dead;
}

int
smberr_op(const struct smbsrv *s, int e, const char *verb, const char *unc, const char *unc2,
    char **msg)
{
	const struct errmap *m = errmap_find(e);
	const char *to = unc2 != NULL ? " to " : "";
	if (m == NULL) {
		err_set(msg, "%s: %s %s%s%s failed: %s (errno %d)", s->name, verb, unc, to,
		    unc2 ? unc2 : "", strerror(e), e);
		return FILES_FAILED;
	}
	err_set(msg, "%s: %s %s %s%s%s (%s)", s->name, m->words, verb, unc, to,
	    unc2 ? unc2 : "", m->status);
	return m->rc;
}

const char *
smb_proto_name(enum smb_proto p)
{
	static const char *const names[] = { [SMB_PROTO_NT1] = "NT1", [SMB_PROTO_SMB2] = "SMB2",
		[SMB_PROTO_SMB3] = "SMB3" };
	return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}

static const char *const offered_words[] = {
	[SMB_PROTO_NT1] = "NT1 (SMB1)",
	[SMB_PROTO_SMB2] = "SMB2 (2.0.2 or 2.1)",
	[SMB_PROTO_SMB3] = "SMB3",
};

/* DOMAIN\user, or user. */
static char *
account(const struct smbsrv *s)
{
	return s->domain != NULL ? xasprintf("%s\\%s", s->domain, s->user) : xstrdup(s->user);
}

static enum smberr_kind
connect_access(struct smbsrv *s, const char *share, int timeout_ms, char **msg)
{
	char *who = account(s);
	enum smberr_kind k = SMBERR_LOGON;
	int works = smbsrv_secret(s) == NULL && !s->kerberos ? 0 :
	    smblib_logon_works(s, timeout_ms);
	if (works == 1) {
		err_set(msg, "%s: access denied to the share %s for %s (NT_STATUS_ACCESS_DENIED)",
		    s->name, share, who);
		k = SMBERR_SHARE;
	} else if (works == 0 && s->kerberos) {
		err_set(msg, "%s: Kerberos log-on as %s failed: no ticket for the server, or it "
		    "was refused (klist shows the ticket cache) (NT_STATUS_LOGON_FAILURE)",
		    s->name, who);
	} else if (works == 0 && smbsrv_secret(s) == NULL) {
		err_set(msg, "%s: no password to log on as %s (none in an authfile, and none was "
		    "typed) (NT_STATUS_LOGON_FAILURE)", s->name, who);
	} else if (works == 0) {
		err_set(msg, "%s: logon failure as %s: unknown user name or bad password "
		    "(NT_STATUS_LOGON_FAILURE)", s->name, who);
	} else {
		err_set(msg, "%s: access denied connecting to %s as %s (NT_STATUS_LOGON_FAILURE or "
		    "NT_STATUS_ACCESS_DENIED)", s->name, share, who);
	}
	free(who);
	return k;
}

/* Whether the server negotiates a dialect below the server's minimum
 * (and *msg names both). */
static bool
connect_dialect(struct smbsrv *s, int timeout_ms, char **msg)
{
	int offered = s->proto == SMB_PROTO_NT1 ? -1 : smblib_offered_below(s, timeout_ms);
	if (offered < 0)
		return false;
	err_set(msg, "%s: the server offers only %s, below protocol = %s", s->name,
	    offered_words[offered], smb_proto_name(s->proto));
	return true;
}

enum smberr_kind
smberr_connect(struct smbsrv *s, int e, const char *share, int timeout_ms, char **msg)
{
	switch (e) {
	case EACCES:
	case EPERM:
		return connect_access(s, share, timeout_ms, msg);
	case ENOENT:
		err_set(msg, "%s: no share %s (NT_STATUS_BAD_NETWORK_NAME)", s->name, share);
		return SMBERR_SHARE;
	case EINVAL:
		if (connect_dialect(s, timeout_ms, msg))
			return SMBERR_DIALECT;
		err_set(msg, "%s: no dialect in common with %s port %d (protocol = %s; the "
		    "negotiation failed with EINVAL)", s->name, s->address, s->port,
		    smb_proto_name(s->proto));
		return SMBERR_DIALECT;
	case ECONNABORTED:
	case ECONNRESET:
	case EPIPE:
	case ENOTCONN:
	case EIO:
		/* A server that speaks only SMB1 hangs up on a negotiation
		 * offering SMB2 and up. */
		if (connect_dialect(s, timeout_ms, msg))
			return SMBERR_DIALECT;
		break;
	case ETIMEDOUT:
		err_set(msg, "%s: no answer from %s port %d within %d s (NT_STATUS_IO_TIMEOUT)",
		    s->name, s->address, s->port, (timeout_ms + 999) / 1000);
		return SMBERR_NET;
	default:
		break;
	}
	const struct errmap *m = errmap_find(e);
	if (m != NULL)
		err_set(msg, "%s: cannot connect to %s port %d (share %s): %s (%s)", s->name,
		    s->address, s->port, share, m->words, m->status);
	else
		err_set(msg, "%s: cannot connect to %s port %d (share %s): %s", s->name, s->address,
		    s->port, share, strerror(e));
	return SMBERR_NET;
}
