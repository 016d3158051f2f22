/*
 * What each repair action is and does.  The table says, in text with the
 * cell's facts filled in, what the administrator reads before answering
 * (where, what it does in short, what changes, what is re-checked, the
 * scope, how success is verified, what to do on failure); the functions
 * beside it carry the action out through the ops, each op built once, in
 * the op builders, for the executor and for the step page's full script
 * alike.  Hand actions are done by the
 * administrator on the Windows server (dpdoctor then checks the result);
 * on the simulated demo site the simulator does them on request.
 */
#include "autoconf.h"
#include "backend/repair/repair_int.h"
#include "backend/sms/evidence.h"
#include "backend/sms/layout.h"
#include "backend/core/model.h"
#include "backend/ops/ops.h"
#include "backend/transport/route.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* SMS minutes each wait allows (the demo's minutes are seconds). */
#define WAIT_KNOWN_MIN 5
#define WAIT_REGEN_MIN 15
#define WAIT_INSTALL_MIN 30
/* Status reads in a row that may fail before a wait gives up. */
#define WAIT_READ_FAILURES 3
#define WAIT_RETRY_MS 2000
#define OP_TIMEOUT_MS 120000
#define COPY_BYTES_PER_S (256 * 1024)   /* slowest WAN link we allow for */

/* ---- templates ----------------------------------------------------------- */

static char *
source_server(const char *src)
{
	if (src == NULL || strncmp(src, "\\\\", 2) != 0)
		return xstrdup("the file server");
	return xstrndup(src + 2, strcspn(src + 2, "\\"));
}

/* The configured PreloadPkgOnSite.exe on a server, or NULL. */
static const char *
preload_exe(const struct repair_run *r, const char *server)
{
	const struct repair_env *e = &r->env;
	const char *exe = e->preload_exe ? e->preload_exe(e->servers_ctx, server) : NULL;
	return exe != NULL && *exe != '\0' ? exe : NULL;
}

/* Which PreloadPkgOnSite.exe the preload step runs, in words. */
static char *
preload_which(const struct repair_run *r, const struct rcell *c)
{
	const char *exe = preload_exe(r, c->sms_server);
	if (exe != NULL)
		return xasprintf("from preload_exe = %s", exe);
	return xstrdup("looked for in the SMS install folder's bin\\i386, then the SMS 2003 "
	    "Toolkit 2 and ConfigMgr 2007 Toolkit V2 folders");
}

/* How long PreloadPkgOnSite may run when started with WMI (the op's wait),
 * and the call's deadline around it (the read-back and removal after). */
#define PRELOAD_WAIT_S 300
#define PRELOAD_CALL_MS ((PRELOAD_WAIT_S + 120) * 1000)

/* The SMS server's own transport when the route sends the preload op for
 * c there (it then runs the tool itself, via=local), else NULL (the WMI
 * host starts it on the server with Win32_Process.Create, via=wmi). */
static const struct transport *
preload_local(const struct repair_run *r, const struct rcell *c)
{
	struct op op = { .kind = OP_PRELOAD };
	op_set(&op, "server", c->sms_server);
	op_set(&op, "package", c->pkg->id);
	op_set(&op, "via", "local");
	const struct transport *t = route_pick(r->env.t, &op);
	return t != NULL && t->host != NULL && strcasecmp(t->host, c->sms_server) == 0 ?
	    t : NULL;
}

/* The way PreloadPkgOnSite runs, in words for the step page. */
static char *
preload_way(const struct repair_run *r, const struct rcell *c)
{
	const struct transport *own = preload_local(r, c);
	if (own != NULL)
		return xasprintf("runs on %s over its own %s session", c->sms_server,
		    own->ops->name);
	if (c->sms.sms_dir == NULL) {
		char *why = repair_path_why(c, false);
		char *s = xasprintf("to be started on %s with WMI (Win32_Process.Create) from "
		    "%s, but it cannot be: %s", c->sms_server, r->env.t->host, why);
		free(why);
		return s;
	}
	return xasprintf("started on %s with WMI (Win32_Process.Create) from %s; output read "
	    "back from %s\\dpdoctor-preload-%s.out and removed; waits at most %d s",
	    c->sms_server, r->env.t->host, c->sms.sms_dir, c->pkg->id, PRELOAD_WAIT_S);
}

/* Where the cell's PCK lives, in words: the DP itself, or its child site's
 * server, which holds the PCK for its DPs. */
static char *
holder_words(const struct rcell *c)
{
	if (c->kind == DPK_CHILD_DP)
		return xasprintf("%s's site server %s (it holds the PCK for its DPs; %s "
		    "gets the files from it)", *c->site ? c->site : "the child site",
		    c->sms_server, c->res.dp);
	return xstrdup(c->sms_server);
}

/* The target PCK's folder through the admin share, for the copy's words. */
static char *
target_folder(const struct rcell *c)
{
	char *f = c->sms.pck_dir ? layout_unc(c->sms_server, c->sms.pck_dir, NULL) : NULL;
	return f != NULL ? f : xasprintf("%s's PCK folder", c->sms_server);
}

/* How the PCK copy will go and what crosses which link, in words: the
 * route knows whether the WMI host copies it or it is streamed through
 * this machine (a server with a transport of its own that the WMI host
 * cannot reach: a key-based Windows OpenSSH log-in has no network
 * credentials).  The target is the cell's SMS server: the DP itself, or
 * for a plain DP of a child site that site's server. */
static char *
copy_way(const struct repair_run *r, const struct rcell *c, const char *size)
{
	char *dst = repair_dp_pck(c), *s = NULL, *folder = target_folder(c);
	struct op op = { .kind = OP_COPYFILE };
	op_set(&op, "src", c->pkg->pck_path);
	op_set(&op, "dst", dst ? dst : folder);
	const char *via = NULL, *pri = r->env.primary, *to = c->sms_server;
	switch (route_copy_way(r->env.t, &op, &via)) {
	case ROUTE_COPY_SERVER:
		s = xasprintf("%s only: %s copies it itself (a copy on the server); no bytes cross "
		    "a link", to, to);
		break;
	case ROUTE_COPY_HOST_OR_STREAM:
		s = xasprintf("%s only: %s over the %s -> %s link, copied by %s; if %s cannot reach "
		    "%s (a key-based OpenSSH log-in has no network credentials), it is "
		    "streamed through this machine instead: %s from %s to here, then %s from here "
		    "to %s over %s", to, size, pri, to, pri, pri, folder, size, pri,
		    size, to, via);
		break;
	case ROUTE_COPY_STREAM:
		s = xasprintf("%s only: streamed through this machine (%s cannot reach %s): "
		    "%s from %s to here, then %s from here to %s over %s", to, pri, folder,
		    size, pri, size, to, via);
		break;
	default:
		s = xasprintf("%s only: %s over the %s -> %s link", to, size, pri, to);
		break;
	}
	free(dst);
	free(folder);
	return s;
}

