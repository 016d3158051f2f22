/*
 * The simulated hosts' answers to the read-only evidence ops (pathinfo,
 * dirlist, loggrep, statmsgs, shareacl).  They answer what the PowerShell
 * of ops.c would print on the site server, from the same truth the event
 * engine acts on: Windows paths (E:\... on the host itself, \\SERVER\E$\...
 * and \\SERVER\share\... elsewhere) map onto the servers' file trees,
 * status messages come from the site database's store, share ACLs from
 * the server's flags.  A simulated host answers only what a real one can:
 * the Version and PackageID columns stay empty (the stand-in files' headers
 * are the engine's, never an answer); it knows more in one place only, the
 * formatted text of a status message.  Calls to another server (UNC paths,
 * Win32_Share) fail as a key log-in's do without a credential.
 */
#include "autoconf.h"
#include "backend/sim/simint.h"
#include "backend/core/nal.h"
#include "backend/ops/ops.h"
#include "backend/core/proto.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_MAX_BYTES (16u << 20)   /* a log file larger than this is refused */
#define LOGGREP_DEFAULT 2000
#define STATMSGS_DEFAULT 500

/* ---- argument rules (as a host checks them) ---------------------------- */

const struct arg_rule simevd_pathinfo_rules[] = {
	{ "paths", ops_paths_valid, true, "list of Windows paths" },
	{ NULL, NULL, false, NULL },
};

const struct arg_rule simevd_dirlist_rules[] = {
	{ "dir", ops_path_valid, true, "Windows path" },
	{ "pattern", ops_pattern_valid, true, "file name pattern" },
	{ NULL, NULL, false, NULL },
};

const struct arg_rule simevd_loggrep_rules[] = {
	{ "log", ops_logpath_valid, true, "log file path (*.log)" },
	{ "needle", ops_needle_valid, true, "search string" },
	{ "max", ops_count_valid, false, "count (1-100000)" },
	{ NULL, NULL, false, NULL },
};

const struct arg_rule simevd_statmsgs_rules[] = {
	{ "site", sitecode_valid, true, "site code" },
	{ "package", pkgid_valid, true, "package ID" },
	{ "dp", servername_valid, false, "server name" },
	{ "max", ops_count_valid, false, "count (1-100000)" },
	{ "provider", servername_valid, false, "server name" },
	{ NULL, NULL, false, NULL },
};

const struct arg_rule simevd_shareacl_rules[] = {
	{ "server", servername_valid, true, "server name" },
	{ "share", ops_share_valid, true, "share name" },
	{ NULL, NULL, false, NULL },
};

const struct arg_rule simevd_readfile_rules[] = {
	{ "path", ops_path_valid, true, "Windows path" },
	{ "offset", ops_offset_valid, true, "byte offset (0 to 2^53)" },
	{ "max", ops_size_valid, true, "byte count (1-1048576)" },
	{ NULL, NULL, false, NULL },
};

/* ---- Windows paths onto the file trees ---------------------------------- */

/* A server the site knows (its name as the site spells it), or NULL. */
static const char *
known_server(const struct sim_site *s, const char *name)
{
	long i = simdb_find_srv(s, name);
	if (i >= 0)
		return s->srv[i].name;
	return strcasecmp(name, s->filesrv) == 0 ? s->filesrv : NULL;
}

/* Append rel's backslash-separated names to base, matching each one
 * without regard to case as Windows does. */
static char *
resolve_ci(char *base, const char *rel)
{
	while (*rel) {
		size_t n = strcspn(rel, "\\");
		char *want = xstrndup(rel, n), *found = NULL;
		DIR *d = opendir(base);
		struct dirent *de;
		while (d != NULL && found == NULL && (de = readdir(d)) != NULL)
			if (strcmp(de->d_name, want) == 0 || strcasecmp(de->d_name, want) == 0)
				found = xstrdup(de->d_name);
		if (d != NULL)
			closedir(d);
		char *next = xasprintf("%s/%s", base, found ? found : want);
		free(found);
		free(want);
		free(base);
		base = next;
		rel += n + (rel[n] == '\\');
	}
	return base;
}

