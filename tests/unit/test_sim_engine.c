/*
 * The simulator's machinery on the small scenario: an inbox scan takes
 * both of the seed's paths (the "compressed files haven't arrived yet" skip
 * and a real install once the PCK is there) with the exact log text;
 * log lines have the SMS 2003 raw shape in each server's time zone and
 * roll over at 1 MB; time advances in order, catches up at most a day, and
 * retries run out; the database survives a round trip and says where it
 * is broken; concurrent ops serialise on the site lock.  On the default
 * scenario the primary updates quiet packages by itself: their DPs go
 * pending and then installed at the new version, failing pairs stay exactly
 * as they would without updates, and all of it follows from seed and time.
 */
#include "autoconf.h"
#include "backend/ops/ops_ps.h"
#include "backend/core/proto.h"
#include "backend/sim/simint.h"
#include "tests/unit/simfix.h"
#include "tests/unit/tap.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define T0 "2007-01-04T10:00:00Z"

static char *
read_text(const char *path)
{
	struct buf b;
	buf_init(&b);
	if (file_read_all(path, 1u << 30, &b, NULL) != 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static dpd_time
iso(const char *s)
{
	dpd_time t = 0;
	(void)time_parse_iso(s, &t);
	return t;
}

static struct sim_site *
load(const char *dir)
{
	struct sim_site *s = simfix_load(dir);
	if (s == NULL)
		exit(99);
	return s;
}

/* The first stored cell with this mode (and state, when not 0). */
static struct sim_cell *
find_cell(struct sim_site *s, enum sim_mode m, int state)
{
	for (size_t i = 0; i < s->ncell; i++)
		if (s->cell[i].mode == m && (state == 0 || s->cell[i].state == state))
			return &s->cell[i];
	return NULL;
}

static char *
srv_file(struct sim_site *s, uint32_t srv, const char *rel)
{
	return simfs_path(s, srv, rel);
}

/* INCOMING file (name without .PKG) announcing package pkg on srv. */
static char *
incoming_for(struct sim_site *s, uint32_t srv, uint32_t pkg)
{
	char **names;
	size_t n;
	char *found = NULL;
	if (simfs_list_incoming(s, srv, &names, &n, NULL) != 0)
		return NULL;
	for (size_t i = 0; i < n && !found; i++) {
		char *rel = xasprintf("SMS/inboxes/distmgr.box/INCOMING/%s", names[i]);
		char *path = srv_file(s, srv, rel);
		char *text = read_text(path);
		char id[9];
		uint32_t v;
		if (text && simfs_pkginfo_parse(text, id, &v) == 0 && strcmp(id, s->pkg[pkg].id) == 0)
			found = xstrndup(names[i], 8);
		free(text);
		free(path);
		free(rel);
	}
	simfs_names_free(names, n);
	return found;
}

/* The text of a log line (before "  $$<"), line by line. */
static bool
log_has(const char *log, const char *text)
{
	size_t n = strlen(text);
	for (const char *p = log; p && *p; ) {
		if (strncmp(p, text, n) == 0 && strncmp(p + n, "  $$<", 5) == 0)
			return true;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

static int
cycle(struct sim_site *s, uint32_t srv, const char *when)
{
	char *err = NULL;
	int rc = simev_dp_cycle(s, srv, iso(when), &err);
	if (rc == 0)
		rc = simlog_flush(s, &err);
	if (rc != 0)
		printf("# cycle: %s\n", err);
	free(err);
	return rc;
}

static void
test_incoming(const char *dir)
{
	struct sim_site *s = load(dir);
	struct sim_cell *c = find_cell(s, SIM_MODE_PCK_MISSING, 0);
	if (!ok(c != NULL, "small scenario has a PCK_MISSING pair"))
		return;
	uint32_t pkg = c->pkg, srv = c->srv, cur = c->source_version;
	const struct sim_pkg *p = &s->pkg[pkg];
	uint32_t need = p->source_version;
	char *name = incoming_for(s, srv, pkg);
	ok(name != NULL, "its INCOMING holds a .PKG naming %s", p->id);
	char *log = srv_file(s, srv, "SMS/Logs/distmgr.log");
	char *rel = xasprintf("SMS/inboxes/distmgr.box/INCOMING/%s.PKG", name ? name : "?");
	char *inc = srv_file(s, srv, rel);
	ok(cycle(s, srv, "2007-01-04T10:05:00Z") == 0, "an inbox scan runs");
	char *text = read_text(log);
	char *winc = simfs_winpath(s, srv, rel);
	ok(s->srv[srv].role & SIM_ROLE_SITESRV, "the pair is at a child site's server (%s, %s)",
	    s->srv[srv].name, winc);
	char *l1 = xasprintf("~Processing incoming file %s.", winc);
	char *l2 = xasprintf("~Package %s requires a newer version (%u) of source files and the new "
	    "compressed files haven't arrived yet, current version is %u, skip %s", p->id, need,
	    cur, winc);
	free(winc);
	ok(log_has(text, l1), "logged: %s", l1);
	ok(log_has(text, l2), "logged: %s", l2);
	ok(strstr(text, l1) < strstr(text, l2), "... in that order");
	ok(simfs_exists(inc), "the INCOMING file stays for the next scan");
	free(text);

	/* The seed's fix, step one: copy the primary's PCK to the DP.  Alone it
	 * does nothing: the DP's site has no compressed package path for it. */
	char *err = NULL;
	text = read_text(log);
	size_t before = text ? strlen(text) : 0;
	free(text);
	ok(simfs_write_pck(s, srv, pkg, need, iso("2007-01-04T10:10:00Z"), &err) == 0,
	    "the PCK of version %u is copied to the DP", need);
	ok(cycle(s, srv, "2007-01-04T10:35:00Z") == 0, "the next scan runs");
	text = read_text(log);
	ok(text != NULL && strlen(text) > before && log_has(text + before, l2),
	    "copied but not preloaded: the scan skips again, still at version %u", cur);
	ok(simfs_exists(inc), "... and the INCOMING file stays");
	struct sim_cell *pc = simdb_cell(s, pkg, srv);
	ok(pc != NULL && pc->state != 0, "... and the pair is not installed");
	free(text);

	/* Step two: PreloadPkgOnSite records the compressed package path for
	 * the site: its server and its plain DPs. */
	for (uint32_t d = 0; d < s->nsrv; d++) {
		struct sim_cell *dc = s->srv[d].home == srv ? simdb_cell(s, pkg, d) : NULL;
		if (dc != NULL)
			dc->flags |= SIM_CELL_PRELOADED;
	}
	ok(cycle(s, srv, "2007-01-04T11:05:00Z") == 0, "the scan after the preload runs");
	text = read_text(log);
	char *l3 = xasprintf("~Package %s uses the compressed copy of the source directory.", p->id);
	char *l4 = xasprintf("Start adding package %s to server %s...", p->id, s->srv[srv].nal);
	ok(log_has(text, l3), "logged: %s", l3);
	ok(log_has(text, l4), "logged: %s", l4);
	char *l5 = xasprintf("STATMSG: ID=2330 SEV=I LEV=M SOURCE=\"SMS Server\" "
	    "COMP=\"SMS_DISTRIBUTION_MANAGER\" SYS=%s SITE=%s PID=%u TID=%u GMTDATE=",
	    s->srv[srv].name, s->srv[srv].site, s->srv[srv].pid, s->srv[srv].threads[0]);
	contains(text, l5, "STATMSG 2330 in the published shape");
	char *l6 = xasprintf("ISTR0=\"%s\" ISTR1=\"%s\" ISTR2=\"\"", p->id, s->srv[srv].nal);
	contains(text, l6, "2330 names the package and the DP");
	char *l7 = xasprintf("NUMATTRS=2 AID0=400 AVAL0=\"%s\" AID1=404 AVAL1=\"%s\"  $$<",
	    p->id, s->srv[srv].nal);
	contains(text, l7, "2330 attributes: package and DP");
	char *l8 = xasprintf("STATMSG: ID=2301 SEV=I LEV=M");
	contains(text, l8, "STATMSG 2301");
	ok(!simfs_exists(inc), "the INCOMING file was consumed");
	struct { const char *dir, *ext; } want[] = {
		{ "SMS/inboxes/distmgr.box/", ".PKG" },
		{ "SMS/inboxes/pkginfo.box/", ".PKG" },
		{ "SMS/inboxes/pkginfo.box/", ".NAL" },
		{ "SMS/inboxes/pkginfo.box/", ".ICO" },
		{ "SMS/inboxes/colleval.box/", ".CLF" },
		{ "CAP_/pkginfo.box/", ".PKG" },
		{ "CAP_/pkginfo.box/", ".NAL" },
		{ "SMSPKGE$/", "/setup.exe" },
	};
	char *share = simfs_share_rel(p);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		char *r = strcmp(want[i].ext, "/setup.exe") == 0 ? xasprintf("%s/setup.exe", share) :
		    strncmp(want[i].dir, "CAP_/", 5) == 0 ?
		    xasprintf("CAP_%s%s%s%s", s->srv[srv].site, want[i].dir + 4, p->id, want[i].ext) :
		    xasprintf("%s%s%s", want[i].dir, p->id, want[i].ext);
		char *f = srv_file(s, srv, r);
		ok(simfs_exists(f), "created %s", r);
		free(f);
		free(r);
	}
	free(share);
	struct sim_cell v;
	ok(simdb_cell_view(s, pkg, srv, &v), "the pair still exists");
	is_int(v.state, 0, "the pair is INSTALLED");
	is_int(v.source_version, need, "SourceVersion on the DP is the package's");
	ok(v.last_copied >= iso("2007-01-04T11:05:00Z") && v.last_copied <= iso("2007-01-04T11:06:00Z"),
	    "LastCopied is the scan's time");
	is_int(v.mode, SIM_MODE_NONE, "nothing is wrong with it any more");
	ok(!(v.flags & SIM_CELL_PRELOADED), "the preload mark is spent");
	free(text); free(l1); free(l2); free(l3); free(l4); free(l5); free(l6); free(l7); free(l8);
	free(inc); free(rel); free(log); free(name); free(err);
	ok(simdb_save(s, NULL) == 0, "the site is saved");
	simdb_free(s);
}

static void
test_share_perms(const char *dir)
{
	struct sim_site *s = load(dir);
	struct sim_cell *c = NULL;
	for (size_t i = 0; i < s->ncell && c == NULL; i++)
		if (s->cell[i].mode == SIM_MODE_SHARE_PERMS && s->cell[i].state <= 3)
			c = &s->cell[i];
	if (!ok(c != NULL, "small scenario has a SHARE_PERMS install"))
		return;
	uint32_t pkg = c->pkg, srv = c->srv, home = s->srv[srv].home;
	dpd_time retry = c->next_event;
	ok(s->srv[srv].flags & SIM_SRV_SHARE_ROOT_ONLY, "its DP's share ACL stops at the root");
	ok(strchr(s->pkg[pkg].share_path, '\\') != NULL, "its package is stored in a nested folder");
	if (home == s->primary) {
		/* An own-site DP: the primary copies to it and retries itself. */
		char *e = NULL;
		ok(retry != 0 && simev_advance(s, retry, &e) == 0, "the primary's retry runs");
		free(e);
	} else {
		ok(cycle(s, home, "2007-01-04T10:05:00Z") == 0, "an inbox scan runs");
	}
	char *log = srv_file(s, home, "SMS/Logs/distmgr.log");
	char *text = read_text(log);
	char *shrel = xasprintf("SMSPKGE$/Apps/%s", s->pkg[pkg].id);
	char *shwin = simfs_winpath(s, srv, shrel);
	char *l1 = xasprintf("~Failed to create directory %s, Win32 error = 5", shwin);
	free(shwin);
	free(shrel);
	ok(log_has(text, l1), "logged: %s", l1);
	contains(text, "STATMSG: ID=2328 SEV=E", "status message 2328 (failed to copy)");
	char *first = srv_file(s, srv, "SMSPKGE$/Apps");
	char *rel = xasprintf("SMSPKGE$/Apps/%s", s->pkg[pkg].id);
	char *nested = srv_file(s, srv, rel);
	ok(simfs_exists(first), "the first folder level was created");
	ok(!simfs_exists(nested), "the nested one was not");
	struct sim_cell v;
	ok(simdb_cell_view(s, pkg, srv, &v) && v.state >= 2 && v.state <= 3, "the pair stays failed");
	free(text); free(l1); free(log); free(first); free(rel); free(nested);
	ok(simdb_save(s, NULL) == 0, "the site is saved");
	simdb_free(s);
}

static void
test_newer_arrived(const char *dir)
{
	struct sim_site *s = load(dir);
	/* A default (installed) pair on a remote DP. */
	uint32_t pkg = 0, srv = 0;
	bool found = false;
	for (uint32_t p = 0; p < s->npkg && !found; p++)
		for (uint32_t v = 1; v < s->nsrv && !found; v++)
			if ((s->srv[v].role & SIM_ROLE_SITESRV) && simdb_target(s, p, v) &&
			    simdb_cell(s, p, v) == NULL) {
				pkg = p;
				srv = v;
				found = true;
			}
	if (!ok(found, "an installed pair exists"))
		return;
	char *err = NULL;
	uint32_t have = s->pkg[pkg].source_version;
	ok(simfs_write_incoming(s, srv, pkg, "OLDV0001", have, iso(T0), &err) == 0,
	    "package information of the installed version arrives again");
	ok(cycle(s, srv, "2007-01-04T10:05:00Z") == 0, "an inbox scan runs");
	char *log = srv_file(s, srv, "SMS/Logs/distmgr.log");
	char *text = read_text(log);
	char *w = simfs_winpath(s, srv, "SMS/inboxes/distmgr.box/INCOMING/OLDV0001.PKG");
	char *l = xasprintf("~A newer version (%u) of package %s has already arrived, delete the "
	    "replication file %s for version %u.", have, s->pkg[pkg].id, w, have);
	free(w);
	ok(log_has(text, l), "logged: %s", l);
	char *inc = srv_file(s, srv, "SMS/inboxes/distmgr.box/INCOMING/OLDV0001.PKG");
	ok(!simfs_exists(inc), "the replication file was deleted");
	free(inc); free(l); free(text); free(log); free(err);
	ok(simdb_save(s, NULL) == 0, "the site is saved");
	simdb_free(s);
}

/* ---- log lines ------------------------------------------------------------ */

static const char *const zones[] = { "GMT Standard Time", "Romance Standard Time",
	"Eastern Standard Time", NULL };

static bool
line_shape(const char *line, size_t len)
{
	char wd[4], mo[4], zone[64];
	int d, h, mi, s, ms, y, n1 = 0;
	unsigned tid, hex;
	const char *dol = strstr(line, "  $$<SMS_DISTRIBUTION_MANAGER><");
	if (dol == NULL || dol == line || dol[-1] == ' ' || len < 2 ||
	    line[len - 2] != '\r' || line[len - 1] != '\n')
		return false;
	if (sscanf(dol, "  $$<SMS_DISTRIBUTION_MANAGER><%3s %3s %2d %2d:%2d:%2d.%3d %4d %63[^>]>"
	    "<thread=%u (0x%X%n", wd, mo, &d, &h, &mi, &s, &ms, &y, zone, &tid, &hex, &n1) != 11)
		return false;
	if (strncmp(dol + n1, ")>\r\n", 4) != 0 || tid != hex)
		return false;
	/* Fixed widths: "Thu Jan 04 09:12:03.417 2007" */
	const char *st = dol + 31;
	if (st[3] != ' ' || st[7] != ' ' || st[10] != ' ' || st[13] != ':' || st[16] != ':' ||
	    st[19] != '.' || st[23] != ' ')
		return false;
	bool known = false;
	for (int i = 0; zones[i]; i++)
		known = known || strcmp(zone, zones[i]) == 0;
	return known && y == 2007 && d >= 1 && d <= 31;
}

static void
test_log_shape(const char *dir)
{
	struct sim_site *s = load(dir);
	size_t lines = 0, good = 0;
	for (uint32_t i = 0; i < s->nsrv; i++) {
		char *p = srv_file(s, i, "SMS/Logs/distmgr.log");
		char *text = read_text(p);
		for (char *l = text; l && *l; ) {
			char *nl = strchr(l, '\n');
			size_t len = nl ? (size_t)(nl - l) + 1 : strlen(l);
			lines++;
			good += line_shape(l, len);
			if (lines - good == 1 && !line_shape(l, len))
				printf("# bad line: %.*s\n", (int)len, l);
			l += len;
		}
		free(text);
		free(p);
	}
	ok(lines > 100, "the small site has a history (%zu log lines)", lines);
	is_int(good, lines, "every line has the SMS 2003 raw shape with CRLF");

	struct buf b;
	buf_init(&b);
	int64_t ms = iso("2007-01-04T09:12:03Z") * 1000 + 417;
	static const struct { const char *zone; int64_t ms; const char *want; } cases[] = {
		{ "GMT Standard Time", 0, "Thu Jan 04 09:12:03.417 2007 GMT Standard Time" },
		{ "Eastern Standard Time", 0, "Thu Jan 04 04:12:03.417 2007 Eastern Standard Time" },
		{ "Romance Standard Time", 0, "Thu Jan 04 10:12:03.417 2007 Romance Standard Time" },
		{ "Tokyo Standard Time", 0, "Thu Jan 04 18:12:03.417 2007 Tokyo Standard Time" },
		{ "India Standard Time", 0, "Thu Jan 04 14:42:03.417 2007 India Standard Time" },
		{ "GMT Standard Time", 1183291200000, "Sun Jul 01 13:00:00.000 2007 GMT Daylight Time" },
		{ "Eastern Standard Time", 1183291200000, "Sun Jul 01 08:00:00.000 2007 Eastern Daylight Time" },
		/* 2007: US DST from 11 March 02:00 local (07:00 UTC). */
		{ "Eastern Standard Time", 1173596399000, "Sun Mar 11 01:59:59.000 2007 Eastern Standard Time" },
		{ "Eastern Standard Time", 1173596400000, "Sun Mar 11 03:00:00.000 2007 Eastern Daylight Time" },
		/* EU: last Sunday of March, 01:00 UTC. */
		{ "W. Europe Standard Time", 1174784400000, "Sun Mar 25 03:00:00.000 2007 W. Europe Daylight Time" },
		{ "GMT Standard Time", 1193533199000, "Sun Oct 28 01:59:59.000 2007 GMT Daylight Time" },
		{ "GMT Standard Time", 1193533200000, "Sun Oct 28 01:00:00.000 2007 GMT Standard Time" },
		/* 2006 rules: first Sunday of April. */
		{ "Central Standard Time", 1144051200000, "Mon Apr 03 03:00:00.000 2006 Central Daylight Time" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf_reset(&b);
		int z = simclock_zone_find(cases[i].zone);
		simlog_stamp(&b, cases[i].ms ? cases[i].ms : ms, (unsigned)(z < 0 ? 0 : z));
		is_str(b.data, cases[i].want, "stamp: %s", cases[i].want);
	}
	buf_reset(&b);
	simlog_gmtdate(&b, ms);
	is_str(b.data, "Thu Jan 04 09:12:03.417 2007", "STATMSG GMTDATE is UTC");
	buf_free(&b);
	simdb_free(s);
}

static void
test_rollover(const char *dir)
{
	struct sim_site *s = load(dir);
	uint32_t srv = 1;
	char *log = srv_file(s, srv, "SMS/Logs/distmgr.log");
	char *old = srv_file(s, srv, "SMS/Logs/distmgr.lo_");
	size_t fill = SIMLOG_MAX_BYTES - 40;
	char *junk = xmalloc(fill);
	memset(junk, 'x', fill);
	junk[fill - 2] = '\r';
	junk[fill - 1] = '\n';
	ok(simfs_write(log, junk, fill, 0, NULL) == 0, "distmgr.log is filled to just under 1 MB");
	ok(!simfs_exists(old), "no distmgr.lo_ yet");
	struct sim_cell *c = simdb_cell_make(s, 0, srv);
	(void)c;
	char *err = NULL;
	ok(simfs_write_incoming(s, srv, 0, "ROLL0001", 999, iso(T0), &err) == 0, "a file arrives");
	ok(cycle(s, srv, "2007-01-04T10:05:00Z") == 0, "an inbox scan logs");
	struct stat a, b;
	ok(stat(old, &a) == 0 && (size_t)a.st_size == fill, "the full log became distmgr.lo_");
	ok(stat(log, &b) == 0 && b.st_size > 0 && b.st_size < 100000, "a new distmgr.log began");
	char *text = read_text(log);
	ok(text && strncmp(text, "~Processing incoming file", 25) == 0, "... with the new lines");
	free(text);
	memset(junk, 'y', fill - 2);
	(void)simfs_write(log, junk, fill, 0, NULL);
	ok(cycle(s, srv, "2007-01-04T10:40:00Z") == 0, "the next scan logs");
	text = read_text(old);
	ok(text && text[0] == 'y', "the next rollover replaces distmgr.lo_");
	free(text);
	free(junk); free(log); free(old); free(err);
	ok(simdb_save(s, NULL) == 0, "the site is saved");
	simdb_free(s);
}

/* ---- time --------------------------------------------------------------- */

static char *
status(const char *dir)
{
	struct op op = { .kind = OP_STATUS };
	op_set(&op, "site", "009");
	char *err = NULL, *script = ops_render(&op, &err);
	struct script_result res;
	script_result_init(&res);
	int rc = sim_run_script(dir, "SMS009PRI", script, &res, &err);
	free(script);
	if (rc != 0) {
		printf("# status: %s\n", err);
		free(err);
		script_result_free(&res);
		return NULL;
	}
	char *out = buf_detach(&res.out);
	script_result_free(&res);
	return out;
}

static void
test_transients(const char *dir)
{
	struct sim_site *s = load(dir);
	struct sim_cell *nd = find_cell(s, SIM_MODE_NOT_IN_DB, 2);
	uint32_t npkg = nd ? nd->pkg : 0, nsrv = nd ? nd->srv : 0;
	if (nd)
		nd->retries = SIM_MAX_RETRIES - 1;
	char *err = NULL;
	ok(nd && simdb_save(s, &err) == 0, "a NOT_IN_DB pair is one retry from giving up");
	size_t transient = 0;
	uint32_t tp[8], ts[8];
	for (size_t i = 0; i < s->ncell && transient < 8; i++)
		if (s->cell[i].mode == SIM_MODE_TRANSIENT) {
			tp[transient] = s->cell[i].pkg;
			ts[transient++] = s->cell[i].srv;
		}
	ok(transient >= 1, "the small site still has transient pairs");
	simdb_free(s);

	setenv("DPDOCTOR_SIM_TIME", "2007-01-04T16:00:00Z", 1);
	char *r = status(dir);
	contains(r, "T\t2007-01-04T16:00:00Z\r\n", "the clock moved to 16:00");
	free(r);
	s = load(dir);
	size_t done = 0;
	for (size_t i = 0; i < transient; i++) {
		struct sim_cell v;
		done += !simdb_cell_view(s, tp[i], ts[i], &v) || v.state == 0;
	}
	is_int(done, transient, "every transient pair moved on by itself");
	struct sim_cell v;
	ok(simdb_cell_view(s, npkg, nsrv, &v) && v.state == 3, "out of retries: INSTALL_FAILED");
	ok(v.event == SIM_EV_NONE, "... and the primary stops retrying it");
	struct sim_cell *sm = find_cell(s, SIM_MODE_SHARE_PERMS, 5);
	if (sm) {
		char *log = srv_file(s, s->srv[sm->srv].home, "SMS/Logs/distmgr.log");
		char *text = read_text(log);
		char *shrel = xasprintf("SMSPKGE$/Apps/%s", s->pkg[sm->pkg].id);
		char *shwin = simfs_winpath(s, sm->srv, shrel);
		char *l = xasprintf("~The package share directory %s is not empty, "
		    "cannot remove the share %s.", shwin, s->pkg[sm->pkg].id);
		free(shwin);
		free(shrel);
		ok(log_has(text, l), "a failing removal retries: %s", l);
		free(l);
		free(text);
		free(log);
	}
	char *plog = srv_file(s, s->primary, "SMS/Logs/distmgr.log");
	char *ptext = read_text(plog);
	struct sim_cell *smc = find_cell(s, SIM_MODE_SOURCE_MISSING, 0);
	char *src = xasprintf("~Cannot find or read the package source %s, Win32 error = 3",
	    smc ? s->pkg[smc->pkg].source_path : "?");
	ok(log_has(ptext, src), "the primary logs the missing source: %s", src);
	free(src); free(ptext); free(plog);
	simdb_free(s);
	free(err);
}

static void
test_catchup(const char *dir)
{
	struct sim_site *s = load(dir);
	char *log = srv_file(s, s->primary, "SMS/Logs/distmgr.log");
	simdb_free(s);
	struct stat a, b;
	(void)stat(log, &a);
	setenv("DPDOCTOR_SIM_TIME", "2007-02-04T10:00:00Z", 1);
	int64_t t0 = clock_mono_ms();
	char *r = status(dir);
	int64_t ms = clock_mono_ms() - t0;
	contains(r, "T\t2007-02-04T10:00:00Z\r\n", "a month later the clock says so");
	free(r);
	(void)stat(log, &b);
	char *text = read_text(log);
	ok(text && !strstr(text, "Jan 20") && !strstr(text, "Feb 02"),
	    "the month in between was skipped");
	ok(b.st_size - a.st_size < SIMLOG_MAX_BYTES, "at most a day of log was added (%lld bytes)",
	    (long long)(b.st_size - a.st_size));
	printf("# catch-up of a month took %lld ms\n", (long long)ms);
	free(text);
	free(log);
}

static void
test_unfrozen(const char *dir)
{
	unsetenv("DPDOCTOR_SIM_TIME");
	struct sim_site *s = load(dir);
	dpd_time before = s->clock;
	ok(s->anchor_real == 0, "a site made under a frozen clock is not anchored");
	simdb_free(s);
	char *r = status(dir);
	ok(r != NULL, "status with the clock running");
	free(r);
	s = load(dir);
	ok(s->anchor_real != 0 && s->anchor_sim == before, "the site anchors where it stood");
	ok(s->clock >= before && s->clock < before + 3600, "and its clock runs on from there");
	simdb_free(s);
	setenv("DPDOCTOR_SIM_TIME", T0, 1);
}

static void
test_clock(void)
{
	struct sim_rng r = { 12345 };
	int bad_iso = 0, bad_split = 0;
	for (int i = 0; i < 20000; i++) {
		dpd_time t = (dpd_time)(rng_next(&r) % 4102444800ull) + 1;
		char a[21], b[21];
		simclock_iso(t, a);
		time_format_iso(t, b);
		bad_iso += strcmp(a, b) != 0;
		struct sim_tm tm;
		struct tm g;
		time_t tt = (time_t)t;
		simclock_split(t, &tm);
		gmtime_r(&tt, &g);
		bad_split += tm.wday != g.tm_wday || tm.yday != g.tm_yday || tm.mday != g.tm_mday;
	}
	is_int(bad_iso, 0, "fast ISO formatting agrees with strftime");
	is_int(bad_split, 0, "calendar split agrees with gmtime");
	char e[21];
	simclock_iso(0, e);
	is_str(e, "", "time 0 is empty");
	setenv("DPDOCTOR_SIM_TIME", "yesterday", 1);
	char *err = NULL;
	dpd_time t;
	is_int(simclock_env(&t, &err), -1, "a malformed DPDOCTOR_SIM_TIME is an error");
	contains(err, "DPDOCTOR_SIM_TIME=\"yesterday\"", "... naming it");
	free(err);
	setenv("DPDOCTOR_SIM_TIME", "", 1);
	is_int(simclock_env(&t, NULL), 0, "an empty DPDOCTOR_SIM_TIME means unset (the clock runs)");
	setenv("DPDOCTOR_SIM_TIME", T0, 1);
}

/* ---- database ------------------------------------------------------------ */

static void
test_db(const char *dir)
{
	char *path = xasprintf("%s/site.db", dir);
	char *a = simfix_read_db(path);
	struct sim_site *s = load(dir);
	char *err = NULL;
	ok(simdb_save(s, &err) == 0, "site.db saves");
	simdb_free(s);
	char *b = simfix_read_db(path);
	ok(a && b && strcmp(a, b) == 0, "load + save gives the same bytes (but for the save's stamp)");
	char *bad = xasprintf("%sC\t1\t2\tfortytwo\n", b);
	(void)file_write_atomic(path, bad, strlen(bad), NULL);
	ok(simdb_load(dir, &s, &err) == -1, "a broken record is refused");
	contains(err, "site.db line", "... naming the line");
	printf("# the next status op is meant to fail:\n");
	char *r = status(dir);
	ok(r == NULL, "and ops on the site report it");
	free(r);
	char *evil = xstrdup(b);
	char *apps = strstr(evil, "\tApps\\\\");
	if (apps)
		memcpy(apps + 1, "..\\\\", 4);
	(void)file_write_atomic(path, evil, strlen(evil), NULL);
	ok(apps && simdb_load(dir, &s, &err) == -1, "a share folder outside SMSPKGE$ is refused");
	contains(err, "bad share folder", "... as a bad share folder");
	free(evil);
	(void)file_write_atomic(path, "hello\n", 6, NULL);
	ok(simdb_load(dir, &s, &err) == -1, "a file that is not ours is refused");
	contains(err, "not a dpdoctor simulated site database", "... saying what it is not");
	(void)file_write_atomic(path, b, strlen(b), NULL);
	free(bad); free(a); free(b); free(path); free(err);
}

struct worker {
	const char *dir;
	int ok;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 5; i++) {
		char *r = status(w->dir);
		w->ok += r != NULL && strstr(r, "END\tok\t") != NULL;
		free(r);
	}
	return NULL;
}

static void
test_threads(const char *dir)
{
	unsetenv("DPDOCTOR_SIM_TIME"); /* so every op writes the database */
	pthread_t th[3];
	struct worker w[3] = { { dir, 0 }, { dir, 0 }, { dir, 0 } };
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, work, &w[i]);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	is_int(w[0].ok + w[1].ok + w[2].ok, 15, "15 status ops from 3 threads all succeed");
	struct sim_site *s = load(dir);
	ok(s != NULL, "the database is intact afterwards");
	simdb_free(s);
	setenv("DPDOCTOR_SIM_TIME", T0, 1);
}

/* ---- the primary's own updates (default scenario) --------------------------- */

/* The status op on a site, with the frozen clock at `when`. */
static char *
status_at(const char *dir, dpd_time when)
{
	char iso_now[21];
	time_format_iso(when, iso_now);
	setenv("DPDOCTOR_SIM_TIME", iso_now, 1);
	char *r = status(dir);
	setenv("DPDOCTOR_SIM_TIME", T0, 1);
	return r;
}

static void
advance_to(const char *dir, dpd_time when)
{
	free(status_at(dir, when));
}

/* A failing pair: stored, and neither installed nor on its way. */
static bool
failing(const struct sim_cell *c)
{
	return c->mode != SIM_MODE_NONE && c->mode != SIM_MODE_TRANSIENT;
}

static bool
pkg_failing(struct sim_site *s, uint32_t pkg)
{
	size_t n;
	const struct sim_cell *c = simdb_pkg_cells(s, pkg, &n);
	for (size_t i = 0; i < n; i++)
		if (failing(&c[i]))
			return true;
	return false;
}

/* The only package whose version differs between two loads, or -1. */
static long
updated_pkg(const struct sim_site *a, const struct sim_site *b, size_t *count)
{
	long found = -1;
	*count = 0;
	for (size_t i = 0; i < a->npkg && i < b->npkg; i++)
		if (b->pkg[i].source_version != a->pkg[i].source_version) {
			found = (long)i;
			(*count)++;
		}
	return found;
}

static void
check_pending(const char *dir, struct sim_site *before, uint32_t pkg, dpd_time tu)
{
	struct sim_site *s = load(dir);
	const struct sim_pkg *p = &s->pkg[pkg], *old = &before->pkg[pkg];
	is_int(p->source_version, old->source_version + 1, "%s: SourceVersion went up by one", p->id);
	is_int(p->stored_version, old->stored_version + 1, "%s: StoredPkgVersion too", p->id);
	ok(p->source_date >= tu && p->source_date < tu + 60, "%s: SourceDate is the update's", p->id);
	ok(p->size != old->size, "%s: the new build has a new size", p->id);
	ok(!pkg_failing(before, pkg), "%s had no failing pair", p->id);
	uint32_t have = 0;
	ok(simfs_pck_version(s, s->primary, pkg, &have, NULL) == 0 && have == p->stored_version,
	    "the primary's PCK was regenerated at version %u", p->stored_version);
	size_t dps = 0, pending = 0;
	for (uint32_t srv = 0; srv < s->nsrv; srv++) {
		struct sim_cell v, was;
		if (!simdb_cell_view(s, pkg, srv, &v) || !simdb_cell_view(before, pkg, srv, &was))
			continue;
		dps++;
		pending += v.state == 1 && v.source_version == old->source_version &&
		    v.last_copied == was.last_copied && v.summary_date == tu;
	}
	ok(dps > 0 && pending == dps, "every DP of %s is INSTALL_PENDING, SourceVersion and "
	    "LastCopied as they were (%zu of %zu)", p->id, pending, dps);
	char *log = srv_file(s, s->primary, "SMS/Logs/distmgr.log");
	char *text = read_text(log);
	char *l1 = xasprintf("STATMSG: ID=2300 SEV=I LEV=M SOURCE=\"SMS Server\" "
	    "COMP=\"SMS_DISTRIBUTION_MANAGER\" SYS=%s SITE=009 PID=%u TID=",
	    s->srv[s->primary].name, s->srv[s->primary].pid);
	char *l2 = xasprintf("ISTR0=\"%s\" ISTR1=\"%s\" ISTR2=\"\"", p->name, p->id);
	char *l3 = xasprintf("~Package %s doesn't have a compressed copy of the source "
	    "directory, starting the compression.", p->id);
	char *l4 = xasprintf("~The compressed size of package %s is %llu KBytes", p->id,
	    (unsigned long long)(p->size / 1024));
	contains(text, l1, "the primary logged STATMSG 2300 in the published shape");
	contains(text, l2, "... for %s", p->id);
	ok(log_has(text, l3), "logged: %s", l3);
	ok(log_has(text, l4), "logged: %s", l4);
	free(l1); free(l2); free(l3); free(l4); free(text); free(log);
	simdb_free(s);
}

static void
check_installed(const char *dir, uint32_t pkg, dpd_time tu)
{
	struct sim_site *s = load(dir);
	const struct sim_pkg *p = &s->pkg[pkg];
	size_t dps = 0, done = 0, logged = 0, files = 0;
	dpd_time first = 0, last = 0;
	for (uint32_t srv = 0; srv < s->nsrv; srv++) {
		struct sim_cell v;
		if (!simdb_cell_view(s, pkg, srv, &v))
			continue;
		dps++;
		done += v.state == 0 && v.source_version == p->source_version &&
		    v.mode == SIM_MODE_NONE && v.last_copied >= tu + 120 && v.last_copied <= tu + 600;
		first = first == 0 || v.last_copied < first ? v.last_copied : first;
		last = v.last_copied > last ? v.last_copied : last;
		/* PCK, inbox and log are the DP's site server's (the primary's
		 * for a DP of its own site, which gets the source uncompressed). */
		uint32_t have = 0, h = s->srv[srv].home;
		char *inc = incoming_for(s, h, pkg);
		files += simfs_pck_version(s, h, pkg, &have, NULL) == 0 &&
		    have == p->stored_version && inc == NULL;
		free(inc);
		char *log = srv_file(s, h, "SMS/Logs/distmgr.log");
		char *text = read_text(log);
		char *l = xasprintf("ISTR0=\"%s\" ISTR1=\"%s\" ISTR2=\"\"", p->id, s->srv[srv].nal);
		char *l2 = xasprintf("Start adding package %s to server %s...", p->id, s->srv[srv].nal);
		logged += text && strstr(text, l) && log_has(text, l2);
		free(l2); free(l); free(text); free(log);
	}
	ok(dps > 0 && done == dps, "%s: every DP INSTALLED at version %u within 2-10 minutes "
	    "(%zu of %zu)", p->id, p->source_version, done, dps);
	ok(dps < 2 || last > first, "... each at its own time");
	is_int(files, dps, "every DP's site server has the new PCK and nothing left in INCOMING");
	is_int(logged, dps, "every DP logged adding it and STATMSG 2330");
	char *log = srv_file(s, s->primary, "SMS/Logs/distmgr.log");
	char *text = read_text(log);
	char *l1 = xasprintf("~Package %s doesn't have a compressed copy", p->id);
	char *l2 = xasprintf("STATMSG: ID=2301 SEV=I LEV=M SOURCE=\"SMS Server\" "
	    "COMP=\"SMS_DISTRIBUTION_MANAGER\" SYS=%s SITE=009", s->srv[s->primary].name);
	char *l3 = xasprintf("ISTR0=\"%s\" ISTR1=\"%s\" ISTR2=\"\"", p->name, p->id);
	const char *at = text ? strstr(text, l1) : NULL, *fin = at ? strstr(at, l2) : NULL;
	const char *eol = fin ? strchr(fin, '\n') : NULL;
	const char *istr = fin ? strstr(fin, l3) : NULL;
	ok(istr && eol && istr < eol, "after the update the primary logged STATMSG 2301 for %s",
	    p->id);
	free(l1); free(l2); free(l3); free(text); free(log);
	simdb_free(s);
}

static void
test_update_cycle(const char *dir)
{
	struct sim_site *s = load(dir);
	dpd_time tu = s->site_next[SIM_SEV_PKG_UPDATE];
	ok(tu > iso(T0) && tu <= iso(T0) + 1800, "default: the first update is due within "
	    "30 minutes of %s", T0);
	advance_to(dir, tu - 1);
	simdb_free(s);
	s = load(dir);
	size_t n;
	is_int(updated_pkg(s, s, &n), -1, "nothing updated a second before");
	struct sim_site *after = NULL;
	advance_to(dir, tu);
	after = load(dir);
	long pkg = updated_pkg(s, after, &n);
	is_int(n, 1, "at the update one package has a new version");
	simdb_free(after);
	if (pkg >= 0) {
		check_pending(dir, s, (uint32_t)pkg, tu);
		advance_to(dir, tu + 600);
		check_installed(dir, (uint32_t)pkg, tu);
	}
	simdb_free(s);
}

/* A copy of the site that never updates (its next update in 2100), to see
 * what the failing pairs would have done without updates. */
static void
no_updates(const char *dir)
{
	struct sim_site *s = load(dir);
	s->site_next[SIM_SEV_PKG_UPDATE] = iso("2100-01-01T00:00:00Z");
	char *err = NULL;
	if (simdb_save(s, &err) != 0)
		printf("# save: %s\n", err);
	free(err);
	simdb_free(s);
}

/* Field by field: a struct's padding is not part of it. */
static bool
same_cell(const struct sim_cell *a, const struct sim_cell *b)
{
	return a->pkg == b->pkg && a->srv == b->srv && a->state == b->state &&
	    a->mode == b->mode && a->event == b->event && a->flags == b->flags &&
	    a->retries == b->retries && a->source_version == b->source_version &&
	    a->last_copied == b->last_copied && a->summary_date == b->summary_date &&
	    a->next_event == b->next_event;
}

static size_t
count_updates(const struct sim_site *a, const struct sim_site *b)
{
	size_t n = 0;
	for (size_t i = 0; i < a->npkg; i++)
		n += b->pkg[i].source_version - a->pkg[i].source_version;
	return n;
}

/* A month after `t`: at most a day is simulated, updates included. */
static void
test_update_catchup(const char *dir, const struct sim_site *before, dpd_time t)
{
	struct stat st1, st2;
	char *db_path = xasprintf("%s/site.db", dir);
	(void)stat(db_path, &st1);
	int64_t c0 = clock_mono_ms();
	advance_to(dir, t + 31 * 86400);
	int64_t ms = clock_mono_ms() - c0;
	struct sim_site *sm = load(dir);
	size_t month = count_updates(before, sm);
	ok(month >= 60 && month <= SIM_CATCHUP_MAX / 600 + 1, "a month's catch-up makes at most "
	    "a day of updates (%zu)", month);
	(void)stat(db_path, &st2);
	ok(st2.st_size < 2 * st1.st_size, "site.db stays small (%lld -> %lld bytes)",
	    (long long)st1.st_size, (long long)st2.st_size);
	printf("# a month's catch-up with updates took %lld ms\n", (long long)ms);
	free(db_path);
	simdb_free(sm);
}

static void
test_update_long(const char *tmp)
{
	char *a = xasprintf("%s/upd-a", tmp), *b = xasprintf("%s/upd-b", tmp),
	     *c = xasprintf("%s/upd-c", tmp), *err = NULL;
	ok(sim_ensure(a, "default", 5, false, &err) == 0 && sim_ensure(b, "default", 5, false, &err) == 0 &&
	    sim_ensure(c, "default", 5, false, &err) == 0, "three default sites from seed 5");
	no_updates(c);
	struct sim_site *s0 = load(a);
	/* Eighteen hours in uneven steps, the same for each site. */
	dpd_time t = iso(T0);
	for (int i = 0; i < 40; i++) {
		t += 1200 + 97 * (i % 11);
		advance_to(a, t);
		advance_to(b, t);
		advance_to(c, t);
	}
	struct sim_site *sa = load(a), *sc = load(c);
	size_t ups = count_updates(s0, sa);
	ok(ups >= 60, "%zu updates in %lld hours", ups, (long long)(t - iso(T0)) / 3600);
	is_int(count_updates(s0, sc), 0, "the control site made none");
	size_t fail0 = 0, same = 0, bumped = 0;
	for (size_t i = 0; i < s0->ncell; i++) {
		const struct sim_cell *c0 = &s0->cell[i];
		if (!failing(c0))
			continue;
		fail0++;
		struct sim_cell *ca = simdb_cell(sa, c0->pkg, c0->srv), *cc = simdb_cell(sc, c0->pkg, c0->srv);
		same += ca && cc && same_cell(ca, cc) && ca->mode == c0->mode;
		bumped += sa->pkg[c0->pkg].source_version != s0->pkg[c0->pkg].source_version;
	}
	ok(fail0 >= 40, "%zu failing pairs at the start", fail0);
	is_int(same, fail0, "every failing pair is exactly as it would be without updates "
	    "(mode, state, retries, dates)");
	is_int(bumped, 0, "no package with a failing pair was updated");
	size_t fa = 0, fc = 0;
	for (size_t i = 0; i < sa->ncell; i++)
		fa += failing(&sa->cell[i]);
	for (size_t i = 0; i < sc->ncell; i++)
		fc += failing(&sc->cell[i]);
	is_int(fa, fc, "and no new failing pair appeared");
	char *pa = xasprintf("%s/site.db", a), *pb = xasprintf("%s/site.db", b);
	char *da = simfix_read_db(pa), *db = simfix_read_db(pb);
	ok(da && db && strcmp(da, db) == 0, "same seed, same steps: identical site.db bytes");
	char *la = srv_file(sa, sa->primary, "SMS/Logs/distmgr.log");
	char *lb = xasprintf("%s/servers/SMS009PRI/E:/SMS/Logs/distmgr.log", b);
	char *ta = read_text(la), *tb = read_text(lb);
	ok(ta && tb && strcmp(ta, tb) == 0, "... and identical primary logs");
	char *r1 = status_at(a, t), *r2 = status_at(a, t);
	ok(r1 && r2 && strcmp(r1, r2) == 0, "frozen: the same reply twice");
	free(r1); free(r2);
	free(ta); free(tb); free(la); free(lb); free(da); free(db); free(pa); free(pb);
	test_update_catchup(a, sa, t);
	simdb_free(sa); simdb_free(sc); simdb_free(s0);
	free(a); free(b); free(c); free(err);
}

int
main(void)
{
	setenv("DPDOCTOR_SIM_TIME", T0, 1);
	char *tmp = xstrdup("/tmp/dpd-test-simeng-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return 99;
	char *dir = xasprintf("%s/site", tmp);
	char *err = NULL;
	if (!ok(sim_ensure(dir, "small", 5, false, &err) == 0, "small site created"))
		printf("# %s\n", err);
	struct sim_site *s = load(dir);
	size_t modes[SIM_MODE_COUNT] = {0};
	for (size_t i = 0; i < s->ncell; i++)
		modes[s->cell[i].mode]++;
	for (int m = SIM_MODE_PCK_MISSING; m < SIM_MODE_COUNT; m++)
		ok(modes[m] >= 1, "small: a %s pair", sim_mode_name((unsigned)m));
	is_int(s->nsrv, 5, "small: a primary and 4 DPs");
	is_int(s->site_next[SIM_SEV_PKG_UPDATE], 0, "small: the primary never updates by itself");
	simdb_free(s);
	test_log_shape(dir);
	test_incoming(dir);
	test_share_perms(dir);
	test_newer_arrived(dir);
	test_rollover(dir);
	test_clock();
	test_transients(dir);
	test_catchup(dir);
	test_db(dir);
	test_unfrozen(dir);
	test_threads(dir);
	s = load(dir);
	is_int(s->site_next[SIM_SEV_PKG_UPDATE], 0, "small: still no updates after a month");
	simdb_free(s);

	char *def = xasprintf("%s/default", tmp);
	if (!ok(sim_ensure(def, "default", 5, false, &err) == 0, "default site created"))
		printf("# %s\n", err);
	test_update_cycle(def);
	test_update_long(tmp);
	free(def);
	(void)simfs_remove_tree(tmp, NULL);
	free(dir);
	free(tmp);
	free(err);
	return done_testing();
}
