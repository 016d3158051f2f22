/*
 * One host's life in the SSH engine: a non-blocking TCP connect, the
 * handshake with the host-key preference set from known_hosts, the strict
 * host-key check, authentication (agent, key file with a passphrase asked
 * when needed, password, keyboard-interactive), then commands on channels.
 * Every libssh2 call here may answer EAGAIN; the rule is to call the same
 * function with the same arguments again when the socket is ready, so each
 * stage keeps its place in the host or request and returns.  A failure
 * before the session is up fails every queued command with one message
 * naming the server and the stage; a connection lost under running
 * commands fails those with "connection lost"; either way the host is
 * tried again after a growing back-off.  SFTP requests ride the same
 * loop; their steps are in sshsftp.c.  A host that needs a password or a
 * passphrase hands the question to the asker thread and waits, undriven,
 * until the answer wakes the loop.  Each session allocates through
 * functions that wipe every block they free, so libssh2's copies of
 * secrets do not linger in freed memory, and that free what libssh2
 * still holds when the session goes.
 */
#include "autoconf.h"
#include "backend/transport/ssh/sshask.h"
#include "backend/transport/ssh/sshhost.h"
#include "backend/transport/ssh/sshsftp_int.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 30000
#define OUTPUT_MAX ((size_t)1 << 30)   /* refuse a reply past 1 GiB */
#define READ_CHUNK 32768

/* ---- requests ----------------------------------------------------------------- */

static void
list_append(struct sshreq **head, struct sshreq *r)
{
	while (*head != NULL)
		head = &(*head)->next;
	r->next = NULL;
	*head = r;
}

void
sshhost_fail_all(struct sshhost *h, enum ssh_error kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	struct sshreq *lists[2] = { h->queue, h->active };
	h->queue = h->active = NULL;
	h->starting = NULL;
	for (int i = 0; i < 2; i++)
		for (struct sshreq *r = lists[i], *n; r != NULL; r = n) {
			n = r->next;
			r->ch = NULL;   /* the session goes with them */
			if (r->type == RK_SFTP)
				sshsftp_abandon(h, r);
			sshreq_complete(h->loop, r, kind, "%s", msg);
		}
	free(msg);
}

void
sshhost_enqueue(struct sshhost *h, struct sshreq *r)
{
	struct sshloop *l = h->loop;
	int64_t now = clock_mono_ms();
	pthread_mutex_lock(&l->lock);
	bool failed = h->failed;
	enum ssh_error kind = h->err_kind;
	char *err = failed && h->err ? xstrdup(h->err) : NULL;
	int64_t retry = h->retry_at;
	pthread_mutex_unlock(&l->lock);
	/* A host key waiting for a decision, or a changed one, fails at once;
	 * so does a request that would time out before the next attempt. */
	if (failed && (kind == SSHE_HOSTKEY_UNKNOWN || kind == SSHE_HOSTKEY_CHANGED)) {
		sshreq_complete(l, r, kind, "%s", err);
	} else if (failed && retry > now && r->dl.at_ms != 0 && r->dl.at_ms < retry) {
		sshreq_complete(l, r, kind, "%s (next attempt in %lld s)", err,
		    (long long)((retry - now + 999) / 1000));
	} else {
		r->step = RQ_QUEUED;
		list_append(&h->queue, r);
	}
	free(err);
}

/* ---- failure, back-off, closing ------------------------------------------------ */

/* Hand a channel that is no longer wanted to the host to close. */
static void
sshhost_orphan(struct sshhost *h, LIBSSH2_CHANNEL *ch)
{
	h->orphans = xreallocarray(h->orphans, h->norphans + 1, sizeof *h->orphans);
	h->orphans[h->norphans++] = ch;
}

/* A secret is wiped as soon as it is done with. */
static void
forget_secret(struct sshhost *h)
{
	if (h->secret != NULL)
		explicit_bzero(h->secret, strlen(h->secret));
	free(h->secret);
	h->secret = NULL;
	h->secret_asked = false;
}

/*
 * The session's allocator.  libssh2 frees its copies of passwords and the
 * keyboard-interactive answers (and decrypted packets) without wiping
 * them: every block is wiped before it goes back to malloc.  Every block
 * is also on the host's list, so what libssh2 1.10 leaves behind when a
 * connection dies (an SFTP handle whose close could not be sent, with its
 * read-ahead, found by the ASan run of tests/cli/sftp.sh) is freed with
 * the session.  All of it runs on the engine thread: no lock.
 */
struct wipe_block {
	struct wipe_block *prev, *next;
	size_t size;
};
/* The header, rounded up so the block keeps malloc's alignment. */
#define WIPE_HDR ((sizeof(struct wipe_block) + _Alignof(max_align_t) - 1) / \
	_Alignof(max_align_t) * _Alignof(max_align_t))

