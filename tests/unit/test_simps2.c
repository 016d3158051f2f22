/*
 * Unit tests: the PowerShell 2.0 floor (backend/sim/simps2.c).  Every
 * construct of its table is caught in code and never inside a comment or
 * a string; near misses pass; every op dpdoctor renders passes it with
 * realistic and with hostile arguments (and after the Windows encodings
 * both ways); the stdin bootstrap passes it; a simulated host refuses a
 * script using Stream.CopyTo, naming the construct and the version.
 */
#include "autoconf.h"
#include "backend/ops/ops_ps.h"
#include "backend/ops/winenc.h"
#include "backend/sim/simint.h"
#include "backend/transport/script.h"
#include "tests/unit/tap.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool
passes(const char *script, char **why)
{
	free(*why);
	*why = NULL;
	return simps2_check(script, why) == 0;
}

/* The example as PowerShell data: in a single-quoted string (quotes
 * doubled) or a double-quoted one (" $ and ` escaped by a backtick). */
static char *
quoted(const char *s, char q)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "$s = %c", q);
	for (; *s; s++) {
		if (q == '\'' && *s == '\'')
			buf_addc(&b, '\'');
		if (q == '"' && strchr("\"$`", *s))
			buf_addc(&b, '`');
		buf_addc(&b, *s);
	}
	buf_printf(&b, "%c\nWrite-Output $s\n", q);
	return buf_detach(&b);
}

static char *
upper(const char *s)
{
	char *u = xstrdup(s);
	for (char *p = u; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

static void
test_table(void)
{
	size_t n;
	const struct simps2_rule *r = simps2_rules(&n);
	ok(n >= 20, "the table has %zu constructs", n);
	char *why = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *ex = r[i].example;
		ok(r[i].source != NULL && *r[i].source != '\0', "%s: a source", r[i].construct);
		char *code = xasprintf("$a = 1\n%s\n", ex);
		ok(!passes(code, &why), "%s is caught in code: %s", r[i].construct, ex);
		ok(why && strstr(why, r[i].construct) && strstr(why, r[i].needs) &&
		    strstr(why, "At line:2 char:"), "  named with %s, where it is", r[i].needs);
		if (why != NULL)
			printf("#   %s\n", why);
		free(code);
		char *up = upper(ex);
		ok(!passes(up, &why), "%s is caught in capitals: %s", r[i].construct, up);
		free(up);
		char *hidden[] = {
			xasprintf("# %s\n$a = 1\n", ex),
			xasprintf("$a = 1 # %s\n", ex),
			xasprintf("<# a note:\n%s\n#>\n$a = 1\n", ex),
			quoted(ex, '\''),
			quoted(ex, '"'),
			xasprintf("$h = @'\n%s\n'@\n$a = 1\n", ex),
			xasprintf("$h = @\"\n%s\n\"@\n$a = 1\n", ex),
		};
		static const char *const where[] = { "a comment", "a comment after code",
		    "a <# #> block", "a '...' string", "a \"...\" string", "an @'...'@ here-string",
		    "an @\"...\"@ here-string" };
		for (size_t h = 0; h < sizeof hidden / sizeof hidden[0]; h++) {
			ok(passes(hidden[h], &why), "%s in %s is not code", r[i].construct, where[h]);
			if (why != NULL)
				printf("#   %s\n#   %s\n", hidden[h], why);
			free(hidden[h]);
		}
	}
	free(why);
}

/* Lookalikes that PowerShell 2.0 runs, and strings that must not throw the
 * lexer off what follows them. */
static void
test_boundaries(void)
{
	static const char *const fine[] = {
		"$x | ConvertTo-JsonX", "Get-Item -LiteralPath $p -Include *.log",
		"$PSItemX = 1", "$x.WhereIs()", "$x.ForEachItem", "Get-Content -LiteralPath $p -ReadCount 0",
		"Rename-Item -Path $p -NewName b", "$a -notmatch $b", "$a -inx $b", "$a.CopyToX($b)",
		"foreach ($x in $y) { }", "[orderedx]@{}", "Get-ChildItem -LiteralPath $d -Filter *.PCK",
		"Get-Acl -Path $p", "[Foo]::newer()", "'{0}' -f $b", "$x.new($y)",
		"Get-ChildItem $d -Force", "Get-Content $p\n$x -Tail", "Get-Content $p; Write-Output -Raw",
		"$ErrorActionPreference = 'Stop'", "Remove-Item $p -ErrorAction SilentlyContinue",
		"$t | Out-File $p -Encoding UTF8", "$a#ConvertTo-Json", "$ok = $env:COMPUTERNAME",
		"[Security.Principal.SecurityIdentifier]", "$b = New-Object byte[] 10",
		"$A['in'] = 'x'", "Copy-Item -LiteralPath $a -Destination $b -Force",
	};
	char *why = NULL;
	for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
		ok(passes(fine[i], &why), "2.0 runs: %s", fine[i]);
		if (why != NULL)
			printf("#   %s\n", why);
	}
	static const char *const caught[] = {
		"\"a $(Get-Date -Format \"yyyy\") b\"; $x | ConvertTo-Json",
		"\"say `\"hi`\" \"\"there\"\"\"; $a -in $b",
		"'it''s' ; $x.Where({ $_ })",
		"$h = @'\nnot the end '@\n'@\n[ordered]@{}",
		"Get-Content `\n  -LiteralPath $p `\n  -Raw",
		"Get-Content (Join-Path $d 'x.log') -Tail 5",
		"Remove-Item $p -ErrorAction:Ignore", "Remove-Item $p -ea 'Ignore'",
		"$a \xe2\x80\x93in $b",
		"${PSItem}", "[ ordered ]@{}",
	};
	for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++) {
		ok(!passes(caught[i], &why), "caught: %s", caught[i]);
		if (why != NULL)
			printf("#   %s\n", why);
	}
	free(why);
}

