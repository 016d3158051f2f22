/*
 * What a repair run needs from the world, shared by the plans (repair.c),
 * the actions (repair_steps.c) and the executor (repair_exec.c): deadlines
 * and the cancel flag, progress lines and sleeps through the caller's
 * hooks, the paths of a cell's files on its DP, a file's fingerprint and
 * the cells' states from the status query.  It is the bottom of the repair
 * files: it uses none of them, so their calls all point down to it.
 */
#include "autoconf.h"
#include "backend/repair/repair_int.h"
#include "backend/sms/evidence.h"
#include "backend/core/model.h"
#include "backend/sms/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct deadline
repair_deadline(const struct repair_run *r, int64_t ms)
{
	return (struct deadline){ clock_mono_ms() + ms, r->env.cancel };
}

bool
repair_cancelled(const struct repair_run *r)
{
	return r->env.cancel != NULL && atomic_load(r->env.cancel);
}

void
repair_progress(struct repair_run *r, const char *fmt, ...)
{
	if (r->env.progress == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *line = xvasprintf(fmt, ap);
	va_end(ap);
	if (r->last_progress == NULL || strcmp(r->last_progress, line) != 0)
		r->env.progress(r->env.ctx, line);
	free(r->last_progress);
	r->last_progress = line;
}

bool
repair_sleep(const struct repair_run *r, int ms)
{
	if (r->env.sleep_ms != NULL) {
		r->env.sleep_ms(r->env.ctx, ms);
		return !repair_cancelled(r);
	}
	for (int left = ms; left > 0 && !repair_cancelled(r); left -= 100) {
		struct timespec ts = { 0, (left < 100 ? left : 100) * 1000000L };
		nanosleep(&ts, NULL);
	}
	return !repair_cancelled(r);
}

const char *
repair_size_human(uint64_t n, char out[static 16])
{
	static const char *const unit[] = { "bytes", "KB", "MB", "GB", "TB" };
	double v = (double)n;
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, 16, "%llu bytes", (unsigned long long)n);
	else
		snprintf(out, 16, "%.1f %s", v, unit[u]);
	return out;
}

void
step_param(struct step_ctx *x, const char *key, const char *value)
{
	if (x->nparams < sizeof x->param_keys / sizeof x->param_keys[0]) {
		x->param_keys[x->nparams] = key;
		x->param_values[x->nparams++] = xstrdup(value ? value : "");
	}
}

struct site_env
repair_site_env(const struct repair_run *r)
{
	return (struct site_env){ r->env.t, r->env.site, r->env.primary, r->env.provider,
	    r->env.layouts, r->env.ov };
}

char *
repair_dp_pck(const struct rcell *c)
{
	if (c->sms.pck_dir == NULL)
		return NULL;
	char *rel = xasprintf("%s.PCK", c->pkg->id);
	char *p = layout_unc(c->sms_server, c->sms.pck_dir, rel);
	free(rel);
	return p;
}

char *
repair_dp_dmpkg(const struct rcell *c)
{
	if (c->sms.sms_dir == NULL)
		return NULL;
	char *rel = xasprintf("inboxes\\distmgr.box\\%s.PKG", c->pkg->id);
	char *p = layout_unc(c->sms_server, c->sms.sms_dir, rel);
	free(rel);
	return p;
}

char *
repair_path_why(const struct rcell *c, bool pck)
{
	const char *dir = pck ? c->sms.pck_dir : c->sms.sms_dir;
	const char *what = pck ? "PCK folder" : "SMS folder";
	const char *key = pck ? "pck_path" : "sms_path";
	if (dir != NULL)
		return xasprintf("%s's %s %s is not a drive path (X:\\...): set %s in "
		    "[server %s]", c->sms_server, what, dir, key, c->sms_server);
	return xasprintf("%s's %s is not known (%s): set %s in [server %s]", c->sms_server,
	    what, c->layout_err ? c->layout_err : c->sms.error ? c->sms.error :
	    "nothing answered", key, c->sms_server);
}

int
repair_fingerprint(const struct repair_run *r, const struct rcell *c, const char *path,
    struct fingerprint *fp, char **err)
{
	struct evidence e;
	evidence_init(&e, c->pkg->id, c->res.dp, r->env.primary, r->env.site);
	struct deadline dl = repair_deadline(r, 60000);
	int rc = evidence_paths(r->env.t, &e, &path, 1, EV_PCK_DP, &dl, err);
	*fp = (struct fingerprint){ 0 };
	if (rc == 0 && e.nitems == 1 && e.items[0].error == NULL) {
		*fp = (struct fingerprint){ true, e.items[0].present, e.items[0].size,
		    e.items[0].when, e.items[0].attrs };
	} else if (rc == 0) {
		err_set(err, "%s: %s", path, e.nitems && e.items[0].error ?
		    e.items[0].error : "no answer");
		rc = -1;
	}
	evidence_free(&e);
	return rc;
}

/* ---- states ---------------------------------------------------------------- */

int
repair_read_states(struct repair_run *r, bool final, char **err)
{
	for (size_t p = 0; p < r->npkgs; p++) {
		struct deadline dl = repair_deadline(r, 120000);
		if (final)
			dl.cancel = NULL;
		struct snapshot *s = status_fetch_package(r->env.t, r->env.site,
		    r->env.provider, r->pkgs[p].id, &dl, err);
		if (s == NULL)
			return -1;
		long pi = snapshot_find_pkg(s, r->pkgs[p].id);
		for (size_t i = 0; i < r->ncells; i++) {
			struct rcell *c = &r->cells[i];
			if (c->pkg != &r->pkgs[p])
				continue;
			long d = snapshot_find_dp(s, c->res.dp);
			const struct cell *sc = pi >= 0 && d >= 0 ?
			    snapshot_cell(s, (size_t)pi, (size_t)d) : NULL;
			c->state_now = sc ? sc->state : -2;
		}
		if (pi >= 0) {
			r->pkgs[p].source_version = s->pkgs[pi].source_version;
			r->pkgs[p].stored_version = s->pkgs[pi].stored_version;
		}
		snapshot_free(s);
	}
	return 0;
}
