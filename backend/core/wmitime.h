/*
 * WMI datetimes (CIM_DATETIME, "yyyymmddHHMMSS.mmmmmmsUUU") read into UTC
 * dpd_time values, the offset honoured, so that the SMS provider's dates
 * compare with file times read elsewhere (which are UTC already).
 */
#ifndef DPD_WMITIME_H
#define DPD_WMITIME_H

#include "backend/core/util.h"

/* Length of a CIM_DATETIME string, without the NUL. */
#define WMI_TIME_LEN 25

/*
 * Parse a CIM_DATETIME timestamp.  UUU is the minutes the writer's zone is
 * east (+) or west (-) of UTC; "+***" (offset unknown, as SMS writes it)
 * is read as UTC, because SMS's own dates are GMT.  A date or time field
 * replaced whole by asterisks makes the value a pattern, not a point in
 * time: it parses, as 0 ("unknown").  Asterisks in the microseconds are
 * ignored (dpd_time keeps whole seconds).  0, or -1 when s is not such a
 * timestamp (wrong length or characters, partly starred field, a date that
 * does not exist, the interval form "...:000").
 */
int wmi_time_parse(const char *s, dpd_time *out);

/* A time column of a reply: "" or NULL is 0 (unknown); then a CIM_DATETIME;
 * then ISO 8601 "YYYY-MM-DDTHH:MM:SSZ" (what older replies carry). */
int wmi_time_parse_column(const char *s, dpd_time *out);

#endif
