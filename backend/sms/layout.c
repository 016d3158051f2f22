/*
 * Learning where SMS lives on a server (layout.h), source by source, and
 * keeping what was learned per server until the refresh key forgets it.
 * The order is the one an administrator trusts most first: what the
 * configuration says, what the site list says (SMS_Site.InstallDir of a
 * site server), then what the server itself answers to the layout op (the
 * registry's Installation Directory, an SMS_<code> share, its SMSPKG<x>$
 * share), and for the primary's PCKs the folder of a package's
 * StoredPkgPath.  A value that is only derived (PCKs in <drive>:\SMSPKG)
 * says so.  Nothing assumes a drive letter.
 */
#include "autoconf.h"
#include "backend/sms/layout.h"
#include "backend/ops/ops.h"
#include "backend/transport/route.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const source_words[] = {
#define X(e, w) [e] = w,
	LAYOUT_SOURCE_TABLE(X)
#undef X
};

const char *
layout_source_words(enum layout_source s)
{
	return (unsigned)s < LAYOUT_SRC_COUNT ? source_words[s] : "?";
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
layout_clear(struct layout *l)
{
	free(l->server);
	free(l->sms_dir);
	free(l->pck_dir);
	free(l->share);
	free(l->share_dir);
	free(l->via);
	free(l->error);
	memset(l, 0, sizeof *l);
}

void
layout_copy(struct layout *to, const struct layout *from)
{
	*to = *from;
	to->server = dup_or_null(from->server);
	to->sms_dir = dup_or_null(from->sms_dir);
	to->pck_dir = dup_or_null(from->pck_dir);
	to->share = dup_or_null(from->share);
	to->share_dir = dup_or_null(from->share_dir);
	to->via = dup_or_null(from->via);
	to->error = dup_or_null(from->error);
}

/* ---- paths ------------------------------------------------------------------ */

/* "X:" or "X:\..." */
static bool
drive_path(const char *p)
{
	return p != NULL && isalpha((unsigned char)p[0]) && p[1] == ':' &&
	    (p[2] == '\0' || p[2] == '\\');
}

char *
layout_unc(const char *server, const char *local, const char *rel)
{
	if (server == NULL || !drive_path(local))
		return NULL;
	const char *tail = local[2] == '\\' ? local + 3 : local + 2;
	size_t n = strlen(tail);
	/* "D:\SMS\" must not leave "\\" before rel. */
	while (n > 0 && tail[n - 1] == '\\')
		n--;
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "\\\\%s\\%c$", server, toupper((unsigned char)local[0]));
	if (n > 0)
		buf_printf(&b, "\\%.*s", (int)n, tail);
	if (rel != NULL && *rel != '\0')
		buf_printf(&b, "\\%s", rel);
	return buf_detach(&b);
}

/* ---- the cache ------------------------------------------------------------------ */

struct layout_cache {
	pthread_mutex_t lock;
	struct layout *v;      /* in the order learned */
	size_t n;
};

struct layout_cache *
layout_cache_new(void)
{
	struct layout_cache *c = xcalloc(1, sizeof *c);
	if (pthread_mutex_init(&c->lock, NULL) != 0)
		abort(); /* only fails without memory, as xmalloc would */
	return c;
}

static void
cache_clear_locked(struct layout_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		layout_clear(&c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

void
layout_cache_free(struct layout_cache *c)
{
	if (c == NULL)
		return;
	cache_clear_locked(c);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void
layout_cache_forget(struct layout_cache *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	cache_clear_locked(c);
	pthread_mutex_unlock(&c->lock);
}

size_t
layout_cache_list(struct layout_cache *c, struct layout **out)
{
	*out = NULL;
	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->lock);
	size_t n = c->n;
	if (n > 0) {
		*out = xcalloc(n, sizeof **out);
		for (size_t i = 0; i < n; i++)
			layout_copy(&(*out)[i], &c->v[i]);
	}
	pthread_mutex_unlock(&c->lock);
	return n;
}

static bool
cache_lookup(struct layout_cache *c, const char *server, struct layout *out)
{
	bool hit = false;
	if (c == NULL)
		return false;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n && !hit; i++)
		if (strcasecmp(c->v[i].server, server) == 0) {
			layout_copy(out, &c->v[i]);
			hit = true;
		}
	pthread_mutex_unlock(&c->lock);
	return hit;
}

/* Keep a copy; a server learned meanwhile by another thread is replaced. */
static void
cache_store(struct layout_cache *c, const struct layout *l)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	size_t i = 0;
	while (i < c->n && strcasecmp(c->v[i].server, l->server) != 0)
		i++;
	if (i == c->n)
		c->v = xreallocarray(c->v, ++c->n, sizeof *c->v);
	else
		layout_clear(&c->v[i]);
	layout_copy(&c->v[i], l);
	pthread_mutex_unlock(&c->lock);
}

