/*
 * Subcommands that print and exit instead of opening the full screen.
 * They share the TUI's backend and source set-up, and follow one exit code
 * rule: 0 healthy, 1 problems found, 2 error.
 */
#ifndef DPD_CLI_H
#define DPD_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "backend/sms/diagnose.h"
#include "backend/sms/evidence.h"
#include "backend/sms/status.h"
#include "tui/cli/app.h"

int cli_status(int argc, char **argv);
int cli_log(int argc, char **argv);
int cli_diagnose(int argc, char **argv);
int cli_repair(int argc, char **argv);
int cli_history(int argc, char **argv);
/* diagnose without a DP: the package on every DP it is sent to, in
 * parallel (the site's max_parallel); exit 0 all installed, 1 a problem,
 * 2 when a DP could not be read at all. */
int cli_sweep(struct app *app, const char *pkgid, bool json);

/* history --verify and repair --verify: read the cell of each interrupted
 * step (only: NULL for all), close it in the journal (by: "by history
 * --verify"), print what was seen.  0, or 2 when a step stayed open or the
 * journal could not be read. */
struct journal_filter;
int cli_verify(struct app *app, const struct journal_filter *only, const char *by);

/* One package/DP pair, gathered and diagnosed (diagnose and repair share it). */
struct cli_cell {
	struct snapshot *snap;
	struct cell_diagnosis cd;
};
/* PKGID and DP well-formed: -1 to go on, else 2 with a message naming the command (app_err).
 * PKGID is upper-cased in place first (IDs are taken in any case). */
int cli_cell_args(char *pkgid, const char *dp);
/* The package is one of the site's and dp (unless NULL) one of its DPs,
 * in snap (the package's status): 0, or 2 with "dpdoctor CMD: P: no such
 * package on site S" or "DP is not a DP of P: its DPs are ...". */
int cli_cell_check(struct app *app, const struct snapshot *snap,
    const char *pkgid, const char *dp);
/* The same, fetching the package's status first (repair --plan). */
int cli_cell_exists(struct app *app, const char *pkgid, const char *dp);
/* The package's status, then diagnose_cell() for the pair: 0, or 2 with a
 * message. */
int cli_cell_diagnose(struct app *app, const char *pkgid,
    const char *dp, struct cli_cell *out);
void cli_cell_free(struct cli_cell *c);

/* Command-line manners every subcommand shares (cli_args.c).  cmd is the
 * subcommand ("status"), or NULL for dpdoctor itself; usage is its usage
 * text, whose first line is shown. */
/* getopt_long without getopt's own messages: a bad option prints
 * "dpdoctor CMD: unknown option '--x'" (or needs/takes no value), the
 * usage line and "try 'dpdoctor CMD --help'", and returns '?'. */
int cli_getopt(const char *cmd, const char *usage, int argc, char **argv,
    const char *shortopts, const struct option *longopts);
/* "dpdoctor CMD: <message>", the usage line and the --help hint; 2. */
int cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Just the usage line and the --help hint, on stderr. */
void cli_usage_hint(const char *cmd, const char *usage);
/* The width text output fits: $COLUMNS, else the terminal's, else 0 (no
 * limit: a pipe or file gets whole names). */
int cli_width(void);
/* Columns a UTF-8 string takes (one per character). */
int cli_text_width(const char *s);
/* s on stdout, cut to width columns with "…" when longer; pad: fill up
 * to width with spaces. */
void cli_put_cut(const char *s, int width, bool pad);
/* One line of text output and its newline, cut with "…" to width (0:
 * whole): a line per record stays a line on the terminal. */
void cli_put_line(const char *line, int width);
/* text on stdout from column col, its lines wrapped at spaces to width
 * (0: not wrapped), continuation lines indented by indent; never a break
 * inside a word: one longer than the line stands whole on its own. */
void cli_put_wrapped(const char *text, int indent, int col, int width);

#endif
