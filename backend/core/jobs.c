/*
 * The job runner: a fixed pool of worker threads, a queue of jobs waiting
 * to run, and a list of jobs waiting to be delivered to the UI thread.  The
 * UI learns about finished work through a pipe (the wake-up fd), so its
 * poll() loop sleeps until something happens.  Deadlines are enforced on
 * the UI side: a job past its deadline is delivered as timed out at once and
 * the worker is told to stop; a worker that ignores the flag only wastes a
 * thread, it never freezes the screen.
 */
#include "autoconf.h"
#include "backend/core/jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum job_phase { PHASE_QUEUED, PHASE_RUNNING, PHASE_FINISHED };

struct job {
	struct job *next;          /* in js->all, submission order */
	struct jobs *js;
	char *what;
	job_run_fn run;
	job_done_fn done;
	void (*free_result)(void *);
	void *arg;
	struct deadline dl;
	atomic_bool cancel;
	enum job_phase phase;
	bool delivered;            /* the UI has been told (maybe before the worker ended) */
	enum job_status status;    /* meaningful once FINISHED or DELIVERED */
	void *result;
	char *error;
};

struct jobs {
	pthread_mutex_t lock;
	pthread_cond_t work;
	pthread_t *threads;
	int nthreads;
	bool stopping;
	struct job *all;           /* every job not yet freed */
	int wake[2];               /* wake[0] is what the UI polls */
};

static void
jobs_wake(struct jobs *js)
{
	char c = 1;
	/* A full pipe already means "wake up"; nothing to do on EAGAIN. */
	while (write(js->wake[1], &c, 1) < 0 && errno == EINTR)
		;
}

static struct job *
jobs_take_queued(struct jobs *js)
{
	struct job *found = NULL;
	for (struct job *j = js->all; j; j = j->next)
		if (j->phase == PHASE_QUEUED)
			found = j; /* keep looking: oldest is last in the list */
	return found;
}

static void *
jobs_worker(void *arg)
{
	struct jobs *js = arg;
	pthread_mutex_lock(&js->lock);
	for (;;) {
		struct job *j = NULL;
		/* On stop, queued jobs are not run: jobs_free() frees them. */
		while (!js->stopping && (j = jobs_take_queued(js)) == NULL)
			pthread_cond_wait(&js->work, &js->lock);
		if (js->stopping || j == NULL)
			break;
		j->phase = PHASE_RUNNING;
		pthread_mutex_unlock(&js->lock);
		if (!deadline_passed(&j->dl))
			j->run(j, j->arg);
		pthread_mutex_lock(&js->lock);
		j->phase = PHASE_FINISHED;
		if (!j->delivered) {
			if (j->error != NULL)
				j->status = JOB_FAILED;
			else if (atomic_load(&j->cancel))
				j->status = JOB_CANCELLED;
			else if (deadline_passed(&j->dl))
				j->status = JOB_TIMED_OUT;
			else
				j->status = JOB_DONE;
		}
		jobs_wake(js);
	}
	pthread_mutex_unlock(&js->lock);
	return NULL;
}

