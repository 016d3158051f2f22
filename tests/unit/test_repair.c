/*
 * Every repair plan end to end on the simulated default site, from the
 * failing cell to the installed one, through the same executor the wizard
 * and `dpdoctor repair` use.  The site's clock is frozen and the wait
 * steps' sleep moves it on, so the run is fast and deterministic.  Also:
 * a plan in the wrong order fails as on a real site, a dry run and a
 * declined step change nothing (the whole tree hashed before and after),
 * read-only refuses every change, a destructive step notices a changed
 * target, the journal pairs every begin with an end, and a batch heals
 * several cells at once.  And each step says what it is sent as: the op,
 * the server that runs it, the transport and how the script travels.
 * A batch run journals every step under one run id, a step on the primary
 * for every DP it serves, and a run left at a step (the wizard closed
 * under it) journals that step aborted with the reason.
 */
#include "autoconf.h"
#include "backend/repair/journal.h"
#include "backend/repair/repair.h"
#include "backend/ops/winenc.h"
#include "backend/core/proto.h"
#include "backend/transport/route.h"
#include "backend/sim/simint.h"
#include "tests/unit/simfix.h"
#include "tests/unit/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dir;
static char *journal;
static struct transport *t;
static struct sim_info info;

static int
hand_fix(void *ctx, const char *what, const char *pkgid, const char *server, char **err)
{
	(void)ctx;
	return sim_hand_fix(dir, what, pkgid, server, err);
}

/* The [server] settings an administrator would write for the simulated
 * servers (sms_path, pck_path), from where the simulator keeps SMS on
 * each: the runs do not depend on the simulator answering the layout op. */
static char *ov_value[64][2];
static char *ov_server[64];

static const char *
ov_get(const void *ctx, const char *server, const char *key)
{
	(void)ctx;
	int k = strcmp(key, "sms_path") == 0 ? 0 : strcmp(key, "pck_path") == 0 ? 1 : -1;
	for (size_t i = 0; k >= 0 && i < 64 && ov_server[i] != NULL; i++)
		if (strcasecmp(ov_server[i], server) == 0)
			return ov_value[i][k];
	return NULL;
}

static void
ov_load(void)
{
	struct sim_site *s = simfix_load(dir);
	if (s == NULL)
		return;
	for (size_t i = 0, n = 0; i < s->nsrv && n < 64; i++) {
		if (s->srv[i].sms_drive == 0)
			continue;
		ov_server[n] = xstrdup(s->srv[i].name);
		ov_value[n][0] = xasprintf("%c:\\SMS", s->srv[i].sms_drive);
		ov_value[n][1] = xasprintf("%c:\\SMSPKG", s->srv[i].sms_drive);
		n++;
	}
	simdb_free(s);
}

static void
ov_free(void)
{
	for (size_t i = 0; i < 64; i++) {
		free(ov_server[i]);
		free(ov_value[i][0]);
		free(ov_value[i][1]);
	}
}

static struct repair_env
env_for(bool dry_run)
{
	return (struct repair_env){ .t = t, .site = "009", .primary = info.primary,
	    .journal = journal, .dry_run = dry_run, .demo = true, .minute_ms = 1000,
	    .sleep_ms = simfix_sleep, .hand_fix = hand_fix, .ov = { ov_get, NULL } };
}

/* Run every step with `ans`; the outcome of each step for cell 0 in *o. */
static struct repair_run *
run_plan(enum repair_plan plan, const struct simfix_pick *cells, size_t n, bool dry,
    enum repair_answer ans, enum repair_outcome *o)
{
	struct repair_cell rc[8];
	for (size_t i = 0; i < n; i++)
		rc[i] = (struct repair_cell){ cells[i].id, cells[i].dp };
	struct repair_env env = env_for(dry);
	struct repair_run *r = NULL;
	char *err = NULL;
	if (repair_prepare(&env, plan, rc, n, &r, &err) != 0) {
		printf("# prepare %s: %s\n", repair_plan_name(plan), err);
		free(err);
		return NULL;
	}
	for (size_t i = 0; i < repair_nsteps(r); i++) {
		enum repair_step_status st = repair_exec_step(r, i, ans, false, &err);
		if (o != NULL)
			o[i] = repair_cell(r, 0)->step[i];
		if (st == RS_ERROR)
			printf("# step %zu: %s\n", i + 1, err);
		if (st != RS_DONE || repair_over(r))
			break;
	}
	free(err);
	err = NULL;
	if (repair_finish(r, &err) != 0)
		printf("# finish: %s\n", err);
	free(err);
	return r;
}

static void
show(const struct repair_run *r)
{
	for (size_t c = 0; c < repair_ncells(r); c++)
		for (size_t i = 0; i < repair_nsteps(r); i++)
			printf("#   %s %s step %zu %s: %s: %s\n", repair_cell(r, c)->package_id,
			    repair_cell(r, c)->dp, i + 1, repair_step(r, i)->title,
			    repair_outcome_name(repair_cell(r, c)->step[i]),
			    repair_cell(r, c)->message[i] ? repair_cell(r, c)->message[i] : "");
	char *s = repair_summary(r);
	printf("# %s", s);
	free(s);
}

/* One plan heals one cell of a mode. */
static void
heals(enum sim_mode m, bool removal, enum repair_plan plan)
{
	struct simfix_pick p;
	if (!ok(simfix_find_cell(dir, m, removal, 0, &p), "a %s cell%s", sim_mode_name(m),
	    removal ? " being removed" : ""))
		return;
	int64_t t0 = simfix_now_s;
	struct repair_run *r = run_plan(plan, &p, 1, false, RA_YES, NULL);
	bool good = r != NULL && repair_all_installed(r);
	if (!good && r != NULL)
		show(r);
	ok(good, "%s: plan %s heals %s on %s", sim_mode_name(m), repair_plan_name(plan),
	    p.id, p.dp);
	ok(simfix_now_s - t0 <= 25 * 60, "... within %lld SMS minutes (< 25: under 30 s in the demo)",
	    (long long)((simfix_now_s - t0) / 60));
	repair_run_free(r);
}

