/*
 * The simulated servers' disks.  Each server's drives are folders under
 * DIR/servers/<NAME>/<d>:/ holding what an SMS 2003 site system has there:
 * a site server (the primary, a child site's server) its SMS folder with
 * inboxes and logs, compressed packages in SMSPKG and the CAP folder on its
 * SMS drive; every DP its dist share SMSPKG<x>$ on drive x; the file server holding package sources is
 * DIR/servers/<FILESRV>/D:/<share>/.  These files are the truth distmgr
 * acts on, so a later op that copies a PCK or deletes a .PKG changes what
 * the next inbox scan does.  Package files are small text stand-ins whose
 * headers name what the real (binary, much larger) file would hold.
 */
#include "autoconf.h"
#include "backend/sim/simint.h"
#include "backend/core/nal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCK_MAGIC "DPDOCTOR-SIM-PCK 1"
#define PCK_HEAD_MAX 4096

/* Where rel's first folder lives on the server: the SMS drive, or the
 * share drive with "SMSPKGE$" renamed to the server's SMSPKG<x>$.  A
 * server without SMS has no SMS folders: they land on its share drive,
 * where nothing reads them. */
static char *
srv_rel(const struct sim_site *s, uint32_t srv, const char *rel, char sep)
{
	const struct sim_server *v = &s->srv[srv];
	size_t n = strcspn(rel, "/");
	char d = v->sms_drive ? v->sms_drive : v->share_drive;
	if (n == 8 && strncmp(rel, "SMSPKGE$", 8) == 0)
		return xasprintf("%c:%cSMSPKG%c$%s", v->share_drive, sep, v->share_drive,
		    rel + 8);
	return xasprintf("%c:%s%s", d, *rel ? (sep == '/' ? "/" : "\\") : "", rel);
}

char *
simfs_path(const struct sim_site *s, uint32_t srv, const char *rel)
{
	char *r = srv_rel(s, srv, rel, '/');
	char *p = xasprintf("%s/servers/%s/%s", s->dir, s->srv[srv].name, r);
	free(r);
	return p;
}

char *
simfs_winpath(const struct sim_site *s, uint32_t srv, const char *rel)
{
	char *w = srv_rel(s, srv, rel, '\\');
	for (char *p = w; *p; p++)
		if (*p == '/')
			*p = '\\';
	return w;
}

void
simfs_sms_dir(const struct sim_site *s, uint32_t srv, char out[static 8])
{
	char d = s->srv[srv].sms_drive;
	if (d)
		snprintf(out, 8, "%c:\\SMS", d);
	else
		out[0] = '\0';
}

static void
share_put(struct sim_share *o, size_t *n, const char *name, const char *path)
{
	if (*n >= SIM_MAX_SHARES)
		return;
	snprintf(o[*n].name, sizeof o[*n].name, "%s", name);
	snprintf(o[*n].path, sizeof o[*n].path, "%s", path);
	(*n)++;
}

/* ADMIN$, C$ and each drive's X$, the dist share, and on a site server its
 * SMS_<code> (the SMS folder), SMS_SITE (the despooler's receive inbox) and
 * CAP_<code>. */
