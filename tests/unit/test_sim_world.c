/*
 * The simulated hierarchy answers only what a real one could: the sites op
 * lists SMS_Site as the provider does; the layout op reads a server's SMS
 * folder from its registry and its shares from Win32_Share; a key log-in
 * (DPDOCTOR_SIM_NO_UNC=1) reaches no other server's WMI or shares unless a
 * credential comes with the script, and a wrong password fails as Windows'
 * logon failure; pathinfo and dirlist never tell a PCK's version or a PKG's
 * package; PreloadPkgOnSite runs on the child's site server, locally or by
 * Win32_Process.Create, leaving no file behind, with the tool's answer for
 * where it runs; a script that reaches for WinRM fails.  Scripts are built
 * from their argument block alone: the simulator reads nothing else.
 */
#include "autoconf.h"
#include "backend/ops/ops.h"
#include "backend/sim/simint.h"
#include "tests/unit/tap.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define T0 "2007-01-04T10:00:00Z"

struct kv {
	const char *k, *v;
};

/* The header and argument block of an op's script; the body is the ops
 * helper's (ops_ps.c) and the simulator never reads it. */
static char *
script_of(const char *op, const struct kv *args)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "# dpdoctor op=%s v=1\n$A = @{}\n", op);
	for (; args && args->k; args++)
		buf_printf(&b, "$A['%s'] = '%s'\n", args->k, args->v);
	buf_adds(&b, "Done 0\n");
	return buf_detach(&b);
}

static char *
run_as(const char *dir, const char *host, const char *op, const struct kv *args,
    const char *user, const char *pass, int *code)
{
	char *script = script_of(op, args), *err = NULL;
	struct script_result res;
	script_result_init(&res);
	int rc = sim_run_script_as(dir, host, script, user, pass, &res, &err);
	free(script);
	if (rc != 0) {
		printf("# run: %s\n", err);
		free(err);
		script_result_free(&res);
		return NULL;
	}
	if (code)
		*code = res.exit_code;
	/* Values are escaped on the wire (a backslash doubled); the checks
	 * read them as Windows wrote them. */
	char *out = xstrdup(res.out.data ? res.out.data : "");
	char *o = out;
	for (const char *p = out; *p; p++) {
		*o++ = *p;
		if (p[0] == '\\' && p[1] == '\\')
			p++;
	}
	*o = '\0';
	script_result_free(&res);
	return out;
}

static char *
run(const char *dir, const char *host, const char *op, const struct kv *args)
{
	return run_as(dir, host, op, args, NULL, NULL, NULL);
}

struct world {
	const char *dir;
	char *primary, *child, *plain_child, *own;
	char child_sms[8];
	char child_share[16];
};

static struct sim_site *
load(const char *dir)
{
	struct sim_site *s = NULL;
	char *err = NULL;
	if (simdb_load(dir, &s, &err) != 0) {
		printf("# load: %s\n", err);
		free(err);
		exit(99);
	}
	return s;
}

static void
world_find(struct world *w)
{
	struct sim_site *s = load(w->dir);
	w->primary = xstrdup(s->srv[s->primary].name);
	for (uint32_t i = 0; i < s->nsrv; i++) {
		const struct sim_server *v = &s->srv[i];
		if (i == s->primary)
			continue;
		if ((v->role & SIM_ROLE_SITESRV) && w->child == NULL) {
			bool has_dp = false;
			for (uint32_t k = 0; k < s->nsrv; k++)
				has_dp = has_dp || (k != i && s->srv[k].home == i);
			if (!has_dp)
				continue;
			w->child = xstrdup(v->name);
			simfs_sms_dir(s, i, w->child_sms);
			snprintf(w->child_share, sizeof w->child_share, "SMSPKG%c$", v->share_drive);
		} else if (!(v->role & SIM_ROLE_SITESRV) && v->home == s->primary && !w->own) {
			w->own = xstrdup(v->name);
		}
	}
	for (uint32_t i = 0; i < s->nsrv && w->child; i++)
		if (!(s->srv[i].role & SIM_ROLE_SITESRV) && s->srv[i].home != s->primary &&
		    strcmp(s->srv[s->srv[i].home].name, w->child) == 0)
			w->plain_child = xstrdup(s->srv[i].name);
	simdb_free(s);
}

