/*
 * The changing ops: arguments validated and carried as data, refused in
 * read-only mode before anything is sent, and on the default demo site
 * (time frozen, moved on with DPDOCTOR_SIM_TIME) the seed's fixes work in
 * the right order and fail in the wrong one.  And the script a repair
 * step shows before it runs (repair_step_script) is the very text its
 * executor then sends, op for op, to the server the step page names.
 */
#include "autoconf.h"
#include "backend/core/nal.h"
#include "backend/core/proto.h"
#include "backend/ops/ops_ps.h"
#include "backend/repair/repair.h"
#include "backend/sim/simint.h"
#include "backend/transport/route.h"
#include "backend/transport/script.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct site {
	char *dir;
	struct transport *t;
	struct sim_site *s;
	int64_t now;            /* seconds since T0 */
};

/* ---- rendering, validation, read-only ------------------------------------ */

static bool
renders(enum op_kind k, const char *const *kv, size_t n)
{
	struct op op = { .kind = k };
	for (size_t i = 0; i < n; i += 2)
		op_set(&op, kv[i], kv[i + 1]);
	char *s = ops_render(&op, NULL);
	free(s);
	return s != NULL;
}

static void
test_render(void)
{
	const char *cp[] = { "src", "E:\\SMSPKG\\00900012.PCK", "dst",
	    "\\\\LONDONDP01\\E$\\SMSPKG\\00900012.PCK" };
	ok(renders(OP_COPYFILE, cp, 4), "copyfile renders");
	const char *cpbad[] = { "src", "E:\\SMSPKG\\x.PCK'; rm", "dst", "E:\\a\nb" };
	ok(!renders(OP_COPYFILE, cpbad, 4), "copyfile refuses a path with a newline");
	const char *sa[] = { "path", "E:\\SMSPKG\\00900012.PCK", "readonly", "set", "archive", "clear" };
	ok(renders(OP_SETATTR, sa, 6), "setattr renders");
	const char *sab[] = { "path", "E:\\a", "readonly", "yes" };
	ok(!renders(OP_SETATTR, sab, 4), "setattr refuses readonly=yes");
	const char *df[] = { "path", "E:\\SMS\\inboxes\\distmgr.box\\00900012.PKG" };
	ok(renders(OP_DELETEFILE, df, 2), "deletefile renders");
	const char *dfb[] = { "path", "E:\\..\\Windows" };
	ok(!renders(OP_DELETEFILE, dfb, 2), "deletefile refuses ..");
	const char *rn[] = { "path", "E:\\SMSPKG\\00900012.PCK", "newname", "00900012.PCK.old" };
	ok(renders(OP_RENAMEFILE, rn, 4), "renamefile renders");
	const char *rnb[] = { "path", "E:\\SMSPKG\\00900012.PCK", "newname", "..\\x" };
	ok(!renders(OP_RENAMEFILE, rnb, 4), "renamefile refuses a folder in the new name");
	const char *rnb2[] = { "path", "E:\\a", "newname", "a:b" };
	ok(!renders(OP_RENAMEFILE, rnb2, 4), "renamefile refuses a stream name");
	const char *pl[] = { "server", "LONDONDP01", "package", "00900012", "via", "wmi",
	    "smsdir", "D:\\SMS" };
	ok(renders(OP_PRELOAD, pl, 8), "preload renders");
	const char *plb[] = { "server", "LONDONDP01", "package", "0090001$(x)" };
	ok(!renders(OP_PRELOAD, plb, 4), "preload refuses a bad package ID");
	const char *plb2[] = { "server", "DP01;calc", "package", "00900012" };
	ok(!renders(OP_PRELOAD, plb2, 4), "preload refuses a bad server");
	const char *rf[] = { "site", "009", "package", "00900012", "dp", "LONDONDP01" };
	ok(renders(OP_REFRESHNOW, rf, 6), "refreshnow renders");
	const char *rfb[] = { "site", "009", "package", "00900012", "dp", "X%'" };
	ok(!renders(OP_REFRESHNOW, rfb, 6), "refreshnow refuses a WQL breakout in dp");
	const char *rfb2[] = { "site", "009", "package", "00900012" };
	ok(!renders(OP_REFRESHNOW, rfb2, 4), "refreshnow requires dp");
	const char *sp[] = { "site", "009", "package", "00900012", "path",
	    "\\\\FILESRV01\\Packages\\O'Brien" };
	ok(renders(OP_SETSOURCEPATH, sp, 6), "setsourcepath renders (quote as data)");
	const char *spb[] = { "site", "009", "package", "00900012", "path", "relative" };
	ok(!renders(OP_SETSOURCEPATH, spb, 6), "setsourcepath refuses a relative path");
	static const enum op_kind changing[] = { OP_COPYFILE, OP_SETATTR, OP_DELETEFILE,
	    OP_RENAMEFILE, OP_PRELOAD, OP_REFRESHNOW, OP_SETSOURCEPATH };
	for (size_t i = 0; i < sizeof changing / sizeof changing[0]; i++)
		ok(op_changes_site(changing[i]), "%s changes the site", op_name(changing[i]));
	ok(!op_changes_site(OP_STATUS) && !op_changes_site(OP_PATHINFO),
	    "status and pathinfo do not");
}

/* A transport that counts what reaches it. */
static int sent;

static int
count_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	(void)t; (void)op; (void)fn; (void)arg; (void)dl; (void)err;
	sent++;
	return TRANSPORT_EFAIL;
}

static const struct transport_ops count_ops = { .name = "count", .call = count_call, .close = NULL };

