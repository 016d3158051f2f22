/*
 * Detail pane content.  Each line is "Label     value", values wrapped under
 * their label, so the pane reads the same at 80 columns and at 200.  The
 * DP's SourceVersion is compared with the package's because "the DP is
 * behind" is the first thing an administrator checks (the seed's
 * distmgr.log message is about exactly that).
 */
#include "config.h"
#include "tui/detail.h"
#include "tui/draw.h"
#include "tui/glyph.h"
#include "backend/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

void
detail_build(struct text *t, const struct snapshot *s, size_t pkg, size_t dp, int width)
{
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
}

void
detail_draw(WINDOW *w, int y, int x, int h, int width, const struct snapshot *s,
    size_t pkg, size_t dp)
{
	char title[160];
	for (int i = 0; i < h; i++)
		draw_fill(w, y + i, x, width, theme_attr(UI_ROLE_NORMAL, false));
	draw_box(w, y, x, h, width, theme_attr(UI_ROLE_BORDER, false));
	draw_fmt(title, sizeof title, " %s %s %s ", s->pkgs[pkg].id, glyph()->times,
	    s->dps[dp].name);
	draw_text_fit(w, y, x + 2, width - 4, theme_attr(UI_ROLE_TITLE, false), title);
	struct text t;
	text_init(&t);
	detail_build(&t, s, pkg, dp, width - 4);
	int top = 0;
	text_draw(&t, w, y + 1, x + 2, h - 2, width - 4, &top);
	text_free(&t);
}
