/*
 * Scenarios: a whole SMS 2003 site made from a name and a seed.  Building
 * goes in two phases.  First we decide, with one seeded generator, which
 * packages go where and which package/DP pairs fail and how (package-wide
 * faults first, then share permissions on a DP or two, then single cells);
 * then we write what each decision means on the servers' disks (INCOMING
 * files, old or missing PCKs, stale .PKG files, first-level folders) and
 * let the event engine run the last twenty hours so the logs have a past.
 * Quotas and sizes are a table per scenario (scenspec.c).
 */
#include "autoconf.h"
#include "backend/sim/catalogue.h"
#include "backend/sim/scenspec.h"
#include "backend/sim/simint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const dpd_time scenario_start = 1167901200;       /* 2007-01-04T09:00:00Z */
#define HISTORY (20 * 3600)                       /* logs before the start */
#define FIRST_PKG_CREATED 1136764800              /* 2006-01-09 */
#define LAST_PKG_CREATED 1166572800               /* 2006-12-20 */
#define DAY 86400

struct gen {
	const struct scenario_spec *sp;
	struct sim_site *s;
	struct sim_rng r;
	dpd_time hist;            /* where the simulated past begins */
	uint8_t *pkgmode;         /* package-wide failure mode, per package */
	uint32_t *order;          /* scratch: a shuffled index list */
};

