/* Unit tests: status replies into snapshots, and status_fetch over a fake
 * transport (errors must name the host, the line and the field). */
#include "autoconf.h"
#include "backend/sim/simint.h"
#include "backend/sim/sim.h"
#include "backend/ops/ops_ps.h"
#include "backend/sms/status.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

/* NAL paths as they travel: every backslash escaped by the protocol. */
#define NAL1 "[\"Display=\\\\\\\\DP01\\\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\\\\\DP01\\\\"
#define NAL2 "[\"Display=\\\\\\\\DP02\\\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\\\\\DP02\\\\"
#define HEAD "DPDOCTOR 2 status\r\n" \
	"COLS\tP\tPackageID\tName\tManufacturer\tVersion\tLanguage\tPkgSourcePath\tSourceVersion\tStoredPkgVersion\tStoredPkgPath\tSourceSite\tSourceDate\r\n" \
	"P\t009000B7\tAdobe Reader 8.1\tAdobe\t8.1\tEnglish\t\\\\\\\\FILESRV01\\\\Packages\\\\Reader\t3\t3\t\tCEN\t2007-01-02T08:00:00Z\r\n" \
	"COLS\tC\tPackageID\tServerNALPath\tSiteCode\tState\tSourceVersion\tLastCopied\tSummaryDate\r\n"

static const char good[] = HEAD
	"C\t009000B7\t" NAL1 "\t009\t3\t2\t2007-01-03T10:00:00Z\t2007-01-04T09:00:00Z\r\n"
	"C\t009000B7\t" NAL2 "\t009\t0\t3\t2007-01-03T11:00:00Z\t2007-01-03T11:00:00Z\r\n"
	"COLS\tT\tNow\r\nT\t2007-01-04T10:00:00Z\r\n"
	"END\tok\t3\r\n";

static void
test_parse(void)
{
	char *err = NULL;
	struct snapshot *s = status_parse(good, sizeof good - 1, &err);
	ok(s != NULL, "good reply parses (%s)", err ? err : "");
	if (s == NULL)
		return;
	is_int(s->npkgs, 1, "one package");
	is_int(s->ndps, 2, "two DPs");
	is_str(s->pkgs[0].name, "Adobe Reader 8.1", "package name");
	is_str(s->pkgs[0].source_path, "\\\\FILESRV01\\Packages\\Reader", "source path unescaped");
	is_int(s->pkgs[0].source_version, 3, "package SourceVersion");
	const struct cell *c = snapshot_cell(s, 0, 0);
	ok(c && c->state == 3 && c->source_version == 2, "failed cell at version 2");
	char when[21];
	time_format_iso(c ? c->last_copied : 0, when);
	is_str(when, "2007-01-03T10:00:00Z", "LastCopied");
	is_str(s->site_code, "009", "site code from the rows");
	time_format_iso(s->taken, when);
	is_str(when, "2007-01-04T10:00:00Z", "site time");
	is_int(s->state_counts[3], 1, "count of failed");
	snapshot_free(s);
}

/* The compact reply (protocol 2): DPs declared once by index in D rows,
 * repeats as \=, and rows in whatever order WMI gave them (packages
 * interleaved, a DP first seen late): the same cells as the long form,
 * and the same times by the short cut (only the time of day differs). */
