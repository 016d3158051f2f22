/*
 * The simulator's insides, shared by its modules and its unit tests.  The
 * site lives in memory as tables of servers, packages and cells; a cell is
 * stored only when it differs from the default (installed at the package's
 * version), so a 5,000 x 500 site stays a few hundred stored rows plus one
 * target bitmap per package.  Files on the simulated servers are the truth
 * for what distmgr sees (INCOMING, PCKs, share folders); the database holds
 * what the SMS provider would answer and the event schedule.
 */
#ifndef DPD_SIMINT_H
#define DPD_SIMINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/sim/sim.h"
#include "backend/transport/transport.h"
#include "backend/core/util.h"
#include "backend/core/winzone.h"

/* ---- deterministic randomness (never rand()) ------------------------ */

struct sim_rng {
	uint64_t s;
};

static inline uint64_t
sim_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* splitmix64: tiny, fast and good enough for scenario data. */
static inline uint64_t
rng_next(struct sim_rng *r)
{
	r->s += UINT64_C(0x9e3779b97f4a7c15);
	return sim_mix(r->s);
}

/* Uniform in [0, n); n == 0 gives 0. */
static inline uint32_t
rng_below(struct sim_rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline uint32_t
rng_range(struct sim_rng *r, uint32_t lo, uint32_t hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

/* A generator seeded from several values, so an event's details depend
 * only on what the event is, not on how many events came before it. */
static inline struct sim_rng
rng_for(uint64_t a, uint64_t b, uint64_t c)
{
	struct sim_rng r = { sim_mix(a ^ sim_mix(b ^ sim_mix(c + 0x51ed))) };
	return r;
}

/* ---- failure modes, events ----------------------------------------- */

/* X(ENUM, name, what is wrong) */
#define SIM_MODE_TABLE(X) \
	X(SIM_MODE_NONE, "NONE", "nothing: installed at the package's version") \
	X(SIM_MODE_PCK_MISSING, "PCK_MISSING", \
	  "the child site never got the compressed PCK; its INCOMING holds the package file") \
	X(SIM_MODE_STALE_PKG_FILE, "STALE_PKG_FILE", \
	  "distmgr.box\\<id>.PKG is already on the child site server; PreloadPkgOnSite says already set") \
	X(SIM_MODE_NOT_IN_DB, "NOT_IN_DB", "the child site does not know the package yet") \
	X(SIM_MODE_SOURCE_MISSING, "SOURCE_MISSING", "the package source directory does not exist") \
	X(SIM_MODE_SHARE_PERMS, "SHARE_PERMS", \
	  "the DP's share permissions stop at the root; nested package folders fail") \
	X(SIM_MODE_PCK_NO_REGEN, "PCK_NO_REGEN", \
	  "the primary's PCK is stale and does not regenerate on a source path change") \
	X(SIM_MODE_TRANSIENT, "TRANSIENT", "in progress; moves on by itself")

enum sim_mode {
#define X(e, n, d) e,
	SIM_MODE_TABLE(X)
#undef X
	SIM_MODE_COUNT,
};

const char *sim_mode_name(unsigned m);
int sim_mode_from_name(const char *name);

/* Cell events: what happens to a cell next, at cell->next_event. */
#define SIM_EVENT_TABLE(X) \
	X(SIM_EV_NONE, "none") \
	X(SIM_EV_PRIMARY_RETRY, "primary-retry")  /* primary retries the DP add */ \
	X(SIM_EV_REMOVE_RETRY, "remove-retry")    /* DP retries a removal */ \
	X(SIM_EV_ARRIVE_PKG, "arrive-pkg")        /* package info reaches INCOMING */ \
	X(SIM_EV_ARRIVE_PCK, "arrive-pck")        /* the PCK reaches the DP's SMSPKG */ \
	X(SIM_EV_REMOVE_DONE, "remove-done")      /* a pending removal completes */ \
	X(SIM_EV_UPDATE_SEND, "update-send")      /* primary sends a new version */ \
	X(SIM_EV_INBOX_NOTIFY, "inbox-notify")    /* DP acts on what just arrived */ \
	X(SIM_EV_REPUSH, "repush")                /* RefreshNow: package info to the DP */

enum sim_event {
#define X(e, n) e,
	SIM_EVENT_TABLE(X)
#undef X
	SIM_EV_COUNT,
};

/* Site events: what happens to the site as a whole, at s->site_next[e].
 * Each comes back by itself, at a time that depends only on the seed and
 * the time it last happened. */
#define SIM_SITE_EVENT_TABLE(X) \
	X(SIM_SEV_PKG_UPDATE, "pkg-update")  /* the primary updates a package's DPs */

enum sim_site_event {
#define X(e, n) e,
	SIM_SITE_EVENT_TABLE(X)
#undef X
	SIM_SEV_COUNT,
};

/* ---- the site ------------------------------------------------------- */

enum {
	SIM_ROLE_PRIMARY = 1 << 0,  /* site server and SMS provider */
	SIM_ROLE_DP = 1 << 1,
	SIM_ROLE_SITESRV = 1 << 2, /* site server of a child (secondary) site */
};

enum {
	SIM_SRV_SHARE_ROOT_ONLY = 1 << 0, /* share ACL applies to the root only */
	SIM_SRV_NO_PRELOAD = 1 << 1, /* PreloadPkgOnSite.exe not in <SMS>\bin\i386 */
};

enum {
	SIM_PKG_NO_REGEN = 1 << 0,  /* PCK does not regenerate on a path change */
};

enum {
	SIM_CELL_UNKNOWN = 1 << 0,  /* the DP's site has no record of the package */
	SIM_CELL_PRELOADED = 1 << 1, /* PreloadPkgOnSite set the compressed path */
};

/* Files on the simulated disks carry two Windows attributes in their mode:
 * read-only is a missing owner-write bit, and archive a set owner-execute
 * bit.  That is how Samba reads them with map readonly and map archive, so
 * an smbd serving these disks (the tests' fixture) shows the attributes
 * the simulator answers, and a file made read-only over SMB is refused to
 * every writer, as on Windows.  Files are written 0744: writable, archive
 * set, as a file just written on Windows is. */
#define SIM_MODE_ARCHIVE 0100

#define SIM_THREADS 4
#define SIM_MAX_RETRIES 100       /* SMS 2003 default number of retries */
#define SIM_RETRY_MIN 30          /* ... and minutes between them */
#define SIM_CATCHUP_MAX 86400     /* simulate at most one day per access */
#define SIM_SPEED 60              /* site seconds per real second */
#define SIMLOG_MAX_BYTES (1024 * 1024) /* SMS 2003 server log size */

struct sim_server {
	char *name;
	char site[4];
	uint8_t role;
	uint8_t zone;               /* index into the time zone table */
	uint8_t flags;
	uint8_t region;
	uint32_t pid;               /* SMS_EXECUTIVE's process ID */
	uint32_t threads[SIM_THREADS]; /* [0] the main distmgr thread */
	uint32_t cycle;             /* seconds between inbox scans */
	uint32_t phase;             /* scans happen at phase + k * cycle */
	dpd_time next_cycle;        /* 0: inbox idle */
	int64_t log_ms;             /* time of the last line in distmgr.log */
	char sms_drive;             /* SMS folder <d>:\SMS, PCKs <d>:\SMSPKG; 0: no SMS */
	char share_drive;           /* the dist share SMSPKG<x>$ = <x>:\SMSPKG<x>$ */
	char *nal;                  /* derived: ServerNALPath */
	uint32_t home;              /* derived: the site server whose distmgr serves it */
};

/* A share as Win32_Share lists it: name and folder. */
struct sim_share {
	char name[24];
	char path[48];
};
#define SIM_MAX_SHARES 12

struct sim_pkg {
	char id[9];
	char *name;
	char *manufacturer;
	char *version;
	char *language;
	char *source_path;          /* UNC PkgSourcePath */
	char *stored_path;          /* E:\SMSPKG\<id>.PCK on the primary */
	char *share_path;           /* folder under SMSPKGE$ ("" = the ID) */
	char source_site[4];
	uint32_t source_version;
	uint32_t stored_version;
	uint8_t flags;
	dpd_time source_date;
	uint64_t size;              /* compressed size in bytes */
	uint64_t *targets;          /* bitmap over servers */
};

/* A stored cell: one that differs from the default. */
struct sim_cell {
	uint32_t pkg;
	uint32_t srv;
	uint8_t state;
	uint8_t mode;
	uint8_t event;
	uint8_t flags;
	uint16_t retries;
	uint32_t source_version;
	dpd_time last_copied;
	dpd_time summary_date;
	dpd_time next_event;
};

/* A log line waiting to be appended, in time order, at the end of an op. */
struct simlog_line {
	int64_t ms;
	uint32_t seq;
	uint32_t srv;
	uint32_t thread;
	char *text;                 /* the message, without the trace suffix */
};

/* A status message as the site's database holds it (SMS_StatusMessage
 * with its insertion strings and attributes 400 and 404).  Every STATMSG
 * a simulated server logs is recorded, so the statmsgs op answers from
 * here, not from a log that may have rolled over. */
struct sim_statmsg {
	uint32_t recid;             /* RecordID: increasing */
	uint16_t msgid;
	char sev;                   /* 'I', 'W' or 'E' */
	uint32_t srv;               /* the reporting machine */
	int64_t ms;                 /* when (UTC ms) */
	char pkg[9];                /* attribute 400, "" when none */
	char *dp;                   /* attribute 404 (a NAL path), NULL when none */
	char *istr;                 /* insertion strings, each ended by '\x1f' */
};
#define SIM_STATMSG_KEEP 200    /* newest messages kept per package */

/* A save's stamp in site.db (hex): simcache.c knows a file by it. */
#define SIMDB_STAMP_LEN 16

struct sim_site {
	char *dir;
	char site_code[4];
	char *scenario;
	uint32_t seed;
	char *filesrv;              /* the file server holding package sources */
	dpd_time start;             /* the scenario's nominal start */
	dpd_time clock;             /* how far events have been processed */
	dpd_time anchor_sim;        /* site time at real time anchor_real */
	int64_t anchor_real;        /* 0: not anchored (created frozen) */
	bool materialise;           /* write files for every installed cell */
	uint32_t primary;           /* server index */
	struct sim_server *srv;
	size_t nsrv;
	struct sim_pkg *pkg;
	size_t npkg;
	size_t words;               /* uint64 words per target bitmap */
	struct sim_cell *cell;      /* sorted by (pkg, srv) */
	size_t ncell;
	size_t cellcap;
	struct simlog_line *logs;
	size_t nlogs;
	size_t logcap;
	uint32_t logseq;
	dpd_time site_next[SIM_SEV_COUNT]; /* 0: not scheduled (yet) */
	struct sim_statmsg *msgs;   /* by recid */
	size_t nmsgs;
	size_t msgcap;
	uint32_t msgseq;            /* the last RecordID given */
	bool dirty;                 /* the database must be written */
	char stamp[SIMDB_STAMP_LEN + 1]; /* site.db's, as loaded or last saved */
};

/* A status message attribute: (AttributeID, value). */
struct simlog_attr {
	unsigned id;
	const char *value;
};

/* ---- simdb.c: the site database ------------------------------------ */

struct sim_site *simdb_new(const char *dir);
void simdb_free(struct sim_site *s);
int simdb_load(const char *dir, struct sim_site **out, char **err);
/* Writes site.db atomically. */
int simdb_save(struct sim_site *s, char **err);
char *simdb_path(const char *dir);

/* Take the site lock (flock on DIR/site.lock, shared or exclusive), polling
 * so a deadline or cancel flag is honoured.  Returns the fd or -1. */
int simdb_lock(const char *dir, bool exclusive, const struct deadline *dl, char **err);
void simdb_unlock(int fd);

void simdb_add_server(struct sim_site *s, const struct sim_server *srv);
/* Also links each server to its site server (home). */
void simdb_set_words(struct sim_site *s);
/* Whether the server is the site server of a child site (or the primary). */
bool simdb_site_server(const struct sim_site *s, uint32_t srv);
/* A DP served by a child site's site server (itself or a plain DP there):
 * its package files come as PCK and replication file to that server. */
bool simdb_child(const struct sim_site *s, uint32_t srv);
long simdb_find_pkg(const struct sim_site *s, const char *id);
long simdb_find_srv(const struct sim_site *s, const char *name);
bool simdb_target(const struct sim_site *s, uint32_t pkg, uint32_t srv);
void simdb_target_set(struct sim_site *s, uint32_t pkg, uint32_t srv, bool on);
/* The stored cell, or NULL when the cell is default (or not targeted). */
struct sim_cell *simdb_cell(struct sim_site *s, uint32_t pkg, uint32_t srv);
/* The cell as SMS would report it: stored or default.  False when the
 * package is not targeted at the server. */
bool simdb_cell_view(const struct sim_site *s, uint32_t pkg, uint32_t srv,
    struct sim_cell *out);
/* Store the cell (from its default when it was not stored yet). */
struct sim_cell *simdb_cell_make(struct sim_site *s, uint32_t pkg, uint32_t srv);
void simdb_cell_drop(struct sim_site *s, uint32_t pkg, uint32_t srv);
/* The package's stored cells (consecutive, by server); *n may be 0. */
struct sim_cell *simdb_pkg_cells(struct sim_site *s, uint32_t pkg, size_t *n);
const char *sim_site_event_name(unsigned e);
int sim_site_event_from_name(const char *name);
/* When a default cell was last copied (deterministic per pair). */
dpd_time simdb_default_copied(const struct sim_site *s, uint32_t pkg, uint32_t srv);

/* Record a status message (istr: up to 10, NULL ends; attrs end with id 0). */
void simdb_statmsg_add(struct sim_site *s, uint32_t srv, int64_t ms, unsigned id,
    char sev, const char *const *istr, const struct simlog_attr *attrs);
/* Keep the newest SIM_STATMSG_KEEP per package (and as many without one). */
void simdb_statmsg_trim(struct sim_site *s);
/* Drop the log lines waiting to be written (after a flush, or when the
 * site goes). */
void simdb_logs_discard(struct sim_site *s);

/* ---- simdelta.c: a delta status read ------------------------------ */

struct sim_pair {
	uint32_t pkg;
	uint32_t srv;
};
/* The targeted pairs of packages [from, to) whose SummaryDate is `since`
 * or later, by package then server (*out: free it; may be NULL when 0). */
size_t simdelta_pairs(struct sim_site *s, uint32_t from, uint32_t to, dpd_time since,
    struct sim_pair **out);
/* Whether package pkg's SMS_Package row is in a delta (SourceDate >= since;
 * since 0: a full read, every row). */
bool simdelta_pkg_new(const struct sim_site *s, uint32_t pkg, dpd_time since);

/* ---- simclock.c: site time ------------------------------------------ */

/* DPDOCTOR_SIM_TIME: 1 and *t when set, 0 when unset, -1 when malformed. */
int simclock_env(dpd_time *t, char **err);
/* The site's time now (never before s->clock); may anchor the site. */
int simclock_now(struct sim_site *s, dpd_time *now, char **err);
/* Fast ISO 8601 ("2007-01-04T09:12:03Z"), "" for 0. */
void simclock_iso(dpd_time t, char out[static 21]);
/* SMS's GMT date as its provider writes it, "20070104100000.000000+***"
 * for an even row, "...+000" for an odd one; "" for 0. */
void simclock_wmi(dpd_time t, uint32_t row, char out[static 26]);
/* Broken-down UTC; wday 0 = Sunday. */
struct sim_tm {
	int year, mon, mday, hour, min, sec, wday, yday;
};
void simclock_split(int64_t t, struct sim_tm *tm);
int64_t simclock_days(int year, int mon, int mday);
/* The Windows time zones the simulated servers live in: 0 (GMT) for an
 * index out of range; find gives the index of a standard name, or -1. */
struct sim_zone {
	const char *std_name;
	const char *dst_name;
	int offset_min;             /* standard time, east of UTC */
	enum winzone_dst rule;
};
const struct sim_zone *simclock_zone(unsigned idx);
unsigned simclock_zone_count(void);
int simclock_zone_find(const char *std_name);

/* ---- simlog.c: distmgr.log ------------------------------------------ */

/* "Thu Jan 04 09:12:03.417 2007 GMT Standard Time" for UTC ms. */
void simlog_stamp(struct buf *b, int64_t ms, unsigned zone);
/* "Thu Jan 04 09:12:03.417 2007" (UTC, for STATMSG GMTDATE). */
void simlog_gmtdate(struct buf *b, int64_t ms);

/* A job is one thread's run of lines about one package: lines get
 * increasing times and the job's thread, and jobs started at the same
 * moment interleave in the file as they do in a real distmgr.log. */
struct simlog_job {
	struct sim_site *site;
	uint32_t srv;
	uint32_t thread;
	int64_t ms;
	struct sim_rng rng;
};
/* slot 0 is the main distmgr thread (inbox scans), 1.. the package
 * processing threads; salt varies the timing between jobs. */
void simlog_job_start(struct simlog_job *j, struct sim_site *s, uint32_t srv,
    dpd_time t, unsigned slot, uint64_t salt);
void simlog_line(struct simlog_job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A STATMSG line; istr holds up to 10 insertion strings (NULL ends), attrs
 * pairs of (id, value) ending with 0. */
void simlog_statmsg(struct simlog_job *j, unsigned id, char sev, char lev,
    const char *const *istr, const struct simlog_attr *attrs);
/* Append the pending lines to each server's distmgr.log in time order,
 * rolling over to distmgr.lo_ at SIMLOG_MAX_BYTES. */
int simlog_flush(struct sim_site *s, char **err);

/* ---- simfs.c: the servers' file trees -------------------------------- */

/* The standard folders of a server's E: drive (inboxes, SMSPKG,
 * SMSPKGE$, CAP_<site>, Logs).  Scenarios that do not materialise every
 * pair (large) create them only for servers they touch, so anything that
 * reads or writes a server's files must call this first. */
int simfs_server_ready(const struct sim_site *s, uint32_t srv, char **err);
/* DIR/servers/<server>/<d>:/<rel> (rel uses '/'): rel's first folder says
 * which drive: SMS, SMSPKG and CAP_* live on the SMS drive, "SMSPKGE$"
 * stands for the server's own dist share folder SMSPKG<x>$ on its drive. */
char *simfs_path(const struct sim_site *s, uint32_t srv, const char *rel);
/* <d>:\<rel> with backslashes, as the server names it in logs. */
char *simfs_winpath(const struct sim_site *s, uint32_t srv, const char *rel);
/* The server's shares as Win32_Share lists them; returns how many. */
size_t simfs_shares(const struct sim_site *s, uint32_t srv,
    struct sim_share out[static SIM_MAX_SHARES]);
/* The server's SMS folder, "<d>:\SMS", or "" without SMS. */
void simfs_sms_dir(const struct sim_site *s, uint32_t srv, char out[static 8]);
char *simfs_source_dir(const struct sim_site *s, const struct sim_pkg *p);
/* The package's folder under SMSPKGE$ (rel path), e.g. SMSPKGE$/009000B7. */
char *simfs_share_rel(const struct sim_pkg *p);
int simfs_write(const char *path, const void *data, size_t len, dpd_time mtime, char **err);
int simfs_mkdirs(const char *path, char **err);
int simfs_remove_tree(const char *path, char **err);
bool simfs_exists(const char *path);

/* Package files: the .PKG package information (INCOMING, distmgr.box,
 * pkginfo.box) and the compressed .PCK with a small header. */
char *simfs_pkginfo_text(const struct sim_site *s, const struct sim_pkg *p, uint32_t version);
int simfs_pkginfo_parse(const char *text, char id[static 9], uint32_t *version);
int simfs_write_pck(const struct sim_site *s, uint32_t srv, uint32_t pkg,
    uint32_t version, dpd_time mtime, char **err);
/* 0 and *version when the DP has a readable PCK, 1 when it has none. */
int simfs_pck_version(const struct sim_site *s, uint32_t srv, uint32_t pkg,
    uint32_t *version, char **err);
/* The package ID and version a simulated PCK or package (.PKG) file
 * carries; -1 when the file is neither (or unreadable).  For the engine
 * only: no op answers it, as a real host cannot read it. */
int simfs_file_header(const char *path, char id[static 9], uint32_t *version);
int simfs_write_incoming(const struct sim_site *s, uint32_t srv, uint32_t pkg,
    const char *name, uint32_t version, dpd_time mtime, char **err);
/* Names (not paths) of INCOMING\*.PKG, sorted. */
int simfs_list_incoming(const struct sim_site *s, uint32_t srv, char ***names,
    size_t *n, char **err);
void simfs_names_free(char **names, size_t n);
/* What a successful install leaves on a DP: distmgr.box\<id>.PKG,
 * pkginfo.box and CAP_<site>\pkginfo.box entries, colleval.box\<id>.CLF and
 * the extracted folder on the dist share. */
int simfs_install(const struct sim_site *s, uint32_t srv, uint32_t pkg,
    uint32_t version, dpd_time t, char **err);
int simfs_uninstall(const struct sim_site *s, uint32_t srv, uint32_t pkg, char **err);
int simfs_write_source(const struct sim_site *s, uint32_t pkg, char **err);
/* Random INCOMING file name: 8 of [A-Z0-9]. */
void simfs_random_name(struct sim_rng *r, char out[static 9]);

/* ---- simevent.c: advancing time --------------------------------------- */

/* Process every due event up to `now` in time order (at most a day's worth;
 * older work is skipped ahead) and flush the logs.  Sets s->dirty when
 * anything happened. */
int simev_advance(struct sim_site *s, dpd_time now, char **err);
/* Make sure the server scans its inbox at its next cycle after t. */
void simev_wake(struct sim_site *s, uint32_t srv, dpd_time t);
/* One inbox scan of a DP at time t (exposed for tests). */
int simev_dp_cycle(struct sim_site *s, uint32_t srv, dpd_time t, char **err);
dpd_time simev_next_cycle(const struct sim_server *v, dpd_time after);
/* The primary's next retry pass after t (every SIM_RETRY_MIN minutes). */
dpd_time simev_retry_time(const struct sim_site *s, dpd_time after);

/* RefreshNow on a DP: the primary replicates the package information to
 * it a few minutes after t (it does not resend the PCK). */
void simev_repush(struct sim_site *s, uint32_t pkg, uint32_t srv, dpd_time t);
/* The package's source path changed at t: regenerate the PCK on the
 * primary and send it to every DP, or say why not (source missing, a PCK
 * that does not regenerate while it is there). */
int simev_source_changed(struct sim_site *s, uint32_t pkg, dpd_time t, char **err);

/* ---- scenario.c -------------------------------------------------------- */

/* Build the site in memory and on disk up to `now`. */
int scenario_build(const char *dir, const char *name, uint32_t seed,
    dpd_time now, bool anchored, struct sim_site **out, char **err);
extern const dpd_time scenario_start; /* 2007-01-04T09:00:00Z */

/* ---- simops.c ---------------------------------------------------------- */

/* A reply being written: protocol lines go through a scratch buffer and
 * reach `out` with CRLF endings. */
struct reply_same;
/* A reply goes to its sink (script.h) every this many bytes. */
#define SIMREPLY_FLUSH ((size_t)256 << 10)
struct reply {
	struct buf *out;
	struct buf tmp;
	size_t records;
	bool failed;
	struct reply_same *same;    /* simreply_same's previous rows, by type */
	struct script_result *res;  /* out is flushed to its sink, when it has one */
};
void simreply_begin(struct reply *r, const char *op);
void simreply_cols(struct reply *r, const char *type, const char *const *names, size_t n);
void simreply_row(struct reply *r, const char *type, const char *const *values, size_t n);
void simreply_row_uncounted(struct reply *r, const char *type, const char *const *values,
    size_t n);
void simreply_error(struct reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void simreply_ok(struct reply *r);
/* A row as the status script's Same writes it: a field that repeats the
 * previous row of its type and is longer than 2 bytes goes as \=. */
void simreply_same(struct reply *r, const char *type, const char *const *values, size_t n,
    bool counted);
/* Hand what is written so far to the result's sink (at least `min` bytes
 * of it; 0: all); the end of a reply flushes all.  Frees simreply_same's
 * rows when `done`. */
void simreply_flush(struct reply *r, size_t min, bool done);

/* What a handler gets: the host it runs as, the op, the loaded site. */
struct op;
struct opctx {
	const char *host;
	const struct op *op;
	struct sim_site *s;
	struct reply *r;
	const char *user;           /* a credential the script came with, or NULL */
	const char *password;
};

/* An argument a handler accepts, with the check a host makes. */
struct arg_rule {
	const char *key;
	bool (*valid)(const char *);
	bool required;
	const char *what;
};

/* simevidence.c: the read-only evidence ops. */
extern const struct arg_rule simevd_pathinfo_rules[], simevd_dirlist_rules[],
    simevd_loggrep_rules[], simevd_statmsgs_rules[], simevd_shareacl_rules[],
    simevd_readfile_rules[];
int simevd_pathinfo(struct opctx *x);
int simevd_dirlist(struct opctx *x);
int simevd_loggrep(struct opctx *x);
int simevd_statmsgs(struct opctx *x);
int simevd_shareacl(struct opctx *x);
int simevd_readfile(struct opctx *x);
/* Where a valid Windows path lives in the site's trees (as the host of x
 * sees it); NULL with *why when its server cannot be reached. */
char *simevd_path(const struct opctx *x, const char *win, char **why);
/* Why host x cannot make a remote call to server (NULL: it can): a key
 * log-in without network credentials (DPDOCTOR_SIM_NO_UNC=1) and no
 * credential with the script, or a credential whose password is not
 * DPDOCTOR_SIM_PASSWORD (when set).  wmi picks the words: DCOM/WMI's
 * "Access is denied" or a UNC path's. */
char *simevd_remote_denied(const struct opctx *x, const char *server, bool wmi);

/* simsites.c: where things are (SMS_Site, the layout of a server). */
extern const struct arg_rule simsites_sites_rules[], simsites_layout_rules[];
int simsites_sites(struct opctx *x);
int simsites_layout(struct opctx *x);

/* simrepair.c: the ops that change the site. */
extern const struct arg_rule simrep_copyfile_rules[], simrep_setattr_rules[],
    simrep_deletefile_rules[], simrep_renamefile_rules[], simrep_preload_rules[],
    simrep_refreshnow_rules[], simrep_setsourcepath_rules[], simrep_writefile_rules[];
int simrep_copyfile(struct opctx *x);
int simrep_setattr(struct opctx *x);
int simrep_deletefile(struct opctx *x);
int simrep_renamefile(struct opctx *x);
int simrep_preload(struct opctx *x);
int simrep_refreshnow(struct opctx *x);
int simrep_setsourcepath(struct opctx *x);
int simrep_writefile(struct opctx *x);
/* Say whether PreloadPkgOnSite.exe is installed in the server's SMS
 * folder (bin\i386), as a test or scenario sets it up; a server that has
 * it not fails preload naming every folder the script looked in. */
int simrep_preload_tool(const char *dir, const char *server, bool installed, char **err);

int simops_run(const char *dir, const char *host, const char *script,
    struct script_result *res, const struct deadline *dl, char **err);
/* The same with a credential (user and password may be NULL). */
int simops_run_as(const char *dir, const char *host, const char *script,
    const char *user, const char *password, struct script_result *res,
    const struct deadline *dl, char **err);

/* ---- simps2.c: the PowerShell 2.0 floor ------------------------------- */

/* How a construct newer than PowerShell 2.0 / CLR 2.0 shows in a script. */
enum simps2_kind {
	PS2_COMMAND,    /* a command name: names */
	PS2_PARAMETER,  /* a parameter (values) of a command (names), in its statement */
	PS2_VALUE,      /* a parameter (names) given a value (values) */
	PS2_OPERATOR,   /* an operator: names, without the dash */
	PS2_VARIABLE,   /* a variable: names; "x:" is a scope prefix */
	PS2_TYPE,       /* a type literal [name] */
	PS2_MEMBER,     /* a member: names with their "." or "::"; values: what may
	                   follow it ("(" for a call, "" for anything) */
};

struct simps2_rule {
	const char *construct;  /* what a refusal names */
	const char *needs;      /* the version that introduced it */
	const char *source;     /* where that is said */
	const char *example;    /* one line of code using it (the tests run it) */
	enum simps2_kind kind;
	const char *names;
	const char *values;
};

/* 0 when the script uses nothing newer than PowerShell 2.0 on CLR 2.0
 * (comments and strings aside); else -1 and *why in 2.0's words, with the
 * construct and the version it needs. */
int simps2_check(const char *script, char **why);
/* The table the check applies, *n rows. */
const struct simps2_rule *simps2_rules(size_t *n);

/* ---- site.c ------------------------------------------------------------ */

/* Lock and load the site and bring its clock to now.  *lockfd is the held
 * lock (release with simdb_unlock). */
/* ---- simcache.c: the last site an op left, for the next op ---------- */

/* The kept site when site.db still carries its stamp (the caller holds
 * the site's lock), else NULL: load it. */
struct sim_site *simcache_take(const char *dir);
/* Keep s for the next op when it equals its file (not dirty, saved or
 * loaded with a stamp); otherwise free it. */
void simcache_put(struct sim_site *s);

int simsite_open(const char *dir, bool exclusive, const struct deadline *dl,
    struct sim_site **out, int *lockfd, char **err);

#endif