static void
shuffle(struct gen *g, uint32_t *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		v[i] = i;
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = rng_below(&g->r, i), t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* ---- servers ------------------------------------------------------------ */

static void
server_common(struct gen *g, struct sim_server *v)
{
	static const uint32_t cycles[] = { 1200, 1800, 2700, 3600 };
	v->pid = 4 * rng_range(&g->r, 300, 1700);
	for (int t = 0; t < SIM_THREADS; t++)
		v->threads[t] = 4 * rng_range(&g->r, 200, 1300);
	v->cycle = cycles[rng_below(&g->r, 4)];
	v->phase = rng_below(&g->r, v->cycle);
}

/* A child site's code from its server's city: the first letter and the next
 * consonants (LEEDS -> LDS), else letters and digits until it is unused. */
static void
site_code_for(const struct sim_site *s, const char *city, char out[static 4])
{
	size_t n = 1;
	out[0] = city[0];
	for (const char *c = city + 1; *c && n < 3; c++)
		if (strchr("AEIOU", *c) == NULL)
			out[n++] = *c;
	while (n < 3)
		out[n++] = 'X';
	out[3] = '\0';
	static const char alt[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	for (size_t k = 0, tries = 0; tries < 36 * 36 + 1; tries++) {
		bool used = strcmp(out, s->site_code) == 0;
		for (size_t i = 0; i < s->nsrv && !used; i++)
			used = strcmp(s->srv[i].site, out) == 0;
		if (!used)
			return;
		out[1] = alt[k / 36 % 36];
		out[2] = alt[k % 36];
		k++;
	}
}

static char
drive_pick(struct gen *g)
{
	static const char drives[] = "DEF";
	return drives[rng_below(&g->r, 3)];
}

/* DP i's place in the hierarchy: own-site plain DP, child site server, or
 * plain DP of the child site opened last. */
static void
server_place(struct gen *g, uint32_t i, const char *city, struct sim_server *v,
    uint32_t *site_no, uint32_t *left)
{
	const struct scenario_spec *sp = g->sp;
	struct sim_site *s = g->s;
	if (i < sp->own_dps) {
		memcpy(v->site, s->site_code, 4);
		v->share_drive = drive_pick(g);
		return;
	}
	v->share_drive = drive_pick(g);
	if (*left > 0) {
		(*left)--;
		memcpy(v->site, s->srv[s->nsrv - 1].site, 4); /* the site just opened */
		return;
	}
	v->role |= SIM_ROLE_SITESRV;
	v->sms_drive = drive_pick(g);
	site_code_for(s, city, v->site);
	*left = sp->site_every && *site_no % sp->site_every == 0 ? sp->site_dps : 0;
	(*site_no)++;
}

static void
gen_servers(struct gen *g)
{
	struct sim_site *s = g->s;
	struct sim_server v = { .role = SIM_ROLE_PRIMARY | SIM_ROLE_DP,
	    .zone = (uint8_t)simclock_zone_find("GMT Standard Time"), .region = CAT_UK,
	    .sms_drive = 'E', .share_drive = 'E' };
	char *name = xasprintf("SMS%sPRI", s->site_code);
	v.name = name;
	memcpy(v.site, s->site_code, 4);
	server_common(g, &v);
	simdb_add_server(s, &v);
	free(name);
	s->primary = 0;
	uint32_t site_no = 0, left = 0;
	for (uint32_t i = 0; i < g->sp->ndps; i++) {
		size_t k = (size_t)i * g->sp->city_stride;
		const struct cat_city *c = &cat_cities[k % cat_ncities];
		name = xasprintf("%sDP%02zu", c->name, k / cat_ncities + 1);
		v = (struct sim_server){ .name = name, .role = SIM_ROLE_DP,
		    .zone = (uint8_t)simclock_zone_find(c->zone), .region = c->region };
		server_place(g, i, c->name, &v, &site_no, &left);
		server_common(g, &v);
		simdb_add_server(s, &v);
		free(name);
	}
	simdb_set_words(s);
}

/* ---- packages ----------------------------------------------------------- */

static void
targets_regional(struct gen *g, uint32_t pkg)
{
	struct sim_site *s = g->s;
	unsigned want = 1u << rng_below(&g->r, CAT_REGIONS);
	if (rng_below(&g->r, 3) == 0)
		want |= 1u << rng_below(&g->r, CAT_REGIONS);
	uint32_t n = 0;
	for (uint32_t i = 1; i < s->nsrv; i++)
		if ((want >> s->srv[i].region) & 1 && rng_below(&g->r, 100) < 85) {
			simdb_target_set(s, pkg, i, true);
			n++;
		}
	if (n == 0)
		simdb_target_set(s, pkg, 1 + rng_below(&g->r, (uint32_t)s->nsrv - 1), true);
}

static void
targets_subset(struct gen *g, uint32_t pkg)
{
	struct sim_site *s = g->s;
	uint32_t ndp = (uint32_t)s->nsrv - 1;
	uint32_t k = rng_range(&g->r, g->sp->subset_min, g->sp->subset_max);
	if (k > ndp)
		k = ndp;
	/* A partial Fisher-Yates over the remote DPs (1..nsrv-1). */
	for (uint32_t i = 0; i < ndp; i++)
		g->order[i] = i + 1;
	for (uint32_t i = 0; i < k; i++) {
		uint32_t j = i + rng_below(&g->r, ndp - i), t = g->order[i];
		g->order[i] = g->order[j];
		g->order[j] = t;
		simdb_target_set(s, pkg, g->order[i], true);
	}
}

static void
gen_targets(struct gen *g, uint32_t pkg)
{
	struct sim_site *s = g->s;
	s->pkg[pkg].targets = xcalloc(s->words, sizeof *s->pkg[pkg].targets);
	simdb_target_set(s, pkg, s->primary, true);
	if (rng_below(&g->r, 100) < g->sp->sitewide_pct) {
		for (uint32_t i = 0; i < s->nsrv; i++)
			simdb_target_set(s, pkg, i, true);
	} else if (g->sp->regional || s->nsrv < 3) {
		targets_regional(g, pkg);
	} else {
		targets_subset(g, pkg);
	}
}

static uint32_t
gen_source_version(struct gen *g)
{
	uint32_t x = rng_below(&g->r, 100);
	return x < 40 ? 1 : x < 65 ? 2 : x < 80 ? 3 : rng_range(&g->r, 4, 8);
}

/* Names, language and source folder: product i of the catalogue, then its
 * language builds, then departmental variants of those at a large site. */
static void
gen_identity(struct gen *g, struct sim_pkg *p, uint32_t i)
{
	const struct cat_entry *e = &cat_entries[i % cat_nentries];
	size_t v = i / cat_nentries;
	const struct cat_language *lang = v == 0 ? NULL :
	    &cat_languages[(v - 1) % cat_nlanguages];
	size_t variant = v == 0 ? 0 : (v - 1) / cat_nlanguages;
	p->manufacturer = xstrdup(e->manufacturer);
	p->version = xstrdup(e->version);
	p->language = xstrdup(lang ? lang->name : "English");
	struct buf src;
	buf_init(&src);
	buf_printf(&src, "\\\\%s\\Packages\\%s", g->s->filesrv, e->dir);
	/* Siblings, never nested: one package's folder must not exist just
	 * because another package's source lives inside it. */
	if (lang)
		buf_printf(&src, "_%s", lang->code);
	if (variant == 0) {
		p->name = xstrdup(e->name);
	} else if (variant <= cat_nvariants) {
		const char *dept = cat_variants[variant - 1];
		p->name = xasprintf("%s - %s", e->name, dept);
		buf_printf(&src, "_%.*s", (int)strcspn(dept, " "), dept);
	} else {
		p->name = xasprintf("%s (build %zu)", e->name, variant);
		buf_printf(&src, "_Build%zu", variant);
	}
	p->source_path = buf_detach(&src);
	p->size = (uint64_t)rng_range(&g->r, e->mb_lo, e->mb_hi) * 1048576 +
	    rng_below(&g->r, 1048576);
}

static void
gen_packages(struct gen *g)
{
	struct sim_site *s = g->s;
	uint32_t n = g->sp->npkgs, next = 0x0000A;
	s->pkg = xcalloc(n, sizeof *s->pkg);
	s->npkg = n;
	dpd_time span = LAST_PKG_CREATED - FIRST_PKG_CREATED;
	for (uint32_t i = 0; i < n; i++) {
		struct sim_pkg *p = &s->pkg[i];
		next += rng_below(&g->r, 12) == 0 ? 2 : 1; /* deleted packages leave gaps */
		snprintf(p->id, sizeof p->id, "%s%05X", s->site_code, next & 0xFFFFF);
		gen_identity(g, p, i);
		memcpy(p->source_site, s->site_code, 4);
		p->source_version = p->stored_version = gen_source_version(g);
		dpd_time created = FIRST_PKG_CREATED + span * i / n;
		dpd_time latest = g->hist - 3 * DAY;
		p->source_date = p->source_version == 1 ? created :
		    created + (dpd_time)rng_below(&g->r, (uint32_t)(latest - created));
		p->source_date += rng_range(&g->r, 8 * 3600, 18 * 3600);
		p->stored_path = xasprintf("%c:\\SMSPKG\\%s.PCK",
		    s->srv[s->primary].sms_drive, p->id);
		p->share_path = rng_below(&g->r, 100) < g->sp->nested_pct ?
		    xasprintf("Apps\\%s", p->id) : xstrdup("");
		gen_targets(g, i);
	}
}

/* ---- choosing the failures ---------------------------------------------- */

/* Failing packages were changed lately, and most at least once before. */
static void
freshen(struct gen *g, uint32_t pkg)
{
	struct sim_pkg *p = &g->s->pkg[pkg];
	if (p->source_version < 2)
		p->source_version = p->stored_version = 2;
	if (p->source_date < g->hist - 21 * DAY)
		p->source_date = g->hist - (dpd_time)rng_range(&g->r, DAY + 7200, 21 * DAY);
}

static void
mark(struct gen *g, uint32_t pkg, uint32_t srv, enum sim_mode mode, uint8_t state)
{
	freshen(g, pkg);
	struct sim_cell *c = simdb_cell_make(g->s, pkg, srv);
	c->mode = (uint8_t)mode;
	c->state = state;
}

static uint8_t
fail_state(struct gen *g, enum sim_mode mode)
{
	switch (mode) {
	case SIM_MODE_NOT_IN_DB: return rng_below(&g->r, 4) == 0 ? 1 : 2;
	case SIM_MODE_SOURCE_MISSING: return 2;
	case SIM_MODE_PCK_MISSING: return rng_below(&g->r, 5) < 3 ? 3 : 2;
	default: return rng_below(&g->r, 2) ? 3 : 2;
	}
}

/* Whether a package-wide fault shows on DP i: a missing source on every DP
 * (the primary reads it for all of them), a stale PCK only where the PCK
 * is sent, the child sites (an own-site DP gets the source uncompressed). */
static bool
mode_reaches(const struct sim_site *s, enum sim_mode mode, uint32_t i)
{
	return i != s->primary && (mode != SIM_MODE_PCK_NO_REGEN || simdb_child(s, i));
}

static uint32_t
remote_targets(const struct sim_site *s, uint32_t pkg, enum sim_mode mode)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->nsrv; i++)
		n += mode_reaches(s, mode, i) && simdb_target(s, pkg, i);
	return n;
}