static void
test_read_only(void)
{
	struct transport t = { .ops = &count_ops, .host = (char *)"SMSPRI01",
		.answers = TRANSPORT_ALL_OPS };
	transport_set_read_only(&t, true);
	for (int k = 0; k < OP_COUNT; k++) {
		if (!op_changes_site((enum op_kind)k))
			continue;
		struct op op = { .kind = (enum op_kind)k }; /* no args: refusal comes first */
		char *err = NULL;
		sent = 0;
		int rc = transport_call(&t, &op, NULL, NULL, NULL, &err);
		char *want = xasprintf("read-only mode: refusing %s on SMSPRI01", op_name(op.kind));
		ok(rc == -1 && sent == 0 && err && strcmp(err, want) == 0,
		    "read-only refuses %s before sending (%s)", op_name(op.kind), err ? err : "");
		free(want);
		free(err);
		err = NULL;
		ok(transport_pass(&t, &op, NULL, NULL, NULL, &err) == TRANSPORT_EFAIL && sent == 0,
		    "read-only: transport_pass refuses a %s op", op_name(op.kind));
		free(err);
	}
	char *err = NULL;
	sent = 0;
	struct op status = { .kind = OP_STATUS };
	op_set(&status, "site", "009");
	(void)transport_call(&t, &status, NULL, NULL, NULL, &err);
	ok(sent == 1, "read-only still runs a read-only op");
	free(err);
	err = NULL;
	sent = 0;
	(void)transport_call(&t, &(struct op){ .kind = OP_COUNT }, NULL, NULL, NULL, &err);
	ok(sent == 0, "read-only refuses an op of no kind we know");
	free(err);
}

/* ---- on the demo site --------------------------------------------------- */

struct lines {
	char text[2048];
	int code;
	char result[64];
	char how[32];           /* copyfile's Compared */
};

static int
collect(const struct proto_record *r, void *arg, char **err)
{
	(void)err;
	struct lines *l = arg;
	if (strcmp(r->type, "O") == 0 && r->nfields > 0) {
		strncat(l->text, r->fields[0], sizeof l->text - strlen(l->text) - 2);
		strcat(l->text, "\n");
	} else if (strcmp(r->type, "X") == 0 && r->nfields == 1) {
		l->code = atoi(r->fields[0]);
	} else if (strcmp(r->type, "X") == 0 && r->nfields >= 3) {
		snprintf(l->result, sizeof l->result, "%s", r->fields[2]);
		const char *how = proto_get(r, "Compared");
		snprintf(l->how, sizeof l->how, "%s", how ? how : "");
	} else if ((strcmp(r->type, "D") == 0 || strcmp(r->type, "W") == 0) && r->nfields >= 2) {
		snprintf(l->result, sizeof l->result, "%s", r->fields[1]);
	} else if (strcmp(r->type, "A") == 0 && r->nfields >= 5) {
		snprintf(l->result, sizeof l->result, "%s", r->fields[3]); /* shareacl Nested */
	}
	return 0;
}

static int
call(struct site *w, enum op_kind k, const char *const *kv, size_t n, struct lines *l)
{
	struct op op = { .kind = k };
	for (size_t i = 0; i < n; i += 2)
		op_set(&op, kv[i], kv[i + 1]);
	memset(l, 0, sizeof *l);
	l->code = -1;
	char *err = NULL;
	int rc = transport_call(w->t, &op, collect, l, NULL, &err);
	if (rc != 0)
		printf("# %s: %s\n", op_name(k), err);
	free(err);
	return rc;
}

static void
advance(struct site *w, int64_t secs)
{
	w->now += secs;
	char iso[21];
	simclock_iso(scenario_start + 3600 + (dpd_time)w->now, iso);
	setenv("DPDOCTOR_SIM_TIME", iso, 1);
	struct lines l;
	const char *kv[] = { "site", "009" };
	(void)call(w, OP_STATUS, kv, 2, &l);   /* brings the site to now */
	simdb_free(w->s);
	w->s = NULL;
	char *err = NULL;
	if (simdb_load(w->dir, &w->s, &err) != 0)
		printf("# load: %s\n", err);
	free(err);
}

static int
state_of(struct site *w, uint32_t pkg, uint32_t srv)
{
	struct sim_cell c;
	return simdb_cell_view(w->s, pkg, srv, &c) ? c.state : -1;
}

/* Simulated seconds until the pair reaches state `want` (-1: no longer
 * targeted), looking every 15 s for at most `max`; -1 when it never does.
 * The repairs' timing is reported from here. */
#define STEP 15
static int64_t
until_state(struct site *w, uint32_t pkg, uint32_t srv, int want, int64_t max)
{
	for (int64_t t = 0; ; t += STEP) {
		if (w->s != NULL && state_of(w, pkg, srv) == want)
			return t;
		if (t >= max)
			return -1;
		advance(w, STEP);
	}
}

/* The worst time from a re-push to the end, over every repair here. */
static int64_t worst;
static const char *worst_what = "";

static void
timed(const char *what, int64_t secs)
{
	printf("# timing: %s: %lld simulated s after the re-push\n", what, (long long)secs);
	if (secs > worst) {
		worst = secs;
		worst_what = what;
	}
}

static const struct sim_cell *
cell_of(const struct sim_site *s, enum sim_mode m)
{
	for (size_t i = 0; i < s->ncell; i++)
		if (s->cell[i].mode == m && (s->cell[i].state == 2 || s->cell[i].state == 3))
			return &s->cell[i];
	return NULL;
}

/* A failing cell of mode m, its package and DP named; a failed check
 * (what) when the site has none. */
struct target {
	uint32_t pkg, srv;
	char id[9];
	char dp[64];
};

static bool
target_of(struct site *w, enum sim_mode m, const char *what, struct target *t)
{
	const struct sim_cell *c = cell_of(w->s, m);
	ok(c != NULL, "%s", what);
	if (c == NULL)
		return false;
	t->pkg = c->pkg;
	t->srv = c->srv;
	snprintf(t->id, sizeof t->id, "%s", w->s->pkg[c->pkg].id);
	snprintf(t->dp, sizeof t->dp, "%s", w->s->srv[c->srv].name);
	return true;
}

