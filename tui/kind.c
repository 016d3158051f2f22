/*
 * A DP's kind in words (kind.h).  One sentence per kind, from a table, so
 * the screen and the command line say it the same way.
 */
#include "autoconf.h"
#include "tui/kind.h"
#include "backend/core/util.h"

#include <stdbool.h>
#include <string.h>

const char *
kind_sms_server(const struct snapshot *s, size_t pkg, size_t dp, const char *primary)
{
	if (dp >= s->ndps)
		return NULL;
	const char *server = snapshot_sms_server(s, dp);
	if (server == NULL && snapshot_dp_kind(s, pkg, dp) == DPK_OWN_SITE)
		server = primary != NULL && *primary != '\0' ? primary : NULL;
	return server;
}

/* "<DP>: <what> <site>[, served by <server>]<tail>" per kind. */
static const struct {
	const char *what;
	bool served;               /* name the SMS server that serves it */
	const char *tail;
} kind_words[DPK_COUNT] = {
	[DPK_UNKNOWN] = { "a DP of site", false, ", which the site list does not name" },
	[DPK_OWN_SITE] = { "a DP of the package's own site", true,
	    " (files copied uncompressed from the source: no PCK, no preload)" },
	[DPK_CHILD_SERVER] = { "the site server of child site", false,
	    " (its own distmgr.log, inboxes and PCKs)" },
	[DPK_CHILD_DP] = { "a DP of child site", true, "" },
};

char *
kind_sentence(const struct snapshot *s, size_t pkg, size_t dp, const char *primary)
{
	if (pkg >= s->npkgs || dp >= s->ndps)
		return xstrdup("?");
	const struct dp *d = &s->dps[dp];
	enum dp_kind k = snapshot_dp_kind(s, pkg, dp);
	if (k >= DPK_COUNT)
		k = DPK_UNKNOWN;
	if (k == DPK_UNKNOWN && d->site_code[0] == '\0')
		return xasprintf("%s: its NAL path names no site (no SMS_SITE=), so its kind is "
		    "unknown", d->name);
	const char *server = kind_sms_server(s, pkg, dp, primary);
	bool served = kind_words[k].served;
	return xasprintf("%s: %s %s%s%s%s", d->name, kind_words[k].what, d->site_code,
	    served ? ", served by " : "", served ? (server ? server : "an unknown server") : "",
	    kind_words[k].tail);
}
