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

#include "backend/core/model.h"
#include "backend/sms/layout.h"
#include "backend/transport/transport.h"
#include "backend/core/util.h"

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
	X(EV_LAYOUT, "layout", "Where SMS lives") \
	X(EV_UNREACHABLE, "unreachable", "Errors")

/*
 * What each kind means (every item has server = the machine the thing is
 * on, source = the path, log file or query as that server names it, and
 * read_at; an item with `error` set says nothing about presence):
 *
 * Where each thing is read depends on what the DP is to the package
 * (e->kind, model.h's DP_KIND_TABLE) and on the servers' layouts (no
 * drive letter is assumed): the DP's PCK, inboxes and distmgr.log are on
 * e->sms_server -- the DP itself for a child site server (and for a DP of
 * unknown kind, a guess said in its EV_LAYOUT item), the child's site
 * server for a plain DP of a child site.  A DP of the package's own site
 * has no SMS: no EV_PCK_DP, EV_INCOMING, EV_DISTMGR_PKG or EV_PKGINFO
 * items (its EV_LAYOUT item says so); its story is in the primary's
 * distmgr.log.  "\\SRV\X$\..." below stands for a server's folder through
 * its admin share, from its layout; a server that is the transport's own
 * host is read by its local path.
 *
 * EV_PACKAGE    one item, from the status snapshot: present = the package
 *               is in it; version = StoredPkgVersion; when = SourceDate;
 *               text = name, SourceVersion, StoredPkgVersion, source and
 *               StoredPkgPath.  e->pkg holds the full copy.
 * EV_SOURCE_DIR the UNC PkgSourcePath as the site server sees it: present,
 *               when = mtime.  server = the file server.  Absent (present
 *               false, no error) = "does not exist".
 * EV_PCK_PRIMARY the primary's compressed copy (StoredPkgPath, else
 *               <the primary's PCK folder>\<id>.PCK): present, size, when =
 *               mtime, attrs.  version is always 0: no host can read a
 *               PCK's version; compare `when` with SourceDate.
 * EV_PCK_DP     <sms_server's PCK folder>\<id>.PCK, same fields.
 * EV_INCOMING   a file <sms_server's SMS>\inboxes\distmgr.box\INCOMING\*.PKG.
 *               No host says which package such a file is for: package is
 *               "" unless sms_server's distmgr.log has a line naming both
 *               the file and a package ("Package <id> requires a newer
 *               version ... skip ...\INCOMING\X.PKG"): then package = that
 *               ID and text names the lines (offsets) that say so; the
 *               lines themselves are EV_LOG items.  version is 0.  When the
 *               folder holds no file, ONE item with present = false and
 *               source "...\INCOMING\*.PKG" says it was checked.
 * EV_DISTMGR_PKG <sms_server's SMS>\inboxes\distmgr.box\<id>.PKG (a work
 *               file; while present PreloadPkgOnSite may answer "already
 *               set": a hint only, the repair plan asks the tool).
 * EV_PKGINFO    two items: pkginfo.box\<id>.PKG and pkginfo.box\<id>.NAL.
 * EV_SHARE_FOLDER the package folder on the DP's dist share: \\DP\X$\
 *               SMSPKG<x>$\<id> (share and folder from the DP's layout); a
 *               second item for a nested folder (SMSPKG<x>$\Apps\<id>)
 *               when a log line names one.
 * EV_SHARE_ACL  the DP's SMSPKG<x>$ share: nested = 1 when Administrators'
 *               rights are inherited to subfolders, 0 when they stop at
 *               the root (nested package folders cannot be created), -1
 *               unknown; text = the ACL, one "who:Allow|Deny:rights:
 *               inheritance:propagation" rule per line.
 * EV_LOG        one distmgr.log line (from X.lo_ or X.log, source says
 *               which; server = sms_server or the primary) containing the
 *               package ID (on the primary also the source folder's last
 *               name; on sms_server also an INCOMING file's name): text = the raw line, offset,
 *               when = UTC (0 when its zone is not known), severity
 *               (SMSLOG_SEV_*: STATMSG SEV, or "Failed"/"Cannot"/"error ="
 *               = error), msgid for STATMSG lines.  At most 2000 (newest)
 *               per log and needle.
 * EV_STATMSG    a status message with AttributeID 400 = the package, from
 *               the DP, naming the DP (404) or from the site server about
 *               the package as a whole: record_id, msgid, severity
 *               (SMSLOG_SEV_*), when = Time, machine = MachineName, dp_nal =
 *               attribute 404 or NULL, istr = insertion strings, text = the
 *               formatted text (simulator only; "" on real hosts).  Newest
 *               200.  server = the site server (where it was queried).
 * EV_LAYOUT     one per server evidence was read from (the primary,
 *               sms_server, the DP): text = layout_describe(); the DP's item
 *               starts with what the DP is (kind, site, its SMS server, and
 *               that the kind is a guess when unknown) and, for an own-site
 *               DP, that it holds no SMS; error = why its layout could not
 *               be learned.
 * EV_UNREACHABLE a source that could not be read: server (e.g. the DP),
 *               source (the paths/log/query asked) and error (why).  When
 *               the WMI host's key log-in is why (transport_netcred_why()),
 *               netcred = true and error is that explanation.
 */
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
	char *text;            /* log line message, status message text, ACL text, detail */
	char *error;           /* could not be read: why (NULL when read) */
	bool netcred;          /* EV_UNREACHABLE: because the WMI host's key
	                        * log-in has no network credentials (error is
	                        * transport_netcred_why()'s explanation), not
	                        * because the server is down */
	/* Kind-specific fields (see "What each kind means" above). */
	uint64_t offset;       /* EV_LOG: byte offset of the line in its file */
	uint32_t record_id;    /* EV_STATMSG: RecordID (newer is larger) */
	int nested;            /* EV_SHARE_ACL: Administrators reach nested
	                        * folders: 1 yes, 0 no, -1 unknown */
	char *package;         /* EV_INCOMING: package ID the file names; ""
	                        * when the host cannot tell (real Windows) */
	char *machine;         /* EV_STATMSG: MachineName that reported it */
	char *dp_nal;          /* EV_STATMSG: attribute 404 (a NAL path) or NULL */
	char **istr;           /* EV_STATMSG: insertion strings, in order */
	size_t nistr;
};

