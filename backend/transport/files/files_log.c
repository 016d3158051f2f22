/*
 * The ops on logs over a file system (files.c routes to them, and
 * files_call.c is what they answer with): loggrep and readfile.  loggrep
 * reads the .lo_ and the .log in ranged reads and keeps, per transport,
 * what it found: a log that only grew since the last look is read from
 * where that look ended, so a refresh costs the new lines, not the whole
 * file.  readfile is one ranged read, with the file's size and first
 * bytes, for the mirrored copy the log view follows
 * (backend/sms/logmirror.c).
 */
#include "autoconf.h"
#include "backend/transport/files/files_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LG_CHUNK ((uint64_t)1 << 20)
#define LG_DEFAULT_MAX 2000
#define LG_CACHE 64

/* ---- loggrep's cache ------------------------------------------------------- */

struct lg_hit {
	int file;                  /* 0 the .lo_, 1 the .log */
	uint64_t off;
	char *line;                /* UTF-8 */
};

/* The newest `max` hits. */
struct lg_ring {
	struct lg_hit *v;
	size_t max, n, head;
};

struct lg_file {
	bool exists;               /* as a file (Test-Path -PathType Leaf) */
	uint64_t size;
	int64_t mtime;
};

/* What was read of a log and its .lo_: the hits of complete lines. */
struct lg_state {
	bool lo_read;
	struct lg_file lo, log;
	uint64_t done;             /* the .log's bytes read: to its last line end */
	struct lg_ring hits;
};

struct lg_entry {
	char *key;                 /* drive path, needle, max */
	unsigned long used;
	struct lg_state s;
};

/* Per transport: job threads call at once. */
struct files_logs {
	pthread_mutex_t lock;
	struct lg_entry cache[LG_CACHE];
	unsigned long tick;
};

static void
lock(struct files_logs *f)
{
	if (pthread_mutex_lock(&f->lock) != 0)
		abort();   /* a default mutex fails only when misused */
}

static void
unlock(struct files_logs *f)
{
	if (pthread_mutex_unlock(&f->lock) != 0)
		abort();
}

static void
ring_init(struct lg_ring *r, size_t max)
{
	*r = (struct lg_ring){ .v = xcalloc(max, sizeof *r->v), .max = max };
}

static void
ring_add(struct lg_ring *r, int file, uint64_t off, char *line)
{
	struct lg_hit *slot;
	if (r->n == r->max) {
		slot = &r->v[r->head];
		free(slot->line);
		r->head = (r->head + 1) % r->max;
	} else {
		slot = &r->v[(r->head + r->n++) % r->max];
	}
	*slot = (struct lg_hit){ file, off, line };
}

static void
ring_free(struct lg_ring *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[(r->head + i) % r->max].line);
	free(r->v);
	*r = (struct lg_ring){ NULL, 0, 0, 0 };
}

static struct lg_entry *
cache_find(struct files_logs *f, const char *key)
{
	for (size_t i = 0; i < LG_CACHE; i++)
		if (f->cache[i].key != NULL && strcmp(f->cache[i].key, key) == 0)
			return &f->cache[i];
	return NULL;
}

/* The state to go on from: the cached one when the files only grew since
 * (taken out of the cache while in use), else a fresh one. */
static void
cache_take(struct files_logs *f, const char *key, const struct lg_file *lo,
    const struct lg_file *log, size_t max, struct lg_state *s)
{
	*s = (struct lg_state){ .lo_read = false };
	lock(f);
	struct lg_entry *e = cache_find(f, key);
	if (e != NULL) {
		const struct lg_state *c = &e->s;
		bool grew = c->lo.exists == lo->exists && c->lo.size == lo->size &&
		    c->lo.mtime == lo->mtime && c->log.exists && log->exists &&
		    log->size >= c->log.size && log->mtime >= c->log.mtime;
		if (grew)
			*s = e->s;
		else
			ring_free(&e->s.hits);
		free(e->key);
		*e = (struct lg_entry){ .key = NULL };
	}
	unlock(f);
	if (s->hits.v == NULL)
		ring_init(&s->hits, max);
}

static void
cache_put(struct files_logs *f, const char *key, struct lg_state *s)
{
	lock(f);
	struct lg_entry *e = cache_find(f, key);
	for (size_t i = 0; e == NULL && i < LG_CACHE; i++)
		if (f->cache[i].key == NULL)
			e = &f->cache[i];
	if (e == NULL) {             /* full: the least recently used goes */
		e = &f->cache[0];
		for (size_t i = 1; i < LG_CACHE; i++)
			if (f->cache[i].used < e->used)
				e = &f->cache[i];
	}
	if (e->key != NULL) {
		free(e->key);
		ring_free(&e->s.hits);
	}
	*e = (struct lg_entry){ xstrdup(key), ++f->tick, *s };
	unlock(f);
	*s = (struct lg_state){ .lo_read = false };
}

