/* Unit tests: op rendering, validation and parsing back (injection safety). */
#include "autoconf.h"
#include "backend/ops/ops_ps.h"
#include "tests/unit/tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	ok(back.kind == OP_STATUS && back.nargs == 4, "same op, four args");
	is_str(op_arg(&back, "provider"), "SMS009PRI", "provider round trip");
	is_str(op_arg(&back, "package"), "", "no package: empty");
	ok(strstr(script, "$w = @()") != NULL, "no package: no WHERE clause by default");
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
	contains(script, "$w += \"PackageID = '\" + $A['package'] + \"'\"",
	    "WHERE PackageID built from $A['package']");
	contains(script, "if ($x) { ' WHERE ' + ($x -join ' AND ') }",
	    "both queries start from the same conditions");
	contains(script, "FROM SMS_Package' + (Wh 'SourceDate'))", "SMS_Package query restricted");
	contains(script, "FROM SMS_PackageStatusDistPointsSummarizer' + (Wh 'SummaryDate'))",
	    "summarizer query restricted");
	/* A delta: the since time checked again and compared as a DMTF string. */
	contains(script, "$s = $A['since'] -replace '\\D'\n",
	    "since as a DMTF datetime, only its digits in WQL");
	contains(script, "$x += \"$f >= '$s.000000+000'\"",
	    "packages by SourceDate, cells by SummaryDate, each with the package's condition");
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
	err = NULL;
	/* One argument too many (the fuzzer found its key and value leaked). */
	struct buf many;
	buf_init(&many);
	buf_adds(&many, "# dpdoctor op=status v=1\n");
	for (int i = 0; i <= OP_MAX_ARGS; i++)
		buf_printf(&many, "$A['k%d'] = 'v'\n", i);
	ok(ops_parse(many.data, &op, &storage, &err) == -1, "%d arguments refused", OP_MAX_ARGS + 1);
	contains(err, "more than 16 arguments", "  and said so");
	free(err);
	buf_free(&many);
}

