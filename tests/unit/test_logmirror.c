/*
 * The log mirror (backend/sms/logmirror.c) against a fake transport that
 * answers readfile and pathinfo from in-memory files the test appends to,
 * truncates and rotates: the first sync copies everything, a later one
 * asks only for the new bytes (the offsets asked are counted), a rollover
 * or a shorter file starts the copy over (a new inode: a tail starts
 * over too), ranges over 1 MiB come in several reads, and errors say
 * where and why.
 */
#include "autoconf.h"
#include "backend/sms/logmirror.h"
#include "backend/core/proto.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG "\\\\DP1\\E$\\SMS\\Logs\\distmgr.log"
#define LO_ "\\\\DP1\\E$\\SMS\\Logs\\distmgr.lo_"

struct fake {
	struct buf log, lo;       /* the remote files */
	bool have_lo;
	const char *fail;         /* answer END error with this */
	uint64_t asked[64];       /* readfile offsets, in order */
	size_t nasked;
};

static struct fake F;

static void
answer_range(const struct op *op, struct buf *out)
{
	const char *path = op_arg(op, "path");
	const struct buf *f = strcmp(path, LOG) == 0 ? &F.log :
	    strcmp(path, LO_) == 0 && F.have_lo ? &F.lo : NULL;
	if (f == NULL) {
		proto_end_error(out, "no such file");
		return;
	}
	uint64_t off = strtoull(op_arg(op, "offset"), NULL, 10);
	size_t max = strtoul(op_arg(op, "max"), NULL, 10);
	if (F.nasked < 64)
		F.asked[F.nasked++] = off;
	size_t n = off < f->len ? (f->len - off < max ? f->len - off : max) : 0;
	struct buf h, d;
	buf_init(&h);
	buf_init(&d);
	ops_b64_encode(f->data, f->len < 64 ? f->len : 64, &h);
	ops_b64_encode(n ? f->data + off : "", n, &d);
	char size[24];
	snprintf(size, sizeof size, "%zu", f->len);
	static const char *const cols[] = { "Offset", "Size", "MTime", "Head", "Data" };
	const char *vals[] = { op_arg(op, "offset"), size, "2007-01-04T10:00:00Z", h.data, d.data };
	proto_cols(out, "B", cols, 5);
	proto_row(out, "B", vals, 5);
	proto_end_ok(out, 1);
	buf_free(&h);
	buf_free(&d);
}

/* The fake host's reply, in our protocol, read as a transport reads one. */
static int
fake_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	(void)t;
	(void)dl;
	struct buf out;
	buf_init(&out);
	proto_begin(&out, op_name(op->kind));
	if (F.fail != NULL) {
		proto_end_error(&out, F.fail);
	} else if (op->kind == OP_READFILE) {
		answer_range(op, &out);
	} else if (op->kind == OP_LAYOUT) {
		/* DP1 keeps SMS on E: (its registry says so); LOCALDP has none. */
		static const char *const cols[] = { "Source", "Name", "Value", "Error" };
		bool dp1 = strcmp(op_arg(op, "server"), "DP1") == 0;
		const char *reg[] = { "registry", "Installation Directory", dp1 ? "E:\\SMS" : "", "" };
		const char *share[] = { "share", "SMSPKGD$", "D:\\SMSPKGD$", "" };
		proto_cols(&out, "Y", cols, 4);
		proto_row(&out, "Y", reg, 4);
		proto_row(&out, "Y", share, 4);
		proto_end_ok(&out, 2);
	} else if (op->kind == OP_PATHINFO) {
		static const char *const cols[] = { "Path", "Exists", "IsDir", "Size", "MTime",
			"Attrs", "Version", "Error" };
		const char *vals[] = { op_arg(op, "paths"), F.have_lo ? "1" : "0", "0", "", "",
			"", "", "" };
		proto_cols(&out, "F", cols, 8);
		proto_row(&out, "F", vals, 8);
		proto_end_ok(&out, 1);
	} else {
		proto_end_error(&out, "not faked");
	}
	int rc = proto_parse(out.data, out.len, op_name(op->kind), fn, arg, err) == 0 ? 0 :
	    TRANSPORT_EREPLY;
	buf_free(&out);
	return rc;
}

static const struct transport_ops fake_ops = { .name = "fake", .call = fake_call, .close = NULL };

