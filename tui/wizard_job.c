/*
 * The repair wizard's background work.  Everything in backend/repair/repair.h
 * blocks on the transport (a wait step sleeps for minutes), so each call
 * runs as a job: diagnosing the cells, preparing a plan, running one step,
 * re-reading the cells at the end.  While a step runs, the backend's
 * progress lines (a wait's countdown, preload output) are appended under
 * w->lock and the UI takes them on its spinner tick.  The wizard cannot be
 * closed while a job is in flight, and at exit jobs_free() joins the
 * workers before the wizard is freed, so the jobs may use it directly; a
 * cancelled job (exit) raises env.cancel through the sleep callback, so a
 * wait step lets go of its worker promptly.
 */
#include "autoconf.h"
#include "tui/wizard_int.h"
#include "tui/sshkey.h"
#include "tui/gather.h"
#include "tui/ui.h"
#include "backend/sms/diagnose.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Sleep slices: how quickly a cancel is noticed. */
#define WIZ_SLEEP_SLICE_MS 50

/* A wait's countdown line: the next one replaces it, in place. */
static bool
wiz_countdown(const char *line)
{
	return strncmp(line, "waiting for ", 12) == 0;
}

/* Job thread: a progress line from the backend. */
static void
wiz_progress(void *ctx, const char *line)
{
	struct wizard *w = ctx;
	pthread_mutex_lock(&w->lock);
	if (w->nlines > 0 && wiz_countdown(line) && wiz_countdown(w->lines[w->nlines - 1])) {
		free(w->lines[--w->nlines]);
	} else if (w->nlines == WIZ_PROGRESS_LINES) {
		free(w->lines[0]);
		memmove(&w->lines[0], &w->lines[1], (WIZ_PROGRESS_LINES - 1) * sizeof w->lines[0]);
		w->nlines--;
	}
	w->lines[w->nlines++] = xstrdup(line);
	w->gen++;
	pthread_mutex_unlock(&w->lock);
}

/* Job thread: a wait step's sleep, in slices, ending early on an abort or
 * when the job itself was cancelled (the UI is exiting). */
static void
wiz_sleep(void *ctx, int ms)
{
	struct wizard *w = ctx;
	while (ms > 0 && !atomic_load(&w->cancel)) {
		pthread_mutex_lock(&w->lock);
		bool gone = w->in_run != NULL && job_cancelled(w->in_run);
		pthread_mutex_unlock(&w->lock);
		if (gone) {
			atomic_store(&w->cancel, true);
			break;
		}
		int slice = ms < WIZ_SLEEP_SLICE_MS ? ms : WIZ_SLEEP_SLICE_MS;
		struct timespec ts = { 0, (long)slice * 1000000L };
		nanosleep(&ts, NULL);
		ms -= slice;
	}
}

void
wiz_env_init(struct wizard *w)
{
	w->env = *w->u->opt->repair;
	w->env.journal = w->u->opt->journal;
	w->env.progress = wiz_progress;
	w->env.sleep_ms = wiz_sleep;
	w->env.ctx = w;
	w->env.cancel = &w->cancel;
	w->env.dry_run = false;
	/* One run id for the wizard's whole run, every group of a batch. */
	journal_run_id_new(w->run_id);
	w->env.run_id = w->run_id;
}

void
wiz_progress_clear(struct wizard *w)
{
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < w->nlines; i++)
		free(w->lines[i]);
	w->nlines = 0;
	w->gen++;
	pthread_mutex_unlock(&w->lock);
}

static void
wiz_set_in_run(struct wizard *w, struct job *j)
{
	pthread_mutex_lock(&w->lock);
	w->in_run = j;
	pthread_mutex_unlock(&w->lock);
}

static void
wiz_submit(struct wizard *w, const char *what, int timeout_ms, job_run_fn run,
    job_done_fn done, void (*free_result)(void *))
{
	struct ui *u = w->u;
	free(w->error);
	w->error = NULL;
	free(w->busy);
	w->busy = xstrdup(what);
	w->busy_since = clock_mono_ms();
	w->job = jobs_submit(u->jobs, what, timeout_ms, run, done, free_result, w);
	if (w->job == NULL)
		w->error = xstrdup("cannot start background work");
	u->dirty |= UI_DIRTY_ALL;
}