/* A package-wide fault fails the package on every DP it reaches. */
static void
pick_package_mode(struct gen *g, enum sim_mode mode)
{
	struct sim_site *s = g->s;
	uint32_t left = g->sp->quota[mode];
	shuffle(g, g->order, (uint32_t)s->npkg);
	for (uint32_t slack = 0; slack <= 3 && left > 0; slack += 3)
		for (uint32_t k = 0; k < s->npkg && left > 0; k++) {
			uint32_t pkg = g->order[k];
			uint32_t r = remote_targets(s, pkg, mode);
			if (g->pkgmode[pkg] || *s->pkg[pkg].share_path || r == 0 ||
			    r > left + slack)
				continue;
			g->pkgmode[pkg] = (uint8_t)mode;
			if (mode == SIM_MODE_PCK_NO_REGEN)
				s->pkg[pkg].flags |= SIM_PKG_NO_REGEN;
			for (uint32_t i = 0; i < s->nsrv; i++)
				if (mode_reaches(s, mode, i) && simdb_target(s, pkg, i))
					mark(g, pkg, i, mode, fail_state(g, mode));
			left = r >= left ? 0 : left - r;
		}
}

static void
share_perms_on(struct gen *g, uint32_t dp, uint32_t installs, uint32_t removals)
{
	struct sim_site *s = g->s;
	s->srv[dp].flags |= SIM_SRV_SHARE_ROOT_ONLY;
	shuffle(g, g->order, (uint32_t)s->npkg);
	for (uint32_t k = 0; k < s->npkg && installs + removals > 0; k++) {
		uint32_t pkg = g->order[k];
		struct sim_pkg *p = &s->pkg[pkg];
		if (g->pkgmode[pkg] || !simdb_target(s, pkg, dp) || simdb_cell(s, pkg, dp))
			continue;
		if (*p->share_path == '\0') {
			free(p->share_path);
			p->share_path = xasprintf("Apps\\%s", p->id);
		}
		if (installs > 0) {
			mark(g, pkg, dp, SIM_MODE_SHARE_PERMS, fail_state(g, SIM_MODE_SHARE_PERMS));
			installs--;
		} else {
			mark(g, pkg, dp, SIM_MODE_SHARE_PERMS, rng_below(&g->r, 2) ? 5 : 6);
			removals--;
		}
	}
}

