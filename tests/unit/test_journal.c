/*
 * Tests for the repair journal (backend/repair/journal.c): a begin/end round trip
 * with every field, the private folder and file modes, detection of steps
 * begun but never finished (including a process killed with SIGKILL between
 * its begin and end entries), tolerance of a torn last line and of garbage
 * lines, concurrent appends from two processes that must never interleave,
 * and a clear error naming the path when the journal can't be written.
 * Runs: every entry carries its run id and the DPs its step serves ("for"),
 * journals written before either still read, and the history's DP filter
 * finds a step on the primary under the DP it served.
 */
#include "autoconf.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/repair/journal.h"
#include "backend/core/util.h"
#include "tests/unit/tap.h"

static char tmpdir[] = "/tmp/dpd-journal-XXXXXX";

static const struct journal_param params[] = {
	{ "source", "\\\\PRIMARY\\SMSPKGC$\\SMS00012" },
	{ "mode", "copy \"quoted\"\nnewline" },
};

static const struct journal_step step1 = {
	.site = "S01", .plan = "recopy-pck", .number = 2, .name = "Copy PCK to DP",
	.package_id = "S0100012", .dp_server = "DP-BRANCH-07",
	.params = params, .nparams = 2,
};

/* Collect everything journal_read hands out. */
struct seen {
	struct journal_list entries;
	int warnings;
	long warn_line[8];
	char warn_msg[8][256];
};

static int
seen_entry(const struct journal_entry *e, void *ctx)
{
	struct seen *s = ctx;
	struct journal_list *l = &s->entries;
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	journal_entry_copy(&l->v[l->n++], e);
	return 0;
}

static void
seen_warn(long line, const char *msg, void *ctx)
{
	struct seen *s = ctx;
	if (s->warnings < 8) {
		s->warn_line[s->warnings] = line;
		snprintf(s->warn_msg[s->warnings], sizeof s->warn_msg[0], "%s", msg);
	}
	s->warnings++;
	printf("# warning: %s\n", msg);
}

static int
read_all(const char *path, struct seen *s)
{
	char *err = NULL;
	memset(s, 0, sizeof *s);
	int r = journal_read(path, seen_entry, seen_warn, s, &err);
	if (r != 0)
		printf("# journal_read: %s\n", err ? err : "?");
	free(err);
	return r;
}

static char *
path_in(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static const char *
find_param(const struct journal_entry *e, const char *key)
{
	for (size_t i = 0; i < e->nparams; i++)
		if (strcmp(e->param_keys[i], key) == 0)
			return e->param_values[i];
	return NULL;
}

static void
check_entry_fields(const struct journal_entry *e, const char *id)
{
	is_str(e->step_id, id, "entry carries the step id");
	is_int(e->time != NULL && strlen(e->time) == 20 && e->time[19] == 'Z', 1,
	    "time is ISO 8601 UTC (%s)", e->time);
	dpd_time t;
	ok(time_parse_iso(e->time, &t) == 0 && llabs((long long)(t - clock_real())) < 60,
	    "time is the real clock");
	ok(e->user != NULL && *e->user != '\0', "user recorded (%s)", e->user);
	ok(e->host != NULL && *e->host != '\0', "host recorded (%s)", e->host);
	is_str(e->site, "S01", "site");
	is_str(e->plan, "recopy-pck", "plan");
	is_int(e->step_number, 2, "step number");
	is_str(e->step_name, "Copy PCK to DP", "step name");
	is_str(e->package_id, "S0100012", "target package");
	is_str(e->dp_server, "DP-BRANCH-07", "target DP");
	is_int((long long)e->nparams, 2, "two params");
	is_str(find_param(e, "source"), "\\\\PRIMARY\\SMSPKGC$\\SMS00012", "param with backslashes");
	is_str(find_param(e, "mode"), "copy \"quoted\"\nnewline", "param with quote and newline");
}

static void
test_round_trip(void)
{
	char *path = path_in("state/dpdoctor/journal.jsonl");
	char id[JOURNAL_ID_MAX], *err = NULL;
	const char *out = "abc";
	is_int(journal_begin(path, &step1, id, &err), 0, "begin written");
	is_int(journal_end(path, &step1, id, JOURNAL_OK, out, strlen(out), &err), 0,
	    "end written");
	struct seen s;
	is_int(read_all(path, &s), 0, "journal read back");
	is_int((long long)s.entries.n, 2, "two entries");
	is_int(s.warnings, 0, "no warnings");
	if (s.entries.n == 2) {
		struct journal_entry *b = &s.entries.v[0], *e = &s.entries.v[1];
		is_int(b->phase, JOURNAL_BEGIN, "first is begin");
		is_int(b->result, JOURNAL_NONE, "begin has no result");
		check_entry_fields(b, id);
		is_int(e->phase, JOURNAL_END, "second is end");
		is_int(e->result, JOURNAL_OK, "end result ok");
		is_str(e->output_digest,
		    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		    "output digest is SHA-256 of the output");
		check_entry_fields(e, id);
		is_int(b->line, 1, "begin on line 1");
		is_int(e->line, 2, "end on line 2");
	}
	journal_list_free(&s.entries);
	free(err);
	free(path);
}

static void
test_modes(void)
{
	char *dir = path_in("state/dpdoctor");
	char *path = path_in("state/dpdoctor/journal.jsonl");
	struct stat st;
	ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "folder mode 0700 (%o)",
	    (unsigned)(st.st_mode & 0777));
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "file mode 0600 (%o)",
	    (unsigned)(st.st_mode & 0777));
	free(dir);
	free(path);
}

