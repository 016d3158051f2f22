/*
 * What a run tells people about every cell, beside the step texts that
 * show its first cell: the per-cell list of a step (each cell's target,
 * what it does there and the bytes it sends, or that the cell needs
 * nothing any more), and the summary at the end (only the cells that
 * needed repair, every step with what became of it, and the other cells
 * a step touched on the way: a touched source path re-sends the package
 * to every DP of it, a share fixed by hand changes every package on that
 * DP).  A batch page that showed one cell's scope once understated what
 * a step did; these texts are the answer.  Reads only the run.
 */
#include "autoconf.h"
#include "backend/repair/repair_int.h"
#include "backend/core/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The server a step acts on for a cell, by the action's unit. */
static const char *
step_target(const struct repair_run *r, const struct rcell *c, enum repair_action a)
{
	switch (repair_actions[a].unit) {
	case UNIT_PACKAGE: return r->env.primary;
	case UNIT_HOLDER: return c->sms_server;
	default: return c->res.dp;
	}
}

/* Which earlier cell of the list shares c's unit for action a, or NULL. */
static const struct rcell *
unit_owner(const struct repair_run *r, size_t k, enum repair_action a)
{
	for (size_t j = 0; j < k; j++)
		if (repair_same_unit(repair_actions[a].unit, &r->cells[j], &r->cells[k]))
			return &r->cells[j];
	return NULL;
}

/* One cell's line for step i: where, what, how many bytes. */
static void
cell_line(const struct repair_run *r, size_t i, size_t k, struct buf *b)
{
	const struct rcell *c = &r->cells[k];
	enum repair_action a = r->steps[i];
	buf_printf(b, "%s on %s: ", c->pkg->id, c->res.dp);
	enum repair_outcome o = c->res.step[i];
	if (o == RO_NOT_NEEDED && c->state_now == STATE_INSTALLED) {
		buf_adds(b, "no longer needed: installed since the plan was made\n");
		return;
	}
	if (o != RO_PENDING || !c->res.active) {
		buf_printf(b, "%s%s%s\n", repair_outcome_name(o), c->res.message[i] ? ": " : "",
		    c->res.message[i] ? c->res.message[i] : "");
		return;
	}
	char *what = repair_expand(r, c, repair_actions[a].command);
	buf_printf(b, "on %s, %s; ", step_target(r, c, a), what);
	free(what);
	const struct rcell *own = unit_owner(r, k, a);
	if (repair_actions[a].bytes == NULL) {
		buf_adds(b, "no bytes sent\n");
	} else if (own != NULL) {
		buf_printf(b, "done once with %s on %s (counted there)\n", own->pkg->id,
		    own->res.dp);
	} else {
		char sz[16];
		repair_size_human(repair_actions[a].bytes(c), sz);
		buf_printf(b, "%s\n", sz);
	}
}

char *
repair_step_cells(const struct repair_run *r, size_t i)
{
	if (i >= r->nsteps)
		return xstrdup("");
	struct buf b;
	buf_init(&b);
	for (size_t k = 0; k < r->ncells; k++)
		cell_line(r, i, k, &b);
	return b.data ? buf_detach(&b) : xstrdup("");
}

/* ---- the summary ------------------------------------------------------------- */

static void
state_text(struct buf *b, int st)
{
	if (st == -2)
		buf_adds(b, "gone (removed from the DP)");
	else if (st < 0)
		buf_adds(b, "unknown");
	else
		buf_printf(b, "%s (%d)", state_info((unsigned)st)->name, st);
}

/* Did the cell need repair: not installed when the plan was made, nor
 * when its group started? */
static bool
needed_repair(const struct rcell *c)
{
	return c->res.state_before != STATE_INSTALLED && !c->healed;
}

/* The other cells step i changed when it ran for c: every other DP of the
 * package (a touched source path regenerates the PCK for all of them), or
 * every package on the DP (its share's permissions). */
static void
also_affected(const struct repair_run *r, const struct rcell *c, size_t i, struct buf *b)
{
	enum repair_action a = r->steps[i];
	if (c->res.step[i] != RO_OK)
		return;
	if (a == RA_TOUCH_SOURCE || a == RA_RENAME_PCK) {
		struct buf o;
		buf_init(&o);
		for (size_t d = 0; d < c->pkg->ndps; d++)
			if (strcasecmp(c->pkg->dps[d], c->res.dp) != 0)
				buf_printf(&o, "%s%s", o.len ? ", " : "", c->pkg->dps[d]);
		if (o.len)
			buf_printf(b, "      also affected: %s is sent again to every DP of "
			    "%s: %s\n", c->pkg->id, c->pkg->id, o.data);
		buf_free(&o);
	} else if (a == RA_HAND_SHARE_ACL) {
		buf_printf(b, "      also affected: every package on %s (the share's "
		    "permissions are the DP's, not the package's)\n", c->res.dp);
	}
}

/* Every step with what became of it for cell c. */
static void
cell_steps(const struct repair_run *r, const struct rcell *c, struct buf *b)
{
	for (size_t i = 0; i < r->nsteps; i++) {
		enum repair_outcome o = c->res.step[i];
		const char *m = c->res.message[i];
		const char *name = repair_outcome_name(o);
		size_t nl = strlen(name);
		bool named = m != NULL && strncasecmp(m, name, nl) == 0 && m[nl] == ':';
		buf_printf(b, "    step %zu %s: %s%s%s\n", i + 1, repair_action_name(r->steps[i]),
		    named ? "" : name, m && *m && !named ? ": " : "", m ? m : "");
		also_affected(r, c, i, b);
	}
}

char *
repair_summary(const struct repair_run *r)
{
	struct buf b;
	buf_init(&b);
	size_t needed = 0;
	for (size_t i = 0; i < r->ncells; i++)
		needed += needed_repair(&r->cells[i]);
	if (r->ncells > 1 || needed < r->ncells)
		buf_printf(&b, "%zu cell%s needed repair", needed, needed == 1 ? "" : "s");
	if (needed < r->ncells)
		buf_printf(&b, " (%zu installed already, left out)", r->ncells - needed);
	if (b.len)
		buf_adds(&b, ":\n");
	/* Every cell's before and after first (at 80x24 they fit the first
	 * screen), then what each step did for each cell. */
	for (size_t i = 0; i < r->ncells; i++) {
		const struct rcell *c = &r->cells[i];
		if (!needed_repair(c))
			continue;
		buf_printf(&b, "%s on %s: ", c->res.package_id, c->res.dp);
		state_text(&b, c->res.state_before);
		buf_adds(&b, " -> ");
		state_text(&b, c->res.state_after);
		buf_addc(&b, '\n');
		if (r->ncells == 1)
			cell_steps(r, c, &b);
	}
	for (size_t i = 0; r->ncells > 1 && i < r->ncells; i++) {
		const struct rcell *c = &r->cells[i];
		if (!needed_repair(c))
			continue;
		buf_printf(&b, "  the steps for %s on %s:\n", c->res.package_id, c->res.dp);
		cell_steps(r, c, &b);
	}
	return b.data ? buf_detach(&b) : xstrdup("");
}
