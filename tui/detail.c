/*
 * Detail pane content.  Each line is "Label     value", values wrapped under
 * their label, so the pane reads the same at 80 columns and at 200.  The
 * DP's SourceVersion is compared with the package's because "the DP is
 * behind" is the first thing an administrator checks (the seed's
 * distmgr.log message is about exactly that).  Under the facts come the
 * finding (title in the state's colour, explanation, suggested repair,
 * caveat) and the evidence it rests on, grouped as evidence_kind_group()
 * says, newest first in a group, cited items marked, unreadable ones in
 * the error colour.  The pane scrolls: it is longer than the screen.
 */
#include "autoconf.h"
#include "tui/detail.h"
#include "tui/draw.h"
#include "tui/glyph.h"
#include "tui/gather.h"
#include "tui/kind.h"
#include "backend/repair/repair.h"
#include "backend/sms/smslog.h"
#include "tui/ui.h"
#include "backend/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DETAIL_LABEL_W 10

const char *
detail_time(dpd_time t, char *buf, size_t size)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (t == 0 || gmtime_r(&tt, &tm) == NULL) {
		snprintf(buf, size, "never");
		return buf;
	}
	if (strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(buf, size, "?");
	return buf;
}

/* Start a labelled line and wrap the value under it. */
static void
detail_field(struct text *t, const char *label, enum ui_role role, const char *value,
    int width)
{
	text_newline(t);
	text_addf(t, UI_ROLE_DIM, "%-*s", DETAIL_LABEL_W, label);
	text_wrap(t, role, value && *value ? value : "-", width, DETAIL_LABEL_W);
}

static void
detail_state(struct text *t, const struct cell *c, int width)
{
	text_newline(t);
	if (c == NULL) {
		text_add(t, UI_ROLE_STATE_NONE, glyph()->none);
		text_add(t, UI_ROLE_NORMAL, " not targeted  ");
		text_wrap(t, UI_ROLE_NORMAL, "SMS has no status row for this package on this "
		    "distribution point: the package is not sent there.", width, 2);
		return;
	}
	const struct state_info *si = state_info(c->state);
	enum ui_role role = theme_state_role(c->state);
	text_add(t, role, glyph_state(c->state));
	text_addf(t, role, " %s", si->name);
	text_addf(t, UI_ROLE_DIM, " (%u)  ", (unsigned)c->state);
	text_wrap(t, UI_ROLE_NORMAL, si->meaning, width, 2);
}

static void
detail_package(struct text *t, const struct package *p, int width)
{
	char line[512];
	detail_field(t, "Package", UI_ROLE_TITLE,
	    draw_fmt(line, sizeof line, "%s  %s", p->id, p->name ? p->name : ""), width);
	draw_fmt(line, sizeof line, "%s%s%s%s%s",
	    p->manufacturer ? p->manufacturer : "", glyph()->sep,
	    p->version ? p->version : "-", glyph()->sep, p->language ? p->language : "-");
	detail_field(t, "", UI_ROLE_NORMAL, line, width);
	detail_field(t, "Source", UI_ROLE_NORMAL, p->source_path, width);
	detail_field(t, "Versions", UI_ROLE_NORMAL,
	    draw_fmt(line, sizeof line, "SourceVersion %u%sStoredPkgVersion %u%ssource site %s",
	    (unsigned)p->source_version, glyph()->sep, (unsigned)p->stored_version,
	    glyph()->sep, p->source_site[0] ? p->source_site : "-"), width);
}