static void
test_parse_compact(void)
{
	static const char text[] = "DPDOCTOR 2 status\r\n"
		"COLS\tP\tPackageID\tName\tSourceVersion\r\n"
		"P\t009000B7\tReader\t3\r\nP\t009000B8\t\\=\t4\r\n"
		"COLS\tD\tDP\tServerNALPath\tSiteCode\r\n"
		"COLS\tC\tPackageID\tDP\tState\tSourceVersion\tLastCopied\tSummaryDate\r\n"
		"D\t0\t" NAL1 "\t009\r\n"
		"C\t009000B7\t0\t3\t2\t20070103100000.000000+000\t20070104090000.000000+000\r\n"
		"C\t009000B8\t0\t0\t4\t20070103101500.000000+000\t\\=\r\n"
		"D\t1\t" NAL2 "\t009\r\n"
		"C\t009000B7\t1\t0\t\\=\t\\=\t20070104091500.000000+000\r\n"
		"C\t\\=\t0\t1\t2\t20070103101500.000000+000\t\\=\r\n"
		"END\tok\t5\r\n";
	char *err = NULL;
	struct snapshot *s = status_parse(text, sizeof text - 1, &err);
	ok(s != NULL, "a compact reply in WMI's order parses (%s)", err ? err : "");
	if (s == NULL) {
		free(err);
		return;
	}
	is_int(s->npkgs, 2, "  two packages");
	is_int(s->ndps, 2, "  two DPs, declared by D rows");
	is_int(s->ncells, 4, "  four rows");
	is_str(s->pkgs[1].name, "Reader", "  a P field repeated by \\=");
	long b7 = snapshot_find_pkg(s, "009000B7"), b8 = snapshot_find_pkg(s, "009000B8");
	long dp2 = snapshot_find_dp(s, "DP02");
	const struct cell *c = b7 >= 0 && dp2 >= 0 ? snapshot_cell(s, (size_t)b7, (size_t)dp2) : NULL;
	ok(c != NULL && c->state == 0 && c->source_version == 4, "  a later DP's cell, its version repeated");
	char when[21];
	time_format_iso(c ? c->last_copied : 0, when);
	is_str(when, "2007-01-03T10:15:00Z", "  a repeated time");
	time_format_iso(c ? c->summary_date : 0, when);
	is_str(when, "2007-01-04T09:15:00Z", "  a time of the same day, by its time of day");
	long dp1 = snapshot_find_dp(s, "DP01");
	c = b8 >= 0 && dp1 >= 0 ? snapshot_cell(s, (size_t)b8, (size_t)dp1) : NULL;
	ok(c != NULL && c->state == 0, "  the package's row before it came back");
	snapshot_free(s);
	static const char *const bad[][2] = {
		{ "C\t009000B7\t5\t0\t1\t\t\r\nEND\tok\t1\r\n", "DP index \"5\" was not declared" },
		{ "D\t3\t" NAL1 "\t009\r\nEND\tok\t0\r\n", "DP index \"3\" is not the next one" },
	};
	for (size_t i = 0; i < 2; i++) {
		char *t = xasprintf("DPDOCTOR 2 status\r\nCOLS\tD\tDP\tServerNALPath\tSiteCode\r\n"
		    "COLS\tC\tPackageID\tDP\tState\tSourceVersion\tLastCopied\tSummaryDate\r\n%s",
		    bad[i][0]);
		err = NULL;
		ok(status_parse(t, strlen(t), &err) == NULL, "a bad DP index refused (%zu)", i);
		contains(err, bad[i][1], "  says \"%s\"", bad[i][1]);
		free(err);
		free(t);
	}
}

/* The reply as SMS writes it: CIM_DATETIME with the offset, "+***" for
 * SMS's own (GMT) dates; every time lands as UTC. */
static void
test_parse_wmi(void)
{
	static const char text[] = "DPDOCTOR 2 status\r\n"
		"COLS\tP\tPackageID\tName\tManufacturer\tVersion\tLanguage\tPkgSourcePath\tSourceVersion\tStoredPkgVersion\tStoredPkgPath\tSourceSite\tSourceDate\r\n"
		"P\t009000B7\tAdobe Reader 8.1\tAdobe\t8.1\tEnglish\t\t3\t3\t\tCEN\t20070102093000.000000+090\r\n"
		"COLS\tC\tPackageID\tServerNALPath\tSiteCode\tState\tSourceVersion\tLastCopied\tSummaryDate\r\n"
		"C\t009000B7\t" NAL1 "\t009\t3\t2\t20070103100000.000000+***\t20070104040000.000000-300\r\n"
		"C\t009000B7\t" NAL2 "\t009\t0\t3\t20070103110000.123456+000\t\r\n"
		"COLS\tT\tNow\r\nT\t2007-01-04T10:00:00Z\r\n"
		"END\tok\t3\r\n";
	char *err = NULL;
	struct snapshot *s = status_parse(text, sizeof text - 1, &err);
	ok(s != NULL, "a reply with WMI datetimes parses (%s)", err ? err : "");
	if (s == NULL) {
		free(err);
		return;
	}
	char when[21];
	time_format_iso(s->pkgs[0].source_date, when);
	is_str(when, "2007-01-02T08:00:00Z", "SourceDate +090 is read as UTC");
	const struct cell *c = snapshot_cell(s, 0, 0), *d = snapshot_cell(s, 0, 1);
	time_format_iso(c ? c->last_copied : 0, when);
	is_str(when, "2007-01-03T10:00:00Z", "LastCopied +*** is GMT");
	time_format_iso(c ? c->summary_date : 0, when);
	is_str(when, "2007-01-04T09:00:00Z", "SummaryDate -300 is read as UTC");
	time_format_iso(d ? d->last_copied : 0, when);
	is_str(when, "2007-01-03T11:00:00Z", "LastCopied +000 with microseconds");
	ok(d != NULL && d->summary_date == 0, "an empty SummaryDate is unknown");
	snapshot_free(s);
}

