/*
 * The repair journal (see journal.h).  Every entry is one JSON object built
 * with json-c and written as a single line with a single write() on a file
 * opened O_APPEND, then fsync'd, then the descriptor is closed: opening per
 * entry costs little (two entries per step, each step waits on a server),
 * keeps no descriptor alive across fork() or between steps, and the kernel
 * serialises O_APPEND writes to a local regular file so lines from concurrent
 * processes never interleave; an flock() held for the duration of the append
 * additionally serialises writers around the torn-line check (a line left
 * half-written by a crash makes the next entry start on a fresh line).  A
 * short write leaves a torn line, which the reader skips with a warning.
 * A begin entry first reserves the journal's tail for itself and its end
 * entry (fallocate, size kept), or where that is not supported needs a
 * free-space floor, so a step never acts that could not be recorded as
 * done.  The output digest is SHA-256 from libcrypto's
 * EVP interface.  Reading streams the file a line at a time, each line
 * capped (JOURNAL_LINE_MAX), so neither a long journal nor one huge line is
 * ever held in memory whole; only a regular file is read, as a journal
 * that is a device (/dev/zero) or a FIFO would never end.
 */
#include "autoconf.h"
#include "backend/repair/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "backend/core/util.h"

/* JOURNAL_NONE has no name: begin entries carry no result. */
static const struct enum_name journal_results[] = {
	{ JOURNAL_OK, "ok" },
	{ JOURNAL_FAILED, "failed" },
	{ JOURNAL_SKIPPED, "skipped" },
	{ JOURNAL_DECLINED, "declined" },
	{ JOURNAL_DRY_RUN, "dry-run" },
	{ JOURNAL_INTERRUPTED, "interrupted" },
	{ JOURNAL_REFUSED, "refused" },
	{ JOURNAL_ABORTED, "aborted" },
};

static atomic_uint journal_counter;

const char *
journal_result_name(enum journal_result r)
{
	return enum_name(journal_results, ENUM_NAMES_COUNT(journal_results), (int)r, "");
}

int
journal_result_parse(const char *s, enum journal_result *out)
{
	int v = enum_lookup(journal_results, ENUM_NAMES_COUNT(journal_results), s, false);
	if (v < 0)
		return -1;
	*out = (enum journal_result)v;
	return 0;
}

int
journal_digest_hex(const void *data, size_t len, char out[static JOURNAL_DIGEST_HEX],
    char **err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	static const char hex[] = "0123456789abcdef";

	if (EVP_Digest(len ? data : "", len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32) {
		err_set(err, "SHA-256: libcrypto EVP_Digest failed");
		return -1;
	}
	for (unsigned int i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * mdlen] = '\0';
	return 0;
}

/* --- writing -------------------------------------------------------------- */

char *
journal_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	if (pw != NULL && pw->pw_name != NULL && *pw->pw_name != '\0')
		return xstrdup(pw->pw_name);
	const char *l = getenv("LOGNAME");
	if (l != NULL && *l != '\0')
		return xstrdup(l);
	return xasprintf("uid:%ld", (long)geteuid());
}

char *
journal_host(void)
{
	char h[256];
	if (gethostname(h, sizeof h) != 0)
		return xstrdup("unknown");
	h[sizeof h - 1] = '\0';
	return xstrdup(h);
}

/* "20261125T235152Z-12345-" then the tag and a counter shared by step and
 * run ids, so no two ids of one process are alike. */
static void
journal_make_id(dpd_time now, const char *tag, char id[static JOURNAL_ID_MAX])
{
	char iso[21];
	char compact[21];
	size_t j = 0;

	time_format_iso(now, iso);
	for (size_t i = 0; iso[i] != '\0' && j < sizeof compact - 1; i++)
		if (iso[i] != '-' && iso[i] != ':')
			compact[j++] = iso[i];
	compact[j] = '\0';
	unsigned n = atomic_fetch_add(&journal_counter, 1) + 1;
	snprintf(id, JOURNAL_ID_MAX, "%s-%ld-%s%u", compact, (long)getpid(), tag, n);
}

void
journal_run_id_new(char id[static JOURNAL_ID_MAX])
{
	journal_make_id(clock_real(), "R", id);
}