/* A host logged in to with a key over Windows OpenSSH has no network
 * credentials: it reaches its own shares and WMI, no other server's.  The
 * tests' sshd sets DPDOCTOR_SIM_NO_UNC=1 to model such a log-in; a
 * credential sent with the script (the bootstrap) lifts it, unless the
 * site's password (DPDOCTOR_SIM_PASSWORD) says it is the wrong one. */
char *
simevd_remote_denied(const struct opctx *x, const char *server, bool wmi)
{
	if (strcasecmp(server, x->host) == 0)
		return NULL;
	const char *want = getenv("DPDOCTOR_SIM_PASSWORD");
	if (x->user != NULL && want != NULL && *want != '\0' &&
	    (x->password == NULL || strcmp(x->password, want) != 0))
		return xstrdup(wmi ? "Logon failure: unknown user name or bad password. "
		    "(Exception from HRESULT: 0x8007052E)" :
		    "Logon failure: unknown user name or bad password. (0x8007052E)");
	const char *v = getenv("DPDOCTOR_SIM_NO_UNC");
	if (x->user != NULL || v == NULL || strcmp(v, "1") != 0)
		return NULL;
	return xstrdup(wmi ? "Access is denied. (Exception from HRESULT: 0x80070005 "
	    "(E_ACCESSDENIED))" : "the network path was not found or access is denied");
}

/* The folder behind \\server\share: a share the server has (Win32_Share's
 * list), a file server's share on its D:, else NULL. */
static char *
share_base(const struct sim_site *s, const char *server, const char *share, size_t sl)
{
	long srv = simdb_find_srv(s, server);
	if (srv < 0) {
		char *sh = xstrndup(share, sl);
		char *b = resolve_ci(xasprintf("%s/servers/%s/D:", s->dir, server), sh);
		free(sh);
		return b;
	}
	struct sim_share sh[SIM_MAX_SHARES];
	size_t n = simfs_shares(s, (uint32_t)srv, sh);
	for (size_t i = 0; i < n; i++) {
		if (strlen(sh[i].name) != sl || strncasecmp(sh[i].name, share, sl) != 0)
			continue;
		const char *w = sh[i].path;
		char *base = xasprintf("%s/servers/%s/%c:", s->dir, s->srv[srv].name, w[0]);
		return resolve_ci(base, w + 3);
	}
	return NULL;
}

/* Where a valid Windows path lives in the site's trees; NULL with *why
 * when its server cannot be reached (the site does not know it, or this
 * host has no network credentials). */
static char *
sim_path(const struct opctx *x, const char *win, char **why)
{
	const struct sim_site *s = x->s;
	if (win[1] == ':') {
		long self = simdb_find_srv(s, x->host);
		const char *me = self >= 0 ? s->srv[self].name : known_server(s, x->host);
		if (me == NULL) {
			*why = xasprintf("%s is not a server of the site", x->host);
			return NULL;
		}
		char *base = xasprintf("%s/servers/%s/%c:", s->dir, me, win[0] & ~0x20);
		return resolve_ci(base, win + 3);
	}
	size_t n = strcspn(win + 2, "\\");
	char *name = xstrndup(win + 2, n);
	const char *server = known_server(s, name);
	const char *share = win + 3 + n;
	size_t sl = strcspn(share, "\\");
	char *base = NULL, *deny = NULL;
	if (server == NULL) {
		*why = xasprintf("cannot reach \\\\%s\\%.*s\\ (the network path was not "
		    "found)", name, (int)sl, share);
	} else if ((deny = simevd_remote_denied(x, server, false)) != NULL) {
		*why = xasprintf("cannot reach \\\\%s\\%.*s\\ (%s)", name, (int)sl, share, deny);
		free(deny);
	} else if (sl == 2 && share[1] == '$') {
		base = xasprintf("%s/servers/%s/%c:", s->dir, server, share[0] & ~0x20);
	} else if ((base = share_base(s, server, share, sl)) == NULL) {
		*why = xasprintf("cannot reach \\\\%s\\%.*s\\ (the network name cannot be "
		    "found)", name, (int)sl, share);
	}
	free(name);
	if (base == NULL)
		return NULL;
	return resolve_ci(base, share[sl] ? share + sl + 1 : "");
}

