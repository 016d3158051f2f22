/*
 * What libsmbclient 4.17 keeps for the whole process, in one place, and a
 * server's context with the hooks the engine watches it through.
 *
 * Threads.  libsmbclient keeps a stack of talloc frames in one global
 * unless the process installs thread functions first; the API for that,
 * smbc_thread_posix(), is declared in libsmbclient.h but has not been
 * built into the library since Samba's move to waf (2010-2013: the
 * LIBSMBCLIENT_THREAD_SRC list was dropped), and Debian's 4.17 does not
 * export it.  Two contexts used from two threads then free each other's
 * frames: tests/cli/smb_engine.sh's stress run (4 servers, 4 threads,
 * each its own context) aborts with "Freed frame
 * ../../source3/libsmb/libsmb_stat.c:177, expected
 * ../../source3/param/loadparm.c:3974" and "Bad talloc magic value" in
 * every run.  The functions behind it, smb_thread_set_functions() in
 * libsamba-util, are exported (SAMBA_UTIL_0.0.1), so the engine installs
 * the same pthread mutex and thread-local table smbc_thread_posix() would
 * have, found with dlsym() before anything else of Samba runs; with it the
 * same stress run passes under ASan.  Three more things were found
 * shared between threads, by that stress run under ASan: event backends
 * and authentication backends registered on first use (lib_warm_up runs
 * both first, alone); the DOS character set's glibc iconv descriptor,
 * one for the process and used by every session set-up (an iconv() past
 * its buffer; the client configuration names ASCII, which Samba converts
 * itself).  Without the symbols (another build, or DPDOCTOR_SMB_SERIAL=1)
 * every worker takes one lock around all its libsmbclient calls: correct,
 * but a frozen server then holds the others up for its timeout.  Making,
 * freeing contexts and setting global options (smbc_new_context sets the
 * global log level) always take lib_lock.  Name lookups in libsmbclient
 * go through a tdb cache, whose locks do not keep threads apart, so
 * contexts are given addresses, never names (except for Kerberos, which
 * needs the name).
 *
 * Options.  The log goes to a callback that drops it, set before the
 * first context exists (libsmbclient logs level-0 messages to stdout
 * otherwise, under the TUI).  smb.conf: the first context loads
 * ~/.smb/smb.conf or /etc/samba/smb.conf, and smbc_setConfiguration adds
 * a file on top without resetting the rest (lp_load_client_no_reinit),
 * so the engine's own file pins every client option that changes what it
 * does (dialects, signing, encryption, authentication, name resolution,
 * the attribute mapping smbc_chmod reads); the rest of an smb.conf still
 * applies.
 *
 * Dialects.  smbc_setOptionProtocols is process-global and read when a
 * connection negotiates.  Connections are made inside any call (the
 * first on a share, or again after libsmbclient found a cached one dead),
 * so the engine sees them through the server cache hooks: a lookup that
 * misses means a connection is about to be made, and the worker then
 * enters the dialect gate with its server's setting (shared with workers
 * of the same setting, exclusive for a change) and holds it to the end of
 * the call.  Calls on connections already made never wait for the gate.
 *
 * Permissions.  getxattr("system.nt_sec_desc.*") wants a second
 * connection to IPC$ for LSA name lookups, which it opens on port 445 or
 * 139 whatever port the share was reached on (SMBC_attr_server passes
 * port 0), and gives nothing without it.  Numeric SIDs need no lookups:
 * the cache hook answers the "*IPC$" lookup with the share's own
 * connection, which cacl_get then uses only as "NT attributes wanted"
 * (libsmb_xattr.c: numeric SIDs return before the LSA pipe is looked
 * for).  No second connection, and any port works.
 */
#include "autoconf.h"
#include "backend/transport/smb/smbconn_int.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the thread functions smbc_thread_posix() would install --------------------- */

