/*
 * `dpdoctor history`: the repair journal read back, one line per step with
 * its begin and end entries paired by step id (journal_history()), so an administrator can see
 * what was done to a pair, by whom and with what result -- and, with
 * --unfinished, which steps were cut off (crash, kill) and need a look
 * before anyone repairs those pairs again.  Text for people, one JSON
 * object per line for tools.  Each step shows its run (the short run id in
 * text, the whole one in JSON), so the steps of one run read as one, and
 * the DPs it served when its target was another server (a rename on the
 * primary is for the DP it repairs, and --dp finds it there).  Bad journal lines are skipped with a warning.
 * --verify closes each interrupted step after reading its cell
 * (repair_verify()), so later repairs stop warning about it.
 * Exit 0; with --unfinished 1 when there are interrupted steps (running
 * ones do not count); 2 on error.
 */
#include "autoconf.h"
#include "backend/core/util.h"
#include "tui/cli/cli.h"
#include "tui/cli/app.h"
#include "backend/repair/journal.h"
#include "backend/repair/repair_lock.h"
#include "backend/repair/repair_verify.h"
#include "backend/core/nal.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct history_opts {
	bool unfinished;
	bool verify;                 /* --verify: read the cells, close the steps */
	struct app_args site;        /* where --verify reads the cells */
	bool json;
	struct journal_filter only;  /* package and DP, NULL = all */
};

static const char history_usage_text[] =
	"usage: dpdoctor history [--unfinished] [--format text|json] [--package ID] [--dp NAME]\n"
	"       dpdoctor history --verify [--package ID] [--dp NAME] [--demo[=DIR]] [-c FILE]\n"
	"                        [--site CODE]\n"
	"  List the repair journal, one line per step (begin and end paired), each\n"
	"  with its run (the steps of one repair, single or batch, share it).\n"
	"  --dp also finds steps done on another server for that DP (a rename on\n"
	"  the primary), shown \"(for DP)\".\n"
	"  --unfinished lists only steps that began and never ended (RUNNING when\n"
	"  their run still holds the pair's lock, else UNFINISHED: interrupted).\n"
	"  --verify reads the cell of every interrupted step, prints its state and\n"
	"  closes the step in the journal as interrupted with that state, so later\n"
	"  repairs stop warning about it; running steps are left alone.\n"
	"  Exit 0; with --unfinished 1 when there are interrupted steps (running\n"
	"  ones do not count); with --verify 2 when a step could not be closed;\n"
	"  2 on error.\n";

static void
history_warn(long line, const char *msg, void *ctx)
{
	(void)line;
	(void)ctx;
	/* The message quotes the journal, which any process may have written. */
	char *shown = text_visible(msg);
	fprintf(stderr, "dpdoctor history: warning: %s\n", shown);
	free(shown);
}

/* Params as "key=value key=value", each made visible (text_visible()):
 * a journal line is text anyone who can write the state folder chose. */
static char *
history_params_text(const struct journal_entry *e)
{
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	for (size_t i = 0; i < e->nparams; i++) {
		if (i > 0)
			buf_addc(&b, ' ');
		buf_add_visible(&b, e->param_keys[i], strlen(e->param_keys[i]));
		buf_addc(&b, '=');
		buf_add_visible(&b, e->param_values[i], strlen(e->param_values[i]));
	}
	return buf_detach(&b);
}

/* The fields of a line in the order printed, each made visible. */
enum { HF_TIME, HF_RUN, HF_USER, HF_HOST, HF_SITE, HF_PLAN, HF_STEP, HF_PKG, HF_DP, HF_N };

/* " (for A, B)" when the step served other DPs than its own "dp" (a step on
 * the primary, or one done once for several DPs), else "".  Visible text. */
static char *
history_for_text(const struct journal_entry *e)
{
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	if (e->nfor == 0 || (e->nfor == 1 && strcasecmp(e->for_dps[0], e->dp_server) == 0))
		return buf_detach(&b);
	buf_adds(&b, " (for ");
	for (size_t i = 0; i < e->nfor; i++) {
		if (i > 0)
			buf_adds(&b, ", ");
		buf_add_visible(&b, e->for_dps[i], strlen(e->for_dps[i]));
	}
	buf_addc(&b, ')');
	return buf_detach(&b);
}

