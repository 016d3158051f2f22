/*
 * Loading dpdoctor.ini.  inih r55 (the Debian shared library, whose options
 * are fixed at build time) splits "key = value" lines and strips comments,
 * but it keeps going after errors, cuts lines longer than 198 characters
 * without saying so, folds indented lines into the previous value, has no
 * callback for a new section and counts line numbers wrongly after a long
 * line.  So we feed it through our own reader: the reader counts physical
 * lines, rejects over-long lines and broken headers on their true line,
 * opens and closes sections itself, and stops the parse at the first error.
 * The handler only checks keys against one table per section, where each
 * key names the parse function for its kind of value.  Any error discards
 * the whole file: the caller gets defaults, never half a configuration.
 */
#include "autoconf.h"
#include "config/config.h"
#include "config/authfile.h"

#include "backend/core/nal.h"
#include "backend/core/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>           /* no INI_* defines first: they must match the .so */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_KEYS 32             /* room for any section's keys (checked below) */

/* Enum fields are written through an int pointer by the generic parser. */
_Static_assert(sizeof(enum config_transport) == sizeof(int), "enum size");
_Static_assert(sizeof(enum config_theme) == sizeof(int), "enum size");
_Static_assert(sizeof(enum config_glyphs) == sizeof(int), "enum size");
_Static_assert(sizeof(enum config_smb_protocol) == sizeof(int), "enum size");
_Static_assert(sizeof(enum config_credential) == sizeof(int), "enum size");

struct loader;
struct key;
typedef int parse_fn(struct loader *L, const struct key *k, const char *v, void *field);

struct choice {
	const char *name;
	int value;
};

/* One key of a section: how its value is parsed and where it is stored
 * (offset into struct config for [site]/[ui], struct config_server for
 * [server]). */
struct key {
	const char *name;
	parse_fn *parse;
	size_t offset;
	long min, max;                  /* parse_int */
	const char *unit;               /* parse_int, for the message */
	const struct choice *choices;   /* parse_choice, parse_word */
	bool required;
	unsigned only;                  /* [server]: the transports (T_* bits) it
	                                 * means something for; 0 = every one */
};

/* Transports as bits, for struct key's only. */
#define T_BIT(t) (1u << (t))
#define T_SSH T_BIT(CONFIG_TRANSPORT_SSH)
#define T_SMB T_BIT(CONFIG_TRANSPORT_SMB)

struct section_kind {
	const char *name;               /* site, server, ui */
	const char *arg;                /* "CODE", "NAME", or NULL: no argument */
	const struct key *keys;
	size_t nkeys;
	int (*open)(struct loader *L, const char *arg);
	void (*close)(struct loader *L);
};

struct loader {
	const char *path;
	FILE *f;
	struct config *c;
	char *err;                      /* the first error; parsing stops there */
	int line;                       /* physical line last handed to inih */
	bool key_seen;                  /* inih's prev_name: a key since the header */
	bool continuation;              /* this line continues the previous value */
	const struct section_kind *kind;/* NULL before the first header */
	char *title;                    /* "[server WEB01]", for messages */
	int section_line;
	void *obj;                      /* where the current section's keys go */
	int *seen;                      /* per key: line it was set on, 0 = unset */
	int site_seen[MAX_KEYS];        /* kept to the end for provider checks */
	int server_seen[MAX_KEYS];
	int ui_seen[MAX_KEYS];
	int site_line, ui_line;
	int sim_line;                   /* first "transport = sim", 0 = none */
};

static parse_fn parse_int, parse_choice, parse_word, parse_bool, parse_server,
    parse_host, parse_path, parse_winpath, parse_winexe, parse_text, parse_domain;

static const struct choice generations[] = {
	{ "sms2003", 0 }, { "cm2007", 0 }, { "cb", 0 }, { NULL, 0 },
};
static const struct choice transports[] = {
	{ "sim", CONFIG_TRANSPORT_SIM }, { "ssh", CONFIG_TRANSPORT_SSH },
	{ "smb", CONFIG_TRANSPORT_SMB }, { "local", CONFIG_TRANSPORT_LOCAL },
	{ NULL, 0 },
};
/* As Samba's "client min protocol" spells them (SMB2 = 2.0.2 and up). */
static const struct choice smb_protocols[] = {
	{ "NT1", CONFIG_SMB_NT1 }, { "SMB2", CONFIG_SMB_SMB2 }, { "SMB3", CONFIG_SMB_SMB3 },
	{ NULL, 0 },
};
static const struct choice credentials[] = {
	{ "ask", CONFIG_CREDENTIAL_ASK }, { "no", CONFIG_CREDENTIAL_NO }, { NULL, 0 },
};
static const struct choice themes[] = {
	{ "dark", CONFIG_THEME_DARK }, { "light", CONFIG_THEME_LIGHT },
	{ "mono", CONFIG_THEME_MONO }, { NULL, 0 },
};
static const struct choice glyph_sets[] = {
	{ "auto", CONFIG_GLYPHS_AUTO }, { "utf8", CONFIG_GLYPHS_UTF8 },
	{ "ascii", CONFIG_GLYPHS_ASCII }, { NULL, 0 },
};

#define C_OFF(f) offsetof(struct config, f)
#define S_OFF(f) offsetof(struct config_server, f)

