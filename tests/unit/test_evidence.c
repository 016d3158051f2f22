/*
 * Evidence ops and gathering: each evidence op renders and parses back
 * with its arguments as data, refuses arguments that could break out of
 * it, and on the default demo site (frozen at 10:00) evidence_gather
 * returns what each failure mode leaves behind, for one cell of each mode,
 * a healthy cell and a DP that cannot be reached.
 */
#include "autoconf.h"
#include "backend/sms/evidence.h"
#include "backend/sms/layout.h"
#include "backend/core/nal.h"
#include "backend/ops/ops_ps.h"
#include "backend/sim/sim.h"
#include "backend/sim/simint.h"
#include "backend/sms/status.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define T0 "2007-01-04T10:00:00Z"

/* ---- rendering and validation ------------------------------------------ */

static void
round_trip(enum op_kind k, const char *const *kv, size_t n)
{
	struct op op = { .kind = k };
	for (size_t i = 0; i < n; i += 2)
		op_set(&op, kv[i], kv[i + 1]);
	char *err = NULL, *storage = NULL;
	char *script = ops_render(&op, &err);
	ok(script != NULL, "%s renders (%s)", op_name(k), err ? err : "");
	struct op back;
	int rc = script ? ops_parse(script, &back, &storage, &err) : -1;
	ok(rc == 0 && back.kind == k && back.nargs >= n / 2, "%s parses back", op_name(k));
	for (size_t i = 0; rc == 0 && i < n; i += 2)
		is_str(op_arg(&back, kv[i]), kv[i + 1], "%s: %s survives as data",
		    op_name(k), kv[i]);
	free(script);
	free(storage);
	free(err);
}

static bool
renders(enum op_kind k, const char *key, const char *value, const char *k2,
    const char *v2)
{
	struct op op = { .kind = k };
	op_set(&op, key, value);
	if (k2)
		op_set(&op, k2, v2);
	char *err = NULL;
	char *s = ops_render(&op, &err);
	free(err);
	free(s);
	return s != NULL;
}

