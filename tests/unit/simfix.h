/*
 * What the unit tests that run repairs on the simulated default site share:
 * a frozen site clock that the repair's waits move (the demo's scale, one
 * SMS minute per wall second, so a 30-minute wait costs no real time), and
 * picking a failing cell of a given kind from the site's own records, so a
 * test names the failure it needs rather than a package that may change;
 * and the simulator tests' reading of site.db without its save stamp.
 */
#ifndef DPD_TEST_SIMFIX_H
#define DPD_TEST_SIMFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/sim/simint.h"

/* Site seconds since 10:00 on the scenario's day (DPDOCTOR_SIM_TIME). */
extern int64_t simfix_now_s;

/* DPDOCTOR_SIM_TIME from simfix_now_s. */
void simfix_set_clock(void);
/* A repair_env sleep: moves the site clock by the demo's scale. */
void simfix_sleep(void *ctx, int ms);

/* The site at dir loaded, or NULL with "# load: why" printed. */
struct sim_site *simfix_load(const char *dir);

struct simfix_pick {
	char id[9];
	char dp[64];
};
/* Cell number `skip` of mode m in the site at dir that is failing
 * (state 2 or 3), or being removed and failing to (5 or 6) when removal. */
bool simfix_find_cell(const char *dir, enum sim_mode m, bool removal, size_t skip,
    struct simfix_pick *p);

/* The site.db at path without its stamp line (each save writes a
 * new stamp: simcache.c knows a file by it), for comparing two sites'
 * bytes; NULL when it cannot be read.  Malloc'd. */
char *simfix_read_db(const char *path);

#endif
