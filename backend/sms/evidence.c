/*
 * Gathering the evidence for one package/DP cell, in the order the field
 * write-up checks things: the package as SMS knows it, its source folder,
 * the primary's compressed copy (PCK), what the DP holds (PCK, INCOMING
 * package files, distmgr.box and pkginfo.box files, the folder on its dist
 * share and the share's ACL), both distmgr.logs and the status messages.
 * What the DP is to the package decides where each thing is read (an
 * own-site DP has no SMS; a child site's plain DP is served by its site
 * server), and each server's layout (layout.h) where on it: no drive
 * letter is assumed.  Every source is one read-only op through the
 * transport (other servers are read over their administrative shares, or
 * by their own transport through the route); a source that fails becomes
 * an EV_UNREACHABLE item and the others still run.
 */
#include "autoconf.h"
#include "backend/sms/evidence.h"
#include "backend/sms/layout.h"
#include "backend/core/nal.h"
#include "backend/ops/ops.h"
#include "backend/core/proto.h"
#include "backend/core/wmitime.h"
#include "backend/sms/smslog.h"

#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_MAX_LINES "2000"
#define STATMSG_MAX "200"

static const struct enum_name kind_names[] = {
#define X(e, n, g) { e, n },
	EVIDENCE_KIND_TABLE(X)
#undef X
};

static const char *const kind_groups[] = {
#define X(e, n, g) [e] = g,
	EVIDENCE_KIND_TABLE(X)
#undef X
};

const char *
evidence_kind_name(enum evidence_kind k)
{
	return enum_name(kind_names, ENUM_NAMES_COUNT(kind_names), (int)k, "?");
}

const char *
evidence_kind_group(enum evidence_kind k)
{
	return (unsigned)k < EV_KIND_COUNT ? kind_groups[k] : "?";
}

void
evidence_init(struct evidence *e, const char *pkgid, const char *dp,
    const char *primary, const char *site)
{
	memset(e, 0, sizeof *e);
	snprintf(e->pkgid, sizeof e->pkgid, "%s", pkgid ? pkgid : "");
	e->dp = xstrdup(dp ? dp : "");
	e->primary = xstrdup(primary ? primary : "");
	snprintf(e->site, sizeof e->site, "%s", site ? site : "");
}

static void
item_free(struct evidence_item *it)
{
	free(it->server);
	free(it->source);
	free(it->text);
	free(it->error);
	free(it->package);
	free(it->machine);
	free(it->dp_nal);
	for (size_t i = 0; i < it->nistr; i++)
		free(it->istr[i]);
	free(it->istr);
}

