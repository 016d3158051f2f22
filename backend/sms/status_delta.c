/*
 * Delta refresh state and merge (see status_delta.h).  The merge never
 * touches the snapshot on screen: it copies it, applies the delta to the
 * copy and indexes it, so the board swaps a whole snapshot as it always
 * did and never sees half a delta.  A cell row for a package the copy does
 * not know (targeted lately, its SourceDate older than the watermark) is
 * answered by reading that package alone in the same job.  What a delta
 * cannot say (a pair no longer targeted, a package deleted) stays as last
 * reported until the next full read, which replaces the snapshot whole.
 */
#include "autoconf.h"
#include "backend/sms/status_delta.h"
#include "backend/sms/status.h"

#include <stdlib.h>
#include <string.h>

static const char *const full_words[STATUS_FULL_WHY_COUNT] = {
#define X(e, w) [e] = w,
	STATUS_FULL_WHY_TABLE(X)
#undef X
};

void
status_delta_init(struct status_delta *d, unsigned full_every)
{
	*d = (struct status_delta){ .full_every = full_every, .want_full = true,
	    .why = STATUS_FULL_FIRST };
}

void
status_delta_ask_full(struct status_delta *d)
{
	if (d->want_full && d->why == STATUS_FULL_CLOCK)
		return; /* keep the better reason */
	d->want_full = true;
	d->why = d->last_now == 0 ? STATUS_FULL_FIRST : STATUS_FULL_ASKED;
}

struct status_plan
status_delta_plan(const struct status_delta *d)
{
	if (d->want_full || d->watermark <= 0)
		return (struct status_plan){ STATUS_READ_FULL,
		    d->want_full ? d->why : STATUS_FULL_FIRST, 0 };
	if (d->full_every <= 1)
		return (struct status_plan){ STATUS_READ_FULL, STATUS_FULL_ALWAYS, 0 };
	if (d->deltas + 1 >= d->full_every)
		return (struct status_plan){ STATUS_READ_FULL, STATUS_FULL_EVERY, 0 };
	dpd_time since = d->watermark - STATUS_DELTA_OVERLAP;
	return (struct status_plan){ STATUS_READ_DELTA, STATUS_FULL_FIRST,
	    since > 0 ? since : 1 };
}

bool
status_delta_commit(struct status_delta *d, const struct status_outcome *o)
{
	bool back = d->last_now != 0 && (o->now < d->last_now ||
	    (d->watermark > 0 && o->now < d->watermark));
	if (o->plan.kind == STATUS_READ_FULL) {
		d->deltas = 0;
		d->watermark = 0;
	} else {
		d->deltas++;
	}
	/* A date past the reply's own Now was written by a clock that was
	 * ahead: keep the mark at Now so what the site writes next is seen. */
	dpd_time mark = o->newest > d->watermark ? o->newest : d->watermark;
	d->watermark = o->now > 0 && mark > o->now ? o->now : mark;
	d->last_now = o->now;
	/* A full read answers an ask for one; a delta leaves an ask made
	 * while it ran (r during a refresh) standing. */
	if (o->plan.kind == STATUS_READ_FULL)
		d->want_full = false;
	if (back && o->plan.kind != STATUS_READ_FULL) {
		d->want_full = true;
		d->why = STATUS_FULL_CLOCK;
	}
	return back;
}

static dpd_time
newest_summary(const struct snapshot *s)
{
	dpd_time t = 0;
	for (size_t i = 0; i < s->ncells; i++)
		if (s->cells[i].summary_date > t)
			t = s->cells[i].summary_date;
	return t;
}

/* Whether the delta had the package's P row, not only cell rows naming it
 * (SMS numbers source versions from 1, and a P row has a SourceDate). */
static bool
has_row(const struct package *p)
{
	return p->source_version != 0 || p->source_date != 0 || p->name != NULL;
}

static char *
dup_or_null(const char *v)
{
	return v != NULL ? xstrdup(v) : NULL;
}

/* Copy package fields (not its index-bound counts) from src into dst. */
static void
package_copy(struct package *dst, const struct package *src)
{
	package_clear(dst);
	dst->name = dup_or_null(src->name);
	dst->manufacturer = dup_or_null(src->manufacturer);
	dst->version = dup_or_null(src->version);
	dst->language = dup_or_null(src->language);
	dst->source_path = dup_or_null(src->source_path);
	dst->stored_path = dup_or_null(src->stored_path);
	dst->source_version = src->source_version;
	dst->stored_version = src->stored_version;
	dst->source_date = src->source_date;
	memcpy(dst->source_site, src->source_site, sizeof dst->source_site);
}

/* The base copied whole: packages, DPs and cells keep their indexes. */
static struct snapshot *
snapshot_copy(const struct snapshot *b)
{
	struct snapshot *s = snapshot_new();
	memcpy(s->site_code, b->site_code, sizeof s->site_code);
	s->source = dup_or_null(b->source);
	s->taken = b->taken;
	for (size_t i = 0; i < b->npkgs; i++) {
		size_t k = snapshot_add_pkg(s, b->pkgs[i].id); /* may move pkgs */
		package_copy(&s->pkgs[k], &b->pkgs[i]);
	}
	for (size_t i = 0; i < b->ndps; i++) {
		long dp = snapshot_add_dp(s, b->dps[i].nal, NULL);
		if (dp < 0 || (size_t)dp != i)
			abort(); /* the base parsed it: cannot happen */
	}
	snapshot_add_cells(s, b->cells, b->ncells);
	for (size_t i = 0; i < b->nsites; i++)
		snapshot_add_site(s, &b->sites[i]);
	s->sites_error = dup_or_null(b->sites_error);
	return s;
}