/* ---- learning ---------------------------------------------------------------- */

/* What one layout op answered, before the order of sources is applied. */
struct answer {
	char *registry;        /* Installation Directory, or NULL */
	bool registry_none;    /* the value is absent: no SMS there */
	char *sms_share;       /* the folder behind SMS_<code>, or NULL */
	char *share;           /* SMSPKG<x>$ */
	char *share_dir;       /* its folder, NULL when the source cannot tell */
	struct buf failed;     /* "registry: why; share: why" */
	const char *server;
};

/* "SMSPKG" + one drive letter + "$": the dist share SMS makes per drive. */
static bool
dist_share_name(const char *n)
{
	return strncasecmp(n, "SMSPKG", 6) == 0 && isalpha((unsigned char)n[6]) &&
	    n[7] == '$' && n[8] == '\0';
}

/* "SMS_" + a site code: a site server's share of its SMS folder. */
static bool
sms_share_name(const char *n)
{
	return strncasecmp(n, "SMS_", 4) == 0 && strlen(n) == 7;
}

static void
answer_share(struct answer *a, const char *name, const char *value)
{
	if (sms_share_name(name) && drive_path(value) && a->sms_share == NULL) {
		a->sms_share = xstrdup(value);
	} else if (dist_share_name(name)) {
		/* Several drives may each have one: keep the first, unless a
		 * later one tells its folder and the first did not. */
		if (a->share == NULL || (a->share_dir == NULL && drive_path(value))) {
			free(a->share);
			free(a->share_dir);
			a->share = xstrdup(name);
			a->share_dir = drive_path(value) ? xstrdup(value) : NULL;
		}
	}
}

static int
layout_record(const struct proto_record *r, void *arg, char **err)
{
	struct answer *a = arg;
	if (strcmp(r->type, "Y") != 0)
		return 0;
	const char *src = proto_get(r, "Source"), *name = proto_get(r, "Name");
	const char *value = proto_get(r, "Value"), *why = proto_get(r, "Error");
	if (src == NULL || name == NULL) {
		err_set(err, "line %zu: a layout row without Source or Name", r->lineno);
		return -1;
	}
	value = value ? value : "";
	if (*name == '\0' && why != NULL && *why != '\0') {
		buf_printf(&a->failed, "%s%s: %s", a->failed.len ? "; " : "", src, why);
		return 0;
	}
	if (strcmp(src, "registry") == 0) {
		if (drive_path(value))
			a->registry = a->registry ? a->registry : xstrdup(value);
		else if (*value == '\0')
			a->registry_none = true;
	} else if (strcmp(src, "share") == 0) {
		answer_share(a, name, value);
	}
	return 0;
}

static void
answer_free(struct answer *a)
{
	free(a->registry);
	free(a->sms_share);
	free(a->share);
	free(a->share_dir);
	buf_free(&a->failed);
}

/* Ask the layout op; 0 when it answered (some of its sources may have
 * failed: a->failed), -1 with *err when it could not be asked. */
static int
ask_layout(const struct site_env *env, const char *server, const struct deadline *dl,
    struct answer *a, char **via, char **err)
{
	struct op op = { .kind = OP_LAYOUT };
	op_set(&op, "server", server);
	struct transport *by = route_pick(env->t, &op);
	*via = xstrdup(by && by->host ? by->host : env->t->host);
	return transport_call(env->t, &op, layout_record, a, dl, err);
}

