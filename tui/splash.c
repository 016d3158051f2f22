/*
 * The first paint (splash.h).  Opening a site can take a second or more
 * (a huge simulated site, an SSH handshake); the frame shows at once, by
 * terminfo strings written straight to the terminal, so nothing of curses
 * (screen, windows, threads) exists before the site is open.  Whatever the
 * set-up writes to stderr while the frame is up goes to a temporary file
 * and is replayed after leaving the alternate screen, where it stays
 * readable: an error that ends the run is not lost with the frame.  The
 * spinner turns in a child forked before the set-up starts (no thread
 * exists yet, and none may: the SSH library is set up single-threaded);
 * it writes only its one glyph, at its place, and is gone before the UI
 * writes anything.
 */
#include "autoconf.h"
#include "tui/splash.h"
#include "tui/glyph.h"
#include "tui/ui.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/* A terminfo string, or NULL when the terminal has none. */
static const char *
splash_cap(const char *name)
{
	char *s = tigetstr(name);
	return s == NULL || s == (char *)-1 ? NULL : s;
}

static void
splash_put(const char *s)
{
	if (s != NULL)
		(void)putp(s);
}

static void
splash_at(const char *cup, int y, int x, const char *text)
{
	splash_put(tparm(cup, y, x, 0, 0, 0, 0, 0, 0, 0));
	fputs(text, stdout);
}

/* Hold stderr in a temporary file until splash_done(). */
static void
splash_hold(struct splash *sp)
{
	sp->held = tmpfile();
	if (sp->held == NULL)
		return;
	fflush(stderr);
	sp->saved_err = dup(STDERR_FILENO);
	if (sp->saved_err < 0 || dup2(fileno(sp->held), STDERR_FILENO) < 0) {
		if (sp->saved_err >= 0)
			close(sp->saved_err);
		sp->saved_err = -1;
		fclose(sp->held);
		sp->held = NULL;
	}
}

/* The child: each frame's glyph at the spinner's place, UI_SPIN_MS apart,
 * until killed (or orphaned).  write(2) only, and _exit. */
static void
splash_spin(const char *at, const struct glyphs *g, pid_t parent)
{
#ifdef __linux__
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	char buf[64];
	struct timespec tick = { 0, UI_SPIN_MS * 1000000L };
	for (int frame = 1; getppid() == parent; frame = (frame + 1) % g->nspinner) {
		(void)nanosleep(&tick, NULL);
		int n = snprintf(buf, sizeof buf, "%s%s", at, g->spinner[frame]);
		if (n > 0 && (size_t)n < sizeof buf && write(STDOUT_FILENO, buf, (size_t)n) < 0 &&
		    errno != EINTR)
			break;
	}
	_exit(0);
}

void
splash_show(struct splash *sp, const char *site)
{
	memset(sp, 0, sizeof *sp);
	sp->saved_err = -1;
	sp->spinner = -1;
	int found = 0;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) ||
	    setupterm(NULL, STDOUT_FILENO, &found) != OK)
		return;
	const char *cup = splash_cap("cup"), *smcup = splash_cap("smcup");
	if (cup == NULL || smcup == NULL) {
		(void)del_curterm(cur_term);
		return;
	}
	/* The UI sets the locale again; here it only picks the glyphs. */
	(void)setlocale(LC_CTYPE, "");
	glyph_init(CONFIG_GLYPHS_AUTO);
	const struct glyphs *g = glyph();
	char line[96], at[32];
	splash_put(smcup);
	splash_put(splash_cap("clear"));
	splash_put(splash_cap("civis"));
	splash_at(cup, 0, 0, "dpdoctor");
	snprintf(line, sizeof line, "%s reading site%s%s%s", g->spinner[0],
	    site ? " " : "", site ? site : "", g->ellipsis);
	splash_at(cup, 2, 2, line);
	fflush(stdout);
	sp->shown = true;
	const char *pos = tparm(cup, 2, 2, 0, 0, 0, 0, 0, 0, 0);
	if (pos != NULL && strlen(pos) < sizeof at) {
		strcpy(at, pos);
		pid_t parent = getpid(), pid = fork();
		if (pid == 0)
			splash_spin(at, g, parent);
		sp->spinner = pid;
	}
	splash_hold(sp);
}

/* Copy what stderr held to the real one. */
static void
splash_replay(struct splash *sp)
{
	char buf[4096];
	size_t n;
	rewind(sp->held);
	while ((n = fread(buf, 1, sizeof buf, sp->held)) > 0)
		if (fwrite(buf, 1, n, stderr) != n)
			break;
	fflush(stderr);
}

void
splash_done(struct splash *sp, bool ok)
{
	if (!sp->shown)
		return;
	if (sp->spinner > 0) {
		(void)kill(sp->spinner, SIGKILL);
		while (waitpid(sp->spinner, NULL, 0) < 0 && errno == EINTR)
			;
	}
	bool said = false;
	if (sp->held != NULL) {
		fflush(stderr);
		if (dup2(sp->saved_err, STDERR_FILENO) < 0)
			sp->saved_err = -1;
		else
			close(sp->saved_err);
		said = ftell(sp->held) > 0;
	}
	if (!ok || said) {
		splash_put(splash_cap("cnorm"));
		splash_put(splash_cap("rmcup"));
		fflush(stdout);
	}
	if (said)
		splash_replay(sp);
	if (sp->held != NULL)
		fclose(sp->held);
	(void)del_curterm(cur_term);
	memset(sp, 0, sizeof *sp);
	sp->saved_err = -1;
	sp->spinner = -1;
}
