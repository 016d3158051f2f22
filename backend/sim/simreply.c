/*
 * How a simulated host writes its reply: our line protocol with CRLF line
 * ends, as PowerShell on Windows writes it, counting the records for the
 * END line.  Kept apart from simops.c (which dispatches an op to its
 * handler) because every handler writes through it: the handlers sit
 * above this file and below the dispatcher.  When the result has a sink
 * (script.h) the reply goes to it every SIMREPLY_FLUSH bytes, as a host's
 * output comes down a pipe, rather than being built whole; and rows can be
 * written as the status script's Same writes them (\= for a field that
 * repeats the previous row of its type).
 */
#include "autoconf.h"
#include "backend/sim/simint.h"
#include "backend/core/proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The previous row of each type simreply_same wrote, escaped. */
struct reply_same {
	char type[8];
	struct buf f[PROTO_MAX_FIELDS];
	size_t n;
	struct buf e;             /* scratch: one field escaped */
	struct reply_same *next;
};

void
simreply_flush(struct reply *r, size_t min, bool done)
{
	if (r->res != NULL && r->res->sink != NULL && r->out->len > 0 && r->out->len >= min) {
		script_result_out(r->res, r->out->data, r->out->len);
		buf_reset(r->out);
	}
	while (done && r->same != NULL) {
		struct reply_same *x = r->same;
		r->same = x->next;
		for (size_t i = 0; i < PROTO_MAX_FIELDS; i++)
			buf_free(&x->f[i]);
		buf_free(&x->e);
		free(x);
	}
}

/* tmp to out with LF made CRLF, a run of plain bytes at a time. */
static void
reply_flush(struct reply *r)
{
	buf_grow(r->out, r->tmp.len + r->tmp.len / 8 + 2);
	for (const char *s = r->tmp.data, *end = s + r->tmp.len; s < end; ) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = (size_t)((nl ? nl : end) - s);
		buf_add(r->out, s, l);
		if (nl != NULL)
			buf_add(r->out, "\r\n", 2);
		s += l + (nl != NULL);
	}
	buf_reset(&r->tmp);
	simreply_flush(r, SIMREPLY_FLUSH, false);
}

void
simreply_begin(struct reply *r, const char *op)
{
	proto_begin(&r->tmp, op);
	reply_flush(r);
}

void
simreply_cols(struct reply *r, const char *type, const char *const *names, size_t n)
{
	proto_cols(&r->tmp, type, names, n);
	reply_flush(r);
}

void
simreply_row(struct reply *r, const char *type, const char *const *values, size_t n)
{
	proto_row(&r->tmp, type, values, n);
	reply_flush(r);
	r->records++;
}

/* A row the END line does not count (the status script's T row). */
void
simreply_row_uncounted(struct reply *r, const char *type, const char *const *values, size_t n)
{
	proto_row(&r->tmp, type, values, n);
	reply_flush(r);
}

static struct reply_same *
same_of(struct reply *r, const char *type)
{
	for (struct reply_same *x = r->same; x != NULL; x = x->next)
		if (strcmp(x->type, type) == 0)
			return x;
	struct reply_same *x = xcalloc(1, sizeof *x);
	snprintf(x->type, sizeof x->type, "%s", type);
	x->next = r->same;
	r->same = x;
	return x;
}

void
simreply_same(struct reply *r, const char *type, const char *const *values, size_t n,
    bool counted)
{
	struct reply_same *x = same_of(r, type);
	struct buf *e = &x->e;
	buf_adds(&r->tmp, type);
	for (size_t i = 0; i < n && i < PROTO_MAX_FIELDS; i++) {
		buf_reset(e);
		proto_escape(e, values[i] ? values[i] : "");
		buf_addc(&r->tmp, '\t');
		bool same = i < x->n && e->len > 2 && x->f[i].len == e->len &&
		    memcmp(x->f[i].data, e->data, e->len) == 0;
		if (same) {
			buf_add(&r->tmp, "\\=", 2);
			continue;
		}
		buf_add(&r->tmp, e->data, e->len);
		buf_reset(&x->f[i]);
		buf_add(&x->f[i], e->data, e->len);
	}
	x->n = n;
	buf_addc(&r->tmp, '\n');
	reply_flush(r);
	r->records += counted;
}

void
simreply_error(struct reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void
simreply_error(struct reply *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	proto_end_error(&r->tmp, msg);
	reply_flush(r);
	free(msg);
	r->failed = true;
}

void
simreply_ok(struct reply *r)
{
	proto_end_ok(&r->tmp, r->records);
	reply_flush(r);
}