/* simps2_check tries a rule only on the tokens its kind can match and
 * whose first byte can start one of its names.  What that relies on: no
 * command name starts with a dash (command rules are not tried on dashed
 * words); and which rule is reported stays the first in the table that
 * matches at the first offending token, in any case, after any dash. */
static void
test_index(void)
{
	size_t n;
	const struct simps2_rule *r = simps2_rules(&n);
	for (size_t i = 0; i < n; i++) {
		if (r[i].kind != PS2_COMMAND && r[i].kind != PS2_PARAMETER)
			continue;
		bool dashed = false;
		for (const char *p = r[i].names; *p; p += strcspn(p, "|"), p += *p == '|')
			dashed |= *p == '-' || (unsigned char)*p == 0xe2;
		ok(!dashed, "%s: no command name starts with a dash", r[i].construct);
	}
	static const struct {
		const char *script, *named;
	} first[] = {
		/* -Raw's rule comes before -Tail's in the table. */
		{ "gc $p -Tail 1 -Raw", "Get-Content -Raw" },
		{ "GC $p -TAIL 1", "Get-Content -Tail" },
		{ "$a \xe2\x80\x94NotIn $b", "-notin" },
		{ "Out-File $p -ENCODING:utf8BOM", "-Encoding utf8NoBOM" },
		{ "$x.HasFlag($y); [ordered]@{}", "Enum.HasFlag" },
		{ "[ pscustomobject ]@{}; $x.Where({ 1 })", "[pscustomobject]" },
		{ "[Text.Encoding]::New(1)", "::new(" },
		{ "$USING:x", "$using:" },
	};
	char *why = NULL;
	for (size_t i = 0; i < sizeof first / sizeof first[0]; i++) {
		ok(!passes(first[i].script, &why) && why && strstr(why, first[i].named),
		    "%s: %s", first[i].script, first[i].named);
		if (why != NULL)
			printf("#   %s\n", why);
	}
	free(why);
}

/* ---- every op dpdoctor renders --------------------------------------------- */

/* A value for each argument key: realistic, and hostile where the key
 * takes free text (quotes, $(), backticks, ;, non-ASCII, constructs named
 * as data, a path near the length limit). */
struct val {
	const char *key, *real, *hostile;
};