/* The drive a simulated server keeps SMS on (E: when it has none or is
 * not known): nothing assumes E:, the hierarchy's site servers vary. */
static char
sms_drive(const struct site *w, const char *server)
{
	for (size_t i = 0; i < w->s->nsrv; i++)
		if (strcasecmp(w->s->srv[i].name, server) == 0 && w->s->srv[i].sms_drive)
			return w->s->srv[i].sms_drive;
	return 'E';
}

/* copyfile the primary's PCK to the DP, then +R -A. */
static void
copy_pck(struct site *w, const char *id, const char *dp)
{
	char *src = xasprintf("E:\\SMSPKG\\%s.PCK", id);
	char *dst = xasprintf("\\\\%s\\%c$\\SMSPKG\\%s.PCK", dp, sms_drive(w, dp), id);
	const char *cp[] = { "src", src, "dst", dst };
	struct lines l;
	ok(call(w, OP_COPYFILE, cp, 4, &l) == 0 && strcmp(l.result, "copied") == 0,
	    "copyfile %s to %s: copied", id, dp);
	ok(call(w, OP_COPYFILE, cp, 4, &l) == 0 && strcmp(l.result, "identical") == 0,
	    "copyfile again: skipped as identical");
	is_str(l.how, "size-time", "  judged by size and time: the DP's copy is not read back");
	const char *sa[] = { "path", dst, "readonly", "set", "archive", "clear" };
	ok(call(w, OP_SETATTR, sa, 6, &l) == 0, "setattr +R -A");
	free(src);
	free(dst);
}

static bool
preload(struct site *w, const char *id, const char *dp, const char *expect, int code)
{
	/* Started with WMI from the primary, as on a site server without ssh. */
	char *smsdir = xasprintf("%c:\\SMS", sms_drive(w, dp));
	const char *pl[] = { "server", dp, "package", id, "via", "wmi", "smsdir", smsdir };
	struct lines l;
	bool good = call(w, OP_PRELOAD, pl, 8, &l) == 0 && strstr(l.text, expect) != NULL &&
	    l.code == code;
	free(smsdir);
	if (!good)
		printf("# preload said: %s (exit %d)\n", l.text, l.code);
	return good;
}

static void
refresh(struct site *w, const char *id, const char *dp)
{
	const char *rf[] = { "site", "009", "package", id, "dp", dp };
	struct lines l;
	ok(call(w, OP_REFRESHNOW, rf, 6, &l) == 0, "refreshnow %s on %s", id, dp);
}

static void
test_pck_missing(struct site *w)
{
	struct target t;
	if (!target_of(w, SIM_MODE_PCK_MISSING, "a PCK_MISSING cell", &t))
		return;
	uint32_t pkg = t.pkg, srv = t.srv;
	const char *id = t.id, *dp = t.dp;
	ok(preload(w, id, dp, "Failed to find the compressed package file", 1),
	    "PCK_MISSING: preload before the copy fails");
	copy_pck(w, id, dp);
	ok(preload(w, id, dp, "****** Successfully set the Compressed Package Path on this site", 0),
	    "PCK_MISSING: preload succeeds");
	refresh(w, id, dp);
	int64_t secs = until_state(w, pkg, srv, 0, 1800);
	ok(secs >= 0, "PCK_MISSING: %s on %s installed", id, dp);
	timed("PCK_MISSING", secs);
}

static void
test_stale(struct site *w)
{
	struct target t;
	if (!target_of(w, SIM_MODE_STALE_PKG_FILE, "a STALE_PKG_FILE cell", &t))
		return;
	uint32_t pkg = t.pkg, srv = t.srv;
	const char *id = t.id, *dp = t.dp;
	copy_pck(w, id, dp);
	ok(preload(w, id, dp, "is already set in the database", 1), "STALE: already set");
	char *pkgf = xasprintf("\\\\%s\\%c$\\SMS\\inboxes\\distmgr.box\\%s.PKG", dp,
	    sms_drive(w, dp), id);
	const char *df[] = { "path", pkgf };
	struct lines l;
	ok(call(w, OP_DELETEFILE, df, 2, &l) == 0 && strcmp(l.result, "deleted") == 0,
	    "STALE: distmgr.box PKG deleted");
	free(pkgf);
	ok(preload(w, id, dp, "Successfully forwarded the information up the hierarchy", 0),
	    "STALE: preload succeeds after the delete");
	refresh(w, id, dp);
	int64_t secs = until_state(w, pkg, srv, 0, 1800);
	ok(secs >= 0, "STALE: installed");
	timed("STALE_PKG_FILE", secs);
}

static void
test_not_in_db(struct site *w)
{
	struct target t;
	if (!target_of(w, SIM_MODE_NOT_IN_DB, "a NOT_IN_DB cell", &t))
		return;
	uint32_t pkg = t.pkg, srv = t.srv;
	const char *id = t.id, *dp = t.dp;
	ok(preload(w, id, dp, "Failed to get the specified package", 1), "NOT_IN_DB: failed to get");
	refresh(w, id, dp);
	advance(w, 600);
	ok(state_of(w, pkg, srv) == 2, "NOT_IN_DB: known after the re-push, still waiting for its PCK");
	copy_pck(w, id, dp);
	ok(preload(w, id, dp, "Successfully set the Compressed Package Path", 0),
	    "NOT_IN_DB: preload succeeds after the re-push");
	refresh(w, id, dp);
	int64_t secs = until_state(w, pkg, srv, 0, 1800);
	ok(secs >= 0, "NOT_IN_DB: installed");
	timed("NOT_IN_DB (after the second re-push)", secs);
}

/* Every targeted cell of pkg in state `st`. */
static bool
all_state(struct site *w, uint32_t pkg, int st)
{
	for (uint32_t srv = 0; srv < w->s->nsrv; srv++)
		if (simdb_target(w->s, pkg, srv) && state_of(w, pkg, srv) != st)
			return false;
	return true;
}

