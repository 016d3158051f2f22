/*
 * The PowerShell 2.0 floor, kept by the simulated hosts.  Server 2003 SP2
 * runs at most PowerShell 2.0, on CLR 2.0; a script that uses something
 * newer fails there, so a simulated host refuses it too, naming the
 * construct and the version it needs, before the op is answered.
 *
 * The script is cut into tokens by a small lexer that knows what
 * PowerShell does not run: # comments, <# #> blocks, '...' and "..."
 * strings (with their doubled quotes, backtick escapes and $( ) inside)
 * and here-strings.  The table of constructs then matches tokens, without
 * regard to case and on token boundaries, so `ConvertTo-JsonX`, `-Include`
 * or a construct named in a comment or a string does not count.  It is a
 * floor, not a parser: a few spellings are refused although 2.0 would run
 * them (any .CopyTo( call, since the type of what it is called on is not
 * known from the text; use [Array]::Copy or [IO.File]::Copy there).
 */
#include "autoconf.h"
#include "backend/sim/simint.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Where the versions come from.  "2.0 help" pages are Microsoft's help
 * for Windows PowerShell 2.0 (learn.microsoft.com/previous-versions,
 * "Applies To: Windows PowerShell 2.0"); the others are the current help
 * or .NET API pages, whose "Applies to" lists start at the version named. */
#define SRC_JSON "ConvertTo-Json / ConvertFrom-Json help: introduced in Windows PowerShell 3.0"
#define SRC_CIM "PowerShell-Docs learn/ps101/07-working-with-wmi.md: \"The CIM cmdlets were " \
	"introduced in PowerShell 3.0\""
#define SRC_ORDERED "about_Hash_Tables: \"Beginning in PowerShell 3.0, you can use the " \
	"[ordered] attribute\""
#define SRC_PSCO "about_PSCustomObject: the [pscustomobject] type accelerator was added in " \
	"PowerShell 3.0"
#define SRC_NEW "about_Object_Creation: the static new() method, PowerShell 5.0"
#define SRC_WHERE "about_Arrays (methods of arrays) and PowerShell-Docs issue #2307: " \
	".Where() and .ForEach() were introduced in PowerShell 4.0"
#define SRC_IN "about_Comparison_Operators: -in/-notin are in the 3.0 help, not in the " \
	"2.0 help (dd315321)"
#define SRC_PSITEM "about_Automatic_Variables: $PSItem, the same as $_, from PowerShell 3.0 " \
	"(not in the 2.0 help)"
#define SRC_IGNORE "about_CommonParameters: the Ignore value of -ErrorAction was introduced " \
	"in PowerShell 3.0 (2.0 help dd315352 lists no Ignore)"
#define SRC_GC "Get-Content help: \"Beginning in PowerShell 3.0, Get-Content can also get a " \
	"specified number of lines from the beginning or end\"; -Raw and -Tail are 3.0 parameters"
#define SRC_REN "Rename-Item 2.0 help (dd315353) has only -Path; the 3.0 help adds the " \
	"ByLiteralPath set"
#define SRC_GACL "Get-Acl 2.0 help (dd347635) has only -Path; -LiteralPath from 3.0"
#define SRC_SACL "Set-Acl 2.0 help (dd315261) has only -Path; -LiteralPath from 3.0"
#define SRC_COPYTO "Stream.CopyTo (System.IO): applies to .NET Framework 4.0 and later"
#define SRC_WS "String.IsNullOrWhiteSpace: applies to .NET Framework 4.0 and later"
#define SRC_FLAG "Enum.HasFlag: applies to .NET Framework 4.0 and later"
#define SRC_64 "Environment.Is64BitOperatingSystem / Is64BitProcess: .NET Framework 4.0 " \
	"and later"
#define SRC_WINRM "about_Remote_Requirements (2.0): remote commands need WinRM 2.0; " \
	"Windows Server 2003 has none unless Windows Management Framework (KB968930) is " \
	"installed, and the SMS 2003 servers dpdoctor serves do not have it"
#define SRC_WEB "Invoke-WebRequest / Invoke-RestMethod help: introduced in Windows " \
	"PowerShell 3.0"
#define SRC_UTF8 "Out-File / Set-Content help: utf8NoBOM and utf8BOM encodings from " \
	"PowerShell 6.0 (5.1's FileSystemCmdletProviderEncoding has neither)"
