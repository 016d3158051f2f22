/*
 * One SMS/ConfigMgr log entry, whatever its shape: the SMS 2003 trailer
 * "$$<COMP><Thu Jan 04 9:12:03.417 2007 Zone Name><thread=N (0xH)>", the
 * ConfigMgr 2007+ trailer with "MM-DD-YYYY HH:MM:SS.mmm+BIAS" (either one
 * cut short), CMTrace "<![LOG[...]LOG]!><time=... date=...>" entries,
 * trace-viewer copies (text, component, local date and time in the
 * locale's order, "tid (0xhex)"), current-branch copies (component, tid,
 * text) and the STATMSG: lines inside any of them.  Times become UTC
 * through the bias, GMTDATE or a table of Windows zone names with their
 * daylight-saving rules; severities come from CMTrace's type, STATMSG's
 * SEV, or a small phrase table.  The input is untrusted: every read is
 * bounded by the slice's length.
 */
#include "autoconf.h"
#include "backend/sms/smslog_int.h"
#include "backend/core/winzone.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <string.h>


struct zone {
	const char *name;
	size_t len;
	int std_min;            /* standard offset east of UTC, minutes */
	enum winzone_dst rule;
	bool daylight;          /* the name itself says daylight time */
};

#define Z(n, off, rule, dl) { n, sizeof n - 1, off, rule, dl }
static const struct zone zones[] = {
	Z("GMT Standard Time", 0, WINZONE_DST_EU, false),
	Z("GMT Daylight Time", 0, WINZONE_DST_EU, true),
	Z("Greenwich Standard Time", 0, WINZONE_DST_NONE, false),
	Z("W. Europe Standard Time", 60, WINZONE_DST_EU, false),
	Z("W. Europe Daylight Time", 60, WINZONE_DST_EU, true),
	Z("Central Europe Standard Time", 60, WINZONE_DST_EU, false),
	Z("Central Europe Daylight Time", 60, WINZONE_DST_EU, true),
	Z("Central European Standard Time", 60, WINZONE_DST_EU, false),
	Z("Central European Daylight Time", 60, WINZONE_DST_EU, true),
	Z("Romance Standard Time", 60, WINZONE_DST_EU, false),
	Z("Romance Daylight Time", 60, WINZONE_DST_EU, true),
	Z("GTB Standard Time", 120, WINZONE_DST_EU, false),
	Z("GTB Daylight Time", 120, WINZONE_DST_EU, true),
	Z("Eastern Standard Time", -300, WINZONE_DST_US, false),
	Z("Eastern Daylight Time", -300, WINZONE_DST_US, true),
	Z("Central Standard Time", -360, WINZONE_DST_US, false),
	Z("Central Daylight Time", -360, WINZONE_DST_US, true),
	Z("Mountain Standard Time", -420, WINZONE_DST_US, false),
	Z("Mountain Daylight Time", -420, WINZONE_DST_US, true),
	Z("Pacific Standard Time", -480, WINZONE_DST_US, false),
	Z("Pacific Daylight Time", -480, WINZONE_DST_US, true),
	Z("AUS Eastern Standard Time", 600, WINZONE_DST_AU, false),
	Z("AUS Eastern Daylight Time", 600, WINZONE_DST_AU, true),
	Z("Tokyo Standard Time", 540, WINZONE_DST_NONE, false),
	Z("India Standard Time", 330, WINZONE_DST_NONE, false),
	Z("China Standard Time", 480, WINZONE_DST_NONE, false),
	Z("UTC", 0, WINZONE_DST_NONE, false),
	Z("Coordinated Universal Time", 0, WINZONE_DST_NONE, false),
	Z("GMT", 0, WINZONE_DST_NONE, false),
};
#undef Z

/* Phrases that raise an entry's severity (matched case-insensitively),
 * lower case, grouped by first letter for phrase_first[]. */
static const struct {
	const char *text;
	size_t len;
	enum smslog_severity sev;
} phrases[] = {
#define P(t, s) { t, sizeof t - 1, s }
	P("access is denied", SMSLOG_SEV_ERROR),          /* 0: a */
	P("cannot", SMSLOG_SEV_ERROR),                    /* 1: c */
	P("can't", SMSLOG_SEV_ERROR),
	P("could not", SMSLOG_SEV_ERROR),
	P("error", SMSLOG_SEV_ERROR),                     /* 4: e */
	P("failed", SMSLOG_SEV_ERROR),                    /* 5: f */
	P("haven't arrived yet", SMSLOG_SEV_WARNING),     /* 6: h */
	P("hasn't arrived", SMSLOG_SEV_WARNING),
	P("will retry", SMSLOG_SEV_WARNING),              /* 8: w */
#undef P
};
#define NPHRASES (sizeof phrases / sizeof phrases[0])

static const char *const month_names[] = { "jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec" };

static inline unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

struct civil {
	int y, mon, d, h, min, s, ms;
};


/* Whether daylight-saving time is in force at UTC second t, and the span
 * [*lo, *hi) around t where that answer holds. */