void
evidence_free(struct evidence *e)
{
	for (size_t i = 0; i < e->nitems; i++)
		item_free(&e->items[i]);
	free(e->items);
	free(e->dp);
	free(e->primary);
	free(e->sms_server);
	free(e->dp_share);
	package_clear(&e->pkg);
	memset(e, 0, sizeof *e);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct evidence_item *
evidence_add(struct evidence *e, const struct evidence_item *it)
{
	e->items = xreallocarray(e->items, e->nitems + 1, sizeof *e->items);
	struct evidence_item *n = &e->items[e->nitems++];
	*n = *it;
	n->server = dup_or_null(it->server);
	n->source = dup_or_null(it->source);
	n->text = dup_or_null(it->text);
	n->error = dup_or_null(it->error);
	n->package = dup_or_null(it->package);
	n->machine = dup_or_null(it->machine);
	n->dp_nal = dup_or_null(it->dp_nal);
	n->istr = it->nistr ? xcalloc(it->nistr, sizeof *n->istr) : NULL;
	for (size_t i = 0; i < it->nistr; i++)
		n->istr[i] = xstrdup(it->istr[i]);
	return n;
}

static void
copy_package(struct package *to, const struct package *p)
{
	*to = *p;
	to->name = dup_or_null(p->name);
	to->manufacturer = dup_or_null(p->manufacturer);
	to->version = dup_or_null(p->version);
	to->language = dup_or_null(p->language);
	to->source_path = dup_or_null(p->source_path);
	to->stored_path = dup_or_null(p->stored_path);
}

void
evidence_copy(struct evidence *dst, const struct evidence *src)
{
	evidence_init(dst, src->pkgid, src->dp, src->primary, src->site);
	dst->kind = src->kind;
	memcpy(dst->dp_site, src->dp_site, sizeof dst->dp_site);
	dst->sms_server = dup_or_null(src->sms_server);
	dst->dp_share = dup_or_null(src->dp_share);
	copy_package(&dst->pkg, &src->pkg);
	dst->cell = src->cell;
	dst->have_cell = src->have_cell;
	dst->complete = src->complete;
	for (size_t i = 0; i < src->nitems; i++)
		evidence_add(dst, &src->items[i]);
}

long
evidence_find(const struct evidence *e, enum evidence_kind k, size_t from)
{
	for (size_t i = from; i < e->nitems; i++)
		if (e->items[i].kind == k)
			return (long)i;
	return -1;
}

/* ---- sorting --------------------------------------------------------------- */

struct sort_ref {
	const struct evidence_item *it;
	size_t idx;
};

/* A log's older file (.lo_) comes before its current one. */
static int
file_rank(const char *source)
{
	size_t n = source ? strlen(source) : 0;
	return n > 4 && strcasecmp(source + n - 4, ".lo_") == 0 ? 0 : 1;
}

static int
cmp_newest(const struct evidence_item *a, const struct evidence_item *b)
{
	if (a->when != b->when)
		return a->when > b->when ? -1 : 1;
	if (a->kind == EV_STATMSG && a->record_id != b->record_id)
		return a->record_id > b->record_id ? -1 : 1;
	if (a->kind == EV_LOG) {
		int c = strcmp(a->server ? a->server : "", b->server ? b->server : "");
		if (c != 0)
			return c;
		if (file_rank(a->source) != file_rank(b->source))
			return file_rank(a->source) > file_rank(b->source) ? -1 : 1;
		if (a->offset != b->offset)
			return a->offset > b->offset ? -1 : 1;
	}
	return 0;
}

static int
sort_cmp(const void *x, const void *y)
{
	const struct sort_ref *a = x, *b = y;
	if (a->it->kind != b->it->kind)
		return a->it->kind < b->it->kind ? -1 : 1;
	int c = 0;
	if (a->it->kind == EV_LOG || a->it->kind == EV_STATMSG)
		c = cmp_newest(a->it, b->it);
	return c != 0 ? c : a->idx < b->idx ? -1 : a->idx > b->idx;
}

void
evidence_sort(struct evidence *e)
{
	if (e->nitems < 2)
		return;
	struct sort_ref *r = xcalloc(e->nitems, sizeof *r);
	for (size_t i = 0; i < e->nitems; i++)
		r[i] = (struct sort_ref){ &e->items[i], i };
	array_sort(r, e->nitems, sizeof *r, sort_cmp);
	struct evidence_item *v = xcalloc(e->nitems, sizeof *v);
	for (size_t i = 0; i < e->nitems; i++)
		v[i] = *r[i].it;
	free(e->items);
	e->items = v;
	free(r);
}

/* ---- reading log lines ------------------------------------------------------------ */

/* The parts of one raw log line the evidence keeps, read by the log parser
 * (every SMS/ConfigMgr shape, zones, STATMSG fields). */
struct line_fields {
	dpd_time when;
	int severity;
	int msgid;
	char *text;
};

static int
line_entry(const struct smslog_entry *en, void *arg)
{
	struct line_fields *f = arg;
	f->when = en->utc_known ? en->utc : 0;
	f->severity = (int)en->severity;
	f->msgid = en->statmsg ? en->statmsg->id : 0;
	f->text = xstrndup(en->text.p, en->text.n);
	return 1; /* one line, one entry */
}

static void
line_parse(const char *line, struct line_fields *f)
{
	memset(f, 0, sizeof *f);
	if (smslog_parse_buffer(line, strlen(line), NULL, NULL, line_entry, f) == 0 ||
	    f->text == NULL)
		f->text = xstrdup(line);
}

/* ---- where things live ------------------------------------------------------------ */

static void
place_copy(struct layout *to, char **to_err, const struct layout *from, const char *from_err)
{
	layout_copy(to, from);
	*to_err = from_err ? xstrdup(from_err) : NULL;
}

static void
place_learn(const struct site_env *env, const struct snapshot *snap, const char *server,
    const struct deadline *dl, struct layout *l, char **lerr)
{
	if (layout_get(env, snap, server, dl, l, lerr) != 0 && *lerr == NULL)
		*lerr = xasprintf("where SMS lives on %s could not be learned", server);
}

/* Which server's SMS serves the DP, and whether that is a guess. */
static const char *
place_sms_server(struct evidence_place *out, const struct snapshot *snap, long d)
{
	const char *sms = d >= 0 ? snapshot_sms_server(snap, (size_t)d) : NULL;
	switch (out->kind) {
	case DPK_OWN_SITE:
		return out->primary;
	case DPK_CHILD_DP:
		if (sms != NULL)
			return sms;
		break;
	case DPK_CHILD_SERVER:
		return out->dp;
	default:
		break;
	}
	out->kind_guessed = true;
	return out->dp;
}

int
evidence_place(const struct site_env *env, const struct snapshot *snap, const char *pkgid,
    const char *dp, const struct deadline *dl, struct evidence_place *out, char **err)
{
	memset(out, 0, sizeof *out);
	const char *primary = env->primary && *env->primary ? env->primary : env->t->host;
	if (!pkgid_valid(pkgid) || dp == NULL || !servername_valid(dp) ||
	    !servername_valid(primary)) {
		err_set(err, "evidence: bad package ID or server name");
		return -1;
	}
	out->dp = xstrdup(dp);
	out->primary = xstrdup(primary);
	long p = snap ? snapshot_find_pkg(snap, pkgid) : -1;
	long d = snap ? snapshot_find_dp(snap, dp) : -1;
	out->kind = p >= 0 && d >= 0 ? snapshot_dp_kind(snap, (size_t)p, (size_t)d) : DPK_UNKNOWN;
	if (d >= 0)
		snprintf(out->dp_site, sizeof out->dp_site, "%s", snap->dps[d].site_code);
	out->sms_server = xstrdup(place_sms_server(out, snap, d));
	place_learn(env, snap, primary, dl, &out->pril, &out->pri_err);
	if (strcasecmp(out->sms_server, primary) == 0)
		place_copy(&out->smsl, &out->sms_err, &out->pril, out->pri_err);
	else
		place_learn(env, snap, out->sms_server, dl, &out->smsl, &out->sms_err);
	if (strcasecmp(dp, out->sms_server) == 0)
		place_copy(&out->dpl, &out->dp_err, &out->smsl, out->sms_err);
	else if (strcasecmp(dp, primary) == 0)
		place_copy(&out->dpl, &out->dp_err, &out->pril, out->pri_err);
	else
		place_learn(env, snap, dp, dl, &out->dpl, &out->dp_err);
	return 0;
}

void
evidence_place_free(struct evidence_place *p)
{
	free(p->dp);
	free(p->primary);
	free(p->sms_server);
	layout_clear(&p->dpl);
	layout_clear(&p->smsl);
	layout_clear(&p->pril);
	free(p->dp_err);
	free(p->sms_err);
	free(p->pri_err);
	memset(p, 0, sizeof *p);
}

char *
evidence_place_path(const struct evidence_place *p, const struct transport *t,
    enum place_dir d, const char *rel)
{
	static const struct {
		size_t server;     /* offsetof the server's name */
		size_t lay;        /* offsetof its layout */
		size_t dir;        /* offsetof the folder in struct layout */
	} where[] = {
		[PLACE_SMS] = { offsetof(struct evidence_place, sms_server),
			offsetof(struct evidence_place, smsl), offsetof(struct layout, sms_dir) },
		[PLACE_PCK] = { offsetof(struct evidence_place, sms_server),
			offsetof(struct evidence_place, smsl), offsetof(struct layout, pck_dir) },
		[PLACE_SHARE] = { offsetof(struct evidence_place, dp),
			offsetof(struct evidence_place, dpl), offsetof(struct layout, share_dir) },
		[PLACE_PRIMARY_SMS] = { offsetof(struct evidence_place, primary),
			offsetof(struct evidence_place, pril), offsetof(struct layout, sms_dir) },
		[PLACE_PRIMARY_PCK] = { offsetof(struct evidence_place, primary),
			offsetof(struct evidence_place, pril), offsetof(struct layout, pck_dir) },
	};
	if ((unsigned)d >= sizeof where / sizeof where[0])
		return NULL;
	const char *server = *(char *const *)((const char *)p + where[d].server);
	const char *lay = (const char *)p + where[d].lay;
	const char *dir = *(char *const *)(lay + where[d].dir);
	if (server == NULL || dir == NULL)
		return NULL;
	if (t != NULL && strcasecmp(server, t->host) != 0)
		return layout_unc(server, dir, rel);
	size_t n = strlen(dir);
	while (n > 3 && dir[n - 1] == '\\')
		n--;
	return rel && *rel ? xasprintf("%.*s%s%s", (int)n, dir, dir[n - 1] == '\\' ? "" : "\\", rel) :
	    xstrndup(dir, n);
}

char *
evidence_dp_words(const struct evidence *e)
{
	const char *site = e->dp_site[0] ? e->dp_site : "?";
	const char *sms = e->sms_server ? e->sms_server : "?";
	switch (e->kind) {
	case DPK_OWN_SITE:
		return xasprintf("%s is a DP of the package's own site %s: no SMS there, so no "
		    "PCK, inboxes or preload; its problems show in %s's distmgr.log", e->dp,
		    site, sms);
	case DPK_CHILD_SERVER:
		return xasprintf("%s is the site server of child site %s: its PCK, inboxes and "
		    "distmgr.log are its own", e->dp, site);
	case DPK_CHILD_DP:
		return xasprintf("%s is a DP of child site %s: its PCK, inboxes and distmgr.log "
		    "are on that site's server %s", e->dp, site, sms);
	default:
		return xasprintf("%s's site (%s) is not in the site list: it is taken to hold "
		    "SMS itself, as a child site server does (a guess)", e->dp, site);
	}
}

/* ---- gathering -------------------------------------------------------------------- */

struct gather {
	struct evidence *e;
	const struct site_env *env;  /* NULL for the single checks */
	const struct snapshot *snap;
	struct transport *t;
	const struct deadline *dl;
	dpd_time base;         /* the site's clock at the snapshot */
	int64_t start_ms;
	char *nested;          /* the package folder below the share, as a log names it */
	size_t ok;             /* sources that answered */
	struct evidence_place pl;
};

/* A source that does not apply to this DP's kind. */
#define SRC_NA 1

static dpd_time
now_site(const struct gather *g)
{
	return g->base + (dpd_time)((clock_mono_ms() - g->start_ms) / 1000);
}

/* A source that could not be read.  When the WMI host's key log-in is
 * why (another server, refused as a session without network credentials
 * is), the item says that instead of the raw error. */
static void
add_unreachable(struct gather *g, const char *server, const char *source,
    const char *why)
{
	char *nc = NULL;
	if (server != NULL && why != NULL && strcasecmp(server, g->t->host) != 0)
		nc = transport_netcred_why(g->t, server, why);
	struct evidence_item it = { .kind = EV_UNREACHABLE, .server = (char *)server,
	    .source = (char *)source, .read_at = now_site(g), .error = nc ? nc : (char *)why,
	    .netcred = nc != NULL, .nested = -1 };
	evidence_add(g->e, &it);
	free(nc);
}

/* A folder of the place not known: why, as an unreachable item. */
static int
place_missing(struct gather *g, const char *server, const char *what, const char *why)
{
	char *src = xasprintf("%s on %s", what, server);
	add_unreachable(g, server, src, why ? why : "not learned (no SMS install there?)");
	free(src);
	return -1;
}

static int
parse_u64(const char *v, uint64_t *out)
{
	char *end;
	errno = 0;
	*out = 0;
	if (v == NULL || *v == '\0')
		return 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || *v == '-')
		return -1;
	*out = n;
	return 0;
}