static void
test_bad(void)
{
	static const struct { const char *row, *msg; } bad[] = {
		{ "C\t009000b7\t" NAL1 "\t009\t3\t2\t\t\r\n", "line 5: PackageID \"009000b7\"" },
		{ "C\t009000B7\tnot a nal\t009\t3\t2\t\t\r\n", "line 5: NAL path" },
		{ "C\t009000B7\t" NAL1 "\t009\tthree\t2\t\t\r\n", "line 5: package 009000B7 on DP01 has a bad State" },
		{ "C\t009000B7\t" NAL1 "\t009\t3\t-1\t\t\r\n", "bad State, version or date" },
		{ "C\t009000B7\t" NAL1 "\t009\t3\t2\t2007-13-01T00:00:00Z\t\r\n", "bad State, version or date" },
		{ "C\t009000B7\t" NAL1 "\t009\t3\t2\tyesterday\t\r\n", "bad State, version or date" },
		{ "C\t009000B7\t" NAL1 "\t009\t3\t2\t20070229100000.000000+000\t\r\n", "bad State, version or date" },
		{ "C\t009000B7\t" NAL1 "\t009\t3\t2\t\t20070104100000.000000:000\r\n", "bad State, version or date" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *text = xasprintf("%s%sEND\tok\t2\r\n", HEAD, bad[i].row);
		char *err = NULL;
		ok(status_parse(text, strlen(text), &err) == NULL, "bad row %zu refused", i);
		contains(err, bad[i].msg, "  says %s", bad[i].msg);
		free(err);
		free(text);
	}
	char *err = NULL;
	/* Cut just before the END line: every record arrived, the verdict did not. */
	ok(status_parse(good, (size_t)(strstr(good, "END\t") - good), &err) == NULL,
	    "truncated reply refused");
	contains(err, "cut short", "  as cut short");
	free(err);
}

/* A transport that answers with fixed text, or fails. */
static int
fake_run(struct transport *t, const struct op *op, const char *script,
    struct script_result *res, const struct deadline *dl, char **err)
{
	(void)op;
	(void)dl;
	if (t->priv == NULL) {
		err_set(err, "%s: connection refused", t->host);
		return -1;
	}
	ok(strstr(script, "$A['site'] = '009'") != NULL, "fake host got the rendered script");
	buf_adds(&res->out, t->priv);
	buf_adds(&res->err, "warning text");
	res->exit_code = 0;
	return 0;
}

static int
fake_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	return script_call(t, fake_run, op, fn, arg, dl, err);
}

static const struct transport_ops fake_ops = { .name = "fake", .call = fake_call, .close = NULL };

static void
test_fetch(void)
{
	struct transport *t = xcalloc(1, sizeof *t);
	t->ops = &fake_ops;
	t->host = xstrdup("SMS009PRI");
	t->answers = TRANSPORT_ALL_OPS;
	t->priv = (void *)good;
	char *err = NULL;
	struct snapshot *s = status_fetch(t, "009", NULL, NULL, &err);
	ok(s != NULL && s->ncells == 2, "fetch through a transport");
	is_str(s ? s->source : NULL, "fake:SMS009PRI", "source names transport and host");
	snapshot_free(s);
	t->priv = (void *)"DPDOCTOR 2 status\nEND\terror\tInvalid namespace\n";
	ok(status_fetch(t, "009", NULL, NULL, &err) == NULL, "remote error surfaces");
	contains(err, "status on SMS009PRI: remote error: Invalid namespace", "  with host and message");
	contains(err, "stderr: warning text", "  and stderr");
	free(err);
	err = NULL;
	t->priv = NULL;
	ok(status_fetch(t, "009", NULL, NULL, &err) == NULL, "transport failure surfaces");
	contains(err, "SMS009PRI: connection refused", "  naming the host");
	free(err);
	err = NULL;
	t->priv = (void *)good;
	ok(status_fetch(t, "0;9", NULL, NULL, &err) == NULL, "bad site code never rendered");
	free(err);
	transport_close(t);
}