static char *
tree_hash(void)
{
	char *cmd = xasprintf("cd '%s' && find . -type f ! -name site.lock -print0 | sort -z | "
	    "xargs -0 sha256sum | sha256sum", dir);
	FILE *f = popen(cmd, "r");
	char line[128] = "";
	if (f == NULL || fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	if (f != NULL)
		pclose(f);
	free(cmd);
	return xstrdup(line);
}

static void
test_views(void)
{
	struct simfix_pick p;
	if (!simfix_find_cell(dir, SIM_MODE_PCK_MISSING, false, 1, &p))
		return;
	struct repair_cell c = { p.id, p.dp };
	struct repair_env env = env_for(false);
	struct repair_run *r = NULL;
	char *err = NULL;
	ok(repair_prepare(&env, PLAN_PRELOAD_PCK, &c, 1, &r, &err) == 0, "prepare preload-pck");
	if (r == NULL)
		return;
	is_int((int)repair_nsteps(r), 7, "preload-pck has 7 steps (2 of them a branch)");
	const struct repair_step_view *v = repair_step(r, 0);
	/* The PCK folder of the server holding it, on whatever drive SMS is. */
	char *dst = xasprintf("$\\SMSPKG\\%s.PCK", p.id);
	ok(strstr(v->command, dst) != NULL && strstr(v->command, "not known") == NULL,
	    "step 1 names the holder's PCK path: %s", v->command);
	ok(v->bytes > 0 && strstr(v->scope, p.dp) != NULL, "step 1 scope: bytes and the link");
	ok(strstr(repair_step(r, 2)->command, "PreloadPkgOnSite.exe") != NULL, "step 3 is the preload");
	ok(strstr(repair_caveats(r), "RefreshPkgSource") != NULL, "the RefreshNow caveat is shown");
	ok(strchr(v->command, '{') == NULL && strchr(repair_step(r, 3)->scope, '{') == NULL,
	    "every template key is filled in");
	repair_run_free(r);
	/* Bad input */
	struct repair_cell bad[] = { { "0090ZZZZ", p.dp }, { p.id, "NOSUCHDP" }, { "x';", p.dp } };
	for (size_t i = 0; i < 3; i++) {
		free(err);
		err = NULL;
		int rc = repair_prepare(&env, PLAN_PRELOAD_PCK, &bad[i], 1, &r, &err);
		ok(rc == -1 && err, "refused: %s", err ? err : "");
	}
	free(err);
	free(dst);
}

/* The simulator behind the name "ssh": steps describe how their scripts
 * travel to a Windows host over SSH (nothing here runs them). */
static int
as_ssh_call(struct transport *x, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	(void)x;
	return transport_pass(t, op, fn, arg, dl, err);
}

static const struct transport_ops as_ssh_ops = { .name = "ssh", .call = as_ssh_call, .close = NULL };

static struct repair_run *
prepare_over(struct transport *via, enum repair_plan plan, const struct simfix_pick *p)
{
	struct repair_cell c = { p->id, p->dp };
	struct repair_env env = env_for(false);
	env.t = via;
	struct repair_run *r = NULL;
	char *err = NULL;
	if (repair_prepare(&env, plan, &c, 1, &r, &err) != 0)
		printf("# prepare %s: %s\n", repair_plan_name(plan), err);
	free(err);
	return r;
}

/* What "sent as" says of step i over ssh: one -EncodedCommand line, or
 * standard input when that line would not fit cmd.exe. */
static void
travels(const struct repair_run *r, size_t i, bool sftp)
{
	const struct repair_step_view *v = repair_step(r, i);
	char *script = repair_step_script(r, i, NULL);
	char *cmd = script ? winenc_command(script, NULL) : NULL;
	const char *how = cmd && winenc_fits(cmd) ? "one powershell.exe -EncodedCommand line" :
	    "on standard input behind a fixed -EncodedCommand bootstrap";
	char *want = xasprintf("run by %s (ssh): %s", info.primary, how);
	contains(v->sends, want, "step %d %s: sent as the script it renders, over ssh",
	    v->number, repair_action_name(v->action));
	ok((strstr(v->sends, "SFTP") != NULL) == sftp, "  %s SFTP (%s)",
	    sftp ? "may go over" : "never goes over", v->sends);
	free(want);
	free(cmd);
	free(script);
}

static void
test_sent_as(void)
{
	struct simfix_pick p;
	if (!simfix_find_cell(dir, SIM_MODE_PCK_MISSING, false, 1, &p))
		return;
	struct transport *ssh = transport_new(&as_ssh_ops, info.primary, TRANSPORT_ALL_OPS, NULL);
	struct repair_run *r = prepare_over(ssh, PLAN_PRELOAD_PCK, &p);
	if (r != NULL) {
		travels(r, 0, false);
		travels(r, 1, false);   /* the DP's file, through the site server */
		travels(r, 2, false);
		size_t w = repair_nsteps(r) - 1;
		contains(repair_step(r, w)->sends, "nothing that changes the site",
		    "the wait sends no change");
		char *err = NULL;
		char *none = repair_step_script(r, w, &err);
		ok(none == NULL && err != NULL, "  and has no script (%s)", err ? err : "");
		free(none);
		free(err);
	}
	repair_run_free(r);
	r = prepare_over(ssh, PLAN_RENAME_PCK_TOUCH, &p);
	if (r != NULL) {
		travels(r, 0, true);    /* the site server's own E:\SMSPKG */
		contains(repair_step(r, 1)->sends, "op setsourcepath",
		    "touching the source path is sent as setsourcepath (%s)",
		    repair_step(r, 1)->sends);
		char *s = repair_step_script(r, 1, NULL);
		const char *second = s ? strstr(s + 1, "# dpdoctor op=setsourcepath") : NULL;
		ok(s != NULL && strncmp(s, "# dpdoctor op=setsourcepath", 27) == 0 &&
		    second != NULL, "  two scripts, one per save");
		free(s);
	}
	repair_run_free(r);
	r = prepare_over(ssh, PLAN_FIX_SHARE_PERMS, &p);
	if (r != NULL)
		contains(repair_step(r, 0)->sends, "by hand", "a hand step sends nothing");
	repair_run_free(r);
	transport_close(ssh);
}

static void
test_wrong_order(void)
{
	struct simfix_pick p;
	if (!simfix_find_cell(dir, SIM_MODE_STALE_PKG_FILE, false, 0, &p))
		return;
	enum repair_outcome o[12] = { 0 };
	/* The seed's branch, declined: preload answers "already set", the
	 * delete is offered and refused, and the plan stops there. */
	struct repair_cell one = { p.id, p.dp };
	struct repair_env env = env_for(false);
	struct repair_run *r = NULL;
	char *err = NULL;
	if (repair_prepare(&env, PLAN_PRELOAD_PCK, &one, 1, &r, &err) != 0) {
		ok(false, "prepare: %s", err);
		free(err);
		return;
	}
	for (size_t i = 0; i < 4; i++)
		(void)repair_exec_step(r, i, i < 3 ? RA_YES : RA_NO, false, &err);
	free(err);
	err = NULL;
	ok(repair_cell(r, 0)->step[2] == RO_OK && strstr(repair_cell(r, 0)->message[2],
	    "answered 'already set in the database'") != NULL,
	    "stale PKG: preload answers 'already set' and the branch is offered (%s)",
	    repair_cell(r, 0)->message[2]);
	ok(repair_cell(r, 0)->step[3] == RO_DECLINED && repair_cell(r, 0)->step[4] == RO_DROPPED,
	    "... declined: nothing runs after it (%s)", repair_outcome_name(repair_cell(r, 0)->step[4]));
	repair_run_free(r);
	/* Again: the PCK copied then is on the DP, and copyfile says how it
	 * judged it identical (the DP is remote: by size and time, never
	 * read back over the WAN). */
	r = run_plan(PLAN_PRELOAD_PCK, &p, 1, false, RA_YES, o);
	ok(r && o[0] == RO_NOT_NEEDED && strstr(repair_cell(r, 0)->message[0],
	    "(same size and time; not hashed: a path is remote)") != NULL,
	    "... run again, the copy is not needed, and says how that was judged (%s)",
	    r ? repair_cell(r, 0)->message[0] : "");
	repair_run_free(r);

	if (!simfix_find_cell(dir, SIM_MODE_PCK_MISSING, false, 2, &p))
		return;
	r = run_plan(PLAN_REPUSH, &p, 1, false, RA_YES, o);
	ok(r && !repair_all_installed(r) && o[1] == RO_FAILED,
	    "PCK never arrived: a re-push alone does not heal it");
	repair_run_free(r);
	if (!simfix_find_cell(dir, SIM_MODE_PCK_NO_REGEN, false, 0, &p))
		return;
	r = run_plan(PLAN_TOUCH_SOURCE, &p, 1, false, RA_YES, o);
	ok(r && o[0] == RO_OK && o[1] == RO_FAILED && strstr(repair_cell(r, 0)->message[1],
	    "rename-pck-touch-source"), "stale PCK: touching does not regenerate; the "
	    "message names the next plan");
	repair_run_free(r);
}

static void
test_no_change(void)
{
	struct simfix_pick p;
	if (!simfix_find_cell(dir, SIM_MODE_STALE_PKG_FILE, false, 1, &p))
		return;
	char *before = tree_hash();
	enum repair_outcome o[8] = { 0 };
	struct repair_run *r = run_plan(PLAN_CLEAR_PKG_PRELOAD, &p, 1, true, RA_YES, o);
	char *after = tree_hash();
	ok(*before && strcmp(before, after) == 0, "dry run: the simulated tree and database "
	    "are unchanged");
	bool all = r != NULL;
	for (size_t i = 0; r && i < repair_nsteps(r); i++)
		all &= o[i] == RO_DRY_RUN || o[i] == RO_OK || o[i] == RO_NOT_NEEDED;
	ok(all, "dry run: every step ran its checks");
	ok(r && strstr(repair_cell(r, 0)->message[0], "would run: copy") != NULL,
	    "dry run says what it would do: %s", r ? repair_cell(r, 0)->message[0] : "");
	repair_run_free(r);
	free(after);

	r = run_plan(PLAN_CLEAR_PKG_PRELOAD, &p, 1, false, RA_NO, o);
	after = tree_hash();
	ok(strcmp(before, after) == 0 && o[0] == RO_DECLINED,
	    "declined at step 1: nothing changed");
	repair_run_free(r);
	free(after);

	transport_set_read_only(t, true);
	r = run_plan(PLAN_CLEAR_PKG_PRELOAD, &p, 1, false, RA_YES, o);
	transport_set_read_only(t, false);
	after = tree_hash();
	ok(strcmp(before, after) == 0 && o[0] == RO_REFUSED && r &&
	    strstr(repair_cell(r, 0)->message[0], "read-only") != NULL,
	    "read-only: the change is refused (%s)", r ? repair_cell(r, 0)->message[0] : "");
	repair_run_free(r);
	free(after);
	free(before);
}

static void
test_changed_target(void)
{
	struct simfix_pick p;
	if (!simfix_find_cell(dir, SIM_MODE_STALE_PKG_FILE, false, 2, &p))
		return;
	struct repair_cell c = { p.id, p.dp };
	struct repair_env env = env_for(false);
	struct repair_run *r = NULL;
	char *err = NULL;
	if (repair_prepare(&env, PLAN_CLEAR_PKG_PRELOAD, &c, 1, &r, &err) != 0)
		return;
	/* The delete runs after preload answered "already set". */
	for (size_t i = 0; i < 3; i++)
		(void)repair_exec_step(r, i, RA_YES, false, &err);
	/* "delete \\SERVER\D$\SMS\...": the server's own path, D:\SMS\... */
	const char *unc = strstr(repair_step(r, 3)->command, "\\\\");
	char srv[64] = "", *win = NULL;
	if (unc != NULL && sscanf(unc + 2, "%63[^\\]", srv) == 1)
		win = xasprintf("%c:%s", unc[3 + strlen(srv)], unc + 5 + strlen(srv));
	char *path = win ? sim_server_path(dir, srv, win) : xstrdup("/nonexistent");
	FILE *f = fopen(path, "a");
	ok(f != NULL && fputs("changed\n", f) >= 0 && fclose(f) == 0, "the target changes (%s)",
	    win ? win : "?");
	enum repair_step_status st = repair_exec_step(r, 3, RA_YES, false, &err);
	ok(st == RS_CHANGED && err && strstr(err, "changed since the plan was shown"),
	    "the delete asks again: %s", err ? err : "");
	ok(simfs_exists(path), "... and has not deleted it");
	free(err);
	err = NULL;
	ok(repair_exec_step(r, 3, RA_YES, true, &err) == RS_DONE &&
	    repair_cell(r, 0)->step[3] == RO_OK && !simfs_exists(path),
	    "confirmed again: deleted");
	free(err);
	free(path);
	free(win);
	repair_run_free(r);
}

static void
test_batch(void)
{
	struct simfix_pick p[3];
	bool found = true;
	for (size_t i = 0; i < 3; i++)
		found &= simfix_find_cell(dir, SIM_MODE_PCK_MISSING, false, i, &p[i]);
	if (!ok(found, "three PCK_MISSING cells"))
		return;
	struct repair_cell c[4] = { { p[0].id, p[0].dp }, { p[1].id, p[1].dp },
	    { p[2].id, p[2].dp }, { "00900001", "X" } };
	enum repair_plan pl[4] = { PLAN_PRELOAD_PCK, PLAN_PRELOAD_PCK, PLAN_PRELOAD_PCK,
	    PLAN_COUNT };
	struct repair_group *g;
	size_t un, ng = repair_group(c, pl, 4, &g, &un);
	ok(ng == 1 && g[0].ncells == 3 && un == 1, "grouped: one plan, 3 cells, 1 unplanned");
	repair_groups_free(g, ng);
	ok(repair_batch_large(11, 0) && repair_batch_large(1, UINT64_C(2) << 30) &&
	    !repair_batch_large(10, 1000), "threshold: above 10 cells or 1 GB");
	struct repair_run *r = run_plan(PLAN_PRELOAD_PCK, p, 3, false, RA_YES, NULL);
	bool good = r && repair_all_installed(r);
	if (!good && r)
		show(r);
	ok(good, "batch: three cells healed by one run");
	repair_run_free(r);

	/* A package the DP's site does not know fails at the preload; the
	 * other cell goes on, unless asked. */
	struct simfix_pick two[3];
	if (!ok(simfix_find_cell(dir, SIM_MODE_NOT_IN_DB, false, 0, &two[0]) &&
	    simfix_find_cell(dir, SIM_MODE_PCK_MISSING, false, 0, &two[1]) &&
	    simfix_find_cell(dir, SIM_MODE_PCK_MISSING, false, 1, &two[2]), "a not-in-db and two missing cells"))
		return;
	for (int stop = 1; stop >= 0; stop--) {
		struct repair_cell rc[2] = { { two[0].id, two[0].dp },
		    { two[2 - stop].id, two[2 - stop].dp } };
		struct repair_env env = env_for(false);
		env.stop_on_failure = stop;
		char *err = NULL;
		if (repair_prepare(&env, PLAN_PRELOAD_PCK, rc, 2, &r, &err) != 0) {
			free(err);
			return;
		}
		for (size_t i = 0; !repair_over(r) && i < repair_nsteps(r); i++)
			(void)repair_exec_step(r, i, RA_YES, false, &err);
		free(err);
		enum repair_outcome a = repair_cell(r, 0)->step[2], b = repair_cell(r, 1)->step[5];
		contains(repair_cell(r, 0)->message[2], "use plan repush-wait-preload",
		    "  'Failed to get the specified package' names the plan to use");
		if (stop)
			ok(a == RO_FAILED && b == RO_DROPPED, "stop on failure: the batch stops "
			    "(%s, %s)", repair_outcome_name(a), repair_outcome_name(b));
		else
			ok(a == RO_FAILED && b == RO_OK, "one failure does not stop the "
			    "others (%s, %s)", repair_outcome_name(a), repair_outcome_name(b));
		repair_run_free(r);
	}
}

/* Two failing cells (state 2/3) of mode m on one package. */
static bool
find_two_of_pkg(enum sim_mode m, struct simfix_pick p[2])
{
	struct sim_site *s = simfix_load(dir);
	if (s == NULL)
		return false;
	bool found = false;
	for (size_t i = 0; i < s->ncell && !found; i++) {
		const struct sim_cell *a = &s->cell[i];
		for (size_t j = i + 1; j < s->ncell && !found; j++) {
			const struct sim_cell *b = &s->cell[j];
			if (a->mode != m || b->mode != m || a->pkg != b->pkg ||
			    !(a->state == 2 || a->state == 3) || !(b->state == 2 || b->state == 3))
				continue;
			for (size_t k = 0; k < 2; k++) {
				const struct sim_cell *c = k ? b : a;
				snprintf(p[k].id, sizeof p[k].id, "%s", s->pkg[c->pkg].id);
				snprintf(p[k].dp, sizeof p[k].dp, "%s", s->srv[c->srv].name);
			}
			found = true;
		}
	}
	simdb_free(s);
	return found;
}

/* The second DP's history of a batch: the rename and the touch on the
 * primary are there (for both DPs), every step with the run's id; the run
 * left at step 3 journals it aborted, with the reason in words. */
static void
test_batch_run(void)
{
	struct simfix_pick p[2];
	if (!ok(find_two_of_pkg(SIM_MODE_PCK_MISSING, p), "two PCK_MISSING cells of one package"))
		return;
	struct repair_cell rc[2] = { { p[0].id, p[0].dp }, { p[1].id, p[1].dp } };
	struct repair_env env = env_for(false);
	struct repair_run *r = NULL;
	char *err = NULL;
	if (!ok(repair_prepare(&env, PLAN_RENAME_PCK_TOUCH, rc, 2, &r, &err) == 0,
	    "batch of %s on %s and %s prepared", p[0].id, p[0].dp, p[1].dp)) {
		printf("# %s\n", err);
		free(err);
		return;
	}
	bool ran = repair_exec_step(r, 0, RA_YES, false, &err) == RS_DONE &&
	    repair_exec_step(r, 1, RA_YES, false, &err) == RS_DONE;
	ok(ran, "  rename and touch ran (%s)", err ? err : "ok");
	ok(repair_abandon(r, "wizard closed by Ctrl-C", &err) == 0 && repair_over(r),
	    "  the run abandoned at step 3 is over");
	char *run = xstrdup(repair_run_id(r));
	repair_run_free(r);
	struct journal_filter f = { p[1].id, p[1].dp };
	struct journal_history h;
	if (!ok(journal_history(journal, &f, &h, NULL, NULL, &err) == 0, "history of %s", p[1].dp))
		printf("# %s\n", err);
	size_t mine = 0, onprimary = 0, aborted = 0;
	for (size_t i = 0; i < h.n; i++) {
		const struct journal_entry *e = &h.v[i].begin;
		if (strcmp(e->run_id, run) != 0)
			continue;
		mine++;
		onprimary += strcasecmp(e->dp_server, info.primary) == 0 && e->nfor == 2 &&
		    h.v[i].result == JOURNAL_OK;
		for (size_t k = 0; k < e->nparams; k++)
			aborted += e->step_number == 3 && h.v[i].result == JOURNAL_ABORTED &&
			    strcmp(e->param_keys[k], "abandoned") == 0 &&
			    strcmp(e->param_values[k], "wizard closed by Ctrl-C") == 0;
	}
	ok(mine == 3, "  %zu steps of the run (%s) under %s: rename, touch, the abort", mine, run,
	    p[1].dp);
	ok(onprimary == 2, "  rename and touch on the primary, for both DPs (%zu)", onprimary);
	ok(aborted == 1, "  step 3 journalled aborted: \"wizard closed by Ctrl-C\"");
	journal_history_free(&h);
	free(run);
	free(err);
}

static int
count_entry(const struct journal_entry *e, void *ctx)
{
	int *n = ctx;
	n[e->phase == JOURNAL_BEGIN ? 0 : 1]++;
	return 0;
}

static void
test_journal(void)
{
	int n[2] = { 0, 0 };
	char *err = NULL;
	int rc = journal_read(journal, count_entry, NULL, n, &err);
	ok(rc == 0 && n[0] > 20 && n[0] == n[1], "journal: %d begin and %d end entries",
	    n[0], n[1]);
	struct journal_list l = { 0 };
	rc = journal_unfinished(journal, &l, NULL, NULL, &err);
	ok(rc == 0 && l.n == 0, "journal: no unfinished steps");
	journal_list_free(&l);
	free(err);
}

/* A transport that keeps the exe argument of each preload op it carries. */
struct seen {
	struct transport t;
	struct transport *inner;
	int preloads;
	char *exe;
};

static int
seen_call(struct transport *tr, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	struct seen *s = (struct seen *)tr;
	if (op->kind == OP_PRELOAD) {
		const char *exe = op_arg(op, "exe");
		s->preloads++;
		free(s->exe);
		s->exe = exe ? xstrdup(exe) : NULL;
	}
	return transport_pass(s->inner, op, fn, arg, dl, err);
}

static const struct transport_ops seen_ops = { .name = "seen", .call = seen_call, .close = NULL };

static const char *
exe_for(const void *ctx, const char *server)
{
	return strcasecmp(server, ctx) == 0 ? "D:\\Tools\\PreloadPkgOnSite.exe" : NULL;
}

/* preload_exe of the DP's [server] goes to the preload op, and the step
 * says which program runs; without it the step says where it is looked for. */
static void
test_preload_exe(void)
{
	/* The last PCK_MISSING cell: the tests before worked on the first ones. */
	struct simfix_pick p, next;
	size_t k = 0;
	if (!ok(simfix_find_cell(dir, SIM_MODE_PCK_MISSING, false, k, &p), "a PCK_MISSING cell for preload_exe"))
		return;
	while (simfix_find_cell(dir, SIM_MODE_PCK_MISSING, false, ++k, &next))
		p = next;
	struct seen sn = { .t = { .ops = &seen_ops, .host = t->host, .answers = t->answers },
	    .inner = t };
	struct repair_cell c = { p.id, p.dp };
	for (int conf = 0; conf < 2; conf++) {
		struct repair_env env = env_for(false);
		env.t = &sn.t;
		if (conf) {
			env.preload_exe = exe_for;
			env.servers_ctx = p.dp;
			/* The DP has the program where its preload_exe says: a
			 * host finds only what is there (the simulator too). */
			char *tool = sim_server_path(dir, p.dp, "D:\\Tools\\PreloadPkgOnSite.exe");
			char *slash = tool ? strrchr(tool, '/') : NULL;
			char *e2 = NULL;
			if (slash != NULL) {
				*slash = '\0';
				ok(dir_make_all(tool, false, &e2) == 0, "D:\\Tools on %s", p.dp);
				*slash = '/';
			}
			ok(tool != NULL && file_write_atomic(tool, "MZ", 2, &e2) == 0,
			    "PreloadPkgOnSite.exe put at D:\\Tools on %s", p.dp);
			free(e2);
			free(tool);
		}
		struct repair_run *r = NULL;
		char *err = NULL;
		sn.preloads = 0;
		if (!ok(repair_prepare(&env, PLAN_PRELOAD_PCK, &c, 1, &r, &err) == 0,
		    "prepare (%s)", err ? err : "")) {
			free(err);
			return;
		}
		const char *cmd = repair_step(r, 2)->command;
		if (conf)
			contains(cmd, "from preload_exe = D:\\Tools\\PreloadPkgOnSite.exe",
			    "the step names the configured program");
		else
			contains(cmd, "looked for in the SMS install folder's bin\\i386, then the SMS "
			    "2003 Toolkit 2 and ConfigMgr 2007 Toolkit V2 folders",
			    "the step says where the program is looked for");
		/* A dry run carries no preload: run the steps up to it for real
		 * only once (the cell heals); the other time stop before it. */
		size_t upto = conf ? 3 : 2;
		for (size_t i = 0; i < upto; i++)
			if (repair_exec_step(r, i, RA_YES, false, &err) != RS_DONE)
				break;
		if (conf) {
			is_int(sn.preloads, 1, "one preload op");
			is_str(sn.exe, "D:\\Tools\\PreloadPkgOnSite.exe", "... with exe from preload_exe");
			is_int(repair_cell(r, 0)->step[2], RO_OK, "... and it ran (%s)",
			    repair_cell(r, 0)->message[2] ? repair_cell(r, 0)->message[2] : "");
		}
		repair_run_free(r);
		free(err);
	}
	free(sn.exe);
}

/* ---- site kinds, against a fake provider ------------------------------------
 * A site 009 (SMS009PRI) with a child site LDS (site server LEEDSDP01, SMS on
 * D:) and three DPs of package 00900012: DP009A of the package's own site,
 * LEEDSDP01, and LEEDSDP02, a plain DP of LDS.  The fake answers as a real
 * host would (no versions, no owners), records the ops that change
 * something, and PreloadPkgOnSite answers from a script. */

static const char *const preload_says[] = {
	"Successfully set the Compressed Package Path.\tSuccessfully forwarded the "
	"information up the hierarchy.",
	"The compressed package path for package 00900012 is already set in the database.",
};
static int fk_preload_answers[4];     /* preload_says index per call */
static size_t fk_npreload;
static struct buf fk_sent;            /* "op key=value ...\n" per changing op */
static bool fk_pkg_deleted;           /* the distmgr.box PKG is gone */

static void
fk_row(struct buf *b, const char *row)
{
	for (const char *p = row; *p; p++)
		buf_adds(b, *p == '\\' ? "\\\\" : (char[]){ *p, 0 });
	buf_adds(b, "\r\n");
}

static int
fk_reply(const char *op, const char *const *rows, size_t n, proto_record_fn fn, void *arg,
    char **err)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "DPDOCTOR 2 %s\r\n", op);
	for (size_t i = 0; i < n; i++)
		if (rows[i] != NULL)
			fk_row(&b, rows[i]);
	buf_printf(&b, "END\tok\t%zu\r\n", n);
	int rc = proto_parse(b.data, b.len, op, fn, arg, err);
	buf_free(&b);
	return rc == 0 ? 0 : TRANSPORT_EREPLY;
}

