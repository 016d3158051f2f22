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

/* X(ENUM, id, title, suggested repair plan name) */
#define FINDING_TABLE(X) \
	X(FIND_PCK_NOT_ARRIVED, "pck-not-arrived", \
	  "The compressed package (PCK) never arrived on the DP", "preload-pck") \
	X(FIND_PKG_FILE_STALE, "pkg-file-stale", \
	  "A stale distmgr.box\\<id>.PKG blocks PreloadPkgOnSite", "clear-pkg-then-preload") \
	X(FIND_NOT_IN_DB, "not-in-db", \
	  "The DP's site does not know the package yet", "repush-wait-preload") \
	X(FIND_SOURCE_MISSING, "source-missing", \
	  "The package source directory is missing", "fix-source-path") \
	X(FIND_SHARE_PERMS, "share-perms", \
	  "Share permissions stop at the root: nested package folders fail", "fix-share-perms") \
	X(FIND_PCK_STALE, "pck-stale", \
	  "The primary's PCK is stale and does not regenerate", "rename-pck-touch-source") \
	X(FIND_UNKNOWN, "unknown", \
	  "No known failure matches the evidence", "repush") \
	X(FIND_DP_UNREACHABLE, "dp-unreachable", \
	  "The DP's files could not be read", NULL) \
	X(FIND_HEALTHY, "healthy", \
	  "Installed: nothing to fix", NULL)

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
	const char *plan;          /* suggested repair plan name, or NULL */
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

#endif
