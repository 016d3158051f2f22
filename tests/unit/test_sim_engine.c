/*
 * The simulator's machinery on the small scenario: an inbox scan takes
 * both of the seed's paths (the "compressed files haven't arrived yet" skip
 * and a real install once the PCK is there) with the exact log text;
 * log lines have the SMS 2003 raw shape in each server's time zone and
 * roll over at 1 MB; time advances in order, catches up at most a day, and
 * retries run out; the database survives a round trip and says where it
 * is broken; concurrent ops serialise on the site lock.
 */
#include "config.h"
#include "backend/ops.h"
#include "backend/proto.h"
#include "backend/sim/simint.h"
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
	struct sim_site *s = NULL;
	char *err = NULL;
	if (simdb_load(dir, &s, &err) != 0) {
		printf("# load: %s\n", err);
		free(err);
		exit(99);
	}
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
	char *l1 = xasprintf("~Processing incoming file E:\\SMS\\inboxes\\distmgr.box\\INCOMING\\%s.PKG.", name);
	char *l2 = xasprintf("~Package %s requires a newer version (%u) of source files and the new "
	    "compressed files haven't arrived yet, current version is %u, skip "
	    "E:\\SMS\\inboxes\\distmgr.box\\INCOMING\\%s.PKG", p->id, need, cur, name);
	ok(log_has(text, l1), "logged: %s", l1);
	ok(log_has(text, l2), "logged: %s", l2);
	ok(strstr(text, l1) < strstr(text, l2), "... in that order");
	ok(simfs_exists(inc), "the INCOMING file stays for the next scan");
	free(text);

	/* The seed's fix, step one: copy the primary's PCK to the DP. */
	char *err = NULL;
	ok(simfs_write_pck(s, srv, pkg, need, iso("2007-01-04T10:10:00Z"), &err) == 0,
	    "the PCK of version %u is copied to the DP", need);
	ok(cycle(s, srv, "2007-01-04T10:35:00Z") == 0, "the next scan runs");
	text = read_text(log);
	char *l3 = xasprintf("~Package %s uses the compressed copy of the source directory.", p->id);
	char *l4 = xasprintf("Start adding package %s to server %s...", p->id, s->srv[srv].nal);
	ok(log_has(text, l3), "logged: %s", l3);
	ok(log_has(text, l4), "logged: %s", l4);
	char *l5 = xasprintf("STATMSG: ID=2330 SEV=I LEV=M SOURCE=\"SMS Server\" "
	    "COMP=\"SMS_DISTRIBUTION_MANAGER\" SYS=%s SITE=009 PID=%u TID=%u GMTDATE=",
	    s->srv[srv].name, s->srv[srv].pid, s->srv[srv].threads[0]);
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
		{ "CAP_009/pkginfo.box/", ".PKG" },
		{ "CAP_009/pkginfo.box/", ".NAL" },
		{ "SMSPKGE$/", "/setup.exe" },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		char *r = xasprintf("%s%s%s", want[i].dir, p->id, want[i].ext);
		char *f = srv_file(s, srv, r);
		ok(simfs_exists(f), "created %s", r);
		free(f);
		free(r);
	}
	struct sim_cell v;
	ok(simdb_cell_view(s, pkg, srv, &v), "the pair still exists");
	is_int(v.state, 0, "the pair is INSTALLED");
	is_int(v.source_version, need, "SourceVersion on the DP is the package's");
	ok(v.last_copied >= iso("2007-01-04T10:35:00Z") && v.last_copied <= iso("2007-01-04T10:36:00Z"),
	    "LastCopied is the scan's time");
	is_int(v.mode, SIM_MODE_NONE, "nothing is wrong with it any more");
	free(text); free(l1); free(l2); free(l3); free(l4); free(l5); free(l6); free(l7); free(l8);
	free(inc); free(rel); free(log); free(name); free(err);
	ok(simdb_save(s, NULL) == 0, "the site is saved");
	simdb_free(s);
}

static void
test_share_perms(const char *dir)
{
	struct sim_site *s = load(dir);
	struct sim_cell *c = find_cell(s, SIM_MODE_SHARE_PERMS, 0);
	while (c && c->state > 3)
		c = c + 1 < s->cell + s->ncell && (c + 1)->mode == SIM_MODE_SHARE_PERMS ? c + 1 : NULL;
	if (!ok(c != NULL, "small scenario has a SHARE_PERMS install"))
		return;
	uint32_t pkg = c->pkg, srv = c->srv;
	ok(s->srv[srv].flags & SIM_SRV_SHARE_ROOT_ONLY, "its DP's share ACL stops at the root");
	ok(strchr(s->pkg[pkg].share_path, '\\') != NULL, "its package is stored in a nested folder");
	ok(cycle(s, srv, "2007-01-04T10:05:00Z") == 0, "an inbox scan runs");
	char *log = srv_file(s, srv, "SMS/Logs/distmgr.log");
	char *text = read_text(log);
	char *l1 = xasprintf("~Failed to create directory E:\\SMSPKGE$\\Apps\\%s, Win32 error = 5",
	    s->pkg[pkg].id);
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
			if (simdb_target(s, p, v) && simdb_cell(s, p, v) == NULL) {
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
	char *l = xasprintf("~A newer version (%u) of package %s has already arrived, delete the "
	    "replication file E:\\SMS\\inboxes\\distmgr.box\\INCOMING\\OLDV0001.PKG for version %u.",
	    have, s->pkg[pkg].id, have);
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
		int z = simlog_zone_find(cases[i].zone);
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
		char *log = srv_file(s, sm->srv, "SMS/Logs/distmgr.log");
		char *text = read_text(log);
		char *l = xasprintf("~The package share directory E:\\SMSPKGE$\\Apps\\%s is not empty, "
		    "cannot remove the share %s.", s->pkg[sm->pkg].id, s->pkg[sm->pkg].id);
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
	setenv("DPDOCTOR_SIM_TIME", T0, 1);
}

/* ---- database ------------------------------------------------------------ */

static void
test_db(const char *dir)
{
	char *path = xasprintf("%s/site.db", dir);
	char *a = read_text(path);
	struct sim_site *s = load(dir);
	char *err = NULL;
	ok(simdb_save(s, &err) == 0, "site.db saves");
	simdb_free(s);
	char *b = read_text(path);
	ok(a && b && strcmp(a, b) == 0, "load + save gives the same bytes");
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
	is_int(s->nsrv, 4, "small: a primary and 3 DPs");
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
	(void)simfs_remove_tree(tmp, NULL);
	free(dir);
	free(tmp);
	free(err);
	return done_testing();
}
