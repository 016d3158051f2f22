/*
 * What a repair run tells about every cell, so that a batch page and the
 * summary never understate it: a batch step's scope is the group's total
 * and each cell has its line (target, what, bytes); a cell installed since
 * the plan was made shows as no longer needed before the question; the
 * summary counts only the cells that needed repair, lists every step with
 * its outcome and the other cells a step affected; a wait counts down from
 * the bound its page names (30:00, also in the demo's fast minutes); a cell
 * that healed before its group started is not counted; and a
 * site server that holds an OLDER PCK is not taken to have it: the copy's
 * bytes are counted, and skipping the copy says the old PCK will be used.
 * The first part runs on the simulated default site, the last against a
 * small fake provider whose PCKs differ in age.
 */
#include "autoconf.h"
#include "backend/repair/repair.h"
#include "backend/core/model.h"
#include "backend/core/proto.h"
#include "backend/sms/status.h"
#include "backend/sim/simint.h"
#include "tests/unit/simfix.h"
#include "tests/unit/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dir;
static struct transport *t;
static struct sim_info info;
static struct buf progress;

static void
keep_progress(void *ctx, const char *line)
{
	(void)ctx;
	buf_printf(&progress, "%s\n", line);
}

static struct repair_env
env_for(struct transport *tr, const char *primary)
{
	return (struct repair_env){ .t = tr, .site = "009", .primary = primary,
	    .minute_ms = 1000, .sleep_ms = simfix_sleep, .progress = keep_progress };
}

/* An installed DP of package id that is not of its own site (a cell the
 * preload plans take), for a batch with a cell that needs nothing. */
static bool
find_installed(const char *id, struct simfix_pick *p)
{
	struct deadline dl = { 0 };
	char *err = NULL;
	struct snapshot *s = status_fetch_package(t, "009", NULL, id, &dl, &err);
	long pi = s != NULL ? snapshot_find_pkg(s, id) : -1;
	bool found = false;
	for (size_t d = 0; pi >= 0 && d < s->ndps && !found; d++) {
		const struct cell *c = snapshot_cell(s, (size_t)pi, d);
		if (c == NULL || c->state != STATE_INSTALLED ||
		    snapshot_dp_kind(s, (size_t)pi, d) == DPK_OWN_SITE)
			continue;
		snprintf(p->id, sizeof p->id, "%s", id);
		snprintf(p->dp, sizeof p->dp, "%s", s->dps[d].name);
		found = true;
	}
	if (err != NULL)
		printf("# status: %s\n", err);
	free(err);
	snapshot_free(s);
	return found;
}

static void
run_all(struct repair_run *r)
{
	char *err = NULL;
	for (size_t i = 0; i < repair_nsteps(r) && !repair_over(r); i++) {
		if (repair_exec_step(r, i, RA_YES, false, &err) == RS_ERROR)
			printf("# step %zu: %s\n", i + 1, err);
		free(err);
		err = NULL;
	}
	if (repair_finish(r, &err) != 0)
		printf("# finish: %s\n", err);
	free(err);
}

/* Three failing cells and one installed, in one preload-pck group. */
static void
test_batch_pages(void)
{
	struct simfix_pick p[4];
	bool found = true;
	for (size_t i = 0; i < 3; i++)
		found &= simfix_find_cell(dir, SIM_MODE_PCK_MISSING, false, i, &p[i]);
	found = found && find_installed(p[0].id, &p[3]);
	if (!ok(found, "three PCK_MISSING cells and an installed one"))
		return;
	struct repair_cell c[4];
	for (size_t i = 0; i < 4; i++)
		c[i] = (struct repair_cell){ p[i].id, p[i].dp };
	struct repair_env env = env_for(t, info.primary);
	struct repair_run *r = NULL;
	char *err = NULL;
	if (!ok(repair_prepare(&env, PLAN_PRELOAD_PCK, c, 4, &r, &err) == 0, "prepared (%s)",
	    err ? err : "")) {
		free(err);
		return;
	}
	const struct repair_step_view *v = repair_step(r, 0);
	char total[16];
	repair_size_human(v->bytes, total);
	contains(v->scope, "all 4 cells of the group", "batch scope names the group");
	contains(v->scope, total, "  and its total (%s), not the first cell's", total);
	char *cells = repair_step_cells(r, 0);
	for (size_t i = 0; i < 3; i++)
		contains(cells, p[i].dp, "  cell line for %s", p[i].dp);
	printf("# %s", cells);
	free(cells);
	if (!ok(repair_recheck(r, &err) == 0, "re-read when the group starts (%s)",
	    err ? err : ""))
		goto out;
	cells = repair_step_cells(r, 0);
	char *want = xasprintf("%s on %s: no longer needed", p[3].id, p[3].dp);
	contains(cells, want, "the installed cell shows as no longer needed before the question");
	free(want);
	free(cells);
	ok(!repair_cell(r, 3)->active, "  and drops out");
	buf_reset(&progress);
	run_all(r);
	char *sum = repair_summary(r);
	printf("# %s", sum);
	contains(sum, "3 cells needed repair (1 installed already, left out)",
	    "summary counts only cells that needed repair");
	ok(strstr(sum, p[3].dp) == NULL || strcasecmp(p[3].dp, p[0].dp) == 0 ||
	    strcasecmp(p[3].dp, p[1].dp) == 0 || strcasecmp(p[3].dp, p[2].dp) == 0,
	    "  the installed cell is left out");
	contains(sum, "step 1 copy-pck: ok", "  every step with its outcome");
	contains(sum, "step 4 delete-distmgr-pkg: not needed", "  the branch not taken too");
	free(sum);
	const char *pr = progress.data ? progress.data : "";
	contains(pr, "30:00 left", "the wait counts down from its bound (30 minutes)");
	ok(strstr(pr, " 0:30 left") == NULL, "  never from the demo's wall seconds");
out:
	free(err);
	repair_run_free(r);
}

