/*
 * Background work.  The UI thread submits jobs; worker threads run them;
 * finished jobs come back through a queue, and a wake-up file descriptor
 * becomes readable so the UI's poll() loop knows to call jobs_dispatch().
 * Every job has a deadline: when it passes, the job is reported as timed
 * out at once (the UI never waits for a stuck worker) and its cancel flag
 * is raised so the worker stops at its next check; whatever it returns
 * later is freed, not delivered.
 */
#ifndef DPD_JOBS_H
#define DPD_JOBS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend/core/util.h"

enum job_status {
	JOB_DONE,       /* ran to the end; result is whatever run() set */
	JOB_FAILED,     /* ran and reported an error (job_fail) */
	JOB_CANCELLED,  /* jobs_cancel() before it finished */
	JOB_TIMED_OUT,  /* deadline passed before it finished */
};

struct job;
struct jobs;

/* Runs on a worker thread.  Use job_deadline() for transport calls, set the
 * result with job_set_result() or an error with job_fail(). */
typedef void (*job_run_fn)(struct job *j, void *arg);
/* Runs on the UI thread from jobs_dispatch(), exactly once per job.
 * `result` is NULL unless status is JOB_DONE; the callee owns it then. */
typedef void (*job_done_fn)(struct job *j, enum job_status st, void *result,
    const char *error, void *arg);

struct jobs *jobs_new(int nthreads);
/* Cancels everything, waits for the workers (they must honour cancel), and
 * calls no more done callbacks. */
void jobs_free(struct jobs *js);
int jobs_fd(const struct jobs *js);

/* timeout_ms 0 = no deadline.  `what` names the job in messages.
 * free_result frees a result that arrives after the job timed out. */
struct job *jobs_submit(struct jobs *js, const char *what, int timeout_ms,
    job_run_fn run, job_done_fn done, void (*free_result)(void *), void *arg);
void jobs_cancel(struct jobs *js, struct job *j);
/* Deliver finished and timed-out jobs; call when jobs_fd() is readable and
 * after each poll() timeout. Returns the number delivered. */
int jobs_dispatch(struct jobs *js);
/* Milliseconds until the nearest deadline (for poll); -1 when none. */
int jobs_next_timeout(const struct jobs *js);
/* Jobs submitted and not yet delivered. */
int jobs_pending(const struct jobs *js);

/* For run(): */
const struct deadline *job_deadline(const struct job *j);
bool job_cancelled(const struct job *j);
void job_set_result(struct job *j, void *result);
void job_fail(struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *job_what(const struct job *j);

#endif