#define SRC_GCI "Get-ChildItem help: -File and -Directory were introduced in Windows " \
	"PowerShell 3.0"
#define SRC_USING "about_Remote_Variables: the Using scope modifier, PowerShell 3.0"
#define SRC_HASH "Get-FileHash help: introduced in Windows PowerShell 4.0"
#define SRC_NONL "Out-File / Set-Content / Add-Content help: -NoNewline was introduced in " \
	"Windows PowerShell 5.0"

/* Names are lower case, '|' between them.  A parameter's spelling marks
 * the shortest prefix PowerShell takes for it in upper case ("RAw": -ra
 * and -raw); members start with the "." or "::" before them. */
static const struct simps2_rule rules[] = {
	{ "ConvertTo-Json", "PowerShell 3.0", SRC_JSON, "$j = $x | ConvertTo-Json",
	  PS2_COMMAND, "convertto-json", NULL },
	{ "ConvertFrom-Json", "PowerShell 3.0", SRC_JSON, "$o = $t | ConvertFrom-Json",
	  PS2_COMMAND, "convertfrom-json", NULL },
	{ "Get-CimInstance", "PowerShell 3.0", SRC_CIM,
	  "$s = Get-CimInstance -ClassName Win32_Share",
	  PS2_COMMAND, "get-ciminstance|gcim", NULL },
	{ "New-CimSession", "PowerShell 3.0", SRC_CIM, "$c = New-CimSession -ComputerName DP01",
	  PS2_COMMAND, "new-cimsession|new-cimsessionoption|get-cimsession|remove-cimsession",
	  NULL },
	{ "a CIM cmdlet", "PowerShell 3.0", SRC_CIM, "Invoke-CimMethod -InputObject $i -MethodName X",
	  PS2_COMMAND, "invoke-cimmethod|set-ciminstance|new-ciminstance|remove-ciminstance|"
	  "get-cimclass|get-cimassociatedinstance|register-cimindicationevent", NULL },
	{ "[ordered]", "PowerShell 3.0", SRC_ORDERED, "$h = [ordered]@{ a = 1 }",
	  PS2_TYPE, "ordered", NULL },
	{ "[pscustomobject]", "PowerShell 3.0", SRC_PSCO, "$o = [pscustomobject]@{ a = 1 }",
	  PS2_TYPE, "pscustomobject", NULL },
	{ "::new(", "PowerShell 5.0", SRC_NEW, "$l = [Collections.ArrayList]::new()",
	  PS2_MEMBER, "::new", "(" },
	{ ".Where(", "PowerShell 4.0", SRC_WHERE, "$y = $x.Where({ $_ -gt 1 })",
	  PS2_MEMBER, ".where", "({" },
	{ ".ForEach(", "PowerShell 4.0", SRC_WHERE, "$x.ForEach({ $_ })",
	  PS2_MEMBER, ".foreach", "({" },
	{ "-in", "PowerShell 3.0", SRC_IN, "if ($a -in $b) { }",
	  PS2_OPERATOR, "in|iin|cin", NULL },
	{ "-notin", "PowerShell 3.0", SRC_IN, "if ($a -notin $b) { }",
	  PS2_OPERATOR, "notin|inotin|cnotin", NULL },
	{ "$PSItem", "PowerShell 3.0", SRC_PSITEM, "$x | ForEach-Object { $PSItem }",
	  PS2_VARIABLE, "psitem", NULL },
	{ "$using:", "PowerShell 3.0", SRC_USING, "Start-Job -ScriptBlock { $using:x }",
	  PS2_VARIABLE, "using:", NULL },
	{ "-ErrorAction Ignore", "PowerShell 3.0", SRC_IGNORE, "Remove-Item $p -ErrorAction Ignore",
	  PS2_VALUE, "ERRORAction|EA|WARNINGAction|WA", "ignore" },
	{ "ActionPreference Ignore", "PowerShell 3.0", SRC_IGNORE,
	  "$ErrorActionPreference = [Management.Automation.ActionPreference]::Ignore",
	  PS2_MEMBER, "::ignore", "" },
	{ "Get-Content -Raw", "PowerShell 3.0", SRC_GC, "$t = Get-Content -LiteralPath $p -Raw",
	  PS2_PARAMETER, "get-content|gc|cat|type", "RAw" },
	{ "Get-Content -Tail", "PowerShell 3.0", SRC_GC, "Get-Content $p -Tail 10",
	  PS2_PARAMETER, "get-content|gc|cat|type", "TAil|LAST" },
	{ "Rename-Item -LiteralPath", "PowerShell 3.0", SRC_REN,
	  "Rename-Item -LiteralPath $p -NewName b.txt",
	  PS2_PARAMETER, "rename-item|ren|rni", "Literalpath|PSPATH" },
	{ "Get-Acl -LiteralPath", "PowerShell 3.0", SRC_GACL, "$acl = Get-Acl -LiteralPath $p",
	  PS2_PARAMETER, "get-acl", "Literalpath|PSPATH" },
	{ "Set-Acl -LiteralPath", "PowerShell 3.0", SRC_SACL, "Set-Acl -LiteralPath $p -AclObject $acl",
	  PS2_PARAMETER, "set-acl", "Literalpath|PSPATH" },
	{ "Stream.CopyTo", ".NET Framework 4", SRC_COPYTO,
	  "$fs.CopyTo($ms)", PS2_MEMBER, ".copyto", "(" },
	{ "String.IsNullOrWhiteSpace", ".NET Framework 4", SRC_WS,
	  "if ([string]::IsNullOrWhiteSpace($s)) { }", PS2_MEMBER, "::isnullorwhitespace", "(" },
	{ "Enum.HasFlag", ".NET Framework 4", SRC_FLAG,
	  "$a.HasFlag([IO.FileAttributes]::ReadOnly)", PS2_MEMBER, ".hasflag", "(" },
	{ "Environment.Is64BitOperatingSystem", ".NET Framework 4",
	  SRC_64, "if ([Environment]::Is64BitOperatingSystem) { }",
	  PS2_MEMBER, "::is64bitoperatingsystem|::is64bitprocess", "" },
	/* In 2.0, but remoting needs WinRM, which the Server 2003 SMS servers
	 * do not run: programs start there with Win32_Process.Create. */
	{ "Invoke-Command (WinRM remoting)", "WinRM, not on Windows Server 2003", SRC_WINRM,
	  "Invoke-Command -ComputerName DP01 -ScriptBlock { 1 }", PS2_COMMAND,
	  "invoke-command|icm|enter-pssession|etsn|new-pssession|nsn", NULL },
	{ "Invoke-WebRequest", "PowerShell 3.0", SRC_WEB, "Invoke-WebRequest -Uri $u",
	  PS2_COMMAND, "invoke-webrequest|iwr", NULL },
	{ "Invoke-RestMethod", "PowerShell 3.0", SRC_WEB, "$r = Invoke-RestMethod -Uri $u",
	  PS2_COMMAND, "invoke-restmethod|irm", NULL },
	{ "-Encoding utf8NoBOM", "PowerShell 6.0", SRC_UTF8, "$t | Out-File $p -Encoding utf8NoBOM",
	  PS2_VALUE, "ENcoding", "utf8nobom|utf8bom" },
	{ "Get-ChildItem -File/-Directory", "PowerShell 3.0", SRC_GCI, "Get-ChildItem $d -File",
	  PS2_PARAMETER, "get-childitem|gci|ls|dir", "FILE|DIrectory|AD|AF" },
	{ "Get-FileHash", "PowerShell 4.0", SRC_HASH, "Get-FileHash $p -Algorithm SHA256",
	  PS2_COMMAND, "get-filehash", NULL },
	{ "-NoNewline", "PowerShell 5.0", SRC_NONL, "Set-Content $p $t -NoNewline",
	  PS2_PARAMETER, "out-file|set-content|add-content|sc|ac", "NONewline" },
};

