/*
 * Where things are on the simulated hierarchy, answered as a real site
 * would: the sites op is the provider's SMS_Site list (the primary and its
 * child sites, each with its site server and SMS folder); the layout op is
 * what a host learns about a server's SMS folder and shares from the
 * registry (StdRegProv) and Win32_Share.  Asked about another server, both
 * are remote WMI calls, which a key log-in without a credential cannot
 * make: they fail per source with Windows' words, never a guess.
 */
#include "autoconf.h"
#include "backend/sim/simint.h"
#include "backend/core/nal.h"
#include "backend/ops/ops.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const struct arg_rule simsites_sites_rules[] = {
	{ "site", sitecode_valid, true, "site code" },
	{ "provider", servername_valid, false, "server name" },
	{ NULL, NULL, false, NULL },
};

const struct arg_rule simsites_layout_rules[] = {
	{ "server", servername_valid, true, "server name" },
	{ NULL, NULL, false, NULL },
};

#define RPC_UNAVAILABLE "The RPC server is unavailable. (Exception from HRESULT: 0x800706BA)"

/* ---- sites ------------------------------------------------------------------ */

/* A child site is named after its server's town: "LEEDSDP01" -> "Leeds". */
static char *
site_name(const struct sim_site *s, uint32_t srv)
{
	if (srv == s->primary)
		return xasprintf("Head Office %s", s->site_code);
	const char *n = s->srv[srv].name;
	const char *dp = strstr(n, "DP");
	char *name = xstrndup(n, dp && dp > n ? (size_t)(dp - n) : strlen(n));
	for (char *p = name + 1; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return name;
}

static void
site_row(struct reply *r, const struct sim_site *s, uint32_t srv)
{
	const struct sim_server *v = &s->srv[srv];
	bool primary = srv == s->primary;
	char dir[8];
	simfs_sms_dir(s, srv, dir);
	char *name = site_name(s, srv);
	const char *vals[] = { v->site, name, v->name, primary ? "" : s->site_code,
	    primary ? "2" : "1", dir };
	simreply_row(r, "T", vals, 6);
	free(name);
}

int
simsites_sites(struct opctx *x)
{
	struct sim_site *s = x->s;
	const char *site = op_arg(x->op, "site"), *prov = op_arg(x->op, "provider");
	const char *where = prov != NULL && *prov ? prov : x->host;
	long at = simdb_find_srv(s, where);
	if (at != (long)s->primary) {
		simreply_error(x->r, "SMS Provider not found on %s: root\\SMS\\site_%s does "
		    "not exist", where, site);
		return 0;
	}
	if (strcmp(site, s->site_code) != 0) {
		simreply_error(x->r, "Invalid namespace root\\SMS\\site_%s", site);
		return 0;
	}
	char *deny = simevd_remote_denied(x, s->srv[at].name, true);
	if (deny != NULL) {
		simreply_error(x->r, "%s: %s", where, deny);
		free(deny);
		return 0;
	}
	static const char *const cols[] = { "SiteCode", "SiteName", "ServerName",
	    "ReportingSiteCode", "Type", "InstallDir" };
	simreply_cols(x->r, "T", cols, 6);
	site_row(x->r, s, s->primary);
	for (uint32_t i = 0; i < s->nsrv; i++)
		if (i != s->primary && (s->srv[i].role & SIM_ROLE_SITESRV))
			site_row(x->r, s, i);
	simreply_ok(x->r);
	return 0;
}

/* ---- layout ----------------------------------------------------------------- */

static void
layout_row(struct reply *r, const char *source, const char *name, const char *value,
    const char *error)
{
	const char *vals[] = { source, name, value, error };
	simreply_row(r, "Y", vals, 4);
}

/* HKLM\SOFTWARE\Microsoft\SMS\Identification\Installation Directory, and
 * Win32_Share: both answered by the server's WMI. */
int
simsites_layout(struct opctx *x)
{
	struct sim_site *s = x->s;
	const char *server = op_arg(x->op, "server");
	static const char *const cols[] = { "Source", "Name", "Value", "Error" };
	simreply_cols(x->r, "Y", cols, 4);
	long srv = simdb_find_srv(s, server);
	char *deny = srv < 0 ? xstrdup(RPC_UNAVAILABLE) :
	    simevd_remote_denied(x, s->srv[srv].name, true);
	if (deny != NULL) {
		layout_row(x->r, "registry", "", "", deny);
		layout_row(x->r, "share", "", "", deny);
		free(deny);
		simreply_ok(x->r);
		return 0;
	}
	char dir[8];
	simfs_sms_dir(s, (uint32_t)srv, dir);
	layout_row(x->r, "registry", "Installation Directory", dir, "");
	struct sim_share sh[SIM_MAX_SHARES];
	size_t n = simfs_shares(s, (uint32_t)srv, sh);
	for (size_t i = 0; i < n; i++)
		layout_row(x->r, "share", sh[i].name, sh[i].path, "");
	simreply_ok(x->r);
	return 0;
}