static char *
wiz_job_error(enum job_status st, const char *error)
{
	switch (st) {
	case JOB_TIMED_OUT: return xstrdup("no answer in time");
	case JOB_CANCELLED: return xstrdup("cancelled");
	default: return xstrdup(error ? error : "failed");
	}
}

/* ---- diagnose: evidence and a finding for every cell without one ---- */

static void
wiz_diagnose_cell(struct wizard *w, struct wiz_cell *c, struct job *j)
{
	struct cell_diagnosis cd;
	const char *primary = w->u->opt->primary ? w->u->opt->primary : "";
	/* A deadline per cell, so one unreachable DP does not hold up the
	 * batch for long; the job's cancel flag still ends it at once. */
	struct deadline dl = { clock_mono_ms() + WIZ_DIAGNOSE_MS, job_deadline(j)->cancel };
	/* As the detail pane's: the same layout cache and overrides, so a
	 * layout learned there is not asked again here. */
	struct site_env env = { .t = w->env.t, .site = w->env.site, .primary = primary,
	    .provider = w->env.provider, .layouts = w->env.layouts, .ov = w->env.ov };
	if (diagnose_cell(&env, c->snap, c->pkg, c->dp, &dl, NULL, NULL, &cd, &c->error) != 0)
		return;
	const struct finding *f = &cd.dx.findings[0];
	c->finding = xstrdup(f->title);
	c->explanation = f->explanation ? xstrdup(f->explanation) : NULL;
	c->plan = f->plan;
	diagnose_cell_free(&cd);
}

static void
wiz_diagnose_run(struct job *j, void *arg)
{
	struct wizard *w = arg;
	for (size_t i = 0; i < w->ncells && !job_cancelled(j); i++) {
		struct wiz_cell *c = &w->cells[i];
		if (!c->diagnosed && c->snap != NULL) {
			wiz_diagnose_cell(w, c, j);
			c->diagnosed = true;
		}
		atomic_fetch_add(&w->diagnosed, 1);
	}
}

static void
wiz_diagnose_done(struct job *j, enum job_status st, void *result, const char *error,
    void *arg)
{
	struct wizard *w = arg;
	(void)j;
	(void)result;
	w->job = NULL;
	if (st != JOB_DONE)
		w->error = wiz_job_error(st, error);
	w->then->diagnosed(w);
	/* DPs reached over connections of their own may have shown host keys
	 * nobody has accepted yet: offer them (all at once, "1 of N"). */
	sshkey_failed(w->u);
}

void
wiz_start_diagnose(struct wizard *w)
{
	w->phase = WIZ_DIAGNOSE;
	atomic_store(&w->diagnosed, 0);
	/* No deadline for the whole batch: each cell has its own. */
	wiz_submit(w, "diagnosing", 0, wiz_diagnose_run, wiz_diagnose_done, NULL);
	if (w->job == NULL)
		w->then->diagnosed(w);
}

/* ---- prepare ---- */

struct wiz_prep_res {
	struct repair_run *run;
	char *err;
};

static void
wiz_prep_free(void *p)
{
	struct wiz_prep_res *r = p;
	repair_run_free(r->run);
	free(r->err);
	free(r);
}

static void
wiz_prepare_run(struct job *j, void *arg)
{
	struct wizard *w = arg;
	const struct repair_group *g = &w->groups[w->group];
	struct wiz_prep_res *r = xcalloc(1, sizeof *r);
	wiz_set_in_run(w, j);
	if (repair_prepare(&w->env, g->plan, g->cells, g->ncells, &r->run, &r->err) != 0) {
		r->run = NULL;
		if (r->err == NULL)
			r->err = xstrdup("the plan could not be prepared");
	}
	wiz_set_in_run(w, NULL);
	job_set_result(j, r);
}

static void
wiz_prepare_done(struct job *j, enum job_status st, void *result, const char *error,
    void *arg)
{
	struct wizard *w = arg;
	struct wiz_prep_res *r = result;
	(void)j;
	w->job = NULL;
	if (st != JOB_DONE || r == NULL) {
		char *e = wiz_job_error(st, error);
		w->then->prepared(w, NULL, e);
		free(e);
	} else {
		w->then->prepared(w, r->run, r->err);
		free(r->err);
		free(r);
	}
}

void
wiz_start_prepare(struct wizard *w, enum repair_plan plan)
{
	w->groups[w->group].plan = plan;
	w->phase = WIZ_PREPARE;
	wiz_submit(w, "preparing the plan", 0, wiz_prepare_run, wiz_prepare_done, wiz_prep_free);
	if (w->job == NULL)
		w->then->prepared(w, NULL, "cannot start background work");
}