char *
simevd_path(const struct opctx *x, const char *win, char **why)
{
	return sim_path(x, win, why);
}

/* ---- file rows (pathinfo, dirlist) ------------------------------------- */

static const char *const file_cols[] = { "Path", "Exists", "IsDir", "Size",
	"MTime", "Attrs", "Version", "Error", "Name", "PackageID" };

static bool
has_ext(const char *p, const char *ext)
{
	size_t n = strlen(p), e = strlen(ext);
	return n > e && strcasecmp(p + n - e, ext) == 0;
}

/* One F row for `win` (at `path`); `name` adds dirlist's two columns. */
static void
file_row(struct reply *r, const char *win, const char *path, const char *name)
{
	struct stat st;
	char size[24] = "", mtime[21] = "", attrs[8] = "", ver[11] = "", id[9] = "";
	bool there = path != NULL && stat(path, &st) == 0;
	if (there) {
		bool dir = S_ISDIR(st.st_mode);
		unsigned a = dir ? 0x10 : (st.st_mode & SIM_MODE_ARCHIVE) ? 0x20 : 0;
		if (!(st.st_mode & S_IWUSR))
			a |= 0x01;
		snprintf(attrs, sizeof attrs, "%u", a);
		if (!dir)
			snprintf(size, sizeof size, "%lld", (long long)st.st_size);
		/* Files carry site times (the simulator sets them); folders are
		 * made by mkdir at host time, which would read as the future. */
		if (!dir)
			simclock_iso((dpd_time)st.st_mtime, mtime);
		/* Version and PackageID stay empty: a real host cannot read
		 * which package a PKG is for, nor a PCK's version. */
		const char *vals[] = { win, "1", dir ? "1" : "0", size, mtime, attrs,
		    ver, "", name, id };
		simreply_row(r, "F", vals, name ? 10 : 8);
		return;
	}
	const char *vals[] = { win, "0", "0", "", "", "", "", "", name, "" };
	simreply_row(r, "F", vals, name ? 10 : 8);
}

int
simevd_pathinfo(struct opctx *x)
{
	const char *paths = op_arg(x->op, "paths");
	simreply_cols(x->r, "F", file_cols, 8);
	for (const char *p = paths;;) {
		size_t n = strcspn(p, "|");
		char *win = xstrndup(p, n), *why = NULL;
		char *path = sim_path(x, win, &why);
		if (path == NULL) {
			const char *vals[] = { win, "", "", "", "", "", "", why };
			simreply_row(x->r, "F", vals, 8);
		} else {
			file_row(x->r, win, path, NULL);
		}
		free(path);
		free(why);
		free(win);
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	simreply_ok(x->r);
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* Names in dir matching the pattern (case-insensitive), sorted. */
static char **
dir_matches(const char *dir, const char *pattern, size_t *n)
{
	char **names = NULL;
	size_t cap = 0;
	*n = 0;
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || fnmatch(pattern, de->d_name, FNM_CASEFOLD) != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xreallocarray(names, cap, sizeof *names);
		}
		names[(*n)++] = xstrdup(de->d_name);
	}
	if (d != NULL)
		closedir(d);
	array_sort(names, *n, sizeof *names, name_cmp);
	return names;
}

