/*
 * Private to backend/smslog*.c: the one-line parser (every shape of a
 * single log entry, time zones, severity phrases) that the buffer, file
 * and tail readers in smslog.c call for each entry they cut out.
 */
#ifndef DPD_SMSLOG_INT_H
#define DPD_SMSLOG_INT_H

#include "backend/sms/smslog.h"

/* Which of a viewer's numeric dates' first two numbers is the month, as
 * far as the file has shown: an ambiguous date (03-04-2010) is read
 * month-first, as the US-English viewers print, unless an unambiguous one
 * (29-01-2010, or a STATMSG's GMTDATE beside a local date) showed the
 * file is day-first.  The first proof holds for the rest of the file. */
enum smslog_order {
	SMSLOG_ORDER_UNKNOWN,
	SMSLOG_ORDER_MDY,
	SMSLOG_ORDER_DMY,
};

/* Scratch space the line parser may point entry fields into, and what it
 * learns about the file from line to line. */
struct smslog_scratch {
	struct smslog_statmsg sm;
	char local[32];
	const void *zone;       /* the zone table entry found last */
	const void *dst_zone;   /* DST answer cache: zone, span, answer */
	int64_t dst_lo, dst_hi;
	bool dst;
	int order;              /* enum smslog_order, kept from line to line */
	bool guessed;           /* out: the line's date was ambiguous and the
	                           order unknown, so it was read month-first */
};

/* Fill format, text, component, local, zone, utc, ms, utc_known, thread,
 * severity, statmsg and trailer_cut of e from one entry (no line end), and
 * sc->order and sc->guessed.  Never fails: what is not recognised is a
 * PLAIN entry with the bytes as text. */
void smslog_line_parse(const char *p, size_t n, struct smslog_entry *e,
    struct smslog_scratch *sc);

#endif
