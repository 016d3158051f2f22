/*
 * Latency samples.  Bounded (a long session cannot grow it without limit)
 * and cheap: one clock read per key batch and per frame.
 */
#include "autoconf.h"
#include "tui/stats.h"
#include "backend/core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STATS_MAX_SAMPLES 100000

int64_t
stats_now_us(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
stats_keys(struct stats *s, int64_t when)
{
	if (s->pending == 0)
		s->pending = when;
}

void
stats_frame(struct stats *s)
{
	if (s->pending == 0)
		return;
	int64_t dt = stats_now_us() - s->pending;
	s->pending = 0;
	if (s->n == STATS_MAX_SAMPLES)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->us = xreallocarray(s->us, s->cap, sizeof *s->us);
	}
	s->us[s->n++] = dt;
}

static int
stats_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

int
stats_write(const struct stats *s, const char *path, char **err)
{
	int64_t *v = xreallocarray(NULL, s->n + 1, sizeof *v);
	if (s->n > 0)
		memcpy(v, s->us, s->n * sizeof *v);
	array_sort(v, s->n, sizeof *v, stats_cmp);
	FILE *f = fopen(path, "w");
	int rc = -1;
	if (f == NULL) {
		err_set(err, "%s: %s", path, strerror(errno));
	} else if (fprintf(f, "keys %zu median_us %lld max_us %lld\n", s->n,
	    s->n ? (long long)v[s->n / 2] : 0LL, s->n ? (long long)v[s->n - 1] : 0LL) < 0) {
		err_set(err, "%s: %s", path, strerror(errno));
		fclose(f);
	} else if (fclose(f) != 0) {
		err_set(err, "%s: %s", path, strerror(errno));
	} else {
		rc = 0;
	}
	free(v);
	return rc;
}

void
stats_free(struct stats *s)
{
	free(s->us);
	memset(s, 0, sizeof *s);
}
