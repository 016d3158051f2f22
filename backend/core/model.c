/*
 * The state table and snapshots.  Lookups by package ID and DP server go
 * through small open-addressing hash tables so that loading a large site
 * (5,000 packages x 500 DPs) stays linear.  Cells are found by package
 * through a sparse index (each package's cells in DP order, binary-searched
 * while drawing; built by a two-pass radix sort, DP then package, that
 * reads its keys in order): a dense package x DP matrix would be 40 MB on the huge
 * site (10,000 x 1,000) for 1.2 million cells, the sparse one 5 MB.
 */
#include "autoconf.h"
#include "backend/core/model.h"
#include "backend/core/nal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct state_info states[] = {
#define X(v, e, name, label, u, a, role, prob, meaning) \
	{ v, name, label, u, a, role, prob, meaning },
	STATE_TABLE(X)
#undef X
};

static const struct state_info state_unknown = {
	-1, "UNKNOWN", "unknown", "?", "?", ROLE_UNKNOWN, true,
	"SMS reported a state value dpdoctor does not know.",
};

const struct state_info *
state_info(unsigned value)
{
	return value < STATE_COUNT ? &states[value] : &state_unknown;
}

int
state_from_name(const char *name)
{
	char *end;
	long v = strtol(name, &end, 10);
	if (*name != '\0' && *end == '\0')
		return (v >= 0 && v < STATE_COUNT) ? (int)v : -1;
	for (int i = 0; i < STATE_COUNT; i++)
		if (strcasecmp(states[i].name, name) == 0 ||
		    strcasecmp(states[i].label, name) == 0)
			return i;
	return -1;
}

bool
state_is_problem(unsigned value)
{
	return state_info(value)->problem;
}

/* String -> index hash (open addressing, keys borrowed from the arrays). */
struct strmap {
	uint32_t *slots;  /* index + 1; 0 = empty */
	size_t cap;
	size_t n;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	/* ASCII case fold inline: this runs for every row of a reply. */
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		h = (h ^ (c >= 'a' && c <= 'z' ? c - 32 : c)) * 1099511628211ULL;
	}
	return h;
}

struct snapshot_priv {
	struct snapshot pub;
	struct strmap pkgmap;
	struct strmap dpmap;
	struct strmap nalmap;     /* exact NAL text -> DP, skips re-parsing */
	size_t capcells, cappkgs, capdps;
	/* snapshot_index(): package p's cells are row_cell[row_start[p] ..
	 * row_start[p + 1]), by DP, one per DP (the later of duplicates). */
	uint32_t *row_start;
	uint32_t *row_cell;
};

static struct snapshot_priv *
priv(const struct snapshot *s)
{
	return (struct snapshot_priv *)s;
}

typedef const char *(*key_fn)(const struct snapshot *s, uint32_t i);

static const char *
pkg_key(const struct snapshot *s, uint32_t i)
{
	return s->pkgs[i].id;
}

static const char *
dp_key(const struct snapshot *s, uint32_t i)
{
	return s->dps[i].name;
}

static const char *
nal_key(const struct snapshot *s, uint32_t i)
{
	return s->dps[i].nal;
}

static long
strmap_find(const struct strmap *m, const struct snapshot *s, key_fn key,
    const char *k)
{
	if (m->cap == 0)
		return -1;
	for (size_t i = hash_str(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->slots[i] == 0)
			return -1;
		if (strcasecmp(key(s, m->slots[i] - 1), k) == 0)
			return (long)m->slots[i] - 1;
	}
}

static void strmap_put(struct strmap *m, const struct snapshot *s, key_fn key,
    uint32_t idx);

static void
strmap_grow(struct strmap *m, const struct snapshot *s, key_fn key)
{
	struct strmap old = *m;
	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = xcalloc(m->cap, sizeof *m->slots);
	m->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i] != 0)
			strmap_put(m, s, key, old.slots[i] - 1);
	free(old.slots);
}

static void
strmap_put(struct strmap *m, const struct snapshot *s, key_fn key, uint32_t idx)
{
	if ((m->n + 1) * 2 > m->cap)
		strmap_grow(m, s, key);
	size_t i = hash_str(key(s, idx)) & (m->cap - 1);
	while (m->slots[i] != 0)
		i = (i + 1) & (m->cap - 1);
	m->slots[i] = idx + 1;
	m->n++;
}

void
package_clear(struct package *p)
{
	free(p->name);
	free(p->manufacturer);
	free(p->version);
	free(p->language);
	free(p->source_path);
	free(p->stored_path);
	p->name = p->manufacturer = p->version = p->language = NULL;
	p->source_path = p->stored_path = NULL;
}

struct snapshot *
snapshot_new(void)
{
	struct snapshot_priv *p = xcalloc(1, sizeof *p);
	return &p->pub;
}