/* A path on the cell's SMS server, or why it is not known. */
static char *
path_or_why(const struct rcell *c, bool pck)
{
	char *p = pck ? repair_dp_pck(c) : repair_dp_dmpkg(c);
	if (p != NULL)
		return p;
	char *why = repair_path_why(c, pck);
	p = xasprintf("(not known: %s)", why);
	free(why);
	return p;
}

/* The DP's dist share as the DP names it, or words when not learned. */
static char *
share_words(const struct rcell *c, bool name)
{
	const char *v = name ? c->dpl.share : c->dpl.share_dir;
	if (v != NULL)
		return xstrdup(v);
	return xasprintf(name ? "SMSPKG<x>$ (not learned: %s)" : "the dist share's folder "
	    "(not learned: %s)", c->dpl.error ? c->dpl.error : "no layout of the DP");
}

static char *fill(const struct repair_run *r, const struct rcell *c, const char *key);

enum pck_held
repair_pck_held(const struct rcell *c)
{
	const struct fingerprint *h = &c->dppck, *p = &c->pkg->pck;
	if (!h->known)
		return HELD_UNKNOWN;
	if (!h->present)
		return HELD_NONE;
	if (h->size == p->size && h->when == p->when)
		return HELD_SAME;
	return h->when < p->when ? HELD_OLDER : HELD_OTHER;
}

char *
repair_pck_held_words(const struct rcell *c)
{
	static const char *const words[] = {
		[HELD_UNKNOWN] = "not looked at", [HELD_NONE] = "no PCK",
		[HELD_SAME] = "an identical PCK", [HELD_OLDER] = "an OLDER PCK",
		[HELD_OTHER] = "a different PCK",
	};
	enum pck_held h = repair_pck_held(c);
	if (h == HELD_UNKNOWN || h == HELD_NONE)
		return xstrdup(words[h]);
	char when[21] = "-", size[16];
	if (c->dppck.when)
		time_format_iso(c->dppck.when, when);
	repair_size_human(c->dppck.size, size);
	return xasprintf("%s (%s, %s)", words[h], when, size);
}

char *
repair_skip_note(const struct repair_run *r, const struct rcell *c, size_t step)
{
	bool preload = false;
	for (size_t i = step + 1; i < r->nsteps && !preload; i++)
		preload = r->steps[i] == RA_PRELOAD;
	if (r->steps[step] != RA_COPY_PCK || !preload)
		return NULL;
	enum pck_held h = repair_pck_held(c);
	if (h == HELD_NONE)
		return xasprintf("skipped by the administrator: %s has no PCK of %s, so the "
		    "preload will fail", c->sms_server, c->pkg->id);
	if (h != HELD_OLDER && h != HELD_OTHER)
		return NULL;
	char *held = repair_pck_held_words(c), when[21] = "-", size[16];
	if (c->pkg->pck.when)
		time_format_iso(c->pkg->pck.when, when);
	repair_size_human(c->pkg->pck.size, size);
	char *s = xasprintf("skipped by the administrator: the preload will use the PCK "
	    "already on %s, %s, not the primary's (%s, %s)", c->sms_server, held, when, size);
	free(held);
	return s;
}

/* The copy's bytes and link, honest about what is there: an identical copy
 * is not sent again; an older or different one is replaced whole. */
static char *
copy_words(const struct repair_run *r, const struct rcell *c)
{
	char *sz = fill(r, c, "SIZE"), *way = copy_way(r, c, sz), *held = NULL, *s;
	switch (repair_pck_held(c)) {
	case HELD_SAME:
		s = xasprintf("%s only: it holds an identical PCK already, so nothing crosses "
		    "(the copy compares first)", c->sms_server);
		break;
	case HELD_OLDER: case HELD_OTHER:
		held = repair_pck_held_words(c);
		s = xasprintf("%s; %s holds %s, which is replaced: all %s cross", way,
		    c->sms_server, held, sz);
		break;
	default:
		s = xstrdup(way);
		break;
	}
	free(held);
	free(way);
	free(sz);
	return s;
}

static char *
fill(const struct repair_run *r, const struct rcell *c, const char *key)
{
	const struct rpkg *p = c->pkg;
	char size[16];
	if (strcmp(key, "ID") == 0) return xstrdup(p->id);
	if (strcmp(key, "DP") == 0) return xstrdup(c->res.dp);
	if (strcmp(key, "HOLDER") == 0) return xstrdup(c->sms_server);
	if (strcmp(key, "HOLDERWHO") == 0) return holder_words(c);
	if (strcmp(key, "PRI") == 0) return xstrdup(r->env.primary);
	if (strcmp(key, "PROV") == 0)
		return xstrdup(r->env.provider ? r->env.provider : r->env.t->host);
	if (strcmp(key, "SITE") == 0) return xstrdup(r->env.site);
	if (strcmp(key, "PCK") == 0) return xstrdup(p->pck_path);
	if (strcmp(key, "DPPCK") == 0) return path_or_why(c, true);
	if (strcmp(key, "DMPKG") == 0) return path_or_why(c, false);
	if (strcmp(key, "PCKDIR") == 0) return target_folder(c);
	if (strcmp(key, "SRC") == 0) return xstrdup(p->source_path);
	if (strcmp(key, "SRCSRV") == 0) return source_server(p->source_path);
	if (strcmp(key, "RENAMED") == 0) return xstrdup(p->renamed_to);
	if (strcmp(key, "NDPS") == 0) return xasprintf("%zu", p->ndps);
	if (strcmp(key, "STORED") == 0) return xasprintf("%u", p->stored_version);
	if (strcmp(key, "PRELOAD") == 0) return preload_which(r, c);
	if (strcmp(key, "PRELOADWAY") == 0) return preload_way(r, c);
	if (strcmp(key, "SHARE") == 0) return share_words(c, false);
	if (strcmp(key, "SHARENAME") == 0) return share_words(c, true);
	if (strcmp(key, "SIZE") == 0 || strcmp(key, "TOTAL") == 0) {
		uint64_t n = p->pck.size * (key[0] == 'T' ? p->ndps : 1);
		if (!p->pck.present)
			return xstrdup("(size unknown: the primary has no PCK)");
		repair_size_human(n, size);
		return xstrdup(size);
	}
	if (strcmp(key, "COPYWAY") == 0) return copy_words(r, c);
	if (strcmp(key, "MIN_KNOWN") == 0) return xasprintf("%d", WAIT_KNOWN_MIN);
	if (strcmp(key, "MIN_REGEN") == 0) return xasprintf("%d", WAIT_REGEN_MIN);
	if (strcmp(key, "MIN_INSTALL") == 0) return xasprintf("%d", WAIT_INSTALL_MIN);
	return NULL;
}