static void
touch(struct site *w, const char *id, const char *path)
{
	char *tmp = xasprintf("%s1", path);
	const char *a[] = { "site", "009", "package", id, "path", tmp };
	const char *b[] = { "site", "009", "package", id, "path", path };
	struct lines l;
	ok(call(w, OP_SETSOURCEPATH, a, 6, &l) == 0 && call(w, OP_SETSOURCEPATH, b, 6, &l) == 0,
	    "source path of %s touched", id);
	free(tmp);
}

static void
test_touch(struct site *w)
{
	long pkg = -1;
	for (uint32_t p = 0; p < w->s->npkg && pkg < 0; p++)
		if (simdb_pkg_cells(w->s, p, &(size_t){ 0 }) != NULL || true) {
			size_t n;
			(void)simdb_pkg_cells(w->s, p, &n);
			if (n == 0 && !(w->s->pkg[p].flags & SIM_PKG_NO_REGEN))
				pkg = p;
		}
	ok(pkg >= 0, "a healthy package");
	if (pkg < 0)
		return;
	char id[9], *path = xstrdup(w->s->pkg[pkg].source_path);
	snprintf(id, sizeof id, "%s", w->s->pkg[pkg].id);
	uint32_t v = w->s->pkg[pkg].source_version;
	touch(w, id, path);
	advance(w, 30);
	ok(w->s->pkg[pkg].source_version == v + 1, "touch: new source version");
	bool pending = true;
	for (uint32_t srv = 0; srv < w->s->nsrv; srv++)
		if (simdb_target(w->s, pkg, srv))
			pending &= state_of(w, (uint32_t)pkg, srv) == 1;
	ok(pending, "touch: every DP pending");
	int64_t secs = 30;
	while (!all_state(w, (uint32_t)pkg, 0) && secs < 1800) {
		advance(w, STEP);
		secs += STEP;
	}
	ok(all_state(w, (uint32_t)pkg, 0), "touch: every DP installed");
	printf("# timing: touch-source (healthy package, all DPs): %lld simulated s after "
	    "the touch\n", (long long)secs);
	free(path);

	const struct sim_cell *c = cell_of(w->s, SIM_MODE_PCK_NO_REGEN);
	ok(c != NULL, "a PCK_NO_REGEN cell");
	if (c == NULL)
		return;
	pkg = c->pkg;
	path = xstrdup(w->s->pkg[pkg].source_path);
	snprintf(id, sizeof id, "%s", w->s->pkg[pkg].id);
	v = w->s->pkg[pkg].source_version;
	touch(w, id, path);
	advance(w, 1800);
	ok(w->s->pkg[pkg].source_version == v && !all_state(w, (uint32_t)pkg, 0),
	    "NO_REGEN: touching does not regenerate");
	char *pck = xasprintf("E:\\SMSPKG\\%s.PCK", id);
	const char *rn[] = { "path", pck, "newname", "old.PCK" };
	struct lines l;
	ok(call(w, OP_RENAMEFILE, rn, 4, &l) == 0, "NO_REGEN: primary PCK renamed");
	touch(w, id, path);
	secs = 0;
	while (!all_state(w, (uint32_t)pkg, 0) && secs < 1800) {
		advance(w, STEP);
		secs += STEP;
	}
	ok(w->s->pkg[pkg].source_version == v + 1, "NO_REGEN: regenerated after the rename");
	ok(all_state(w, (uint32_t)pkg, 0), "NO_REGEN: every DP installed");
	timed("PCK_NO_REGEN (rename + touch, all DPs)", secs);
	free(pck);
	free(path);
}

/* ---- fixes made by hand ---------------------------------------------- */

static const char *
shareacl(struct site *w, const char *dp)
{
	static struct lines l;
	char share[] = "SMSPKGE$";       /* SMSPKG<x>$: the DP's own drive */
	for (size_t i = 0; i < w->s->nsrv; i++)
		if (strcasecmp(w->s->srv[i].name, dp) == 0 && w->s->srv[i].share_drive)
			share[6] = w->s->srv[i].share_drive;
	const char *kv[] = { "server", dp, "share", share };
	return call(w, OP_SHAREACL, kv, 4, &l) == 0 ? l.result : "(failed)";
}