#define FK_NAL(s, site) "[\"Display=\\\\" s "\\\"]MSWNET:[\"SMS_SITE=" site "\"]\\\\" s "\\"

static int
fk_status(proto_record_fn fn, void *arg, char **err)
{
	const char *rows[] = {
		"COLS\tP\tPackageID\tName\tManufacturer\tVersion\tLanguage\tPkgSourcePath\t"
		"SourceVersion\tStoredPkgVersion\tStoredPkgPath\tSourceSite\tSourceDate",
		"P\t00900012\tApp\tMfr\t1\tEnglish\t\\\\FILESRV01\\Packages\\App\t3\t3\t"
		"E:\\SMSPKG\\00900012.PCK\t009\t2007-01-02T08:00:00Z",
		"COLS\tC\tPackageID\tServerNALPath\tSiteCode\tState\tSourceVersion\tLastCopied\t"
		"SummaryDate",
		"C\t00900012\t" FK_NAL("DP009A", "009") "\t009\t2\t2\t2007-01-03T10:00:00Z\t"
		"2007-01-04T09:00:00Z",
		"C\t00900012\t" FK_NAL("LEEDSDP01", "LDS") "\tLDS\t2\t2\t2007-01-03T10:00:00Z\t"
		"2007-01-04T09:00:00Z",
		"C\t00900012\t" FK_NAL("LEEDSDP02", "LDS") "\tLDS\t2\t2\t2007-01-03T10:00:00Z\t"
		"2007-01-04T09:00:00Z",
		"COLS\tT\tNow", "T\t2007-01-04T10:00:00Z",
	};
	return fk_reply("status", rows, sizeof rows / sizeof rows[0], fn, arg, err);
}

