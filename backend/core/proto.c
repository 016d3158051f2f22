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

/* Column declarations, one per record type. */
struct coldecl {
	char *type;
	char **cols;
	size_t ncols;
};

struct parser {
	struct coldecl *decls;
	size_t ndecls, capdecls;
	char *fields[PROTO_MAX_FIELDS];
};

static void
parser_free(struct parser *p)
{
	for (size_t i = 0; i < p->ndecls; i++) {
		free(p->decls[i].cols);
		free(p->decls[i].type);
	}
	free(p->decls);
}

/* Split a line into TAB-separated unescaped fields (in place). */
static int
split_fields(char *line, char **fields, size_t *n)
{
	*n = 0;
	for (char *s = line;;) {
		if (*n == PROTO_MAX_FIELDS)
			return -1;
		fields[(*n)++] = s;
		char *tab = strchr(s, '\t');
		if (tab == NULL)
			break;
		*tab = '\0';
		s = tab + 1;
	}
	for (size_t i = 0; i < *n; i++)
		if (proto_unescape(fields[i]) != 0)
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

static int
parser_cols(struct parser *p, char **f, size_t n)
{
	if (n < 2)
		return -1;
	struct coldecl *d = NULL;
	for (size_t i = 0; i < p->ndecls; i++)
		if (p->decls[i].type[0] == f[1][0] && strcmp(p->decls[i].type, f[1]) == 0)
			d = &p->decls[i];
	if (d == NULL) {
		if (p->ndecls == p->capdecls) {
			p->capdecls = p->capdecls ? p->capdecls * 2 : 8;
			p->decls = xreallocarray(p->decls, p->capdecls, sizeof *p->decls);
		}
		d = &p->decls[p->ndecls++];
		d->type = xstrdup(f[1]);
	} else {
		free(d->cols);
	}
	d->ncols = n - 2;
	d->cols = cols_copy(f + 2, d->ncols);
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
		err_set(err, "line 1: protocol version %d, this dpdoctor speaks %d",
		    version, PROTO_VERSION);
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

/* One line, already without its line end.  Returns 0 to go on, 1 when the
 * END line was seen, -1 on error. */
static int
parse_line(struct parser *p, char *line, size_t lineno, const char *op,
    proto_record_fn fn, void *arg, char **err, int *rc)
{
	if (lineno == 1)
		return parse_header(line, op, err) != 0 ? -1 : 0;
	if (*line == '\0')
		return 0;
	size_t n;
	int s = split_fields(line, p->fields, &n);
	if (s != 0) {
		err_set(err, "line %zu: %s", lineno,
		    s == -1 ? "too many fields" : "malformed escape");
		return -1;
	}
	/* Each strcmp behind a first-byte test: most lines are rows. */
	const char *f0 = p->fields[0];
	if (f0[0] == 'C' && strcmp(f0, "COLS") == 0) {
		if (parser_cols(p, p->fields, n) == 0)
			return 0;
		err_set(err, "line %zu: COLS without a type", lineno);
		return -1;
	}
	if (f0[0] == 'E' && strcmp(f0, "END") == 0)
		return parse_end(p->fields, n, lineno, err, rc);
	struct coldecl *d = NULL;
	for (size_t i = 0; i < p->ndecls && d == NULL; i++)
		if (p->decls[i].type[0] == f0[0] && strcmp(p->decls[i].type, f0) == 0)
			d = &p->decls[i];
	if (d == NULL)
		return 0; /* unknown record type: a newer script, skip */
	struct proto_record r = {
		.type = p->fields[0], .lineno = lineno, .nfields = n - 1,
		.fields = p->fields + 1, .ncols = d->ncols, .cols = d->cols,
	};
	return fn != NULL && fn(&r, arg, err) != 0 ? -1 : 0;
}

int
proto_parse(const char *text, size_t len, const char *op,
    proto_record_fn fn, void *arg, char **err)
{
	const char *nul = memchr(text, '\0', len);
	if (nul != NULL) {
		err_set(err, "reply contains a NUL byte at offset %zu", (size_t)(nul - text));
		return -1;
	}
	struct parser p = {0};
	struct buf line;
	buf_init(&line);
	/* Sized once for the usual line, not grown from 64 bytes per reply. */
	buf_grow(&line, len < 1024 ? len : 1024);
	int rc = -1, state = 0;
	size_t lineno = 0;
	/* Line by line through one reused buffer: a reply can be tens of MB
	 * and copying it whole costs more than parsing it. */
	for (const char *s = text, *end = text + len; s < end && state == 0; ) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = (nl ? nl : end) - s;
		buf_reset(&line);
		buf_add(&line, s, l);
		s += l + (nl != NULL);
		if (line.len > 0 && line.data[line.len - 1] == '\r')
			line.data[--line.len] = '\0';
		state = parse_line(&p, line.data, ++lineno, op, fn, arg, err, &rc);
	}
	if (state == 0 && lineno == 0)
		err_set(err, "empty reply");
	else if (state == 0)
		err_set(err, "reply cut short after line %zu (no END line)", lineno);
	parser_free(&p);
	buf_free(&line);
	return state == 1 ? rc : -1;
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
		.ncols = e->ncols, .cols = (char **)e->cols,
	};
	return e->fn != NULL && e->fn(&r, e->arg, err) != 0 ? -1 : 0;
}
