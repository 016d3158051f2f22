/*
 * The log view (see logview.h).  Two sources at most: the DP's distmgr.log
 * and, merged on `m`, the primary's.  Each is read whole in a background
 * job (its .lo_ rollover first, then the .log through a tail handle, so
 * the tail goes on exactly where the read stopped) and then polled on the
 * UI loop's tick.  The job's only input is the path, passed as the job's
 * name, and its arg is the UI, which outlives every job: nothing a worker
 * touches can be freed under it.  Over a real transport the job's name is
 * the server instead: the job first has the front end's log_fetch bring a
 * local copy up to date (backend/logmirror), then reads that (the first
 * fetch also carries a refcounted copy of the board's site list, to learn
 * where the server keeps SMS; see struct lv_first); while the
 * view is open a sync job repeats the fetch every refresh interval, one at
 * a time, and the tail, polled as ever, sees the copy grow (or replaced,
 * after a rollover: a new file, which the tail starts over on).  Entries are copied into a ring per
 * source; what is on screen (merge by time, package filter) is recomputed
 * per draw, which is cheap next to reading the files.
 */
#include "autoconf.h"
#include "tui/logview.h"
#include "tui/dialog.h"
#include "tui/draw.h"
#include "tui/glyph.h"
#include "tui/refresh.h"
#include "tui/scroll.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "tui/view_ops.h"
#include "backend/sms/layout.h"
#include "backend/sms/smslog.h"
#include "backend/core/util.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum { LV_DP, LV_PRIMARY, LV_NSRC };

struct lv_entry {
	dpd_time utc;
	int ms;
	enum smslog_severity sev;
	char *comp;
	char *text;   /* one line: line ends turned into spaces */
};

struct lv_ring {
	struct lv_entry *e;  /* LOGVIEW_MAX slots, allocated on first push */
	size_t head, n;
};

struct lv_src {
	char *server;
	char *path;          /* NULL: cannot be reached (or not fetched yet) */
	bool remote;         /* path is a local copy kept by log_fetch */
	struct job *job;     /* the first read, while it runs */
	struct job *sync;    /* a later fetch, while it runs */
	int64_t next_sync;
	bool sync_failed;    /* error is the last fetch's */
	struct smslog_tail *tail;
	struct lv_ring ring;
	char *error;
	bool loaded;
};

/* What a read job hands back. */
struct lv_load {
	struct lv_ring ring;
	struct smslog_tail *tail;
	char *path;          /* what was read */
};

struct logview {
	char pkgid[9];
	struct lv_src src[LV_NSRC];
	bool merge, filter, follow, wrap;
	struct scroll scroll;        /* paused: where; its cursor: the match */
	int hoff;                    /* columns of the text scrolled off to the left */
	size_t nvis_paused;          /* lines when follow paused, for "+N new" */
	size_t nvis;                 /* lines in the last frame */
	char *search;
	int64_t next_poll;
};

static void
lv_entry_free(struct lv_entry *e)
{
	free(e->comp);
	free(e->text);
}

static void
lv_ring_free(struct lv_ring *r)
{
	for (size_t i = 0; i < r->n; i++)
		lv_entry_free(&r->e[(r->head + i) % LOGVIEW_MAX]);
	free(r->e);
	memset(r, 0, sizeof *r);
}

static const struct lv_entry *
lv_ring_at(const struct lv_ring *r, size_t i)
{
	return &r->e[(r->head + i) % LOGVIEW_MAX];
}

