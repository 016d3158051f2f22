/*
 * The repair run: plans as lists of actions, the survey that fills their
 * text in, and the units an action works on.  Actions that cover more than
 * one cell (a source path touched once for every DP, a share fixed once
 * per server) run once per unit and their outcome is given to each cell of
 * the unit.  What each action does lives in repair_steps.c, the engine
 * that takes one answered step at a time in repair_exec.c, and what all
 * of them need from the world (deadlines, progress, fingerprints, states)
 * in repair_env.c, below the other three.  Also here: what a step really
 * sends (its ops' scripts, and which server runs them over what), for the
 * pages that show a step before it runs.
 */
#include "autoconf.h"
#include "backend/repair/repair_int.h"
#include "backend/sms/evidence.h"
#include "backend/core/model.h"
#include "backend/core/nal.h"
#include "backend/sms/layout.h"
#include "backend/sms/status.h"
#include "backend/ops/ops_ps.h"
#include "backend/ops/winenc.h"
#include "backend/transport/route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct enum_name plan_names[] = {
#define X(e, n, t) { e, n },
	REPAIR_PLAN_TABLE(X)
#undef X
};

static const char *const plan_titles[] = {
#define X(e, n, t) [e] = t,
	REPAIR_PLAN_TABLE(X)
#undef X
};

static const struct enum_name action_names[] = {
#define X(e, n, w, d) { e, n },
	REPAIR_ACTION_TABLE(X)
#undef X
};

static const struct {
	bool changes;
	bool destructive;
} action_kinds[] = {
#define X(e, n, w, d) [e] = { w, d },
	REPAIR_ACTION_TABLE(X)
#undef X
};

/* The plans' steps, each list ended by RA_COUNT.  A step runs always, or
 * only on an earlier answer: the seed deletes the DP site server's
 * distmgr.box\<id>.PKG and preloads again only when PreloadPkgOnSite
 * answers "already set in the database" -- never on the file's mere
 * presence. */
struct plan_step {
	enum repair_action action;
	enum step_when when;
};
#define S(a) { a, WHEN_ALWAYS }
#define PRELOAD_TAIL S(RA_COPY_PCK), S(RA_SET_ATTRS), S(RA_PRELOAD), \
	{ RA_DELETE_PKG_FILE, WHEN_ALREADY_SET }, { RA_PRELOAD, WHEN_ALREADY_SET }, \
	S(RA_REPUSH), S(RA_WAIT_INSTALLED)
#define END S(RA_COUNT)
/* preload-pck and clear-pkg-then-preload are the same steps: the deletion
 * is a branch of the preload, not a plan chosen up front. */
static const struct plan_step plan_preload[] = { PRELOAD_TAIL, END };
static const struct plan_step plan_repush_preload[] = { S(RA_REPUSH), S(RA_WAIT_KNOWN),
	PRELOAD_TAIL, END };
static const struct plan_step plan_touch[] = { S(RA_TOUCH_SOURCE), S(RA_WAIT_REGENERATED),
	S(RA_WAIT_INSTALLED), END };
static const struct plan_step plan_rename[] = { S(RA_RENAME_PCK), S(RA_TOUCH_SOURCE),
	S(RA_WAIT_REGENERATED), S(RA_WAIT_INSTALLED), END };
static const struct plan_step plan_share[] = { S(RA_HAND_SHARE_ACL), S(RA_CHECK_SHARE_ACL),
	S(RA_REPUSH), S(RA_WAIT_INSTALLED), END };
static const struct plan_step plan_source[] = { S(RA_HAND_SOURCE_DIR), S(RA_CHECK_SOURCE_DIR),
	S(RA_REPUSH), S(RA_WAIT_INSTALLED), END };
static const struct plan_step plan_repush[] = { S(RA_REPUSH), S(RA_WAIT_INSTALLED), END };
#undef S
#undef END

