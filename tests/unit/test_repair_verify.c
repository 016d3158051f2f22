/*
 * Tests for closing unfinished repair steps (backend/repair/repair_verify.c):
 * repair_verify_close() writes the step's end entry as interrupted with a
 * note naming the state seen; repair_verify() reads each unfinished step's
 * cell from a simulated site and closes it, closes only the pairs its
 * filter names, and never closes a step whose run still holds its pair's
 * lock (running).  A step that acted on the primary for a DP (a rename) is
 * judged by the DP's cell, not by the primary's.
 */
#include "autoconf.h"
#include "backend/repair/repair_verify.h"
#include "backend/repair/repair_lock.h"
#include "backend/sms/status.h"
#include "backend/sim/simint.h"
#include "backend/core/util.h"
#include "tests/unit/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *journal;

/* Journal a begin entry for the pair; its step id in id. */
static int
begin_step(const char *pkg, const char *dp, char id[static JOURNAL_ID_MAX])
{
	struct journal_step s = { .site = "009", .plan = "preload-pck", .number = 7,
	    .name = "wait-installed", .package_id = pkg, .dp_server = dp };
	char *err = NULL;
	int rc = journal_begin(journal, &s, id, &err);
	if (rc != 0)
		printf("# journal_begin: %s\n", err);
	free(err);
	return rc;
}

/* The end entry of step id: its result and its "verified" parameter. */
struct found {
	const char *id;
	enum journal_result result;
	char *verified;
	int ends;
};

static int
find_end(const struct journal_entry *e, void *ctx)
{
	struct found *f = ctx;
	if (e->phase != JOURNAL_END || strcmp(e->step_id, f->id) != 0)
		return 0;
	f->ends++;
	f->result = e->result;
	for (size_t i = 0; i < e->nparams; i++)
		if (strcmp(e->param_keys[i], "verified") == 0) {
			free(f->verified);
			f->verified = xstrdup(e->param_values[i]);
		}
	return 0;
}

static struct found
end_of(const char *id)
{
	struct found f = { .id = id };
	char *err = NULL;
	if (journal_read(journal, find_end, NULL, &f, &err) != 0)
		printf("# journal_read: %s\n", err);
	free(err);
	return f;
}

static void
test_close(void)
{
	char id[JOURNAL_ID_MAX];
	ok(begin_step("0090000E", "MADRIDDP01", id) == 0, "a step begun");
	struct journal_list l = { 0 };
	char *err = NULL;
	ok(journal_unfinished(journal, &l, NULL, NULL, &err) == 0 && l.n == 1, "  unfinished");
	ok(l.n == 1 && repair_verify_close(journal, &l.v[0], (const int[]){ 3 /* a cell_state */ },
	    "at start-up", &err) == 0, "repair_verify_close writes its end");
	struct found f = end_of(id);
	ok(f.ends == 1 && f.result == JOURNAL_INTERRUPTED, "  result interrupted");
	char *want = xasprintf("interrupted; verified at start-up: 0090000E on MADRIDDP01 is %s",
	    repair_verify_state_label(3));
	is_str(f.verified ? f.verified : "", want, "  the note names the state seen");
	free(want);
	free(f.verified);
	journal_list_free(&l);
	ok(journal_unfinished(journal, &l, NULL, NULL, &err) == 0 && l.n == 0,
	    "  and nothing is unfinished");
	journal_list_free(&l);
	free(err);
}

