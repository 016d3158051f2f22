/*
 * The status op end to end: render the query, run it on the provider host
 * through a transport, and turn the reply into a snapshot.  Every field
 * from the remote side is checked (package IDs, numbers, times, NAL paths)
 * and a bad one is reported with its line, because a half-understood grid
 * is worse than an error.  After the status rows the site list (SMS_Site)
 * is asked with the same site and provider: it says what each DP is to a
 * package (backend/core/model.h, DP_KIND_TABLE).  A site list that cannot
 * be read does not cost the grid: the snapshot keeps why (sites_error) and
 * every DP's kind is unknown.
 */
#include "autoconf.h"
#include "backend/sms/status.h"
#include "backend/core/nal.h"
#include "backend/ops/ops.h"
#include "backend/core/proto.h"
#include "backend/core/wmitime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The cell columns a C row may have: DP (an index a D row declared, the
 * compact form) or ServerNALPath and SiteCode (the form of older replies
 * and of records made in memory). */
enum status_col {
	SC_PKG, SC_DP, SC_NAL, SC_SITE, SC_STATE, SC_VERSION, SC_COPIED, SC_SUMMARY, SC_COUNT
};
static const char *const status_col_names[SC_COUNT] = {
	"PackageID", "DP", "ServerNALPath", "SiteCode", "State", "SourceVersion",
	"LastCopied", "SummaryDate",
};

/* Where each wanted column is in a record type's declaration, looked up
 * once per COLS rather than by name on every row. */
struct status_colmap {
	char *const *cols;
	unsigned gen;
	size_t ncols;
	int at[SC_COUNT];
};

/* The last text of a time column and what it parsed to: a site's rows
 * repeat their times (the reply marks the repeats, \=), and most of the
 * rest share the day and zone, so only the hour, minute and second are
 * read again. */
struct status_timecache {
	char text[WMI_TIME_LEN + 1];
	dpd_time t;
	int secs;                 /* text's HHMMSS as seconds; -1: no short cut */
	bool valid;
};

struct status_parse_ctx {
	struct snapshot *s;
	struct status_colmap cmap, dmap;
	long *dps;                /* a D row's index -> the snapshot's DP */
	size_t ndps;
	char pkgid[9];            /* the package of the last C row, and its index */
	size_t pkgidx;
	/* One for both times of a row: SMS stamps a copy's LastCopied and
	 * SummaryDate alike, so the second is mostly the first again. */
	struct status_timecache tc;
};

static void
status_ctx_free(struct status_parse_ctx *ctx)
{
	free(ctx->dps);
}

/* A decimal number (or "" for 0), read by hand: a status reply has
 * millions of them, and strtoull with its locale and errno costs more
 * than the rest of a row. */
static int
parse_u32(const char *v, uint32_t *out)
{
	if (v == NULL || *v == '\0') {
		*out = 0;
		return 0;
	}
	unsigned d0 = (unsigned)(unsigned char)v[0] - '0';
	if (d0 <= 9 && v[1] == '\0') { /* a state, a version: mostly one digit */
		*out = d0;
		return 0;
	}
	uint64_t n = 0;
	size_t i = 0;
	for (; v[i] >= '0' && v[i] <= '9'; i++) {
		n = n * 10 + (uint64_t)(v[i] - '0');
		if (n > UINT32_MAX)
			return -1;
	}
	if (i == 0 || v[i] != '\0')
		return -1;
	*out = (uint32_t)n;
	return 0;
}

/* SourceDate, LastCopied and SummaryDate come as WMI writes them (its
 * offset honoured, SMS's "+***" as GMT), or as ISO from older scripts. */
static int
parse_time(const char *v, dpd_time *out)
{
	return wmi_time_parse_column(v, out);
}

static char *
dup_or_null(const char *v)
{
	return v != NULL ? xstrdup(v) : NULL;
}