/* Indices into site_keys[], for the checks made after the whole file. */
enum {
	SITE_GENERATION, SITE_PROVIDER, SITE_SITE_SERVER, SITE_WMI_HOST, SITE_SIM_DIR,
	SITE_MAX_PARALLEL,
};
/* The order is the one "unknown key" messages list them in. */
enum {
	SERVER_TRANSPORT, SERVER_HOST, SERVER_PORT, SERVER_USER, SERVER_IDENTITY, SERVER_KNOWN_HOSTS,
	SERVER_SMS_PATH, SERVER_PCK_PATH, SERVER_CONNECT_TIMEOUT, SERVER_SFTP, SERVER_SFTP_PORT,
	SERVER_PRELOAD_EXE, SERVER_CREDENTIAL, SERVER_DOMAIN, SERVER_AUTHFILE, SERVER_PROTOCOL,
	SERVER_KERBEROS, SERVER_COMPRESSION,
};

/* Designated initialisers throughout: unnamed fields are zero/NULL. */
#define KEY(nm, fn, off, ...) { .name = nm, .parse = fn, .offset = off, __VA_ARGS__ }

static const struct key site_keys[] = {
	[SITE_GENERATION] = KEY("generation", parse_word, C_OFF(generation), .choices = generations),
	[SITE_PROVIDER] = KEY("provider", parse_server, C_OFF(provider)),
	[SITE_SITE_SERVER] = KEY("site_server", parse_server, C_OFF(site_server)),
	[SITE_WMI_HOST] = KEY("wmi_host", parse_server, C_OFF(wmi_host)),
	[SITE_SIM_DIR] = KEY("sim_dir", parse_path, C_OFF(sim_dir)),
	[SITE_MAX_PARALLEL] = KEY("max_parallel", parse_int, C_OFF(max_parallel),
	    .min = 1, .max = 256, .unit = "connections at a time"),
};
static const struct key server_keys[] = {
	[SERVER_TRANSPORT] = KEY("transport", parse_choice, S_OFF(transport),
	    .choices = transports, .required = true),
	[SERVER_HOST] = KEY("host", parse_host, S_OFF(host)),
	[SERVER_PORT] = KEY("port", parse_int, S_OFF(port), .min = 1, .max = 65535),
	[SERVER_USER] = KEY("user", parse_text, S_OFF(user)),
	[SERVER_IDENTITY] = KEY("identity", parse_path, S_OFF(identity), .only = T_SSH),
	[SERVER_KNOWN_HOSTS] = KEY("known_hosts", parse_path, S_OFF(known_hosts), .only = T_SSH),
	[SERVER_SMS_PATH] = KEY("sms_path", parse_winpath, S_OFF(sms_path),
	    .unit = "D:\\SMS"),
	[SERVER_CONNECT_TIMEOUT] = KEY("connect_timeout", parse_int, S_OFF(connect_timeout),
	    .min = 1, .max = 600, .unit = "seconds"),
	[SERVER_SFTP] = KEY("sftp", parse_bool, S_OFF(sftp), .only = T_SSH),
	[SERVER_SFTP_PORT] = KEY("sftp_port", parse_int, S_OFF(sftp_port), .min = 1, .max = 65535,
	    .only = T_SSH),
	[SERVER_PRELOAD_EXE] = KEY("preload_exe", parse_winexe, S_OFF(preload_exe)),
	[SERVER_DOMAIN] = KEY("domain", parse_domain, S_OFF(domain), .only = T_SMB),
	[SERVER_AUTHFILE] = KEY("authfile", parse_path, S_OFF(authfile), .only = T_SMB),
	[SERVER_PROTOCOL] = KEY("protocol", parse_choice, S_OFF(protocol), .choices = smb_protocols,
	    .only = T_SMB),
	[SERVER_KERBEROS] = KEY("kerberos", parse_bool, S_OFF(kerberos), .only = T_SMB),
	[SERVER_PCK_PATH] = KEY("pck_path", parse_winpath, S_OFF(pck_path),
	    .unit = "D:\\SMSPKG"),
	[SERVER_CREDENTIAL] = KEY("credential", parse_choice, S_OFF(credential),
	    .choices = credentials, .only = T_SSH),
	[SERVER_COMPRESSION] = KEY("compression", parse_bool, S_OFF(compression), .only = T_SSH),
};
static const struct key ui_keys[] = {
	KEY("refresh", parse_int, C_OFF(refresh_seconds), .min = 1, .max = 3600, .unit = "seconds"),
	KEY("full_refresh_every", parse_int, C_OFF(full_refresh_every), .min = 0, .max = 100000,
	    .unit = "refreshes"),
	KEY("theme", parse_choice, C_OFF(theme), .choices = themes),
	KEY("glyphs", parse_choice, C_OFF(glyphs), .choices = glyph_sets),
	KEY("mouse", parse_bool, C_OFF(mouse)),
	KEY("read_only", parse_bool, C_OFF(read_only)),
};
_Static_assert(ARRAY_SIZE(site_keys) <= MAX_KEYS, "MAX_KEYS");
_Static_assert(ARRAY_SIZE(server_keys) <= MAX_KEYS, "MAX_KEYS");
_Static_assert(ARRAY_SIZE(ui_keys) <= MAX_KEYS, "MAX_KEYS");

