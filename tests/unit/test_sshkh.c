/*
 * Tests for known_hosts handling (backend/transport/ssh/sshkh.c), without any server:
 * keys come from ssh-keygen at test time and the raw blob is the decoded
 * second field of the .pub, which is what libssh2_session_hostkey would
 * hand us.  Covers plain, "[host]:port" and hashed entries, same-type and
 * other-type keys, the libssh2 1.10 traps (a bad line hiding the rest of
 * the file, port-22 entries answering for other ports, two-letter names),
 * markers, over-long lines, the preference list, appending, and the
 * fingerprint text against `ssh-keygen -l`.
 */
#include "autoconf.h"
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/transport/ssh/sshkh.h"
#include "backend/core/util.h"
#include "tests/unit/tap.h"

static char tmpdir[] = "/tmp/dpd-sshkh-XXXXXX";
static LIBSSH2_SESSION *session;
static struct buf warnings;

struct key {
	char *line;		/* "type base64" as in the .pub */
	unsigned char *blob;
	size_t len;
	int type;		/* LIBSSH2_HOSTKEY_TYPE_* */
	char *path;		/* the .pub */
};
static struct key ka, kb, kc;	/* ed25519, another ed25519, ecdsa */

static void
collect(void *ctx, const char *msg)
{
	(void)ctx;
	buf_adds(&warnings, msg);
	buf_addc(&warnings, '\n');
}

