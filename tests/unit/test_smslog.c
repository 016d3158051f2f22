/*
 * Unit tests for backend/smslog: every line shape with real-looking
 * variants (zones across DST dates, padded and unpadded hours, CRLF,
 * multi-line CMTrace, STATMSG with ISTR/AID), hostile input (garbage, NUL
 * bytes, invalid UTF-8, a huge line, a truncated last line), the .lo_
 * rollover order, the tail (append, truncation, rotation) and the package
 * filter's fast path agreeing with the slow one.
 */
#include "autoconf.h"
#include "backend/sms/smslog.h"
#include "tests/unit/tap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAXE 64

struct got {
	size_t n;
	struct {
		char text[256], comp[64], local[64], zone[64], file[256];
		enum smslog_format format;
		enum smslog_severity sev;
		dpd_time utc;
		int ms;
		bool known, truncated, statmsg, cut;
		unsigned long thread;
		uint64_t offset;
		size_t lineno, textlen;
		struct smslog_statmsg sm;
		char istr1[64], aval0[64], sys[32];
	} e[MAXE];
};

static void
cp(char *dst, size_t cap, struct smslog_str s)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;
	if (n > 0)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static int
collect(const struct smslog_entry *e, void *arg)
{
	struct got *g = arg;
	if (g->n >= MAXE)
		return 0;
	__typeof__(g->e[0]) *x = &g->e[g->n++];
	memset(x, 0, sizeof *x);
	cp(x->text, sizeof x->text, e->text);
	cp(x->comp, sizeof x->comp, e->component);
	cp(x->local, sizeof x->local, e->local);
	cp(x->zone, sizeof x->zone, e->zone);
	snprintf(x->file, sizeof x->file, "%s", e->file ? e->file : "");
	x->format = e->format;
	x->sev = e->severity;
	x->utc = e->utc;
	x->ms = e->ms;
	x->known = e->utc_known;
	x->truncated = e->truncated;
	x->cut = e->trailer_cut;
	x->thread = e->thread;
	x->offset = e->offset;
	x->lineno = e->lineno;
	x->textlen = e->text.n;
	if (e->statmsg != NULL) {
		x->statmsg = true;
		x->sm = *e->statmsg;
		cp(x->istr1, sizeof x->istr1, e->statmsg->istr[1]);
		cp(x->aval0, sizeof x->aval0, e->statmsg->attr[0].value);
		cp(x->sys, sizeof x->sys, e->statmsg->sys);
	}
	return 0;
}

static struct got *
parse(const char *text, size_t len, const char *pkg)
{
	static struct got g;
	memset(&g, 0, sizeof g);
	smslog_parse_buffer(text, len, "t.log", pkg, collect, &g);
	return &g;
}

#define PARSE(s) parse(s, sizeof s - 1, NULL)

static dpd_time
iso(const char *s)
{
	dpd_time t = 0;
	time_parse_iso(s, &t);
	return t;
}

/* One SMS 2003 line in zone z at the given local stamp: its UTC. */
static dpd_time
sms_utc(const char *stamp, bool *known)
{
	char line[256];
	int n = snprintf(line, sizeof line, "x  $$<SMS_DISTRIBUTION_MANAGER><%s><thread=1 (0x1)>\r\n", stamp);
	struct got *g = parse(line, (size_t)n, NULL);
	*known = g->e[0].known;
	return g->e[0].utc;
}

static void
test_sms2003(void)
{
	struct got *g = PARSE("~Processing incoming file E:\\SMS\\inboxes\\distmgr.box\\INCOMING\\RD5L85BW.PKG.  "
	    "$$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 9:12:03.417 2007 GMT Standard Time><thread=2136 (0x858)>\r\n"
	    "Starting CCMEXEC service... $$<CcmExec><Fri Feb 13 08:13:13.819 2004 Central Standard Time><thread=1216 (0x4C0)>\n");
	is_int((long long)g->n, 2, "sms2003: two entries");
	is_int(g->e[0].format, SMSLOG_FORMAT_SMS2003, "sms2003: format");
	ok(g->e[0].text[0] == '~' && strstr(g->e[0].text, "RD5L85BW.PKG.") && g->e[0].text[strlen(g->e[0].text) - 1] == '.',
	    "sms2003: text keeps ~, trailer blanks trimmed");
	is_str(g->e[0].comp, "SMS_DISTRIBUTION_MANAGER", "sms2003: component");
	is_str(g->e[0].local, "Thu Jan 04 9:12:03.417 2007", "sms2003: local as written");
	is_str(g->e[0].zone, "GMT Standard Time", "sms2003: zone");
	is_int(g->e[0].utc, iso("2007-01-04T09:12:03Z"), "sms2003: GMT in winter = UTC (unpadded hour)");
	is_int(g->e[0].ms, 417, "sms2003: ms");
	ok(g->e[0].known, "sms2003: utc known");
	is_int((long long)g->e[0].thread, 2136, "sms2003: thread");
	is_int(g->e[1].utc, iso("2004-02-13T14:13:13Z"), "sms2003: CST = UTC-6 (padded hour)");
	is_int((long long)g->e[1].offset, (long long)(sizeof "~Processing incoming file E:\\SMS\\inboxes\\distmgr.box\\INCOMING\\RD5L85BW.PKG.  "
	    "$$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 9:12:03.417 2007 GMT Standard Time><thread=2136 (0x858)>\r\n" - 1),
	    "sms2003: second entry offset");
	is_int((long long)g->e[1].lineno, 2, "sms2003: line numbers");
	is_int(g->e[0].sev, SMSLOG_SEV_INFO, "sms2003: plain text is info");
}

