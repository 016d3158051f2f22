/*
 * Benchmark: the huge scenario (10,000 packages x 1,000 DPs, over a
 * million pairs) in the TUI's own structures.  Creates (or reuses) the
 * site, then times, in one run: status_fetch() through the sim transport
 * and the snapshot's memory (RSS growth); the board built from it (what
 * the first grid waits for); and the / filter over every cell, against the
 * baseline of one pass over the cell array reading each cell's package
 * and DP (the least a filter over all cells can do).  Ratios are against
 * that baseline of the same run.  Prints RESULT lines run.sh reads.
 */
#include "autoconf.h"
#include "backend/sim/sim.h"
#include "backend/sms/status.h"
#include "tui/board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* The process's peak RSS so far (VmHWM), in KB. */
static long
peak_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmHWM: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

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

/* The baseline: touch every cell's package and DP once. */
static double
baseline_pass(const struct snapshot *s, size_t *sink)
{
	uint8_t *rs = calloc(s->npkgs + 1, 1), *cs = calloc(s->ndps + 1, 1);
	if (rs == NULL || cs == NULL)
		abort();
	double t0 = now_ms();
	for (size_t i = 0; i < s->ncells; i++)
		rs[s->cells[i].pkg] = cs[s->cells[i].dp] = 1;
	double t = now_ms() - t0;
	for (size_t p = 0; p < s->npkgs; p++)
		*sink += rs[p];
	free(rs);
	free(cs);
	return t;
}

/* Filters a user types: a DP, a package name, a word matching nothing. */
static const char *const filters[] = { "DP07", "Adobe", "zzzz-nothing" };
#define NFILTERS (sizeof filters / sizeof filters[0])

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench_huge DIR\n");
		return 2;
	}
	const char *dir = argv[1];
	char *err = NULL;
	double t0 = now_ms();
	if (sim_ensure(dir, "huge", 1, false, &err) != 0) {
		fprintf(stderr, "bench_huge: %s\n", err);
		return 2;
	}
	printf("generate (or reuse) huge site: %.0f ms\n", now_ms() - t0);
	struct sim_info info;
	if (sim_info(dir, &info, &err) != 0) {
		fprintf(stderr, "bench_huge: %s\n", err);
		return 2;
	}
	long rss0 = rss_kb();
	struct transport *t = transport_sim_new(dir, info.primary);
	t0 = now_ms();
	struct snapshot *s = status_fetch(t, info.site_code, NULL, NULL, &err);
	double fetch = now_ms() - t0;
	transport_close(t);
	if (s == NULL) {
		fprintf(stderr, "bench_huge: %s\n", err);
		return 2;
	}
	long rss1 = rss_kb();
	size_t cells = s->ncells;
	/* The index by package and DP again, alone (status_fetch built it). */
	t0 = now_ms();
	snapshot_index(s);
	double index = now_ms() - t0;
	struct board b;
	board_init(&b);
	b.show_all = true;
	t0 = now_ms();
	board_set_snapshot(&b, s);
	double build = now_ms() - t0;
	enum { RUNS = 5 };
	double base[RUNS], filt[RUNS * NFILTERS];
	size_t sink = 0;
	for (int r = 0; r < RUNS; r++) {
		base[r] = baseline_pass(b.snap, &sink);
		for (size_t f = 0; f < NFILTERS; f++) {
			t0 = now_ms();
			board_set_filter(&b, filters[f]);
			filt[r * NFILTERS + f] = now_ms() - t0;
			sink += b.nrows;
		}
		board_set_filter(&b, NULL);
	}
	double bl = median(base, RUNS), fl = median(filt, RUNS * NFILTERS);
	printf("cells: %zu (%zu packages x %zu DPs)\n", cells, b.snap->npkgs, b.snap->ndps);
	printf("status_fetch (sim): %.0f ms, of which the snapshot's index %.0f ms; board built: %.0f ms\n",
	    fetch, index, build);
	printf("snapshot memory (RSS growth): %.1f MB; process RSS with the board %.1f MB, "
	    "peak %.1f MB (the reply streams: never held whole)\n",
	    (rss1 - rss0) / 1024.0, rss_kb() / 1024.0, peak_kb() / 1024.0);
	printf("/ filter over every cell: %.1f ms (target < 100), baseline pass %.1f ms (%.1fx)\n",
	    fl, bl, fl / (bl > 0 ? bl : 1));
	printf("RESULT huge_fetch_ms=%.0f board_ms=%.0f filter_ms=%.1f filter_base_ms=%.1f cells=%zu sink=%zu\n",
	    fetch, build, fl, bl, cells, sink % 2);
	board_free(&b);
	sim_info_free(&info);
	return 0;
}
