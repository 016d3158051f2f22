/* Unit tests: the route transport sends each op to the server it touches,
 * splits a pathinfo over several servers and merges its rows in order, and
 * turns a part that cannot be asked into Error rows. */
#include "autoconf.h"
#include "backend/transport/route.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

/* A fake host: answers pathinfo for its paths (size = its number), fails
 * everything when `down`, and records the ops it was given. */
struct fake {
	int id;
	bool down;
	const char *fails;    /* fail every op with this reply error */
	struct buf seen;      /* "op;" per script */
	struct buf vias;      /* preload's via, ";" after each */
};

static int
fake_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	struct fake *f = t->priv;
	(void)dl;
	buf_printf(&f->seen, "%s;", op_name(op->kind));
	if (op->kind == OP_PRELOAD)
		buf_printf(&f->vias, "%s;", op_arg(op, "via"));
	if (f->fails != NULL) {
		err_set(err, "remote error: %s", f->fails);
		return TRANSPORT_EREPLY;
	}
	if (f->down) {
		err_set(err, "%s: connection refused (op %s)", t->host, op_name(op->kind));
		return TRANSPORT_EFAIL;
	}
	if (op->kind != OP_PATHINFO)
		return 0;
	static const char *const cols[] = { "Path", "Exists", "IsDir", "Size", "MTime",
		"Attrs", "Version", "Error" };
	char size[16];
	snprintf(size, sizeof size, "%d", f->id);
	struct proto_emit e;
	proto_emit_begin(&e, fn, arg);
	proto_emit_cols(&e, "F", cols, 8);
	int rc = 0;
	for (const char *s = op_arg(op, "paths"); rc == 0;) {
		size_t len = strcspn(s, "|");
		char *p = xstrndup(s, len);
		const char *v[] = { p, "1", "0", size, "2026-01-01T00:00:00Z", "32", "", "" };
		rc = proto_emit_row(&e, v, 8, err) == 0 ? 0 : TRANSPORT_EREPLY;
		free(p);
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	return rc;
}

static void
fake_close(struct transport *t)
{
	struct fake *f = t->priv;
	buf_free(&f->seen);
	buf_free(&f->vias);
	free(f);
}

static const struct transport_ops fake_ops = { .name = "fake", .call = fake_call, .close = fake_close };

static struct transport *
fake_new(const char *host, int id, struct fake **out)
{
	struct fake *f = xcalloc(1, sizeof *f);
	f->id = id;
	buf_init(&f->seen);
	buf_init(&f->vias);
	*out = f;
	return transport_new(&fake_ops, host, TRANSPORT_ALL_OPS, f);
}

static struct fake *pri, *dp1, *dp2;

static struct transport *
site(void)
{
	struct transport *r = route_new(fake_new("PRI", 1, &pri));
	char *err = NULL;
	ok(route_add(r, "DP01", fake_new("DP01", 2, &dp1), &err) == 0, "DP01 added");
	ok(route_add(r, "dp02", fake_new("DP02", 3, &dp2), &err) == 0, "dp02 added");
	struct fake *dup;
	struct transport *again = fake_new("DP01", 9, &dup);
	ok(route_add(r, "dp01", again, &err) != 0, "a second DP01 (any case) is refused");
	contains(err, "already has a transport", "and says why");
	transport_close(again);
	free(err);
	err = NULL;
	struct transport *self = fake_new("pri", 9, &dup);
	ok(route_add(r, "pri", self, &err) != 0, "the WMI host cannot be routed to itself");
	transport_close(self);
	free(err);
	return r;
}

static struct op
mkop(enum op_kind k, const char *k1, const char *v1, const char *k2, const char *v2)
{
	struct op op = { .kind = k };
	op_set(&op, k1, v1);
	if (k2 != NULL)
		op_set(&op, k2, v2);
	return op;
}

/* Which fake the route picks for an op: 1 PRI, 2 DP01, 3 DP02. */
static int
picked(struct transport *r, struct op op)
{
	return ((struct fake *)route_pick(r, &op)->priv)->id;
}