int
simevd_dirlist(struct opctx *x)
{
	const char *dir = op_arg(x->op, "dir"), *pattern = op_arg(x->op, "pattern");
	char *why = NULL;
	char *path = sim_path(x, dir, &why);
	if (path == NULL) {
		simreply_error(x->r, "%s", why);
		free(why);
		return 0;
	}
	simreply_cols(x->r, "F", file_cols, 10);
	size_t n;
	char **names = dir_matches(path, pattern, &n);
	for (size_t i = 0; i < n; i++) {
		char *win = xasprintf("%s%s%s", dir, has_ext(dir, "\\") ? "" : "\\", names[i]);
		char *local = xasprintf("%s/%s", path, names[i]);
		file_row(x->r, win, local, names[i]);
		free(local);
		free(win);
	}
	simfs_names_free(names, n);
	free(path);
	simreply_ok(x->r);
	return 0;
}

/* ---- loggrep -------------------------------------------------------------- */

struct hit {
	const char *file;
	size_t offset;
	char *line;
};

struct hits {
	struct hit *v;              /* a ring of the newest `max` hits */
	size_t max, n, head;
};

static void
hits_add(struct hits *h, const char *file, size_t off, const char *line, size_t len)
{
	struct hit *slot = &h->v[(h->head + h->n) % h->max];
	if (h->n == h->max) {
		slot = &h->v[h->head];
		free(slot->line);
		h->head = (h->head + 1) % h->max;
	} else {
		h->n++;
	}
	*slot = (struct hit){ file, off, xstrndup(line, len) };
}

static int
grep_file(struct hits *h, const char *win, const char *path, const char *needle,
    char **err)
{
	struct buf b;
	buf_init(&b);
	if (!simfs_exists(path))
		return 0;
	if (file_read_all(path, LOG_MAX_BYTES, &b, err) != 0)
		return -1;
	size_t nl = strlen(needle);
	for (size_t at = 0; at < b.len; ) {
		const char *eol = memchr(b.data + at, '\n', b.len - at);
		size_t end = eol ? (size_t)(eol - b.data) : b.len, len = end - at;
		if (len > 0 && b.data[end - 1] == '\r')
			len--;
		for (size_t i = 0; i + nl <= len; i++)
			if (strncasecmp(b.data + at + i, needle, nl) == 0) {
				hits_add(h, win, at, b.data + at, len);
				break;
			}
		at = end + 1;
	}
	buf_free(&b);
	return 0;
}

int
simevd_loggrep(struct opctx *x)
{
	const char *log = op_arg(x->op, "log"), *needle = op_arg(x->op, "needle");
	const char *max = op_arg(x->op, "max");
	char *old = xstrdup(log), *why = NULL, *err = NULL;
	memcpy(old + strlen(old) - 4, ".lo_", 4);
	const char *wins[] = { old, log };
	struct hits h = { .max = max && *max ? strtoul(max, NULL, 10) : LOGGREP_DEFAULT };
	h.v = xcalloc(h.max, sizeof *h.v);
	int rc = 0;
	for (size_t i = 0; i < 2 && rc == 0; i++) {
		char *path = sim_path(x, wins[i], &why);
		rc = path ? grep_file(&h, wins[i], path, needle, &err) : -1;
		free(path);
	}
	if (rc != 0) {
		simreply_error(x->r, "%s", why ? why : err);
	} else {
		static const char *const cols[] = { "File", "Offset", "Line" };
		simreply_cols(x->r, "L", cols, 3);
		for (size_t i = 0; i < h.n; i++) {
			const struct hit *t = &h.v[(h.head + i) % h.max];
			char off[24];
			snprintf(off, sizeof off, "%zu", t->offset);
			const char *vals[] = { t->file, off, t->line };
			simreply_row(x->r, "L", vals, 3);
		}
		simreply_ok(x->r);
	}
	for (size_t i = 0; i < h.n; i++)
		free(h.v[(h.head + i) % h.max].line);
	free(h.v);
	free(why);
	free(err);
	free(old);
	return 0;
}

