/* Unit tests: each diagnosis rule on hand-built evidence, positive and
 * negative, plus incomplete evidence and a healthy cell, and SourceDate
 * against the PCK's time compared in UTC whatever offset WMI wrote.  The
 * evidence is what a real host answers: no PCK version, no INCOMING
 * file's owner but what distmgr.log says, each log on the server that
 * writes it, for each kind of DP (a child site server, a child site's
 * plain DP served by its site server, a DP of the package's own site). */
#include "autoconf.h"
#include "backend/sms/diagnose.h"
#include "backend/sms/smslog.h"
#include "backend/sms/status.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

#define PRI "SMS009PRI"
#define DP "LEEDSDP01"
#define SKIP "~Package 009000B7 requires a newer version (3) of source files and the new " \
	"compressed files haven't arrived yet, current version is 2, skip " \
	"D:\\SMS\\inboxes\\distmgr.box\\INCOMING\\Z3AWAX9I.PKG"
#define PROCESSING "Processing incoming file D:\\SMS\\inboxes\\distmgr.box\\INCOMING\\Z3AWAX9I.PKG."

/* The DP the evidence is about: its name, kind, site and SMS server. */
static struct {
	const char *dp, *sms, *site;
	enum dp_kind kind;
} cur = { DP, DP, "LDS", DPK_CHILD_SERVER };

static void
as_kind(enum dp_kind k)
{
	switch (k) {
	case DPK_CHILD_DP:
		cur.dp = "LEEDSDP02", cur.sms = DP, cur.site = "LDS";
		break;
	case DPK_OWN_SITE:
		cur.dp = "LOCALDP01", cur.sms = PRI, cur.site = "009";
		break;
	default:
		cur.dp = DP, cur.sms = DP, cur.site = "LDS";
		break;
	}
	cur.kind = k;
}

/* What differs from a healthy-looking failing cell. */
enum {
	NO_SOURCE = 1 << 0, ROOT_ACL = 1 << 1, OLD_PCK = 1 << 2, STALE_PKG = 1 << 3,
	INCOMING = 1 << 4, NOTHING_ON_DP = 1 << 5, SOURCE_UNREAD = 1 << 6,
	DP_DOWN = 1 << 7, HEALTHY = 1 << 8, ROOT_ACL_ONLY = 1 << 9, REMOVAL = 1 << 10,
	SMS_DOWN = 1 << 11,
};

static void
add(struct evidence *e, enum evidence_kind k, const char *server, const char *source,
    bool present, uint32_t version, int nested, const char *text)
{
	struct evidence_item it = {
		.kind = k, .server = (char *)server, .source = (char *)source,
		.present = present, .version = version, .nested = nested, .text = (char *)text,
		.severity = SMSLOG_SEV_WARNING,
	};
	evidence_add(e, &it);
}

static void
add_incoming(struct evidence *e, const char *owner)
{
	char *src = xasprintf("\\\\%s\\D$\\SMS\\inboxes\\distmgr.box\\INCOMING\\Z3AWAX9I.PKG", cur.sms);
	struct evidence_item it = { .kind = EV_INCOMING, .server = (char *)cur.sms, .source = src,
		.present = true, .nested = -1, .package = (char *)owner };
	evidence_add(e, &it);
	free(src);
}

static void
sms_file(struct evidence *e, enum evidence_kind k, const char *rel, bool present)
{
	char *src = xasprintf("\\\\%s\\D$\\%s", cur.sms, rel);
	add(e, k, cur.sms, src, present, 0, -1, NULL);
	free(src);
}