/* readfile: a range of a file as data, read sharing the writer's lock. */
static void
test_readfile(void)
{
	struct op op = { .kind = OP_READFILE };
	op_set(&op, "path", "\\\\DP01\\E$\\SMS\\Logs\\distmgr.log");
	op_set(&op, "offset", "9007199254740992");
	op_set(&op, "max", "1048576");
	char *err = NULL;
	char *script = ops_render(&op, &err);
	ok(script != NULL, "readfile renders (%s)", err ? err : "");
	ok(!op_changes_site(OP_READFILE), "readfile changes nothing");
	contains(script, "# dpdoctor op=readfile v=1\n", "header names the op");
	contains(script, "$A['path'] = '\\\\DP01\\E$\\SMS\\Logs\\distmgr.log'\n",
	    "path passed as data");
	contains(script, "$A['offset'] = '9007199254740992'\n", "offset 2^53 passed as data");
	contains(script, "New-Object IO.FileStream($A['path'], 'Open', 'Read', 'ReadWrite')",
	    "opened sharing reads and writes");
	contains(script, "Seek(", "seeks to the offset");
	contains(script, "[Convert]::ToBase64String($data)", "data as base64");
	contains(script, "Cols 'B' @('Offset','Size','MTime','Head','Data')", "the B record");
	contains(script, "$i = Need $A['path']", "missing file and folder refused by Need");
	contains(script, "function Reach", "unreachable roots reported by Reach");
	free(script);
	static const struct { const char *key, *value; } bad[] = {
		{ "offset", "-1" }, { "offset", "9007199254740993" }, { "offset", "99999999999999999" },
		{ "offset", "1e3" }, { "offset", "01" }, { "offset", " 1" }, { "offset", "0x10" },
		{ "offset", "" },
		{ "max", "0" }, { "max", "1048577" }, { "max", "-5" }, { "max", "10000000" },
		{ "max", "1k" }, { "max", "" },
		{ "path", "E:\\..\\Windows\\win.ini" }, { "path", "relative.log" },
		{ "path", "E:\\a'; Remove-Item x; '\n" }, { "path", "E:\\a|E:\\b" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct op o = { .kind = OP_READFILE };
		op_set(&o, "path", "E:\\SMS\\Logs\\distmgr.log");
		op_set(&o, "offset", "0");
		op_set(&o, "max", "65536");
		op_set(&o, bad[i].key, bad[i].value);
		err = NULL;
		char *s = ops_render(&o, &err);
		ok(s == NULL, "readfile refuses %s \"%s\"", bad[i].key, bad[i].value);
		contains(err, bad[i].key, "  naming the argument");
		free(err);
		free(s);
	}
	ok(ops_offset_valid("0") && ops_offset_valid("9007199254740992"), "offsets 0 and 2^53");
	ok(ops_size_valid("1") && ops_size_valid("1048576"), "sizes 1 and 1 MiB");
}

/* writefile's arguments: base64 of at most 1 MiB, an ISO UTC time; a bad
 * value is named without echoing a megabyte of it. */
static void
test_writefile_args(void)
{
	ok(ops_b64_valid("") && ops_b64_valid("Zm9v") && ops_b64_valid("Zg==") &&
	    ops_b64_valid("Zm8="), "base64: empty, unpadded and padded");
	ok(!ops_b64_valid("Zm9") && !ops_b64_valid("Zg=v") && !ops_b64_valid("Z===") &&
	    !ops_b64_valid("Zm9v\n") && !ops_b64_valid("Zm-v"), "base64: bad length, "
	    "padding inside, too much padding, a newline, the URL alphabet");
	size_t max = (OPS_READ_MAX + 2) / 3 * 4;
	char *big = xcalloc(max + 5, 1);
	memset(big, 'A', max);
	ok(ops_b64_valid(big), "base64 of exactly 1 MiB (%zu characters)", max);
	memset(big, 'A', max + 4);
	ok(!ops_b64_valid(big), "  and not 4 characters more");
	ok(ops_isotime_valid("2007-01-04T08:40:00Z") && !ops_isotime_valid("2007-01-04 08:40:00") &&
	    !ops_isotime_valid("2007-13-04T08:40:00Z") && !ops_isotime_valid("x"),
	    "mtime: ISO UTC only");
	struct op o = { .kind = OP_WRITEFILE };
	op_set(&o, "path", "E:\\SMSPKG\\a.PCK");
	op_set(&o, "offset", "0");
	op_set(&o, "data", big);
	char *err = NULL;
	ok(ops_check(&o, &err) != 0 && err != NULL && strlen(err) < 200 && strstr(err, "data"),
	    "writefile refuses a data argument too long, in a short message naming it");
	free(err);
	err = NULL;
	op_set(&o, "data", "Zm9v");
	op_set(&o, "mtime", "2007-01-04T08:40:00Z");
	ok(ops_check(&o, &err) == 0, "writefile with path, offset, data and mtime passes");
	free(err);
	free(big);
}

/* Base64 both ways, including the padding EVP_DecodeBlock miscounts. */
static void
test_b64(void)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
		"Zm9vYmFy" };
	for (size_t i = 0; i < 7; i++) {
		struct buf e, d;
		buf_init(&e);
		buf_init(&d);
		ops_b64_encode(plain[i], strlen(plain[i]), &e);
		is_str(e.data, enc[i], "base64 of \"%s\"", plain[i]);
		ok(ops_b64_decode(enc[i], strlen(enc[i]), &d) == 0 && d.len == strlen(plain[i]) &&
		    memcmp(d.data, plain[i], d.len) == 0, "  and back, %zu bytes", d.len);
		buf_free(&e);
		buf_free(&d);
	}
	struct buf big, e, d;
	buf_init(&big);
	buf_init(&e);
	buf_init(&d);
	for (size_t i = 0; i < 200001; i++)
		buf_addc(&big, (char)(i * 7 + (i >> 8)));
	ops_b64_encode(big.data, big.len, &e);
	ok(ops_b64_decode(e.data, e.len, &d) == 0 && d.len == big.len &&
	    memcmp(d.data, big.data, d.len) == 0, "200001 bytes across chunks survive");
	buf_reset(&d);
	ok(ops_b64_decode("Zm9v!!==", 8, &d) != 0, "not base64: refused");
	ok(ops_b64_decode("Zg=", 3, &d) != 0, "a cut-short text: refused");
	ok(ops_b64_decode("Zg==Zm9v", 8, &d) != 0, "padding in the middle: refused");
	buf_free(&big);
	buf_free(&e);
	buf_free(&d);
}


static char *
render_kv(enum op_kind k, const char *const *kv, size_t n)
{
	struct op op = { .kind = k };
	for (size_t i = 0; i < n; i += 2)
		op_set(&op, kv[i], kv[i + 1]);
	char *err = NULL;
	char *s = ops_render(&op, &err);
	if (s == NULL)
		printf("# %s: %s\n", op_name(k), err);
	free(err);
	return s;
}

