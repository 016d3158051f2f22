/*
 * `dpdoctor diagnose PKGID` without a DP: the package on every DP it is
 * sent to, one line each.  The status is read once (for that package only);
 * the evidence of each DP is gathered by a pool of threads, as many as the
 * site's max_parallel, all through the one transport, so over SSH they
 * share one session to the WMI host and run as parallel channels.  Lines
 * are printed in DP order once every DP has answered.
 */
#include "autoconf.h"
#include "tui/cli/cli.h"
#include "backend/sms/layout.h"
#include "backend/repair/repair.h"

#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SWEEP_DEADLINE_MS 300000

struct sweep_dp {
	const char *dp;
	int state;
	struct cell_diagnosis cd;
	char *error;               /* nothing could be gathered */
};

struct sweep {
	struct app *app;
	const struct snapshot *snap;
	const char *pkgid;
	struct sweep_dp *v;
	size_t n;
	atomic_size_t next;
	struct deadline dl;
};

static void *
sweep_worker(void *arg)
{
	struct sweep *s = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&s->next, 1);
		if (i >= s->n)
			return NULL;
		struct sweep_dp *x = &s->v[i];
		struct site_env env;
		app_site_env(s->app, &env);
		(void)diagnose_cell(&env, s->snap, s->pkgid, x->dp, &s->dl, NULL, NULL, &x->cd,
		    &x->error);
	}
}

static void
sweep_print(const struct sweep *s, bool json)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct sweep_dp *x = &s->v[i];
		const struct finding *f = x->error ? NULL : &x->cd.dx.findings[0];
		const char *state = state_info((unsigned)x->state)->name;
		if (json) {
			struct json_object *o = json_object_new_object();
			json_object_object_add(o, "package", json_object_new_string(s->pkgid));
			json_object_object_add(o, "dp", json_object_new_string(x->dp));
			json_object_object_add(o, "state", json_object_new_string(state));
			/* What the DP is, and whose SMS files spoke for it. */
			json_object_object_add(o, "kind", x->error ? NULL :
			    json_object_new_string(dp_kind_name(x->cd.ev.kind)));
			json_object_object_add(o, "sms_server", x->error || !x->cd.ev.sms_server ?
			    NULL : json_object_new_string(x->cd.ev.sms_server));
			json_object_object_add(o, "finding", f ? json_object_new_string(f->name) : NULL);
			json_object_object_add(o, "title", f ? json_object_new_string(f->title) : NULL);
			json_object_object_add(o, "plan", f && f->plan != PLAN_NONE ?
			    json_object_new_string(repair_plan_name(f->plan)) : NULL);
			json_object_object_add(o, "caveat", f && f->caveat ?
			    json_object_new_string(f->caveat) : NULL);
			json_object_object_add(o, "error", x->error ?
			    json_object_new_string(x->error) : NULL);
			puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
			json_object_put(o);
		} else {
			char *line = xasprintf("%-16s %-18s %-16s %s", x->dp, state,
			    f ? f->name : "error", f ? f->title : x->error);
			cli_put_line(line, cli_width());
			free(line);
		}
	}
}

/* The DPs the package is sent to, with their states. */
static size_t
sweep_targets(const struct snapshot *snap, const char *pkgid, struct sweep_dp **out)
{
	long p = snapshot_find_pkg(snap, pkgid);
	size_t n = 0;
	*out = xcalloc(snap->ndps ? snap->ndps : 1, sizeof **out);
	for (size_t d = 0; p >= 0 && d < snap->ndps; d++) {
		const struct cell *c = snapshot_cell(snap, (size_t)p, d);
		if (c != NULL)
			(*out)[n++] = (struct sweep_dp){ .dp = snap->dps[d].name, .state = c->state };
	}
	return n;
}

int
cli_sweep(struct app *app, const char *pkgid, bool json)
{
	struct sweep s = { .app = app, .pkgid = pkgid,
	    .dl = { clock_mono_ms() + SWEEP_DEADLINE_MS, NULL } };
	char *err = NULL;
	struct snapshot *snap = status_fetch_package(app->t, app->site, app->provider, pkgid,
	    &s.dl, &err);
	if (snap == NULL) {
		fprintf(stderr, "dpdoctor diagnose: %s\n", err ? err : "status failed");
		free(err);
		return 2;
	}
	if (cli_cell_check(app, snap, pkgid, NULL) != 0) {
		snapshot_free(snap);
		return 2;
	}
	s.snap = snap;
	s.n = sweep_targets(snap, pkgid, &s.v);
	if (s.n == 0) {
		fprintf(stderr, "dpdoctor diagnose: package %s is on no DP of site %s\n", pkgid,
		    app->site);
		free(s.v);
		snapshot_free(snap);
		return 2;
	}
	size_t nthreads = (size_t)(app->cfg.max_parallel > 0 ? app->cfg.max_parallel : 16);
	if (nthreads > s.n)
		nthreads = s.n;
	pthread_t *th = xcalloc(nthreads, sizeof *th);
	size_t started = 0;
	while (started < nthreads && pthread_create(&th[started], NULL, sweep_worker, &s) == 0)
		started++;
	if (started == 0)
		sweep_worker(&s);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	sweep_print(&s, json);
	int rc = 0;
	for (size_t i = 0; i < s.n; i++) {
		struct sweep_dp *x = &s.v[i];
		if (x->error != NULL)
			rc = 2;
		else if (rc == 0 && x->cd.dx.findings[0].id != FIND_HEALTHY)
			rc = 1;
		diagnose_cell_free(&x->cd);
		free(x->error);
	}
	free(s.v);
	snapshot_free(snap);
	return rc;
}