char *
repair_expand(const struct repair_run *r, const struct rcell *c, const char *tmpl)
{
	struct buf b;
	buf_init(&b);
	for (const char *p = tmpl ? tmpl : ""; *p;) {
		const char *end = *p == '{' ? strchr(p, '}') : NULL;
		char *key = end ? xstrndup(p + 1, (size_t)(end - p - 1)) : NULL;
		char *val = key ? fill(r, c, key) : NULL;
		if (val != NULL) {
			buf_adds(&b, val);
			p = end + 1;
		} else {
			buf_addc(&b, *p++);
		}
		free(val);
		free(key);
	}
	return b.data ? buf_detach(&b) : xstrdup("");
}

/* ---- the ops the actions send ------------------------------------------------ */

/* Keep s for as long as the op lives; returns s. */
static const char *
keep(struct step_op *o, char *s)
{
	if (o->nown < sizeof o->own / sizeof o->own[0])
		o->own[o->nown++] = s;
	return s;
}

/* Set a path argument the op owns; a path that is not known (NULL) is left
 * out, and the op's check refuses it as missing. */
static void
set_own(struct step_op *o, const char *key, char *path)
{
	if (path != NULL)
		op_set(&o->op, key, keep(o, path));
}

static void
copy_op(const struct repair_run *r, const struct rcell *c, size_t n, struct step_op *o)
{
	(void)r; (void)n;
	op_set(&o->op, "src", c->pkg->pck_path);
	set_own(o, "dst", repair_dp_pck(c));
}

static void
attrs_op(const struct repair_run *r, const struct rcell *c, size_t n, struct step_op *o)
{
	(void)r; (void)n;
	set_own(o, "path", repair_dp_pck(c));
	op_set(&o->op, "readonly", "set");
	op_set(&o->op, "archive", "clear");
}

/* PreloadPkgOnSite on the cell's SMS server: run there by its own
 * transport (via=local), or started there with WMI from the WMI host
 * (via=wmi), output in its SMS folder, bounded by the step's wait. */
static void
preload_op(const struct repair_run *r, const struct rcell *c, size_t n, struct step_op *o)
{
	(void)n;
	op_set(&o->op, "server", c->sms_server);
	op_set(&o->op, "package", c->pkg->id);
	const char *exe = preload_exe(r, c->sms_server);
	if (exe != NULL)
		op_set(&o->op, "exe", exe);
	if (preload_local(r, c) != NULL) {
		op_set(&o->op, "via", "local");
		return;
	}
	op_set(&o->op, "via", "wmi");
	if (c->sms.sms_dir != NULL)
		op_set(&o->op, "smsdir", c->sms.sms_dir);
	op_set(&o->op, "wait", keep(o, xasprintf("%d", PRELOAD_WAIT_S)));
}

static void
repush_op(const struct repair_run *r, const struct rcell *c, size_t n, struct step_op *o)
{
	(void)n;
	op_set(&o->op, "site", r->env.site);
	op_set(&o->op, "package", c->pkg->id);
	op_set(&o->op, "dp", c->res.dp);
	if (r->env.provider)
		op_set(&o->op, "provider", r->env.provider);
}

static void
delete_op(const struct repair_run *r, const struct rcell *c, size_t n, struct step_op *o)
{
	(void)r; (void)n;
	set_own(o, "path", repair_dp_dmpkg(c));
}

static void
rename_op(const struct repair_run *r, const struct rcell *c, size_t n, struct step_op *o)
{
	(void)r; (void)n;
	op_set(&o->op, "path", c->pkg->pck_path);
	op_set(&o->op, "newname", c->pkg->renamed_to);
}

/* Touching is two saves: the source path with "1" appended (n = 0), then
 * the path as it was (n = 1). */
static void
touch_op(const struct repair_run *r, const struct rcell *c, size_t n, struct step_op *o)
{
	const char *src = c->pkg->source_path;
	op_set(&o->op, "site", r->env.site);
	op_set(&o->op, "package", c->pkg->id);
	op_set(&o->op, "path", n == 0 ? keep(o, xasprintf("%s1", src)) : src);
	if (r->env.provider)
		op_set(&o->op, "provider", r->env.provider);
}

typedef void (*op_build_fn)(const struct repair_run *r, const struct rcell *c, size_t n,
    struct step_op *o);

/* The ops each action sends per unit; actions not listed send none. */
static const struct {
	enum op_kind kind;
	size_t nops;
	op_build_fn build;
} step_ops[RA_COUNT] = {
	[RA_COPY_PCK] = { OP_COPYFILE, 1, copy_op },
	[RA_SET_ATTRS] = { OP_SETATTR, 1, attrs_op },
	[RA_PRELOAD] = { OP_PRELOAD, 1, preload_op },
	[RA_REPUSH] = { OP_REFRESHNOW, 1, repush_op },
	[RA_DELETE_PKG_FILE] = { OP_DELETEFILE, 1, delete_op },
	[RA_RENAME_PCK] = { OP_RENAMEFILE, 1, rename_op },
	[RA_TOUCH_SOURCE] = { OP_SETSOURCEPATH, 2, touch_op },
};

size_t
repair_step_nops(enum repair_action a)
{
	return (unsigned)a < RA_COUNT ? step_ops[a].nops : 0;
}

void
repair_step_op(const struct repair_run *r, const struct rcell *c, enum repair_action a,
    size_t n, struct step_op *out)
{
	*out = (struct step_op){ .op = { .kind = OP_COUNT } };
	if (n >= repair_step_nops(a))
		return;   /* no such op: OP_COUNT, which every check refuses */
	out->op.kind = step_ops[a].kind;
	step_ops[a].build(r, c, n, out);
}

void
step_op_free(struct step_op *o)
{
	for (size_t i = 0; i < o->nown; i++)
		free(o->own[i]);
	o->nown = 0;
}

/* ---- calling ops ---------------------------------------------------------- */

/* Run an op for a step; on failure the step's message says why. */
static int
call(struct step_ctx *x, struct op *op, proto_record_fn fn, void *arg, int64_t ms)
{
	struct deadline dl = repair_deadline(x->run, ms);
	char *err = NULL;
	int rc = transport_call(x->run->env.t, op, fn, arg, &dl, &err);
	if (rc != 0 && x->run->env.t->read_only && op_changes_site(op->kind))
		x->refused = true;
	if (rc != 0) {
		buf_reset(&x->msg);
		buf_printf(&x->msg, "%s failed: %s", op_name(op->kind), err ? err : "?");
	}
	free(err);
	return rc;
}

