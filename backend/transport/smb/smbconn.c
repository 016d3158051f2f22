/*
 * The SMB engine's servers and their workers (smbconn.h).  Every server
 * has a thread that alone uses its libsmbclient context, started on the
 * first call.  A job thread builds a job (the run function and its own
 * copies of everything it needs), queues it on the server and waits on
 * the engine's condition variable until it is done, its deadline passes
 * or it is cancelled; then it leaves.  A job left while queued is taken
 * off the queue; one left while running is abandoned: the worker finishes
 * the libsmbclient call it is in (each bounded by the connection's
 * timeout), frees the job and throws the context away, so the next call
 * connects afresh.  Before a job runs, the worker waits out its server's
 * back-off (1 s after a failed connection, doubling to 30 s, as the SSH
 * engine; 5 min after a log-on failure with a configured password, to
 * spare the account's lockout count), asks for a password when there is
 * none, and takes one of max_parallel connection slots, closing the
 * least recently used idle server's context when all are taken.
 */
#include "autoconf.h"
#include "backend/transport/smb/smbconn_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 30000
#define BACKOFF_LOGON_MS (5 * 60 * 1000)
#define WAIT_SLICE_MS 100

/* ---- jobs ------------------------------------------------------------------------ */

struct smbjob *
smbjob_new(smbjob_fn run, void *data, void (*data_free)(void *), const char *verb, char *unc,
    char *unc2)
{
	struct smbjob *j = xcalloc(1, sizeof *j);
	j->run = run;
	j->data = data;
	j->data_free = data_free;
	j->verb = verb;
	j->unc = unc;
	j->unc2 = unc2;
	j->refs = 1;
	j->rc = FILES_FAILED;
	return j;
}

static void
job_free(struct smbjob *j)
{
	if (j->data_free != NULL)
		j->data_free(j->data);
	free(j->unc);
	free(j->unc2);
	free(j->msg);
	free(j);
}

/* Under the engine lock when the job was ever queued. */
static bool
job_drop(struct smbjob *j)
{
	return --j->refs == 0;
}

void
smbjob_unref(struct smbjob *j)
{
	if (j == NULL)
		return;
	bool last;
	if (j->srv != NULL) {
		pthread_mutex_lock(&j->srv->e->lock);
		last = job_drop(j);
		pthread_mutex_unlock(&j->srv->e->lock);
	} else {
		last = job_drop(j);
	}
	if (last)
		job_free(j);
}

bool
smbjob_go_on(struct smbjob *j)
{
	struct smbeng *e = j->srv->e;
	pthread_mutex_lock(&e->lock);
	bool go = !j->abandoned && !e->stop;
	pthread_mutex_unlock(&e->lock);
	return go;
}

void
smbjob_ok(struct smbjob *j)
{
	j->rc = FILES_OK;
	free(j->msg);
	j->msg = NULL;
}

static void
job_set(struct smbjob *j, int rc, const char *fmt, va_list ap)
{
	free(j->msg);
	char *what = xvasprintf(fmt, ap);
	j->msg = xasprintf("%s: %s", j->srv->name, what);
	free(what);
	j->rc = rc;
}

void
smbjob_refuse(struct smbjob *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	job_set(j, FILES_REFUSED, fmt, ap);
	va_end(ap);
}

void
smbjob_failed(struct smbjob *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	job_set(j, FILES_FAILED, fmt, ap);
	va_end(ap);
}

void
smbjob_errno(struct smbjob *j, int e)
{
	struct smbsrv *s = j->srv;
	if (e == 0)
		e = EIO;
	if (smblib_connecting(s)) {
		/* Worded after the call: telling a log-on failure from a
		 * refused share, or naming the dialect a server offers, takes
		 * another connection, which must wait until this call has
		 * left the dialect gate. */
		j->conn_errno = e;
		j->rc = FILES_FAILED;
		return;
	}
	free(j->msg);
	j->msg = NULL;
	j->rc = smberr_op(s, e, j->verb, j->unc, j->unc2, &j->msg);
	if (smberr_dead(e))
		j->dead = true;
}

