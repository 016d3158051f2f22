/*
 * The detail pane's background evidence job (see gather.h).  A request
 * carries its own copy of what the job reads: a one-cell snapshot and the
 * names, so a refresh that swaps the board's snapshot never pulls memory
 * from under the worker.  The worker marks the request finished as its very
 * last act; the UI frees retired requests only after seeing that mark and
 * after the job's done callback (which gets the request) ran, or at exit
 * once jobs_free() has joined the workers.
 */
#include "autoconf.h"
#include "tui/gather.h"
#include "tui/sshkey.h"
#include "tui/ui.h"
#include "backend/core/util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct gather_req {
	struct gather_req *next;     /* on the retired list */
	struct snapshot *snap;       /* the one cell, copied */
	char pkgid[9];
	char *dp, *primary;
	struct transport *transport;
	struct site_env env;         /* borrowed from the options, primary ours */
	struct ui *u;                /* for the done callback (UI thread) */
	atomic_bool finished;        /* the worker let go (set last) */
	bool delivered;              /* the done callback ran (UI thread) */

	pthread_mutex_t lock;        /* guards partial and gen */
	struct evidence partial;
	unsigned gen;
};

struct gather {
	struct gather_req *cur;      /* the request on screen */
	struct job *job;             /* its job while in flight */
	struct gather_req *retired;
	unsigned seen_gen;
	struct evidence shown;       /* the latest partial copy */
	bool have_shown;
	struct cell_diagnosis *final;
	char *error;
	int64_t started;
};

static void
gather_copy(struct evidence *dst, const struct evidence *src)
{
	evidence_init(dst, src->pkgid, src->dp, src->primary, src->site);
	for (size_t i = 0; i < src->nitems; i++)
		evidence_add(dst, &src->items[i]);
	dst->complete = src->complete;
}

static void
gather_result_free(void *p)
{
	diagnose_cell_free(p);
	free(p);
}

/* Job thread: keep a copy of the evidence so far for the UI. */
static void
gather_progress(const struct evidence *e, void *arg)
{
	struct gather_req *r = arg;
	pthread_mutex_lock(&r->lock);
	evidence_free(&r->partial);
	gather_copy(&r->partial, e);
	r->gen++;
	pthread_mutex_unlock(&r->lock);
}

static void
gather_run(struct job *j, void *arg)
{
	struct gather_req *r = arg;
	struct cell_diagnosis *res = xcalloc(1, sizeof *res);
	char *err = NULL;
	if (diagnose_cell(&r->env, r->snap, r->pkgid, r->dp, job_deadline(j), gather_progress, r,
	    res, &err) != 0) {
		job_fail(j, "%s", err);
		free(res);
	} else {
		job_set_result(j, res);
	}
	free(err);
	atomic_store(&r->finished, true); /* nothing touches r after this */
}

