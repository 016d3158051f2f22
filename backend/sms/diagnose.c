/*
 * The diagnosis rules.  Each finding of FINDING_TABLE has a rule function
 * that looks at the evidence and, when it matches, cites the items it rests
 * on and fills in an explanation with this cell's facts.  Rules are tried
 * in the order of rules[], which is the order of the seed's procedure:
 * a missing source or a root-only share explains a failure before any
 * PCK-level symptom does, because fixing the PCK would not help there.
 * The rules read only what a real host gives (no PCK version, no INCOMING
 * file's owner but what distmgr.log says) and know what the DP is: a DP
 * of the package's own site has no PCK or preload, so no PCK finding is
 * made for it; a child site's plain DP has its PCK, inboxes and log on
 * its site server (e->sms_server), and the findings name that server.
 * At the end, diagnose_cell(): gather, sort and diagnose one cell, the
 * one call the detail pane, the wizard and the commands all make.
 */
#include "autoconf.h"
#include "backend/sms/diagnose.h"
#include "backend/sms/smslog.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct enum_name finding_names[] = {
#define X(e, id, t, p) { e, id },
	FINDING_TABLE(X)
#undef X
};

static const struct {
	const char *title;
	enum repair_plan plan;
} finding_table[] = {
#define X(e, id, t, p) [e] = { t, p },
	FINDING_TABLE(X)
#undef X
};

const char *
finding_name(enum finding_id id)
{
	return enum_name(finding_names, ENUM_NAMES_COUNT(finding_names), (int)id, "?");
}

const char *
finding_title(enum finding_id id)
{
	return (unsigned)id < FIND_COUNT ? finding_table[id].title : "?";
}

/* What a rule builds up while it looks. */
struct match {
	struct buf why;
	size_t *cites;
	size_t ncites;
};

static void
cite(struct match *m, size_t i)
{
	for (size_t k = 0; k < m->ncites; k++)
		if (m->cites[k] == i)
			return;
	m->cites = xreallocarray(m->cites, m->ncites + 1, sizeof *m->cites);
	m->cites[m->ncites++] = i;
}

/* The first item of a kind (optionally on a server), or NULL; *idx set. */
static const struct evidence_item *
first(const struct evidence *e, enum evidence_kind k, const char *server, size_t *idx)
{
	for (long i = evidence_find(e, k, 0); i >= 0; i = evidence_find(e, k, (size_t)i + 1)) {
		const struct evidence_item *it = &e->items[i];
		if (server == NULL || (it->server && strcasecmp(it->server, server) == 0)) {
			if (idx)
				*idx = (size_t)i;
			return it;
		}
	}
	return NULL;
}

/* The distmgr.log lines the rules cite.  A line is one row per wording
 * (the same message reads differently across SMS versions): a log item
 * is that line when it holds every needle of one of its rows, in any
 * letter case.  Where a wording comes from is in sms-domain.md section 6. */
enum log_line {
	LL_SOURCE_UNREADABLE,   /* the package source cannot be read */
	LL_MKDIR_FAILED,        /* a folder on the DP's share cannot be made */
	LL_SHARE_KEPT,          /* a package share cannot be removed */
	LL_PCK_SKIPPED,         /* a newer PCK is needed and has not arrived */
};

static const struct {
	enum log_line line;
	const char *needles[3];
	const char *seen_in;    /* where the wording is published */
} log_wordings[] = {
	{ LL_SOURCE_UNREADABLE, { "Cannot find or read the package source" }, "UNCONFIRMED" },
	{ LL_MKDIR_FAILED, { "Failed to create directory" }, "UNCONFIRMED" },
	{ LL_SHARE_KEPT, { "cannot remove the share" }, "SMS 2.0, KB Q242490" },
	/* "...the new compressed files haven't arrived yet, current version is..." */
	{ LL_PCK_SKIPPED, { "requires a newer version", "haven't arrived yet" }, "SMS 2003, KB 936465" },
	/* "...the new compressed files hasn't arrived yet, current version is..." */
	{ LL_PCK_SKIPPED, { "requires a newer version", "hasn't arrived yet" }, "SMS 2.0, KB Q245579" },
	{ LL_PCK_SKIPPED, { "requires a newer version", "hasn't been" },
	  "UNCONFIRMED: issue 11 names this wording; no published line has it" },
};