static void
test_render(void)
{
	const char *pi[] = { "paths", "E:\\SMSPKG\\00900012.PCK|\\\\LONDONDP01\\E$\\SMSPKG\\00900012.PCK" };
	round_trip(OP_PATHINFO, pi, 2);
	const char *dl[] = { "dir", "\\\\LONDONDP01\\E$\\SMS\\inboxes\\distmgr.box\\INCOMING",
	    "pattern", "*.PKG" };
	round_trip(OP_DIRLIST, dl, 4);
	const char *lg[] = { "log", "E:\\SMS\\Logs\\distmgr.log", "needle", "00900012",
	    "max", "2000" };
	round_trip(OP_LOGGREP, lg, 6);
	const char *sm[] = { "site", "009", "package", "00900012", "dp", "LONDONDP01",
	    "max", "200" };
	round_trip(OP_STATMSGS, sm, 8);
	const char *sa[] = { "server", "LONDONDP01", "share", "SMSPKGE$" };
	round_trip(OP_SHAREACL, sa, 4);
	/* Characters Windows allows in names travel as data. */
	const char *evil[] = { "paths",
	    "\\\\FILESRV01\\Packages\\O'Brien'; Remove-Item -Recurse; '$(calc)`whoami" };
	round_trip(OP_PATHINFO, evil, 2);
	struct op op = { .kind = OP_PATHINFO };
	op_set(&op, "paths", evil[1]);
	char *s = ops_render(&op, NULL);
	contains(s, "$A['paths'] = '\\\\FILESRV01\\Packages\\O''Brien''; Remove-Item",
	    "single quotes are doubled inside the data block");
	free(s);

	static const char *const bad_paths[] = {
		"E:\\a\nWrite-Host x", "E:\\a|b", "E:\\a\"b", "E:\\..\\Windows",
		"\\\\SRV\\share\\..\\x", "E:\\a\\.\\b", "E:\\a*", "E:\\a?", "E:\\a<b", "E:\\a>b",
		"relative\\path", "E:/SMS", "E:\\a:stream", "\\\\bad server\\x",
		"\\\\SRV", "E:\\a\\\\b", "E:\\\xe2\x80\x98quoted", "E:\\\xff\xfe",
		"E:\\a\rb", "E:\\a\x7f", "",
	};
	for (size_t i = 0; i < sizeof bad_paths / sizeof bad_paths[0]; i++)
		ok(!renders(OP_DIRLIST, "dir", bad_paths[i], "pattern", "*.PKG"),
		    "dirlist refuses path #%zu", i);
	ok(renders(OP_DIRLIST, "dir", "E:\\Pakete\\\xc3\x9c" "bersicht", "pattern", "*"),
	    "well-formed non-ASCII names are paths");
	ok(!renders(OP_PATHINFO, "paths", "E:\\a||E:\\b", NULL, NULL), "empty path in a list refused");
	ok(!renders(OP_DIRLIST, "dir", "E:\\a", "pattern", "..\\*"), "pattern with a folder refused");
	ok(!renders(OP_DIRLIST, "dir", "E:\\a", "pattern", "*;ls"), "pattern with ; refused");
	ok(!renders(OP_LOGGREP, "log", "E:\\a.txt", "needle", "00900012"), "loggrep wants a .log");
	ok(!renders(OP_LOGGREP, "log", "E:\\a.log", "needle", "x';ls"), "needle with quote refused");
	ok(!renders(OP_LOGGREP, "log", "E:\\a.log", "needle", "$(ls)"), "needle with $() refused");
	ok(!renders(OP_LOGGREP, "needle", "00900012", "log", "E:\\a.log|E:\\b.log"),
	    "'|' in the log path refused");
	struct op lg0 = { .kind = OP_LOGGREP };
	op_set(&lg0, "log", "E:\\a.log");
	op_set(&lg0, "needle", "x");
	op_set(&lg0, "max", "0");
	ok(ops_render(&lg0, NULL) == NULL, "max 0 refused");
	op_set(&lg0, "max", "1e3");
	ok(ops_render(&lg0, NULL) == NULL, "max 1e3 refused");
	op_set(&lg0, "max", "100001");
	ok(ops_render(&lg0, NULL) == NULL, "max over 100000 refused");
	ok(!renders(OP_STATMSGS, "site", "009", "package", "0090$(x)"), "package with $() refused");
	ok(!renders(OP_STATMSGS, "package", "00900012", "site", "00'"), "site with quote refused");
	ok(!renders(OP_SHAREACL, "server", "DP`01", "share", "SMSPKGE$"), "server with backtick refused");
	ok(!renders(OP_SHAREACL, "server", "DP01", "share", "SMS PKG$"), "share with space refused");
	ok(!renders(OP_SHAREACL, "server", "DP01", "share", "a$b"), "share with inner $ refused");
}

/* ---- gathering on the demo site ------------------------------------------ */

struct site {
	char *dir;
	struct sim_site *s;
	struct snapshot *snap;
	struct transport *t;
};

static long
count(const struct evidence *e, enum evidence_kind k, bool present)
{
	long n = 0;
	for (long i = evidence_find(e, k, 0); i >= 0; i = evidence_find(e, k, (size_t)i + 1))
		n += e->items[i].present == present && e->items[i].error == NULL;
	return n;
}

/* INCOMING files distmgr.log ties to package id.  A real host cannot say
 * whose the other files in the inbox are, so they are listed too: the
 * site's inbox holds other packages' replication files. */
static long
incoming_of(const struct evidence *e, const char *id)
{
	long n = 0;
	for (long i = evidence_find(e, EV_INCOMING, 0); i >= 0; i = evidence_find(e, EV_INCOMING, (size_t)i + 1))
		n += e->items[i].present && e->items[i].error == NULL && e->items[i].package != NULL &&
		    strcasecmp(e->items[i].package, id) == 0;
	return n;
}

static bool
log_has(const struct evidence *e, const char *server, const char *needle)
{
	for (long i = evidence_find(e, EV_LOG, 0); i >= 0; i = evidence_find(e, EV_LOG, (size_t)i + 1))
		if (strcasecmp(e->items[i].server, server) == 0 &&
		    strstr(e->items[i].text, needle) != NULL)
			return true;
	return false;
}

static const struct evidence_item *
first(const struct evidence *e, enum evidence_kind k)
{
	long i = evidence_find(e, k, 0);
	return i >= 0 ? &e->items[i] : NULL;
}

