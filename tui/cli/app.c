/*
 * Opening the site to look at.  Two roads lead here: --demo (the simulated
 * site under the state directory, created on first use) and a configuration
 * file that names the site and how to reach the server that runs its
 * queries (the WMI host: over ssh, or the simulator) and the servers with a
 * transport of their own (ssh or smb).  Either way the result is one
 * transport and one site code; a road that cannot be taken says exactly
 * why and how to proceed, and the caller exits with 2.
 */
#include "autoconf.h"
#include "backend/core/util.h"
#include "tui/cli/app.h"
#include "tui/cli/app_ssh.h"
#include "tui/cli/app_smb.h"
#include "tui/cli/app_prompt.h"
#include "backend/transport/route.h"
#include "backend/sms/layout.h"
#include "backend/core/nal.h"
#include "backend/sim/sim.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *
app_state_dir(void)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	if (xdg != NULL && *xdg == '/')
		return xasprintf("%s/dpdoctor", xdg);
	const char *home = getenv("HOME");
	return xasprintf("%s/.local/state/dpdoctor", home && *home ? home : ".");
}

char *
app_journal_path(void)
{
	char *state = app_state_dir();
	char *path = xasprintf("%s/journal.jsonl", state);
	free(state);
	return path;
}

char *
app_lock_dir(void)
{
	char *state = app_state_dir();
	char *path = xasprintf("%s/locks", state);
	free(state);
	return path;
}

/* The demo's hand steps: the simulator does what the administrator would
 * do on the Windows server. */
static int
app_hand_fix(void *ctx, const char *what, const char *pkgid, const char *server, char **err)
{
	const struct app *a = ctx;
	return sim_hand_fix(a->sim_dir, what, pkgid, server, err);
}

/* A server's preload_exe from the configuration (NULL when unset or the
 * server has no section: the op then looks in the known folders). */
static const char *
app_preload_exe(const void *ctx, const char *server)
{
	const struct config_server *s = config_server(ctx, server);
	return s != NULL ? s->preload_exe : NULL;
}

/* A server's sms_path or pck_path from the configuration (NULL when unset
 * or the server has no section: then its layout is learned). */
static const char *
app_layout_override(const void *ctx, const char *server, const char *key)
{
	static const struct {
		const char *key;
		size_t offset;
	} keys[] = {
		{ "sms_path", offsetof(struct config_server, sms_path) },
		{ "pck_path", offsetof(struct config_server, pck_path) },
	};
	const struct config_server *s = config_server(ctx, server);
	if (s == NULL || key == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(keys[i].key, key) == 0)
			return *(char *const *)((const char *)s + keys[i].offset);
	return NULL;
}

static struct layout_overrides
app_overrides(const struct app *a)
{
	return (struct layout_overrides){ .get = app_layout_override, .ctx = &a->cfg };
}

void
app_repair_env(struct app *a, struct repair_env *env, char *journal)
{
	bool sim = a->sim_dir != NULL;
	*env = (struct repair_env){
		.t = a->t,
		.site = a->site,
		.primary = a->primary,
		.provider = a->provider,
		.journal = journal,
		.lock_dir = a->lock_dir,
		.demo = sim,
		/* The simulated site runs SIM_SPEED (60) SMS seconds per second. */
		.minute_ms = sim ? 1000 : 60000,
		/* A hand fix in the demo writes the simulated site: not when read-only. */
		.hand_fix = sim && !a->read_only ? app_hand_fix : NULL,
		.hand_ctx = a,
		.preload_exe = app_preload_exe,
		.servers_ctx = &a->cfg,
		.layouts = a->layouts,
		.ov = app_overrides(a),
	};
}

void
app_site_env(struct app *a, struct site_env *env)
{
	*env = (struct site_env){
		.t = a->t,
		.site = a->site,
		.primary = a->primary,
		.provider = a->provider,
		.layouts = a->layouts,
		.ov = app_overrides(a),
	};
}

