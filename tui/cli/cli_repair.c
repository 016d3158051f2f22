/*
 * `dpdoctor repair PKGID DP`: the guided repair without the full screen.
 * It diagnoses the pair (unless --plan names the fix), prints the whole
 * plan before anything runs, then asks before every step -- answers come
 * from stdin, so a script or a test can pipe them and an empty line or
 * end of input means no -- and prints what each step did.  Each step's
 * "in short" line is a summary; --show-script prints the PowerShell it
 * really sends, and "sends" says which server runs it over what.  The backend
 * journals every step; a run starts by warning about steps an earlier run
 * began and never finished.  Exit 0 when the pair ends installed, 1 when
 * not, 2 on error or when a step was refused (read-only, or a destructive
 * step's target changed while --yes was answering), and when another run
 * holds the pair (the backend's per-pair lock, repair_lock.h): then nothing
 * is done and the holder is named.  SIGINT, SIGTERM, SIGHUP and SIGPIPE
 * stop the running step at its next check (journalled interrupted) and
 * exit 128+signal.  --verify closes the pair's interrupted steps instead.
 */
#include "autoconf.h"
#include "backend/core/util.h"
#include "tui/cli/cli.h"
#include "tui/cli/app.h"
#include "backend/repair/journal.h"
#include "backend/repair/repair.h"
#include "backend/repair/repair_lock.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DRY_RUN_NOTE "dry run: nothing will be changed"
/* The answers a step takes (a hand step takes only yes and no). */
#define REPAIR_CHOICES "[y]es/[N]o/[s]kip/[a]bort"

/* Set by SIGINT, SIGTERM, SIGHUP (the SSH session to the jump box
 * dropped) or SIGPIPE (`| head`): the running step stops at its next
 * check, the journal gets its end entry (interrupted), and no further step
 * runs.  repair_signal keeps the first of them for the exit status. */
static atomic_bool repair_interrupted;
static volatile sig_atomic_t repair_signal;
static const int repair_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
#define REPAIR_NSIGNALS (sizeof repair_signals / sizeof repair_signals[0])

struct repair_opts {
	struct app_args site;
	const char *plan;          /* --plan NAME; NULL = the diagnosed one */
	bool dry_run;
	bool yes;
	bool show_script;          /* --show-script: each step's PowerShell too */
	bool verify;               /* --verify: close the pair's interrupted steps */
	char *pkgid;               /* upper-cased in place (cli_cell_args) */
	const char *dp;
};

/* One run's state, shared by the step loop and the progress callback. */
struct repair_cli {
	struct app app;
	struct repair_env env;
	struct repair_run *run;
	char *journal;
	const struct repair_opts *o;
	char *line;                /* the last answer read (getline's buffer) */
	size_t cap;
	size_t progress_lines;     /* lines printed by env.progress this step */
	bool refused;              /* a changing step was refused (read-only) */
	bool stopped;              /* --yes met a changed target */
};

static const struct {
	const char *word;
	enum repair_answer ans;
} repair_answers[] = {
	{ "y", RA_YES }, { "yes", RA_YES },
	{ "n", RA_NO }, { "no", RA_NO }, { "", RA_NO },
	{ "s", RA_SKIP }, { "skip", RA_SKIP },
	{ "a", RA_ABORT }, { "abort", RA_ABORT },
};

static const char repair_usage_text[] =
	"usage: dpdoctor repair PKGID DP [--plan NAME] [--dry-run] [--yes] [--read-only]\n"
	"                       [--show-script] [--verify] [--demo[=DIR]] [-c FILE] [--site CODE]\n"
	"  Diagnose the pair (or take --plan), print the repair plan, then run it\n"
	"  step by step, asking before each step on stdin (empty line or end of\n"
	"  input = no).  --yes answers yes to every step; --dry-run walks every step\n"
	"  without asking, running the checks, showing what each would send and\n"
	"  changing nothing; --read-only refuses every step that changes a server.\n"
	"  Each step's \"in short\" line is a summary; --show-script prints under it\n"
	"  the PowerShell the step really sends.\n"
	"  --verify repairs nothing: it reads the pair's cell, closes the pair's\n"
	"  interrupted steps in the journal with the state it saw (as `history\n"
	"  --verify` does for every pair) and exits.\n"
	"  Exit 0 when the pair ends installed, 1 when not, 2 on error or refusal;\n"
	"  128+signal when SIGINT, SIGTERM, SIGHUP or SIGPIPE stopped it (the\n"
	"  running step is journalled interrupted).\n";

