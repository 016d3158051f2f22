/*
 * The simulated hosts' answer to a script.  The script text is what
 * ops_render() made for a real Windows host; we read its op and arguments
 * back with ops_parse(), check the arguments again as a host would (the
 * text may not come from us), refuse what PowerShell 2.0 lacks (simps2.c),
 * bring the site up to the present and run the op's handler from a table
 * keyed by op kind.  Every handler writes its reply through simreply.c.
 */
#include "autoconf.h"
#include "backend/sim/simint.h"
#include "backend/core/nal.h"
#include "backend/ops/ops_ps.h"
#include "backend/core/proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arguments ------------------------------------------------------------ */

static const struct arg_rule status_rules[] = {
	{ "site", sitecode_valid, true, "site code" },
	{ "provider", servername_valid, false, "server name" },
	{ "package", pkgid_valid, false, "package ID" },
	{ "since", ops_isotime_valid, false, "time (YYYY-MM-DDTHH:MM:SSZ)" },
	{ NULL, NULL, false, NULL },
};

/* Returns NULL when the op's arguments are acceptable, else why not. */
static char *
args_check(const struct op *op, const struct arg_rule *rules)
{
	for (size_t i = 0; i < op->nargs; i++) {
		const struct arg_rule *r = rules;
		while (r->key && strcmp(r->key, op->args[i].key) != 0)
			r++;
		if (r->key == NULL)
			return xasprintf("op %s takes no argument %s", op_name(op->kind),
			    op->args[i].key);
	}
	for (const struct arg_rule *r = rules; r->key; r++) {
		const char *v = op_arg(op, r->key);
		if (v == NULL || *v == '\0') {
			if (r->required)
				return xasprintf("argument %s is required", r->key);
			continue;
		}
		if (!r->valid(v))
			return xasprintf("argument %s: \"%s\" is not a valid %s", r->key, v,
			    r->what);
	}
	return NULL;
}

/* ---- the status op --------------------------------------------------------- */

/* The status op answers packages [from, to): all of them, or the one a
 * WHERE PackageID = '<id>' clause picks (none when the site lacks it).
 * Rows go as the script's Same writes them (ops_ps.c status_body). */
static void
status_packages(struct reply *r, const struct sim_site *s, size_t from, size_t to,
    dpd_time since)
{
	static const char *const cols[] = { "PackageID", "Name", "Manufacturer",
	    "Version", "Language", "PkgSourcePath", "SourceVersion",
	    "StoredPkgVersion", "StoredPkgPath", "SourceSite", "SourceDate" };
	simreply_cols(r, "P", cols, 11);
	for (size_t i = from; i < to; i++) {
		const struct sim_pkg *p = &s->pkg[i];
		if (!simdelta_pkg_new(s, (uint32_t)i, since))
			continue;
		char sv[11], st[11], date[26];
		snprintf(sv, sizeof sv, "%u", p->source_version);
		snprintf(st, sizeof st, "%u", p->stored_version);
		simclock_wmi(p->source_date, (uint32_t)i, date);
		const char *v[] = { p->id, p->name, p->manufacturer, p->version,
		    p->language, p->source_path, sv, st, p->stored_path,
		    p->source_site, date };
		simreply_same(r, "P", v, 11, true);
	}
}

/* The cell rows, in the provider's order (package by package): a DP's
 * NAL path and site go once, in a D row declaring its index the first
 * time the DP appears, as the script's hashtable numbers them. */
struct cell_writer {
	struct reply *r;
	const struct sim_site *s;
	long *index;              /* server -> its D row's index, or -1 */
	long ndp;
	/* The previous C row's fields, for \= (as simreply_same keeps them):
	 * written here directly because a large site's reply is a million
	 * rows whose fields never need escaping (IDs, numbers, DMTF times). */
	char prev[6][26];
	size_t prevlen[6];
	bool have_prev;
	/* The last day whose date was written, and its eight digits: most
	 * rows' times fall on a day already seen. */
	int64_t day;
	char date[8];
};

