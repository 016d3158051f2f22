/*
 * Cutting SMS/ConfigMgr logs into entries and handing each to a callback:
 * whole buffers, files (the .lo_ rollover before the .log) and an
 * incremental tail.  Files are read through one window at a time (4 MiB,
 * mapped for a file read whole, else read by pread, with 64 KiB of
 * history kept for multi-line CMTrace entries) so memory stays
 * bounded whatever the file; a line longer than 1 MiB is delivered cut at
 * 1 MiB and the rest of it skipped.  With a package filter the window is
 * searched for the package ID with memmem first and only the lines holding
 * it are parsed -- that is what lets `dpdoctor log --package` keep up with
 * grep -F.  No allocation happens per line.  What a file shows about its
 * viewer dates' order lasts from line to line, from the .lo_ to the .log
 * and from one tail poll to the next.  For a reader that parses a file on
 * several threads: where a block may be cut, a block parsed as a whole
 * read parses those bytes, and a SIGBUS guard for reads of a mapping.
 */
#include "autoconf.h"
#include "backend/sms/smslog_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define WINDOW_BYTES ((size_t)4 << 20)
#define MAX_ENTRY SMSLOG_ENTRY_MAX
#define HISTORY_BYTES ((size_t)64 << 10)
#define WALK_LINES 64
#define NONE SIZE_MAX

static const char log_start[] = "<![LOG[";
static const char log_term[] = "]LOG]!>";
#define MARK_LEN 7

/* One pass over a window of input; the state that outlives a window
 * (line number, skipping a cut line, the count) lives here too. */
struct scan {
	const char *buf;
	size_t len, start;      /* bytes before start are history only */
	uint64_t base;          /* input offset of buf[0] */
	size_t lineno;          /* line number of buf[start] */
	bool final;             /* the window ends where the input ends */
	bool skipping;          /* inside the rest of a cut line */
	bool whole;             /* deliver every entry whole: the caller's buffer
	                           is in memory already, so cutting saves nothing */
	const char *file, *package;
	size_t plen;
	smslog_entry_fn fn;
	void *arg;
	long count;
	int rc;
	size_t consumed;        /* out: parsed up to here */
	uint64_t done;          /* filter: entries before this offset were handled */
	size_t c_from, c_pos, c_none; /* terminator search cache */
	bool c_valid;
	bool order_probed;      /* this window was searched for a date order */
	bool any_guessed;       /* some entry's date was read month-first on a guess */
	struct smslog_scratch sc;
};

/* The last few positions, or a needle too short for the vector loop, one
 * candidate first byte at a time (glibc's memmem sets up a two-way search
 * per call, which costs more than these few bytes). */
static const char *
search_tail(const char *h, size_t n, const char *nd, size_t k)
{
	if (k == 0)
		return h;
	for (size_t i = 0; n >= k && i <= n - k; i++) {
		const char *q = memchr(h + i, nd[0], n - k + 1 - i);
		if (q == NULL)
			return NULL;
		i = (size_t)(q - h);
		if (memcmp(q + 1, nd + 1, k - 1) == 0)
			return q;
	}
	return NULL;
}

#if defined(__SSE2__)
#include <emmintrin.h>

/* Newlines in p[0..n): sixteen bytes at a time, byte counters summed
 * before they can overflow. */
static size_t
count_nl(const char *p, size_t n)
{
	const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
	size_t c = 0, i = 0;
	while (n - i >= 16) {
		__m128i acc = zero;
		size_t lim = n - i > 16 * 255 ? i + 16 * 255 : n;
		for (; lim - i >= 16; i += 16)
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), nl));
		__m128i sum = _mm_sad_epu8(acc, zero);
		c += (size_t)_mm_cvtsi128_si32(sum) + (size_t)_mm_extract_epi16(sum, 4);
	}
	for (; i < n; i++)
		c += p[i] == '\n';
	return c;
}

/* In the 16 positions from p, the first where the needle stands (its
 * first and last bytes compared sixteen at a time, then memcmp), or -1. */