static bool
all_sourced(const struct evidence *e)
{
	for (size_t i = 0; i < e->nitems; i++)
		if (e->items[i].server == NULL || e->items[i].source == NULL)
			return false;
	return true;
}

static size_t progress_calls;

static void
on_progress(const struct evidence *e, void *arg)
{
	(void)e;
	(void)arg;
	progress_calls++;
}

/* The first cell of a mode (state 2 or 3 when install_only). */
static const struct sim_cell *
cell_of(const struct sim_site *s, enum sim_mode m, bool install_only)
{
	for (size_t i = 0; i < s->ncell; i++)
		if (s->cell[i].mode == m && (!install_only || s->cell[i].state == 2 ||
		    s->cell[i].state == 3))
			return &s->cell[i];
	return NULL;
}

static int
gather(struct site *w, struct transport *t, uint32_t pkg, uint32_t srv, struct evidence *e)
{
	char *err = NULL;
	progress_calls = 0;
	struct site_env env = { .t = t, .site = "009", .primary = w->s->srv[w->s->primary].name };
	int rc = evidence_gather(&env, w->snap, w->s->pkg[pkg].id, w->s->srv[srv].name, e,
	    NULL, on_progress, NULL, &err);
	if (rc != 0)
		printf("# gather: %s\n", err);
	free(err);
	return rc;
}

/* Status messages' times as gathered against the site's own: the
 * simulated provider writes them as CIM_DATETIME, "+***" for even record
 * IDs and "+000" for odd ones; both must land as the same UTC second. */
static size_t msg_total, msg_same, msg_even, msg_odd;

static void
tally_msg_times(const struct site *w, const struct evidence *e)
{
	for (long i = evidence_find(e, EV_STATMSG, 0); i >= 0;
	    i = evidence_find(e, EV_STATMSG, (size_t)i + 1)) {
		const struct evidence_item *it = &e->items[i];
		msg_total++;
		for (size_t k = 0; k < w->s->nmsgs; k++)
			if (w->s->msgs[k].recid == it->record_id) {
				msg_same += it->when == (dpd_time)(w->s->msgs[k].ms / 1000);
				break;
			}
		if (it->record_id % 2 == 0)
			msg_even++;
		else
			msg_odd++;
	}
}

static void
test_msg_times(const struct site *w, const char *sitedir, const char *primary)
{
	ok(msg_total > 0 && msg_same == msg_total,
	    "status messages' Time is the site's UTC time (%zu of %zu)", msg_same, msg_total);
	ok(msg_even > 0 && msg_odd > 0, "both forms came through (+*** %zu, +000 %zu)",
	    msg_even, msg_odd);
	/* And on the wire: the newest message's package, as the provider says it. */
	struct op op = { .kind = OP_STATMSGS };
	op_set(&op, "site", w->s->site_code);
	op_set(&op, "package", w->s->nmsgs ? w->s->msgs[w->s->nmsgs - 1].pkg : "");
	char *err = NULL, *script = ops_render(&op, &err);
	struct script_result res;
	script_result_init(&res);
	ok(script != NULL && sim_run_script(sitedir, primary, script, &res, &err) == 0,
	    "statmsgs runs on the primary (%s)", err ? err : "");
	const char *out = res.out.data ? res.out.data : "";
	ok(strstr(out, ".000000+***\t") != NULL && strstr(out, ".000000+000\t") != NULL,
	    "statmsgs: Time as CIM_DATETIME, with \"+***\" and \"+000\"");
	script_result_free(&res);
	free(script);
	free(err);
}

static void check_kind(struct site *w, const struct sim_cell *c, const struct evidence *e);

static void
mode_case(struct site *w, enum sim_mode m, void (*check)(struct site *, const struct sim_cell *,
    const struct evidence *))
{
	const struct sim_cell *c = cell_of(w->s, m, true);
	ok(c != NULL, "the demo site has a %s cell", sim_mode_name(m));
	if (c == NULL)
		return;
	struct evidence e;
	ok(gather(w, w->t, c->pkg, c->srv, &e) == 0, "%s: gathered %s on %s",
	    sim_mode_name(m), w->s->pkg[c->pkg].id, w->s->srv[c->srv].name);
	ok(all_sourced(&e) && e.complete && e.have_cell, "%s: every item has server and source",
	    sim_mode_name(m));
	long unr = evidence_find(&e, EV_UNREACHABLE, 0);
	ok(unr < 0, "%s: nothing unreachable (%s)", sim_mode_name(m),
	    unr >= 0 && e.items[unr].error ? e.items[unr].error : "");
	ok(progress_calls >= 6, "%s: progress after each source", sim_mode_name(m));
	check_kind(w, c, &e);
	check(w, c, &e);
	tally_msg_times(w, &e);
	evidence_free(&e);
}

