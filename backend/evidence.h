/*
 * Evidence for one package/DP cell: what an experienced administrator
 * looks at before touching anything (the seed's checklist).  Every item
 * says where it came from (server and path or query), when it was read
 * (the site's clock) and, when it could not be read, why.  Gathering runs
 * on a job thread through ops over a transport; the UI shows items as they
 * arrive.
 */
#ifndef DPD_EVIDENCE_H
#define DPD_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/model.h"
#include "backend/transport.h"
#include "backend/util.h"

/* X(ENUM, short name, group shown in the UI) */
#define EVIDENCE_KIND_TABLE(X) \
	X(EV_PACKAGE, "package", "Package") \
	X(EV_SOURCE_DIR, "source-dir", "Package") \
	X(EV_PCK_PRIMARY, "pck-primary", "Primary") \
	X(EV_PCK_DP, "pck-dp", "Distribution point") \
	X(EV_INCOMING, "incoming", "Distribution point") \
	X(EV_DISTMGR_PKG, "distmgr-pkg", "Distribution point") \
	X(EV_PKGINFO, "pkginfo", "Distribution point") \
	X(EV_SHARE_FOLDER, "share-folder", "Distribution point") \
	X(EV_SHARE_ACL, "share-acl", "Distribution point") \
	X(EV_LOG, "log", "distmgr.log") \
	X(EV_STATMSG, "statmsg", "Status messages") \
	X(EV_UNREACHABLE, "unreachable", "Errors")

enum evidence_kind {
#define X(e, n, g) e,
	EVIDENCE_KIND_TABLE(X)
#undef X
	EV_KIND_COUNT,
};

/* DOS attribute bits as Windows reports them. */
enum {
	EV_ATTR_READONLY = 0x01,
	EV_ATTR_HIDDEN = 0x02,
	EV_ATTR_SYSTEM = 0x04,
	EV_ATTR_DIRECTORY = 0x10,
	EV_ATTR_ARCHIVE = 0x20,
};

/*
 * What each kind means (the diagnosis rules rely on it):
 *   EV_PACKAGE       one item from the provider: version = SourceVersion,
 *                    size = StoredPkgVersion, when = SourceDate, text = PkgSourcePath
 *   EV_SOURCE_DIR    the package source path: present = it exists
 *   EV_PCK_PRIMARY   SMSPKG\<id>.PCK on the primary: present, size, when (mtime),
 *                    attrs, version = StoredPkgVersion it carries (0 unknown)
 *   EV_PCK_DP        the same file on the DP
 *   EV_INCOMING      one item per distmgr.box\INCOMING\*.PKG on the DP that names
 *                    the package (version = the source version it requires); none
 *                    when there is no such file
 *   EV_DISTMGR_PKG   distmgr.box\<id>.PKG on the DP: present or not
 *   EV_PKGINFO       pkginfo.box\<id>.PKG / .NAL on the DP: one item each
 *   EV_SHARE_FOLDER  the package's folder on the DP's dist share: present or not
 *   EV_SHARE_ACL     the dist share's ACL: flag = 1 when Administrators' rights
 *                    reach nested folders, 0 when they stop at the root, -1 unknown;
 *                    text = the ACL as text
 *   EV_LOG           one item per distmgr.log line naming the package: server = DP
 *                    or primary, source = the log file, when = UTC time, severity,
 *                    text = the message as written
 *   EV_STATMSG       one item per status message: msgid, severity, when,
 *                    server = the machine that raised it, text
 *   EV_UNREACHABLE   a source that could not be read: server, source, error
 */
struct evidence_item {
	enum evidence_kind kind;
	char *server;          /* where it was read */
	char *source;          /* path, query or log file, as on the server */
	dpd_time read_at;      /* the site's clock when it was read */
	dpd_time when;         /* the fact's own time (mtime, log time); 0 = none */
	bool present;          /* file/folder/row exists */
	uint64_t size;         /* bytes, for files */
	uint32_t attrs;        /* EV_ATTR_* */
	uint32_t version;      /* version a PCK/PKG file carries; 0 = unknown */
	int severity;          /* for log lines and status messages: enum smslog_severity */
	int msgid;             /* status message ID (EV_STATMSG) */
	int flag;              /* kind-specific verdict, see above (-1 = unknown) */
	char *text;            /* log line message, status message text, ACL text, detail */
	char *error;           /* could not be read: why (NULL when read) */
};

struct evidence {
	char pkgid[9];
	char *dp;              /* DP server name */
	char *primary;         /* site server */
	char site[4];
	struct package pkg;    /* copy from the snapshot (strings owned) */
	struct cell cell;      /* copy; pkg/dp indices meaningless outside the snapshot */
	bool have_cell;
	struct evidence_item *items;
	size_t nitems;
	bool complete;         /* every source was asked (some may have failed) */
};

void evidence_init(struct evidence *e, const char *pkgid, const char *dp,
    const char *primary, const char *site);
void evidence_free(struct evidence *e);
/* Append a copy of it (strings duplicated). */
struct evidence_item *evidence_add(struct evidence *e, const struct evidence_item *it);
const char *evidence_kind_name(enum evidence_kind k);
const char *evidence_kind_group(enum evidence_kind k);
/* Items of a kind, in order: iterate with `from` = 0, then previous + 1. */
long evidence_find(const struct evidence *e, enum evidence_kind k, size_t from);
/* Sort log lines and status messages newest first within their groups. */
void evidence_sort(struct evidence *e);

/* Gather everything for a cell (blocking: call from a job).  `t` reaches
 * the site server, which reads DPs by UNC path.  `progress`, when not
 * NULL, is called after each source with the evidence so far (from the job
 * thread).  Returns 0 even when some sources failed (those become items
 * with `error` set); -1 only when nothing at all could be gathered. */
int evidence_gather(struct transport *t, const struct snapshot *snap,
    const char *pkgid, const char *dp, const char *primary,
    struct evidence *out, const struct deadline *dl,
    void (*progress)(const struct evidence *e, void *arg), void *arg,
    char **err);

#endif