/* The date is dropped (the lists show it beside): "235152-12345-R2". */
const char *
journal_run_short(const char *run, char out[static JOURNAL_RUN_SHORT_MAX])
{
	const char *t = run != NULL ? strchr(run, 'T') : NULL;
	if (run == NULL || *run == '\0') {
		snprintf(out, JOURNAL_RUN_SHORT_MAX, "-");
		return out;
	}
	const char *from = t != NULL ? t + 1 : run;
	const char *z = strchr(from, 'Z');
	if (z != NULL && z[1] == '-')
		snprintf(out, JOURNAL_RUN_SHORT_MAX, "%.*s%s", (int)(z - from), from, z + 1);
	else
		snprintf(out, JOURNAL_RUN_SHORT_MAX, "%s", from);
	return out;
}

/* json-c helpers: 0 on success, -1 when json-c could not allocate. */
static int
journal_put(struct json_object *o, const char *key, struct json_object *v)
{
	if (v == NULL)
		return -1;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static int
journal_put_str(struct json_object *o, const char *key, const char *s)
{
	return journal_put(o, key, json_object_new_string(s != NULL ? s : ""));
}

static struct json_object *
journal_step_json(const struct journal_step *s)
{
	struct json_object *step = json_object_new_object();
	if (step == NULL)
		return NULL;
	if (journal_put(step, "number", json_object_new_int(s->number)) != 0 ||
	    journal_put_str(step, "name", s->name) != 0) {
		json_object_put(step);
		return NULL;
	}
	return step;
}

static struct json_object *
journal_target_json(const struct journal_step *s)
{
	struct json_object *t = json_object_new_object();
	if (t == NULL)
		return NULL;
	if (journal_put_str(t, "package", s->package_id) != 0 ||
	    journal_put_str(t, "dp", s->dp_server) != 0) {
		json_object_put(t);
		return NULL;
	}
	if (s->nfor == 0)
		return t;
	struct json_object *f = json_object_new_array();
	int r = 0;
	for (size_t i = 0; f != NULL && i < s->nfor && r == 0; i++) {
		struct json_object *dp = json_object_new_string(s->for_dps[i] ? s->for_dps[i] : "");
		r = dp == NULL || json_object_array_add(f, dp) != 0 ? -1 : 0;
		if (r != 0)
			json_object_put(dp);
	}
	if (f == NULL || r != 0 || journal_put(t, "for", f) != 0) {
		if (r != 0)
			json_object_put(f);
		json_object_put(t);
		return NULL;
	}
	return t;
}

static struct json_object *
journal_params_json(const struct journal_step *s)
{
	struct json_object *p = json_object_new_object();
	if (p == NULL)
		return NULL;
	for (size_t i = 0; i < s->nparams; i++) {
		if (s->params[i].key == NULL || journal_put_str(p, s->params[i].key,
		    s->params[i].value) != 0) {
			json_object_put(p);
			return NULL;
		}
	}
	return p;
}

/* The fields common to begin and end entries. */
static int
journal_fill_common(struct json_object *o, const struct journal_step *s,
    const char *id, enum journal_phase phase)
{
	char iso[21];
	time_format_iso(clock_real(), iso);
	char *user = journal_user();
	char *host = journal_host();
	int r = 0;

	r |= journal_put_str(o, "time", iso);
	r |= journal_put_str(o, "step_id", id);
	r |= journal_put_str(o, "phase", phase == JOURNAL_BEGIN ? "begin" : "end");
	r |= journal_put_str(o, "user", user);
	r |= journal_put_str(o, "host", host);
	r |= journal_put_str(o, "site", s->site);
	r |= journal_put_str(o, "plan", s->plan);
	if (s->run_id != NULL && *s->run_id != '\0')
		r |= journal_put_str(o, "run", s->run_id);
	r |= journal_put(o, "step", journal_step_json(s));
	r |= journal_put(o, "target", journal_target_json(s));
	r |= journal_put(o, "params", journal_params_json(s));
	free(user);
	free(host);
	return r;
}

/* A short write is retried for the rest, so a full disk is reported by its
 * errno (ENOSPC) rather than as a bare "short write". */
static int
journal_write_all(int fd, const char *path, const char *data, size_t len, char **err)
{
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err_set(err, "%s: write: %s (%zu of %zu bytes written)", path,
			    w < 0 ? strerror(errno) : "nothing written", done, len);
			return -1;
		}
		done += (size_t)w;
	}
	return 0;
}

