/* Unit tests: the state table and snapshot indexing. */
#include "autoconf.h"
#include "backend/core/model.h"
#include "tests/unit/tap.h"
#include "tests/bench/benchlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void
test_states(void)
{
	is_str(state_info(0)->name, "INSTALLED", "state 0 is INSTALLED");
	is_str(state_info(3)->name, "INSTALL_FAILED", "state 3 is INSTALL_FAILED");
	is_str(state_info(8)->name, "CONTENT_MONITORING", "state 8 is CONTENT_MONITORING");
	ok(!state_is_problem(0), "installed is not a problem");
	for (unsigned v = 1; v <= 6; v++)
		ok(state_is_problem(v), "state %u is a problem", v);
	ok(!state_is_problem(7) && !state_is_problem(8),
	    "states 7 and 8 are in progress, not failures");
	is_str(state_info(42)->name, "UNKNOWN", "unknown value gets the UNKNOWN entry");
	ok(state_is_problem(42), "an unknown value is shown as a problem");
	is_int(state_from_name("install_failed"), 3, "lookup by name, any case");
	is_int(state_from_name("2"), 2, "lookup by number");
	is_int(state_from_name("9"), -1, "out-of-range number");
	is_int(state_from_name("BROKEN"), -1, "unknown name");
	for (unsigned v = 0; v < STATE_COUNT; v++) {
		const struct state_info *i = state_info(v);
		ok(i->value == (int)v && i->glyph_ascii[0] != '\0' &&
		    i->glyph_ascii[1] == '\0' && (unsigned char)i->glyph_ascii[0] < 0x80,
		    "state %u has a one-character ASCII glyph", v);
	}
}

static void
test_snapshot(void)
{
	struct snapshot *s = snapshot_new();
	char *err = NULL;
	size_t a = snapshot_add_pkg(s, "00900001");
	size_t b = snapshot_add_pkg(s, "00900002");
	is_int(snapshot_add_pkg(s, "00900001"), a, "adding a package twice finds it");
	long d1 = snapshot_add_dp(s, "[\"Display=\\\\DP01\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\DP01\\", &err);
	long d2 = snapshot_add_dp(s, "[\"Display=\\\\dp02.contoso.com\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\dp02.contoso.com\\", &err);
	long d3 = snapshot_add_dp(s, "[\"Display=\\\\DP01\\pkgs$\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\DP01\\pkgs$\\", &err);
	ok(d1 == 0 && d2 == 1 && d3 == 2, "three distinct DPs (share DP is its own column)");
	is_str(s->dps[d3].name, "DP01\\pkgs$", "share DP column name");
	is_int(snapshot_find_dp(s, "DP02.CONTOSO.COM"), d2, "DP lookup ignores case");
	is_int(snapshot_add_dp(s, "garbage", &err), -1, "bad NAL path refused");
	ok(err != NULL, "with an error message");
	free(err);
	snapshot_add_cell(s, &(struct cell){ .pkg = (uint32_t)a, .dp = (uint32_t)d1, .state = 3 });
	snapshot_add_cell(s, &(struct cell){ .pkg = (uint32_t)a, .dp = (uint32_t)d2, .state = 0 });
	snapshot_add_cell(s, &(struct cell){ .pkg = (uint32_t)b, .dp = (uint32_t)d2, .state = 2 });
	snapshot_add_cell(s, &(struct cell){ .pkg = (uint32_t)b, .dp = (uint32_t)d2, .state = 0 });
	snapshot_index(s);
	ok(snapshot_cell(s, a, (size_t)d1)->state == 3, "the index finds a cell");
	ok(snapshot_cell(s, b, (size_t)d1) == NULL, "untargeted pair has no cell");
	ok(snapshot_cell(s, b, (size_t)d2)->state == 0, "a duplicate row keeps the later one");
	is_int(s->pkgs[a].problems, 1, "package problem count");
	is_int(s->pkgs[b].problems, 0, "duplicate counted once");
	is_int(s->dps[d1].problems, 1, "DP problem count");
	is_int(s->state_counts[0], 2, "two installed");
	is_int(s->state_counts[3], 1, "one failed");
	snapshot_free(s);
}

/* The index grows with the cells, not packages x DPs: 4,000 x 4,000 with
 * a cell per package (a dense int32 matrix would be 64 MB), and every
 * cell found where it was put, none where it was not. */
static void
test_sparse_index(void)
{
	enum { N = 4000 };
	struct snapshot *s = snapshot_new();
	char *err = NULL, id[16], nal[96];
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof id, "009%05X", i);
		snapshot_add_pkg(s, id);
		snprintf(nal, sizeof nal, "[\"Display=\\\\DP%d\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\DP%d\\", i, i);
		if (snapshot_add_dp(s, nal, &err) != i) {
			ok(0, "DP %d added: %s", i, err ? err : "");
			free(err);
			snapshot_free(s);
			return;
		}
	}
	for (int i = 0; i < N; i++)
		snapshot_add_cell(s, &(struct cell){ .pkg = (uint32_t)i,
		    .dp = (uint32_t)((i * 7) % N), .state = (uint8_t)(i % 4) });
	long before = bench_rss_kb();
	snapshot_index(s);
	long grew = bench_rss_kb() - before;
	ok(before > 0 && grew < 8 * 1024, "index of 4000 cells on 4000 x 4000: RSS grew %ld KB (< 8 MB)", grew);
	bool found = true;
	for (int i = 0; i < N && found; i++) {
		const struct cell *c = snapshot_cell(s, (size_t)i, (size_t)((i * 7) % N));
		found = c != NULL && c->pkg == (uint32_t)i && snapshot_cell(s, (size_t)i, (size_t)((i * 7 + 1) % N)) == NULL;
	}
	ok(found, "every cell found at its package and DP, none beside it");
	/* A package's rows out of DP order, one DP twice: sorted, the later kept. */
	static const uint32_t dps[] = { 90, 20, 50, 20, 3 };
	for (size_t i = 0; i < sizeof dps / sizeof dps[0]; i++)
		snapshot_add_cell(s, &(struct cell){ .pkg = 1, .dp = dps[i], .state = (uint8_t)i });
	snapshot_index(s);
	const struct cell *c20 = snapshot_cell(s, 1, 20), *c3 = snapshot_cell(s, 1, 3);
	ok(snapshot_cell(s, 1, 90) != NULL && snapshot_cell(s, 1, 50) != NULL && c3 != NULL &&
	    c3->state == 4 && c20 != NULL && c20->state == 3 && snapshot_cell(s, 1, 7) != NULL &&
	    snapshot_cell(s, 1, 21) == NULL,
	    "rows out of DP order are all found; of two for one DP the later is kept");
	size_t counted = 0;
	for (size_t k = 0; k <= STATE_COUNT; k++)
		counted += s->state_counts[k];
	is_int((long)counted, N + 4, "  a package that came back after others: each cell counted once");
	snapshot_free(s);
}

int
main(void)
{
	test_states();
	test_snapshot();
	test_sparse_index();
	return done_testing();
}