/* lib/util/smb_threads.h of Samba 4.17 (struct smb_thread_functions). */
struct shim_functions {
	int (*create_mutex)(const char *name, void **plock, const char *location);
	void (*destroy_mutex)(void *plock, const char *location);
	int (*lock_mutex)(void *plock, int lock_type, const char *location);
	int (*create_tls)(const char *keyname, void **ppkey, const char *location);
	void (*destroy_tls)(void **ppkey, const char *location);
	int (*set_tls)(void *pkey, const void *pval, const char *location);
	void *(*get_tls)(void *pkey, const char *location);
};
#define SHIM_UNLOCK 2   /* enum smb_thread_lock_type */

static int
shim_create_mutex(const char *name, void **plock, const char *location)
{
	(void)name;
	(void)location;
	pthread_mutex_t *m = malloc(sizeof *m);
	if (m == NULL)
		return ENOMEM;
	pthread_mutex_init(m, NULL);
	*plock = m;
	return 0;
}

static void
shim_destroy_mutex(void *plock, const char *location)
{
	(void)location;
	pthread_mutex_destroy(plock);
	free(plock);
}

static int
shim_lock_mutex(void *plock, int lock_type, const char *location)
{
	(void)location;
	return lock_type == SHIM_UNLOCK ? pthread_mutex_unlock(plock) : pthread_mutex_lock(plock);
}

static int
shim_create_tls(const char *keyname, void **ppkey, const char *location)
{
	(void)keyname;
	(void)location;
	pthread_key_t *k = malloc(sizeof *k);
	if (k == NULL)
		return ENOMEM;
	int rc = pthread_key_create(k, NULL);
	if (rc != 0) {
		free(k);
		return rc;
	}
	*ppkey = k;
	return 0;
}

static void
shim_destroy_tls(void **ppkey, const char *location)
{
	(void)location;
	if (*ppkey != NULL) {
		pthread_key_delete(*(pthread_key_t *)*ppkey);
		free(*ppkey);
		*ppkey = NULL;
	}
}

static int
shim_set_tls(void *pkey, const void *pval, const char *location)
{
	(void)location;
	return pthread_setspecific(*(pthread_key_t *)pkey, pval);
}

static void *
shim_get_tls(void *pkey, const char *location)
{
	(void)location;
	return pkey != NULL ? pthread_getspecific(*(pthread_key_t *)pkey) : NULL;
}

static const struct shim_functions shim = {
	shim_create_mutex, shim_destroy_mutex, shim_lock_mutex, shim_create_tls,
	shim_destroy_tls, shim_set_tls, shim_get_tls,
};

/*
 * A thread's talloc frame stack, made on its first libsmbclient call, is
 * kept in a thread-local slot without a destructor (as
 * smbc_thread_posix's would be), so a worker that ends leaves it behind:
 * a few hundred bytes per worker, allocated inside libsamba-util.
 * LeakSanitizer reads its default suppressions from this function.
 */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libsamba-util.so\n";
}

/* And without a note of the suppression on every exit: the commands'
 * standard error is part of what the tests check. */
const char *__lsan_default_options(void);
const char *
__lsan_default_options(void)
{
	return "print_suppressions=0";
}

/* ---- the process ---------------------------------------------------------------- */

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lib_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t serial_lock = PTHREAD_MUTEX_INITIALIZER;
static bool lib_parallel;
static SMBCCTX *lib_anchor;   /* never freed: the last context freed resets libsmbclient */
static char *lib_err;

/* Client options the engine depends on, whatever smb.conf says. */
static const char lib_conf[] =
	"[global]\n"
	"log level = 0\n"
	"client min protocol = SMB2_02\n"
	"client max protocol = SMB3\n"
	"client signing = default\n"
	"client ipc signing = default\n"
	"client smb encrypt = default\n"
	"client use spnego = yes\n"
	"client ntlmv2 auth = yes\n"
	"client lanman auth = no\n"
	"client plaintext auth = no\n"
	"client use kerberos = desired\n"
	"name resolve order = host\n"
	"disable netbios = yes\n"
	"unix charset = UTF-8\n"
	"dos charset = ASCII\n"
	"display charset = UTF-8\n"
	"workgroup = WORKGROUP\n"
	"map archive = yes\n"
	"map system = yes\n"
	"map hidden = yes\n";