/* pathinfo: every asked path exists, read-only, 1000 bytes. */
static int
fk_pathinfo(const struct op *op, proto_record_fn fn, void *arg, char **err)
{
	const char *paths = op_arg(op, "paths");
	char *rows[17] = { xstrdup("COLS\tF\tPath\tExists\tIsDir\tSize\tMTime\tAttrs\tVersion\t"
	    "Error\tName\tPackageID") };
	size_t n = 1;
	for (const char *p = paths ? paths : ""; *p && n < 17;) {
		size_t len = strcspn(p, "|");
		bool gone = fk_pkg_deleted && len > 4 && strncmp(p + len - 4, ".PKG", 4) == 0;
		rows[n++] = xasprintf("F\t%.*s\t%d\t0\t%d\t2007-01-03T10:00:00Z\t1\t0\t\t\t",
		    (int)len, p, !gone, gone ? 0 : 1000);
		p += len + (p[len] == '|');
	}
	int rc = fk_reply("pathinfo", (const char *const *)rows, n, fn, arg, err);
	for (size_t i = 0; i < n; i++)
		free(rows[i]);
	return rc;
}

static int
fk_change(const struct op *op, proto_record_fn fn, void *arg, char **err)
{
	buf_printf(&fk_sent, "%s", op_name(op->kind));
	for (size_t i = 0; i < op->nargs; i++)
		buf_printf(&fk_sent, " %s=%s", op->args[i].key, op->args[i].value);
	buf_addc(&fk_sent, '\n');
	char *row = NULL, *h = NULL;
	const char *cols = NULL;
	int rc;
	switch (op->kind) {
	case OP_PRELOAD: {
		const char *says = preload_says[fk_preload_answers[fk_npreload++ % 4]];
		h = xasprintf("H\t%s\tfake run on %s", op_arg(op, "via"), op_arg(op, "server"));
		row = xasprintf("O\t%s", says);
		for (char *q = row + 2; *q; q++)
			if (*q == '\t')
				*q = ' ';
		const char *rows[] = { "COLS\tH\tVia\tDetail", h, "COLS\tO\tLine", row,
		    "COLS\tX\tExitCode", strstr(says, "Success") ? "X\t0" : "X\t1" };
		rc = fk_reply("preload", rows, 6, fn, arg, err);
		free(h);
		free(row);
		return rc;
	}
	case OP_DELETEFILE:
		fk_pkg_deleted = true;
		cols = "COLS\tD\tPath\tResult";
		row = xasprintf("D\t%s\tdeleted", op_arg(op, "path"));
		break;
	case OP_REFRESHNOW:
		cols = "COLS\tR\tPackageID\tServerNALPath";
		row = xasprintf("R\t00900012\t%s", op_arg(op, "dp"));
		break;
	case OP_COPYFILE:
		cols = "COLS\tX\tSource\tDest\tResult\tSrcSize\tDstSize\tCompared";
		row = xasprintf("X\t%s\t%s\tcopied\t1000\t1000\tsize-time", op_arg(op, "src"),
		    op_arg(op, "dst"));
		break;
	case OP_SETATTR:
		cols = "COLS\tA\tPath\tAttrs";
		row = xasprintf("A\t%s\t1", op_arg(op, "path"));
		break;
	default:
		err_set(err, "fake: unexpected %s", op_name(op->kind));
		return TRANSPORT_EFAIL;
	}
	const char *rows[] = { cols, row };
	rc = fk_reply(op_name(op->kind), rows, 2, fn, arg, err);
	free(row);
	return rc;
}

