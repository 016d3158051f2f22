/*
 * The simulated hosts' answers to the ops that change the site: file
 * copies (judged identical as the script judges them: size and time, and
 * the contents only when both paths are local), attributes, deletes and
 * renames on the servers' trees (through the same Windows path mapping as
 * the evidence ops), PreloadPkgOnSite.exe found where the script looks for
 * it and answering with the seed's messages, RefreshNow on a DP and a
 * package source path change.  What SMS 2003 does afterwards (re-push delays, recompression,
 * sending to every DP) happens in the event engine as time passes.
 */
#include "autoconf.h"
#include "backend/sim/simint.h"
#include "backend/core/nal.h"
#include "backend/ops/ops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_MAX (64u << 20)   /* stand-in files are small; refuse anything huge */

/* ---- argument rules (as a host checks them) ---------------------------- */

const struct arg_rule simrep_copyfile_rules[] = {
	{ "src", ops_path_valid, true, "Windows path" },
	{ "dst", ops_path_valid, true, "Windows path" },
	{ NULL, NULL, false, NULL },
};

const struct arg_rule simrep_setattr_rules[] = {
	{ "path", ops_path_valid, true, "Windows path" },
	{ "readonly", ops_attrop_valid, false, "attribute change (set, clear or keep)" },
	{ "archive", ops_attrop_valid, false, "attribute change (set, clear or keep)" },
	{ NULL, NULL, false, NULL },
};

const struct arg_rule simrep_deletefile_rules[] = {
	{ "path", ops_path_valid, true, "Windows path" },
	{ NULL, NULL, false, NULL },
};

const struct arg_rule simrep_renamefile_rules[] = {
	{ "path", ops_path_valid, true, "Windows path" },
	{ "newname", ops_filename_valid, true, "file name" },
	{ NULL, NULL, false, NULL },
};

const struct arg_rule simrep_preload_rules[] = {
	{ "server", servername_valid, true, "server name" },
	{ "package", pkgid_valid, true, "package ID" },
	{ "exe", ops_path_valid, false, "Windows path" },
	{ "via", ops_via_valid, true, "way to run (local or wmi)" },
	{ "smsdir", ops_path_valid, false, "Windows path" },
	{ "wait", ops_count_valid, false, "count (1-100000)" },
	{ NULL, NULL, false, NULL },
};

const struct arg_rule simrep_refreshnow_rules[] = {
	{ "site", sitecode_valid, true, "site code" },
	{ "package", pkgid_valid, true, "package ID" },
	{ "dp", servername_valid, true, "server name" },
	{ "provider", servername_valid, false, "server name" },
	{ NULL, NULL, false, NULL },
};

const struct arg_rule simrep_setsourcepath_rules[] = {
	{ "site", sitecode_valid, true, "site code" },
	{ "package", pkgid_valid, true, "package ID" },
	{ "path", ops_path_valid, true, "Windows path" },
	{ "provider", servername_valid, false, "server name" },
	{ NULL, NULL, false, NULL },
};

const struct arg_rule simrep_writefile_rules[] = {
	{ "path", ops_path_valid, true, "Windows path" },
	{ "offset", ops_offset_valid, true, "byte offset" },
	{ "data", ops_b64_valid, false, "base64" },
	{ "mtime", ops_isotime_valid, false, "time" },
	{ NULL, NULL, false, NULL },
};

/* ---- files -------------------------------------------------------------- */

/* How a script meets a missing file: it may be absent (a copy's target, a
 * delete), or the error is Get-Item's own (copyfile's source) or that of
 * the changeprelude's Need() (setattr, renamefile). */
enum need { NEED_MAY_BE_ABSENT, NEED_GET_ITEM, NEED_NEED };

/* The local path of an existing file named by argument `key`; NULL after
 * replying with the error PowerShell would give. */