/* Whether text is one of the wordings of line. */
static bool
log_line_is(const char *text, enum log_line line)
{
	for (size_t w = 0; w < sizeof log_wordings / sizeof log_wordings[0]; w++) {
		if (log_wordings[w].line != line)
			continue;
		bool all = true;
		for (size_t k = 0; all && k < 3 && log_wordings[w].needles[k] != NULL; k++)
			all = strcasestr(text, log_wordings[w].needles[k]) != NULL;
		if (all)
			return true;
	}
	return false;
}

/* Cite every log item (on `server`, or any) that is the given line.  A
 * skip line counts only when it names this package: the log is also read
 * for INCOMING files' names, which brings other packages' skip lines. */
static size_t
cite_logs(const struct evidence *e, struct match *m, const char *server, enum log_line line)
{
	size_t n = 0;
	for (long i = evidence_find(e, EV_LOG, 0); i >= 0; i = evidence_find(e, EV_LOG, (size_t)i + 1)) {
		const struct evidence_item *it = &e->items[i];
		if (server && (!it->server || strcasecmp(it->server, server) != 0))
			continue;
		if (line == LL_PCK_SKIPPED && (it->text == NULL || strcasestr(it->text, e->pkgid) == NULL))
			continue;
		if (it->text != NULL && log_line_is(it->text, line)) {
			cite(m, (size_t)i);
			n++;
		}
	}
	return n;
}

/* The server whose SMS holds the DP's PCK, inboxes and distmgr.log. */
static const char *
sms_server(const struct evidence *e)
{
	return e->sms_server != NULL && *e->sms_server ? e->sms_server : e->dp;
}

/* PCK and preload findings do not apply to a DP of the package's own
 * site: its files come uncompressed from the source. */
static bool
pck_applies(const struct evidence *e)
{
	return e->kind != DPK_OWN_SITE;
}

/* "LEEDSDP01's" or "LEEDSDP02's site server LEEDSDP01's" */
static char *
where_words(const struct evidence *e)
{
	if (strcasecmp(sms_server(e), e->dp) == 0)
		return xasprintf("%s", e->dp);
	return xasprintf("%s (the site server of %s's site)", sms_server(e), e->dp);
}

/* A known file item that was read (no error) and is absent. */
static bool
read_absent(const struct evidence_item *it)
{
	return it != NULL && it->error == NULL && !it->present;
}

/* States 4-6: the package is being removed from the DP. */
static bool
removal_state(const struct evidence *e)
{
	return e->have_cell && e->cell.state >= STATE_REMOVAL_PENDING &&
	    e->cell.state <= STATE_REMOVAL_FAILED;
}

static bool
rule_source_missing(const struct evidence *e, struct match *m)
{
	size_t i;
	const struct evidence_item *src = first(e, EV_SOURCE_DIR, NULL, &i);
	if (!read_absent(src))
		return false;
	cite(m, i);
	cite_logs(e, m, NULL, LL_SOURCE_UNREADABLE);
	buf_printf(&m->why, "The package source %s does not exist (checked from %s). "
	    "Distribution Manager cannot build or refresh the package until the folder "
	    "is back or the package points at where the files are now.",
	    src->source ? src->source : "?", src->server ? src->server : "the site server");
	return true;
}

/* A share folder item for a nested package folder (SMSPKGE$\Apps\<id>). */
static long
nested_folder(const struct evidence *e)
{
	for (long i = evidence_find(e, EV_SHARE_FOLDER, 0); i >= 0;
	    i = evidence_find(e, EV_SHARE_FOLDER, (size_t)i + 1)) {
		/* The share is the last "name$\" of a UNC path (E$ comes first). */
		const char *src = e->items[i].source, *share = NULL;
		for (const char *p = src; p && (p = strstr(p, "$\\")) != NULL; p += 2)
			share = p;
		if (share != NULL && strchr(share + 2, '\\') != NULL)
			return i;
	}
	return -1;
}