struct evidence {
	char pkgid[9];
	char *dp;              /* DP server name */
	char *primary;         /* site server */
	char site[4];
	enum dp_kind kind;     /* what the DP is to the package */
	char dp_site[4];       /* the DP's site (its NAL's SMS_SITE), "" unknown */
	char *sms_server;      /* whose SMS holds the DP's PCK, inboxes and log:
	                        * the DP (child site server, or unknown kind),
	                        * the child's site server (child plain DP), the
	                        * primary (own-site DP); NULL before gathering */
	char *dp_share;        /* the DP's dist share name, from its layout
	                        * (evidence_share_acl asks about it), or NULL */
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
/* A whole copy of src into dst (dst need not be initialised). */
void evidence_copy(struct evidence *dst, const struct evidence *src);
/* Append a copy of it (strings duplicated). */
struct evidence_item *evidence_add(struct evidence *e, const struct evidence_item *it);
const char *evidence_kind_name(enum evidence_kind k);
const char *evidence_kind_group(enum evidence_kind k);
/* Items of a kind, in order: iterate with `from` = 0, then previous + 1. */
long evidence_find(const struct evidence *e, enum evidence_kind k, size_t from);
/* Sort log lines and status messages newest first within their groups. */
void evidence_sort(struct evidence *e);

struct site_env;

/* Gather everything for a cell (blocking: call from a job).  env->t reaches
 * the site (the WMI host reads DPs by UNC path, or the route sends a
 * server's file ops to its own transport); env->primary is the site server
 * (NULL or "": env->t's host).  `progress`, when not
 * NULL, is called after each source with the evidence so far (from the job
 * thread).  Returns 0 even when some sources failed (those become items
 * with `error` set); -1 only when nothing at all could be gathered. */
int evidence_gather(const struct site_env *env, const struct snapshot *snap,
    const char *pkgid, const char *dp, struct evidence *out, const struct deadline *dl,
    void (*progress)(const struct evidence *e, void *arg), void *arg,
    char **err);

/*
 * Where a cell's things live: what the DP is to the package, which server's
 * SMS serves it and the layouts of the DP, that server and the primary --
 * what evidence_gather uses, for the repair plans to act in the same
 * places.  The layouts come from layout_get() through env (cached there).
 * A layout that could not be learned has server NULL and its *_err says
 * why.  sms_server is the DP for a child site server (and for a DP of
 * unknown kind: kind_guessed), the child site's server for a child
 * site's plain DP, the primary for an own-site DP (whose PCK, inboxes and
 * preload do not apply: only its distmgr.log tells the DP's story).
 */
struct evidence_place {
	enum dp_kind kind;
	bool kind_guessed;     /* DPK_UNKNOWN: treated as holding SMS itself */
	char dp_site[4];
	char *dp;
	char *primary;
	char *sms_server;
	struct layout dpl;     /* the DP's: share, share_dir */
	struct layout smsl;    /* sms_server's: sms_dir, pck_dir */
	struct layout pril;    /* the primary's: sms_dir, pck_dir */
	char *dp_err, *sms_err, *pri_err;
};
/* 0 with *out filled (some layouts may be missing: their *_err), or -1
 * with *err for a bad package or server name.  Free with
 * evidence_place_free(). */
int evidence_place(const struct site_env *env, const struct snapshot *snap, const char *pkgid,
    const char *dp, const struct deadline *dl, struct evidence_place *out, char **err);
void evidence_place_free(struct evidence_place *p);

/* A folder of the place, and a path below it, as the transport's host
 * reaches it: a local path when `server` is t's own host, else through
 * the server's admin share (\\SRV\D$\...).  NULL when that folder is not
 * known (no SMS there, or its layout was not learned). */
/* What the DP is, in a sentence: "LEEDSDP01 is the site server of child
 * site LDS: ..." (from e->kind, dp_site, sms_server).  Malloc'd. */
char *evidence_dp_words(const struct evidence *e);

enum place_dir {
	PLACE_SMS,             /* sms_server's SMS folder (inboxes, Logs) */
	PLACE_PCK,             /* sms_server's PCK folder */
	PLACE_SHARE,           /* the DP's dist share folder */
	PLACE_PRIMARY_SMS,     /* the primary's SMS folder */
	PLACE_PRIMARY_PCK,     /* the primary's PCK folder */
};
char *evidence_place_path(const struct evidence_place *p, const struct transport *t,
    enum place_dir d, const char *rel);

/* Single checks outside a full gather (the repair executor re-checks with
 * these right before acting).  `e` must be evidence_init()ed with the
 * package, DP and primary; items are appended to it.  evidence_paths asks
 * pathinfo about each path and adds one item of `kind` per path (or an
 * EV_UNREACHABLE one); evidence_share_acl adds the DP's EV_SHARE_ACL item
 * for the share e->dp_share names (set it from evidence_place()'s
 * dpl.share; without it the check fails saying so).  0, or -1 with *err when the op failed (an EV_UNREACHABLE item says so). */
int evidence_paths(struct transport *t, struct evidence *e, const char *const *paths,
    size_t n, enum evidence_kind kind, const struct deadline *dl, char **err);
int evidence_share_acl(struct transport *t, struct evidence *e, const struct deadline *dl,
    char **err);

#endif