static void
set(char **to, enum layout_source *from, const char *v, enum layout_source src)
{
	if (*to != NULL || v == NULL || *v == '\0')
		return;
	*to = xstrdup(v);
	*from = src;
}

static const char *
site_install_dir(const struct snapshot *snap, const char *server)
{
	for (size_t i = 0; snap != NULL && i < snap->nsites; i++)
		if (snap->sites[i].server != NULL &&
		    strcasecmp(snap->sites[i].server, server) == 0)
			return snap->sites[i].install_dir;
	return NULL;
}

/* Whether server is the site's own server (whose PCKs StoredPkgPath names). */
static bool
is_primary(const struct site_env *env, const struct snapshot *snap, const char *server)
{
	if (env->primary != NULL && *env->primary != '\0')
		return strcasecmp(env->primary, server) == 0;
	const struct site_info *own = snap ? snapshot_site(snap, snap->site_code) : NULL;
	if (own != NULL && own->server != NULL)
		return strcasecmp(own->server, server) == 0;
	return strcasecmp(env->t->host, server) == 0;
}

/* The folder of a package's StoredPkgPath ("E:\SMSPKG\009000B7.PCK"). */
static char *
stored_folder(const struct snapshot *snap)
{
	for (size_t i = 0; snap != NULL && i < snap->npkgs; i++) {
		const char *p = snap->pkgs[i].stored_path;
		const char *slash = p ? strrchr(p, '\\') : NULL;
		if (drive_path(p) && slash != NULL && slash > p + 2)
			return xstrndup(p, (size_t)(slash - p));
	}
	return NULL;
}

static void
learn_pck(const struct site_env *env, const struct snapshot *snap, struct layout *l)
{
	if (l->pck_dir != NULL)
		return;
	if (is_primary(env, snap, l->server)) {
		char *f = stored_folder(snap);
		set(&l->pck_dir, &l->pck_from, f, LAYOUT_SRC_STORED);
		free(f);
	}
	if (l->pck_dir == NULL && drive_path(l->sms_dir)) {
		l->pck_dir = xasprintf("%c:\\SMSPKG", toupper((unsigned char)l->sms_dir[0]));
		l->pck_from = LAYOUT_SRC_DERIVED;
	}
}

static void
learn_share(struct layout *l, const struct answer *a)
{
	if (a->share == NULL)
		return;
	l->share = xstrdup(a->share);
	if (a->share_dir != NULL) {
		l->share_dir = xstrdup(a->share_dir);
		l->share_from = LAYOUT_SRC_SHARE;
	} else {
		/* An SMB share list names shares without their folders: SMS
		 * makes SMSPKG<x>$ as the folder of that name on drive x. */
		l->share_dir = xasprintf("%c:\\%s", toupper((unsigned char)a->share[6]), a->share);
		l->share_from = LAYOUT_SRC_SMB;
	}
}

static const char *
ov_get(const struct site_env *env, const char *server, const char *key)
{
	return env->ov.get != NULL ? env->ov.get(env->ov.ctx, server, key) : NULL;
}

/* What could not be learned, or why nothing was: one sentence naming the
 * server, each source and why, and the settings that would tell it. */
static char *
explain(const struct layout *l, const struct answer *a, const char *operr)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "where SMS lives on %s:", l->server);
	if (l->sms_dir == NULL)
		buf_adds(&b, " no sms_path in its [server] section; not a site server in "
		    "SMS_Site;");
	if (operr != NULL)
		buf_printf(&b, " the layout op (registry and shares) failed: %s;", operr);
	else if (a->failed.len > 0)
		buf_printf(&b, " %s;", a->failed.data);
	if (operr == NULL && l->share == NULL)
		buf_adds(&b, " no SMSPKG<x>$ share;");
	buf_printf(&b, " set sms_path (and pck_path) in a [server] section for %s to tell it",
	    l->server);
	return buf_detach(&b);
}