static bool
zone_dst_span(const struct zone *z, int64_t t, int64_t *lo, int64_t *hi)
{
	return winzone_dst_span(z->rule, z->std_min, t, lo, hi);
}

/* zone_dst_span() through a one-span cache: log lines come in time order. */
static bool
zone_dst_at(const struct zone *z, int64_t t, struct smslog_scratch *sc)
{
	if (sc->dst_zone == z && t >= sc->dst_lo && t < sc->dst_hi)
		return sc->dst;
	sc->dst = zone_dst_span(z, t, &sc->dst_lo, &sc->dst_hi);
	sc->dst_zone = z;
	return sc->dst;
}

static const struct zone *
zone_find(const char *p, size_t n, struct smslog_scratch *sc)
{
	const struct zone *last = sc->zone;
	if (last != NULL && last->len == n && memcmp(last->name, p, n) == 0)
		return last;
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
		if (zones[i].len == n && strncasecmp(zones[i].name, p, n) == 0)
			return sc->zone = &zones[i];
	return NULL;
}

static bool
civil_valid(const struct civil *c)
{
	return c->y >= 1601 && c->y <= 9999 && c->mon >= 1 && c->mon <= 12 &&
	    c->d >= 1 && c->d <= 31 && c->h >= 0 && c->h <= 23 && c->min >= 0 &&
	    c->min <= 59 && c->s >= 0 && c->s <= 60;
}

static int64_t
civil_seconds(const struct civil *c)
{
	return time_days_from_civil(c->y, c->mon, c->d) * 86400 + c->h * 3600 + c->min * 60 + c->s;
}

/* Set e's time from a local civil time and the UTC offset (east, minutes). */
static void
set_time(struct smslog_entry *e, const struct civil *c, bool known, int east_min)
{
	if (!civil_valid(c))
		return;
	e->utc = civil_seconds(c) - (known ? (int64_t)east_min * 60 : 0);
	e->ms = c->ms;
	e->utc_known = known;
	if (e->utc == 0)
		e->utc = 1; /* 0 means unknown; a second off is harmless */
}

static void
set_time_zone(struct smslog_entry *e, const struct civil *c, const char *zp, size_t zn,
    struct smslog_scratch *sc)
{
	const struct zone *z = zone_find(zp, zn, sc);
	if (z == NULL || !civil_valid(c)) {
		set_time(e, c, false, 0);
		return;
	}
	int east = z->std_min;
	if (z->daylight) {
		east += 60;
	} else if (z->rule != WINZONE_DST_NONE) {
		int64_t us = civil_seconds(c) - (int64_t)z->std_min * 60;
		/* Daylight only when both readings agree: in the repeated
		 * autumn hour the name "Standard" wins. */
		if (zone_dst_at(z, us - 3600, sc) && zone_dst_at(z, us, sc))
			east += 60;
	}
	set_time(e, c, true, east);
}

/* Read 1..maxd decimal digits. */
static bool
num(const char **s, const char *end, int maxd, int *out)
{
	const char *p = *s;
	int v = 0, d = 0;
	while (p < end && d < maxd && *p >= '0' && *p <= '9') {
		v = v * 10 + (*p++ - '0');
		d++;
	}
	if (d == 0)
		return false;
	*out = v;
	*s = p;
	return true;
}

static bool
lit(const char **s, const char *end, char c)
{
	if (*s < end && **s == c) {
		(*s)++;
		return true;
	}
	return false;
}

/* "H:MM:SS[.mmm]" */
static bool
parse_clock(const char **s, const char *end, struct civil *c)
{
	if (!num(s, end, 2, &c->h) || !lit(s, end, ':') || !num(s, end, 2, &c->min) ||
	    !lit(s, end, ':') || !num(s, end, 2, &c->s))
		return false;
	c->ms = 0;
	if (lit(s, end, '.')) {
		const char *p0 = *s;
		if (!num(s, end, 3, &c->ms))
			return false;
		for (ptrdiff_t k = *s - p0; k < 3; k++)
			c->ms *= 10;
	}
	return true;
}

/* "Thu Jan 04 9:12:03.417 2007": returns the end of the year or NULL. */
static const char *
parse_sms_date(const char *s, const char *end, struct civil *c)
{
	if (end - s < 8 || s[3] != ' ')
		return NULL;
	s += 4;
	c->mon = 0;
	for (int m = 0; m < 12 && c->mon == 0; m++)
		if (lower((unsigned char)s[0]) == month_names[m][0] &&
		    lower((unsigned char)s[1]) == month_names[m][1] &&
		    lower((unsigned char)s[2]) == month_names[m][2])
			c->mon = m + 1;
	if (c->mon == 0 || s[3] != ' ')
		return NULL;
	s += 4;
	lit(&s, end, ' ');
	if (!num(&s, end, 2, &c->d) || !lit(&s, end, ' ') || !parse_clock(&s, end, c) ||
	    !lit(&s, end, ' ') || !num(&s, end, 4, &c->y))
		return NULL;
	return s;
}

