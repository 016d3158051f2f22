/*
 * `dpdoctor log`: read an SMS/ConfigMgr log -- a local file, or a server's
 * distmgr.log: on the simulated site in place, over any other transport
 * through a local copy kept by backend/logmirror -- and print one line per entry as
 * text or JSON Lines, optionally only the entries naming one package, and
 * optionally following the file as it grows (until SIGINT/SIGTERM).  The
 * output is written through our own buffer with a hand-written JSON
 * escaper: building a json-c object per entry would cost several times the
 * parsing itself and could never reach hundreds of MB/s.  Invalid UTF-8 is
 * replaced by U+FFFD in JSON so the output always parses.
 */
#include "autoconf.h"
#include "tui/cli/cli.h"
#include "tui/cli/app.h"
#include "tui/cli/outpipe.h"
#include "backend/sms/logmirror.h"
#include "backend/core/nal.h"
#include "backend/sms/smslog.h"
#include "backend/sms/status.h"
#include "backend/sim/sim.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum log_format { LOG_TEXT, LOG_JSON };

/* Each of the writer's two buffers: 1 MiB, a quarter of the write(2)
 * calls and hand-overs of 256 KiB, for a measurably faster JSON output. */
#define OUT_BYTES ((size_t)1 << 20)

struct par_slot;

struct log_out {
	enum log_format fmt;
	struct outpipe *pipe;   /* writes full buffers beside the parsing */
	struct par_slot *blk;   /* or: a worker's block, whose output is kept
	                           in buffers of its own until written in turn */
	char *buf;              /* the buffer being filled */
	size_t len;
	long entries;
	bool failed;            /* writing stdout failed */
	int werr;               /* the errno of a write of the main thread's own */
	char file[4096];        /* the file whose JSON string is cached */
	char file_json[4096];
	size_t file_json_len;
	struct buf text;        /* an entry's text turned into UTF-8, reused */
	struct buf vis;         /* a text field made visible, reused */
	const char *name_p[2];  /* the severity and format names written last */
	size_t name_n[2];       /* and their lengths */
	bool day_ok;            /* day holds the date of day_n */
	int64_t day_n;
	char day[10];
};

static char *par_chunk_push(struct par_slot *b, size_t len);

/* An entry's text as UTF-8: as written when it is (the usual case, no
 * copy), else read as CP1252, SMS's ANSI code page, into o->text. */
static struct smslog_str
out_text(struct log_out *o, const struct smslog_entry *e)
{
	const char *p = e->text.p ? e->text.p : "";
	if (utf8_valid(p, e->text.n))
		return (struct smslog_str){ p, e->text.n };
	buf_reset(&o->text);
	cp1252_to_utf8(p, e->text.n, &o->text);
	return (struct smslog_str){ o->text.data, o->text.len };
}

struct log_args {
	struct app_args app;
	const char *file, *server, *package;
	bool follow;
	enum log_format fmt;
};

static volatile sig_atomic_t log_stop;

/* Hand the buffer to the writer thread and go on filling the other;
 * o->failed once a write failed. */
static void
out_flush(struct log_out *o)
{
	int e;
	if (o->blk != NULL) {
		o->buf = par_chunk_push(o->blk, o->len);
		o->len = 0;
		return;
	}
	o->buf = outpipe_swap(o->pipe, o->len, &e);
	o->len = 0;
	if (e != 0)
		o->failed = true;
}

/* Everything so far written (a follow's poll, the end): false, errno set,
 * when a write failed. */
static bool
out_sync(struct log_out *o)
{
	out_flush(o);
	int e = outpipe_sync(o->pipe);
	if (e == 0)
		e = o->werr;
	if (e != 0) {
		o->failed = true;
		errno = e;
	}
	return e == 0;
}

static inline char *
out_room(struct log_out *o, size_t n)
{
	if (OUT_BYTES - o->len < n)
		out_flush(o);
	return o->buf + o->len;
}

static void
out_add_slow(struct log_out *o, const char *p, size_t n)
{
	while (n > 0) {
		size_t k = n < OUT_BYTES / 2 ? n : OUT_BYTES / 2;
		memcpy(out_room(o, k), p, k);
		o->len += k;
		p += k;
		n -= k;
	}
}

static inline void
out_add(struct log_out *o, const char *p, size_t n)
{
	if (OUT_BYTES - o->len >= n) {
		if (n > 0) /* slices of absent fields are { NULL, 0 } */
			memcpy(o->buf + o->len, p, n);
		o->len += n;
	} else {
		out_add_slow(o, p, n);
	}
}

#define OUT_LIT(o, s) out_add(o, s, sizeof s - 1)

/* A name from a table of constants (slot 0 severities, 1 formats): its
 * length taken once for each name, not once for each entry. */
static void
out_name(struct log_out *o, int slot, const char *s)
{
	if (o->name_p[slot] != s) {
		o->name_p[slot] = s;
		o->name_n[slot] = strlen(s);
	}
	out_add(o, s, o->name_n[slot]);
}