const struct simps2_rule *
simps2_rules(size_t *n)
{
	*n = sizeof rules / sizeof rules[0];
	return rules;
}

/* ---- tokens ------------------------------------------------------------- */

enum tok_kind { T_WORD, T_VAR, T_STRING, T_TYPE, T_PUNCT, T_NEWLINE };

struct tok {
	enum tok_kind kind;
	const char *p;      /* WORD and PUNCT text, VAR name, STRING and TYPE contents */
	size_t n;
	const char *at;     /* where it starts in the script */
	bool spaced;        /* whitespace (or a comment) before it */
};

struct toks {
	struct tok *v;
	size_t n, cap;
};

static void
tok_add(struct toks *t, enum tok_kind k, const char *p, size_t n, const char *at, bool spaced)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	t->v[t->n++] = (struct tok){ k, p, n, at, spaced };
}

/* The quote characters PowerShell accepts: 1 for a single quote, 2 for a
 * double, 0 for neither; *len is its length in bytes (the typographic
 * ones are three bytes of UTF-8: U+2018-U+201B single, U+201C-U+201E
 * double). */
static int
quote_at(const char *s, size_t *len)
{
	*len = 1;
	if (*s == '\'')
		return 1;
	if (*s == '"')
		return 2;
	/* Byte by byte: a byte is read only when the one before it is not the
	 * string's end (found by the ASan build: s may end right here). */
	if ((unsigned char)s[0] != 0xe2 || (unsigned char)s[1] != 0x80)
		return 0;
	unsigned char c = (unsigned char)s[2];
	*len = 3;
	if (c >= 0x98 && c <= 0x9b)
		return 1;
	if (c >= 0x9c && c <= 0x9e)
		return 2;
	return 0;
}