static int
status_package(struct snapshot *s, const struct proto_record *r, char **err)
{
	const char *id = proto_get(r, "PackageID");
	if (!pkgid_valid(id)) {
		err_set(err, "line %zu: PackageID \"%s\" is not a package ID",
		    r->lineno, id ? id : "");
		return -1;
	}
	/* Index first: adding may move the array. */
	size_t idx = snapshot_add_pkg(s, id);
	struct package *p = &s->pkgs[idx];
	const char *site = proto_get(r, "SourceSite");
	if (parse_u32(proto_get(r, "SourceVersion"), &p->source_version) != 0 ||
	    parse_u32(proto_get(r, "StoredPkgVersion"), &p->stored_version) != 0 ||
	    parse_time(proto_get(r, "SourceDate"), &p->source_date) != 0) {
		err_set(err, "line %zu: package %s has a bad version or date",
		    r->lineno, id);
		return -1;
	}
	package_clear(p);
	p->name = dup_or_null(proto_get(r, "Name"));
	p->manufacturer = dup_or_null(proto_get(r, "Manufacturer"));
	p->version = dup_or_null(proto_get(r, "Version"));
	p->language = dup_or_null(proto_get(r, "Language"));
	p->source_path = dup_or_null(proto_get(r, "PkgSourcePath"));
	p->stored_path = dup_or_null(proto_get(r, "StoredPkgPath"));
	snprintf(p->source_site, sizeof p->source_site, "%s", site ? site : "");
	return 0;
}

static const char *
col_at(const struct proto_record *r, const struct status_colmap *m, enum status_col c)
{
	int at = m->at[c];
	return at >= 0 && (size_t)at < r->nfields ? r->fields[at] : NULL;
}

static void
colmap_update(struct status_colmap *m, const struct proto_record *r)
{
	if (m->cols == r->cols && m->gen == r->cols_gen && m->ncols == r->ncols)
		return;
	m->cols = r->cols;
	m->gen = r->cols_gen;
	m->ncols = r->ncols;
	for (int c = 0; c < SC_COUNT; c++) {
		m->at[c] = -1;
		for (size_t i = 0; i < r->ncols && m->at[c] < 0; i++)
			if (strcmp(r->cols[i], status_col_names[c]) == 0)
				m->at[c] = (int)i;
	}
}

static int
two_digits(const char *s)
{
	return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' ?
	    (s[0] - '0') * 10 + (s[1] - '0') : -1;
}

/* HHMMSS at s as seconds, or -1. */
static int
hms(const char *s)
{
	int h = two_digits(s), m = two_digits(s + 2), sec = two_digits(s + 4);
	return h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59 ? -1 :
	    h * 3600 + m * 60 + sec;
}

static int
cached_time(struct status_timecache *tc, const char *v, dpd_time *out)
{
	/* Fixed-length compares (inlined), not strcmp or strlen: four a row.
	 * What matches the kept text holds no NUL, so v's length shows in
	 * its byte after. */
	if (tc->valid && v != NULL) {
		if (memcmp(v, tc->text, WMI_TIME_LEN) == 0 && v[WMI_TIME_LEN] == '\0') {
			*out = tc->t;
			return 0;
		}
		/* The same day and zone (and microseconds) as the last: the
		 * time of day is all that differs. */
		int secs = tc->secs >= 0 && memcmp(v, tc->text, 8) == 0 &&
		    memcmp(v + 14, tc->text + 14, WMI_TIME_LEN - 14) == 0 &&
		    v[WMI_TIME_LEN] == '\0' ? hms(v + 8) : -1;
		if (secs >= 0) {
			/* Kept as the text now held: the row's other time is
			 * mostly this one again. */
			*out = tc->t = tc->t - tc->secs + secs;
			tc->secs = secs;
			memcpy(tc->text + 8, v + 8, 6);
			return 0;
		}
	}
	if (parse_time(v, out) != 0)
		return -1;
	tc->valid = v != NULL && strlen(v) == WMI_TIME_LEN;
	if (tc->valid) {
		memcpy(tc->text, v, WMI_TIME_LEN + 1);
		tc->t = *out;
		/* No short cut from a pattern (stars) or an unknown date. */
		tc->secs = *out != 0 && strspn(v, "0123456789") >= 14 ? hms(v + 8) : -1;
	}
	return 0;
}