static void
test_pick(void)
{
	struct transport *r = site();
	is_int(picked(r, mkop(OP_DIRLIST, "dir", "\\\\DP01\\E$\\SMS", "pattern", "*")), 2,
	    "dirlist of \\\\DP01\\E$ goes to DP01");
	is_int(picked(r, mkop(OP_DIRLIST, "dir", "\\\\dp02\\E$\\SMS", "pattern", "*")), 3,
	    "server names compare in any case");
	is_int(picked(r, mkop(OP_DIRLIST, "dir", "E:\\SMS", "pattern", "*")), 1,
	    "a drive path is the WMI host's");
	is_int(picked(r, mkop(OP_DIRLIST, "dir", "\\\\DP03\\E$\\SMS", "pattern", "*")), 1,
	    "a server without its own transport is reached by UNC from the WMI host");
	is_int(picked(r, mkop(OP_DELETEFILE, "path", "\\\\DP01\\E$\\x.PKG", NULL, NULL)), 2,
	    "deletefile on DP01 goes to DP01");
	is_int(picked(r, mkop(OP_LOGGREP, "log", "\\\\DP02\\E$\\SMS\\Logs\\a.log", "needle",
	    "x")), 3, "loggrep on DP02 goes to DP02");
	struct op rf = { .kind = OP_READFILE };
	op_set(&rf, "path", "\\\\DP02\\E$\\SMS\\Logs\\distmgr.log");
	op_set(&rf, "offset", "0");
	op_set(&rf, "max", "1048576");
	is_int(picked(r, rf), 3, "readfile on DP02 goes to DP02");
	op_set(&rf, "path", "E:\\SMS\\Logs\\distmgr.log");
	is_int(picked(r, rf), 1, "readfile of a drive path: the WMI host's");
	is_int(picked(r, mkop(OP_SHAREACL, "server", "DP01", "share", "SMSPKGE$")), 2,
	    "shareacl of DP01 goes to DP01");
	is_int(picked(r, mkop(OP_COPYFILE, "src", "E:\\SMSPKG\\A.PCK", "dst",
	    "\\\\DP01\\E$\\SMSPKG\\A.PCK")), 1,
	    "a copy between two servers is made by the WMI host (server to server)");
	is_int(picked(r, mkop(OP_COPYFILE, "src", "\\\\DP01\\E$\\a.PCK", "dst",
	    "\\\\DP01\\E$\\b.PCK")), 2, "a copy within DP01 goes to DP01");
	is_int(picked(r, mkop(OP_PATHINFO, "paths", "\\\\DP01\\E$\\a|\\\\DP01\\E$\\b", NULL,
	    NULL)), 2, "a pathinfo on DP01 alone goes to DP01 as it is");
	is_int(picked(r, mkop(OP_PRELOAD, "server", "DP01", "package", "00900018")), 2,
	    "preload on DP01 goes to DP01's own transport (it runs the tool there)");
	is_int(picked(r, mkop(OP_PRELOAD, "server", "DP03", "package", "00900018")), 1,
	    "preload on a server without one: the WMI host (Win32_Process.Create)");
	is_int(picked(r, mkop(OP_LAYOUT, "server", "dp02", NULL, NULL)), 3,
	    "layout of DP02 goes to DP02's own transport");
	is_int(picked(r, mkop(OP_LAYOUT, "server", "DP03", NULL, NULL)), 1,
	    "layout of a server without one: the WMI host asks it over WMI");
	is_int(picked(r, mkop(OP_STATUS, "site", "009", NULL, NULL)), 1,
	    "status stays on the WMI host");
	is_int(picked(r, (struct op){ .kind = OP_COUNT }), 1,
	    "an op of no kind we know goes to the WMI host");
	transport_close(r);
}

struct rows {
	struct buf paths;
	struct buf sizes;
	struct buf errors;
};

static int
row(const struct proto_record *rec, void *arg, char **err)
{
	struct rows *w = arg;
	(void)err;
	if (strcmp(rec->type, "F") != 0)
		return 0;
	buf_printf(&w->paths, "%s;", proto_get(rec, "Path"));
	buf_printf(&w->sizes, "%s;", proto_get(rec, "Size"));
	buf_printf(&w->errors, "%s;", proto_get(rec, "Error"));
	return 0;
}

