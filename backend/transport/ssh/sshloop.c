/*
 * The SSH engine's loop.  Job threads queue commands (sshloop_exec) and
 * sleep on a condition variable; the engine thread attaches each command to
 * its host, opens the host's session when needed (TCP connect, handshake,
 * host key check, authentication, each step non-blocking with one deadline
 * for the lot), runs the command on its own channel and completes it.  After
 * every wake-up every host and channel is driven until libssh2 says EAGAIN,
 * because one socket carries all of a host's channels and reading for one
 * can queue data for another (transports.md §1.2).  Deadlines and cancel
 * flags are enforced here, so a caller never waits past its deadline for a
 * stuck server.  The loop is the top of the engine: what each host and
 * command goes through is in sshhost.c, file operations over SFTP in
 * sshsftp.c, the asker (passwords and passphrases asked on a thread of
 * their own, so a person typing holds up only the host that asked) in
 * sshask.c, and queuing and completing a request in sshreq.c.
 */
#include "autoconf.h"
#include "backend/transport/ssh/sshloop.h"
#include "backend/transport/ssh/sshask.h"
#include "backend/transport/ssh/sshhost.h"
#include "backend/transport/ssh/sshreq.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int
sshloop_global_init(void)
{
	return libssh2_init(0) == 0 ? 0 : -1;
}

/* ---- hosts ------------------------------------------------------------------ */

static char *
dup_or(const char *s, const char *dflt)
{
	return xstrdup(s != NULL && *s ? s : dflt);
}

/* The host a request names, created on first use: one per server and
 * port, since SFTP may be served on a port of its own (a session cannot
 * span two).  Only the engine thread changes the list, and only under
 * l->lock, so other threads may read it under the lock and the engine may
 * read it without. */
static struct sshhost *
host_get(struct sshloop *l, const struct ssh_host *h)
{
	int port = h->port > 0 ? h->port : 22;
	for (struct sshhost *x = l->hosts; x != NULL; x = x->next)
		if (strcasecmp(x->name, h->name) == 0 && x->port == port)
			return x;
	struct sshhost *x = xcalloc(1, sizeof *x);
	const char *user = getenv("USER");
	x->name = xstrdup(h->name);
	x->address = dup_or(h->address, h->name);
	x->port = port;
	x->user = dup_or(h->user, user ? user : "root");
	x->identity = h->identity && *h->identity ? xstrdup(h->identity) : NULL;
	x->known_hosts = h->known_hosts && *h->known_hosts ? xstrdup(h->known_hosts) : NULL;
	x->connect_ms = h->connect_timeout_ms > 0 ? h->connect_timeout_ms : 10000;
	x->compress = !h->no_compression;
	x->fd = -1;
	x->login_kind = -1;
	x->loop = l;
	x->next = l->hosts;
	l->hosts = x;
	return x;
}

static void
host_free(struct sshhost *h)
{
	sshhost_close(h);
	free(h->name);
	free(h->address);
	free(h->user);
	free(h->identity);
	free(h->known_hosts);
	free(h->err);
	free(h->pending_key);
	free(h);
}

/* ---- public -------------------------------------------------------------------- */

static void *loop_main(void *arg);
static void
loop_destroy(struct sshloop *l)
{
	close(l->wake[0]);
	close(l->wake[1]);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->done_cv);
	pthread_cond_destroy(&l->ask_cv);
	free(l);
}

struct sshloop *
sshloop_new(const struct sshloop_config *c, char **err)
{
	struct sshloop *l = xcalloc(1, sizeof *l);
	l->cfg = *c;
	if (l->cfg.max_parallel <= 0)
		l->cfg.max_parallel = 16;
	if (l->cfg.keepalive_s <= 0)
		l->cfg.keepalive_s = 15;
	if (pipe(l->wake) != 0) {
		err_set(err, "ssh: cannot make the wake-up pipe: %s", strerror(errno));
		free(l);
		return NULL;
	}
	for (int i = 0; i < 2; i++)
		(void)fcntl(l->wake[i], F_SETFL, fcntl(l->wake[i], F_GETFL) | O_NONBLOCK);
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->done_cv, NULL);
	pthread_cond_init(&l->ask_cv, NULL);
	if (l->cfg.ask != NULL) {
		if (pthread_create(&l->asker, NULL, sshask_main, l) != 0) {
			err_set(err, "ssh: cannot start the thread that asks for passwords");
			loop_destroy(l);
			return NULL;
		}
		l->asker_started = true;
	}
	if (pthread_create(&l->thread, NULL, loop_main, l) != 0) {
		err_set(err, "ssh: cannot start the engine thread");
		sshask_stop(l);
		loop_destroy(l);
		return NULL;
	}
	return l;
}

