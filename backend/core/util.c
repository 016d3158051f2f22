/*
 * Implementation of the backend's small helpers.  Everything here is
 * deliberately boring: allocation wrappers, a byte buffer, error strings,
 * UTC time text, UTF-8 decoding, enum name tables and safe file writes (temp + fsync + rename, so a crash never
 * leaves a half-written site database or journal behind).
 */
#include "autoconf.h"
#include "backend/core/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static void
oom(size_t n)
{
	fprintf(stderr, "dpdoctor: out of memory (%zu bytes)\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom(n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		oom(n * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		oom(n);
	return q;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		oom(SIZE_MAX);
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		oom(0);
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void
array_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_crlf_to_lf(struct buf *b)
{
	size_t w = 0;
	for (size_t r = 0; r < b->len; r++)
		if (!(b->data[r] == '\r' && r + 1 < b->len && b->data[r + 1] == '\n'))
			b->data[w++] = b->data[r];
	b->len = w;
	if (b->data != NULL)
		b->data[w] = '\0';
}

void
buf_grow(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n > 0) /* p may be NULL when n is 0; memcpy's may not */
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_adds(b, s);
	free(s);
}

char *
buf_detach(struct buf *b)
{
	char *p = b->data ? b->data : xstrdup("");
	buf_init(b);
	return p;
}

void
err_set(char **err, const char *fmt, ...)
{
	if (err == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	free(*err);
	*err = s;
}

/* Read exactly n digits. */
static int
digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Howard Hinnant's well-known days-from-civil; no time zone involved,
 * unlike timegm. */
int64_t
time_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
time_parse_iso(const char *s, dpd_time *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, se;
	/* Parsed by position: this runs for every cell of a status reply. */
	if (strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != 'Z' ||
	    digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
		return -1;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 60)
		return -1;
	*out = time_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}

void
time_format_iso(dpd_time t, char out[static 21])
{
	if (t == 0) {
		out[0] = '\0';
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		out[0] = '\0';
}

int64_t
clock_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
deadline_passed(const struct deadline *d)
{
	if (d == NULL)
		return false;
	if (d->cancel != NULL && atomic_load(d->cancel))
		return true;
	return d->at_ms != 0 && clock_mono_ms() >= d->at_ms;
}

dpd_time
clock_real(void)
{
	return (dpd_time)time(NULL);
}

int
file_read_all(const char *path, size_t max, struct buf *out, char **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(err, "%s: read: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > max) {
			err_set(err, "%s: larger than %zu bytes", path, max);
			close(fd);
			return -1;
		}
		buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	if (out->data == NULL)
		buf_add(out, "", 0);
	return 0;
}

/* fsync the directory holding path, so a rename survives a crash. */
static int
dir_sync(const char *path, char **err)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd >= 0 && fsync(fd) == 0 ? 0 : -1;
	if (rc != 0)
		err_set(err, "%s: fsync directory: %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

int
file_write_atomic(const char *path, const void *data, size_t len, char **err)
{
	/* Unique per process and per call, so threads never share a temp file. */
	static atomic_uint seq;
	char *tmp = xasprintf("%s.tmp.%ld.%u", path, (long)getpid(), atomic_fetch_add(&seq, 1));
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err_set(err, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fd_write_all(fd, data, len) != 0) {
		err_set(err, "%s: write: %s", tmp, strerror(errno));
		goto fail;
	}
	if (fsync(fd) != 0) {
		err_set(err, "%s: fsync: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		err_set(err, "%s: close: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		err_set(err, "%s: rename: %s", path, strerror(errno));
		goto fail;
	}
	free(tmp);
	return dir_sync(path, err);
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int
dir_make_all(const char *path, bool private_leaf, char **err)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; ; s++) {
		bool last = (*s == '\0');
		if (*s != '/' && !last)
			continue;
		char saved = *s;
		*s = '\0';
		mode_t mode = (last && private_leaf) ? 0700 : 0755;
		if (mkdir(p, mode) != 0 && errno != EEXIST) {
			err_set(err, "%s: mkdir: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		*s = saved;
		if (last)
			break;
	}
	free(p);
	return 0;
}

size_t
utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	static const uint32_t least[] = { 0, 0x80, 0x800, 0x10000 };
	const unsigned char *p = (const unsigned char *)s;
	if (len == 0)
		return 0;
	unsigned c = p[0];
	size_t n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 :
	    (c & 0xf8) == 0xf0 ? 3 : 4;
	if (n == 4 || len <= n)
		return 0;
	uint32_t v = n == 0 ? c : c & (0x3fu >> n);
	for (size_t i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if (v < least[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	if (cp != NULL)
		*cp = v;
	return n + 1;
}

/* Runs of ASCII are passed over 32 and then 8 bytes at a time (nearly
 * every log line is all ASCII, and a byte-at-a-time decode cost as much as
 * parsing the line); a byte with its high bit set is decoded. */
bool
utf8_valid(const char *s, size_t len)
{
	const uint64_t high = 0x8080808080808080ULL;
	size_t i = 0;
	while (i < len) {
		for (uint64_t w[4]; len - i >= 32; i += 32) {
			memcpy(w, s + i, 32);
			if ((w[0] | w[1] | w[2] | w[3]) & high)
				break;
		}
		for (uint64_t w; len - i >= 8; i += 8) {
			memcpy(&w, s + i, 8);
			if (w & high)
				break;
		}
		/* at most the eight bytes before the high one, or the tail */
		while (i < len && (unsigned char)s[i] < 0x80)
			i++;
		if (i < len && (unsigned char)s[i] >= 0x80) {
			size_t n = utf8_decode(s + i, len - i, NULL);
			if (n == 0)
				return false;
			i += n;
		}
	}
	return true;
}

bool
wildcard_match(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;
	while (*s != '\0') {
		if (*pat == '*') {
			star = ++pat;
			resume = s;
		} else if (*pat == '?' || tolower((unsigned char)*pat) == tolower((unsigned char)*s)) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* CP1252 0x80-0x9F; 0 where it defines nothing (the byte's own value). */
static const uint16_t cp1252_c1[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

void
cp1252_to_utf8(const char *s, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		unsigned ch = (unsigned char)s[i];
		if (ch < 0x80) {
			buf_addc(out, (char)ch);
			continue;
		}
		unsigned cp = ch < 0xa0 && cp1252_c1[ch - 0x80] != 0 ? cp1252_c1[ch - 0x80] : ch;
		if (cp < 0x800) {
			buf_addc(out, (char)(0xc0 | cp >> 6));
		} else {
			buf_addc(out, (char)(0xe0 | cp >> 12));
			buf_addc(out, (char)(0x80 | (cp >> 6 & 0x3f)));
		}
		buf_addc(out, (char)(0x80 | (cp & 0x3f)));
	}
}

void
text_utf8(const char *s, size_t len, struct buf *out)
{
	if (utf8_valid(s, len))
		buf_add(out, s, len);
	else
		cp1252_to_utf8(s, len, out);
}

/* Bytes shown as "\xNN": C0 (tab, newline and CR aside), DEL, and bytes
 * from 0x80 whose UTF-8 must be looked at.  1 = escape, 2 = look further. */
static const unsigned char visible_class[256] = {
	[0 ... 31] = 1, [127] = 1, [128 ... 255] = 2,
};

size_t
text_plain_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		if (visible_class[p[i]] == 0) {
			i++;
			continue;
		}
		if (visible_class[p[i]] == 1)
			break;
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		if (k == 0 || (cp >= 0x80 && cp <= 0x9f))
			break;
		i += k;
	}
	return i;
}

size_t
text_visible_one(const char *s, size_t n, char out[static 8])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = (unsigned char)s[0];
	uint32_t cp = c;
	size_t k = c < 0x80 ? 1 : utf8_decode(s, n, &cp);
	if (k > 1 && !(cp >= 0x80 && cp <= 0x9f)) {
		/* A printable character: itself. */
		memcpy(out, s, k);
		out[k] = '\0';
		return k;
	}
	if (k == 0) {
		/* Not UTF-8: this one byte, the rest is looked at again. */
		k = 1;
		cp = c;
	}
	if (cp >= 0x20 && cp != 0x7f && cp < 0x80) {
		out[0] = (char)cp;
		out[1] = '\0';
	} else if (cp == '\t') {
		memcpy(out, " ", 2);
	} else if (cp == '\n' || cp == '\r') {
		out[0] = '\\';
		out[1] = cp == '\n' ? 'n' : 'r';
		out[2] = '\0';
	} else {
		/* C0, DEL, a C1 control (its code point, as a raw byte would
		 * be shown) or a byte that is not UTF-8. */
		out[0] = '\\';
		out[1] = 'x';
		out[2] = hex[cp >> 4 & 15];
		out[3] = hex[cp & 15];
		out[4] = '\0';
	}
	return k;
}

void
buf_add_visible(struct buf *b, const char *s, size_t n)
{
	if (n == 0)
		return;
	size_t i = 0;
	while (i < n) {
		size_t k = text_plain_len(s + i, n - i);
		buf_add(b, s + i, k);
		i += k;
		if (i == n)
			break;
		char one[8];
		i += text_visible_one(s + i, n - i, one);
		buf_adds(b, one);
	}
}

char *
text_visible(const char *s)
{
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	if (s != NULL)
		buf_add_visible(&b, s, strlen(s));
	return buf_detach(&b);
}

const char *
enum_name(const struct enum_name *t, size_t n, int v, const char *unknown)
{
	if (v >= 0 && (size_t)v < n && t[v].value == v)
		return t[v].name;
	for (size_t i = 0; i < n; i++)
		if (t[i].value == v)
			return t[i].name;
	return unknown;
}

int
enum_lookup(const struct enum_name *t, size_t n, const char *name, bool nocase)
{
	for (size_t i = 0; name != NULL && i < n; i++)
		if ((nocase ? strcasecmp(t[i].name, name) : strcmp(t[i].name, name)) == 0)
			return t[i].value;
	return -1;
}

int
fd_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

const char *
file_type_words(mode_t m)
{
	static const struct { mode_t type; const char *what; } kinds[] = {
		{ S_IFDIR, "is a directory" },
		{ S_IFCHR, "is a device" },
		{ S_IFBLK, "is a device" },
		{ S_IFIFO, "is a FIFO" },
		{ S_IFSOCK, "is a socket" },
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if ((m & S_IFMT) == kinds[i].type)
			return kinds[i].what;
	return "is not a regular file";
}