/* A failing cell as a real host shows it, with `what` changed. */
static void
build(struct evidence *e, unsigned what)
{
	evidence_init(e, "009000B7", cur.dp, PRI, "009");
	e->kind = cur.kind;
	memcpy(e->dp_site, cur.site, 4);
	e->sms_server = xstrdup(cur.sms);
	e->dp_share = xstrdup("SMSPKGD$");
	e->have_cell = true;
	e->cell.state = (what & HEALTHY) ? 0 : (what & REMOVAL) ? 6 : 3;
	e->complete = true;
	struct evidence_item pkg = { .kind = EV_PACKAGE, .server = PRI, .source = "SMS_Package",
		.present = true, .version = 3, .when = 1000000, .text = "\\\\FILESRV01\\Packages\\X" };
	evidence_add(e, &pkg);
	if (what & SOURCE_UNREAD) {
		struct evidence_item it = { .kind = EV_SOURCE_DIR, .server = "FILESRV01",
			.source = "\\\\FILESRV01\\Packages\\X", .error = "access denied" };
		evidence_add(e, &it);
	} else {
		add(e, EV_SOURCE_DIR, "FILESRV01", "\\\\FILESRV01\\Packages\\X", !(what & NO_SOURCE), 0, -1, NULL);
	}
	/* No host reads a PCK's version: a stale PCK is one older than SourceDate. */
	struct evidence_item pck = { .kind = EV_PCK_PRIMARY, .server = PRI,
		.source = "E:\\SMSPKG\\009000B7.PCK", .present = true, .nested = -1,
		.when = (what & OLD_PCK) ? 900000 : 1100000 };
	evidence_add(e, &pck);
	if (cur.kind != DPK_OWN_SITE) {
		/* An own-site DP has no SMS: nothing of these is gathered there. */
		sms_file(e, EV_PCK_DP, "SMSPKG\\009000B7.PCK", false);
		if (what & INCOMING) {
			add_incoming(e, "009000B7");
			add(e, EV_LOG, cur.sms, "D:\\SMS\\Logs\\distmgr.log", true, 0, -1, PROCESSING);
			add(e, EV_LOG, cur.sms, "D:\\SMS\\Logs\\distmgr.log", true, 0, -1, SKIP);
		}
		sms_file(e, EV_DISTMGR_PKG, "SMS\\inboxes\\distmgr.box\\009000B7.PKG",
		    (what & STALE_PKG) != 0);
		sms_file(e, EV_PKGINFO, "SMS\\inboxes\\pkginfo.box\\009000B7.PKG",
		    !(what & NOTHING_ON_DP));
	}
	if (what & ROOT_ACL)
		add(e, EV_LOG, cur.sms, "D:\\SMS\\Logs\\distmgr.log", true, 0, -1,
		    "~Failed to create directory D:\\SMSPKGD$\\Apps\\009000B7, Win32 error = 5");
	char *acl = xasprintf("\\\\%s\\SMSPKGD$", cur.dp);
	add(e, EV_SHARE_ACL, cur.dp, acl, true, 0, (what & (ROOT_ACL | ROOT_ACL_ONLY)) ? 0 : 1,
	    "BUILTIN\\Administrators:F");
	free(acl);
	if (what & DP_DOWN) {
		struct evidence_item it = { .kind = EV_UNREACHABLE, .server = (char *)cur.dp,
			.source = "\\\\DP\\D$\\SMSPKGD$\\009000B7", .error = "network path not found" };
		evidence_add(e, &it);
	}
	if (what & SMS_DOWN) {
		struct evidence_item it = { .kind = EV_UNREACHABLE, .server = (char *)cur.sms,
			.source = "D:\\SMS\\Logs\\distmgr.log", .error = "connection refused" };
		evidence_add(e, &it);
	}
}

static bool
cites_kind(const struct evidence *e, const struct finding *f, enum evidence_kind k)
{
	for (size_t i = 0; i < f->ncites; i++)
		if (e->items[f->cites[i]].kind == k)
			return true;
	return false;
}

static void
expect(unsigned what, enum finding_id want, enum evidence_kind cited, const char *label)
{
	struct evidence e;
	struct diagnosis d;
	build(&e, what);
	diagnose(&e, &d);
	ok(d.nfindings >= 1, "%s: at least one finding", label);
	is_str(d.findings[0].name, finding_name(want), "%s: first finding", label);
	ok(d.findings[0].explanation && strlen(d.findings[0].explanation) > 40,
	    "%s: explained in words", label);
	if (cited != EV_KIND_COUNT)
		ok(cites_kind(&e, &d.findings[0], cited), "%s: cites the %s evidence", label,
		    evidence_kind_name(cited));
	diagnosis_free(&d);
	evidence_free(&e);
}