static inline int
block_match(const char *p, __m128i first, __m128i last, const char *nd, size_t k)
{
	__m128i a = _mm_loadu_si128((const __m128i *)p);
	__m128i b = _mm_loadu_si128((const __m128i *)(p + k - 1));
	unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first),
	    _mm_cmpeq_epi8(b, last)));
	for (; m != 0; m &= m - 1) {
		unsigned bit = (unsigned)__builtin_ctz(m);
		if (memcmp(p + bit + 1, nd + 1, k - 2) == 0)
			return (int)bit;
	}
	return -1;
}

/* memmem for the package filter, a block at a time (faster than glibc's
 * memmem for an 8-byte package ID, which matters against grep -F). */
static const char *
search(const char *h, size_t n, const char *nd, size_t k)
{
	if (k < 2 || n < k)
		return search_tail(h, n, nd, k);
	const __m128i first = _mm_set1_epi8(nd[0]), last = _mm_set1_epi8(nd[k - 1]);
	size_t i = 0;
	for (; n - (k - 1) - i >= 16; i += 16) {
		int at = block_match(h + i, first, last, nd, k);
		if (at >= 0)
			return h + i + at;
	}
	return search_tail(h + i, n - i, nd, k);
}

static size_t
sum_bytes(__m128i acc)
{
	__m128i sum = _mm_sad_epu8(acc, _mm_setzero_si128());
	return (size_t)_mm_cvtsi128_si32(sum) + (size_t)_mm_extract_epi16(sum, 4);
}

/* search(), and *nls += the line ends before the match (or in all of h):
 * one pass over the bytes instead of a search and a count, for the
 * package filter, which must number the lines it skips. */
static const char *
search_nl(const char *h, size_t n, const char *nd, size_t k, size_t *nls)
{
	size_t i = 0, c = 0;
	if (k >= 2 && n >= k) {
		const __m128i first = _mm_set1_epi8(nd[0]), last = _mm_set1_epi8(nd[k - 1]);
		const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
		__m128i acc = zero;
		unsigned run = 0;
		for (; n - (k - 1) - i >= 16; i += 16) {
			int at = block_match(h + i, first, last, nd, k);
			if (at >= 0) {
				*nls += c + sum_bytes(acc) + count_nl(h + i, (size_t)at);
				return h + i + at;
			}
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(h + i)),
			    nl));
			if (++run == 255) { /* before a byte counter can wrap */
				c += sum_bytes(acc);
				acc = zero;
				run = 0;
			}
		}
		c += sum_bytes(acc);
	}
	const char *r = search_tail(h + i, n - i, nd, k);
	*nls += c + count_nl(h + i, r != NULL ? (size_t)(r - (h + i)) : n - i);
	return r;
}
#else
/* Newlines in p[0..n), eight bytes at a time. */
static size_t
count_nl(const char *p, size_t n)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL, nl = 0x0a0a0a0a0a0a0a0aULL;
	size_t c = 0, i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, p + i, 8);
		x ^= nl;
		uint64_t y = ~(((x & lo7) + lo7) | x | lo7);
		c += (size_t)(((y >> 7) * 0x0101010101010101ULL) >> 56);
	}
	for (; i < n; i++)
		c += p[i] == '\n';
	return c;
}

static const char *
search(const char *h, size_t n, const char *nd, size_t k)
{
	return search_tail(h, n, nd, k);
}

static const char *
search_nl(const char *h, size_t n, const char *nd, size_t k, size_t *nls)
{
	const char *r = search_tail(h, n, nd, k);
	*nls += count_nl(h, r != NULL ? (size_t)(r - h) : n);
	return r;
}
#endif

static bool
starts_entry(const struct scan *s, size_t ls)
{
	size_t at = ls;
	if (s->base + ls == 0 && s->len >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0)
		at = 3;
	return s->len - at >= MARK_LEN && memcmp(s->buf + at, log_start, MARK_LEN) == 0;
}

/* First "]LOG]!>" at or after from and ending before limit, or NONE.  The
 * cache keeps repeated searches over the same bytes linear. */