void
snapshot_free(struct snapshot *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->npkgs; i++)
		package_clear(&s->pkgs[i]);
	for (size_t i = 0; i < s->ndps; i++) {
		free(s->dps[i].nal);
		free(s->dps[i].name);
		free(s->dps[i].server);
		free(s->dps[i].share);
	}
	for (size_t i = 0; i < s->nsites; i++) {
		free(s->sites[i].name);
		free(s->sites[i].server);
		free(s->sites[i].install_dir);
	}
	free(s->sites);
	free(s->sites_error);
	free(s->pkgs);
	free(s->dps);
	free(s->cells);
	free(priv(s)->row_start);
	free(priv(s)->row_cell);
	free(s->source);
	free(priv(s)->pkgmap.slots);
	free(priv(s)->dpmap.slots);
	free(priv(s)->nalmap.slots);
	free(priv(s));
}

long
snapshot_find_pkg(const struct snapshot *s, const char *id)
{
	return strmap_find(&priv(s)->pkgmap, s, pkg_key, id);
}

size_t
snapshot_add_pkg(struct snapshot *s, const char *id)
{
	long found = snapshot_find_pkg(s, id);
	if (found >= 0)
		return (size_t)found;
	struct snapshot_priv *p = priv(s);
	if (s->npkgs == p->cappkgs) {
		p->cappkgs = p->cappkgs ? p->cappkgs * 2 : 64;
		s->pkgs = xreallocarray(s->pkgs, p->cappkgs, sizeof *s->pkgs);
	}
	struct package *pkg = &s->pkgs[s->npkgs];
	memset(pkg, 0, sizeof *pkg);
	snprintf(pkg->id, sizeof pkg->id, "%s", id);
	strmap_put(&p->pkgmap, s, pkg_key, (uint32_t)s->npkgs);
	return s->npkgs++;
}

long
snapshot_find_dp(const struct snapshot *s, const char *name)
{
	return strmap_find(&priv(s)->dpmap, s, dp_key, name);
}

long
snapshot_add_dp(struct snapshot *s, const char *nal_text, char **err)
{
	/* Every row of a status reply names its DP by NAL path: the same few
	 * hundred strings, hundreds of thousands of times. */
	long known = strmap_find(&priv(s)->nalmap, s, nal_key, nal_text);
	if (known >= 0 && strcmp(s->dps[known].nal, nal_text) == 0)
		return known;
	struct nal n;
	if (nal_parse(nal_text, &n, err) != 0)
		return -1;
	/* Share-type DPs on one server are distinct columns. */
	char *key = n.share ? xasprintf("%s\\%s", n.server, n.share) : xstrdup(n.server);
	long found = snapshot_find_dp(s, key);
	if (found >= 0) {
		free(key);
		nal_free(&n);
		return found;
	}
	struct snapshot_priv *p = priv(s);
	if (s->ndps == p->capdps) {
		p->capdps = p->capdps ? p->capdps * 2 : 16;
		s->dps = xreallocarray(s->dps, p->capdps, sizeof *s->dps);
	}
	struct dp *dp = &s->dps[s->ndps];
	memset(dp, 0, sizeof *dp);
	dp->nal = xstrdup(nal_text);
	dp->name = key;
	dp->server = xstrdup(n.server);
	dp->share = n.share ? xstrdup(n.share) : NULL;
	memcpy(dp->site_code, n.site, sizeof dp->site_code);
	nal_free(&n);
	strmap_put(&p->dpmap, s, dp_key, (uint32_t)s->ndps);
	strmap_put(&p->nalmap, s, nal_key, (uint32_t)s->ndps);
	return (long)s->ndps++;
}

void
snapshot_add_cell(struct snapshot *s, const struct cell *c)
{
	struct snapshot_priv *p = priv(s);
	if (s->ncells == p->capcells) {
		p->capcells = p->capcells ? p->capcells * 2 : 256;
		s->cells = xreallocarray(s->cells, p->capcells, sizeof *s->cells);
	}
	s->cells[s->ncells++] = *c;
}

void
snapshot_count_cell(struct snapshot *s, const struct cell *c, int sign)
{
	s->state_counts[c->state < STATE_COUNT ? c->state : STATE_COUNT] += (size_t)sign;
	if (state_is_problem(c->state)) {
		s->pkgs[c->pkg].problems += (uint32_t)sign;
		s->dps[c->dp].problems += (uint32_t)sign;
	}
}

/* Counts to first slots: count[k + 1] holds key k's count on entry,
 * count[k] key k's first slot on return. */
static void
index_prefix(uint32_t *count, size_t nkeys)
{
	count[0] = 0;
	for (size_t k = 0; k < nkeys; k++)
		count[k + 1] += count[k];
}