static void
test_sites(const struct world *w)
{
	const struct kv a[] = { { "site", "009" }, { NULL, NULL } };
	char *r = run(w->dir, w->primary, "sites", a);
	contains(r, "COLS\tT\tSiteCode\tSiteName\tServerName\tReportingSiteCode\tType\tInstallDir",
	    "sites: SMS_Site's columns");
	char *prim = xasprintf("T\t009\tHead Office 009\t%s\t\t2\tE:\\SMS\r\n", w->primary);
	contains(r, prim, "sites: the primary, type 2, SMS on E:");
	struct sim_site *s = load(w->dir);
	long c = simdb_find_srv(s, w->child);
	char *row = xasprintf("\t%s\t009\t1\t%s\r\n", w->child, w->child_sms);
	char *code = xasprintf("T\t%s\t", s->srv[c].site);
	contains(r, row, "sites: child site server %s reports to 009, type 1, SMS in %s",
	    w->child, w->child_sms);
	contains(r, code, "sites: ... with its own code %s", s->srv[c].site);
	simdb_free(s);
	char *r2 = run(w->dir, w->child, "sites", a);
	contains(r2, "SMS Provider not found on", "sites: asked of a server without the provider");
	free(r); free(r2); free(prim); free(row); free(code);
}

static void
test_layout(const struct world *w)
{
	const struct kv a[] = { { "server", w->child }, { NULL, NULL } };
	char *r = run(w->dir, w->child, "layout", a);
	contains(r, "COLS\tY\tSource\tName\tValue\tError", "layout: its columns");
	char *reg = xasprintf("Y\tregistry\tInstallation Directory\t%s\t\r\n", w->child_sms);
	contains(r, reg, "layout: the registry gives %s's SMS folder %s", w->child, w->child_sms);
	char *share = xasprintf("Y\tshare\t%s\t%c:\\%s\t\r\n", w->child_share,
	    w->child_share[6], w->child_share);
	contains(r, share, "layout: Win32_Share lists %s with its folder", w->child_share);
	contains(r, "Y\tshare\tADMIN$\tC:\\WINDOWS\t\r\n", "layout: ADMIN$");
	contains(r, "Y\tshare\tSMS_SITE\t", "layout: SMS_SITE on a site server");
	char *smsshare = xasprintf("\tSMS_%.3s\t%s\t\r\n", "", w->child_sms);
	free(smsshare);

	const struct kv b[] = { { "server", w->plain_child }, { NULL, NULL } };
	char *r2 = run(w->dir, w->primary, "layout", b);
	contains(r2, "Y\tregistry\tInstallation Directory\t\t\r\n",
	    "layout: a plain DP has no SMS folder (empty value, no error)");
	ok(r2 && strstr(r2, "SMS_SITE") == NULL, "layout: ... and no SMS_SITE share");

	setenv("DPDOCTOR_SIM_NO_UNC", "1", 1);
	char *r3 = run(w->dir, w->primary, "layout", a);
	contains(r3, "Y\tregistry\t\t\tAccess is denied. (Exception from HRESULT: 0x80070005 "
	    "(E_ACCESSDENIED))\r\n", "layout: a key log-in cannot read another server's registry");
	contains(r3, "Y\tshare\t\t\tAccess is denied.", "layout: ... nor its Win32_Share");
	char *r4 = run(w->dir, w->child, "layout", a);
	contains(r4, reg, "layout: a key log-in still reads its own server");
	char *r5 = run_as(w->dir, w->primary, "layout", a, "SITE009\\dpdoctor", "pw", NULL);
	contains(r5, reg, "layout: with a credential the remote registry answers");
	setenv("DPDOCTOR_SIM_PASSWORD", "right", 1);
	char *r6 = run_as(w->dir, w->primary, "layout", a, "SITE009\\dpdoctor", "wrong", NULL);
	contains(r6, "Logon failure: unknown user name or bad password.",
	    "layout: a wrong password is a logon failure");
	char *r7 = run_as(w->dir, w->primary, "layout", a, "SITE009\\dpdoctor", "right", NULL);
	contains(r7, reg, "layout: the right password answers");
	unsetenv("DPDOCTOR_SIM_PASSWORD");
	unsetenv("DPDOCTOR_SIM_NO_UNC");
	const struct kv c[] = { { "server", "NOSUCHDP01" }, { NULL, NULL } };
	char *r8 = run(w->dir, w->primary, "layout", c);
	contains(r8, "Y\tregistry\t\t\tThe RPC server is unavailable.", "layout: an unknown server");
	free(r); free(r2); free(r3); free(r4); free(r5); free(r6); free(r7); free(r8);
	free(reg); free(share);
}