static const struct {
	const struct plan_step *steps;
	const char *about;
} plans[PLAN_COUNT] = {
	[PLAN_PRELOAD_PCK] = { plan_preload,
	    "The field write-up's main fix, for a child site whose server never got "
	    "the compressed package: copy the PCK from the primary to that site "
	    "server (for a plain DP of the child site, to its site server), make it "
	    "read-only, register it with PreloadPkgOnSite.exe there and re-push to "
	    "this DP only. Only if PreloadPkgOnSite answers that the path is already "
	    "set in the database, the stale distmgr.box\\<id>.PKG is deleted and it "
	    "is run again. No other DP is touched and the PCK crosses the WAN once. "
	    "Not for a DP of the package's own site (no PCK there)." },
	[PLAN_CLEAR_PKG_PRELOAD] = { plan_preload,
	    "The same steps as preload-pck: preload first; only when PreloadPkgOnSite "
	    "answers \"already set in the database\" (a stale distmgr.box\\<id>.PKG "
	    "from a deployment that got further before it failed) delete that file "
	    "and preload again. The file being there is not reason enough." },
	[PLAN_REPUSH_WAIT_PRELOAD] = { plan_repush_preload,
	    "When PreloadPkgOnSite cannot find the package in the database: the DP's "
	    "site does not know the package yet. Re-push, wait a few minutes for the "
	    "package information to replicate, then preload." },
	[PLAN_TOUCH_SOURCE] = { plan_touch,
	    "Make SMS regenerate the PCK by changing the source path and changing it "
	    "back (no folder is renamed). The new version goes to EVERY DP of the "
	    "package, so the whole PCK crosses the WAN once per DP." },
	[PLAN_RENAME_PCK_TOUCH] = { plan_rename,
	    "When touching the source path did not regenerate the PCK: rename the "
	    "primary's PCK out of the way (kept, so it can be restored), then touch "
	    "the source path. Redeploys to EVERY DP of the package." },
	[PLAN_FIX_SHARE_PERMS] = { plan_share,
	    "The DP's share permissions reach only the root of its dist share "
	    "(SMSPKG<x>$), so SMS "
	    "cannot create nested package folders. Fix the permissions by hand, let "
	    "dpdoctor check them, then re-push." },
	[PLAN_FIX_SOURCE_PATH] = { plan_source,
	    "The package's source directory does not exist, so SMS cannot build or "
	    "send the package. Restore it by hand, let dpdoctor check it, then "
	    "re-push." },
	[PLAN_REPUSH] = { plan_repush,
	    "Re-push the package to this DP and wait for it to report Installed. "
	    "Helps after the underlying problem is fixed; does not fix one by itself." },
};

const char *
repair_plan_name(enum repair_plan p)
{
	return enum_name(plan_names, ENUM_NAMES_COUNT(plan_names), (int)p, "?");
}

const char *
repair_plan_title(enum repair_plan p)
{
	return (unsigned)p < PLAN_COUNT ? plan_titles[p] : "?";
}

const char *
repair_plan_about(enum repair_plan p)
{
	return (unsigned)p < PLAN_COUNT ? plans[p].about : "";
}

int
repair_plan_from_name(const char *name)
{
	return enum_lookup(plan_names, ENUM_NAMES_COUNT(plan_names), name, false);
}

size_t
repair_plan_nsteps(enum repair_plan p)
{
	size_t n = 0;
	while ((unsigned)p < PLAN_COUNT && plans[p].steps[n].action != RA_COUNT)
		n++;
	return n;
}

const char *
repair_action_name(enum repair_action a)
{
	return enum_name(action_names, ENUM_NAMES_COUNT(action_names), (int)a, "?");
}

bool
repair_action_changes(enum repair_action a)
{
	return (unsigned)a < RA_COUNT && action_kinds[a].changes;
}

bool
repair_action_destructive(enum repair_action a)
{
	return (unsigned)a < RA_COUNT && action_kinds[a].destructive;
}

const char *
repair_outcome_name(enum repair_outcome o)
{
	static const struct enum_name names[] = {
		{ RO_PENDING, "pending" }, { RO_OK, "ok" }, { RO_NOT_NEEDED, "not needed" },
		{ RO_SKIPPED, "skipped" }, { RO_DECLINED, "declined" }, { RO_FAILED, "failed" },
		{ RO_DRY_RUN, "dry run" }, { RO_DROPPED, "not run" }, { RO_REFUSED, "refused" },
		{ RO_INTERRUPTED, "interrupted" }, { RO_ABORTED, "aborted" },
	};
	return enum_name(names, ENUM_NAMES_COUNT(names), (int)o, "?");
}

/* ---- prepare --------------------------------------------------------------- */

static struct rpkg *
pkg_for(struct repair_run *r, const char *id)
{
	for (size_t i = 0; i < r->npkgs; i++)
		if (strcasecmp(r->pkgs[i].id, id) == 0)
			return &r->pkgs[i];
	return NULL;
}