/* "MM-DD-YYYY HH:MM:SS.mmm" */
static const char *
parse_cm_date(const char *s, const char *end, struct civil *c)
{
	if (!num(&s, end, 2, &c->mon) || !lit(&s, end, '-') || !num(&s, end, 2, &c->d) ||
	    !lit(&s, end, '-') || !num(&s, end, 4, &c->y) || !lit(&s, end, ' ') ||
	    !parse_clock(&s, end, c))
		return NULL;
	return s;
}

/* "+000", "-60": UTC = local + bias, so the offset east is -bias. */
static bool
parse_bias(const char *s, const char *end, int *east)
{
	bool neg = s < end && *s == '-';
	if (s < end && (*s == '+' || *s == '-'))
		s++;
	int v;
	if (!num(&s, end, 4, &v) || s != end || v > 1440)
		return false;
	*east = neg ? v : -v;
	return true;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static const char *
find_char(const char *s, const char *end, char c)
{
	return s < end ? memchr(s, c, (size_t)(end - s)) : NULL;
}

/* "<thread=2136 (0x858)>": false when it is cut short (or missing). */
static bool
parse_thread(const char *s, const char *end, struct smslog_entry *e)
{
	if (end - s <= 8 || memcmp(s, "<thread=", 8) != 0)
		return false;
	s += 8;
	unsigned long v = 0;
	while (s < end && *s >= '0' && *s <= '9' && v < 100000000000UL)
		v = v * 10 + (unsigned long)(*s++ - '0');
	e->thread = v;
	while (end > s && is_space(end[-1]))
		end--;
	return end > s && end[-1] == '>';
}

/* The trailer after "$$": "<COMP><date zone><thread=N (0xH)>".  Only the
 * thread part may be cut short here (trailer_cut says so); e is left as
 * it was when the rest is not a trailer. */
static bool
parse_trailer(const char *s, const char *end, struct smslog_entry *e, struct smslog_scratch *sc)
{
	if (!lit(&s, end, '<'))
		return false;
	const char *ce = find_char(s, end, '>');
	if (ce == NULL || ce + 1 >= end || ce[1] != '<')
		return false;
	struct smslog_str comp = { s, (size_t)(ce - s) };
	s = ce + 2;
	const char *de = find_char(s, end, '>');
	if (de == NULL)
		return false;
	struct civil c;
	const char *le;
	if ((le = parse_sms_date(s, de, &c)) != NULL) {
		e->format = SMSLOG_FORMAT_SMS2003;
		e->local = (struct smslog_str){ s, (size_t)(le - s) };
		if (le < de && *le == ' ')
			le++;
		e->zone = (struct smslog_str){ le, (size_t)(de - le) };
		set_time_zone(e, &c, le, (size_t)(de - le), sc);
	} else if ((le = parse_cm_date(s, de, &c)) != NULL) {
		int east = 0;
		e->format = SMSLOG_FORMAT_CM2007;
		e->local = (struct smslog_str){ s, (size_t)(le - s) };
		e->zone = (struct smslog_str){ le, (size_t)(de - le) };
		bool known = parse_bias(le, de, &east);
		set_time(e, &c, known, east);
	} else {
		return false;
	}
	e->component = comp;
	e->trailer_cut = !parse_thread(de + 1, end, e);
	return true;
}

/* key="value" inside a CMTrace attribute block. */
static bool
attr(const char *s, const char *end, const char *key, struct smslog_str *out)
{
	size_t kl = strlen(key);
	for (const char *p = s; p + kl + 2 <= end; p++) {
		p = memmem(p, (size_t)(end - p), key, kl);
		if (p == NULL || p + kl + 2 > end)
			return false;
		if ((p == s || p[-1] == ' ' || p[-1] == '<') && p[kl] == '=' && p[kl + 1] == '"') {
			const char *v = p + kl + 2;
			const char *q = find_char(v, end, '"');
			if (q == NULL)
				q = end;
			*out = (struct smslog_str){ v, (size_t)(q - v) };
			return true;
		}
	}
	return false;
}

static void
parse_cmtrace(const char *p, size_t n, const char *term, struct smslog_entry *e,
    struct smslog_scratch *sc)
{
	const char *end = p + n;
	e->format = SMSLOG_FORMAT_CMTRACE;
	e->text = (struct smslog_str){ p + 7, (size_t)(term - (p + 7)) };
	const char *a = term + 7;
	struct smslog_str tm = {0}, dt = {0}, v = {0};
	attr(a, end, "component", &e->component);
	if (attr(a, end, "thread", &v)) {
		const char *s = v.p;
		int t;
		if (num(&s, v.p + v.n, 9, &t))
			e->thread = (unsigned long)t;
	}
	if (attr(a, end, "type", &v) && v.n == 1 && v.p[0] >= '1' && v.p[0] <= '3')
		e->severity = (enum smslog_severity)(v.p[0] - '1');
	if (!attr(a, end, "time", &tm) || !attr(a, end, "date", &dt))
		return;
	size_t tl = tm.n, dl = dt.n;
	const char *bias = tm.p;
	struct civil c;
	const char *ts = tm.p, *te = tm.p + tm.n, *ds = dt.p, *de = dt.p + dt.n;
	if (!parse_clock(&ts, te, &c))
		return;
	bias = ts;
	if (!num(&ds, de, 2, &c.mon) || !lit(&ds, de, '-') || !num(&ds, de, 2, &c.d) ||
	    !lit(&ds, de, '-') || !num(&ds, de, 4, &c.y))
		return;
	tl = (size_t)(bias - tm.p);
	if (dl + 1 + tl < sizeof sc->local) {
		memcpy(sc->local, dt.p, dl);
		sc->local[dl] = ' ';
		memcpy(sc->local + dl + 1, tm.p, tl);
		e->local = (struct smslog_str){ sc->local, dl + 1 + tl };
	}
	e->zone = (struct smslog_str){ bias, (size_t)(te - bias) };
	int east = 0;
	bool known = parse_bias(bias, te, &east);
	set_time(e, &c, known, east);
}

/* Step back over blanks, then over one token; returns the token start. */
static const char *
token_back(const char *s, const char **end)
{
	const char *e = *end;
	while (e > s && is_space(e[-1]))
		e--;
	/* The token starts after the last blank before e: the last space,
	 * then a tab after it (memrchr, not a test per byte of the word). */
	const char *sp = e > s ? memrchr(s, ' ', (size_t)(e - s)) : NULL;
	const char *from = sp != NULL ? sp + 1 : s;
	const char *tab = e > from ? memrchr(from, '\t', (size_t)(e - from)) : NULL;
	*end = e;
	return tab != NULL ? tab + 1 : from;
}

/* A viewer's numeric date as its locale prints it: "M/D/YYYY",
 * "DD-MM-YYYY", "DD.MM.YYYY" ('/', '-' or '.' both times) or "YYYY-MM-DD".
 * *proof is the order the date itself shows (a first number above 12 is a
 * day, a second one above 12 is too), or UNKNOWN when both readings are
 * dates; then the file's order decides, month-first while it is unknown. */
static bool
parse_num_date(const char *s, const char *end, struct civil *c, const struct smslog_scratch *sc,
    int *proof, bool *guessed)
{
	const char *p = s;
	int a, b;
	*proof = SMSLOG_ORDER_UNKNOWN;
	*guessed = false;
	if (!num(&p, end, 4, &a) || p == end || (*p != '/' && *p != '-' && *p != '.'))
		return false;
	char sep = *p++;
	if (p - s == 5) { /* "YYYY-MM-DD" */
		c->y = a;
		return num(&p, end, 2, &c->mon) && lit(&p, end, sep) && num(&p, end, 2, &c->d) &&
		    p == end;
	}
	if (p - s > 3 || !num(&p, end, 2, &b) || !lit(&p, end, sep) || !num(&p, end, 4, &c->y) ||
	    p != end || (a > 12 && b > 12))
		return false;
	int order = sc->order;
	if (a > 12 || b > 12)
		order = *proof = a > 12 ? SMSLOG_ORDER_DMY : SMSLOG_ORDER_MDY;
	else if (order == SMSLOG_ORDER_UNKNOWN)
		*guessed = a != b; /* 03-03 reads the same either way */
	c->mon = order == SMSLOG_ORDER_DMY ? b : a;
	c->d = order == SMSLOG_ORDER_DMY ? a : b;
	return true;
}

/* A STATMSG's GMTDATE beside a viewer's ambiguous local date: the reading
 * within a time zone's reach (14 hours) of it is the file's order. */
static void
order_from_gmt(struct smslog_scratch *sc, const struct civil *read, int64_t gmt)
{
	struct civil other = *read;
	other.mon = read->d;
	other.d = read->mon;
	int64_t d1 = civil_seconds(read) - gmt, d2 = civil_seconds(&other) - gmt;
	bool near1 = d1 >= -14 * 3600 && d1 <= 14 * 3600;
	bool near2 = civil_valid(&other) && d2 >= -14 * 3600 && d2 <= 14 * 3600;
	if (near1 != near2) {
		sc->order = near1 ? SMSLOG_ORDER_MDY : SMSLOG_ORDER_DMY;
		sc->guessed = false;
	}
}

/* "TID (0xHEX)" between s and end, the two the same number (which keeps
 * ordinary text such as "error 5 (0x12)" from reading as a thread). */
static bool
parse_tid(const char *s, const char *end, unsigned long *tid)
{
	int v;
	if (!num(&s, end, 9, &v) || end - s < 6 || end - s > 13 || memcmp(s, " (0x", 4) != 0 ||
	    end[-1] != ')')
		return false;
	unsigned long h = 0;
	for (s += 4; s < end - 1; s++) {
		unsigned char ch = lower((unsigned char)*s);
		if (ch >= '0' && ch <= '9')
			h = h * 16 + (unsigned long)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			h = h * 16 + (unsigned long)(ch - 'a' + 10);
		else
			return false;
	}
	*tid = (unsigned long)v;
	return h == *tid;
}

/* text COMP DATE H:MM:SS [AM|PM] TID (0xHEX), tabs or spaces; DATE in any
 * of the shapes of parse_num_date. */
static bool
parse_viewer(const char *p, size_t n, struct smslog_entry *e, struct smslog_scratch *sc,
    struct civil *amb)
{
	const char *end = p + n, *te = end;
	/* Most lines do not end in ")": say so before stepping back over
	 * their last word. */
	while (te > p && is_space(te[-1]))
		te--;
	if (te == p || te[-1] != ')')
		return false;
	const char *t = token_back(p, &te);
	if (te - t < 4 || memcmp(t, "(0x", 3) != 0 || te[-1] != ')')
		return false;
	const char *ide = t, *id = token_back(p, &ide);
	const char *s = id;
	int tid;
	if (!num(&s, ide, 9, &tid) || s != ide)
		return false;
	const char *ae = id, *a = token_back(p, &ae), *clock_end = ae;
	bool pm = false, ampm = false;
	if (ae - a == 2 && (strncasecmp(a, "AM", 2) == 0 || (pm = strncasecmp(a, "PM", 2) == 0))) {
		ampm = true;
		ae = a;
		a = token_back(p, &ae);
	}
	struct civil c;
	s = a;
	if (!parse_clock(&s, ae, &c) || s != ae)
		return false;
	const char *dte = a, *dt = token_back(p, &dte);
	int proof;
	bool guessed;
	if (!parse_num_date(dt, dte, &c, sc, &proof, &guessed))
		return false;
	const char *cpe = dt, *cp = token_back(p, &cpe);
	if (cp == cpe)
		return false;
	if (ampm && c.h == 12)
		c.h = 0;
	if (pm)
		c.h += 12;
	const char *txe = cp;
	while (txe > p && is_space(txe[-1]))
		txe--;
	e->format = SMSLOG_FORMAT_VIEWER;
	e->text = (struct smslog_str){ p, (size_t)(txe - p) };
	e->component = (struct smslog_str){ cp, (size_t)(cpe - cp) };
	e->local = (struct smslog_str){ dt, (size_t)(clock_end - dt) };
	e->thread = (unsigned long)tid;
	set_time(e, &c, false, 0);
	if (proof != SMSLOG_ORDER_UNKNOWN && sc->order == SMSLOG_ORDER_UNKNOWN)
		sc->order = proof;
	sc->guessed = guessed;
	*amb = c;
	return true;
}

/* A component name as a copy prints it before the thread: one to three
 * words of letters, digits, '_', '.' or '-', the first starting with a
 * letter ("SMS_HIERARCHY_MANAGER", "SMS Provider"). */
static bool
component_ok(const char *s, const char *end)
{
	if (s == end || end - s > 64 || lower((unsigned char)*s) < 'a' || lower((unsigned char)*s) > 'z' ||
	    end[-1] == ' ')
		return false;
	int spaces = 0;
	for (const char *q = s; q < end; q++) {
		unsigned char ch = lower((unsigned char)*q);
		if (ch == ' ') {
			if (q[-1] == ' ' || ++spaces > 2)
				return false;
		} else if (!(ch == '_' || ch == '.' || ch == '-' || (ch >= '0' && ch <= '9') ||
		    (ch >= 'a' && ch <= 'z'))) {
			return false;
		}
	}
	return true;
}

/* "TID" alone, between tabs. */
static bool
parse_bare_tid(const char *s, const char *end, unsigned long *tid)
{
	int v;
	if (!num(&s, end, 9, &v) || s != end)
		return false;
	*tid = (unsigned long)v;
	return true;
}

/* The first " (0x" in [p, lim), or NULL: memmem of four bytes costs a
 * call and its set-up on every viewer-shaped line, a '(' is rare. */
static const char *
find_tid_open(const char *p, const char *lim)
{
	for (const char *q = p + 1; lim - q >= 3; q++) {
		q = memchr(q, '(', (size_t)(lim - q - 2));
		if (q == NULL)
			return NULL;
		if (q[-1] == ' ' && q[1] == '0' && q[2] == 'x')
			return q - 1;
	}
	return NULL;
}

/* ConfigMgr current branch copies: "COMP<TAB>TID (0xHEX)<TAB>text" (the
 * "(0xHEX)" optional between tabs) or "COMP TID (0xHEX) text", as the
 * troubleshooting docs print distmgr.log. */
static bool
parse_leading(const char *p, size_t n, struct smslog_entry *e)
{
	const char *end = p + n, *lim = p + (n < 100 ? n : 100);
	const char *cpe, *tx;
	unsigned long tid = 0;
	const char *tab = find_char(p, lim, '\t');
	if (tab != NULL) {
		const char *tse = find_char(tab + 1, lim, '\t');
		if (tse == NULL || (!parse_tid(tab + 1, tse, &tid) && !parse_bare_tid(tab + 1, tse, &tid)))
			return false;
		cpe = tab;
		tx = tse + 1;
	} else {
		const char *h = find_tid_open(p, lim), *ts = h;
		if (h == NULL)
			return false;
		while (ts > p && ts[-1] >= '0' && ts[-1] <= '9')
			ts--;
		const char *tse = find_char(h, lim, ')');
		if (ts == h || ts - p < 2 || ts[-1] != ' ' || tse == NULL || !parse_tid(ts, tse + 1, &tid))
			return false;
		cpe = ts - 1;
		tx = tse + 1;
		if (tx < end && !is_space(*tx))
			return false;
	}
	if (!component_ok(p, cpe))
		return false;
	while (tx < end && is_space(*tx))
		tx++;
	e->format = SMSLOG_FORMAT_VIEWER;
	e->component = (struct smslog_str){ p, (size_t)(cpe - p) };
	e->thread = tid;
	e->text = (struct smslog_str){ tx, (size_t)(end - tx) };
	return true;
}

/* The bytes of a STATMSG key: upper-case letters and digits.  A table,
 * because the keys are most of what a STATMSG line is scanned for. */
static const unsigned char key_char[256] = {
	['A' ... 'Z'] = 1, ['0' ... '9'] = 1,
};

/* Whether a quote before s closes a value: the text ends, a viewer's
 * column (a tab) follows, or " KEY=" does (ISTRs hold NAL paths with
 * quotes of their own). */
static bool
value_ends(const char *s, const char *end)
{
	if (s == end || *s == '\t')
		return true;
	if (*s != ' ')
		return false;
	const char *k = ++s;
	while (s < end && key_char[(unsigned char)*s])
		s++;
	return s > k && s < end && *s == '=';
}

/* A value: quoted, or one word (a blank or a tab ends it). */
static void
statmsg_value(const char **s, const char *end, struct smslog_str *v)
{
	const char *p = *s;
	if (p < end && *p == '"') {
		const char *q = p + 1;
		while ((q = find_char(q, end, '"')) != NULL && !value_ends(q + 1, end))
			q++;
		if (q == NULL)
			q = end;
		*v = (struct smslog_str){ p + 1, (size_t)(q - p - 1) };
		*s = q < end ? q + 1 : end;
		return;
	}
	const char *q = p;
	while (q < end && *q != ' ' && *q != '\t')
		q++;
	*v = (struct smslog_str){ p, (size_t)(q - p) };
	*s = q;
}

static int
str_int(struct smslog_str v)
{
	const char *s = v.p;
	int x = 0;
	return num(&s, v.p + v.n, 9, &x) ? x : 0;
}

/* GMTDATE (v, read as c) is when the message was raised, in UTC: the
 * entry's time, whatever local time the line around it gives.  *gmt: its
 * seconds. */
static void
statmsg_gmtdate(struct smslog_str v, const struct civil *c, struct smslog_entry *e, int64_t *gmt)
{
	if (!civil_valid(c))
		return;
	set_time(e, c, true, 0);
	*gmt = civil_seconds(c);
	if (e->local.n == 0)
		e->local = v;
}

/* One key and its value into m: dispatched on the key's first letter, the
 * indexed keys (ISTR0-9, AID0-7, AVAL0-7, most of a line's keys) taking
 * their index from the last digit. */
static void
statmsg_field(struct smslog_statmsg *m, const char *k, size_t kl, struct smslog_str v)
{
#define KEY(s) (kl == sizeof s - 1 && memcmp(k, s, sizeof s - 1) == 0)
#define KEY_AT(s) (kl == sizeof s && memcmp(k, s, sizeof s - 1) == 0 && k[kl - 1] >= '0' && \
	k[kl - 1] <= '9')
	int i = k[kl - 1] - '0';
	switch (k[0]) {
	case 'I':
		if (KEY("ID")) {
			m->id = str_int(v);
		} else if (KEY_AT("ISTR") && i < SMSLOG_MAX_ISTR) {
			m->istr[i] = v;
			if (i + 1 > m->nistr)
				m->nistr = i + 1;
		}
		break;
	case 'A':
		if (KEY_AT("AID") && i < SMSLOG_MAX_ATTR) {
			m->attr[i].id = str_int(v);
			if (i + 1 > m->nattr)
				m->nattr = i + 1;
		} else if (KEY_AT("AVAL") && i < SMSLOG_MAX_ATTR) {
			m->attr[i].value = v;
			if (i + 1 > m->nattr)
				m->nattr = i + 1;
		}
		break;
	case 'S':
		if (KEY("SEV"))
			m->sev = v.n == 1 ? v.p[0] : 0;
		else if (KEY("SYS"))
			m->sys = v;
		else if (KEY("SITE"))
			m->site = v;
		else if (KEY("SOURCE"))
			m->source = v;
		break;
	case 'C':
		if (KEY("COMP"))
			m->comp = v;
		break;
	default:
		break;
	}
#undef KEY
#undef KEY_AT
}

