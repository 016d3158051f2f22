/*
 * Time passing on the simulated site.  Two kinds of thing happen by
 * themselves: each server's Distribution Manager scans its INCOMING inbox
 * every few minutes (and acts on what the files on disk say), and cells
 * have a next event (the primary retrying a DP, a DP retrying a removal,
 * a package or its PCK arriving), and the site has events of its own (the
 * primary updating a package's DPs every quarter of an hour or so, so the
 * demo never goes quiet).  Advancing runs every due event in time order
 * through a heap; handlers are tables keyed by event kind, so new behaviour
 * is a new row.  Catch-up is bounded: a site left alone for a month
 * simulates only its last day.
 */
#include "autoconf.h"
#include "backend/sim/scenspec.h"
#include "backend/sim/simint.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INCOMING_REL "SMS/inboxes/distmgr.box/INCOMING/"
#define PKGFILE_MAX (64 * 1024)

/* ---- the event heap ----------------------------------------------------- */

enum { EVQ_SERVER, EVQ_CELL, EVQ_SITE, EVQ_KINDS };

struct evq_item {
	dpd_time t;
	uint32_t kind;
	uint32_t a;   /* server, package, or site event */
	uint32_t b;   /* server for cells */
};

struct evq {
	struct evq_item *v;
	size_t n, cap;
};

static bool
evq_less(const struct evq_item *x, const struct evq_item *y)
{
	if (x->t != y->t)
		return x->t < y->t;
	if (x->kind != y->kind)
		return x->kind < y->kind;
	if (x->a != y->a)
		return x->a < y->a;
	return x->b < y->b;
}

static void
evq_push(struct evq *q, struct evq_item it)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->v = xreallocarray(q->v, q->cap, sizeof *q->v);
	}
	size_t i = q->n++;
	while (i > 0 && evq_less(&it, &q->v[(i - 1) / 2])) {
		q->v[i] = q->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	q->v[i] = it;
}

static bool
evq_pop(struct evq *q, struct evq_item *out)
{
	if (q->n == 0)
		return false;
	*out = q->v[0];
	struct evq_item last = q->v[--q->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= q->n)
			break;
		if (c + 1 < q->n && evq_less(&q->v[c + 1], &q->v[c]))
			c++;
		if (!evq_less(&q->v[c], &last))
			break;
		q->v[i] = q->v[c];
		i = c;
	}
	if (q->n > 0)
		q->v[i] = last;
	return true;
}

/* What handlers see: the site, the run's horizon and its queue, so that
 * anything they schedule before the horizon still happens in this run. */
struct evctx {
	struct sim_site *s;
	dpd_time now;
	struct evq q;
	struct jobslot *jobs;     /* the jobs of the moment being processed */
	size_t njobs, capjobs;
	dpd_time jobs_t;
};

/* distmgr gives each package one processing thread and goes through the
 * package's DPs in turn on it; packages due at the same moment run side by
 * side on the other threads. */
struct jobslot {
	uint32_t srv;
	uint32_t pkg;
	struct simlog_job j;
};

static struct simlog_job *
ctx_job(struct evctx *x, uint32_t srv, uint32_t pkg, dpd_time t)
{
	if (t != x->jobs_t) {
		x->njobs = 0;
		x->jobs_t = t;
	}
	unsigned busy = 0;
	for (size_t i = 0; i < x->njobs; i++) {
		if (x->jobs[i].srv != srv)
			continue;
		if (x->jobs[i].pkg == pkg)
			return &x->jobs[i].j;
		busy++;
	}
	if (x->njobs == x->capjobs) {
		x->capjobs = x->capjobs ? x->capjobs * 2 : 16;
		x->jobs = xreallocarray(x->jobs, x->capjobs, sizeof *x->jobs);
	}
	struct jobslot *js = &x->jobs[x->njobs++];
	js->srv = srv;
	js->pkg = pkg;
	simlog_job_start(&js->j, x->s, srv, t, 1 + busy, pkg);
	/* With every thread busy, the package waits for the thread it gets. */
	for (size_t i = x->njobs - 1; i-- > 0; )
		if (x->jobs[i].srv == srv && x->jobs[i].j.thread == js->j.thread) {
			js->j.ms = x->jobs[i].j.ms + rng_range(&js->j.rng, 5, 60);
			break;
		}
	return &js->j;
}

dpd_time
simev_next_cycle(const struct sim_server *v, dpd_time after)
{
	dpd_time c = v->cycle ? v->cycle : 1800;
	dpd_time k = (after - (dpd_time)v->phase) / c;
	dpd_time t = (dpd_time)v->phase + k * c;
	while (t <= after)
		t += c;
	return t;
}

dpd_time
simev_retry_time(const struct sim_site *s, dpd_time after)
{
	struct sim_server grid = { .cycle = SIM_RETRY_MIN * 60,
	    .phase = s->srv[s->primary].phase % (SIM_RETRY_MIN * 60) };
	return simev_next_cycle(&grid, after);
}

/* The scan belongs to the server's site server: that is where its inbox is. */
void
simev_wake(struct sim_site *s, uint32_t srv, dpd_time t)
{
	srv = s->srv[srv].home;
	struct sim_server *v = &s->srv[srv];
	dpd_time next = simev_next_cycle(v, t);
	if (v->next_cycle == 0 || v->next_cycle > next) {
		v->next_cycle = next;
		s->dirty = true;
	}
}

static void
ctx_wake(struct evctx *x, uint32_t srv, dpd_time t)
{
	simev_wake(x->s, srv, t);
	srv = x->s->srv[srv].home;
	dpd_time n = x->s->srv[srv].next_cycle;
	if (n <= x->now)
		evq_push(&x->q, (struct evq_item){ n, EVQ_SERVER, srv, 0 });
}

static void
ctx_schedule(struct evctx *x, struct sim_cell *c, enum sim_event ev, dpd_time t)
{
	c->event = (uint8_t)ev;
	c->next_event = ev == SIM_EV_NONE ? 0 : t;
	if (ev != SIM_EV_NONE && t <= x->now)
		evq_push(&x->q, (struct evq_item){ t, EVQ_CELL, c->pkg, c->srv });
}