static char *
need_file(struct opctx *x, const char *key, enum need how)
{
	const char *win = op_arg(x->op, key);
	char *why = NULL;
	char *path = simevd_path(x, win, &why);
	struct stat st;
	if (path == NULL) {
		simreply_error(x->r, "%s", why);
	} else if (stat(path, &st) != 0) {
		if (how == NEED_MAY_BE_ABSENT)
			return path;
		if (how == NEED_GET_ITEM)
			simreply_error(x->r, "Cannot find path '%s' because it does not exist.", win);
		else
			simreply_error(x->r, "%s does not exist", win);
	} else if (S_ISDIR(st.st_mode)) {
		simreply_error(x->r, "%s is a folder, not a file", win);
	} else {
		return path;
	}
	free(why);
	free(path);
	return NULL;
}

static char *
size_of(const char *path)
{
	struct stat st;
	return xasprintf("%lld", stat(path, &st) == 0 ? (long long)st.st_size : 0LL);
}

/* Copy src over dst (replacing a read-only target), keeping the source's
 * time as Windows does; the copy has its archive bit set. */
static int
copy_file(const char *src, const char *dst, char **err)
{
	struct stat st;
	struct buf b;
	buf_init(&b);
	int rc = -1;
	if (stat(src, &st) != 0)
		err_set(err, "%s: %s", src, strerror(errno));
	else if (file_read_all(src, COPY_MAX, &b, err) != 0)
		;
	else if (unlink(dst) != 0 && errno != ENOENT)
		err_set(err, "%s: %s", dst, strerror(errno));
	else
		rc = simfs_write(dst, b.data ? b.data : "", b.len, (dpd_time)st.st_mtime, err);
	buf_free(&b);
	return rc;
}

/* Whether a Windows path is read on the host running the script: a drive
 * path, or a UNC path naming that host (the script compares the server
 * part with $env:COMPUTERNAME). */
static bool
path_local(const char *host, const char *win)
{
	if (win[0] != '\\')
		return true;
	size_t n = strcspn(win + 2, "\\");
	return strlen(host) == n && strncasecmp(win + 2, host, n) == 0;
}

/* copyfile's judgement, as the script makes it: 1 identical, 0 not (copy
 * it), -1 on error.  Size and time first; equal, the contents are compared
 * only when both paths are local, which a Windows host does with SHA-256
 * (a simulated host compares the bytes: the same verdict, and it never
 * enforces FIPS, so it never says size-time-fips). */
static int
copy_judge(const struct opctx *x, const char *src, const char *dst, const char **how,
    char **err)
{
	struct stat a, b;
	*how = "size-time";
	if (stat(src, &a) != 0 || stat(dst, &b) != 0 || a.st_size != b.st_size ||
	    a.st_mtime != b.st_mtime)
		return 0;
	if (!path_local(x->host, op_arg(x->op, "src")) || !path_local(x->host, op_arg(x->op, "dst")))
		return 1;
	*how = "sha256";
	struct buf p, q;
	buf_init(&p);
	buf_init(&q);
	int rc = -1;
	if (file_read_all(src, COPY_MAX, &p, err) == 0 && file_read_all(dst, COPY_MAX, &q, err) == 0)
		rc = p.len == q.len && memcmp(p.data ? p.data : "", q.data ? q.data : "", p.len) == 0;
	buf_free(&p);
	buf_free(&q);
	return rc;
}

int
simrep_copyfile(struct opctx *x)
{
	char *src = need_file(x, "src", NEED_GET_ITEM);
	char *dst = src ? need_file(x, "dst", NEED_MAY_BE_ABSENT) : NULL;
	if (dst == NULL) {
		free(src);
		return 0;
	}
	char *err = NULL;
	const char *how;
	int same = copy_judge(x, src, dst, &how, &err);
	if (same == 0 && copy_file(src, dst, &err) != 0)
		same = -1;
	if (same < 0) {
		simreply_error(x->r, "%s", err ? err : "copy failed");
	} else {
		static const char *const cols[] = { "Source", "Dest", "Result", "SrcSize",
		    "DstSize", "Compared" };
		char *ss = size_of(src), *ds = size_of(dst);
		const char *v[] = { op_arg(x->op, "src"), op_arg(x->op, "dst"),
		    same ? "identical" : "copied", ss, ds, how };
		simreply_cols(x->r, "X", cols, 6);
		simreply_row(x->r, "X", v, 6);
		simreply_ok(x->r);
		free(ss);
		free(ds);
	}
	free(err);
	free(src);
	free(dst);
	return 0;
}