/* The viewer columns after a STATMSG whose date the viewer parser did not
 * know (a locale's own shape): "<TAB>COMP<TAB>date time<TAB>TID (0xHEX)".
 * The component, the local time as written and the thread are kept. */
static void
statmsg_columns(const char *s, const char *end, struct smslog_entry *e)
{
	const char *ce = find_char(s + 1, end, '\t');
	const char *last = memrchr(s, '\t', (size_t)(end - s));
	unsigned long tid;
	if (ce == NULL || last == ce || !component_ok(s + 1, ce) || !parse_tid(last + 1, end, &tid))
		return;
	e->format = SMSLOG_FORMAT_VIEWER;
	e->component = (struct smslog_str){ s + 1, (size_t)(ce - s - 1) };
	e->local = (struct smslog_str){ ce + 1, (size_t)(last - ce - 1) };
	e->thread = tid;
}

/* "STATMSG: ID=2300 SEV=I ... GMTDATE=Mon Jun 07 23:23:16.472 2004 ISTR0=..."
 * A tab where a key should be starts a viewer's columns: the message ends
 * there.  *gmt: GMTDATE's seconds, 0 when none. */
static void
parse_statmsg(struct smslog_entry *e, struct smslog_statmsg *m, int64_t *gmt)
{
	const char *s = e->text.p, *end = s + e->text.n;
	*gmt = 0;
	if (s < end && *s == '~')
		s++;
	if (end - s < 9 || memcmp(s, "STATMSG: ", 9) != 0)
		return;
	memset(m, 0, sizeof *m);
	s += 9;
	while (s < end) {
		while (s < end && *s == ' ')
			s++;
		if (s < end && *s == '\t') {
			const char *te = s;
			while (te > e->text.p && te[-1] == ' ')
				te--;
			if (e->format == SMSLOG_FORMAT_PLAIN)
				statmsg_columns(s, end, e);
			e->text.n = (size_t)(te - e->text.p);
			break;
		}
		const char *k = s;
		while (s < end && key_char[(unsigned char)*s])
			s++;
		if (s == k || s >= end || *s != '=') {
			while (s < end && *s != ' ' && *s != '\t')
				s++;
			continue;
		}
		size_t kl = (size_t)(s - k);
		s++;
		struct smslog_str v;
		struct civil c;
		const char *de;
		if (kl == 7 && memcmp(k, "GMTDATE", 7) == 0 && (de = parse_sms_date(s, end, &c)) != NULL) {
			/* read as a date, not as words: "Jun  7" has two blanks */
			statmsg_gmtdate((struct smslog_str){ s, (size_t)(de - s) }, &c, e, gmt);
			s = de;
			continue;
		}
		statmsg_value(&s, end, &v);
		statmsg_field(m, k, kl, v);
	}
	e->statmsg = m;
	if (m->sev == 'W')
		e->severity = SMSLOG_SEV_WARNING;
	else if (m->sev == 'E')
		e->severity = SMSLOG_SEV_ERROR;
}

