/*
 * Delta refresh against the simulator: the sim answers `since` with only
 * the rows whose SummaryDate is that late and refuses a malformed one; a
 * snapshot kept up by 1,000 delta reads (the site's clock advancing and its
 * cells changing, no full read in between) equals a full read cell by
 * cell; a pair removed from a DP stays as last reported until the next
 * full read and is gone after it; and a provider clock that goes back
 * makes the next read full.
 */
#include "autoconf.h"
#include "backend/sim/simint.h"
#include "backend/sim/sim.h"
#include "backend/ops/ops_ps.h"
#include "backend/sms/status.h"
#include "backend/sms/status_delta.h"
#include "tests/unit/tap.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static char *top, *dir, *primary;

static void
set_time(dpd_time t)
{
	char iso[21];
	time_format_iso(t, iso);
	setenv("DPDOCTOR_SIM_TIME", iso, 1);
}

/* Cells of a that b lacks or has otherwise (state, version, dates), by
 * package ID and DP name; *removed counts those b lacks whose last state in
 * a was a removal (a pair SMS removed: only a full read sees it go). */
static size_t
diff_cells(const struct snapshot *a, const struct snapshot *b, size_t *removed)
{
	size_t bad = 0;
	for (size_t i = 0; i < a->npkgs * a->ndps; i++) {
		const struct cell *c = snapshot_cell(a, i / a->ndps, i % a->ndps);
		if (c == NULL)
			continue;
		long p = snapshot_find_pkg(b, a->pkgs[c->pkg].id);
		long d = snapshot_find_dp(b, a->dps[c->dp].name);
		const struct cell *o = p >= 0 && d >= 0 ? snapshot_cell(b, (size_t)p, (size_t)d) : NULL;
		if (o == NULL && removed != NULL && c->state >= STATE_REMOVAL_PENDING &&
		    c->state <= STATE_REMOVAL_FAILED) {
			(*removed)++;
			continue;
		}
		if (o == NULL || o->state != c->state || o->source_version != c->source_version ||
		    o->last_copied != c->last_copied || o->summary_date != c->summary_date) {
			if (bad++ < 5)
				printf("#   %s on %s: state %u/%d\n", a->pkgs[c->pkg].id,
				    a->dps[c->dp].name, c->state, o ? o->state : -1);
		}
	}
	return bad;
}

static struct snapshot *
full_read(struct transport *t)
{
	char *err = NULL;
	struct snapshot *s = status_fetch(t, "009", NULL, NULL, &err);
	if (s == NULL) {
		printf("# full read: %s\n", err);
		free(err);
	}
	return s;
}

/* One refresh as the TUI does it: plan, read against the base, commit. */
static struct snapshot *
refresh(struct status_delta *d, struct snapshot *base, struct transport *t,
    struct status_outcome *o)
{
	char *err = NULL;
	struct status_plan plan = status_delta_plan(d);
	if (status_delta_read(&plan, base, t, "009", NULL, NULL, o, &err) != 0) {
		printf("# refresh: %s\n", err);
		free(err);
		return base;
	}
	(void)status_delta_commit(d, o);
	snapshot_free(base);
	return o->snap;
}

static void
test_since_rows(struct transport *t, dpd_time now)
{
	char *err = NULL;
	struct snapshot *full = full_read(t);
	dpd_time since = now - 2 * 86400;
	size_t want = 0;
	for (size_t i = 0; full != NULL && i < full->ncells; i++)
		want += full->cells[i].summary_date >= since;
	struct snapshot *delta = status_fetch_since(t, "009", NULL, since, NULL, &err);
	ok(delta != NULL, "a delta read (%s)", err ? err : "");
	ok(full != NULL && want > 0 && want < full->ncells, "some cells are newer than the "
	    "mark, not all (%zu of %zu)", want, full ? full->ncells : 0);
	is_int(delta ? (long long)delta->ncells : -1, (long long)want,
	    "the sim answers only the rows with SummaryDate >= since");
	size_t same = 0;
	for (size_t i = 0; delta != NULL && full != NULL && i < delta->ncells; i++) {
		const struct cell *c = &delta->cells[i];
		long p = snapshot_find_pkg(full, delta->pkgs[c->pkg].id);
		long d = snapshot_find_dp(full, delta->dps[c->dp].name);
		const struct cell *o = p >= 0 && d >= 0 ? snapshot_cell(full, (size_t)p, (size_t)d) : NULL;
		same += o != NULL && o->state == c->state && o->summary_date == c->summary_date &&
		    o->last_copied == c->last_copied && o->source_version == c->source_version;
	}
	is_int((long long)same, (long long)want, "each is the full read's row");
	snapshot_free(delta);
	snapshot_free(full);
	free(err);
	/* The sim's own rule refuses what the renderer would never send. */
	struct op op = { .kind = OP_STATUS };
	op_set(&op, "site", "009");
	op_set(&op, "since", "2007-01-04T09:00:00Z");
	char *script = ops_render(&op, &err);
	char *at = script ? strstr(script, "2007-01-04T09:00:00Z") : NULL;
	if (at != NULL)
		at[10] = ' '; /* 2007-01-04 09:00:00Z */
	struct script_result res;
	script_result_init(&res);
	ok(at != NULL && sim_run_script(dir, primary, script, &res, &err) == 0 &&
	    res.out.data != NULL && strstr(res.out.data, "since") != NULL &&
	    strstr(res.out.data, "END\terror") != NULL, "a malformed since is refused by the sim");
	script_result_free(&res);
	free(script);
	free(err);
}

