/*
 * Host-key decisions (see sshkey.h).  The engine only lists the keys
 * waiting (sshloop_pending_host_keys, a short lock) and writes them when
 * told (sshloop_accept_host_keys); the write touches known_hosts on disk,
 * so it runs as a job, not on the UI thread.  Several keys may wait at
 * once (a first sweep meets many servers): each is offered in turn, "1 of
 * N", and A shows them all on one list to accept them together; the keys
 * said yes to are written in one job after the last answer.  A declined
 * key, or a changed-key warning once seen, is not shown again by the
 * automatic refresh every half minute; pressing r asks again.  Once keys
 * are written, whoever listens for UI_EVENT_HOSTKEYS_ACCEPTED (the refresh,
 * the detail pane, the wizard) tries again; this module knows none of them.
 */
#include "autoconf.h"
#include "tui/sshkey.h"
#include "tui/dialog.h"
#include "tui/glyph.h"
#include "tui/ui.h"
#include "backend/core/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How long writing the key to known_hosts may take. */
#define SSHKEY_ACCEPT_MS 10000

struct sshkey {
	bool check;           /* a failure waits to be looked at */
	char **declined;      /* "SERVER PORT FINGERPRINT" the user said no to */
	size_t ndeclined;
	char *refused;        /* the changed-key message already shown */
	struct sshloop_hostkey *v;  /* the keys being offered */
	size_t n;
	size_t at;            /* the one shown */
	bool *yes;            /* said yes to, per key */
	struct sshloop_hostkey *acc;  /* being written by the job */
	size_t nacc;
	struct job *accept;   /* writing them to known_hosts */
};

void
sshkey_failed(struct ui *u)
{
	if (u->opt->ssh == NULL)
		return;
	if (u->sshkey == NULL)
		u->sshkey = xcalloc(1, sizeof *u->sshkey);
	u->sshkey->check = true;
	sshkey_tick(u);
}

/* ---- a changed key: the warning, and OK ----------------------------------- */

static const struct dialog_choice sshkey_ok[] = {
	{ KEY_ACTION_OK, "[OK]", DIALOG_ENTER | DIALOG_ESC },
};

static void
sshkey_ok_closed(struct ui *u, enum key_action answer, void *arg)
{
	(void)answer;
	(void)arg;
	u->dirty |= UI_DIRTY_ALL;
}