static void
history_print_text(const struct journal_pair *r)
{
	const struct journal_entry *e = &r->begin;
	char run[JOURNAL_RUN_SHORT_MAX];
	const char *raw[HF_N] = {
		[HF_TIME] = e->time, [HF_RUN] = journal_run_short(e->run_id, run),
		[HF_USER] = e->user, [HF_HOST] = e->host,
		[HF_SITE] = e->site, [HF_PLAN] = e->plan, [HF_STEP] = e->step_name,
		[HF_PKG] = e->package_id, [HF_DP] = e->dp_server,
	};
	char *f[HF_N];
	for (size_t i = 0; i < HF_N; i++)
		f[i] = text_visible(raw[i]);
	char *params = history_params_text(e);
	char *served = history_for_text(e);
	const char *result = r->running ? "RUNNING" : r->end_time == NULL ? "UNFINISHED" :
	    journal_result_name(r->result);
	char *line = xasprintf("%s  run %s  %s@%s  site %s  %s  step %d %s  %s  %s%s  %s%s%s%s",
	    f[HF_TIME], f[HF_RUN], f[HF_USER], f[HF_HOST], f[HF_SITE], f[HF_PLAN],
	    e->step_number, f[HF_STEP], f[HF_PKG], f[HF_DP], served, result,
	    r->no_begin ? " (begin entry missing)" : "", *params ? "  " : "", params);
	cli_put_line(line, cli_width());
	free(line);
	free(served);
	free(params);
	for (size_t i = 0; i < HF_N; i++)
		free(f[i]);
}

