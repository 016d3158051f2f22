/*
 * Verifying unfinished repair steps (repair_verify.h): read the cells the
 * step served (a rename on the primary serves the DPs it repairs), then write its end entry as interrupted with what was
 * seen.  The screens call repair_verify_close() with the state they have
 * just re-read; the command line calls repair_verify(), which reads the
 * state itself.  Both write the same words, so `history` reads the same
 * whoever verified.
 */
#include "autoconf.h"
#include "backend/repair/repair_verify.h"
#include "backend/repair/repair_lock.h"
#include "backend/sms/status.h"
#include "backend/core/model.h"
#include "backend/core/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How long one cell's status query may take. */
#define VERIFY_READ_MS 120000

const char *
repair_verify_state_label(int state)
{
	if (state == REPAIR_VERIFY_NOT_TARGETED)
		return "not targeted";
	if (state < 0)
		return "unread";
	return state_info((unsigned)state)->label;
}

size_t
repair_verify_ndps(const struct journal_entry *begin)
{
	return begin->nfor > 0 ? begin->nfor : 1;
}

const char *
repair_verify_dp(const struct journal_entry *begin, size_t i)
{
	return begin->nfor > 0 ? begin->for_dps[i] : begin->dp_server;
}

void
repair_verify_states(const struct snapshot *s, const struct journal_entry *begin,
    int *states)
{
	long p = snapshot_find_pkg(s, begin->package_id);
	for (size_t i = 0; i < repair_verify_ndps(begin); i++) {
		long d = snapshot_find_dp(s, repair_verify_dp(begin, i));
		const struct cell *c = p >= 0 && d >= 0 ?
		    snapshot_cell(s, (size_t)p, (size_t)d) : NULL;
		states[i] = c != NULL ? (int)c->state : REPAIR_VERIFY_NOT_TARGETED;
	}
}

char *
repair_verify_states_text(const struct journal_entry *begin, const int *states)
{
	struct buf b = { 0 };
	for (size_t i = 0; i < repair_verify_ndps(begin); i++)
		buf_printf(&b, "%s%s is %s", i ? ", " : "", repair_verify_dp(begin, i),
		    repair_verify_state_label(states[i]));
	return buf_detach(&b);
}

int
repair_verify_close(const char *journal, const struct journal_entry *begin,
    const int *states, const char *by, char **err)
{
	const struct journal_entry *e = begin;
	struct journal_param *ps = xreallocarray(NULL, e->nparams + 1, sizeof *ps);
	for (size_t k = 0; k < e->nparams; k++)
		ps[k] = (struct journal_param){ e->param_keys[k], e->param_values[k] };
	/* A step on another server (a rename on the primary) is judged by
	 * the cells it served, and the note says where it acted. */
	char *cells = repair_verify_states_text(e, states);
	bool elsewhere = e->nfor > 0 && (e->nfor > 1 || strcasecmp(e->for_dps[0], e->dp_server) != 0);
	char *note = xasprintf("interrupted; verified %s: %s on %s%s%s%s", by, e->package_id, cells,
	    elsewhere ? " (the step acted on " : "", elsewhere ? e->dp_server : "",
	    elsewhere ? ")" : "");
	free(cells);
	/* The note is the entry's output (its digest) and, in words, a
	 * parameter, so `history` shows what was seen. */
	ps[e->nparams] = (struct journal_param){ "verified", note };
	struct journal_step s = {
		.site = e->site, .plan = e->plan, .number = e->step_number,
		.name = e->step_name, .package_id = e->package_id,
		.dp_server = e->dp_server, .run_id = e->run_id,
		.for_dps = (const char *const *)e->for_dps, .nfor = e->nfor,
		.params = ps, .nparams = e->nparams + 1,
	};
	int rc = journal_end(journal, &s, e->step_id, JOURNAL_INTERRUPTED, note,
	    strlen(note), err);
	free(note);
	free(ps);
	return rc;
}