size_t
simfs_shares(const struct sim_site *s, uint32_t srv, struct sim_share out[static SIM_MAX_SHARES])
{
	const struct sim_server *v = &s->srv[srv];
	size_t n = 0;
	char name[24], path[48];
	share_put(out, &n, "ADMIN$", "C:\\WINDOWS");
	share_put(out, &n, "C$", "C:\\");
	char drives[3] = { v->sms_drive, v->share_drive, 0 };
	if (drives[0] == drives[1] || drives[0] == 0)
		drives[0] = v->share_drive, drives[1] = 0;
	for (int i = 0; i < 2 && drives[i]; i++) {
		snprintf(name, sizeof name, "%c$", drives[i]);
		snprintf(path, sizeof path, "%c:\\", drives[i]);
		share_put(out, &n, name, path);
	}
	snprintf(name, sizeof name, "SMSPKG%c$", v->share_drive);
	snprintf(path, sizeof path, "%c:\\SMSPKG%c$", v->share_drive, v->share_drive);
	share_put(out, &n, name, path);
	if (v->sms_drive && simdb_site_server(s, srv)) {
		snprintf(name, sizeof name, "SMS_%s", v->site);
		snprintf(path, sizeof path, "%c:\\SMS", v->sms_drive);
		share_put(out, &n, name, path);
		snprintf(path, sizeof path, "%c:\\SMS\\inboxes\\despoolr.box\\receive", v->sms_drive);
		share_put(out, &n, "SMS_SITE", path);
		snprintf(name, sizeof name, "CAP_%s", v->site);
		snprintf(path, sizeof path, "%c:\\CAP_%s", v->sms_drive, v->site);
		share_put(out, &n, name, path);
	}
	return n;
}

/* \\SERVER\Share\Dir\Sub -> DIR/servers/SERVER/D:/Share/Dir/Sub */
char *
simfs_source_dir(const struct sim_site *s, const struct sim_pkg *p)
{
	const char *u = p->source_path;
	if (strncmp(u, "\\\\", 2) != 0)
		return NULL;
	u += 2;
	size_t n = strcspn(u, "\\");
	if (n == 0 || u[n] != '\\' || strstr(u, "..") != NULL || strchr(u, '/') != NULL)
		return NULL;
	char *server = xstrndup(u, n);
	bool valid = servername_valid(server);
	free(server);
	if (!valid)
		return NULL;
	char *path = xasprintf("%s/servers/%.*s/D:/%s", s->dir, (int)n, u, u + n + 1);
	for (char *q = path + strlen(s->dir); *q; q++)
		if (*q == '\\')
			*q = '/';
	return path;
}

char *
simfs_share_rel(const struct sim_pkg *p)
{
	char *r = xasprintf("SMSPKGE$/%s", *p->share_path ? p->share_path : p->id);
	for (char *q = r; *q; q++)
		if (*q == '\\')
			*q = '/';
	return r;
}

int
simfs_mkdirs(const char *path, char **err)
{
	/* Usually the parent is there: one mkdir, not one per component. */
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	return dir_make_all(path, false, err);
}

static const char *const base_dirs[] = {
	"SMS/inboxes/distmgr.box/INCOMING", "SMS/inboxes/pkginfo.box",
	"SMS/inboxes/colleval.box", "SMS/inboxes/despoolr.box/receive", "SMS/Logs",
	"SMSPKG", "SMSPKGE$",
};

/* A site server gets SMS's folders; a plain DP only its dist share. */
int
simfs_server_ready(const struct sim_site *s, uint32_t srv, char **err)
{
	if (!simdb_site_server(s, srv)) {
		char *p = simfs_path(s, srv, "SMSPKGE$");
		int rc = simfs_exists(p) ? 0 : simfs_mkdirs(p, err);
		free(p);
		return rc;
	}
	char *cap = xasprintf("CAP_%s/pkginfo.box", s->srv[srv].site);
	char *p = simfs_path(s, srv, cap);
	int rc = 0;
	if (!simfs_exists(p)) {
		for (size_t i = 0; i < sizeof base_dirs / sizeof base_dirs[0] && rc == 0; i++) {
			char *d = simfs_path(s, srv, base_dirs[i]);
			rc = simfs_mkdirs(d, err);
			free(d);
		}
		if (rc == 0)
			rc = simfs_mkdirs(p, err); /* last: it marks the tree complete */
	}
	free(p);
	free(cap);
	return rc;
}