static void
gather_req_free(struct gather_req *r)
{
	snapshot_free(r->snap);
	free(r->dp);
	free(r->primary);
	evidence_free(&r->partial);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* Free retired requests whose worker has finished with them. */
static void
gather_sweep(struct gather *g)
{
	for (struct gather_req **pp = &g->retired; *pp != NULL;) {
		struct gather_req *r = *pp;
		if (r->delivered && atomic_load(&r->finished)) {
			*pp = r->next;
			gather_req_free(r);
		} else {
			pp = &r->next;
		}
	}
}

static void
gather_reset_shown(struct gather *g)
{
	if (g->have_shown)
		evidence_free(&g->shown);
	g->have_shown = false;
	if (g->final != NULL) {
		gather_result_free(g->final);
		g->final = NULL;
	}
	free(g->error);
	g->error = NULL;
	g->seen_gen = 0;
}

/* Cancel the current request and put it on the retired list. */
static void
gather_drop(struct ui *u)
{
	struct gather *g = u->gather;
	if (g == NULL || g->cur == NULL)
		return;
	if (g->job != NULL)
		jobs_cancel(u->jobs, g->job);
	g->job = NULL;
	g->cur->next = g->retired;
	g->retired = g->cur;
	g->cur = NULL;
	gather_reset_shown(g);
	gather_sweep(g);
}

static void
gather_done(struct job *j, enum job_status st, void *result, const char *error, void *arg)
{
	struct gather_req *r = arg;
	struct ui *u = r->u;
	struct gather *g = u->gather;
	r->delivered = true;
	if (g == NULL || g->cur != r || g->job != j) {
		if (result != NULL)
			gather_result_free(result);
		return;
	}
	g->job = NULL;
	if (st == JOB_DONE && result != NULL) {
		g->final = result;
		/* A DP reached over its own connection, whose host key nobody
		 * has accepted yet, reads as unreachable: offer the key. */
		if (evidence_find(&g->final->ev, EV_UNREACHABLE, 0) >= 0)
			sshkey_failed(u);
	} else {
		if (result != NULL)
			gather_result_free(result);
		free(g->error);
		g->error = st == JOB_TIMED_OUT ?
		    xasprintf("no answer within %d s", GATHER_TIMEOUT_MS / 1000) :
		    xstrdup(error ? error : "gathering stopped");
		if (st == JOB_FAILED)
			sshkey_failed(u); /* an unknown host key: ask */
	}
	gather_sweep(g);
	u->dirty |= UI_DIRTY_BODY;
}

struct snapshot *
gather_snapshot(const struct snapshot *s, size_t pkg, size_t dp)
{
	const struct package *p = &s->pkgs[pkg];
	const struct dp *d = &s->dps[dp];
	struct snapshot *c = snapshot_new();
	memcpy(c->site_code, s->site_code, sizeof c->site_code);
	c->source = s->source ? xstrdup(s->source) : NULL;
	c->taken = s->taken;
	size_t pi = snapshot_add_pkg(c, p->id);
	struct package *q = &c->pkgs[pi];
	char *id_keep = xstrdup(q->id);
	*q = *p;
	snprintf(q->id, sizeof q->id, "%s", id_keep);
	free(id_keep);
	const char **strs[] = { (const char **)&q->name, (const char **)&q->manufacturer,
		(const char **)&q->version, (const char **)&q->language,
		(const char **)&q->source_path, (const char **)&q->stored_path };
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		*strs[i] = *strs[i] ? xstrdup(*strs[i]) : NULL;
	/* The site list and the DP's site, or the DP's kind (and where its
	 * evidence lives) would be lost in the copy. */
	for (size_t i = 0; i < s->nsites; i++)
		snapshot_add_site(c, &s->sites[i]);
	long di = snapshot_add_dp(c, d->nal, NULL);
	if (di >= 0)
		memcpy(c->dps[di].site_code, d->site_code, sizeof d->site_code);
	const struct cell *cell = snapshot_cell(s, pkg, dp);
	if (di >= 0 && cell != NULL) {
		struct cell k = *cell;
		k.pkg = (uint32_t)pi;
		k.dp = (uint32_t)di;
		snapshot_add_cell(c, &k);
	}
	snapshot_index(c);
	return c;
}

static struct gather *
gather_get(struct ui *u)
{
	if (u->gather == NULL)
		u->gather = xcalloc(1, sizeof *u->gather);
	return u->gather;
}

static void
gather_submit(struct ui *u, size_t pkg, size_t dp)
{
	struct gather *g = gather_get(u);
	const struct snapshot *s = u->board.snap;
	struct gather_req *r = xcalloc(1, sizeof *r);
	r->snap = gather_snapshot(s, pkg, dp);
	snprintf(r->pkgid, sizeof r->pkgid, "%s", s->pkgs[pkg].id);
	r->dp = xstrdup(s->dps[dp].name);
	r->primary = xstrdup(u->opt->primary ? u->opt->primary : "");
	r->transport = u->opt->status_transport;
	if (u->opt->site_env != NULL)
		r->env = *u->opt->site_env;
	else
		r->env = (struct site_env){ .t = r->transport, .site = u->opt->site };
	r->env.primary = r->primary;
	r->u = u;
	atomic_init(&r->finished, false);
	pthread_mutex_init(&r->lock, NULL);
	evidence_init(&r->partial, r->pkgid, r->dp, r->primary, s->site_code);
	g->cur = r;
	g->started = clock_mono_ms();
	g->job = jobs_submit(u->jobs, "evidence", GATHER_TIMEOUT_MS, gather_run, gather_done,
	    gather_result_free, r);
	if (g->job == NULL) {
		atomic_store(&r->finished, true);
		r->delivered = true;
		g->error = xstrdup("cannot start background work");
	}
}

bool
gather_want(struct ui *u, size_t pkg, size_t dp)
{
	struct gather *g = gather_get(u);
	const struct snapshot *s = u->board.snap;
	if (g->cur != NULL && strcmp(g->cur->pkgid, s->pkgs[pkg].id) == 0 &&
	    strcmp(g->cur->dp, s->dps[dp].name) == 0)
		return false;
	gather_drop(u);
	gather_submit(u, pkg, dp);
	return true;
}

void
gather_restart(struct ui *u)
{
	size_t pkg, dp;
	if (u->gather == NULL || u->gather->cur == NULL || !board_cursor(&u->board, &pkg, &dp))
		return;
	gather_drop(u);
	gather_submit(u, pkg, dp);
}

void
gather_close(struct ui *u)
{
	gather_drop(u);
}

bool
gather_tick(struct ui *u)
{
	struct gather *g = u->gather;
	if (g == NULL)
		return false;
	gather_sweep(g);
	if (g->cur == NULL || g->job == NULL)
		return false;
	bool changed = false;
	pthread_mutex_lock(&g->cur->lock);
	if (g->cur->gen != g->seen_gen) {
		if (g->have_shown)
			evidence_free(&g->shown);
		gather_copy(&g->shown, &g->cur->partial);
		g->have_shown = true;
		g->seen_gen = g->cur->gen;
		changed = true;
	}
	pthread_mutex_unlock(&g->cur->lock);
	return changed;
}

int
gather_timeout(const struct ui *u, int64_t now)
{
	const struct gather *g = u->gather;
	if (g == NULL || g->job == NULL)
		return g != NULL && g->retired != NULL ? 1000 : -1;
	return UI_SPIN_MS - (int)((now - g->started) % UI_SPIN_MS);
}

bool
gather_view(const struct ui *u, struct gather_view *out)
{
	const struct gather *g = u->gather;
	memset(out, 0, sizeof *out);
	if (g == NULL || g->cur == NULL)
		return false;
	out->running = g->job != NULL;
	out->started = g->started;
	out->ev = g->final ? &g->final->ev : g->have_shown ? &g->shown : NULL;
	out->dx = g->final ? &g->final->dx : NULL;
	out->error = g->error;
	if (u->opt->site_env != NULL)
		out->layouts = u->opt->site_env->layouts;
	out->primary = u->opt->primary;
	return true;
}

void
gather_free(struct ui *u)
{
	struct gather *g = u->gather;
	if (g == NULL)
		return;
	if (g->cur != NULL) {
		g->cur->next = g->retired;
		g->retired = g->cur;
		g->cur = NULL;
	}
	gather_reset_shown(g);
	while (g->retired != NULL) {
		struct gather_req *r = g->retired;
		g->retired = r->next;
		gather_req_free(r);
	}
	free(g);
	u->gather = NULL;
}