static size_t
find_term(struct scan *s, size_t from, size_t limit)
{
	size_t lo = from;
	if (s->c_valid && from >= s->c_from) {
		if (s->c_pos != NONE && from <= s->c_pos)
			return s->c_pos + MARK_LEN <= limit ? s->c_pos : NONE;
		if (s->c_pos == NONE) {
			if (limit <= s->c_none)
				return NONE;
			if (s->c_none > from + MARK_LEN)
				lo = s->c_none - MARK_LEN;
		}
	}
	const char *t = limit > lo ? memmem(s->buf + lo, limit - lo, log_term, MARK_LEN) : NULL;
	s->c_valid = true;
	s->c_from = from;
	s->c_pos = t ? (size_t)(t - s->buf) : NONE;
	s->c_none = limit;
	return s->c_pos;
}

/* An ambiguous viewer date (03-04-2010) was read while the file's date
 * order is unknown: look for an unambiguous date anywhere in the window
 * (the whole file, for any copy a viewer makes), so that the first lines
 * of a day-first copy are read day-first too, and the package filter,
 * which parses only some lines, reads them as a full read does.  Once
 * per window; true when the order is known now. */
static bool
window_order(struct scan *s)
{
	struct smslog_scratch probe;
	struct smslog_entry e;
	memset(&probe, 0, sizeof probe);
	s->order_probed = true;
	for (size_t ls = 0; ls < s->len && probe.order == SMSLOG_ORDER_UNKNOWN;) {
		const char *nl = memchr(s->buf + ls, '\n', s->len - ls);
		size_t le = nl ? (size_t)(nl - s->buf) : s->len;
		size_t n = le > ls && s->buf[le - 1] == '\r' ? le - ls - 1 : le - ls;
		smslog_line_parse(s->buf + ls, n, &e, &probe);
		ls = le + 1;
	}
	s->sc.order = probe.order;
	return probe.order != SMSLOG_ORDER_UNKNOWN;
}

static int
deliver(struct scan *s, size_t ls, size_t le, size_t lineno, bool truncated, bool cut)
{
	size_t n = le - ls;
	if (n > 0 && s->buf[ls + n - 1] == '\r')
		n--;
	size_t skip = s->base + ls == 0 && n >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	struct smslog_entry e;
	smslog_line_parse(s->buf + ls + skip, n - skip, &e, &s->sc);
	if (s->sc.guessed) /* even when the probe answers: its window is the reader's */
		s->any_guessed = true;
	if (s->sc.guessed && !s->order_probed && window_order(s))
		smslog_line_parse(s->buf + ls + skip, n - skip, &e, &s->sc);
	if (s->package != NULL && search(e.text.p, e.text.n, s->package, s->plen) == NULL)
		return 0;
	e.offset = s->base + ls;
	e.lineno = lineno;
	e.file = s->file;
	e.truncated = truncated;
	e.cut = cut;
	s->count++;
	return s->fn(&e, s->arg);
}

/* The entry starting at line start es: delivered, *next and *lines set,
 * 1; or 0 when the window ends too early to know. */
static int
process_entry(struct scan *s, size_t es, size_t lineno, size_t *next, size_t *lines)
{
	const char *nlp = memchr(s->buf + es, '\n', s->len - es);
	size_t le = nlp ? (size_t)(nlp - s->buf) : s->len;
	if (nlp == NULL && !s->final) {
		if (s->len - es < MAX_ENTRY)
			return 0;
		s->skipping = true; /* deliver the first MiB, drop the rest */
		*next = s->len;
		*lines = 0;
		s->rc = deliver(s, es, es + MAX_ENTRY, lineno, false, true);
		return 1;
	}
	size_t ee = le;
	*next = nlp ? le + 1 : le;
	*lines = nlp ? 1 : 0;
	if (starts_entry(s, es) && search(s->buf + es, le - es, log_term, MARK_LEN) == NULL) {
		size_t limit = s->len - es > MAX_ENTRY ? es + MAX_ENTRY : s->len;
		size_t t = find_term(s, le, limit);
		if (t == NONE && !s->final && limit == s->len && s->len - es < MAX_ENTRY)
			return 0;
		if (t != NONE) {
			const char *tn = memchr(s->buf + t, '\n', s->len - t);
			if (tn == NULL && !s->final)
				return 0;
			ee = tn ? (size_t)(tn - s->buf) : s->len;
			*next = tn ? ee + 1 : ee;
			*lines = count_nl(s->buf + es, *next - es);
		}
	}
	/* One entry is cut at MAX_ENTRY wherever it lies: a long line that
	 * happens to fit the window is cut as one that does not. */
	bool cut = !s->whole && ee - es > MAX_ENTRY;
	s->rc = deliver(s, es, cut ? es + MAX_ENTRY : ee, lineno,
	    !cut && s->final && *next == s->len && ee == s->len && ee > es, cut);
	return 1;
}