static int open_site(struct loader *L, const char *arg);
static int open_server(struct loader *L, const char *arg);
static int open_ui(struct loader *L, const char *arg);
static void close_server(struct loader *L);

static const struct section_kind kinds[] = {
	{ .name = "site", .arg = "CODE", .keys = site_keys, .nkeys = ARRAY_SIZE(site_keys),
	  .open = open_site },
	{ .name = "server", .arg = "NAME", .keys = server_keys, .nkeys = ARRAY_SIZE(server_keys),
	  .open = open_server, .close = close_server },
	{ .name = "ui", .keys = ui_keys, .nkeys = ARRAY_SIZE(ui_keys), .open = open_ui },
};

/* ---- errors ------------------------------------------------------------ */

/* Record "FILE:LINE: message" (or "FILE: message" for line 0) unless an
 * earlier error is already recorded: the first one is the one to fix. */
__attribute__((format(printf, 3, 4))) static void
fail(struct loader *L, int line, const char *fmt, ...)
{
	if (L->err != NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (line > 0)
		L->err = xasprintf("%s:%d: %s", L->path, line, msg);
	else
		L->err = xasprintf("%s: %s", L->path, msg);
	free(msg);
}

/* "a, b or c" from a choice table, for "must be one of" messages. */
static char *
choice_list(const struct choice *ch)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; ch[i].name != NULL; i++) {
		const char *sep = i == 0 ? "" : ch[i + 1].name == NULL ? " or " : ", ";
		buf_printf(&b, "%s%s", sep, ch[i].name);
	}
	return buf_detach(&b);
}

/* ---- value parsers: each checks one kind of value and stores it -------- */

static void
set_string(void *field, char *value)
{
	char **p = field;
	free(*p);
	*p = value;
}

static int
parse_int(struct loader *L, const struct key *k, const char *v, void *field)
{
	/* Digits only: strtol alone would accept " 12", "+12" and "12abc". */
	bool digits = *v != '\0' && strspn(v, "0123456789") == strlen(v);
	errno = 0;
	long n = digits ? strtol(v, NULL, 10) : 0;
	if (!digits || errno == ERANGE || n < k->min || n > k->max) {
		fail(L, L->line, "bad value for '%s': \"%s\"; it must be a whole number from %ld to %ld%s%s",
		    k->name, v, k->min, k->max, k->unit ? " " : "", k->unit ? k->unit : "");
		return -1;
	}
	*(int *)field = (int)n;
	return 0;
}

/* Choices are matched without regard to case ("SSH" is ssh); NULL if none. */
static const struct choice *
choice_find(struct loader *L, const struct key *k, const char *v)
{
	for (const struct choice *ch = k->choices; ch->name != NULL; ch++)
		if (strcasecmp(ch->name, v) == 0)
			return ch;
	char *list = choice_list(k->choices);
	fail(L, L->line, "bad value for '%s': \"%s\"; it must be %s", k->name, v, list);
	free(list);
	return NULL;
}

static int
parse_choice(struct loader *L, const struct key *k, const char *v, void *field)
{
	const struct choice *ch = choice_find(L, k, v);
	if (ch == NULL)
		return -1;
	*(int *)field = ch->value;
	return 0;
}

/* A choice kept as its (lower-case) name, e.g. generation. */
static int
parse_word(struct loader *L, const struct key *k, const char *v, void *field)
{
	const struct choice *ch = choice_find(L, k, v);
	if (ch == NULL)
		return -1;
	set_string(field, xstrdup(ch->name));
	return 0;
}

static int
parse_bool(struct loader *L, const struct key *k, const char *v, void *field)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
			*(bool *)field = strcasecmp(v, yes[i]) == 0;
			return 0;
		}
	}
	fail(L, L->line, "bad value for '%s': \"%s\"; it must be yes or no (true/false, on/off and 1/0 also work)",
	    k->name, v);
	return -1;
}

static int
parse_server(struct loader *L, const struct key *k, const char *v, void *field)
{
	if (!servername_valid(v)) {
		fail(L, L->line, "bad value for '%s': \"%s\" is not a server name (letters, digits, '-', '_' and '.', "
		    "as in the [server NAME] header)", k->name, v);
		return -1;
	}
	set_string(field, xstrdup(v));
	return 0;
}

/* A Windows domain: its NetBIOS name (CORP) or its DNS name. */
static int
parse_domain(struct loader *L, const struct key *k, const char *v, void *field)
{
	if (!servername_valid(v)) {
		fail(L, L->line, "bad value for '%s': \"%s\" is not a domain name such as CORP or "
		    "corp.example.com (letters, digits, '-', '_' and '.')", k->name, v);
		return -1;
	}
	set_string(field, xstrdup(v));
	return 0;
}

/* A host name, an IPv4 address (both pass servername_valid) or IPv6. */
static int
parse_host(struct loader *L, const struct key *k, const char *v, void *field)
{
	struct in6_addr a6;
	if (!servername_valid(v) && inet_pton(AF_INET6, v, &a6) != 1) {
		fail(L, L->line, "bad value for '%s': \"%s\" is not a host name or IP address", k->name, v);
		return -1;
	}
	set_string(field, xstrdup(v));
	return 0;
}

