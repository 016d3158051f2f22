/*
 * What the full-screen front end is given to run on: the status source (a
 * transport and the site to query), the look, and the hooks main() sets up
 * for logs, repairs, the journal and the SSH engine.  Its own header so the
 * UI's shared state (ui.h) can hold it without including the event loop's
 * entry point (tui.h).
 */
#ifndef DPD_TUI_OPTIONS_H
#define DPD_TUI_OPTIONS_H

#include <stdbool.h>

#include "backend/repair/repair.h"
#include "backend/sms/layout.h"
#include "backend/transport/ssh/sshloop.h"
#include "backend/transport/transport.h"
#include "config/config.h"

struct tui_options {
	struct transport *status_transport; /* used from job threads only */
	const char *site;                   /* site code to query */
	const char *primary;                /* the site server's name (evidence, logs) */
	const char *provider;               /* may be NULL */
	const char *source_label;           /* header text: "demo ~/.local/state/..." */
	const char *generation;             /* "sms2003" */
	int refresh_seconds;
	int full_refresh_every;             /* config.h */
	enum config_theme theme;
	enum config_glyphs glyphs;
	bool mouse;
	bool read_only;
	/* A local path to SERVER's distmgr.log (malloc'd), or NULL when this
	 * transport cannot reach it; the log view says so.  Called on the UI
	 * thread; log_path itself may be NULL. */
	char *(*log_path)(void *ctx, const char *server);
	void *log_ctx;
	/* Or, over a real transport: bring a local copy of SERVER's
	 * distmgr.log up to date and name it in *local (malloc'd); -1 with
	 * *err naming the server.  Called on job threads only, never on the
	 * UI thread (it waits on the network): before the first read, then
	 * every refresh_seconds while the log view is open, one at a time. */
	int (*log_fetch)(void *ctx, const char *server, const struct deadline *dl,
	    char **local, char **err);
	void *log_fetch_ctx;
	/* Repairs: the site's environment (the wizard adds its callbacks and
	 * cancel flag to a copy); NULL when this source cannot repair. */
	const struct repair_env *repair;
	/* What the evidence jobs need to reach the site (transport, codes,
	 * the layout cache, the configuration's sms_path/pck_path); NULL: a
	 * bare one from status_transport and primary.  The refresh key
	 * forgets its layout cache. */
	const struct site_env *site_env;
	const char *journal;                /* the repair journal; NULL: none */
	/* The SSH engine when the site is reached over ssh, else NULL.  Once
	 * the screen is up the UI answers its questions, and the SMB engine's
	 * passwords: set_prompter(ctx, ...), NULL when neither engine runs,
	 * swaps in the UI's asker and warning sink (app_set_prompter);
	 * the engine says where each host key waiting for a decision comes
	 * from and would be written (sshloop_pending_host_keys). */
	struct sshloop *ssh;
	void (*set_prompter)(void *ctx, ssh_ask_fn ask, void *ask_ctx, sshkh_warn_fn warn,
	    void *warn_ctx);
	void *prompter_ctx;
};

#endif
