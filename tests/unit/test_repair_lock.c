/*
 * Tests for the per-pair repair lock (backend/repair/repair_lock.c): a
 * taken lock names its holder and its step; a second taker (another
 * process, or this one) is refused with who, pid, since when and which
 * step; names differing only in case are one pair; the lock folder is made
 * 0700; a holder killed with SIGKILL leaves a file that blocks nobody; and
 * an unfinished journal step is "running" only while the run that began
 * it (its pid, its host) holds the lock.
 */
#include "autoconf.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/repair/repair_lock.h"
#include "backend/core/util.h"
#include "tests/unit/tap.h"

static char tmpdir[] = "/tmp/dpd-lock-XXXXXX";

/* A child that takes the lock, says so on the pipe, and waits to be killed. */
static pid_t
holder_child(const char *dir)
{
	int p[2];
	if (pipe(p) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		struct repair_lock *l = NULL;
		char *why = NULL;
		char ok = repair_lock_take(dir, "009", "009000B7", "LEEDSDP01", &l, &why) == 0 &&
		    repair_lock_step(l, 3, "preload", &why) == 0 ? 'y' : 'n';
		if (write(p[1], &ok, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	char c = 0;
	ssize_t n = pid > 0 ? read(p[0], &c, 1) : -1;
	close(p[0]);
	if (n != 1 || c != 'y') {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return -1;
	}
	return pid;
}

static void
test_take_and_refuse(const char *dir)
{
	struct repair_lock *l = NULL, *l2 = NULL;
	char *why = NULL;
	is_int(repair_lock_take(dir, "009", "009000B7", "LEEDSDP01", &l, &why), 0,
	    "the first run takes the pair's lock");
	struct stat st;
	ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "the lock folder is 0700");
	struct repair_lock_holder h;
	char *err = NULL;
	is_int(repair_lock_holder(dir, "009", "009000B7", "LEEDSDP01", &h, &err), 1,
	    "the probe sees it held");
	is_int(h.pid, (long)getpid(), "  by this pid");
	ok(strchr(h.who, '@') != NULL && h.since[0] == '2', "  user@host and since (%s, %s)",
	    h.who, h.since);
	is_int(h.step, 0, "  preparing: no step yet");
	is_int(repair_lock_step(l, 3, "preload", &err), 0, "a step is recorded");
	is_int(repair_lock_take(dir, "009", "009000b7", "leedsdp01", &l2, &why), 1,
	    "a second run of the pair (other case) is refused");
	ok(l2 == NULL, "  and holds nothing");
	char *want = xasprintf("009000b7 on leedsdp01 is being repaired by %s (pid %ld) since %s, "
	    "at step 3 (preload)", h.who, (long)getpid(), h.since);
	is_str(why, want, "  naming who, pid, since when and which step");
	free(want);
	free(why);
	why = NULL;
	is_int(repair_lock_take(dir, "009", "009000B7", "LEEDSDP02", &l2, &why), 0,
	    "another DP of the package is another pair");
	repair_lock_release(l2);
	l2 = NULL;

	/* The run that began a step holds the lock: running; any other: not. */
	char *host = journal_host();
	char id[64];
	snprintf(id, sizeof id, "20261207T100000Z-%ld-1", (long)getpid());
	struct journal_entry e = {
		.step_id = id, .host = host, .site = "009", .package_id = "009000B7",
		.dp_server = "LEEDSDP01",
	};
	ok(repair_lock_runs(dir, &e), "a step begun by the holder is running");
	snprintf(id, sizeof id, "20261207T100000Z-%ld-1", (long)getpid() + 1);
	ok(!repair_lock_runs(dir, &e), "a step begun by another run of the pair is not");
	snprintf(id, sizeof id, "20261207T100000Z-%ld-1", (long)getpid());
	e.host = "elsewhere";
	ok(!repair_lock_runs(dir, &e), "nor one begun on another host");
	e.host = host;
	/* A step on the primary (a rename) names the DPs it serves: their
	 * pair's lock says it runs. */
	char *served[] = { "LEEDSDP02", "LEEDSDP01" };
	e.dp_server = "SMS009PRI";
	ok(!repair_lock_runs(dir, &e), "a step on the primary for no DP: not running");
	e.for_dps = served;
	e.nfor = 2;
	ok(repair_lock_runs(dir, &e), "a step on the primary for LEEDSDP01: running");
	e.dp_server = "LEEDSDP01";
	e.for_dps = NULL;
	e.nfor = 0;

	repair_lock_release(l);
	is_int(repair_lock_holder(dir, "009", "009000B7", "LEEDSDP01", &h, &err), 0,
	    "released: nobody holds it (the file stays)");
	ok(!repair_lock_runs(dir, &e), "and the step is no longer running");
	is_int(repair_lock_take(dir, "009", "009000B7", "LEEDSDP01", &l, &why), 0,
	    "a new run takes it");
	repair_lock_release(l);
	free(host);
}

static void
test_kill9(const char *dir)
{
	pid_t pid = holder_child(dir);
	ok(pid > 0, "a child process takes the lock");
	if (pid <= 0)
		return;
	struct repair_lock *l = NULL;
	char *why = NULL;
	is_int(repair_lock_take(dir, "009", "009000B7", "LEEDSDP01", &l, &why), 1,
	    "another process is refused");
	char *pidtext = xasprintf("(pid %ld)", (long)pid);
	contains(why, pidtext, "  naming the child's pid");
	contains(why, "at step 3 (preload)", "  and its step");
	free(pidtext);
	free(why);
	why = NULL;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	struct repair_lock_holder h;
	char *err = NULL;
	is_int(repair_lock_holder(dir, "009", "009000B7", "LEEDSDP01", &h, &err), 0,
	    "after kill -9 nobody holds it");
	is_int(repair_lock_take(dir, "009", "009000B7", "LEEDSDP01", &l, &why), 0,
	    "and the stale file blocks no one");
	repair_lock_release(l);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	char *dir = xasprintf("%s/state/locks", tmpdir);
	test_take_and_refuse(dir);
	test_kill9(dir);
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(cmd);
	free(dir);
	return done_testing();
}