#define HOSTILE_DIR "\\\\FILESRV01\\Pkgs\\O'Brien's $(Remove-Item x) `n; ConvertTo-Json " \
	"[ordered] -in $PSItem \xc3\xa9t\xc3\xa9 \xe2\x82\xac\xe4\xb8\xad {x}.Where(1)\\'@ @'"

static const struct val vals[] = {
	{ "site", "009", NULL },
	{ "provider", "SMS009PRI", NULL },
	{ "package", "009000B7", NULL },
	{ "dp", "LONDONDP01", NULL },
	{ "server", "LONDONDP01", NULL },
	{ "share", "SMSPKGE$", NULL },
	{ "paths", "E:\\SMSPKG\\009000B7.PCK|\\\\LONDONDP01\\E$\\SMSPKG\\009000B7.PCK",
	  HOSTILE_DIR "\\a.PCK|E:\\x;y\\$(z)\\`b`.PCK" },
	{ "dir", "\\\\LONDONDP01\\E$\\SMS\\inboxes\\distmgr.box\\INCOMING", HOSTILE_DIR },
	{ "pattern", "*.PKG", "$PSItem*.PCK" },
	{ "log", "\\\\LONDONDP01\\E$\\SMS\\Logs\\distmgr.log", HOSTILE_DIR "\\distmgr.log" },
	{ "needle", "009000B7", "ConvertTo-Json" },
	{ "max", "200", NULL },
	{ "path", "\\\\LONDONDP01\\E$\\SMSPKG\\009000B7.PCK", HOSTILE_DIR "\\x.PCK" },
	{ "offset", "0", NULL },
	{ "src", "E:\\SMSPKG\\009000B7.PCK", HOSTILE_DIR "\\src.PCK" },
	{ "dst", "\\\\LONDONDP01\\E$\\SMSPKG\\009000B7.PCK", "E:\\'; Invoke-WebRequest x; '\\y" },
	{ "readonly", "set", NULL },
	{ "archive", "clear", NULL },
	{ "newname", "009000B7.PCK.old", "O'Brien $(x) `; [pscustomobject] \xc3\xa9.PCK" },
	{ "exe", "D:\\Tools\\PreloadPkgOnSite.exe", HOSTILE_DIR "\\PreloadPkgOnSite.exe" },
	{ "via", "wmi", NULL },
	{ "smsdir", "D:\\SMS", "D:\\O'Brien's $(x) `n; SMS" },
	{ "wait", "600", NULL },
};

static const char *
val_for(const char *key, bool hostile, const char *longpath)
{
	if (hostile && longpath != NULL && (strcmp(key, "path") == 0 || strcmp(key, "src") == 0))
		return longpath;
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
		if (strcmp(vals[i].key, key) == 0)
			return hostile && vals[i].hostile ? vals[i].hostile : vals[i].real;
	return NULL;
}

/* The script after the Windows encodings both ways: -EncodedCommand when
 * it fits a command line, the stdin bootstrap's payload otherwise. */
static char *
through_windows(const char *script)
{
	char *err = NULL, *back = NULL;
	char *line = winenc_command(script, &err);
	if (line != NULL && winenc_fits(line)) {
		if (winenc_parse_command(line, &back, &err) != WINENC_DIRECT) {
			free(back);
			back = NULL;
		}
	} else {
		char *payload = winenc_stdin_payload(script);
		if (winenc_decode_payload(payload, strlen(payload), &back, &err) != 0)
			back = NULL;
		free(payload);
	}
	free(line);
	free(err);
	return back;
}