static char *
tpath(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static int
keygen(struct key *k, const char *name, const char *type, int hostkey)
{
	char *priv = tpath(name);
	char *cmd = xasprintf("ssh-keygen -q -t %s -N '' -C test -f %s </dev/null", type, priv);
	struct buf pub;
	char *err = NULL;

	buf_init(&pub);
	k->path = xasprintf("%s.pub", priv);
	int rc = system(cmd);
	free(cmd);
	free(priv);
	if (rc != 0 || file_read_all(k->path, 65536, &pub, &err) != 0) {
		free(err);
		buf_free(&pub);
		return -1;
	}
	char *sp = strchr(pub.data, ' ');
	char *end = sp ? strchr(sp + 1, ' ') : NULL;
	if (end == NULL)
		return -1;
	k->line = xstrndup(pub.data, (size_t)(end - pub.data));
	size_t b64len = (size_t)(end - sp - 1);
	k->blob = xmalloc(b64len);
	int n = EVP_DecodeBlock(k->blob, (unsigned char *)sp + 1, (int)b64len);
	for (char *c = end; c > sp + 1 && c[-1] == '='; c--)
		n--;
	k->len = (size_t)n;
	k->type = hostkey;
	buf_free(&pub);
	return n > 0 ? 0 : -1;
}

static void
write_text(const char *name, const char *text)
{
	char *p = tpath(name);
	FILE *f = fopen(p, "w");
	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
		printf("# cannot write %s\n", p);
	free(p);
}

static struct sshkh *
load(const char *name)
{
	char *p = tpath(name);
	const char *paths[] = { NULL, p };
	char *err = NULL;

	buf_reset(&warnings);
	struct sshkh *kh = sshkh_load(session, paths, 2, collect, NULL, &err);
	if (kh == NULL)
		printf("# load %s: %s\n", p, err ? err : "?");
	free(err);
	free(p);
	return kh;
}

/* The warnings so far ("" when none). */
static const char *
warned(void)
{
	return warnings.data != NULL ? warnings.data : "";
}

static enum sshkh_result
check(struct sshkh *kh, const char *host, int port, const struct key *k)
{
	return sshkh_check(kh, host, port, (const char *)k->blob, k->len, k->type);
}

static void
test_plain_port_hashed(void)
{
	char *text = xasprintf("alpha.example %s\n[127.0.0.1]:2222 %s\n"
	    "beta.example %s\n[beta.example]:2200 %s\ndb %s\n",
	    ka.line, kc.line, ka.line, kb.line, ka.line);
	write_text("plain", text);
	free(text);
	struct sshkh *kh = load("plain");
	is_int(check(kh, "alpha.example", 22, &ka), SSHKH_MATCH, "plain entry matches");
	is_int(check(kh, "ALPHA.example", 22, &ka), SSHKH_MATCH, "lookup name is lower-cased");
	is_int(check(kh, "127.0.0.1", 2222, &kc), SSHKH_MATCH, "[127.0.0.1]:2222 matches port 2222");
	is_int(check(kh, "127.0.0.1", 22, &kc), SSHKH_NOTFOUND, "... but not port 22");
	is_int(check(kh, "alpha.example", 2222, &ka), SSHKH_NOTFOUND,
	    "a port-22 entry does not answer for port 2222");
	is_int(check(kh, "beta.example", 2200, &ka), SSHKH_MISMATCH,
	    "port entry mismatch is not overridden by the port-22 entry");
	is_int(check(kh, "alpha.example", 22, &kb), SSHKH_MISMATCH, "same type, other key: MISMATCH");
	is_int(check(kh, "127.0.0.1", 2222, &ka), SSHKH_NOTFOUND,
	    "known only with ECDSA, offered ed25519: NOTFOUND");
	is_int(check(kh, "gamma.example", 22, &ka), SSHKH_NOTFOUND, "unknown host: NOTFOUND");
	is_int(check(kh, "db", 22, &ka), SSHKH_MATCH, "two-letter host name matches");
	is_int(sshkh_check(kh, "alpha.example", 22, (const char *)ka.blob, ka.len,
	    LIBSSH2_HOSTKEY_TYPE_UNKNOWN), SSHKH_ERROR, "unknown key type: ERROR");
	is_int(check(kh, "bad host", 22, &ka), SSHKH_ERROR, "host with a space: ERROR");
	is_str(warned(), "", "no warnings for a clean file");
	is_str(sshkh_prefs(kh, "alpha.example", 22), "ssh-ed25519", "prefs: narrowed to ed25519");
	is_str(sshkh_prefs(kh, "127.0.0.1", 2222), "ecdsa-sha2-nistp256",
	    "prefs: [host]:port entry narrows to its type");
	is_str(sshkh_prefs(kh, "gamma.example", 22), "ssh-ed25519,ecdsa-sha2-nistp256,"
	    "ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,ssh-rsa", "prefs: OpenSSH order by default");
	is_str(sshkh_prefs(NULL, "x", 22), "ssh-ed25519,ecdsa-sha2-nistp256,"
	    "ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,ssh-rsa", "prefs: default without kh");
	sshkh_free(kh);

	text = xasprintf("hashed.example %s\nhashed.example %s\n[hashed.example]:2022 %s\n",
	    ka.line, kc.line, kb.line);
	write_text("hashed", text);
	free(text);
	char *cmd = xasprintf("ssh-keygen -q -H -f %s/hashed >/dev/null 2>&1", tmpdir);
	ok(system(cmd) == 0, "ssh-keygen -H");
	free(cmd);
	kh = load("hashed");
	is_int(check(kh, "hashed.example", 22, &ka), SSHKH_MATCH, "hashed entry matches");
	is_int(check(kh, "hashed.example", 2022, &kb), SSHKH_MATCH, "hashed [host]:port matches");
	is_int(check(kh, "hashed.example", 2022, &ka), SSHKH_MISMATCH, "hashed port: other key");
	is_str(sshkh_prefs(kh, "hashed.example", 22), "ssh-ed25519,ecdsa-sha2-nistp256",
	    "prefs: hashed entries narrow too, in OpenSSH order");
	sshkh_free(kh);
}

static void
test_bad_lines(void)
{
	char *huge = xmalloc(100 * 1024 + 1);
	memset(huge, 'A', 100 * 1024);
	huge[100 * 1024] = '\0';
	memcpy(huge, "long.example ssh-ed25519 ", 25);
	char *text = xasprintf("# comment\n\nthis is not a known_hosts line at all\n"
	    "alpha.example %s\n@revoked revoked.example %s\n@cert-authority *.example %s\n"
	    "%s\nrevoked.example %s\n  \t\nbadkey.example ssh-ed25519 AAAA\n"
	    "badtype.example %s\nafter.example %s\n",
	    ka.line, kb.line, kc.line, huge, kb.line, kc.line + strlen("ecdsa-sha2-nistp256 "),
	    kc.line);
	write_text("bad", text);
	free(text);
	free(huge);
	struct sshkh *kh = load("bad");
	char *where = xasprintf("%s/bad:3: cannot parse (", tmpdir);
	contains(warned(), where, "garbage line warned as PATH:3");
	free(where);
	contains(warned(), "; line skipped", "warning says the line is skipped");
	is_int(check(kh, "alpha.example", 22, &ka), SSHKH_MATCH,
	    "entry after a garbage line still matches");
	where = xasprintf("%s/bad:5: @revoked", tmpdir);
	contains(warned(), where, "@revoked warned with PATH:5");
	free(where);
	contains(warned(), "bad:6: @cert-authority is not supported", "@cert-authority warned");
	contains(warned(), "bad:7: cannot parse (line too long", "100 KB line skipped");
	contains(warned(), "bad:10: cannot parse (key does not match its type)",
	    "short key field skipped");
	contains(warned(), "bad:11: cannot parse (want: hosts keytype key)",
	    "line with a key but no type skipped");
	is_int(check(kh, "revoked.example", 22, &kb), SSHKH_MISMATCH,
	    "a revoked key never matches, even when listed as an entry");
	is_int(check(kh, "after.example", 22, &kc), SSHKH_MATCH, "entry after the long line matches");
	int lines = 0;
	for (const char *c = warned(); *c != '\0'; c++)
		lines += (*c == '\n');
	is_int(lines, 7, "exactly the bad lines warned (incl. revoked match)");
	sshkh_free(kh);

	/* A hashed name whose hash is not 20 bytes: OpenSSH skips it, and
	 * libssh2 1.10 would leak on every check against it (found by
	 * tests/fuzz/fuzz_sshkh.c). */
	text = xasprintf("|1|c2FsdHNhbHRzYWx0c2FsdHNhbHQ=|c2hvcnQ= %s\nafter.example %s\n",
	    ka.line, kc.line);
	write_text("shorthash", text);
	free(text);
	kh = load("shorthash");
	contains(warned(), "shorthash:1: cannot parse (hashed host name is not HMAC-SHA1",
	    "a hashed name with a short hash is skipped with a warning");
	is_int(check(kh, "after.example", 22, &kc), SSHKH_MATCH, "  the next line still matches");
	sshkh_free(kh);

	/* A '=' inside the hash's base64: OpenSSL's decoder takes it, libssh2's
	 * reads another length and leaks (found by tests/fuzz/fuzz_sshkh.c). */
	text = xasprintf("|1|c2FsdHNhbHRzYWx0c2FsdHNhbHA=|aGFzaGhhc2hoYXNoa=FzaGhhc2g= %s\n"
	    "after.example %s\n", ka.line, kc.line);
	write_text("padhash", text);
	free(text);
	kh = load("padhash");
	contains(warned(), "padhash:1: cannot parse (hashed host name is not HMAC-SHA1",
	    "a hashed name with '=' inside its base64 is skipped with a warning");
	is_int(check(kh, "after.example", 22, &kc), SSHKH_MATCH, "  the next line still matches");
	sshkh_free(kh);

	kh = load("missing");
	ok(kh != NULL, "missing file loads");
	is_int(check(kh, "alpha.example", 22, &ka), SSHKH_NOTFOUND, "missing file is empty");
	is_str(warned(), "", "missing file: no warning");
	sshkh_free(kh);
}

static int
count_lines(const char *path, char **text)
{
	struct buf b;
	char *err = NULL;
	int n = 0;

	buf_init(&b);
	if (file_read_all(path, 1 << 20, &b, &err) != 0) {
		free(err);
		return -1;
	}
	for (size_t i = 0; i < b.len; i++)
		n += (b.data[i] == '\n');
	*text = buf_detach(&b);
	return n;
}

static void
test_append(void)
{
	char *path = tpath("home/.ssh/known_hosts");
	char *dir = tpath("home/.ssh");
	char *err = NULL;
	char *text = NULL;
	struct stat st;

	is_int(sshkh_append(path, "127.0.0.1", 2222, (const char *)ka.blob, ka.len, ka.type, &err),
	    0, "append creates the file");
	ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "folder is 0700");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "file is 0600");
	is_int(count_lines(path, &text), 1, "one line");
	char *want = xasprintf("[127.0.0.1]:2222 %s\n", ka.line);
	is_str(text, want, "line is [host]:port type base64");
	free(want);
	free(text);
	is_int(sshkh_append(path, "Host.Example", 22, (const char *)kc.blob, kc.len, kc.type, &err),
	    0, "second append");
	is_int(count_lines(path, &text), 2, "two lines");
	want = xasprintf("host.example %s\n", kc.line);
	contains(text, want, "port 22 is written as a plain lower-case name");
	free(want);
	free(text);
	is_int(sshkh_append(path, "a b", 22, (const char *)kc.blob, kc.len, kc.type, &err), -1,
	    "a name with a space is refused");
	contains(err, "not a host name", "... with a reason");
	free(err);
	err = NULL;

	write_text("noeol", "# no newline at the end");
	char *noeol = tpath("noeol");
	is_int(sshkh_append(noeol, "x.example", 22, (const char *)kb.blob, kb.len, kb.type, &err),
	    0, "append to a file without a final newline");
	is_int(count_lines(noeol, &text), 2, "a newline was written first");
	free(text);
	free(noeol);

	struct sshkh *kh = load("home/.ssh/known_hosts");
	is_int(check(kh, "127.0.0.1", 2222, &ka), SSHKH_MATCH, "appended [host]:port entry matches");
	is_int(check(kh, "host.example", 22, &kc), SSHKH_MATCH, "appended plain entry matches");
	is_str(warned(), "", "appended file reads without warnings");
	sshkh_free(kh);
	kh = load("noeol");
	is_int(check(kh, "x.example", 22, &kb), SSHKH_MATCH, "entry after the fixed line matches");
	sshkh_free(kh);
	free(path);
	free(dir);
}