/* A delta naming a package the base does not know, in cell rows only (its
 * SourceDate older than since): the package is read alone in the same job
 * and arrives whole, name and all. */
static void
test_unknown_package(struct transport *t, dpd_time now)
{
	char *err = NULL;
	struct snapshot *full = full_read(t);
	dpd_time since = now - 2 * 86400;
	const char *want = NULL;
	for (size_t i = 0; full != NULL && i < full->ncells && want == NULL; i++) {
		const struct cell *c = &full->cells[i];
		if (c->summary_date >= since && full->pkgs[c->pkg].source_date < since)
			want = full->pkgs[c->pkg].id;
	}
	if (!ok(want != NULL, "a recent cell of an older package")) {
		snapshot_free(full);
		return;
	}
	/* A base that knows one other package only. */
	const char *other = strcmp(full->pkgs[0].id, want) != 0 ? full->pkgs[0].id : full->pkgs[1].id;
	struct snapshot *base = status_fetch_package(t, "009", NULL, other, NULL, &err);
	struct status_plan plan = { .kind = STATUS_READ_DELTA, .since = since };
	struct status_outcome o;
	ok(base != NULL && status_delta_read(&plan, base, t, "009", NULL, NULL, &o, &err) == 0,
	    "a delta against it (%s)", err ? err : "");
	long k = base != NULL ? snapshot_find_pkg(o.snap, want) : -1;
	long f = snapshot_find_pkg(full, want);
	ok(base != NULL && o.fetched > 0 && k >= 0 && f >= 0 && o.snap->pkgs[k].name != NULL &&
	    strcmp(o.snap->pkgs[k].name, full->pkgs[f].name) == 0 &&
	    o.snap->pkgs[k].source_version == full->pkgs[f].source_version,
	    "package %s read alone and merged whole (%zu read)", want, base ? o.fetched : 0);
	if (base != NULL)
		snapshot_free(o.snap);
	snapshot_free(base);
	snapshot_free(full);
	free(err);
}

/* 1,000 delta refreshes a simulated minute apart (the default site's
 * primary updates a package every 10-20 minutes from 10:00 on, so its DPs'
 * cells go pending and installed again), then a full read to compare. */
static void
test_thousand(struct transport *t, dpd_time start)
{
	struct status_delta d;
	status_delta_init(&d, UINT_MAX);
	struct status_outcome o;
	set_time(start);
	struct snapshot *s = refresh(&d, NULL, t, &o);
	ok(s != NULL && o.plan.kind == STATUS_READ_FULL, "the first read is full");
	size_t deltas = 0, changed = 0, bad = 0, compared = 0, removed = 0;
	for (int i = 1; i <= 1000 && s != NULL; i++) {
		set_time(start + i * 60);
		s = refresh(&d, s, t, &o);
		deltas += o.plan.kind == STATUS_READ_DELTA;
		changed += o.changed;
		if (i % 100 == 0) {
			struct snapshot *f = full_read(t);
			size_t gone = 0;
			bad += f == NULL || diff_cells(s, f, &gone) != 0 || diff_cells(f, s, NULL) != 0;
			removed = gone;
			/* The tallies the header and the problem sort read, moved by
			 * the delta, agree with the full read's (less removed pairs). */
			size_t sum = 0;
			for (size_t k = 0; f != NULL && k <= STATE_COUNT; k++)
				sum += s->state_counts[k] - f->state_counts[k];
			bad += f == NULL || sum != gone;
			for (size_t k = 0; f != NULL && gone == 0 && k < s->npkgs; k++) {
				long fp = snapshot_find_pkg(f, s->pkgs[k].id);
				bad += fp < 0 || f->pkgs[fp].problems != s->pkgs[k].problems;
			}
			compared++;
			snapshot_free(f);
		}
	}
	is_int((long long)deltas, 1000, "1,000 delta reads, no full one");
	ok(changed > 100, "cells changed on the way (%zu delta rows)", changed);
	is_int((long long)bad, 0, "the merged grid equals a full read cell by cell (%zu times; "
	    "%zu pairs SMS removed meanwhile kept as last reported)", compared, removed);
	/* The next full read (here asked for) drops them. */
	status_delta_ask_full(&d);
	set_time(start + 1001 * 60);
	s = refresh(&d, s, t, &o);
	struct snapshot *f = full_read(t);
	size_t gone = 0;
	ok(s != NULL && f != NULL && o.plan.kind == STATUS_READ_FULL &&
	    diff_cells(s, f, &gone) == 0 && gone == 0 && diff_cells(f, s, NULL) == 0,
	    "after a full read the grid is the full read, removed pairs gone");
	snapshot_free(f);
	snapshot_free(s);
}

