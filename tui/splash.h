/*
 * The first frame, painted before any site work (configuration, transport,
 * simulated site generation or load): the title and "reading site…" with a
 * spinner, on the alternate screen the UI then takes over.  What the site's
 * set-up says on stderr meanwhile is held and replayed on the normal screen.
 */
#ifndef DPD_TUI_SPLASH_H
#define DPD_TUI_SPLASH_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct splash {
	bool shown;          /* the frame is on the alternate screen */
	int saved_err;       /* stderr while it is held, or -1 */
	FILE *held;          /* what was written to stderr meanwhile */
	pid_t spinner;         /* the child turning the spinner, or -1 */
};

/* Paint the frame when stdin and stdout are a terminal terminfo knows
 * (else nothing).  site: the code when the command line names it, or NULL. */
void splash_show(struct splash *sp, const char *site);
/* The site is open (ok) or not: give stderr back and replay what it held,
 * on the normal screen; leave the alternate screen unless ok and silent. */
void splash_done(struct splash *sp, bool ok);

#endif