static void
test_results_and_ids(void)
{
	char *path = path_in("results.jsonl");
	char id1[JOURNAL_ID_MAX], id2[JOURNAL_ID_MAX], *err = NULL;
	int r = journal_begin(path, &step1, id1, &err);
	r |= journal_begin(path, &step1, id2, &err);
	is_int(r, 0, "two begins written");
	ok(strcmp(id1, id2) != 0, "step ids are unique (%s, %s)", id1, id2);
	char pid[32];
	snprintf(pid, sizeof pid, "-%ld-", (long)getpid());
	contains(id1, pid, "step id holds the pid");
	enum journal_result all[] = { JOURNAL_OK, JOURNAL_FAILED, JOURNAL_SKIPPED,
	    JOURNAL_DECLINED, JOURNAL_DRY_RUN };
	for (size_t i = 0; i < 5; i++) {
		enum journal_result back = JOURNAL_NONE;
		ok(journal_result_parse(journal_result_name(all[i]), &back) == 0 && back == all[i],
		    "result \"%s\" round trips", journal_result_name(all[i]));
	}
	is_int(journal_end(path, &step1, id1, JOURNAL_NONE, NULL, 0, &err), -1,
	    "end without a result is refused");
	free(err);
	free(path);
}

static void
test_unfinished(void)
{
	char *path = path_in("unfinished.jsonl");
	char a[JOURNAL_ID_MAX], b[JOURNAL_ID_MAX], *err = NULL;
	struct journal_step s2 = step1;
	s2.number = 3;
	s2.name = "Refresh DP";
	int r = journal_begin(path, &step1, a, &err);
	r |= journal_end(path, &step1, a, JOURNAL_FAILED, "boom", 4, &err);
	r |= journal_begin(path, &s2, b, &err);
	is_int(r, 0, "begin, end, begin written");
	struct journal_list l;
	is_int(journal_unfinished(path, &l, NULL, NULL, &err), 0, "unfinished read");
	is_int((long long)l.n, 1, "one unfinished step");
	if (l.n == 1) {
		is_str(l.v[0].step_id, b, "the begin without an end");
		is_str(l.v[0].step_name, "Refresh DP", "its step name");
	}
	journal_list_free(&l);
	char *missing = path_in("nope.jsonl");
	is_int(journal_unfinished(missing, &l, NULL, NULL, &err), 0, "missing journal is empty");
	is_int((long long)l.n, 0, "nothing unfinished in a missing journal");
	free(missing);
	free(err);
	free(path);
}

