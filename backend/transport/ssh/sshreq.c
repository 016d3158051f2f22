/*
 * A request's life in the SSH engine, as every part of it sees it: a job
 * thread queues it for the engine thread and sleeps until it is done (or
 * the engine shuts down), the engine completes it under the lock and
 * wakes the caller.  Also here: what libssh2's codes and messages say
 * about a session, which the hosts and the SFTP steps both read.
 */
#include "autoconf.h"
#include "backend/transport/ssh/sshreq.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

void
sshreq_wake(struct sshloop *l)
{
	char c = 1;
	while (write(l->wake[1], &c, 1) < 0 && errno == EINTR)
		;
}

void
sshreq_complete(struct sshloop *l, struct sshreq *r, enum ssh_error kind, const char *fmt,
    ...)
{
	pthread_mutex_lock(&l->lock);
	if (!r->done) {
		r->kind = kind;
		if (fmt != NULL) {
			va_list ap;
			va_start(ap, fmt);
			r->err = xvasprintf(fmt, ap);
			va_end(ap);
		}
		r->done = true;
	}
	pthread_cond_broadcast(&l->done_cv);
	pthread_mutex_unlock(&l->lock);
}

static void
req_free(struct sshreq *r)
{
	free((char *)r->hc.name);
	free((char *)r->hc.address);
	free((char *)r->hc.user);
	free((char *)r->hc.identity);
	free((char *)r->hc.known_hosts);
	free(r->err);
	free(r->cmd);
	buf_free(&r->pending);
	free(r);
}

/* Hand what the engine has read to the result's sink, outside the lock
 * (the sink parses); called and returning with the lock held. */
static void
drain_pending(struct sshloop *l, struct sshreq *r)
{
	while (r->pending.len > 0) {
		struct buf got = r->pending;
		buf_init(&r->pending);
		pthread_mutex_unlock(&l->lock);
		r->res->sink(r->res->sink_arg, got.data, got.len);
		buf_free(&got);
		pthread_mutex_lock(&l->lock);
	}
}

int
sshreq_run(struct sshloop *l, const struct ssh_host *h, struct sshreq *r,
    const struct deadline *dl, enum ssh_error *kind, char **err)
{
	r->hc = (struct ssh_host){ xstrdup(h->name), h->address ? xstrdup(h->address) : NULL,
	    h->port, h->user ? xstrdup(h->user) : NULL,
	    h->identity ? xstrdup(h->identity) : NULL,
	    h->known_hosts ? xstrdup(h->known_hosts) : NULL, h->connect_timeout_ms,
	    h->no_compression };
	if (dl != NULL)
		r->dl = *dl;
	pthread_mutex_lock(&l->lock);
	if (l->stop) {
		pthread_mutex_unlock(&l->lock);
		req_free(r);
		if (kind != NULL)
			*kind = SSHE_CANCELLED;
		err_set(err, "%s: the SSH engine is shutting down", h->name);
		return -1;
	}
	r->next = l->incoming;
	l->incoming = r;
	pthread_mutex_unlock(&l->lock);
	sshreq_wake(l);
	pthread_mutex_lock(&l->lock);
	for (;;) {
		if (r->pending.len > 0)
			drain_pending(l, r);
		else if (r->done)
			break;
		else
			pthread_cond_wait(&l->done_cv, &l->lock);
	}
	pthread_mutex_unlock(&l->lock);
	int rc = r->kind == SSHE_NONE ? 0 : -1;
	if (kind != NULL)
		*kind = r->kind;
	if (rc != 0)
		err_set(err, "%s", r->err ? r->err : "ssh: failed");
	req_free(r);
	return rc;
}

void
sshreq_list_remove(struct sshreq **head, struct sshreq *r)
{
	while (*head != NULL && *head != r)
		head = &(*head)->next;
	if (*head == r)
		*head = r->next;
}

bool
sshreq_session_dead(int rc)
{
	return rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_SOCKET_RECV ||
	    rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_TIMEOUT ||
	    rc == LIBSSH2_ERROR_SOCKET_NONE || rc == LIBSSH2_ERROR_BAD_SOCKET;
}

const char *
sshreq_session_msg(LIBSSH2_SESSION *s)
{
	char *m = NULL;
	if (s == NULL || libssh2_session_last_error(s, &m, NULL, 0) == 0 || m == NULL)
		return "no details";
	return m;
}