static bool
rule_share_perms(const struct evidence *e, struct match *m)
{
	size_t i;
	const struct evidence_item *acl = first(e, EV_SHARE_ACL, e->dp, &i);
	if (acl == NULL || acl->error != NULL || acl->nested != 0)
		return false;
	/* A root-only ACL only hurts packages stored in a nested folder, and
	 * removals, which must delete nested folders. */
	struct match probe = {0};
	size_t logs = cite_logs(e, &probe, NULL, LL_MKDIR_FAILED) +
	    cite_logs(e, &probe, NULL, LL_SHARE_KEPT);
	long f = nested_folder(e);
	if (logs == 0 && f < 0 && !removal_state(e)) {
		free(probe.cites);
		return false;
	}
	cite(m, i);
	for (size_t k = 0; k < probe.ncites; k++)
		cite(m, probe.cites[k]);
	free(probe.cites);
	if (f >= 0)
		cite(m, (size_t)f);
	buf_printf(&m->why, "On %s the Administrators' permissions on %s apply to the share's "
	    "root only. SMS can create the first folder level but cannot %s the nested folder "
	    "this package is stored in%s.", e->dp, acl->source ? acl->source : "the dist share",
	    removal_state(e) ? "delete" : "create",
	    logs ? ", and distmgr.log shows it failing" : "");
	return true;
}

static bool
rule_pck_stale(const struct evidence *e, struct match *m)
{
	size_t i, p;
	const struct evidence_item *pck = first(e, EV_PCK_PRIMARY, NULL, &i);
	const struct evidence_item *pkg = first(e, EV_PACKAGE, NULL, &p);
	if (!pck_applies(e) || pck == NULL || pck->error != NULL || pkg == NULL)
		return false;
	uint32_t want = pkg->version; /* StoredPkgVersion */
	bool missing = !pck->present;
	bool behind = pck->present && pck->version != 0 && want != 0 && pck->version < want;
	bool older = pck->present && pkg->when != 0 && pck->when != 0 && pck->when < pkg->when;
	if (!missing && !behind && !older)
		return false;
	cite(m, i);
	cite(m, p);
	if (missing)
		buf_printf(&m->why, "The primary has no compressed copy %s, so there is nothing "
		    "to send to %s.", pck->source ? pck->source : "of the package", e->dp);
	else
		buf_printf(&m->why, "The primary's PCK %s is stale (%s%s); DPs waiting for the "
		    "new version will keep skipping it. Touching the source path usually "
		    "regenerates it; when it does not, rename the PCK first.",
		    pck->source ? pck->source : "", behind ? "older version than StoredPkgVersion" : "",
		    older ? (behind ? ", older than the package's SourceDate" : "older than the package's SourceDate") : "");
	return true;
}

/* Cite the log lines on `server` that name an INCOMING file's name. */
static void
cite_file_lines(const struct evidence *e, struct match *m, const char *server, const char *src)
{
	const char *name = src ? strrchr(src, '\\') : NULL;
	if (name == NULL)
		return;
	for (long i = evidence_find(e, EV_LOG, 0); i >= 0; i = evidence_find(e, EV_LOG, (size_t)i + 1)) {
		const struct evidence_item *it = &e->items[i];
		if (it->server && strcasecmp(it->server, server) == 0 && it->text &&
		    strcasestr(it->text, name + 1) != NULL)
			cite(m, (size_t)i);
	}
}

static bool
rule_pck_not_arrived(const struct evidence *e, struct match *m)
{
	if (!pck_applies(e))
		return false;
	const char *srv = sms_server(e);
	size_t logs = cite_logs(e, m, srv, LL_PCK_SKIPPED);
	size_t inc = 0;
	/* Only files distmgr.log ties to this package: a host cannot say
	 * whose an INCOMING file is. */
	for (long i = evidence_find(e, EV_INCOMING, 0); i >= 0; i = evidence_find(e, EV_INCOMING, (size_t)i + 1))
		if (e->items[i].present && e->items[i].package &&
		    strcasecmp(e->items[i].package, e->pkgid) == 0) {
			cite(m, (size_t)i);
			cite_file_lines(e, m, srv, e->items[i].source);
			inc++;
		}
	if (logs == 0 && inc == 0)
		return false;
	size_t d, p;
	const struct evidence_item *dpck = first(e, EV_PCK_DP, srv, &d);
	const struct evidence_item *pkg = first(e, EV_PACKAGE, NULL, &p);
	if (dpck != NULL)
		cite(m, d);
	bool older = dpck && dpck->present && pkg && pkg->when && dpck->when && dpck->when < pkg->when;
	char *where = where_words(e);
	buf_printf(&m->why, "%s has the package's replication file in its INCOMING inbox but "
	    "%s, so Distribution Manager skips it every cycle (\"requires a newer version ... "
	    "the new compressed files haven't arrived yet\"). Copying the PCK from the primary "
	    "to %s, running PreloadPkgOnSite.exe %s there and re-pushing fixes most of these.",
	    where, !dpck || !dpck->present ? "no compressed PCK" : older ?
	    "its PCK is older than the package's SourceDate" : "its PCK is not the one it waits for",
	    srv, e->pkgid);
	free(where);
	return true;
}