/* A time column: file times come as ISO UTC; a status message's Time as
 * WMI writes it (a CIM_DATETIME, read into UTC with its offset). */
static int
parse_when(const char *v, dpd_time *out)
{
	*out = 0;
	return wmi_time_parse_column(v, out);
}

/* The server a Windows path lives on: the UNC host, else the transport's
 * own host (a local path is read where the script runs). */
static char *
path_server(const struct gather *g, const char *win)
{
	if (strncmp(win, "\\\\", 2) != 0)
		return xstrdup(g->t->host);
	return xstrndup(win + 2, strcspn(win + 2, "\\"));
}

/* ---- file rows (pathinfo, dirlist) ------------------------------------------ */

struct want {
	char *path;
	enum evidence_kind kind;
};

struct files_ctx {
	struct gather *g;
	const struct want *w;  /* pathinfo: what each asked path is */
	size_t nw;
	size_t listed;         /* dirlist: rows kept */
};

/* A file row.  Its Version and PackageID columns are not read: no real
 * host can tell a PCK's version or an INCOMING file's package (only a
 * simulator could), and evidence must be what a real host gives. */
static int
file_item(const struct proto_record *r, struct evidence_item *it, char **err)
{
	uint64_t size, attrs;
	const char *exists = proto_get(r, "Exists");
	if (parse_u64(proto_get(r, "Size"), &size) != 0 ||
	    parse_u64(proto_get(r, "Attrs"), &attrs) != 0 || attrs > UINT32_MAX ||
	    parse_when(proto_get(r, "MTime"), &it->when) != 0) {
		err_set(err, "line %zu: bad size, attributes or time", r->lineno);
		return -1;
	}
	it->present = exists != NULL && strcmp(exists, "1") == 0;
	it->size = size;
	it->attrs = (uint32_t)attrs;
	it->version = 0;
	return 0;
}

