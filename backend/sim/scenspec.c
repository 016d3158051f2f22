/*
 * The scenarios, as a table: a site's size and shape, its quotas of
 * failing pairs per failure mode and its transients, and how often its
 * primary updates packages by itself.  scenario.c builds a site from a
 * row; simevent.c reads the update settings as time goes by.
 */
#include "autoconf.h"
#include "backend/sim/scenspec.h"

#include <stddef.h>
#include <string.h>

/* Updates begin an hour into the scenario, so its opening picture (the
 * field write-up's, at 10:00, which tests and screenshots use) is the
 * failures and the scenario's own transients alone.  A large site updates
 * a few packages an hour and leaves its site-wide ones alone: each update
 * stores a cell per DP for good and logs two lines per DP. */
#define UPDATES_DEFAULT { .after = 3600, .gap_min = 600, .gap_max = 1200 }
#define UPDATES_LARGE { .after = 3600, .gap_min = 900, .gap_max = 1800, .max_dps = 80 }

static const struct scenario_spec specs[] = {
	{ .name = "default", .npkgs = 120, .ndps = 12, .city_stride = 1,
	  .own_dps = 3, .site_every = 3, .site_dps = 1,
	  .sitewide_pct = 30, .regional = true, .nested_pct = 8, .root_only = 2,
	  .quota = { [SIM_MODE_PCK_MISSING] = 19, [SIM_MODE_STALE_PKG_FILE] = 5,
	    [SIM_MODE_NOT_IN_DB] = 5, [SIM_MODE_SOURCE_MISSING] = 4,
	    [SIM_MODE_SHARE_PERMS] = 3, [SIM_MODE_PCK_NO_REGEN] = 4 },
	  .removals = 2, .pending = 3, .retrying = 4, .removing = 1,
	  .materialise = true, .updates = UPDATES_DEFAULT },
	{ .name = "large", .npkgs = 5000, .ndps = 499, .city_stride = 1,
	  .own_dps = 20, .site_every = 2, .site_dps = 2,
	  .sitewide_pct = 10, .subset_min = 20, .subset_max = 80, .nested_pct = 8,
	  .root_only = 5,
	  .quota = { [SIM_MODE_PCK_MISSING] = 150, [SIM_MODE_STALE_PKG_FILE] = 30,
	    [SIM_MODE_NOT_IN_DB] = 30, [SIM_MODE_SOURCE_MISSING] = 30,
	    [SIM_MODE_SHARE_PERMS] = 25, [SIM_MODE_PCK_NO_REGEN] = 30 },
	  .removals = 10, .pending = 15, .retrying = 20, .removing = 5,
	  .updates = UPDATES_LARGE },
	/* A million cells: 10,000 packages x 1,000 DPs, 5% site-wide and the
	 * rest on 20..120 DPs each (about 1.16 million targeted pairs), for
	 * the scale figures of `make bench`.  Its failures are large's. */
	{ .name = "huge", .npkgs = 10000, .ndps = 999, .city_stride = 1,
	  .own_dps = 40, .site_every = 2, .site_dps = 2,
	  .sitewide_pct = 5, .subset_min = 20, .subset_max = 120, .nested_pct = 8,
	  .root_only = 5,
	  .quota = { [SIM_MODE_PCK_MISSING] = 150, [SIM_MODE_STALE_PKG_FILE] = 30,
	    [SIM_MODE_NOT_IN_DB] = 30, [SIM_MODE_SOURCE_MISSING] = 30,
	    [SIM_MODE_SHARE_PERMS] = 25, [SIM_MODE_PCK_NO_REGEN] = 30 },
	  .removals = 10, .pending = 15, .retrying = 20, .removing = 5,
	  .updates = UPDATES_LARGE },
	/* A hundred DPs, most packages on all of them: the SSH sweep
	 * benchmark's site (status and evidence for one package on every DP). */
	{ .name = "wide", .npkgs = 40, .ndps = 100, .city_stride = 1,
	  .own_dps = 10, .site_every = 2, .site_dps = 1,
	  .sitewide_pct = 60, .regional = true, .nested_pct = 8, .root_only = 2,
	  .quota = { [SIM_MODE_PCK_MISSING] = 10, [SIM_MODE_STALE_PKG_FILE] = 3,
	    [SIM_MODE_NOT_IN_DB] = 3, [SIM_MODE_SOURCE_MISSING] = 2,
	    [SIM_MODE_SHARE_PERMS] = 2, [SIM_MODE_PCK_NO_REGEN] = 2 },
	  .removals = 1, .pending = 2, .retrying = 2, .removing = 1,
	  .materialise = true, .updates = UPDATES_DEFAULT },
	/* No updates: its unit tests expect it to keep still but for its
	 * own transients. */
	{ .name = "small", .npkgs = 10, .ndps = 4, .city_stride = 1,
	  .own_dps = 1, .site_every = 2, .site_dps = 1,
	  .sitewide_pct = 50, .regional = true, .root_only = 1,
	  .quota = { [SIM_MODE_PCK_MISSING] = 1, [SIM_MODE_STALE_PKG_FILE] = 1,
	    [SIM_MODE_NOT_IN_DB] = 1, [SIM_MODE_SOURCE_MISSING] = 1,
	    [SIM_MODE_SHARE_PERMS] = 1, [SIM_MODE_PCK_NO_REGEN] = 1 },
	  .removals = 1, .pending = 1, .retrying = 1, .materialise = true },
};

const struct scenario_spec *
scenspec_find(const char *name)
{
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
		if (strcmp(specs[i].name, name) == 0)
			return &specs[i];
	return NULL;
}

bool
scenspec_known(const char *name)
{
	return name != NULL && scenspec_find(name) != NULL;
}

const struct sim_update_spec *
scenspec_updates(const char *name)
{
	static const struct sim_update_spec none;
	const struct scenario_spec *sp = name != NULL ? scenspec_find(name) : NULL;
	return sp != NULL ? &sp->updates : &none;
}
