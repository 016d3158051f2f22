/*
 * The SFTP requests' steps (sshsftp.c), as the host drives them.
 */
#ifndef DPD_SSHSFTP_INT_H
#define DPD_SSHSFTP_INT_H

#include "backend/transport/ssh/sshreq.h"
#include "backend/transport/ssh/sshsftp.h"

/* One step of an SFTP request, like a channel step: 1 moved, 0 waiting,
 * -1 finished (completed and removed from active), -2 the session is gone
 * (libssh2 code in *dead). */
int sshsftp_step(struct sshhost *h, struct sshreq *r, int *dead);
/* The request leaves before its end (deadline, cancel, failure). */
void sshsftp_abandon(struct sshhost *h, struct sshreq *r);
/* "sftp read E:\x", for messages. */
const char *sshsftp_what(const struct sshreq *r);
/* Shut down the host's SFTP channels (before its session goes);
 * sshsftp_reap makes progress on poisoned ones without waiting. */
void sshsftp_close(struct sshhost *h);
void sshsftp_reap(struct sshhost *h);

#endif