/* Paths on this machine: "~/" is the home directory, and a relative path is
 * taken from the directory holding the configuration file, so the file means
 * the same thing whatever directory dpdoctor is started from. */
static int
parse_path(struct loader *L, const struct key *k, const char *v, void *field)
{
	if (v[0] == '~' && v[1] != '/' && v[1] != '\0') {
		fail(L, L->line, "bad value for '%s': \"%s\"; only ~/ (your own home) is understood, "
		    "write other paths in full", k->name, v);
		return -1;
	}
	if (v[0] == '~') {
		const char *home = getenv("HOME");
		if (home == NULL || *home == '\0') {
			fail(L, L->line, "'%s' starts with ~ but $HOME is not set", k->name);
			return -1;
		}
		set_string(field, xasprintf("%s%s", home, v + 1));
		return 0;
	}
	const char *slash = strrchr(L->path, '/');
	if (v[0] == '/' || slash == NULL)
		set_string(field, xstrdup(v));
	else
		set_string(field, xasprintf("%.*s/%s", (int)(slash - L->path), L->path, v));
	return 0;
}

/* The names between backslashes after "X:\": each one Windows accepts
 * (not empty, "." or ".."), so an op can take the path as it is. */
static bool
winnames_valid(const char *names)
{
	for (const char *p = names;; p += strcspn(p, "\\") + 1) {
		size_t n = strcspn(p, "\\");
		if (n == 0 || strncmp(p, ".", n) == 0 || strncmp(p, "..", n) == 0)
			return false;
		if (p[n] == '\0')
			return true;
	}
}

/* A folder on the Windows server, e.g. D:\SMS: drive letter, colon,
 * backslash, at least one folder name (never a drive's root: SMS is not
 * installed there), none of the characters Windows forbids in a path.  A
 * trailing backslash is dropped.  k->unit is the example the message gives. */
static int
parse_winpath(struct loader *L, const struct key *k, const char *v, void *field)
{
	char *path = xstrdup(v);
	size_t len = strlen(path);
	if (len > 4 && path[len - 1] == '\\')
		path[--len] = '\0';
	bool okay = len <= 1024 && utf8_valid(path, len) && isalpha((unsigned char)path[0]) &&
	    path[1] == ':' && path[2] == '\\' && strpbrk(path + 2, "<>:\"/|?*") == NULL &&
	    winnames_valid(path + 3);
	if (!okay) {
		fail(L, L->line, "bad value for '%s': \"%s\"; it must be a folder on the server's own disk "
		    "such as %s (drive letter, colon, backslash, folder names)", k->name, v,
		    k->unit ? k->unit : "D:\\SMS");
		free(path);
		return -1;
	}
	set_string(field, path);
	return 0;
}

/* A program on the Windows server, e.g. E:\SMS\bin\i386\PreloadPkgOnSite.exe:
 * a folder as for sms_path, then a file name ending in .exe; each name
 * between backslashes one Windows accepts (not empty, "." or ".."), so the
 * op that runs it takes the value as it is. */
static bool
winexe_valid(const char *v)
{
	size_t len = strlen(v);
	if (len > 1024 || !utf8_valid(v, len) || !isalpha((unsigned char)v[0]) ||
	    v[1] != ':' || v[2] != '\\' || strpbrk(v + 2, "<>:\"/|?*") != NULL)
		return false;
	if (!winnames_valid(v + 3))
		return false;
	const char *name = strrchr(v, '\\') + 1;
	size_t n = strlen(name);
	return n > 4 && strcasecmp(name + n - 4, ".exe") == 0;
}

static int
parse_winexe(struct loader *L, const struct key *k, const char *v, void *field)
{
	if (!winexe_valid(v)) {
		fail(L, L->line, "bad value for '%s': \"%s\"; it must be a program on the server's own "
		    "disk such as E:\\SMS\\bin\\i386\\PreloadPkgOnSite.exe (drive letter, colon, "
		    "backslash, ending in .exe)", k->name, v);
		return -1;
	}
	set_string(field, xstrdup(v));
	return 0;
}

static int
parse_text(struct loader *L, const struct key *k, const char *v, void *field)
{
	(void)L;
	(void)k;
	set_string(field, xstrdup(v));
	return 0;
}

/* Checks every value gets: not empty, no control characters, no quotes
 * (inih keeps quotes as part of the value, which is never what was meant). */
static int
check_value(struct loader *L, const struct key *k, const char *v)
{
	size_t len = strlen(v);
	if (len == 0) {
		fail(L, L->line, "'%s' has no value; give one or delete the line to use the default", k->name);
		return -1;
	}
	for (const char *p = v; *p != '\0'; p++) {
		if (iscntrl((unsigned char)*p)) {
			fail(L, L->line, "the value of '%s' contains a control character", k->name);
			return -1;
		}
	}
	if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0]) {
		fail(L, L->line, "the value of '%s' is in quotes; quotes would be kept as part of the value, "
		    "so write it without them", k->name);
		return -1;
	}
	return 0;
}

/* ---- sections ---------------------------------------------------------- */

