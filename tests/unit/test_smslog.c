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
		bool known, truncated, statmsg;
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

int
main(void)
{
	test_sms2003();
	test_zones();
	test_cm2007();
	test_cmtrace();
	test_viewer();
	test_statmsg();
	test_phrases();
	test_hostile();
	test_files();
	test_filter();
	is_str(smslog_format_name(SMSLOG_FORMAT_VIEWER), "viewer", "format names");
	is_str(smslog_severity_name(SMSLOG_SEV_WARNING), "warning", "severity names");
	return done_testing();
}