/* Escape one path component as libsmbclient's URL decoding undoes it
 * (libsmb_path.c urldecode_talloc): everything but unreserved ASCII as
 * %XX of its UTF-8 bytes, so a space, '%', '#', '?' (the URL's options)
 * and '@' travel as data. */
static void
url_component(struct buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			buf_addc(b, (char)c);
		} else {
			buf_addc(b, '%');
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
}

char *
smbjob_url(const struct smbjob *j, const char *unc)
{
	const struct smbsrv *s = j->srv;
	if (unc == NULL || unc[0] != '\\' || unc[1] != '\\')
		return NULL;
	const char *p = unc + 2;
	p += strcspn(p, "\\");
	if (*p != '\\' || s->url_host == NULL)
		return NULL;
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "smb://%s:%d", s->url_host, s->port);
	while (*p == '\\' && p[1] != '\0') {
		p++;
		size_t n = strcspn(p, "\\");
		buf_addc(&b, '/');
		url_component(&b, p, n);
		p += n;
	}
	/* A share's root is the share with a slash. */
	if (strchr(b.data + 6, '/') == strrchr(b.data + 6, '/'))
		buf_addc(&b, '/');
	return buf_detach(&b);
}

/* ---- slots and back-off ----------------------------------------------------------- */

static void
slot_give(struct smbsrv *s)
{
	struct smbeng *e = s->e;
	pthread_mutex_lock(&e->lock);
	if (s->has_slot) {
		s->has_slot = false;
		e->open--;
		pthread_cond_broadcast(&e->slot_cv);
	}
	pthread_mutex_unlock(&e->lock);
}

/* An idle connected server, least recently used first, asked to close. */
static void
slot_evict(struct smbeng *e)
{
	struct smbsrv *idle = NULL;
	for (struct smbsrv *x = e->servers; x != NULL; x = x->next)
		if (x->has_slot && x->running == NULL && x->queue == NULL && !x->close_req &&
		    (idle == NULL || x->last_used < idle->last_used))
			idle = x;
	if (idle != NULL) {
		idle->close_req = true;
		pthread_cond_signal(&idle->cv);
	}
}

/* 0 with a slot, -1 when the job was left meanwhile.  Engine lock held. */
static int
slot_take(struct smbsrv *s, struct smbjob *j)
{
	struct smbeng *e = s->e;
	while (!s->has_slot && e->open >= e->max_parallel) {
		if (j->abandoned || e->stop)
			return -1;
		slot_evict(e);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += WAIT_SLICE_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&e->slot_cv, &e->lock, &ts);
	}
	if (!s->has_slot) {
		s->has_slot = true;
		e->open++;
		if ((unsigned long)e->open > e->stats.max_open)
			e->stats.max_open = (unsigned long)e->open;
	}
	return 0;
}

/* After a connection failed: the message kept, the next try put off. */
static void
backoff(struct smbsrv *s, const char *msg, int64_t ms)
{
	struct smbeng *e = s->e;
	pthread_mutex_lock(&e->lock);
	if (ms == 0) {
		s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : BACKOFF_FIRST_MS;
		if (s->backoff_ms > BACKOFF_MAX_MS)
			s->backoff_ms = BACKOFF_MAX_MS;
		ms = s->backoff_ms;
	}
	s->retry_at = clock_mono_ms() + ms;
	free(s->last_err);
	s->last_err = xstrdup(msg);
	pthread_mutex_unlock(&e->lock);
}

static void
backoff_reset(struct smbsrv *s)
{
	struct smbeng *e = s->e;
	pthread_mutex_lock(&e->lock);
	s->backoff_ms = 0;
	s->retry_at = 0;
	free(s->last_err);
	s->last_err = NULL;
	pthread_mutex_unlock(&e->lock);
}

/* ---- the worker ------------------------------------------------------------------- */