static void
out_u64(struct log_out *o, uint64_t v)
{
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	    "8081828384858687888990919293949596979899";
	char tmp[24];
	int i = 24;
	while (v >= 100) {
		i -= 2;
		memcpy(tmp + i, pairs + (v % 100) * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		i -= 2;
		memcpy(tmp + i, pairs + v * 2, 2);
	} else {
		tmp[--i] = (char)('0' + v);
	}
	out_add(o, tmp + i, (size_t)(24 - i));
}

/* Bytes the escaper cannot copy as they are: 1 escape, 2 non-ASCII. */
static const unsigned char json_class[256] = {
	[0 ... 31] = 1, ['"'] = 1, ['\\'] = 1, [127] = 1, [128 ... 255] = 2,
};

/* Bytes escaped per reserved stretch of the output buffer: at most six
 * bytes out for each in, plus a UTF-8 sequence running past the stretch
 * and a sixteen-byte store, must fit the buffer (with room to spare, so a
 * reservation seldom flushes a buffer far from full). */
#define ESC_CHUNK ((size_t)32 << 10)
#define ESC_ROOM(n) (6 * (n) + 32)

/* One byte the escaper cannot copy, at q (end: where the string ends, for
 * a UTF-8 sequence): written at w; *used the bytes read.  Returns the
 * bytes written. */
static size_t
escape_one(char *w, const unsigned char *q, const unsigned char *end, size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	*used = 1;
	if (json_class[*q] == 2) {
		size_t u = utf8_decode((const char *)q, (size_t)(end - q), NULL);
		if (u > 0) {
			memcpy(w, q, u);
			*used = u;
			return u;
		}
		memcpy(w, "\\ufffd", 6);
		return 6;
	}
	if (*q == '"' || *q == '\\' || *q == '\n' || *q == '\r' || *q == '\t') {
		w[0] = '\\';
		w[1] = *q == '\n' ? 'n' : *q == '\r' ? 'r' : *q == '\t' ? 't' : (char)*q;
		return 2;
	}
	memcpy(w, "\\u00", 4);
	w[4] = hex[*q >> 4];
	w[5] = hex[*q & 15];
	return 6;
}

/* The second byte of a two-byte escape ('"' and '\\' themselves, n r t), or 0. */
static const char json_esc2[256] = {
	['"'] = '"', ['\\'] = '\\', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
};

/* JSON string contents into w (room reserved) from [p, lim), a UTF-8
 * sequence read up to end: sixteen bytes at a time, each block stored
 * whole and the output advanced only past its plain bytes, so runs are
 * copied as they are found and a quote costs a couple of instructions.
 * Returns where writing ended; *pp where reading did. */
static char *
escape_stretch(char *w, const unsigned char **pp, const unsigned char *lim, const unsigned char *end)
{
	const unsigned char *p = *pp;
	while (p < lim) {
#if defined(__SSE2__)
		const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"');
		const __m128i bsl = _mm_set1_epi8('\\'), del = _mm_set1_epi8(127);
		if (lim - p >= 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)p);
			_mm_storeu_si128((__m128i *)w, x);
			/* signed: below 0x20 is a control or a byte >= 0x80 */
			__m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(x, space), _mm_cmpeq_epi8(x, quote)),
			    _mm_or_si128(_mm_cmpeq_epi8(x, bsl), _mm_cmpeq_epi8(x, del)));
			unsigned m = (unsigned)_mm_movemask_epi8(bad);
			if (m == 0) {
				p += 16;
				w += 16;
				continue;
			}
			unsigned k = (unsigned)__builtin_ctz(m);
			p += k;
			w += k;
		} else
#endif
		{
			/* the tail: a word at a time while none needs escaping */
			const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
			for (uint64_t x; lim - p >= 8; p += 8, w += 8) {
				memcpy(&x, p, 8);
				uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\'), d = x ^ (ones * 127);
				if ((((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) |
				    ((d - ones) & ~d) | x) & high)
					break;
				memcpy(w, &x, 8);
			}
			while (p < lim && json_class[*p] == 0)
				*w++ = (char)*p++;
			if (p == lim)
				break;
		}
		if (json_esc2[*p] != 0) {
			w[0] = '\\';
			w[1] = json_esc2[*p++];
			w += 2;
		} else {
			size_t used;
			w += escape_one(w, p, end, &used);
			p += used;
		}
	}
	*pp = p;
	return w;
}

/* JSON string contents: the output buffer's room is reserved for a
 * stretch of input at a time, and plain runs are copied in bulk into it. */
static void
out_json_escape(struct log_out *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		size_t chunk = (size_t)(end - p) < ESC_CHUNK ? (size_t)(end - p) : ESC_CHUNK;
		char *w0 = out_room(o, ESC_ROOM(chunk));
		o->len += (size_t)(escape_stretch(w0, &p, p + chunk, end) - w0);
	}
}

static void
out_json_str(struct log_out *o, struct smslog_str s)
{
	OUT_LIT(o, "\"");
	out_json_escape(o, s.p, s.n);
	OUT_LIT(o, "\"");
}

/* "YYYY-MM-DDTHH:MM:SS.mmm" (sep between date and time), 23 bytes. */
static void
format_date(char *out, int64_t days)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
	int y = (int)(yoe + era * 400 + (m <= 2));
	char tmp[16];
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y % 10000, m, d);
	memcpy(out, tmp, 10);
}

/* "YYYY-MM-DDTHH:MM:SS.mmm" (sep between date and time), 23 bytes.  The
 * date is cached in o (one per thread): consecutive entries share their day. */
static void
format_time(struct log_out *o, char *out, dpd_time t, int ms, char sep)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int sec = (int)(t - days * 86400);
	if (!o->day_ok || days != o->day_n) {
		format_date(o->day, days);
		o->day_n = days;
		o->day_ok = true;
	}
	memcpy(out, o->day, 10);
	char *w = out + 10;
	w[0] = sep;
	w[1] = (char)('0' + sec / 36000);
	w[2] = (char)('0' + sec / 3600 % 10);
	w[3] = ':';
	w[4] = (char)('0' + sec % 3600 / 600);
	w[5] = (char)('0' + sec % 600 / 60);
	w[6] = ':';
	w[7] = (char)('0' + sec % 60 / 10);
	w[8] = (char)('0' + sec % 10);
	w[9] = '.';
	w[10] = (char)('0' + ms / 100 % 10);
	w[11] = (char)('0' + ms / 10 % 10);
	w[12] = (char)('0' + ms % 10);
}

