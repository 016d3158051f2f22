/*
 * The prefix of the command line's messages (app_err.h): one name for the
 * process, set by main, so an error from deep in a site's set-up still
 * says which subcommand met it.
 */
#include "autoconf.h"
#include "tui/cli/app_err.h"

#include <stdarg.h>
#include <stdio.h>

static const char *app_command;

void
app_set_command(const char *cmd)
{
	app_command = cmd;
}

void
app_err(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "dpdoctor%s%s: ", app_command ? " " : "", app_command ? app_command : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}
