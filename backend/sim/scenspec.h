/*
 * What each scenario is made of: how many packages and DPs, how they are
 * spread, which pairs fail and how, and how often the primary updates
 * packages by itself.  A table read by scenario.c, which builds the site,
 * and by simevent.c, which runs the updates: it sits below both.
 */
#ifndef DPD_SIM_SCENSPEC_H
#define DPD_SIM_SCENSPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/sim/simint.h"

/* The primary updating distribution points by itself (an administrator's
 * "Update Distribution Points" on a package nobody is worried about), so a
 * demo left open keeps moving.  gap_max 0: never on this scenario. */
struct sim_update_spec {
	uint32_t after;             /* the first comes this long after s->start */
	uint32_t gap_min, gap_max;  /* seconds from one update to the next */
	uint32_t max_dps;           /* packages on more DPs are left alone (0: any) */
};

struct scenario_spec {
	const char *name;
	uint32_t npkgs;
	uint32_t ndps;            /* remote DPs; the primary is a DP as well */
	uint32_t city_stride;
	/* The hierarchy: the first own_dps DPs are plain DPs of site 009; the
	 * rest are child sites, each a site server (a remote DP with its own
	 * SMS) and, every site_every-th site, site_dps plain DPs of its own. */
	uint16_t own_dps, site_every, site_dps;
	uint8_t sitewide_pct;     /* packages on every DP */
	bool regional;            /* else a random subset of subset_min..max */
	uint16_t subset_min, subset_max;
	uint8_t nested_pct;       /* packages stored in a nested share folder */
	uint8_t root_only;        /* DPs whose share ACL stops at the root */
	uint16_t quota[SIM_MODE_COUNT]; /* failing installs per mode */
	uint16_t removals;        /* failing removals (share permissions) */
	uint16_t pending, retrying, removing; /* transient pairs */
	bool materialise;         /* files for every installed pair */
	struct sim_update_spec updates;
};

/* The scenario named, or NULL when there is none by that name. */
const struct scenario_spec *scenspec_find(const char *name);
bool scenspec_known(const char *name);
/* The scenario's setting; all zero for an unknown name. */
const struct sim_update_spec *scenspec_updates(const char *name);

#endif