static void
sshkey_show_changed(struct ui *u, struct sshkey *k, const char *msg)
{
	if (k->refused != NULL && strcmp(k->refused, msg) == 0)
		return;
	free(k->refused);
	k->refused = xstrdup(msg);
	struct text *t = dialog_open(u, "Host key changed: connection refused", sshkey_ok,
	    sizeof sshkey_ok / sizeof sshkey_ok[0], sshkey_ok_closed, NULL);
	text_newline(t);
	text_wrap(t, UI_ROLE_ERROR, msg, dialog_text_width(), 0);
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
	const struct sshkey *k = u->sshkey;
	if (sshloop_accept_host_keys(u->opt->ssh, k->acc, k->nacc, &err) != 0) {
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
	if (st != JOB_DONE)
		ui_message(u, UI_ROLE_ERROR, "%s", error ? error : "recording the host key failed");
	else if (k->nacc == 1)
		ui_message(u, UI_ROLE_INFO, "host key of %s added to %s; refreshing",
		    k->acc[0].server, k->acc[0].known_hosts);
	else
		ui_message(u, UI_ROLE_INFO, "%zu host keys added to %s; refreshing", k->nacc,
		    k->acc[0].known_hosts);
	sshloop_hostkeys_free(k->acc, k->nacc);
	k->acc = NULL;
	k->nacc = 0;
	if (st == JOB_DONE)
		ui_notify(u, UI_EVENT_HOSTKEYS_ACCEPTED);
}

static char *
sshkey_id(const struct sshloop_hostkey *h)
{
	return xasprintf("%s %d %s", h->server, h->port, h->fingerprint);
}

static bool
sshkey_was_declined(const struct sshkey *k, const struct sshloop_hostkey *h)
{
	char *id = sshkey_id(h);
	bool found = false;
	for (size_t i = 0; i < k->ndeclined && !found; i++)
		found = strcmp(k->declined[i], id) == 0;
	free(id);
	return found;
}

static void
sshkey_decline(struct sshkey *k, const struct sshloop_hostkey *h)
{
	if (sshkey_was_declined(k, h))
		return;
	k->declined = xreallocarray(k->declined, k->ndeclined + 1, sizeof *k->declined);
	k->declined[k->ndeclined++] = sshkey_id(h);
}

static void
sshkey_offer_free(struct sshkey *k)
{
	sshloop_hostkeys_free(k->v, k->n);
	free(k->yes);
	k->v = NULL;
	k->yes = NULL;
	k->n = k->at = 0;
}

/* Every key has its answer: write the ones said yes to, in one job. */
static void
sshkey_finish(struct ui *u, struct sshkey *k)
{
	size_t nyes = 0;
	for (size_t i = 0; i < k->n; i++)
		nyes += k->yes[i];
	if (nyes == 0 || k->accept != NULL) {
		sshkey_offer_free(k);
		return;
	}
	/* Keep the accepted ones (moved, not copied), free the rest. */
	struct sshloop_hostkey *acc = xcalloc(nyes, sizeof *acc);
	size_t m = 0;
	for (size_t i = 0; i < k->n; i++)
		if (k->yes[i]) {
			acc[m++] = k->v[i];
			k->v[i] = (struct sshloop_hostkey){0};   /* moved */
		}
	sshkey_offer_free(k);
	k->acc = acc;
	k->nacc = nyes;
	k->accept = jobs_submit(u->jobs, "accept host key", SSHKEY_ACCEPT_MS,
	    sshkey_accept_run, sshkey_accept_done, free, u);
	if (k->accept == NULL) {
		ui_message(u, UI_ROLE_ERROR, "cannot start background work");
		sshloop_hostkeys_free(k->acc, k->nacc);
		k->acc = NULL;
		k->nacc = 0;
	}
}

static void sshkey_show_unknown(struct ui *u, struct sshkey *k);
static void sshkey_show_all(struct ui *u, struct sshkey *k);

/* Answers of the one-key question; A is the list of them all. */
static void
sshkey_answered(struct ui *u, enum key_action answer, void *arg)
{
	struct sshkey *k = arg;
	u->dirty |= UI_DIRTY_ALL;
	if (k->v == NULL)
		return;
	if (answer == KEY_ACTION_ALL) {
		sshkey_show_all(u, k);
		return;
	}
	if (answer == KEY_ACTION_YES)
		k->yes[k->at] = true;
	else  /* the error stays on the status line; do not ask every refresh */
		sshkey_decline(k, &k->v[k->at]);
	if (++k->at < k->n)
		sshkey_show_unknown(u, k);
	else
		sshkey_finish(u, k);
}

static const struct dialog_choice sshkey_yn[] = {
	{ KEY_ACTION_YES, "[y]es, accept", 0 },
	{ KEY_ACTION_NO, "[N]o", DIALOG_ENTER | DIALOG_ESC },
};

/* The same, with A for the list of all of them. */
static const struct dialog_choice sshkey_yna[] = {
	{ KEY_ACTION_YES, "[y]es, accept", 0 },
	{ KEY_ACTION_NO, "[N]o", DIALOG_ENTER | DIALOG_ESC },
	{ KEY_ACTION_ALL, "[A]ll...", 0 },
};

static void
sshkey_show_unknown(struct ui *u, struct sshkey *k)
{
	const struct sshloop_hostkey *h = &k->v[k->at];
	char *title = k->n > 1 ? xasprintf("Unknown host key (%zu of %zu)", k->at + 1, k->n) :
	    xstrdup("Unknown host key");
	char *q = xasprintf("Unknown host key for %s (%s port %d): %s %s %s Accept and "
	    "remember it in %s? [y/N]", h->server, h->address, h->port, h->type,
	    h->fingerprint, glyph()->utf8 ? "\u2014" : "--", h->known_hosts);
	struct text *txt = k->n > 1 ?
	    dialog_open(u, title, sshkey_yna, sizeof sshkey_yna / sizeof sshkey_yna[0],
	    sshkey_answered, k) :
	    dialog_open(u, title, sshkey_yn, sizeof sshkey_yn / sizeof sshkey_yn[0],
	    sshkey_answered, k);
	text_newline(txt);
	text_wrap(txt, UI_ROLE_NORMAL, q, dialog_text_width(), 0);
	text_newline(txt);
	text_newline(txt);
	text_wrap(txt, UI_ROLE_DIM, "Compare the fingerprint with the server's own "
	    "(ssh-keygen -lf on its host key) before accepting.", dialog_text_width(), 0);
	if (k->n > 1) {
		char *all = xasprintf("A: list all %zu keys waiting, to accept them together.",
		    k->n);
		text_wrap(txt, UI_ROLE_DIM, all, dialog_text_width(), 0);
		free(all);
	}
	free(q);
	free(title);
}

static void
sshkey_all_answered(struct ui *u, enum key_action answer, void *arg)
{
	struct sshkey *k = arg;
	u->dirty |= UI_DIRTY_ALL;
	if (k->v == NULL)
		return;
	if (answer != KEY_ACTION_ALL) {   /* back to the key it was shown from */
		sshkey_show_unknown(u, k);
		return;
	}
	for (size_t i = 0; i < k->n; i++)
		k->yes[i] = true;
	sshkey_finish(u, k);
}

static const struct dialog_choice sshkey_all[] = {
	{ KEY_ACTION_ALL, "[A]ccept all", 0 },
	{ KEY_ACTION_NO, "[N]o, back", DIALOG_ENTER | DIALOG_ESC },
};

/* Every key on one list (PgUp/PgDn scroll a long one): what A accepts. */
static void
sshkey_show_all(struct ui *u, struct sshkey *k)
{
	char *title = xasprintf("Accept all %zu host keys?", k->n);
	struct text *txt = dialog_open(u, title, sshkey_all,
	    sizeof sshkey_all / sizeof sshkey_all[0], sshkey_all_answered, k);
	text_newline(txt);
	/* Two lines a key, each ended: a fingerprint must never run on into
	 * the next server's name. */
	for (size_t i = 0; i < k->n; i++) {
		const struct sshloop_hostkey *h = &k->v[i];
		char *who = xasprintf("%s (%s port %d)", h->server, h->address, h->port);
		char *key = xasprintf("  %s %s", h->type, h->fingerprint);
		text_wrap(txt, UI_ROLE_NORMAL, who, dialog_text_width(), 2);
		text_newline(txt);
		text_wrap(txt, UI_ROLE_DIM, key, dialog_text_width(), 4);
		text_newline(txt);
		free(who);
		free(key);
	}
	text_newline(txt);
	char *where = xasprintf("A writes all %zu to %s%s.", k->n, k->v[0].known_hosts,
	    k->n > 1 && strcmp(k->v[0].known_hosts, k->v[k->n - 1].known_hosts) != 0 ?
	    " and the other servers' files" : "");
	text_wrap(txt, UI_ROLE_DIM, where, dialog_text_width(), 0);
	free(where);
	free(title);
}

/* The keys waiting that were not declined already: offer them. */
static void
sshkey_check_pending(struct ui *u, struct sshkey *k)
{
	struct sshloop_hostkey *v = NULL;
	size_t n = 0;
	if (sshloop_pending_host_keys(u->opt->ssh, &v, &n) != 0)
		return;
	sshkey_offer_free(k);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (sshkey_was_declined(k, &v[i])) {
			sshloop_hostkey_clear(&v[i]);
			continue;
		}
		v[m++] = v[i];
	}
	if (m == 0) {
		free(v);
		return;
	}
	k->v = v;
	k->n = m;
	k->at = 0;
	k->yes = xcalloc(m, sizeof *k->yes);
	sshkey_show_unknown(u, k);
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
		sshkey_show_changed(u, k, msg);
		free(msg);
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
	for (size_t i = 0; i < k->ndeclined; i++)
		free(k->declined[i]);
	free(k->declined);
	free(k->refused);
	k->declined = NULL;
	k->ndeclined = 0;
	k->refused = NULL;
}

void
sshkey_free(struct ui *u)
{
	struct sshkey *k = u->sshkey;
	if (k == NULL)
		return;
	sshkey_forget(u);
	sshkey_offer_free(k);
	sshloop_hostkeys_free(k->acc, k->nacc);
	free(k);
	u->sshkey = NULL;
}
