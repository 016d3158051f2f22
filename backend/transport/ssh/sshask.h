/*
 * The asker: passwords and passphrases are asked on a thread of their own
 * (sshask.c), so a person typing holds up only the host that asked.
 */
#ifndef DPD_SSHASK_H
#define DPD_SSHASK_H

#include <stdbool.h>
#include <stdint.h>

struct sshloop;
struct sshask;

/* Hand a question to the asker thread: NULL when there is nobody to ask. */
struct sshask *sshask_start(struct sshloop *l, const char *server, const char *prompt,
    bool echo);
/* 0 still waiting; 1 answered (*answer malloc'd, the caller wipes it) or
 * -1 cancelled, and either way the question is freed; *waited_ms is how
 * long the host waited. */
int sshask_take(struct sshloop *l, struct sshask *a, char **answer, int64_t *waited_ms);
/* The host no longer wants the answer (closed, failed, freed). */
void sshask_abandon(struct sshloop *l, struct sshask *a);
/* The asker thread (started by sshloop_new when there is an ask
 * function), and its end: it finishes the question being asked and
 * cancels the rest. */
void *sshask_main(void *arg);
void sshask_stop(struct sshloop *l);

#endif
