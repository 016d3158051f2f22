/* Unit tests: where SMS lives on a server (backend/sms/layout.c), over a
 * fake host that answers the layout op from a table: each source in its
 * order, the configuration's overrides, a failing source, an SMB share
 * list (names without folders), a plain DP, the cache and forgetting. */
#include "autoconf.h"
#include "backend/sms/layout.h"
#include "backend/core/proto.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One Y row the fake answers for a server. */
struct row {
	const char *server, *source, *name, *value, *error;
};

static const struct row *rows;
static size_t nrows;
static int calls;
static const char *down; /* this server's layout cannot be asked */

static int
fake_call(struct transport *t, const struct op *op, proto_record_fn fn, void *arg,
    const struct deadline *dl, char **err)
{
	(void)dl;
	calls++;
	const char *server = op_arg(op, "server");
	if (op->kind != OP_LAYOUT || server == NULL) {
		err_set(err, "unexpected op");
		return TRANSPORT_EFAIL;
	}
	if (down != NULL && strcasecmp(down, server) == 0) {
		err_set(err, "%s: The RPC server is unavailable", t->host);
		return TRANSPORT_EREPLY;
	}
	static const char *const cols[] = { "Source", "Name", "Value", "Error" };
	struct proto_emit e;
	proto_emit_begin(&e, fn, arg);
	proto_emit_cols(&e, "Y", cols, 4);
	for (size_t i = 0; i < nrows; i++) {
		if (strcasecmp(rows[i].server, server) != 0)
			continue;
		const char *v[] = { rows[i].source, rows[i].name, rows[i].value, rows[i].error };
		if (proto_emit_row(&e, v, 4, err) != 0)
			return TRANSPORT_EREPLY;
	}
	return 0;
}

static const struct transport_ops fake_ops = { .name = "fake", .call = fake_call, .close = NULL };

/* The configuration: sms_path / pck_path for one server. */
struct ovs {
	const char *server, *sms, *pck;
};

static const char *
ov_get(const void *ctx, const char *server, const char *key)
{
	const struct ovs *o = ctx;
	if (o == NULL || strcasecmp(o->server, server) != 0)
		return NULL;
	return strcmp(key, "sms_path") == 0 ? o->sms : strcmp(key, "pck_path") == 0 ? o->pck : NULL;
}

static const struct row world[] = {
	/* A child site server: SMS on D:, its dist share on D:. */
	{ "LEEDSDP01", "registry", "Installation Directory", "D:\\SMS", "" },
	{ "LEEDSDP01", "share", "SMS_LDS", "D:\\SMS", "" },
	{ "LEEDSDP01", "share", "SMSPKGD$", "D:\\SMSPKGD$", "" },
	{ "LEEDSDP01", "share", "ADMIN$", "C:\\WINDOWS", "" },
	/* A site server whose registry cannot be read remotely. */
	{ "TORDP01", "registry", "", "", "Access is denied." },
	{ "TORDP01", "share", "SMS_TOR", "F:\\SMS", "" },
	{ "TORDP01", "share", "SMSPKGF$", "F:\\SMSPKGF$", "" },
	/* Known only by its SMB share list: names, no folders. */
	{ "SMBDP01", "registry", "", "", "no registry over SMB" },
	{ "SMBDP01", "share", "SMSPKGE$", "", "" },
	{ "SMBDP01", "share", "IPC$", "", "" },
	/* A plain DP: no SMS install (the registry value is absent). */
	{ "LOCALDP01", "registry", "Installation Directory", "", "" },
	{ "LOCALDP01", "share", "SMSPKGD$", "D:\\SMSPKGD$", "" },
	/* The primary. */
	{ "SMS009PRI", "registry", "Installation Directory", "E:\\SMS", "" },
	{ "SMS009PRI", "share", "SMSPKGE$", "E:\\SMSPKGE$", "" },
};

static struct transport host = { .ops = &fake_ops, .host = (char *)"SMS009PRI",
	.answers = TRANSPORT_ALL_OPS };

static struct site_env
env_new(struct layout_cache *c, const struct ovs *o)
{
	return (struct site_env){ .t = &host, .site = "009", .primary = "SMS009PRI",
		.layouts = c, .ov = { ov_get, o } };
}

static void
test_registry_and_shares(void)
{
	struct site_env env = env_new(NULL, NULL);
	struct layout l;
	char *err = NULL;
	ok(layout_get(&env, NULL, "LEEDSDP01", NULL, &l, &err) == 0, "a site server's layout (%s)",
	    err ? err : "");
	is_str(l.sms_dir, "D:\\SMS", "SMS folder from the registry");
	is_int(l.sms_from, LAYOUT_SRC_REGISTRY, "  said so");
	is_str(l.pck_dir, "D:\\SMSPKG", "PCKs on the SMS folder's drive");
	is_int(l.pck_from, LAYOUT_SRC_DERIVED, "  derived, and said so");
	is_str(l.share, "SMSPKGD$", "the dist share");
	is_str(l.share_dir, "D:\\SMSPKGD$", "  its folder from Win32_Share");
	is_int(l.share_from, LAYOUT_SRC_SHARE, "  said so");
	is_str(l.via, "SMS009PRI", "asked through the WMI host");
	ok(l.error == NULL, "nothing missing (%s)", l.error ? l.error : "");
	char *d = layout_describe(&l, l.learned + 180);
	contains(d, "SMS D:\\SMS (the registry's SMS Installation Directory)", "described: SMS");
	contains(d, "PCKs D:\\SMSPKG (the SMS folder's drive)", "  PCKs");
	contains(d, "share SMSPKGD$ = D:\\SMSPKGD$", "  share");
	contains(d, "via SMS009PRI, 3 min ago", "  via and age");
	free(d);
	layout_clear(&l);
}