static int
files_record(const struct proto_record *r, void *arg, char **err)
{
	struct files_ctx *c = arg;
	const char *path = proto_get(r, "Path"), *why = proto_get(r, "Error");
	if (strcmp(r->type, "F") != 0 || path == NULL)
		return 0;
	enum evidence_kind kind = EV_INCOMING;
	if (c->w != NULL) {
		size_t i = 0;
		while (i < c->nw && strcasecmp(c->w[i].path, path) != 0)
			i++;
		if (i == c->nw)
			return 0; /* not a path we asked about */
		kind = c->w[i].kind;
	}
	char *server = path_server(c->g, path);
	struct evidence_item it = { .kind = kind, .server = server,
	    .source = (char *)path, .read_at = now_site(c->g), .nested = -1 };
	int rc = 0;
	if (why != NULL && *why != '\0') {
		add_unreachable(c->g, server, path, why);
	} else if ((rc = file_item(r, &it, err)) == 0) {
		/* Whose an INCOMING file is, only a log line can tell (later). */
		it.package = (char *)"";
		evidence_add(c->g->e, &it);
		c->listed++;
	}
	free(server);
	return rc;
}

/* pathinfo over `n` wanted paths (those not valid for the op are
 * reported unreachable without asking). */
static int
ask_paths(struct gather *g, struct want *w, size_t n, char **err)
{
	struct buf list;
	buf_init(&list);
	for (size_t i = 0; i < n; i++) {
		if (!ops_path_valid(w[i].path)) {
			char *server = path_server(g, w[i].path);
			add_unreachable(g, server, w[i].path, "cannot ask about this path: "
			    "it is not a Windows path dpdoctor will send");
			free(server);
			continue;
		}
		if (list.len > 0)
			buf_addc(&list, '|');
		buf_adds(&list, w[i].path);
	}
	int rc = 0;
	if (list.len > 0) {
		struct op op = { .kind = OP_PATHINFO };
		op_set(&op, "paths", list.data);
		struct files_ctx c = { .g = g, .w = w, .nw = n };
		rc = transport_call(g->t, &op, files_record, &c, g->dl, err);
		if (rc != 0) {
			char *server = path_server(g, w[0].path);
			add_unreachable(g, server, list.data, *err);
			free(server);
		}
	}
	buf_free(&list);
	for (size_t i = 0; i < n; i++)
		free(w[i].path);
	return rc;
}

/* A path on the primary as it names it ("E:\\SMSPKG\\X.PCK"), as the
 * transport's host reaches it. */
static char *
on_primary(const struct gather *g, const char *local)
{
	if (strcasecmp(g->pl.primary, g->t->host) == 0)
		return xstrdup(local);
	return layout_unc(g->pl.primary, local, NULL);
}

static int
src_primary(struct gather *g, char **err)
{
	const struct package *p = &g->e->pkg;
	struct want w[2];
	size_t n = 0;
	char *rel = xasprintf("%s.PCK", g->e->pkgid);
	char *pck = p->stored_path && *p->stored_path ? on_primary(g, p->stored_path) :
	    evidence_place_path(&g->pl, g->t, PLACE_PRIMARY_PCK, rel);
	free(rel);
	if (pck != NULL)
		w[n++] = (struct want){ pck, EV_PCK_PRIMARY };
	else
		place_missing(g, g->pl.primary, "the PCK folder", g->pl.pri_err);
	if (p->source_path != NULL && *p->source_path != '\0')
		w[n++] = (struct want){ xstrdup(p->source_path), EV_SOURCE_DIR };
	return n > 0 ? ask_paths(g, w, n, err) : -1;
}

/* The PCK and inbox files on the server whose SMS serves the DP. */
static int
src_dp_files(struct gather *g, char **err)
{
	if (g->e->kind == DPK_OWN_SITE)
		return SRC_NA;
	const char *id = g->e->pkgid;
	char *pck = xasprintf("%s.PCK", id);
	char *dm = xasprintf("inboxes\\distmgr.box\\%s.PKG", id);
	char *pi = xasprintf("inboxes\\pkginfo.box\\%s.PKG", id);
	char *nal = xasprintf("inboxes\\pkginfo.box\\%s.NAL", id);
	struct want w[] = {
		{ evidence_place_path(&g->pl, g->t, PLACE_PCK, pck), EV_PCK_DP },
		{ evidence_place_path(&g->pl, g->t, PLACE_SMS, dm), EV_DISTMGR_PKG },
		{ evidence_place_path(&g->pl, g->t, PLACE_SMS, pi), EV_PKGINFO },
		{ evidence_place_path(&g->pl, g->t, PLACE_SMS, nal), EV_PKGINFO },
	};
	free(pck);
	free(dm);
	free(pi);
	free(nal);
	size_t n = sizeof w / sizeof w[0];
	if (w[0].path == NULL || w[1].path == NULL) {
		for (size_t i = 0; i < n; i++)
			free(w[i].path);
		return place_missing(g, g->pl.sms_server, "the SMS and PCK folders", g->pl.sms_err);
	}
	return ask_paths(g, w, n, err);
}

