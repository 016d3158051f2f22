/*
 * Files over SFTP on the engine's sessions (sshsftp.c): the calls job
 * threads make, published through sshloop.h.
 */
#ifndef DPD_SSHSFTP_H
#define DPD_SSHSFTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/transport/files/files.h"
#include "backend/transport/ssh/sshtypes.h"
#include "backend/core/util.h"

/*
 * Files over SFTP, on the host's own session (one SFTP channel per host,
 * opened when first needed).  Paths are Windows drive paths, E:\dir\file;
 * anything else (UNC, relative, "..") is refused before anything is sent.
 * Each call blocks like sshloop_exec and fails with "SERVER: sftp OP PATH:
 * what failed" (the file missing reads "no such file") and *kind (may be
 * NULL): SSHE_PROTOCOL for the server's answer about the file (and a path
 * refused here), SSHE_NO_SFTP when the session would not start SFTP, else
 * what failed the connection as for sshloop_exec.  A stat and a listing
 * answer in files/files.h's types (SFTP cannot see the archive bit: it
 * stays false; read-only is the missing owner write bit, as Win32-OpenSSH
 * shows FILE_ATTRIBUTE_READONLY).
 */


/* A missing file is not an error: st->exists is false. */
int sshloop_sftp_stat(struct sshloop *l, const struct ssh_host *h, const char *winpath,
    struct files_stat *st, const struct deadline *dl, enum ssh_error *kind,
    char **err);
/* Append bytes [off, off+len) of the file to out (fewer at its end);
 * len UINT64_MAX reads to the end. */
int sshloop_sftp_read(struct sshloop *l, const struct ssh_host *h, const char *winpath,
    uint64_t off, uint64_t len, struct buf *out, const struct deadline *dl,
    enum ssh_error *kind, char **err);
/* The entries of windir whose names match pattern (Windows wildcards * and
 * ?, any case; NULL = all), without . and .., in the server's order. */
int sshloop_sftp_list(struct sshloop *l, const struct ssh_host *h, const char *windir,
    const char *pattern, struct files_dir *out, const struct deadline *dl,
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

#endif