static void
pick_share_perms(struct gen *g)
{
	struct sim_site *s = g->s;
	uint32_t n = g->sp->root_only;
	if (n == 0 || s->nsrv < 2)
		return;
	uint32_t inst = g->sp->quota[SIM_MODE_SHARE_PERMS], rem = g->sp->removals;
	for (uint32_t k = 0; k < n; k++) {
		/* Alternately a DP of the primary's own site (its failures in the
		 * primary's log) and a plain DP of a child site (in its site
		 * server's log, the case where the log is on another server). */
		uint32_t dp;
		int tries = 0;
		do
			dp = 1 + rng_below(&g->r, (uint32_t)s->nsrv - 1);
		while (((s->srv[dp].flags & SIM_SRV_SHARE_ROOT_ONLY && n < s->nsrv - 1) ||
		    simdb_child(s, dp) != (k % 2 == 1) ||
		    (k % 2 == 1 && s->srv[dp].home == dp)) && ++tries < 10000);
		uint32_t i = (inst + (n - k) - 1) / (n - k), r = (rem + (n - k) - 1) / (n - k);
		share_perms_on(g, dp, i, r);
		inst -= i;
		rem -= r;
	}
}

static bool
cell_free(struct gen *g, uint32_t pkg, uint32_t srv)
{
	struct sim_site *s = g->s;
	return !g->pkgmode[pkg] && srv != s->primary && simdb_target(s, pkg, srv) &&
	    simdb_cell(s, pkg, srv) == NULL &&
	    !(s->srv[srv].flags & SIM_SRV_SHARE_ROOT_ONLY && *s->pkg[pkg].share_path);
}

/* Modes that belong to a child site as a whole, seen at its site server:
 * the PCK that never came, the stale distmgr.box file, the package the
 * site does not know.  Its plain DPs of the package share the fate. */
static bool
mode_sitewide(enum sim_mode mode)
{
	return mode == SIM_MODE_PCK_MISSING || mode == SIM_MODE_STALE_PKG_FILE ||
	    mode == SIM_MODE_NOT_IN_DB;
}

