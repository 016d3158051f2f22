/*
 * One package/DP pair named on the command line (diagnose, its sweep over
 * every DP, repair): the arguments checked for form, the pair checked
 * against the site before any evidence is gathered -- a typo is told at
 * once, naming what the site has, not after a minute of reading servers --
 * and the pair's diagnosis.  Shared by cli_diagnose.c, cli_sweep.c and
 * cli_repair.c, so none of them calls another.
 */
#include "autoconf.h"
#include "tui/cli/cli.h"
#include "tui/cli/app.h"
#include "tui/cli/app_err.h"
#include "backend/sms/diagnose.h"
#include "backend/sms/layout.h"
#include "backend/sms/status.h"
#include "backend/core/nal.h"
#include "backend/core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Both arguments well-formed: -1 to go on, else 2 with a message.  A
 * package ID is taken in any case and upper-cased in place, as SMS
 * writes it (its hex digits are upper case everywhere SMS shows them). */
int
cli_cell_args(char *pkgid, const char *dp)
{
	for (char *p = pkgid; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (!pkgid_valid(pkgid)) {
		app_err("\"%s\" is not a package ID (site code + "
		    "5 hex digits, e.g. 009000B7)\n", pkgid);
		return 2;
	}
	if (!servername_valid(dp)) {
		app_err("\"%s\" is not a server name\n", dp);
		return 2;
	}
	return -1;
}

/* The DPs a package is sent to, "A, B and C" (malloc'd). */
static char *
cell_dps_of(const struct snapshot *snap, size_t p)
{
	struct buf b;
	buf_init(&b);
	size_t n = 0, total = 0;
	for (size_t d = 0; d < snap->ndps; d++)
		total += snapshot_cell(snap, p, d) != NULL;
	for (size_t d = 0; d < snap->ndps; d++) {
		if (snapshot_cell(snap, p, d) == NULL)
			continue;
		buf_printf(&b, "%s%s", n == 0 ? "" : n + 1 == total ? " and " : ", ",
		    snap->dps[d].name);
		n++;
	}
	if (n == 0)
		buf_adds(&b, "none: it is sent to no DP");
	return buf_detach(&b);
}

int
cli_cell_check(struct app *app, const struct snapshot *snap,
    const char *pkgid, const char *dp)
{
	long p = snapshot_find_pkg(snap, pkgid);
	if (p < 0) {
		app_err("%s: no such package on site %s\n", pkgid,
		    app->site);
		return 2;
	}
	long d = dp != NULL ? snapshot_find_dp(snap, dp) : -1;
	if (dp != NULL && (d < 0 || snapshot_cell(snap, (size_t)p, (size_t)d) == NULL)) {
		char *dps = cell_dps_of(snap, (size_t)p);
		app_err("%s is not a DP of %s: its DPs are %s\n", dp,
		    pkgid, dps);
		free(dps);
		return 2;
	}
	return 0;
}

/* The package's status rows: the snapshot, or NULL with a message. */
static struct snapshot *
cell_fetch(struct app *app, const char *pkgid, const struct deadline *dl)
{
	char *err = NULL;
	/* Only this package's rows: evidence needs no more, and a whole large
	 * site's status is a 64 MB reply. */
	struct snapshot *snap = status_fetch_package(app->t, app->site, app->provider, pkgid,
	    dl, &err);
	if (snap == NULL) {
		app_err("%s\n", err ? err : "status failed");
		free(err);
	}
	return snap;
}

int
cli_cell_exists(struct app *app, const char *pkgid, const char *dp)
{
	struct deadline dl = { .at_ms = clock_mono_ms() + 120000 };
	struct snapshot *snap = cell_fetch(app, pkgid, &dl);
	if (snap == NULL)
		return 2;
	int rc = cli_cell_check(app, snap, pkgid, dp);
	snapshot_free(snap);
	return rc;
}

int
cli_cell_diagnose(struct app *app, const char *pkgid,
    const char *dp, struct cli_cell *out)
{
	char *err = NULL;
	struct deadline dl = { .at_ms = clock_mono_ms() + 120000 };
	memset(out, 0, sizeof *out);
	out->snap = cell_fetch(app, pkgid, &dl);
	/* Checked before any evidence is gathered: a typo is told at once,
	 * not after a minute of reading servers. */
	if (out->snap == NULL || cli_cell_check(app, out->snap, pkgid, dp) != 0) {
		cli_cell_free(out);
		return 2;
	}
	struct site_env env;
	app_site_env(app, &env);
	if (diagnose_cell(&env, out->snap, pkgid, dp, &dl, NULL, NULL, &out->cd, &err) != 0) {
		app_err("%s\n", err ? err : "failed");
		free(err);
		cli_cell_free(out);
		return 2;
	}
	return 0;
}

void
cli_cell_free(struct cli_cell *c)
{
	diagnose_cell_free(&c->cd);
	snapshot_free(c->snap);
	memset(c, 0, sizeof *c);
}