static int
src_incoming(struct gather *g, char **err)
{
	if (g->e->kind == DPK_OWN_SITE)
		return SRC_NA;
	char *dir = evidence_place_path(&g->pl, g->t, PLACE_SMS, "inboxes\\distmgr.box\\INCOMING");
	if (dir == NULL)
		return place_missing(g, g->pl.sms_server, "the INCOMING inbox", g->pl.sms_err);
	struct op op = { .kind = OP_DIRLIST };
	op_set(&op, "dir", dir);
	op_set(&op, "pattern", "*.PKG");
	struct files_ctx c = { .g = g };
	int rc = transport_call(g->t, &op, files_record, &c, g->dl, err);
	if (rc != 0) {
		add_unreachable(g, g->pl.sms_server, dir, *err);
	} else if (c.listed == 0) {
		/* Asked and found none: that is evidence too. */
		char *src = xasprintf("%s\\*.PKG", dir);
		struct evidence_item it = { .kind = EV_INCOMING, .server = g->pl.sms_server,
		    .source = src, .read_at = now_site(g), .nested = -1,
		    .package = (char *)"" };
		evidence_add(g->e, &it);
		free(src);
	}
	free(dir);
	return rc;
}

/* ---- logs -------------------------------------------------------------------- */

struct log_ctx {
	struct gather *g;
	const char *server;
};

/* A log line naming the package's folder below the dist share (as in
 * "Failed to create directory E:\SMSPKGE$\Apps\<id>") tells us where the
 * package keeps it when that is nested. */
static void
learn_nested(struct gather *g, const char *line)
{
	const char *share = g->e->dp_share;
	const char *p = share ? strcasestr(line, share) : NULL;
	if (g->nested != NULL || p == NULL || p[strlen(share)] != '\\')
		return;
	p += strlen(share) + 1;
	size_t n = strcspn(p, ", \"'");
	char *rest = xstrndup(p, n);
	const char *tail = strrchr(rest, '\\');
	/* Only a folder below the first level ("Apps\<id>") is nested. */
	if (tail != NULL && strcasecmp(tail + 1, g->e->pkgid) == 0 && n < 256)
		g->nested = rest;
	else
		free(rest);
}

static int
log_record(const struct proto_record *r, void *arg, char **err)
{
	struct log_ctx *c = arg;
	const char *file = proto_get(r, "File"), *line = proto_get(r, "Line");
	uint64_t off;
	if (strcmp(r->type, "L") != 0)
		return 0;
	if (file == NULL || line == NULL || parse_u64(proto_get(r, "Offset"), &off) != 0) {
		err_set(err, "line %zu: a log line without file, offset or text", r->lineno);
		return -1;
	}
	for (size_t i = 0; i < c->g->e->nitems; i++) {
		const struct evidence_item *o = &c->g->e->items[i];
		if (o->kind == EV_LOG && o->offset == off && strcmp(o->source, file) == 0 &&
		    strcmp(o->server, c->server) == 0)
			return 0; /* found by an earlier needle */
	}
	struct line_fields f;
	line_parse(line, &f);
	struct evidence_item it = { .kind = EV_LOG, .server = (char *)c->server,
	    .source = (char *)file, .read_at = now_site(c->g), .when = f.when,
	    .present = true, .offset = off, .text = f.text, .nested = -1,
	    .severity = f.severity, .msgid = f.msgid };
	evidence_add(c->g->e, &it);
	free(f.text);
	learn_nested(c->g, line);
	return 0;
}

static int
grep_log(struct gather *g, const char *server, const char *log,
    const char *needle, char **err)
{
	struct op op = { .kind = OP_LOGGREP };
	op_set(&op, "log", log);
	op_set(&op, "needle", needle);
	op_set(&op, "max", LOG_MAX_LINES);
	struct log_ctx c = { g, server };
	int rc = transport_call(g->t, &op, log_record, &c, g->dl, err);
	if (rc != 0)
		add_unreachable(g, server, log, *err);
	return rc;
}

/* A package ID standing alone in a log line ("Package 009000B7 requires
 * ..."), into id[9]; false when the line names none. */
static bool
pkgid_in(const char *text, char id[9])
{
	size_t n = strlen(text);
	for (size_t i = 0; i + 8 <= n; i++) {
		if ((i > 0 && isalnum((unsigned char)text[i - 1])) ||
		    isalnum((unsigned char)text[i + 8]))
			continue;
		memcpy(id, text + i, 8);
		id[8] = '\0';
		if (pkgid_valid(id))
			return true;
	}
	return false;
}

/* An INCOMING file's package, from sms_server's distmgr.log lines that
 * name the file ("Processing incoming file ...\X.PKG." / "Package <id>
 * requires a newer version ... skip ...\X.PKG"): the host cannot say. */