static void *
wipe_alloc(size_t count, void **abstract)
{
	struct sshhost *h = *abstract;
	struct wipe_block *b = malloc(WIPE_HDR + count);
	if (b == NULL)
		return NULL;
	*b = (struct wipe_block){ NULL, h->blocks, count };
	if (h->blocks != NULL)
		h->blocks->prev = b;
	h->blocks = b;
	return (char *)b + WIPE_HDR;
}

static void
wipe_free(void *ptr, void **abstract)
{
	struct sshhost *h = *abstract;
	if (ptr == NULL)
		return;
	struct wipe_block *b = (struct wipe_block *)(void *)((char *)ptr - WIPE_HDR);
	if (b->prev != NULL)
		b->prev->next = b->next;
	else
		h->blocks = b->next;
	if (b->next != NULL)
		b->next->prev = b->prev;
	explicit_bzero(ptr, b->size);
	free(b);
}

/* Never realloc(): it may move the block and leave the old one unwiped. */
static void *
wipe_realloc(void *ptr, size_t count, void **abstract)
{
	if (ptr == NULL)
		return wipe_alloc(count, abstract);
	void *n = wipe_alloc(count, abstract);
	if (n == NULL)
		return NULL;   /* the old block stays, as realloc() leaves it */
	const struct wipe_block *b = (const struct wipe_block *)(const void *)
	    ((const char *)ptr - WIPE_HDR);
	memcpy(n, ptr, b->size < count ? b->size : count);
	wipe_free(ptr, abstract);
	return n;
}

/* After libssh2_session_free: whatever of the session libssh2 still held. */
static void
wipe_release(struct sshhost *h)
{
	void *abstract = h;
	while (h->blocks != NULL)
		wipe_free((char *)h->blocks + WIPE_HDR, &abstract);
}

void
sshhost_close(struct sshhost *h)
{
	h->starting = NULL;
	sshsftp_close(h);
	for (size_t i = 0; i < h->norphans; i++)
		(void)libssh2_channel_free(h->orphans[i]);
	free(h->orphans);
	h->orphans = NULL;
	h->norphans = 0;
	if (h->agent != NULL) {
		(void)libssh2_agent_disconnect(h->agent);
		libssh2_agent_free(h->agent);
		h->agent = NULL;
	}
	sshkh_free(h->kh);
	h->kh = NULL;
	if (h->session != NULL) {
		(void)libssh2_session_disconnect(h->session, "dpdoctor is done");
		/* With the socket shut down every send fails at once, so freeing a
		 * session with channels still open on a slow or silent server never
		 * waits (in non-blocking mode it would answer EAGAIN and leak). */
		if (h->fd >= 0)
			(void)shutdown(h->fd, SHUT_RDWR);
		for (int i = 0; i < 100 && libssh2_session_free(h->session) ==
		    LIBSSH2_ERROR_EAGAIN; i++)
			;
		h->session = NULL;
		wipe_release(h);
	}
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	h->connecting = h->handshaken = h->ready = false;
	h->auth = AUTH_LIST;
	h->agent_id = NULL;
	h->agent_listed = false;
	h->key_index = 0;
	free(h->methods);
	h->methods = NULL;
	forget_secret(h);
	if (h->ask != NULL)
		sshask_abandon(h->loop, h->ask);
	h->ask = NULL;
	buf_free(&h->tried);
}

/* The host failed: every request fails with msg, the session goes, and
 * the next attempt waits (host keys wait for a decision instead). */
static void __attribute__((format(printf, 3, 4)))
sshhost_failed(struct sshhost *h, enum ssh_error kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* The host's state first: a caller woken by the failure may ask the
	 * engine about it at once (a changed key, a key to accept). */
	struct sshloop *l = h->loop;
	pthread_mutex_lock(&l->lock);
	h->failed = true;
	h->err_kind = kind;
	free(h->err);
	h->err = xstrdup(msg);
	h->backoff_ms = h->backoff_ms ? h->backoff_ms * 2 : BACKOFF_FIRST_MS;
	if (h->backoff_ms > BACKOFF_MAX_MS)
		h->backoff_ms = BACKOFF_MAX_MS;
	h->retry_at = kind == SSHE_HOSTKEY_UNKNOWN || kind == SSHE_HOSTKEY_CHANGED ?
	    INT64_MAX : clock_mono_ms() + h->backoff_ms;
	pthread_mutex_unlock(&l->lock);
	sshhost_fail_all(h, kind, "%s", msg);
	sshhost_close(h);
	free(msg);
}

/* ---- connecting ------------------------------------------------------------------ */

