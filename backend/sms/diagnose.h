/*
 * From evidence to a named failure.  The findings are a table: each has an
 * ID, a title, an explanation in an administrator's words, a rule over the
 * evidence, and the repair it suggests.  A finding cites the evidence items
 * it rests on; where the evidence is incomplete or contradicts itself, the
 * diagnosis says so instead of guessing.
 */
#ifndef DPD_DIAGNOSE_H
#define DPD_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/sms/evidence.h"
#include "backend/sms/layout.h"
#include "backend/sms/plan.h"

/* X(ENUM, id, title, suggested repair plan) */
#define FINDING_TABLE(X) \
	X(FIND_PCK_NOT_ARRIVED, "pck-not-arrived", \
	  "The compressed package (PCK) never arrived on the DP", PLAN_PRELOAD_PCK) \
	X(FIND_PKG_FILE_STALE, "pkg-file-stale", \
	  "A stale distmgr.box\\<id>.PKG blocks PreloadPkgOnSite", PLAN_CLEAR_PKG_PRELOAD) \
	X(FIND_NOT_IN_DB, "not-in-db", \
	  "The DP's site does not know the package yet", PLAN_REPUSH_WAIT_PRELOAD) \
	X(FIND_SOURCE_MISSING, "source-missing", \
	  "The package source directory is missing", PLAN_FIX_SOURCE_PATH) \
	X(FIND_SHARE_PERMS, "share-perms", \
	  "Share permissions stop at the root: nested package folders fail", PLAN_FIX_SHARE_PERMS) \
	X(FIND_PCK_STALE, "pck-stale", \
	  "The primary's PCK is stale and does not regenerate", PLAN_RENAME_PCK_TOUCH) \
	X(FIND_UNKNOWN, "unknown", \
	  "No known failure matches the evidence", PLAN_REPUSH) \
	X(FIND_NO_NETCRED, "no-network-credentials", \
	  "The WMI host's key log-in cannot reach other servers", PLAN_NONE) \
	X(FIND_DP_UNREACHABLE, "dp-unreachable", \
	  "The DP's files could not be read", PLAN_NONE) \
	X(FIND_HEALTHY, "healthy", \
	  "Installed: nothing to fix", PLAN_NONE)

enum finding_id {
#define X(e, id, t, p) e,
	FINDING_TABLE(X)
#undef X
	FIND_COUNT,
};

struct finding {
	enum finding_id id;
	const char *name;          /* "pck-not-arrived" */
	const char *title;
	char *explanation;         /* plain words, with this cell's facts filled in */
	enum repair_plan plan;     /* suggested repair plan, or PLAN_NONE */
	size_t *cites;             /* indices into evidence.items */
	size_t ncites;
	char *caveat;              /* incomplete or conflicting evidence, else NULL */
};

struct diagnosis {
	struct finding *findings;  /* most likely first; at least one */
	size_t nfindings;
};

/* Never fails: with too little evidence the answer is FIND_UNKNOWN with a
 * caveat that says what is missing. */
void diagnose(const struct evidence *e, struct diagnosis *out);
void diagnosis_free(struct diagnosis *d);
const char *finding_name(enum finding_id id);
const char *finding_title(enum finding_id id);

/* A cell's evidence and what it means. */
struct cell_diagnosis {
	struct evidence ev;
	struct diagnosis dx;
};

/* The use-case every front end runs on one package/DP cell: gather its
 * evidence through t (as evidence_gather(): `snap` supplies the package and
 * the cell; `progress`, when not NULL, sees the evidence so far after each
 * source, on the calling thread), sort it, and diagnose it.  Blocking.
 * 0 with *out filled (free it with diagnose_cell_free()), or -1 with *err
 * when nothing at all could be gathered; *out then holds nothing. */
int diagnose_cell(const struct site_env *env, const struct snapshot *snap, const char *pkgid,
    const char *dp, const struct deadline *dl,
    void (*progress)(const struct evidence *e, void *arg), void *arg,
    struct cell_diagnosis *out, char **err);
void diagnose_cell_free(struct cell_diagnosis *c);

#endif