static void
detail_on_dp(struct text *t, const struct package *p, const struct cell *c, int width)
{
	char line[512], t1[32], t2[32];
	if (c == NULL)
		return;
	uint32_t have = c->source_version, want = p->source_version;
	enum ui_role role = have < want ? UI_ROLE_WARNING : UI_ROLE_NORMAL;
	if (have < want)
		draw_fmt(line, sizeof line, "SourceVersion %u, behind the package's %u",
		    (unsigned)have, (unsigned)want);
	else if (have > want)
		draw_fmt(line, sizeof line, "SourceVersion %u, ahead of the package's %u",
		    (unsigned)have, (unsigned)want);
	else
		draw_fmt(line, sizeof line, "SourceVersion %u, current", (unsigned)have);
	detail_field(t, "On DP", role, line, width);
	detail_field(t, "", UI_ROLE_NORMAL,
	    draw_fmt(line, sizeof line, "LastCopied %s%sSummaryDate %s",
	    detail_time(c->last_copied, t1, sizeof t1), glyph()->sep,
	    detail_time(c->summary_date, t2, sizeof t2)), width);
}


/* How each kind's `present` reads; NULL: the kind has no presence. */
static const struct {
	enum evidence_kind kind;
	const char *yes, *no;
} detail_presence[] = {
	{ EV_SOURCE_DIR, "exists", "missing" },
	{ EV_PCK_PRIMARY, "present", "missing" },
	{ EV_PCK_DP, "present", "missing" },
	{ EV_INCOMING, "names the package", "none" },
	{ EV_DISTMGR_PKG, "present", "none" },
	{ EV_PKGINFO, "present", "missing" },
	{ EV_SHARE_FOLDER, "present", "missing" },
};

static const struct {
	uint32_t bit;
	char letter;
} detail_attrs[] = {
	{ EV_ATTR_READONLY, 'R' }, { EV_ATTR_HIDDEN, 'H' }, { EV_ATTR_SYSTEM, 'S' },
	{ EV_ATTR_DIRECTORY, 'D' }, { EV_ATTR_ARCHIVE, 'A' },
};

static const char *const detail_acl[] = {
	"unknown whether rights reach nested folders",
	"rights stop at the share root",
	"Administrators' rights reach nested folders",
};

static void
detail_item_facts(struct buf *b, const struct evidence_item *it)
{
	for (size_t i = 0; i < sizeof detail_presence / sizeof detail_presence[0]; i++)
		if (detail_presence[i].kind == it->kind)
			buf_printf(b, "%s", it->present ? detail_presence[i].yes : detail_presence[i].no);
	if (it->present && it->size > 0 && it->kind != EV_PACKAGE)
		buf_printf(b, ", %llu bytes", (unsigned long long)it->size);
	if (it->kind != EV_PACKAGE && it->version != 0)
		buf_printf(b, ", version %u", (unsigned)it->version);
	if (it->attrs != 0) {
		buf_adds(b, ", attributes ");
		for (size_t i = 0; i < sizeof detail_attrs / sizeof detail_attrs[0]; i++)
			if (it->attrs & detail_attrs[i].bit)
				buf_addc(b, detail_attrs[i].letter);
	}
	if (it->kind == EV_SHARE_ACL)
		buf_printf(b, "%s", detail_acl[it->nested < 0 ? 0 : it->nested ? 2 : 1]);
	if (it->kind == EV_LOG || it->kind == EV_STATMSG)
		buf_printf(b, "%s ", smslog_severity_name((enum smslog_severity)it->severity));
	if (it->kind == EV_STATMSG)
		buf_printf(b, "ID %d ", it->msgid);
	/* A list (one entry a line) starts on a line of its own. */
	bool list = it->text != NULL && strchr(it->text, '\n') != NULL;
	if (it->text != NULL && *it->text)
		buf_printf(b, "%s%s", b->len > 0 && it->kind != EV_LOG && it->kind != EV_STATMSG ?
		    list ? ":\n" : ": " : "", it->text);
}

static enum ui_role
detail_item_role(const struct evidence_item *it)
{
	if (it->error != NULL || it->kind == EV_UNREACHABLE)
		return UI_ROLE_ERROR;
	if (it->kind == EV_LOG || it->kind == EV_STATMSG)
		return it->severity == SMSLOG_SEV_ERROR ? UI_ROLE_ERROR :
		    it->severity == SMSLOG_SEV_WARNING ? UI_ROLE_WARNING : UI_ROLE_NORMAL;
	return UI_ROLE_NORMAL;
}