/* Send op n of the running step's action, built by its op builder. */
static int
call_step(struct step_ctx *x, size_t n, proto_record_fn fn, void *arg, int64_t ms)
{
	struct step_op so;
	repair_step_op(x->run, x->cell, x->run->steps[x->step], n, &so);
	int rc = call(x, &so.op, fn, arg, ms);
	step_op_free(&so);
	return rc;
}

/* The first value of column `col` in records of type `type`. */
struct pick {
	const char *type;
	const char *col;
	char *value;
};

static int
pick_record(const struct proto_record *rec, void *arg, char **err)
{
	(void)err;
	struct pick *p = arg;
	const char *v = strcmp(rec->type, p->type) == 0 ? proto_get(rec, p->col) : NULL;
	if (v != NULL && p->value == NULL)
		p->value = xstrdup(v);
	return 0;
}

/* The two picks of copyfile's X record. */
static int
pick_records(const struct proto_record *rec, void *arg, char **err)
{
	struct pick *p = arg;
	return pick_record(rec, &p[0], err) != 0 ? -1 : pick_record(rec, &p[1], err);
}

/* How copyfile judged the copy on the DP identical (its Compared column). */
static const char *
copy_judgement(const char *compared)
{
	static const struct { const char *said, *means; } how[] = {
		{ "sha256", "same size, time and SHA-256" },
		{ "size-time", "same size and time; not hashed: a path is remote" },
		{ "size-time-fips", "same size and time; not hashed: the host enforces FIPS" },
	};
	for (size_t i = 0; compared != NULL && i < sizeof how / sizeof how[0]; i++)
		if (strcmp(compared, how[i].said) == 0)
			return how[i].means;
	return "same size and time";
}

static int
fingerprint_or_fail(struct step_ctx *x, const char *path, struct fingerprint *fp)
{
	char *err = NULL;
	int rc = repair_fingerprint(x->run, x->cell, path, fp, &err);
	if (rc != 0) {
		buf_reset(&x->msg);
		buf_printf(&x->msg, "cannot check %s: %s", path, err ? err : "?");
	}
	free(err);
	return rc;
}

/* Set the step's message and return rc (done) or -1 (fail). */
static int __attribute__((format(printf, 3, 4)))
done(struct step_ctx *x, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	buf_reset(&x->msg);
	buf_adds(&x->msg, m);
	free(m);
	return rc;
}
#define fail(x, ...) done((x), -1, __VA_ARGS__)

/* A step that needs a folder of the cell's SMS server that its layout
 * does not give fails before acting, naming the server and the setting. */
static int
path_unknown(struct step_ctx *x, bool pck)
{
	char *why = repair_path_why(x->cell, pck);
	int rc = fail(x, "%s", why);
	free(why);
	return rc;
}

/* ---- copy the PCK, attributes ---------------------------------------------- */

static int
copy_pre(struct step_ctx *x)
{
	struct rpkg *p = x->cell->pkg;
	char *dst = repair_dp_pck(x->cell);
	step_param(x, "src", p->pck_path);
	step_param(x, "dst", dst);
	free(dst);
	if (dst == NULL)
		return path_unknown(x, true);
	if (fingerprint_or_fail(x, p->pck_path, &p->pck) != 0)
		return -1;
	if (!p->pck.present)
		return fail(x, "the primary has no %s: regenerate it first (plan touch-source)",
		    p->pck_path);
	return 0;
}

static int
copy_act(struct step_ctx *x)
{
	struct pick pk[] = { { "X", "Result", NULL }, { "X", "Compared", NULL } };
	int64_t ms = OP_TIMEOUT_MS + (int64_t)(x->cell->pkg->pck.size / COPY_BYTES_PER_S) * 1000;
	if (call_step(x, 0, pick_records, pk, ms) != 0)
		return -1;
	int rc = pk[0].value && strcmp(pk[0].value, "identical") == 0 ? 1 : 0;
	if (rc)
		done(x, 0, "an identical copy is already on %s (%s): not copied again",
		    x->cell->sms_server, copy_judgement(pk[1].value));
	else
		done(x, 0, "copied to %s", x->cell->sms_server);
	free(pk[0].value);
	free(pk[1].value);
	return rc;
}

static int
copy_check(struct step_ctx *x)
{
	struct fingerprint fp;
	if (fingerprint_or_fail(x, x->param_values[1], &fp) != 0)
		return -1;
	if (!fp.present || fp.size != x->cell->pkg->pck.size)
		return fail(x, "%s is missing or not the primary's size after the copy",
		    x->param_values[1]);
	return 0;
}

/* An identical copy on the holder is not sent again; anything else (none,
 * an older or a different PCK) is sent whole. */
static uint64_t
copy_bytes(const struct rcell *c)
{
	return repair_pck_held(c) == HELD_SAME ? 0 : c->pkg->pck.size;
}

static int
attrs_pre(struct step_ctx *x)
{
	char *path = repair_dp_pck(x->cell);
	step_param(x, "path", path);
	free(path);
	if (path == NULL)
		return path_unknown(x, true);
	struct fingerprint fp;
	if (fingerprint_or_fail(x, x->param_values[0], &fp) != 0)
		return -1;
	if (!fp.present)
		return fail(x, "%s does not exist", x->param_values[0]);
	if ((fp.attrs & EV_ATTR_READONLY) && !(fp.attrs & EV_ATTR_ARCHIVE))
		return done(x, 1, "%s is already read-only with archive clear",
		    x->param_values[0]);
	return 0;
}

static int
attrs_act(struct step_ctx *x)
{
	struct pick pk = { "A", "Attrs", NULL };
	if (call_step(x, 0, pick_record, &pk, OP_TIMEOUT_MS) != 0)
		return -1;
	unsigned long a = pk.value ? strtoul(pk.value, NULL, 10) : 0;
	free(pk.value);
	if (!(a & EV_ATTR_READONLY) || (a & EV_ATTR_ARCHIVE))
		return fail(x, "the attributes of %s did not change as asked",
		    x->param_values[0]);
	return done(x, 0, "%s: read-only set, archive cleared", x->param_values[0]);
}

/* ---- PreloadPkgOnSite -------------------------------------------------------- */

/* What PreloadPkgOnSite's answers mean, in the field write-up's words, and
 * the answer a later step may branch on. */
static const struct {
	const char *says;
	enum preload_answer answer;
	const char *advice;
} preload_advice[] = {
	{ "is already set in the database", ANSWER_ALREADY_SET,
	  "a stale distmgr.box\\<id>.PKG on the site server blocks it: delete it, then "
	  "preload again (the branch of plan preload-pck)" },
	{ "Failed to get the specified package", ANSWER_OTHER,
	  "the DP's site does not know the package yet: use plan repush-wait-preload" },
	{ "Failed to find the compressed package", ANSWER_OTHER,
	  "the PCK is not in the site server's SMSPKG folder: copy it first (step 1 of "
	  "preload-pck)" },
};