static void
repair_on_signal(int sig)
{
	if (repair_signal == 0)
		repair_signal = sig;
	atomic_store(&repair_interrupted, true);
}

/* Catch the quit signals while the steps run.  No SA_RESTART: a signal
 * also ends a prompt that waits on stdin (read returns EINTR). */
static void
repair_signals_catch(struct sigaction old[static REPAIR_NSIGNALS], bool *caught)
{
	struct sigaction sa = { .sa_handler = repair_on_signal };
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < REPAIR_NSIGNALS; i++)
		caught[i] = sigaction(repair_signals[i], &sa, &old[i]) == 0;
}

/* Put the old actions back, so a second Ctrl-C while the pair is re-read
 * kills as usual -- except SIGPIPE, ignored from now on: the summary may
 * be written to a stdout that is gone, and that must not kill us. */
static void
repair_signals_release(const struct sigaction old[static REPAIR_NSIGNALS],
    const bool *caught)
{
	for (size_t i = 0; i < REPAIR_NSIGNALS; i++) {
		if (repair_signals[i] == SIGPIPE) {
			struct sigaction ign = { .sa_handler = SIG_IGN };
			sigemptyset(&ign.sa_mask);
			(void)sigaction(SIGPIPE, &ign, NULL);
		} else if (caught[i]) {
			(void)sigaction(repair_signals[i], &old[i], NULL);
		}
	}
}

/* Where the end of the run can still be told: stdout, or stderr when
 * stdout is gone (a closed pipe, a hung-up terminal).  When both are gone
 * the writes fail quietly: SIGPIPE is ignored by then. */
static FILE *
repair_out(void)
{
	if (repair_signal == SIGPIPE || fflush(stdout) != 0 || ferror(stdout))
		return stderr;
	return stdout;
}

static void
repair_list_plans(FILE *f)
{
	int col = fprintf(f, "known plans:");
	for (int p = 0; p < PLAN_COUNT; p++) {
		const char *name = repair_plan_name((enum repair_plan)p);
		if (col + (int)strlen(name) + 2 > 78)
			col = fprintf(f, "\n ");
		col += fprintf(f, " %s%s", name, p + 1 < PLAN_COUNT ? "," : "\n");
	}
}