/* Log text for a terminal: controls, C1 and bytes that are not UTF-8 made
 * visible (text_visible()), so a log line cannot drive the terminal.  The
 * run that needs nothing -- nearly always all of it -- is copied as it is. */
static void
out_visible(struct log_out *o, const char *p, size_t n)
{
	size_t k = text_plain_len(p, n);
	out_add(o, p, k);
	if (k == n)
		return;
	buf_reset(&o->vis);
	buf_add_visible(&o->vis, p + k, n - k);
	out_add(o, o->vis.data, o->vis.len);
}

static void
print_text(struct log_out *o, const struct smslog_entry *e)
{
	static const char *const sev[] = { "INFO ", "WARN ", "ERROR" };
	char t[40];
	if (e->utc != 0) {
		format_time(o, t, e->utc, e->ms, ' ');
		out_add(o, t, 23);
		if (e->utc_known)
			OUT_LIT(o, "Z  ");
		else
			OUT_LIT(o, " (local)  ");
	} else {
		OUT_LIT(o, "-                         ");
	}
	out_add(o, sev[e->severity], 5);
	OUT_LIT(o, "  ");
	if (e->component.n > 0)
		out_visible(o, e->component.p, e->component.n);
	else
		OUT_LIT(o, "-");
	OUT_LIT(o, "  ");
	/* SMS writes its logs in the ANSI code page: UTF-8 out, then made
	 * visible (a CP1252 byte CP1252 leaves undefined is a C1 control). */
	struct smslog_str text = out_text(o, e);
	out_visible(o, text.p, text.n);
	OUT_LIT(o, "\n");
}

static void
print_statmsg(struct log_out *o, const struct smslog_statmsg *m)
{
	OUT_LIT(o, ",\"statmsg\":{\"id\":");
	out_u64(o, (uint64_t)(m->id < 0 ? 0 : m->id));
	OUT_LIT(o, ",\"sev\":");
	char sev = m->sev;
	out_json_str(o, (struct smslog_str){ &sev, sev ? 1 : 0 });
	OUT_LIT(o, ",\"comp\":");
	out_json_str(o, m->comp);
	OUT_LIT(o, ",\"sys\":");
	out_json_str(o, m->sys);
	OUT_LIT(o, ",\"site\":");
	out_json_str(o, m->site);
	OUT_LIT(o, ",\"istr\":[");
	for (int i = 0; i < m->nistr; i++) {
		if (i > 0)
			OUT_LIT(o, ",");
		out_json_str(o, m->istr[i]);
	}
	OUT_LIT(o, "],\"attrs\":{");
	for (int i = 0; i < m->nattr; i++) {
		if (i > 0)
			OUT_LIT(o, ",");
		OUT_LIT(o, "\"");
		out_u64(o, (uint64_t)(m->attr[i].id < 0 ? 0 : m->attr[i].id));
		OUT_LIT(o, "\":");
		out_json_str(o, m->attr[i].value);
	}
	OUT_LIT(o, "}}");
}

static void
print_json(struct log_out *o, const struct smslog_entry *e)
{
	OUT_LIT(o, "{\"time\":");
	if (e->utc != 0) {
		char t[26];
		t[0] = '"';
		format_time(o, t + 1, e->utc, e->ms, 'T');
		size_t n = 24;
		if (e->utc_known)
			t[n++] = 'Z';
		t[n++] = '"';
		out_add(o, t, n);
	} else {
		OUT_LIT(o, "null");
	}
	OUT_LIT(o, ",\"local\":");
	out_json_str(o, e->local);
	OUT_LIT(o, ",\"zone\":");
	out_json_str(o, e->zone);
	OUT_LIT(o, ",\"component\":");
	out_json_str(o, e->component);
	OUT_LIT(o, ",\"thread\":");
	out_u64(o, e->thread);
	OUT_LIT(o, ",\"severity\":\"");
	out_name(o, 0, smslog_severity_name(e->severity));
	OUT_LIT(o, "\",\"message\":");
	out_json_str(o, out_text(o, e));
	OUT_LIT(o, ",\"format\":\"");
	out_name(o, 1, smslog_format_name(e->format));
	/* Only when true: what it read of the line is all there was. */
	if (e->trailer_cut)
		OUT_LIT(o, "\",\"trailer_cut\":true,\"file\":");
	else
		OUT_LIT(o, "\",\"file\":");
	if (e->file != NULL && strcmp(e->file, o->file) == 0 && o->file_json_len > 0) {
		out_add(o, o->file_json, o->file_json_len);
	} else if (e->file != NULL) {
		/* Escape once per file, then copy (when it fits the cache, and
		 * no flush came between: the room is reserved first). */
		size_t fl = strlen(e->file);
		if (fl < sizeof o->file)
			out_room(o, ESC_ROOM(fl) + 2);
		const char *b = o->buf;
		size_t at = o->len;
		out_json_str(o, (struct smslog_str){ e->file, fl });
		if (o->buf == b && o->len >= at && o->len - at <= sizeof o->file_json && fl < sizeof o->file) {
			strcpy(o->file, e->file);
			o->file_json_len = o->len - at;
			memcpy(o->file_json, o->buf + at, o->file_json_len);
		}
	} else {
		OUT_LIT(o, "null");
	}
	OUT_LIT(o, ",\"offset\":");
	out_u64(o, e->offset);
	OUT_LIT(o, ",\"line\":");
	out_u64(o, e->lineno);
	if (e->truncated)
		OUT_LIT(o, ",\"truncated\":true");
	if (e->cut)
		OUT_LIT(o, ",\"cut\":true");
	if (e->statmsg != NULL)
		print_statmsg(o, e->statmsg);
	OUT_LIT(o, "}\n");
}