/* 1 + the index of the first phrase starting with this letter (either
 * case), for a one-pass scan; keep in step with the phrase table (the unit
 * tests check every phrase). */
static const unsigned char phrase_first[256] = {
	['a'] = 1, ['A'] = 1, ['c'] = 2, ['C'] = 2, ['e'] = 5, ['E'] = 5,
	['f'] = 6, ['F'] = 6, ['h'] = 7, ['H'] = 7, ['w'] = 9, ['W'] = 9,
};

/* The phrases starting at s[i] (a letter of phrase_first[]) that would
 * raise sev, n the text's length: the highest severity found. */
static enum smslog_severity
phrase_at(const unsigned char *s, size_t i, size_t n, enum smslog_severity sev)
{
	unsigned char c = (unsigned char)phrases[phrase_first[s[i]] - 1].text[0];
	unsigned char c1 = lower(s[i + 1]);
	for (size_t k = phrase_first[s[i]] - 1; k < NPHRASES && phrases[k].text[0] == c; k++) {
		const char *ph = phrases[k].text;
		size_t len = phrases[k].len, j = 2;
		if ((unsigned char)ph[1] != c1 || len > n - i || phrases[k].sev <= sev)
			continue;
		while (j < len && lower(s[i + j]) == (unsigned char)ph[j])
			j++;
		if (j == len)
			sev = phrases[k].sev;
	}
	return sev;
}