/* The states of a step's cells on the site (v->states), or -1 with *err. */
static int
verify_read_states(const struct repair_env *env, struct repair_verified *v, char **err)
{
	struct deadline dl = { clock_mono_ms() + VERIFY_READ_MS, env->cancel };
	struct snapshot *s = status_fetch_package(env->t, env->site, env->provider,
	    v->begin.package_id, &dl, err);
	if (s == NULL)
		return -1;
	v->states = xcalloc(repair_verify_ndps(&v->begin), sizeof *v->states);
	repair_verify_states(s, &v->begin, v->states);
	snapshot_free(s);
	return 0;
}

/* Take the lock of every cell the step served (all or none); 0, or -1
 * with *err naming the holder. */
static int
verify_lock(const struct repair_env *env, const struct journal_entry *e,
    struct repair_lock **lk, char **err)
{
	size_t n = repair_verify_ndps(e);
	for (size_t i = 0; i < n; i++)
		if (repair_lock_take(env->lock_dir, e->site, e->package_id,
		    repair_verify_dp(e, i), &lk[i], err) != 0) {
			while (i-- > 0)
				repair_lock_release(lk[i]);
			return -1;
		}
	return 0;
}

/* Read and close one step (unless running); v says what happened. */
static void
verify_one(const struct repair_env *env, const char *by, struct repair_verified *v)
{
	v->running = env->lock_dir != NULL && repair_lock_runs(env->lock_dir, &v->begin);
	if (v->running)
		return;
	/* Held while the cells are read and the step closed, so no repair of
	 * them starts in between (and one that runs now is left alone). */
	size_t n = repair_verify_ndps(&v->begin);
	struct repair_lock **lk = xcalloc(n, sizeof *lk);
	char *err = NULL;
	if (env->lock_dir != NULL && verify_lock(env, &v->begin, lk, &err) != 0) {
		v->why = xasprintf("not now: %s", err ? err : "?");
	} else if (verify_read_states(env, v, &err) != 0) {
		v->why = xasprintf("cannot read the cell: %s", err ? err : "?");
	} else if (repair_verify_close(env->journal, &v->begin, v->states, by, &err) != 0) {
		v->why = xasprintf("cannot close the step: %s", err ? err : "?");
	} else {
		v->closed = true;
	}
	for (size_t i = 0; i < n; i++)
		repair_lock_release(lk[i]);
	free(lk);
	free(err);
}

static bool
verify_matches(const struct journal_filter *only, const struct journal_entry *e)
{
	if (only == NULL)
		return true;
	if (only->package != NULL && strcasecmp(only->package, e->package_id) != 0)
		return false;
	if (only->dp == NULL || strcasecmp(only->dp, e->dp_server) == 0)
		return true;
	for (size_t i = 0; i < e->nfor; i++)
		if (strcasecmp(only->dp, e->for_dps[i]) == 0)
			return true;
	return false;
}

int
repair_verify(const struct repair_env *env, const struct journal_filter *only,
    const char *by, struct repair_verify_list *out, journal_warn_fn warn, void *ctx,
    char **err)
{
	*out = (struct repair_verify_list){ 0 };
	struct journal_list l = { 0 };
	if (journal_unfinished(env->journal, &l, warn, ctx, err) != 0)
		return -1;
	out->v = xcalloc(l.n ? l.n : 1, sizeof *out->v);
	for (size_t i = 0; i < l.n; i++) {
		if (!verify_matches(only, &l.v[i]))
			continue;
		struct repair_verified *v = &out->v[out->n++];
		journal_entry_copy(&v->begin, &l.v[i]);
		verify_one(env, by, v);
	}
	journal_list_free(&l);
	return 0;
}

void
repair_verify_list_free(struct repair_verify_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		journal_entry_free(&l->v[i].begin);
		free(l->v[i].states);
		free(l->v[i].why);
	}
	free(l->v);
	*l = (struct repair_verify_list){ 0 };
}
