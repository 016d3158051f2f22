/*
 * tui_run(): the terminal's lifetime and the event loop, the top of the
 * UI.  One thread owns the screen.  It waits in ppoll() on the keyboard,
 * the jobs' wake-up fd and the SSH engine's (its questions and warnings,
 * sshui.c), with a timeout computed from the refresh timer, job deadlines,
 * the view on screen and the header's one-second tick, then reads every
 * pending key (the dispatcher, view.c, routes it), delivers finished jobs,
 * ticks the services (the engine's questions, host keys, the refresh, the
 * detail pane's evidence, the journal's start-up check) and the views, and
 * draws once.  Signals only set a flag or, for SIGWINCH
 * and SIGTSTP, run ncurses' own handlers; they are blocked everywhere
 * except inside ppoll(), so worker threads never take them and the loop
 * always wakes up for them.
 */
#include "autoconf.h"
#include "tui/tui.h"
#include "tui/gather.h"
#include "tui/glyph.h"
#include "tui/history.h"
#include "tui/keymap.h"
#include "tui/refresh.h"
#include "tui/sshkey.h"
#include "tui/sshui.h"
#include "tui/stats.h"
#include "tui/terminfo.h"
#include "tui/theme.h"
#include "tui/ui.h"
#include "tui/view.h"
#include "backend/core/util.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Consecutive "readable but no key" wake-ups that mean stdin is gone. */
#define TUI_IDLE_READS_MAX 10

static volatile sig_atomic_t tui_signal;

static void
tui_on_signal(int sig)
{
	tui_signal = sig;
}

/* The signals that end the UI cleanly.  SIGQUIT (Ctrl-\) is one of them
 * rather than a key taken in raw mode: raw mode would also swallow Ctrl-Z
 * and flow control, and a `kill -QUIT` from another terminal must restore
 * the screen as well; the price is no core dump for it, as for the others. */
static const int tui_quit_signals[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };

struct tui_signals {
	sigset_t orig;   /* the mask to restore, and to wait with */
	struct sigaction old[sizeof tui_quit_signals / sizeof tui_quit_signals[0]];
};

static int
tui_signals_setup(struct tui_signals *s)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tui_on_signal;
	sigemptyset(&sa.sa_mask);
	sigset_t block;
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof tui_quit_signals / sizeof tui_quit_signals[0]; i++) {
		if (sigaction(tui_quit_signals[i], &sa, &s->old[i]) != 0)
			return -1;
		sigaddset(&block, tui_quit_signals[i]);
	}
	sigaddset(&block, SIGWINCH);
	sigaddset(&block, SIGTSTP);
	return pthread_sigmask(SIG_BLOCK, &block, &s->orig) == 0 ? 0 : -1;
}

static void
tui_signals_restore(struct tui_signals *s)
{
	for (size_t i = 0; i < sizeof tui_quit_signals / sizeof tui_quit_signals[0]; i++)
		(void)sigaction(tui_quit_signals[i], &s->old[i], NULL);
	(void)pthread_sigmask(SIG_SETMASK, &s->orig, NULL);
}

/* Open the terminal; NULL with *why when it cannot be used. */
static SCREEN *
tui_term_open(const struct tui_options *o, char **why)
{
	const char *term = getenv("TERM");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*why = xstrdup("the grid needs a terminal on standard input and output "
		    "(for scripts, use: dpdoctor status)");
		return NULL;
	}
	if (term == NULL || *term == '\0') {
		*why = xstrdup("TERM is not set; set it to your terminal type (e.g. xterm-256color)");
		return NULL;
	}
	/* Looked up before newterm(), which keeps memory when it fails. */
	SCREEN *scr = terminfo_known() ? newterm(NULL, stdout, stdin) : NULL;
	if (scr == NULL) {
		*why = xasprintf("terminal type \"%s\" is not in the terminfo database "
		    "(try TERM=xterm or install ncurses-term)", term);
		return NULL;
	}
	/* A terminal that cannot move the cursor (TERM=dumb, a printer)
	 * cannot show a grid; say so instead of scrolling garbage. */
	char *cup = tigetstr("cup");
	if (cup == NULL || cup == (char *)-1) {
		endwin();
		delscreen(scr);
		*why = xasprintf("terminal type \"%s\" cannot move the cursor, which the grid "
		    "needs (for scripts, use: dpdoctor status)", term);
		return NULL;
	}
	if (cbreak() == ERR || noecho() == ERR || keypad(stdscr, TRUE) == ERR ||
	    nodelay(stdscr, TRUE) == ERR) {
		endwin();
		delscreen(scr);
		*why = xasprintf("cannot set up terminal \"%s\" for full-screen use", term);
		return NULL;
	}
	/* Esc closes panes: do not make it wait the default second. */
	(void)set_escdelay(25);
	keymap_define_terminal_keys();
	theme_init(o->theme);
	glyph_init(o->glyphs);
	return scr;
}