static json_object *
history_str(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static void
history_print_json(const struct journal_pair *r)
{
	const struct journal_entry *e = &r->begin;
	json_object *o = json_object_new_object();
	json_object *params = json_object_new_object();
	for (size_t i = 0; i < e->nparams; i++)
		json_object_object_add(params, e->param_keys[i],
		    json_object_new_string(e->param_values[i]));
	json_object *served = json_object_new_array();
	for (size_t i = 0; served != NULL && i < e->nfor; i++) {
		json_object *dp = json_object_new_string(e->for_dps[i]);
		if (json_object_array_add(served, dp) != 0)
			json_object_put(dp); /* out of memory: that DP is left out */
	}
	json_object_object_add(o, "step_id", history_str(e->step_id));
	json_object_object_add(o, "run", *e->run_id ? history_str(e->run_id) : NULL);
	json_object_object_add(o, "begin", r->no_begin ? NULL : history_str(e->time));
	json_object_object_add(o, "end", history_str(r->end_time));
	json_object_object_add(o, "user", history_str(e->user));
	json_object_object_add(o, "host", history_str(e->host));
	json_object_object_add(o, "site", history_str(e->site));
	json_object_object_add(o, "plan", history_str(e->plan));
	json_object_object_add(o, "step", json_object_new_int(e->step_number));
	json_object_object_add(o, "name", history_str(e->step_name));
	json_object_object_add(o, "package", history_str(e->package_id));
	json_object_object_add(o, "dp", history_str(e->dp_server));
	json_object_object_add(o, "for", served);
	json_object_object_add(o, "result", r->end_time == NULL ? NULL :
	    history_str(journal_result_name(r->result)));
	json_object_object_add(o, "finished", json_object_new_boolean(r->end_time != NULL));
	json_object_object_add(o, "running", json_object_new_boolean(r->running));
	json_object_object_add(o, "params", params);
	json_object_object_add(o, "output_digest", r->digest && *r->digest ?
	    history_str(r->digest) : NULL);
	json_object_object_add(o, "line", json_object_new_int64(e->line));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static int
history_parse_args(int argc, char **argv, struct history_opts *o)
{
	static const struct option opts[] = {
		APP_SITE_OPTIONS,
		{ "verify", no_argument, NULL, 'v' },
		{ "unfinished", no_argument, NULL, 'u' },
		{ "format", required_argument, NULL, 'f' },
		{ "package", required_argument, NULL, 'p' },
		{ "dp", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	optind = 1;
	while ((ch = cli_getopt("history", history_usage_text, argc, argv, "c:h", opts)) != -1) {
		if (app_site_option(ch, optarg, &o->site))
			continue;
		switch (ch) {
		case 'v': o->verify = true; break;
		case 'u': o->unfinished = true; break;
		case 'p': o->only.package = optarg; break;
		case 'd': o->only.dp = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
				fprintf(stderr, "dpdoctor history: --format %s: use text or json\n", optarg);
				return 2;
			}
			o->json = strcmp(optarg, "json") == 0;
			break;
		case 'h': fputs(history_usage_text, stdout); return 0;
		default: return 2;
		}
	}
	if (optind < argc)
		return cli_usage_error("history", history_usage_text, "unexpected argument \"%s\"",
		    argv[optind]);
	if (o->only.package && !pkgid_valid(o->only.package)) {
		fprintf(stderr, "dpdoctor history: --package %s: not a package ID "
		    "(site code + 5 hex digits, e.g. 009000B7)\n", o->only.package);
		return 2;
	}
	if (o->only.dp && !servername_valid(o->only.dp)) {
		fprintf(stderr, "dpdoctor history: --dp %s: not a server name\n", o->only.dp);
		return 2;
	}
	if (o->verify && (o->unfinished || o->json)) {
		fprintf(stderr, "dpdoctor history: --verify takes neither --unfinished nor "
		    "--format\n");
		return 2;
	}
	return -1;
}

/* What --verify did with one step, on stdout. */
static void
history_verify_print(const struct repair_verified *v)
{
	const struct journal_entry *e = &v->begin;
	const char *raw[] = { e->time, e->plan, e->step_name, e->package_id, e->dp_server };
	char *f[sizeof raw / sizeof raw[0]];
	for (size_t j = 0; j < sizeof raw / sizeof raw[0]; j++)
		f[j] = text_visible(raw[j]);
	char *why = v->why ? text_visible(v->why) : NULL;
	printf("%s  %s  step %d %s  %s on %s: ", f[0], f[1], e->step_number, f[2], f[3], f[4]);
	if (v->running)
		printf("running (its run holds the pair's lock): left open\n");
	else if (v->closed) {
		/* A step on its own cell says the state; one that acted
		 * elsewhere (a rename on the primary) names its cells. */
		bool own = repair_verify_ndps(e) == 1 &&
		    strcasecmp(repair_verify_dp(e, 0), e->dp_server) == 0;
		char *cells = own ? xstrdup(repair_verify_state_label(v->states[0])) :
		    repair_verify_states_text(e, v->states);
		printf("now %s; closed as interrupted\n", cells);
		free(cells);
	}
	else
		printf("left open: %s\n", why ? why : "?");
	free(why);
	for (size_t j = 0; j < sizeof raw / sizeof raw[0]; j++)
		free(f[j]);
}

int
cli_verify(struct app *app, const struct journal_filter *only, const char *by)
{
	char *path = app_journal_path();
	struct repair_env env;
	app_repair_env(app, &env, path);
	struct repair_verify_list l;
	char *err = NULL;
	int rc = 0;
	if (repair_verify(&env, only, by, &l, history_warn, NULL, &err) != 0) {
		app_err("%s\n", err ? err : path);
		free(err);
		free(path);
		return 2;
	}
	size_t closed = 0;
	for (size_t i = 0; i < l.n; i++) {
		history_verify_print(&l.v[i]);
		closed += l.v[i].closed;
		if (!l.v[i].closed && !l.v[i].running)
			rc = 2;
	}
	printf("%zu interrupted step%s verified and closed in %s\n", closed,
	    closed == 1 ? "" : "s", path);
	repair_verify_list_free(&l);
	free(path);
	return rc;
}

static int
history_verify(struct history_opts *o)
{
	struct app app;
	int rc = app_open(&app, &o->site);
	if (rc != 0)
		return rc;
	rc = cli_verify(&app, &o->only, "by history --verify");
	app_close(&app);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("dpdoctor history: writing output");
		return 2;
	}
	return rc;
}

int
cli_history(int argc, char **argv)
{
	struct history_opts o = {0};
	int rc = history_parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (o.verify)
		return history_verify(&o);
	char *path = app_journal_path();
	struct journal_history h;
	char *err = NULL;
	if (journal_history(path, &o.only, &h, history_warn, NULL, &err) != 0) {
		fprintf(stderr, "dpdoctor history: %s\n", err ? err : path);
		free(err);
		free(path);
		return 2;
	}
	/* A step whose run still holds its pair's lock is running, not cut off. */
	char *locks = app_lock_dir();
	repair_lock_mark_running(locks, &h);
	free(locks);
	size_t shown = 0, interrupted = 0;
	for (size_t i = 0; i < h.n; i++) {
		if (o.unfinished && h.v[i].end_time != NULL)
			continue;
		shown++;
		interrupted += h.v[i].end_time == NULL && !h.v[i].running;
		if (o.json)
			history_print_json(&h.v[i]);
		else
			history_print_text(&h.v[i]);
	}
	if (shown == 0 && !o.json)
		fprintf(stderr, "dpdoctor history: no %ssteps in %s\n",
		    o.unfinished ? "unfinished " : "", path);
	free(path);
	journal_history_free(&h);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("dpdoctor history: writing output");
		return 2;
	}
	/* A running step is no reason to look: only the interrupted are. */
	return o.unfinished && interrupted > 0 ? 1 : 0;
}