/* A batch's step done once for two DPs, on the primary, in a run. */
static const char *const served_dps[] = { "DUBLINDP01", "LEEDSDP01" };
static const struct journal_step on_primary = {
	.site = "009", .plan = "rename-pck-touch-source", .number = 1,
	.name = "rename-primary-pck", .package_id = "0090001E", .dp_server = "SMS009PRI",
	.run_id = "20261125T235152Z-4242-R7", .for_dps = served_dps, .nfor = 2,
};

static void
test_run_and_for(void)
{
	char *path = path_in("runs.jsonl");
	char id[JOURNAL_ID_MAX], r1[JOURNAL_ID_MAX], r2[JOURNAL_ID_MAX], *err = NULL;
	int r = journal_begin(path, &on_primary, id, &err);
	r |= journal_end(path, &on_primary, id, JOURNAL_OK, "", 0, &err);
	is_int(r, 0, "a step on the primary for two DPs, written with its run");
	struct seen s;
	is_int(read_all(path, &s), 0, "read back");
	if (ok(s.entries.n == 2, "begin and end")) {
		for (size_t i = 0; i < 2; i++) {
			const struct journal_entry *e = &s.entries.v[i];
			is_str(e->run_id, "20261125T235152Z-4242-R7", "  %s carries the run id",
			    i ? "end" : "begin");
			ok(e->nfor == 2 && strcmp(e->for_dps[0], "DUBLINDP01") == 0 &&
			    strcmp(e->for_dps[1], "LEEDSDP01") == 0, "  and the DPs it serves");
		}
	}
	journal_list_free(&s.entries);
	/* The DP filter: a served DP finds it, any case; the dp too; another not. */
	const char *dps[] = { "leedsdp01", "DUBLINDP01", "SMS009PRI", "PARISDP01" };
	for (size_t i = 0; i < 4; i++) {
		struct journal_filter f = { "0090001e", dps[i] };
		struct journal_history h;
		is_int(journal_history(path, &f, &h, NULL, NULL, &err), 0, "history --dp %s", dps[i]);
		ok(h.n == (i < 3 ? 1u : 0u) && (h.n == 0 || h.v[0].result == JOURNAL_OK),
		    "  %s (%zu steps)", i < 3 ? "finds the step, paired" : "finds nothing", h.n);
		journal_history_free(&h);
	}
	/* An entry from before runs: no "run", no "for"; it still reads, and its
	 * dp alone is its DP. */
	char *old = path_in("old.jsonl");
	FILE *f = fopen(old, "w");
	ok(f != NULL && fputs("{\"time\":\"2026-11-25T12:00:00Z\",\"step_id\":\"T-1\","
	    "\"phase\":\"begin\",\"user\":\"u\",\"host\":\"h\",\"site\":\"009\","
	    "\"plan\":\"preload-pck\",\"step\":{\"number\":1,\"name\":\"copy-pck\"},"
	    "\"target\":{\"package\":\"0090001E\",\"dp\":\"LEEDSDP01\"},\"params\":{}}\n",
	    f) >= 0 && fclose(f) == 0, "an old journal written");
	is_int(read_all(old, &s), 0, "the old journal reads");
	ok(s.entries.n == 1 && s.warnings == 0 && *s.entries.v[0].run_id == '\0' &&
	    s.entries.v[0].nfor == 0, "  its entry: no run, no for, no warning");
	journal_list_free(&s.entries);
	struct journal_filter lf = { NULL, "LEEDSDP01" };
	struct journal_history h;
	ok(journal_history(old, &lf, &h, NULL, NULL, &err) == 0 && h.n == 1,
	    "  and the DP filter still finds it by its dp");
	journal_history_free(&h);
	/* Run ids: unique, and short as lists show them. */
	journal_run_id_new(r1);
	journal_run_id_new(r2);
	ok(strcmp(r1, r2) != 0 && strstr(r1, "-R") != NULL, "run ids are unique (%s, %s)", r1, r2);
	char sh[JOURNAL_RUN_SHORT_MAX];
	is_str(journal_run_short("20261125T235152Z-4242-R7", sh), "235152-4242-R7",
	    "short run id: the time of day, pid and counter");
	is_str(journal_run_short("", sh), "-", "short run id of none: -");
	enum journal_result back = JOURNAL_NONE;
	ok(journal_result_parse("aborted", &back) == 0 && back == JOURNAL_ABORTED,
	    "\"aborted\" is a result of its own (not declined)");
	free(old);
	free(err);
	free(path);
}