/* What every cell's evidence says of the DP: its kind, its SMS server,
 * where each thing was read, and the layouts used (no drive assumed). */
static void
check_kind(struct site *w, const struct sim_cell *c, const struct evidence *e)
{
	const char *dp = w->s->srv[c->srv].name, *m = sim_mode_name(c->mode);
	ok(e->sms_server != NULL, "%s: the DP's SMS server is known (%s)", m,
	    e->sms_server ? e->sms_server : "none");
	long l = evidence_find(e, EV_LAYOUT, 0);
	ok(l >= 0 && strcasecmp(e->items[l].server, dp) == 0 && e->items[l].text &&
	    strstr(e->items[l].text, dp) != NULL, "%s: the DP's layout item says what it is", m);
	bool own = e->kind == DPK_OWN_SITE;
	long dpitems = count(e, EV_PCK_DP, true) + count(e, EV_PCK_DP, false) +
	    count(e, EV_DISTMGR_PKG, true) + count(e, EV_DISTMGR_PKG, false);
	ok(own ? dpitems == 0 : dpitems == 2, "%s: %s", m, own ? "an own-site DP: no PCK or inbox "
	    "items" : "PCK and distmgr.box read");
	bool where = true;
	for (size_t i = 0; e->sms_server && i < e->nitems; i++)
		if (e->items[i].kind == EV_PCK_DP || e->items[i].kind == EV_DISTMGR_PKG ||
		    e->items[i].kind == EV_PKGINFO || e->items[i].kind == EV_INCOMING)
			where &= strcasecmp(e->items[i].server, e->sms_server) == 0;
	ok(where, "%s: PCK and inboxes read on the SMS server", m);
	ok(e->kind != DPK_UNKNOWN, "%s: the kind is known from the site list (%s)", m,
	    dp_kind_name(e->kind));
}

static void
check_pck_missing(struct site *w, const struct sim_cell *c, const struct evidence *e)
{
	const struct sim_pkg *p = &w->s->pkg[c->pkg];
	bool linked = false;
	for (long i = evidence_find(e, EV_INCOMING, 0); i >= 0; i = evidence_find(e, EV_INCOMING, (size_t)i + 1))
		linked |= e->items[i].present && strcmp(e->items[i].package, p->id) == 0;
	ok(linked, "PCK_MISSING: an INCOMING\\*.PKG tied to the package by distmgr.log");
	const struct evidence_item *pck = first(e, EV_PCK_DP);
	const struct evidence_item *pkg = first(e, EV_PACKAGE);
	ok(pck && pkg && (!pck->present || pck->when < pkg->when) && pck->version == 0,
	    "PCK_MISSING: no PCK newer than SourceDate (and no version read)");
	ok(e->kind == DPK_CHILD_SERVER || e->kind == DPK_CHILD_DP, "PCK_MISSING: at a child site");
	ok(log_has(e, e->sms_server, "haven't arrived yet"),
	    "PCK_MISSING: the SMS server's log skips the package file");
	(void)c;
}

static void
check_stale(struct site *w, const struct sim_cell *c, const struct evidence *e)
{
	ok(count(e, EV_DISTMGR_PKG, true) == 1, "STALE_PKG_FILE: distmgr.box\\<id>.PKG on the SMS server");
	ok(log_has(e, e->sms_server, w->s->pkg[c->pkg].id),
	    "STALE_PKG_FILE: the SMS server's log mentions the package");
}

