/*
 * The line protocol between dpdoctor and the scripts it runs remotely (see
 * proto.h for the grammar).  Parsing is strict about structure (magic,
 * version, op, the final END line) and lenient about content (unknown types
 * and columns are skipped) because remote output is untrusted input that
 * still has to survive version skew.
 */
#include "autoconf.h"
#include "backend/core/proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define PROTO_PARSE_CHUNK ((size_t)256 << 10)

void
proto_escape(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	/* Copy runs of plain bytes in one go: replies run to tens of MB. */
	for (;;) {
		const char *run = s;
		while ((unsigned char)*s >= 0x20 && *s != '\\' && *s != 0x7f)
			s++;
		if (s > run)
			buf_add(out, run, (size_t)(s - run));
		unsigned char c = (unsigned char)*s;
		if (c == '\0')
			return;
		switch (c) {
		case '\\': buf_add(out, "\\\\", 2); break;
		case '\t': buf_add(out, "\\t", 2); break;
		case '\n': buf_add(out, "\\n", 2); break;
		case '\r': buf_add(out, "\\r", 2); break;
		default: {
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
			buf_add(out, e, 4);
		}
		}
		s++;
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
proto_unescape(char *s)
{
	/* Most fields hold no escape: nothing to move up to the first one. */
	char *w = strchr(s, '\\');
	if (w == NULL)
		return 0;
	for (char *r = w; *r != '\0'; r++) {
		if (*r != '\\') {
			*w++ = *r;
			continue;
		}
		r++;
		switch (*r) {
		case '\\': *w++ = '\\'; break;
		case 't': *w++ = '\t'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 'x': {
			int hi = hexval(r[1]), lo = hi < 0 ? -1 : hexval(r[2]);
			if (lo < 0 || (hi == 0 && lo == 0))
				return -1;
			*w++ = (char)(hi << 4 | lo);
			r += 2;
			break;
		}
		default:
			return -1;
		}
	}
	*w = '\0';
	return 0;
}

void
proto_begin(struct buf *out, const char *op)
{
	buf_printf(out, "DPDOCTOR %d %s\n", PROTO_VERSION, op);
}

static void
proto_line(struct buf *out, const char *first, const char *const *v, size_t n)
{
	buf_adds(out, first);
	for (size_t i = 0; i < n; i++) {
		buf_addc(out, '\t');
		proto_escape(out, v[i] ? v[i] : "");
	}
	buf_addc(out, '\n');
}

void
proto_cols(struct buf *out, const char *type, const char *const *names, size_t n)
{
	buf_adds(out, "COLS\t");
	proto_line(out, type, names, n);
}

void
proto_row(struct buf *out, const char *type, const char *const *values, size_t n)
{
	proto_line(out, type, values, n);
}

void
proto_end_ok(struct buf *out, size_t records)
{
	buf_printf(out, "END\tok\t%zu\n", records);
}

void
proto_end_error(struct buf *out, const char *message)
{
	buf_adds(out, "END\terror\t");
	proto_escape(out, message);
	buf_addc(out, '\n');
}

const char *
proto_get(const struct proto_record *r, const char *name)
{
	/* The first byte first: a status row is asked for a dozen names of
	 * a dozen columns, and most columns differ from the name there. */
	size_t n = r->ncols < r->nfields ? r->ncols : r->nfields;
	for (size_t i = 0; i < n; i++)
		if (r->cols[i][0] == name[0] && strcmp(r->cols[i], name) == 0)
			return r->fields[i];
	return NULL;
}

/* Column declarations, one per record type, with the type's last row
 * for the "same as the row before" marker: its fields where they were
 * parsed (in the work buffer) until that buffer moves on, then copied
 * out (decl_pin). */
struct coldecl {
	char *type;
	char **cols;
	size_t ncols;
	unsigned gen;             /* which COLS line declared them */
	char *prevf[PROTO_MAX_FIELDS];
	size_t nprev;
	bool in_work;             /* prevf points into the work buffer */
	struct buf prev;          /* prevf's copy, NUL after each field */
	struct buf spare;         /* the one before: reused, not reallocated */
};

struct proto_stream {
	struct coldecl *decls;
	size_t ndecls, capdecls;
	struct coldecl *last;     /* the type of the last row: most rows repeat it */
	unsigned gen;
	char *fields[PROTO_MAX_FIELDS];
	const char *op;
	proto_record_fn fn;
	void *arg;
	struct buf work;          /* what was fed, parsed in place; the partial last line waits */
	size_t lineno, offset;
	int state;                /* 0 going on, 1 END seen, -1 failed */
	int rc;                   /* for state 1: 0 END ok, -1 END error */
	char *err;
};

/* The marker's pointer: a field that said \= until its decl is known. */
static char ditto_mark[] = "\\=";

/* What the scan of a line found: where its TABs are (past
 * PROTO_MAX_FIELDS only counted), which fields are exactly \= (the ditto
 * of the row before) and which hold a backslash to unescape, by field
 * number, so the split needs no search for them. */
struct line_scan {
	char *tabs[PROTO_MAX_FIELDS];
	size_t ntabs;
	uint8_t ditto[PROTO_MAX_FIELDS]; /* fields that are \= */
	size_t nditto;
	uint8_t esc[PROTO_MAX_FIELDS];   /* fields with a backslash otherwise */
	size_t nesc;
	char *line, *end;             /* the line scanned, and the data's end */
	char *nul;                    /* the first NUL byte, or NULL */
};

/* Split a line into TAB-separated unescaped fields (in place); a field
 * that is exactly \= is left as ditto_mark for the row's type to fill.
 * Most lines hold no other backslash: then nothing is unescaped. */
static int
split_fields(char *line, const struct line_scan *ls, char **fields, size_t *n)
{
	if (ls->ntabs >= PROTO_MAX_FIELDS)
		return -1;
	fields[0] = line;
	for (size_t i = 0; i < ls->ntabs; i++) {
		*ls->tabs[i] = '\0';
		fields[i + 1] = ls->tabs[i] + 1;
	}
	*n = ls->ntabs + 1;
	for (size_t k = 0; k < ls->nditto; k++)
		fields[ls->ditto[k]] = ditto_mark;
	for (size_t k = 0; k < ls->nesc; k++)
		if (proto_unescape(fields[ls->esc[k]]) != 0)
			return -2;
	return 0;
}

/* The n names in one block: the pointers, then the strings they point to
 * (one allocation per COLS line, not one per name). */
static char **
cols_copy(char *const *names, size_t n)
{
	size_t len[PROTO_MAX_FIELDS], total = n * sizeof(char *);
	for (size_t j = 0; j < n; j++) {
		len[j] = strlen(names[j]) + 1;
		total += len[j];
	}
	char **cols = xmalloc(total ? total : 1);
	char *w = (char *)(cols + n);
	for (size_t j = 0; j < n; j++) {
		memcpy(w, names[j], len[j]);
		cols[j] = w;
		w += len[j];
	}
	return cols;
}

static bool
type_is(const char *a, const char *b)
{
	/* Types are one letter, mostly: no call for those. */
	if (a[0] != b[0] || a[0] == '\0')
		return a[0] == b[0];
	return a[1] == b[1] && (a[1] == '\0' || strcmp(a + 2, b + 2) == 0);
}

static struct coldecl *
decl_find(struct proto_stream *p, const char *type)
{
	if (p->last != NULL && type_is(p->last->type, type))
		return p->last;
	for (size_t i = 0; i < p->ndecls; i++)
		if (type_is(p->decls[i].type, type))
			return p->last = &p->decls[i];
	return NULL;
}

static int
parser_cols(struct proto_stream *p, char **f, size_t n)
{
	if (n < 2)
		return -1;
	for (size_t i = 1; i < n; i++)
		if (f[i] == ditto_mark)
			return -1;
	struct coldecl *d = decl_find(p, f[1]);
	if (d == NULL) {
		if (p->ndecls == p->capdecls) {
			p->capdecls = p->capdecls ? p->capdecls * 2 : 8;
			p->decls = xreallocarray(p->decls, p->capdecls, sizeof *p->decls);
			p->last = NULL; /* the array moved */
		}
		d = &p->decls[p->ndecls++];
		*d = (struct coldecl){ .type = xstrdup(f[1]) };
		buf_init(&d->prev);
		buf_init(&d->spare);
	} else {
		free(d->cols);
	}
	d->ncols = n - 2;
	d->cols = cols_copy(f + 2, d->ncols);
	d->gen = ++p->gen;
	d->nprev = 0; /* new columns: nothing to repeat */
	d->in_work = false;
	return 0;
}

static int
parse_header(const char *line, const char *op, char **err)
{
	int version = 0, n = 0;
	if (sscanf(line, "DPDOCTOR %d %n", &version, &n) != 1 || n == 0) {
		err_set(err, "line 1: not a dpdoctor reply (starts \"%.40s\")", line);
		return -1;
	}
	if (version != PROTO_VERSION) {
		err_set(err, "line 1: protocol version %d, this dpdoctor speaks %d "
		    "(the %s side is %s than this dpdoctor)", version, PROTO_VERSION,
		    "remote", version < PROTO_VERSION ? "older" : "newer");
		return -1;
	}
	if (strcmp(line + n, op) != 0) {
		err_set(err, "line 1: reply is for op \"%.40s\", expected \"%s\"",
		    line + n, op);
		return -1;
	}
	return 0;
}

/* Returns 1 when the END line was seen (0 ok, -1 error via *err). */
static int
parse_end(char **f, size_t n, size_t lineno, char **err, int *rc)
{
	if (n >= 2 && strcmp(f[1], "ok") == 0) {
		*rc = 0;
		return 1;
	}
	if (n >= 3 && strcmp(f[1], "error") == 0)
		err_set(err, "remote error: %s", f[2]);
	else
		err_set(err, "line %zu: malformed END line", lineno);
	*rc = -1;
	return 1;
}

/* Fill the row's \= fields from the type's last row: 0, or -1 when there
 * is nothing there to repeat. */
static int
ditto_fill(struct coldecl *d, char **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (f[i] == ditto_mark) {
			if (i >= d->nprev)
				return -1;
			f[i] = d->prevf[i];
		}
	return 0;
}

/* Copy the last row's fields out of the work buffer, which is about to
 * be overwritten (a field may itself be in prev already: written to
 * spare, then swapped). */
static void
decl_pin(struct coldecl *d)
{
	if (!d->in_work)
		return;
	size_t len[PROTO_MAX_FIELDS], off[PROTO_MAX_FIELDS], total = 0;
	for (size_t i = 0; i < d->nprev; i++)
		total += (len[i] = strlen(d->prevf[i]) + 1);
	struct buf tmp = d->spare;
	buf_reset(&tmp);
	buf_grow(&tmp, total);
	for (size_t i = 0; i < d->nprev; i++) {
		off[i] = tmp.len;
		buf_add(&tmp, d->prevf[i], len[i]);
	}
	for (size_t i = 0; i < d->nprev; i++)
		d->prevf[i] = tmp.data + off[i];
	d->spare = d->prev;
	d->prev = tmp;
	d->in_work = false;
}

/* A record line of a declared type. */
static int
parse_row(struct proto_stream *p, size_t n, size_t lineno, char **err)
{
	struct coldecl *d = decl_find(p, p->fields[0]);
	if (d == NULL)
		return 0; /* unknown record type: a newer script, skip */
	if (ditto_fill(d, p->fields + 1, n - 1) != 0) {
		err_set(err, "line %zu: \\= with no row before it to repeat", lineno);
		return -1;
	}
	struct proto_record r = {
		.type = d->type, .lineno = lineno, .nfields = n - 1,
		.fields = p->fields + 1, .ncols = d->ncols, .cols = d->cols,
		.cols_gen = d->gen,
	};
	if (p->fn != NULL && p->fn(&r, p->arg, err) != 0)
		return -1;
	/* Kept where they are: copied only when the buffer moves on. */
	memcpy(d->prevf, p->fields + 1, (n - 1) * sizeof *d->prevf);
	d->nprev = n - 1;
	d->in_work = true;
	return 0;
}

/* One line, already without its line end.  Returns 0 to go on, 1 when the
 * END line was seen, -1 on error. */
static int
parse_line(struct proto_stream *p, char *line, const struct line_scan *ls, size_t lineno,
    char **err, int *rc)
{
	if (lineno == 1)
		return parse_header(line, p->op, err) != 0 ? -1 : 0;
	if (*line == '\0')
		return 0;
	size_t n;
	int s = split_fields(line, ls, p->fields, &n);
	if (s != 0) {
		err_set(err, "line %zu: %s", lineno,
		    s == -1 ? "too many fields" : "malformed escape");
		return -1;
	}
	/* Each strcmp behind a first-byte test: most lines are rows. */
	const char *f0 = p->fields[0];
	if (f0 == ditto_mark) {
		err_set(err, "line %zu: \\= where a record type belongs", lineno);
		return -1;
	}
	if (f0[0] == 'C' && f0[1] == 'O' && strcmp(f0, "COLS") == 0) {
		if (parser_cols(p, p->fields, n) == 0)
			return 0;
		err_set(err, "line %zu: COLS without a type, or with \\=", lineno);
		return -1;
	}
	if (f0[0] == 'E' && strcmp(f0, "END") == 0) {
		for (size_t i = 1; i < n; i++)
			if (p->fields[i] == ditto_mark)
				p->fields[i] = (char *)"\\=";
		return parse_end(p->fields, n, lineno, err, rc);
	}
	return parse_row(p, n, lineno, err);
}

struct proto_stream *
proto_stream_new(const char *op, proto_record_fn fn, void *arg)
{
	struct proto_stream *p = xcalloc(1, sizeof *p);
	p->op = op;
	p->fn = fn;
	p->arg = arg;
	buf_init(&p->work);
	return p;
}

void
proto_stream_free(struct proto_stream *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->ndecls; i++) {
		free(p->decls[i].cols);
		free(p->decls[i].type);
		buf_free(&p->decls[i].prev);
		buf_free(&p->decls[i].spare);
	}
	free(p->decls);
	buf_free(&p->work);
	free(p->err);
	free(p);
}

/* One complete line at l (len bytes, its LF already gone), in place. */
static void
stream_line(struct proto_stream *p, char *l, size_t len, struct line_scan *ls)
{
	if (len > 0 && l[len - 1] == '\r')
		len--;
	l[len] = '\0';
	p->state = parse_line(p, l, ls, ++p->lineno, &p->err, &p->rc);
}

/* One special byte at s (a TAB, a backslash or a NUL; never the LF) into
 * ls.  NULs are found here, in the one pass, not by a scan of their own;
 * a field that is \= and nothing else (the next byte a TAB or the line's
 * end, a CR before its LF included) is a ditto, not an escape. */
static inline void
line_mark(struct line_scan *ls, char *s, bool *seen)
{
	if (*s == '\0') {
		if (ls->nul == NULL)
			ls->nul = s;
	} else if (*s == '\t') {
		if (ls->ntabs < PROTO_MAX_FIELDS)
			ls->tabs[ls->ntabs] = s;
		ls->ntabs++;
		*seen = false;
	} else if (!*seen && ls->ntabs < PROTO_MAX_FIELDS) {
		*seen = true;
		/* The data is NUL-terminated at end: s[2] is readable once s[1]
		 * is '=', s[3] once s[2] is a CR. */
		bool start = s == ls->line || s[-1] == '\t';
		char c2 = s[1] == '=' ? s[2] : 'x';
		if (start && (c2 == '\t' || c2 == '\n' || s + 2 == ls->end ||
		    (c2 == '\r' && (s[3] == '\n' || s + 3 == ls->end))))
			ls->ditto[ls->nditto++] = (uint8_t)ls->ntabs;
		else
			ls->esc[ls->nesc++] = (uint8_t)ls->ntabs;
	}
}

/* Scan from s for the line's end, noting its TABs and backslashes on the
 * way (one pass over the bytes, not one for each); end when no LF.  Sixteen
 * bytes at a time where SSE2 is there (every x86-64): a row is mostly
 * digits, and this scan was the largest part of reading a status reply. */
static char *
line_scan(char *s, char *end, struct line_scan *ls)
{
	ls->ntabs = ls->nditto = ls->nesc = 0;
	ls->line = s;
	ls->end = end;
	ls->nul = NULL;
	bool seen = false;          /* a backslash in this field already */
#ifdef __SSE2__
	const __m128i lf = _mm_set1_epi8('\n'), tab = _mm_set1_epi8('\t');
	const __m128i bsl = _mm_set1_epi8('\\'), zero = _mm_setzero_si128();
	for (; end - s >= 16; s += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
		unsigned nl = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, bsl)), _mm_cmpeq_epi8(v, zero)));
		if (nl != 0)
			m &= (nl & -nl) - 1; /* only what comes before the LF */
		for (; m != 0; m &= m - 1)
			line_mark(ls, s + __builtin_ctz(m), &seen);
		if (nl != 0)
			return s + __builtin_ctz(nl);
	}
