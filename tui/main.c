/*
 * dpdoctor's entry point: read the command line, dispatch subcommands, or
 * open the site and hand it to the full-screen UI.  Exit codes follow one
 * rule everywhere: 0 fine, 1 problems found, 2 error (bad usage included).
 */
#include "autoconf.h"
#include "tui/cli/app.h"
#include "tui/cli/cli.h"
#include "tui/splash.h"
#include "tui/tui.h"
#include "backend/sms/logmirror.h"
#include "backend/sim/sim.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: dpdoctor [-c FILE] [--site CODE] [--read-only] [--refresh N]\n"
	"       dpdoctor --demo[=DIR] [--demo-reset] [--demo-scenario=NAME]\n"
	"       dpdoctor status [--demo[=DIR]] [-c FILE] [--all]\n"
	"                       [--format table|csv|json|nagios|prometheus]\n"
	"                       [--warning RANGE] [--critical RANGE]\n"
	"       dpdoctor diagnose PKGID [DP] [--demo[=DIR]] [-c FILE]\n"
	"                         [--format text|json]\n"
	"       dpdoctor log (FILE | --file FILE | --server NAME) [--package PKGID]\n"
	"                    [--follow] [--format text|json]\n"
	"       dpdoctor repair PKGID DP [--plan NAME] [--dry-run] [--yes] [--read-only]\n"
	"                       [--show-script] [--demo[=DIR]] [-c FILE]\n"
	"       dpdoctor repair --verify PKGID DP [--demo[=DIR]] [-c FILE]\n"
	"       dpdoctor history [--unfinished] [--format text|json] [--package ID]\n"
	"                        [--dp NAME]\n"
	"       dpdoctor history --verify [--package ID] [--dp NAME] [--demo[=DIR]]\n"
	"                        [-c FILE]\n"
	"       dpdoctor --version | --help\n"
	"\n"
	"Shows every package x distribution point of an SMS 2003 site as a live,\n"
	"colour-coded grid.  Keys inside: arrows move, Enter details, / filter,\n"
	"a all/problems, Space mark, R repair, H repair journal, ? help, q quit.\n"
	"\n"
	"  -c, --config FILE     configuration file (else $DPDOCTOR_CONFIG, else\n"
	"                        $XDG_CONFIG_HOME/dpdoctor/dpdoctor.ini); a file named\n"
	"                        by -c or $DPDOCTOR_CONFIG must exist\n"
	"      --site CODE       the site to open (must match the configuration)\n"
	"      --read-only       never change anything on a server\n"
	"      --refresh N       refresh the grid every N seconds\n"
	"      --accept-new-host-key  trust an ssh server's host key the first time it\n"
	"                        is seen, adding it to known_hosts (every command)\n"
	"      --demo[=DIR]      open a simulated SMS 2003 site (created on first use\n"
	"                        in $XDG_STATE_HOME/dpdoctor/demo, or DIR)\n"
	"      --demo-reset      recreate the simulated site from scratch\n"
	"      --demo-scenario=NAME  default, small, wide, large or huge (packages x DPs:\n"
	"                        120 x 13, a handful, 40 x 100, 5,000 x 500, 10,000 x 1,000)\n"
	"\n"
	"  -c, --demo, --site, --read-only and --accept-new-host-key go before or after\n"
	"  the subcommand: dpdoctor -c FILE status.\n"
	"\n"
	"Subcommands:\n"
	"  status                print the package/DP pairs that are not installed;\n"
	"                        exit 0 healthy, 1 problems, 2 error; --format nagios\n"
	"                        or prometheus for monitoring\n"
	"  log                   parse an SMS log (any format), optionally one\n"
	"                        package's lines\n"
	"  diagnose              gather the evidence for one package on one DP (on every\n"
	"                        DP without DP) and name the failure; exit 0 installed,\n"
	"                        1 problem, 2 error\n"
	"  repair                show the repair plan for one package on one DP and run\n"
	"                        it step by step, asking first; exit 0 installed, 1 not,\n"
	"                        2 error or refused\n"
	"  history               list the repair journal; --unfinished: interrupted steps\n"
	"\n"
	"Each subcommand's --help says more; the manual: man dpdoctor, man dpdoctor.ini.\n";

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} subcommands[] = {
	{ "status", cli_status },
	{ "log", cli_log },
	{ "diagnose", cli_diagnose },
	{ "repair", cli_repair },
	{ "history", cli_history },
};

