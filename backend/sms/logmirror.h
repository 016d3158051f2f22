/*
 * A local copy of a remote log, kept current with range reads (the
 * readfile op), so that everything which reads logs -- `dpdoctor log`, the
 * log view and its tail -- reads a local file whatever the transport.  A
 * sync asks only for the bytes past the local copy's end; a remote file
 * that got shorter, or whose first bytes changed (SMS renamed distmgr.log
 * to distmgr.lo_ and began a new one), is copied again from the start
 * into LOCAL.tmp and renamed over LOCAL, so a reader never sees half of a
 * restart and a tail sees a new file (another inode) and starts over.
 */
#ifndef DPD_LOGMIRROR_H
#define DPD_LOGMIRROR_H

#include "backend/sms/layout.h"
#include "backend/transport/transport.h"

/* Bring `local` up to the remote file `winpath` (a Windows path as ops
 * take it).  0 when only new bytes (or none) were appended, 1 when the
 * copy was (re)started from the beginning, -1 with *err naming the
 * remote path and why. */
int logmirror_sync(struct transport *t, const char *winpath, const char *local,
    const struct deadline *dl, char **err);

/* The same for winpath's rollover (".log" -> ".lo_") into local's: a
 * missing rollover is not an error, its local copy is removed then. */
int logmirror_sync_rolled(struct transport *t, const char *winpath, const char *local,
    const struct deadline *dl, char **err);

/* Where SERVER's distmgr.log lives, as an op names it: on the host the
 * transport reaches (t->host) by its drive ("D:\SMS\Logs\distmgr.log"),
 * any other server by its admin share ("\\DP\D$\SMS\..."), which the route
 * gives to the DP's own transport when it has one.  sms_path is the SMS
 * folder, as the server's layout gives it (no drive is assumed: NULL is
 * an error).  NULL with *err when that is no valid path. */
char *logmirror_remote_path(const struct transport *t, const char *server,
    const char *sms_path, char **err);

/* The cache folder, $XDG_CACHE_HOME/dpdoctor/logs (else
 * ~/.cache/dpdoctor/logs), created private (0700) when missing, and the
 * local copy's name in it: SERVER-distmgr.log.  NULL with *err. */
char *logmirror_local_path(const char *server, char **err);

/* All of the above for SERVER's distmgr.log: its .lo_ synced first when
 * the .log is new or was restarted, then the .log.  *local (malloc'd) is
 * the copy to read.  0, or -1 with *err naming the server and the path. */
int logmirror_fetch(struct transport *t, const char *server, const char *sms_path,
    const struct deadline *dl, char **local, char **err);

/* logmirror_fetch with the SMS folder from SERVER's layout (layout_get
 * through env: its [server] sms_path, SMS_Site, the registry or its
 * shares).  A server without SMS (a plain DP) has no distmgr.log: the
 * error says so and where its story is told (its site server's log); one
 * whose SMS folder could not be learned is told apart from it, with the
 * layout's reasons. */
int logmirror_fetch_env(const struct site_env *env, const struct snapshot *snap,
    const char *server, const struct deadline *dl, char **local, char **err);

#endif