static int
open_site(struct loader *L, const char *arg)
{
	if (L->site_line != 0) {
		fail(L, L->line, "a second [site] section (the first is on line %d); one file describes one site",
		    L->site_line);
		return -1;
	}
	if (!sitecode_valid(arg)) {
		fail(L, L->line, "bad site code \"%s\": a site code is 3 upper-case letters or digits, e.g. [site 009]",
		    arg);
		return -1;
	}
	memcpy(L->c->site_code, arg, 4);
	L->site_line = L->line;
	L->obj = L->c;
	L->seen = L->site_seen;
	return 0;
}

static int
open_server(struct loader *L, const char *arg)
{
	struct config *c = L->c;
	if (!servername_valid(arg)) {
		fail(L, L->line, "bad server name \"%s\": use letters, digits, '-', '_' and '.', e.g. [server DP01]",
		    arg);
		return -1;
	}
	const struct config_server *dup = config_server(c, arg);
	if (dup != NULL) {
		fail(L, L->line, "duplicate section [server %s]: it is already on line %d", arg, dup->line);
		return -1;
	}
	c->servers = xreallocarray(c->servers, c->nservers + 1, sizeof *c->servers);
	struct config_server *s = &c->servers[c->nservers++];
	*s = (struct config_server){
		.name = xstrdup(arg), .line = L->line, .transport = CONFIG_TRANSPORT_SSH,
		.connect_timeout = 10, .sftp = true, .compression = true,
		.protocol = CONFIG_SMB_SMB2,
	};
	memset(L->server_seen, 0, sizeof L->server_seen);
	L->obj = s;
	L->seen = L->server_seen;
	return 0;
}

/* "ssh", or "ssh and smb": the transports of a key's only bits. */
static char *
transports_of(unsigned only)
{
	struct buf b;
	buf_init(&b);
	for (const struct choice *ch = transports; ch->name != NULL; ch++)
		if (only & T_BIT(ch->value))
			buf_printf(&b, "%s%s", b.len ? " and " : "", ch->name);
	return buf_detach(&b);
}

/* A key of another transport only is refused as an unknown key is (it
 * would be ignored, and the section would not do what it says), on its
 * own line: the first such line, since the transport may come last. */
static int
check_server_keys(struct loader *L, const struct config_server *s)
{
	const struct key *bad = NULL;
	int line = 0;
	for (size_t i = 0; i < ARRAY_SIZE(server_keys); i++) {
		int at = L->server_seen[i];
		if (at != 0 && server_keys[i].only != 0 && !(server_keys[i].only & T_BIT(s->transport)) &&
		    (line == 0 || at < line)) {
			bad = &server_keys[i];
			line = at;
		}
	}
	if (bad == NULL)
		return 0;
	struct buf keys;
	buf_init(&keys);
	for (size_t i = 0; i < ARRAY_SIZE(server_keys); i++)
		if (server_keys[i].only == 0 || (server_keys[i].only & T_BIT(s->transport)))
			buf_printf(&keys, "%s%s", keys.len ? ", " : "", server_keys[i].name);
	char *for_whom = transports_of(bad->only);
	const char *tname = config_transport_name(s->transport);
	fail(L, line, "'%s' is a key of transport = %s only, but %s has transport = %s (line %d); "
	    "the keys of a transport = %s server are: %s", bad->name, for_whom, L->title, tname,
	    L->server_seen[SERVER_TRANSPORT], tname, keys.data);
	free(for_whom);
	buf_free(&keys);
	return -1;
}

/* transport = smb: user = CORP\name becomes user name and domain CORP,
 * which must agree with a domain = of the section; kerberos never reads
 * a password, so an authfile beside it is a mistake. */
static int
close_smb(struct loader *L, struct config_server *s)
{
	int user_line = L->server_seen[SERVER_USER], domain_line = L->server_seen[SERVER_DOMAIN];
	char *name = NULL, *dom = NULL, *why = NULL;
	if (s->kerberos && s->authfile != NULL) {
		fail(L, s->authfile_line, "'authfile' and kerberos = yes (line %d) do not go together: "
		    "with kerberos the password is never used; remove one of them",
		    L->server_seen[SERVER_KERBEROS]);
		return -1;
	}
	if (s->user == NULL)
		return 0;
	if (authfile_split_account(s->user, &name, &dom, &why) != 0) {
		fail(L, user_line, "bad value for 'user': \"%s\"; %s (transport = smb takes name "
		    "or DOMAIN\\name)", s->user, why);
		free(why);
		return -1;
	}
	if (dom != NULL && s->domain != NULL && strcasecmp(dom, s->domain) != 0) {
		fail(L, user_line, "user = %s names domain %s, but domain = %s (line %d); give the "
		    "domain once", s->user, dom, s->domain, domain_line);
		free(name);
		free(dom);
		return -1;
	}
	set_string(&s->user, name);
	if (dom != NULL && s->domain == NULL)
		s->domain = dom;
	else
		free(dom);
	return 0;
}

static void
close_server(struct loader *L)
{
	struct config_server *s = L->obj;
	s->transport_line = L->server_seen[SERVER_TRANSPORT];
	s->authfile_line = L->server_seen[SERVER_AUTHFILE];
	s->credential_line = L->server_seen[SERVER_CREDENTIAL];
	if (s->host == NULL)
		s->host = xstrdup(s->name);
	if (check_server_keys(L, s) != 0)
		return;
	if (s->transport == CONFIG_TRANSPORT_SMB && close_smb(L, s) != 0)
		return;
	if (s->transport == CONFIG_TRANSPORT_SIM && L->sim_line == 0)
		L->sim_line = L->server_seen[SERVER_TRANSPORT];
}