/* UNC reads and Win32_Share on another server fail for a key log-in. */
static void
test_no_unc(const struct world *w)
{
	char *unc = xasprintf("\\\\%s\\%s", w->child, w->child_share);
	const struct kv a[] = { { "paths", unc }, { NULL, NULL } };
	char *r1 = run(w->dir, w->primary, "pathinfo", a);
	char *want = xasprintf("F\t%s\t1\t1\t", unc);
	contains(r1, want, "pathinfo: %s reachable with network credentials", unc);
	setenv("DPDOCTOR_SIM_NO_UNC", "1", 1);
	char *r2 = run(w->dir, w->primary, "pathinfo", a);
	contains(r2, "access is denied", "pathinfo: not for a key log-in");
	char *r3 = run_as(w->dir, w->primary, "pathinfo", a, "SITE009\\dpdoctor", "x", NULL);
	contains(r3, want, "pathinfo: a credential lifts it");
	const struct kv st[] = { { "site", "009" }, { "provider", w->primary }, { NULL, NULL } };
	char *r6 = run(w->dir, w->child, "status", st);
	contains(r6, "Access is denied", "status: another host's provider is remote WMI");
	char *r7 = run(w->dir, w->primary, "status", st);
	contains(r7, "END\tok", "status: the provider's own host answers");
	free(r6);
	free(r7);
	const struct kv b[] = { { "server", w->child }, { "share", w->child_share },
	    { NULL, NULL } };
	char *r4 = run(w->dir, w->primary, "shareacl", b);
	contains(r4, "Access is denied", "shareacl: remote Win32_Share refused for a key log-in");
	unsetenv("DPDOCTOR_SIM_NO_UNC");
	char *r5 = run(w->dir, w->primary, "shareacl", b);
	char *path = xasprintf("\t%c:\\%s\t", w->child_share[6], w->child_share);
	contains(r5, path, "shareacl: the share's folder on its own drive");
	free(r1); free(r2); free(r3); free(r4); free(r5); free(want); free(unc); free(path);
}

/* No Version or PackageID: a real host cannot read them from the files. */
static void
test_truth_only(const struct world *w)
{
	struct sim_site *s = load(w->dir);
	long c = simdb_find_srv(s, w->child);
	char inbox[64];
	snprintf(inbox, sizeof inbox, "%s\\inboxes\\distmgr.box", w->child_sms);
	simdb_free(s);
	(void)c;
	const struct kv a[] = { { "dir", inbox }, { "pattern", "*.PKG" }, { NULL, NULL } };
	char *r = run(w->dir, w->child, "dirlist", a);
	size_t rows = 0, told = 0;
	for (char *l = r ? strtok(r, "\n") : NULL; l; l = strtok(NULL, "\n")) {
		if (strncmp(l, "F\t", 2) != 0)
			continue;
		rows++;
		/* Path Exists IsDir Size MTime Attrs Version Error Name PackageID */
		char *f[11] = { 0 };
		size_t n = 0;
		for (char *p = l; p && n < 11; n++) {
			f[n] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = '\0';
		}
		char *e = f[10] ? strchr(f[10], '\r') : NULL;
		if (e)
			*e = '\0';
		told += n >= 11 && (*f[7] != '\0' || *f[10] != '\0');
	}
	ok(rows > 0, "dirlist: %zu package files in %s", rows, inbox);
	is_int((long)told, 0, "dirlist: none answers a Version or PackageID");
	free(r);
}