/* id is the 8-character package ID kept (the loop stops at id's first
 * difference, its NUL included, so it never reads past id). */
static bool
same_id(const char *id, const char *kept)
{
	for (int k = 0; k < 8; k++)
		if (id[k] != kept[k])
			return false;
	return id[8] == '\0';
}

/* A DP by its NAL path (the site's code taken from the first row that
 * has one): its index in the snapshot, or -1 naming the line. */
static long
add_dp(struct snapshot *s, const char *nal, const char *site, size_t lineno, char **err)
{
	char *nerr = NULL;
	long dp = snapshot_add_dp(s, nal ? nal : "", &nerr);
	if (dp < 0) {
		err_set(err, "line %zu: %s", lineno, nerr);
		free(nerr);
		return -1;
	}
	if (s->site_code[0] == '\0' && site != NULL && sitecode_valid(site))
		memcpy(s->site_code, site, 4);
	return dp;
}

/* A D row: DP index -> ServerNALPath (and the DP's SiteCode). */
static int
status_dp(struct status_parse_ctx *ctx, const struct proto_record *r, char **err)
{
	colmap_update(&ctx->dmap, r);
	uint32_t idx;
	const char *nal = col_at(r, &ctx->dmap, SC_NAL), *site = col_at(r, &ctx->dmap, SC_SITE);
	const char *v = col_at(r, &ctx->dmap, SC_DP);
	if (v == NULL || *v == '\0' || parse_u32(v, &idx) != 0 || idx > ctx->ndps) {
		err_set(err, "line %zu: DP index \"%s\" is not the next one (%zu)", r->lineno,
		    v ? v : "", ctx->ndps);
		return -1;
	}
	long dp = add_dp(ctx->s, nal, site, r->lineno, err);
	if (dp < 0)
		return -1;
	if (idx == ctx->ndps)
		ctx->dps = xreallocarray(ctx->dps, ++ctx->ndps, sizeof *ctx->dps);
	ctx->dps[idx] = dp;
	return 0;
}

/* The row's DP: by index (compact) or by NAL path (older form). */
static long
cell_dp(struct status_parse_ctx *ctx, const struct proto_record *r, char **err)
{
	const char *v = col_at(r, &ctx->cmap, SC_DP);
	if (ctx->cmap.at[SC_DP] >= 0) {
		uint32_t idx;
		if (v == NULL || *v == '\0' || parse_u32(v, &idx) != 0 || idx >= ctx->ndps) {
			err_set(err, "line %zu: DP index \"%s\" was not declared by a D row",
			    r->lineno, v ? v : "");
			return -1;
		}
		return ctx->dps[idx];
	}
	return add_dp(ctx->s, col_at(r, &ctx->cmap, SC_NAL), col_at(r, &ctx->cmap, SC_SITE),
	    r->lineno, err);
}

/* The row's package: the last row's again, mostly (rows come package by
 * package), without checking or looking up the ID a second time. */
static int
cell_pkg(struct status_parse_ctx *ctx, const char *id, size_t lineno, size_t *idx, char **err)
{
	if (id != NULL && ctx->pkgid[0] != '\0' && same_id(id, ctx->pkgid)) {
		*idx = ctx->pkgidx;
		return 0;
	}
	if (!pkgid_valid(id)) {
		err_set(err, "line %zu: PackageID \"%s\" is not a package ID", lineno,
		    id ? id : "");
		return -1;
	}
	*idx = ctx->pkgidx = snapshot_add_pkg(ctx->s, id);
	snprintf(ctx->pkgid, sizeof ctx->pkgid, "%s", id);
	return 0;
}

