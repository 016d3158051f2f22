/*
 * Daylight-saving rules of the Windows zones SMS servers stamp their logs
 * with (see winzone.h).  Pure arithmetic on UTC seconds: no TZ database,
 * because the rules to apply are the ones in force on the servers in 2007,
 * not today's.
 */
#include "autoconf.h"
#include "backend/core/winzone.h"
#include "backend/core/util.h"

static int
year_of(int64_t t)
{
	int64_t z = (t >= 0 ? t / 86400 : -((-t + 86399) / 86400)) + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	return (int)(yoe + era * 400 + (mp >= 10));
}

/* Day of month of the n-th Sunday (1-based), or of the last for n = 0. */
static int
sunday(int y, int m, int n)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (n == 0) {
		int last = mdays[m - 1];
		int wd = (int)(((time_days_from_civil(y, m, last) + 4) % 7 + 7) % 7);
		return last - wd;
	}
	int wd = (int)(((time_days_from_civil(y, m, 1) + 4) % 7 + 7) % 7);
	return 1 + (7 - wd) % 7 + 7 * (n - 1);
}

static int64_t
at(int y, int m, int d, int hour)
{
	return time_days_from_civil(y, m, d) * 86400 + hour * 3600;
}

/* Whether daylight-saving time is in force at UTC second t, and the span
 * [*lo, *hi) around t where that answer holds. */
bool
winzone_dst_span(enum winzone_dst rule, int std_offset_min, int64_t t,
    int64_t *lo, int64_t *hi)
{
	int y = year_of(t);
	int64_t off = (int64_t)std_offset_min * 60, start, end;
	*lo = at(y, 1, 1, 0);
	*hi = at(y + 1, 1, 1, 0);
	switch (rule) {
	case WINZONE_DST_EU:
		start = at(y, 3, sunday(y, 3, 0), 1);
		end = at(y, 10, sunday(y, 10, 0), 1);
		break;
	case WINZONE_DST_US:
		if (y >= 2007) {
			start = at(y, 3, sunday(y, 3, 2), 2) - off;
			end = at(y, 11, sunday(y, 11, 1), 1) - off;
		} else {
			start = at(y, 4, sunday(y, 4, 1), 2) - off;
			end = at(y, 10, sunday(y, 10, 0), 1) - off;
		}
		break;
	case WINZONE_DST_AU: /* southern hemisphere: summer spans the new year */
		if (y >= 2008) {
			end = at(y, 4, sunday(y, 4, 1), 2) - off;
			start = at(y, 10, sunday(y, 10, 1), 2) - off;
		} else {
			end = at(y, 3, sunday(y, 3, 0), 2) - off;
			start = at(y, 10, sunday(y, 10, 0), 2) - off;
		}
		if (t < end)
			*hi = end;
		else if (t < start)
			*lo = end, *hi = start;
		else
			*lo = start;
		return t < end || t >= start;
	default:
		return false;
	}
	if (t < start)
		*hi = start;
	else if (t < end)
		*lo = start, *hi = end;
	else
		*lo = end;
	return t >= start && t < end;
}

