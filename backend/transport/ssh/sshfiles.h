/*
 * The file ops the SSH transport answers over SFTP (sshfiles.c), for
 * transport_ssh.c only.
 */
#ifndef DPD_SSHFILES_H
#define DPD_SSHFILES_H

#include "backend/transport/ssh/sshloop.h"

struct sshfiles;

/* How the transport runs a script as PowerShell (for the paths and ops
 * SFTP cannot answer). */
typedef int (*sshfiles_ps_fn)(struct transport *t, const char *script,
    struct script_result *res, const struct deadline *dl, char **err);

/* host must outlive the result (its strings are shared); sftp_port 0 =
 * the host's own port. */
struct sshfiles *sshfiles_new(struct sshloop *l, const struct ssh_host *host, int sftp_port);
void sshfiles_free(struct sshfiles *f);

/* Answer the script over SFTP when it is an op on the host's own files:
 * 0 done (res filled as the PowerShell would have), -1 failed (*err, as
 * the PowerShell run words its failures), 1 not for SFTP (go as
 * PowerShell; also while SFTP is found missing on the server). */
int sshfiles_try(struct sshfiles *f, struct transport *t, sshfiles_ps_fn ps,
    const char *script, struct script_result *res, const struct deadline *dl, char **err);

#endif
