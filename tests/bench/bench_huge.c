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
#include "tests/bench/benchlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The baseline: touch every cell's package and DP once. */
static double
baseline_pass(const struct snapshot *s, size_t *sink)
{
	uint8_t *rs = calloc(s->npkgs + 1, 1), *cs = calloc(s->ndps + 1, 1);
	if (rs == NULL || cs == NULL)
		abort();
	double t0 = bench_now_ms();
	for (size_t i = 0; i < s->ncells; i++)
		rs[s->cells[i].pkg] = cs[s->cells[i].dp] = 1;
	double t = bench_now_ms() - t0;
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
	double t0 = bench_now_ms();
	if (sim_ensure(dir, "huge", 1, false, &err) != 0) {
		fprintf(stderr, "bench_huge: %s\n", err);
		return 2;
	}
	printf("generate (or reuse) huge site: %.0f ms\n", bench_now_ms() - t0);
	struct sim_info info;
	if (sim_info(dir, &info, &err) != 0) {
		fprintf(stderr, "bench_huge: %s\n", err);
		return 2;
	}
	long rss0 = bench_rss_kb();
	struct transport *t = transport_sim_new(dir, info.primary);
	t0 = bench_now_ms();
	struct snapshot *s = status_fetch(t, info.site_code, NULL, NULL, &err);
	double fetch = bench_now_ms() - t0;
	transport_close(t);
	if (s == NULL) {
		fprintf(stderr, "bench_huge: %s\n", err);
		return 2;
	}
	long rss1 = bench_rss_kb();
	size_t cells = s->ncells;
	/* The index by package and DP again, alone (status_fetch built it). */
	t0 = bench_now_ms();
	snapshot_index(s);
	double index = bench_now_ms() - t0;
	struct board b;
	board_init(&b);
	b.show_all = true;
	t0 = bench_now_ms();
	board_set_snapshot(&b, s);
	double build = bench_now_ms() - t0;
	enum { RUNS = 5 };
	double base[RUNS], filt[RUNS * NFILTERS];
	size_t sink = 0;
	for (int r = 0; r < RUNS; r++) {
		base[r] = baseline_pass(b.snap, &sink);
		for (size_t f = 0; f < NFILTERS; f++) {
			t0 = bench_now_ms();
			board_set_filter(&b, filters[f]);
			filt[r * NFILTERS + f] = bench_now_ms() - t0;
			sink += b.nrows;
		}
		board_set_filter(&b, NULL);
	}
	double bl = bench_median(base, RUNS), fl = bench_median(filt, RUNS * NFILTERS);
	printf("cells: %zu (%zu packages x %zu DPs)\n", cells, b.snap->npkgs, b.snap->ndps);
	printf("status_fetch (sim): %.0f ms, of which the snapshot's index %.0f ms; board built: %.0f ms\n",
	    fetch, index, build);
	printf("snapshot memory (RSS growth): %.1f MB; process RSS with the board %.1f MB, "
	    "peak %.1f MB (the reply streams: never held whole)\n",
	    (rss1 - rss0) / 1024.0, bench_rss_kb() / 1024.0, bench_peak_kb() / 1024.0);
	printf("/ filter over every cell: %.1f ms (target < 100), baseline pass %.1f ms (%.1fx)\n",
	    fl, bl, fl / (bl > 0 ? bl : 1));
	printf("RESULT huge_fetch_ms=%.0f board_ms=%.0f filter_ms=%.1f filter_base_ms=%.1f cells=%zu sink=%zu\n",
	    fetch, build, fl, bl, cells, sink % 2);
	board_free(&b);
	sim_info_free(&info);
	return 0;
}