#if defined(__SSE2__)
/* Which of the sixteen bytes at s start a phrase's first two letters
 * (ac, ca, co, er, fa, ha, wi in either case; s[16] is read too): a bit
 * each.  Most of a line's letters cannot, and testing them sixteen at a
 * time keeps the scan from costing a table look-up per byte. */
static unsigned
phrase_starts16(const unsigned char *s)
{
	static const char pairs[][2] = { "ac", "ca", "co", "er", "fa", "ha", "wi" };
	const __m128i fold = _mm_set1_epi8(0x20);
	__m128i v0 = _mm_or_si128(_mm_loadu_si128((const __m128i *)s), fold);
	__m128i v1 = _mm_or_si128(_mm_loadu_si128((const __m128i *)(s + 1)), fold);
	__m128i m = _mm_setzero_si128();
	for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++)
		m = _mm_or_si128(m, _mm_and_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8(pairs[k][0])),
		    _mm_cmpeq_epi8(v1, _mm_set1_epi8(pairs[k][1]))));
	return (unsigned)_mm_movemask_epi8(m);
}
#endif

static enum smslog_severity
phrase_severity(struct smslog_str t)
{
	enum smslog_severity sev = SMSLOG_SEV_INFO;
	const unsigned char *s = (const unsigned char *)t.p;
	size_t i = 0;
#if defined(__SSE2__)
	/* Blocks whose every position has a byte after it in the text. */
	for (; t.n > 16 && i < t.n - 16; i += 16) {
		for (unsigned m = phrase_starts16(s + i); m != 0; m &= m - 1) {
			sev = phrase_at(s, i + (size_t)__builtin_ctz(m), t.n, sev);
			if (sev == SMSLOG_SEV_ERROR)
				return sev;
		}
	}
#endif
	for (; i + 1 < t.n; i++) {
		if (!phrase_first[s[i]])
			continue;
		sev = phrase_at(s, i, t.n, sev);
		if (sev == SMSLOG_SEV_ERROR)
			break;
	}
	return sev;
}