/* ---- readfile ------------------------------------------------------------- */

/* pread n bytes at off into b (fewer at the end of the file). */
static int
read_range(int fd, uint64_t off, size_t n, struct buf *b, char **err)
{
	buf_grow(b, n);
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, b->data + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_set(err, "%s", strerror(errno));
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	b->len = got;
	return 0;
}

/* The B record for an open file: its head, the asked range, base64. */
static int
readfile_row(struct opctx *x, int fd, const struct stat *st, char **err)
{
	const char *off = op_arg(x->op, "offset");
	uint64_t at = strtoull(off, NULL, 10), size = (uint64_t)st->st_size;
	size_t max = strtoul(op_arg(x->op, "max"), NULL, 10);
	size_t want = at < size ? (size - at < max ? (size_t)(size - at) : max) : 0;
	struct buf head, data, h64, d64;
	buf_init(&head);
	buf_init(&data);
	buf_init(&h64);
	buf_init(&d64);
	int rc = read_range(fd, 0, size < OPS_HEAD_BYTES ? (size_t)size : OPS_HEAD_BYTES, &head, err);
	if (rc == 0)
		rc = read_range(fd, at, want, &data, err);
	if (rc == 0) {
		static const char *const cols[] = { "Offset", "Size", "MTime", "Head", "Data" };
		char sz[24], mtime[21];
		snprintf(sz, sizeof sz, "%llu", (unsigned long long)size);
		simclock_iso((dpd_time)st->st_mtime, mtime);
		ops_b64_encode(head.data, head.len, &h64);
		ops_b64_encode(data.data, data.len, &d64);
		const char *vals[] = { off, sz, mtime, h64.data, d64.data };
		simreply_cols(x->r, "B", cols, 5);
		simreply_row(x->r, "B", vals, 5);
	}
	buf_free(&head);
	buf_free(&data);
	buf_free(&h64);
	buf_free(&d64);
	return rc;
}

int
simevd_readfile(struct opctx *x)
{
	const char *win = op_arg(x->op, "path");
	char *why = NULL, *err = NULL;
	char *path = sim_path(x, win, &why);
	struct stat st;
	int fd = path != NULL ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (path == NULL)
		simreply_error(x->r, "%s", why);
	else if (fd < 0 && errno == ENOENT)
		simreply_error(x->r, "%s does not exist", win);
	else if (fd < 0 || fstat(fd, &st) != 0)
		simreply_error(x->r, "%s: %s", win, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		simreply_error(x->r, "%s is a folder, not a file", win);
	else if (readfile_row(x, fd, &st, &err) != 0)
		simreply_error(x->r, "%s: %s", win, err);
	else
		simreply_ok(x->r);
	if (fd >= 0)
		close(fd);
	free(path);
	free(why);
	free(err);
	return 0;
}

/* ---- statmsgs ---------------------------------------------------------------- */

/* The message texts a console shows (from the message DLLs); %N is
 * insertion string N-1.  Only the simulator can fill these in. */
static const struct {
	unsigned id;
	const char *text;
} msg_texts[] = {
	{ 2300, "SMS Distribution Manager is beginning to process package \"%1\" "
	  "(package ID = %2)." },
	{ 2301, "SMS Distribution Manager successfully processed package \"%1\" "
	  "(package ID = %2)." },
	{ 2302, "SMS Distribution Manager failed to process package \"%1\" "
	  "(package ID = %2)." },
	{ 2306, "The source directory \"%1\" for package \"%2\" does not exist or "
	  "cannot be read." },
	{ 2328, "SMS Distribution Manager failed to copy package %1 from %2 to %3." },
	{ 2330, "SMS Distribution Manager successfully distributed package \"%1\" "
	  "to distribution point \"%2\"." },
};

/* Insertion string i of a stored message ('\x1f'-ended list), or "". */
static void
add_istr(struct buf *b, const char *istr, unsigned i)
{
	for (; i > 0 && *istr; i--)
		istr += strcspn(istr, "\x1f") + (istr[strcspn(istr, "\x1f")] != '\0');
	buf_add(b, istr, strcspn(istr, "\x1f"));
}

static char *
msg_text(const struct sim_statmsg *m)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < sizeof msg_texts / sizeof msg_texts[0]; i++) {
		if (msg_texts[i].id != m->msgid)
			continue;
		for (const char *p = msg_texts[i].text; *p; p++) {
			if (p[0] == '%' && p[1] >= '1' && p[1] <= '9')
				add_istr(&b, m->istr, (unsigned)(*++p - '1'));
			else
				buf_addc(&b, *p);
		}
	}
	return b.data ? buf_detach(&b) : xstrdup("");
}