static void
test_hand_errors(struct site *w)
{
	static const struct { const char *what, *pkg, *srv, *msg; } bad[] = {
		{ "reboot", "00900012", "LEEDSDP01", "unknown fix" },
		{ NULL, "00900012", NULL, "unknown fix" },
		{ "source-dir", "009FFFFF", NULL, "no package 009FFFFF" },
		{ "source-dir", "../../x", NULL, "no package" },
		{ "source-dir", NULL, NULL, "no package" },
		{ "share-acl", NULL, "NOSUCHDP01", "no server NOSUCHDP01" },
		{ "share-acl", NULL, NULL, "no server" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *err = NULL;
		ok(sim_hand_fix(w->dir, bad[i].what, bad[i].pkg, bad[i].srv, &err) == -1,
		    "hand fix #%zu refused", i);
		contains(err, bad[i].msg, "  because %s", bad[i].msg);
		free(err);
	}
	char *err = NULL;
	char *nowhere = xasprintf("%s/none", w->dir);
	ok(sim_hand_fix(nowhere, "share-acl", NULL, "LEEDSDP01", &err) == -1 && err != NULL,
	    "hand fix on a missing site refused");
	free(nowhere);
	free(err);
}

static void
test_source_missing(struct site *w)
{
	struct target t;
	if (!target_of(w, SIM_MODE_SOURCE_MISSING, "a SOURCE_MISSING cell", &t))
		return;
	uint32_t pkg = t.pkg, srv = t.srv;
	const char *id = t.id, *dp = t.dp;
	refresh(w, id, dp);
	advance(w, 1800);
	int st = state_of(w, pkg, srv);
	ok(st == 2 || st == 3, "SOURCE_MISSING: a re-push alone leaves it failing (%d)", st);
	char *err = NULL;
	ok(sim_hand_fix(w->dir, "source-dir", id, NULL, &err) == 0,
	    "SOURCE_MISSING: source folder restored by hand (%s)", err ? err : "");
	free(err);
	advance(w, 0);
	char *src = simfs_source_dir(w->s, &w->s->pkg[pkg]);
	ok(src != NULL && simfs_exists(src), "SOURCE_MISSING: the source folder is there");
	free(src);
	err = NULL;
	ok(sim_hand_fix(w->dir, "source-dir", id, NULL, &err) == 0,
	    "SOURCE_MISSING: restoring it again is harmless");
	free(err);
	refresh(w, id, dp);
	int64_t secs = until_state(w, pkg, srv, 0, 1800);
	ok(secs >= 0, "SOURCE_MISSING: %s on %s installed after the fix and a re-push", id, dp);
	timed("SOURCE_MISSING", secs);
	/* The package's other DPs were not re-pushed: the primary's retries
	 * (every 30 minutes) reach them, then their next inbox scan. */
	int64_t rest = 0;
	while (!all_state(w, pkg, 0) && rest < 4 * 3600) {
		advance(w, 60);
		rest += 60;
	}
	ok(all_state(w, pkg, 0), "SOURCE_MISSING: every other DP installed by the primary's "
	    "retries, without a re-push (%lld s)", (long long)rest);
	printf("# timing: SOURCE_MISSING, DPs not re-pushed: %lld simulated s\n", (long long)rest);
}

/* A SHARE_PERMS pair being removed (state 5 or 6). */
static const struct sim_cell *
removal_of(const struct sim_site *s)
{
	for (size_t i = 0; i < s->ncell; i++)
		if (s->cell[i].mode == SIM_MODE_SHARE_PERMS &&
		    (s->cell[i].state == 5 || s->cell[i].state == 6))
			return &s->cell[i];
	return NULL;
}

static void
test_share_perms(struct site *w)
{
	struct target t;
	if (!target_of(w, SIM_MODE_SHARE_PERMS, "a SHARE_PERMS cell (install)", &t))
		return;
	uint32_t pkg = t.pkg, srv = t.srv;
	const char *id = t.id, *dp = t.dp;
	is_str(shareacl(w, dp), "no", "SHARE_PERMS: %s's share ACL stops at the root", dp);
	refresh(w, id, dp);
	advance(w, 1800);
	int st = state_of(w, pkg, srv);
	ok(st == 2 || st == 3, "SHARE_PERMS: a re-push alone leaves it failing (%d)", st);
	char *err = NULL;
	ok(sim_hand_fix(w->dir, "share-acl", NULL, dp, &err) == 0,
	    "SHARE_PERMS: share ACL fixed by hand (%s)", err ? err : "");
	free(err);
	is_str(shareacl(w, dp), "yes", "SHARE_PERMS: the ACL now reaches nested folders");
	refresh(w, id, dp);
	int64_t secs = until_state(w, pkg, srv, 0, 1800);
	ok(secs >= 0, "SHARE_PERMS: %s on %s installed", id, dp);
	timed("SHARE_PERMS (install)", secs);

	const struct sim_cell *c = removal_of(w->s);
	ok(c != NULL, "a SHARE_PERMS cell (removal)");
	if (c == NULL)
		return;
	pkg = c->pkg;
	srv = c->srv;
	int was = c->state;
	snprintf(t.id, sizeof t.id, "%s", w->s->pkg[pkg].id);   /* id and dp point here */
	snprintf(t.dp, sizeof t.dp, "%s", w->s->srv[srv].name);
	err = NULL;
	ok(sim_hand_fix(w->dir, "share-acl", NULL, dp, &err) == 0,
	    "SHARE_PERMS: share ACL on %s fixed by hand", dp);
	free(err);
	refresh(w, id, dp);
	secs = until_state(w, pkg, srv, -1, 1800);
	ok(secs >= 0, "SHARE_PERMS: %s removed from %s (was state %d)", id, dp, was);
	ok(!simdb_target(w->s, pkg, srv) && simdb_cell(w->s, pkg, srv) == NULL,
	    "SHARE_PERMS: no target, no cell left");
	timed("SHARE_PERMS (removal)", secs);
}


/* ---- copyfile's judgement, the PreloadPkgOnSite tool ------------------------ */

/* Change a byte of a file on a simulated server, keeping its size and
 * time: a copy a size-and-time comparison cannot tell apart. */
static bool
tamper(struct site *w, const char *server, const char *win)
{
	char *path = sim_server_path(w->dir, server, win), *err = NULL;
	struct buf b;
	buf_init(&b);
	struct stat st;
	bool done = path && stat(path, &st) == 0 && file_read_all(path, 1 << 20, &b, &err) == 0 &&
	    b.len > 0;
	if (done) {
		b.data[b.len / 2] ^= 0x55;
		done = unlink(path) == 0 &&
		    simfs_write(path, b.data, b.len, (dpd_time)st.st_mtime, &err) == 0;
	}
	buf_free(&b);
	free(path);
	free(err);
	return done;
}

static void
test_copy_compare(struct site *w)
{
	const char *pri = w->s->srv[w->s->primary].name;
	const char *dp = w->s->srv[w->s->primary == 0 ? 1 : 0].name;
	char *src = xasprintf("E:\\SMSPKG\\%s.PCK", w->s->pkg[0].id);
	char *here = xasprintf("E:\\SMSPKG\\%s.copy", w->s->pkg[0].id);
	char *self = xasprintf("\\\\%s\\E$\\SMSPKG\\%s.copy", pri, w->s->pkg[0].id);
	char *there = xasprintf("\\\\%s\\E$\\SMSPKG\\%s.copy", dp, w->s->pkg[0].id);
	struct lines l;
	const char *a[] = { "src", src, "dst", here };
	ok(call(w, OP_COPYFILE, a, 4, &l) == 0 && strcmp(l.result, "copied") == 0 &&
	    strcmp(l.how, "size-time") == 0, "copyfile to a new local file: copied (%s, %s)",
	    l.result, l.how);
	ok(call(w, OP_COPYFILE, a, 4, &l) == 0 && strcmp(l.result, "identical") == 0 &&
	    strcmp(l.how, "sha256") == 0, "local, same size and time: hashed, identical (%s, %s)",
	    l.result, l.how);
	ok(tamper(w, pri, here), "the local copy changed, same size and time");
	ok(call(w, OP_COPYFILE, a, 4, &l) == 0 && strcmp(l.result, "copied") == 0 &&
	    strcmp(l.how, "sha256") == 0, "  the hash tells: copied again (%s, %s)", l.result, l.how);
	const char *b[] = { "src", src, "dst", self };
	ok(call(w, OP_COPYFILE, b, 4, &l) == 0 && strcmp(l.how, "sha256") == 0,
	    "\\\\<this host>\\E$\\... is local too (%s, %s)", l.result, l.how);
	const char *c[] = { "src", src, "dst", there };
	ok(call(w, OP_COPYFILE, c, 4, &l) == 0 && strcmp(l.result, "copied") == 0,
	    "copyfile to the DP: copied");
	char *dpwin = xasprintf("E:\\SMSPKG\\%s.copy", w->s->pkg[0].id);
	ok(tamper(w, dp, dpwin), "the DP's copy changed, same size and time");
	ok(call(w, OP_COPYFILE, c, 4, &l) == 0 && strcmp(l.result, "identical") == 0 &&
	    strcmp(l.how, "size-time") == 0, "  remote: judged by size and time, as a Windows host "
	    "would, never read back (%s, %s)", l.result, l.how);
	free(dpwin);
	free(src);
	free(here);
	free(self);
	free(there);
}

/* writefile on the simulated DP: a copy streamed through this machine
 * lands chunk by chunk, at the file's end only, with the source's time;
 * a read-only file refuses, as Windows refuses any writer. */
static void
test_writefile(struct site *w)
{
	const char *dp = w->s->srv[w->s->primary == 0 ? 1 : 0].name;
	char *win = xasprintf("\\\\%s\\E$\\SMSPKG\\%s.PCK.dpdoctor-part", dp,
	    w->s->pkg[0].id);
	char *drv = xasprintf("E:\\SMSPKG\\%s.PCK.dpdoctor-part", w->s->pkg[0].id);
	char *disk = sim_server_path(w->dir, dp, drv);
	free(drv);
	struct lines l;
	const char *a[] = { "path", win, "offset", "0", "data", "Zm9v" };
	ok(call(w, OP_WRITEFILE, a, 6, &l) == 0 && strcmp(l.result, "3") == 0,
	    "writefile at 0 creates the file (%s bytes)", l.result);
	const char *b[] = { "path", win, "offset", "3", "data", "YmFy", "mtime",
		"2007-01-04T08:40:00Z" };
	ok(call(w, OP_WRITEFILE, b, 8, &l) == 0 && strcmp(l.result, "6") == 0,
	    "  at its end appends (%s bytes)", l.result);
	struct stat st;
	ok(disk != NULL && stat(disk, &st) == 0 && st.st_mtime == 1167900000 && st.st_size == 6 &&
	    (st.st_mode & SIM_MODE_ARCHIVE), "  on disk: 6 bytes, the time given, archive set");
	ok(call(w, OP_WRITEFILE, b, 8, &l) != 0, "  the same chunk again is refused");
	ok(disk != NULL && chmod(disk, 0544) == 0, "made read-only");
	ok(call(w, OP_WRITEFILE, a, 6, &l) != 0, "  a read-only file refuses a writer");
	const char *d[] = { "path", win };
	ok(call(w, OP_DELETEFILE, d, 2, &l) == 0 && strcmp(l.result, "deleted") == 0,
	    "deletefile removes it");
	free(disk);
	free(win);
}

/* call(), keeping the error text. */
static char *
call_err(struct site *w, const char *const *kv, size_t n, struct lines *l)
{
	struct op op = { .kind = OP_PRELOAD };
	for (size_t i = 0; i < n; i += 2)
		op_set(&op, kv[i], kv[i + 1]);
	memset(l, 0, sizeof *l);
	l->code = -1;
	char *err = NULL;
	if (transport_call(w->t, &op, collect, l, NULL, &err) == 0) {
		free(err);
		return NULL;
	}
	return err ? err : xstrdup("?");
}

static bool
put_file(struct site *w, const char *server, const char *win)
{
	char *path = sim_server_path(w->dir, server, win), *err = NULL;
	bool done = path && simfs_write(path, "MZ", 2, (dpd_time)1167904800, &err) == 0;
	free(path);
	free(err);
	return done;
}

static void
test_preload_tool(struct site *w)
{
	/* A server that holds SMS (a child site's server; not the primary). */
	size_t k = 0;
	while (k + 1 < w->s->nsrv && (k == w->s->primary || w->s->srv[k].sms_drive == 0))
		k++;
	const char *dp = w->s->srv[k].name, *id = w->s->pkg[0].id;
	struct lines l;
	char *err = NULL;
	ok(simrep_preload_tool(w->dir, dp, false, &err) == 0, "%s: PreloadPkgOnSite.exe not "
	    "installed in its SMS folder (%s)", dp, err ? err : "");
	free(err);
	char *smsdir = xasprintf("%c:\\SMS", sms_drive(w, dp));
	const char *pl[] = { "server", dp, "package", id, "via", "wmi", "smsdir", smsdir };
	err = call_err(w, pl, 8, &l);
	char *looked = xasprintf("PreloadPkgOnSite.exe not found on %s; looked in: %s\\bin\\i386; "
	    "C:\\Program Files\\SMS 2003 Toolkit 2; C:\\Program Files\\ConfigMgr 2007 Toolkit "
	    "V2\\ServerTools (set preload_exe for this server)", dp, smsdir);
	contains(err, looked, "  preload names every place it looked");
	free(looked);
	ok(l.code == -1 && l.text[0] == '\0', "  and runs nothing");
	free(err);
	ok(put_file(w, dp, "C:\\Program Files\\ConfigMgr 2007 Toolkit V2\\ServerTools\\"
	    "PreloadPkgOnSite.exe"), "the ConfigMgr 2007 Toolkit V2 installed on %s", dp);
	err = call_err(w, pl, 8, &l);
	ok(err == NULL && l.code >= 0 && l.text[0] != '\0', "  preload finds it there and runs "
	    "(exit %d, %s)", l.code, err ? err : "");
	free(err);
	const char *given[] = { "server", dp, "package", id, "exe", "D:\\Tools\\PreloadPkgOnSite.exe",
	    "via", "wmi", "smsdir", smsdir };
	err = call_err(w, given, 10, &l);
	char *notthere = xasprintf("remote error: D:\\Tools\\PreloadPkgOnSite.exe not found on %s "
	    "(the preload_exe set for this server)", dp);
	contains(err, notthere, "a preload_exe that is not there is named");
	free(notthere);
	free(err);
	ok(put_file(w, dp, "D:\\Tools\\PreloadPkgOnSite.exe"), "it is put there");
	err = call_err(w, given, 10, &l);
	ok(err == NULL && l.code >= 0, "  preload runs it (exit %d, %s)", l.code, err ? err : "");
	free(err);
	err = NULL;
	ok(simrep_preload_tool(w->dir, dp, true, &err) == 0, "installed again (%s)", err ? err : "");
	free(err);
	err = NULL;
	ok(simrep_preload_tool(w->dir, "NOSUCHDP01", true, &err) == -1 && err != NULL,
	    "an unknown server is refused (%s)", err ? err : "");
	free(err);	free(smsdir);
}

/* ---- what a step shows is what it sends ------------------------------- */

/* A transport that carries ops to the simulated site as the sim transport
 * does (the rendered script, script.h) and keeps the text of every script
 * that changes the site, as it goes. */
struct recorder {
	const char *dir;
	struct buf sent;
	size_t nsent;        /* scripts that change the site, never reset */
};

static int
record_run(struct transport *t, const struct op *op, const char *script,
    struct script_result *res, const struct deadline *dl, char **err)
{
	struct recorder *r = t->priv;
	if (op_changes_site(op->kind)) {
		buf_adds(&r->sent, script);
		r->nsent++;
	}
	return simops_run(r->dir, t->host, script, res, dl, err);
}

static int
record_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	return script_call(t, record_run, op, fn, arg, dl, err);
}