static bool
dir_has_prefix(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	bool found = false;
	struct dirent *de;
	while (d && !found && (de = readdir(d)) != NULL)
		found = strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	if (d)
		closedir(d);
	return found;
}

/* A PCK_MISSING pair at a child site server: copy the PCK, preload. */
static void
test_preload(const struct world *w)
{
	struct sim_site *s = load(w->dir);
	const struct sim_cell *pc = NULL;
	for (size_t i = 0; i < s->ncell && pc == NULL; i++)
		if (s->cell[i].mode == SIM_MODE_PCK_MISSING &&
		    (s->srv[s->cell[i].srv].role & SIM_ROLE_SITESRV))
			pc = &s->cell[i];
	if (!ok(pc != NULL, "a PCK_MISSING pair at a child site server"))
		return;
	uint32_t srv = pc->srv, pkg = pc->pkg;
	char *server = xstrdup(s->srv[srv].name), *id = xstrdup(s->pkg[pkg].id);
	char sms[8];
	simfs_sms_dir(s, srv, sms);
	char *err = NULL;
	/* The administrator's copy: the primary's PCK, made read-only. */
	ok(simfs_write_pck(s, srv, pkg, s->pkg[pkg].source_version, s->clock, &err) == 0,
	    "the PCK is copied to %s", server);
	char *rel = xasprintf("SMSPKG/%s.PCK", id);
	char *pck = simfs_path(s, srv, rel);
	ok(chmod(pck, 0544) == 0, "... read-only");
	ok(simdb_save(s, &err) == 0, "saved");
	simdb_free(s);

	const struct kv lo[] = { { "server", server }, { "package", id }, { "via", "local" },
	    { NULL, NULL } };
	char *r1 = run(w->dir, w->primary, "preload", lo);
	char *why = xasprintf("via local but this is %s, not %s", w->primary, server);
	contains(r1, why, "preload via local elsewhere is refused");

	const struct kv wm[] = { { "server", server }, { "package", id }, { "via", "wmi" },
	    { "smsdir", sms }, { "wait", "600" }, { NULL, NULL } };
	setenv("DPDOCTOR_SIM_NO_UNC", "1", 1);
	char *r2 = run(w->dir, w->primary, "preload", wm);
	contains(r2, "Access is denied", "preload via wmi: a key log-in cannot start it");
	unsetenv("DPDOCTOR_SIM_NO_UNC");
	int code = -1;
	char *r3 = run_as(w->dir, w->primary, "preload", wm, NULL, NULL, &code);
	char *h = xasprintf("H\twmi\tWin32_Process.Create on %s from %s, pid ", server,
	    w->primary);
	contains(r3, h, "preload via wmi: says how it ran");
	contains(r3, "O\t****** Successfully set the Compressed Package Path on this site "
	    "******\r\n", "preload via wmi: the tool's success line");
	contains(r3, "O\tForward package status for pkg ", "... forwarded to site 009");
	contains(r3, "X\t0\r\n", "... exit code 0");
	char *smsdisk = sim_server_path(w->dir, server, sms);
	ok(smsdisk && !dir_has_prefix(smsdisk, "dpdoctor-preload-"),
	    "preload via wmi: no output file left in %s", sms);
	char *r4 = run(w->dir, server, "preload", lo);
	contains(r4, "H\tlocal\t", "preload via local on the server itself");
	contains(r4, "already set in the database", "... now already set");

	const struct kv prim[] = { { "server", w->primary }, { "package", id },
	    { "via", "local" }, { NULL, NULL } };
	char *r5 = run(w->dir, w->primary, "preload", prim);
	contains(r5, "OR this is the site where the package was created.",
	    "preload on the primary: the site where the package was created");
	const struct kv own[] = { { "server", w->own }, { "package", id }, { "via", "wmi" },
	    { "smsdir", "D:\\SMS" }, { NULL, NULL } };
	char *r6 = run(w->dir, w->primary, "preload", own);
	contains(r6, "PreloadPkgOnSite.exe not found on", "preload on a plain DP: no tool there");
	const struct kv nx[] = { { "server", "NOSUCHDP01" }, { "package", id },
	    { "via", "wmi" }, { "smsdir", "D:\\SMS" }, { NULL, NULL } };
	char *r7 = run(w->dir, w->primary, "preload", nx);
	contains(r7, "The RPC server is unavailable. (0x800706BA)", "preload on an unknown server");
	free(r1); free(r2); free(r3); free(r4); free(r5); free(r6); free(r7);
	free(h); free(why); free(smsdisk); free(pck); free(rel); free(server); free(id);
	free(err);
}

