/* Unit tests: the Windows command line (-EncodedCommand), the stdin
 * bootstrap, the host-side parser's refusals and CLIXML error text. */
#include "autoconf.h"
#include "backend/ops/winenc.h"
#include "backend/core/util.h"
#include "tests/unit/tap.h"

#include <stdlib.h>

/* Encode, parse back, compare; the command line must be quote-free. */
static void
round_trip(const char *script, const char *what)
{
	char *err = NULL, *back = NULL;
	char *line = winenc_command(script, &err);
	if (!ok(line != NULL, "%s: encodes", what)) {
		printf("#   %s\n", err ? err : "");
		free(err);
		return;
	}
	ok(strncmp(line, WINENC_PREFIX, strlen(WINENC_PREFIX)) == 0 &&
	    strcspn(line, "\"'\r\n`$") == strlen(line), "%s: prefix, no quotes or breaks", what);
	int rc = winenc_parse_command(line, &back, &err);
	is_int(rc, WINENC_DIRECT, "%s: parses as a direct script", what);
	is_str(back, script, "%s: decodes to the same text", what);
	free(back);
	free(line);
	free(err);
}

static void
test_known(void)
{
	char *line = winenc_command("a", NULL);
	is_str(line, WINENC_PREFIX "YQA=", "\"a\" is YQA= (UTF-16LE)");
	free(line);
	line = winenc_command("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", NULL);
	is_str(line, WINENC_PREFIX "6QCsID3YAN4=", "e-acute, euro, emoji: surrogate pair");
	free(line);
	line = winenc_command("", NULL);
	is_str(line, WINENC_PREFIX, "empty script: nothing after the switches");
	free(line);
}

static void
test_round_trips(void)
{
	round_trip("Write-Output 'hello'", "ASCII");
	round_trip("Write-Output 'caf\xc3\xa9 \xe2\x82\xac" "5 \xf0\x9f\x98\x80'", "non-ASCII");
	round_trip("Write-Output \"a \"\"quoted\"\" 'word'\"", "quotes");
	round_trip("$x = $(Get-Date); Write-Output \"$($x.Year)\"", "$()");
	round_trip("Write-Output \"tab`there`n\"", "backticks");
	round_trip("line 1\nline 2\r\nline 3\n", "newlines");
}

static char *
long_script(size_t n)
{
	struct buf b;
	buf_init(&b);
	while (b.len < n)
		buf_printf(&b, "Write-Output 'line %zu'\n", b.len);
	b.data[n] = '\0';
	b.len = n;
	return buf_detach(&b);
}

static void
test_sizes(void)
{
	char *s = long_script(3000), *err = NULL;
	char *line = winenc_command(s, &err);
	ok(line != NULL && winenc_fits(line), "3,000 characters fit (%zu)", line ? strlen(line) : 0);
	free(line);
	free(s);

	s = long_script(20000);
	line = winenc_command(s, &err);
	ok(line != NULL && !winenc_fits(line), "20,000 characters do not fit (%zu)",
	    line ? strlen(line) : 0);
	char *back = NULL;
	is_int(winenc_parse_command(line, &back, &err), -1, "  and the host refuses them");
	is_str(err, "The command line is too long.", "  as cmd.exe does");
	free(err), err = NULL;
	free(line);

	line = winenc_command(winenc_bootstrap_script(), &err);
	ok(line != NULL && winenc_fits(line), "the bootstrap fits (%zu)", line ? strlen(line) : 0);
	is_int(winenc_parse_command(line, &back, &err), WINENC_BOOTSTRAP, "  and is recognised");
	is_str(back, winenc_bootstrap_script(), "  decoded");
	free(back), back = NULL;
	free(line);
	ok(strstr(winenc_bootstrap_script(), "$ProgressPreference") != NULL &&
	    strstr(winenc_bootstrap_script(), "exit $LASTEXITCODE") != NULL,
	    "bootstrap silences progress and carries the exit code");

	char *pay = winenc_stdin_payload(s);
	size_t pl = strlen(pay);
	ok(pl > 2 && strcmp(pay + pl - 2, "\r\n") == 0 && strcspn(pay, "\r\n") == pl - 2,
	    "payload: one base64 line ending in CRLF");
	ok(winenc_decode_payload(pay, pl, &back, &err) == 0 && strcmp(back, s) == 0,
	    "payload decodes to the 20,000-character script");
	free(back), back = NULL;
	free(pay);
	free(s);
	pay = winenc_stdin_payload("\xf0\x9f\x98\x80 'x'");
	ok(winenc_decode_payload(pay, strlen(pay), &back, &err) == 0 &&
	    strcmp(back, "\xf0\x9f\x98\x80 'x'") == 0, "payload keeps UTF-8");
	free(back), back = NULL;
	free(pay);
	ok(winenc_decode_payload("YQ\r\n==\r\n", 8, &back, &err) == 0 && strcmp(back, "a") == 0,
	    "payload: line breaks ignored");
	free(back), back = NULL;
}

