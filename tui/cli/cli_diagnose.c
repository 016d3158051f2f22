/*
 * `dpdoctor diagnose PKGID DP`: the evidence for one package/DP pair and
 * what it means, without the full screen -- for a ticket, a script, or a
 * look from a terminal that cannot run the TUI.  Text for people (cited
 * evidence marked), JSON for tools.  Exit 0 installed, 1 a problem was
 * found, 2 error.
 */
#include "autoconf.h"
#include "tui/cli/cli.h"
#include "backend/sms/layout.h"
#include "tui/cli/app.h"
#include "backend/sms/diagnose.h"
#include "backend/core/nal.h"
#include "backend/repair/repair.h"
#include "backend/sms/smslog.h"
#include "backend/sms/status.h"
#include "tui/kind.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Where the cell's evidence was read: what the DP is to the package, the
 * server whose SMS serves it, and the layouts learned on the way. */
struct diag_where {
	const char *kind;          /* dp_kind_name(): "child-site-dp" */
	char *sentence;            /* kind_sentence() */
	const char *sms_server;    /* NULL when unknown */
	char **layouts;            /* layout_describe() lines */
	size_t nlayouts;
};

static void
where_fill(struct app *app, const struct snapshot *snap, const char *pkgid, const char *dp,
    struct diag_where *w)
{
	memset(w, 0, sizeof *w);
	long p = snapshot_find_pkg(snap, pkgid), d = snapshot_find_dp(snap, dp);
	if (p < 0 || d < 0) {
		w->kind = dp_kind_name(DPK_UNKNOWN);
		w->sentence = xasprintf("%s: not in the package's status rows, so its kind is unknown",
		    dp);
	} else {
		w->kind = dp_kind_name(snapshot_dp_kind(snap, (size_t)p, (size_t)d));
		w->sentence = kind_sentence(snap, (size_t)p, (size_t)d, app->primary);
		w->sms_server = kind_sms_server(snap, (size_t)p, (size_t)d, app->primary);
	}
	struct layout *v = NULL;
	size_t n = app->layouts != NULL ? layout_cache_list(app->layouts, &v) : 0;
	w->layouts = n ? xreallocarray(NULL, n, sizeof *w->layouts) : NULL;
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < n; i++) {
		w->layouts[w->nlayouts++] = layout_describe(&v[i], now);
		layout_clear(&v[i]);
	}
	free(v);
}

static void
where_free(struct diag_where *w)
{
	free(w->sentence);
	for (size_t i = 0; i < w->nlayouts; i++)
		free(w->layouts[i]);
	free(w->layouts);
	memset(w, 0, sizeof *w);
}

static bool
is_cited(const struct diagnosis *d, size_t item)
{
	for (size_t f = 0; f < d->nfindings; f++)
		for (size_t c = 0; c < d->findings[f].ncites; c++)
			if (d->findings[f].cites[c] == item)
				return true;
	return false;
}

static void
print_item(const struct evidence_item *it, bool cited)
{
	char when[21];
	time_format_iso(it->when, when);
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "  %s %-12s %s", cited ? ">" : " ", it->server ? it->server : "",
	    it->source ? it->source : "");
	if (it->error) {
		buf_printf(&b, "  UNREADABLE: %s", it->error);
	} else if (it->kind == EV_LOG || it->kind == EV_STATMSG) {
		buf_printf(&b, "\n      %s %s ", when, smslog_severity_name(it->severity));
		if (it->msgid)
			buf_printf(&b, "[%d] ", it->msgid);
		buf_adds(&b, it->text ? it->text : "");
	} else {
		buf_adds(&b, it->present ? "  present" : "  absent");
		if (it->present && it->size && it->kind != EV_PACKAGE)
			buf_printf(&b, ", %llu bytes", (unsigned long long)it->size);
		if (it->version)
			buf_printf(&b, ", version %u", it->version);
		if (*when)
			buf_printf(&b, ", %s", when);
		if (it->kind == EV_SHARE_ACL)
			buf_adds(&b, it->nested == 1 ? ", reaches nested folders" :
			    it->nested == 0 ? ", stops at the share root" : "");
		if (it->text && it->kind != EV_PACKAGE)
			for (const char *l = it->text; *l; ) {
				size_t n = strcspn(l, "\n");
				buf_printf(&b, "\n      %.*s", (int)n, l);
				l += n + (l[n] == '\n');
			}
	}
	puts(b.data);
	buf_free(&b);
}