static void
scan_sequential(struct scan *s)
{
	size_t cur = s->start;
	while (cur < s->len && s->rc == 0) {
		size_t next, lines;
		if (!process_entry(s, cur, s->lineno, &next, &lines))
			break;
		s->lineno += lines;
		cur = next;
	}
	s->consumed = cur;
}

/* Whether line ls continues a multi-line CMTrace entry: its start, or ls. */
static size_t
walk_back(const struct scan *s, size_t ls)
{
	size_t p = ls;
	for (int i = 0; i < WALK_LINES && p > 0 && ls - p < HISTORY_BYTES; i++) {
		size_t pe = p - 1; /* the '\n' ending the previous line */
		const char *q = pe > 0 ? memrchr(s->buf, '\n', pe) : NULL;
		size_t ps = q ? (size_t)(q - s->buf) + 1 : 0;
		if (q == NULL && s->base != 0 && ps == 0)
			return ls; /* ran out of history: cannot tell */
		if (search_tail(s->buf + ps, pe - ps, log_term, MARK_LEN) != NULL ||
		    search_tail(s->buf + ps, pe - ps, "$$<", 3) != NULL)
			return ls;
		if (starts_entry(s, ps))
			return ps;
		p = ps;
	}
	return ls;
}

/* Only the lines holding the package are parsed. */
static void
scan_filtered(struct scan *s)
{
	size_t cur = s->start;
	while (cur < s->len && s->rc == 0) {
		size_t nls = 0; /* line ends from cur to the match, or to the end */
		const char *hit = search_nl(s->buf + cur, s->len - cur, s->package, s->plen, &nls);
		if (hit == NULL) {
			size_t to = s->len;
			if (!s->final) {
				const char *q = memrchr(s->buf + cur, '\n', s->len - cur);
				to = q ? (size_t)(q - s->buf) + 1 : cur;
				if (s->len - to >= MAX_ENTRY) {
					s->skipping = true;
					to = s->len;
				}
			}
			s->lineno += nls; /* none lie past the last one, at to */
			cur = to;
			break;
		}
		const char *q = memrchr(s->buf + cur, '\n', (size_t)(hit - (s->buf + cur)));
		size_t ls = q ? (size_t)(q - s->buf) + 1 : cur;
		s->lineno += nls; /* as many to ls as to the match */
		size_t es = starts_entry(s, ls) ? ls : walk_back(s, ls);
		if (s->base + es < s->done) /* that start was handled already */
			es = ls;
		size_t ln = s->lineno - count_nl(s->buf + es, ls - es);
		size_t next, lines;
		if (!process_entry(s, es, ln, &next, &lines)) {
			s->lineno = ln;
			cur = es;
			break;
		}
		s->lineno = ln + lines;
		cur = next > ls ? next : ls + 1;
		s->done = s->base + cur;
		if (next <= ls) /* defensive: never loop on the same line */
			s->lineno += count_nl(s->buf + next, ls + 1 - next);
	}
	s->consumed = cur;
}