/* The dashes PowerShell takes for '-' (ASCII, en dash, em dash, horizontal
 * bar): the length of the one at s, or 0. */
static size_t
dash_at(const char *s)
{
	if (*s == '-')
		return 1;
	if ((unsigned char)s[0] != 0xe2 || (unsigned char)s[1] != 0x80)
		return 0;   /* as quote_at: no byte read past the string's end */
	unsigned char c = (unsigned char)s[2];
	return c >= 0x93 && c <= 0x95 ? 3 : 0;
}

static const char *skip_string(const char *s, int kind);

/* The end of $( ... ) inside a double-quoted string (s just past the
 * opening parenthesis): nested parentheses and strings are skipped. */
static const char *
skip_subexpr(const char *s)
{
	int depth = 1;
	while (*s && depth > 0) {
		size_t ql;
		int q = quote_at(s, &ql);
		if (q != 0) {
			s = skip_string(s + ql, q);
			continue;
		}
		if (*s == '`' && s[1] != '\0')
			s++;
		else if (*s == '(')
			depth++;
		else if (*s == ')')
			depth--;
		s++;
	}
	return s;
}

/* The end of a string whose opening quote (of `kind`) is just before s:
 * just past its closing quote, or the end of the script. */
static const char *
skip_string(const char *s, int kind)
{
	while (*s) {
		size_t ql, ql2;
		int q = quote_at(s, &ql);
		if (q == kind) {
			if (quote_at(s + ql, &ql2) == kind) {   /* doubled: a quote */
				s += ql + ql2;
				continue;
			}
			return s + ql;
		}
		if (kind == 2 && *s == '`' && s[1] != '\0') {
			s += 2;
			continue;
		}
		if (kind == 2 && s[0] == '$' && s[1] == '(') {
			s = skip_subexpr(s + 2);
			continue;
		}
		s++;
	}
	return s;
}

/* A here-string opening at s ("@'" or "@\"", then only blanks to the end
 * of the line): its contents and the end past the closing "'@" or "\"@"
 * at the start of a line; NULL when s opens none. */
static const char *
here_string(const char *s, const char **body, const char **body_end)
{
	if (s[0] != '@' || (s[1] != '\'' && s[1] != '"'))
		return NULL;
	char q = s[1];
	const char *p = s + 2 + strspn(s + 2, " \t");
	if (*p == '\r')
		p++;
	if (*p != '\n')
		return NULL;
	*body = ++p;
	for (;;) {
		const char *nl = strchr(p, '\n');
		if (nl == NULL) {
			*body_end = p + strlen(p);
			return *body_end;
		}
		if (nl[1] == q && nl[2] == '@') {
			*body_end = nl;
			return nl + 3;
		}
		p = nl + 1;
	}
}

static bool
word_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '-' || c >= 0x80;
}

/* A variable at s ('$' first): its name and the end. */
static const char *
variable(const char *s, const char **name, size_t *n)
{
	const char *p = s + 1, *e = p;
	if (*p == '{') {
		for (e = p + 1; *e && *e != '}'; e += (*e == '`' && e[1]) ? 2 : 1)
			;
		*name = p + 1;
		*n = (size_t)(e - p - 1);
		return *e ? e + 1 : e;
	}
	if (*p == '$' || *p == '^' || *p == '?') {
		e = p + 1;
	} else {
		/* A scope or drive ("env:", "using:") belongs to the name; "::"
		 * (a static member) does not. */
		while (isalnum((unsigned char)*e) || *e == '_' || (*e == ':' && e[1] != ':' &&
		    (isalnum((unsigned char)e[1]) || e[1] == '_')))
			e++;
	}
	*name = p;
	*n = (size_t)(e - p);
	return e;
}