static const struct transport_ops record_ops = { .name = "record", .call = record_call, .close = NULL };

/* Run plan on the cell step by step: each step's script, taken before it
 * runs, must be what reaches the recorders (yes to every step that sends
 * one); a step with none says why, and sends no change (skipped). */
static void
shown_is_sent(struct transport *t, struct recorder *const *recs, size_t nrecs,
    const char *primary, enum repair_plan plan, const struct target *c)
{
	struct repair_env env = { .t = t, .site = "009", .primary = primary,
	    .minute_ms = 1000 };
	struct repair_cell cell = { c->id, c->dp };
	struct repair_run *r = NULL;
	char *err = NULL;
	ok(repair_prepare(&env, plan, &cell, 1, &r, &err) == 0, "%s on %s %s: prepared (%s)",
	    repair_plan_name(plan), c->id, c->dp, err ? err : "");
	free(err);
	for (size_t i = 0; r != NULL && i < repair_nsteps(r) && !repair_over(r); i++) {
		const char *name = repair_action_name(repair_step(r, i)->action);
		err = NULL;
		char *want = repair_step_script(r, i, &err);
		for (size_t k = 0; k < nrecs; k++)
			buf_reset(&recs[k]->sent);
		char *why = NULL;
		enum repair_step_status st = repair_exec_step(r, i, want ? RA_YES : RA_SKIP,
		    false, &why);
		enum repair_outcome o = repair_cell(r, 0)->step[i];
		struct buf got;
		buf_init(&got);
		buf_adds(&got, "");
		for (size_t k = 0; k < nrecs; k++)
			buf_adds(&got, recs[k]->sent.data ? recs[k]->sent.data : "");
		if (want != NULL && o == RO_NOT_NEEDED && repair_step(r, i)->when != NULL) {
			/* The seed's branch, not taken: preload did not answer
			 * "already set", so nothing is deleted or sent again. */
			ok(st == RS_DONE && got.len == 0, "  step %zu %s: a branch not taken sends "
			    "nothing (%s)", i + 1, name, repair_cell(r, 0)->message[i]);
		} else if (want != NULL) {
			ok(st == RS_DONE && o == RO_OK, "  step %zu %s: ran (%s)", i + 1, name,
			    repair_cell(r, 0)->message[i]);
			ok(strncmp(want, "# dpdoctor op=", 14) == 0,
			    "  step %zu %s: its script starts with the op header", i + 1, name);
			is_str(got.data, want, "  step %zu %s: the script shown is the script sent",
			    i + 1, name);
		} else {
			ok(err != NULL && got.len == 0, "  step %zu %s: no script (%s), and no "
			    "change sent", i + 1, name, err ? err : "no reason");
		}
		buf_free(&got);
		free(want);
		free(err);
		free(why);
	}
	repair_run_free(r);
}

