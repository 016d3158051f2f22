/*
 * Marked cells (see marks.h).  DP names compare without case, as Windows
 * server names do everywhere else in the board.  Only a cell that can be
 * repaired can be marked: an installed cell or one the package does not
 * target would reach a batch only to be left out of it.
 */
#include "autoconf.h"
#include "tui/marks.h"
#include "backend/core/model.h"
#include "backend/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static long
marks_find(const struct marks *m, const char *pkg, const char *dp)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].pkg, pkg) == 0 && strcasecmp(m->v[i].dp, dp) == 0)
			return (long)i;
	return -1;
}

bool
marks_has(const struct marks *m, const char *pkg, const char *dp)
{
	return m->n > 0 && marks_find(m, pkg, dp) >= 0;
}

bool
marks_toggle(struct marks *m, const char *pkg, const char *dp)
{
	long i = marks_find(m, pkg, dp);
	if (i >= 0) {
		free(m->v[i].dp);
		/* Keep the order the user marked them in. */
		memmove(&m->v[i], &m->v[i + 1], (m->n - (size_t)i - 1) * sizeof m->v[0]);
		m->n--;
		return false;
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->v = xreallocarray(m->v, m->cap, sizeof m->v[0]);
	}
	snprintf(m->v[m->n].pkg, sizeof m->v[m->n].pkg, "%s", pkg);
	m->v[m->n].dp = xstrdup(dp);
	m->n++;
	return true;
}

void
marks_clear(struct marks *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].dp);
	free(m->v);
	*m = (struct marks){ 0 };
}

const char *
marks_refusal(const struct cell *c)
{
	if (c == NULL)
		return "not targeted: this package is not on this DP, nothing to repair";
	if (c->state == STATE_INSTALLED)
		return "installed: nothing to repair";
	return NULL;
}
