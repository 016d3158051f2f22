/*
 * The asker: passwords and passphrases are asked on a thread of their
 * own, one question at a time in the order they came, so a person typing
 * holds up only the host that asked; every other host goes on connecting
 * and running commands.  A question is handed over under the loop's lock
 * and the answer wakes the engine.
 */
#include "autoconf.h"
#include "backend/transport/ssh/sshask.h"
#include "backend/transport/ssh/sshreq.h"

#include <stdlib.h>
#include <string.h>

/* A question for the administrator (a password, a key's passphrase),
 * asked on the asker thread so the engine goes on driving other hosts.
 * The host holds it while it waits; the asker answers under the loop's
 * lock and wakes the engine.  Who frees it: the host when it takes the
 * answer, or when it gives up on a question not being asked yet; the
 * asker when the host gave up while the person was being asked. */
enum sshask_state {
	ASK_QUEUED,
	ASK_ASKING,
	ASK_DONE,
};
struct sshask {
	struct sshask *next;         /* the asker's queue, under lock */
	char *server, *prompt;
	bool echo;
	int64_t since;               /* when the host began to wait */
	/* under lock: */
	enum sshask_state state;
	bool abandoned;
	int rc;
	char *answer;                /* wiped when freed */
};

static void
ask_free(struct sshask *a)
{
	if (a->answer != NULL)
		explicit_bzero(a->answer, strlen(a->answer));
	free(a->answer);
	free(a->server);
	free(a->prompt);
	free(a);
}

/* The next question to ask, or NULL when the engine stops.  Questions
 * still queued at the stop are answered "cancelled" without asking. */
static struct sshask *
asker_next(struct sshloop *l)
{
	pthread_mutex_lock(&l->lock);
	while (l->asks == NULL && !l->ask_stop)
		pthread_cond_wait(&l->ask_cv, &l->lock);
	struct sshask *a = l->asks;
	if (a != NULL) {
		l->asks = a->next;
		a->next = NULL;
		a->state = ASK_ASKING;
	}
	if (l->ask_stop && a != NULL) {
		a->rc = -1;
		a->state = ASK_DONE;
		bool gone = a->abandoned;
		pthread_mutex_unlock(&l->lock);
		if (gone)
			ask_free(a);
		return asker_next(l);
	}
	pthread_mutex_unlock(&l->lock);
	return a;
}
void *
sshask_main(void *arg)
{
	struct sshloop *l = arg;
	struct sshask *a;
	while ((a = asker_next(l)) != NULL) {
		char *answer = NULL;
		/* Unlocked: the person may take minutes. */
		int rc = l->cfg.ask(l->cfg.ask_ctx, a->server, a->prompt, a->echo, &answer);
		if (rc != 0 && answer != NULL) {
			explicit_bzero(answer, strlen(answer));
			free(answer);
			answer = NULL;
		}
		pthread_mutex_lock(&l->lock);
		a->rc = rc == 0 && answer != NULL ? 0 : -1;
		a->answer = answer;
		a->state = ASK_DONE;
		bool gone = a->abandoned;
		pthread_mutex_unlock(&l->lock);
		if (gone)
			ask_free(a);   /* wipes the answer nobody wants any more */
		else
			sshreq_wake(l);
	}
	return NULL;
}

struct sshask *
sshask_start(struct sshloop *l, const char *server, const char *prompt, bool echo)
{
	if (l->cfg.ask == NULL || !l->asker_started)
		return NULL;
	struct sshask *a = xcalloc(1, sizeof *a);
	a->server = xstrdup(server);
	a->prompt = xstrdup(prompt);
	a->echo = echo;
	a->since = clock_mono_ms();
	a->state = ASK_QUEUED;
	pthread_mutex_lock(&l->lock);
	struct sshask **tail = &l->asks;
	while (*tail != NULL)
		tail = &(*tail)->next;
	*tail = a;
	pthread_cond_signal(&l->ask_cv);
	pthread_mutex_unlock(&l->lock);
	return a;
}

int
sshask_take(struct sshloop *l, struct sshask *a, char **answer, int64_t *waited_ms)
{
	pthread_mutex_lock(&l->lock);
	bool done = a->state == ASK_DONE;
	pthread_mutex_unlock(&l->lock);
	if (!done)
		return 0;
	/* Done: the asker no longer touches it. */
	*waited_ms = clock_mono_ms() - a->since;
	int rc = a->rc == 0 ? 1 : -1;
	*answer = rc == 1 ? a->answer : NULL;
	a->answer = NULL;
	ask_free(a);
	return rc;
}

void
sshask_abandon(struct sshloop *l, struct sshask *a)
{
	pthread_mutex_lock(&l->lock);
	bool mine = a->state != ASK_ASKING;
	if (a->state == ASK_QUEUED) {
		struct sshask **p = &l->asks;
		while (*p != NULL && *p != a)
			p = &(*p)->next;
		if (*p == a)
			*p = a->next;
	}
	a->abandoned = true;
	pthread_mutex_unlock(&l->lock);
	if (mine)
		ask_free(a);
}

/* Stop the asker: it finishes the question being asked (the ask function
 * must return when its UI goes, as it always had to) and cancels the
 * rest. */
void
sshask_stop(struct sshloop *l)
{
	if (!l->asker_started)
		return;
	pthread_mutex_lock(&l->lock);
	l->ask_stop = true;
	pthread_cond_signal(&l->ask_cv);
	pthread_mutex_unlock(&l->lock);
	pthread_join(l->asker, NULL);
	l->asker_started = false;
}