static void
test_sigkill(void)
{
	char *path = path_in("killed.jsonl");
	char *err = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		char id[JOURNAL_ID_MAX];
		if (journal_begin(path, &step1, id, NULL) != 0)
			_exit(3);
		raise(SIGKILL);
		_exit(4);
	}
	int st = 0;
	ok(pid > 0 && waitpid(pid, &st, 0) == pid, "child ran");
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child died of SIGKILL");
	struct journal_list l;
	is_int(journal_unfinished(path, &l, NULL, NULL, &err), 0, "unfinished read");
	is_int((long long)l.n, 1, "the killed step is unfinished");
	if (l.n == 1) {
		char want[32];
		snprintf(want, sizeof want, "-%ld-", (long)pid);
		contains(l.v[0].step_id, want, "it is the child's step");
	}
	journal_list_free(&l);
	free(err);
	free(path);
}

static int
append_raw(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, text, strlen(text));
	int r = (w == (ssize_t)strlen(text)) ? 0 : -1;
	if (close(fd) != 0)
		r = -1;
	return r;
}

static void
test_torn_last_line(void)
{
	char *path = path_in("torn.jsonl");
	char a[JOURNAL_ID_MAX], *err = NULL;
	int r = journal_begin(path, &step1, a, &err);
	r |= append_raw(path, "{\"time\":\"2026-11-25T10:00:00Z\",\"step_id\":\"x\",\"pha");
	is_int(r, 0, "entry plus torn line written");
	struct seen s;
	is_int(read_all(path, &s), 0, "read does not fail on a torn line");
	is_int((long long)s.entries.n, 1, "the good entry is read");
	is_int(s.warnings, 1, "one warning");
	is_int(s.warn_line[0], 2, "warning names line 2");
	contains(s.warn_msg[0], "torn", "warning says torn");
	contains(s.warn_msg[0], path, "warning names the path");
	journal_list_free(&s.entries);
	struct journal_list l;
	is_int(journal_unfinished(path, &l, NULL, NULL, &err), 0, "unfinished read");
	is_int((long long)l.n, 1, "the good begin is unfinished");
	journal_list_free(&l);
	char b[JOURNAL_ID_MAX];
	is_int(journal_begin(path, &step1, b, &err), 0, "next begin after the torn line");
	is_int(read_all(path, &s), 0, "read after appending past a torn line");
	is_int((long long)s.entries.n, 2, "the new entry is not glued to the fragment");
	is_int(s.warnings, 1, "the fragment is one skipped line");
	is_int(s.warn_line[0], 2, "still line 2");
	if (s.entries.n == 2)
		is_str(s.entries.v[1].step_id, b, "new entry intact on line 3");
	journal_list_free(&s.entries);
	free(err);
	free(path);
}

static void
test_garbage(void)
{
	char *path = path_in("garbage.jsonl");
	char a[JOURNAL_ID_MAX], *err = NULL;
	int r = journal_begin(path, &step1, a, &err);
	r |= append_raw(path, "this is not json\n");
	r |= append_raw(path, "{\"hello\":1}\n");
	r |= append_raw(path, "[1,2,3]\n");
	r |= journal_end(path, &step1, a, JOURNAL_SKIPPED, "", 0, &err);
	is_int(r, 0, "entries with garbage between written");
	struct seen s;
	is_int(read_all(path, &s), 0, "read does not fail on garbage");
	is_int((long long)s.entries.n, 2, "both good entries read");
	is_int(s.warnings, 3, "three warnings");
	ok(s.warn_line[0] == 2 && s.warn_line[1] == 3 && s.warn_line[2] == 4,
	    "warnings name lines 2, 3, 4");
	contains(s.warn_msg[0], ":2:", "message names the line number");
	if (s.entries.n == 2) {
		is_int(s.entries.v[1].line, 5, "end entry is line 5");
		is_int(s.entries.v[1].result, JOURNAL_SKIPPED, "end result skipped");
	}
	journal_list_free(&s.entries);
	struct journal_list l;
	is_int(journal_unfinished(path, &l, NULL, NULL, &err), 0, "unfinished read");
	is_int((long long)l.n, 0, "garbage does not hide the end");
	journal_list_free(&l);
	free(err);
	free(path);
}

