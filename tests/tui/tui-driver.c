/*
 * A test driver for the full-screen UI: tui_run() over a fake status
 * transport that answers the status op with a generated, deterministic
 * site, so the tmux tests can exercise the grid, refresh failures and slow
 * replies without the simulator.  Not installed.
 *
 *   tui-driver [--refresh N] [--glyphs auto|utf8|ascii] [--theme dark|light|mono]
 *              [--demo DIR]
 *
 * --demo DIR runs the UI over the simulated site in DIR instead (created
 * when missing), with the primary's name and a log_path callback filled in
 * the way main does for --demo, so the evidence, diagnosis and log view
 * tests run against real simulated servers.  DPD_FAKE_NO_LOGS=1 leaves
 * log_path NULL (a transport that cannot reach logs); DPD_FAKE_DELAY_MS
 * slows every call after the first status query (so "gathering" shows).
 *
 * Environment: DPD_FAKE_PKGS, DPD_FAKE_DPS (site size; default 40 x 12),
 * DPD_FAKE_FAIL_FROM=N (the Nth status call and later fail),
 * DPD_FAKE_DELAY_MS (each call takes this long, honouring the deadline),
 * DPD_FAKE_SHUFFLE=1 (every call after the first changes problem counts,
 * which reorders the rows).
 */
#include "autoconf.h"
#include "tui/tui.h"
#include "backend/core/proto.h"
#include "backend/sim/sim.h"
#include "backend/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const pkg_names[][2] = {
	{ "Office 2003 Professional", "Microsoft" },
	{ "Adobe Reader 7.0.8", "Adobe" },
	{ "Windows XP SP2 Network Install", "Microsoft" },
	{ "Symantec AntiVirus 10.1 Corporate Edition", "Symantec" },
	{ "Visio 2003 Standard", "Microsoft" },
	{ "WinZip 10", "WinZip Computing" },
	{ "Java Runtime Environment 1.5.0_09", "Sun Microsystems" },
	{ "Lotus Notes 7.0.2 Client", "IBM" },
	{ "SAP GUI 6.40", "SAP" },
	{ "Citrix ICA Client 9.2", "Citrix" },
	{ "MS06-040 Security Update", "Microsoft" },
	{ "Internet Explorer 7", "Microsoft" },
};

static const char *const dp_names[] = {
	"SMS009PRI", "DP01", "DP02", "LONDON-DP", "PARIS-DP03", "BERLIN", "NYC-BRANCH-DP",
	"TOKYO1", "DP07", "SYDNEY-DP", "MADRID", "ROME-DP2",
};

static int calls;

static long
env_long(const char *name, long def)
{
	const char *v = getenv(name);
	return v && *v ? strtol(v, NULL, 10) : def;
}

/* A small deterministic mix of states; -1 = not targeted. */
static int
fake_state(long p, long d, int gen)
{
	unsigned h = (unsigned)(p * 2654435761u) ^ (unsigned)(d * 40503u) ^ (unsigned)(gen * 97u);
	h ^= h >> 13;
	h *= 0x5bd1e995u;
	h ^= h >> 15;
	if (p == 0 && d == 1)
		return 3; /* always one failure to look at */
	if (h % 10 == 9)
		return -1;
	static const int problems[] = { 3, 2, 1, 7, 6, 4, 5, 8 };
	unsigned k = (h >> 8) % 60;
	return k < 8 ? problems[k] : 0;
}

static void
fake_dp_name(long d, char *buf, size_t size)
{
	long n = (long)(sizeof dp_names / sizeof dp_names[0]);
	if (d < n)
		snprintf(buf, size, "%s", dp_names[d]);
	else
		snprintf(buf, size, "DP%04ld", d);
}

static void
fake_packages(struct buf *out, long npkgs)
{
	static const char *const pc[] = { "PackageID", "Name", "Manufacturer", "Version",
		"Language", "PkgSourcePath", "SourceVersion", "StoredPkgVersion",
		"StoredPkgPath", "SourceSite", "SourceDate" };
	proto_cols(out, "P", pc, sizeof pc / sizeof pc[0]);
	long nn = (long)(sizeof pkg_names / sizeof pkg_names[0]);
	for (long p = 0; p < npkgs; p++) {
		char id[24], name[128], path[160], ver[16];
		snprintf(id, sizeof id, "009%05lX", p + 0x10);
		snprintf(name, sizeof name, "%s%s", pkg_names[p % nn][0],
		    p >= nn ? " (copy)" : "");
		snprintf(path, sizeof path, "\\\\SMS009PRI\\Sources\\pkg%ld", p);
		snprintf(ver, sizeof ver, "%ld", 2 + p % 5);
		const char *v[] = { id, name, pkg_names[p % nn][1], "1.0", "English", path,
			ver, ver, "E:\\SMSPKG\\x.PCK", "009", "2006-11-20T08:00:00Z" };
		proto_row(out, "P", v, sizeof v / sizeof v[0]);
	}
}

static size_t
fake_cells(struct buf *out, long npkgs, long ndps, int gen)
{
	static const char *const cc[] = { "PackageID", "ServerNALPath", "SiteCode", "State",
		"SourceVersion", "LastCopied", "SummaryDate" };
	proto_cols(out, "C", cc, sizeof cc / sizeof cc[0]);
	size_t n = 0;
	for (long p = 0; p < npkgs; p++) {
		for (long d = 0; d < ndps; d++) {
			int st = fake_state(p, d, gen);
			if (st < 0)
				continue;
			char id[24], dp[64], nal[200], state[16], ver[24];
			snprintf(id, sizeof id, "009%05lX", p + 0x10);
			fake_dp_name(d, dp, sizeof dp);
			snprintf(nal, sizeof nal,
			    "[\"Display=\\\\%s\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\%s\\", dp, dp);
			snprintf(state, sizeof state, "%d", st);
			snprintf(ver, sizeof ver, "%ld", st == 0 ? 2 + p % 5 : 1 + p % 5);
			const char *v[] = { id, nal, "009", state, ver, "2007-01-03T22:15:00Z",
				"2007-01-04T09:12:00Z" };
			proto_row(out, "C", v, sizeof v / sizeof v[0]);
			n++;
		}
	}
	return n;
}