/* A value that is a list, one entry a line (a share's ACL: one rule a
 * line), each entry on a line of its own under the indent; a line end
 * drawn as it is would show as `?`. */
static void
detail_wrap_lines(struct text *t, enum ui_role role, const char *s, int width, int indent)
{
	for (bool first = true;; first = false) {
		size_t n = strcspn(s, "\r\n");
		char *line = xstrndup(s, n);
		if (!first) {
			text_newline(t);
			text_addf(t, role, "%*s", indent + 2, "");
		}
		text_wrap(t, role, line, width, indent + (first ? 0 : 2));
		free(line);
		s += n;
		s += strspn(s, "\r\n");
		if (*s == '\0')
			break;
	}
}

/* One item: marker, kind, what it says, then where and when (dim). */
static void
detail_item(struct text *t, const struct evidence_item *it, bool cited, int width)
{
	char when[32];
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	if (it->error != NULL)
		buf_printf(&b, "cannot read: %s", it->error);
	else
		detail_item_facts(&b, it);
	text_newline(t);
	text_addf(t, UI_ROLE_KEY, "%s ", cited ? (glyph()->utf8 ? "\u25b8" : ">") : " ");
	text_addf(t, UI_ROLE_DIM, "%-12s ", evidence_kind_name(it->kind));
	detail_wrap_lines(t, detail_item_role(it), b.data[0] ? b.data : "-", width, 15);
	buf_reset(&b);
	buf_printf(&b, "%s %s%s", glyph()->utf8 ? "\u00b7" : "-", it->server ? it->server : "?",
	    it->source ? " " : "");
	buf_adds(&b, it->source ? it->source : "");
	if (it->when != 0)
		buf_printf(&b, "%s%s", glyph()->sep, detail_time(it->when, when, sizeof when));
	text_add(t, UI_ROLE_DIM, " ");
	text_wrap(t, UI_ROLE_DIM, b.data, width, 15);
	buf_free(&b);
}

static bool
detail_cited(const struct diagnosis *dx, size_t i)
{
	if (dx == NULL || dx->nfindings == 0)
		return false;
	for (size_t k = 0; k < dx->findings[0].ncites; k++)
		if (dx->findings[0].cites[k] == i)
			return true;
	return false;
}

struct detail_order {
	size_t i;
	dpd_time when;
};

