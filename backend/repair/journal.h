/*
 * The repair journal: an append-only JSON Lines file (normally
 * $XDG_STATE_HOME/dpdoctor/journal.jsonl, see app_state_dir()) that records
 * one "begin" entry before and one "end" entry after every repair step, each
 * fsync'd before the call returns, so that the executor acts on a server only
 * once the intent is on disk.  A shared step id links the two entries; a begin
 * without its end is a step that was interrupted (crash, kill -9, power loss)
 * and that the next start must offer to verify -- unless its run still holds
 * its pair's lock (repair_lock_runs()): then it is running.  Reading is tolerant: a torn
 * last line or a garbage line is reported through a warning callback and
 * skipped, never failing the whole read.  journal_history() is the one
 * place begin and end entries are paired (the history view and command,
 * and the unfinished-step checks, all read through it).
 *
 * Every entry of one repair run (a single repair or a whole batch, every
 * group of it) carries the same run id ("run"), so a run reads as one; and
 * the DPs of the cells its step serves ("for"), since a step acting on the
 * primary (rename, touch) or once for several DPs (a copy to their site
 * server) has another server, or only the first cell's, as its "dp".
 * Journals written before either field still read: run "" and no "for".
 */
#ifndef DPD_JOURNAL_H
#define DPD_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

/* Step ids look like "20261125T235152Z-12345-1" (time, pid, counter);
 * run ids are made the same way ("20261125T235152Z-12345-R2"). */
#define JOURNAL_ID_MAX 64
/* A fresh run id, for the entries of one repair run (single or batch). */
void journal_run_id_new(char id[static JOURNAL_ID_MAX]);
/* A run id in short, as people read it in lists: the time's "HHMMSS" and
 * the tail after the last '-' ("235152-R2"); "-" for none.  Returns out. */
#define JOURNAL_RUN_SHORT_MAX 24
const char *journal_run_short(const char *run, char out[static JOURNAL_RUN_SHORT_MAX]);
/* Who and where, as the journal records them (malloc'd): the repair lock
 * names its holder with the same words, so the two can be compared. */
char *journal_user(void);
char *journal_host(void);

/* SHA-256 as lowercase hex plus NUL. */
#define JOURNAL_DIGEST_HEX 65

enum journal_phase { JOURNAL_BEGIN, JOURNAL_END };

enum journal_result {
	JOURNAL_NONE = 0,	/* begin entries carry no result */
	JOURNAL_OK,
	JOURNAL_FAILED,
	JOURNAL_SKIPPED,
	JOURNAL_DECLINED,
	JOURNAL_DRY_RUN,
	/* A signal stopped the step while it ran (its effect may be partial),
	 * or it closes a step found unfinished, once its cell was looked at
	 * (repair_verify.h): either way it was cut off, its effect unknown. */
	JOURNAL_INTERRUPTED,
	/* Read-only mode refused the step's change: nothing was sent. */
	JOURNAL_REFUSED,
	/* The administrator aborted the run at this step (nothing was sent);
	 * a plain "no" to a step is JOURNAL_DECLINED. */
	JOURNAL_ABORTED,
};

struct journal_param {
	const char *key;
	const char *value;
};

/* What the caller describes about a step; the journal adds time, user, host, id. */
struct journal_step {
	const char *site;
	const char *plan;
	int number;		/* 1-based position in the plan */
	const char *name;
	const char *package_id;
	const char *dp_server;
	const char *run_id;	/* the run this step belongs to; NULL or "" = none */
	/* The DPs of the cells this step serves ("for"); may be none. */
	const char *const *for_dps;
	size_t nfor;
	const struct journal_param *params;
	size_t nparams;
};

/* One entry as read back; all strings owned by the entry ("" when absent). */
struct journal_entry {
	long line;		/* 1-based line number in the file */
	char *time;		/* "YYYY-MM-DDTHH:MM:SSZ" */
	char *step_id;
	enum journal_phase phase;
	char *user;
	char *host;
	char *site;
	char *plan;
	int step_number;
	char *step_name;
	char *package_id;
	char *dp_server;
	char *run_id;		/* "" in entries written before runs had ids */
	char **for_dps;		/* the DPs the step serves ("for"); none in old entries */
	size_t nfor;
	char **param_keys;
	char **param_values;
	size_t nparams;
	enum journal_result result;	/* JOURNAL_NONE for begin entries */
	char *output_digest;		/* "" for begin entries */
};

