/*
 * Reading an smbclient authentication file (see authfile.h).  The lines are
 * read as smbclient reads them: "key = value", keys in any case, the
 * blanks after '=' skipped and the rest of the line kept, so a password
 * that ends in a space means the same to both; comments (# or ;) and blank
 * lines are skipped.  Unlike smbclient, anything else is an error with its
 * line number, since a line it silently skips is usually a mistyped key.
 *
 * The file is read with read(2) into one block of our own, never through
 * stdio, whose buffer would keep a copy of the password in freed memory;
 * the block is wiped before it is freed.  Messages name the file, the line
 * and the key, never any text of a line: a line that is not "key = value"
 * may well be the password itself.
 */
#include "autoconf.h"
#include "config/authfile.h"

#include "backend/core/nal.h"
#include "backend/core/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define AUTHFILE_MAX (64 * 1024)   /* three short lines; stops a wrong file early */
#define ACCOUNT_MAX 256            /* longer than any user principal name */

enum { KEY_USERNAME, KEY_PASSWORD, KEY_DOMAIN, NKEYS };
static const char *const key_names[NKEYS] = { "username", "password", "domain" };

/* The file while it is parsed: each key's value and line. */
struct af_parse {
	const char *path;
	char *err;
	char *val[NKEYS];
	int line[NKEYS];
};

static void
wipe_free(char *p)
{
	if (p != NULL)
		explicit_bzero(p, strlen(p));
	free(p);
}

/* ---- the account ------------------------------------------------------- */

/* A Windows account name: none of the characters Windows forbids in one,
 * no control characters; '@' is fine (user@corp.example). */
static bool
account_name_valid(const char *s, size_t n, char *bad)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (iscntrl(c) || strchr("\"/[]:;|=,+*?<>", c) != NULL) {
			*bad = (char)c;
			return false;
		}
	}
	return true;
}

/* Why v is not an account (malloc'd), or NULL when it is one. */
static char *
account_why(const char *v, const char *bs, const char *nm, const char *dom)
{
	char bad = 0;
	if (strlen(v) > ACCOUNT_MAX)
		return xasprintf("it is longer than %d characters", ACCOUNT_MAX);
	if (bs != NULL && strchr(nm, '\\') != NULL)
		return xstrdup("it has more than one backslash");
	if (bs == v)
		return xstrdup("there is no domain before the backslash");
	if (*nm == '\0')
		return xstrdup(bs ? "there is no name after the backslash" : "it is empty");
	if (!account_name_valid(nm, strlen(nm), &bad))
		return iscntrl((unsigned char)bad) ? xstrdup("it contains a control character") :
		    xasprintf("it contains '%c', which Windows account names cannot", bad);
	if (dom != NULL && !servername_valid(dom))
		return xasprintf("\"%s\" is not a domain name (letters, digits, '-', '_' and '.')", dom);
	return NULL;
}

int
authfile_split_account(const char *v, char **name, char **domain, char **why)
{
	const char *bs = strchr(v, '\\');
	const char *nm = bs ? bs + 1 : v;
	char *dom = bs ? xstrndup(v, (size_t)(bs - v)) : NULL;
	char *w = account_why(v, bs, nm, dom);
	*name = *domain = NULL;
	if (w != NULL) {
		free(dom);
		if (why != NULL)
			*why = w;
		else
			free(w);
		return -1;
	}
	*name = xstrdup(nm);
	*domain = dom;
	return 0;
}

/* ---- the file ---------------------------------------------------------- */

/* Record "PATH:LINE: message" ("PATH: message" for line 0) unless an
 * earlier error is recorded: the first one is the one to fix. */
