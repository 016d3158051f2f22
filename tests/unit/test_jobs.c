/* Unit tests: the background job runner (results, failures, deadlines,
 * cancellation, and that the UI side never waits for a stuck worker). */
#include "autoconf.h"
#include "backend/core/jobs.h"
#include "tests/unit/tap.h"

#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

struct outcome {
	int calls;
	enum job_status st;
	char *result;
	char err[128];
};

static void
run_ok(struct job *j, void *arg)
{
	(void)arg;
	job_set_result(j, xstrdup("done"));
}

static void
run_fail(struct job *j, void *arg)
{
	(void)arg;
	job_fail(j, "%s: could not connect", "DP01");
}

/* Ignores the cancel flag for 400 ms, like a stuck network call. */
static void
run_stuck(struct job *j, void *arg)
{
	(void)arg;
	usleep(400000);
	job_set_result(j, xstrdup("late"));
}

static void
run_polite(struct job *j, void *arg)
{
	(void)arg;
	while (!job_cancelled(j))
		usleep(1000);
}

static void
done(struct job *j, enum job_status st, void *result, const char *error, void *arg)
{
	(void)j;
	struct outcome *o = arg;
	o->calls++;
	o->st = st;
	o->result = result;
	snprintf(o->err, sizeof o->err, "%s", error ? error : "");
}

/* Wait on the wake-up fd like the UI loop does, up to ms. */
static void
pump(struct jobs *js, int ms)
{
	int64_t end = clock_mono_ms() + ms;
	while (jobs_pending(js) > 0 && clock_mono_ms() < end) {
		int t = jobs_next_timeout(js);
		struct pollfd p = { .fd = jobs_fd(js), .events = POLLIN };
		poll(&p, 1, t < 0 || t > 50 ? 50 : t);
		jobs_dispatch(js);
	}
}

int
main(void)
{
	struct jobs *js = jobs_new(2);
	ok(js != NULL, "runner starts");
	struct outcome a = {0}, b = {0}, c = {0}, d = {0};
	jobs_submit(js, "ok", 2000, run_ok, done, free, &a);
	jobs_submit(js, "fail", 2000, run_fail, done, free, &b);
	pump(js, 2000);
	ok(a.calls == 1 && a.st == JOB_DONE, "result delivered once");
	is_str(a.result, "done", "with its value");
	free(a.result);
	ok(b.calls == 1 && b.st == JOB_FAILED, "failure delivered");
	is_str(b.err, "DP01: could not connect", "with its message");

	int64_t t0 = clock_mono_ms();
	jobs_submit(js, "stuck", 100, run_stuck, done, free, &c);
	pump(js, 2000);
	int64_t waited = clock_mono_ms() - t0;
	ok(c.calls == 1 && c.st == JOB_TIMED_OUT, "stuck job reported as timed out");
	ok(waited < 300, "the UI side did not wait for the stuck worker (%lld ms)", (long long)waited);
	ok(c.result == NULL, "no result for a timed-out job");

	struct job *pj = jobs_submit(js, "polite", 0, run_polite, done, free, &d);
	usleep(20000);
	jobs_cancel(js, pj);
	pump(js, 2000);
	ok(d.calls == 1 && d.st == JOB_CANCELLED, "cancelled job reported as cancelled");
	is_int(jobs_next_timeout(js), -1, "no deadline left");
	usleep(450000); /* let the stuck worker finish; its late result is freed */
	jobs_dispatch(js);
	is_int(c.calls, 1, "late result never delivered");
	jobs_free(js);
	ok(1, "runner stops cleanly");
	return done_testing();
}
