/*
 * dpdoctor's own line protocol, spoken by every remote script (and by the
 * simulator) on standard output.  It is versioned, survives CRLF, and is
 * escape-safe: a field can hold any byte.
 *
 *   DPDOCTOR 2 <op>                        first line: magic, version, op
 *   COLS <type> <name> <name> ...          declares the columns of a record type
 *   <type> <value> <value> ...             a record (fields separated by TAB)
 *   END ok <records>                       last line on success
 *   END error <message>                    last line on failure
 *
 * Inside fields \\ \t \n \r and \xHH escape the backslash, TAB, LF, CR and
 * other control bytes.  A field that is exactly \= (version 2; an escape
 * that was malformed in version 1) means "the same as this column of the
 * previous row of this type": a writer uses it where a value repeats (the
 * status reply's package ID on every DP of a package, its times), and a
 * reader refuses it where there is no previous row (or after a new COLS).
 * A version the reader does not speak is refused on line 1, never guessed.  A reply without END was cut short and is an error,
 * never half a result.  Unknown record types and columns are skipped, so a
 * newer script still talks to an older dpdoctor.
 */
#ifndef DPD_PROTO_H
#define DPD_PROTO_H

#include <stddef.h>

#include "backend/core/util.h"

#define PROTO_VERSION 2
#define PROTO_MAX_FIELDS 64

/* Writing (used by the simulator hosts and tests). */
void proto_begin(struct buf *out, const char *op);
void proto_cols(struct buf *out, const char *type, const char *const *names, size_t n);
void proto_row(struct buf *out, const char *type, const char *const *values, size_t n);
void proto_end_ok(struct buf *out, size_t records);
void proto_end_error(struct buf *out, const char *message);
/* Append one escaped field to out. */
void proto_escape(struct buf *out, const char *s);
/* Unescape in place; returns -1 on a malformed escape. */
int proto_unescape(char *s);

/* Reading.  The callback sees each record with values looked up by column
 * name; it returns 0 to go on or -1 (setting *err) to stop. */
struct proto_record {
	const char *type;
	size_t lineno;
	size_t nfields;
	char **fields;            /* unescaped values */
	size_t ncols;
	char **cols;              /* column names declared for this type */
	unsigned cols_gen;        /* changes when cols does: look columns up once */
};
/* The value of column `name`, or NULL when the record has no such column. */
const char *proto_get(const struct proto_record *r, const char *name);

typedef int (*proto_record_fn)(const struct proto_record *r, void *arg, char **err);

/* Incremental parsing: feed the reply in chunks of any size as it
 * arrives; each record is handed to fn as soon as its line is complete (the
 * partial last line waits for the next chunk), so no one holds the whole
 * reply.  feed returns -1 once the reply is known bad (later chunks are then
 * ignored); finish says how it ended: 0 for END ok, else -1 with *err (a
 * reply cut short, without END, is an error: the caller drops what fn
 * built). */
struct proto_stream;
struct proto_stream *proto_stream_new(const char *op, proto_record_fn fn, void *arg);
int proto_stream_feed(struct proto_stream *p, const char *data, size_t len);
int proto_stream_finish(struct proto_stream *p, char **err);
void proto_stream_free(struct proto_stream *p);

/* Parse a whole reply (proto_stream fed once).  `op` must match the DPDOCTOR line.  Returns 0 when
 * the reply ended with END ok; otherwise -1 with *err naming the line and
 * what was wrong (for END error: the remote's message). */
int proto_parse(const char *text, size_t len, const char *op,
    proto_record_fn fn, void *arg, char **err);

/* Records made in memory rather than parsed (a transport answering an op
 * itself, or putting several answers together): each is handed to fn as
 * proto_parse would hand it over, numbered with the line it would have in
 * the reply's text.  A row's type is the last COLS declared (rows follow
 * their own COLS, as every reply writes them); names and values are
 * borrowed for the call. */
struct proto_emit {
	proto_record_fn fn;       /* NULL: records are counted, not handed over */
	void *arg;
	size_t lineno;            /* the last line: 1 is the DPDOCTOR line */
	const char *type;         /* the last COLS declared */
	const char *const *cols;
	size_t ncols;
	unsigned gen;             /* cols_gen of the records */
	size_t records;
};
void proto_emit_begin(struct proto_emit *e, proto_record_fn fn, void *arg);
void proto_emit_cols(struct proto_emit *e, const char *type, const char *const *names,
    size_t n);
/* 0, or -1 with *err when fn refused the record. */
int proto_emit_row(struct proto_emit *e, const char *const *values, size_t n, char **err);

#endif