static int
open_ui(struct loader *L, const char *arg)
{
	(void)arg;
	if (L->ui_line != 0) {
		fail(L, L->line, "duplicate section [ui]: it is already on line %d", L->ui_line);
		return -1;
	}
	L->ui_line = L->line;
	L->obj = L->c;
	L->seen = L->ui_seen;
	return 0;
}

/* End of a section (next header or end of file): required keys, defaults. */
static void
close_section(struct loader *L)
{
	const struct section_kind *k = L->kind;
	if (k == NULL || L->err != NULL)
		return;
	for (size_t i = 0; i < k->nkeys; i++) {
		if (k->keys[i].required && L->seen[i] == 0) {
			char *list = k->keys[i].choices ? choice_list(k->keys[i].choices) : xstrdup("a value");
			fail(L, L->section_line, "%s has no '%s' (required: %s)", L->title, k->keys[i].name, list);
			free(list);
			return;
		}
	}
	if (k->close != NULL)
		k->close(L);
}

static const struct section_kind *
kind_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (strcasecmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/* "[server WEB01]" between the brackets: the kind word, then its argument. */
static void
open_section(struct loader *L, const char *text, size_t len)
{
	char *word = xstrndup(text, len);
	char *p = word + strspn(word, " \t");
	char *arg = p + strcspn(p, " \t");
	if (*arg != '\0')
		*arg++ = '\0';
	arg += strspn(arg, " \t");
	for (char *e = arg + strlen(arg); e > arg && isspace((unsigned char)e[-1]); )
		*--e = '\0';
	const struct section_kind *k = kind_find(p);
	if (k == NULL)
		fail(L, L->line, "unknown section [%s]; the sections are [site CODE], [server NAME] and [ui]", p);
	else if (k->arg != NULL && *arg == '\0')
		fail(L, L->line, "[%s] needs a %s: [%s %s]", k->name, k->arg, k->name, k->arg);
	else if (k->arg == NULL && *arg != '\0')
		fail(L, L->line, "[%s] takes no name (found \"%s\")", k->name, arg);
	else if (k->open(L, arg) == 0) {
		L->kind = k;
		L->section_line = L->line;
		free(L->title);
		L->title = *arg ? xasprintf("[%s %s]", k->name, arg) : xasprintf("[%s]", k->name);
	}
	free(word);
}

/* ---- the reader: physical lines in, inih's view mirrored --------------- */

/* inih's own scan: stop at any of chars, or at a ';' that follows white
 * space (an inline comment). */
static const char *
find_chars_or_comment(const char *s, const char *chars)
{
	bool was_space = false;
	while (*s != '\0' && (chars == NULL || strchr(chars, *s) == NULL) && !(was_space && *s == ';')) {
		was_space = isspace((unsigned char)*s);
		s++;
	}
	return s;
}

static void
header_line(struct loader *L, const char *t)
{
	const char *end = find_chars_or_comment(t + 1, "]");
	if (*end != ']') {
		fail(L, L->line, "broken section header: no closing ']'");
		return;
	}
	const char *rest = end + 1 + strspn(end + 1, " \t\r\n");
	if (*rest != '\0' && *rest != ';') {
		fail(L, L->line, "unexpected text after ']' in the section header");
		return;
	}
	close_section(L);
	if (L->err != NULL)
		return;
	L->kind = NULL;     /* until open_section accepts the new header */
	L->key_seen = false;
	open_section(L, t + 1, (size_t)(end - (t + 1)));
}

/* Classify a line the way inih will, doing what inih cannot tell us about:
 * section changes, broken headers, lines without '=', continuations. */
static void
classify(struct loader *L, const char *buf)
{
	const char *t = buf;
	if (L->line == 1 && strncmp(t, "\xEF\xBB\xBF", 3) == 0)
		t += 3;
	t += strspn(t, " \t\r\n\v\f");
	L->continuation = false;
	if (*t == '\0' || *t == ';' || *t == '#')
		return;
	if (t > buf && L->key_seen) {
		/* inih passes it to the handler as more of the previous value */
		L->continuation = true;
		return;
	}
	if (*t == '[') {
		header_line(L, t);
		return;
	}
	const char *sep = find_chars_or_comment(t, "=:");
	if (*sep != '=' && *sep != ':') {
		int n = (int)strcspn(t, "\r\n");
		fail(L, L->line, "expected 'key = value', a [section] header or a ; comment, found \"%.*s\"",
		    n > 40 ? 40 : n, t);
		return;
	}
	L->key_seen = true;
}

/* Read one physical line into inih's buffer (num bytes, as inih passes).
 * Only the first num-1 bytes are kept; the rest of a longer line is counted,
 * not stored.  Returns the line's length in the file (0 at end of file), or
 * -1 after recording an error. */
static long
read_physical(struct loader *L, char *str, int num)
{
	size_t cap = (size_t)num - 1, total = 0;
	int ch, prev = EOF, last = EOF;
	bool nul = false;
	while ((ch = getc(L->f)) != EOF) {
		if (total < cap)
			str[total] = (char)ch;
		total++;
		nul |= ch == '\0';
		prev = last;
		last = ch;
		if (ch == '\n')
			break;
	}
	str[total < cap ? total : cap] = '\0';
	if (ferror(L->f)) {
		fail(L, L->line + 1, "read error: %s", strerror(errno));
		return -1;
	}
	if (total == 0)
		return 0;
	L->line++;
	/* The text without its line ending must fit in num-2 bytes; then at
	 * most the final LF is lost, which inih does not need. */
	size_t text = total - (last == '\n') - (last == '\n' && prev == '\r');
	if (text > (size_t)num - 2) {
		const char *t = str + strspn(str, " \t");
		bool value = *t != '\0' && strchr(";#[", *t) == NULL;
		fail(L, L->line, "%s too long: %zu characters, but inih reads at most %d characters per line "
		    "and would silently cut off the rest", value ? "value" : "line", text, num - 2);
		return -1;
	}
	if (nul) {
		fail(L, L->line, "the line contains a NUL byte; is this a text file?");
		return -1;
	}
	return (long)total;
}

static char *
reader(char *str, int num, void *stream)
{
	struct loader *L = stream;
	if (L->err != NULL || num < 3)
		return NULL;
	long n = read_physical(L, str, num);
	if (n == 0)
		close_section(L);
	if (n <= 0)
		return NULL;
	classify(L, str);
	return L->err != NULL ? NULL : str;
}

/* ---- the handler: one key = value of the current section -------------- */

static void
unknown_key(struct loader *L, const char *name)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < L->kind->nkeys; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", L->kind->keys[i].name);
	if (*name == '\0')
		fail(L, L->line, "no key name before '='");
	else
		fail(L, L->line, "unknown key '%s' in %s; the keys of [%s] are: %s", name, L->title,
		    L->kind->name, b.data);
	buf_free(&b);
}

