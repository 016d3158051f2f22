/*
 * The changing ops: arguments validated and carried as data, refused in
 * read-only mode before anything is sent, and on the default demo site
 * (time frozen, moved on with DPDOCTOR_SIM_TIME) the seed's fixes work in
 * the right order and fail in the wrong one.
 */
#include "config.h"
#include "backend/nal.h"
#include "backend/ops.h"
#include "backend/sim/simint.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

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
	const char *pl[] = { "server", "LONDONDP01", "package", "00900012" };
	ok(renders(OP_PRELOAD, pl, 4), "preload renders");
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
count_run(struct transport *t, const char *script, struct script_result *res,
    const struct deadline *dl, char **err)
{
	(void)t; (void)script; (void)res; (void)dl; (void)err;
	sent++;
	return -1;
}

static const struct transport_ops count_ops = { "count", TCAP_SCRIPT, count_run, NULL };

static void
test_read_only(void)
{
	struct transport t = { .ops = &count_ops, .host = (char *)"SMSPRI01" };
	transport_set_read_only(&t, true);
	for (int k = 0; k < OP_COUNT; k++) {
		if (!op_changes_site((enum op_kind)k))
			continue;
		struct op op = { .kind = (enum op_kind)k }; /* no args: refusal comes first */
		char *err = NULL;
		sent = 0;
		int rc = ops_call(&t, &op, NULL, NULL, NULL, &err);
		char *want = xasprintf("read-only mode: refusing %s on SMSPRI01", op_name(op.kind));
		ok(rc == -1 && sent == 0 && err && strcmp(err, want) == 0,
		    "read-only refuses %s before sending (%s)", op_name(op.kind), err ? err : "");
		free(want);
		free(err);
		err = NULL;
		char *script = xasprintf("# dpdoctor op=%s v=1\n", op_name(op.kind));
		struct script_result res;
		script_result_init(&res);
		ok(transport_run_script(&t, script, &res, NULL, &err) == -1 && sent == 0,
		    "read-only: transport_run_script refuses a %s script", op_name(op.kind));
		script_result_free(&res);
		free(script);
		free(err);
	}
	char *err = NULL;
	struct script_result res;
	script_result_init(&res);
	sent = 0;
	(void)transport_run_script(&t, "# dpdoctor op=status v=1\n", &res, NULL, &err);
	ok(sent == 1, "read-only still runs a read-only op");
	free(err);
	err = NULL;
	sent = 0;
	(void)transport_run_script(&t, "Remove-Item E:\\x\n", &res, NULL, &err);
	ok(sent == 0, "read-only refuses a script without an op header");
	script_result_free(&res);
	free(err);
}

/* ---- on the demo site --------------------------------------------------- */

