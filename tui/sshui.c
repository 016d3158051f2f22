/*
 * The mailbox between the SSH engine's threads and the UI (see sshui.h).
 * It holds at most one question; a second caller waits for it to empty
 * (passwords and passphrases come from the engine's asker thread, one at
 * a time; a keyboard-interactive prompt from the engine thread itself).
 *
 * The engine:  ask() puts the question in, writes a byte to the wake pipe
 *              and waits on the condition variable until it is answered
 *              or the UI has gone (-1); warn() queues a line, never waits.
 * The UI:      its poll loop wakes on the pipe; sshui_tick() drains it,
 *              moves warnings to the status line and opens the dialog; the
 *              dialog's callback puts the answer in and signals.
 *
 * The mailbox is static, not owned by struct ui: the prompter hands the
 * engine our function pointers under its own lock and calls them without
 * it, so a call may arrive after tui_run() has returned.  It then finds
 * the mailbox closed instead of freed memory.  One full-screen UI runs per
 * process, so one mailbox is enough.
 *
 * Secrets: the typed text lives in the dialog's prompt buffer, is copied
 * once into the malloc'd answer the engine wipes and frees, and the buffer
 * is wiped as soon as the dialog closes.  Nothing here logs or prints it.
 */
#include "autoconf.h"
#include "tui/sshui.h"
#include "tui/dialog.h"
#include "tui/keymap.h"
#include "tui/ui.h"
#include "backend/core/util.h"

#include <curses.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Warnings kept until the UI takes them; more are counted, not kept. */
#define SSHUI_WARN_MAX 8

enum mb_state {
	MB_IDLE,
	MB_ASKED,      /* the engine waits */
	MB_ANSWERED,   /* rc and answer are for it to take */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	int wake[2];            /* -1 when no UI listens */
	bool open;              /* a UI answers questions */
	bool stopped;           /* the UI has gone: warnings go to stderr */
	enum mb_state state;
	char *server;
	char *prompt;
	bool echo;
	int rc;
	char *answer;           /* malloc'd secret, handed to the engine */
	char *warn[SSHUI_WARN_MAX];
	int nwarn;
	int dropped;
} mb = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER,
	.wake = { -1, -1 },
};

/* The UI thread's side. */
struct sshui {
	bool showing;           /* our dialog is open */
	struct dialog *dialog;  /* which one it is, to notice it was replaced */
	struct prompt input;    /* the secret being typed; wiped on close */
	char *server;
	char title[96];
};

/* Caller holds mb.lock.  Never blocks: a full pipe already wakes the UI. */
static void
mailbox_wake(void)
{
	if (mb.wake[1] >= 0) {
		ssize_t n = write(mb.wake[1], "!", 1);
		(void)n;
	}
}

/* ---- the engine's threads ------------------------------------------------ */

static int
sshui_ask(void *ctx, const char *server, const char *prompt, bool echo, char **answer)
{
	(void)ctx;
	pthread_mutex_lock(&mb.lock);
	while (mb.open && mb.state != MB_IDLE)
		pthread_cond_wait(&mb.cv, &mb.lock);
	if (!mb.open) {
		pthread_mutex_unlock(&mb.lock);
		return -1;
	}
	mb.server = xstrdup(server);
	mb.prompt = xstrdup(prompt);
	mb.echo = echo;
	mb.state = MB_ASKED;
	mailbox_wake();
	while (mb.open && mb.state == MB_ASKED)
		pthread_cond_wait(&mb.cv, &mb.lock);
	int rc = -1;
	if (mb.state == MB_ANSWERED) {
		rc = mb.rc;
		*answer = mb.answer; /* the engine wipes and frees it */
	}
	mb.answer = NULL;
	free(mb.server);
	free(mb.prompt);
	mb.server = mb.prompt = NULL;
	mb.state = MB_IDLE;
	pthread_cond_broadcast(&mb.cv);
	pthread_mutex_unlock(&mb.lock);
	return rc;
}

static void
sshui_warn(void *ctx, const char *msg)
{
	(void)ctx;
	pthread_mutex_lock(&mb.lock);
	if (mb.open && mb.nwarn < SSHUI_WARN_MAX)
		mb.warn[mb.nwarn++] = xstrdup(msg);
	else if (mb.open)
		mb.dropped++;
	else if (mb.stopped) {
		/* curses is gone; the server's words are shown, never obeyed */
		char *shown = text_visible(msg);
		fprintf(stderr, "dpdoctor: warning: %s\n", shown);
		free(shown);
	}
	mailbox_wake();
	pthread_mutex_unlock(&mb.lock);
}

/* ---- the UI thread ------------------------------------------------------- */

void
sshui_start(struct ui *u)
{
	const struct tui_options *o = u->opt;
	int fds[2];
	if (o->set_prompter == NULL)    /* no engine asks (no ssh or smb server) */
		return;
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
		/* Refusing beats the terminal prompt under curses. */
		ui_message(u, UI_ROLE_ERROR, "cannot set up ssh questions; passwords "
		    "and passphrases will not be asked");
		fds[0] = fds[1] = -1;
	}
	u->sshui = xcalloc(1, sizeof *u->sshui);
	pthread_mutex_lock(&mb.lock);
	mb.wake[0] = fds[0];
	mb.wake[1] = fds[1];
	mb.open = fds[0] >= 0;
	mb.stopped = false;
	pthread_mutex_unlock(&mb.lock);
	o->set_prompter(o->prompter_ctx, sshui_ask, NULL, sshui_warn, NULL);
}