static void
test_verify(struct transport *t, const char *locks)
{
	struct deadline dl = { clock_mono_ms() + 60000, NULL };
	char *err = NULL;
	struct snapshot *s = status_fetch(t, "009", NULL, &dl, &err);
	ok(s != NULL && s->npkgs > 1 && s->ndps > 0, "the simulated site's status");
	if (s == NULL) {
		printf("# %s\n", err);
		free(err);
		return;
	}
	/* Two pairs with cells: one to verify, one whose run holds its lock. */
	const struct cell *c0 = NULL;
	size_t p0 = 0, d0 = 0, p1 = 0, d1 = 0;
	for (size_t p = 0; p < s->npkgs && c0 == NULL; p++)
		for (size_t d = 0; d < s->ndps && c0 == NULL; d++)
			if ((c0 = snapshot_cell(s, p, d)) != NULL)
				p0 = p, d0 = d;
	for (size_t p = p0 + 1; p < s->npkgs && p1 == 0; p++)
		for (size_t d = 0; d < s->ndps && p1 == 0; d++)
			if (snapshot_cell(s, p, d) != NULL)
				p1 = p, d1 = d;
	ok(c0 != NULL && p1 != 0, "  two pairs to verify");
	const char *pk0 = s->pkgs[p0].id, *dp0 = s->dps[d0].name;
	const char *pk1 = s->pkgs[p1].id, *dp1 = s->dps[d1].name;
	char id0[JOURNAL_ID_MAX], id1[JOURNAL_ID_MAX];
	ok(begin_step(pk0, dp0, id0) == 0 && begin_step(pk1, dp1, id1) == 0, "two steps begun");
	struct repair_lock *lk = NULL;
	ok(repair_lock_take(locks, "009", pk1, dp1, &lk, &err) == 0,
	    "  the second one's run (this process) holds its lock");
	struct repair_env env = { .t = t, .site = "009", .journal = journal, .lock_dir = locks };
	struct repair_verify_list out;
	struct journal_filter other = { .package = "009FFFFF", .dp = NULL };
	ok(repair_verify(&env, &other, "by test", &out, NULL, NULL, &err) == 0 && out.n == 0,
	    "a filter naming another pair verifies nothing");
	repair_verify_list_free(&out);
	is_int(end_of(id0).ends, 0, "  the step stays open");
	ok(repair_verify(&env, NULL, "by test", &out, NULL, NULL, &err) == 0 && out.n == 2,
	    "repair_verify meets both steps");
	for (size_t i = 0; i < out.n; i++) {
		const struct repair_verified *v = &out.v[i];
		if (strcmp(v->begin.step_id, id0) == 0) {
			ok(v->closed && !v->running && v->states != NULL &&
			    v->states[0] == (int)c0->state, "  the first: read (%s) and closed",
			    v->states ? repair_verify_state_label(v->states[0]) : "nothing");
		} else {
			ok(v->running && !v->closed, "  the running one: left open");
		}
	}
	repair_verify_list_free(&out);
	struct found f0 = end_of(id0), f1 = end_of(id1);
	char *want = xasprintf("interrupted; verified by test: %s on %s is %s", pk0, dp0,
	    state_info(c0->state)->label);
	ok(f0.ends == 1 && f0.result == JOURNAL_INTERRUPTED, "  journalled interrupted");
	is_str(f0.verified ? f0.verified : "", want, "  with the state it saw");
	is_int(f1.ends, 0, "  the running step has no end entry");
	free(want);
	free(f0.verified);
	free(f1.verified);
	repair_lock_release(lk);
	snapshot_free(s);
	free(err);
}

/* A rename on the primary for one DP: verified by the DP's cell, found by
 * a filter naming the DP. */
static void
test_verify_served(struct transport *t, const char *locks)
{
	struct deadline dl = { clock_mono_ms() + 60000, NULL };
	char *err = NULL;
	struct snapshot *s = status_fetch(t, "009", NULL, &dl, &err);
	const struct cell *c = NULL;
	size_t pi = 0, di = 0;
	for (size_t p = 0; s != NULL && p < s->npkgs && c == NULL; p++)
		for (size_t d = 0; d < s->ndps && c == NULL; d++)
			if (strcasecmp(s->dps[d].name, "SMS009PRI") != 0 &&
			    (c = snapshot_cell(s, p, d)) != NULL)
				pi = p, di = d;
	ok(c != NULL, "a pair whose rename ran on the primary");
	if (c == NULL) {
		free(err);
		snapshot_free(s);
		return;
	}
	const char *served[] = { s->dps[di].name };
	struct journal_step st = { .site = "009", .plan = "rename-pck-touch-source",
	    .number = 1, .name = "rename-pck", .package_id = s->pkgs[pi].id,
	    .dp_server = "SMS009PRI", .for_dps = served, .nfor = 1 };
	char id[JOURNAL_ID_MAX];
	ok(journal_begin(journal, &st, id, &err) == 0, "  its step begun");
	struct repair_env env = { .t = t, .site = "009", .journal = journal, .lock_dir = locks };
	struct repair_verify_list out;
	struct journal_filter by_dp = { .package = s->pkgs[pi].id, .dp = served[0] };
	ok(repair_verify(&env, &by_dp, "by test", &out, NULL, NULL, &err) == 0 && out.n == 1 &&
	    out.v[0].closed && out.v[0].states[0] == (int)c->state,
	    "  --dp DP finds it and reads the DP's cell (%s)", state_info(c->state)->label);
	repair_verify_list_free(&out);
	struct found f = end_of(id);
	char *want = xasprintf("interrupted; verified by test: %s on %s is %s (the step acted "
	    "on SMS009PRI)", s->pkgs[pi].id, served[0], state_info(c->state)->label);
	is_str(f.verified ? f.verified : "", want, "  the note names the DP and where it acted");
	free(want);
	free(f.verified);
	snapshot_free(s);
	free(err);
}

int
main(void)
{
	char *top = xstrdup("/tmp/dpd-test-verify-XXXXXX"), *err = NULL;
	if (mkdtemp(top) == NULL)
		return 99;
	setenv("DPDOCTOR_SIM_TIME", "2007-01-04T10:00:00Z", 1);
	char *dir = xasprintf("%s/site", top), *locks = xasprintf("%s/state/locks", top);
	journal = xasprintf("%s/state/journal.jsonl", top);
	struct sim_info info;
	if (sim_ensure(dir, "default", 1, false, &err) != 0 || sim_info(dir, &info, &err) != 0) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	struct transport *t = transport_sim_new(dir, info.primary);
	test_close();
	test_verify(t, locks);
	test_verify_served(t, locks);
	transport_close(t);
	sim_info_free(&info);
	(void)simfs_remove_tree(top, NULL);
	free(dir);
	free(locks);
	free(journal);
	free(top);
	return done_testing();
}