/* Field i of a C row: \= when it repeats the previous row's and is longer
 * than 2 bytes, as the script's Emit decides. */
static void
cell_field(struct cell_writer *w, int i, const char *v, size_t n)
{
	struct buf *out = w->r->out;
	buf_addc(out, '\t');
	if (w->have_prev && n > 2 && n == w->prevlen[i] && memcmp(w->prev[i], v, n) == 0) {
		buf_add(out, "\\=", 2);
		return;
	}
	buf_add(out, v, n);
	memcpy(w->prev[i], v, n);
	w->prevlen[i] = n;
}

static size_t
cell_u32(char *out, uint32_t v)
{
	char tmp[10];
	size_t n = 0, k = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		out[k++] = tmp[--n];
	return k;
}

/* simclock_wmi's text, the date part reused while the day stays. */
static size_t
cell_time(struct cell_writer *w, dpd_time t, uint32_t row, char out[26])
{
	int64_t day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	if (t == 0 || day != w->day) {
		simclock_wmi(t, row, out);
		if (t != 0 && out[0] != '\0') {
			w->day = day;
			memcpy(w->date, out, 8);
		}
		return strlen(out);
	}
	int64_t secs = t - day * 86400;
	int hms[3] = { (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60) };
	memcpy(out, w->date, 8);
	for (int k = 0; k < 3; k++) {
		out[8 + 2 * k] = (char)('0' + hms[k] / 10);
		out[9 + 2 * k] = (char)('0' + hms[k] % 10);
	}
	memcpy(out + 14, row % 2 == 0 ? ".000000+***" : ".000000+000", 12);
	return 25;
}

/* One cell row, when the pair is targeted. */
static void
status_cell_row(struct cell_writer *w, uint32_t p, uint32_t srv)
{
	const struct sim_site *s = w->s;
	struct sim_cell c;
	if (!simdb_cell_view(s, p, srv, &c))
		return;
	char num[26];
	if (w->index[srv] < 0) {
		w->index[srv] = w->ndp++;
		num[cell_u32(num, (uint32_t)w->index[srv])] = '\0';
		const char *d[] = { num, s->srv[srv].nal, s->srv[srv].site };
		simreply_row_uncounted(w->r, "D", d, 3);
	}
	buf_grow(w->r->out, 2 + 6 * 27 + 2);
	buf_addc(w->r->out, 'C');
	cell_field(w, 0, s->pkg[p].id, 8);
	cell_field(w, 1, num, cell_u32(num, (uint32_t)w->index[srv]));
	cell_field(w, 2, num, cell_u32(num, c.state));
	cell_field(w, 3, num, cell_u32(num, c.source_version));
	cell_field(w, 4, num, cell_time(w, c.last_copied, p, num));
	cell_field(w, 5, num, cell_time(w, c.summary_date, p, num));
	buf_add(w->r->out, "\r\n", 2);
	w->have_prev = true;
	w->r->records++;
	simreply_flush(w->r, SIMREPLY_FLUSH, false);
}

static void
status_cells(struct reply *r, const struct sim_site *s, uint32_t from, uint32_t to,
    bool delta, const struct sim_pair *only, size_t nonly)
{
	static const char *const dcols[] = { "DP", "ServerNALPath", "SiteCode" };
	static const char *const cols[] = { "PackageID", "DP", "State", "SourceVersion",
	    "LastCopied", "SummaryDate" };
	simreply_cols(r, "D", dcols, 3);
	simreply_cols(r, "C", cols, 6);
	struct cell_writer w = { .r = r, .s = s, .day = INT64_MIN,
	    .index = xmalloc((s->nsrv ? s->nsrv : 1) * sizeof *w.index) };
	for (size_t i = 0; i < s->nsrv; i++)
		w.index[i] = -1;
	/* A delta visits its pairs, a full read every pair. */
	for (size_t k = 0; delta && k < nonly; k++)
		status_cell_row(&w, only[k].pkg, only[k].srv);
	for (uint32_t p = from; p < to && !delta; p++)
		for (uint32_t srv = 0; srv < s->nsrv; srv++)
			status_cell_row(&w, p, srv);
	free(w.index);
}