static void
test_split(void)
{
	struct transport *r = site();
	const char *paths = "E:\\SMSPKG\\A.PCK|\\\\DP01\\E$\\SMSPKG\\A.PCK|\\\\FILESRV\\src\\A|"
	    "\\\\DP02\\E$\\SMSPKG\\A.PCK|\\\\DP01\\E$\\SMS\\x";
	struct op op = { .kind = OP_PATHINFO };
	op_set(&op, "paths", paths);
	struct rows w;
	buf_init(&w.paths);
	buf_init(&w.sizes);
	buf_init(&w.errors);
	char *err = NULL;
	struct deadline dl = { clock_mono_ms() + 5000, NULL };
	ok(transport_call(r, &op, row, &w, &dl, &err) == 0, "a pathinfo over three servers answers");
	is_str(w.paths.data, "E:\\SMSPKG\\A.PCK;\\\\DP01\\E$\\SMSPKG\\A.PCK;\\\\FILESRV\\src\\A;"
	    "\\\\DP02\\E$\\SMSPKG\\A.PCK;\\\\DP01\\E$\\SMS\\x;", "rows in the asked order");
	is_str(w.sizes.data, "1;2;1;3;2;", "each row from the server it names");
	is_str(pri->seen.data, "pathinfo;", "PRI asked once, for its two paths");
	is_str(dp1->seen.data, "pathinfo;", "DP01 asked once, for its two paths");
	is_str(dp2->seen.data, "pathinfo;", "DP02 asked once");

	dp2->down = true;
	buf_reset(&w.paths);
	buf_reset(&w.sizes);
	buf_reset(&w.errors);
	ok(transport_call(r, &op, row, &w, &dl, &err) == 0, "one server down: the pathinfo still answers");
	is_str(w.sizes.data, "1;2;1;;2;", "the others' rows are whole");
	contains(w.errors.data, ";;;DP02: connection refused (op pathinfo);;",
	    "the down server's path carries its error");
	free(err);
	err = NULL;

	/* Read-only: the route refuses a change before any server sees it. */
	transport_set_read_only(r, true);
	struct op del = { .kind = OP_DELETEFILE };
	op_set(&del, "path", "\\\\DP01\\E$\\x.PKG");
	buf_reset(&dp1->seen);
	ok(transport_call(r, &del, row, &w, &dl, &err) != 0, "read-only: deletefile refused");
	ok(dp1->seen.len == 0, "DP01 never saw it");
	free(err);
	buf_free(&w.paths);
	buf_free(&w.sizes);
	buf_free(&w.errors);
	transport_close(r);
}

/* A DP whose transport answers only file ops (as an SMB transport will):
 * the route gives it the kinds it answers for its own files and keeps the
 * rest on the WMI host; a transport asked for a kind it does not answer
 * refuses it before carrying anything. */
static void
test_capability(void)
{
	struct fake *f;
	struct transport *files = fake_new("DP01", 2, &f);
	files->answers = TRANSPORT_OP(OP_PATHINFO) | TRANSPORT_OP(OP_DIRLIST) |
	    TRANSPORT_OP(OP_READFILE);
	struct fake *w;
	struct transport *r = route_new(fake_new("PRI", 1, &w));
	char *err = NULL;
	ok(route_add(r, "DP01", files, &err) == 0, "a files-only DP01 added");
	is_int(picked(r, mkop(OP_DIRLIST, "dir", "\\\\DP01\\E$\\SMS", "pattern", "*")), 2,
	    "a kind it answers, on its files: DP01");
	is_int(picked(r, mkop(OP_SHAREACL, "server", "DP01", "share", "SMSPKGE$")), 1,
	    "a kind it does not answer (shareacl): the WMI host, by UNC");
	is_int(picked(r, mkop(OP_DELETEFILE, "path", "\\\\DP01\\E$\\x.PKG", NULL, NULL)), 1,
	    "deletefile, not answered by DP01's transport: the WMI host");
	ok(transport_answers(r, OP_STATUS) && transport_answers(r, OP_DIRLIST),
	    "the route answers the union of its transports' kinds");

	struct op acl = mkop(OP_SHAREACL, "server", "DP01", "share", "SMSPKGE$");
	ok(route_pick(files, &acl) == files, "route_pick of a transport that is no route: itself");
	struct deadline dl = { clock_mono_ms() + 5000, NULL };
	ok(transport_call(files, &acl, NULL, NULL, &dl, &err) != 0,
	    "asked directly, a transport refuses a kind it does not answer");
	contains(err, "DP01: the fake transport does not carry shareacl", "  naming host and op");
	ok(f->seen.len == 0, "  before carrying anything");
	free(err);
	transport_close(r);
}

/* Issue 13: a server reached over SMB answers its layout, not a preload;
 * preload's via follows where it goes; a key log-in's failures to reach
 * another server are explained. */
