/*
 * The Windows command-line encoding (see winenc.h), shared by the SSH
 * client and the simulated host so both ends read the same rules.
 *
 * UTF-8 <-> UTF-16LE is converted by hand rather than with iconv: the code
 * is short, needs no locale or iconv_open() failure path, and lets us be
 * strict in one place (overlongs, encoded surrogates, unpaired UTF-16
 * surrogates are refused) with messages that say where the input went
 * wrong.  Base64 is ops_b64_encode/ops_b64_decode (libcrypto underneath).
 * libcrypto's DecodeBlock is lax (it skips leading and trailing whitespace and counts
 * '=' padding as zero bytes in its result), so every input is checked
 * against the alphabet and padding rules before it is decoded and the
 * padding is taken off the length afterwards.  Both are fed in chunks so
 * their int lengths never overflow.
 */
#include "autoconf.h"
#include "backend/ops/winenc.h"
#include "backend/ops/ops.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/core/util.h"

/* The bootstrap's exit line covers both ways `exit N` in a script block
 * may behave on Windows: it ends the process at once, or it only sets
 * $LASTEXITCODE (transports.md section 2 asks to check on real Windows).
 * It is not quoted anywhere, so it may hold quotes. */
static const char bootstrap[] =
	"$ProgressPreference = 'SilentlyContinue'\n"
	"try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false } catch {}\n"
	"$global:LASTEXITCODE = 0\n"
	"try {\n"
	"  $b = [Console]::In.ReadToEnd()\n"
	"  $s = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($b))\n"
	"  & ([ScriptBlock]::Create($s))\n"
	"} catch {\n"
	"  [Console]::Error.WriteLine($_.ToString())\n"
	"  exit 1\n"
	"}\n"
	"exit $LASTEXITCODE\n";

/* The credential bootstrap (winenc.h): the same frame, reading two lines
 * -- the script, then "USER\nPASSWORD" -- each base64 of UTF-8.  The
 * password becomes a SecureString at once (ConvertTo-SecureString
 * -AsPlainText -Force: PowerShell 2.0 has it) and every plain copy is
 * cleared before the script runs; the script sees only $DpdCred.  A
 * credential line without a user name fails before the script runs.
 * It also defines NetUse, which the scripts call before a UNC path on
 * another server when $DpdCred is set: one IPC$ connection per server with
 * the credential, through mpr.dll's WNetAddConnection2 (Add-Type's C# is
 * C# 2.0 for the CLR 2 compiler of PowerShell 2.0); '' or why the server
 * cannot be reached.  1219 (a connection with other credentials exists)
 * leaves that one in use.  It lives here, not in every script, because
 * only a script run with a credential needs it, and every character of a
 * script costs nearly three on the command line. */
static const char bootstrap_cred[] =
	"$ProgressPreference = 'SilentlyContinue'\n"
	"try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false } catch {}\n"
	"$global:LASTEXITCODE = 0\n"
	"$global:DpdNets = @{}\n"
	"$global:DpdMpr = 'using System; using System.Runtime.InteropServices;\n"
	"public static class DpdMpr {\n"
	"  [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]\n"
	"  public class Res { public int Scope; public int Type; public int Display; public int Usage;\n"
	"    public string Local; public string Remote; public string Comment; public string Provider; }\n"
	"  [DllImport(\"mpr.dll\", CharSet = CharSet.Unicode)]\n"
	"  static extern int WNetAddConnection2(Res r, string password, string user, int flags);\n"
	"  public static int Connect(string remote, string user, string password) {\n"
	"    Res r = new Res(); r.Remote = remote; return WNetAddConnection2(r, password, user, 0);\n"
	"  }\n"
	"}'\n"
	"function global:NetUse([string]$p) {\n"
	"  if (-not $p.StartsWith('\\\\')) { return '' }\n"
	"  $s = $p.Substring(2).Split('\\')[0]\n"
	"  if ($s.Split('.')[0] -eq $env:COMPUTERNAME -or $s -eq 'localhost') { return '' }\n"
	"  if (-not $DpdNets.ContainsKey($s)) {\n"
	"    if (-not ('DpdMpr' -as [type])) { Add-Type -TypeDefinition $DpdMpr }\n"
	"    $rc = [DpdMpr]::Connect('\\\\' + $s + '\\IPC$', $DpdCred.UserName, $DpdCred.GetNetworkCredential().Password)\n"
	"    $DpdNets[$s] = ''\n"
	"    if ($rc -ne 0 -and $rc -ne 1219) {\n"
	"      $DpdNets[$s] = 'cannot connect to \\\\' + $s + '\\IPC$ as ' + $DpdCred.UserName + ': ' + (New-Object ComponentModel.Win32Exception($rc)).Message + ' (error ' + $rc + ')'\n"
	"    }\n"
	"  }\n"
	"  return $DpdNets[$s]\n"
	"}\n"
	"try {\n"
	"  $b = [Console]::In.ReadLine()\n"
	"  $c = [Console]::In.ReadLine()\n"
	"  $s = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($b))\n"
	"  $u = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($c))\n"
	"  $c = $null\n"
	"  $i = $u.IndexOf([char]10)\n"
	"  if ($i -lt 1) { $u = $null; throw 'the credential on standard input is not USER, newline, PASSWORD' }\n"
	"  $p = ConvertTo-SecureString -String $u.Substring($i + 1) -AsPlainText -Force\n"
	"  $global:DpdCred = New-Object System.Management.Automation.PSCredential($u.Substring(0, $i), $p)\n"
	"  $u = $null\n"
	"  $p = $null\n"
	"  [GC]::Collect()\n"
	"  & ([ScriptBlock]::Create($s))\n"
	"} catch {\n"
	"  [Console]::Error.WriteLine($_.ToString())\n"
	"  exit 1\n"
	"}\n"
	"exit $LASTEXITCODE\n";