static int
fk_call(struct transport *tr, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	(void)tr; (void)dl;
	static const char *const sites[] = {
		"COLS\tT\tSiteCode\tSiteName\tServerName\tReportingSiteCode\tType\tInstallDir",
		"T\t009\tCentral\tSMS009PRI\t\t2\tE:\\SMS",
		"T\tLDS\tLeeds\tLEEDSDP01\t009\t1\tD:\\SMS",
	};
	switch (op->kind) {
	case OP_STATUS: return fk_status(fn, arg, err);
	case OP_SITES: return fk_reply("sites", sites, 3, fn, arg, err);
	case OP_PATHINFO: return fk_pathinfo(op, fn, arg, err);
	case OP_LAYOUT:
		err_set(err, "fake: no remote registry");
		return TRANSPORT_EFAIL;
	default: return fk_change(op, fn, arg, err);
	}
}

static const struct transport_ops fk_ops = { .name = "fake", .call = fk_call, .close = NULL };

static struct transport *
fk_new(const char *host)
{
	struct transport *f = xcalloc(1, sizeof *f);
	f->ops = &fk_ops;
	f->host = xstrdup(host);
	f->answers = TRANSPORT_ALL_OPS;
	return f;
}

static struct repair_env
fk_env(struct transport *tr, const char *jpath)
{
	return (struct repair_env){ .t = tr, .site = "009", .primary = "SMS009PRI",
	    .journal = jpath, .minute_ms = 1000, .sleep_ms = simfix_sleep };
}

