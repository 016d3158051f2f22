/*
 * How every subcommand meets its command line, the way git, ssh and
 * kubectl do.  A bad option or a wrong argument count gets one line
 * saying what was wrong, prefixed "dpdoctor CMD:", then the command's
 * usage line and where the rest is ("try 'dpdoctor CMD --help'") -- never
 * the whole help, which buries the one line that matters.  getopt's own
 * messages are silenced: they are prefixed with argv[0], which for a
 * subcommand is only "status".  Also here: the width text output fits
 * (cli_width) and cutting a name to it with "…" (cli_put_cut).
 */
#include "autoconf.h"
#include "tui/cli/cli.h"
#include "backend/core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* "dpdoctor status" or plain "dpdoctor" (cmd NULL: no subcommand). */
static void
cli_prefix(const char *cmd)
{
	fprintf(stderr, "dpdoctor%s%s: ", cmd ? " " : "", cmd ? cmd : "");
}

void
cli_usage_hint(const char *cmd, const char *usage)
{
	size_t n = strcspn(usage, "\n");
	fprintf(stderr, "%.*s\ntry 'dpdoctor%s%s --help'\n", (int)n, usage, cmd ? " " : "",
	    cmd ? cmd : "");
}

int
cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
{
	va_list ap;
	cli_prefix(cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_usage_hint(cmd, usage);
	return 2;
}

/* The option as the user typed it: "--name" (without any =value), or
 * "-x" for a short one (which may sit inside a cluster such as -ax). */
static char *
cli_bad_option_text(int argc, char **argv)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	if (strncmp(arg, "--", 2) == 0)
		return xasprintf("%.*s", (int)strcspn(arg, "="), arg);
	if (optopt > 0 && optopt < 0x100)
		return xasprintf("-%c", optopt);
	return xstrdup(arg);
}

/* Is "--name=value" given to a long option that takes no value? */
static bool
cli_takes_no_value(const char *text, const struct option *longopts, int argc, char **argv)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	if (strncmp(arg, "--", 2) != 0 || strchr(arg, '=') == NULL)
		return false;
	for (const struct option *o = longopts; o->name != NULL; o++)
		if (strcmp(o->name, text + 2) == 0)
			return o->has_arg == no_argument;
	return false;
}

int
cli_getopt(const char *cmd, const char *usage, int argc, char **argv, const char *shortopts,
    const struct option *longopts)
{
	opterr = 0;
	/* A leading ':' tells a missing value (':') from an unknown option. */
	char *spec = xasprintf(":%s", shortopts);
	int ch = getopt_long(argc, argv, spec, longopts, NULL);
	free(spec);
	if (ch != '?' && ch != ':')
		return ch;
	char *text = cli_bad_option_text(argc, argv);
	if (ch == ':')
		cli_usage_error(cmd, usage, "option '%s' needs a value", text);
	else if (cli_takes_no_value(text, longopts, argc, argv))
		cli_usage_error(cmd, usage, "option '%s' takes no value", text);
	else
		cli_usage_error(cmd, usage, "unknown option '%s'", text);
	free(text);
	return '?';
}

/*
 * The width text output fits, decided as ps and ls do: $COLUMNS when set
 * (the user's word wins, and a script can ask for a width), else the
 * terminal's when stdout is one, else no limit (0): a pipe or a file gets
 * whole names, since a name cut to "…" can no longer be grepped for.
 */
int
cli_width(void)
{
	const char *env = getenv("COLUMNS");
	if (env != NULL && *env != '\0') {
		char *end;
		long v = strtol(env, &end, 10);
		if (*end == '\0' && v > 0 && v < 100000)
			return (int)v;
	}
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

/* Columns s takes: one per UTF-8 character (names are short and mostly
 * ASCII; wide characters are not told apart). */
int
cli_text_width(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

void
cli_put_cut(const char *s, int width, bool pad)
{
	int w = cli_text_width(s), used = 0;
	if (w <= width) {
		fputs(s, stdout);
		used = w;
	} else if (width > 0) {
		/* width - 1 characters, never a partial one, then "…". */
		const char *p = s;
		for (int k = 0; *p && k < width - 1; k++)
			do
				p++;
			while (((unsigned char)*p & 0xC0) == 0x80);
		printf("%.*s\xe2\x80\xa6", (int)(p - s), s); /* … */
		used = width;
	}
	if (pad)
		printf("%*s", width - used, "");
}

void
cli_put_line(const char *line, int width)
{
	if (width > 0)
		cli_put_cut(line, width, false);
	else
		fputs(line, stdout);
	putchar('\n');
}

/* Words of one paragraph line, each on the current line when it fits. */
static void
cli_wrap_words(const char *l, size_t len, int indent, int width, int col)
{
	size_t i = 0;
	bool first = true;
	while (i < len) {
		size_t sp = i;
		while (sp < len && l[sp] == ' ')
			sp++;
		size_t end = sp;
		while (end < len && l[end] != ' ')
			end++;
		char *word = xasprintf("%.*s", (int)(end - sp), l + sp);
		int ww = cli_text_width(word);
		/* A word longer than the line gets a line of its own, whole. */
		if (!first && col + 1 + ww > width) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			putchar(' ');
			col++;
		}
		fputs(word, stdout);
		col += ww;
		free(word);
		first = false;
		i = end;
	}
}

void
cli_put_wrapped(const char *text, int indent, int col, int width)
{
	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\n");
		if (width > indent + 10)
			cli_wrap_words(l, n, indent, width, col);
		else
			printf("%.*s", (int)n, l);
		putchar('\n');
		l += n + (l[n] == '\n');
		if (*l)
			printf("%*s", indent, "");
		col = indent;
	}
}
