/*
 * Host-key decisions (see sshkey.h).  The engine only says a key is
 * waiting (sshloop_pending_host_key, a short lock) and writes it when told
 * (sshloop_accept_host_key); the write touches known_hosts on disk, so it
 * runs as a job, not on the UI thread.  A declined key, or a changed-key
 * warning once seen, is not shown again by the automatic refresh every
 * half minute; pressing r asks again.
 */
#include "config.h"
#include "tui/sshkey.h"
#include "tui/dialog.h"
#include "tui/gather.h"
#include "tui/glyph.h"
#include "tui/keymap.h"
#include "tui/refresh.h"
#include "tui/ui.h"
#include "backend/util.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How long writing the key to known_hosts may take. */
#define SSHKEY_ACCEPT_MS 10000
/* What the engine's message says when the key has changed (sshhost.c);
 * the transport hands the UI text only. */

struct sshkey {
	bool check;           /* a failure waits to be looked at */
	char *error;          /* its message */
	char *declined;       /* "SERVER FINGERPRINT" the user said no to */
	char *refused;        /* the changed-key message already shown */
	char *server;         /* the key asked about, and being accepted */
	char *key;            /* "SERVER FINGERPRINT" of that question */
	struct job *accept;   /* writing it to known_hosts */
};

static int
sshkey_width(void)
{
	return (COLS - 4 < 76 ? COLS - 4 : 76) - 4;
}

void
sshkey_failed(struct ui *u, const char *error)
{
	if (u->opt->ssh == NULL)
		return;
	if (u->sshkey == NULL)
		u->sshkey = xcalloc(1, sizeof *u->sshkey);
	struct sshkey *k = u->sshkey;
	free(k->error);
	k->error = xstrdup(error ? error : "");
	k->check = true;
	sshkey_tick(u);
}

/* ---- a changed key: the warning, and OK ----------------------------------- */

static const struct dialog_choice sshkey_ok[] = {
	{ '\n', 0, "[OK]" },
	{ '\r', 0, NULL },
	{ KEYMAP_FN(KEY_ENTER), 0, NULL },
	{ KEYMAP_ESC, 0, NULL },
	{ 'o', 0, NULL },
	{ 'q', 0, NULL },
};

static void
sshkey_ok_closed(struct ui *u, int answer, void *arg)
{
	(void)answer;
	(void)arg;
	u->dirty |= UI_DIRTY_ALL;
}

static void
sshkey_show_changed(struct ui *u, struct sshkey *k)
{
	const char *msg = k->error;
	if (k->refused != NULL && strcmp(k->refused, msg) == 0)
		return;
	free(k->refused);
	k->refused = xstrdup(msg);
	struct text *t = dialog_open(u, "Host key changed: connection refused", sshkey_ok,
	    sizeof sshkey_ok / sizeof sshkey_ok[0], sshkey_ok_closed, NULL);
	text_newline(t);
	text_wrap(t, UI_ROLE_ERROR, msg, sshkey_width(), 0);
	text_newline(t);
}

/* ---- an unknown key: accept it? ----------------------------------------- */

static void
sshkey_accept_run(struct job *j, void *arg)
{
	const struct ui *u = arg;
	char *err = NULL;
	/* Set before the job was submitted, and neither changes nor is freed
	 * while it exists (sshkey_tick waits for it; sshkey_free runs after
	 * jobs_free). */
	if (sshloop_accept_host_key(u->opt->ssh, u->sshkey->server, &err) != 0) {
		job_fail(j, "%s", err ? err : "the host key could not be recorded");
		free(err);
		return;
	}
	job_set_result(j, xstrdup("ok"));
}

static void
sshkey_accept_done(struct job *j, enum job_status st, void *result, const char *error,
    void *arg)
{
	struct ui *u = arg;
	struct sshkey *k = u->sshkey;
	(void)j;
	free(result);
	k->accept = NULL;
	if (st != JOB_DONE) {
		ui_message(u, UI_ROLE_ERROR, "%s", error ? error : "recording the host key failed");
		return;
	}
	ui_message(u, UI_ROLE_INFO, "host key of %s added to %s; refreshing", k->server,
	    u->opt->ssh_known_hosts ? u->opt->ssh_known_hosts : "known_hosts");
	if (u->refresh_job == NULL)
		refresh_start(u);
	else
		u->want_refresh = true;
	if (u->view == UI_VIEW_DETAIL)
		gather_restart(u);
}