/* Where needle first is in s, or SIZE_MAX. */
static size_t
at(const char *s, const char *needle)
{
	const char *p = s ? strstr(s, needle) : NULL;
	return p ? (size_t)(p - s) : SIZE_MAX;
}

/* Every foreach over a command's output wraps it in @(): on PowerShell 2.0
 * a foreach over nothing runs once, with $null.  What follows " in " is a
 * variable, an @() or a parenthesised expression of a variable or a cast. */
static bool
foreach_safe(const char *s, const char **bad)
{
	for (const char *p = s; p && (p = strstr(p, "foreach (")) != NULL; p++) {
		const char *in = strstr(p, " in ");
		if (in == NULL)
			continue;
		in += 4;
		if (!(*in == '$' || *in == '@' || (in[0] == '(' && (in[1] == '$' || in[1] == '[')))) {
			*bad = p;
			return false;
		}
	}
	return true;
}

/* The scripts stay within PowerShell 2.0 / CLR 2.0, and carry the WMI and
 * SMS details a real site needs (issue 11). */
static void
test_ps2_foreach(void)
{
	static const char *const kv[OP_COUNT][8] = {
		[OP_STATUS] = { "site", "009" },
		[OP_PATHINFO] = { "paths", "E:\\a.PCK" },
		[OP_DIRLIST] = { "dir", "E:\\SMSPKG", "pattern", "*.PCK" },
		[OP_LOGGREP] = { "log", "E:\\SMS\\Logs\\distmgr.log", "needle", "STATMSG" },
		[OP_STATMSGS] = { "site", "009", "package", "009000B7" },
		[OP_SHAREACL] = { "server", "DP01", "share", "SMSPKGE$" },
		[OP_READFILE] = { "path", "E:\\a.log", "offset", "0", "max", "10" },
		[OP_COPYFILE] = { "src", "E:\\a.PCK", "dst", "E:\\b.PCK" },
		[OP_SETATTR] = { "path", "E:\\a.PCK" },
		[OP_DELETEFILE] = { "path", "E:\\a.PCK" },
		[OP_RENAMEFILE] = { "path", "E:\\a.PCK", "newname", "b.PCK" },
		[OP_PRELOAD] = { "server", "DP01", "package", "009000B7", "via", "wmi", "smsdir", "D:\\SMS" },
		[OP_REFRESHNOW] = { "site", "009", "package", "009000B7", "dp", "DP01" },
		[OP_SETSOURCEPATH] = { "site", "009", "package", "009000B7", "path", "E:\\src" },
		[OP_WRITEFILE] = { "path", "E:\\a.PCK", "offset", "0" },
		[OP_SITES] = { "site", "009" },
		[OP_LAYOUT] = { "server", "DP01" },
	};
	for (int k = 0; k < OP_COUNT; k++) {
		size_t n = 0;
		while (n < 8 && kv[k][n] != NULL)
			n++;
		char *s = render_kv((enum op_kind)k, kv[k], n);
		const char *bad = NULL;
		ok(s != NULL && foreach_safe(s, &bad), "%s: every foreach over a command wraps it "
		    "in @()", op_name((enum op_kind)k));
		if (bad != NULL)
			printf("#   %.70s\n", bad);
		free(s);
	}
}