/* The package's SourceDate as the status reply carries it, read by
 * status_parse: 0 when the reply is refused. */
static dpd_time
source_date_of(const char *wmi)
{
	char *text = xasprintf("DPDOCTOR 2 status\r\n"
	    "COLS\tP\tPackageID\tName\tSourceVersion\tStoredPkgVersion\tSourceDate\r\n"
	    "P\t009000B7\tX\t3\t3\t%s\r\n"
	    "COLS\tT\tNow\r\nT\t2007-01-04T12:00:00Z\r\nEND\tok\t1\r\n", wmi);
	char *err = NULL;
	struct snapshot *s = status_parse(text, strlen(text), &err);
	dpd_time t = s != NULL && s->npkgs == 1 ? s->pkgs[0].source_date : 0;
	if (s == NULL)
		printf("# status_parse: %s\n", err);
	snapshot_free(s);
	free(err);
	free(text);
	return t;
}

/* The primary's PCK was written at 10:00 UTC (pathinfo's MTime is UTC).
 * SourceDate is written in the provider's zone; read without its offset it
 * would fall on the other side of 10:00 and flip the finding. */
static void
test_source_date_utc(void)
{
	static const struct {
		const char *source_date;
		bool stale;
		const char *what;
	} cases[] = {
		{ "20070104113000.000000+120", false, "11:30 at UTC+2 is 09:30 UTC: the PCK is newer" },
		{ "20070104083000.000000-120", true, "08:30 at UTC-2 is 10:30 UTC: the PCK is older" },
		{ "20070104103000.000000+***", true, "10:30 +*** is 10:30 UTC: the PCK is older" },
	};
	dpd_time pck_time;
	ok(time_parse_iso("2007-01-04T10:00:00Z", &pck_time) == 0, "the PCK's MTime reads");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct evidence e;
		struct diagnosis d;
		build(&e, 0);
		dpd_time when = source_date_of(cases[i].source_date);
		ok(when != 0, "SourceDate %s is read", cases[i].source_date);
		for (size_t k = 0; k < e.nitems; k++) {
			if (e.items[k].kind == EV_PACKAGE)
				e.items[k].when = when;
			if (e.items[k].kind == EV_PCK_PRIMARY)
				e.items[k].when = pck_time;
		}
		diagnose(&e, &d);
		bool stale = false;
		for (size_t k = 0; k < d.nfindings; k++)
			stale |= d.findings[k].id == FIND_PCK_STALE;
		ok(stale == cases[i].stale, "%s", cases[i].what);
		diagnosis_free(&d);
		evidence_free(&e);
	}
}

/* Each wording a finding's log needles must know, in a line as the
 * reference quotes it (sms-domain.md section 6), alone as evidence. */