/* A preload on a child site server lets its plain DPs install too: the
 * compressed package path is the site's. */
static void
test_preload_site(const struct world *w)
{
	struct sim_site *s = load(w->dir);
	uint32_t srv = 0, dp = 0, pkg = 0;
	bool found = false;
	for (size_t i = 0; i < s->ncell && !found; i++) {
		const struct sim_cell *c = &s->cell[i];
		if (c->mode != SIM_MODE_PCK_MISSING || s->srv[c->srv].home == c->srv ||
		    !simdb_child(s, c->srv))
			continue;
		const struct sim_cell *hc = simdb_cell(s, c->pkg, s->srv[c->srv].home);
		if (hc == NULL || hc->mode != SIM_MODE_PCK_MISSING)
			continue;
		srv = s->srv[c->srv].home;
		dp = c->srv;
		pkg = c->pkg;
		found = true;
	}
	if (!ok(found, "a PCK_MISSING package at a child site server and its plain DP")) {
		simdb_free(s);
		return;
	}
	char *server = xstrdup(s->srv[srv].name), *plain = xstrdup(s->srv[dp].name);
	char *id = xstrdup(s->pkg[pkg].id), *err = NULL;
	ok(simfs_write_pck(s, srv, pkg, s->pkg[pkg].source_version, s->clock, &err) == 0,
	    "the PCK is copied to %s", server);
	char *rel = xasprintf("SMSPKG/%s.PCK", id);
	char *pck = simfs_path(s, srv, rel);
	ok(chmod(pck, 0544) == 0 && simdb_save(s, &err) == 0, "... read-only");
	simdb_free(s);
	const struct kv lo[] = { { "server", server }, { "package", id }, { "via", "local" },
	    { NULL, NULL } };
	char *r = run(w->dir, server, "preload", lo);
	contains(r, "X\t0\r\n", "preload on %s succeeds", server);
	setenv("DPDOCTOR_SIM_TIME", "2007-01-04T12:30:00Z", 1);
	const struct kv st[] = { { "site", "009" }, { NULL, NULL } };
	char *r2 = run(w->dir, w->primary, "status", st);
	setenv("DPDOCTOR_SIM_TIME", T0, 1);
	s = load(w->dir);
	struct sim_cell a, b;
	ok(simdb_cell_view(s, pkg, srv, &a) && a.state == 0, "%s installed %s", server, id);
	ok(simdb_cell_view(s, pkg, dp, &b) && b.state == 0, "... and so did its plain DP %s",
	    plain);
	simdb_free(s);
	free(r); free(r2); free(rel); free(pck); free(server); free(plain); free(id); free(err);
}

