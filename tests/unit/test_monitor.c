/*
 * The monitoring formats of `dpdoctor status` (tui/cli/cli_monitor.c) on a
 * hand-made snapshot: threshold ranges as the Monitoring Plugins guidelines
 * define them, the plugin line and its exit codes, and the Prometheus
 * output's escaping of a share DP's backslash and its per-state gauges --
 * cases the simulated site has no data for.
 */
#include "autoconf.h"
#include "tui/cli/cli_monitor.h"
#include "tap.h"

#include <stdlib.h>
#include <unistd.h>

/* Run fn with stdout sent to a temporary file; the text, malloc'd. */
static char *
capture(int (*fn)(const struct snapshot *, const void *), const struct snapshot *s,
    const void *arg, int *rc)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDOUT_FILENO);
	if (tmp == NULL || saved < 0 || fflush(stdout) != 0 ||
	    dup2(fileno(tmp), STDOUT_FILENO) < 0)
		abort();
	*rc = fn(s, arg);
	if (fflush(stdout) != 0 || dup2(saved, STDOUT_FILENO) < 0 || close(saved) != 0)
		abort();
	long n = ftell(tmp);
	char *buf = xcalloc((size_t)(n > 0 ? n : 0) + 1, 1);
	rewind(tmp);
	if (n > 0 && fread(buf, 1, (size_t)n, tmp) != (size_t)n)
		abort();
	fclose(tmp);
	return buf;
}

struct ranges { const char *warn, *crit; };

static int
run_nagios(const struct snapshot *s, const void *arg)
{
	const struct ranges *r = arg;
	struct nagios_range w = {0}, c = {0};
	if ((r->warn && nagios_range_parse(r->warn, &w) != 0) ||
	    (r->crit && nagios_range_parse(r->crit, &c) != 0))
		abort();
	return monitor_nagios(s, &w, &c);
}

static int
run_prometheus(const struct snapshot *s, const void *arg)
{
	(void)arg;
	monitor_prometheus(s);
	return 0;
}

static bool
alerts(const char *range, double v)
{
	struct nagios_range r;
	if (nagios_range_parse(range, &r) != 0)
		abort();
	return nagios_range_alert(&r, v);
}

static void
test_ranges(void)
{
	/* The guidelines' table, each with a value on both sides. */
	static const struct { const char *range; double v; bool alert; } cases[] = {
		{ "10", -1, true }, { "10", 0, false }, { "10", 10, false }, { "10", 11, true },
		{ "10:", 9, true }, { "10:", 10, false }, { "10:", 1e9, false },
		{ "~:10", 11, true }, { "~:10", -1e9, false },
		{ "10:20", 9, true }, { "10:20", 15, false }, { "10:20", 21, true },
		{ "@10:20", 15, true }, { "@10:20", 10, true }, { "@10:20", 21, false },
		{ "0", 0, false }, { "0", 1, true }, { "1.5", 2, true },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ok(alerts(cases[i].range, cases[i].v) == cases[i].alert, "range %s, value %g: %s",
		    cases[i].range, cases[i].v, cases[i].alert ? "alert" : "no alert");
	static const char *const bad[] = { "", "ten", "20:10", "1:2:3", "@", ":", "5x", "~" };
	struct nagios_range r;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		is_int(nagios_range_parse(bad[i], &r), -1, "range \"%s\" refused", bad[i]);
	ok(!nagios_range_alert(&(struct nagios_range){0}, 1e9), "an unset range never alerts");
}

/* Two DPs, one a share DP; failed, retrying, removal-failed, unknown cells. */
static struct snapshot *
make_snapshot(void)
{
	struct snapshot *s = snapshot_new();
	char *err = NULL;
	memcpy(s->site_code, "009", 4);
	s->taken = 1167904800;
	size_t a = snapshot_add_pkg(s, "00900001"), b = snapshot_add_pkg(s, "00900002");
	long d1 = snapshot_add_dp(s, "[\"Display=\\\\DP01\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\DP01\\", &err);
	long d2 = snapshot_add_dp(s, "[\"Display=\\\\DP01\\pkgs$\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\DP01\\pkgs$\\", &err);
	if (d1 < 0 || d2 < 0)
		abort();
	static const struct { int pkg, dp; uint8_t state; } cells[] = {
		{ 0, 0, 3 }, { 1, 0, 0 }, { 0, 1, 2 }, { 1, 1, 6 },
	};
	size_t pk[] = { a, b };
	long dp[] = { d1, d2 };
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
		snapshot_add_cell(s, &(struct cell){ .pkg = (uint32_t)pk[cells[i].pkg],
		    .dp = (uint32_t)dp[cells[i].dp], .state = cells[i].state });
	snapshot_index(s);
	return s;
}

static void
test_nagios(const struct snapshot *s)
{
	int rc;
	char *out = capture(run_nagios, s, &(struct ranges){ "1", "5" }, &rc);
	is_str(out, "DPDOCTOR WARNING: 2 failed, 1 retrying, 0 pending, 1 installed pairs on site 009 | "
	    "failed=2;1;5;0;4 retrying=1;;;0;4 pending=0;;;0;4 installed=1;;;0;4\n",
	    "nagios: removal failures count as failed; thresholds in the failed perfdata");
	is_int(rc, NAGIOS_WARNING, "  exit 1 WARNING");
	free(out);
	free(capture(run_nagios, s, &(struct ranges){ "1", "1" }, &rc));
	is_int(rc, NAGIOS_CRITICAL, "critical wins over warning: exit 2");
	free(capture(run_nagios, s, &(struct ranges){ "2", NULL }, &rc));
	is_int(rc, NAGIOS_OK, "2 failed within --warning 2: exit 0");
}

static void
test_prometheus(const struct snapshot *s)
{
	int rc;
	char *out = capture(run_prometheus, s, NULL, &rc);
	ok(strstr(out, "# HELP dpdoctor_pairs ") == out &&
	    strstr(out, "\n# TYPE dpdoctor_pairs gauge\n") != NULL, "HELP, then TYPE gauge, first");
	ok(strstr(out, "dpdoctor_dp_pairs{site=\"009\",dp=\"DP01\\\\pkgs$\",state=\"REMOVAL_FAILED\"} 1\n") != NULL,
	    "a share DP's backslash is escaped in its label");
	ok(strstr(out, "dpdoctor_dp_pairs{site=\"009\",dp=\"DP01\",state=\"INSTALL_FAILED\"} 1\n") != NULL,
	    "one gauge per DP and state");
	ok(strstr(out, "dpdoctor_pairs{site=\"009\",state=\"CONTENT_MONITORING\"} 0\n") != NULL,
	    "every state present, zeros too");
	ok(strstr(out, "dpdoctor_status_taken_timestamp_seconds{site=\"009\"} 1167904800\n") != NULL,
	    "the query's time as a Unix timestamp");
	free(out);
}

int
main(void)
{
	test_ranges();
	struct snapshot *s = make_snapshot();
	test_nagios(s);
	test_prometheus(s);
	snapshot_free(s);
	return done_testing();
}