/* The last "$$" of a line (where a trailer starts), or NULL. */
static const char *
find_dollars(const char *p, size_t n)
{
	const char *d = memrchr(p, '$', n);
	return d != NULL && d > p && d[-1] == '$' ? d - 1 : NULL;
}

/* The text before the trailer at dd, blanks before it trimmed. */
static void
text_before(const char *p, const char *dd, struct smslog_entry *e)
{
	while (dd > p && is_space(dd[-1]))
		dd--;
	e->text = (struct smslog_str){ p, (size_t)(dd - p) };
}

/* A whole trailer at dd ("$$<COMP><date zone><thread=N (0xH)>"). */
static bool
parse_dollar(const char *p, size_t n, const char *dd, struct smslog_entry *e,
    struct smslog_scratch *sc)
{
	const char *end = p + n;
	if (dd + 2 >= end || dd[2] != '<' || !parse_trailer(dd + 2, end, e, sc))
		return false;
	text_before(p, dd, e);
	return true;
}

/* What a trailer at dd cut short (by a copy, a rollover) still says: the
 * component when its '>' was written, and the local time when the date is
 * whole and something follows it (so its last number was not cut); never
 * the zone or bias, which may be cut too.  False when what follows "$$"
 * cannot be the start of a trailer. */
static bool
parse_cut(const char *p, size_t n, const char *dd, struct smslog_entry *e)
{
	const char *end = p + n, *s = dd + 2;
	if (s < end && (*s != '<' || find_char(s, end, '\t') != NULL))
		return false;
	const char *ce = s < end ? find_char(s + 1, end, '>') : NULL;
	if (ce != NULL && ce + 1 < end) {
		const char *ds = ce + 2;
		if (ce[1] != '<' || find_char(ds, end, '>') != NULL)
			return false; /* not a trailer, or a whole one */
		struct civil c;
		const char *le = NULL;
		if ((le = parse_sms_date(ds, end, &c)) != NULL && le < end)
			e->format = SMSLOG_FORMAT_SMS2003;
		else if ((le = parse_cm_date(ds, end, &c)) != NULL && le < end)
			e->format = SMSLOG_FORMAT_CM2007;
		if (e->format != SMSLOG_FORMAT_PLAIN) {
			e->local = (struct smslog_str){ ds, (size_t)(le - ds) };
			set_time(e, &c, false, 0);
		}
	}
	if (ce != NULL)
		e->component = (struct smslog_str){ s + 1, (size_t)(ce - s - 1) };
	text_before(p, dd, e);
	e->trailer_cut = true;
	return true;
}