/* set/clear/keep onto one mode bit; `when_set` says whether the attribute
 * being set means the bit is on. */
static mode_t
attr_apply(mode_t m, const char *how, mode_t bit, bool when_set)
{
	/* An optional argument not given travels empty: PowerShell leaves
	 * the attribute alone unless it reads set or clear. */
	if (how == NULL || *how == '\0' || strcmp(how, "keep") == 0)
		return m;
	bool on = strcmp(how, "set") == 0 ? when_set : !when_set;
	return on ? (m | bit) : (m & ~bit);
}

int
simrep_setattr(struct opctx *x)
{
	char *path = need_file(x, "path", NEED_NEED);
	if (path == NULL)
		return 0;
	struct stat st;
	mode_t m = stat(path, &st) == 0 ? st.st_mode & 07777 : 0744;
	m = attr_apply(m, op_arg(x->op, "readonly"), S_IWUSR | S_IWGRP | S_IWOTH, false);
	m = attr_apply(m, op_arg(x->op, "archive"), SIM_MODE_ARCHIVE, true);
	if (chmod(path, m) != 0) {
		simreply_error(x->r, "%s: %s", op_arg(x->op, "path"), strerror(errno));
	} else {
		static const char *const cols[] = { "Path", "Attrs" };
		char attrs[8];
		snprintf(attrs, sizeof attrs, "%u", (unsigned)((m & S_IWUSR ? 0 : 0x01) |
		    (m & SIM_MODE_ARCHIVE ? 0x20 : 0)));
		const char *v[] = { op_arg(x->op, "path"), attrs };
		simreply_cols(x->r, "A", cols, 2);
		simreply_row(x->r, "A", v, 2);
		simreply_ok(x->r);
	}
	free(path);
	return 0;
}

int
simrep_deletefile(struct opctx *x)
{
	char *path = need_file(x, "path", NEED_MAY_BE_ABSENT);
	if (path == NULL)
		return 0;
	const char *res = "deleted";
	if (unlink(path) != 0) {
		if (errno != ENOENT) {
			simreply_error(x->r, "%s: %s", op_arg(x->op, "path"), strerror(errno));
			free(path);
			return 0;
		}
		res = "absent";
	}
	static const char *const cols[] = { "Path", "Result" };
	const char *v[] = { op_arg(x->op, "path"), res };
	simreply_cols(x->r, "D", cols, 2);
	simreply_row(x->r, "D", v, 2);
	simreply_ok(x->r);
	free(path);
	return 0;
}

/* Append at the file's end, as FileStream Open + Seek(end) + Write. */
static int
append_at(const char *path, const char *win, uint64_t off, const struct buf *b, char **err)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	int rc = -1;
	if (fd < 0 || fstat(fd, &st) != 0)
		err_set(err, "%s: %s", win, strerror(errno));
	else if ((uint64_t)st.st_size != off)
		err_set(err, "offset %llu is not the end of %s (%lld bytes)",
		    (unsigned long long)off, win, (long long)st.st_size);
	else if (fchmod(fd, (st.st_mode & 07777) | SIM_MODE_ARCHIVE) != 0)
		err_set(err, "%s: %s", win, strerror(errno));
	else
		rc = fd_write_all(fd, b->data, b->len) == 0 ? 0 : (err_set(err, "%s: %s", win,
		    strerror(errno)), -1);
	if (fd >= 0 && close(fd) != 0 && rc == 0) {
		err_set(err, "%s: %s", win, strerror(errno));
		rc = -1;
	}
	return rc;
}