static int
parse_refresh(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1 || v > 3600) {
		fprintf(stderr, "dpdoctor: --refresh %s: give seconds from 1 to 3600\n", s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* Returns -1 to go on, else an exit code. */
static int
parse_args(int argc, char **argv, struct app_args *a)
{
	static const struct option opts[] = {
		APP_SITE_OPTIONS,
		{ "refresh", required_argument, NULL, 'i' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	while ((ch = cli_getopt(NULL, usage_text, argc, argv, "c:hV", opts)) != -1) {
		if (app_site_option(ch, optarg, a))
			continue;
		switch (ch) {
		case 'i': if (parse_refresh(optarg, &a->refresh) != 0) return 2; break;
		case 'V': printf("dpdoctor %s\n", PACKAGE_VERSION); return 0;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return 2;
		}
	}
	if (optind < argc)
		return cli_usage_error(NULL, usage_text, "unknown command \"%s\"", argv[optind]);
	if ((a->demo_reset || a->demo_scenario) && !a->demo) {
		fprintf(stderr, "dpdoctor: --demo-reset and --demo-scenario go with --demo\n");
		return 2;
	}
	return -1;
}

/* Where a server's distmgr.log is, for the log view: on the simulated site
 * it is a local file, read in place, in the SMS folder of the server's
 * layout (servers keep SMS on D:, E: or F:; a plain DP has none, and its
 * view says it cannot be reached).  The simulated transport answers the
 * layout in-process, so asking on the UI thread does not stall it. */
#define LOG_SIM_LAYOUT_MS 5000
static char *
log_path_sim(void *ctx, const char *server)
{
	struct app *a = ctx;
	struct site_env env;
	app_site_env(a, &env);
	struct deadline dl = { .at_ms = clock_mono_ms() + LOG_SIM_LAYOUT_MS };
	struct layout l;
	char *err = NULL, *path = NULL;
	if (layout_get(&env, NULL, server, &dl, &l, &err) != 0) {
		free(err);
		return NULL;
	}
	if (l.sms_dir != NULL) {
		char *win = xasprintf("%s\\Logs\\distmgr.log", l.sms_dir);
		path = sim_server_path(a->sim_dir, server, win);
		free(win);
	}
	layout_clear(&l);
	return path;
}

/* Over a real transport the log view reads a local copy of the server's
 * log, kept current through the site's transport (backend/logmirror).
 * The SMS folder is the server's learned layout (config, registry or
 * shares, cached in the app's layout cache), as no drive can be assumed;
 * no snapshot is passed as the board's belongs to the UI thread and the
 * layout op answers without it.  Fetches run on job threads; two on one
 * copy (a closed view's fetch still finishing when the view is opened
 * again) take turns on the mirror's own lock. */
static int
log_fetch_remote(void *ctx, const char *server, const struct deadline *dl, char **local,
    char **err)
{
	struct app *a = ctx;
	const struct config_server *srv = config_server(&a->cfg, server);
	struct site_env env;
	app_site_env(a, &env);
	return logmirror_fetch_env(&env, NULL, srv ? srv->name : server, dl, local, err);
}

/* tui_options' set_prompter: the UI does not know struct app. */
static void
main_set_prompter(void *ctx, ssh_ask_fn ask, void *ask_ctx, sshkh_warn_fn warn,
    void *warn_ctx)
{
	app_set_prompter(ctx, ask, ask_ctx, warn, warn_ctx);
}

/* The global options that take their value as the next word. */
static const char *const valued_options[] = {
	"-c", "--config", "--site", "--demo-scenario", "--refresh",
};

static bool
main_takes_value(const char *arg)
{
	for (size_t i = 0; i < sizeof valued_options / sizeof valued_options[0]; i++)
		if (strcmp(arg, valued_options[i]) == 0)
			return true;
	return false;
}

static long
main_subcommand_index(const char *word)
{
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (strcmp(word, subcommands[i].name) == 0)
			return (long)i;
	return -1;
}

/* Where the subcommand is: the first word that is neither an option nor
 * an option's value (`dpdoctor -c FILE status`, as git -C DIR status).
 * 0 when there is none or that word is no subcommand (main's parser then
 * says so). */
static int
main_find_subcommand(int argc, char **argv)
{
	int i = 1;
	while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0)
		i += main_takes_value(argv[i]) ? 2 : 1;
	if (i < argc && main_subcommand_index(argv[i]) >= 0)
		return i;
	return 0;
}

/* Run the subcommand at argv[sub] with the global options before it moved
 * after its name: every subcommand takes the site options (and --help),
 * so `dpdoctor --demo status` is `dpdoctor status --demo`. */
static int
main_run_subcommand(int argc, char **argv, int sub)
{
	char **v = xreallocarray(NULL, (size_t)argc + 1, sizeof *v);
	int n = 0;
	v[n++] = argv[sub];
	for (int i = 1; i < argc; i++)
		if (i != sub)
			v[n++] = argv[i];
	v[n] = NULL;
	const char *name = argv[sub];
	app_set_command(name);
	int rc = subcommands[main_subcommand_index(name)].run(n, v);
	free(v);
	return rc;
}

int
main(int argc, char **argv)
{
	int sub = main_find_subcommand(argc, argv);
	if (sub > 0)
		return main_run_subcommand(argc, argv, sub);
	struct app_args args = {0};
	int rc = parse_args(argc, argv, &args);
	if (rc >= 0)
		return rc;
	/* The frame is up before the site's set-up begins (it may take
	 * seconds: a huge demo site, an SSH handshake). */
	struct splash sp;
	splash_show(&sp, args.site);
	struct app app;
	rc = app_open(&app, &args);
	splash_done(&sp, rc == 0);
	if (rc != 0)
		return rc;
	struct tui_options o = {
		.status_transport = app.t,
		.site = app.site,
		.provider = app.provider,
		.source_label = app.label,
		.primary = app.primary,
		.log_path = app.sim_dir ? log_path_sim : NULL,
		.log_ctx = &app,
		.log_fetch = app.sim_dir ? NULL : log_fetch_remote,
		.log_fetch_ctx = &app,
		.generation = app.cfg.generation ? app.cfg.generation : "sms2003",
		.refresh_seconds = app.cfg.refresh_seconds,
		.full_refresh_every = app.cfg.full_refresh_every,
		.theme = app.cfg.theme,
		.glyphs = app.cfg.glyphs,
		.mouse = app.cfg.mouse,
		.read_only = app.read_only,
		.ssh = app.ssh,
		/* Whichever engine asks (ssh, smb): the UI answers. */
		.set_prompter = app.prompt ? main_set_prompter : NULL,
		.prompter_ctx = &app,
	};
	/* Repairs journal every step; the wizard borrows both for the run. */
	char *journal = app_journal_path();
	struct repair_env env;
	app_repair_env(&app, &env, journal);
	o.repair = &env;
	struct site_env senv;
	app_site_env(&app, &senv);
	o.site_env = &senv;
	o.journal = journal;
	rc = tui_run(&o);
	free(journal);
	app_close(&app);
	return rc;
}
