/*
 * Verifying unfinished repair steps (repair_verify.h): read the cell the
 * step acted on, then write its end entry as interrupted with what was
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

int
repair_verify_close(const char *journal, const struct journal_entry *begin, int state,
    const char *by, char **err)
{
	const struct journal_entry *e = begin;
	struct journal_param *ps = xreallocarray(NULL, e->nparams + 1, sizeof *ps);
	for (size_t k = 0; k < e->nparams; k++)
		ps[k] = (struct journal_param){ e->param_keys[k], e->param_values[k] };
	char *note = xasprintf("interrupted; verified %s: %s on %s is %s", by,
	    e->package_id, e->dp_server, repair_verify_state_label(state));
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

/* The state of one cell on the site, or REPAIR_VERIFY_UNREAD with *err. */
static int
verify_read_state(const struct repair_env *env, const struct journal_entry *e, char **err)
{
	struct deadline dl = { clock_mono_ms() + VERIFY_READ_MS, env->cancel };
	struct snapshot *s = status_fetch_package(env->t, env->site, env->provider,
	    e->package_id, &dl, err);
	if (s == NULL)
		return REPAIR_VERIFY_UNREAD;
	long p = snapshot_find_pkg(s, e->package_id);
	long d = snapshot_find_dp(s, e->dp_server);
	const struct cell *c = p >= 0 && d >= 0 ? snapshot_cell(s, (size_t)p, (size_t)d) : NULL;
	int state = c != NULL ? (int)c->state : REPAIR_VERIFY_NOT_TARGETED;
	snapshot_free(s);
	return state;
}

/* Read and close one step (unless running); v says what happened. */
static void
verify_one(const struct repair_env *env, const char *by, struct repair_verified *v)
{
	v->state = REPAIR_VERIFY_UNREAD;
	v->running = env->lock_dir != NULL && repair_lock_runs(env->lock_dir, &v->begin);
	if (v->running)
		return;
	/* Held while the cell is read and the step closed, so no repair of
	 * the pair starts in between (and one that runs now is left alone). */
	struct repair_lock *lk = NULL;
	char *err = NULL;
	if (env->lock_dir != NULL && repair_lock_take(env->lock_dir, v->begin.site,
	    v->begin.package_id, v->begin.dp_server, &lk, &err) != 0) {
		v->why = xasprintf("not now: %s", err ? err : "?");
		free(err);
		return;
	}
	v->state = verify_read_state(env, &v->begin, &err);
	if (v->state == REPAIR_VERIFY_UNREAD) {
		v->why = xasprintf("cannot read the cell: %s", err ? err : "?");
	} else if (repair_verify_close(env->journal, &v->begin, v->state, by, &err) != 0) {
		v->why = xasprintf("cannot close the step: %s", err ? err : "?");
	} else {
		v->closed = true;
	}
	repair_lock_release(lk);
	free(err);
}

static bool
verify_matches(const struct journal_filter *only, const struct journal_entry *e)
{
	if (only == NULL)
		return true;
	return (only->package == NULL || strcasecmp(only->package, e->package_id) == 0) &&
	    (only->dp == NULL || strcasecmp(only->dp, e->dp_server) == 0);
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
		free(l->v[i].why);
	}
	free(l->v);
	*l = (struct repair_verify_list){ 0 };
}