/* Nowhere, unless DPDOCTOR_SMB_DEBUG asks for a level (then stderr). */
static int lib_debug = -1;

static void
lib_log(void *priv, int level, const char *msg)
{
	(void)priv;
	size_t n = strlen(msg);
	if (lib_debug >= 0 && level <= lib_debug && n > 0) {
		(void)fd_write_all(STDERR_FILENO, msg, n);
		if (msg[n - 1] != '\n')
			(void)fd_write_all(STDERR_FILENO, "\n", 1);
	}
}

static void
lib_auth_none(SMBCCTX *c, const char *srv, const char *shr, char *wg, int wglen, char *un,
    int unlen, char *pw, int pwlen)
{
	(void)c, (void)srv, (void)shr, (void)wg, (void)wglen;
	(void)un, (void)unlen;
	if (pwlen > 0)
		pw[0] = '\0';
}

static int
lib_config(SMBCCTX *c, char **err)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/dpdoctor-smbclient.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	int rc = -1;
	if (fd < 0)
		err_set(err, "smb: cannot write the client configuration %s: %s", path, strerror(errno));
	else if (fd_write_all(fd, lib_conf, sizeof lib_conf - 1) != 0)
		err_set(err, "smb: cannot write %s: %s", path, strerror(errno));
	else if (smbc_setConfiguration(c, path) != 0)
		err_set(err, "smb: libsmbclient refused its configuration %s", path);
	else
		rc = 0;
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	free(path);
	return rc;
}

static void gate_warm(void);

/* A function of a library libsmbclient loaded, or NULL. */
static void *
lib_symbol(const char *name)
{
	return dlsym(RTLD_DEFAULT, name);
}

/*
 * Parts of Samba set themselves up on first use and mark it done before
 * they are: tevent registers its event backends (tevent_backend_init) and
 * gensec its authentication backends (gensec_init) behind a flag set
 * first, so a second thread meanwhile finds none: a connection fails
 * with ENOMEM (no event context) or in its session set-up.  Both are run
 * here, alone: tevent_context_init and _talloc_free are public (libtevent
 * 0.9.9, libtalloc 2.0.2), gensec_init is exported under Samba's private
 * symbol version.  Without them the dialect gate makes connections one
 * at a time until one is made (gate_enter).
 */
static void
lib_warm_up(void)
{
	void *ev_init = lib_symbol("tevent_context_init"), *tfree = lib_symbol("_talloc_free");
	void *gensec = lib_symbol("gensec_init");
	if (!lib_parallel || ev_init == NULL || tfree == NULL || gensec == NULL)
		return;
	void *(*make_ev)(void *) = NULL;
	int (*free_ev)(void *, const char *) = NULL;
	int (*init_gensec)(void) = NULL;   /* NTSTATUS: a 32-bit code */
	memcpy(&make_ev, &ev_init, sizeof make_ev);
	memcpy(&free_ev, &tfree, sizeof free_ev);
	memcpy(&init_gensec, &gensec, sizeof init_gensec);
	void *ev = make_ev(NULL);
	if (ev == NULL)
		return;
	(void)free_ev(ev, __FILE__);
	(void)init_gensec();
	gate_warm();
}