static int
tui_min_timeout(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* How long poll may sleep: until the next refresh, job deadline, spinner
 * frame, header second or message expiry, whichever is first. */
static int
tui_timeout(const struct ui *u, int64_t now)
{
	int t = refresh_timeout(u, now);
	t = tui_min_timeout(t, jobs_next_timeout(u->jobs));
	t = tui_min_timeout(t, gather_timeout(u, now));
	t = tui_min_timeout(t, view_timeout(u, now));
	if (u->refresh_job != NULL)
		t = tui_min_timeout(t, UI_SPIN_MS - (int)((now - u->refresh_started) % UI_SPIN_MS));
	else if (u->last_ok != 0)
		t = tui_min_timeout(t, 1000 - (int)((now - u->last_ok) % 1000));
	if (u->msg != NULL && u->msg_until > now)
		t = tui_min_timeout(t, (int)(u->msg_until - now));
	return t;
}

/* Read every pending key.  `readable` says poll saw input: when that
 * keeps giving no key, stdin is at EOF or broken and we leave. */
static int
tui_read_keys(struct ui *u, bool readable)
{
	int got = 0;
	while (!u->quit) {
		wint_t wc;
		int r = wget_wch(stdscr, &wc);
		if (r == ERR)
			break;
		got++;
		if (r == KEY_CODE_YES && wc == KEY_RESIZE) {
			u->dirty |= UI_DIRTY_ALL;
			continue;
		}
		view_key(u, r == KEY_CODE_YES ? KEYMAP_FN((int)wc) : (int)wc);
	}
	if (got > 0 || !readable) {
		u->idle_reads = 0;
	} else if (++u->idle_reads >= TUI_IDLE_READS_MAX) {
		u->quit = true;
		u->exit_code = 2;
	}
	return got;
}

static int
tui_loop(struct ui *u, const sigset_t *waitmask)
{
	/* Without ssh the third fd is -1, which poll ignores. */
	struct pollfd fds[3] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = jobs_fd(u->jobs), .events = POLLIN },
		{ .fd = sshui_fd(u), .events = POLLIN },
	};
	while (!u->quit) {
		int64_t now = clock_mono_ms();
		view_draw(u, now);
		stats_frame(&u->stats);
		int t = tui_timeout(u, now);
		struct timespec ts = { t / 1000, (long)(t % 1000) * 1000000L };
		int n = ppoll(fds, 3, t < 0 ? NULL : &ts, waitmask);
		if (n < 0 && errno != EINTR) {
			u->exit_code = 2;
			break;
		}
		if (tui_signal != 0) {
			u->exit_code = 128 + (int)tui_signal;
			break;
		}
		int64_t woke = stats_now_us();
		bool readable = n > 0 && (fds[0].revents & POLLIN);
		if (tui_read_keys(u, readable) > 0)
			stats_keys(&u->stats, woke);
		if (n > 0 && (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))) {
			u->exit_code = 2; /* the terminal went away */
			break;
		}
		(void)jobs_dispatch(u->jobs); /* the count is not needed */
		/* A secret the engine waits for first, then host keys. */
		sshui_tick(u);
		sshkey_tick(u);
		now = clock_mono_ms();
		refresh_tick(u, now);
		if (gather_tick(u))
			u->dirty |= UI_DIRTY_BODY; /* new evidence */
		history_check(u);
		view_tick(u, now);
		if (n == 0)
			u->dirty |= UI_DIRTY_HEADER | UI_DIRTY_FOOTER; /* a tick */
	}
	return u->exit_code;
}

/* DPDOCTOR_TUI_STATS=FILE: leave the latency summary there for tests. */
static void
tui_write_stats(struct ui *u)
{
	const char *path = getenv("DPDOCTOR_TUI_STATS");
	char *err = NULL;
	if (path != NULL && *path != '\0' && stats_write(&u->stats, path, &err) != 0) {
		fprintf(stderr, "dpdoctor: DPDOCTOR_TUI_STATS: %s\n", err);
		free(err);
	}
}

static void
tui_free(struct ui *u)
{
	sshui_stop(u);      /* a job may wait for the engine, which waits for us */
	jobs_free(u->jobs); /* cancels a running refresh and waits for it */
	view_free(u);       /* what the views' jobs were working on */
	gather_free(u);
	history_free(u);
	sshkey_free(u);
	ui_listeners_free(u);
	board_free(&u->board);
	free(u->refresh_error);
	free(u->msg);
	stats_free(&u->stats);
}

int
tui_run(const struct tui_options *o)
{
	struct ui u;
	memset(&u, 0, sizeof u);
	u.opt = o;
	u.cursor_visible = -1;
	board_init(&u.board);
	if (setlocale(LC_ALL, "") == NULL)
		fprintf(stderr, "dpdoctor: the locale settings are not valid here; using ASCII\n");
	struct tui_signals sigs;
	if (tui_signals_setup(&sigs) != 0) {
		fprintf(stderr, "dpdoctor: cannot set up signal handling: %s\n", strerror(errno));
		return 2;
	}
	/* Worker threads inherit the blocked mask set up just above. */
	/* Two workers: evidence gathering must not hold up the live refresh. */
	u.jobs = jobs_new(2);
	char *why = NULL;
	SCREEN *scr = u.jobs ? tui_term_open(o, &why) : NULL;
	if (scr == NULL) {
		fprintf(stderr, "dpdoctor: %s\n", why ? why : "cannot start background work");
		free(why);
		tui_free(&u);
		tui_signals_restore(&sigs);
		return 2;
	}
	u.dirty = UI_DIRTY_ALL;
	view_init(&u);
	/* Before the first refresh: it may be what makes the engine ask. */
	sshui_start(&u);
	refresh_init(&u);
	refresh_start(&u);
	int rc = tui_loop(&u, &sigs.orig);
	/* Terminals without an alternate screen (vt100) would keep the last
	 * frame under the shell prompt: leave them blank instead. */
	werase(stdscr);
	(void)wnoutrefresh(stdscr);
	(void)doupdate();
	endwin();
	delscreen(scr);
	tui_write_stats(&u);
	tui_free(&u);
	tui_signals_restore(&sigs);
	return rc;
}