static void
test_zones(void)
{
	static const struct {
		const char *stamp, *utc;
		bool known;
	} cases[] = {
		{ "Mon Jul 03 12:25:46.750 2000 GMT Daylight Time", "2000-07-03T11:25:46Z", true },
		{ "Mon Jul 03 12:25:46.750 2000 GMT Standard Time", "2000-07-03T11:25:46Z", true },
		{ "Sun Mar 25 00:30:00.000 2007 GMT Standard Time", "2007-03-25T00:30:00Z", true },
		{ "Sun Mar 25 02:30:00.000 2007 GMT Standard Time", "2007-03-25T01:30:00Z", true },
		{ "Sun Oct 28 01:30:00.000 2007 GMT Standard Time", "2007-10-28T01:30:00Z", true },
		{ "Sun Oct 28 00:30:00.000 2007 GMT Standard Time", "2007-10-27T23:30:00Z", true },
		{ "Thu Jul 05 10:00:00.000 2007 W. Europe Standard Time", "2007-07-05T08:00:00Z", true },
		{ "Thu Jan 04 10:00:00.000 2007 W. Europe Standard Time", "2007-01-04T09:00:00Z", true },
		{ "Thu Jan 04 10:00:00.000 2007 Central Europe Standard Time", "2007-01-04T09:00:00Z", true },
		{ "Thu Jan 04 10:00:00.000 2007 Romance Standard Time", "2007-01-04T09:00:00Z", true },
		{ "Fri Oct 15 17:09:46.507 1999 Pacific Daylight Time", "1999-10-16T00:09:46Z", true },
		{ "Fri Dec 10 01:12:40.304 1999 Pacific Standard Time", "1999-12-10T09:12:40Z", true },
		/* US 2007 rules: DST from the 2nd Sunday of March (11 Mar 2007) */
		{ "Mon Mar 12 12:00:00.000 2007 Eastern Standard Time", "2007-03-12T16:00:00Z", true },
		/* pre-2007: DST began on the first Sunday of April (2 Apr 2006) */
		{ "Mon Mar 13 12:00:00.000 2006 Eastern Standard Time", "2006-03-13T17:00:00Z", true },
		{ "Mon Apr 03 12:00:00.000 2006 Eastern Standard Time", "2006-04-03T16:00:00Z", true },
		{ "Thu Nov 02 12:00:00.000 2006 Eastern Standard Time", "2006-11-02T17:00:00Z", true },
		{ "Thu Nov 01 12:00:00.000 2007 Eastern Standard Time", "2007-11-01T16:00:00Z", true },
		{ "Thu Jan 04 12:00:00.000 2007 Mountain Standard Time", "2007-01-04T19:00:00Z", true },
		{ "Thu Jan 04 12:00:00.000 2007 Central Daylight Time", "2007-01-04T17:00:00Z", true },
		{ "Thu Jan 04 12:00:00.000 2007 AUS Eastern Standard Time", "2007-01-04T01:00:00Z", true },
		{ "Wed Jul 04 12:00:00.000 2007 AUS Eastern Standard Time", "2007-07-04T02:00:00Z", true },
		{ "Thu Jan 04 12:00:00.000 2007 Tokyo Standard Time", "2007-01-04T03:00:00Z", true },
		{ "Thu Jan 04 12:00:00.000 2007 UTC", "2007-01-04T12:00:00Z", true },
		{ "Thu Jan 04 12:00:00.000 2007 Coordinated Universal Time", "2007-01-04T12:00:00Z", true },
		{ "Thu Jan 04 12:00:00.000 2007 Atlantis Standard Time", "2007-01-04T12:00:00Z", false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool known = !cases[i].known;
		dpd_time t = sms_utc(cases[i].stamp, &known);
		ok(t == iso(cases[i].utc) && known == cases[i].known, "zone: %s -> %s%s", cases[i].stamp,
		    cases[i].utc, cases[i].known ? "" : " (local)");
	}
}

static void
test_cm2007(void)
{
	struct got *g = PARSE("~ExecStaticMethod failed (80041002) SMS_DistributionPoint, AddFile "
	    "$$<SMS_PACKAGE_TRANSFER_MANAGER><06-14-2018 06:26:25.828-60><thread=9112 (0x2398)>\r\n"
	    "x $$<SMS_HIERARCHY_MANAGER><07-15-2023 09:12:45.332+240><thread=4116 (0x1014)>\n"
	    "y $$<C><01-04-2007 09:12:03.417+000><thread=1 (0x1)>");
	is_int((long long)g->n, 3, "cm2007: three entries");
	is_int(g->e[0].format, SMSLOG_FORMAT_CM2007, "cm2007: format");
	is_int(g->e[0].utc, iso("2018-06-14T05:26:25Z"), "cm2007: bias -60 is UTC+1");
	is_int(g->e[0].sev, SMSLOG_SEV_ERROR, "cm2007: 'failed' is an error");
	is_str(g->e[0].zone, "-60", "cm2007: zone is the bias");
	is_int(g->e[1].utc, iso("2023-07-15T13:12:45Z"), "cm2007: bias +240 is UTC-4");
	is_int(g->e[2].utc, iso("2007-01-04T09:12:03Z"), "cm2007: +000");
	ok(g->e[2].truncated, "cm2007: last line without line end is marked truncated");
	ok(!g->e[1].truncated, "  and the others are not");
}

static void
test_cmtrace(void)
{
	struct got *g = PARSE("\xEF\xBB\xBF<![LOG[Property LogPath is now = X:\\MININT]LOG]!><time=\"17:52:00.000+000\" "
	    "date=\"12-01-2016\" component=\"LiteTouch\" context=\"\" type=\"1\" thread=\"\" file=\"LiteTouch\">\r\n"
	    "<![LOG[First line\r\nsecond line failed\r\nthird]LOG]!><time=\"08:00:01.250-60\" date=\"07-01-2010\" "
	    "component=\"CcmExec\" context=\"\" type=\"2\" thread=\"412\" file=\"x.cpp:12\">\r\n"
	    "<![LOG[boom]LOG]!><time=\"10:00:00.000+300\" date=\"01-04-2007\" component=\"C\" context=\"\" type=\"3\" thread=\"7\" file=\"\">\n");
	is_int((long long)g->n, 3, "cmtrace: three entries (one spans three lines)");
	is_int(g->e[0].format, SMSLOG_FORMAT_CMTRACE, "cmtrace: format");
	is_str(g->e[0].text, "Property LogPath is now = X:\\MININT", "cmtrace: message (BOM skipped)");
	is_str(g->e[0].comp, "LiteTouch", "cmtrace: component");
	is_int(g->e[0].utc, iso("2016-12-01T17:52:00Z"), "cmtrace: time+date");
	is_str(g->e[0].local, "12-01-2016 17:52:00.000", "cmtrace: local");
	is_str(g->e[1].text, "First line\r\nsecond line failed\r\nthird", "cmtrace: multi-line message");
	is_int(g->e[1].sev, SMSLOG_SEV_WARNING, "cmtrace: type 2 is a warning whatever the words");
	is_int((long long)g->e[1].thread, 412, "cmtrace: thread");
	is_int(g->e[1].utc, iso("2010-07-01T07:00:01Z"), "cmtrace: bias -60");
	is_int(g->e[1].ms, 250, "cmtrace: ms");
	is_int((long long)g->e[1].lineno, 2, "cmtrace: multi-line entry starts on line 2");
	is_int((long long)g->e[2].lineno, 5, "cmtrace: next entry on line 5");
	is_int(g->e[2].sev, SMSLOG_SEV_ERROR, "cmtrace: type 3 is an error");
	is_int(g->e[2].utc, iso("2007-01-04T15:00:00Z"), "cmtrace: bias +300");
	g = PARSE("<![LOG[never ends\nline two\n");
	is_int((long long)g->n, 2, "cmtrace: unterminated start is a plain line");
}

static void
test_viewer(void)
{
	struct got *g = PARSE("Package SR30002F requires a newer version (3) of source files and the new compressed files "
	    "haven't arrived yet, current version is 1, skip E:\\SMS\\inboxes\\distmgr.box\\INCOMING\\SR30002F.PKG"
	    "\tSMS_DISTRIBUTION_MANAGER\t1/4/2007 9:12:03 AM\t5764 (0x1684)\n"
	    "~Cannot update the package AUS0001B in the package source, error = 8 SMS_DISTRIBUTION_MANAGER 12/20/2006 3:04:05 PM 2136 (0x858)\n");
	is_int((long long)g->n, 2, "viewer: two entries");
	is_int(g->e[0].format, SMSLOG_FORMAT_VIEWER, "viewer: format (tabs)");
	is_str(g->e[0].comp, "SMS_DISTRIBUTION_MANAGER", "viewer: component");
	is_int(g->e[0].utc, iso("2007-01-04T09:12:03Z"), "viewer: local time");
	ok(!g->e[0].known, "viewer: zone unknown");
	is_str(g->e[0].local, "1/4/2007 9:12:03 AM", "viewer: local as written");
	is_int((long long)g->e[0].thread, 5764, "viewer: thread");
	is_int(g->e[0].sev, SMSLOG_SEV_WARNING, "viewer: haven't arrived yet is a warning");
	ok(strstr(g->e[0].text, "SR30002F.PKG") != NULL && strchr(g->e[0].text, '\t') == NULL, "viewer: text");
	is_int(g->e[1].format, SMSLOG_FORMAT_VIEWER, "viewer: format (spaces)");
	is_int(g->e[1].utc, iso("2006-12-20T15:04:05Z"), "viewer: PM");
	is_int(g->e[1].sev, SMSLOG_SEV_ERROR, "viewer: Cannot ... error = is an error");
}

static void
test_statmsg(void)
{
	struct got *g = PARSE("STATMSG: ID=2300 SEV=I LEV=M SOURCE=\"SMS Server\" COMP=\"SMS_DISTRIBUTION_MANAGER\" "
	    "SYS=LCTOPAZCEN SITE=CEN PID=3808 TID=3612 GMTDATE=Mon Jun 07 23:23:16.472 2004 ISTR0=\"Lab 1 - Test package\" "
	    "ISTR1=\"CEN0000E\" ISTR2=\"\" ISTR3=\"\" ISTR4=\"\" ISTR5=\"\" ISTR6=\"\" ISTR7=\"\" ISTR8=\"\" ISTR9=\"\" "
	    "NUMATTRS=1 AID0=400 AVAL0=\"CEN0000E\"  $$<SMS_DISTRIBUTION_MANAGER><Tue Jun 08 00:23:16.472 2004 GMT Daylight Time><thread=3612 (0xE1C)>\r\n"
	    "STATMSG: ID=2323 SEV=E LEV=M SOURCE=\"SMS Server\" COMP=\"SMS_DISTRIBUTION_MANAGER\" SYS=X SITE=CEN PID=1 TID=2 "
	    "GMTDATE=Thu Jan 04 09:00:00.000 2007 ISTR0=\"a\" NUMATTRS=2 AID0=400 AVAL0=\"CEN00001\" AID1=404 AVAL1=\"[\"Display=\\\\DP1\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\DP1\\\"\n");
	is_int((long long)g->n, 2, "statmsg: two entries");
	ok(g->e[0].statmsg, "statmsg: recognised inside an SMS 2003 line");
	is_int(g->e[0].sm.id, 2300, "statmsg: ID");
	is_int(g->e[0].sm.sev, 'I', "statmsg: SEV");
	is_str(g->e[0].sys, "LCTOPAZCEN", "statmsg: SYS");
	is_int(g->e[0].sm.nistr, 10, "statmsg: ten ISTRs");
	is_str(g->e[0].istr1, "CEN0000E", "statmsg: ISTR1");
	is_int(g->e[0].sm.nattr, 1, "statmsg: one attribute");
	is_int(g->e[0].sm.attr[0].id, 400, "statmsg: AID0");
	is_str(g->e[0].aval0, "CEN0000E", "statmsg: AVAL0");
	is_int(g->e[0].utc, iso("2004-06-07T23:23:16Z"), "statmsg: GMTDATE is UTC");
	is_int(g->e[0].sev, SMSLOG_SEV_INFO, "statmsg: SEV=I is info");
	is_int(g->e[1].sev, SMSLOG_SEV_ERROR, "statmsg: SEV=E is an error");
	is_int(g->e[1].sm.nattr, 2, "statmsg: two attributes");
	ok(g->e[1].sm.attr[1].value.n == 47, "statmsg: a NAL path value keeps its own quotes (%zu)", g->e[1].sm.attr[1].value.n);
	ok(g->e[1].known && g->e[1].utc == iso("2007-01-04T09:00:00Z"), "statmsg: bare line takes GMTDATE");
}

/* Trace-viewer copies from day-first locales ("29-01-2010 12:56:47", tabs
 * or spaces, '-', '/' or '.'), year-first ones, and the rule for ambiguous
 * dates: month-first unless the file proves day-first. */
static void
test_dayfirst(void)
{
	struct got *g = PARSE("Package 009000B7 requires a newer version (3) of source files and the new compressed files "
	    "haven't arrived yet, current version is 1, skip E:\\SMS\\inboxes\\distmgr.box\\INCOMING\\009000B7.PKG"
	    "\tSMS_DISTRIBUTION_MANAGER\t29-01-2010 12:56:47\t5764 (0x1684)\n"
	    "~Start adding package 009000B7... SMS_DISTRIBUTION_MANAGER 29-01-2010 12:56:47 2136 (0x858)\n"
	    "x\tSMS_DISTRIBUTION_MANAGER\t29/01/2010 12:56:47\t1 (0x1)\n"
	    "x\tSMS_DISTRIBUTION_MANAGER\t29.01.2010 12:56:47.250\t1 (0x1)\n"
	    "x\tSMS_DISTRIBUTION_MANAGER\t2010-01-29 12:56:47\t1 (0x1)\n");
	is_int((long long)g->n, 5, "day-first: five entries");
	is_int(g->e[0].format, SMSLOG_FORMAT_VIEWER, "day-first: viewer copy with tabs");
	is_int(g->e[0].utc, iso("2010-01-29T12:56:47Z"), "day-first: 29-01-2010 is 29 January");
	ok(!g->e[0].known, "day-first: zone unknown (local time)");
	is_str(g->e[0].comp, "SMS_DISTRIBUTION_MANAGER", "day-first: component");
	is_str(g->e[0].local, "29-01-2010 12:56:47", "day-first: local as written");
	is_int((long long)g->e[0].thread, 5764, "day-first: thread");
	ok(strstr(g->e[0].text, "009000B7.PKG") && !strchr(g->e[0].text, '\t'), "day-first: text without the columns");
	is_int(g->e[0].sev, SMSLOG_SEV_WARNING, "day-first: still a warning");
	is_int(g->e[1].format, SMSLOG_FORMAT_VIEWER, "day-first: viewer copy with spaces");
	is_int(g->e[1].utc, iso("2010-01-29T12:56:47Z"), "day-first: spaces, same time");
	is_str(g->e[1].text, "~Start adding package 009000B7...", "day-first: spaces, text");
	is_int(g->e[2].utc, iso("2010-01-29T12:56:47Z"), "day-first: slashes");
	ok(g->e[3].utc == iso("2010-01-29T12:56:47Z") && g->e[3].ms == 250, "day-first: dots, milliseconds");
	is_int(g->e[4].utc, iso("2010-01-29T12:56:47Z"), "year-first: 2010-01-29");

	/* Ambiguous alone: month-first, as the US-English viewers print. */
	g = PARSE("x\tSMS_DISTRIBUTION_MANAGER\t03-04-2010 12:56:47\t1 (0x1)\n");
	is_int(g->e[0].utc, iso("2010-03-04T12:56:47Z"), "ambiguous 03-04-2010 alone: month-first (4 March)");
	/* A day above 12 anywhere in the file makes it day-first, before or after. */
	g = PARSE("x\tSMS_DISTRIBUTION_MANAGER\t03-04-2010 12:56:47\t1 (0x1)\n"
	    "y\tSMS_DISTRIBUTION_MANAGER\t13-04-2010 08:00:00\t1 (0x1)\n"
	    "z\tSMS_DISTRIBUTION_MANAGER\t05-04-2010 09:00:00\t1 (0x1)\n");
	is_int(g->e[0].utc, iso("2010-04-03T12:56:47Z"), "ambiguous before a day-first date in the file: 3 April");
	is_int(g->e[2].utc, iso("2010-04-05T09:00:00Z"), "ambiguous after it: 5 April");
	g = PARSE("x\tSMS_DISTRIBUTION_MANAGER\t01-29-2010 12:56:47\t1 (0x1)\n"
	    "y\tSMS_DISTRIBUTION_MANAGER\t03-04-2010 08:00:00\t1 (0x1)\n");
	is_int(g->e[0].utc, iso("2010-01-29T12:56:47Z"), "month-first 01-29-2010");
	is_int(g->e[1].utc, iso("2010-03-04T08:00:00Z"), "ambiguous in a month-first file: 4 March");
	/* Line context: the STATMSG's GMTDATE tells which reading the viewer's
	 * local date is (within a day), and so what the file is. */
	g = PARSE("STATMSG: ID=2300 SEV=I GMTDATE=Sat Apr 03 11:56:47.000 2010 ISTR0=\"x\""
	    "\tSMS_DISTRIBUTION_MANAGER\t03-04-2010 12:56:47\t1 (0x1)\n"
	    "z\tSMS_DISTRIBUTION_MANAGER\t05-04-2010 09:00:00\t1 (0x1)\n");
	is_int(g->e[0].utc, iso("2010-04-03T11:56:47Z"), "line context: the STATMSG keeps its GMTDATE");
	is_int(g->e[1].utc, iso("2010-04-05T09:00:00Z"), "line context: GMTDATE proved the file day-first");
	/* The package filter reads the same way when the proof is on a line it skips. */
	static const char mixed[] = "x 009000B7\tSMS_DISTRIBUTION_MANAGER\t03-04-2010 12:56:47\t1 (0x1)\n"
	    "other\tSMS_DISTRIBUTION_MANAGER\t13-04-2010 08:00:00\t1 (0x1)\n";
	g = parse(mixed, sizeof mixed - 1, "009000B7");
	ok(g->n == 1 && g->e[0].utc == iso("2010-04-03T12:56:47Z"), "filter: the proof on a skipped line still counts");
	g = PARSE("x\tSMS_DISTRIBUTION_MANAGER\t13-13-2010 12:56:47\t1 (0x1)\n");
	is_int(g->e[0].format, SMSLOG_FORMAT_PLAIN, "13-13-2010 is no date: plain");
}

/* ConfigMgr current branch copies (as the MS troubleshooting docs print
 * them): COMPONENT, TID, then the text. */
static void
test_cb_order(void)
{
	struct got *g = PARSE("SMS_DISTRIBUTION_MANAGER\t4788 (0x12b4)\t~Processing 32.INS\r\n"
	    "SMS_HIERARCHY_MANAGER 2448 (0x990) ~Processing site control file: Site PS1\n"
	    "SMS Provider 4180 (0x1054) Context: MachineName =PS1SITE.CONTOSO.COM~\n"
	    "SMS_DISTRIBUTION_MANAGER\t2860\tDP upgrade processing thread: Upgrading DP with ID 32.\n"
	    "SMS_HIERARCHY_MANAGER 2448 (0x990) STATMSG: ID=3306 SEV=I LEV=M SOURCE=\"SMS Server\" "
	    "COMP=\"SMS_HIERARCHY_MANAGER\" SYS=PS1SITE.CONTOSO.COM SITE=PS1 PID=1956 TID=2448 "
	    "GMTDATE=Wed May 11 18:33:34.813 2016 ISTR0=\"E:\\ConfigMgr\\inboxes\\HMAN.box\\PS1.SCU\" "
	    "ISTR1=\"ConfigMgr Primary Site 1\" ISTR2=\"PS1\" NUMATTRS=0\n"
	    "SMS_PACKAGE_TRANSFER_MANAGER\t5264 (0x1490)\t~ExecStaticMethod failed (80041001) SMS_DistributionPoint, AddFile\n"
	    "Thread 4180 started\n"
	    "Waited 5 (0x6) seconds\n");
	is_int((long long)g->n, 8, "cb order: eight entries");
	is_int(g->e[0].format, SMSLOG_FORMAT_VIEWER, "cb order: tabs, a viewer copy");
	is_str(g->e[0].comp, "SMS_DISTRIBUTION_MANAGER", "cb order: component first");
	is_int((long long)g->e[0].thread, 4788, "cb order: thread");
	is_str(g->e[0].text, "~Processing 32.INS", "cb order: text last");
	ok(g->e[0].utc == 0, "cb order: no time in the copy");
	ok(g->e[1].format == SMSLOG_FORMAT_VIEWER && strcmp(g->e[1].comp, "SMS_HIERARCHY_MANAGER") == 0 &&
	    g->e[1].thread == 2448 && strcmp(g->e[1].text, "~Processing site control file: Site PS1") == 0,
	    "cb order: spaces");
	ok(strcmp(g->e[2].comp, "SMS Provider") == 0 && g->e[2].thread == 4180 &&
	    strcmp(g->e[2].text, "Context: MachineName =PS1SITE.CONTOSO.COM~") == 0, "cb order: a component with a space");
	ok(strcmp(g->e[3].comp, "SMS_DISTRIBUTION_MANAGER") == 0 && g->e[3].thread == 2860 &&
	    strncmp(g->e[3].text, "DP upgrade", 10) == 0, "cb order: tabs, bare thread ID");
	ok(g->e[4].statmsg && g->e[4].sm.id == 3306, "cb order: STATMSG recognised after the columns");
	ok(g->e[4].known && g->e[4].utc == iso("2016-05-11T18:33:34Z"), "cb order: STATMSG time is its GMTDATE");
	is_int(g->e[5].sev, SMSLOG_SEV_ERROR, "cb order: severity from the text");
	ok(g->e[6].format == SMSLOG_FORMAT_PLAIN && strcmp(g->e[6].text, "Thread 4180 started") == 0,
	    "cb order: ordinary text stays plain");
	ok(g->e[7].format == SMSLOG_FORMAT_PLAIN, "cb order: a thread's decimal and hex must agree");
}

/* A "$$<...>" trailer cut short (a copy, a rollover): the text and what
 * the rest says are kept, and the entry says its trailer was cut. */
static void
test_cut_trailer(void)
{
	struct got *g = PARSE("~Processing incoming file E:\\SMS\\inboxes\\distmgr.box\\INCOMING\\RD5L85BW.PKG.  "
	    "$$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 9:12:03.417 2007 GMT Sta\n"
	    "~ExecStaticMethod failed (80041002) SMS_DistributionPoint, AddFile $$<SMS_PACKAGE_TRANSFER_MANAGER><06-14-2018 06:26:25.828-6\n"
	    "~Cannot update the package AUS0001B in the package source, error = 8  $$<SMS_DISTRIB\n"
	    "y  $$\n"
	    "z  $$<C><Thu Ja\n"
	    "w  $$<C><06-14-2018 06:26:2\n"
	    "a $$<C>x\n"
	    "copy to \\\\SRV\\ADMIN$\n"
	    "whole  $$<C><Thu Jan 04 9:12:03.417 2007 UTC><thread=1 (0x1)>\n");
	is_int((long long)g->n, 9, "cut trailer: nine entries");
	ok(g->e[0].cut, "cut trailer: said");
	is_str(g->e[0].text, "~Processing incoming file E:\\SMS\\inboxes\\distmgr.box\\INCOMING\\RD5L85BW.PKG.", "cut trailer: text before $$");
	is_str(g->e[0].comp, "SMS_DISTRIBUTION_MANAGER", "cut trailer: component");
	is_int(g->e[0].format, SMSLOG_FORMAT_SMS2003, "cut trailer: SMS 2003 by its date");
	is_str(g->e[0].local, "Thu Jan 04 9:12:03.417 2007", "cut trailer: local time as written");
	ok(g->e[0].utc == iso("2007-01-04T09:12:03Z") && !g->e[0].known, "cut trailer: local time, zone not trusted");
	ok(g->e[1].cut && g->e[1].format == SMSLOG_FORMAT_CM2007 && !g->e[1].known &&
	    g->e[1].utc == iso("2018-06-14T06:26:25Z"), "cut trailer: CM2007 bias cut: local time");
	is_int(g->e[1].sev, SMSLOG_SEV_ERROR, "cut trailer: severity from the text");
	ok(g->e[2].cut && g->e[2].comp[0] == '\0' && g->e[2].utc == 0 &&
	    strcmp(g->e[2].text, "~Cannot update the package AUS0001B in the package source, error = 8") == 0,
	    "cut trailer: cut inside the component: text only");
	ok(g->e[3].cut && strcmp(g->e[3].text, "y") == 0, "cut trailer: cut after $$");
	ok(g->e[4].cut && strcmp(g->e[4].comp, "C") == 0 && g->e[4].utc == 0, "cut trailer: cut inside the date");
	ok(g->e[5].cut && g->e[5].utc == 0, "cut trailer: a cut-off last field is not read");
	ok(!g->e[6].cut && g->e[6].format == SMSLOG_FORMAT_PLAIN && strcmp(g->e[6].text, "a $$<C>x") == 0,
	    "cut trailer: not a trailer at all stays plain");
	ok(!g->e[7].cut && strcmp(g->e[7].text, "copy to \\\\SRV\\ADMIN$") == 0, "cut trailer: one $ is text");
	ok(!g->e[8].cut && g->e[8].known, "cut trailer: a whole trailer is not cut");
	g = PARSE("x  $$<C><Thu Jan 04 9:12:03.417 2007 UTC><thread=1216 (0x4");
	ok(g->e[0].cut && g->e[0].known && g->e[0].utc == iso("2007-01-04T09:12:03Z") && g->e[0].thread == 1216 &&
	    strcmp(g->e[0].text, "x") == 0, "cut trailer: cut in the thread part: all the rest known");
}

/* STATMSG lines take their time from GMTDATE and lose the viewer columns. */
static void
test_statmsg_viewer(void)
{
	struct got *g = PARSE("STATMSG: ID=2300 SEV=I LEV=M SOURCE=\"SMS Server\" COMP=\"SMS_DISTRIBUTION_MANAGER\" "
	    "SYS=LCTOPAZCEN SITE=CEN PID=3808 TID=3612 GMTDATE=Mon Jun 07 23:23:16.472 2004 ISTR0=\"Lab 1 - Test package\" "
	    "ISTR1=\"CEN0000E\" NUMATTRS=1 AID0=400 AVAL0=\"CEN0000E\"\tSMS_DISTRIBUTION_MANAGER\t6/7/2004 4:23:16 PM\t3612 (0x0E1C)\n"
	    "STATMSG: ID=2301 SEV=I GMTDATE=Mon Jun 07 23:23:16.472 2004 ISTR0=\"x\"\tSMS_DISTRIBUTION_MANAGER\t07-06-2004 16:23:16\t3612 (0x0E1C)\n"
	    "STATMSG: ID=2302 SEV=I GMTDATE=Mon Jun 07 23:23:16.472 2004 ISTR0=\"x\" AVAL0=\"y\"\tSMS_DISTRIBUTION_MANAGER\t07.06.2004 4:23 nachm.\t3612 (0x0E1C)\n"
	    "STATMSG: ID=2303 SEV=I GMTDATE=Mon Jun  7 23:23:16.472 2004 ISTR0=\"x\"\tSMS_DISTRIBUTION_MANAGER\t6/7/2004 4:23:16 PM\t3612 (0x0E1C)\n"
	    "STATMSG: ID=2304 SEV=W SYS=X GMTDATE=Mon Jun 07 23:23:16.472 2004\tSMS_DISTRIBUTION_MANAGER\t6/7/2004 4:23:16 PM\t3612 (0x0E1C)\n");
	is_int((long long)g->n, 5, "statmsg copies: five entries");
	for (size_t i = 0; i < g->n; i++) {
		ok(g->e[i].statmsg && g->e[i].sm.id == 2300 + (int)i, "statmsg copy %zu: recognised", i);
		ok(g->e[i].known && g->e[i].utc == iso("2004-06-07T23:23:16Z") && g->e[i].ms == 472,
		    "statmsg copy %zu: time is GMTDATE, in UTC", i);
		ok(strchr(g->e[i].text, '\t') == NULL && strstr(g->e[i].text, "(0x0E1C)") == NULL,
		    "statmsg copy %zu: no viewer columns in the message", i);
		is_str(g->e[i].comp, "SMS_DISTRIBUTION_MANAGER", "statmsg copy %zu: component from the columns", i);
		is_int((long long)g->e[i].thread, 3612, "statmsg copy %zu: thread from the columns", i);
	}
	is_str(g->e[1].istr1, "", "statmsg copy: ISTR1 absent");
	ok(g->e[2].sm.nattr == 1 && strcmp(g->e[2].aval0, "y") == 0, "statmsg copy: last value ends at the tab");
	is_str(g->e[4].sys, "X", "statmsg copy: unquoted value ends at the tab");
	is_int(g->e[4].sev, SMSLOG_SEV_WARNING, "statmsg copy: SEV=W");
}

static void
test_phrases(void)
{
	static const struct {
		const char *text;
		enum smslog_severity sev;
	} cases[] = {
		{ "Failed to write to the output file, Win32 Error = 13", SMSLOG_SEV_ERROR },
		{ "~Cannot update the package AUS0001B in the package source, error = 8", SMSLOG_SEV_ERROR },
		{ "Error 32: The process cannot access the file", SMSLOG_SEV_ERROR },
		{ "I can't do it", SMSLOG_SEV_ERROR },
		{ "Could not open", SMSLOG_SEV_ERROR },
		{ "Access is denied", SMSLOG_SEV_ERROR },
		{ "~Package AUS0001B requires a newer version (2) of source files and the new compressed files hasn't arrived yet", SMSLOG_SEV_WARNING },
		{ "requires a newer version (3) ... haven't arrived yet, current version is 1", SMSLOG_SEV_WARNING },
		{ "~The contents for the package hasn't arrived from site CS1 yet, will retry later.", SMSLOG_SEV_WARNING },
		{ "Start adding package SR30002F...", SMSLOG_SEV_INFO },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct got *g = parse(cases[i].text, strlen(cases[i].text), NULL);
		ok(g->n == 1 && g->e[0].sev == cases[i].sev && g->e[0].format == SMSLOG_FORMAT_PLAIN,
		    "phrase: \"%.40s\" is %s", cases[i].text, smslog_severity_name(cases[i].sev));
	}
}

/* The phrase scan looks at sixteen bytes at a time: every phrase at every
 * offset (across a block's end, as the text's last bytes, in capitals),
 * among letters that start phrases but none of the phrases' first pairs. */
static void
test_phrase_offsets(void)
{
	static const struct { const char *ph; enum smslog_severity sev; } cases[] = {
		{ "access is denied", SMSLOG_SEV_ERROR }, { "CANNOT", SMSLOG_SEV_ERROR },
		{ "can't", SMSLOG_SEV_ERROR }, { "Could Not", SMSLOG_SEV_ERROR },
		{ "error", SMSLOG_SEV_ERROR }, { "FAILED", SMSLOG_SEV_ERROR },
		{ "haven't arrived yet", SMSLOG_SEV_WARNING }, { "hasn't arrived", SMSLOG_SEV_WARNING },
		{ "will retry", SMSLOG_SEV_WARNING }, { "erro", SMSLOG_SEV_INFO },
	};
	static const char filler[] = "aeefcchhww wafe ec A E F H W cx ab ex fo hi wa ";
	bool all = true;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (size_t at = 0; at < 40; at++) {
			for (int tail = 0; tail < 2; tail++) {
				char text[128];
				int n = snprintf(text, sizeof text, "%.*s%s%s", (int)at, filler, cases[i].ph,
				    tail ? " x" : "");
				struct got *g = parse(text, (size_t)n, NULL);
				if (g->n != 1 || g->e[0].sev != cases[i].sev) {
					all = false;
					printf("# \"%s\" read as %s\n", text, g->n ? smslog_severity_name(g->e[0].sev) : "none");
				}
			}
		}
	}
	ok(all, "phrase: found at every offset, at the end or not, and \"erro\" is not \"error\"");
	static const char decoys[] = "ac ca co er fa ha wi AC CA CO ER FA HA WI acc cab cod era fab hat win x";
	struct got *g = parse(decoys, strlen(decoys), NULL);
	ok(g->n == 1 && g->e[0].sev == SMSLOG_SEV_INFO, "phrase: first letters alone are not phrases");
}