/* Does the plan have a step of action a? */
static bool
plan_has(const struct repair_run *r, enum repair_action a)
{
	for (size_t i = 0; i < r->nsteps; i++)
		if (r->steps[i] == a)
			return true;
	return false;
}

/* Plans whose steps act on SMS's own folders of the cell's SMS server
 * (its PCK folder, its inboxes): they need that server's layout. */
static bool
plan_needs_sms(const struct repair_run *r)
{
	return plan_has(r, RA_COPY_PCK) || plan_has(r, RA_SET_ATTRS) ||
	    plan_has(r, RA_PRELOAD) || plan_has(r, RA_DELETE_PKG_FILE);
}

/* The primary's PCK as the WMI host reaches it: StoredPkgPath is the
 * primary's own path; another WMI host reads it through the admin share.
 * Without StoredPkgPath, the primary's PCK folder from its layout.  NULL
 * with *err when neither says. */
static char *
primary_pck(struct repair_run *r, const struct snapshot *s, const struct package *k,
    char **err)
{
	const char *pri = r->env.primary, *host = r->env.t->host;
	bool here = pri == NULL || host == NULL || strcasecmp(pri, host) == 0;
	if (k->stored_path != NULL && *k->stored_path != '\0') {
		char *p = here ? NULL : layout_unc(pri, k->stored_path, NULL);
		return p != NULL ? p : xstrdup(k->stored_path);
	}
	struct site_env se = repair_site_env(r);
	struct deadline dl = repair_deadline(r, 60000);
	struct layout l = { 0 };
	char *p = NULL;
	if (layout_get(&se, s, pri, &dl, &l, err) == 0 && l.pck_dir != NULL) {
		char *rel = xasprintf("%s.PCK", k->id);
		p = here ? xasprintf("%s\\%s", l.pck_dir, rel) : layout_unc(pri, l.pck_dir, rel);
		free(rel);
	}
	if (p == NULL && (err == NULL || *err == NULL))
		err_set(err, "package %s has no StoredPkgPath and %s's PCK folder is not "
		    "known: set pck_path in [server %s]", k->id, pri, pri);
	layout_clear(&l);
	return p;
}

/* Where cell c's files are, from the snapshot of its package: its kind,
 * its SMS server and their layouts.  A layout that cannot be learned is
 * kept as the cell's layout_err: the steps that need it fail before acting,
 * naming the server and the setting. */
static void
place_cell(struct repair_run *r, const struct snapshot *s, long pi, struct rcell *c)
{
	long d = snapshot_find_dp(s, c->res.dp);
	const char *srv = NULL;
	c->kind = DPK_UNKNOWN;
	if (pi >= 0 && d >= 0) {
		c->kind = snapshot_dp_kind(s, (size_t)pi, (size_t)d);
		snprintf(c->site, sizeof c->site, "%s", s->dps[d].site_code);
		if (c->kind == DPK_CHILD_DP)
			srv = snapshot_sms_server(s, (size_t)d);
	}
	/* A site server holds its own files; so does a DP of unknown kind,
	 * taken to be one (as the evidence does). */
	if (c->kind == DPK_OWN_SITE)
		srv = r->env.primary;
	c->sms_server = xstrdup(srv != NULL ? srv : c->res.dp);
	struct site_env se = repair_site_env(r);
	if (plan_needs_sms(r) && c->kind != DPK_OWN_SITE) {
		struct deadline dl = repair_deadline(r, 60000);
		if (layout_get(&se, s, c->sms_server, &dl, &c->sms, &c->layout_err) != 0)
			c->sms = (struct layout){ 0 };
	}
	if (plan_has(r, RA_HAND_SHARE_ACL) || plan_has(r, RA_CHECK_SHARE_ACL)) {
		struct deadline dl = repair_deadline(r, 60000);
		char *e = NULL;
		if (layout_get(&se, s, c->res.dp, &dl, &c->dpl, &e) != 0)
			c->dpl = (struct layout){ 0 };
		free(e);
	}
}

/* The package as the status query shows it, how many DPs it is on, and
 * where each of its cells' files are. */