static void
check_not_in_db(struct site *w, const struct sim_cell *c, const struct evidence *e)
{
	bool failed = false;
	char *needle = xasprintf("\\\\%s\\", w->s->srv[c->srv].name);
	for (long i = evidence_find(e, EV_STATMSG, 0); i >= 0;
	    i = evidence_find(e, EV_STATMSG, (size_t)i + 1))
		failed |= e->items[i].severity == 2 && e->items[i].dp_nal != NULL &&
		    strstr(e->items[i].dp_nal, needle) != NULL && e->items[i].nistr == 3;
	free(needle);
	ok(failed, "NOT_IN_DB: an error status message names the DP");
	ok(count(e, EV_DISTMGR_PKG, false) == 1, "NOT_IN_DB: no distmgr.box\\<id>.PKG");
	ok(incoming_of(e, w->s->pkg[c->pkg].id) == 0 &&
	    count(e, EV_INCOMING, true) + count(e, EV_INCOMING, false) >= 1,
	    "NOT_IN_DB: no INCOMING file of the package (and the inbox was listed)");
}

static void
check_source_missing(struct site *w, const struct sim_cell *c, const struct evidence *e)
{
	const struct evidence_item *src = first(e, EV_SOURCE_DIR);
	ok(src && !src->present && src->error == NULL &&
	    strcmp(src->source, w->s->pkg[c->pkg].source_path) == 0,
	    "SOURCE_MISSING: the UNC source path is not there");
	ok(log_has(e, w->s->srv[w->s->primary].name, "Cannot find or read the package source"),
	    "SOURCE_MISSING: the primary's log says so");
}

static void
check_share_perms(struct site *w, const struct sim_cell *c, const struct evidence *e)
{
	const struct evidence_item *acl = first(e, EV_SHARE_ACL);
	ok(acl && acl->nested == 0 && strstr(acl->text, "Administrators:Allow:FullControl:None"),
	    "SHARE_PERMS: Administrators do not reach nested folders");
	ok(log_has(e, e->sms_server, "Failed to create directory"),
	    "SHARE_PERMS: the log of the DP's SMS server fails to create the folder");
	(void)c;
	(void)w;
	ok(count(e, EV_SHARE_FOLDER, false) >= 2, "SHARE_PERMS: both share folders checked, absent");
}

static void
check_no_regen(struct site *w, const struct sim_cell *c, const struct evidence *e)
{
	const struct evidence_item *pkg = first(e, EV_PACKAGE);
	const struct evidence_item *pck = first(e, EV_PCK_PRIMARY);
	ok(pkg && pck && pck->present && pck->version == 0,
	    "PCK_NO_REGEN: the primary's PCK is there (no version read)");
	ok(pkg && pck && pck->when < pkg->when, "PCK_NO_REGEN: older than SourceDate");
	(void)w;
	(void)c;
}

static void
test_healthy(struct site *w)
{
	uint32_t pkg = 0, srv = 0;
	bool found = false;
	for (uint32_t p = 0; p < w->s->npkg && !found; p++)
		for (uint32_t d = 1; d < w->s->nsrv && !found; d++)
			if (simdb_target(w->s, p, d) && simdb_cell(w->s, p, d) == NULL &&
			    !(w->s->srv[d].flags & SIM_SRV_SHARE_ROOT_ONLY)) {
				pkg = p;
				srv = d;
				found = true;
			}
	struct evidence e;
	ok(found && gather(w, w->t, pkg, srv, &e) == 0, "healthy cell gathered");
	if (!found)
		return;
	const struct evidence_item *pck = first(&e, EV_PCK_DP);
	ok(e.kind == DPK_OWN_SITE ? pck == NULL : pck && pck->present && pck->version == 0,
	    "healthy: the PCK is on the DP's SMS server (none for an own-site DP)");
	ok(incoming_of(&e, w->s->pkg[pkg].id) == 0, "healthy: no INCOMING file of the package");
	ok(count(&e, EV_SHARE_FOLDER, true) == 1 && first(&e, EV_SHARE_ACL)->nested == 1,
	    "healthy: share folder present, ACL reaches nested folders");
	evidence_sort(&e);
	long a = evidence_find(&e, EV_STATMSG, 0);
	long b = a >= 0 ? evidence_find(&e, EV_STATMSG, (size_t)a + 1) : -1;
	ok(a < 0 || b < 0 || e.items[a].record_id > e.items[b].record_id,
	    "sorted: status messages newest first");
	evidence_free(&e);
}