/* x.log -> x.lo_, the rotated log (the name ends in .log: validated). */
static char *
rotated(const char *log)
{
	char *s = xstrdup(log);
	memcpy(s + strlen(s) - 4, ".lo_", 4);
	return s;
}

/* ---- loggrep ------------------------------------------------------------------ */

/* A line as loggrep_ps reads it: [Text.Encoding]::Default is the ANSI
 * code page in Windows PowerShell, CP1252 on the servers dpdoctor knows. */
static char *
decode_line(const char *p, size_t len)
{
	size_t i = 0;
	while (i < len && (unsigned char)p[i] < 0x80)
		i++;
	if (i == len)
		return xstrndup(p, len);        /* most lines: ASCII, as they are */
	struct buf b;
	buf_init(&b);
	cp1252_to_utf8(p, len, &b);
	return b.data != NULL ? buf_detach(&b) : xstrdup("");
}

/* The decoded line when it holds the needle (any case), else NULL. */
static char *
line_match(const char *p, size_t len, const char *needle)
{
	char *line = decode_line(p, len);
	if (strcasestr(line, needle) != NULL)
		return line;
	free(line);
	return NULL;
}

/* The complete lines of b (starting at file offset base) into hits; the
 * number of bytes they took. */
static size_t
scan_lines(const struct buf *b, uint64_t base, int file, const char *needle,
    struct lg_ring *hits)
{
	size_t at = 0;
	for (;;) {
		const char *eol = at < b->len ? memchr(b->data + at, '\n', b->len - at) : NULL;
		if (eol == NULL)
			return at;
		size_t end = (size_t)(eol - b->data), len = end - at;
		if (len > 0 && b->data[end - 1] == '\r')
			len--;
		char *line = line_match(b->data + at, len, needle);
		if (line != NULL)
			ring_add(hits, file, base + at, line);
		at = end + 1;
	}
}

/* Read a file from `from` to its end in chunks, the lines split across
 * chunk ends put together.  Complete lines go to hits; an unterminated
 * last line (still being written) to *tail when it matches.  *end: where
 * the complete lines end.  0, 1 (*why), -1. */
static int
scan_file(struct files_call *c, const char *drv, int file, uint64_t from, const char *needle,
    struct lg_ring *hits, struct lg_hit *tail, uint64_t *end, char **why)
{
	struct buf b;
	buf_init(&b);
	uint64_t base = from;
	int r = 0;
	for (;;) {
		size_t before = b.len;
		r = files_call_read(c, drv, base + b.len, LG_CHUNK, &b, why);
		if (r != 0)
			break;
		size_t got = b.len - before;
		size_t used = scan_lines(&b, base, file, needle, hits);
		memmove(b.data, b.data + used, b.len - used);
		b.len -= used;
		base += used;
		if (got < LG_CHUNK)
			break;
	}
	if (r == 0 && b.len > 0) {
		size_t len = b.len - (b.data[b.len - 1] == '\r');
		char *line = line_match(b.data, len, needle);
		if (line != NULL)
			*tail = (struct lg_hit){ file, base, line };
	}
	*end = base;
	buf_free(&b);
	return r;
}

static int
lg_stat(struct files_call *c, const char *drv, struct lg_file *out, char **why)
{
	struct files_stat st;
	int r = files_call_stat(c, drv, &st, why);
	*out = (struct lg_file){ r == 0 && st.exists && !st.is_dir, st.size, st.mtime };
	return r;
}

/* Bring s up to the files: the .lo_ once, the .log from where s ended. */
static int
lg_update(struct files_call *c, struct lg_state *s, const char *lo_drv, const char *drv,
    const char *needle, struct lg_hit *tail, char **why)
{
	uint64_t end = 0;
	int r = 0;
	if (!s->lo_read && s->lo.exists) {
		struct lg_hit last = { 0, 0, NULL };
		r = scan_file(c, lo_drv, 0, 0, needle, &s->hits, &last, &end, why);
		if (last.line != NULL)
			ring_add(&s->hits, 0, last.off, last.line);   /* rotated: complete */
	}
	s->lo_read = r == 0;
	if (r == 0 && s->log.exists)
		r = scan_file(c, drv, 1, s->done, needle, &s->hits, tail, &s->done, why);
	return r;
}