/* No cell indexed or counted yet. */
static void
index_reset(struct snapshot *s, struct snapshot_priv *p)
{
	memset(p->row_start, 0, (s->npkgs + 1) * sizeof *p->row_start);
	memset(s->state_counts, 0, sizeof s->state_counts);
	for (size_t i = 0; i < s->npkgs; i++)
		s->pkgs[i].problems = 0;
	for (size_t i = 0; i < s->ndps; i++)
		s->dps[i].problems = 0;
}

/* The index of a snapshot whose cells come package by package, as a
 * reply's rows do, built in one pass: each package's cells are put in DP
 * order through a bitmap of its DPs (the later of two rows for one pair
 * kept) and counted as they go, with no sort's scattered writes over the
 * whole array.  false when a package comes back after another (its
 * counts half made: the caller resets them and sorts). */
static bool
index_by_package(struct snapshot *s, struct snapshot_priv *p)
{
	size_t n = s->ncells, words = s->ndps / 64 + 1, m = 0;
	uint32_t *out = xreallocarray(NULL, n + 1, sizeof *out);
	uint64_t *bits = xcalloc(words, sizeof *bits);
	uint32_t *slot = xreallocarray(NULL, s->ndps + 1, sizeof *slot);
	bool ordered = true;
	for (size_t k = 0; k < n && ordered; ) {
		uint32_t pkg = s->cells[k].pkg;
		for (; k < n && s->cells[k].pkg == pkg; k++) {
			uint32_t dp = s->cells[k].dp;
			bits[dp / 64] |= (uint64_t)1 << (dp % 64);
			slot[dp] = (uint32_t)k;
		}
		size_t m0 = m;
		for (size_t w = 0; w < words; w++)
			for (; bits[w] != 0; bits[w] &= bits[w] - 1) {
				uint32_t at = slot[w * 64 + (size_t)__builtin_ctzll(bits[w])];
				out[m++] = at;
				snapshot_count_cell(s, &s->cells[at], +1);
			}
		p->row_start[pkg + 1] = (uint32_t)(m - m0);
		ordered = k >= n || s->cells[k].pkg > pkg;
	}
	free(bits);
	free(slot);
	if (!ordered) {
		free(out);
		return false;
	}
	for (size_t k = 0; k < s->npkgs; k++)
		p->row_start[k + 1] += p->row_start[k];
	p->row_cell = xreallocarray(out, m + 1, sizeof *out);
	return true;
}

/* The cells ordered by (package, DP, row): a radix sort, by DP then by
 * package, both passes reading their keys in order (the second from a
 * copy of each cell's package made by the first, not from the cells). */
static uint32_t *
index_order(const struct snapshot *s)
{
	size_t n = s->ncells, nk = (s->npkgs > s->ndps ? s->npkgs : s->ndps) + 2;
	uint32_t *out = xreallocarray(NULL, n + 1, sizeof *out);
	uint32_t *count = xcalloc(nk, sizeof *count);
	uint32_t *by_dp = xreallocarray(NULL, n + 1, sizeof *by_dp);
	uint32_t *pkg_of = xreallocarray(NULL, n + 1, sizeof *pkg_of);
	for (size_t i = 0; i < n; i++)
		count[s->cells[i].dp + 1]++;
	index_prefix(count, s->ndps);
	for (size_t i = 0; i < n; i++) {
		uint32_t at = count[s->cells[i].dp]++;
		by_dp[at] = (uint32_t)i;
		pkg_of[at] = s->cells[i].pkg;
	}
	memset(count, 0, nk * sizeof *count);
	for (size_t i = 0; i < n; i++)
		count[pkg_of[i] + 1]++;
	index_prefix(count, s->npkgs);
	for (size_t i = 0; i < n; i++)
		out[count[pkg_of[i]]++] = by_dp[i];
	free(count);
	free(by_dp);
	free(pkg_of);
	return out;
}

void
snapshot_add_cells(struct snapshot *s, const struct cell *c, size_t n)
{
	struct snapshot_priv *p = priv(s);
	if (s->ncells + n > p->capcells) {
		p->capcells = s->ncells + n;
		s->cells = xreallocarray(s->cells, p->capcells, sizeof *s->cells);
	}
	if (n > 0)
		memcpy(s->cells + s->ncells, c, n * sizeof *c);
	s->ncells += n;
}

void
snapshot_index(struct snapshot *s)
{
	struct snapshot_priv *p = priv(s);
	free(p->row_start);
	free(p->row_cell);
	p->row_cell = NULL;
	p->row_start = xreallocarray(NULL, s->npkgs + 1, sizeof *p->row_start);
	index_reset(s, p);
	if (index_by_package(s, p))
		return;
	index_reset(s, p); /* what the pass that gave up counted */
	size_t n = s->ncells;
	uint32_t *cells = index_order(s);
	/* Keep the last of each run of one (package, DP): the later row. */
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		const struct cell *c = &s->cells[cells[i]];
		if (i + 1 < n && s->cells[cells[i + 1]].pkg == c->pkg &&
		    s->cells[cells[i + 1]].dp == c->dp)
			continue;
		cells[m++] = cells[i];
		p->row_start[c->pkg + 1]++;
		snapshot_count_cell(s, c, +1);
	}
	for (size_t k = 0; k < s->npkgs; k++)
		p->row_start[k + 1] += p->row_start[k];
	p->row_cell = xreallocarray(cells, m + 1, sizeof *cells);
}

