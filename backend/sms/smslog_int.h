/*
 * Private to backend/smslog*.c: the one-line parser (every shape of a
 * single log entry, time zones, severity phrases) that the buffer, file
 * and tail readers in smslog.c call for each entry they cut out.
 */
#ifndef DPD_SMSLOG_INT_H
#define DPD_SMSLOG_INT_H

#include "backend/sms/smslog.h"

/* Scratch space the line parser may point entry fields into. */
struct smslog_scratch {
	struct smslog_statmsg sm;
	char local[32];
	const void *zone;       /* the zone table entry found last */
	const void *dst_zone;   /* DST answer cache: zone, span, answer */
	int64_t dst_lo, dst_hi;
	bool dst;
};

/* Fill format, text, component, local, zone, utc, ms, utc_known, thread,
 * severity and statmsg of e from one entry (no line end).  Never fails:
 * what is not recognised is a PLAIN entry with the bytes as text. */
void smslog_line_parse(const char *p, size_t n, struct smslog_entry *e,
    struct smslog_scratch *sc);

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */

#endif