static int
survey_package(struct repair_run *r, struct rpkg *p, char **err)
{
	struct deadline dl = repair_deadline(r, 120000);
	struct snapshot *s = status_fetch_package(r->env.t, r->env.site, r->env.provider,
	    p->id, &dl, err);
	if (s == NULL)
		return -1;
	long pi = snapshot_find_pkg(s, p->id);
	if (pi < 0) {
		err_set(err, "package %s is not on site %s", p->id, r->env.site);
		snapshot_free(s);
		return -1;
	}
	const struct package *k = &s->pkgs[pi];
	p->source_path = xstrdup(k->source_path ? k->source_path : "");
	p->pck_path = primary_pck(r, s, k, err);
	if (p->pck_path == NULL) {
		snapshot_free(s);
		return -1;
	}
	p->source_version = k->source_version;
	p->stored_version = k->stored_version;
	/* Kept beside the original under a dated name, so it can be renamed back. */
	char stamp[21];
	time_format_iso(clock_real(), stamp);
	p->renamed_to = xasprintf("%s.PCK.%.4s%.2s%.2s-%.2s%.2s%.2s.old", p->id, stamp,
	    stamp + 5, stamp + 8, stamp + 11, stamp + 14, stamp + 17);
	p->dps = xcalloc(s->ndps + 1, sizeof *p->dps);
	for (size_t d = 0; d < s->ndps; d++)
		if (snapshot_cell(s, (size_t)pi, d) != NULL)
			p->dps[p->ndps++] = xstrdup(s->dps[d].name);
	for (size_t i = 0; i < r->ncells; i++)
		if (r->cells[i].pkg == p)
			place_cell(r, s, pi, &r->cells[i]);
	snapshot_free(s);
	return 0;
}

/* The preload plans do not fit a DP of the package's own site: it gets the
 * files from the source, uncompressed; there is no PCK there. */
static int
refuse_kind(const struct repair_run *r, char **err)
{
	if (!plan_has(r, RA_PRELOAD))
		return 0;
	for (size_t i = 0; i < r->ncells; i++) {
		const struct rcell *c = &r->cells[i];
		if (c->kind != DPK_OWN_SITE)
			continue;
		err_set(err, "plan %s does not fit %s for package %s: %s is a DP of the "
		    "package's own site %s: it gets the files from the source, uncompressed; "
		    "there is no PCK to preload there. Try repush, fix-source-path or "
		    "fix-share-perms.", repair_plan_name(r->plan), c->res.dp, c->pkg->id,
		    c->res.dp, *c->site ? c->site : r->env.site);
		return -1;
	}
	return 0;
}

static int
survey(struct repair_run *r, char **err)
{
	for (size_t p = 0; p < r->npkgs; p++) {
		struct rpkg *k = &r->pkgs[p];
		if (survey_package(r, k, err) != 0)
			return -1;
		struct rcell *first = NULL;
		for (size_t i = 0; i < r->ncells && first == NULL; i++)
			if (r->cells[i].pkg == k)
				first = &r->cells[i];
		if (first == NULL)      /* every package comes from a cell; defensive */
			continue;
		if (repair_fingerprint(r, first, k->pck_path, &k->pck, err) != 0)
			return -1;
	}
	if (refuse_kind(r, err) != 0 || repair_read_states(r, false, err) != 0)
		return -1;
	for (size_t i = 0; i < r->ncells; i++) {
		struct rcell *c = &r->cells[i];
		c->res.state_before = c->state_now;
		if (c->state_now == -2) {
			err_set(err, "%s is not a distribution point of package %s "
			    "(no status row)", c->res.dp, c->pkg->id);
			return -1;
		}
		char *path = plan_has(r, RA_DELETE_PKG_FILE) ? repair_dp_dmpkg(c) : NULL;
		int rc = path != NULL ? repair_fingerprint(r, c, path, &c->dmpkg, err) : 0;
		free(path);
		/* What the copy will really send: the holder's own PCK, if any. */
		path = rc == 0 && plan_has(r, RA_COPY_PCK) ? repair_dp_pck(c) : NULL;
		if (path != NULL)
			rc = repair_fingerprint(r, c, path, &c->dppck, err);
		free(path);
		if (rc != 0)
			return -1;
	}
	return 0;
}

