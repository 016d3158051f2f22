/*
 * `dpdoctor status`: the quick health glance.  It runs the same status
 * query the grid runs (with a deadline), then prints the bad package/DP
 * pairs -- or all of them with --all -- as an aligned table, CSV (RFC 4180)
 * or JSON, sorted by package ID and DP so the output diffs cleanly; or the
 * counts for monitoring (nagios, prometheus: cli_monitor.c).
 */
#include "autoconf.h"
#include "tui/cli/cli.h"
#include "tui/cli/app.h"
#include "tui/cli/cli_monitor.h"
#include "backend/sms/status.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum status_format {
	FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON, FORMAT_NAGIOS, FORMAT_PROMETHEUS, FORMAT_COUNT,
};

static const char *const format_names[FORMAT_COUNT] = {
	[FORMAT_TABLE] = "table", [FORMAT_CSV] = "csv", [FORMAT_JSON] = "json",
	[FORMAT_NAGIOS] = "nagios", [FORMAT_PROMETHEUS] = "prometheus",
};

/* What the command line asked for. */
struct status_opts {
	bool all;
	enum status_format fmt;
	struct nagios_range warn, crit;   /* --warning, --critical (nagios) */
};

/* The columns every format prints, as data. */
struct status_col {
	const char *title;   /* table header */
	const char *key;     /* CSV header and JSON key */
	bool shrinks;        /* table: cut (with "…") to fit the width */
};

static const struct status_col status_cols[] = {
	{ "PACKAGE", "PackageID", false },
	{ "NAME", "PackageName", true },
	{ "DP", "DP", false },
	{ "STATE", "State", false },
	{ "SRCVER", "SourceVersion", false },
	{ "LAST COPIED", "LastCopied", false },
};
#define NCOLS (sizeof status_cols / sizeof status_cols[0])

struct status_row {
	char *v[NCOLS];
};

static void
status_row_fill(struct status_row *r, const struct snapshot *s, const struct cell *c)
{
	const struct package *p = &s->pkgs[c->pkg];
	char when[21];
	time_format_iso(c->last_copied, when);
	r->v[0] = xstrdup(p->id);
	r->v[1] = xstrdup(p->name ? p->name : "");
	r->v[2] = xstrdup(s->dps[c->dp].name);
	r->v[3] = xstrdup(state_info(c->state)->name);
	r->v[4] = xasprintf("%u", c->source_version);
	r->v[5] = xstrdup(when);
}

static const struct snapshot *sort_snap;

static int
status_cell_cmp(const void *a, const void *b)
{
	const struct cell *x = *(const struct cell *const *)a;
	const struct cell *y = *(const struct cell *const *)b;
	int d = strcmp(sort_snap->pkgs[x->pkg].id, sort_snap->pkgs[y->pkg].id);
	return d ? d : strcasecmp(sort_snap->dps[x->dp].name, sort_snap->dps[y->dp].name);
}

/* The cells to print, one per (package, DP), sorted. */
static size_t
status_select(const struct snapshot *s, bool all, const struct cell ***out)
{
	const struct cell **v = xcalloc(s->ncells ? s->ncells : 1, sizeof *v);
	size_t n = 0;
	for (size_t p = 0; p < s->npkgs; p++)
		for (size_t d = 0; d < s->ndps; d++) {
			const struct cell *c = snapshot_cell(s, p, d);
			if (c != NULL && (all || state_is_problem(c->state)))
				v[n++] = c;
		}
	sort_snap = s;
	array_sort(v, n, sizeof *v, status_cell_cmp);
	*out = v;
	return n;
}

/* The narrowest a shrinking column gets: "Adob…" still says something. */
#define TABLE_MIN_CUT 5

/* Narrow the shrinking columns until the table fits width (0: no limit). */
static void
table_fit(int w[NCOLS], int width)
{
	int total = 0;
	for (size_t c = 0; c < NCOLS; c++)
		total += w[c] + (c + 1 < NCOLS ? 2 : 0);
	for (size_t c = 0; c < NCOLS && width > 0 && total > width; c++) {
		if (!status_cols[c].shrinks || w[c] <= TABLE_MIN_CUT)
			continue;
		int cut = total - width < w[c] - TABLE_MIN_CUT ? total - width : w[c] - TABLE_MIN_CUT;
		w[c] -= cut;
		total -= cut;
	}
}

static void
print_table(const struct status_row *rows, size_t n)
{
	int w[NCOLS];
	for (size_t c = 0; c < NCOLS; c++) {
		w[c] = cli_text_width(status_cols[c].title);
		for (size_t i = 0; i < n; i++) {
			int l = cli_text_width(rows[i].v[c]);
			if (l > w[c])
				w[c] = l;
		}
	}
	table_fit(w, cli_width());
	for (size_t i = 0; i <= n; i++)
		for (size_t c = 0; c < NCOLS; c++) {
			bool last = c + 1 == NCOLS;
			cli_put_cut(i == 0 ? status_cols[c].title : rows[i - 1].v[c], w[c], !last);
			fputs(last ? "\n" : "  ", stdout);
		}
}

