/*
 * Where SMS lives on each server, learned rather than assumed (issue 13:
 * no drive letter is taken for granted).  For a server dpdoctor finds its
 * SMS install folder, its compressed-package folder (SMSPKG) and its dist
 * share (SMSPKG<x>$ and the folder behind it), from, in turn: the server's
 * [server] section (sms_path, pck_path), the site list (SMS_Site
 * InstallDir, for site servers), the layout op (the registry's
 * Installation Directory and Win32_Share, asked through the WMI host, or
 * the server's own transport: its share list over SMB), and the package's
 * StoredPkgPath for the primary's PCK folder.  What answered is kept with
 * each value, so the detail pane can say how it was learned.  Learned
 * layouts are cached per site with the time they were learned, until
 * layout_cache_forget() (the refresh key).
 *
 * Also here: struct site_env, what every use-case needs to reach a site
 * (its transport, codes, servers and the layout cache).
 */
#ifndef DPD_LAYOUT_H
#define DPD_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/core/model.h"
#include "backend/core/util.h"
#include "backend/transport/transport.h"

/* Where a value came from. X(ENUM, words) */
#define LAYOUT_SOURCE_TABLE(X) \
	X(LAYOUT_SRC_NONE, "not learned") \
	X(LAYOUT_SRC_CONFIG, "the server's section in the configuration") \
	X(LAYOUT_SRC_SITE, "SMS_Site.InstallDir") \
	X(LAYOUT_SRC_REGISTRY, "the registry's SMS Installation Directory") \
	X(LAYOUT_SRC_SHARE, "the server's shares (Win32_Share)") \
	X(LAYOUT_SRC_SMB, "the server's share list over SMB") \
	X(LAYOUT_SRC_STORED, "the package's StoredPkgPath") \
	X(LAYOUT_SRC_DERIVED, "the SMS folder's drive")

enum layout_source {
#define X(e, w) e,
	LAYOUT_SOURCE_TABLE(X)
#undef X
	LAYOUT_SRC_COUNT,
};
const char *layout_source_words(enum layout_source s);

/* One server's layout.  Every path is as the server names it ("D:\SMS");
 * NULL when not learned.  */
struct layout {
	char *server;
	char *sms_dir;             /* the SMS install folder: inboxes, Logs, bin */
	enum layout_source sms_from;
	char *pck_dir;             /* compressed packages: <pck_dir>\<id>.PCK */
	enum layout_source pck_from;
	char *share;               /* the dist share's name, "SMSPKGD$" */
	char *share_dir;           /* the folder behind it, "D:\SMSPKGD$" */
	enum layout_source share_from;
	char *via;                 /* the server that was asked ("SMS009PRI"), or NULL */
	char *error;               /* what could not be learned and why, or NULL */
	int64_t learned;           /* wall clock (seconds) when learned */
};

/* A server's own settings from the configuration: "sms_path" or
 * "pck_path" for a server, or NULL. */
struct layout_overrides {
	const char *(*get)(const void *ctx, const char *server, const char *key);
	const void *ctx;
};

struct layout_cache;
struct layout_cache *layout_cache_new(void);
void layout_cache_free(struct layout_cache *c);
/* Forget everything learned (the refresh key), so the next use asks again. */
void layout_cache_forget(struct layout_cache *c);
/* Copies of every cached layout, in the order learned (for the detail pane). */
size_t layout_cache_list(struct layout_cache *c, struct layout **out);

/* What reaching a site takes: every use-case (evidence, repair, the log
 * mirror) gets one.  Strings and pointers are borrowed. */
struct site_env {
	struct transport *t;       /* the site's transport (a route: WMI host + servers) */
	const char *site;          /* the site code */
	const char *primary;       /* the site server */
	const char *provider;      /* SMS provider, NULL = t's host */
	struct layout_cache *layouts; /* NULL: nothing cached (each call learns) */
	struct layout_overrides ov;
};

/*
 * The layout of `server`: from the cache, else learned now (blocking; at
 * most one op through env->t per source) and cached.  `snap` (may be NULL)
 * gives the site list and the packages' StoredPkgPath.  Thread-safe.
 * Returns 0 with *out filled (a copy: layout_clear() it) even when only
 * part was learned (out->error says what is missing); -1 with *err when
 * nothing could be learned at all -- the message names the server, every
 * source tried and why each failed, and the settings that would tell it
 * (sms_path, pck_path).
 */
int layout_get(const struct site_env *env, const struct snapshot *snap, const char *server,
    const struct deadline *dl, struct layout *out, char **err);
void layout_clear(struct layout *l);
void layout_copy(struct layout *to, const struct layout *from);

/* A path on `server` from a path as the server names it: "D:\SMS\Logs" ->
 * "\\SERVER\D$\SMS\Logs" (through the admin share); rel, when not NULL,
 * is appended with a backslash.  NULL when local is not "X:\..." */
char *layout_unc(const char *server, const char *local, const char *rel);

/* One line for people: "D:\SMS (the registry's SMS Installation Directory,
 * via SMS009PRI, 3 min ago); PCKs D:\SMSPKG (...); share SMSPKGD$ = ..." */
char *layout_describe(const struct layout *l, int64_t now);

#endif