#endif
	/* The four bytes that matter, by table: most bytes of a row are
	 * digits, which a range test would not skip. */
	static const bool special[256] = { ['\n'] = true, ['\t'] = true, ['\\'] = true,
	    ['\0'] = true };
	for (; s < end; s++) {
		if (!special[(unsigned char)*s])
			continue;
		if (*s == '\n')
			return s;
		line_mark(ls, s, &seen);
	}
	return end;
}

/* The work buffer is about to change under the kept rows. */
static void
stream_pin(struct proto_stream *p)
{
	for (size_t i = 0; i < p->ndecls; i++)
		decl_pin(&p->decls[i]);
}

int
proto_stream_feed(struct proto_stream *p, const char *data, size_t len)
{
	if (p->state != 0)
		return p->state < 0 ? -1 : 0; /* after END: nothing more is read */
	size_t work_at = p->offset - p->work.len; /* the reply's offset of work.data */
	p->offset += len;
	/* The chunk goes after the partial line in one copy, and its lines
	 * are parsed where they lie: no copy per line. */
	stream_pin(p);
	buf_add(&p->work, data, len);
	char *s = p->work.data, *end = s + p->work.len;
	struct line_scan ls;
	while (s < end && p->state == 0) {
		char *nl = line_scan(s, end, &ls);
		if (ls.nul != NULL) {
			err_set(&p->err, "reply contains a NUL byte at offset %zu",
			    work_at + (size_t)(ls.nul - p->work.data));
			p->state = -1;
			break;
		}
		if (nl == end)
			break;
		stream_line(p, s, (size_t)(nl - s), &ls);
		s = nl + 1;
	}
	/* Keep the partial last line at the front for the next chunk. */
	stream_pin(p);
	size_t left = p->state == 0 ? (size_t)(end - s) : 0;
	memmove(p->work.data, s, left);
	p->work.len = left;
	p->work.data[left] = '\0';
	return p->state < 0 ? -1 : 0;
}