static void
link_one(struct gather *g, size_t inc, const char *name)
{
	char owner[9] = "";
	size_t lines = 0;
	uint64_t latest = 0;
	for (long i = evidence_find(g->e, EV_LOG, 0); i >= 0;
	    i = evidence_find(g->e, EV_LOG, (size_t)i + 1)) {
		const struct evidence_item *l = &g->e->items[i];
		char id[9];
		if (strcasecmp(l->server, g->pl.sms_server) != 0 || l->text == NULL ||
		    strcasestr(l->text, name) == NULL)
			continue;
		if (lines++ == 0 || l->when > (dpd_time)latest)
			latest = (uint64_t)l->when;
		if (pkgid_in(l->text, id) && (owner[0] == '\0' || strcmp(id, g->e->pkgid) == 0))
			memcpy(owner, id, sizeof owner);
	}
	struct evidence_item *it = &g->e->items[inc];
	if (owner[0] != '\0') {
		free(it->package);
		it->package = xstrdup(owner);
		free(it->text);
		/* A file waits in INCOMING for days: distmgr names it every
		 * cycle, so say how many lines, not where each one is. */
		it->text = xasprintf("package %s, as %s's distmgr.log says (%zu line%s name%s the "
		    "file)", owner, g->pl.sms_server, lines, lines == 1 ? "" : "s",
		    lines == 1 ? "s" : "");
	}
}

#define LINK_MAX 16

/* The lines just read for a file another package owns said so (link_one
 * recorded it on the item); as evidence about this cell they are noise --
 * a site server's INCOMING can hold dozens of other packages' files -- so
 * they go again.  Lines for this package's files and for files no line
 * ties to any package stay. */
static void
drop_others(struct gather *g, size_t inc, size_t from)
{
	const char *owner = g->e->items[inc].package;
	if (owner == NULL || *owner == '\0' || strcasecmp(owner, g->e->pkgid) == 0)
		return;
	while (g->e->nitems > from)
		item_free(&g->e->items[--g->e->nitems]);
}

static int
link_incoming(struct gather *g, const char *log, char **err)
{
	int rc = 0;
	size_t asked = 0;
	for (long i = evidence_find(g->e, EV_INCOMING, 0); i >= 0 && asked < LINK_MAX;
	    i = evidence_find(g->e, EV_INCOMING, (size_t)i + 1)) {
		const struct evidence_item *it = &g->e->items[i];
		const char *base = it->source ? strrchr(it->source, '\\') : NULL;
		if (!it->present || it->error != NULL || base == NULL || !ops_needle_valid(base + 1))
			continue;
		char *name = xstrdup(base + 1);
		char *lerr = NULL;
		size_t before = g->e->nitems;
		asked++;
		if (grep_log(g, g->pl.sms_server, log, name, &lerr) != 0) {
			rc = -1;
		} else {
			link_one(g, (size_t)i, name);
			drop_others(g, (size_t)i, before);
		}
		if (lerr != NULL && err != NULL && *err == NULL)
			*err = lerr;
		else
			free(lerr);
		free(name);
	}
	return rc;
}

/* The distmgr.log of the server whose SMS serves the DP (for an own-site
 * DP that is the primary's, read next). */
static int
src_sms_log(struct gather *g, char **err)
{
	if (g->e->kind == DPK_OWN_SITE)
		return SRC_NA;
	char *log = evidence_place_path(&g->pl, g->t, PLACE_SMS, "Logs\\distmgr.log");
	if (log == NULL)
		return place_missing(g, g->pl.sms_server, "distmgr.log", g->pl.sms_err);
	int rc = grep_log(g, g->pl.sms_server, log, g->e->pkgid, err);
	if (rc == 0)
		rc = link_incoming(g, log, err);
	free(log);
	return rc;
}

static int
src_primary_log(struct gather *g, char **err)
{
	char *log = evidence_place_path(&g->pl, g->t, PLACE_PRIMARY_SMS, "Logs\\distmgr.log");
	if (log == NULL)
		return place_missing(g, g->pl.primary, "distmgr.log", g->pl.pri_err);
	int rc = grep_log(g, g->pl.primary, log, g->e->pkgid, err);
	/* Lines about the source folder ("Cannot find or read the package
	 * source \\\\SRV\\share\\Folder") name the folder, not the package. */
	const char *src = g->e->pkg.source_path;
	const char *base = src ? strrchr(src, '\\') : NULL;
	if (rc == 0 && base != NULL && ops_needle_valid(base + 1) &&
	    strcasecmp(base + 1, g->e->pkgid) != 0)
		rc = grep_log(g, g->pl.primary, log, base + 1, err);
	free(log);
	return rc;
}

/* ---- the dist share ------------------------------------------------------------ */

static int
src_share_folder(struct gather *g, char **err)
{
	struct want w[2] = { { evidence_place_path(&g->pl, g->t, PLACE_SHARE, g->e->pkgid),
	    EV_SHARE_FOLDER } };
	if (w[0].path == NULL)
		return place_missing(g, g->e->dp, "the dist share", g->pl.dp_err);
	size_t n = 1;
	if (g->nested != NULL)
		w[n++] = (struct want){ evidence_place_path(&g->pl, g->t, PLACE_SHARE, g->nested),
		    EV_SHARE_FOLDER };
	return ask_paths(g, w, n, err);
}

struct acl_ctx {
	struct gather *g;
	const char *source;
};

static int
acl_record(const struct proto_record *r, void *arg, char **err)
{
	struct acl_ctx *c = arg;
	const char *nested = proto_get(r, "Nested");
	(void)err;
	if (strcmp(r->type, "A") != 0)
		return 0;
	struct evidence_item it = { .kind = EV_SHARE_ACL, .server = c->g->e->dp,
	    .source = (char *)c->source, .read_at = now_site(c->g), .present = true,
	    .text = (char *)proto_get(r, "Acl"),
	    .nested = nested == NULL ? -1 : strcmp(nested, "yes") == 0 ? 1 :
	    strcmp(nested, "no") == 0 ? 0 : -1 };
	evidence_add(c->g->e, &it);
	return 0;
}