int
simrep_writefile(struct opctx *x)
{
	const char *win = op_arg(x->op, "path"), *data = op_arg(x->op, "data");
	const char *mt = op_arg(x->op, "mtime");
	char *path = need_file(x, "path", NEED_MAY_BE_ABSENT), *err = NULL;
	if (path == NULL)
		return 0;
	uint64_t off = strtoull(op_arg(x->op, "offset"), NULL, 10);
	dpd_time t = 0;
	struct buf b;
	buf_init(&b);
	struct stat st;
	int rc = ops_b64_decode(data ? data : "", data ? strlen(data) : 0, &b);
	if (rc != 0)
		err_set(&err, "Invalid character in a Base-64 string.");
	else if (stat(path, &st) == 0 && !(st.st_mode & S_IWUSR))
		rc = (err_set(&err, "Access to the path '%s' is denied.", win), -1);
	else if (mt != NULL && *mt != '\0' && time_parse_iso(mt, &t) != 0)
		rc = (err_set(&err, "String was not recognized as a valid DateTime."), -1);
	else if (off == 0)
		rc = simfs_write(path, b.data ? b.data : "", b.len, t, &err);
	else
		rc = append_at(path, win, off, &b, &err);
	if (rc == 0 && t != 0 && off != 0) {
		struct timespec ts[2] = { { (time_t)t, 0 }, { (time_t)t, 0 } };
		if (utimensat(AT_FDCWD, path, ts, 0) != 0)
			rc = (err_set(&err, "%s: %s", win, strerror(errno)), -1);
	}
	if (rc != 0) {
		simreply_error(x->r, "%s", err ? err : "write failed");
	} else {
		static const char *const cols[] = { "Path", "Size" };
		char *size = size_of(path);
		const char *v[] = { win, size };
		simreply_cols(x->r, "W", cols, 2);
		simreply_row(x->r, "W", v, 2);
		simreply_ok(x->r);
		free(size);
	}
	buf_free(&b);
	free(err);
	free(path);
	return 0;
}

int
simrep_renamefile(struct opctx *x)
{
	char *path = need_file(x, "path", NEED_NEED);
	if (path == NULL)
		return 0;
	const char *win = op_arg(x->op, "path"), *name = op_arg(x->op, "newname");
	const char *ws = strrchr(win, '\\'), *ps = strrchr(path, '/');
	char *to = xasprintf("%.*s/%s", (int)(ps - path), path, name);
	char *wto = xasprintf("%.*s\\%s", (int)(ws - win), win, name);
	if (simfs_exists(to))
		simreply_error(x->r, "%s already exists", wto);
	else if (rename(path, to) != 0)
		simreply_error(x->r, "%s: %s", win, strerror(errno));
	else {
		static const char *const cols[] = { "Path", "NewPath" };
		const char *v[] = { win, wto };
		simreply_cols(x->r, "N", cols, 2);
		simreply_row(x->r, "N", v, 2);
		simreply_ok(x->r);
	}
	free(to);
	free(wto);
	free(path);
	return 0;
}

/* ---- PreloadPkgOnSite.exe ---------------------------------------------------- */

static void
preload_reply(struct opctx *x, const char *const *lines, size_t n, int code)
{
	static const char *const ocols[] = { "Line" };
	static const char *const xcols[] = { "ExitCode" };
	simreply_cols(x->r, "O", ocols, 1);
	for (size_t i = 0; i < n; i++)
		simreply_row(x->r, "O", &lines[i], 1);
	char c[12];
	snprintf(c, sizeof c, "%d", code);
	const char *v[] = { c };
	simreply_cols(x->r, "X", xcols, 1);
	simreply_row(x->r, "X", v, 1);
	simreply_ok(x->r);
}

/* 0: the DP holds a read-only PCK of at least version `want`. */
static int
preload_pck_ok(struct sim_site *s, uint32_t srv, uint32_t pkg, uint32_t want)
{
	char *rel = xasprintf("SMSPKG/%s.PCK", s->pkg[pkg].id);
	char *path = simfs_path(s, srv, rel);
	uint32_t have = 0;
	struct stat st;
	int rc = simfs_pck_version(s, srv, pkg, &have, NULL) == 0 && have >= want &&
	    stat(path, &st) == 0 && !(st.st_mode & S_IWUSR) ? 0 : -1;
	free(path);
	free(rel);
	return rc;
}

