/* Unit tests: op rendering, validation and parsing back (injection safety). */
#include "config.h"
#include "backend/ops.h"
#include "tests/unit/tap.h"

#include <stdlib.h>

static void
test_render(void)
{
	struct op op = { .kind = OP_STATUS };
	op_set(&op, "site", "009");
	op_set(&op, "provider", "SMS009PRI");
	char *err = NULL;
	char *script = ops_render(&op, &err);
	ok(script != NULL, "status renders");
	contains(script, "# dpdoctor op=status v=1\n", "header names the op");
	contains(script, "$A['site'] = '009'\n", "site passed as data");
	contains(script, "SMS_PackageStatusDistPointsSummarizer", "queries the summarizer");
	contains(script, "$ProgressPreference = 'SilentlyContinue'", "progress records off");
	struct op back;
	char *storage;
	ok(ops_parse(script, &back, &storage, &err) == 0, "parses back");
	/* Optional arguments travel empty when not given. */
	ok(back.kind == OP_STATUS && back.nargs == 3, "same op, three args");
	is_str(op_arg(&back, "provider"), "SMS009PRI", "provider round trip");
	is_str(op_arg(&back, "package"), "", "no package: empty");
	ok(strstr(script, "$where = ''") != NULL, "no package: no WHERE clause by default");
	free(storage);
	free(script);
}

/* status for one package: both WMI queries are restricted to it, the ID
 * built from the data block, never spliced in by us. */
static void
test_render_package(void)
{
	struct op op = { .kind = OP_STATUS };
	op_set(&op, "site", "009");
	op_set(&op, "package", "009000B7");
	char *err = NULL;
	char *script = ops_render(&op, &err);
	ok(script != NULL, "status for one package renders (%s)", err ? err : "");
	if (script == NULL)
		return;
	contains(script, "$A['package'] = '009000B7'\n", "package passed as data");
	contains(script, "$where = \" WHERE PackageID = '\" + $A['package'] + \"'\"",
	    "WHERE PackageID built from $A['package']");
	contains(script, "FROM SMS_Package' + $where)", "SMS_Package query restricted");
	contains(script, "FROM SMS_PackageStatusDistPointsSummarizer' + $where)",
	    "summarizer query restricted");
	contains(script, "-cnotmatch '^[0-9A-Z]{8}$'", "ID checked again on the host");
	ok(strstr(script, "PackageID = '009000B7'") == NULL, "the ID is not spliced into WQL");
	struct op back;
	char *storage;
	ok(ops_parse(script, &back, &storage, &err) == 0, "parses back");
	is_str(op_arg(&back, "package"), "009000B7", "package round trip");
	free(storage);
	free(script);
	static const char *const bad[] = { "009000b7", "009000B", "009000B7X",
	    "0090' OR '1'='1", "009000B$", "009000B7\n" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		op_set(&op, "package", bad[i]);
		err = NULL;
		char *s = ops_render(&op, &err);
		ok(s == NULL, "status refuses package #%zu", i);
		contains(err, "argument package", "  naming the argument");
		free(err);
		free(s);
	}
}

static void
test_refuse(void)
{
	static const struct { const char *key, *value, *msg; } bad[] = {
		{ "site", "09", "not a valid site code" },
		{ "site", "009'; Remove-Item C:\\ -Recurse; '", "not a valid site code" },
		{ "provider", "DP01$(calc)", "not a valid server name" },
		{ "provider", "DP`01", "not a valid server name" },
		{ "provider", "DP01\nWrite-Host pwned", "control character" },
		{ "provider", "DP\xe2\x80\x98" "01", "typographic quote" },
		{ "bogus", "x", "takes no argument bogus" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct op op = { .kind = OP_STATUS };
		op_set(&op, "site", "009");
		op_set(&op, bad[i].key, bad[i].value);
		char *err = NULL;
		char *s = ops_render(&op, &err);
		ok(s == NULL, "refuses %s=%s", bad[i].key, bad[i].value);
		contains(err, bad[i].msg, "  because %s", bad[i].msg);
		free(err);
		free(s);
	}
	struct op op = { .kind = OP_STATUS };
	char *err = NULL;
	ok(ops_render(&op, &err) == NULL, "missing required site refused");
	free(err);
}

static void
test_parse_quotes(void)
{
	const char *script = "# dpdoctor op=status v=1\r\n$A = @{}\r\n$A['x'] = 'it''s'\r\nrest\n";
	struct op op;
	char *storage, *err = NULL;
	ok(ops_parse(script, &op, &storage, &err) == 0, "CRLF script parses");
	is_str(op_arg(&op, "x"), "it's", "doubled quote unescaped");
	free(storage);
	ok(ops_parse("Write-Host hi", &op, &storage, &err) == -1, "non-dpdoctor script refused");
	free(err);
	err = NULL;
	ok(ops_parse("# dpdoctor op=status v=2\n$A = @{}\n", &op, &storage, &err) == -1,
	    "a script of another version refused");
	free(err);
	err = NULL;
	ok(ops_parse("# dpdoctor op=format-c v=1\n", &op, &storage, &err) == -1, "unknown op refused");
	contains(err, "format-c", "  and named");
	free(err);
	err = NULL;
	ok(ops_parse("# dpdoctor op=status v=1\n$A['x'] = 'open\n", &op, &storage, &err) == -1,
	    "unterminated value refused");
	free(err);
}

int
main(void)
{
	test_render();
	test_render_package();
	test_refuse();
	test_parse_quotes();
	return done_testing();
}