static int
learn(const struct site_env *env, const struct snapshot *snap, const char *server,
    const struct deadline *dl, struct layout *l, bool *asked)
{
	struct answer a = { .server = server };
	buf_init(&a.failed);
	l->server = xstrdup(server);
	set(&l->sms_dir, &l->sms_from, ov_get(env, server, "sms_path"), LAYOUT_SRC_CONFIG);
	set(&l->pck_dir, &l->pck_from, ov_get(env, server, "pck_path"), LAYOUT_SRC_CONFIG);
	set(&l->sms_dir, &l->sms_from, site_install_dir(snap, server), LAYOUT_SRC_SITE);
	char *operr = NULL;
	*asked = ask_layout(env, server, dl, &a, &l->via, &operr) == 0;
	if (*asked) {
		set(&l->sms_dir, &l->sms_from, a.registry, LAYOUT_SRC_REGISTRY);
		set(&l->sms_dir, &l->sms_from, a.sms_share, LAYOUT_SRC_SHARE);
		learn_share(l, &a);
	}
	learn_pck(env, snap, l);
	l->learned = clock_real();
	/* A server that says it has no SMS (a plain DP) lacks nothing. */
	bool plain = *asked && l->sms_dir == NULL && a.registry_none && a.sms_share == NULL;
	int rc = 0;
	if (l->sms_dir == NULL && l->share == NULL && l->pck_dir == NULL)
		rc = -1;
	if (rc != 0 || (!plain && l->sms_dir == NULL) || !*asked || l->share == NULL ||
	    a.failed.len > 0)
		l->error = explain(l, &a, operr);
	free(operr);
	answer_free(&a);
	return rc;
}

int
layout_get(const struct site_env *env, const struct snapshot *snap, const char *server,
    const struct deadline *dl, struct layout *out, char **err)
{
	memset(out, 0, sizeof *out);
	if (server == NULL || *server == '\0') {
		err_set(err, "layout: no server named");
		return -1;
	}
	if (cache_lookup(env->layouts, server, out))
		return 0;
	bool asked = false;
	if (learn(env, snap, server, dl, out, &asked) != 0) {
		err_set(err, "%s", out->error);
		layout_clear(out);
		return -1;
	}
	/* Only what the server answered is kept: a failed ask (a deadline, a
	 * server down) is asked again next time. */
	if (asked)
		cache_store(env->layouts, out);
	return 0;
}

/* ---- for people ---------------------------------------------------------------- */

static void
describe_age(struct buf *b, int64_t age)
{
	if (age < 60)
		buf_adds(b, "just now");
	else if (age < 3600)
		buf_printf(b, "%lld min ago", (long long)(age / 60));
	else
		buf_printf(b, "%lld h ago", (long long)(age / 3600));
}

static void
describe_one(struct buf *b, const char *what, const char *v, enum layout_source from)
{
	buf_printf(b, "%s %s (%s)", what, v, layout_source_words(from));
}

char *
layout_describe(const struct layout *l, int64_t now)
{
	struct buf b;
	buf_init(&b);
	/* How and when first: a pane wraps this line, and the age is what
	 * tells a stale guess (`r` forgets), so it stays next to the name. */
	buf_printf(&b, "%s (learned ", l->server ? l->server : "?");
	if (l->via != NULL)
		buf_printf(&b, "via %s, ", l->via);
	describe_age(&b, now - l->learned);
	buf_adds(&b, "): ");
	if (l->sms_dir != NULL)
		describe_one(&b, "SMS", l->sms_dir, l->sms_from);
	else
		buf_adds(&b, "no SMS install (a DP only)");
	if (l->pck_dir != NULL) {
		buf_adds(&b, "; ");
		describe_one(&b, "PCKs", l->pck_dir, l->pck_from);
	}
	if (l->share != NULL) {
		buf_printf(&b, "; share %s = %s (%s)", l->share, l->share_dir ? l->share_dir : "?",
		    layout_source_words(l->share_from));
	}
	if (l->error != NULL)
		buf_printf(&b, "; not learned: %s", l->error);
	return buf_detach(&b);
}