static int
detail_newest_first(const void *a, const void *b)
{
	const struct detail_order *x = a, *y = b;
	if (x->when != y->when)
		return x->when > y->when ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Items of each kind in e. */
static void
detail_count(const struct evidence *e, size_t count[EV_KIND_COUNT])
{
	memset(count, 0, EV_KIND_COUNT * sizeof count[0]);
	for (size_t i = 0; i < e->nitems; i++)
		if ((unsigned)e->items[i].kind < EV_KIND_COUNT)
			count[e->items[i].kind]++;
}

/* A folded kind's line: how many items, how many shown, and the key that
 * lists them (its line is kept in f, for that key). */
static void
detail_fold_line(struct text *t, enum evidence_kind k, size_t n, size_t cited,
    struct detail_folds *f, int width)
{
	char line[160];
	text_newline(t);
	if (f != NULL)
		f->line[k] = (int)t->n - 1;
	text_addf(t, UI_ROLE_KEY, "%s ", glyph()->utf8 ? "\u25b9" : "+");
	text_addf(t, UI_ROLE_DIM, "%-12s ", evidence_kind_name(k));
	draw_fmt(line, sizeof line, "%zu items%s%zu cited shown above; Enter lists them all", n,
	    glyph()->sep, cited);
	text_wrap(t, UI_ROLE_NORMAL, line, width, 15);
}

/* The items of one group, newest first; a kind with many items shows only
 * its cited ones and a line counting the rest, until it is opened. */
static void
detail_group(struct text *t, const struct gather_view *gv, const char *group,
    struct detail_folds *f, int width)
{
	const struct evidence *e = gv->ev;
	size_t count[EV_KIND_COUNT], cited[EV_KIND_COUNT] = { 0 };
	detail_count(e, count);
	uint32_t open = f != NULL ? f->open : 0;
	struct detail_order *o = xreallocarray(NULL, e->nitems + 1, sizeof *o);
	size_t n = 0;
	for (size_t i = 0; i < e->nitems; i++)
		if (strcmp(evidence_kind_group(e->items[i].kind), group) == 0)
			o[n++] = (struct detail_order){ i, e->items[i].when };
	if (n > 0) {
		array_sort(o, n, sizeof *o, detail_newest_first);
		text_newline(t);
		text_addf(t, UI_ROLE_SECTION, "%s", group);
		for (size_t k = 0; k < n; k++) {
			const struct evidence_item *it = &e->items[o[k].i];
			bool c = detail_cited(gv->dx, o[k].i);
			bool folded = count[it->kind] > DETAIL_FOLD_MIN && !(open & (1u << it->kind));
			if (folded && !c)
				continue;
			cited[it->kind] += c;
			detail_item(t, it, c, width);
		}
		for (int k = 0; k < EV_KIND_COUNT; k++)
			if (count[k] > DETAIL_FOLD_MIN && !(open & (1u << k)) &&
			    strcmp(evidence_kind_group((enum evidence_kind)k), group) == 0)
				detail_fold_line(t, (enum evidence_kind)k, count[k], cited[k], f, width);
	}
	free(o);
}

static void
detail_evidence(struct text *t, const struct gather_view *gv, struct detail_folds *f,
    int width)
{
	const char *seen[EV_KIND_COUNT];
	size_t nseen = 0;
	for (int k = 0; k < EV_KIND_COUNT; k++) {
		const char *g = evidence_kind_group((enum evidence_kind)k);
		bool dup = false;
		for (size_t i = 0; i < nseen; i++)
			dup = dup || strcmp(seen[i], g) == 0;
		if (dup)
			continue;
		seen[nseen++] = g;
		detail_group(t, gv, g, f, width);
	}
}

static void
detail_finding(struct text *t, const struct finding *f, unsigned state, bool first,
    int width)
{
	enum ui_role role = first ? theme_state_role(state) : UI_ROLE_DIM;
	if (f->id == FIND_HEALTHY)
		role = first ? UI_ROLE_STATE_OK : UI_ROLE_DIM;
	detail_field(t, first ? "Finding" : "Or", role, f->title, width);
	if (!first)
		return;
	if (f->explanation != NULL) {
		text_newline(t);
		text_addf(t, UI_ROLE_NORMAL, "%*s", DETAIL_LABEL_W, "");
		text_wrap(t, UI_ROLE_NORMAL, f->explanation, width, DETAIL_LABEL_W);
	}
	if (f->plan != PLAN_NONE) {
		text_newline(t);
		text_addf(t, UI_ROLE_NORMAL, "%*s", DETAIL_LABEL_W, "");
		text_add(t, UI_ROLE_DIM, "suggested repair: ");
		text_add(t, UI_ROLE_KEY, repair_plan_name(f->plan));
	}
	if (f->caveat != NULL) {
		text_newline(t);
		text_addf(t, UI_ROLE_NORMAL, "%*s", DETAIL_LABEL_W, "");
		text_wrap(t, UI_ROLE_WARNING, "caveat: ", width, DETAIL_LABEL_W);
		text_wrap(t, UI_ROLE_WARNING, f->caveat, width, DETAIL_LABEL_W);
	}
}

static void
detail_diagnosis(struct text *t, const struct gather_view *gv, unsigned state, int width,
    int64_t now)
{
	const struct glyphs *g = glyph();
	text_newline(t);
	if (gv->dx != NULL) {
		for (size_t i = 0; i < gv->dx->nfindings; i++)
			detail_finding(t, &gv->dx->findings[i], state, i == 0, width);
	} else if (gv->running) {
		int frame = (int)(((now - gv->started) / UI_SPIN_MS) % g->nspinner);
		text_newline(t);
		text_addf(t, UI_ROLE_DIM, "%-*s", DETAIL_LABEL_W, "Finding");
		text_addf(t, UI_ROLE_WARNING, "%s ", g->spinner[frame]);
		text_addf(t, UI_ROLE_NORMAL, "gathering%s", g->utf8 ? "\u2026" : "...");
		if (gv->ev != NULL)
			text_addf(t, UI_ROLE_DIM, " (%zu items so far)", gv->ev->nitems);
	} else if (gv->error != NULL) {
		detail_field(t, "Finding", UI_ROLE_ERROR, "none: the evidence could not be gathered",
		    width);
		detail_field(t, "", UI_ROLE_ERROR, gv->error, width);
	}
}

/* "Evidence  1071 items, cited ones marked", then the count of each kind
 * (most first), so a thousand files in an inbox are a number, not pages. */
static void
detail_evidence_block(struct text *t, const struct gather_view *gv, struct detail_folds *f,
    int width)
{
	if (gv->ev == NULL || gv->ev->nitems == 0)
		return;
	size_t count[EV_KIND_COUNT];
	detail_count(gv->ev, count);
	text_newline(t);
	text_newline(t);
	text_addf(t, UI_ROLE_TITLE, "Evidence");
	text_addf(t, UI_ROLE_DIM, "  %zu items%s", gv->ev->nitems,
	    gv->dx != NULL ? ", cited ones marked" : "");
	struct buf b;
	buf_init(&b);
	for (size_t done = 0; done < gv->ev->nitems;) {
		int most = 0;
		for (int k = 1; k < EV_KIND_COUNT; k++)
			most = count[k] > count[most] ? k : most;
		if (count[most] == 0)
			break; /* an item of no known kind */
		buf_printf(&b, "%s%s %zu", b.len > 0 ? ", " : "",
		    evidence_kind_name((enum evidence_kind)most), count[most]);
		done += count[most];
		count[most] = 0;
	}
	text_newline(t);
	text_addf(t, UI_ROLE_NORMAL, "%*s", DETAIL_LABEL_W, "");
	text_wrap(t, UI_ROLE_DIM, b.data, width, DETAIL_LABEL_W);
	buf_free(&b);
	detail_evidence(t, gv, f, width);
}

/* Where SMS lives on the servers this cell's evidence is read from (the
 * DP, its SMS server, the primary), as learned so far: each with how it
 * was learned and how long ago, so a stale guess is seen (`r` forgets). */
static void
detail_layouts(struct text *t, const struct snapshot *s, size_t pkg, size_t dp,
    const struct gather_view *gv, int width)
{
	struct layout *v = NULL;
	size_t n = gv->layouts != NULL ? layout_cache_list(gv->layouts, &v) : 0;
	const char *want[] = { s->dps[dp].server, kind_sms_server(s, pkg, dp, gv->primary),
		gv->primary };
	bool first = true;
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < n; i++) {
		bool mine = false;
		for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
			mine = mine || (want[k] != NULL && v[i].server != NULL &&
			    strcasecmp(want[k], v[i].server) == 0);
		if (mine) {
			char *line = layout_describe(&v[i], now);
			detail_field(t, first ? "Layout" : "", UI_ROLE_NORMAL, line, width);
			free(line);
			first = false;
		}
		layout_clear(&v[i]);
	}
	free(v);
	if (first)
		detail_field(t, "Layout", UI_ROLE_DIM, gv->running ? "being learned with the evidence" :
		    "not learned (r learns it again)", width);
}

