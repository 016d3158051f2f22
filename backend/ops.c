/*
 * Ops and their PowerShell rendering.  A script is three parts: a header
 * line naming the op (so a simulated host knows what it was sent), the
 * argument block, and the op's body, which calls the protocol helpers of a
 * shared prelude.  Arguments are validated against a per-op table before
 * rendering, and written as single-quoted PowerShell strings, where the only
 * special characters are the quote marks (doubled here; the typographic
 * quotes PowerShell also accepts are refused outright).
 */
#include "config.h"
#include "backend/ops.h"
#include "backend/nal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	bool writes;
} op_table[] = {
#define X(e, n, w) [e] = { n, w },
	OP_TABLE(X)
#undef X
};

const char *
op_name(enum op_kind k)
{
	return (unsigned)k < OP_COUNT ? op_table[k].name : "?";
}

int
op_from_name(const char *name)
{
	for (int k = 0; k < OP_COUNT; k++)
		if (strcmp(op_table[k].name, name) == 0)
			return k;
	return -1;
}

bool
op_changes_site(enum op_kind k)
{
	return (unsigned)k < OP_COUNT && op_table[k].writes;
}

const char *
op_arg(const struct op *op, const char *key)
{
	for (size_t i = 0; i < op->nargs; i++)
		if (strcmp(op->args[i].key, key) == 0)
			return op->args[i].value;
	return NULL;
}

void
op_set(struct op *op, const char *key, const char *value)
{
	for (size_t i = 0; i < op->nargs; i++)
		if (strcmp(op->args[i].key, key) == 0) {
			op->args[i].value = value;
			return;
		}
	if (op->nargs < OP_MAX_ARGS)
		op->args[op->nargs++] = (struct op_arg){ key, value };
}

/* Argument kinds and the validation each gets. */
enum arg_kind { ARG_SITE, ARG_SERVER, ARG_PKGID, ARG_TEXT };

struct arg_spec {
	const char *key;
	enum arg_kind kind;
	bool required;
};

static const struct arg_spec status_args[] = {
	{ "site", ARG_SITE, true },
	{ "provider", ARG_SERVER, false },
	{ NULL, 0, false },
};

/* PowerShell helpers every script shares: strict errors, no progress
 * records (they corrupt output over SSH), UTF-8 out, protocol writers. */
static const char prelude[] =
	"$ErrorActionPreference = 'Stop'\n"
	"$ProgressPreference = 'SilentlyContinue'\n"
	"[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false\n"
	"function Esc($s) {\n"
	"  if ($null -eq $s) { return '' }\n"
	"  $s = ([string]$s).Replace('\\', '\\\\').Replace(\"`t\", '\\t').Replace(\"`n\", '\\n').Replace(\"`r\", '\\r')\n"
	"  return [regex]::Replace($s, '[\\x00-\\x1f\\x7f]', { param($m) '\\x{0:X2}' -f [int][char]$m.Value })\n"
	"}\n"
	"function Emit([string]$t, [object[]]$v) {\n"
	"  [Console]::Out.Write($t + \"`t\" + ((@($v) | ForEach-Object { Esc $_ }) -join \"`t\") + \"`n\")\n"
	"}\n"
	"function Cols([string]$t, [string[]]$c) { Emit 'COLS' (@($t) + $c) }\n"
	"$Inv = [Globalization.CultureInfo]::InvariantCulture\n"
	"function WmiTime($w) {\n"
	"  if (-not $w) { return '' }\n"
	"  return [Management.ManagementDateTimeConverter]::ToDateTime($w).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', $Inv)\n"
	"}\n";