static const struct key *
key_find(const struct section_kind *kind, const char *name)
{
	for (size_t i = 0; kind != NULL && i < kind->nkeys; i++)
		if (strcasecmp(kind->keys[i].name, name) == 0)
			return &kind->keys[i];
	return NULL;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct loader *L = user;
	(void)section;      /* ours is complete; inih cuts section names at 49 characters */
	if (L->err != NULL)
		return 0;
	const struct key *k = key_find(L->kind, name);
	if (L->continuation) {
		fail(L, L->line, "the value of '%s' (line %d) continues on this line because it is indented; "
		    "values must fit on one line, so remove the leading spaces",
		    name, k ? L->seen[k - L->kind->keys] : 0);
		return 0;
	}
	if (L->kind == NULL) {
		fail(L, L->line, "'%s' comes before any section; put it under [site CODE], [server NAME] or [ui]",
		    name);
		return 0;
	}
	if (k == NULL) {
		unknown_key(L, name);
		return 0;
	}
	int *seen = &L->seen[k - L->kind->keys];
	if (*seen != 0) {
		fail(L, L->line, "duplicate key '%s' in %s: it is already set on line %d", k->name, L->title, *seen);
		return 0;
	}
	*seen = L->line;
	if (check_value(L, k, value) < 0)
		return 0;
	return k->parse(L, k, value, (char *)L->obj + k->offset) == 0;
}

/* ---- after the last line ---------------------------------------------- */

static void
check_server_ref(struct loader *L, int idx, const char *name)
{
	if (name != NULL && config_server(L->c, name) == NULL)
		fail(L, L->site_seen[idx], "'%s' names server %s, but there is no [server %s] section",
		    site_keys[idx].name, name, name);
}

static void
check_whole(struct loader *L, int rc)
{
	if (rc != 0)    /* inih saw something our reader let through */
		fail(L, rc > 0 ? rc : 0, "the INI parser rejected this line (inih error %d)", rc);
	if (L->site_line == 0)
		fail(L, 0, "no [site CODE] section: the file must say which site it describes, e.g. [site 009]");
	check_server_ref(L, SITE_PROVIDER, L->c->provider);
	check_server_ref(L, SITE_SITE_SERVER, L->c->site_server);
	check_server_ref(L, SITE_WMI_HOST, L->c->wmi_host);
	/* Resolved here so that every user of the configuration agrees on
	 * which server runs the queries. */
	if (L->err == NULL && L->c->wmi_host == NULL) {
		const char *dflt = L->c->provider ? L->c->provider : L->c->site_server;
		L->c->wmi_host = dflt ? xstrdup(dflt) : NULL;
	}
	if (L->sim_line != 0 && L->c->sim_dir == NULL)
		fail(L, L->sim_line, "transport = sim needs sim_dir in [site %s] (line %d): the folder of the "
		    "simulated site", L->c->site_code, L->site_line);
}

/* ---- public ------------------------------------------------------------ */

