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
	is_int(parse("DPDOCTOR 1 t\r\nCOLS\tR\ta\tb\r\nR\t1\t2\r\nEND\tok\t1\r\n", &s, &err), 0,
	    "CRLF line ends accepted");
	is_str(s.last, "R:2", "value by column name");
	is_int(parse("DPDOCTOR 1 t\nCOLS\tR\tb\ta\nR\tx\ty\nEND\tok\t1\n", &s, &err), 0, "columns in any order");
	is_str(s.last, "R:x", "value follows the declared column");
	is_int(parse("DPDOCTOR 1 t\nCOLS\tR\ta\nR\t1\tEXTRA\nZ\tq\nEND\tok\t1\n", &s, &err), 0,
	    "unknown record types and extra fields skipped");
	is_str(s.last, "R:(none)", "missing column reads as NULL");

	is_int(parse("DPDOCTOR 1 t\nCOLS\tR\tbb\tb\tba\nR\t1\t2\t3\nEND\tok\t1\n", &s, &err), 0,
	    "names sharing a first letter");
	is_str(s.last, "R:2", "the column of exactly that name");
	is_int(parse("DPDOCTOR 1 t\nCOLS\tR\ta\tb\nCOLS\tR\tb\nR\t7\t8\nEND\tok\t1\n", &s, &err), 0,
	    "a type declared again");
	is_str(s.last, "R:7", "the later declaration holds");
	is_int(parse("DPDOCTOR 1 t\nCOLS\tR\nR\t7\nEND\tok\t1\n", &s, &err), 0, "a type with no columns");
	is_str(s.last, "R:(none)", "has no values");
	struct buf types;
	buf_init(&types);
	buf_adds(&types, "DPDOCTOR 1 t\n");
	for (int i = 0; i < 20; i++)
		buf_printf(&types, "COLS\tT%d\tb\n", i);
	buf_adds(&types, "T0\tfirst\nCOLS\tT0\ta\tb\nT19\tx\\ty\nT0\t1\tz\\\\\nEND\tok\t2\n");
	is_int(parse(types.data, &s, &err), 0, "twenty types");
	ok(s.n == 3 && strcmp(s.last, "T0:z\\") == 0, "each type keeps its columns as more are declared");
	buf_free(&types);

	static const struct { const char *text, *msg; } bad[] = {
		{ "", "empty reply" },
		{ "hello\n", "not a dpdoctor reply" },
		{ "DPDOCTOR 2 t\nEND\tok\t0\n", "protocol version 2" },
		{ "DPDOCTOR 1 other\nEND\tok\t0\n", "expected \"t\"" },
		{ "DPDOCTOR 1 t\nCOLS\tR\ta\nR\t1\n", "cut short after line 3" },
		{ "DPDOCTOR 1 t\nEND\terror\tInvalid namespace\n", "remote error: Invalid namespace" },
		{ "DPDOCTOR 1 t\nR\tbad\\q\nEND\tok\t0\n", "line 2: malformed escape" },
		{ "DPDOCTOR 1 t\nR\tbad\\x00\nEND\tok\t0\n", "line 2: malformed escape" },
		{ "DPDOCTOR 1 t\nEND\tmaybe\n", "line 2: malformed END" },
		{ "DPDOCTOR 1 t\nCOLS\n", "COLS without a type" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err = NULL;
		ok(parse(bad[i].text, &s, &err) == -1, "bad reply %zu refused", i);
		contains(err, bad[i].msg, "  says \"%s\"", bad[i].msg);
		free(err);
	}
	err = NULL;
	ok(proto_parse("DPDOCTOR 1 t\n\0END", 17, "t", collect, &s, &err) == -1, "NUL byte refused");
	contains(err, "NUL byte at offset 13", "  names the offset");
	free(err);
	struct buf many;
	buf_init(&many);
	buf_adds(&many, "DPDOCTOR 1 t\nR");
	for (int i = 0; i < PROTO_MAX_FIELDS + 5; i++)
		buf_adds(&many, "\tx");
	buf_adds(&many, "\nEND\tok\t0\n");
	err = NULL;
	ok(parse(many.data, &s, &err) == -1, "too many fields refused");
	free(err);
	buf_free(&many);
}

int
main(void)
{
	test_roundtrip();
	test_structure();
	return done_testing();
}