static void
scan_window(struct scan *s)
{
	s->c_valid = false;
	s->order_probed = false;
	if (s->skipping) {
		const char *q = memchr(s->buf + s->start, '\n', s->len - s->start);
		if (q == NULL) {
			s->consumed = s->len;
			return;
		}
		s->skipping = false;
		s->start = (size_t)(q - s->buf) + 1;
		s->lineno++;
	}
	if (s->package != NULL)
		scan_filtered(s);
	else
		scan_sequential(s);
}

static void
scan_init(struct scan *s, const char *file, const char *package, smslog_entry_fn fn, void *arg)
{
	memset(s, 0, sizeof *s);
	s->file = file;
	s->package = package != NULL && *package ? package : NULL;
	s->plen = s->package ? strlen(s->package) : 0;
	s->fn = fn;
	s->arg = arg;
	s->lineno = 1;
}

int
smslog_parse_buffer(const char *buf, size_t len, const char *file,
    const char *package, smslog_entry_fn fn, void *arg)
{
	struct scan *s = xmalloc(sizeof *s);
	scan_init(s, file, package, fn, arg);
	s->buf = buf;
	s->len = len;
	s->final = true;
	s->whole = true;
	scan_window(s);
	int rc = s->rc;
	free(s);
	return rc;
}

/* Read fd from offset off to its end through the window.  With final, the
 * last line is delivered even without its line end; otherwise it is left
 * for later and *end says where parsing stopped. */
static int
read_fd(struct scan *s, int fd, uint64_t off, bool final, uint64_t *end, char **err)
{
	char *buf = xmalloc(WINDOW_BYTES);
	size_t len = 0, start = 0;
	s->base = off;
	int rc = 0;
	for (;;) {
		ssize_t n = pread(fd, buf + len, WINDOW_BYTES - len, (off_t)(s->base + len));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(err, "%s: read: %s", s->file, strerror(errno));
			rc = -1;
			break;
		}
		len += (size_t)n;
		bool eof = n == 0;
		if (!eof && len < WINDOW_BYTES)
			continue;
		s->buf = buf;
		s->len = len;
		s->start = start;
		s->final = eof && final;
		scan_window(s);
		if (s->rc != 0 || eof) {
			rc = s->rc;
			break;
		}
		size_t keep = s->consumed > HISTORY_BYTES ? s->consumed - HISTORY_BYTES : 0;
		memmove(buf, buf + keep, len - keep);
		s->base += keep;
		len -= keep;
		start = s->consumed - keep;
	}
	if (end != NULL)
		*end = s->base + (rc == 0 ? s->consumed : len);
	s->buf = NULL;
	free(buf);
	return rc;
}

size_t
smslog_count_lines(const char *p, size_t n)
{
	return count_nl(p, n);
}

int
smslog_parse_block(const char *buf, size_t len, uint64_t base, size_t lineno, const char *file,
    int *order, bool *guessed, smslog_entry_fn fn, void *arg)
{
	struct scan *s = xmalloc(sizeof *s);
	scan_init(s, file, NULL, fn, arg);
	s->buf = buf;
	s->len = len;
	s->base = base;
	s->lineno = lineno;
	s->final = true;
	s->sc.order = *order;
	scan_window(s);
	int rc = s->rc;
	*order = s->sc.order;
	*guessed = s->any_guessed;
	free(s);
	return rc;
}

/* Whether the line [ls, le) holds "]LOG]!>": every multi-line entry open
 * before its end ends with it (or is a single line: its terminator lay
 * beyond SMSLOG_ENTRY_MAX), so the next line starts an entry. */
static bool
line_closes(const char *buf, size_t ls, size_t le)
{
	return search(buf + ls, le - ls, log_term, MARK_LEN) != NULL;
}