/* A failing cell of mode m whose package no earlier check here used (the
 * steps leave cells failing: the waits are skipped). */
/* Set: a mode with no unused cell left is skipped, not a failure (the
 * hierarchy puts some modes on few cells). */
static bool unused_optional;

static bool
unused_target(struct site *w, enum sim_mode m, const char *what, struct target *t)
{
	static uint32_t used[16];
	static size_t nused;
	for (size_t i = 0; i < w->s->ncell; i++) {
		const struct sim_cell *c = &w->s->cell[i];
		bool taken = false;
		for (size_t k = 0; k < nused; k++)
			taken |= used[k] == c->pkg;
		if (taken || c->mode != m || (c->state != 2 && c->state != 3) ||
		    nused == sizeof used / sizeof used[0])
			continue;
		used[nused++] = c->pkg;
		t->pkg = c->pkg;
		t->srv = c->srv;
		snprintf(t->id, sizeof t->id, "%s", w->s->pkg[c->pkg].id);
		snprintf(t->dp, sizeof t->dp, "%s", w->s->srv[c->srv].name);
		ok(true, "%s: %s on %s", what, t->id, t->dp);
		return true;
	}
	if (unused_optional)
		printf("# %s: none left in this scenario, skipped\n", what);
	else
		ok(false, "%s", what);
	return false;
}

