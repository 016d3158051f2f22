/* Unit tests: the line protocol (escaping, structure, hostile replies). */
#include "autoconf.h"
#include "backend/core/proto.h"
#include "tests/unit/tap.h"

#include <stdlib.h>

struct seen {
	int n;
	char last[256];
};

static int
collect(const struct proto_record *r, void *arg, char **err)
{
	(void)err;
	struct seen *s = arg;
	const char *v = proto_get(r, "b");
	snprintf(s->last, sizeof s->last, "%s:%s", r->type, v ? v : "(none)");
	s->n++;
	return 0;
}

static int
parse(const char *text, struct seen *s, char **err)
{
	memset(s, 0, sizeof *s);
	return proto_parse(text, strlen(text), "t", collect, s, err);
}

static void
test_roundtrip(void)
{
	const char *nasty = "tab\there\nnew\rline \\ back \x01 ctl \"q\" 'x' \xc3\xa9";
	struct buf b;
	buf_init(&b);
	proto_begin(&b, "t");
	const char *cols[] = { "a", "b" };
	proto_cols(&b, "R", cols, 2);
	const char *vals[] = { "1", nasty };
	proto_row(&b, "R", vals, 2);
	proto_end_ok(&b, 1);
	struct seen s;
	char *err = NULL;
	is_int(parse(b.data, &s, &err), 0, "round trip parses");
	is_int(s.n, 1, "one record");
	ok(strcmp(s.last + 2, nasty) == 0, "every special byte survives");
	ok(strchr(b.data + 12, '\r') == NULL, "no raw CR in the encoded reply");
	buf_free(&b);
}