void
sshhost_start(struct sshhost *h, int64_t now)
{
	struct sshloop *l = h->loop;
	pthread_mutex_lock(&l->lock);
	bool wait = h->failed && h->retry_at > now;
	pthread_mutex_unlock(&l->lock);
	if (wait)
		return;
	char port[12];
	snprintf(port, sizeof port, "%d", h->port);
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV }, *ai;
	int gai = getaddrinfo(h->address, port, &hints, &ai);
	if (gai != 0) {
		sshhost_failed(h, SSHE_CONNECT, "%s: cannot resolve %s: %s", h->name, h->address,
		    gai_strerror(gai));
		return;
	}
	h->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int rc = h->fd < 0 ? -1 : connect(h->fd, ai->ai_addr, ai->ai_addrlen);
	int e = errno;
	freeaddrinfo(ai);
	if (rc != 0 && e != EINPROGRESS) {
		sshhost_failed(h, SSHE_CONNECT, "%s: cannot connect to %s port %d: %s", h->name,
		    h->address, h->port, strerror(e));
		return;
	}
	h->connecting = true;
	h->phase_deadline = now + h->connect_ms;
	pthread_mutex_lock(&l->lock);
	l->stats.connects++;
	pthread_mutex_unlock(&l->lock);
}

static void
warn_kh(void *ctx, const char *msg)
{
	struct sshhost *h = ctx;
	if (h->loop->cfg.warn != NULL)
		h->loop->cfg.warn(h->loop->cfg.warn_ctx, msg);
}