static void
test_fingerprint(const struct key *k, const char *what)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	char fp[64];
	char *out = tpath("fp");
	char *cmd = xasprintf("ssh-keygen -lf %s > %s", k->path, out);
	char *text = NULL;

	EVP_Digest(k->blob, k->len, md, &mdlen, EVP_sha256(), NULL);
	sshkh_fingerprint_of(md, fp);
	if (system(cmd) == 0 && count_lines(out, &text) == 1) {
		char *sp = strchr(text, ' ');
		char *end = sp ? strchr(sp + 1, ' ') : NULL;
		if (end != NULL)
			*end = '\0';
		is_str(fp, sp ? sp + 1 : "", "fingerprint equals ssh-keygen -l (%s)", what);
	} else {
		ok(0, "ssh-keygen -lf (%s)", what);
	}
	free(text);
	free(cmd);
	free(out);
}

/* Bounded reading: a 1 MiB line is skipped with a warning, the line after
 * it still read; only a regular file (or /dev/null, "none") is read, so
 * /dev/zero and a FIFO are refused at once.  The alarm ends the test
 * rather than hang it if a refusal comes back. */
/* How lines end and where they break: CRLF, a NUL byte, a line that just
 * fits what is kept in memory (64 KiB with its newline) and one a byte
 * longer, a line across the reader's blocks, a last line without a
 * newline.  (The reader takes whole blocks and looks for the line ends.) */