static void
lib_init_once(void)
{
	if (smbdl_load(&lib_err) != 0)
		return;
	/* The thread functions first: talloc's frame stack must never have
	 * been used without them. */
	const char *serial = getenv("DPDOCTOR_SMB_SERIAL");
	if (serial == NULL || strcmp(serial, "1") != 0) {
		void *sym = lib_symbol("smb_thread_set_functions");
		int (*set)(const struct shim_functions *) = NULL;
		memcpy(&set, &sym, sizeof set);
		lib_parallel = set != NULL && set(&shim) == 0;
	}
	smbc_setLogCallback(NULL, NULL, lib_log);
	lib_anchor = smbc_new_context();
	if (lib_anchor == NULL) {
		lib_err = xasprintf("smb: libsmbclient cannot make a context: %s", strerror(errno));
		return;
	}
	smbc_setFunctionAuthDataWithContext(lib_anchor, lib_auth_none);
	if (smbc_init_context(lib_anchor) == NULL) {
		lib_err = xasprintf("smb: libsmbclient cannot start: %s", strerror(errno));
		return;
	}
	if (lib_config(lib_anchor, &lib_err) != 0)
		return;
	lib_warm_up();
	const char *debug = getenv("DPDOCTOR_SMB_DEBUG");
	if (debug != NULL && *debug >= '0' && *debug <= '9') {
		lib_debug = atoi(debug) > 10 ? 10 : atoi(debug);
		smbc_setDebug(lib_anchor, lib_debug);
	}
}

int
smblib_init(bool *parallel, char **err)
{
	pthread_once(&lib_once, lib_init_once);
	if (lib_err != NULL) {
		err_set(err, "%s", lib_err);
		return -1;
	}
	*parallel = lib_parallel;
	return 0;
}

bool
smblib_parallel(void)
{
	return lib_parallel;
}

/* ---- the dialect gate ----------------------------------------------------------- */

/* The settings a connection may negotiate with; the last two only probe
 * what a server that refused offers. */
enum gate_value { GV_NT1, GV_SMB2, GV_SMB3, GV_ONLY_SMB2, GV_ONLY_NT1, GV_COUNT };
static const struct {
	const char *min, *max;
} gate_protos[GV_COUNT] = {
	[GV_NT1] = { "NT1", "SMB3" },
	[GV_SMB2] = { "SMB2_02", "SMB3" },
	[GV_SMB3] = { "SMB3_00", "SMB3" },
	[GV_ONLY_SMB2] = { "SMB2_02", "SMB2_10" },
	[GV_ONLY_NT1] = { "NT1", "NT1" },
};

static struct {
	pthread_mutex_t m;
	pthread_cond_t cv;
	int cur;                   /* what libsmbclient is set to; -1 not yet */
	int users;                 /* connecting with it now */
	unsigned waiting[GV_COUNT];
	bool warm;                 /* a connection was made: see gate_enter */
} gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, -1, 0, { 0 }, false };

static bool
gate_others_wait(int v)
{
	for (int w = 0; w < GV_COUNT; w++)
		if (w != v && gate.waiting[w] > 0)
			return true;
	return false;
}

/*
 * Connections with the same setting go in together; a change waits until
 * none is being made, and holds new ones back meanwhile.  Until the gate
 * is warm (lib_warm_up ran Samba's lazy set-up, or one connection was
 * made), they go one at a time: two first session set-ups at once, each
 * registering the authentication backends, failed (EINVAL, ENOMEM) in 8
 * of 40 runs of two servers; warm, 80 concurrent reconnections a run
 * failed none.
 */
static void
gate_enter(int v)
{
	pthread_mutex_lock(&gate.m);
	gate.waiting[v]++;
	while (gate.users > 0 && (!gate.warm || gate.cur != v || gate_others_wait(v)))
		pthread_cond_wait(&gate.cv, &gate.m);
	gate.waiting[v]--;
	if (gate.cur != v) {
		pthread_mutex_lock(&lib_lock);
		(void)smbc_setOptionProtocols(lib_anchor, gate_protos[v].min, gate_protos[v].max);
		pthread_mutex_unlock(&lib_lock);
		gate.cur = v;
	}
	gate.users++;
	pthread_mutex_unlock(&gate.m);
}

static void
gate_warm(void)
{
	pthread_mutex_lock(&gate.m);
	if (!gate.warm) {
		gate.warm = true;
		pthread_cond_broadcast(&gate.cv);
	}
	pthread_mutex_unlock(&gate.m);
}