static int
src_share_acl(struct gather *g, char **err)
{
	const char *share = g->e->dp_share;
	if (share == NULL) {
		err_set(err, "the dist share of %s is not known", g->e->dp);
		return place_missing(g, g->e->dp, "the dist share's ACL",
		    g->pl.dp_err ? g->pl.dp_err : "its dist share (SMSPKG<x>$) is not known");
	}
	char *src = xasprintf("\\\\%s\\%s", g->e->dp, share);
	struct op op = { .kind = OP_SHAREACL };
	op_set(&op, "server", g->e->dp);
	op_set(&op, "share", share);
	struct acl_ctx c = { g, src };
	int rc = transport_call(g->t, &op, acl_record, &c, g->dl, err);
	if (rc != 0)
		add_unreachable(g, g->e->dp, src, *err);
	free(src);
	return rc;
}

/* ---- status messages ------------------------------------------------------------- */

/* InsStrings: each string with '\' and '|' escaped by '\', joined by '|'. */
static int
split_istrs(const char *v, struct evidence_item *it)
{
	if (*v == '\0')
		return 0;
	struct buf cur;
	buf_init(&cur);
	for (const char *p = v;; p++) {
		if (*p == '\\') {
			if (p[1] != '\\' && p[1] != '|') {
				buf_free(&cur);
				return -1;
			}
			buf_addc(&cur, *++p);
		} else if (*p == '|' || *p == '\0') {
			it->istr = xreallocarray(it->istr, it->nistr + 1, sizeof *it->istr);
			it->istr[it->nistr++] = cur.data ? buf_detach(&cur) : xstrdup("");
			buf_init(&cur);
			if (*p == '\0')
				break;
		} else {
			buf_addc(&cur, *p);
		}
	}
	buf_free(&cur);
	return 0;
}

static int
statmsg_severity(const char *v)
{
	static const struct { const char *wmi; int sev; } map[] = {
		{ "1073741824", SMSLOG_SEV_INFO }, { "2147483648", SMSLOG_SEV_WARNING },
		{ "3221225472", SMSLOG_SEV_ERROR }, { "-2147483648", SMSLOG_SEV_WARNING },
		{ "-1073741824", SMSLOG_SEV_ERROR },
	};
	for (size_t i = 0; v != NULL && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].wmi, v) == 0)
			return map[i].sev;
	return -1;
}

static int
msg_record(const struct proto_record *r, void *arg, char **err)
{
	struct acl_ctx *c = arg;
	if (strcmp(r->type, "M") != 0)
		return 0;
	uint64_t rec, id;
	const char *ins = proto_get(r, "InsStrings"), *dp = proto_get(r, "DP");
	struct evidence_item it = { .kind = EV_STATMSG, .server = c->g->e->primary,
	    .source = (char *)c->source, .read_at = now_site(c->g), .present = true,
	    .nested = -1, .text = (char *)proto_get(r, "Text"),
	    .machine = (char *)proto_get(r, "MachineName"),
	    .dp_nal = (char *)(dp && *dp ? dp : NULL),
	    .severity = statmsg_severity(proto_get(r, "Severity")) };
	if (parse_u64(proto_get(r, "RecordID"), &rec) != 0 || rec > UINT32_MAX ||
	    parse_u64(proto_get(r, "MessageID"), &id) != 0 || id > 65535 ||
	    parse_when(proto_get(r, "Time"), &it.when) != 0 || it.severity < 0 ||
	    split_istrs(ins ? ins : "", &it) != 0) {
		err_set(err, "line %zu: bad status message", r->lineno);
		for (size_t i = 0; i < it.nistr; i++)
			free(it.istr[i]);
		free(it.istr);
		return -1;
	}
	it.record_id = (uint32_t)rec;
	it.msgid = (int)id;
	evidence_add(c->g->e, &it);
	for (size_t i = 0; i < it.nistr; i++)
		free(it.istr[i]);
	free(it.istr);
	return 0;
}

static int
src_statmsgs(struct gather *g, char **err)
{
	char *src = xasprintf("SMS_StatusMessage (AttributeID 400 = %s, "
	    "about %s)", g->e->pkgid, g->e->dp);
	struct op op = { .kind = OP_STATMSGS };
	op_set(&op, "site", g->e->site);
	op_set(&op, "package", g->e->pkgid);
	op_set(&op, "dp", g->e->dp);
	op_set(&op, "max", STATMSG_MAX);
	struct acl_ctx c = { g, src };
	int rc = transport_call(g->t, &op, msg_record, &c, g->dl, err);
	if (rc != 0)
		add_unreachable(g, g->e->primary, src, *err);
	free(src);
	return rc;
}

/* ---- single checks, for the repair executor ------------------------------------ */

int
evidence_paths(struct transport *t, struct evidence *e, const char *const *paths,
    size_t n, enum evidence_kind kind, const struct deadline *dl, char **err)
{
	struct gather g = { .e = e, .t = t, .dl = dl, .start_ms = clock_mono_ms() };
	struct want *w = xcalloc(n ? n : 1, sizeof *w);
	for (size_t i = 0; i < n; i++)
		w[i] = (struct want){ xstrdup(paths[i]), kind };
	int rc = ask_paths(&g, w, n, err);
	free(w);
	return rc;
}

int
evidence_share_acl(struct transport *t, struct evidence *e, const struct deadline *dl,
    char **err)
{
	struct gather g = { .e = e, .t = t, .dl = dl, .start_ms = clock_mono_ms() };
	return src_share_acl(&g, err);
}

/* ---- the package, from the snapshot ------------------------------------------------ */