static int
app_open_demo(struct app *a, const struct app_args *args)
{
	const char *scenario = args->demo_scenario ? args->demo_scenario : "default";
	char *dir;
	if (args->demo_dir != NULL) {
		dir = xstrdup(args->demo_dir);
	} else {
		char *state = app_state_dir();
		dir = strcmp(scenario, "default") == 0 ? xasprintf("%s/demo", state) :
		    xasprintf("%s/demo-%s", state, scenario);
		free(state);
	}
	char *err = NULL;
	struct sim_info info = {0};
	if (sim_ensure(dir, scenario, 1, args->demo_reset, &err) != 0 ||
	    sim_info(dir, &info, &err) != 0) {
		app_err("demo site %s: %s\n", dir, err);
		goto fail;
	}
	if (args->demo_scenario != NULL && strcmp(info.scenario, scenario) != 0) {
		app_err("demo site %s holds the \"%s\" scenario, not \"%s\";\n"
		    "  add --demo-reset to recreate it (this deletes the simulated site there)\n",
		    dir, info.scenario, scenario);
		goto fail;
	}
	memcpy(a->site, info.site_code, sizeof a->site);
	a->t = transport_sim_new(dir, info.primary);
	a->primary = xstrdup(info.primary);
	a->sim_dir = xstrdup(dir);
	a->label = xasprintf("demo %s", dir);
	config_defaults(&a->cfg);
	/* The demo's clock runs at 60x: a 30 s refresh would skip half an SMS
	 * hour and miss most pending pairs on their way to installed. */
	a->cfg.refresh_seconds = 5;
	sim_info_free(&info);
	free(dir);
	return 0;
fail:
	sim_info_free(&info);
	free(err);
	free(dir);
	return 2;
}

static const char no_config_help[] =
	"no configuration file found.  Looked at:\n%s"
	"\n"
	"Write one (see dpdoctor.ini.example, shipped in config/), for example:\n"
	"\n"
	"  [site 009]\n"
	"  provider = SMS01\n"
	"\n"
	"  [server SMS01]\n"
	"  transport = ssh\n"
	"\n"
	"and pass it with -c FILE or $DPDOCTOR_CONFIG, or put it at\n"
	"$XDG_CONFIG_HOME/dpdoctor/dpdoctor.ini.\n"
	"\n"
	"To try dpdoctor without a site, run:  dpdoctor --demo\n";

/* The simulated site as a transport; it is the whole site in one. */
static int
app_sim_transport(struct app *a, const struct app_args *args, const char *path,
    const struct config_server *srv, struct transport **t)
{
	(void)args;
	(void)path;
	*t = transport_sim_new(a->cfg.sim_dir, srv->name);
	free(a->sim_dir);
	a->sim_dir = xstrdup(a->cfg.sim_dir);
	return 0;
}

/* A transport to srv: 0 with *t, or 2 with a message on stderr naming
 * path (the configuration file). */
typedef int (*app_transport_fn)(struct app *a, const struct app_args *args, const char *path,
    const struct config_server *srv, struct transport **t);

/*
 * Every transport = a [server] section may name, and how it is opened.  A
 * row without a constructor is one this version cannot carry yet; its
 * servers are reached by UNC path from the WMI host.  wmi: it can be the
 * WMI host (run the queries); routed: a server with it gets the ops on its
 * own files (backend/transport/route.h), where the simulator is the whole
 * site in one; not_wmi: why it never can be the WMI host, for a transport
 * that carries files only.
 */
struct app_transport {
	enum config_transport kind;  /* named as config_transport_name() spells it */
	app_transport_fn open;
	bool wmi;
	bool routed;
	const char *not_wmi;
};

static const struct app_transport app_transports[] = {
	{ CONFIG_TRANSPORT_SSH, app_ssh_transport, true, true, NULL },
	{ CONFIG_TRANSPORT_SIM, app_sim_transport, true, false, NULL },
	{ CONFIG_TRANSPORT_SMB, app_smb_transport, false, true,
	  "SMB carries files and runs no queries (WMI, PreloadPkgOnSite)" },
	{ CONFIG_TRANSPORT_LOCAL, NULL, false, true, NULL },
};
#define APP_NTRANSPORTS (sizeof app_transports / sizeof app_transports[0])