static void
gate_leave(void)
{
	pthread_mutex_lock(&gate.m);
	gate.users--;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.m);
}

/* ---- a context and its hooks ---------------------------------------------------- */

struct smbwork {
	struct smbsrv *s;
	int gate;                  /* the setting its connections are made with */
	bool anonymous;            /* a probe: no credentials */
	bool gate_held;
	bool connecting;           /* a lookup missed; no connection came of it yet */
	bool connected;            /* a connection was made in this call */
	int timeout_ms;            /* what connections made now get */
	bool short_timeout;        /* one was made with less than connect_ms */
	SMBCSRV *last_srv;         /* the share connection last used */
	smbc_get_cached_srv_fn get0;
	smbc_add_cached_srv_fn add0;
	smbc_remove_cached_srv_fn rm0;
};

static SMBCSRV *
hook_get(SMBCCTX *c, const char *server, const char *share, const char *wg, const char *user)
{
	struct smbwork *w = smbc_getOptionUserData(c);
	/* Numeric SIDs need no IPC$ connection (see the top). */
	if (strcmp(share, "*IPC$") == 0 && w->last_srv != NULL)
		return w->last_srv;
	SMBCSRV *srv = w->get0(c, server, share, wg, user);
	if (srv != NULL) {
		w->connecting = false;
		if (share[0] != '*')
			w->last_srv = srv;
		return srv;
	}
	w->connecting = true;
	if (!w->gate_held) {
		gate_enter(w->gate);
		w->gate_held = true;
	}
	return NULL;
}

static int
hook_add(SMBCCTX *c, SMBCSRV *srv, const char *server, const char *share, const char *wg,
    const char *user)
{
	struct smbwork *w = smbc_getOptionUserData(c);
	int rc = w->add0(c, srv, server, share, wg, user);
	if (rc == 0) {
		gate_warm();
		w->connecting = false;
		w->connected = true;
		w->short_timeout |= w->timeout_ms < w->s->connect_ms;
		if (share[0] != '*')
			w->last_srv = srv;
		struct smbeng *e = w->s->e;
		pthread_mutex_lock(&e->lock);
		e->stats.connects++;
		pthread_mutex_unlock(&e->lock);
	}
	return rc;
}

static int
hook_remove(SMBCCTX *c, SMBCSRV *srv)
{
	struct smbwork *w = smbc_getOptionUserData(c);
	if (w->last_srv == srv)
		w->last_srv = NULL;
	return w->rm0(c, srv);
}

/* The callback libsmbclient asks for credentials whenever it connects. */
static void
hook_auth(SMBCCTX *c, const char *srv, const char *shr, char *wg, int wglen, char *un, int unlen,
    char *pw, int pwlen)
{
	(void)srv;
	(void)shr;
	struct smbwork *w = smbc_getOptionUserData(c);
	const struct smbsrv *s = w->s;
	if (w->anonymous) {
		un[0] = pw[0] = '\0';
		return;
	}
	if (s->domain != NULL)
		snprintf(wg, (size_t)wglen, "%s", s->domain);
	snprintf(un, (size_t)unlen, "%s", s->user);
	const char *p = smbsrv_secret(s);
	snprintf(pw, (size_t)pwlen, "%s", p != NULL ? p : "");
}

static int
gate_of(enum smb_proto p)
{
	return p == SMB_PROTO_NT1 ? GV_NT1 : p == SMB_PROTO_SMB3 ? GV_SMB3 : GV_SMB2;
}