struct preload_out {
	struct buf *out;
	char *code;
	char *via;
	char *detail;
};

static int
preload_record(const struct proto_record *rec, void *arg, char **err)
{
	(void)err;
	struct preload_out *p = arg;
	const char *line = strcmp(rec->type, "O") == 0 ? proto_get(rec, "Line") : NULL;
	if (line != NULL)
		buf_printf(p->out, "%s\n", line);
	const char *code = strcmp(rec->type, "X") == 0 ? proto_get(rec, "ExitCode") : NULL;
	if (code != NULL && p->code == NULL)
		p->code = xstrdup(code);
	if (strcmp(rec->type, "H") == 0 && p->via == NULL) {
		const char *via = proto_get(rec, "Via"), *d = proto_get(rec, "Detail");
		p->via = xstrdup(via ? via : "?");
		p->detail = xstrdup(d ? d : "");
	}
	return 0;
}

static int
preload_pre(struct step_ctx *x)
{
	const struct rcell *c = x->cell;
	struct step_op so;
	repair_step_op(x->run, c, RA_PRELOAD, 0, &so);
	for (size_t i = 0; i < so.op.nargs; i++)
		step_param(x, so.op.args[i].key, so.op.args[i].value);
	bool wmi = strcmp(op_arg(&so.op, "via"), "wmi") == 0;
	step_op_free(&so);
	if (wmi && c->sms.sms_dir == NULL) {
		char *why = repair_path_why(c, false);
		int rc = fail(x, "cannot start PreloadPkgOnSite on %s with WMI: its output goes "
		    "to its SMS folder, and %s", c->sms_server, why);
		free(why);
		return rc;
	}
	char *path = repair_dp_pck(c);
	if (path == NULL)
		return path_unknown(x, true);
	struct fingerprint fp;
	int rc = fingerprint_or_fail(x, path, &fp);
	if (rc == 0 && !fp.present)
		rc = fail(x, "%s does not exist: PreloadPkgOnSite would fail", path);
	else if (rc == 0 && !(fp.attrs & EV_ATTR_READONLY))
		rc = fail(x, "%s is not read-only", path);
	free(path);
	return rc;
}

/* Does a later step of the run branch on answer a (so that answering it
 * is not the end of the cell's plan)? */
static bool
branch_follows(const struct repair_run *r, size_t step, enum preload_answer a)
{
	for (size_t i = step + 1; i < r->nsteps; i++)
		if (r->when[i] != WHEN_ALWAYS && repair_when_answer(r->when[i]) == a)
			return true;
	return false;
}

/* The answer in the output, and the advice for it (NULL: none known). */
static enum preload_answer
preload_answer_of(const char *text, bool good, const char **advice)
{
	*advice = NULL;
	if (good)
		return ANSWER_OK;
	for (size_t i = 0; i < sizeof preload_advice / sizeof preload_advice[0]; i++)
		if (strstr(text, preload_advice[i].says)) {
			*advice = preload_advice[i].advice;
			return preload_advice[i].answer;
		}
	return ANSWER_OTHER;
}

static int
preload_act(struct step_ctx *x)
{
	struct buf out;
	buf_init(&out);
	struct preload_out po = { &out, NULL, NULL, NULL };
	int rc = call_step(x, 0, preload_record, &po, PRELOAD_CALL_MS);
	/* How it ran (the H row): in the journal's parameters and the output. */
	if (po.via != NULL) {
		buf_printf(&x->out, "ran via %s: %s\n", po.via, po.detail);
		step_param(x, "ran_via", po.via);
		step_param(x, "ran_detail", po.detail);
	}
	if (out.len)
		buf_adds(&x->out, out.data);
	buf_free(&out);
	const char *text = x->out.data ? x->out.data : "", *advice = NULL;
	bool good = rc == 0 && po.code && strcmp(po.code, "0") == 0 &&
	    strstr(text, "Successfully set the Compressed Package Path") &&
	    strstr(text, "Successfully forwarded the information up the hierarchy");
	struct rcell *c = x->cell;
	c->answer = rc == 0 ? preload_answer_of(text, good, &advice) : ANSWER_OTHER;
	c->answer_step = x->step;
	char *how = po.via ? xasprintf(" (via %s: %s)", po.via, po.detail) : xstrdup("");
	if (rc != 0) {
		/* call() said why */
	} else if (good) {
		done(x, 0, "PreloadPkgOnSite set the compressed package path on %s%s",
		    c->sms_server, how);
	} else if (c->answer == ANSWER_ALREADY_SET && branch_follows(x->run, x->step,
	    ANSWER_ALREADY_SET)) {
		/* The seed's branch: not the end of this cell's plan. */
		done(x, 0, "PreloadPkgOnSite answered 'already set in the database' on %s%s: "
		    "the next steps delete the stale distmgr.box PKG and preload again",
		    c->sms_server, how);
		rc = 0;
	} else {
		buf_reset(&x->msg);
		buf_printf(&x->msg, "PreloadPkgOnSite failed on %s (exit code %s)%s",
		    c->sms_server, po.code ? po.code : "unknown", how);
		if (advice != NULL)
			buf_printf(&x->msg, ": %s", advice);
		rc = -1;
	}
	free(how);
	free(po.code);
	free(po.via);
	free(po.detail);
	return good || rc == 0 ? 0 : -1;
}

/* ---- re-push, delete, rename, touch ---------------------------------------- */

static int
repush_pre(struct step_ctx *x)
{
	step_param(x, "site", x->run->env.site);
	step_param(x, "package", x->cell->pkg->id);
	step_param(x, "dp", x->cell->res.dp);
	return 0;
}

static int
repush_act(struct step_ctx *x)
{
	struct pick pk = { "R", "ServerNALPath", NULL };
	if (call_step(x, 0, pick_record, &pk, OP_TIMEOUT_MS) != 0)
		return -1;
	int rc = pk.value ? done(x, 0, "RefreshNow set for %s", pk.value) :
	    fail(x, "the provider did not confirm RefreshNow for %s", x->cell->res.dp);
	free(pk.value);
	return rc;
}

static int
delete_pre(struct step_ctx *x)
{
	char *path = repair_dp_dmpkg(x->cell);
	step_param(x, "path", path);
	free(path);
	if (path == NULL)
		return path_unknown(x, false);
	struct fingerprint fp;
	if (fingerprint_or_fail(x, x->param_values[0], &fp) != 0)
		return -1;
	return fp.present ? 0 : done(x, 1, "%s is not there: nothing to delete",
	    x->param_values[0]);
}