/* A worker's block keeps its warnings with its output, said when the
 * block is written (not at all when it is read again in order). */
static struct buf *par_warnings(struct par_slot *b);

static void
log_warn_cut(struct log_out *o, const struct smslog_entry *e)
{
	static const char fmt[] = "dpdoctor log: %s:%zu: entry longer than %zu MiB, cut there\n";
	const char *file = e->file != NULL ? e->file : "-";
	if (o->blk != NULL)
		buf_printf(par_warnings(o->blk), fmt, file, e->lineno, SMSLOG_ENTRY_MAX >> 20);
	else
		fprintf(stderr, fmt, file, e->lineno, SMSLOG_ENTRY_MAX >> 20);
}

static int
log_entry(const struct smslog_entry *e, void *arg)
{
	struct log_out *o = arg;
	if (o->fmt == LOG_JSON) {
		print_json(o, e);
	} else {
		print_text(o, e);
		/* The JSON carries "cut"; text has no field for it, and a cut
		 * must never pass without a word. */
		if (e->cut)
			log_warn_cut(o, e);
	}
	o->entries++;
	return o->failed ? 1 : 0;
}

/*
 * A whole file without --package is parsed on two worker threads: the
 * parse is CPU-bound and the machine has cores to spare.  The main thread
 * maps the file and cuts it into blocks (PAR_BLOCK, cut where an entry
 * surely starts, its first line number counted; no copy: the workers read
 * the mapping, a file that shrinks under it an error, not a SIGBUS),
 * workers parse them in turn each into
 * output buffers of the block's own, and the main thread writes the
 * blocks' output in file order.  PAR_SLOTS blocks at most are in flight,
 * so memory stays bounded whatever the file.  What a file carries from
 * entry to entry is only its viewer dates' order: a block whose parse
 * might have read a date otherwise than a read in order would (it guessed,
 * or learned an order other than the one the blocks before it showed) is
 * not written; the file is read again in order from its start instead,
 * the entries already written held back (so its date-order probes see
 * what a read in order sees), as it is when no cut is found within
 * PAR_GROW_MAX (one entry longer).  A worker's warnings (a cut entry) go
 * out with its block's output, so a block not written says nothing.
 */
#define PAR_BLOCK ((size_t)4 << 20)
#define PAR_GROW_MAX ((size_t)16 << 20)
#define PAR_SLOTS 4
#define PAR_WORKERS 2

enum par_state { PAR_FREE, PAR_READY, PAR_BUSY, PAR_DONE };

struct par_slot {
	enum par_state state;
	const char *in;         /* the block's bytes, in the mapped file */
	size_t in_len;
	bool shrank;            /* the file shrank under its parse */
	struct buf warn;        /* its warnings, for stderr when it is written */
	uint64_t base;          /* its offset in the file */
	size_t lineno;          /* its first line's number */
	int order_in, order;    /* the date order it was parsed with, and after */
	bool guessed;
	long entries;
	char **chunk;           /* its output: nchunk buffers of OUT_BYTES, */
	size_t *chunk_len;      /* this much of each; nalloc allocated */
	size_t nchunk, nalloc;
};

struct par {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct par_slot slot[PAR_SLOTS];
	size_t filled, parsed;  /* blocks handed to workers, taken by them */
	bool quit;
	const char *file;
	size_t block;           /* bytes read per block */
};

struct par_worker {
	struct par *p;
	struct log_out o;
	pthread_t th;
};

static struct buf *
par_warnings(struct par_slot *b)
{
	return &b->warn;
}

/* Chunk i of b's output, allocated on first use and kept for later blocks. */
static char *
par_chunk_at(struct par_slot *b, size_t i)
{
	if (i >= b->nalloc) {
		b->chunk = xrealloc(b->chunk, (i + 1) * sizeof *b->chunk);
		b->chunk_len = xrealloc(b->chunk_len, (i + 1) * sizeof *b->chunk_len);
		b->chunk[i] = xmalloc(OUT_BYTES);
		b->nalloc = i + 1;
	}
	return b->chunk[i];
}

/* The current chunk is full at len: the next one to fill. */
static char *
par_chunk_push(struct par_slot *b, size_t len)
{
	b->chunk_len[b->nchunk++] = len;
	return par_chunk_at(b, b->nchunk);
}

static void
par_parse_guarded(void *arg)
{
	struct par_worker *w = arg;
	struct par_slot *b = w->o.blk;
	/* log_entry never stops a worker: writing is the main thread's */
	(void)smslog_parse_block(b->in, b->in_len, b->base, b->lineno, w->p->file, &b->order,
	    &b->guessed, log_entry, &w->o);
}

static void
par_parse(struct par_worker *w, struct par_slot *b)
{
	struct log_out *o = &w->o;
	o->blk = b;
	b->nchunk = 0;
	buf_reset(&b->warn);
	o->buf = par_chunk_at(b, 0);
	o->len = 0;
	o->entries = 0;
	b->order = b->order_in;
	b->shrank = smslog_guarded(par_parse_guarded, w) != 0;
	b->chunk_len[b->nchunk++] = o->len;
	b->entries = o->entries;
	o->blk = NULL;
}