static int
src_package(struct gather *g, char **err)
{
	struct evidence *e = g->e;
	(void)err;
	const struct package *p = &e->pkg;
	char *text = xasprintf("%s: SourceVersion %u, StoredPkgVersion %u, source %s, "
	    "StoredPkgPath %s", p->name ? p->name : e->pkgid, p->source_version,
	    p->stored_version, p->source_path ? p->source_path : "(none)",
	    p->stored_path ? p->stored_path : "(none)");
	struct evidence_item it = { .kind = EV_PACKAGE, .server = e->primary,
	    .source = (char *)"SMS_Package", .read_at = g->base, .when = p->source_date,
	    .present = p->id[0] != '\0', .version = p->stored_version, .text = text,
	    .nested = -1 };
	if (!it.present)
		it.error = (char *)"the package is not in the status snapshot";
	evidence_add(e, &it);
	free(text);
	return it.present ? 0 : -1;
}

/* One EV_LAYOUT item for a server evidence is read from. */
static void
add_layout(struct gather *g, const char *server, const struct layout *l, const char *lerr,
    const char *lead)
{
	char *d = l->server != NULL ? layout_describe(l, clock_real()) : NULL;
	char *text = lead && d ? xasprintf("%s. %s", lead, d) : xstrdup(lead ? lead : d ? d : "");
	struct evidence_item it = { .kind = EV_LAYOUT, .server = (char *)server,
	    .source = (char *)"layout", .read_at = now_site(g), .present = l->server != NULL,
	    .text = text, .error = l->server == NULL ? (char *)lerr : NULL, .nested = -1 };
	evidence_add(g->e, &it);
	if (l->server == NULL)
		add_unreachable(g, server, "where SMS lives (the layout op)", lerr);
	free(text);
	free(d);
}

/* What the DP is and where its things live: the kind, the server whose
 * SMS serves it and the layouts the other sources read by. */
static int
src_place(struct gather *g, char **err)
{
	struct evidence *e = g->e;
	if (evidence_place(g->env, g->snap, e->pkgid, e->dp, g->dl, &g->pl, err) != 0)
		return -1;
	e->kind = g->pl.kind;
	memcpy(e->dp_site, g->pl.dp_site, sizeof e->dp_site);
	e->sms_server = xstrdup(g->pl.sms_server);
	e->dp_share = dup_or_null(g->pl.dpl.share);
	char *words = evidence_dp_words(e);
	add_layout(g, e->dp, &g->pl.dpl, g->pl.dp_err, words);
	free(words);
	if (strcasecmp(g->pl.sms_server, e->dp) != 0)
		add_layout(g, g->pl.sms_server, &g->pl.smsl, g->pl.sms_err, NULL);
	if (strcasecmp(g->pl.primary, e->dp) != 0 && strcasecmp(g->pl.primary, g->pl.sms_server) != 0)
		add_layout(g, g->pl.primary, &g->pl.pril, g->pl.pri_err, NULL);
	return g->pl.dpl.server || g->pl.smsl.server || g->pl.pril.server ? 0 : -1;
}

/* The sources, in the order the field write-up checks them; where things
 * live comes first, and the share folder after the logs, which may name a
 * nested folder. */
static int (*const sources[])(struct gather *, char **) = {
	src_package, src_place, src_primary, src_dp_files, src_incoming, src_sms_log,
	src_primary_log, src_share_folder, src_share_acl, src_statmsgs,
};
#define NSOURCES (sizeof sources / sizeof sources[0])

static void
take_snapshot(struct evidence *e, const struct snapshot *snap)
{
	long p = snapshot_find_pkg(snap, e->pkgid);
	if (p < 0)
		return;
	copy_package(&e->pkg, &snap->pkgs[p]);
	long d = snapshot_find_dp(snap, e->dp);
	const struct cell *c = d >= 0 ? snapshot_cell(snap, (size_t)p, (size_t)d) : NULL;
	if (c != NULL) {
		e->cell = *c;
		e->have_cell = true;
	}
}

int
evidence_gather(const struct site_env *env, const struct snapshot *snap,
    const char *pkgid, const char *dp, struct evidence *out, const struct deadline *dl,
    void (*progress)(const struct evidence *e, void *arg), void *arg,
    char **err)
{
	struct transport *t = env->t;
	const char *primary = env->primary && *env->primary ? env->primary : t->host;
	const char *site = snap && snap->site_code[0] ? snap->site_code : "";
	evidence_init(out, pkgid, dp, primary, site);
	if (!pkgid_valid(pkgid) || dp == NULL || !servername_valid(dp) ||
	    !servername_valid(out->primary)) {
		err_set(err, "evidence: bad package ID or server name");
		return -1;
	}
	if (snap != NULL)
		take_snapshot(out, snap);
	struct gather g = { .e = out, .env = env, .snap = snap, .t = t, .dl = dl,
	    .base = snap ? snap->taken : 0, .start_ms = clock_mono_ms() };
	size_t i = 0;
	for (; i < NSOURCES; i++) {
		if (deadline_passed(dl)) {
			add_unreachable(&g, out->primary, "(the remaining sources)",
			    "the deadline passed or the job was cancelled");
			break;
		}
		char *serr = NULL;
		int rc = sources[i](&g, &serr);
		if (rc == 0)
			g.ok++;
		free(serr);
		if (progress != NULL && rc != SRC_NA)
			progress(out, arg);
	}
	out->complete = i == NSOURCES;
	free(g.nested);
	evidence_place_free(&g.pl);
	if (g.ok == 0) {
		err_set(err, "evidence for %s on %s: nothing could be read", pkgid, dp);
		return -1;
	}
	return 0;
}