/* Success: the compressed package path is recorded on the child site, so
 * its server and its plain DPs install at the next scan (or re-push). */
static int
preload_record(struct opctx *x, uint32_t pkg, uint32_t srv, char **err)
{
	struct sim_site *s = x->s;
	const struct sim_pkg *p = &s->pkg[pkg];
	char *rel = xasprintf("SMS/inboxes/distmgr.box/%s.PKG", p->id);
	char *path = simfs_path(s, srv, rel);
	char *text = simfs_pkginfo_text(s, p, p->source_version);
	int rc = simfs_write(path, text, strlen(text), s->clock, err);
	free(text);
	free(path);
	free(rel);
	for (uint32_t d = 0; d < s->nsrv; d++) {
		if (s->srv[d].home != srv || !simdb_target(s, pkg, d))
			continue;
		struct sim_cell *c = simdb_cell_make(s, pkg, d);
		c->flags = (uint8_t)((c->flags & ~SIM_CELL_UNKNOWN) | SIM_CELL_PRELOADED);
	}
	simev_wake(s, srv, s->clock);
	s->dirty = true;
	return rc;
}

/* Where the script looks for PreloadPkgOnSite.exe, in its order, on the
 * server: a 32-bit Windows (no %ProgramFiles(x86)%).  The SMS folder's
 * bin\i386 has the tool on a site server unless SIM_SRV_NO_PRELOAD says it
 * was not installed; the toolkit folders have it when a file is there.  A
 * server without SMS has no SMS folder to look in. */
static const char *const preload_toolkits[] = {
	"C:\\Program Files\\SMS 2003 Toolkit 2",
	"C:\\Program Files\\ConfigMgr 2007 Toolkit V2\\ServerTools",
};
#define PRELOAD_NKITS (sizeof preload_toolkits / sizeof preload_toolkits[0])

/* Whether Windows path `win` is a file on server srv (as it sees itself). */
static bool
preload_file_on(const struct opctx *x, uint32_t srv, const char *win)
{
	struct opctx on = *x;
	on.host = x->s->srv[srv].name;
	char *why = NULL;
	char *path = simevd_path(&on, win, &why);
	struct stat st;
	bool there = path != NULL && stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	free(why);
	return there;
}

/* The tool on the server, as the script finds it: 0, or -1 after replying
 * with the script's words for where it is not.  smsdir: the SMS folder as
 * the step named it, else the registry's ("" without SMS). */
static int
preload_tool(struct opctx *x, uint32_t srv, const char *smsdir)
{
	const char *exe = op_arg(x->op, "exe");
	if (exe != NULL && *exe != '\0') {
		if (preload_file_on(x, srv, exe))
			return 0;
		simreply_error(x->r, "%s not found on %s (the preload_exe set for this server)",
		    exe, x->s->srv[srv].name);
		return -1;
	}
	struct buf said;
	buf_init(&said);
	char real[8];
	simfs_sms_dir(x->s, srv, real);
	if (*smsdir) {
		char *bin = xasprintf("%s\\bin\\i386", smsdir);
		char *at = xasprintf("%s\\PreloadPkgOnSite.exe", bin);
		bool there = (*real && strcasecmp(real, smsdir) == 0 &&
		    !(x->s->srv[srv].flags & SIM_SRV_NO_PRELOAD)) || preload_file_on(x, srv, at);
		buf_printf(&said, "%s", bin);
		free(at);
		free(bin);
		if (there) {
			buf_free(&said);
			return 0;
		}
	} else {
		buf_printf(&said, "(no SMS installation on %s)", x->s->srv[srv].name);
	}
	for (size_t i = 0; i < PRELOAD_NKITS; i++) {
		char *at = xasprintf("%s\\PreloadPkgOnSite.exe", preload_toolkits[i]);
		bool there = preload_file_on(x, srv, at);
		free(at);
		if (there) {
			buf_free(&said);
			return 0;
		}
		buf_printf(&said, "; %s", preload_toolkits[i]);
	}
	simreply_error(x->r, "PreloadPkgOnSite.exe not found on %s; looked in: %s (set "
	    "preload_exe for this server)", x->s->srv[srv].name, said.data);
	buf_free(&said);
	return -1;
}