static void *
par_worker_main(void *arg)
{
	struct par_worker *w = arg;
	struct par *p = w->p;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->quit && p->parsed == p->filled)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->quit)
			break;
		struct par_slot *b = &p->slot[p->parsed++ % PAR_SLOTS];
		b->state = PAR_BUSY;
		pthread_mutex_unlock(&p->mu);
		par_parse(w, b);
		pthread_mutex_lock(&p->mu);
		b->state = PAR_DONE;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* What the main thread cuts the file with: the file mapped whole (the
 * pages of blocks written are let go, so memory stays bounded). */
struct par_reader {
	const char *map;
	uint64_t size;
	uint64_t off;           /* where the next block starts */
	size_t lineno;          /* its first line's number */
	uint64_t open_at;       /* for smslog_block_cut */
};

enum par_fill { PAR_FILLED, PAR_EMPTY, PAR_ERROR, PAR_NOCUT };

struct par_cut {
	size_t block;
	struct par_reader *r;
	struct par_slot *b;
	enum par_fill f;
};

/* The next block into c->b: from the reader's offset up to a cut, grown
 * a block at a time while there is none (the search only when the new
 * bytes hold a line end: a long line costs no search over all of it). */
static void
par_cut_block(void *arg)
{
	struct par_cut *c = arg;
	struct par_reader *r = c->r;
	struct par_slot *b = c->b;
	uint64_t left = r->size - r->off;
	c->f = PAR_EMPTY;
	if (left == 0)
		return;
	b->in = r->map + r->off;
	b->base = r->off;
	b->lineno = r->lineno;
	size_t cut = 0, len = 0;
	while (cut == 0) {
		size_t had = len;
		len = left - len > c->block ? len + c->block : (size_t)left;
		if (len == left) {
			cut = len;
		} else if (len > PAR_GROW_MAX) {
			c->f = PAR_NOCUT;
			return;
		} else if (memchr(b->in + had, '\n', len - had) != NULL) {
			cut = smslog_block_cut(b->in, len, b->base, &r->open_at);
		}
	}
	b->in_len = cut;
	r->off += cut;
	r->lineno += smslog_count_lines(b->in, cut);
	c->f = PAR_FILLED;
}

static enum par_fill
par_fill(struct par *p, struct par_reader *r, struct par_slot *b, char **err)
{
	struct par_cut c = { .block = p->block, .r = r, .b = b };
	if (smslog_guarded(par_cut_block, &c) != 0) {
		err_set(err, "%s: the file shrank while it was read", p->file);
		return PAR_ERROR;
	}
	return c.f;
}

/* Let the pages of a block written go (they stay in the page cache). */
static void
par_release(const struct par_reader *r, const struct par_slot *b)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t page = pg > 0 ? (uint64_t)pg : 4096;
	uint64_t lo = (b->base + page - 1) / page * page, hi = (b->base + b->in_len) / page * page;
	if (hi > lo)
		(void)madvise((char *)r->map + lo, (size_t)(hi - lo), MADV_DONTNEED);
}

/* Whether b's output is what a read in order gives, the order the blocks
 * before it showed being truth (it only ever goes from unknown to known). */
static bool
par_exact(const struct par_slot *b, int truth)
{
	if (b->guessed)
		return false;
	return b->order_in == truth || b->order == b->order_in || b->order == truth;
}

/* Write b's output to stdout: false (o->failed, o->werr) when it failed. */
static bool
par_write(struct log_out *o, const struct par_slot *b)
{
	if (b->warn.len > 0)
		fwrite(b->warn.data, 1, b->warn.len, stderr); /* as fprintf, unchecked */
	for (size_t i = 0; i < b->nchunk; i++) {
		if (fd_write_all(STDOUT_FILENO, b->chunk[i], b->chunk_len[i]) != 0) {
			o->failed = true;
			o->werr = errno ? errno : EIO;
			return false;
		}
	}
	o->entries += b->entries;
	return true;
}

/* A block a worker finished, in file order: written, or dropped when the
 * file is to be read in order from it or from before it (*seq_off). */
static void
par_settle(struct log_out *o, struct par_slot *b, int *order, int *rc, bool *seq,
    uint64_t *seq_off, size_t *seq_line)
{
	if (*rc != 0 || o->failed || (*seq && b->base >= *seq_off))
		return;
	if (!par_exact(b, *order)) {
		*seq = true;
		*seq_off = b->base;
		*seq_line = b->lineno;
		return;
	}
	if (*order == 0)
		*order = b->order;
	(void)par_write(o, b); /* o->failed: nothing more is written */
}

