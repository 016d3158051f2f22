/*
 * Unit tests for config/: every kind of error is checked for the exact
 * "FILE:LINE:" it reports (the true physical line, which inih alone gets
 * wrong after an over-long line), for a message that says what is allowed,
 * and for leaving nothing half-loaded behind.  Also: a complete file, the
 * shipped dpdoctor.ini.example (found through $top_srcdir, exported by the
 * test harness), and the search order of config_find.
 */
#include "autoconf.h"
#include "config/config.h"

#include "backend/core/util.h"
#include "tests/unit/tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmpdir;

static char *
write_file(const char *name, const char *text, size_t len)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	return path;
}

static char *
write_text(const char *name, const char *text)
{
	return write_file(name, text, strlen(text));
}

/* Nothing half-loaded: after an error *c holds the defaults only. */
static bool
is_defaulted(const struct config *c)
{
	return c->path == NULL && c->nservers == 0 && c->servers == NULL && c->site_code[0] == '\0' &&
	    c->generation != NULL && strcmp(c->generation, "sms2003") == 0 && c->provider == NULL &&
	    c->wmi_host == NULL && c->sim_dir == NULL && c->max_parallel == 16 && c->refresh_seconds == 30 && !c->mouse;
}

/* Load text (len bytes) and expect "PATH:LINE: ...needle..." (line 0:
 * "PATH: ..."). */
static void
expect_error_n(const char *what, const char *text, size_t len, int line, const char *needle)
{
	char *path = write_file("t.ini", text, len);
	char *prefix = line > 0 ? xasprintf("%s:%d: ", path, line) : xasprintf("%s: ", path);
	struct config c;
	char *err = NULL;
	is_int(config_load(path, &c, &err), -1, "%s: rejected", what);
	if (!ok(err != NULL && strncmp(err, prefix, strlen(prefix)) == 0, "%s: reported as \"%s\"", what,
	    prefix + strlen(tmpdir) + 1))
		printf("#   got \"%s\"\n", err ? err : "(null)");
	contains(err, needle, "%s: message", what);
	ok(is_defaulted(&c), "%s: nothing half-loaded", what);
	config_free(&c);
	free(err);
	free(prefix);
	free(path);
}

static void
expect_error(const char *what, const char *text, int line, const char *needle)
{
	expect_error_n(what, text, strlen(text), line, needle);
}

/* Load text that must succeed; the caller checks and frees *c. */
static bool
load_ok(const char *what, const char *text, struct config *c)
{
	char *path = write_text("t.ini", text);
	char *err = NULL;
	int rc = config_load(path, c, &err);
	if (!is_int(rc, 0, "%s: loads", what))
		printf("#   error: %s\n", err ? err : "(null)");
	free(err);
	free(path);
	return rc == 0;
}

static void
test_defaults(void)
{
	struct config c;
	config_defaults(&c);
	is_str(c.generation, "sms2003", "default generation");
	is_int(c.max_parallel, 16, "default max_parallel");
	is_int(c.refresh_seconds, 30, "default refresh");
	is_int(c.full_refresh_every, 20, "default full_refresh_every");
	is_int(c.theme, CONFIG_THEME_DARK, "default theme");
	is_int(c.glyphs, CONFIG_GLYPHS_AUTO, "default glyphs");
	ok(!c.mouse && !c.read_only, "mouse and read_only default to off");
	ok(c.nservers == 0 && c.path == NULL && c.site_code[0] == '\0', "no site, no servers, no path");
	config_free(&c);
}

static const char full_ini[] =
	"; every key\n"
	"[site 009]\n"
	"generation = SMS2003\n"
	"provider = SMS01\n"
	"site_server = sms01\n"
	"wmi_host = MGMT01\n"
	"sim_dir = sim/site\n"
	"max_parallel = 4\n"
	"[server SMS01]\n"
	"transport = ssh\n"
	"host = sms01.contoso.com\n"
	"port = 2222\n"
	"user = CONTOSO\\smsadmin\n"
	"identity = ~/.ssh/id_ed25519\n"
	"known_hosts = /etc/ssh/ssh_known_hosts\n"
	"sms_path = D:\\Program Files\\SMS\\\n"
	"pck_path = D:\\SMSPKG\n"
	"credential = ask\n"
	"preload_exe = D:\\SMS 2003 Toolkit 2\\PreloadPkgOnSite.exe\n"
	"connect_timeout = 30\n"
	"sftp = no\n"
	"sftp_port = 2223\n"
	"compression = no\n"
	"[server DP01]\n"
	"transport = sim\n"
	"[server MGMT01]\n"
	"transport = ssh\n"
	"[ui]\n"
	"refresh = 5\n"
	"full_refresh_every = 7\n"
	"theme = light\n"
	"glyphs = ascii\n"
	"mouse = on\n"
	"read_only = yes\n";

