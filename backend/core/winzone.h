/*
 * Windows time zones' daylight-saving rules, as SMS servers of the SMS 2003
 * and ConfigMgr 2007 era applied them.  Log lines carry a zone *name*; the
 * log parser needs the UTC offset behind it, and the simulator writes the
 * same names, so both ask here and one set of rules serves both.
 */
#ifndef DPD_WINZONE_H
#define DPD_WINZONE_H

#include <stdbool.h>
#include <stdint.h>

enum winzone_dst {
	WINZONE_DST_NONE,
	WINZONE_DST_EU, /* last Sunday of March to last Sunday of October, 01:00 UTC */
	WINZONE_DST_US, /* 02:00 local; 2nd Sunday of March to 1st of November from
	                 * 2007, 1st Sunday of April to last of October before */
	WINZONE_DST_AU, /* southern hemisphere: summer spans the new year */
};

/* Whether daylight time is in force at UTC second t for a zone with this
 * rule and standard offset (minutes east of UTC), and the span [*lo, *hi)
 * around t where that answer holds (so callers can cache it). */
bool winzone_dst_span(enum winzone_dst rule, int std_offset_min, int64_t t,
    int64_t *lo, int64_t *hi);

#endif