static bool
same(const char *local, const struct buf *want)
{
	struct buf got;
	buf_init(&got);
	char *err = NULL;
	bool ok = file_read_all(local, 64u << 20, &got, &err) == 0 && got.len == want->len &&
	    (got.len == 0 || memcmp(got.data, want->data, got.len) == 0);
	buf_free(&got);
	free(err);
	return ok;
}

static ino_t
inode(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? st.st_ino : 0;
}

static void
lines(struct buf *b, const char *tag, int n)
{
	for (int i = 0; i < n; i++)
		buf_printf(b, "%s line %d 009000B7  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan 04 "
		    "9:%02d:00.000 2007 GMT Standard Time><thread=1 (0x1)>\r\n", tag, i, i % 60);
}

static int
do_sync(struct transport *t, const char *local, char **err)
{
	F.nasked = 0;
	return logmirror_sync(t, LOG, local, NULL, err);
}

static void
test_sync(struct transport *t, const char *dir)
{
	char *local = xasprintf("%s/DP1-distmgr.log", dir), *err = NULL;
	lines(&F.log, "first", 100);
	is_int(do_sync(t, local, &err), 1, "first sync: a new copy (%s)", err ? err : "");
	ok(same(local, &F.log), "  it holds the whole file");
	ok(F.nasked == 1 && F.asked[0] == 0, "  in one read from offset 0");
	ino_t ino = inode(local);

	size_t before = F.log.len;
	lines(&F.log, "more", 10);
	is_int(do_sync(t, local, &err), 0, "after an append: appended");
	ok(same(local, &F.log), "  the copy is the file again");
	ok(F.nasked == 1 && F.asked[0] == before, "  only the new bytes were asked (at %zu)", before);
	ok(inode(local) == ino, "  the same local file (a tail goes on)");

	is_int(do_sync(t, local, &err), 0, "nothing new: no change");
	ok(F.nasked == 1 && F.asked[0] == F.log.len, "  one read at the end, which is empty");

	/* SMS's rollover: the log becomes .lo_, a new, longer one starts. */
	buf_reset(&F.lo);
	buf_add(&F.lo, F.log.data, F.log.len);
	F.have_lo = true;
	buf_reset(&F.log);
	lines(&F.log, "rolled", 200);
	is_int(do_sync(t, local, &err), 1, "after a rollover (longer than the copy): restarted");
	ok(same(local, &F.log), "  the copy is the new file, not the old one's head");
	ok(inode(local) != ino, "  in a new local file (a tail starts over)");
	char *tmp = xasprintf("%s.tmp", local);
	ok(access(tmp, F_OK) != 0, "  no LOCAL.tmp left behind");
	free(tmp);

	ok(logmirror_sync_rolled(t, LOG, local, NULL, &err) >= 0, "the rollover syncs (%s)",
	    err ? err : "");
	char *lo = xasprintf("%s/DP1-distmgr.lo_", dir);
	ok(same(lo, &F.lo), "  into LOCAL with .lo_");
	F.have_lo = false;
	ok(logmirror_sync_rolled(t, LOG, local, NULL, &err) == 0, "a missing rollover is fine");
	ok(access(lo, F_OK) != 0, "  and its local copy goes");
	free(lo);

	/* Truncated to fewer bytes than we have, same head: start over. */
	F.log.len = 300;
	F.log.data[300] = '\0';
	is_int(do_sync(t, local, &err), 1, "a shorter file: restarted");
	ok(same(local, &F.log), "  the copy matches it");

	/* More than one read's worth. */
	buf_reset(&F.log);
	lines(&F.log, "big", 20000);
	ok(F.log.len > OPS_READ_MAX * 2, "a file of %zu bytes", F.log.len);
	is_int(do_sync(t, local, &err), 1, "  restarted (new head)");
	ok(same(local, &F.log), "  copied whole");
	/* One read at the old copy's end finds the new head, then 1 MiB each. */
	is_int((long long)F.nasked, 1 + (long long)((F.log.len + OPS_READ_MAX - 1) / OPS_READ_MAX),
	    "  in 1 MiB reads after the one that found it changed");
	ok(F.asked[1] == 0 && F.asked[2] == OPS_READ_MAX, "  from 0, then from 1 MiB on");

	F.fail = "cannot reach \\\\DP1\\E$\\ (the network path was not found)";
	ok(do_sync(t, local, &err) == -1, "an unreachable server: -1");
	ok(err != NULL && strstr(err, "reading " LOG) != NULL && strstr(err, "network path") != NULL,
	    "  the error names the path and why: %s", err ? err : "");
	free(err);
	err = NULL;
	ok(same(local, &F.log), "  the copy is untouched");
	F.fail = NULL;
	free(local);
}