/* A transport that only counts the ops reaching it. */
static int sent;

static int
count_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	(void)t; (void)op; (void)fn; (void)arg; (void)dl;
	sent++;
	err_set(err, "not expected");
	return TRANSPORT_EFAIL;
}

static const struct transport_ops count_ops = { .name = "count", .call = count_call, .close = NULL };

static void
test_package_refused(void)
{
	struct transport t = { .ops = &count_ops, .host = (char *)"SMS009PRI",
		.answers = TRANSPORT_ALL_OPS };
	static const char *const bad[] = { "", "009000b7", "009000B", "0090' OR '1'='1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *err = NULL;
		sent = 0;
		ok(status_fetch_package(&t, "009", NULL, bad[i], NULL, &err) == NULL && sent == 0,
		    "package \"%s\" refused before sending", bad[i]);
		ok(err != NULL, "  with a reason (%s)", err ? err : "");
		free(err);
	}
	char *err = NULL;
	ok(status_fetch_package(&t, "009", NULL, NULL, NULL, &err) == NULL && sent == 0,
	    "no package ID refused");
	free(err);
}

/* The package's cells in a full snapshot and in one for the package alone. */
static void
compare_package(struct snapshot *full, struct snapshot *one, const char *id)
{
	long fp = snapshot_find_pkg(full, id), op = snapshot_find_pkg(one, id);
	ok(one->npkgs == 1 && op == 0, "%s: exactly one package row", id);
	if (fp < 0 || op < 0)
		return;
	is_str(one->pkgs[op].source_path, full->pkgs[fp].source_path, "%s: same source path", id);
	is_int(one->pkgs[op].source_version, full->pkgs[fp].source_version,
	    "%s: same SourceVersion", id);
	size_t want = 0, same = 0;
	for (size_t d = 0; d < full->ndps; d++) {
		const struct cell *c = snapshot_cell(full, (size_t)fp, d);
		if (c == NULL)
			continue;
		want++;
		long od = snapshot_find_dp(one, full->dps[d].name);
		const struct cell *o = od >= 0 ? snapshot_cell(one, (size_t)op, (size_t)od) : NULL;
		if (o != NULL && o->state == c->state && o->source_version == c->source_version &&
		    o->last_copied == c->last_copied && o->summary_date == c->summary_date)
			same++;
	}
	ok(want > 0 && one->ncells == want, "%s: only its cells (%zu of %zu)", id,
	    one->ncells, want);
	is_int((long long)same, (long long)want, "%s: every cell as the full status has it", id);
}

/* The simulated provider writes SMS's dates as CIM_DATETIME, "+***" on
 * some rows and "+000" on others; both land as the site's own UTC times. */
static void
test_sim_dates(const char *dir, const char *primary, const struct snapshot *full)
{
	struct op op = { .kind = OP_STATUS };
	op_set(&op, "site", "009");
	char *err = NULL, *script = ops_render(&op, &err);
	struct script_result res;
	script_result_init(&res);
	ok(script != NULL && sim_run_script(dir, primary, script, &res, &err) == 0,
	    "the status script runs on the simulated primary (%s)", err ? err : "");
	const char *out = res.out.data ? res.out.data : "";
	ok(strstr(out, ".000000+***\t") != NULL && strstr(out, ".000000+***\r\n") != NULL,
	    "cell and package dates with SMS's \"+***\" offset");
	ok(strstr(out, ".000000+000\t") != NULL && strstr(out, ".000000+000\r\n") != NULL,
	    "cell and package dates with \"+000\"");
	struct sim_site *s = NULL;
	ok(simdb_load(dir, &s, &err) == 0, "the site loads (%s)", err ? err : "");
	size_t pkgs = 0, cells = 0, nc = 0;
	for (size_t i = 0; s != NULL && full != NULL && i < s->npkg; i++) {
		long p = snapshot_find_pkg(full, s->pkg[i].id);
		pkgs += p >= 0 && full->pkgs[p].source_date == s->pkg[i].source_date;
		for (uint32_t d = 0; p >= 0 && d < s->nsrv; d++) {
			struct sim_cell v;
			long dp = snapshot_find_dp(full, s->srv[d].name);
			const struct cell *c = dp >= 0 ? snapshot_cell(full, (size_t)p, (size_t)dp) : NULL;
			if (!simdb_cell_view(s, (uint32_t)i, d, &v) || c == NULL)
				continue;
			nc++;
			cells += c->last_copied == v.last_copied && c->summary_date == v.summary_date;
		}
	}
	ok(s != NULL && pkgs == s->npkg, "every SourceDate is the site's (%zu of %zu)", pkgs,
	    s ? s->npkg : 0);
	ok(nc > 0 && cells == nc, "every LastCopied and SummaryDate is the site's (%zu of %zu)",
	    cells, nc);
	simdb_free(s);
	script_result_free(&res);
	free(script);
	free(err);
}

