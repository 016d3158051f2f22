/*
 * Unit tests for config/authfile: smbclient's -A format read as smbclient
 * reads it (blanks after '=', the password's trailing blanks, CRLF,
 * comments, keys in any case, DOMAIN\user), the refusals OpenSSH makes for
 * a private key (group or others may read or change it), every malformed
 * file with its line, and no message that holds any of the password.
 */
#include "autoconf.h"
#include "config/authfile.h"

#include "backend/core/util.h"
#include "tests/unit/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET "Pa55;w=rd"   /* no message may contain any of it */

static char *tmpdir;

/* Write text to NAME under tmpdir with the given mode. */
static char *
write_mode(const char *name, const char *text, size_t len, mode_t mode)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0 || chmod(path, mode) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	return path;
}

/* is_str that takes NULL for "not given". */
static void
is_opt(const char *got, const char *want, const char *what, const char *which)
{
	if (want == NULL)
		ok(got == NULL, "%s: %s not given", what, which);
	else
		is_str(got, want, "%s: %s", what, which);
}

static void
expect_ok(const char *what, const char *text, const char *user, const char *domain,
    const char *password)
{
	char *path = write_mode("ok.auth", text, strlen(text), 0600);
	struct authfile a;
	char *err = NULL;
	if (!is_int(authfile_read(path, &a, &err), 0, "%s: read", what))
		printf("#   %s\n", err ? err : "(null)");
	is_opt(a.user, user, what, "user");
	is_opt(a.domain, domain, what, "domain");
	is_str(a.password, password, "%s: password", what);
	authfile_free(&a);
	ok(a.password == NULL && a.user == NULL && a.domain == NULL, "%s: freed and emptied", what);
	free(err);
	free(path);
}

/* Expect "PATH:LINE: ...needle..." ("PATH: " for line 0), nothing of the
 * password in it, and *a left empty. */
static void
expect_err_mode(const char *what, const char *text, size_t len, mode_t mode, int line,
    const char *needle)
{
	char *path = write_mode("bad.auth", text, len, mode);
	char *prefix = line > 0 ? xasprintf("%s:%d: ", path, line) : xasprintf("%s: ", path);
	struct authfile a;
	char *err = NULL;
	is_int(authfile_read(path, &a, &err), -1, "%s: refused", what);
	if (!ok(err != NULL && strncmp(err, prefix, strlen(prefix)) == 0, "%s: reported at \"%s\"",
	    what, prefix + strlen(tmpdir) + 1))
		printf("#   got \"%s\"\n", err ? err : "(null)");
	contains(err, needle, "%s: message", what);
	ok(err != NULL && strstr(err, "Pa55") == NULL && strstr(err, "w=rd") == NULL,
	    "%s: no part of the password in the message", what);
	ok(a.password == NULL && a.user == NULL && a.domain == NULL, "%s: nothing kept", what);
	free(err);
	free(prefix);
	free(path);
}

static void
expect_err(const char *what, const char *text, int line, const char *needle)
{
	expect_err_mode(what, text, strlen(text), 0600, line, needle);
}

static void
test_good(void)
{
	expect_ok("smbclient's own example", "username = dpdoctor\npassword = " SECRET "\n"
	    "domain = CORP\n", "dpdoctor", "CORP", SECRET);
	expect_ok("no blanks, DOMAIN\\user", "username=CORP\\dpdoctor\npassword=" SECRET "\n",
	    "dpdoctor", "CORP", SECRET);
	expect_ok("the password's trailing blanks are kept, as smbclient keeps them",
	    "password =\t" SECRET "  \nusername = dpdoctor \t\n", "dpdoctor", NULL, SECRET "  ");
	expect_ok("CRLF, comments, blank lines, keys in any case",
	    "# for smbclient -A and dpdoctor\r\n\r\n; the DP account\r\nUserName = x@corp.example\r\n"
	    "PASSWORD = " SECRET "\r\nDomain = corp.example\r\n", "x@corp.example", "corp.example",
	    SECRET);
	expect_ok("password only", "password = " SECRET, NULL, NULL, SECRET);
	expect_ok("the same domain twice, in any case", "username = corp\\dpdoctor\ndomain = CORP\n"
	    "password = x\n", "dpdoctor", "CORP", "x");
	expect_ok("read-only for the owner", "password = x\n", NULL, NULL, "x");
	char *path = write_mode("ro.auth", "password = x\n", 13, 0400);
	struct authfile a;
	is_int(authfile_read(path, &a, NULL), 0, "mode 0400 is accepted");
	authfile_free(&a);
	free(path);
	path = write_mode("lines.auth", "\nusername = CORP\\u\n\npassword = p\n", 33, 0600);
	if (is_int(authfile_read(path, &a, NULL), 0, "lines: read")) {
		is_int(a.user_line, 2, "the username's line");
		is_int(a.domain_line, 2, "the domain came from the username's line");
	}
	authfile_free(&a);
	free(path);
}