/* A transport that cannot reach one DP: ops naming it fail. */
struct cut {
	struct transport t;
	struct transport *inner;
	const char *dp;
};

static int
cut_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	struct cut *c = (struct cut *)t;
	for (size_t i = 0; i < op->nargs; i++)
		if (strstr(op->args[i].value, c->dp) != NULL) {
			err_set(err, "%s: The network path was not found", c->dp);
			return TRANSPORT_EFAIL;
		}
	return transport_pass(c->inner, op, fn, arg, dl, err);
}

static const struct transport_ops cut_ops = { .name = "cut", .call = cut_call, .close = NULL };

static void
test_unreachable(struct site *w)
{
	const struct sim_cell *c = cell_of(w->s, SIM_MODE_PCK_MISSING, true);
	if (c == NULL)
		return;
	struct cut cut = { .t = { .ops = &cut_ops, .host = w->t->host, .answers = TRANSPORT_ALL_OPS },
		.inner = w->t, .dp = w->s->srv[c->srv].name };
	struct evidence e;
	ok(gather(w, &cut.t, c->pkg, c->srv, &e) == 0, "unreachable DP: still gathers");
	long n = 0;
	for (long i = evidence_find(&e, EV_UNREACHABLE, 0); i >= 0;
	    i = evidence_find(&e, EV_UNREACHABLE, (size_t)i + 1))
		n += strcmp(e.items[i].server, cut.dp) == 0 && e.items[i].error &&
		    strstr(e.items[i].error, "network path") != NULL;
	ok(n >= 2, "unreachable DP: its sources are EV_UNREACHABLE items (%ld)", n);
	ok(count(&e, EV_PCK_PRIMARY, true) == 1 && first(&e, EV_PACKAGE)->present,
	    "unreachable DP: the primary's evidence is still there");
	ok(count(&e, EV_PCK_DP, true) + count(&e, EV_PCK_DP, false) == 0,
	    "unreachable DP: nothing is claimed about its PCK");
	evidence_free(&e);
}

/* ---- readfile on the simulated hosts ------------------------------------ */

struct rf {
	char *offset, *size, *mtime;
	struct buf head, data;
};

static int
rf_record(const struct proto_record *r, void *arg, char **err)
{
	struct rf *f = arg;
	(void)err;
	if (strcmp(r->type, "B") != 0)
		return 0;
	const char *h = proto_get(r, "Head"), *d = proto_get(r, "Data");
	f->offset = xstrdup(proto_get(r, "Offset"));
	f->size = xstrdup(proto_get(r, "Size"));
	f->mtime = xstrdup(proto_get(r, "MTime"));
	return ops_b64_decode(h, strlen(h), &f->head) == 0 &&
	    ops_b64_decode(d, strlen(d), &f->data) == 0 ? 0 : -1;
}

static int
rf_call(struct transport *t, const char *path, const char *off, const char *max,
    struct rf *f, char **err)
{
	memset(f, 0, sizeof *f);
	buf_init(&f->head);
	buf_init(&f->data);
	struct op op = { .kind = OP_READFILE };
	op_set(&op, "path", path);
	op_set(&op, "offset", off);
	op_set(&op, "max", max);
	return transport_call(t, &op, rf_record, f, NULL, err);
}

static void
rf_free(struct rf *f)
{
	free(f->offset);
	free(f->size);
	free(f->mtime);
	buf_free(&f->head);
	buf_free(&f->data);
}