int
proto_stream_finish(struct proto_stream *p, char **err)
{
	/* A last line without its line end still counts (as it always has). */
	if (p->state == 0 && p->work.len > 0) {
		size_t len = p->work.len;
		struct line_scan ls;
		(void)line_scan(p->work.data, p->work.data + len, &ls);
		p->work.len = 0;
		stream_line(p, p->work.data, len, &ls);
	}
	if (p->state == 0 && p->lineno == 0)
		err_set(&p->err, "empty reply");
	else if (p->state == 0)
		err_set(&p->err, "reply cut short after line %zu (no END line)", p->lineno);
	int rc = p->state == 1 ? p->rc : -1;
	if (rc != 0 && err != NULL) {
		free(*err);
		*err = p->err;
		p->err = NULL;
	}
	return rc;
}

int
proto_parse(const char *text, size_t len, const char *op,
    proto_record_fn fn, void *arg, char **err)
{
	struct proto_stream *p = proto_stream_new(op, fn, arg);
	/* In pieces, so the work buffer stays small beside the text. */
	for (size_t off = 0; off < len && p->state == 0; off += PROTO_PARSE_CHUNK)
		(void)proto_stream_feed(p, text + off,
		    len - off < PROTO_PARSE_CHUNK ? len - off : PROTO_PARSE_CHUNK);
	int rc = proto_stream_finish(p, err);
	proto_stream_free(p);
	return rc;
}

/* ---- records made in memory ----------------------------------------------------- */

void
proto_emit_begin(struct proto_emit *e, proto_record_fn fn, void *arg)
{
	*e = (struct proto_emit){ .fn = fn, .arg = arg, .lineno = 1 };
}

void
proto_emit_cols(struct proto_emit *e, const char *type, const char *const *names, size_t n)
{
	e->type = type;
	e->cols = names;
	e->ncols = n;
	e->gen++;
	e->lineno++;
}

int
proto_emit_row(struct proto_emit *e, const char *const *values, size_t n, char **err)
{
	e->lineno++;
	e->records++;
	/* A record's strings are the caller's: fn reads them (proto_record
	 * has no const, being the parser's view of its own buffer). */
	struct proto_record r = {
		.type = e->type, .lineno = e->lineno, .nfields = n, .fields = (char **)values,
		.ncols = e->ncols, .cols = (char **)e->cols, .cols_gen = e->gen,
	};
	return e->fn != NULL && e->fn(&r, e->arg, err) != 0 ? -1 : 0;
}