static void
par_hand(struct par *p, struct par_slot *b, int order)
{
	pthread_mutex_lock(&p->mu);
	b->order_in = order;
	b->state = PAR_READY;
	p->filled++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

struct par_skip {
	struct log_out *o;
	uint64_t from;          /* the entries before were written already */
};

static int
par_skip_entry(const struct smslog_entry *e, void *arg)
{
	struct par_skip *k = arg;
	return e->offset < k->from ? 0 : log_entry(e, k->o);
}

/* One file on the workers, then in order from where they could not go on.
 * 0, or -1 with *err, or with o->failed (errno set) when writing failed. */
static int
par_file(struct par *p, struct log_out *o, int fd, const char *path, int *order, char **err)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size <= 0)
		return 0; /* nothing to parse (fstat of an open file does not fail) */
	struct par_reader r = { .size = (uint64_t)st.st_size, .lineno = 1, .open_at = UINT64_MAX };
	int order0 = *order;
	void *m = mmap(NULL, (size_t)r.size, PROT_READ, MAP_SHARED, fd, 0);
	size_t written = p->filled;
	uint64_t seq_off = 0;
	size_t seq_line = 1; /* kept for the record; the read in order counts its own */
	bool seq = m == MAP_FAILED; /* then all of it in order */
	int rc = 0;
	r.map = m;
	p->file = path;
	for (;;) {
		while (rc == 0 && !o->failed && !seq && r.off < r.size && p->filled - written < PAR_SLOTS) {
			struct par_slot *b = &p->slot[p->filled % PAR_SLOTS];
			enum par_fill f = par_fill(p, &r, b, err);
			if (f == PAR_ERROR) {
				rc = -1;
			} else if (f == PAR_NOCUT) {
				seq = true;
				seq_off = b->base;
				seq_line = b->lineno;
			} else if (f == PAR_FILLED) {
				par_hand(p, b, *order);
			}
		}
		if (written == p->filled)
			break;
		struct par_slot *b = &p->slot[written++ % PAR_SLOTS];
		pthread_mutex_lock(&p->mu);
		while (b->state != PAR_DONE)
			pthread_cond_wait(&p->cv, &p->mu);
		b->state = PAR_FREE;
		pthread_mutex_unlock(&p->mu);
		if (b->shrank && rc == 0) {
			err_set(err, "%s: the file shrank while it was read", path);
			rc = -1;
		}
		par_settle(o, b, order, &rc, &seq, &seq_off, &seq_line);
		par_release(&r, b);
	}
	if (m != MAP_FAILED)
		munmap(m, (size_t)r.size);
	if (rc == 0 && seq && !o->failed) {
		/* From the start, as a read in order reads it (its date-order
		 * probes see the same windows), the entries written kept back. */
		struct par_skip k = { .o = o, .from = seq_off };
		*order = order0;
		rc = smslog_read_from(fd, path, 0, 1, order, par_skip_entry, &k, err);
		if (rc > 0) /* log_entry stopped it: writing failed */
			rc = 0;
		/* written before the next file's blocks are, on this thread */
		(void)out_sync(o); /* a failure is o->failed */
	}
	return rc;
}

/* The block size the parallel read uses: DPDOCTOR_LOG_BLOCK (bytes) lets
 * the tests put block boundaries anywhere; 0 reads in order. */
static size_t
par_block_size(void)
{
	const char *v = getenv("DPDOCTOR_LOG_BLOCK");
	if (v == NULL || *v == '\0')
		return PAR_BLOCK;
	char *end;
	unsigned long long n = strtoull(v, &end, 10);
	return *end == '\0' ? (size_t)n : PAR_BLOCK;
}

static int
par_open_file(struct par *p, struct log_out *o, const char *path, int *order, char **err)
{
	int fd;
	if (smslog_open(path, &fd, err) != 0)
		return -1;
	int rc = par_file(p, o, fd, path, order, err);
	close(fd);
	return rc;
}

static void
par_stop(struct par *p, struct par_worker *w, int n)
{
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].th, NULL);
		buf_free(&w[i].o.text);
		buf_free(&w[i].o.vis);
	}
}

/* smslog_read_file without a package filter, on the workers (in order
 * when they cannot start).  0, or -1 with *err or o->failed. */
static int
log_read_par(const char *path, struct log_out *o, char **err)
{
	struct par *p = xcalloc(1, sizeof *p);
	struct par_worker w[PAR_WORKERS];
	int started = 0, rc = 0, order = 0;
	p->block = par_block_size();
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	memset(w, 0, sizeof w);
	while (p->block > 0 && started < PAR_WORKERS) {
		w[started].p = p;
		w[started].o.fmt = o->fmt;
		if (pthread_create(&w[started].th, NULL, par_worker_main, &w[started]) != 0)
			break;
		started++;
	}
	if (started == 0) {
		rc = smslog_read_file(path, NULL, log_entry, o, err);
	} else {
		char *lo = smslog_rollover_path(path);
		struct stat st;
		if (lo != NULL && stat(lo, &st) == 0 && S_ISREG(st.st_mode))
			rc = par_open_file(p, o, lo, &order, err);
		free(lo);
		if (rc == 0 && !o->failed)
			rc = par_open_file(p, o, path, &order, err);
	}
	par_stop(p, w, started);
	for (int i = 0; i < PAR_SLOTS; i++) {
		struct par_slot *b = &p->slot[i];
		for (size_t k = 0; k < b->nalloc; k++)
			free(b->chunk[k]);
		free(b->chunk);
		free(b->chunk_len);
		buf_free(&b->warn);
	}
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
	return rc;
}

static const char log_usage[] =
	"usage: dpdoctor log (FILE | --file FILE | --server NAME) [--demo[=DIR]] [-c FILE]\n"
	"                    [--package PKGID] [--follow] [--format text|json]\n"
	"  Print the entries of an SMS/ConfigMgr log: a local file (X.lo_ is read\n"
	"  before X.log), or NAME's distmgr.log on the site.  --package keeps the\n"
	"  entries naming that package; --follow keeps reading until interrupted.\n"
	"  Exit 0 when entries were printed, 1 when none matched, 2 on error.\n";