static void
test_wordings(void)
{
	static const struct {
		const char *line;
		enum finding_id want;
		unsigned what;
		const char *label;
	} cases[] = {
		{ SKIP, FIND_PCK_NOT_ARRIVED, 0, "SMS 2003 \"haven't arrived yet\" (KB 936465)" },
		/* The KB's line with this test's package in it: a skip line
		 * counts only for the package it names. */
		{ "~Package 009000B7 requires a newer version (2) of source files and the new compressed "
		  "files hasn't arrived yet, current version is 1, skip D:\\SMS\\inboxes\\distmgr.box\\INCOMING\\U2J0GVIQ.PKG",
		  FIND_PCK_NOT_ARRIVED, 0, "SMS 2.0 \"hasn't arrived yet\" (KB Q245579)" },
		{ "~Package AUS0001B requires a newer version (2) of source files and the new compressed "
		  "files hasn't arrived yet, current version is 1, skip D:\\SMS\\inboxes\\distmgr.box\\INCOMING\\U2J0GVIQ.PKG",
		  FIND_UNKNOWN, 0, "the KB's line as published names another package -> unknown" },
		/* No published line has this wording (UNCONFIRMED): the issue names it. */
		{ "~Package 009000B7 requires a newer version (3) of source files and the new compressed "
		  "files hasn't been arrived yet, current version is 2, skip E:\\SMS\\inboxes\\distmgr.box\\INCOMING\\Z3AWAX9I.PKG",
		  FIND_PCK_NOT_ARRIVED, 0, "\"hasn't been\" (UNCONFIRMED wording)" },
		{ "~PACKAGE 009000B7 REQUIRES A NEWER VERSION (3) OF SOURCE FILES AND THE NEW COMPRESSED "
		  "FILES HAVEN'T ARRIVED YET", FIND_PCK_NOT_ARRIVED, 0, "any letter case" },
		{ "The package share directory E:\\SMSPKGE$\\009000B7 is not empty, cannot remove the share SMSPKGE$.",
		  FIND_SHARE_PERMS, ROOT_ACL_ONLY, "\"cannot remove the share\" (KB Q242490)" },
		{ "~Package 009000B7 requires a newer version (3) of source files", FIND_UNKNOWN, 0,
		  "half a wording is not enough" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct evidence e;
		struct diagnosis d;
		build(&e, cases[i].what);
		add(&e, EV_LOG, cases[i].want == FIND_SHARE_PERMS ? PRI : DP, "D:\\SMS\\Logs\\distmgr.log",
		    true, 0, -1, cases[i].line);
		diagnose(&e, &d);
		ok(d.nfindings >= 1 && d.findings[0].id == cases[i].want &&
		    (cases[i].want == FIND_UNKNOWN || cites_kind(&e, &d.findings[0], EV_LOG)),
		    "wording: %s -> %s", cases[i].label, finding_name(cases[i].want));
		diagnosis_free(&d);
		evidence_free(&e);
	}
}

/* Whether any finding of d is id. */
static bool
has_finding(const struct diagnosis *d, enum finding_id id)
{
	for (size_t k = 0; k < d->nfindings; k++)
		if (d->findings[k].id == id)
			return true;
	return false;
}

/* The INCOMING file's owner comes only from distmgr.log. */
static void
test_real_host(void)
{
	as_kind(DPK_CHILD_SERVER);
	struct evidence e;
	struct diagnosis d;
	/* A file in INCOMING that no log line ties to a package: no finding
	 * rests on it (the host cannot say whose it is). */
	build(&e, 0);
	add_incoming(&e, "");
	diagnose(&e, &d);
	ok(!has_finding(&d, FIND_PCK_NOT_ARRIVED), "an unlinked INCOMING file alone: not pck-not-arrived");
	ok(!has_finding(&d, FIND_NOT_IN_DB), "  nor not-in-db (it may be this package's)");
	diagnosis_free(&d);
	evidence_free(&e);
	/* Nothing of the package at the site, and an unlinked INCOMING file
	 * that the log never shows processed: it may still be this one's. */
	build(&e, NOTHING_ON_DP);
	add_incoming(&e, "");
	diagnose(&e, &d);
	ok(!has_finding(&d, FIND_NOT_IN_DB), "an unlinked, unprocessed INCOMING file: not not-in-db");
	diagnosis_free(&d);
	evidence_free(&e);
	/* Processed, and no line of the site's log names this package: each
	 * pass over its file would, so the file is another package's. */
	build(&e, NOTHING_ON_DP);
	add_incoming(&e, "");
	add(&e, EV_LOG, cur.sms, "D:\\SMS\\Logs\\distmgr.log", true, 0, -1, PROCESSING);
	add(&e, EV_LOG, cur.sms, "D:\\SMS\\Logs\\distmgr.log", true, 0, -1,
	    "~Package 009000C1 uses the compressed copy of the source directory.");
	diagnose(&e, &d);
	ok(d.nfindings >= 1 && d.findings[0].id == FIND_NOT_IN_DB,
	    "an unlinked file processed without a word of the package: not-in-db");
	diagnosis_free(&d);
	evidence_free(&e);
	/* The same, but the site's log does name the package: the file may be
	 * its (the line after the processing one is not tied to the file). */
	build(&e, NOTHING_ON_DP);
	add_incoming(&e, "");
	add(&e, EV_LOG, cur.sms, "D:\\SMS\\Logs\\distmgr.log", true, 0, -1, PROCESSING);
	add(&e, EV_LOG, cur.sms, "D:\\SMS\\Logs\\distmgr.log", true, 0, -1,
	    "~Package 009000B7 uses the compressed copy of the source directory.");
	diagnose(&e, &d);
	ok(!has_finding(&d, FIND_NOT_IN_DB), "  but not when the site's log names the package");
	diagnosis_free(&d);
	evidence_free(&e);
	/* Linked by the log: both lines are cited. */
	build(&e, INCOMING);
	diagnose(&e, &d);
	ok(d.findings[0].id == FIND_PCK_NOT_ARRIVED, "linked by distmgr.log: pck-not-arrived");
	size_t lines = 0;
	for (size_t k = 0; k < d.findings[0].ncites; k++)
		lines += e.items[d.findings[0].cites[k]].kind == EV_LOG;
	is_int((long long)lines, 2, "  citing both lines (processing, skip)");
	contains(d.findings[0].explanation, DP " is the site server of child site LDS",
	    "  the explanation says what the DP is");
	contains(d.findings[0].explanation, "no compressed PCK", "  and that the PCK is absent");
	diagnosis_free(&d);
	evidence_free(&e);
	/* A PCK there but older than SourceDate (the time, never a version). */
	build(&e, INCOMING);
	for (size_t k = 0; k < e.nitems; k++)
		if (e.items[k].kind == EV_PCK_DP) {
			e.items[k].present = true;
			e.items[k].when = 900000;
		}
	diagnose(&e, &d);
	contains(d.findings[0].explanation, "older than the package's SourceDate", "an old DP PCK by its time");
	diagnosis_free(&d);
	evidence_free(&e);
	/* The stale PKG is a hint: the explanation gates the deletion. */
	build(&e, STALE_PKG);
	diagnose(&e, &d);
	contains(d.findings[0].explanation, "only when it answers \"already set\"", "pkg-file-stale is a hint");
	diagnosis_free(&d);
	evidence_free(&e);
}

/* A child site's plain DP: the PCK findings rest on its site server. */
static void
test_child_dp(void)
{
	as_kind(DPK_CHILD_DP);
	struct evidence e;
	struct diagnosis d;
	build(&e, INCOMING);
	diagnose(&e, &d);
	is_int(d.findings[0].id, FIND_PCK_NOT_ARRIVED, "child DP: pck-not-arrived from its site server's evidence");
	contains(d.findings[0].explanation, "LEEDSDP02 is a DP of child site LDS", "  says what the DP is");
	contains(d.findings[0].explanation, DP " (the site server of LEEDSDP02's site)", "  names the server");
	contains(d.findings[0].explanation, "PreloadPkgOnSite.exe 009000B7 there", "  where to preload");
	bool on_server = d.findings[0].ncites > 0;
	for (size_t k = 0; k < d.findings[0].ncites; k++) {
		const struct evidence_item *it = &e.items[d.findings[0].cites[k]];
		on_server &= strcmp(it->server, DP) == 0;
	}
	ok(on_server, "  citing only the site server's items");
	diagnosis_free(&d);
	evidence_free(&e);
	build(&e, STALE_PKG);
	diagnose(&e, &d);
	is_int(d.findings[0].id, FIND_PKG_FILE_STALE, "child DP: stale PKG on its site server");
	contains(d.findings[0].explanation, "PreloadPkgOnSite on " DP, "  run on that server");
	diagnosis_free(&d);
	evidence_free(&e);
	build(&e, NOTHING_ON_DP);
	diagnose(&e, &d);
	is_int(d.findings[0].id, FIND_NOT_IN_DB, "child DP: not-in-db on its site server");
	diagnosis_free(&d);
	evidence_free(&e);
	/* A log line on the DP's own name would not be where SMS writes. */
	build(&e, 0);
	add(&e, EV_LOG, "LEEDSDP02", "D:\\SMS\\Logs\\distmgr.log", true, 0, -1, SKIP);
	diagnose(&e, &d);
	ok(!has_finding(&d, FIND_PCK_NOT_ARRIVED), "child DP: a line not from its site server's log is not used");
	diagnosis_free(&d);
	evidence_free(&e);
	as_kind(DPK_CHILD_SERVER);
}

/* A DP of the package's own site: no PCK or preload finding ever. */
static void
test_own_site(void)
{
	as_kind(DPK_OWN_SITE);
	struct evidence e;
	struct diagnosis d;
	build(&e, OLD_PCK);
	add(&e, EV_LOG, PRI, "E:\\SMS\\Logs\\distmgr.log", true, 0, -1, SKIP);
	diagnose(&e, &d);
	ok(!has_finding(&d, FIND_PCK_NOT_ARRIVED) && !has_finding(&d, FIND_PCK_STALE) &&
	    !has_finding(&d, FIND_PKG_FILE_STALE) && !has_finding(&d, FIND_NOT_IN_DB),
	    "own-site DP: no PCK or preload finding");
	is_int(d.findings[0].id, FIND_UNKNOWN, "  unknown instead");
	ok(d.findings[0].plan == PLAN_REPUSH, "  with a re-push");
	contains(d.findings[0].explanation, "LOCALDP01 is a DP of the package's own site 009",
	    "  says what the DP is");
	contains(d.findings[0].explanation, "SMS009PRI's distmgr.log", "  and where its story is");
	diagnosis_free(&d);
	evidence_free(&e);
	build(&e, NO_SOURCE);
	diagnose(&e, &d);
	is_int(d.findings[0].id, FIND_SOURCE_MISSING, "own-site DP: source-missing");
	diagnosis_free(&d);
	evidence_free(&e);
	build(&e, ROOT_ACL);
	diagnose(&e, &d);
	is_int(d.findings[0].id, FIND_SHARE_PERMS, "own-site DP: share-perms from the primary's log");
	ok(cites_kind(&e, &d.findings[0], EV_LOG), "  citing the primary's line");
	diagnosis_free(&d);
	evidence_free(&e);
	as_kind(DPK_CHILD_SERVER);
}

/* The WMI host's key log-in: never shown as "DP unreachable". */
static void
test_netcred(void)
{
	struct evidence e;
	struct diagnosis d;
	build(&e, 0);
	struct evidence_item it = { .kind = EV_UNREACHABLE, .server = DP, .netcred = true,
		.source = "\\\\" DP "\\D$\\SMSPKGD$\\009000B7", .nested = -1,
		.error = "SMS009PRI was logged in to with a key: that session has no network "
		"credentials, so it cannot reach " DP };
	evidence_add(&e, &it);
	diagnose(&e, &d);
	is_int(d.findings[0].id, FIND_NO_NETCRED, "netcred failures: no-network-credentials");
	ok(!has_finding(&d, FIND_DP_UNREACHABLE), "  not dp-unreachable");
	contains(d.findings[0].explanation, "logged in to with a key", "  names the key log-in");
	contains(d.findings[0].explanation, "credential = ask", "  and the ways out");
	ok(d.findings[0].plan == PLAN_NONE, "  no repair plan");
	diagnosis_free(&d);
	evidence_free(&e);
	/* The same failure without netcred is a DP that could not be read. */
	build(&e, 0);
	it.netcred = false;
	it.error = "network path not found";
	evidence_add(&e, &it);
	diagnose(&e, &d);
	is_int(d.findings[0].id, FIND_DP_UNREACHABLE, "plain failures: dp-unreachable");
	diagnosis_free(&d);
	evidence_free(&e);
}

int
main(void)
{
	expect(INCOMING, FIND_PCK_NOT_ARRIVED, EV_LOG, "PCK never arrived");
	expect(INCOMING, FIND_PCK_NOT_ARRIVED, EV_INCOMING, "PCK never arrived (inbox)");
	expect(STALE_PKG, FIND_PKG_FILE_STALE, EV_DISTMGR_PKG, "stale distmgr.box PKG");
	expect(STALE_PKG | INCOMING, FIND_PKG_FILE_STALE, EV_DISTMGR_PKG, "stale PKG beats the inbox symptom");
	expect(NOTHING_ON_DP, FIND_NOT_IN_DB, EV_PKGINFO, "DP site does not know the package");
	expect(NO_SOURCE | INCOMING, FIND_SOURCE_MISSING, EV_SOURCE_DIR, "source missing comes first");
	expect(ROOT_ACL, FIND_SHARE_PERMS, EV_SHARE_ACL, "share permissions at the root");
	expect(ROOT_ACL_ONLY, FIND_UNKNOWN, EV_KIND_COUNT, "root-only ACL, package not nested: not the cause");
	expect(REMOVAL | STALE_PKG | ROOT_ACL_ONLY, FIND_SHARE_PERMS, EV_SHARE_ACL,
	    "removal failing on a root-only share (its own PKG file is no symptom)");
	expect(OLD_PCK, FIND_PCK_STALE, EV_PCK_PRIMARY, "primary PCK older than SourceDate");
	expect(0, FIND_UNKNOWN, EV_KIND_COUNT, "nothing matches");
	expect(SOURCE_UNREAD, FIND_UNKNOWN, EV_KIND_COUNT, "an unreadable source is not a missing one");
	expect(HEALTHY, FIND_HEALTHY, EV_KIND_COUNT, "installed cell");

	struct evidence e;
	struct diagnosis d;
	build(&e, INCOMING | DP_DOWN);
	diagnose(&e, &d);
	contains(d.findings[0].caveat, "Could not read", "unreachable source: caveat");
	contains(d.findings[0].caveat, DP, "  naming the server");
	contains(d.findings[0].caveat, "network path not found", "  and the reason");
	diagnosis_free(&d);
	evidence_free(&e);

	build(&e, DP_DOWN);
	diagnose(&e, &d);
	is_int(d.findings[0].id, FIND_DP_UNREACHABLE, "nothing matches and the DP is down: dp-unreachable");
	contains(d.findings[0].explanation, "could not read " DP, "  naming the DP");
	ok(d.findings[0].plan == PLAN_NONE, "  with no plan (a re-push would not reach it)");
	diagnosis_free(&d);
	evidence_free(&e);

	/* A DP of a child site rests on its site server's files: that server
	 * down is as much "cannot say" as the DP itself down. */
	as_kind(DPK_CHILD_DP);
	build(&e, SMS_DOWN);
	diagnose(&e, &d);
	is_int(d.findings[0].id, FIND_DP_UNREACHABLE, "a child DP whose site server is down: dp-unreachable");
	contains(d.findings[0].explanation, "the site server that serves LEEDSDP02", "  naming what the server is to it");
	contains(d.findings[0].explanation, DP, "  and the server");
	diagnosis_free(&d);
	evidence_free(&e);
	as_kind(DPK_CHILD_SERVER);

	build(&e, HEALTHY | INCOMING);
	diagnose(&e, &d);
	ok(d.nfindings == 2 && d.findings[1].id == FIND_PCK_NOT_ARRIVED, "installed with old symptoms: both said");
	contains(d.findings[1].caveat, "old problem", "  marked as possibly old");
	diagnosis_free(&d);
	evidence_free(&e);

	build(&e, 0);
	e.complete = false;
	diagnose(&e, &d);
	contains(d.findings[0].caveat, "did not finish", "incomplete gathering is said");
	diagnosis_free(&d);
	evidence_free(&e);
	for (int i = 0; i < FIND_COUNT; i++)
		ok(finding_title(i)[0] != '\0', "finding %s has a title", finding_name(i));
	test_source_date_utc();
	test_wordings();
	test_real_host();
	test_child_dp();
	test_own_site();
	test_netcred();
	return done_testing();
}
