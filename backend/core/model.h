/*
 * The site model: packages, distribution points and the cells that join
 * them (one row of SMS_PackageStatusDistPointsSummarizer each), plus the one
 * state table every part of dpdoctor reads for names, glyphs and colour
 * roles.  A snapshot is the immutable result of one status query; the UI
 * swaps snapshots whole, so a refresh never shows half of the old and half
 * of the new data.
 */
#ifndef DPD_MODEL_H
#define DPD_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/core/util.h"

/* Colour roles: what a state means to the eye.  The TUI maps them to colours
 * (or attributes without colour); the backend never knows about curses. */
enum state_role {
	ROLE_NONE,    /* no cell: package not targeted at this DP */
	ROLE_OK,      /* installed */
	ROLE_WAIT,    /* pending: SMS has not got to it yet */
	ROLE_WARN,    /* retrying: SMS is failing but trying again */
	ROLE_FAIL,    /* failed: needs a person */
	ROLE_BUSY,    /* content updating / monitoring: in progress */
	ROLE_UNKNOWN, /* a value we do not know */
};

/*
 * X(value, ENUM, name, label, utf8 glyph, ascii glyph, role, problem, meaning)
 * States 1-6 are problems.  7 and 8 exist only in current-branch ConfigMgr and
 * mean work in progress, not failure (community scripts often get this wrong).
 */
#define STATE_TABLE(X) \
	X(0, STATE_INSTALLED, "INSTALLED", "installed", "\u2713", "+", ROLE_OK, false, \
	  "The package's files are on the distribution point at the current version.") \
	X(1, STATE_INSTALL_PENDING, "INSTALL_PENDING", "pending", "\u25cb", "p", ROLE_WAIT, true, \
	  "Distribution Manager has been asked to copy the package but has not finished yet.") \
	X(2, STATE_INSTALL_RETRYING, "INSTALL_RETRYING", "retrying", "\u21bb", "r", ROLE_WARN, true, \
	  "Copying the package failed and Distribution Manager will try again.") \
	X(3, STATE_INSTALL_FAILED, "INSTALL_FAILED", "failed", "\u2717", "X", ROLE_FAIL, true, \
	  "Distribution Manager gave up installing the package on this distribution point.") \
	X(4, STATE_REMOVAL_PENDING, "REMOVAL_PENDING", "rm-pending", "\u2296", "d", ROLE_WAIT, true, \
	  "The package is being removed from this distribution point.") \
	X(5, STATE_REMOVAL_RETRYING, "REMOVAL_RETRYING", "rm-retry", "\u21ba", "R", ROLE_WARN, true, \
	  "Removing the package failed and Distribution Manager will try again.") \
	X(6, STATE_REMOVAL_FAILED, "REMOVAL_FAILED", "rm-failed", "\u2297", "!", ROLE_FAIL, true, \
	  "Distribution Manager gave up removing the package from this distribution point.") \
	X(7, STATE_CONTENT_UPDATING, "CONTENT_UPDATING", "updating", "\u21c5", "u", ROLE_BUSY, false, \
	  "New content is being copied (ConfigMgr current branch); in progress, not a failure.") \
	X(8, STATE_CONTENT_MONITORING, "CONTENT_MONITORING", "monitoring", "\u25ce", "m", ROLE_BUSY, false, \
	  "Content is being validated (ConfigMgr current branch); in progress, not a failure.")

enum cell_state {
#define X(v, e, ...) e = v,
	STATE_TABLE(X)
#undef X
	STATE_COUNT,
	STATE_NONE = 255, /* no cell */
};

struct state_info {
	int value;
	const char *name;    /* INSTALL_FAILED, as SMS names it */
	const char *label;   /* short lower-case label for headers */
	const char *glyph_utf8;
	const char *glyph_ascii;
	enum state_role role;
	bool problem;        /* counts as "bad" for the seed's State != 0 query */
	const char *meaning; /* one sentence for the administrator */
};

/* Always returns an entry; values outside 0-8 get an "UNKNOWN" entry. */
const struct state_info *state_info(unsigned value);
/* Look a state up by SMS name (case-insensitive) or number. -1 if none. */
int state_from_name(const char *name);
bool state_is_problem(unsigned value);

/* A package as SMS_Package describes it (the distribution-relevant part). */
struct package {
	char id[9];               /* site code + 5 hex digits */
	char *name;
	char *manufacturer;
	char *version;
	char *language;
	char *source_path;        /* PkgSourcePath */
	uint32_t source_version;  /* SourceVersion */
	uint32_t stored_version;  /* StoredPkgVersion */
	char *stored_path;        /* StoredPkgPath */
	char source_site[4];
	dpd_time source_date;
	uint32_t problems;        /* filled by snapshot_index(): bad cells */
};

/* A site of the hierarchy, as SMS_Site describes it.  A DP's NAL path names
 * its site (SMS_SITE=); the site's row says which server is its site server
 * and which site it reports to. */
struct site_info {
	char code[4];             /* SiteCode */
	char parent[4];           /* ReportingSiteCode ("" for the top) */
	char *name;               /* SiteName, may be NULL */
	char *server;             /* ServerName: the site server */
	char *install_dir;        /* InstallDir as SMS_Site gives it, or NULL */
	int type;                 /* SMS_Site.Type: 1 secondary, 2 primary, 0 unknown */
};

