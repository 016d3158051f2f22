/*
 * SMS and ConfigMgr log files: every line shape an administrator meets
 * (SMS 2003 raw trace lines, ConfigMgr 2007+ "simple" lines with a UTC
 * bias, CMTrace <![LOG[...]LOG]!> lines, lines copied out of the trace
 * viewers in any locale's date order or with the component first,
 * STATMSG: lines), parsed into entries without loading a file whole, with
 * .lo_ rollover files read before .log and an incremental tail that
 * notices truncation and rotation.  Untrusted input: nothing here may
 * crash on any bytes.
 */
#ifndef DPD_SMSLOG_H
#define DPD_SMSLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/core/util.h"

enum smslog_format {
	SMSLOG_FORMAT_PLAIN,    /* no known trailer: text only */
	SMSLOG_FORMAT_SMS2003,  /* text  $$<COMP><Thu Jan 04 09:12:03.417 2007 Zone Name><thread=N (0xH)> */
	SMSLOG_FORMAT_CM2007,   /* text $$<COMP><01-04-2007 09:12:03.417+000><thread=N (0xH)> */
	SMSLOG_FORMAT_CMTRACE,  /* <![LOG[text]LOG]!><time="..." date="..." component="..." type="1" thread="..." ...> */
	SMSLOG_FORMAT_VIEWER,   /* copied from SMS Trace / CMTrace: text<TAB>COMP<TAB>date time<TAB>tid (0xhex),
	                           the date M/D/YYYY, DD-MM-YYYY, DD.MM.YYYY or YYYY-MM-DD; or, as
	                           current-branch docs print it, COMP<TAB>tid (0xhex)<TAB>text (no time) */
};

enum smslog_severity {
	SMSLOG_SEV_INFO,
	SMSLOG_SEV_WARNING,
	SMSLOG_SEV_ERROR,
};

/* A slice of the input: not NUL-terminated, valid during the callback. */
struct smslog_str {
	const char *p;
	size_t n;
};

#define SMSLOG_MAX_ISTR 10
#define SMSLOG_MAX_ATTR 8

/* The fields of a STATMSG: line (ID=2300 SEV=I ... ISTR0="..." AID0=400 AVAL0="..."). */
struct smslog_statmsg {
	int id;
	char sev;                       /* 'I', 'W', 'E' or 0 */
	struct smslog_str comp, sys, site, source;
	struct smslog_str istr[SMSLOG_MAX_ISTR];
	int nistr;                      /* highest ISTRn seen + 1 */
	struct { int id; struct smslog_str value; } attr[SMSLOG_MAX_ATTR];
	int nattr;
};

/* The most of one entry a reader delivers: a longer one (a corrupt or
 * hostile log) is cut here, its cut flag set, the rest skipped. */
#define SMSLOG_ENTRY_MAX ((size_t)1 << 20)

struct smslog_entry {
	enum smslog_format format;
	struct smslog_str text;         /* the message as written ('~' kept);
	                                   for multi-line messages, all lines */
	struct smslog_str component;
	struct smslog_str local;        /* the time as written, e.g. "Thu Jan 04 09:12:03.417 2007" */
	struct smslog_str zone;         /* "GMT Standard Time", "+000", empty when none */
	dpd_time utc;                   /* 0 when the time could not be read */
	int ms;                         /* milliseconds of utc (or of local) */
	bool utc_known;                 /* false: zone unknown, utc holds local time */
	unsigned long thread;
	enum smslog_severity severity;
	uint64_t offset;                /* byte offset of the entry in its file */
	size_t lineno;                  /* first physical line, 1-based */
	const char *file;               /* the path it came from (or NULL) */
	const struct smslog_statmsg *statmsg; /* STATMSG: lines, else NULL */
	bool truncated;                 /* the last line of a file without its line end */
	bool cut;                       /* longer than SMSLOG_ENTRY_MAX: only its first
	                                   SMSLOG_ENTRY_MAX bytes are here */
	bool trailer_cut;               /* its "$$<...>" trailer is cut short: component
	                                   and time only as far as they were written */
};

/* Return 0 to go on, non-zero to stop the reader (that value is returned). */
typedef int (*smslog_entry_fn)(const struct smslog_entry *e, void *arg);

/* Parse a buffer of log text (any mix of shapes).  `package`, when not
 * NULL, keeps only entries whose text mentions it (fast path: lines that
 * cannot match are skipped before parsing).  Returns 0, or the callback's
 * non-zero value. */
int smslog_parse_buffer(const char *buf, size_t len, const char *file,
    const char *package, smslog_entry_fn fn, void *arg);

/* Read a log file in bounded memory, with its .lo_ rollover first when
 * `path` ends in .log and the .lo_ exists.  -1 with *err on I/O errors. */
int smslog_read_file(const char *path, const char *package,
    smslog_entry_fn fn, void *arg, char **err);

/* For a reader that parses a file in blocks on several threads: the
 * blocks are cut where an entry starts (smslog_block_cut) and each parsed
 * as a full read parses those bytes (smslog_parse_block).  `order` is the
 * opaque date-order state a file carries from entry to entry (0 at the
 * start of a log): in, what the entries before the block showed; out,
 * what they show after it.  *guessed: some date in the block was read
 * month-first on a guess, which only a read of the file in order (and
 * its probe window) answers exactly. */
int smslog_parse_block(const char *buf, size_t len, uint64_t base, size_t lineno,
    const char *file, int *order, bool *guessed, smslog_entry_fn fn, void *arg);
/* The length of the longest prefix of buf (file offset base) after which
 * an entry surely starts, or 0 when there is none.  *open_at: the offset
 * of the last "<![LOG[" seen so far (UINT64_MAX before any), updated. */
size_t smslog_block_cut(const char *buf, size_t len, uint64_t base, uint64_t *open_at);
/* Read fd (named file) from offset off, line lineno, to its end, as
 * smslog_read_file does. */
int smslog_read_from(int fd, const char *file, uint64_t off, size_t lineno, int *order,
    smslog_entry_fn fn, void *arg, char **err);
/* The line ends in p[0..n). */
size_t smslog_count_lines(const char *p, size_t n);
/* fn(arg) with a SIGBUS on this thread -- a mapped file that shrank --
 * taking it back here: 0, or -1 when one came. */
int smslog_guarded(void (*fn)(void *), void *arg);
/* Open a log that must be a regular file: 0, or -1 with *err. */
int smslog_open(const char *path, int *fd, char **err);
/* "X.log" -> "X.lo_" (malloc'd), else NULL. */
char *smslog_rollover_path(const char *path);

/* Incremental tail by byte offset. */
struct smslog_tail;
struct smslog_tail *smslog_tail_open(const char *path, const char *package);
/* Deliver entries appended since the last call.  Notices truncation (size
 * shrank: start again from 0) and rotation (inode changed: finish the old
 * file as .lo_, then read the new one from 0).  Returns the number of
 * entries delivered, or -1 with *err. */
long smslog_tail_poll(struct smslog_tail *t, smslog_entry_fn fn, void *arg, char **err);
void smslog_tail_close(struct smslog_tail *t);

const char *smslog_severity_name(enum smslog_severity s);
const char *smslog_format_name(enum smslog_format f);

#endif