void
sshloop_free(struct sshloop *l)
{
	if (l == NULL)
		return;
	pthread_mutex_lock(&l->lock);
	l->stop = true;
	pthread_mutex_unlock(&l->lock);
	sshreq_wake(l);
	pthread_join(l->thread, NULL);
	/* Hosts first: each gives up its question, so the asker frees the
	 * one it is asking and the queue empties. */
	while (l->hosts != NULL) {
		struct sshhost *h = l->hosts;
		l->hosts = h->next;
		host_free(h);
	}
	sshask_stop(l);
	loop_destroy(l);
}

int
sshloop_exec(struct sshloop *l, const struct ssh_host *h, const char *cmd,
    const char *in, size_t inlen, struct script_result *res, const struct deadline *dl,
    enum ssh_error *kind, char **err)
{
	struct sshreq *r = xcalloc(1, sizeof *r);
	r->type = RK_EXEC;
	r->cmd = xstrdup(cmd);
	r->in = in;
	r->inlen = in ? inlen : 0;
	r->res = res;
	return sshreq_run(l, h, r, dl, kind, err);
}

int
sshloop_login_kind(struct sshloop *l, const struct ssh_host *h)
{
	int port = h->port > 0 ? h->port : 22, kind = -1;
	pthread_mutex_lock(&l->lock);
	for (const struct sshhost *x = l->hosts; x != NULL; x = x->next)
		if (strcasecmp(x->name, h->name) == 0 && x->port == port)
			kind = x->login_kind;
	pthread_mutex_unlock(&l->lock);
	return kind;
}

static void
hostkey_fill(struct sshloop_hostkey *k, const struct sshhost *h)
{
	k->server = xstrdup(h->name);
	k->address = xstrdup(h->address);
	k->port = h->port;
	k->type = xstrdup(h->pending_type_name);
	k->fingerprint = xstrdup(h->pending_fp);
	k->known_hosts = h->known_hosts ? xstrdup(h->known_hosts) : sshkh_default_path();
}

int
sshloop_pending_host_keys(struct sshloop *l, struct sshloop_hostkey **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	pthread_mutex_lock(&l->lock);
	size_t count = 0;
	for (const struct sshhost *h = l->hosts; h != NULL; h = h->next)
		count += h->pending_key != NULL;
	if (count > 0) {
		*v = xcalloc(count, sizeof **v);
		/* The host list is newest first: list the oldest first. */
		size_t i = count;
		for (const struct sshhost *h = l->hosts; h != NULL; h = h->next)
			if (h->pending_key != NULL)
				hostkey_fill(&(*v)[--i], h);
		*n = count;
	}
	pthread_mutex_unlock(&l->lock);
	return count > 0 ? 0 : -1;
}

void
sshloop_hostkey_clear(struct sshloop_hostkey *h)
{
	free(h->server);
	free(h->address);
	free(h->type);
	free(h->fingerprint);
	free(h->known_hosts);
	*h = (struct sshloop_hostkey){0};
}

void
sshloop_hostkeys_free(struct sshloop_hostkey *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		sshloop_hostkey_clear(&v[i]);
	free(v);
}

int
sshloop_changed_host_key(struct sshloop *l, char **server, char **message)
{
	int rc = -1;
	pthread_mutex_lock(&l->lock);
	for (struct sshhost *h = l->hosts; h != NULL && rc != 0; h = h->next)
		if (h->failed && h->err_kind == SSHE_HOSTKEY_CHANGED && h->err != NULL) {
			*server = xstrdup(h->name);
			*message = xstrdup(h->err);
			rc = 0;
		}
	pthread_mutex_unlock(&l->lock);
	return rc;
}

