/*
 * The shared fixture of the repair unit tests (simfix.h): the site clock a
 * repair's waits move, and failing cells picked by kind.
 */
#include "autoconf.h"
#include "tests/unit/simfix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t simfix_now_s;

void
simfix_set_clock(void)
{
	char iso[21];
	simclock_iso(scenario_start + 3600 + (dpd_time)simfix_now_s, iso);
	setenv("DPDOCTOR_SIM_TIME", iso, 1);
}

void
simfix_sleep(void *ctx, int ms)
{
	(void)ctx;
	simfix_now_s += ms * 60 / 1000;
	simfix_set_clock();
}

struct sim_site *
simfix_load(const char *dir)
{
	struct sim_site *s = NULL;
	char *err = NULL;
	if (simdb_load(dir, &s, &err) != 0) {
		printf("# load: %s\n", err);
		free(err);
		return NULL;
	}
	return s;
}

bool
simfix_find_cell(const char *dir, enum sim_mode m, bool removal, size_t skip,
    struct simfix_pick *p)
{
	struct sim_site *s = simfix_load(dir);
	if (s == NULL)
		return false;
	bool found = false;
	for (size_t i = 0; i < s->ncell && !found; i++) {
		const struct sim_cell *c = &s->cell[i];
		bool st = removal ? c->state == 5 || c->state == 6 : c->state == 2 || c->state == 3;
		if (c->mode == m && st && skip-- == 0) {
			snprintf(p->id, sizeof p->id, "%s", s->pkg[c->pkg].id);
			snprintf(p->dp, sizeof p->dp, "%s", s->srv[c->srv].name);
			found = true;
		}
	}
	simdb_free(s);
	return found;
}

char *
simfix_read_db(const char *path)
{
	struct buf b;
	buf_init(&b);
	if (file_read_all(path, 1u << 30, &b, NULL) != 0) {
		buf_free(&b);
		return NULL;
	}
	char *t = buf_detach(&b);
	char *k = strstr(t, "\nI\tstamp\t");
	char *end = k != NULL ? strchr(k + 1, '\n') : NULL;
	if (end != NULL)
		memmove(k, end, strlen(end) + 1);
	return t;
}