static struct repair_run *
fk_prepare(struct transport *tr, enum repair_plan plan, const char *dp, const char *jpath,
    char **err)
{
	struct repair_cell c = { "00900012", dp };
	struct repair_env env = fk_env(tr, jpath);
	struct repair_run *r = NULL;
	if (repair_prepare(&env, plan, &c, 1, &r, err) != 0)
		return NULL;
	return r;
}

static void
test_kind_own_site(struct transport *tr)
{
	char *err = NULL;
	static const enum repair_plan preloads[] = { PLAN_PRELOAD_PCK, PLAN_CLEAR_PKG_PRELOAD,
	    PLAN_REPUSH_WAIT_PRELOAD };
	for (size_t i = 0; i < 3; i++) {
		struct repair_run *r = fk_prepare(tr, preloads[i], "DP009A", NULL, &err);
		ok(r == NULL && err && strstr(err, "DP009A is a DP of the package's own site 009") &&
		    strstr(err, "no PCK to preload there") && strstr(err, "Try repush"),
		    "own-site DP: %s refused (%s)", repair_plan_name(preloads[i]), err ? err : "");
		repair_run_free(r);
		free(err);
		err = NULL;
	}
	struct repair_run *r = fk_prepare(tr, PLAN_REPUSH, "DP009A", NULL, &err);
	ok(r != NULL, "own-site DP: repush is prepared (%s)", err ? err : "");
	repair_run_free(r);
	free(err);
}