/* A type literal at s ('[' first): its contents (spaces kept) and the end
 * past the matching ']'; NULL when the brackets hold something else (an
 * index, an attribute). */
static const char *
type_literal(const char *s, const char **body, size_t *n)
{
	const char *p = s + 1 + strspn(s + 1, " \t");
	if (!isalpha((unsigned char)*p) && *p != '_')
		return NULL;
	int depth = 1;
	const char *e = s + 1;
	for (; *e && depth > 0; e++) {
		if (*e == '[')
			depth++;
		else if (*e == ']')
			depth--;
		else if (!isalnum((unsigned char)*e) && strchr("_.,` +", *e) == NULL)
			return NULL;
	}
	if (depth != 0)
		return NULL;
	*body = s + 1;
	*n = (size_t)(e - 1 - *body);
	return e;
}

/* Skip what PowerShell does not run and what separates tokens; *spaced
 * is set when anything was skipped.  Returns where the next token starts. */
static const char *
skip_blank(const char *s, bool *spaced)
{
	for (;;) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f' || *s == '\v') {
			s++;
		} else if (*s == '`' && (s[1] == '\n' || (s[1] == '\r' && s[2] == '\n'))) {
			s += s[1] == '\n' ? 2 : 3;          /* a line continued */
		} else if (s[0] == '<' && s[1] == '#') {
			const char *e = strstr(s + 2, "#>");
			s = e ? e + 2 : s + strlen(s);
		} else if (*s == '#') {
			s += strcspn(s, "\n");
		} else {
			return s;
		}
		*spaced = true;
	}
}

/* One token at s (not blank): added to t; returns its end. */
static const char *
lex_one(const char *s, bool spaced, struct toks *t)
{
	const char *e, *body, *body_end;
	size_t ql, n;
	int q;
	if (*s == '\n') {
		tok_add(t, T_NEWLINE, s, 1, s, spaced);
		return s + 1;
	}
	if ((e = here_string(s, &body, &body_end)) != NULL) {
		tok_add(t, T_STRING, body, (size_t)(body_end - body), s, spaced);
		return e;
	}
	if ((q = quote_at(s, &ql)) != 0) {
		e = skip_string(s + ql, q);
		n = (size_t)(e - s);
		tok_add(t, T_STRING, s + ql, n > 2 * ql ? n - 2 * ql : 0, s, spaced);
		return e;
	}
	if (*s == '$' && s[1] != '(') {
		e = variable(s, &body, &n);
		tok_add(t, T_VAR, body, n, s, spaced);
		return e;
	}
	if (*s == '[' && (e = type_literal(s, &body, &n)) != NULL) {
		tok_add(t, T_TYPE, body, n, s, spaced);
		return e;
	}
	if (word_char((unsigned char)*s)) {
		/* '#' inside a word is part of it; a backtick escapes the next
		 * character; a quote ends the word (a string follows). */
		for (e = s; *e && quote_at(e, &ql) == 0 && (word_char((unsigned char)*e) ||
		    *e == '#' || (*e == '`' && e[1] != '\0' && e[1] != '\n')); )
			e += *e == '`' ? 2 : 1;
		tok_add(t, T_WORD, s, (size_t)(e - s), s, spaced);
		return e;
	}
	n = s[0] == ':' && s[1] == ':' ? 2 : 1;
	tok_add(t, T_PUNCT, s, n, s, spaced);
	return s + n;
}

static void
lex(const char *script, struct toks *t)
{
	const char *s = script;
	for (;;) {
		bool spaced = false;
		s = skip_blank(s, &spaced);
		if (*s == '\0')
			return;
		s = lex_one(s, spaced, t);
	}
}

/* ---- matching ----------------------------------------------------------------- */

/* Whether p[0..n) is one of the '|'-separated names, ignoring case; a name
 * ending in ':' matches as a prefix (a scope). */
