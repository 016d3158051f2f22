/*
 * Carrying out one answered step of a repair run.  The order for every
 * unit is fixed and is the safety argument: re-check the precondition
 * (reads only), write the journal's begin entry and fsync it, act, verify,
 * write the end entry.  A step the administrator declined or skipped is
 * journalled too, so the journal tells what was offered and refused as
 * well as what was done.  Destructive steps first compare their targets
 * with what the plan showed, and hand the decision back when they differ.
 * Also here: the re-read when a group starts and at the end, and batch
 * grouping (the summary is in repair_report.c).
 */
#include "autoconf.h"
#include "backend/repair/repair_int.h"
#include "backend/repair/journal.h"
#include "backend/core/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static enum journal_result
journal_result_of(enum repair_outcome o)
{
	switch (o) {
	case RO_OK: case RO_NOT_NEEDED: return JOURNAL_OK;
	case RO_SKIPPED: return JOURNAL_SKIPPED;
	case RO_DECLINED: return JOURNAL_DECLINED;
	case RO_DRY_RUN: return JOURNAL_DRY_RUN;
	case RO_REFUSED: return JOURNAL_REFUSED;
	case RO_INTERRUPTED: return JOURNAL_INTERRUPTED;
	case RO_ABORTED: return JOURNAL_ABORTED;
	default: return JOURNAL_FAILED;
	}
}

/*
 * The DPs of the cells one journal entry's step serves (its "for"): the
 * entry's "dp" is the primary for a step on the package (rename, touch) and
 * the first cell's DP for one done once for several (a copy to their site
 * server), yet the step belongs to the history of every cell it repairs.
 * Taken once before the begin entry, so begin and end name the same cells.
 * NULL in journal_open/close: the entry is for its cell alone.
 */
struct served {
	const char **dps;
	size_t n;
};

/* The unit's cells that are still to run the step, c among them. */
static struct served
served_of(const struct repair_run *r, size_t step, const struct rcell *c)
{
	enum repair_unit u = repair_actions[r->steps[step]].unit;
	struct served sv = { xcalloc(r->ncells, sizeof *sv.dps), 0 };
	for (size_t i = 0; i < r->ncells; i++) {
		const struct rcell *k = &r->cells[i];
		if (k == c || (repair_same_unit(u, k, c) && k->res.active &&
		    k->res.step[step] == RO_PENDING))
			sv.dps[sv.n++] = k->res.dp;
	}
	return sv;
}

static struct journal_step
jstep(const struct repair_run *r, const struct rcell *c, size_t step,
    const struct step_ctx *x, const struct served *sv, const char **one,
    struct journal_param *params)
{
	size_t n = 0;
	for (; x != NULL && n < x->nparams; n++)
		params[n] = (struct journal_param){ x->param_keys[n], x->param_values[n] };
	const struct action_def *a = &repair_actions[r->steps[step]];
	*one = c->res.dp;
	return (struct journal_step){
		.site = r->env.site, .plan = repair_plan_name(r->plan),
		.number = (int)step + 1, .name = repair_action_name(r->steps[step]),
		.package_id = c->pkg->id,
		.dp_server = a->unit == UNIT_PACKAGE ? r->env.primary : c->res.dp,
		.run_id = r->run_id,
		.for_dps = sv != NULL ? sv->dps : one, .nfor = sv != NULL ? sv->n : 1,
		.params = params, .nparams = n,
	};
}

static int
journal_open(const struct repair_run *r, const struct rcell *c, size_t step,
    const struct step_ctx *x, const struct served *sv, char id[static JOURNAL_ID_MAX],
    char **err)
{
	if (r->env.journal == NULL)
		return 0;
	struct journal_param params[STEP_PARAMS_MAX];
	const char *one;
	struct journal_step s = jstep(r, c, step, x, sv, &one, params);
	return journal_begin(r->env.journal, &s, id, err);
}

static int
journal_close(const struct repair_run *r, const struct rcell *c, size_t step,
    const struct step_ctx *x, const struct served *sv, const char *id,
    enum repair_outcome o, char **err)
{
	if (r->env.journal == NULL)
		return 0;
	struct journal_param params[STEP_PARAMS_MAX];
	const char *one;
	struct journal_step s = jstep(r, c, step, x, sv, &one, params);
	const struct buf *out = x->out.len ? &x->out : &x->msg;
	return journal_end(r->env.journal, &s, id, journal_result_of(o), out->data,
	    out->len, err);
}