bool
repair_same_unit(enum repair_unit u, const struct rcell *a, const struct rcell *b)
{
	switch (u) {
	case UNIT_PACKAGE: return a->pkg == b->pkg;
	case UNIT_SERVER: return strcasecmp(a->res.dp, b->res.dp) == 0;
	case UNIT_HOLDER: return a->pkg == b->pkg && strcasecmp(a->sms_server, b->sms_server) == 0;
	case UNIT_ALL: return true;
	default: return a == b;
	}
}

bool
repair_unit_first(const struct repair_run *r, enum repair_unit u, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (repair_same_unit(u, &r->cells[j], &r->cells[i]))
			return false;
	return true;
}

/* ---- what a step sends ------------------------------------------------------ */

/* The cell a step's ops are shown for: the first still active (the one
 * the executor starts with), else the first. */
static const struct rcell *
shown_cell(const struct repair_run *r)
{
	for (size_t i = 0; i < r->ncells; i++)
		if (r->cells[i].res.active)
			return &r->cells[i];
	return &r->cells[0];
}

/* Why a step sends no script. */
static const char *
no_script_reason(enum repair_action a)
{
	if (repair_actions[a].hand)
		return "nothing: you make this change by hand on the server; dpdoctor "
		    "only checks it afterwards";
	if (repair_actions[a].run_all != NULL)
		return "nothing that changes the site: it reads the status while it waits";
	return "nothing that changes the site: a check, it only reads";
}

/* A file change the SSH transport to host may make over SFTP instead of
 * the script: one on the host's own files, X:\... or \\HOST\X$\...
 * (backend/transport/ssh/sshfiles.c), when sftp is on for it. */
static bool
sftp_may_answer(const struct op *op, const char *host)
{
	if (op->kind != OP_SETATTR && op->kind != OP_DELETEFILE && op->kind != OP_RENAMEFILE)
		return false;
	const char *p = op_arg(op, "path");
	size_t n = strlen(host);
	if (p == NULL)
		return false;
	if (p[0] != '\0' && p[1] == ':')
		return true;
	return strncmp(p, "\\\\", 2) == 0 && strncasecmp(p + 2, host, n) == 0 && p[2 + n] == '\\';
}

/* How script travels to host over a transport named `how`. */
static void
describe_travel(const char *how, const char *host, const struct op *op, const char *script,
    struct buf *b)
{
	if (strcmp(how, "sim") == 0) {
		buf_adds(b, ": the simulated host reads this very script");
		return;
	}
	if (strcmp(how, "ssh") != 0)
		return;
	char *e = NULL;
	char *cmd = winenc_command(script, &e);
	if (cmd == NULL)
		buf_printf(b, ": cannot be encoded (%s)", e ? e : "?");
	else if (winenc_fits(cmd))
		buf_printf(b, ": one powershell.exe -EncodedCommand line of %zu characters",
		    strlen(cmd));
	else
		buf_printf(b, ": on standard input behind a fixed -EncodedCommand bootstrap "
		    "(as one line it would be %zu characters, over cmd.exe's %d)",
		    strlen(cmd), WINENC_CMD_MAX);
	if (sftp_may_answer(op, host))
		buf_printf(b, "; with sftp on for %s, this change to its own files goes over "
		    "SFTP instead, without the script", host);
	free(cmd);
	free(e);
}

/* "op NAME, run by HOST (TRANSPORT): how", for op n of step i. */
static char *
describe_op(const struct repair_run *r, const struct rcell *c, enum repair_action a, size_t n)
{
	struct step_op so;
	repair_step_op(r, c, a, n, &so);
	struct buf b;
	buf_init(&b);
	char *err = NULL;
	char *script = ops_render(&so.op, &err);
	if (script == NULL) {
		buf_printf(&b, "op %s, refused before sending: %s", op_name(so.op.kind),
		    err ? err : "?");
	} else {
		struct transport *t = route_pick(r->env.t, &so.op);
		bool own = strcasecmp(t->host, r->env.t->host) != 0;
		buf_printf(&b, "op %s, run by %s (%s%s)", op_name(so.op.kind), t->host,
		    own ? "its own transport, " : "", t->ops->name);
		describe_travel(t->ops->name, t->host, &so.op, script, &b);
	}
	free(script);
	free(err);
	step_op_free(&so);
	return buf_detach(&b);
}

/* One description of `same` ops in a row, after those in b. */
static void
add_sends(struct buf *b, const char *d, size_t same)
{
	if (d == NULL)
		return;
	buf_printf(b, "%s%s", b->len ? "; then " : "", d);
	if (same > 1)
		buf_printf(b, " (%zu scripts, one after the other)", same);
}