static void
test_ps2_scripts(void)
{
	const char *st[] = { "site", "009" };
	char *s = render_kv(OP_STATUS, st, 2);
	contains(s, "try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false } "
	    "catch {}\n", "the prelude guards the console encoding, as the bootstrap does");
	ok(at(s, "\n[Console]::OutputEncoding") == SIZE_MAX, "  and never sets it unguarded");
	contains(s, "$c.LastCopied, $c.SummaryDate) 1\n",
	    "the DMTF strings go on as WMI gives them (Esc writes a missing one as empty)");
	ok(at(s, "ManagementDateTimeConverter") == SIZE_MAX, "  without converting it");
	ok(at(s, "{ param($m)") == SIZE_MAX, "Esc needs no script block as a .NET delegate");
	free(s);

	const char *lg[] = { "log", "E:\\SMS\\Logs\\distmgr.log", "needle", "STATMSG" };
	s = render_kv(OP_LOGGREP, lg, 4);
	contains(s, "while (($got = $fs.Read($blk, 0, $blk.Length)) -gt 0)",
	    "loggrep reads with FileStream.Read");
	ok(at(s, "$fs.CopyTo(") == SIZE_MAX && at(s, "Generic.Queue") == SIZE_MAX,
	    "  not Stream.CopyTo (.NET 4), no generic queue");
	free(s);

	const char *sa[] = { "server", "LONDONDP01", "share", "SMSPKGE$" };
	s = render_kv(OP_SHAREACL, sa, 4);
	contains(s, "[IO.Directory]::GetAccessControl($unc,", "shareacl reads the ACL through .NET");
	contains(s, "$admins = 'S-1-5-32-544'", "  Administrators by SID");
	contains(s, "$sid = $r.IdentityReference.Translate([Security.Principal.SecurityIdentifier])",
	    "  each rule's identity as a SID");
	contains(s, "if ($sid.Value -eq $admins", "  compared by SID");
	ok(at(s, "Get-Acl") == SIZE_MAX && at(s, "BUILTIN") == SIZE_MAX,
	    "  no Get-Acl -LiteralPath, no BUILTIN\\Administrators by name");
	free(s);

	const char *rn[] = { "path", "E:\\SMSPKG\\009000B7.PCK", "newname", "009000B7.PCK.old" };
	s = render_kv(OP_RENAMEFILE, rn, 4);
	contains(s, "[IO.File]::Move($A['path'], $to)", "renamefile moves with .NET");
	ok(at(s, "Rename-Item") == SIZE_MAX, "  not Rename-Item -LiteralPath (3.0)");
	ok(at(s, "Test-Path -LiteralPath $to") < at(s, "[IO.File]::Move"), "  after the checks");
	free(s);

	const char *rf[] = { "site", "009", "package", "009000B7", "dp", "LONDONDP01" };
	s = render_kv(OP_REFRESHNOW, rf, 6);
	ok(at(s, "$dp.Get()") < at(s, "$dp.RefreshNow = $true") &&
	    at(s, "$dp.RefreshNow = $true") < at(s, "$dp.Put()"),
	    "refreshnow reads the whole instance (Get()) before Put()");
	free(s);
	const char *sp[] = { "site", "009", "package", "009000B7", "path", "\\\\FS01\\Pkgs\\x" };
	s = render_kv(OP_SETSOURCEPATH, sp, 6);
	ok(at(s, "$p.Get()") < at(s, "$p.PkgSourcePath = $A['path']") &&
	    at(s, "$p.PkgSourcePath = $A['path']") < at(s, "$p.Put()"),
	    "setsourcepath reads the whole instance (Get()) before Put()");
	free(s);

	const char *sm[] = { "site", "009", "package", "009000B7", "dp", "LONDONDP01" };
	s = render_kv(OP_STATMSGS, sm, 6);
	ok(at(s, " AS ") == SIZE_MAX && at(s, "JOIN") == SIZE_MAX,
	    "statmsgs: no aliases, no joins in WQL");
	contains(s, "\"SELECT RecordID FROM SMS_StatMsgAttributes WHERE AttributeID = 400 AND \"",
	    "  the package's record IDs from SMS_StatMsgAttributes (400)");
	contains(s, "'FROM SMS_StatusMessage' + $range", "  SMS_StatusMessage by RecordID range");
	contains(s, "FROM SMS_StatMsgInsStrings' + $range", "  SMS_StatMsgInsStrings likewise");
	contains(s, "FROM SMS_StatMsgAttributes' + $range +\n", "  the DP attribute likewise");
	contains(s, "' AND AttributeID = 404'", "  (404)");
	contains(s, "Cols 'M' @('RecordID','MessageID','Severity','Component','MachineName','Time',"
	    "'InsStrings','DP','Text')", "  the same M records");
	free(s);

	const char *cp[] = { "src", "E:\\SMSPKG\\009000B7.PCK", "dst",
	    "\\\\LONDONDP01\\E$\\SMSPKG\\009000B7.PCK" };
	s = render_kv(OP_COPYFILE, cp, 4);
	contains(s, "$d.Length -eq $s.Length -and $d.LastWriteTimeUtc -eq $s.LastWriteTimeUtc",
	    "copyfile compares size and UTC time first");
	contains(s, "if ((IsLocal $A['src']) -and (IsLocal $A['dst']))", "  hashes only local paths");
	contains(s, "-eq $env:COMPUTERNAME", "  (\\\\<this computer>\\ counts as local)");
	contains(s, "try { $h = [Security.Cryptography.SHA256]::Create() } catch { $how = "
	    "'size-time-fips' }", "  with SHA-256, falling back on a FIPS host");
	ok(at(s, "MD5") == SIZE_MAX, "  never MD5");
	contains(s, "Cols 'X' @('Source','Dest','Result','SrcSize','DstSize','Compared')",
	    "  and says how it compared");
	free(s);

	const char *pl[] = { "server", "LONDONDP01", "package", "009000B7", "via", "wmi",
	    "smsdir", "D:\\SMS" };
	s = render_kv(OP_PRELOAD, pl, 8);
	contains(s, "'PreloadPkgOnSite.exe not found on ' + $Srv + '; looked in: ' + ($said -join '; ') + "
	    "' (set preload_exe for this server)'", "preload says where it looked");
	contains(s, "[IO.Path]::Combine($sms, 'bin\\i386')", "  <SMS install dir>\\bin\\i386 first");
	ok(at(s, "'SOFTWARE\\Microsoft\\SMS\\Identification'") <
	    at(s, "@('SMS 2003 Toolkit 2', 'ConfigMgr 2007 Toolkit V2\\ServerTools')"),
	    "  then the toolkits' folders, in order");
	contains(s, "$d = RegValue $reg 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion' $name",
	    "  under the server's own ProgramFilesDir, from its registry");
	contains(s, "if (Test-Path -LiteralPath (OnServer $c) -PathType Leaf)",
	    "  each checked over the admin share");
	contains(s, "# UNCONFIRMED: the default install folders", "  which are marked UNCONFIRMED");
	contains(s, "throw ($A['exe'] + ' not found on ' + $Srv + ' (the preload_exe set for this server)')",
	    "  and a given exe that is not there is named");
	ok(at(s, "Invoke-Command") == SIZE_MAX && at(s, "WinRM") == SIZE_MAX &&
	    at(s, "-ComputerName $A") == SIZE_MAX, "preload: no Invoke-Command (no WinRM on Server 2003)");
	contains(s, "$cmd = 'cmd.exe /v:on /c \"\"' + $exe + '\" ' + $A['package'] + ' > \"' + $out + "
	    "'\" 2>&1 & echo !errorlevel! > \"' + $rcf + '\"\"'",
	    "  via wmi: cmd /v:on with the output and exit code to files");
	contains(s, "$tag = 'dpdoctor-preload-' + $A['package'] + '-' + [Guid]::NewGuid()",
	    "  named dpdoctor-preload-<id>-<random>");
	contains(s, "$pc = WmiClass $Srv 'root\\cimv2' 'Win32_Process'", "  Win32_Process on the server");
	contains(s, "$r = $pc.Create($cmd, $dir, $null)", "  Create(cmdline, smsdir)");
	contains(s, "if ($r.ReturnValue -ne 0) {", "  its ReturnValue checked");
	contains(s, "21 = 'invalid parameter'", "  and named");
	contains(s, "-Class Win32_Process -Filter ('ProcessId = ' + $procid)", "  waits for the pid");
	contains(s, "' s; its output will be in ' + $out)", "  bounded by wait, naming the file");
	contains(s, "Remove-Item -LiteralPath $ur -Force", "  removes what it read back");
	contains(s, "$u = '\\\\' + $Srv + '\\' + $p.Substring(0, 1) + '$' + $p.Substring(2)",
	    "  read over \\\\S\\<drive>$");
	contains(s, "if ($p.IndexOfAny([char[]]'%!') -ge 0)", "  refusing what cmd.exe would expand");
	contains(s, "Cols 'H' @('Via','Detail')", "  H row first");
	contains(s, "$ErrorActionPreference = 'Continue'\n  $lines = @(& $exe $A['package'] 2>&1",
	    "  via local: the exe run here, its stderr not stopping the script");
	free(s);

	const char *rd[] = { "path", "E:\\a.log", "offset", "0", "max", "10" };
	s = render_kv(OP_READFILE, rd, 6);
	ok(at(s, "[Array]::Resize") == SIZE_MAX && at(s, "[Array]::Copy($b, $c, $got)") != SIZE_MAX,
	    "readfile trims with Array.Copy, not the generic Array.Resize");
	free(s);
}