static bool
cell_fits(struct gen *g, enum sim_mode mode, uint32_t pkg, uint32_t srv)
{
	const struct sim_site *s = g->s;
	if (!cell_free(g, pkg, srv))
		return false;
	if (!mode_sitewide(mode))
		return true;
	if (!(s->srv[srv].role & SIM_ROLE_SITESRV))
		return false;
	for (uint32_t i = 0; i < s->nsrv; i++)
		if (i != srv && s->srv[i].home == srv && simdb_target(s, pkg, i) &&
		    !cell_free(g, pkg, i))
			return false;
	return true;
}

/* Single failing pairs, anywhere they fit.  state 0 = by the mode's mix. */
static void
pick_cells(struct gen *g, enum sim_mode mode, uint32_t count, uint8_t state)
{
	struct sim_site *s = g->s;
	for (uint32_t n = 0; n < count; n++)
		for (int tries = 0; tries < 100000; tries++) {
			uint32_t pkg = rng_below(&g->r, (uint32_t)s->npkg);
			uint32_t srv = rng_below(&g->r, (uint32_t)s->nsrv);
			if (!cell_fits(g, mode, pkg, srv))
				continue;
			uint8_t st = state ? state : fail_state(g, mode);
			mark(g, pkg, srv, mode, st);
			for (uint32_t i = 0; mode_sitewide(mode) && i < s->nsrv; i++)
				if (i != srv && s->srv[i].home == srv && simdb_target(s, pkg, i))
					mark(g, pkg, i, mode, st);
			break;
		}
}

/* ---- writing the servers' disks ------------------------------------------ */

/* The primary's PCKs and the sources on the file server.  A package whose
 * PCK does not regenerate still has the previous version's PCK. */
static int
write_packages(struct gen *g, char **err)
{
	struct sim_site *s = g->s;
	for (uint32_t i = 0; i < s->npkg; i++) {
		const struct sim_pkg *p = &s->pkg[i];
		uint32_t v = p->stored_version;
		dpd_time t = p->source_date + 240;
		if (p->flags & SIM_PKG_NO_REGEN) {
			v = p->stored_version > 1 ? p->stored_version - 1 : 1;
			t = p->source_date - (dpd_time)rng_range(&g->r, 20 * DAY, 60 * DAY);
		}
		if (simfs_write_pck(s, s->primary, i, v, t, err) != 0)
			return -1;
		if (g->pkgmode[i] != SIM_MODE_SOURCE_MISSING &&
		    simfs_write_source(s, i, err) != 0)
			return -1;
	}
	return 0;
}

static int
write_installed(struct gen *g, uint32_t pkg, uint32_t srv, uint32_t version,
    dpd_time t, char **err)
{
	struct sim_site *s = g->s;
	if (simfs_install(s, srv, pkg, version, t, err) != 0)
		return -1;
	if (!simdb_child(s, srv))
		return 0; /* copied uncompressed from the source by the primary */
	return simfs_write_pck(s, s->srv[srv].home, pkg, version, t, err);
}

/* Every default (installed) pair, for scenarios small enough to afford it. */
static int
write_defaults(struct gen *g, char **err)
{
	struct sim_site *s = g->s;
	for (uint32_t pkg = 0; pkg < s->npkg; pkg++)
		for (uint32_t srv = 0; srv < s->nsrv; srv++) {
			if (!simdb_target(s, pkg, srv) || simdb_cell(s, pkg, srv))
				continue;
			if (write_installed(g, pkg, srv, s->pkg[pkg].source_version,
			    simdb_default_copied(s, pkg, srv), err) != 0)
				return -1;
		}
	return 0;
}

/* ---- the failing and transient pairs ------------------------------------- */

enum { OLD_NEVER, OLD_MAYBE, OLD_ALWAYS, OLD_CURRENT };
enum { PCK_NONE, PCK_AS_INSTALLED, PCK_CURRENT };

/* What a pair's state means on disk and what it does next. */
struct pair_rule {
	uint8_t mode;
	uint8_t state;            /* 0: any state of the mode */
	uint8_t old;              /* what the DP had installed before */
	uint8_t pck;              /* the DP's SMSPKG copy */
	bool incoming;            /* package info waiting in INCOMING */
	bool stale_pkg;           /* distmgr.box\<id>.PKG of the new version */
	bool unknown;             /* the DP's site has no record */
	uint8_t event;            /* what happens next (if state allows) */
};