static int
op_status(struct opctx *x)
{
	struct sim_site *s = x->s;
	const char *site = op_arg(x->op, "site");
	const char *prov = op_arg(x->op, "provider");
	const char *where = prov != NULL && *prov ? prov : x->host;
	if (simdb_find_srv(s, where) != (long)s->primary) {
		simreply_error(x->r, "SMS Provider not found on %s: root\\SMS\\site_%s does "
		    "not exist", where, site);
		return 0;
	}
	/* Another host's provider is remote WMI (DCOM). */
	char *deny = simevd_remote_denied(x, s->srv[s->primary].name, true);
	if (deny != NULL) {
		simreply_error(x->r, "%s: %s", where, deny);
		free(deny);
		return 0;
	}
	if (strcmp(site, s->site_code) != 0) {
		simreply_error(x->r, "Invalid namespace root\\SMS\\site_%s", site);
		return 0;
	}
	uint32_t from = 0, to = (uint32_t)s->npkg;
	const char *only = op_arg(x->op, "package");
	if (only != NULL && *only != '\0') {
		long pkg = simdb_find_pkg(s, only);
		from = pkg < 0 ? 0 : (uint32_t)pkg;
		to = pkg < 0 ? 0 : from + 1;
	}
	const char *since_text = op_arg(x->op, "since");
	dpd_time since = 0;
	struct sim_pair *pairs = NULL;
	size_t npairs = 0;
	if (since_text != NULL && *since_text != '\0') {
		if (time_parse_iso(since_text, &since) != 0 || since <= 0)
			since = 1; /* checked by status_rules: cannot happen */
		npairs = simdelta_pairs(s, from, to, since, &pairs);
	}
	status_packages(x->r, s, from, to, since);
	status_cells(x->r, s, from, to, since != 0, pairs, npairs);
	free(pairs);
	static const char *const tcols[] = { "Now" };
	char now[21];
	simclock_iso(s->clock, now);
	const char *tv[] = { now };
	simreply_cols(x->r, "T", tcols, 1);
	simreply_row_uncounted(x->r, "T", tv, 1); /* as in the script */
	simreply_ok(x->r);
	return 0;
}

/* ---- dispatch ----------------------------------------------------------------- */

struct op_handler {
	const struct arg_rule *rules;
	int (*run)(struct opctx *x);
	/* Reads the site only: what it leaves is kept for the next op
	 * (simcache.c; a refresh is a status and a sites op). */
	bool reads_only;
};

static const struct op_handler handlers[OP_COUNT] = {
	[OP_STATUS] = { status_rules, op_status, true },
	[OP_PATHINFO] = { simevd_pathinfo_rules, simevd_pathinfo },
	[OP_DIRLIST] = { simevd_dirlist_rules, simevd_dirlist },
	[OP_LOGGREP] = { simevd_loggrep_rules, simevd_loggrep },
	[OP_STATMSGS] = { simevd_statmsgs_rules, simevd_statmsgs },
	[OP_SHAREACL] = { simevd_shareacl_rules, simevd_shareacl },
	[OP_READFILE] = { simevd_readfile_rules, simevd_readfile },
	[OP_COPYFILE] = { simrep_copyfile_rules, simrep_copyfile },
	[OP_SETATTR] = { simrep_setattr_rules, simrep_setattr },
	[OP_DELETEFILE] = { simrep_deletefile_rules, simrep_deletefile },
	[OP_RENAMEFILE] = { simrep_renamefile_rules, simrep_renamefile },
	[OP_PRELOAD] = { simrep_preload_rules, simrep_preload },
	[OP_REFRESHNOW] = { simrep_refreshnow_rules, simrep_refreshnow },
	[OP_SETSOURCEPATH] = { simrep_setsourcepath_rules, simrep_setsourcepath },
	[OP_WRITEFILE] = { simrep_writefile_rules, simrep_writefile },
	[OP_SITES] = { simsites_sites_rules, simsites_sites, true },
	[OP_LAYOUT] = { simsites_layout_rules, simsites_layout },
};

