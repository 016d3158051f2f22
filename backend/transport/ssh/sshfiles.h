/*
 * The file ops the SSH transport answers over SFTP (sshfiles.c), for
 * transport_ssh.c only.
 */
#ifndef DPD_SSHFILES_H
#define DPD_SSHFILES_H

#include "backend/transport/ssh/sshloop.h"

struct sshfiles;

/* host must outlive the result (its strings are shared); sftp_port 0 =
 * the host's own port. */
struct sshfiles *sshfiles_new(struct sshloop *l, const struct ssh_host *host, int sftp_port);
void sshfiles_free(struct sshfiles *f);

/* Answer op over SFTP when it is an op on the host's own files, giving
 * fn the records the PowerShell would give; ps is how the transport asks
 * as PowerShell (for the paths of a pathinfo SFTP cannot answer).  As a
 * transport's call returns (0, TRANSPORT_EFAIL worded as the PowerShell
 * run words its failures, TRANSPORT_EREPLY), or 1: not for SFTP, go as
 * PowerShell (also while SFTP is found missing on the server). */
int sshfiles_answer(struct sshfiles *f, struct transport *t, transport_call_fn ps,
    const struct op *op, proto_record_fn fn, void *arg, const struct deadline *dl, char **err);

#endif
