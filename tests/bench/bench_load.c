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
 */
#include "autoconf.h"
#include "backend/sim/sim.h"
#include "backend/ops/ops_ps.h"
#include "backend/sms/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long
rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, res = 0;
	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &res) != 2)
		res = -1;
	fclose(f);
	return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Median of n runs of f. */
static double
median(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
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
	double t0 = now_ms();
	if (sim_ensure(dir, "large", 1, false, &err) != 0) {
		fprintf(stderr, "bench_load: %s\n", err);
		return 2;
	}
	printf("generate (or reuse) large site: %.0f ms\n", now_ms() - t0);
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
		t0 = now_ms();
		lines = 0;
		for (const char *p = res.out.data; (p = memchr(p, '\n', res.out.len - (size_t)(p - res.out.data))); p++)
			lines++;
		base[r] = now_ms() - t0;

		/* Memory: the first parse only (later ones reuse freed pages). */
		if (r == 0)
			rss_before = rss_kb();
		t0 = now_ms();
		struct snapshot *s = status_parse(res.out.data, res.out.len, &err);
		parse[r] = now_ms() - t0;
		if (r == 0)
			rss_after = rss_kb();
		if (s == NULL) {
			fprintf(stderr, "bench_load: %s\n", err);
			return 2;
		}
		cells = s->ncells;
		snapshot_free(s);

		struct transport *t = transport_sim_new(dir, info.primary);
		t0 = now_ms();
		s = status_fetch(t, info.site_code, NULL, NULL, &err);
		fetch[r] = now_ms() - t0;
		if (s == NULL) {
			fprintf(stderr, "bench_load: %s\n", err);
			return 2;
		}
		snapshot_free(s);
		transport_close(t);
	}
	double b = median(base, RUNS), p = median(parse, RUNS), f = median(fetch, RUNS);
	printf("reply: %.1f MB, %zu lines, %zu cells\n", res.out.len / 1e6, lines, cells);
	printf("baseline (count lines): %.1f ms\n", b);
	printf("status_parse:           %.1f ms  (%.1fx baseline)\n", p, p / (b > 0 ? b : 1));
	printf("status_fetch (sim):     %.1f ms  (%.1fx baseline)\n", f, f / (b > 0 ? b : 1));
	printf("snapshot memory (RSS growth): %.1f MB for %zu cells\n",
	    (rss_after - rss_before) / 1024.0, cells);
	printf("RESULT load_ms=%.0f parse_ms=%.0f baseline_ms=%.1f\n", f, p, b);
	free(script);
	script_result_free(&res);
	sim_info_free(&info);
	return f < 1000 ? 0 : 1;
}