bool
simfs_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static int
write_fd(int fd, const char *path, const void *data, size_t len, char **err)
{
	if (fd_write_all(fd, data, len) != 0) {
		err_set(err, "%s: write: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Writing a file sets its archive bit on Windows (SIM_MODE_ARCHIVE); a
 * new file gets it from its mode, an old one from fchmod. */
static int
open_for_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0744);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && !(st.st_mode & SIM_MODE_ARCHIVE) &&
	    fchmod(fd, (st.st_mode & 07777) | SIM_MODE_ARCHIVE) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
simfs_write(const char *path, const void *data, size_t len, dpd_time mtime, char **err)
{
	/* The folder is nearly always there already: making it first would
	 * cost a mkdir per path component for every file (most of an update's
	 * time on a large site), so only when the open says it is missing. */
	int fd = open_for_write(path);
	const char *slash = strrchr(path, '/');
	if (fd < 0 && errno == ENOENT && slash != NULL && slash != path) {
		char *dir = xstrndup(path, (size_t)(slash - path));
		int rc = simfs_mkdirs(dir, err);
		free(dir);
		if (rc != 0)
			return -1;
		fd = open_for_write(path);
	}
	if (fd < 0) {
		err_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = write_fd(fd, path, data, len, err);
	if (rc == 0 && mtime != 0) {
		/* The file's times are the site's, so evidence shows 2007. */
		struct timespec ts[2] = { { (time_t)mtime, 0 }, { (time_t)mtime, 0 } };
		if (futimens(fd, ts) != 0) {
			err_set(err, "%s: futimens: %s", path, strerror(errno));
			rc = -1;
		}
	}
	if (close(fd) != 0 && rc == 0) {
		err_set(err, "%s: close: %s", path, strerror(errno));
		rc = -1;
	}
	return rc;
}

static int
write_text(const char *path, const char *text, dpd_time mtime, char **err)
{
	return simfs_write(path, text, strlen(text), mtime, err);
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

int
simfs_remove_tree(const char *path, char **err)
{
	if (!simfs_exists(path))
		return 0;
	/* FTW_PHYS: never follow a symlink out of the site. */
	if (nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS) != 0) {
		err_set(err, "%s: cannot delete: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

void
simfs_random_name(struct sim_rng *r, char out[static 9])
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	for (int i = 0; i < 8; i++)
		out[i] = set[rng_below(r, sizeof set - 1)];
	out[8] = '\0';
}

/* ---- package information (.PKG) ------------------------------------- */

char *
simfs_pkginfo_text(const struct sim_site *s, const struct sim_pkg *p, uint32_t version)
{
	(void)s;
	return xasprintf("[Package Information]\r\nPackageID=%s\r\nName=%s\r\n"
	    "Manufacturer=%s\r\nVersion=%s\r\nLanguage=%s\r\nSourceSite=%s\r\n"
	    "SourceVersion=%" PRIu32 "\r\nStoredPkgVersion=%" PRIu32 "\r\n"
	    "PkgSourcePath=%s\r\n",
	    p->id, p->name, p->manufacturer, p->version, p->language,
	    p->source_site, version, version, p->source_path);
}

/* The value of "key=" at the start of a line, up to CR/LF; NULL if none. */
static const char *
ini_value(const char *text, const char *key, size_t *len)
{
	size_t kl = strlen(key);
	for (const char *l = text; l && *l; ) {
		if (strncasecmp(l, key, kl) == 0 && l[kl] == '=') {
			*len = strcspn(l + kl + 1, "\r\n");
			return l + kl + 1;
		}
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return NULL;
}

static int
ini_u32(const char *text, const char *key, uint32_t *out)
{
	size_t n;
	const char *v = ini_value(text, key, &n);
	if (v == NULL || n == 0 || n > 9)
		return -1;
	uint32_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (uint32_t)(v[i] - '0');
	}
	*out = x;
	return 0;
}

int
simfs_pkginfo_parse(const char *text, char id[static 9], uint32_t *version)
{
	size_t n;
	const char *v = ini_value(text, "PackageID", &n);
	if (v == NULL || n != 8)
		return -1;
	memcpy(id, v, 8);
	id[8] = '\0';
	return ini_u32(text, "SourceVersion", version);
}

/* ---- compressed packages (.PCK) --------------------------------------- */

static char *
pck_text(const struct sim_site *s, const struct sim_pkg *p, uint32_t version)
{
	char date[21];
	simclock_iso(p->source_date, date);
	struct buf b;
	buf_init(&b);
	buf_printf(&b, PCK_MAGIC "\r\nPackageID=%s\r\nStoredPkgVersion=%" PRIu32
	    "\r\nCompressedSize=%" PRIu64 "\r\nSourceDate=%s\r\n\r\n"
	    "(a stand-in for the compressed package; the real file holds "
	    "%.1f MB)\r\n", p->id, version, p->size, date, p->size / 1048576.0);
	/* Some bytes that look like payload, different per package version. */
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct sim_rng r = rng_for(s->seed, (uint64_t)(p - s->pkg), version);
	for (int line = 0; line < 24; line++) {
		char row[78];
		for (int i = 0; i < 76; i++)
			row[i] = b64[rng_below(&r, 64)];
		row[76] = '\r';
		row[77] = '\n';
		buf_add(&b, row, sizeof row);
	}
	return buf_detach(&b);
}

int
simfs_write_pck(const struct sim_site *s, uint32_t srv, uint32_t pkg,
    uint32_t version, dpd_time mtime, char **err)
{
	const struct sim_pkg *p = &s->pkg[pkg];
	if (simfs_server_ready(s, srv, err) != 0)
		return -1;
	char *rel = xasprintf("SMSPKG/%s.PCK", p->id);
	char *path = simfs_path(s, srv, rel);
	char *text = pck_text(s, p, version);
	int rc = write_text(path, text, mtime, err);
	free(text);
	free(path);
	free(rel);
	return rc;
}

int
simfs_pck_version(const struct sim_site *s, uint32_t srv, uint32_t pkg,
    uint32_t *version, char **err)
{
	char *rel = xasprintf("SMSPKG/%s.PCK", s->pkg[pkg].id);
	char *path = simfs_path(s, srv, rel);
	free(rel);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT) {
			free(path);
			return 1;
		}
		err_set(err, "%s: %s", path, strerror(e));
		free(path);
		return -1;
	}
	char head[PCK_HEAD_MAX + 1];
	ssize_t n;
	do
		n = read(fd, head, PCK_HEAD_MAX);
	while (n < 0 && errno == EINTR);
	int e = errno;
	close(fd);
	if (n < 0) {
		err_set(err, "%s: read: %s", path, strerror(e));
		free(path);
		return -1;
	}
	free(path);
	head[n] = '\0';
	/* A file that is not one of ours decompresses to nothing useful. */
	*version = 0;
	if (strncmp(head, PCK_MAGIC "\r\n", strlen(PCK_MAGIC) + 2) == 0)
		(void)ini_u32(head, "StoredPkgVersion", version);
	return 0;
}

int
simfs_file_header(const char *path, char id[static 9], uint32_t *version)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	char head[PCK_HEAD_MAX + 1];
	ssize_t n;
	do
		n = read(fd, head, PCK_HEAD_MAX);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return -1;
	head[n] = '\0';
	if (strncmp(head, PCK_MAGIC "\r\n", strlen(PCK_MAGIC) + 2) == 0) {
		size_t l;
		const char *v = ini_value(head, "PackageID", &l);
		if (v == NULL || l != 8 || ini_u32(head, "StoredPkgVersion", version) != 0)
			return -1;
		memcpy(id, v, 8);
		id[8] = '\0';
		return 0;
	}
	return simfs_pkginfo_parse(head, id, version);
}

/* ---- inboxes ---------------------------------------------------------- */

int
simfs_write_incoming(const struct sim_site *s, uint32_t srv, uint32_t pkg,
    const char *name, uint32_t version, dpd_time mtime, char **err)
{
	if (simfs_server_ready(s, srv, err) != 0)
		return -1;
	char *rel = xasprintf("SMS/inboxes/distmgr.box/INCOMING/%s.PKG", name);
	char *path = simfs_path(s, srv, rel);
	char *text = simfs_pkginfo_text(s, &s->pkg[pkg], version);
	int rc = write_text(path, text, mtime, err);
	free(text);
	free(path);
	free(rel);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
simfs_list_incoming(const struct sim_site *s, uint32_t srv, char ***names,
    size_t *n, char **err)
{
	char *path = simfs_path(s, srv, "SMS/inboxes/distmgr.box/INCOMING");
	*names = NULL;
	*n = 0;
	DIR *d = opendir(path);
	if (d == NULL) {
		int e = errno;
		free(path);
		if (e == ENOENT)
			return 0;
		err_set(err, "INCOMING on %s: %s", s->srv[srv].name, strerror(e));
		return -1;
	}
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcasecmp(de->d_name + l - 4, ".PKG") != 0 ||
		    de->d_type == DT_DIR)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*names = xreallocarray(*names, cap, sizeof **names);
		}
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	free(path);
	/* readdir order depends on the file system; scans must not. */
	array_sort(*names, *n, sizeof **names, name_cmp);
	return 0;
}

void
simfs_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ---- installed packages ----------------------------------------------- */

/* The files a package's source folder (and so its share folder) holds. */
static int
write_payload(const char *dir, const struct sim_pkg *p, dpd_time t, char **err)
{
	char *setup = xasprintf("%s/setup.exe", dir);
	char *cmd = xasprintf("%s/install.cmd", dir);
	char *stub = xasprintf("(a stand-in for the installer of %s %s, %s)\r\n",
	    p->name, p->version, p->language);
	int rc = write_text(setup, stub, t, err);
	if (rc == 0)
		rc = write_text(cmd, "@echo off\r\nrem Unattended install, "
		    "called by the SMS program.\r\n\"%~dp0setup.exe\" /s /v\"/qn "
		    "REBOOT=ReallySuppress\"\r\nexit /b %ERRORLEVEL%\r\n", t, err);
	free(setup);
	free(cmd);
	free(stub);
	return rc;
}

int
simfs_write_source(const struct sim_site *s, uint32_t pkg, char **err)
{
	const struct sim_pkg *p = &s->pkg[pkg];
	char *dir = simfs_source_dir(s, p);
	if (dir == NULL) {
		err_set(err, "package %s: source path %s is not on a simulated server",
		    p->id, p->source_path);
		return -1;
	}
	/* A large site's 5,000 sources are bare folders: creating two files in
	 * each would double the time it takes to build the site. */
	int rc = s->materialise ? write_payload(dir, p, p->source_date, err) :
	    simfs_mkdirs(dir, err);
	free(dir);
	return rc;
}

struct inst_file {
	bool cap;          /* under CAP_<site>\ rather than SMS\inboxes\ */
	const char *box;
	const char *ext;
	int kind;          /* 0 pkginfo text, 1 NAL, 2 folder, 3 CLF */
};

static const struct inst_file inst_files[] = {
	{ false, "distmgr.box", "PKG", 0 },
	{ false, "pkginfo.box", "PKG", 0 },
	{ false, "pkginfo.box", "NAL", 1 },
	{ false, "pkginfo.box", "ICO", 2 },
	{ false, "colleval.box", "CLF", 3 },
	{ true, "pkginfo.box", "PKG", 0 },
	{ true, "pkginfo.box", "NAL", 1 },
	{ true, "pkginfo.box", "ICO", 2 },
};

#define INST_COUNT (sizeof inst_files / sizeof inst_files[0])

static char *
inst_path(const struct sim_site *s, uint32_t srv, const struct sim_pkg *p, size_t i)
{
	const struct inst_file *f = &inst_files[i];
	char *rel = f->cap ?
	    xasprintf("CAP_%s/%s/%s.%s", s->srv[srv].site, f->box, p->id, f->ext) :
	    xasprintf("SMS/inboxes/%s/%s.%s", f->box, p->id, f->ext);
	char *path = simfs_path(s, srv, rel);
	free(rel);
	return path;
}

static int
inst_write(const struct sim_site *s, uint32_t srv, const struct sim_pkg *p,
    size_t i, uint32_t version, dpd_time t, char **err)
{
	char *path = inst_path(s, srv, p, i);
	char *text = NULL;
	int rc;
	switch (inst_files[i].kind) {
	case 0: text = simfs_pkginfo_text(s, p, version); break;
	case 1: text = xasprintf("%s\r\n", s->srv[srv].nal); break;
	case 3: text = xasprintf("[Collection Evaluation]\r\nPackageID=%s\r\n", p->id); break;
	default: break;
	}
	rc = text ? write_text(path, text, t, err) : simfs_mkdirs(path, err);
	free(text);
	free(path);
	return rc;
}

/* The package's files on a DP: its folder on the DP's own share, and the
 * inbox entries on the site server that serves it (its own when it is one). */
int
simfs_install(const struct sim_site *s, uint32_t srv, uint32_t pkg,
    uint32_t version, dpd_time t, char **err)
{
	const struct sim_pkg *p = &s->pkg[pkg];
	uint32_t home = s->srv[srv].home;
	if (simfs_server_ready(s, srv, err) != 0 || simfs_server_ready(s, home, err) != 0)
		return -1;
	for (size_t i = 0; i < INST_COUNT; i++)
		if (inst_write(s, home, p, i, version, t, err) != 0)
			return -1;
	char *rel = simfs_share_rel(p);
	char *dir = simfs_path(s, srv, rel);
	int rc = write_payload(dir, p, t, err);
	free(dir);
	free(rel);
	return rc;
}

/* A removal empties the DP's share folder; a site server's removal also
 * drops its inbox entries and (a child site's) PCK. */
int
simfs_uninstall(const struct sim_site *s, uint32_t srv, uint32_t pkg, char **err)
{
	const struct sim_pkg *p = &s->pkg[pkg];
	int rc = 0;
	bool own = s->srv[srv].home == srv;
	for (size_t i = 0; i < INST_COUNT && rc == 0 && own; i++) {
		char *path = inst_path(s, srv, p, i);
		rc = simfs_remove_tree(path, err);
		free(path);
	}
	char *rel = simfs_share_rel(p);
	char *dir = simfs_path(s, srv, rel);
	if (rc == 0)
		rc = simfs_remove_tree(dir, err);
	free(dir);
	free(rel);
	if (!own || srv == s->primary)
		return rc;
	rel = xasprintf("SMSPKG/%s.PCK", p->id);
	char *pck = simfs_path(s, srv, rel);
	if (rc == 0 && unlink(pck) != 0 && errno != ENOENT) {
		err_set(err, "%s: %s", pck, strerror(errno));
		rc = -1;
	}
	free(pck);
	free(rel);
	return rc;
}

char *
sim_server_path(const char *dir, const char *server, const char *winpath)
{
	if (winpath[0] == '\0' || winpath[1] != ':' || (winpath[2] != '\\' && winpath[2] != '/'))
		return NULL;
	char *p = xasprintf("%s/servers/%s/%c:/%s", dir, server, winpath[0], winpath + 3);
	char *rel = p + strlen(p) - strlen(winpath + 3) - 1; /* "/SMS/Logs/..." */
	for (char *q = rel; *q; q++)
		if (*q == '\\')
			*q = '/';
	size_t n = strlen(rel);
	if (strstr(rel, "/../") != NULL || (n >= 3 && strcmp(rel + n - 3, "/..") == 0)) {
		free(p);
		return NULL;
	}
	return p;
}