/* A touched source path re-sends to every DP: the summary names them. */
static void
test_also_affected(void)
{
	struct simfix_pick p;
	if (!ok(simfix_find_cell(dir, SIM_MODE_PCK_MISSING, false, 3, &p), "a PCK_MISSING cell"))
		return;
	struct repair_cell c = { p.id, p.dp };
	struct repair_env env = env_for(t, info.primary);
	struct repair_run *r = NULL;
	char *err = NULL;
	if (repair_prepare(&env, PLAN_TOUCH_SOURCE, &c, 1, &r, &err) != 0) {
		ok(false, "prepared touch-source: %s", err);
		free(err);
		return;
	}
	run_all(r);
	char *sum = repair_summary(r);
	printf("# %s", sum);
	contains(sum, "step 1 touch-source-path: ok", "touch-source ran");
	char *want = xasprintf("also affected: %s is sent again to every DP of %s", p.id, p.id);
	contains(sum, want, "  the summary names the other DPs it re-sent to");
	free(want);
	free(sum);
	repair_run_free(r);
}

/* ---- a fake provider: the child site LDS's server holds an older PCK ---- */

static int
fk_reply(const char *op, const char *const *rows, size_t n, proto_record_fn fn, void *arg,
    char **err)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "DPDOCTOR 2 %s\r\n", op);
	for (size_t i = 0; i < n; i++) {
		for (const char *q = rows[i]; *q; q++)
			buf_adds(&b, *q == '\\' ? "\\\\" : (char[]){ *q, 0 });
		buf_adds(&b, "\r\n");
	}
	buf_printf(&b, "END\tok\t%zu\r\n", n);
	int rc = proto_parse(b.data, b.len, op, fn, arg, err);
	buf_free(&b);
	return rc == 0 ? 0 : TRANSPORT_EREPLY;
}

#define FK_NAL(s, site) "[\"Display=\\\\" s "\\\"]MSWNET:[\"SMS_SITE=" site "\"]\\\\" s "\\"

/* The cell heals by itself (SMS got there) once this is set. */
static bool fk_healed;

/* pathinfo: the primary's PCK is 2000 bytes of the 3rd; LEEDSDP01's is
 * 1000 bytes of the 1st (an older version). */
static int
fk_pathinfo(const struct op *op, proto_record_fn fn, void *arg, char **err)
{
	const char *paths = op_arg(op, "paths");
	char *rows[9] = { xstrdup("COLS\tF\tPath\tExists\tIsDir\tSize\tMTime\tAttrs\tVersion\t"
	    "Error\tName\tPackageID") };
	size_t n = 1;
	for (const char *p = paths ? paths : ""; *p && n < 9;) {
		size_t len = strcspn(p, "|");
		bool old = strncasecmp(p, "\\\\LEEDSDP01\\", 12) == 0;
		rows[n++] = xasprintf("F\t%.*s\t1\t0\t%d\t2007-01-0%dT10:00:00Z\t1\t0\t\t\t",
		    (int)len, p, old ? 1000 : 2000, old ? 1 : 3);
		p += len + (p[len] == '|');
	}
	int rc = fk_reply("pathinfo", (const char *const *)rows, n, fn, arg, err);
	for (size_t i = 0; i < n; i++)
		free(rows[i]);
	return rc;
}

static int
fk_call(struct transport *tr, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	(void)tr; (void)dl;
	static const char *const sites[] = {
		"COLS\tT\tSiteCode\tSiteName\tServerName\tReportingSiteCode\tType\tInstallDir",
		"T\t009\tCentral\tSMS009PRI\t\t2\tE:\\SMS",
		"T\tLDS\tLeeds\tLEEDSDP01\t009\t1\tD:\\SMS",
	};
	const char *status[] = {
		"COLS\tP\tPackageID\tName\tManufacturer\tVersion\tLanguage\tPkgSourcePath\t"
		"SourceVersion\tStoredPkgVersion\tStoredPkgPath\tSourceSite\tSourceDate",
		"P\t00900012\tApp\tMfr\t1\tEnglish\t\\\\FILESRV01\\Packages\\App\t3\t3\t"
		"E:\\SMSPKG\\00900012.PCK\t009\t2007-01-02T08:00:00Z",
		"COLS\tC\tPackageID\tServerNALPath\tSiteCode\tState\tSourceVersion\tLastCopied\t"
		"SummaryDate",
		fk_healed ? "C\t00900012\t" FK_NAL("LEEDSDP02", "LDS") "\tLDS\t0\t3\t"
		"2007-01-04T09:30:00Z\t2007-01-04T09:30:00Z" :
		"C\t00900012\t" FK_NAL("LEEDSDP02", "LDS") "\tLDS\t2\t2\t2007-01-03T10:00:00Z\t"
		"2007-01-04T09:00:00Z",
		"COLS\tT\tNow", "T\t2007-01-04T10:00:00Z",
	};
	switch (op->kind) {
	case OP_STATUS: return fk_reply("status", status, 6, fn, arg, err);
	case OP_SITES: return fk_reply("sites", sites, 3, fn, arg, err);
	case OP_PATHINFO: return fk_pathinfo(op, fn, arg, err);
	default:
		err_set(err, "fake: %s not expected", op_name(op->kind));
		return TRANSPORT_EFAIL;
	}
}

