/*
 * The prompter both engines ask through (see app_prompt.h).  Its functions
 * are read under the lock and called without it: the person may take
 * minutes to answer, and another engine thread may ask meanwhile (askpass
 * and the UI's mailbox show one question at a time themselves).
 */
#include "autoconf.h"
#include "backend/core/util.h"
#include "tui/cli/app_err.h"
#include "tui/cli/app_prompt.h"
#include "tui/cli/askpass.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct app_prompt {
	pthread_mutex_t lock;      /* ask/warn may be swapped while the engines run */
	ssh_ask_fn ask;
	void *ask_ctx;
	sshkh_warn_fn warn;
	void *warn_ctx;
	bool cli_hint;             /* explain --accept-new-host-key in errors */
};

static void
prompt_warn_stderr(void *ctx, const char *msg)
{
	(void)ctx;
	/* Warnings quote servers and known_hosts files: shown, never obeyed. */
	char *shown = text_visible(msg);
	app_err("warning: %s\n", shown);
	free(shown);
}

int
app_prompt_ask(void *ctx, const char *server, const char *prompt, bool echo, char **answer)
{
	struct app_prompt *p = ctx;
	if (pthread_mutex_lock(&p->lock) != 0)
		return -1;
	ssh_ask_fn fn = p->ask;
	void *fn_ctx = p->ask_ctx;
	(void)pthread_mutex_unlock(&p->lock);
	return fn(fn_ctx, server, prompt, echo, answer);
}

void
app_prompt_warn(void *ctx, const char *msg)
{
	struct app_prompt *p = ctx;
	if (pthread_mutex_lock(&p->lock) != 0) {
		prompt_warn_stderr(NULL, msg);
		return;
	}
	sshkh_warn_fn fn = p->warn;
	void *fn_ctx = p->warn_ctx;
	(void)pthread_mutex_unlock(&p->lock);
	fn(fn_ctx, msg);
}

bool
app_prompt_cli_hint(struct app_prompt *p)
{
	if (pthread_mutex_lock(&p->lock) != 0)
		return false;
	bool hint = p->cli_hint;
	(void)pthread_mutex_unlock(&p->lock);
	return hint;
}

void
app_set_prompter(struct app *a, ssh_ask_fn ask, void *ask_ctx, sshkh_warn_fn warn,
    void *warn_ctx)
{
	struct app_prompt *p = a->prompt;
	if (p == NULL || pthread_mutex_lock(&p->lock) != 0)
		return;
	p->ask = ask ? ask : askpass_ask;
	p->ask_ctx = ask ? ask_ctx : NULL;
	p->warn = warn ? warn : prompt_warn_stderr;
	p->warn_ctx = warn ? warn_ctx : NULL;
	/* A UI that asks does not need to be told to restart with an option. */
	p->cli_hint = ask == NULL;
	(void)pthread_mutex_unlock(&p->lock);
}

struct app_prompt *
app_prompt_get(struct app *a)
{
	if (a->prompt != NULL)
		return a->prompt;
	struct app_prompt *p = xcalloc(1, sizeof *p);
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p);
		app_err("cannot create a lock for the password prompts\n");
		return NULL;
	}
	p->ask = askpass_ask;
	p->warn = prompt_warn_stderr;
	p->cli_hint = true;
	a->prompt = p;
	return p;
}

void
app_prompt_free(struct app *a)
{
	if (a->prompt == NULL)
		return;
	(void)pthread_mutex_destroy(&a->prompt->lock);
	free(a->prompt);
	a->prompt = NULL;
}