static void
print_text(const struct evidence *e, const struct diagnosis *d, const struct diag_where *w)
{
	printf("%s %s on %s: %s\n", e->pkgid, e->pkg.name ? e->pkg.name : "", e->dp,
	    e->have_cell ? state_info(e->cell.state)->name : "not targeted");
	printf("Kind: %s [%s]\n", w->sentence, w->kind);
	printf("SMS server: %s\n", w->sms_server ? w->sms_server : "unknown (the DP's site is "
	    "not in the site list)");
	if (w->nlayouts == 0)
		printf("Layouts: none learned\n");
	for (size_t i = 0; i < w->nlayouts; i++) {
		printf("%s ", i ? "        " : "Layouts:");
		cli_put_wrapped(w->layouts[i], 11, 9, cli_width());
	}
	for (size_t f = 0; f < d->nfindings; f++) {
		const struct finding *fi = &d->findings[f];
		printf("\n%s: %s  [%s]\n  ", f ? "Also" : "Finding", fi->title, fi->name);
		cli_put_wrapped(fi->explanation, 2, 2, cli_width());
		if (fi->plan != PLAN_NONE)
			printf("  Suggested repair: %s\n", repair_plan_name(fi->plan));
		if (fi->caveat) {
			printf("  Caveat: ");
			cli_put_wrapped(fi->caveat, 4, 10, cli_width());
		}
	}
	const char *group = NULL;
	printf("\nEvidence (> marks what the finding rests on):\n");
	for (size_t i = 0; i < e->nitems; i++) {
		const char *g = evidence_kind_group(e->items[i].kind);
		if (group == NULL || strcmp(g, group) != 0)
			printf(" %s\n", g);
		group = g;
		print_item(&e->items[i], is_cited(d, i));
	}
}

static json_object *
item_json(const struct evidence_item *it, bool cited)
{
	char when[21], read_at[21];
	time_format_iso(it->when, when);
	time_format_iso(it->read_at, read_at);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "kind", json_object_new_string(evidence_kind_name(it->kind)));
	json_object_object_add(o, "group", json_object_new_string(evidence_kind_group(it->kind)));
	json_object_object_add(o, "server", json_object_new_string(it->server ? it->server : ""));
	json_object_object_add(o, "source", json_object_new_string(it->source ? it->source : ""));
	json_object_object_add(o, "read_at", json_object_new_string(read_at));
	json_object_object_add(o, "when", json_object_new_string(when));
	json_object_object_add(o, "present", json_object_new_boolean(it->present));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)it->size));
	json_object_object_add(o, "attrs", json_object_new_int64(it->attrs));
	json_object_object_add(o, "version", json_object_new_int64(it->version));
	if (it->kind == EV_SHARE_ACL)
		json_object_object_add(o, "nested", json_object_new_int(it->nested));
	json_object_object_add(o, "severity", json_object_new_string(smslog_severity_name(it->severity)));
	json_object_object_add(o, "msgid", json_object_new_int(it->msgid));
	json_object_object_add(o, "text", it->text ? json_object_new_string(it->text) : NULL);
	json_object_object_add(o, "error", it->error ? json_object_new_string(it->error) : NULL);
	json_object_object_add(o, "cited", json_object_new_boolean(cited));
	return o;
}