/* The host part of the server's URLs: its IPv4 address (libsmbclient's
 * own name lookup is not safe between threads, and its URLs cannot hold
 * an IPv6 literal); the name itself for Kerberos, whose tickets name it. */
static int
resolve(struct smbsrv *s, char **err)
{
	if (s->url_host != NULL)
		return 0;
	if (s->kerberos) {
		s->url_host = xstrdup(s->address);
		return 0;
	}
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai;
	int gai = getaddrinfo(s->address, NULL, &hints, &ai);
	if (gai != 0) {
		err_set(err, "cannot resolve %s: %s", s->address, gai_strerror(gai));
		return -1;
	}
	char ip[INET_ADDRSTRLEN];
	const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)ai->ai_addr;
	inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip);
	freeaddrinfo(ai);
	s->url_host = xstrdup(ip);
	return 0;
}

/* Wait out the back-off; false when the job was left meanwhile. */
static bool
wait_backoff(struct smbsrv *s, struct smbjob *j)
{
	struct smbeng *e = s->e;
	pthread_mutex_lock(&e->lock);
	while (!j->abandoned && !e->stop && s->retry_at > clock_mono_ms()) {
		int64_t left = s->retry_at - clock_mono_ms();
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t ns = ts.tv_nsec + (left < WAIT_SLICE_MS ? left : WAIT_SLICE_MS) * 1000000L;
		ts.tv_sec += ns / 1000000000L;
		ts.tv_nsec = ns % 1000000000L;
		pthread_cond_timedwait(&s->cv, &e->lock, &ts);
	}
	bool go = !j->abandoned && !e->stop;
	pthread_mutex_unlock(&e->lock);
	return go;
}

/* The job ran into a failure while connecting: worded, and the server
 * backs off (a typed password that failed is forgotten instead). */
static void
connect_failed(struct smbsrv *s, struct smbjob *j, int timeout_ms)
{
	const char *share = j->unc != NULL ? j->unc + 2 + strcspn(j->unc + 2, "\\") : "";
	char *sh = xstrndup(share + (*share == '\\'), strcspn(share + (*share == '\\'), "\\"));
	free(j->msg);
	j->msg = NULL;
	enum smberr_kind k = smberr_connect(s, j->conn_errno, sh, timeout_ms, &j->msg);
	free(sh);
	j->rc = FILES_FAILED;
	j->dead = true;
	/* A typed password that failed is forgotten, to be asked for again
	 * after the back-off: the calls meanwhile (the rest of one look at
	 * the DP) fail at once instead of each asking again. */
	bool typed = k == SMBERR_LOGON && s->password == NULL && !s->kerberos;
	if (typed)
		smbsrv_forget_asked(s);
	backoff(s, j->msg, k == SMBERR_LOGON && !typed ? BACKOFF_LOGON_MS : 0);
}

/* One job on the worker, with its server's context. */
static void
worker_job(struct smbsrv *s, struct smbjob *j)
{
	struct smbeng *e = s->e;
	if (!wait_backoff(s, j))
		return;
	smbsrv_ask(s, j);
	pthread_mutex_lock(&e->lock);
	int slot = slot_take(s, j);
	pthread_mutex_unlock(&e->lock);
	if (slot != 0)
		return;
	char *err = NULL;
	smblib_enter();
	if (s->ctx == NULL && (resolve(s, &err) != 0 || smblib_context(s, &err) == NULL)) {
		smblib_leave();
		smbjob_failed(j, "%s", err);
		backoff(s, j->msg, 0);
		free(err);
		return;
	}
	int64_t left = j->deadline ? j->deadline + j->asked_ms - clock_mono_ms() : s->connect_ms;
	int timeout = left < s->connect_ms ? (int)(left > 0 ? left : 0) : s->connect_ms;
	smblib_call_begin(s, timeout);
	j->run(j, s->ctx);
	bool shortened = smblib_call_end(s);
	if (j->conn_errno != 0)
		connect_failed(s, j, timeout < 1000 ? 1000 : timeout);
	else if (j->rc != FILES_FAILED)
		backoff_reset(s);
	/* A connection made with less than connect_timeout keeps that
	 * timeout for life (libsmbclient reads it only when connecting). */
	if (shortened || j->dead)
		s->dead = true;
	smblib_leave();
}