static void
test_permissions(void)
{
	static const struct {
		mode_t mode;
		const char *why;
	} bad[] = {
		{ 0644, "permissions 0644 are too open: others can read the password" },
		{ 0604, "permissions 0604 are too open: others can read the password" },
		{ 0640, "permissions 0640 are too open: its group can read the password" },
		{ 0602, "permissions 0602 are too open: others can change it" },
		{ 0620, "permissions 0620 are too open: its group can change it" },
		{ 0610, "permissions 0610 are too open: its group or others have access to it" },
		{ 0666, "permissions 0666 are too open: others can read the password" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *what = xasprintf("mode %04o", (unsigned)bad[i].mode);
		static const char text[] = "password = " SECRET "\n";
		expect_err_mode(what, text, sizeof text - 1, bad[i].mode, 0, bad[i].why);
		free(what);
	}
	/* The whole message, as OpenSSH words it for a key. */
	char *path = write_mode("open.auth", "password = x\n", 13, 0644);
	char *want = xasprintf("%s: permissions 0644 are too open: others can read the password; "
	    "chmod 600 %s", path, path);
	struct authfile a;
	char *err = NULL;
	is_int(authfile_read(path, &a, &err), -1, "0644 refused");
	is_str(err, want, "with the reason and the fix");
	free(err);
	free(want);
	free(path);
	err = NULL;
	is_int(authfile_read(tmpdir, &a, &err), -1, "a directory is refused");
	contains(err, "it is a directory; the authfile must be a file", "  saying it is a directory");
	free(err);
	err = NULL;
	path = xasprintf("%s/fifo", tmpdir);
	if (mkfifo(path, 0600) == 0) {
		is_int(authfile_read(path, &a, &err), -1, "a FIFO is refused without hanging");
		contains(err, "it is a pipe or a socket", "  saying what it is");
	} else {
		ok(1, "# SKIP mkfifo failed");
	}
	free(err);
	free(path);
	err = NULL;
	path = xasprintf("%s/missing.auth", tmpdir);
	want = xasprintf("%s: No such file or directory", path);
	is_int(authfile_read(path, &a, &err), -1, "a missing file is refused");
	is_str(err, want, "  FILE: strerror");
	free(err);
	free(want);
	free(path);
	err = NULL;
	path = write_mode("unreadable.auth", "password = x\n", 13, 0);
	if (geteuid() == 0) {
		ok(1, "# SKIP unreadable file: running as root");
	} else {
		is_int(authfile_read(path, &a, &err), -1, "an unreadable file is refused");
		contains(err, "Permission denied", "  FILE: strerror");
	}
	free(err);
	free(path);
}

static void
test_malformed(void)
{
	expect_err("a line without '='", "username = u\nPa55 alone\n", 2,
	    "expected 'key = value' (username, password or domain); the line is not shown");
	expect_err("unknown key", "password = " SECRET "\nrealm = CORP.EXAMPLE\n", 2,
	    "unknown key; the keys are username, password and domain");
	expect_err("a password split at '=' (not shown)", "Pa55;w=rd\n", 1, "unknown key");
	expect_err("no key before '='", "\n = " SECRET "\n", 2, "no key before '='");
	expect_err("duplicate password", "password = a\r\nusername = u\r\npassword = " SECRET "\r\n", 3,
	    "a second 'password' (the first is on line 1)");
	expect_err("empty password", "username = u\npassword = \t\n", 2, "'password' has no value");
	expect_err("empty username", "username =\npassword = " SECRET "\n", 1, "'username' has no value");
	expect_err("no password", "username = u\ndomain = CORP\n", 0,
	    "no 'password =' line; the file gives the password");
	expect_err("empty file", "", 0, "no 'password =' line");
	expect_err("bad username", "password = " SECRET "\nusername = a\\b\\c\n", 2,
	    "bad username \"a\\b\\c\": it has more than one backslash");
	expect_err("username with a forbidden character", "username = dp:doctor\npassword = " SECRET "\n",
	    1, "it contains ':', which Windows account names cannot");
	expect_err("bad domain", "password = " SECRET "\ndomain = CO RP\n", 2,
	    "bad domain \"CO RP\": not a domain name");
	expect_err("two domains", "domain = CORP\nusername = OTHER\\dpdoctor\npassword = " SECRET "\n", 2,
	    "username = OTHER\\dpdoctor names domain OTHER, but domain = CORP (line 1); give the domain once");
	static const char nul[] = "username = u\npassword = Pa\0ss\n";
	expect_err_mode("NUL byte", nul, sizeof nul - 1, 0600, 2, "NUL byte");
	char *big = xmalloc(70000);
	memset(big, '#', 70000);
	expect_err_mode("too big", big, 70000, 0600, 0, "longer than 65536 bytes: not an authentication file");
	free(big);
}

static void
test_split(void)
{
	static const struct {
		const char *v, *name, *domain, *why;
	} cases[] = {
		{ "dpdoctor", "dpdoctor", NULL, NULL },
		{ "CORP\\dpdoctor", "dpdoctor", "CORP", NULL },
		{ "corp.example.com\\dp doctor", "dp doctor", "corp.example.com", NULL },
		{ "dpdoctor@corp.example.com", "dpdoctor@corp.example.com", NULL, NULL },
		{ "", NULL, NULL, "it is empty" },
		{ "CORP\\", NULL, NULL, "there is no name after the backslash" },
		{ "\\dpdoctor", NULL, NULL, "there is no domain before the backslash" },
		{ "A\\B\\c", NULL, NULL, "more than one backslash" },
		{ "CO RP\\x", NULL, NULL, "\"CO RP\" is not a domain name" },
		{ "x*", NULL, NULL, "it contains '*'" },
		{ "x\ty", NULL, NULL, "it contains a control character" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *name = NULL, *dom = NULL, *why = NULL;
		int rc = authfile_split_account(cases[i].v, &name, &dom, &why);
		is_int(rc, cases[i].why ? -1 : 0, "split \"%s\"", cases[i].v);
		is_opt(name, cases[i].name, "  split", "name");
		is_opt(dom, cases[i].domain, "  split", "domain");
		if (cases[i].why != NULL)
			contains(why, cases[i].why, "  why");
		free(name);
		free(dom);
		free(why);
	}
}

static void
test_agree(void)
{
	struct authfile a = { .user = "dpdoctor", .domain = "CORP", .user_line = 2, .domain_line = 3 };
	char *err = NULL;
	is_int(authfile_agree(&a, "f.auth", NULL, NULL, &err), 0, "the section names nothing: agree");
	is_int(authfile_agree(&a, "f.auth", "DPDOCTOR", "corp", &err), 0, "the same in another case");
	is_int(authfile_agree(&a, "f.auth", "admin", NULL, &err), -1, "another user: refused");
	is_str(err, "f.auth:2: username dpdoctor is not the section's user admin; name the account in "
	    "one place, or the same in both", "  saying both, with the file's line");
	free(err);
	err = NULL;
	is_int(authfile_agree(&a, "f.auth", NULL, "EUROPE", &err), -1, "another domain: refused");
	contains(err, "f.auth:3: domain CORP is not the section's domain EUROPE", "  saying both");
	free(err);
	struct authfile none = {0};
	is_int(authfile_agree(&none, "f.auth", "admin", "EUROPE", &err), 0,
	    "a file without username or domain agrees with any");
}

int
main(void)
{
	char tmpl[] = "/tmp/test_authfile.XXXXXX";
	tmpdir = mkdtemp(tmpl);
	if (tmpdir == NULL) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	umask(022);
	test_good();
	test_permissions();
	test_malformed();
	test_split();
	test_agree();
	char *rm = xasprintf("rm -rf '%s'", tmpdir);
	if (system(rm) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(rm);
	return done_testing();
}