static void
test_full(void)
{
	struct config c;
	if (setenv("HOME", "/home/admin", 1) != 0 || !load_ok("full file", full_ini, &c))
		return;
	char *dir_sim = xasprintf("%s/sim/site", tmpdir);
	is_str(c.site_code, "009", "site code");
	is_str(c.generation, "sms2003", "generation matched without case, stored lower-case");
	is_str(c.provider, "SMS01", "provider");
	is_str(c.site_server, "sms01", "site_server (server names match without case)");
	is_str(c.sim_dir, dir_sim, "relative sim_dir is taken from the config file's folder");
	is_int(c.max_parallel, 4, "max_parallel");
	is_str(c.wmi_host, "MGMT01", "wmi_host");
	is_int(c.nservers, 3, "three servers");
	const struct config_server *s = config_server(&c, "sms01");
	ok(s == &c.servers[0], "config_server finds SMS01 without regard to case");
	is_str(s->name, "SMS01", "name as written");
	is_int(s->line, 9, "server's section line");
	is_int(s->transport, CONFIG_TRANSPORT_SSH, "transport");
	is_str(s->host, "sms01.contoso.com", "host");
	is_int(s->port, 2222, "port");
	is_str(s->user, "CONTOSO\\smsadmin", "user with a backslash");
	is_str(s->identity, "/home/admin/.ssh/id_ed25519", "~/ expands to $HOME");
	is_str(s->known_hosts, "/etc/ssh/ssh_known_hosts", "absolute path kept");
	is_str(s->sms_path, "D:\\Program Files\\SMS", "sms_path with a space, its trailing \\ dropped");
	is_str(s->pck_path, "D:\\SMSPKG", "pck_path");
	is_int(s->credential, CONFIG_CREDENTIAL_ASK, "credential = ask");
	is_int(s->credential_line, 18, "credential's line, for messages");
	is_str(s->preload_exe, "D:\\SMS 2003 Toolkit 2\\PreloadPkgOnSite.exe",
	    "preload_exe with spaces");
	is_int(s->connect_timeout, 30, "connect_timeout");
	ok(!s->sftp, "sftp = no");
	is_int(s->sftp_port, 2223, "sftp_port");
	ok(!s->compression, "compression = no");
	const struct config_server *d = config_server(&c, "DP01");
	ok(d != NULL && d->transport == CONFIG_TRANSPORT_SIM, "DP01 uses the simulator");
	is_str(d ? d->host : NULL, "DP01", "host defaults to the server name");
	ok(d != NULL && d->sms_path == NULL && d->pck_path == NULL,
	    "sms_path and pck_path unset: learned from the server, no drive assumed");
	ok(d != NULL && d->credential == CONFIG_CREDENTIAL_NO && d->credential_line == 0,
	    "credential defaults to no");
	ok(d != NULL && d->preload_exe == NULL,
	    "preload_exe unset: the op looks in the known install folders");
	is_int(d ? d->connect_timeout : 0, 10, "connect_timeout defaults to 10");
	is_int(d ? d->port : -1, 0, "port 0 = the transport's default");
	ok(d != NULL && d->sftp, "sftp defaults to yes");
	ok(d != NULL && d->compression, "compression defaults to yes");
	is_int(d ? d->sftp_port : -1, 0, "sftp_port 0 = the same as port");
	ok(config_server(&c, "DP02") == NULL && config_server(&c, NULL) == NULL, "unknown server: NULL");
	is_int(c.refresh_seconds, 5, "refresh");
	is_int(c.full_refresh_every, 7, "full_refresh_every");
	is_int(c.theme, CONFIG_THEME_LIGHT, "theme");
	is_int(c.glyphs, CONFIG_GLYPHS_ASCII, "glyphs");
	ok(c.mouse && c.read_only, "mouse = on, read_only = yes");
	ok(c.path != NULL && strstr(c.path, "t.ini") != NULL, "path recorded");
	free(dir_sim);
	config_free(&c);
}

/* transport = smb: every key, the defaults, and user = DOMAIN\name split
 * into user and domain (an ssh user is kept as written: test_full). */
static const char smb_ini[] =
	"[site 009]\n"
	"provider = SMS01\n"
	"[server SMS01]\n"
	"transport = ssh\n"
	"[server LEEDSDP01]\n"
	"transport = smb\n"
	"host = leedsdp01.corp.example\n"
	"port = 4455\n"
	"user = CORP\\dpdoctor\n"
	"authfile = ~/.config/dpdoctor/corp.auth\n"
	"protocol = nt1\n"
	"kerberos = no\n"
	"connect_timeout = 20\n"
	"sms_path = D:\\SMS\n"
	"preload_exe = D:\\SMS\\bin\\i386\\PreloadPkgOnSite.exe\n"
	"[server DP02]\n"
	"transport = SMB\n"
	"[server DP03]\n"
	"domain = corp\n"
	"user = Corp\\dpdoctor\n"
	"protocol = SMB3\n"
	"kerberos = yes\n"
	"transport = smb\n"
	"[server DP04]\n"
	"transport = smb\n"
	"user = dpdoctor@corp.example\n"
	"domain = corp.example\n"
	"authfile = dp04.auth\n";