static SMBCCTX *
context_make(struct smbsrv *s, struct smbwork *w, char **err)
{
	pthread_mutex_lock(&lib_lock);
	SMBCCTX *c = smbc_new_context();
	if (c != NULL) {
		/* A new context sets the global log level to 0. */
		if (lib_debug >= 0)
			smbc_setDebug(c, lib_debug);
		smbc_setOptionUserData(c, w);
		smbc_setFunctionAuthDataWithContext(c, hook_auth);
		w->get0 = smbc_getFunctionGetCachedServer(c);
		w->add0 = smbc_getFunctionAddCachedServer(c);
		w->rm0 = smbc_getFunctionRemoveCachedServer(c);
		smbc_setFunctionGetCachedServer(c, hook_get);
		smbc_setFunctionAddCachedServer(c, hook_add);
		smbc_setFunctionRemoveCachedServer(c, hook_remove);
		smbc_setOptionNoAutoAnonymousLogin(c, 1);
		smbc_setOptionUseKerberos(c, s->kerberos && !w->anonymous);
		smbc_setOptionFallbackAfterKerberos(c, 0);
		smbc_setOptionUseCCache(c, 0);
		smbc_setOptionFullTimeNames(c, 1);
		smbc_setOptionCaseSensitive(c, 0);
		smbc_setOptionOneSharePerServer(c, 0);
		smbc_setOptionUrlEncodeReaddirEntries(c, 0);
		/* The lookup key's user and domain: the same as the callback
		 * gives, or every call would miss once and ask again. */
		smbc_setUser(c, w->anonymous ? "" : s->user);
		if (s->domain != NULL && !w->anonymous)
			smbc_setWorkgroup(c, s->domain);
		smbc_setTimeout(c, s->connect_ms);
		smbc_setPort(c, (uint16_t)s->port);
		if (smbc_init_context(c) == NULL) {
			err_set(err, "libsmbclient cannot start a context: %s", strerror(errno));
			smbc_free_context(c, 0);
			c = NULL;
		}
	} else {
		err_set(err, "libsmbclient cannot make a context: %s", strerror(errno));
	}
	pthread_mutex_unlock(&lib_lock);
	return c;
}

SMBCCTX *
smblib_context(struct smbsrv *s, char **err)
{
	struct smbwork *w = xcalloc(1, sizeof *w);
	w->s = s;
	w->gate = gate_of(s->proto);
	SMBCCTX *c = context_make(s, w, err);
	if (c == NULL) {
		free(w);
		return NULL;
	}
	s->ctx = c;
	s->work = w;
	return c;
}

static void
context_free(SMBCCTX *c, struct smbwork *w)
{
	/* Not under lib_lock: closing sends a tree disconnect and waits for
	 * the answer, up to the connection's timeout on a silent server. */
	(void)smbc_free_context(c, 1);
	if (w->gate_held)
		gate_leave();
	free(w);
}

void
smblib_context_free(struct smbsrv *s)
{
	if (s->ctx == NULL)
		return;
	context_free(s->ctx, s->work);
	s->ctx = NULL;
	s->work = NULL;
}

/* ---- calls ----------------------------------------------------------------------- */

void
smblib_enter(void)
{
	if (!lib_parallel)
		pthread_mutex_lock(&serial_lock);
}

void
smblib_leave(void)
{
	if (!lib_parallel)
		pthread_mutex_unlock(&serial_lock);
}

void
smblib_call_begin(struct smbsrv *s, int timeout_ms)
{
	struct smbwork *w = s->work;
	w->connecting = w->connected = false;
	w->timeout_ms = timeout_ms < 1000 ? 1000 : timeout_ms;
	smbc_setTimeout(s->ctx, w->timeout_ms);
}

bool
smblib_call_end(struct smbsrv *s)
{
	struct smbwork *w = s->work;
	if (w->gate_held) {
		gate_leave();
		w->gate_held = false;
	}
	return w->short_timeout;
}

bool
smblib_connecting(const struct smbsrv *s)
{
	return s->work != NULL && s->work->connecting;
}

/* A throw-away context for a probe (gate value v, anonymous or not), one
 * stat of the share root, and what came of it: 1 connected, 0 failed
 * with errno *e. */