void
smslog_line_parse(const char *p, size_t n, struct smslog_entry *e, struct smslog_scratch *sc)
{
	e->format = SMSLOG_FORMAT_PLAIN;
	e->text = (struct smslog_str){ p, n };
	e->component = e->local = e->zone = (struct smslog_str){ p, 0 };
	e->utc = 0;
	e->ms = 0;
	e->utc_known = false;
	e->thread = 0;
	e->severity = SMSLOG_SEV_INFO;
	e->statmsg = NULL;
	e->trailer_cut = false;
	sc->guessed = false;
	const char *term, *dd;
	bool typed = false;
	struct civil read;
	if (n >= 14 && memcmp(p, "<![LOG[", 7) == 0 &&
	    (term = memmem(p + 7, n - 7, "]LOG]!>", 7)) != NULL) {
		parse_cmtrace(p, n, term, e, sc);
		typed = e->severity != SMSLOG_SEV_INFO || memmem(term, (size_t)(p + n - term), "type=\"1\"", 8);
	} else if (((dd = find_dollars(p, n)) == NULL || !parse_dollar(p, n, dd, e, sc)) &&
	    !parse_viewer(p, n, e, sc, &read) && !parse_leading(p, n, e) && dd != NULL) {
		(void)parse_cut(p, n, dd, e);
	}
	int64_t gmt;
	parse_statmsg(e, &sc->sm, &gmt);
	if (sc->guessed && gmt != 0)
		order_from_gmt(sc, &read, gmt);
	if (!typed && e->statmsg == NULL)
		e->severity = phrase_severity(e->text);
}