static void
test_step_scripts(struct site *w, const char *primary)
{
	struct recorder rec = { .dir = w->dir };
	buf_init(&rec.sent);
	struct transport *t = transport_new(&record_ops, primary, TRANSPORT_ALL_OPS, &rec);
	struct recorder *one[] = { &rec };
	struct target c;
	if (unused_target(w, SIM_MODE_PCK_MISSING, "a PCK_MISSING cell for the script check", &c))
		shown_is_sent(t, one, 1, primary, PLAN_PRELOAD_PCK, &c);
	if (unused_target(w, SIM_MODE_STALE_PKG_FILE, "a STALE_PKG_FILE cell", &c))
		shown_is_sent(t, one, 1, primary, PLAN_CLEAR_PKG_PRELOAD, &c);
	/* Rename and touch (two saves, two scripts) work on any failing cell. */
	if (unused_target(w, SIM_MODE_PCK_MISSING, "another PCK_MISSING cell", &c))
		shown_is_sent(t, one, 1, primary, PLAN_RENAME_PCK_TOUCH, &c);
	unused_optional = true;
	if (unused_target(w, SIM_MODE_SHARE_PERMS, "a SHARE_PERMS cell", &c))
		shown_is_sent(t, one, 1, primary, PLAN_FIX_SHARE_PERMS, &c);
	unused_optional = false;

	/* A DP with a transport of its own for setattr: the step page names
	 * that server, and the script goes there, as shown. */
	if (!unused_target(w, SIM_MODE_PCK_MISSING, "a PCK_MISSING cell for the route", &c)) {
		transport_close(t);
		buf_free(&rec.sent);
		return;
	}
	struct recorder drec = { .dir = w->dir };
	buf_init(&drec.sent);
	struct transport *route = route_new(t);
	char *err = NULL;
	ok(route_add(route, c.dp, transport_new(&record_ops, c.dp, TRANSPORT_OP(OP_SETATTR),
	    &drec), &err) == 0, "route: %s gets its own transport for setattr", c.dp);
	free(err);
	struct repair_env env = { .t = route, .site = "009", .primary = primary,
	    .minute_ms = 1000 };
	struct repair_cell cell = { c.id, c.dp };
	struct repair_run *r = NULL;
	err = NULL;
	if (repair_prepare(&env, PLAN_PRELOAD_PCK, &cell, 1, &r, &err) == 0) {
		char *want = xasprintf("op setattr, run by %s (its own transport, record)", c.dp);
		contains(repair_step(r, 1)->sends, want, "route: the setattr step is sent to %s",
		    c.dp);
		free(want);
		want = xasprintf("op copyfile, run by %s (record)", primary);
		contains(repair_step(r, 0)->sends, want, "route: copyfile stays on %s", primary);
		free(want);
	} else {
		ok(false, "route: prepared (%s)", err);
	}
	free(err);
	repair_run_free(r);
	struct recorder *both[] = { &rec, &drec };
	shown_is_sent(route, both, 2, primary, PLAN_PRELOAD_PCK, &c);
	ok(drec.nsent == 1, "route: the DP's own transport carried the one setattr (%zu)",
	    drec.nsent);
	transport_close(route);
	buf_free(&rec.sent);
	buf_free(&drec.sent);
}

int
main(void)
{
	test_render();
	test_read_only();
	setenv("DPDOCTOR_SIM_TIME", "2007-01-04T10:00:00Z", 1);
	struct site w = { .dir = NULL };
	char *top = xstrdup("/tmp/dpd-test-repair-XXXXXX"), *err = NULL;
	if (mkdtemp(top) == NULL)
		return 99;
	w.dir = xasprintf("%s/site", top);
	ok(sim_ensure(w.dir, "default", 1, false, &err) == 0, "default site (%s)", err ? err : "");
	struct sim_info info;
	ok(sim_info(w.dir, &info, &err) == 0, "site info");
	w.t = transport_sim_new(w.dir, info.primary);
	advance(&w, 0);
	if (w.s != NULL) {
		test_pck_missing(&w);
		test_stale(&w);
		test_not_in_db(&w);
		test_touch(&w);
		test_hand_errors(&w);
		test_source_missing(&w);
		test_share_perms(&w);
		test_copy_compare(&w);
		test_writefile(&w);
		test_preload_tool(&w);
		test_step_scripts(&w, info.primary);
		printf("# timing: worst %lld simulated s (%s) = %.1f s wall at %d x\n",
		    (long long)worst, worst_what, (double)worst / SIM_SPEED, SIM_SPEED);
		ok(worst <= 25 * 60, "every repair ends within 25 simulated minutes of its re-push");
	}
	transport_close(w.t);
	simdb_free(w.s);
	sim_info_free(&info);
	(void)simfs_remove_tree(top, NULL);
	free(w.dir);
	free(top);
	free(err);
	return done_testing();
}