static void
test_line_ends(void)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "alpha.example %s\r\n", ka.line);
	buf_add(&b, "a\0b\n", 4);
	for (size_t i = 0; i < 65535; i++)
		buf_addc(&b, 'x');
	buf_addc(&b, '\n');
	for (size_t i = 0; i < 65536; i++)
		buf_addc(&b, 'y');
	buf_addc(&b, '\n');
	for (size_t i = 0; i < 5000; i++)
		buf_addc(&b, ' ');
	buf_printf(&b, "beta.example %s\ngamma.example %s", kc.line, kb.line);
	char *p = tpath("ends");
	FILE *f = fopen(p, "w");
	if (f == NULL || fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0)
		printf("# cannot write %s\n", p);
	free(p);
	buf_free(&b);
	struct sshkh *kh = load("ends");
	is_int(check(kh, "alpha.example", 22, &ka), SSHKH_MATCH, "a CRLF line matches");
	contains(warned(), "ends:2: cannot parse (NUL byte); line skipped", "a NUL byte: warned");
	contains(warned(), "ends:3: cannot parse (line too long: 65535 bytes)",
	    "a line of 64 KiB with its newline is read whole (and too long to parse)");
	contains(warned(), "ends:4: cannot parse (line too long: 65537 bytes)",
	    "a byte longer is cut and counted to its end");
	is_int(check(kh, "beta.example", 22, &kc), SSHKH_MATCH, "a line across blocks matches");
	is_int(check(kh, "gamma.example", 22, &kb), SSHKH_MATCH,
	    "a last line without a newline matches");
	int lines = 0;
	for (const char *c = warned(); *c != '\0'; c++)
		lines += (*c == '\n');
	is_int(lines, 3, "exactly those three lines warned (%s)", warned());
	sshkh_free(kh);
}

