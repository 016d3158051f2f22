/*
 * The simulated provider's answer to a delta status read (`since`): the
 * very rows a full read would give whose SummaryDate is `since` or later,
 * found at a cost proportional to the stored cells and the packages, never
 * by visiting every package/DP pair.  This is honest because of how simdb
 * keeps cells: a pair is either stored (an exception, with its own dates,
 * and every change the site makes to a pair stores it first:
 * update_targets, repush, the events) or a default computed from the
 * package (installed, SummaryDate = SourceDate + a per-pair delay of at
 * most DEFAULT_DELAY_MAX, simdb_default_copied).  So a default pair can be
 * new only when its package's SourceDate is within that delay of `since`,
 * and those packages' targets are walked; the stored cells are scanned.
 * SQL Server on a real provider would use an index on SummaryDate; this
 * bound plays its part.
 */
#include "autoconf.h"
#include "backend/sim/simint.h"

#include <stdlib.h>

/* simdb_default_copied's longest delay: 600 + 6599 s for a remote DP. */
#define DEFAULT_DELAY_MAX 7200

static void
pair_push(struct sim_pair **v, size_t *n, size_t *cap, uint32_t pkg, uint32_t srv)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = (struct sim_pair){ pkg, srv };
}

static int
pair_cmp(const void *a, const void *b)
{
	const struct sim_pair *x = a, *y = b;
	if (x->pkg != y->pkg)
		return x->pkg < y->pkg ? -1 : 1;
	return x->srv < y->srv ? -1 : x->srv > y->srv;
}

/* Default (unstored) targets of package p whose computed date is new. */
static void
default_pairs(struct sim_site *s, uint32_t p, dpd_time since,
    struct sim_pair **v, size_t *n, size_t *cap)
{
	for (size_t w = 0; w < s->words; w++) {
		uint64_t bits = s->pkg[p].targets[w];
		while (bits != 0) {
			uint32_t srv = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(bits));
			bits &= bits - 1;
			if (srv >= s->nsrv || simdb_cell(s, p, srv) != NULL)
				continue;
			if (simdb_default_copied(s, p, srv) >= since)
				pair_push(v, n, cap, p, srv);
		}
	}
}

size_t
simdelta_pairs(struct sim_site *s, uint32_t from, uint32_t to, dpd_time since,
    struct sim_pair **out)
{
	struct sim_pair *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < s->ncell; i++) {
		const struct sim_cell *c = &s->cell[i];
		if (c->pkg >= from && c->pkg < to && c->summary_date >= since &&
		    simdb_target(s, c->pkg, c->srv))
			pair_push(&v, &n, &cap, c->pkg, c->srv);
	}
	for (uint32_t p = from; p < to; p++)
		if (s->pkg[p].source_date + DEFAULT_DELAY_MAX >= since)
			default_pairs(s, p, since, &v, &n, &cap);
	/* The order of a full read: by package, then by server. */
	if (n > 1)
		qsort(v, n, sizeof *v, pair_cmp);
	*out = v;
	return n;
}

bool
simdelta_pkg_new(const struct sim_site *s, uint32_t pkg, dpd_time since)
{
	return since == 0 || s->pkg[pkg].source_date >= since;
}
