/*
 * Site time.  A simulated site runs sixty times faster than the wall clock
 * (an SMS minute is a demo second) from the moment it was anchored, or
 * stands still at DPDOCTOR_SIM_TIME so tests are repeatable.  Dates are
 * split with integer civil-calendar arithmetic rather than gmtime/strftime
 * because the status reply of a large site formats a million timestamps
 * and the simulated logs must not depend on the host's locale or zone.
 * The Windows time zones the servers live in are here too: the database
 * stores a server's by name and its log stamps in it.
 */
#include "autoconf.h"
#include "backend/sim/simint.h"
#include "backend/core/winzone.h"

#include <stdlib.h>
#include <string.h>

int
simclock_env(dpd_time *t, char **err)
{
	const char *v = getenv("DPDOCTOR_SIM_TIME");
	if (v == NULL || *v == '\0')
		return 0;
	if (time_parse_iso(v, t) != 0) {
		err_set(err, "DPDOCTOR_SIM_TIME=\"%s\" is not a time like "
		    "2007-01-04T10:00:00Z", v);
		return -1;
	}
	return 1;
}

int
simclock_now(struct sim_site *s, dpd_time *now, char **err)
{
	dpd_time t;
	int frozen = simclock_env(&t, err);
	if (frozen < 0)
		return -1;
	if (!frozen) {
		int64_t real = clock_real();
		if (s->anchor_real == 0) {
			/* Created under a frozen clock: start running from where
			 * the site stands now. */
			s->anchor_real = real;
			s->anchor_sim = s->clock;
			s->dirty = true;
		}
		t = s->anchor_sim + (real - s->anchor_real) * SIM_SPEED;
	}
	/* Like a server's clock, site time never runs backwards. */
	*now = t > s->clock ? t : s->clock;
	return 0;
}

int64_t
simclock_days(int year, int mon, int mday)
{
	int y = year - (mon <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned m = (unsigned)mon;
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + (unsigned)mday - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void
simclock_split(int64_t t, struct sim_tm *tm)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - days * 86400;
	tm->hour = (int)(secs / 3600);
	tm->min = (int)(secs / 60 % 60);
	tm->sec = (int)(secs % 60);
	tm->wday = (int)(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	tm->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	tm->year = (int)((int64_t)yoe + era * 400 + (tm->mon <= 2));
	tm->yday = (int)(days - simclock_days(tm->year, 1, 1));
}

static void
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

void
simclock_iso(dpd_time t, char out[static 21])
{
	struct sim_tm tm;
	if (t == 0) {
		out[0] = '\0';
		return;
	}
	simclock_split(t, &tm);
	if (tm.year < 0 || tm.year > 9999) {
		time_format_iso(t, out);
		return;
	}
	put2(out, tm.year / 100);
	put2(out + 2, tm.year % 100);
	out[4] = '-';
	put2(out + 5, tm.mon);
	out[7] = '-';
	put2(out + 8, tm.mday);
	out[10] = 'T';
	put2(out + 11, tm.hour);
	out[13] = ':';
	put2(out + 14, tm.min);
	out[16] = ':';
	put2(out + 17, tm.sec);
	out[19] = 'Z';
	out[20] = '\0';
}

/* SMS's own dates as its provider writes them (CIM_DATETIME): always GMT,
 * the offset either "***" (as SMS 2003's provider writes it: see
 * backend/core/wmitime.c) or "000".  The two mean the same; the simulator
 * writes both so that both reach the reader end to end, by one rule: an
 * even row (package index, status message record ID) gets "+***", an odd
 * one "+000".  A real site writes one form throughout. */
void
simclock_wmi(dpd_time t, uint32_t row, char out[static 26])
{
	struct sim_tm tm;
	if (t == 0) {
		out[0] = '\0';
		return;
	}
	simclock_split(t, &tm);
	if (tm.year < 0 || tm.year > 9999) {
		out[0] = '\0'; /* four digits of year cannot hold it: no date */
		return;
	}
	put2(out, tm.year / 100);
	put2(out + 2, tm.year % 100);
	put2(out + 4, tm.mon);
	put2(out + 6, tm.mday);
	put2(out + 8, tm.hour);
	put2(out + 10, tm.min);
	put2(out + 12, tm.sec);
	memcpy(out + 14, row % 2 == 0 ? ".000000+***" : ".000000+000", 12);
}

/* ---- the servers' time zones ---------------------------------------------- */

static const struct sim_zone zones[] = {
	{ "GMT Standard Time", "GMT Daylight Time", 0, WINZONE_DST_EU },
	{ "Romance Standard Time", "Romance Daylight Time", 60, WINZONE_DST_EU },
	{ "W. Europe Standard Time", "W. Europe Daylight Time", 60, WINZONE_DST_EU },
	{ "Central European Standard Time", "Central European Daylight Time", 60, WINZONE_DST_EU },
	{ "Eastern Standard Time", "Eastern Daylight Time", -300, WINZONE_DST_US },
	{ "Central Standard Time", "Central Daylight Time", -360, WINZONE_DST_US },
	{ "Pacific Standard Time", "Pacific Daylight Time", -480, WINZONE_DST_US },
	{ "Tokyo Standard Time", "Tokyo Daylight Time", 540, WINZONE_DST_NONE },
	{ "India Standard Time", "India Daylight Time", 330, WINZONE_DST_NONE },
};

const struct sim_zone *
simclock_zone(unsigned idx)
{
	return &zones[idx < sizeof zones / sizeof zones[0] ? idx : 0];
}

unsigned
simclock_zone_count(void)
{
	return sizeof zones / sizeof zones[0];
}

int
simclock_zone_find(const char *std_name)
{
	for (unsigned i = 0; i < simclock_zone_count(); i++)
		if (strcmp(zones[i].std_name, std_name) == 0)
			return (int)i;
	return -1;
}