static void
test_smb(void)
{
	struct config c;
	if (setenv("HOME", "/home/admin", 1) != 0 || !load_ok("smb servers", smb_ini, &c))
		return;
	const struct config_server *s = config_server(&c, "LEEDSDP01");
	if (!ok(s != NULL && s->transport == CONFIG_TRANSPORT_SMB, "LEEDSDP01: transport = smb"))
		return;
	is_int(s->transport_line, 6, "  the line of transport =, for messages");
	is_str(s->host, "leedsdp01.corp.example", "  host");
	is_int(s->port, 4455, "  port");
	is_str(s->user, "dpdoctor", "  user = CORP\\dpdoctor: the name alone");
	is_str(s->domain, "CORP", "  and its domain");
	is_str(s->authfile, "/home/admin/.config/dpdoctor/corp.auth", "  authfile: ~/ is $HOME");
	is_int(s->authfile_line, 10, "  the authfile's line, for its errors");
	is_int(s->protocol, CONFIG_SMB_NT1, "  protocol = nt1 (any case)");
	ok(!s->kerberos, "  kerberos = no");
	is_int(s->connect_timeout, 20, "  connect_timeout");
	is_str(s->sms_path, "D:\\SMS", "  sms_path");
	is_str(s->preload_exe, "D:\\SMS\\bin\\i386\\PreloadPkgOnSite.exe", "  preload_exe");
	const struct config_server *d = config_server(&c, "DP02");
	if (!ok(d != NULL && d->transport == CONFIG_TRANSPORT_SMB, "DP02: transport = SMB (any case)"))
		return;
	is_str(d->host, "DP02", "  host defaults to the section name");
	is_int(d->port, 0, "  port 0 = the transport's (445)");
	ok(d->user == NULL && d->domain == NULL && d->authfile == NULL,
	    "  no user, domain or authfile unless given");
	is_int(d->authfile_line, 0, "  authfile_line 0");
	is_int(d->protocol, CONFIG_SMB_SMB2, "  protocol defaults to SMB2");
	ok(!d->kerberos, "  kerberos defaults to no");
	is_int(d->connect_timeout, 10, "  connect_timeout defaults to 10");
	d = config_server(&c, "DP03");
	if (!ok(d != NULL, "DP03"))
		return;
	is_str(d->user, "dpdoctor", "  user = Corp\\dpdoctor with domain = corp: one domain");
	is_str(d->domain, "corp", "  domain as the domain key writes it");
	is_int(d->protocol, CONFIG_SMB_SMB3, "  protocol = SMB3");
	ok(d->kerberos, "  kerberos = yes");
	is_int(d->transport_line, 23, "  transport given last: its own line");
	d = config_server(&c, "DP04");
	if (!ok(d != NULL, "DP04"))
		return;
	is_str(d->user, "dpdoctor@corp.example", "  a user principal name");
	is_str(d->domain, "corp.example", "  domain = corp.example");
	char *rel = xasprintf("%s/dp04.auth", tmpdir);
	is_str(d->authfile, rel, "  a relative authfile is taken from the config's folder");
	free(rel);
	s = config_server(&c, "SMS01");
	ok(s != NULL && s->domain == NULL && s->authfile == NULL && s->transport_line == 4,
	    "an ssh server has no smb values");
	config_free(&c);
}

/* A key of one transport only, in a section of another: refused on its own
 * line, the first such line even when transport = comes after it. */