__attribute__((format(printf, 3, 4))) static void
af_fail(struct af_parse *P, int line, const char *fmt, ...)
{
	if (P->err != NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	P->err = line > 0 ? xasprintf("%s:%d: %s", P->path, line, msg) :
	    xasprintf("%s: %s", P->path, msg);
	free(msg);
}

/* What the group or others may do with the file, in words; NULL when
 * nothing (OpenSSH's rule for a private key: no group or other bits). */
static const char *
perm_reason(mode_t m)
{
	static const struct {
		mode_t bit;
		const char *why;
	} bits[] = {
		{ S_IROTH, "others can read the password" },
		{ S_IRGRP, "its group can read the password" },
		{ S_IWOTH, "others can change it" },
		{ S_IWGRP, "its group can change it" },
		{ S_IXOTH | S_IXGRP, "its group or others have access to it" },
	};
	for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
		if (m & bits[i].bit)
			return bits[i].why;
	return NULL;
}

static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "it is a directory";
	if (S_ISFIFO(m) || S_ISSOCK(m))
		return "it is a pipe or a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "it is a device";
	return "it is not a regular file";
}

/* The whole file into buf (cap bytes, one more than the largest file
 * taken): its length, or -1. */
static long
af_read_all(struct af_parse *P, int fd, char *buf, size_t cap)
{
	size_t len = 0;
	for (;;) {
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			af_fail(P, 0, "%s", strerror(errno));
			return -1;
		}
		if (r == 0)
			return (long)len;
		len += (size_t)r;
		if (len == cap) {
			af_fail(P, 0, "longer than %zu bytes: not an authentication file "
			    "(username =, password = and domain = lines)", cap - 1);
			return -1;
		}
	}
}

/* Open and check the file, and read it: its length, or -1.  The checks
 * are made on the open file, so what was checked is what is read; without
 * O_NONBLOCK a FIFO would hang the open. */
static long
af_load(struct af_parse *P, char *buf, size_t cap)
{
	int fd = open(P->path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		af_fail(P, 0, "%s", strerror(errno));
		return -1;
	}
	struct stat st;
	long n = -1;
	if (fstat(fd, &st) != 0)
		af_fail(P, 0, "%s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		af_fail(P, 0, "%s; the authfile must be a file", file_kind(st.st_mode));
	else if (perm_reason(st.st_mode) != NULL)
		af_fail(P, 0, "permissions %04o are too open: %s; chmod 600 %s",
		    (unsigned)(st.st_mode & 07777), perm_reason(st.st_mode), P->path);
	else
		n = af_read_all(P, fd, buf, cap);
	(void)close(fd);
	return n;
}

static int
af_key(const char *k, size_t n)
{
	for (int i = 0; i < NKEYS; i++)
		if (strncasecmp(k, key_names[i], n) == 0 && key_names[i][n] == '\0')
			return i;
	return -1;
}

/* One line (its line ending removed). */
static void
af_line(struct af_parse *P, int no, const char *line)
{
	const char *t = line + strspn(line, " \t");
	if (*t == '\0' || *t == '#' || *t == ';')
		return;
	const char *eq = strchr(t, '=');
	if (eq == NULL) {
		af_fail(P, no, "expected 'key = value' (username, password or domain); "
		    "the line is not shown, as it may hold the password");
		return;
	}
	const char *ke = eq;
	while (ke > t && (ke[-1] == ' ' || ke[-1] == '\t'))
		ke--;
	int k = af_key(t, (size_t)(ke - t));
	if (k < 0) {
		af_fail(P, no, "%s; the keys are username, password and domain (the line is "
		    "not shown, as it may hold the password)", ke == t ? "no key before '='" :
		    "unknown key");
		return;
	}
	if (P->line[k] != 0) {
		af_fail(P, no, "a second '%s' (the first is on line %d)", key_names[k], P->line[k]);
		return;
	}
	const char *v = eq + 1 + strspn(eq + 1, " \t");
	size_t n = strlen(v);
	while (k != KEY_PASSWORD && n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n == 0) {
		af_fail(P, no, "'%s' has no value", key_names[k]);
		return;
	}
	P->val[k] = xstrndup(v, n);
	P->line[k] = no;
}

/* Split buf (len bytes, NUL after them) into lines for af_line. */
static void
af_lines(struct af_parse *P, char *buf, size_t len)
{
	int no = 0;
	for (char *p = buf; p < buf + len && P->err == NULL; ) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		char *end = nl ? nl : buf + len;
		no++;
		if (memchr(p, '\0', (size_t)(end - p)) != NULL) {
			af_fail(P, no, "the line contains a NUL byte; is this a text file?");
			return;
		}
		*end = '\0';
		if (end > p && end[-1] == '\r')
			end[-1] = '\0';
		af_line(P, no, p);
		p = end + 1;
	}
}

