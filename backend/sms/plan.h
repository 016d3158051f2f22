/*
 * The repair plans by id.  They live here, below backend/repair, so that a
 * finding (diagnose.h) names the plan it suggests as an enum value and a
 * mistyped plan fails to compile.  What a plan is -- its steps, its words,
 * its name on the command line -- is backend/repair's (repair.h:
 * repair_plan_name(), repair_plan_title(), repair_plan_from_name()).
 */
#ifndef DPD_PLAN_H
#define DPD_PLAN_H

/* X(ENUM, name, title) -- names are what --plan takes and what is shown. */
#define REPAIR_PLAN_TABLE(X) \
	X(PLAN_PRELOAD_PCK, "preload-pck", \
	  "Preload the PCK on the DP") \
	X(PLAN_CLEAR_PKG_PRELOAD, "clear-pkg-then-preload", \
	  "Clear the stale distmgr.box PKG, then preload") \
	X(PLAN_REPUSH_WAIT_PRELOAD, "repush-wait-preload", \
	  "Re-push and wait, then preload") \
	X(PLAN_TOUCH_SOURCE, "touch-source", \
	  "Regenerate the PCK by touching the source path (all DPs)") \
	X(PLAN_RENAME_PCK_TOUCH, "rename-pck-touch-source", \
	  "Rename the primary's PCK, then touch the source path (all DPs)") \
	X(PLAN_FIX_SHARE_PERMS, "fix-share-perms", \
	  "Fix the share permissions by hand, then re-push") \
	X(PLAN_FIX_SOURCE_PATH, "fix-source-path", \
	  "Restore the source directory by hand, then re-push") \
	X(PLAN_REPUSH, "repush", \
	  "Re-push only")

enum repair_plan {
#define X(e, n, t) e,
	REPAIR_PLAN_TABLE(X)
#undef X
	PLAN_COUNT,
	PLAN_NONE = PLAN_COUNT,   /* no plan: a finding that suggests none */
};

#endif