static void
test_ops_pass(void)
{
	struct buf lp;
	buf_init(&lp);
	buf_adds(&lp, "E:\\");
	while (lp.len < OPS_PATH_MAX - 40)
		buf_adds(&lp, "d\xc3\xa9j\xc3\xa0 vu $(x) 'q' `t;\\");
	buf_adds(&lp, "end.PCK");
	char *why = NULL;
	for (int k = 0; k < OP_COUNT; k++)
		for (int hostile = 0; hostile < 3; hostile++) {
			struct op op = { .kind = (enum op_kind)k };
			const char *key;
			for (size_t i = 0; (key = op_arg_key(op.kind, i)) != NULL; i++)
				op_set(&op, key, val_for(key, hostile > 0, hostile == 2 ? lp.data : NULL));
			char *err = NULL;
			char *script = ops_render(&op, &err);
			static const char *const how[] = { "realistic", "hostile", "long-path" };
			if (!ok(script != NULL, "%s renders with %s arguments", op_name(op.kind),
			    how[hostile]))
				printf("#   %s\n", err);
			free(err);
			if (script == NULL)
				continue;
			ok(passes(script, &why), "%s, %s arguments: within PowerShell 2.0",
			    op_name(op.kind), how[hostile]);
			if (why != NULL)
				printf("#   %s\n", why);
			char *back = through_windows(script);
			ok(back != NULL && strcmp(back, script) == 0 && passes(back, &why),
			    "  and after the Windows encoding both ways");
			free(back);
			free(script);
		}
	ok(passes(winenc_bootstrap_script(), &why), "the stdin bootstrap is within PowerShell 2.0");
	free(why);
	buf_free(&lp);
}

/* ---- a simulated host refuses --------------------------------------------------- */

static void
test_host_refuses(void)
{
	setenv("DPDOCTOR_SIM_TIME", "2007-01-04T10:00:00Z", 1);
	char *top = xstrdup("/tmp/dpd-test-simps2-XXXXXX"), *err = NULL;
	if (mkdtemp(top) == NULL) {
		ok(0, "temporary folder");
		free(top);
		return;
	}
	char *dir = xasprintf("%s/site", top);
	struct sim_info info = { 0 };
	ok(sim_ensure(dir, "small", 1, false, &err) == 0 && sim_info(dir, &info, &err) == 0,
	    "a small site (%s)", err ? err : "");
	struct op op = { .kind = OP_LOGGREP };
	op_set(&op, "log", "E:\\SMS\\Logs\\distmgr.log");
	op_set(&op, "needle", "STATMSG");
	char *script = ops_render(&op, &err);
	struct script_result res;
	script_result_init(&res);
	ok(script && sim_run_script(dir, info.primary, script, &res, &err) == 0 &&
	    res.exit_code == 0 && strstr(res.out.data, "END\tok\t"), "loggrep as rendered runs");
	/* The read loop as it was before the 2.0 floor: Stream.CopyTo. */
	static const char loop[] =
	    "while (($got = $fs.Read($blk, 0, $blk.Length)) -gt 0) { $ms.Write($blk, 0, $got) }";
	char *at = script ? strstr(script, loop) : NULL;
	ok(at != NULL, "loggrep reads in blocks");
	if (at != NULL) {
		char *old = xasprintf("%.*s$fs.CopyTo($ms)%s", (int)(at - script), script,
		    at + strlen(loop));
		script_result_free(&res);
		script_result_init(&res);
		ok(sim_run_script(dir, info.primary, old, &res, &err) == 0, "the old loggrep is answered");
		ok(res.exit_code == 1, "  with exit code 1");
		const char *end = strstr(res.out.data, "END\terror\t");
		ok(end && strstr(end, "Stream.CopyTo") && strstr(end, ".NET Framework 4") &&
		    strstr(end, "CopyTo"), "  END error naming Stream.CopyTo and .NET 4");
		ok(strncmp(res.out.data, "DPDOCTOR 2 loggrep", 18) == 0, "  under the op's header");
		ok(strstr(res.err.data ? res.err.data : "", "Stream.CopyTo") != NULL,
		    "  and on standard error");
		printf("# %s", res.out.data);
		free(old);
	}
	script_result_free(&res);
	free(script);
	/* Through the sim transport, rendered ops are not refused. */
	struct transport *t = transport_sim_new(dir, info.primary);
	struct op st = { .kind = OP_STATUS };
	op_set(&st, "site", "009");
	free(err);
	err = NULL;
	ok(transport_call(t, &st, NULL, NULL, NULL, &err) == 0, "status through the sim transport "
	    "(%s)", err ? err : "");
	transport_close(t);
	sim_info_free(&info);
	(void)simfs_remove_tree(top, NULL);
	free(dir);
	free(top);
	free(err);
}

int
main(void)
{
	test_table();
	test_index();
	test_boundaries();
	test_ops_pass();
	test_host_refuses();
	return done_testing();
}
