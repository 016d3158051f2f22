/*
 * Host-key checking against OpenSSH known_hosts files (see sshkh.h).
 * libssh2 1.10 does the matching (plain and hashed names, key comparison),
 * but we feed it ourselves, one line at a time: its readfile gives up at
 * the first line it cannot parse and drops every entry after it, which
 * would turn a stray line into "host unknown" for the rest of the file.
 * Markers (@revoked, @cert-authority) are handled here because libssh2
 * would read them as plain entries.  We also remember each entry's host
 * field and key type so the host-key preference can be narrowed to the
 * types known for a host before the handshake.  New keys are appended as
 * one line with one write(), never by rewriting the user's file.
 */
#include "autoconf.h"
#include "backend/transport/ssh/sshkh.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/core/util.h"

/*
 * Longest line we hand to libssh2.  An RSA-16384 key line is under 3 KB;
 * anything far longer is not a key we could use, so skipping it with a
 * warning is better than feeding megabytes to the parser.
 */
#define SSHKH_LINE_MAX 16384

#define SSHKH_PREFS_DEFAULT \
	"ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,ssh-rsa"

/* Key types in OpenSSH's preference order (ssh-dss last: off by default). */
static const struct sshkh_type {
	const char *name;
	int hostkey;	/* LIBSSH2_HOSTKEY_TYPE_* */
	int bit;	/* LIBSSH2_KNOWNHOST_KEY_* */
} sshkh_types[] = {
	{ "ssh-ed25519", LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519 },
	{ "ecdsa-sha2-nistp256", LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256 },
	{ "ecdsa-sha2-nistp384", LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384 },
	{ "ecdsa-sha2-nistp521", LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521 },
	{ "ssh-rsa", LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA },
	{ "ssh-dss", LIBSSH2_HOSTKEY_TYPE_DSS, LIBSSH2_KNOWNHOST_KEY_SSHDSS },
};
#define SSHKH_NTYPES (sizeof(sshkh_types) / sizeof(sshkh_types[0]))

/* What we remember of a loaded entry, for sshkh_prefs. */
struct sshkh_entry {
	char *hosts;	/* the host field as written: "a,b" or "|1|salt|hash" */
	size_t type;	/* index into sshkh_types */
};

/* A key from an @revoked line: refused whatever host offers it. */
struct sshkh_revoked {
	char *key;	/* base64 as in the file */
	char *where;	/* "PATH:LINE" for the refusal message */
};

struct sshkh {
	LIBSSH2_SESSION *session;
	LIBSSH2_KNOWNHOSTS *hosts;
	sshkh_warn_fn warn;
	void *ctx;
	struct sshkh_entry *entries;
	size_t nentries;
	struct sshkh_revoked *revoked;
	size_t nrevoked;
	char *prefs;
};

/* One whitespace-separated field of a known_hosts line. */
struct sshkh_field {
	const char *p;
	size_t len;
};

static const struct sshkh_type *
sshkh_type_by_hostkey(int hostkey)
{
	for (size_t i = 0; i < SSHKH_NTYPES; i++)
		if (sshkh_types[i].hostkey == hostkey)
			return &sshkh_types[i];
	return NULL;
}

static const struct sshkh_type *
sshkh_type_by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < SSHKH_NTYPES; i++)
		if (strlen(sshkh_types[i].name) == len &&
		    memcmp(sshkh_types[i].name, name, len) == 0)
			return &sshkh_types[i];
	return NULL;
}

static __attribute__((format(printf, 2, 3))) void
sshkh_warnf(const struct sshkh *kh, const char *fmt, ...)
{
	va_list ap;
	char small[256];

	if (kh->warn == NULL)
		return;
	/* Most warnings fit the stack: one formatting pass and no allocation
	 * (a file of bad lines warns once a line). */
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof small) {
		kh->warn(kh->ctx, small);
		return;
	}
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	kh->warn(kh->ctx, msg);
	free(msg);
}