/* ---- shared log phrases ---------------------------------------------- */

static void
msg_2300(struct simlog_job *j, const struct sim_pkg *p)
{
	const char *istr[] = { p->name, p->id, NULL };
	const struct simlog_attr a[] = { { 400, p->id }, { 0, NULL } };
	simlog_statmsg(j, 2300, 'I', 'M', istr, a);
}

static void
msg_2302(struct simlog_job *j, const struct sim_pkg *p)
{
	const char *istr[] = { p->name, p->id, NULL };
	const struct simlog_attr a[] = { { 400, p->id }, { 0, NULL } };
	simlog_statmsg(j, 2302, 'E', 'M', istr, a);
}

static void
msg_success(struct simlog_job *j, const struct sim_pkg *p, const char *nal)
{
	const char *i2330[] = { p->id, nal, NULL };
	const struct simlog_attr a2330[] = { { 400, p->id }, { 404, nal }, { 0, NULL } };
	simlog_statmsg(j, 2330, 'I', 'M', i2330, a2330);
	const char *i2301[] = { p->name, p->id, NULL };
	const struct simlog_attr a2301[] = { { 400, p->id }, { 0, NULL } };
	simlog_statmsg(j, 2301, 'I', 'M', i2301, a2301);
}

/* A retrying cell that runs out of retries fails for good. */
static void
count_retry(struct sim_cell *c, struct simlog_job *j, const struct sim_pkg *p,
    int retrying, int failed, dpd_time t)
{
	if (c->state != retrying)
		return;
	if (++c->retries >= SIM_MAX_RETRIES) {
		c->state = (uint8_t)failed;
		c->summary_date = t;
		if (failed == 3)
			msg_2302(j, p);
	}
}

static void
cell_installed(struct sim_cell *c, uint32_t version, dpd_time t)
{
	c->state = 0;
	c->mode = SIM_MODE_NONE;
	c->event = SIM_EV_NONE;
	c->next_event = 0;
	c->retries = 0;
	c->flags &= (uint8_t)~(SIM_CELL_UNKNOWN | SIM_CELL_PRELOADED);
	c->source_version = version;
	c->last_copied = c->summary_date = t;
}

/* ---- the inbox scan ------------------------------------------------------ */

static bool
share_blocked(const struct sim_site *s, uint32_t srv, const struct sim_pkg *p)
{
	return (s->srv[srv].flags & SIM_SRV_SHARE_ROOT_ONLY) &&
	    strchr(p->share_path, '\\') != NULL;
}

/* Root-only permissions: SMS creates the first folder level, then fails. */
static int
install_blocked(struct simlog_job *j, uint32_t srv, uint32_t pkg, const char *nal,
    char **err)
{
	struct sim_site *s = j->site;
	const struct sim_pkg *p = &s->pkg[pkg];
	char *rel = simfs_share_rel(p);
	char *first = xstrndup(rel, strcspn(rel + 9, "/") + 9);
	char *path = simfs_path(s, srv, first);
	int rc = simfs_mkdirs(path, err);
	char *win = simfs_winpath(s, srv, rel);
	char *pckrel = xasprintf("SMSPKG/%s.PCK", p->id);
	char *pck = simfs_winpath(s, s->srv[srv].home, pckrel);
	free(pckrel);
	simlog_line(j, "~Failed to create directory %s, Win32 error = 5", win);
	simlog_line(j, "~Cannot update the package server %s for package %s, error = 5",
	    nal, p->id);
	const char *istr[] = { p->id, pck, win, NULL };
	const struct simlog_attr a[] = { { 400, p->id }, { 404, nal }, { 0, NULL } };
	simlog_statmsg(j, 2328, 'E', 'M', istr, a);
	msg_2302(j, p);
	free(pck);
	free(win);
	free(path);
	free(first);
	free(rel);
	return rc;
}

static int
install_now(struct simlog_job *j, uint32_t srv, uint32_t pkg, uint32_t version,
    char **err)
{
	struct sim_site *s = j->site;
	dpd_time t = (dpd_time)(j->ms / 1000);
	if (simfs_install(s, srv, pkg, version, t, err) != 0)
		return -1;
	struct sim_cell *c = simdb_cell_make(s, pkg, srv);
	cell_installed(c, version, t);
	msg_success(j, &s->pkg[pkg], s->srv[srv].nal);
	return 0;
}

/* Whether the DP has registered a PCK it did not get from the primary.  A
 * pair whose PCK never came (PCK_MISSING) does not pick up one copied in by
 * hand: its site has no compressed package path for it until
 * PreloadPkgOnSite sets one.  Any other pair takes what distmgr sent. */
static bool
pck_registered(const struct sim_cell *c)
{
	return c->mode != SIM_MODE_PCK_MISSING || (c->flags & SIM_CELL_PRELOADED);
}

/* The DPs the site server `home` serves that wait for package pkg (not
 * installed at version ver), at most SIM_WAIT_MAX of them. */
#define SIM_WAIT_MAX 64
static size_t
waiting_dps(struct sim_site *s, uint32_t home, uint32_t pkg, uint32_t ver,
    uint32_t out[static SIM_WAIT_MAX], bool *any)
{
	size_t n = 0;
	*any = false;
	for (uint32_t d = 0; d < s->nsrv && n < SIM_WAIT_MAX; d++) {
		struct sim_cell c;
		if (s->srv[d].home != home || !simdb_cell_view(s, pkg, d, &c))
			continue;
		*any = true;
		if (c.state != 0 || ver > c.source_version)
			out[n++] = d;
	}
	return n;
}

/* Install on each waiting DP (or fail on one whose share stops at the
 * root); true when every one has it now. */
