/*
 * How a simulated host writes its reply: our line protocol with CRLF line
 * ends, as PowerShell on Windows writes it, counting the records for the
 * END line.  Kept apart from simops.c (which dispatches an op to its
 * handler) because every handler writes through it: the handlers sit
 * above this file and below the dispatcher.
 */
#include "autoconf.h"
#include "backend/sim/simint.h"
#include "backend/core/proto.h"

#include <stdarg.h>
#include <stdlib.h>

static void
reply_flush(struct reply *r)
{
	buf_grow(r->out, r->tmp.len + r->tmp.len / 8 + 2);
	for (size_t i = 0; i < r->tmp.len; i++) {
		if (r->tmp.data[i] == '\n')
			buf_addc(r->out, '\r');
		buf_addc(r->out, r->tmp.data[i]);
	}
	buf_reset(&r->tmp);
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