static void
csv_field(const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n") != NULL) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	fputs(last ? "\r\n" : ",", stdout);
}

static int
pkg_index_cmp(const void *a, const void *b)
{
	return strcmp(sort_snap->pkgs[*(const size_t *)a].id,
	    sort_snap->pkgs[*(const size_t *)b].id);
}

static int
dp_index_cmp(const void *a, const void *b)
{
	return strcasecmp(sort_snap->dps[*(const size_t *)a].name,
	    sort_snap->dps[*(const size_t *)b].name);
}

/* CSV straight from the snapshot, a line at a time: on a million cells a
 * row of strings per cell (the table's way) would hold the site twice.
 * Packages and DPs are sorted once, each on its own, and the matrix is
 * walked in that order: the same order status_select() gives. */
static void
print_csv_stream(const struct snapshot *s, bool all)
{
	size_t *pk = xcalloc(s->npkgs ? s->npkgs : 1, sizeof *pk);
	size_t *dp = xcalloc(s->ndps ? s->ndps : 1, sizeof *dp);
	for (size_t i = 0; i < s->npkgs; i++)
		pk[i] = i;
	for (size_t i = 0; i < s->ndps; i++)
		dp[i] = i;
	sort_snap = s;
	array_sort(pk, s->npkgs, sizeof *pk, pkg_index_cmp);
	array_sort(dp, s->ndps, sizeof *dp, dp_index_cmp);
	for (size_t c = 0; c < NCOLS; c++)
		csv_field(status_cols[c].key, c + 1 == NCOLS);
	for (size_t i = 0; i < s->npkgs; i++) {
		const struct package *p = &s->pkgs[pk[i]];
		for (size_t j = 0; j < s->ndps; j++) {
			const struct cell *c = snapshot_cell(s, pk[i], dp[j]);
			if (c == NULL || !(all || state_is_problem(c->state)))
				continue;
			char when[21], ver[12];
			time_format_iso(c->last_copied, when);
			snprintf(ver, sizeof ver, "%u", c->source_version);
			csv_field(p->id, false);
			csv_field(p->name ? p->name : "", false);
			csv_field(s->dps[c->dp].name, false);
			csv_field(state_info(c->state)->name, false);
			csv_field(ver, false);
			csv_field(when, true);
		}
	}
	free(pk);
	free(dp);
}

static void
print_json(const struct snapshot *s, const struct cell **cells,
    const struct status_row *rows, size_t n)
{
	char taken[21];
	time_format_iso(s->taken, taken);
	json_object *top = json_object_new_object();
	json_object_object_add(top, "site", json_object_new_string(s->site_code));
	json_object_object_add(top, "source", json_object_new_string(s->source ? s->source : ""));
	json_object_object_add(top, "taken", json_object_new_string(taken));
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		for (size_t c = 0; c < NCOLS; c++) {
			json_object *v = c == 4 ?
			    json_object_new_int64(cells[i]->source_version) :
			    json_object_new_string(rows[i].v[c]);
			json_object_object_add(o, status_cols[c].key, v);
		}
		json_object_object_add(o, "StateValue", json_object_new_int(cells[i]->state));
		json_object_object_add(o, "ServerNALPath",
		    json_object_new_string(s->dps[cells[i]->dp].nal));
		json_object_array_add(arr, o);
	}
	json_object_object_add(top, "pairs", arr);
	puts(json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(top);
}

static const char status_usage[] =
	"usage: dpdoctor status [--demo[=DIR]] [-c FILE] [--accept-new-host-key] [--all]\n"
	"                       [--format table|csv|json|nagios|prometheus]\n"
	"                       [--warning RANGE] [--critical RANGE]\n"
	"  Print the package/DP pairs that are not installed (all pairs with --all).\n"
	"  The table fits the width: $COLUMNS, else the terminal's; into a pipe or\n"
	"  a file, whole names.  Exit 0 when every pair is installed, 1 when a\n"
	"  problem exists, 2 on error.\n"
	"  --format nagios: one plugin line with perfdata; --warning/--critical are\n"
	"  ranges of failed pairs (default --warning 0); exit 0 OK, 1 WARNING,\n"
	"  2 CRITICAL, 3 UNKNOWN.  --format prometheus: text exposition format.\n";

/* --format NAME: 0, or 2 with a message. */
static int
status_format_parse(const char *arg, enum status_format *fmt)
{
	for (size_t i = 0; i < FORMAT_COUNT; i++)
		if (strcmp(arg, format_names[i]) == 0) {
			*fmt = (enum status_format)i;
			return 0;
		}
	fprintf(stderr, "dpdoctor status: --format %s: use table, csv, json, nagios or prometheus\n", arg);
	return 2;
}