static void
test_paths(struct transport *t, const char *dir)
{
	char *err = NULL, *p = logmirror_remote_path(t, "DP1", "E:\\SMS", &err);
	is_str(p, LOG, "another server's log: its admin share");
	free(p);
	p = logmirror_remote_path(t, "DP1", NULL, &err);
	ok(p == NULL, "no SMS folder: no drive is assumed");
	contains(err, "DP1: its SMS folder is not known", "  said, naming the server");
	contains(err, "sms_path", "  and the setting");
	free(err);
	err = NULL;
	p = logmirror_remote_path(t, "pri", "D:\\Program Files\\SMS", &err);
	is_str(p, "D:\\Program Files\\SMS\\Logs\\distmgr.log", "the transport's own host: its drive");
	free(p);
	p = logmirror_remote_path(t, "DP1", "E:\\", &err);
	is_str(p, "\\\\DP1\\E$\\Logs\\distmgr.log", "SMS at a drive's root");
	free(p);
	p = logmirror_remote_path(t, "DP1", "E:\\a|b", &err);
	ok(p == NULL && err != NULL && strstr(err, "DP1") != NULL, "a bad SMS folder: %s",
	    err ? err : "");
	free(err);
	err = NULL;

	setenv("XDG_CACHE_HOME", dir, 1);
	char *local = logmirror_local_path("DP1", &err);
	char *want = xasprintf("%s/dpdoctor/logs/DP1-distmgr.log", dir);
	is_str(local, want, "the cache: $XDG_CACHE_HOME/dpdoctor/logs/SERVER-distmgr.log");
	struct stat st;
	char *cdir = xasprintf("%s/dpdoctor/logs", dir);
	ok(stat(cdir, &st) == 0 && (st.st_mode & 0777) == 0700, "  created private (0700)");
	free(cdir);
	free(want);
	free(local);

	buf_reset(&F.log);
	lines(&F.log, "fetch", 5);
	ok(logmirror_fetch(t, "DP1", "E:\\SMS", NULL, &local, &err) == 0 && same(local, &F.log),
	    "fetch: DP1's log in the cache (%s)", err ? err : "");
	free(local);
	/* The SMS folder from the server's layout. */
	struct site_env env = { .t = t, .site = "009", .primary = "PRI" };
	ok(logmirror_fetch_env(&env, NULL, "DP1", NULL, &local, &err) == 0 && same(local, &F.log),
	    "fetch by layout: DP1's SMS folder from its registry (%s)", err ? err : "");
	free(local);
	ok(logmirror_fetch_env(&env, NULL, "LOCALDP", NULL, &local, &err) == -1 && local == NULL,
	    "a plain DP has no distmgr.log");
	contains(err, "LOCALDP has no SMS install", "  said so");
	contains(err, "site server's distmgr.log", "  and where to look");
	free(err);
	err = NULL;
	F.fail = "access is denied";
	ok(logmirror_fetch(t, "DP1", "E:\\SMS", NULL, &local, &err) == -1 && local == NULL,
	    "fetch failing: -1");
	ok(err != NULL && strstr(err, "DP1") && strstr(err, LOG) && strstr(err, "denied"),
	    "  names the server, the path and why: %s", err ? err : "");
	free(err);
	F.fail = NULL;
}

int
main(void)
{
	char dir[] = "/tmp/dpd-test-logmirror-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 99;
	struct transport *t = xcalloc(1, sizeof *t);
	t->ops = &fake_ops;
	t->answers = TRANSPORT_ALL_OPS;
	t->host = xstrdup("PRI");
	buf_init(&F.log);
	buf_init(&F.lo);
	test_sync(t, dir);
	test_paths(t, dir);
	transport_close(t);
	buf_free(&F.log);
	buf_free(&F.lo);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(cmd);
	return done_testing();
}