static const struct pair_rule pair_rules[] = {
	{ SIM_MODE_PCK_MISSING, 0, OLD_MAYBE, PCK_AS_INSTALLED, true, false, false, SIM_EV_NONE },
	{ SIM_MODE_STALE_PKG_FILE, 0, OLD_MAYBE, PCK_AS_INSTALLED, true, true, false, SIM_EV_NONE },
	{ SIM_MODE_NOT_IN_DB, 0, OLD_NEVER, PCK_NONE, false, false, true, SIM_EV_PRIMARY_RETRY },
	{ SIM_MODE_SOURCE_MISSING, 0, OLD_ALWAYS, PCK_AS_INSTALLED, false, false, false, SIM_EV_PRIMARY_RETRY },
	{ SIM_MODE_SHARE_PERMS, 5, OLD_CURRENT, PCK_CURRENT, false, false, false, SIM_EV_REMOVE_RETRY },
	{ SIM_MODE_SHARE_PERMS, 6, OLD_CURRENT, PCK_CURRENT, false, false, false, SIM_EV_NONE },
	{ SIM_MODE_SHARE_PERMS, 0, OLD_NEVER, PCK_CURRENT, true, false, false, SIM_EV_NONE },
	{ SIM_MODE_PCK_NO_REGEN, 0, OLD_ALWAYS, PCK_AS_INSTALLED, true, false, false, SIM_EV_NONE },
	{ SIM_MODE_TRANSIENT, 1, OLD_MAYBE, PCK_AS_INSTALLED, false, false, false, SIM_EV_ARRIVE_PKG },
	{ SIM_MODE_TRANSIENT, 2, OLD_MAYBE, PCK_AS_INSTALLED, true, false, false, SIM_EV_ARRIVE_PCK },
	{ SIM_MODE_TRANSIENT, 4, OLD_CURRENT, PCK_CURRENT, false, false, false, SIM_EV_REMOVE_DONE },
};

static const struct pair_rule *
rule_for(const struct sim_cell *c)
{
	for (size_t i = 0; i < sizeof pair_rules / sizeof pair_rules[0]; i++)
		if (pair_rules[i].mode == c->mode &&
		    (pair_rules[i].state == 0 || pair_rules[i].state == c->state))
			return &pair_rules[i];
	return NULL;
}

/* When the pair's next event is due: retries start in the simulated past,
 * arrivals and removals happen after the scenario's start. */
static dpd_time
event_time(struct gen *g, const struct sim_cell *c, uint8_t ev)
{
	struct sim_rng *r = &g->r;
	switch (ev) {
	case SIM_EV_PRIMARY_RETRY: /* one retry pass for all, as distmgr does */
		return simev_retry_time(g->s, g->hist + rng_below(r, SIM_RETRY_MIN * 60));
	case SIM_EV_REMOVE_RETRY: return g->hist + rng_below(r, g->s->srv[c->srv].cycle);
	case SIM_EV_ARRIVE_PKG: return scenario_start + rng_range(r, 3600, 4 * 3600);
	case SIM_EV_ARRIVE_PCK: return scenario_start + rng_range(r, 1200, 4 * 3600);
	case SIM_EV_REMOVE_DONE: return scenario_start + rng_range(r, 900, 3 * 3600);
	default: return 0;
	}
}

static void
pair_times(struct gen *g, struct sim_cell *c, const struct pair_rule *rule, dpd_time *sent)
{
	const struct sim_pkg *p = &g->s->pkg[c->pkg];
	uint32_t n = p->source_version;
	*sent = p->source_date + rng_range(&g->r, 600, 3 * 3600);
	bool old = rule->old == OLD_ALWAYS || (rule->old == OLD_MAYBE && rng_below(&g->r, 10) < 7);
	c->source_version = rule->old == OLD_CURRENT ? n : old ? n - 1 : 0;
	c->last_copied = rule->old == OLD_CURRENT ? simdb_default_copied(g->s, c->pkg, c->srv) :
	    old ? p->source_date - (dpd_time)rng_range(&g->r, 2 * DAY, 40 * DAY) : 0;
	dpd_time sum = *sent + rng_range(&g->r, 1800, 2 * DAY);
	if (rule->old == OLD_CURRENT)
		sum = g->hist - rng_range(&g->r, 0, 3 * DAY);
	c->summary_date = sum > g->hist - 3600 ? g->hist - 3600 : sum;
	if (c->summary_date < c->last_copied)
		c->summary_date = c->last_copied;
	if (c->state == 2)
		c->retries = (uint16_t)rng_below(&g->r, c->mode == SIM_MODE_TRANSIENT ? 3 :
		    rule->event == SIM_EV_PRIMARY_RETRY ? 40 : 60);
}