void
config_defaults(struct config *c)
{
	*c = (struct config){
		.generation = xstrdup("sms2003"),
		.max_parallel = 16,
		.refresh_seconds = 30,
		.full_refresh_every = 20,
		.theme = CONFIG_THEME_DARK,
		.glyphs = CONFIG_GLYPHS_AUTO,
		.mouse = false,         /* mouse capture breaks terminal copy and paste */
		.read_only = false,
	};
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nservers; i++) {
		struct config_server *s = &c->servers[i];
		free(s->name);
		free(s->host);
		free(s->user);
		free(s->identity);
		free(s->known_hosts);
		free(s->sms_path);
		free(s->pck_path);
		free(s->preload_exe);
		free(s->domain);
		free(s->authfile);
	}
	free(c->servers);
	free(c->path);
	free(c->generation);
	free(c->provider);
	free(c->site_server);
	free(c->wmi_host);
	free(c->sim_dir);
	memset(c, 0, sizeof *c);
}

/* Why a file that is not regular cannot be the configuration: a device
 * such as /dev/zero never ends (the reader would spin on it for ever), a
 * FIFO waits for a writer, a directory fails only at the first read. */
static const struct { mode_t type; const char *why; } file_kinds[] = {
	{ S_IFDIR, NULL },      /* strerror(EISDIR), as open(2) would say */
	{ S_IFCHR, "is a device, not a file" },
	{ S_IFBLK, "is a device, not a file" },
	{ S_IFIFO, "is a FIFO, not a file" },
	{ S_IFSOCK, "is a socket, not a file" },
};

/* Open the file for the reader, or record why not.  O_NONBLOCK keeps the
 * open of a FIFO from hanging before its type is checked; it changes
 * nothing for a regular file. */
static int
open_file(struct loader *L)
{
	struct stat st;
	int fd = open(L->path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fail(L, 0, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		fail(L, 0, "%s", strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		const char *why = "is not a regular file";
		for (size_t i = 0; i < sizeof file_kinds / sizeof file_kinds[0]; i++)
			if ((st.st_mode & S_IFMT) == file_kinds[i].type)
				why = file_kinds[i].why != NULL ? file_kinds[i].why : strerror(EISDIR);
		fail(L, 0, "%s", why);
	} else if ((L->f = fdopen(fd, "r")) == NULL) {
		fail(L, 0, "%s", strerror(errno));
	}
	if (L->f == NULL)
		(void)close(fd);
	return L->err != NULL ? -1 : 0;
}

/* *c is output only: whatever it held before is overwritten, not freed. */
int
config_load(const char *path, struct config *c, char **err)
{
	struct loader L = { .path = path, .c = c };
	config_defaults(c);
	c->path = xstrdup(path);
	if (open_file(&L) == 0)
		check_whole(&L, ini_parse_stream(reader, &L, handler, &L));
	if (L.f != NULL && fclose(L.f) != 0)
		fail(&L, 0, "%s", strerror(errno));
	free(L.title);
	if (L.err == NULL)
		return 0;
	config_free(c);
	config_defaults(c);
	if (err != NULL) {
		free(*err);
		*err = L.err;
	} else {
		free(L.err);
	}
	return -1;
}

/* Record why a candidate was passed over; true if it exists.  An existing
 * file that cannot be read is still returned, so that config_load says why
 * instead of another file being used behind the administrator's back. */
static bool
candidate(const char *path, struct buf *tried)
{
	struct stat st;
	if (stat(path, &st) == 0)
		return true;
	buf_printf(tried, "%s%s: %s", tried->len ? "\n" : "", path, strerror(errno));
	return false;
}

/* $XDG_CONFIG_HOME/dpdoctor/dpdoctor.ini, or under ~/.config when it is
 * unset or relative (the XDG spec says to ignore relative values). */
static char *
default_path(struct buf *tried)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/dpdoctor/dpdoctor.ini", xdg);
	const char *home = getenv("HOME");
	if (home != NULL && home[0] != '\0')
		return xasprintf("%s/.config/dpdoctor/dpdoctor.ini", home);
	buf_printf(tried, "%s$XDG_CONFIG_HOME and $HOME are both unset", tried->len ? "\n" : "");
	return NULL;
}

/* On success *tried is NULL; on failure it lists each path looked at with
 * the reason, one per line.  -c is final: a missing -c file is an error,
 * never a reason to read some other file. */
char *
config_find(const char *cli_path, char **tried)
{
	struct buf t;
	buf_init(&t);
	char *found = NULL;
	const char *env = getenv("DPDOCTOR_CONFIG");
	if (cli_path != NULL) {
		if (candidate(cli_path, &t))
			found = xstrdup(cli_path);
	} else if (env != NULL && env[0] != '\0' && candidate(env, &t)) {
		found = xstrdup(env);
	} else {
		char *def = default_path(&t);
		if (def != NULL && candidate(def, &t))
			found = def;
		else
			free(def);
	}
	if (tried != NULL)
		*tried = found ? NULL : buf_detach(&t);
	buf_free(&t);
	return found;
}

/* Server names are host names, so they match without regard to case. */
const char *
config_transport_name(enum config_transport t)
{
	for (const struct choice *c = transports; c->name != NULL; c++)
		if (c->value == (int)t)
			return c->name;
	return "?";
}

const struct config_server *
config_server(const struct config *c, const char *name)
{
	if (c == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < c->nservers; i++)
		if (strcasecmp(c->servers[i].name, name) == 0)
			return &c->servers[i];
	return NULL;
}