/* The op name in a script's header line, for replying to one we cannot
 * parse; "unknown" when there is none. */
static char *
header_op(const char *script)
{
	char name[32];
	if (sscanf(script, "# dpdoctor op=%31s", name) == 1)
		return xstrdup(name);
	return xstrdup("unknown");
}

static int
run_op(const char *dir, struct opctx *x, const struct deadline *dl, char **err)
{
	const struct op_handler *h = (unsigned)x->op->kind < OP_COUNT ?
	    &handlers[x->op->kind] : NULL;
	if (h == NULL || h->run == NULL) {
		simreply_error(x->r, "op %s is not supported by the simulator yet",
		    op_name(x->op->kind));
		return 0;
	}
	char *why = args_check(x->op, h->rules);
	if (why != NULL) {
		simreply_error(x->r, "%s", why);
		free(why);
		return 0;
	}
	int fd;
	if (simsite_open(dir, true, dl, &x->s, &fd, err) != 0)
		return -1;
	int rc = h->run(x);
	if (rc == 0 && x->s->dirty)
		rc = simdb_save(x->s, err);
	if (rc == 0 && h->reads_only)
		simcache_put(x->s);
	else
		simdb_free(x->s);
	x->s = NULL;
	simdb_unlock(fd);
	return rc;
}

int
simops_run(const char *dir, const char *host, const char *script,
    struct script_result *res, const struct deadline *dl, char **err)
{
	return simops_run_as(dir, host, script, NULL, NULL, res, dl, err);
}

int
simops_run_as(const char *dir, const char *host, const char *script,
    const char *user, const char *password, struct script_result *res,
    const struct deadline *dl, char **err)
{
	if (host == NULL || !servername_valid(host)) {
		err_set(err, "\"%s\" is not a valid server name", host ? host : "");
		return -1;
	}
	struct reply r = { .out = &res->out, .res = res };
	buf_init(&r.tmp);
	struct op op;
	char *storage = NULL, *perr = NULL, *old = NULL;
	int rc = 0;
	if (ops_parse(script, &op, &storage, &perr) != 0) {
		char *name = header_op(script);
		simreply_begin(&r, name);
		if (strcmp(name, "unknown") != 0 && op_from_name(name) < 0)
			simreply_error(&r, "op %s is not supported by the simulator yet", name);
		else
			simreply_error(&r, "%s", perr);
		buf_printf(&res->err, "%s\r\n", perr);
		free(name);
	} else if (simps2_check(script, &old) != 0) {
		/* A simulated host is a PowerShell 2.0 one: what 2.0 lacks
		 * fails there, whatever the op. */
		simreply_begin(&r, op_name(op.kind));
		simreply_error(&r, "%s", old);
		buf_printf(&res->err, "%s\r\n", old);
	} else {
		simreply_begin(&r, op_name(op.kind));
		struct opctx x = { .host = host, .op = &op, .r = &r, .user = user,
		    .password = password };
		rc = run_op(dir, &x, dl, err);
		if (rc != 0)
			buf_reset(&res->out); /* never half a reply */
	}
	res->exit_code = r.failed ? 1 : 0;
	simreply_flush(&r, 0, true);
	buf_free(&r.tmp);
	free(storage);
	free(perr);
	free(old);
	return rc;
}

int
sim_run_script(const char *dir, const char *host, const char *script,
    struct script_result *res, char **err)
{
	return simops_run(dir, host, script, res, NULL, err);
}

int
sim_run_script_as(const char *dir, const char *host, const char *script,
    const char *user, const char *password, struct script_result *res, char **err)
{
	return simops_run_as(dir, host, script, user, password, res, NULL, err);
}