/* A viewer line's thread "(0x...)" wherever the '(' falls, with blanks
 * after it, and lines that only look like it. */
static void
test_viewer_tid(void)
{
	static const struct { const char *line; bool viewer; unsigned long tid; } cases[] = {
		{ "Done\tSMS_DISTRIBUTION_MANAGER\t1/4/2007 9:12:03 AM\t2744 (0x0AB8)", true, 2744 },
		{ "Done\tSMS_DISTRIBUTION_MANAGER\t1/4/2007 9:12:03 AM\t2744 (0x0AB8)  \t ", true, 2744 },
		{ "(x) Done SMS_DISTRIBUTION_MANAGER 1/4/2007 9:12:03 AM 12 (0xC)", true, 12 },
		{ "Done SMS_DISTRIBUTION_MANAGER 1/4/2007 9:12:03 AM 12 (0xC", false, 0 },
		{ "Done SMS_DISTRIBUTION_MANAGER 1/4/2007 9:12:03 AM 12 (0y)", false, 0 },
		{ " (0x", false, 0 },
		{ ")", false, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct got *g = parse(cases[i].line, strlen(cases[i].line), NULL);
		ok(g->n == 1 && (g->e[0].format == SMSLOG_FORMAT_VIEWER) == cases[i].viewer &&
		    (!cases[i].viewer || g->e[0].thread == cases[i].tid),
		    "viewer thread: \"%.50s\" %s", cases[i].line, cases[i].viewer ? "read" : "plain");
	}
}

static void
test_hostile(void)
{
	static const char nul[] = "a\0b  $$<C><Thu Jan 04 9:12:03.417 2007 UTC><thread=1 (0x1)>\n\0\0\0\n$$<\n$$<x><\n<![LOG[\n]LOG]!>\n\xff\xfe\xc3(\n";
	struct got *g = parse(nul, sizeof nul - 1, NULL);
	ok(g->n == 6, "hostile: NUL bytes and garbage lines all delivered (%zu)", g->n);
	is_int(g->e[0].format, SMSLOG_FORMAT_SMS2003, "hostile: NUL inside text keeps the trailer");
	is_int((long long)g->e[0].textlen, 3, "hostile: text length counts the NUL");
	size_t big = (size_t)10 << 20;
	char *huge = malloc(big);
	memset(huge, 'A', big);
	memcpy(huge + big - 9, "009000B7\n", 9);
	g = parse(huge, big, NULL);
	ok(g->n == 1 && g->e[0].textlen == big - 1, "hostile: 10 MB line in a buffer parses");
	g = parse(huge, big, "009000B7");
	ok(g->n == 1, "hostile: 10 MB line, package filter");
	g = parse("", 0, NULL);
	is_int((long long)g->n, 0, "hostile: empty input");
	g = PARSE("\r\n\n");
	is_int((long long)g->n, 2, "hostile: blank lines are (empty) entries");
	/* the file reader cuts a huge line at 1 MiB and goes on after it */
	char path[] = "/tmp/smslogXXXXXX";
	int fd = mkstemp(path);
	huge[big - 1] = '\n';
	ok(fd >= 0 && write(fd, huge, big) == (ssize_t)big && write(fd, "after\n", 6) == 6, "hostile: wrote a 10 MB line");
	close(fd);
	static struct got g2;
	memset(&g2, 0, sizeof g2);
	char *err = NULL;
	int rc = smslog_read_file(path, NULL, collect, &g2, &err);
	ok(rc == 0 && g2.n == 2 && g2.e[0].textlen == (size_t)1 << 20, "hostile: file reader cuts the line at 1 MiB");
	ok(g2.n == 2 && strcmp(g2.e[1].text, "after") == 0 && g2.e[1].lineno == 2, "hostile: and reads the next line");
	unlink(path);
	free(huge);
}

static void
write_file(const char *path, const char *text, const char *mode)
{
	FILE *f = fopen(path, mode);
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
test_files(void)
{
	char dir[] = "/tmp/smslogdXXXXXX";
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	char log[128], lo[128];
	snprintf(log, sizeof log, "%s/distmgr.log", dir);
	snprintf(lo, sizeof lo, "%s/distmgr.lo_", dir);
	write_file(lo, "old one 009000B7\nold two\n", "w");
	write_file(log, "new one\nnew two 009000B7\r\nnew three", "w");
	static struct got g;
	memset(&g, 0, sizeof g);
	char *err = NULL;
	int rc = smslog_read_file(log, NULL, collect, &g, &err);
	ok(rc == 0 && g.n == 5, "rollover: five entries");
	ok(strcmp(g.e[0].text, "old one 009000B7") == 0 && strcmp(g.e[2].text, "new one") == 0, "rollover: .lo_ first");
	ok(strcmp(g.e[0].file, lo) == 0 && strcmp(g.e[4].file, log) == 0, "rollover: file names");
	ok(g.e[4].truncated && !g.e[3].truncated, "rollover: truncated last line");
	memset(&g, 0, sizeof g);
	rc = smslog_read_file(log, "009000B7", collect, &g, &err);
	ok(rc == 0 && g.n == 2 && g.e[1].lineno == 2 && g.e[1].offset == 8, "package filter on files: lines and offsets");
	char missing[160];
	snprintf(missing, sizeof missing, "%s/nope.log", dir);
	rc = smslog_read_file(missing, NULL, collect, &g, &err);
	ok(rc == -1 && err && strstr(err, missing) && strstr(err, "No such file"), "missing file: error names it");
	free(err);
	err = NULL;
	rc = smslog_read_file(dir, NULL, collect, &g, &err);
	ok(rc == -1 && err && strstr(err, "directory"), "a directory: error");
	free(err);
	err = NULL;

	/* A day-first date in the .lo_ makes the .log's ambiguous dates
	 * day-first too: one log, two files. */
	write_file(lo, "old\tSMS_DISTRIBUTION_MANAGER\t13-04-2010 08:00:00\t1 (0x1)\n", "w");
	write_file(log, "new\tSMS_DISTRIBUTION_MANAGER\t05-04-2010 09:00:00\t1 (0x1)\n", "w");
	memset(&g, 0, sizeof g);
	rc = smslog_read_file(log, NULL, collect, &g, &err);
	ok(rc == 0 && g.n == 2 && g.e[1].utc == iso("2010-04-05T09:00:00Z"), "rollover: the .lo_ proves the .log day-first");
	/* and so does what an earlier poll of the tail read */
	unlink(lo);
	write_file(log, "a\tSMS_DISTRIBUTION_MANAGER\t13-04-2010 08:00:00\t1 (0x1)\n", "w");
	struct smslog_tail *dt = smslog_tail_open(log, NULL);
	memset(&g, 0, sizeof g);
	long dn = smslog_tail_poll(dt, collect, &g, &err);
	write_file(log, "b\tSMS_DISTRIBUTION_MANAGER\t05-04-2010 09:00:00\t1 (0x1)\n", "a");
	memset(&g, 0, sizeof g);
	dn += smslog_tail_poll(dt, collect, &g, &err);
	ok(dn == 2 && g.n == 1 && g.e[0].utc == iso("2010-04-05T09:00:00Z"), "tail: an earlier poll proves the file day-first");
	smslog_tail_close(dt);

	/* tail */
	unlink(lo);
	write_file(log, "a1\na2\npart", "w");
	struct smslog_tail *t = smslog_tail_open(log, NULL);
	memset(&g, 0, sizeof g);
	long n = smslog_tail_poll(t, collect, &g, &err);
	is_int(n, 2, "tail: first poll delivers complete lines only");
	write_file(log, "ial\na3\n", "a");
	memset(&g, 0, sizeof g);
	n = smslog_tail_poll(t, collect, &g, &err);
	ok(n == 2 && strcmp(g.e[0].text, "partial") == 0 && g.e[0].lineno == 3, "tail: append finishes the partial line");
	n = smslog_tail_poll(t, collect, &g, &err);
	is_int(n, 0, "tail: nothing new");
	write_file(log, "b1\n", "w");
	memset(&g, 0, sizeof g);
	n = smslog_tail_poll(t, collect, &g, &err);
	ok(n == 1 && strcmp(g.e[0].text, "b1") == 0, "tail: truncation starts again from 0");
	write_file(log, "b2\n", "a");
	if (rename(log, lo) != 0)
		ok(0, "rename");
	write_file(lo, "b3\n", "a");
	write_file(log, "c1\n", "w");
	memset(&g, 0, sizeof g);
	n = smslog_tail_poll(t, collect, &g, &err);
	ok(n == 3 && strcmp(g.e[0].text, "b2") == 0 && strcmp(g.e[1].text, "b3") == 0 &&
	    strcmp(g.e[2].text, "c1") == 0, "tail: rotation finishes the old file, then reads the new");
	ok(n == 3 && strcmp(g.e[0].file, lo) == 0 && strcmp(g.e[2].file, log) == 0, "tail: rotated entries name the .lo_");
	smslog_tail_close(t);
	t = smslog_tail_open(missing, NULL);
	ok(smslog_tail_poll(t, collect, &g, &err) == -1 && err != NULL, "tail: missing file is an error");
	free(err);
	smslog_tail_close(t);
	unlink(log);
	unlink(lo);
	rmdir(dir);
}

/* The filter must give exactly what parsing everything and keeping the
 * entries whose text holds the package gives. */
static void
test_filter(void)
{
	static const char text[] =
	    "Start adding package 009000B7...  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 9:12:03.417 2007 GMT Standard Time><thread=1 (0x1)>\r\n"
	    "other 009000B8  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 9:12:03.417 2007 GMT Standard Time><thread=1 (0x1)>\r\n"
	    "<![LOG[multi\nline with 009000B7 inside\nend]LOG]!><time=\"08:00:01.250-60\" date=\"07-01-2010\" component=\"C\" type=\"1\" thread=\"1\">\n"
	    "only in the trailer  $$<009000B7><Thu Jan 04 9:12:03.417 2007 GMT Standard Time><thread=1 (0x1)>\n"
	    "<![LOG[multi\nnot here\nend]LOG]!><time=\"08:00:01.250-60\" date=\"07-01-2010\" component=\"009000B7\" type=\"1\" thread=\"1\">\n"
	    "last 009000B7";
	struct got *g = parse(text, sizeof text - 1, "009000B7");
	ok(g->n == 3, "filter: three entries mention the package (%zu)", g->n);
	ok(g->n == 3 && g->e[1].format == SMSLOG_FORMAT_CMTRACE && g->e[1].lineno == 3,
	    "filter: a multi-line CMTrace entry found from its middle line");
	ok(g->n == 3 && g->e[2].truncated && g->e[2].lineno == 10, "filter: last line, line number counted");
	static const char open_start[] = "<![LOG[start 009000B7\nnext 009000B7\n";
	g = parse(open_start, sizeof open_start - 1, "009000B7");
	ok(g->n == 2 && strcmp(g->e[1].text, "next 009000B7") == 0,
	    "filter: an unterminated CMTrace start is not delivered twice");
	g = parse(text, sizeof text - 1, "ZZZ00000");
	is_int((long long)g->n, 0, "filter: nothing matches");
}

/* Truncates the file it is given on its first entry, as a log cleared
 * while it is read. */
static int
shrink_cb(const struct smslog_entry *e, void *arg)
{
	(void)e;
	const char *path = arg;
	if (path != NULL && truncate(path, 0) != 0)
		return 1;
	return 0;
}

/* A file read through a mapping that shrinks under it: an error naming
 * it, not a SIGBUS. */
static void
test_shrink(void)
{
	char path[] = "/tmp/smslogsXXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		ok(0, "mkstemp");
		return;
	}
	static char line[] = "a line of the log, 009000B7, long enough to fill the pages  $$<C><Thu Jan 04 9:12:03.417 2007 GMT Standard Time><thread=1 (0x1)>\n";
	bool wrote = true;
	for (int i = 0; i < 20000 && wrote; i++)
		wrote = write(fd, line, sizeof line - 1) == (ssize_t)(sizeof line - 1);
	close(fd);
	ok(wrote, "shrink: the file is written");
	char *err = NULL;
	int rc = smslog_read_file(path, NULL, shrink_cb, path, &err);
	ok(rc == -1 && err != NULL && strstr(err, "shrank") != NULL && strstr(err, path) != NULL,
	    "shrink: a file cut short while read is an error (%s)", err ? err : "none");
	free(err);
	unlink(path);
}

static volatile char touched;

static void
touch_page(void *arg)
{
	touched = *(volatile const char *)arg;
}

/* What the parallel reader's threads run their reads of the mapping in:
 * a SIGBUS from a file cut short comes back as -1. */
static void
test_guarded(void)
{
	char path[] = "/tmp/smsloggXXXXXX";
	int fd = mkstemp(path);
	char page[8192];
	memset(page, 'x', sizeof page);
	bool made = fd >= 0 && write(fd, page, sizeof page) == (ssize_t)sizeof page;
	char *m = made ? mmap(NULL, sizeof page, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	ok(m != MAP_FAILED, "guarded: a file mapped");
	if (m != MAP_FAILED) {
		is_int(smslog_guarded(touch_page, m + 4096), 0, "guarded: a read of the mapping");
		ok(ftruncate(fd, 0) == 0, "guarded: the file cut short");
		is_int(smslog_guarded(touch_page, m + 4096), -1, "guarded: the SIGBUS of a read past its end comes back");
		munmap(m, sizeof page);
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
}

/* Blocks for a parse on several threads: cut only where an entry surely
 * starts, and parsed with the offset and line number they start at. */
static void
test_blocks(void)
{
	uint64_t open_at = UINT64_MAX;
	static const char plain[] = "a  $$<C><Thu Jan 04 9:12:03.417 2007 GMT Standard Time><thread=1 (0x1)>\nb\nc";
	is_int((long long)smslog_block_cut("no line end", 11, 0, &open_at), 0, "block cut: no line end, no cut");
	is_int((long long)smslog_block_cut(plain, sizeof plain - 1, 0, &open_at), (long long)(sizeof plain - 2),
	    "block cut: after the last line end");
	ok(open_at == UINT64_MAX, "block cut: no CMTrace start seen");
	static const char open[] = "x\n<![LOG[first\nsecond\nthird\n";
	is_int((long long)smslog_block_cut(open, sizeof open - 1, 1000, &open_at), 0,
	    "block cut: not inside a CMTrace entry still open");
	is_int((long long)open_at, 1002, "block cut: where the CMTrace start is");
	static const char closed[] = "<![LOG[first\nend]LOG]!><time=\"1\">\nplain\nmore\n";
	open_at = UINT64_MAX;
	is_int((long long)smslog_block_cut(closed, sizeof closed - 1, 0, &open_at),
	    (long long)(strstr(closed, "plain") - closed),
	    "block cut: after the line that closes the entry");
	open_at = 5;
	is_int((long long)smslog_block_cut(plain, sizeof plain - 1, ((uint64_t)2 << 20), &open_at),
	    (long long)(sizeof plain - 2), "block cut: a CMTrace start far enough before is no matter");

	static const char two[] = "first\n<![LOG[multi\nline]LOG]!><time=\"10:00:00.000+000\" date=\"01-04-2007\" "
	    "component=\"C\" type=\"1\" thread=\"7\">\nlast\n";
	static struct got g;
	int order = 0;
	bool guessed = true;
	smslog_parse_block(two, sizeof two - 1, 500, 41, "t.log", &order, &guessed, collect, &g);
	ok(g.n == 3 && g.e[0].offset == 500 && g.e[0].lineno == 41, "block: offset and line of its start");
	ok(g.n == 3 && g.e[1].lineno == 42 && g.e[2].lineno == 44 && g.e[2].offset == 500 + (uint64_t)(strstr(two, "last") - two),
	    "block: line numbers counted on from there, a multi-line entry whole");
	ok(!guessed && order == 0, "block: no date order guessed or learned");
	static const char amb[] = "copy\tC\t03-04-2010 9:12:03 AM\t5764 (0x1684)\n";
	memset(&g, 0, sizeof g);
	smslog_parse_block(amb, sizeof amb - 1, 0, 1, "t.log", &order, &guessed, collect, &g);
	ok(g.n == 1 && guessed, "block: an ambiguous date read on a guess is told");
	order = 0;
	static const char dmy[] = "copy\tC\t29-01-2010 9:12:03 AM\t5764 (0x1684)\n";
	smslog_parse_block(dmy, sizeof dmy - 1, 0, 1, "t.log", &order, &guessed, collect, &g);
	ok(!guessed && order != 0, "block: a date order learned is handed on");
}

int
main(void)
{
	test_sms2003();
	test_zones();
	test_cm2007();
	test_cmtrace();
	test_viewer();
	test_statmsg();
	test_dayfirst();
	test_cb_order();
	test_cut_trailer();
	test_statmsg_viewer();
	test_phrases();
	test_phrase_offsets();
	test_viewer_tid();
	test_hostile();
	test_files();
	test_filter();
	test_blocks();
	test_shrink();
	test_guarded();
	is_str(smslog_format_name(SMSLOG_FORMAT_VIEWER), "viewer", "format names");
	is_str(smslog_severity_name(SMSLOG_SEV_WARNING), "warning", "severity names");
	return done_testing();
}
