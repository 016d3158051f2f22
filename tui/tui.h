/*
 * The full-screen front end's entry point.  main() builds the status source
 * (a transport plus the site to query) from the command line and config,
 * and hands it over; the TUI owns the terminal from tui_run() until it
 * returns, and restores it on every way out.
 */
#ifndef DPD_TUI_H
#define DPD_TUI_H

#include "tui/options.h"

/* Runs until the user quits.  Returns the process exit code: 0 after q,
 * 2 when there is no usable terminal (the reason is on stderr) or it went
 * away, 128 + N after signal N (SIGTERM, SIGHUP, SIGINT).  With
 * DPDOCTOR_TUI_STATS=FILE it leaves its key-to-screen latency there. */
int tui_run(const struct tui_options *o);

#endif