/* The context goes (after an abandoned call, a lost connection, or for
 * another server's slot). */
static void
worker_close(struct smbsrv *s)
{
	smblib_enter();
	smblib_context_free(s);
	smblib_leave();
	slot_give(s);
}

static void *
worker_main(void *arg)
{
	struct smbsrv *s = arg;
	struct smbeng *e = s->e;
	/* A server that hangs up must not kill the process with SIGPIPE. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_mutex_lock(&e->lock);
	for (;;) {
		while (!e->stop && s->queue == NULL && !s->close_req)
			pthread_cond_wait(&s->cv, &e->lock);
		if (e->stop)
			break;
		if (s->queue == NULL) {
			s->close_req = false;
			pthread_mutex_unlock(&e->lock);
			worker_close(s);
			pthread_mutex_lock(&e->lock);
			continue;
		}
		struct smbjob *j = s->queue;
		s->queue = j->next;
		j->next = NULL;
		j->state = SJ_RUNNING;
		s->running = j;
		pthread_mutex_unlock(&e->lock);
		worker_job(s, j);
		pthread_mutex_lock(&e->lock);
		s->running = NULL;
		s->last_used = clock_mono_ms();
		e->stats.calls++;
		j->state = SJ_DONE;
		if (j->abandoned)
			s->dead = true;
		bool dead = s->dead;
		s->dead = false;
		bool last = job_drop(j);
		pthread_cond_broadcast(&e->done_cv);
		pthread_mutex_unlock(&e->lock);
		if (last)
			job_free(j);
		if (dead)
			worker_close(s);
		pthread_mutex_lock(&e->lock);
	}
	pthread_mutex_unlock(&e->lock);
	worker_close(s);
	return NULL;
}

/* ---- calls ------------------------------------------------------------------------- */

/* The caller gives up on j (engine lock held): a queued job is taken off
 * the queue, a running one abandoned.  *msg says why, naming the call. */
static void
give_up(struct smbsrv *s, struct smbjob *j, bool cancelled, int64_t waited, char **msg)
{
	const char *what = cancelled ? "cancelled" : "no answer in time";
	const char *unc2 = j->unc2 != NULL ? j->unc2 : "";
	const char *to = j->unc2 != NULL ? " to " : "";
	if (j->state == SJ_QUEUED) {
		struct smbjob **p = &s->queue;
		while (*p != NULL && *p != j)
			p = &(*p)->next;
		if (*p == j)
			*p = j->next;
		j->refs--;
		if (s->last_err != NULL && s->retry_at > clock_mono_ms())
			err_set(msg, "%s (next attempt in %lld s)", s->last_err,
			    (long long)((s->retry_at - clock_mono_ms() + 999) / 1000));
		else
			err_set(msg, "%s: %s %s %s%s%s (waited %lld s behind an earlier call)", s->name,
			    what, j->verb, j->unc, to, unc2, (long long)((waited + 500) / 1000));
	} else {
		j->abandoned = true;
		pthread_cond_signal(&s->cv);
		err_set(msg, "%s: %s %s %s%s%s (gave up after %lld s; the connection is made "
		    "afresh)", s->name, what, j->verb, j->unc, to, unc2,
		    (long long)((waited + 500) / 1000));
	}
}

static int
start_worker(struct smbsrv *s, char **msg)
{
	if (s->started)
		return 0;
	if (pthread_create(&s->thread, NULL, worker_main, s) != 0) {
		err_set(msg, "%s: cannot start the SMB worker thread", s->name);
		return -1;
	}
	s->started = true;
	return 0;
}

/* Sleep on the engine's condition variable until `at` (0: a slice). */
static void
wait_until(struct smbeng *e, int64_t at)
{
	int64_t now = clock_mono_ms();
	int64_t ms = at == 0 || at - now > WAIT_SLICE_MS ? WAIT_SLICE_MS : at - now;
	if (ms <= 0)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t ns = ts.tv_nsec + ms * 1000000L;
	ts.tv_sec += ns / 1000000000L;
	ts.tv_nsec = ns % 1000000000L;
	pthread_cond_timedwait(&e->done_cv, &e->lock, &ts);
}

int
smbsrv_run(struct smbsrv *s, struct smbjob *j, const struct deadline *dl, char **msg)
{
	struct smbeng *e = s->e;
	int64_t t0 = clock_mono_ms();
	pthread_mutex_lock(&e->lock);
	j->srv = s;
	j->deadline = dl != NULL ? dl->at_ms : 0;
	if (e->stop) {
		pthread_mutex_unlock(&e->lock);
		err_set(msg, "%s: the SMB engine is shutting down", s->name);
		return FILES_FAILED;
	}
	/* Backing off: fail now, with what failed last.  Waiting for the next
	 * attempt would make a DP that is down cost one connect timeout per
	 * call of a diagnosis (a dozen) instead of one; the first call after
	 * the back-off tries again. */
	if (s->last_err != NULL && s->retry_at > t0) {
		err_set(msg, "%s (next attempt in %lld s)", s->last_err,
		    (long long)((s->retry_at - t0 + 999) / 1000));
		pthread_mutex_unlock(&e->lock);
		return FILES_FAILED;
	}
	if (start_worker(s, msg) != 0) {
		pthread_mutex_unlock(&e->lock);
		return FILES_FAILED;
	}
	e->callers++;
	j->refs++;
	j->state = SJ_QUEUED;
	struct smbjob **p = &s->queue;
	while (*p != NULL)
		p = &(*p)->next;
	*p = j;
	pthread_cond_signal(&s->cv);
	int rc = FILES_FAILED;
	for (;;) {
		if (j->state == SJ_DONE) {
			rc = j->rc;
			if (rc != FILES_OK)
				err_set(msg, "%s", j->msg ? j->msg : "failed");
			break;
		}
		bool cancelled = dl != NULL && dl->cancel != NULL && atomic_load(dl->cancel);
		int64_t at = j->deadline != 0 ? j->deadline + j->asked_ms : 0;
		if (cancelled || (at != 0 && !j->asking && clock_mono_ms() >= at)) {
			give_up(s, j, cancelled, clock_mono_ms() - t0, msg);
			break;
		}
		wait_until(e, j->asking ? 0 : at);
	}
	if (--e->callers == 0 && e->stop)
		pthread_cond_broadcast(&e->done_cv);
	pthread_mutex_unlock(&e->lock);
	return rc;
}

/* ---- the engine ---------------------------------------------------------------------- */

struct smbeng *
smbeng_new(const struct smbeng_config *c, char **err)
{
	bool parallel;
	if (smblib_init(&parallel, err) != 0)
		return NULL;
	struct smbeng *e = xcalloc(1, sizeof *e);
	e->max_parallel = c != NULL && c->max_parallel > 0 ? c->max_parallel : 16;
	e->ask = c != NULL ? c->ask : NULL;
	e->ask_ctx = c != NULL ? c->ask_ctx : NULL;
	e->stats.parallel = parallel;
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->slot_cv, NULL);
	pthread_cond_init(&e->done_cv, NULL);
	return e;
}