static void
writer(const char *path, char tag)
{
	char big[4096];
	memset(big, tag, sizeof big - 1);
	big[sizeof big - 1] = '\0';
	struct journal_param p[] = { { "fill", big } };
	struct journal_step s = step1;
	s.params = p;
	s.nparams = 1;
	for (int i = 0; i < 200; i++) {
		char id[JOURNAL_ID_MAX];
		s.number = i;
		if (journal_begin(path, &s, id, NULL) != 0)
			_exit(1);
	}
	_exit(0);
}

static long
count_lines(const char *path)
{
	struct buf b;
	buf_init(&b);
	long n = 0;
	if (file_read_all(path, 64u << 20, &b, NULL) == 0)
		for (size_t i = 0; i < b.len; i++)
			n += b.data[i] == '\n';
	buf_free(&b);
	return n;
}

static void
test_concurrent(void)
{
	char *path = path_in("concurrent.jsonl");
	pid_t p1 = fork();
	if (p1 == 0)
		writer(path, 'a');
	pid_t p2 = fork();
	if (p2 == 0)
		writer(path, 'b');
	int s1 = -1, s2 = -1;
	ok(p1 > 0 && p2 > 0 && waitpid(p1, &s1, 0) == p1 && waitpid(p2, &s2, 0) == p2,
	    "two writers ran");
	ok(WIFEXITED(s1) && WEXITSTATUS(s1) == 0 && WIFEXITED(s2) && WEXITSTATUS(s2) == 0,
	    "both writers succeeded");
	is_int(count_lines(path), 400, "400 lines");
	struct seen s;
	is_int(read_all(path, &s), 0, "read back");
	is_int((long long)s.entries.n, 400, "every line parses");
	is_int(s.warnings, 0, "no warnings");
	int pure = 1;
	for (size_t i = 0; i < s.entries.n; i++) {
		const char *f = find_param(&s.entries.v[i], "fill");
		if (f == NULL || strlen(f) != 4095 || strspn(f, f[0] == 'a' ? "a" : "b") != 4095)
			pure = 0;
	}
	ok(pure, "no line mixes the two writers");
	journal_list_free(&s.entries);
	free(path);
}

static void
test_unwritable(void)
{
	char *file = path_in("plainfile");
	char *path = path_in("plainfile/dpdoctor/journal.jsonl");
	char id[JOURNAL_ID_MAX], *err = NULL;
	int fd = open(file, O_WRONLY | O_CREAT, 0600);
	ok(fd >= 0 && close(fd) == 0, "a plain file where a folder should be");
	is_int(journal_begin(path, &step1, id, &err), -1, "begin fails");
	contains(err, file, "error names the path");
	contains(err, strerror(ENOTDIR), "error gives the reason");
	free(err);
	err = NULL;
	char *ro = path_in("ro.jsonl");
	fd = open(ro, O_WRONLY | O_CREAT, 0400);
	ok(fd >= 0 && close(fd) == 0, "a read-only journal file");
	if (geteuid() == 0) {
		ok(1, "# SKIP root ignores file modes");
		ok(1, "# SKIP root ignores file modes");
	} else {
		is_int(journal_begin(ro, &step1, id, &err), -1, "begin on a read-only file fails");
		contains(err, ro, "error names the file");
	}
	free(err);
	free(ro);
	free(file);
	free(path);
}

static void
cleanup(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(cmd);
}

int
main(void)
{
	umask(022);
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_round_trip();
	test_modes();
	test_results_and_ids();
	test_unfinished();
	test_run_and_for();
	test_sigkill();
	test_torn_last_line();
	test_garbage();
	test_concurrent();
	test_unwritable();
	cleanup();
	return done_testing();
}