static void
test_sim_package(void)
{
	setenv("DPDOCTOR_SIM_TIME", "2007-01-04T10:00:00Z", 1);
	char *top = xstrdup("/tmp/dpd-test-status-XXXXXX"), *err = NULL;
	if (mkdtemp(top) == NULL) {
		ok(0, "temporary folder");
		free(top);
		return;
	}
	char *dir = xasprintf("%s/site", top);
	struct sim_info info;
	if (!ok(sim_ensure(dir, "default", 1, false, &err) == 0 &&
	    sim_info(dir, &info, &err) == 0, "default demo site (%s)", err ? err : "")) {
		free(err);
		free(dir);
		free(top);
		return;
	}
	struct transport *t = transport_sim_new(dir, info.primary);
	struct snapshot *full = status_fetch(t, "009", NULL, NULL, &err);
	ok(full != NULL, "full status (%s)", err ? err : "");
	test_sim_dates(dir, info.primary, full);
	/* A package with a failing cell and a healthy one, when there are. */
	const char *ids[2] = { NULL, NULL };
	for (size_t i = 0; full != NULL && i < full->ncells; i++) {
		const struct cell *c = &full->cells[i];
		if (c->state != 0 && ids[0] == NULL)
			ids[0] = full->pkgs[c->pkg].id;
		if (full->pkgs[c->pkg].problems == 0 && ids[1] == NULL)
			ids[1] = full->pkgs[c->pkg].id;
	}
	for (size_t k = 0; k < 2; k++) {
		if (!ok(ids[k] != NULL, "a %s package", k == 0 ? "failing" : "healthy"))
			continue;
		struct snapshot *one = status_fetch_package(t, "009", NULL, ids[k], NULL, &err);
		ok(one != NULL, "status for %s (%s)", ids[k], err ? err : "");
		if (one != NULL)
			compare_package(full, one, ids[k]);
		ok(one != NULL && one->taken == full->taken, "same site time (clock frozen)");
		snapshot_free(one);
	}
	struct snapshot *none = status_fetch_package(t, "009", NULL, "009FFFFF", NULL, &err);
	ok(none != NULL && none->npkgs == 0 && none->ncells == 0,
	    "an unknown package: no rows, no error");
	snapshot_free(none);
	snapshot_free(full);
	transport_close(t);
	sim_info_free(&info);
	ok(simfs_remove_tree(top, NULL) == 0, "temporary site removed");
	free(err);
	free(dir);
	free(top);
}

/* A provider that answers status with `good` and sites with the text in
 * t->priv (NULL: the sites query fails to connect). */
static int sites_asked;

static int
sites_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	(void)dl;
	if (op->kind == OP_STATUS)
		return proto_parse(good, sizeof good - 1, "status", fn, arg, err) == 0 ? 0 :
		    TRANSPORT_EREPLY;
	if (op->kind != OP_SITES) {
		err_set(err, "unexpected op %s", op_name(op->kind));
		return TRANSPORT_EFAIL;
	}
	sites_asked++;
	ok(strcmp(op_arg(op, "site"), "009") == 0, "sites asked for the same site");
	const char *prov = op_arg(op, "provider");
	ok(prov != NULL && strcmp(prov, "SMSPROV") == 0, "  of the same provider");
	if (t->priv == NULL) {
		err_set(err, "%s: connection refused", t->host);
		return TRANSPORT_EFAIL;
	}
	const char *text = t->priv;
	return proto_parse(text, strlen(text), "sites", fn, arg, err) == 0 ? 0 : TRANSPORT_EREPLY;
}