/* The row of a transport kind; one without a row is not carried either. */
static const struct app_transport *
app_transport_of(enum config_transport kind)
{
	static const struct app_transport none = { .routed = true };
	for (size_t i = 0; i < APP_NTRANSPORTS; i++)
		if (app_transports[i].kind == kind)
			return &app_transports[i];
	return &none;
}

/* "ssh and sim": the transports that can be the WMI host. */
static char *
app_wmi_transports(void)
{
	struct buf b;
	buf_init(&b);
	size_t n = 0, total = 0;
	for (size_t i = 0; i < APP_NTRANSPORTS; i++)
		total += app_transports[i].open != NULL && app_transports[i].wmi;
	for (size_t i = 0; i < APP_NTRANSPORTS; i++) {
		if (app_transports[i].open == NULL || !app_transports[i].wmi)
			continue;
		buf_printf(&b, "%s%s", n == 0 ? "" : n + 1 == total ? " and " : ", ",
		    config_transport_name(app_transports[i].kind));
		n++;
	}
	return buf_detach(&b);
}

/*
 * Every other server with a routed transport of its own gets the ops that
 * touch only its files (backend/transport/route.h); the rest are reached
 * from the WMI host by UNC path, as are those whose transport is not
 * carried yet: a warning, not a refusal, since UNC still reaches them.
 * 0, or 2 with a message.
 */
static int
app_route_servers(struct app *a, const struct app_args *args, const char *path,
    const struct config_server *wmi)
{
	bool routed = false;
	for (size_t i = 0; i < a->cfg.nservers; i++) {
		const struct config_server *srv = &a->cfg.servers[i];
		const struct app_transport *row = app_transport_of(srv->transport);
		if (srv == wmi || !row->routed)
			continue;
		if (row->open == NULL) {
			/* Still reachable as before: by UNC from the WMI host. */
			app_err("warning: %s: server %s (line %d): this version "
			    "cannot carry its transport yet; it is reached by UNC path from %s\n",
			    path, srv->name, srv->line, wmi->name);
			continue;
		}
		struct transport *t = NULL;
		int rc = row->open(a, args, path, srv, &t);
		if (rc != 0)
			return rc;
		if (!routed)
			a->t = route_new(a->t);
		routed = true;
		char *err = NULL;
		if (route_add(a->t, srv->name, t, &err) != 0) {
			app_err("%s: server %s (line %d): %s\n", path, srv->name,
			    srv->line, err ? err : "cannot route to it");
			free(err);
			transport_close(t);
			return 2;
		}
	}
	return 0;
}

/* The server that runs the queries, how it is reached, and who is asked
 * through it.  0, or 2 with a message. */
static int
app_open_transport(struct app *a, const struct app_args *args, const char *path)
{
	const char *wmi = a->cfg.wmi_host;
	const struct config_server *srv = wmi ? config_server(&a->cfg, wmi) : NULL;
	if (srv == NULL) {
		app_err("%s: [site %s] names no wmi_host, provider or site_server "
		    "to run the status query on\n", path, a->site);
		return 2;
	}
	const struct app_transport *row = app_transport_of(srv->transport);
	if (row->not_wmi != NULL) {
		app_err("%s:%d: %s: transport = %s cannot be the WMI host, the server "
		    "that runs the site's queries (wmi_host, else provider, else site_server): %s; "
		    "reach %s over ssh\n", path, srv->transport_line, srv->name,
		    config_transport_name(srv->transport), row->not_wmi, srv->name);
		return 2;
	}
	if (row->open == NULL || !row->wmi) {
		char *working = app_wmi_transports();
		app_err("%s: server %s (line %d) uses a transport this "
		    "version cannot carry yet; only transport = %s work so far\n",
		    path, srv->name, srv->line, working);
		free(working);
		return 2;
	}
	int rc = row->open(a, args, path, srv, &a->t);
	if (rc == 0)
		rc = app_route_servers(a, args, path, srv);
	if (rc != 0)
		return rc;
	a->primary = xstrdup(a->cfg.site_server ? a->cfg.site_server : srv->name);
	/* The queries name the provider only when it is another machine. */
	if (a->cfg.provider != NULL && strcasecmp(a->cfg.provider, srv->name) != 0)
		a->provider = xstrdup(a->cfg.provider);
	return 0;
}