static int
status_cell(struct status_parse_ctx *ctx, const struct proto_record *r, char **err)
{
	colmap_update(&ctx->cmap, r);
	struct snapshot *s = ctx->s;
	const char *id = col_at(r, &ctx->cmap, SC_PKG);
	size_t pkg;
	if (cell_pkg(ctx, id, r->lineno, &pkg, err) != 0)
		return -1;
	long dp = cell_dp(ctx, r, err);
	if (dp < 0)
		return -1;
	struct cell c = { .pkg = (uint32_t)pkg, .dp = (uint32_t)dp };
	uint32_t state;
	if (parse_u32(col_at(r, &ctx->cmap, SC_STATE), &state) != 0 || state > 255 ||
	    parse_u32(col_at(r, &ctx->cmap, SC_VERSION), &c.source_version) != 0 ||
	    cached_time(&ctx->tc, col_at(r, &ctx->cmap, SC_COPIED), &c.last_copied) != 0 ||
	    cached_time(&ctx->tc, col_at(r, &ctx->cmap, SC_SUMMARY), &c.summary_date) != 0) {
		err_set(err, "line %zu: package %s on %s has a bad State, version or date",
		    r->lineno, id, s->dps[dp].name);
		return -1;
	}
	c.state = (uint8_t)state;
	snapshot_add_cell(s, &c);
	return 0;
}

static int
status_record(const struct proto_record *r, void *arg, char **err)
{
	struct status_parse_ctx *ctx = arg;
	/* The types are one letter: no strcmp per row. */
	const char *t = r->type;
	if (t[0] == 'P' && t[1] == '\0')
		return status_package(ctx->s, r, err);
	if (t[0] == 'C' && t[1] == '\0')
		return status_cell(ctx, r, err);
	if (t[0] == 'D' && t[1] == '\0')
		return status_dp(ctx, r, err);
	if (t[0] == 'T' && t[1] == '\0') {
		if (parse_time(proto_get(r, "Now"), &ctx->s->taken) != 0) {
			err_set(err, "line %zu: bad site time", r->lineno);
			return -1;
		}
	}
	return 0;
}

struct snapshot *
status_parse(const char *text, size_t len, char **err)
{
	struct status_parse_ctx ctx = { .s = snapshot_new() };
	int rc = proto_parse(text, len, "status", status_record, &ctx, err);
	status_ctx_free(&ctx);
	if (rc != 0) {
		snapshot_free(ctx.s);
		return NULL;
	}
	snapshot_index(ctx.s);
	return ctx.s;
}

/* One SMS_Site row: T: SiteCode SiteName ServerName ReportingSiteCode
 * Type InstallDir.  A row that does not hold together is refused with its
 * line: a wrong site server would send evidence to the wrong machine. */
static int
sites_record(const struct proto_record *r, void *arg, char **err)
{
	struct snapshot *s = arg;
	if (strcmp(r->type, "T") != 0)
		return 0;
	const char *code = proto_get(r, "SiteCode"), *parent = proto_get(r, "ReportingSiteCode");
	const char *server = proto_get(r, "ServerName"), *dir = proto_get(r, "InstallDir");
	uint32_t type;
	if (!sitecode_valid(code)) {
		err_set(err, "line %zu: SiteCode \"%s\" is not a site code", r->lineno,
		    code ? code : "");
		return -1;
	}
	if ((parent != NULL && *parent != '\0' && !sitecode_valid(parent)) ||
	    (server != NULL && *server != '\0' && !servername_valid(server)) ||
	    parse_u32(proto_get(r, "Type"), &type) != 0 || type > 255) {
		err_set(err, "line %zu: site %s has a bad ReportingSiteCode, ServerName or Type",
		    r->lineno, code);
		return -1;
	}
	struct site_info si = { .type = (int)type, .name = (char *)proto_get(r, "SiteName"),
	    .server = (char *)(server && *server ? server : NULL),
	    .install_dir = (char *)(dir && *dir ? dir : NULL) };
	snprintf(si.code, sizeof si.code, "%s", code);
	snprintf(si.parent, sizeof si.parent, "%s", parent ? parent : "");
	snapshot_add_site(s, &si);
	return 0;
}