static int
delete_act(struct step_ctx *x)
{
	if (call_step(x, 0, NULL, NULL, OP_TIMEOUT_MS) != 0)
		return -1;
	struct fingerprint fp;
	if (fingerprint_or_fail(x, x->param_values[0], &fp) != 0)
		return -1;
	return fp.present ? fail(x, "%s is still there after the delete", x->param_values[0]) :
	    done(x, 0, "deleted %s", x->param_values[0]);
}

static int
rename_pre(struct step_ctx *x)
{
	struct rpkg *p = x->cell->pkg;
	step_param(x, "path", p->pck_path);
	step_param(x, "newname", p->renamed_to);
	struct fingerprint fp;
	if (fingerprint_or_fail(x, p->pck_path, &fp) != 0)
		return -1;
	return fp.present ? 0 : done(x, 1, "%s is not there: nothing to rename", p->pck_path);
}

static int
rename_act(struct step_ctx *x)
{
	struct rpkg *p = x->cell->pkg;
	if (call_step(x, 0, NULL, NULL, OP_TIMEOUT_MS) != 0)
		return -1;
	struct fingerprint fp;
	if (fingerprint_or_fail(x, p->pck_path, &fp) != 0)
		return -1;
	return fp.present ? fail(x, "%s is still there after the rename", p->pck_path) :
	    done(x, 0, "renamed to %s (rename it back to restore it)", p->renamed_to);
}

static int
touch_pre(struct step_ctx *x)
{
	struct rpkg *p = x->cell->pkg;
	step_param(x, "site", x->run->env.site);
	step_param(x, "package", p->id);
	step_param(x, "path", p->source_path);
	if (*p->source_path == '\0')
		return fail(x, "package %s has no source path", p->id);
	struct fingerprint fp;
	if (fingerprint_or_fail(x, p->source_path, &fp) != 0)
		return -1;
	return fp.present ? 0 : fail(x, "the source directory %s does not exist: "
	    "restore it first (plan fix-source-path)", p->source_path);
}

/* Save n of the touch (touch_op); *path is the path it set. */
static int
set_source(struct step_ctx *x, size_t n, char **path)
{
	struct step_op so;
	repair_step_op(x->run, x->cell, RA_TOUCH_SOURCE, n, &so);
	*path = xstrdup(op_arg(&so.op, "path"));
	struct pick pk = { "S", "NewPath", NULL };
	int rc = call(x, &so.op, pick_record, &pk, OP_TIMEOUT_MS);
	step_op_free(&so);
	if (rc == 0 && (pk.value == NULL || strcmp(pk.value, *path) != 0))
		rc = fail(x, "the provider did not confirm the source path %s", *path);
	free(pk.value);
	return rc;
}

static int
touch_act(struct step_ctx *x)
{
	char *tmp = NULL, *orig = NULL;
	int rc = set_source(x, 0, &tmp);
	if (rc == 0 && set_source(x, 1, &orig) != 0) {
		/* The one outcome worse than failing: the package left pointing at
		 * a folder that does not exist.  Say so loudly. */
		buf_printf(&x->msg, ". THE SOURCE PATH IS LEFT AS %s: set it back to %s "
		    "in the package's properties now", tmp, orig);
		rc = -1;
	} else if (rc == 0) {
		done(x, 0, "source path changed and restored to %s", orig);
	}
	free(tmp);
	free(orig);
	return rc;
}

static uint64_t
touch_bytes(const struct rcell *c)
{
	return c->pkg->pck.size * c->pkg->ndps;
}

/* ---- hand steps and their checks -------------------------------------------- */

static int
hand(struct step_ctx *x, const char *what)
{
	const struct repair_env *env = &x->run->env;
	if (env->hand_fix == NULL)
		return done(x, 0, "done by the administrator on %s", x->cell->res.dp);
	char *err = NULL;
	int rc = env->hand_fix(env->hand_ctx, what, x->cell->pkg->id, x->cell->res.dp, &err);
	if (rc != 0)
		fail(x, "the simulator could not make the change: %s", err ? err : "?");
	else
		done(x, 0, "demo: the simulator made the change an administrator "
		    "would make by hand");
	free(err);
	return rc;
}

static int hand_share(struct step_ctx *x) { return hand(x, "share-acl"); }
static int hand_source(struct step_ctx *x) { return hand(x, "source-dir"); }

static int
check_share(struct step_ctx *x)
{
	struct evidence e;
	evidence_init(&e, x->cell->pkg->id, x->cell->res.dp, x->run->env.primary,
	    x->run->env.site);
	/* The share the DP's layout names (SMSPKG<x>$: the drive varies). */
	if (x->cell->dpl.share != NULL)
		e.dp_share = xstrdup(x->cell->dpl.share);
	struct deadline dl = repair_deadline(x->run, OP_TIMEOUT_MS);
	char *err = NULL;
	int rc = evidence_share_acl(x->run->env.t, &e, &dl, &err);
	long i = evidence_find(&e, EV_SHARE_ACL, 0);
	int nested = i >= 0 ? e.items[i].nested : -1;
	if (rc != 0)
		fail(x, "cannot read the share's ACL: %s", err ? err : "?");
	else if (nested == 1)
		done(x, 0, "Administrators' rights on %s reach nested folders", x->cell->res.dp);
	else
		rc = fail(x, nested == 0 ? "Administrators' rights on %s still stop at the "
		    "root of the share" : "cannot tell whether the rights on %s reach nested "
		    "folders", x->cell->res.dp);
	free(err);
	evidence_free(&e);
	return rc;
}

static int
check_source(struct step_ctx *x)
{
	const char *src = x->cell->pkg->source_path;
	step_param(x, "path", src);
	struct fingerprint fp;
	if (fingerprint_or_fail(x, src, &fp) != 0)
		return -1;
	if (!fp.present || !(fp.attrs & EV_ATTR_DIRECTORY))
		return fail(x, "the source directory %s still does not exist", src);
	return done(x, 0, "the source directory %s exists", src);
}

/* ---- waits ------------------------------------------------------------------- */

static void
set_all(struct repair_run *r, size_t step, bool (*done_fn)(const struct rcell *),
    const char *ok, const char *late)
{
	for (size_t i = 0; i < r->ncells; i++) {
		struct rcell *c = &r->cells[i];
		if (!c->res.active)
			continue;
		bool good = done_fn == NULL || done_fn(c);
		c->res.step[step] = good ? RO_OK : repair_cancelled(r) ? RO_INTERRUPTED : RO_FAILED;
		free(c->res.message[step]);
		c->res.message[step] = xstrdup(good ? ok : late);
		if (!good)
			c->res.active = false;
	}
}

