/*
 * Who speaks in the command line's messages: "dpdoctor status: ..." for the
 * subcommand that runs, "dpdoctor: ..." without one.  Its own module, below
 * app.c and the engines' set-up files that all print through it, so that
 * none of them needs the others to say where a message comes from.
 */
#ifndef DPD_APP_ERR_H
#define DPD_APP_ERR_H

/* Set once by main before anything is opened: the subcommand's name, or
 * NULL.  A process-wide name, as error(3)'s program_invocation_name is: the
 * site's set-up is shared by every command and need not carry it around. */
void app_set_command(const char *cmd);
/* "dpdoctor CMD: " then the message (ending in its own newline), on stderr. */
void app_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