static bool
rule_pkg_file_stale(const struct evidence *e, struct match *m)
{
	size_t i;
	const char *srv = sms_server(e);
	const struct evidence_item *f = first(e, EV_DISTMGR_PKG, srv, &i);
	/* During a removal the file is the installed package's own record. */
	if (!pck_applies(e) || f == NULL || f->error != NULL || !f->present || removal_state(e))
		return false;
	cite(m, i);
	char *where = where_words(e);
	buf_printf(&m->why, "%s has %s. That may be a stale work file: PreloadPkgOnSite.exe would "
	    "then answer \"The compressed package path ... is already set in the database\". "
	    "The file alone proves nothing: the repair runs PreloadPkgOnSite on %s first and "
	    "deletes the file (then preloads again) only when it answers \"already set\".",
	    where, f->source ? f->source : "distmgr.box\\<id>.PKG", srv);
	free(where);
	return true;
}

/* Whether the log line text names the package id as a word of its own. */
static bool
names_pkg(const char *text, const char *id)
{
	size_t n = strlen(id);
	for (const char *p = text; (p = strcasestr(p, id)) != NULL; p++)
		if ((p == text || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]))
			return true;
	return false;
}

/* An INCOMING file no line ties to a package is still not this package's
 * when srv's distmgr.log shows the file processed ("Processing incoming
 * file ...\X.PKG.") yet no line of that log names the package: each pass
 * over a package's replication file names the package (skip, compressed
 * copy, install), so a file that was read without a word about it belongs
 * to another package. */
static bool
incoming_not_ours(const struct evidence *e, const struct evidence_item *inc, const char *srv)
{
	const char *base = inc->source ? strrchr(inc->source, '\\') : NULL;
	if (base == NULL || base[1] == '\0')
		return false;
	bool processed = false;
	for (long i = evidence_find(e, EV_LOG, 0); i >= 0; i = evidence_find(e, EV_LOG, (size_t)i + 1)) {
		const struct evidence_item *l = &e->items[i];
		if (l->server == NULL || strcasecmp(l->server, srv) != 0 || l->text == NULL ||
		    l->error != NULL)
			continue;
		if (names_pkg(l->text, e->pkgid))
			return false;
		processed |= strcasestr(l->text, "Processing incoming file") != NULL &&
		    strcasestr(l->text, base + 1) != NULL;
	}
	return processed;
}

static bool
rule_not_in_db(const struct evidence *e, struct match *m)
{
	size_t a, b;
	const char *srv = sms_server(e);
	const struct evidence_item *dpkg = first(e, EV_DISTMGR_PKG, srv, &a);
	const struct evidence_item *info = first(e, EV_PKGINFO, srv, &b);
	if (!pck_applies(e) || !read_absent(dpkg) || !read_absent(info))
		return false;
	/* An INCOMING file of this package, or one no log line ties to any
	 * package (it may be this one), says something did arrive. */
	for (long i = evidence_find(e, EV_INCOMING, 0); i >= 0; i = evidence_find(e, EV_INCOMING, (size_t)i + 1)) {
		const char *owner = e->items[i].package;
		if (e->items[i].present && (owner == NULL || *owner == '\0' ||
		    strcasecmp(owner, e->pkgid) == 0) && !incoming_not_ours(e, &e->items[i], srv))
			return false;
	}
	cite(m, a);
	cite(m, b);
	char *where = where_words(e);
	buf_printf(&m->why, "Nothing about %s has reached %s: no package file in its inboxes "
	    "and no package information. PreloadPkgOnSite would fail with \"Failed to get the "
	    "specified package ... in the database\". Re-push the package to the DP, wait a few "
	    "minutes for the information to replicate, then preload on %s.", e->pkgid, where, srv);
	free(where);
	return true;
}

typedef bool (*rule_fn)(const struct evidence *e, struct match *m);

