/*
 * One host's life in the SSH engine (sshhost.c): what the loop asks of
 * it.
 */
#ifndef DPD_SSHHOST_H
#define DPD_SSHHOST_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/transport/ssh/sshreq.h"

void sshhost_enqueue(struct sshhost *h, struct sshreq *r);
void sshhost_start(struct sshhost *h, int64_t now);
/* Drive the session and its channels; true when anything moved. */
bool sshhost_drive(struct sshhost *h, int64_t now);
/* Fail requests whose deadline passed or that were cancelled. */
void sshhost_expire(struct sshhost *h, int64_t now);
/* The poll events the session waits for. */
short sshhost_events(const struct sshhost *h);
/* The nearest time something must happen (deadline, keepalive, retry); 0 none. */
int64_t sshhost_next_event(const struct sshhost *h, int64_t now);
void sshhost_fail_all(struct sshhost *h, enum ssh_error kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Free the session and socket (requests on channels must be failed first). */
void sshhost_close(struct sshhost *h);

#endif