/*
 * Room kept past a begin entry for its step's end entry.  The end entry
 * repeats the begin's fields and adds a result and a 64-digit digest, so
 * twice the begin line plus this much always holds both; more than a page,
 * so the reservation asks the file system for at least one new block.
 */
#define JOURNAL_END_SLACK (16 * 1024)
/* Where the file system cannot reserve, the free space below which no step
 * is begun. */
#define JOURNAL_FREE_FLOOR (1024 * 1024)

/* Where fallocate() cannot reserve, a floor on the free space instead. */
static int
journal_check_floor(int fd, const char *path, char **err)
{
	struct statvfs sv;
	if (fstatvfs(fd, &sv) != 0) {
		err_set(err, "%s: fstatvfs: %s", path, strerror(errno));
		return -1;
	}
	unsigned long long avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	if (avail >= JOURNAL_FREE_FLOOR)
		return 0;
	err_set(err, "%s: the disk holding the journal is full (%llu KiB free, under the "
	    "%d KiB kept for journal entries): the step was not run, as its end entry "
	    "might not be written", path, avail / 1024, JOURNAL_FREE_FLOOR / 1024);
	return -1;
}

/*
 * Before a begin entry of len bytes: allocate the journal's tail for it and
 * for its step's end entry, so that the end entry can be written even if
 * the disk fills while the step acts.  FALLOC_FL_KEEP_SIZE leaves the file's
 * size alone, so readers never see the reserved (zero) bytes; the appends
 * that follow land in the reserved blocks.  A file system that cannot
 * reserve (EOPNOTSUPP: NFSv3, some FUSE) gets the free-space floor instead.
 */
static int
journal_reserve(int fd, const char *path, size_t len, char **err)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		err_set(err, "%s: fstat: %s", path, strerror(errno));
		return -1;
	}
	int r;
	do
		r = fallocate(fd, FALLOC_FL_KEEP_SIZE, st.st_size,
		    (off_t)(2 * len + JOURNAL_END_SLACK));
	while (r != 0 && errno == EINTR);
	if (r == 0)
		return 0;
	if (errno == EOPNOTSUPP || errno == ENOSYS)
		return journal_check_floor(fd, path, err);
	if (errno == ENOSPC || errno == EDQUOT) {
		err_set(err, "%s: the disk holding the journal is full (%s): no room to "
		    "reserve for the step's end entry, so the step was not run", path,
		    strerror(errno));
		return -1;
	}
	err_set(err, "%s: fallocate: %s: the step was not run", path, strerror(errno));
	return -1;
}

/* Make the folder holding path (private leaf) if it is missing. */
static int
journal_make_dir(const char *path, char **err)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL || slash == path)
		return 0;
	char *dir = xstrndup(path, (size_t)(slash - path));
	struct stat st;
	int r = 0;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		r = dir_make_all(dir, true, err);
	free(dir);
	return r;
}

/*
 * True when the file is non-empty and does not end in '\n': a torn line left
 * by a crash.  The next entry then starts with '\n' so it is not glued to the
 * fragment (the fragment becomes a garbage line the reader skips).
 */
static bool
journal_ends_torn(int fd)
{
	struct stat st;
	char c;
	if (fstat(fd, &st) != 0 || st.st_size == 0)
		return false;
	return pread(fd, &c, 1, st.st_size - 1) == 1 && c != '\n';
}

/*
 * Writers hold an exclusive flock() from the torn-line check to close, so
 * the check never sees another writer's half-copied line (the kernel makes
 * O_APPEND writes atomic to each other, not to a concurrent pread()).
 */
