/*
 * Benchmark: loading a large site into a snapshot.  Creates (or reuses) the
 * "large" simulated site (5,000 packages x 500 DPs), then times, in one run:
 *   - the baseline: one pass over the raw reply bytes counting lines (the
 *     least any loader must do),
 *   - status_parse() of the same bytes into a snapshot,
 *   - the whole status_fetch() through the sim transport (render, simulate,
 *     parse),
 * and reports the snapshot's memory (RSS growth).  Ratios are against the
 * baseline of the same run, so the figures mean something on any machine.
 * Then the delta refresh (bench_delta): 100 pairs changed through the
 * sim's own event API (a re-push each), and a delta refresh (the read and
 * the merge into a copy of the snapshot) timed and its reply's bytes
 * counted against a full refresh's, in the same run.
 */
#include "autoconf.h"
#include "backend/sim/sim.h"
#include "backend/ops/ops_ps.h"
#include "backend/sms/status.h"
#include "backend/sms/status_delta.h"
#include "backend/sim/simint.h"
#include "tests/bench/benchlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The reply's bytes for the status op, since (0: a full read). */
static size_t
reply_bytes(const char *dir, const struct sim_info *info, dpd_time since)
{
	struct op op = { .kind = OP_STATUS };
	op_set(&op, "site", info->site_code);
	char when[21];
	if (since != 0) {
		time_format_iso(since, when);
		op_set(&op, "since", when);
	}
	char *err = NULL;
	char *script = ops_render(&op, &err);
	struct script_result res;
	script_result_init(&res);
	size_t n = 0;
	if (script != NULL && sim_run_script(dir, info->primary, script, &res, &err) == 0)
		n = res.out.len;
	else
		fprintf(stderr, "bench_load: %s\n", err);
	free(err);
	free(script);
	script_result_free(&res);
	return n;
}

/* Re-push `n` pairs spread over the site, as an administrator would: the
 * sim's event API stamps each SummaryDate with the site's time. */
static int
change_pairs(const char *dir, size_t n)
{
	char *err = NULL;
	struct sim_site *s = NULL;
	int fd = simdb_lock(dir, true, NULL, &err);
	if (fd < 0 || simdb_load(dir, &s, &err) != 0) {
		fprintf(stderr, "bench_load: %s\n", err);
		free(err);
		simdb_unlock(fd);
		return -1;
	}
	size_t done = 0;
	for (uint32_t p = 0; p < s->npkg && done < n; p += (uint32_t)(s->npkg / n))
		for (uint32_t v = 1; v < s->nsrv; v++)
			if (simdb_target(s, p, v)) {
				simev_repush(s, p, v, s->clock);
				done++;
				break;
			}
	int rc = simdb_save(s, &err);
	if (rc != 0)
		fprintf(stderr, "bench_load: %s\n", err);
	simdb_free(s);
	simdb_unlock(fd);
	free(err);
	return rc == 0 && done == n ? 0 : -1;
}

/* One refresh as the TUI's job runs it; its time in ms, or -1. */
static double
timed_read(const struct status_plan *plan, const struct snapshot *base, struct transport *t,
    const struct sim_info *info, struct status_outcome *o)
{
	char *err = NULL;
	double t0 = bench_now_ms();
	if (status_delta_read(plan, base, t, info->site_code, NULL, NULL, o, &err) != 0) {
		fprintf(stderr, "bench_load: %s\n", err);
		free(err);
		return -1;
	}
	return bench_now_ms() - t0;
}