static bool
in_list(const char *list, const char *p, size_t n)
{
	while (list != NULL && *list) {
		size_t l = strcspn(list, "|");
		if ((l == n || (list[l - 1] == ':' && n > l)) && strncasecmp(list, p, l) == 0)
			return true;
		list += l + (list[l] == '|');
	}
	return false;
}

/* Whether a word is a parameter of the list: a dash, then a prefix of a
 * name at least as long as the name's upper-case head. */
static bool
is_param(const char *list, const struct tok *w)
{
	size_t d = w->kind == T_WORD ? dash_at(w->p) : 0;
	if (d == 0 || w->n <= d)
		return false;
	const char *p = w->p + d;
	size_t n = w->n - d;
	while (*list) {
		size_t l = strcspn(list, "|"), min = 0;
		while (min < l && isupper((unsigned char)list[min]))
			min++;
		if (n >= (min ? min : 1) && n <= l && strncasecmp(list, p, n) == 0)
			return true;
		list += l + (list[l] == '|');
	}
	return false;
}

static bool
is_punct(const struct tok *t, const char *p)
{
	return t->kind == T_PUNCT && t->n == strlen(p) && memcmp(t->p, p, t->n) == 0;
}

/* A command rule's parameter anywhere in the rest of its statement: the
 * index of that parameter, or 0. */
static size_t
param_in_statement(const struct simps2_rule *r, const struct toks *t, size_t i)
{
	int depth = 0;
	for (size_t j = i + 1; j < t->n; j++) {
		const struct tok *k = &t->v[j];
		if (k->kind == T_NEWLINE && depth == 0)
			return 0;
		if (k->kind == T_PUNCT && k->n == 1) {
			if (strchr("({[", *k->p))
				depth++;
			else if (strchr(")}]", *k->p) && --depth < 0)
				return 0;
			else if (strchr(";|&", *k->p) && depth == 0)
				return 0;
		}
		if (depth == 0 && is_param(r->values, k))
			return j;
	}
	return 0;
}

/* What a token can be to the rules, worked out once per token: a word
 * (with or without a leading dash, a member name or not), a variable, a
 * type literal, or nothing any rule looks at (strings, punctuation, line
 * ends).  Each rule is tried only on the classes of tokens its kind can
 * match, which is what rule_at tests first for that kind. */
enum tok_class { C_NONE, C_WORD, C_DASH_WORD, C_MEMBER, C_DASH_MEMBER, C_VAR, C_TYPE, C_N };

#define C_BIT(c) (1u << (c))

/* The classes of tokens each kind of rule can match.  Command and
 * parameter rules skip dashed words because no command name starts with a
 * dash (test_simps2 checks the table for that); a value or operator is
 * always dashed; a member rule needs a member name. */
static const unsigned kind_classes[] = {
	[PS2_COMMAND] = C_BIT(C_WORD),
	[PS2_PARAMETER] = C_BIT(C_WORD),
	[PS2_VALUE] = C_BIT(C_DASH_WORD) | C_BIT(C_DASH_MEMBER),
	[PS2_OPERATOR] = C_BIT(C_DASH_WORD) | C_BIT(C_DASH_MEMBER),
	[PS2_VARIABLE] = C_BIT(C_VAR),
	[PS2_TYPE] = C_BIT(C_TYPE),
	[PS2_MEMBER] = C_BIT(C_MEMBER) | C_BIT(C_DASH_MEMBER),
};

#define N_RULES (sizeof rules / sizeof rules[0])

/* Built once (rule_index_once): the rules to try on each class of token,
 * in table order (the first rule to match at a token is the one
 * reported), and of each rule the bytes a token's compared text can start
 * with (any case of its names' first letters, after a member's "." or
 * "::"), a bit per byte: a token whose first byte is not there is not
 * compared with the rule's names at all. */
static struct rule_index {
	unsigned char v[C_N][N_RULES];
	size_t n[C_N];
	uint64_t first[N_RULES][4];
} ix;
static pthread_once_t ix_once = PTHREAD_ONCE_INIT;

static void
first_add(uint64_t m[4], unsigned c)
{
	m[c / 64] |= (uint64_t)1 << (c % 64);
}

static bool
first_has(const uint64_t m[4], unsigned char c)
{
	return (m[c / 64] >> (c % 64)) & 1;
}

/* ix.first[r]: the first compared byte of each name, in any case (as
 * strncasecmp compares); all bytes for a name that has none. */