int
sshui_fd(const struct ui *u)
{
	/* Only the UI thread changes it. */
	return u->sshui != NULL ? mb.wake[0] : -1;
}

/* Move queued warnings to the status line: the newest, and how many more. */
static void
sshui_take_warnings(struct ui *u)
{
	char *last = NULL;
	int more = 0;
	pthread_mutex_lock(&mb.lock);
	for (int i = 0; i < mb.nwarn; i++) {
		free(last);
		last = mb.warn[i];
	}
	more = mb.nwarn > 0 ? mb.nwarn - 1 + mb.dropped : 0;
	mb.nwarn = 0;
	mb.dropped = 0;
	pthread_mutex_unlock(&mb.lock);
	if (last == NULL)
		return;
	if (more > 0)
		ui_message(u, UI_ROLE_WARNING, "%s (and %d more ssh warnings)", last, more);
	else
		ui_message(u, UI_ROLE_WARNING, "%s", last);
	free(last);
}

/* The dialog closed: Enter sends the text, Esc cancels. */
static void
sshui_answered(struct ui *u, enum key_action a, void *arg)
{
	struct sshui *s = arg;
	bool answer = a == KEY_ACTION_PROMPT_ACCEPT;
	s->showing = false;
	s->dialog = NULL;
	pthread_mutex_lock(&mb.lock);
	if (mb.state == MB_ASKED) {
		mb.rc = answer ? 0 : -1;
		mb.answer = answer ? xstrdup(s->input.buf) : NULL;
		mb.state = MB_ANSWERED;
		pthread_cond_broadcast(&mb.cv);
	}
	pthread_mutex_unlock(&mb.lock);
	prompt_wipe(&s->input);
	/* A refresh that gave up while the person typed has nothing left to
	 * pick up the new session: start one once none runs. */
	if (answer && u->refresh_job == NULL)
		u->want_refresh = true;
	if (answer)
		ui_message(u, UI_ROLE_INFO, "answer sent to %s", s->server);
	else
		ui_message(u, UI_ROLE_INFO, "%s: question cancelled", s->server);
}

/* The input takes every key (the prompt's); these only label them. */
static const struct dialog_choice sshui_choices[] = {
	{ KEY_ACTION_PROMPT_ACCEPT, "Enter answers", DIALOG_ENTER },
	{ KEY_ACTION_PROMPT_CANCEL, "Esc cancels", DIALOG_ESC },
};

/* Open the dialog for the waiting question, if there is one. */
static void
sshui_show(struct ui *u)
{
	struct sshui *s = u->sshui;
	pthread_mutex_lock(&mb.lock);
	bool asked = mb.state == MB_ASKED;
	char *prompt = asked ? xstrdup(mb.prompt) : NULL;
	bool echo = mb.echo;
	if (asked) {
		free(s->server);
		s->server = xstrdup(mb.server);
	}
	pthread_mutex_unlock(&mb.lock);
	if (!asked)
		return;
	/* The SMB engine asks here too: the prompt says for what. */
	snprintf(s->title, sizeof s->title, "%s asks", s->server);
	struct text *t = dialog_open(u, s->title, sshui_choices,
	    sizeof sshui_choices / sizeof sshui_choices[0], sshui_answered, s);
	int width = dialog_text_width();
	text_newline(t);
	text_wrap(t, UI_ROLE_TITLE, prompt, width, 0);
	text_newline(t);
	text_wrap(t, UI_ROLE_DIM, echo ? "The answer shows as you type it." :
	    "Typed characters show as *. Nothing is written anywhere.", width, 0);
	free(prompt);
	prompt_open_secret(&s->input, "> ", !echo);
	dialog_set_input(u, &s->input);
	s->dialog = u->dialog;
	s->showing = true;
}

void
sshui_tick(struct ui *u)
{
	struct sshui *s = u->sshui;
	char drain[64];
	if (s == NULL)
		return;
	while (mb.wake[0] >= 0 && read(mb.wake[0], drain, sizeof drain) > 0)
		continue;
	sshui_take_warnings(u);
	if (s->showing && u->dialog != s->dialog) {
		/* Another dialog took its place unanswered: ask again later. */
		s->showing = false;
		prompt_wipe(&s->input);
	}
	if (!s->showing && !u->prompt.active && !dialog_active(u))
		sshui_show(u);
}

void
sshui_stop(struct ui *u)
{
	struct sshui *s = u->sshui;
	if (s == NULL)
		return;
	pthread_mutex_lock(&mb.lock);
	mb.open = false;
	mb.stopped = true;
	for (int i = 0; i < 2; i++) {
		if (mb.wake[i] >= 0)
			(void)close(mb.wake[i]);
		mb.wake[i] = -1;
	}
	for (int i = 0; i < mb.nwarn; i++)
		free(mb.warn[i]);
	mb.nwarn = 0;
	pthread_cond_broadcast(&mb.cv); /* release an engine waiting for us */
	pthread_mutex_unlock(&mb.lock);
	prompt_wipe(&s->input);
	free(s->server);
	free(s);
	u->sshui = NULL;
}