static void
test_transport_keys(void)
{
	static const struct {
		const char *transport, *line, *needle;
	} bad[] = {
		{ "smb", "identity = ~/.ssh/id_ed25519", "'identity' is a key of transport = ssh only, but "
		    "[server DP01] has transport = smb (line 4); the keys of a transport = smb server are: "
		    "transport, host, port, user, sms_path, pck_path, connect_timeout, preload_exe, domain, "
		    "authfile, protocol, kerberos" },
		{ "smb", "credential = ask", "'credential' is a key of transport = ssh only, but "
		    "[server DP01] has transport = smb (line 4)" },
		{ "sim", "credential = no", "'credential' is a key of transport = ssh only" },
		{ "smb", "known_hosts = /etc/ssh/ssh_known_hosts", "'known_hosts' is a key of transport = ssh only" },
		{ "smb", "sftp = no", "'sftp' is a key of transport = ssh only" },
		{ "smb", "sftp_port = 22", "'sftp_port' is a key of transport = ssh only" },
		{ "smb", "compression = yes", "'compression' is a key of transport = ssh only" },
		{ "ssh", "domain = CORP", "'domain' is a key of transport = smb only, but [server DP01] has "
		    "transport = ssh (line 4); the keys of a transport = ssh server are: transport, host, port, "
		    "user, identity, known_hosts, sms_path, pck_path, connect_timeout, sftp, sftp_port, "
		    "preload_exe, credential, compression" },
		{ "ssh", "authfile = ~/corp.auth", "'authfile' is a key of transport = smb only" },
		{ "ssh", "protocol = NT1", "'protocol' is a key of transport = smb only" },
		{ "ssh", "kerberos = yes", "'kerberos' is a key of transport = smb only" },
		{ "sim", "kerberos = no", "'kerberos' is a key of transport = smb only, but [server DP01] "
		    "has transport = sim (line 4)" },
		{ "local", "identity = ~/k", "'identity' is a key of transport = ssh only" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *text = xasprintf("[site 009]\nsim_dir = /s\n[server DP01]\ntransport = %s\nport = 1\n%s\n",
		    bad[i].transport, bad[i].line);
		char *what = xasprintf("transport = %s, %s", bad[i].transport, bad[i].line);
		expect_error(what, text, 6, bad[i].needle);
		free(what);
		free(text);
	}
	expect_error("ssh keys before transport = smb: the first one's line",
	    "[site 009]\n[server DP01]\nport = 1\nsftp = no\nidentity = ~/k\ntransport = smb\n", 4,
	    "'sftp' is a key of transport = ssh only, but [server DP01] has transport = smb (line 6)");
	expect_error("an earlier error in the section comes first",
	    "[site 009]\n[server DP01]\nsftp = no\nprotocol = SMB4\ntransport = smb\n", 4,
	    "bad value for 'protocol'");
}

/* Bad values of the smb keys, and the checks across them. */
static void
test_smb_errors(void)
{
	static const struct {
		const char *line, *needle;
	} bad[] = {
		{ "protocol = SMB1", "bad value for 'protocol': \"SMB1\"; it must be NT1, SMB2 or SMB3" },
		{ "protocol = 2", "it must be NT1, SMB2 or SMB3" },
		{ "protocol =", "'protocol' has no value" },
		{ "kerberos = maybe", "bad value for 'kerberos': \"maybe\"; it must be yes or no" },
		{ "domain = CO RP", "bad value for 'domain': \"CO RP\" is not a domain name such as CORP "
		    "or corp.example.com" },
		{ "domain = corp..example", "is not a domain name" },
		{ "authfile = ~bob/corp.auth", "bad value for 'authfile': \"~bob/corp.auth\"; only ~/ "
		    "(your own home) is understood" },
		{ "authfile = \"~/corp.auth\"", "is in quotes" },
		{ "authfile =", "'authfile' has no value" },
		{ "user = CORP\\", "bad value for 'user': \"CORP\\\"; there is no name after the backslash "
		    "(transport = smb takes name or DOMAIN\\name)" },
		{ "user = \\dpdoctor", "there is no domain before the backslash" },
		{ "user = CORP\\EU\\dpdoctor", "it has more than one backslash" },
		{ "user = CO RP\\dpdoctor", "\"CO RP\" is not a domain name" },
		{ "user = dp:doctor", "it contains ':', which Windows account names cannot" },
		{ "port = 0", "from 1 to 65535" },
		{ "connect_timeout = 601", "from 1 to 600 seconds" },
		{ "host = leeds dp01", "not a host name or IP address" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *text = xasprintf("[site 009]\n[server LEEDSDP01]\ntransport = smb\n%s\n", bad[i].line);
		expect_error(bad[i].line, text, 4, bad[i].needle);
		free(text);
	}
	expect_error("user and domain name two domains",
	    "[site 009]\n[server DP01]\ntransport = smb\ndomain = CORP\nuser = EUROPE\\dpdoctor\n", 5,
	    "user = EUROPE\\dpdoctor names domain EUROPE, but domain = CORP (line 4); give the domain once");
	expect_error("user and domain name two domains, domain last",
	    "[site 009]\n[server DP01]\nuser = EUROPE\\dpdoctor\ntransport = smb\ndomain = CORP\n", 3,
	    "names domain EUROPE, but domain = CORP (line 5)");
	expect_error("authfile and kerberos",
	    "[site 009]\n[server DP01]\ntransport = smb\nkerberos = yes\n\nauthfile = ~/corp.auth\n", 6,
	    "'authfile' and kerberos = yes (line 4) do not go together: with kerberos the password is "
	    "never used; remove one of them");
	struct config c;
	if (load_ok("authfile with kerberos = no", "[site 009]\n[server DP01]\ntransport = smb\n"
	    "kerberos = no\nauthfile = /etc/dpdoctor/corp.auth\n", &c))
		is_str(c.servers[0].authfile, "/etc/dpdoctor/corp.auth", "  kept as written");
	config_free(&c);
	if (load_ok("an ssh user is not an smb account", "[site 009]\n[server DP01]\n"
	    "transport = ssh\nuser = a\\b\\c\n", &c))
		is_str(c.servers[0].user, "a\\b\\c", "  kept as written for ssh");
	config_free(&c);
}

/* wmi_host defaults to the provider, else the site server; case as the
 * file writes it in the key it came from. */
static void
test_wmi_host_default(void)
{
	struct config c;
	if (load_ok("wmi_host from provider", "[site 009]\nprovider = PROV\nsite_server = PRI\n"
	    "[server PROV]\ntransport = ssh\n[server PRI]\ntransport = ssh\n", &c))
		is_str(c.wmi_host, "PROV", "wmi_host defaults to the provider");
	config_free(&c);
	if (load_ok("wmi_host from site_server", "[site 009]\nsite_server = PRI\n"
	    "[server PRI]\ntransport = ssh\n", &c))
		is_str(c.wmi_host, "PRI", "without a provider, wmi_host defaults to site_server");
	config_free(&c);
	if (load_ok("no wmi_host at all", "[site 009]\n", &c))
		ok(c.wmi_host == NULL, "no provider, site_server or wmi_host: none");
	config_free(&c);
	if (load_ok("range ends", "[site 009]\nmax_parallel = 256\n[server A]\ntransport = ssh\nport = 65535\n"
	    "connect_timeout = 600\nsftp_port = 1\n[server B]\ntransport = ssh\nport = 1\nconnect_timeout = 1\n"
	    "sftp_port = 65535\nsftp = YES\n", &c))
		ok(c.max_parallel == 256 && c.servers[0].port == 65535 && c.servers[1].port == 1 &&
		    c.servers[0].connect_timeout == 600 && c.servers[1].connect_timeout == 1 &&
		    c.servers[0].sftp_port == 1 && c.servers[1].sftp_port == 65535 && c.servers[1].sftp,
		    "max_parallel 256, port and sftp_port 1 and 65535, connect_timeout 1 and 600 accepted");
	config_free(&c);
	if (load_ok("wmi_host, any case", "[site 009]\nsite_server = PRI\nwmi_host = mgmt\n"
	    "[server PRI]\ntransport = ssh\n[server MGMT]\ntransport = ssh\nport = 2222\n", &c)) {
		is_str(c.wmi_host, "mgmt", "wmi_host kept as written");
		const struct config_server *w = config_server(&c, c.wmi_host);
		ok(w != NULL && w->port == 2222, "its [server] section is found without regard to case");
	}
	config_free(&c);
}

/* What inih tolerates and we keep: BOM, CRLF, inline comments, "key: value",
 * indented keys right after a header, section names longer than inih's
 * 49-character section buffer. */
static void
test_lenient(void)
{
	static const char text[] =
		"\xEF\xBB\xBF[site ABC]\r\n"
		"  provider: " "a123456789b123456789c123456789d123456789e123456789f12345678\r\n"
		"[server a123456789b123456789c123456789d123456789e123456789f12345678] ; the provider\r\n"
		"    TRANSPORT = Local ; comments need a space before the semicolon\r\n"
		"user = a;b\r\n"
		"\r\n"
		"# hash comment\r\n"
		"[UI]\r\n"
		"mouse = 1\r\n";
	struct config c;
	if (!load_ok("BOM, CRLF, comments, long section name", text, &c))
		return;
	is_str(c.site_code, "ABC", "site code after a BOM");
	is_int(c.nservers, 1, "one server");
	is_int(strlen(c.servers[0].name), 59, "59-character server name kept whole");
	is_int(c.servers[0].transport, CONFIG_TRANSPORT_LOCAL, "TRANSPORT = Local");
	is_str(c.servers[0].user, "a;b", "';' without a space before it is part of the value");
	ok(c.mouse, "[UI] mouse = 1");
	config_free(&c);
}

static void
test_section_errors(void)
{
	expect_error("unknown section", "[site 009]\n; servers\n[servers DP01]\n", 3,
	    "unknown section [servers]; the sections are [site CODE], [server NAME] and [ui]");
	expect_error("duplicate server", "[site 009]\n[server DP01]\ntransport = ssh\n\n[server dp01]\n",
	    5, "duplicate section [server dp01]: it is already on line 2");
	expect_error("duplicate [ui]", "[ui]\nmouse = no\n[site 009]\n[ui]\n", 4,
	    "duplicate section [ui]: it is already on line 1");
	expect_error("two [site] sections", "[site 009]\n[ui]\n\n[site 010]\n", 4,
	    "a second [site] section (the first is on line 1)");
	expect_error("no [site]", "[ui]\nmouse = yes\n", 0, "no [site CODE] section");
	expect_error("empty file", "", 0, "no [site CODE] section");
	expect_error("bad site code", "\n[site abc]\n", 2, "bad site code \"abc\"");
	expect_error("[site] without a code", "[site]\n", 1, "[site] needs a CODE: [site CODE]");
	expect_error("[server] without a name", "[site 009]\n[server ]\n", 2, "[server] needs a NAME");
	expect_error("bad server name", "[site 009]\n[server web 01]\n", 2, "bad server name \"web 01\"");
	expect_error("[ui] with a name", "[site 009]\n[ui main]\n", 2, "[ui] takes no name");
	expect_error("broken header", "[site 009]\n[server DP01\ntransport = ssh\n", 2, "no closing ']'");
	expect_error("header with ; inside", "[site 009]\n[server DP01 ;x]\n", 2, "no closing ']'");
	expect_error("text after a header", "[site 009]\n[ui] mouse = yes\n", 2, "unexpected text after ']'");
	expect_error("missing transport", "[site 009]\n[server DP01]\nhost = 10.0.0.5\n[server DP02]\n"
	    "transport = ssh\n", 2, "[server DP01] has no 'transport' (required: sim, ssh, smb or local)");
	expect_error("missing transport, empty section at the end", "[site 009]\n[server DP01]\n", 2,
	    "[server DP01] has no 'transport'");
}

static void
test_key_errors(void)
{
	expect_error("key before any section", "; first a comment\nmouse = yes\n[site 009]\n", 2,
	    "'mouse' comes before any section");
	expect_error("unknown key", "[site 009]\n[server DP01]\ntransport = ssh\nhots = dp01\n", 4,
	    "unknown key 'hots' in [server DP01]; the keys of [server] are: transport, host, port, user, "
	    "identity, known_hosts, sms_path, pck_path, connect_timeout, sftp, sftp_port, preload_exe, "
	    "credential, domain");
	expect_error("unknown key in [site]", "[site 009]\nsite = 009\n", 2,
	    "generation, provider, site_server, wmi_host, sim_dir, max_parallel");
	expect_error("unknown key in [ui]", "[site 009]\n[ui]\ncolour = yes\n", 3,
	    "refresh, full_refresh_every, theme, glyphs, mouse, read_only");
	expect_error("no key name", "[site 009]\n= 5\n", 2, "no key name before '='");
	expect_error("duplicate key", "[site 009]\n[server DP01]\nhost = a\ntransport = ssh\nHost = b\n", 5,
	    "duplicate key 'host' in [server DP01]: it is already set on line 3");
	expect_error("malformed line", "[site 009]\n\nmax_parallel 4\n", 3,
	    "expected 'key = value', a [section] header or a ; comment, found \"max_parallel 4\"");
	expect_error("continuation", "[site 009]\n[server DP01]\ntransport = ssh\nhost = dp01\n"
	    "   .contoso.com\n", 5, "the value of 'host' (line 4) continues on this line because it is indented");
	expect_error("indented header after a key", "[site 009]\nmax_parallel = 4\n  [ui]\n", 3,
	    "'max_parallel' (line 2) continues on this line");
	expect_error("provider without [server]", "[site 009]\ngeneration = sms2003\nprovider = DP09\n"
	    "[server DP01]\ntransport = ssh\n", 3, "'provider' names server DP09, but there is no [server DP09] section");
	expect_error("site_server without [server]", "[site 009]\nsite_server = SMS01\n", 2,
	    "there is no [server SMS01] section");
	expect_error("wmi_host without [server]", "[site 009]\nprovider = SMS01\n\nwmi_host = MGMT01\n"
	    "[server SMS01]\ntransport = ssh\n", 4,
	    "'wmi_host' names server MGMT01, but there is no [server MGMT01] section");
	expect_error("sim without sim_dir", "[site 009]\n[server DP01]\nhost = dp01\ntransport = sim\n", 4,
	    "transport = sim needs sim_dir in [site 009] (line 1)");
}

static void
test_value_errors(void)
{
	static const struct {
		const char *line, *needle;
	} bad[] = {
		{ "max_parallel = 0", "it must be a whole number from 1 to 256 connections at a time" },
		{ "max_parallel = 257", "from 1 to 256" },
		{ "max_parallel = 12abc", "\"12abc\"; it must be a whole number" },
		{ "max_parallel = -3", "from 1 to 256" },
		{ "max_parallel = 99999999999999999999999", "from 1 to 256" },
		{ "generation = sms2", "\"sms2\"; it must be sms2003, cm2007 or cb" },
		{ "provider = SMS 01", "\"SMS 01\" is not a server name" },
		{ "wmi_host = mgmt/01", "\"mgmt/01\" is not a server name" },
		{ "wmi_host =", "'wmi_host' has no value" },
		{ "sim_dir = ~bob/site", "only ~/ (your own home) is understood" },
		{ "max_parallel =", "'max_parallel' has no value" },
		{ "sim_dir = \"/srv/my site\"", "is in quotes" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *text = xasprintf("[site 009]\n%s\n", bad[i].line);
		expect_error(bad[i].line, text, 2, bad[i].needle);
		free(text);
	}
	static const struct {
		const char *line, *needle;
	} bad_server[] = {
		{ "port = 0", "from 1 to 65535" },
		{ "port = 65536", "from 1 to 65535" },
		{ "port = 22x", "\"22x\"; it must be a whole number from 1 to 65535" },
		{ "connect_timeout = 0", "from 1 to 600 seconds" },
		{ "sftp_port = 0", "from 1 to 65535" },
		{ "sftp_port = 65536", "from 1 to 65535" },
		{ "sftp_port = ssh", "\"ssh\"; it must be a whole number from 1 to 65535" },
		{ "sftp = maybe", "\"maybe\"; it must be yes or no" },
		{ "sftp =", "'sftp' has no value" },
		{ "identity = ~root/.ssh/id_ed25519", "only ~/ (your own home) is understood" },
		{ "known_hosts = ~x", "only ~/ (your own home) is understood" },
		{ "host = dp01 .contoso.com", "not a host name or IP address" },
		{ "sms_path = SMS", "bad value for 'sms_path': \"SMS\"; it must be a folder on the "
		    "server's own disk such as D:\\SMS (drive letter, colon, backslash, folder names)" },
		{ "sms_path = E:/SMS", "such as D:\\SMS" },
		{ "sms_path = E:\\", "such as D:\\SMS" },
		{ "sms_path = E:\\SMS\\..\\Temp", "bad value for 'sms_path'" },
		{ "sms_path = E:\\SMS\\\\Logs", "bad value for 'sms_path'" },
		{ "sms_path = \\\\SMS01\\SMS_009", "on the server's own disk" },
		{ "pck_path = SMSPKG", "bad value for 'pck_path': \"SMSPKG\"; it must be a folder on the "
		    "server's own disk such as D:\\SMSPKG" },
		{ "pck_path = D:SMSPKG", "such as D:\\SMSPKG" },
		{ "pck_path = D:\\SMS|PKG", "bad value for 'pck_path'" },
		{ "credential = maybe", "bad value for 'credential': \"maybe\"; it must be ask or no" },
		{ "credential = yes", "it must be ask or no" },
		{ "credential =", "'credential' has no value" },
		{ "preload_exe = PreloadPkgOnSite.exe", "such as E:\\SMS\\bin\\i386\\PreloadPkgOnSite.exe" },
		{ "preload_exe = E:\\SMS\\bin\\i386", "ending in .exe" },
		{ "preload_exe = E:/SMS/bin/i386/PreloadPkgOnSite.exe", "drive letter, colon, backslash" },
		{ "preload_exe = \\\\SMS01\\tools\\PreloadPkgOnSite.exe", "on the server's own disk" },
		{ "preload_exe = E:\\SMS\\..\\PreloadPkgOnSite.exe", "bad value for 'preload_exe'" },
		{ "preload_exe = E:\\SMS\\\\PreloadPkgOnSite.exe", "bad value for 'preload_exe'" },
		{ "preload_exe = E:\\SMS\\Preload?.exe", "bad value for 'preload_exe'" },
		{ "preload_exe = E:\\.exe", "bad value for 'preload_exe'" },
		{ "connect_timeout = 601", "from 1 to 600 seconds" },
		{ "user = 'smsadmin'", "is in quotes" },
		{ "user = a\tb", "control character" },
	};
	for (size_t i = 0; i < sizeof bad_server / sizeof bad_server[0]; i++) {
		char *text = xasprintf("[site 009]\n[server DP01]\ntransport = ssh\n%s\n", bad_server[i].line);
		expect_error(bad_server[i].line, text, 4, bad_server[i].needle);
		free(text);
	}
	expect_error("transport = telnet", "[site 009]\n[server DP01]\ntransport = telnet\n", 3,
	    "bad value for 'transport': \"telnet\"; it must be sim, ssh, smb or local");
	expect_error("refresh = 3601", "[site 009]\n[ui]\nrefresh = 3601\n", 3, "from 1 to 3600 seconds");
	expect_error("theme = blue", "[site 009]\n[ui]\ntheme = blue\n", 3, "it must be dark, light or mono");
	expect_error("glyphs = unicode", "[site 009]\n[ui]\nglyphs = unicode\n", 3, "auto, utf8 or ascii");
	expect_error("mouse = maybe", "[site 009]\n[ui]\nmouse = maybe\n", 3, "it must be yes or no");
	expect_error("read_only = 2", "[site 009]\n[ui]\nread_only = 2\n", 3, "it must be yes or no");
}

/* A line of exactly len characters: "sim_dir = /aaa..." or "; aaa...". */
static char *
line_of(const char *start, size_t len)
{
	struct buf b;
	buf_init(&b);
	buf_adds(&b, start);
	while (b.len < len)
		buf_addc(&b, 'a');
	return buf_detach(&b);
}

/* inih reads 198 characters of a line; beyond that it would cut the value
 * and report the wrong line.  We report the long line itself. */
static void
test_long_lines(void)
{
	char *l198 = line_of("sim_dir = /", 198), *l199 = line_of("sim_dir = /", 199);
	char *l300 = line_of("sim_dir = /", 300), *c250 = line_of("; ", 250);
	char *text = xasprintf("[site 009]\n%s\n", l198);
	struct config c;
	if (load_ok("198-character line", text, &c))
		is_int(strlen(c.sim_dir), 188, "198-character line: value whole");
	config_free(&c);
	free(text);
	text = xasprintf("[site 009]\r\n%s\r\nmouse = yes\r\n", l198);
	expect_error("198 characters + CRLF, then an error", text, 3, "'mouse' in [site 009]");
	free(text);
	text = xasprintf("[site 009]\n%s\n", l199);
	expect_error("199-character line", text, 2, "value too long: 199 characters, but inih reads at most "
	    "198 characters per line");
	free(text);
	text = xasprintf("[site 009]\n\n%s\nmax_parallel = 4\n", l300);
	expect_error("300-character value", text, 3, "value too long: 300 characters");
	free(text);
	text = xasprintf("[site 009]\n%s\n[ui]\n", c250);
	expect_error("250-character comment", text, 2, "line too long: 250 characters");
	free(text);
	text = xasprintf("[site 009]\n%s", l199);
	expect_error("199 characters at the end, no newline", text, 2, "too long");
	free(text);
	free(l198);
	free(l199);
	free(l300);
	free(c250);
	static const char nul[] = "[site 009]\nmax_parallel = 4\0\n";
	expect_error_n("NUL byte", nul, sizeof nul - 1, 2, "NUL byte");
}

static void
test_files(void)
{
	struct config c;
	char *err = NULL;
	char *missing = xasprintf("%s/missing.ini", tmpdir);
	char *want = xasprintf("%s: No such file or directory", missing);
	is_int(config_load(missing, &c, &err), -1, "missing file rejected");
	is_str(err, want, "missing file: FILE: strerror");
	ok(is_defaulted(&c), "missing file: defaults");
	config_free(&c);
	free(want);
	want = xasprintf("%s: Is a directory", tmpdir);
	is_int(config_load(tmpdir, &c, &err), -1, "directory rejected");
	is_str(err, want, "directory: FILE: strerror");
	config_free(&c);
	free(want);
	/* Not regular files: refused at once, not read for ever (/dev/zero
	 * has no line end) nor waited on (a FIFO has no writer).  The alarm
	 * ends the test instead of hanging it if either comes back. */
	alarm(20);
	is_int(config_load("/dev/zero", &c, &err), -1, "/dev/zero rejected");
	is_str(err, "/dev/zero: is a device, not a file", "/dev/zero: FILE: why");
	config_free(&c);
	char *fifo = xasprintf("%s/fifo.ini", tmpdir);
	if (mkfifo(fifo, 0600) != 0) {
		ok(0, "mkfifo %s: %s", fifo, strerror(errno));
	} else {
		/* Spelled from tmpdir, not fifo: GCC 12 with -fsanitize
		 * wrongly sees fifo as NULL here (-Wformat-overflow). */
		want = xasprintf("%s/fifo.ini: is a FIFO, not a file", tmpdir);
		is_int(config_load(fifo, &c, &err), -1, "FIFO rejected");
		is_str(err, want, "FIFO: FILE: why");
		config_free(&c);
		free(want);
		(void)unlink(fifo);
	}
	free(fifo);
	alarm(0);
	char *path = write_text("secret.ini", "[site 009]\n");
	if (geteuid() == 0 || chmod(path, 0) != 0) {
		ok(1, "# SKIP unreadable file: running as root");
	} else {
		want = xasprintf("%s: Permission denied", path);
		is_int(config_load(path, &c, &err), -1, "unreadable file rejected");
		is_str(err, want, "unreadable: FILE: strerror");
		config_free(&c);
		free(want);
	}
	is_int(config_load(missing, &c, NULL), -1, "err may be NULL");
	config_free(&c);
	free(path);
	free(missing);
	free(err);
}

/* The shipped example must load and must mention every key. */
static void
test_example(void)
{
	static const char *const keys[] = {
		"generation", "provider", "site_server", "wmi_host", "sim_dir", "max_parallel",
		"transport", "host", "port", "user", "identity", "known_hosts", "sms_path", "pck_path",
		"connect_timeout", "sftp", "sftp_port", "preload_exe", "credential", "domain", "authfile", "protocol", "kerberos",
		"refresh", "theme", "glyphs", "mouse", "read_only",
	};
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/config/dpdoctor.ini.example", top ? top : ".");
	struct config c;
	char *err = NULL;
	if (!is_int(config_load(path, &c, &err), 0, "dpdoctor.ini.example loads"))
		printf("#   %s\n", err);
	config_free(&c);
	free(err);
	struct buf text;
	buf_init(&text);
	ok(file_read_all(path, 1 << 20, &text, NULL) == 0, "read the example");
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		char *as_set = xasprintf("\n%s = ", keys[i]), *as_comment = xasprintf("\n;%s = ", keys[i]);
		ok(text.data && (strstr(text.data, as_set) || strstr(text.data, as_comment)),
		    "example documents '%s'", keys[i]);
		free(as_set);
		free(as_comment);
	}
	buf_free(&text);
	free(path);
}

static void
find_case(const char *what, const char *cli, const char *want, const char *tried_has)
{
	char *tried = NULL;
	char *got = config_find(cli, &tried);
	if (want != NULL) {
		is_str(got, want, "%s: found", what);
		ok(tried == NULL, "%s: nothing listed as tried", what);
	} else {
		ok(got == NULL, "%s: nothing found", what);
	}
	if (tried_has != NULL)
		contains(tried, tried_has, "%s: tried lists it", what);
	free(got);
	free(tried);
}

static void
test_find(void)
{
	char *cli = write_text("cli.ini", "[site 009]\n");
	char *env = write_text("env.ini", "[site 009]\n");
	char *xdg = xasprintf("%s/xdg", tmpdir), *home = xasprintf("%s/home", tmpdir);
	char *xdg_dir = xasprintf("%s/dpdoctor", xdg), *home_dir = xasprintf("%s/.config/dpdoctor", home);
	char *xdg_ini = xasprintf("%s/dpdoctor.ini", xdg_dir), *home_ini = xasprintf("%s/dpdoctor.ini", home_dir);
	char *missing = xasprintf("%s/nope.ini", tmpdir);
	char *missing_tried = xasprintf("%s: No such file", missing);
	ok(setenv("DPDOCTOR_CONFIG", env, 1) == 0 && setenv("XDG_CONFIG_HOME", xdg, 1) == 0 &&
	    setenv("HOME", home, 1) == 0, "environment set up");
	find_case("-c existing", cli, cli, NULL);
	find_case("-c missing does not fall back", missing, NULL, missing_tried);
	find_case("$DPDOCTOR_CONFIG", NULL, env, NULL);
	ok(setenv("DPDOCTOR_CONFIG", missing, 1) == 0, "DPDOCTOR_CONFIG names a missing file");
	find_case("nothing exists", NULL, NULL, missing_tried);
	find_case("nothing exists, second candidate", NULL, NULL, xdg_ini);
	ok(dir_make_all(xdg_dir, false, NULL) == 0, "make $XDG_CONFIG_HOME/dpdoctor");
	free(write_text("xdg/dpdoctor/dpdoctor.ini", "[site 009]\n"));
	find_case("$XDG_CONFIG_HOME", NULL, xdg_ini, NULL);
	ok(unsetenv("XDG_CONFIG_HOME") == 0 && unsetenv("DPDOCTOR_CONFIG") == 0, "XDG unset");
	find_case("~/.config missing", NULL, NULL, home_ini);
	ok(dir_make_all(home_dir, false, NULL) == 0, "make ~/.config/dpdoctor");
	free(write_text("home/.config/dpdoctor/dpdoctor.ini", "[site 009]\n"));
	find_case("~/.config", NULL, home_ini, NULL);
	ok(setenv("XDG_CONFIG_HOME", "relative", 1) == 0, "relative XDG_CONFIG_HOME");
	find_case("relative XDG_CONFIG_HOME is ignored", NULL, home_ini, NULL);
	free(cli);
	free(env);
	free(xdg);
	free(home);
	free(xdg_dir);
	free(home_dir);
	free(xdg_ini);
	free(home_ini);
	free(missing);
	free(missing_tried);
}

int
main(void)
{
	char tmpl[] = "/tmp/test_config.XXXXXX";
	tmpdir = mkdtemp(tmpl);
	if (tmpdir == NULL) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	test_defaults();
	test_full();
	test_lenient();
	test_wmi_host_default();
	test_smb();
	test_transport_keys();
	test_smb_errors();
	test_section_errors();
	test_key_errors();
	test_value_errors();
	test_long_lines();
	test_files();
	test_example();
	test_find();
	char *rm = xasprintf("rm -rf '%s'", tmpdir);
	if (system(rm) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(rm);
	return done_testing();
}