/* Drop or mark a pair in the site's database as the sim's removal does. */
static int
site_edit(const char *pkgid, uint32_t srv_from_end, int state, dpd_time t, bool drop)
{
	struct sim_site *s = NULL;
	char *err = NULL;
	int fd = simdb_lock(dir, true, NULL, &err);
	if (fd < 0 || simdb_load(dir, &s, &err) != 0) {
		printf("# site: %s\n", err);
		free(err);
		simdb_unlock(fd);
		return -1;
	}
	long p = simdb_find_pkg(s, pkgid);
	uint32_t srv = (uint32_t)(s->nsrv - 1 - srv_from_end);
	int rc = p >= 0 && simdb_target(s, (uint32_t)p, srv) ? 0 : -1;
	if (rc == 0 && drop) {
		simdb_cell_drop(s, (uint32_t)p, srv);
		simdb_target_set(s, (uint32_t)p, srv, false);
		s->dirty = true;
	} else if (rc == 0) {
		struct sim_cell *c = simdb_cell_make(s, (uint32_t)p, srv);
		c->state = (uint8_t)state;
		c->summary_date = t;
	}
	if (rc == 0 && simdb_save(s, &err) != 0) {
		printf("# save: %s\n", err);
		rc = -1;
	}
	simdb_free(s);
	simdb_unlock(fd);
	free(err);
	return rc;
}

static long
cell_state(const struct snapshot *s, const char *pkgid, const char *dp)
{
	long p = snapshot_find_pkg(s, pkgid), d = snapshot_find_dp(s, dp);
	const struct cell *c = p >= 0 && d >= 0 ? snapshot_cell(s, (size_t)p, (size_t)d) : NULL;
	return c ? c->state : -1;
}

static void
test_removed(struct transport *t, dpd_time now)
{
	struct status_delta d;
	status_delta_init(&d, 3); /* full, delta, delta, full */
	struct status_outcome o;
	set_time(now);
	struct snapshot *s = refresh(&d, NULL, t, &o);
	if (!ok(s != NULL && s->ncells > 0, "a full read"))
		return;
	/* The last server's first package: a DP the package is on. */
	size_t dpi = 0;
	char pkg[9] = "";
	for (size_t i = 0; i < s->ncells && pkg[0] == '\0'; i++)
		if (s->cells[i].state == 0 && strcmp(s->dps[s->cells[i].dp].server, primary) != 0) {
			dpi = s->cells[i].dp;
			memcpy(pkg, s->pkgs[s->cells[i].pkg].id, 9);
		}
	char *dpname = xstrdup(s->dps[dpi].name);
	/* Find that server's index from the end in the site's list. */
	struct sim_site *site = NULL;
	char *err = NULL;
	uint32_t from_end = 0;
	if (simdb_load(dir, &site, &err) == 0) {
		long k = simdb_find_srv(site, s->dps[dpi].server);
		from_end = k >= 0 ? (uint32_t)(site->nsrv - 1 - (size_t)k) : 0;
		simdb_free(site);
	}
	free(err);
	ok(site_edit(pkg, from_end, STATE_REMOVAL_PENDING, now + 60, false) == 0,
	    "%s on %s: removal pending", pkg, dpname);
	set_time(now + 120);
	s = refresh(&d, s, t, &o);
	ok(o.plan.kind == STATUS_READ_DELTA && cell_state(s, pkg, dpname) == STATE_REMOVAL_PENDING,
	    "a delta shows the removal state (%ld)", cell_state(s, pkg, dpname));
	ok(site_edit(pkg, from_end, 0, 0, true) == 0, "the package is removed from the DP");
	set_time(now + 180);
	s = refresh(&d, s, t, &o);
	ok(o.plan.kind == STATUS_READ_DELTA && cell_state(s, pkg, dpname) == STATE_REMOVAL_PENDING,
	    "a delta keeps the cell as last reported");
	set_time(now + 240);
	s = refresh(&d, s, t, &o);
	ok(o.plan.kind == STATUS_READ_FULL && o.plan.why == STATUS_FULL_EVERY &&
	    cell_state(s, pkg, dpname) == -1, "the next full read has it gone");
	snapshot_free(s);
	free(dpname);
}

