/*
 * The first paint (splash.h).  Opening a site can take a second or more
 * (a huge simulated site, an SSH handshake); the frame shows at once, by
 * terminfo strings written straight to the terminal, so nothing of curses
 * (screen, windows, threads) exists before the site is open.  Whatever the
 * set-up writes to stderr while the frame is up goes to a temporary file
 * and is replayed after leaving the alternate screen, where it stays
 * readable: an error that ends the run is not lost with the frame.
 */
#include "autoconf.h"
#include "tui/splash.h"

#include <curses.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

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

void
splash_show(struct splash *sp, const char *site)
{
	memset(sp, 0, sizeof *sp);
	sp->saved_err = -1;
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
	bool utf8 = setlocale(LC_CTYPE, "") != NULL && MB_CUR_MAX > 1;
	char line[96];
	splash_put(smcup);
	splash_put(splash_cap("clear"));
	splash_put(splash_cap("civis"));
	splash_at(cup, 0, 0, "dpdoctor");
	snprintf(line, sizeof line, "%s reading site%s%s%s", utf8 ? "\u280b" : "|",
	    site ? " " : "", site ? site : "", utf8 ? "\u2026" : "...");
	splash_at(cup, 2, 2, line);
	fflush(stdout);
	sp->shown = true;
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
}