static void
test_share_when_registry_fails(void)
{
	struct site_env env = env_new(NULL, NULL);
	struct layout l;
	char *err = NULL;
	ok(layout_get(&env, NULL, "TORDP01", NULL, &l, &err) == 0, "registry refused, shares read");
	is_str(l.sms_dir, "F:\\SMS", "SMS folder from the SMS_TOR share");
	is_int(l.sms_from, LAYOUT_SRC_SHARE, "  said so");
	is_str(l.pck_dir, "F:\\SMSPKG", "PCKs on F:");
	contains(l.error, "registry: Access is denied.", "the failed source is kept, with why");
	layout_clear(&l);
}

static void
test_smb_names(void)
{
	struct site_env env = env_new(NULL, NULL);
	struct layout l;
	char *err = NULL;
	ok(layout_get(&env, NULL, "SMBDP01", NULL, &l, &err) == 0, "an SMB share list (%s)",
	    err ? err : "");
	is_str(l.share, "SMSPKGE$", "the dist share by name");
	is_str(l.share_dir, "E:\\SMSPKGE$", "  its folder from the name");
	is_int(l.share_from, LAYOUT_SRC_SMB, "  said so");
	ok(l.sms_dir == NULL && l.pck_dir == NULL, "no SMS folder learned");
	contains(l.error, "SMBDP01", "what is missing names the server");
	contains(l.error, "sms_path", "  and the setting that tells it");
	layout_clear(&l);
}

static void
test_plain_dp(void)
{
	struct site_env env = env_new(NULL, NULL);
	struct layout l;
	char *err = NULL;
	ok(layout_get(&env, NULL, "LOCALDP01", NULL, &l, &err) == 0, "a plain DP");
	ok(l.sms_dir == NULL && l.pck_dir == NULL, "no SMS, no PCK folder");
	ok(l.error == NULL, "  and that is not an error (%s)", l.error ? l.error : "");
	is_str(l.share_dir, "D:\\SMSPKGD$", "its share folder");
	char *d = layout_describe(&l, l.learned);
	contains(d, "no SMS install", "described as a DP only");
	free(d);
	layout_clear(&l);
}

static void
test_overrides_and_site(void)
{
	struct ovs o = { "leedsdp01", "G:\\Program Files\\SMS", "H:\\PCK" };
	struct site_env env = env_new(NULL, &o);
	struct layout l;
	char *err = NULL;
	ok(layout_get(&env, NULL, "LEEDSDP01", NULL, &l, &err) == 0, "with overrides");
	is_str(l.sms_dir, "G:\\Program Files\\SMS", "sms_path wins over the registry");
	is_int(l.sms_from, LAYOUT_SRC_CONFIG, "  said so");
	is_str(l.pck_dir, "H:\\PCK", "pck_path wins");
	is_int(l.pck_from, LAYOUT_SRC_CONFIG, "  said so");
	layout_clear(&l);

	/* SMS_Site.InstallDir comes before the registry. */
	struct snapshot *s = snapshot_new();
	struct site_info si = { .code = "LDS", .parent = "009", .server = (char *)"LEEDSDP01",
		.install_dir = (char *)"C:\\SMS", .type = 1 };
	snapshot_add_site(s, &si);
	env = env_new(NULL, NULL);
	ok(layout_get(&env, s, "LEEDSDP01", NULL, &l, &err) == 0, "a site server in SMS_Site");
	is_str(l.sms_dir, "C:\\SMS", "InstallDir before the registry");
	is_int(l.sms_from, LAYOUT_SRC_SITE, "  said so");
	is_str(l.pck_dir, "C:\\SMSPKG", "PCKs on its drive");
	layout_clear(&l);

	/* The primary's PCKs: where a package's StoredPkgPath is. */
	size_t p = snapshot_add_pkg(s, "009000B7");
	s->pkgs[p].stored_path = xstrdup("G:\\SMSPKG\\009000B7.PCK");
	ok(layout_get(&env, s, "SMS009PRI", NULL, &l, &err) == 0, "the primary");
	is_str(l.pck_dir, "G:\\SMSPKG", "PCK folder from StoredPkgPath");
	is_int(l.pck_from, LAYOUT_SRC_STORED, "  said so");
	is_str(l.sms_dir, "E:\\SMS", "SMS from its registry");
	layout_clear(&l);
	ok(layout_get(&env, s, "LEEDSDP01", NULL, &l, &err) == 0 &&
	    strcmp(l.pck_dir, "C:\\SMSPKG") == 0, "not StoredPkgPath for another server");
	layout_clear(&l);
	snapshot_free(s);
}