/* The view's `sends`: each op of the step, the same description in a row
 * counted once. */
static char *
describe_sends(const struct repair_run *r, const struct rcell *c, enum repair_action a)
{
	size_t n = repair_step_nops(a);
	if (n == 0)
		return xstrdup(no_script_reason(a));
	struct buf b;
	buf_init(&b);
	char *prev = NULL;
	size_t same = 0;
	for (size_t i = 0; i < n; i++) {
		char *d = describe_op(r, c, a, i);
		if (prev != NULL && strcmp(d, prev) == 0) {
			same++;
			free(d);
			continue;
		}
		add_sends(&b, prev, same);
		free(prev);
		prev = d;
		same = 1;
	}
	add_sends(&b, prev, same);
	free(prev);
	return buf_detach(&b);
}

char *
repair_step_script(const struct repair_run *r, size_t i, char **err)
{
	if (i >= r->nsteps) {
		err_set(err, "no step %zu (the plan has %zu)", i + 1, r->nsteps);
		return NULL;
	}
	enum repair_action a = r->steps[i];
	size_t n = repair_step_nops(a);
	if (n == 0) {
		err_set(err, "%s", no_script_reason(a));
		return NULL;
	}
	const struct rcell *c = shown_cell(r);
	struct buf b;
	buf_init(&b);
	for (size_t k = 0; k < n; k++) {
		struct step_op so;
		repair_step_op(r, c, a, k, &so);
		char *s = ops_render(&so.op, err);
		step_op_free(&so);
		if (s == NULL) {
			buf_free(&b);
			return NULL;
		}
		buf_adds(&b, s);
		free(s);
	}
	return buf_detach(&b);
}

/* What skipping step i leaves each cell with, or NULL when nothing. */
static char *
skip_notes(const struct repair_run *r, size_t i)
{
	struct buf b;
	buf_init(&b);
	for (size_t k = 0; k < r->ncells; k++) {
		char *n = repair_skip_note(r, &r->cells[k], i);
		if (n != NULL && r->ncells > 1)
			buf_printf(&b, "%s on %s: ", r->cells[k].pkg->id, r->cells[k].res.dp);
		if (n != NULL)
			buf_printf(&b, "%s\n", n + strlen("skipped by the administrator: "));
		free(n);
	}
	return b.data ? buf_detach(&b) : NULL;
}

/* A batch step's scope is the group's: every server it acts on and the
 * bytes of all its units, then the first cell's link words. */
static void
group_scope(const struct repair_run *r, size_t i, struct repair_step_view *v)
{
	const struct action_def *a = &repair_actions[r->steps[i]];
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "all %zu cells of the group", r->ncells);
	if (a->bytes != NULL) {
		char total[16];
		repair_size_human(v->bytes, total);
		buf_printf(&b, ": %s in all (each cell's below)", total);
	}
	buf_printf(&b, ". How, for the first cell (%s on %s): %s", r->cells[0].pkg->id,
	    r->cells[0].res.dp, v->scope);
	free(v->scope);
	v->scope = buf_detach(&b);
}

static void
make_view(struct repair_run *r, size_t i)
{
	const struct action_def *a = &repair_actions[r->steps[i]];
	struct repair_step_view *v = &r->views[i];
	struct rcell *c0 = &r->cells[0];
	v->action = r->steps[i];
	v->number = (int)i + 1;
	v->title = a->title;
	v->where = repair_expand(r, c0, a->where);
	if (r->ncells > 1) {
		char *w = xasprintf("%s (and %zu more cell%s)", v->where, r->ncells - 1,
		    r->ncells > 2 ? "s" : "");
		free(v->where);
		v->where = w;
	}
	v->command = repair_expand(r, c0, a->command);
	v->sends = describe_sends(r, c0, v->action);
	v->changes = repair_expand(r, c0, a->changes);
	v->precondition = repair_expand(r, c0, a->precondition);
	v->scope = repair_expand(r, c0, a->scope);
	v->verify = repair_expand(r, c0, a->verify);
	v->on_failure = repair_expand(r, c0, a->on_failure);
	v->when = repair_when_words(r->when[i]);
	if (v->when != NULL) {
		/* Said where every front end shows it: the step in short. */
		char *c = xasprintf("%s: %s", v->when, v->command);
		free(v->command);
		v->command = c;
	}
	v->changes_site = repair_action_changes(v->action);
	v->destructive = repair_action_destructive(v->action);
	v->hand = a->hand;
	v->wait = a->run_all != NULL;
	v->count = r->ncells;
	for (size_t k = 0; k < r->ncells; k++)
		if (a->bytes != NULL && repair_unit_first(r, a->unit, k))
			v->bytes += a->bytes(&r->cells[k]);
	v->on_skip = skip_notes(r, i);
	if (r->ncells > 1)
		group_scope(r, i, v);
}