/* Steps 1..n of r with yes, stopping before the wait. */
static void
fk_run(struct repair_run *r)
{
	char *err = NULL;
	for (size_t i = 0; i < repair_nsteps(r) && !repair_over(r); i++) {
		if (repair_step(r, i)->action == RA_WAIT_INSTALLED)
			break;
		if (repair_exec_step(r, i, RA_YES, false, &err) != RS_DONE)
			printf("# step %zu: %s\n", i + 1, err ? err : "stopped");
		free(err);
		err = NULL;
	}
}

static bool
file_has(const char *path, const char *what)
{
	FILE *f = fopen(path, "r");
	bool found = false;
	char line[8192];
	while (f != NULL && !found && fgets(line, sizeof line, f) != NULL)
		found = strstr(line, what) != NULL;
	if (f != NULL)
		fclose(f);
	return found;
}

static void
test_kind_child_dp(struct transport *tr, const char *jdir)
{
	char *jpath = xasprintf("%s/child.jsonl", jdir), *err = NULL;
	struct repair_run *r = fk_prepare(tr, PLAN_PRELOAD_PCK, "LEEDSDP02", jpath, &err);
	ok(r != NULL, "child DP: preload-pck prepared (%s)", err ? err : "");
	if (r == NULL) {
		free(err);
		free(jpath);
		return;
	}
	const struct repair_step_view *copy = repair_step(r, 0), *pre = repair_step(r, 2);
	contains(copy->command, "\\\\LEEDSDP01\\D$\\SMSPKG\\00900012.PCK",
	    "child DP: the PCK goes to the site server's PCK folder (from SMS_Site.InstallDir)");
	contains(copy->where, "LDS's site server LEEDSDP01 (it holds the PCK for its DPs",
	    "  the step page says who holds the PCK");
	contains(pre->command, "on LEEDSDP01", "  preload runs on the site server");
	contains(pre->scope, "started on LEEDSDP01 with WMI (Win32_Process.Create) from "
	    "SMS009PRI; output read back from D:\\SMS\\dpdoctor-preload-",
	    "  over WMI from the WMI host, said on the page");
	is_str(repair_step(r, 3)->when, "only if PreloadPkgOnSite answers 'already set in "
	    "the database'", "  the delete is a branch on preload's answer");
	contains(repair_step(r, 3)->command, "\\\\LEEDSDP01\\D$\\SMS\\inboxes\\distmgr.box\\"
	    "00900012.PKG", "  of the site server's distmgr.box PKG");
	contains(repair_step(r, 5)->where, "LEEDSDP02", "  the re-push acts on the DP itself");
	char *script = repair_step_script(r, 2, &err);
	contains(script, "$A['via'] = 'wmi'", "  the script shown: via wmi");
	contains(script, "$A['smsdir'] = 'D:\\SMS'", "  with the site server's SMS folder");
	contains(script, "$A['server'] = 'LEEDSDP01'", "  for the site server");
	free(script);
	/* preload answers "already set", then succeeds: the branch is taken. */
	buf_reset(&fk_sent);
	fk_pkg_deleted = false;
	fk_npreload = 0;
	fk_preload_answers[0] = 1;
	fk_preload_answers[1] = 0;
	ok(repair_step_needed(r, 3), "  before preload runs the branch may yet be needed");
	fk_run(r);
	const struct repair_cell_result *c = repair_cell(r, 0);
	const char *sent = fk_sent.data ? fk_sent.data : "";
	contains(sent, "preload server=LEEDSDP01 package=00900012 via=wmi smsdir=D:\\SMS wait=",
	    "  preload sent to the site server via wmi");
	contains(sent, "deletefile path=\\\\LEEDSDP01\\D$\\SMS\\inboxes\\distmgr.box\\00900012.PKG",
	    "  on 'already set' the stale PKG is deleted");
	ok(c->step[2] == RO_OK && c->step[3] == RO_OK && c->step[4] == RO_OK &&
	    c->step[5] == RO_OK, "  preload, delete, preload again, re-push: %s %s %s %s",
	    repair_outcome_name(c->step[2]), repair_outcome_name(c->step[3]),
	    repair_outcome_name(c->step[4]), repair_outcome_name(c->step[5]));
	contains(c->message[2], "already set in the database", "  the first preload's answer");
	contains(sent, "refreshnow site=009 package=00900012 dp=LEEDSDP02",
	    "  re-push for the DP itself");
	ok(file_has(jpath, "PreloadPkgOnSite answered 'already set in the database' on LEEDSDP01"),
	    "  the journal says which answer led to the delete");
	ok(file_has(jpath, "\"ran_via\":\"wmi\",\"ran_detail\":\"fake run on LEEDSDP01\""),
	    "  and how the preload ran (the H row)");
	repair_run_free(r);
	free(jpath);
	free(err);
}