void
detail_build(struct text *t, const struct snapshot *s, size_t pkg, size_t dp, int width,
    const struct gather_view *gv, struct detail_folds *f, int64_t now)
{
	for (int k = 0; f != NULL && k < EV_KIND_COUNT; k++)
		f->line[k] = -1;
	const struct package *p = &s->pkgs[pkg];
	const struct dp *d = &s->dps[dp];
	const struct cell *c = snapshot_cell(s, pkg, dp);
	char line[512];
	detail_state(t, c, width);
	detail_package(t, p, width);
	detail_field(t, "DP", UI_ROLE_TITLE, draw_fmt(line, sizeof line, "%s  site %s",
	    d->name, d->site_code[0] ? d->site_code : "-"), width);
	detail_field(t, "NAL path", UI_ROLE_NORMAL, d->nal, width);
	detail_on_dp(t, p, c, width);
	/* After the cell's own facts, which the pane shows first at 80x24. */
	char *kind = kind_sentence(s, pkg, dp, gv != NULL ? gv->primary : NULL);
	detail_field(t, "Kind", UI_ROLE_NORMAL, kind, width);
	free(kind);
	if (gv == NULL)
		return;
	/* The finding before where SMS lives: at 80x24 a page down from the
	 * facts should land on what is wrong, not on folders. */
	detail_diagnosis(t, gv, c ? c->state : STATE_NONE, width, now);
	text_newline(t);
	detail_layouts(t, s, pkg, dp, gv, width);
	detail_evidence_block(t, gv, f, width);
}