/* -1 to go on, else an exit code. */
static int
repair_parse_args(int argc, char **argv, struct repair_opts *o)
{
	static const struct option opts[] = {
		APP_SITE_OPTIONS,
		{ "plan", required_argument, NULL, 'p' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "yes", no_argument, NULL, 'y' },
		{ "show-script", no_argument, NULL, 'x' },
		{ "verify", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	optind = 1;
	while ((ch = cli_getopt("repair", repair_usage_text, argc, argv, "c:hy", opts)) != -1) {
		if (app_site_option(ch, optarg, &o->site))
			continue;
		switch (ch) {
		case 'p': o->plan = optarg; break;
		case 'n': o->dry_run = true; break;
		case 'y': o->yes = true; break;
		case 'x': o->show_script = true; break;
		case 'v': o->verify = true; break;
		case 'h': fputs(repair_usage_text, stdout); repair_list_plans(stdout); return 0;
		default: return 2;
		}
	}
	if (argc - optind < 2)
		return cli_usage_error("repair", repair_usage_text, "give PKGID and DP");
	if (argc - optind > 2)
		return cli_usage_error("repair", repair_usage_text, "unexpected argument \"%s\"",
		    argv[optind + 2]);
	o->pkgid = argv[optind];
	o->dp = argv[optind + 1];
	if (o->plan != NULL && repair_plan_from_name(o->plan) < 0) {
		fprintf(stderr, "dpdoctor repair: --plan %s: no such plan; ", o->plan);
		repair_list_plans(stderr);
		return 2;
	}
	return cli_cell_args(o->pkgid, o->dp);
}

static void
repair_warn_line(long line, const char *msg, void *ctx)
{
	(void)line;
	(void)ctx;
	/* The message quotes the journal: shown, never obeyed. */
	char *shown = text_visible(msg);
	app_err("warning: %s\n", shown);
	free(shown);
}

/* Steps an earlier run began and never ended: the cell may be half done,
 * so the administrator should look before repairing again.  A step whose
 * run still holds its pair's lock is running, not cut off: it is named as
 * such, and not counted among the interrupted. */
static int
repair_warn_unfinished(const char *journal, const char *lock_dir)
{
	struct journal_list l = {0};
	char *err = NULL;
	if (journal_unfinished(journal, &l, repair_warn_line, NULL, &err) != 0) {
		fprintf(stderr, "dpdoctor repair: %s\n", err);
		free(err);
		return 2;
	}
	bool *running = xcalloc(l.n ? l.n : 1, sizeof *running);
	size_t nrun = 0;
	for (size_t i = 0; i < l.n; i++)
		nrun += running[i] = repair_lock_runs(lock_dir, &l.v[i]);
	for (int pass = 0; pass < 2; pass++) {
		/* pass 0: the interrupted; pass 1: the running. */
		size_t n = pass ? nrun : l.n - nrun;
		if (n == 0)
			continue;
		if (pass == 0)
			fprintf(stderr, "dpdoctor repair: warning: %zu step%s in %s began and "
			    "never finished (interrupted?); their effect is unknown:\n",
			    n, n == 1 ? "" : "s", journal);
		else
			fprintf(stderr, "dpdoctor repair: note: %zu step%s in %s %s running now "
			    "(its run holds its pair's lock):\n", n, n == 1 ? "" : "s", journal,
			    n == 1 ? "is" : "are");
		for (size_t i = 0; i < l.n; i++) {
			const struct journal_entry *e = &l.v[i];
			if (running[i] != (pass == 1))
				continue;
			/* Journal fields, made visible as `history` shows them. */
			const char *raw[] = { e->time, e->plan, e->step_name,
			    e->package_id, e->dp_server };
			char *f[sizeof raw / sizeof raw[0]];
			for (size_t j = 0; j < sizeof raw / sizeof raw[0]; j++)
				f[j] = text_visible(raw[j]);
			fprintf(stderr, "  %s  plan %s  step %d %s  package %s on %s%s\n",
			    f[0], f[1], e->step_number, f[2], f[3], f[4], pass ? "  running" : "");
			for (size_t j = 0; j < sizeof raw / sizeof raw[0]; j++)
				free(f[j]);
		}
		if (pass == 0)
			fputs("  Check those pairs first; `dpdoctor history --unfinished` lists them.\n",
			    stderr);
	}
	free(running);
	journal_list_free(&l);
	return 0;
}

/* The plan the diagnosis suggests: the plan, -1 when the pair is installed
 * (nothing to do), or -2 on error (reported). */
static int
repair_pick_plan(struct repair_cli *c)
{
	if (c->o->plan != NULL)
		return cli_cell_exists(&c->app, c->o->pkgid, c->o->dp) != 0 ? -2 :
		    repair_plan_from_name(c->o->plan);
	struct cli_cell cell;
	if (cli_cell_diagnose(&c->app, c->o->pkgid, c->o->dp, &cell) != 0)
		return -2;
	const struct finding *f = &cell.cd.dx.findings[0];
	int plan = -2;
	if (f->id == FIND_HEALTHY) {
		printf("%s on %s: already installed, nothing to do.\n", c->o->pkgid, c->o->dp);
		plan = -1;
	} else if (f->plan == PLAN_NONE) {
		fprintf(stderr, "dpdoctor repair: the diagnosis (%s) suggests no known plan; "
		    "choose one with --plan\n", f->name);
		plan = -2;
	} else {
		printf("Diagnosis: %s  [%s]\n  ", f->title, f->name);
		cli_put_wrapped(f->explanation, 2, 2, cli_width());
		if (f->caveat) {
			printf("  Caveat: ");
			cli_put_wrapped(f->caveat, 4, 10, cli_width());
		}
		printf("  Suggested repair: %s\n\n", repair_plan_name(f->plan));
		plan = (int)f->plan;
	}
	cli_cell_free(&cell);
	return plan;
}

/* "label: text", continuation lines indented under the text. */
static void
repair_print_field(const char *label, const char *text)
{
	printf("    %-15s", label);
	cli_put_wrapped(text && *text ? text : "-", 19, 19, cli_width());
}

/* The PowerShell step i sends, each line as it is, or why there is none. */
static void
repair_print_script(const struct repair_run *r, size_t i)
{
	char *err = NULL;
	char *script = repair_step_script(r, i, &err);
	if (script == NULL) {
		char *none = xasprintf("none: %s", err ? err : "?");
		repair_print_field("script:", none);
		free(none);
		free(err);
		return;
	}
	repair_print_field("script:", "the PowerShell it sends, exactly:");
	for (const char *l = script; *l;) {
		size_t n = strcspn(l, "\n");
		printf("      %.*s\n", (int)n, l);
		l += n + (l[n] == '\n');
	}
	free(script);
}

static void
repair_print_step(const struct repair_cli *c, size_t i)
{
	const struct repair_step_view *s = repair_step(c->run, i);
	printf("  Step %d of %zu: %s  [%s]%s\n", s->number, repair_nsteps(c->run), s->title,
	    s->hand ? "by hand" : s->changes_site ? "changes the site" : "a check",
	    s->destructive ? "  [DESTRUCTIVE]" : "");
	repair_print_field("where:", s->where);
	repair_print_field("in short:", s->command);
	repair_print_field("sent as:", s->sends);
	if (c->o->show_script)
		repair_print_script(c->run, i);
	repair_print_field("changes:", s->changes);
	repair_print_field("checks first:", s->precondition);
	repair_print_field("scope:", s->scope);
	repair_print_field("verify:", s->verify);
	repair_print_field("on failure:", s->on_failure);
}

static void
repair_print_plan(const struct repair_cli *c)
{
	const struct repair_run *r = c->run;
	enum repair_plan p = repair_run_plan(r);
	printf("Plan %s: %s\n", repair_plan_name(p), repair_plan_title(p));
	repair_print_field("about:", repair_plan_about(p));
	const char *cav = repair_caveats(r);
	if (cav && *cav)
		repair_print_field("caveats:", cav);
	for (size_t i = 0; i < repair_ncells(r); i++) {
		const struct repair_cell_result *cr = repair_cell(r, i);
		printf("    %-15s%s on %s, now %s\n", i ? "" : "pairs:", cr->package_id, cr->dp,
		    cr->state_before >= 0 ? state_info((unsigned)cr->state_before)->name : "unknown");
	}
	printf("    %-15s%llu bytes in all\n", "sends:",
	    (unsigned long long)repair_total_bytes(r));
	printf("\n");
	for (size_t i = 0; i < repair_nsteps(r); i++)
		repair_print_step(c, i);
	printf("\n");
	fflush(stdout);
}

static const char *const repair_answer_names[] = {
	[RA_YES] = "yes", [RA_NO] = "no", [RA_SKIP] = "skip", [RA_ABORT] = "abort",
};

/* Read one answer from stdin; an empty line or end of input is no.  The
 * answer goes to stdout too, so the output is a record of the run. */
static enum repair_answer
repair_ask(struct repair_cli *c, const char *question, const char *choices)
{
	bool tty = isatty(STDIN_FILENO);
	enum repair_answer ans = RA_NO;
	const char *why = "(no valid answer)";
	for (int tries = 0; tries < 5; tries++) {
		fprintf(stderr, "%s %s: ", question, choices);
		fflush(stderr);
		errno = 0;
		/* A signal that came before the read would otherwise leave it
		 * waiting; one that comes during it ends it (EINTR), and a hung-up
		 * terminal ends it too (EIO or end of input). */
		ssize_t n = atomic_load(&repair_interrupted) ? -1 :
		    getline(&c->line, &c->cap, stdin);
		if (n < 0) {
			bool intr = errno == EINTR || atomic_load(&repair_interrupted);
			ans = intr ? RA_ABORT : RA_NO;
			why = intr ? "(interrupted)" : "(end of input)";
			break;
		}
		while (n > 0 && strchr(" \t\r\n", c->line[n - 1]))
			c->line[--n] = '\0';
		char *w = c->line + strspn(c->line, " \t");
		if (!tty)
			fprintf(stderr, "%s\n", w);
		size_t i = 0, na = sizeof repair_answers / sizeof repair_answers[0];
		while (i < na && strcasecmp(w, repair_answers[i].word) != 0)
			i++;
		if (i < na) {
			ans = repair_answers[i].ans;
			why = *w ? "" : "(empty line)";
			break;
		}
		fprintf(stderr, "please answer %s\n", choices);
	}
	if (!tty && strcmp(why, "(empty line)") != 0 && *why)
		fprintf(stderr, "%s\n", why);
	printf("  answer: %s%s%s\n", repair_answer_names[ans], *why ? " " : "", why);
	return ans;
}

static void
repair_progress(void *ctx, const char *line)
{
	struct repair_cli *c = ctx;
	c->progress_lines++;
	printf("    | %s\n", line);
	fflush(stdout);
}

/* What the step printed (PreloadPkgOnSite's lines), unless its progress
 * lines showed it already. */
static void
repair_print_output(struct repair_cli *c, const char *out)
{
	if (c->progress_lines == 0 && out != NULL && *out != '\0')
		repair_print_field("output:", out);
}

static void
repair_print_outcomes(struct repair_cli *c, size_t i)
{
	for (size_t k = 0; k < repair_ncells(c->run); k++) {
		const struct repair_cell_result *cr = repair_cell(c->run, k);
		const char *msg = cr->message && cr->message[i] ? cr->message[i] : "";
		const char *name = repair_outcome_name(cr->step[i]);
		size_t nl = strlen(name);
		/* Messages may start with the outcome's name already. */
		bool named = strncasecmp(msg, name, nl) == 0 && msg[nl] == ':';
		printf("  %s on %s: %s%s%s\n", cr->package_id, cr->dp, named ? "" : name,
		    *msg && !named ? ": " : "", msg);
		repair_print_output(c, cr->output);
		if (cr->step[i] == RO_REFUSED) {
			printf("  REFUSED: read-only mode (--read-only or [ui] read_only) "
			    "does not change servers\n");
			c->refused = true;
		}
	}
	fflush(stdout);
}

/* Has any cell an outcome for step i (it ran, or was answered)? */
static bool
repair_step_ran(const struct repair_run *r, size_t i)
{
	for (size_t k = 0; k < repair_ncells(r); k++)
		if (repair_cell(r, k)->step[i] != RO_PENDING)
			return true;
	return false;
}

/* A destructive step's target changed after the plan was shown: with --yes
 * nobody is there to look, so stop; otherwise show why and ask again. */
static enum repair_step_status
repair_changed(struct repair_cli *c, size_t i, char **why)
{
	const struct repair_step_view *s = repair_step(c->run, i);
	printf("  CHANGED: %s\n", *why ? *why : "(no reason given)");
	free(*why);
	*why = NULL;
	if (c->o->yes) {
		fprintf(stderr, "dpdoctor repair: step %d's target changed; --yes never acts "
		    "on a changed destructive target, so the run stops here\n", s->number);
		c->stopped = true;
		enum repair_step_status st = repair_exec_step(c->run, i, RA_ABORT, false, why);
		return st == RS_ERROR ? RS_ERROR : RS_STOPPED;
	}
	char *q = xasprintf("Run step %d anyway, on what is there now?", s->number);
	enum repair_answer ans = repair_ask(c, q, REPAIR_CHOICES);
	free(q);
	return repair_exec_step(c->run, i, ans, ans == RA_YES, why);
}

/* Ask, act, report.  0 to go on with the next step, 1 when the run is over
 * (no, abort, nothing left to do), 2 on error. */
static int
repair_run_step(struct repair_cli *c, size_t i)
{
	const struct repair_step_view *s = repair_step(c->run, i);
	printf("\n== Step %d: %s\n", s->number, s->title);
	if (c->o->dry_run)
		printf("  %s; the step would change: %s\n", DRY_RUN_NOTE, s->changes);
	enum repair_answer ans = RA_YES;
	if (c->o->dry_run) {
		/* Nothing changes, so nothing to ask: every step is walked, its
		 * checks run and what it would send shown, as make -n does. */
		printf("  walked: a dry run asks nothing\n");
	} else if (s->wait) {
		/* A wait changes nothing: it runs, counting down, as in the wizard. */
		printf("  a wait: it runs without asking (Ctrl-C stops it)\n");
	} else if (c->o->yes) {
		printf("  answer: yes (--yes)\n");
	} else if (s->hand) {
		/* The administrator does this one: the question is whether it is done. */
		printf("  Do it by hand now (see above); dpdoctor then verifies it.\n");
		ans = repair_ask(c, "Done?", "[y]es/[N]o");
	} else {
		char *q = xasprintf("Run step %d?", s->number);
		ans = repair_ask(c, q, REPAIR_CHOICES);
		free(q);
	}
	fflush(stdout);
	char *why = NULL;
	c->progress_lines = 0;
	enum repair_step_status st = repair_exec_step(c->run, i, ans, false, &why);
	if (st == RS_CHANGED)
		st = repair_changed(c, i, &why);
	if (st == RS_ERROR || st == RS_CHANGED) {
		/* RS_CHANGED again after confirming: the backend contradicts itself. */
		fprintf(stderr, "dpdoctor repair: step %d: %s\n", s->number,
		    why ? why : st == RS_CHANGED ? "the target changed again" :
		    "the journal could not be written; nothing was done");
		free(why);
		/* The step may have run before its end entry failed: its
		 * outcomes are true and shown like any step's. */
		if (repair_step_ran(c->run, i))
			repair_print_outcomes(c, i);
		return 2;
	}
	free(why);
	repair_print_outcomes(c, i);
	if (c->stopped)
		return 2;
	if (st == RS_STOPPED || atomic_load(&repair_interrupted))
		return 1;
	for (size_t k = 0; k < repair_ncells(c->run); k++)
		if (repair_cell(c->run, k)->active)
			return 0;
	return 1;
}

/* Prepare, show, run, finish.  The exit code. */
static int
repair_go(struct repair_cli *c, enum repair_plan plan)
{
	app_repair_env(&c->app, &c->env, c->journal);
	c->env.dry_run = c->o->dry_run;
	c->env.progress = repair_progress;
	c->env.ctx = c;
	c->env.cancel = &repair_interrupted;
	struct repair_cell cell = { .package_id = c->o->pkgid, .dp = c->o->dp };
	char *err = NULL;
	if (repair_prepare(&c->env, plan, &cell, 1, &c->run, &err) != 0) {
		fprintf(stderr, "dpdoctor repair: %s\n", err ? err : "cannot prepare the plan");
		free(err);
		return 2;
	}
	/* Caught from the plan on: a reader gone while it prints (`| head`)
	 * stops the run before any step rather than killing it. */
	struct sigaction old[REPAIR_NSIGNALS];
	bool caught[REPAIR_NSIGNALS];
	repair_signals_catch(old, caught);
	repair_print_plan(c);
	int rc = 0;
	for (size_t i = 0; i < repair_nsteps(c->run) && rc == 0; i++)
		rc = repair_run_step(c, i);
	repair_signals_release(old, caught);
	/* A signal stopped the steps; the pair's state is still worth reading
	 * (a second Ctrl-C now kills as usual). */
	if (atomic_exchange(&repair_interrupted, false))
		fprintf(repair_out(), "\nInterrupted: no further step runs (%s).\n",
		    strsignal(repair_signal));
	if (repair_finish(c->run, &err) != 0) {
		fprintf(stderr, "dpdoctor repair: %s\n", err ? err : "cannot re-read the pair");
		free(err);
		rc = 2;
	}
	char *sum = repair_summary(c->run);
	fprintf(repair_out(), "\nSummary%s:\n%s%s", c->o->dry_run ? " (" DRY_RUN_NOTE ")" : "",
	    sum ? sum : "", sum && *sum && sum[strlen(sum) - 1] != '\n' ? "\n" : "");
	free(sum);
	if (c->refused)
		fputs("dpdoctor repair: refused: read-only mode changes nothing on a server\n", stderr);
	if (rc != 2 && !c->refused)
		rc = repair_all_installed(c->run) ? 0 : 1;
	else
		rc = 2;
	repair_run_free(c->run);
	c->run = NULL;
	return rc;
}

int
cli_repair(int argc, char **argv)
{
	struct repair_opts o = {0};
	int rc = repair_parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	struct repair_cli c = { .o = &o };
	if ((rc = app_open(&c.app, &o.site)) != 0)
		return rc;
	if (o.verify) {
		struct journal_filter pair = { .package = o.pkgid, .dp = o.dp };
		rc = cli_verify(&c.app, &pair, "by repair --verify");
		app_close(&c.app);
		return fflush(stdout) != 0 || ferror(stdout) ? 2 : rc;
	}
	c.journal = app_journal_path();
	/* First, so nobody reads on believing the run will act. */
	if (o.dry_run)
		printf("*** %s ***\n\n", DRY_RUN_NOTE);
	if (c.app.read_only)
		printf("*** read-only: every step that changes a server will be refused ***\n\n");
	int plan = repair_warn_unfinished(c.journal, c.app.lock_dir) != 0 ? -2 : repair_pick_plan(&c);
	if (plan >= 0)
		rc = repair_go(&c, (enum repair_plan)plan);
	else
		rc = plan == -1 ? 0 : 2;
	free(c.journal);
	free(c.line);
	app_close(&c.app);
	/* Stopped by a signal: its status, as the TUI does (and stdout may
	 * well be gone: that is no further error). */
	if (repair_signal != 0)
		return 128 + repair_signal;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("dpdoctor repair: writing output");
		return 2;
	}
	return rc;
}