static int
journal_lock(int fd, const char *path, char **err)
{
	int r;
	do
		r = flock(fd, LOCK_EX);
	while (r != 0 && errno == EINTR);
	if (r != 0) {
		err_set(err, "%s: flock: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Append one line (text plus '\n') with one write(), fsync, close; before a
 * begin entry (reserve) first reserve the room for it and its end entry. */
static int
journal_append(const char *path, const char *text, bool reserve, char **err)
{
	if (journal_make_dir(path, err) != 0)
		return -1;
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(err, "%s: open: %s", path, strerror(errno));
		return -1;
	}
	if (journal_lock(fd, path, err) != 0) {
		(void)close(fd);
		return -1;
	}
	char *line = xasprintf("%s%s\n", journal_ends_torn(fd) ? "\n" : "", text);
	size_t len = strlen(line);
	int r = reserve ? journal_reserve(fd, path, len, err) : 0;
	if (r == 0)
		r = journal_write_all(fd, path, line, len, err);
	free(line);
	if (r == 0 && fsync(fd) != 0) {
		err_set(err, "%s: fsync: %s", path, strerror(errno));
		r = -1;
	}
	if (close(fd) != 0 && r == 0) {
		err_set(err, "%s: close: %s", path, strerror(errno));
		r = -1;
	}
	return r;
}

static int
journal_emit(const char *path, struct json_object *o, bool reserve, char **err)
{
	const char *text = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL) {
		err_set(err, "%s: could not encode the journal entry", path);
		return -1;
	}
	return journal_append(path, text, reserve, err);
}

int
journal_begin(const char *path, const struct journal_step *s,
    char step_id[static JOURNAL_ID_MAX], char **err)
{
	struct json_object *o = json_object_new_object();
	if (o == NULL) {
		err_set(err, "%s: out of memory building the journal entry", path);
		return -1;
	}
	journal_make_id(clock_real(), "", step_id);
	int r = journal_fill_common(o, s, step_id, JOURNAL_BEGIN);
	if (r != 0)
		err_set(err, "%s: out of memory building the journal entry", path);
	else
		r = journal_emit(path, o, true, err);
	json_object_put(o);
	return r;
}

int
journal_end(const char *path, const struct journal_step *s, const char *step_id,
    enum journal_result result, const char *output, size_t len, char **err)
{
	char digest[JOURNAL_DIGEST_HEX];
	if (*journal_result_name(result) == '\0') {
		err_set(err, "%s: end entry for %s needs a result", path, step_id);
		return -1;
	}
	if (journal_digest_hex(output, len, digest, err) != 0)
		return -1;
	struct json_object *o = json_object_new_object();
	if (o == NULL) {
		err_set(err, "%s: out of memory building the journal entry", path);
		return -1;
	}
	int r = journal_fill_common(o, s, step_id, JOURNAL_END);
	r |= journal_put_str(o, "result", journal_result_name(result));
	r |= journal_put_str(o, "output_digest", digest);
	if (r != 0)
		err_set(err, "%s: out of memory building the journal entry", path);
	else
		r = journal_emit(path, o, false, err);
	json_object_put(o);
	return r;
}

/* --- reading -------------------------------------------------------------- */

void
journal_entry_free(struct journal_entry *e)
{
	free(e->time);
	free(e->step_id);
	free(e->user);
	free(e->host);
	free(e->site);
	free(e->plan);
	free(e->step_name);
	free(e->package_id);
	free(e->dp_server);
	free(e->run_id);
	for (size_t i = 0; i < e->nfor; i++)
		free(e->for_dps[i]);
	free(e->for_dps);
	for (size_t i = 0; i < e->nparams; i++) {
		free(e->param_keys[i]);
		free(e->param_values[i]);
	}
	free(e->param_keys);
	free(e->param_values);
	free(e->output_digest);
	memset(e, 0, sizeof *e);
}

void
journal_list_free(struct journal_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		journal_entry_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* A string member, or NULL when missing or not a string. */
static const char *
journal_get_str(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static char *
journal_dup_opt(struct json_object *o, const char *key)
{
	const char *s = journal_get_str(o, key);
	return xstrdup(s != NULL ? s : "");
}

/* The target's "for": the DPs the step serves (missing in old entries). */
static const char *
journal_parse_for(struct json_object *target, struct journal_entry *e)
{
	struct json_object *f;
	if (!json_object_object_get_ex(target, "for", &f))
		return NULL;
	if (!json_object_is_type(f, json_type_array))
		return "target's for is not a list";
	size_t n = json_object_array_length(f);
	e->for_dps = xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(f, i);
		if (!json_object_is_type(v, json_type_string))
			return "a DP in target's for is not a string";
		e->for_dps[e->nfor++] = xstrdup(json_object_get_string(v));
	}
	return NULL;
}

static const char *
journal_parse_step(struct json_object *o, struct journal_entry *e)
{
	struct json_object *step, *num, *target;
	if (!json_object_object_get_ex(o, "step", &step) ||
	    !json_object_is_type(step, json_type_object) ||
	    !json_object_object_get_ex(step, "number", &num) ||
	    !json_object_is_type(num, json_type_int))
		return "no step number";
	e->step_number = json_object_get_int(num);
	e->step_name = journal_dup_opt(step, "name");
	if (!json_object_object_get_ex(o, "target", &target) ||
	    !json_object_is_type(target, json_type_object))
		return "no target";
	e->package_id = journal_dup_opt(target, "package");
	e->dp_server = journal_dup_opt(target, "dp");
	return journal_parse_for(target, e);
}

static const char *
journal_parse_params(struct json_object *o, struct journal_entry *e)
{
	struct json_object *p;
	if (!json_object_object_get_ex(o, "params", &p))
		return NULL;
	if (!json_object_is_type(p, json_type_object))
		return "params is not an object";
	size_t n = (size_t)json_object_object_length(p);
	e->param_keys = xcalloc(n ? n : 1, sizeof(char *));
	e->param_values = xcalloc(n ? n : 1, sizeof(char *));
	json_object_object_foreach(p, key, val) {
		if (!json_object_is_type(val, json_type_string) || e->nparams >= n)
			return "a parameter value is not a string";
		e->param_keys[e->nparams] = xstrdup(key);
		e->param_values[e->nparams] = xstrdup(json_object_get_string(val));
		e->nparams++;
	}
	return NULL;
}

static const char *
journal_parse_phase(struct json_object *o, struct journal_entry *e)
{
	const char *phase = journal_get_str(o, "phase");
	if (phase == NULL)
		return "no phase";
	if (strcmp(phase, "begin") == 0) {
		e->phase = JOURNAL_BEGIN;
		e->result = JOURNAL_NONE;
		return NULL;
	}
	if (strcmp(phase, "end") != 0)
		return "phase is neither begin nor end";
	e->phase = JOURNAL_END;
	const char *res = journal_get_str(o, "result");
	if (res == NULL || journal_result_parse(res, &e->result) != 0)
		return "end entry without a known result";
	return NULL;
}

/* Fill e from a parsed object; NULL on success, else why it is not an entry. */
static const char *
journal_parse_entry(struct json_object *o, struct journal_entry *e)
{
	const char *why;
	if (!json_object_is_type(o, json_type_object))
		return "not a JSON object";
	const char *t = journal_get_str(o, "time");
	const char *id = journal_get_str(o, "step_id");
	if (t == NULL || id == NULL || *id == '\0')
		return "no time or step_id";
	e->time = xstrdup(t);
	e->step_id = xstrdup(id);
	if ((why = journal_parse_phase(o, e)) != NULL ||
	    (why = journal_parse_step(o, e)) != NULL ||
	    (why = journal_parse_params(o, e)) != NULL)
		return why;
	e->user = journal_dup_opt(o, "user");
	e->host = journal_dup_opt(o, "host");
	e->site = journal_dup_opt(o, "site");
	e->plan = journal_dup_opt(o, "plan");
	e->run_id = journal_dup_opt(o, "run");
	e->output_digest = journal_dup_opt(o, "output_digest");
	return NULL;
}

/* Parse one complete line (no '\n'); NULL on success, else the reason. */
static const char *
journal_parse_line(const char *line, size_t len, struct journal_entry *e)
{
	struct json_tokener *tok = json_tokener_new();
	if (tok == NULL)
		return "out of memory";
	struct json_object *o = json_tokener_parse_ex(tok, line, (int)len);
	const char *why = NULL;
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success)
		why = "not valid JSON";
	else if (json_tokener_get_parse_end(tok) != len)
		why = "trailing data after the JSON object";
	else
		why = journal_parse_entry(o, e);
	json_object_put(o);
	json_tokener_free(tok);
	return why;
}

static void
journal_warn(journal_warn_fn warn, void *ctx, const char *path, long line,
    const char *why)
{
	if (warn == NULL)
		return;
	char *msg = xasprintf("%s:%ld: %s; line skipped", path, line, why);
	warn(line, msg, ctx);
	free(msg);
}

/* An entry is a few KB at most (parameters are short); a line past this is
 * not one of ours, and holding it whole would let one line cost any amount
 * of memory. */
#define JOURNAL_LINE_MAX ((size_t)256 << 10)

/* Read one line into buf (JOURNAL_LINE_MAX + 1 bytes), line end included.
 * Its length, or -1 at end of file; *cut when it was longer than the cap
 * (the rest is read and dropped, so the next line starts where it should). */
static ssize_t
journal_line(FILE *f, char *buf, bool *cut)
{
	size_t n = 0;
	int ch = EOF;
	*cut = false;
	while ((ch = getc(f)) != EOF) {
		if (n < JOURNAL_LINE_MAX + 1)
			buf[n++] = (char)ch;
		else
			*cut = true;
		if (ch == '\n')
			break;
	}
	if (n > JOURNAL_LINE_MAX) /* the cap itself is a cut, line end or not */
		*cut = true;
	return n == 0 && ch == EOF ? -1 : (ssize_t)n;
}

/* Handle one raw line from journal_line(); returns the callback's value or 0. */
static int
journal_handle_line(const char *path, char *line, size_t n, long lineno,
    journal_entry_fn cb, journal_warn_fn warn, void *ctx)
{
	if (n == 0 || line[n - 1] != '\n') {
		journal_warn(warn, ctx, path, lineno,
		    "incomplete last line (torn write, e.g. a crash while writing)");
		return 0;
	}
	line[--n] = '\0';
	if (n == 0)
		return 0;
	if (memchr(line, '\0', n) != NULL) {
		journal_warn(warn, ctx, path, lineno, "NUL byte in line");
		return 0;
	}
	struct journal_entry e = {0};
	e.line = lineno;
	const char *why = journal_parse_line(line, n, &e);
	int r = 0;
	if (why != NULL)
		journal_warn(warn, ctx, path, lineno, why);
	else
		r = cb(&e, ctx);
	journal_entry_free(&e);
	return r;
}

/* Open the journal for reading: a FILE, NULL with *err set, or NULL with
 * *err untouched when there is none yet.  O_NONBLOCK keeps the open of a
 * FIFO from hanging until the type is checked on the open file. */
static FILE *
journal_open_read(const char *path, char **err)
{
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			err_set(err, "%s: open: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	FILE *f = NULL;
	if (fstat(fd, &st) != 0)
		err_set(err, "%s: stat: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		err_set(err, "%s: %s; the journal must be a regular file", path,
		    file_type_words(st.st_mode));
	else if ((f = fdopen(fd, "r")) == NULL)
		err_set(err, "%s: open: %s", path, strerror(errno));
	if (f == NULL)
		(void)close(fd);
	return f;
}

int
journal_read(const char *path, journal_entry_fn cb, journal_warn_fn warn,
    void *ctx, char **err)
{
	char *why = NULL;
	FILE *f = journal_open_read(path, &why);
	if (f == NULL) {
		if (why == NULL)
			return 0;       /* no journal yet */
		if (err != NULL) {
			free(*err);
			*err = why;
		} else {
			free(why);
		}
		return -1;
	}
	char *line = xmalloc(JOURNAL_LINE_MAX + 1);
	ssize_t n;
	bool cut;
	long lineno = 0;
	int r = 0;
	errno = 0;
	while (r == 0 && (n = journal_line(f, line, &cut)) >= 0) {
		++lineno;
		if (cut)
			journal_warn(warn, ctx, path, lineno, "line too long (over 256 KiB)");
		else
			r = journal_handle_line(path, line, (size_t)n, lineno, cb, warn, ctx);
		errno = 0;
	}
	if (r == 0 && ferror(f)) {
		err_set(err, "%s: read: %s", path, strerror(errno ? errno : EIO));
		r = -1;
	}
	free(line);
	if (fclose(f) != 0 && r == 0) {
		err_set(err, "%s: close: %s", path, strerror(errno));
		r = -1;
	}
	return r;
}

/* --- copies --------------------------------------------------------------- */

void
journal_entry_copy(struct journal_entry *dst, const struct journal_entry *src)
{
	*dst = *src;
	dst->time = xstrdup(src->time);
	dst->step_id = xstrdup(src->step_id);
	dst->user = xstrdup(src->user);
	dst->host = xstrdup(src->host);
	dst->site = xstrdup(src->site);
	dst->plan = xstrdup(src->plan);
	dst->step_name = xstrdup(src->step_name);
	dst->package_id = xstrdup(src->package_id);
	dst->dp_server = xstrdup(src->dp_server);
	dst->run_id = xstrdup(src->run_id);
	dst->for_dps = xcalloc(src->nfor ? src->nfor : 1, sizeof(char *));
	for (size_t i = 0; i < src->nfor; i++)
		dst->for_dps[i] = xstrdup(src->for_dps[i]);
	dst->output_digest = xstrdup(src->output_digest);
	dst->param_keys = xcalloc(src->nparams ? src->nparams : 1, sizeof(char *));
	dst->param_values = xcalloc(src->nparams ? src->nparams : 1, sizeof(char *));
	for (size_t i = 0; i < src->nparams; i++) {
		dst->param_keys[i] = xstrdup(src->param_keys[i]);
		dst->param_values[i] = xstrdup(src->param_values[i]);
	}
}

/* --- pairing begin and end entries ---------------------------------------- */

struct journal_pairing {
	const struct journal_filter *filter;
	struct journal_history *h;
	size_t cap;
	journal_warn_fn warn;
	void *ctx;
};

/* The entry's "dp", or one of the DPs its step serves. */
static bool
journal_for_dp(const struct journal_entry *e, const char *dp)
{
	if (strcasecmp(dp, e->dp_server) == 0)
		return true;
	for (size_t i = 0; i < e->nfor; i++)
		if (strcasecmp(dp, e->for_dps[i]) == 0)
			return true;
	return false;
}

static bool
journal_wanted(const struct journal_filter *f, const struct journal_entry *e)
{
	return f == NULL ||
	    ((f->package == NULL || strcasecmp(f->package, e->package_id) == 0) &&
	    (f->dp == NULL || journal_for_dp(e, f->dp)));
}

/* The unfinished step with this id, newest first (an end follows its begin
 * closely). */
static struct journal_pair *
journal_find_open(struct journal_history *h, const char *id)
{
	for (size_t i = h->n; i-- > 0;)
		if (h->v[i].end_time == NULL && strcmp(h->v[i].begin.step_id, id) == 0)
			return &h->v[i];
	return NULL;
}

static int
journal_pair_entry(const struct journal_entry *e, void *ctx)
{
	struct journal_pairing *p = ctx;
	struct journal_history *h = p->h;
	/* An end goes to its begin when that was kept, whatever the end says
	 * (one written by an older dpdoctor may lack the begin's "for"). */
	struct journal_pair *r = e->phase == JOURNAL_END ?
	    journal_find_open(h, e->step_id) : NULL;
	if (r == NULL && !journal_wanted(p->filter, e))
		return 0;
	if (r == NULL) {
		if (h->n == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 64;
			h->v = xreallocarray(h->v, p->cap, sizeof *h->v);
		}
		r = &h->v[h->n++];
		memset(r, 0, sizeof *r);
		journal_entry_copy(&r->begin, e);
		r->no_begin = e->phase == JOURNAL_END;
	}
	if (e->phase == JOURNAL_END) {
		r->end_time = xstrdup(e->time);
		r->result = e->result;
		r->digest = xstrdup(e->output_digest);
	}
	return 0;
}

static void
journal_pair_warn(long line, const char *msg, void *ctx)
{
	struct journal_pairing *p = ctx;
	if (p->warn != NULL)
		p->warn(line, msg, p->ctx);
}

int
journal_history(const char *path, const struct journal_filter *filter,
    struct journal_history *out, journal_warn_fn warn, void *ctx, char **err)
{
	memset(out, 0, sizeof *out);
	struct journal_pairing p = { filter, out, 0, warn, ctx };
	if (journal_read(path, journal_pair_entry, journal_pair_warn, &p, err) != 0) {
		journal_history_free(out);
		return -1;
	}
	return 0;
}

void
journal_history_free(struct journal_history *h)
{
	for (size_t i = 0; i < h->n; i++) {
		journal_entry_free(&h->v[i].begin);
		free(h->v[i].end_time);
		free(h->v[i].digest);
	}
	free(h->v);
	memset(h, 0, sizeof *h);
}

int
journal_unfinished(const char *path, struct journal_list *out,
    journal_warn_fn warn, void *ctx, char **err)
{
	struct journal_history h;
	out->v = NULL;
	out->n = 0;
	if (journal_history(path, NULL, &h, warn, ctx, err) != 0)
		return -1;
	for (size_t i = 0; i < h.n; i++) {
		if (h.v[i].end_time != NULL)
			continue;
		out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
		out->v[out->n++] = h.v[i].begin;
		memset(&h.v[i].begin, 0, sizeof h.v[i].begin); /* moved */
	}
	journal_history_free(&h);
	return 0;
}