static struct snapshot *
parse(const char *text)
{
	char *err = NULL;
	struct snapshot *s = status_parse(text, strlen(text), &err);
	if (s == NULL)
		printf("# parse: %s\n", err);
	free(err);
	return s;
}

#define REPLY(cell_date, now) \
	"DPDOCTOR 2 status\r\n" \
	"COLS\tC\tPackageID\tServerNALPath\tSiteCode\tState\tSourceVersion\tLastCopied\tSummaryDate\r\n" \
	"C\t00900001\t[\"Display=\\\\\\\\DP1\\\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\\\\\DP1\\\\\t009\t1\t2\t" \
	cell_date "\t" cell_date "\r\n" \
	"COLS\tT\tNow\r\nT\t" now "\r\nEND\tok\t1\r\n"

/* The provider's clock ran an hour ahead and was set right: the rows it
 * writes now are dated before the mark, and a delta would miss them. */
static void
test_clock_back(void)
{
	struct status_delta d;
	status_delta_init(&d, 20);
	struct status_outcome o = { .plan = status_delta_plan(&d) };
	o.snap = parse(REPLY("20070104115900.000000+000", "2007-01-04T12:00:00Z"));
	if (!ok(o.snap != NULL, "a reply from a clock an hour ahead"))
		return;
	o.now = o.snap->taken;
	o.newest = o.snap->cells[0].summary_date;
	ok(!status_delta_commit(&d, &o), "first read: nothing to compare with");
	snapshot_free(o.snap);
	struct status_plan p = status_delta_plan(&d);
	ok(p.kind == STATUS_READ_DELTA, "then a delta");
	o = (struct status_outcome){ .plan = p };
	o.snap = parse(REPLY("20070104110030.000000+000", "2007-01-04T11:01:00Z"));
	if (o.snap == NULL)
		return;
	o.now = o.snap->taken;
	ok(o.snap->cells[0].summary_date < p.since, "a row written after the correction is "
	    "older than the delta's since");
	ok(status_delta_commit(&d, &o), "the reply's Now is earlier: the clock went back");
	p = status_delta_plan(&d);
	ok(p.kind == STATUS_READ_FULL && p.why == STATUS_FULL_CLOCK, "the next read is full");
	char *w = status_delta_words(&o, true);
	contains(w, "clock went back", "the status line says so (%s)", w);
	free(w);
	snapshot_free(o.snap);
	o = (struct status_outcome){ .plan = p, .now = o.now + 60, .newest = o.now };
	ok(!status_delta_commit(&d, &o) && status_delta_plan(&d).kind == STATUS_READ_DELTA &&
	    d.watermark <= o.now, "after the full read, deltas again from the site's new time");
	/* r pressed while a delta runs: the delta's arrival keeps the ask. */
	p = status_delta_plan(&d);
	status_delta_ask_full(&d);
	o = (struct status_outcome){ .plan = p, .now = o.now + 60, .newest = o.now };
	(void)status_delta_commit(&d, &o);
	ok(status_delta_plan(&d).kind == STATUS_READ_FULL &&
	    status_delta_plan(&d).why == STATUS_FULL_ASKED, "a full read asked for during a delta "
	    "is the next read");
}

int
main(void)
{
	dpd_time start;
	if (time_parse_iso("2007-01-04T10:00:00Z", &start) != 0)
		return 1;
	set_time(start);
	top = xstrdup("/tmp/dpd-test-delta-XXXXXX");
	char *err = NULL;
	if (mkdtemp(top) == NULL)
		return 1;
	dir = xasprintf("%s/site", top);
	struct sim_info info;
	if (!ok(sim_ensure(dir, "default", 1, false, &err) == 0 &&
	    sim_info(dir, &info, &err) == 0, "default demo site (%s)", err ? err : ""))
		return done_testing();
	primary = info.primary;
	struct transport *t = transport_sim_new(dir, info.primary);
	test_since_rows(t, start);
	test_unknown_package(t, start);
	test_thousand(t, start);
	test_removed(t, start + 1002 * 60);
	test_clock_back();
	transport_close(t);
	sim_info_free(&info);
	ok(simfs_remove_tree(top, NULL) == 0, "temporary site removed");
	free(dir);
	free(top);
	free(err);
	return done_testing();
}