static void
make_caveats(struct repair_run *r)
{
	struct buf b;
	buf_init(&b);
	if (r->env.dry_run)
		buf_adds(&b, "Dry run: every check runs, nothing is changed.\n");
	if (plan_has(r, RA_REPUSH))
		buf_printf(&b, "Re-push sets RefreshNow on this DP's SMS_DistributionPoint. "
		    "The SMS 2003 SDK says this may act like RefreshPkgSource, i.e. refresh "
		    "every DP of the package (%zu DP%s for %s); not verified on a real site.\n",
		    r->pkgs[0].ndps, r->pkgs[0].ndps == 1 ? "" : "s", r->pkgs[0].id);
	if (plan_has(r, RA_TOUCH_SOURCE)) {
		char total[16];
		repair_size_human(repair_total_bytes(r), total);
		buf_printf(&b, "Touching the source path regenerates the PCK and sends it to "
		    "EVERY DP of the package: %s over the WAN in all.\n", total);
	}
	r->caveats = b.data ? buf_detach(&b) : xstrdup("");
}

static int
add_cells(struct repair_run *r, const struct repair_cell *cells, size_t n, char **err)
{
	r->pkgs = xcalloc(n, sizeof *r->pkgs);
	r->cells = xcalloc(n, sizeof *r->cells);
	for (size_t i = 0; i < n; i++) {
		if (cells[i].package_id == NULL || !pkgid_valid(cells[i].package_id) ||
		    cells[i].dp == NULL || !servername_valid(cells[i].dp)) {
			err_set(err, "not a package ID and DP server name: %s %s",
			    cells[i].package_id ? cells[i].package_id : "(none)",
			    cells[i].dp ? cells[i].dp : "(none)");
			return -1;
		}
		struct rpkg *p = pkg_for(r, cells[i].package_id);
		if (p == NULL) {
			p = &r->pkgs[r->npkgs++];
			snprintf(p->id, sizeof p->id, "%s", cells[i].package_id);
			for (char *q = p->id; *q; q++)
				*q = (char)(*q >= 'a' && *q <= 'z' ? *q - 32 : *q);
		}
		struct rcell *c = &r->cells[r->ncells++];
		c->pkg = p;
		c->res.package_id = xstrdup(p->id);
		c->res.dp = xstrdup(cells[i].dp);
		c->res.step = xcalloc(r->nsteps, sizeof *c->res.step);
		c->res.message = xcalloc(r->nsteps, sizeof *c->res.message);
		c->res.active = true;
		c->res.state_after = -1;
	}
	return 0;
}

/* One lock per distinct pair, before anything is read from the site: a
 * second run of a pair stops here, naming who runs the first.  A batch
 * naming a pair twice takes it once (a second flock from this process
 * would refuse the run its own pair). */
static int
take_locks(struct repair_run *r, char **err)
{
	if (r->env.lock_dir == NULL)
		return 0;
	r->locks = xcalloc(r->ncells, sizeof *r->locks);
	for (size_t i = 0; i < r->ncells; i++) {
		const struct repair_cell_result *c = &r->cells[i].res;
		size_t k = 0;
		while (k < i && !(strcasecmp(r->cells[k].res.package_id, c->package_id) == 0 &&
		    strcasecmp(r->cells[k].res.dp, c->dp) == 0))
			k++;
		if (k < i)
			continue;
		if (repair_lock_take(r->env.lock_dir, r->env.site, c->package_id, c->dp,
		    &r->locks[r->nlocks], err) != 0)
			return -1;
		r->nlocks++;
	}
	return 0;
}