static void
test_readfile(struct site *w, const char *sitedir)
{
	const char *pri = w->s->srv[w->s->primary].name;
	char *local = sim_server_path(sitedir, pri, "E:\\SMS\\Logs\\distmgr.log"), *err = NULL;
	struct buf want;
	buf_init(&want);
	ok(file_read_all(local, 64u << 20, &want, &err) == 0 && want.len > 1000,
	    "the primary's distmgr.log (%zu bytes)", want.len);
	struct rf f;
	ok(rf_call(w->t, "E:\\SMS\\Logs\\distmgr.log", "100", "500", &f, &err) == 0,
	    "readfile of 500 bytes at 100 (%s)", err ? err : "");
	char size[24];
	snprintf(size, sizeof size, "%zu", want.len);
	ok(f.offset && strcmp(f.offset, "100") == 0 && f.size && strcmp(f.size, size) == 0,
	    "  Offset as asked, Size the file's");
	ok(f.data.len == 500 && memcmp(f.data.data, want.data + 100, 500) == 0, "  the bytes asked");
	ok(f.head.len == 64 && memcmp(f.head.data, want.data, 64) == 0, "  Head: the first 64");
	ok(f.mtime && strlen(f.mtime) == 20 && f.mtime[19] == 'Z', "  MTime in ISO UTC (%s)",
	    f.mtime ? f.mtime : "");
	rf_free(&f);
	char *near = xasprintf("%zu", want.len - 10);
	ok(rf_call(w->t, "E:\\SMS\\Logs\\distmgr.log", near, "1048576", &f, &err) == 0 &&
	    f.data.len == 10 && memcmp(f.data.data, want.data + want.len - 10, 10) == 0,
	    "  fewer bytes at the end");
	rf_free(&f);
	ok(rf_call(w->t, "E:\\SMS\\Logs\\distmgr.log", size, "10", &f, &err) == 0 &&
	    f.data.len == 0 && f.head.len == 64, "  none at the end, Head still there");
	rf_free(&f);
	char *unc = xasprintf("\\\\%s\\E$\\SMS\\Logs\\distmgr.log", pri);
	ok(rf_call(w->t, unc, "0", "1048576", &f, &err) == 0 && f.data.len == want.len &&
	    memcmp(f.data.data, want.data, want.len) == 0, "  the same file by its admin share");
	rf_free(&f);
	static const struct { const char *path, *why; } bad[] = {
		{ "E:\\SMS\\Logs\\nosuch.log", "E:\\SMS\\Logs\\nosuch.log does not exist" },
		{ "E:\\SMS\\Logs", "E:\\SMS\\Logs is a folder, not a file" },
		{ "\\\\NOSUCHSRV\\E$\\x.log", "cannot reach \\\\NOSUCHSRV\\E$\\" },
	};
	for (size_t i = 0; i < 3; i++) {
		free(err);
		err = NULL;
		ok(rf_call(w->t, bad[i].path, "0", "10", &f, &err) == -1, "readfile %s fails",
		    bad[i].path);
		contains(err, bad[i].why, "  saying why");
		rf_free(&f);
	}
	free(err);
	free(unc);
	free(near);
	free(local);
	buf_free(&want);
}

int
main(void)
{
	test_render();
	setenv("DPDOCTOR_SIM_TIME", T0, 1);
	struct site w = { .dir = xstrdup("/tmp/dpd-test-evidence-XXXXXX") };
	if (mkdtemp(w.dir) == NULL)
		return 99;
	char *sitedir = xasprintf("%s/site", w.dir), *err = NULL;
	ok(sim_ensure(sitedir, "default", 1, false, &err) == 0, "default site (%s)", err ? err : "");
	struct sim_info info;
	ok(sim_info(sitedir, &info, &err) == 0, "site info");
	ok(simdb_load(sitedir, &w.s, &err) == 0, "site loaded");
	w.t = transport_sim_new(sitedir, info.primary);
	w.snap = status_fetch(w.t, info.site_code, NULL, NULL, &err);
	ok(w.snap != NULL, "snapshot (%s)", err ? err : "");
	if (w.s != NULL && w.snap != NULL) {
		mode_case(&w, SIM_MODE_PCK_MISSING, check_pck_missing);
		mode_case(&w, SIM_MODE_STALE_PKG_FILE, check_stale);
		mode_case(&w, SIM_MODE_NOT_IN_DB, check_not_in_db);
		mode_case(&w, SIM_MODE_SOURCE_MISSING, check_source_missing);
		mode_case(&w, SIM_MODE_SHARE_PERMS, check_share_perms);
		mode_case(&w, SIM_MODE_PCK_NO_REGEN, check_no_regen);
		test_msg_times(&w, sitedir, info.primary);
		test_healthy(&w);
		test_unreachable(&w);
		test_readfile(&w, sitedir);
	}
	snapshot_free(w.snap);
	transport_close(w.t);
	simdb_free(w.s);
	sim_info_free(&info);
	(void)simfs_remove_tree(w.dir, NULL);
	free(sitedir);
	free(w.dir);
	free(err);
	return done_testing();
}