static void
test_structure(void)
{
	struct seen s;
	char *err = NULL;
	is_int(parse("DPDOCTOR 2 t\r\nCOLS\tR\ta\tb\r\nR\t1\t2\r\nEND\tok\t1\r\n", &s, &err), 0,
	    "CRLF line ends accepted");
	is_str(s.last, "R:2", "value by column name");
	is_int(parse("DPDOCTOR 2 t\nCOLS\tR\tb\ta\nR\tx\ty\nEND\tok\t1\n", &s, &err), 0, "columns in any order");
	is_str(s.last, "R:x", "value follows the declared column");
	is_int(parse("DPDOCTOR 2 t\nCOLS\tR\ta\nR\t1\tEXTRA\nZ\tq\nEND\tok\t1\n", &s, &err), 0,
	    "unknown record types and extra fields skipped");
	is_str(s.last, "R:(none)", "missing column reads as NULL");

	is_int(parse("DPDOCTOR 2 t\nCOLS\tR\tbb\tb\tba\nR\t1\t2\t3\nEND\tok\t1\n", &s, &err), 0,
	    "names sharing a first letter");
	is_str(s.last, "R:2", "the column of exactly that name");
	is_int(parse("DPDOCTOR 2 t\nCOLS\tR\ta\tb\nCOLS\tR\tb\nR\t7\t8\nEND\tok\t1\n", &s, &err), 0,
	    "a type declared again");
	is_str(s.last, "R:7", "the later declaration holds");
	is_int(parse("DPDOCTOR 2 t\nCOLS\tR\nR\t7\nEND\tok\t1\n", &s, &err), 0, "a type with no columns");
	is_str(s.last, "R:(none)", "has no values");
	struct buf types;
	buf_init(&types);
	buf_adds(&types, "DPDOCTOR 2 t\n");
	for (int i = 0; i < 20; i++)
		buf_printf(&types, "COLS\tT%d\tb\n", i);
	buf_adds(&types, "T0\tfirst\nCOLS\tT0\ta\tb\nT19\tx\\ty\nT0\t1\tz\\\\\nEND\tok\t2\n");
	is_int(parse(types.data, &s, &err), 0, "twenty types");
	ok(s.n == 3 && strcmp(s.last, "T0:z\\") == 0, "each type keeps its columns as more are declared");
	buf_free(&types);

	static const struct { const char *text, *msg; } bad[] = {
		{ "", "empty reply" },
		{ "hello\n", "not a dpdoctor reply" },
		{ "DPDOCTOR 1 t\nEND\tok\t0\n", "protocol version 1, this dpdoctor speaks 2 (the remote side is older" },
		{ "DPDOCTOR 3 t\nEND\tok\t0\n", "the remote side is newer" },
		{ "DPDOCTOR 2 t\nCOLS\tR\ta\nR\t\\=\nEND\tok\t1\n", "line 3: \\= with no row before" },
		{ "DPDOCTOR 2 t\nCOLS\tR\ta\tb\nR\t1\nR\t\\=\t\\=\nEND\tok\t2\n", "line 4: \\= with no row" },
		{ "DPDOCTOR 2 t\nCOLS\tR\ta\nR\t1\nCOLS\tR\ta\nR\t\\=\nEND\tok\t2\n", "line 5: \\= with no row" },
		{ "DPDOCTOR 2 t\nCOLS\tR\t\\=\nEND\tok\t0\n", "COLS without a type, or with" },
		{ "DPDOCTOR 2 t\n\\=\t1\nEND\tok\t0\n", "where a record type belongs" },
		{ "DPDOCTOR 2 other\nEND\tok\t0\n", "expected \"t\"" },
		{ "DPDOCTOR 2 t\nCOLS\tR\ta\nR\t1\n", "cut short after line 3" },
		{ "DPDOCTOR 2 t\nEND\terror\tInvalid namespace\n", "remote error: Invalid namespace" },
		{ "DPDOCTOR 2 t\nR\tbad\\q\nEND\tok\t0\n", "line 2: malformed escape" },
		{ "DPDOCTOR 2 t\nR\tbad\\x00\nEND\tok\t0\n", "line 2: malformed escape" },
		{ "DPDOCTOR 2 t\nEND\tmaybe\n", "line 2: malformed END" },
		{ "DPDOCTOR 2 t\nCOLS\n", "COLS without a type" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err = NULL;
		ok(parse(bad[i].text, &s, &err) == -1, "bad reply %zu refused", i);
		contains(err, bad[i].msg, "  says \"%s\"", bad[i].msg);
		free(err);
	}
	err = NULL;
	ok(proto_parse("DPDOCTOR 2 t\n\0END", 17, "t", collect, &s, &err) == -1, "NUL byte refused");
	contains(err, "NUL byte at offset 13", "  names the offset");
	free(err);
	struct buf many;
	buf_init(&many);
	buf_adds(&many, "DPDOCTOR 2 t\nR");
	for (int i = 0; i < PROTO_MAX_FIELDS + 5; i++)
		buf_adds(&many, "\tx");
	buf_adds(&many, "\nEND\tok\t0\n");
	err = NULL;
	ok(parse(many.data, &s, &err) == -1, "too many fields refused");
	free(err);
	buf_free(&many);
}

/* "Same as the row before": \= repeats a column of the previous row of
 * the same type, whatever rows of other types come between. */
static void
test_ditto(void)
{
	struct seen s;
	char *err = NULL;
	is_int(parse("DPDOCTOR 2 t\nCOLS\tR\ta\tb\nCOLS\tQ\tb\nR\t1\tfirst\nQ\tother\n"
	    "R\t2\t\\=\nEND\tok\t3\n", &s, &err), 0, "a \\= row parses");
	is_str(s.last, "R:first", "\\= is the previous R row's value, not the Q row's");
	is_int(parse("DPDOCTOR 2 t\nCOLS\tR\tb\nR\tx\nR\t\\=\nR\t\\=\nEND\tok\t3\n", &s, &err),
	    0, "a repeated value repeats again");
	is_str(s.last, "R:x", "  through two rows");
	is_int(parse("DPDOCTOR 2 t\nCOLS\tR\tb\nR\t\\\\=\nEND\tok\t1\n", &s, &err), 0,
	    "an escaped backslash before = is text");
	is_str(s.last, "R:\\=", "  a backslash and =");
	is_int(parse("DPDOCTOR 2 t\r\nCOLS\tR\ta\tb\r\nR\tx\ty\r\nR\t\\=\t\\=\r\nEND\tok\t2\r\n",
	    &s, &err), 0, "\\= before a TAB and before CRLF");
	is_str(s.last, "R:y", "  both repeat");
	is_int(parse("DPDOCTOR 2 t\nCOLS\tR\ta\tb\nR\tx\ty\nR\tz\t\\=", &s, &err), -1,
	    "\\= ending a last line without its LF");
	contains(err, "cut short", "  is read as a ditto (the reply is only cut short)");
	is_int(parse("DPDOCTOR 2 t\nCOLS\tR\tb\nR\tx\nR\t\\=x\nEND\tok\t2\n", &s, &err), -1,
	    "\\= with more after it is a malformed escape");
	contains(err, "line 4: malformed escape", "  naming its line");
	is_int(parse("DPDOCTOR 2 t\nCOLS\tR\tb\nR\tx\nR\ta\\=\nEND\tok\t2\n", &s, &err), -1,
	    "a \\= inside a field is a malformed escape");
	free(err);
}

struct stream_seen {
	int n;
	struct buf all;
};

static int
stream_collect(const struct proto_record *r, void *arg, char **err)
{
	(void)err;
	struct stream_seen *s = arg;
	for (size_t i = 0; i < r->nfields; i++)
		buf_printf(&s->all, "%s%s", i ? "," : "", r->fields[i]);
	buf_addc(&s->all, ';');
	s->n++;
	return 0;
}

/* Fed in chunks of every size, a reply gives the same records as whole,
 * each as soon as its line is complete; a reply cut short is an error. */
static void
test_stream(void)
{
	const char *text = "DPDOCTOR 2 t\r\nCOLS\tR\ta\tb\r\nR\t1\tlong value here\r\n"
	    "R\t2\t\\=\r\nR\t3\tx\\ty\r\nEND\tok\t3\r\n";
	size_t len = strlen(text);
	int same = 0;
	for (size_t chunk = 1; chunk <= len; chunk++) {
		struct stream_seen s = { 0 };
		buf_init(&s.all);
		struct proto_stream *p = proto_stream_new("t", stream_collect, &s);
		int rc = 0;
		for (size_t off = 0; off < len && rc == 0; off += chunk)
			rc = proto_stream_feed(p, text + off, len - off < chunk ? len - off : chunk);
		char *err = NULL;
		rc = rc == 0 ? proto_stream_finish(p, &err) : -1;
		same += rc == 0 && s.n == 3 &&
		    strcmp(s.all.data, "1,long value here;2,long value here;3,x\ty;") == 0;
		free(err);
		proto_stream_free(p);
		buf_free(&s.all);
	}
	is_int(same, (int)len, "every chunk size gives the same three records");

	struct stream_seen s = { 0 };
	buf_init(&s.all);
	struct proto_stream *p = proto_stream_new("t", stream_collect, &s);
	const char *part = "DPDOCTOR 2 t\nCOLS\tR\ta\nR\t1\nR\t";
	is_int(proto_stream_feed(p, part, strlen(part)), 0, "a first chunk");
	is_int(s.n, 1, "  its complete row is handed over at once, the partial one waits");
	char *err = NULL;
	is_int(proto_stream_finish(p, &err), -1, "a stream without END fails");
	contains(err, "cut short", "  as cut short");
	free(err);
	proto_stream_free(p);
	buf_free(&s.all);
}

/* A NUL in a reply is an error naming its offset, wherever it falls:
 * in a long row (past the sixteen-byte scan), in a last line without its
 * LF, and whatever the chunks. */
static void
test_nul(void)
{
	static const char text[] = "DPDOCTOR 2 t\nCOLS\tR\ta\nR\tabcdefghijklmnopqrstuvwxyz0123456789"
	    "\0tail\nEND\tok\t1\n";
	size_t len = sizeof text - 1, at = (size_t)(strchr(text + 30, '\0') - text);
	char want[64];
	snprintf(want, sizeof want, "NUL byte at offset %zu", at);
	int named = 0, chunks = 0;
	for (size_t chunk = 1; chunk <= len; chunk++, chunks++) {
		struct proto_stream *p = proto_stream_new("t", NULL, NULL);
		int rc = 0;
		for (size_t off = 0; off < len && rc == 0; off += chunk)
			rc = proto_stream_feed(p, text + off, len - off < chunk ? len - off : chunk);
		char *err = NULL;
		rc = proto_stream_finish(p, &err);
		named += rc == -1 && err != NULL && strstr(err, want) != NULL;
		free(err);
		proto_stream_free(p);
	}
	is_int(named, chunks, "a NUL in a long row: an error naming offset %zu, in chunks of every size",
	    at);
	static const char last[] = "DPDOCTOR 2 t\nCOLS\tR\ta\nR\tx\0y";
	struct proto_stream *p = proto_stream_new("t", NULL, NULL);
	(void)proto_stream_feed(p, last, sizeof last - 1);
	char *err = NULL;
	is_int(proto_stream_finish(p, &err), -1, "a NUL in a last line without its LF");
	contains(err, "NUL byte at offset 25", "  is told as a NUL, not as a reply cut short");
	free(err);
	proto_stream_free(p);
}

int
main(void)
{
	test_ditto();
	test_stream();
	test_nul();
	test_roundtrip();
	test_structure();
	return done_testing();
}