/* The finding (or "gathering…") on the bottom border, so it is in sight
 * even when the pane is scrolled to its facts. */
static void
detail_summary(WINDOW *w, int y, int x, int width, const struct gather_view *gv,
    unsigned state, int64_t now)
{
	const struct glyphs *g = glyph();
	char line[256];
	enum ui_role role = UI_ROLE_DIM;
	if (gv == NULL || width < 8)
		return;
	if (gv->dx != NULL && gv->dx->nfindings > 0) {
		const struct finding *f = &gv->dx->findings[0];
		role = f->id == FIND_HEALTHY ? UI_ROLE_STATE_OK : theme_state_role(state);
		draw_fmt(line, sizeof line, " %s ", f->title);
	} else if (gv->running) {
		int frame = (int)(((now - gv->started) / UI_SPIN_MS) % g->nspinner);
		role = UI_ROLE_WARNING;
		draw_fmt(line, sizeof line, " %s gathering%s ", g->spinner[frame],
		    g->utf8 ? "\u2026" : "...");
	} else if (gv->error != NULL) {
		role = UI_ROLE_ERROR;
		draw_fmt(line, sizeof line, " no evidence: %s ", gv->error);
	} else {
		return;
	}
	draw_text_fit(w, y, x, width, theme_attr(role, false), line);
}

void
detail_draw(WINDOW *w, int y, int x, int h, int width, const struct snapshot *s,
    size_t pkg, size_t dp, const struct gather_view *gv, struct scroll *sc, uint32_t open,
    int64_t now)
{
	struct detail_folds f = { .open = open };
	char title[160];
	for (int i = 0; i < h; i++)
		draw_fill(w, y + i, x, width, theme_attr(UI_ROLE_NORMAL, false));
	draw_box(w, y, x, h, width, theme_attr(UI_ROLE_BORDER, false));
	draw_fmt(title, sizeof title, " %s %s %s ", s->pkgs[pkg].id, glyph()->times,
	    s->dps[dp].name);
	draw_text_fit(w, y, x + 2, width - 4, theme_attr(UI_ROLE_TITLE, false), title);
	struct text t;
	text_init(&t);
	detail_build(&t, s, pkg, dp, width - 4, gv, &f, now);
	text_draw(&t, w, y + 1, x + 2, h - 2, width - 4, sc);
	int below = (int)t.n - (sc->top + h - 2), tw = 0;
	if (sc->top > 0 || below > 0) {
		/* Words, not only an arrow: "more" says the pane goes on. */
		draw_fmt(title, sizeof title, " %s%s%s%s ", sc->top > 0 ? glyph()->up : "",
		    sc->top > 0 && below > 0 ? " " : "", below > 0 ? "more " : "",
		    below > 0 ? glyph()->down : "");
		tw = draw_width(title);
		draw_text_fit(w, y + h - 1, x + width - 2 - tw, tw, theme_attr(UI_ROLE_DIM, false),
		    title);
	}
	const struct cell *c = snapshot_cell(s, pkg, dp);
	detail_summary(w, y + h - 1, x + 2, width - 5 - tw, gv, c ? c->state : STATE_NONE, now);
	text_free(&t);
}