static void
print_json(const struct evidence *e, const struct diagnosis *d, const struct diag_where *w)
{
	json_object *top = json_object_new_object();
	json_object_object_add(top, "package", json_object_new_string(e->pkgid));
	json_object_object_add(top, "name", json_object_new_string(e->pkg.name ? e->pkg.name : ""));
	json_object_object_add(top, "dp", json_object_new_string(e->dp));
	json_object_object_add(top, "state", json_object_new_string(
	    e->have_cell ? state_info(e->cell.state)->name : "NOT_TARGETED"));
	json_object_object_add(top, "complete", json_object_new_boolean(e->complete));
	json_object_object_add(top, "kind", json_object_new_string(w->kind));
	json_object_object_add(top, "kind_words", json_object_new_string(w->sentence));
	json_object_object_add(top, "sms_server", w->sms_server ?
	    json_object_new_string(w->sms_server) : NULL);
	json_object *ls = json_object_new_array();
	for (size_t i = 0; i < w->nlayouts; i++)
		json_object_array_add(ls, json_object_new_string(w->layouts[i]));
	json_object_object_add(top, "layouts", ls);
	json_object *fs = json_object_new_array();
	for (size_t f = 0; f < d->nfindings; f++) {
		const struct finding *fi = &d->findings[f];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(fi->name));
		json_object_object_add(o, "title", json_object_new_string(fi->title));
		json_object_object_add(o, "explanation", json_object_new_string(fi->explanation));
		json_object_object_add(o, "plan", fi->plan != PLAN_NONE ?
		    json_object_new_string(repair_plan_name(fi->plan)) : NULL);
		json_object_object_add(o, "caveat", fi->caveat ? json_object_new_string(fi->caveat) : NULL);
		json_object *c = json_object_new_array();
		for (size_t k = 0; k < fi->ncites; k++)
			json_object_array_add(c, json_object_new_int64((int64_t)fi->cites[k]));
		json_object_object_add(o, "cites", c);
		json_object_array_add(fs, o);
	}
	json_object_object_add(top, "findings", fs);
	json_object *items = json_object_new_array();
	for (size_t i = 0; i < e->nitems; i++)
		json_object_array_add(items, item_json(&e->items[i], is_cited(d, i)));
	json_object_object_add(top, "evidence", items);
	puts(json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(top);
}

static const char diagnose_usage[] =
	"usage: dpdoctor diagnose PKGID [DP] [--demo[=DIR]] [-c FILE] [--format text|json]\n"
	"  Gather the evidence for one package on one DP and name the failure;\n"
	"  without DP, on every DP the package is sent to (one line each).\n"
	"  The package and the DP are checked first (PKGID in any case).\n"
	"  Exit 0 when installed, 1 when a problem was found, 2 on error.\n";

static int
diagnose_args(int argc, char **argv, struct app_args *a, bool *json)
{
	static const struct option opts[] = {
		APP_SITE_OPTIONS,
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	optind = 1;
	while ((ch = cli_getopt("diagnose", diagnose_usage, argc, argv, "c:h", opts)) != -1) {
		if (app_site_option(ch, optarg, a))
			continue;
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
				return cli_usage_error("diagnose", diagnose_usage,
				    "--format %s: use text or json", optarg);
			*json = strcmp(optarg, "json") == 0;
			break;
		case 'h':
			fputs(diagnose_usage, stdout);
			return 0;
		default:
			return 2;
		}
	}
	if (argc - optind > 2)
		return cli_usage_error("diagnose", diagnose_usage, "unexpected argument \"%s\"",
		    argv[optind + 2]);
	if (argc - optind < 1)
		return cli_usage_error("diagnose", diagnose_usage, "give PKGID, and a DP or none");
	return cli_cell_args(argv[optind],
	    argc - optind == 2 ? argv[optind + 1] : "ANY");
}

int
cli_diagnose(int argc, char **argv)
{
	struct app_args args = {0};
	bool json = false;
	int rc = diagnose_args(argc, argv, &args, &json);
	if (rc >= 0)
		return rc;
	const char *pkgid = argv[optind], *dp = argv[optind + 1];
	struct app app;
	if ((rc = app_open(&app, &args)) != 0)
		return rc;
	if (dp == NULL) {
		rc = cli_sweep(&app, pkgid, json);
		app_close(&app);
		return rc;
	}
	struct cli_cell c;
	if ((rc = cli_cell_diagnose(&app, pkgid, dp, &c)) != 0) {
		app_close(&app);
		return rc;
	}
	struct diag_where w;
	where_fill(&app, c.snap, pkgid, dp, &w);
	if (json)
		print_json(&c.cd.ev, &c.cd.dx, &w);
	else
		print_text(&c.cd.ev, &c.cd.dx, &w);
	where_free(&w);
	rc = c.cd.dx.findings[0].id == FIND_HEALTHY ? 0 : 1;
	cli_cell_free(&c);
	app_close(&app);
	if (fflush(stdout) != 0 || ferror(stdout))
		return 2;
	return rc;
}