int
simrep_preload_tool(const char *dir, const char *server, bool installed, char **err)
{
	struct sim_site *s;
	int fd;
	if (simsite_open(dir, true, NULL, &s, &fd, err) != 0)
		return -1;
	long srv = server != NULL ? simdb_find_srv(s, server) : -1;
	int rc = 0;
	if (srv < 0) {
		err_set(err, "no server %s on the simulated site", server ? server : "(none)");
		rc = -1;
	} else {
		uint8_t was = s->srv[srv].flags;
		s->srv[srv].flags = (uint8_t)(installed ? was & ~SIM_SRV_NO_PRELOAD :
		    was | SIM_SRV_NO_PRELOAD);
		if (s->srv[srv].flags != was)
			rc = simdb_save(s, err);
	}
	simdb_free(s);
	simdb_unlock(fd);
	return rc;
}

/* What PreloadPkgOnSite.exe prints and returns, run on srv's site. */
struct preload_out {
	char *line[3];
	int code;
};

static void
preload_semantics(struct opctx *x, uint32_t srv, const char *id, struct preload_out *o)
{
	struct sim_site *s = x->s;
	long pkg = simdb_find_pkg(s, id);
	char *rel = xasprintf("SMS/inboxes/distmgr.box/%s.PKG", id);
	char *pkgfile = simfs_path(s, srv, rel);
	bool set = simfs_exists(pkgfile);
	free(pkgfile);
	free(rel);
	struct sim_cell c;
	o->code = 1;
	if (pkg >= 0 && (set || strcmp(s->pkg[pkg].source_site, s->srv[srv].site) == 0)) {
		o->line[0] = xasprintf("The compressed package path for package %s is already "
		    "set in the database", id);
		o->line[1] = xstrdup("OR this is the site where the package was created.");
		o->line[2] = xstrdup(" There is no need to use this tool for this package on "
		    "this site.");
	} else if (pkg < 0 || !simdb_cell_view(s, (uint32_t)pkg, srv, &c) ||
	    (c.flags & SIM_CELL_UNKNOWN)) {
		o->line[0] = xasprintf("Failed to get the specified package %s in the database. "
		    "Please check if you have instance rights to that package.", id);
	} else if (preload_pck_ok(s, srv, (uint32_t)pkg, s->pkg[pkg].source_version) != 0) {
		char *prel = xasprintf("SMSPKG/%s.PCK", id);
		char *pwin = simfs_winpath(s, srv, prel);
		o->line[0] = xasprintf("Failed to find the compressed package file %s (version "
		    "%u, read-only) for package %s.", pwin, s->pkg[pkg].source_version, id);
		free(pwin);
		free(prel);
	} else {
		char *err = NULL;
		int rc = preload_record(x, (uint32_t)pkg, srv, &err);
		free(err);
		o->line[0] = xasprintf("Forward package status for pkg %s to site %s", id,
		    s->site_code);
		o->line[1] = xstrdup("****** Successfully set the Compressed Package Path on "
		    "this site ******");
		o->line[2] = xstrdup("****** Successfully forwarded the information up the "
		    "hierarchy ******");
		o->code = rc == 0 ? 0 : 1;
	}
}

/* via=wmi: the output and exit code go to two files in the server's SMS
 * folder, read back and removed once the process has left.  Really
 * written on the server's disk, so nothing may be left behind.  0, or -1
 * after replying why the files could not be made. */