/* The host refuses cmdline; err must contain want. */
static void
refused(const char *cmdline, const char *want, const char *what)
{
	char *script = NULL, *err = NULL;
	int rc = winenc_parse_command(cmdline, &script, &err);
	ok(rc == -1 && script == NULL && err != NULL && strstr(err, want) != NULL,
	    "refused: %s", what);
	if (err == NULL || strstr(err, want) == NULL)
		printf("#   rc %d, err \"%s\", want \"%s\"\n", rc, err ? err : "", want);
	free(script);
	free(err);
}

static void
test_refusals(void)
{
	char *err = NULL;
	ok(winenc_command("bad \xff byte", &err) == NULL && err != NULL &&
	    strstr(err, "offset 4") != NULL, "non-UTF-8 script refused with its offset");
	free(err), err = NULL;
	ok(winenc_command("\xed\xa0\xbd", &err) == NULL, "UTF-8-encoded surrogate refused");
	free(err), err = NULL;
	ok(winenc_command("\xc0\xaf", &err) == NULL, "overlong UTF-8 refused");
	free(err), err = NULL;
	ok(!utf8_valid("\xf4\x90\x80\x80", 4), "past U+10FFFF refused");

	static const char nr[] = "is not recognized as an internal or external command,\n"
	    "operable program or batch file.";
	refused("dir", "'dir' is not recognized", "dir (cmd's message)");
	refused("dir C:\\", nr, "  both lines");
	refused("pwsh -c 1", "'pwsh' is not recognized", "pwsh");
	refused("", "The syntax of the command is incorrect.", "empty");
	refused("powershell.exe -Command Get-Date", "found \"-Command\" where \"-NoProfile\"",
	    "-Command instead of our switches");
	refused("powershell.exe -NonInteractive -NoProfile -ExecutionPolicy Bypass -EncodedCommand YQA=",
	    "where \"-NoProfile\" belongs", "switches out of order");
	refused("powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand YQA=",
	    "found \"powershell\"", "powershell without .exe");
	refused("powershell.exe  -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand YQA=",
	    "single spaces", "double space");
	refused(WINENC_PREFIX, "A command must follow -EncodedCommand", "no base64");
	refused("powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand",
	    "A command must follow -EncodedCommand", "no space, no base64");
	refused(WINENC_PREFIX "YQA", "not a multiple of 4", "unpadded base64");
	refused(WINENC_PREFIX "YQ=A", "'=' at offset 2", "padding inside");
	refused(WINENC_PREFIX "YQA= ", "not a multiple of 4", "trailing space");
	refused(WINENC_PREFIX "YQ!=", "'!' at offset 2", "bad character");
	refused(WINENC_PREFIX "YWJj", "UTF-16LE needs an even number", "odd byte count");
	refused(WINENC_PREFIX "PdhhAA==", "unpaired UTF-16 surrogate 0xD83D", "lone high surrogate");
	refused(WINENC_PREFIX "AN5hAA==", "unpaired UTF-16 surrogate 0xDE00", "lone low surrogate");
	refused(WINENC_PREFIX "YQAAAA==", "U+0000", "NUL character");
}