static int
app_open_config(struct app *a, const struct app_args *args)
{
	char *tried = NULL, *err = NULL;
	/* A file named by -c or $DPDOCTOR_CONFIG must be there: falling back
	 * to another file would show another site's configuration. */
	const char *env = getenv("DPDOCTOR_CONFIG");
	const char *named = args->config_path ? args->config_path : env && *env ? env : NULL;
	char *path = config_find(named, &tried);
	if (path == NULL && named != NULL) {
		app_err("%s%s\n", named == args->config_path ? "" : "$DPDOCTOR_CONFIG=",
		    tried ? tried : named);
		free(tried);
		return 2;
	}
	if (path == NULL) {
		app_err(no_config_help, tried ? tried : "");
		free(tried);
		return 2;
	}
	free(tried);
	int rc = 2;
	if (config_load(path, &a->cfg, &err) != 0) {
		/* The message may quote the file's line: shown, never obeyed. */
		char *shown = text_visible(err);
		app_err("%s\n", shown);
		free(shown);
		free(err);
	} else if (args->site != NULL && strcasecmp(args->site, a->cfg.site_code) != 0) {
		app_err("%s describes site %s, not %s\n", path,
		    a->cfg.site_code, args->site);
	} else {
		memcpy(a->site, a->cfg.site_code, sizeof a->site);
		rc = app_open_transport(a, args, path);
	}
	if (rc == 0)
		a->label = xstrdup(path);
	free(path);
	return rc;
}

bool
app_site_option(int ch, char *arg, struct app_args *a)
{
	switch (ch) {
	case 'D': a->demo = true; a->demo_dir = arg; return true;
	case 'R': a->demo_reset = true; return true;
	case 'S': a->demo_scenario = arg; return true;
	case 'c': a->config_path = arg; return true;
	case 's': a->site = arg; return true;
	case APP_OPT_ACCEPT_HOST_KEY: a->accept_new_host_keys = true; return true;
	case APP_OPT_READ_ONLY: a->read_only = true; return true;
	default: return false;
	}
}

int
app_open(struct app *a, const struct app_args *args)
{
	memset(a, 0, sizeof *a);
	if (args->site != NULL && !sitecode_valid(args->site)) {
		app_err("--site %s: a site code is 3 letters or digits (e.g. 009)\n",
		    args->site);
		return 2;
	}
	int rc = args->demo ? app_open_demo(a, args) : app_open_config(a, args);
	if (rc != 0) {
		app_close(a);
		return rc;
	}
	a->layouts = layout_cache_new();
	a->lock_dir = app_lock_dir();
	a->read_only = args->read_only || a->cfg.read_only;
	transport_set_read_only(a->t, a->read_only);
	if (args->refresh > 0)
		a->cfg.refresh_seconds = args->refresh;
	return 0;
}

void
app_close(struct app *a)
{
	transport_close(a->t);
	if (a->layouts != NULL)
		layout_cache_free(a->layouts);
	/* After the transports, which hold the engines; the prompter after
	 * both, whose threads ask through it. */
	app_smb_close(a);
	app_ssh_close(a);
	app_prompt_free(a);
	free(a->provider);
	free(a->primary);
	free(a->sim_dir);
	free(a->label);
	free(a->lock_dir);
	config_free(&a->cfg);
	memset(a, 0, sizeof *a);
}