/* Insertion strings joined by '|', each with '\' and '|' escaped. */
static char *
msg_istrs(const struct sim_statmsg *m)
{
	struct buf b;
	buf_init(&b);
	for (const char *p = m->istr; *p; p++) {
		if (*p == '\x1f') {
			if (p[1] != '\0')
				buf_addc(&b, '|');
			continue;
		}
		if (*p == '\\' || *p == '|')
			buf_addc(&b, '\\');
		buf_addc(&b, *p);
	}
	return b.data ? buf_detach(&b) : xstrdup("");
}

/* The dp filter keeps what the DP reported, what names it (404) and what
 * the site server reported about the package as a whole (no 404). */
static bool
msg_about(const struct sim_site *s, const struct sim_statmsg *m, const char *dp)
{
	if (dp == NULL || *dp == '\0' || strcasecmp(s->srv[m->srv].name, dp) == 0)
		return true;
	if (m->dp == NULL)
		return m->srv == s->primary;
	char *needle = xasprintf("\\\\%s\\", dp);
	bool hit = strcasestr(m->dp, needle) != NULL;
	free(needle);
	return hit;
}

static void
msg_row(struct reply *r, const struct sim_site *s, const struct sim_statmsg *m)
{
	static const char *const sevs[] = { "1073741824", "2147483648", "3221225472" };
	char rec[11], id[6], when[26];
	snprintf(rec, sizeof rec, "%u", m->recid);
	snprintf(id, sizeof id, "%u", m->msgid);
	/* Time is UTC (SMS 2003 SDK, SMS_StatusMessage), written as the
	 * provider writes it: the record ID picks "+***" or "+000". */
	simclock_wmi((dpd_time)(m->ms / 1000), m->recid, when);
	char *ins = msg_istrs(m), *text = msg_text(m);
	const char *vals[] = { rec, id, sevs[m->sev == 'E' ? 2 : m->sev == 'W'],
	    "SMS_DISTRIBUTION_MANAGER", s->srv[m->srv].name, when, ins,
	    m->dp ? m->dp : "", text };
	simreply_row(r, "M", vals, 9);
	free(ins);
	free(text);
}