/* Outcomes after which the cell goes no further in this run. */
static bool
repair_outcome_ends(enum repair_outcome o)
{
	static const enum repair_outcome ends[] = {
		RO_FAILED, RO_DECLINED, RO_REFUSED, RO_INTERRUPTED, RO_ABORTED,
	};
	for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
		if (ends[i] == o)
			return true;
	return false;
}

/* What a step came to, in words for an end entry that could not be written. */
static const struct {
	enum repair_outcome o;
	const char *words;
} end_lost_words[] = {
	{ RO_OK, "ran and succeeded" },
	{ RO_NOT_NEEDED, "ran and found nothing to do" },
	{ RO_FAILED, "ran and failed" },
	{ RO_DRY_RUN, "ran as a dry run (nothing changed)" },
	{ RO_REFUSED, "was refused by read-only mode (nothing sent)" },
	{ RO_SKIPPED, "was skipped (nothing changed)" },
	{ RO_DECLINED, "was declined (nothing changed)" },
	{ RO_INTERRUPTED, "was interrupted (its effect is unknown)" },
	{ RO_ABORTED, "was aborted (nothing changed)" },
};

/*
 * The step's end entry could not be written (disk full) after the step
 * acted: *err then says plainly that it ran and what it came to, not only
 * the journal's error, which alone reads as if the step had failed.  The
 * outcome stays in the run (the summary is true); the begin entry without
 * its end keeps the next start's warning.
 */
static void
end_lost(const struct repair_run *r, size_t step, enum repair_outcome o, const char *msg,
    char **err)
{
	if (err == NULL)
		return;
	const char *words = "ran";
	for (size_t i = 0; i < sizeof end_lost_words / sizeof *end_lost_words; i++)
		if (end_lost_words[i].o == o)
			words = end_lost_words[i].words;
	char *was = *err;
	*err = xasprintf("step %zu (%s) %s%s%s%s, but its end entry could not be written: %s; "
	    "the journal shows it unfinished", step + 1, repair_action_name(r->steps[step]),
	    words, msg && *msg ? " (" : "", msg ? msg : "", msg && *msg ? ")" : "",
	    was ? was : "the journal could not be written");
	free(was);
}

/* Give an outcome to every active cell of c's unit. */
static void
set_unit(struct repair_run *r, size_t step, const struct rcell *c, enum repair_unit u,
    enum repair_outcome o, const struct step_ctx *x)
{
	for (size_t i = 0; i < r->ncells; i++) {
		struct rcell *k = &r->cells[i];
		if (!repair_same_unit(u, k, c) || !k->res.active || k->res.step[step] != RO_PENDING)
			continue;
		k->res.step[step] = o;
		free(k->res.message[step]);
		k->res.message[step] = xstrdup(x->msg.data ? x->msg.data : "");
		free(k->res.output);
		k->res.output = x->out.len > 0 ? xstrdup(x->out.data) : NULL;
		if (k != c) {      /* the unit's answer is every cell's */
			k->answer = c->answer;
			k->answer_step = c->answer_step;
		}
		if (repair_outcome_ends(o))
			k->res.active = false;
	}
}

static void
ctx_free(struct step_ctx *x)
{
	buf_free(&x->msg);
	buf_free(&x->out);
	for (size_t i = 0; i < x->nparams; i++)
		free(x->param_values[i]);
}

/* Were any changing steps before `step` in this plan (a dry run's checks
 * may fail only because those did not run)? */
static bool
earlier_changes(const struct repair_run *r, size_t step)
{
	for (size_t i = 0; i < step; i++)
		if (repair_action_changes(r->steps[i]) || repair_actions[r->steps[i]].hand)
			return true;
	return false;
}

