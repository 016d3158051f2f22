/*
 * Subcommands that print and exit instead of opening the full screen.
 * They share the TUI's backend and source set-up, and follow one exit code
 * rule: 0 healthy, 1 problems found, 2 error.
 */
#ifndef DPD_CLI_H
#define DPD_CLI_H

int cli_status(int argc, char **argv);
int cli_log(int argc, char **argv);
int cli_diagnose(int argc, char **argv);

#endif