static void
test_winrm(const struct world *w)
{
	char *err = NULL;
	struct script_result res;
	script_result_init(&res);
	const char *script = "# dpdoctor op=layout v=1\n$A = @{}\n$A['server'] = 'X'\n"
	    "Invoke-Command -ComputerName X -ScriptBlock { 1 }\n";
	ok(sim_run_script(w->dir, w->primary, script, &res, &err) == 0, "a WinRM script runs");
	contains(res.out.data, "WinRM, not on Windows Server 2003",
	    "... and fails: no WinRM on Server 2003");
	is_int(res.exit_code, 1, "... exit code 1");
	script_result_free(&res);
	free(err);
}

/* Every scenario is a hierarchy with each failure mode where it occurs. */
static void
test_scenario(const char *tmp, const char *name, unsigned want)
{
	char *dir = xasprintf("%s/%s", tmp, name), *err = NULL;
	if (!ok(sim_ensure(dir, name, 3, false, &err) == 0, "%s site created", name)) {
		printf("# %s\n", err);
		free(err);
		free(dir);
		return;
	}
	struct sim_site *s = load(dir);
	size_t kinds[3] = { 0, 0, 0 }, misplaced = 0;
	unsigned modes = 0;
	for (uint32_t i = 0; i < s->nsrv; i++)
		if (i != s->primary)
			kinds[(s->srv[i].role & SIM_ROLE_SITESRV) ? 1 : simdb_child(s, i) ? 2 : 0]++;
	for (size_t i = 0; i < s->ncell; i++) {
		const struct sim_cell *c = &s->cell[i];
		modes |= 1u << c->mode;
		misplaced += c->mode != SIM_MODE_NONE && c->mode != SIM_MODE_TRANSIENT &&
		    c->mode != SIM_MODE_SHARE_PERMS && c->mode != SIM_MODE_SOURCE_MISSING &&
		    !simdb_child(s, c->srv);
	}
	ok(kinds[0] >= 1 && kinds[1] >= 1 && kinds[2] >= 1, "%s: own-site DPs %zu, child site "
	    "servers %zu, plain DPs of child sites %zu", name, kinds[0], kinds[1], kinds[2]);
	is_int(modes & want, want, "%s: its failure modes are there", name);
	is_int(misplaced, 0, "%s: child-site failure modes only at child sites", name);
	simdb_free(s);
	free(dir);
}

int
main(void)
{
	setenv("DPDOCTOR_SIM_TIME", T0, 1);
	unsetenv("DPDOCTOR_SIM_NO_UNC");
	unsetenv("DPDOCTOR_SIM_PASSWORD");
	char *tmp = xstrdup("/tmp/dpd-test-simworld-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return 99;
	char *dir = xasprintf("%s/site", tmp);
	char *err = NULL;
	if (!ok(sim_ensure(dir, "default", 1, false, &err) == 0, "default site created"))
		printf("# %s\n", err);
	struct world w = { .dir = dir };
	world_find(&w);
	ok(w.child && w.plain_child && w.own, "a child site server with a plain DP (%s, %s), an "
	    "own-site DP (%s)", w.child, w.plain_child, w.own);
	if (w.child && w.plain_child && w.own) {
		test_sites(&w);
		test_layout(&w);
		test_no_unc(&w);
		test_truth_only(&w);
		test_preload(&w);
		test_winrm(&w);
		test_preload_site(&w);
	}
	unsigned all = ((1u << SIM_MODE_COUNT) - 1) & ~1u;
	test_scenario(tmp, "small", all);
	/* wide's packages are on most of its 100 DPs: none is small enough
	 * for a package-wide fault within its quota. */
	test_scenario(tmp, "wide", all & ~(1u << SIM_MODE_SOURCE_MISSING) &
	    ~(1u << SIM_MODE_PCK_NO_REGEN));
	free(w.primary); free(w.child); free(w.plain_child); free(w.own);
	(void)simfs_remove_tree(tmp, NULL);
	free(dir);
	free(tmp);
	free(err);
	return done_testing();
}
