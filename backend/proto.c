/*
 * The line protocol between dpdoctor and the scripts it runs remotely (see
 * proto.h for the grammar).  Parsing is strict about structure (magic,
 * version, op, the final END line) and lenient about content (unknown types
 * and columns are skipped) because remote output is untrusted input that
 * still has to survive version skew.
 */
#include "config.h"
#include "backend/proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
proto_escape(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '\\': buf_add(out, "\\\\", 2); break;
		case '\t': buf_add(out, "\\t", 2); break;
		case '\n': buf_add(out, "\\n", 2); break;
		case '\r': buf_add(out, "\\r", 2); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
				buf_add(out, e, 4);
			} else {
				buf_addc(out, (char)c);
			}
		}
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
	char *w = s;
	for (char *r = s; *r != '\0'; r++) {
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
	for (size_t i = 0; i < r->ncols && i < r->nfields; i++)
		if (strcmp(r->cols[i], name) == 0)
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
	size_t ndecls;
	char *fields[PROTO_MAX_FIELDS];
};

static void
parser_free(struct parser *p)
{
	for (size_t i = 0; i < p->ndecls; i++) {
		for (size_t j = 0; j < p->decls[i].ncols; j++)
			free(p->decls[i].cols[j]);
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

static int
parser_cols(struct parser *p, char **f, size_t n)
{
	if (n < 2)
		return -1;
	struct coldecl *d = NULL;
	for (size_t i = 0; i < p->ndecls; i++)
		if (strcmp(p->decls[i].type, f[1]) == 0)
			d = &p->decls[i];
	if (d == NULL) {
		p->decls = xreallocarray(p->decls, p->ndecls + 1, sizeof *p->decls);
		d = &p->decls[p->ndecls++];
		d->type = xstrdup(f[1]);
	} else {
		for (size_t j = 0; j < d->ncols; j++)
			free(d->cols[j]);
		free(d->cols);
	}
	d->ncols = n - 2;
	d->cols = xcalloc(d->ncols, sizeof *d->cols);
	for (size_t j = 0; j < d->ncols; j++)
		d->cols[j] = xstrdup(f[j + 2]);
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

int
proto_parse(const char *text, size_t len, const char *op,
    proto_record_fn fn, void *arg, char **err)
{
	struct parser p = {0};
	int rc = -1, ended = 0;
	size_t lineno = 0;
	char *copy = xstrndup(text, len);
	char *save = NULL;
	if (memchr(text, '\0', len) != NULL) {
		err_set(err, "reply contains a NUL byte at offset %zu",
		    (size_t)((const char *)memchr(text, '\0', len) - text));
		goto out;
	}
	for (char *line = copy; line != NULL && !ended; line = save) {
		char *nl = strchr(line, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl != NULL)
			*nl = '\0';
		else if (*line == '\0')
			break;
		size_t l = strlen(line);
		if (l > 0 && line[l - 1] == '\r')
			line[--l] = '\0';
		lineno++;
		if (lineno == 1) {
			if (parse_header(line, op, err) != 0)
				goto out;
			continue;
		}
		if (l == 0)
			continue;
		size_t n;
		int s = split_fields(line, p.fields, &n);
		if (s != 0) {
			err_set(err, "line %zu: %s", lineno,
			    s == -1 ? "too many fields" : "malformed escape");
			goto out;
		}
		if (strcmp(p.fields[0], "COLS") == 0) {
			if (parser_cols(&p, p.fields, n) != 0) {
				err_set(err, "line %zu: COLS without a type", lineno);
				goto out;
			}
			continue;
		}
		if (strcmp(p.fields[0], "END") == 0) {
			ended = parse_end(p.fields, n, lineno, err, &rc);
			continue;
		}
		struct coldecl *d = NULL;
		for (size_t i = 0; i < p.ndecls; i++)
			if (strcmp(p.decls[i].type, p.fields[0]) == 0)
				d = &p.decls[i];
		if (d == NULL)
			continue; /* unknown record type: newer script, skip */
		struct proto_record r = {
			.type = p.fields[0], .lineno = lineno, .nfields = n - 1,
			.fields = p.fields + 1, .ncols = d->ncols, .cols = d->cols,
		};
		if (fn(&r, arg, err) != 0)
			goto out;
	}
	if (lineno == 0)
		err_set(err, "empty reply");
	else if (!ended)
		err_set(err, "reply cut short after line %zu (no END line)", lineno);
out:
	parser_free(&p);
	free(copy);
	return ended ? rc : -1;
}