static void
test_payload_refusals(void)
{
	char *s = NULL, *err = NULL;
	ok(winenc_decode_payload("YQ*=", 4, &s, &err) == -1 && strstr(err, "FromBase64String"),
	    "payload: bad base64 refused like PowerShell");
	free(err), err = NULL;
	ok(winenc_decode_payload("/w==", 4, &s, &err) == -1 && strstr(err, "not UTF-8"),
	    "payload: not UTF-8 refused");
	free(err), err = NULL;
	ok(winenc_decode_payload("", 0, &s, &err) == 0 && strcmp(s, "") == 0, "payload: empty is empty");
	free(s);
}

static void
clixml(const char *in, const char *want, const char *what)
{
	char *got = winenc_clixml_errors(in);
	is_str(got, want, "CLIXML: %s", what);
	free(got);
}

static void
test_clixml(void)
{
	/* Shapes from transports.md section 2 (PowerShell#5912, ansible#67964). */
	clixml("#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">"
	    "<S S=\"Error\">oops_x000D__x000A_</S></Objs>", "oops\n", "one error");
	clixml("#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">"
	    "<Obj S=\"progress\" RefId=\"0\"><TN RefId=\"0\"><T>System.Management.Automation.PSCustomObject</T>"
	    "<T>System.Object</T></TN><MS><I64 N=\"SourceId\">1</I64><PR N=\"Record\">"
	    "<AV>Preparing modules for first use.</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC>"
	    "<T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj>"
	    "<S S=\"Error\">Get-Item : Cannot find path &apos;E:\\SMS&apos; because it does not exist._x000D__x000A_</S>"
	    "<S S=\"Error\">At line:1 char:1_x000D__x000A_</S>"
	    "<S S=\"Error\">+ Get-Item E:\\SMS &lt;x&gt; &amp; _x005F_x_x000D__x000A_</S></Objs>",
	    "Get-Item : Cannot find path 'E:\\SMS' because it does not exist.\n"
	    "At line:1 char:1\n+ Get-Item E:\\SMS <x> & _x\n", "progress skipped, errors and escapes");
	clixml("#< CLIXML\r\n<Objs><Obj S=\"progress\" RefId=\"0\"></Obj></Objs>", "",
	    "progress only: no error text");
	clixml("#< CLIXML\r\n<Objs><S S=\"Error\">caf&#233; _x20AC_ _xD83D__xDE00_ &#x1F600;</S></Objs>",
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf0\x9f\x98\x80", "non-ASCII, surrogate pair");
	clixml("#< CLIXML\r\n<Objs><S S=\"Error\">lone _xD83D_ here</S></Objs>",
	    "lone \xef\xbf\xbd here", "unpaired surrogate becomes U+FFFD");
	clixml("plain error\r\n", "plain error\r\n", "not CLIXML: a copy");
	clixml("#< CLIXML\r\n<Objs><S S=\"Error\">unterminated", "#< CLIXML\r\n<Objs><S S=\"Error\">unterminated",
	    "malformed: a copy");
	clixml("#< CLIXML\r\n<Objs><S S=\"Error\">a &bogus; b</S></Objs>",
	    "#< CLIXML\r\n<Objs><S S=\"Error\">a &bogus; b</S></Objs>", "unknown entity: a copy");
}

/* The credential bootstrap (issue 13): it fits cmd.exe and is told apart
 * from the plain one; the script and the credential survive the trip on
 * stdin; the secret is never on the command line; bad lines are refused. */
static void
test_cred(void)
{
	const char *boot = winenc_bootstrap_cred_script();
	char *err = NULL, *back = NULL;
	char *line = winenc_command(boot, &err);
	ok(line != NULL && winenc_fits(line), "the credential bootstrap fits (%zu)",
	    line ? strlen(line) : 0);
	is_int(winenc_parse_command(line, &back, &err), WINENC_BOOTSTRAP_CRED,
	    "  and is read back as the credential bootstrap");
	is_str(back, boot, "  decoded");
	free(back);
	ok(strstr(boot, "ConvertTo-SecureString -String $u.Substring($i + 1) -AsPlainText -Force") &&
	    strstr(boot, "$global:DpdCred = New-Object System.Management.Automation.PSCredential(") &&
	    strstr(boot, "$u = $null\n  $p = $null\n"),
	    "  a PSCredential from a SecureString, the plain copies cleared");
	ok(strstr(boot, "static extern int WNetAddConnection2(Res r, string password, string user, "
	    "int flags);") && strstr(boot, "Add-Type -TypeDefinition $DpdMpr"),
	    "  defines NetUse: WNetAddConnection2 through Add-Type");
	ok(strstr(boot, "[DpdMpr]::Connect('\\\\' + $s + '\\IPC$', $DpdCred.UserName,") != NULL,
	    "  to \\\\SERVER\\IPC$ with the credential");
	ok(strstr(boot, "if (-not $DpdNets.ContainsKey($s)) {") != NULL, "  once per server");
	ok(strstr(boot, "=>") == NULL && strstr(boot, "var ") == NULL, "  in C# 2.0 for CLR 2");
	ok(strstr(boot, "$ProgressPreference") && strstr(boot, "exit $LASTEXITCODE"),
	    "  silences progress and carries the exit code, as the plain one");

	const char *script = "# dpdoctor op=layout v=1\n$A = @{}\n\xc3\xa9t\xc3\xa9\n";
	const char *pw = "S3cr3t'\"$(x) p\xc3\xa4ss";
	char *in = winenc_stdin_payload_cred(script, "CORP\\svc-dpd", pw);
	ok(in != NULL && strstr(in, pw) == NULL, "the payload does not hold the password as text");
	ok(strstr(line, pw) == NULL && strstr(line, "svc-dpd") == NULL,
	    "the command line holds neither the password nor the user");
	char *sc = NULL, *u = NULL, *pwb = NULL;
	ok(winenc_decode_payload_cred(in, strlen(in), &sc, &u, &pwb, &err) == 0,
	    "the payload reads back (%s)", err ? err : "");
	is_str(sc, script, "  the script");
	is_str(u, "CORP\\svc-dpd", "  the user");
	is_str(pwb, pw, "  the password");
	free(sc); free(u); free(pwb);
	sc = u = pwb = NULL;

	/* Only the script's line: the credential line is missing. */
	char *one = winenc_stdin_payload(script);
	free(err); err = NULL;
	ok(winenc_decode_payload_cred(one, strlen(one), &sc, &u, &pwb, &err) == -1 &&
	    err && strstr(err, "two lines"), "one line only is refused (%s)", err ? err : "");
	free(one);
	/* A credential line that is not base64, or has no user. */
	const char *bad[] = { "Zm9v\r\n!!!!\r\n", "Zm9v\r\nCnB3\r\n" /* "\npw" */,
	    "Zm9v\r\ndXNlcg==\r\n" /* "user": no newline */ };
	for (size_t i = 0; i < 3; i++) {
		free(err); err = NULL;
		ok(winenc_decode_payload_cred(bad[i], strlen(bad[i]), &sc, &u, &pwb, &err) == -1 &&
		    sc == NULL && u == NULL && pwb == NULL, "bad credential line %zu refused (%s)", i,
		    err ? err : "");
	}
	free(err);
	free(in);
	free(line);
}

int
main(void)
{
	test_cred();
	test_known();
	test_round_trips();
	test_sizes();
	test_refusals();
	test_payload_refusals();
	test_clixml();
	return done_testing();
}