/* The delta's cells in the copy's numbering; new packages and DPs added
 * (after the others, so the board's "new ones at the end" holds). */
static struct cell *
map_cells(struct snapshot *s, const struct snapshot *delta)
{
	struct cell *v = xreallocarray(NULL, delta->ncells + 1, sizeof *v);
	for (size_t i = 0; i < delta->ncells; i++) {
		v[i] = delta->cells[i];
		v[i].pkg = (uint32_t)snapshot_add_pkg(s, delta->pkgs[v[i].pkg].id);
		long dp = snapshot_add_dp(s, delta->dps[v[i].dp].nal, NULL);
		if (dp < 0)
			abort(); /* the delta parsed it: cannot happen */
		v[i].dp = (uint32_t)dp;
	}
	return v;
}

struct snapshot *
status_delta_merge(const struct snapshot *base, const struct snapshot *delta)
{
	struct snapshot *s = snapshot_copy(base);
	for (size_t i = 0; i < delta->npkgs; i++) {
		const struct package *p = &delta->pkgs[i];
		/* A cell row alone makes an empty package in the delta: only a
		 * P row says what the package is. */
		if (!has_row(p) && snapshot_find_pkg(s, p->id) >= 0)
			continue;
		size_t k = snapshot_add_pkg(s, p->id); /* may move pkgs */
		package_copy(&s->pkgs[k], p);
	}
	struct cell *v = map_cells(s, delta);
	/* The copy's cells sit where base's do, so base's index finds the old
	 * ones; a cell new to the site is added. */
	size_t added = 0;
	for (size_t i = 0; i < delta->ncells; i++) {
		const struct cell *old = snapshot_cell(base, v[i].pkg, v[i].dp);
		if (old != NULL)
			s->cells[old - base->cells] = v[i];
		else {
			snapshot_add_cell(s, &v[i]);
			added++;
		}
	}
	/* Without new packages, DPs or cells, base's index holds: moving its
	 * counts by the delta's cells costs what the delta does, where
	 * snapshot_index walks every cell. */
	bool moved = added == 0 && snapshot_index_from(s, base);
	/* Each changed cell once, at its final value (a reply naming a pair
	 * twice keeps the later row, as snapshot_index does). */
	uint8_t *seen = moved ? xcalloc(s->ncells / 8 + 1, 1) : NULL;
	for (size_t i = 0; moved && i < delta->ncells; i++) {
		const struct cell *old = snapshot_cell(base, v[i].pkg, v[i].dp);
		size_t at = (size_t)(old - base->cells);
		if (seen[at / 8] & (1u << (at % 8)))
			continue;
		seen[at / 8] |= (uint8_t)(1u << (at % 8));
		snapshot_count_cell(s, old, -1);
		snapshot_count_cell(s, &s->cells[at], +1);
	}
	free(seen);
	free(v);
	if (delta->taken != 0)
		s->taken = delta->taken;
	if (!moved)
		snapshot_index(s);
	return s;
}

/* Packages the delta names in cell rows only, unknown to base: read each
 * alone and fold its rows into the delta. */
static int
fetch_unknown(struct snapshot *delta, const struct snapshot *base, struct transport *t,
    const char *site, const char *provider, const struct deadline *dl, size_t *n,
    char **err)
{
	size_t npkgs = delta->npkgs;
	for (size_t i = 0; i < npkgs; i++) {
		const struct package *p = &delta->pkgs[i];
		if (has_row(p) || snapshot_find_pkg(base, p->id) >= 0)
			continue;
		char id[9];
		memcpy(id, p->id, sizeof id);
		struct snapshot *one = status_fetch_package(t, site, provider, id, dl, err);
		if (one == NULL)
			return -1;
		long k = snapshot_find_pkg(one, id);
		if (k >= 0) {
			size_t at = snapshot_add_pkg(delta, id);
			package_copy(&delta->pkgs[at], &one->pkgs[k]);
		}
		snapshot_free(one);
		(*n)++;
	}
	return 0;
}

int
status_delta_read(const struct status_plan *plan, const struct snapshot *base,
    struct transport *t, const char *site, const char *provider,
    const struct deadline *dl, struct status_outcome *out, char **err)
{
	*out = (struct status_outcome){ .plan = *plan };
	if (plan->kind == STATUS_READ_FULL || base == NULL) {
		out->plan.kind = STATUS_READ_FULL;
		out->snap = status_fetch(t, site, provider, dl, err);
		if (out->snap == NULL)
			return -1;
		out->changed = out->snap->ncells;
		out->newest = newest_summary(out->snap);
		out->now = out->snap->taken;
		return 0;
	}
	struct snapshot *delta = status_fetch_since(t, site, provider, plan->since, dl, err);
	if (delta == NULL)
		return -1;
	if (fetch_unknown(delta, base, t, site, provider, dl, &out->fetched, err) != 0) {
		snapshot_free(delta);
		return -1;
	}
	out->changed = delta->ncells;
	out->newest = newest_summary(delta);
	out->now = delta->taken;
	out->snap = status_delta_merge(base, delta);
	snapshot_free(delta);
	return 0;
}

char *
status_delta_words(const struct status_outcome *o, bool clock_back)
{
	if (clock_back)
		return xstrdup(full_words[STATUS_FULL_CLOCK]);
	if (o->plan.kind == STATUS_READ_FULL)
		return xstrdup(full_words[o->plan.why]);
	return xasprintf("\u0394 %zu changed", o->changed);
}
