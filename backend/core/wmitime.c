/*
 * WMI datetimes into UTC.  The format is the fixed-length CIM_DATETIME
 * "yyyymmddHHMMSS.mmmmmmsUUU" (WMI SDK, "CIM_DATETIME":
 * https://learn.microsoft.com/en-us/windows/win32/wmisdk/cim-datetime):
 * s is + or -, UUU the minutes the originating zone deviates from UTC, so
 * 20070104113000.000000+090 is 10:00 UTC.  A field left unspecified is
 * replaced whole by asterisks ("199*0416..." is illegal, the same page).
 *
 * The offset "***" is what the SMS provider writes for its own dates (its
 * documented default for SMS_DistributionPoint.LastRefreshTime is
 * 19900101000000.000000+***), and those dates are GMT: the SMS 2003 SDK
 * says "Date and time (GMT)" of SMS_PackageStatusDistPointsSummarizer's
 * LastCopied and SummaryDate (aa508731), and SMS_StatusMessage.Time is UTC
 * (ms815954).  So "+***" reads as UTC.  SMS_Package.SourceDate's page does
 * not say GMT; it comes from the same site database and is read the same
 * way (see sms-domain.md, UNCONFIRMED for SourceDate).
 *
 * Whole-field asterisks in the date or time (a pattern such as "every
 * April 16th") are no point in time to compare with anything: we read them
 * as 0, "unknown", the same as a null, rather than refuse the reply they
 * came in (one odd date would otherwise blank the whole grid).
 */
#include "autoconf.h"
#include "backend/core/wmitime.h"

#include <string.h>

/* One fixed-width field: its digits, or all asterisks.  A field that mixes
 * the two is refused (the CIM_DATETIME page calls it illegal). */
enum field { F_DIGITS, F_STARS, F_BAD };

static enum field
field_read(const char *s, int n, int *out)
{
	int v = 0, stars = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] == '*')
			stars++;
		else if (s[i] >= '0' && s[i] <= '9')
			v = v * 10 + (s[i] - '0');
		else
			return F_BAD;
	}
	*out = v;
	return stars == 0 ? F_DIGITS : stars == n ? F_STARS : F_BAD;
}

/* The date and time fields, by position. */
static const struct {
	int at, len;
} parts[] = {
	{ 0, 4 }, { 4, 2 }, { 6, 2 },      /* year, month, day */
	{ 8, 2 }, { 10, 2 }, { 12, 2 },    /* hour, minute, second */
};
enum { P_YEAR, P_MONTH, P_DAY, P_HOUR, P_MIN, P_SEC, NPARTS };

static bool
date_valid(const int v[NPARTS])
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = v[P_YEAR], mo = v[P_MONTH], d = v[P_DAY];
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	/* Seconds 00-59: the CIM_DATETIME page has no leap second. */
	return mo >= 1 && mo <= 12 && d >= 1 && d <= mdays[mo - 1] &&
	    !(mo == 2 && d == 29 && !leap) && v[P_HOUR] <= 23 && v[P_MIN] <= 59 &&
	    v[P_SEC] <= 59;
}

int
wmi_time_parse(const char *s, dpd_time *out)
{
	int v[NPARTS] = { 0 }, micro = 0, off = 0;
	bool pattern = false;
	if (s == NULL || strlen(s) != WMI_TIME_LEN || s[14] != '.' ||
	    (s[21] != '+' && s[21] != '-'))
		return -1;
	for (int i = 0; i < NPARTS; i++) {
		enum field f = field_read(s + parts[i].at, parts[i].len, &v[i]);
		if (f == F_BAD)
			return -1;
		pattern |= f == F_STARS;
	}
	/* The microseconds only need to be well-formed: dpd_time keeps whole
	 * seconds, as the ISO replies do (.NET's "ss" truncates too). */
	enum field fo = field_read(s + 22, 3, &off);
	if (field_read(s + 15, 6, &micro) == F_BAD || fo == F_BAD)
		return -1;
	if (pattern) {
		*out = 0;
		return 0;
	}
	if (!date_valid(v))
		return -1;
	if (fo == F_STARS)
		off = 0; /* "+***": SMS's GMT dates, see the top of the file */
	else if (s[21] == '-')
		off = -off;
	*out = time_days_from_civil(v[P_YEAR], v[P_MONTH], v[P_DAY]) * 86400 +
	    v[P_HOUR] * 3600 + v[P_MIN] * 60 + v[P_SEC] - (dpd_time)off * 60;
	return 0;
}

int
wmi_time_parse_column(const char *s, dpd_time *out)
{
	if (s == NULL || *s == '\0') {
		*out = 0;
		return 0;
	}
	/* Told apart by length: a CIM_DATETIME has 25 characters, ISO 20. */
	return strlen(s) == WMI_TIME_LEN ? wmi_time_parse(s, out) : time_parse_iso(s, out);
}