static void
test_issue13(void)
{
	struct fake *w, *smb, *sshf;
	struct transport *r = route_new(fake_new("SMS009PRI", 1, &w));
	struct transport *st = fake_new("LEEDSDP01", 2, &smb);
	st->answers = TRANSPORT_OP(OP_LAYOUT) | TRANSPORT_OP(OP_PATHINFO);
	char *err = NULL;
	ok(route_add(r, "LEEDSDP01", st, &err) == 0 &&
	    route_add(r, "TORDP01", fake_new("TORDP01", 3, &sshf), &err) == 0, "two servers added");
	is_int(picked(r, mkop(OP_LAYOUT, "server", "LEEDSDP01", NULL, NULL)), 2,
	    "layout of an smb server: its share list");
	is_int(picked(r, mkop(OP_PRELOAD, "server", "LEEDSDP01", "package", "009000B7")), 1,
	    "preload on an smb server: the WMI host (smb cannot run it)");
	struct deadline dl = { clock_mono_ms() + 5000, NULL };
	struct op pl = mkop(OP_PRELOAD, "server", "TORDP01", "package", "009000B7");
	op_set(&pl, "via", "wmi");
	ok(transport_call(r, &pl, NULL, NULL, &dl, &err) == 0, "preload on TORDP01 answers");
	is_str(sshf->vias.data, "local;", "  its own transport got via=local (asked wmi)");
	op_set(&pl, "server", "LEEDSDP01");
	op_set(&pl, "via", "local");
	ok(transport_call(r, &pl, NULL, NULL, &dl, &err) == 0, "preload on LEEDSDP01 answers");
	is_str(w->vias.data, "wmi;", "  the WMI host got via=wmi (asked local)");

	/* The explanation, only for a key log-in without a credential, about
	 * another server, for the failures such a session has. */
	const char *denied = "Exception calling \"Create\": \"Access is denied. "
	    "(Exception from HRESULT: 0x80070005 (E_ACCESSDENIED))\"";
	ok(transport_netcred_why(r, "LEEDSDP01", denied) == NULL, "no key log-in: no explanation");
	atomic_store(&r->key_login, true);
	ok(transport_netcred_why(r, "LEEDSDP01", denied) == NULL,
	    "  the route's own flag does not count: the WMI host's does");
	/* The WMI host's transport: the one a status goes to. */
	struct transport *wmi = route_pick(r, &(struct op){ .kind = OP_STATUS });
	atomic_store(&wmi->key_login, true);
	char *why = transport_netcred_why(r, "LEEDSDP01", denied);
	ok(why != NULL, "key log-in, access denied on another server: explained");
	contains(why, "SMS009PRI cannot reach LEEDSDP01", "  naming both servers");
	contains(why, "key log-in carries no network credentials", "  the key log-in");
	contains(why, "credential = ask", "  and the ways out: credential = ask,");
	contains(why, "password", "  a password log-in,");
	contains(why, "[server LEEDSDP01] section of its own", "  a section of its own");
	contains(why, "0x80070005", "  with what Windows said");
	free(why);
	static const char *const hits[] = { "The network path was not found.",
		"HRESULT: 0x80070035", "The RPC server is unavailable. (0x800706BA)",
		"Logon failure: unknown user name or bad password", "0x8007052E" };
	for (size_t i = 0; i < sizeof hits / sizeof hits[0]; i++) {
		why = transport_netcred_why(wmi, "LEEDSDP01", hits[i]);
		ok(why != NULL, "  explained: %s", hits[i]);
		free(why);
	}
	ok(transport_netcred_why(r, "LEEDSDP01", "The system cannot find the file specified.") == NULL,
	    "  not for a missing file");
	ok(transport_netcred_why(r, "sms009pri", denied) == NULL, "  not about the WMI host itself");
	ok(transport_netcred_why(r, NULL, denied) == NULL, "  not without a server");
	atomic_store(&wmi->has_credential, true);
	ok(transport_netcred_why(r, "LEEDSDP01", denied) == NULL, "  not when it holds a credential");
	atomic_store(&wmi->has_credential, false);

	/* Inside the route: an op on the WMI host naming another server. */
	w->fails = "Access is denied. (Exception from HRESULT: 0x80070005 (E_ACCESSDENIED))";
	op_set(&pl, "server", "LEEDSDP01");
	free(err);
	err = NULL;
	ok(transport_call(r, &pl, NULL, NULL, &dl, &err) != 0, "a preload via wmi that is denied fails");
	contains(err, "SMS009PRI cannot reach LEEDSDP01: dpdoctor logged in to SMS009PRI with a key",
	    "  with the explanation");
	free(err);
	err = NULL;
	struct op cp = mkop(OP_COPYFILE, "src", "E:\\SMSPKG\\009000B7.PCK", "dst",
	    "\\\\CHIDP01\\SMSPKGD$\\009000B7.PCK");
	ok(transport_call(r, &cp, NULL, NULL, &dl, &err) != 0, "a copy to another server, denied");
	contains(err, "cannot reach CHIDP01", "  explained too");
	free(err);
	err = NULL;
	struct op stq = mkop(OP_STATUS, "site", "009", NULL, NULL);
	ok(transport_call(r, &stq, NULL, NULL, &dl, &err) != 0 && strstr(err, "cannot reach") == NULL,
	    "status naming no other server: the error as it was");
	free(err);
	transport_close(r);
}

int
main(void)
{
	test_pick();
	test_split();
	test_capability();
	test_issue13();
	return done_testing();
}