/* Delta against full refresh on the large site, 100 pairs changed. */
static int
bench_delta(const char *dir, const struct sim_info *info)
{
	enum { RUNS = 5, CHANGED = 100 };
	struct transport *t = transport_sim_new(dir, info->primary);
	struct status_delta d;
	status_delta_init(&d, STATUS_DELTA_FULL_EVERY);
	struct status_plan full_plan = status_delta_plan(&d);
	struct status_outcome base;
	if (timed_read(&full_plan, NULL, t, info, &base) < 0)
		return -1;
	(void)status_delta_commit(&d, &base);
	if (change_pairs(dir, CHANGED) != 0)
		return -1;
	struct status_plan delta_plan = status_delta_plan(&d);
	double full[RUNS], delta[RUNS], merge[RUNS], floor_ms[RUNS];
	size_t rows = 0;
	for (int r = 0; r < RUNS; r++) {
		struct status_outcome o;
		/* The simulator's own cost per op (it reads its database each
		 * time): a status op for a package the site lacks answers nothing. */
		char *err = NULL;
		double t0;
		floor_ms[r] = 0;
		struct op op = { .kind = OP_STATUS };
		op_set(&op, "site", info->site_code);
		op_set(&op, "package", "009FFFFF");
		char *script = ops_render(&op, &err);
		struct script_result res;
		script_result_init(&res);
		t0 = bench_now_ms();
		if (script != NULL && sim_run_script(dir, info->primary, script, &res, &err) == 0)
			floor_ms[r] = bench_now_ms() - t0;
		script_result_free(&res);
		free(script);
		free(err);
		if ((full[r] = timed_read(&full_plan, NULL, t, info, &o)) < 0)
			return -1;
		snapshot_free(o.snap);
		if ((delta[r] = timed_read(&delta_plan, base.snap, t, info, &o)) < 0)
			return -1;
		rows = o.changed;
		snapshot_free(o.snap);
		struct snapshot *dsnap = status_fetch_since(t, info->site_code, NULL,
		    delta_plan.since, NULL, &err);
		if (dsnap == NULL)
			return -1;
		t0 = bench_now_ms();
		struct snapshot *m = status_delta_merge(base.snap, dsnap);
		merge[r] = bench_now_ms() - t0;
		snapshot_free(m);
		snapshot_free(dsnap);
	}
	size_t fb = reply_bytes(dir, info, 0), db = reply_bytes(dir, info, delta_plan.since);
	double f = bench_median(full, RUNS), dt = bench_median(delta, RUNS);
	printf("== delta refresh (large, %d pairs changed through the sim's events)\n", CHANGED);
	printf("full refresh:  %.1f ms, %zu reply bytes\n", f, fb);
	printf("delta refresh: %.1f ms, %zu reply bytes, %zu rows (read + merge)\n", dt, db, rows);
	printf("delta/full: time %.2f%% (target <= 5%%), bytes %.3f%% (target <= 1%%)\n",
	    100 * dt / (f > 0 ? f : 1), 100.0 * (double)db / (double)(fb ? fb : 1));
	printf("  of which: merge %.1f ms; the simulator's floor per op (a status op answering "
	    "no row) %.1f ms\n", bench_median(merge, RUNS), bench_median(floor_ms, RUNS));
	printf("RESULT delta_ms=%.1f full_ms=%.1f delta_bytes=%zu full_bytes=%zu\n", dt, f, db, fb);
	snapshot_free(base.snap);
	transport_close(t);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench_load DIR\n");
		return 2;
	}
	const char *dir = argv[1];
	char *err = NULL;
	double t0 = bench_now_ms();
	if (sim_ensure(dir, "large", 1, false, &err) != 0) {
		fprintf(stderr, "bench_load: %s\n", err);
		return 2;
	}
	printf("generate (or reuse) large site: %.0f ms\n", bench_now_ms() - t0);
	struct sim_info info;
	if (sim_info(dir, &info, &err) != 0) {
		fprintf(stderr, "bench_load: %s\n", err);
		return 2;
	}
	struct op op = { .kind = OP_STATUS };
	op_set(&op, "site", info.site_code);
	char *script = ops_render(&op, &err);
	struct script_result res;
	script_result_init(&res);
	if (script == NULL || sim_run_script(dir, info.primary, script, &res, &err) != 0) {
		fprintf(stderr, "bench_load: %s\n", err);
		return 2;
	}
	enum { RUNS = 5 };
	double base[RUNS], parse[RUNS], fetch[RUNS];
	size_t lines = 0, cells = 0;
	long rss_before = 0, rss_after = 0;
	for (int r = 0; r < RUNS; r++) {
		t0 = bench_now_ms();
		lines = 0;
		for (const char *p = res.out.data; (p = memchr(p, '\n', res.out.len - (size_t)(p - res.out.data))); p++)
			lines++;
		base[r] = bench_now_ms() - t0;

		/* Memory: the first parse only (later ones reuse freed pages). */
		if (r == 0)
			rss_before = bench_rss_kb();
		t0 = bench_now_ms();
		struct snapshot *s = status_parse(res.out.data, res.out.len, &err);
		parse[r] = bench_now_ms() - t0;
		if (r == 0)
			rss_after = bench_rss_kb();
		if (s == NULL) {
			fprintf(stderr, "bench_load: %s\n", err);
			return 2;
		}
		cells = s->ncells;
		snapshot_free(s);

		struct transport *t = transport_sim_new(dir, info.primary);
		t0 = bench_now_ms();
		s = status_fetch(t, info.site_code, NULL, NULL, &err);
		fetch[r] = bench_now_ms() - t0;
		if (s == NULL) {
			fprintf(stderr, "bench_load: %s\n", err);
			return 2;
		}
		snapshot_free(s);
		transport_close(t);
	}
	double b = bench_median(base, RUNS), p = bench_median(parse, RUNS), f = bench_median(fetch, RUNS);
	printf("reply: %.1f MB, %zu lines, %zu cells\n", res.out.len / 1e6, lines, cells);
	printf("baseline (count lines): %.1f ms\n", b);
	printf("status_parse:           %.1f ms  (%.1fx baseline)\n", p, p / (b > 0 ? b : 1));
	printf("status_fetch (sim):     %.1f ms  (%.1fx baseline)\n", f, f / (b > 0 ? b : 1));
	printf("snapshot memory (RSS growth): %.1f MB for %zu cells\n",
	    (rss_after - rss_before) / 1024.0, cells);
	printf("RESULT load_ms=%.0f parse_ms=%.0f baseline_ms=%.1f\n", f, p, b);
	if (bench_delta(dir, &info) != 0)
		return 2;
	free(script);
	script_result_free(&res);
	sim_info_free(&info);
	return f < 1000 ? 0 : 1;
}