static void
test_failing(void)
{
	struct layout_cache *c = layout_cache_new();
	struct site_env env = env_new(c, NULL);
	struct layout l;
	char *err = NULL;
	down = "LEEDSDP01";
	calls = 0;
	ok(layout_get(&env, NULL, "LEEDSDP01", NULL, &l, &err) == -1, "nothing learned: -1");
	contains(err, "where SMS lives on LEEDSDP01", "names the server");
	contains(err, "not a site server in SMS_Site", "  each source");
	contains(err, "The RPC server is unavailable", "  and why the op failed");
	contains(err, "set sms_path (and pck_path)", "  and the settings that would tell it");
	free(err);
	err = NULL;
	ok(layout_get(&env, NULL, "LEEDSDP01", NULL, &l, &err) == -1 && calls == 2,
	    "a failure is not cached: asked again");
	free(err);
	err = NULL;

	/* With an override only part is missing: 0, and the error says what. */
	struct ovs o = { "LEEDSDP01", "D:\\SMS", NULL };
	env.ov.ctx = &o;
	ok(layout_get(&env, NULL, "LEEDSDP01", NULL, &l, &err) == 0, "sms_path alone is enough");
	is_str(l.sms_dir, "D:\\SMS", "  the override");
	is_str(l.pck_dir, "D:\\SMSPKG", "  PCKs derived from it");
	contains(l.error, "The RPC server is unavailable", "  what failed is said");
	layout_clear(&l);
	down = NULL;
	layout_cache_free(c);
}

static void
test_cache(void)
{
	struct layout_cache *c = layout_cache_new();
	struct site_env env = env_new(c, NULL);
	struct layout l;
	char *err = NULL;
	calls = 0;
	ok(layout_get(&env, NULL, "LEEDSDP01", NULL, &l, &err) == 0 && calls == 1, "learned once");
	layout_clear(&l);
	ok(layout_get(&env, NULL, "leedsdp01", NULL, &l, &err) == 0 && calls == 1,
	    "then from the cache (any letter case)");
	is_str(l.sms_dir, "D:\\SMS", "  the same layout");
	layout_clear(&l);
	ok(layout_get(&env, NULL, "TORDP01", NULL, &l, &err) == 0 && calls == 2, "another server");
	layout_clear(&l);
	struct layout *v;
	size_t n = layout_cache_list(c, &v);
	is_int((long long)n, 2, "two cached");
	ok(n == 2 && strcmp(v[0].server, "LEEDSDP01") == 0 && strcmp(v[1].server, "TORDP01") == 0,
	    "  in the order learned");
	for (size_t i = 0; i < n; i++)
		layout_clear(&v[i]);
	free(v);
	layout_cache_forget(c);
	n = layout_cache_list(c, &v);
	ok(n == 0 && v == NULL, "forgotten");
	ok(layout_get(&env, NULL, "LEEDSDP01", NULL, &l, &err) == 0 && calls == 3,
	    "asked again after forgetting");
	layout_clear(&l);
	layout_cache_free(c);
}

static void
test_unc(void)
{
	static const struct { const char *server, *local, *rel, *want; } t[] = {
		{ "LEEDSDP01", "D:\\SMS", "Logs\\distmgr.log", "\\\\LEEDSDP01\\D$\\SMS\\Logs\\distmgr.log" },
		{ "LEEDSDP01", "d:\\SMS\\", "Logs", "\\\\LEEDSDP01\\D$\\SMS\\Logs" },
		{ "X", "F:\\", "SMSPKG", "\\\\X\\F$\\SMSPKG" },
		{ "X", "F:", NULL, "\\\\X\\F$" },
		{ "X", "E:\\SMSPKGE$", NULL, "\\\\X\\E$\\SMSPKGE$" },
		{ "X", "\\\\Y\\share", "a", NULL },
		{ "X", "SMS", "a", NULL },
		{ "X", NULL, "a", NULL },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *got = layout_unc(t[i].server, t[i].local, t[i].rel);
		if (t[i].want == NULL)
			ok(got == NULL, "layout_unc(%s): not a drive path", t[i].local ? t[i].local : "NULL");
		else
			is_str(got, t[i].want, "layout_unc(%s, %s)", t[i].local, t[i].rel ? t[i].rel : "");
		free(got);
	}
	is_str(layout_source_words(LAYOUT_SRC_SMB), "the server's share list over SMB", "source words");
}

int
main(void)
{
	rows = world;
	nrows = sizeof world / sizeof world[0];
	test_registry_and_shares();
	test_share_when_registry_fails();
	test_smb_names();
	test_plain_dp();
	test_overrides_and_site();
	test_failing();
	test_cache();
	test_unc();
	return done_testing();
}