bool
snapshot_index_from(struct snapshot *s, const struct snapshot *base)
{
	const struct snapshot_priv *b = priv(base);
	struct snapshot_priv *p = priv(s);
	if (s->npkgs != base->npkgs || s->ndps != base->ndps || s->ncells != base->ncells ||
	    b->row_start == NULL)
		return false;
	size_t m = b->row_start[base->npkgs];
	free(p->row_start);
	free(p->row_cell);
	p->row_start = xreallocarray(NULL, s->npkgs + 1, sizeof *p->row_start);
	memcpy(p->row_start, b->row_start, (s->npkgs + 1) * sizeof *p->row_start);
	p->row_cell = xreallocarray(NULL, m + 1, sizeof *p->row_cell);
	memcpy(p->row_cell, b->row_cell, m * sizeof *p->row_cell);
	memcpy(s->state_counts, base->state_counts, sizeof s->state_counts);
	for (size_t i = 0; i < s->npkgs; i++)
		s->pkgs[i].problems = base->pkgs[i].problems;
	for (size_t i = 0; i < s->ndps; i++)
		s->dps[i].problems = base->dps[i].problems;
	return true;
}

const struct cell *
snapshot_cell(const struct snapshot *s, size_t pkg, size_t dp)
{
	const struct snapshot_priv *p = priv(s);
	if (pkg >= s->npkgs || dp >= s->ndps || p->row_start == NULL)
		return NULL;
	size_t lo = p->row_start[pkg], hi = p->row_start[pkg + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct cell *c = &s->cells[p->row_cell[mid]];
		if (c->dp == dp)
			return c;
		if (c->dp < dp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- sites and what a DP is to a package ------------------------------------ */

static const struct {
	const char *name;
	const char *words;
} dp_kinds[] = {
#define X(e, n, w) [e] = { n, w },
	DP_KIND_TABLE(X)
#undef X
};

const char *
dp_kind_name(enum dp_kind k)
{
	return (unsigned)k < DPK_COUNT ? dp_kinds[k].name : "?";
}

const char *
dp_kind_words(enum dp_kind k)
{
	return (unsigned)k < DPK_COUNT ? dp_kinds[k].words : "?";
}

static char *
dup_or_null_str(const char *v)
{
	return v != NULL ? xstrdup(v) : NULL;
}

void
snapshot_add_site(struct snapshot *s, const struct site_info *si)
{
	struct site_info *to = (struct site_info *)snapshot_site(s, si->code);
	if (to != NULL) {
		free(to->name);
		free(to->server);
		free(to->install_dir);
	} else {
		s->sites = xreallocarray(s->sites, s->nsites + 1, sizeof *s->sites);
		to = &s->sites[s->nsites++];
	}
	*to = *si;
	to->name = dup_or_null_str(si->name);
	to->server = dup_or_null_str(si->server);
	to->install_dir = dup_or_null_str(si->install_dir);
}

const struct site_info *
snapshot_site(const struct snapshot *s, const char *code)
{
	for (size_t i = 0; code != NULL && i < s->nsites; i++)
		if (strcasecmp(s->sites[i].code, code) == 0)
			return &s->sites[i];
	return NULL;
}

enum dp_kind
snapshot_dp_kind(const struct snapshot *s, size_t pkg, size_t dp)
{
	if (pkg >= s->npkgs || dp >= s->ndps)
		return DPK_UNKNOWN;
	const struct package *p = &s->pkgs[pkg];
	const struct dp *d = &s->dps[dp];
	const char *own = p->source_site[0] ? p->source_site : s->site_code;
	if (d->site_code[0] == '\0')
		return DPK_UNKNOWN;
	if (strcasecmp(d->site_code, own) == 0)
		return DPK_OWN_SITE;
	const struct site_info *si = snapshot_site(s, d->site_code);
	if (si == NULL || si->server == NULL)
		return DPK_UNKNOWN;
	return strcasecmp(si->server, d->server) == 0 ? DPK_CHILD_SERVER : DPK_CHILD_DP;
}

const char *
snapshot_sms_server(const struct snapshot *s, size_t dp)
{
	if (dp >= s->ndps)
		return NULL;
	const struct site_info *si = snapshot_site(s, s->dps[dp].site_code);
	return si != NULL ? si->server : NULL;
}
