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
 */
#include "autoconf.h"
#include "tui/refresh.h"
#include "tui/sshkey.h"
#include "backend/sms/status.h"
#include "backend/core/util.h"

#include <stdlib.h>

/* Runs on the worker thread: reads only u->opt, which is immutable while
 * the UI runs, and hands the snapshot back through the job. */
static void
refresh_run(struct job *j, void *arg)
{
	const struct ui *u = arg;
	const struct tui_options *o = u->opt;
	char *err = NULL;
	/* The transport gives up a little before the job does, so its own
	 * message (which server, which op, what it was doing) is what the
	 * status line shows, not just "no reply". */
	struct deadline dl = *job_deadline(j);
	if (dl.at_ms != 0)
		dl.at_ms -= UI_REFRESH_GRACE_MS;
	struct snapshot *s = status_fetch(o->status_transport, o->site, o->provider, &dl,
	    &err);
	if (s == NULL) {
		job_fail(j, "%s", err ? err : "the status query returned nothing");
		free(err);
		return;
	}
	job_set_result(j, s);
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
	snapshot_free(p);
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
		board_set_snapshot(&u->board, result);
		u->last_ok = now;
		u->stale = false;
		free(u->refresh_error);
		u->refresh_error = NULL;
	} else {
		if (result != NULL)
			snapshot_free(result);
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
}

void
refresh_init(struct ui *u)
{
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