/* pre, begin, act, verify, end for one unit. -1: the journal failed. */
static int
run_unit(struct repair_run *r, size_t step, struct rcell *c, char **err)
{
	const struct action_def *a = &repair_actions[r->steps[step]];
	struct step_ctx x = { .run = r, .cell = c, .step = step };
	buf_init(&x.msg);
	buf_init(&x.out);
	enum repair_outcome o = RO_OK;
	int pre = a->pre ? a->pre(&x) : 0;
	if (r->when[step] != WHEN_ALWAYS) {
		/* A branch: the journal says which answer led here (after the
		 * step's own parameters, which its functions read by index). */
		char *why = xasprintf("step %zu: PreloadPkgOnSite answered 'already set in the "
		    "database' on %s", c->answer_step + 1, c->sms_server);
		step_param(&x, "branch", why);
		free(why);
	}
	char id[JOURNAL_ID_MAX] = "";
	struct served sv = served_of(r, step, c);
	if (journal_open(r, c, step, &x, &sv, id, err) != 0) {
		free(sv.dps);
		ctx_free(&x);
		return -1;
	}
	if (pre == 1) {
		o = RO_NOT_NEEDED;
	} else if (pre < 0) {
		o = r->env.dry_run && earlier_changes(r, step) ? RO_DRY_RUN : RO_FAILED;
		if (o == RO_DRY_RUN)
			buf_adds(&x.msg, " (an earlier step would change this)");
	} else if (r->env.dry_run && (repair_action_changes(r->steps[step]) || a->hand)) {
		char *cmd = repair_expand(r, c, a->command);
		buf_reset(&x.msg);
		buf_printf(&x.msg, a->hand ? "dry run: would ask you to do this by hand: %s" :
		    "dry run: would run: %s", cmd);
		free(cmd);
		o = RO_DRY_RUN;
	} else {
		int rc = a->act ? a->act(&x) : 0;
		if (rc == 0 && a->check != NULL)
			rc = a->check(&x);
		o = rc == 0 ? RO_OK : rc == 1 ? RO_NOT_NEEDED : x.refused ? RO_REFUSED : RO_FAILED;
		/* A signal cut the action or its check short: not a failure of
		 * the step, and its effect is unknown. */
		if (o == RO_FAILED && repair_cancelled(r))
			o = RO_INTERRUPTED;
		/* A check in a dry run may fail only because the steps before it
		 * were not carried out. */
		if (o == RO_FAILED && r->env.dry_run && earlier_changes(r, step)) {
			o = RO_DRY_RUN;
			buf_adds(&x.msg, " (an earlier step would change this)");
		}
	}
	set_unit(r, step, c, a->unit, o, &x);
	int jr = journal_close(r, c, step, &x, &sv, id, o, err);
	if (jr != 0)
		end_lost(r, step, o, x.msg.data, err);
	free(sv.dps);
	ctx_free(&x);
	return jr;
}

/* Journal a step that was not run (declined, skipped) for cell c; with
 * key, why is a parameter too (the journal keeps only a digest of the
 * message, and an abandoned run must say in words how it was left). */
static int
record_one(struct repair_run *r, struct rcell *c, size_t step, enum repair_outcome o,
    const char *why, const char *key, char **err)
{
	struct step_ctx x = { .run = r, .cell = c, .step = step };
	buf_init(&x.msg);
	buf_init(&x.out);
	buf_adds(&x.msg, why);
	if (key != NULL)
		step_param(&x, key, why);
	char id[JOURNAL_ID_MAX] = "";
	int rc = journal_open(r, c, step, &x, NULL, id, err);
	if (rc == 0) {
		c->res.step[step] = o;
		free(c->res.message[step]);
		c->res.message[step] = xstrdup(why);
		if (repair_outcome_ends(o))
			c->res.active = false;
		rc = journal_close(r, c, step, &x, NULL, id, o, err);
		if (rc != 0)
			end_lost(r, step, o, why, err);
	}
	ctx_free(&x);
	return rc;
}

/* The same for each active cell still pending at the step. */
static int
record_answer(struct repair_run *r, size_t step, enum repair_outcome o, const char *why,
    const char *key, char **err)
{
	for (size_t i = 0; i < r->ncells; i++) {
		struct rcell *c = &r->cells[i];
		if (!c->res.active || c->res.step[step] != RO_PENDING)
			continue;
		if (record_one(r, c, step, o, why, key, err) != 0)
			return -1;
	}
	return 0;
}

/* Cells that went inactive earlier are marked for the steps they miss. */
static void
mark_dropped(struct repair_run *r, size_t step)
{
	for (size_t i = 0; i < r->ncells; i++) {
		struct rcell *c = &r->cells[i];
		if (c->res.active || c->res.step[step] != RO_PENDING)
			continue;
		bool installed = step > 0 && c->res.step[step - 1] == RO_NOT_NEEDED &&
		    c->state_now == STATE_INSTALLED;
		c->res.step[step] = installed ? RO_NOT_NEEDED : RO_DROPPED;
		free(c->res.message[step]);
		c->res.message[step] = xstrdup(installed ? "installed: nothing more to do" :
		    "not run: an earlier step failed or was declined");
	}
}

/* Before a step that changes something: cells that are installed by now
 * need nothing more (never redistribute to installed content). */