struct journal_list {
	struct journal_entry *v;
	size_t n;
};

/* Called for each good entry; a nonzero return stops the read and is returned. */
typedef int (*journal_entry_fn)(const struct journal_entry *e, void *ctx);
/* Called for each skipped line (torn or garbage); msg names the path and line. */
typedef void (*journal_warn_fn)(long line, const char *msg, void *ctx);

/*
 * Write the begin entry for a step and fsync it.  Creates the journal's
 * folder (0700) and file (0600) when missing.  Stores the new step id in
 * step_id.  Before writing, reserves room at the journal's tail for this
 * entry and the step's end entry (or, where the file system cannot reserve,
 * needs 1 MiB free), so a disk that fills while the step acts still takes
 * the end entry.  0 on success, -1 with *err naming the path and the reason
 * ("the disk holding the journal is full" when there is no room: then
 * nothing is written and the step must not run).
 */
int journal_begin(const char *path, const struct journal_step *s,
    char step_id[static JOURNAL_ID_MAX], char **err);

/*
 * Write the end entry for the step begun as step_id, with its result and the
 * SHA-256 of its output text (output may be NULL when len is 0), and fsync it.
 */
int journal_end(const char *path, const struct journal_step *s, const char *step_id,
    enum journal_result result, const char *output, size_t len, char **err);

/*
 * Read every entry in file order.  A missing file is an empty journal.
 * Bad lines go to warn (may be NULL) and are skipped.  Returns 0, the
 * callback's nonzero value, or -1 with *err when the file can't be read.
 */
int journal_read(const char *path, journal_entry_fn cb, journal_warn_fn warn,
    void *ctx, char **err);

/* One step as the journal tells it: its begin entry paired with its end
 * entry.  An end entry whose begin is not there is a step of its own. */
struct journal_pair {
	struct journal_entry begin;	/* the begin entry; the end entry when no_begin */
	char *end_time;			/* the end entry's time; NULL while unfinished */
	enum journal_result result;	/* the end's; JOURNAL_NONE while unfinished */
	char *digest;			/* the end's output digest; NULL while unfinished */
	bool no_begin;			/* the end was found, its begin was not */
	bool running;			/* unfinished, and its run still holds its lock
					 * (repair_lock_mark_running; false here) */
};

struct journal_history {
	struct journal_pair *v;		/* in file order (of the begin entries) */
	size_t n;
};

/* Which steps to keep: entries for this package and this DP (either may be
 * NULL for any; ASCII case ignored).  An entry is for a DP when it is its
 * "dp" or one of the DPs it serves ("for"): a rename on the primary made to
 * repair a DP belongs to that DP's history. */
struct journal_filter {
	const char *package;
	const char *dp;
};

/*
 * The one pairing of begin and end entries: read the journal (as
 * journal_read(); filter may be NULL for every entry) and give each end
 * entry to the newest unfinished begin with its step id.  0, or -1 with
 * *err (out then holds nothing).
 */
int journal_history(const char *path, const struct journal_filter *filter,
    struct journal_history *out, journal_warn_fn warn, void *ctx, char **err);
void journal_history_free(struct journal_history *h);

/* The begin entries (in file order) that journal_history() leaves unfinished. */
int journal_unfinished(const char *path, struct journal_list *out,
    journal_warn_fn warn, void *ctx, char **err);

void journal_list_free(struct journal_list *l);
void journal_entry_free(struct journal_entry *e);
/* A deep copy, to keep an entry past its read callback. */
void journal_entry_copy(struct journal_entry *dst, const struct journal_entry *src);

/* "ok", "failed", ... ("" for JOURNAL_NONE); parse returns -1 if unknown. */
const char *journal_result_name(enum journal_result r);
int journal_result_parse(const char *s, enum journal_result *out);

/* SHA-256 of data as lowercase hex. 0, or -1 with *err. */
int journal_digest_hex(const void *data, size_t len, char out[static JOURNAL_DIGEST_HEX],
    char **err);

#endif