/* The site list into s; on failure s has no sites and says why. */
static void
fetch_sites(struct transport *t, struct snapshot *s, const char *site,
    const char *provider, const struct deadline *dl)
{
	struct op op = { .kind = OP_SITES };
	op_set(&op, "site", site);
	if (provider != NULL)
		op_set(&op, "provider", provider);
	char *err = NULL;
	if (transport_call(t, &op, sites_record, s, dl, &err) == 0)
		return;
	/* Half a list would make some kinds wrong rather than unknown. */
	for (size_t i = 0; i < s->nsites; i++) {
		free(s->sites[i].name);
		free(s->sites[i].server);
		free(s->sites[i].install_dir);
	}
	free(s->sites);
	s->sites = NULL;
	s->nsites = 0;
	s->sites_error = xasprintf("the site list (SMS_Site) could not be read, so what each "
	    "DP is (own site, child site server, child site DP) is unknown: %s",
	    err ? err : "no reason given");
	free(err);
}

/* The status op for the whole site (pkgid NULL) or one package; since
 * (non-zero) asks for a delta, which leaves the site list to the full
 * reads. */
static struct snapshot *
fetch(struct transport *t, const char *site, const char *provider,
    const char *pkgid, dpd_time since, const struct deadline *dl, char **err)
{
	struct op op = { .kind = OP_STATUS };
	op_set(&op, "site", site);
	if (provider != NULL)
		op_set(&op, "provider", provider);
	if (pkgid != NULL)
		op_set(&op, "package", pkgid);
	char when[21];
	if (since != 0) {
		time_format_iso(since, when);
		op_set(&op, "since", when);
	}
	struct status_parse_ctx ctx = { .s = snapshot_new() };
	int rc = transport_call(t, &op, status_record, &ctx, dl, err);
	status_ctx_free(&ctx);
	if (rc != 0) {
		snapshot_free(ctx.s);
		return NULL;
	}
	snapshot_index(ctx.s);
	if (ctx.s->site_code[0] == '\0')
		memcpy(ctx.s->site_code, site, 4);
	ctx.s->source = xasprintf("%s:%s", t->ops->name, t->host);
	if (since == 0)
		fetch_sites(t, ctx.s, site, provider, dl);
	return ctx.s;
}

struct snapshot *
status_fetch_sites(struct transport *t, const char *site, const char *provider,
    const struct deadline *dl)
{
	struct snapshot *s = snapshot_new();
	memcpy(s->site_code, site, 4);
	fetch_sites(t, s, site, provider, dl);
	return s;
}

struct snapshot *
status_fetch(struct transport *t, const char *site, const char *provider,
    const struct deadline *dl, char **err)
{
	return fetch(t, site, provider, NULL, 0, dl, err);
}

struct snapshot *
status_fetch_package(struct transport *t, const char *site, const char *provider,
    const char *pkgid, const struct deadline *dl, char **err)
{
	/* An empty ID would render as no filter: the whole site, not one package. */
	if (pkgid == NULL || *pkgid == '\0') {
		err_set(err, "status for one package: no package ID given");
		return NULL;
	}
	return fetch(t, site, provider, pkgid, 0, dl, err);
}

struct snapshot *
status_fetch_since(struct transport *t, const char *site, const char *provider,
    dpd_time since, const struct deadline *dl, char **err)
{
	if (since <= 0) {
		err_set(err, "a delta status read needs a time to start from");
		return NULL;
	}
	return fetch(t, site, provider, NULL, since, dl, err);
}