struct lines {
	char text[2048];
	int code;
	char result[64];
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
	} else if (strcmp(r->type, "D") == 0 && r->nfields >= 2) {
		snprintf(l->result, sizeof l->result, "%s", r->fields[1]);
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
	int rc = ops_call(w->t, &op, collect, l, NULL, &err);
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

static const struct sim_cell *
cell_of(const struct sim_site *s, enum sim_mode m)
{
	for (size_t i = 0; i < s->ncell; i++)
		if (s->cell[i].mode == m && (s->cell[i].state == 2 || s->cell[i].state == 3))
			return &s->cell[i];
	return NULL;
}

/* copyfile the primary's PCK to the DP, then +R -A. */
static void
copy_pck(struct site *w, const char *id, const char *dp)
{
	char *src = xasprintf("E:\\SMSPKG\\%s.PCK", id);
	char *dst = xasprintf("\\\\%s\\E$\\SMSPKG\\%s.PCK", dp, id);
	const char *cp[] = { "src", src, "dst", dst };
	struct lines l;
	ok(call(w, OP_COPYFILE, cp, 4, &l) == 0 && strcmp(l.result, "copied") == 0,
	    "copyfile %s to %s: copied", id, dp);
	ok(call(w, OP_COPYFILE, cp, 4, &l) == 0 && strcmp(l.result, "identical") == 0,
	    "copyfile again: skipped as identical");
	const char *sa[] = { "path", dst, "readonly", "set", "archive", "clear" };
	ok(call(w, OP_SETATTR, sa, 6, &l) == 0, "setattr +R -A");
	free(src);
	free(dst);
}

static bool
preload(struct site *w, const char *id, const char *dp, const char *expect, int code)
{
	const char *pl[] = { "server", dp, "package", id };
	struct lines l;
	bool good = call(w, OP_PRELOAD, pl, 4, &l) == 0 && strstr(l.text, expect) != NULL &&
	    l.code == code;
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
	const struct sim_cell *c = cell_of(w->s, SIM_MODE_PCK_MISSING);
	ok(c != NULL, "a PCK_MISSING cell");
	if (c == NULL)
		return;
	uint32_t pkg = c->pkg, srv = c->srv;
	char id[9], dp[64];
	snprintf(id, sizeof id, "%s", w->s->pkg[pkg].id);
	snprintf(dp, sizeof dp, "%s", w->s->srv[srv].name);
	ok(preload(w, id, dp, "Failed to find the compressed package file", 1),
	    "PCK_MISSING: preload before the copy fails");
	copy_pck(w, id, dp);
	ok(preload(w, id, dp, "****** Successfully set the Compressed Package Path on this site", 0),
	    "PCK_MISSING: preload succeeds");
	refresh(w, id, dp);
	advance(w, 1800);
	is_int(state_of(w, pkg, srv), 0, "PCK_MISSING: %s on %s installed", id, dp);
}

static void
test_stale(struct site *w)
{
	const struct sim_cell *c = cell_of(w->s, SIM_MODE_STALE_PKG_FILE);
	ok(c != NULL, "a STALE_PKG_FILE cell");
	if (c == NULL)
		return;
	char id[9], dp[64];
	uint32_t pkg = c->pkg, srv = c->srv;
	snprintf(id, sizeof id, "%s", w->s->pkg[pkg].id);
	snprintf(dp, sizeof dp, "%s", w->s->srv[srv].name);
	copy_pck(w, id, dp);
	ok(preload(w, id, dp, "is already set in the database", 1), "STALE: already set");
	char *pkgf = xasprintf("\\\\%s\\E$\\SMS\\inboxes\\distmgr.box\\%s.PKG", dp, id);
	const char *df[] = { "path", pkgf };
	struct lines l;
	ok(call(w, OP_DELETEFILE, df, 2, &l) == 0 && strcmp(l.result, "deleted") == 0,
	    "STALE: distmgr.box PKG deleted");
	free(pkgf);
	ok(preload(w, id, dp, "Successfully forwarded the information up the hierarchy", 0),
	    "STALE: preload succeeds after the delete");
	refresh(w, id, dp);
	advance(w, 1800);
	is_int(state_of(w, pkg, srv), 0, "STALE: installed");
}

static void
test_not_in_db(struct site *w)
{
	const struct sim_cell *c = cell_of(w->s, SIM_MODE_NOT_IN_DB);
	ok(c != NULL, "a NOT_IN_DB cell");
	if (c == NULL)
		return;
	char id[9], dp[64];
	uint32_t pkg = c->pkg, srv = c->srv;
	snprintf(id, sizeof id, "%s", w->s->pkg[pkg].id);
	snprintf(dp, sizeof dp, "%s", w->s->srv[srv].name);
	ok(preload(w, id, dp, "Failed to get the specified package", 1), "NOT_IN_DB: failed to get");
	refresh(w, id, dp);
	advance(w, 600);
	ok(state_of(w, pkg, srv) == 2, "NOT_IN_DB: known after the re-push, still waiting for its PCK");
	copy_pck(w, id, dp);
	ok(preload(w, id, dp, "Successfully set the Compressed Package Path", 0),
	    "NOT_IN_DB: preload succeeds after the re-push");
	refresh(w, id, dp);
	advance(w, 1800);
	is_int(state_of(w, pkg, srv), 0, "NOT_IN_DB: installed");
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
	advance(w, 1800);
	ok(all_state(w, (uint32_t)pkg, 0), "touch: every DP installed");
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
	advance(w, 1800);
	ok(w->s->pkg[pkg].source_version == v + 1, "NO_REGEN: regenerated after the rename");
	ok(all_state(w, (uint32_t)pkg, 0), "NO_REGEN: every DP installed");
	free(pck);
	free(path);
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