/* Issue 13: sites and layout, and the credential helpers in every op that
 * reaches another server. */
static void
test_issue13(void)
{
	const char *st[] = { "site", "009", "provider", "SMS009PRI" };
	char *s = render_kv(OP_SITES, st, 4);
	contains(s, "Get-WmiObject @wmi -Class SMS_Site", "sites: SMS_Site on the provider");
	contains(s, "Cols 'T' @('SiteCode','SiteName','ServerName','ReportingSiteCode','Type','InstallDir')",
	    "  T rows");
	contains(s, "$wmi = WmiArgs $A['provider']", "  the provider reached with WmiArgs");
	free(s);

	const char *ly[] = { "server", "LEEDSDP01" };
	s = render_kv(OP_LAYOUT, ly, 2);
	contains(s, "$reg = WmiClass $s 'root\\default' 'StdRegProv'", "layout: StdRegProv on the server");
	contains(s, "return [wmiclass]($at + $ns + ':' + $cls)", "  as [wmiclass]\"\\\\S\\ns:class\"");
	contains(s, "if (-not (IsHere $s)) { $at = '\\\\' + $s + '\\' }", "  local WMI for this host");
	contains(s, "$r = $reg.GetStringValue(2147483650, $key, $name)", "  HKLM GetStringValue");
	contains(s, "'SOFTWARE\\Wow6432Node\\Microsoft\\SMS\\Identification'", "  the Wow6432Node key too");
	contains(s, "Get-WmiObject @w -Class Win32_Share", "  Win32_Share");
	contains(s, "} catch { Emit 'Y' @('registry', '', '', $_.Exception.Message) }",
	    "  a registry that cannot be read is a row, and the shares are still asked");
	contains(s, "} catch { Emit 'Y' @('share', '', '', $_.Exception.Message); $n++ }",
	    "  likewise the shares");
	free(s);

	/* Every op has the helpers; the ones that reach another server use them. */
	s = render_kv(OP_LAYOUT, ly, 2);
	contains(s, "if ($DpdCred) { $w['Credential'] = $DpdCred }", "WmiArgs adds -Credential by splatting");
	contains(s, "if ((IsHere $s) -or -not $DpdCred) {", "  never on a local connection");
	free(s);
	s = render_kv(OP_STATUS, st, 2);
	ok(strlen(s) < 3000, "the helpers keep status short enough for one command line (%zu)",
	    strlen(s));
	ok(at(s, "function NetUse") == SIZE_MAX, "  NetUse is the credential bootstrap's, not every script's");
	free(s);
	const char *pi[] = { "paths", "\\\\DP01\\SMSPKGD$\\x" };
	s = render_kv(OP_PATHINFO, pi, 2);
	ok(at(s, "  if ($DpdCred) { $why = NetUse $p; if ($why) { return $why } }\n  $r = Root $p") !=
	    SIZE_MAX, "UNC file ops connect first with a credential (Reach calls NetUse)");
	free(s);
	const char *sa[] = { "server", "DP01", "share", "SMSPKGD$" };
	s = render_kv(OP_SHAREACL, sa, 4);
	contains(s, "$w = WmiArgs $A['server']\n  $sh = Get-WmiObject @w -Query $wmiq",
	    "shareacl: Win32_Share with WmiArgs");
	ok(at(s, "$why = NetUse $unc") < at(s, "GetAccessControl($unc"), "  and NetUse before the ACL");
	free(s);
	const char *pl[] = { "server", "DP01", "package", "009000B7", "via", "wmi", "smsdir", "D:\\SMS" };
	s = render_kv(OP_PRELOAD, pl, 8);
	contains(s, "  if ($DpdCred) { $why = NetUse $u; if ($why) { throw $why } }\n  return $u",
	    "preload via wmi: the admin share connected with the credential");
	free(s);
	static const enum op_kind prov[] = { OP_STATUS, OP_STATMSGS, OP_REFRESHNOW, OP_SETSOURCEPATH };
	const char *pk[][8] = {
		{ "site", "009", "provider", "P1" },
		{ "site", "009", "package", "009000B7", "provider", "P1" },
		{ "site", "009", "package", "009000B7", "dp", "DP01", "provider", "P1" },
		{ "site", "009", "package", "009000B7", "path", "E:\\src", "provider", "P1" },
	};
	static const size_t npk[] = { 4, 6, 8, 8 };
	for (size_t i = 0; i < sizeof prov / sizeof prov[0]; i++) {
		s = render_kv(prov[i], pk[i], npk[i]);
		ok(s != NULL && at(s, "$wmi = WmiArgs $A['provider']") != SIZE_MAX &&
		    at(s, "$wmi['ComputerName']") == SIZE_MAX,
		    "%s: a remote provider through WmiArgs", op_name(prov[i]));
		free(s);
	}
}

int
main(void)
{
	test_render();
	test_readfile();
	test_b64();
	test_writefile_args();
	test_render_package();
	test_refuse();
	test_parse_quotes();
	test_ps2_scripts();
	test_ps2_foreach();
	test_issue13();
	return done_testing();
}