static void
sshkey_answered(struct ui *u, int answer, void *arg)
{
	struct sshkey *k = arg;
	u->dirty |= UI_DIRTY_ALL;
	if (answer != 1) {
		/* The error stays on the status line; do not ask every refresh. */
		free(k->declined);
		k->declined = xstrdup(k->key);
		return;
	}
	k->accept = jobs_submit(u->jobs, "accept host key", SSHKEY_ACCEPT_MS,
	    sshkey_accept_run, sshkey_accept_done, free, u);
	if (k->accept == NULL)
		ui_message(u, UI_ROLE_ERROR, "cannot start background work");
}

static const struct dialog_choice sshkey_yn[] = {
	{ 'y', 1, "[y]es, accept" },
	{ 'Y', 1, NULL },
	{ 'n', 0, "[N]o" },
	{ 'N', 0, NULL },
	{ '\n', 0, NULL },
	{ '\r', 0, NULL },
	{ KEYMAP_FN(KEY_ENTER), 0, NULL },
	{ KEYMAP_ESC, 0, NULL },
};

static void
sshkey_show_unknown(struct ui *u, struct sshkey *k, const char *fp, const char *type)
{
	const struct tui_options *o = u->opt;
	const struct transport *t = o->status_transport;
	/* The address is known for the WMI host, the one the engine reaches. */
	bool ours = t != NULL && t->host != NULL && o->ssh_address != NULL &&
	    strcasecmp(t->host, k->server) == 0;
	char *where = ours ? xasprintf(" (%s)", o->ssh_address) : xstrdup("");
	char *q = xasprintf("Unknown host key for %s%s: %s %s %s Accept and remember it in "
	    "%s? [y/N]", k->server, where, type, fp, glyph()->utf8 ? "\u2014" : "--",
	    o->ssh_known_hosts ? o->ssh_known_hosts : "known_hosts");
	struct text *txt = dialog_open(u, "Unknown host key", sshkey_yn,
	    sizeof sshkey_yn / sizeof sshkey_yn[0], sshkey_answered, k);
	text_newline(txt);
	text_wrap(txt, UI_ROLE_NORMAL, q, sshkey_width(), 0);
	text_newline(txt);
	text_newline(txt);
	text_wrap(txt, UI_ROLE_DIM, "Compare the fingerprint with the server's own "
	    "(ssh-keygen -lf on its host key) before accepting.", sshkey_width(), 0);
	free(q);
	free(where);
}

/* A key waiting for a decision that was not declined already: ask. */
static void
sshkey_check_pending(struct ui *u, struct sshkey *k)
{
	char *server = NULL, *fp = NULL, *type = NULL;
	if (sshloop_pending_host_key(u->opt->ssh, &server, &fp, &type) != 0)
		return;
	char *key = xasprintf("%s %s", server, fp);
	if (k->declined == NULL || strcmp(k->declined, key) != 0) {
		free(k->server);
		free(k->key);
		k->server = server;
		k->key = key;
		sshkey_show_unknown(u, k, fp, type);
		server = key = NULL;
	}
	free(server);
	free(key);
	free(fp);
	free(type);
}

void
sshkey_tick(struct ui *u)
{
	struct sshkey *k = u->sshkey;
	if (k == NULL || !k->check || k->accept != NULL || dialog_active(u) ||
	    u->prompt.active)
		return;
	k->check = false;
	char *server = NULL, *msg = NULL;
	if (u->opt->ssh != NULL &&
	    sshloop_changed_host_key(u->opt->ssh, &server, &msg) == 0) {
		free(k->error);
		k->error = msg;
		sshkey_show_changed(u, k);
		free(server);
	} else {
		sshkey_check_pending(u, k);
	}
}

void
sshkey_forget(struct ui *u)
{
	struct sshkey *k = u->sshkey;
	if (k == NULL)
		return;
	free(k->declined);
	free(k->refused);
	k->declined = k->refused = NULL;
}

void
sshkey_free(struct ui *u)
{
	struct sshkey *k = u->sshkey;
	if (k == NULL)
		return;
	free(k->error);
	free(k->declined);
	free(k->refused);
	free(k->server);
	free(k->key);
	free(k);
	u->sshkey = NULL;
}
