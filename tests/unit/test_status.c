/* Unit tests: status replies into snapshots, and status_fetch over a fake
 * transport (errors must name the host, the line and the field). */
#include "config.h"
#include "backend/status.h"
#include "tests/unit/tap.h"

#include <stdlib.h>

/* NAL paths as they travel: every backslash escaped by the protocol. */
#define NAL1 "[\"Display=\\\\\\\\DP01\\\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\\\\\DP01\\\\"
#define NAL2 "[\"Display=\\\\\\\\DP02\\\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\\\\\DP02\\\\"
#define HEAD "DPDOCTOR 1 status\r\n" \
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
fake_run(struct transport *t, const char *script, struct script_result *res,
    const struct deadline *dl, char **err)
{
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

static const struct transport_ops fake_ops = { "fake", TCAP_SCRIPT, fake_run, NULL };

static void
test_fetch(void)
{
	struct transport *t = xcalloc(1, sizeof *t);
	t->ops = &fake_ops;
	t->host = xstrdup("SMS009PRI");
	t->priv = (void *)good;
	char *err = NULL;
	struct snapshot *s = status_fetch(t, "009", NULL, NULL, &err);
	ok(s != NULL && s->ncells == 2, "fetch through a transport");
	is_str(s ? s->source : NULL, "fake:SMS009PRI", "source names transport and host");
	snapshot_free(s);
	t->priv = (void *)"DPDOCTOR 1 status\nEND\terror\tInvalid namespace\n";
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

int
main(void)
{
	test_parse();
	test_bad();
	test_fetch();
	return done_testing();
}