size_t
smslog_block_cut(const char *buf, size_t len, uint64_t base, uint64_t *open_at)
{
	const char *nl = len > 0 ? memrchr(buf, '\n', len) : NULL;
	if (nl == NULL)
		return 0;
	size_t c = (size_t)(nl - buf) + 1;
	/* The last "<![LOG[" before c: a multi-line entry can start only
	 * there, and only one less than an entry's most before c matters (the
	 * bytes before were searched by the call that cut them, if at all).
	 * Searched for as "![LOG[": SMS 2003 lines are full of '<'. */
	size_t from = c > MAX_ENTRY + 64 ? c - MAX_ENTRY - 64 : 0;
	for (size_t at = from + 1; at + MARK_LEN - 1 <= c;) {
		const char *q = search(buf + at, c - at, log_start + 1, MARK_LEN - 1);
		if (q == NULL)
			break;
		at = (size_t)(q - buf);
		if (buf[at - 1] == '<' && (*open_at == UINT64_MAX || base + at - 1 > *open_at))
			*open_at = base + at - 1;
		at++;
	}
	if (*open_at == UINT64_MAX || base + c - *open_at > MAX_ENTRY + 64)
		return c;
	/* A CMTrace entry may still be open at c: cut after the last line
	 * that closes one instead. */
	for (size_t le = c - 1; le > 0;) {
		const char *q = memrchr(buf, '\n', le);
		size_t ls = q ? (size_t)(q - buf) + 1 : 0;
		if (line_closes(buf, ls, le))
			return le + 1;
		if (q == NULL)
			break;
		le = ls - 1;
	}
	return 0;
}

int
smslog_read_from(int fd, const char *file, uint64_t off, size_t lineno, int *order,
    smslog_entry_fn fn, void *arg, char **err)
{
	struct scan *s = xmalloc(sizeof *s);
	scan_init(s, file, NULL, fn, arg);
	s->lineno = lineno;
	s->sc.order = *order;
	int rc = read_fd(s, fd, off, true, NULL, err);
	*order = s->sc.order;
	free(s);
	return rc;
}

/* A file read whole is mapped a window at a time instead of copied by
 * pread: the copy was a quarter of `log --package`'s time.  A file that
 * shrinks under the mapping would raise SIGBUS on the bytes it lost; the
 * handler takes the reading thread back to its read, which then fails
 * with a message, and leaves every other SIGBUS to kill as it would. */
#define MAP_WINDOW WINDOW_BYTES /* the same windows: the same date-order probes */

static _Thread_local sigjmp_buf *bus_guard;
static pthread_once_t bus_once = PTHREAD_ONCE_INIT;

static void
on_sigbus(int sig)
{
	if (bus_guard != NULL)
		siglongjmp(*bus_guard, 1);
	signal(sig, SIG_DFL); /* not ours: the fault recurs, with the default */
}

static void
bus_install(void)
{
	struct sigaction sa = { .sa_handler = on_sigbus };
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGBUS, &sa, NULL); /* without it, as before: SIGBUS kills */
}

int
smslog_guarded(void (*fn)(void *), void *arg)
{
	sigjmp_buf jb;
	pthread_once(&bus_once, bus_install);
	if (sigsetjmp(jb, 1) != 0) {
		bus_guard = NULL;
		return -1;
	}
	bus_guard = &jb;
	fn(arg);
	bus_guard = NULL;
	return 0;
}

/* One window of the mapped file scanned: [pos, pos + len) of a file of
 * size bytes, start bytes of it history.  0 or the callback's value. */
static int
map_window(struct scan *s, int fd, uint64_t pos, size_t len, size_t start, uint64_t size)
{
	static long page;
	if (page <= 0)
		page = sysconf(_SC_PAGESIZE) > 0 ? sysconf(_SC_PAGESIZE) : 4096;
	uint64_t at = pos - pos % (uint64_t)page;
	size_t delta = (size_t)(pos - at);
	char *m = mmap(NULL, len + delta, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, (off_t)at);
	if (m == MAP_FAILED)
		return -2;
	s->buf = m + delta;
	s->len = len;
	s->start = start;
	s->base = pos;
	s->final = pos + len == size;
	scan_window(s);
	s->buf = NULL;
	munmap(m, len + delta);
	return s->rc;
}

/* The windows of read_mapped: 0, the callback's value, -1 with *err, or
 * -2 when the first cannot be mapped. */