static int
lg_emit(struct files_call *c, const struct lg_state *s, const struct lg_hit *tail,
    const char *const names[2])
{
	static const char *const cols[] = { "File", "Offset", "Line" };
	proto_emit_cols(&c->out, "L", cols, 3);
	size_t skip = tail->line != NULL && s->hits.n == s->hits.max ? 1 : 0;
	for (size_t i = skip; i <= s->hits.n; i++) {
		const struct lg_hit *h = i < s->hits.n ?
		    &s->hits.v[(s->hits.head + i) % s->hits.max] : tail;
		if (h->line == NULL)
			continue;
		char off[24];
		snprintf(off, sizeof off, "%llu", (unsigned long long)h->off);
		const char *v[] = { names[h->file], off, h->line };
		if (files_row(c, v, 3) != 0)
			return TRANSPORT_EREPLY;
	}
	return 0;
}

int
files_loggrep(struct files_call *c, const struct op *op, const char *drv)
{
	const char *log = op_arg(op, "log"), *needle = op_arg(op, "needle");
	const char *mx = op_arg(op, "max");
	size_t max = mx != NULL && *mx ? strtoul(mx, NULL, 10) : LG_DEFAULT_MAX;
	char *why = NULL;
	int r = files_reach(c, log, drv, &why);
	if (r <= 0)
		return r < 0 ? -1 : files_fail(c, why);
	char *lo_drv = rotated(drv), *lo_asked = rotated(log);
	char *key = xasprintf("%s\x1f%s\x1f%zu", drv, needle, max);
	struct lg_file lo, lg;
	r = lg_stat(c, lo_drv, &lo, &why);
	if (r == 0)
		r = lg_stat(c, drv, &lg, &why);
	struct lg_state s = { .lo_read = false };
	struct lg_hit tail = { 0, 0, NULL };
	if (r == 0) {
		cache_take(c->f->logs, key, &lo, &lg, max, &s);
		s.lo = lo;
		s.log = lg;
		r = lg_update(c, &s, lo_drv, drv, needle, &tail, &why);
	}
	const char *names[2] = { lo_asked, log };
	if (r == 0) {
		r = lg_emit(c, &s, &tail, names);
		cache_put(c->f->logs, key, &s);
	} else if (r > 0) {
		r = files_fail(c, why);
		why = NULL;
	}
	ring_free(&s.hits);
	free(tail.line);
	free(why);
	free(key);
	free(lo_drv);
	free(lo_asked);
	return r;
}

/* ---- readfile ------------------------------------------------------------------ */

/* readfile_ps: the B record of [offset, offset+max) with the file's size,
 * time and first 64 bytes, base64. */
int
files_readfile(struct files_call *c, const struct op *op, const char *drv)
{
	static const char *const cols[] = { "Offset", "Size", "MTime", "Head", "Data" };
	const char *path = op_arg(op, "path");
	uint64_t off = strtoull(op_arg(op, "offset"), NULL, 10);
	uint64_t max = strtoull(op_arg(op, "max"), NULL, 10);
	struct files_stat st;
	int r = files_need(c, path, drv, &st);
	if (r != 0)
		return r < 0 ? -1 : 0;
	struct buf head, data;
	buf_init(&head);
	buf_init(&data);
	char *why = NULL;
	r = files_call_read(c, drv, 0, st.size < OPS_HEAD_BYTES ? st.size : OPS_HEAD_BYTES, &head, &why);
	if (r == 0 && off < st.size)
		r = files_call_read(c, drv, off, max, &data, &why);
	if (r == 0) {
		char size[24], mtime[21];
		snprintf(size, sizeof size, "%llu", (unsigned long long)st.size);
		time_format_iso(st.mtime, mtime);
		struct buf h64, d64;
		buf_init(&h64);
		buf_init(&d64);
		ops_b64_encode(head.data, head.len, &h64);
		ops_b64_encode(data.data, data.len, &d64);
		const char *v[] = { op_arg(op, "offset"), size, mtime, h64.data ? h64.data : "",
			d64.data ? d64.data : "" };
		proto_emit_cols(&c->out, "B", cols, 5);
		r = files_row(c, v, 5);
		buf_free(&h64);
		buf_free(&d64);
	} else if (r > 0) {
		r = files_fail(c, why);
		why = NULL;
	}
	free(why);
	buf_free(&head);
	buf_free(&data);
	return r;
}

/* ---- the cache's life -------------------------------------------------------------- */

struct files_logs *
files_logs_new(void)
{
	struct files_logs *f = xcalloc(1, sizeof *f);
	if (pthread_mutex_init(&f->lock, NULL) != 0)
		abort();
	return f;
}

void
files_logs_free(struct files_logs *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < LG_CACHE; i++)
		if (f->cache[i].key != NULL) {
			free(f->cache[i].key);
			ring_free(&f->cache[i].s.hits);
		}
	pthread_mutex_destroy(&f->lock);
	free(f);
}