static const char status_body[] =
	"$wmi = @{ Namespace = 'root\\SMS\\site_' + $A['site'] }\n"
	"if ($A['provider']) { $wmi['ComputerName'] = $A['provider'] }\n"
	"[Console]::Out.Write(\"DPDOCTOR 1 status`n\")\n"
	"try {\n"
	"  $n = 0\n"
	"  $pc = @('PackageID','Name','Manufacturer','Version','Language','PkgSourcePath',\n"
	"          'SourceVersion','StoredPkgVersion','StoredPkgPath','SourceSite','SourceDate')\n"
	"  Cols 'P' $pc\n"
	"  foreach ($p in Get-WmiObject @wmi -Query ('SELECT ' + ($pc -join ',') + ' FROM SMS_Package')) {\n"
	"    Emit 'P' @($p.PackageID, $p.Name, $p.Manufacturer, $p.Version, $p.Language, $p.PkgSourcePath,\n"
	"              $p.SourceVersion, $p.StoredPkgVersion, $p.StoredPkgPath, $p.SourceSite, (WmiTime $p.SourceDate))\n"
	"    $n++\n"
	"  }\n"
	"  Cols 'C' @('PackageID','ServerNALPath','SiteCode','State','SourceVersion','LastCopied','SummaryDate')\n"
	"  foreach ($c in Get-WmiObject @wmi -Query 'SELECT * FROM SMS_PackageStatusDistPointsSummarizer') {\n"
	"    Emit 'C' @($c.PackageID, $c.ServerNALPath, $c.SiteCode, $c.State, $c.SourceVersion,\n"
	"              (WmiTime $c.LastCopied), (WmiTime $c.SummaryDate))\n"
	"    $n++\n"
	"  }\n"
	"  Cols 'T' @('Now')\n"
	"  Emit 'T' @((Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', $Inv))\n"
	"  [Console]::Out.Write(\"END`tok`t$n`n\")\n"
	"} catch {\n"
	"  [Console]::Out.Write(\"END`terror`t\" + (Esc $_.Exception.Message) + \"`n\")\n"
	"  exit 1\n"
	"}\n";

static const struct {
	const struct arg_spec *args;
	const char *body;
} op_scripts[] = {
	[OP_STATUS] = { status_args, status_body },
};

static const char header_fmt[] = "# dpdoctor op=%s v=1\n";

static int
arg_check(const struct arg_spec *spec, const char *v, char **err)
{
	if (v == NULL || *v == '\0') {
		if (spec->required)
			err_set(err, "argument %s is required", spec->key);
		return spec->required ? -1 : 0;
	}
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			err_set(err, "argument %s contains a control character", spec->key);
			return -1;
		}
	/* U+2018..U+201B are quote marks to PowerShell too. */
	if (strstr(v, "\xe2\x80\x98") || strstr(v, "\xe2\x80\x99") ||
	    strstr(v, "\xe2\x80\x9a") || strstr(v, "\xe2\x80\x9b")) {
		err_set(err, "argument %s contains a typographic quote", spec->key);
		return -1;
	}
	bool ok = true;
	switch (spec->kind) {
	case ARG_SITE: ok = sitecode_valid(v); break;
	case ARG_SERVER: ok = servername_valid(v); break;
	case ARG_PKGID: ok = pkgid_valid(v); break;
	case ARG_TEXT: break;
	}
	if (!ok)
		err_set(err, "argument %s: \"%s\" is not a valid %s", spec->key, v,
		    spec->kind == ARG_SITE ? "site code" :
		    spec->kind == ARG_SERVER ? "server name" : "package ID");
	return ok ? 0 : -1;
}

static void
render_quoted(struct buf *b, const char *v)
{
	buf_addc(b, '\'');
	for (; *v; v++) {
		if (*v == '\'')
			buf_addc(b, '\'');
		buf_addc(b, *v);
	}
	buf_addc(b, '\'');
}

