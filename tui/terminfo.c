/*
 * The terminfo look-up before the screen is set up (terminfo.h):
 * setupterm() gives back all it allocated when the type is unknown, where
 * newterm() keeps its screen's (an ASan run of the suite reports that),
 * and the entry it loads is freed again so newterm() loads its own.
 */
#include "autoconf.h"
#include "tui/terminfo.h"

#include <curses.h>
#include <term.h>
#include <unistd.h>

bool
terminfo_known(void)
{
	int found = 0;
	if (setupterm(NULL, STDOUT_FILENO, &found) != OK)
		return false;
	(void)del_curterm(cur_term);
	return true;
}