/* After the last line: the password is there, the account makes sense. */
static void
af_finish(struct af_parse *P, struct authfile *a)
{
	char *why = NULL, *dom = NULL;
	if (P->err != NULL)
		return;
	if (P->val[KEY_PASSWORD] == NULL)
		af_fail(P, 0, "no 'password =' line; the file gives the password "
		    "(and may give username and domain)");
	else if (P->val[KEY_DOMAIN] != NULL && !servername_valid(P->val[KEY_DOMAIN]))
		af_fail(P, P->line[KEY_DOMAIN], "bad domain \"%s\": not a domain name (letters, digits, "
		    "'-', '_' and '.')", P->val[KEY_DOMAIN]);
	else if (P->val[KEY_USERNAME] != NULL &&
	    authfile_split_account(P->val[KEY_USERNAME], &a->user, &dom, &why) != 0)
		af_fail(P, P->line[KEY_USERNAME], "bad username \"%s\": %s", P->val[KEY_USERNAME], why);
	else if (dom != NULL && P->val[KEY_DOMAIN] != NULL && strcasecmp(dom, P->val[KEY_DOMAIN]) != 0)
		af_fail(P, P->line[KEY_USERNAME], "username = %s names domain %s, but domain = %s "
		    "(line %d); give the domain once", P->val[KEY_USERNAME], dom, P->val[KEY_DOMAIN],
		    P->line[KEY_DOMAIN]);
	free(why);
	if (P->err != NULL) {
		free(dom);
		return;
	}
	a->user_line = a->user ? P->line[KEY_USERNAME] : 0;
	a->domain = P->val[KEY_DOMAIN] ? xstrdup(P->val[KEY_DOMAIN]) : dom;
	a->domain_line = P->val[KEY_DOMAIN] ? P->line[KEY_DOMAIN] : dom ? P->line[KEY_USERNAME] : 0;
	if (P->val[KEY_DOMAIN] != NULL)
		free(dom);
	a->password = P->val[KEY_PASSWORD];
	P->val[KEY_PASSWORD] = NULL;
}

int
authfile_read(const char *path, struct authfile *a, char **err)
{
	struct af_parse P = { .path = path };
	*a = (struct authfile){0};
	char *buf = xmalloc(AUTHFILE_MAX + 2);
	long n = af_load(&P, buf, AUTHFILE_MAX + 1);
	if (n >= 0) {
		buf[n] = '\0';
		af_lines(&P, buf, (size_t)n);
		af_finish(&P, a);
	}
	explicit_bzero(buf, AUTHFILE_MAX + 2);
	free(buf);
	for (int k = 0; k < NKEYS; k++)
		wipe_free(P.val[k]);
	if (P.err == NULL)
		return 0;
	authfile_free(a);
	if (err != NULL)
		*err = P.err;
	else
		free(P.err);
	return -1;
}

void
authfile_free(struct authfile *a)
{
	if (a == NULL)
		return;
	wipe_free(a->password);
	free(a->user);
	free(a->domain);
	*a = (struct authfile){0};
}

int
authfile_agree(const struct authfile *a, const char *path, const char *user,
    const char *domain, char **err)
{
	if (user != NULL && a->user != NULL && strcasecmp(user, a->user) != 0) {
		*err = xasprintf("%s:%d: username %s is not the section's user %s; name the account "
		    "in one place, or the same in both", path, a->user_line, a->user, user);
		return -1;
	}
	if (domain != NULL && a->domain != NULL && strcasecmp(domain, a->domain) != 0) {
		*err = xasprintf("%s:%d: domain %s is not the section's domain %s; name the domain "
		    "in one place, or the same in both", path, a->domain_line, a->domain, domain);
		return -1;
	}
	return 0;
}