static bool
cell_never(const struct rcell *c)
{
	(void)c;
	return false;
}

static bool
cell_installed(const struct rcell *c)
{
	bool removal = c->res.state_before >= STATE_REMOVAL_PENDING &&
	    c->res.state_before <= STATE_REMOVAL_FAILED;
	return c->state_now == STATE_INSTALLED || (removal && c->state_now == -2);
}

static bool
pck_regenerated(const struct rcell *c)
{
	return c->pkg->stored_version > c->pkg->stored_before;
}

/* Wall ms as SMS seconds: the countdown counts from the bound the page
 * names ("up to 15 minutes" starts at 15:00), also in the demo, whose
 * minutes pass in a wall second. */
static int64_t
sms_seconds(const struct repair_run *r, int64_t ms)
{
	return ms * 60 / r->env.minute_ms;
}

/* Poll the status until every active cell satisfies done_fn, or time is up. */
static void
wait_for(struct repair_run *r, size_t step, int minutes, bool (*done_fn)(const struct rcell *),
    const char *what, const char *ok, const char *late)
{
	int64_t total = (int64_t)minutes * r->env.minute_ms;
	int poll = r->env.minute_ms / 2 < 10000 ? r->env.minute_ms / 2 : 10000;
	int64_t waited = 0;
	int failures = 0;
	char *lost = NULL;
	for (;;) {
		char *err = NULL;
		size_t left = 0, n = 0;
		if (repair_read_states(r, false, &err) == 0) {
			failures = 0;
			for (size_t i = 0; i < r->ncells; i++) {
				n += r->cells[i].res.active;
				left += r->cells[i].res.active && !done_fn(&r->cells[i]);
			}
		} else if (++failures >= WAIT_READ_FAILURES) {
			/* The site cannot be read: end the step (and journal it)
			 * now rather than wait out the whole time blind. */
			lost = xasprintf("cannot read the status any more (%s): look at the "
			    "cell again once the site answers", err);
			free(err);
			break;
		} else {
			repair_progress(r, "status query failed, trying again: %s", err);
			left = 1;
		}
		free(err);
		if (left == 0 || waited >= total || repair_cancelled(r))
			break;
		int64_t rem = sms_seconds(r, total - waited);
		if (failures == 0)
			repair_progress(r, "waiting for %s: %zu of %zu cell%s to go, %lld:%02lld "
			    "left", what, left, n, n == 1 ? "" : "s", (long long)(rem / 60),
			    (long long)(rem % 60));
		/* After a failed read, try again soon: a lost site ends the
		 * step in seconds, not in polls. */
		int nap = failures && poll > WAIT_RETRY_MS ? WAIT_RETRY_MS : poll;
		if (!repair_sleep(r, nap))
			break;
		waited += nap;
	}
	if (lost != NULL)
		set_all(r, step, cell_never, "", lost);
	else
		set_all(r, step, done_fn, ok, repair_cancelled(r) ? "cancelled while waiting" :
		    late);
	free(lost);
}

static void
wait_known(struct repair_run *r, size_t step)
{
	int64_t total = (int64_t)WAIT_KNOWN_MIN * r->env.minute_ms;
	int slice = r->env.minute_ms / 2 > 0 ? r->env.minute_ms / 2 : 1;
	for (int64_t waited = 0; waited < total; waited += slice) {
		int64_t rem = sms_seconds(r, total - waited);
		repair_progress(r, "waiting for the package information to replicate: "
		    "%lld:%02lld left", (long long)(rem / 60), (long long)(rem % 60));
		if (!repair_sleep(r, slice))
			break;
	}
	set_all(r, step, NULL, "waited for replication", "");
	if (repair_cancelled(r))
		set_all(r, step, cell_installed, "", "cancelled while waiting");
}

static void
wait_regenerated(struct repair_run *r, size_t step)
{
	for (size_t i = 0; i < r->npkgs; i++)
		r->pkgs[i].stored_before = r->pkgs[i].stored_version;
	wait_for(r, step, WAIT_REGEN_MIN, pck_regenerated, "the new PCK",
	    "the primary regenerated the PCK (StoredPkgVersion rose)",
	    "the PCK did not regenerate: use plan rename-pck-touch-source");
}

static void
wait_installed(struct repair_run *r, size_t step)
{
	wait_for(r, step, WAIT_INSTALL_MIN, cell_installed, "Installed",
	    "the DP reports Installed",
	    "not installed yet: SMS may need longer (refresh later), or open the cell's "
	    "details for new evidence");
}

/* ---- the table ---------------------------------------------------------------- */