/* The waiting host named server (on port, 0 = any) whose key has the
 * fingerprint fp (NULL = any). */
static struct sshhost *
pending_host(struct sshloop *l, const char *server, int port, const char *fp)
{
	for (struct sshhost *h = l->hosts; h != NULL; h = h->next)
		if (h->pending_key != NULL && strcasecmp(h->name, server) == 0 &&
		    (port == 0 || h->port == port) && (fp == NULL || strcmp(h->pending_fp, fp) == 0))
			return h;
	return NULL;
}

/* Write the waiting key of server (port 0 = any; fp NULL = any) to its
 * known_hosts and let the host connect again.  The file is written with
 * the lock released (a flock and an fsync must not stall the engine or
 * the UI); the host is let go only if that very key still waits. */
static int
accept_one(struct sshloop *l, const char *server, int port, const char *fp, char **err)
{
	pthread_mutex_lock(&l->lock);
	struct sshhost *h = pending_host(l, server, port, fp);
	if (h == NULL) {
		pthread_mutex_unlock(&l->lock);
		if (fp == NULL)
			err_set(err, "%s: no host key is waiting to be accepted", server);
		else
			err_set(err, "%s: the host key %s is no longer waiting to be accepted",
			    server, fp);
		return -1;
	}
	char *path = h->known_hosts ? xstrdup(h->known_hosts) : sshkh_default_path();
	char *address = xstrdup(h->address), *key = xmalloc(h->pending_len);
	char *shown = xstrdup(h->pending_fp);
	int hport = h->port, type = h->pending_type;
	size_t len = h->pending_len;
	memcpy(key, h->pending_key, len);
	pthread_mutex_unlock(&l->lock);

	int rc = sshkh_append(path, address, hport, key, len, type, err);
	if (rc == 0) {
		pthread_mutex_lock(&l->lock);
		if ((h = pending_host(l, server, hport, shown)) != NULL) {
			free(h->pending_key);
			h->pending_key = NULL;
			h->failed = false;
			h->retry_at = 0;
		}
		pthread_mutex_unlock(&l->lock);
	}
	free(path);
	free(address);
	free(key);
	free(shown);
	return rc;
}

int
sshloop_accept_host_key(struct sshloop *l, const char *server, char **err)
{
	/* The server may have two sessions (ssh and SFTP ports): the one
	 * whose key waits is meant. */
	int rc = accept_one(l, server, 0, NULL, err);
	sshreq_wake(l);
	return rc;
}

int
sshloop_accept_host_keys(struct sshloop *l, const struct sshloop_hostkey *v, size_t n,
    char **err)
{
	int rc = 0;
	/* Only the very key the administrator was shown. */
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = accept_one(l, v[i].server, v[i].port, v[i].fingerprint, err);
	sshreq_wake(l);
	return rc;
}

void
sshloop_stats(struct sshloop *l, struct sshloop_stats *out)
{
	pthread_mutex_lock(&l->lock);
	*out = l->stats;
	pthread_mutex_unlock(&l->lock);
}

/* ---- the loop ---------------------------------------------------------------- */

/* Give new requests to their hosts (in arrival order). */
static bool
loop_take(struct sshloop *l)
{
	pthread_mutex_lock(&l->lock);
	struct sshreq *in = l->incoming;
	l->incoming = NULL;
	bool stop = l->stop;
	struct sshreq *rev = NULL;
	while (in != NULL) {
		struct sshreq *n = in->next;
		in->next = rev;
		in->host = host_get(l, &in->hc);
		rev = in;
		in = n;
	}
	pthread_mutex_unlock(&l->lock);
	while (rev != NULL) {
		struct sshreq *r = rev;
		rev = r->next;
		r->next = NULL;
		sshhost_enqueue(r->host, r);
	}
	return stop;
}

static int
loop_open_hosts(const struct sshloop *l)
{
	int n = 0;
	for (const struct sshhost *h = l->hosts; h != NULL; h = h->next)
		n += h->session != NULL || h->fd >= 0;
	return n;
}