static void
index_first(size_t r)
{
	uint64_t *m = ix.first[r];
	for (const char *list = rules[r].names; *list; ) {
		size_t l = strcspn(list, "|"), skip = 0;
		if (rules[r].kind == PS2_MEMBER)
			skip = strncmp(list, "::", 2) == 0 ? 2 : *list == '.';
		for (unsigned c = 0; c < 256; c++)
			if (skip >= l || tolower((int)c) == tolower((unsigned char)list[skip]))
				first_add(m, c);
		list += l + (list[l] == '|');
	}
}

static void
index_rules(void)
{
	for (size_t r = 0; r < N_RULES; r++) {
		for (int c = 0; c < C_N; c++)
			if (kind_classes[rules[r].kind] & C_BIT(c))
				ix.v[c][ix.n[c]++] = (unsigned char)r;
		index_first(r);
	}
}

/* Whether token i is a member name: right after a "." or "::". */
static bool
is_member(const struct toks *t, size_t i)
{
	const struct tok *prev = i ? &t->v[i - 1] : NULL;
	return prev && !t->v[i].spaced && (is_punct(prev, ".") || is_punct(prev, "::"));
}

/* A token's facts, once for all the rules: its class, and the name some
 * rules compare: a member's "." or "::" and name, a type literal's
 * contents without blanks ("[ ordered ]" reads as [ordered]); empty for
 * other tokens.  name is reused from token to token. */
struct tok_facts {
	enum tok_class class;
	bool member;
	unsigned char key[PS2_MEMBER + 1];  /* of each kind: the first byte it compares */
	char *name;
	size_t n, cap;
};

/* f->name = a[0..an) and b[0..bn), b's blanks left out when strip. */
static void
facts_name(struct tok_facts *f, const char *a, size_t an, const char *b, size_t bn, bool strip)
{
	if (an + bn + 1 > f->cap) {
		f->cap = an + bn + 1;
		f->name = xrealloc(f->name, f->cap);
	}
	memcpy(f->name, a, an);
	f->n = an;
	for (size_t j = 0; j < bn; j++)
		if (!strip || (b[j] != ' ' && b[j] != '\t'))
			f->name[f->n++] = b[j];
	f->name[f->n] = '\0';
}

static void
facts_of(struct tok_facts *f, const struct toks *t, size_t i)
{
	const struct tok *k = &t->v[i];
	f->member = is_member(t, i);
	f->n = 0;
	switch (k->kind) {
	case T_WORD: {
		size_t d = dash_at(k->p);
		bool dashed = d != 0;
		/* (k->p[d] is inside the script even for a word that is only a
		 * dash: at most its terminating NUL.) */
		f->key[PS2_COMMAND] = f->key[PS2_PARAMETER] = f->key[PS2_MEMBER] = (unsigned char)k->p[0];
		f->key[PS2_VALUE] = f->key[PS2_OPERATOR] = (unsigned char)k->p[d];
		if (f->member)
			facts_name(f, t->v[i - 1].p, t->v[i - 1].n, k->p, k->n, false);
		f->class = f->member ? (dashed ? C_DASH_MEMBER : C_MEMBER) :
		    (dashed ? C_DASH_WORD : C_WORD);
		break;
	}
	case T_VAR:
		f->key[PS2_VARIABLE] = (unsigned char)k->p[0];
		f->class = C_VAR;
		break;
	case T_TYPE:
		facts_name(f, "", 0, k->p, k->n, true);
		f->key[PS2_TYPE] = (unsigned char)f->name[0];
		f->class = C_TYPE;
		break;
	default:
		f->class = C_NONE;
		break;
	}
}

/* A member of the rule: its "." or "::" and name (f->name), and what must
 * follow at once (a call's parenthesis), when the rule says. */
static bool
member_is(const struct simps2_rule *r, const struct tok_facts *f, const struct tok *next)
{
	return in_list(r->names, f->name, f->n) &&
	    (*r->values == '\0' || (next && !next->spaced && next->kind == T_PUNCT &&
	    next->n == 1 && strchr(r->values, *next->p)));
}

/* Does rule r match at token i (f: its facts, worked out once for all the
 * rules)?  The index of the offending token, or (size_t)-1. */