static const struct transport_ops fk_ops = { .name = "fake", .call = fk_call, .close = NULL };

static void
test_older_pck(void)
{
	struct transport fk = { .ops = &fk_ops, .host = (char *)"SMS009PRI",
	    .answers = TRANSPORT_ALL_OPS };
	struct repair_cell c = { "00900012", "LEEDSDP02" };
	struct repair_env env = env_for(&fk, "SMS009PRI");
	struct repair_run *r = NULL;
	char *err = NULL;
	if (!ok(repair_prepare(&env, PLAN_PRELOAD_PCK, &c, 1, &r, &err) == 0,
	    "older PCK: prepared (%s)", err ? err : "")) {
		free(err);
		return;
	}
	const struct repair_step_view *v = repair_step(r, 0);
	is_int((long long)v->bytes, 2000, "an older PCK on the site server: the copy's bytes count");
	contains(v->scope, "LEEDSDP01 holds an OLDER PCK (2007-01-01T10:00:00Z",
	    "  the scope says what is there");
	contains(v->scope, "which is replaced: all 2.0 KB cross", "  and what will cross");
	contains(v->on_skip, "the preload will use the PCK already on LEEDSDP01, an OLDER PCK",
	    "  skipping the copy warns that the old PCK will be used");
	contains(repair_step(r, 5)->scope, "an older PCK there is replaced",
	    "  the re-push does not claim the DP has it");
	(void)repair_exec_step(r, 0, RA_SKIP, false, &err);
	contains(repair_cell(r, 0)->message[0], "the preload will use the PCK already on "
	    "LEEDSDP01", "  and the skipped step says so");
	free(err);
	repair_run_free(r);
}

/* The cell healed between the plan and its group's start: it shows as no
 * longer needed before the question, is offered no step (never a delete),
 * and the summary does not count it as needing repair. */
static void
test_healed(void)
{
	struct transport fk = { .ops = &fk_ops, .host = (char *)"SMS009PRI",
	    .answers = TRANSPORT_ALL_OPS };
	struct repair_cell c = { "00900012", "LEEDSDP02" };
	struct repair_env env = env_for(&fk, "SMS009PRI");
	struct repair_run *r = NULL;
	char *err = NULL;
	fk_healed = false;
	if (!ok(repair_prepare(&env, PLAN_CLEAR_PKG_PRELOAD, &c, 1, &r, &err) == 0,
	    "healed: prepared (%s)", err ? err : "")) {
		free(err);
		return;
	}
	fk_healed = true;
	ok(repair_recheck(r, &err) == 0, "healed: read again when the group starts");
	char *cells = repair_step_cells(r, 0);
	contains(cells, "00900012 on LEEDSDP02: no longer needed: installed since the plan was "
	    "made", "  shown as no longer needed before the question");
	free(cells);
	ok(repair_over(r) || !repair_cell(r, 0)->active, "  and drops out: no step is offered");
	for (size_t i = 0; i < repair_nsteps(r) && !repair_over(r); i++)
		(void)repair_exec_step(r, i, RA_YES, false, &err);
	ok(repair_cell(r, 0)->step[3] != RO_OK, "  the stale PKG is never deleted for it");
	(void)repair_finish(r, &err);
	char *sum = repair_summary(r);
	contains(sum, "0 cells needed repair (1 installed already, left out)",
	    "  the summary does not count it");
	free(sum);
	free(err);
	repair_run_free(r);
	fk_healed = false;
}

int
main(void)
{
	char *top = xstrdup("/tmp/dpd-test-report-XXXXXX"), *err = NULL;
	if (mkdtemp(top) == NULL)
		return 99;
	dir = xasprintf("%s/site", top);
	simfix_set_clock();
	buf_init(&progress);
	if (sim_ensure(dir, "default", 1, false, &err) != 0 || sim_info(dir, &info, &err) != 0) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	t = transport_sim_new(dir, info.primary);
	test_batch_pages();
	test_also_affected();
	test_older_pck();
	test_healed();
	transport_close(t);
	sim_info_free(&info);
	buf_free(&progress);
	(void)simfs_remove_tree(top, NULL);
	free(dir);
	free(top);
	free(err);
	return done_testing();
}