int
simevd_statmsgs(struct opctx *x)
{
	struct sim_site *s = x->s;
	const char *site = op_arg(x->op, "site"), *pkg = op_arg(x->op, "package");
	const char *prov = op_arg(x->op, "provider"), *dp = op_arg(x->op, "dp");
	const char *max = op_arg(x->op, "max");
	const char *where = prov != NULL && *prov ? prov : x->host;
	if (simdb_find_srv(s, where) != (long)s->primary) {
		simreply_error(x->r, "SMS Provider not found on %s: root\\SMS\\site_%s "
		    "does not exist", where, site);
		return 0;
	}
	/* Another host's provider is remote WMI (DCOM). */
	char *deny = simevd_remote_denied(x, s->srv[s->primary].name, true);
	if (deny != NULL) {
		simreply_error(x->r, "%s: %s", where, deny);
		free(deny);
		return 0;
	}
	if (strcmp(site, s->site_code) != 0) {
		simreply_error(x->r, "Invalid namespace root\\SMS\\site_%s", site);
		return 0;
	}
	static const char *const cols[] = { "RecordID", "MessageID", "Severity",
	    "Component", "MachineName", "Time", "InsStrings", "DP", "Text" };
	simreply_cols(x->r, "M", cols, 9);
	size_t left = max && *max ? strtoul(max, NULL, 10) : STATMSGS_DEFAULT;
	for (size_t i = s->nmsgs; i-- > 0 && left > 0; ) {
		const struct sim_statmsg *m = &s->msgs[i];
		if (strcmp(m->pkg, pkg) != 0 || !msg_about(s, m, dp))
			continue;
		msg_row(x->r, s, m);
		left--;
	}
	simreply_ok(x->r);
	return 0;
}

/* ---- shareacl ------------------------------------------------------------------ */

/* How Get-Acl's rules read in our text form (one per line). */
static const char acl_root_only[] =
	"BUILTIN\\Administrators:Allow:FullControl:None:None\n"
	"NT AUTHORITY\\SYSTEM:Allow:FullControl:ContainerInherit, ObjectInherit:None\n"
	"BUILTIN\\Users:Allow:ReadAndExecute, Synchronize:ContainerInherit, ObjectInherit:None";
static const char acl_inherited[] =
	"BUILTIN\\Administrators:Allow:FullControl:ContainerInherit, ObjectInherit:None\n"
	"NT AUTHORITY\\SYSTEM:Allow:FullControl:ContainerInherit, ObjectInherit:None\n"
	"BUILTIN\\Users:Allow:ReadAndExecute, Synchronize:ContainerInherit, ObjectInherit:None";

int
simevd_shareacl(struct opctx *x)
{
	struct sim_site *s = x->s;
	const char *server = op_arg(x->op, "server"), *share = op_arg(x->op, "share");
	long srv = simdb_find_srv(s, server);
	if (srv < 0) {
		simreply_error(x->r, "%s: The RPC server is unavailable. (Exception from "
		    "HRESULT: 0x800706BA)", server);
		return 0;
	}
	/* Win32_Share and Get-Acl on another server: remote WMI and UNC. */
	char *deny = simevd_remote_denied(x, s->srv[srv].name, true);
	if (deny != NULL) {
		simreply_error(x->r, "%s: %s", server, deny);
		free(deny);
		return 0;
	}
	struct sim_share sh[SIM_MAX_SHARES];
	size_t nsh = simfs_shares(s, (uint32_t)srv, sh);
	const char *folder = NULL;
	for (size_t i = 0; i < nsh && folder == NULL; i++)
		if (strcasecmp(sh[i].name, share) == 0)
			folder = sh[i].path;
	char *rel = xstrdup(folder ? folder : ""), *why = NULL;
	char *unc = xasprintf("\\\\%s\\%s", s->srv[srv].name, share);
	struct opctx self = *x;
	self.host = s->srv[srv].name; /* the folder as the server itself reads it */
	char *path = folder ? sim_path(&self, unc, &why) : NULL;
	struct stat st;
	if (path == NULL || stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		simreply_error(x->r, "no share %s on %s", share, server);
	} else {
		bool root = s->srv[srv].flags & SIM_SRV_SHARE_ROOT_ONLY;
		static const char *const cols[] = { "Server", "Share", "Path", "Nested", "Acl" };
		const char *vals[] = { s->srv[srv].name, share, rel, root ? "no" : "yes",
		    root ? acl_root_only : acl_inherited };
		simreply_cols(x->r, "A", cols, 5);
		simreply_row(x->r, "A", vals, 5);
		simreply_ok(x->r);
	}
	free(path);
	free(why);
	free(unc);
	free(rel);
	return 0;
}