static int
map_loop(struct scan *s, int fd, uint64_t size, char **err)
{
	uint64_t pos = 0;
	size_t start = 0;
	for (;;) {
		size_t len = size - pos > MAP_WINDOW ? MAP_WINDOW : (size_t)(size - pos);
		int rc = map_window(s, fd, pos, len, start, size);
		if (rc == -2 && pos > 0)
			err_set(err, "%s: read: cannot map it: %s", s->file, strerror(errno));
		if (rc != 0 || pos + len == size)
			return rc == -2 && pos > 0 ? -1 : rc;
		size_t keep = s->consumed > HISTORY_BYTES ? s->consumed - HISTORY_BYTES : 0;
		if (keep == 0) { /* no progress: cannot be, entries are cut at a MiB */
			err_set(err, "%s: read: no entry ends in %zu MiB", s->file, MAP_WINDOW >> 20);
			return -1;
		}
		pos += keep;
		start = s->consumed - keep;
	}
}

/* read_fd from 0 to the size fd has now, through mapped windows: 0, the
 * callback's value, -1 with *err, or -2 when it cannot be mapped (before
 * any entry was delivered: the caller reads it instead). */
static int
read_mapped(struct scan *s, int fd, char **err)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size <= 0)
		return -2;
	sigjmp_buf jb;
	pthread_once(&bus_once, bus_install);
	if (sigsetjmp(jb, 1) != 0) {
		bus_guard = NULL;
		err_set(err, "%s: the file shrank while it was read", s->file);
		return -1;
	}
	bus_guard = &jb;
	int rc = map_loop(s, fd, (uint64_t)st.st_size, err);
	bus_guard = NULL;
	return rc;
}

/* Why a log that is not a regular file is refused: a device such as
 * /dev/zero never ends, a FIFO has no size to follow and waits for a
 * writer, a directory has no lines. */