static int
unlink_rel(const struct sim_site *s, uint32_t srv, const char *rel, char **err)
{
	char *path = simfs_path(s, srv, rel);
	int rc = unlink(path) == 0 || errno == ENOENT ? 0 : -1;
	if (rc != 0)
		err_set(err, "%s: %s", path, strerror(errno));
	free(path);
	return rc;
}

/* Whether c is a plain DP of a child site whose site server has a pair of
 * the same mode: the site's inboxes and PCK are that pair's to write. */
static bool
home_pair_same(const struct sim_site *s, const struct sim_cell *c)
{
	uint32_t h = s->srv[c->srv].home;
	if (h == c->srv)
		return false;
	const struct sim_cell *hc = simdb_cell((struct sim_site *)s, c->pkg, h);
	return hc != NULL && hc->mode == c->mode;
}

static int
pair_files(struct gen *g, const struct sim_cell *c, const struct pair_rule *rule,
    dpd_time sent, char **err)
{
	struct sim_site *s = g->s;
	const struct sim_pkg *p = &s->pkg[c->pkg];
	uint32_t n = p->source_version, h = s->srv[c->srv].home;
	char *rel = xasprintf("SMS/inboxes/distmgr.box/%s.PKG", p->id);
	int rc = 0;
	if (c->source_version > 0) {
		rc = simfs_install(s, c->srv, c->pkg, c->source_version, c->last_copied, err);
		/* The site dropped its work file when the new version was announced. */
		if (rc == 0 && rule->old != OLD_CURRENT && simdb_child(s, c->srv))
			rc = unlink_rel(s, h, rel, err);
	}
	if (rc == 0 && rule->stale_pkg) {
		char *path = simfs_path(s, h, rel);
		char *text = simfs_pkginfo_text(s, p, n);
		rc = simfs_write(path, text, strlen(text), sent + 420, err);
		free(text);
		free(path);
	}
	uint32_t pv = rule->pck == PCK_CURRENT ? n : c->source_version;
	if (rc == 0 && rule->pck != PCK_NONE && pv > 0)
		rc = simfs_write_pck(s, h, c->pkg, pv,
		    rule->pck == PCK_CURRENT ? sent + 300 : c->last_copied, err);
	if (rc == 0 && rule->incoming) {
		char name[9];
		simfs_random_name(&g->r, name);
		rc = simfs_write_incoming(s, h, c->pkg, name, n, sent, err);
	}
	free(rel);
	return rc;
}

/* The rule as it applies where the pair is: an own-site DP gets no PCK and
 * no replication file (the primary copies the source to it and retries
 * there); a plain DP of a child site shares its site server's files, so
 * the site server's pair (listed first) wrote them already. */
static struct pair_rule
rule_here(const struct sim_site *s, const struct sim_cell *c, const struct pair_rule *r)
{
	struct pair_rule x = *r;
	if (!simdb_child(s, c->srv)) {
		if (x.incoming && x.event == SIM_EV_NONE)
			x.event = SIM_EV_PRIMARY_RETRY;
		x.incoming = x.stale_pkg = false;
		x.pck = PCK_NONE;
	} else if (home_pair_same(s, c)) {
		/* The stale distmgr.box file stays: installing the DP's old
		 * version rewrote the site's work file, dropped above, so it is
		 * written again as the site server's pair left it. */
		x.incoming = false;
		x.pck = PCK_NONE;
	}
	return x;
}