static int
preload_wmi_files(struct opctx *x, uint32_t srv, const char *smsdir, uint32_t pid,
    const struct preload_out *o)
{
	struct sim_site *s = x->s;
	char *wout = xasprintf("%s\\dpdoctor-preload-%u.out", smsdir, pid);
	char *wrc = xasprintf("%s\\dpdoctor-preload-%u.rc", smsdir, pid);
	char *out = sim_server_path(s->dir, s->srv[srv].name, wout);
	char *rcp = sim_server_path(s->dir, s->srv[srv].name, wrc);
	char *dir = sim_server_path(s->dir, s->srv[srv].name, smsdir);
	int rc = 0;
	struct buf text;
	buf_init(&text);
	for (size_t i = 0; i < 3 && o->line[i]; i++)
		buf_printf(&text, "%s\r\n", o->line[i]);
	char code[16];
	snprintf(code, sizeof code, "%d \r\n", o->code);
	struct stat st;
	if (out == NULL || rcp == NULL || dir == NULL || stat(dir, &st) != 0 ||
	    !S_ISDIR(st.st_mode) ||
	    simfs_write(out, text.data ? text.data : "", text.len, s->clock, NULL) != 0 ||
	    simfs_write(rcp, code, strlen(code), s->clock, NULL) != 0) {
		simreply_error(x->r, "%s: cannot write %s: The system cannot find the path "
		    "specified.", s->srv[srv].name, wout);
		rc = -1;
	}
	/* Read back (the reply is made from o, which is what they hold) and
	 * removed, as the script does over the admin share. */
	if (out != NULL)
		(void)unlink(out);
	if (rcp != NULL)
		(void)unlink(rcp);
	buf_free(&text);
	free(out); free(rcp); free(dir); free(wout); free(wrc);
	return rc;
}

static void
preload_answer(struct opctx *x, const char *via, const char *detail,
    const struct preload_out *o)
{
	static const char *const hcols[] = { "Via", "Detail" };
	const char *hv[] = { via, detail };
	simreply_cols(x->r, "H", hcols, 2);
	simreply_row(x->r, "H", hv, 2);
	size_t n = 0;
	while (n < 3 && o->line[n])
		n++;
	preload_reply(x, (const char *const *)o->line, n, o->code);
}

/* Which way the tool starts on srv, checked as the script would: 0, or -1
 * after replying.  *smsdir is the folder to use (borrowed or sms). */
static int
preload_way(struct opctx *x, long srv, const char *server, bool local,
    const char **smsdir, char sms[static 8])
{
	if (local) {
		if (srv < 0 || strcasecmp(x->host, server) != 0) {
			simreply_error(x->r, "via local but this is %s, not %s", x->host, server);
			return -1;
		}
	} else {
		char *deny = srv < 0 ? xstrdup("The RPC server is unavailable. (0x800706BA)") :
		    simevd_remote_denied(x, x->s->srv[srv].name, true);
		if (deny != NULL) {
			simreply_error(x->r, "Win32_Process.Create on %s from %s: %s", server,
			    x->host, deny);
			free(deny);
			return -1;
		}
		if (*smsdir == NULL || **smsdir == '\0') {
			simreply_error(x->r, "via wmi needs smsdir (%s's SMS folder) for the "
			    "output file", server);
			return -1;
		}
	}
	simfs_sms_dir(x->s, (uint32_t)srv, sms);
	if (*smsdir == NULL || **smsdir == '\0')
		*smsdir = sms;
	return 0;
}

int
simrep_preload(struct opctx *x)
{
	struct sim_site *s = x->s;
	const char *id = op_arg(x->op, "package"), *server = op_arg(x->op, "server");
	const char *via = op_arg(x->op, "via"), *smsdir = op_arg(x->op, "smsdir");
	long srv = simdb_find_srv(s, server);
	bool local = strcmp(via, "local") == 0;
	char sms[8];
	if (preload_way(x, srv, server, local, &smsdir, sms) != 0)
		return 0;
	if (simfs_server_ready(s, (uint32_t)srv, NULL) != 0) {
		simreply_error(x->r, "%s: cannot prepare the server's disk", server);
		return 0;
	}
	if (preload_tool(x, (uint32_t)srv, smsdir) != 0)
		return 0;
	struct preload_out o = { { NULL, NULL, NULL }, 1 };
	if (!s->srv[srv].sms_drive)
		o.line[0] = xasprintf("This computer (%s) is not an SMS site server: no SMS "
		    "installation was found.", s->srv[srv].name);
	else
		preload_semantics(x, (uint32_t)srv, id, &o);
	struct sim_rng r = rng_for(s->seed, (uint64_t)s->clock, (uint64_t)srv + 0x9e1);
	uint32_t pid = 4 * rng_range(&r, 300, 4000);
	char *detail = local ? xasprintf("run on %s itself", s->srv[srv].name) :
	    xasprintf("Win32_Process.Create on %s from %s, pid %u", s->srv[srv].name,
	    x->host, pid);
	if (local || preload_wmi_files(x, (uint32_t)srv, smsdir, pid, &o) == 0)
		preload_answer(x, local ? "local" : "wmi", detail, &o);
	free(detail);
	for (size_t i = 0; i < 3; i++)
		free(o.line[i]);
	return 0;
}

