/*
 * Small shared helpers for the backend: allocation that never returns NULL
 * (an allocation failure in a terminal tool is not recoverable in any useful
 * way, so we stop loudly like tmux's xmalloc), a growable byte buffer used
 * for script output and rendered text, error strings that carry "where and
 * why", UTC time conversion for the ISO 8601 text our protocol uses, the
 * one UTF-8 decoder, enum <-> name tables and a write(2) that writes all.
 */
#ifndef DPD_UTIL_H
#define DPD_UTIL_H

#include <sys/types.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* qsort(3) for an array that may be empty: an empty array is often NULL,
 * and qsort(NULL, 0, ...) is undefined (UBSan stops on it); every sort in
 * the tree goes through here. */
void array_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* A growable, always NUL-terminated byte buffer. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};
void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
/* CRLF to LF in place (Windows replies); a lone CR stays. */
void buf_crlf_to_lf(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *buf_detach(struct buf *b);

/*
 * Error reporting: functions that can fail take `char **err` and, on
 * failure, store a malloc'd message there (caller frees).  err may be NULL.
 */
void err_set(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Time: seconds since the epoch, UTC.  0 means "unknown". */
typedef int64_t dpd_time;
/* Parse "YYYY-MM-DDTHH:MM:SSZ" (seconds and Z required). -1 on error. */
int time_parse_iso(const char *s, dpd_time *out);
/* Format as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes); "" for 0. */
void time_format_iso(dpd_time t, char out[static 21]);
/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
int64_t time_days_from_civil(int y, int m, int d);
/* Wall clock, milliseconds, monotonic (for deadlines). */
int64_t clock_mono_ms(void);
/* When a call must give up: a monotonic deadline and a cancel flag that
 * another thread may raise at any time. */
struct deadline {
	int64_t at_ms;              /* clock_mono_ms() value; 0 = none */
	const atomic_bool *cancel;  /* may be NULL */
};
bool deadline_passed(const struct deadline *d);

/* The one UTF-8 decoder: the code point at s[0..len), its length in bytes
 * (1-4) returned and the value in *cp (cp may be NULL); 0 when the bytes
 * there are not well-formed UTF-8 (overlong, a surrogate, past U+10FFFF,
 * cut short) or len is 0. */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Well-formed UTF-8 in s[0..len): no overlongs, surrogates or values past
 * U+10FFFF (NUL bytes are the caller's business). */
bool utf8_valid(const char *s, size_t len);
/* A file name against a Windows wildcard: * any run, ? one character,
 * any case (ASCII), as FindFirstFile matches. */
bool wildcard_match(const char *pat, const char *name);
/* Text in Windows' ANSI code page as UTF-8: SMS 2003 writes its logs in
 * CP1252 on the servers dpdoctor knows.  Each byte from 0x80 is its CP1252
 * character; the five bytes CP1252 leaves undefined become U+0081 etc., as
 * .NET decodes them.  Appended to out. */
void cp1252_to_utf8(const char *s, size_t len, struct buf *out);
/* A log line for people, appended to out: kept as it is when it is
 * already well-formed UTF-8, else read as CP1252 (NUL bytes kept). */
void text_utf8(const char *s, size_t len, struct buf *out);
dpd_time clock_real(void);

/*
 * Text from a file or a server shown on a terminal: nothing in it may move
 * the cursor, clear the screen or switch modes, and a byte that is not
 * UTF-8 must not be dropped silently.  The one rule, for every text output
 * and every view: a C0 control (tab excepted), DEL, a C1 control (U+0080 to
 * U+009F written as UTF-8) and a byte that is not well-formed UTF-8 become
 * "\xNN" (newline and carriage return "\n" and "\r"); a tab becomes a
 * space, since its width depends on the column it lands in.  Backslashes
 * stay as they are: Windows paths are full of them.
 */
/* Bytes at the start of s[0..n) that are shown as they are. */
size_t text_plain_len(const char *s, size_t n);
/* The character at s[0..n) (n > 0) as shown: its shown form in out (NUL
 * terminated, at most 4 bytes plus the NUL when it needs one, else the
 * character itself), the bytes of s it took returned. */
size_t text_visible_one(const char *s, size_t n, char out[static 8]);
/* s[0..n) as shown, appended to b. */
void buf_add_visible(struct buf *b, const char *s, size_t n);
/* NUL-terminated s as shown, malloc'd (NULL gives ""). */
char *text_visible(const char *s);

/* An enum's values and their names, for tables that map both ways (an
 * X-macro table expands into one).  Entries may be in any order; lookups
 * are linear (these tables are short) with a shortcut when t[v] is v. */
struct enum_name {
	int value;
	const char *name;
};
#define ENUM_NAMES_COUNT(t) (sizeof(t) / sizeof((t)[0]))
/* v's name in the n entries of t, or `unknown` when none has value v. */
const char *enum_name(const struct enum_name *t, size_t n, int v, const char *unknown);
/* The value named `name` (ASCII case ignored when nocase), or -1. */
int enum_lookup(const struct enum_name *t, size_t n, const char *name, bool nocase);

/* write(2) all of data to fd, again after EINTR and short writes.  0, or
 * -1 with errno set (EIO when write() wrote nothing). */
int fd_write_all(int fd, const void *data, size_t len);
/* Read a whole file (bounded by max bytes). */
int file_read_all(const char *path, size_t max, struct buf *out, char **err);
/* Write a file atomically (temp file + fsync + rename). */
int file_write_atomic(const char *path, const void *data, size_t len, char **err);
/* mkdir -p with mode 0755 (0700 for the leaf when private is true). */
int dir_make_all(const char *path, bool private_leaf, char **err);

/* What a file that is not regular is, for a reader that refuses it:
 * "is a directory", "is a device", "is a FIFO", "is a socket", else "is
 * not a regular file".  (A device such as /dev/zero never ends; a FIFO
 * waits for a writer.) */
const char *file_type_words(mode_t m);

#endif
