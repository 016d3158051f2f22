/*
 * The op vocabulary: each kind, the arguments it takes and how each is
 * checked.  A per-op table of arguments drives ops_check, which every
 * transport call runs before anything is sent (transport.c) and the
 * PowerShell renderer runs again (ops_ps.c).  Also base64, for readfile's
 * bytes.
 */
#include "autoconf.h"
#include "backend/ops/ops.h"
#include "backend/core/nal.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const bool op_writes[] = {
#define X(e, n, w) [e] = w,
	OP_TABLE(X)
#undef X
};

static const struct enum_name op_names[] = {
#define X(e, n, w) { e, n },
	OP_TABLE(X)
#undef X
};

const char *
op_name(enum op_kind k)
{
	return enum_name(op_names, ENUM_NAMES_COUNT(op_names), (int)k, "?");
}

int
op_from_name(const char *name)
{
	return enum_lookup(op_names, ENUM_NAMES_COUNT(op_names), name, false);
}

bool
op_changes_site(enum op_kind k)
{
	return (unsigned)k < OP_COUNT && op_writes[k];
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
enum arg_kind {
	ARG_SITE, ARG_SERVER, ARG_PKGID, ARG_TEXT, ARG_PATH, ARG_PATHS,
	ARG_PATTERN, ARG_NEEDLE, ARG_COUNT, ARG_SHARE, ARG_LOGPATH,
	ARG_FILENAME, ARG_ATTROP, ARG_OFFSET, ARG_SIZE, ARG_B64, ARG_ISOTIME,
	ARG_VIA, ARG_KIND_COUNT,
};

struct arg_spec {
	const char *key;
	enum arg_kind kind;
	bool required;
};

static const struct arg_spec status_args[] = {
	{ "site", ARG_SITE, true },
	{ "provider", ARG_SERVER, false },
	{ "package", ARG_PKGID, false },
	/* A delta read: only the rows whose SummaryDate (or, for packages,
	 * SourceDate) is this time or later, in the provider's clock. */
	{ "since", ARG_ISOTIME, false },
	{ NULL, 0, false },
};

static const struct arg_spec pathinfo_args[] = {
	{ "paths", ARG_PATHS, true },
	{ NULL, 0, false },
};

static const struct arg_spec dirlist_args[] = {
	{ "dir", ARG_PATH, true },
	{ "pattern", ARG_PATTERN, true },
	{ NULL, 0, false },
};

static const struct arg_spec loggrep_args[] = {
	{ "log", ARG_LOGPATH, true },
	{ "needle", ARG_NEEDLE, true },
	{ "max", ARG_COUNT, false },
	{ NULL, 0, false },
};

static const struct arg_spec statmsgs_args[] = {
	{ "site", ARG_SITE, true },
	{ "package", ARG_PKGID, true },
	{ "dp", ARG_SERVER, false },
	{ "max", ARG_COUNT, false },
	{ "provider", ARG_SERVER, false },
	{ NULL, 0, false },
};

static const struct arg_spec shareacl_args[] = {
	{ "server", ARG_SERVER, true },
	{ "share", ARG_SHARE, true },
	{ NULL, 0, false },
};

static const struct arg_spec readfile_args[] = {
	{ "path", ARG_PATH, true },
	{ "offset", ARG_OFFSET, true },
	{ "max", ARG_SIZE, true },
	{ NULL, 0, false },
};

static const struct arg_spec copyfile_args[] = {
	{ "src", ARG_PATH, true },
	{ "dst", ARG_PATH, true },
	{ NULL, 0, false },
};

static const struct arg_spec setattr_args[] = {
	{ "path", ARG_PATH, true },
	{ "readonly", ARG_ATTROP, false },
	{ "archive", ARG_ATTROP, false },
	{ NULL, 0, false },
};

static const struct arg_spec deletefile_args[] = {
	{ "path", ARG_PATH, true },
	{ NULL, 0, false },
};

static const struct arg_spec renamefile_args[] = {
	{ "path", ARG_PATH, true },
	{ "newname", ARG_FILENAME, true },
	{ NULL, 0, false },
};

static const struct arg_spec preload_args[] = {
	{ "server", ARG_SERVER, true },
	{ "package", ARG_PKGID, true },
	{ "exe", ARG_PATH, false },
	{ "via", ARG_VIA, true },
	{ "smsdir", ARG_PATH, false },
	{ "wait", ARG_COUNT, false },
	{ NULL, 0, false },
};

static const struct arg_spec sites_args[] = {
	{ "site", ARG_SITE, true },
	{ "provider", ARG_SERVER, false },
	{ NULL, 0, false },
};

static const struct arg_spec layout_args[] = {
	{ "server", ARG_SERVER, true },
	{ NULL, 0, false },
};

static const struct arg_spec refreshnow_args[] = {
	{ "site", ARG_SITE, true },
	{ "package", ARG_PKGID, true },
	{ "dp", ARG_SERVER, true },
	{ "provider", ARG_SERVER, false },
	{ NULL, 0, false },
};

static const struct arg_spec setsourcepath_args[] = {
	{ "site", ARG_SITE, true },
	{ "package", ARG_PKGID, true },
	{ "path", ARG_PATH, true },
	{ "provider", ARG_SERVER, false },
	{ NULL, 0, false },
};

static const struct arg_spec writefile_args[] = {
	{ "path", ARG_PATH, true },
	{ "offset", ARG_OFFSET, true },
	{ "data", ARG_B64, false },
	{ "mtime", ARG_ISOTIME, false },
	{ NULL, 0, false },
};

/* The arguments of each op kind, in the order a script lists them. */
static const struct arg_spec *const op_specs[OP_COUNT] = {
	[OP_STATUS] = status_args,
	[OP_PATHINFO] = pathinfo_args,
	[OP_DIRLIST] = dirlist_args,
	[OP_LOGGREP] = loggrep_args,
	[OP_STATMSGS] = statmsgs_args,
	[OP_SHAREACL] = shareacl_args,
	[OP_READFILE] = readfile_args,
	[OP_COPYFILE] = copyfile_args,
	[OP_SETATTR] = setattr_args,
	[OP_DELETEFILE] = deletefile_args,
	[OP_RENAMEFILE] = renamefile_args,
	[OP_PRELOAD] = preload_args,
	[OP_REFRESHNOW] = refreshnow_args,
	[OP_SETSOURCEPATH] = setsourcepath_args,
	[OP_WRITEFILE] = writefile_args,
	[OP_SITES] = sites_args,
	[OP_LAYOUT] = layout_args,
};

const char *
op_arg_key(enum op_kind k, size_t i)
{
	if ((unsigned)k >= OP_COUNT)
		return NULL;
	for (size_t j = 0; j < i; j++)
		if (op_specs[k][j].key == NULL)
			return NULL;
	return op_specs[k][i].key;
}

/* ---- argument validators ------------------------------------------------ */

/* One name between backslashes: not empty, "." or "..", no character
 * Windows refuses in names, no control byte. */
static bool
component_valid(const char *c, size_t n)
{
	if (n == 0 || n > 255 || (n == 1 && c[0] == '.') ||
	    (n == 2 && c[0] == '.' && c[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)c[i];
		if (ch < 0x20 || ch == 0x7f || strchr("|<>\"*?:/", ch) != NULL)
			return false;
	}
	return true;
}

static bool
components_valid(const char *p, bool allow_empty)
{
	if (*p == '\0')
		return allow_empty;
	for (;;) {
		size_t n = strcspn(p, "\\");
		if (!component_valid(p, n))
			return false;
		if (p[n] == '\0')
			return true;
		p += n + 1;
	}
}

bool
ops_path_valid(const char *v)
{
	if (v == NULL || strlen(v) > OPS_PATH_MAX ||
	    !utf8_valid(v, strlen(v)))
		return false;
	if (((v[0] >= 'A' && v[0] <= 'Z') || (v[0] >= 'a' && v[0] <= 'z')) &&
	    v[1] == ':' && v[2] == '\\')
		return components_valid(v + 3, true);
	if (strncmp(v, "\\\\", 2) != 0)
		return false;
	size_t n = strcspn(v + 2, "\\");
	char *server = xstrndup(v + 2, n);
	bool ok = servername_valid(server) && v[2 + n] == '\\';
	free(server);
	/* \\SERVER\share is the least a UNC path names. */
	return ok && components_valid(v + 3 + n, false);
}

bool
ops_paths_valid(const char *v)
{
	if (v == NULL || *v == '\0')
		return false;
	size_t count = 0;
	for (const char *p = v;; count++) {
		size_t n = strcspn(p, "|");
		char *one = xstrndup(p, n);
		bool ok = count < OPS_MAX_PATHS && ops_path_valid(one);
		free(one);
		if (!ok)
			return false;
		if (p[n] == '\0')
			return true;
		p += n + 1;
	}
}

static bool
chars_in(const char *v, size_t min, size_t max, const char *extra)
{
	size_t n = v ? strlen(v) : 0;
	if (n < min || n > max)
		return false;
	for (; *v; v++)
		if (!((*v >= 'A' && *v <= 'Z') || (*v >= 'a' && *v <= 'z') ||
		    (*v >= '0' && *v <= '9') || strchr(extra, *v) != NULL))
			return false;
	return true;
}

bool
ops_pattern_valid(const char *v)
{
	return chars_in(v, 1, 128, "_.$~-*?") && strcmp(v, ".") != 0 &&
	    strcmp(v, "..") != 0;
}

bool
ops_needle_valid(const char *v)
{
	return chars_in(v, 1, 64, "_.-");
}

bool
ops_count_valid(const char *v)
{
	if (!chars_in(v, 1, 6, "") || *v == '0')
		return false;
	for (const char *p = v; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return strtol(v, NULL, 10) <= 100000;
}

bool
ops_share_valid(const char *v)
{
	size_t n = v ? strlen(v) : 0;
	if (n == 0 || n > 81)
		return false;
	char *name = xstrndup(v, v[n - 1] == '$' ? n - 1 : n);
	bool ok = chars_in(name, 1, 80, "_.-");
	free(name);
	return ok;
}

bool
ops_logpath_valid(const char *v)
{
	size_t n = v ? strlen(v) : 0;
	return ops_path_valid(v) && n > 4 && strcasecmp(v + n - 4, ".log") == 0;
}

bool
ops_filename_valid(const char *v)
{
	return v != NULL && strlen(v) <= 255 && utf8_valid(v, strlen(v)) &&
	    strchr(v, '\\') == NULL && component_valid(v, strlen(v));
}

bool
ops_attrop_valid(const char *v)
{
	static const char *const ok[] = { "set", "clear", "keep" };
	for (size_t i = 0; v != NULL && i < sizeof ok / sizeof ok[0]; i++)
		if (strcmp(v, ok[i]) == 0)
			return true;
	return false;
}

/* Plain decimal digits, 1..maxlen of them, no leading zero but "0" itself;
 * the value in *out. */
static bool
decimal(const char *v, size_t maxlen, uint64_t *out)
{
	size_t n = v ? strlen(v) : 0;
	if (n == 0 || n > maxlen || (v[0] == '0' && n > 1))
		return false;
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return true;
}

bool
ops_offset_valid(const char *v)
{
	uint64_t x;
	return decimal(v, 16, &x) && x <= OPS_OFFSET_MAX;
}

bool
ops_size_valid(const char *v)
{
	uint64_t x;
	return decimal(v, 7, &x) && x >= 1 && x <= OPS_READ_MAX;
}

bool
ops_b64_valid(const char *v)
{
	size_t n = v != NULL ? strlen(v) : 0, pad = 0;
	if (n % 4 != 0 || n > (OPS_READ_MAX + 2) / 3 * 4)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9');
		if (c == '=')
			pad++;
		else if (pad > 0 || !(alnum || c == '+' || c == '/'))
			return false;
	}
	return pad <= 2;
}

bool
ops_isotime_valid(const char *v)
{
	dpd_time t;
	return v != NULL && strlen(v) == 20 && time_parse_iso(v, &t) == 0;
}

static bool
text_valid(const char *v)
{
	(void)v;
	return true;
}

bool
ops_via_valid(const char *v)
{
	return strcmp(v, "local") == 0 || strcmp(v, "wmi") == 0;
}

/* Per argument kind: the check and what a valid value is called. */
static const struct {
	bool (*valid)(const char *);
	const char *what;
} arg_kinds[ARG_KIND_COUNT] = {
	[ARG_SITE] = { sitecode_valid, "site code" },
	[ARG_SERVER] = { servername_valid, "server name" },
	[ARG_PKGID] = { pkgid_valid, "package ID" },
	[ARG_TEXT] = { text_valid, "text" },
	[ARG_PATH] = { ops_path_valid, "Windows path" },
	[ARG_PATHS] = { ops_paths_valid, "list of Windows paths" },
	[ARG_PATTERN] = { ops_pattern_valid, "file name pattern" },
	[ARG_NEEDLE] = { ops_needle_valid, "search string" },
	[ARG_COUNT] = { ops_count_valid, "count (1-100000)" },
	[ARG_SHARE] = { ops_share_valid, "share name" },
	[ARG_LOGPATH] = { ops_logpath_valid, "log file path (*.log)" },
	[ARG_FILENAME] = { ops_filename_valid, "file name" },
	[ARG_ATTROP] = { ops_attrop_valid, "attribute change (set, clear or keep)" },
	[ARG_OFFSET] = { ops_offset_valid, "byte offset (0 to 2^53)" },
	[ARG_SIZE] = { ops_size_valid, "byte count (1-1048576)" },
	[ARG_B64] = { ops_b64_valid, "base64 of at most 1048576 bytes" },
	[ARG_ISOTIME] = { ops_isotime_valid, "time (YYYY-MM-DDTHH:MM:SSZ)" },
	[ARG_VIA] = { ops_via_valid, "way to run (local or wmi)" },
};

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
	bool ok = arg_kinds[spec->kind].valid(v);
	if (!ok)
		err_set(err, "argument %s: \"%.80s%s\" is not a valid %s", spec->key, v,
		    strlen(v) > 80 ? "..." : "", arg_kinds[spec->kind].what);
	return ok ? 0 : -1;
}

int
ops_check(const struct op *op, char **err)
{
	if ((unsigned)op->kind >= OP_COUNT) {
		err_set(err, "unknown op %d", (int)op->kind);
		return -1;
	}
	const struct arg_spec *specs = op_specs[op->kind];
	for (size_t i = 0; i < op->nargs; i++) {
		const struct arg_spec *s = specs;
		while (s->key && strcmp(s->key, op->args[i].key) != 0)
			s++;
		if (s->key == NULL) {
			err_set(err, "op %s takes no argument %s", op_name(op->kind),
			    op->args[i].key);
			return -1;
		}
	}
	for (const struct arg_spec *s = specs; s->key; s++)
		if (arg_check(s, op_arg(op, s->key), err) != 0)
			return -1;
	return 0;
}

/* ---- base64 (readfile's Head and Data) ----------------------------------- */

/* Bytes per EVP call: a multiple of 3 (encode) and its base64 length
 * (decode), so a large range never needs an int-sized call. */
#define B64_RAW_CHUNK ((size_t)3 << 14)
#define B64_TEXT_CHUNK ((size_t)4 << 14)

void
ops_b64_encode(const void *p, size_t n, struct buf *out)
{
	const unsigned char *in = p;
	buf_grow(out, (n + 2) / 3 * 4 + 1);
	for (size_t at = 0; at < n; at += B64_RAW_CHUNK) {
		size_t k = n - at < B64_RAW_CHUNK ? n - at : B64_RAW_CHUNK;
		int w = EVP_EncodeBlock((unsigned char *)out->data + out->len, in + at, (int)k);
		out->len += (size_t)w;
	}
	out->data[out->len] = '\0';
}

int
ops_b64_decode(const char *s, size_t n, struct buf *out)
{
	if (n % 4 != 0)
		return -1;
	buf_grow(out, n / 4 * 3 + 1);
	for (size_t at = 0; at < n; at += B64_TEXT_CHUNK) {
		size_t k = n - at < B64_TEXT_CHUNK ? n - at : B64_TEXT_CHUNK;
		/* Padding may only end the whole text, not a chunk of it. */
		const char *eq = memchr(s + at, '=', k);
		if (eq != NULL && (at + k != n || eq < s + n - 2))
			return -1;
		int w = EVP_DecodeBlock((unsigned char *)out->data + out->len,
		    (const unsigned char *)s + at, (int)k);
		if (w < 0)
			return -1;
		/* EVP_DecodeBlock counts the bytes '=' stands for as output. */
		size_t pad = k >= 1 && s[at + k - 1] == '=' ? 1 + (k >= 2 && s[at + k - 2] == '=') : 0;
		out->len += (size_t)w - pad;
	}
	out->data[out->len] = '\0';
	return 0;
}
