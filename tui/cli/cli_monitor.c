/*
 * `dpdoctor status --format nagios|prometheus`: the health glance in the
 * shapes monitoring already reads.  The Nagios line follows the Monitoring
 * Plugins development guidelines (one line "DPDOCTOR STATE: text | perfdata",
 * exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, thresholds as ranges checked
 * against the failed count); the Prometheus output is the text exposition
 * format (HELP and TYPE lines, escaped label values), one gauge per state
 * for the site and one per DP and state.  The states are grouped by their
 * role in the model's state table, so a new state needs no change here.
 */
#include "autoconf.h"
#include "tui/cli/cli_monitor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The perfdata counts, in the order printed: a role of the state table
 * each (removal states count with their install peers). */
static const struct monitor_group {
	const char *label;
	enum state_role role;
} monitor_groups[] = {
	{ "failed", ROLE_FAIL },
	{ "retrying", ROLE_WARN },
	{ "pending", ROLE_WAIT },
	{ "installed", ROLE_OK },
};
#define NGROUPS (sizeof monitor_groups / sizeof monitor_groups[0])

static const char *const nagios_words[] = {
	[NAGIOS_OK] = "OK", [NAGIOS_WARNING] = "WARNING",
	[NAGIOS_CRITICAL] = "CRITICAL", [NAGIOS_UNKNOWN] = "UNKNOWN",
};

/* A number filling exactly [b, e): 0, or -1. */
static int
range_number(const char *b, const char *e, double *out)
{
	if (e <= b)
		return -1;
	char *s = xstrndup(b, (size_t)(e - b)), *end;
	*out = strtod(s, &end);
	int rc = *end == '\0' && isfinite(*out) ? 0 : -1;
	free(s);
	return rc;
}

int
nagios_range_parse(const char *text, struct nagios_range *r)
{
	*r = (struct nagios_range){ .text = text };
	const char *p = text;
	if (*p == '@') {
		r->inside = true;
		p++;
	}
	const char *colon = strchr(p, ':');
	const char *hi = p;
	if (colon != NULL) {
		if (colon == p + 1 && *p == '~')
			r->lo_inf = true;
		else if (range_number(p, colon, &r->lo) != 0)
			return -1;
		hi = colon + 1;
		if (*hi == '\0') {
			r->hi_inf = true;
			return 0;
		}
	}
	if (range_number(hi, hi + strlen(hi), &r->hi) != 0)
		return -1;
	return !r->lo_inf && r->lo > r->hi ? -1 : 0;
}

bool
nagios_range_alert(const struct nagios_range *r, double v)
{
	if (r == NULL || r->text == NULL)
		return false;
	bool outside = (!r->lo_inf && v < r->lo) || (!r->hi_inf && v > r->hi);
	return r->inside ? !outside : outside;
}

/* Cells per group, from the snapshot's per-state counts. */
static void
monitor_count(const struct snapshot *s, size_t counts[NGROUPS])
{
	for (size_t g = 0; g < NGROUPS; g++) {
		counts[g] = 0;
		for (unsigned v = 0; v < STATE_COUNT; v++)
			if (state_info(v)->role == monitor_groups[g].role)
				counts[g] += s->state_counts[v];
	}
}

int
monitor_nagios(const struct snapshot *s, const struct nagios_range *warn,
    const struct nagios_range *crit)
{
	size_t counts[NGROUPS];
	monitor_count(s, counts);
	double failed = (double)counts[0];
	int code = nagios_range_alert(crit, failed) ? NAGIOS_CRITICAL :
	    nagios_range_alert(warn, failed) ? NAGIOS_WARNING : NAGIOS_OK;
	/* "SERVICE STATUS: Information text | perfdata", as the guidelines say */
	printf("DPDOCTOR %s:", nagios_words[code]);
	for (size_t g = 0; g < NGROUPS; g++)
		printf("%s %zu %s", g ? "," : "", counts[g], monitor_groups[g].label);
	printf(" pairs on site %s |", s->site_code);
	for (size_t g = 0; g < NGROUPS; g++) {
		/* label=value;warn;crit;min;max -- thresholds on failed only */
		bool th = g == 0;
		printf(" %s=%zu;%s;%s;0;%zu", monitor_groups[g].label, counts[g],
		    th && warn->text ? warn->text : "", th && crit->text ? crit->text : "",
		    s->ncells);
	}
	putchar('\n');
	return code;
}

int
monitor_nagios_unknown(const char *why)
{
	printf("DPDOCTOR UNKNOWN: %s\n", why);
	return NAGIOS_UNKNOWN;
}

/* A label value, escaped as the exposition format asks: backslash,
 * double quote and line feed. */
static void
prom_label(const char *name, const char *value, bool last)
{
	printf("%s=\"", name);
	for (const char *p = value; *p; p++) {
		if (*p == '\\' || *p == '"')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else
			putchar(*p);
	}
	fputs(last ? "\"" : "\",", stdout);
}

static const char *
prom_state_name(unsigned v)
{
	return v < STATE_COUNT ? state_info(v)->name : "UNKNOWN";
}

static void
prom_header(const char *metric, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s gauge\n", metric, help, metric);
}

/* Every DP x every state (zeros too, so no series comes and goes). */
static void
prom_dp_pairs(const struct snapshot *s)
{
	size_t w = STATE_COUNT + 1;
	size_t *n = xcalloc(s->ndps ? s->ndps * w : 1, sizeof *n);
	for (size_t i = 0; i < s->ncells; i++) {
		const struct cell *c = &s->cells[i];
		n[c->dp * w + (c->state < STATE_COUNT ? c->state : STATE_COUNT)]++;
	}
	prom_header("dpdoctor_dp_pairs",
	    "Package/DP pairs on one distribution point in each distribution state.");
	for (size_t d = 0; d < s->ndps; d++)
		for (unsigned v = 0; v < w; v++) {
			fputs("dpdoctor_dp_pairs{", stdout);
			prom_label("site", s->site_code, false);
			prom_label("dp", s->dps[d].name, false);
			prom_label("state", prom_state_name(v), true);
			printf("} %zu\n", n[d * w + v]);
		}
	free(n);
}

void
monitor_prometheus(const struct snapshot *s)
{
	prom_header("dpdoctor_pairs",
	    "Package/DP pairs of the site in each distribution state.");
	for (unsigned v = 0; v <= STATE_COUNT; v++) {
		fputs("dpdoctor_pairs{", stdout);
		prom_label("site", s->site_code, false);
		prom_label("state", prom_state_name(v), true);
		printf("} %zu\n", s->state_counts[v]);
	}
	prom_dp_pairs(s);
	prom_header("dpdoctor_status_taken_timestamp_seconds",
	    "When the status query ran, by the site's clock (Unix time).");
	fputs("dpdoctor_status_taken_timestamp_seconds{", stdout);
	prom_label("site", s->site_code, true);
	printf("} %lld\n", (long long)s->taken);
}