/* Base64 without line breaks (malloc'd), as OpenSSH writes key fields. */
static char *
sshkh_b64(const void *data, size_t len)
{
	if (len > (size_t)INT_MAX / 4 * 3 - 3)
		return NULL;
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

/* Decode standard padded base64; -1 when it is not. */
static int
sshkh_unb64(const char *s, size_t len, unsigned char **out, size_t *outlen)
{
	if (len == 0 || len % 4 != 0 || len > (size_t)INT_MAX)
		return -1;
	/* Padding only at the end: EVP_DecodeBlock takes a '=' inside too,
	 * and libssh2's own decoder reads such text to another length (the
	 * HMAC check it then does on a hashed name leaks: fuzz_sshkh). */
	size_t pad = 0;
	while (pad < 2 && s[len - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < len - pad; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' && s[i] != '/')
			return -1;
	unsigned char *p = xmalloc(len / 4 * 3 + 1);
	int n = EVP_DecodeBlock(p, (const unsigned char *)s, (int)len);
	if (n < 0) {
		free(p);
		return -1;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	for (size_t i = len; i > 0 && s[i - 1] == '='; i--)
		n--;
	*out = p;
	*outlen = (size_t)n;
	return 0;
}

/*
 * The name OpenSSH looks up: "host" for port 22, "[host]:port" otherwise,
 * lower-cased as ssh(1) does.  NULL for a name that cannot be a host (it
 * would break the line we append or match a pattern we never meant).
 */
static char *
sshkh_lookup_name(const char *host, int port)
{
	if (host == NULL || *host == '\0')
		return NULL;
	for (const char *c = host; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && strchr(".-_:%", *c) == NULL)
			return NULL;
	char *name = (port <= 0 || port == 22) ? xstrdup(host) :
	    xasprintf("[%s]:%d", host, port);
	for (char *c = name; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	return name;
}

/* --- loading ------------------------------------------------------------ */

static size_t
sshkh_split(const char *p, struct sshkh_field *f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		f[n].p = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		f[n].len = (size_t)(p - f[n].p);
		n++;
	}
	return n;
}

/*
 * @revoked: we honour the key (never accepted, for any host: stricter than
 * OpenSSH, which scopes it to the line's hosts) but cannot use the line as
 * an entry.  @cert-authority needs host certificates, which libssh2 1.10
 * does not verify.
 */
static void
sshkh_marker(struct sshkh *kh, const char *path, unsigned long lineno, const char *line)
{
	struct sshkh_field f[4];
	size_t n = sshkh_split(line, f, 4);

	if (f[0].len == 8 && memcmp(f[0].p, "@revoked", 8) == 0 && n >= 4) {
		kh->revoked = xreallocarray(kh->revoked, kh->nrevoked + 1, sizeof *kh->revoked);
		struct sshkh_revoked *r = &kh->revoked[kh->nrevoked++];
		r->key = xstrndup(f[3].p, f[3].len);
		r->where = xasprintf("%s:%lu", path, lineno);
		sshkh_warnf(kh, "%s:%lu: @revoked is not supported as an entry; line skipped "
		    "(its key is refused for every host)", path, lineno);
	} else if (f[0].len == 15 && memcmp(f[0].p, "@cert-authority", 15) == 0) {
		sshkh_warnf(kh, "%s:%lu: @cert-authority is not supported (no host "
		    "certificates in libssh2 1.10); line skipped", path, lineno);
	} else {
		sshkh_warnf(kh, "%s:%lu: cannot parse (unknown marker %.*s); line skipped",
		    path, lineno, (int)(f[0].len > 40 ? 40 : f[0].len), f[0].p);
	}
}

/*
 * A hashed name is "|1|" base64(salt) "|" base64(HMAC-SHA1): both 20
 * bytes, or OpenSSH skips the line.  libssh2 1.10 takes any length and
 * then leaks an HMAC context on every check against it, so such a line
 * never reaches it.
 */
static bool
sshkh_hash_ok(const struct sshkh_field *host)
{
	if (host->len < 3 || strncmp(host->p, "|1|", 3) != 0)
		return true;
	const char *salt = host->p + 3, *end = host->p + host->len;
	const char *bar = memchr(salt, '|', (size_t)(end - salt));
	unsigned char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	bool ok = bar != NULL && sshkh_unb64(salt, (size_t)(bar - salt), &a, &alen) == 0 &&
	    sshkh_unb64(bar + 1, (size_t)(end - bar - 1), &b, &blen) == 0 &&
	    alen == 20 && blen == 20;
	free(a);
	free(b);
	return ok;
}

/*
 * Give one entry to libssh2.  1.10's readline takes a host field of at
 * most two characters for a hashed one and silently adds nothing (so "db"
 * would never match); such names go in through addc instead.
 */
static int
sshkh_add_line(struct sshkh *kh, const char *line, size_t len, const struct sshkh_field *f,
    const char **why)
{
	const struct sshkh_type *t = sshkh_type_by_name(f[1].p, f[1].len);
	char *msg = NULL;
	int rc;

	*why = "unsupported key type";
	if (!sshkh_hash_ok(&f[0])) {
		*why = "hashed host name is not HMAC-SHA1 (salt and hash must be 20 bytes each)";
		return -1;
	}
	if (f[0].len > 2) {
		rc = libssh2_knownhost_readline(kh->hosts, line, len,
		    LIBSSH2_KNOWNHOST_FILE_OPENSSH);
	} else if (t == NULL) {
		return -1;
	} else {
		char *name = xstrndup(f[0].p, f[0].len);
		char *key = xstrndup(f[2].p, f[2].len);
		rc = libssh2_knownhost_addc(kh->hosts, name, NULL, key, f[2].len, NULL, 0,
		    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_BASE64 | t->bit,
		    NULL);
		free(name);
		free(key);
	}
	if (rc != 0 && libssh2_session_last_error(kh->session, &msg, NULL, 0) != 0 &&
	    msg != NULL)
		*why = msg;	/* owned by the session, valid until its next error */
	return rc;
}

/*
 * What OpenSSH would reject but libssh2 1.10 takes: an unknown type name
 * (it adds "host is not a line" as an entry of unknown type) or a key
 * field whose blob does not start with its own type name.  NULL when fine.
 */
static const char *
sshkh_bad_key(const struct sshkh_field *f)
{
	const struct sshkh_type *t = sshkh_type_by_name(f[1].p, f[1].len);
	unsigned char *blob = NULL;
	size_t len = 0;
	const char *why = NULL;

	if (t == NULL)
		return "unsupported key type";
	size_t tlen = strlen(t->name);
	if (sshkh_unb64(f[2].p, f[2].len, &blob, &len) != 0)
		why = "key is not base64";
	else if (len < 4 + tlen || blob[0] != 0 || blob[1] != 0 || blob[2] != 0 ||
	    blob[3] != tlen || memcmp(blob + 4, t->name, tlen) != 0)
		why = "key does not match its type";
	free(blob);
	return why;
}

static void
sshkh_remember(struct sshkh *kh, const struct sshkh_field *f)
{
	const struct sshkh_type *t = sshkh_type_by_name(f[1].p, f[1].len);

	if (t == NULL)
		return;
	kh->entries = xreallocarray(kh->entries, kh->nentries + 1, sizeof *kh->entries);
	kh->entries[kh->nentries].hosts = xstrndup(f[0].p, f[0].len);
	kh->entries[kh->nentries].type = (size_t)(t - sshkh_types);
	kh->nentries++;
}

static void
sshkh_load_line(struct sshkh *kh, const char *path, unsigned long lineno, char *line,
    size_t n)
{
	struct sshkh_field f[3];
	const char *why;

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (memchr(line, '\0', n) != NULL) {
		sshkh_warnf(kh, "%s:%lu: cannot parse (NUL byte); line skipped", path, lineno);
		return;
	}
	char *p = line + strspn(line, " \t");
	size_t len = n - (size_t)(p - line);
	if (*p == '\0' || *p == '#')
		return;
	if (len > SSHKH_LINE_MAX) {
		sshkh_warnf(kh, "%s:%lu: cannot parse (line too long: %zu bytes); line skipped",
		    path, lineno, len);
		return;
	}
	if (*p == '@') {
		sshkh_marker(kh, path, lineno, p);
		return;
	}
	if (sshkh_split(p, f, 3) < 3) {
		sshkh_warnf(kh, "%s:%lu: cannot parse (want: hosts keytype key); line skipped",
		    path, lineno);
		return;
	}
	if ((why = sshkh_bad_key(f)) != NULL || sshkh_add_line(kh, p, len, f, &why) != 0) {
		sshkh_warnf(kh, "%s:%lu: cannot parse (%s); line skipped", path, lineno, why);
		return;
	}
	sshkh_remember(kh, f);
}

/* The most of a physical line held in memory: room for the longest line
 * we parse (SSHKH_LINE_MAX) with generous leading space; a longer one is
 * counted and dropped, so one line cannot cost any amount of memory. */
#define SSHKH_READ_MAX (4 * SSHKH_LINE_MAX)

/* A file read in blocks: the bytes of buf[pos..len) are not handed out
 * yet.  (getc took a lock and a test per byte, most of fuzz_sshkh's
 * time; here a line is found with memchr and copied at once.) */
struct sshkh_reader {
	int fd;
	int err;	/* errno of a failed read, 0 if none */
	size_t pos, len;
	char buf[4096];
};

/* More bytes into r->buf: false at end of file or on an error (r->err). */
static bool
sshkh_fill(struct sshkh_reader *r)
{
	ssize_t got;
	do
		got = read(r->fd, r->buf, sizeof r->buf);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		r->err = errno ? errno : EIO;
	r->pos = 0;
	r->len = got > 0 ? (size_t)got : 0;
	return got > 0;
}

/* One line into *line (grown as needed, at most SSHKH_READ_MAX bytes kept
 * and a NUL): its stored length, or -1 at end of file; *total is its
 * length in the file. */
static ssize_t
sshkh_read_line(struct sshkh_reader *r, char **line, size_t *cap, size_t *total)
{
	size_t n = 0;
	bool nl = false;
	*total = 0;
	while (!nl && (r->pos < r->len || (r->err == 0 && sshkh_fill(r)))) {
		const char *s = r->buf + r->pos, *end = memchr(s, '\n', r->len - r->pos);
		size_t take = end ? (size_t)(end - s) + 1 : r->len - r->pos;
		size_t keep = take < SSHKH_READ_MAX - n ? take : SSHKH_READ_MAX - n;
		if (n + keep + 1 > *cap) {
			*cap = n + keep + 1 > 2 * *cap ? n + keep + 1 : 2 * *cap;
			*line = xrealloc(*line, *cap);
		}
		memcpy(*line + n, s, keep);
		n += keep;
		*total += take;
		r->pos += take;
		nl = end != NULL;
	}
	if (*total == 0)
		return -1;
	(*line)[n] = '\0';
	return (ssize_t)n;
}

/* Whether st is /dev/null: the usual way to say "no known hosts file"
 * (UserKnownHostsFile /dev/null), read as the empty file it is. */
static bool
sshkh_is_dev_null(const struct stat *st)
{
	struct stat null;
	return S_ISCHR(st->st_mode) && stat("/dev/null", &null) == 0 &&
	    S_ISCHR(null.st_mode) && st->st_rdev == null.st_rdev;
}

/* Open one file for reading: 1 with *out set, 0 when there is none (or it
 * is /dev/null), -1 with *err set.  Only a regular file is read: a device
 * such as /dev/zero never ends, and O_NONBLOCK keeps a FIFO from hanging
 * the open before its type is checked. */
static int
sshkh_open(const char *path, int *out, char **err)
{
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		err_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	int rc = -1;
	if (fstat(fd, &st) != 0)
		err_set(err, "%s: %s", path, strerror(errno));
	else if (sshkh_is_dev_null(&st))
		rc = 0;
	else if (!S_ISREG(st.st_mode))
		err_set(err, "%s: %s; a known hosts file must be a regular file", path,
		    file_type_words(st.st_mode));
	else {
		*out = fd;
		return 1;
	}
	(void)close(fd);
	return rc;
}

/* Read one file; a missing file is an empty one, as for ssh(1). */
static int
sshkh_load_file(struct sshkh *kh, const char *path, char **err)
{
	struct sshkh_reader r = { .fd = -1 };
	int o = sshkh_open(path, &r.fd, err);
	if (o <= 0)
		return o;
	char *line = NULL;
	size_t cap = 0, total;
	ssize_t n;
	unsigned long lineno = 0;
	while ((n = sshkh_read_line(&r, &line, &cap, &total)) != -1) {
		++lineno;
		if ((size_t)n < total && (size_t)n == SSHKH_READ_MAX)
			sshkh_warnf(kh, "%s:%lu: cannot parse (line too long: %zu bytes); "
			    "line skipped", path, lineno, total);
		else
			sshkh_load_line(kh, path, lineno, line, (size_t)n);
	}
	int saved = r.err;
	free(line);
	if (close(r.fd) != 0 && saved == 0)
		saved = errno;
	if (saved != 0) {
		err_set(err, "%s: read: %s", path, strerror(saved));
		return -1;
	}
	return 0;
}

struct sshkh *
sshkh_load(LIBSSH2_SESSION *s, const char *const *paths, size_t npaths,
    sshkh_warn_fn warn, void *ctx, char **err)
{
	struct sshkh *kh = xcalloc(1, sizeof *kh);

	kh->session = s;
	kh->warn = warn;
	kh->ctx = ctx;
	kh->hosts = libssh2_knownhost_init(s);
	if (kh->hosts == NULL) {
		err_set(err, "known_hosts: libssh2_knownhost_init failed");
		free(kh);
		return NULL;
	}
	for (size_t i = 0; paths != NULL && i < npaths; i++) {
		if (paths[i] != NULL && sshkh_load_file(kh, paths[i], err) != 0) {
			sshkh_free(kh);
			return NULL;
		}
	}
	return kh;
}

void
sshkh_free(struct sshkh *kh)
{
	if (kh == NULL)
		return;
	libssh2_knownhost_free(kh->hosts);
	for (size_t i = 0; i < kh->nentries; i++)
		free(kh->entries[i].hosts);
	free(kh->entries);
	for (size_t i = 0; i < kh->nrevoked; i++) {
		free(kh->revoked[i].key);
		free(kh->revoked[i].where);
	}
	free(kh->revoked);
	free(kh->prefs);
	free(kh);
}

/* --- preferences -------------------------------------------------------- */

/* "|1|salt|hash": HMAC-SHA1(salt, name) == hash, as OpenSSH hashes names. */
static bool
sshkh_hashed_match(const char *field, const char *name)
{
	const char *salt = field + 3;
	const char *bar = strchr(salt, '|');
	unsigned char *s = NULL, *h = NULL;
	size_t slen = 0, hlen = 0;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	bool match = false;

	if (bar == NULL)
		return false;
	if (sshkh_unb64(salt, (size_t)(bar - salt), &s, &slen) == 0 &&
	    sshkh_unb64(bar + 1, strlen(bar + 1), &h, &hlen) == 0 && slen <= INT_MAX &&
	    HMAC(EVP_sha1(), s, (int)slen, (const unsigned char *)name, strlen(name),
	    md, &mdlen) != NULL)
		match = (mdlen == hlen && memcmp(md, h, hlen) == 0);
	free(s);
	free(h);
	return match;
}

/*
 * Whether an entry's host field names exactly this lookup name, the way
 * libssh2 will compare it after the handshake (case-sensitive, no
 * wildcards or negation: libssh2 1.10 has neither), so the narrowed list
 * never names a type whose entry the check would then not find.
 */
static bool
sshkh_entry_names(const struct sshkh_entry *e, const char *name)
{
	size_t nlen = strlen(name);

	if (strncmp(e->hosts, "|1|", 3) == 0)
		return sshkh_hashed_match(e->hosts, name);
	for (const char *p = e->hosts; ; ) {
		size_t len = strcspn(p, ",");
		if (len == nlen && memcmp(p, name, len) == 0)
			return true;
		if (p[len] == '\0')
			return false;
		p += len + 1;
	}
}

/*
 * Only the known types, not "known types first": a server (or a man in the
 * middle) that cannot present a known type then fails the handshake
 * instead of reaching NOTFOUND and an "accept this new key?" question for
 * a host we already know.  A host whose key type really changed needs its
 * old entry removed (ssh-keygen -R), as OpenSSH's warning also says.
 */
const char *
sshkh_prefs(const struct sshkh *kh, const char *host, int port)
{
	bool known[SSHKH_NTYPES] = { false };
	bool any = false;
	char *name = sshkh_lookup_name(host, port);

	if (kh == NULL || name == NULL) {
		free(name);
		return SSHKH_PREFS_DEFAULT;
	}
	for (size_t i = 0; i < kh->nentries; i++) {
		if (!known[kh->entries[i].type] && sshkh_entry_names(&kh->entries[i], name))
			known[kh->entries[i].type] = any = true;
	}
	free(name);
	if (!any)
		return SSHKH_PREFS_DEFAULT;
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < SSHKH_NTYPES; i++) {
		if (!known[i])
			continue;
		if (b.len > 0)
			buf_addc(&b, ',');
		buf_adds(&b, sshkh_types[i].name);
	}
	/* The cast: the string is cached in kh, the lookup itself is const. */
	struct sshkh *mut = (struct sshkh *)kh;
	free(mut->prefs);
	mut->prefs = buf_detach(&b);
	return mut->prefs;
}

/* --- checking ----------------------------------------------------------- */

/* The @revoked entry of a key (b64: the key in base64, or NULL), or NULL. */
static const struct sshkh_revoked *
sshkh_find_revoked(const struct sshkh *kh, const char *b64)
{
	for (size_t i = 0; b64 != NULL && i < kh->nrevoked; i++)
		if (strcmp(kh->revoked[i].key, b64) == 0)
			return &kh->revoked[i];
	return NULL;
}

/*
 * The lookup name is built here and passed with port -1: libssh2 1.10's
 * checkp with a port also tries the plain "host" entry when "[host]:port"
 * gave no match, so a port-22 key would be accepted on port 2222 and would
 * even override a MISMATCH against the port's own entry.  OpenSSH keeps
 * ports apart; so do we.
 *
 * Key types: the typemask carries the offered key's type, so only entries
 * of that type are compared.  Same type, other key → MISMATCH.  Host known
 * only with other types → NOTFOUND, as OpenSSH ("not found for this type";
 * it also shows the other keys).  sshkh_prefs narrows the handshake to the
 * known types, so that case only arises without that narrowing.
 */
enum sshkh_result
sshkh_check(struct sshkh *kh, const char *host, int port, const char *key, size_t len,
    int type)
{
	const struct sshkh_type *t = sshkh_type_by_hostkey(type);
	const struct sshkh_revoked *r;
	struct libssh2_knownhost *found = NULL;

	if (kh == NULL || key == NULL || len == 0 || t == NULL)
		return SSHKH_ERROR;
	char *name = sshkh_lookup_name(host, port);
	if (name == NULL)
		return SSHKH_ERROR;
	/* The key in base64, as the file has it, is handed to libssh2 too: 1.10
	 * encodes a raw key itself with an snprintf per four characters, which
	 * was a fifth of fuzz_sshkh's time.  (NULL only for a key of gigabytes:
	 * then libssh2 is given it raw, as before.) */
	char *b64 = sshkh_b64(key, len);
	if ((r = sshkh_find_revoked(kh, b64)) != NULL) {
		sshkh_warnf(kh, "%s: the %s key offered by %s is marked @revoked", r->where,
		    t->name, name);
		free(b64);
		free(name);
		return SSHKH_MISMATCH;
	}
	int rc = b64 != NULL ?
	    libssh2_knownhost_checkp(kh->hosts, name, -1, b64, strlen(b64),
	    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_BASE64 | t->bit, &found) :
	    libssh2_knownhost_checkp(kh->hosts, name, -1, key, len,
	    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | t->bit, &found);
	free(b64);
	free(name);
	switch (rc) {
	case LIBSSH2_KNOWNHOST_CHECK_MATCH:
		return SSHKH_MATCH;
	case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
		return SSHKH_MISMATCH;
	case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
		return SSHKH_NOTFOUND;
	default:
		return SSHKH_ERROR;
	}
}

/* --- fingerprints ------------------------------------------------------- */

void
sshkh_fingerprint_of(const unsigned char hash[static 32], char out[static 64])
{
	unsigned char b64[45];

	EVP_EncodeBlock(b64, hash, 32);	/* 43 characters and one '=' */
	b64[43] = '\0';
	snprintf(out, 64, "SHA256:%s", (const char *)b64);
}

int
sshkh_fingerprint(LIBSSH2_SESSION *s, char out[static 64], const char **type_out)
{
	size_t len = 0;
	int type = LIBSSH2_HOSTKEY_TYPE_UNKNOWN;

	out[0] = '\0';
	if (type_out != NULL)
		*type_out = "unknown";
	const char *key = libssh2_session_hostkey(s, &len, &type);
	const char *hash = libssh2_hostkey_hash(s, LIBSSH2_HOSTKEY_HASH_SHA256);
	if (key == NULL || hash == NULL)
		return -1;
	const struct sshkh_type *t = sshkh_type_by_hostkey(type);
	if (type_out != NULL && t != NULL)
		*type_out = t->name;
	sshkh_fingerprint_of((const unsigned char *)hash, out);
	return 0;
}

/* --- appending ---------------------------------------------------------- */

/* Create the file's folder (0700 for the leaf, like ~/.ssh) when missing. */
static int
sshkh_make_parent(const char *path, char **err)
{
	struct stat st;
	const char *slash = strrchr(path, '/');

	if (slash == NULL || slash == path)
		return 0;
	char *dir = xstrndup(path, (size_t)(slash - path));
	int rc = 0;
	if (stat(dir, &st) != 0) {
		if (errno == ENOENT)
			rc = dir_make_all(dir, true, err);
		else {
			err_set(err, "%s: %s", dir, strerror(errno));
			rc = -1;
		}
	}
	free(dir);
	return rc;
}

/* Whether the file's last byte is not a newline (a hand edit, a crash). */
static int
sshkh_needs_newline(int fd, const char *path, bool *need, char **err)
{
	struct stat st;
	char c;

	*need = false;
	if (fstat(fd, &st) != 0) {
		err_set(err, "%s: fstat: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_size == 0)
		return 0;
	if (pread(fd, &c, 1, st.st_size - 1) != 1) {
		err_set(err, "%s: read: %s", path, strerror(errno));
		return -1;
	}
	*need = (c != '\n');
	return 0;
}

/* One write() of the whole line: O_APPEND keeps concurrent writers apart. */
static int
sshkh_write_line(int fd, const char *path, const char *line, char **err)
{
	ssize_t w;
	bool need = false;

	if (flock(fd, LOCK_EX) != 0) {
		err_set(err, "%s: flock: %s", path, strerror(errno));
		return -1;
	}
	if (sshkh_needs_newline(fd, path, &need, err) != 0)
		return -1;
	char *data = xasprintf("%s%s", need ? "\n" : "", line);
	size_t len = strlen(data);
	do
		w = write(fd, data, len);
	while (w < 0 && errno == EINTR);
	free(data);
	if (w < 0 || (size_t)w != len) {
		err_set(err, "%s: write: %s", path, w < 0 ? strerror(errno) : "short write");
		return -1;
	}
	if (fsync(fd) != 0) {
		err_set(err, "%s: fsync: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
sshkh_append(const char *path, const char *host, int port, const char *key, size_t len,
    int type, char **err)
{
	const struct sshkh_type *t = sshkh_type_by_hostkey(type);
	char *name = sshkh_lookup_name(host, port);
	char *b64 = (key != NULL && len > 0) ? sshkh_b64(key, len) : NULL;
	int rc = -1;

	if (path == NULL) {	/* sshkh_default_path found no home folder */
		err_set(err, "no known_hosts file: neither $HOME nor a home folder is set");
		goto out;
	}
	if (t == NULL || name == NULL || b64 == NULL) {
		err_set(err, "%s: cannot record a key for %s: %s", path, host ? host : "(null)",
		    t == NULL ? "unknown key type" : name == NULL ? "not a host name" :
		    "no key");
		goto out;
	}
	if (sshkh_make_parent(path, err) != 0)
		goto out;
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	char *line = xasprintf("%s %s %s\n", name, t->name, b64);
	rc = sshkh_write_line(fd, path, line, err);
	free(line);
	if (close(fd) != 0 && rc == 0) {
		err_set(err, "%s: close: %s", path, strerror(errno));
		rc = -1;
	}
out:
	free(name);
	free(b64);
	return rc;
}

char *
sshkh_default_path(void)
{
	const char *home = getenv("HOME");

	if (home == NULL || *home == '\0') {
		struct passwd *pw = getpwuid(geteuid());
		home = pw != NULL ? pw->pw_dir : NULL;
	}
	if (home == NULL || *home == '\0')
		return NULL;
	return xasprintf("%s/.ssh/known_hosts", home);
}
