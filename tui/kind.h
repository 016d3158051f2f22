/*
 * A DP's kind in words, for the detail pane and `dpdoctor diagnose`: what
 * the DP is to the package (issue 13's site kinds) and which server's SMS
 * holds its inboxes, distmgr.log and PCKs -- the first thing to know
 * before reading its evidence, since that is where it was gathered.
 */
#ifndef DPD_TUI_KIND_H
#define DPD_TUI_KIND_H

#include <stddef.h>

#include "backend/core/model.h"

/* The server whose SMS serves DP `dp` for package `pkg`: its site's server,
 * for the package's own site the primary (`primary` when the site list
 * does not name it); NULL when the DP's site is unknown. */
const char *kind_sms_server(const struct snapshot *s, size_t pkg, size_t dp,
    const char *primary);
/* "LEEDSDP01: the site server of child site LDS", "DUBLINDP02: a DP of
 * child site DUB, served by DUBLINDP01", "SMS009PRI: a DP of the package's
 * own site 009, served by SMS009PRI"... (malloc'd). */
char *kind_sentence(const struct snapshot *s, size_t pkg, size_t dp, const char *primary);

#endif