static const struct transport_ops sites_ops = { .name = "fake", .call = sites_call, .close = NULL };

#define SITES_HEAD "DPDOCTOR 2 sites\r\n" \
	"COLS\tT\tSiteCode\tSiteName\tServerName\tReportingSiteCode\tType\tInstallDir\r\n"

static void
test_sites(void)
{
	static const char sites[] = SITES_HEAD
		"T\t009\tCentral\tSMS009PRI\t\t2\tE:\\\\SMS\r\n"
		"T\tLDS\tLeeds\tLEEDSDP01\t009\t1\tD:\\\\SMS\r\n"
		"END\tok\t2\r\n";
	struct transport t = { .ops = &sites_ops, .host = (char *)"SMS009PRI",
		.answers = TRANSPORT_ALL_OPS, .priv = (void *)sites };
	char *err = NULL;
	sites_asked = 0;
	struct snapshot *s = status_fetch(&t, "009", "SMSPROV", NULL, &err);
	ok(s != NULL && sites_asked == 1, "status asks the site list once (%s)", err ? err : "");
	if (s == NULL)
		return;
	is_int((long long)s->nsites, 2, "two sites");
	ok(s->sites_error == NULL, "  and no error");
	const struct site_info *lds = snapshot_site(s, "lds");
	ok(lds != NULL && strcmp(lds->parent, "009") == 0 && lds->type == 1,
	    "LDS reports to 009, a secondary");
	is_str(lds ? lds->server : NULL, "LEEDSDP01", "  its server");
	is_str(lds ? lds->install_dir : NULL, "D:\\SMS", "  its InstallDir");
	const struct site_info *top = snapshot_site(s, "009");
	ok(top != NULL && top->parent[0] == '\0' && top->type == 2, "009 is the primary at the top");
	is_str(snapshot_sms_server(s, 0), "SMS009PRI", "DP01 (SMS_SITE=009) is served by SMS009PRI");
	/* The package was created at CEN (SourceSite), above 009. */
	is_int(snapshot_dp_kind(s, 0, 0), DPK_CHILD_DP, "  a DP of a site below the package's own");
	snapshot_free(s);

	/* The one-package status asks too. */
	sites_asked = 0;
	s = status_fetch_package(&t, "009", "SMSPROV", "009000B7", NULL, &err);
	ok(s != NULL && sites_asked == 1 && s->nsites == 2, "one package's status has the sites");
	snapshot_free(s);

	/* A failed site list costs the kinds, not the grid. */
	t.priv = NULL;
	s = status_fetch(&t, "009", "SMSPROV", NULL, &err);
	ok(s != NULL && s->ncells == 2, "status without a site list still loads");
	ok(s != NULL && s->nsites == 0, "  with no sites");
	contains(s ? s->sites_error : NULL, "SMS009PRI: connection refused", "  and says why");
	contains(s ? s->sites_error : NULL, "is unknown", "  and what that costs");
	ok(s != NULL && snapshot_dp_kind(s, 0, 0) == DPK_UNKNOWN, "  the DP's kind is unknown");
	snapshot_free(s);

	/* A bad row: the list is dropped whole, with the line. */
	static const char bad[] = SITES_HEAD
		"T\t009\tCentral\tSMS009PRI\t\t2\tE:\\\\SMS\r\n"
		"T\tLDS\tLeeds\tLEEDS DP\t009\t1\t\r\n"
		"END\tok\t2\r\n";
	t.priv = (void *)bad;
	s = status_fetch(&t, "009", "SMSPROV", NULL, &err);
	ok(s != NULL && s->nsites == 0, "a bad site row drops the list");
	contains(s ? s->sites_error : NULL, "line 4: site LDS has a bad", "  naming line and site");
	snapshot_free(s);
	static const char badcode[] = SITES_HEAD "T\tL;S\t\tX\t\t1\t\r\nEND\tok\t1\r\n";
	t.priv = (void *)badcode;
	s = status_fetch(&t, "009", "SMSPROV", NULL, &err);
	contains(s ? s->sites_error : NULL, "SiteCode \"L;S\" is not a site code", "a bad code");
	snapshot_free(s);
}

int
main(void)
{
	test_parse();
	test_parse_compact();
	test_parse_wmi();
	test_bad();
	test_fetch();
	test_package_refused();
	test_sites();
	test_sim_package();
	return done_testing();
}