const struct action_def repair_actions[RA_COUNT] = {
	[RA_COPY_PCK] = { "Copy the PCK from the primary to the site server", UNIT_HOLDER, false,
	    "{HOLDERWHO} (reads {PRI})",
	    "copy {PCK} on {PRI} to {DPPCK} (skipped when an identical copy is there)",
	    "creates or replaces {DPPCK}",
	    "the primary's PCK exists; the cell is still not installed",
	    "{COPYWAY}",
	    "the copy on {HOLDER} exists and has the primary's size",
	    "check that {PCKDIR} is reachable from {PRI} and has room for {SIZE}; "
	    "the file can also be copied by hand. Nothing else was changed.",
	    copy_pre, copy_act, copy_check, NULL, copy_bytes },
	[RA_SET_ATTRS] = { "Make the PCK read-only, clear archive", UNIT_HOLDER, false,
	    "{HOLDERWHO}", "set read-only and clear archive on {DPPCK} (what attrib +R -A does)",
	    "the file's attributes: read-only set, archive cleared, like SMS's own PCKs",
	    "the PCK exists on {HOLDER}", "{HOLDER} only; no bytes sent",
	    "read-only is set and archive is clear",
	    "set them by hand in the file's properties, then run the plan again",
	    attrs_pre, attrs_act, NULL, NULL, NULL },
	[RA_PRELOAD] = { "Run PreloadPkgOnSite.exe on the site server", UNIT_HOLDER, false,
	    "{HOLDERWHO}", "run PreloadPkgOnSite.exe {ID} on {HOLDER} ({PRELOAD})",
	    "{HOLDER}'s site records the compressed package path of {ID}; SMS unpacks the "
	    "PCK onto its DPs and forwards the package status up the hierarchy",
	    "the PCK exists on {HOLDER} and is read-only",
	    "{HOLDER} only; no bytes sent; PreloadPkgOnSite {PRELOADWAY}",
	    "the output says \"Successfully set the Compressed Package Path\" and "
	    "\"Successfully forwarded the information up the hierarchy\", exit code 0",
	    "\"already set in the database\": the plan's next steps delete the stale "
	    "distmgr.box PKG on {HOLDER} and preload again; \"Failed to get the specified "
	    "package\": plan repush-wait-preload; \"Failed to find the compressed package\": "
	    "the PCK is not in {HOLDER}'s SMSPKG; the program not found: set preload_exe in "
	    "[server {HOLDER}] of the configuration",
	    preload_pre, preload_act, NULL, NULL, NULL },
	[RA_REPUSH] = { "Re-push the package to the DP", UNIT_CELL, false,
	    "{DP} (through the SMS provider on {PROV})",
	    "set RefreshNow on SMS_DistributionPoint for {ID} on {DP} (site {SITE})",
	    "asks distribution manager to update {ID} on {DP}",
	    "the cell is still not installed",
	    "{DP}; the PCK is sent again unless the DP holds this very version (an older "
	    "PCK there is replaced: {SIZE} cross). May act like RefreshPkgSource (all {NDPS} DPs of {ID}): see the caveat",
	    "the provider confirms the change",
	    "re-push the package to this DP from the SMS Administrator Console",
	    repush_pre, repush_act, NULL, NULL, NULL },
	[RA_DELETE_PKG_FILE] = { "Delete the stale distmgr.box PKG on the site server",
	    UNIT_HOLDER, false, "{HOLDERWHO}", "delete {DMPKG}",
	    "removes {HOLDER}'s stale work file for {ID}; SMS writes a new one when needed",
	    "PreloadPkgOnSite answered 'already set in the database'; the file exists and "
	    "is unchanged since this plan was shown",
	    "{HOLDER} only; no bytes sent", "the file is gone",
	    "delete it by hand; if it comes straight back a deployment is still running: "
	    "wait, refresh and look again",
	    delete_pre, delete_act, NULL, NULL, NULL },
	[RA_RENAME_PCK] = { "Rename the primary's PCK out of the way", UNIT_PACKAGE, false,
	    "{PRI}", "rename {PCK} to {RENAMED}",
	    "the primary's PCK gets a new name (kept, so it can be renamed back); SMS "
	    "must build a new one",
	    "the PCK exists and is unchanged since this plan was shown",
	    "{PRI} only; the next steps redeploy {ID} to all {NDPS} DPs",
	    "{PCK} no longer exists",
	    "rename it by hand on {PRI}; if it is in use, distribution manager is "
	    "sending it: wait and try again",
	    rename_pre, rename_act, NULL, NULL, NULL },
	[RA_TOUCH_SOURCE] = { "Touch the package source path", UNIT_PACKAGE, false,
	    "{PRI} (package {ID}, through the SMS provider on {PROV})",
	    "set the source path of {ID} to {SRC}1 and save, then back to {SRC} and save",
	    "the package's source version: SMS recompresses the PCK and sends it to "
	    "every DP of the package",
	    "the source directory {SRC} exists",
	    "EVERY DP of {ID}: {NDPS} DPs x {SIZE} = {TOTAL} over the WAN",
	    "the provider confirms the path is {SRC} again",
	    "if the path was left as {SRC}1, set it back to {SRC} in the package's "
	    "properties at once",
	    touch_pre, touch_act, NULL, NULL, touch_bytes },
	[RA_HAND_SHARE_ACL] = { "Fix the share permissions (by hand)", UNIT_SERVER, true,
	    "{DP} (you do this, not dpdoctor)",
	    "on {DP}, give Administrators Full Control of {SHARE} (share {SHARENAME}) for "
	    "\"This folder, "
	    "subfolders and files\", e.g.  icacls {SHARE} /grant Administrators:(OI)(CI)F",
	    "the permissions of {SHARE} on {DP} (made by you)",
	    "-", "{DP} only",
	    "the next step reads the share's ACL",
	    "answer no to stop here; the cell stays as it is",
	    NULL, hand_share, NULL, NULL, NULL },
	[RA_CHECK_SHARE_ACL] = { "Check the share permissions", UNIT_SERVER, false,
	    "{DP}", "read the ACL of \\\\{DP}\\{SHARENAME}",
	    "nothing (a check)", "-", "{DP} only; no bytes sent",
	    "Administrators' rights are inherited by subfolders",
	    "the rights still stop at the root: fix them as the previous step says, "
	    "then run the plan again",
	    NULL, check_share, NULL, NULL, NULL },
	[RA_HAND_SOURCE_DIR] = { "Restore the package source directory (by hand)",
	    UNIT_PACKAGE, true, "{SRCSRV} (you do this, not dpdoctor)",
	    "restore {SRC} from backup or the vendor's media; check on {PRI} with  "
	    "Test-Path '{SRC}'",
	    "the package's source files (restored by you)",
	    "-", "{SRCSRV} only",
	    "the next step checks that {SRC} exists",
	    "answer no to stop here; the cell stays as it is",
	    NULL, hand_source, NULL, NULL, NULL },
	[RA_CHECK_SOURCE_DIR] = { "Check the source directory", UNIT_PACKAGE, false,
	    "{SRCSRV}", "Test-Path '{SRC}'   (on {PRI})",
	    "nothing (a check)", "-", "no bytes sent",
	    "{SRC} exists and is a directory",
	    "it still does not exist: restore it as the previous step says, then run "
	    "the plan again",
	    NULL, check_source, NULL, NULL, NULL },
	[RA_WAIT_KNOWN] = { "Wait for the package information to reach the DP's site",
	    UNIT_ALL, false, "{DP}",
	    "wait {MIN_KNOWN} minutes for SMS to replicate the package information",
	    "nothing (a wait)", "-", "-",
	    "PreloadPkgOnSite in a later step tells whether the DP's site knows {ID}",
	    "wait longer and run the plan again",
	    NULL, NULL, NULL, wait_known, NULL },
	[RA_WAIT_REGENERATED] = { "Wait for the primary to regenerate the PCK", UNIT_ALL,
	    false, "{PRI}",
	    "poll SMS_Package.StoredPkgVersion of {ID} for up to {MIN_REGEN} minutes",
	    "nothing (a wait)", "-", "-",
	    "StoredPkgVersion rises above {STORED}",
	    "the PCK did not regenerate: use plan rename-pck-touch-source",
	    NULL, NULL, NULL, wait_regenerated, NULL },
	[RA_WAIT_INSTALLED] = { "Wait for the DP to report Installed", UNIT_ALL, false,
	    "{DP}", "poll the status of {ID} on {DP} for up to {MIN_INSTALL} minutes",
	    "nothing (a wait)", "-", "-",
	    "State = 0 (Installed); for a removal, the cell is gone",
	    "SMS may need longer: refresh later; if it stays failed, open the cell's "
	    "details for the new evidence",
	    NULL, NULL, NULL, wait_installed, NULL },
};