int
repair_prepare(const struct repair_env *env, enum repair_plan plan,
    const struct repair_cell *cells, size_t ncells, struct repair_run **out,
    char **err)
{
	*out = NULL;
	if ((unsigned)plan >= PLAN_COUNT || ncells == 0 || env->t == NULL) {
		err_set(err, "repair: no plan or no cells");
		return -1;
	}
	struct repair_run *r = xcalloc(1, sizeof *r);
	r->env = *env;
	if (r->env.minute_ms <= 0)
		r->env.minute_ms = 60000;
	if (env->run_id != NULL && *env->run_id != '\0')
		snprintf(r->run_id, sizeof r->run_id, "%s", env->run_id);
	else
		journal_run_id_new(r->run_id);
	r->env.run_id = r->run_id;
	r->plan = plan;
	r->nsteps = repair_plan_nsteps(plan);
	r->steps = xcalloc(r->nsteps, sizeof *r->steps);
	r->when = xcalloc(r->nsteps, sizeof *r->when);
	for (size_t i = 0; i < r->nsteps; i++) {
		r->steps[i] = plans[plan].steps[i].action;
		r->when[i] = plans[plan].steps[i].when;
	}
	r->views = xcalloc(r->nsteps, sizeof *r->views);
	if (add_cells(r, cells, ncells, err) != 0 || take_locks(r, err) != 0 ||
	    survey(r, err) != 0) {
		repair_run_free(r);
		return -1;
	}
	for (size_t i = 0; i < r->nsteps; i++)
		make_view(r, i);
	make_caveats(r);
	*out = r;
	return 0;
}

void
repair_run_free(struct repair_run *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nsteps; i++) {
		struct repair_step_view *v = &r->views[i];
		free(v->where);
		free(v->command);
		free(v->sends);
		free(v->changes);
		free(v->precondition);
		free(v->scope);
		free(v->verify);
		free(v->on_failure);
		free(v->on_skip);
	}
	free(r->views);
	free(r->steps);
	free(r->when);
	for (size_t i = 0; i < r->ncells; i++) {
		free(r->cells[i].sms_server);
		free(r->cells[i].layout_err);
		layout_clear(&r->cells[i].sms);
		layout_clear(&r->cells[i].dpl);
		struct repair_cell_result *c = &r->cells[i].res;
		for (size_t s = 0; s < r->nsteps; s++)
			free(c->message[s]);
		free(c->message);
		free(c->step);
		free(c->package_id);
		free(c->dp);
		free(c->output);
	}
	free(r->cells);
	for (size_t i = 0; i < r->npkgs; i++) {
		free(r->pkgs[i].source_path);
		free(r->pkgs[i].pck_path);
		free(r->pkgs[i].renamed_to);
		for (size_t d = 0; d < r->pkgs[i].ndps; d++)
			free(r->pkgs[i].dps[d]);
		free(r->pkgs[i].dps);
	}
	free(r->pkgs);
	free(r->caveats);
	free(r->last_progress);
	for (size_t i = 0; i < r->nlocks; i++)
		repair_lock_release(r->locks[i]);
	free(r->locks);
	free(r);
}

bool
repair_step_needed(const struct repair_run *r, size_t i)
{
	if (i >= r->nsteps)
		return false;
	/* Before the steps that give the answer have run, it may yet be. */
	if (r->when[i] == WHEN_ALWAYS || r->next < i)
		return true;
	for (size_t k = 0; k < r->ncells; k++)
		if (r->cells[k].res.active &&
		    r->cells[k].answer == repair_when_answer(r->when[i]))
			return true;
	return false;
}

enum repair_plan repair_run_plan(const struct repair_run *r) { return r->plan; }
const char *repair_run_id(const struct repair_run *r) { return r->run_id; }
size_t repair_nsteps(const struct repair_run *r) { return r->nsteps; }
size_t repair_ncells(const struct repair_run *r) { return r->ncells; }
const char *repair_caveats(const struct repair_run *r) { return r->caveats; }

const struct repair_step_view *
repair_step(const struct repair_run *r, size_t i)
{
	return i < r->nsteps ? &r->views[i] : NULL;
}

const struct repair_cell_result *
repair_cell(const struct repair_run *r, size_t i)
{
	return i < r->ncells ? &r->cells[i].res : NULL;
}

uint64_t
repair_total_bytes(const struct repair_run *r)
{
	uint64_t n = 0;
	for (size_t i = 0; i < r->nsteps; i++)
		n += r->views[i].bytes;
	return n;
}