/* The TCP connection is up: a session, with the host key preference. */
static bool
host_connected(struct sshhost *h)
{
	int e = 0;
	socklen_t len = sizeof e;
	if (getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
		e = errno;
	if (e != 0) {
		sshhost_failed(h, SSHE_CONNECT, "%s: cannot connect to %s port %d: %s", h->name,
		    h->address, h->port, strerror(e));
		return false;
	}
	h->connecting = false;
	h->session = libssh2_session_init_ex(wipe_alloc, wipe_free, wipe_realloc, h);
	if (h->session == NULL) {
		sshhost_failed(h, SSHE_PROTOCOL, "%s: cannot start an SSH session", h->name);
		return false;
	}
	libssh2_session_set_blocking(h->session, 0);
	/* zlib offered before the handshake: a status reply of tens of MB
	 * shrinks several times over a WAN.  Where the server offers none
	 * the session goes uncompressed, and if libssh2 cannot offer it the
	 * session still works, uncompressed: nothing to fail for. */
	if (h->compress)
		(void)libssh2_session_flag(h->session, LIBSSH2_FLAG_COMPRESS, 1);
	char *dflt = sshkh_default_path();
	const char *paths[2] = { h->known_hosts, dflt };
	char *err = NULL;
	h->kh = sshkh_load(h->session, paths, 2, warn_kh, h, &err);
	free(dflt);
	if (h->kh == NULL) {
		sshhost_failed(h, SSHE_HOSTKEY_CHANGED, "%s: %s", h->name, err ? err : "known_hosts");
		free(err);
		return false;
	}
	(void)libssh2_session_method_pref(h->session, LIBSSH2_METHOD_HOSTKEY,
	    sshkh_prefs(h->kh, h->address, h->port));
	return true;
}

/* After the handshake: the strict host key check. */
static bool
host_key_ok(struct sshhost *h)
{
	size_t len = 0;
	int type = 0;
	const char *key = libssh2_session_hostkey(h->session, &len, &type);
	char fp[64] = "";
	const char *tname = "?";
	(void)sshkh_fingerprint(h->session, fp, &tname);
	enum sshkh_result kr = key ? sshkh_check(h->kh, h->address, h->port, key, len, type) :
	    SSHKH_ERROR;
	if (kr == SSHKH_MATCH)
		return true;
	struct sshloop *l = h->loop;
	if (kr == SSHKH_NOTFOUND && l->cfg.accept_new_host_keys) {
		char *path = h->known_hosts ? xstrdup(h->known_hosts) : sshkh_default_path();
		char *err = NULL;
		int rc = sshkh_append(path, h->address, h->port, key, len, type, &err);
		if (rc != 0)
			sshhost_failed(h, SSHE_PROTOCOL, "%s: cannot record its host key: %s",
			    h->name, err);
		else if (l->cfg.warn != NULL) {
			char *m = xasprintf("%s: new host key %s %s added to %s", h->name, tname,
			    fp, path);
			l->cfg.warn(l->cfg.warn_ctx, m);
			free(m);
		}
		free(err);
		free(path);
		return rc == 0;
	}
	if (kr == SSHKH_NOTFOUND) {
		pthread_mutex_lock(&l->lock);
		free(h->pending_key);
		h->pending_key = xmalloc(len);
		memcpy(h->pending_key, key, len);
		h->pending_len = len;
		h->pending_type = type;
		snprintf(h->pending_fp, sizeof h->pending_fp, "%s", fp);
		h->pending_type_name = tname;
		pthread_mutex_unlock(&l->lock);
		sshhost_failed(h, SSHE_HOSTKEY_UNKNOWN, "%s: unknown host key (%s %s) for %s port %d; "
		    "not in known_hosts", h->name, tname, fp, h->address, h->port);
	} else if (kr == SSHKH_MISMATCH) {
		sshhost_failed(h, SSHE_HOSTKEY_CHANGED, "%s: THE HOST KEY HAS CHANGED (%s %s) for %s "
		    "port %d: someone may be intercepting the connection, or the server was "
		    "reinstalled. Refused; check with the server's administrator and fix "
		    "known_hosts by hand", h->name, tname, fp, h->address, h->port);
	} else {
		sshhost_failed(h, SSHE_PROTOCOL, "%s: cannot check the host key (%s)", h->name, tname);
	}
	return false;
}

/* ---- authentication -------------------------------------------------------------- */

static bool
has_method(const char *methods, const char *m)
{
	size_t n = strlen(m);
	for (const char *p = methods; p != NULL && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		if (strncmp(p, m, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	}
	return false;
}

static void
tried(struct sshhost *h, const char *what)
{
	if (h->tried.len > 0)
		buf_adds(&h->tried, ", ");
	buf_adds(&h->tried, what);
}

/* Ask once, on the asker thread: true when the question is on its way
 * (the host now waits), false when there is nobody to ask. */
static bool
ask_start(struct sshhost *h, const char *prompt, bool echo)
{
	h->secret_asked = true;
	h->ask = sshask_start(h->loop, h->name, prompt, echo);
	return h->ask != NULL;
}

/* The question asked: 0 still waiting, 1 answered (h->secret), -1 not. */
static int
ask_take(struct sshhost *h)
{
	char *answer = NULL;
	int64_t waited = 0;
	int rc = sshask_take(h->loop, h->ask, &answer, &waited);
	if (rc == 0)
		return 0;
	h->ask = NULL;
	/* The person's typing time is not the server's: the log-in deadline
	 * moves on by as much. */
	h->phase_deadline += waited;
	h->secret = answer;
	return rc;
}

static int
auth_agent(struct sshhost *h)
{
	if (!h->agent_listed) {
		h->agent_listed = true;
		h->agent = libssh2_agent_init(h->session);
		if (h->agent == NULL || libssh2_agent_connect(h->agent) != 0 ||
		    libssh2_agent_list_identities(h->agent) != 0) {
			tried(h, "agent (not reachable)");
			return -1;
		}
		if (libssh2_agent_get_identity(h->agent, &h->agent_id, NULL) != 0) {
			tried(h, "agent (no keys)");
			return -1;
		}
	}
	for (;;) {
		int rc = libssh2_agent_userauth(h->agent, h->user, h->agent_id);
		if (rc == 0 || rc == LIBSSH2_ERROR_EAGAIN)
			return rc;
		struct libssh2_agent_publickey *prev = h->agent_id;
		if (libssh2_agent_get_identity(h->agent, &h->agent_id, prev) != 0) {
			tried(h, "agent keys (refused)");
			return -1;
		}
	}
}

/* The key files to try: the configured one, else OpenSSH's default names
 * for the key types libssh2 1.10 can use against OpenSSH 8.8+. */
static char *
key_path(const struct sshhost *h, int i)
{
	if (h->identity != NULL)
		return i == 0 ? xstrdup(h->identity) : NULL;
	static const char *const names[] = { "id_ed25519", "id_ecdsa" };
	const char *home = getenv("HOME");
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		char *p = xasprintf("%s/.ssh/%s", home ? home : "", names[k]);
		if (access(p, R_OK) == 0 && i-- == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* The key file at key_index did not work: say why and go to the next. */
static void
key_failed(struct sshhost *h, char *path, int rc)
{
	char *what = xasprintf("key %s (%s)", path, rc == LIBSSH2_ERROR_FILE ?
	    (h->secret ? "wrong passphrase" : "cannot read it, or it needs a "
	    "passphrase nobody could be asked for") : "refused by the server");
	tried(h, what);
	free(what);
	free(path);
	forget_secret(h);
	h->key_index++;
}

static int
auth_key(struct sshhost *h)
{
	for (;;) {
		char *path = key_path(h, h->key_index);
		if (path == NULL)
			return -1;
		if (access(path, R_OK) != 0) {
			char *what = xasprintf("key %s (%s)", path, strerror(errno));
			tried(h, what);
			free(what);
			free(path);
			h->key_index++;
			continue;
		}
		/* Waiting for this key's passphrase. */
		int got = h->ask != NULL ? ask_take(h) : 1;
		if (got == 0) {
			free(path);
			return LIBSSH2_ERROR_EAGAIN;
		}
		if (got < 0) {
			key_failed(h, path, LIBSSH2_ERROR_FILE);
			continue;
		}
		int rc = libssh2_userauth_publickey_fromfile_ex(h->session, h->user,
		    (unsigned)strlen(h->user), NULL, path, h->secret);
		if (rc == LIBSSH2_ERROR_EAGAIN) {
			/* libssh2 wants the same arguments again: the passphrase
			 * stays until the call has an answer. */
			free(path);
			return rc;
		}
		if (rc == 0) {
			/* Used: a session that stays up for hours must not keep
			 * it (key_failed wipes it on the other answers). */
			forget_secret(h);
			free(path);
			return rc;
		}
		if (rc == LIBSSH2_ERROR_FILE && !h->secret_asked) {
			char *prompt = xasprintf("Passphrase for key %s: ", path);
			bool asked = ask_start(h, prompt, false);
			free(prompt);
			if (asked) {
				free(path);
				return LIBSSH2_ERROR_EAGAIN;
			}
		}
		key_failed(h, path, rc);
	}
}

static int
auth_password(struct sshhost *h)
{
	if (!h->secret_asked) {
		char *prompt = xasprintf("%s@%s's password: ", h->user, h->name);
		bool asked = ask_start(h, prompt, false);
		free(prompt);
		if (!asked) {
			tried(h, "password (nobody to ask)");
			return -1;
		}
	}
	if (h->ask != NULL) {
		int got = ask_take(h);
		if (got == 0)
			return LIBSSH2_ERROR_EAGAIN;
		if (got < 0) {
			tried(h, "password (nobody to ask)");
			return -1;
		}
	}
	if (h->secret == NULL) {
		tried(h, "password (nobody to ask)");
		return -1;
	}
	int rc = libssh2_userauth_password_ex(h->session, h->user, (unsigned)strlen(h->user),
	    h->secret, (unsigned)strlen(h->secret), NULL);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return rc;
	if (rc != 0)
		tried(h, "password (refused)");
	forget_secret(h);
	return rc == 0 ? 0 : -1;
}

/* Keyboard-interactive answers are asked here, on the engine thread,
 * holding up every host: libssh2 wants them from inside this callback,
 * during the call that sent the request, and cannot take them later.
 * Learning the prompts on one attempt and answering on a retry would spend
 * one of the server's MaxAuthTries (and a PAM failure delay) each time
 * (see ssh_ask_fn in sshloop.h).  The method is tried only when the server
 * does not take "password". */
static void
kbd_answer(const char *name, int name_len, const char *instruction, int instruction_len,
    int num_prompts, const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
    LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract)
{
	(void)name; (void)name_len; (void)instruction; (void)instruction_len;
	struct sshhost *h = *abstract;
	struct sshloop *l = h->loop;
	for (int i = 0; i < num_prompts; i++) {
		char *prompt = xstrndup((const char *)prompts[i].text, prompts[i].length);
		char *answer = NULL;
		int64_t t0 = clock_mono_ms();
		if (l->cfg.ask == NULL ||
		    l->cfg.ask(l->cfg.ask_ctx, h->name, prompt, prompts[i].echo != 0, &answer) != 0)
			answer = NULL;
		h->phase_deadline += clock_mono_ms() - t0;
		free(prompt);
		/* libssh2 sends and frees the response with the session's free(). */
		responses[i].text = answer ? answer : xstrdup("");
		responses[i].length = (unsigned)strlen(responses[i].text);
	}
}

static int
auth_kbdint(struct sshhost *h)
{
	int rc = libssh2_userauth_keyboard_interactive_ex(h->session, h->user,
	    (unsigned)strlen(h->user), kbd_answer);
	if (rc != 0 && rc != LIBSSH2_ERROR_EAGAIN)
		tried(h, "keyboard-interactive (refused)");
	return rc == 0 || rc == LIBSSH2_ERROR_EAGAIN ? rc : -1;
}

/* One method after another: 0 authenticated, EAGAIN, -1 nothing worked. */
static int
auth_step(struct sshhost *h)
{
	while (h->auth != AUTH_DONE) {
		int rc = -1;
		switch (h->auth) {
		case AUTH_LIST: {
			char *list = libssh2_userauth_list(h->session, h->user,
			    (unsigned)strlen(h->user));
			if (list == NULL && libssh2_userauth_authenticated(h->session))
				return 0;
			if (list == NULL)
				return libssh2_session_last_errno(h->session) ==
				    LIBSSH2_ERROR_EAGAIN ? LIBSSH2_ERROR_EAGAIN : -1;
			h->methods = xstrdup(list);
			rc = -1;
			break;
		}
		case AUTH_AGENT:
			if (has_method(h->methods, "publickey") && getenv("SSH_AUTH_SOCK"))
				rc = auth_agent(h);
			break;
		case AUTH_KEY:
			if (has_method(h->methods, "publickey"))
				rc = auth_key(h);
			break;
		case AUTH_PASSWORD:
			if (has_method(h->methods, "password"))
				rc = auth_password(h);
			break;
		case AUTH_KBDINT:
			/* After a refused password, asking again the same way
			 * would only repeat the question. */
			if (has_method(h->methods, "keyboard-interactive") &&
			    !has_method(h->methods, "password"))
				rc = auth_kbdint(h);
			break;
		default:
			break;
		}
		if (rc == 0 || rc == LIBSSH2_ERROR_EAGAIN)
			return rc;
		forget_secret(h);
		h->auth++;
	}
	return -1;
}

/* ---- channels -------------------------------------------------------------------- */

/* Read what is there on both streams; -1 on error (rc in *err_rc).
 * Standard output for a result with a sink is queued for the caller's
 * thread (sshreq.h, pending), which parses it while the engine reads on. */
static int
chan_read(struct sshhost *h, struct sshreq *r, bool *moved, int *err_rc)
{
	char buf[READ_CHUNK];
	for (int stream = 0; stream < 2; stream++) {
		bool sunk = stream == 0 && r->res->sink != NULL;
		struct buf *b = stream ? &r->res->err : &r->res->out;
		for (;;) {
			ssize_t n = libssh2_channel_read_ex(r->ch, stream, buf, sizeof buf);
			if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
				break;
			if (n < 0) {
				*err_rc = (int)n;
				return -1;
			}
			size_t have = stream ? b->len : r->outlen;
			if (have + (size_t)n > OUTPUT_MAX) {
				*err_rc = 0;
				return -1;
			}
			if (stream == 0)
				r->outlen += (size_t)n;
			if (sunk) {
				pthread_mutex_lock(&h->loop->lock);
				buf_add(&r->pending, buf, (size_t)n);
				pthread_cond_broadcast(&h->loop->done_cv);
				pthread_mutex_unlock(&h->loop->lock);
			} else {
				buf_add(b, buf, (size_t)n);
			}
			*moved = true;
		}
	}
	return 0;
}

/* One step of a request on its channel: 1 moved, 0 waiting, -1 finished
 * (removed from active), -2 the session is gone (rc in *dead). */
static int
chan_step(struct sshhost *h, struct sshreq *r, int *dead)
{
	LIBSSH2_SESSION *s = h->session;
	int rc = 0;
	bool moved = false;
	switch (r->step) {
	case RQ_QUEUED:
	case RQ_OPEN:
		r->ch = libssh2_channel_open_session(s);
		if (r->ch == NULL) {
			rc = libssh2_session_last_errno(s);
			break;
		}
		r->step = RQ_EXEC;
		return 1;
	case RQ_EXEC:
		if (h->starting != NULL && h->starting != r)
			return 0;   /* another channel's exec awaits its reply (sshreq.h) */
		rc = libssh2_channel_exec(r->ch, r->cmd);
		h->starting = rc == LIBSSH2_ERROR_EAGAIN ? r : NULL;
		if (rc == 0) {
			r->step = r->inlen ? RQ_WRITE : RQ_EOF;
			pthread_mutex_lock(&h->loop->lock);
			h->loop->stats.channels++;
			pthread_mutex_unlock(&h->loop->lock);
			return 1;
		}
		break;
	case RQ_WRITE: {
		ssize_t n = libssh2_channel_write(r->ch, r->in + r->inoff, r->inlen - r->inoff);
		if (n >= 0) {
			r->inoff += (size_t)n;
			if (r->inoff == r->inlen)
				r->step = RQ_EOF;
			return n > 0 || r->step == RQ_EOF;
		}
		rc = (int)n;
		if (rc == LIBSSH2_ERROR_EAGAIN && chan_read(h, r, &moved, &rc) == 0)
			return moved;
		break;
	}
	case RQ_EOF:
		rc = libssh2_channel_send_eof(r->ch);
		if (rc == 0) {
			r->step = RQ_READ;
			return 1;
		}
		break;
	case RQ_READ:
		if (chan_read(h, r, &moved, &rc) != 0)
			break;
		if (libssh2_channel_eof(r->ch)) {
			r->step = RQ_CLOSE;
			return 1;
		}
		return moved;
	case RQ_CLOSE:
		rc = libssh2_channel_close(r->ch);
		if (rc == 0) {
			r->step = RQ_WAIT_CLOSED;
			return 1;
		}
		break;
	case RQ_WAIT_CLOSED:
		rc = libssh2_channel_wait_closed(r->ch);
		if (rc == 0) {
			r->res->exit_code = libssh2_channel_get_exit_status(r->ch);
			char *sig = NULL;
			size_t siglen = 0;
			(void)libssh2_channel_get_exit_signal(r->ch, &sig, &siglen, NULL, NULL,
			    NULL, NULL);
			char *signame = sig ? xstrndup(sig, siglen) : NULL;
			if (sig != NULL)
				libssh2_free(s, sig);
			if (libssh2_channel_free(r->ch) == LIBSSH2_ERROR_EAGAIN)
				sshhost_orphan(h, r->ch);
			r->ch = NULL;
			sshreq_list_remove(&h->active, r);
			if (signame != NULL)
				sshreq_complete(h->loop, r, SSHE_PROTOCOL, "%s: the command was "
				    "killed by signal %s", h->name, signame);
			else
				sshreq_complete(h->loop, r, SSHE_NONE, NULL);
			free(signame);
			return -1;
		}
		break;
	}
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return moved;
	if (sshreq_session_dead(rc) || rc == LIBSSH2_ERROR_CHANNEL_CLOSED) {
		*dead = rc;
		return -2;
	}
	/* This command failed; the session may serve others. */
	if (r->ch != NULL) {
		sshhost_orphan(h, r->ch);
		r->ch = NULL;
	}
	sshreq_list_remove(&h->active, r);
	if (rc == 0)
		sshreq_complete(h->loop, r, SSHE_PROTOCOL, "%s: the reply is larger than "
		    "%zu MB; refused", h->name, OUTPUT_MAX >> 20);
	else
		sshreq_complete(h->loop, r, SSHE_PROTOCOL, "%s: the command failed on its "
		    "channel: %s", h->name, sshreq_session_msg(s));
	return -1;
}

/* Close channels of requests that gave up. */
static void
reap_orphans(struct sshhost *h)
{
	size_t k = 0;
	for (size_t i = 0; i < h->norphans; i++) {
		int rc = libssh2_channel_close(h->orphans[i]);
		if (rc != LIBSSH2_ERROR_EAGAIN)
			rc = libssh2_channel_free(h->orphans[i]);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			h->orphans[k++] = h->orphans[i];
	}
	h->norphans = k;
}

static bool
drive_channels(struct sshhost *h, int64_t now)
{
	bool moved = false;
	while (h->queue != NULL) {
		struct sshreq *r = h->queue;
		h->queue = r->next;
		r->step = RQ_OPEN;
		list_append(&h->active, r);
		moved = true;
	}
	for (struct sshreq *r = h->active, *n; r != NULL; r = n) {
		n = r->next;
		int dead = 0;
		int st = r->type == RK_SFTP ? sshsftp_step(h, r, &dead) : chan_step(h, r, &dead);
		if (st == -2 && r->type == RK_SFTP) {
			sshhost_failed(h, SSHE_DROPPED, "%s: connection lost during %s (%s)",
			    h->name, sshsftp_what(r), sshreq_session_msg(h->session));
			return true;
		}
		if (st == -2) {
			sshhost_failed(h, SSHE_DROPPED, "%s: connection lost while a command was "
			    "running (%s)", h->name, sshreq_session_msg(h->session));
			return true;
		}
		moved |= st != 0;
	}
	if (moved)
		h->last_used = now;
	reap_orphans(h);
	sshsftp_reap(h);
	return moved;
}

/* ---- driving ---------------------------------------------------------------------- */

static bool
drive_session(struct sshhost *h, int64_t now)
{
	if (!h->handshaken) {
		int rc = libssh2_session_handshake(h->session, h->fd);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return false;
		if (rc != 0) {
			sshhost_failed(h, sshreq_session_dead(rc) ? SSHE_CONNECT : SSHE_PROTOCOL,
			    "%s: SSH handshake with %s port %d failed: %s", h->name, h->address,
			    h->port, sshreq_session_msg(h->session));
			return true;
		}
		h->handshaken = true;
		return host_key_ok(h);
	}
	int rc = auth_step(h);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return false;
	if (rc != 0) {
		sshhost_failed(h, SSHE_AUTH, "%s: authentication as %s failed (tried: %s)", h->name,
		    h->user, h->tried.len ? h->tried.data : "no method the server offers");
		return true;
	}
	h->ready = true;
	h->last_used = now;
	/* auth_step stopped at the method that worked. */
	bool key = h->auth == AUTH_AGENT || h->auth == AUTH_KEY;
	libssh2_keepalive_config(h->session, 0, (unsigned)h->loop->cfg.keepalive_s);
	h->next_keepalive = now + h->loop->cfg.keepalive_s * 1000;
	pthread_mutex_lock(&h->loop->lock);
	h->failed = false;
	h->backoff_ms = 0;
	h->login_kind = key ? 1 : 0;
	pthread_mutex_unlock(&h->loop->lock);
	return true;
}

bool
sshhost_drive(struct sshhost *h, int64_t now)
{
	if (h->fd < 0)
		return false;
	if (h->connecting) {
		if (!(h->revents & (POLLOUT | POLLERR | POLLHUP)))
			return false;
		h->revents = 0;
		return host_connected(h);
	}
	if (!h->ready)
		return drive_session(h, now);
	if (now >= h->next_keepalive) {
		int secs = 0;
		int rc = libssh2_keepalive_send(h->session, &secs);
		if (sshreq_session_dead(rc)) {
			sshhost_failed(h, SSHE_DROPPED, "%s: connection lost (%s)", h->name,
			    sshreq_session_msg(h->session));
			return true;
		}
		h->next_keepalive = now + (secs > 0 ? secs : 1) * 1000;
	}
	return drive_channels(h, now);
}

static const char *
phase_name(const struct sshhost *h)
{
	return h->connecting ? "connecting" : !h->handshaken ? "during the SSH handshake" :
	    "during authentication";
}

static bool
expired(const struct sshreq *r, int64_t now)
{
	return (r->dl.cancel != NULL && atomic_load(r->dl.cancel)) ||
	    (r->dl.at_ms != 0 && now >= r->dl.at_ms);
}

/* Fail a request whose deadline passed or that was cancelled; queued says
 * whether it was still waiting for the session. */
static void
expire_one(struct sshhost *h, struct sshreq *r, bool queued)
{
	bool cancelled = r->dl.cancel != NULL && atomic_load(r->dl.cancel);
	const char *why = cancelled ? "cancelled" : "no answer in time";
	if (queued)
		sshreq_complete(h->loop, r, cancelled ? SSHE_CANCELLED : SSHE_TIMEOUT,
		    "%s: %s %s", h->name, why, h->fd < 0 ? "(not connected)" : phase_name(h));
	else if (r->type == RK_SFTP)
		sshreq_complete(h->loop, r, cancelled ? SSHE_CANCELLED : SSHE_TIMEOUT,
		    "%s: %s during %s", h->name, why, sshsftp_what(r));
	else
		sshreq_complete(h->loop, r, cancelled ? SSHE_CANCELLED : SSHE_TIMEOUT,
		    "%s: %s while the command was running", h->name, why);
}

void
sshhost_expire(struct sshhost *h, int64_t now)
{
	/* While the person is asked, the log-in deadline stands still (it
	 * moves on by the wait once the answer is in). */
	if (h->fd >= 0 && !h->ready && h->ask == NULL && now >= h->phase_deadline) {
		/* What failed before the time ran out is often the real cause
		 * (a wrong passphrase, then slow password refusals). */
		sshhost_failed(h, SSHE_TIMEOUT, "%s: no answer from %s port %d within %d s (%s%s%s)",
		    h->name, h->address, h->port, h->connect_ms / 1000, phase_name(h),
		    h->tried.len > 0 ? "; tried: " : "", h->tried.len > 0 ? h->tried.data : "");
		return;
	}
	struct sshreq **lists[2] = { &h->queue, &h->active };
	for (int i = 0; i < 2; i++)
		for (struct sshreq *r = *lists[i], *n; r != NULL; r = n) {
			n = r->next;
			if (!expired(r, now))
				continue;
			sshreq_list_remove(lists[i], r);
			if (h->starting == r)
				h->starting = NULL;
			if (r->ch != NULL) {
				sshhost_orphan(h, r->ch);
				r->ch = NULL;
			}
			if (r->type == RK_SFTP)
				sshsftp_abandon(h, r);
			expire_one(h, r, i == 0);
		}
}

short
sshhost_events(const struct sshhost *h)
{
	if (h->connecting)
		return POLLOUT;
	short ev = POLLIN;
	if (h->session != NULL &&
	    (libssh2_session_block_directions(h->session) & LIBSSH2_SESSION_BLOCK_OUTBOUND))
		ev |= POLLOUT;
	return ev;
}

int64_t
sshhost_next_event(const struct sshhost *h, int64_t now)
{
	int64_t next = 0;
#define SOONER(t) do { int64_t t_ = (t); if (t_ > 0 && (next == 0 || t_ < next)) next = t_; } while (0)
	if (h->fd >= 0 && !h->ready && h->ask == NULL)
		SOONER(h->phase_deadline);
	if (h->ready)
		SOONER(h->next_keepalive);
	if (h->fd < 0 && h->queue != NULL && h->retry_at != INT64_MAX)
		SOONER(h->retry_at > now ? h->retry_at : now + 1);
	const struct sshreq *lists[2] = { h->queue, h->active };
	for (int i = 0; i < 2; i++)
		for (const struct sshreq *r = lists[i]; r != NULL; r = r->next) {
			SOONER(r->dl.at_ms);
			if (r->dl.cancel != NULL)
				SOONER(now + 100);
		}
#undef SOONER
	return next;
}