/*
 * What a DP is to a package (issue 13; the seed's "remote DPs are also CAPs
 * and MPs"): a DP of the package's own site gets the files uncompressed from
 * the source by that site's distribution manager (no PCK, no preload there:
 * "this is the site where the package was created"); a child site's site
 * server gets the PCK and has its own distmgr.log and inboxes, where
 * PreloadPkgOnSite runs; a plain DP of a child site is served by that child
 * site's server, where its PCK, inboxes and log are.
 * X(ENUM, name, words)
 */
#define DP_KIND_TABLE(X) \
	X(DPK_UNKNOWN, "unknown", "a DP whose site is not in the site list") \
	X(DPK_OWN_SITE, "own-site", "a DP of the package's own site") \
	X(DPK_CHILD_SERVER, "child-site-server", "the site server of a child site") \
	X(DPK_CHILD_DP, "child-site-dp", "a DP of a child site")

enum dp_kind {
#define X(e, n, w) e,
	DP_KIND_TABLE(X)
#undef X
	DPK_COUNT,
};
const char *dp_kind_name(enum dp_kind k);
const char *dp_kind_words(enum dp_kind k);

/* A distribution point: one distinct ServerNALPath. */
struct dp {
	char *nal;                /* ServerNALPath as SMS gave it */
	char *name;               /* column key: SERVER, or SERVER\share$ for share DPs */
	char *server;             /* server name parsed from the NAL path */
	char *share;              /* share name for share-type DPs, else NULL */
	char site_code[4];
	uint32_t problems;
};

struct cell {
	uint32_t pkg;             /* index into snapshot.pkgs */
	uint32_t dp;              /* index into snapshot.dps */
	uint8_t state;            /* enum cell_state value (may be unknown >8) */
	uint32_t source_version;  /* SourceVersion on the DP */
	dpd_time last_copied;
	dpd_time summary_date;
};

/* The result of one status query. */
struct snapshot {
	char site_code[4];
	char *source;             /* "demo", "ssh:HOST" ... for the header */
	dpd_time taken;           /* the site's clock when the query ran */
	struct package *pkgs;
	size_t npkgs;
	struct dp *dps;
	size_t ndps;
	struct cell *cells;
	size_t ncells;
	size_t state_counts[STATE_COUNT + 1]; /* last slot: unknown values */
	struct site_info *sites;  /* SMS_Site rows; may be none (not asked, or
	                           * the query failed: then kinds are unknown) */
	size_t nsites;
	char *sites_error;        /* why the site list could not be read, or NULL
	                           * (the grid still shows; kinds are unknown) */
};

/* Free a package's strings (not the struct itself). */
void package_clear(struct package *p);

struct snapshot *snapshot_new(void);
void snapshot_free(struct snapshot *s);
/* Add or find by key; the index stays valid, but the array may move:
 * call these before taking &s->pkgs[...] or &s->dps[...]. */
size_t snapshot_add_pkg(struct snapshot *s, const char *id);
long snapshot_find_pkg(const struct snapshot *s, const char *id);
/* Returns -1 (and sets err) when the NAL path cannot be parsed. */
long snapshot_add_dp(struct snapshot *s, const char *nal, char **err);
/* By column key (server name, or SERVER\share$), case-insensitive. */
long snapshot_find_dp(const struct snapshot *s, const char *name);
void snapshot_add_cell(struct snapshot *s, const struct cell *c);
/* n cells at once (a copy of another snapshot's, for a delta merge). */
void snapshot_add_cells(struct snapshot *s, const struct cell *c, size_t n);
/* After loading: build the index by package and DP (sparse: linear in
 * the cells, not packages x DPs), per-row/column problem counts and the
 * per-state counts.  A duplicate (pkg, dp) keeps the later row. */
void snapshot_index(struct snapshot *s);
const struct cell *snapshot_cell(const struct snapshot *s, size_t pkg, size_t dp);
/* s holds base's packages, DPs and cells in the same places (a copy whose
 * cells changed only in value): take base's index and counts instead of
 * building them.  false, doing nothing, when the shape differs. */
bool snapshot_index_from(struct snapshot *s, const struct snapshot *base);
/* Count cell c into (sign +1) or out of (-1) the per-state, per-package
 * and per-DP figures: snapshot_index does, and a merge moving a cell's
 * state keeps them true without indexing again. */
void snapshot_count_cell(struct snapshot *s, const struct cell *c, int sign);

/* Add a site row (copied; a second row for a code replaces the first). */
void snapshot_add_site(struct snapshot *s, const struct site_info *si);
/* The site by code (case-insensitive), or NULL. */
const struct site_info *snapshot_site(const struct snapshot *s, const char *code);
/* What DP `dp` is to package `pkg`: its site against the package's
 * SourceSite (the snapshot's site when the package names none), and
 * whether it is its site's server.  DPK_UNKNOWN when the DP's site is not
 * in the site list (or no list was read) and it is not the package's own. */
enum dp_kind snapshot_dp_kind(const struct snapshot *s, size_t pkg, size_t dp);
/* The server whose SMS holds DP `dp`'s inboxes, distmgr.log and PCK store:
 * its site's server (for the package's own site, the primary: the
 * snapshot's site server row, else NULL).  NULL when its site is unknown. */
const char *snapshot_sms_server(const struct snapshot *s, size_t dp);

#endif