static const char *
log_kind(mode_t m)
{
	static const struct { mode_t type; const char *what; } kinds[] = {
		{ S_IFDIR, "is a directory" },
		{ S_IFCHR, "is a device, not a log file" },
		{ S_IFBLK, "is a device, not a log file" },
		{ S_IFIFO, "is a FIFO, not a log file" },
		{ S_IFSOCK, "is a socket, not a log file" },
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if ((m & S_IFMT) == kinds[i].type)
			return kinds[i].what;
	return "is not a regular file";
}

/* O_NONBLOCK keeps the open of a FIFO from hanging before its type is
 * checked; for a regular file it changes nothing. */
int
smslog_open(const char *path, int *fd, char **err)
{
	*fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0) {
		err_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	const char *why = NULL;
	if (fstat(*fd, &st) != 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = log_kind(st.st_mode);
	if (why != NULL) {
		err_set(err, "%s: %s", path, why);
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

/* *order: the date order the file starts with (what its .lo_ showed) and
 * what it showed by its end. */
static int
read_one(const char *path, const char *package, smslog_entry_fn fn, void *arg, int *order,
    char **err)
{
	int fd;
	if (smslog_open(path, &fd, err) != 0)
		return -1;
	struct scan *s = xmalloc(sizeof *s);
	scan_init(s, path, package, fn, arg);
	s->sc.order = *order;
	int rc = read_mapped(s, fd, err);
	if (rc == -2)
		rc = read_fd(s, fd, 0, true, NULL, err);
	*order = s->sc.order;
	free(s);
	close(fd);
	return rc;
}

/* "X.log" -> "X.lo_", else NULL. */
char *
smslog_rollover_path(const char *path)
{
	size_t n = strlen(path);
	if (n < 4 || strcasecmp(path + n - 4, ".log") != 0)
		return NULL;
	char *lo = xstrdup(path);
	lo[n - 1] = '_';
	return lo;
}

int
smslog_read_file(const char *path, const char *package,
    smslog_entry_fn fn, void *arg, char **err)
{
	char *lo = smslog_rollover_path(path);
	struct stat st;
	int rc = 0, order = SMSLOG_ORDER_UNKNOWN; /* one log in two files */
	if (lo != NULL && stat(lo, &st) == 0 && S_ISREG(st.st_mode))
		rc = read_one(lo, package, fn, arg, &order, err);
	free(lo);
	if (rc != 0)
		return rc;
	return read_one(path, package, fn, arg, &order, err);
}

struct smslog_tail {
	char *path, *rolled, *package;
	int fd;
	dev_t dev;
	ino_t ino;
	uint64_t off;
	size_t lineno;
	bool skipping;
	int order;              /* the date order earlier polls showed */
};

struct smslog_tail *
smslog_tail_open(const char *path, const char *package)
{
	struct smslog_tail *t = xcalloc(1, sizeof *t);
	t->path = xstrdup(path);
	t->rolled = smslog_rollover_path(path);
	if (t->rolled == NULL)
		t->rolled = xasprintf("%s (rotated)", path);
	t->package = package ? xstrdup(package) : NULL;
	t->fd = -1;
	return t;
}

static int
tail_attach(struct smslog_tail *t, char **err)
{
	struct stat st;
	if (smslog_open(t->path, &t->fd, err) != 0)
		return -1;
	if (fstat(t->fd, &st) != 0) {
		err_set(err, "%s: %s", t->path, strerror(errno));
		return -1;
	}
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	t->off = 0;
	t->lineno = 1;
	t->skipping = false;
	return 0;
}

static int
tail_read(struct smslog_tail *t, const char *label, bool final, smslog_entry_fn fn,
    void *arg, long *count, char **err)
{
	struct scan *s = xmalloc(sizeof *s);
	scan_init(s, label, t->package, fn, arg);
	s->lineno = t->lineno;
	s->skipping = t->skipping;
	s->sc.order = t->order;
	uint64_t end = t->off;
	int rc = read_fd(s, t->fd, t->off, final, &end, err);
	if (rc >= 0) {
		t->off = end;
		t->lineno = s->lineno;
		t->skipping = s->skipping;
		t->order = s->sc.order;
	}
	*count += s->count;
	free(s);
	return rc < 0 ? -1 : 0;
}

long
smslog_tail_poll(struct smslog_tail *t, smslog_entry_fn fn, void *arg, char **err)
{
	long count = 0;
	if (t->fd < 0 && tail_attach(t, err) != 0)
		return -1;
	struct stat st;
	if (stat(t->path, &st) == 0 && (st.st_ino != t->ino || st.st_dev != t->dev)) {
		/* Rotated: finish the old file (now the .lo_), then start over. */
		if (tail_read(t, t->rolled, true, fn, arg, &count, err) != 0)
			return -1;
		close(t->fd);
		t->fd = -1;
		if (tail_attach(t, err) != 0)
			return -1;
	}
	if (fstat(t->fd, &st) != 0) {
		err_set(err, "%s: %s", t->path, strerror(errno));
		return -1;
	}
	if ((uint64_t)st.st_size < t->off) { /* truncated: start again */
		t->off = 0;
		t->lineno = 1;
		t->skipping = false;
	}
	if (tail_read(t, t->path, false, fn, arg, &count, err) != 0)
		return -1;
	return count;
}

void
smslog_tail_close(struct smslog_tail *t)
{
	if (t == NULL)
		return;
	if (t->fd >= 0)
		close(t->fd);
	free(t->path);
	free(t->rolled);
	free(t->package);
	free(t);
}

const char *
smslog_severity_name(enum smslog_severity s)
{
	static const char *const names[] = { "info", "warning", "error" };
	return (unsigned)s < 3 ? names[s] : "info";
}

const char *
smslog_format_name(enum smslog_format f)
{
	static const char *const names[] = {
		[SMSLOG_FORMAT_PLAIN] = "plain", [SMSLOG_FORMAT_SMS2003] = "sms2003",
		[SMSLOG_FORMAT_CM2007] = "cm2007", [SMSLOG_FORMAT_CMTRACE] = "cmtrace",
		[SMSLOG_FORMAT_VIEWER] = "viewer",
	};
	return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "plain";
}
