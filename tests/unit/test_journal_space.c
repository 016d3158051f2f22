/*
 * Tests for the room a begin entry reserves at the journal's tail
 * (backend/repair/journal.c, journal_reserve): the file's size is only what
 * was written (no NULs for a reader), the blocks past it are the journal's,
 * and on a small tmpfs filled to the last block the step's end entry still
 * goes in while a new begin entry is refused, saying the disk is full and
 * leaving the file as it was.  Mounting needs root: otherwise those checks
 * are skipped (CI runs as root).
 */
#include "autoconf.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/repair/journal.h"
#include "backend/core/util.h"
#include "tests/unit/tap.h"

static char tmpdir[] = "/tmp/dpd-jspace-XXXXXX";
static bool mounted;

/* A parameter long enough that begin and end entries together pass a 4 KiB
 * page: without a reservation the end entry needs a block of its own. */
static char big[3000];
static const struct journal_param params[] = { { "note", big } };
static const struct journal_step step = {
	.site = "S01", .plan = "preload-pck", .number = 3, .name = "preload",
	.package_id = "S0100012", .dp_server = "DP07", .params = params, .nparams = 1,
};

static int
count_entry(const struct journal_entry *e, void *ctx)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

static void
count_warn(long line, const char *msg, void *ctx)
{
	(void)line;
	(void)msg;
	((int *)ctx)[1]++;
}

/* The file's size, and whether any byte of it is NUL. */
static long long
file_size(const char *path, bool *nul)
{
	FILE *f = fopen(path, "rb");
	long long n = 0;
	int c;
	*nul = false;
	if (f == NULL)
		return -1;
	while ((c = fgetc(f)) != EOF) {
		n++;
		*nul |= c == 0;
	}
	(void)fclose(f);
	return n;
}

/* A begin entry: the size is what was written, the room past it reserved. */
static void
test_size_kept(const char *dir)
{
	char *path = xasprintf("%s/kept.jsonl", dir);
	char id[JOURNAL_ID_MAX], *err = NULL;
	is_int(journal_begin(path, &step, id, &err), 0, "begin entry written");
	struct stat st;
	bool nul;
	long long bytes = file_size(path, &nul);
	ok(stat(path, &st) == 0 && st.st_size == bytes && !nul,
	    "the file's size is what was written, no NUL bytes (size kept)");
	ok(st.st_blocks * 512LL >= bytes + 2 * bytes,
	    "blocks past the end are reserved for the end entry (%lld bytes allocated "
	    "for %lld)", (long long)st.st_blocks * 512, bytes);
	int counts[2] = { 0, 0 };
	is_int(journal_read(path, count_entry, count_warn, counts, &err), 0, "read back");
	ok(counts[0] == 1 && counts[1] == 0, "one entry, no warning (%d, %d)", counts[0],
	    counts[1]);
	free(err);
	free(path);
}

/* Fill the tmpfs to its last block. */
static void
fill(const char *dir)
{
	char *path = xasprintf("%s/filler", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	static char block[4096];
	ssize_t w = 1;
	while (fd >= 0 && w > 0)
		w = write(fd, block, sizeof block);
	ok(fd >= 0 && w < 0 && errno == ENOSPC, "the tmpfs is full (%s)", strerror(errno));
	if (fd >= 0)
		(void)close(fd);
	free(path);
}

static void
test_full_disk(const char *dir)
{
	char *path = xasprintf("%s/journal.jsonl", dir);
	char id[JOURNAL_ID_MAX], id2[JOURNAL_ID_MAX], *err = NULL;
	is_int(journal_begin(path, &step, id, &err), 0, "begin entry on the tmpfs");
	fill(dir);
	is_int(journal_end(path, &step, id, JOURNAL_OK, "done", 4, &err), 0,
	    "the end entry goes into the reserved room on a full disk");
	if (err != NULL)
		printf("#   %s\n", err);
	bool nul;
	long long before = file_size(path, &nul);
	free(err);
	err = NULL;
	is_int(journal_begin(path, &step, id2, &err), -1, "a new begin on the full disk fails");
	contains(err, path, "the error names the journal");
	contains(err, "the disk holding the journal is full", "the error says the disk is full");
	is_int(file_size(path, &nul), before, "the refused begin wrote nothing");
	struct journal_history h = {0};
	free(err);
	err = NULL;
	int warns[2] = { 0, 0 };
	is_int(journal_history(path, NULL, &h, count_warn, warns, &err), 0, "history read");
	ok(h.n == 1 && h.v[0].result == JOURNAL_OK && warns[1] == 0,
	    "one step, finished ok, no torn line (%zu steps)", h.n);
	journal_history_free(&h);
	free(err);
	free(path);
}

static void
cleanup(void)
{
	char *cmd = xasprintf("%sumount '%s/fs' 2>/dev/null; rm -rf '%s'", mounted ? "" : ": ",
	    tmpdir, tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(cmd);
}

int
main(void)
{
	memset(big, 'x', sizeof big - 1);
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	char *fs = xasprintf("%s/fs", tmpdir);
	char *cmd = xasprintf("mount -t tmpfs -o size=256k dpdtest-jspace '%s' 2>/dev/null", fs);
	mounted = geteuid() == 0 && mkdir(fs, 0700) == 0 && system(cmd) == 0;
	if (mounted) {
		test_size_kept(fs);
		test_full_disk(fs);
	} else {
		for (int i = 0; i < 14; i++)
			ok(1, "# SKIP mounting a tmpfs needs root");
	}
	free(cmd);
	free(fs);
	cleanup();
	return done_testing();
}