/* smslog callback: copy the entry into the ring (arg), oldest dropped. */
static int
lv_push(const struct smslog_entry *se, void *arg)
{
	struct lv_ring *r = arg;
	if (r->e == NULL)
		r->e = xcalloc(LOGVIEW_MAX, sizeof *r->e);
	struct lv_entry *e;
	if (r->n == LOGVIEW_MAX) {
		e = &r->e[r->head];
		lv_entry_free(e);
		r->head = (r->head + 1) % LOGVIEW_MAX;
	} else {
		e = &r->e[(r->head + r->n++) % LOGVIEW_MAX];
	}
	e->utc = se->utc;
	e->ms = se->ms;
	e->sev = se->severity;
	e->comp = xstrndup(se->component.p ? se->component.p : "", se->component.n);
	struct buf t;                   /* SMS writes CP1252 */
	buf_init(&t);
	text_utf8(se->text.p ? se->text.p : "", se->text.n, &t);
	e->text = t.data != NULL ? buf_detach(&t) : xstrdup("");
	for (char *p = e->text; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return 0;
}

static void
lv_load_free(void *p)
{
	struct lv_load *l = p;
	lv_ring_free(&l->ring);
	if (l->tail != NULL)
		smslog_tail_close(l->tail);
	free(l->path);
	free(l);
}

/* Job thread: read path (taken) whole and leave a tail at its end. */
static void
lv_read_path(struct job *j, char *path)
{
	struct lv_load *l = xcalloc(1, sizeof *l);
	l->path = path;
	char *err = NULL;
	size_t n = strlen(path);
	if (n > 4 && strcasecmp(path + n - 4, ".log") == 0) {
		char *lo = xasprintf("%.*s.lo_", (int)(n - 4), path);
		if (access(lo, R_OK) == 0 && smslog_read_file(lo, NULL, lv_push, &l->ring, &err) != 0) {
			free(err); /* the rollover is a bonus: go on without it */
			err = NULL;
		}
		free(lo);
	}
	if (access(path, R_OK) != 0) {
		job_fail(j, "cannot read %s: %s", path, strerror(errno));
		lv_load_free(l);
		return;
	}
	l->tail = smslog_tail_open(path, NULL);
	if (l->tail == NULL || smslog_tail_poll(l->tail, lv_push, &l->ring, &err) < 0) {
		job_fail(j, "%s", err ? err : "cannot read the log");
		free(err);
		lv_load_free(l);
		return;
	}
	job_set_result(j, l);
}

/* Job thread: the path is the job's name. */
static void
lv_read(struct job *j, void *arg)
{
	(void)arg;
	lv_read_path(j, xstrdup(job_what(j)));
}

/* Job thread: fetch the log of the server the job is named after into its
 * local copy.  The options outlive every job and are never changed.  The
 * copy's path, or NULL after failing the job. */
static char *
lv_fetch(struct job *j, const struct ui *u)
{
	char *local = NULL, *err = NULL;
	if (u->opt->log_fetch(u->opt->log_fetch_ctx, job_what(j), job_deadline(j), &local,
	    &err) != 0) {
		job_fail(j, "%s", err ? err : "cannot fetch the log");
		free(err);
		return NULL;
	}
	return local;
}

/* The first fetch's own arg: the UI and a copy of the board's site list,
 * made on the UI thread (a refresh may swap the board's snapshot while the
 * job runs).  The fetch callback names only the server, so the job learns
 * the server's layout with the site list first (a child site server's SMS
 * folder is its SMS_Site InstallDir, which an SMB section's share list
 * cannot tell) into the site's layout cache, where the fetch finds it. */
struct lv_first {
	struct ui *u;
	struct snapshot *sites;
	/* The worker and the done callback each drop one: a timed-out job's
	 * done runs while its worker may still be at work (backend/core/jobs.h). */
	atomic_int refs;
};

static struct lv_first *
lv_first_new(struct ui *u)
{
	struct lv_first *f = xcalloc(1, sizeof *f);
	f->u = u;
	atomic_init(&f->refs, 2);
	const struct snapshot *b = u->board.snap;
	if (b != NULL && u->opt->site_env != NULL) {
		f->sites = snapshot_new();
		memcpy(f->sites->site_code, b->site_code, sizeof f->sites->site_code);
		for (size_t i = 0; i < b->nsites; i++)
			snapshot_add_site(f->sites, &b->sites[i]);
	}
	return f;
}

static void
lv_first_free(struct lv_first *f)
{
	if (atomic_fetch_sub(&f->refs, 1) != 1)
		return;
	if (f->sites != NULL)
		snapshot_free(f->sites);
	free(f);
}

/* Job thread: the first fetch, then the read of the copy.  A layout that
 * cannot be learned here is not an error yet: the fetch says why. */
static void
lv_fetch_read(struct job *j, void *arg)
{
	struct lv_first *f = arg;
	if (f->sites != NULL) {
		struct layout l;
		char *err = NULL;
		if (layout_get(f->u->opt->site_env, f->sites, job_what(j), job_deadline(j), &l,
		    &err) == 0)
			layout_clear(&l);
		free(err);
	}
	char *local = lv_fetch(j, f->u);
	if (local != NULL)
		lv_read_path(j, local);
	lv_first_free(f);
}

/* Job thread: a later fetch; the tail on the UI thread reads what came. */
static void
lv_sync(struct job *j, void *arg)
{
	free(lv_fetch(j, arg));
}

static void
lv_sync_done(struct job *j, enum job_status st, void *result, const char *error, void *arg)
{
	struct ui *u = arg;
	struct logview *v = u->log;
	(void)result;
	for (int i = 0; v != NULL && i < LV_NSRC; i++) {
		struct lv_src *s = &v->src[i];
		if (s->sync != j)
			continue;
		s->sync = NULL;
		if (st == JOB_DONE && s->sync_failed) {
			free(s->error);
			s->error = NULL;
			s->sync_failed = false;
		} else if (st != JOB_DONE && st != JOB_CANCELLED) {
			free(s->error);
			s->error = st == JOB_TIMED_OUT ? xasprintf("fetching the distmgr.log of %s took "
			    "longer than %d s", s->server, LOGVIEW_FETCH_TIMEOUT_MS / 1000) :
			    xstrdup(error ? error : "cannot fetch the log");
			s->sync_failed = true;
		}
		u->dirty |= UI_DIRTY_ALL;
	}
}

static void
lv_read_done(struct job *j, enum job_status st, void *result, const char *error, void *arg)
{
	struct ui *u = arg;
	struct logview *v = u->log;
	struct lv_src *s = NULL;
	for (int i = 0; v != NULL && i < LV_NSRC; i++)
		if (v->src[i].job == j)
			s = &v->src[i];
	if (s == NULL) {
		if (result != NULL)
			lv_load_free(result);
		return;
	}
	s->job = NULL;
	s->loaded = true;
	if (st == JOB_DONE && result != NULL) {
		struct lv_load *l = result;
		s->ring = l->ring;
		s->tail = l->tail;
		free(s->path);
		s->path = l->path;
		free(l);
	} else {
		if (result != NULL)
			lv_load_free(result);
		s->error = st == JOB_TIMED_OUT ?
		    xasprintf("reading %s took longer than %d s", s->path ? s->path : s->server,
		    (s->remote ? LOGVIEW_FETCH_TIMEOUT_MS : LOGVIEW_READ_TIMEOUT_MS) / 1000) :
		    xstrdup(error ? error : "failed");
	}
	u->dirty |= UI_DIRTY_ALL;
}

/* The first fetch's done: as a read's, then its arg is freed. */
static void
lv_first_done(struct job *j, enum job_status st, void *result, const char *error, void *arg)
{
	struct lv_first *f = arg;
	lv_read_done(j, st, result, error, f->u);
	lv_first_free(f);
}

static void
lv_src_start(struct ui *u, struct lv_src *s, const char *server)
{
	s->server = xstrdup(server && *server ? server : "?");
	if (u->opt->log_fetch != NULL && server != NULL && *server) {
		s->remote = true;
		struct lv_first *f = lv_first_new(u);
		s->job = jobs_submit(u->jobs, server, LOGVIEW_FETCH_TIMEOUT_MS, lv_fetch_read,
		    lv_first_done, lv_load_free, f);
		if (s->job == NULL) {
			lv_first_free(f); /* neither the worker nor done will */
			lv_first_free(f);
			s->loaded = true;
			s->error = xstrdup("cannot start background work");
		}
		return;
	}
	if (u->opt->log_path != NULL && server != NULL && *server)
		s->path = u->opt->log_path(u->opt->log_ctx, server);
	if (s->path == NULL) {
		s->loaded = true;
		s->error = xasprintf("the distmgr.log of %s cannot be reached with this "
		    "transport yet", s->server);
		return;
	}
	s->job = jobs_submit(u->jobs, s->path, LOGVIEW_READ_TIMEOUT_MS, lv_read, lv_read_done,
	    lv_load_free, u);
	if (s->job == NULL) {
		s->loaded = true;
		s->error = xstrdup("cannot start background work");
	}
}

static void
lv_src_free(struct ui *u, struct lv_src *s)
{
	if (s->job != NULL && u->jobs != NULL)
		jobs_cancel(u->jobs, s->job); /* its result is freed, not delivered */
	if (s->sync != NULL && u->jobs != NULL)
		jobs_cancel(u->jobs, s->sync);
	if (s->tail != NULL)
		smslog_tail_close(s->tail);
	lv_ring_free(&s->ring);
	free(s->server);
	free(s->path);
	free(s->error);
	memset(s, 0, sizeof *s);
}

static void
lv_free(struct ui *u)
{
	struct logview *v = u->log;
	if (v == NULL)
		return;
	for (int i = 0; i < LV_NSRC; i++)
		lv_src_free(u, &v->src[i]);
	free(v->search);
	free(v);
	u->log = NULL;
}

static bool
lv_close(struct ui *u)
{
	lv_free(u);
	return true;
}

/* On the cursor cell of the board's snapshot. */
static bool
lv_open(struct ui *u)
{
	size_t pkg, dp;
	if (!board_cursor(&u->board, &pkg, &dp)) {
		ui_message(u, UI_ROLE_INFO, "no cell under the cursor");
		return false;
	}
	lv_free(u);
	const struct snapshot *snap = u->board.snap;
	struct logview *v = xcalloc(1, sizeof *v);
	u->log = v;
	snprintf(v->pkgid, sizeof v->pkgid, "%s", snap->pkgs[pkg].id);
	v->filter = true;
	v->follow = true;
	scroll_init(&v->scroll);
	const struct dp *d = &snap->dps[dp];
	const char *server = d->server ? d->server : d->name;
	/* A plain DP has no SMS and no distmgr.log: what happens to it is
	 * logged by the SMS that serves it (its child site's server, or for
	 * a DP of the package's own site, the primary). */
	enum dp_kind kind = snapshot_dp_kind(snap, pkg, dp);
	const char *sms = snapshot_sms_server(snap, dp);
	if ((kind == DPK_CHILD_DP || kind == DPK_OWN_SITE) && sms != NULL &&
	    strcasecmp(sms, server) != 0) {
		ui_message(u, UI_ROLE_INFO, "%s has no SMS of its own: the log of %s, which serves it",
		    server, sms);
		server = sms;
	}
	lv_src_start(u, &v->src[LV_DP], server);
	return true;
}

/*
 * What is on screen: the sources in use, merged by time, filtered.
 */

/* One line on screen: an entry, or a run of identical consecutive ones
 * (a retry loop writes the same line every minute), shown once with ×N
 * and the newest one's time. */
struct lv_line {
	const struct lv_entry *e;
	int src;
	size_t count;
};

static bool
lv_keep(const struct logview *v, const struct lv_entry *e)
{
	return !v->filter || strcasestr(e->text, v->pkgid) != NULL;
}

/* Would b repeat a, so that they collapse into one line? */
static bool
lv_same(const struct lv_line *a, const struct lv_line *b)
{
	return a->src == b->src && a->e->sev == b->e->sev && strcmp(a->e->comp, b->e->comp) == 0 &&
	    strcmp(a->e->text, b->e->text) == 0;
}

static bool
lv_before(const struct lv_entry *a, const struct lv_entry *b)
{
	return a->utc < b->utc || (a->utc == b->utc && a->ms <= b->ms);
}

/* The visible lines, oldest first (caller frees). */
static struct lv_line *
lv_lines(const struct logview *v, size_t *n)
{
	const struct lv_ring *a = &v->src[LV_DP].ring, *b = &v->src[LV_PRIMARY].ring;
	size_t nb = v->merge ? b->n : 0, i = 0, k = 0;
	struct lv_line *out = xreallocarray(NULL, a->n + nb + 1, sizeof *out);
	*n = 0;
	while (i < a->n || k < nb) {
		const struct lv_entry *ea = i < a->n ? lv_ring_at(a, i) : NULL;
		const struct lv_entry *eb = k < nb ? lv_ring_at(b, k) : NULL;
		struct lv_line l;
		if (eb == NULL || (ea != NULL && lv_before(ea, eb))) {
			l = (struct lv_line){ ea, LV_DP, 1 };
			i++;
		} else {
			l = (struct lv_line){ eb, LV_PRIMARY, 1 };
			k++;
		}
		if (!lv_keep(v, l.e))
			continue;
		if (*n > 0 && lv_same(&out[*n - 1], &l)) {
			out[*n - 1].e = l.e; /* the newest one's time */
			out[*n - 1].count++;
		} else {
			out[(*n)++] = l;
		}
	}
	return out;
}

static const enum ui_role lv_sev_role[] = {
	[SMSLOG_SEV_INFO] = UI_ROLE_NORMAL,
	[SMSLOG_SEV_WARNING] = UI_ROLE_WARNING,
	[SMSLOG_SEV_ERROR] = UI_ROLE_ERROR,
};
static const char lv_sev_letter[] = { [SMSLOG_SEV_INFO] = ' ',
	[SMSLOG_SEV_WARNING] = 'W', [SMSLOG_SEV_ERROR] = 'E' };

/* The entry's text from column `skip` on, each match of the search
 * highlighted. */
static void
lv_draw_text(const struct logview *v, int y, int x, enum ui_role role, const char *text,
    int skip)
{
	const char *s = text + draw_prefix(text, skip);
	size_t nsearch = v->search != NULL ? strlen(v->search) : 0;
	while (x < COLS && *s) {
		const char *m = nsearch > 0 ? strcasestr(s, v->search) : NULL;
		size_t before = m != NULL ? (size_t)(m - s) : strlen(s);
		char *part = xstrndup(s, before);
		x += draw_text(stdscr, y, x, COLS - x, theme_attr(role, false), part);
		free(part);
		if (m == NULL || x >= COLS)
			break;
		part = xstrndup(m, nsearch);
		x += draw_text(stdscr, y, x, COLS - x, theme_attr(UI_ROLE_CURSOR, false), part);
		free(part);
		s = m + nsearch;
	}
}

/* Columns before an entry's text: time, severity, server, component, ×N. */
static int
lv_text_x(const struct logview *v, const struct lv_line *l)
{
	char col[32];
	int x = 14 + 3 + (v->merge ? 11 : 0) + (COLS >= 120 ? 25 : 0);
	if (l->count > 1)
		x += draw_width(draw_fmt(col, sizeof col, "%s%zu ", glyph()->times, l->count));
	return x;
}

/* Rows an entry takes: one, or wrapped, as many as its text needs. */
static int
lv_rows(const struct logview *v, const struct lv_line *l)
{
	int avail = COLS - lv_text_x(v, l);
	if (!v->wrap || avail < 1)
		return 1;
	int w = draw_width(l->e->text);
	return w <= avail ? 1 : (w + avail - 1) / avail;
}

/* One entry at row y, in at most `max` rows; the rows it took. */
static int
lv_draw_line(const struct logview *v, const struct lv_line *l, int y, bool current, int max)
{
	char when[32] = "              ", col[64];
	struct tm tm;
	time_t t = (time_t)l->e->utc;
	if (l->e->utc != 0 && gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof when, "%m-%d %H:%M:%S", &tm);
	unsigned sev = (unsigned)l->e->sev < 3 ? (unsigned)l->e->sev : 0;
	enum ui_role role = current ? UI_ROLE_SELECT : lv_sev_role[sev];
	int rows = lv_rows(v, l) < max ? lv_rows(v, l) : max;
	for (int r = 0; r < rows; r++)
		draw_fill(stdscr, y + r, 0, COLS, theme_attr(current ? UI_ROLE_SELECT :
		    UI_ROLE_NORMAL, false));
	int x = draw_text(stdscr, y, 0, COLS, theme_attr(current ? role : UI_ROLE_DIM, false), when);
	draw_fmt(col, sizeof col, " %c ", lv_sev_letter[sev]);
	x += draw_text(stdscr, y, x, COLS - x, theme_attr(role, false), col);
	if (v->merge) {
		draw_fmt(col, sizeof col, "%-10.10s ", v->src[l->src].server);
		x += draw_text(stdscr, y, x, COLS - x,
		    theme_attr(current ? role : l->src == LV_DP ? UI_ROLE_KEY : UI_ROLE_TITLE, false),
		    col);
	}
	if (COLS >= 120) {
		draw_fmt(col, sizeof col, "%-24.24s ", l->e->comp);
		x += draw_text(stdscr, y, x, COLS - x, theme_attr(current ? role : UI_ROLE_DIM, false),
		    col);
	}
	if (l->count > 1) {
		draw_fmt(col, sizeof col, "%s%zu ", glyph()->times, l->count);
		x += draw_text(stdscr, y, x, COLS - x, theme_attr(current ? role : UI_ROLE_KEY, false),
		    col);
	}
	if (!v->wrap) {
		lv_draw_text(v, y, x, role, l->e->text, v->hoff);
		return 1;
	}
	for (int r = 0; r < rows; r++)
		lv_draw_text(v, y + r, x, role, l->e->text, r * (COLS - x));
	return rows;
}

/* Following with wrapped lines: the first entry such that the newest ones
 * fill the body. */
static int
lv_wrapped_top(const struct logview *v, const struct lv_line *lines, size_t n, int body)
{
	int used = 0;
	size_t top = n;
	while (top > 0 && used + lv_rows(v, &lines[top - 1]) <= body)
		used += lv_rows(v, &lines[--top]);
	return top < n || n == 0 ? (int)top : (int)n - 1;
}

/* Problems reading a source, wrapped, above the log. */
static int
lv_draw_notes(const struct logview *v, int y, int h)
{
	struct text t;
	text_init(&t);
	for (int i = 0; i < LV_NSRC; i++) {
		const struct lv_src *s = &v->src[i];
		if (s->server == NULL || (i == LV_PRIMARY && !v->merge))
			continue;
		if (s->error != NULL) {
			text_newline(&t);
			text_wrap(&t, UI_ROLE_ERROR, s->error, COLS, 2);
		} else if (!s->loaded) {
			text_newline(&t);
			if (s->remote)
				text_addf(&t, UI_ROLE_WARNING, "fetching the distmgr.log of %s%s", s->server,
				    glyph()->utf8 ? "\u2026" : "...");
			else
				text_addf(&t, UI_ROLE_WARNING, "reading %s%s", s->path,
				    glyph()->utf8 ? "\u2026" : "...");
		}
	}
	int used = (int)t.n < h ? (int)t.n : h;
	text_draw(&t, stdscr, y, 0, used, COLS, NULL);
	text_free(&t);
	return used;
}

static void
lv_draw_title(const struct logview *v, int y)
{
	char line[512];
	const struct lv_src *d = &v->src[LV_DP];
	draw_fmt(line, sizeof line, "distmgr.log %s%s%s  %s", d->server, v->merge ? " + " : "",
	    v->merge && v->src[LV_PRIMARY].server ? v->src[LV_PRIMARY].server : "",
	    d->path ? d->path : "");
	draw_fill(stdscr, y, 0, COLS, theme_attr(UI_ROLE_NORMAL, false));
	draw_text_fit(stdscr, y, 0, COLS, theme_attr(UI_ROLE_TITLE, false), line);
}

static bool
lv_draw(struct ui *u, int y, int h, int64_t now)
{
	struct logview *v = u->log;
	struct scroll *sc = &v->scroll;
	(void)now;
	lv_draw_title(v, y);
	int notes = lv_draw_notes(v, y + 1, h - 1);
	int body = h - 1 - notes;
	size_t n;
	struct lv_line *lines = lv_lines(v, &n);
	v->nvis = n;
	if (v->follow)
		scroll_end(sc);
	scroll_fit(sc, body > 1 ? body : 1, (int)n);
	if (v->wrap && v->follow)
		sc->top = lv_wrapped_top(v, lines, n, body);
	if (n == 0 && body > 0 && notes == 0)
		draw_text_fit(stdscr, y + 1, 0, COLS, theme_attr(UI_ROLE_DIM, false),
		    v->filter ? "no lines name the package (f shows all lines)" : "the log is empty");
	for (int i = 0, row = 0; row < body && (size_t)(sc->top + i) < n; i++)
		row += lv_draw_line(v, &lines[sc->top + i], y + 1 + notes + row,
		    sc->top + i == sc->cursor, body - row);
	free(lines);
	return true;
}

/*
 * Keys.
 */

static void
lv_pause(struct logview *v)
{
	if (v->follow) {
		v->follow = false;
		v->nvis_paused = v->nvis;
	}
}

/* Find the next (dir 1) or previous (-1) line matching the search. */
static void
lv_find(struct ui *u, int dir)
{
	struct logview *v = u->log;
	if (v->search == NULL) {
		ui_message(u, UI_ROLE_INFO, "no search yet: / searches");
		return;
	}
	size_t n;
	struct lv_line *lines = lv_lines(v, &n);
	const struct scroll *sc = &v->scroll;
	long start = sc->cursor >= 0 ? sc->cursor : dir > 0 ? sc->top - 1 : sc->top + sc->height;
	if (start > (long)n)
		start = (long)n; /* fewer lines than the screen: from the last one */
	if (start < -1)
		start = -1;
	long found = -1;
	bool wrapped = false;
	/* Every line once, going on past the end at the other end (as less
	 * and vim do), so n and N never stop at an edge. */
	for (long k = 1, i = start; k <= (long)n; k++) {
		i += dir;
		if (i < 0 || i >= (long)n) {
			i = dir > 0 ? 0 : (long)n - 1;
			wrapped = true;
		}
		if (strcasestr(lines[i].e->text, v->search) != NULL) {
			found = i;
			break;
		}
	}
	free(lines);
	if (found < 0) {
		ui_message(u, UI_ROLE_WARNING, "no match for \"%s\"", v->search);
		return;
	}
	if (wrapped)
		ui_message(u, UI_ROLE_INFO, "search wrapped to the %s", dir > 0 ? "top" : "bottom");
	lv_pause(v);
	v->scroll.cursor = (int)found;
	scroll_show(&v->scroll, (int)found);
}

/* The / prompt was accepted. */
static void
lv_search(struct ui *u, const char *text)
{
	struct logview *v = u->log;
	free(v->search);
	v->search = text && *text ? xstrdup(text) : NULL;
	v->scroll.cursor = -1;
	if (v->search != NULL)
		lv_find(u, -1); /* newest first: search upwards from the bottom */
	u->dirty |= UI_DIRTY_ALL;
}

static void
lv_toggle_merge(struct ui *u)
{
	struct logview *v = u->log;
	v->merge = !v->merge;
	v->scroll.cursor = -1;
	/* The title and the status line say it (no message: see the filter). */
	if (v->merge && v->src[LV_PRIMARY].server == NULL)
		lv_src_start(u, &v->src[LV_PRIMARY], u->opt->primary);
}

/* Half a screen left or right; never left of the first column. */
static void
lv_hscroll(struct logview *v, int dir)
{
	int step = COLS / 2 > 8 ? COLS / 2 : 8;
	v->hoff = v->hoff + dir * step > 0 ? v->hoff + dir * step : 0;
}

static void
lv_entry_closed(struct ui *u, enum key_action answer, void *arg)
{
	(void)u;
	(void)answer;
	(void)arg;
}

static const struct dialog_choice lv_entry_ok[] = {
	{ KEY_ACTION_OK, "[O]K", DIALOG_ENTER | DIALOG_ESC },
};

/* Enter: the whole entry in a box, wrapped: the search match, else the
 * newest line on screen. */
static void
lv_show_entry(struct ui *u)
{
	struct logview *v = u->log;
	size_t n;
	struct lv_line *lines = lv_lines(v, &n);
	const struct scroll *sc = &v->scroll;
	long i = sc->cursor >= 0 ? sc->cursor : (long)sc->top + sc->height - 1;
	if (i >= (long)n)
		i = (long)n - 1;
	if (i < 0) {
		free(lines);
		ui_message(u, UI_ROLE_INFO, "no line to open");
		return;
	}
	const struct lv_line *l = &lines[i];
	char when[32] = "?";
	struct tm tm;
	time_t t = (time_t)l->e->utc;
	if (l->e->utc != 0 && gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
	struct text *b = dialog_open(u, "distmgr.log entry", lv_entry_ok,
	    sizeof lv_entry_ok / sizeof lv_entry_ok[0], lv_entry_closed, NULL);
	int w = dialog_text_width();
	text_addf(b, UI_ROLE_DIM, "%s %s %s %s", when, v->src[l->src].server,
	    smslog_severity_name(l->e->sev), l->e->comp);
	if (l->count > 1)
		text_addf(b, UI_ROLE_KEY, "  %s%zu (the same line, the last one's time)",
		    glyph()->times, l->count);
	text_newline(b);
	text_wrap(b, UI_ROLE_NORMAL, l->e->text, w, 0);
	free(lines);
}

static enum view_key
lv_key(struct ui *u, enum key_action a, int key)
{
	struct logview *v = u->log;
	(void)key;
	switch (a) {
	case KEY_ACTION_UP:
	case KEY_ACTION_DOWN:
	case KEY_ACTION_PAGE_UP:
	case KEY_ACTION_PAGE_DOWN:
	case KEY_ACTION_TOP:
		lv_pause(v); /* scrolling stops following */
		(void)scroll_action(&v->scroll, a);
		break;
	case KEY_ACTION_BOTTOM:
	case KEY_ACTION_LOG_FOLLOW: v->follow = true; v->scroll.cursor = -1; break;
	case KEY_ACTION_LOG_FILTER:
		/* The status line says which lines show; no message, which
		 * would push the key hints off an 80-column line. */
		v->filter = !v->filter;
		v->scroll.cursor = -1;
		break;
	case KEY_ACTION_LOG_MERGE: lv_toggle_merge(u); break;
	case KEY_ACTION_LOG_WRAP: v->wrap = !v->wrap; v->hoff = 0; break;
	case KEY_ACTION_SEARCH: prompt_open(&u->prompt, "Search: ", v->search); break;
	case KEY_ACTION_SEARCH_NEXT: lv_find(u, 1); break;
	case KEY_ACTION_SEARCH_PREV: lv_find(u, -1); break;
	case KEY_ACTION_LEFT:
	case KEY_ACTION_RIGHT:
		if (v->wrap)
			return VIEW_KEY_DONE; /* nothing is cut off to the side */
		lv_hscroll(v, a == KEY_ACTION_LEFT ? -1 : 1);
		break;
	case KEY_ACTION_FIRST_COL: v->hoff = 0; break;
	case KEY_ACTION_OPEN: lv_show_entry(u); break;
	default: return VIEW_KEY_PASS;
	}
	u->dirty |= UI_DIRTY_ALL;
	return VIEW_KEY_DONE;
}

/* Start the next fetch of a remote source when it is due: after its
 * first read, one at a time, every refresh interval. */
static void
lv_sync_due(struct ui *u, struct lv_src *s, int64_t now)
{
	if (!s->remote || s->job != NULL || s->sync != NULL || !s->loaded || s->path == NULL)
		return;
	int every = refresh_interval(u);
	if (s->next_sync == 0)
		s->next_sync = now + (int64_t)every * 1000;
	if (now < s->next_sync)
		return;
	s->next_sync = now + (int64_t)every * 1000;
	s->sync = jobs_submit(u->jobs, s->server, LOGVIEW_FETCH_TIMEOUT_MS, lv_sync, lv_sync_done,
	    NULL, u);
}

/* Poll the files; on screen, what changed is drawn. */
static unsigned
lv_tick(struct ui *u, int64_t now, bool top)
{
	struct logview *v = u->log;
	if (v == NULL || now < v->next_poll)
		return 0;
	v->next_poll = now + LOGVIEW_POLL_MS;
	bool changed = false;
	for (int i = 0; i < LV_NSRC; i++) {
		struct lv_src *s = &v->src[i];
		char *err = NULL;
		lv_sync_due(u, s, now);
		if (s->tail == NULL)
			continue;
		long got = smslog_tail_poll(s->tail, lv_push, &s->ring, &err);
		if (got < 0) {
			free(s->error);
			s->error = err ? err : xstrdup("cannot read the log any more");
			smslog_tail_close(s->tail);
			s->tail = NULL;
			changed = true;
		} else if (got > 0) {
			changed = true;
		}
	}
	return changed && top ? UI_DIRTY_BODY | UI_DIRTY_FOOTER : 0;
}

static int
lv_timeout(const struct ui *u, int64_t now)
{
	const struct logview *v = u->log;
	if (v == NULL)
		return -1;
	return v->next_poll > now ? (int)(v->next_poll - now) : 0;
}

/* "following" / "paused — End to follow (+3 new)" and the toggles. */
static void
lv_status(const struct ui *u, char *buf, size_t size)
{
	const struct logview *v = u->log;
	char more[48] = "";
	if (!v->follow && v->nvis > v->nvis_paused)
		snprintf(more, sizeof more, " (+%zu new)", v->nvis - v->nvis_paused);
	char from[40] = "";
	if (v->hoff > 0)
		snprintf(from, sizeof from, "%sfrom column %d", glyph()->sep, v->hoff + 1);
	if (v->wrap)
		snprintf(from, sizeof from, "%swrapped", glyph()->sep);
	snprintf(buf, size, "%s%s%s%zu lines%s%s%s%s%s", v->follow ? "following" :
	    glyph()->utf8 ? "paused \u2014 End to follow" : "paused - End to follow", more,
	    glyph()->sep, v->nvis, v->filter ? " naming " : "", v->filter ? v->pkgid : "",
	    v->merge ? glyph()->sep : "", v->merge ? "merged" : "", from);
}

const struct view_ops log_view = {
	.ctx = KEYMAP_CTX_LOG,
	.hint = "f filter  m merge  / search  Esc close",
	.flags = VIEW_STATUS_FIRST,
	.open = lv_open,
	.close = lv_close,
	.draw = lv_draw,
	.key = lv_key,
	.tick = lv_tick,
	.poll_ms = lv_timeout,
	.status = lv_status,
	.prompt = lv_search,
	.free = lv_free,
};