/* In the order they are tried (see the top of the file). */
static const struct {
	enum finding_id id;
	rule_fn rule;
} rules[] = {
	{ FIND_SOURCE_MISSING, rule_source_missing },
	{ FIND_SHARE_PERMS, rule_share_perms },
	{ FIND_PCK_STALE, rule_pck_stale },
	{ FIND_PKG_FILE_STALE, rule_pkg_file_stale },
	{ FIND_PCK_NOT_ARRIVED, rule_pck_not_arrived },
	{ FIND_NOT_IN_DB, rule_not_in_db },
};

/* Sources that could not be read, as one sentence, or NULL. */
static char *
unreachable_caveat(const struct evidence *e)
{
	struct buf b;
	buf_init(&b);
	size_t n = 0;
	for (long i = evidence_find(e, EV_UNREACHABLE, 0); i >= 0;
	    i = evidence_find(e, EV_UNREACHABLE, (size_t)i + 1)) {
		const struct evidence_item *it = &e->items[i];
		buf_printf(&b, "%s%s on %s (%s)", n++ ? "; " : "Could not read ",
		    it->source ? it->source : "?", it->server ? it->server : "?",
		    it->error ? it->error : "no reason given");
	}
	if (!e->complete)
		buf_printf(&b, "%sevidence gathering did not finish", n++ ? "; " : "");
	if (n == 0) {
		buf_free(&b);
		return NULL;
	}
	buf_adds(&b, ". The finding rests on what could be read.");
	return buf_detach(&b);
}

static void
add_finding(const struct evidence *e, struct diagnosis *d, enum finding_id id, struct match *m,
    char *caveat)
{
	d->findings = xreallocarray(d->findings, d->nfindings + 1, sizeof *d->findings);
	struct finding *f = &d->findings[d->nfindings++];
	f->id = id;
	f->name = finding_name(id);
	f->title = finding_table[id].title;
	f->plan = finding_table[id].plan;
	if (id != FIND_HEALTHY && e != NULL) {
		/* Every explanation starts with what the DP is. */
		char *words = evidence_dp_words(e);
		char *why = buf_detach(&m->why);
		f->explanation = xasprintf("%s. %s", words, why);
		free(words);
		free(why);
	} else {
		f->explanation = buf_detach(&m->why);
	}
	f->cites = m->cites;
	f->ncites = m->ncites;
	f->caveat = caveat;
	m->cites = NULL;
	m->ncites = 0;
}

static void
diagnose_unknown(const struct evidence *e, struct diagnosis *d, char *caveat)
{
	struct match m = {0};
	buf_init(&m.why);
	buf_printf(&m.why, "None of the known failures matches what was found for %s on %s. "
	    "Read the evidence below (status messages and distmgr.log lines first); a "
	    "re-push of the package to the DP is the safe first step.", e->pkgid, e->dp);
	for (long i = evidence_find(e, EV_LOG, 0); i >= 0; i = evidence_find(e, EV_LOG, (size_t)i + 1))
		if (e->items[i].severity >= SMSLOG_SEV_WARNING)
			cite(&m, (size_t)i);
	add_finding(e, d, FIND_UNKNOWN, &m, caveat);
}

/* The DP's (or its SMS server's) sources failed because the WMI host's
 * key log-in carries no network credentials: say that, never "DP down".
 * The items' error is transport_netcred_why()'s explanation: the WMI host,
 * the key log-in and the ways out. */
static bool
diagnose_no_netcred(const struct evidence *e, struct diagnosis *d)
{
	struct match m = {0};
	const char *why = NULL;
	for (long i = evidence_find(e, EV_UNREACHABLE, 0); i >= 0;
	    i = evidence_find(e, EV_UNREACHABLE, (size_t)i + 1)) {
		const struct evidence_item *it = &e->items[i];
		if (!it->netcred || it->server == NULL || (strcasecmp(it->server, e->dp) != 0 &&
		    strcasecmp(it->server, sms_server(e)) != 0))
			continue;
		cite(&m, (size_t)i);
		why = why ? why : it->error;
	}
	if (m.ncites == 0)
		return false;
	buf_init(&m.why);
	buf_printf(&m.why, "dpdoctor could not read %s's files, and not because it is down: %s. "
	    "Until that is fixed nothing can be said about why %s is not installed there; "
	    "the ways out are a password log-in to the WMI host, `credential = ask` in its "
	    "[server] section, or a [server] section that reaches %s over SMB from here.",
	    sms_server(e), why ? why : "the WMI host's key log-in carries no network credentials",
	    e->pkgid, sms_server(e));
	add_finding(e, d, FIND_NO_NETCRED, &m, NULL);
	return true;
}

