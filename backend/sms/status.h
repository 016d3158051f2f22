/*
 * Status sources: how the grid's cells are obtained.  The status op asks
 * the SMS provider for SMS_Package and SMS_PackageStatusDistPointsSummarizer
 * through a transport; the reply (our line protocol) becomes a snapshot.
 */
#ifndef DPD_STATUS_H
#define DPD_STATUS_H

#include <stddef.h>

#include "backend/core/model.h"
#include "backend/transport/transport.h"

/* Run the status query for `site` (provider may be NULL: the host itself). */
struct snapshot *status_fetch(struct transport *t, const char *site,
    const char *provider, const struct deadline *dl, char **err);
/* The same for one package: its SMS_Package row and its cells only (an ID
 * the site does not know gives a snapshot without them).  A malformed ID
 * is refused before anything is sent. */
struct snapshot *status_fetch_package(struct transport *t, const char *site,
    const char *provider, const char *pkgid, const struct deadline *dl, char **err);
/* A delta: the SMS_Package rows whose SourceDate and the cells whose
 * SummaryDate is `since` or later (the provider's clock), and its time;
 * no site list.  backend/sms/status_delta.h merges it into a snapshot. */
struct snapshot *status_fetch_since(struct transport *t, const char *site,
    const char *provider, dpd_time since, const struct deadline *dl, char **err);
/* Only the site list (SMS_Site): a snapshot with no packages, for a
 * command that needs to know which servers are site servers and where
 * their SMS is (InstallDir) without the whole status.  Never NULL; a
 * failed query leaves sites_error saying why. */
struct snapshot *status_fetch_sites(struct transport *t, const char *site,
    const char *provider, const struct deadline *dl);
/* Parse a status reply; errors name the line and the field. */
struct snapshot *status_parse(const char *text, size_t len, char **err);

#endif