char *
ops_render(const struct op *op, char **err)
{
	if ((unsigned)op->kind >= OP_COUNT) {
		err_set(err, "unknown op %d", (int)op->kind);
		return NULL;
	}
	const struct arg_spec *specs = op_scripts[op->kind].args;
	for (size_t i = 0; i < op->nargs; i++) {
		const struct arg_spec *s = specs;
		while (s->key && strcmp(s->key, op->args[i].key) != 0)
			s++;
		if (s->key == NULL) {
			err_set(err, "op %s takes no argument %s", op_name(op->kind),
			    op->args[i].key);
			return NULL;
		}
	}
	struct buf b;
	buf_init(&b);
	buf_printf(&b, header_fmt, op_name(op->kind));
	buf_adds(&b, "$A = @{}\n");
	for (const struct arg_spec *s = specs; s->key; s++) {
		const char *v = op_arg(op, s->key);
		if (arg_check(s, v, err) != 0) {
			buf_free(&b);
			return NULL;
		}
		buf_printf(&b, "$A['%s'] = ", s->key);
		render_quoted(&b, v ? v : "");
		buf_addc(&b, '\n');
	}
	buf_adds(&b, prelude);
	buf_adds(&b, op_scripts[op->kind].body);
	return buf_detach(&b);
}

/* Read one `$A['key'] = '<value>'` line; returns the end of the line. */
static const char *
parse_arg_line(const char *s, char **key, char **value)
{
	const char *eol = s + strcspn(s, "\n");
	*key = *value = NULL;
	if (strncmp(s, "$A['", 4) != 0)
		return eol;
	const char *k = s + 4, *ke = strchr(k, '\'');
	if (ke == NULL || ke > eol || strncmp(ke, "'] = '", 6) != 0)
		return eol;
	struct buf v;
	buf_init(&v);
	const char *p = ke + 6;
	for (; p < eol; p++) {
		if (*p == '\'' && p + 1 < eol && p[1] == '\'') {
			buf_addc(&v, '\'');
			p++;
		} else if (*p == '\'') {
			break;
		} else {
			buf_addc(&v, *p);
		}
	}
	if (p >= eol || p + 1 != eol - (eol > p + 1 && eol[-1] == '\r')) {
		buf_free(&v);
		return eol;
	}
	*key = xstrndup(k, (size_t)(ke - k));
	*value = buf_detach(&v);
	return eol;
}

int
ops_parse(const char *script, struct op *op, char **storage, char **err)
{
	memset(op, 0, sizeof *op);
	*storage = NULL;
	char name[32];
	int end = 0;
	if (sscanf(script, "# dpdoctor op=%31s v=1%n", name, &end) != 1 || end == 0 ||
	    (script[end] != '\n' && script[end] != '\r')) {
		err_set(err, "not a dpdoctor script (no op header)");
		return -1;
	}
	int k = op_from_name(name);
	if (k < 0) {
		err_set(err, "unknown op \"%s\"", name);
		return -1;
	}
	op->kind = (enum op_kind)k;
	/* Keys and values are kept in one buffer of NUL-separated strings;
	 * offsets are turned into pointers once it stops growing. */
	struct buf st;
	buf_init(&st);
	size_t offs[OP_MAX_ARGS][2];
	for (const char *s = strchr(script, '\n'); s && *s; ) {
		s++;
		if (strncmp(s, "$A['", 4) != 0) {
			if (strncmp(s, "$A = @{}", 8) == 0) {
				s = strchr(s, '\n');
				continue;
			}
			break;
		}
		char *key, *value;
		s = parse_arg_line(s, &key, &value);
		if (key == NULL || op->nargs == OP_MAX_ARGS) {
			err_set(err, "malformed argument line in script");
			buf_free(&st);
			return -1;
		}
		offs[op->nargs][0] = st.len;
		buf_add(&st, key, strlen(key) + 1);
		offs[op->nargs][1] = st.len;
		buf_add(&st, value, strlen(value) + 1);
		op->nargs++;
		free(key);
		free(value);
	}
	*storage = buf_detach(&st);
	for (size_t i = 0; i < op->nargs; i++)
		op->args[i] = (struct op_arg){ *storage + offs[i][0], *storage + offs[i][1] };
	return 0;
}