static int
install_waiting(struct simlog_job *j, uint32_t pkg, uint32_t ver,
    const uint32_t *dps, size_t n, char **err)
{
	struct sim_site *s = j->site;
	const struct sim_pkg *p = &s->pkg[pkg];
	dpd_time t = (dpd_time)(j->ms / 1000);
	int all = 1;
	for (size_t i = 0; i < n; i++) {
		const char *nal = s->srv[dps[i]].nal;
		simlog_line(j, "Start adding package %s to server %s...", p->id, nal);
		if (share_blocked(s, dps[i], p)) {
			if (install_blocked(j, dps[i], pkg, nal, err) != 0)
				return -1;
			count_retry(simdb_cell_make(s, pkg, dps[i]), j, p, 2, 3, t);
			all = 0;
		} else if (install_now(j, dps[i], pkg, ver, err) != 0) {
			return -1;
		}
	}
	return all;
}

/* The package information in `path` asks for version `ver` of pkg: skip
 * until the site server's PCK is there (and registered), then install on
 * every DP of the site that waits for it.  1 when the file was consumed. */
static int
incoming_act(struct simlog_job *j, uint32_t srv, uint32_t pkg, uint32_t ver,
    const uint32_t *dps, size_t n, const char *path, const char *win, char **err)
{
	struct sim_site *s = j->site;
	const struct sim_pkg *p = &s->pkg[pkg];
	dpd_time t = (dpd_time)(j->ms / 1000);
	uint32_t have = 0;
	int r = simfs_pck_version(s, srv, pkg, &have, err);
	if (r < 0)
		return -1;
	bool known = true;
	for (size_t i = 0; i < n; i++) {
		struct sim_cell *c = simdb_cell_make(s, pkg, dps[i]);
		c->flags &= (uint8_t)~SIM_CELL_UNKNOWN; /* its package info is here */
		known = known && pck_registered(c);
	}
	if (r == 1 || have < ver || !known) {
		struct sim_cell *c0 = simdb_cell_make(s, pkg, dps[0]);
		simlog_line(j, "~Package %s requires a newer version (%u) of source files "
		    "and the new compressed files haven't arrived yet, current version "
		    "is %u, skip %s", p->id, ver, r == 0 && known ? have : c0->source_version,
		    win);
		for (size_t i = 0; i < n; i++)
			count_retry(simdb_cell_make(s, pkg, dps[i]), j, p, 2, 3, t);
		return 0;
	}
	simlog_line(j, "~Package %s uses the compressed copy of the source directory.", p->id);
	int all = install_waiting(j, pkg, ver, dps, n, err);
	if (all <= 0)
		return all;
	if (unlink(path) != 0) {
		err_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 1;
}

/* Act on one INCOMING\*.PKG, or only on one for package `only` when that
 * is not -1 (a file of another package is left alone, unlogged).  Returns
 * 1 when the file was consumed. */
static int
incoming_one(struct evctx *x, struct simlog_job *j, uint32_t srv,
    const char *name, long only, char **err)
{
	struct sim_site *s = x->s;
	char *rel = xasprintf(INCOMING_REL "%s", name);
	char *path = simfs_path(s, srv, rel);
	char *win = simfs_winpath(s, srv, rel);
	struct buf b;
	buf_init(&b);
	int rc = 0;
	char id[9];
	uint32_t ver, dps[SIM_WAIT_MAX];
	size_t n = 0;
	bool any = false;
	if (file_read_all(path, PKGFILE_MAX, &b, NULL) != 0)
		goto out; /* vanished or unreadable: the next scan will see */
	long pkg = simfs_pkginfo_parse(b.data, id, &ver) == 0 ? simdb_find_pkg(s, id) : -1;
	if (only >= 0 && pkg != only)
		goto out;
	simlog_line(j, "~Processing incoming file %s.", win);
	if (pkg >= 0)
		n = waiting_dps(s, srv, (uint32_t)pkg, ver, dps, &any);
	if (pkg < 0 || !any) {
		simlog_line(j, "~The package information in %s is not for a package "
		    "on this distribution point, skip %s", win, win);
	} else if (n == 0) {
		simlog_line(j, "~A newer version (%u) of package %s has already arrived, "
		    "delete the replication file %s for version %u.",
		    s->pkg[pkg].source_version, s->pkg[pkg].id, win, ver);
		rc = unlink(path) == 0 ? 1 : 0;
	} else {
		rc = incoming_act(j, srv, (uint32_t)pkg, ver, dps, n, path, win, err);
	}
out:
	buf_free(&b);
	free(win);
	free(path);
	free(rel);
	return rc;
}

static int
dp_cycle(struct evctx *x, uint32_t srv, dpd_time t, char **err)
{
	struct sim_site *s = x->s;
	struct sim_server *v = &s->srv[srv];
	char **names;
	size_t n;
	if (simfs_server_ready(s, srv, err) != 0 ||
	    simfs_list_incoming(s, srv, &names, &n, err) != 0)
		return -1;
	struct simlog_job j;
	simlog_job_start(&j, s, srv, t, 0, 0x1b0c);
	size_t left = n;
	int rc = 0;
	for (size_t i = 0; i < n && rc >= 0; i++) {
		rc = incoming_one(x, &j, srv, names[i], -1, err);
		if (rc == 1)
			left--;
	}
	simfs_names_free(names, n);
	v->next_cycle = left > 0 ? simev_next_cycle(v, t) : 0;
	s->dirty = true;
	return rc < 0 ? -1 : 0;
}

int
simev_dp_cycle(struct sim_site *s, uint32_t srv, dpd_time t, char **err)
{
	struct evctx x = { .s = s, .now = t };
	int rc = dp_cycle(&x, srv, t, err);
	free(x.q.v);
	free(x.jobs);
	return rc;
}

/* ---- cell events ------------------------------------------------------- */

/* An own-site DP: the primary copies the source to its share itself, and
 * retries at its next pass when the share refuses nested folders. */
static int
primary_copy(struct evctx *x, struct simlog_job *j, struct sim_cell *c, char **err)
{
	struct sim_site *s = x->s;
	const struct sim_pkg *p = &s->pkg[c->pkg];
	dpd_time t = (dpd_time)(j->ms / 1000);
	if (!share_blocked(s, c->srv, p))
		return install_now(j, c->srv, c->pkg, p->source_version, err);
	if (install_blocked(j, c->srv, c->pkg, s->srv[c->srv].nal, err) != 0)
		return -1;
	if (c->state == 0 || c->state == 1)
		c->state = 2;
	count_retry(c, j, p, 2, 3, t);
	/* Failed for good still fails at every pass the primary makes. */
	ctx_schedule(x, c, SIM_EV_PRIMARY_RETRY, simev_retry_time(s, t));
	return 0;
}

/* The primary sends the package: straight from the source to itself and
 * to the DPs of its own site, as package information plus PCK to a child
 * site's server, whose distmgr installs on the DPs of its site at its next
 * inbox scan or, when told the files are there, at `notify` (0: the scan). */
static int
primary_send(struct evctx *x, struct simlog_job *j, struct sim_cell *c,
    dpd_time notify, char **err)
{
	struct sim_site *s = x->s;
	const struct sim_pkg *p = &s->pkg[c->pkg];
	uint32_t pkg = c->pkg, srv = s->srv[c->srv].home;
	if (c->srv == s->primary)
		return install_now(j, c->srv, pkg, p->source_version, err);
	if (!simdb_child(s, c->srv))
		return primary_copy(x, j, c, err);
	simlog_line(j, "~Package %s uses the compressed copy of the source directory.", p->id);
	char name[9];
	struct sim_rng r = rng_for(s->seed, ((uint64_t)pkg << 24) ^ c->srv, (uint64_t)j->ms);
	simfs_random_name(&r, name);
	dpd_time t = (dpd_time)(j->ms / 1000);
	if (simfs_write_incoming(s, srv, pkg, name, p->source_version, t, err) != 0)
		return -1;
	uint32_t have = 0;
	int h = simfs_pck_version(s, s->primary, pkg, &have, err);
	if (h < 0 || (h == 0 && simfs_write_pck(s, srv, pkg, have, t, err) != 0))
		return -1;
	if (notify != 0) {
		ctx_schedule(x, c, SIM_EV_INBOX_NOTIFY, notify);
		return 0;
	}
	ctx_schedule(x, c, SIM_EV_NONE, 0);
	ctx_wake(x, srv, t);
	return 0;
}

static int
ev_primary_retry(struct evctx *x, struct sim_cell *c, dpd_time t, char **err)
{
	struct sim_site *s = x->s;
	const struct sim_pkg *p = &s->pkg[c->pkg];
	const char *nal = s->srv[c->srv].nal;
	struct simlog_job *j = ctx_job(x, s->primary, c->pkg, t);
	msg_2300(j, p);
	simlog_line(j, "Start adding package %s to server %s...", p->id, nal);
	char *src = simfs_source_dir(s, p);
	bool have_src = src != NULL && simfs_exists(src);
	free(src);
	if (have_src && !(c->flags & SIM_CELL_UNKNOWN))
		return primary_send(x, j, c, 0, err);
	if (!have_src) {
		simlog_line(j, "~Cannot find or read the package source %s, Win32 error = 3",
		    p->source_path);
		const char *istr[] = { p->source_path, p->id, NULL };
		const struct simlog_attr a[] = { { 400, p->id }, { 0, NULL } };
		simlog_statmsg(j, 2306, 'E', 'M', istr, a);
	} else {
		simlog_line(j, "~Package %s uses the compressed copy of the source directory.", p->id);
		simlog_line(j, "~Cannot update the package server %s for package %s, error = 3",
		    nal, p->id);
		/* The DP's side has no record: the failure names the DP (404). */
		const char *istr[] = { p->id, p->source_path, nal, NULL };
		const struct simlog_attr a[] = { { 400, p->id }, { 404, nal }, { 0, NULL } };
		simlog_statmsg(j, 2328, 'E', 'M', istr, a);
	}
	msg_2302(j, p);
	count_retry(c, j, p, 2, 3, t);
	ctx_schedule(x, c, c->state == 2 ? SIM_EV_PRIMARY_RETRY : SIM_EV_NONE,
	    simev_retry_time(s, t));
	return 0;
}

static int
ev_remove_retry(struct evctx *x, struct sim_cell *c, dpd_time t, char **err)
{
	struct sim_site *s = x->s;
	const struct sim_pkg *p = &s->pkg[c->pkg];
	struct simlog_job *j = ctx_job(x, s->srv[c->srv].home, c->pkg, t);
	simlog_line(j, "Start removing package %s from server %s...", p->id,
	    s->srv[c->srv].nal);
	if (!share_blocked(s, c->srv, p)) {
		uint32_t pkg = c->pkg, srv = c->srv;
		simlog_line(j, "~Package %s has been removed from server %s.", p->id,
		    s->srv[srv].nal);
		if (simfs_uninstall(s, srv, pkg, err) != 0)
			return -1;
		simdb_cell_drop(s, pkg, srv);
		simdb_target_set(s, pkg, srv, false);
		return 0;
	}
	char *rel = simfs_share_rel(p);
	char *win = simfs_winpath(s, c->srv, rel);
	const char *share = strrchr(win, '\\') + 1;
	simlog_line(j, "~The package share directory %s is not empty, cannot remove "
	    "the share %s.", win, share);
	free(win);
	free(rel);
	count_retry(c, j, p, 5, 6, t);
	ctx_schedule(x, c, c->state == 5 ? SIM_EV_REMOVE_RETRY : SIM_EV_NONE,
	    t + s->srv[c->srv].cycle);
	return 0;
}

static int
ev_arrive_pkg(struct evctx *x, struct sim_cell *c, dpd_time t, char **err)
{
	struct sim_site *s = x->s;
	const struct sim_pkg *p = &s->pkg[c->pkg];
	struct simlog_job *j = ctx_job(x, s->primary, c->pkg, t);
	msg_2300(j, p);
	simlog_line(j, "Start adding package %s to server %s...", p->id,
	    s->srv[c->srv].nal);
	if (!simdb_child(s, c->srv))
		return primary_send(x, j, c, 0, err);
	char name[9];
	struct sim_rng r = rng_for(s->seed, ((uint64_t)c->pkg << 24) ^ c->srv, (uint64_t)t);
	simfs_random_name(&r, name);
	if (simfs_write_incoming(s, s->srv[c->srv].home, c->pkg, name, p->source_version,
	    t, err) != 0)
		return -1;
	c->flags &= (uint8_t)~SIM_CELL_UNKNOWN;
	ctx_schedule(x, c, SIM_EV_ARRIVE_PCK, t + 300 + (dpd_time)rng_below(&r, 1500));
	ctx_wake(x, c->srv, t);
	return 0;
}

static int
ev_arrive_pck(struct evctx *x, struct sim_cell *c, dpd_time t, char **err)
{
	struct sim_site *s = x->s;
	const struct sim_pkg *p = &s->pkg[c->pkg];
	struct simlog_job *j = ctx_job(x, s->primary, c->pkg, t);
	if (!simdb_child(s, c->srv))
		return primary_send(x, j, c, 0, err);
	simlog_line(j, "~Package %s uses the compressed copy of the source directory.", p->id);
	if (simfs_write_pck(s, s->srv[c->srv].home, c->pkg, p->stored_version, t, err) != 0)
		return -1;
	uint32_t srv = c->srv;
	ctx_schedule(x, c, SIM_EV_NONE, 0);
	ctx_wake(x, srv, t);
	return 0;
}

static int
ev_remove_done(struct evctx *x, struct sim_cell *c, dpd_time t, char **err)
{
	struct sim_site *s = x->s;
	const struct sim_pkg *p = &s->pkg[c->pkg];
	uint32_t pkg = c->pkg, srv = c->srv;
	struct simlog_job *j = ctx_job(x, s->primary, pkg, t);
	simlog_line(j, "Start removing package %s from server %s...", p->id, s->srv[srv].nal);
	simlog_line(j, "~Package %s has been removed from server %s.", p->id, s->srv[srv].nal);
	if (simfs_uninstall(s, srv, pkg, err) != 0)
		return -1;
	simdb_cell_drop(s, pkg, srv);
	simdb_target_set(s, pkg, srv, false);
	return 0;
}

/* Whether the pair has files of its own on a site that keeps none for
 * installed pairs: the scenario wrote them for every failing pair. */
static bool
pair_has_files(const struct sim_site *s, const struct sim_cell *c)
{
	return s->materialise || (c->mode != SIM_MODE_NONE && c->mode != SIM_MODE_TRANSIENT);
}

/* One DP's turn in an update: package information and PCK go out together,
 * and distmgr tells the DP, which acts on them a minute or two later.  A
 * site that keeps no files for installed pairs (large: creating them is
 * most of its cost) sends none either; its DPs still go through the same
 * events, logged on the primary only, as its other installed pairs are. */
static int
ev_update_send(struct evctx *x, struct sim_cell *c, dpd_time t, char **err)
{
	struct sim_site *s = x->s;
	const struct sim_pkg *p = &s->pkg[c->pkg];
	struct simlog_job *j = ctx_job(x, s->primary, c->pkg, t);
	simlog_line(j, "Start adding package %s to server %s...", p->id, s->srv[c->srv].nal);
	struct sim_rng r = rng_for(s->seed, ((uint64_t)c->pkg << 24) ^ c->srv, (uint64_t)t + 0x5e4d);
	dpd_time notify = t + (dpd_time)rng_range(&r, 45, 150);
	if (s->materialise || c->srv == s->primary)
		return primary_send(x, j, c, notify, err);
	simlog_line(j, "~Package %s uses the compressed copy of the source directory.", p->id);
	ctx_schedule(x, c, SIM_EV_INBOX_NOTIFY, notify);
	return 0;
}

/* The DP acts on the package's files that just reached INCOMING, through the
 * same path as an inbox scan.  Only that package's: the other files wait
 * for the scan cycle, so the retries of failing pairs keep their pace. */
static int
ev_inbox_notify(struct evctx *x, struct sim_cell *c, dpd_time t, char **err)
{
	struct sim_site *s = x->s;
	uint32_t pkg = c->pkg, srv = c->srv;
	ctx_schedule(x, c, SIM_EV_NONE, 0);
	if (!pair_has_files(s, c)) {
		cell_installed(c, s->pkg[pkg].source_version, t); /* no files: see above */
		return 0;
	}
	char **names;
	size_t n;
	uint32_t home = s->srv[srv].home;
	if (simfs_server_ready(s, home, err) != 0 ||
	    simfs_list_incoming(s, home, &names, &n, err) != 0)
		return -1;
	struct simlog_job *j = ctx_job(x, home, pkg, t);
	int rc = 0;
	for (size_t i = 0; i < n && rc >= 0; i++)
		rc = incoming_one(x, j, home, names[i], (long)pkg, err);
	simfs_names_free(names, n);
	if (rc < 0)
		return -1;
	/* Not installed after all (say the PCK went missing meanwhile): the
	 * file stays, and the scan cycle takes it from here. */
	struct sim_cell v;
	if (simdb_cell_view(s, pkg, srv, &v) && v.state != 0)
		ctx_wake(x, srv, t);
	return 0;
}

/* A pair being removed: RefreshNow makes the DP try the removal again now
 * (a failed removal starts over), instead of waiting for its next retry. */
static int
repush_removal(struct evctx *x, struct sim_cell *c, dpd_time t, char **err)
{
	if (c->state == 6) {
		c->state = 5;
		c->retries = 0;
	}
	if (c->state == 4)
		return ev_remove_done(x, c, t, err);
	return ev_remove_retry(x, c, t, err);
}

/* RefreshNow came through: the primary replicates the package information
 * to the DP (its site now knows the package) without resending the PCK, and
 * the DP acts on it as on any arrival.  A missing source fails as a retry
 * does; a pair the primary never sent to because its source was missing
 * gets that send now (package information and PCK), as a retry would. */
static int
ev_repush(struct evctx *x, struct sim_cell *c, dpd_time t, char **err)
{
	struct sim_site *s = x->s;
	const struct sim_pkg *p = &s->pkg[c->pkg];
	if (c->state >= 4 && c->state <= 6)
		return repush_removal(x, c, t, err);
	char *src = simfs_source_dir(s, p);
	bool have_src = src != NULL && simfs_exists(src);
	free(src);
	if (!have_src)
		return ev_primary_retry(x, c, t, err);
	struct simlog_job *j = ctx_job(x, s->primary, c->pkg, t);
	msg_2300(j, p);
	simlog_line(j, "Start adding package %s to server %s...", p->id, s->srv[c->srv].nal);
	struct sim_rng r = rng_for(s->seed, ((uint64_t)c->pkg << 24) ^ c->srv, (uint64_t)t + 0x7e5);
	if (c->mode == SIM_MODE_SOURCE_MISSING && !(c->flags & SIM_CELL_UNKNOWN))
		return primary_send(x, j, c, t + (dpd_time)rng_range(&r, 45, 150), err);
	if (!simdb_child(s, c->srv))
		return primary_send(x, j, c, 0, err);
	simlog_line(j, "~Package %s uses the compressed copy of the source directory.", p->id);
	if (c->flags & SIM_CELL_UNKNOWN) {
		/* The DP's site learns the package; its PCK never came. */
		c->flags &= (uint8_t)~SIM_CELL_UNKNOWN;
		c->mode = SIM_MODE_PCK_MISSING;
		c->state = 2;
	}
	/* What the site learns, its site server's database holds: a re-push
	 * to a plain DP of a child site teaches the site server too (where
	 * PreloadPkgOnSite asks).  Only a stored cell can carry the flag. */
	uint32_t home = s->srv[c->srv].home;
	struct sim_cell *h = home != c->srv ? simdb_cell(s, c->pkg, home) : NULL;
	if (h != NULL)
		h->flags &= (uint8_t)~SIM_CELL_UNKNOWN;
	char name[9];
	simfs_random_name(&r, name);
	if (pair_has_files(s, c) && simfs_write_incoming(s, s->srv[c->srv].home, c->pkg,
	    name, p->source_version, t, err) != 0)
		return -1;
	ctx_schedule(x, c, SIM_EV_INBOX_NOTIFY, t + (dpd_time)rng_range(&r, 45, 150));
	return 0;
}

typedef int (*ev_handler)(struct evctx *x, struct sim_cell *c, dpd_time t, char **err);

static const ev_handler ev_handlers[SIM_EV_COUNT] = {
	[SIM_EV_PRIMARY_RETRY] = ev_primary_retry,
	[SIM_EV_REMOVE_RETRY] = ev_remove_retry,
	[SIM_EV_ARRIVE_PKG] = ev_arrive_pkg,
	[SIM_EV_ARRIVE_PCK] = ev_arrive_pck,
	[SIM_EV_REMOVE_DONE] = ev_remove_done,
	[SIM_EV_UPDATE_SEND] = ev_update_send,
	[SIM_EV_INBOX_NOTIFY] = ev_inbox_notify,
	[SIM_EV_REPUSH] = ev_repush,
};

/* ---- site events ---------------------------------------------------------- */

#define UPDATE_REST (4 * 3600)    /* nobody updates a package twice in a morning */
#define UPDATE_DRAWS 64

/* A package the primary may update by itself at t: every pair installed and
 * still (a failing or moving pair stays exactly as it is, for diagnosis and
 * repair to find), not changed lately, its source there, its PCK one that
 * regenerates, no DP whose share permissions would fail it, and not on too
 * many DPs. */
static bool
update_quiet(struct sim_site *s, uint32_t pkg, dpd_time t, uint32_t max_dps)
{
	const struct sim_pkg *p = &s->pkg[pkg];
	if ((p->flags & SIM_PKG_NO_REGEN) || p->source_date > t - UPDATE_REST)
		return false;
	size_t n;
	const struct sim_cell *c = simdb_pkg_cells(s, pkg, &n);
	for (size_t i = 0; i < n; i++)
		if (c[i].state != 0 || c[i].mode != SIM_MODE_NONE ||
		    c[i].event != SIM_EV_NONE || (c[i].flags & SIM_CELL_UNKNOWN))
			return false;
	uint32_t dps = 0;
	for (uint32_t srv = 0; srv < s->nsrv; srv++) {
		if (!simdb_target(s, pkg, srv))
			continue;
		if (share_blocked(s, srv, p))
			return false;
		dps++;
	}
	if (max_dps != 0 && dps > max_dps)
		return false;
	char *src = simfs_source_dir(s, p);
	bool there = src != NULL && simfs_exists(src);
	free(src);
	return there;
}

/* A quiet package drawn with the seed and the time; -1 when none is.
 * Random draws give each quiet package the same chance (a walk from a
 * random place would favour those after a run of busy ones); the walk is
 * for a site where hardly any is quiet. */
static long
update_pick(struct sim_site *s, dpd_time t, struct sim_rng *r, uint32_t max_dps)
{
	uint32_t n = (uint32_t)s->npkg;
	if (n == 0)
		return -1;
	for (int k = 0; k < UPDATE_DRAWS; k++) {
		uint32_t pkg = rng_below(r, n);
		if (update_quiet(s, pkg, t, max_dps))
			return (long)pkg;
	}
	uint32_t first = rng_below(r, n);
	for (uint32_t k = 0; k < n; k++) {
		uint32_t pkg = (first + k) % n;
		if (update_quiet(s, pkg, t, max_dps))
			return (long)pkg;
	}
	return -1;
}

/* The new source version: the administrator's new build lands in the
 * source folder, and the primary compresses it into a new PCK. */
static int
update_package(struct simlog_job *j, uint32_t pkg, struct sim_rng *r, char **err)
{
	struct sim_site *s = j->site;
	struct sim_pkg *p = &s->pkg[pkg];
	p->source_version++;
	p->stored_version = p->source_version;
	p->source_date = (dpd_time)(j->ms / 1000);
	/* A new build is a little smaller or larger than the last. */
	uint64_t delta = p->size / 20;
	p->size = p->size - delta + rng_below(r, (uint32_t)(2 * delta + 1));
	if (p->size < 1048576)
		p->size = 1048576;
	uint64_t raw = p->size + p->size / 100 * rng_range(r, 10, 60);
	if (simfs_write_source(s, pkg, err) != 0)
		return -1;
	msg_2300(j, p);
	simlog_line(j, "~Package %s doesn't have a compressed copy of the source "
	    "directory, starting the compression.", p->id);
	simlog_line(j, "~The size of package %s is %" PRIu64 " KBytes", p->id, raw / 1024);
	simlog_line(j, "~The compressed size of package %s is %" PRIu64 " KBytes", p->id,
	    p->size / 1024);
	return simfs_write_pck(s, s->primary, pkg, p->stored_version,
	    (dpd_time)(j->ms / 1000), err);
}

/* Every DP of the package is INSTALL_PENDING from now and gets the new
 * version within 2-10 minutes, each at its own time: the primary copies to
 * itself, remote DPs hear from distmgr a minute or two after it sends.
 * Called before the package changes: a cell stored now keeps what the DP
 * has (a default cell's version and dates are the package's). */
static void
update_targets(struct evctx *x, uint32_t pkg, dpd_time t, struct sim_rng *r)
{
	struct sim_site *s = x->s;
	for (uint32_t srv = 0; srv < s->nsrv; srv++) {
		if (!simdb_target(s, pkg, srv))
			continue;
		dpd_time when = t + (dpd_time)(srv == s->primary ?
		    rng_range(r, 120, 300) : rng_range(r, 75, 450));
		struct sim_cell *c = simdb_cell_make(s, pkg, srv);
		c->state = 1;
		c->mode = SIM_MODE_TRANSIENT;
		c->retries = 0;
		c->summary_date = t;
		ctx_schedule(x, c, SIM_EV_UPDATE_SEND, when);
	}
}

static int
ev_pkg_update(struct evctx *x, dpd_time t, char **err)
{
	struct sim_site *s = x->s;
	struct sim_rng r = rng_for(s->seed, (uint64_t)t, 0x9d47e);
	long pkg = update_pick(s, t, &r, scenspec_updates(s->scenario)->max_dps);
	if (pkg < 0)
		return 0; /* nothing is quiet: maybe next time */
	update_targets(x, (uint32_t)pkg, t, &r);
	s->dirty = true;
	return update_package(ctx_job(x, s->primary, (uint32_t)pkg, t), (uint32_t)pkg, &r, err);
}

/* Each gap is drawn from the seed and the time of the update before it, so
 * the series is the same however often the site is looked at. */
static dpd_time
update_next(const struct sim_site *s, dpd_time after)
{
	const struct sim_update_spec *u = scenspec_updates(s->scenario);
	if (u->gap_max == 0)
		return 0;
	dpd_time first = s->start + (dpd_time)u->after;
	dpd_time base = after < first ? first : after;
	struct sim_rng r = rng_for(s->seed, (uint64_t)base, 0x0bda7e);
	return base + (dpd_time)rng_range(&r, u->gap_min, u->gap_max);
}

/* A site event: what it does, and when it next happens after a time (0:
 * never on this site). */
struct site_event {
	int (*run)(struct evctx *x, dpd_time t, char **err);
	dpd_time (*next)(const struct sim_site *s, dpd_time after);
};

static const struct site_event site_events[SIM_SEV_COUNT] = {
	[SIM_SEV_PKG_UPDATE] = { ev_pkg_update, update_next },
};

/* A site event never scheduled (a new site, or one saved before the event
 * existed) or due before `from` starts its series again from there. */
static void
site_arm(struct sim_site *s, dpd_time from)
{
	for (unsigned e = 0; e < SIM_SEV_COUNT; e++)
		if (s->site_next[e] < from)
			s->site_next[e] = site_events[e].next(s, from);
}

/* ---- advancing ----------------------------------------------------------- */

/* Work that fell due before `from` is moved up to it: the days nobody
 * looked at the site are not simulated (as if their logs had rolled away). */
static void
skip_ahead(struct sim_site *s, dpd_time from)
{
	for (size_t i = 0; i < s->nsrv; i++)
		if (s->srv[i].next_cycle != 0 && s->srv[i].next_cycle < from)
			s->srv[i].next_cycle = simev_next_cycle(&s->srv[i], from - 1);
	for (size_t i = 0; i < s->ncell; i++) {
		struct sim_cell *c = &s->cell[i];
		if (c->event != SIM_EV_NONE && c->next_event < from)
			c->next_event = from + (dpd_time)(sim_mix(((uint64_t)c->pkg << 24) ^
			    c->srv) % 1800);
	}
	site_arm(s, from);
}

static void
queue_due(struct evctx *x)
{
	struct sim_site *s = x->s;
	for (size_t i = 0; i < s->nsrv; i++)
		if (s->srv[i].next_cycle != 0 && s->srv[i].next_cycle <= x->now)
			evq_push(&x->q, (struct evq_item){ s->srv[i].next_cycle,
			    EVQ_SERVER, (uint32_t)i, 0 });
	for (size_t i = 0; i < s->ncell; i++) {
		const struct sim_cell *c = &s->cell[i];
		if (c->event != SIM_EV_NONE && c->next_event <= x->now)
			evq_push(&x->q, (struct evq_item){ c->next_event, EVQ_CELL,
			    c->pkg, c->srv });
	}
	for (unsigned e = 0; e < SIM_SEV_COUNT; e++)
		if (s->site_next[e] != 0 && s->site_next[e] <= x->now)
			evq_push(&x->q, (struct evq_item){ s->site_next[e], EVQ_SITE, e, 0 });
}

/* Queued items go stale when their subject was rescheduled or is gone. */
static int
run_server(struct evctx *x, const struct evq_item *it, char **err)
{
	struct sim_site *s = x->s;
	if (s->srv[it->a].next_cycle != it->t)
		return 0;
	int rc = dp_cycle(x, it->a, it->t, err);
	dpd_time n = s->srv[it->a].next_cycle;
	if (rc == 0 && n != 0 && n <= x->now)
		evq_push(&x->q, (struct evq_item){ n, EVQ_SERVER, it->a, 0 });
	return rc;
}

static int
run_cell(struct evctx *x, const struct evq_item *it, char **err)
{
	struct sim_cell *c = simdb_cell(x->s, it->a, it->b);
	if (c == NULL || c->event == SIM_EV_NONE || c->next_event != it->t)
		return 0;
	ev_handler h = ev_handlers[c->event];
	if (h == NULL) {
		c->event = SIM_EV_NONE;
		return 0;
	}
	return h(x, c, it->t, err);
}

static int
run_site(struct evctx *x, const struct evq_item *it, char **err)
{
	struct sim_site *s = x->s;
	const struct site_event *e = &site_events[it->a];
	if (s->site_next[it->a] != it->t)
		return 0;
	int rc = e->run(x, it->t, err);
	dpd_time n = e->next(s, it->t);
	s->site_next[it->a] = n;
	if (rc == 0 && n != 0 && n <= x->now)
		evq_push(&x->q, (struct evq_item){ n, EVQ_SITE, it->a, 0 });
	return rc;
}

static int (*const run_kind[EVQ_KINDS])(struct evctx *, const struct evq_item *, char **) = {
	[EVQ_SERVER] = run_server,
	[EVQ_CELL] = run_cell,
	[EVQ_SITE] = run_site,
};

int
simev_advance(struct sim_site *s, dpd_time now, char **err)
{
	if (now <= s->clock)
		return 0;
	struct evctx x = { .s = s, .now = now };
	site_arm(s, s->clock);
	if (now - s->clock > SIM_CATCHUP_MAX)
		skip_ahead(s, now - SIM_CATCHUP_MAX);
	queue_due(&x);
	struct evq_item it;
	int rc = 0;
	while (rc == 0 && evq_pop(&x.q, &it))
		rc = run_kind[it.kind](&x, &it, err);
	free(x.q.v);
	free(x.jobs);
	s->clock = now;
	s->dirty = true;
	if (simlog_flush(s, rc == 0 ? err : NULL) != 0)
		rc = -1;
	return rc;
}

/* ---- changes an administrator makes ------------------------------------- */

void
simev_repush(struct sim_site *s, uint32_t pkg, uint32_t srv, dpd_time t)
{
	struct sim_cell *c = simdb_cell_make(s, pkg, srv);
	struct sim_rng r = rng_for(s->seed, ((uint64_t)pkg << 24) ^ srv, (uint64_t)t + 0x4ef);
	c->event = SIM_EV_REPUSH;
	c->next_event = t + (dpd_time)rng_range(&r, 120, 300);
	c->summary_date = t;
	s->dirty = true;
}

/* Why the primary does not recompress; NULL when it does. */
static const char *
regen_refused(struct sim_site *s, uint32_t pkg, char **err, int *rc)
{
	const struct sim_pkg *p = &s->pkg[pkg];
	char *src = simfs_source_dir(s, p);
	bool have_src = src != NULL && simfs_exists(src);
	free(src);
	*rc = 0;
	if (!have_src)
		return "source";
	uint32_t have = 0;
	int h = simfs_pck_version(s, s->primary, pkg, &have, err);
	if (h < 0)
		*rc = -1;
	/* The stale PCK stays until someone renames or deletes it. */
	return h == 0 && (p->flags & SIM_PKG_NO_REGEN) ? "noregen" : NULL;
}

static uint32_t
remote_dps(const struct sim_site *s, uint32_t pkg)
{
	uint32_t n = 0;
	for (uint32_t srv = 0; srv < s->nsrv; srv++)
		n += srv != s->primary && simdb_target(s, pkg, srv);
	return n;
}

static void
regen_log_refusal(struct simlog_job *j, const struct sim_pkg *p, const char *why)
{
	if (strcmp(why, "source") == 0) {
		simlog_line(j, "~Cannot find or read the package source %s, Win32 error = 3",
		    p->source_path);
		const char *istr[] = { p->source_path, p->id, NULL };
		const struct simlog_attr a[] = { { 400, p->id }, { 0, NULL } };
		simlog_statmsg(j, 2306, 'E', 'M', istr, a);
		msg_2302(j, p);
		return;
	}
	simlog_line(j, "~Package %s has a compressed copy of the source directory, "
	    "version %u, no need to compress.", p->id, p->stored_version);
}

int
simev_source_changed(struct sim_site *s, uint32_t pkg, dpd_time t, char **err)
{
	struct evctx x = { .s = s, .now = t };
	struct sim_pkg *p = &s->pkg[pkg];
	struct simlog_job *j = ctx_job(&x, s->primary, pkg, t);
	msg_2300(j, p);
	int rc;
	const char *why = regen_refused(s, pkg, err, &rc);
	if (rc == 0 && why != NULL)
		regen_log_refusal(j, p, why);
	if (rc == 0 && why == NULL) {
		struct sim_rng r = rng_for(s->seed, (uint64_t)t, 0x50c7 + pkg);
		update_targets(&x, pkg, t, &r);
		p->flags &= (uint8_t)~SIM_PKG_NO_REGEN;
		p->source_version++;
		p->stored_version = p->source_version;
		p->source_date = t;
		simlog_line(j, "~Package %s doesn't have a compressed copy of the source "
		    "directory, starting the compression.", p->id);
		simlog_line(j, "~The compressed size of package %s is %" PRIu64 " KBytes",
		    p->id, p->size / 1024);
		uint32_t dps = remote_dps(s, pkg);
		simlog_line(j, "~Package %s will be sent to %u remote distribution points: "
		    "%" PRIu64 " bytes over the WAN.", p->id, dps, p->size * dps);
		rc = simfs_write_pck(s, s->primary, pkg, p->stored_version, t, err);
	}
	s->dirty = true;
	free(x.q.v);
	free(x.jobs);
	return rc;
}