static int
probe(struct smbsrv *s, int v, bool anonymous, const char *share, int timeout_ms, int *e)
{
	struct smbwork *w = xcalloc(1, sizeof *w);
	w->s = s;
	w->gate = v;
	w->anonymous = anonymous;
	char *err = NULL;
	SMBCCTX *c = context_make(s, w, &err);
	free(err);
	if (c == NULL) {
		free(w);
		*e = ENOMEM;
		return 0;
	}
	w->timeout_ms = timeout_ms < 1000 ? 1000 : timeout_ms;
	smbc_setTimeout(c, w->timeout_ms);
	char *url = xasprintf("smb://%s:%d/%s/", s->url_host ? s->url_host : s->address, s->port,
	    share);
	struct stat st;
	errno = 0;
	(void)smbc_getFunctionStat(c)(c, url, &st);
	*e = errno;
	bool connected = w->connected;
	free(url);
	context_free(c, w);
	return connected ? 1 : 0;
}

int
smblib_logon_works(struct smbsrv *s, int timeout_ms)
{
	int e;
	if (probe(s, gate_of(s->proto), false, "IPC$", timeout_ms, &e) == 1)
		return 1;
	return e == EACCES || e == EPERM ? 0 : -1;
}

int
smblib_offered_below(struct smbsrv *s, int timeout_ms)
{
	/* Anonymous: only the negotiation matters, and a server refused for
	 * its dialect is sent no credentials over it.  A refused log-on or
	 * share comes after the dialects were agreed; EINVAL or a hang-up
	 * means they were not. */
	static const struct {
		enum smb_proto below;
		int v;
		enum smb_proto offered;
	} tries[] = {
		{ SMB_PROTO_SMB3, GV_ONLY_SMB2, SMB_PROTO_SMB2 },
		{ SMB_PROTO_SMB3, GV_ONLY_NT1, SMB_PROTO_NT1 },
		{ SMB_PROTO_SMB2, GV_ONLY_NT1, SMB_PROTO_NT1 },
	};
	for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
		if (tries[i].below != s->proto)
			continue;
		int e;
		if (probe(s, tries[i].v, true, "IPC$", timeout_ms, &e) == 1 || e == EACCES ||
		    e == EPERM || e == ENOENT)
			return (int)tries[i].offered;
	}
	return -1;
}

/* ---- credentials ----------------------------------------------------------------- */

/* The password (the authfile's, or the one asked) is kept for the session
 * and cannot be wiped on use: libsmbclient asks hook_auth for it at every
 * connection, and a context is thrown away after an abandoned call or to
 * free a slot, so the next call connects afresh.  It is wiped when the
 * server goes (smbconn.c), a typed one also when it was refused. */

const char *
smbsrv_secret(const struct smbsrv *s)
{
	if (s->password != NULL)
		return s->password;
	return s->asked;
}

void
smbsrv_forget_asked(struct smbsrv *s)
{
	if (s->asked != NULL) {
		explicit_bzero(s->asked, strlen(s->asked));
		free(s->asked);
		s->asked = NULL;
	}
}

void
smbsrv_ask(struct smbsrv *s, struct smbjob *j)
{
	struct smbeng *e = s->e;
	if (s->password != NULL || s->asked != NULL || s->kerberos || e->ask == NULL)
		return;
	char *prompt = s->domain != NULL ?
	    xasprintf("Password for %s\\%s@%s (SMB):", s->domain, s->user, s->name) :
	    xasprintf("Password for %s@%s (SMB):", s->user, s->name);
	pthread_mutex_lock(&e->lock);
	j->asking = true;
	pthread_mutex_unlock(&e->lock);
	int64_t t0 = clock_mono_ms();
	char *answer = NULL;
	int rc = e->ask(e->ask_ctx, s->name, prompt, false, &answer);
	pthread_mutex_lock(&e->lock);
	j->asking = false;
	j->asked_ms += clock_mono_ms() - t0;
	pthread_mutex_unlock(&e->lock);
	if (rc == 0 && answer != NULL)
		s->asked = answer;
	else if (answer != NULL) {
		explicit_bzero(answer, strlen(answer));
		free(answer);
	}
	free(prompt);
}