static size_t
rule_at(const struct simps2_rule *r, const struct toks *t, size_t i, const struct tok_facts *f)
{
	const struct tok *k = &t->v[i];
	bool member = f->member;
	const struct tok *next = i + 1 < t->n ? &t->v[i + 1] : NULL;
	switch (r->kind) {
	case PS2_COMMAND:
		return k->kind == T_WORD && !member && in_list(r->names, k->p, k->n) ? i : (size_t)-1;
	case PS2_PARAMETER: {
		if (k->kind != T_WORD || member || !in_list(r->names, k->p, k->n))
			return (size_t)-1;
		size_t j = param_in_statement(r, t, i);
		return j ? j : (size_t)-1;
	}
	case PS2_VALUE: {
		if (!is_param(r->names, k) || next == NULL)
			return (size_t)-1;
		if (is_punct(next, ":") && !next->spaced)
			next = i + 2 < t->n ? &t->v[i + 2] : NULL;
		return next && (next->kind == T_WORD || next->kind == T_STRING) &&
		    in_list(r->values, next->p, next->n) ? i : (size_t)-1;
	}
	case PS2_OPERATOR: {
		size_t d = k->kind == T_WORD ? dash_at(k->p) : 0;
		return d && in_list(r->names, k->p + d, k->n - d) ? i : (size_t)-1;
	}
	case PS2_VARIABLE:
		return k->kind == T_VAR && in_list(r->names, k->p, k->n) ? i : (size_t)-1;
	case PS2_TYPE:
		return k->kind == T_TYPE && in_list(r->names, f->name, f->n) ? i : (size_t)-1;
	case PS2_MEMBER:
		return k->kind == T_WORD && member && member_is(r, f, next) ? i : (size_t)-1;
	}
	return (size_t)-1;
}

/* What PowerShell 2.0 says when it meets each kind: the words before
 * and after the offending text. */
static const struct {
	const char *before, *after;
} said[] = {
	[PS2_COMMAND] = { "The term '", "' is not recognized as the name of a cmdlet, "
	    "function, script file, or operable program." },
	[PS2_PARAMETER] = { "A parameter cannot be found that matches parameter name '", "'." },
	[PS2_VALUE] = { "Cannot bind parameter '", "': PowerShell 2.0 has no such value." },
	[PS2_OPERATOR] = { "Unexpected token '", "' in expression or statement." },
	[PS2_VARIABLE] = { "The variable '$", "' is not one PowerShell 2.0 sets." },
	[PS2_TYPE] = { "Unable to find type [", "]: make sure that the assembly containing "
	    "this type is loaded." },
	[PS2_MEMBER] = { "Method invocation failed because the object does not contain a "
	    "method or property named '", "'." },
};

/* Line and column (1-based, in bytes) of p in s. */
static void
line_col(const char *s, const char *p, unsigned *line, unsigned *col)
{
	*line = 1;
	const char *bol = s;
	for (const char *q = s; q < p; q++)
		if (*q == '\n') {
			(*line)++;
			bol = q + 1;
		}
	*col = (unsigned)(p - bol) + 1;
}

int
simps2_check(const char *script, char **why)
{
	struct toks t = { NULL, 0, 0 };
	lex(script, &t);
	if (pthread_once(&ix_once, index_rules) != 0)
		abort();
	struct tok_facts f = { .class = C_NONE, .name = NULL };
	int rc = 0;
	for (size_t i = 0; i < t.n && rc == 0; i++) {
		facts_of(&f, &t, i);
		for (size_t x = 0; x < ix.n[f.class] && rc == 0; x++) {
			size_t r = ix.v[f.class][x];
			if (!first_has(ix.first[r], f.key[rules[r].kind]))
				continue;
			size_t at = rule_at(&rules[r], &t, i, &f);
			if (at == (size_t)-1)
				continue;
			const struct tok *k = &t.v[at];
			unsigned line, col;
			line_col(script, k->at, &line, &col);
			bool clr = strncmp(rules[r].needs, ".NET", 4) == 0;
			err_set(why, "%s%.*s%s At line:%u char:%u. (%s needs %s%s)",
			    said[rules[r].kind].before, (int)k->n, k->p, said[rules[r].kind].after,
			    line, col, rules[r].construct, rules[r].needs,
			    clr ? "; PowerShell 2.0 runs on CLR 2.0" : "");
			rc = -1;
		}
	}
	free(f.name);
	free(t.v);
	return rc;
}
