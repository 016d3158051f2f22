/*
 * Whether terminfo knows $TERM, asked without setting up a screen.  Apart
 * from tui.c because <term.h> defines a macro for every terminfo
 * capability (cursor_visible, lines, ...), names the rest of the UI uses.
 */
#ifndef DPD_TUI_TERMINFO_H
#define DPD_TUI_TERMINFO_H

#include <stdbool.h>

/* True when $TERM has a terminfo entry (looked up for standard output). */
bool terminfo_known(void);

#endif