static void
test_bounded(void)
{
	alarm(20);
	char *big = xmalloc(((size_t)1 << 20) + 1);
	memset(big, 'x', (size_t)1 << 20);
	big[(size_t)1 << 20] = '\0';
	char *text = xasprintf("%s\nalpha.example %s\n", big, ka.line);
	free(big);
	write_text("long", text);
	free(text);
	struct sshkh *kh = load("long");
	ok(kh != NULL, "a 1 MiB line does not stop the load");
	ok(strstr(warned(), ":1: cannot parse (line too long: 1048577 bytes); line skipped") != NULL,
	    "... it is skipped with FILE:LINE and a warning (%s)", warned());
	is_int(check(kh, "alpha.example", 22, &ka), SSHKH_MATCH, "... and the next line is read");
	sshkh_free(kh);

	const struct { const char *path; const char *want; } refused[] = {
		{ "/dev/zero", "/dev/zero: is a device; a known hosts file must be a regular file" },
		{ NULL, "is a FIFO; a known hosts file must be a regular file" },
	};
	char *fifo = tpath("fifo");
	if (mkfifo(fifo, 0600) != 0)
		printf("# mkfifo %s failed\n", fifo);
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		const char *paths[] = { NULL, refused[i].path ? refused[i].path : fifo };
		char *err = NULL;
		kh = sshkh_load(session, paths, 2, collect, NULL, &err);
		ok(kh == NULL, "%s refused", paths[1]);
		ok(err != NULL && strstr(err, refused[i].want) != NULL && strstr(err, paths[1]) != NULL,
		    "... naming it and why (%s)", err ? err : "");
		sshkh_free(kh);
		free(err);
	}
	free(fifo);
	const char *none[] = { NULL, "/dev/null" };
	char *err = NULL;
	kh = sshkh_load(session, none, 2, collect, NULL, &err);
	ok(kh != NULL, "/dev/null is read as an empty file (%s)", err ? err : "");
	sshkh_free(kh);
	free(err);
	alarm(0);
}

static void
test_default_path(void)
{
	char *old = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
	setenv("HOME", "/home/someone", 1);
	char *p = sshkh_default_path();
	is_str(p, "/home/someone/.ssh/known_hosts", "default path under $HOME");
	free(p);
	if (old != NULL)
		setenv("HOME", old, 1);
	free(old);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL || libssh2_init(0) != 0 ||
	    (session = libssh2_session_init()) == NULL) {
		printf("Bail out! no temp dir or libssh2 session\n");
		return 1;
	}
	buf_init(&warnings);
	if (keygen(&ka, "a", "ed25519", LIBSSH2_HOSTKEY_TYPE_ED25519) != 0 ||
	    keygen(&kb, "b", "ed25519", LIBSSH2_HOSTKEY_TYPE_ED25519) != 0 ||
	    keygen(&kc, "c", "ecdsa", LIBSSH2_HOSTKEY_TYPE_ECDSA_256) != 0) {
		printf("Bail out! ssh-keygen failed\n");
		return 1;
	}
	test_plain_port_hashed();
	test_bad_lines();
	test_append();
	test_fingerprint(&ka, "ed25519");
	test_fingerprint(&kc, "ecdsa");
	test_line_ends();
	test_bounded();
	test_default_path();

	libssh2_session_free(session);
	libssh2_exit();
	char *cmd = xasprintf("rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(cmd);
	buf_free(&warnings);
	struct key *keys[] = { &ka, &kb, &kc };
	for (size_t i = 0; i < 3; i++) {
		free(keys[i]->line);
		free(keys[i]->blob);
		free(keys[i]->path);
	}
	return done_testing();
}