/* Returns -1 to go on, else an exit code. */
static int
log_parse_args(int argc, char **argv, struct log_args *a)
{
	static const struct option opts[] = {
		APP_SITE_OPTIONS,
		{ "file", required_argument, NULL, 'F' },
		{ "server", required_argument, NULL, 'V' },
		{ "package", required_argument, NULL, 'p' },
		{ "follow", no_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	optind = 1;
	while ((ch = cli_getopt("log", log_usage, argc, argv, "c:fh", opts)) != -1) {
		if (app_site_option(ch, optarg, &a->app))
			continue;
		switch (ch) {
		case 'F': a->file = optarg; break;
		case 'V': a->server = optarg; break;
		case 'p': a->package = optarg; break;
		case 'f': a->follow = true; break;
		case 'o':
			if (strcmp(optarg, "text") == 0) {
				a->fmt = LOG_TEXT;
			} else if (strcmp(optarg, "json") == 0) {
				a->fmt = LOG_JSON;
			} else {
				fprintf(stderr, "dpdoctor log: --format %s: use text or json\n", optarg);
				return 2;
			}
			break;
		case 'h': fputs(log_usage, stdout); return 0;
		default: return 2;
		}
	}
	/* `log FILE` is `log --file FILE`, as less and tail take their file. */
	if (optind < argc && a->file == NULL && a->server == NULL)
		a->file = argv[optind++];
	if (optind < argc)
		return cli_usage_error("log", log_usage, "unexpected argument \"%s\"", argv[optind]);
	if ((a->file == NULL) == (a->server == NULL))
		return cli_usage_error("log", log_usage, "give one of FILE, --file FILE or "
		    "--server NAME");
	if (a->package != NULL && !pkgid_valid(a->package)) {
		fprintf(stderr, "dpdoctor log: --package %s: a package ID is the 3-character "
		    "site code and 5 hex digits (e.g. 009000B7)\n", a->package);
		return 2;
	}
	if (a->server != NULL && !servername_valid(a->server)) {
		fprintf(stderr, "dpdoctor log: --server %s: not a valid server name\n", a->server);
		return 2;
	}
	return -1;
}

/* The demo directory app_open() used (same rule as tui/cli/app.c). */
static char *
log_demo_dir(const struct app_args *a)
{
	if (a->demo_dir != NULL)
		return xstrdup(a->demo_dir);
	const char *scenario = a->demo_scenario ? a->demo_scenario : "default";
	char *state = app_state_dir();
	char *dir = strcmp(scenario, "default") == 0 ? xasprintf("%s/demo", state) :
	    xasprintf("%s/demo-%s", state, scenario);
	free(state);
	return dir;
}

/* The simulated server's folder name, matched without regard to case. */
static char *
log_sim_server(const char *dir, const char *server)
{
	char *servers = xasprintf("%s/servers", dir);
	DIR *d = opendir(servers);
	char *found = NULL;
	struct dirent *de;
	while (d != NULL && found == NULL && (de = readdir(d)) != NULL)
		if (strcasecmp(de->d_name, server) == 0)
			found = xstrdup(de->d_name);
	if (d != NULL)
		closedir(d);
	free(servers);
	return found;
}

/* A server reached over a real transport: its log is mirrored into the
 * cache through the app's transport (kept open for --follow). */
struct log_remote {
	struct app app;
	bool open;
	char *server;           /* as the configuration spells it */
	struct snapshot *sites; /* the site list, read once: a site server's
	                         * InstallDir is where SMS is when its own
	                         * transport (SMB) cannot read the registry */
};

#define LOG_FETCH_MS (300 * 1000)

/* Sync the server's distmgr.log (and its rollover) into the cache; the
 * local copy's path, or NULL with the message printed. */
static char *
log_remote_fetch(struct log_remote *r)
{
	struct deadline dl = { .at_ms = clock_mono_ms() + LOG_FETCH_MS };
	char *path = NULL, *err = NULL;
	/* The SMS folder is the server's layout (no drive is assumed), learned
	 * once and kept in the app's cache for the syncs of --follow. */
	struct site_env env;
	app_site_env(&r->app, &env);
	if (r->sites == NULL)
		r->sites = status_fetch_sites(r->app.t, r->app.site, r->app.provider, &dl);
	if (logmirror_fetch_env(&env, r->sites, r->server, &dl, &path, &err) != 0) {
		fprintf(stderr, "dpdoctor log: --server %s: %s\n", r->server, err ? err : "failed");
		free(err);
		return NULL;
	}
	return path;
}

static void
log_remote_close(struct log_remote *r)
{
	if (r->open)
		app_close(&r->app);
	free(r->server);
	snapshot_free(r->sites);
	memset(r, 0, sizeof *r);
}

/* The simulated site's copy of NAME's distmgr.log (dir is the site). */
static char *
log_sim_path(const char *dir, const char *server, const char *sms)
{
	char *name = log_sim_server(dir, server);
	if (name == NULL) {
		fprintf(stderr, "dpdoctor log: --server %s: no such server in the simulated site %s\n",
		    server, dir);
		return NULL;
	}
	char *win = xasprintf("%s\\Logs\\distmgr.log", sms);
	char *path = sim_server_path(dir, name, win);
	if (path == NULL)
		fprintf(stderr, "dpdoctor log: --server %s: bad SMS path %s\n", server, sms);
	free(win);
	free(name);
	return path;
}

/* The SMS folder of a simulated server: the [server] section's sms_path,
 * else its layout as the simulated site answers it (servers keep SMS on
 * D:, E: or F:; a plain DP has none).  malloc'd, or NULL (message printed). */
static char *
log_sim_sms(struct app *app, const struct config_server *srv, const char *server)
{
	if (srv != NULL && srv->sms_path != NULL)
		return xstrdup(srv->sms_path);
	struct site_env env;
	app_site_env(app, &env);
	struct deadline dl = { .at_ms = clock_mono_ms() + LOG_FETCH_MS };
	struct layout l;
	char *err = NULL, *sms = NULL;
	if (layout_get(&env, NULL, server, &dl, &l, &err) != 0) {
		fprintf(stderr, "dpdoctor log: --server %s: %s\n", server, err ? err : "no layout");
		free(err);
		return NULL;
	}
	if (l.sms_dir != NULL)
		sms = xstrdup(l.sms_dir);
	else
		fprintf(stderr, "dpdoctor log: --server %s: %s has no SMS install (a DP only); its "
		    "distribution is logged in its site server's distmgr.log\n", server, server);
	layout_clear(&l);
	return sms;
}

/* The local path of --server NAME's distmgr.log, or NULL (message printed).
 * The simulated site's file is read in place; a server over another
 * transport is mirrored first, and r keeps the app open for later syncs. */
static char *
log_server_path(const struct log_args *a, struct log_remote *r)
{
	struct app *app = &r->app;
	if (app_open(app, &a->app) != 0)
		return NULL;
	r->open = true;
	char *dir = NULL, *path = NULL;
	const struct config_server *srv = NULL;
	if (a->app.demo) {
		dir = log_demo_dir(&a->app);
	} else {
		srv = config_server(&app->cfg, a->server);
		if (srv == NULL && app->sim_dir != NULL) {
			fprintf(stderr, "dpdoctor log: --server %s: %s has no [server %s] section\n",
			    a->server, app->cfg.path ? app->cfg.path : "the configuration", a->server);
			return NULL;
		}
		/* A server without a section of its own is reached from the WMI
		 * host by its admin share, as the evidence is. */
		if (srv == NULL || srv->transport != CONFIG_TRANSPORT_SIM) {
			r->server = xstrdup(srv ? srv->name : a->server);
			return log_remote_fetch(r);
		}
		dir = xstrdup(app->cfg.sim_dir ? app->cfg.sim_dir : ".");
	}
	/* A name the simulated site lacks is said so before its layout is
	 * asked (which would only say that nothing answered). */
	char *name = log_sim_server(dir, a->server);
	char *sms = name != NULL ? log_sim_sms(app, srv, a->server) : NULL;
	if (name == NULL)
		fprintf(stderr, "dpdoctor log: --server %s: no such server in the simulated site "
		    "%s\n", a->server, dir);
	free(name);
	if (sms != NULL)
		path = log_sim_path(dir, a->server, sms);
	free(sms);
	free(dir);
	return path;
}

static void
log_on_signal(int sig)
{
	(void)sig;
	log_stop = 1;
}

static int
log_follow(const char *path, const char *package, struct log_out *o, struct log_remote *r)
{
	struct sigaction sa = { .sa_handler = log_on_signal };
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
		perror("dpdoctor log: sigaction");
		return -1;
	}
	char *err = NULL;
	size_t n = strlen(path);
	if (n >= 4 && strcasecmp(path + n - 4, ".log") == 0) {
		char *lo = xstrdup(path);
		lo[n - 1] = '_';
		struct stat st;
		int rc = stat(lo, &st) == 0 ? smslog_read_file(lo, package, log_entry, o, &err) : 0;
		free(lo);
		if (rc < 0) {
			fprintf(stderr, "dpdoctor log: %s\n", err);
			free(err);
			return -1;
		}
	}
	struct smslog_tail *t = smslog_tail_open(path, package);
	int rc = 0;
	int64_t next_fetch = 0;
	while (!log_stop && !o->failed) {
		/* A mirrored log grows only when we fetch, every refresh interval
		 * (not every poll: each is a round trip to the server); a failed
		 * fetch is said and tried again, as a network hiccup should not
		 * end a follow. */
		int64_t now = clock_mono_ms();
		if (r->server != NULL && now >= next_fetch) {
			free(log_remote_fetch(r));
			next_fetch = now + (int64_t)(r->app.cfg.refresh_seconds > 0 ? r->app.cfg.refresh_seconds : 30) * 1000;
		}
		if (smslog_tail_poll(t, log_entry, o, &err) < 0) {
			fprintf(stderr, "dpdoctor log: %s\n", err);
			free(err);
			rc = -1;
			break;
		}
		(void)out_sync(o); /* o->failed ends the loop */
		struct timespec ts = { 0, 500 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	smslog_tail_close(t);
	return rc;
}

int
cli_log(int argc, char **argv)
{
	struct log_args a = {0};
	int rc = log_parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	struct log_remote remote = {0};
	char *path = a.file ? xstrdup(a.file) : log_server_path(&a, &remote);
	if (path == NULL) {
		log_remote_close(&remote);
		return 2;
	}
	struct log_out o = { .fmt = a.fmt, .pipe = outpipe_open(STDOUT_FILENO, OUT_BYTES) };
	o.buf = outpipe_buf(o.pipe);
	char *err = NULL;
	if (a.follow) {
		rc = log_follow(path, a.package, &o, &remote);
	} else if ((rc = a.package == NULL ? log_read_par(path, &o, &err) :
	    smslog_read_file(path, a.package, log_entry, &o, &err)) < 0) {
		fprintf(stderr, "dpdoctor log: %s\n", err);
		free(err);
	}
	if (!out_sync(&o) && rc >= 0) {
		fprintf(stderr, "dpdoctor log: writing output: %s\n", strerror(errno));
		rc = -1;
	}
	(void)outpipe_close(o.pipe); /* its error, if any, was said above */
	buf_free(&o.text);
	buf_free(&o.vis);
	free(path);
	log_remote_close(&remote);
	return rc < 0 ? 2 : o.entries > 0 ? 0 : 1;
}
