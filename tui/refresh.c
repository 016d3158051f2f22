/*
 * Live refresh: the status query runs as a background job with a deadline,
 * never on the UI thread.  A good reply replaces the snapshot whole; a
 * failed or timed-out one keeps the old snapshot on screen, marks it stale
 * and says where and why on the status line.  One refresh is in flight at
 * a time, and the jobs pool has one worker, so a query that outlives its
 * deadline never runs side by side with the next one on the same transport.
 * A refresh owed (u->want_refresh: a repair ran, an ssh question was
 * answered, host keys were accepted) starts once none runs.  Only the
 * first snapshot and one the user asked for (r) change the grid's order;
 * the others update glyphs and counts in place (board_set_snapshot).
 * Most refreshes are deltas (backend/sms/status_delta.h): the job reads
 * only what changed and merges it into a copy of the snapshot on screen,
 * so the board still gets a whole snapshot; every full_refresh_every-th,
 * an asked-for one (r) and the one after the site's clock went back read
 * everything.
 */
#include "autoconf.h"
#include "tui/refresh.h"
#include "tui/sshkey.h"
#include "backend/sms/status_delta.h"
#include "backend/core/util.h"

#include <stdlib.h>

/* Runs on the worker thread: reads u->opt, which is immutable while the UI
 * runs, and the plan and base it was submitted with (copied first: the UI
 * sets them again only for the next job, and replaces the base only when
 * a job's result arrives, which cannot happen while this one runs on the
 * pool's one worker); hands a status_outcome back through the job. */
static void
refresh_run(struct job *j, void *arg)
{
	const struct ui *u = arg;
	const struct tui_options *o = u->opt;
	struct status_plan plan = u->refresh_plan;
	const struct snapshot *base = u->refresh_base;
	char *err = NULL;
	/* The transport gives up a little before the job does, so its own
	 * message (which server, which op, what it was doing) is what the
	 * status line shows, not just "no reply". */
	struct deadline dl = *job_deadline(j);
	if (dl.at_ms != 0)
		dl.at_ms -= UI_REFRESH_GRACE_MS;
	struct status_outcome *out = xmalloc(sizeof *out);
	if (status_delta_read(&plan, base, o->status_transport, o->site, o->provider, &dl,
	    out, &err) != 0) {
		free(out);
		job_fail(j, "%s", err ? err : "the status query returned nothing");
		free(err);
		return;
	}
	job_set_result(j, out);
}

int
refresh_interval(const struct ui *u)
{
	return u->opt->refresh_seconds > 0 ? u->opt->refresh_seconds : 30;
}

/* For a snapshot that arrives after its job was given up. */
static void
refresh_free_result(void *p)
{
	struct status_outcome *o = p;
	snapshot_free(o->snap);
	free(o);
}

static void
refresh_failed(struct ui *u, enum job_status st, const char *error)
{
	const struct transport *t = u->opt->status_transport;
	free(u->refresh_error);
	if (st == JOB_TIMED_OUT)
		u->refresh_error = xasprintf("status of site %s from %s: no reply within %d s",
		    u->opt->site, t && t->host ? t->host : "?", UI_REFRESH_TIMEOUT_MS / 1000);
	else
		u->refresh_error = xasprintf("status of site %s from %s: %s", u->opt->site,
		    t && t->host ? t->host : "?", error ? error : "failed");
	u->stale = u->board.snap != NULL;
}

static void
refresh_done(struct job *j, enum job_status st, void *result, const char *error, void *arg)
{
	struct ui *u = arg;
	int64_t now = clock_mono_ms();
	(void)j;
	u->refresh_job = NULL;
	u->next_refresh = now + (int64_t)refresh_interval(u) * 1000;
	if (st == JOB_DONE && result != NULL) {
		struct status_outcome *o = result;
		board_set_snapshot(&u->board, o->snap);
		u->refresh_clock_back = status_delta_commit(&u->delta, o);
		u->refresh_last = *o;
		u->refresh_last.snap = NULL;
		free(o);
		if (u->refresh_clock_back)
			ui_message(u, UI_ROLE_WARNING, "the site's clock went back: the next "
			    "refresh reads everything");
		u->last_ok = now;
		u->stale = false;
		free(u->refresh_error);
		u->refresh_error = NULL;
	} else {
		if (result != NULL)
			refresh_free_result(result);
		refresh_failed(u, st, error);
		if (st == JOB_FAILED)
			sshkey_failed(u); /* an unknown host key: ask */
	}
	u->dirty |= UI_DIRTY_ALL;
}

void
refresh_start(struct ui *u)
{
	if (u->refresh_job != NULL) {
		ui_message(u, UI_ROLE_INFO, "a refresh is already running");
		return;
	}
	u->refresh_started = clock_mono_ms();
	u->refresh_plan = status_delta_plan(&u->delta);
	u->refresh_base = u->board.snap;
	u->refresh_job = jobs_submit(u->jobs, "status refresh", UI_REFRESH_TIMEOUT_MS,
	    refresh_run, refresh_done, refresh_free_result, u);
	u->dirty |= UI_DIRTY_HEADER | UI_DIRTY_BODY;
}

void
refresh_tick(struct ui *u, int64_t now)
{
	if (u->refresh_job == NULL && !u->paused && now >= u->next_refresh)
		refresh_start(u);
	if (u->want_refresh && u->refresh_job == NULL) {
		u->want_refresh = false;
		refresh_start(u);
	}
}

/* Host keys were written: a status that failed on one may come now. */
static void
refresh_keys_accepted(struct ui *u, enum ui_event ev, void *arg)
{
	(void)ev;
	(void)arg;
	if (u->refresh_job == NULL)
		refresh_start(u);
	else
		u->want_refresh = true;
}

/* The user pressed r (or F5): the snapshot that comes is sorted afresh.
 * Only an asked-for refresh reorders the grid; the timed ones keep rows
 * and columns where they are, so a cell never jumps under the eye. */
static void
refresh_asked(struct ui *u, enum ui_event ev, void *arg)
{
	(void)ev;
	(void)arg;
	board_resort_next(&u->board);
	status_delta_ask_full(&u->delta);
}

void
refresh_init(struct ui *u)
{
	int every = u->opt->full_refresh_every;
	status_delta_init(&u->delta, every > 0 ? (unsigned)every : 0);
	ui_listen(u, UI_EVENT_HOSTKEYS_ACCEPTED, refresh_keys_accepted, NULL);
	ui_listen(u, UI_EVENT_REFRESH_ASKED, refresh_asked, NULL);
}

int
refresh_timeout(const struct ui *u, int64_t now)
{
	if (u->refresh_job != NULL || u->paused)
		return -1;
	return u->next_refresh > now ? (int)(u->next_refresh - now) : 0;
}

void
refresh_toggle_pause(struct ui *u)
{
	u->paused = !u->paused;
	if (u->paused)
		ui_message(u, UI_ROLE_INFO, "live refresh paused; p resumes, r refreshes once");
	else
		ui_message(u, UI_ROLE_INFO, "live refresh resumed (every %d s)",
		    refresh_interval(u));
	u->dirty |= UI_DIRTY_HEADER;
}