static void
wipe_free(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
	free(s);
}

static void
server_free(struct smbsrv *s)
{
	free(s->name);
	free(s->address);
	free(s->user);
	free(s->domain);
	wipe_free(s->password);
	smbsrv_forget_asked(s);
	free(s->url_host);
	free(s->last_err);
	pthread_cond_destroy(&s->cv);
	free(s);
}

void
smbeng_free(struct smbeng *e)
{
	if (e == NULL)
		return;
	pthread_mutex_lock(&e->lock);
	e->stop = true;
	for (struct smbsrv *s = e->servers; s != NULL; s = s->next) {
		/* Queued jobs fail now; a running one is abandoned and its
		 * libsmbclient call finishes within its timeout. */
		while (s->queue != NULL) {
			struct smbjob *j = s->queue;
			s->queue = j->next;
			free(j->msg);
			j->msg = xasprintf("%s: the SMB engine is shutting down", s->name);
			j->rc = FILES_FAILED;
			j->state = SJ_DONE;
			if (job_drop(j))
				job_free(j);
		}
		if (s->running != NULL)
			s->running->abandoned = true;
		pthread_cond_signal(&s->cv);
	}
	pthread_cond_broadcast(&e->done_cv);
	pthread_cond_broadcast(&e->slot_cv);
	/* Nobody may still be waiting on what is about to go. */
	while (e->callers > 0)
		pthread_cond_wait(&e->done_cv, &e->lock);
	pthread_mutex_unlock(&e->lock);
	while (e->servers != NULL) {
		struct smbsrv *s = e->servers;
		e->servers = s->next;
		if (s->started)
			pthread_join(s->thread, NULL);
		server_free(s);
	}
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->slot_cv);
	pthread_cond_destroy(&e->done_cv);
	free(e);
}