/* --warning/--critical RANGE: 0, or 2 with a message. */
static int
status_range_parse(const char *opt, const char *arg, struct nagios_range *r)
{
	if (nagios_range_parse(arg, r) == 0)
		return 0;
	fprintf(stderr, "dpdoctor status: --%s %s: give a count of failed pairs or a range "
	    "(10, 10:, ~:10, 10:20, @10:20)\n", opt, arg);
	return 2;
}

/* Options after the loop: the thresholds belong to nagios only, which
 * warns on any failed pair unless told otherwise. */
static int
status_check_opts(struct status_opts *o)
{
	if (o->fmt != FORMAT_NAGIOS && (o->warn.text || o->crit.text)) {
		fputs("dpdoctor status: --warning and --critical go with --format nagios\n", stderr);
		return 2;
	}
	if (o->fmt == FORMAT_NAGIOS && o->warn.text == NULL && o->crit.text == NULL)
		return nagios_range_parse("0", &o->warn) == 0 ? -1 : 2;
	return -1;
}

static int
status_parse_args(int argc, char **argv, struct app_args *a, struct status_opts *o)
{
	static const struct option opts[] = {
		APP_SITE_OPTIONS,
		{ "all", no_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "warning", required_argument, NULL, 'w' },
		{ "critical", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;
	optind = 1;
	while ((ch = cli_getopt("status", status_usage, argc, argv, "c:ah", opts)) != -1) {
		if (app_site_option(ch, optarg, a))
			continue;
		switch (ch) {
		case 'a': o->all = true; break;
		case 'f': if ((rc = status_format_parse(optarg, &o->fmt)) != 0) return rc; break;
		case 'w': if ((rc = status_range_parse("warning", optarg, &o->warn)) != 0) return rc; break;
		case 'C': if ((rc = status_range_parse("critical", optarg, &o->crit)) != 0) return rc; break;
		case 'h': fputs(status_usage, stdout); return 0;
		default: return 2;
		}
	}
	if (optind < argc)
		return cli_usage_error("status", status_usage, "unexpected argument \"%s\"",
		    argv[optind]);
	return status_check_opts(o);
}

/* Whether the command line asks for the nagios format anywhere: a plugin's
 * bad command line is UNKNOWN (3), not the usual 2. */
static bool
status_wants_nagios(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--format=nagios") == 0 ||
		    (strcmp(argv[i], "--format") == 0 && i + 1 < argc &&
		    strcmp(argv[i + 1], "nagios") == 0))
			return true;
	return false;
}

/* Print the snapshot as asked; returns the exit code (before the flush). */
static int
status_print(const struct snapshot *s, const struct status_opts *o)
{
	if (o->fmt == FORMAT_NAGIOS)
		return monitor_nagios(s, &o->warn, &o->crit);
	bool problems = false;
	for (size_t i = 0; i < s->npkgs && !problems; i++)
		problems = s->pkgs[i].problems > 0;
	if (o->fmt == FORMAT_PROMETHEUS) {
		monitor_prometheus(s);
		return problems ? 1 : 0;
	}
	if (o->fmt == FORMAT_CSV) {
		print_csv_stream(s, o->all);
		return problems ? 1 : 0;
	}
	const struct cell **cells;
	size_t n = status_select(s, o->all, &cells);
	struct status_row *rows = xcalloc(n ? n : 1, sizeof *rows);
	for (size_t i = 0; i < n; i++)
		status_row_fill(&rows[i], s, cells[i]);
	if (o->fmt == FORMAT_TABLE)
		print_table(rows, n);
	else
		print_json(s, cells, rows, n);
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < NCOLS; c++)
			free(rows[i].v[c]);
	free(rows);
	free(cells);
	return problems ? 1 : 0;
}

int
cli_status(int argc, char **argv)
{
	struct app_args args = {0};
	struct status_opts o = { .fmt = FORMAT_TABLE };
	bool nagios = status_wants_nagios(argc, argv);
	int rc = status_parse_args(argc, argv, &args, &o);
	if (rc >= 0)
		return rc == 2 && nagios ?
		    monitor_nagios_unknown("bad command line (dpdoctor status --help)") : rc;
	struct app app;
	if ((rc = app_open(&app, &args)) != 0)
		return nagios ? monitor_nagios_unknown("cannot open the site (see stderr)") : rc;
	char *err = NULL;
	struct deadline dl = { .at_ms = clock_mono_ms() + 60000 };
	struct snapshot *s = status_fetch(app.t, app.site, app.provider, &dl, &err);
	if (s == NULL) {
		fprintf(stderr, "dpdoctor status: %s\n", err);
		if (nagios)
			rc = monitor_nagios_unknown(err);
		free(err);
		app_close(&app);
		return nagios ? rc : 2;
	}
	rc = status_print(s, &o);
	snapshot_free(s);
	app_close(&app);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("dpdoctor status: writing output");
		return nagios ? NAGIOS_UNKNOWN : 2;
	}
	return rc;
}