/* ---- one step ---- */

struct wiz_exec_res {
	enum repair_step_status st;
	char *why;
};

static void
wiz_exec_free(void *p)
{
	struct wiz_exec_res *r = p;
	free(r->why);
	free(r);
}

static void
wiz_exec_run(struct job *j, void *arg)
{
	struct wizard *w = arg;
	struct wiz_exec_res *r = xcalloc(1, sizeof *r);
	wiz_set_in_run(w, j);
	r->st = repair_exec_step(w->run, w->step, w->answer, w->confirm_changed, &r->why);
	wiz_set_in_run(w, NULL);
	job_set_result(j, r);
}

static void
wiz_exec_done(struct job *j, enum job_status st, void *result, const char *error, void *arg)
{
	struct wizard *w = arg;
	struct wiz_exec_res *r = result;
	(void)j;
	w->job = NULL;
	if (st != JOB_DONE || r == NULL) {
		w->then->executed(w, RS_ERROR, wiz_job_error(st, error));
		return;
	}
	w->then->executed(w, r->st, r->why);
	free(r);
}

void
wiz_start_exec(struct wizard *w, enum repair_answer ans, bool confirm_changed)
{
	w->answer = ans;
	w->confirm_changed = confirm_changed;
	w->phase = WIZ_RUNNING;
	wiz_progress_clear(w);
	const struct repair_step_view *v = repair_step(w->run, w->step);
	static const char *const verbs[] = {
		[RA_YES] = "running", [RA_NO] = "recording no for",
		[RA_SKIP] = "skipping", [RA_ABORT] = "aborting at",
	};
	char what[256];
	snprintf(what, sizeof what, "%s step %d: %s", verbs[ans], v->number, v->title);
	wiz_submit(w, what, 0, wiz_exec_run, wiz_exec_done, wiz_exec_free);
	if (w->job == NULL)
		w->then->executed(w, RS_ERROR, xstrdup("cannot start background work"));
}

/* ---- a group starts: read its cells' states again ---- */

static void
wiz_recheck_run(struct job *j, void *arg)
{
	struct wizard *w = arg;
	char *err = NULL;
	wiz_set_in_run(w, j);
	if (repair_recheck(w->run, &err) != 0)
		job_fail(j, "%s", err ? err : "the cells could not be read again");
	wiz_set_in_run(w, NULL);
	free(err);
}

static void
wiz_recheck_done(struct job *j, enum job_status st, void *result, const char *error,
    void *arg)
{
	struct wizard *w = arg;
	(void)j;
	(void)result;
	w->job = NULL;
	char *e = st != JOB_DONE ? wiz_job_error(st, error) : NULL;
	w->then->rechecked(w, e);
	free(e);
}

void
wiz_start_recheck(struct wizard *w)
{
	w->phase = WIZ_RECHECK;
	wiz_submit(w, "reading the cells' states again", 0, wiz_recheck_run, wiz_recheck_done,
	    NULL);
	if (w->job == NULL)
		w->then->rechecked(w, "cannot start background work");
}

/* ---- finish: re-read the cells ---- */

static void
wiz_finish_run(struct job *j, void *arg)
{
	struct wizard *w = arg;
	char *err = NULL;
	wiz_set_in_run(w, j);
	if (repair_finish(w->run, &err) != 0)
		job_fail(j, "%s", err ? err : "the cells could not be re-read");
	wiz_set_in_run(w, NULL);
	free(err);
}

static void
wiz_finish_done(struct job *j, enum job_status st, void *result, const char *error,
    void *arg)
{
	struct wizard *w = arg;
	(void)j;
	(void)result;
	w->job = NULL;
	if (st != JOB_DONE) {
		char *e = wiz_job_error(st, error);
		w->then->finished(w, e);
		free(e);
	} else {
		w->then->finished(w, NULL);
	}
}

void
wiz_start_finish(struct wizard *w)
{
	w->phase = WIZ_FINISH;
	/* An abort stopped the steps; the cells are re-read all the same. */
	atomic_store(&w->cancel, false);
	wiz_submit(w, "re-reading the cells", 0, wiz_finish_run, wiz_finish_done, NULL);
	if (w->job == NULL)
		w->then->finished(w, "cannot start background work");
}