/* ---- the provider: RefreshNow, PkgSourcePath ------------------------------------- */

/* The package the provider on this host knows, or -1 after replying. */
static long
provider_pkg(struct opctx *x)
{
	struct sim_site *s = x->s;
	const char *site = op_arg(x->op, "site"), *prov = op_arg(x->op, "provider");
	const char *where = prov != NULL && *prov ? prov : x->host;
	if (simdb_find_srv(s, where) != (long)s->primary) {
		simreply_error(x->r, "SMS Provider not found on %s: root\\SMS\\site_%s does "
		    "not exist", where, site);
		return -1;
	}
	/* Another host's provider is remote WMI (DCOM). */
	char *deny = simevd_remote_denied(x, s->srv[s->primary].name, true);
	if (deny != NULL) {
		simreply_error(x->r, "%s: %s", where, deny);
		free(deny);
		return -1;
	}
	if (strcmp(site, s->site_code) != 0) {
		simreply_error(x->r, "Invalid namespace root\\SMS\\site_%s", site);
		return -1;
	}
	long pkg = simdb_find_pkg(s, op_arg(x->op, "package"));
	if (pkg < 0)
		simreply_error(x->r, "no package %s", op_arg(x->op, "package"));
	return pkg;
}

int
simrep_refreshnow(struct opctx *x)
{
	struct sim_site *s = x->s;
	long pkg = provider_pkg(x);
	if (pkg < 0)
		return 0;
	const char *dp = op_arg(x->op, "dp");
	long srv = simdb_find_srv(s, dp);
	if (srv < 0 || !simdb_target(s, (uint32_t)pkg, (uint32_t)srv)) {
		simreply_error(x->r, "package %s is not on distribution point %s",
		    s->pkg[pkg].id, dp);
		return 0;
	}
	simev_repush(s, (uint32_t)pkg, (uint32_t)srv, s->clock);
	static const char *const cols[] = { "PackageID", "ServerNALPath" };
	const char *v[] = { s->pkg[pkg].id, s->srv[srv].nal };
	simreply_cols(x->r, "R", cols, 2);
	simreply_row(x->r, "R", v, 2);
	simreply_ok(x->r);
	return 0;
}

int
simrep_setsourcepath(struct opctx *x)
{
	struct sim_site *s = x->s;
	long pkg = provider_pkg(x);
	if (pkg < 0)
		return 0;
	struct sim_pkg *p = &s->pkg[pkg];
	const char *path = op_arg(x->op, "path");
	char *old = xstrdup(p->source_path);
	int rc = 0;
	char *err = NULL;
	if (strcmp(old, path) != 0) {
		free(p->source_path);
		p->source_path = xstrdup(path);
		s->dirty = true;
		rc = simev_source_changed(s, (uint32_t)pkg, s->clock, &err);
		if (rc == 0)
			rc = simlog_flush(s, &err);
	}
	if (rc != 0) {
		simreply_error(x->r, "%s", err ? err : "failed");
	} else {
		static const char *const cols[] = { "PackageID", "OldPath", "NewPath" };
		const char *v[] = { p->id, old, path };
		simreply_cols(x->r, "S", cols, 3);
		simreply_row(x->r, "S", v, 3);
		simreply_ok(x->r);
	}
	free(err);
	free(old);
	return 0;
}