struct jobs *
jobs_new(int nthreads)
{
	struct jobs *js = xcalloc(1, sizeof *js);
	if (pipe2(js->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		free(js);
		return NULL;
	}
	pthread_mutex_init(&js->lock, NULL);
	pthread_cond_init(&js->work, NULL);
	js->threads = xcalloc((size_t)nthreads, sizeof *js->threads);
	for (int i = 0; i < nthreads; i++) {
		if (pthread_create(&js->threads[i], NULL, jobs_worker, js) != 0)
			break;
		js->nthreads++;
	}
	if (js->nthreads == 0) {
		jobs_free(js);
		return NULL;
	}
	return js;
}

static void
job_free(struct job *j)
{
	if (j->result != NULL && j->free_result != NULL)
		j->free_result(j->result);
	free(j->error);
	free(j->what);
	free(j);
}

void
jobs_free(struct jobs *js)
{
	if (js == NULL)
		return;
	pthread_mutex_lock(&js->lock);
	js->stopping = true;
	for (struct job *j = js->all; j; j = j->next)
		atomic_store(&j->cancel, true);
	pthread_cond_broadcast(&js->work);
	pthread_mutex_unlock(&js->lock);
	for (int i = 0; i < js->nthreads; i++)
		pthread_join(js->threads[i], NULL);
	while (js->all) {
		struct job *j = js->all;
		js->all = j->next;
		job_free(j);
	}
	close(js->wake[0]);
	close(js->wake[1]);
	pthread_mutex_destroy(&js->lock);
	pthread_cond_destroy(&js->work);
	free(js->threads);
	free(js);
}

int
jobs_fd(const struct jobs *js)
{
	return js->wake[0];
}

struct job *
jobs_submit(struct jobs *js, const char *what, int timeout_ms,
    job_run_fn run, job_done_fn done, void (*free_result)(void *), void *arg)
{
	struct job *j = xcalloc(1, sizeof *j);
	j->js = js;
	j->what = xstrdup(what);
	j->run = run;
	j->done = done;
	j->free_result = free_result;
	j->arg = arg;
	atomic_init(&j->cancel, false);
	j->dl.cancel = &j->cancel;
	j->dl.at_ms = timeout_ms > 0 ? clock_mono_ms() + timeout_ms : 0;
	pthread_mutex_lock(&js->lock);
	j->next = js->all;
	js->all = j;
	pthread_cond_signal(&js->work);
	pthread_mutex_unlock(&js->lock);
	return j;
}

void
jobs_cancel(struct jobs *js, struct job *j)
{
	pthread_mutex_lock(&js->lock);
	if (j->phase == PHASE_QUEUED || j->phase == PHASE_RUNNING) {
		atomic_store(&j->cancel, true);
		if (j->phase == PHASE_QUEUED) {
			j->phase = PHASE_FINISHED;
			j->status = JOB_CANCELLED;
		}
		jobs_wake(js);
	}
	pthread_mutex_unlock(&js->lock);
}

/* What the UI thread delivers, copied under the lock so a worker that
 * finishes late never races with the callback. */
struct delivery {
	struct job *j;
	enum job_status status;
	void *result;
	char *error;
};

/* Under the lock: free jobs delivered earlier whose worker has let go. */
static void
jobs_reap(struct jobs *js)
{
	for (struct job **pp = &js->all; *pp;) {
		struct job *j = *pp;
		if (j->delivered && j->phase == PHASE_FINISHED) {
			*pp = j->next;
			job_free(j);
			continue;
		}
		pp = &j->next;
	}
}

/* Under the lock: the jobs to deliver now, oldest first. */
static size_t
jobs_collect(struct jobs *js, struct delivery **out)
{
	size_t n = 0, cap = 0;
	int64_t now = clock_mono_ms();
	*out = NULL;
	for (struct job *j = js->all; j; j = j->next) {
		if (j->delivered)
			continue;
		bool overdue = j->dl.at_ms != 0 && now >= j->dl.at_ms;
		if (j->phase != PHASE_FINISHED && !overdue)
			continue;
		if (j->phase != PHASE_FINISHED) {
			atomic_store(&j->cancel, true);
			j->status = JOB_TIMED_OUT;
			if (j->phase == PHASE_QUEUED)
				j->phase = PHASE_FINISHED; /* will never run */
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		struct delivery *d = &(*out)[n++];
		d->j = j;
		d->status = j->status;
		d->result = NULL;
		d->error = NULL;
		if (j->phase == PHASE_FINISHED) {
			if (j->status == JOB_DONE) {
				d->result = j->result;
				j->result = NULL;
			}
			d->error = j->error;
			j->error = NULL;
		}
		j->delivered = true;
	}
	/* js->all is newest first: reverse to deliver in submission order. */
	for (size_t a = 0, b = n ? n - 1 : 0; a < b; a++, b--) {
		struct delivery t = (*out)[a];
		(*out)[a] = (*out)[b];
		(*out)[b] = t;
	}
	return n;
}

int
jobs_dispatch(struct jobs *js)
{
	char drain[64];
	while (read(js->wake[0], drain, sizeof drain) > 0)
		;
	struct delivery *d;
	pthread_mutex_lock(&js->lock);
	jobs_reap(js);
	size_t n = jobs_collect(js, &d);
	pthread_mutex_unlock(&js->lock);
	for (size_t i = 0; i < n; i++) {
		const char *msg = d[i].error;
		if (msg == NULL && d[i].status == JOB_TIMED_OUT)
			msg = "timed out";
		else if (msg == NULL && d[i].status == JOB_CANCELLED)
			msg = "cancelled";
		/* The job may still be running (timed out): the callback may
		 * look at job_what() only, which never changes. */
		if (d[i].j->done)
			d[i].j->done(d[i].j, d[i].status, d[i].result, msg, d[i].j->arg);
		else if (d[i].result && d[i].j->free_result)
			d[i].j->free_result(d[i].result);
		free(d[i].error);
	}
	free(d);
	pthread_mutex_lock(&js->lock);
	jobs_reap(js);
	pthread_mutex_unlock(&js->lock);
	return (int)n;
}

int
jobs_next_timeout(const struct jobs *js)
{
	struct jobs *m = (struct jobs *)js;
	int64_t now = clock_mono_ms(), best = -1;
	pthread_mutex_lock(&m->lock);
	for (struct job *j = js->all; j; j = j->next) {
		if (j->delivered || j->dl.at_ms == 0)
			continue;
		int64_t left = j->dl.at_ms > now ? j->dl.at_ms - now : 0;
		if (best < 0 || left < best)
			best = left;
	}
	pthread_mutex_unlock(&m->lock);
	return best > INT32_MAX ? INT32_MAX : (int)best;
}

int
jobs_pending(const struct jobs *js)
{
	struct jobs *m = (struct jobs *)js;
	int n = 0;
	pthread_mutex_lock(&m->lock);
	for (struct job *j = js->all; j; j = j->next)
		n += !j->delivered;
	pthread_mutex_unlock(&m->lock);
	return n;
}

const struct deadline *
job_deadline(const struct job *j)
{
	return &j->dl;
}

bool
job_cancelled(const struct job *j)
{
	return deadline_passed(&j->dl);
}

void
job_set_result(struct job *j, void *result)
{
	if (j->result != NULL && j->free_result != NULL)
		j->free_result(j->result);
	j->result = result;
}

void
job_fail(struct job *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(j->error);
	j->error = xvasprintf(fmt, ap);
	va_end(ap);
}

const char *
job_what(const struct job *j)
{
	return j->what;
}