/* Nothing matched and the DP itself could not be read: say that, not
 * "unknown" with a re-push, which could not reach it either. */
static bool
diagnose_dp_unreachable(const struct evidence *e, struct diagnosis *d)
{
	/* The DP itself, or for a DP of a child site its site server, which
	 * holds the PCK, inboxes and log its evidence rests on. */
	const char *srv = e->sms_server && *e->sms_server &&
	    (e->kind == DPK_CHILD_DP || e->kind == DPK_CHILD_SERVER) ? e->sms_server : e->dp;
	long i = evidence_find(e, EV_UNREACHABLE, 0);
	while (i >= 0 && (e->items[i].server == NULL ||
	    (strcasecmp(e->items[i].server, e->dp) != 0 && strcasecmp(e->items[i].server, srv) != 0)))
		i = evidence_find(e, EV_UNREACHABLE, (size_t)i + 1);
	if (i < 0)
		return false;
	const char *who = e->items[i].server;
	struct match m = {0};
	buf_init(&m.why);
	if (strcasecmp(who, e->dp) == 0)
		buf_printf(&m.why, "dpdoctor could not read %s's files (%s), so nothing can be said "
		    "about why %s is not installed there. Check that the server is up and reachable "
		    "from here, then refresh; a re-push would not reach it either.", e->dp,
		    e->items[i].error ? e->items[i].error : "no reason given", e->pkgid);
	else
		buf_printf(&m.why, "dpdoctor could not read the files of %s, the site server that "
		    "serves %s (%s), so nothing can be said about why %s is not installed there. "
		    "Check that %s is up and reachable from here, then refresh.", who, e->dp,
		    e->items[i].error ? e->items[i].error : "no reason given", e->pkgid, who);
	cite(&m, (size_t)i);
	add_finding(e, d, FIND_DP_UNREACHABLE, &m, unreachable_caveat(e));
	return true;
}

void
diagnose(const struct evidence *e, struct diagnosis *d)
{
	memset(d, 0, sizeof *d);
	bool healthy = e->have_cell && e->cell.state == STATE_INSTALLED;
	if (healthy) {
		struct match m = {0};
		buf_init(&m.why);
		buf_printf(&m.why, "%s is installed on %s at SourceVersion %u.", e->pkgid, e->dp,
		    e->cell.source_version);
		add_finding(e, d, FIND_HEALTHY, &m, NULL);
	}
	bool netcred = diagnose_no_netcred(e, d);
	for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
		struct match m = {0};
		buf_init(&m.why);
		if (!rules[r].rule(e, &m)) {
			buf_free(&m.why);
			free(m.cites);
			continue;
		}
		char *caveat = unreachable_caveat(e);
		if (healthy && caveat == NULL)
			caveat = xstrdup("The cell reports installed: this may be an old problem "
			    "that has since been fixed.");
		add_finding(e, d, rules[r].id, &m, caveat);
	}
	if (d->nfindings == 0 && !netcred && !diagnose_dp_unreachable(e, d))
		diagnose_unknown(e, d, unreachable_caveat(e));
}

void
diagnosis_free(struct diagnosis *d)
{
	for (size_t i = 0; i < d->nfindings; i++) {
		free(d->findings[i].explanation);
		free(d->findings[i].cites);
		free(d->findings[i].caveat);
	}
	free(d->findings);
	memset(d, 0, sizeof *d);
}

int
diagnose_cell(const struct site_env *env, const struct snapshot *snap, const char *pkgid,
    const char *dp, const struct deadline *dl,
    void (*progress)(const struct evidence *e, void *arg), void *arg,
    struct cell_diagnosis *out, char **err)
{
	memset(out, 0, sizeof *out);
	if (evidence_gather(env, snap, pkgid, dp, &out->ev, dl, progress, arg, err) != 0) {
		evidence_free(&out->ev);
		return -1;
	}
	evidence_sort(&out->ev);
	diagnose(&out->ev, &out->dx);
	return 0;
}

void
diagnose_cell_free(struct cell_diagnosis *c)
{
	diagnosis_free(&c->dx);
	evidence_free(&c->ev);
}