static int
drop_installed(struct repair_run *r, size_t step, char **err)
{
	if (repair_read_states(r, false, err) != 0)
		return -1;
	for (size_t i = 0; i < r->ncells; i++) {
		struct rcell *c = &r->cells[i];
		if (!c->res.active || c->res.step[step] != RO_PENDING ||
		    c->state_now != STATE_INSTALLED)
			continue;
		c->res.step[step] = RO_NOT_NEEDED;
		free(c->res.message[step]);
		c->res.message[step] = xstrdup("no longer needed: installed since the plan "
		    "was made");
		c->res.active = false;
		c->healed = step == 0;
	}
	return 0;
}

int
repair_recheck(struct repair_run *r, char **err)
{
	if (r->over || r->next >= r->nsteps)
		return 0;
	mark_dropped(r, r->next);
	return drop_installed(r, r->next, err);
}

/* A destructive step's targets, compared with the plan's survey. */
static int
targets_changed(struct repair_run *r, size_t step, char **why)
{
	enum repair_action act = r->steps[step];
	for (size_t i = 0; i < r->ncells; i++) {
		struct rcell *c = &r->cells[i];
		if (!c->res.active || c->res.step[step] != RO_PENDING)
			continue;
		struct fingerprint *was = act == RA_RENAME_PCK ? &c->pkg->pck : &c->dmpkg;
		char *path = act == RA_RENAME_PCK ? xstrdup(c->pkg->pck_path) : repair_dp_dmpkg(c);
		struct fingerprint now;
		int rc = repair_fingerprint(r, c, path, &now, why);
		if (rc == 0 && (now.present != was->present || now.size != was->size ||
		    now.when != was->when)) {
			char a[21] = "-", b[21] = "-";
			if (was->when)
				time_format_iso(was->when, a);
			if (now.when)
				time_format_iso(now.when, b);
			err_set(why, "%s changed since the plan was shown (%s, %llu bytes, %s; "
			    "now %s, %llu bytes, %s)", path, was->present ? "present" : "absent",
			    (unsigned long long)was->size, a, now.present ? "present" : "absent",
			    (unsigned long long)now.size, b);
			*was = now;
			rc = 1;
		}
		free(path);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* A step that covers every cell at once (the waits): a begin entry for
 * each active cell, the step, an end entry for each. */
static enum repair_step_status
exec_all(struct repair_run *r, size_t i, char **why)
{
	char (*ids)[JOURNAL_ID_MAX] = xcalloc(r->ncells, sizeof *ids);
	bool *began = xcalloc(r->ncells, sizeof *began);
	enum repair_step_status st = RS_DONE;
	for (size_t k = 0; k < r->ncells && st == RS_DONE; k++) {
		if (!r->cells[k].res.active)
			continue;
		if (journal_open(r, &r->cells[k], i, NULL, NULL, ids[k], why) != 0)
			st = RS_ERROR;
		began[k] = st == RS_DONE;
	}
	if (st == RS_DONE && r->env.dry_run) {
		char *what = repair_expand(r, &r->cells[0], repair_actions[r->steps[i]].command);
		for (size_t k = 0; k < r->ncells; k++) {
			struct rcell *c = &r->cells[k];
			if (!c->res.active)
				continue;
			c->res.step[i] = RO_DRY_RUN;
			free(c->res.message[i]);
			c->res.message[i] = xasprintf("dry run: would %s", what);
		}
		free(what);
	} else if (st == RS_DONE) {
		repair_actions[r->steps[i]].run_all(r, i);
	}
	for (size_t k = 0; k < r->ncells; k++) {
		if (!began[k])
			continue;
		struct rcell *c = &r->cells[k];
		struct step_ctx x = { .run = r };
		buf_init(&x.msg);
		buf_init(&x.out);
		if (c->res.message[i])
			buf_adds(&x.msg, c->res.message[i]);
		enum repair_outcome o = c->res.step[i] == RO_PENDING ? RO_FAILED : c->res.step[i];
		/* Every began cell gets its end entry tried; *why tells of the first
		 * that could not be written. */
		char *e = NULL;
		if (journal_close(r, c, i, &x, NULL, ids[k], o, &e) != 0 && st == RS_DONE) {
			end_lost(r, i, o, c->res.message[i], &e);
			if (why != NULL) {
				free(*why);
				*why = e;
				e = NULL;
			}
			st = RS_ERROR;
		}
		free(e);
		ctx_free(&x);
	}
	free(ids);
	free(began);
	return st;
}

static enum repair_step_status
exec_yes(struct repair_run *r, size_t i, bool confirm_changed, char **why)
{
	const struct action_def *a = &repair_actions[r->steps[i]];
	if ((repair_action_changes(r->steps[i]) || a->hand) && drop_installed(r, i, why) != 0)
		return RS_ERROR;
	if (repair_action_destructive(r->steps[i]) && !confirm_changed) {
		int rc = targets_changed(r, i, why);
		if (rc != 0)
			return rc > 0 ? RS_CHANGED : RS_ERROR;
	}
	if (a->run_all != NULL)
		return exec_all(r, i, why);
	for (size_t k = 0; k < r->ncells; k++) {
		struct rcell *c = &r->cells[k];
		if (!c->res.active || c->res.step[i] != RO_PENDING ||
		    !repair_unit_first(r, a->unit, k))
			continue;
		if (repair_cancelled(r))
			break;
		if (run_unit(r, i, c, why) != 0)
			return RS_ERROR;
	}
	return RS_DONE;
}

/* A branch step for the cells whose answer did not lead there: not needed,
 * journalled with the reason, and the cell goes on with the plan. */
static int
skip_branch(struct repair_run *r, size_t step, char **err)
{
	if (r->when[step] == WHEN_ALWAYS)
		return 0;
	enum preload_answer want = repair_when_answer(r->when[step]);
	for (size_t i = 0; i < r->ncells; i++) {
		struct rcell *c = &r->cells[i];
		if (!c->res.active || c->res.step[step] != RO_PENDING || c->answer == want)
			continue;
		struct step_ctx x = { .run = r, .cell = c, .step = step };
		buf_init(&x.msg);
		buf_init(&x.out);
		buf_printf(&x.msg, "not needed: %s, and PreloadPkgOnSite did not answer that "
		    "(%s)", repair_when_words(r->when[step]), c->answer == ANSWER_OK ?
		    "it set the compressed package path" : "no such answer");
		step_param(&x, "branch", "not taken");
		char id[JOURNAL_ID_MAX] = "";
		int rc = journal_open(r, c, step, &x, NULL, id, err);
		if (rc == 0) {
			c->res.step[step] = RO_NOT_NEEDED;
			free(c->res.message[step]);
			c->res.message[step] = xstrdup(x.msg.data);
			rc = journal_close(r, c, step, &x, NULL, id, RO_NOT_NEEDED, err);
			if (rc != 0)
				end_lost(r, step, RO_NOT_NEEDED, x.msg.data, err);
		}
		ctx_free(&x);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Skipping the copy before a preload: each cell is told which PCK the
 * preload will use instead (the holder's old one, or none: it fails). */
static int
skip_copy(struct repair_run *r, size_t step, char **err)
{
	if (r->steps[step] != RA_COPY_PCK)
		return 0;
	for (size_t i = 0; i < r->ncells; i++) {
		struct rcell *c = &r->cells[i];
		if (!c->res.active || c->res.step[step] != RO_PENDING)
			continue;
		char *why = repair_skip_note(r, c, step);
		int rc = why != NULL ? record_one(r, c, step, RO_SKIPPED, why, NULL, err) : 0;
		free(why);
		if (rc != 0)
			return -1;
	}
	return 0;
}

enum repair_step_status
repair_exec_step(struct repair_run *r, size_t i, enum repair_answer ans,
    bool confirm_changed, char **why)
{
	if (r->over || i != r->next || i >= r->nsteps) {
		err_set(why, "step %zu cannot run now (next is %zu of %zu)", i + 1,
		    r->next + 1, r->nsteps);
		return RS_ERROR;
	}
	mark_dropped(r, i);
	/* A branch no cell took is not needed whatever the answer (but abort). */
	bool taken = repair_step_needed(r, i);
	if (ans != RA_ABORT && skip_branch(r, i, why) != 0)
		return RS_ERROR;
	if (!taken && ans != RA_ABORT)
		ans = RA_SKIP;
	enum repair_step_status st = RS_DONE;
	switch (ans) {
	case RA_YES:
		/* The lock files say which step runs, for a run refused meanwhile. */
		for (size_t k = 0; k < r->nlocks; k++)
			if (repair_lock_step(r->locks[k], (int)i + 1,
			    repair_action_name(r->steps[i]), why) != 0)
				return RS_ERROR;
		st = exec_yes(r, i, confirm_changed, why);
		break;
	case RA_SKIP:
		if (skip_copy(r, i, why) != 0 ||
		    record_answer(r, i, RO_SKIPPED, "skipped by the administrator", NULL, why) != 0)
			st = RS_ERROR;
		break;
	case RA_NO:
		st = record_answer(r, i, RO_DECLINED, "declined by the administrator: the "
		    "plan stops here", NULL, why) != 0 ? RS_ERROR : RS_STOPPED;
		break;
	case RA_ABORT:
		/* An abort answered by a signal (the prompt cut short) is
		 * interrupted; one the administrator typed is aborted. */
		st = record_answer(r, i, repair_cancelled(r) ? RO_INTERRUPTED : RO_ABORTED,
		    repair_cancelled(r) ? "interrupted before it ran" :
		    "aborted by the administrator", NULL, why) != 0 ? RS_ERROR : RS_STOPPED;
		break;
	}
	if (st == RS_CHANGED || st == RS_ERROR)
		return st;
	if (repair_cancelled(r))
		st = RS_STOPPED;
	r->next = i + 1;
	bool any = false, failed = false;
	for (size_t k = 0; k < r->ncells; k++) {
		any |= r->cells[k].res.active;
		failed |= r->cells[k].res.step[i] == RO_FAILED;
	}
	if (failed && r->env.stop_on_failure)
		st = RS_STOPPED;
	if (st == RS_STOPPED || r->next == r->nsteps || !any) {
		r->over = true;
		for (size_t k = 0; st == RS_STOPPED && k < r->ncells; k++)
			r->cells[k].res.active = false;
		for (size_t s = r->next; s < r->nsteps; s++)
			mark_dropped(r, s);
	}
	return st;
}

/* As an abort typed at the step offered, with the caller's words (the
 * journal then says how the run was left), and the run is over. */
int
repair_abandon(struct repair_run *r, const char *why, char **err)
{
	if (r->over || r->next >= r->nsteps)
		return 0;
	size_t i = r->next;
	mark_dropped(r, i);
	int rc = record_answer(r, i, RO_ABORTED, why, "abandoned", err);
	r->over = true;
	r->next = i + 1;
	for (size_t k = 0; k < r->ncells; k++)
		r->cells[k].res.active = false;
	for (size_t s = r->next; s < r->nsteps; s++)
		mark_dropped(r, s);
	return rc;
}

bool
repair_over(const struct repair_run *r)
{
	return r->over;
}

/* ---- the end ---------------------------------------------------------------- */

int
repair_finish(struct repair_run *r, char **err)
{
	r->over = true;
	if (repair_read_states(r, true, err) != 0)
		return -1;
	for (size_t i = 0; i < r->ncells; i++)
		r->cells[i].res.state_after = r->cells[i].state_now;
	return 0;
}

bool
repair_all_installed(const struct repair_run *r)
{
	for (size_t i = 0; i < r->ncells; i++) {
		int before = r->cells[i].res.state_before, after = r->cells[i].res.state_after;
		bool removal = before >= STATE_REMOVAL_PENDING && before <= STATE_REMOVAL_FAILED;
		if (!(after == STATE_INSTALLED || (removal && after == -2)))
			return false;
	}
	return true;
}

/* ---- batches ------------------------------------------------------------------ */

size_t
repair_group(const struct repair_cell *cells, const enum repair_plan *plans, size_t n,
    struct repair_group **out, size_t *unplanned)
{
	struct repair_group *g = NULL;
	size_t ng = 0;
	*unplanned = 0;
	for (int p = 0; p < PLAN_COUNT; p++) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			k += plans[i] == (enum repair_plan)p;
		if (k == 0)
			continue;
		g = xreallocarray(g, ng + 1, sizeof *g);
		g[ng] = (struct repair_group){ (enum repair_plan)p, xcalloc(k, sizeof *g->cells), 0 };
		for (size_t i = 0; i < n; i++)
			if (plans[i] == (enum repair_plan)p)
				g[ng].cells[g[ng].ncells++] = cells[i];
		ng++;
	}
	for (size_t i = 0; i < n; i++)
		*unplanned += (unsigned)plans[i] >= PLAN_COUNT;
	*out = g;
	return ng;
}

void
repair_groups_free(struct repair_group *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(g[i].cells);
	free(g);
}

bool
repair_batch_large(size_t ncells, uint64_t bytes)
{
	return ncells > REPAIR_BATCH_CELLS || bytes > REPAIR_BATCH_BYTES;
}
