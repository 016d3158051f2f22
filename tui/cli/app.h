/*
 * What main() and the command-line subcommands share: turning the command
 * line and configuration into a status source (transport + site), so the
 * TUI and `dpdoctor status` look at exactly the same thing.
 */
#ifndef DPD_APP_H
#define DPD_APP_H

#include <stdbool.h>

#include "tui/cli/app_err.h"
#include "backend/repair/repair.h"
#include "backend/transport/ssh/sshloop.h"
#include "backend/transport/transport.h"
#include "config/config.h"

struct app_args {
	const char *config_path;   /* -c FILE */
	const char *site;          /* --site CODE */
	bool demo;
	const char *demo_dir;      /* --demo=DIR */
	bool demo_reset;
	const char *demo_scenario; /* --demo-scenario=NAME */
	bool read_only;
	int refresh;               /* --refresh N, 0 = from config */
	bool accept_new_host_keys; /* --accept-new-host-key */
};

struct app_prompt;             /* who answers the engines (app_prompt.c) */
struct smbeng;                 /* backend/transport/smb/smbconn.h */
struct app_ssh_cred;           /* tui/cli/app_ssh.c */

struct app {
	struct config cfg;
	struct transport *t;       /* reaches the WMI host (runs the queries) */
	char site[4];
	char *provider;            /* NULL: the transport's host itself */
	char *primary;             /* the primary site server (evidence, logs) */
	char *sim_dir;             /* the simulated site, when the transport is sim */
	char *label;               /* for headers: "demo /path" or the config file */
	bool read_only;
	struct sshloop *ssh;       /* the SSH engine, when a server is reached by ssh */
	struct smbeng *smb;        /* the SMB engine, when a server is reached by smb */
	struct app_prompt *prompt; /* their questions (and ssh's warnings) go here;
	                            * NULL when neither runs */
	struct layout_cache *layouts; /* where SMS lives on each server, learned
	                            * (backend/sms/layout.h); NULL until made */
	struct app_ssh_cred *creds; /* credential = ask, per ssh server
	                            * (app_ssh.c); wiped at close */
	char *lock_dir;            /* app_lock_dir(): the repairs' per-pair locks */
};

/* Long-only options get values outside the character range, so they never
 * clash with a command's own short options. */
#define APP_OPT_ACCEPT_HOST_KEY 0x100
#define APP_OPT_READ_ONLY 0x101

/* The options every command takes to name the site, for getopt_long
 * tables: --demo[=DIR], --demo-reset, --demo-scenario, -c/--config, --site,
 * --accept-new-host-key, --read-only (so each may come before the
 * subcommand, as git's and kubectl's global options do; commands that
 * only read are read-only anyway). */
#define APP_SITE_OPTIONS \
	{ "demo", optional_argument, NULL, 'D' }, \
	{ "demo-reset", no_argument, NULL, 'R' }, \
	{ "demo-scenario", required_argument, NULL, 'S' }, \
	{ "config", required_argument, NULL, 'c' }, \
	{ "site", required_argument, NULL, 's' }, \
	{ "accept-new-host-key", no_argument, NULL, APP_OPT_ACCEPT_HOST_KEY }, \
	{ "read-only", no_argument, NULL, APP_OPT_READ_ONLY }

/* Apply one of APP_SITE_OPTIONS; false when ch is not one of them. */
bool app_site_option(int ch, char *arg, struct app_args *a);

/* 0, or 2 with a message on stderr (exit code 2 is "error" everywhere). */
int app_open(struct app *a, const struct app_args *args);
void app_close(struct app *a);
/* $XDG_STATE_HOME/dpdoctor (or ~/.local/state/dpdoctor), malloc'd. */
char *app_state_dir(void);
/* The repair journal: app_state_dir()/journal.jsonl, malloc'd. */
char *app_journal_path(void);
/* The per-pair repair locks (backend/repair/repair_lock.h):
 * app_state_dir()/locks, malloc'd. */
char *app_lock_dir(void);
/* A repair environment for this site: transport, site, primary, journal
 * (borrowed; NULL = none), the demo's time scale and hand fixes.  The
 * caller sets dry_run, progress, sleep_ms, ctx and cancel as it needs. */
void app_repair_env(struct app *a, struct repair_env *env, char *journal);
/* What the use-cases need to reach this site (backend/sms/layout.h):
 * transport, codes, servers, the layout cache and the configuration's
 * sms_path / pck_path.  Borrowed from a. */
struct site_env;
void app_site_env(struct app *a, struct site_env *env);

/*
 * The seam for the full-screen UI: the SSH and SMB engines ask for
 * secrets (and ssh reports warnings) through these.  Until someone swaps
 * them, secrets come from askpass (tui/cli/askpass.h) and warnings go to
 * stderr, and an unknown host key's error says to run again with
 * --accept-new-host-key.  The TUI calls this once the screen is up (ask
 * runs on an engine thread: it must hand the question to the UI thread and
 * wait); NULL functions restore the command-line ones.  No-op when no
 * server is reached by ssh or smb (a->prompt is NULL).
 */
void app_set_prompter(struct app *a, ssh_ask_fn ask, void *ask_ctx, sshkh_warn_fn warn,
    void *warn_ctx);

#endif