static void
test_branch_not_taken(struct transport *tr, const char *jdir)
{
	char *jpath = xasprintf("%s/nobranch.jsonl", jdir), *err = NULL;
	struct repair_run *r = fk_prepare(tr, PLAN_CLEAR_PKG_PRELOAD, "LEEDSDP01", jpath, &err);
	ok(r != NULL, "child site server: clear-pkg-then-preload prepared (%s)",
	    err ? err : "");
	if (r == NULL) {
		free(err);
		free(jpath);
		return;
	}
	is_int((long long)repair_nsteps(r), (long long)repair_plan_nsteps(PLAN_PRELOAD_PCK),
	    "  the same steps as preload-pck");
	buf_reset(&fk_sent);
	fk_npreload = 0;
	fk_preload_answers[0] = 0;
	fk_run(r);
	const struct repair_cell_result *c = repair_cell(r, 0);
	const char *sent = fk_sent.data ? fk_sent.data : "";
	ok(strstr(sent, "deletefile") == NULL, "  preload succeeded: nothing deleted (the "
	    "PKG is there, but that is not reason enough)");
	ok(!repair_step_needed(r, 3) || c->step[3] != RO_PENDING, "  the branch is not needed");
	ok(c->step[3] == RO_NOT_NEEDED && c->step[4] == RO_NOT_NEEDED && c->step[5] == RO_OK,
	    "  delete and second preload not needed, re-push runs: %s %s %s",
	    repair_outcome_name(c->step[3]), repair_outcome_name(c->step[4]),
	    repair_outcome_name(c->step[5]));
	contains(c->message[3], "not needed: only if PreloadPkgOnSite answers", "  with why");
	ok(file_has(jpath, "not taken"), "  journalled as a branch not taken");
	contains(sent, "preload server=LEEDSDP01 package=00900012 via=wmi",
	    "  preload on the site server itself");
	repair_run_free(r);
	free(jpath);
	free(err);
}

/* The site server has an ssh section of its own: preload runs there. */
static void
test_via_local(const char *jdir)
{
	struct transport *rt = route_new(fk_new("SMS009PRI"));
	char *err = NULL;
	if (route_add(rt, "LEEDSDP01", fk_new("LEEDSDP01"), &err) != 0) {
		ok(false, "route_add: %s", err);
		free(err);
		transport_close(rt);
		return;
	}
	(void)jdir;
	struct repair_run *r = fk_prepare(rt, PLAN_PRELOAD_PCK, "LEEDSDP02", NULL, &err);
	ok(r != NULL, "via local: prepared (%s)", err ? err : "");
	if (r != NULL) {
		contains(repair_step(r, 2)->scope, "runs on LEEDSDP01 over its own fake session",
		    "  preload runs over the site server's own session, said on the page");
		char *script = repair_step_script(r, 2, &err);
		contains(script, "$A['via'] = 'local'", "  the op says via local");
		contains(script, "$A['smsdir'] = ''", "  and needs no smsdir");
		free(script);
	}
	repair_run_free(r);
	free(err);
	transport_close(rt);
}

static void
test_kinds(void)
{
	char *jdir = xstrdup("/tmp/dpd-test-kinds-XXXXXX");
	if (mkdtemp(jdir) == NULL) {
		ok(false, "mkdtemp");
		free(jdir);
		return;
	}
	buf_init(&fk_sent);
	struct transport *tr = fk_new("SMS009PRI");
	test_kind_own_site(tr);
	test_kind_child_dp(tr, jdir);
	test_branch_not_taken(tr, jdir);
	transport_close(tr);
	test_via_local(jdir);
	buf_free(&fk_sent);
	(void)simfs_remove_tree(jdir, NULL);
	free(jdir);
}

int
main(void)
{
	char *top = xstrdup("/tmp/dpd-test-repair-XXXXXX"), *err = NULL;
	if (mkdtemp(top) == NULL)
		return 99;
	dir = xasprintf("%s/site", top);
	journal = xasprintf("%s/state/journal.jsonl", top);
	simfix_set_clock();
	if (sim_ensure(dir, "default", 1, false, &err) != 0 || sim_info(dir, &info, &err) != 0) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	t = transport_sim_new(dir, info.primary);
	ov_load();
	test_kinds();
	test_views();
	test_sent_as();
	heals(SIM_MODE_PCK_MISSING, false, PLAN_PRELOAD_PCK);
	heals(SIM_MODE_STALE_PKG_FILE, false, PLAN_CLEAR_PKG_PRELOAD);
	heals(SIM_MODE_NOT_IN_DB, false, PLAN_REPUSH_WAIT_PRELOAD);
	heals(SIM_MODE_SOURCE_MISSING, false, PLAN_FIX_SOURCE_PATH);
	heals(SIM_MODE_SHARE_PERMS, false, PLAN_FIX_SHARE_PERMS);
	heals(SIM_MODE_SHARE_PERMS, true, PLAN_FIX_SHARE_PERMS);
	heals(SIM_MODE_PCK_NO_REGEN, false, PLAN_RENAME_PCK_TOUCH);
	heals(SIM_MODE_PCK_MISSING, false, PLAN_TOUCH_SOURCE);
	test_wrong_order();
	test_no_change();
	test_changed_target();
	test_batch();
	test_batch_run();
	test_journal();
	test_preload_exe();
	transport_close(t);
	ov_free();
	sim_info_free(&info);
	(void)simfs_remove_tree(top, NULL);
	free(dir);
	free(journal);
	free(top);
	free(err);
	return done_testing();
}