static int
setup_pairs(struct gen *g, char **err)
{
	struct sim_site *s = g->s;
	for (size_t i = 0; i < s->ncell; i++) {
		struct sim_cell *c = &s->cell[i];
		const struct pair_rule *r0 = rule_for(c);
		if (r0 == NULL) {
			err_set(err, "scenario: no rule for a %s pair in state %u",
			    sim_mode_name(c->mode), c->state);
			return -1;
		}
		struct pair_rule here = rule_here(s, c, r0);
		const struct pair_rule *rule = &here;
		dpd_time sent;
		pair_times(g, c, rule, &sent);
		if (rule->unknown)
			c->flags |= SIM_CELL_UNKNOWN;
		/* An own-site DP's share failure keeps showing in the primary's
		 * log, as a child's does at every scan of its site server. */
		bool live = rule->event != SIM_EV_NONE &&
		    (c->state == 2 || c->state == 5 || c->mode == SIM_MODE_TRANSIENT ||
		    rule->event != r0->event);
		c->event = live ? rule->event : SIM_EV_NONE;
		c->next_event = live ? event_time(g, c, rule->event) : 0;
		if (pair_files(g, c, rule, sent, err) != 0)
			return -1;
		if (rule->incoming)
			simev_wake(s, c->srv, g->hist - 1);
	}
	return 0;
}

/* ---- building ------------------------------------------------------------ */

static void
gen_choose(struct gen *g)
{
	const struct scenario_spec *sp = g->sp;
	gen_servers(g);
	g->order = xcalloc(sp->npkgs > g->s->nsrv ? sp->npkgs : g->s->nsrv, sizeof *g->order);
	g->pkgmode = xcalloc(sp->npkgs, 1);
	gen_packages(g);
	pick_package_mode(g, SIM_MODE_SOURCE_MISSING);
	pick_package_mode(g, SIM_MODE_PCK_NO_REGEN);
	pick_share_perms(g);
	pick_cells(g, SIM_MODE_STALE_PKG_FILE, sp->quota[SIM_MODE_STALE_PKG_FILE], 0);
	pick_cells(g, SIM_MODE_NOT_IN_DB, sp->quota[SIM_MODE_NOT_IN_DB], 0);
	pick_cells(g, SIM_MODE_PCK_MISSING, sp->quota[SIM_MODE_PCK_MISSING], 0);
	pick_cells(g, SIM_MODE_TRANSIENT, sp->pending, 1);
	pick_cells(g, SIM_MODE_TRANSIENT, sp->retrying, 2);
	pick_cells(g, SIM_MODE_TRANSIENT, sp->removing, 4);
}

static int
gen_write(struct gen *g, char **err)
{
	struct sim_site *s = g->s;
	/* A large site gets its servers' folders when something touches them;
	 * 500 DPs x 13 empty folders would be a quarter of its build time.
	 * One pass over the cells marks the servers used (not one per server:
	 * a huge site has a million cells and a thousand servers). */
	bool *used = xcalloc(s->nsrv, sizeof *used);
	for (size_t k = 0; k < s->ncell; k++)
		used[s->cell[k].srv] = true;
	for (uint32_t i = 0; i < s->nsrv; i++)
		if ((used[i] || s->materialise || i == s->primary) &&
		    simfs_server_ready(s, i, err) != 0) {
			free(used);
			return -1;
		}
	free(used);
	if (write_packages(g, err) != 0)
		return -1;
	if (s->materialise && write_defaults(g, err) != 0)
		return -1;
	return setup_pairs(g, err);
}

int
scenario_build(const char *dir, const char *name, uint32_t seed,
    dpd_time now, bool anchored, struct sim_site **out, char **err)
{
	const struct scenario_spec *sp = scenspec_find(name);
	if (sp == NULL) {
		err_set(err, "unknown scenario \"%s\" (try default, small, large, huge or wide)", name);
		return -1;
	}
	struct sim_site *s = simdb_new(dir);
	memcpy(s->site_code, "009", 4);
	s->scenario = xstrdup(name);
	s->seed = seed;
	s->filesrv = xstrdup("FILESRV01");
	s->start = scenario_start;
	s->materialise = sp->materialise;
	struct gen g = { .sp = sp, .s = s, .hist = scenario_start - HISTORY };
	uint64_t h = 0;
	for (const char *p = name; *p; p++)
		h = h * 131 + (unsigned char)*p;
	g.r = rng_for(seed, h, 0x5ce7a710);
	gen_choose(&g);
	s->clock = g.hist;
	int rc = gen_write(&g, err);
	free(g.order);
	free(g.pkgmode);
	if (rc == 0)
		rc = simev_advance(s, now, err);
	if (rc == 0 && anchored) {
		s->anchor_real = clock_real();
		s->anchor_sim = s->clock;
	}
	if (rc != 0) {
		simdb_free(s);
		return -1;
	}
	s->dirty = true;
	*out = s;
	return 0;
}