/* Hosts with work start connecting while there is room; an idle open host
 * makes room when another one needs it. */
static void
loop_schedule(struct sshloop *l, int64_t now)
{
	for (struct sshhost *h = l->hosts; h != NULL; h = h->next) {
		if (h->queue == NULL || h->session != NULL || h->fd >= 0)
			continue;
		if (loop_open_hosts(l) >= l->cfg.max_parallel) {
			struct sshhost *idle = NULL;
			for (struct sshhost *x = l->hosts; x != NULL; x = x->next)
				if (x->ready && x->queue == NULL && x->active == NULL &&
				    (idle == NULL || x->last_used < idle->last_used))
					idle = x;
			if (idle == NULL)
				return;
			sshhost_close(idle);
		}
		sshhost_start(h, now);
	}
	int open = loop_open_hosts(l);
	if ((unsigned long)open > l->stats.max_hosts)
		l->stats.max_hosts = (unsigned long)open;
}

/* Run every host and channel until nothing moves without new input. */
static void
loop_drive(struct sshloop *l, int64_t now)
{
	for (int round = 0; round < 64; round++) {
		bool moved = false;
		for (struct sshhost *h = l->hosts; h != NULL; h = h->next)
			moved |= sshhost_drive(h, now);
		if (!moved)
			break;
	}
}

static int
loop_timeout(const struct sshloop *l, int64_t now)
{
	int64_t next = now + 1000;
	for (const struct sshhost *h = l->hosts; h != NULL; h = h->next) {
		int64_t t = sshhost_next_event(h, now);
		if (t > 0 && t < next)
			next = t;
	}
	return next <= now ? 0 : (int)(next - now);
}

static void
loop_poll(struct sshloop *l, int timeout)
{
	size_t n = 1;
	/* A host waiting for the administrator's answer reads nothing, so its
	 * socket is left out: a server that hangs up meanwhile would make
	 * poll() return at once, over and over.  The answer wakes the pipe. */
	for (struct sshhost *h = l->hosts; h != NULL; h = h->next)
		n += h->fd >= 0 && h->ask == NULL;
	struct pollfd *p = xcalloc(n, sizeof *p);
	struct sshhost **who = xcalloc(n, sizeof *who);
	p[0] = (struct pollfd){ .fd = l->wake[0], .events = POLLIN };
	size_t k = 1;
	for (struct sshhost *h = l->hosts; h != NULL; h = h->next)
		if (h->fd >= 0 && h->ask == NULL) {
			who[k] = h;
			p[k++] = (struct pollfd){ .fd = h->fd, .events = sshhost_events(h) };
		}
	(void)poll(p, n, timeout);
	if (p[0].revents & POLLIN) {
		char buf[64];
		while (read(l->wake[0], buf, sizeof buf) > 0)
			;
	}
	for (size_t i = 1; i < n; i++)
		who[i]->revents = p[i].revents;
	free(who);
	free(p);
}

static void
loop_shutdown(struct sshloop *l)
{
	for (struct sshhost *h = l->hosts; h != NULL; h = h->next) {
		sshhost_fail_all(h, SSHE_CANCELLED, "%s: dpdoctor is closing its SSH sessions",
		    h->name);
		sshhost_close(h);
	}
	/* Requests that arrived after the last take. */
	pthread_mutex_lock(&l->lock);
	struct sshreq *in = l->incoming;
	l->incoming = NULL;
	pthread_mutex_unlock(&l->lock);
	while (in != NULL) {
		struct sshreq *n = in->next;
		sshreq_complete(l, in, SSHE_CANCELLED, "%s: dpdoctor is closing its SSH sessions",
		    in->hc.name);
		in = n;
	}
}

static void *
loop_main(void *arg)
{
	struct sshloop *l = arg;
	for (;;) {
		bool stop = loop_take(l);
		if (stop)
			break;
		int64_t now = clock_mono_ms();
		for (struct sshhost *h = l->hosts; h != NULL; h = h->next)
			sshhost_expire(h, now);
		loop_schedule(l, now);
		loop_drive(l, now);
		loop_poll(l, loop_timeout(l, clock_mono_ms()));
	}
	loop_shutdown(l);
	return NULL;
}