/* A field libsmbclient copies into a 256-byte buffer (fstring). */
static int
field_ok(const char *name, const char *what, const char *v, char **err)
{
	if (v != NULL && strlen(v) >= 256) {
		err_set(err, "%s: the %s is longer than libsmbclient takes (255 bytes)", name, what);
		return -1;
	}
	return 0;
}

struct smbsrv *
smbeng_add(struct smbeng *e, const struct smb_server *c, char **err)
{
	if (c->name == NULL || *c->name == '\0') {
		err_set(err, "smb: a server needs a name");
		return NULL;
	}
	const char *user = c->user != NULL && *c->user ? c->user : getenv("USER");
	const char *bs = user != NULL ? strchr(user, '\\') : NULL;
	if (user == NULL || *user == '\0' || (bs != NULL && (bs == user || bs[1] == '\0'))) {
		err_set(err, "%s: no user name to log on with", c->name);
		return NULL;
	}
	if (field_ok(c->name, "user name", user, err) != 0 ||
	    field_ok(c->name, "domain", c->domain, err) != 0 ||
	    field_ok(c->name, "password", c->password, err) != 0)
		return NULL;
	struct smbsrv *s = xcalloc(1, sizeof *s);
	s->e = e;
	s->name = xstrdup(c->name);
	s->address = xstrdup(c->address != NULL && *c->address ? c->address : c->name);
	s->port = c->port > 0 ? c->port : 445;
	/* user = CORP\name names its domain itself. */
	s->user = xstrdup(bs != NULL ? bs + 1 : user);
	s->domain = bs != NULL ? xstrndup(user, (size_t)(bs - user)) :
	    c->domain != NULL && *c->domain ? xstrdup(c->domain) : NULL;
	s->password = c->password != NULL ? xstrdup(c->password) : NULL;
	s->proto = c->min_protocol;
	s->kerberos = c->kerberos;
	s->connect_ms = c->connect_timeout_ms > 0 ? c->connect_timeout_ms : 10000;
	pthread_cond_init(&s->cv, NULL);
	pthread_mutex_lock(&e->lock);
	s->next = e->servers;
	e->servers = s;
	pthread_mutex_unlock(&e->lock);
	return s;
}

const char *
smbsrv_name(const struct smbsrv *s)
{
	return s->name;
}

void
smbeng_stats(struct smbeng *e, struct smbeng_stats *out)
{
	pthread_mutex_lock(&e->lock);
	*out = e->stats;
	pthread_mutex_unlock(&e->lock);
}