static int
fake_run(struct transport *t, const struct op *op, const char *script,
    struct script_result *res, const struct deadline *dl, char **err)
{
	(void)t;
	(void)op;
	(void)script;
	int call = ++calls;
	long delay = env_long("DPD_FAKE_DELAY_MS", 0);
	for (int64_t until = clock_mono_ms() + delay; clock_mono_ms() < until;) {
		if (deadline_passed(dl)) {
			err_set(err, "fake host: deadline passed");
			return -1;
		}
		nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
	}
	long fail_from = env_long("DPD_FAKE_FAIL_FROM", 0);
	if (fail_from > 0 && call >= fail_from) {
		err_set(err, "connect to FAKEHOST port 22: connection refused");
		return -1;
	}
	int gen = env_long("DPD_FAKE_SHUFFLE", 0) ? call : 1;
	long npkgs = env_long("DPD_FAKE_PKGS", 40), ndps = env_long("DPD_FAKE_DPS", 12);
	struct buf *out = &res->out;
	proto_begin(out, "status");
	fake_packages(out, npkgs);
	size_t n = (size_t)npkgs + fake_cells(out, npkgs, ndps, gen);
	static const char *const tc[] = { "Now" };
	static const char *const tv[] = { "2007-01-04T10:00:00Z" };
	proto_cols(out, "T", tc, 1);
	proto_row(out, "T", tv, 1);
	proto_end_ok(out, n);
	res->exit_code = 0;
	return 0;
}

static void
fake_close(struct transport *t)
{
	(void)t;
}

static int
fake_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	return script_call(t, fake_run, op, fn, arg, dl, err);
}

static const struct transport_ops fake_ops = {
	.name = "fake",
	.call = fake_call,
	.close = fake_close,
};

/* --demo: the simulator's transport, slowed down after the first call. */
static int
slow_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	long delay = ++calls > 1 ? env_long("DPD_FAKE_DELAY_MS", 0) : 0;
	for (int64_t until = clock_mono_ms() + delay; clock_mono_ms() < until;) {
		if (deadline_passed(dl)) {
			err_set(err, "slow host: deadline passed");
			return -1;
		}
		nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
	}
	return transport_pass(t->priv, op, fn, arg, dl, err);
}

static void
slow_close(struct transport *t)
{
	transport_close(t->priv);
}

static const struct transport_ops slow_ops = {
	.name = "slow-sim",
	.call = slow_call,
	.close = slow_close,
};

/* The simulated servers' distmgr.log, as main does it for --demo. */
static char *
demo_log_path(void *ctx, const char *server)
{
	return sim_server_path(ctx, server, "E:\\SMS\\Logs\\distmgr.log");
}

static struct transport *
demo_open(const char *dir, struct tui_options *o)
{
	struct sim_info info = { 0 };
	char *err = NULL;
	if (sim_ensure(dir, NULL, 1, false, &err) != 0 || sim_info(dir, &info, &err) != 0) {
		fprintf(stderr, "tui-driver: demo site %s: %s\n", dir, err);
		exit(2);
	}
	struct transport *sim = transport_sim_new(dir, info.primary);
	struct transport *t = transport_new(&slow_ops, sim->host, sim->answers, sim);
	o->primary = xstrdup(info.primary);
	o->site = xstrdup(info.site_code);
	o->source_label = "demo (tui-driver)";
	if (!env_long("DPD_FAKE_NO_LOGS", 0)) {
		o->log_path = demo_log_path;
		o->log_ctx = (void *)dir;
	}
	sim_info_free(&info);
	return t;
}

static int
parse_enum(const char *v, const char *const *names, int n, const char *what)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	fprintf(stderr, "tui-driver: bad %s \"%s\"\n", what, v);
	exit(2);
}

int
main(int argc, char **argv)
{
	static const char *const glyphs[] = { "auto", "utf8", "ascii" };
	static const char *const themes[] = { "dark", "light", "mono" };
	struct transport t = { .ops = &fake_ops, .host = (char *)"FAKEHOST", .priv = NULL,
		.answers = TRANSPORT_ALL_OPS };
	struct tui_options o = {
		.status_transport = &t,
		.site = "009",
		.source_label = "fake site",
		.generation = "sms2003",
		.refresh_seconds = 30,
		.primary = "SMS009PRI",
	};
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--refresh") == 0)
			o.refresh_seconds = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--glyphs") == 0)
			o.glyphs = (enum config_glyphs)parse_enum(argv[i + 1], glyphs, 3, "glyphs");
		else if (strcmp(argv[i], "--demo") == 0)
			o.status_transport = demo_open(argv[i + 1], &o);
		else if (strcmp(argv[i], "--theme") == 0)
			o.theme = (enum config_theme)parse_enum(argv[i + 1], themes, 3, "theme");
		else {
			fprintf(stderr, "tui-driver: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	int rc = tui_run(&o);
	if (o.status_transport != &t) {
		transport_close(o.status_transport);
		free((char *)o.primary);
		free((char *)o.site);
	}
	return rc;
}