static const char bad_b64[] =
	"Cannot process the command because the value specified with "
	"-EncodedCommand is not properly encoded. The value must be Base64 encoded.";

static const char bad_stdin[] =
	"Exception calling \"FromBase64String\" with \"1\" argument(s): \"The input "
	"is not a valid Base-64 string as it contains a non-base 64 character, more "
	"than two padding characters, or an illegal character among the padding "
	"characters.\"";

const char *
winenc_bootstrap_script(void)
{
	return bootstrap;
}

const char *
winenc_bootstrap_cred_script(void)
{
	return bootstrap_cred;
}

bool
winenc_fits(const char *cmdline)
{
	return strlen(cmdline) <= WINENC_CMD_MAX;
}

static void
utf8_put(struct buf *b, uint32_t cp)
{
	if (cp < 0x80) {
		buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_addc(b, (char)(0xc0 | (cp >> 6)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addc(b, (char)(0xe0 | (cp >> 12)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_addc(b, (char)(0xf0 | (cp >> 18)));
		buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

static void
utf16_put(struct buf *b, uint32_t unit)
{
	buf_addc(b, (char)(unit & 0xff));
	buf_addc(b, (char)(unit >> 8));
}

/* UTF-8 -> UTF-16LE; -1 with *err naming the first bad byte. */
static int
utf16le_from_utf8(const char *s, size_t len, struct buf *out, char **err)
{
	for (size_t i = 0, n; i < len; i += n) {
		uint32_t cp;
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0) {
			err_set(err, "the script is not UTF-8 (byte 0x%02x at offset %zu)",
			    (unsigned char)s[i], i);
			return -1;
		}
		if (cp >= 0x10000) {
			utf16_put(out, 0xd800 + ((cp - 0x10000) >> 10));
			utf16_put(out, 0xdc00 + ((cp - 0x10000) & 0x3ff));
		} else {
			utf16_put(out, cp);
		}
	}
	return 0;
}

/* UTF-16LE -> UTF-8, refusing odd lengths, unpaired surrogates and NUL. */
static int
utf8_from_utf16le(const unsigned char *p, size_t len, struct buf *out, char **err)
{
	if (len % 2 != 0) {
		err_set(err, "%s\n(%zu bytes: UTF-16LE needs an even number)", bad_b64, len);
		return -1;
	}
	for (size_t i = 0; i < len; i += 2) {
		uint32_t u = p[i] | (uint32_t)p[i + 1] << 8;
		if (u >= 0xd800 && u <= 0xdbff && i + 3 < len) {
			uint32_t lo = p[i + 2] | (uint32_t)p[i + 3] << 8;
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				utf8_put(out, 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00));
				i += 2;
				continue;
			}
		}
		if (u >= 0xd800 && u <= 0xdfff) {
			err_set(err, "%s\n(unpaired UTF-16 surrogate 0x%04X at byte %zu)",
			    bad_b64, (unsigned)u, i);
			return -1;
		}
		if (u == 0) {
			err_set(err, "%s\n(U+0000 at byte %zu)", bad_b64, i);
			return -1;
		}
		utf8_put(out, u);
	}
	return 0;
}

static bool
b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Strict base64 (no whitespace, '=' only as the final padding); lead is
 * what the host prints first when it is not. */
static int
b64_check(const char *s, size_t len, const char *lead, char **err)
{
	if (len % 4 != 0) {
		err_set(err, "%s\n(length %zu is not a multiple of 4)", lead, len);
		return -1;
	}
	size_t pad = 0;
	while (pad < 2 && pad < len && s[len - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < len - pad; i++)
		if (!b64_char(s[i])) {
			unsigned char c = (unsigned char)s[i];
			if (c > 0x20 && c < 0x7f)
				err_set(err, "%s\n('%c' at offset %zu is not base64)", lead, c, i);
			else
				err_set(err, "%s\n(byte 0x%02x at offset %zu is not base64)",
				    lead, c, i);
			return -1;
		}
	return 0;
}

/* Decode checked base64 (see b64_check) into out. */
static int
b64_decode(const char *s, size_t len, struct buf *out, const char *lead, char **err)
{
	buf_grow(out, 0);
	if (b64_check(s, len, lead, err) != 0)
		return -1;
	if (ops_b64_decode(s, len, out) != 0) {
		err_set(err, "%s\n(libcrypto refused it)", lead);
		return -1;
	}
	return 0;
}

char *
winenc_command(const char *script, char **err)
{
	struct buf u16, line;
	buf_init(&u16);
	if (utf16le_from_utf8(script, strlen(script), &u16, err) != 0) {
		buf_free(&u16);
		return NULL;
	}
	buf_init(&line);
	buf_adds(&line, WINENC_PREFIX);
	ops_b64_encode(u16.data, u16.len, &line);
	buf_free(&u16);
	return buf_detach(&line);
}

char *
winenc_stdin_payload(const char *script)
{
	struct buf b;
	buf_init(&b);
	ops_b64_encode(script, strlen(script), &b);
	buf_adds(&b, "\r\n");
	return buf_detach(&b);
}

/* The white space PowerShell's FromBase64String skips. */
static bool
b64_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int
winenc_decode_payload(const char *text, size_t len, char **script, char **err)
{
	struct buf clean, raw;
	buf_init(&clean);
	/* Sized once and filled in place: a payload is up to megabytes, and
	 * a call (and a strchr) per byte cost more than the decoding. */
	buf_grow(&clean, len);
	for (size_t i = 0; i < len; i++)
		if (!b64_space(text[i]))
			clean.data[clean.len++] = text[i];
	clean.data[clean.len] = '\0';
	buf_init(&raw);
	int rc = b64_decode(clean.data ? clean.data : "", clean.len, &raw, bad_stdin, err);
	buf_free(&clean);
	if (rc == 0 && (memchr(raw.data, '\0', raw.len) != NULL ||
	    !utf8_valid(raw.data, raw.len))) {
		err_set(err, "the script on standard input is not UTF-8 text");
		rc = -1;
	}
	if (rc != 0) {
		buf_free(&raw);
		return -1;
	}
	*script = buf_detach(&raw);
	return 0;
}

/* A buffer that held a secret: its whole allocation zeroed, then freed. */
static void
buf_wipe_free(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_free(b);
}

/* Sized once up front, so the secret's bytes are never left behind in a
 * block realloc() let go of. */
char *
winenc_stdin_payload_cred(const char *script, const char *user, const char *password)
{
	struct buf b, cred;
	size_t cn = strlen(user) + 1 + strlen(password);
	buf_init(&b);
	buf_grow(&b, (strlen(script) + 2) / 3 * 4 + (cn + 2) / 3 * 4 + 8);
	ops_b64_encode(script, strlen(script), &b);
	buf_adds(&b, "\r\n");
	buf_init(&cred);
	buf_grow(&cred, cn + 1);
	buf_printf(&cred, "%s\n%s", user, password);
	ops_b64_encode(cred.data, cred.len, &b);
	buf_adds(&b, "\r\n");
	buf_wipe_free(&cred);
	return buf_detach(&b);
}

/* The next line of text (up to LF, CR dropped): its start and length;
 * *at moves past it.  false when nothing is left. */
static bool
next_line(const char *text, size_t len, size_t *at, const char **line, size_t *n)
{
	if (*at >= len)
		return false;
	const char *p = text + *at, *nl = memchr(p, '\n', len - *at);
	size_t l = nl != NULL ? (size_t)(nl - p) : len - *at;
	*at += l + (nl != NULL);
	*line = p;
	*n = l > 0 && p[l - 1] == '\r' ? l - 1 : l;
	return true;
}

/* The credential line: base64 of UTF-8 "USER\nPASSWORD", a user that is
 * not empty and has no line break, a password without NUL. */
static int
decode_cred_line(const char *line, size_t n, char **user, char **password, char **err)
{
	struct buf raw;
	buf_init(&raw);
	buf_grow(&raw, n / 4 * 3 + 4);
	if (b64_decode(line, n, &raw, bad_stdin, err) != 0) {
		buf_wipe_free(&raw);
		return -1;
	}
	const char *nl = raw.len ? memchr(raw.data, '\n', raw.len) : NULL;
	if (nl == NULL || nl == raw.data || memchr(raw.data, '\0', raw.len) != NULL ||
	    !utf8_valid(raw.data, raw.len)) {
		err_set(err, "the credential on standard input is not USER, newline, PASSWORD");
		buf_wipe_free(&raw);
		return -1;
	}
	*user = xstrndup(raw.data, (size_t)(nl - raw.data));
	*password = xstrndup(nl + 1, raw.len - (size_t)(nl - raw.data) - 1);
	buf_wipe_free(&raw);
	return 0;
}

int
winenc_decode_payload_cred(const char *text, size_t len, char **script, char **user,
    char **password, char **err)
{
	size_t at = 0, n1 = 0, n2 = 0;
	const char *l1 = NULL, *l2 = NULL;
	*script = *user = *password = NULL;
	if (!next_line(text, len, &at, &l1, &n1) || !next_line(text, len, &at, &l2, &n2)) {
		err_set(err, "the credential bootstrap needs two lines on standard input "
		    "(the script, then the credential)");
		return -1;
	}
	if (winenc_decode_payload(l1, n1, script, err) != 0)
		return -1;
	if (decode_cred_line(l2, n2, user, password, err) != 0) {
		free(*script);
		*script = NULL;
		return -1;
	}
	return 0;
}

/* The expected words of a command line, before the base64. */
static const char *const cmd_words[] = {
	"powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy",
	"Bypass", "-EncodedCommand",
};
#define CMD_NWORDS (sizeof cmd_words / sizeof cmd_words[0])

/* Why cmdline is not WINENC_PREFIX + base64, worded as the Windows side
 * would put it.  Called only when the prefix does not match exactly. */
static void
cmd_explain(const char *cmdline, char **err)
{
	const char *p = cmdline + strspn(cmdline, " \t");
	size_t n = strcspn(p, " \t");
	if (n == 0) {
		err_set(err, "The syntax of the command is incorrect.");
		return;
	}
	bool ps = (n == 10 && strncasecmp(p, "powershell", n) == 0) ||
	    (n == 14 && strncasecmp(p, "powershell.exe", n) == 0);
	if (!ps) {
		err_set(err, "'%.*s' is not recognized as an internal or external command,\n"
		    "operable program or batch file.", (int)n, p);
		return;
	}
	const char *q = cmdline;
	for (size_t w = 0; w < CMD_NWORDS; w++) {
		size_t wl = strcspn(q, " \t");
		if (wl != strlen(cmd_words[w]) || strncmp(q, cmd_words[w], wl) != 0) {
			err_set(err, "powershell.exe: this host runs only \"%s<base64>\"; "
			    "found \"%.*s\" where \"%s\" belongs",
			    WINENC_PREFIX, (int)(wl > 40 ? 40 : wl), q, cmd_words[w]);
			return;
		}
		q += wl;
		if (*q != ' ' || q[1] == ' ' || q[1] == '\t') {
			if (w + 1 == CMD_NWORDS && q[strspn(q, " \t")] == '\0')
				break;
			err_set(err, "powershell.exe: this host runs only \"%s<base64>\"; "
			    "the words must be separated by single spaces", WINENC_PREFIX);
			return;
		}
		q++;
	}
	err_set(err, "Cannot process the command because of a missing parameter. "
	    "A command must follow -EncodedCommand.");
}

int
winenc_parse_command(const char *cmdline, char **script, char **err)
{
	if (!winenc_fits(cmdline)) {
		err_set(err, "The command line is too long.");
		return -1;
	}
	size_t plen = strlen(WINENC_PREFIX);
	if (strncmp(cmdline, WINENC_PREFIX, plen) != 0 || cmdline[plen] == '\0') {
		cmd_explain(cmdline, err);
		return -1;
	}
	const char *b64 = cmdline + plen;
	struct buf raw, text;
	buf_init(&raw);
	if (b64_decode(b64, strlen(b64), &raw, bad_b64, err) != 0) {
		buf_free(&raw);
		return -1;
	}
	buf_init(&text);
	int rc = utf8_from_utf16le((const unsigned char *)raw.data, raw.len, &text, err);
	buf_free(&raw);
	if (rc != 0) {
		buf_free(&text);
		return -1;
	}
	*script = buf_detach(&text);
	return strcmp(*script, bootstrap) == 0 ? WINENC_BOOTSTRAP :
	    strcmp(*script, bootstrap_cred) == 0 ? WINENC_BOOTSTRAP_CRED : WINENC_DIRECT;
}

/* One hex number of exactly n digits at p; -1 when it is not. */
static long
hex_n(const char *p, size_t n)
{
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* An XML entity at p (just after '&'): its code point and length through
 * ';', or -1. */
static int
xml_entity(const char *p, const char *end, uint32_t *cp, size_t *used)
{
	static const struct { const char *name; char c; } named[] = {
		{ "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' }, { "quot;", '"' }, { "apos;", '\'' },
	};
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
		size_t n = strlen(named[i].name);
		if ((size_t)(end - p) >= n && strncmp(p, named[i].name, n) == 0) {
			*cp = (unsigned char)named[i].c;
			*used = n;
			return 0;
		}
	}
	const char *semi = memchr(p, ';', (size_t)(end - p));
	if (semi == NULL || p[0] != '#' || semi - p < 2 || semi - p > 8)
		return -1;
	bool hex = p[1] == 'x' || p[1] == 'X';
	char *stop;
	unsigned long v = strtoul(p + (hex ? 2 : 1), &stop, hex ? 16 : 10);
	if (stop != semi || v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return -1;
	*cp = (uint32_t)v;
	*used = (size_t)(semi - p) + 1;
	return 0;
}

/* Append the text of one <S> element (p..end) to out: entities and
 * _xHHHH_ escapes (UTF-16 units; a pair makes one character, an unpaired
 * surrogate becomes U+FFFD).  -1 on a bad entity. */
static int
clixml_string(const char *p, const char *end, struct buf *out)
{
	uint32_t high = 0;
	while (p < end) {
		long u = -1;
		if (*p == '_' && end - p >= 7 && p[1] == 'x' && p[6] == '_')
			u = hex_n(p + 2, 4);
		if (u >= 0) {
			p += 7;
			if (high != 0 && u >= 0xdc00 && u <= 0xdfff) {
				utf8_put(out, 0x10000 + ((high - 0xd800) << 10) + ((uint32_t)u - 0xdc00));
				high = 0;
				continue;
			}
			if (high != 0)
				utf8_put(out, 0xfffd);
			high = u >= 0xd800 && u <= 0xdbff ? (uint32_t)u : 0;
			if (high == 0)
				utf8_put(out, u >= 0xdc00 && u <= 0xdfff ? 0xfffd : (uint32_t)u);
			continue;
		}
		if (high != 0)
			utf8_put(out, 0xfffd);
		high = 0;
		if (*p == '&') {
			uint32_t cp;
			size_t used;
			if (xml_entity(p + 1, end, &cp, &used) != 0)
				return -1;
			utf8_put(out, cp);
			p += 1 + used;
		} else {
			buf_addc(out, *p++);
		}
	}
	if (high != 0)
		utf8_put(out, 0xfffd);
	return 0;
}

char *
winenc_clixml_errors(const char *stderr_text)
{
	static const char magic[] = "#< CLIXML", open_tag[] = "<S S=\"Error\">";
	if (strncmp(stderr_text, magic, strlen(magic)) != 0)
		return xstrdup(stderr_text);
	struct buf out;
	buf_init(&out);
	const char *p = stderr_text + strlen(magic);
	while ((p = strstr(p, open_tag)) != NULL) {
		p += strlen(open_tag);
		const char *end = strstr(p, "</S>");
		if (end == NULL || clixml_string(p, end, &out) != 0) {
			buf_free(&out);
			return xstrdup(stderr_text);
		}
		p = end + 4;
	}
	buf_crlf_to_lf(&out);
	return buf_detach(&out);
}
